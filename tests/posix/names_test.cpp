// mmf — name validation on POSIX (issue 3, point 5): every malformed name is invalid_argument
// from every API that takes a name, before any system call: the syscall seam sees no call and
// the shared-memory directory does not change.
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64  // as the library: the syscall seam's off_t must match
#endif

#include <gtest/gtest.h>

#include "reliability/security_cases.hpp"

namespace {

class BadName : public ::testing::TestWithParam<mmf_rel::bad_name> {};

TEST_P(BadName, IsInvalidArgumentBeforeAnySystemCall) {
  const auto r = mmf_rel::bad_name_refused(GetParam());
  EXPECT_TRUE(r.ok) << r.name << ":" << r.detail;
}

INSTANTIATE_TEST_SUITE_P(Names, BadName, ::testing::ValuesIn(mmf_rel::bad_names()),
                         [](const ::testing::TestParamInfo<mmf_rel::bad_name>& info) {
                           return info.param.label;
                         });

TEST(Names, TheControlGoodLongNameMakesSystemCalls) {
  const auto r = mmf_rel::good_long_name_works();
  EXPECT_TRUE(r.ok) << r.detail;
}

}  // namespace
