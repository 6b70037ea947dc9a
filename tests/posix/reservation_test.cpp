// mmf — reservation of shared memory on POSIX (issue 3, point 3): a full tmpfs is
// no_space_on_device at creation, never a SIGBUS later, and leaves nothing behind; EINTR from
// posix_fallocate is retried; delay_allocate_pages does not reserve (documented lazy). Through
// the syscall seam always; with a real 8 MiB tmpfs when running as root.
//
// A reservation that memory or the file system cannot back is refused before anything is reserved
// (src/posix/reservation.hpp), instead of posix_fallocate draining the machine until the OOM
// killer strikes: with injected figures, and for real — each real huge reservation runs in a
// forked child, watched by the parent, which kills it if the machine's available memory drops by
// more than 1 GiB or it takes too long.
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64  // as the library: the syscall seam's off_t must match
#endif

#include <sys/statvfs.h>
#include <sys/wait.h>

#include <gtest/gtest.h>
#include <mmf/named_event.hpp>
#include <mmf/named_mutex.hpp>
#include <mmf/named_semaphore.hpp>

#include "posix/injected_reservation.hpp"
#include "reliability/scenarios.hpp"
#include "support/error_assertions.hpp"

namespace {

using mmf::access;
using mmf::inheritability;
using mmf::map_options;
using mmf::memory_mapped_file;
using mmf::detail::posix::memory_figures;
using mmf::detail::posix::sys;

using mmf_inject::counting_fallocate;
using mmf_inject::enospc;
using mmf_inject::fallocate_calls;
using mmf_inject::injected_fs_free;
using mmf_inject::injected_memory;
using mmf_inject::real_fallocate;
using mmf_inject::small_file_system;
using mmf_inject::small_memory;

int ftruncate_calls = 0;
int eintr_once(int fd, off_t offset, off_t length) {
  if (++fallocate_calls == 1) return EINTR;
  return real_fallocate(fd, offset, length);
}
int eintr_twice_then_enospc(int, off_t, off_t) {
  return ++fallocate_calls <= 2 ? EINTR : ENOSPC;
}
int (*real_ftruncate)(int, off_t) = nullptr;
int counting_ftruncate(int fd, off_t length) {
  ++ftruncate_calls;
  return real_ftruncate(fd, length);
}
int no_memory_figures(memory_figures*) {
  return ENOENT;  // as without /proc
}
int no_statvfs(int, struct statvfs*) {
  errno = ENOSYS;
  return -1;
}

class Reservation : public mmf_inject::injected_reservation_test {
 protected:
  void SetUp() override {
    injected_reservation_test::SetUp();
    real_ftruncate = sys().ftruncate;
    ftruncate_calls = 0;
  }
};

TEST_F(Reservation, InjectedEnospcIsNoSpaceOnDeviceAndLeavesNothing) {
  sys().posix_fallocate = enospc;
  const std::string name = mmf_test::unique_name("rel_enospc");
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(name, 1 << 20), std::errc::no_space_on_device);
  EXPECT_MMF_ERROR(memory_mapped_file::create_or_open(name, 1 << 20),
                   std::errc::no_space_on_device);
  EXPECT_MMF_ERROR(memory_mapped_file::create_new("", 1 << 20), std::errc::no_space_on_device);
  std::error_code ec;
  auto map = memory_mapped_file::create_new(name, 4096, access::read_write, map_options::none,
                                            inheritability::none, ec);
  EXPECT_EQ(ec, std::errc::no_space_on_device);
  EXPECT_FALSE(map);
  EXPECT_EQ(fallocate_calls, 4);
  EXPECT_TRUE(mmf_rel::entries(dir_.path()).empty()) << "nothing left in the shm directory";
  mmf::detail::posix::reset_syscalls();
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
  // The name is free: a creation now succeeds.
  EXPECT_EQ(memory_mapped_file::create_new(name, 4096).capacity(), 4096u);
}

