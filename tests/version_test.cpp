// mmf::version(): the version the library was built with, which is the project's CMake version
// (passed to this test as MMF_TEST_PROJECT_VERSION, so a config.hpp out of step is caught).
#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

#include <string>

namespace {

TEST(Version, LoadedLibraryMatchesTheProjectVersion) {
  const mmf::version_number v = mmf::version();
  EXPECT_EQ(v, mmf::header_version);
  EXPECT_EQ(std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch),
            MMF_TEST_PROJECT_VERSION);
  EXPECT_STREQ(mmf::version_string(), MMF_TEST_PROJECT_VERSION);
  EXPECT_EQ(v.major, MMF_VERSION_MAJOR);
  EXPECT_EQ(v.minor, MMF_VERSION_MINOR);
  EXPECT_EQ(v.patch, MMF_VERSION_PATCH);
}

TEST(Version, ComparesByEveryPart) {
  constexpr mmf::version_number a{1, 2, 3};
  EXPECT_EQ(a, (mmf::version_number{1, 2, 3}));
  EXPECT_NE(a, (mmf::version_number{2, 2, 3}));
  EXPECT_NE(a, (mmf::version_number{1, 3, 3}));
  EXPECT_NE(a, (mmf::version_number{1, 2, 4}));
}

}  // namespace
