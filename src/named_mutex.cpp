// mmf — named_mutex, the portable part: argument checks, error context, ownership of the back
// end's mutex_object. The back end (src/posix/mutex.cpp, src/windows/mutex_windows.cpp) does
// the locking.
#include <mmf/named_mutex.hpp>

#include <string>
#include <utility>

#include "errors.hpp"
#include "names.hpp"
#include "platform.hpp"
#include "sync_state.hpp"

namespace mmf {
namespace detail {

namespace {

platform::mutex_object& checked(const std::unique_ptr<mutex_state>& s, std::string_view operation) {
  if (!s || !s->object) throw_error(make_errc(std::errc::bad_file_descriptor), operation);
  return *s->object;
}

// Lets go of `s` the way a destructor must: a mutex this thread still owns is abandoned (the next
// acquirer gets lock_status::abandoned), then the back end closes the object. Never throws.
void close_state(std::unique_ptr<mutex_state>& s) noexcept {
  if (s && s->object) platform::mutex_abandon_if_owned(*s->object);
  s.reset();
}

std::unique_ptr<mutex_state> open_state(platform::disposition how, std::string_view operation,
                                        std::string_view name, bool initially_owned,
                                        bool* created_new) {
  object_name parsed;
  if (auto ec = parse_name(name, parsed)) throw_error(ec, operation, name);
  auto state = std::make_unique<mutex_state>();
  state->name = std::string(name);
  bool created = false;
  if (auto ec = platform::mutex_open(how, parsed, initially_owned, state->object, created))
    throw_error(ec, operation, name);
  if (created_new != nullptr) *created_new = created;
  return state;
}

}  // namespace
}  // namespace detail

named_mutex::named_mutex() noexcept = default;
named_mutex::named_mutex(std::unique_ptr<detail::mutex_state> s) noexcept : state_(std::move(s)) {}
named_mutex::named_mutex(named_mutex&&) noexcept = default;

named_mutex& named_mutex::operator=(named_mutex&& other) noexcept {
  if (this != &other) {
    detail::close_state(state_);
    state_ = std::move(other.state_);
  }
  return *this;
}

named_mutex::~named_mutex() {
  detail::close_state(state_);
}

named_mutex named_mutex::create_or_open(std::string_view name, bool initially_owned,
                                        bool* created_new) {
  return named_mutex(detail::open_state(detail::platform::disposition::create_or_open,
                                        "named_mutex::create_or_open", name, initially_owned,
                                        created_new));
}

named_mutex named_mutex::create_or_open(std::string_view name, bool initially_owned,
                                        bool* created_new, std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return create_or_open(name, initially_owned, created_new); });
}

named_mutex named_mutex::open_existing(std::string_view name) {
  return named_mutex(detail::open_state(detail::platform::disposition::open_existing,
                                        "named_mutex::open_existing", name, false, nullptr));
}

named_mutex named_mutex::open_existing(std::string_view name, std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return open_existing(name); });
}

void named_mutex::lock() {
  constexpr std::string_view op = "named_mutex::lock";
  auto& m = detail::checked(state_, op);
  lock_status status = lock_status::timed_out;
  if (auto ec = detail::platform::mutex_acquire(m, infinite, status))
    detail::throw_error(ec, op, state_->name);
}

bool named_mutex::try_lock() {
  return acquire(std::chrono::nanoseconds::zero()) != lock_status::timed_out;
}

void named_mutex::unlock() {
  constexpr std::string_view op = "named_mutex::unlock";
  auto& m = detail::checked(state_, op);
  if (auto ec = detail::platform::mutex_release(m)) detail::throw_error(ec, op, state_->name);
}

lock_status named_mutex::acquire(std::chrono::nanoseconds timeout) {
  constexpr std::string_view op = "named_mutex::acquire";
  auto& m = detail::checked(state_, op);
  if (timeout < std::chrono::nanoseconds::zero()) timeout = std::chrono::nanoseconds::zero();
  lock_status status = lock_status::timed_out;
  if (auto ec = detail::platform::mutex_acquire(m, timeout, status))
    detail::throw_error(ec, op, state_->name);
  return status;
}

bool named_mutex::owned_after_abandonment() const noexcept {
  return state_ && state_->object &&
         detail::platform::mutex_owned_after_abandonment(*state_->object);
}

std::string_view named_mutex::name() const noexcept {
  return state_ ? std::string_view(state_->name) : std::string_view();
}

}  // namespace mmf
