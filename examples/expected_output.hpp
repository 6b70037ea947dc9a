// mmf examples — the groups of programs that run together, and what each program must print: the
// one list that both mmf_demo (POSIX) and tests/windows/examples_test.cpp (under Wine) run and
// check. Header-only, standard C++ only.
//
// The lines are the seeds' outputs where the seed prints something ("Process A says: True", 77,
// 12345); the seed's SampleMap reader and writer print nothing, so theirs are the values the C++
// programs report. A '*' in an expected line matches any run of characters (for the random file
// names); a program that must print nothing has no lines.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace example {

struct expected_program {
  std::string_view program;
  std::vector<std::string_view> lines;  // stdout and stderr together, '\n' (or "\r\n") separated
};

struct example_group {
  std::string_view title;
  std::vector<expected_program> programs;  // started together, in this order
};

inline const std::vector<example_group>& example_groups() {
  static const std::vector<example_group> groups = {
      {"(a) three processes share \"testmap\", guarded by the mutex \"testmapmutex\"",
       {{"ipc_process_a",
         {"Start Process B and press ENTER to continue.",
          "Start Process C and press ENTER to continue.", "Process A says: True",
          "Process B says: False", "Process C says: True"}},
        {"ipc_process_b", {}},
        {"ipc_process_c", {}}}},
      {"(b) \"SampleMap\": 100 int32 through an accessor, then 100 lines through a stream",
       {{"sample_map_writer",
         {"writer: wrote 100 int32 values (0..99) through a write-only accessor",
          "writer: wrote 100 lines (\"some data 0\"..\"some data 99\") through a view stream"}},
        {"sample_map_reader",
         {"reader: read 100 int32 values: 0, 1, 2, ..., 99 (sum 4950, 100 of 100 as written)",
          "reader: at 0: some data 0", "reader: at 12: some data 1", "reader: at 24: some data 2",
          "reader: ...", "reader: at 1277: some data 99",
          "reader: read 100 lines through a view stream, 100 as written"}}}},
      {"(c) a view at 256 MiB of a sparse multi-GiB file, and \"ImgA\" opened by name",
       {{"large_file_view",
         {"process 1: ExtremelyLargeImage.*.data is 4 GiB (sparse), mapped as \"ImgA\"",
          "process 1: brightened 131583 colors of the 512 MiB view at 256 MiB (131072 in its "
          "first MiB, then one per MiB)",
          "process 1: color 0 {10, 10, 10, 10}, color 1 {32767, 110, 5, 10} (saturated at "
          "32767), last MiB {10, 10, 10, 10}",
          "process 1: sees process 2's changes at 4000000: {20, 20, 20, 20}, at 5499992: {20, 20, "
          "20, 20}, untouched at 5500000: {0, 0, 0, 0}"}},
        {"large_file_open_existing",
         {"process 2: opened \"ImgA\" by name, brightened 187500 colors of view(4000000, "
          "2000000)"}}}},
      {"(d) byte 77 at 500000 of a 1,000,000-byte file", {{"persisted_byte", {"77"}}}},
      {"(e) \"Demo\": 500 bytes of shared memory, 12345 written by one process, read by another",
       {{"demo_create_new", {}}, {"demo_open_existing", {"12345"}}}},
      {"(f) a 1-byte short.bin mapped with capacity 1000 becomes a 1000-byte file",
       {{"short_file_capacity", {"1000"}}}},
      {"(g) a producer and a consumer process share the message queue \"DemoJobs\"",
       {{"queue_producer",
         {"producer: sent 1000 jobs through \"DemoJobs\" (8 slots of 64 bytes), then \"done\""}},
        {"queue_consumer",
         {"consumer: received 1000 jobs, 1000 in order, 1000 intact, then \"done\""}}}},
      {"(h) a vector of records and a string-keyed map in the managed segment \"Inventory\"",
       {{"segment_inventory_writer",
         {"writer: built 3 records", "writer: apples id 1 quantity 10",
          "writer: pears id 2 quantity 17", "writer: plums id 3 quantity 30",
          "writer: cherries id 4 quantity 5", "writer: heap consistent"}},
        {"segment_inventory_reader",
         {"reader: 3 records, 3 names", "reader: sold 3 pears, added cherries"}}}},
  };
  return groups;
}

namespace detail {

// Whether `text` matches `pattern`, where '*' in the pattern matches any run of characters.
inline bool matches(std::string_view pattern, std::string_view text) {
  const auto star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == text;
  const auto head = pattern.substr(0, star);
  if (text.substr(0, head.size()) != head) return false;
  const auto rest = pattern.substr(star + 1);
  for (std::size_t i = head.size(); i <= text.size(); ++i)
    if (matches(rest, text.substr(i))) return true;
  return false;
}

inline std::string quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

}  // namespace detail

// The lines of a program's output: split at '\n', a trailing '\r' dropped from each (Windows'
// text mode), no empty last line for a final '\n'.
inline std::vector<std::string> output_lines(std::string_view output) {
  std::vector<std::string> lines;
  while (!output.empty()) {
    const auto end = output.find('\n');
    auto line = output.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    if (end == std::string_view::npos) break;
    output.remove_prefix(end + 1);
  }
  return lines;
}

// Compares what `expected.program` printed with what it should print. Returns an empty string
// when they agree, otherwise what differs: the program, the first differing line number, the
// expected line and the line it printed.
inline std::string check_output(const expected_program& expected, std::string_view output) {
  const auto got = output_lines(output);
  const auto& want = expected.lines;
  for (std::size_t i = 0; i < want.size() || i < got.size(); ++i) {
    if (i < want.size() && i < got.size() && detail::matches(want[i], got[i])) continue;
    std::string message = std::string(expected.program) + ": line " + std::to_string(i + 1) + ": ";
    message += "expected " + (i < want.size() ? detail::quoted(want[i]) : "no more output");
    message += ", got " + (i < got.size() ? detail::quoted(got[i]) : "no more output");
    return message;
  }
  return {};
}

}  // namespace example
