#!/usr/bin/env bash
# Builds tcc-ml with warnings as errors and runs every ctest; then builds the whole tree under
# AddressSanitizer/UBSan and runs its C test programs (see below).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
# Randomized tests print their seed and take TCC_TEST_SEED. CI derives it from the commit, so a
# run is reproducible for a given commit while different commits explore different seeds.
if [ -z "${TCC_TEST_SEED:-}" ]; then
  TCC_TEST_SEED=$((16#$(git rev-parse --short=8 HEAD 2>/dev/null || echo 1)))
  export TCC_TEST_SEED
fi
echo "test.sh: TCC_TEST_SEED=$TCC_TEST_SEED"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTCC_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest -j"$jobs" --output-on-failure --timeout 1500)
# The whole compiler under clang-19's AddressSanitizer + UBSan; every C test program ("unit"
# label) runs, except those that link generated objects with the system cc ("links_cc": the
# sanitized runtime cannot link into a plain program). Script tests (the CLI over the node suite,
# which forks children under memory limits ASan cannot live with) run in the first build only.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTCC_WERROR=ON -DTCC_SANITIZE=ON \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest -j"$jobs" -L unit -LE links_cc \
  --output-on-failure --timeout 1500)
