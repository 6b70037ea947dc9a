// mmf — descriptors on POSIX (issue 3, point 6): an exec'd child gets exactly the descriptors of
// objects made with inheritability::inheritable, and none of the others (maps, views, streams,
// persisted maps, sync objects, list_objects).
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64  // as the library: the syscall seam's off_t must match
#endif

#include <gtest/gtest.h>

#include "reliability/security_cases.hpp"

namespace {

TEST(Descriptors, OnlyInheritableOnesReachAnExecdChild) {
  const auto r = mmf_rel::run_fd_leaks();
  EXPECT_EQ(r.leaked, 0u) << r.detail;
  EXPECT_EQ(r.missing, 0u) << r.detail;
}

}  // namespace
