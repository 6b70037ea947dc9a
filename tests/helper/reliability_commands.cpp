// mmf tests — helper commands for the named-object reliability tests (tests/posix/*_test.cpp of
// issue 3 and tests/reliability/). POSIX only: the whole file is empty on Windows, where the
// helper is built too.
//
//   rel_race <prefix> <index> <procs> <rounds> <base_capacity>
//       One racer of a create_or_open race. Prints "ready", waits for a line ("go") on stdin, then
//       for each round r: create_or_open("<prefix>_<r>", base_capacity + 64 * index). In the map
//       (words of 8 bytes at offset 0): [0] racers arrived, [1] creators, [2] the creator's
//       capacity. A racer records what it saw (capacity 0, non-zero bytes past the first 64,
//       a capacity other than the creator's), counts itself in [1] if it created the map, then in
//       [0], and waits until all `procs` racers have arrived (the barrier that keeps the map alive
//       until everybody opened it) before closing it. Racer 0 also checks [1] == 1. Prints
//       "done rounds=R created=C size0=S uninit=U mismatch=M bad_rounds=B errors=E" and exits 0,
//       or "error barrier <round>" and exits 3 when a barrier waits for over 20 s.
//   rel_create_loop <name> <capacity>
//       Prints "ready", then create_or_open / check / close in a loop until killed. A map whose
//       capacity is not <capacity> or whose bytes are not all zero prints "bad ..." and exits 3.
//   rel_fds
//       Prints "fd <n> <target>" for each open descriptor (from /proc/self/fd, less the one that
//       reads it), then "end".
//   rel_fill <capacity> <count> <lazy 0|1>
//       Creates `count` maps (create_new, unique names) of `capacity` bytes and writes every page
//       of each one that was created. Prints "created" or "error <errc>" per map, then "done",
//       and holds the maps until stdin closes. A SIGBUS kills it (the parent sees -7).
//   rel_as <uid> <gid> <action> [args...]
//       Drops to uid/gid (setgroups(0), setgid, setuid; needs root), then runs `action`:
//         open <name> <read|read_write>   open_existing: "ok <capacity>" or "error <errc>"
//         create_hold <name> <capacity>   create_or_open, prints "ready created|opened", then a
//                                         shell: "read <off>" -> "value <u64>", "write <off> <v>"
//                                         -> "ok", "widen" -> set_object_permissions(map,
//                                         name, read/write for all) -> "ok", "quit" or end of
//                                         file -> exits 0
//         plant <path> <octal mode>       creates a regular file (O_EXCL) with exactly that mode:
//                                         "ok" or "error <errno>"
//         unlink <path>                   "ok" or "error <errno>"
//         sweep                           remove_stale_objects(): "removed <n>"
//         whoami                          "uid <euid> gid <egid>"
#if !defined(_WIN32)

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/objects.hpp>
#include <mmf/view_accessor.hpp>

#include "helper/helper.hpp"

