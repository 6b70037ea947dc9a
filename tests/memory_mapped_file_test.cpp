// mmf — memory_mapped_file: persisted maps (every file_mode, the native-handle form), named and
// anonymous non-persisted maps, names and scopes, access and enum validation, lifetimes, empty
// objects, big sparse files, and data reaching the file.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
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
using mmf::inheritability;
using mmf::map_options;
using mmf::memory_mapped_file;
namespace fs = std::filesystem;

#ifdef _WIN32
constexpr bool kWindows = true;
#else
constexpr bool kWindows = false;
#endif

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>('a' + i % 26);
  return s;
}

// The bytes of a view, as a string.
std::string view_text(const mmf::view_accessor& v) {
  const auto b = v.bytes();
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// ---- file_mode ---------------------------------------------------------------------------------

class FileModes : public ::testing::Test {
 protected:
  mmf_test::temp_dir dir_;
  fs::path path_ = dir_ / "file.bin";
};

TEST_F(FileModes, OpenNeedsTheFile) {
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, file_mode::open, {}, 4096),
                   std::errc::no_such_file_or_directory);
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(FileModes, OpenWithCapacityZeroMapsTheWholeFile) {
  mmf_test::write_file(path_, pattern(1000));
  auto map = memory_mapped_file::create_from_file(path_);  // open, capacity 0, read_write
  EXPECT_EQ(map.capacity(), 1000u);
  EXPECT_EQ(map.map_access(), access::read_write);
  auto view = map.create_view_accessor();
  EXPECT_EQ(view.capacity(), 1000u);
  EXPECT_EQ(view_text(view), pattern(1000));
}

TEST_F(FileModes, LargerCapacityGrowsTheFile) {
  mmf_test::write_file(path_, pattern(100));
  auto map = memory_mapped_file::create_from_file(path_, file_mode::open, {}, 10000);
  EXPECT_EQ(map.capacity(), 10000u);
  EXPECT_EQ(fs::file_size(path_), 10000u);
  auto view = map.create_view_accessor();
  const std::string text = view_text(view);
  EXPECT_EQ(text.substr(0, 100), pattern(100));
  EXPECT_EQ(text.substr(100), std::string(9900, '\0'));
}

TEST_F(FileModes, SmallerCapacityIsInvalidAndChangesNothing) {
  mmf_test::write_file(path_, pattern(100));
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, file_mode::open, {}, 50),
                   std::errc::invalid_argument);
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, file_mode::open_or_create, {}, 1),
                   std::errc::invalid_argument);
  EXPECT_EQ(mmf_test::read_file(path_), pattern(100));
}

TEST_F(FileModes, EmptyFileWithCapacityZeroIsInvalid) {
  mmf_test::write_file(path_, "");
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, file_mode::open, {}, 0),
                   std::errc::invalid_argument);
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, file_mode::open_or_create, {}, 0),
                   std::errc::invalid_argument);
  EXPECT_TRUE(fs::exists(path_));  // it was there before: not removed
  // With a capacity, an empty file is fine: it grows.
  auto map = memory_mapped_file::create_from_file(path_, file_mode::open, {}, 10);
  EXPECT_EQ(map.capacity(), 10u);
  EXPECT_EQ(fs::file_size(path_), 10u);
}

TEST_F(FileModes, CreateNewCreatesTheFileWithTheCapacity) {
  auto map = memory_mapped_file::create_from_file(path_, file_mode::create_new, {}, 5000);
  EXPECT_EQ(map.capacity(), 5000u);
  EXPECT_EQ(fs::file_size(path_), 5000u);
  EXPECT_EQ(view_text(map.create_view_accessor()), std::string(5000, '\0'));
}

TEST_F(FileModes, CreateNewOnExistingFileIsFileExistsEvenWithCapacityZero) {
  mmf_test::write_file(path_, pattern(10));
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, file_mode::create_new, {}, 4096),
                   std::errc::file_exists);
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, file_mode::create_new, {}, 0),
                   std::errc::file_exists);
  EXPECT_EQ(mmf_test::read_file(path_), pattern(10));
}

TEST_F(FileModes, CreateNewWithCapacityZeroIsInvalidAndLeavesNoFile) {
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, file_mode::create_new, {}, 0),
                   std::errc::invalid_argument);
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(FileModes, CreateTruncatesThenSizes) {
  mmf_test::write_file(path_, pattern(3000));
  auto map = memory_mapped_file::create_from_file(path_, file_mode::create, {}, 1000);
  EXPECT_EQ(map.capacity(), 1000u);
  EXPECT_EQ(fs::file_size(path_), 1000u);
  EXPECT_EQ(view_text(map.create_view_accessor()), std::string(1000, '\0'));
}

TEST_F(FileModes, CreateOfMissingFile) {
  auto map = memory_mapped_file::create_from_file(path_, file_mode::create, {}, 1000);
  EXPECT_EQ(map.capacity(), 1000u);
  EXPECT_EQ(fs::file_size(path_), 1000u);
}

