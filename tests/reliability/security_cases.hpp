// mmf tests — security, name and descriptor cases of issue 3, shared by the POSIX tests (one
// gtest per case) and the reliability suite (one figure per group). Each case returns whether the
// library did what it must, and what it did otherwise.
#pragma once

#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <mmf/mmf.hpp>

#include "reliability/scenarios.hpp"

namespace mmf_rel {

struct case_result {
  std::string name;
  bool ok = false;
  std::string detail;  // what went wrong
};

// Runs `body`, which fills `detail` and returns false on a failure; exceptions count as failures.
inline case_result run_case(const std::string& name,
                            const std::function<bool(std::string& detail)>& body) {
  case_result r{name, false, {}};
  try {
    r.ok = body(r.detail);
  } catch (const std::exception& e) {
    r.ok = false;
    r.detail += std::string(" exception: ") + e.what();
  }
  return r;
}

// The error code of one call ({} when it succeeded).
template <class F>
std::error_code code_of(F&& f) {
  try {
    f();
  } catch (const std::system_error& e) {
    return e.code();
  }
  return {};
}

inline std::string text(const std::error_code& ec) {
  return ec ? ec.message() + " (" + std::to_string(ec.value()) + ")" : std::string("success");
}

inline unsigned file_mode_bits(const std::string& path) {
  struct ::stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 07777 + 1;
  return st.st_mode & 07777;
}

// ---- 4. Modes, O_CLOEXEC, planted files and symlinks (any user) ---------------------------------

// Every kind of object gets mode 0600 under the umask `mask`.
inline case_result mode_0600_under_umask(mode_t mask) {
  return run_case("mode_0600_umask_" + std::to_string(mask), [&](std::string& d) {
    const mode_t old = ::umask(mask);
    struct restore {
      mode_t m;
      ~restore() { ::umask(m); }
    } restore_umask{old};
    const std::string n = mmf_test::unique_name("rel_mode");
    auto map = memory_mapped_file::create_new(n, 4096);
    auto gmap = memory_mapped_file::create_new("Global\\" + n, 4096);
    auto mutex = mmf::named_mutex::create_or_open(n);
    auto event = mmf::named_event::create_or_open(n, mmf::event_reset::manual);
    auto sem = mmf::named_semaphore::create_or_open(n, 0, 1);
    mmf_test::temp_dir dir;
    auto file = memory_mapped_file::create_from_file(dir / "f", mmf::file_mode::create_new,
                                                     n + "_file", 4096);
    bool ok = true;
    for (const auto& [kind, name] :
         std::vector<std::pair<std::string, std::string>>{{"map", n},
                                                          {"map", "Global\\" + n},
                                                          {"mutex", n},
                                                          {"event", n},
                                                          {"sem", n},
                                                          {"file", n + "_file"}}) {
      const unsigned mode = file_mode_bits(object_path(kind, name));
      if (mode != 0600) {
        ok = false;
        char buf[64];
        std::snprintf(buf, sizeof buf, " %s %s: mode %o", kind.c_str(), name.c_str(), mode);
        d += buf;
      }
    }
    return ok;
  });
}

inline case_result cloexec_unless_inheritable() {
  return run_case("o_cloexec", [](std::string& d) {
    const std::string n = mmf_test::unique_name("rel_cloexec");
    auto plain = memory_mapped_file::create_new(n, 4096);
    auto inherited = memory_mapped_file::create_new(n + "_i", 4096, access::read_write,
                                                    map_options::none, inheritability::inheritable);
    auto opened = memory_mapped_file::open_existing(n);
    const int a = ::fcntl(plain.native_handle(), F_GETFD);
    const int b = ::fcntl(inherited.native_handle(), F_GETFD);
    const int c = ::fcntl(opened.native_handle(), F_GETFD);
    d = "flags " + std::to_string(a) + " " + std::to_string(b) + " " + std::to_string(c);
    return a >= 0 && (a & FD_CLOEXEC) != 0 && b >= 0 && (b & FD_CLOEXEC) == 0 && c >= 0 &&
           (c & FD_CLOEXEC) != 0;
  });
}

// All three ways in must answer permission_denied and leave `check` true (nothing attached,
// nothing changed).
inline bool all_refused(const std::string& name, std::string& d,
                        const std::function<bool()>& unchanged) {
  bool ok = true;
  const auto a = code_of([&] { (void)memory_mapped_file::create_or_open(name, 4096); });
  const auto b = code_of([&] { (void)memory_mapped_file::open_existing(name); });
  const auto c = code_of([&] { (void)memory_mapped_file::create_new(name, 4096); });
  const auto e = code_of([&] { (void)memory_mapped_file::open_existing(name, access::read); });
  for (const auto& [what, ec] : std::vector<std::pair<const char*, std::error_code>>{
           {"create_or_open", a}, {"open_existing", b}, {"create_new", c}, {"open read", e}}) {
    if (ec != std::errc::permission_denied) {
      ok = false;
      d += std::string(" ") + what + ": " + text(ec);
    }
  }
  if (!unchanged()) {
    ok = false;
    d += " the planted object changed";
  }
  return ok;
}

// A symlink at our object's path (pointing at a file of ours) is refused, never followed.
inline case_result planted_symlink(bool global) {
  return run_case(
      std::string("planted_symlink_") + (global ? "global" : "local"), [&](std::string& d) {
        mmf_test::temp_dir dir;
        const auto target = dir / "target";
        mmf_test::write_file(target, "keep me");
        const std::string name = (global ? "Global\\" : "") + mmf_test::unique_name("rel_sym");
        const std::string path = mmf::shared_memory_path(name).string();
        if (::symlink(target.c_str(), path.c_str()) != 0) {
          d = "symlink failed";
          return false;
        }
        const bool ok = all_refused(name, d, [&] {
          struct ::stat st {};
          return mmf_test::read_file(target) == "keep me" && ::lstat(path.c_str(), &st) == 0 &&
                 S_ISLNK(st.st_mode);
        });
        ::unlink(path.c_str());
        return ok;
      });
}

// A regular file of ours with a wider mode (0666, 0644, 0660) at a Local\ object's path is
// refused: we create 0600, so somebody changed or planted it. Held (live) or not (stale).
inline case_result planted_wide_file(mode_t mode, bool held) {
  char label[64];
  std::snprintf(label, sizeof label, "planted_file_%o_%s", static_cast<unsigned>(mode),
                held ? "held" : "stale");
  return run_case(label, [&](std::string& d) {
    const std::string name = mmf_test::unique_name("rel_wide");
    const std::string path = mmf::shared_memory_path(name).string();
    const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0 || ::fchmod(fd, mode) != 0 || ::pwrite(fd, "planted!", 8, 0) != 8) {
      d = "cannot plant";
      if (fd >= 0) ::close(fd);
      return false;
    }
    if (held) ::flock(fd, LOCK_SH);
    const bool ok = all_refused(name, d, [&] {
      char buf[9] = {};
      return file_mode_bits(path) == mode && ::pread(fd, buf, 8, 0) == 8 &&
             std::string(buf) == "planted!";
    });
    ::close(fd);
    ::unlink(path.c_str());
    return ok;
  });
}

