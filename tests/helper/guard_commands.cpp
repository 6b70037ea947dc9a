// mmf tests — helper commands for the guarded copies (guarded_copy_test.cpp and
// tests/posix/guarded_copy_test.cpp): a process that shrinks a mapped file under the test.
//
//   file_resize <path> <size>       resizes the file once, prints "ok", exits 0
//   file_flap <path> <size>         prints "ready", then resizes the file to 0 and back to <size>
//                                   over and over until killed (or 10 minutes pass)
//   guard_chain <path> <own|none>   POSIX: with `own`, installs its own SIGBUS handler first
//                                   (it prints "own handler" and exits 42), with `none` the
//                                   default action (replacing a sanitizer's); creates <path> of 4
//                                   pages, maps it, shrinks it to 1 page, prints "copied <n>
//                                   <errc token>" for a guarded copy_to of the whole view, then
//                                   reads the last page plainly (outside any guarded copy): the
//                                   SIGBUS goes to its own handler, or kills it (`none`)
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <mmf/mmf.hpp>

#include "helper/helper.hpp"

#if !defined(_WIN32)
#include <unistd.h>
#include <csignal>
#endif

MMF_HELPER_COMMAND(file_resize) {
  if (argc != 3) throw mmf_helper::usage_error{"file_resize <path> <size>"};
  std::filesystem::resize_file(argv[1], mmf_helper::to_u64(argv[2]));
  mmf_helper::say("ok");
  return 0;
}

MMF_HELPER_COMMAND(file_flap) {
  if (argc != 3) throw mmf_helper::usage_error{"file_flap <path> <size>"};
  const std::filesystem::path path = argv[1];
  const std::uint64_t size = mmf_helper::to_u64(argv[2]);
  mmf_helper::say("ready");
  const auto end = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  while (std::chrono::steady_clock::now() < end) {
    std::error_code ec;
    std::filesystem::resize_file(path, 0, ec);
    std::filesystem::resize_file(path, size, ec);
  }
  return 0;
}

#if !defined(_WIN32)
namespace {
extern "C" void own_sigbus(int) {
  static const char text[] = "own handler\n";
  (void)!::write(1, text, sizeof text - 1);
  ::_exit(42);
}
}  // namespace

MMF_HELPER_COMMAND(guard_chain) {
  if (argc != 3) throw mmf_helper::usage_error{"guard_chain <path> <own|none>"};
  // "none" sets the default action explicitly: a runtime such as AddressSanitizer's installs a
  // SIGBUS handler of its own before main, which would otherwise be the program's handler here.
  struct sigaction sa {};
  sa.sa_handler = std::string(argv[2]) == "own" ? own_sigbus : SIG_DFL;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, nullptr);
  const std::uint64_t page = mmf::page_size();
  auto map =
      mmf::memory_mapped_file::create_from_file(argv[1], mmf::file_mode::create_new, {}, 4 * page);
  auto view = map.create_view_accessor();
  std::filesystem::resize_file(argv[1], page);
  std::vector<std::byte> out(4 * page);
  std::error_code ec;
  const std::size_t n = view.copy_to(0, out, ec);
  mmf_helper::say("copied " + std::to_string(n) + " " + mmf_helper::errc_token(ec));
  volatile std::byte plain = view.bytes()[3 * page];  // SIGBUS outside a guarded copy
  (void)plain;
  mmf_helper::say("survived");
  return 0;
}
#endif
