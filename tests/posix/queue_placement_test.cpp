// mmf — message_queue waits in both placements of the two ends: a ping-pong between two
// processes pinned to the same CPU, and to two CPUs. In both, every message arrives in order; and
// on one CPU a waiter's spin never costs a time slice: the other end cannot run while the waiter
// spins, so a spin that ran on for a slice (0.75 ms or more on Linux) would make the median round
// trip at least that long. The bound checked there is 0.5 ms, some twenty times a round trip on a
// loaded machine (5-25 µs), so noise cannot reach it but a slice can. On two CPUs the round trip
// is dominated by waking a sleeping CPU (tens of µs or more on a VM, PERFORMANCE.md), and a spin
// blocks nobody, so only the messages are checked there.
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

#include "support/test_support.hpp"

namespace {

using mmf::message_queue;
using clock_type = std::chrono::steady_clock;

constexpr int kRounds = 2000;
constexpr std::size_t kMessage = 64;

// The CPUs this process may use, lowest first.
std::vector<int> usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

bool pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return ::sched_setaffinity(0, sizeof set, &set) == 0;
}

// Exit codes of the children.
enum : int { kOk = 0, kPinFailed = 10, kWrongMessage = 11, kTooSlow = 12, kError = 13 };

// The echoing end: receives from `in`, sends the same bytes back on `out`, kRounds times.
int echo(const std::string& in_name, const std::string& out_name, int cpu) {
  try {
    if (!pin_to(cpu)) return kPinFailed;
    auto in = message_queue::open_existing(in_name);
    auto out = message_queue::open_existing(out_name);
    std::byte buf[kMessage];
    for (int i = 0; i < kRounds; ++i) {
      if (in.receive(buf) != kMessage) return kWrongMessage;
      out.send(buf);
    }
    return kOk;
  } catch (...) {
    return kError;
  }
}

// The timing end: sends a numbered message, waits for it to come back, kRounds times; fails
// when a message differs or (with a bound) the median round trip reaches the bound.
int ping(const std::string& out_name, const std::string& in_name, int cpu,
         std::optional<std::chrono::nanoseconds> bound) {
  try {
    if (!pin_to(cpu)) return kPinFailed;
    auto out = message_queue::open_existing(out_name);
    auto in = message_queue::open_existing(in_name);
    std::vector<std::int64_t> ns;
    ns.reserve(kRounds);
    std::byte msg[kMessage] = {};
    std::byte back[kMessage];
    for (int i = 0; i < kRounds; ++i) {
      std::memcpy(msg, &i, sizeof i);
      const auto start = clock_type::now();
      out.send(msg);
      if (in.receive(back) != kMessage || std::memcmp(back, msg, kMessage) != 0)
        return kWrongMessage;
      ns.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - start).count());
    }
    if (!bound) return kOk;
    std::nth_element(ns.begin(), ns.begin() + kRounds / 2, ns.end());
    return ns[kRounds / 2] < bound->count() ? kOk : kTooSlow;
  } catch (...) {
    return kError;
  }
}

// Forks a child running `body`; it leaves with _exit (the parent's handles are not its own to
// close: closing one would drop the parent's hold on the queue).
template <class Body>
pid_t fork_child(Body body) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  return pid;
}

int exit_code_of(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ping_pong(int ping_cpu, int echo_cpu, std::optional<std::chrono::nanoseconds> bound) {
  const std::string ab = mmf_test::unique_name("qplace_ab");
  const std::string ba = mmf_test::unique_name("qplace_ba");
  auto q1 = message_queue::create_new(ab, 4, kMessage);
  auto q2 = message_queue::create_new(ba, 4, kMessage);
  const pid_t e = fork_child([&] { return echo(ab, ba, echo_cpu); });
  ASSERT_GT(e, 0);
  const pid_t p = fork_child([&] { return ping(ab, ba, ping_cpu, bound); });
  ASSERT_GT(p, 0);
  const int ping_rc = exit_code_of(p);
  if (ping_rc != kOk) ::kill(e, SIGKILL);  // the echo would wait for messages that never come
  const int echo_rc = exit_code_of(e);
  EXPECT_EQ(ping_rc, kOk) << "the pinging process (10: cannot pin, 11: wrong message, 12: median "
                             "round trip of 0.5 ms or more, 13: an error)";
  if (ping_rc == kOk) {
    EXPECT_EQ(echo_rc, kOk) << "the echoing process";
  }
  EXPECT_EQ(q1.size(), 0u);
  EXPECT_EQ(q2.size(), 0u);
}

TEST(QueuePlacement, BothEndsOnOneCpu) {
  const auto cpus = usable_cpus();
  ASSERT_FALSE(cpus.empty());
  ping_pong(cpus[0], cpus[0], std::chrono::microseconds(500));
}

TEST(QueuePlacement, EndsOnTwoCpus) {
  const auto cpus = usable_cpus();
  if (cpus.size() < 2) GTEST_SKIP() << "this process may use one CPU only";
  ping_pong(cpus[0], cpus[1], std::nullopt);
}

}  // namespace
