#!/usr/bin/env bash
# The main job of tcc-ml, end to end on a fresh Debian 12 machine:
#   1. install the packages the build needs (idempotent);
#   2. build tcc-ml, libtccrt and the digits example: CMake's tcc_ml_add_model() runs
#      `tcc-ml compile examples/digits/digits.onnx` (a CNN trained on scikit-learn's digits by
#      examples/digits/train.py) into an object file + digits.h, linked into the C program;
#   3. run the program on the 450 held-out digits and check its accuracy against PyTorch's;
#   4. compile a real model of ../shared/models (MNIST, PyTorch) with the command line, link it
#      with libtccrt and a driver through the system C compiler, run it and compare its outputs
#      with the expected ones (`tcc-ml test --aot`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" --target tcc-ml tccrt digits_classify
echo "== digits example (compiled by tcc-ml through tcc_ml_add_model) =="
./build/examples/digits_classify examples/digits/test_images.f32 examples/digits/test_labels.u8 \
  --expect examples/digits/pytorch_accuracy.txt --tolerance 0.5
shared=${TCC_SHARED_DIR:-../shared}
if [ -d "$shared/models/mnist-pytorch-opset11" ]; then
  echo "== $shared/models/mnist-pytorch-opset11: compile, link with cc, run, compare =="
  TCCRT_LIB=build/runtime/libtccrt.a ./build/tools/tcc-ml test --aot --rtol 1e-3 --atol 1e-5 \
    "$shared/models/mnist-pytorch-opset11"
fi
