# FindOnnxProto: the system's onnx.proto (Debian: libonnx-dev), compiled with protoc-c at build time.
find_file(ONNX_PROTO_FILE onnx.proto PATHS /usr/include/onnx /usr/local/include/onnx NO_DEFAULT_PATH)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(OnnxProto REQUIRED_VARS ONNX_PROTO_FILE
  FAIL_MESSAGE "onnx.proto not found: install libonnx-dev (run .ci/install-deps.sh)")
