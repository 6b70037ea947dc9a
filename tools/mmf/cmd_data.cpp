// mmf tool — dump, write, copy and fill: the commands that touch the bytes.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <mmf/error.hpp>
#include <mmf/memory_mapped_file.hpp>
#include <mmf/objects.hpp>
#include <mmf/view_accessor.hpp>

#include "commands.hpp"
#include "parse.hpp"
#include "platform.hpp"
#include "target.hpp"

namespace mmf::tool {
namespace {

target resolve_target(const target_options& o) {
  if (o.name && o.file)
    throw usage_error(fmt::format("give either a map NAME or --file PATH, not both ({} and {})",
                                  in_quotes(*o.name), in_quotes(*o.file)));
  if (!o.name && !o.file) throw usage_error("give a map NAME or --file PATH");
  if (o.file) {
    if (o.file->empty()) throw usage_error("--file needs a path");
    return target::file(*o.file);
  }
  check_map_name(*o.name, "NAME");
  return target::map(*o.name);
}

std::optional<std::uint64_t> optional_size(const std::optional<std::string>& text,
                                           std::string_view what) {
  if (!text) return std::nullopt;
  return parse_size(*text, what);
}

// Calls f(bytes, absolute offset) for consecutive views of at most kChunk bytes covering
// [offset, offset + length); stops early when f returns false.
template <class F>
void for_each_chunk(const mmf::memory_mapped_file& map, std::uint64_t offset, std::uint64_t length,
                    mmf::access acc, F&& f) {
  for (std::uint64_t done = 0; done < length;) {
    const std::uint64_t n = std::min(kChunk, length - done);
    mmf::view_accessor view = map.create_view_accessor(offset + done, n, acc);
    if (!f(view.bytes(), offset + done)) return;
    done += n;
  }
}

// A failed guarded copy (a file that shrank under its view: io_error) as an error naming the
// object; other errors as they are.
[[noreturn]] void throw_copy_error(const std::error_code& ec, const std::string& label,
                                   std::uint64_t at, std::size_t copied) {
  if (ec == std::errc::io_error)
    throw mmf::error(ec, fmt::format("{} shrank while being read: offset {} no longer exists",
                                     label, at + copied));
  throw mmf::error(ec, label);
}

// As for_each_chunk, reading: each chunk is copied out of the view with a guarded copy first, so
// that a file shrinking under the view is an error naming `label`, not a SIGBUS.
template <class F>
void for_each_chunk_copied(const mmf::memory_mapped_file& map, std::uint64_t offset,
                           std::uint64_t length, const std::string& label, F&& f) {
  std::vector<std::byte> buffer(static_cast<std::size_t>(std::min(kChunk, length)));
  for (std::uint64_t done = 0; done < length;) {
    const std::uint64_t n = std::min(kChunk, length - done);
    const mmf::view_accessor view = map.create_view_accessor(offset + done, n, mmf::access::read);
    const std::span<std::byte> chunk(buffer.data(), static_cast<std::size_t>(n));
    std::error_code ec;
    const std::size_t copied = view.copy_to(0, chunk, ec);
    if (ec) throw_copy_error(ec, label, offset + done, copied);
    if (!f(std::span<const std::byte>(chunk), offset + done)) return;
    done += n;
  }
}

// ---- dump
// ----------------------------------------------------------------------------------------

enum class format : std::uint8_t { hex, text, raw, u8, i8, u16, i16, u32, i32, u64, i64, f32, f64 };

struct format_info {
  std::string_view name;
  format f;
  std::size_t element;  // bytes per value (0: not a typed format)
  int width;            // column width of one value
};

constexpr std::array<format_info, 13> kFormats{{
    {"hex", format::hex, 0, 0},
    {"text", format::text, 0, 0},
    {"raw", format::raw, 0, 0},
    {"u8", format::u8, 1, 3},
    {"i8", format::i8, 1, 4},
    {"u16", format::u16, 2, 5},
    {"i16", format::i16, 2, 6},
    {"u32", format::u32, 4, 10},
    {"i32", format::i32, 4, 11},
    {"u64", format::u64, 8, 20},
    {"i64", format::i64, 8, 20},
    {"f32", format::f32, 4, 15},
    {"f64", format::f64, 8, 24},
}};

const format_info& find_format(std::string_view name) {
  for (const format_info& f : kFormats)
    if (f.name == name) return f;
  std::string names;
  for (const format_info& f : kFormats)
    names += (names.empty() ? "" : ", ") + std::string(f.name);
  throw usage_error(fmt::format("--format {} is not one of {}", in_quotes(name), names));
}

template <class T>
T load(const std::byte* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

void append_value(std::string& out, const format_info& f, const std::byte* p) {
  const int w = f.width;
  switch (f.f) {
    case format::u8:
      fmt::format_to(std::back_inserter(out), " {:>{}}", load<std::uint8_t>(p), w);
      break;
    case format::i8:
      fmt::format_to(std::back_inserter(out), " {:>{}}", load<std::int8_t>(p), w);
      break;
    case format::u16:
      fmt::format_to(std::back_inserter(out), " {:>{}}", load<std::uint16_t>(p), w);
      break;
    case format::i16:
      fmt::format_to(std::back_inserter(out), " {:>{}}", load<std::int16_t>(p), w);
      break;
    case format::u32:
      fmt::format_to(std::back_inserter(out), " {:>{}}", load<std::uint32_t>(p), w);
      break;
    case format::i32:
      fmt::format_to(std::back_inserter(out), " {:>{}}", load<std::int32_t>(p), w);
      break;
    case format::u64:
      fmt::format_to(std::back_inserter(out), " {:>{}}", load<std::uint64_t>(p), w);
      break;
    case format::i64:
      fmt::format_to(std::back_inserter(out), " {:>{}}", load<std::int64_t>(p), w);
      break;
    case format::f32:
      fmt::format_to(std::back_inserter(out), " {:>{}}", load<float>(p), w);
      break;
    case format::f64:
      fmt::format_to(std::back_inserter(out), " {:>{}}", load<double>(p), w);
      break;
    default:
      break;
  }
}

// Writes `out` to standard output and clears it; a failed write (a full disk, a closed pipe with
// SIGPIPE ignored) is an error rather than silently truncated output.
void flush_out(std::string& out) {
  if (!out.empty() && std::fwrite(out.data(), 1, out.size(), stdout) != out.size())
    throw mmf::error(std::make_error_code(std::errc::io_error), "dump: writing standard output");
  out.clear();
}

class line_printer {
 public:
  line_printer(const format_info& f, std::uint64_t end, bool squeeze) : f_(f), squeeze_(squeeze) {
    // Offsets are at least 8 hex digits, as xxd prints them, and more past 4 GiB.
    for (std::uint64_t v = end; v > 0xffffffffu; v >>= 4)
      ++width_;
  }

  // One line of up to 16 bytes starting at `offset`.
  void line(std::uint64_t offset, std::span<const std::byte> bytes) {
    if (squeeze_ && bytes.size() == 16 && have_previous_ &&
        std::memcmp(bytes.data(), previous_.data(), 16) == 0) {
      if (!starred_) out_ += "*\n";
      starred_ = true;
      return;
    }
    starred_ = false;
    if (bytes.size() == 16) {
      std::memcpy(previous_.data(), bytes.data(), 16);
      have_previous_ = true;
    }
    fmt::format_to(std::back_inserter(out_), "{:0{}x}:", offset, width_);
    if (f_.f == format::hex) {
      std::string hex;
      for (std::size_t i = 0; i < bytes.size(); ++i)
        fmt::format_to(std::back_inserter(hex), "{}{:02x}", i % 2 == 0 ? " " : "",
                       static_cast<unsigned>(bytes[i]));
      fmt::format_to(std::back_inserter(out_), "{:<40}  ", hex);
      for (const std::byte b : bytes) {
        const auto c = static_cast<unsigned char>(b);
        out_ += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
      }
    } else {
      for (std::size_t i = 0; i + f_.element <= bytes.size(); i += f_.element)
        append_value(out_, f_, bytes.data() + i);
    }
    out_ += '\n';
    if (out_.size() > 65536) flush_out(out_);
  }

  // The offset after the last byte, printed after a squeezed tail as hexdump does.
  void finish(std::uint64_t end) {
    if (starred_) fmt::format_to(std::back_inserter(out_), "{:0{}x}\n", end, width_);
    flush_out(out_);
  }

 private:
  const format_info& f_;
  bool squeeze_;
  int width_ = 8;
  bool have_previous_ = false;
  bool starred_ = false;
  std::array<std::byte, 16> previous_{};
  std::string out_;
};

}  // namespace

int run_dump(const dump_options& o) {
  const format_info& f = find_format(o.format);
  const target t = resolve_target(o.target);
  const std::uint64_t offset = o.offset ? parse_size(*o.offset, "--offset") : 0;
  const auto length = optional_size(o.length, "--length");
  const opened obj = open_for_read(t);
  // Like xxd -l, a length past the end shows what is there.
  const std::uint64_t n = resolve_range(t, obj.size, offset, length, /*clamp=*/true);
  if (n == 0) return kExitOk;

  if (f.f == format::raw || f.f == format::text) {
    std::string out;
    bool ends_with_newline = true;
    for_each_chunk_copied(obj.map, offset, n, t.label(),
                          [&](std::span<const std::byte> bytes, std::uint64_t) {
                            std::size_t take = bytes.size();
                            bool more = true;
                            if (f.f == format::text) {
                              // text: the bytes up to the first NUL, as a C string.
                              const auto nul = std::find(bytes.begin(), bytes.end(), std::byte{0});
                              take = static_cast<std::size_t>(nul - bytes.begin());
                              more = nul == bytes.end();
                            }
                            out.assign(reinterpret_cast<const char*>(bytes.data()), take);
                            if (take != 0) ends_with_newline = out.back() == '\n';
                            flush_out(out);
                            return more;
                          });
    if (f.f == format::text && !ends_with_newline) std::fputc('\n', stdout);
    return kExitOk;
  }

  line_printer printer(f, offset + n - 1, o.squeeze);
  for_each_chunk_copied(
      obj.map, offset, n, t.label(), [&](std::span<const std::byte> bytes, std::uint64_t at) {
        // kChunk is a multiple of 16, so lines never straddle two chunks.
        for (std::size_t i = 0; i < bytes.size(); i += 16)
          printer.line(at + i, bytes.subspan(i, std::min<std::size_t>(16, bytes.size() - i)));
        return true;
      });
  printer.finish(offset + n);
  if (f.element != 0 && n % f.element != 0)
    fmt::print(stderr,
               "mmf dump: note: the last {} byte{} do not make a whole {} and are not shown\n",
               n % f.element, n % f.element == 1 ? "" : "s", f.name);
  return kExitOk;
}

// ---- write -------------------------------------------------------------------------------------

namespace {

template <class T>
std::vector<std::byte> bytes_of(T value) {
  std::vector<std::byte> out(sizeof value);
  std::memcpy(out.data(), &value, sizeof value);
  return out;
}

template <class T>
std::vector<std::byte> unsigned_bytes(std::string_view text, std::string_view what) {
  return bytes_of(static_cast<T>(parse_unsigned(text, std::numeric_limits<T>::max(), what)));
}

template <class T>
std::vector<std::byte> signed_bytes(std::string_view text, std::string_view what) {
  return bytes_of(static_cast<T>(
      parse_signed(text, std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), what)));
}

std::vector<std::byte> value_bytes(std::string_view option, std::string_view text) {
  const std::string what = fmt::format("{} value", option);
  if (option == "--text") {
    // No memcpy: an empty vector's data() may be null, which memcpy must never get.
    std::vector<std::byte> out;
    out.reserve(text.size());
    for (const char c : text)
      out.push_back(static_cast<std::byte>(c));
    return out;
  }
  if (option == "--hex") return parse_hex_bytes(text, what);
  if (option == "--u8") return unsigned_bytes<std::uint8_t>(text, what);
  if (option == "--u16") return unsigned_bytes<std::uint16_t>(text, what);
  if (option == "--u32") return unsigned_bytes<std::uint32_t>(text, what);
  if (option == "--u64") return unsigned_bytes<std::uint64_t>(text, what);
  if (option == "--i8") return signed_bytes<std::int8_t>(text, what);
  if (option == "--i16") return signed_bytes<std::int16_t>(text, what);
  if (option == "--i32") return signed_bytes<std::int32_t>(text, what);
  if (option == "--i64") return signed_bytes<std::int64_t>(text, what);
  if (option == "--f32") return bytes_of(parse_f32(text, what));
  if (option == "--f64") return bytes_of(parse_f64(text, what));
  throw usage_error(fmt::format("unknown value option {}", option));
}

}  // namespace

int run_write(const write_options& o) {
  if (o.values.empty())
    throw usage_error(
        "give the value to write: --text, --hex, --u8/--u16/--u32/--u64, --i8/--i16/--i32/--i64, "
        "--f32 or --f64");
  if (o.values.size() > 1)
    throw usage_error(fmt::format("give one value to write, not {} and {}", o.values[0].first,
                                  o.values[1].first));
  const target t = resolve_target(o.target);
  const std::uint64_t offset = parse_size(o.offset, "OFFSET");
  const std::vector<std::byte> bytes = value_bytes(o.values[0].first, o.values[0].second);
  if (bytes.empty()) throw usage_error("--text is empty: nothing to write");
  opened obj = open_for_write(t);
  resolve_range(t, obj.size, offset, bytes.size(), /*clamp=*/false, "OFFSET");
  mmf::view_accessor view = obj.map.create_view_accessor(offset, bytes.size());
  view.write_array(0, std::span<const std::byte>(bytes));
  fmt::print("wrote {} byte{} at offset {} of {}\n", bytes.size(), bytes.size() == 1 ? "" : "s",
             offset, t.label());
  return kExitOk;
}

// ---- copy --------------------------------------------------------------------------------------

namespace {

target copy_target(const std::string& spec, std::string_view what) {
  target t = target::from_spec(spec);
  if (t.what == target::type::map) {
    check_map_name(t.name, what);
  } else if (t.path.empty()) {
    throw usage_error(fmt::format("{} {} has no file path", what, in_quotes(spec)));
  }
  return t;
}

// Whether two targets are the same object (then overlapping ranges are refused).
bool same_object(const target& a, const target& b) {
  if (a.what != b.what) return false;
  if (a.what == target::type::map)
    return mmf::shared_memory_path(a.name) == mmf::shared_memory_path(b.name);
  std::error_code ec;
  return std::filesystem::equivalent(a.path, b.path, ec) && !ec;
}

}  // namespace

int run_copy(const copy_options& o) {
  const target src = copy_target(o.source, "SRC");
  const target dst = copy_target(o.destination, "DST");
  const std::uint64_t src_offset =
      o.source_offset ? parse_size(*o.source_offset, "--src-offset") : 0;
  const std::uint64_t dst_offset =
      o.destination_offset ? parse_size(*o.destination_offset, "--dst-offset") : 0;
  const auto length = optional_size(o.length, "--length");

  const opened in = open_for_read(src);
  const std::uint64_t n =
      resolve_range(src, in.size, src_offset, length, /*clamp=*/false, "--src-offset");
  if (n > std::numeric_limits<std::uint64_t>::max() - dst_offset)
    throw usage_error(fmt::format("--dst-offset {} + {} bytes is past 2^64 - 1", dst_offset, n));
  if (n != 0 && same_object(src, dst) && src_offset < dst_offset + n && dst_offset < src_offset + n)
    throw usage_error(fmt::format("the source and destination ranges overlap in {}", src.label()));

  opened out;
  if (dst.what == target::type::map) {
    out = open_for_write(dst);
    resolve_range(dst, out.size, dst_offset, n, /*clamp=*/false, "--dst-offset");
  } else {
    out = open_file_for_output(dst.path, dst_offset + n);
  }

  progress_bar bar("copy", n, stderr_is_terminal());
  for (std::uint64_t done = 0; done < n;) {
    const std::uint64_t c = std::min(kChunk, n - done);
    const mmf::view_accessor from =
        in.map.create_view_accessor(src_offset + done, c, mmf::access::read);
    mmf::view_accessor to = out.map.create_view_accessor(dst_offset + done, c);
    // Guarded: a source file that shrinks under its view is an error naming it, not a SIGBUS.
    std::error_code ec;
    const std::size_t copied = from.copy_to(0, to.bytes().first(static_cast<std::size_t>(c)), ec);
    if (ec) throw_copy_error(ec, src.label(), src_offset + done, copied);
    done += c;
    bar.update(done);
  }
  fmt::print("copied {} byte{} from {} at offset {} to {} at offset {}\n", n, n == 1 ? "" : "s",
             src.label(), src_offset, dst.label(), dst_offset);
  return kExitOk;
}

// ---- fill --------------------------------------------------------------------------------------

int run_fill(const fill_options& o) {
  const target t = resolve_target(o.target);
  const auto byte = static_cast<unsigned char>(parse_unsigned(o.byte, 255, "--byte"));
  const std::uint64_t offset = o.offset ? parse_size(*o.offset, "--offset") : 0;
  const auto length = optional_size(o.length, "--length");
  opened obj = open_for_write(t);
  const std::uint64_t n = resolve_range(t, obj.size, offset, length, /*clamp=*/false);
  {
    progress_bar bar("fill", n, stderr_is_terminal());
    std::uint64_t done = 0;
    for_each_chunk(obj.map, offset, n, mmf::access::read_write,
                   [&](std::span<std::byte> bytes, std::uint64_t) {
                     std::memset(bytes.data(), byte, bytes.size());
                     done += bytes.size();
                     bar.update(done);
                     return true;
                   });
  }
  fmt::print("filled {} byte{} at offset {} of {} with 0x{:02x}\n", n, n == 1 ? "" : "s", offset,
             t.label(), byte);
  return kExitOk;
}

}  // namespace mmf::tool
