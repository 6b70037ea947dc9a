// mmf — message_queue, the portable part: argument checks, error context, the participant index,
// the waiting loops and the liveness rule, on top of the ring of queue_ring.hpp. The back end
// (src/posix/queue.cpp, src/windows/queue_windows.cpp) creates and maps the object, answers
// liveness questions and sleeps and wakes.
#include <mmf/message_queue.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "errors.hpp"
#include "names.hpp"
#include "platform.hpp"
#include "queue_ring.hpp"

namespace mmf {
namespace detail {

using queue::attempt;
using queue::outcome;

// How long a caller held up by a claimed slot waits before it asks whether the claimer lives.
constexpr std::chrono::milliseconds liveness_poll{10};

struct queue_state {
  platform::queue_ptr object;
  void* base = nullptr;
  queue::ring ring;
  std::string name;
  // The claim that last held somebody up through this handle, and since when (steady clock, ns):
  // its claimer's liveness is asked once it has held up for liveness_poll.
  std::atomic<std::uint64_t> blocker{0};
  std::atomic<std::int64_t> blocker_since{0};

  ~queue_state() {
    // The participant index goes with the object (the back end releases it).
  }
};

namespace {

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

queue_state& checked(const std::shared_ptr<queue_state>& s, std::string_view operation) {
  if (!s) throw_error(make_errc(std::errc::bad_file_descriptor), operation);
  return *s;
}

void signal(queue_state& st, platform::queue_wait_word& word) noexcept {
  word.sequence.fetch_add(1, std::memory_order_seq_cst);
  if (word.waiters.load(std::memory_order_seq_cst) != 0) platform::queue_wake(*st.object, word);
}

// Whether the claim `word` is held by a live participant.
bool claimer_alive(queue_state& st, std::uint64_t word) noexcept {
  const std::uint32_t index = queue::index_of(word);
  const std::uint32_t gen = st.ring.participant(index).generation.load(std::memory_order_acquire) &
                            queue::generation_mask;
  if (gen != queue::generation_of(word)) return false;  // the index was taken again since
  if (index == st.ring.index()) return true;            // one of our own threads
  return platform::queue_participant_held(*st.object, index);
}

// Called with the word of a slot that held up an attempt. Once the same claim has held up this
// handle for liveness_poll, asks whether its claimer lives; a dead claimer's slot is ended (a
// write: skipped; a read: freed) and both kinds of waiters are woken. True when something was
// reclaimed (the caller retries at once).
bool reclaim_if_dead(queue_state& st, const attempt& a) noexcept {
  if (!queue::claimed(a.word)) return false;
  const std::int64_t now = now_ns();
  if (st.blocker.load(std::memory_order_relaxed) != a.word) {
    st.blocker.store(a.word, std::memory_order_relaxed);
    st.blocker_since.store(now, std::memory_order_relaxed);
    return false;
  }
  if (now - st.blocker_since.load(std::memory_order_relaxed) <
      std::chrono::nanoseconds(liveness_poll).count())
    return false;
  st.blocker_since.store(now, std::memory_order_relaxed);
  if (claimer_alive(st, a.word)) return false;
  if (!st.ring.finish(a.slot, a.word)) return true;  // somebody else moved it on: retry
  auto& h = st.ring.header();
  if (queue::state_of(a.word) == queue::slot_state::writing)
    h.reclaimed_sends.fetch_add(1, std::memory_order_relaxed);
  else
    h.reclaimed_receives.fetch_add(1, std::memory_order_relaxed);
  st.ring.settle_head();
  signal(st, h.not_empty);
  signal(st, h.not_full);
  return true;
}

// Runs `try_once` (returning an attempt) until it claims, the timeout passes, or it throws.
// timeout <= 0: one round (with the liveness rule). Returns the last attempt.
template <class Try>
attempt wait_for_claim(queue_state& st, platform::queue_wait_word& word,
                       std::chrono::nanoseconds timeout, std::string_view operation, Try try_once) {
  using std::chrono::nanoseconds;
  const bool forever = timeout == nanoseconds::max();
  const std::int64_t start = now_ns();
  const std::int64_t budget = timeout.count() < 0 ? 0 : timeout.count();
  for (;;) {
    const std::uint32_t seen = word.sequence.load(std::memory_order_seq_cst);
    attempt a = try_once();
    if (a.what != outcome::unavailable) return a;
    if (reclaim_if_dead(st, a)) continue;
    nanoseconds slice = nanoseconds::max();
    if (!forever) {
      const std::int64_t left = budget - (now_ns() - start);
      if (left <= 0) return a;
      slice = nanoseconds(left);
    }
    if (queue::claimed(a.word)) slice = std::min<nanoseconds>(slice, liveness_poll);
    if (auto ec = platform::queue_wait(*st.object, word, seen, slice))
      throw_error(ec, operation, st.name);
  }
}

attempt send_claim(queue_state& st, std::chrono::nanoseconds timeout, std::string_view op) {
  return wait_for_claim(st, st.ring.header().not_full, timeout, op,
                        [&] { return st.ring.claim_send(); });
}

attempt receive_claim(queue_state& st, std::uint64_t limit, std::chrono::nanoseconds timeout,
                      std::string_view op) {
  attempt a = wait_for_claim(st, st.ring.header().not_empty, timeout, op,
                             [&] { return st.ring.claim_receive(limit); });
  if (a.what == outcome::too_large) throw_error(make_errc(std::errc::value_too_large), op, st.name);
  return a;
}

bool send_copy(queue_state& st, std::span<const std::byte> message,
               std::chrono::nanoseconds timeout, std::string_view op) {
  if (message.size() > st.ring.header().max_message_size)
    throw_error(make_errc(std::errc::value_too_large), op, st.name);
  const attempt a = send_claim(st, timeout, op);
  if (a.what != outcome::claimed) return false;
  if (!message.empty()) std::memcpy(queue::ring::payload(a.slot), message.data(), message.size());
  st.ring.publish(a, message.size());
  signal(st, st.ring.header().not_empty);
  return true;
}

std::optional<std::size_t> receive_copy(queue_state& st, std::span<std::byte> buffer,
                                        std::chrono::nanoseconds timeout, std::string_view op) {
  const attempt a = receive_claim(st, buffer.size(), timeout, op);
  if (a.what != outcome::claimed) return std::nullopt;
  const auto length = static_cast<std::size_t>(a.length);
  if (length != 0) std::memcpy(buffer.data(), queue::ring::payload(a.slot), length);
  st.ring.finish(a.slot, a.word);
  st.ring.settle_head();
  signal(st, st.ring.header().not_full);
  return length;
}

struct open_context {
  const queue::geometry* g;
};

void init_queue(void* base, const void* context) noexcept {
  queue::initialise(base, *static_cast<const open_context*>(context)->g);
}

std::error_code validate_queue(const void* base, std::uint64_t size) noexcept {
  return queue::validate(base, size);
}

std::shared_ptr<queue_state> open_state(platform::disposition how, std::string_view operation,
                                        std::string_view name, std::size_t max_messages,
                                        std::size_t max_message_size, bool* created_new) {
  object_name parsed;
  if (auto ec = parse_name(name, parsed)) throw_error(ec, operation, name);
  queue::geometry g;
  if (how != platform::disposition::open_existing) {
    if (auto ec = queue::compute_geometry(max_messages, max_message_size, g))
      throw_error(ec, operation, name);
  }
  auto state = std::make_shared<queue_state>();
  state->name = std::string(name);
  const open_context context{&g};
  platform::queue_request request;
  request.name = &parsed;
  request.size = g.total_size;
  request.init = &init_queue;
  request.context = &context;
  request.validate = &validate_queue;
  void* base = nullptr;
  std::uint64_t size = 0;
  bool created = false;
  if (auto ec = platform::queue_open(how, request, state->object, base, size, created))
    throw_error(ec, operation, name);
  const auto* h = static_cast<const queue::queue_header*>(base);
  std::uint32_t index = 0;
  if (auto ec =
          platform::queue_join(*state->object, h->participants_offset, h->participants, index))
    throw_error(ec, operation, name);
  auto& entry = reinterpret_cast<platform::queue_participant*>(static_cast<std::byte*>(base) +
                                                               h->participants_offset)[index];
  const std::uint32_t gen =
      (entry.generation.fetch_add(1, std::memory_order_seq_cst) + 1) & queue::generation_mask;
  state->base = base;
  state->ring = queue::ring(base, index, gen);
  if (created_new != nullptr) *created_new = created;
  return state;
}

}  // namespace
}  // namespace detail

// ---- message_queue ------------------------------------------------------------------------------

message_queue::message_queue() noexcept = default;
message_queue::message_queue(std::shared_ptr<detail::queue_state> s) noexcept
    : state_(std::move(s)) {}
message_queue::message_queue(message_queue&&) noexcept = default;
message_queue& message_queue::operator=(message_queue&&) noexcept = default;
message_queue::~message_queue() = default;

message_queue message_queue::create_new(std::string_view name, std::size_t max_messages,
                                        std::size_t max_message_size) {
  return message_queue(detail::open_state(detail::platform::disposition::create_new,
                                          "message_queue::create_new", name, max_messages,
                                          max_message_size, nullptr));
}

message_queue message_queue::create_new(std::string_view name, std::size_t max_messages,
                                        std::size_t max_message_size,
                                        std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return create_new(name, max_messages, max_message_size); });
}

