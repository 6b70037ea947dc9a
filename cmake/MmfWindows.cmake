# mmf_use_windows_h(<target> <PRIVATE|PUBLIC|INTERFACE>): <windows.h> as this project's code
# includes it, with WIN32_LEAN_AND_MEAN (none of the winsock, OLE and shell headers) and NOMINMAX
# (no min and max macros over std::min and std::numeric_limits<T>::max). Defined here, once, for the
# targets of this project that include <windows.h> (the library, privately, the tool and the
# tests), instead of before each #include; never for a consumer of the library. Nothing on other
# systems.
function(mmf_use_windows_h target scope)
  if(WIN32)
    target_compile_definitions(${target} ${scope} WIN32_LEAN_AND_MEAN NOMINMAX)
  endif()
endfunction()
