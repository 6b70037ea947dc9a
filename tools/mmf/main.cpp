// mmf — the command-line tool: inspect, create, read, write, copy and clean up named shared memory
// and memory-mapped files. This file only declares the command line (CLI11) and maps outcomes to
// exit codes; the commands live in cmd_*.cpp.
//
// Exit codes: 0 success, 1 failure (the OS or the library said no), 2 usage error (the command line
// is wrong, including numbers that do not parse and ranges outside the object).
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <mmf/error.hpp>
#include <mmf/version.hpp>

#include "commands.hpp"
#include "parse.hpp"

namespace {

using namespace mmf::tool;

constexpr const char* kSizeHelp =
    "Sizes, offsets and lengths: bytes (4096, or 0x1000 in hex) or a whole number with a unit:\n"
    "KiB MiB GiB TiB (powers of 1024) or KB MB GB TB (powers of 1000); case is ignored.\n"
    "Negative, fractional, overflowing or malformed values are refused (exit 2).";

std::string footer(const char* examples) {
  return fmt::format("\nExamples:\n{}", examples);
}

// The hint appended to a library error, when there is a likely explanation.
std::string hint_for(const mmf::error& e) {
  const std::string what = e.what();
  if (e.code() == std::errc::no_such_file_or_directory && what.find("open_existing") == 0)
    return " (no live map has this name; `mmf list` shows the existing ones)";
  if (e.code() == std::errc::file_exists && what.find("create_new") == 0)
    return " (a live map already has this name; `mmf list` shows it)";
  if (e.code() == std::errc::permission_denied)
    return " (another user's object, or more access than it allows)";
  return {};
}

std::optional<std::string> value_of(const CLI::Option* opt, const std::string& value) {
  if (opt->count() == 0) return std::nullopt;
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mmf: inspect and work with named shared memory and memory-mapped files.\n"
      "A map NAME is what programs pass to mmf::memory_mapped_file (\"frames\", \"Local\\frames\", "
      "\"Global\\frames\").",
      "mmf"};
  // The version of the library loaded, which is the tool's own (they are built together).
  app.set_version_flag("--version", fmt::format("mmf {}", mmf::version_string()));
  app.require_subcommand(1);
  app.footer(footer(
      "  mmf create frames 64MiB --hold &   # create a map and keep it alive\n"
      "  mmf list                           # named objects: kind, name, size, holders, state\n"
      "  mmf write frames 0 --u32 42        # write a value at offset 0\n"
      "  mmf dump frames --length 64        # hex + ASCII, like xxd\n"
      "  mmf copy map:frames snapshot.bin   # save a map's bytes to a file\n"
      "  mmf path frames                    # the file behind the map (for Python's mmap)\n"
      "  mmf gc                             # remove objects whose holders all died\n"
      "  mmf send jobs --text hello         # a message to a queue; `mmf receive jobs` takes it\n"
      "\nRun `mmf COMMAND --help` for each command's options and examples.\n"
      "Exit codes: 0 success, 1 failure, 2 usage error."));

  // ---- list ----
  list_options lo;
  CLI::App* list =
      app.add_subcommand("list", "List your named maps, mutexes, events, semaphores and queues");
  list->add_flag("--all", lo.all, "Also list Global\\ (machine-wide) objects");
  list->add_flag("--json", lo.json,
                 "Print a JSON array (holders is null where the OS cannot tell)");
  list->add_flag("--paths", lo.paths, "Add a PATH column: the backing file of each object");
  list->footer(footer(
      "  mmf list\n"
      "  mmf list --all --json\n"
      "Columns: KIND (map, persisted_map, mutex, event, semaphore, queue), NAME, SIZE (bytes),\n"
      "DEPTH (a queue's messages waiting now; - for other kinds), HOLDERS\n"
      "(open handles in all processes; ? where the OS cannot tell), OWNER, STATE (live, or stale:\n"
      "every holder is gone and `mmf gc` will remove it)."));

