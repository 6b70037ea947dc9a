// mmf — memory_mapped_file::grow and refresh_capacity: the error rows (smaller capacity, read-only
// maps, empty handles, Windows' maps that cannot grow), persisted, named and anonymous growth,
// existing views keeping their size, new views reaching the new end, other handles and processes
// seeing the new capacity (a writer growing a named map 100 times while a reader process reopens
// and refreshes and checks every byte written so far).
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

#include "helper/grow_pattern.hpp"
#include "support/error_assertions.hpp"
#include "support/test_support.hpp"

namespace {

using mmf::access;
using mmf::file_mode;
using mmf::inheritability;
using mmf::map_options;
using mmf::memory_mapped_file;

#ifdef _WIN32
constexpr bool kWindows = true;
#else
constexpr bool kWindows = false;
#endif

constexpr std::uint64_t kPage = 4096;

// Writes grow_pattern over [from, to) of the map through a new view.
void fill(const memory_mapped_file& map, std::uint64_t from, std::uint64_t to) {
  auto v = map.create_view_accessor(from, to - from);
  auto bytes = v.bytes();
  for (std::uint64_t at = from; at < to; ++at)
    bytes[static_cast<std::size_t>(at - from)] =
        static_cast<std::byte>(mmf_helper::grow_pattern(at));
}

// Whether [from, to) of the view (which starts at map offset `base`) holds grow_pattern.
::testing::AssertionResult holds_pattern(const mmf::view_accessor& v, std::uint64_t base,
                                         std::uint64_t from, std::uint64_t to) {
  const auto bytes = v.bytes();
  for (std::uint64_t at = from; at < to; ++at) {
    const auto got = static_cast<std::uint8_t>(bytes[static_cast<std::size_t>(at - base)]);
    if (got != mmf_helper::grow_pattern(at))
      return ::testing::AssertionFailure() << "byte " << at << " is " << int{got};
  }
  return ::testing::AssertionSuccess();
}

// The checks every kind of growable map passes: old views keep working and keep their size, a new
// view reaches the new end, the old bytes are still there and the new ones are zero.
void check_growth(memory_mapped_file& map, std::uint64_t before, std::uint64_t after) {
  fill(map, 0, before);
  auto old_view = map.create_view_accessor();
  ASSERT_EQ(old_view.capacity(), before);
  map.grow(after);
  EXPECT_EQ(map.capacity(), after);
  EXPECT_EQ(old_view.capacity(), before) << "an existing view keeps its size";
  EXPECT_TRUE(holds_pattern(old_view, 0, 0, before));
  old_view.write<std::uint8_t>(before - 1, 0xee);  // still writable
  auto whole = map.create_view_accessor();
  EXPECT_EQ(whole.capacity(), after);
  EXPECT_EQ(whole.read<std::uint8_t>(before - 1), 0xee) << "both views share the bytes";
  EXPECT_TRUE(holds_pattern(whole, 0, 0, before - 1));
  for (std::uint64_t at = before; at < after; at += 511)
    ASSERT_EQ(whole.read<std::uint8_t>(at), 0u) << "the grown part is zero at " << at;
  auto tail = map.create_view_accessor(after - 8, 8);  // a new view reaches the new end
  tail.write<std::uint64_t>(0, 0x1122334455667788u);
  EXPECT_EQ(whole.read<std::uint64_t>(after - 8), 0x1122334455667788u);
  EXPECT_MMF_ERROR(map.create_view_accessor(after - 8, 9), std::errc::result_out_of_range);
}

TEST(Grow, PersistedFileGrowsAndViewsStayValid) {
  mmf_test::temp_dir dir;
  const auto path = dir / "grow.bin";
  {
    auto map = memory_mapped_file::create_from_file(path, file_mode::create_new, {}, 3 * kPage + 5);
    check_growth(map, 3 * kPage + 5, 9 * kPage + 3);
    EXPECT_EQ(std::filesystem::file_size(path), 9 * kPage + 3);
    map.create_view_accessor().flush();
  }
  // The file holds what was written, old part and new end.
  auto again = memory_mapped_file::create_from_file(path, file_mode::open);
  EXPECT_EQ(again.capacity(), 9 * kPage + 3);
  auto v = again.create_view_accessor();
  EXPECT_TRUE(holds_pattern(v, 0, 0, 3 * kPage + 4));
  EXPECT_EQ(v.read<std::uint64_t>(9 * kPage + 3 - 8), 0x1122334455667788u);
}

TEST(Grow, PersistedOverANativeHandleGrowsTheFile) {
  mmf_test::temp_dir dir;
  const auto path = dir / "native.bin";
  mmf_test::write_file(path, std::string(kPage, 'x'));
  const auto handle = mmf_test::open_native_file(path, true);
  {
    auto map = memory_mapped_file::create_from_file(handle, {}, 0, access::read_write,
                                                    inheritability::none, true);
    check_growth(map, kPage, 2 * kPage + 100);
  }
  EXPECT_EQ(mmf_test::native_file_size(handle), 2 * kPage + 100);
  mmf_test::close_native_handle(handle);
}

TEST(Grow, NamedSharedMemoryGrowsOrIsNotSupportedOnWindows) {
  auto map = memory_mapped_file::create_new(mmf_test::unique_name("grow_named"), 2 * kPage);
  if (kWindows) {
    EXPECT_MMF_ERROR(map.grow(4 * kPage), std::errc::operation_not_supported);
    EXPECT_EQ(map.capacity(), 2 * kPage);
    return;
  }
  check_growth(map, 2 * kPage, 5 * kPage + 17);
}

TEST(Grow, AnonymousSharedMemoryGrowsOrIsNotSupportedOnWindows) {
  auto map = memory_mapped_file::create_new({}, kPage + 1);
  if (kWindows) {
    EXPECT_MMF_ERROR(map.grow(4 * kPage), std::errc::operation_not_supported);
    return;
  }
  check_growth(map, kPage + 1, 3 * kPage);
}

TEST(Grow, DelayAllocatePagesMapGrows) {
  auto map = memory_mapped_file::create_new(mmf_test::unique_name("grow_lazy"), kPage,
                                            access::read_write, map_options::delay_allocate_pages);
  if (kWindows) {
    EXPECT_MMF_ERROR(map.grow(2 * kPage), std::errc::operation_not_supported);
    return;
  }
  check_growth(map, kPage, 64 * kPage);
}

TEST(Grow, ManyTimesKeepsEveryByte) {
  mmf_test::temp_dir dir;
  auto map = memory_mapped_file::create_from_file(dir / "many.bin", file_mode::create_new, {}, 16);
  std::vector<mmf::view_accessor> views;
  std::uint64_t capacity = 16;
  fill(map, 0, capacity);
  for (int i = 0; i < 20; ++i) {
    views.push_back(map.create_view_accessor());
    const std::uint64_t next = capacity + 1000 + static_cast<std::uint64_t>(i) * 37;
    map.grow(next);
    fill(map, capacity, next);
    capacity = next;
  }
  auto whole = map.create_view_accessor();
  EXPECT_TRUE(holds_pattern(whole, 0, 0, capacity));
  std::uint64_t previous = 0;
  for (const auto& v : views) {
    EXPECT_GT(v.capacity(), previous);
    EXPECT_TRUE(holds_pattern(v, 0, 0, v.capacity()));
    previous = v.capacity();
  }
}

// ---- Errors -------------------------------------------------------------------------------------

TEST(Grow, SmallerCapacityIsInvalidArgumentAndEqualIsNothing) {
  mmf_test::temp_dir dir;
  auto file = memory_mapped_file::create_from_file(dir / "f.bin", file_mode::create_new, {}, kPage);
  auto named = memory_mapped_file::create_new(mmf_test::unique_name("grow_small"), kPage);
  auto anonymous = memory_mapped_file::create_new({}, kPage);
  for (auto* m : {&file, &named, &anonymous}) {
    EXPECT_MMF_ERROR(m->grow(kPage - 1), std::errc::invalid_argument);
    EXPECT_MMF_ERROR(m->grow(0), std::errc::invalid_argument);
    EXPECT_EQ(m->capacity(), kPage);
    m->grow(kPage);  // the same capacity: nothing to do, on every platform
    EXPECT_EQ(m->capacity(), kPage);
  }
  EXPECT_EQ(std::filesystem::file_size(dir / "f.bin"), kPage);
}

TEST(Grow, ReadOnlyMapsArePermissionDenied) {
  mmf_test::temp_dir dir;
  const auto path = dir / "ro.bin";
  mmf_test::write_file(path, std::string(kPage, 'r'));
  for (access acc : {access::read, access::copy_on_write, access::read_execute}) {
    auto map = memory_mapped_file::create_from_file(path, file_mode::open, {}, 0, acc);
    EXPECT_MMF_ERROR(map.grow(2 * kPage), std::errc::permission_denied);
    EXPECT_EQ(map.capacity(), kPage);
  }
  EXPECT_EQ(std::filesystem::file_size(path), kPage);
  const std::string name = mmf_test::unique_name("grow_ro");
  auto creator = memory_mapped_file::create_new(name, kPage);
  auto reader = memory_mapped_file::open_existing(name, access::read);
  EXPECT_MMF_ERROR(reader.grow(2 * kPage), std::errc::permission_denied);
  auto read_only = memory_mapped_file::create_new({}, kPage, access::read);
  EXPECT_MMF_ERROR(read_only.grow(2 * kPage), std::errc::permission_denied);
}

TEST(Grow, EmptyMapIsBadFileDescriptor) {
  memory_mapped_file empty;
  EXPECT_MMF_ERROR(empty.grow(kPage), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(empty.refresh_capacity(), std::errc::bad_file_descriptor);
  std::error_code ec;
  empty.grow(kPage, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
  EXPECT_EQ(empty.refresh_capacity(ec), 0u);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
}

TEST(Grow, ErrorCodeOverloadsAndWhatNamesTheMap) {
  const std::string name = mmf_test::unique_name("grow_ec");
  auto map = memory_mapped_file::create_new(name, 2 * kPage);
  std::error_code ec = std::make_error_code(std::errc::io_error);
  map.grow(kPage, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  const std::string what = MMF_ERROR_WHAT(map.grow(1), std::errc::invalid_argument);
  EXPECT_NE(what.find("grow \"" + name + "\""), std::string::npos) << what;
  map.grow(kWindows ? 2 * kPage : 3 * kPage, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(map.refresh_capacity(ec), kWindows ? 2 * kPage : 3 * kPage);
  EXPECT_FALSE(ec);

  mmf_test::temp_dir dir;
  auto file = memory_mapped_file::create_from_file(dir / "what.bin", file_mode::create_new, {}, 8);
  const std::string file_what = MMF_ERROR_WHAT(file.grow(4), std::errc::invalid_argument);
  EXPECT_NE(file_what.find("what.bin"), std::string::npos) << file_what;
}

// ---- Other handles and processes ----------------------------------------------------------------

TEST(Grow, RefreshCapacityOfAnotherHandleOfANamedMap) {
  const std::string name = mmf_test::unique_name("grow_refresh");
  auto writer = memory_mapped_file::create_new(name, kPage);
  auto reader = memory_mapped_file::open_existing(name);
  EXPECT_EQ(reader.refresh_capacity(), mmf_test::opened_capacity(kPage));
  if (kWindows) return;  // its maps cannot grow (see NamedSharedMemoryGrows...)
  writer.grow(10 * kPage);
  fill(writer, kPage, 10 * kPage);
  EXPECT_EQ(reader.capacity(), kPage) << "nothing changes until the reader asks";
  EXPECT_EQ(reader.refresh_capacity(), 10 * kPage);
  EXPECT_EQ(reader.capacity(), 10 * kPage);
  auto v = reader.create_view_accessor();
  EXPECT_EQ(v.capacity(), 10 * kPage);
  EXPECT_TRUE(holds_pattern(v, 0, kPage, 10 * kPage));
  EXPECT_EQ(memory_mapped_file::open_existing(name, access::read).capacity(), 10 * kPage);
  // The reader (read-write) may grow it too; the writer then sees that.
  reader.grow(12 * kPage);
  EXPECT_EQ(writer.refresh_capacity(), 12 * kPage);
}

TEST(Grow, AStaleHandleNeverShrinksTheMap) {
  if (kWindows) GTEST_SKIP() << "Windows' named maps cannot grow";
  const std::string name = mmf_test::unique_name("grow_stale");
  auto a = memory_mapped_file::create_new(name, kPage);
  auto b = memory_mapped_file::open_existing(name);
  a.grow(8 * kPage);
  fill(a, 0, 8 * kPage);
  b.grow(4 * kPage);  // b still thinks the map has one page: nothing is cut off
  EXPECT_EQ(b.capacity(), 4 * kPage);
  EXPECT_EQ(b.refresh_capacity(), 8 * kPage);
  auto v = a.create_view_accessor();
  EXPECT_TRUE(holds_pattern(v, 0, 0, 8 * kPage));
}

TEST(Grow, NamedPersistedMapPublishesTheNewCapacity) {
  mmf_test::temp_dir dir;
  const std::string name = mmf_test::unique_name("grow_file");
  auto map = memory_mapped_file::create_from_file(dir / "named.bin", file_mode::create_new, name,
                                                  2 * kPage);
  auto other = memory_mapped_file::open_existing(name);
  if (kWindows) {
    EXPECT_MMF_ERROR(map.grow(4 * kPage), std::errc::operation_not_supported);
    EXPECT_EQ(other.refresh_capacity(), mmf_test::opened_capacity(2 * kPage));
    return;
  }
  map.grow(6 * kPage);
  fill(map, 0, 6 * kPage);
  EXPECT_EQ(std::filesystem::file_size(dir / "named.bin"), 6 * kPage);
  EXPECT_EQ(other.capacity(), 2 * kPage);
  EXPECT_EQ(other.refresh_capacity(), 6 * kPage);
  EXPECT_TRUE(holds_pattern(other.create_view_accessor(), 0, 0, 6 * kPage));
  EXPECT_EQ(memory_mapped_file::open_existing(name, access::read).capacity(), 6 * kPage);
  // An opener (read-write) grows it too, and the creator sees it.
  other.grow(7 * kPage + 1);
  EXPECT_EQ(map.refresh_capacity(), 7 * kPage + 1);
  EXPECT_EQ(std::filesystem::file_size(dir / "named.bin"), 7 * kPage + 1);
}

TEST(Grow, RefreshCapacityOfUnnamedMapsIsTheirCapacity) {
  auto anonymous = memory_mapped_file::create_new({}, 3 * kPage);
  EXPECT_EQ(anonymous.refresh_capacity(), 3 * kPage);
  mmf_test::temp_dir dir;
  auto file = memory_mapped_file::create_from_file(dir / "u.bin", file_mode::create_new, {}, 100);
  EXPECT_EQ(file.refresh_capacity(), 100u);
}

// A writer grows a named map 100 times, writing each grown part and then publishing its length
// at offset 0; a reader process reopens and refreshes meanwhile and checks every byte so far.
TEST(Grow, ReaderProcessSeesEveryGrowthOfANamedMap) {
  if (kWindows) GTEST_SKIP() << "Windows' named maps cannot grow (operation_not_supported)";
  const std::string name = mmf_test::unique_name("grow_mp");
  constexpr std::uint64_t kStep = 1000;  // not a page multiple: growth inside and across pages
  constexpr int kGrowths = 100;
  const std::uint64_t final_capacity = kPage + kGrowths * kStep;
  auto map = memory_mapped_file::create_new(name, kPage);
  fill(map, 8, kPage);
  auto head = map.create_view_accessor(0, 8);
  std::atomic_ref<std::uint64_t> length(*reinterpret_cast<std::uint64_t*>(head.bytes().data()));
  length.store(kPage, std::memory_order_release);
  auto reader = mmf_test::spawn_helper({"map_grow_reader", name, std::to_string(final_capacity)});
  const auto ready = reader.read_line();
  ASSERT_TRUE(ready.has_value());
  ASSERT_EQ(ready->rfind("ready ", 0), 0u) << *ready;
  std::uint64_t capacity = kPage;
  for (int i = 0; i < kGrowths; ++i) {
    const std::uint64_t next = capacity + kStep;
    map.grow(next);
    fill(map, capacity, next);
    length.store(next, std::memory_order_release);
    capacity = next;
  }
  const auto done = reader.read_line(std::chrono::seconds(60));
  ASSERT_TRUE(done.has_value()) << "the reader did not finish";
  EXPECT_EQ(done->rfind("done ", 0), 0u) << *done;
  EXPECT_EQ(reader.wait(), 0) << *done;
  // "done <rounds> <reopens> <refreshes> <checked>": both ways used, everything checked.
  unsigned long long rounds = 0, reopens = 0, refreshes = 0, checked = 0;
  ASSERT_EQ(std::sscanf(done->c_str(), "done %llu %llu %llu %llu", &rounds, &reopens, &refreshes,
                        &checked),
            4)
      << *done;
  EXPECT_GT(reopens, 0u);
  EXPECT_GT(refreshes, 0u);
  EXPECT_EQ(checked, final_capacity);
}

}  // namespace
