// mmf Windows back end — guarded copies: a vectored exception handler, added once by the first
// guarded copy, that turns EXCEPTION_IN_PAGE_ERROR on an address inside the running guarded copy
// of the faulting thread into a return to that copy (the context is redirected to a function that
// jumps back to it); every other exception goes on to the program's own handling untouched.
#include <cstdint>
#include <cstring>
#include <mutex>

#include "win32.hpp"

namespace mmf::detail::platform {

namespace {

constexpr std::uintptr_t kChunk = 64 * 1024;

struct guard_record {
  volatile LONG active = 0;
  const char* volatile lo = nullptr;
  const char* volatile hi = nullptr;
  volatile std::size_t done = 0;
  void* env[5] = {};  // __builtin_setjmp's buffer
};

thread_local guard_record t_guard;

// Where a redirected fault resumes: an ordinary call frame on the faulting thread, so the jump
// leaves no exception dispatch in progress.
[[noreturn, gnu::noinline]] void recover() noexcept {
  __builtin_longjmp(t_guard.env, 1);
}

LONG CALLBACK on_exception(EXCEPTION_POINTERS* info) noexcept {
  const EXCEPTION_RECORD* rec = info->ExceptionRecord;
  if (rec->ExceptionCode != EXCEPTION_IN_PAGE_ERROR || rec->NumberParameters < 2)
    return EXCEPTION_CONTINUE_SEARCH;
  guard_record& g = t_guard;
  const char* addr = reinterpret_cast<const char*>(rec->ExceptionInformation[1]);
  if (g.active == 0 || addr < g.lo || addr >= g.hi) return EXCEPTION_CONTINUE_SEARCH;
  g.active = 0;
  CONTEXT* ctx = info->ContextRecord;
#if defined(_M_X64) || defined(__x86_64__)
  // As if recover() had been called: 16-byte alignment less the return address, below the
  // faulting frame's stack.
  ctx->Rsp = ((ctx->Rsp - 256) & ~static_cast<DWORD64>(15)) - 8;
  ctx->Rip = reinterpret_cast<DWORD64>(&recover);
#elif defined(_M_IX86) || defined(__i386__)
  ctx->Esp = ((ctx->Esp - 256) & ~static_cast<DWORD>(15)) - 4;
  ctx->Eip = reinterpret_cast<DWORD>(&recover);
#elif defined(_M_ARM64) || defined(__aarch64__)
  ctx->Sp = (ctx->Sp - 256) & ~static_cast<DWORD64>(15);
  ctx->Pc = reinterpret_cast<DWORD64>(&recover);
#else
#error "guarded_copy_windows.cpp: unknown architecture"
#endif
  return EXCEPTION_CONTINUE_EXECUTION;
}

std::once_flag g_installed;

void install() noexcept {
  ::AddVectoredExceptionHandler(1, on_exception);
}

[[gnu::noinline]] std::size_t run(char* to, const char* from, std::size_t n, const char* view,
                                  std::uintptr_t step, bool& faulted) noexcept {
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

}  // namespace

std::size_t guarded_copy(void* to, const void* from, std::size_t n, const void* view,
                         std::error_code& ec) noexcept {
  std::call_once(g_installed, install);
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
      ec = std::make_error_code(std::errc::io_error);
      return done;
    }
    if (done == n) return done;
  }
}

}  // namespace mmf::detail::platform
