// mmf portable core — the copying half of a guarded copy, shared by both back ends
// (posix/guarded_copy.cpp, windows/guarded_copy_windows.cpp), which add only their fault handler.
//
// Contract: the back end's handler, on a fault of the thread whose t_guard is active with the
// fault address in [t_guard.lo, t_guard.hi), clears `active` and __builtin_longjmp(t_guard.env, 1)
// (directly, or through a function its handler resumes the thread in). copy_in_steps() then
// reports the bytes before the first vanished page and io_error.
#pragma once

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <system_error>

#include "platform.hpp"

namespace mmf::detail::guarded {

// Chunks of the view side, aligned to its addresses: the unit counted as copied on the fast path.
inline constexpr std::uintptr_t chunk = 64 * 1024;

// One thread's running guarded copy. The handler reads it only on the faulting thread; `active`
// is set only while [lo, hi) is the view side of the step being copied.
struct guard_record {
  volatile std::sig_atomic_t active = 0;
  const char* volatile lo = nullptr;
  const char* volatile hi = nullptr;
  volatile std::size_t done = 0;  // bytes of the current run completed
  void* env[5] = {};              // __builtin_setjmp's buffer: frame, resume address, stack pointer
};

// Defined by each back end (which may give it a TLS model its fault handler needs). copy_in_steps()
// touches it before any guarded step, so the thread's block of it exists by the time a fault
// handler reads it. constinit: no initialisation wrapper on access.
extern constinit thread_local guard_record t_guard;

// Copies [0, n) in steps of `step` bytes aligned to the view side's addresses, each step under the
// guard. Returns the bytes of the completed steps; `faulted` tells whether a step faulted.
// noinline: __builtin_setjmp's frame is this function's, which stays live through every step.
[[gnu::noinline]] inline std::size_t run(char* to, const char* from, std::size_t n,
                                         const char* view, std::uintptr_t step,
                                         bool& faulted) noexcept {
  guard_record& g = t_guard;
  g.done = 0;
  if (__builtin_setjmp(g.env) != 0) {
    faulted = true;
    return t_guard.done;
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

// The whole guarded copy of n bytes, `view` being the view side (to or from): chunk by chunk; a
// faulting chunk again page by page (memcpy's order inside a chunk is its own), which finds the
// first vanished page and copies every byte before it. If no page faults then (the file grew back
// in between), the copy goes on; each round completes at least one chunk. A fault sets
// `ec` to io_error; returns the bytes copied.
inline std::size_t copy_in_steps(void* to, const void* from, std::size_t n, const void* view,
                                 std::error_code& ec) noexcept {
  char* const dst = static_cast<char*>(to);
  const char* const src = static_cast<const char*>(from);
  const char* const v = static_cast<const char*>(view);
  bool faulted = false;
  std::size_t done = 0;
  for (;;) {
    done += run(dst + done, src + done, n - done, v + done, chunk, faulted);
    if (!faulted) return done;
    std::size_t rest = n - done;
    const std::uintptr_t here = reinterpret_cast<std::uintptr_t>(v + done);
    const std::size_t in_chunk = static_cast<std::size_t>(chunk - here % chunk);
    if (rest > in_chunk) rest = in_chunk;
    done += run(dst + done, src + done, rest, v + done, platform::page_size(), faulted);
    if (faulted) {
      ec = std::make_error_code(std::errc::io_error);
      return done;
    }
    if (done == n) return done;
  }
}

}  // namespace mmf::detail::guarded
