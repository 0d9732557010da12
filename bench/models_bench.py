#!/usr/bin/env python3
"""models_bench.py — times models compiled by tcc-ml against ONNX Runtime, interleaved in one run.

Run through bench/models_bench.sh (it builds tcc-ml, makes the onnxruntime venv and the generated
models). For each model folder (MODEL.onnx + test_data_set_0/input_K.pb, output_K.pb):
  1. `tcc-ml compile MODEL.onnx -o W/NAME.o --name NAME --mcpu MCPU [--input-shape ...]`, timed;
     the object size is its file size;
  2. links W/NAME.o with bench/run_model.c and libtccrt through $CC;
  3. for each thread count T: starts the driver with TCCRT_NUM_THREADS=T and an ONNX Runtime
     session with intra_op_num_threads=T (inter_op 1, sequential, all graph optimizations),
     warms both up, then times them in alternating rounds (ours, then the peer's) on the same
     input, so that both see the same machine load; the wall time of every inference is kept;
  4. checks tcc-ml's output (and ONNX Runtime's) against output_K.pb with rtol 1e-3, atol 1e-5
     (the models' README) and prints the largest absolute error.
Prints one table: model, threads, tcc-ml median/p90 ms, onnxruntime median/p90 ms, ratio of the
medians (tcc-ml / onnxruntime: above 1 means tcc-ml is slower), plus compile time and object size.
"""
import argparse
import glob
import os
import statistics
import struct
import subprocess
import sys
import time

import numpy as np

# ---- a minimal reader of onnx TensorProto files (no onnx package needed) ----
DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32,
          7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64, 12: np.uint32, 13: np.uint64}


