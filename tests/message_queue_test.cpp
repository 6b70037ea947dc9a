// mmf — tests of <mmf/message_queue.hpp>: arguments and error rows, empty and moved-from objects,
// sizes at their boundaries, FIFO, full and empty with try/for, timeouts, zero-copy loans, and
// across processes: messages between processes, a sender killed holding a loan, a receiver
// killed holding a message. (Multi-thread MPMC: message_queue_mt_test.cpp.)
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/message_queue.hpp>

#include "support/error_assertions.hpp"
#include "support/test_support.hpp"
#include "support/timeouts.hpp"

namespace {

using namespace std::chrono_literals;
using mmf::message_queue;
using mmf_test::unique_name;

std::span<const std::byte> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

std::string text(std::span<const std::byte> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Receives one message as text (fails the test when none comes within 5 s).
std::string receive_text(message_queue& q) {
  std::vector<std::byte> buffer(q.max_message_size());
  const auto n = q.receive_for(buffer, 5s);
  EXPECT_TRUE(n.has_value()) << "no message";
  return n ? text({buffer.data(), *n}) : std::string();
}

TEST(MessageQueue, EmptyAndMovedFromObjectsThrowBadFileDescriptor) {
  message_queue q;
  EXPECT_FALSE(q);
  EXPECT_TRUE(q.name().empty());
  EXPECT_EQ(q.max_messages(), 0u);
  EXPECT_EQ(q.max_message_size(), 0u);
  std::byte buffer[8]{};
  EXPECT_MMF_ERROR(q.send(bytes_of("x")), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(q.try_send(bytes_of("x")), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(q.send_for(bytes_of("x"), 1ms), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(q.receive(buffer), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(q.try_receive(buffer), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(q.receive_for(buffer, 1ms), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(q.size(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(q.loan(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(q.try_loan(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(q.loan_for(1ms), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(q.receive_in_place(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(q.try_receive_in_place(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(q.receive_in_place_for(1ms), std::errc::bad_file_descriptor);

  const auto name = unique_name("mq");
  auto a = message_queue::create_new(name, 4, 16);
  EXPECT_TRUE(a);
  message_queue b(std::move(a));
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(b);
  EXPECT_EQ(b.name(), name);
  EXPECT_MMF_ERROR(a.try_send(bytes_of("x")), std::errc::bad_file_descriptor);
  message_queue c;
  c = std::move(b);
  EXPECT_FALSE(b);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c.max_messages(), 4u);
  EXPECT_EQ(c.max_message_size(), 16u);
}

TEST(MessageQueue, ErrorRows) {
  const auto name = unique_name("mq");
  EXPECT_MMF_ERROR(message_queue::create_new(name, 0, 16), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(message_queue::create_new(name, 4, 0), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(message_queue::create_or_open(name, 0, 16), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(message_queue::create_new("", 4, 16), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(message_queue::create_new("a/b", 4, 16), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(message_queue::open_existing(".."), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(message_queue::open_existing(name), std::errc::no_such_file_or_directory);
  // Sizes nothing can hold: refused before anything is reserved.
  constexpr auto huge = std::numeric_limits<std::size_t>::max();
  EXPECT_TRUE(mmf_test::throws_mmf_error([&] { message_queue::create_new(name, huge, 16); },
                                         std::errc::not_enough_memory) ||
              mmf_test::throws_mmf_error([&] { message_queue::create_new(name, huge, 16); },
                                         std::errc::no_space_on_device));
  EXPECT_MMF_ERROR(message_queue::create_new(name, 2, huge), std::errc::not_enough_memory);
  EXPECT_MMF_ERROR(message_queue::create_new(name, huge / 64, huge / 64),
                   std::errc::not_enough_memory);
  std::error_code ec;
  auto q = message_queue::create_new(name, 1u << 30, 1u << 20, ec);  // 1 PiB
  EXPECT_FALSE(q);
  EXPECT_TRUE(ec == std::errc::not_enough_memory || ec == std::errc::no_space_on_device) << ec;
  // Nothing was created by the rejected calls.
  EXPECT_MMF_ERROR(message_queue::open_existing(name), std::errc::no_such_file_or_directory);

  q = message_queue::create_new(name, 2, 8, ec);
  ASSERT_TRUE(q) << ec;
  EXPECT_FALSE(ec);
  const std::string what =
      MMF_ERROR_WHAT(message_queue::create_new(name, 2, 8), std::errc::file_exists);
  EXPECT_NE(what.find("create_new"), std::string::npos) << what;
  EXPECT_NE(what.find(name), std::string::npos) << what;
  auto again = message_queue::create_new(name, 2, 8, ec);
  EXPECT_FALSE(again);
  EXPECT_EQ(ec, std::errc::file_exists);
  auto missing = message_queue::open_existing(unique_name("mq"), ec);
  EXPECT_FALSE(missing);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
  auto bad = message_queue::create_or_open("", 2, 8, nullptr, ec);
  EXPECT_FALSE(bad);
  EXPECT_EQ(ec, std::errc::invalid_argument);
}

TEST(MessageQueue, CreateOrOpenIgnoresTheSizesOfAnExistingQueue) {
  const auto name = unique_name("mq");
  bool created = false;
  auto a = message_queue::create_or_open(name, 3, 10, &created);
  EXPECT_TRUE(created);
  auto b = message_queue::create_or_open(name, 100, 1000, &created);
  EXPECT_FALSE(created);
  EXPECT_EQ(b.max_messages(), 3u);
  EXPECT_EQ(b.max_message_size(), 10u);
  auto c = message_queue::open_existing(name);
  EXPECT_EQ(c.max_messages(), 3u);
  EXPECT_EQ(c.name(), name);
  std::error_code ec;
  auto d = message_queue::create_or_open(name, 1, 1, &created, ec);
  EXPECT_TRUE(d);
  EXPECT_FALSE(created);
  // The same queue: a message sent through one handle arrives through another.
  a.send(bytes_of("hello"));
  EXPECT_EQ(c.size(), 1u);
  EXPECT_EQ(receive_text(d), "hello");
  // Local\ is the default scope; Global\ is another queue.
  auto local = message_queue::open_existing("Local\\" + name);
  EXPECT_EQ(local.max_messages(), 3u);
  EXPECT_MMF_ERROR(message_queue::open_existing("Global\\" + name),
                   std::errc::no_such_file_or_directory);
}

TEST(MessageQueue, GoneWithItsLastHandle) {
  const auto name = unique_name("mq");
  {
    auto q = message_queue::create_new(name, 2, 8);
    auto r = message_queue::open_existing(name);
    q = message_queue();
    EXPECT_TRUE(message_queue::open_existing(name));  // r still holds it
  }
  EXPECT_MMF_ERROR(message_queue::open_existing(name), std::errc::no_such_file_or_directory);
}

TEST(MessageQueue, BoundarySizesAndZeroByteMessages) {
  auto q = message_queue::create_new(unique_name("mq"), 4, 5);
  std::vector<std::byte> buffer(5);
  // A message of exactly max_message_size fits; one more byte is value_too_large, nothing sent.
  EXPECT_TRUE(q.try_send(bytes_of("12345")));
  EXPECT_MMF_ERROR(q.send(bytes_of("123456")), std::errc::value_too_large);
  EXPECT_MMF_ERROR(q.try_send(bytes_of("123456")), std::errc::value_too_large);
  EXPECT_MMF_ERROR(q.send_for(bytes_of("123456"), 1ms), std::errc::value_too_large);
  EXPECT_EQ(q.size(), 1u);
  // A 0-byte message is a message.
  EXPECT_TRUE(q.try_send({}));
  EXPECT_EQ(q.size(), 2u);
  // A buffer one byte short: value_too_large and the message stays at the head.
  std::vector<std::byte> small(4);
  EXPECT_MMF_ERROR(q.receive(small), std::errc::value_too_large);
  EXPECT_MMF_ERROR(q.try_receive(small), std::errc::value_too_large);
  EXPECT_MMF_ERROR(q.receive_for(small, 1ms), std::errc::value_too_large);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.try_receive(buffer), std::optional<std::size_t>(5));
  EXPECT_EQ(text(buffer), "12345");
  // The 0-byte message needs no buffer at all.
  EXPECT_EQ(q.try_receive(std::span<std::byte>()), std::optional<std::size_t>(0));
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.try_receive(buffer), std::nullopt);
}

TEST(MessageQueue, FifoFullAndEmpty) {
  auto q = message_queue::create_new(unique_name("mq"), 3, 8);
  std::vector<std::byte> buffer(8);
  EXPECT_EQ(q.try_receive(buffer), std::nullopt);
  EXPECT_EQ(q.receive_for(buffer, 0ms), std::nullopt);
  EXPECT_EQ(q.receive_for(buffer, -5ms), std::nullopt);
  // Several laps of the ring, FIFO each time.
  for (int lap = 0; lap < 5; ++lap) {
    for (int i = 0; i < 3; ++i)
      EXPECT_TRUE(q.try_send(bytes_of(std::to_string(lap * 10 + i))));
    EXPECT_EQ(q.size(), 3u);
    EXPECT_FALSE(q.try_send(bytes_of("full")));
    EXPECT_FALSE(q.send_for(bytes_of("full"), 0ms));
    EXPECT_FALSE(q.send_for(bytes_of("full"), -1ms));
    for (int i = 0; i < 3; ++i)
      EXPECT_EQ(receive_text(q), std::to_string(lap * 10 + i));
    EXPECT_EQ(q.try_receive(buffer), std::nullopt);
  }
}

TEST(MessageQueue, TimeoutsAreHonoured) {
  auto q = message_queue::create_new(unique_name("mq"), 1, 8);
  std::vector<std::byte> buffer(8);
  mmf_test::expect_timeout_honoured(
      50ms, [&](std::chrono::milliseconds d) { return q.receive_for(buffer, d).has_value(); });
  ASSERT_TRUE(q.try_send(bytes_of("a")));
  mmf_test::expect_timeout_honoured(
      50ms, [&](std::chrono::milliseconds d) { return q.send_for(bytes_of("b"), d); });
  mmf_test::expect_timeout_honoured(
      50ms, [&](std::chrono::milliseconds d) { return static_cast<bool>(q.loan_for(d)); });
}

TEST(MessageQueue, BlockingCallsWakeUp) {
  const auto name = unique_name("mq");
  auto q = message_queue::create_new(name, 1, 8);
  auto other = message_queue::open_existing(name);
  std::vector<std::byte> buffer(8);
  // A receiver asleep on an empty queue is woken by a send.
  auto t = mmf_test::run_after(50ms, [&] { other.send(bytes_of("late")); });
  EXPECT_EQ(q.receive(buffer), 4u);
  t.join();
  EXPECT_EQ(text({buffer.data(), 4}), "late");
  // A sender asleep on a full queue is woken by a receive.
  q.send(bytes_of("one"));
  auto r = mmf_test::run_after(50ms, [&] { EXPECT_TRUE(other.receive_for(buffer, 5s)); });
  q.send(bytes_of("two"));
  r.join();
  EXPECT_EQ(receive_text(q), "two");
}

TEST(MessageQueue, ZeroCopyLoans) {
  auto q = message_queue::create_new(unique_name("mq"), 3, 6);
  {
    auto loan = q.loan();
    ASSERT_TRUE(loan);
    EXPECT_EQ(loan.buffer().size(), 6u);
    std::memcpy(loan.buffer().data(), "abc", 3);
    EXPECT_EQ(q.try_receive_in_place().size(), 0u);  // not visible before publish
    EXPECT_FALSE(q.try_receive_in_place());
    EXPECT_MMF_ERROR(loan.publish(7), std::errc::value_too_large);
    EXPECT_TRUE(loan);  // unchanged by the refused publish
    loan.publish(3);
    EXPECT_FALSE(loan);
    EXPECT_MMF_ERROR(loan.publish(1), std::errc::bad_file_descriptor);
    EXPECT_TRUE(loan.buffer().empty());
  }
  {
    auto cancelled = q.loan();  // destroyed unpublished: cancelled, the slot skipped
  }
  auto moved = q.try_loan();
  ASSERT_TRUE(moved);
  auto owner = std::move(moved);
  EXPECT_FALSE(moved);  // NOLINT(bugprone-use-after-move)
  owner.cancel();
  EXPECT_FALSE(owner);
  owner.cancel();  // a no-op now
  {
    auto m = q.receive_in_place();
    ASSERT_TRUE(m);
    EXPECT_EQ(text(m.bytes()), "abc");
    EXPECT_EQ(m.size(), 3u);
    auto n = std::move(m);
    EXPECT_FALSE(m);  // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(m.bytes().empty());
    EXPECT_EQ(text(n.bytes()), "abc");
  }  // released
  EXPECT_EQ(q.size(), 0u);
  EXPECT_FALSE(q.try_receive_in_place());
  EXPECT_FALSE(q.receive_in_place_for(1ms));
  // Full: try_loan and loan_for give empty loans; a loan outlives its queue object.
  message_queue::send_loan last;
  {
    auto a = q.loan();
    auto b = q.loan();
    auto c = q.loan();
    EXPECT_FALSE(q.try_loan());
    EXPECT_FALSE(q.loan_for(1ms));
    a.publish(0);
    c = message_queue::send_loan();  // cancels it
    last = std::move(b);
    auto r = message_queue::open_existing(q.name());
    q = message_queue();
    std::memcpy(last.buffer().data(), "tail", 4);
    last.publish(4);
    EXPECT_EQ(receive_text(r), "");
    EXPECT_EQ(receive_text(r), "tail");
  }
}

TEST(MessageQueue, ALoanHoldsUpTheReceiversBehindIt) {
  auto q = message_queue::create_new(unique_name("mq"), 4, 8);
  auto first = q.loan();
  q.send(bytes_of("second"));
  std::vector<std::byte> buffer(8);
  EXPECT_EQ(q.try_receive(buffer), std::nullopt);  // FIFO: "second" waits for the loan
  std::memcpy(first.buffer().data(), "first", 5);
  first.publish(5);
  EXPECT_EQ(receive_text(q), "first");
  EXPECT_EQ(receive_text(q), "second");
}

// ---- Across processes

TEST(MessageQueue, MessagesBetweenProcesses) {
  const auto name = unique_name("mq");
  auto q = message_queue::create_new(name, 2, 32);
  auto sender = mmf_test::spawn_helper({"queue_send", name, "one", "two", "three", "four"});
  EXPECT_EQ(receive_text(q), "one");
  EXPECT_EQ(receive_text(q), "two");
  EXPECT_EQ(receive_text(q), "three");
  EXPECT_EQ(receive_text(q), "four");
  EXPECT_EQ(sender.read_line(), std::optional<std::string>("sent"));
  EXPECT_EQ(sender.wait(), 0);
  auto receiver = mmf_test::spawn_helper({"queue_receive", name, "2", "5000"});
  q.send(bytes_of("back"));
  q.send(bytes_of(""));
  EXPECT_EQ(receiver.read_line(), std::optional<std::string>("got back"));
  EXPECT_EQ(receiver.read_line(), std::optional<std::string>("got "));
  EXPECT_EQ(receiver.wait(), 0);
}

TEST(MessageQueue, OpenedByAnotherProcessAndGoneWithBoth) {
  const auto name = unique_name("mq");
  auto holder = mmf_test::spawn_helper({"queue_hold", name, "3", "7"});
  EXPECT_EQ(holder.read_line(), std::optional<std::string>("created"));
  auto q = message_queue::open_existing(name);
  EXPECT_EQ(q.max_messages(), 3u);
  EXPECT_EQ(q.max_message_size(), 7u);
  holder.kill();
  EXPECT_TRUE(message_queue::open_existing(name));  // we still hold it
  q = message_queue();
  EXPECT_MMF_ERROR(message_queue::open_existing(name), std::errc::no_such_file_or_directory);
}

TEST(MessageQueue, ASenderKilledHoldingALoanIsSkipped) {
  const auto name = unique_name("mq");
  auto q = message_queue::create_new(name, 2, 8);
  auto child = mmf_test::spawn_helper({"queue_loan_hold", name});
  ASSERT_EQ(child.read_line(), std::optional<std::string>("loaned"));
  q.send(bytes_of("after"));
  std::vector<std::byte> buffer(8);
  EXPECT_EQ(q.try_receive(buffer), std::nullopt);  // held up by the live loan
  child.kill();
  // The dead sender's slot is skipped; its unpublished bytes are never seen.
  EXPECT_EQ(receive_text(q), "after");
  EXPECT_EQ(q.try_receive(buffer), std::nullopt);
  // The ring still works for whole laps afterwards.
  for (int i = 0; i < 5; ++i) {
    q.send(bytes_of(std::to_string(i)));
    EXPECT_EQ(receive_text(q), std::to_string(i));
  }
}

TEST(MessageQueue, AReceiverKilledHoldingAMessageFreesItsSlot) {
  const auto name = unique_name("mq");
  auto q = message_queue::create_new(name, 1, 8);
  q.send(bytes_of("taken"));
  auto child = mmf_test::spawn_helper({"queue_take_hold", name});
  ASSERT_EQ(child.read_line(), std::optional<std::string>("took taken"));
  EXPECT_FALSE(q.try_send(bytes_of("x")));  // the slot is still being read
  child.kill();
  EXPECT_TRUE(q.send_for(bytes_of("next"), 5s));
  EXPECT_EQ(receive_text(q), "next");
}

TEST(MessageQueue, TryCallsAlsoReclaimADeadClaim) {
  const auto name = unique_name("mq");
  auto q = message_queue::create_new(name, 1, 8);
  auto child = mmf_test::spawn_helper({"queue_loan_hold", name});
  ASSERT_EQ(child.read_line(), std::optional<std::string>("loaned"));
  child.kill();
  // Only try_send is called: the liveness rule still applies to it.
  EXPECT_TRUE(mmf_test::wait_until([&] { return q.try_send(bytes_of("ok")); }, 5000ms));
  EXPECT_EQ(receive_text(q), "ok");
}

}  // namespace
