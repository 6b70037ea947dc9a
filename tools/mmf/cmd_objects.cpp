// mmf tool — list, create, gc, path, demo and bench.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <system_error>
#include <tuple>

#include <fmt/format.h>
#include <mmf/error.hpp>
#include <mmf/memory_mapped_file.hpp>
#include <mmf/objects.hpp>

#include "commands.hpp"
#include "parse.hpp"
#include "platform.hpp"
#include "target.hpp"

namespace mmf::tool {
namespace {

// A name for a table cell: control bytes escaped so that one object stays on one line.
std::string printable(std::string_view text) {
  std::string q = in_quotes(text);
  return q.substr(1, q.size() - 2);
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) {
    n = 2;
    cp = c & 0x1fu;
  } else if ((c & 0xf0) == 0xe0) {
    n = 3;
    cp = c & 0x0fu;
  } else if ((c & 0xf8) == 0xf0) {
    n = 4;
    cp = c & 0x07u;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3fu);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

// A JSON string literal. Invalid UTF-8 (a foreign file in the shared-memory directory) becomes
// U+FFFD so that the output is always valid JSON.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
      ++i;
    } else if (u < 0x20) {
      out += fmt::format("\\u{:04x}", u);
      ++i;
    } else if (u < 0x80) {
      out += c;
      ++i;
    } else if (const std::size_t n = utf8_sequence(s, i); n != 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out += '"';
  return out;
}

void print_json(const std::vector<mmf::object_info>& objects) {
  if (objects.empty()) {
    fmt::print("[]\n");
    return;
  }
  fmt::print("[\n");
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const mmf::object_info& o = objects[i];
    fmt::print(
        "  {{\"kind\": {}, \"name\": {}, \"global\": {}, \"size\": {}, \"depth\": {}, "
        "\"holders\": {}, \"owner\": {}, \"owner_name\": {}, \"live\": {}, \"state\": {}, "
        "\"path\": {}}}{}\n",
        json_string(mmf::to_string(o.kind)), json_string(o.name), o.global, o.size,
        o.kind == mmf::object_kind::queue ? std::to_string(o.queue_depth) : std::string("null"),
        o.holders < 0 ? std::string("null") : std::to_string(o.holders), o.owner,
        json_string(user_name(o.owner)), o.live, json_string(o.live ? "live" : "stale"),
        json_string(o.path.string()), i + 1 < objects.size() ? "," : "");
  }
  fmt::print("]\n");
}

void print_table(const std::vector<mmf::object_info>& objects, bool paths) {
  struct row {
    std::string kind, name, size, depth, holders, owner, state, path;
  };
  std::vector<row> rows;
  rows.push_back({"KIND", "NAME", "SIZE", "DEPTH", "HOLDERS", "OWNER", "STATE", "PATH"});
  for (const mmf::object_info& o : objects)
    rows.push_back({std::string(mmf::to_string(o.kind)), printable(o.name), std::to_string(o.size),
                    o.kind == mmf::object_kind::queue ? std::to_string(o.queue_depth) : "-",
                    o.holders < 0 ? std::string("?") : std::to_string(o.holders),
                    user_name(o.owner), o.live ? "live" : "stale", printable(o.path.string())});
  std::size_t w[7] = {};
  for (const row& r : rows) {
    w[0] = std::max(w[0], r.kind.size());
    w[1] = std::max(w[1], r.name.size());
    w[2] = std::max(w[2], r.size.size());
    w[3] = std::max(w[3], r.depth.size());
    w[4] = std::max(w[4], r.holders.size());
    w[5] = std::max(w[5], r.owner.size());
    w[6] = std::max(w[6], r.state.size());
  }
  for (const row& r : rows) {
    std::string line = fmt::format("{:<{}}  {:<{}}  {:>{}}  {:>{}}  {:>{}}  {:<{}}  {:<{}}", r.kind,
                                   w[0], r.name, w[1], r.size, w[2], r.depth, w[3], r.holders, w[4],
                                   r.owner, w[5], r.state, w[6]);
    if (paths) line += "  " + r.path;
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    fmt::print("{}\n", line);
  }
}

}  // namespace

int run_list(const list_options& o) {
  std::vector<mmf::object_info> objects = mmf::list_objects(o.all);
  std::sort(objects.begin(), objects.end(), [](const auto& a, const auto& b) {
    return std::tie(a.global, a.name, a.kind) < std::tie(b.global, b.name, b.kind);
  });
  if (o.json) {
    print_json(objects);
  } else if (objects.empty()) {
    fmt::print(stderr, "no named objects{}\n", o.all ? "" : " (--all adds Global\\ objects)");
  } else {
    print_table(objects, o.paths);
  }
  return kExitOk;
}

