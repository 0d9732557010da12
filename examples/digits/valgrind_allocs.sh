#!/bin/sh
# valgrind_allocs.sh VALGRIND PROGRAM IMAGES LABELS — runs the digits example for 1 and for 50
# inferences under valgrind (memcheck) and checks that both make the same number of heap
# allocations (nothing is allocated per inference) and lose 0 bytes.
set -eu
vg=$1; prog=$2; images=$3; labels=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in 1 50; do
  TCCRT_NUM_THREADS=1 "$vg" --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 \
    "$prog" "$images" "$labels" --limit $n > "$tmp/out$n.txt" 2> "$tmp/vg$n.txt" || {
      echo "valgrind run with $n inferences failed:"; cat "$tmp/vg$n.txt"; exit 1; }
done
allocs() { sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' "$1" | tr -d ,; }
a1=$(allocs "$tmp/vg1.txt"); a50=$(allocs "$tmp/vg50.txt")
echo "heap allocations: $a1 for 1 inference, $a50 for 50"
if [ -z "$a1" ] || [ "$a1" != "$a50" ]; then
  echo "FAIL: the number of heap allocations depends on the number of inferences"; exit 1
fi
for n in 1 50; do
  if ! grep -q -E "definitely lost: 0 bytes|All heap blocks were freed|no leaks are possible" "$tmp/vg$n.txt"; then
    if grep -q "definitely lost" "$tmp/vg$n.txt"; then
      echo "FAIL: memory lost with $n inferences:"; grep -E "lost" "$tmp/vg$n.txt"; exit 1
    fi
  fi
done
echo "PASS: same allocations for 1 and 50 inferences, 0 bytes lost"
