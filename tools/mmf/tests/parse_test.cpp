// Tests of the mmf tool's strict number parser (tools/mmf/parse.hpp): every accepted form gives
// the exact value, every other form is a usage_error whose message quotes the text.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>

#include "parse.hpp"

namespace {

int g_failures = 0;

void check(bool ok, const char* expr, int line) {
  if (!ok) {
    std::fprintf(stderr, "parse_test.cpp:%d: check failed: %s\n", line, expr);
    ++g_failures;
  }
}
#define CHECK(expr) check((expr), #expr, __LINE__)

// Runs f and checks that it throws usage_error whose message contains `fragment`.
template <class F>
void expect_usage_error(F f, std::string_view fragment, int line) {
  try {
    f();
    std::fprintf(stderr, "parse_test.cpp:%d: no usage_error thrown\n", line);
    ++g_failures;
  } catch (const mmf::tool::usage_error& e) {
    if (std::string_view(e.what()).find(fragment) == std::string_view::npos) {
      std::fprintf(stderr, "parse_test.cpp:%d: message \"%s\" lacks \"%.*s\"\n", line, e.what(),
                   static_cast<int>(fragment.size()), fragment.data());
      ++g_failures;
    }
  }
}
#define EXPECT_USAGE(expr, fragment) expect_usage_error([&] { (void)(expr); }, fragment, __LINE__)

}  // namespace