TEST_F(FileModes, CreateWithCapacityZeroIsInvalidAndChangesNothing) {
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, file_mode::create, {}, 0),
                   std::errc::invalid_argument);
  EXPECT_FALSE(fs::exists(path_));
  mmf_test::write_file(path_, pattern(10));
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, file_mode::create, {}, 0),
                   std::errc::invalid_argument);
  EXPECT_EQ(mmf_test::read_file(path_), pattern(10)) << "a failed call truncated the file";
}

TEST_F(FileModes, OpenOrCreateCreatesAMissingFile) {
  auto map = memory_mapped_file::create_from_file(path_, file_mode::open_or_create, {}, 777);
  EXPECT_EQ(map.capacity(), 777u);
  EXPECT_EQ(fs::file_size(path_), 777u);
}

TEST_F(FileModes, OpenOrCreateOpensAnExistingFile) {
  mmf_test::write_file(path_, pattern(300));
  auto map = memory_mapped_file::create_from_file(path_, file_mode::open_or_create, {}, 0);
  EXPECT_EQ(map.capacity(), 300u);
  EXPECT_EQ(view_text(map.create_view_accessor()), pattern(300));
}

TEST_F(FileModes, OpenOrCreateWithCapacityZeroOfMissingFileIsInvalidAndLeavesNoFile) {
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, file_mode::open_or_create, {}, 0),
                   std::errc::invalid_argument);
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(FileModes, TruncateAndAppendAreInvalid) {
  for (const auto mode : {file_mode::truncate, file_mode::append}) {
    EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, mode, {}, 4096),
                     std::errc::invalid_argument);
    EXPECT_FALSE(fs::exists(path_));
  }
  mmf_test::write_file(path_, pattern(20));
  for (const auto mode : {file_mode::truncate, file_mode::append}) {
    EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, mode, {}, 0),
                     std::errc::invalid_argument);
    EXPECT_EQ(mmf_test::read_file(path_), pattern(20));
  }
}

TEST_F(FileModes, ReadOnlyMapCannotGrowTheFile) {
  mmf_test::write_file(path_, pattern(100));
  EXPECT_MMF_ERROR(
      memory_mapped_file::create_from_file(path_, file_mode::open, {}, 200, access::read),
      std::errc::invalid_argument);
  EXPECT_MMF_ERROR(
      memory_mapped_file::create_from_file(path_, file_mode::open, {}, 200, access::read_execute),
      std::errc::invalid_argument);
  EXPECT_EQ(fs::file_size(path_), 100u);
  // The same capacity as the file is fine.
  auto map = memory_mapped_file::create_from_file(path_, file_mode::open, {}, 100, access::read);
  EXPECT_EQ(map.capacity(), 100u);
  EXPECT_EQ(map.map_access(), access::read);
}

TEST_F(FileModes, ReadWriteOfReadOnlyFileIsPermissionDenied) {
  if (mmf_test::bypasses_file_permissions())
    GTEST_SKIP() << "running as root: root bypasses file permissions, so a chmod 0444 file "
                    "opens read-write";
  mmf_test::write_file(path_, pattern(100));
  fs::permissions(path_, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_), std::errc::permission_denied);
  // Read-only works.
  auto map = memory_mapped_file::create_from_file(path_, file_mode::open, {}, 0, access::read);
  EXPECT_EQ(view_text(map.create_view_accessor(0, 0, access::read)), pattern(100));
}

TEST_F(FileModes, AFileTheCallCreatedIsRemovedOnFailure) {
  // The map name is in use: the call fails after it could have created the file.
  const std::string name = mmf_test::unique_name("fileinuse");
  auto holder =
      memory_mapped_file::create_from_file(dir_ / "holder.bin", file_mode::create_new, name, 4096);
  for (const auto mode : {file_mode::create_new, file_mode::create, file_mode::open_or_create}) {
    EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, mode, name, 4096),
                     std::errc::file_exists);
    EXPECT_FALSE(fs::exists(path_)) << "mode " << static_cast<int>(mode);
  }
  // A bad map name: rejected before anything is created.
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, file_mode::create_new, "a/b", 4096),
                   std::errc::invalid_argument);
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(FileModes, MapAccessWriteIsInvalid) {
  mmf_test::write_file(path_, pattern(10));
  EXPECT_MMF_ERROR(
      memory_mapped_file::create_from_file(path_, file_mode::open, {}, 0, access::write),
      std::errc::invalid_argument);
}

TEST_F(FileModes, EnumValuesOutOfRangeAreInvalid) {
  mmf_test::write_file(path_, pattern(10));
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path_, static_cast<file_mode>(99), {}, 0),
                   std::errc::invalid_argument);
  EXPECT_MMF_ERROR(
      memory_mapped_file::create_from_file(path_, file_mode::open, {}, 0, static_cast<access>(99)),
      std::errc::invalid_argument);
  EXPECT_EQ(mmf_test::read_file(path_), pattern(10));
}

