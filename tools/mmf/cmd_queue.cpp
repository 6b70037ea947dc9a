// mmf tool — queue, send and receive: the commands of message queues (mmf::message_queue).
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <mmf/error.hpp>
#include <mmf/message_queue.hpp>

#include "commands.hpp"
#include "parse.hpp"
#include "platform.hpp"
#include "target.hpp"

namespace mmf::tool {
namespace {

// The queue's sizes as given: both or neither.
struct queue_sizes {
  std::size_t max_messages = 0;
  std::size_t max_message_size = 0;
};

std::optional<queue_sizes> parse_queue_sizes(const std::optional<std::string>& messages,
                                             const std::optional<std::string>& size) {
  if (!messages && !size) return std::nullopt;
  if (!messages || !size)
    throw usage_error(
        "give both --max-messages and --max-message-size (to create the queue), or "
        "neither (to open an existing one)");
  queue_sizes q;
  const std::uint64_t n = parse_unsigned(*messages, 0x7fffffff, "--max-messages");
  const std::uint64_t s = parse_size(*size, "--max-message-size");
  if (n == 0) throw usage_error("--max-messages must be at least 1");
  if (s == 0) throw usage_error("--max-message-size must be at least 1 byte");
  if (s > static_cast<std::uint64_t>(static_cast<std::size_t>(-1)))
    throw usage_error(fmt::format("--max-message-size {} does not fit in this process's memory",
                                  in_quotes(*size)));
  q.max_messages = static_cast<std::size_t>(n);
  q.max_message_size = static_cast<std::size_t>(s);
  return q;
}

std::optional<std::chrono::nanoseconds> optional_duration(const std::optional<std::string>& text,
                                                          std::string_view what) {
  if (!text) return std::nullopt;
  return parse_duration(*text, what);
}

// The message of `mmf send`: exactly one of --text, --hex and --file (a path, or - for standard
// input).
std::vector<std::byte> message_of(const send_options& o) {
  const int given = (o.text ? 1 : 0) + (o.hex ? 1 : 0) + (o.file ? 1 : 0);
  if (given != 1) throw usage_error("give exactly one of --text S, --hex H and --file F");
  if (o.text) {
    const auto* p = reinterpret_cast<const std::byte*>(o.text->data());
    return {p, p + o.text->size()};
  }
  if (o.hex) {
    // An empty --hex is an empty message; anything else must be whole bytes.
    if (o.hex->empty()) return {};
    return parse_hex_bytes(*o.hex, "--hex");
  }
  if (o.file->empty()) throw usage_error("--file needs a path (or - for standard input)");
  std::vector<std::byte> out;
  std::FILE* in = *o.file == "-" ? stdin : std::fopen(o.file->c_str(), "rb");
  if (in == nullptr)
    throw std::runtime_error(fmt::format("cannot open {} to read the message", in_quotes(*o.file)));
  std::array<char, 65536> chunk;
  std::size_t n;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), in)) > 0) {
    const auto* p = reinterpret_cast<const std::byte*>(chunk.data());
    out.insert(out.end(), p, p + n);
  }
  const bool failed = std::ferror(in) != 0;
  if (in != stdin) std::fclose(in);
  if (failed) throw std::runtime_error(fmt::format("cannot read {}", in_quotes(*o.file)));
  return out;
}

enum class message_format : std::uint8_t { text, hex, raw };

message_format find_message_format(std::string_view name) {
  if (name == "text") return message_format::text;
  if (name == "hex") return message_format::hex;
  if (name == "raw") return message_format::raw;
  throw usage_error(fmt::format("--format {} is not one of text, hex, raw", in_quotes(name)));
}

void print_message(std::span<const std::byte> m, message_format f) {
  switch (f) {
    case message_format::text:
      std::fwrite(m.data(), 1, m.size(), stdout);
      std::fputc('\n', stdout);
      break;
    case message_format::hex: {
      std::string line;
      line.reserve(m.size() * 2 + 1);
      for (const std::byte b : m)
        line += fmt::format("{:02x}", static_cast<unsigned>(b));
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), stdout);
      break;
    }
    case message_format::raw:
      std::fwrite(m.data(), 1, m.size(), stdout);
      break;
  }
  std::fflush(stdout);
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

}  // namespace

