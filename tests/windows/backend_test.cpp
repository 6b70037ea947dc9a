// mmf tests (Windows) — what only Windows has, asserted as documented (src/windows/*.cpp):
// kernel object names shared with Win32 programs, page-rounded capacity of an opened map,
// SEC_RESERVE for delay_allocate_pages, sharing flags of persisted files, inheritable handles,
// one namespace for all kinds of object, the emulated abandonment on destruction, the LONG limit of
// semaphores, timeouts that never end early, no object list, and VirtualLock's working-set limit.
#include <windows.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include <mmf/mmf.hpp>
#include <mmf/objects.hpp>

#include "support/error_assertions.hpp"
#include "support/test_support.hpp"

namespace {

using mmf::access;
using mmf::memory_mapped_file;
using mmf_test::unique_name;

std::wstring wide(const std::string& s) {
  return std::wstring(s.begin(), s.end());
}

struct handle {
  HANDLE h = nullptr;
  explicit handle(HANDLE v) : h(v) {}
  handle(const handle&) = delete;
  handle& operator=(const handle&) = delete;
  ~handle() {
    if (h != nullptr && h != INVALID_HANDLE_VALUE) ::CloseHandle(h);
  }
  explicit operator bool() const { return h != nullptr && h != INVALID_HANDLE_VALUE; }
};

std::uint64_t round_up_to_page(std::uint64_t n) {
  const std::uint64_t page = mmf::page_size();
  return (n + page - 1) / page * page;
}

// ---- Names are the kernel's ---------------------------------------------------------------------

TEST(WindowsNames, AMapIsTheKernelObjectLocalName) {
  const std::string name = unique_name("wname");
  auto map = memory_mapped_file::create_new(name, 4096);
  map.create_view_accessor().write<std::uint32_t>(8, 0xC0FFEEu);
  handle h(::OpenFileMappingW(FILE_MAP_READ, FALSE, (L"Local\\" + wide(name)).c_str()));
  ASSERT_TRUE(h) << ::GetLastError();
  void* p = ::MapViewOfFile(h.h, FILE_MAP_READ, 0, 0, 0);
  ASSERT_NE(p, nullptr);
  std::uint32_t v = 0;
  std::memcpy(&v, static_cast<char*>(p) + 8, sizeof v);
  EXPECT_EQ(v, 0xC0FFEEu);
  ::UnmapViewOfFile(p);
  handle global(::OpenFileMappingW(FILE_MAP_READ, FALSE, (L"Global\\" + wide(name)).c_str()));
  EXPECT_FALSE(global) << "Global\\ is another namespace";
}

TEST(WindowsNames, AWin32MapIsOpenedByName) {
  const std::string name = unique_name("w32map");
  handle h(::CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0, 10000,
                                (L"Local\\" + wide(name)).c_str()));
  ASSERT_TRUE(h);
  auto map = memory_mapped_file::open_existing(name);
  // The kernel keeps no exact size: an opened map reports its capacity rounded up to a page.
  EXPECT_EQ(map.capacity(), round_up_to_page(10000));
  auto view = map.create_view_accessor();
  EXPECT_EQ(view.capacity(), round_up_to_page(10000));
  view.write<char>(view.capacity() - 1, 'z');  // the whole last page is usable
}

TEST(WindowsNames, Utf8NamesArePassedAsUtf16) {
  const std::string name = unique_name("w\xC3\xA9\xE2\x82\xAC");  // "wé€_..."
  auto map = memory_mapped_file::create_new(name, 4096);
  std::wstring w(L"Local\\w\u00E9\u20AC");
  w += wide(name.substr(6));
  handle h(::OpenFileMappingW(FILE_MAP_READ, FALSE, w.c_str()));
  EXPECT_TRUE(h) << "the UTF-16 name is Local\\w\u00E9\u20AC...";
}

