#include <mmf/memory_mapped_file.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "errors.hpp"
#include "map_state.hpp"
#include "names.hpp"
#include "platform.hpp"

namespace mmf {

namespace {

using detail::make_errc;
using detail::map_state;
using detail::object_name;
namespace platform = detail::platform;

bool valid(access a) noexcept {
  return static_cast<std::uint8_t>(a) <= 5;
}
bool valid(file_mode m) noexcept {
  return static_cast<std::uint8_t>(m) <= 5;
}
bool valid(inheritability i) noexcept {
  return static_cast<std::uint8_t>(i) <= 1;
}
bool valid(map_options o) noexcept {
  constexpr auto known =
      map_options::delay_allocate_pages | map_options::populate | map_options::huge_pages;
  return (o & ~known) == map_options::none;
}

// Views may ask for no more than their map has (as .NET's rules; execute needs an execute map).
bool view_allowed(access map, access view) noexcept {
  switch (map) {
    case access::read_write:
      return view == access::read_write || view == access::read || view == access::write ||
             view == access::copy_on_write;
    case access::read:
    case access::copy_on_write:
      return view == access::read || view == access::copy_on_write;
    case access::read_execute:
      return view == access::read || view == access::copy_on_write || view == access::read_execute;
    case access::read_write_execute:
      return true;
    case access::write:
      return false;
  }
  return false;
}

bool opens_writable(access a) noexcept {
  return a == access::read_write || a == access::read_write_execute;
}

// The context for what(): the path, and the map name when there is one.
std::string file_subject(const std::filesystem::path& path, std::string_view map_name) {
  std::string s = path.string();
  if (!map_name.empty()) {
    s += "\" map \"";
    s += map_name;
  }
  return s;
}

// Validates a map name (empty allowed when `anonymous_ok`).
std::error_code check_name(std::string_view given, bool anonymous_ok, object_name& out) {
  if (given.empty())
    return anonymous_ok ? std::error_code{} : make_errc(std::errc::invalid_argument);
  return detail::parse_name(given, out);
}

}  // namespace

memory_mapped_file::~memory_mapped_file() = default;

// ---- Persisted
// --------------------------------------------------------------------------------------

namespace {

// Settles the capacity of a persisted map over `file` (API.md "Files"): 0 means the file's size,
// smaller than the file is invalid, larger grows the file (only a writable map can). On success
// `grown_from` is the old size when the file was grown (so a later failure can put it back).
std::error_code settle_capacity(platform::native_handle file, bool writable,
                                std::uint64_t& capacity, std::uint64_t& old_size) {
  if (auto ec = platform::file_size(file, old_size)) return ec;
  if (capacity == 0) {
    if (old_size == 0) return make_errc(std::errc::invalid_argument);
    capacity = old_size;
    return {};
  }
  if (capacity < old_size) return make_errc(std::errc::invalid_argument);
  if (capacity > old_size) {
    if (!writable) return make_errc(std::errc::invalid_argument);  // cannot grow a read-only map
    return platform::resize_file(file, capacity);
  }
  return {};
}

// Builds the shared state of a persisted map over `file` (whose capacity is not settled yet).
// On failure the file is left as it was found (size restored) and not closed.
std::error_code persisted_state(platform::native_handle file, bool own, const object_name* name,
                                const std::filesystem::path* path, std::uint64_t capacity,
                                access acc, inheritability inherit, std::string_view map_name,
                                std::string_view subject, std::shared_ptr<map_state>& out) {
  bool readable = false;
  bool writable = false;
  if (auto ec = platform::handle_access(file, readable, writable)) return ec;
  if (!readable || (opens_writable(acc) && !writable))
    return make_errc(std::errc::permission_denied);
  std::uint64_t old_size = 0;
  if (auto ec = settle_capacity(file, opens_writable(acc), capacity, old_size)) return ec;
  auto state = std::make_shared<map_state>();
  if (auto ec = platform::section_from_file(file, own, name, path, capacity, acc, inherit,
                                            state->section)) {
    if (capacity > old_size) platform::resize_file(file, old_size);
    return ec;
  }
  state->capacity = capacity;
  state->acc = acc;
  state->persisted = true;
  state->name = std::string(map_name);
  state->subject = std::string(subject);
  out = std::move(state);
  return {};
}

}  // namespace

memory_mapped_file memory_mapped_file::create_from_file(const std::filesystem::path& path,
                                                        file_mode mode, std::string_view map_name,
                                                        std::uint64_t capacity, access acc) {
  const std::string subject = file_subject(path, map_name);
  auto fail = [&](std::error_code ec) { detail::throw_error(ec, "create_from_file", subject); };
  if (!valid(mode) || !valid(acc) || mode == file_mode::truncate || mode == file_mode::append ||
      acc == access::write || path.empty())
    fail(make_errc(std::errc::invalid_argument));
  object_name name;
  if (auto ec = check_name(map_name, true, name)) fail(ec);

  // Capacity 0 means "the file's size": a file this call would create (or truncate) has none.
  // create_new reports an existing file before it looks at the capacity.
  if (capacity == 0 && mode != file_mode::open) {
    if (mode == file_mode::create) fail(make_errc(std::errc::invalid_argument));
    bool exists = false;
    if (auto ec = platform::file_exists(path, exists)) fail(ec);
    if (mode == file_mode::create_new)
      fail(make_errc(exists ? std::errc::file_exists : std::errc::invalid_argument));
    if (!exists) fail(make_errc(std::errc::invalid_argument));  // open_or_create
  }

  platform::native_handle fd{};
  bool created = false;
  if (auto ec =
          platform::open_file(path, mode, opens_writable(acc), inheritability::none, fd, created))
    fail(ec);
  std::shared_ptr<map_state> state;
  if (auto ec = persisted_state(fd, true, map_name.empty() ? nullptr : &name, &path, capacity, acc,
                                inheritability::none, map_name, subject, state)) {
    platform::close_handle(fd);
    if (created) platform::remove_file(path);  // a failure leaves nothing behind
    fail(ec);
  }
  return memory_mapped_file(std::move(state));
}

memory_mapped_file memory_mapped_file::create_from_file(const std::filesystem::path& path,
                                                        file_mode mode, std::string_view map_name,
                                                        std::uint64_t capacity, access acc,
                                                        std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return create_from_file(path, mode, map_name, capacity, acc); });
}

