#!/usr/bin/env python3
"""reference_f64.py — how far is a model's expected output from an exact evaluation of its ONNX
graph? Evaluates the graph in float64 (every float32 initializer, Constant and tensor type made
float64; onnx.reference, the ONNX project's own evaluator, independent of tcc-ml and of ONNX
Runtime) and reports, against that, the max |x - f64| of: the folder's expected output (the
framework's reference), ONNX Runtime in float32 (graph optimizations off) and tcc-ml (the
object `tcc-ml run` executes), overall and at the elements where each misses the README's
tolerance |x - ref| <= atol + rtol*|ref| against the expected output.

Usage (a venv with onnx, onnxruntime and numpy from PyPI; not a compiler dependency, not a ctest):
  python3 -m venv build-x/venv && build-x/venv/bin/pip install onnx onnxruntime numpy
  build-x/venv/bin/python tests/models/reference_f64.py --tcc build-x/tools/tcc-ml \\
      ../shared/models/mobilenet_v2 [--rtol 1e-3 --atol 1e-5]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper as nh
from onnx import TensorProto


def to_f64(model):
    """A copy of `model` computing in float64: float initializers, Constant values, Cast-to-float
    targets and every declared float tensor type become double."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph

    def conv_tensor(t):
        if t.data_type == TensorProto.FLOAT:
            a = nh.to_array(t).astype(np.float64)
            t.CopyFrom(nh.from_array(a, t.name))

    for t in g.initializer:
        conv_tensor(t)
    for n in g.node:
        for a in n.attribute:
            if a.type == onnx.AttributeProto.TENSOR:
                conv_tensor(a.t)
            if n.op_type == "Cast" and a.name == "to" and a.i == TensorProto.FLOAT:
                a.i = TensorProto.DOUBLE
        if n.op_type in ("Loop", "If", "Scan"):
            raise SystemExit("reference_f64: subgraphs are not converted")
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        tt = vi.type.tensor_type
        if tt.elem_type == TensorProto.FLOAT:
            tt.elem_type = TensorProto.DOUBLE
    return m