// ---- The seed: byte 77 at 500000 of a 1,000,000-byte file ---------------------------------------

TEST(PersistedMap, SeedByte77At500000) {
  mmf_test::temp_dir dir;
  const auto path = dir / "long.bin";
  mmf_test::write_file(path, std::string(1000000, '\0'));
  {
    auto map = memory_mapped_file::create_from_file(path);
    auto accessor = map.create_view_accessor();
    EXPECT_EQ(accessor.capacity(), 1000000u);
    accessor.write<std::uint8_t>(500000, 77);
    EXPECT_EQ(accessor.read<std::uint8_t>(500000), 77);
  }
  const std::string content = mmf_test::read_file(path);
  ASSERT_EQ(content.size(), 1000000u);
  EXPECT_EQ(static_cast<unsigned char>(content[500000]), 77u);
  EXPECT_EQ(content.find_first_not_of('\0'), 500000u);
  EXPECT_EQ(content.find_last_not_of('\0'), 500000u);
}

TEST(PersistedMap, SeedCreateEnlargesTheFile) {
  // "File.WriteAllBytes("short.bin", new byte[1]); CreateFromFile(..., FileMode.Create, null,
  // 1000)" creates a 1,000-byte file.
  mmf_test::temp_dir dir;
  const auto path = dir / "short.bin";
  mmf_test::write_file(path, std::string(1, '\0'));
  auto map = memory_mapped_file::create_from_file(path, file_mode::create, {}, 1000);
  EXPECT_EQ(fs::file_size(path), 1000u);
}

// ---- Persisted data reaches the file
// -------------------------------------------------------------

TEST(PersistedMap, WritesReachTheFileAfterUnmapping) {
  mmf_test::temp_dir dir;
  const auto path = dir / "data.bin";
  {
    auto map = memory_mapped_file::create_from_file(path, file_mode::create_new, {}, 8192);
    auto view = map.create_view_accessor(4000, 100);
    view.write<std::uint32_t>(1, 0xdeadbeefu);
    auto stream = map.create_view_stream(8000, 0);
    stream << "tail";
  }
  const std::string content = mmf_test::read_file(path);
  ASSERT_EQ(content.size(), 8192u);
  std::uint32_t v = 0;
  std::memcpy(&v, content.data() + 4001, 4);
  EXPECT_EQ(v, 0xdeadbeefu);
  EXPECT_EQ(content.substr(8000, 4), "tail");
}

TEST(PersistedMap, FlushMakesWritesVisibleInTheFileWhileMapped) {
  mmf_test::temp_dir dir;
  const auto path = dir / "flush.bin";
  auto map = memory_mapped_file::create_from_file(path, file_mode::create_new, {}, 4096);
  auto view = map.create_view_accessor();
  const char text[] = "flushed";
  view.write_array(100, std::span<const char>(text, 7));
  view.flush();
  EXPECT_EQ(mmf_test::read_file(path).substr(100, 7), "flushed");
  auto stream = map.create_view_stream(200, 10);
  stream << "streamed";
  stream.flush();
  EXPECT_TRUE(stream.good());
  EXPECT_EQ(mmf_test::read_file(path).substr(200, 8), "streamed");
}

TEST(PersistedMap, ViewPast4GiBOfASparseFile) {
  mmf_test::temp_dir dir;
  const auto path = dir / "sparse.bin";
  const std::uint64_t gib = std::uint64_t{1} << 30;
  const std::uint64_t capacity = 6 * gib;
  const std::uint64_t offset = 5 * gib + 123;
  {
    auto map = memory_mapped_file::create_from_file(path, file_mode::create_new, {}, capacity);
    EXPECT_EQ(map.capacity(), capacity);
    EXPECT_EQ(fs::file_size(path), capacity);
    auto view = map.create_view_accessor(offset, 4096);
    EXPECT_EQ(view.capacity(), 4096u);
    EXPECT_EQ(view.pointer_offset(), offset % mmf::allocation_granularity());
    view.write<std::uint64_t>(0, 0x0123456789abcdefULL);
    view.write<std::uint64_t>(4088, 42);
    EXPECT_EQ(view.read<std::uint64_t>(0), 0x0123456789abcdefULL);

    // A second map of the same file sees it.
    auto other = memory_mapped_file::create_from_file(path, file_mode::open, {}, 0, access::read);
    EXPECT_EQ(other.capacity(), capacity);
    auto view2 = other.create_view_accessor(offset - 3, 16, access::read);
    EXPECT_EQ(view2.read<std::uint64_t>(3), 0x0123456789abcdefULL);
    // The very last byte of the map is reachable too.
    auto last = map.create_view_accessor(capacity - 1, 0);
    EXPECT_EQ(last.capacity(), 1u);
    last.write<std::uint8_t>(0, 0x5a);
  }
  // The file itself (read without mmap).
  const auto fd = mmf_test::open_native_file(path, false);
  const std::string at = mmf_test::native_read_at(fd, offset, 8);
  const std::string last = mmf_test::native_read_at(fd, capacity - 1, 1);
  mmf_test::close_native_handle(fd);
  ASSERT_EQ(at.size(), 8u);
  std::uint64_t v = 0;
  std::memcpy(&v, at.data(), 8);
  EXPECT_EQ(v, 0x0123456789abcdefULL);
  EXPECT_EQ(last, "\x5a");
}