TEST(WindowsNames, AllKindsShareOneNamespace) {
  const std::string name = unique_name("wclash");
  auto map = memory_mapped_file::create_new(name, 4096);
  EXPECT_MMF_ERROR(mmf::named_mutex::create_or_open(name), std::errc::file_exists);
  EXPECT_MMF_ERROR(mmf::named_event::open_existing(name), std::errc::no_such_file_or_directory);
  auto mutex = mmf::named_mutex::create_or_open(unique_name("wclash_m"));
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(std::string(mutex.name())),
                   std::errc::no_such_file_or_directory);
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(std::string(mutex.name()), 4096),
                   std::errc::file_exists);
}

TEST(WindowsNames, CreateNewOnAnExistingNameLeavesNoExtraHandle) {
  const std::string name = unique_name("wexists");
  {
    auto map = memory_mapped_file::create_new(name, 4096);
    EXPECT_MMF_ERROR(memory_mapped_file::create_new(name, 4096), std::errc::file_exists);
  }
  // Had the failed create_new kept the handle CreateFileMappingW returned, the map would live on.
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
}

// ---- Capacity and views -------------------------------------------------------------------------

TEST(WindowsMaps, OpenedCapacityIsPageRoundedAndTheCreatorsIsExact) {
  const std::string name = unique_name("wcap");
  auto created = memory_mapped_file::create_new(name, 8193);
  EXPECT_EQ(created.capacity(), 8193u);
  auto opened = memory_mapped_file::open_existing(name);
  EXPECT_EQ(opened.capacity(), round_up_to_page(8193));
  bool created_new = true;
  auto again = memory_mapped_file::create_or_open(
      name, 1, access::read_write, mmf::map_options::none, mmf::inheritability::none, &created_new);
  EXPECT_FALSE(created_new);
  EXPECT_EQ(again.capacity(), round_up_to_page(8193));
  opened.create_view_accessor(8192, 1).write<char>(0, 'x');
  EXPECT_EQ(created.create_view_accessor(8192, 1).read<char>(0), 'x');
}

TEST(WindowsMaps, PersistedNamedMapOpenedByNameReachesTheRoundedEnd) {
  mmf_test::temp_dir dir;
  const std::string name = unique_name("wfile");
  auto map =
      memory_mapped_file::create_from_file(dir / "f.bin", mmf::file_mode::create_new, name, 5000);
  auto opened = memory_mapped_file::open_existing(name);
  EXPECT_EQ(opened.capacity(), round_up_to_page(5000));
  auto view = opened.create_view_accessor();  // to the rounded end: mapped to the section's end
  view.write<char>(4999, 'e');
  EXPECT_EQ(map.create_view_accessor().read<char>(4999), 'e');
}

TEST(WindowsMaps, DelayAllocatePagesCommitsPerView) {
  const std::string name = unique_name("wreserve");
  const std::uint64_t big = std::uint64_t{1} << 34;  // 16 GiB reserved, never committed whole
  auto map = memory_mapped_file::create_new(name, big, access::read_write,
                                            mmf::map_options::delay_allocate_pages);
  auto view = map.create_view_accessor(big - 100000, 100000);
  view.write<std::uint64_t>(50000, 42);
  auto opened = memory_mapped_file::open_existing(name);
  auto other = opened.create_view_accessor(big - 100000, 100000, access::read);
  EXPECT_EQ(other.read<std::uint64_t>(50000), 42u);
}

TEST(WindowsMaps, PopulateIsAPrefetchAndHugePagesAreIgnored) {
  auto map =
      memory_mapped_file::create_new(unique_name("wpopulate"), 1 << 22, access::read_write,
                                     mmf::map_options::populate | mmf::map_options::huge_pages);
  auto view = map.create_view_accessor();
  view.write<int>((1 << 22) - 4, 5);
  EXPECT_EQ(view.read<int>((1 << 22) - 4), 5);
}

