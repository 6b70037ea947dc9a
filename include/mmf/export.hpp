// mmf — symbol visibility.
//
// MMF_API marks the functions and classes that form the library's binary interface. For a static
// library (the default) it expands to nothing; for a shared library it exports the symbol while
// everything else stays hidden (the library is compiled with -fvisibility=hidden).
#pragma once

#include <mmf/config.hpp>  // defines MMF_SHARED for shared-library builds

#if defined(MMF_SHARED)
#if defined(_WIN32) || defined(__CYGWIN__)
#if defined(MMF_BUILDING)
#define MMF_API __declspec(dllexport)
#else
#define MMF_API __declspec(dllimport)
#endif
#else
#define MMF_API __attribute__((visibility("default")))
#endif
#else
#define MMF_API
#endif
