// mmf — Windows back end: file-mapping objects (sections) and views.
//
// - A map is a file-mapping object: CreateFileMappingW over a file (persisted) or over the paging
//   file (INVALID_HANDLE_VALUE, non-persisted), named Local\<name> or Global\<name> in UTF-16, so
//   Win32 and .NET programs open the same object by the same name. Its lifetime is the kernel's:
//   it goes with its last handle or view in any process, also when processes are killed.
// - Creating a map under a Global\ name needs SeCreateGlobalPrivilege (administrators and services
//   have it): without it CreateFileMappingW fails with ERROR_ACCESS_DENIED, permission_denied.
//   Opening an existing Global\ map does not need it. (Wine does not enforce this.)
// - A named persisted map is a named mapping over the file: OpenFileMappingW in another process
//   finds it while the creator (or one of its views) keeps it open.
// - map_options::delay_allocate_pages creates the section with SEC_RESERVE: it takes no commit
//   charge when created. Windows requires reserved pages to be committed (VirtualAlloc MEM_COMMIT)
//   before they are touched, so map_view() commits the view's range when it maps it: the memory is
//   charged per view, as views are made, not for the whole capacity up front. A view of a
//   SEC_RESERVE map opened by name is committed the same way.
// - map_options::populate prefetches each view (PrefetchVirtualMemory) when it is mapped;
//   map_options::huge_pages is ignored: large pages (SEC_LARGE_PAGES) need the "Lock pages in
//   memory" privilege, which normal accounts do not have.
// - Capacity of an opened map: the kernel does not tell a second process the creator's exact size
//   through any documented call. The opener maps the whole section once and adds up the region
//   sizes VirtualQuery reports: the capacity rounded UP to a page (4096). Every view of an opened
//   map is bounded by that rounded capacity; the bytes between the creator's capacity and the page
//   end read as zero (and for a persisted map are not written to the file).
// - grow: a section's size is fixed for life. An unnamed persisted map grows by extending its file
//   and creating a new, larger section over it; the old section lives on in the views made from
//   it, which stay valid. A pagefile-backed section (every non-persisted map) cannot be extended,
//   and a named persisted map's name belongs to the section other processes hold:
//   operation_not_supported. So no capacity changes after creation, and section_capacity only
//   returns what the map already has.
// - flush: FlushViewOfFile writes the dirty pages, but only FlushFileBuffers waits for the file's
//   data and metadata to reach the disk, so persisted maps call both. A persisted map opened by
//   name in another process has no handle to the file: its flush() is FlushViewOfFile only.
// - Page control: flush_async is FlushViewOfFile alone (it starts the writes; FlushFileBuffers
//   would wait). advise: will_need prefetches (PrefetchVirtualMemory, best effort); Windows has
//   no per-view equivalent of the other hints, which do nothing. lock/unlock are VirtualLock /
//   VirtualUnlock; VirtualLock past the working-set minimum fails with ERROR_WORKING_SET_QUOTA,
//   not_enough_memory.
#include "win32.hpp"

#include <psapi.h>