inline std::vector<case_result> any_user_security_cases() {
  return {
      mode_0600_under_umask(0),      mode_0600_under_umask(077),    cloexec_unless_inheritable(),
      planted_symlink(false),        planted_symlink(true),         planted_wide_file(0666, false),
      planted_wide_file(0666, true), planted_wide_file(0644, true), planted_wide_file(0660, false)};
}

// ---- 4. A second user (root only) --------------------------------------------------------------

// The other user's shm path of a Local\ map (its scope is its own uid).
inline std::string local_path_of(uid_t uid, const std::string& name) {
  return shm_dir() + "/mmf.u" + std::to_string(uid) + ".map." + name;
}

inline std::vector<case_result> second_user_cases(const user_ids& other) {
  std::vector<case_result> out;
  const std::string o_uid = std::to_string(other.uid);

  out.push_back(run_case("other_user_is_other_user", [&](std::string& d) {
    d = ask_as(other, {"whoami"});
    return d == "uid " + o_uid + " gid " + std::to_string(other.gid);
  }));

  // Our Local\ objects: another namespace for them.
  out.push_back(run_case("other_cannot_open_our_local", [&](std::string& d) {
    const std::string n = mmf_test::unique_name("rel_ol");
    auto map = memory_mapped_file::create_new(n, 4096);
    const auto rw = ask_as(other, {"open", n, "read_write"});
    const auto ro = ask_as(other, {"open", "Local\\" + n, "read"});
    d = rw + " / " + ro;
    return rw == "error no_such_file_or_directory" && ro == "error no_such_file_or_directory";
  }));

  out.push_back(run_case("same_local_name_is_another_object", [&](std::string& d) {
    const std::string n = mmf_test::unique_name("rel_same");
    bool created = false;
    auto mine = memory_mapped_file::create_or_open(n, 4096, access::read_write, map_options::none,
                                                   inheritability::none, &created);
    auto view = mine.create_view_accessor();
    view.write<std::uint64_t>(0, 42);
    auto theirs = spawn_as(other, {"create_hold", n, "8192"});
    const auto ready = theirs.read_line(20s).value_or("<nothing>");
    theirs.write_line("read 0");
    const auto value = theirs.read_line(20s).value_or("<nothing>");
    theirs.close_stdin();
    theirs.wait_for(20s);
    d = ready + " / " + value;
    return created && ready == "ready created" && value == "value 0" &&
           view.read<std::uint64_t>(0) == 42;
  }));

  // A Global\ map created read-only stays read-only for everyone, also after widening: the
  // kernel refuses the other user's O_RDWR, the library refuses it for root.
  out.push_back(run_case("read_only_global_stays_read_only_when_widened", [&](std::string& d) {
    const std::string n = "Global\\" + mmf_test::unique_name("rel_ro");
    auto map = memory_mapped_file::create_new(n, 4096, access::read);
    using std::filesystem::perms;
    mmf::set_object_permissions(
        mmf::object_kind::map, n,
        perms::group_read | perms::group_write | perms::others_read | perms::others_write);
    struct ::stat st {};
    const auto file = mmf::shared_memory_path(n);
    const bool stat_ok = ::stat(file.c_str(), &st) == 0;
    const auto rw = ask_as(other, {"open", n, "read_write"});
    const auto ro = ask_as(other, {"open", n, "read"});
    std::error_code ec;
    auto mine = memory_mapped_file::open_existing(n, access::read_write, inheritability::none, ec);
    d = "mode " + std::to_string(st.st_mode & 07777) + ", " + rw + " / " + ro +
        " / root: " + ec.message();
    return stat_ok && (st.st_mode & 07777) == 0444 && rw == "error permission_denied" &&
           ro == "ok 4096" && ec == std::errc::permission_denied;
  }));

  // Our Global\ objects are owner-only until we widen them.
  out.push_back(run_case("other_cannot_open_our_global", [&](std::string& d) {
    const std::string n = "Global\\" + mmf_test::unique_name("rel_og");
    auto map = memory_mapped_file::create_new(n, 4096);
    const auto rw = ask_as(other, {"open", n, "read_write"});
    const auto ro = ask_as(other, {"open", n, "read"});
    d = rw + " / " + ro;
    return rw == "error permission_denied" && ro == "error permission_denied";
  }));

  out.push_back(run_case("set_object_permissions_lets_other_open_global", [&](std::string& d) {
    using std::filesystem::perms;
    const std::string n = "Global\\" + mmf_test::unique_name("rel_wg");
    auto map = memory_mapped_file::create_new(n, 4096);
    auto view = map.create_view_accessor();
    view.write<std::uint64_t>(8, 77);
    mmf::set_object_permissions(mmf::object_kind::map, n,
                                perms::owner_read | perms::owner_write | perms::group_read |
                                    perms::group_write | perms::others_read | perms::others_write);
    auto theirs = spawn_as(other, {"create_hold", n, "4096"});
    const auto ready = theirs.read_line(20s).value_or("<nothing>");
    theirs.write_line("read 8");
    const auto value = theirs.read_line(20s).value_or("<nothing>");
    theirs.write_line("write 16 99");
    const auto wrote = theirs.read_line(20s).value_or("<nothing>");
    theirs.close_stdin();
    theirs.wait_for(20s);
    d = ready + " / " + value + " / " + wrote + " / mode " +
        std::to_string(file_mode_bits(object_path("map", n)));
    return ready == "ready opened" && value == "value 77" && wrote == "ok" &&
           view.read<std::uint64_t>(16) == 99;
  }));

  // Squatting: a file the other user plants under our Local\ file name is refused, not attached.
  for (const char* mode : {"600", "666"}) {
    out.push_back(run_case(std::string("other_squats_our_local_") + mode, [&](std::string& d) {
      const std::string n = mmf_test::unique_name("rel_sq");
      const std::string path = mmf::shared_memory_path(n).string();
      const auto planted = ask_as(other, {"plant", path, mode});
      if (planted != "ok") {
        d = "plant: " + planted;
        return false;
      }
      const bool ok = all_refused(n, d, [&] {
        struct ::stat st {};
        return ::lstat(path.c_str(), &st) == 0 && st.st_uid == other.uid && st.st_size == 4096;
      });
      ::unlink(path.c_str());
      return ok;
    }));
  }

  // Squatting a Global\ name: an object another user created there and did not widen is not ours
  // to attach to, not even for root (which the kernel would let open anything).
  out.push_back(run_case("other_squats_our_global_unwidened", [&](std::string& d) {
    const std::string n = "Global\\" + mmf_test::unique_name("rel_sg");
    auto theirs = spawn_as(other, {"create_hold", n, "4096"});
    const auto ready = theirs.read_line(20s).value_or("<nothing>");
    if (ready != "ready created") {
      d = "their create: " + ready;
      return false;
    }
    const auto a = code_of([&] { (void)memory_mapped_file::create_or_open(n, 4096); });
    const auto b = code_of([&] { (void)memory_mapped_file::open_existing(n); });
    theirs.close_stdin();
    theirs.wait_for(20s);
    d = "create_or_open: " + text(a) + ", open_existing: " + text(b);
    return a == std::errc::permission_denied && b == std::errc::permission_denied;
  }));

  // Deleting: /dev/shm is sticky, so the other user cannot unlink our objects.
  out.push_back(run_case("other_cannot_delete_ours", [&](std::string& d) {
    const std::string n = mmf_test::unique_name("rel_del");
    auto local = memory_mapped_file::create_new(n, 4096);
    auto global = memory_mapped_file::create_new("Global\\" + n, 4096);
    const std::string lp = object_path("map", n);
    const std::string gp = object_path("map", "Global\\" + n);
    const auto l = ask_as(other, {"unlink", lp});
    const auto g = ask_as(other, {"unlink", gp});
    const auto sweep = ask_as(other, {"sweep"});
    d = l + " / " + g + " / " + sweep;
    const bool refused =
        l == "error errno_" + std::to_string(EPERM) && g == "error errno_" + std::to_string(EPERM);
    return refused && exists_no_follow(lp) && exists_no_follow(gp) &&
           memory_mapped_file::open_existing(n).capacity() == 4096;
  }));

  // Sweeps stay in their own user: theirs does not take our stale object, ours not theirs.
  out.push_back(run_case("sweeps_stay_per_user", [&](std::string& d) {
    private_shm_dir dir;  // sticky and world-writable too; no sweep of a parallel test reaches it
    const std::string n = mmf_test::unique_name("rel_sw");
    child_process mine;
    std::string failure;
    if (!start(mine, {"map_create_or_open", n, "4096"}, &failure)) {
      d = "holder: " + failure;
      return false;
    }
    mine.kill();  // our object is now stale
    const std::string our_path = object_path("map", n);
    const std::string their_path = local_path_of(other.uid, n);
    auto theirs = spawn_as(other, {"create_hold", n, "4096"});
    const auto ready = theirs.read_line(20s).value_or("<nothing>");
    const auto their_sweep = ask_as(other, {"sweep"});
    const bool ours_survived = exists_no_follow(our_path);
    theirs.kill();  // theirs is stale now too
    const auto removed = mmf::remove_stale_objects();
    const bool theirs_survived = exists_no_follow(their_path);
    const bool ours_removed = !exists_no_follow(our_path);
    ::unlink(their_path.c_str());
    d = ready + " / their sweep: " + their_sweep +
        " / ours survived theirs: " + std::to_string(ours_survived) +
        " / theirs survived ours: " + std::to_string(theirs_survived) +
        " / ours removed: " + std::to_string(ours_removed);
    return ready == "ready created" && their_sweep == "removed 0" && ours_survived &&
           theirs_survived && ours_removed;
  }));

  // An unprivileged victim (nobody) and a Global\ name the other user took first: refused until
  // the other user widens it, then usable (documented: widened Global\ objects are shared).
  if (const passwd* pw = ::getpwnam("nobody"); pw != nullptr && pw->pw_uid != other.uid) {
    const user_ids victim{pw->pw_uid, pw->pw_gid};
    out.push_back(run_case("unprivileged_victim_and_global_squatter", [&](std::string& d) {
      const std::string n = "Global\\" + mmf_test::unique_name("rel_sv");
      auto theirs = spawn_as(other, {"create_hold", n, "4096"});
      const auto ready = theirs.read_line(20s).value_or("<nothing>");
      const auto before = ask_as(victim, {"open", n, "read_write"});
      theirs.write_line("widen");
      const auto widened = theirs.read_line(20s).value_or("<nothing>");
      const auto after = ask_as(victim, {"open", n, "read_write"});
      theirs.close_stdin();
      theirs.wait_for(20s);
      d = ready + " / before: " + before + " / widen: " + widened + " / after: " + after;
      return ready == "ready created" && before == "error permission_denied" && widened == "ok" &&
             after == "ok 4096";
    }));
  }
  return out;
}

