#!/bin/sh
# two_models.sh TCC_ML TCCRT_LIB SRC_DIR — compiles the digits model twice with different --name
# and an MNIST model, links all three objects into one program with the system C compiler and
# checks that both digits copies give the same logits, and that every object's undefined symbols
# are only tccrt_*, mem* and libm.
set -eu
tccml=$1; lib=$2; src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$tccml" compile "$src/examples/digits/digits.onnx" -o "$tmp/d1.o" --name d1
"$tccml" compile "$src/examples/digits/digits.onnx" -o "$tmp/d2.o" --name d2 -O1
shared=${TCC_SHARED_DIR:-$src/../shared}
"$tccml" compile "$shared/models/mnist-pytorch-opset11/model.onnx" -o "$tmp/mnist.o" --name mnist \
  --input-shape input=1x1x28x28
for o in d1 d2 mnist; do
  bad=$(nm -u "$tmp/$o.o" | awk '{print $2}' | grep -v -E '^(tccrt_|mem)' | \
        grep -v -E '^(exp|log|sqrt|tanh|erf|pow|floor|ceil|round|trunc|fabs|nearbyint|sin|cos|tan|asin|acos|atan|sinh|cosh|asinh|acosh|atanh|log1p|expm1|fmod)f?$' || true)
  if [ -n "$bad" ]; then echo "FAIL: $o.o has undefined symbols: $bad"; exit 1; fi
done
cat > "$tmp/main.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "d1.h"
#include "d2.h"
#include "mnist.h"
int main(void) {
  float img[64], l1[10], l2[10], digit[MNIST_INPUT_0_NUMEL], probs[MNIST_OUTPUT_0_NUMEL];
  for (int i = 0; i < 64; i++) img[i] = (float)((i * 7) % 17) / 16.0f;
  for (int i = 0; i < MNIST_INPUT_0_NUMEL; i++) digit[i] = (float)((i * 13) % 29) / 28.0f;
  const void *in1[1] = {img}, *in3[1] = {digit};
  void *o1[1] = {l1}, *o2[1] = {l2}, *o3[1] = {probs};
  if (d1_run(in1, o1) || d2_run(in1, o2) || mnist_run(in3, o3)) return 2;
  for (int i = 0; i < 10; i++)
    if (l1[i] != l1[i] || l1[i] - l2[i] > 1e-4f || l2[i] - l1[i] > 1e-4f) return 3;
  if (strcmp(d1_info()->name, "d1") || strcmp(d2_info()->name, "d2")) return 4;
  printf("PASS: three models in one program (%s, %s, %s)\n", d1_info()->name, d2_info()->name,
         mnist_info()->name);
  return 0;
}
C
cc -O1 -o "$tmp/main" "$tmp/main.c" "$tmp/d1.o" "$tmp/d2.o" "$tmp/mnist.o" -I"$tmp" \
  -I"$src/runtime/include" "$lib" -lm -lpthread
"$tmp/main"
# --params: the weights in a file the program maps; runs fail until NAME_set_params.
"$tccml" compile "$src/examples/digits/digits.onnx" -o "$tmp/dp.o" --name dp --params "$tmp/dp.params"
test "$(stat -c %s "$tmp/dp.params")" -gt 20000
if nm "$tmp/dp.o" | grep -q "dp_weights"; then echo "FAIL: weights embedded despite --params"; exit 1; fi
cat > "$tmp/pmain.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "d1.h"
#include "dp.h"
int main(int argc, char **argv) {
  float img[64], l1[10], l2[10];
  for (int i = 0; i < 64; i++) img[i] = (float)((i * 5) % 17) / 16.0f;
  const void *in[1] = {img};
  void *o1[1] = {l1}, *o2[1] = {l2};
  if (dp_run(in, o2) != TCCRT_ERR_INVALID_ARGUMENT || !strstr(tccrt_last_error(), "dp_set_params"))
    return 2;
  int fd = open(argv[1], O_RDONLY);
  void *p = mmap(NULL, DP_PARAMS_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
  if (fd < 0 || p == MAP_FAILED) return 3;
  if (dp_set_params(p, DP_PARAMS_SIZE - 1) != TCCRT_ERR_INVALID_ARGUMENT) return 4;
  if (dp_set_params(p, DP_PARAMS_SIZE) != 0) return 5;
  if (d1_run(in, o1) || dp_run(in, o2)) return 6;
  for (int i = 0; i < 10; i++)
    if (l1[i] != l2[i]) return 7;
  printf("PASS: params file mapped and used (%d bytes)\n", DP_PARAMS_SIZE);
  munmap(p, DP_PARAMS_SIZE);
  close(fd);
  return 0;
}
C
cc -O1 -o "$tmp/pmain" "$tmp/pmain.c" "$tmp/d1.o" "$tmp/dp.o" -I"$tmp" -I"$src/runtime/include" \
  "$lib" -lm -lpthread
"$tmp/pmain" "$tmp/dp.params"
# --dump-ir: the fused groups (conv + relu in one) and the kernels' loop IR.
"$tccml" compile "$src/examples/digits/digits.onnx" -o "$tmp/dump.o" --name dump --dump-ir graph \
  > "$tmp/graph.txt"
grep -q "^group 0 (anchor '/conv1/Conv' Conv): /conv1/Conv /Relu$" "$tmp/graph.txt"
"$tccml" compile "$src/examples/digits/digits.onnx" -o "$tmp/dump.o" --name dump --dump-ir tir \
  > "$tmp/tir.txt"
grep -q "^func dump_k0_Conv(" "$tmp/tir.txt"
# Without --input-shape the symbolic batch dim is an error that names it.
if "$tccml" compile "$shared/models/mnist-pytorch-opset11/model.onnx" -o "$tmp/x.o" --name x \
     2> "$tmp/err.txt"; then
  echo "FAIL: compiling with an unbound symbolic dim succeeded"; exit 1
fi
grep -q "batch_size" "$tmp/err.txt" || { echo "FAIL: the error does not name the symbol:"; cat "$tmp/err.txt"; exit 1; }
grep -q "^tcc-ml: error: " "$tmp/err.txt" || { echo "FAIL: not a one-line tcc-ml error"; exit 1; }
echo "PASS: unbound symbol reported: $(cat "$tmp/err.txt")"