int run_queue(const queue_options& o) {
  check_map_name(o.name, "NAME");
  const std::optional<queue_sizes> sizes = parse_queue_sizes(o.max_messages, o.max_message_size);
  if (o.hold && !sizes)
    throw usage_error(
        "--hold needs --max-messages and --max-message-size (the queue to create "
        "or open)");
  if (o.hold) prepare_for_interrupt();
  bool created = false;
  mmf::message_queue q = sizes ? mmf::message_queue::create_or_open(
                                     o.name, sizes->max_messages, sizes->max_message_size, &created)
                               : mmf::message_queue::open_existing(o.name);
  if (o.hold) {
    fmt::print("ready {}\n", o.name);
    std::fflush(stdout);
    fmt::print(stderr,
               "holding queue {} ({}, at most {} each, {}); Ctrl-C or SIGTERM releases it\n",
               in_quotes(o.name), plural(q.max_messages(), "message"),
               describe_size(q.max_message_size()), created ? "created" : "opened");
    const std::string why = wait_for_interrupt();
    fmt::print(stderr, "released queue {} ({})\n", in_quotes(o.name), why);
    return kExitOk;
  }
  fmt::print("queue {}: {} of {} waiting, at most {} each\n", in_quotes(o.name), q.size(),
             plural(q.max_messages(), "message"), describe_size(q.max_message_size()));
  if (created)
    fmt::print(stderr,
               "note: the queue was created by this call and goes away again now that mmf exits: "
               "a queue lives only while some process holds it. Use --hold to keep it.\n");
  return kExitOk;
}

int run_send(const send_options& o) {
  check_map_name(o.name, "NAME");
  const std::optional<std::chrono::nanoseconds> timeout = optional_duration(o.timeout, "--timeout");
  const std::vector<std::byte> message = message_of(o);
  mmf::message_queue q = mmf::message_queue::open_existing(o.name);
  if (message.size() > q.max_message_size())
    throw std::runtime_error(fmt::format(
        "send {}: the message of {} is longer than the queue's messages (at most {}); nothing "
        "was sent",
        in_quotes(o.name), describe_size(message.size()), describe_size(q.max_message_size())));
  if (timeout) {
    if (!q.send_for(message, *timeout))
      throw std::runtime_error(
          fmt::format("send {}: the queue stayed full for {}; nothing was sent", in_quotes(o.name),
                      *o.timeout));
  } else {
    q.send(message);
  }
  fmt::print("sent {} to queue {}\n", plural(message.size(), "byte"), in_quotes(o.name));
  return kExitOk;
}

int run_receive(const receive_options& o) {
  check_map_name(o.name, "NAME");
  const std::optional<std::chrono::nanoseconds> timeout = optional_duration(o.timeout, "--timeout");
  const std::uint64_t count = o.count ? parse_unsigned(*o.count, 1'000'000'000, "--count") : 1;
  if (count == 0) throw usage_error("--count must be at least 1");
  const message_format f = find_message_format(o.format);
  mmf::message_queue q = mmf::message_queue::open_existing(o.name);
  std::vector<std::byte> buffer(q.max_message_size());
  for (std::uint64_t i = 0; i < count; ++i) {
    std::size_t n = 0;
    if (timeout) {
      const std::optional<std::size_t> got = q.receive_for(buffer, *timeout);
      if (!got)
        throw std::runtime_error(fmt::format("receive {}: no message within {} ({} of {} received)",
                                             in_quotes(o.name), *o.timeout, i, count));
      n = *got;
    } else {
      n = q.receive(buffer);
    }
    print_message(std::span(buffer).first(n), f);
  }
  return kExitOk;
}

}  // namespace mmf::tool
