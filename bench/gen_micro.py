#!/usr/bin/python3
"""gen_micro.py — single-kernel ONNX models that isolate what makes tcc-ml's convolutions and
matrix products slow (see bench/README.md, "Where the time goes"), in the backend-test layout:
  OUT/<name>/model.onnx, OUT/<name>/test_data_set_0/{input_0.pb,output_0.pb}
The expected outputs are computed here with numpy in float64 (an independent reference).
Needs numpy and onnx (Debian: python3-numpy python3-onnx). Usage: gen_micro.py OUT

Pairs that differ in one thing only (FLOPs per output stay the same):
  conv1x1_96to576_w14 / _w16      1x1 conv + Relu on 14x14 vs 16x16: a vector tail (14 = 8 + 6)
  conv3x3_128_w14p1 / _w16p1      3x3 conv, pad 1, + Relu on 14x14 vs 16x16: the tail again
  conv3x3_128_w16p1 / _w16p0      pad 1 on 16x16 vs no padding (18x18 input): the padding guard
  matmul_64x128x512               MatMul by a constant [128, 512] (bert_tiny's FFN shape)
  matmul_w576x96_x96x196          conv1x1_96to576_w14 as a matrix product: constant [576, 96] times
                                  the input [96, 196] (H and W fused into one axis of 196)"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(folder, model, x, y):
    os.makedirs(os.path.join(folder, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    for name, arr in (("input_0.pb", x), ("output_0.pb", y)):
        with open(os.path.join(folder, "test_data_set_0", name), "wb") as f:
            f.write(numpy_helper.from_array(np.ascontiguousarray(arr)).SerializeToString())


def conv_model(cin, cout, k, h, pad, rng):
    hin = h + 2 - 2 * pad if k == 3 else h  # output h x h
    x = rng.standard_normal((1, cin, hin, hin)).astype(np.float32)
    w = (rng.standard_normal((cout, cin, k, k)) * (2.0 / (cin * k * k)) ** 0.5).astype(np.float32)
    b = rng.uniform(-0.1, 0.1, cout).astype(np.float32)
    node = helper.make_node("Conv", ["x", "w", "b"], ["c"], kernel_shape=[k, k],
                            pads=[pad] * 4, strides=[1, 1])
    relu = helper.make_node("Relu", ["c"], ["y"])
    g = helper.make_graph([node, relu], "conv",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, cout, h, h])],
                          [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    y = np.zeros((1, cout, h, h))
    for dy in range(k):
        for dx in range(k):
            y += np.einsum("oc,nchw->nohw", w[:, :, dy, dx].astype(np.float64),
                           xp[:, :, dy:dy + h, dx:dx + h])
    y = np.maximum(y + b[None, :, None, None], 0.0)
    return m, x, y.astype(np.float32)


def matmul_model(m_, k, n, rng):
    x = rng.standard_normal((1, m_, k)).astype(np.float32)
    w = (rng.standard_normal((k, n)) * k ** -0.5).astype(np.float32)
    node = helper.make_node("MatMul", ["x", "w"], ["y"])
    g = helper.make_graph([node], "matmul",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, m_, k])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, m_, n])],
                          [numpy_helper.from_array(w, "w")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    return m, x, (x.astype(np.float64) @ w.astype(np.float64)).astype(np.float32)


def weight_matmul_model(m_, k, n, rng):
    """y[m_, n] = W[m_, k] @ x[k, n] with a constant W (a 1x1 conv over fused H*W)."""
    x = rng.standard_normal((k, n)).astype(np.float32)
    w = (rng.standard_normal((m_, k)) * k ** -0.5).astype(np.float32)
    node = helper.make_node("MatMul", ["w", "x"], ["y"])
    g = helper.make_graph([node], "wmatmul",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [k, n])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m_, n])],
                          [numpy_helper.from_array(w, "w")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    return m, x, (w.astype(np.float64) @ x.astype(np.float64)).astype(np.float32)


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(0)
    models = {
        "conv1x1_96to576_w14": lambda: conv_model(96, 576, 1, 14, 0, rng),
        "conv1x1_96to576_w16": lambda: conv_model(96, 576, 1, 16, 0, rng),
        "conv3x3_128_w14p1": lambda: conv_model(128, 128, 3, 14, 1, rng),
        "conv3x3_128_w16p1": lambda: conv_model(128, 128, 3, 16, 1, rng),
        "conv3x3_128_w16p0": lambda: conv_model(128, 128, 3, 16, 0, rng),
        "matmul_64x128x512": lambda: matmul_model(64, 128, 512, rng),
        "matmul_w576x96_x96x196": lambda: weight_matmul_model(576, 96, 196, rng),
    }
    for name, make in models.items():
        save(os.path.join(out, name), *make())
        print(name, "ok", flush=True)


if __name__ == "__main__":
    main()
