// mmf — the message queue's shared layout and its ring (portable: no OS call here). The layout is
// the wire format between processes, library versions and other languages (docs/message-queue.md
// describes it byte by byte): change it only together with queue_version.
//
// The object, from offset 0 (all integers little-endian on the platforms we support, naturally
// aligned; atomics are plain integers of their size):
//   queue_header                       256 bytes
//   participant table                  participant_count entries of 16 bytes (queue_participant)
//   slots                              max_messages slots of slot_stride bytes each:
//                                        u64 state word, u64 length, then the payload
//
// The state word of a slot (64 bits):
//   bits  0..31  sequence: the position (mod 2^32) the slot serves now; slot i serves i, i + N,
//                i + 2N, ... (N = max_messages)
//   bits 32..34  state: 0 free (a sender may claim it), 1 being written, 2 full, 3 being read
//   bits 35..44  claimer's participant index (being written / being read; else 0)
//   bits 45..63  claimer's participant generation, low 19 bits (else 0)
//
// A position p goes free(p) -> written(p, claimer) -> full(p) -> read(p, claimer) -> free(p + N).
// A being-written slot can also go straight to free(p + N) (a cancelled loan, or a dead writer:
// receivers then step over p), and a being-read slot whose reader died goes to free(p + N) too.
// `tail` is the next position to claim for sending, `head` the next to claim for receiving; both
// only grow, and whoever finds one behind a claimed slot advances it (helping). Every transition
// is one compare-and-swap on one word, so a process killed between two of them leaves a state that
// every other participant knows how to continue from.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <system_error>

#include "errors.hpp"
#include "platform.hpp"

namespace mmf::detail::queue {

using platform::queue_participant;
using platform::queue_wait_word;

constexpr std::uint32_t queue_magic = 0x514d4d4d;  // "MMMQ" in little-endian bytes
constexpr std::uint16_t queue_version = 1;
constexpr std::uint32_t participant_count = 1024;  // 10 bits of index in a claim
constexpr std::uint32_t generation_mask = (1u << 19) - 1;
constexpr std::uint64_t max_slots = 0x7fffffff;  // positions compare within 2^31
constexpr std::uint64_t slot_header_bytes = 16;

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<std::uint64_t>) == 8);

struct queue_header {
  std::uint32_t magic;
  std::uint16_t version;
  std::uint16_t header_bytes;  // sizeof(queue_header)
  std::uint32_t participants;  // entries in the table
  std::uint32_t slot_header;   // bytes before each slot's payload (16)
  std::uint64_t max_messages;
  std::uint64_t max_message_size;
  std::uint64_t slot_stride;  // bytes per slot, a multiple of 16
  std::uint64_t total_size;   // bytes of the whole object
  std::uint64_t participants_offset;
  std::uint64_t slots_offset;
  alignas(64) std::atomic<std::uint64_t> tail;
  alignas(64) std::atomic<std::uint64_t> head;
  alignas(64) queue_wait_word not_empty;          // bumped when a message may be ready at the head
  queue_wait_word not_full;                       // bumped when a slot may be free at the tail
  std::atomic<std::uint64_t> reclaimed_sends;     // slots of dead writers skipped
  std::atomic<std::uint64_t> reclaimed_receives;  // slots of dead readers freed
};
static_assert(sizeof(queue_header) == 256);
static_assert(offsetof(queue_header, tail) == 64);
static_assert(offsetof(queue_header, head) == 128);
static_assert(offsetof(queue_header, not_empty) == 192);
static_assert(offsetof(queue_header, not_full) == 208);

struct slot_header {
  std::atomic<std::uint64_t> state;
  std::atomic<std::uint64_t> length;
};
static_assert(sizeof(slot_header) == slot_header_bytes);

enum class slot_state : std::uint32_t { free = 0, writing = 1, full = 2, reading = 3 };

