# Runs one packaging test: builds an outside consumer of mmf (consumer.cpp) and runs it.
#
#   cmake -DMODE=add_subdirectory|find_package|pkg_config|deb -DMMF_SOURCE_DIR=... -DMMF_BINARY_DIR=...
#         -DWORK_DIR=... -DVERSION=<project version> [-DGENERATOR=... -DMAKE_PROGRAM=... -DCXX_COMPILER=... -DBUILD_TYPE=...
#         -DCXX_FLAGS=... -DEXE_LINKER_FLAGS=... -DSHARED_LINKER_FLAGS=... -DSHARED=ON|OFF
#         -DWERROR=ON|OFF -DEXE_SUFFIX=...] -P run_package_test.cmake
#
# add_subdirectory: the project adds the mmf source tree as a subdirectory and builds mmf itself.
# find_package: the mmf build in MMF_BINARY_DIR is installed with `cmake --install` into a fresh
# prefix under WORK_DIR, and the project finds it there with find_package(mmf CONFIG REQUIRED).
# pkg_config: the same install; consumer.cpp is compiled by hand with `pkg-config --cflags --libs
# mmf` as the only mmf flags (plus -std=c++20, which the headers need).
# deb: `cpack -G DEB` makes the package; dpkg installs it into a scratch root under WORK_DIR (its
# own dpkg database, nothing of the machine's touched); the consumer is built against it both with
# find_package and with pkg-config; then dpkg removes it and no file of it may be left.
cmake_minimum_required(VERSION 3.20)

foreach(var MODE MMF_SOURCE_DIR MMF_BINARY_DIR WORK_DIR VERSION)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_package_test.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT MODE MATCHES "^(add_subdirectory|find_package|pkg_config|deb)$")
  message(FATAL_ERROR "run_package_test.cmake: unknown MODE '${MODE}'")
endif()

set(project_dir ${CMAKE_CURRENT_LIST_DIR}/find_package)
if(MODE STREQUAL "add_subdirectory")
  set(project_dir ${CMAKE_CURRENT_LIST_DIR}/add_subdirectory)
endif()
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

