// mmf — managed_segment: the map, the segment lock, the per-process registry of open segments
// (for segment_allocator), and the public members over the heap of segment_heap.cpp.
//
// The lock is a named_mutex whose name derives from the segment's (a hash of the name, or of the
// absolute path for a file segment). A named_mutex is already what the crash-safety argument
// needs on every platform: the kernel notices a dead owner (robust futex on POSIX, an abandoned
// kernel mutex on Windows) and hands the lock on. Recovery does not even depend on that signal:
// a non-empty journal seen by whoever holds the lock can only come from an operation that did not
// finish, so it is replayed on every acquisition that finds one (also on the first open of a
// file segment whose writer died with no one else holding the lock).
//
// Creation is serialised by the same lock: the creator takes it before creating the map and
// formats the header while holding it; an opener takes it before opening the map, so it never
// sees a half-written header (a creator that died before writing the magic leaves a zeroed map,
// which the next holder formats).
#include <mmf/managed_segment.hpp>

#include <algorithm>
#include <bit>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/named_mutex.hpp>
#include <mmf/view_accessor.hpp>

#include "errors.hpp"
#include "segment_heap.hpp"

namespace mmf {

struct managed_segment::impl {
  std::string name;
  named_mutex lock;
  memory_mapped_file map;
  view_accessor view;
  std::byte* base = nullptr;
  std::uint64_t size = 0;
  ~impl();
};

namespace detail {
namespace {

namespace seg = segment;

// ---- Registry: base address → open segment, for segment_allocator ------------------------------
std::shared_mutex& registry_mutex() {
  static std::shared_mutex m;
  return m;
}
std::vector<managed_segment::impl*>& registry() {
  static std::vector<managed_segment::impl*> r;
  return r;
}
void register_segment(managed_segment::impl* s) {
  std::unique_lock lock(registry_mutex());
  registry().push_back(s);
}
void unregister_segment(managed_segment::impl* s) noexcept {
  std::unique_lock lock(registry_mutex());
  auto& r = registry();
  r.erase(std::remove(r.begin(), r.end(), s), r.end());
}
managed_segment::impl* registered(const void* base) noexcept {
  std::shared_lock lock(registry_mutex());
  for (auto* s : registry())
    if (s->base == base) return s;
  return nullptr;
}

// ---- The lock, with recovery and rollback
// ---------------------------------------------------------
class locked {
 public:
  explicit locked(managed_segment::impl& s) : s_(s), heap_(s.base) {
    s_.lock.lock();
    heap_.recover();
  }
  locked(const locked&) = delete;
  locked& operator=(const locked&) = delete;
  // An operation left half-done (an exception between its first change and commit) is undone.
  ~locked() {
    heap_.rollback();
    s_.lock.unlock();
  }
  void commit() noexcept { heap_.commit(); }
  seg::heap& heap() noexcept { return heap_; }