// ---- Native-handle form
// --------------------------------------------------------------------------

TEST(NativeHandleForm, LeaveOpenFalseClosesWithTheLastView) {
  mmf_test::temp_dir dir;
  const auto path = dir / "h.bin";
  mmf_test::write_file(path, pattern(500));
  const auto fd = mmf_test::open_native_file(path, true);
  auto map = memory_mapped_file::create_from_file(fd, {}, 0, access::read_write,
                                                  inheritability::none, false);
  EXPECT_EQ(map.capacity(), 500u);
  auto view = map.create_view_accessor();
  EXPECT_EQ(view_text(view), pattern(500));
  map = memory_mapped_file();
  EXPECT_TRUE(mmf_test::native_handle_is_open(fd)) << "closed while a view is alive";
  view.write<char>(0, 'Z');
  view = mmf::view_accessor();
  EXPECT_FALSE(mmf_test::native_handle_is_open(fd)) << "leave_open=false did not close the handle";
  EXPECT_EQ(mmf_test::read_file(path)[0], 'Z');
}

TEST(NativeHandleForm, LeaveOpenFalseWithoutViewsClosesWithTheMap) {
  mmf_test::temp_dir dir;
  const auto path = dir / "h.bin";
  mmf_test::write_file(path, pattern(10));
  const auto fd = mmf_test::open_native_file(path, true);
  {
    auto map = memory_mapped_file::create_from_file(fd, {}, 0, access::read_write,
                                                    inheritability::none, false);
    EXPECT_TRUE(mmf_test::native_handle_is_open(fd));
  }
  EXPECT_FALSE(mmf_test::native_handle_is_open(fd));
}

TEST(NativeHandleForm, LeaveOpenTrueKeepsTheHandle) {
  mmf_test::temp_dir dir;
  const auto path = dir / "h.bin";
  mmf_test::write_file(path, pattern(100));
  const auto fd = mmf_test::open_native_file(path, true);
  {
    auto map = memory_mapped_file::create_from_file(fd, {}, 4096, access::read_write,
                                                    inheritability::none, true);
    EXPECT_EQ(map.capacity(), 4096u);
    auto view = map.create_view_accessor();
    view.write<char>(4095, 'E');
  }
  ASSERT_TRUE(mmf_test::native_handle_is_open(fd)) << "leave_open=true closed the handle";
  EXPECT_EQ(mmf_test::native_file_size(fd), 4096u);
  EXPECT_EQ(mmf_test::native_read_at(fd, 4095, 1), "E");
  EXPECT_EQ(mmf_test::native_read_at(fd, 0, 3), "abc");
  mmf_test::close_native_handle(fd);
}

TEST(NativeHandleForm, NamedMapFromHandleCanBeOpenedByName) {
  mmf_test::temp_dir dir;
  const auto path = dir / "h.bin";
  mmf_test::write_file(path, pattern(64));
  const auto fd = mmf_test::open_native_file(path, true);
  const std::string name = mmf_test::unique_name("handlemap");
  auto map = memory_mapped_file::create_from_file(fd, name, 0, access::read_write,
                                                  inheritability::none, true);
  EXPECT_EQ(map.name(), name);
  auto opened = memory_mapped_file::open_existing(name);
  EXPECT_EQ(opened.capacity(), mmf_test::opened_capacity(64));
  opened.create_view_accessor().write<char>(1, '!');
  EXPECT_EQ(map.create_view_accessor().read<char>(1), '!');
  map = memory_mapped_file();
  opened = memory_mapped_file();
  mmf_test::close_native_handle(fd);
}

TEST(NativeHandleForm, ErrorsLeaveTheHandleOpen) {
  mmf_test::temp_dir dir;
  const auto path = dir / "h.bin";
  mmf_test::write_file(path, pattern(100));
  const auto fd = mmf_test::open_native_file(path, true);
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(fd, {}, 50, access::read_write,
                                                        inheritability::none, false),
                   std::errc::invalid_argument);
  EXPECT_MMF_ERROR(
      memory_mapped_file::create_from_file(fd, {}, 0, access::write, inheritability::none, false),
      std::errc::invalid_argument);
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(fd, "a/b", 0, access::read_write,
                                                        inheritability::none, false),
                   std::errc::invalid_argument);
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(fd, {}, 0, access::read_write,
                                                        static_cast<inheritability>(99), false),
                   std::errc::invalid_argument);
  EXPECT_TRUE(mmf_test::native_handle_is_open(fd));
  mmf_test::close_native_handle(fd);
}

