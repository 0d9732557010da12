#!/usr/bin/env bash
# Formats every tracked C source and header with .clang-format (clang-format-19), or with --check
# lists the files that differ and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
cf=$(command -v clang-format-19 || true)
[ -n "$cf" ] || { echo "format.sh: clang-format-19 not found (run .ci/install-deps.sh)" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.c' '*.h')
if [ "${1:-}" = "--check" ]; then
  bad=0
  for f in "${files[@]}"; do
    if ! "$cf" --dry-run -Werror "$f" >/dev/null 2>&1; then
      echo "format.sh: $f differs from .clang-format (run scripts/format.sh)"
      bad=1
    fi
  done
  exit $bad
fi
"$cf" -i "${files[@]}"
