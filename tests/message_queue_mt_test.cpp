// mmf — multi-thread tests of <mmf/message_queue.hpp> (single process, so ThreadSanitizer checks
// the ring's protocol: the `tsan` label): MPMC with checksums through one handle and through
// several handles, copying and zero-copy, FIFO per sender, nothing lost or duplicated.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/message_queue.hpp>

#include "helper/queue_stress.hpp"
#include "support/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using mmf::message_queue;
using mmf_test::unique_name;

struct tally {
  std::vector<std::atomic<std::uint8_t>> seen;
  std::atomic<std::uint64_t> torn{0};
  std::atomic<std::uint64_t> out_of_order{0};
  tally(std::uint32_t senders, std::uint64_t count) : seen(senders * count) {}
};

// `senders` threads send `count` messages each; `receivers` threads receive them all. Each thread
// uses its own handle when `own_handles`, else all share one. `zero_copy` uses loans.
void run_mpmc(std::uint32_t senders, std::uint32_t receivers, std::uint64_t count,
              std::size_t capacity, bool own_handles, bool zero_copy) {
  const auto name = unique_name("mqmt");
  auto shared = message_queue::create_new(name, capacity, 64);
  tally t(senders, count);
  const std::uint64_t total = senders * count;
  std::atomic<std::uint64_t> received{0};
  std::vector<std::thread> threads;
  for (std::uint32_t s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      message_queue own = own_handles ? message_queue::open_existing(name) : message_queue();
      message_queue& q = own_handles ? own : shared;
      std::vector<std::byte> m(24 + (s % 3) * 16);
      for (std::uint64_t i = 0; i < count; ++i) {
        mmf_stress::fill(m, s, i);
        if (zero_copy) {
          auto loan = q.loan();
          std::memcpy(loan.buffer().data(), m.data(), m.size());
          loan.publish(m.size());
        } else {
          q.send(m);
        }
      }
    });
  }
  for (std::uint32_t r = 0; r < receivers; ++r) {
    threads.emplace_back([&] {
      message_queue own = own_handles ? message_queue::open_existing(name) : message_queue();
      message_queue& q = own_handles ? own : shared;
      std::vector<std::uint64_t> next(senders, 0);
      std::vector<std::byte> buffer(64);
      while (received.load() < total) {
        std::uint32_t sender = 0;
        std::uint64_t seq = 0;
        bool ok = false;
        if (zero_copy) {
          auto m = q.receive_in_place_for(20ms);
          if (!m) continue;
          ok = mmf_stress::check(m.bytes(), sender, seq);
        } else {
          const auto n = q.receive_for(buffer, 20ms);
          if (!n) continue;
          ok = mmf_stress::check({buffer.data(), *n}, sender, seq);
        }
        received.fetch_add(1);
        if (!ok || sender >= senders || seq >= count) {
          t.torn.fetch_add(1);
          continue;
        }
        if (seq < next[sender]) t.out_of_order.fetch_add(1);
        next[sender] = seq + 1;
        t.seen[sender * count + seq].fetch_add(1);
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(t.torn.load(), 0u);
  EXPECT_EQ(t.out_of_order.load(), 0u);
  std::uint64_t lost = 0, duplicated = 0;
  for (auto& c : t.seen) {
    lost += c.load() == 0;
    duplicated += c.load() > 1;
  }
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(duplicated, 0u);
  EXPECT_EQ(shared.size(), 0u);
}

TEST(MessageQueueThreads, MpmcOneHandle) {
  run_mpmc(4, 4, 5000, 8, false, false);
}

TEST(MessageQueueThreads, MpmcOwnHandles) {
  run_mpmc(3, 3, 5000, 4, true, false);
}

TEST(MessageQueueThreads, MpmcZeroCopy) {
  run_mpmc(3, 3, 5000, 16, true, true);
}

TEST(MessageQueueThreads, OneSlotPingPong) {
  run_mpmc(1, 1, 5000, 1, true, false);
}

}  // namespace
