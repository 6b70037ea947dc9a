// mmf tool — the subcommands. main.cpp parses the command line into these structs (numbers still
// as text: they are parsed strictly here) and calls run_*, which return the process's exit code
// and throw usage_error (exit 2) or mmf::error / std::exception (exit 1).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mmf::tool {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct list_options {
  bool all = false;
  bool json = false;
  bool paths = false;
};
int run_list(const list_options& o);

struct create_options {
  std::string name;
  std::string size;
  bool hold = false;
  bool lazy = false;
};
int run_create(const create_options& o);

// NAME or --file PATH: exactly one.
struct target_options {
  std::optional<std::string> name;
  std::optional<std::string> file;
};

struct dump_options {
  target_options target;
  std::optional<std::string> offset;
  std::optional<std::string> length;
  std::string format = "hex";
  bool squeeze = false;
};
int run_dump(const dump_options& o);

// The value to write: exactly one of these (option name, e.g. "--u32", and its text).
struct write_options {
  target_options target;
  std::string offset;
  std::vector<std::pair<std::string, std::string>> values;
};
int run_write(const write_options& o);

struct copy_options {
  std::string source;
  std::string destination;
  std::optional<std::string> source_offset;
  std::optional<std::string> destination_offset;
  std::optional<std::string> length;
};
int run_copy(const copy_options& o);

struct fill_options {
  target_options target;
  std::string byte;
  std::optional<std::string> offset;
  std::optional<std::string> length;
};
int run_fill(const fill_options& o);

struct gc_options {
  bool dry_run = false;
};
int run_gc(const gc_options& o);

int run_path(const std::string& name);

// Message queues (cmd_queue.cpp).
struct queue_options {
  std::string name;
  std::optional<std::string> max_messages;      // with max_message_size: create_or_open
  std::optional<std::string> max_message_size;  // neither: open_existing
  bool hold = false;
};
int run_queue(const queue_options& o);

// The message: exactly one of text, hex and file ("-": standard input).
struct send_options {
  std::string name;
  std::optional<std::string> text;
  std::optional<std::string> hex;
  std::optional<std::string> file;
  std::optional<std::string> timeout;  // none: wait while the queue is full
};
int run_send(const send_options& o);

struct receive_options {
  std::string name;
  std::optional<std::string> timeout;  // none: wait while the queue is empty
  std::optional<std::string> count;    // default 1
  std::string format = "text";
};
int run_receive(const receive_options& o);
// mmf segment [check] NAME | --file PATH;  mmf segment create --file PATH SIZE [--u64 NAME=V]...
struct segment_options {
  std::optional<std::string> name;
  std::optional<std::string> file;
  std::optional<std::string> size;                               // create only
  std::vector<std::pair<std::string, std::string>> u64_objects;  // create only
  bool check = false;
  bool create = false;
};
int run_segment(const segment_options& o);

// Runs a companion program (mmf_demo, mmf-bench) with `args`.
int run_demo(const std::vector<std::string>& args);
int run_bench(const std::vector<std::string>& args);

}  // namespace mmf::tool