TEST(NativeHandleForm, EmptyFileWithCapacityZeroIsInvalid) {
  mmf_test::temp_dir dir;
  const auto path = dir / "e.bin";
  mmf_test::write_file(path, "");
  const auto fd = mmf_test::open_native_file(path, true);
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(fd, {}, 0, access::read_write,
                                                        inheritability::none, true),
                   std::errc::invalid_argument);
  mmf_test::close_native_handle(fd);
}

// ---- Non-persisted maps
// --------------------------------------------------------------------------

TEST(SharedMemory, CreateNewNamed) {
  const std::string name = mmf_test::unique_name("cn");
  auto map = memory_mapped_file::create_new(name, 10000);
  ASSERT_TRUE(map);
  EXPECT_EQ(map.capacity(), 10000u);
  EXPECT_EQ(map.name(), name);
  EXPECT_EQ(map.map_access(), access::read_write);
  EXPECT_NE(map.native_handle(), memory_mapped_file().native_handle());
  auto view = map.create_view_accessor();
  EXPECT_EQ(view_text(view), std::string(10000, '\0'));  // zero-filled
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(name, 10000), std::errc::file_exists);
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(name, 5), std::errc::file_exists);
}

TEST(SharedMemory, CreateNewAnonymousMapsAreDistinct) {
  auto a = memory_mapped_file::create_new("", 4096);
  auto b = memory_mapped_file::create_new({}, 4096);
  EXPECT_TRUE(a.name().empty());
  EXPECT_EQ(a.capacity(), 4096u);
  auto va = a.create_view_accessor();
  auto vb = b.create_view_accessor();
  va.write<int>(0, 1);
  vb.write<int>(0, 2);
  EXPECT_EQ(va.read<int>(0), 1);
  EXPECT_EQ(vb.read<int>(0), 2);
  // Two views of one anonymous map share memory.
  auto va2 = a.create_view_accessor(0, 0, access::read);
  EXPECT_EQ(va2.read<int>(0), 1);
}

TEST(SharedMemory, CreateNewUnalignedCapacityIsExact) {
  auto map = memory_mapped_file::create_new(mmf_test::unique_name("odd"), 4097);
  EXPECT_EQ(map.capacity(), 4097u);
  auto view = map.create_view_accessor();
  EXPECT_EQ(view.capacity(), 4097u);
  view.write<std::uint8_t>(4096, 9);
  EXPECT_MMF_ERROR(map.create_view_accessor(4098, 0), std::errc::result_out_of_range);
}

TEST(SharedMemory, CreateOrOpenSetsCreatedNewAndSharesTheMemory) {
  const std::string name = mmf_test::unique_name("coo");
  bool created = false;
  auto first = memory_mapped_file::create_or_open(name, 5000, access::read_write, map_options::none,
                                                  inheritability::none, &created);
  EXPECT_TRUE(created);
  first.create_view_accessor().write<std::uint64_t>(4992, 0x1122334455667788ULL);
  created = true;
  auto second = memory_mapped_file::create_or_open(name, 100, access::read_write, map_options::none,
                                                   inheritability::none, &created);
  EXPECT_FALSE(created);
  // The creator's capacity, not the one asked for (ignored when opening).
  if (kWindows)
    EXPECT_GE(second.capacity(), 5000u);
  else
    EXPECT_EQ(second.capacity(), 5000u);
  EXPECT_EQ(second.create_view_accessor().read<std::uint64_t>(4992), 0x1122334455667788ULL);
  // Without created_new it works too.
  auto third = memory_mapped_file::create_or_open(name, 1);
  EXPECT_EQ(third.name(), name);
  // Capacity 0 is still rejected when the map exists.
  EXPECT_MMF_ERROR(memory_mapped_file::create_or_open(name, 0), std::errc::invalid_argument);
}

TEST(SharedMemory, CreateOrOpenWithReadAccessOpensReadOnly) {
  const std::string name = mmf_test::unique_name("cooread");
  auto rw = memory_mapped_file::create_new(name, 4096);
  rw.create_view_accessor().write<int>(8, 1234);
  bool created = true;
  auto ro = memory_mapped_file::create_or_open(name, 4096, access::read, map_options::none,
                                               inheritability::none, &created);
  EXPECT_FALSE(created);
  EXPECT_EQ(ro.map_access(), access::read);
  EXPECT_EQ(ro.create_view_accessor(0, 0, access::read).read<int>(8), 1234);
  EXPECT_MMF_ERROR(ro.create_view_accessor(0, 0, access::read_write), std::errc::permission_denied);
}

