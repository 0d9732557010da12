# TccMl.cmake — tcc_ml_add_model(): compile an ONNX model ahead of time with tcc-ml at build time.
#
#   tcc_ml_add_model(TARGET MODEL.onnx
#                    [NAME name]                 # symbol prefix (default: TARGET)
#                    [TRIPLE triple] [MCPU cpu]  # default: host triple, its baseline CPU
#                    [INPUT_SHAPES x=1x3x224x224 ...]
#                    [OPT_LEVEL 0..3])
#
# Makes TARGET, a static library holding the model's object file; linking it gives the program
# NAME_run / NAME_run_with_workspace / NAME_info, the include directory of the generated NAME.h
# and libtccrt. The compiler used is the tcc-ml target of this build, or ${TCC_ML_EXECUTABLE}
# when set (an installed tcc-ml).
function(tcc_ml_add_model target model)
  cmake_parse_arguments(A "" "NAME;TRIPLE;MCPU;OPT_LEVEL" "INPUT_SHAPES" ${ARGN})
  if(NOT A_NAME)
    set(A_NAME ${target})
  endif()
  get_filename_component(model_abs ${model} ABSOLUTE)
  set(outdir ${CMAKE_CURRENT_BINARY_DIR}/tcc_ml/${target})
  file(MAKE_DIRECTORY ${outdir})
  set(obj ${outdir}/${A_NAME}.o)
  set(args compile ${model_abs} -o ${obj} --name ${A_NAME})
  if(A_TRIPLE)
    list(APPEND args --target ${A_TRIPLE})
  endif()
  if(A_MCPU)
    list(APPEND args --mcpu ${A_MCPU})
  endif()
  foreach(s ${A_INPUT_SHAPES})
    list(APPEND args --input-shape ${s})
  endforeach()
  if(DEFINED A_OPT_LEVEL)
    list(APPEND args -O${A_OPT_LEVEL})
  endif()
  if(TCC_ML_EXECUTABLE)
    set(tool ${TCC_ML_EXECUTABLE})
    set(tool_dep ${TCC_ML_EXECUTABLE})
  else()
    set(tool $<TARGET_FILE:tcc-ml>)
    set(tool_dep tcc-ml)
  endif()
  add_custom_command(OUTPUT ${obj} ${outdir}/${A_NAME}.h
    COMMAND ${tool} ${args}
    DEPENDS ${tool_dep} ${model_abs}
    COMMENT "tcc-ml: compiling ${model} as '${A_NAME}'"
    VERBATIM)
  set_source_files_properties(${obj} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
  add_library(${target} STATIC ${obj} ${outdir}/${A_NAME}.h)
  set_target_properties(${target} PROPERTIES LINKER_LANGUAGE C)
  target_include_directories(${target} INTERFACE ${outdir})
  if(TARGET tccrt)
    target_link_libraries(${target} INTERFACE tccrt m)
  endif()
endfunction()
