#!/bin/sh
# cli.sh TCCML SRC — `tcc-ml compile --layout auto|nchw` and `--dump-ir graph` list the blocked
# values; `tcc-ml inspect --layout` prints the graph the passes leave; bad values are errors.
set -eu
tccml=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
model=$src/examples/digits/digits.onnx
"$tccml" compile "$model" -o "$tmp/a.o" --name a --dump-ir graph > "$tmp/auto.txt"
# digits: conv1 (1 input channel) stays plain, conv2 (8 -> 16) is blocked with the pool after it
grep -q "ConvNCHWc" "$tmp/auto.txt" || { echo "FAIL: no ConvNCHWc with --layout auto"; exit 1; }
grep -q "^layout %/conv2/Conv_output_0@NCHW8c: NCHW8c$" "$tmp/auto.txt" ||
  { echo "FAIL: the blocked conv output is not listed"; cat "$tmp/auto.txt"; exit 1; }
grep -q "^layout %conv2.weight@OIHW8i8o: OIHW8i8o (constant, packed at compile time)$" \
  "$tmp/auto.txt" || { echo "FAIL: the packed weights are not listed"; exit 1; }
grep -q "dst_layout=\"NCHW\"" "$tmp/auto.txt" || { echo "FAIL: no transform back to NCHW"; exit 1; }
"$tccml" compile "$model" -o "$tmp/n.o" --name n --layout nchw --dump-ir graph > "$tmp/nchw.txt"
if grep -q "ConvNCHWc\|LayoutTransform\|^layout " "$tmp/nchw.txt"; then
  echo "FAIL: --layout nchw left blocked layouts"; exit 1
fi
"$tccml" inspect "$model" --layout auto > "$tmp/inspect.txt"
grep -q "tcc.internal.ConvNCHWc" "$tmp/inspect.txt" || { echo "FAIL: inspect --layout auto"; exit 1; }
grep -q "^layout %" "$tmp/inspect.txt" || { echo "FAIL: inspect lists no layouts"; exit 1; }
"$tccml" inspect "$model" > "$tmp/plain.txt"
if grep -q "ConvNCHWc" "$tmp/plain.txt"; then echo "FAIL: plain inspect ran the passes"; exit 1; fi
for cmd in "compile $model -o $tmp/x.o --layout nhwc" "inspect $model --layout blocked"; do
  # shellcheck disable=SC2086
  if "$tccml" $cmd 2> "$tmp/err.txt"; then echo "FAIL: '$cmd' succeeded"; exit 1; fi
  grep -q "^tcc-ml: error: .*--layout" "$tmp/err.txt" || { echo "FAIL: '$cmd':"; cat "$tmp/err.txt"; exit 1; }
done
echo "PASS: layout CLI"