 private:
  managed_segment::impl& s_;
  seg::heap heap_;
};

std::string hex64(std::uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4)
    s[static_cast<std::size_t>(i)] = digits[v & 15];
  return s;
}

// "Local\x" and "x" name one segment, so both give one lock name; "Global\x" another.
std::string lock_name_for(std::string_view name) {
  std::string prefix;
  std::string_view bare = name;
  if (bare.starts_with("Global\\")) {
    prefix = "Global\\";
    bare.remove_prefix(7);
  } else if (bare.starts_with("Local\\")) {
    bare.remove_prefix(6);
  }
  return prefix + "mmfseg." + hex64(seg::heap::hash(bare));
}

std::string lock_name_for(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::weakly_canonical(path, ec);
  if (ec) abs = std::filesystem::absolute(path, ec);
  if (ec) abs = path;
  return "mmfseg.file." + hex64(seg::heap::hash(abs.generic_string()));
}

bool valid_name_length(std::string_view object_name) {
  return !object_name.empty() && object_name.size() <= seg::max_object_name;
}

[[noreturn]] void throw_empty(std::string_view operation) {
  throw_error(make_errc(std::errc::bad_file_descriptor), operation);
}

enum class how : std::uint8_t { create_new, create_or_open, open_existing, file };

// Maps the segment and formats or validates its header, under the lock.
std::shared_ptr<managed_segment::impl> open_segment(how h, std::string_view operation,
                                                    std::string_view name,
                                                    const std::filesystem::path* path,
                                                    file_mode mode, std::uint64_t size,
                                                    bool* created_new) {
  // A segment needs a name (an anonymous one could not be opened by anyone).
  if (h != how::file && name.empty())
    throw_error(make_errc(std::errc::invalid_argument), operation, name);
  if (h != how::open_existing && h != how::file && size < seg::minimum_size())
    throw_error(make_errc(std::errc::invalid_argument), operation, name);
  auto s = std::make_shared<managed_segment::impl>();
  s->name = std::string(name);
  bool created = false;
  const std::string lock_name = path != nullptr ? lock_name_for(*path) : lock_name_for(name);
  {
    std::error_code ec;
    s->lock = named_mutex::create_or_open(lock_name, false, nullptr, ec);
    if (ec) throw_error(ec, operation, name);
  }
  std::unique_lock guard(s->lock);
  switch (h) {
    case how::create_new:
      s->map = memory_mapped_file::create_new(name, size);
      created = true;
      break;
    case how::create_or_open:
      s->map = memory_mapped_file::create_or_open(name, size, access::read_write, map_options::none,
                                                  inheritability::none, &created);
      break;
    case how::open_existing:
      s->map = memory_mapped_file::open_existing(name);
      break;
    case how::file: {
      std::uint64_t capacity = size;
      bool exists = false;
      {
        std::error_code ec;
        exists = std::filesystem::exists(*path, ec);
      }
      if (mode == file_mode::open || (mode == file_mode::open_or_create && exists)) capacity = 0;
      if (capacity != 0 && capacity < seg::minimum_size())
        throw_error(make_errc(std::errc::invalid_argument), operation, name);
      if (exists && capacity == 0) {
        std::error_code ec;
        const auto file_bytes = std::filesystem::file_size(*path, ec);
        if (!ec && file_bytes == 0) capacity = size;  // an empty file gets `size` bytes
        if (!ec && file_bytes == 0 && size < seg::minimum_size())
          throw_error(make_errc(std::errc::invalid_argument), operation, name);
      }
      s->map = memory_mapped_file::create_from_file(*path, mode, {}, capacity);
      break;
    }
  }
  s->view = s->map.create_view_accessor();
  s->base = s->view.bytes().data();
  const std::uint64_t mapped = s->view.capacity();
  if (mapped < seg::minimum_size())
    throw_error(make_errc(std::errc::invalid_argument), operation, name);
  const auto* hdr = reinterpret_cast<const seg::header*>(s->base);
  if (created || hdr->magic == 0) {
    seg::heap::format(s->base, mapped);
    created = true;
  } else if (!seg::heap::valid(s->base, mapped)) {
    throw_error(make_errc(std::errc::invalid_argument), operation, name);
  }
  s->size = hdr->size;
  seg::heap(s->base).recover();
  guard.unlock();
  register_segment(s.get());
  if (created_new != nullptr) *created_new = created;
  return s;
}

}  // namespace

void* segment_allocate(void* segment, std::size_t bytes, std::size_t alignment) {
  managed_segment::impl* s = segment != nullptr ? registered(segment) : nullptr;
  if (s == nullptr) throw_empty("segment_allocator::allocate");
  if (alignment == 0 || !std::has_single_bit(alignment))
    throw_error(make_errc(std::errc::invalid_argument), "segment_allocator::allocate", s->name);
  std::uint64_t at = 0;
  {
    locked l(*s);
    at = l.heap().allocate(bytes, alignment);
    l.commit();
  }
  if (at == 0)
    throw_error(make_errc(std::errc::not_enough_memory), "segment_allocator::allocate", s->name);
  return s->base + at;
}

void segment_deallocate(void* segment, void* p) noexcept {
  if (segment == nullptr || p == nullptr) return;
  managed_segment::impl* s = registered(segment);
  if (s == nullptr) return;
  const auto* b = static_cast<const std::byte*>(p);
  if (b < s->base || b >= s->base + s->size) return;
  try {
    locked l(*s);
    l.heap().deallocate(static_cast<std::uint64_t>(b - s->base));
    l.commit();
  } catch (...) {  // the lock could not be taken: the block stays allocated
  }
}

}  // namespace detail

managed_segment::impl::~impl() {
  detail::unregister_segment(this);
}

managed_segment::managed_segment() noexcept = default;
managed_segment::managed_segment(std::shared_ptr<impl> p) noexcept : impl_(std::move(p)) {}
managed_segment::managed_segment(managed_segment&&) noexcept = default;
managed_segment& managed_segment::operator=(managed_segment&&) noexcept = default;
managed_segment::~managed_segment() = default;

