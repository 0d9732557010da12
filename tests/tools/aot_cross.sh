#!/bin/sh
# aot_cross.sh TCC_ML TRIPLE CC QEMU RUNTIME_ARGS — `tcc-ml test --aot --target TRIPLE` on the node
# tests of aot_sample.txt: objects for TRIPLE linked in one batch by the target's CC with the
# runtime's sources (RUNTIME_ARGS), each data set run under qemu-user, gives the host JIT's verdict
# lines (the symbol names aside).
set -eu
tccml=$1 triple=$2 cc=$3 qemu=$4 runtime=$5
shared=${TCC_SHARED_DIR:-$(dirname "$0")/../../../shared}
nt=$shared/onnx-node-tests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR="$tmp"
export TCCRT_NUM_THREADS=1
paths=""
for t in $(grep -v "^#" "$(dirname "$0")/aot_sample.txt"); do paths="$paths $nt/$t"; done
# shellcheck disable=SC2086
"$tccml" test $paths > "$tmp/jit.txt" || true
# shellcheck disable=SC2086
"$tccml" test --aot --target "$triple" --cc "$cc" --runtime "$runtime" \
  --exec "$qemu -L /usr/$triple" $paths > "$tmp/cross.txt" || true
cat "$tmp/cross.txt"
# Symbol names differ by design, and so may the digits of a wrong value.
norm() { sed -E "s/'t[0-9]+_[0-9]+_/'model_/g; s/(, got )[-+0-9.eEinfa]+/\1X/" "$1"; }
norm "$tmp/cross.txt" > "$tmp/cross.norm"
norm "$tmp/jit.txt" > "$tmp/jit.norm"
if ! diff "$tmp/jit.norm" "$tmp/cross.norm"; then
  echo "FAIL: --aot --target $triple verdicts differ from the host JIT's (< JIT, > $triple)"
  exit 1
fi
[ "$(grep -c '^PASS ' "$tmp/cross.txt")" -ge 30 ] || { echo "FAIL: too few passes"; exit 1; }
echo "PASS: --aot --target $triple gives the JIT's verdicts"
