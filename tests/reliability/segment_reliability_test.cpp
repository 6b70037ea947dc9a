// mmf — the reliability figures of managed_segment: workers doing random heap and directory
// operations on one segment are SIGKILLed at random moments, one per round; a successor takes
// over each dead worker's slot table; at the end every worker frees what it holds and the
// checker runs. Prints
//   FIGURE segment_sigkill rounds=... stuck=... corrupt=... lost_blocks=... lost_per_kill=...
// and fails unless 0 stuck, 0 corrupt, at most one block lost per kill.
// MMF_REL_SEGMENT_KILL_ROUNDS (CI default below; the full figure is 500),
// MMF_REL_SEGMENT_WORKERS (default 3).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/managed_segment.hpp>

#include "helper/segment_shapes.hpp"
#include "support/test_support.hpp"

namespace {

using mmf_test::env_count;

using namespace std::chrono_literals;
using namespace mmf_segment_shapes;

TEST(SegmentReliability, SigkillInsideHeapOperations) {
  const std::uint64_t rounds = env_count("MMF_REL_SEGMENT_KILL_ROUNDS", 60);
  const std::uint64_t workers = env_count("MMF_REL_SEGMENT_WORKERS", 3);
  const std::string name = mmf_test::unique_name("segk");
  auto seg = mmf::managed_segment::create_new(name, 4 << 20);
  auto* stop = seg.construct<std::atomic<std::uint32_t>>("stop", 0u);
  for (std::uint64_t i = 0; i < workers; ++i)
    seg.construct<slot_table>("table_" + std::to_string(i));
  const auto start = seg.free_memory();
  const auto start_blocks = seg.statistics().used_blocks;

  std::mt19937_64 rng(20261207);
  std::uint64_t seed = 1;
  std::uint64_t stuck = 0;
  auto spawn = [&](std::uint64_t i) {
    auto c = mmf_test::spawn_helper(
        {"segment_worker", name, std::to_string(i), "0", std::to_string(seed++)});
    if (c.read_line(20s) != std::optional<std::string>("ready")) ++stuck;
    return c;
  };
  std::vector<mmf_test::child_process> children;
  for (std::uint64_t i = 0; i < workers; ++i)
    children.push_back(spawn(i));
  for (std::uint64_t r = 0; r < rounds; ++r) {
    std::this_thread::sleep_for(std::chrono::microseconds(200 + rng() % 5000));
    const auto victim = rng() % workers;
    children[victim].kill();
    children[victim] = spawn(victim);
  }
  stop->store(1);
  for (auto& c : children) {
    const auto line = c.read_line(30s);
    if (!line || line->rfind("done", 0) != 0) ++stuck;
    if (c.wait_for(10s) != std::optional<int>(0)) ++stuck;
  }
  const auto report = seg.check();
  const auto stats = seg.statistics();
  const auto lost_blocks = stats.used_blocks - start_blocks;
  const double per_kill =
      rounds == 0 ? 0.0 : static_cast<double>(lost_blocks) / static_cast<double>(rounds);
  const bool pass = stuck == 0 && report.ok && per_kill <= 1.0;
  std::cout << "FIGURE segment_sigkill rounds=" << rounds << " workers=" << workers
            << " stuck=" << stuck << " corrupt=" << (report.ok ? 0 : 1)
            << " recoveries=" << stats.recoveries << " lost_blocks=" << lost_blocks
            << " lost_bytes=" << (start - seg.free_memory()) << " lost_per_kill=" << per_kill
            << " target=stuck=0,corrupt=0,lost_per_kill<=1 " << (pass ? "PASS" : "FAIL")
            << std::endl;
  EXPECT_EQ(stuck, 0u);
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_LE(per_kill, 1.0);
  EXPECT_EQ(report.objects, 1u + workers);
}

}  // namespace