TEST_F(Reservation, InjectedEintrOnceIsRetriedAndSucceeds) {
  sys().posix_fallocate = eintr_once;
  bool created = false;
  auto map = memory_mapped_file::create_or_open(mmf_test::unique_name("rel_eintr"), 3 * 4096 + 1,
                                                access::read_write, map_options::none,
                                                inheritability::none, &created);
  EXPECT_TRUE(created);
  EXPECT_EQ(map.capacity(), 3u * 4096 + 1);
  EXPECT_EQ(fallocate_calls, 2) << "EINTR once, then the real call";
  auto view = map.create_view_accessor();
  view.write<std::uint64_t>(3 * 4096 - 7, 9);
  EXPECT_EQ(view.read<std::uint64_t>(3 * 4096 - 7), 9u);
}

TEST_F(Reservation, EintrThenEnospcIsStillNoSpaceOnDevice) {
  sys().posix_fallocate = eintr_twice_then_enospc;
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(mmf_test::unique_name("rel_eintr2"), 4096),
                   std::errc::no_space_on_device);
  EXPECT_EQ(fallocate_calls, 3);
  EXPECT_TRUE(mmf_rel::entries(dir_.path()).empty());
}

TEST_F(Reservation, DefaultReservesWithFallocate) {
  sys().posix_fallocate = counting_fallocate;
  auto map = memory_mapped_file::create_new(mmf_test::unique_name("rel_res"), 1 << 20);
  EXPECT_EQ(fallocate_calls, 1);
}

TEST_F(Reservation, DelayAllocatePagesDoesNotReserve) {
  sys().posix_fallocate = enospc;  // would fail if it were called
  sys().ftruncate = counting_ftruncate;
  auto map = memory_mapped_file::create_new(mmf_test::unique_name("rel_lazy"), 1 << 20,
                                            access::read_write, map_options::delay_allocate_pages);
  EXPECT_EQ(map.capacity(), 1u << 20);
  EXPECT_EQ(fallocate_calls, 0);
  EXPECT_EQ(ftruncate_calls, 1) << "only the size is set: a hole, pages come on first touch";
}

// ---- Reservations that cannot be backed ---------------------------------------------------------

constexpr std::uint64_t mib = 1 << 20;

TEST_F(Reservation, MoreThanMemoryCanHoldIsRefusedBeforeReserving) {
  injected_memory = mib;
  sys().memory = small_memory;
  sys().posix_fallocate = counting_fallocate;
  const std::string name = mmf_test::unique_name("rel_oom");
  std::string what =
      MMF_ERROR_WHAT(memory_mapped_file::create_new("", 16 * mib), std::errc::not_enough_memory);
  EXPECT_NE(what.find("create_new"), std::string::npos) << what;
  EXPECT_NE(what.find("anonymous shared memory"), std::string::npos) << what;
  EXPECT_NE(what.find("16777216"), std::string::npos) << "the figures: " << what;
  EXPECT_NE(what.find("1048576"), std::string::npos) << "the figures: " << what;
  what =
      MMF_ERROR_WHAT(memory_mapped_file::create_new(name, 16 * mib), std::errc::not_enough_memory);
  EXPECT_NE(what.find("create_new \"" + name + "\""), std::string::npos) << what;
  EXPECT_NE(what.find("16777216"), std::string::npos) << what;
  what = MMF_ERROR_WHAT(memory_mapped_file::create_or_open(name, 16 * mib),
                        std::errc::not_enough_memory);
  EXPECT_NE(what.find("create_or_open \"" + name + "\""), std::string::npos) << what;
  std::error_code ec;
  auto map = memory_mapped_file::create_new(name, 16 * mib, access::read_write, map_options::none,
                                            inheritability::none, ec);
  EXPECT_EQ(ec, std::errc::not_enough_memory);
  EXPECT_FALSE(map);
  EXPECT_EQ(fallocate_calls, 0) << "refused before reserving";
  EXPECT_TRUE(mmf_rel::entries(dir_.path()).empty()) << "nothing left in the shm directory";
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
  // What fits is reserved as before.
  EXPECT_EQ(memory_mapped_file::create_new(name, mib / 2).capacity(), mib / 2);
  EXPECT_EQ(fallocate_calls, 1);
}

