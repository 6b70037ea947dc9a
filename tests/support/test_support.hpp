// mmf tests — portable support: unique names, temporary directories, child processes.
//
// This header is OS-free. The portable parts live in support/test_support.cpp and, for child
// processes, support/child_process.cpp; what needs the OS is in support/process_posix.cpp or
// support/process_windows.cpp, chosen by tests/CMakeLists.txt.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/named_event.hpp>
#include <mmf/named_semaphore.hpp>

namespace mmf_test {

using namespace std::chrono_literals;

// ---- Names and files
// ------------------------------------------------------------------------------

// A name unique to this call: "<prefix>_<pid>_<counter>_<random hex>". Valid as a map or sync
// object name (no '/', '\' or NUL) as long as the prefix is; at most prefix + 40 bytes.
std::string unique_name(std::string_view prefix = "mmft");

namespace detail {
// This process's id, as unique_name() embeds it (defined in the OS-specific file).
std::int64_t current_process_id() noexcept;
}  // namespace detail

// An unsigned number from the environment variable `name`, or `fallback` (also for a value that
// is not entirely digits): the counts of the stress and reliability tests.
std::uint64_t env_count(const char* name, std::uint64_t fallback);

// The capacity that open_existing reports for a map created with `created` bytes: exactly that on
// POSIX; on Windows, whose kernel keeps no exact size for a section, rounded up to a page.
std::uint64_t opened_capacity(std::uint64_t created);

// A fresh directory under the system's temporary directory (or under `base`), removed with
// everything in it when the object is destroyed (errors ignored: a destructor never throws).
class temp_dir {
 public:
  temp_dir();
  explicit temp_dir(const std::filesystem::path& base);
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir();

  const std::filesystem::path& path() const noexcept { return path_; }
  // path() / name
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Writes `bytes` to a new file (or replaces it). Throws std::runtime_error on failure.
void write_file(const std::filesystem::path& file, std::string_view bytes);
// The whole content of a file, read with std::ifstream. Throws std::runtime_error on failure.
std::string read_file(const std::filesystem::path& file);

// True when this process runs with privileges that bypass file permissions (root on POSIX), so
// that permission_denied tests must be skipped.
bool bypasses_file_permissions();

// True when the OS refuses a writable view of a shared-memory object its creator made read-only:
// always on POSIX (mmf records the creator's access in the object's mode); on Windows when
// MapViewOfFile compares the access with the section's protection, as Windows does and Wine does
// not. Probed once, with a named section opened for writing.
bool os_bounds_openers_by_creator_access();

// ---- Native handles
// -------------------------------------------------------------------------------

using native_handle = mmf::memory_mapped_file::native_handle_type;

// Opens an existing file with the OS's own call (open(2) / CreateFileW), for the native-handle
// form of create_from_file: read-only, or read-write when `writable`. Throws std::system_error.
native_handle open_native_file(const std::filesystem::path& file, bool writable);
// Whether `handle` is an open handle of this process (fcntl(F_GETFD) / GetHandleInformation).
bool native_handle_is_open(native_handle handle) noexcept;
void close_native_handle(native_handle handle) noexcept;
// The size of the file behind `handle` (fstat / GetFileSizeEx). Throws std::system_error.
std::uint64_t native_file_size(native_handle handle);
// Reads `length` bytes at `offset` of the file behind `handle` without moving its position
// (pread / ReadFile with an OVERLAPPED offset). Throws std::system_error; short at end of file.
std::string native_read_at(native_handle handle, std::uint64_t offset, std::size_t length);

// ---- Waiting
// --------------------------------------------------------------------------------------

// Polls `predicate` (every millisecond or so) until it returns true or `timeout` passes. Returns
// the predicate's last result.
bool wait_until(const std::function<bool()>& predicate,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// Starts a thread that sleeps `delay`, then runs `action` (for tests whose waiter must be asleep
// before it is signalled). The caller joins it.
std::thread run_after(std::chrono::milliseconds delay, std::function<void()> action);

// The waking half of one round of the manual-event tests, whose waiters (threads or processes)
// release `ready`, wait on go[round % 2], then release `done`: closes go[(round + 1) % 2] for the
// next round, opens go[round % 2], and returns how many of `waiters` released `done` (each is
// given 10 s).
int open_gate_and_count(mmf::named_event (&go)[2], int round, mmf::named_semaphore& done,
                        int waiters);

// ---- Child processes
// ------------------------------------------------------------------------------

// A child process whose stdin and stdout are pipes to this process (stderr is inherited, so the
// child's diagnostics appear in the test log). Move-only. The destructor kills a child that is
// still running and reaps it, so no test leaves a process behind.
class child_process {
 public:
  // Exit status meaning "killed by a signal" is reported as -signal (POSIX); a child stopped by
  // kill() reports -9 on every platform.
  static constexpr int killed_status = -9;

  child_process() noexcept;
  child_process(child_process&&) noexcept;
  child_process& operator=(child_process&&) noexcept;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process();

  explicit operator bool() const noexcept { return impl_ != nullptr; }

  // The OS process id.
  std::int64_t id() const noexcept;

  // Reads one line (without its '\n', nor a '\r' before it, as a Windows child's text-mode stdout
  // writes) from the child's stdout. nullopt on end of file (the child closed stdout or exited) or
  // when `timeout` passes first.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 10s);
  // Writes `line` and a '\n' to the child's stdin. False if the child is gone (never raises
  // SIGPIPE).
  bool write_line(std::string_view line);
  // Closes the child's stdin (the child then reads end of file).
  void close_stdin() noexcept;

  // Waits for the child to end and returns its exit code (0..255), or -signal when a signal
  // killed it (POSIX; a child ended by kill() gives killed_status everywhere). Calling it again
  // returns the same value.
  int wait();
  // As wait(), but gives up after `timeout` and returns nullopt if the child is still running.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // Kills the child at once (SIGKILL / TerminateProcess) and reaps it. No-op once it has ended.
  void kill() noexcept;

  struct impl;

 private:
  friend child_process spawn_helper(std::vector<std::string> args);
  explicit child_process(std::unique_ptr<impl> p) noexcept;
  std::unique_ptr<impl> impl_;
};

// The path of the mmf_test_helper executable (the MMF_TEST_HELPER environment variable, when set,
// overrides the one compiled in).
std::filesystem::path helper_path();

// Starts mmf_test_helper with `args` (args[0] is the command, see tests/helper/helper.hpp).
// Throws std::runtime_error if the process cannot be started.
child_process spawn_helper(std::vector<std::string> args);

}  // namespace mmf_test
