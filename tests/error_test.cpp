// mmf — the error model: every row of API.md's error table that concerns maps, views and
// streams; mmf::error's type and what(); the noexcept std::error_code& overloads of every factory.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <system_error>
#include <type_traits>

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

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// An error code that no test expects, to check that success clears ec.
std::error_code stale_code() {
  return std::make_error_code(std::errc::io_error);
}

// ---- The type
// ------------------------------------------------------------------------------------

TEST(ErrorType, DerivesFromSystemError) {
  static_assert(std::is_base_of_v<std::system_error, mmf::error>);
  const std::string name = mmf_test::unique_name("errtype");
  try {
    (void)memory_mapped_file::open_existing(name);
    FAIL() << "open_existing of a missing map did not throw";
  } catch (const std::system_error& e) {  // caught as the base class
    EXPECT_TRUE(dynamic_cast<const mmf::error*>(&e) != nullptr);
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
  }
}

// ---- Row: open_existing of a missing object
// ------------------------------------------------------

TEST(ErrorTable, OpenExistingMissingIsNoSuchFile) {
  const std::string name = mmf_test::unique_name("missing");
  const std::string what =
      MMF_ERROR_WHAT(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
  EXPECT_TRUE(contains(what, "open_existing")) << what;
  EXPECT_TRUE(contains(what, name)) << what;
}

TEST(ErrorTable, FileModeOpenOfMissingFileIsNoSuchFile) {
  mmf_test::temp_dir dir;
  const auto path = dir / "missing.bin";
  const std::string what = MMF_ERROR_WHAT(memory_mapped_file::create_from_file(path),
                                          std::errc::no_such_file_or_directory);
  EXPECT_TRUE(contains(what, "create_from_file")) << what;
  EXPECT_TRUE(contains(what, path.string())) << what;
  EXPECT_FALSE(std::filesystem::exists(path));
}

// ---- Row: the name or file exists
// ----------------------------------------------------------------

TEST(ErrorTable, CreateNewOfExistingNameIsFileExists) {
  const std::string name = mmf_test::unique_name("exists");
  auto first = memory_mapped_file::create_new(name, 4096);
  const std::string what =
      MMF_ERROR_WHAT(memory_mapped_file::create_new(name, 4096), std::errc::file_exists);
  EXPECT_TRUE(contains(what, "create_new")) << what;
  EXPECT_TRUE(contains(what, name)) << what;
}

TEST(ErrorTable, FileModeCreateNewOfExistingFileIsFileExists) {
  mmf_test::temp_dir dir;
  const auto path = dir / "exists.bin";
  mmf_test::write_file(path, "content");
  const std::string what =
      MMF_ERROR_WHAT(memory_mapped_file::create_from_file(path, file_mode::create_new, {}, 4096),
                     std::errc::file_exists);
  EXPECT_TRUE(contains(what, "create_from_file")) << what;
  EXPECT_TRUE(contains(what, path.string())) << what;
  EXPECT_EQ(mmf_test::read_file(path), "content");
}

// ---- Row: invalid_argument
// -----------------------------------------------------------------------

TEST(ErrorTable, EmptyNameIsInvalidArgument) {
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(""), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(memory_mapped_file::create_or_open("", 4096), std::errc::invalid_argument);
}

TEST(ErrorTable, MalformedNameIsInvalidArgument) {
  const std::string what =
      MMF_ERROR_WHAT(memory_mapped_file::create_new("a/b", 4096), std::errc::invalid_argument);
  EXPECT_TRUE(contains(what, "create_new")) << what;
  EXPECT_TRUE(contains(what, "a/b")) << what;
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing("a\\b"), std::errc::invalid_argument);
}

TEST(ErrorTable, OverLongNameIsInvalidArgument) {
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(std::string(201, 'n'), 4096),
                   std::errc::invalid_argument);
}

