// mmf — the library's version, as built (the macros) and as loaded (version()).
#pragma once

#include <mmf/config.hpp>
#include <mmf/export.hpp>

namespace mmf {

// A version number, major.minor.patch (semantic versioning: a program built against one major
// version runs with any later minor or patch of it).
struct version_number {
  int major;
  int minor;
  int patch;

  friend constexpr bool operator==(const version_number&, const version_number&) = default;
};

// The version of the headers this program was compiled with (MMF_VERSION_MAJOR/MINOR/PATCH).
inline constexpr version_number header_version{MMF_VERSION_MAJOR, MMF_VERSION_MINOR,
                                               MMF_VERSION_PATCH};

// The version of the library this program loaded: with a shared libmmf it can differ from
// header_version (the program was built against another release). Never fails.
MMF_API version_number version() noexcept;

// version() as text, "major.minor.patch" (a static string; never fails).
MMF_API const char* version_string() noexcept;

}  // namespace mmf
