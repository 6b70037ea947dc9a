// mmf — a named message queue shared between processes and threads: many senders, many receivers
// (MPMC), first in first out, at most max_messages() messages of 0 to max_message_size() bytes
// waiting. Full design, wire layout and crash-safety argument: docs/message-queue.md.
//
// Names, lifetime and permissions are those of named non-persisted maps (see
// <mmf/memory_mapped_file.hpp>): the queue exists while any process holds a handle to it, also
// after SIGKILL of every holder. On POSIX queues have their own namespace
// (mmf.<scope>.queue.<name> in the shared-memory directory); on Windows the section shares the
// kernel's namespace with maps, events and semaphores (see docs/message-queue.md for the names
// derived from it).
//
// Design, in short:
// - The queue is one shared object: a header (the head and tail counters, two wake-up words), a
//   table of participants and max_messages slots. Each slot has a 64-bit state word: the position
//   it serves (a 32-bit sequence), a state (free / being written / full / being read) and, while
//   claimed, the claimer's participant index and generation.
// - Every step is a compare-and-swap on one slot word or one counter; a sender claims the slot of
//   the tail position, copies the message in, then marks it full; a receiver claims the full slot
//   at the head, copies it out, then frees it for the next lap. Whoever finds the head or the tail
//   behind a claimed slot advances it (helping), so a process that dies between two steps leaves
//   nothing half-done that others wait on. No lock is held across a copy.
// - Every handle (every open of the queue) takes a participant index. The kernel tells whether the
//   holder of an index is alive (POSIX: an OFD byte-range lock on its table entry, dropped by the
//   kernel when the process dies; Windows: the holder's process id and creation time); the entry's
//   generation, bumped when an index is taken, is part of each claim, so a reused index does not
//   keep a dead claim alive. A caller held up by a claimed slot checks the claimer's liveness
//   after a bounded wait (10 ms): a slot left "being written" by a dead sender is skipped (its
//   send never returned, so nothing acknowledged is lost); a slot left "being read" by a dead
//   receiver is freed (that message is lost with its receiver). Liveness decides, never a timeout.
// - Blocking calls spin briefly (adaptively, never when both sides share one CPU) and then sleep
//   in the kernel (POSIX futex; Windows a named semaphore) on one of two 32-bit words, with waiter
//   counts so that a send or receive with nobody asleep makes no system call.
//
// Crash safety: a sender or receiver killed at any instruction never blocks the others for more
// than the liveness check, never makes a torn or duplicated message visible; a message whose send
// returned is received exactly once, unless the receiver taking it is killed inside receive (or
// while holding its received_message).
//
// FIFO: messages are received in the order their slots were claimed. A send that has claimed a
// slot and not finished (a slow copy, an outstanding send_loan) holds up the receivers behind it
// until it publishes, cancels or dies.
//
// Threads: one message_queue object may be used by several threads at once. Handles inherited by
// fork() share the parent's participant index: a child must open the queue itself rather than
// use the parent's handle (the parent's claims would look alive while the child lives).
//
// Errors: factories throw mmf::error (or set ec in their noexcept overloads); any member other
// than max_messages(), max_message_size(), name() and operator bool on an empty or moved-from
// object throws bad_file_descriptor.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>

#include <mmf/error.hpp>
#include <mmf/export.hpp>
#include <mmf/named_mutex.hpp>  // mmf::infinite, detail::to_timeout

namespace mmf {

namespace detail {
struct queue_state;
}

class MMF_API message_queue {
 public:
  class send_loan;
  class received_message;

  message_queue() noexcept;  // empty
  message_queue(message_queue&&) noexcept;
  message_queue& operator=(message_queue&&) noexcept;
  message_queue(const message_queue&) = delete;
  message_queue& operator=(const message_queue&) = delete;
  ~message_queue();

  explicit operator bool() const noexcept { return state_ != nullptr; }

