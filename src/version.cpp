// The library's version as compiled into it (from the project's CMake version, through config.hpp).
#include <mmf/version.hpp>

namespace mmf {

#define MMF_STRINGIFY_(x) #x
#define MMF_STRINGIFY(x) MMF_STRINGIFY_(x)

version_number version() noexcept {
  return header_version;
}

const char* version_string() noexcept {
  return MMF_STRINGIFY(MMF_VERSION_MAJOR) "." MMF_STRINGIFY(MMF_VERSION_MINOR) "." MMF_STRINGIFY(
      MMF_VERSION_PATCH);
}

}  // namespace mmf