// ---- 5. Names ----------------------------------------------------------------------------------

struct bad_name {
  std::string label;
  std::string name;
};

// GoogleTest prints a parameter with this (and not as a dump of its bytes): the label alone, as
// the name may hold NUL or invalid UTF-8.
inline void PrintTo(const bad_name& b, std::ostream* os) {
  *os << b.label << " (" << b.name.size() << " bytes)";
}

inline std::vector<bad_name> bad_names() {
  using namespace std::string_literals;
  return {
      {"empty", ""},
      {"dot", "."},
      {"dotdot", ".."},
      {"slash", "/"},
      {"a_slash_b", "a/b"},
      {"leading_slash", "/x"},
      {"backslash", "a\\b"},
      {"leading_backslash", "\\x"},
      {"lowercase_prefix", "local\\x"},
      {"backslash_after_local", "Local\\a\\b"},
      {"backslash_after_global", "Global\\a\\b"},
      {"local_prefix_only", "Local\\"},
      {"global_prefix_only", "Global\\"},
      {"local_dotdot", "Local\\.."},
      {"global_dot", "Global\\."},
      {"global_slash", "Global\\/x"},
      {"nul", "a\0b"s},
      {"nul_only", "\0"s},
      {"utf8_overlong_2", "a\xC0\xAF"},
      {"utf8_overlong_3", "\xE0\x80\xAF"},
      {"utf8_overlong_4", "\xF0\x80\x80\xAF"},
      {"utf8_surrogate_high", "\xED\xA0\x80"},
      {"utf8_surrogate_low", "x\xED\xBF\xBF"},
      {"utf8_truncated_2", "a\xC3"},
      {"utf8_truncated_3", "\xE2\x82"},
      {"utf8_truncated_4", "\xF0\x9F\x98"},
      {"utf8_ff", "\xFF"},
      {"utf8_fe", "a\xFE"},
      {"utf8_lone_continuation", "\x80"},
      {"utf8_above_max", "\xF4\x90\x80\x80"},
      {"utf8_5_byte", "\xF8\x88\x80\x80\x80"},
      {"bytes_201", std::string(201, 'a')},
      {"global_bytes_201", "Global\\" + std::string(201, 'n')},
      {"local_bytes_201", "Local\\" + std::string(201, 'n')},
      {"utf8_201_bytes", std::string(67, 'a') +
                             [] {
                               std::string s;
                               for (int i = 0; i < 67; ++i)
                                 s += "\xC3\xA9";
                               return s;
                             }()},
  };
}

