# tcc-mlConfig.cmake — find_package(tcc-ml) for an installed tcc-ml.
#
# Gives the imported static library `tccrt` (the runtime, with tccrt.h), TCC_ML_EXECUTABLE (the
# installed compiler) and tcc_ml_add_model() (see TccMl.cmake), so a project outside this tree
# compiles and links models exactly as examples/ does inside it.
include(CMakeFindDependencyMacro)
find_dependency(Threads)
include(${CMAKE_CURRENT_LIST_DIR}/tccrtTargets.cmake)
get_filename_component(_tcc_ml_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TCC_ML_EXECUTABLE)
  set(TCC_ML_EXECUTABLE "${_tcc_ml_prefix}/bin/tcc-ml")
endif()
unset(_tcc_ml_prefix)
include(${CMAKE_CURRENT_LIST_DIR}/TccMl.cmake)
