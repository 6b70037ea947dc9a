// mmf tests — mmf_test_helper's entry point and command registry (see helper.hpp).
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>

#include <mmf/error.hpp>

#include "helper/helper.hpp"

namespace mmf_helper {

namespace {

// A function-local static avoids the static initialisation order problem: commands register
// themselves from other translation units before main() runs.
std::map<std::string, command_fn>& registry() {
  static std::map<std::string, command_fn> commands;
  return commands;
}

bool eof_seen = false;

}  // namespace

bool register_command(const char* name, command_fn fn) noexcept {
  try {
    const bool inserted = registry().emplace(name, fn).second;
    if (!inserted) {
      std::fprintf(stderr, "mmf_test_helper: command %s registered twice\n", name);
      std::abort();
    }
  } catch (...) {
    std::abort();
  }
  return true;
}

void say(std::string_view line) {
  std::cout << line << '\n' << std::flush;
}

std::string listen() {
  std::string line;
  if (!std::getline(std::cin, line)) {
    eof_seen = true;
    return {};
  }
  return line;
}

bool stdin_closed() noexcept {
  return eof_seen;
}

std::string errc_token(const std::error_code& ec) {
  static constexpr struct {
    std::errc value;
    const char* token;
  } known[] = {
      {std::errc::no_such_file_or_directory, "no_such_file_or_directory"},
      {std::errc::file_exists, "file_exists"},
      {std::errc::invalid_argument, "invalid_argument"},
      {std::errc::result_out_of_range, "result_out_of_range"},
      {std::errc::permission_denied, "permission_denied"},
      {std::errc::bad_file_descriptor, "bad_file_descriptor"},
      {std::errc::not_enough_memory, "not_enough_memory"},
      {std::errc::no_space_on_device, "no_space_on_device"},
      {std::errc::operation_not_permitted, "operation_not_permitted"},
      {std::errc::value_too_large, "value_too_large"},
      {std::errc::io_error, "io_error"},
  };
  for (const auto& k : known)
    if (ec == k.value) return k.token;
  return "errno_" + std::to_string(ec.value());
}

std::uint64_t to_u64(std::string_view text) {
  const std::string s(text);
  std::size_t used = 0;
  const unsigned long long v = std::stoull(s, &used, 0);
  if (used != s.size() || s.empty() || s[0] == '-')
    throw std::invalid_argument("not a number: " + s);
  return v;
}

}  // namespace mmf_helper

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: mmf_test_helper <command> [args...]\ncommands:\n");
    for (const auto& [name, fn] : mmf_helper::registry())
      std::fprintf(stderr, "  %s\n", name.c_str());
    return 64;
  }
  const auto it = mmf_helper::registry().find(argv[1]);
  if (it == mmf_helper::registry().end()) {
    std::fprintf(stderr, "mmf_test_helper: unknown command %s\n", argv[1]);
    return 127;
  }
  try {
    return it->second(argc - 1, argv + 1);
  } catch (const mmf_helper::usage_error& e) {
    std::fprintf(stderr, "mmf_test_helper %s: %s\n", argv[1], e.message.c_str());
    return 64;
  } catch (const std::system_error& e) {
    mmf_helper::say("error " + mmf_helper::errc_token(e.code()) + " " + e.what());
    return 2;
  } catch (const std::exception& e) {
    mmf_helper::say(std::string("error exception ") + e.what());
    return 2;
  }
}
