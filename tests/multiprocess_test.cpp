// mmf — maps shared between real processes (children run mmf_test_helper, see
// tests/helper/map_commands.cpp): writes visible both ways, lifetime when every holder is killed or
// exits, and a named persisted map opened by name from another process (the seed's "ImgA").
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
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
using mmf_test::child_process;

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.rfind(prefix, 0) == 0;
}

// Starts a helper command and waits for its first line, which must start with "ready".
// Returns the line in *ready_line.
::testing::AssertionResult start(child_process& child, std::vector<std::string> args,
                                 std::string* ready_line = nullptr) {
  std::string command;
  for (const auto& a : args)
    command += a + " ";
  child = mmf_test::spawn_helper(std::move(args));
  const auto line = child.read_line();
  if (!line)
    return ::testing::AssertionFailure()
           << command << ": no ready line (exit "
           << child.wait_for(std::chrono::seconds(1)).value_or(999) << ")";
  if (!starts_with(*line, "ready"))
    return ::testing::AssertionFailure() << command << ": " << *line;
  if (ready_line) *ready_line = *line;
  return ::testing::AssertionSuccess();
}

// Sends one shell command and returns the child's answer ("<no answer>" if none came).
std::string ask(child_process& child, const std::string& command) {
  if (!child.write_line(command)) return "<child gone>";
  return child.read_line().value_or("<no answer>");
}

// open_existing in a separate process: "exists <capacity>" or "error <errc> ...".
std::string probe_from_another_process(const std::string& name) {
  auto child = mmf_test::spawn_helper({"map_probe", name});
  const std::string line = child.read_line().value_or("<no answer>");
  child.wait();
  return line;
}

std::uint64_t read_u64(const mmf::view_accessor& v, std::uint64_t pos) {
  return v.read<std::uint64_t>(pos);
}

TEST(MultiProcess, SecondProcessOpensByNameAndSeesWritesBothWays) {
  const std::string name = mmf_test::unique_name("mp_both");
  auto map = memory_mapped_file::create_new(name, 4096);
  auto view = map.create_view_accessor();
  view.write<std::uint64_t>(0, 111);

  child_process child;
  std::string ready;
  ASSERT_TRUE(start(child, {"map_open", name}, &ready));
  EXPECT_EQ(ready, "ready 4096");
  EXPECT_EQ(ask(child, "read 0"), "value 111");  // parent -> child
  EXPECT_EQ(ask(child, "write 8 222"), "ok");    // child -> parent
  EXPECT_EQ(read_u64(view, 8), 222u);
  view.write<std::uint64_t>(4088, 333);  // parent -> child, at the last word
  EXPECT_EQ(ask(child, "read 4088"), "value 333");
  EXPECT_EQ(ask(child, "write 4088 444"), "ok");
  EXPECT_EQ(read_u64(view, 4088), 444u);
  EXPECT_EQ(ask(child, "quit"), "<no answer>");
  EXPECT_EQ(child.wait(), 0);
  // The parent's map is unaffected by the child's exit.
  EXPECT_EQ(read_u64(map.create_view_accessor(), 8), 222u);
  EXPECT_EQ(memory_mapped_file::open_existing(name).capacity(), 4096u);
}

TEST(MultiProcess, ChildCreatesAndParentOpens) {
  const std::string name = mmf_test::unique_name("mp_child");
  child_process child;
  std::string ready;
  ASSERT_TRUE(start(child, {"map_create", name, "8193"}, &ready));
  EXPECT_EQ(ready, "ready 8193");
  auto map = memory_mapped_file::open_existing(name);
  EXPECT_EQ(map.capacity(), mmf_test::opened_capacity(8193));
  auto view = map.create_view_accessor();
  EXPECT_EQ(ask(child, "write 8185 77"), "ok");
  EXPECT_EQ(read_u64(view, 8185), 77u);
  view.write<std::uint64_t>(1, 88);
  EXPECT_EQ(ask(child, "read 1"), "value 88");
  // Global\ is another namespace, also across processes.
  EXPECT_TRUE(starts_with(probe_from_another_process("Global\\" + name),
                          "error no_such_file_or_directory"));
  EXPECT_EQ(probe_from_another_process("Local\\" + name),
            "exists " + std::to_string(mmf_test::opened_capacity(8193)));
  // A child that exits (rather than being killed by child_process's destructor) lets go of its
  // hold, so the name goes with the parent's map.
  EXPECT_EQ(ask(child, "quit"), "<no answer>");
  EXPECT_EQ(child.wait(), 0);
}