TEST_F(Reservation, HugePagesFollowTheReservationRule) {
  // No huge pages free (injected): hugetlbfs is refused before reserving, normal memory is tried
  // next and refused too; the error is the normal memory's, with its figures.
  injected_memory = mib;
  sys().memory = small_memory;
  sys().posix_fallocate = counting_fallocate;
  const std::string what = MMF_ERROR_WHAT(
      memory_mapped_file::create_new("", 16 * mib, access::read_write, map_options::huge_pages),
      std::errc::not_enough_memory);
  EXPECT_NE(what.find("anonymous shared memory"), std::string::npos) << what;
  EXPECT_EQ(what.find("huge pages"), std::string::npos) << what;
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(mmf_test::unique_name("rel_huge_oom"), 16 * mib,
                                                  access::read_write, map_options::huge_pages),
                   std::errc::not_enough_memory);
  EXPECT_EQ(fallocate_calls, 0);
  EXPECT_TRUE(mmf_rel::entries(dir_.path()).empty());
}

TEST_F(Reservation, TheErrorDetailDoesNotOutliveItsError) {
  injected_memory = mib;
  sys().memory = small_memory;
  std::error_code ec;
  memory_mapped_file::create_new("", 16 * mib, access::read_write, map_options::none,
                                 inheritability::none, ec);
  EXPECT_EQ(ec, std::errc::not_enough_memory);
  // A later, unrelated error of the same thread says nothing about that reservation.
  const std::string what =
      MMF_ERROR_WHAT(memory_mapped_file::open_existing(mmf_test::unique_name("rel_none")),
                     std::errc::no_such_file_or_directory);
  EXPECT_EQ(what.find("reserving"), std::string::npos) << what;
}

TEST_F(Reservation, DelayAllocatePagesIsNeitherCheckedNorReserved) {
  injected_memory = mib;
  sys().memory = small_memory;
  injected_fs_free = mib;
  sys().fstatvfs = small_file_system;
  sys().posix_fallocate = enospc;  // would fail if it were called
  const std::string name = mmf_test::unique_name("rel_oom_lazy");
  auto named = memory_mapped_file::create_new(name, 16 * mib, access::read_write,
                                              map_options::delay_allocate_pages);
  EXPECT_EQ(named.capacity(), 16 * mib);
  auto opened =
      memory_mapped_file::create_or_open(mmf_test::unique_name("rel_oom_lazy2"), 16 * mib,
                                         access::read_write, map_options::delay_allocate_pages);
  EXPECT_EQ(opened.capacity(), 16 * mib);
  auto anonymous = memory_mapped_file::create_new("", 16 * mib, access::read_write,
                                                  map_options::delay_allocate_pages);
  EXPECT_EQ(anonymous.capacity(), 16 * mib);
  EXPECT_EQ(fallocate_calls, 0) << "lazy: nothing reserved";
}

TEST_F(Reservation, UnreadableFiguresDoNotRefuse) {
  sys().memory = no_memory_figures;
  sys().fstatvfs = no_statvfs;
  sys().posix_fallocate = counting_fallocate;
  auto map = memory_mapped_file::create_new(mmf_test::unique_name("rel_nofig"), mib);
  EXPECT_EQ(map.capacity(), mib);
  auto anonymous = memory_mapped_file::create_new("", mib);
  EXPECT_EQ(anonymous.capacity(), mib);
  EXPECT_EQ(fallocate_calls, 2) << "without figures the reservation is simply tried";
}

TEST_F(Reservation, LittleFreeSpaceIsNoSpaceOnDeviceBeforeReserving) {
  injected_fs_free = mib;
  sys().fstatvfs = small_file_system;
  sys().posix_fallocate = counting_fallocate;
  const std::string name = mmf_test::unique_name("rel_nospace");
  std::string what =
      MMF_ERROR_WHAT(memory_mapped_file::create_new(name, 16 * mib), std::errc::no_space_on_device);
  EXPECT_NE(what.find(name), std::string::npos) << what;
  EXPECT_NE(what.find("16777216"), std::string::npos) << what;
  EXPECT_NE(what.find("1048576"), std::string::npos) << what;
  EXPECT_MMF_ERROR(memory_mapped_file::create_or_open(name, 16 * mib),
                   std::errc::no_space_on_device);
  EXPECT_EQ(fallocate_calls, 0);
  EXPECT_TRUE(mmf_rel::entries(dir_.path()).empty());
}