managed_segment managed_segment::create_new(std::string_view name, std::uint64_t size) {
  return managed_segment(detail::open_segment(detail::how::create_new,
                                              "managed_segment::create_new", name, nullptr,
                                              file_mode::open, size, nullptr));
}
managed_segment managed_segment::create_new(std::string_view name, std::uint64_t size,
                                            std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return create_new(name, size); });
}
managed_segment managed_segment::create_or_open(std::string_view name, std::uint64_t size,
                                                bool* created_new) {
  return managed_segment(detail::open_segment(detail::how::create_or_open,
                                              "managed_segment::create_or_open", name, nullptr,
                                              file_mode::open, size, created_new));
}
managed_segment managed_segment::create_or_open(std::string_view name, std::uint64_t size,
                                                bool* created_new, std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return create_or_open(name, size, created_new); });
}
managed_segment managed_segment::open_existing(std::string_view name) {
  return managed_segment(detail::open_segment(detail::how::open_existing,
                                              "managed_segment::open_existing", name, nullptr,
                                              file_mode::open, 0, nullptr));
}
managed_segment managed_segment::open_existing(std::string_view name,
                                               std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return open_existing(name); });
}
managed_segment managed_segment::create_from_file(const std::filesystem::path& path, file_mode mode,
                                                  std::uint64_t size) {
  const std::string shown = path.string();
  return managed_segment(detail::open_segment(
      detail::how::file, "managed_segment::create_from_file", shown, &path, mode, size, nullptr));
}
managed_segment managed_segment::create_from_file(const std::filesystem::path& path, file_mode mode,
                                                  std::uint64_t size,
                                                  std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return create_from_file(path, mode, size); });
}

void* managed_segment::allocate(std::size_t bytes, std::size_t alignment) {
  if (!impl_) detail::throw_empty("managed_segment::allocate");
  if (alignment == 0 || !std::has_single_bit(alignment))
    detail::throw_error(detail::make_errc(std::errc::invalid_argument), "managed_segment::allocate",
                        impl_->name);
  std::uint64_t at = 0;
  {
    detail::locked l(*impl_);
    at = l.heap().allocate(bytes, alignment);
    l.commit();
  }
  if (at == 0)
    detail::throw_error(detail::make_errc(std::errc::not_enough_memory),
                        "managed_segment::allocate", impl_->name);
  return impl_->base + at;
}

void* managed_segment::allocate(std::size_t bytes, std::size_t alignment,
                                std::error_code& ec) noexcept {
  return detail::capture(ec, [&] { return allocate(bytes, alignment); });
}

void managed_segment::deallocate(void* p) noexcept {
  if (impl_) detail::segment_deallocate(impl_->base, p);
}

std::uint64_t managed_segment::size() const noexcept {
  return impl_ ? impl_->size : 0;
}

std::uint64_t managed_segment::free_memory() const {
  if (!impl_) detail::throw_empty("managed_segment::free_memory");
  detail::locked l(*impl_);
  return l.heap().head().free_bytes;
}

bool managed_segment::contains(const void* p) const noexcept {
  if (!impl_ || p == nullptr) return false;
  const auto* b = static_cast<const std::byte*>(p);
  return b >= impl_->base && b < impl_->base + impl_->size;
}

std::string_view managed_segment::name() const noexcept {
  return impl_ ? std::string_view(impl_->name) : std::string_view();
}

segment_statistics managed_segment::statistics() const {
  if (!impl_) detail::throw_empty("managed_segment::statistics");
  detail::locked l(*impl_);
  return l.heap().statistics();
}

segment_check managed_segment::check() const {
  if (!impl_) detail::throw_empty("managed_segment::check");
  detail::locked l(*impl_);
  return l.heap().check();
}

std::vector<segment_object_info> managed_segment::objects() const {
  if (!impl_) detail::throw_empty("managed_segment::objects");
  detail::locked l(*impl_);
  return l.heap().objects();
}

void* managed_segment::base() const noexcept {
  return impl_ ? impl_->base : nullptr;
}

