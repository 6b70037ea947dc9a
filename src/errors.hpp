// mmf — the portable core's error helpers: every mmf::error is built here, so every what() reads
// the same way:  <operation> "<name or path>": <system message>
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include <mmf/error.hpp>

namespace mmf::detail {

// A std::error_code for a std::errc value (generic category).
inline std::error_code make_errc(std::errc e) noexcept {
  return std::make_error_code(e);
}

// "create_new \"SampleMap\"" — or just the operation when subject is empty.
std::string describe(std::string_view operation, std::string_view subject);

// A back end's account, in figures, of the error it is about to return (e.g. a refused
// reservation: "reserving 16777216 bytes of shared memory: 1048576 available ..."). The next
// throw_error of this thread puts it in what() after the operation and subject when its code is
// `ec`; any throw_error forgets it, as does forget_error_detail (for an error recovered from).
void note_error_detail(std::error_code ec, std::string_view detail) noexcept;
void forget_error_detail() noexcept;

// Throws mmf::error(ec, describe(operation, subject)), with the noted detail if any.
[[noreturn]] void throw_error(std::error_code ec, std::string_view operation,
                              std::string_view subject = {});

// Runs `f` (which may throw mmf::error or std::bad_alloc) for an std::error_code& overload:
// returns its result, or a default-constructed (empty) object with ec set. ec is cleared first.
template <class F>
auto capture(std::error_code& ec, F&& f) noexcept -> decltype(f()) {
  ec.clear();
  try {
    return f();
  } catch (const std::system_error& e) {
    ec = e.code();
  } catch (const std::bad_alloc&) {
    ec = make_errc(std::errc::not_enough_memory);
  } catch (...) {
    ec = make_errc(std::errc::io_error);
  }
  return decltype(f()){};
}

}  // namespace mmf::detail
