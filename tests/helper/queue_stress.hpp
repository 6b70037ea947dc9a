// mmf tests — the message-queue stress messages and the shared board their senders and receivers
// report to (the helper's queue_sender / queue_receiver, message_queue_mt_test.cpp and the
// reliability suite).
//
// A message: u32 sender, u32 its own size, u64 sequence, u64 checksum (FNV-1a of every other
// byte), then filler bytes derived from (sender, sequence). A torn or mixed message fails check().
//
// The board (a named map of board_bytes(senders, count) bytes, zeroed):
//   0    u64 stop flag (set by the parent when the senders are done)
//   8    u64 torn messages seen
//   16   u64 per-sender order violations seen (by one receiver)
//   64   u64 acked[sender]: sequence + 1 of the last message whose send returned (32 senders max)
//   512  u8 seen[sender][sequence]: how many times that message was received
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace mmf_stress {

constexpr std::size_t min_message = 24;
constexpr std::uint32_t max_senders = 32;

inline std::uint64_t board_bytes(std::uint32_t senders, std::uint64_t count) {
  return 512 + std::uint64_t{senders} * count;
}

class layout {
 public:
  explicit layout(std::span<std::byte> bytes) : base_(bytes.data()) {}
  std::atomic<std::uint64_t>& stop() const { return word(0); }
  std::atomic<std::uint64_t>& torn() const { return word(8); }
  std::atomic<std::uint64_t>& out_of_order() const { return word(16); }
  std::atomic<std::uint64_t>& acked(std::uint32_t sender) const { return word(64 + 8 * sender); }
  std::atomic<std::uint8_t>& seen(std::uint32_t sender, std::uint64_t seq,
                                  std::uint64_t count) const {
    return *reinterpret_cast<std::atomic<std::uint8_t>*>(base_ + 512 + sender * count + seq);
  }

 private:
  std::atomic<std::uint64_t>& word(std::size_t offset) const {
    return *reinterpret_cast<std::atomic<std::uint64_t>*>(base_ + offset);
  }
  std::byte* base_;
};

inline std::uint64_t checksum(std::span<const std::byte> m) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (i >= 16 && i < 24) continue;  // the checksum field itself
    h = (h ^ static_cast<std::uint8_t>(m[i])) * 1099511628211ull;
  }
  return h;
}

inline void fill(std::span<std::byte> m, std::uint32_t sender, std::uint64_t seq) {
  const auto size = static_cast<std::uint32_t>(m.size());
  std::memcpy(m.data(), &sender, 4);
  std::memcpy(m.data() + 4, &size, 4);
  std::memcpy(m.data() + 8, &seq, 8);
  for (std::size_t i = min_message; i < m.size(); ++i)
    m[i] = static_cast<std::byte>((seq * 31 + sender * 7 + i) & 0xff);
  const std::uint64_t sum = checksum(m);
  std::memcpy(m.data() + 16, &sum, 8);
}

inline bool check(std::span<const std::byte> m, std::uint32_t& sender, std::uint64_t& seq) {
  if (m.size() < min_message) return false;
  std::uint32_t size = 0;
  std::uint64_t sum = 0;
  std::memcpy(&sender, m.data(), 4);
  std::memcpy(&size, m.data() + 4, 4);
  std::memcpy(&seq, m.data() + 8, 8);
  std::memcpy(&sum, m.data() + 16, 8);
  return size == m.size() && sum == checksum(m);
}

}  // namespace mmf_stress
