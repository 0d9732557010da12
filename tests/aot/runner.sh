#!/bin/sh
# runner.sh TCC_ML — the conformance runner's verdicts on folders made here: PASS, FAIL with the
# first mismatching index and both values (an expected output altered by numpy), SKIP (no data
# set), FAIL for a test killed by the time limit; the closing line and the exit status.
set -eu
tccml=$1
shared=${TCC_SHARED_DIR:-$(dirname "$0")/../../../shared}
m=$shared/models/mnist-pytorch-opset11
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=python3; [ -x /usr/bin/python3 ] && py=/usr/bin/python3
mkdir -p "$tmp/suite/t_pass/test_data_set_0" "$tmp/suite/t_wrong/test_data_set_0" "$tmp/suite/t_nodata"
for t in t_pass t_wrong t_nodata; do ln -s "$m/model.onnx" "$tmp/suite/$t/model.onnx"; done
cp "$m/test_data_set_0/input_0.pb" "$m/test_data_set_0/output_0.pb" "$tmp/suite/t_pass/test_data_set_0/"
cp "$m/test_data_set_0/input_0.pb" "$tmp/suite/t_wrong/test_data_set_0/"
"$py" - "$m/test_data_set_0/output_0.pb" "$tmp/suite/t_wrong/test_data_set_0/output_0.pb" <<'PY'
import sys, struct
b = bytearray(open(sys.argv[1], "rb").read())
b[-4:] = struct.pack("<f", 1000.0)  # the last logit (index 79)
open(sys.argv[2], "wb").write(bytes(b))
PY
set +e
"$tccml" test "$tmp/suite" > "$tmp/out.txt"
rc=$?
set -e
cat "$tmp/out.txt"
[ $rc -ne 0 ] || { echo "FAIL: exit status 0 with a failing test"; exit 1; }
grep -q "^PASS t_pass$" "$tmp/out.txt"
grep -q "^FAIL t_wrong: data set 0 output 0 'output': index 79: expected 1000, got " "$tmp/out.txt"
grep -q "^SKIP t_nodata: no test_data_set_N folder$" "$tmp/out.txt"
[ "$(tail -1 "$tmp/out.txt")" = "1 passed, 1 failed, 1 skipped" ]
# The time limit: a test that runs longer is a FAIL, and the runner goes on.
set +e
"$tccml" test --timeout 1 "$shared/models/light_vgg19" "$tmp/suite/t_nodata" > "$tmp/out2.txt"
set -e
cat "$tmp/out2.txt"
grep -q "^FAIL light_vgg19: timed out after 1 s$" "$tmp/out2.txt"
grep -q "^SKIP t_nodata: no test_data_set_N folder$" "$tmp/out2.txt"
# Known failures: a listed failure is expected; the shard passes.
printf 't_wrong  # altered expected output\nt_nodata\n' > "$tmp/known.txt"
"$tccml" test --known-failures "$tmp/known.txt" "$tmp/suite" > "$tmp/out3.txt"
# A listed test that passes is reported and fails the run.
printf 't_pass\nt_wrong\nt_nodata\n' > "$tmp/known2.txt"
if "$tccml" test --known-failures "$tmp/known2.txt" "$tmp/suite" > "$tmp/out4.txt"; then
  echo "FAIL: a listed test that passes did not fail the run"; exit 1
fi
grep -q "^PASS t_pass (listed in the known failures" "$tmp/out4.txt"
echo "PASS: runner verdicts, time limit and known-failures list"