TEST(MultiProcess, EveryHolderKilledMakesTheNameDisappear) {
  const std::string name = mmf_test::unique_name("mp_kill");
  auto map = memory_mapped_file::create_new(name, 4096);
  map.create_view_accessor().write<std::uint64_t>(0, 5);

  std::vector<child_process> children(3);
  for (auto& c : children)
    ASSERT_TRUE(start(c, {"map_open", name}));
  // One child keeps only a view, another only the map handle.
  EXPECT_EQ(ask(children[1], "close_map"), "ok");
  EXPECT_EQ(ask(children[2], "close_view"), "ok");

  map = memory_mapped_file();  // the parent lets go first
  EXPECT_EQ(probe_from_another_process(name), "exists 4096") << "the children hold it";
  EXPECT_EQ(ask(children[0], "read 0"), "value 5");

  for (auto& c : children) {
    c.kill();
    EXPECT_EQ(c.wait(), child_process::killed_status);
  }
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
  EXPECT_TRUE(starts_with(probe_from_another_process(name), "error no_such_file_or_directory"));
  // The name is free again: a new map of that name is a fresh one.
  auto fresh = memory_mapped_file::create_new(name, 100);
  EXPECT_EQ(fresh.create_view_accessor().read<std::uint64_t>(0), 0u);
}

TEST(MultiProcess, KilledCreatorAndOpenerLeaveNothing) {
  // The parent never holds the map.
  const std::string name = mmf_test::unique_name("mp_kill2");
  child_process creator;
  child_process opener;
  ASSERT_TRUE(start(creator, {"map_create", name, "65536"}));
  ASSERT_TRUE(start(opener, {"map_open", name}));
  EXPECT_EQ(ask(creator, "write 100 9"), "ok");
  EXPECT_EQ(ask(opener, "read 100"), "value 9");
  creator.kill();
  EXPECT_EQ(creator.wait(), child_process::killed_status);
  EXPECT_EQ(probe_from_another_process(name), "exists 65536") << "the opener still holds it";
  opener.kill();
  EXPECT_EQ(opener.wait(), child_process::killed_status);
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
  bool created = false;
  auto again = memory_mapped_file::create_or_open(name, 10, access::read_write, map_options::none,
                                                  mmf::inheritability::none, &created);
  EXPECT_TRUE(created) << "create_or_open attached to a dead map";
  EXPECT_EQ(again.capacity(), 10u);
}

TEST(MultiProcess, KilledChildDoesNotAffectALiveHolder) {
  const std::string name = mmf_test::unique_name("mp_kill3");
  auto map = memory_mapped_file::create_new(name, 4096);
  child_process child;
  ASSERT_TRUE(start(child, {"map_open", name}));
  EXPECT_EQ(ask(child, "write 0 42"), "ok");
  child.kill();
  child.wait();
  EXPECT_EQ(read_u64(map.create_view_accessor(), 0), 42u);
  auto opened = memory_mapped_file::open_existing(name);
  EXPECT_EQ(read_u64(opened.create_view_accessor(), 0), 42u);
}

TEST(MultiProcess, ChildThatExitsNormallyReleasesItsHold) {
  const std::string name = mmf_test::unique_name("mp_exit");
  child_process child;
  ASSERT_TRUE(start(child, {"map_create", name, "4096"}));
  EXPECT_EQ(probe_from_another_process(name), "exists 4096");
  child.close_stdin();  // the shell ends at end of input and the process exits
  EXPECT_EQ(child.wait_for(std::chrono::seconds(10)), 0);
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);

  // With the parent holding it too, the parent's hold keeps it alive after the child exits.
  ASSERT_TRUE(start(child, {"map_create", name, "4096"}));
  auto map = memory_mapped_file::open_existing(name);
  EXPECT_EQ(ask(child, "write 16 1600"), "ok");
  EXPECT_EQ(ask(child, "quit"), "<no answer>");
  EXPECT_EQ(child.wait(), 0);
  EXPECT_EQ(read_u64(map.create_view_accessor(), 16), 1600u);
  EXPECT_EQ(probe_from_another_process(name), "exists 4096");
  map = memory_mapped_file();
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
}