void* managed_segment::find_raw(std::string_view object_name, type_key key) const {
  if (!impl_) detail::throw_empty("managed_segment::find");
  if (!detail::valid_name_length(object_name))
    detail::throw_error(detail::make_errc(std::errc::invalid_argument), "managed_segment::find",
                        object_name);
  detail::locked l(*impl_);
  auto& hp = l.heap();
  const std::uint64_t e = hp.find(object_name);
  if (e == 0) return nullptr;
  const auto& en = hp.entry_at(e);
  if (hp.entry_type(en) != key.name || en.object_size != key.size)
    detail::throw_error(detail::make_errc(std::errc::invalid_argument), "managed_segment::find",
                        object_name);
  return impl_->base + en.object;
}

void* managed_segment::begin_construct(std::string_view object_name, type_key key, bool must_be_new,
                                       void*& block) {
  if (!impl_) detail::throw_empty("managed_segment::construct");
  if (!detail::valid_name_length(object_name))
    detail::throw_error(detail::make_errc(std::errc::invalid_argument),
                        "managed_segment::construct", object_name);
  const std::string_view type(key.name);
  const std::size_t alignment = std::max<std::size_t>(key.alignment, 16);
  const std::size_t header_bytes =
      sizeof(detail::segment::entry) + object_name.size() + type.size();
  const std::size_t object_at = (header_bytes + alignment - 1) & ~(alignment - 1);
  std::uint64_t payload = 0;
  {
    detail::locked l(*impl_);
    if (must_be_new && l.heap().find(object_name) != 0) throw_taken(object_name);
    payload = l.heap().allocate(object_at + key.size, alignment);
    l.commit();
  }
  if (payload == 0)
    detail::throw_error(detail::make_errc(std::errc::not_enough_memory),
                        "managed_segment::construct", object_name);
  // The block is this thread's until publish(): its entry is written with plain stores.
  auto* e = reinterpret_cast<detail::segment::entry*>(impl_->base + payload);
  e->next = 0;
  e->hash = detail::segment::heap::hash(object_name);
  e->object = payload + object_at;
  e->object_size = key.size;
  e->name_length = static_cast<std::uint32_t>(object_name.size());
  e->type_length = static_cast<std::uint32_t>(type.size());
  auto* text = reinterpret_cast<char*>(e + 1);
  std::memcpy(text, object_name.data(), object_name.size());
  std::memcpy(text + object_name.size(), type.data(), type.size());
  block = e;
  return impl_->base + e->object;
}

void* managed_segment::publish(void* block, type_key key) {
  auto* e = static_cast<detail::segment::entry*>(block);
  const auto offset = static_cast<std::uint64_t>(static_cast<std::byte*>(block) - impl_->base);
  detail::locked l(*impl_);
  auto& hp = l.heap();
  const std::string_view object_name = hp.entry_name(*e);
  if (const std::uint64_t other = hp.find(object_name)) {
    const auto& en = hp.entry_at(other);
    // Another type under that name: `block` tells the caller, which destroys its own object
    // before it throws (invalid_argument, or file_exists for construct).
    if (hp.entry_type(en) != key.name || en.object_size != key.size) return block;
    return impl_->base + en.object;
  }
  hp.publish(offset);
  l.commit();
  return nullptr;
}

void managed_segment::abandon(void* block) noexcept {
  if (impl_) detail::segment_deallocate(impl_->base, block);
}

void* managed_segment::unlink_raw(std::string_view object_name, type_key key, void*& object) {
  if (!impl_) detail::throw_empty("managed_segment::destroy");
  if (!detail::valid_name_length(object_name))
    detail::throw_error(detail::make_errc(std::errc::invalid_argument), "managed_segment::destroy",
                        object_name);
  detail::locked l(*impl_);
  auto& hp = l.heap();
  std::uint64_t link = 0;
  const std::uint64_t e = hp.find(object_name, &link);
  if (e == 0) return nullptr;
  const auto& en = hp.entry_at(e);
  if (hp.entry_type(en) != key.name || en.object_size != key.size)
    detail::throw_error(detail::make_errc(std::errc::invalid_argument), "managed_segment::destroy",
                        object_name);
  object = impl_->base + en.object;
  hp.unlink(e, link);
  l.commit();
  return impl_->base + e;
}

void managed_segment::throw_taken(std::string_view object_name) {
  detail::throw_error(detail::make_errc(std::errc::file_exists), "managed_segment::construct",
                      object_name);
}

}  // namespace mmf

namespace mmf {
void managed_segment::throw_mismatch(std::string_view object_name) {
  detail::throw_error(detail::make_errc(std::errc::invalid_argument),
                      "managed_segment::find_or_construct", object_name);
}
}  // namespace mmf
