// mmf tests — child_process and spawn_helper, portable, over the OS's side of a child
// (support/child_process_os.hpp): lines cut from the child's stdout, lines written to its stdin,
// the status kept once reaped, the kill of a child still running when its owner is destroyed.
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "support/child_process_os.hpp"
#include "support/test_support.hpp"

namespace mmf_test {

struct child_process::impl {
  detail::os_child_ptr os;
  std::string buffer;         // bytes read from stdout but not yet returned as a line
  std::optional<int> status;  // once reaped

  explicit impl(detail::os_child_ptr child) noexcept : os(std::move(child)) {}
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
  ~impl() {
    if (!status) detail::kill_and_reap(*os);
  }

  // Reaps the child; with `block` false returns false if it is still running.
  bool reap(bool block) noexcept {
    if (!status) status = detail::reap(*os, block);
    return status.has_value();
  }

  // The first `length` bytes of the buffer as a line, taken out of it with the '\n' after them if
  // there is one. A '\r' before the '\n' (a Windows child's text-mode stdout) is not part of it.
  std::string take_line(std::size_t length) {
    std::string line = buffer.substr(0, length);
    buffer.erase(0, length < buffer.size() ? length + 1 : length);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
};

child_process::child_process() noexcept = default;
child_process::child_process(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
child_process::child_process(child_process&&) noexcept = default;
child_process& child_process::operator=(child_process&&) noexcept = default;
child_process::~child_process() = default;

std::int64_t child_process::id() const noexcept {
  return impl_ ? detail::child_id(*impl_->os) : -1;
}

std::optional<std::string> child_process::read_line(std::chrono::milliseconds timeout) {
  if (!impl_) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (const auto nl = impl_->buffer.find('\n'); nl != std::string::npos)
      return impl_->take_line(nl);
    char chunk[4096];
    const std::ptrdiff_t n = detail::read_some(*impl_->os, chunk, sizeof chunk, deadline);
    if (n < 0) return std::nullopt;
    if (n == 0) {  // end of file: a last line without '\n' is still returned
      if (impl_->buffer.empty()) return std::nullopt;
      return impl_->take_line(impl_->buffer.size());
    }
    impl_->buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

bool child_process::write_line(std::string_view line) {
  if (!impl_) return false;
  std::string data(line);
  data.push_back('\n');
  return detail::write_all(*impl_->os, data);
}

void child_process::close_stdin() noexcept {
  if (impl_) detail::close_stdin(*impl_->os);
}

int child_process::wait() {
  if (!impl_) throw std::logic_error("child_process::wait on an empty object");
  impl_->reap(true);
  return *impl_->status;
}

std::optional<int> child_process::wait_for(std::chrono::milliseconds timeout) {
  if (!impl_) throw std::logic_error("child_process::wait_for on an empty object");
  if (wait_until([this] { return impl_->reap(false); }, timeout)) return impl_->status;
  return std::nullopt;
}

void child_process::kill() noexcept {
  if (!impl_ || impl_->status) return;
  impl_->status = detail::kill_and_reap(*impl_->os);
}

child_process spawn_helper(std::vector<std::string> args) {
  return child_process(
      std::make_unique<child_process::impl>(detail::start_child(helper_path(), std::move(args))));
}

}  // namespace mmf_test