  // Creates the queue `name` for at most `max_messages` messages of up to `max_message_size`
  // bytes. Errors: invalid_argument (bad name, max_messages or max_message_size 0),
  // file_exists (a live queue of that name exists), not_enough_memory / no_space_on_device (a size
  // nothing can hold: the sizes overflow, more than 2^31 - 1 messages, or the shared memory cannot
  // be reserved), permission_denied.
  static message_queue create_new(std::string_view name, std::size_t max_messages,
                                  std::size_t max_message_size);
  static message_queue create_new(std::string_view name, std::size_t max_messages,
                                  std::size_t max_message_size, std::error_code& ec) noexcept;
  // Opens the queue `name`, or creates it as create_new does. The sizes apply only when this call
  // creates the queue (they are still validated); an opened queue keeps its own. `created_new` is
  // set to whether this call created it. Errors: as create_new, without file_exists.
  static message_queue create_or_open(std::string_view name, std::size_t max_messages,
                                      std::size_t max_message_size, bool* created_new = nullptr);
  static message_queue create_or_open(std::string_view name, std::size_t max_messages,
                                      std::size_t max_message_size, bool* created_new,
                                      std::error_code& ec) noexcept;
  // Errors: no_such_file_or_directory (no live queue of that name), invalid_argument (bad name,
  // or an object under that name that is not a valid queue), permission_denied,
  // resource_unavailable_try_again (1024 handles of this queue are open already; also from the
  // two factories above).
  static message_queue open_existing(std::string_view name);
  static message_queue open_existing(std::string_view name, std::error_code& ec) noexcept;

  // ---- Copying send and receive
  //
  // A send copies the message into the queue; when it returns the message is in the queue and
  // will be received exactly once (see crash safety above). Every write the sender made before
  // the send is visible to the receiver once its receive returns the message.
  // Errors (all sends): value_too_large (message.size() > max_message_size(): nothing is sent).

  void send(std::span<const std::byte> message);      // blocks while the queue is full
  bool try_send(std::span<const std::byte> message);  // false when full
  // Waits at most `timeout` for room; false on timeout. A timeout <= 0 is a try_send.
  bool send_for(std::span<const std::byte> message, std::chrono::nanoseconds timeout);
  template <class Rep, class Period>
  bool send_for(std::span<const std::byte> message, const std::chrono::duration<Rep, Period>& d) {
    return send_for(message, detail::to_timeout(d));
  }

  // A receive copies the message at the head into `buffer` and returns its length.
  // Errors (all receives): value_too_large (buffer.size() is shorter than the message at the
  // head: nothing is received, the message stays at the head).
  std::size_t receive(std::span<std::byte> buffer);                     // blocks while empty
  std::optional<std::size_t> try_receive(std::span<std::byte> buffer);  // nullopt when empty
  // Waits at most `timeout` for a message; nullopt on timeout. A timeout <= 0 is a try_receive.
  std::optional<std::size_t> receive_for(std::span<std::byte> buffer,
                                         std::chrono::nanoseconds timeout);
  template <class Rep, class Period>
  std::optional<std::size_t> receive_for(std::span<std::byte> buffer,
                                         const std::chrono::duration<Rep, Period>& d) {
    return receive_for(buffer, detail::to_timeout(d));
  }

  // ---- Zero-copy send and receive
  //
  // loan() claims the slot of the next message and returns it as a send_loan: fill
  // buffer() (max_message_size() bytes) in place, then publish(length) — the message becomes
  // visible to receivers exactly as a send's would — or cancel() (also what destroying an
  // unpublished loan does): no message is sent and the slot is skipped. While a loan is
  // outstanding, receivers that reach its position wait for it (FIFO). A loan whose process dies
  // is reclaimed by the same liveness rule as a sender that dies inside send.
  // try_loan() and loan_for() return an empty loan (operator bool false) when the queue is full.
  send_loan loan();
  send_loan try_loan();
  send_loan loan_for(std::chrono::nanoseconds timeout);  // timeout <= 0: a try_loan

