// mmf — lifetime of named objects on POSIX (issue 3, point 2): dead objects are never observable
// and are reclaimed by the next create/open of their name or by remove_stale_objects(), which
// never touches live ones; a fork()ed child is a holder of its own.
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64  // as the library: the syscall seam's off_t must match
#endif

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

#include "reliability/scenarios.hpp"
#include "support/error_assertions.hpp"

namespace {

using mmf::access;
using mmf::memory_mapped_file;
using mmf_rel::exists_no_follow;
using mmf_test::child_process;

// A child that holds the map `name` (map_create_or_open) and is then SIGKILLed: the object is
// stale. Returns its inode.
ino_t make_stale(const std::string& name) {
  child_process holder;
  std::string failure;
  EXPECT_TRUE(mmf_rel::start(holder, {"map_create_or_open", name, "4096"}, &failure)) << failure;
  EXPECT_EQ(holder.write_line("write 0 1234") && holder.read_line().value_or("") == "ok", true);
  holder.kill();
  struct ::stat st {};
  EXPECT_EQ(::stat(mmf::shared_memory_path(name).c_str(), &st), 0) << "the stale file is there";
  return st.st_ino;
}

TEST(Lifetime, DeadObjectIsNotFoundAndItsFileIsReclaimedByOpenExisting) {
  mmf_rel::private_shm_dir dir;  // no sweep of a parallel test can take our stale files
  const std::string name = mmf_test::unique_name("rel_dead");
  make_stale(name);
  const auto path = mmf::shared_memory_path(name).string();
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
  EXPECT_FALSE(exists_no_follow(path)) << "open_existing reclaims the bytes of a dead object";
}

TEST(Lifetime, DeadObjectIsReplacedByCreateNewAndCreateOrOpen) {
  mmf_rel::private_shm_dir dir;  // no sweep of a parallel test can take our stale files
  for (const bool create_new : {true, false}) {
    const std::string name = mmf_test::unique_name("rel_dead");
    make_stale(name);
    bool created = false;
    auto map = create_new ? memory_mapped_file::create_new(name, 8192)
                          : memory_mapped_file::create_or_open(name, 8192, access::read_write,
                                                               mmf::map_options::none,
                                                               mmf::inheritability::none, &created);
    if (!create_new) {
      EXPECT_TRUE(created);
    }
    EXPECT_EQ(map.capacity(), 8192u);
    EXPECT_EQ(map.create_view_accessor().read<std::uint64_t>(0), 0u) << "not the dead data";
    // (Not the inode number: the dead file is removed before the new one is made, and a file
    // system may give the new file the freed number.)
    EXPECT_EQ(mmf_rel::entries(mmf_rel::shm_dir(), name).size(), 1u);
  }
}

TEST(Lifetime, EveryHolderSigkilledLeavesNothingAfterTheNextOpen) {
  const auto r = mmf_rel::run_sigkill_all_holders(4, 3);
  EXPECT_TRUE(r.problem.empty()) << r.problem;
  EXPECT_EQ(r.visible, 0u);
  EXPECT_EQ(r.leaked, 0u);
}

TEST(Lifetime, RemoveStaleObjectsSweepsStaleOnesAndNeverLiveOnes) {
  mmf_rel::private_shm_dir dir;  // no sweep of a parallel test can take our stale files
  const std::string dead1 = mmf_test::unique_name("rel_gc_dead");
  const std::string dead2 = mmf_test::unique_name("rel_gc_dead");
  const std::string live_here = mmf_test::unique_name("rel_gc_live");
  const std::string live_there = mmf_test::unique_name("rel_gc_live");
  make_stale(dead1);
  make_stale(dead2);
  auto mine = memory_mapped_file::create_new(live_here, 4096);
  child_process other;
  ASSERT_TRUE(mmf_rel::start(other, {"map_create_or_open", live_there, "4096"}));
  ASSERT_EQ(other.write_line("write 8 55") && other.read_line().value_or("") == "ok", true);

  const auto removed = mmf::remove_stale_objects();
  std::vector<std::string> names;
  for (const auto& info : removed) {
    names.push_back(info.name);
    EXPECT_FALSE(info.live) << info.name;
  }
  EXPECT_NE(std::find(names.begin(), names.end(), dead1), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), dead2), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), live_here), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), live_there), names.end());
  EXPECT_FALSE(exists_no_follow(mmf::shared_memory_path(dead1).string()));
  EXPECT_FALSE(exists_no_follow(mmf::shared_memory_path(dead2).string()));
  EXPECT_TRUE(exists_no_follow(mmf::shared_memory_path(live_here).string()));
  EXPECT_TRUE(exists_no_follow(mmf::shared_memory_path(live_there).string()));
  auto again = memory_mapped_file::open_existing(live_there);
  EXPECT_EQ(again.create_view_accessor().read<std::uint64_t>(8), 55u);
  EXPECT_EQ(memory_mapped_file::open_existing(live_here).capacity(), 4096u);
}

// A Global\ object the current user created is the current user's too (objects.hpp: "Removes the
// current user's stale objects"; docs/cli.md: `mmf gc` "removes your stale objects").
TEST(Lifetime, RemoveStaleObjectsSweepsOurStaleGlobalObjectsToo) {
  mmf_rel::private_shm_dir dir;  // no sweep of a parallel test can take our stale files
  const std::string name = "Global\\" + mmf_test::unique_name("rel_gc_global");
  make_stale(name);
  const auto path = mmf::shared_memory_path(name).string();
  ASSERT_TRUE(exists_no_follow(path));
  const auto removed = mmf::remove_stale_objects();
  const bool reported = std::any_of(removed.begin(), removed.end(),
                                    [&](const mmf::object_info& i) { return i.name == name; });
  const bool gone = !exists_no_follow(path);
  ::unlink(path.c_str());  // clean up either way
  EXPECT_TRUE(reported) << "remove_stale_objects() did not report the stale " << name;
  EXPECT_TRUE(gone) << "remove_stale_objects() left the stale " << path;
}