message_queue message_queue::create_or_open(std::string_view name, std::size_t max_messages,
                                            std::size_t max_message_size, bool* created_new) {
  return message_queue(detail::open_state(detail::platform::disposition::create_or_open,
                                          "message_queue::create_or_open", name, max_messages,
                                          max_message_size, created_new));
}

message_queue message_queue::create_or_open(std::string_view name, std::size_t max_messages,
                                            std::size_t max_message_size, bool* created_new,
                                            std::error_code& ec) noexcept {
  return detail::capture(
      ec, [&] { return create_or_open(name, max_messages, max_message_size, created_new); });
}

message_queue message_queue::open_existing(std::string_view name) {
  return message_queue(detail::open_state(detail::platform::disposition::open_existing,
                                          "message_queue::open_existing", name, 0, 0, nullptr));
}

message_queue message_queue::open_existing(std::string_view name, std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return open_existing(name); });
}

void message_queue::send(std::span<const std::byte> message) {
  constexpr std::string_view op = "message_queue::send";
  detail::send_copy(detail::checked(state_, op), message, infinite, op);
}

bool message_queue::try_send(std::span<const std::byte> message) {
  constexpr std::string_view op = "message_queue::try_send";
  return detail::send_copy(detail::checked(state_, op), message, std::chrono::nanoseconds::zero(),
                           op);
}