TEST(WindowsMaps, CopyOnWriteViewsKeepTheirWritesPrivate) {
  const std::string name = unique_name("wcow");
  auto map = memory_mapped_file::create_new(name, 4096);
  map.create_view_accessor().write<int>(0, 1);
  auto cow = map.create_view_accessor(0, 0, access::copy_on_write);
  cow.write<int>(0, 2);
  EXPECT_EQ(cow.read<int>(0), 2);
  EXPECT_EQ(map.create_view_accessor().read<int>(0), 1);
}

TEST(WindowsMaps, ExecuteViewsRunCode) {
  auto map = memory_mapped_file::create_new(unique_name("wexec"), 4096, access::read_write_execute);
  map.create_view_accessor().write<unsigned char>(0, 0xC3);  // x86-64 "ret"
  auto code = map.create_view_accessor(0, 1, access::read_execute);
  void (*fn)() = nullptr;
  const void* entry = code.bytes().data();
  std::memcpy(&fn, &entry, sizeof fn);
  fn();  // FILE_MAP_EXECUTE: no access violation
  auto plain = memory_mapped_file::create_new(unique_name("wnoexec"), 4096);
  EXPECT_MMF_ERROR(plain.create_view_accessor(0, 0, access::read_execute),
                   std::errc::permission_denied);
}

TEST(WindowsMaps, AllocationGranularityIs64KiB) {
  EXPECT_EQ(mmf::allocation_granularity(), 65536u);
  const std::string name = unique_name("wgran");
  auto map = memory_mapped_file::create_new(name, 200000);
  auto view = map.create_view_accessor(70000, 10);
  EXPECT_EQ(view.pointer_offset(), 70000u % 65536u);
}

// ---- Files --------------------------------------------------------------------------------------

TEST(WindowsFiles, AMappedFileCanBeOpenedWrittenAndDeletedByOthers) {
  mmf_test::temp_dir dir;
  const auto path = dir / "shared.bin";
  auto map = memory_mapped_file::create_from_file(path, mmf::file_mode::create_new, {}, 4096);
  map.create_view_accessor().write<char>(0, 'A');
  handle other(::CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE,
                             FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                             OPEN_EXISTING, 0, nullptr));
  ASSERT_TRUE(other) << "the map's file was opened without sharing: " << ::GetLastError();
  char c = 0;
  DWORD n = 0;
  ASSERT_TRUE(::ReadFile(other.h, &c, 1, &n, nullptr));
  EXPECT_EQ(c, 'A');
  EXPECT_TRUE(::DeleteFileW(path.c_str())) << ::GetLastError();
}

TEST(WindowsFiles, FlushReachesTheFile) {
  mmf_test::temp_dir dir;
  const auto path = dir / "flush.bin";
  auto map = memory_mapped_file::create_from_file(path, mmf::file_mode::create_new, {}, 8192);
  auto view = map.create_view_accessor(4096, 4096);
  view.write<std::uint32_t>(0, 0x12345678u);
  view.flush();
  const std::string bytes = mmf_test::read_file(path);
  ASSERT_EQ(bytes.size(), 8192u);
  std::uint32_t v = 0;
  std::memcpy(&v, bytes.data() + 4096, sizeof v);
  EXPECT_EQ(v, 0x12345678u);
}

// ---- Inheritability -----------------------------------------------------------------------------

TEST(WindowsHandles, InheritabilityIsTheHandleFlag) {
  auto plain = memory_mapped_file::create_new(unique_name("wnoinherit"), 4096);
  DWORD flags = 0;
  ASSERT_TRUE(::GetHandleInformation(plain.native_handle(), &flags));
  EXPECT_EQ(flags & HANDLE_FLAG_INHERIT, 0u);
  auto inherited =
      memory_mapped_file::create_new(unique_name("winherit"), 4096, access::read_write,
                                     mmf::map_options::none, mmf::inheritability::inheritable);
  ASSERT_TRUE(::GetHandleInformation(inherited.native_handle(), &flags));
  EXPECT_NE(flags & HANDLE_FLAG_INHERIT, 0u);
}

