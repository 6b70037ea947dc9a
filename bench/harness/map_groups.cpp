// mmf-bench — the map groups: map lifecycle (create/open/view/close) and first touch of shared
// memory (demand faults, prefault, huge pages).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

#include <mmf/mmf.hpp>

#if defined(MMF_BENCH_HAVE_BOOST)
#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#endif

#include "harness.hpp"

namespace mmfbench {

namespace {

constexpr std::size_t huge_size = std::size_t{2} << 20;

// The raw POSIX sequence: a named shared-memory object, sized, mapped. `reserve` sizes it with
// posix_fallocate (what mmf's default reservation does) instead of ftruncate. `dir` non-empty:
// the object is a file there (a huge-page tmpfs) instead of shm_open's /dev/shm.
struct raw_shm {
  std::string name;
  std::string path;
  int fd = -1;
  void* p = MAP_FAILED;
  std::size_t size = 0;
};

raw_shm raw_create(const std::string& name, std::size_t size, bool reserve,
                   const std::string& dir = {}, bool huge_aligned = false) {
  raw_shm r;
  r.size = size;
  if (dir.empty()) {
    r.name = "/" + name;
    r.fd = ::shm_open(r.name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  } else {
    r.path = dir + "/" + name;
    r.fd = ::open(r.path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  }
  if (r.fd < 0) fail_errno("shm_open");
  if (reserve) {
    if (const int rc = ::posix_fallocate(r.fd, 0, static_cast<off_t>(size)); rc != 0) {
      errno = rc;
      fail_errno("posix_fallocate");
    }
  } else if (::ftruncate(r.fd, static_cast<off_t>(size)) != 0) {
    fail_errno("ftruncate");
  }
  void* hint = nullptr;
  int flags = MAP_SHARED;
  if (huge_aligned) {
    void* reserve_area =
        ::mmap(nullptr, size + huge_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (reserve_area == MAP_FAILED) fail_errno("mmap");
    const auto a = reinterpret_cast<std::uintptr_t>(reserve_area);
    const auto aligned = (a + huge_size - 1) & ~(std::uintptr_t{huge_size} - 1);
    hint = reinterpret_cast<void*>(aligned);
    if (aligned > a) ::munmap(reserve_area, aligned - a);
    const auto end = a + size + huge_size;
    if (end > aligned + size)
      ::munmap(reinterpret_cast<void*>(aligned + size), end - aligned - size);
    flags |= MAP_FIXED;
  }
  r.p = ::mmap(hint, size, PROT_READ | PROT_WRITE, flags, r.fd, 0);
  if (r.p == MAP_FAILED) fail_errno("mmap");
  if (huge_aligned) ::madvise(r.p, size, MADV_HUGEPAGE);
  return r;
}

void raw_destroy(raw_shm& r) {
  ::munmap(r.p, r.size);
  ::close(r.fd);
  if (r.path.empty())
    ::shm_unlink(r.name.c_str());
  else
    ::unlink(r.path.c_str());
}

// One full raw cycle: the object, sized (`reserve`: allocated), mapped, (touched), removed.
void raw_cycle(std::size_t size, bool reserve, bool touch) {
  auto r = raw_create(unique_name("raw"), size, reserve);
  if (touch) touch_pages(r.p, size, mmf::page_size());
  raw_destroy(r);
}

// One full mmf cycle: create_new, one view of the whole map, (touch), close both.
void mmf_cycle(std::size_t size, mmf::map_options options, bool touch) {
  auto map = mmf::memory_mapped_file::create_new(unique_name("map"), size, mmf::access::read_write,
                                                 options);
  auto view = map.create_view_accessor();
  if (touch) touch_pages(view.bytes().data(), size, mmf::page_size());
  keep(view.bytes().data());
}

#if defined(MMF_BENCH_HAVE_BOOST)
void boost_cycle(std::size_t size, bool touch) {
  namespace bip = boost::interprocess;
  const std::string name = unique_name("boost");
  {
    bip::shared_memory_object shm(bip::create_only, name.c_str(), bip::read_write);
    shm.truncate(static_cast<bip::offset_t>(size));
    bip::mapped_region region(shm, bip::read_write);
    if (touch) touch_pages(region.get_address(), size, mmf::page_size());
    keep(region.get_address());
  }
  bip::shared_memory_object::remove(name.c_str());
}
#endif

struct lifecycle_fixture {
  std::string mmf_name;
  mmf::memory_mapped_file existing;  // for the open_existing and view rows
  std::string raw_name;
  int raw_fd = -1;
  std::string boost_name;
#if defined(MMF_BENCH_HAVE_BOOST)
  std::unique_ptr<boost::interprocess::shared_memory_object> boost_existing;
#endif
  ~lifecycle_fixture() {
    if (raw_fd >= 0) ::close(raw_fd);
    if (!raw_name.empty()) ::shm_unlink(raw_name.c_str());
#if defined(MMF_BENCH_HAVE_BOOST)
    boost_existing.reset();
    if (!boost_name.empty()) boost::interprocess::shared_memory_object::remove(boost_name.c_str());
#endif
  }
};

}  // namespace

// ---- lifecycle ----------------------------------------------------------------------------------

group make_lifecycle_group(const config& cfg) {
  auto fx = std::make_shared<lifecycle_fixture>();
  lifecycle_fixture* f = fx.get();
  constexpr std::size_t small = 64u << 10;
  const std::size_t ops = cfg.quick ? 50 : 2000;
  f->mmf_name = unique_name("existing");
  f->existing = mmf::memory_mapped_file::create_new(f->mmf_name, small);
  f->raw_name = "/" + unique_name("rawexisting");
  f->raw_fd = ::shm_open(f->raw_name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (f->raw_fd < 0 || ::ftruncate(f->raw_fd, small) != 0) fail_errno("shm_open");

  group g;
  g.name = "lifecycle";
  g.description = "map lifecycle on shared memory (ns per cycle)";
  const std::string tc = "create + map 64 KiB + close (lazy, no reservation)";
  const std::string tr = "create + map 64 KiB + close (reserved)";
  const std::string to = "open existing + map 64 KiB + close";
  const std::string tv = "view create + close (64 KiB, map already open)";
  const std::string ts = "mmf create_new(delay_allocate_pages) + view + close, by size";
  const std::uint64_t touch_size = cfg.quick ? 4u << 20 : 64u << 20;
  const std::string tt = "create + view + first touch of " + format_bytes(touch_size) + " + close";

  table_rows create_rows(g, tc);
  create_rows.add("lifecycle.create.raw", "raw shm_open+ftruncate+mmap+munmap+close+shm_unlink",
                  role::floor, time_per_call(ops, [] { raw_cycle(small, false, false); }));
  create_rows.add(
      "lifecycle.create.mmf", "mmf create_new(delay_allocate_pages)+view+close", role::mmf,
      time_per_call(ops, [] { mmf_cycle(small, mmf::map_options::delay_allocate_pages, false); }));
#if defined(MMF_BENCH_HAVE_BOOST)
  create_rows.add("lifecycle.create.boost",
                  "Boost shared_memory_object+truncate+mapped_region+remove", role::peer,
                  time_per_call(ops, [] { boost_cycle(small, false); }));
#endif
  table_rows reserved_rows(g, tr);
  reserved_rows.add("lifecycle.reserved.raw",
                    "raw shm_open+posix_fallocate+mmap+munmap+close+shm_unlink", role::floor,
                    time_per_call(ops, [] { raw_cycle(small, true, false); }));
  reserved_rows.add("lifecycle.reserved.mmf", "mmf create_new (default)+view+close", role::mmf,
                    time_per_call(ops, [] { mmf_cycle(small, mmf::map_options::none, false); }));

  table_rows open_rows(g, to);
  open_rows.add("lifecycle.open.raw", "raw shm_open+fstat+mmap+munmap+close", role::floor,
                time_per_call(ops, [f] {
                  const int fd = ::shm_open(f->raw_name.c_str(), O_RDWR | O_CLOEXEC, 0);
                  if (fd < 0) fail_errno("shm_open");
                  struct ::stat st {};
                  ::fstat(fd, &st);
                  void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size),
                                   PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
                  if (p == MAP_FAILED) fail_errno("mmap");
                  ::munmap(p, static_cast<std::size_t>(st.st_size));
                  ::close(fd);
                }));
  open_rows.add("lifecycle.open.mmf", "mmf open_existing+view+close", role::mmf,
                time_per_call(ops, [f] {
                  auto map = mmf::memory_mapped_file::open_existing(f->mmf_name);
                  auto view = map.create_view_accessor();
                  keep(view.bytes().data());
                }));
#if defined(MMF_BENCH_HAVE_BOOST)
  {
    namespace bip = boost::interprocess;
    f->boost_name = unique_name("boostexisting");
    f->boost_existing = std::make_unique<bip::shared_memory_object>(
        bip::create_only, f->boost_name.c_str(), bip::read_write);
    f->boost_existing->truncate(small);
  }
  open_rows.add("lifecycle.open.boost", "Boost shared_memory_object(open_only)+mapped_region",
                role::peer, time_per_call(ops, [f] {
                  namespace bip = boost::interprocess;
                  bip::shared_memory_object shm(bip::open_only, f->boost_name.c_str(),
                                                bip::read_write);
                  bip::mapped_region region(shm, bip::read_write);
                  keep(region.get_address());
                }));
#endif

  table_rows view_rows(g, tv);
  view_rows.add("lifecycle.view.raw", "raw mmap+munmap", role::floor, time_per_call(ops * 4, [f] {
                  void* p =
                      ::mmap(nullptr, small, PROT_READ | PROT_WRITE, MAP_SHARED, f->raw_fd, 0);
                  if (p == MAP_FAILED) fail_errno("mmap");
                  ::munmap(p, small);
                }));
  view_rows.add("lifecycle.view.mmf", "mmf create_view_accessor+close", role::mmf,
                time_per_call(ops * 4, [f] {
                  auto v = f->existing.create_view_accessor();
                  keep(v.bytes().data());
                }));
#if defined(MMF_BENCH_HAVE_BOOST)
  view_rows.add("lifecycle.view.boost", "Boost mapped_region", role::peer,
                time_per_call(ops * 4, [f] {
                  boost::interprocess::mapped_region region(*f->boost_existing,
                                                            boost::interprocess::read_write);
                  keep(region.get_address());
                }));
#endif

  table_rows size_rows(g, ts);
  const std::uint64_t sizes[] = {64u << 10, 1ull << 30, 64ull << 30};
  for (std::uint64_t s : sizes) {
    std::string id = "lifecycle.size." + format_bytes(s);  // "64 KiB" -> "64KiB"
    id.erase(std::remove(id.begin(), id.end(), ' '), id.end());
    size_rows.add(std::move(id), "mmf lazy create, " + format_bytes(s),
                  s == sizes[0] ? role::floor : role::mmf, time_per_call(ops / 2, [s] {
                    mmf_cycle(static_cast<std::size_t>(s), mmf::map_options::delay_allocate_pages,
                              false);
                  }));
  }

  const std::size_t touch_ops = cfg.quick ? 2 : 4;
  const auto ts_bytes = static_cast<std::size_t>(touch_size);
  table_rows touch_rows(g, tt);
  touch_rows.per_unit(static_cast<double>(touch_size / mmf::page_size()), "4 KiB page");
  touch_rows.add("lifecycle.touch.lazy", "mmf create_new(delay_allocate_pages)", role::floor,
                 time_per_call(touch_ops, [ts_bytes] {
                   mmf_cycle(ts_bytes, mmf::map_options::delay_allocate_pages, true);
                 }));
  touch_rows.add(
      "lifecycle.touch.default", "mmf create_new (default: reserved)", role::mmf,
      time_per_call(touch_ops, [ts_bytes] { mmf_cycle(ts_bytes, mmf::map_options::none, true); }));
  touch_rows.add("lifecycle.touch.raw", "raw shm_open+ftruncate", role::peer,
                 time_per_call(touch_ops, [ts_bytes] { raw_cycle(ts_bytes, false, true); }));
  touch_rows.add("lifecycle.touch.raw_reserved", "raw shm_open+posix_fallocate", role::peer,
                 time_per_call(touch_ops, [ts_bytes] { raw_cycle(ts_bytes, true, true); }));
  g.notes.push_back(std::to_string(ops) + " cycles per repetition (view rows " +
                    std::to_string(ops * 4) + ", size rows " + std::to_string(ops / 2) +
                    ", touch rows " + std::to_string(touch_ops) +
                    "); objects in the shared-memory directory.");
  g.fixture = fx;
  return g;
}

// ---- touch --------------------------------------------------------------------------------------

namespace {

std::string bracketed(const std::string& setting) {
  const auto a = setting.find('[');
  const auto b = setting.find(']');
  if (a == std::string::npos || b == std::string::npos || b < a) return setting;
  return setting.substr(a + 1, b - a - 1);
}

std::string read_smaps_field(const char* key) {
  return file_field("/proc/self/smaps_rollup", key).value_or("?");
}

struct touch_fixture {
  std::string huge_dir;     // a private tmpfs mounted huge=always, when that was the way
  std::string setup_note;   // what was done for huge pages, or why not
  std::string granted;      // huge pages seen while the mmf huge-page view was mapped
  std::string granted_raw;  // ... and while the raw huge-page mapping was
  int restore_id = 0;
};

// Runs `fn` with MMF_SHM_DIR pointing at the huge-page tmpfs, when that is how huge pages are had.
template <class Fn>
void in_huge_dir(const touch_fixture& f, Fn fn) {
  if (f.huge_dir.empty()) return fn();
  const char* old = std::getenv("MMF_SHM_DIR");
  const std::string saved = old != nullptr ? old : "";
  const auto restore = [had = old != nullptr, &saved] {
    if (had)
      ::setenv("MMF_SHM_DIR", saved.c_str(), 1);
    else
      ::unsetenv("MMF_SHM_DIR");
  };
  ::setenv("MMF_SHM_DIR", f.huge_dir.c_str(), 1);
  try {
    fn();
  } catch (...) {
    restore();
    throw;
  }
  restore();
}

void set_up_huge_pages(const config& cfg, touch_fixture& f) {
  // A tmpfs mount decides by its huge= option (shmem_enabled only governs the kernel's internal
  // mount, used by memfd and SysV shm, unless it says deny or force).
  const std::string shm = shm_dir();
  const std::string knob = read_text_file("/sys/kernel/mm/transparent_hugepage/shmem_enabled");
  const std::string mode = bracketed(knob);
  std::string huge_opt = "never";
  if (const auto mount = mount_of(shm)) {
    const std::string& opts = mount->options;
    const auto at = opts.find("huge=");
    if (at != std::string::npos) huge_opt = opts.substr(at + 5, opts.find(',', at) - at - 5);
  }
  if (mode == "force" || huge_opt == "advise" || huge_opt == "always" ||
      huge_opt == "within_size") {
    f.setup_note = "huge pages: " + shm + " is mounted huge=" + huge_opt + " (shmem_enabled '" +
                   mode + "'): no change needed";
    return;
  }
  const std::string why = shm + " is mounted huge=" + huge_opt + " (shmem_enabled '" + mode + "')";
  if (mode == "deny") {
    f.setup_note = "huge pages: shmem_enabled is 'deny': no tmpfs can have them";
    return;
  }
  if (!cfg.system_setup) {
    f.setup_note = "huge pages: " + why + " and --no-system-setup was given: normal pages";
    return;
  }
  if (::geteuid() != 0) {
    f.setup_note = "huge pages: " + why + "; mounting a huge-page tmpfs needs root: normal pages";
    return;
  }
  // A private tmpfs mounted huge=advise: huge pages where MADV_HUGEPAGE asks for them, which is
  // what map_options::huge_pages does. Nothing system-wide changes.
  char templ[] = "/tmp/mmf-bench-huge.XXXXXX";
  if (::mkdtemp(templ) == nullptr) {
    f.setup_note = "huge pages: " + why + "; cannot create a mount point: normal pages";
    return;
  }
  const std::string dir = templ;
  if (::mount("mmf-bench", dir.c_str(), "tmpfs", 0, "huge=advise,mode=0700") != 0) {
    const int e = errno;
    ::rmdir(dir.c_str());
    f.setup_note = "huge pages: " + why + "; mounting a huge=advise tmpfs failed (" +
                   std::strerror(e) + "): normal pages";
    return;
  }
  f.huge_dir = dir;
  f.setup_note = "huge pages: " + why +
                 ": the huge-page rows ran in a private tmpfs mounted huge=advise, through "
                 "MMF_SHM_DIR (unmounted after); the other rows in " +
                 shm;
  f.restore_id = add_restore([dir] {
    ::umount2(dir.c_str(), MNT_DETACH);
    ::rmdir(dir.c_str());
  });
}

}  // namespace

group make_touch_group(const config& cfg) {
  auto fx = std::make_shared<touch_fixture>();
  touch_fixture* f = fx.get();
  const auto size = static_cast<std::size_t>(cfg.touch_size);
  const std::size_t page = mmf::page_size();
  const double pages = static_cast<double>(size / page);
  group g;
  g.name = "touch";
  g.description = "first touch of " + format_bytes(size) +
                  " of shared memory: create + view + write one byte per page + close";
  const std::string t = "first touch, " + format_bytes(size);
  g.before = [cfg, f](group& grp) {
    set_up_huge_pages(cfg, *f);
    grp.notes.push_back(f->setup_note);
  };
  g.after = [f](group& grp) {
    if (f->restore_id != 0) run_restore(f->restore_id);
    grp.notes.push_back("huge pages mapped while touched: mmf huge_pages view " +
                        (f->granted.empty() ? std::string("(not run)") : f->granted) +
                        ", raw MADV_HUGEPAGE mapping " +
                        (f->granted_raw.empty() ? std::string("(not run)") : f->granted_raw) +
                        " (ShmemPmdMapped)");
  };
  table_rows rows(g, t);
  rows.per_unit(pages, "4 KiB page");
  auto row = [&](std::string id, std::string name, role who, std::function<void()> body) {
    rows.add(std::move(id), std::move(name), who, time_once(std::move(body)));
  };
  row("touch.raw_demand", "raw shm_open+ftruncate+mmap, demand faults", role::floor,
      [size] { raw_cycle(size, false, true); });
  row("touch.raw_populate", "raw + madvise(MADV_POPULATE_WRITE)", role::peer, [size, page] {
    auto r = raw_create(unique_name("raw"), size, false);
    ::madvise(r.p, size, MADV_POPULATE_WRITE);
    touch_pages(r.p, size, page);
    raw_destroy(r);
  });
  row("touch.raw_huge", "raw, 2 MiB-aligned + MADV_HUGEPAGE", role::peer, [f, size, page] {
    auto r = raw_create(unique_name("raw"), size, false, f->huge_dir, true);
    touch_pages(r.p, size, page);
    if (f->granted_raw.empty()) f->granted_raw = read_smaps_field("ShmemPmdMapped:");
    raw_destroy(r);
  });
  row("touch.mmf_lazy", "mmf delay_allocate_pages (demand)", role::mmf,
      [size] { mmf_cycle(size, mmf::map_options::delay_allocate_pages, true); });
  row("touch.mmf_default", "mmf default (reserved)", role::mmf,
      [size] { mmf_cycle(size, mmf::map_options::none, true); });
  row("touch.mmf_populate", "mmf populate", role::mmf,
      [size] { mmf_cycle(size, mmf::map_options::populate, true); });
  row("touch.mmf_huge", "mmf huge_pages", role::mmf, [f, size, page] {
    in_huge_dir(*f, [&] {
      auto map = mmf::memory_mapped_file::create_new(
          unique_name("map"), size, mmf::access::read_write, mmf::map_options::huge_pages);
      auto view = map.create_view_accessor();
      touch_pages(view.bytes().data(), size, page);
      if (f->granted.empty()) f->granted = read_smaps_field("ShmemPmdMapped:");
    });
  });
  row("touch.mmf_huge_lazy", "mmf huge_pages|delay_allocate_pages", role::mmf, [f, size] {
    in_huge_dir(*f, [&] {
      mmf_cycle(size, mmf::map_options::huge_pages | mmf::map_options::delay_allocate_pages, true);
    });
  });
  row("touch.mmf_huge_populate", "mmf huge_pages|populate", role::mmf, [f, size] {
    in_huge_dir(*f, [&] {
      mmf_cycle(size, mmf::map_options::huge_pages | mmf::map_options::populate, true);
    });
  });
#if defined(MMF_BENCH_HAVE_BOOST)
  row("touch.boost", "Boost shared_memory_object+mapped_region", role::peer,
      [size] { boost_cycle(size, true); });
#endif
  g.fixture = fx;
  return g;
}

}  // namespace mmfbench