bool message_queue::send_for(std::span<const std::byte> message, std::chrono::nanoseconds timeout) {
  constexpr std::string_view op = "message_queue::send_for";
  return detail::send_copy(detail::checked(state_, op), message, timeout, op);
}

std::size_t message_queue::receive(std::span<std::byte> buffer) {
  constexpr std::string_view op = "message_queue::receive";
  return *detail::receive_copy(detail::checked(state_, op), buffer, infinite, op);
}

std::optional<std::size_t> message_queue::try_receive(std::span<std::byte> buffer) {
  constexpr std::string_view op = "message_queue::try_receive";
  return detail::receive_copy(detail::checked(state_, op), buffer, std::chrono::nanoseconds::zero(),
                              op);
}

std::optional<std::size_t> message_queue::receive_for(std::span<std::byte> buffer,
                                                      std::chrono::nanoseconds timeout) {
  constexpr std::string_view op = "message_queue::receive_for";
  return detail::receive_copy(detail::checked(state_, op), buffer, timeout, op);
}

message_queue::send_loan message_queue::loan() {
  return make_loan(infinite, "message_queue::loan");
}
message_queue::send_loan message_queue::try_loan() {
  return make_loan(std::chrono::nanoseconds::zero(), "message_queue::try_loan");
}
message_queue::send_loan message_queue::loan_for(std::chrono::nanoseconds timeout) {
  return make_loan(timeout, "message_queue::loan_for");
}
message_queue::received_message message_queue::receive_in_place() {
  return make_received(infinite, "message_queue::receive_in_place");
}
message_queue::received_message message_queue::try_receive_in_place() {
  return make_received(std::chrono::nanoseconds::zero(), "message_queue::try_receive_in_place");
}
message_queue::received_message message_queue::receive_in_place_for(
    std::chrono::nanoseconds timeout) {
  return make_received(timeout, "message_queue::receive_in_place_for");
}

std::size_t message_queue::size() const {
  const auto& st = detail::checked(state_, "message_queue::size");
  return static_cast<std::size_t>(st.ring.size());
}

std::size_t message_queue::max_messages() const noexcept {
  return state_ ? static_cast<std::size_t>(state_->ring.header().max_messages) : 0;
}

std::size_t message_queue::max_message_size() const noexcept {
  return state_ ? static_cast<std::size_t>(state_->ring.header().max_message_size) : 0;
}

std::string_view message_queue::name() const noexcept {
  return state_ ? std::string_view(state_->name) : std::string_view();
}

// ---- send_loan ----------------------------------------------------------------------------------