memory_mapped_file memory_mapped_file::create_from_file(native_handle_type file,
                                                        std::string_view map_name,
                                                        std::uint64_t capacity, access acc,
                                                        inheritability inherit, bool leave_open) {
  const std::string subject =
      map_name.empty() ? std::string("native handle") : file_subject("native handle", map_name);
  auto fail = [&](std::error_code ec) { detail::throw_error(ec, "create_from_file", subject); };
  if (file == detail::invalid_native_handle) fail(make_errc(std::errc::bad_file_descriptor));
  if (!valid(acc) || !valid(inherit) || acc == access::write)
    fail(make_errc(std::errc::invalid_argument));
  object_name name;
  if (auto ec = check_name(map_name, true, name)) fail(ec);
  std::shared_ptr<map_state> state;
  if (auto ec = persisted_state(file, !leave_open, map_name.empty() ? nullptr : &name, nullptr,
                                capacity, acc, inherit, map_name, subject, state))
    fail(ec);
  return memory_mapped_file(std::move(state));
}

memory_mapped_file memory_mapped_file::create_from_file(native_handle_type file,
                                                        std::string_view map_name,
                                                        std::uint64_t capacity, access acc,
                                                        inheritability inherit, bool leave_open,
                                                        std::error_code& ec) noexcept {
  return detail::capture(
      ec, [&] { return create_from_file(file, map_name, capacity, acc, inherit, leave_open); });
}

// ---- Non-persisted ------------------------------------------------------------------------------

