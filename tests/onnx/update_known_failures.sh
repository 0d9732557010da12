#!/bin/sh
# update_known_failures.sh TCC_ML [SHARED_DIR] — runs the ONNX node conformance suite (the same
# selection as the ctest shards) and rewrites known_failures.txt beside this script: one line per
# test that does not pass, with its verdict and reason. Run it after making tests pass (the
# conformance ctest fails when a listed test passes) and review the diff.
set -eu
tccml=$1
shared=${2:-${TCC_SHARED_DIR:-$(dirname "$0")/../../../shared}}
out=$(dirname "$0")/known_failures.txt
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$tccml" test --timeout 120 --exclude training --exclude ai_onnx_ml --exclude adagrad \
  --exclude adam --exclude momentum "$shared/onnx-node-tests" > "$log" || true
{
  echo "# ONNX node tests that tcc-ml does not pass yet (tests/onnx), with the verdict and reason."
  echo "# Regenerate with tests/onnx/update_known_failures.sh build/tools/tcc-ml after changes."
  echo "# $(tail -1 "$log")"
  grep -E '^(FAIL|SKIP) ' "$log" | sed -E 's|/[^ ]*/onnx-node-tests/[^ ]*/model.onnx: ||' |
    awk '{ v = $1; n = $2; sub(/:$/, "", n); $1 = ""; $2 = ""; r = substr($0, 3);
           if (length(r) > 160) r = substr(r, 1, 157) "...";
           printf "%s  # %s %s\n", n, v, r }'
} > "$out"
tail -1 "$log"
