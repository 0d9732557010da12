# FindISL: the Integer Set Library (Debian: libisl-dev).
find_path(ISL_INCLUDE_DIR isl/ctx.h)
find_library(ISL_LIBRARY NAMES isl)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(ISL REQUIRED_VARS ISL_LIBRARY ISL_INCLUDE_DIR
  FAIL_MESSAGE "ISL not found: install libisl-dev (run .ci/install-deps.sh)")
if(ISL_FOUND AND NOT TARGET ISL::ISL)
  add_library(ISL::ISL UNKNOWN IMPORTED)
  set_target_properties(ISL::ISL PROPERTIES IMPORTED_LOCATION ${ISL_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${ISL_INCLUDE_DIR})
endif()