namespace {

std::shared_ptr<map_state> named_map(platform::disposition how, std::string_view operation,
                                     std::string_view map_name, std::uint64_t capacity, access acc,
                                     map_options options, inheritability inherit,
                                     bool* created_new) {
  auto fail = [&](std::error_code ec) { detail::throw_error(ec, operation, map_name); };
  const bool opening = how == platform::disposition::open_existing;
  if (!valid(acc) || !valid(inherit) || !valid(options) || acc == access::write ||
      (!opening && capacity == 0))
    fail(make_errc(std::errc::invalid_argument));
  object_name name;
  if (auto ec = check_name(map_name, how == platform::disposition::create_new, name)) fail(ec);
  platform::section_request request;
  request.name = map_name.empty() ? nullptr : &name;
  request.capacity = capacity;
  request.acc = acc;
  request.options = options;
  request.inherit = inherit;
  auto state = std::make_shared<map_state>();
  bool created = false;
  bool persisted = false;
  if (auto ec = platform::section_named(how, request, state->section, created, state->capacity,
                                        persisted))
    fail(ec);
  state->acc = acc;
  state->persisted = persisted;
  state->name = std::string(map_name);
  state->subject = state->name;
  if (created_new != nullptr) *created_new = created;
  return state;
}

}  // namespace

memory_mapped_file memory_mapped_file::create_new(std::string_view map_name, std::uint64_t capacity,
                                                  access acc, map_options options,
                                                  inheritability inherit) {
  return memory_mapped_file(named_map(platform::disposition::create_new, "create_new", map_name,
                                      capacity, acc, options, inherit, nullptr));
}

memory_mapped_file memory_mapped_file::create_new(std::string_view map_name, std::uint64_t capacity,
                                                  access acc, map_options options,
                                                  inheritability inherit,
                                                  std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return create_new(map_name, capacity, acc, options, inherit); });
}

memory_mapped_file memory_mapped_file::create_or_open(std::string_view map_name,
                                                      std::uint64_t capacity, access acc,
                                                      map_options options, inheritability inherit,
                                                      bool* created_new) {
  return memory_mapped_file(named_map(platform::disposition::create_or_open, "create_or_open",
                                      map_name, capacity, acc, options, inherit, created_new));
}

memory_mapped_file memory_mapped_file::create_or_open(std::string_view map_name,
                                                      std::uint64_t capacity, access acc,
                                                      map_options options, inheritability inherit,
                                                      std::error_code& ec) noexcept {
  return create_or_open(map_name, capacity, acc, options, inherit, nullptr, ec);
}

memory_mapped_file memory_mapped_file::create_or_open(std::string_view map_name,
                                                      std::uint64_t capacity, access acc,
                                                      map_options options, inheritability inherit,
                                                      bool* created_new,
                                                      std::error_code& ec) noexcept {
  return detail::capture(
      ec, [&] { return create_or_open(map_name, capacity, acc, options, inherit, created_new); });
}

memory_mapped_file memory_mapped_file::open_existing(std::string_view map_name, access desired,
                                                     inheritability inherit) {
  return memory_mapped_file(named_map(platform::disposition::open_existing, "open_existing",
                                      map_name, 0, desired, map_options::none, inherit, nullptr));
}

memory_mapped_file memory_mapped_file::open_existing(std::string_view map_name, access desired,
                                                     inheritability inherit,
                                                     std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return open_existing(map_name, desired, inherit); });
}

// ---- Views --------------------------------------------------------------------------------------

std::error_code memory_mapped_file::make_view(std::uint64_t offset, std::uint64_t size, access acc,
                                              detail::view_base& out) const noexcept {
  if (!state_) return make_errc(std::errc::bad_file_descriptor);
  if (!valid(acc)) return make_errc(std::errc::invalid_argument);
  if (!view_allowed(state_->acc, acc)) return make_errc(std::errc::permission_denied);
  const std::uint64_t capacity = state_->capacity;
  // All offset arithmetic happens here, once, with overflow checks; the back end gets aligned,
  // checked values.
  if (offset > capacity) return make_errc(std::errc::result_out_of_range);
  if (size == 0) {
    size = capacity - offset;
  } else if (size > capacity - offset) {
    return make_errc(std::errc::result_out_of_range);
  }
  const std::uint64_t granularity = platform::allocation_granularity();
  const std::uint64_t pointer_offset = offset % granularity;
  const std::uint64_t aligned = offset - pointer_offset;
  if (size > std::numeric_limits<std::size_t>::max() - pointer_offset)
    return make_errc(std::errc::not_enough_memory);  // more than this address space can map
  detail::view_base v;
  v.size_ = size;
  v.pointer_offset_ = pointer_offset;
  v.map_offset_ = aligned;
  v.access_ = acc;
  v.readable_ = acc != access::write;
  v.writable_ = acc == access::read_write || acc == access::write || acc == access::copy_on_write ||
                acc == access::read_write_execute;
  v.read_limit_ = v.readable_ ? size : 0;
  v.write_limit_ = v.writable_ ? size : 0;
  if (size != 0) {
    const auto length = static_cast<std::size_t>(pointer_offset + size);
    void* base = nullptr;
    if (auto ec = platform::map_view(*state_->section, aligned, length, acc, base)) return ec;
    v.map_base_ = base;
    v.map_length_ = length;
    v.data_ = static_cast<std::byte*>(base) + pointer_offset;
  }
  v.owner_ = state_;
  out = std::move(v);
  return {};
}

