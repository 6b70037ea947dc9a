// mmf — what a named_mutex, named_event and named_semaphore hold: the back end's object and the
// name as given. Shared by their files and by wait.cpp (wait_any / wait_all), which reaches the
// objects through detail::wait_access.
#pragma once

#include <string>

#include <mmf/named_event.hpp>
#include <mmf/named_mutex.hpp>
#include <mmf/named_semaphore.hpp>

#include "platform.hpp"

namespace mmf::detail {

struct mutex_state {
  platform::mutex_ptr object;
  std::string name;  // as given by the caller (what() and name())
};

struct event_state {
  platform::event_ptr object;
  std::string name;  // as given by the caller (what() and name())
};

struct semaphore_state {
  platform::semaphore_ptr object;
  std::string name;  // as given by the caller (what() and name())
};

struct wait_access {
  static mutex_state* state(const named_mutex& m) noexcept { return m.state_.get(); }
  static event_state* state(const named_event& e) noexcept { return e.state_.get(); }
  static semaphore_state* state(const named_semaphore& s) noexcept { return s.state_.get(); }
};

}  // namespace mmf::detail
