// mmf tool — strict parsing of the command line's numbers and byte strings.
//
// Every function here either returns the exact value written or throws usage_error with a message
// that quotes the text and names the argument (`what`, e.g. "SIZE" or "--offset"). Nothing is
// wrapped, truncated, rounded or silently clamped: "-1", "18446744073709551616", "12abc", "1.5MiB",
// " 12" and "" are all errors. Sizes are 64-bit on every platform, 32-bit builds included.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mmf::tool {

// A mistake on the command line: reported with exit code 2.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A byte count or offset: decimal digits with an optional unit, or 0x followed by hex digits.
//   B                          1
//   KiB MiB GiB TiB PiB EiB    powers of 1024
//   KB  MB  GB  TB  PB  EB     powers of 1000
// Units are matched without regard to case ("64kib" is 64 KiB). Leading zeros are decimal, not
// octal. Throws usage_error for anything else, and for values above 2^64 - 1.
std::uint64_t parse_size(std::string_view text, std::string_view what);

// An unsigned integer in [0, max]: decimal, or 0x + hex digits. No units.
std::uint64_t parse_unsigned(std::string_view text, std::uint64_t max, std::string_view what);

// A signed integer in [min, max]: optional '-', then decimal or 0x + hex digits.
std::int64_t parse_signed(std::string_view text, std::int64_t min, std::int64_t max,
                          std::string_view what);

// A floating-point number as std::from_chars reads it (also "inf", "nan"); for f32 a finite text
// outside float's range is an error rather than infinity.
double parse_f64(std::string_view text, std::string_view what);
float parse_f32(std::string_view text, std::string_view what);

// A duration: a decimal number (digits, optionally a fraction: "1.5") with an optional unit
// ns, us, ms, s (the default), min; case is ignored. Exact to the nanosecond ("1.5ms" is
// 1,500,000 ns); finer fractions, negative values and values over about 292 years are errors.
std::chrono::nanoseconds parse_duration(std::string_view text, std::string_view what);

// Hex bytes: pairs of hex digits, optionally after "0x", optionally separated by spaces, ':' or
// '-' between bytes ("deadbeef", "de ad be ef", "0xDEADBEEF", "de:ad:be:ef"). At least one byte.
std::vector<std::byte> parse_hex_bytes(std::string_view text, std::string_view what);

// `text` in double quotes for messages, with control bytes shown as \n, \t or \xNN.
std::string in_quotes(std::string_view text);

// "65536 bytes (64 KiB)" style rendering for messages; exact bytes first.
std::string describe_size(std::uint64_t bytes);
// Short human form for progress bars and tables: "512 B", "1.5 MiB".
std::string human_size(std::uint64_t bytes);

}  // namespace mmf::tool