int run_create(const create_options& o) {
  check_map_name(o.name, "NAME");
  const std::uint64_t size = parse_size(o.size, "SIZE");
  if (size == 0) throw usage_error("SIZE must be at least 1 byte");
  if (o.hold) prepare_for_interrupt();
  const mmf::map_options options =
      o.lazy ? mmf::map_options::delay_allocate_pages : mmf::map_options::none;
  mmf::memory_mapped_file map =
      mmf::memory_mapped_file::create_new(o.name, size, mmf::access::read_write, options);
  if (!o.hold) {
    fmt::print("created map {} of {}\n", in_quotes(o.name), describe_size(size));
    fmt::print(stderr,
               "note: the map goes away again now that mmf exits: a non-persisted map lives only "
               "while some process holds it. Use --hold to keep it until Ctrl-C.\n");
    return kExitOk;
  }
  // The "ready" line is the signal scripts and tests wait for: flush it now, not at exit.
  fmt::print("ready {}\n", o.name);
  std::fflush(stdout);
  fmt::print(stderr, "holding map {} of {}; Ctrl-C or SIGTERM releases it\n", in_quotes(o.name),
             describe_size(size));
  const std::string why = wait_for_interrupt();
  fmt::print(stderr, "released map {} ({})\n", in_quotes(o.name), why);
  return kExitOk;
}

int run_gc(const gc_options& o) {
  std::vector<mmf::object_info> objects;
  if (o.dry_run) {
    for (mmf::object_info& info : mmf::list_objects(false))
      if (!info.live) objects.push_back(std::move(info));
  } else {
    objects = mmf::remove_stale_objects();
  }
  const char* verb = o.dry_run ? "would remove" : "removed";
  for (const mmf::object_info& info : objects)
    fmt::print("{} stale {} {} ({})\n", verb, mmf::to_string(info.kind), in_quotes(info.name),
               info.path.string());
  if (objects.empty())
    fmt::print("no stale objects\n");
  else
    fmt::print("{} {} stale object{}\n", verb, objects.size(), objects.size() == 1 ? "" : "s");
  return kExitOk;
}

int run_path(const std::string& name) {
  check_map_name(name, "NAME");
  const std::filesystem::path path = mmf::shared_memory_path(name);
  if (path.empty())
    throw mmf::error(
        std::make_error_code(std::errc::not_supported),
        fmt::format("path {}: named maps have no file on this platform", in_quotes(name)));
  fmt::print("{}\n", path.string());
  return kExitOk;
}

namespace {

#ifndef MMF_TOOL_DEMO_BUILD_PATH
#define MMF_TOOL_DEMO_BUILD_PATH ""
#endif
#ifndef MMF_TOOL_BENCH_BUILD_PATH
#define MMF_TOOL_BENCH_BUILD_PATH ""
#endif

// Where a companion program is: $ENV_VAR when set (and then only there), else next to this
// executable, where this build tree put it, or on PATH. Empty when none of them has it.
std::filesystem::path find_companion(std::string_view program, const char* env_var,
                                     std::string_view build_path,
                                     std::vector<std::string>& looked) {
  std::error_code ec;
  if (const char* env = std::getenv(env_var); env != nullptr && *env != '\0') {
    // An explicit choice: used alone, so that a wrong path is reported rather than bypassed.
    looked.push_back(fmt::format("${}={}", env_var, env));
    if (std::filesystem::is_regular_file(env, ec)) return env;
    return {};
  }
  if (const auto dir = executable_directory(); !dir.empty()) {
    const auto candidate = dir / executable_name(program);
    looked.push_back(dir.string());
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  if (!build_path.empty()) {
    looked.push_back(std::filesystem::path(build_path).parent_path().string());
    if (std::filesystem::is_regular_file(build_path, ec)) return std::filesystem::path(build_path);
  }
  looked.push_back("PATH");
  return find_on_path(program);
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts)
    out += (out.empty() ? "" : ", ") + p;
  return out;
}

// Runs the companion `program` (found by find_companion through `env_var` and `build_path`) with
// `args`. When it is not found, tells the user of `mmf <command>` what it is (`what`), where it
// was looked for and how to get it (`how_to_get_it`, the lines after), and fails.
int run_companion(std::string_view command, std::string_view what, std::string_view program,
                  const char* env_var, std::string_view build_path, std::string_view how_to_get_it,
                  const std::vector<std::string>& args) {
  std::vector<std::string> looked;
  const auto path = find_companion(program, env_var, build_path, looked);
  if (path.empty()) {
    fmt::print(stderr, "mmf {}: error: {} {} was not found (looked in: {}).\n{}", command, what,
               program, join(looked), how_to_get_it);
    return kExitFailure;
  }
  return run_program(path, args);
}

}  // namespace

int run_demo(const std::vector<std::string>& args) {
  return run_companion(
      "demo", "the demo driver", "mmf_demo", "MMF_DEMO", MMF_TOOL_DEMO_BUILD_PATH,
      "  Build it with the examples: cmake -S . -B build -DMMF_BUILD_EXAMPLES=ON && "
      "cmake --build build --target mmf_demo\n"
      "  then run build/examples/mmf_demo, or set MMF_DEMO to its path and run "
      "`mmf demo` again.\n",
      args);
}

int run_bench(const std::vector<std::string>& args) {
  return run_companion("bench", "the benchmark", "mmf-bench", "MMF_BENCH",
                       MMF_TOOL_BENCH_BUILD_PATH,
                       "  Build it with: cmake -S . -B build -DMMF_BUILD_BENCH=ON && cmake --build "
                       "build --target mmf-bench\n"
                       "  (bench/ needs Google Benchmark: apt-get install libbenchmark-dev), then "
                       "run `mmf bench` again, or set MMF_BENCH to its path.\n",
                       args);
}

}  // namespace mmf::tool
