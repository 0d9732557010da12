#!/bin/sh
# sequence_cli.sh TCC_ML — sequences and optionals through the command line:
#  1. the ONNX node tests of Identity on sequences/optionals and of the sequence and optional ops
#     that static expansion covers PASS in JIT mode and in --aot mode (the runner compares every
#     element with the suite's expected SequenceProto/OptionalProto outputs); data sets of two
#     lengths PASS (one compiled model per structure), an expected sequence of a wrong length
#     FAILs;
#  2. `tcc-ml run` on a SequenceProto input prints each element output (y[0], y[1]) with the
#     values of the input elements (Identity), and writes y[0].npy / output_0.pb ...;
#  3. `tcc-ml compile --input-shape 'x=[2x3,4]'` declares the inputs x[0] float32 [2, 3] and
#     x[1] float32 [4] (and outputs y[0], y[1]) in order in the header;
#  4. compiling without binding the sequence is a one-line error naming the input and the
#     --input-shape syntax that binds it.
# Needs TCC_SHARED_DIR and TCCRT_LIB (for --aot).
set -eu
tccml=$1
shared=${TCC_SHARED_DIR:-$(dirname "$0")/../../../shared}
nt=$shared/onnx-node-tests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR="$tmp"
export TCCRT_NUM_THREADS=1
fail() { echo "FAIL: $*" >&2; exit 1; }

tests="test_identity_opt test_identity_sequence test_optional_get_element_optional_sequence
test_optional_get_element_optional_tensor test_optional_get_element_sequence
test_optional_has_element_empty_no_input_name_optional_input
test_optional_has_element_empty_no_input_name_tensor_input
test_optional_has_element_empty_no_input_optional_input
test_optional_has_element_empty_no_input_tensor_input
test_optional_has_element_empty_optional_input test_optional_has_element_optional_input
test_optional_has_element_tensor_input test_sequence_insert_at_back test_sequence_insert_at_front
test_split_to_sequence_nokeepdims test_sequence_map_add_1_sequence_1_tensor
test_sequence_map_add_2_sequences test_sequence_map_extract_shapes
test_sequence_map_identity_1_sequence_1_tensor test_sequence_map_identity_2_sequences
test_loop13_seq test_sequence_map_add_1_sequence_1_tensor_expanded
test_sequence_map_add_2_sequences_expanded test_sequence_map_extract_shapes_expanded
test_sequence_map_identity_1_sequence_expanded test_sequence_map_identity_2_sequences_expanded
test_if_seq test_if_opt test_loop16_seq_none"
paths=""
n=0
for t in $tests; do paths="$paths $nt/$t"; n=$((n + 1)); done

# 1. JIT and --aot.
for mode in "" "--aot"; do
  # shellcheck disable=SC2086
  "$tccml" test $mode $paths > "$tmp/out.txt" 2>&1 || { cat "$tmp/out.txt"; fail "test $mode"; }
  grep -q "^$n passed, 0 failed, 0 skipped" "$tmp/out.txt" || { cat "$tmp/out.txt"; fail "test $mode: not all passed"; }
done

# 1b. Data sets of different lengths: the first element of test_identity_sequence's sequences
# (name "x"/"y", elem_type, then a 28-byte TensorProto: the first 35 bytes of each file) is a
# sequence of length 1; the runner compiles once per structure. An expected output of another
# length than the model's is a FAIL naming both counts.
m=$nt/test_identity_sequence
mk() { # mk DIR INPUT_BYTES OUTPUT_BYTES (0: whole file)
  mkdir -p "$1/test_data_set_0" "$1/test_data_set_1"
  cp "$m/model.onnx" "$1/"
  cp "$m/test_data_set_0/input_0.pb" "$m/test_data_set_0/output_0.pb" "$1/test_data_set_0/"
  if [ "$2" = 0 ]; then cp "$m/test_data_set_0/input_0.pb" "$1/test_data_set_1/"; else
    head -c "$2" "$m/test_data_set_0/input_0.pb" > "$1/test_data_set_1/input_0.pb"; fi
  if [ "$3" = 0 ]; then cp "$m/test_data_set_0/output_0.pb" "$1/test_data_set_1/"; else
    head -c "$3" "$m/test_data_set_0/output_0.pb" > "$1/test_data_set_1/output_0.pb"; fi
}
mk "$tmp/lengths" 35 35
mk "$tmp/wrong_length" 0 35
for mode in "" "--aot"; do
  # shellcheck disable=SC2086
  "$tccml" test $mode "$tmp/lengths" > "$tmp/l.txt" 2>&1 || { cat "$tmp/l.txt"; fail "lengths $mode"; }
  grep -q "^PASS lengths" "$tmp/l.txt" || { cat "$tmp/l.txt"; fail "lengths $mode"; }
  # shellcheck disable=SC2086
  if "$tccml" test $mode "$tmp/wrong_length" > "$tmp/w.txt" 2>&1; then cat "$tmp/w.txt"; fail "wrong length passed"; fi
  grep -q "^FAIL wrong_length: .*data set 1 has 1 outputs; the model has 2" "$tmp/w.txt" ||
    { cat "$tmp/w.txt"; fail "wrong length $mode: message"; }