  // ---- create ----
  create_options co;
  CLI::App* create =
      app.add_subcommand("create", "Create a named shared-memory map of SIZE bytes (zero-filled)");
  create->add_option("NAME", co.name, "The map's name")->required();
  create->add_option("SIZE", co.size, "Its size: bytes or a unit, e.g. 4096, 64KiB, 1GiB")
      ->required();
  create->add_flag("--hold", co.hold,
                   "Keep the map alive: print \"ready NAME\" and wait for Ctrl-C/SIGTERM");
  create->add_flag("--lazy", co.lazy,
                   "Do not reserve the memory now (pages are allocated on first touch)");
  create->footer(footer(
      "  mmf create frames 64MiB --hold          # until Ctrl-C\n"
      "  mmf create 'Global\\stats' 4KiB --hold &  # in the background; kill %1 releases it\n"
      "A non-persisted map lives only while some process holds it: WITHOUT --hold the map is\n"
      "created and goes away again when mmf exits (useful only to check that the name and size\n"
      "work). With --hold, mmf prints \"ready NAME\" on standard output once the map exists, then\n"
      "holds it until SIGINT, SIGTERM or SIGHUP, and removes it on exit if nobody else holds it.\n"
      "If the holder is killed (SIGKILL), the map's name is left stale until it is reopened or\n"
      "`mmf gc` runs."));
  create->footer(std::string(create->get_footer()) + "\n" + kSizeHelp);

  // ---- dump ----
  dump_options dopt;
  std::string dump_name, dump_file, dump_offset, dump_length;
  CLI::App* dump = app.add_subcommand("dump", "Show the bytes of a map or a file");
  CLI::Option* dump_name_opt = dump->add_option("NAME", dump_name, "The map's name");
  CLI::Option* dump_file_opt =
      dump->add_option("--file", dump_file, "Dump this file instead of a map")->type_name("PATH");
  CLI::Option* dump_offset_opt =
      dump->add_option("--offset", dump_offset, "Start here (default 0)")->type_name("N");
  CLI::Option* dump_length_opt =
      dump->add_option("--length", dump_length, "At most this many bytes (default: to the end)")
          ->type_name("N");
  dump->add_option("--format", dopt.format,
                   "hex (default), text, raw, u8, i8, u16, i16, u32, i32, u64, i64, f32, f64")
      ->type_name("FORMAT");
  dump->add_flag("--squeeze", dopt.squeeze, "Show runs of identical 16-byte lines as one '*'");
  dump->footer(footer(
      "  mmf dump frames --length 64\n"
      "  mmf dump frames --offset 4KiB --length 256 --format u32\n"
      "  mmf dump --file data.bin --format f64\n"
      "  mmf dump frames --format raw > frames.bin\n"
      "Formats: hex prints offset, hex bytes and ASCII like xxd; u8 … f64 print 16 bytes per line\n"
      "as values in the machine's byte order; text prints the bytes up to the first NUL (adding a\n"
      "final newline); raw writes the bytes unchanged. A --length past the end stops at the end."));
  dump->footer(std::string(dump->get_footer()) + "\n" + kSizeHelp);

  // ---- write ----
  write_options wo;
  std::string write_name, write_offset, write_file;
  CLI::App* write = app.add_subcommand("write", "Write one value at OFFSET of a map or a file");
  // Positionals are filled in order, so in `write --file PATH OFFSET` the offset lands in NAME:
  // both are optional here and sorted out after parsing.
  CLI::Option* write_name_opt =
      write->add_option("NAME", write_name, "The map's name (left out with --file)");
  CLI::Option* write_offset_opt =
      write->add_option("OFFSET", write_offset, "Where to write (bytes from the start)");
  CLI::Option* write_file_opt =
      write->add_option("--file", write_file, "Write into this file instead of a map")
          ->type_name("PATH");
  struct value_option {
    const char* name;
    const char* help;
    std::string text;
    CLI::Option* opt = nullptr;
  };
  std::vector<value_option> values = {
      {"--text", "The bytes of S (no terminating NUL)", {}},
      {"--hex", "Hex bytes, e.g. deadbeef or 'de ad be ef'", {}},
      {"--u8", "An unsigned 8-bit integer", {}},
      {"--u16", "An unsigned 16-bit integer", {}},
      {"--u32", "An unsigned 32-bit integer", {}},
      {"--u64", "An unsigned 64-bit integer", {}},
      {"--i8", "A signed 8-bit integer", {}},
      {"--i16", "A signed 16-bit integer", {}},
      {"--i32", "A signed 32-bit integer", {}},
      {"--i64", "A signed 64-bit integer", {}},
      {"--f32", "A 32-bit float", {}},
      {"--f64", "A 64-bit float (double)", {}},
  };
  for (value_option& v : values) {
    v.opt = write->add_option(v.name, v.text, v.help);
    v.opt->type_name(std::string(v.name) == "--text"  ? "S"
                     : std::string(v.name) == "--hex" ? "HEX"
                     : v.name[2] == 'f'               ? "X"
                                                      : "N");
    v.opt->allow_extra_args(false);
  }
  write->footer(footer(
      "  mmf write frames 0 --text 'hello'\n"
      "  mmf write frames 16 --u32 0xCAFE\n"
      "  mmf write frames 1KiB --f64 -2.5\n"
      "  mmf write frames 8 --i32=-7           # '=' keeps a negative value from looking like an "
      "option\n"
      "  mmf write --file data.bin 0 --hex 'de ad be ef'\n"
      "Give exactly one value option. Integers are decimal or 0x-hex and must fit the type;\n"
      "values are stored in the machine's byte order. The value must fit inside the object."));
  write->footer(std::string(write->get_footer()) + "\n" + kSizeHelp);

