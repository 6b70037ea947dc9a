// mmf — tests of <mmf/system.hpp>.
#include <cstddef>

#include <gtest/gtest.h>
#include <mmf/system.hpp>

namespace {

bool is_power_of_two(std::size_t v) {
  return v != 0 && (v & (v - 1)) == 0;
}

TEST(System, PageSizeIsAPowerOfTwoOfAtLeast4KiB) {
  const std::size_t page = mmf::page_size();
  EXPECT_TRUE(is_power_of_two(page)) << page;
  EXPECT_GE(page, 4096u);
}

TEST(System, PageSizeIsStable) {
  EXPECT_EQ(mmf::page_size(), mmf::page_size());
}

TEST(System, AllocationGranularityIsAMultipleOfThePageSize) {
  const std::size_t granularity = mmf::allocation_granularity();
  EXPECT_TRUE(is_power_of_two(granularity)) << granularity;
  ASSERT_GE(granularity, mmf::page_size());
  EXPECT_EQ(granularity % mmf::page_size(), 0u);
}

}  // namespace