TEST(SharedMemory, OpenExisting) {
  const std::string name = mmf_test::unique_name("oe");
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
  auto created = memory_mapped_file::create_new(name, 3333);
  auto opened = memory_mapped_file::open_existing(name);
  EXPECT_EQ(opened.name(), name);
  if (kWindows)
    EXPECT_GE(opened.capacity(), 3333u);
  else
    EXPECT_EQ(opened.capacity(), 3333u);
  auto a = created.create_view_accessor();
  auto b = opened.create_view_accessor();
  a.write<int>(100, 7);
  EXPECT_EQ(b.read<int>(100), 7);
  b.write<int>(200, 8);
  EXPECT_EQ(a.read<int>(200), 8);
  // Read-only open: read views only.
  auto ro = memory_mapped_file::open_existing(name, access::read);
  EXPECT_EQ(ro.map_access(), access::read);
  EXPECT_EQ(ro.create_view_accessor(0, 0, access::read).read<int>(100), 7);
  EXPECT_MMF_ERROR(ro.create_view_accessor(0, 0, access::read_write), std::errc::permission_denied);
}

TEST(SharedMemory, OpenExistingWithMoreAccessThanAReadOnlyFileMapIsPermissionDenied) {
  mmf_test::temp_dir dir;
  const auto path = dir / "ro.bin";
  mmf_test::write_file(path, pattern(100));
  const std::string name = mmf_test::unique_name("rofile");
  auto map = memory_mapped_file::create_from_file(path, file_mode::open, name, 0, access::read);
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name, access::read_write),
                   std::errc::permission_denied);
  auto ro = memory_mapped_file::open_existing(name, access::read);
  EXPECT_EQ(ro.capacity(), mmf_test::opened_capacity(100));
  EXPECT_EQ(view_text(ro.create_view_accessor(0, 100, access::read)), pattern(100));
}

TEST(SharedMemory, DelayAllocatePagesMapWorks) {
  auto map = memory_mapped_file::create_new(mmf_test::unique_name("delay"), 1 << 20,
                                            access::read_write, map_options::delay_allocate_pages);
  EXPECT_EQ(map.capacity(), std::uint64_t{1} << 20);
  auto view = map.create_view_accessor(12345, 100);
  view.write<int>(0, 5);
  EXPECT_EQ(map.create_view_accessor().read<int>(12345), 5);
}

// ---- Names
// ---------------------------------------------------------------------------------------

TEST(Names, LocalPrefixIsTheDefaultScopeAndGlobalIsAnother) {
  const std::string bare = mmf_test::unique_name("scope");
  auto local = memory_mapped_file::create_new("Local\\" + bare, 4096);
  EXPECT_EQ(local.name(), "Local\\" + bare);
  auto same = memory_mapped_file::open_existing(bare);
  EXPECT_EQ(same.name(), bare);
  local.create_view_accessor().write<int>(0, 11);
  EXPECT_EQ(same.create_view_accessor().read<int>(0), 11);
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(bare, 4096), std::errc::file_exists);

  EXPECT_MMF_ERROR(memory_mapped_file::open_existing("Global\\" + bare),
                   std::errc::no_such_file_or_directory);
  auto global = memory_mapped_file::create_new("Global\\" + bare, 4096);
  EXPECT_EQ(global.name(), "Global\\" + bare);
  EXPECT_EQ(global.create_view_accessor().read<int>(0), 0) << "Global\\x is Local\\x";
  global.create_view_accessor().write<int>(0, 22);
  EXPECT_EQ(same.create_view_accessor().read<int>(0), 11);
  auto global2 = memory_mapped_file::open_existing("Global\\" + bare);
  EXPECT_EQ(global2.create_view_accessor().read<int>(0), 22);
}

TEST(Names, UnprefixedCreatorIsFoundWithLocalPrefix) {
  const std::string bare = mmf_test::unique_name("scope2");
  auto map = memory_mapped_file::create_new(bare, 4096);
  auto opened = memory_mapped_file::open_existing("Local\\" + bare);
  EXPECT_EQ(opened.name(), "Local\\" + bare);
  bool created = true;
  auto coo = memory_mapped_file::create_or_open("Local\\" + bare, 4096, access::read_write,
                                                map_options::none, inheritability::none, &created);
  EXPECT_FALSE(created);
}

std::vector<std::string> bad_names() {
  return {
      ".",
      "..",
      "/",
      "a/b",
      "/abc",
      "abc/",
      "\\",
      "a\\b",
      std::string("a\0b", 3),
      std::string("\0", 1),
      "\xff",
      "abc\xc3",           // truncated sequence
      "\xc0\x80",          // overlong NUL
      "\xed\xa0\x80",      // a UTF-16 surrogate
      "\xf4\x90\x80\x80",  // past U+10FFFF
      std::string(201, 'a'),
      "Local\\",  // empty after the prefix
      "Global\\",
      "Local\\.",
      "Global\\..",
      "Local\\a\\b",
      "Local\\" + std::string(201, 'b'),
      "Global\\" + std::string(201, 'c'),
  };
}