namespace {

using mmf::access;
using mmf::inheritability;
using mmf::map_options;
using mmf::memory_mapped_file;

std::atomic_ref<std::uint64_t> word(std::span<std::byte> bytes, std::size_t index) {
  return std::atomic_ref<std::uint64_t>(
      *reinterpret_cast<std::uint64_t*>(bytes.data() + index * sizeof(std::uint64_t)));
}

bool all_zero(std::span<const std::byte> bytes) {
  for (const std::byte b : bytes)
    if (b != std::byte{0}) return false;
  return true;
}

// Waits for `done` with a short spin, then yields, then short sleeps (2 loaded cores, 8 racers).
template <class Pred>
bool wait_for(Pred done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (int i = 0;; ++i) {
    if (done()) return true;
    if (i < 64) {
      ::sched_yield();
    } else {
      if ((i & 63) == 0 && std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  }
}

std::string errno_text(int e) {
  return "errno_" + std::to_string(e);
}

}  // namespace

MMF_HELPER_COMMAND(rel_race) {
  if (argc != 6)
    throw mmf_helper::usage_error{"rel_race <prefix> <index> <procs> <rounds> <base_capacity>"};
  const std::string prefix = argv[1];
  const std::uint64_t index = mmf_helper::to_u64(argv[2]);
  const std::uint64_t procs = mmf_helper::to_u64(argv[3]);
  const std::uint64_t rounds = mmf_helper::to_u64(argv[4]);
  const std::uint64_t capacity = mmf_helper::to_u64(argv[5]) + 64 * index;
  mmf_helper::say("ready");
  mmf_helper::listen();
  std::uint64_t created_count = 0, size0 = 0, uninit = 0, mismatch = 0, bad_rounds = 0, errors = 0;
  for (std::uint64_t r = 0; r < rounds; ++r) {
    const std::string name = prefix + "_" + std::to_string(r);
    std::error_code ec;
    bool created = false;
    auto map = memory_mapped_file::create_or_open(
        name, capacity, access::read_write, map_options::none, inheritability::none, &created, ec);
    if (ec) {
      // Without the map this racer cannot take part in the barrier: the others time out.
      ++errors;
      mmf_helper::say("error round " + std::to_string(r) + " " + mmf_helper::errc_token(ec));
      return 3;
    }
    const std::uint64_t seen = map.capacity();
    if (seen < 64) {
      ++size0;
      mmf_helper::say("error size " + std::to_string(seen) + " round " + std::to_string(r));
      return 3;
    }
    auto view = map.create_view_accessor();
    auto bytes = view.bytes();
    if (!all_zero(bytes.subspan(64))) ++uninit;
    if (created) {
      ++created_count;
      word(bytes, 2).store(seen);
      word(bytes, 1).fetch_add(1);
    }
    word(bytes, 0).fetch_add(1);
    if (!wait_for([&] { return word(bytes, 0).load() >= procs; }, std::chrono::seconds(20))) {
      mmf_helper::say("error barrier " + std::to_string(r));
      return 3;
    }
    if (seen != word(bytes, 2).load()) ++mismatch;
    if (index == 0 && word(bytes, 1).load() != 1) ++bad_rounds;
  }
  mmf_helper::say("done rounds=" + std::to_string(rounds) +
                  " created=" + std::to_string(created_count) + " size0=" + std::to_string(size0) +
                  " uninit=" + std::to_string(uninit) + " mismatch=" + std::to_string(mismatch) +
                  " bad_rounds=" + std::to_string(bad_rounds) +
                  " errors=" + std::to_string(errors));
  return 0;
}

MMF_HELPER_COMMAND(rel_create_loop) {
  if (argc != 3) throw mmf_helper::usage_error{"rel_create_loop <name> <capacity>"};
  const std::string name = argv[1];
  const std::uint64_t capacity = mmf_helper::to_u64(argv[2]);
  mmf_helper::say("ready");
  for (std::uint64_t i = 0;; ++i) {
    std::error_code ec;
    bool created = false;
    auto map = memory_mapped_file::create_or_open(
        name, capacity, access::read_write, map_options::none, inheritability::none, &created, ec);
    if (ec) {
      // A name contended for over a second is a failure of the protocol too.
      mmf_helper::say("bad error " + mmf_helper::errc_token(ec) + " at " + std::to_string(i));
      return 3;
    }
    if (map.capacity() != capacity) {
      mmf_helper::say("bad capacity " + std::to_string(map.capacity()));
      return 3;
    }
    auto view = map.create_view_accessor(0, 0, access::read);
    if (!all_zero(view.bytes())) {
      mmf_helper::say("bad bytes");
      return 3;
    }
  }
}

MMF_HELPER_COMMAND(rel_fds) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) {
    mmf_helper::say("error " + errno_text(errno));
    return 1;
  }
  const int own = ::dirfd(dir);
  std::vector<std::string> lines;
  while (const dirent* e = ::readdir(dir)) {
    const std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    if (std::atoi(n.c_str()) == own) continue;
    char target[4096];
    const std::string link = "/proc/self/fd/" + n;
    const ssize_t len = ::readlink(link.c_str(), target, sizeof target - 1);
    lines.push_back("fd " + n + " " + (len > 0 ? std::string(target, std::size_t(len)) : "?"));
  }
  ::closedir(dir);
  for (const auto& l : lines)
    mmf_helper::say(l);
  mmf_helper::say("end");
  return 0;
}

MMF_HELPER_COMMAND(rel_fill) {
  if (argc != 4) throw mmf_helper::usage_error{"rel_fill <capacity> <count> <lazy 0|1>"};
  const std::uint64_t capacity = mmf_helper::to_u64(argv[1]);
  const std::uint64_t count = mmf_helper::to_u64(argv[2]);
  const bool lazy = mmf_helper::to_u64(argv[3]) != 0;
  std::vector<memory_mapped_file> maps;
  std::vector<mmf::view_accessor> views;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string name = "rel_fill_" + std::to_string(::getpid()) + "_" + std::to_string(i);
    std::error_code ec;
    auto map = memory_mapped_file::create_new(
        name, capacity, access::read_write,
        lazy ? map_options::delay_allocate_pages : map_options::none, inheritability::none, ec);
    if (ec) {
      mmf_helper::say("error " + mmf_helper::errc_token(ec));
      continue;
    }
    auto view = map.create_view_accessor();
    auto bytes = view.bytes();
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    for (std::size_t off = 0; off < bytes.size(); off += page)
      bytes[off] = std::byte{1};  // a SIGBUS here if the pages were not reserved
    mmf_helper::say("created");
    maps.push_back(std::move(map));
    views.push_back(std::move(view));
  }
  mmf_helper::say("done");
  while (!mmf_helper::stdin_closed())
    mmf_helper::listen();
  return 0;
}

