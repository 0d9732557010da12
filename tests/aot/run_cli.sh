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
# Without NAME=, a .pb's stored name picks the input (data, indices given in reverse order).
"$tccml" run "$g/model.onnx" --input "$g/test_data_set_0/input_1.pb" \
  --input "$g/test_data_set_0/input_0.pb" --output-dir "$tmp/e" > /dev/null
"$tccml" run "$g/model.onnx" --input "data=$g/test_data_set_0/input_0.pb" \
  --input "indices=$g/test_data_set_0/input_1.pb" --output-dir "$tmp/f" > /dev/null
cmp "$tmp/e/y.npy" "$tmp/f/y.npy"
# A wrong input name: the message lists the model's inputs.
if "$tccml" run "$g/model.onnx" --input "nosuch=$tmp/neg.npy" 2> "$tmp/nerr.txt"; then exit 1; fi
grep -q "the model has no input 'nosuch' (it has 2 inputs: 'data', 'indices')" "$tmp/nerr.txt" ||
  { cat "$tmp/nerr.txt"; echo "FAIL: input names not listed"; exit 1; }
# An absent optional output and an empty sequence output are reported, not left out
# (onnx.OptionalProto with a name only; onnx.SequenceProto name 'x', elem_type 1, no tensor).
printf '\012\006opt_in' > "$tmp/opt_none.pb"
printf '\012\001x\020\001' > "$tmp/seq_empty.pb"
"$tccml" run "$shared/onnx-node-tests/test_identity_opt/model.onnx" --input "$tmp/opt_none.pb" \
  > "$tmp/opt.txt"
grep -q "^output 'opt_out': absent optional" "$tmp/opt.txt" || { cat "$tmp/opt.txt"; exit 1; }
"$tccml" run "$shared/onnx-node-tests/test_identity_sequence/model.onnx" \
  --input "$tmp/seq_empty.pb" > "$tmp/seq.txt"
grep -q "^output 'y': empty sequence" "$tmp/seq.txt" || { cat "$tmp/seq.txt"; exit 1; }
# test --aot with a quote in TMPDIR and a space in TCCRT_LIB's path: every path reaches the C
# compiler and the program intact (--mem 0: no address-space limit, which a sanitizer build needs).
# (Linking with the plain C compiler: skipped for a sanitizer build's runtime.)
lib=$(dirname "$tccml")/../runtime/libtccrt.a
link_ok=0
if [ -f "$lib" ] && command -v "${CC:-cc}" > /dev/null && ! nm "$lib" 2> /dev/null |
  grep -q __asan_init; then
  link_ok=1
fi
if [ "$link_ok" = 1 ]; then
  mkdir -p "$tmp/t'q" "$tmp/lib dir"
  cp "$lib" "$tmp/lib dir/"
  TMPDIR="$tmp/t'q" TCCRT_LIB="$tmp/lib dir/libtccrt.a" "$tccml" test --aot --mem 0 "$g" \
    > "$tmp/aot.txt" ||
    { cat "$tmp/aot.txt"; echo "FAIL: test --aot with a quote and a space in its paths"; exit 1; }
  grep -q "^PASS test_gather_0" "$tmp/aot.txt"
fi
# The generated entry points refuse NULL: NAME_run's arrays and their pointers, NAME_run_dltensor's
# arrays, DLTensors and a non-empty DLTensor's data (TCCRT_ERR_INVALID_ARGUMENT, no crash).
src=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$link_ok" = 1 ]; then
  "$tccml" compile "$g/model.onnx" -o "$tmp/g.o" --name g
  cat > "$tmp/nulls.c" <<'EOC'
#include "g.h"
#include <stdint.h>
#include <stdio.h>
typedef struct { int device_type, device_id; } Dev;
typedef struct { uint8_t code, bits; uint16_t lanes; } DT;
typedef struct { void *data; Dev device; int32_t ndim; DT dtype; int64_t *shape, *strides;
  uint64_t byte_offset; } DLT; /* DLPack's DLTensor */
static int fails;
static void expect(int got, int want, const char *what) {
  if (got != want) { printf("FAIL: %s: %d (want %d) %s\n", what, got, want, tccrt_last_error());
    fails++; }
}
int main(void) {
  static float x[120], y[72];
  int64_t idx[3] = {0, 1, 2}, xs[4] = {5, 4, 3, 2}, is[1] = {3}, ys[4] = {3, 4, 3, 2};
  DLT X = {x, {1, 0}, 4, {2, 32, 1}, xs, NULL, 0}, I = {idx, {1, 0}, 1, {0, 64, 1}, is, NULL, 0};
  DLT Y = {y, {1, 0}, 4, {2, 32, 1}, ys, NULL, 0};
  const void *in[] = {&X, &I}, *in_null[] = {NULL, &I};
  void *out[] = {&Y};
  const int bad = TCCRT_ERR_INVALID_ARGUMENT;
  expect(g_run_dltensor(in, out), 0, "valid DLTensors");
  X.data = NULL;
  expect(g_run_dltensor(in, out), bad, "DLTensor data NULL");
  X.data = x;
  expect(g_run_dltensor(in_null, out), bad, "NULL DLTensor");
  expect(g_run_dltensor(NULL, out), bad, "NULL DLTensor inputs array");
  expect(g_run_dltensor(in, NULL), bad, "NULL DLTensor outputs array");
  const void *r_in[] = {x, idx}, *r_in_null[] = {x, NULL};
  void *r_out[] = {y}, *r_out_null[] = {NULL};
  expect(g_run(r_in, r_out), 0, "valid run");
  expect(g_run(r_in_null, r_out), bad, "NULL input pointer");
  expect(g_run(r_in, r_out_null), bad, "NULL output pointer");
  expect(g_run(NULL, r_out), bad, "NULL inputs array");
  expect(g_run(r_in, NULL), bad, "NULL outputs array");
  return fails != 0;
}
EOC
  "${CC:-cc}" -I"$tmp" -I"$src/runtime/include" "$tmp/nulls.c" "$tmp/g.o" "$lib" -lm -lpthread \
    -o "$tmp/nulls"
  "$tmp/nulls" || { echo "FAIL: NULL pointers given to g_run / g_run_dltensor"; exit 1; }
fi
echo "PASS: tcc-ml run with .pb and .npy inputs, .npy/.pb outputs match the expected output"