TEST(ErrorTable, CapacityZeroIsInvalidArgument) {
  const std::string name = mmf_test::unique_name("cap0");
  const std::string what =
      MMF_ERROR_WHAT(memory_mapped_file::create_new(name, 0), std::errc::invalid_argument);
  EXPECT_TRUE(contains(what, "create_new")) << what;
  EXPECT_TRUE(contains(what, name)) << what;
  EXPECT_MMF_ERROR(memory_mapped_file::create_new("", 0), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(memory_mapped_file::create_or_open(name, 0), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
}

TEST(ErrorTable, EmptyFileWithCapacityZeroIsInvalidArgument) {
  mmf_test::temp_dir dir;
  const auto path = dir / "empty.bin";
  mmf_test::write_file(path, "");
  const std::string what =
      MMF_ERROR_WHAT(memory_mapped_file::create_from_file(path), std::errc::invalid_argument);
  EXPECT_TRUE(contains(what, path.string())) << what;
}

TEST(ErrorTable, TruncateAndAppendAreInvalidArgument) {
  mmf_test::temp_dir dir;
  const auto path = dir / "file.bin";
  mmf_test::write_file(path, "0123456789");
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path, file_mode::truncate, {}, 4096),
                   std::errc::invalid_argument);
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path, file_mode::append, {}, 4096),
                   std::errc::invalid_argument);
  EXPECT_EQ(mmf_test::read_file(path), "0123456789");
}

TEST(ErrorTable, CapacitySmallerThanTheFileIsInvalidArgument) {
  mmf_test::temp_dir dir;
  const auto path = dir / "file.bin";
  mmf_test::write_file(path, std::string(100, 'x'));
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(path, file_mode::open, {}, 99),
                   std::errc::invalid_argument);
  EXPECT_EQ(std::filesystem::file_size(path), 100u);
}

// ---- Row: result_out_of_range
// --------------------------------------------------------------------

TEST(ErrorTable, ViewPastTheEndIsResultOutOfRange) {
  auto map = memory_mapped_file::create_new("", 4096);
  const std::string what =
      MMF_ERROR_WHAT(map.create_view_accessor(4097, 0), std::errc::result_out_of_range);
  EXPECT_TRUE(contains(what, "create_view_accessor")) << what;
  const std::string what2 =
      MMF_ERROR_WHAT(map.create_view_stream(4000, 97), std::errc::result_out_of_range);
  EXPECT_TRUE(contains(what2, "create_view_stream")) << what2;
}

TEST(ErrorTable, ViewOfNamedMapPastTheEndNamesTheMap) {
  const std::string name = mmf_test::unique_name("viewname");
  auto map = memory_mapped_file::create_new(name, 4096);
  const std::string what =
      MMF_ERROR_WHAT(map.create_view_accessor(0, 4097), std::errc::result_out_of_range);
  EXPECT_TRUE(contains(what, "create_view_accessor")) << what;
  EXPECT_TRUE(contains(what, name)) << what;
}

TEST(ErrorTable, AccessorReadAndWritePastTheEndAreResultOutOfRange) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto view = map.create_view_accessor(0, 100);
  EXPECT_MMF_ERROR(view.read<std::uint32_t>(97), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(view.write<std::uint32_t>(97, 1u), std::errc::result_out_of_range);
  const std::uint8_t values[8] = {};
  EXPECT_MMF_ERROR(view.write_array(96, std::span<const std::uint8_t>(values)),
                   std::errc::result_out_of_range);
}

TEST(ErrorTable, StreamReadAndWritePastTheEndAreResultOutOfRange) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto stream = map.create_view_stream(0, 10);
  stream.seek(8);
  EXPECT_MMF_ERROR(stream.read_as<std::uint32_t>(), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(stream.write_as<std::uint32_t>(1u), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(stream.seek(11), std::errc::result_out_of_range);
}

// ---- Row: permission_denied
// ----------------------------------------------------------------------

TEST(ErrorTable, WriteViewOfReadOnlyMapIsPermissionDenied) {
  mmf_test::temp_dir dir;
  const auto path = dir / "ro.bin";
  mmf_test::write_file(path, std::string(4096, 'r'));
  auto map = memory_mapped_file::create_from_file(path, file_mode::open, {}, 0, access::read);
  const std::string what = MMF_ERROR_WHAT(map.create_view_accessor(0, 0, access::read_write),
                                          std::errc::permission_denied);
  EXPECT_TRUE(contains(what, "create_view_accessor")) << what;
}

TEST(ErrorTable, WriteOnReadOnlyViewIsPermissionDenied) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto view = map.create_view_accessor(0, 0, access::read);
  EXPECT_MMF_ERROR(view.write<std::uint8_t>(0, 1), std::errc::permission_denied);
  EXPECT_EQ(view.read<std::uint8_t>(0), 0);
}

