#!/usr/bin/env bash
# profile_model.sh — where the time of one model compiled by tcc-ml goes, kernel by kernel.
#
#   bash bench/profile_model.sh NAME [THREADS] [RUNS]
#
# NAME is a folder of build-bench/models/ made by bench/models_bench.sh (the driver run_NAME, its
# input in0.bin...). Runs the driver RUNS times (default 5) on THREADS threads (default 1) under
# `perf record` and prints the share of samples per symbol (each kernel is NAME_kI_OP.par0, the
# body of its parallel loop). Without perf (or without permission for it), falls back to
# `valgrind --tool=callgrind` (instruction counts per function; slow: use RUNS=1).
# Annotate one kernel afterwards with:
#   perf annotate -i build-bench/models/NAME/perf.data --stdio -s NAME_kI_OP.par0
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: profile_model.sh NAME [THREADS] [RUNS]}
threads=${2:-1}
runs=${3:-5}
dir=build-bench/models/$name
exe=$(ls "$dir"/run_* 2>/dev/null | head -n 1)
[ -x "$exe" ] || { echo "profile_model.sh: no driver in $dir (run bench/models_bench.sh first)" >&2; exit 2; }
ins=$(ls "$dir"/in*.bin)
nout=$(sed -n 's/^#define [A-Z0-9_]*_NUM_OUTPUTS \([0-9]*\)$/\1/p' "$dir"/*.h)
outs=()
for ((k = 0; k < nout; k++)); do outs+=("$dir/prof_out$k.bin"); done
# shellcheck disable=SC2086
if command -v perf >/dev/null &&
  TCCRT_NUM_THREADS=$threads perf record -q -o "$dir/perf.data" -F 1999 "$exe" $ins "${outs[@]}" \
    --loop "$runs" >/dev/null 2>&1; then
  perf report -i "$dir/perf.data" --no-children --sort symbol --stdio 2>/dev/null |
    grep '%' | grep -v '^#' | head -n 30
else
  echo "(perf unavailable: callgrind)"
  TCCRT_NUM_THREADS=$threads valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" \
    "$exe" $ins "${outs[@]}" --loop "$runs" >/dev/null 2>&1
  callgrind_annotate "$dir/callgrind.out" 2>/dev/null | head -n 40
fi