TEST_F(Reservation, SyncObjectsReserveThroughTheSeam) {
  sys().posix_fallocate = enospc;
  EXPECT_MMF_ERROR(mmf::named_mutex::create_or_open(mmf_test::unique_name("rel_mx")),
                   std::errc::no_space_on_device);
  EXPECT_MMF_ERROR(
      mmf::named_event::create_or_open(mmf_test::unique_name("rel_ev"), mmf::event_reset::manual),
      std::errc::no_space_on_device);
  EXPECT_MMF_ERROR(mmf::named_semaphore::create_or_open(mmf_test::unique_name("rel_sem"), 0, 1),
                   std::errc::no_space_on_device);
  EXPECT_EQ(fallocate_calls, 3);
  EXPECT_TRUE(mmf_rel::entries(dir_.path()).empty());
}

TEST_F(Reservation, SyncObjectsFollowTheReservationRule) {
  injected_memory = 0;
  sys().memory = small_memory;
  sys().posix_fallocate = counting_fallocate;
  const std::string name = mmf_test::unique_name("rel_mx_oom");
  const std::string what =
      MMF_ERROR_WHAT(mmf::named_mutex::create_or_open(name), std::errc::not_enough_memory);
  EXPECT_NE(what.find(name), std::string::npos) << what;
  EXPECT_EQ(fallocate_calls, 0);
  EXPECT_TRUE(mmf_rel::entries(dir_.path()).empty());
}

// ---- Real reservations past what the machine holds, in a watched child --------------------------

// MemAvailable + SwapFree from /proc/meminfo, in bytes (0 if unreadable).
std::uint64_t machine_available() {
  std::FILE* f = std::fopen("/proc/meminfo", "re");
  if (f == nullptr) return 0;
  std::uint64_t total = 0;
  char key[64];
  unsigned long long kb = 0;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "%63[^:]: %llu", key, &kb) != 2) continue;
    if (std::strcmp(key, "MemAvailable") == 0 || std::strcmp(key, "SwapFree") == 0)
      total += kb * 1024;
  }
  std::fclose(f);
  return total;
}
std::uint64_t mem_available() {
  std::FILE* f = std::fopen("/proc/meminfo", "re");
  if (f == nullptr) return 0;
  unsigned long long kb = 0;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (std::sscanf(line, "MemAvailable: %llu", &kb) == 1) break;
  std::fclose(f);
  return kb * 1024;
}

struct watched {
  bool killed = false;  // by the watchdog: memory was draining, or it took too long
  std::string why;
  int status = 0;
  std::chrono::milliseconds took{0};
};

// Child exit codes.
constexpr int saw_not_enough_memory = 0;
constexpr int saw_no_space = 4;