// A child started with bInheritHandles (as spawn_helper does) holds the inheritable handle under
// the same value; DuplicateHandle from the child proves it, and that the other one is absent.
TEST(WindowsHandles, OnlyInheritableHandlesReachAChild) {
  auto inherited = memory_mapped_file::create_new(
      {}, 4096, access::read_write, mmf::map_options::none, mmf::inheritability::inheritable);
  auto plain = memory_mapped_file::create_new({}, 4096);
  inherited.create_view_accessor().write<int>(0, 31337);
  auto child = mmf_test::spawn_helper({"echo_stdin"});
  ASSERT_EQ(child.read_line(), "ready");
  handle process(::OpenProcess(PROCESS_DUP_HANDLE, FALSE, static_cast<DWORD>(child.id())));
  ASSERT_TRUE(process) << ::GetLastError();
  HANDLE dup = nullptr;
  ASSERT_TRUE(::DuplicateHandle(process.h, inherited.native_handle(), ::GetCurrentProcess(), &dup,
                                0, FALSE, DUPLICATE_SAME_ACCESS))
      << "the inheritable map handle is not in the child: " << ::GetLastError();
  handle copy(dup);
  void* p = ::MapViewOfFile(copy.h, FILE_MAP_READ, 0, 0, 0);
  ASSERT_NE(p, nullptr);
  int v = 0;
  std::memcpy(&v, p, sizeof v);
  ::UnmapViewOfFile(p);
  EXPECT_EQ(v, 31337) << "the child's handle is the same map";
  HANDLE other = nullptr;
  if (::DuplicateHandle(process.h, plain.native_handle(), ::GetCurrentProcess(), &other, 0, FALSE,
                        DUPLICATE_SAME_ACCESS)) {
    handle o(other);
    // The value may name some unrelated handle of the child, but never our map.
    void* q = ::MapViewOfFile(o.h, FILE_MAP_READ, 0, 0, 0);
    EXPECT_EQ(q, nullptr) << "a non-inheritable map handle reached the child";
    if (q != nullptr) ::UnmapViewOfFile(q);
  }
  EXPECT_TRUE(child.write_line("quit"));
  EXPECT_EQ(child.wait(), 0);
}

// ---- Sync objects -------------------------------------------------------------------------------

TEST(WindowsSync, AWin32MutexIsOpenedByName) {
  const std::string name = unique_name("wmutex");
  handle h(::CreateMutexW(nullptr, FALSE, (L"Local\\" + wide(name)).c_str()));
  ASSERT_TRUE(h);
  auto m = mmf::named_mutex::open_existing(name);
  m.lock();
  EXPECT_EQ(::WaitForSingleObject(h.h, 0), static_cast<DWORD>(WAIT_OBJECT_0)) << "recursive";
  ::ReleaseMutex(h.h);
  m.unlock();
  std::thread([&] {
    EXPECT_EQ(::WaitForSingleObject(h.h, 0), static_cast<DWORD>(WAIT_OBJECT_0));
    ::ReleaseMutex(h.h);
  }).join();
}

TEST(WindowsSync, AThreadExitWhileOwningIsWaitAbandonedForWin32Programs) {
  const std::string name = unique_name("wabandon");
  auto m = mmf::named_mutex::create_or_open(name);
  std::thread([&] { m.lock(); }).join();
  handle h(
      ::OpenMutexW(SYNCHRONIZE | MUTEX_MODIFY_STATE, FALSE, (L"Local\\" + wide(name)).c_str()));
  ASSERT_TRUE(h);
  EXPECT_EQ(::WaitForSingleObject(h.h, 1000), static_cast<DWORD>(WAIT_ABANDONED));
  ::ReleaseMutex(h.h);
}

