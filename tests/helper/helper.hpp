// mmf tests — the helper executable that multi-process tests spawn (mmf_test_helper).
//
//   mmf_test_helper <command> [args...]
//
// Each command is a function registered by name from any tests/helper/*.cpp file:
//
//   MMF_HELPER_COMMAND(map_hold) {   // int (int argc, char** argv); argv[0] is "map_hold"
//     ...
//     mmf_helper::say("ready");       // one line to stdout, flushed: the parent's read_line()
//     std::string cmd = mmf_helper::listen();   // one line from stdin ("" at end of file)
//     return 0;                       // the process's exit code
//   }
//
// Conventions shared by all commands (and relied on by tests):
//   exit code 0      success
//   exit code 2      an exception escaped the command; main() printed "error <errc> <what>" to
//                    stdout, where <errc> is the portable condition's name (see errc_token)
//   exit code 64     bad arguments (usage)
//   exit code 127    unknown command
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace mmf_helper {

using command_fn = int (*)(int argc, char** argv);

// Registers `fn` under `name`; returns true (for static initialisation). Names must be unique.
bool register_command(const char* name, command_fn fn) noexcept;

// Prints `line` and '\n' to stdout and flushes.
void say(std::string_view line);
// Reads one line from stdin, without its '\n'; "" at end of file.
std::string listen();
// True when the last listen() hit end of file.
bool stdin_closed() noexcept;

// A short token for an error code's portable condition: "no_such_file_or_directory",
// "file_exists", "invalid_argument", "result_out_of_range", "permission_denied",
// "bad_file_descriptor", "not_enough_memory", "no_space_on_device", "io_error", or "errno_<value>".
std::string errc_token(const std::error_code& ec);

// Parses an unsigned decimal (or 0x hex) number; throws std::invalid_argument if malformed.
std::uint64_t to_u64(std::string_view text);

// Thrown by commands for bad arguments; main() exits with 64.
struct usage_error {
  std::string message;
};

}  // namespace mmf_helper

#define MMF_HELPER_COMMAND(name)                                         \
  static int mmf_helper_command_##name(int argc, char** argv);           \
  [[maybe_unused]] static const bool mmf_helper_registered_##name =      \
      ::mmf_helper::register_command(#name, &mmf_helper_command_##name); \
  static int mmf_helper_command_##name([[maybe_unused]] int argc, [[maybe_unused]] char** argv)
