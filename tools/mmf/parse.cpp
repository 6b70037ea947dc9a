// mmf tool — strict parsing of numbers and byte strings (see parse.hpp).
#include "parse.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include <fmt/format.h>

namespace mmf::tool {
namespace {

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool has_hex_prefix(std::string_view text) noexcept {
  return text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
}

[[noreturn]] void fail(std::string_view what, std::string_view text, std::string_view why) {
  throw usage_error(fmt::format("{} {} {}", what, in_quotes(text), why));
}

// Digits only (decimal, or hex after the caller stripped "0x"), into a uint64 with overflow
// checks. `whole` is the original text, for messages.
std::uint64_t parse_digits(std::string_view digits, int base, std::string_view whole,
                           std::string_view what) {
  if (digits.empty()) fail(what, whole, "is not a number");
  std::uint64_t value = 0;
  for (const char c : digits) {
    const int d = base == 16 ? hex_value(c) : (is_digit(c) ? c - '0' : -1);
    if (d < 0) fail(what, whole, "is not a number");
    const auto b = static_cast<std::uint64_t>(base);
    if (value > (std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(d)) / b)
      fail(what, whole, "is too large (the largest value is 18446744073709551615)");
    value = value * b + static_cast<std::uint64_t>(d);
  }
  return value;
}

// Decimal or 0x-hex magnitude without sign.
std::uint64_t parse_magnitude(std::string_view text, std::string_view whole,
                              std::string_view what) {
  if (has_hex_prefix(text)) return parse_digits(text.substr(2), 16, whole, what);
  return parse_digits(text, 10, whole, what);
}

struct unit {
  std::string_view name;
  std::uint64_t factor;
};

constexpr std::uint64_t kKi = 1024;
constexpr std::uint64_t kK = 1000;
constexpr std::array<unit, 13> kUnits{{
    {"B", 1},
    {"KiB", kKi},
    {"MiB", kKi* kKi},
    {"GiB", kKi* kKi* kKi},
    {"TiB", kKi* kKi* kKi* kKi},
    {"PiB", kKi* kKi* kKi* kKi* kKi},
    {"EiB", kKi* kKi* kKi* kKi* kKi* kKi},
    {"KB", kK},
    {"MB", kK* kK},
    {"GB", kK* kK* kK},
    {"TB", kK* kK* kK* kK},
    {"PB", kK* kK* kK* kK* kK},
    {"EB", kK* kK* kK* kK* kK* kK},
}};

}  // namespace

std::string in_quotes(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::uint64_t parse_size(std::string_view text, std::string_view what) {
  if (text.empty()) fail(what, text, "is empty (expected a number of bytes, e.g. 4096 or 64KiB)");
  if (text.front() == '-') fail(what, text, "is negative");
  if (has_hex_prefix(text)) return parse_digits(text.substr(2), 16, text, what);

  std::size_t digits = 0;
  while (digits < text.size() && is_digit(text[digits]))
    ++digits;
  if (digits == 0)
    fail(what, text, "is not a number of bytes (expected e.g. 4096, 64KiB, 1GiB or 0x1000)");
  const std::uint64_t value = parse_digits(text.substr(0, digits), 10, text, what);
  const std::string_view suffix = text.substr(digits);
  if (suffix.empty()) return value;
  if (suffix.front() == '.' || suffix.front() == ',')
    fail(what, text, "is not a whole number of bytes (write 1536KiB, not 1.5MiB)");
  for (const unit& u : kUnits) {
    if (!iequals(suffix, u.name)) continue;
    if (value > std::numeric_limits<std::uint64_t>::max() / u.factor)
      fail(what, text, "is too large (more than 2^64 - 1 bytes)");
    return value * u.factor;
  }
  fail(what, text,
       fmt::format("has an unknown unit {} (use B, KiB, MiB, GiB, TiB for powers of 1024, or KB, "
                   "MB, GB, TB for powers of 1000)",
                   in_quotes(suffix)));
}

std::uint64_t parse_unsigned(std::string_view text, std::uint64_t max, std::string_view what) {
  if (text.empty()) fail(what, text, "is empty (expected a number)");
  if (text.front() == '-') {
    if (text.size() > 1 && (is_digit(text[1])))
      fail(what, text, fmt::format("is negative (expected 0 to {})", max));
    fail(what, text, "is not a number");
  }
  const std::uint64_t value = parse_magnitude(text, text, what);
  if (value > max) fail(what, text, fmt::format("is out of range (expected 0 to {})", max));
  return value;
}

std::int64_t parse_signed(std::string_view text, std::int64_t min, std::int64_t max,
                          std::string_view what) {
  if (text.empty()) fail(what, text, "is empty (expected a number)");
  const bool negative = text.front() == '-';
  const std::uint64_t magnitude = parse_magnitude(negative ? text.substr(1) : text, text, what);
  const auto range = [&] { return fmt::format("is out of range (expected {} to {})", min, max); };
  if (negative) {
    // -min as unsigned without overflow: min is at most 0 here when a negative value is allowed.
    const std::uint64_t limit = min < 0 ? static_cast<std::uint64_t>(-(min + 1)) + 1 : 0;
    if (magnitude > limit) fail(what, text, range());
    return magnitude == 0 ? 0 : -static_cast<std::int64_t>(magnitude - 1) - 1;
  }
  if (max < 0 || magnitude > static_cast<std::uint64_t>(max)) fail(what, text, range());
  return static_cast<std::int64_t>(magnitude);
}

namespace {

template <class T>
T parse_float(std::string_view text, std::string_view what) {
  if (text.empty()) fail(what, text, "is empty (expected a number)");
  // from_chars accepts neither a leading '+' nor spaces; a leading "0x" would parse as 0 with
  // "x..." left over, which the end check below rejects.
  T value{};
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec == std::errc::result_out_of_range)
    fail(what, text, "is out of range for this floating-point type");
  if (ec != std::errc{} || ptr != last) fail(what, text, "is not a floating-point number");
  return value;
}

}  // namespace

double parse_f64(std::string_view text, std::string_view what) {
  return parse_float<double>(text, what);
}

float parse_f32(std::string_view text, std::string_view what) {
  return parse_float<float>(text, what);
}

std::chrono::nanoseconds parse_duration(std::string_view text, std::string_view what) {
  if (text.empty()) fail(what, text, "is empty (give a duration such as 500ms, 2s or 1.5)");
  std::size_t end = 0;
  while (end < text.size() && (is_digit(text[end]) || text[end] == '.'))
    ++end;
  const std::string_view number = text.substr(0, end);
  const std::string_view suffix = text.substr(end);
  if (number.empty()) fail(what, text, "is not a duration (expected e.g. 500ms, 2s or 1.5)");
  struct duration_unit {
    std::string_view name;
    std::uint64_t ns;
  };
  constexpr std::array<duration_unit, 6> kDurationUnits{{
      {"", 1'000'000'000},
      {"ns", 1},
      {"us", 1'000},
      {"ms", 1'000'000},
      {"s", 1'000'000'000},
      {"min", 60'000'000'000},
  }};
  std::uint64_t factor = 0;
  for (const duration_unit& u : kDurationUnits)
    if (iequals(suffix, u.name)) factor = u.ns;
  if (factor == 0)
    fail(what, text, "has an unknown unit (use ns, us, ms, s or min; seconds without one)");
  const std::size_t dot = number.find('.');
  const std::string_view whole = number.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view{} : number.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && fraction.empty()) ||
      fraction.find('.') != std::string_view::npos)
    fail(what, text, "is not a duration (expected e.g. 500ms, 2s or 1.5)");
  constexpr std::uint64_t kMax =
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  const std::uint64_t units = parse_digits(whole, 10, text, what);
  if (units > kMax / factor) fail(what, text, "is too long");
  std::uint64_t ns = units * factor;
  // The fraction, digit by digit: each must land on a whole nanosecond.
  std::uint64_t scale = factor;
  for (const char c : fraction) {
    if (!is_digit(c)) fail(what, text, "is not a duration (expected e.g. 500ms, 2s or 1.5)");
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (scale % 10 != 0) {
      if (d != 0) fail(what, text, "is finer than a nanosecond");
      continue;
    }
    scale /= 10;
    if (ns > kMax - d * scale) fail(what, text, "is too long");
    ns += d * scale;
  }
  return std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
}

std::vector<std::byte> parse_hex_bytes(std::string_view text, std::string_view what) {
  std::string_view rest = text;
  if (has_hex_prefix(rest)) rest.remove_prefix(2);
  std::vector<std::byte> out;
  int high = -1;  // the first digit of a pair, when one is pending
  for (const char c : rest) {
    if (c == ' ' || c == ':' || c == '-' || c == '\t') {
      if (high >= 0) fail(what, text, "has a separator inside a byte (write 0a, not a)");
      continue;
    }
    const int d = hex_value(c);
    if (d < 0) fail(what, text, fmt::format("has a non-hex character {}", in_quotes({&c, 1})));
    if (high < 0) {
      high = d;
    } else {
      out.push_back(static_cast<std::byte>(high * 16 + d));
      high = -1;
    }
  }
  if (high >= 0) fail(what, text, "has an odd number of hex digits");
  if (out.empty()) fail(what, text, "has no bytes");
  return out;
}

std::string human_size(std::uint64_t bytes) {
  static constexpr std::array<std::string_view, 7> kNames{"B",   "KiB", "MiB", "GiB",
                                                          "TiB", "PiB", "EiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);
  auto value = static_cast<double>(bytes);
  std::size_t i = 0;
  while (value >= 1024.0 && i + 1 < kNames.size()) {
    value /= 1024.0;
    ++i;
  }
  return fmt::format("{:.1f} {}", value, kNames[i]);
}

std::string describe_size(std::uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  return fmt::format("{} bytes ({})", bytes, human_size(bytes));
}

}  // namespace mmf::tool