constexpr std::uint64_t make_word(std::uint32_t sequence, slot_state s, std::uint32_t index,
                                  std::uint32_t generation) noexcept {
  return std::uint64_t{sequence} | (std::uint64_t{static_cast<std::uint32_t>(s)} << 32) |
         (std::uint64_t{index & (participant_count - 1)} << 35) |
         (std::uint64_t{generation & generation_mask} << 45);
}
constexpr std::uint32_t sequence_of(std::uint64_t w) noexcept {
  return static_cast<std::uint32_t>(w);
}
constexpr slot_state state_of(std::uint64_t w) noexcept {
  return static_cast<slot_state>((w >> 32) & 7u);
}
constexpr std::uint32_t index_of(std::uint64_t w) noexcept {
  return static_cast<std::uint32_t>(w >> 35) & (participant_count - 1);
}
constexpr std::uint32_t generation_of(std::uint64_t w) noexcept {
  return static_cast<std::uint32_t>(w >> 45) & generation_mask;
}
constexpr bool claimed(std::uint64_t w) noexcept {
  return state_of(w) == slot_state::writing || state_of(w) == slot_state::reading;
}
// How far the slot's sequence is ahead of position p (negative: behind).
constexpr std::int32_t distance(std::uint64_t w, std::uint64_t p) noexcept {
  return static_cast<std::int32_t>(sequence_of(w) - static_cast<std::uint32_t>(p));
}

// The sizes of a queue, computed with overflow checks.
struct geometry {
  std::uint64_t max_messages = 0;
  std::uint64_t max_message_size = 0;
  std::uint64_t slot_stride = 0;
  std::uint64_t participants_offset = 0;
  std::uint64_t slots_offset = 0;
  std::uint64_t total_size = 0;
};

// invalid_argument for a size of 0; not_enough_memory for sizes no object can hold (overflow,
// more than max_slots messages, more than a size_t can map).
inline std::error_code compute_geometry(std::size_t max_messages, std::size_t max_message_size,
                                        geometry& g) noexcept {
  if (max_messages == 0 || max_message_size == 0) return make_errc(std::errc::invalid_argument);
  constexpr std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() / 2;
  const std::uint64_t n = max_messages;
  const std::uint64_t m = max_message_size;
  if (n > max_slots || m > limit) return make_errc(std::errc::not_enough_memory);
  const std::uint64_t stride = slot_header_bytes + ((m + 15) & ~std::uint64_t{15});
  const std::uint64_t table = sizeof(queue_header);
  const std::uint64_t slots = table + std::uint64_t{participant_count} * sizeof(queue_participant);
  if (stride > (limit - slots) / n) return make_errc(std::errc::not_enough_memory);
  const std::uint64_t total = slots + n * stride;
  if (total > std::numeric_limits<std::size_t>::max())
    return make_errc(std::errc::not_enough_memory);
  g = geometry{n, m, stride, table, slots, total};
  return {};
}

// Fills a new, zeroed queue object. The magic number is written last, with release ordering, so
// that where an object can be seen before it is filled (Windows) an opener that waits for it
// finds the rest in place.
inline void initialise(void* base, const geometry& g) noexcept {
  auto* h = static_cast<queue_header*>(base);
  h->version = queue_version;
  h->header_bytes = sizeof(queue_header);
  h->participants = participant_count;
  h->slot_header = slot_header_bytes;
  h->max_messages = g.max_messages;
  h->max_message_size = g.max_message_size;
  h->slot_stride = g.slot_stride;
  h->total_size = g.total_size;
  h->participants_offset = g.participants_offset;
  h->slots_offset = g.slots_offset;
  h->not_empty.id = 0;
  h->not_full.id = 1;
  auto* bytes = static_cast<std::byte*>(base);
  for (std::uint64_t i = 0; i < g.max_messages; ++i) {
    auto* s = reinterpret_cast<slot_header*>(bytes + g.slots_offset + i * g.slot_stride);
    s->state.store(make_word(static_cast<std::uint32_t>(i), slot_state::free, 0, 0),
                   std::memory_order_relaxed);
  }
  std::atomic_ref<std::uint32_t>(h->magic).store(queue_magic, std::memory_order_release);
}