  // ---- copy ----
  copy_options cpo;
  std::string copy_src_offset, copy_dst_offset, copy_length;
  CLI::App* copy = app.add_subcommand("copy", "Copy bytes between named maps and files");
  copy->add_option("SRC", cpo.source, "map:NAME, or a file path (file:PATH to be explicit)")
      ->required();
  copy->add_option("DST", cpo.destination, "map:NAME, or a file path (file:PATH to be explicit)")
      ->required();
  CLI::Option* copy_src_offset_opt =
      copy->add_option("--src-offset", copy_src_offset, "Start reading here (default 0)")
          ->type_name("N");
  CLI::Option* copy_dst_offset_opt =
      copy->add_option("--dst-offset", copy_dst_offset, "Start writing here (default 0)")
          ->type_name("N");
  CLI::Option* copy_length_opt =
      copy->add_option("--length", copy_length, "Bytes to copy (default: the rest of SRC)")
          ->type_name("N");
  copy->footer(footer(
      "  mmf copy map:frames frames.bin               # snapshot a map into a file\n"
      "  mmf copy frames.bin map:frames               # load it back\n"
      "  mmf copy map:a map:b --length 1MiB\n"
      "  mmf copy ./map:odd.bin map:x                 # a file whose name starts with map:\n"
      "SRC and DST: `map:NAME` is a named map (it must exist: create it with `mmf create "
      "--hold`);\n"
      "anything else is a file path, also when written `file:PATH`. A destination file is created\n"
      "if missing and grown if too small, never truncated (bytes past the copied range stay).\n"
      "A progress bar is drawn on standard error when it is a terminal."));
  copy->footer(std::string(copy->get_footer()) + "\n" + kSizeHelp);

  // ---- fill ----
  fill_options fo;
  std::string fill_name, fill_file, fill_offset, fill_length;
  CLI::App* fill = app.add_subcommand("fill", "Set a range of a map or a file to one byte value");
  CLI::Option* fill_name_opt = fill->add_option("NAME", fill_name, "The map's name");
  CLI::Option* fill_file_opt =
      fill->add_option("--file", fill_file, "Fill this file instead of a map")->type_name("PATH");
  fill->add_option("--byte", fo.byte, "The value: 0 to 255, decimal or 0x-hex")
      ->type_name("B")
      ->required();
  CLI::Option* fill_offset_opt =
      fill->add_option("--offset", fill_offset, "Start here (default 0)")->type_name("N");
  CLI::Option* fill_length_opt =
      fill->add_option("--length", fill_length, "Bytes to fill (default: to the end)")
          ->type_name("N");
  fill->footer(footer(
      "  mmf fill frames --byte 0                     # zero the whole map\n"
      "  mmf fill frames --byte 0xff --offset 4KiB --length 4KiB\n"
      "  mmf fill --file data.bin --byte 0x20\n"
      "The range must lie inside the object. A progress bar is drawn on standard error when it is\n"
      "a terminal."));
  fill->footer(std::string(fill->get_footer()) + "\n" + kSizeHelp);

  // ---- gc ----
  gc_options go;
  CLI::App* gc = app.add_subcommand(
      "gc", "Remove your stale named objects (those whose holders have all exited or died)");
  gc->add_flag("--dry-run", go.dry_run, "Only show what would be removed");
  gc->footer(
      footer("  mmf gc\n"
             "  mmf gc --dry-run\n"
             "Live objects are never touched. Prints one line per removed object, then a count.\n"
             "(Stale objects are also reclaimed when their name is next created or opened.)"));

