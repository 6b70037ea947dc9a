// mmf tests — checking that a timed wait times out neither early nor (much) late.
#pragma once

#include <chrono>

#include <gtest/gtest.h>

namespace mmf_test {

// Runs `wait` (which must time out after `asked`) and checks it is never early and late by at most
// 50 ms; a late sample is retried twice (a loaded machine), an early one never accepted.
template <class F>
void expect_timeout_honoured(std::chrono::milliseconds asked, F&& wait) {
  using namespace std::chrono_literals;
  using clock_type = std::chrono::steady_clock;
  std::chrono::nanoseconds late{};
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto t0 = clock_type::now();
    const bool got = wait(asked);
    const auto elapsed = clock_type::now() - t0;
    ASSERT_FALSE(got) << "the wait did not time out";
    ASSERT_GE(elapsed, asked) << "returned early";
    late = elapsed - asked;
    if (late <= 50ms) return;
  }
  ADD_FAILURE() << "late by " << std::chrono::duration_cast<std::chrono::microseconds>(late).count()
                << " us, three times";
}

}  // namespace mmf_test
