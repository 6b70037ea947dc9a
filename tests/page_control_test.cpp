// mmf — page control on views (view_accessor and view_stream): flush(offset, size), flush_async,
// advise, lock_in_memory / unlock_from_memory. Every call on every kind of view, the range rules
// and their errors, that no advice (dont_need above all) changes what any view reads, in this
// process or another one, and that a ranged flush reaches the file.
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

#include "support/error_assertions.hpp"
#include "support/test_support.hpp"

namespace {

using mmf::access;
using mmf::advice;
using mmf::file_mode;
using mmf::memory_mapped_file;
using mmf::view_accessor;
using mmf::view_stream;
using mmf_test::child_process;

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
constexpr std::array<advice, 5> kAdvice = {advice::normal, advice::sequential, advice::random,
                                           advice::will_need, advice::dont_need};
constexpr const char* kAdviceNames[] = {"normal", "sequential", "random", "will_need", "dont_need"};

// A value for each 8-byte word that depends on the word and on `seed`.
std::uint64_t word(std::uint64_t i, std::uint64_t seed) {
  return (i + 1) * 0x9E3779B97F4A7C15ull ^ seed;
}
void fill(view_accessor& v, std::uint64_t seed) {
  for (std::uint64_t i = 0; i + 8 <= v.capacity(); i += 8)
    v.write<std::uint64_t>(i, word(i, seed));
}
::testing::AssertionResult holds(const view_accessor& v, std::uint64_t seed) {
  for (std::uint64_t i = 0; i + 8 <= v.capacity(); i += 8)
    if (v.read<std::uint64_t>(i) != word(i, seed))
      return ::testing::AssertionFailure() << "word at " << i << " changed";
  return ::testing::AssertionSuccess();
}

// Every page-control call over [offset, offset + size) of an accessor.
void every_call(view_accessor& v, std::uint64_t offset, std::uint64_t size) {
  v.flush(offset, size);
  v.flush_async(offset, size);
  for (advice a : kAdvice)
    v.advise(a, offset, size);
  v.lock_in_memory(offset, size);
  v.unlock_from_memory(offset, size);
}

// ---- Every call on every kind of view -----------------------------------------------------------

// An odd-sized map, views at odd offsets, ranges that start and end inside pages: the calls widen
// them to whole pages inside the mapping, and the data is unchanged by all of them.
void check_every_call(const memory_mapped_file& map, access view_acc) {
  SCOPED_TRACE(testing::Message() << "view access " << static_cast<int>(view_acc));
  const std::uint64_t offsets[] = {0, 1, 4095, 4097, 65536 + 3};
  for (std::uint64_t offset : offsets) {
    auto v = map.create_view_accessor(offset, 0, view_acc);
    if (v.can_write()) fill(v, offset);
    const std::uint64_t n = v.capacity();
    every_call(v, 0, 0);       // the whole view
    every_call(v, 0, n);       // the same, spelt out
    every_call(v, 5, 1);       // one byte inside the first page
    every_call(v, n - 1, 1);   // the last byte
    every_call(v, n - 1, 0);   // the last byte, as "to the end"
    every_call(v, n, 0);       // nothing: at the end
    every_call(v, 4000, 200);  // across a page boundary (of the map, for offset 0)
    if (v.can_write()) {
      EXPECT_TRUE(holds(v, offset));
    }
  }
}

TEST(PageControl, EveryCallOnAnAnonymousMap) {
  auto map = memory_mapped_file::create_new({}, 3 * 65536 + 123);
  check_every_call(map, access::read_write);
  check_every_call(map, access::read);
  check_every_call(map, access::copy_on_write);
}

TEST(PageControl, EveryCallOnANamedMap) {
  auto map = memory_mapped_file::create_new(mmf_test::unique_name("pc_named"), 3 * 65536 + 123);
  check_every_call(map, access::read_write);
  check_every_call(map, access::read);
  check_every_call(map, access::copy_on_write);
}

TEST(PageControl, EveryCallOnAPersistedMap) {
  mmf_test::temp_dir dir;
  auto map = memory_mapped_file::create_from_file(dir / "f.bin", file_mode::create_new, {},
                                                  3 * 65536 + 123);
  check_every_call(map, access::read_write);
  check_every_call(map, access::read);
  check_every_call(map, access::copy_on_write);
}

TEST(PageControl, EveryCallOnAReadOnlyPersistedMap) {
  mmf_test::temp_dir dir;
  mmf_test::write_file(dir / "f.bin", std::string(70000, 'x'));
  auto map =
      memory_mapped_file::create_from_file(dir / "f.bin", file_mode::open, {}, 0, access::read);
  check_every_call(map, access::read);
  check_every_call(map, access::copy_on_write);
}

TEST(PageControl, EmptyViewDoesNothing) {
  auto map = memory_mapped_file::create_new({}, 4096);
  auto v = map.create_view_accessor(4096, 0);
  ASSERT_EQ(v.capacity(), 0u);
  every_call(v, 0, 0);
  EXPECT_MMF_ERROR(v.flush(0, 1), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(v.lock_in_memory(1, 0), std::errc::result_out_of_range);
}

// ---- Errors -------------------------------------------------------------------------------------

struct call {
  const char* name;
  std::function<void(view_accessor&, std::uint64_t, std::uint64_t)> on_accessor;
  std::function<void(view_stream&, std::uint64_t, std::uint64_t)> on_stream;
};

std::vector<call> calls() {
  return {
      {"flush", [](view_accessor& v, std::uint64_t o, std::uint64_t s) { v.flush(o, s); },
       [](view_stream& v, std::uint64_t o, std::uint64_t s) { v.flush(o, s); }},
      {"flush_async",
       [](view_accessor& v, std::uint64_t o, std::uint64_t s) { v.flush_async(o, s); },
       [](view_stream& v, std::uint64_t o, std::uint64_t s) { v.flush_async(o, s); }},
      {"advise",
       [](view_accessor& v, std::uint64_t o, std::uint64_t s) {
         v.advise(advice::dont_need, o, s);
       },
       [](view_stream& v, std::uint64_t o, std::uint64_t s) { v.advise(advice::dont_need, o, s); }},
      {"lock_in_memory",
       [](view_accessor& v, std::uint64_t o, std::uint64_t s) { v.lock_in_memory(o, s); },
       [](view_stream& v, std::uint64_t o, std::uint64_t s) { v.lock_in_memory(o, s); }},
      {"unlock_from_memory",
       [](view_accessor& v, std::uint64_t o, std::uint64_t s) { v.unlock_from_memory(o, s); },
       [](view_stream& v, std::uint64_t o, std::uint64_t s) { v.unlock_from_memory(o, s); }},
  };
}

TEST(PageControl, RangesOutsideTheViewAreOutOfRangeAndNameTheCall) {
  auto map = memory_mapped_file::create_new({}, 8192);
  auto v = map.create_view_accessor(100, 1000);
  auto s = map.create_view_stream(100, 1000);
  const std::uint64_t bad[][2] = {{1001, 0}, {1000, 1}, {0, 1001}, {999, 2},
                                  {1, kMax}, {kMax, 1}, {kMax, 0}};
  for (const auto& c : calls()) {
    for (const auto& r : bad) {
      SCOPED_TRACE(testing::Message() << c.name << " " << r[0] << " " << r[1]);
      std::string what =
          MMF_ERROR_WHAT(c.on_accessor(v, r[0], r[1]), std::errc::result_out_of_range);
      EXPECT_NE(what.find(std::string("view_accessor::") + c.name), std::string::npos) << what;
      what = MMF_ERROR_WHAT(c.on_stream(s, r[0], r[1]), std::errc::result_out_of_range);
      EXPECT_NE(what.find(std::string("view_stream::") + c.name), std::string::npos) << what;
    }
    // The edges are fine.
    c.on_accessor(v, 1000, 0);
    c.on_accessor(v, 0, 1000);
    c.on_stream(s, 999, 1);
  }
}

TEST(PageControl, EmptyObjectsAreBadFileDescriptor) {
  view_accessor v;
  view_stream s;
  for (const auto& c : calls()) {
    SCOPED_TRACE(c.name);
    std::string what = MMF_ERROR_WHAT(c.on_accessor(v, 0, 0), std::errc::bad_file_descriptor);
    EXPECT_NE(what.find(c.name), std::string::npos) << what;
    what = MMF_ERROR_WHAT(c.on_stream(s, 0, 0), std::errc::bad_file_descriptor);
    EXPECT_NE(what.find(c.name), std::string::npos) << what;
  }
  // Moved-from objects too.
  auto map = memory_mapped_file::create_new({}, 4096);
  auto a = map.create_view_accessor();
  auto b = std::move(a);
  EXPECT_MMF_ERROR(a.lock_in_memory(),
                   std::errc::bad_file_descriptor);  // NOLINT(bugprone-use-after-move)
  b.lock_in_memory();
  b.unlock_from_memory();
}

TEST(PageControl, AdviceOutsideItsEnumeratorsIsInvalidArgument) {
  auto map = memory_mapped_file::create_new({}, 4096);
  auto v = map.create_view_accessor();
  auto s = map.create_view_stream();
  const auto bogus = static_cast<advice>(5);
  std::string what = MMF_ERROR_WHAT(v.advise(bogus), std::errc::invalid_argument);
  EXPECT_NE(what.find("view_accessor::advise"), std::string::npos) << what;
  what = MMF_ERROR_WHAT(s.advise(static_cast<advice>(255), 0, 1), std::errc::invalid_argument);
  EXPECT_NE(what.find("view_stream::advise"), std::string::npos) << what;
}

// ---- No advice changes what a view reads
// ---------------------------------------------------------

TEST(PageControl, DontNeedKeepsSharedDataForEveryView) {
  auto map = memory_mapped_file::create_new(mmf_test::unique_name("pc_dn"), 5 * 4096 + 7);
  auto a = map.create_view_accessor();
  auto b = map.create_view_accessor();
  fill(a, 1);
  for (advice x : kAdvice) {
    a.advise(x);
    EXPECT_TRUE(holds(a, 1)) << kAdviceNames[static_cast<int>(x)];
    EXPECT_TRUE(holds(b, 1)) << kAdviceNames[static_cast<int>(x)];
  }
  // Written again after dont_need, through the other view: both see it.
  fill(b, 2);
  a.advise(advice::dont_need);
  b.advise(advice::dont_need);
  EXPECT_TRUE(holds(a, 2));
  // (A view of the creator's capacity: on Windows an opened map is rounded up to a page.)
  EXPECT_TRUE(holds(
      memory_mapped_file::open_existing(map.name()).create_view_accessor(0, map.capacity()), 2));
}

TEST(PageControl, DontNeedKeepsTheChangesOfACopyOnWriteView) {
  // A copy-on-write view's changes exist nowhere else: dont_need must not discard them (as
  // MADV_DONTNEED would), and the map and its other views keep their own bytes.
  mmf_test::temp_dir dir;
  auto map =
      memory_mapped_file::create_from_file(dir / "f.bin", file_mode::create_new, {}, 3 * 4096 + 5);
  auto shared = map.create_view_accessor();
  fill(shared, 10);
  shared.flush();
  auto cow = map.create_view_accessor(0, 0, access::copy_on_write);
  fill(cow, 11);
  for (advice x : kAdvice) {
    cow.advise(x);
    EXPECT_TRUE(holds(cow, 11)) << kAdviceNames[static_cast<int>(x)];
    shared.advise(x);
    EXPECT_TRUE(holds(shared, 10)) << kAdviceNames[static_cast<int>(x)];
  }
  cow.flush(0, 0);  // a no-op: nothing of a copy-on-write view reaches the file
  cow.flush_async();
  auto h = mmf_test::open_native_file(dir / "f.bin", false);
  const std::string head = mmf_test::native_read_at(h, 0, 8);
  mmf_test::close_native_handle(h);
  std::uint64_t first = 0;
  std::memcpy(&first, head.data(), 8);
  EXPECT_EQ(first, word(0, 10));
}

TEST(PageControl, DontNeedKeepsTheChangesOfACopyOnWriteViewOfSharedMemory) {
  auto map = memory_mapped_file::create_new({}, 2 * 4096);
  auto shared = map.create_view_accessor();
  fill(shared, 20);
  auto cow = map.create_view_accessor(0, 0, access::copy_on_write);
  cow.write<std::uint64_t>(8, 7);
  cow.advise(advice::dont_need);
  EXPECT_EQ(cow.read<std::uint64_t>(8), 7u);
  EXPECT_EQ(shared.read<std::uint64_t>(8), word(8, 20));
  EXPECT_EQ(cow.read<std::uint64_t>(16), word(16, 20));
}

TEST(PageControl, LockedPagesReadAndWriteAsBefore) {
  auto map = memory_mapped_file::create_new({}, 16 * 4096);
  auto v = map.create_view_accessor(4095, 3 * 4096);
  fill(v, 30);
  v.lock_in_memory();
  v.lock_in_memory(10, 100);  // locks do not nest; locking twice is fine
  EXPECT_TRUE(holds(v, 30));
  fill(v, 31);
  v.unlock_from_memory(10, 100);
  v.unlock_from_memory();
  v.unlock_from_memory();  // pages that are not locked: fine
  EXPECT_TRUE(holds(v, 31));
  // Closing a locked view unmaps it (and drops the lock).
  v.lock_in_memory();
  v = view_accessor();
  EXPECT_EQ(map.create_view_accessor(4095, 8).read<std::uint64_t>(0), word(0, 31));
}

// ---- Ranged flushes reach the file
// ---------------------------------------------------------------

std::uint64_t file_word(const std::filesystem::path& file, std::uint64_t offset) {
  auto h = mmf_test::open_native_file(file, false);
  const std::string bytes = mmf_test::native_read_at(h, offset, 8);
  mmf_test::close_native_handle(h);
  std::uint64_t v = 0;
  if (bytes.size() == 8) std::memcpy(&v, bytes.data(), 8);
  return v;
}

TEST(PageControl, RangedFlushWritesTheRangeToTheFile) {
  mmf_test::temp_dir dir;
  const auto file = dir / "f.bin";
  auto map = memory_mapped_file::create_from_file(file, file_mode::create_new, {}, 200000);
  auto v = map.create_view_accessor(70000, 100000);  // an offset inside an allocation unit
  v.write<std::uint64_t>(50000, 0xABCDEF);
  v.flush(50000, 8);
  EXPECT_EQ(file_word(file, 120000), 0xABCDEFu);
  v.write<std::uint64_t>(99992, 0x1234);
  v.flush(99992, 0);  // to the end
  EXPECT_EQ(file_word(file, 169992), 0x1234u);
  v.write<std::uint64_t>(0, 0x5678);
  v.flush_async(0, 8);
  v.flush(0, 8);  // the waiting flush after the asynchronous one
  EXPECT_EQ(file_word(file, 70000), 0x5678u);
}

TEST(PageControl, StreamCallsLeaveThePositionAndStateAlone) {
  mmf_test::temp_dir dir;
  auto map = memory_mapped_file::create_from_file(dir / "s.bin", file_mode::create_new, {}, 9000);
  auto s = map.create_view_stream(10, 0);
  s.write_as<std::uint64_t>(42);
  s.seek(4000);
  for (advice a : kAdvice)
    s.advise(a, 100, 5000);
  s.flush(0, 8);
  s.flush_async();
  s.lock_in_memory(0, 0);
  s.unlock_from_memory(0, 0);
  EXPECT_EQ(s.position(), 4000u);
  EXPECT_TRUE(s.good());
  s.flush();  // std::ostream's flush() is still there: the whole view
  EXPECT_TRUE(s.good());
  EXPECT_EQ(file_word(dir / "s.bin", 10), 42u);
  // An error leaves the stream state alone too.
  EXPECT_MMF_ERROR(s.flush(0, 9000), std::errc::result_out_of_range);
  EXPECT_TRUE(s.good());
  EXPECT_EQ(s.position(), 4000u);
}

// ---- Across processes
// ----------------------------------------------------------------------------

::testing::AssertionResult start(child_process& child, std::vector<std::string> args) {
  child = mmf_test::spawn_helper(std::move(args));
  const auto line = child.read_line();
  if (!line || line->rfind("ready", 0) != 0)
    return ::testing::AssertionFailure() << "no ready line: " << line.value_or("<none>");
  return ::testing::AssertionSuccess();
}

std::string ask(child_process& child, const std::string& command) {
  if (!child.write_line(command)) return "<child gone>";
  return child.read_line().value_or("<no answer>");
}

TEST(PageControl, AdviceInOneProcessLosesNothingForAnother) {
  const std::string name = mmf_test::unique_name("pc_mp");
  auto map = memory_mapped_file::create_new(name, 8 * 4096);
  auto v = map.create_view_accessor();
  v.write<std::uint64_t>(4096, 111);
  child_process child;
  ASSERT_TRUE(start(child, {"map_open", name}));
  v.advise(advice::dont_need);  // the parent drops its pages: the child still reads them
  EXPECT_EQ(ask(child, "read 4096"), "value 111");
  EXPECT_EQ(ask(child, "write 8192 222"), "ok");
  for (const char* a : kAdviceNames)
    EXPECT_EQ(ask(child, std::string("advise ") + a), "ok");
  EXPECT_EQ(ask(child, "lock"), "ok");
  EXPECT_EQ(ask(child, "unlock"), "ok");
  EXPECT_EQ(v.read<std::uint64_t>(8192), 222u);  // and the child's dont_need lost nothing
  EXPECT_EQ(v.read<std::uint64_t>(4096), 111u);
  EXPECT_EQ(ask(child, "quit"), "<no answer>");
  EXPECT_EQ(child.wait(), 0);
}

TEST(PageControl, RangedFlushInAnotherProcessReachesTheFile) {
  mmf_test::temp_dir dir;
  const auto file = dir / "mp.bin";
  const std::string name = mmf_test::unique_name("pc_mpf");
  auto map = memory_mapped_file::create_from_file(file, file_mode::create_new, name, 3 * 4096);
  child_process child;
  ASSERT_TRUE(start(child, {"map_open", name}));
  EXPECT_EQ(ask(child, "write 4100 333"), "ok");
  EXPECT_EQ(ask(child, "flush_range 4096 16"), "ok");
  EXPECT_EQ(file_word(file, 4100), 333u);
  EXPECT_EQ(ask(child, "flush_async"), "ok");
  const std::string refused = ask(child, "flush_range 12288 1");
  EXPECT_EQ(refused.rfind("error result_out_of_range view_accessor::flush: ", 0), 0u) << refused;
  EXPECT_EQ(ask(child, "advise dont_need"), "ok");
  EXPECT_EQ(ask(child, "read 4100"), "value 333");
  EXPECT_EQ(ask(child, "quit"), "<no answer>");
  EXPECT_EQ(child.wait(), 0);
}

}  // namespace