TEST(ErrorTable, ReadWriteOnReadOnlyFileIsPermissionDenied) {
  if (mmf_test::bypasses_file_permissions())
    GTEST_SKIP() << "running with privileges that bypass file permissions (root)";
  mmf_test::temp_dir dir;
  const auto path = dir / "ro.bin";
  mmf_test::write_file(path, std::string(4096, 'r'));
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::group_read |
                                         std::filesystem::perms::others_read);
  const std::string what =
      MMF_ERROR_WHAT(memory_mapped_file::create_from_file(path), std::errc::permission_denied);
  EXPECT_TRUE(contains(what, path.string())) << what;
}

TEST(ErrorTable, ReadWriteOnReadOnlyHandleIsPermissionDenied) {
  // Works as root too: the handle itself was opened read-only.
  mmf_test::temp_dir dir;
  const auto path = dir / "ro.bin";
  mmf_test::write_file(path, std::string(4096, 'r'));
  const auto handle = mmf_test::open_native_file(path, false);
  EXPECT_MMF_ERROR(memory_mapped_file::create_from_file(handle, {}, 0, access::read_write,
                                                        inheritability::none, false),
                   std::errc::permission_denied);
  // On failure the handle is never closed, even without leave_open.
  EXPECT_TRUE(mmf_test::native_handle_is_open(handle));
  mmf_test::close_native_handle(handle);
}

// ---- Row: no memory or space
// ---------------------------------------------------------------------

TEST(ErrorTable, HugeSharedMemoryIsNoSpaceOrNoMemory) {
  const std::string name = mmf_test::unique_name("huge");
  try {
    (void)memory_mapped_file::create_new(name, std::uint64_t{1} << 62);
    FAIL() << "create_new of 4 EiB succeeded";
  } catch (const mmf::error& e) {
    EXPECT_TRUE(e.code() == std::errc::no_space_on_device ||
                e.code() == std::errc::not_enough_memory)
        << mmf_test::describe(e.code()) << ": " << e.what();
  }
  // Nothing is left behind under that name.
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
}

TEST(ErrorTable, ViewLargerThanTheAddressSpaceIsNotEnoughMemory) {
  // 1 PiB, not reserved: creating the map is allowed to succeed, mapping all of it is not.
  const std::uint64_t huge = std::uint64_t{1} << 50;
  std::error_code ec;
  auto map = memory_mapped_file::create_new(
      "", huge, access::read_write, map_options::delay_allocate_pages, inheritability::none, ec);
  if (ec) {
    EXPECT_TRUE(ec == std::errc::no_space_on_device || ec == std::errc::not_enough_memory)
        << mmf_test::describe(ec);
    return;
  }
  try {
    (void)map.create_view_accessor();
    FAIL() << "a 1 PiB view was mapped";
  } catch (const mmf::error& e) {
    EXPECT_TRUE(e.code() == std::errc::not_enough_memory ||
                e.code() == std::errc::no_space_on_device)
        << mmf_test::describe(e.code()) << ": " << e.what();
  }
}

// ---- Row: empty or moved-from objects
// ------------------------------------------------------------

