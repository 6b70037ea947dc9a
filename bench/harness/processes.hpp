// mmf-bench — two-process measurements: shared anonymous memory, a forked child pinned to a CPU,
// and names that are removed at exit.
//
// A row that needs a second process forks it from the main thread for each repetition (so that
// PR_SET_PDEATHSIG, which follows the forking thread, kills the child if the harness dies, also
// through the watchdog). The child runs one function and leaves with _exit (no atexit handlers,
// no destructors of the parent's objects); when the function throws, its message goes back
// through a shared `child_status` and the exit status is 1.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace mmfbench {

// Zero-filled MAP_SHARED | MAP_ANONYMOUS memory: shared with every child forked afterwards.
class shared_block {
 public:
  shared_block() = default;
  explicit shared_block(std::size_t bytes);
  shared_block(const shared_block&) = delete;
  shared_block& operator=(const shared_block&) = delete;
  shared_block(shared_block&& o) noexcept;
  shared_block& operator=(shared_block&& o) noexcept;
  ~shared_block();
  void* data() const noexcept { return p_; }
  std::size_t size() const noexcept { return size_; }
  template <class T>
  T* as() const noexcept {
    return static_cast<T*>(p_);
  }

 private:
  void* p_ = nullptr;
  std::size_t size_ = 0;
};

// What a child reports back (kept in shared memory).
struct child_status {
  std::atomic<int> failed{0};
  char error[256]{};
};

// One forked child process. The destructor kills (SIGKILL) and reaps a child still running.
class child_process {
 public:
  child_process() = default;
  // Forks; the child pins itself to `cpu` (-1: no pinning), runs `body`, and exits 0 (1 when
  // `body` throws, with the message in `status`). Must be called from the main thread.
  static child_process start(int cpu, child_status* status, const std::function<void()>& body);
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  child_process(child_process&& o) noexcept : pid_(o.pid_) { o.pid_ = -1; }
  child_process& operator=(child_process&& o) noexcept;
  ~child_process();
  pid_t pid() const noexcept { return pid_; }
  // Waits for the child to end; true when it exited with status 0.
  bool wait();
  // SIGKILL (no-op when already reaped).
  void kill() noexcept;

 private:
  pid_t pid_ = -1;
};

// Throws the child's error (or a generic one) when it failed.
[[noreturn]] void throw_child_error(const child_status& st, const char* what);

// Pins the calling process (all of it: used in a child) to one CPU.
bool pin_process_to_cpu(int cpu);

// Two CPUs for the "two CPUs" rows, one for the "same CPU" rows: {cpu_a, cpu_b}; b == a when the
// process may run on one CPU only.
struct cpu_pair {
  int a = 0, b = 0;
};
cpu_pair two_cpus();

// Registers `remove` to run at exit, on SIGINT/SIGTERM and from the watchdog (see add_restore);
// the object runs it early when it goes. For named shared objects a benchmark creates.
class removal {
 public:
  removal() = default;
  explicit removal(std::function<void()> remove);
  removal(const removal&) = delete;
  removal& operator=(const removal&) = delete;
  removal(removal&& o) noexcept : id_(o.id_) { o.id_ = 0; }
  removal& operator=(removal&& o) noexcept;
  ~removal();

 private:
  int id_ = 0;
};

// Spin-wait helper for the raw peers: a pause, and after many spins a sched_yield (so that a
// spinning peer does not starve its partner when the scheduler puts both on one CPU).
void relax(std::uint32_t& spins) noexcept;

}  // namespace mmfbench