def _varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def read_tensor_pb(path):
    """Returns (name, numpy array) of a serialized onnx.TensorProto (raw_data or typed fields)."""
    buf = open(path, "rb").read()
    dims, dtype, name, raw = [], 1, "", None
    typed = {4: [], 5: [], 7: [], 10: [], 11: []}
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _varint(buf, i)
            if field == 1:
                dims.append(v)
            elif field == 2:
                dtype = v
            elif field in typed:
                typed[field].append(v)
        elif wire == 2:
            n, i = _varint(buf, i)
            chunk = buf[i:i + n]
            i += n
            if field == 1:
                j = 0
                while j < n:
                    v, j = _varint(chunk, j)
                    dims.append(v)
            elif field == 8:
                name = chunk.decode()
            elif field == 9:
                raw = chunk
            elif field == 4:
                typed[4].extend(struct.unpack("<%df" % (n // 4), chunk))
            elif field == 10:
                typed[10].extend(struct.unpack("<%dd" % (n // 8), chunk))
            elif field in (5, 7, 11):
                j = 0
                while j < n:
                    v, j = _varint(chunk, j)
                    typed[field].append(v)
        elif wire == 5:
            if field == 4:
                typed[4].append(struct.unpack_from("<f", buf, i)[0])
            i += 4
        elif wire == 1:
            if field == 10:
                typed[10].append(struct.unpack_from("<d", buf, i)[0])
            i += 8
        else:
            raise ValueError("%s: unsupported protobuf wire type %d" % (path, wire))
    dims = [d - (1 << 64) if d >= 1 << 63 else d for d in dims]
    np_dt = DTYPES[dtype]
    if raw is not None:
        arr = np.frombuffer(raw, dtype=np_dt).copy()
    else:
        src = {1: 4, 11: 10, 7: 7, 13: 11, 12: 11}.get(dtype, 5)
        vals = typed[src]
        if src in (5, 7):  # varints of two's complement 64-bit values
            vals = [v - (1 << 64) if v >= 1 << 63 else v for v in vals]
        if dtype == 10:  # float16 travels as its bit pattern in int32_data
            arr = np.array(vals, dtype=np.uint16).view(np.float16)
        else:
            arr = np.array(vals, dtype=np_dt)
    return name, arr.reshape(dims)


# ---- helpers ----
def percentile(xs, q):
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def model_file(folder):
    files = sorted(glob.glob(os.path.join(folder, "*.onnx")))
    return files[0] if files else None


def ident(name):
    s = "".join(c if c.isalnum() else "_" for c in name)
    return "m_" + s if s[0].isdigit() else s


class Driver:
    """The run_model.c process of one model on T threads, driven through its standard input."""

    def __init__(self, exe, in_paths, out_paths, threads):
        env = dict(os.environ, TCCRT_NUM_THREADS=str(threads))
        self.p = subprocess.Popen([exe] + in_paths + out_paths, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, env=env)
        line = self.p.stdout.readline()
        if not line.startswith("ready"):
            raise RuntimeError("driver %s did not start (%r)" % (exe, line))

    def run(self, k):
        self.p.stdin.write("run %d\n" % k)
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("driver exited with %s" % self.p.wait())
        wall, cpu = line.split("|")
        return [float(x) for x in wall.split()], [float(x) for x in cpu.split()]

    def write(self):
        self.p.stdin.write("write\n")
        self.p.stdin.flush()
        if self.p.stdout.readline().strip() != "ok":
            raise RuntimeError("driver could not write its outputs")

    def close(self):
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        self.p.wait()


def ort_session(ort, path, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def ort_run(sess, feeds, k):
    """k inferences: (wall ms list, process CPU ms list, outputs of the last)."""
    times, cpu = [], []
    out = None
    for _ in range(k):
        c0 = time.process_time()
        t0 = time.perf_counter()
        out = sess.run(None, feeds)
        times.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return times, cpu, out


def check(got, want, rtol, atol):
    """(ok, max abs error) of got against want, numpy.allclose semantics."""
    if got.shape != want.shape and got.size == want.size:
        got = got.reshape(want.shape)
    if got.shape != want.shape:
        return False, float("inf")
    if got.dtype.kind in "biu":
        return bool(np.array_equal(got, want)), float(np.max(np.abs(got.astype(np.int64) -
                                                                    want.astype(np.int64)), initial=0))
    g, w = got.astype(np.float64), want.astype(np.float64)
    err = float(np.max(np.abs(g - w), initial=0.0))
    return bool(np.allclose(g, w, rtol=rtol, atol=atol)), err


def fmt_bytes(n):
    return "%.1f MiB" % (n / 1048576) if n >= 1048576 else "%.1f KiB" % (n / 1024)


def bench_model(args, ort, folder, rows, notes, layout=None):
    """Benchmarks one model folder; `layout` (auto or nchw) is passed to tcc-ml compile --layout
    and names the row "MODEL [layout]" (None: tcc-ml's default, the row is the model's name)."""
    name = os.path.basename(os.path.normpath(folder))
    onnx_path = model_file(folder)
    data = os.path.join(folder, "test_data_set_0")
    if not onnx_path or not os.path.isdir(data):
        notes.append("%s: no model or test_data_set_0, skipped" % name)
        return
    ins = [read_tensor_pb(p) for p in sorted(glob.glob(os.path.join(data, "input_*.pb")))]
    outs = [read_tensor_pb(p) for p in sorted(glob.glob(os.path.join(data, "output_*.pb")))]
    cname = ident(name)
    work = os.path.join(args.work, name + ("-" + layout if layout else ""))
    os.makedirs(work, exist_ok=True)
    if layout:
        name = "%s [%s]" % (name, layout)

    # The peer first: its input names and which dims are symbolic.
    sess = ort_session(ort, onnx_path, 1)
    metas = sess.get_inputs()
    if len(metas) != len(ins):
        notes.append("%s: %d graph inputs but %d input files, skipped" % (name, len(metas), len(ins)))
        return
    feeds = {m.name: a for m, (_, a) in zip(metas, ins)}
    shape_args = []
    for m, (_, a) in zip(metas, ins):
        if any(not isinstance(d, int) for d in m.shape):
            shape_args += ["--input-shape", "%s=%s" % (m.name, "x".join(str(d) for d in a.shape))]

    obj = os.path.join(work, cname + ".o")
    cmd = [args.tcc, "compile", onnx_path, "-o", obj, "--name", cname] + shape_args
    if args.mcpu:
        cmd += ["--mcpu", args.mcpu]
    if layout:
        cmd += ["--layout", layout]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    compile_s = time.perf_counter() - t0
    if r.returncode:
        notes.append("%s: tcc-ml compile failed: %s" % (name, (r.stderr or r.stdout).strip()[:300]))
        return
    obj_size = os.path.getsize(obj)
    exe = os.path.join(work, "run_" + cname)
    here = os.path.dirname(os.path.abspath(__file__))
    link = [args.cc, "-O2", "-DMODEL=" + cname, "-include", os.path.join(work, cname + ".h"),
            "-I", os.path.join(here, "..", "runtime", "include"),
            os.path.join(here, "run_model.c"), obj, args.runtime_lib, "-lm", "-lpthread", "-o", exe]
    r = subprocess.run(link, capture_output=True, text=True)
    if r.returncode:
        notes.append("%s: linking the driver failed: %s" % (name, r.stderr.strip()[:300]))
        return
    in_paths, out_paths = [], []
    for k, (_, a) in enumerate(ins):
        p = os.path.join(work, "in%d.bin" % k)
        np.ascontiguousarray(a).tofile(p)
        in_paths.append(p)
    out_paths = [os.path.join(work, "out%d.bin" % k) for k in range(len(outs))]

    checked = None
    for threads in args.threads:
        sess = ort_session(ort, onnx_path, threads)
        try:
            drv = Driver(exe, in_paths, out_paths, threads)
        except (RuntimeError, OSError) as e:
            notes.append("%s: %s" % (name, e))
            return
        try:
            # Warm-up: also tells how long one inference takes, to fit the time budget.
            tw, _ = drv.run(args.warmup)
            ow, _, ort_out = ort_run(sess, feeds, args.warmup)
            if checked is None:
                drv.write()
                msgs = []
                ok_all, wrong = True, False
                for k, (_, want) in enumerate(outs):
                    got = np.fromfile(out_paths[k], dtype=want.dtype)
                    ok, err = check(got, want, args.rtol, args.atol)
                    ok_o, err_o = check(np.asarray(ort_out[k]), want, args.rtol, args.atol)
                    # "near": outside the tolerance like the peer's own output, and at most 2x its
                    # error; any other miss is wrong
                    wrong |= not ok and not (not ok_o and err <= 2 * err_o)
                    ok_all &= ok
                    msgs.append("out%d max|err| tcc %.2g%s, ort %.2g%s" % (
                        k, err, "" if ok else " (FAIL)", err_o, "" if ok_o else " (FAIL)"))
                checked = ("ok" if ok_all else "WRONG" if wrong else "near", "; ".join(msgs))
            per = min(tw) + min(ow)
            iters = int(max(args.min_iters, min(args.iters, args.budget / max(per / 1e3, 1e-6))))
            rounds = max(1, min(args.rounds, iters))
            chunk = max(1, iters // rounds)
            tt, ot, tc, oc = [], [], [], []
            for _ in range(rounds):
                w, c = drv.run(chunk)
                tt += w
                tc += c
                w, c, _ = ort_run(sess, feeds, chunk)
                ot += w
                oc += c
        except RuntimeError as e:
            notes.append("%s (%d threads): %s" % (name, threads, e))
            drv.close()
            return
        drv.close()
        tm, om = statistics.median(tt), statistics.median(ot)
        tcm, ocm = statistics.median(tc), statistics.median(oc)
        rows.append(dict(model=name, threads=threads, n=len(tt), tcc_med=tm,
                         tcc_p90=percentile(tt, 0.9), ort_med=om, ort_p90=percentile(ot, 0.9),
                         ratio=tm / om, tcc_cpu=tcm, ort_cpu=ocm, cpu_ratio=tcm / max(ocm, 1e-3),
                         compile_s=compile_s, obj=obj_size, check=checked[0]))
        print("  %-22s T=%d  wall: tcc %9.3f ms  ort %9.3f ms  ratio %6.2f   cpu: tcc %9.3f ms"
              "  ort %9.3f ms  ratio %6.2f  (n=%d)" % (name, threads, tm, om, tm / om, tcm, ocm,
                                                      tcm / max(ocm, 1e-3), len(tt)), flush=True)
    notes.append("%s: output %s (%s)" % (name, checked[0], checked[1]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tcc", required=True, help="the tcc-ml executable")
    ap.add_argument("--runtime-lib", required=True, help="libtccrt.a")
    ap.add_argument("--work", required=True, help="folder for objects, drivers and inputs")
    ap.add_argument("--shared", default="../shared", help="the shared folder (models/ in it)")
    ap.add_argument("--models", default="squeezenet1_1,mobilenet_v2,resnet18_bn,bert_tiny,"
                    "mnist-pytorch-opset11,mnist-keras-small,mnist-pytorch-extdata",
                    help="comma-separated folder names under SHARED/models")
    ap.add_argument("--extra", action="append", default=[], help="another model folder (repeat)")
    ap.add_argument("--threads", default="1,2", help="thread counts, e.g. 1,2")
    ap.add_argument("--mcpu", default="native", help="tcc-ml --mcpu (empty: the baseline CPU)")
    ap.add_argument("--layouts", default="",
                    help="comma-separated tcc-ml --layout values to compare in one run, e.g.\n"
                    "auto,nchw (rows 'MODEL [auto]', 'MODEL [nchw]'); empty: tcc-ml's default")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iters", type=int, default=50, help="most timed inferences per engine")
    ap.add_argument("--min-iters", type=int, default=5, help="fewest timed inferences per engine")
    ap.add_argument("--budget", type=float, default=3.0,
                    help="seconds of timed inferences per model and thread count (both engines)")
    ap.add_argument("--rounds", type=int, default=5, help="alternations of ours and the peer's")
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--cc", default=os.environ.get("CC") or "cc")
    ap.add_argument("--md", default=None, help="also write the table as markdown here")
    args = ap.parse_args()
    args.threads = [int(t) for t in args.threads.split(",") if t]
    import onnxruntime as ort
    ort.set_default_logger_severity(3)
    folders = [os.path.join(args.shared, "models", m) for m in args.models.split(",") if m]
    folders += args.extra
    rows, notes = [], []
    print("tcc-ml vs onnxruntime %s, %d CPUs, %s" % (ort.__version__, os.cpu_count(),
                                                     time.strftime("%Y-%m-%d %H:%M UTC",
                                                                   time.gmtime())), flush=True)
    layouts = [l for l in args.layouts.split(",") if l] or [None]
    for f in folders:
        for lay in layouts:
            bench_model(args, ort, f, rows, notes, lay)
    head = ("| model | threads | tcc-ml median ms | tcc-ml p90 ms | onnxruntime median ms | "
            "onnxruntime p90 ms | ratio | tcc-ml CPU ms | onnxruntime CPU ms | CPU ratio | n | "
            "output | compile s | object |")
    lines = [head, "|" + " --- |" * 14]
    for r in rows:
        lines.append("| %s | %d | %.3f | %.3f | %.3f | %.3f | %.2f | %.3f | %.3f | %.2f | %d | %s "
                     "| %.1f | %s |" % (
                         r["model"], r["threads"], r["tcc_med"], r["tcc_p90"], r["ort_med"],
                         r["ort_p90"], r["ratio"], r["tcc_cpu"], r["ort_cpu"], r["cpu_ratio"],
                         r["n"], r["check"], r["compile_s"], fmt_bytes(r["obj"])))
    print()
    print("\n".join(lines))
    print("\nratio = tcc-ml median wall time / onnxruntime median wall time (above 1: tcc-ml is "
          "slower);\nCPU = median process CPU time per inference (all threads; robust to the "
          "machine's load)\noutput: ok = within rtol/atol of output_K.pb; near = outside, but "
          "so is onnxruntime's and tcc-ml's error is at most 2x its")
    for n in notes:
        print("- " + n)
    if args.md:
        with open(args.md, "w") as f:
            f.write("\n".join(lines) + "\n\n" + "\n".join("- " + n for n in notes) + "\n")
    return 0 if all(r["check"] in ("ok", "near") for r in rows) and rows else 1


if __name__ == "__main__":
    sys.exit(main())
