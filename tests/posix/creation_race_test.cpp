// mmf — atomic creation of named objects on POSIX (issue 3, point 1): processes racing
// create_or_open on one name, and creators SIGKILLed at random points during creation. The
// reliability suite (tests/reliability/) runs the same scenarios with more rounds.
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64  // as the library: the syscall seam's off_t must match
#endif

#include <gtest/gtest.h>

#include "reliability/scenarios.hpp"

namespace {

TEST(CreationRace, ExactlyOneOfManyProcessesCreatesAndNobodySeesAHalfMadeObject) {
  const auto r = mmf_rel::run_race(4, 40);
  ASSERT_TRUE(r.problem.empty()) << r.problem;
  EXPECT_EQ(r.creators, r.rounds) << "one creator per round in total";
  EXPECT_EQ(r.bad_rounds, 0u) << "rounds whose creator count was not exactly 1";
  EXPECT_EQ(r.size0, 0u);
  EXPECT_EQ(r.uninit, 0u) << "non-zero bytes in a fresh map";
  EXPECT_EQ(r.mismatch, 0u) << "a capacity other than the creator's";
  EXPECT_EQ(r.errors, 0u);
  EXPECT_EQ(r.leftovers, 0u);
}

TEST(CreationRace, CreatorsKilledAtRandomPointsLeaveNoHalfMadeObject) {
  const auto r = mmf_rel::run_killed_creators(6, 3);
  EXPECT_TRUE(r.problem.empty()) << r.problem;
  EXPECT_EQ(r.kills, 18u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.slow, 0u) << "the next create_or_open took " << r.max_ms << " ms";
  EXPECT_LT(r.max_ms, 1000.0);
  EXPECT_EQ(r.half_made, 0u);
  EXPECT_EQ(r.not_created, 0u) << "every holder was dead: the next call must re-initialise";
  EXPECT_EQ(r.leftovers, 0u);
}

// The same in one process: a published object is complete, and the stale file of a dead
// creation (a file nobody holds) is replaced by a fresh object.
TEST(CreationRace, StaleFileUnderTheNameIsReinitialisedNotAttached) {
  mmf_rel::private_shm_dir dir;
  const std::string name = mmf_test::unique_name("rel_stale");
  const std::string path = mmf::shared_memory_path(name).string();
  // What a creator killed after publishing leaves: a complete file nobody holds, with data.
  const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::fchmod(fd, 0600), 0);
  ASSERT_EQ(::pwrite(fd, "old data", 8, 0), 8);
  ::close(fd);
  bool created = false;
  auto map = mmf::memory_mapped_file::create_or_open(name, 12345, mmf::access::read_write,
                                                     mmf::map_options::none,
                                                     mmf::inheritability::none, &created);
  EXPECT_TRUE(created);
  EXPECT_EQ(map.capacity(), 12345u);
  auto view = map.create_view_accessor();
  EXPECT_EQ(view.read<std::uint64_t>(0), 0u);
  // The zeros and the new capacity prove a fresh object (not the inode number: the dead file is
  // removed before the new one is made, and a file system may reuse the freed number).
  EXPECT_EQ(mmf_rel::entries(dir.path()).size(), 1u);
}

}  // namespace
