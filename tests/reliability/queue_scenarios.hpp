// mmf — the message-queue reliability scenarios (reliability_test.cpp prints their figures):
//   run_queue_stress   S sender and R receiver processes, N messages per sender carrying (sender,
//                      sequence, checksum): lost, duplicated, torn, per-sender order.
//   run_queue_kills    rounds of 2 senders + 2 receivers with one of them SIGKILLed at a random
//                      moment: survivors stuck, torn, duplicated, acknowledged messages lost.
// Processes are the helper's queue_sender / queue_receiver; they report to a shared board
// (helper/queue_stress.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/message_queue.hpp>

#include "helper/queue_stress.hpp"
#include "reliability/scenarios.hpp"

namespace mmf_rel {

struct queue_tally {
  std::uint64_t lost = 0;        // acknowledged, never received
  std::uint64_t duplicated = 0;  // received more than once
  std::uint64_t torn = 0;
  std::uint64_t out_of_order = 0;
};

// Counts over the board for senders whose acknowledged counts are `acked` (messages past a
// sender's acknowledged count may or may not have arrived: only duplicates count there).
inline queue_tally tally_board(const mmf_stress::layout& board, std::uint32_t senders,
                               std::uint64_t count) {
  queue_tally t;
  t.torn = board.torn().load();
  t.out_of_order = board.out_of_order().load();
  for (std::uint32_t s = 0; s < senders; ++s) {
    const std::uint64_t acked = board.acked(s).load();
    for (std::uint64_t i = 0; i < count; ++i) {
      const auto seen = board.seen(s, i, count).load();
      if (seen > 1) ++t.duplicated;
      if (i < acked && seen == 0) ++t.lost;
    }
  }
  return t;
}

struct queue_stress_result {
  queue_tally tally;
  std::uint64_t messages = 0;
  double seconds = 0;
  std::string problem;
};

inline queue_stress_result run_queue_stress(std::uint32_t senders, std::uint32_t receivers,
                                            std::uint64_t count) {
  queue_stress_result r;
  const auto qname = mmf_test::unique_name("relq");
  const auto bname = mmf_test::unique_name("relqb");
  auto q = mmf::message_queue::create_new(qname, 256, 64);
  auto board_map =
      mmf::memory_mapped_file::create_new(bname, mmf_stress::board_bytes(senders, count));
  auto view = board_map.create_view_accessor();
  mmf_stress::layout board(view.bytes());
  const auto start = clock_type::now();
  std::vector<mmf_test::child_process> rx, tx;
  for (std::uint32_t i = 0; i < receivers; ++i)
    rx.push_back(mmf_test::spawn_helper(
        {"queue_receiver", qname, bname, std::to_string(senders), std::to_string(count)}));
  for (std::uint32_t s = 0; s < senders; ++s)
    tx.push_back(mmf_test::spawn_helper(
        {"queue_sender", qname, bname, std::to_string(s), std::to_string(count), "48"}));
  for (auto& c : tx) {
    const auto status = c.wait_for(std::chrono::minutes(5));
    if (status != 0)
      r.problem += "a sender ended with " + std::to_string(status.value_or(-1)) + "; ";
  }
  board.stop().store(1);
  for (auto& c : rx) {
    const auto status = c.wait_for(std::chrono::minutes(1));
    if (status != 0)
      r.problem += "a receiver ended with " + std::to_string(status.value_or(-1)) + "; ";
  }
  r.seconds = seconds_since(start);
  r.tally = tally_board(board, senders, count);
  r.messages = std::uint64_t{senders} * count;
  for (std::uint32_t s = 0; s < senders; ++s)
    if (board.acked(s).load() != count) r.problem += "a sender did not finish; ";
  if (q.size() != 0) r.problem += "messages left in the queue; ";
  return r;
}

struct queue_kill_result {
  std::uint64_t rounds = 0;
  std::uint64_t sender_kills = 0;
  std::uint64_t receiver_kills = 0;
  std::uint64_t stuck = 0;  // rounds where a survivor was not done within 1 s of the kill
  double max_finish_ms = 0;
  queue_tally tally;                 // lost: outside the killed receivers' allowance
  std::uint64_t lost_by_killed = 0;  // lost in rounds whose killed process was a receiver
  std::uint64_t over_allowance = 0;  // rounds where that was more than the one it was taking
  std::string problem;
};

inline queue_kill_result run_queue_kills(std::uint64_t rounds, std::uint64_t count) {
  queue_kill_result r;
  std::mt19937_64 rng(std::random_device{}());
  constexpr std::uint32_t senders = 2;
  for (std::uint64_t round = 0; round < rounds; ++round) {
    const auto qname = mmf_test::unique_name("relqk");
    const auto bname = mmf_test::unique_name("relqkb");
    auto q = mmf::message_queue::create_new(qname, 8, 64);
    auto board_map =
        mmf::memory_mapped_file::create_new(bname, mmf_stress::board_bytes(senders, count));
    auto view = board_map.create_view_accessor();
    mmf_stress::layout board(view.bytes());
    std::vector<mmf_test::child_process> procs;  // 0, 1: receivers; 2, 3: senders
    for (int i = 0; i < 2; ++i)
      procs.push_back(mmf_test::spawn_helper(
          {"queue_receiver", qname, bname, std::to_string(senders), std::to_string(count)}));
    for (std::uint32_t s = 0; s < senders; ++s)
      procs.push_back(mmf_test::spawn_helper(
          {"queue_sender", qname, bname, std::to_string(s), std::to_string(count), "40"}));
    // A random moment: mostly while messages flow (the senders need a few ms to start).
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
    const std::size_t victim = rng() % procs.size();
    const bool receiver_killed = victim < 2;
    procs[victim].kill();
    const auto killed_at = clock_type::now();
    (receiver_killed ? r.receiver_kills : r.sender_kills)++;
    bool stuck = false;
    for (std::size_t i = 2; i < procs.size(); ++i) {
      if (i == victim) continue;
      if (procs[i].wait_for(std::chrono::milliseconds(5000)) != 0) stuck = true;
    }
    board.stop().store(1);
    for (std::size_t i = 0; i < 2; ++i) {
      if (i == victim) continue;
      if (procs[i].wait_for(std::chrono::milliseconds(5000)) != 0) stuck = true;
    }
    const double finish_ms = seconds_since(killed_at) * 1000;
    if (finish_ms > 1000) stuck = true;
    if (finish_ms > r.max_finish_ms) r.max_finish_ms = finish_ms;
    if (stuck) ++r.stuck;
    for (auto& p : procs)
      p.kill();
    const queue_tally t = tally_board(board, senders, count);
    r.tally.torn += t.torn;
    r.tally.duplicated += t.duplicated;
    r.tally.out_of_order += t.out_of_order;
    if (receiver_killed) {
      r.lost_by_killed += t.lost;
      if (t.lost > 1) {
        ++r.over_allowance;
        r.tally.lost += t.lost - 1;
      }
    } else {
      r.tally.lost += t.lost;
    }
    ++r.rounds;
  }
  return r;
}

}  // namespace mmf_rel
