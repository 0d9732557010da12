#!/bin/sh
# f64ref.sh TCC_ML MODEL — `tcc-ml test --aot` of ${TCC_SHARED_DIR}/models/MODEL against an exact
# evaluation of its ONNX graph at the issue's tolerance (rtol 1e-3, atol 1e-5): the model and its
# input from the shared folder, the expected output tests/models/MODEL_f64/output_0.pb, computed by
# tests/models/reference_f64.py --write-f64 (the ONNX project's reference evaluator in float64,
# rounded to float32 once at the end; independent of tcc-ml).
set -eu
tccml=$1
name=$2
here=$(cd "$(dirname "$0")" && pwd)
shared=${TCC_SHARED_DIR:-$here/../../../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t=$tmp/${name}_f64ref
mkdir -p "$t/test_data_set_0"
ln -s "$shared/models/$name/model.onnx" "$t/model.onnx"
ln -s "$shared/models/$name/test_data_set_0/input_0.pb" "$t/test_data_set_0/input_0.pb"
cp "$here/${name}_f64/output_0.pb" "$t/test_data_set_0/output_0.pb"
exec "$tccml" test --aot --rtol 1e-3 --atol 1e-5 --timeout 1200 "$t"