message_queue::send_loan message_queue::make_loan(std::chrono::nanoseconds timeout,
                                                  std::string_view op) {
  auto& st = detail::checked(state_, op);
  const detail::attempt a = detail::send_claim(st, timeout, op);
  if (a.what != detail::outcome::claimed) return {};
  return send_loan(state_, a.word, reinterpret_cast<std::byte*>(a.slot));
}

message_queue::received_message message_queue::make_received(std::chrono::nanoseconds timeout,
                                                             std::string_view op) {
  auto& st = detail::checked(state_, op);
  const detail::attempt a =
      detail::receive_claim(st, std::numeric_limits<std::uint64_t>::max(), timeout, op);
  if (a.what != detail::outcome::claimed) return {};
  return received_message(state_, a.word, reinterpret_cast<std::byte*>(a.slot),
                          static_cast<std::size_t>(a.length));
}

message_queue::send_loan::send_loan(std::shared_ptr<detail::queue_state> s, std::uint64_t word,
                                    std::byte* slot) noexcept
    : state_(std::move(s)), word_(word), slot_(slot) {}

message_queue::received_message::received_message(std::shared_ptr<detail::queue_state> s,
                                                  std::uint64_t word, std::byte* slot,
                                                  std::size_t length) noexcept
    : state_(std::move(s)), word_(word), slot_(slot), length_(length) {}

message_queue::send_loan::send_loan() noexcept = default;
message_queue::send_loan::send_loan(send_loan&& other) noexcept
    : state_(std::move(other.state_)),
      word_(std::exchange(other.word_, 0)),
      slot_(std::exchange(other.slot_, nullptr)) {}
message_queue::send_loan& message_queue::send_loan::operator=(send_loan&& other) noexcept {
  if (this != &other) {
    cancel();
    state_ = std::move(other.state_);
    word_ = std::exchange(other.word_, 0);
    slot_ = std::exchange(other.slot_, nullptr);
  }
  return *this;
}
message_queue::send_loan::~send_loan() {
  cancel();
}

std::span<std::byte> message_queue::send_loan::buffer() const noexcept {
  if (!state_) return {};
  return {detail::queue::ring::payload(reinterpret_cast<detail::queue::slot_header*>(slot_)),
          static_cast<std::size_t>(state_->ring.header().max_message_size)};
}

void message_queue::send_loan::publish(std::size_t length) {
  constexpr std::string_view op = "message_queue::send_loan::publish";
  auto& st = detail::checked(state_, op);
  if (length > st.ring.header().max_message_size)
    detail::throw_error(detail::make_errc(std::errc::value_too_large), op, st.name);
  detail::attempt a;
  a.word = word_;
  a.slot = reinterpret_cast<detail::queue::slot_header*>(slot_);
  st.ring.publish(a, length);
  detail::signal(st, st.ring.header().not_empty);
  state_.reset();
  word_ = 0;
  slot_ = nullptr;
}

void message_queue::send_loan::cancel() noexcept {
  if (!state_) return;
  auto& st = *state_;
  st.ring.finish(reinterpret_cast<detail::queue::slot_header*>(slot_), word_);
  st.ring.settle_head();
  detail::signal(st, st.ring.header().not_empty);  // receivers waiting on this position
  detail::signal(st, st.ring.header().not_full);
  state_.reset();
  word_ = 0;
  slot_ = nullptr;
}

// ---- received_message ---------------------------------------------------------------------------

message_queue::received_message::received_message() noexcept = default;
message_queue::received_message::received_message(received_message&& other) noexcept
    : state_(std::move(other.state_)),
      word_(std::exchange(other.word_, 0)),
      slot_(std::exchange(other.slot_, nullptr)),
      length_(std::exchange(other.length_, 0)) {}
message_queue::received_message& message_queue::received_message::operator=(
    received_message&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
    word_ = std::exchange(other.word_, 0);
    slot_ = std::exchange(other.slot_, nullptr);
    length_ = std::exchange(other.length_, 0);
  }
  return *this;
}
message_queue::received_message::~received_message() {
  release();
}

std::span<const std::byte> message_queue::received_message::bytes() const noexcept {
  if (!state_) return {};
  return {detail::queue::ring::payload(reinterpret_cast<detail::queue::slot_header*>(slot_)),
          length_};
}

void message_queue::received_message::release() noexcept {
  if (!state_) return;
  auto& st = *state_;
  st.ring.finish(reinterpret_cast<detail::queue::slot_header*>(slot_), word_);
  st.ring.settle_head();
  detail::signal(st, st.ring.header().not_full);
  state_.reset();
  word_ = 0;
  slot_ = nullptr;
  length_ = 0;
}

}  // namespace mmf
