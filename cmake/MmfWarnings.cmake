# mmf_set_warnings(target): the project's warning flags (-Wall -Wextra -Wpedantic, and -Werror
# when MMF_WERROR is ON, as CI builds).
function(mmf_set_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 $<$<BOOL:${MMF_WERROR}>:/WX>)
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
                                             $<$<BOOL:${MMF_WERROR}>:-Werror>)
  endif()
endfunction()
