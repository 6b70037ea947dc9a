// mmf — the reliability suite (issue 3). Each test runs one scenario of scenarios.hpp or
// security_cases.hpp with CI round counts (environment variables override them, see
// CMakeLists.txt), prints one line per figure:
//   FIGURE <name> <key>=<value>... target=<what must hold> PASS|FAIL
// and fails unless every figure meets its target.
#include <iostream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "reliability/queue_scenarios.hpp"
#include "reliability/security_cases.hpp"

namespace {

using mmf_rel::env_count;

// Prints the figure line and returns whether it passed.
bool figure(const std::string& name, const std::string& values, const std::string& target,
            bool pass) {
  std::cout << "FIGURE " << name << " " << values << " target=" << target << " "
            << (pass ? "PASS" : "FAIL") << std::endl;
  return pass;
}

std::string kv(const std::string& key, double value) {
  std::ostringstream out;
  out << key << "=" << value;
  return out.str();
}

TEST(Reliability, SigkillAllHolders) {
  const auto rounds = env_count("MMF_REL_SIGKILL_ROUNDS", 200);
  const auto holders = env_count("MMF_REL_SIGKILL_HOLDERS", 3);
  const auto start = mmf_rel::clock_type::now();
  const auto r = mmf_rel::run_sigkill_all_holders(rounds, holders);
  EXPECT_TRUE(figure("sigkill_all_holders",
                     kv("rounds", double(r.rounds)) + " " + kv("holders", double(holders)) + " " +
                         kv("stale_files_before_reopen", double(r.stale_seen)) + " " +
                         kv("leaked", double(r.leaked)) + " " + kv("visible", double(r.visible)) +
                         " " + kv("seconds", mmf_rel::seconds_since(start)),
                     "leaked=0,visible=0", r.leaked == 0 && r.visible == 0))
      << r.problem;
}

TEST(Reliability, CreateOrOpenRace) {
  const auto procs = env_count("MMF_REL_RACE_PROCS", 8);
  const auto rounds = env_count("MMF_REL_RACE_ROUNDS", 2000);
  const auto r = mmf_rel::run_race(procs, rounds);
  const bool one_creator = r.creators == r.rounds && r.bad_rounds == 0;
  EXPECT_TRUE(figure("create_or_open_race_creators",
                     kv("procs", double(r.procs)) + " " + kv("rounds", double(r.rounds)) + " " +
                         kv("creators", double(r.creators)) + " " +
                         kv("rounds_without_exactly_one_creator", double(r.bad_rounds)) + " " +
                         kv("seconds", r.seconds),
                     "exactly_1_per_round", one_creator && r.problem.empty()))
      << r.problem;
  EXPECT_TRUE(figure(
      "create_or_open_race_sightings",
      kv("opens", double(r.procs * r.rounds)) + " " + kv("size0", double(r.size0)) + " " +
          kv("uninitialised", double(r.uninit)) + " " +
          kv("capacity_mismatch", double(r.mismatch)) + " " + kv("errors", double(r.errors)) + " " +
          kv("leftovers", double(r.leftovers)),
      "0", r.size0 == 0 && r.uninit == 0 && r.mismatch == 0 && r.errors == 0 && r.leftovers == 0));
}

TEST(Reliability, CreatorsKilledDuringCreation) {
  const auto rounds = env_count("MMF_REL_KILL_ROUNDS", 100);
  const auto creators = env_count("MMF_REL_KILL_CREATORS", 3);
  const auto r = mmf_rel::run_killed_creators(rounds, creators);
  EXPECT_TRUE(figure(
      "killed_creators",
      kv("rounds", double(r.rounds)) + " " + kv("kills", double(r.kills)) + " " +
          kv("reinit_failed", double(r.failed)) + " " + kv("reinit_over_1s", double(r.slow)) + " " +
          kv("max_reinit_ms", r.max_ms) + " " + kv("half_made", double(r.half_made)) + " " +
          kv("not_reinitialised", double(r.not_created)) + " " +
          kv("leftovers", double(r.leftovers)),
      "0",
      r.failed == 0 && r.slow == 0 && r.half_made == 0 && r.not_created == 0 && r.leftovers == 0 &&
          r.kills == rounds * creators))
      << r.problem;
}

TEST(Reliability, TmpfsFull) {
  const auto r = mmf_rel::run_tmpfs_full();
  if (!r.ran) {
    mmf_rel::loud_skip("FIGURE tmpfs_full: " + r.why_not);
    GTEST_SKIP() << r.why_not;
  }
  EXPECT_TRUE(figure("tmpfs_full",
                     kv("cases", double(r.cases)) + " " + kv("sigbus", double(r.sigbus)) + " " +
                         kv("leftovers", double(r.leftovers)) + " " +
                         kv("wrong_results", double(r.wrong)) + " " +
                         kv("lazy_touch_status", r.lazy_touch_status),
                     "sigbus=0,leftovers=0,wrong=0",
                     r.sigbus == 0 && r.leftovers == 0 && r.wrong == 0 && r.lazy_touch_status != 0))
      << r.problem;
}

TEST(Reliability, SyscallSeamEnospc) {
  mmf_rel::private_shm_dir dir;
  mmf_rel::syscall_guard restore;
  mmf::detail::posix::sys().posix_fallocate = [](int, off_t, off_t) { return ENOSPC; };
  std::uint64_t right = 0;
  const int cases = 3;
  for (int i = 0; i < cases; ++i) {
    const auto ec = mmf_rel::code_of([&] {
      (void)mmf::memory_mapped_file::create_or_open(mmf_test::unique_name("rel_seam"), 1 << 20);
    });
    if (ec == std::errc::no_space_on_device) ++right;
  }
  mmf::detail::posix::reset_syscalls();
  const auto left = mmf_rel::entries(dir.path()).size();
  EXPECT_TRUE(figure("injected_enospc",
                     kv("cases", cases) + " " + kv("no_space_on_device", double(right)) + " " +
                         kv("leftovers", double(left)),
                     "all_no_space,leftovers=0", right == cases && left == 0));
}

void report_cases(const std::string& name, const std::vector<mmf_rel::case_result>& cases) {
  std::uint64_t failed = 0;
  for (const auto& c : cases)
    if (!c.ok) {
      ++failed;
      ADD_FAILURE() << c.name << ":" << c.detail;
    }
  figure(name, kv("cases", double(cases.size())) + " " + kv("failed", double(failed)), "failed=0",
         failed == 0);
}

TEST(Reliability, PermissionsAndPlantedObjects) {
  report_cases("permissions_any_user", mmf_rel::any_user_security_cases());
}

TEST(Reliability, SecondUserCannotOpenSquatOrDelete) {
  if (!mmf_rel::is_root()) {
    mmf_rel::loud_skip(
        "FIGURE second_user: not running as root, so no second user can be created (useradd) "
        "and no helper can switch to it");
    GTEST_SKIP() << "not root";
  }
  std::string why;
  const auto other = mmf_rel::other_user(&why);
  ASSERT_TRUE(other.has_value()) << why;
  report_cases("second_user_squatting", mmf_rel::second_user_cases(*other));
}

TEST(Reliability, BadNames) {
  std::vector<mmf_rel::case_result> cases;
  for (const auto& bad : mmf_rel::bad_names())
    cases.push_back(mmf_rel::bad_name_refused(bad));
  cases.push_back(mmf_rel::good_long_name_works());
  report_cases("bad_names_rejected_before_any_syscall", cases);
}

TEST(Reliability, DescriptorLeaks) {
  const auto r = mmf_rel::run_fd_leaks();
  EXPECT_TRUE(figure("descriptor_leaks",
                     kv("objects", double(r.objects)) + " " + kv("leaked", double(r.leaked)) + " " +
                         kv("inheritable_missing", double(r.missing)),
                     "leaked=0,missing=0", r.leaked == 0 && r.missing == 0))
      << r.detail;
}

// Issue 11 (a): 4 sender and 4 receiver processes, MMF_REL_QUEUE_MESSAGES messages per sender.
TEST(Reliability, QueueStress) {
  const auto count = env_count("MMF_REL_QUEUE_MESSAGES", 20000);
  const auto r = mmf_rel::run_queue_stress(4, 4, count);
  const auto& t = r.tally;
  EXPECT_TRUE(figure(
      "queue_stress",
      kv("senders", 4) + " " + kv("receivers", 4) + " " + kv("messages_per_sender", double(count)) +
          " " + kv("lost", double(t.lost)) + " " + kv("duplicated", double(t.duplicated)) + " " +
          kv("torn", double(t.torn)) + " " + kv("order_violations", double(t.out_of_order)) + " " +
          kv("seconds", r.seconds),
      "lost=0,duplicated=0,torn=0,order_violations=0",
      t.lost == 0 && t.duplicated == 0 && t.torn == 0 && t.out_of_order == 0 && r.problem.empty()))
      << r.problem;
}

// Issue 11 (b): MMF_REL_QUEUE_KILL_ROUNDS rounds of SIGKILL of a random sender or receiver.
TEST(Reliability, QueueKills) {
  const auto rounds = env_count("MMF_REL_QUEUE_KILL_ROUNDS", 40);
  const auto r = mmf_rel::run_queue_kills(rounds, 400);
  const auto& t = r.tally;
  EXPECT_TRUE(figure(
      "queue_kills",
      kv("rounds", double(r.rounds)) + " " + kv("sender_kills", double(r.sender_kills)) + " " +
          kv("receiver_kills", double(r.receiver_kills)) + " " + kv("stuck", double(r.stuck)) +
          " " + kv("max_finish_ms", r.max_finish_ms) + " " + kv("torn", double(t.torn)) + " " +
          kv("duplicated", double(t.duplicated)) + " " + kv("acked_lost", double(t.lost)) + " " +
          kv("lost_with_killed_receiver", double(r.lost_by_killed)) + " " +
          kv("order_violations", double(t.out_of_order)),
      "stuck=0,torn=0,duplicated=0,acked_lost=0",
      r.stuck == 0 && t.torn == 0 && t.duplicated == 0 && t.lost == 0 && t.out_of_order == 0 &&
          r.over_allowance == 0 && r.problem.empty()))
      << r.problem;
}

}  // namespace