// Counts the seam's calls (and forwards them to the real ones).
struct call_counts {
  int fallocate = 0, ftruncate = 0, mmap = 0, flock = 0;
  int total() const { return fallocate + ftruncate + mmap + flock; }
};
inline call_counts& counts() {
  static call_counts c;
  return c;
}
inline void count_syscalls() {
  using mmf::detail::posix::sys;
  static const auto real = [] {
    mmf::detail::posix::reset_syscalls();
    return sys();
  }();
  counts() = {};
  sys().posix_fallocate = [](int fd, off_t o, off_t l) {
    ++counts().fallocate;
    return real.posix_fallocate(fd, o, l);
  };
  sys().ftruncate = [](int fd, off_t l) {
    ++counts().ftruncate;
    return real.ftruncate(fd, l);
  };
  sys().mmap = [](void* a, std::size_t l, int p, int f, int fd, off_t o) {
    ++counts().mmap;
    return real.mmap(a, l, p, f, fd, o);
  };
  sys().flock = [](int fd, int op) {
    ++counts().flock;
    return real.flock(fd, op);
  };
}

// Every API that takes a name refuses `name` with invalid_argument, makes none of the seam's
// system calls, and changes nothing in the (private) shared-memory directory or the file system.
inline case_result bad_name_refused(const bad_name& bad) {
  return run_case("bad_name_" + bad.label, [&](std::string& d) {
    private_shm_dir dir;
    mmf_test::temp_dir files;
    const auto file = files / "f";
    syscall_guard restore;
    count_syscalls();
    const std::string& n = bad.name;
    std::error_code ec_form;
    // An empty name is not malformed where it means "anonymous" (create_new, create_from_file):
    // those calls are only checked with the other names.
    const bool anonymous_ok = n.empty();
    std::vector<std::pair<const char*, std::error_code>> results{
        {"create_or_open", code_of([&] { (void)memory_mapped_file::create_or_open(n, 4096); })},
        {"create_or_open_ec",
         [&] {
           bool created = false;
           (void)memory_mapped_file::create_or_open(n, 4096, access::read_write, map_options::none,
                                                    inheritability::none, &created, ec_form);
           return ec_form;
         }()},
        {"open_existing", code_of([&] { (void)memory_mapped_file::open_existing(n); })},
        {"mutex", code_of([&] { (void)mmf::named_mutex::create_or_open(n); })},
        {"mutex_open", code_of([&] { (void)mmf::named_mutex::open_existing(n); })},
        {"event",
         code_of([&] { (void)mmf::named_event::create_or_open(n, mmf::event_reset::automatic); })},
        {"semaphore", code_of([&] { (void)mmf::named_semaphore::create_or_open(n, 0, 1); })},
        {"shared_memory_path", code_of([&] { (void)mmf::shared_memory_path(n); })},
        {"set_object_permissions", code_of([&] {
           mmf::set_object_permissions(mmf::object_kind::map, n,
                                       std::filesystem::perms::owner_read);
         })},
    };
    if (!anonymous_ok) {
      results.emplace_back("create_new",
                           code_of([&] { (void)memory_mapped_file::create_new(n, 4096); }));
      results.emplace_back("create_new_lazy", code_of([&] {
                             (void)memory_mapped_file::create_new(
                                 n, 4096, access::read_write, map_options::delay_allocate_pages);
                           }));
      results.emplace_back("create_from_file", code_of([&] {
                             (void)memory_mapped_file::create_from_file(
                                 file, mmf::file_mode::create_new, n, 4096);
                           }));
    }
    const call_counts calls = counts();
    mmf::detail::posix::reset_syscalls();
    bool ok = true;
    for (const auto& [what, ec] : results) {
      if (ec != std::errc::invalid_argument) {
        ok = false;
        d += std::string(" ") + what + ": " + text(ec);
      }
    }
    if (calls.total() != 0) {
      ok = false;
      d += " system calls made: fallocate " + std::to_string(calls.fallocate) + " ftruncate " +
           std::to_string(calls.ftruncate) + " mmap " + std::to_string(calls.mmap) + " flock " +
           std::to_string(calls.flock);
    }
    if (!entries(dir.path()).empty()) {
      ok = false;
      d += " the shm directory changed";
    }
    if (!entries(files.path().string()).empty()) {
      ok = false;
      d += " a file was created";
    }
    return ok;
  });
}

