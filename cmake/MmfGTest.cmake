# Provides GTest::gtest, GTest::gtest_main and GTest::gmock: from the system's package when it is
# there and usable, or built from Debian's source package (/usr/src/googletest) inside this build,
# as the 32-bit and cross (mingw-w64) builds need (MMF_GTEST_FROM_SOURCE=ON forces it).
option(MMF_GTEST_FROM_SOURCE "Build GoogleTest from /usr/src/googletest" OFF)
set(MMF_GTEST_SOURCE_DIR "/usr/src/googletest" CACHE PATH "GoogleTest sources")

if(NOT MMF_GTEST_FROM_SOURCE)
  find_package(GTest QUIET)
endif()
if(NOT TARGET GTest::gtest)
  if(NOT EXISTS ${MMF_GTEST_SOURCE_DIR}/CMakeLists.txt)
    message(FATAL_ERROR "GoogleTest not found: install libgtest-dev, or googletest for the sources"
                        " in ${MMF_GTEST_SOURCE_DIR}")
  endif()
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(BUILD_GMOCK ON CACHE BOOL "" FORCE)
  set(gtest_force_shared_crt ON CACHE BOOL "" FORCE)
  add_subdirectory(${MMF_GTEST_SOURCE_DIR} ${CMAKE_BINARY_DIR}/_googletest EXCLUDE_FROM_ALL)
  foreach(t gtest gtest_main gmock gmock_main)
    if(TARGET ${t} AND NOT TARGET GTest::${t})
      add_library(GTest::${t} ALIAS ${t})
    endif()
  endforeach()
endif()
include(GoogleTest)