// Checks the header of an existing object of `size` bytes against itself.
inline std::error_code validate(const void* base, std::uint64_t size) noexcept {
  if (size < sizeof(queue_header)) return make_errc(std::errc::invalid_argument);
  const auto* h = static_cast<const queue_header*>(base);
  geometry g;
  if (h->magic != queue_magic || h->version != queue_version ||
      h->header_bytes != sizeof(queue_header) || h->participants != participant_count ||
      h->slot_header != slot_header_bytes || h->max_messages > std::numeric_limits<size_t>::max() ||
      h->max_message_size > std::numeric_limits<size_t>::max() ||
      compute_geometry(static_cast<std::size_t>(h->max_messages),
                       static_cast<std::size_t>(h->max_message_size), g) ||
      g.slot_stride != h->slot_stride || g.total_size != h->total_size ||
      g.participants_offset != h->participants_offset || g.slots_offset != h->slots_offset ||
      g.total_size != size)
    return make_errc(std::errc::invalid_argument);
  return {};
}

// What an attempt to claim a slot found.
enum class outcome { claimed, unavailable, too_large };

struct attempt {
  outcome what = outcome::unavailable;
  std::uint64_t word = 0;       // claimed: our claim; unavailable: the slot's word
  slot_header* slot = nullptr;  // the slot claimed, or the one in the way
  std::uint64_t length = 0;     // claimed for reading / too_large: the message's length
};

// One participant's view of the ring.
class ring {
 public:
  ring() noexcept = default;
  ring(void* base, std::uint32_t index, std::uint32_t generation) noexcept
      : header_(static_cast<queue_header*>(base)),
        bytes_(static_cast<std::byte*>(base)),
        index_(index),
        generation_(generation),
        count_(header_->max_messages),
        stride_(header_->slot_stride),
        slots_(header_->slots_offset) {}

  queue_header& header() const noexcept { return *header_; }
  std::uint32_t index() const noexcept { return index_; }
  std::uint32_t generation() const noexcept { return generation_; }
  static std::byte* payload(slot_header* s) noexcept {
    return reinterpret_cast<std::byte*>(s) + slot_header_bytes;
  }
  queue_participant& participant(std::uint32_t i) const noexcept {
    return reinterpret_cast<queue_participant*>(bytes_ + header_->participants_offset)[i];
  }

  // Claims the slot at the tail for writing. unavailable: the queue is full; `word` is then the
  // word of the slot in the way (a claim of its reader or writer, when claimed() says so).
  attempt claim_send() noexcept {
    std::uint64_t t = header_->tail.load(std::memory_order_acquire);
    for (;;) {
      slot_header* s = slot_at(t);
      std::uint64_t w = s->state.load(std::memory_order_acquire);
      const std::int32_t d = distance(w, t);
      if (d == 0 && state_of(w) == slot_state::free) {
        const std::uint64_t mine =
            make_word(static_cast<std::uint32_t>(t), slot_state::writing, index_, generation_);
        if (s->state.compare_exchange_strong(w, mine, std::memory_order_seq_cst)) {
          advance(header_->tail, t);
          return {outcome::claimed, mine, s, 0};
        }
        t = header_->tail.load(std::memory_order_acquire);
      } else if (d >= 0) {
        // Position t is claimed already (or done): the tail is behind; help it on.
        advance(header_->tail, t);
        t = header_->tail.load(std::memory_order_acquire);
      } else {
        // The slot still serves an earlier lap: full, unless the tail moved meanwhile.
        const std::uint64_t now = header_->tail.load(std::memory_order_acquire);
        if (now == t) return {outcome::unavailable, w, s, 0};
        t = now;
      }
    }
  }

