# Runs one packaging test: builds the outside project in tests/package/<MODE>/ and runs its program.
#
#   cmake -DMODE=add_subdirectory|find_package -DMMF_SOURCE_DIR=... -DMMF_BINARY_DIR=...
#         -DWORK_DIR=... [-DGENERATOR=... -DMAKE_PROGRAM=... -DCXX_COMPILER=... -DBUILD_TYPE=...
#         -DCXX_FLAGS=... -DEXE_LINKER_FLAGS=... -DSHARED_LINKER_FLAGS=... -DSHARED=ON|OFF
#         -DWERROR=ON|OFF -DEXE_SUFFIX=...] -P run_package_test.cmake
#
# add_subdirectory: the project adds the mmf source tree as a subdirectory and builds mmf itself.
# find_package: the mmf build in MMF_BINARY_DIR is installed with `cmake --install` into a fresh
# prefix under WORK_DIR, and the project finds it there with find_package(mmf CONFIG REQUIRED).
cmake_minimum_required(VERSION 3.20)

foreach(var MODE MMF_SOURCE_DIR MMF_BINARY_DIR WORK_DIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_package_test.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT MODE MATCHES "^(add_subdirectory|find_package)$")
  message(FATAL_ERROR "run_package_test.cmake: unknown MODE '${MODE}'")
endif()

set(project_dir ${CMAKE_CURRENT_LIST_DIR}/${MODE})
set(build_dir ${WORK_DIR}/build)
set(prefix ${WORK_DIR}/prefix)

# Runs a command, echoing it first; stops the test when it fails.
function(run_step what)
  string(REPLACE ";" " " shown "${ARGN}")
  message(STATUS "${what}: ${shown}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${what} failed (${result})")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

set(config_args)
if(BUILD_TYPE)
  set(config_args --config ${BUILD_TYPE})
endif()

set(configure_args -S ${project_dir} -B ${build_dir} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
if(GENERATOR)
  list(APPEND configure_args -G ${GENERATOR})
endif()
foreach(pair "MAKE_PROGRAM;CMAKE_MAKE_PROGRAM" "CXX_COMPILER;CMAKE_CXX_COMPILER"
             "CXX_COMPILER_LAUNCHER;CMAKE_CXX_COMPILER_LAUNCHER" "BUILD_TYPE;CMAKE_BUILD_TYPE"
             "CXX_FLAGS;CMAKE_CXX_FLAGS" "EXE_LINKER_FLAGS;CMAKE_EXE_LINKER_FLAGS"
             "SHARED_LINKER_FLAGS;CMAKE_SHARED_LINKER_FLAGS")
  list(GET pair 0 from)
  list(GET pair 1 to)
  if(DEFINED ${from} AND NOT "${${from}}" STREQUAL "")
    list(APPEND configure_args "-D${to}=${${from}}")
  endif()
endforeach()

if(MODE STREQUAL "add_subdirectory")
  list(APPEND configure_args -DMMF_SOURCE_DIR=${MMF_SOURCE_DIR})
  if(DEFINED SHARED)
    list(APPEND configure_args -DBUILD_SHARED_LIBS=${SHARED})
  endif()
  if(DEFINED WERROR)
    list(APPEND configure_args -DMMF_WERROR=${WERROR})
  endif()
else()
  run_step("install mmf" ${CMAKE_COMMAND} --install ${MMF_BINARY_DIR} --prefix ${prefix}
           ${config_args})
  # The installed package must be relocatable: no path into the source or build tree.
  file(GLOB_RECURSE package_files ${prefix}/*.cmake)
  if(NOT package_files)
    message(FATAL_ERROR "cmake --install put no package files under ${prefix}")
  endif()
  foreach(file ${package_files})
    file(READ ${file} text)
    foreach(tree ${MMF_SOURCE_DIR} ${MMF_BINARY_DIR})
      string(FIND "${text}" "${tree}" at)
      if(NOT at EQUAL -1)
        message(FATAL_ERROR "${file} names ${tree}: the installed package is not relocatable")
      endif()
    endforeach()
  endforeach()
  list(APPEND configure_args -DCMAKE_PREFIX_PATH=${prefix})
endif()

run_step("configure" ${CMAKE_COMMAND} ${configure_args})
run_step("build" ${CMAKE_COMMAND} --build ${build_dir} --parallel 2 ${config_args})

set(program ${build_dir}/mmf_package_test${EXE_SUFFIX})
if(BUILD_TYPE AND NOT EXISTS ${program})
  set(program ${build_dir}/${BUILD_TYPE}/mmf_package_test${EXE_SUFFIX})  # multi-config generators
endif()
run_step("run" ${program})
message(STATUS "package test '${MODE}' passed")