detail::view_base memory_mapped_file::make_view_or_throw(std::uint64_t offset, std::uint64_t size,
                                                         access acc, const char* operation) const {
  detail::view_base v;
  if (auto ec = make_view(offset, size, acc, v)) detail::throw_error(ec, operation, name());
  return v;
}

view_accessor memory_mapped_file::create_view_accessor(std::uint64_t offset, std::uint64_t size,
                                                       access acc) const {
  return view_accessor(make_view_or_throw(offset, size, acc, "create_view_accessor"));
}

view_accessor memory_mapped_file::create_view_accessor(std::uint64_t offset, std::uint64_t size,
                                                       access acc,
                                                       std::error_code& ec) const noexcept {
  detail::view_base v;
  ec = make_view(offset, size, acc, v);
  return ec ? view_accessor() : view_accessor(std::move(v));
}

view_stream memory_mapped_file::create_view_stream(std::uint64_t offset, std::uint64_t size,
                                                   access acc) const {
  return view_stream(make_view_or_throw(offset, size, acc, "create_view_stream"));
}

view_stream memory_mapped_file::create_view_stream(std::uint64_t offset, std::uint64_t size,
                                                   access acc, std::error_code& ec) const noexcept {
  return detail::capture(ec, [&] { return create_view_stream(offset, size, acc); });
}

// ---- Growth -------------------------------------------------------------------------------------

void memory_mapped_file::grow(std::uint64_t new_capacity) {
  if (!state_) detail::throw_error(make_errc(std::errc::bad_file_descriptor), "grow");
  auto fail = [&](std::error_code ec) { detail::throw_error(ec, "grow", state_->subject); };
  if (new_capacity < state_->capacity) fail(make_errc(std::errc::invalid_argument));
  if (!opens_writable(state_->acc)) fail(make_errc(std::errc::permission_denied));
  if (new_capacity == state_->capacity) return;
  if (auto ec = platform::grow_section(*state_->section, state_->capacity, new_capacity)) fail(ec);
  state_->capacity = new_capacity;
}

void memory_mapped_file::grow(std::uint64_t new_capacity, std::error_code& ec) noexcept {
  detail::capture(ec, [&] {
    grow(new_capacity);
    return true;
  });
}

std::uint64_t memory_mapped_file::refresh_capacity() {
  if (!state_) detail::throw_error(make_errc(std::errc::bad_file_descriptor), "refresh_capacity");
  std::uint64_t now = 0;
  if (auto ec = platform::section_capacity(*state_->section, state_->capacity, now))
    detail::throw_error(ec, "refresh_capacity", state_->subject);
  state_->capacity = now;
  return now;
}

std::uint64_t memory_mapped_file::refresh_capacity(std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return refresh_capacity(); });
}

// ---- Properties ---------------------------------------------------------------------------------

std::uint64_t memory_mapped_file::capacity() const {
  return state_ ? state_->capacity : 0;
}

access memory_mapped_file::map_access() const {
  if (!state_) detail::throw_error(make_errc(std::errc::bad_file_descriptor), "map_access");
  return state_->acc;
}

std::string_view memory_mapped_file::name() const noexcept {
  return state_ ? std::string_view(state_->name) : std::string_view();
}

memory_mapped_file::native_handle_type memory_mapped_file::native_handle() const noexcept {
  return state_ ? platform::section_handle(*state_->section) : detail::invalid_native_handle;
}

}  // namespace mmf
