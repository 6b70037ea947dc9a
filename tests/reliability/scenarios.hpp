// mmf tests — the named-object reliability scenarios (issue 3), shared by the POSIX tests
// (tests/posix/*_test.cpp, small round counts) and the reliability suite (tests/reliability/, the
// figures). Header-only: each test executable is built from one source file.
//
// Every scenario returns what it saw; the callers assert it. Children are mmf_test_helper
// processes (tests/helper/reliability_commands.cpp and map_commands.cpp).
//
// A file that includes this header must define _FILE_OFFSET_BITS to 64 before its first include,
// as the library does, so that the syscall table (off_t) means the same here as in the library.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/objects.hpp>

// The library's syscall seam (src/ is not on the tests' include path).
#include "../../src/posix/syscalls.hpp"
#include "support/test_support.hpp"

static_assert(sizeof(off_t) == 8, "define _FILE_OFFSET_BITS=64 before including scenarios.hpp");

namespace mmf_rel {

using namespace std::chrono_literals;
using mmf::access;
using mmf::inheritability;
using mmf::map_options;
using mmf::memory_mapped_file;
using mmf_test::child_process;
using clock_type = std::chrono::steady_clock;

// ---- Configuration ---------------------------------------------------------------------------

using mmf_test::env_count;

inline double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// ---- The shared-memory directory ---------------------------------------------------------------

inline std::string shm_dir() {
  const char* env = std::getenv("MMF_SHM_DIR");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("/dev/shm");
}

// Entries of `dir` whose names contain `part` (all of them for an empty `part`).
inline std::vector<std::string> entries(const std::string& dir, std::string_view part = {}) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      if (part.empty() || n.find(part) != std::string::npos) out.push_back(n);
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline bool exists_no_follow(const std::string& path) {
  struct ::stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// The file of a named object of any kind ("map", "mutex", "event", "sem", "file").
inline std::string object_path(std::string_view kind, std::string_view name) {
  std::string bare(name);
  std::string scope = "u" + std::to_string(::geteuid());
  if (bare.rfind("Global\\", 0) == 0) {
    bare.erase(0, 7);
    scope = "g";
  } else if (bare.rfind("Local\\", 0) == 0) {
    bare.erase(0, 6);
  }
  return shm_dir() + "/mmf." + scope + "." + std::string(kind) + "." + bare;
}

// Sets (or, with nullptr, unsets) an environment variable for the guard's lifetime.
class env_guard {
 public:
  env_guard(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  env_guard(const env_guard&) = delete;
  env_guard& operator=(const env_guard&) = delete;
  ~env_guard() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// A private shared-memory directory: MMF_SHM_DIR points at a fresh directory (sticky and
// world-writable like /dev/shm) for the guard's lifetime. Children spawned meanwhile inherit it.
// It lives in /dev/shm itself, not under TMPDIR: a TMPDIR may be private to its user (mode 0700,
// as mktemp -d makes it), and the second-user tests need the other user to reach the directory.
class private_shm_dir {
 public:
  private_shm_dir() : env_("MMF_SHM_DIR", dir_.path().c_str()) {
    ::chmod(dir_.path().c_str(), 01777);
  }
  std::string path() const { return dir_.path().string(); }

 private:
  static std::filesystem::path base() {
    std::error_code ec;
    if (std::filesystem::is_directory("/dev/shm", ec)) return "/dev/shm";
    return std::filesystem::temp_directory_path();
  }
  mmf_test::temp_dir dir_{base()};
  env_guard env_;
};

// Restores the real system calls when it goes out of scope (also when an assertion fails).
struct syscall_guard {
  syscall_guard() = default;
  syscall_guard(const syscall_guard&) = delete;
  syscall_guard& operator=(const syscall_guard&) = delete;
  ~syscall_guard() { mmf::detail::posix::reset_syscalls(); }
};

// ---- Children ----------------------------------------------------------------------------------

// Spawns the helper and waits for a first line starting with `ready`; returns that line, or the
// line/"<nothing>" it got instead in *failure.
inline std::optional<std::string> start(child_process& child, std::vector<std::string> args,
                                        std::string* failure = nullptr,
                                        std::chrono::milliseconds timeout = 20s) {
  child = mmf_test::spawn_helper(std::move(args));
  auto line = child.read_line(timeout);
  if (line && line->rfind("ready", 0) == 0) return line;
  if (failure) *failure = line.value_or("<nothing>");
  return std::nullopt;
}

// ---- Root: a second user and a small tmpfs ------------------------------------------------------

inline bool is_root() {
  return ::geteuid() == 0;
}

// Prints a line nobody can miss, for parts skipped when not root.
inline void loud_skip(const std::string& what) {
  const std::string bar(96, '!');
  std::cout << bar << "\n!!!! SKIPPED: " << what << "\n" << bar << std::endl;
}

struct user_ids {
  uid_t uid = 0;
  gid_t gid = 0;
};

inline constexpr const char* other_user_name = "mmf-rel-test";

// The second user (created with useradd when missing: a system user without a home). Root only.
// Several test processes may race here: useradd's own lock makes one of them wait or fail, so
// the user is looked up again afterwards and that decides.
inline std::optional<user_ids> other_user(std::string* why) {
  auto lookup = []() -> std::optional<user_ids> {
    if (const passwd* pw = ::getpwnam(other_user_name)) return user_ids{pw->pw_uid, pw->pw_gid};
    return std::nullopt;
  };
  if (auto u = lookup()) return u;
  for (int attempt = 0; attempt < 5; ++attempt) {
    // Exit code 9 is "already exists": fine.
    const std::string cmd =
        std::string("useradd -M -r -s /usr/sbin/nologin ") + other_user_name + " >/dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    if (auto u = lookup()) return u;
    if (why)
      *why = "useradd " + std::string(other_user_name) + " failed (" + std::to_string(rc) + ")";
    std::this_thread::sleep_for(200ms);
  }
  return lookup();
}

// Runs a helper action as another user (rel_as; the helper drops root itself).
inline child_process spawn_as(const user_ids& who, std::vector<std::string> action) {
  std::vector<std::string> args{"rel_as", std::to_string(who.uid), std::to_string(who.gid)};
  args.insert(args.end(), action.begin(), action.end());
  return mmf_test::spawn_helper(std::move(args));
}

// Runs a one-line helper action as another user and returns its line.
inline std::string ask_as(const user_ids& who, std::vector<std::string> action) {
  auto child = spawn_as(who, std::move(action));
  const std::string line = child.read_line(20s).value_or("<nothing>");
  child.wait_for(20s);
  return line;
}

// A small tmpfs mounted on a fresh directory for the object's lifetime (root only). Unmounted in
// the destructor, also when the test fails.
class tmpfs_mount {
 public:
  explicit tmpfs_mount(const std::string& size) {
    const std::string options = "size=" + size + ",mode=1777";
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0)
      mounted_ = true;
    else
      error_ = errno;
  }
  tmpfs_mount(const tmpfs_mount&) = delete;
  tmpfs_mount& operator=(const tmpfs_mount&) = delete;
  ~tmpfs_mount() {
    if (mounted_ && ::umount(dir_.path().c_str()) != 0) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  bool mounted() const noexcept { return mounted_; }
  int error() const noexcept { return error_; }
  std::string path() const { return dir_.path().string(); }

 private:
  mmf_test::temp_dir dir_;
  bool mounted_ = false;
  int error_ = 0;
};

// ---- 1. create_or_open races -------------------------------------------------------------------

struct race_result {
  std::uint64_t procs = 0, rounds = 0;
  std::uint64_t creators = 0;    // sum over racers of the rounds each created: must be `rounds`
  std::uint64_t bad_rounds = 0;  // rounds whose creator count was not exactly 1
  std::uint64_t size0 = 0, uninit = 0, mismatch = 0, errors = 0;
  std::uint64_t leftovers = 0;  // entries of the race's names left in the directory
  double seconds = 0;
  std::string problem;  // a racer that failed: its last line
};

inline std::uint64_t field(const std::string& line, const std::string& key) {
  const auto pos = line.find(" " + key + "=");
  if (pos == std::string::npos) return ~std::uint64_t{0};
  return std::strtoull(line.c_str() + pos + key.size() + 2, nullptr, 10);
}

// P racer processes, R rounds, each round on a fresh name; one spawn per racer for all rounds.
inline race_result run_race(std::uint64_t procs, std::uint64_t rounds) {
  race_result r;
  r.procs = procs;
  r.rounds = rounds;
  const std::string prefix = mmf_test::unique_name("rel_race");
  std::vector<child_process> racers(procs);
  for (std::uint64_t i = 0; i < procs; ++i) {
    std::string failure;
    if (!start(racers[i],
               {"rel_race", prefix, std::to_string(i), std::to_string(procs),
                std::to_string(rounds), "4096"},
               &failure)) {
      r.problem = "racer " + std::to_string(i) + " did not start: " + failure;
      return r;
    }
  }
  const auto begin = clock_type::now();
  for (auto& c : racers)
    c.write_line("go");
  for (std::uint64_t i = 0; i < procs; ++i) {
    const auto line = racers[i].read_line(std::chrono::seconds(600)).value_or("<nothing>");
    if (line.rfind("done ", 0) != 0) {
      ++r.errors;
      if (r.problem.empty()) r.problem = "racer " + std::to_string(i) + ": " + line;
      continue;
    }
    r.creators += field(line, "created");
    r.size0 += field(line, "size0");
    r.uninit += field(line, "uninit");
    r.mismatch += field(line, "mismatch");
    r.errors += field(line, "errors");
    if (i == 0) r.bad_rounds = field(line, "bad_rounds");
  }
  for (auto& c : racers)
    if (c.wait_for(30s).value_or(-1) != 0) ++r.errors;
  r.seconds = seconds_since(begin);
  r.leftovers = entries(shm_dir(), prefix).size();
  return r;
}

// ---- 1. creators killed at random points -------------------------------------------------------

struct killed_creator_result {
  std::uint64_t rounds = 0;
  std::uint64_t kills = 0;
  std::uint64_t slow = 0;         // the next create_or_open took over 1 s
  std::uint64_t failed = 0;       // ... or failed
  std::uint64_t half_made = 0;    // a creator or the next create_or_open saw a half-made object
  std::uint64_t not_created = 0;  // the next create_or_open did not create (nobody was left)
  std::uint64_t leftovers = 0;
  double max_ms = 0;
  std::string problem;
};

// Each round: `creators` processes create_or_open/check/close one name in a loop; all are SIGKILLed
// after a random 0-20 ms; then create_or_open must create a complete object within 1 s.
inline killed_creator_result run_killed_creators(std::uint64_t rounds, std::uint64_t creators) {
  killed_creator_result r;
  r.rounds = rounds;
  std::mt19937 rng(std::random_device{}());
  constexpr std::uint64_t looper_capacity = 1 << 20;
  constexpr std::uint64_t capacity = 3 * 4096 + 5;
  for (std::uint64_t round = 0; round < rounds; ++round) {
    const std::string name = mmf_test::unique_name("rel_kc");
    std::vector<child_process> loopers(creators);
    for (auto& c : loopers) {
      std::string failure;
      if (!start(c, {"rel_create_loop", name, std::to_string(looper_capacity)}, &failure)) {
        ++r.failed;
        r.problem = "looper did not start: " + failure;
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
    for (auto& c : loopers)
      if (c.id() > 0) ::kill(static_cast<pid_t>(c.id()), SIGKILL);
    for (auto& c : loopers) {
      const int status = c.wait();
      if (status == -SIGKILL) {
        ++r.kills;
      } else {
        ++r.half_made;  // exit 3: a looper saw a bad object
        r.problem = "looper ended with " + std::to_string(status) + ": " +
                    c.read_line(1s).value_or("<nothing>");
      }
    }
    const auto begin = clock_type::now();
    std::error_code ec;
    bool created = false;
    auto map = memory_mapped_file::create_or_open(
        name, capacity, access::read_write, map_options::none, inheritability::none, &created, ec);
    const double ms = seconds_since(begin) * 1000;
    r.max_ms = std::max(r.max_ms, ms);
    if (ms > 1000) ++r.slow;
    if (ec) {
      ++r.failed;
      r.problem = "create_or_open after the kills: " + ec.message();
      continue;
    }
    if (!created) ++r.not_created;
    auto view = map.create_view_accessor();
    const auto bytes = view.bytes();
    if (map.capacity() != capacity ||
        std::any_of(bytes.begin(), bytes.end(), [](std::byte b) { return b != std::byte{0}; }))
      ++r.half_made;
    // Exactly the published object is there: no temporary file, no second entry.
    const auto during = entries(shm_dir(), name);
    if (during.size() != 1) r.leftovers += during.size() > 1 ? during.size() - 1 : 0;
    view = mmf::view_accessor();
    map = memory_mapped_file();
    r.leftovers += entries(shm_dir(), name).size();
  }
  r.leftovers += entries(shm_dir(), "mmf.tmp.").size();
  return r;
}

// ---- 2. every holder SIGKILLed -----------------------------------------------------------------

struct sigkill_result {
  std::uint64_t rounds = 0;
  std::uint64_t stale_seen = 0;  // rounds where the stale file was there before the next open
  std::uint64_t leaked = 0;      // entries left after the next open of the name
  std::uint64_t visible = 0;     // open_existing found a dead object
  std::string problem;
};

inline sigkill_result run_sigkill_all_holders(std::uint64_t rounds, std::uint64_t holders) {
  sigkill_result r;
  r.rounds = rounds;
  for (std::uint64_t round = 0; round < rounds; ++round) {
    const std::string name = mmf_test::unique_name("rel_sk");
    std::vector<child_process> children(holders);
    for (auto& c : children) {
      std::string failure;
      if (!start(c, {"map_create_or_open", name, "8192"}, &failure))
        r.problem = "holder did not start: " + failure;
    }
    for (auto& c : children)
      ::kill(static_cast<pid_t>(c.id()), SIGKILL);
    for (auto& c : children)
      c.wait();
    if (exists_no_follow(shm_dir() + "/" + mmf::shared_memory_path(name).filename().string()))
      ++r.stale_seen;
    std::error_code ec;
    auto map = memory_mapped_file::open_existing(name, access::read, inheritability::none, ec);
    if (ec != std::errc::no_such_file_or_directory) {
      ++r.visible;
      r.problem = "open_existing of a dead map: " + (ec ? ec.message() : std::string("opened"));
    }
    map = memory_mapped_file();
    r.leaked += entries(shm_dir(), name).size();
  }
  return r;
}

// ---- 3. a full tmpfs ---------------------------------------------------------------------------

struct tmpfs_result {
  bool ran = false;
  std::string why_not;
  std::uint64_t cases = 0;
  std::uint64_t sigbus = 0;     // children of the reserved (default) kind killed by a signal
  std::uint64_t leftovers = 0;  // entries in the tmpfs after every child is gone
  std::uint64_t wrong = 0;      // a case that did not give what it must
  int lazy_touch_status = 0;    // the lazy child that touched past the end: killed (documented)
  std::string problem;
};

// Needs root: mounts an 8 MiB tmpfs and points MMF_SHM_DIR at it.
inline tmpfs_result run_tmpfs_full() {
  tmpfs_result r;
  if (!is_root()) {
    r.why_not = "not root: mounting a tmpfs needs root";
    return r;
  }
  tmpfs_mount fs("8m");
  if (!fs.mounted()) {
    r.why_not = "mount -t tmpfs failed: " + std::string(std::strerror(fs.error()));
    return r;
  }
  r.ran = true;
  env_guard env("MMF_SHM_DIR", fs.path().c_str());
  auto expect_lines = [&](std::vector<std::string> args, std::vector<std::string> want) {
    ++r.cases;
    auto child = mmf_test::spawn_helper(args);
    std::vector<std::string> got;
    for (;;) {
      auto line = child.read_line(30s);
      if (!line) break;
      got.push_back(*line);
      if (*line == "done") break;
    }
    child.close_stdin();
    const int status = child.wait_for(30s).value_or(-999);
    if (status != 0) ++r.sigbus;
    if (got != want) {
      ++r.wrong;
      std::string all;
      for (const auto& g : got)
        all += g + "|";
      r.problem +=
          args[1] + "x" + args[2] + ": got " + all + " status " + std::to_string(status) + "; ";
    }
  };
  // Bigger than the whole tmpfs: refused at creation.
  expect_lines({"rel_fill", std::to_string(16 << 20), "1", "0"},
               {"error no_space_on_device", "done"});
  // Filling it up: the third 3 MiB map does not fit; the first two are fully usable (every page
  // written: no SIGBUS).
  expect_lines({"rel_fill", std::to_string(3 << 20), "3", "0"},
               {"created", "created", "error no_space_on_device", "done"});
  // In this process too: a clean error, and nothing left in the directory.
  ++r.cases;
  std::error_code ec;
  auto big =
      memory_mapped_file::create_new(mmf_test::unique_name("rel_big"), 16 << 20, access::read_write,
                                     map_options::none, inheritability::none, ec);
  if (ec != std::errc::no_space_on_device) {
    ++r.wrong;
    r.problem += "create_new 16 MiB: " + ec.message() + "; ";
  }
  ++r.cases;
  auto lazy = memory_mapped_file::create_new(mmf_test::unique_name("rel_lazy"), 16 << 20,
                                             access::read_write, map_options::delay_allocate_pages,
                                             inheritability::none, ec);
  if (ec || lazy.capacity() != (16u << 20)) {
    ++r.wrong;
    r.problem += "lazy create_new 16 MiB: " + ec.message() + "; ";
  }
  lazy = memory_mapped_file();
  // Every failed creation left nothing (the children that succeeded have exited and closed).
  r.leftovers = entries(fs.path()).size();
  // Lazy, as documented: touching more pages than the tmpfs holds kills the toucher (SIGBUS).
  {
    // Under ASan, let the SIGBUS kill the child plainly instead of printing a sanitizer report.
    const char* asan = std::getenv("ASAN_OPTIONS");
    const std::string quiet = (asan != nullptr ? std::string(asan) + ":" : "") + "handle_sigbus=0";
    env_guard no_report("ASAN_OPTIONS", quiet.c_str());
    auto child = mmf_test::spawn_helper({"rel_fill", std::to_string(16 << 20), "1", "1"});
    while (child.read_line(30s)) {
    }
    r.lazy_touch_status = child.wait_for(30s).value_or(-999);
  }
  // The killed child's map is stale now: the sweep takes it.
  mmf::remove_stale_objects();
  r.leftovers += entries(fs.path()).size();
  return r;
}

// ---- 6. descriptors ----------------------------------------------------------------------------

struct fd_listing {
  std::vector<std::pair<int, std::string>> fds;  // number, target
  bool ok = false;
};

inline fd_listing child_fds() {
  fd_listing out;
  auto child = mmf_test::spawn_helper({"rel_fds"});
  for (;;) {
    auto line = child.read_line(20s);
    if (!line) break;
    if (*line == "end") {
      out.ok = true;
      break;
    }
    std::istringstream in(*line);
    std::string tag, target;
    int fd = -1;
    in >> tag >> fd >> target;
    out.fds.emplace_back(fd, target);
  }
  child.wait_for(20s);
  return out;
}

}  // namespace mmf_rel
