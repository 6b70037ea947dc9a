// mmf tests — helper commands that exercise the test machinery itself (support_test.cpp).
//   echo <words...>       prints each word on its own line, exits 0
//   exit_with <code>      exits with <code>
//   echo_stdin            prints "ready", then echoes each stdin line until "quit" or end of file
#include <string>

#include "helper/helper.hpp"

MMF_HELPER_COMMAND(echo) {
  for (int i = 1; i < argc; ++i)
    mmf_helper::say(argv[i]);
  return 0;
}

MMF_HELPER_COMMAND(exit_with) {
  if (argc != 2) throw mmf_helper::usage_error{"exit_with <code>"};
  return static_cast<int>(mmf_helper::to_u64(argv[1]));
}

MMF_HELPER_COMMAND(echo_stdin) {
  mmf_helper::say("ready");
  for (;;) {
    const std::string line = mmf_helper::listen();
    if (mmf_helper::stdin_closed() || line == "quit") return 0;
    mmf_helper::say(line);
  }
}