  // Claims the full slot at the head for reading, if its message fits in `limit` bytes.
  // unavailable: nothing ready at the head (`word`: the slot in the way, as for claim_send);
  // too_large: the message at the head is longer than `limit` (nothing claimed).
  attempt claim_receive(std::uint64_t limit) noexcept {
    std::uint64_t p = header_->head.load(std::memory_order_acquire);
    for (;;) {
      slot_header* s = slot_at(p);
      std::uint64_t w = s->state.load(std::memory_order_acquire);
      const std::int32_t d = distance(w, p);
      if (d == 0 && state_of(w) == slot_state::full) {
        // Read the length, then prove the slot did not change meanwhile (seqlock).
        const std::uint64_t length = s->length.load(std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_acquire);
        if (s->state.load(std::memory_order_relaxed) != w) continue;
        if (length > limit) return {outcome::too_large, w, s, length};
        const std::uint64_t mine =
            make_word(static_cast<std::uint32_t>(p), slot_state::reading, index_, generation_);
        if (s->state.compare_exchange_strong(w, mine, std::memory_order_seq_cst)) {
          advance(header_->head, p);
          return {outcome::claimed, mine, s, length};
        }
        p = header_->head.load(std::memory_order_acquire);
      } else if (d > 0 || (d == 0 && state_of(w) == slot_state::reading)) {
        // Position p is taken or done: the head is behind; help it on.
        advance(header_->head, p);
        p = header_->head.load(std::memory_order_acquire);
      } else {
        // free(p): empty; written(p): a send in progress; an earlier lap: its reader is still
        // reading, so nothing can be at p yet. Empty, unless the head moved meanwhile.
        const std::uint64_t now = header_->head.load(std::memory_order_acquire);
        if (now == p) return {outcome::unavailable, w, s, 0};
        p = now;
      }
    }
  }

  // Publishes a claim_send claim as a message of `length` bytes (already copied in).
  void publish(const attempt& a, std::uint64_t length) noexcept {
    a.slot->length.store(length, std::memory_order_relaxed);
    std::uint64_t w = a.word;
    a.slot->state.compare_exchange_strong(w, make_word(sequence_of(a.word), slot_state::full, 0, 0),
                                          std::memory_order_seq_cst);
  }

  // Ends a claim (a read done, a cancelled or dead write, a dead read): the slot serves the next
  // lap. False when the word was no longer `word` (somebody else ended it).
  bool finish(slot_header* s, std::uint64_t word) noexcept {
    const auto next = static_cast<std::uint32_t>(sequence_of(word) + count_);
    return s->state.compare_exchange_strong(word, make_word(next, slot_state::free, 0, 0),
                                            std::memory_order_seq_cst);
  }

  // Moves the head over positions that are done without a message (cancelled or reclaimed sends),
  // so that size() stops counting them before the next receive steps over them.
  void settle_head() noexcept {
    std::uint64_t p = header_->head.load(std::memory_order_acquire);
    for (int i = 0; i < 64; ++i) {
      const std::uint64_t w = slot_at(p)->state.load(std::memory_order_acquire);
      if (distance(w, p) <= 0) return;
      advance(header_->head, p);
      p = header_->head.load(std::memory_order_acquire);
    }
  }

  // Messages claimed for sending and not yet claimed for receiving (a snapshot).
  std::uint64_t size() const noexcept {
    const std::uint64_t h = header_->head.load(std::memory_order_acquire);
    const std::uint64_t t = header_->tail.load(std::memory_order_acquire);
    if (t <= h) return 0;
    return t - h > count_ ? count_ : t - h;
  }

 private:
  slot_header* slot_at(std::uint64_t p) const noexcept {
    return reinterpret_cast<slot_header*>(bytes_ + slots_ + (p % count_) * stride_);
  }
  static void advance(std::atomic<std::uint64_t>& counter, std::uint64_t from) noexcept {
    counter.compare_exchange_strong(from, from + 1, std::memory_order_seq_cst);
  }

  queue_header* header_ = nullptr;
  std::byte* bytes_ = nullptr;
  std::uint32_t index_ = 0;
  std::uint32_t generation_ = 0;
  std::uint64_t count_ = 0;
  std::uint64_t stride_ = 0;
  std::uint64_t slots_ = 0;
};

}  // namespace mmf::detail::queue