int main() {
  using namespace mmf::tool;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

  // Sizes: bytes, hex, binary and decimal units, any case.
  CHECK(parse_size("0", "N") == 0);
  CHECK(parse_size("4096", "N") == 4096);
  CHECK(parse_size("007", "N") == 7);  // decimal, not octal
  CHECK(parse_size("0x1000", "N") == 4096);
  CHECK(parse_size("0XfF", "N") == 255);
  CHECK(parse_size("1B", "N") == 1);
  CHECK(parse_size("64KiB", "N") == 65536);
  CHECK(parse_size("64kib", "N") == 65536);
  CHECK(parse_size("3MiB", "N") == 3u << 20);
  CHECK(parse_size("1GiB", "N") == 1u << 30);
  CHECK(parse_size("5GiB", "N") == std::uint64_t{5} << 30);  // past 32 bits, in 32-bit builds too
  CHECK(parse_size("2TiB", "N") == std::uint64_t{2} << 40);
  CHECK(parse_size("15EiB", "N") == std::uint64_t{15} << 60);
  CHECK(parse_size("1KB", "N") == 1000);
  CHECK(parse_size("2MB", "N") == 2000000);
  CHECK(parse_size("3GB", "N") == 3000000000u);
  CHECK(parse_size("4TB", "N") == 4000000000000u);
  CHECK(parse_size("18446744073709551615", "N") == kMax);
  CHECK(parse_size("0xffffffffffffffff", "N") == kMax);

  EXPECT_USAGE(parse_size("", "SIZE"), "SIZE \"\" is empty");
  EXPECT_USAGE(parse_size("-1", "SIZE"), "SIZE \"-1\" is negative");
  EXPECT_USAGE(parse_size("-0", "SIZE"), "is negative");
  EXPECT_USAGE(parse_size("+1", "SIZE"), "is not a number");
  EXPECT_USAGE(parse_size(" 1", "SIZE"), "is not a number");
  EXPECT_USAGE(parse_size("1 ", "SIZE"), "unknown unit");
  EXPECT_USAGE(parse_size("abc", "SIZE"), "is not a number");
  EXPECT_USAGE(parse_size("12abc", "SIZE"), "unknown unit \"abc\"");
  EXPECT_USAGE(parse_size("64k", "SIZE"), "unknown unit \"k\"");
  EXPECT_USAGE(parse_size("1.5MiB", "SIZE"), "not a whole number");
  EXPECT_USAGE(parse_size("1e3", "SIZE"), "unknown unit");
  EXPECT_USAGE(parse_size("0x", "SIZE"), "is not a number");
  EXPECT_USAGE(parse_size("0x1g", "SIZE"), "is not a number");
  EXPECT_USAGE(parse_size("0x1KiB", "SIZE"), "is not a number");
  EXPECT_USAGE(parse_size("18446744073709551616", "SIZE"), "too large");
  EXPECT_USAGE(parse_size("99999999999999999999999", "SIZE"), "too large");
  EXPECT_USAGE(parse_size("0x10000000000000000", "SIZE"), "too large");
  EXPECT_USAGE(parse_size("16EiB", "SIZE"), "too large");
  EXPECT_USAGE(parse_size("17179869184GiB", "SIZE"), "too large");
  EXPECT_USAGE(parse_size("19EB", "SIZE"), "too large");

  // Unsigned and signed integers with limits.
  CHECK(parse_unsigned("255", 255, "--u8") == 255);
  CHECK(parse_unsigned("0xff", 255, "--u8") == 255);
  EXPECT_USAGE(parse_unsigned("256", 255, "--u8"), "out of range (expected 0 to 255)");
  EXPECT_USAGE(parse_unsigned("-1", 255, "--u8"), "is negative");
  EXPECT_USAGE(parse_unsigned("1KiB", kMax, "--u64"), "is not a number");
  CHECK(parse_unsigned("18446744073709551615", kMax, "--u64") == kMax);
  EXPECT_USAGE(parse_unsigned("18446744073709551616", kMax, "--u64"), "too large");

  constexpr std::int64_t kMin64 = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax64 = std::numeric_limits<std::int64_t>::max();
  CHECK(parse_signed("-7", -128, 127, "--i8") == -7);
  CHECK(parse_signed("-128", -128, 127, "--i8") == -128);
  CHECK(parse_signed("127", -128, 127, "--i8") == 127);
  CHECK(parse_signed("-0x10", -128, 127, "--i8") == -16);
  CHECK(parse_signed("-0", -128, 127, "--i8") == 0);
  EXPECT_USAGE(parse_signed("128", -128, 127, "--i8"), "out of range (expected -128 to 127)");
  EXPECT_USAGE(parse_signed("-129", -128, 127, "--i8"), "out of range");
  CHECK(parse_signed("-9223372036854775808", kMin64, kMax64, "--i64") == kMin64);
  CHECK(parse_signed("9223372036854775807", kMin64, kMax64, "--i64") == kMax64);
  EXPECT_USAGE(parse_signed("9223372036854775808", kMin64, kMax64, "--i64"), "out of range");
  EXPECT_USAGE(parse_signed("-9223372036854775809", kMin64, kMax64, "--i64"), "out of range");
  EXPECT_USAGE(parse_signed("--5", kMin64, kMax64, "--i64"), "is not a number");
  EXPECT_USAGE(parse_signed("-", kMin64, kMax64, "--i64"), "is not a number");

  // Floating point.
  CHECK(parse_f64("-2.5", "--f64") == -2.5);
  CHECK(parse_f64("1e300", "--f64") == 1e300);
  CHECK(parse_f32("0.5", "--f32") == 0.5f);
  EXPECT_USAGE(parse_f32("1e39", "--f32"), "out of range");
  EXPECT_USAGE(parse_f64("1e400", "--f64"), "out of range");
  EXPECT_USAGE(parse_f64("1.5x", "--f64"), "not a floating-point number");
  EXPECT_USAGE(parse_f64("", "--f64"), "is empty");
  EXPECT_USAGE(parse_f64("0x10", "--f64"), "not a floating-point number");

  // Durations.
  using std::chrono::nanoseconds;
  CHECK(parse_duration("2", "--timeout") == nanoseconds(2'000'000'000));
  CHECK(parse_duration("1.5", "--timeout") == nanoseconds(1'500'000'000));
  CHECK(parse_duration("500ms", "--timeout") == nanoseconds(500'000'000));
  CHECK(parse_duration("1.5MS", "--timeout") == nanoseconds(1'500'000));
  CHECK(parse_duration("7ns", "--timeout") == nanoseconds(7));
  CHECK(parse_duration("250us", "--timeout") == nanoseconds(250'000));
  CHECK(parse_duration("2min", "--timeout") == nanoseconds(120'000'000'000));
  CHECK(parse_duration("0", "--timeout") == nanoseconds(0));
  CHECK(parse_duration("1.0ns", "--timeout") == nanoseconds(1));
  CHECK(parse_duration("9223372036.854775807", "--timeout") == nanoseconds::max());
  EXPECT_USAGE(parse_duration("", "--timeout"), "is empty");
  EXPECT_USAGE(parse_duration("-1", "--timeout"), "is not a duration");
  EXPECT_USAGE(parse_duration("1.5ns", "--timeout"), "finer than a nanosecond");
  EXPECT_USAGE(parse_duration("5h", "--timeout"), "unknown unit");
  EXPECT_USAGE(parse_duration("1.", "--timeout"), "is not a duration");
  EXPECT_USAGE(parse_duration(".5", "--timeout"), "is not a duration");
  EXPECT_USAGE(parse_duration("1.2.3", "--timeout"), "is not a duration");
  EXPECT_USAGE(parse_duration("9223372037", "--timeout"), "is too long");
  EXPECT_USAGE(parse_duration("1 s", "--timeout"), "unknown unit");

  // Hex bytes.
  CHECK(parse_hex_bytes("deadBEEF", "--hex").size() == 4);
  CHECK(parse_hex_bytes("0xdeadbeef", "--hex")[0] == std::byte{0xde});
  CHECK(parse_hex_bytes("de ad:be-ef", "--hex")[3] == std::byte{0xef});
  EXPECT_USAGE(parse_hex_bytes("abc", "--hex"), "odd number of hex digits");
  EXPECT_USAGE(parse_hex_bytes("zz", "--hex"), "non-hex character \"z\"");
  EXPECT_USAGE(parse_hex_bytes("", "--hex"), "has no bytes");
  EXPECT_USAGE(parse_hex_bytes("a b", "--hex"), "separator inside a byte");

  // Messages.
  CHECK(in_quotes("a\nb\x01") == "\"a\\nb\\x01\"");
  CHECK(describe_size(65536) == "65536 bytes (64.0 KiB)");
  CHECK(human_size(1536) == "1.5 KiB");

  if (g_failures != 0) {
    std::fprintf(stderr, "%d check(s) failed\n", g_failures);
    return 1;
  }
  std::puts("parse_test: all checks passed");
  return 0;
}
