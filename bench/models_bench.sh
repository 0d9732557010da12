#!/usr/bin/env bash
# models_bench.sh — the model benchmark of tcc-ml against ONNX Runtime, in one run.
#
#   bash bench/models_bench.sh [models_bench.py options, e.g. --models squeezenet1_1,resnet18_bn]
#
# 1. builds tcc-ml and libtccrt in build-bench/ (warnings as errors);
# 2. makes a Python venv build-bench/ort-venv with onnxruntime and numpy from PyPI (benchmarks
#    only: nothing in the build or the tests needs it);
# 3. when Debian's python3-torch is available, makes the larger benchmark models of
#    ../shared/bench/gen_models.py (resnet50) into build-bench/gen-models/ (a cache, not
#    committed), installing python3-torchvision and python3-onnx first if they are missing
#    (skipped with TCC_BENCH_NO_GEN=1 or TCC_BENCH_NO_INSTALL=1); with TCC_BENCH_MICRO=1 also the
#    single-kernel models of bench/gen_micro.py (tail, padding and GEMM cases) into build-bench/micro/;
# 4. runs bench/models_bench.py: for each model, compile with `tcc-ml compile`, link with
#    bench/run_model.c and libtccrt, check the output, and time tcc-ml and ONNX Runtime
#    interleaved on 1 and 2 threads. Prints a table; writes build-bench/models_bench.md.
# Environment: TCC_SHARED_DIR (default ../shared), CC (default cc), JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${TCC_SHARED_DIR:-../shared}
build=build-bench
jobs=${JOBS:-2}

echo "== build tcc-ml and libtccrt ($build) =="
cmake -S . -B "$build" -DTCC_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$jobs" --target tcc-ml tccrt >/dev/null

venv=$build/ort-venv
if ! "$venv/bin/python" -c "import onnxruntime, numpy" 2>/dev/null; then
  echo "== venv $venv: onnxruntime and numpy from PyPI =="
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q onnxruntime numpy
fi

extra=()
gen=$build/gen-models
if [ "${TCC_BENCH_NO_GEN:-0}" != 1 ] && [ -f "$shared/bench/gen_models.py" ]; then
  if [ ! -f "$gen/resnet50/model.onnx" ]; then
    if ! /usr/bin/python3 -c "import torch, torchvision, onnx" 2>/dev/null &&
      [ "${TCC_BENCH_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ] &&
      apt-cache policy python3-torch 2>/dev/null | grep -q 'Candidate: [0-9]'; then
      echo "== apt: python3-torch python3-torchvision python3-onnx (for gen_models.py) =="
      apt-get install -y -qq python3-torch python3-torchvision python3-onnx >/dev/null ||
        echo "   (install failed: the generated models are skipped)"
    fi
    if /usr/bin/python3 -c "import torch, torchvision, onnx" 2>/dev/null; then
      echo "== gen_models.py: resnet50 into $gen =="
      /usr/bin/python3 "$shared/bench/gen_models.py" "$gen" resnet50 ||
        echo "   (gen_models.py failed: the generated models are skipped)"
    else
      echo "== python3-torch/torchvision/onnx not available: generated models skipped =="
    fi
  fi
  [ -f "$gen/resnet50/model.onnx" ] && extra+=(--extra "$gen/resnet50")
fi

# Single-kernel models that isolate the slow patterns (bench/gen_micro.py), with TCC_BENCH_MICRO=1.
if [ "${TCC_BENCH_MICRO:-0}" = 1 ] && /usr/bin/python3 -c "import numpy, onnx" 2>/dev/null; then
  echo "== gen_micro.py: single-kernel models into $build/micro =="
  /usr/bin/python3 bench/gen_micro.py "$build/micro" >/dev/null
  for m in "$build"/micro/*/; do extra+=(--extra "${m%/}"); done
fi

exec "$venv/bin/python" bench/models_bench.py --tcc "$build/tools/tcc-ml" \
  --runtime-lib "$build/runtime/libtccrt.a" --work "$build/models" \
  --shared "$shared" "${extra[@]}" "$@"
