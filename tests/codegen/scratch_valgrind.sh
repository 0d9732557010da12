#!/bin/sh
# scratch_valgrind.sh VALGRIND TEST_PROGRAM TCCRT_LIB SRC_DIR — compiles the kernels of
# test_llvm_scratch.c (scratch inside parallel loops: small constant, large constant, symbolic
# size) to an object, links them with scratch_driver.c and libtccrt, and runs 1 and 20 calls under
# valgrind (memcheck): both must make the same number of heap allocations (nothing is allocated
# per call after the first) and lose 0 bytes. Exit 77 (skip) without valgrind or a C compiler.
set -eu
vg=$1; prog=$2; rtlib=$3; src=$4
command -v "$vg" > /dev/null 2>&1 || { echo "SKIP: valgrind not found"; exit 77; }
command -v cc > /dev/null 2>&1 || { echo "SKIP: no C compiler 'cc'"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$prog" --emit-object "$tmp/k.o"
cc -O1 -o "$tmp/driver" "$src/tests/codegen/scratch_driver.c" "$tmp/k.o" \
  -I"$src/runtime/include" "$rtlib" -lpthread -lm
for n in 1 20; do
  for t in 1 2; do
    TCCRT_NUM_THREADS=$t "$vg" --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 \
      "$tmp/driver" $n > "$tmp/out$n.$t.txt" 2> "$tmp/vg$n.$t.txt" || {
        echo "valgrind run with $n calls on $t threads failed:"; cat "$tmp/out$n.$t.txt" "$tmp/vg$n.$t.txt"; exit 1; }
    cat "$tmp/out$n.$t.txt"
    grep -q "definitely lost: [1-9]" "$tmp/vg$n.$t.txt" && {
      echo "FAIL: memory lost with $n calls on $t threads"; grep lost "$tmp/vg$n.$t.txt"; exit 1; }
  done
done
allocs() { sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' "$1" | tr -d ,; }
a1=$(allocs "$tmp/vg1.1.txt"); a20=$(allocs "$tmp/vg20.1.txt")
echo "1 thread: heap allocations: $a1 for 1 call, $a20 for 20"
if [ -z "$a1" ] || [ "$a1" != "$a20" ]; then
  echo "FAIL: the number of heap allocations depends on the number of calls"; exit 1
fi
# With 2 threads the pool's second thread grows its own scratch once, whenever it first runs a
# chunk: at most 2 more allocations than 1 thread (one block per thread), whatever the calls.
b1=$(allocs "$tmp/vg1.2.txt"); b20=$(allocs "$tmp/vg20.2.txt")
echo "2 threads: heap allocations: $b1 for 1 call, $b20 for 20"
if [ -z "$b20" ] || [ "$b20" -gt $((b1 + 2)) ]; then
  echo "FAIL: with 2 threads, 20 calls allocate more than one scratch block per thread"; exit 1
fi
echo "PASS: same allocations for 1 and 20 calls, 0 bytes lost"
