// mmf Windows back end — guarded copies: a vectored exception handler, added once by the first
// guarded copy, that turns EXCEPTION_IN_PAGE_ERROR on an address inside the running guarded copy
// of the faulting thread into a return to that copy (the context is redirected to a function that
// jumps back to it); every other exception goes on to the program's own handling untouched.
#include <cstdint>
#include <cstring>
#include <mutex>

#include "../guarded_steps.hpp"
#include "../platform.hpp"
#include "win32.hpp"

namespace mmf::detail::guarded {

constinit thread_local guard_record t_guard;

}  // namespace mmf::detail::guarded

namespace mmf::detail::platform {

namespace {

using guarded::guard_record;
using guarded::t_guard;

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

}  // namespace

std::size_t guarded_copy(void* to, const void* from, std::size_t n, const void* view,
                         std::error_code& ec) noexcept {
  std::call_once(g_installed, install);
  return guarded::copy_in_steps(to, from, n, view, ec);
}

}  // namespace mmf::detail::platform
