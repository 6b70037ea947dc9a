// mmf-bench — runs mmf and its peers side by side and prints medians and ratios.
//
//   mmf-bench [--quick] [--groups random,bulk,...] [--reps N] [--json FILE] [--dir DIR]
//             [--no-system-setup] [--list]
//
// See docs/performance.md for what each number means.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

namespace mmfbench {
namespace {

struct group_entry {
  const char* name;
  const char* what;
  group (*make)(const config&);
};

const group_entry all_groups[] = {
    {"random", "random 8-byte read<T>/write<T> vs raw pointer, pread, ifstream, Boost",
     make_random_group},
    {"bulk", "sequential 1 MiB view_stream reads vs memcpy, read(), ifstream, Boost bufferstream",
     make_bulk_group},
    {"small", "sequential 8-byte read_as<u64> vs raw pointer, istream, ifstream, Boost",
     make_small_group},
    {"lifecycle", "create_new / open_existing / view / close vs raw syscalls and Boost",
     make_lifecycle_group},
    {"touch", "first touch of shared memory: demand vs populate vs huge_pages", make_touch_group},
    {"event", "named_event ping-pong vs futex, eventfd, pipe, sem_t, Boost (same/cross core)",
     make_event_group},
    {"mutex", "named_mutex uncontended vs robust pthread mutex, Boost, flock", make_mutex_group},
    {"queue", "message_queue between two processes vs raw rings, futex, Boost, pipe, socket",
     make_queue_group},
    {"segment", "managed_segment allocate/find vs malloc and Boost managed_shared_memory",
     make_segment_group},
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: mmf-bench [options]\n"
               "Runs mmf and its peers side by side, interleaved, and prints medians and ratios.\n"
               "\n"
               "  --quick             small sizes and few iterations (a few seconds; CI runs it)\n"
               "  --groups LIST       comma-separated groups to run (default: all)\n"
               "  --reps N            repetitions per row (default 5; at least 1)\n"
               "  --json FILE         also write the results as JSON to FILE\n"
               "  --dir DIR           where the data file goes (default: $TMPDIR or /tmp)\n"
               "  --no-system-setup   never change system settings (THP) for the touch group\n"
               "  --list              list the groups and exit\n"
               "  --help              this text\n"
               "\nGroups:\n");
  for (const auto& g : all_groups)
    std::fprintf(out, "  %-10s %s\n", g.name, g.what);
}

// A watchdog: a benchmark that hangs (a lost wake-up in a ping-pong) must not hang CI. When the
// deadline passes it restores system settings and exits.
class watchdog {
 public:
  watchdog() : thread_([this] { loop(); }) {}
  ~watchdog() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void arm(std::string what, std::chrono::seconds limit) {
    std::lock_guard<std::mutex> lock(m_);
    what_ = std::move(what);
    deadline_ = std::chrono::steady_clock::now() + limit;
    armed_ = true;
    cv_.notify_all();
  }
  void disarm() {
    std::lock_guard<std::mutex> lock(m_);
    armed_ = false;
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(m_);
    while (!stop_) {
      if (!armed_) {
        cv_.wait(lock);
        continue;
      }
      if (cv_.wait_until(lock, deadline_) == std::cv_status::timeout && armed_ && !stop_ &&
          std::chrono::steady_clock::now() >= deadline_) {
        std::fprintf(stderr, "mmf-bench: %s did not finish in time: giving up\n", what_.c_str());
        run_all_restores();
        std::_Exit(3);
      }
    }
  }
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false, armed_ = false;
  std::string what_;
  std::chrono::steady_clock::time_point deadline_;
  std::thread thread_;
};

extern "C" void on_signal(int sig) {
  // Not async-signal-safe in every detail, but restoring the THP setting matters more than a
  // theoretical deadlock in a benchmark being interrupted.
  run_all_restores();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

int run(int argc, char** argv) {
  config cfg;
  std::string json_path;
  std::vector<std::string> selected;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* opt) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "mmf-bench: %s needs a value\n", opt);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--quick") {
      cfg.quick = true;
    } else if (a == "--groups" || a == "--group") {
      std::string list = value(a.c_str());
      for (std::size_t pos = 0; pos <= list.size();) {
        const auto comma = std::min(list.find(',', pos), list.size());
        if (comma > pos) selected.push_back(list.substr(pos, comma - pos));
        pos = comma + 1;
      }
    } else if (a == "--reps") {
      cfg.reps = std::max(1, std::atoi(value("--reps").c_str()));
    } else if (a == "--json") {
      json_path = value("--json");
    } else if (a == "--dir") {
      cfg.dir = value("--dir");
    } else if (a == "--no-system-setup") {
      cfg.system_setup = false;
    } else if (a == "--verbose" || a == "-v") {
      cfg.verbose = true;
    } else if (a == "--list") {
      for (const auto& g : all_groups)
        std::printf("%-10s %s\n", g.name, g.what);
      return 0;
    } else if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "mmf-bench: unknown option '%s'\n\n", a.c_str());
      usage(stderr);
      return 2;
    }
  }
  for (const auto& s : selected) {
    if (std::none_of(std::begin(all_groups), std::end(all_groups),
                     [&](const group_entry& g) { return s == g.name; })) {
      std::fprintf(stderr, "mmf-bench: unknown group '%s' (see --list)\n", s.c_str());
      return 2;
    }
  }
  if (cfg.dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    cfg.dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  cfg.file_size = cfg.quick ? (16ull << 20) : (1ull << 30);
  cfg.touch_size = cfg.quick ? (8ull << 20) : (1ull << 30);

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::atexit([] { run_all_restores(); });
  start_idle_thread();

  const machine_info machine = describe_machine();
  std::printf(
      "mmf-bench%s: medians of %d repetitions, rows interleaved; ratios are to the\n"
      "table's floor and to its best peer (time ratios: < 1 is faster). '*' marks mmf.\n",
      cfg.quick ? " --quick" : "", cfg.reps);
  std::printf("\n== machine\n");
  for (const auto& [k, v] : machine.settings)
    std::printf("  %-36s %s\n", k.c_str(), v.c_str());
#if !defined(MMF_BENCH_HAVE_BOOST)
  std::printf(
      "\nnote: Boost.Interprocess was not found when this program was built: its rows are "
      "left out\n(install libboost-dev and reconfigure to compare with it).\n");
#endif
  std::fflush(stdout);

  watchdog dog;
  std::vector<group> done;
  bool any_failed = false;
  for (const auto& entry : all_groups) {
    if (!selected.empty() &&
        std::find(selected.begin(), selected.end(), entry.name) == selected.end())
      continue;
    dog.arm(std::string("group ") + entry.name, std::chrono::seconds(cfg.quick ? 120 : 900));
    group g;
    try {
      g = entry.make(cfg);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "mmf-bench: cannot set up group %s: %s\n", entry.name, e.what());
      g = group{};
      g.name = entry.name;
      g.description = std::string("(setup failed: ") + e.what() + ")";
      any_failed = true;
      done.push_back(std::move(g));
      continue;
    }
    if (g.before) g.before(g);
    const std::size_t n = g.rows.size();
    for (int rep = 0; rep < cfg.reps; ++rep) {
      if (!cfg.quick)
        std::fprintf(stderr, "[%s] repetition %d/%d\n", g.name.c_str(), rep + 1, cfg.reps);
      // Rotate the order each repetition, so that no row always runs right after the same one.
      for (std::size_t k = 0; k < n; ++k) {
        row& r = g.rows[(k + static_cast<std::size_t>(rep)) % n];
        if (!r.error.empty()) continue;
        try {
          r.samples.push_back(r.run());
        } catch (const std::exception& e) {
          r.error = e.what();
          r.samples.clear();
        }
      }
    }
    if (g.after) g.after(g);
    compute_ratios(g);
    for (const auto& r : g.rows)
      any_failed |= !r.error.empty();
    print_group(g);
    g.fixture.reset();  // frees the group's memory and files before the next group
    for (auto& r : g.rows)
      r.run = nullptr;
    done.push_back(std::move(g));
  }
  dog.disarm();
  run_all_restores();

  const auto targets = evaluate_targets(done);
  print_targets(targets);
  if (!json_path.empty()) {
    if (!write_json(json_path, cfg, machine, done, targets)) {
      std::fprintf(stderr, "mmf-bench: cannot write %s\n", json_path.c_str());
      any_failed = true;
    } else {
      std::printf("\nJSON written to %s\n", json_path.c_str());
    }
  }
  stop_idle_thread();
  if (any_failed) std::printf("\nsome rows FAILED (see above)\n");
  // Speed is never asserted: the exit status only says whether every row could be measured.
  return any_failed ? 1 : 0;
}

}  // namespace
}  // namespace mmfbench

int main(int argc, char** argv) {
  try {
    return mmfbench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mmf-bench: %s\n", e.what());
    mmfbench::run_all_restores();
    return 1;
  }
}
