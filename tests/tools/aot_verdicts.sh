#!/bin/sh
# aot_verdicts.sh TCC_ML — `tcc-ml test --aot` (objects built per test, linked in batches with
# libtccrt and one driver, each data set run as a process of its own) gives the same verdict lines
# as the JIT mode:
#  1. on the ONNX node tests of aot_sample.txt (passing ones of many ops and dtypes, ones whose
#     shape inputs are bound per data set, multi-output ones, and known failures that SKIP at
#     import, at compile and at reading a data set);
#  2. on suites made here from mnist-pytorch-opset11 (dynamic batch): several data sets of
#     different batch sizes (one object per shape signature; expected outputs are rows of the
#     PyTorch reference), a wrong expected value in the second data set, no data set;
#  3. --aot alone: a crash of one test's program and a link failure of one test's object are FAILs
#     of that test only (the batch falls back to linking objects one by one); 70 tests make two
#     linked programs (at most 64 objects each).
# Needs TCC_SHARED_DIR, TCCRT_LIB and a python3 with numpy and onnx (part 2 and 3).
set -eu
tccml=$1
shared=${TCC_SHARED_DIR:-$(dirname "$0")/../../../shared}
nt=$shared/onnx-node-tests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR="$tmp" # --aot's work folders (kept ones too) go away with it
export TCCRT_NUM_THREADS=1

# Symbol names differ by design (the JIT's model is 'model', --aot's are t<index>_<k>), and so may
# the last digits of a wrong value (the JIT compiles for the host CPU, --aot for the baseline).
norm() { sed -E "s/'t[0-9]+_[0-9]+_/'model_/g; s/(, got )[-+0-9.eEinfa]+/\1X/" "$1"; }

# 1. The node-test sample.
sample=$(grep -v "^#" "$(dirname "$0")/aot_sample.txt")
paths=""
for t in $sample; do paths="$paths $nt/$t"; done
# shellcheck disable=SC2086
"$tccml" test $paths > "$tmp/jit.txt" || true
# shellcheck disable=SC2086
"$tccml" test --aot $paths > "$tmp/aot.txt" || true
cat "$tmp/aot.txt"
norm "$tmp/aot.txt" > "$tmp/aot.norm"
norm "$tmp/jit.txt" > "$tmp/jit.norm"
if ! diff "$tmp/jit.norm" "$tmp/aot.norm"; then
  echo "FAIL: --aot verdicts differ from the JIT's on the node-test sample (< JIT, > --aot)"
  exit 1
fi
[ "$(grep -c '^PASS ' "$tmp/aot.txt")" -ge 30 ] || { echo "FAIL: too few passes"; exit 1; }
[ "$(grep -c '^SKIP ' "$tmp/aot.txt")" -ge 10 ] || { echo "FAIL: too few skips"; exit 1; }
nsample=$(grep -vc "^#" "$(dirname "$0")/aot_sample.txt")
[ "$(wc -l < "$tmp/aot.txt")" -eq $((nsample + 1)) ] ||
  { echo "FAIL: expected $nsample verdicts and the counts"; exit 1; }

# 2. Suites with several data sets.
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
m=$shared/models/mnist-pytorch-opset11
s=$tmp/suite
"$py" - "$m" "$s" <<'PY'
import os, sys
import numpy as np
import onnx
from onnx import numpy_helper as nh
m, s = sys.argv[1], sys.argv[2]
x = nh.to_array(onnx.load_tensor(f"{m}/test_data_set_0/input_0.pb"))
y = nh.to_array(onnx.load_tensor(f"{m}/test_data_set_0/output_0.pb"))
def make(test, sets):
    os.makedirs(f"{s}/{test}")
    os.symlink(f"{m}/model.onnx", f"{s}/{test}/model.onnx")
    for k, (xi, yi) in enumerate(sets):
        os.makedirs(f"{s}/{test}/test_data_set_{k}")
        with open(f"{s}/{test}/test_data_set_{k}/input_0.pb", "wb") as f:
            f.write(nh.from_array(np.ascontiguousarray(xi), "input").SerializeToString())
        with open(f"{s}/{test}/test_data_set_{k}/output_0.pb", "wb") as f:
            f.write(nh.from_array(np.ascontiguousarray(yi), "output").SerializeToString())