  // ---- segment ----
  segment_options sgo;
  std::vector<std::string> segment_words;
  std::string segment_file;
  std::vector<std::string> segment_u64;
  CLI::App* segment = app.add_subcommand(
      "segment", "Show a managed segment's named objects and free memory, or check its heap");
  segment->add_option("WORDS", segment_words, "NAME | check NAME | create SIZE (with --file)");
  CLI::Option* segment_file_opt =
      segment->add_option("--file", segment_file, "A persisted segment: the file's PATH");
  segment->add_option("--u64", segment_u64,
                      "With create: a std::uint64_t object NAME=VALUE (repeatable)");
  segment->footer(footer(
      "  mmf segment inventory               # objects (name, size, type), free memory\n"
      "  mmf segment check inventory         # the heap checker: exit 1 when corrupt\n"
      "  mmf segment --file heap.seg         # a persisted segment\n"
      "  mmf segment create --file heap.seg 1MiB --u64 count=0\n"
      "Fragmentation is 1 - largest free block / free bytes. `check` walks every block, the free\n"
      "lists and the directory, and names the first inconsistency it finds."));
  segment->footer(std::string(segment->get_footer()) + "\n" + kSizeHelp);

  // ---- path ----
  std::string path_name;
  CLI::App* path = app.add_subcommand(
      "path", "Print where the bytes of the named map NAME live (for other tools)");
  path->add_option("NAME", path_name, "The map's name (it need not exist)")->required();
  path->footer(footer(
      "  mmf path frames\n"
      "  python3 -c 'import mmap,sys; f=open(sys.argv[1],\"r+b\"); "
      "print(mmap.mmap(f.fileno(),0)[:16])' \"$(mmf path frames)\"\n"
      "On Linux this is a file in /dev/shm (or $MMF_SHM_DIR); the map's data starts at offset 0,\n"
      "so Python's mmap or numpy.memmap can open it while the map is live."));

  // ---- queue, send, receive ----
  queue_options qo;
  std::string queue_max_messages, queue_max_size;
  CLI::App* queue =
      app.add_subcommand("queue", "Show a message queue, or create one and hold it (--hold)");
  queue->add_option("NAME", qo.name, "The queue's name")->required();
  CLI::Option* queue_max_messages_opt =
      queue->add_option("--max-messages", queue_max_messages, "Create it for N messages")
          ->type_name("N");
  CLI::Option* queue_max_size_opt =
      queue->add_option("--max-message-size", queue_max_size, "Of at most SIZE bytes each")
          ->type_name("SIZE");
  queue->add_flag("--hold", qo.hold,
                  "Keep the queue alive: print \"ready NAME\" and wait for Ctrl-C/SIGTERM");
  queue->footer(footer(
      "  mmf queue jobs --max-messages 64 --max-message-size 4KiB --hold &\n"
      "  mmf queue jobs                           # messages waiting, capacity\n"
      "A queue, like a non-persisted map, lives only while some process holds it: create it with\n"
      "--hold (both sizes needed; an existing queue is opened and keeps its own sizes) or from a\n"
      "program, then send and receive from anywhere. Without the sizes, the queue must exist."));
  queue->footer(std::string(queue->get_footer()) + "\n" + kSizeHelp);

  send_options so;
  std::string send_text, send_hex, send_file, send_timeout;
  CLI::App* send = app.add_subcommand("send", "Send one message to a message queue");
  send->add_option("NAME", so.name, "The queue's name")->required();
  CLI::Option* send_text_opt =
      send->add_option("--text", send_text, "The bytes of S (no terminating NUL)")->type_name("S");
  CLI::Option* send_hex_opt =
      send->add_option("--hex", send_hex, "Hex bytes, e.g. deadbeef or 'de ad be ef'")
          ->type_name("HEX");
  CLI::Option* send_file_opt =
      send->add_option("--file", send_file, "The bytes of a file (- for standard input)")
          ->type_name("PATH");
  CLI::Option* send_timeout_opt =
      send->add_option("--timeout", send_timeout,
                       "Give up (exit 1) when the queue stays full this long (default: wait)")
          ->type_name("D");
  send->footer(footer(
      "  mmf send jobs --text 'resize 42'\n"
      "  mmf send jobs --hex 'de ad be ef' --timeout 500ms\n"
      "  tar c dir | mmf send jobs --file -\n"
      "Give exactly one of --text, --hex (empty: a message of 0 bytes) and --file. The queue must\n"
      "exist; a message longer than its largest is refused and nothing is sent (exit 1).\n"
      "Durations: a number with ns, us, ms, s or min (seconds without a unit); 0 means: only if\n"
      "there is room now."));

