#include "names.hpp"

#include "errors.hpp"

namespace mmf::detail {

bool valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;  // a continuation byte without a lead, or 0xF8..0xFF
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

std::error_code parse_name(std::string_view given, object_name& out) noexcept {
  constexpr std::string_view local_prefix = "Local\\";
  constexpr std::string_view global_prefix = "Global\\";
  object_name name;
  std::string_view bare = given;
  if (bare.starts_with(local_prefix)) {
    bare.remove_prefix(local_prefix.size());
  } else if (bare.starts_with(global_prefix)) {
    bare.remove_prefix(global_prefix.size());
    name.where = scope::global;
  }
  if (bare.empty() || bare.size() > max_name_bytes || bare == "." || bare == "..")
    return make_errc(std::errc::invalid_argument);
  for (const char c : bare) {
    if (c == '/' || c == '\\' || c == '\0') return make_errc(std::errc::invalid_argument);
  }
  if (!valid_utf8(bare)) return make_errc(std::errc::invalid_argument);
  name.bare = bare;
  out = name;
  return {};
}

}  // namespace mmf::detail