// Runs `attempt` (which returns an exit code) in a forked child; the parent polls MemAvailable
// every 2 ms and SIGKILLs the child when it has dropped by more than 1 GiB since the start, or
// after 20 s.
template <class F>
watched run_watched(F attempt) {
  watched w;
  const std::uint64_t start = mem_available();
  const auto began = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = 3;
    try {
      code = attempt();
    } catch (...) {
      code = 3;
    }
    ::_exit(code);
  }
  if (pid < 0) {
    w.killed = true;
    w.why = "fork failed";
    return w;
  }
  for (;;) {
    const pid_t r = ::waitpid(pid, &w.status, WNOHANG);
    if (r == pid) break;
    const std::uint64_t now = mem_available();
    const auto elapsed = std::chrono::steady_clock::now() - began;
    if (!w.killed && start > now && start - now > (std::uint64_t{1} << 30)) {
      w.killed = true;
      w.why = "MemAvailable dropped by " + std::to_string((start - now) >> 20) + " MiB";
      ::kill(pid, SIGKILL);
    } else if (!w.killed && elapsed > std::chrono::seconds(20)) {
      w.killed = true;
      w.why = "still reserving after 20 s";
      ::kill(pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  w.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 began);
  return w;
}

int attempt_create(const std::string& name, std::uint64_t capacity) {
  mmf::detail::posix::reset_syscalls();
  std::error_code ec;
  auto map = memory_mapped_file::create_new(name, capacity, access::read_write, map_options::none,
                                            inheritability::none, ec);
  if (!ec) return 2;
  if (ec == std::errc::not_enough_memory) return saw_not_enough_memory;
  if (ec == std::errc::no_space_on_device) return saw_no_space;
  return 1;
}

void expect_refused_fast(const watched& w, bool no_space_too, const char* what) {
  ASSERT_FALSE(w.killed) << what << ": the watchdog killed the reserving child: " << w.why;
  ASSERT_TRUE(WIFEXITED(w.status)) << what << ": the child died (status " << w.status << ")";
  const int code = WEXITSTATUS(w.status);
  if (no_space_too && code == saw_no_space) {
    SUCCEED();
  } else {
    EXPECT_EQ(code, saw_not_enough_memory)
        << what << ": 0 not_enough_memory, 1 another error, 2 created, 3 threw, 4 no_space";
  }
  EXPECT_LT(w.took, std::chrono::milliseconds(1000)) << what << ": not a fast refusal";
}

TEST_F(Reservation, RealHugeAnonymousReservationFailsFast) {
  const auto w = run_watched([] { return attempt_create("", std::uint64_t{1} << 62); });
  expect_refused_fast(w, false, "create_new(\"\", 1 << 62)");
  EXPECT_TRUE(mmf_rel::entries(dir_.path()).empty());
}

TEST_F(Reservation, RealHugeNamedReservationFailsFast) {
  const std::string name = mmf_test::unique_name("rel_huge");
  const auto w = run_watched([&] { return attempt_create(name, std::uint64_t{1} << 62); });
  expect_refused_fast(w, false, "create_new(name, 1 << 62)");
  EXPECT_TRUE(mmf_rel::entries(dir_.path()).empty());
}

TEST_F(Reservation, RealNamedReservationJustPastMemoryFailsFast) {
  if (machine_available() == 0) GTEST_SKIP() << "no /proc/meminfo";
  const std::string name = mmf_test::unique_name("rel_past");
  bool past_tmpfs = false;
  const auto w = run_watched([&] {
    // Read in the child, right before the attempt: 256 MiB more than memory and swap hold now.
    return attempt_create(name, machine_available() + 256 * mib);
  });
  // Where the shared-memory directory is smaller than memory, its file system refuses first.
  struct ::statvfs vfs {};
  if (::statvfs(dir_.path().c_str(), &vfs) == 0 && vfs.f_blocks != 0)
    past_tmpfs =
        static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize < machine_available() + 256 * mib;
  expect_refused_fast(w, past_tmpfs, "create_new(name, MemAvailable + SwapFree + 256 MiB)");
  EXPECT_TRUE(mmf_rel::entries(dir_.path()).empty());
}

TEST(ReservationTmpfs, FullTmpfsIsNoSpaceAtCreationNoSigbusNoLeftovers) {
  const auto r = mmf_rel::run_tmpfs_full();
  if (!r.ran) {
    mmf_rel::loud_skip("tmpfs-full test: " + r.why_not +
                       " (the syscall-seam tests above still prove the error path)");
    GTEST_SKIP() << r.why_not;
  }
  EXPECT_EQ(r.wrong, 0u) << r.problem;
  EXPECT_EQ(r.sigbus, 0u) << r.problem;
  EXPECT_EQ(r.leftovers, 0u);
  EXPECT_NE(r.lazy_touch_status, 0)
      << "delay_allocate_pages is lazy: touching more than the tmpfs holds must fail (SIGBUS)";
}

}  // namespace
