#!/bin/sh
# Builds test_runtime.c and test_fp16.c with the runtime's sources for aarch64-linux-gnu and arm-linux-gnueabihf
# with the cross gccs and runs it under qemu-user. Skips (exit 77) when no cross toolchain is
# installed. Usage: cross_runtime.sh SOURCE_DIR WORK_DIR
src="$1"; work="$2"
mkdir -p "$work" || exit 1
ran=0
for t in aarch64-linux-gnu arm-linux-gnueabihf; do
  case $t in aarch64*) q=qemu-aarch64 ;; *) q=qemu-arm ;; esac
  if ! command -v "$t-gcc" >/dev/null 2>&1 || ! command -v $q >/dev/null 2>&1; then
    echo "SKIP $t: $t-gcc or $q not installed"
    continue
  fi
  "$t-gcc" -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -Werror -D_GNU_SOURCE \
    -I"$src/runtime/include" -I"$src/tests" -I"$src/ir" \
    "$src/tests/runtime/test_runtime.c" "$src/tests/testutil.c" "$src"/runtime/src/*.c \
    -lpthread -lm -o "$work/test_runtime.$t" || { echo "FAIL $t: build"; exit 1; }
  TCCRT_NUM_THREADS=3 $q -L /usr/$t "$work/test_runtime.$t" || { echo "FAIL $t: run"; exit 1; }
  # float64 -> float16 (on arm, through the __aeabi_d2h helper libtccrt provides)
  fp16=""
  case $t in arm-*) fp16=-mfp16-format=ieee ;; esac
  "$t-gcc" -std=gnu11 -O2 -Wall -Wextra -Werror $fp16 -I"$src/runtime/include" -I"$src/tests" \
    -I"$src/ir" "$src/tests/runtime/test_fp16.c" "$src/tests/testutil.c" "$src"/runtime/src/*.c \
    -lpthread -lm -o "$work/test_fp16.$t" || { echo "FAIL $t: build test_fp16"; exit 1; }
  $q -L /usr/$t "$work/test_fp16.$t" || { echo "FAIL $t: run test_fp16"; exit 1; }
  ran=$((ran + 1))
done
[ $ran -gt 0 ] || exit 77
echo "PASS ($ran targets)"
