// mmf — named_mutex across fork(): the back end caches each thread's id, and a forked child starts
// with a copy of the forking thread's cache. The child must act as the thread it is, not as the
// parent's: it does not own the parent's lock (unlock is refused, destroying the inherited handle
// does not release or abandon it), and it can lock and unlock the mutex once the parent let go.
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <system_error>

#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

#include "support/test_support.hpp"

namespace {

// What a child reports with its exit status; 0 is success.
int run_in_child(mmf::named_mutex& held, const std::string& name) {
  try {
    held.unlock();
    return 1;  // the parent's lock was released by a thread that does not own it
  } catch (const std::system_error& e) {
    if (e.code() != std::errc::operation_not_permitted) return 2;
  }
  if (held.try_lock()) return 3;  // the parent owns it
  auto other = mmf::named_mutex::open_existing(name);
  if (other.try_lock()) return 4;
  return 0;
}

int wait_child(pid_t pid) {
  int raw = 0;
  if (::waitpid(pid, &raw, 0) != pid) return -1;
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : 100 + WTERMSIG(raw);
}

TEST(SyncFork, ForkedChildDoesNotOwnTheParentsMutex) {
  const std::string name = mmf_test::unique_name("sync_fork_mx");
  auto mutex = std::make_unique<mmf::named_mutex>(mmf::named_mutex::create_or_open(name));
  mutex->lock();
  mutex->lock();  // recursive: the depth is copied into the child's memory too

  const pid_t first = ::fork();
  ASSERT_GE(first, 0);
  if (first == 0) {
    int code = run_in_child(*mutex, name);
    mutex.reset();  // the inherited handle "was locked through": it must not abandon our lock
    if (code == 0) {
      auto other = mmf::named_mutex::open_existing(name);
      if (other.try_lock()) code = 5;
    }
    ::_exit(code);
  }
  EXPECT_EQ(wait_child(first), 0);

  // Still ours, at the same depth.
  EXPECT_EQ(mutex->acquire(std::chrono::nanoseconds::zero()), mmf::lock_status::acquired);
  mutex->unlock();
  mutex->unlock();
  mutex->unlock();
  EXPECT_THROW(mutex->unlock(), std::system_error);

  // Free now: a child locks it (recursively), and its unlocks balance.
  const pid_t second = ::fork();
  ASSERT_GE(second, 0);
  if (second == 0) {
    int code = 0;
    if (mutex->acquire(std::chrono::seconds(5)) != mmf::lock_status::acquired) code = 1;
    if (code == 0 && !mutex->try_lock()) code = 2;
    if (code == 0) {
      mutex->unlock();
      mutex->unlock();
      try {
        mutex->unlock();
        code = 3;
      } catch (const std::system_error&) {
      }
    }
    ::_exit(code);
  }
  EXPECT_EQ(wait_child(second), 0);
  EXPECT_EQ(mutex->acquire(std::chrono::nanoseconds::zero()), mmf::lock_status::acquired)
      << "neither taken nor abandoned by the children";
  mutex->unlock();
}

}  // namespace
