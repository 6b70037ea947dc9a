// mmf tool — Windows implementation of platform.hpp.
#include <windows.h>

#include <io.h>
#include <process.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "platform.hpp"
#include "win32_process.hpp"

namespace mmf::tool {

bool stderr_is_terminal() noexcept {
  return ::_isatty(::_fileno(stderr)) != 0;
}

// Windows objects have no numeric owner in object_info (owner is 0 there).
std::string user_name(std::uint32_t uid) {
  return uid == 0 ? std::string("-") : std::to_string(uid);
}

std::filesystem::path executable_directory() {
  std::wstring buffer(32768, L'\0');
  const DWORD n = ::GetModuleFileNameW(nullptr, buffer.data(), static_cast<DWORD>(buffer.size()));
  if (n == 0 || n >= buffer.size()) return {};
  buffer.resize(n);
  return std::filesystem::path(buffer).parent_path();
}

std::string executable_name(std::string_view program) {
  return std::string(program) + ".exe";
}

std::filesystem::path find_on_path(std::string_view program) {
  const char* env = std::getenv("PATH");
  if (env == nullptr) return {};
  const std::string file = executable_name(program);
  std::string_view rest = env;
  while (true) {
    const auto semicolon = rest.find(';');
    const std::string_view dir = rest.substr(0, semicolon);
    if (!dir.empty()) {
      std::error_code ec;
      std::filesystem::path candidate = std::filesystem::path(dir) / file;
      if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
    }
    if (semicolon == std::string_view::npos) break;
    rest.remove_prefix(semicolon + 1);
  }
  return {};
}

// Each argument is widened as a path is; win32::start_process quotes it.
int run_program(const std::filesystem::path& program, const std::vector<std::string>& args) {
  std::vector<std::wstring> wide_args;
  for (const std::string& a : args)
    wide_args.push_back(std::filesystem::path(a).wstring());
  std::fflush(stdout);
  std::fflush(stderr);
  win32::started_process child;
  if (const DWORD error = win32::start_process(program.wstring(), wide_args, nullptr, {}, child);
      error != ERROR_SUCCESS) {
    fmt::print(stderr, "mmf: cannot run \"{}\": error {}\n", program.string(), error);
    return 127;
  }
  ::WaitForSingleObject(child.process, INFINITE);
  DWORD code = 1;
  ::GetExitCodeProcess(child.process, &code);
  ::CloseHandle(child.process);
  return static_cast<int>(code);
}

namespace {
HANDLE g_interrupt = nullptr;
DWORD g_signal = 0;

BOOL WINAPI on_console_event(DWORD type) {
  g_signal = type;
  ::SetEvent(g_interrupt);
  return TRUE;  // handled: the waiting thread returns and destructors run
}
}  // namespace

void prepare_for_interrupt() {
  g_interrupt = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  ::SetConsoleCtrlHandler(on_console_event, TRUE);
}

std::string wait_for_interrupt() {
  ::WaitForSingleObject(g_interrupt, INFINITE);
  switch (g_signal) {
    case CTRL_C_EVENT:
      return "Ctrl-C";
    case CTRL_BREAK_EVENT:
      return "Ctrl-Break";
    case CTRL_CLOSE_EVENT:
      return "console close";
    default:
      return "console event";
  }
}

}  // namespace mmf::tool
