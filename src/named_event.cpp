// mmf — named_event, the portable part: argument checks, error context, ownership of the back
// end's event_object. The back end (src/posix/event.cpp, src/windows/event_windows.cpp) does
// the waiting.
#include <mmf/named_event.hpp>

#include <string>
#include <utility>

#include "errors.hpp"
#include "names.hpp"
#include "platform.hpp"
#include "sync_state.hpp"

namespace mmf {
namespace detail {

namespace {

platform::event_object& checked(const std::unique_ptr<event_state>& s, std::string_view operation) {
  if (!s || !s->object) throw_error(make_errc(std::errc::bad_file_descriptor), operation);
  return *s->object;
}

std::unique_ptr<event_state> open_state(platform::disposition how, std::string_view operation,
                                        std::string_view name, event_reset mode, bool initially_set,
                                        bool* created_new) {
  object_name parsed;
  if (auto ec = parse_name(name, parsed)) throw_error(ec, operation, name);
  if (mode != event_reset::manual && mode != event_reset::automatic)
    throw_error(make_errc(std::errc::invalid_argument), operation, name);
  auto state = std::make_unique<event_state>();
  state->name = std::string(name);
  bool created = false;
  if (auto ec = platform::event_open(how, parsed, mode, initially_set, state->object, created))
    throw_error(ec, operation, name);
  if (created_new != nullptr) *created_new = created;
  return state;
}

}  // namespace
}  // namespace detail

named_event::named_event() noexcept = default;
named_event::named_event(std::unique_ptr<detail::event_state> s) noexcept : state_(std::move(s)) {}
named_event::named_event(named_event&&) noexcept = default;
named_event& named_event::operator=(named_event&&) noexcept = default;
named_event::~named_event() = default;

named_event named_event::create_or_open(std::string_view name, event_reset mode, bool initially_set,
                                        bool* created_new) {
  return named_event(detail::open_state(detail::platform::disposition::create_or_open,
                                        "named_event::create_or_open", name, mode, initially_set,
                                        created_new));
}

named_event named_event::create_or_open(std::string_view name, event_reset mode, bool initially_set,
                                        bool* created_new, std::error_code& ec) noexcept {
  return detail::capture(ec,
                         [&] { return create_or_open(name, mode, initially_set, created_new); });
}

named_event named_event::open_existing(std::string_view name) {
  // The mode passed here is ignored by the back end: an opened event keeps its creator's mode.
  return named_event(detail::open_state(detail::platform::disposition::open_existing,
                                        "named_event::open_existing", name, event_reset::manual,
                                        false, nullptr));
}

named_event named_event::open_existing(std::string_view name, std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return open_existing(name); });
}

void named_event::set() {
  constexpr std::string_view op = "named_event::set";
  auto& e = detail::checked(state_, op);
  if (auto ec = detail::platform::event_set(e)) detail::throw_error(ec, op, state_->name);
}

void named_event::reset() {
  constexpr std::string_view op = "named_event::reset";
  auto& e = detail::checked(state_, op);
  if (auto ec = detail::platform::event_clear(e)) detail::throw_error(ec, op, state_->name);
}

void named_event::wait() {
  constexpr std::string_view op = "named_event::wait";
  auto& e = detail::checked(state_, op);
  bool signaled = false;
  if (auto ec = detail::platform::event_wait(e, infinite, signaled))
    detail::throw_error(ec, op, state_->name);
}

bool named_event::wait_for_ns(std::chrono::nanoseconds timeout) {
  constexpr std::string_view op = "named_event::wait_for";
  auto& e = detail::checked(state_, op);
  if (timeout < std::chrono::nanoseconds::zero()) timeout = std::chrono::nanoseconds::zero();
  bool signaled = false;
  if (auto ec = detail::platform::event_wait(e, timeout, signaled))
    detail::throw_error(ec, op, state_->name);
  return signaled;
}

std::string_view named_event::name() const noexcept {
  return state_ ? std::string_view(state_->name) : std::string_view();
}

}  // namespace mmf
