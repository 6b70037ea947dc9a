// mmf tests — helper commands for memory_mapped_file (multiprocess_test.cpp and others).
//
// Each map_* command gets a map, maps a view of all of it, prints "ready <capacity>"
// (create_or_open adds " created" or " opened") and then runs a small shell that reads commands
// from stdin, one per line, answering each with one line:
//   read <offset>             -> "value <u64 at offset>"
//   write <offset> <u64>      -> "ok"
//   flush                     -> "ok" (view_accessor::flush)
//   flush_range <off> <size>  -> "ok" (view_accessor::flush(offset, size))
//   flush_async               -> "ok" (view_accessor::flush_async over the view)
//   advise <advice>           -> "ok" (view_accessor::advise over the view: normal, sequential,
//                                random, will_need, dont_need)
//   lock / unlock             -> "ok" (lock_in_memory / unlock_from_memory over the view)
//   close_map                 -> "ok" (closes the memory_mapped_file; the view stays)
//   close_view                -> "ok" (unmaps the view; the map stays, if not closed)
//   quit, or end of file      -> exits 0
// A failing shell command answers "error <errc token> <what>" and the shell goes on. A failing
// open/create exits 2 after "error <errc token> <what>" (see helper.hpp).
//
//   map_open <name> [access]                   open_existing(name, access)
//   map_create <name> <capacity>               create_new(name, capacity)
//   map_create_or_open <name> <capacity>       create_or_open(name, capacity)
//   map_create_from_file <path> <file_mode> <name> <capacity>
//                                              create_from_file(path, mode, name, capacity)
//   map_probe <name>                           open_existing: prints "exists <capacity>" and
//                                              exits 0, or "error ..." and exits 2
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <mmf/memory_mapped_file.hpp>

#include "helper/helper.hpp"

namespace {

mmf::access parse_access(std::string_view s) {
  if (s == "read_write") return mmf::access::read_write;
  if (s == "read") return mmf::access::read;
  if (s == "write") return mmf::access::write;
  if (s == "copy_on_write") return mmf::access::copy_on_write;
  if (s == "read_execute") return mmf::access::read_execute;
  if (s == "read_write_execute") return mmf::access::read_write_execute;
  throw mmf_helper::usage_error{"unknown access " + std::string(s)};
}

mmf::file_mode parse_file_mode(std::string_view s) {
  if (s == "create_new") return mmf::file_mode::create_new;
  if (s == "create") return mmf::file_mode::create;
  if (s == "open") return mmf::file_mode::open;
  if (s == "open_or_create") return mmf::file_mode::open_or_create;
  throw mmf_helper::usage_error{"unknown file_mode " + std::string(s)};
}

mmf::advice parse_advice(std::string_view s) {
  if (s == "normal") return mmf::advice::normal;
  if (s == "sequential") return mmf::advice::sequential;
  if (s == "random") return mmf::advice::random;
  if (s == "will_need") return mmf::advice::will_need;
  if (s == "dont_need") return mmf::advice::dont_need;
  throw mmf_helper::usage_error{"unknown advice " + std::string(s)};
}

// Splits a line at spaces.
std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ')
      ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ')
      ++j;
    if (j > i) out.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

int run_shell(mmf::memory_mapped_file map, std::string ready) {
  mmf::view_accessor view = map.create_view_accessor(0, 0, map.map_access());
  mmf_helper::say(ready);
  for (;;) {
    const std::string line = mmf_helper::listen();
    if (mmf_helper::stdin_closed()) return 0;
    const auto w = words(line);
    if (w.empty()) continue;
    try {
      if (w[0] == "quit") return 0;
      if (w[0] == "read" && w.size() == 2) {
        const auto v = view.read<std::uint64_t>(mmf_helper::to_u64(w[1]));
        mmf_helper::say("value " + std::to_string(v));
      } else if (w[0] == "write" && w.size() == 3) {
        view.write<std::uint64_t>(mmf_helper::to_u64(w[1]), mmf_helper::to_u64(w[2]));
        mmf_helper::say("ok");
      } else if (w[0] == "flush") {
        view.flush();
        mmf_helper::say("ok");
      } else if (w[0] == "flush_range" && w.size() == 3) {
        view.flush(mmf_helper::to_u64(w[1]), mmf_helper::to_u64(w[2]));
        mmf_helper::say("ok");
      } else if (w[0] == "flush_async") {
        view.flush_async();
        mmf_helper::say("ok");
      } else if (w[0] == "advise" && w.size() == 2) {
        view.advise(parse_advice(w[1]));
        mmf_helper::say("ok");
      } else if (w[0] == "lock") {
        view.lock_in_memory();
        mmf_helper::say("ok");
      } else if (w[0] == "unlock") {
        view.unlock_from_memory();
        mmf_helper::say("ok");
      } else if (w[0] == "close_map") {
        map = mmf::memory_mapped_file();
        mmf_helper::say("ok");
      } else if (w[0] == "close_view") {
        view = mmf::view_accessor();
        mmf_helper::say("ok");
      } else {
        mmf_helper::say("error usage " + line);
      }
    } catch (const std::system_error& e) {
      mmf_helper::say("error " + mmf_helper::errc_token(e.code()) + " " + e.what());
    } catch (const std::exception& e) {
      mmf_helper::say(std::string("error exception ") + e.what());
    }
  }
}

}  // namespace

MMF_HELPER_COMMAND(map_open) {
  if (argc < 2 || argc > 3) throw mmf_helper::usage_error{"map_open <name> [access]"};
  const mmf::access acc = argc == 3 ? parse_access(argv[2]) : mmf::access::read_write;
  auto map = mmf::memory_mapped_file::open_existing(argv[1], acc);
  const auto capacity = map.capacity();
  return run_shell(std::move(map), "ready " + std::to_string(capacity));
}

MMF_HELPER_COMMAND(map_create) {
  if (argc < 3 || argc > 4) throw mmf_helper::usage_error{"map_create <name> <capacity> [access]"};
  const mmf::access acc = argc == 4 ? parse_access(argv[3]) : mmf::access::read_write;
  auto map = mmf::memory_mapped_file::create_new(argv[1], mmf_helper::to_u64(argv[2]), acc);
  const auto capacity = map.capacity();
  return run_shell(std::move(map), "ready " + std::to_string(capacity));
}

MMF_HELPER_COMMAND(map_create_or_open) {
  if (argc != 3) throw mmf_helper::usage_error{"map_create_or_open <name> <capacity>"};
  bool created = false;
  auto map = mmf::memory_mapped_file::create_or_open(
      argv[1], mmf_helper::to_u64(argv[2]), mmf::access::read_write, mmf::map_options::none,
      mmf::inheritability::none, &created);
  const auto capacity = map.capacity();
  return run_shell(std::move(map),
                   "ready " + std::to_string(capacity) + (created ? " created" : " opened"));
}

MMF_HELPER_COMMAND(map_create_from_file) {
  if (argc != 5)
    throw mmf_helper::usage_error{"map_create_from_file <path> <file_mode> <name> <capacity>"};
  auto map = mmf::memory_mapped_file::create_from_file(argv[1], parse_file_mode(argv[2]), argv[3],
                                                       mmf_helper::to_u64(argv[4]));
  const auto capacity = map.capacity();
  return run_shell(std::move(map), "ready " + std::to_string(capacity));
}

MMF_HELPER_COMMAND(map_probe) {
  if (argc != 2) throw mmf_helper::usage_error{"map_probe <name>"};
  auto map = mmf::memory_mapped_file::open_existing(argv[1], mmf::access::read);
  mmf_helper::say("exists " + std::to_string(map.capacity()));
  return 0;
}
