// mmf tool — the few operating-system services the tool needs beyond the library. One
// implementation per OS (platform_posix.cpp, platform_windows.cpp), chosen by CMake.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mmf::tool {

// True when standard error is a terminal (progress bars are drawn only then).
bool stderr_is_terminal() noexcept;

// The user's name for a user id, or the id in decimal when it has none.
std::string user_name(std::uint32_t uid);

// The directory holding the running executable, or an empty path when the OS cannot tell.
std::filesystem::path executable_directory();

// The first `program` (with the OS's executable suffix) in the directories of $PATH, or empty.
std::filesystem::path find_on_path(std::string_view program);

// The file name an executable called `program` has on this OS ("mmf-bench", "mmf-bench.exe").
std::string executable_name(std::string_view program);

// Runs `program` with `args` (argv[1..]), standard streams inherited, and returns its exit code;
// on POSIX the tool's process is replaced (exec) and this returns only on failure, with 127 after
// printing why. Messages name the program.
int run_program(const std::filesystem::path& program, const std::vector<std::string>& args);

// Blocks SIGINT, SIGTERM and SIGHUP (Ctrl-C / Ctrl-Break / console close on Windows) so that
// wait_for_interrupt() receives them; call before announcing readiness so that no signal is lost.
void prepare_for_interrupt();
// Waits until one of those arrives and returns its name ("SIGINT", …).
std::string wait_for_interrupt();

}  // namespace mmf::tool
