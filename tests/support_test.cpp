// mmf tests — tests of the test machinery (tests/support, tests/helper): if these fail, the
// multi-process tests cannot be trusted.
#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace {

using namespace std::chrono_literals;

TEST(Support, UniqueNamesDiffer) {
  std::set<std::string> names;
  for (int i = 0; i < 1000; ++i)
    names.insert(mmf_test::unique_name("u"));
  EXPECT_EQ(names.size(), 1000u);
  const std::string n = mmf_test::unique_name("prefix");
  EXPECT_EQ(n.rfind("prefix_", 0), 0u) << n;
  EXPECT_EQ(n.find('/'), std::string::npos);
  EXPECT_EQ(n.find('\\'), std::string::npos);
}

TEST(Support, TempDirIsRemovedWithItsContent) {
  std::filesystem::path where;
  {
    mmf_test::temp_dir dir;
    where = dir.path();
    ASSERT_TRUE(std::filesystem::is_directory(where));
    mmf_test::write_file(dir / "f", "hello");
    EXPECT_EQ(mmf_test::read_file(dir / "f"), "hello");
  }
  EXPECT_FALSE(std::filesystem::exists(where));
}

TEST(Support, WaitUntil) {
  int calls = 0;
  EXPECT_TRUE(mmf_test::wait_until([&] { return ++calls == 3; }, 1s));
  EXPECT_FALSE(mmf_test::wait_until([] { return false; }, 20ms));
}

TEST(Support, ChildOutputAndExitCode) {
  auto child = mmf_test::spawn_helper({"echo", "one", "two"});
  EXPECT_EQ(child.read_line(), "one");
  EXPECT_EQ(child.read_line(), "two");
  EXPECT_EQ(child.read_line(), std::nullopt);
  EXPECT_EQ(child.wait(), 0);
  EXPECT_EQ(mmf_test::spawn_helper({"exit_with", "7"}).wait(), 7);
  EXPECT_EQ(mmf_test::spawn_helper({"no_such_command"}).wait(), 127);
}

TEST(Support, ChildStdinAndKill) {
  auto child = mmf_test::spawn_helper({"echo_stdin"});
  ASSERT_EQ(child.read_line(), "ready");
  ASSERT_TRUE(child.write_line("ping"));
  EXPECT_EQ(child.read_line(), "ping");
  EXPECT_EQ(child.read_line(50ms), std::nullopt);  // times out: the child waits for input
  EXPECT_EQ(child.wait_for(50ms), std::nullopt);
  child.kill();
  EXPECT_EQ(child.wait(), mmf_test::child_process::killed_status);
  EXPECT_FALSE(child.write_line("after death"));  // EPIPE, no SIGPIPE
}

TEST(Support, ChildEndsAtEndOfStdin) {
  auto child = mmf_test::spawn_helper({"echo_stdin"});
  ASSERT_EQ(child.read_line(), "ready");
  child.close_stdin();
  EXPECT_EQ(child.wait_for(10s), 0);
}

}  // namespace
