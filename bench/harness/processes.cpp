// mmf-bench — two-process measurements (see processes.hpp).
#include "processes.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <utility>

#include "harness.hpp"

namespace mmfbench {

shared_block::shared_block(std::size_t bytes) : size_(bytes) {
  p_ = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p_ == MAP_FAILED) {
    p_ = nullptr;
    fail_errno("mmap (shared anonymous)");
  }
}

shared_block::shared_block(shared_block&& o) noexcept
    : p_(std::exchange(o.p_, nullptr)), size_(std::exchange(o.size_, 0)) {}

shared_block& shared_block::operator=(shared_block&& o) noexcept {
  if (this != &o) {
    if (p_ != nullptr) ::munmap(p_, size_);
    p_ = std::exchange(o.p_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

shared_block::~shared_block() {
  if (p_ != nullptr) ::munmap(p_, size_);
}

bool pin_process_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return ::sched_setaffinity(0, sizeof set, &set) == 0;
}

cpu_pair two_cpus() {
  const auto cpus = allowed_cpus();
  cpu_pair p;
  if (!cpus.empty()) p.a = p.b = cpus[0];
  if (cpus.size() >= 2) p.b = cpus[1];
  return p;
}

child_process child_process::start(int cpu, child_status* status,
                                   const std::function<void()>& body) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    // The child: die with the harness, pin, run, leave without running the parent's cleanup.
    // The harness's SIGINT/SIGTERM handler runs its restores: never from a child.
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(2);
    int rc = 0;
    try {
      if (cpu >= 0 && !pin_process_to_cpu(cpu))
        throw std::runtime_error("cannot pin the child process to CPU " + std::to_string(cpu));
      body();
    } catch (const std::exception& e) {
      std::snprintf(status->error, sizeof status->error, "%s", e.what());
      status->failed.store(1);
      rc = 1;
    } catch (...) {
      std::snprintf(status->error, sizeof status->error, "unknown exception in the child");
      status->failed.store(1);
      rc = 1;
    }
    ::_exit(rc);
  }
  child_process c;
  c.pid_ = pid;
  return c;
}

child_process& child_process::operator=(child_process&& o) noexcept {
  if (this != &o) {
    kill();
    pid_ = std::exchange(o.pid_, -1);
  }
  return *this;
}

child_process::~child_process() {
  kill();
}

bool child_process::wait() {
  if (pid_ < 0) return false;
  int st = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &st, 0);
  } while (r < 0 && errno == EINTR);
  pid_ = -1;
  return r > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

void child_process::kill() noexcept {
  if (pid_ < 0) return;
  ::kill(pid_, SIGKILL);
  int st = 0;
  while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void throw_child_error(const child_status& st, const char* what) {
  if (st.failed.load() != 0 && st.error[0] != '\0')
    throw std::runtime_error(std::string(what) + ": " + st.error);
  throw std::runtime_error(std::string(what) + ": the child process failed");
}

removal::removal(std::function<void()> remove) : id_(add_restore(std::move(remove))) {}

removal& removal::operator=(removal&& o) noexcept {
  if (this != &o) {
    if (id_ != 0) run_restore(id_);
    id_ = std::exchange(o.id_, 0);
  }
  return *this;
}

removal::~removal() {
  if (id_ != 0) run_restore(id_);
}

void relax(std::uint32_t& spins) noexcept {
  if (++spins < 2000) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  } else {
    spins = 0;
    ::sched_yield();
  }
}

}  // namespace mmfbench
