// mmf tests — child processes on POSIX: posix_spawn with pipes for stdin and stdout.
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
#include <stdexcept>
#include <system_error>
#include <thread>

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

struct child_process::impl {
  pid_t pid = -1;
  int stdin_fd = -1;   // our end of the child's stdin
  int stdout_fd = -1;  // our end of the child's stdout
  std::string buffer;  // bytes read from stdout but not yet returned as a line
  bool reaped = false;
  int status = 0;  // as wait() returns it, once reaped

  ~impl() {
    if (!reaped && pid > 0) {
      ::kill(pid, SIGKILL);
      reap(true);
    }
    close_fd(stdin_fd);
    close_fd(stdout_fd);
  }

  static void close_fd(int& fd) noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  // Reaps the child; with `block` false returns false if it is still running.
  bool reap(bool block) noexcept {
    if (reaped) return true;
    int raw = 0;
    for (;;) {
      const pid_t r = ::waitpid(pid, &raw, block ? 0 : WNOHANG);
      if (r == pid) break;
      if (r == 0) return false;
      if (errno == EINTR) continue;
      // ECHILD: somebody else reaped it; report it as killed rather than hang.
      raw = SIGKILL;
      break;
    }
    reaped = true;
    if (WIFEXITED(raw))
      status = WEXITSTATUS(raw);
    else if (WIFSIGNALED(raw))
      status = -WTERMSIG(raw);
    else
      status = -SIGKILL;
    return true;
  }
};

child_process::child_process() noexcept = default;
child_process::child_process(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
child_process::child_process(child_process&&) noexcept = default;
child_process& child_process::operator=(child_process&&) noexcept = default;
child_process::~child_process() = default;

std::int64_t child_process::id() const noexcept {
  return impl_ ? impl_->pid : -1;
}

std::optional<std::string> child_process::read_line(std::chrono::milliseconds timeout) {
  if (!impl_) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (const auto nl = impl_->buffer.find('\n'); nl != std::string::npos) {
      std::string line = impl_->buffer.substr(0, nl);
      impl_->buffer.erase(0, nl + 1);
      return line;
    }
    if (impl_->stdout_fd < 0) return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{impl_->stdout_fd, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (r == 0) return std::nullopt;
    char chunk[4096];
    const ssize_t n = ::read(impl_->stdout_fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return std::nullopt;
    }
    if (n == 0) {  // end of file: a last line without '\n' is still returned
      impl::close_fd(impl_->stdout_fd);
      if (impl_->buffer.empty()) return std::nullopt;
      std::string line = std::move(impl_->buffer);
      impl_->buffer.clear();
      return line;
    }
    impl_->buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

bool child_process::write_line(std::string_view line) {
  if (!impl_ || impl_->stdin_fd < 0) return false;
  std::string data(line);
  data.push_back('\n');
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(impl_->stdin_fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;  // EPIPE: SIGPIPE is ignored by spawn_helper
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void child_process::close_stdin() noexcept {
  if (impl_) impl::close_fd(impl_->stdin_fd);
}

int child_process::wait() {
  if (!impl_) throw std::logic_error("child_process::wait on an empty object");
  impl_->reap(true);
  return impl_->status;
}

std::optional<int> child_process::wait_for(std::chrono::milliseconds timeout) {
  if (!impl_) throw std::logic_error("child_process::wait_for on an empty object");
  if (wait_until([this] { return impl_->reap(false); }, timeout)) return impl_->status;
  return std::nullopt;
}

void child_process::kill() noexcept {
  if (!impl_ || impl_->reaped) return;
  ::kill(impl_->pid, SIGKILL);
  impl_->reap(true);
}

child_process spawn_helper(std::vector<std::string> args) {
  // A child that dies while we write to its stdin must give EPIPE, not kill the test.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { ::signal(SIGPIPE, SIG_IGN); });

  const std::string program = helper_path().string();
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

  auto p = std::make_unique<child_process::impl>();
  p->pid = pid;
  p->stdin_fd = in_pipe[1];
  p->stdout_fd = out_pipe[0];
  return child_process(std::move(p));
}

}  // namespace mmf_test