def round_each_tensor_to_f32(m64):
    """The float64 model with every node's float output rounded to float32 and back: each kernel
    exact, only the tensors between kernels stored in float32 — the best any float32 runtime can
    do, as far as storage goes."""
    m = onnx.ModelProto()
    m.CopyFrom(m64)
    g = m.graph
    nodes = []
    for n in g.node:
        nodes.append(n)
        if n.op_type == "Constant":
            continue
        for i, y in enumerate(list(n.output)):
            n.output[i] = y + "__exact"
            nodes.append(onnx.helper.make_node("Cast", [y + "__exact"], [y + "__f32"],
                                               to=TensorProto.FLOAT))
            nodes.append(onnx.helper.make_node("Cast", [y + "__f32"], [y], to=TensorProto.DOUBLE))
    del g.node[:]
    g.node.extend(nodes)
    del g.value_info[:]
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", help="model folder: *.onnx and test_data_set_0/")
    ap.add_argument("--tcc", help="tcc-ml executable (omit to skip tcc-ml)")
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--write-f64", metavar="PB",
                    help="also write output 0 of the float64 evaluation, rounded to the output's "
                         "dtype, as an onnx.TensorProto file (the expected output of a ctest)")
    args = ap.parse_args()
    d = args.folder
    path = os.path.join(d, "model.onnx")
    if not os.path.exists(path):
        path = os.path.join(d, sorted(f for f in os.listdir(d) if f.endswith(".onnx"))[0])
    model = onnx.load(path)
    ds = os.path.join(d, "test_data_set_0")
    ins = []
    k = 0
    while os.path.exists(os.path.join(ds, f"input_{k}.pb")):
        ins.append(nh.to_array(onnx.load_tensor(os.path.join(ds, f"input_{k}.pb"))))
        k += 1
    ref = nh.to_array(onnx.load_tensor(os.path.join(ds, "output_0.pb"))).astype(np.float64)
    names = [i.name for i in model.graph.input
             if i.name not in {t.name for t in model.graph.initializer}]

    from onnx.reference import ReferenceEvaluator
    t0 = time.time()
    ev = ReferenceEvaluator(to_f64(model))
    feeds = {n: (a.astype(np.float64) if a.dtype == np.float32 else a) for n, a in zip(names, ins)}
    f64 = np.asarray(ev.run(None, feeds)[0], dtype=np.float64)
    print(f"float64 evaluation (onnx.reference): {time.time() - t0:.1f} s, output {f64.shape}")
    if args.write_f64:
        out_name = model.graph.output[0].name
        dt = onnx.helper.tensor_dtype_to_np_dtype(model.graph.output[0].type.tensor_type.elem_type)
        with open(args.write_f64, "wb") as f:
            f.write(nh.from_array(f64.astype(dt), out_name).SerializeToString())
        print(f"wrote {args.write_f64}")

    t0 = time.time()
    f64s = ReferenceEvaluator(round_each_tensor_to_f32(to_f64(model))).run(None, feeds)[0]
    print(f"float64 kernels, float32 tensors: {time.time() - t0:.1f} s")

    results = {"reference (expected output)": ref, "f64 kernels, f32 tensors between": f64s}
    short = {"reference (expected output)": "ref", "f64 kernels, f32 tensors between": "f32tensors",
             "onnxruntime fp32, no graph opt": "ort", "tcc-ml": "tcc"}
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    results_ort = "onnxruntime fp32, no graph opt"
    results[results_ort] = sess.run(None, dict(zip(names, ins)))[0]
    if args.tcc:
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [args.tcc, "run", path, "--output-dir", tmp]
            for n in range(len(ins)):
                cmd += ["--input", os.path.join(ds, f"input_{n}.pb")]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            out = nh.to_array(onnx.load_tensor(os.path.join(tmp, "output_0.pb")))
        results["tcc-ml"] = out

    def misses(x, expected=ref):
        x = np.asarray(x, dtype=np.float64).reshape(expected.shape)
        return np.flatnonzero(np.abs(x - expected) > args.atol + args.rtol * np.abs(expected))

    fail = sorted(set().union(*[set(misses(x).tolist()) for x in results.values()]))
    print(f"max |f64| = {np.abs(f64).max():.4g}; tolerance vs expected: rtol {args.rtol}, "
          f"atol {args.atol}")
    for label, x in results.items():
        x = np.asarray(x, dtype=np.float64).reshape(f64.shape)
        dev = np.abs(x - f64).ravel()
        print(f"{label:34s} max |x - f64| = {dev.max():.3g} (mean {dev.mean():.3g}); misses vs "
              f"expected: {len(misses(x)) if label[0] != 'r' else '-'}, vs f64: "
              f"{len(misses(x, f64))}")
    print(f"{'float64 evaluation itself':34s} misses vs expected: {len(misses(f64))}")
    if args.tcc:
        x, y = (np.asarray(results[k], dtype=np.float64).ravel() for k in ("tcc-ml", results_ort))
        print(f"tcc-ml vs onnxruntime: max |diff| = {np.abs(x - y).max():.3g}; misses with "
              f"onnxruntime as the expected output: "
              f"{np.count_nonzero(np.abs(x - y) > args.atol + args.rtol * np.abs(y))}")
    if fail:
        print("elements where something misses the tolerance against the expected output:")
        hdr = "".join(f" | {short[lab]:>12s}-f64" for lab in results)
        print(f"  {'index':>6s} {'f64':>12s}{hdr}")
        flat = {lab: np.asarray(x, dtype=np.float64).ravel() for lab, x in results.items()}
        for i in fail:
            row = "".join(f" | {flat[lab][i] - f64.ravel()[i]:16.3e}" for lab in results)
            print(f"  {i:6d} {f64.ravel()[i]:12.6f}{row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
