// mmf — page control, POSIX only: lock_in_memory past RLIMIT_MEMLOCK is not_enough_memory, both
// when mlock says ENOMEM (over a non-zero limit) and EPERM (a limit of 0), and nothing is locked
// by a refused call. The limit binds only a process without CAP_IPC_LOCK, so each case runs in a
// forked child that lowers its limit and, when the tests run as root, gives up root first.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <system_error>

#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

namespace {

// ASan's runtime replaces mlock with a no-op that succeeds (it does not support locking memory), so
// no limit can be seen under it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool mlock_is_real = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool mlock_is_real = false;
#else
constexpr bool mlock_is_real = true;
#endif
#else
constexpr bool mlock_is_real = true;
#endif

int wait_child(pid_t pid) {
  int raw = 0;
  if (::waitpid(pid, &raw, 0) != pid) return -1;
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : 100 + WTERMSIG(raw);
}

// In the child: limit locked memory to `limit` bytes, lose CAP_IPC_LOCK, then lock a 1 MiB view
// (an anonymous map: nothing named to leave behind). Returns the child's exit code: 0 when the lock
// is refused with not_enough_memory naming the call and a range within the limit still locks.
int lock_past_limit(rlim_t limit) {
  const rlimit lim{limit, limit};
  if (::setrlimit(RLIMIT_MEMLOCK, &lim) != 0) return 10;
  if (::geteuid() == 0 && ::setresuid(65534, 65534, 65534) != 0) return 11;
  try {
    auto map = mmf::memory_mapped_file::create_new({}, 1 << 20);
    auto view = map.create_view_accessor();
    try {
      view.lock_in_memory();
      return 1;  // locked past the limit
    } catch (const mmf::error& e) {
      if (e.code() != std::errc::not_enough_memory) return 2;
      if (std::string(e.what()).find("view_accessor::lock_in_memory") == std::string::npos)
        return 3;
    }
    auto stream = map.create_view_stream();
    try {
      stream.lock_in_memory(0, 512 * 1024);
      return 4;
    } catch (const mmf::error& e) {
      if (e.code() != std::errc::not_enough_memory) return 5;
    }
    if (limit >= 4096) view.lock_in_memory(0, 1);  // one page fits
    view.unlock_from_memory();
    view.write<std::uint64_t>(0, 1);
    return view.read<std::uint64_t>(0) == 1 ? 0 : 6;
  } catch (...) {
    return 7;
  }
}

TEST(PageControlPosix, LockPastTheLimitIsNotEnoughMemory) {
  if (!mlock_is_real) GTEST_SKIP() << "mlock is a no-op under AddressSanitizer";
  const long page = ::sysconf(_SC_PAGESIZE);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) ::_exit(lock_past_limit(static_cast<rlim_t>(4 * page)));
  EXPECT_EQ(wait_child(pid), 0);
}

TEST(PageControlPosix, LockWithALimitOfZeroIsNotEnoughMemory) {
  if (!mlock_is_real) GTEST_SKIP() << "mlock is a no-op under AddressSanitizer";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) ::_exit(lock_past_limit(0));
  EXPECT_EQ(wait_child(pid), 0);
}

}  // namespace
