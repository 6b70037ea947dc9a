// mmf tests — what the portable child_process (support/child_process.cpp) asks of the OS: a
// started child with our ends of its stdin and stdout pipes. Implemented by
// support/process_posix.cpp (posix_spawn, pipes) or support/process_windows.cpp (CreateProcessW,
// anonymous pipes), chosen by tests/CMakeLists.txt. Private to tests/support.
//
// The portable side keeps what is read but not yet returned as a line and the status once the
// child is reaped; it calls reap until that gives a status, and kill_and_reap at most once and
// only before, so the OS side never reaps twice.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mmf_test::detail {

// The child's process and our pipe ends (defined by the OS file).
struct os_child;

// Closes what an os_child holds (the pipe ends, the process handle). The child must be reaped.
struct os_child_deleter {
  void operator()(os_child* child) const noexcept;
};
using os_child_ptr = std::unique_ptr<os_child, os_child_deleter>;

// Starts `program` with `args` (argv[1..]); its stdin and stdout are pipes to this process, its
// stderr is ours. Throws std::system_error (the message starts with "spawn_helper: ").
os_child_ptr start_child(const std::filesystem::path& program, std::vector<std::string> args);

// The OS process id.
std::int64_t child_id(const os_child& child) noexcept;

// Reads at most `size` bytes of the child's stdout into `buffer`, waiting until `deadline` for
// some: returns how many (> 0); 0 at end of file (the child closed its stdout or ended; our end is
// closed then, and every later call returns 0 too); -1 when nothing came before the deadline or
// the pipe cannot be read now.
std::ptrdiff_t read_some(os_child& child, char* buffer, std::size_t size,
                         std::chrono::steady_clock::time_point deadline);

// Writes all of `data` to the child's stdin. False if the child is gone or stdin was closed
// (never raises SIGPIPE).
bool write_all(os_child& child, std::string_view data);

// Closes our end of the child's stdin (the child then reads end of file).
void close_stdin(os_child& child) noexcept;

// The status of an ended child (its exit code, or -signal when a signal ended it on POSIX). With
// `block`, waits for the end; without, nullopt while the child runs.
std::optional<int> reap(os_child& child, bool block) noexcept;

// Kills the child at once (SIGKILL / TerminateProcess), reaps it and returns its status: what
// SIGKILL gives on POSIX (-9, or an exit code the child reached first), killed_status on Windows.
int kill_and_reap(os_child& child) noexcept;

}  // namespace mmf_test::detail