TEST(Lifetime, ListObjectsShowsAStaleObjectAsNotLive) {
  mmf_rel::private_shm_dir dir;  // no sweep of a parallel test can take our stale files
  const std::string name = mmf_test::unique_name("rel_list");
  make_stale(name);
  bool found = false;
  for (const auto& info : mmf::list_objects())
    if (info.name == name) {
      found = true;
      EXPECT_FALSE(info.live);
      EXPECT_EQ(info.holders, 0);
    }
  EXPECT_TRUE(found);
  mmf::remove_stale_objects();
}

// ---- fork(): the child is a holder of its own
// ----------------------------------------------------

// A forked child that waits for one byte on a pipe: 'c' closes the map then exits 0, 'x' exits 0
// without closing (the kernel drops its descriptors), 's' exits via SIGKILL of itself.
struct forked {
  pid_t pid = -1;
  int command = -1;  // write end
  int status = -1;

  void send(char c) {
    ASSERT_EQ(::write(command, &c, 1), 1);
    ::close(command);
    command = -1;
  }
  int wait() {
    int raw = 0;
    while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
    }
    status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -WTERMSIG(raw);
    return status;
  }
};

forked fork_holder(memory_mapped_file& map, mmf::view_accessor& view) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  forked f;
  f.pid = ::fork();
  if (f.pid == 0) {
    ::close(fds[1]);
    char c = 0;
    if (::read(fds[0], &c, 1) != 1) ::_exit(10);
    view.write<std::uint64_t>(0, 0xC41D);  // the child still has the memory
    if (c == 'c') {
      view = mmf::view_accessor();
      map = memory_mapped_file();
      ::_exit(0);
    }
    if (c == 's') ::kill(::getpid(), SIGKILL);
    ::_exit(0);
  }
  ::close(fds[0]);
  f.command = fds[1];
  return f;
}

int holders_of(const std::string& name) {
  for (const auto& info : mmf::list_objects())
    if (info.name == name) return info.holders;
  return -1;
}

TEST(Fork, ChildIsAHolderOfItsOwn_ParentClosesFirst) {
  const std::string name = mmf_test::unique_name("rel_fork_pc");
  const std::string path = mmf::shared_memory_path(name).string();
  auto map = memory_mapped_file::create_new(name, 4096);
  auto view = map.create_view_accessor();
  auto child = fork_holder(map, view);
  ASSERT_GT(child.pid, 0);
  EXPECT_EQ(holders_of(name), 2) << "parent and child hold it separately";
  view = mmf::view_accessor();
  map = memory_mapped_file();
  EXPECT_TRUE(exists_no_follow(path)) << "the child still holds it";
  EXPECT_EQ(mmf_test::spawn_helper({"map_probe", name}).read_line().value_or("<nothing>"),
            "exists 4096");
  child.send('c');
  EXPECT_EQ(child.wait(), 0);
  EXPECT_FALSE(exists_no_follow(path)) << "the child was the last holder";
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
}

void child_ends_first(char how, int expected_status) {
  const std::string name = mmf_test::unique_name("rel_fork_cf");
  const std::string path = mmf::shared_memory_path(name).string();
  auto map = memory_mapped_file::create_new(name, 4096);
  auto view = map.create_view_accessor();
  auto child = fork_holder(map, view);
  ASSERT_GT(child.pid, 0);
  child.send(how);
  EXPECT_EQ(child.wait(), expected_status);
  EXPECT_TRUE(exists_no_follow(path)) << "the parent still holds it";
  EXPECT_EQ(view.read<std::uint64_t>(0), 0xC41Du) << "the child wrote before it ended";
  auto line = mmf_test::spawn_helper({"map_probe", name}).read_line();
  EXPECT_EQ(line.value_or("<nothing>"), "exists 4096");
  EXPECT_EQ(holders_of(name), 1);
  view = mmf::view_accessor();
  map = memory_mapped_file();
  EXPECT_FALSE(exists_no_follow(path)) << "the parent was the last holder";
}

TEST(Fork, ChildIsAHolderOfItsOwn_ChildClosesAndExitsFirst) {
  child_ends_first('c', 0);
}

TEST(Fork, ChildIsAHolderOfItsOwn_ChildExitsWithoutClosingFirst) {
  child_ends_first('x', 0);
}

TEST(Fork, ChildIsAHolderOfItsOwn_ChildKilledFirst) {
  child_ends_first('s', -SIGKILL);
}

TEST(Fork, ForkedChildOfASyncObjectHoldsItToo) {
  const std::string name = mmf_test::unique_name("rel_fork_ev");
  const std::string path = mmf_rel::object_path("event", name);
  auto event = std::make_unique<mmf::named_event>(
      mmf::named_event::create_or_open(name, mmf::event_reset::manual));
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[1]);
    char c = 0;
    if (::read(fds[0], &c, 1) != 1) ::_exit(10);
    event->set();
    event.reset();
    ::_exit(0);
  }
  ::close(fds[0]);
  event.reset();
  EXPECT_TRUE(exists_no_follow(path)) << "the child still holds the event";
  auto again = mmf::named_event::open_existing(name);  // opened: it is live
  ASSERT_EQ(::write(fds[1], "c", 1), 1);
  ::close(fds[1]);
  int raw = 0;
  ASSERT_EQ(::waitpid(pid, &raw, 0), pid);
  EXPECT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 0);
  EXPECT_TRUE(again.wait_for(std::chrono::seconds(5))) << "the child's set() reached us";
}

}  // namespace
