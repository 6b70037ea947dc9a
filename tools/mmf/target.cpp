// mmf tool — targets, ranges and the progress bar (see target.hpp).
#include "target.hpp"

#include <cstdio>
#include <fstream>
#include <system_error>

#include <fmt/format.h>
#include <mmf/error.hpp>
#include <mmf/objects.hpp>

#include "parse.hpp"

namespace mmf::tool {

target target::map(std::string name) {
  target t;
  t.what = type::map;
  t.name = std::move(name);
  return t;
}

target target::file(std::filesystem::path path) {
  target t;
  t.what = type::file;
  t.path = std::move(path);
  return t;
}

target target::from_spec(std::string_view spec) {
  constexpr std::string_view kMap = "map:";
  constexpr std::string_view kFile = "file:";
  if (spec.substr(0, kMap.size()) == kMap) return map(std::string(spec.substr(kMap.size())));
  if (spec.substr(0, kFile.size()) == kFile) return file(std::string(spec.substr(kFile.size())));
  return file(std::string(spec));
}

std::string target::label() const {
  if (what == type::map) return fmt::format("map {}", in_quotes(name));
  return fmt::format("file {}", in_quotes(path.string()));
}

void check_map_name(std::string_view name, std::string_view what) {
  try {
    // shared_memory_path() validates the name and throws invalid_argument only for a bad one.
    (void)mmf::shared_memory_path(name);
  } catch (const mmf::error& e) {
    if (e.code() != std::errc::invalid_argument) return;  // not a naming problem: let it surface
    throw usage_error(fmt::format(
        "{} {} is not a valid map name: a name is 1 to 200 bytes of UTF-8 without '/', '\\' or "
        "NUL, not \".\" or \"..\", optionally after Local\\ or Global\\",
        what, in_quotes(name)));
  }
}

namespace {

// Size of an existing regular file, or nullopt when it does not exist (other problems are left
// for the library, whose messages name the path and the cause).
std::optional<std::uint64_t> existing_file_size(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::is_regular_file(status)) return std::nullopt;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return std::nullopt;
  return static_cast<std::uint64_t>(size);
}

opened open_target(const target& t, mmf::access acc) {
  opened out;
  if (t.what == target::type::map) {
    check_map_name(t.name, "NAME");
    out.map = mmf::memory_mapped_file::open_existing(t.name, acc);
    out.size = out.map.capacity();
    return out;
  }
  // An empty file cannot be mapped (capacity 0 of an empty file is invalid_argument): it is simply
  // an object of 0 bytes here.
  if (const auto size = existing_file_size(t.path); size && *size == 0) return out;
  out.map = mmf::memory_mapped_file::create_from_file(t.path, mmf::file_mode::open, {}, 0, acc);
  out.size = out.map.capacity();
  return out;
}

}  // namespace

opened open_for_read(const target& t) {
  return open_target(t, mmf::access::read);
}

opened open_for_write(const target& t) {
  return open_target(t, mmf::access::read_write);
}

opened open_file_for_output(const std::filesystem::path& path, std::uint64_t needed) {
  const auto existing = existing_file_size(path);
  const std::uint64_t capacity = existing && *existing > needed ? *existing : needed;
  opened out;
  if (capacity == 0) {
    // Nothing to map: just make sure the (empty) file exists, as `cp` of an empty file would.
    if (!existing) {
      std::ofstream create(path, std::ios::binary | std::ios::app);
      if (!create)
        throw mmf::error(std::make_error_code(std::errc::io_error),
                         fmt::format("create {}", in_quotes(path.string())));
    }
    return out;
  }
  out.map = mmf::memory_mapped_file::create_from_file(path, mmf::file_mode::open_or_create, {},
                                                      capacity, mmf::access::read_write);
  out.size = out.map.capacity();
  return out;
}

std::uint64_t resolve_range(const target& t, std::uint64_t size, std::uint64_t offset,
                            std::optional<std::uint64_t> length, bool clamp,
                            std::string_view offset_option) {
  if (offset > size)
    throw usage_error(fmt::format("{} {} is past the end of {} ({})", offset_option, offset,
                                  t.label(), describe_size(size)));
  const std::uint64_t available = size - offset;
  if (!length) return available;
  if (*length <= available) return *length;
  if (clamp) return available;
  throw usage_error(fmt::format("{} {} at offset {} {} past the end of {} ({})", *length,
                                *length == 1 ? "byte" : "bytes", offset,
                                *length == 1 ? "runs" : "run", t.label(), describe_size(size)));
}

progress_bar::progress_bar(std::string_view label, std::uint64_t total, bool enabled)
    : label_(label), total_(total), enabled_(enabled && total > 0) {}

progress_bar::~progress_bar() {
  if (drawn_) std::fputs("\n", stderr);
}

void progress_bar::update(std::uint64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  draw(done);
}

void progress_bar::draw(std::uint64_t done) {
  constexpr int kWidth = 30;
  const double fraction =
      total_ == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kWidth - filled), '.');
  // \r returns to the start of the line; the trailing spaces erase a longer previous rendering.
  fmt::print(stderr, "\r{} [{}] {:3d}%  {} / {}   ", label_, bar, static_cast<int>(fraction * 100),
             human_size(done), human_size(total_));
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace mmf::tool