// The control for the names: a good 200-byte name works, and the seam sees its system calls (so
// "no call" above means something).
inline case_result good_long_name_works() {
  return run_case("good_name_200_bytes", [](std::string& d) {
    private_shm_dir dir;
    syscall_guard restore;
    count_syscalls();
    const std::string n = std::string(190, 'g') + mmf_test::unique_name("n").substr(0, 10);
    auto map = memory_mapped_file::create_new(n.substr(0, 200), 4096);
    auto view = map.create_view_accessor();
    const call_counts calls = counts();
    mmf::detail::posix::reset_syscalls();
    d = "calls " + std::to_string(calls.total()) + " entries " +
        std::to_string(entries(dir.path()).size());
    return calls.flock > 0 && calls.mmap > 0 && calls.fallocate > 0 &&
           entries(dir.path()).size() == 1;
  });
}

// ---- 6. Descriptors ----------------------------------------------------------------------------

struct fd_leak_result {
  std::uint64_t objects = 0;  // library objects alive while the child ran
  std::uint64_t leaked = 0;   // descriptors in the child that are not inheritable ones
  std::uint64_t missing = 0;  // inheritable descriptors the child did not get
  std::string detail;
};

// Creates one of everything that holds a descriptor, spawns a helper that lists its descriptors,
// and compares with a listing taken before: exactly the inheritable ones must be new.
inline fd_leak_result run_fd_leaks() {
  fd_leak_result r;
  private_shm_dir shm;  // the remove_stale_objects() below must not sweep other tests' objects
  const auto before = child_fds();
  if (!before.ok) {
    r.detail = "no baseline listing";
    ++r.leaked;
    return r;
  }
  mmf_test::temp_dir dir;
  const std::string n = mmf_test::unique_name("rel_fd");
  auto named = memory_mapped_file::create_new(n, 8192);
  auto named_view = named.create_view_accessor();
  auto named_stream = named.create_view_stream();
  auto opened = memory_mapped_file::open_existing(n, access::read);
  auto opened_view = opened.create_view_accessor(0, 0, access::read);
  auto orw = memory_mapped_file::create_or_open(n + "_co", 4096);
  auto anon = memory_mapped_file::create_new("", 4096);
  auto anon_view = anon.create_view_accessor();
  auto lazy = memory_mapped_file::create_new(n + "_lazy", 4096, access::read_write,
                                             map_options::delay_allocate_pages);
  auto persisted =
      memory_mapped_file::create_from_file(dir / "p", mmf::file_mode::create_new, n + "_p", 4096);
  auto persisted_view = persisted.create_view_accessor();
  auto persisted_opened = memory_mapped_file::open_existing(n + "_p");
  auto persisted_anon =
      memory_mapped_file::create_from_file(dir / "q", mmf::file_mode::create_new, {}, 4096);
  const int raw = ::open((dir / "p").c_str(), O_RDWR | O_CLOEXEC);
  auto from_handle = memory_mapped_file::create_from_file(raw, n + "_h", 4096, access::read_write,
                                                          inheritability::none, false);
  auto mutex = mmf::named_mutex::create_or_open(n);
  auto event = mmf::named_event::create_or_open(n, mmf::event_reset::automatic);
  auto sem = mmf::named_semaphore::create_or_open(n, 1, 2);
  mutex.lock();
  (void)mmf::list_objects(true);
  (void)mmf::remove_stale_objects();
  // The inheritable ones.
  auto inh_named = memory_mapped_file::create_new(n + "_inh", 4096, access::read_write,
                                                  map_options::none, inheritability::inheritable);
  auto inh_view = inh_named.create_view_accessor();
  auto inh_anon = memory_mapped_file::create_new("", 4096, access::read_write, map_options::none,
                                                 inheritability::inheritable);
  auto inh_opened =
      memory_mapped_file::open_existing(n, access::read_write, inheritability::inheritable);
  const int raw2 = ::open((dir / "q").c_str(), O_RDWR | O_CLOEXEC);
  auto inh_handle = memory_mapped_file::create_from_file(raw2, {}, 4096, access::read_write,
                                                         inheritability::inheritable, false);
  r.objects = 18;
  const std::set<int> expected{inh_named.native_handle(), inh_anon.native_handle(),
                               inh_opened.native_handle(), inh_handle.native_handle()};
  const auto after = child_fds();
  mutex.unlock();
  if (!after.ok) {
    r.detail = "no listing";
    ++r.leaked;
    return r;
  }
  std::set<int> base;
  for (const auto& [fd, target] : before.fds)
    base.insert(fd);
  std::set<int> seen;
  for (const auto& [fd, target] : after.fds) {
    if (base.count(fd) != 0) continue;
    if (expected.count(fd) != 0) {
      seen.insert(fd);
      continue;
    }
    ++r.leaked;
    r.detail += " leaked fd " + std::to_string(fd) + " -> " + target;
  }
  for (const int fd : expected) {
    if (seen.count(fd) == 0) {
      ++r.missing;
      r.detail += " inheritable fd " + std::to_string(fd) + " missing";
    }
  }
  // The inheritable named map's descriptor is the object in the shm directory. (Its
  // /proc/self/fd link reads "/dev/shm/#<inode>": the object was built as an O_TMPFILE and linked
  // under its name afterwards; so compare inodes.)
  struct ::stat held {};
  struct ::stat named_st {};
  if (::fstat(inh_named.native_handle(), &held) != 0 ||
      ::stat(object_path("map", n + "_inh").c_str(), &named_st) != 0 ||
      held.st_ino != named_st.st_ino) {
    ++r.missing;
    r.detail += " the inheritable descriptor is not the named object";
  }
  return r;
}

}  // namespace mmf_rel
