// mmf — name validation, portable and done before any system call (RELIABILITY.md: glibc's
// shm_open accepts "/.." and "."; we never hand a name we have not checked to the OS).
#pragma once

#include <string_view>
#include <system_error>

#include "platform.hpp"

namespace mmf::detail {

inline constexpr std::size_t max_name_bytes = 200;

// Splits an optional "Local\" or "Global\" prefix (exact, case-sensitive) and validates the rest:
// 1 to 200 bytes of valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF),
// without '/', '\' or NUL, and not "." or "..". invalid_argument otherwise.
std::error_code parse_name(std::string_view given, object_name& out) noexcept;

// True when the byte string is valid UTF-8.
bool valid_utf8(std::string_view s) noexcept;

}  // namespace mmf::detail
