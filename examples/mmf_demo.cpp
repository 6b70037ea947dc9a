// mmf_demo — runs every example end to end, each program as its own process, and prints what they
// print. Nobody presses Enter: the partners of each example synchronise with named events and
// mutexes. Each program's output (stdout and stderr) is checked against the lines the seed prints
// (expected_output.hpp, which tests/windows/examples_test.cpp checks as well). Exits non-zero if
// any program fails, prints something else, or has not finished after two minutes.
//
// The example programs are found next to this executable (/proc/self/exe), and spawned with
// posix_spawn; their output is collected through pipes and printed per program, in order.
// POSIX only (the examples themselves are portable).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "expected_output.hpp"

extern char** environ;

namespace {

struct child {
  std::string program;
  pid_t pid = -1;
  int out = -1;  // read end of the child's stdout and stderr
  std::string output;
  int status = -1;  // exit code, or 128 + signal
};

std::filesystem::path own_directory() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::system_error(ec, "cannot read /proc/self/exe");
  return exe.parent_path();
}

child start(const std::filesystem::path& dir, const std::string& program) {
  child c;
  c.program = program;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  const std::string path = (dir / program).string();
  char* argv[] = {const_cast<char*>(path.c_str()), nullptr};
  const int rc = posix_spawn(&c.pid, path.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw std::system_error(rc, std::generic_category(), "cannot start " + path);
  }
  c.out = fds[0];
  return c;
}

// Collects the output of all children until they close it, then reaps them. After `limit`, the
// children still running are killed.
void finish(std::vector<child>& group, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool killed = false;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<child*> owners;
    for (auto& c : group)
      if (c.out >= 0) {
        fds.push_back({c.out, POLLIN, 0});
        owners.push_back(&c);
      }
    if (fds.empty()) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 && !killed) {
      for (auto& c : group)
        kill(c.pid, SIGKILL);
      killed = true;
    }
    const int n = poll(fds.data(), fds.size(), killed ? 1000 : static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) break;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t got = read(fds[i].fd, buffer, sizeof buffer);
      if (got > 0) {
        owners[i]->output.append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        close(owners[i]->out);
        owners[i]->out = -1;
      }
    }
  }
  for (auto& c : group) {
    int raw = 0;
    while (waitpid(c.pid, &raw, 0) < 0 && errno == EINTR) {
    }
    c.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  }
}

}  // namespace

int main() {
  int failures = 0;
  try {
    const auto dir = own_directory();
    for (const auto& g : example::example_groups()) {
      std::cout << "== " << g.title << '\n';
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<child> running;
      for (const auto& p : g.programs)
        running.push_back(start(dir, std::string(p.program)));
      finish(running, std::chrono::seconds(120));
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - t0)
                          .count();
      for (std::size_t i = 0; i < running.size(); ++i) {
        const auto& c = running[i];
        std::cout << "$ " << c.program << '\n';
        std::cout << c.output;
        if (!c.output.empty() && c.output.back() != '\n') std::cout << '\n';
        if (c.status != 0) {
          std::cout << "!! " << c.program << " failed (status " << c.status << ")\n";
          ++failures;
        } else if (const auto wrong = example::check_output(g.programs[i], c.output);
                   !wrong.empty()) {
          std::cout << "!! wrong output: " << wrong << '\n';
          ++failures;
        }
      }
      std::cout << "   (" << ms << " ms)\n\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "mmf_demo: " << e.what() << '\n';
    return 2;
  }
  std::cout << (failures == 0 ? "mmf_demo: all examples succeeded\n"
                              : "mmf_demo: " + std::to_string(failures) + " program(s) failed\n");
  return failures == 0 ? 0 : 1;
}
