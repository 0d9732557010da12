#!/bin/sh
# run_cli.sh TCC_ML — `tcc-ml run` on the MNIST model: .pb input, outputs written as .npy and .pb;
# the .npy matches the expected output_0.pb (its float payload, the last 320 bytes, read by
# numpy); the same input given as .npy (written by numpy) gives the same outputs; an out-of-range
# Gather index at run time is one error line naming the node, a negative one is valid.
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
# An index out of range at run time (Gather on 5 rows, index 7) fails the run with the node's
# message; index -5 (the first row) is valid.
g=$shared/onnx-node-tests/test_gather_0
"$py" - "$tmp" <<'PY'
import sys, numpy as np
np.save(sys.argv[1] + "/bad.npy", np.array([0, 7, 1], dtype=np.int64))
np.save(sys.argv[1] + "/neg.npy", np.array([-5, 4, 1], dtype=np.int64))
PY
if "$tccml" run "$g/model.onnx" --input "data=$g/test_data_set_0/input_0.pb" \
  --input "indices=$tmp/bad.npy" --output-dir "$tmp/c" > /dev/null 2> "$tmp/gerr.txt"; then
  echo "FAIL: an out-of-range Gather index ran"; exit 1
fi
[ "$(wc -l < "$tmp/gerr.txt")" -eq 1 ] || { cat "$tmp/gerr.txt"; echo "FAIL: not one line"; exit 1; }
grep -q "^tcc-ml: error: .*node 'y' (Gather): index 7 is out of range \[-5, 4\]" "$tmp/gerr.txt" ||
  { cat "$tmp/gerr.txt"; echo "FAIL: message"; exit 1; }
"$tccml" run "$g/model.onnx" --input "data=$g/test_data_set_0/input_0.pb" \
  --input "indices=$tmp/neg.npy" --output-dir "$tmp/d" > /dev/null
"$py" - "$g" "$tmp" <<'PY'
import sys, numpy as np
g, tmp = sys.argv[1], sys.argv[2]
data = np.frombuffer(open(g + "/test_data_set_0/input_0.pb", "rb").read()[-120 * 4:], "<f4")
data = data.reshape(5, 4, 3, 2)
got = np.load(tmp + "/d/y.npy")
assert np.array_equal(got, data[[-5, 4, 1]]), "Gather with index -5"
PY
echo "PASS: tcc-ml run with .pb and .npy inputs, .npy/.pb outputs match the expected output"
