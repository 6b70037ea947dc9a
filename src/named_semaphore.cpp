// mmf — named_semaphore, the portable part: argument checks, error context, ownership of the back
// end's semaphore_object. The back end (src/posix/semaphore.cpp, src/windows/semaphore_windows.cpp)
// does the counting.
#include <mmf/named_semaphore.hpp>

#include <string>
#include <utility>

#include "errors.hpp"
#include "names.hpp"
#include "platform.hpp"
#include "sync_state.hpp"

namespace mmf {
namespace detail {

namespace {

platform::semaphore_object& checked(const std::unique_ptr<semaphore_state>& s,
                                    std::string_view operation) {
  if (!s || !s->object) throw_error(make_errc(std::errc::bad_file_descriptor), operation);
  return *s->object;
}

std::unique_ptr<semaphore_state> open_state(platform::disposition how, std::string_view operation,
                                            std::string_view name, std::uint32_t initial_count,
                                            std::uint32_t maximum_count, bool* created_new) {
  object_name parsed;
  if (auto ec = parse_name(name, parsed)) throw_error(ec, operation, name);
  if (how != platform::disposition::open_existing &&
      (maximum_count == 0 || initial_count > maximum_count))
    throw_error(make_errc(std::errc::invalid_argument), operation, name);
  auto state = std::make_unique<semaphore_state>();
  state->name = std::string(name);
  bool created = false;
  if (auto ec = platform::semaphore_open(how, parsed, initial_count, maximum_count, state->object,
                                         created))
    throw_error(ec, operation, name);
  if (created_new != nullptr) *created_new = created;
  return state;
}

}  // namespace
}  // namespace detail

named_semaphore::named_semaphore() noexcept = default;
named_semaphore::named_semaphore(std::unique_ptr<detail::semaphore_state> s) noexcept
    : state_(std::move(s)) {}
named_semaphore::named_semaphore(named_semaphore&&) noexcept = default;
named_semaphore& named_semaphore::operator=(named_semaphore&&) noexcept = default;
named_semaphore::~named_semaphore() = default;

named_semaphore named_semaphore::create_or_open(std::string_view name, std::uint32_t initial_count,
                                                std::uint32_t maximum_count, bool* created_new) {
  return named_semaphore(detail::open_state(detail::platform::disposition::create_or_open,
                                            "named_semaphore::create_or_open", name, initial_count,
                                            maximum_count, created_new));
}

named_semaphore named_semaphore::create_or_open(std::string_view name, std::uint32_t initial_count,
                                                std::uint32_t maximum_count, bool* created_new,
                                                std::error_code& ec) noexcept {
  return detail::capture(
      ec, [&] { return create_or_open(name, initial_count, maximum_count, created_new); });
}

named_semaphore named_semaphore::open_existing(std::string_view name) {
  // The counts passed here are ignored by the back end: an opened semaphore keeps its own.
  return named_semaphore(detail::open_state(detail::platform::disposition::open_existing,
                                            "named_semaphore::open_existing", name, 0, 1, nullptr));
}

named_semaphore named_semaphore::open_existing(std::string_view name,
                                               std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return open_existing(name); });
}

std::uint32_t named_semaphore::release(std::uint32_t count) {
  constexpr std::string_view op = "named_semaphore::release";
  auto& s = detail::checked(state_, op);
  if (count == 0)
    detail::throw_error(detail::make_errc(std::errc::invalid_argument), op, state_->name);
  std::uint32_t previous = 0;
  if (auto ec = detail::platform::semaphore_release(s, count, previous))
    detail::throw_error(ec, op, state_->name);
  return previous;
}

void named_semaphore::acquire() {
  constexpr std::string_view op = "named_semaphore::acquire";
  auto& s = detail::checked(state_, op);
  bool acquired = false;
  if (auto ec = detail::platform::semaphore_acquire(s, infinite, acquired))
    detail::throw_error(ec, op, state_->name);
}

bool named_semaphore::try_acquire() {
  return try_acquire_for_ns(std::chrono::nanoseconds::zero());
}

bool named_semaphore::try_acquire_for_ns(std::chrono::nanoseconds timeout) {
  constexpr std::string_view op = "named_semaphore::try_acquire";
  auto& s = detail::checked(state_, op);
  if (timeout < std::chrono::nanoseconds::zero()) timeout = std::chrono::nanoseconds::zero();
  bool acquired = false;
  if (auto ec = detail::platform::semaphore_acquire(s, timeout, acquired))
    detail::throw_error(ec, op, state_->name);
  return acquired;
}

std::string_view named_semaphore::name() const noexcept {
  return state_ ? std::string_view(state_->name) : std::string_view();
}

}  // namespace mmf