TEST(Names, BadNamesAreInvalidArgument) {
  for (const auto& name : bad_names()) {
    SCOPED_TRACE(::testing::PrintToString(name));
    EXPECT_MMF_ERROR(memory_mapped_file::create_new(name, 4096), std::errc::invalid_argument);
    EXPECT_MMF_ERROR(memory_mapped_file::create_or_open(name, 4096), std::errc::invalid_argument);
    EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::invalid_argument);
  }
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(""), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(memory_mapped_file::create_or_open("", 4096), std::errc::invalid_argument);
}

TEST(Names, BadMapNamesOfPersistedMapsAreInvalidAndCreateNoFile) {
  mmf_test::temp_dir dir;
  const auto path = dir / "f.bin";
  for (const auto& name : bad_names()) {
    SCOPED_TRACE(::testing::PrintToString(name));
    EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path, file_mode::create_new, name, 4096),
                     std::errc::invalid_argument);
    EXPECT_FALSE(fs::exists(path));
  }
}

TEST(Names, LongestNamesWork) {
  const std::string id = mmf_test::unique_name("L");
  const std::string name200 = id + std::string(200 - id.size(), 'x');
  ASSERT_EQ(name200.size(), 200u);
  auto a = memory_mapped_file::create_new(name200, 4096);
  EXPECT_EQ(a.name(), name200);
  auto a2 = memory_mapped_file::open_existing("Local\\" + name200);  // the prefix is not counted
  a.create_view_accessor().write<int>(0, 200);
  EXPECT_EQ(a2.create_view_accessor().read<int>(0), 200);

  const std::string gid = mmf_test::unique_name("G");
  const std::string global200 = "Global\\" + gid + std::string(200 - gid.size(), 'y');
  auto g = memory_mapped_file::create_new(global200, 4096);
  EXPECT_EQ(g.name(), global200);
  EXPECT_EQ(memory_mapped_file::open_existing(global200).capacity(), 4096u);
}

TEST(Names, Utf8NamesWork) {
  const std::string name = mmf_test::unique_name("utf8") + "_\xc3\xbc\xe5\x90\x8d\xf0\x9f\x98\x80";
  auto map = memory_mapped_file::create_new(name, 4096);
  EXPECT_EQ(map.name(), name);
  EXPECT_EQ(memory_mapped_file::open_existing(name).name(), name);
}

TEST(Names, NamesThatLookLikePathsElsewhereAreFine) {
  // Only '/', '\', NUL, "." and ".." are special; dots and spaces inside a name are not.
  const std::string base = mmf_test::unique_name("dots");
  for (const std::string& name : {base + ".", "." + base, base + "..x", base + " with space"}) {
    SCOPED_TRACE(name);
    auto map = memory_mapped_file::create_new(name, 4096);
    EXPECT_EQ(memory_mapped_file::open_existing(name).name(), name);
  }
}

// ---- Access and enum validation
// ------------------------------------------------------------------

TEST(MapAccess, WriteIsInvalidForAMap) {
  const std::string name = mmf_test::unique_name("wr");
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(name, 4096, access::write),
                   std::errc::invalid_argument);
  EXPECT_MMF_ERROR(memory_mapped_file::create_or_open(name, 4096, access::write),
                   std::errc::invalid_argument);
  auto map = memory_mapped_file::create_new(name, 4096);
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name, access::write),
                   std::errc::invalid_argument);
}

TEST(MapAccess, EnumValuesOutOfRangeAreInvalid) {
  const std::string name = mmf_test::unique_name("enum");
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(name, 4096, static_cast<access>(99)),
                   std::errc::invalid_argument);
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(name, 4096, access::read_write,
                                                  static_cast<map_options>(1u << 30)),
                   std::errc::invalid_argument);
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(name, 4096, access::read_write, map_options::none,
                                                  static_cast<inheritability>(99)),
                   std::errc::invalid_argument);
  EXPECT_MMF_ERROR(memory_mapped_file::create_or_open(name, 4096, static_cast<access>(6)),
                   std::errc::invalid_argument);
  // Nothing was created by the failed calls.
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
  auto map = memory_mapped_file::create_new(name, 4096);
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name, static_cast<access>(99)),
                   std::errc::invalid_argument);
  EXPECT_MMF_ERROR(map.create_view_accessor(0, 0, static_cast<access>(99)),
                   std::errc::invalid_argument);
  EXPECT_MMF_ERROR(map.create_view_stream(0, 0, static_cast<access>(99)),
                   std::errc::invalid_argument);
}

// ---- Lifetime
// ------------------------------------------------------------------------------------

