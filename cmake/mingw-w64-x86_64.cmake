# mmf — cross toolchain: 64-bit Windows programs built on Linux with mingw-w64 (Debian's
# g++-mingw-w64-x86-64-posix), run by ctest under Wine (wine64).
#
#   cmake -S . -B build-windows -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake \
#         -DMMF_GTEST_FROM_SOURCE=ON
#   (or: cmake --preset windows)
#
# The -posix compilers use the winpthreads threading model, which std::thread, std::mutex and
# std::condition_variable need. Everything (libgcc, libstdc++, winpthread) is linked statically so
# that the .exe files run under Wine without copying mingw DLLs next to them.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(MMF_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${MMF_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${MMF_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${MMF_MINGW_TRIPLE}-windres)

# Headers and libraries come from the mingw-w64 sysroot only; programs (the build tools) from the
# host.
set(CMAKE_FIND_ROOT_PATH /usr/${MMF_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Static runtime: no libstdc++-6.dll, libgcc_s_seh-1.dll or libwinpthread-1.dll to find at run time.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")

# ctest (and gtest_discover_tests) run the programs under Wine. wine64 is /usr/lib/wine/wine64 on
# Debian (not on PATH); other distributions install wine64 or a wine that runs 64-bit programs.
#
# Each test is its own process. Wine starts a wineserver for the first process and stops it a few
# seconds after the last one ends, which costs about 2 s per test when tests run one after the
# other; the emulator therefore first asks for a wineserver that stays 30 s after its last client
# (`wineserver -p30`, which fails harmlessly when one is already running). When it did start one,
# `wineboot` brings up Wine's background services with /dev/null as their stdio: started by a test
# instead, they would inherit its stdout and keep the pipe open, and ctest (or test discovery)
# would wait for them until it times out. A test then starts in a tenth of a second.
# WINEDEBUG=-all keeps Wine's "fixme:" chatter out of the test logs.
#
# Wine runs under `setarch -R` (no address-space randomisation; children inherit it). Debian's
# wine64 has no preloader: its loader is linked at 0x7d000000 and the kernel puts the C heap (brk)
# at a random place up to 1 GiB above it. About one start in 4,000 that heap lands on 0x7ffe0000,
# where Windows' shared user data page must be, and the program dies before main with "failed to
# map the shared user data: c0000018" and exit code 1 — a test failing at random. Without
# randomisation the heap starts right after the loader, 47 MiB below that page, every time.
if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  find_program(MMF_WINE NAMES wine64 wine PATHS /usr/lib/wine /usr/lib64/wine /opt/wine/bin
               NO_CMAKE_FIND_ROOT_PATH)
  if(MMF_WINE)
    get_filename_component(_mmf_wine_dir ${MMF_WINE} DIRECTORY)
    find_program(MMF_WINESERVER NAMES wineserver wineserver64 HINTS ${_mmf_wine_dir}
                 NO_CMAKE_FIND_ROOT_PATH)
    find_program(MMF_SETARCH NAMES setarch NO_CMAKE_FIND_ROOT_PATH)
    if(MMF_SETARCH)
      set(_mmf_norandom "'${MMF_SETARCH}' -R ")
      set(_mmf_norandom_list "${MMF_SETARCH};-R;")
    else()
      message(WARNING "setarch not found (util-linux): Wine runs with address-space "
                      "randomisation, which fails about one program start in 4,000")
      set(_mmf_norandom "")
      set(_mmf_norandom_list "")
    endif()
    if(MMF_WINESERVER)
      # sh -c '<script>' wine-run <program> <args>...: no ';' in the script (it is a CMake list).
      set(_mmf_null "</dev/null >/dev/null 2>&1")
      set(_mmf_wine_script
          "('${MMF_WINESERVER}' -p30 ${_mmf_null} && WINEDEBUG=-all ${_mmf_norandom}'${MMF_WINE}' wineboot ${_mmf_null})"
          " || true && exec env WINEDEBUG=-all ${_mmf_norandom}'${MMF_WINE}' \"$@\"")
      string(CONCAT _mmf_wine_script ${_mmf_wine_script})
      set(CMAKE_CROSSCOMPILING_EMULATOR "sh;-c;${_mmf_wine_script};wine-run"
          CACHE STRING "Runs the Windows programs")
    else()
      set(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_COMMAND};-E;env;WINEDEBUG=-all;${_mmf_norandom_list}${MMF_WINE}"
          CACHE STRING "Runs the Windows programs")
    endif()
  else()
    message(WARNING "wine64 not found: the Windows build cannot run its tests "
                    "(apt-get install wine64)")
  endif()
endif()
