#include <mmf/objects.hpp>

#include "errors.hpp"
#include "names.hpp"
#include "platform.hpp"

namespace mmf {

std::string_view to_string(object_kind kind) noexcept {
  switch (kind) {
    case object_kind::map:
      return "map";
    case object_kind::persisted_map:
      return "persisted_map";
    case object_kind::mutex:
      return "mutex";
    case object_kind::event:
      return "event";
    case object_kind::semaphore:
      return "semaphore";
    case object_kind::queue:
      return "queue";
  }
  return "unknown";
}

std::vector<object_info> list_objects(bool include_global) {
  std::vector<object_info> out;
  if (auto ec = detail::platform::list_objects(include_global, false, out))
    detail::throw_error(ec, "list_objects");
  return out;
}

std::vector<object_info> remove_stale_objects() {
  std::vector<object_info> out;
  if (auto ec = detail::platform::list_objects(false, true, out))
    detail::throw_error(ec, "remove_stale_objects");
  return out;
}

void set_object_permissions(object_kind kind, std::string_view name,
                            std::filesystem::perms wanted) {
  using std::filesystem::perms;
  constexpr perms allowed = perms::owner_read | perms::owner_write | perms::group_read |
                            perms::group_write | perms::others_read | perms::others_write;
  detail::object_name parsed;
  std::error_code ec = detail::parse_name(name, parsed);
  if (!ec && (parsed.where != detail::scope::global || (wanted & ~allowed) != perms::none ||
              static_cast<unsigned>(kind) > static_cast<unsigned>(object_kind::queue)))
    ec = detail::make_errc(std::errc::invalid_argument);
  if (!ec) {
    const unsigned mode = static_cast<unsigned>(wanted | perms::owner_read | perms::owner_write);
    ec = detail::platform::set_object_permissions(kind, parsed, mode);
  }
  if (ec) detail::throw_error(ec, "set_object_permissions", name);
}

std::filesystem::path shared_memory_path(std::string_view map_name) {
  detail::object_name name;
  if (auto ec = detail::parse_name(map_name, name))
    detail::throw_error(ec, "shared_memory_path", map_name);
  return detail::platform::shared_memory_path(name);
}

}  // namespace mmf
