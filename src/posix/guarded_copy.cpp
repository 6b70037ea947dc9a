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

#include "../guarded_steps.hpp"
#include "../platform.hpp"

namespace mmf::detail::guarded {

// initial-exec: the SIGBUS handler reads it, and a signal handler must not make the C library
// allocate this thread's block of a dynamic TLS.
__attribute__((tls_model("initial-exec"))) constinit thread_local guard_record t_guard;

}  // namespace mmf::detail::guarded

namespace mmf::detail::platform {

namespace {

using guarded::guard_record;
using guarded::t_guard;

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

}  // namespace

std::size_t guarded_copy(void* to, const void* from, std::size_t n, const void* view,
                         std::error_code& ec) noexcept {
  if (!g_installed.load(std::memory_order_acquire)) [[unlikely]]
    std::call_once(g_once, [] {
      install();
      g_installed.store(true, std::memory_order_release);
    });
  return guarded::copy_in_steps(to, from, n, view, ec);
}

}  // namespace mmf::detail::platform
