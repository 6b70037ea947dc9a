// mmf tests — the POSIX side of the support library: child processes (posix_spawn with pipes for
// stdin and stdout, support/child_process_os.hpp), native file handles, the process id.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

#include "support/child_process_os.hpp"
#include "support/test_support.hpp"

extern char** environ;

namespace mmf_test {

namespace detail {
std::int64_t current_process_id() noexcept {
  return static_cast<std::int64_t>(::getpid());
}
}  // namespace detail

bool bypasses_file_permissions() {
  return ::geteuid() == 0;
}

bool os_bounds_openers_by_creator_access() {
  return true;
}

native_handle open_native_file(const std::filesystem::path& file, bool writable) {
  const int fd = ::open(file.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "open_native_file " + file.string());
  return fd;
}

bool native_handle_is_open(native_handle handle) noexcept {
  return handle >= 0 && ::fcntl(handle, F_GETFD) != -1;
}

void close_native_handle(native_handle handle) noexcept {
  if (handle >= 0) ::close(handle);
}

std::uint64_t native_file_size(native_handle handle) {
  struct stat st {};
  if (::fstat(handle, &st) != 0)
    throw std::system_error(errno, std::generic_category(), "native_file_size");
  return static_cast<std::uint64_t>(st.st_size);
}

std::string native_read_at(native_handle handle, std::uint64_t offset, std::size_t length) {
  std::string out(length, '\0');
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n =
        ::pread(handle, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "native_read_at");
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return out;
}

// ---- Child processes: the OS side of child_process ----------------------------------------------

namespace detail {

struct os_child {
  pid_t pid = -1;
  int stdin_fd = -1;   // our end of the child's stdin
  int stdout_fd = -1;  // our end of the child's stdout

  static void close_fd(int& fd) noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

void os_child_deleter::operator()(os_child* child) const noexcept {
  os_child::close_fd(child->stdin_fd);
  os_child::close_fd(child->stdout_fd);
  delete child;
}

std::int64_t child_id(const os_child& child) noexcept {
  return child.pid;
}

std::ptrdiff_t read_some(os_child& child, char* buffer, std::size_t size,
                         std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    if (child.stdout_fd < 0) return 0;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return -1;
    pollfd p{child.stdout_fd, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == 0) return -1;
    const ssize_t n = ::read(child.stdout_fd, buffer, size);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return -1;
    }
    if (n == 0) os_child::close_fd(child.stdout_fd);
    return n;
  }
}

bool write_all(os_child& child, std::string_view data) {
  if (child.stdin_fd < 0) return false;
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(child.stdin_fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;  // EPIPE: SIGPIPE is ignored by start_child
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void close_stdin(os_child& child) noexcept {
  os_child::close_fd(child.stdin_fd);
}

std::optional<int> reap(os_child& child, bool block) noexcept {
  int raw = 0;
  for (;;) {
    const pid_t r = ::waitpid(child.pid, &raw, block ? 0 : WNOHANG);
    if (r == child.pid) break;
    if (r == 0) return std::nullopt;
    if (errno == EINTR) continue;
    // ECHILD: somebody else reaped it; report it as killed rather than hang.
    raw = SIGKILL;
    break;
  }
  if (WIFEXITED(raw)) return WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) return -WTERMSIG(raw);
  return -SIGKILL;
}

int kill_and_reap(os_child& child) noexcept {
  ::kill(child.pid, SIGKILL);
  return *reap(child, true);
}

os_child_ptr start_child(const std::filesystem::path& program_path, std::vector<std::string> args) {
  // A child that dies while we write to its stdin must give EPIPE, not kill the test.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { ::signal(SIGPIPE, SIG_IGN); });

  const std::string program = program_path.string();
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  // O_CLOEXEC: children spawned concurrently by other threads must not inherit our pipe ends.
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "spawn_helper: pipe2");
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    const int err = errno;
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    throw std::system_error(err, std::generic_category(), "spawn_helper: pipe2");
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 clears FD_CLOEXEC on the target descriptor.
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  if (rc != 0) {
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    throw std::system_error(rc, std::generic_category(), "spawn_helper: posix_spawn " + program);
  }

  os_child_ptr child(new os_child);
  child->pid = pid;
  child->stdin_fd = in_pipe[1];
  child->stdout_fd = out_pipe[0];
  return child;
}

}  // namespace detail

}  // namespace mmf_test
