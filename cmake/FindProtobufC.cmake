# FindProtobufC: libprotobuf-c and protoc-c (Debian: libprotobuf-c-dev, protobuf-c-compiler).
find_path(PROTOBUFC_INCLUDE_DIR protobuf-c/protobuf-c.h)
find_library(PROTOBUFC_LIBRARY NAMES protobuf-c)
find_program(PROTOC_C_EXECUTABLE NAMES protoc-c protoc-gen-c)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(ProtobufC
  REQUIRED_VARS PROTOBUFC_LIBRARY PROTOBUFC_INCLUDE_DIR PROTOC_C_EXECUTABLE
  FAIL_MESSAGE "protobuf-c not found: install libprotobuf-c-dev and protobuf-c-compiler (run .ci/install-deps.sh)")
if(ProtobufC_FOUND AND NOT TARGET ProtobufC::ProtobufC)
  add_library(ProtobufC::ProtobufC UNKNOWN IMPORTED)
  set_target_properties(ProtobufC::ProtobufC PROPERTIES IMPORTED_LOCATION ${PROTOBUFC_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${PROTOBUFC_INCLUDE_DIR})
endif()
