// mmf tool — POSIX implementation of platform.hpp.
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

#include <fmt/format.h>

#include "platform.hpp"

namespace mmf::tool {

bool stderr_is_terminal() noexcept {
  return ::isatty(STDERR_FILENO) == 1;
}

std::string user_name(std::uint32_t uid) {
  std::vector<char> buffer(4096);
  struct passwd pwd {};
  struct passwd* found = nullptr;
  // getpwuid_r reports ERANGE when the buffer is too small for the entry; grow and retry.
  for (;;) {
    const int rc =
        ::getpwuid_r(static_cast<uid_t>(uid), &pwd, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    break;
  }
  if (found != nullptr && found->pw_name != nullptr) return found->pw_name;
  return std::to_string(uid);
}

std::filesystem::path executable_directory() {
  std::error_code ec;
#if defined(__APPLE__)
  // macOS has no /proc: ask dyld.
  std::uint32_t size = 0;
  ::_NSGetExecutablePath(nullptr, &size);
  std::string buffer(size, '\0');
  if (::_NSGetExecutablePath(buffer.data(), &size) != 0) return {};
  auto path = std::filesystem::canonical(buffer.c_str(), ec);
#else
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
#endif
  if (ec) return {};
  return path.parent_path();
}

std::string executable_name(std::string_view program) {
  return std::string(program);
}

std::filesystem::path find_on_path(std::string_view program) {
  const char* env = std::getenv("PATH");
  if (env == nullptr) return {};
  std::string_view rest = env;
  while (true) {
    const auto colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    if (!dir.empty()) {
      std::filesystem::path candidate = std::filesystem::path(dir) / std::string(program);
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return {};
}

int run_program(const std::filesystem::path& program, const std::vector<std::string>& args) {
  std::vector<std::string> storage;
  storage.reserve(args.size() + 1);
  storage.push_back(program.string());
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(storage.size() + 1);
  for (std::string& s : storage)
    argv.push_back(s.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  ::execv(program.c_str(), argv.data());
  const int err = errno;
  fmt::print(stderr, "mmf: cannot run \"{}\": {}\n", program.string(),
             std::generic_category().message(err));
  return 127;
}

namespace {
sigset_t interrupt_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}
}  // namespace

void prepare_for_interrupt() {
  const sigset_t set = interrupt_signals();
  // Blocked signals stay pending until sigwait() takes them, so one sent right after the "ready"
  // line is not lost, and the map's destructor runs (the name is removed at once rather than left
  // stale for the next opener or `mmf gc`).
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::string wait_for_interrupt() {
  const sigset_t set = interrupt_signals();
  int sig = 0;
  while (::sigwait(&set, &sig) != 0) {
  }
  switch (sig) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return std::to_string(sig);
  }
}

}  // namespace mmf::tool