TEST(ErrorTable, EmptyObjectsAreBadFileDescriptor) {
  memory_mapped_file map;
  EXPECT_MMF_ERROR(map.create_view_accessor(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(map.create_view_stream(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(map.map_access(), std::errc::bad_file_descriptor);

  mmf::view_accessor view;
  EXPECT_MMF_ERROR(view.read<int>(0), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(view.write<int>(0, 1), std::errc::bad_file_descriptor);
  int values[2] = {};
  EXPECT_MMF_ERROR(view.read_array(0, std::span<int>(values)), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(view.write_array(0, std::span<const int>(values)),
                   std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(view.flush(), std::errc::bad_file_descriptor);

  mmf::view_stream stream;
  EXPECT_MMF_ERROR(stream.seek(0), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(stream.read_as<int>(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(stream.write_as<int>(1), std::errc::bad_file_descriptor);
}

TEST(ErrorTable, MovedFromObjectsAreBadFileDescriptor) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto view = map.create_view_accessor();
  auto stream = map.create_view_stream();
  memory_mapped_file map2 = std::move(map);
  mmf::view_accessor view2 = std::move(view);
  mmf::view_stream stream2 = std::move(stream);
  EXPECT_MMF_ERROR(map.create_view_accessor(), std::errc::bad_file_descriptor);  // NOLINT
  EXPECT_MMF_ERROR(view.read<int>(0), std::errc::bad_file_descriptor);           // NOLINT
  EXPECT_MMF_ERROR(stream.seek(0), std::errc::bad_file_descriptor);              // NOLINT
  // The moved-to objects work.
  view2.write<int>(0, 5);
  EXPECT_EQ(stream2.read_as<int>(), 5);
  EXPECT_EQ(map2.create_view_accessor().read<int>(0), 5);
}

// ---- std::error_code& overloads
// ------------------------------------------------------------------

TEST(ErrorCodeOverloads, AreNoexcept) {
  std::error_code ec;
  const std::filesystem::path path;
  memory_mapped_file map;
  static_assert(noexcept(
      memory_mapped_file::create_from_file(path, file_mode::open, {}, 0, access::read_write, ec)));
  static_assert(noexcept(
      memory_mapped_file::create_from_file(memory_mapped_file::native_handle_type{}, {}, 0,
                                           access::read_write, inheritability::none, false, ec)));
  static_assert(noexcept(memory_mapped_file::create_new(
      {}, 1, access::read_write, map_options::none, inheritability::none, ec)));
  static_assert(noexcept(memory_mapped_file::create_or_open(
      {}, 1, access::read_write, map_options::none, inheritability::none, ec)));
  static_assert(noexcept(memory_mapped_file::create_or_open(
      {}, 1, access::read_write, map_options::none, inheritability::none, nullptr, ec)));
  static_assert(noexcept(
      memory_mapped_file::open_existing({}, access::read_write, inheritability::none, ec)));
  static_assert(noexcept(map.create_view_accessor(0, 0, access::read_write, ec)));
  static_assert(noexcept(map.create_view_stream(0, 0, access::read_write, ec)));
  SUCCEED();
}

TEST(ErrorCodeOverloads, CreateFromFilePath) {
  mmf_test::temp_dir dir;
  std::error_code ec;
  auto failed = memory_mapped_file::create_from_file(dir / "missing", file_mode::open, {}, 0,
                                                     access::read_write, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << mmf_test::describe(ec);
  EXPECT_FALSE(failed);
  EXPECT_EQ(failed.native_handle(), memory_mapped_file().native_handle());

  failed = memory_mapped_file::create_from_file(dir / "x", file_mode::truncate, {}, 10,
                                                access::read_write, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << mmf_test::describe(ec);
  EXPECT_FALSE(failed);

  ec = stale_code();
  auto map = memory_mapped_file::create_from_file(dir / "new", file_mode::create_new, {}, 4096,
                                                  access::read_write, ec);
  EXPECT_FALSE(ec) << mmf_test::describe(ec);
  ASSERT_TRUE(map);
  EXPECT_EQ(map.capacity(), 4096u);

  // A map name already in use by a persisted map.
  const std::string name = mmf_test::unique_name("ecfile");
  auto named = memory_mapped_file::create_from_file(dir / "a", file_mode::create_new, name, 10,
                                                    access::read_write, ec);
  ASSERT_FALSE(ec) << mmf_test::describe(ec);
  failed = memory_mapped_file::create_from_file(dir / "b", file_mode::create_new, name, 10,
                                                access::read_write, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << mmf_test::describe(ec);
  EXPECT_FALSE(failed);
  EXPECT_FALSE(std::filesystem::exists(dir / "b")) << "the file the call created was left behind";
}

TEST(ErrorCodeOverloads, CreateFromFileHandle) {
  mmf_test::temp_dir dir;
  const auto path = dir / "h.bin";
  mmf_test::write_file(path, std::string(100, 'h'));
  const auto ro = mmf_test::open_native_file(path, false);
  std::error_code ec;
  auto failed = memory_mapped_file::create_from_file(ro, {}, 0, access::read_write,
                                                     inheritability::none, false, ec);
  EXPECT_EQ(ec, std::errc::permission_denied) << mmf_test::describe(ec);
  EXPECT_FALSE(failed);
  EXPECT_TRUE(mmf_test::native_handle_is_open(ro));

  failed = memory_mapped_file::create_from_file(ro, {}, 50, access::read, inheritability::none,
                                                true, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << mmf_test::describe(ec);
  EXPECT_FALSE(failed);

  ec = stale_code();
  auto map =
      memory_mapped_file::create_from_file(ro, {}, 0, access::read, inheritability::none, true, ec);
  EXPECT_FALSE(ec) << mmf_test::describe(ec);
  ASSERT_TRUE(map);
  EXPECT_EQ(map.capacity(), 100u);
  EXPECT_EQ(map.create_view_accessor(0, 0, access::read).read<char>(99), 'h');
  map = memory_mapped_file();
  mmf_test::close_native_handle(ro);
}

TEST(ErrorCodeOverloads, CreateNew) {
  const std::string name = mmf_test::unique_name("eccreate");
  std::error_code ec = stale_code();
  auto map = memory_mapped_file::create_new(name, 4096, access::read_write, map_options::none,
                                            inheritability::none, ec);
  EXPECT_FALSE(ec) << mmf_test::describe(ec);
  ASSERT_TRUE(map);
  EXPECT_EQ(map.name(), name);

  auto failed = memory_mapped_file::create_new(name, 4096, access::read_write, map_options::none,
                                               inheritability::none, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << mmf_test::describe(ec);
  EXPECT_FALSE(failed);
  EXPECT_EQ(failed.capacity(), 0u);
  EXPECT_TRUE(failed.name().empty());

  failed = memory_mapped_file::create_new("a/b", 4096, access::read_write, map_options::none,
                                          inheritability::none, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << mmf_test::describe(ec);
  EXPECT_FALSE(failed);

  failed = memory_mapped_file::create_new("", 4096, access::write, map_options::none,
                                          inheritability::none, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << mmf_test::describe(ec);
  EXPECT_FALSE(failed);
}

TEST(ErrorCodeOverloads, CreateOrOpenWithoutCreatedNew) {
  const std::string name = mmf_test::unique_name("eccoo");
  std::error_code ec = stale_code();
  auto map = memory_mapped_file::create_or_open(name, 4096, access::read_write, map_options::none,
                                                inheritability::none, ec);
  EXPECT_FALSE(ec) << mmf_test::describe(ec);
  ASSERT_TRUE(map);
  ec = stale_code();
  auto again = memory_mapped_file::create_or_open(name, 4096, access::read_write, map_options::none,
                                                  inheritability::none, ec);
  EXPECT_FALSE(ec) << mmf_test::describe(ec);
  ASSERT_TRUE(again);

  auto failed = memory_mapped_file::create_or_open(name, 0, access::read_write, map_options::none,
                                                   inheritability::none, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << mmf_test::describe(ec);
  EXPECT_FALSE(failed);
}

TEST(ErrorCodeOverloads, CreateOrOpenWithCreatedNew) {
  const std::string name = mmf_test::unique_name("eccoo2");
  std::error_code ec = stale_code();
  bool created = false;
  auto map = memory_mapped_file::create_or_open(name, 4096, access::read_write, map_options::none,
                                                inheritability::none, &created, ec);
  EXPECT_FALSE(ec) << mmf_test::describe(ec);
  EXPECT_TRUE(created);
  ASSERT_TRUE(map);
  auto again = memory_mapped_file::create_or_open(name, 4096, access::read_write, map_options::none,
                                                  inheritability::none, &created, ec);
  EXPECT_FALSE(ec) << mmf_test::describe(ec);
  EXPECT_FALSE(created);
  ASSERT_TRUE(again);

  auto failed =
      memory_mapped_file::create_or_open(std::string(201, 'x'), 4096, access::read_write,
                                         map_options::none, inheritability::none, &created, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << mmf_test::describe(ec);
  EXPECT_FALSE(failed);
}

TEST(ErrorCodeOverloads, OpenExisting) {
  const std::string name = mmf_test::unique_name("ecopen");
  std::error_code ec;
  auto failed =
      memory_mapped_file::open_existing(name, access::read_write, inheritability::none, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << mmf_test::describe(ec);
  EXPECT_FALSE(failed);

  failed = memory_mapped_file::open_existing("", access::read_write, inheritability::none, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << mmf_test::describe(ec);
  EXPECT_FALSE(failed);

  auto map = memory_mapped_file::create_new(name, 4096);
  ec = stale_code();
  auto opened = memory_mapped_file::open_existing(name, access::read, inheritability::none, ec);
  EXPECT_FALSE(ec) << mmf_test::describe(ec);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened.capacity(), 4096u);
}

TEST(ErrorCodeOverloads, CreateViewAccessor) {
  auto map = memory_mapped_file::create_new("", 4096);
  std::error_code ec;
  auto view = map.create_view_accessor(4097, 0, access::read_write, ec);
  EXPECT_EQ(ec, std::errc::result_out_of_range) << mmf_test::describe(ec);
  EXPECT_FALSE(view);
  EXPECT_EQ(view.capacity(), 0u);

  view = map.create_view_accessor(1, std::numeric_limits<std::uint64_t>::max(), access::read_write,
                                  ec);
  EXPECT_EQ(ec, std::errc::result_out_of_range) << mmf_test::describe(ec);
  EXPECT_FALSE(view);

  view = map.create_view_accessor(0, 0, static_cast<access>(99), ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << mmf_test::describe(ec);
  EXPECT_FALSE(view);

  memory_mapped_file empty;
  view = empty.create_view_accessor(0, 0, access::read_write, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << mmf_test::describe(ec);
  EXPECT_FALSE(view);

  ec = stale_code();
  view = map.create_view_accessor(10, 20, access::read_write, ec);
  EXPECT_FALSE(ec) << mmf_test::describe(ec);
  ASSERT_TRUE(view);
  EXPECT_EQ(view.capacity(), 20u);
}

TEST(ErrorCodeOverloads, CreateViewAccessorPermissionDenied) {
  mmf_test::temp_dir dir;
  const auto path = dir / "ro.bin";
  mmf_test::write_file(path, std::string(10, 'r'));
  auto map = memory_mapped_file::create_from_file(path, file_mode::open, {}, 0, access::read);
  std::error_code ec;
  auto view = map.create_view_accessor(0, 0, access::read_write, ec);
  EXPECT_EQ(ec, std::errc::permission_denied) << mmf_test::describe(ec);
  EXPECT_FALSE(view);
}

TEST(ErrorCodeOverloads, CreateViewStream) {
  auto map = memory_mapped_file::create_new("", 4096);
  std::error_code ec;
  auto stream = map.create_view_stream(0, 4097, access::read_write, ec);
  EXPECT_EQ(ec, std::errc::result_out_of_range) << mmf_test::describe(ec);
  EXPECT_FALSE(stream);
  EXPECT_EQ(stream.capacity(), 0u);

  memory_mapped_file empty;
  stream = empty.create_view_stream(0, 0, access::read_write, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << mmf_test::describe(ec);
  EXPECT_FALSE(stream);

  ec = stale_code();
  stream = map.create_view_stream(100, 0, access::read_write, ec);
  EXPECT_FALSE(ec) << mmf_test::describe(ec);
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream.capacity(), 3996u);
}

}  // namespace