namespace {

int as_open(int argc, char** argv) {
  if (argc != 3) throw mmf_helper::usage_error{"open <name> <read|read_write>"};
  const access acc = std::string_view(argv[2]) == "read" ? access::read : access::read_write;
  std::error_code ec;
  auto map = memory_mapped_file::open_existing(argv[1], acc, inheritability::none, ec);
  if (ec) {
    mmf_helper::say("error " + mmf_helper::errc_token(ec));
    return 0;
  }
  mmf_helper::say("ok " + std::to_string(map.capacity()));
  return 0;
}

int as_create_hold(int argc, char** argv) {
  if (argc != 3) throw mmf_helper::usage_error{"create_hold <name> <capacity>"};
  bool created = false;
  std::error_code ec;
  auto map =
      memory_mapped_file::create_or_open(argv[1], mmf_helper::to_u64(argv[2]), access::read_write,
                                         map_options::none, inheritability::none, &created, ec);
  if (ec) {
    mmf_helper::say("error " + mmf_helper::errc_token(ec));
    return 0;
  }
  auto view = map.create_view_accessor();
  mmf_helper::say(created ? "ready created" : "ready opened");
  for (;;) {
    const std::string line = mmf_helper::listen();
    if (mmf_helper::stdin_closed() || line == "quit") return 0;
    std::vector<std::string> w;
    std::size_t i = 0;
    while (i < line.size()) {
      const std::size_t j = std::min(line.find(' ', i), line.size());
      if (j > i) w.push_back(line.substr(i, j - i));
      i = j + 1;
    }
    try {
      if (w.size() == 2 && w[0] == "read") {
        mmf_helper::say("value " +
                        std::to_string(view.read<std::uint64_t>(mmf_helper::to_u64(w[1]))));
      } else if (w.size() == 3 && w[0] == "write") {
        view.write<std::uint64_t>(mmf_helper::to_u64(w[1]), mmf_helper::to_u64(w[2]));
        mmf_helper::say("ok");
      } else if (w.size() == 1 && w[0] == "widen") {
        using std::filesystem::perms;
        mmf::set_object_permissions(mmf::object_kind::map, argv[1],
                                    perms::owner_read | perms::owner_write | perms::group_read |
                                        perms::group_write | perms::others_read |
                                        perms::others_write);
        mmf_helper::say("ok");
      } else {
        mmf_helper::say("error usage");
      }
    } catch (const std::system_error& e) {
      mmf_helper::say("error " + mmf_helper::errc_token(e.code()));
    }
  }
}

int as_plant(int argc, char** argv) {
  if (argc != 3) throw mmf_helper::usage_error{"plant <path> <octal mode>"};
  const auto mode = static_cast<mode_t>(std::strtoul(argv[2], nullptr, 8));
  const int fd = ::open(argv[1], O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || ::fchmod(fd, mode) != 0 || ::ftruncate(fd, 4096) != 0) {
    mmf_helper::say("error " + errno_text(errno));
    if (fd >= 0) ::close(fd);
    return 0;
  }
  ::close(fd);
  mmf_helper::say("ok");
  return 0;
}

int as_unlink(int argc, char** argv) {
  if (argc != 2) throw mmf_helper::usage_error{"unlink <path>"};
  if (::unlink(argv[1]) != 0) {
    mmf_helper::say("error " + errno_text(errno));
    return 0;
  }
  mmf_helper::say("ok");
  return 0;
}

int as_sweep(int, char**) {
  mmf_helper::say("removed " + std::to_string(mmf::remove_stale_objects().size()));
  return 0;
}

int as_whoami(int, char**) {
  mmf_helper::say("uid " + std::to_string(::geteuid()) + " gid " + std::to_string(::getegid()));
  return 0;
}

}  // namespace

MMF_HELPER_COMMAND(rel_as) {
  if (argc < 4) throw mmf_helper::usage_error{"rel_as <uid> <gid> <action> [args...]"};
  const auto uid = static_cast<uid_t>(mmf_helper::to_u64(argv[1]));
  const auto gid = static_cast<gid_t>(mmf_helper::to_u64(argv[2]));
  // Order matters: groups and gid while still privileged, the uid last.
  if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
    mmf_helper::say("error drop " + errno_text(errno));
    return 1;
  }
  if (::geteuid() != uid || ::getegid() != gid) {
    mmf_helper::say("error drop not effective");
    return 1;
  }
  const std::string_view action = argv[3];
  char** rest = argv + 3;
  const int rest_count = argc - 3;
  if (action == "open") return as_open(rest_count, rest);
  if (action == "create_hold") return as_create_hold(rest_count, rest);
  if (action == "plant") return as_plant(rest_count, rest);
  if (action == "unlink") return as_unlink(rest_count, rest);
  if (action == "sweep") return as_sweep(rest_count, rest);
  if (action == "whoami") return as_whoami(rest_count, rest);
  throw mmf_helper::usage_error{"unknown action " + std::string(action)};
}

#endif  // !_WIN32
