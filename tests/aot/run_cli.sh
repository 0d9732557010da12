#!/bin/sh
# run_cli.sh TCC_ML — `tcc-ml run` on the MNIST model: .pb input, outputs written as .npy and .pb;
# the .npy matches the expected output_0.pb (its float payload, the last 320 bytes, read by
# numpy); the same input given as .npy (written by numpy) gives the same outputs.
set -eu
tccml=$1
shared=${TCC_SHARED_DIR:-$(dirname "$0")/../../../shared}
m=$shared/models/mnist-pytorch-opset11
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$tccml" run "$m/model.onnx" --input "input=$m/test_data_set_0/input_0.pb" --output-dir "$tmp/a" > "$tmp/a.txt"
grep -q "^output 0 'output': float32 \[8, 10\]" "$tmp/a.txt"
test -s "$tmp/a/output_0.pb"
py=python3; [ -x /usr/bin/python3 ] && py=/usr/bin/python3
"$py" - "$m" "$tmp" <<'PY'
import sys, numpy as np
m, tmp = sys.argv[1], sys.argv[2]
exp = np.frombuffer(open(m + "/test_data_set_0/output_0.pb", "rb").read()[-320:], "<f4").reshape(8, 10)
got = np.load(tmp + "/a/output.npy")
assert got.shape == (8, 10) and got.dtype == np.float32, (got.shape, got.dtype)
assert np.allclose(got, exp, rtol=1e-3, atol=1e-5), np.abs(got - exp).max()
x = np.frombuffer(open(m + "/test_data_set_0/input_0.pb", "rb").read()[-8 * 784 * 4:], "<f4")
np.save(tmp + "/x.npy", x.reshape(8, 1, 28, 28))
PY
"$tccml" run "$m/model.onnx" --input "$tmp/x.npy" --output-dir "$tmp/b" > "$tmp/b.txt"
cmp "$tmp/a/output.npy" "$tmp/b/output.npy"
# Errors are one line.
if "$tccml" run "$m/model.onnx" --input "nosuch=$tmp/x.npy" 2> "$tmp/err.txt"; then exit 1; fi
grep -q "^tcc-ml: error: " "$tmp/err.txt"
echo "PASS: tcc-ml run with .pb and .npy inputs, .npy/.pb outputs match the expected output"