  receive_options ro;
  std::string receive_timeout, receive_count;
  CLI::App* receive =
      app.add_subcommand("receive", "Receive messages from a message queue and print them");
  receive->add_option("NAME", ro.name, "The queue's name")->required();
  CLI::Option* receive_timeout_opt =
      receive
          ->add_option("--timeout", receive_timeout,
                       "Give up (exit 1) when no message comes this long (default: wait)")
          ->type_name("D");
  CLI::Option* receive_count_opt =
      receive->add_option("--count", receive_count, "Receive N messages (default 1)")
          ->type_name("N");
  receive
      ->add_option("--format", ro.format,
                   "text (default: the bytes and a newline), hex (one line each), raw (the "
                   "bytes only)")
      ->type_name("FORMAT");
  receive->footer(footer(
      "  mmf receive jobs                         # wait for one message, print it\n"
      "  mmf receive jobs --count 10 --timeout 2s --format hex\n"
      "  mmf receive jobs --format raw > message.bin\n"
      "Messages are printed in the order received, each as soon as it arrives. A timeout applies\n"
      "to each message; on a timeout, mmf says how many it received and exits 1.\n"
      "Durations: a number with ns, us, ms, s or min (seconds without a unit); 0 means: only\n"
      "what is waiting now."));

  // ---- demo ----
  CLI::App* demo = app.add_subcommand("demo", "Run the seed scenarios (the mmf_demo program)");
  demo->footer(footer(
      "  mmf demo\n"
      "  mmf demo -- --help                   # mmf_demo's own help\n"
      "Runs mmf_demo (built from examples/), passing every argument after `demo` through (a first\n"
      "`--` is dropped), and exits with its exit code. It is looked for in $MMF_DEMO when set "
      "(only\n"
      "there), else next to mmf, in this build tree, and on PATH."));

  // ---- bench ----
  CLI::App* bench = app.add_subcommand("bench", "Run the side-by-side benchmark (mmf-bench)");
  bench->footer(footer(
      "  mmf bench\n"
      "  mmf bench --benchmark_filter=Accessor\n"
      "  mmf bench -- --help                  # mmf-bench's own help\n"
      "Runs mmf-bench, passing every argument after `bench` through (a first `--` is dropped),\n"
      "and exits with its exit code. It is looked for in $MMF_BENCH when set (only there), else\n"
      "next to mmf, in this build tree, and on PATH."));

  // `mmf bench ARGS…` and `mmf demo ARGS…` pass every argument through untouched (also options
  // such as --benchmark_filter=x), so they are dispatched before CLI11 sees them; only a first
  // -h/--help is ours. A first `--` is dropped: `mmf bench -- --help` shows mmf-bench's help.
  if (argc >= 2 && (std::string_view(argv[1]) == "bench" || std::string_view(argv[1]) == "demo")) {
    std::vector<std::string> rest(argv + 2, argv + argc);
    const bool own_help = !rest.empty() && (rest[0] == "-h" || rest[0] == "--help");
    if (!own_help) {
      if (!rest.empty() && rest[0] == "--") rest.erase(rest.begin());
      return std::string_view(argv[1]) == "bench" ? run_bench(rest) : run_demo(rest);
    }
  }

  // Positionals read better in --help without CLI11's "TEXT" type tag: their help says it all.
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    for (CLI::Option* opt : sub->get_options())
      if (opt->get_positional()) opt->type_name("");

  // An unknown first word is most likely a mistyped command: say so (CLI11 would only say that a
  // subcommand is required).
  if (argc >= 2 && argv[1][0] != '-') {
    std::string names;
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      names += (names.empty() ? "" : ", ") + sub->get_name();
      known = known || sub->get_name() == argv[1];
    }
    if (!known) {
      fmt::print(stderr,
                 "mmf: error: unknown command {} (commands: {})\nRun `mmf --help` for usage.\n",
                 in_quotes(argv[1]), names);
      return kExitUsage;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    const std::string where =
        app.get_subcommands().empty() ? "mmf" : "mmf " + app.get_subcommands().front()->get_name();
    fmt::print(stderr, "{}: error: {}\nRun `{} --help` for usage.\n", where, e.what(), where);
    return kExitUsage;
  }