TEST(MultiProcess, NamedPersistedMapOpenedByNameFromAnotherProcess) {
  // The seed's "ImgA": CreateFromFile(path, FileMode.Open, "ImgA") in one process,
  // OpenExisting("ImgA") in another.
  mmf_test::temp_dir dir;
  const auto path = dir / "image.data";
  mmf_test::write_file(path, std::string(1 << 16, '\0'));
  const std::string name = mmf_test::unique_name("ImgA");
  auto map = memory_mapped_file::create_from_file(path, file_mode::open, name);
  auto view = map.create_view_accessor(4000, 2000);
  view.write<std::uint64_t>(0, 0xabcdef);

  child_process child;
  std::string ready;
  ASSERT_TRUE(start(child, {"map_open", name}, &ready));
  EXPECT_EQ(ready, "ready 65536");
  EXPECT_EQ(ask(child, "read 4000"), "value " + std::to_string(0xabcdef));
  EXPECT_EQ(ask(child, "write 5000 31337"), "ok");
  EXPECT_EQ(view.read<std::uint64_t>(1000), 31337u);
  view.write<std::uint64_t>(1008, 4242);
  EXPECT_EQ(ask(child, "read 5008"), "value 4242");
  EXPECT_EQ(ask(child, "flush"), "ok");
  EXPECT_EQ(ask(child, "quit"), "<no answer>");
  EXPECT_EQ(child.wait(), 0);

  // The child's writes are in the file.
  const std::string content = mmf_test::read_file(path);
  std::uint64_t v = 0;
  std::memcpy(&v, content.data() + 5000, 8);
  EXPECT_EQ(v, 31337u);
  std::memcpy(&v, content.data() + 5008, 8);
  EXPECT_EQ(v, 4242u);

  // The name goes with the creator's last view and handle; the file stays.
  map = memory_mapped_file();
  EXPECT_EQ(probe_from_another_process(name), "exists 65536") << "the view still holds it";
  view = mmf::view_accessor();
  EXPECT_TRUE(starts_with(probe_from_another_process(name), "error no_such_file_or_directory"));
  EXPECT_EQ(std::filesystem::file_size(path), 65536u);
}

TEST(MultiProcess, ChildCreatesNamedPersistedMapParentOpensByName) {
  mmf_test::temp_dir dir;
  const auto path = dir / "child.data";
  const std::string name = mmf_test::unique_name("ImgB");
  child_process child;
  ASSERT_TRUE(start(child, {"map_create_from_file", path.string(), "create_new", name, "12288"}));
  EXPECT_EQ(std::filesystem::file_size(path), 12288u);
  auto map = memory_mapped_file::open_existing(name);
  EXPECT_EQ(map.capacity(), 12288u);
  auto view = map.create_view_accessor();
  EXPECT_EQ(ask(child, "write 12280 99"), "ok");
  EXPECT_EQ(read_u64(view, 12280), 99u);
  view.write<std::uint64_t>(3, 7);
  EXPECT_EQ(ask(child, "read 3"), "value 7");
  // A persisted map opened by name with read access refuses write views.
  auto ro = memory_mapped_file::open_existing(name, access::read);
  EXPECT_MMF_ERROR(ro.create_view_accessor(0, 0, access::read_write), std::errc::permission_denied);
  EXPECT_EQ(read_u64(ro.create_view_accessor(0, 0, access::read), 12280), 99u);

  child.kill();  // the creator dies; the parent's handle keeps the name
  child.wait();
  EXPECT_EQ(probe_from_another_process(name), "exists 12288");
  view.flush();
  const std::string content = mmf_test::read_file(path);
  std::uint64_t v = 0;
  std::memcpy(&v, content.data() + 12280, 8);
  EXPECT_EQ(v, 99u);
}

