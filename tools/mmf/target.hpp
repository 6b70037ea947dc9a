// mmf tool — what a command works on (a named map or a file), opened, ranged and walked in chunks.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <mmf/memory_mapped_file.hpp>

namespace mmf::tool {

// A named map (non-persisted, or persisted with a map name) or a file on disk.
struct target {
  enum class type : std::uint8_t { map, file };
  type what = type::map;
  std::string name;            // type::map
  std::filesystem::path path;  // type::file

  static target map(std::string name);
  static target file(std::filesystem::path path);
  // For copy: "map:NAME" is a named map, "file:PATH" and anything else a file path.
  static target from_spec(std::string_view spec);

  // `map "NAME"` or `file "PATH"`, for messages.
  std::string label() const;
};

// Throws usage_error when `name` is not a valid map name (API.md's rules, checked by the library).
void check_map_name(std::string_view name, std::string_view what);

// An opened target. `map` is empty when the target is an empty file (size 0), which the library
// cannot map.
struct opened {
  mmf::memory_mapped_file map;
  std::uint64_t size = 0;
};

// Opens for reading: a map with open_existing(access::read); a file read-only.
opened open_for_read(const target& t);
// Opens for reading and writing: a map with open_existing(access::read_write); an existing file.
opened open_for_write(const target& t);
// Opens a file for writing `needed` bytes: created if missing, grown if smaller, never truncated.
opened open_file_for_output(const std::filesystem::path& path, std::uint64_t needed);

// The length of [offset, offset + length) in an object of `size` bytes, where an absent length
// means "to the end". Throws usage_error when offset > size, or (unless `clamp`) when the range
// does not fit; with `clamp` the length is cut at the end instead.
std::uint64_t resolve_range(const target& t, std::uint64_t size, std::uint64_t offset,
                            std::optional<std::uint64_t> length, bool clamp,
                            std::string_view offset_option = "--offset");

// Chunk size for walking large ranges: small enough for a 32-bit address space, a multiple of 16
// (so hex lines never straddle two chunks) and of the page size.
inline constexpr std::uint64_t kChunk = std::uint64_t{8} << 20;

// A progress bar on standard error, drawn only when `enabled` (stderr is a terminal) and redrawn
// at most ten times a second. Finishes its line when destroyed.
class progress_bar {
 public:
  progress_bar(std::string_view label, std::uint64_t total, bool enabled);
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;
  ~progress_bar();
  void update(std::uint64_t done);

 private:
  void draw(std::uint64_t done);
  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace mmf::tool