  CLI::App* current = app.get_subcommands().empty() ? &app : app.get_subcommands().front();
  const std::string command = current->get_name();
  try {
    if (*list) return run_list(lo);
    if (*create) return run_create(co);
    if (*dump) {
      dopt.target.name = value_of(dump_name_opt, dump_name);
      dopt.target.file = value_of(dump_file_opt, dump_file);
      dopt.offset = value_of(dump_offset_opt, dump_offset);
      dopt.length = value_of(dump_length_opt, dump_length);
      return run_dump(dopt);
    }
    if (*write) {
      std::vector<std::string> positional;
      if (write_name_opt->count() != 0) positional.push_back(write_name);
      if (write_offset_opt->count() != 0) positional.push_back(write_offset);
      if (write_file_opt->count() != 0) {
        if (positional.empty()) throw usage_error("give the OFFSET to write at");
        if (positional.size() > 1)
          throw usage_error(
              fmt::format("give either a map NAME or --file PATH, not both ({} and {})",
                          in_quotes(positional[0]), in_quotes(write_file)));
        wo.target.file = write_file;
        wo.offset = positional[0];
      } else {
        if (positional.empty()) throw usage_error("give a map NAME (or --file PATH) and an OFFSET");
        if (positional.size() == 1) throw usage_error("give the OFFSET to write at, after NAME");
        wo.target.name = positional[0];
        wo.offset = positional[1];
      }
      for (const value_option& v : values)
        if (v.opt->count() != 0) wo.values.emplace_back(v.name, v.text);
      return run_write(wo);
    }
    if (*copy) {
      cpo.source_offset = value_of(copy_src_offset_opt, copy_src_offset);
      cpo.destination_offset = value_of(copy_dst_offset_opt, copy_dst_offset);
      cpo.length = value_of(copy_length_opt, copy_length);
      return run_copy(cpo);
    }
    if (*fill) {
      fo.target.name = value_of(fill_name_opt, fill_name);
      fo.target.file = value_of(fill_file_opt, fill_file);
      fo.offset = value_of(fill_offset_opt, fill_offset);
      fo.length = value_of(fill_length_opt, fill_length);
      return run_fill(fo);
    }
    if (*gc) return run_gc(go);
    if (*path) return run_path(path_name);
    if (*queue) {
      qo.max_messages = value_of(queue_max_messages_opt, queue_max_messages);
      qo.max_message_size = value_of(queue_max_size_opt, queue_max_size);
      return run_queue(qo);
    }
    if (*send) {
      so.text = value_of(send_text_opt, send_text);
      so.hex = value_of(send_hex_opt, send_hex);
      so.file = value_of(send_file_opt, send_file);
      so.timeout = value_of(send_timeout_opt, send_timeout);
      return run_send(so);
    }
    if (*receive) {
      ro.timeout = value_of(receive_timeout_opt, receive_timeout);
      ro.count = value_of(receive_count_opt, receive_count);
      return run_receive(ro);
    }
    if (*segment) {
      sgo.file = value_of(segment_file_opt, segment_file);
      std::size_t at = 0;
      // "check" is the command when a NAME (or --file) follows; alone, it is a segment's name.
      const std::size_t check_words = sgo.file ? 1 : 2;
      if (!segment_words.empty() && segment_words[0] == "check" &&
          segment_words.size() >= check_words) {
        sgo.check = true;
        at = 1;
      } else if (!segment_words.empty() && segment_words[0] == "create") {
        sgo.create = true;
        at = 1;
      }
      if (segment_words.size() > at + 1) throw usage_error("too many words after `segment`");
      if (segment_words.size() == at + 1) {
        if (sgo.create)
          sgo.size = segment_words[at];
        else
          sgo.name = segment_words[at];
      }
      for (const std::string& item : segment_u64) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
          throw usage_error("--u64 takes NAME=VALUE, not \"" + item + "\"");
        sgo.u64_objects.emplace_back(item.substr(0, eq), item.substr(eq + 1));
      }
      if (!sgo.create && !sgo.u64_objects.empty())
        throw usage_error("--u64 is for `segment create`");
      return run_segment(sgo);
    }
    if (*demo) return run_demo({});  // reached only through main's pass-through above
    if (*bench) return run_bench({});
  } catch (const usage_error& e) {
    fmt::print(stderr, "mmf {}: error: {}\nRun `mmf {} --help` for usage.\n", command, e.what(),
               command);
    return kExitUsage;
  } catch (const mmf::error& e) {
    fmt::print(stderr, "mmf {}: error: {}{}\n", command, e.what(), hint_for(e));
    return kExitFailure;
  } catch (const std::exception& e) {
    fmt::print(stderr, "mmf {}: error: {}\n", command, e.what());
    return kExitFailure;
  }
  return kExitUsage;
}