# Batch 8, 3, 3 (same shape: same object), 5: three objects. Rows of PyTorch's outputs.
make("t_multi", [(x, y), (x[:3], y[:3]), (x[3:6], y[3:6]), (x[3:], y[3:])])
bad = y[:2].copy()
bad[1, 4] = 1000.0
make("t_wrong_second", [(x, y), (x[:2], bad)])
make("t_pass", [(x[:1], y[:1])])
make("t_crash", [(x[:1], y[:1])])
make("t_linkfail", [(x[:1], y[:1])])
os.makedirs(f"{s}/t_nodata")
os.symlink(f"{m}/model.onnx", f"{s}/t_nodata/model.onnx")
PY
"$tccml" test --exclude t_crash --exclude t_linkfail "$s" > "$tmp/jit2.txt" || true
"$tccml" test --aot --keep --exclude t_crash --exclude t_linkfail "$s" > "$tmp/aot2.txt" \
  2> "$tmp/aot2.err" || true
cat "$tmp/aot2.txt" "$tmp/aot2.err"
norm "$tmp/jit2.txt" > "$tmp/jit2.norm"
norm "$tmp/aot2.txt" > "$tmp/aot2.norm"
if ! diff "$tmp/jit2.norm" "$tmp/aot2.norm"; then
  echo "FAIL: --aot verdicts differ from the JIT's on the data-set suite (< JIT, > --aot)"
  exit 1
fi
grep -q "^PASS t_multi$" "$tmp/aot2.txt"
grep -q "^PASS t_pass$" "$tmp/aot2.txt"
grep -q "^FAIL t_wrong_second: data set 1 output 0 'output': index 14: expected 1000, got " \
  "$tmp/aot2.txt"
grep -q "^SKIP t_nodata: no test_data_set_N folder$" "$tmp/aot2.txt"
[ "$(tail -1 "$tmp/aot2.txt")" = "2 passed, 1 failed, 1 skipped" ]
# One object per input-shape signature, all linked into the batch's one program.
work=$(sed -n 's/^tcc-ml: test --aot: build folders kept in //p' "$tmp/aot2.err")
[ -d "$work" ] || { echo "FAIL: no kept work folder"; exit 1; }
[ "$(ls "$work"/*_t_multi/*.o | wc -l)" -eq 3 ] || { echo "FAIL: t_multi: expected 3 objects"; exit 1; }
[ -x "$work/batch0/driver" ] || { echo "FAIL: no batch program"; exit 1; }
[ "$(grep -c '^extern int t[0-9]*_[0-9]*_run' "$work/batch0/driver.c")" -eq 6 ] ||
  { echo "FAIL: the batch driver should list 6 models (3 + 2 + 1)"; exit 1; }
rm -rf "$work"

# 3. A crash and a link failure stay with their test.
cat > "$tmp/exec.sh" <<'SH'
#!/bin/sh
case "$*" in *_t_crash/*) kill -SEGV $$ ;; esac
exec "$@"
SH
cat > "$tmp/cc.sh" <<SH
#!/bin/sh
case "\$*" in *_t_linkfail/*) echo "cc.sh: refusing t_linkfail" >&2; exit 1 ;; esac
exec ${CC:-cc} "\$@"
SH
chmod +x "$tmp/exec.sh" "$tmp/cc.sh"
set +e
"$tccml" test --aot --exec "$tmp/exec.sh" --cc "$tmp/cc.sh" "$s" > "$tmp/aot3.txt"
rc=$?
set -e
cat "$tmp/aot3.txt"
[ $rc -ne 0 ] || { echo "FAIL: exit status 0 with failing tests"; exit 1; }
grep -q "^FAIL t_crash: the linked program failed (status " "$tmp/aot3.txt"
grep -q "^FAIL t_linkfail: linking with $tmp/cc.sh failed (see .*_t_linkfail/cc.log)$" \
  "$tmp/aot3.txt"
grep -q "^PASS t_multi$" "$tmp/aot3.txt"
grep -q "^PASS t_pass$" "$tmp/aot3.txt"
[ "$(tail -1 "$tmp/aot3.txt")" = "2 passed, 3 failed, 1 skipped" ]

# 70 tests: two linked programs (64 + 6 objects), all pass.
paths=""
i=0
while [ $i -lt 70 ]; do paths="$paths $nt/test_abs"; i=$((i + 1)); done
# shellcheck disable=SC2086
"$tccml" test --aot --keep $paths > "$tmp/aot4.txt" 2> "$tmp/aot4.err"
work=$(sed -n 's/^tcc-ml: test --aot: build folders kept in //p' "$tmp/aot4.err")
[ "$(tail -1 "$tmp/aot4.txt")" = "70 passed, 0 failed, 0 skipped" ]
[ "$(grep -c '^extern int' "$work/batch0/driver.c")" -eq 64 ] || { echo "FAIL: batch0"; exit 1; }
[ "$(grep -c '^extern int' "$work/batch1/driver.c")" -eq 6 ] || { echo "FAIL: batch1"; exit 1; }
rm -rf "$work"
echo "PASS: --aot verdicts equal the JIT's; crashes and link failures stay with their test"
