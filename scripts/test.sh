#!/usr/bin/env bash
# Builds tcc-ml with warnings as errors and runs every ctest; then builds tcc_ir + tcc_frontend
# under AddressSanitizer/UBSan and runs their tests (the importer tests and the fuzz corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTCC_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest -j"$jobs" --output-on-failure --timeout 1500)
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTCC_WERROR=ON -DTCC_SANITIZE=ON \
  -DTCC_COMPILER_ONLY_IR=ON -DCMAKE_C_COMPILER=clang-19 >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest -j"$jobs" --output-on-failure --timeout 1500)