TEST(Lifetime, NamedMapDisappearsWithItsLastHandle) {
  const std::string name = mmf_test::unique_name("life");
  {
    auto a = memory_mapped_file::create_new(name, 4096);
    auto b = memory_mapped_file::open_existing(name);
    a = memory_mapped_file();
    EXPECT_EQ(memory_mapped_file::open_existing(name).capacity(), 4096u) << "b still holds it";
  }
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
  // The name can be created again, fresh (zero-filled).
  auto again = memory_mapped_file::create_new(name, 100);
  EXPECT_EQ(again.capacity(), 100u);
}

TEST(Lifetime, NamedMapSurvivesWhileAViewIsAlive) {
  const std::string name = mmf_test::unique_name("viewlife");
  mmf::view_accessor view;
  {
    auto map = memory_mapped_file::create_new(name, 4096);
    view = map.create_view_accessor();
    view.write<int>(0, 99);
  }
  // The map object is closed; its view keeps the map (and its name) alive.
  {
    auto opened = memory_mapped_file::open_existing(name);
    EXPECT_EQ(opened.create_view_accessor().read<int>(0), 99);
    opened.create_view_accessor().write<int>(4, 100);
  }
  EXPECT_EQ(view.read<int>(4), 100);
  view = mmf::view_accessor();
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
}

TEST(Lifetime, StreamKeepsTheMapAliveToo) {
  const std::string name = mmf_test::unique_name("streamlife");
  mmf::view_stream stream;
  {
    auto map = memory_mapped_file::create_new(name, 4096);
    stream = map.create_view_stream();
  }
  EXPECT_EQ(memory_mapped_file::open_existing(name).capacity(), 4096u);
  stream << "alive";
  stream = mmf::view_stream();
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
}

TEST(Lifetime, ViewsOutliveTheirMap) {
  mmf_test::temp_dir dir;
  const auto path = dir / "outlive.bin";
  mmf::view_accessor view;
  mmf::view_stream stream;
  {
    auto map = memory_mapped_file::create_from_file(path, file_mode::create_new, {}, 4096);
    view = map.create_view_accessor(0, 100);
    stream = map.create_view_stream(100, 100);
  }
  view.write<std::uint32_t>(10, 0xcafef00du);
  EXPECT_EQ(view.read<std::uint32_t>(10), 0xcafef00du);
  stream << "after";
  view.flush();
  stream.flush();
  view = mmf::view_accessor();
  stream = mmf::view_stream();
  const std::string content = mmf_test::read_file(path);
  std::uint32_t v = 0;
  std::memcpy(&v, content.data() + 10, 4);
  EXPECT_EQ(v, 0xcafef00du);
  EXPECT_EQ(content.substr(100, 5), "after");
}

TEST(Lifetime, MoveAssignmentReleasesTheOldMap) {
  const std::string name = mmf_test::unique_name("moveassign");
  auto map = memory_mapped_file::create_new(name, 4096);
  map = memory_mapped_file::create_new("", 10);
  EXPECT_EQ(map.capacity(), 10u);
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
}

// ---- Empty and moved-from objects
// ----------------------------------------------------------------

TEST(EmptyMap, DefaultConstructed) {
  memory_mapped_file map;
  EXPECT_FALSE(map);
  EXPECT_EQ(map.capacity(), 0u);
  EXPECT_TRUE(map.name().empty());
  EXPECT_EQ(map.native_handle(), mmf::detail::invalid_native_handle);
  EXPECT_MMF_ERROR(map.create_view_accessor(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(map.create_view_stream(), std::errc::bad_file_descriptor);
}

TEST(EmptyMap, MovedFrom) {
  const std::string name = mmf_test::unique_name("moved");
  auto map = memory_mapped_file::create_new(name, 4096);
  const auto handle = map.native_handle();
  memory_mapped_file other(std::move(map));
  EXPECT_FALSE(map);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(map.capacity(), 0u);
  EXPECT_TRUE(map.name().empty());
  EXPECT_EQ(map.native_handle(), memory_mapped_file().native_handle());
  EXPECT_MMF_ERROR(map.create_view_accessor(), std::errc::bad_file_descriptor);
  EXPECT_TRUE(other);
  EXPECT_EQ(other.native_handle(), handle);
  EXPECT_EQ(other.name(), name);
  EXPECT_EQ(other.capacity(), 4096u);
  EXPECT_EQ(other.create_view_accessor().capacity(), 4096u);
}

TEST(EmptyMap, EmptyViewsAndStreams) {
  mmf::view_accessor view;
  EXPECT_FALSE(view);
  EXPECT_EQ(view.capacity(), 0u);
  EXPECT_TRUE(view.bytes().empty());
  EXPECT_FALSE(view.can_read());
  EXPECT_FALSE(view.can_write());
  mmf::view_stream stream;
  EXPECT_FALSE(stream);
  EXPECT_EQ(stream.capacity(), 0u);
  EXPECT_EQ(stream.position(), 0u);
  EXPECT_TRUE(stream.bytes().empty());
}

}  // namespace
