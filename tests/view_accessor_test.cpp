// mmf — view_accessor: map access × view access, offsets and bounds, typed and array reads and
// writes, bytes(), sharing between views, flush().
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

#include "support/error_assertions.hpp"
#include "support/test_support.hpp"

namespace {

using mmf::access;
using mmf::file_mode;
using mmf::memory_mapped_file;
using mmf::view_accessor;
namespace fs = std::filesystem;

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

const char* to_string(access a) {
  switch (a) {
    case access::read_write:
      return "read_write";
    case access::read:
      return "read";
    case access::write:
      return "write";
    case access::copy_on_write:
      return "copy_on_write";
    case access::read_execute:
      return "read_execute";
    case access::read_write_execute:
      return "read_write_execute";
  }
  return "?";
}

constexpr access kMapAccesses[] = {access::read_write, access::read, access::copy_on_write,
                                   access::read_execute, access::read_write_execute};
constexpr access kViewAccesses[] = {access::read_write,   access::read,
                                    access::write,        access::copy_on_write,
                                    access::read_execute, access::read_write_execute};

// Whether a view with `view` access may be made of a map with `map` access (as .NET and Windows'
// section protections allow): shared writes need a writable map, execute needs an executable
// map, copy-on-write only needs a readable map.
bool allowed(access map, access view) {
  const bool map_writes = map == access::read_write || map == access::read_write_execute;
  const bool map_executes = map == access::read_execute || map == access::read_write_execute;
  switch (view) {
    case access::read:
    case access::copy_on_write:
      return true;
    case access::read_write:
    case access::write:
      return map_writes;
    case access::read_execute:
      return map_executes;
    case access::read_write_execute:
      return map_writes && map_executes;
  }
  return false;
}

bool expected_can_read(access view) {
  return view != access::write;
}
bool expected_can_write(access view) {
  return view == access::read_write || view == access::write || view == access::copy_on_write ||
         view == access::read_write_execute;
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>(i * 7 + 3);
  return s;
}

bool has_execute(access a) {
  return a == access::read_execute || a == access::read_write_execute;
}

// Whether the OS refuses executable mappings of `map` (a noexec mount: Docker mounts /dev/shm
// noexec by default). API.md makes that permission_denied; the matrix then skips execute cases.
bool execute_refused(const memory_mapped_file& map) {
  std::error_code ec;
  auto view = map.create_view_accessor(0, 0, access::read_execute, ec);
  return ec == std::errc::permission_denied;
}

// Runs check(map, map_access, view_access) for every view access of every map access, on a map
// that make(map_access) creates, under a trace naming both; executable views are skipped where
// `no_exec`. Stops at the first fatal failure, as a loop in the test would.
template <class Make, class Check>
void for_every_combination(bool no_exec, Make make, Check check) {
  for (const access map_access : kMapAccesses) {
    auto map = make(map_access);
    ASSERT_EQ(map.map_access(), map_access);
    for (const access view_access : kViewAccesses) {
      SCOPED_TRACE(std::string("map ") + to_string(map_access) + ", view " +
                   to_string(view_access));
      if (no_exec && has_execute(view_access)) continue;
      check(map, map_access, view_access);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

// ---- Map access × view access
// --------------------------------------------------------------------

class AccessMatrix : public ::testing::Test {
 protected:
  static constexpr std::size_t kSize = 8192;
  mmf_test::temp_dir dir_;
  fs::path path_ = dir_ / "matrix.bin";
  void SetUp() override { mmf_test::write_file(path_, pattern(kSize)); }
};

TEST_F(AccessMatrix, PersistedMapEveryCombination) {
  const bool no_exec = execute_refused(
      memory_mapped_file::create_from_file(path_, file_mode::open, {}, 0, access::read_execute));
  if (no_exec) std::cout << "note: executable file mappings refused here; skipping them\n";
  const auto make = [&](access map_access) {
    return memory_mapped_file::create_from_file(path_, file_mode::open, {}, 0, map_access);
  };
  for_every_combination(
      no_exec, make, [&](const memory_mapped_file& map, access map_access, access view_access) {
        if (!allowed(map_access, view_access)) {
          EXPECT_MMF_ERROR(map.create_view_accessor(0, 0, view_access),
                           std::errc::permission_denied);
          EXPECT_MMF_ERROR(map.create_view_stream(0, 0, view_access), std::errc::permission_denied);
          return;
        }
        auto view = map.create_view_accessor(100, 1000, view_access);
        ASSERT_TRUE(view);
        EXPECT_EQ(view.can_read(), expected_can_read(view_access));
        EXPECT_EQ(view.can_write(), expected_can_write(view_access));
        EXPECT_EQ(view.capacity(), 1000u);
        auto stream = map.create_view_stream(100, 1000, view_access);
        EXPECT_EQ(stream.can_read(), expected_can_read(view_access));
        EXPECT_EQ(stream.can_write(), expected_can_write(view_access));

        if (view.can_read()) {
          EXPECT_EQ(view.read<char>(0), pattern(kSize)[100]);
          EXPECT_EQ(view.read<char>(999), pattern(kSize)[1099]);
        } else {
          EXPECT_MMF_ERROR(view.read<char>(0), std::errc::permission_denied);
        }
        if (!view.can_write()) {
          EXPECT_MMF_ERROR(view.write<char>(0, 'w'), std::errc::permission_denied);
          return;
        }
        // A write through this view; what does a plain read view of the map see?
        view.write<char>(0, 'W');
        auto observer = map.create_view_accessor(100, 1, access::read);
        if (view_access == access::copy_on_write) {
          EXPECT_EQ(view.read<char>(0), 'W');
          EXPECT_EQ(observer.read<char>(0), pattern(kSize)[100])
              << "copy-on-write write was shared";
        } else {
          EXPECT_EQ(observer.read<char>(0), 'W');
          view.write<char>(0, pattern(kSize)[100]);  // restore for the next combination
        }
      });
  if (HasFatalFailure()) return;
  // No copy-on-write write ever reached the file.
  EXPECT_EQ(mmf_test::read_file(path_), pattern(kSize));
}

TEST_F(AccessMatrix, SharedMemoryEveryCombination) {
  const bool no_exec =
      execute_refused(memory_mapped_file::create_new("", kSize, access::read_execute));
  if (no_exec) std::cout << "note: executable shared-memory mappings refused here; skipping them\n";
  const auto make = [&](access map_access) {
    return memory_mapped_file::create_new(mmf_test::unique_name("matrix"), kSize, map_access);
  };
  for_every_combination(no_exec, make,
                        [&](const memory_mapped_file& map, access map_access, access view_access) {
                          if (!allowed(map_access, view_access)) {
                            EXPECT_MMF_ERROR(map.create_view_accessor(0, 0, view_access),
                                             std::errc::permission_denied);
                            return;
                          }
                          auto view = map.create_view_accessor(0, 0, view_access);
                          EXPECT_EQ(view.can_read(), expected_can_read(view_access));
                          EXPECT_EQ(view.can_write(), expected_can_write(view_access));
                          if (view.can_read()) {
                            EXPECT_EQ(view.read<std::uint64_t>(kSize - 8), 0u);
                          }
                          if (view.can_write()) view.write<std::uint8_t>(5, 1);
                        });
}

TEST_F(AccessMatrix, CopyOnWriteMapKeepsWritesPrivate) {
  auto shared = memory_mapped_file::create_from_file(path_);
  auto cow =
      memory_mapped_file::create_from_file(path_, file_mode::open, {}, 0, access::copy_on_write);
  auto a = cow.create_view_accessor(0, 0, access::copy_on_write);
  auto b = cow.create_view_accessor(0, 0, access::copy_on_write);
  a.write<std::uint32_t>(10, 0xa5a5a5a5u);
  EXPECT_EQ(a.read<std::uint32_t>(10), 0xa5a5a5a5u);
  std::uint32_t original = 0;
  std::memcpy(&original, pattern(kSize).data() + 10, 4);
  EXPECT_EQ(b.read<std::uint32_t>(10), original) << "two copy-on-write views share writes";
  EXPECT_EQ(shared.create_view_accessor().read<std::uint32_t>(10), original);
  a.flush();  // a no-op for copy-on-write views
  a = view_accessor();
  b = view_accessor();
  EXPECT_EQ(mmf_test::read_file(path_), pattern(kSize));
}

TEST_F(AccessMatrix, WriteOnlyView) {
  auto map = memory_mapped_file::create_from_file(path_);
  auto w = map.create_view_accessor(0, 64, access::write);
  EXPECT_FALSE(w.can_read());
  EXPECT_TRUE(w.can_write());
  EXPECT_MMF_ERROR(w.read<int>(0), std::errc::permission_denied);
  int out[4] = {-1, -1, -1, -1};
  EXPECT_MMF_ERROR(w.read_array(0, std::span<int>(out)), std::errc::permission_denied);
  EXPECT_EQ(out[0], -1);
  w.write<int>(4, 0x01020304);
  EXPECT_EQ(map.create_view_accessor(0, 0, access::read).read<int>(4), 0x01020304);
  const int values[2] = {5, 6};
  w.write_array(8, std::span<const int>(values));
  EXPECT_EQ(map.create_view_accessor().read<int>(12), 6);
}

// ---- Offsets and bounds
// --------------------------------------------------------------------------

class Offsets : public ::testing::Test {
 protected:
  static constexpr std::uint64_t kCap = 3 * 65536 + 17;  // several granules, not page-aligned
  memory_mapped_file map_ = memory_mapped_file::create_new("", kCap);
  std::string content_ = pattern(kCap);
  void SetUp() override {
    auto all = map_.create_view_accessor();
    std::memcpy(all.bytes().data(), content_.data(), content_.size());
  }
  void check_view(std::uint64_t offset, std::uint64_t size) {
    SCOPED_TRACE("offset " + std::to_string(offset) + " size " + std::to_string(size));
    auto view = map_.create_view_accessor(offset, size);
    const std::uint64_t expected_size = size == 0 ? kCap - offset : size;
    EXPECT_EQ(view.capacity(), expected_size);
    EXPECT_EQ(view.bytes().size(), expected_size);
    EXPECT_EQ(view.pointer_offset(), offset % mmf::allocation_granularity());
    if (expected_size == 0) return;
    EXPECT_EQ(view.read<char>(0), content_[offset]);
    EXPECT_EQ(view.read<char>(expected_size - 1), content_[offset + expected_size - 1]);
    EXPECT_EQ(std::memcmp(view.bytes().data(), content_.data() + offset, expected_size), 0);
    EXPECT_MMF_ERROR(view.read<char>(expected_size), std::errc::result_out_of_range);
    auto stream = map_.create_view_stream(offset, size);
    EXPECT_EQ(stream.capacity(), expected_size);
    EXPECT_EQ(stream.pointer_offset(), offset % mmf::allocation_granularity());
    EXPECT_EQ(stream.read_as<char>(), content_[offset]);
  }
};

TEST_F(Offsets, AtZero) {
  check_view(0, 0);
  check_view(0, 1);
  check_view(0, 100);
}

TEST_F(Offsets, Unaligned) {
  const std::uint64_t page = mmf::page_size();
  const std::uint64_t granule = mmf::allocation_granularity();
  for (const std::uint64_t offset : std::initializer_list<std::uint64_t>{
           1, 4097, page + 3, page - 1, granule + 1, 2 * granule - 5, 65537}) {
    check_view(offset, 0);
    check_view(offset, 10);
    check_view(offset, kCap - offset);
  }
}

TEST_F(Offsets, AlignedButNotAtZero) {
  check_view(mmf::page_size(), 0);
  check_view(mmf::allocation_granularity(), 1);
}

TEST_F(Offsets, TheLastByte) {
  check_view(kCap - 1, 0);
  check_view(kCap - 1, 1);
  auto last = map_.create_view_accessor(kCap - 1, 1);
  last.write<char>(0, 'L');
  EXPECT_EQ(map_.create_view_accessor().read<char>(kCap - 1), 'L');
}

TEST_F(Offsets, PastTheEnd) {
  EXPECT_MMF_ERROR(map_.create_view_accessor(kCap + 1, 0), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(map_.create_view_accessor(kCap, 1), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(map_.create_view_accessor(0, kCap + 1), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(map_.create_view_accessor(kCap - 10, 11), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(map_.create_view_accessor(kMax, 0), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(map_.create_view_stream(kCap + 1, 0), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(map_.create_view_stream(kCap - 10, 11), std::errc::result_out_of_range);
}

TEST_F(Offsets, AtTheEndWithSizeZeroIsAnEmptyView) {
  auto view = map_.create_view_accessor(kCap, 0);
  EXPECT_EQ(view.capacity(), 0u);
  EXPECT_TRUE(view.bytes().empty());
  auto stream = map_.create_view_stream(kCap, 0);
  EXPECT_EQ(stream.capacity(), 0u);
}

TEST_F(Offsets, OffsetPlusSizeOverflowing64Bits) {
  EXPECT_MMF_ERROR(map_.create_view_accessor(1, kMax), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(map_.create_view_accessor(kMax, 1), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(map_.create_view_accessor(kMax, kMax), std::errc::result_out_of_range);
  // offset + size wraps to exactly 0 and to values below the capacity.
  EXPECT_MMF_ERROR(map_.create_view_accessor(4096, kMax - 4095), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(map_.create_view_accessor(4096, kMax - 4095 + 100),
                   std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(map_.create_view_stream(1, kMax), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(map_.create_view_stream(4096, kMax - 4095), std::errc::result_out_of_range);
}

// ---- Typed reads and writes
// ----------------------------------------------------------------------

struct record {
  char tag;
  double value;
  std::int16_t small;
  std::array<std::uint8_t, 5> raw;
};
static_assert(std::is_trivially_copyable_v<record>);

bool same(const record& a, const record& b) {
  return a.tag == b.tag && a.value == b.value && a.small == b.small && a.raw == b.raw;
}

TEST(Accessor, TypedReadWriteAtUnalignedPositions) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto view = map.create_view_accessor(3, 1000);
  for (std::uint64_t pos = 0; pos < 16; ++pos) {
    SCOPED_TRACE(pos);
    view.write<std::uint64_t>(pos, 0x0102030405060708ULL + pos);
    EXPECT_EQ(view.read<std::uint64_t>(pos), 0x0102030405060708ULL + pos);
    view.write<double>(pos + 100, 3.25 + static_cast<double>(pos));
    double d = 0;
    view.read(pos + 100, d);
    EXPECT_EQ(d, 3.25 + static_cast<double>(pos));
    view.write<std::int16_t>(pos + 200, static_cast<std::int16_t>(-3 - static_cast<int>(pos)));
    EXPECT_EQ(view.read<std::int16_t>(pos + 200), -3 - static_cast<int>(pos));
  }
  // The bytes are exactly the object's representation (what memcpy would store).
  const std::uint32_t v = 0xa1b2c3d4u;
  view.write<std::uint32_t>(501, v);
  std::uint32_t raw = 0;
  std::memcpy(&raw, view.bytes().data() + 501, 4);
  EXPECT_EQ(raw, v);
  // The view is at map offset 3: the same bytes seen through a view at 0.
  EXPECT_EQ(map.create_view_accessor().read<std::uint32_t>(504), v);
}

// As .NET's ReadBoolean: any non-zero byte is true, and the bool read is a valid bool (copying a
// byte such as 2 into a bool would be undefined behaviour, which UBSan reports).
TEST(Accessor, BoolReadsAreTrueForAnyNonZeroByte) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto view = map.create_view_accessor();
  const std::array<std::uint8_t, 6> bytes{0, 1, 2, 0x7f, 0x80, 0xff};
  view.write_array(10, std::span<const std::uint8_t>(bytes));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    SCOPED_TRACE(static_cast<int>(bytes[i]));
    const bool expected = bytes[i] != 0;
    const bool got = view.read<bool>(10 + i);
    unsigned char representation = 0xaa;
    std::memcpy(&representation, &got, 1);
    EXPECT_EQ(representation, expected ? 1 : 0) << "a valid bool holds 0 or 1";
    bool out = !expected;
    view.read(10 + i, out);
    std::memcpy(&representation, &out, 1);
    EXPECT_EQ(representation, expected ? 1 : 0);
  }
  std::array<bool, 6> many{};
  ASSERT_EQ(view.read_array(10, std::span<bool>(many)), many.size());
  for (std::size_t i = 0; i < many.size(); ++i) {
    unsigned char representation = 0xaa;
    std::memcpy(&representation, &many[i], 1);
    EXPECT_EQ(representation, bytes[i] != 0 ? 1 : 0) << "read_array element " << i;
  }
  // Writing a bool stores 0 or 1.
  view.write(20, true);
  view.write(21, false);
  EXPECT_EQ(view.read<std::uint8_t>(20), 1);
  EXPECT_EQ(view.read<std::uint8_t>(21), 0);
}

TEST(Accessor, StructsAtUnalignedPositions) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto view = map.create_view_accessor();
  const record r{'q', -1.5e300, -32000, {1, 2, 3, 4, 5}};
  for (std::uint64_t pos : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{7},
                            std::uint64_t{4096 - sizeof(record)}}) {
    SCOPED_TRACE(pos);
    view.write(pos, r);
    EXPECT_TRUE(same(view.read<record>(pos), r));
    record out{};
    view.read(pos, out);
    EXPECT_TRUE(same(out, r));
  }
  EXPECT_MMF_ERROR(view.write(4096 - sizeof(record) + 1, r), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(view.read<record>(4096 - sizeof(record) + 1), std::errc::result_out_of_range);
}

TEST(Accessor, ReadAndWriteBounds) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto view = map.create_view_accessor(10, 100);
  view.write<std::uint32_t>(96, 1);  // the last 4 bytes
  EXPECT_EQ(view.read<std::uint32_t>(96), 1u);
  view.write<std::uint8_t>(99, 2);
  EXPECT_MMF_ERROR(view.read<std::uint32_t>(97), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(view.write<std::uint32_t>(97, 5u), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(view.read<std::uint8_t>(100), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(view.write<std::uint8_t>(100, 1), std::errc::result_out_of_range);
  // position + sizeof(T) overflows 64 bits.
  EXPECT_MMF_ERROR(view.read<std::uint64_t>(kMax - 3), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(view.write<std::uint64_t>(kMax - 3, 7u), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(view.read<std::uint8_t>(kMax), std::errc::result_out_of_range);
  // The failed write changed nothing: the view's bytes past the map's view are untouched.
  EXPECT_EQ(map.create_view_accessor().read<std::uint8_t>(110), 0);
  EXPECT_EQ(view.read<std::uint8_t>(99), 2);
}

TEST(Accessor, ReadArrayReturnsTheCount) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto view = map.create_view_accessor(0, 100);
  for (int i = 0; i < 25; ++i)
    view.write<std::int32_t>(static_cast<std::uint64_t>(i) * 4, i + 1);

  std::array<std::int32_t, 5> out{};
  EXPECT_EQ(view.read_array(8, std::span<std::int32_t>(out)), 5u);
  EXPECT_EQ(out, (std::array<std::int32_t, 5>{3, 4, 5, 6, 7}));

  // Near the end: fewer, and the rest untouched.
  out.fill(-1);
  EXPECT_EQ(view.read_array(90, std::span<std::int32_t>(out)), 2u);  // bytes 90..97
  std::int32_t expect0 = 0;
  std::memcpy(&expect0, view.bytes().data() + 90, 4);
  EXPECT_EQ(out[0], expect0);
  EXPECT_EQ(out[2], -1);
  EXPECT_EQ(out[3], -1);
  EXPECT_EQ(out[4], -1);

  out.fill(-1);
  EXPECT_EQ(view.read_array(97, std::span<std::int32_t>(out)), 0u);  // 3 bytes left: none fits
  EXPECT_EQ(view.read_array(100, std::span<std::int32_t>(out)), 0u);
  EXPECT_EQ(view.read_array(1000, std::span<std::int32_t>(out)), 0u);
  EXPECT_EQ(view.read_array(kMax, std::span<std::int32_t>(out)), 0u);
  EXPECT_EQ(out[0], -1);
  EXPECT_EQ(view.read_array(0, std::span<std::int32_t>()), 0u);

  // Unaligned position, structs.
  const record r{'r', 2.5, 7, {9, 9, 9, 9, 9}};
  auto rv = map.create_view_accessor(1000, 3 * sizeof(record) + 5);
  rv.write(1, r);
  rv.write(1 + sizeof(record), r);
  std::array<record, 4> recs{};
  EXPECT_EQ(rv.read_array(1, std::span<record>(recs)), 3u);
  EXPECT_TRUE(same(recs[0], r));
  EXPECT_TRUE(same(recs[1], r));
}

TEST(Accessor, WriteArrayIsAllOrNothing) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto view = map.create_view_accessor(0, 100);
  const std::array<std::uint16_t, 4> values{0x1111, 0x2222, 0x3333, 0x4444};
  view.write_array(92, std::span<const std::uint16_t>(values));  // exactly to the end
  EXPECT_EQ(view.read<std::uint16_t>(98), 0x4444);
  // An unaligned read inside: bytes 11 11 22 22 ..., so position 93 holds the bytes 11 22.
  const unsigned char straddle[2] = {0x11, 0x22};
  std::uint16_t expected = 0;
  std::memcpy(&expected, straddle, 2);
  EXPECT_EQ(view.read<std::uint16_t>(93), expected);

  auto all = map.create_view_accessor();
  const std::string before(reinterpret_cast<const char*>(all.bytes().data()), 4096);
  EXPECT_MMF_ERROR(view.write_array(93, std::span<const std::uint16_t>(values)),
                   std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(view.write_array(100, std::span<const std::uint16_t>(values)),
                   std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(view.write_array(kMax - 1, std::span<const std::uint16_t>(values)),
                   std::errc::result_out_of_range);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(all.bytes().data()), 4096), before)
      << "a write_array that does not fit wrote something";
  // Empty arrays fit anywhere inside or at the end.
  view.write_array(100, std::span<const std::uint16_t>());
  // Non-const spans and vectors work too.
  std::vector<std::uint16_t> vec{7, 8, 9};
  view.write_array(1, std::span<std::uint16_t>(vec));
  EXPECT_EQ(view.read<std::uint16_t>(5), 9);
}

TEST(Accessor, BytesIsTheView) {
  auto map = memory_mapped_file::create_new("", 10000);
  auto view = map.create_view_accessor(5000, 1234);
  auto bytes = view.bytes();
  EXPECT_EQ(bytes.size(), 1234u);
  bytes[0] = std::byte{0x42};
  bytes[1233] = std::byte{0x43};
  EXPECT_EQ(view.read<std::uint8_t>(0), 0x42);
  auto other = map.create_view_accessor(0, 0, access::read);
  EXPECT_EQ(other.read<std::uint8_t>(5000), 0x42);
  EXPECT_EQ(other.read<std::uint8_t>(6233), 0x43);
  const view_accessor& cview = other;
  EXPECT_EQ(cview.bytes().size(), 10000u);
  EXPECT_EQ(cview.bytes()[5000], std::byte{0x42});
  // Distinct views of one map are distinct mappings of the same memory.
  EXPECT_NE(static_cast<const void*>(view.bytes().data()),
            static_cast<const void*>(other.bytes().data() + 5000));
}

TEST(Accessor, TwoViewsSeeEachOthersWritesAtOnce) {
  const std::string name = mmf_test::unique_name("twoviews");
  auto map = memory_mapped_file::create_new(name, 1 << 16);
  auto a = map.create_view_accessor();
  auto b = map.create_view_accessor();
  a.write<std::uint64_t>(8, 1);
  EXPECT_EQ(b.read<std::uint64_t>(8), 1u);
  b.write<std::uint64_t>(8, 2);
  EXPECT_EQ(a.read<std::uint64_t>(8), 2u);
  // Overlapping views at different offsets (one unaligned).
  auto c = map.create_view_accessor(4000, 300);
  auto d = map.create_view_accessor(4250, 1000);
  c.write<std::uint32_t>(260, 0xfeedu);  // map offset 4260
  EXPECT_EQ(d.read<std::uint32_t>(10), 0xfeedu);
  EXPECT_EQ(a.read<std::uint32_t>(4260), 0xfeedu);
  d.write<std::uint32_t>(0, 0xbeefu);  // map offset 4250
  EXPECT_EQ(c.read<std::uint32_t>(250), 0xbeefu);
  // And through a second handle of the named map.
  auto opened = memory_mapped_file::open_existing(name);
  EXPECT_EQ(opened.create_view_accessor(4250, 4).read<std::uint32_t>(0), 0xbeefu);
}

TEST(Accessor, FlushOnPersistedAndNonPersistedMaps) {
  mmf_test::temp_dir dir;
  auto file = memory_mapped_file::create_from_file(dir / "f.bin", file_mode::create_new, {}, 8192);
  auto fv = file.create_view_accessor(4097, 100);
  fv.write<std::uint64_t>(3, 0x1234567890ULL);
  fv.flush();
  const std::string content = mmf_test::read_file(dir / "f.bin");
  std::uint64_t v = 0;
  std::memcpy(&v, content.data() + 4100, 8);
  EXPECT_EQ(v, 0x1234567890ULL);
  auto ro = file.create_view_accessor(0, 0, access::read);
  ro.flush();  // nothing dirty: fine

  auto shm = memory_mapped_file::create_new("", 4096);
  auto sv = shm.create_view_accessor();
  sv.write<int>(0, 1);
  sv.flush();  // a no-op
  EXPECT_EQ(sv.read<int>(0), 1);
}

TEST(Accessor, MoveKeepsTheMapping) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto a = map.create_view_accessor(1, 10);
  a.write<int>(0, 77);
  view_accessor b(std::move(a));
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(a.capacity(), 0u);
  EXPECT_TRUE(b);
  EXPECT_EQ(b.capacity(), 10u);
  EXPECT_EQ(b.pointer_offset(), 1u % mmf::allocation_granularity());
  EXPECT_EQ(b.read<int>(0), 77);
  view_accessor c;
  c = std::move(b);
  EXPECT_EQ(c.read<int>(0), 77);
  c = map.create_view_accessor(0, 5);  // move-assignment over a live view
  EXPECT_EQ(c.read<int>(1), 77);
}

}  // namespace