  // receive_in_place() claims the message at the head and returns it as a received_message: a
  // view of the message's bytes inside the queue, valid until release() (also what destroying it
  // does), which frees the slot for senders. The message counts as received when it is claimed: a
  // process that dies holding it loses that message (and only it). try_receive_in_place() and
  // receive_in_place_for() return an empty received_message when the queue is empty.
  received_message receive_in_place();
  received_message try_receive_in_place();
  received_message receive_in_place_for(std::chrono::nanoseconds timeout);  // <= 0: a try

  // Messages waiting now: positions claimed for sending and not yet received, so sends still
  // copying count too, and a cancelled or dead send until the head steps over it (a snapshot; at
  // most max_messages()).
  std::size_t size() const;
  std::size_t max_messages() const noexcept;      // 0 for an empty object
  std::size_t max_message_size() const noexcept;  // 0 for an empty object
  std::string_view name() const noexcept;         // as given; empty for an empty object

  // A slot claimed for sending (see loan()). Move-only; keeps the queue's mapping alive, so it
  // may outlive the message_queue object it came from. Not for several threads at once.
  class MMF_API send_loan {
   public:
    send_loan() noexcept;
    send_loan(send_loan&&) noexcept;
    send_loan& operator=(send_loan&&) noexcept;  // cancels the loan it replaces
    send_loan(const send_loan&) = delete;
    send_loan& operator=(const send_loan&) = delete;
    ~send_loan();  // cancels an unpublished loan

    explicit operator bool() const noexcept { return state_ != nullptr; }
    // The slot's bytes: max_message_size() of them; empty for an empty loan.
    std::span<std::byte> buffer() const noexcept;
    // Makes the first `length` bytes of buffer() the message; the loan becomes empty.
    // Errors: value_too_large (length > buffer().size(): the loan stays as it was),
    // bad_file_descriptor (an empty loan).
    void publish(std::size_t length);
    // Gives the slot back without sending; the loan becomes empty. A no-op on an empty loan.
    // The cancelled position still counts in size() and against max_messages() until the
    // receivers' head steps over it (at once when it is at the head, else when the messages
    // before it have been received).
    void cancel() noexcept;

   private:
    friend class message_queue;
    send_loan(std::shared_ptr<detail::queue_state> s, std::uint64_t word, std::byte* slot) noexcept;
    std::shared_ptr<detail::queue_state> state_;
    std::uint64_t word_ = 0;  // the slot's state word as claimed
    std::byte* slot_ = nullptr;
  };

  // A message claimed for receiving (see receive_in_place()). Move-only; keeps the queue's
  // mapping alive. Not for several threads at once.
  class MMF_API received_message {
   public:
    received_message() noexcept;
    received_message(received_message&&) noexcept;
    received_message& operator=(received_message&&) noexcept;  // releases the one it replaces
    received_message(const received_message&) = delete;
    received_message& operator=(const received_message&) = delete;
    ~received_message();  // releases

    explicit operator bool() const noexcept { return state_ != nullptr; }
    // The message's bytes inside the queue (empty for an empty object, or a 0-byte message).
    std::span<const std::byte> bytes() const noexcept;
    std::size_t size() const noexcept { return bytes().size(); }
    // Frees the slot for senders; the object becomes empty. A no-op on an empty object.
    void release() noexcept;

   private:
    friend class message_queue;
    received_message(std::shared_ptr<detail::queue_state> s, std::uint64_t word, std::byte* slot,
                     std::size_t length) noexcept;
    std::shared_ptr<detail::queue_state> state_;
    std::uint64_t word_ = 0;
    std::byte* slot_ = nullptr;
    std::size_t length_ = 0;
  };

 private:
  explicit message_queue(std::shared_ptr<detail::queue_state> s) noexcept;
  send_loan make_loan(std::chrono::nanoseconds timeout, std::string_view operation);
  received_message make_received(std::chrono::nanoseconds timeout, std::string_view operation);
  std::shared_ptr<detail::queue_state> state_;
};

}  // namespace mmf
