// mmf tests — the main() of every test executable: GoogleTest, plus a check that the tests leave
// nothing of theirs behind. Every test names its objects and temporary directories with
// mmf_test::unique_name(), which embeds this process's id; after each test, any named object
// (POSIX: an entry in the shared-memory directory, live or stale) or temporary-directory entry
// carrying that id is a leftover. Each is reported under the test that left it, removed when
// stale, and fails the run (as a failure of the global tear-down, so ctest, which runs one test
// per process, sees it on that test).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <mmf/objects.hpp>

#include "support/test_support.hpp"

namespace {

// The token unique_name() puts in every name it makes: "_<pid>_".
std::string own_token() {
  return "_" + std::to_string(mmf_test::detail::current_process_id()) + "_";
}

bool carries_token(const std::string& name) {
  static const std::string token = own_token();
  return name.find(token) != std::string::npos;
}

// What this process has left: named objects (with their state) and temporary-directory entries.
std::vector<std::string> current_leftovers() {
  std::vector<std::string> found;
  try {
    for (const auto& object : mmf::list_objects(true)) {
      if (!carries_token(object.name)) continue;
      found.push_back(std::string(mmf::to_string(object.kind)) + " \"" + object.name + "\" (" +
                      (object.live ? "live" : "stale") + ", " + object.path.string() + ")");
    }
  } catch (const std::exception& e) {
    found.push_back(std::string("<list_objects failed: ") + e.what() + ">");
  }
  std::error_code ec;
  const auto tmp = std::filesystem::temp_directory_path(ec);
  if (!ec) {
    for (std::filesystem::directory_iterator it(tmp, ec), end; !ec && it != end; it.increment(ec)) {
      const auto name = it->path().filename().string();
      if (carries_token(name)) found.push_back("temporary entry " + it->path().string());
    }
  }
  return found;
}

// Removes what can be removed safely: stale objects (nobody holds them) and our temp entries.
void sweep() {
  try {
    (void)mmf::remove_stale_objects();
  } catch (const std::exception&) {
    // Reported by current_leftovers() already.
  }
  std::error_code ec;
  const auto tmp = std::filesystem::temp_directory_path(ec);
  if (ec) return;
  std::vector<std::filesystem::path> ours;
  for (std::filesystem::directory_iterator it(tmp, ec), end; !ec && it != end; it.increment(ec))
    if (carries_token(it->path().filename().string())) ours.push_back(it->path());
  for (const auto& p : ours)
    std::filesystem::remove_all(p, ec);
}

std::vector<std::string>& reported() {
  static std::vector<std::string> all;
  return all;
}

class leftover_listener : public ::testing::EmptyTestEventListener {
  void OnTestEnd(const ::testing::TestInfo& test) override {
    const auto found = current_leftovers();
    if (found.empty()) return;
    for (const auto& what : found) {
      const std::string line =
          std::string(test.test_suite_name()) + "." + test.name() + " left " + what;
      std::fprintf(stderr, "LEFTOVER: %s\n", line.c_str());
      reported().push_back(line);
    }
    sweep();  // so that the next test starts clean and the machine is not littered
  }
};

class leftover_environment : public ::testing::Environment {
  void TearDown() override {
    for (const auto& line : reported())
      ADD_FAILURE() << line << " (a test must remove what it creates, also after killing a child)";
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(new leftover_listener);
  ::testing::AddGlobalTestEnvironment(new leftover_environment);
  return RUN_ALL_TESTS();
}
