// mmf tests — helper commands for message_queue (message_queue_test.cpp, tests/posix/queue_test.cpp
// and the reliability suite).
//
//   queue_hold <name> <max_messages> <max_size>
//                                create_or_open, print "created" or "opened", then wait for end of
//                                stdin (or "exit") and exit 0.
//   queue_send <name> <text>...  open_existing, send each text as one message, print "sent".
//   queue_receive <name> <n> <ms>
//                                open_existing, receive_for(ms) n times, printing each message as
//                                "got <text>" or "timeout"; exits 0.
//   queue_loan_hold <name>       open_existing, take a send_loan, fill it with "torn", print
//                                "loaned", then block reading stdin (to be killed).
//   queue_take_hold <name>       open_existing, receive_in_place, print "took <text>", then block
//                                reading stdin (to be killed).
//   queue_sender <queue> <map> <sender> <count> <size>
//                                the stress sender: sends `count` messages of `size` bytes
//                                (>= 24) carrying (sender, sequence, checksum); after each send
//                                returns, stores sequence + 1 at acked[sender] in the map
//                                (queue_stress_layout below). Prints "done".
//   queue_receiver <queue> <map> <senders> <count>
//                                the stress receiver: receives until the map's stop flag is set
//                                and the queue is empty; counts each (sender, sequence) in the
//                                map, and torn messages and per-sender order violations. Prints
//                                "done".
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/message_queue.hpp>
#include <mmf/view_accessor.hpp>

#include "helper/helper.hpp"
#include "helper/queue_stress.hpp"

namespace {

std::span<const std::byte> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

void block_on_stdin() {
  for (;;) {
    mmf_helper::listen();
    if (mmf_helper::stdin_closed()) std::this_thread::sleep_for(std::chrono::hours(1));
  }
}

}  // namespace

MMF_HELPER_COMMAND(queue_hold) {
  if (argc != 4) throw mmf_helper::usage_error{"queue_hold <name> <max_messages> <max_size>"};
  bool created = false;
  auto q = mmf::message_queue::create_or_open(
      argv[1], static_cast<std::size_t>(mmf_helper::to_u64(argv[2])),
      static_cast<std::size_t>(mmf_helper::to_u64(argv[3])), &created);
  mmf_helper::say(created ? "created" : "opened");
  for (;;) {
    const std::string line = mmf_helper::listen();
    if (mmf_helper::stdin_closed() || line == "exit") return 0;
  }
}

MMF_HELPER_COMMAND(queue_send) {
  if (argc < 2) throw mmf_helper::usage_error{"queue_send <name> <text>..."};
  auto q = mmf::message_queue::open_existing(argv[1]);
  for (int i = 2; i < argc; ++i)
    q.send(as_bytes(argv[i]));
  mmf_helper::say("sent");
  return 0;
}

MMF_HELPER_COMMAND(queue_receive) {
  if (argc != 4) throw mmf_helper::usage_error{"queue_receive <name> <n> <ms>"};
  auto q = mmf::message_queue::open_existing(argv[1]);
  const auto n = mmf_helper::to_u64(argv[2]);
  const auto ms = std::chrono::milliseconds(static_cast<std::int64_t>(mmf_helper::to_u64(argv[3])));
  std::vector<std::byte> buffer(q.max_message_size());
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto got = q.receive_for(buffer, ms);
    if (!got) {
      mmf_helper::say("timeout");
      continue;
    }
    mmf_helper::say("got " + std::string(reinterpret_cast<const char*>(buffer.data()), *got));
  }
  return 0;
}

MMF_HELPER_COMMAND(queue_loan_hold) {
  if (argc != 2) throw mmf_helper::usage_error{"queue_loan_hold <name>"};
  auto q = mmf::message_queue::open_existing(argv[1]);
  auto loan = q.loan();
  std::memcpy(loan.buffer().data(), "torn", loan.buffer().size() < 4 ? loan.buffer().size() : 4);
  mmf_helper::say("loaned");
  block_on_stdin();
  return 0;
}

MMF_HELPER_COMMAND(queue_take_hold) {
  if (argc != 2) throw mmf_helper::usage_error{"queue_take_hold <name>"};
  auto q = mmf::message_queue::open_existing(argv[1]);
  auto m = q.receive_in_place();
  mmf_helper::say("took " +
                  std::string(reinterpret_cast<const char*>(m.bytes().data()), m.bytes().size()));
  block_on_stdin();
  return 0;
}

MMF_HELPER_COMMAND(queue_sender) {
  if (argc != 6)
    throw mmf_helper::usage_error{"queue_sender <queue> <map> <sender> <count> <size>"};
  auto q = mmf::message_queue::open_existing(argv[1]);
  auto map = mmf::memory_mapped_file::open_existing(argv[2]);
  auto view = map.create_view_accessor();
  mmf_stress::layout board(view.bytes());
  const auto sender = static_cast<std::uint32_t>(mmf_helper::to_u64(argv[3]));
  const auto count = mmf_helper::to_u64(argv[4]);
  const auto size = static_cast<std::size_t>(mmf_helper::to_u64(argv[5]));
  if (size < mmf_stress::min_message || size > q.max_message_size())
    throw mmf_helper::usage_error{"queue_sender: size out of range"};
  std::vector<std::byte> message(size);
  for (std::uint64_t seq = 0; seq < count; ++seq) {
    mmf_stress::fill(message, sender, seq);
    q.send(message);
    board.acked(sender).store(seq + 1, std::memory_order_release);
  }
  mmf_helper::say("done");
  return 0;
}

MMF_HELPER_COMMAND(queue_receiver) {
  if (argc != 5) throw mmf_helper::usage_error{"queue_receiver <queue> <map> <senders> <count>"};
  auto q = mmf::message_queue::open_existing(argv[1]);
  auto map = mmf::memory_mapped_file::open_existing(argv[2]);
  auto view = map.create_view_accessor();
  mmf_stress::layout board(view.bytes());
  const auto senders = static_cast<std::uint32_t>(mmf_helper::to_u64(argv[3]));
  const auto count = mmf_helper::to_u64(argv[4]);
  std::vector<std::uint64_t> next(senders, 0);  // the lowest sequence still allowed per sender
  std::vector<std::byte> buffer(q.max_message_size());
  for (;;) {
    const bool stopping = board.stop().load(std::memory_order_acquire) != 0;
    const auto got = q.receive_for(buffer, std::chrono::milliseconds(20));
    if (!got) {
      if (stopping) break;
      continue;
    }
    std::uint32_t sender = 0;
    std::uint64_t seq = 0;
    if (!mmf_stress::check({buffer.data(), *got}, sender, seq) || sender >= senders ||
        seq >= count) {
      board.torn().fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (seq < next[sender]) board.out_of_order().fetch_add(1, std::memory_order_relaxed);
    next[sender] = seq + 1;
    board.seen(sender, seq, count).fetch_add(1, std::memory_order_relaxed);
  }
  mmf_helper::say("done");
  return 0;
}
