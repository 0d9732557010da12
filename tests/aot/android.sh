#!/bin/sh
# android.sh TCC_ML SRC_DIR — objects for aarch64-linux-android and armv7a-linux-androideabi link
# into a shared library with ld.lld -shared, without text relocations, exporting the model's
# entry points. Skipped (exit 0 with a note) when ld.lld is missing.
set -eu
tccml=$1; src=$2
lld=$(command -v ld.lld || command -v ld.lld-19 || true)
if [ -z "$lld" ]; then echo "ld.lld not found: skipped"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in aarch64-linux-android armv7a-linux-androideabi; do
  "$tccml" compile "$src/examples/digits/digits.onnx" -o "$tmp/$t.o" --name digits --target "$t"
  "$lld" -shared -o "$tmp/lib$t.so" "$tmp/$t.o"
  if readelf -d "$tmp/lib$t.so" | grep -q TEXTREL; then echo "FAIL: $t: text relocations"; exit 1; fi
  for s in digits_run digits_run_with_workspace digits_info; do
    nm -D --defined-only "$tmp/lib$t.so" | grep -q " $s\$" || { echo "FAIL: $t: $s not exported"; exit 1; }
  done
  echo "PASS: $t shared library without text relocations"
done