// .NET's OpenedAccessibilityLimitedToOriginal: what the creator allowed bounds every opener, in
// this process and in others, also for root (the suite runs as root in CI).
TEST(MultiProcess, ReadOnlyCreatorBoundsEveryOpener) {
  if (!mmf_test::os_bounds_openers_by_creator_access())
    GTEST_SKIP() << "this OS maps a read-only section writable (Wine does; Windows does not), so "
                    "the creator's access cannot bound an opener here";
  const std::string name = mmf_test::unique_name("roshm");
  auto creator = memory_mapped_file::create_new(name, 4096, access::read);
  EXPECT_MMF_ERROR(memory_mapped_file::create_or_open(name, 4096, access::read_write),
                   std::errc::permission_denied);
  EXPECT_MMF_ERROR(memory_mapped_file::create_or_open(name, 4096), std::errc::permission_denied);
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::permission_denied);
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name, access::read_write_execute),
                   std::errc::permission_denied);
  // Reading is what it allows.
  auto reader = memory_mapped_file::open_existing(name, access::read);
  EXPECT_EQ(reader.create_view_accessor(0, 0, access::read).read<std::uint32_t>(0), 0u);
  bool created = true;
  auto again = memory_mapped_file::create_or_open(name, 4096, access::read, map_options::none,
                                                  inheritability::none, &created);
  EXPECT_FALSE(created);
  // Another process is refused too.
  auto refused = mmf_test::spawn_helper({"map_open", name, "read_write"});
  const auto line = refused.read_line().value_or("<no answer>");
  EXPECT_TRUE(starts_with(line, "error permission_denied")) << line;
  refused.close_stdin();  // ends its shell, had it been let in
  EXPECT_NE(refused.wait_for(std::chrono::seconds(20)).value_or(0), 0);
  child_process child;
  ASSERT_TRUE(start(child, {"map_open", name, "read"}));
  EXPECT_EQ(ask(child, "read 0"), "value 0");
  EXPECT_EQ(ask(child, "quit"), "<no answer>");
  EXPECT_EQ(child.wait(), 0);
}

// The other way round: a read-only map created by another process refuses writers here.
TEST(MultiProcess, ReadOnlyMapOfAnotherProcessRefusesWriters) {
  if (!mmf_test::os_bounds_openers_by_creator_access())
    GTEST_SKIP() << "this OS maps a read-only section writable (Wine does; Windows does not), so "
                    "the creator's access cannot bound an opener here";
  const std::string name = mmf_test::unique_name("roshm");
  child_process child;
  ASSERT_TRUE(start(child, {"map_create", name, "8192", "read"}));
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name, access::read_write),
                   std::errc::permission_denied);
  EXPECT_EQ(memory_mapped_file::open_existing(name, access::read).capacity(),
            mmf_test::opened_capacity(8192));
  EXPECT_EQ(ask(child, "quit"), "<no answer>");
  EXPECT_EQ(child.wait(), 0);
  // Once it is gone, the name is free for a writer.
  EXPECT_EQ(memory_mapped_file::create_new(name, 4096).capacity(), 4096u);
}

// A read-only map whose every holder was killed is stale, not a barrier: a writer reclaims the
// name.
TEST(MultiProcess, StaleReadOnlyMapIsReclaimedByAWriter) {
  const std::string name = mmf_test::unique_name("rostale");
  child_process child;
  ASSERT_TRUE(start(child, {"map_create", name, "4096", "read"}));
  child.kill();
  EXPECT_EQ(child.wait(), child_process::killed_status);
  bool created = false;
  auto map = memory_mapped_file::create_or_open(name, 4096, access::read_write, map_options::none,
                                                inheritability::none, &created);
  EXPECT_TRUE(created);
  map.create_view_accessor().write<std::uint64_t>(0, 9);
  EXPECT_EQ(memory_mapped_file::open_existing(name).create_view_accessor().read<std::uint64_t>(0),
            9u);
}

TEST(MultiProcess, CreateOrOpenFromSeveralProcessesCreatesOnce) {
  const std::string name = mmf_test::unique_name("mp_coo");
  std::vector<child_process> children(4);
  std::vector<std::string> ready(children.size());
  // Started together, so their create_or_open calls overlap.
  for (auto& c : children)
    c = mmf_test::spawn_helper({"map_create_or_open", name, "4096"});
  int created = 0;
  for (std::size_t i = 0; i < children.size(); ++i) {
    const auto line = children[i].read_line();
    ASSERT_TRUE(line.has_value());
    EXPECT_TRUE(*line == "ready 4096 created" || *line == "ready 4096 opened") << *line;
    if (*line == "ready 4096 created") ++created;
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(ask(children[3], "write 0 3"), "ok");
  EXPECT_EQ(ask(children[0], "read 0"), "value 3");
  for (auto& c : children) {
    EXPECT_EQ(ask(c, "quit"), "<no answer>");
    EXPECT_EQ(c.wait(), 0);
  }
}

}  // namespace