namespace mmf::detail::platform {

struct section {
  win::unique_handle mapping;       // the file-mapping object
  win::unique_handle own_file;      // the file, when the section owns it
  win::unique_handle flush_file;    // a duplicate of a caller's file handle (leave_open), for flush
  HANDLE file = nullptr;            // the file handle reported by section_handle (may be borrowed)
  bool persisted = false;           // backed by a file
  bool file_writable = false;       // FlushFileBuffers needs write access
  bool may_be_reserved = false;     // SEC_RESERVE, or unknown (opened by name): commit views
  bool rounded_capacity = false;    // capacity came from VirtualQuery (page-rounded)
  bool populate = false;            // map_options::populate: prefetch every view
  bool named = false;               // the mapping has a kernel name
  access acc = access::read_write;  // the section's protection (grow)
  inheritability inherit = inheritability::none;  // of the mapping handle (grow)
  std::uint64_t capacity = 0;
};

void section_deleter::operator()(section* s) const noexcept {
  delete s;
}

namespace {

// The protection of a map made with `acc`, and of the committed pages of a view made with it.
DWORD page_protection(access acc) noexcept {
  switch (acc) {
    case access::read:
      return PAGE_READONLY;
    case access::copy_on_write:
      return PAGE_WRITECOPY;
    case access::read_execute:
      return PAGE_EXECUTE_READ;
    case access::read_write_execute:
      return PAGE_EXECUTE_READWRITE;
    case access::read_write:
    case access::write:
    default:
      return PAGE_READWRITE;
  }
}

// MapViewOfFile's desired access for a view (FILE_MAP_WRITE implies read).
DWORD view_desired_access(access acc) noexcept {
  switch (acc) {
    case access::read:
      return FILE_MAP_READ;
    case access::write:
      return FILE_MAP_WRITE;
    case access::copy_on_write:
      return FILE_MAP_COPY;
    case access::read_execute:
      return FILE_MAP_READ | FILE_MAP_EXECUTE;
    case access::read_write_execute:
      return FILE_MAP_WRITE | FILE_MAP_EXECUTE;
    case access::read_write:
    default:
      return FILE_MAP_READ | FILE_MAP_WRITE;
  }
}

// OpenFileMappingW's desired access for a map opened with `acc`.
DWORD open_desired_access(access acc) noexcept {
  switch (acc) {
    case access::read:
      return FILE_MAP_READ;
    case access::copy_on_write:
      return FILE_MAP_READ | FILE_MAP_COPY;
    case access::read_execute:
      return FILE_MAP_READ | FILE_MAP_EXECUTE;
    case access::read_write_execute:
      return FILE_MAP_READ | FILE_MAP_WRITE | FILE_MAP_EXECUTE;
    case access::read_write:
    case access::write:
    default:
      return FILE_MAP_READ | FILE_MAP_WRITE;
  }
}

constexpr DWORD high_part(std::uint64_t v) noexcept {
  return static_cast<DWORD>(v >> 32);
}
constexpr DWORD low_part(std::uint64_t v) noexcept {
  return static_cast<DWORD>(v & 0xFFFFFFFFu);
}

// The object of that name is another kind (a mutex, an event, ...): Windows reports it as
// ERROR_INVALID_HANDLE, which would read as "bad file descriptor". For an open it is "no map of
// that name"; for a create it is "the name is in use".
std::error_code name_clash(bool creating) noexcept {
  return make_error_code(creating ? std::errc::file_exists : std::errc::no_such_file_or_directory);
}

// Maps the whole section once, with the access the map was opened with, to learn its size
// (page-rounded) and whether it is backed by a file. Mapping it is also what proves the access:
// OpenFileMappingW grants FILE_MAP_WRITE on a read-only section (the object's security allows
// it); only MapViewOfFile compares the access with the section's protection.
std::error_code inspect_section(HANDLE mapping, access acc, std::uint64_t& capacity,
                                bool& persisted) noexcept {
  void* base = ::MapViewOfFile(mapping, view_desired_access(acc), 0, 0, 0);
  if (base == nullptr) return win::last_error();
  std::uint64_t total = 0;
  auto* p = static_cast<const char*>(base);
  MEMORY_BASIC_INFORMATION mbi{};
  // A SEC_RESERVE section shows as several regions (committed and reserved runs): add them up.
  while (::VirtualQuery(p, &mbi, sizeof mbi) == sizeof mbi && mbi.AllocationBase == base) {
    total += mbi.RegionSize;
    p += mbi.RegionSize;
  }
  wchar_t file_name[MAX_PATH + 1];
  persisted = ::K32GetMappedFileNameW(::GetCurrentProcess(), base, file_name, MAX_PATH) != 0;
  ::UnmapViewOfFile(base);
  if (total == 0) return make_error_code(std::errc::invalid_argument);
  capacity = total;
  return {};
}

// Commits the reserved pages of [base, base + length) (a view of a SEC_RESERVE section).
std::error_code commit_reserved(void* base, std::size_t length, access view_acc) noexcept {
  auto* p = static_cast<char*>(base);
  char* const end = p + length;
  MEMORY_BASIC_INFORMATION mbi{};
  while (p < end) {
    if (::VirtualQuery(p, &mbi, sizeof mbi) != sizeof mbi) return win::last_error();
    char* const region_end = static_cast<char*>(mbi.BaseAddress) + mbi.RegionSize;
    if (mbi.State == MEM_RESERVE) {
      const std::size_t n = static_cast<std::size_t>((region_end < end ? region_end : end) - p);
      if (::VirtualAlloc(p, n, MEM_COMMIT, page_protection(view_acc)) == nullptr)
        return win::last_error();
    }
    p = region_end;
  }
  return {};
}

// map_options::populate: PrefetchVirtualMemory (Windows 8 and later, looked up so that the library
// still loads on older systems) reads the view's pages in with one request instead of one fault
// per page. Best effort, as the option is documented: nothing fails if it cannot be done.
void prefetch(void* base, std::size_t length) noexcept {
  using prefetch_fn = BOOL(WINAPI*)(HANDLE, ULONG_PTR, PWIN32_MEMORY_RANGE_ENTRY, ULONG);
  static const auto fn = reinterpret_cast<prefetch_fn>(reinterpret_cast<void*>(
      ::GetProcAddress(::GetModuleHandleW(L"kernel32.dll"), "PrefetchVirtualMemory")));
  if (fn == nullptr) return;
  WIN32_MEMORY_RANGE_ENTRY range{base, length};
  fn(::GetCurrentProcess(), 1, &range, 0);
}

}  // namespace

std::error_code section_from_file(native_handle file, bool own_file, const object_name* name,
                                  const std::filesystem::path* /*path*/, std::uint64_t capacity,
                                  access acc, inheritability inherit, section_ptr& out) noexcept {
  std::wstring wide;
  if (name != nullptr) {
    if (auto ec = win::kernel_name(*name, wide)) return ec;
  }
  bool readable = true;
  bool writable = false;
  if (auto ec = handle_access(file, readable, writable)) return ec;
  win::security_attributes sa(inherit);
  win::unique_handle mapping(::CreateFileMappingW(file, sa.get(), page_protection(acc),
                                                  high_part(capacity), low_part(capacity),
                                                  name != nullptr ? wide.c_str() : nullptr));
  if (!mapping) {
    const DWORD e = ::GetLastError();
    return e == ERROR_INVALID_HANDLE && name != nullptr ? name_clash(true)
                                                        : win::error_from_win32(e);
  }
  // A name in use: CreateFileMappingW opened the existing object instead. Let it go.
  if (name != nullptr && ::GetLastError() == ERROR_ALREADY_EXISTS)
    return make_error_code(std::errc::file_exists);

  section* s = new (std::nothrow) section;
  if (s == nullptr) return make_error_code(std::errc::not_enough_memory);
  section_ptr result(s);
  if (!own_file && writable) {
    // leave_open: the caller may close its handle while views still need FlushFileBuffers.
    HANDLE dup = nullptr;
    if (::DuplicateHandle(::GetCurrentProcess(), file, ::GetCurrentProcess(), &dup, 0, FALSE,
                          DUPLICATE_SAME_ACCESS))
      s->flush_file.reset(dup);
  }
  if (own_file) {
    if (auto ec = set_inheritable(file, inherit == inheritability::inheritable)) return ec;
  }
  s->mapping = std::move(mapping);
  s->file = file;
  s->persisted = true;
  s->file_writable = writable;
  s->named = name != nullptr;
  s->acc = acc;
  s->inherit = inherit;
  s->capacity = capacity;
  if (own_file) s->own_file.reset(file);  // last: on failure the caller keeps the file
  out = std::move(result);
  return {};
}

std::error_code section_named(disposition how, const section_request& request, section_ptr& out,
                              bool& created, std::uint64_t& capacity, bool& persisted) noexcept {
  std::wstring wide;
  if (request.name != nullptr) {
    if (auto ec = win::kernel_name(*request.name, wide)) return ec;
  }
  const wchar_t* kname = request.name != nullptr ? wide.c_str() : nullptr;
  win::security_attributes sa(request.inherit);
  const bool reserve = has_option(request.options, map_options::delay_allocate_pages);

  win::unique_handle mapping;
  bool made = false;
  if (how == disposition::open_existing) {
    if (kname == nullptr) return make_error_code(std::errc::invalid_argument);
    mapping.reset(::OpenFileMappingW(open_desired_access(request.acc),
                                     request.inherit == inheritability::inheritable, kname));
    if (!mapping) {
      const DWORD e = ::GetLastError();
      return e == ERROR_INVALID_HANDLE ? name_clash(false) : win::error_from_win32(e);
    }
  } else {
    const DWORD protect = page_protection(request.acc) | (reserve ? SEC_RESERVE : SEC_COMMIT);
    mapping.reset(::CreateFileMappingW(INVALID_HANDLE_VALUE, sa.get(), protect,
                                       high_part(request.capacity), low_part(request.capacity),
                                       kname));
    if (!mapping) {
      const DWORD e = ::GetLastError();
      return e == ERROR_INVALID_HANDLE && kname != nullptr ? name_clash(true)
                                                           : win::error_from_win32(e);
    }
    made = kname == nullptr || ::GetLastError() != ERROR_ALREADY_EXISTS;
    // create_new on an existing name: CreateFileMappingW handed us the existing object.
    if (!made && how == disposition::create_new) return make_error_code(std::errc::file_exists);
  }

  section* s = new (std::nothrow) section;
  if (s == nullptr) return make_error_code(std::errc::not_enough_memory);
  section_ptr result(s);
  s->populate = has_option(request.options, map_options::populate);
  if (made) {
    s->capacity = request.capacity;
    s->may_be_reserved = reserve;
  } else {
    if (auto ec = inspect_section(mapping.get(), request.acc, s->capacity, s->persisted)) return ec;
    s->rounded_capacity = true;
    s->may_be_reserved = !s->persisted;  // a SEC_RESERVE creator cannot be told apart
  }
  s->mapping = std::move(mapping);
  s->named = kname != nullptr;
  s->acc = request.acc;
  s->inherit = request.inherit;
  created = made;
  capacity = s->capacity;
  persisted = s->persisted;
  out = std::move(result);
  return {};
}

native_handle section_handle(const section& s) noexcept {
  return s.file != nullptr ? s.file : s.mapping.get();
}

std::error_code grow_section(section& s, std::uint64_t /*old_capacity*/,
                             std::uint64_t capacity) noexcept {
  // A pagefile-backed section has its size for life; a named one's name belongs to the section
  // other processes hold, so a larger one could not take it.
  if (!s.persisted || s.named) return make_error_code(std::errc::operation_not_supported);
  HANDLE file = s.flush_file ? s.flush_file.get() : (s.own_file ? s.own_file.get() : s.file);
  if (file == nullptr || !s.file_writable) return make_error_code(std::errc::permission_denied);
  std::uint64_t size = 0;
  if (auto ec = file_size(file, size)) return ec;
  const bool grows = size < capacity;
  if (grows) {
    if (auto ec = resize_file(file, capacity)) return ec;
  }
  // A new, larger section over the grown file; views of the old one keep it alive and valid.
  win::security_attributes sa(s.inherit);
  win::unique_handle mapping(::CreateFileMappingW(
      file, sa.get(), page_protection(s.acc), high_part(capacity), low_part(capacity), nullptr));
  if (!mapping) {
    const auto ec = win::last_error();
    if (grows) resize_file(file, size);
    return ec;
  }
  s.mapping = std::move(mapping);
  s.capacity = capacity;
  return {};
}

std::error_code section_capacity(const section& s, std::uint64_t known,
                                 std::uint64_t& capacity) noexcept {
  // No Windows map changes its size after creation (see grow_section).
  capacity = known > s.capacity ? known : s.capacity;
  return {};
}

std::error_code map_view(const section& s, std::uint64_t offset, std::size_t length,
                         access view_acc, void*& base) noexcept {
  // The capacity of an opened map is page-rounded, but the section may end earlier (a file-backed
  // section is as long as the creator's capacity): a view that reaches the rounded end is mapped
  // "to the end of the section" (length 0), which the kernel rounds to the same page.
  const bool to_end = s.rounded_capacity && offset + length >= s.capacity;
  void* p = ::MapViewOfFile(s.mapping.get(), view_desired_access(view_acc), high_part(offset),
                            low_part(offset), to_end ? 0 : length);
  if (p == nullptr) return win::last_error();
  if (s.may_be_reserved) {
    if (auto ec = commit_reserved(p, length, view_acc)) {
      ::UnmapViewOfFile(p);
      return ec;
    }
  }
  if (s.populate) prefetch(p, length);
  base = p;
  return {};
}

void unmap_view(void* base, std::size_t /*length*/) noexcept {
  if (base != nullptr) ::UnmapViewOfFile(base);
}

std::error_code flush_view(const section& s, void* base, std::size_t length) noexcept {
  if (!s.persisted) return {};
  if (!::FlushViewOfFile(base, length)) return win::last_error();
  HANDLE file = s.flush_file ? s.flush_file.get() : s.own_file.get();
  if (file != nullptr && s.file_writable && !::FlushFileBuffers(file)) return win::last_error();
  return {};
}

// ---- Page control -------------------------------------------------------------------------------

std::error_code flush_view_async(const section& s, void* base, std::size_t length,
                                 std::uint64_t /*file_offset*/) noexcept {
  if (!s.persisted) return {};
  // FlushViewOfFile starts writing the range's dirty pages; only FlushFileBuffers waits for them.
  if (!::FlushViewOfFile(base, length)) return win::last_error();
  return {};
}

std::error_code advise_view(void* base, std::size_t length, access /*view_acc*/,
                            advice a) noexcept {
  // Only will_need has a Windows counterpart for a mapped view. (OfferVirtualMemory and
  // DiscardVirtualMemory, the nearest to dont_need, may discard the contents: never used.)
  if (a == advice::will_need) prefetch(base, length);
  return {};
}

std::error_code lock_view(void* base, std::size_t length) noexcept {
  if (!::VirtualLock(base, length)) return win::last_error();
  return {};
}

std::error_code unlock_view(void* base, std::size_t length) noexcept {
  if (!::VirtualUnlock(base, length)) {
    const DWORD e = ::GetLastError();
    // ERROR_NOT_LOCKED: some page was not locked, which munlock does not complain about either.
    if (e != ERROR_NOT_LOCKED) return win::error_from_win32(e);
  }
  return {};
}

}  // namespace mmf::detail::platform
