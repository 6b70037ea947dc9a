// mmf — security of named objects on POSIX (issue 3, point 4): mode 0600 whatever the umask,
// O_CLOEXEC, planted symlinks and files refused, and (as root, with a second user created for the
// test) Local\ objects private to their user, Global\ objects owner-only until widened with
// set_object_permissions, no squatting, no deleting.
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64  // as the library: the syscall seam's off_t must match
#endif

#include <gtest/gtest.h>

#include "reliability/security_cases.hpp"

namespace {

class AnyUser : public ::testing::TestWithParam<int> {};

TEST_P(AnyUser, Case) {
  // Cases are built in a fixed order; run the one with this index.
  const auto r = [&] {
    switch (GetParam()) {
      case 0:
        return mmf_rel::mode_0600_under_umask(0);
      case 1:
        return mmf_rel::mode_0600_under_umask(077);
      case 2:
        return mmf_rel::cloexec_unless_inheritable();
      case 3:
        return mmf_rel::planted_symlink(false);
      case 4:
        return mmf_rel::planted_symlink(true);
      case 5:
        return mmf_rel::planted_wide_file(0666, false);
      case 6:
        return mmf_rel::planted_wide_file(0666, true);
      case 7:
        return mmf_rel::planted_wide_file(0644, true);
      default:
        return mmf_rel::planted_wide_file(0660, false);
    }
  }();
  EXPECT_TRUE(r.ok) << r.name << ":" << r.detail;
}

INSTANTIATE_TEST_SUITE_P(Security, AnyUser, ::testing::Range(0, 9));

TEST(SecondUser, CannotOpenSquatOrDeleteOurObjects) {
  if (!mmf_rel::is_root()) {
    mmf_rel::loud_skip(
        "second-user security tests: not running as root, so no second user can be created "
        "(useradd) and no process can switch to it");
    GTEST_SKIP() << "not root";
  }
  std::string why;
  const auto other = mmf_rel::other_user(&why);
  ASSERT_TRUE(other.has_value()) << why;
  ASSERT_NE(other->uid, 0u);
  for (const auto& r : mmf_rel::second_user_cases(*other))
    EXPECT_TRUE(r.ok) << r.name << ": " << r.detail;
}

}  // namespace