done

# 2. run: the input sequence of two [1,1,2,2] tensors (1 2 3 4 and 2 3 1 5) comes back per element.
m=$nt/test_identity_sequence
"$tccml" run "$m/model.onnx" --input "$m/test_data_set_0/input_0.pb" --output-dir "$tmp/o" > "$tmp/run.txt" 2>&1 ||
  { cat "$tmp/run.txt"; fail "run"; }
grep -q "^output 0 'y\[0\]': float32 \[1, 1, 2, 2\] 1 2 3 4$" "$tmp/run.txt" || { cat "$tmp/run.txt"; fail "run: y[0]"; }
grep -q "^output 1 'y\[1\]': float32 \[1, 1, 2, 2\] 2 3 1 5$" "$tmp/run.txt" || { cat "$tmp/run.txt"; fail "run: y[1]"; }
for f in "y[0].npy" "y[1].npy" output_0.pb output_1.pb; do [ -s "$tmp/o/$f" ] || fail "run: no $f"; done
# An absent optional input: OptionalHasElement gives false (no input tensor at all).
m=$nt/test_optional_has_element_empty_optional_input
"$tccml" run "$m/model.onnx" --input "$m/test_data_set_0/input_0.pb" --output-dir "$tmp/o2" > "$tmp/run2.txt" 2>&1 ||
  { cat "$tmp/run2.txt"; fail "run absent optional"; }
grep -q "^output 0 'output': bool \[\]" "$tmp/run2.txt" || { cat "$tmp/run2.txt"; fail "run absent optional: output"; }

# 3. compile with the structure bound.
m=$nt/test_identity_sequence
"$tccml" compile "$m/model.onnx" -o "$tmp/seq.o" --name seqm --input-shape 'x=[2x3,4]' > "$tmp/c.txt" 2>&1 ||
  { cat "$tmp/c.txt"; fail "compile"; }
h=$tmp/seqm.h
grep -q "input 0 'x\[0\]': float32 \[2, 3\]" "$h" || fail "header: x[0]"
grep -q "input 1 'x\[1\]': float32 \[4\]" "$h" || fail "header: x[1]"
grep -q "output 0 'y\[0\]': float32 \[2, 3\]" "$h" || fail "header: y[0]"
grep -q "output 1 'y\[1\]': float32 \[4\]" "$h" || fail "header: y[1]"
grep -q "define SEQM_NUM_INPUTS 2" "$h" || fail "header: 2 inputs"

# 4. unbound: one line, exit 1, naming the input and the syntax.
if "$tccml" compile "$m/model.onnx" -o "$tmp/u.o" > "$tmp/u.txt" 2>&1; then fail "unbound compile succeeded"; fi
[ "$(wc -l < "$tmp/u.txt")" -eq 1 ] || { cat "$tmp/u.txt"; fail "unbound: not one line"; }
grep -q "input 'x' is a sequence (seq(float32\[?\]))" "$tmp/u.txt" || { cat "$tmp/u.txt"; fail "unbound: message"; }
grep -q -- "--input-shape 'x=\[" "$tmp/u.txt" || { cat "$tmp/u.txt"; fail "unbound: syntax"; }
echo "sequence_cli: ok"