TEST(WindowsSync, DestructionByTheOwnerIsEmulatedAbandonment) {
  const std::string name = unique_name("wdestroy");
  auto keep = mmf::named_mutex::create_or_open(name);
  {
    auto owner = mmf::named_mutex::create_or_open(name);
    owner.lock();
    owner.lock();  // two levels, both released by the destructor
  }
  std::thread([&] {
    EXPECT_EQ(keep.acquire(std::chrono::seconds(5)), mmf::lock_status::abandoned);
    keep.unlock();
    EXPECT_EQ(keep.acquire(std::chrono::seconds(5)), mmf::lock_status::acquired) << "once only";
    keep.unlock();
  }).join();
}

TEST(WindowsSync, SemaphoreCountsAreLongs) {
  EXPECT_MMF_ERROR(mmf::named_semaphore::create_or_open(unique_name("wsem"), 0, 0x80000000u),
                   std::errc::invalid_argument);
  auto s = mmf::named_semaphore::create_or_open(unique_name("wsem"), 0x7ffffffeu, 0x7fffffffu);
  EXPECT_EQ(s.release(), 0x7ffffffeu);
  EXPECT_MMF_ERROR(s.release(), std::errc::value_too_large);
}

TEST(WindowsSync, SubMillisecondTimeoutsAreRoundedUpNeverShortened) {
  auto e = mmf::named_event::create_or_open(unique_name("wtimeout"), mmf::event_reset::manual);
  for (const auto d : {std::chrono::microseconds(1), std::chrono::microseconds(1500),
                       std::chrono::microseconds(20300)}) {
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(e.wait_for(d));
    EXPECT_GE(std::chrono::steady_clock::now() - t0, d);
  }
}

// ---- Inspection ---------------------------------------------------------------------------------

TEST(WindowsObjects, NothingToListNoPathAndNoPermissionBits) {
  auto map = memory_mapped_file::create_new(unique_name("wlist"), 4096);
  EXPECT_TRUE(mmf::list_objects(true).empty()) << "kernel objects are not enumerated";
  EXPECT_TRUE(mmf::remove_stale_objects().empty());
  EXPECT_TRUE(mmf::shared_memory_path("x").empty()) << "the bytes live in the paging file";
  EXPECT_MMF_ERROR(mmf::set_object_permissions(mmf::object_kind::map, "Global\\x",
                                               std::filesystem::perms::others_read),
                   std::errc::operation_not_supported);
}

// VirtualLock can lock no more than the process's minimum working set (less a few pages): past
// it, ERROR_WORKING_SET_QUOTA, which lock_in_memory reports as not_enough_memory. Wine does not
// enforce the working set (its VirtualLock succeeds): the test says so and skips there.
TEST(WindowsViews, LockPastTheWorkingSetIsNotEnoughMemory) {
  SIZE_T min_ws = 0;
  SIZE_T max_ws = 0;
  ASSERT_TRUE(::GetProcessWorkingSetSize(::GetCurrentProcess(), &min_ws, &max_ws));
  ASSERT_TRUE(::SetProcessWorkingSetSize(::GetCurrentProcess(), 1 << 20, 4 << 20));
  auto map = memory_mapped_file::create_new({}, 32u << 20);
  auto view = map.create_view_accessor();
  bool refused = false;
  std::string what;
  try {
    view.lock_in_memory();
  } catch (const mmf::error& e) {
    refused = true;
    what = e.what();
    EXPECT_TRUE(e.code() == std::errc::not_enough_memory) << what;
  }
  if (!refused) view.unlock_from_memory();
  ::SetProcessWorkingSetSize(::GetCurrentProcess(), min_ws, max_ws);
  if (!refused) GTEST_SKIP() << "VirtualLock locked 32 MiB past a 1 MiB working set (Wine)";
  EXPECT_NE(what.find("view_accessor::lock_in_memory"), std::string::npos) << what;
}

}  // namespace