set(configure_args -S ${project_dir} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
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

# The installed package must be relocatable: no path into the source or build tree.
function(check_relocatable root)
  file(GLOB_RECURSE package_files ${root}/*.cmake ${root}/*.pc)
  if(NOT package_files)
    message(FATAL_ERROR "no package files under ${root}")
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
endfunction()

# Configures, builds and runs the CMake consumer in project_dir with `extra` configure arguments.
function(build_with_cmake tag)
  set(build ${WORK_DIR}/build-${tag})
  run_step("configure (${tag})" ${CMAKE_COMMAND} ${configure_args} -B ${build} ${ARGN})
  run_step("build (${tag})" ${CMAKE_COMMAND} --build ${build} --parallel 2 ${config_args})
  set(program ${build}/mmf_package_test${EXE_SUFFIX})
  if(BUILD_TYPE AND NOT EXISTS ${program})
    set(program ${build}/${BUILD_TYPE}/mmf_package_test${EXE_SUFFIX})  # multi-config generators
  endif()
  run_step("run (${tag})" ${program})
endfunction()

# Compiles consumer.cpp with the flags `pkg-config --cflags --libs mmf` gives when pkg-config
# searches only `pc_dir`, checks the version it reports, and runs the program.
function(build_with_pkg_config tag pc_dir)
  find_program(PKG_CONFIG pkg-config REQUIRED)
  set(env ${CMAKE_COMMAND} -E env PKG_CONFIG_LIBDIR=${pc_dir} PKG_CONFIG_PATH=)
  execute_process(COMMAND ${env} ${PKG_CONFIG} --modversion mmf OUTPUT_VARIABLE version
                  OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE result)
  if(NOT result EQUAL 0 OR NOT version STREQUAL VERSION)
    message(FATAL_ERROR "pkg-config --modversion mmf in ${pc_dir}: '${version}' (${result}), "
                        "expected '${VERSION}'")
  endif()
  execute_process(COMMAND ${env} ${PKG_CONFIG} --cflags --libs mmf OUTPUT_VARIABLE flags
                  OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "pkg-config --cflags --libs mmf failed (${result})")
  endif()
  message(STATUS "pkg-config --cflags --libs mmf: ${flags}")
  separate_arguments(flags UNIX_COMMAND "${flags}")
  separate_arguments(cxx_flags UNIX_COMMAND "${CXX_FLAGS} ${EXE_LINKER_FLAGS}")
  set(program ${WORK_DIR}/mmf_package_test-${tag}${EXE_SUFFIX})
  run_step("compile (${tag})" ${CXX_COMPILER} -std=c++20 ${cxx_flags}
           ${CMAKE_CURRENT_LIST_DIR}/consumer.cpp ${flags} -o ${program})
  run_step("run (${tag})" ${program})
endfunction()

if(MODE STREQUAL "add_subdirectory")
  list(APPEND configure_args -DMMF_SOURCE_DIR=${MMF_SOURCE_DIR})
  if(DEFINED SHARED)
    list(APPEND configure_args -DBUILD_SHARED_LIBS=${SHARED})
  endif()
  if(DEFINED WERROR)
    list(APPEND configure_args -DMMF_WERROR=${WERROR})
  endif()
  build_with_cmake(add_subdirectory)
elseif(MODE STREQUAL "find_package" OR MODE STREQUAL "pkg_config")
  run_step("install mmf" ${CMAKE_COMMAND} --install ${MMF_BINARY_DIR} --prefix ${prefix}
           ${config_args})
  check_relocatable(${prefix})
  if(MODE STREQUAL "find_package")
    build_with_cmake(find_package -DCMAKE_PREFIX_PATH=${prefix})
  else()
    file(GLOB_RECURSE pc_files ${prefix}/*/mmf.pc)
    list(LENGTH pc_files count)
    if(NOT count EQUAL 1)
      message(FATAL_ERROR "expected one mmf.pc under ${prefix}, found: ${pc_files}")
    endif()
    get_filename_component(pc_dir ${pc_files} DIRECTORY)
    build_with_pkg_config(installed ${pc_dir})
  endif()
else()  # deb
  get_filename_component(cmake_bin ${CMAKE_COMMAND} DIRECTORY)
  find_program(CPACK cpack HINTS ${cmake_bin} REQUIRED)
  find_program(DPKG dpkg REQUIRED)
  find_program(DPKG_DEB dpkg-deb REQUIRED)
  set(cpack_args)
  if(BUILD_TYPE)
    set(cpack_args -C ${BUILD_TYPE})
  endif()
  run_step("package" ${CPACK} -G DEB --config ${MMF_BINARY_DIR}/CPackConfig.cmake
           -B ${WORK_DIR}/packages ${cpack_args})
  file(GLOB debs ${WORK_DIR}/packages/*.deb)
  list(LENGTH debs count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "expected one .deb in ${WORK_DIR}/packages, found: ${debs}")
  endif()
  execute_process(COMMAND ${DPKG_DEB} --field ${debs} Package Version
                  OUTPUT_VARIABLE fields OUTPUT_STRIP_TRAILING_WHITESPACE)
  message(STATUS "${debs}:\n${fields}")
  if(NOT fields MATCHES "Package: mmf" OR NOT fields MATCHES "Version: ${VERSION}")
    message(FATAL_ERROR "the package is not mmf ${VERSION}")
  endif()
  # A scratch root with an empty dpkg database of its own.
  set(root ${WORK_DIR}/root)
  set(admin ${root}/var/lib/dpkg)
  file(MAKE_DIRECTORY ${admin}/info ${admin}/updates ${admin}/triggers)
  file(TOUCH ${admin}/status ${admin}/available)
  # Its Depends (libc, libstdc++, libfmt) are the machine's, not the scratch root's.
  set(dpkg ${DPKG} --root=${root} --force-not-root --force-depends --force-script-chrootless
           --log=${WORK_DIR}/dpkg.log)
  run_step("dpkg -i" ${dpkg} --install ${debs})
  execute_process(COMMAND ${DPKG_DEB} --contents ${debs} OUTPUT_VARIABLE contents)
  foreach(expected ./usr/include/mmf/mmf.hpp ./usr/include/mmf/version.hpp
          ./usr/include/mmf/config.hpp mmfConfig.cmake mmf.pc)
    string(FIND "${contents}" "${expected}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "the package has no ${expected}:\n${contents}")
    endif()
  endforeach()
  if(EXISTS ${MMF_BINARY_DIR}/tools/mmf/mmf${EXE_SUFFIX})
    if(NOT EXISTS ${root}/usr/bin/mmf)
      message(FATAL_ERROR "the mmf tool was built but the package does not install usr/bin/mmf")
    endif()
    execute_process(COMMAND ${root}/usr/bin/mmf --version OUTPUT_VARIABLE said
                    OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE result)
    if(NOT result EQUAL 0 OR NOT said STREQUAL "mmf ${VERSION}")
      message(FATAL_ERROR "the installed tool says '${said}' (${result}), not 'mmf ${VERSION}'")
    endif()
  endif()
  check_relocatable(${root}/usr)
  build_with_cmake(deb-find_package -DCMAKE_PREFIX_PATH=${root}/usr)
  file(GLOB_RECURSE pc_files ${root}/usr/*/mmf.pc)
  get_filename_component(pc_dir ${pc_files} DIRECTORY)
  build_with_pkg_config(deb ${pc_dir})
  run_step("dpkg -r" ${dpkg} --remove mmf)
  file(GLOB_RECURSE left ${root}/usr/*)
  if(left)
    message(FATAL_ERROR "dpkg -r mmf left files behind: ${left}")
  endif()
endif()
file(REMOVE_RECURSE ${WORK_DIR})
message(STATUS "package test '${MODE}' passed")
