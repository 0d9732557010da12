#!/usr/bin/env python3
"""pool_bench.py — A/B benchmark of libtccrt's thread pool (not a test: ctest does not run it).

Each model's object, as `bash bench/models_bench.sh --models M` leaves it in build-bench/models/M/
(NAME.o, NAME.h, in0.bin ...; read only here), is linked with bench/run_model.c and with each
libtccrt variant (a folder of runtime .c sources: runtime/src, or a copy from another commit), run
on 1 and 2 threads (TCCRT_NUM_THREADS), and timed in interleaved rounds (every process in turn,
then in reverse order, ...) so that all of them see the same machine load. Prints the median wall
and process CPU time (all threads) per inference, and whether all the outputs are identical.

  mkdir -p /tmp/old && git show fec2225~1:runtime/src/thread_pool.c > /tmp/old/thread_pool.c &&
  cp runtime/src/alloc.c runtime/src/dtype.c runtime/src/error.c /tmp/old/
  python3 tests/runtime/pool_bench.py --work /tmp/pool-bench --variants old=/tmp/old,new=runtime/src
"""
import argparse, os, statistics, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ap = argparse.ArgumentParser()
ap.add_argument("--work", required=True, help="scratch folder: libraries, executables, outputs")
ap.add_argument("--objs", default=os.path.join(root, "build-bench", "models"))
ap.add_argument("--variants", required=True, help="NAME=DIR,NAME=DIR,...")
ap.add_argument("--models", default="bert_tiny,mnist-pytorch-opset11,squeezenet1_1")
ap.add_argument("--rounds", type=int, default=8)
ap.add_argument("--budget", type=float, default=0.4, help="seconds per process per round")
ap.add_argument("--threads", default="1,2")
a = ap.parse_args()
work = os.path.abspath(a.work)
os.makedirs(work, exist_ok=True)
variants = [v.split("=", 1) for v in a.variants.split(",")]
threads = [int(t) for t in a.threads.split(",")]


def ident(n):
    return "".join(c if c.isalnum() else "_" for c in n)


for vname, vdir in variants:
    lib = os.path.join(work, "libtccrt_%s.a" % vname)
    objs = []
    for f in sorted(os.listdir(vdir)):
        if f.endswith(".c"):
            o = os.path.join(work, "rt_%s_%s.o" % (vname, f[:-2]))
            subprocess.check_call(["cc", "-std=gnu11", "-O2", "-D_GNU_SOURCE", "-I",
                                   os.path.join(root, "runtime", "include"), "-c",
                                   os.path.join(vdir, f), "-o", o])
            objs.append(o)
    if os.path.exists(lib):
        os.unlink(lib)
    subprocess.check_call(["ar", "rcs", lib] + objs)


class Driver:
    def __init__(self, exe, ins, outs, t):
        env = dict(os.environ, TCCRT_NUM_THREADS=str(t))
        self.p = subprocess.Popen([exe] + ins + outs, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, env=env)
        if not self.p.stdout.readline().startswith("ready"):
            raise RuntimeError("%s did not start" % exe)

    def run(self, k):
        self.p.stdin.write("run %d\n" % k)
        self.p.stdin.flush()
        wall, cpu = self.p.stdout.readline().split("|")
        return [float(x) for x in wall.split()], [float(x) for x in cpu.split()]

    def close(self):
        self.p.stdin.write("write\n")
        self.p.stdin.flush()
        if self.p.stdout.readline().strip() != "ok":
            raise RuntimeError("could not write the outputs")
        self.p.stdin.write("quit\n")
        self.p.stdin.close()
        self.p.wait()


for m in a.models.split(","):
    src, cn, wo = os.path.join(a.objs, m), ident(m), os.path.join(work, m)
    os.makedirs(wo, exist_ok=True)
    ins = sorted((f for f in os.listdir(src) if f.startswith("in") and f.endswith(".bin")),
                 key=lambda f: int(f[2:-4]))
    ins = [os.path.join(src, f) for f in ins]
    drv = {}
    for vname, _ in variants:
        exe = os.path.join(wo, "run_%s" % vname)
        subprocess.check_call(["cc", "-O2", "-DMODEL=" + cn, "-include",
                               os.path.join(src, cn + ".h"), "-I",
                               os.path.join(root, "runtime", "include"),
                               os.path.join(root, "bench", "run_model.c"),
                               os.path.join(src, cn + ".o"),
                               os.path.join(work, "libtccrt_%s.a" % vname), "-lm", "-lpthread",
                               "-o", exe])
        for t in threads:
            drv[(vname, t)] = Driver(exe, ins, [os.path.join(wo, "out_%s_%d.bin" % (vname, t))], t)
    keys = list(drv)
    k = []
    for key in keys:  # warm up, then size the runs per round to the budget
        drv[key].run(2)
        wt, _ = drv[key].run(3)
        k.append(max(3, min(200, int(a.budget * 1e3 / max(statistics.median(wt), 1e-3)))))
    kk = min(k)
    res = {key: ([], []) for key in keys}
    for r in range(a.rounds):
        for key in (keys if r % 2 == 0 else keys[::-1]):
            wt, ct = drv[key].run(kk)
            res[key][0].extend(wt)
            res[key][1].extend(ct)
    for key in keys:
        drv[key].close()
    outs = {open(os.path.join(wo, "out_%s_%d.bin" % key), "rb").read() for key in keys}
    print("%s (n=%d per row, outputs %s)" % (m, kk * a.rounds,
                                            "identical" if len(outs) == 1 else "DIFFER"))
    for key in keys:
        wt, ct = res[key]
        print("  %-8s T=%d  wall median %9.3f ms  p90 %9.3f   CPU median %9.3f ms" % (
            key[0], key[1], statistics.median(wt), sorted(wt)[int(0.9 * len(wt))],
            statistics.median(ct)))
    sys.stdout.flush()
