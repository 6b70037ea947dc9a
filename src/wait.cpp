// mmf — wait_any / wait_all, the portable part: argument checks and error context; the back end
// (src/posix/wait_many.cpp, src/windows/wait_many_windows.cpp) waits.
#include <mmf/wait.hpp>

#include <array>
#include <variant>

#include "errors.hpp"
#include "platform.hpp"
#include "sync_state.hpp"

namespace mmf {
namespace {

constexpr std::size_t max_objects = 64;  // Windows' MAXIMUM_WAIT_OBJECTS

[[noreturn]] void invalid(const char* operation, const char* why) {
  throw mmf::error(detail::make_errc(std::errc::invalid_argument),
                   std::string(operation) + ": " + why);
}

std::size_t prepare(std::span<const waitable> objects, bool all, const char* operation,
                    std::array<detail::platform::wait_target, max_objects>& out) {
  if (objects.empty()) invalid(operation, "no objects to wait for");
  if (objects.size() > max_objects) invalid(operation, "more than 64 objects");
  for (std::size_t i = 0; i < objects.size(); ++i) {
    detail::platform::wait_target t;
    std::visit(
        [&](auto* object) {
          if (object == nullptr) invalid(operation, "a null object");
          auto* state = detail::wait_access::state(*object);
          if (state == nullptr || !state->object) invalid(operation, "an empty object");
          using T = std::remove_cvref_t<decltype(*object)>;
          if constexpr (std::is_same_v<T, named_mutex>)
            t.mutex = state->object.get();
          else if constexpr (std::is_same_v<T, named_event>)
            t.event = state->object.get();
          else
            t.semaphore = state->object.get();
        },
        objects[i]);
    if (all) {
      for (std::size_t j = 0; j < i; ++j)
        if (out[j].mutex == t.mutex && out[j].event == t.event && out[j].semaphore == t.semaphore)
          invalid(operation, "the same object twice");
    }
    out[i] = t;
  }
  return objects.size();
}

}  // namespace

std::optional<std::size_t> wait_any(std::span<const waitable> objects,
                                    std::chrono::nanoseconds timeout, bool* abandoned) {
  std::array<detail::platform::wait_target, max_objects> targets;
  const std::size_t n = prepare(objects, false, "wait_any", targets);
  std::size_t index = 0;
  bool was_abandoned = false;
  bool timed_out = false;
  if (auto ec = detail::platform::wait_many(targets.data(), n, false, timeout, index, was_abandoned,
                                            timed_out))
    detail::throw_error(ec, "wait_any");
  if (timed_out) return std::nullopt;
  if (abandoned != nullptr) *abandoned = was_abandoned;
  return index;
}

bool wait_all(std::span<const waitable> objects, std::chrono::nanoseconds timeout) {
  std::array<detail::platform::wait_target, max_objects> targets;
  const std::size_t n = prepare(objects, true, "wait_all", targets);
  std::size_t index = 0;
  bool abandoned = false;
  bool timed_out = false;
  if (auto ec = detail::platform::wait_many(targets.data(), n, true, timeout, index, abandoned,
                                            timed_out))
    detail::throw_error(ec, "wait_all");
  return !timed_out;
}

}  // namespace mmf
