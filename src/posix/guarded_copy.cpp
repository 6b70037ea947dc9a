// mmf POSIX back end — guarded copies: a SIGBUS handler, installed once by the first guarded copy,
// that turns a fault on a vanished page inside the running guarded copy of the faulting thread
// into a jump back to that copy, and passes every other SIGBUS to the handler the program
// had before (or to the default action).
#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <mutex>

#include <unistd.h>

#include "../errors.hpp"
#include "../platform.hpp"

namespace mmf::detail::platform {

namespace {

// Chunks of the view side, aligned to its addresses: the unit counted as copied on the fast path.
constexpr std::uintptr_t kChunk = 64 * 1024;

// One thread's running guarded copy. The handler reads it only on the faulting thread; `active`
// is set only while [lo, hi) is the view side of the chunk being copied.
struct guard_record {
  volatile std::sig_atomic_t active = 0;
  const char* volatile lo = nullptr;
  const char* volatile hi = nullptr;
  volatile std::size_t done = 0;  // bytes of the current run completed
  void* env[5] = {};              // __builtin_setjmp's buffer: frame, resume address, stack pointer
};

// initial-exec: the handler must not make glibc allocate this thread's block of a dynamic TLS.
#if defined(__GNUC__)
__attribute__((tls_model("initial-exec")))
#endif
thread_local guard_record t_guard;

struct sigaction g_previous;  // the program's SIGBUS handling before ours; written once

// Hands a SIGBUS that is not ours to what the program had: its handler, called with its own mask
// and argument form, or the default action.
void chain(int sig, siginfo_t* info, void* context) noexcept {
  const struct sigaction& prev = g_previous;
  const bool has_info = (prev.sa_flags & SA_SIGINFO) != 0;
  if (has_info ? prev.sa_sigaction == nullptr
               : (prev.sa_handler == SIG_DFL || prev.sa_handler == SIG_IGN)) {
    // The default action (a fault cannot be ignored: the kernel would raise it again). A SIGBUS
    // sent by kill() to a program that ignores it is ignored.
    if (!has_info && prev.sa_handler == SIG_IGN && info != nullptr && info->si_code <= 0) return;
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, nullptr);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, sig);
    pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
    raise(sig);
    return;  // a fault returns and raises again, now with the default action
  }
  // The mask the program's handler would have run with: its sa_mask, plus SIGBUS unless it asked
  // for SA_NODEFER (ours runs with SA_NODEFER and an empty sa_mask).
  sigset_t mask = prev.sa_mask;
  if ((prev.sa_flags & SA_NODEFER) == 0) sigaddset(&mask, sig);
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &mask, &old);
  if (has_info)
    prev.sa_sigaction(sig, info, context);
  else
    prev.sa_handler(sig);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void on_sigbus(int sig, siginfo_t* info, void* context) noexcept {
  guard_record& g = t_guard;
  if (g.active != 0 && info != nullptr && info->si_code > 0) {
    const char* addr = static_cast<const char*>(info->si_addr);
    if (addr >= g.lo && addr < g.hi) {
      g.active = 0;
      // SA_NODEFER and an empty sa_mask: the signal mask is the one the copy ran with, so the
      // jump need not restore it. __builtin_longjmp restores the frame and stack pointers of
      // run(), whose caller-saved and callee-saved registers the compiler treats as clobbered at
      // the receiver; nothing else of the handler's frame needs undoing.
      __builtin_longjmp(g.env, 1);
    }
  }
  chain(sig, info, context);
}

void install() noexcept {
  struct sigaction ours {};
  ours.sa_sigaction = on_sigbus;
  ours.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK | SA_RESTART;
  sigemptyset(&ours.sa_mask);
  sigaction(SIGBUS, &ours, &g_previous);
}

std::once_flag g_once;
std::atomic<bool> g_installed{false};

// Copies [0, n) in steps of `step` bytes aligned to the view side's addresses, each step under the
// guard. Returns the bytes of the completed steps; `faulted` tells whether a step faulted.
// noinline: __builtin_setjmp's frame is this function's, which stays live through every step.
[[gnu::noinline]] std::size_t run(char* to, const char* from, std::size_t n, const char* view,
                                  std::uintptr_t step, bool& faulted) noexcept {
  guard_record& g = t_guard;
  g.done = 0;
  if (__builtin_setjmp(g.env) != 0) {
    faulted = true;
    return g.done;
  }
  std::size_t done = 0;
  while (done < n) {
    const std::uintptr_t here = reinterpret_cast<std::uintptr_t>(view + done);
    std::size_t len = static_cast<std::size_t>(step - here % step);
    if (len > n - done) len = n - done;
    g.lo = view + done;
    g.hi = view + done + len;
    g.active = 1;
    std::memcpy(to + done, from + done, len);
    g.active = 0;
    done += len;
    g.done = done;
  }
  faulted = false;
  return done;
}

}  // namespace

std::size_t guarded_copy(void* to, const void* from, std::size_t n, const void* view,
                         std::error_code& ec) noexcept {
  if (!g_installed.load(std::memory_order_acquire)) [[unlikely]]
    std::call_once(g_once, [] {
      install();
      g_installed.store(true, std::memory_order_release);
    });
  char* const dst = static_cast<char*>(to);
  const char* const src = static_cast<const char*>(from);
  const char* const v = static_cast<const char*>(view);
  bool faulted = false;
  std::size_t done = 0;
  for (;;) {
    done += run(dst + done, src + done, n - done, v + done, kChunk, faulted);
    if (!faulted) return done;
    // The faulting chunk again, page by page: memcpy's order inside a chunk is its own, so this
    // finds the first vanished page and copies every byte before it. If no page faults now (the
    // file grew back in between), the copy goes on; each round completes at least one chunk.
    const std::size_t page = page_size();
    std::size_t rest = n - done;
    const std::uintptr_t here = reinterpret_cast<std::uintptr_t>(v + done);
    const std::size_t chunk = static_cast<std::size_t>(kChunk - here % kChunk);
    if (rest > chunk) rest = chunk;
    done += run(dst + done, src + done, rest, v + done, page, faulted);
    if (faulted) {
      ec = make_errc(std::errc::io_error);
      return done;
    }
    if (done == n) return done;
  }
}

}  // namespace mmf::detail::platform
