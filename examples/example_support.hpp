// mmf examples — the little they share: waiting on a named event with a generous timeout instead
// of .NET's "press ENTER", so that no example ever hangs when its partner process is missing.
//
// Where a seed prints a prompt and reads a line ("Start Process B and press ENTER to continue."),
// the example prints the same prompt (prompt()) and then waits for the partner's named event
// (wait_for_partner()) instead of reading its input: the event is set when the partner has done
// what the user would have pressed ENTER after. So the partners may be started by hand, from other
// terminals, or all at once by mmf_demo and the tests, whose children never get an ENTER.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <string_view>

#include <mmf/named_event.hpp>

namespace example {

// How long a process waits for its partner before giving up.
inline constexpr std::chrono::seconds partner_timeout{60};

// Prints a seed's prompt on its own line, at once (the output may be a pipe).
inline void prompt(std::string_view text) {
  std::cout << text << std::endl;
}

// Waits for `e`; on timeout prints `hint` to stderr and exits with status 1.
inline void wait_for_partner(mmf::named_event& e, std::string_view hint) {
  if (!e.wait_for(partner_timeout)) {
    std::cerr << "timed out after " << partner_timeout.count() << " s: " << hint << '\n';
    std::exit(1);
  }
}

// A random hexadecimal tag, for file names that must not collide between runs.
inline std::string unique_tag() {
  std::random_device rd;
  const std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(v));
  return text;
}

}  // namespace example
