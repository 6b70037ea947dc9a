// mmf-bench — the data groups: random 8-byte access, sequential bulk reads, sequential 8-byte
// reads. All read one cached, disk-backed data file (1 GiB; 64 MiB with --quick).
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <streambuf>
#include <system_error>
#include <thread>

#include <mmf/mmf.hpp>

#if defined(MMF_BENCH_HAVE_BOOST)
#include <boost/interprocess/file_mapping.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/streams/bufferstream.hpp>
#endif

#include "harness.hpp"

namespace mmfbench {

namespace {

[[noreturn]] void fail_errno(const std::string& what) {
  throw std::system_error(errno, std::system_category(), what);
}

// The data file: written once with pseudo-random bytes, synced (so that no write-back runs while
// we measure), kept open and cached. Removed when the fixture goes.
struct data_file {
  std::string path;
  int fd = -1;
  std::uint64_t size = 0;

  data_file(const std::string& dir, std::uint64_t bytes) : size(bytes) {
    path = dir + "/mmf-bench-data." + std::to_string(::getpid());
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail_errno("open " + path);
    std::vector<std::uint64_t> chunk((1u << 20) / 8);
    std::mt19937_64 rng(42);
    for (std::uint64_t done = 0; done < size;) {
      for (auto& v : chunk)
        v = rng();
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(1u << 20, size - done));
      if (::pwrite(fd, chunk.data(), n, static_cast<off_t>(done)) != static_cast<ssize_t>(n))
        fail_errno("write " + path);
      done += n;
    }
    ::fdatasync(fd);
  }
  ~data_file() {
    if (fd >= 0) ::close(fd);
    ::unlink(path.c_str());
  }
  data_file(const data_file&) = delete;
  data_file& operator=(const data_file&) = delete;
};

// One raw mapping of the data file (the floor's pointer), unmapped on destruction.
struct raw_map {
  char* p = nullptr;
  std::size_t size = 0;
  raw_map(int fd, std::size_t bytes, bool writable) : size(bytes) {
    void* m = ::mmap(nullptr, bytes, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) fail_errno("mmap");
    p = static_cast<char*>(m);
  }
  ~raw_map() { ::munmap(p, size); }
  raw_map(const raw_map&) = delete;
  raw_map& operator=(const raw_map&) = delete;
};

// A std::streambuf over memory, with nothing but setg: the plain, portable way to put an
// std::istream over a mapping.
class span_streambuf : public std::streambuf {
 public:
  span_streambuf(char* p, std::size_t n) { setg(p, p, p + n); }
  void rewind() { setg(eback(), eback(), egptr()); }
};

}  // namespace

// ---- random -------------------------------------------------------------------------------------

namespace {

struct random_fixture {
  std::unique_ptr<data_file> file;
  std::unique_ptr<raw_map> raw;
  mmf::memory_mapped_file map;
  mmf::view_accessor acc;
  std::vector<std::uint64_t> offsets;  // 8-byte aligned random positions
  std::size_t fast_ops = 0;            // ops per repetition for memory-speed rows
  std::size_t slow_ops = 0;            // ... and for syscall rows (pread, ifstream)
  std::ifstream in;
#if defined(MMF_BENCH_HAVE_BOOST)
  boost::interprocess::file_mapping bfile;
  boost::interprocess::mapped_region bregion;
#endif
};

// Runs `body(thread_index)` on `threads` threads started together; returns the wall time.
template <class Body>
double run_threads(int threads, Body body) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<clock_type::time_point> starts(static_cast<std::size_t>(threads));
  std::vector<clock_type::time_point> ends(static_cast<std::size_t>(threads));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) {
      }
      starts[static_cast<std::size_t>(t)] = clock_type::now();
      body(t);
      ends[static_cast<std::size_t>(t)] = clock_type::now();
    });
  while (ready.load() != threads)
    std::this_thread::yield();
  go.store(true, std::memory_order_release);
  for (auto& th : pool)
    th.join();
  auto s = *std::min_element(starts.begin(), starts.end());
  auto e = *std::max_element(ends.begin(), ends.end());
  return elapsed_ns(s, e);
}

}  // namespace

group make_random_group(const config& cfg) {
  auto fx = std::make_shared<random_fixture>();
  // A tmpfs file: as cached as a file can be, and no write-back makes a write fault again later
  // (on a disk file, write-back write-protects cleaned pages and the write rows measure faults).
  const char* shm = std::getenv("MMF_SHM_DIR");
  fx->file =
      std::make_unique<data_file>(shm != nullptr && *shm != '\0' ? shm : "/dev/shm", cfg.file_size);
  const auto size = static_cast<std::size_t>(cfg.file_size);
  fx->raw = std::make_unique<raw_map>(fx->file->fd, size, true);
  fx->map = mmf::memory_mapped_file::create_from_file(fx->file->path, mmf::file_mode::open);
  fx->acc = fx->map.create_view_accessor(0, cfg.file_size);
  fx->fast_ops = cfg.quick ? (1u << 15) : (1u << 21);
  fx->slow_ops = fx->fast_ops / 16;
  fx->offsets.resize(fx->fast_ops);
  std::mt19937_64 rng(7);
  for (auto& o : fx->offsets)
    o = (rng() % (cfg.file_size / 8 - 1)) * 8;
  fx->in.open(fx->file->path, std::ios::binary);
  const std::size_t page = mmf::page_size();
  touch_pages_keep(fx->raw->p, size, page);
  touch_pages_keep(fx->acc.bytes().data(), size, page);

  group g;
  g.name = "random";
  g.description = "random 8-byte access, " + format_bytes(cfg.file_size) + " cached (tmpfs) file";
  const std::string tr = "random read, 8 B at random positions";
  const std::string tw = "random write, 8 B at random positions";
  const std::string tt = "random read, 1 vs 2 threads (ns per read, aggregate)";
  random_fixture* f = fx.get();

  auto fast = [f](auto body) {
    return [f, body] {
      const auto n = f->fast_ops;
      const auto* off = f->offsets.data();
      const auto t0 = clock_type::now();
      body(off, n);
      const auto t1 = clock_type::now();
      return sample{elapsed_ns(t0, t1) / static_cast<double>(n)};
    };
  };
  auto slow = [f](auto body) {
    return [f, body] {
      const auto n = f->slow_ops;
      const auto* off = f->offsets.data();
      const auto t0 = clock_type::now();
      body(off, n);
      const auto t1 = clock_type::now();
      return sample{elapsed_ns(t0, t1) / static_cast<double>(n)};
    };
  };

  // The floor is a raw pointer into the very view the accessor reads (same page tables, same
  // physical pages): the difference is the accessor's code and nothing else.
  g.rows.push_back({"random.read.raw",
                    tr,
                    "raw pointer into the same view",
                    role::floor,
                    0,
                    0,
                    {},
                    false,
                    fast([f](const std::uint64_t* off, std::size_t n) {
                      const char* base = reinterpret_cast<const char*>(f->acc.bytes().data());
                      std::uint64_t sum = 0;
                      for (std::size_t i = 0; i < n; ++i)
                        sum += load_u64(base + off[i]);
                      keep(sum);
                    })});
  g.rows.push_back({"random.read.mmap",
                    tr,
                    "raw mmap pointer (its own mapping)",
                    role::peer,
                    0,
                    0,
                    {},
                    false,
                    fast([f](const std::uint64_t* off, std::size_t n) {
                      const char* base = f->raw->p;
                      std::uint64_t sum = 0;
                      for (std::size_t i = 0; i < n; ++i)
                        sum += load_u64(base + off[i]);
                      keep(sum);
                    })});
  g.rows.push_back({"random.read.mmf",
                    tr,
                    "mmf view_accessor::read<u64>",
                    role::mmf,
                    0,
                    0,
                    {},
                    false,
                    fast([f](const std::uint64_t* off, std::size_t n) {
                      const mmf::view_accessor& a = f->acc;
                      std::uint64_t sum = 0;
                      for (std::size_t i = 0; i < n; ++i)
                        sum += a.read<std::uint64_t>(off[i]);
                      keep(sum);
                    })});
#if defined(MMF_BENCH_HAVE_BOOST)
  {
    using namespace boost::interprocess;
    f->bfile = file_mapping(f->file->path.c_str(), read_write);
    f->bregion = mapped_region(f->bfile, read_write, 0, size);
    touch_pages_keep(f->bregion.get_address(), size, page);
  }
  g.rows.push_back({"random.read.boost",
                    tr,
                    "Boost mapped_region pointer",
                    role::peer,
                    0,
                    0,
                    {},
                    false,
                    fast([f](const std::uint64_t* off, std::size_t n) {
                      const char* base = static_cast<const char*>(f->bregion.get_address());
                      std::uint64_t sum = 0;
                      for (std::size_t i = 0; i < n; ++i)
                        sum += load_u64(base + off[i]);
                      keep(sum);
                    })});
#endif
  g.rows.push_back({"random.read.pread",
                    tr,
                    "pread",
                    role::peer,
                    0,
                    0,
                    {},
                    false,
                    slow([f](const std::uint64_t* off, std::size_t n) {
                      std::uint64_t sum = 0;
                      for (std::size_t i = 0; i < n; ++i) {
                        std::uint64_t v;
                        if (::pread(f->file->fd, &v, 8, static_cast<off_t>(off[i])) != 8)
                          throw std::runtime_error("pread failed");
                        sum += v;
                      }
                      keep(sum);
                    })});
  g.rows.push_back({"random.read.ifstream",
                    tr,
                    "std::ifstream seekg+read",
                    role::peer,
                    0,
                    0,
                    {},
                    false,
                    slow([f](const std::uint64_t* off, std::size_t n) {
                      std::uint64_t sum = 0;
                      for (std::size_t i = 0; i < n; ++i) {
                        std::uint64_t v;
                        f->in.seekg(static_cast<std::streamoff>(off[i]));
                        f->in.read(reinterpret_cast<char*>(&v), 8);
                        sum += v;
                      }
                      if (!f->in) throw std::runtime_error("ifstream read failed");
                      keep(sum);
                    })});

  g.rows.push_back({"random.write.raw",
                    tw,
                    "raw pointer into the same view",
                    role::floor,
                    0,
                    0,
                    {},
                    false,
                    fast([f](const std::uint64_t* off, std::size_t n) {
                      char* base = reinterpret_cast<char*>(f->acc.bytes().data());
                      for (std::size_t i = 0; i < n; ++i)
                        store_u64(base + off[i], i);
                    })});
  g.rows.push_back({"random.write.mmap",
                    tw,
                    "raw mmap pointer (its own mapping)",
                    role::peer,
                    0,
                    0,
                    {},
                    false,
                    fast([f](const std::uint64_t* off, std::size_t n) {
                      char* base = f->raw->p;
                      for (std::size_t i = 0; i < n; ++i)
                        store_u64(base + off[i], i);
                    })});
  g.rows.push_back({"random.write.mmf",
                    tw,
                    "mmf view_accessor::write<u64>",
                    role::mmf,
                    0,
                    0,
                    {},
                    false,
                    fast([f](const std::uint64_t* off, std::size_t n) {
                      mmf::view_accessor& a = f->acc;
                      for (std::size_t i = 0; i < n; ++i)
                        a.write<std::uint64_t>(off[i], i);
                    })});
#if defined(MMF_BENCH_HAVE_BOOST)
  g.rows.push_back({"random.write.boost",
                    tw,
                    "Boost mapped_region pointer",
                    role::peer,
                    0,
                    0,
                    {},
                    false,
                    fast([f](const std::uint64_t* off, std::size_t n) {
                      char* base = static_cast<char*>(f->bregion.get_address());
                      for (std::size_t i = 0; i < n; ++i)
                        store_u64(base + off[i], i);
                    })});
#endif
  g.rows.push_back({"random.write.pwrite",
                    tw,
                    "pwrite",
                    role::peer,
                    0,
                    0,
                    {},
                    false,
                    slow([f](const std::uint64_t* off, std::size_t n) {
                      for (std::size_t i = 0; i < n; ++i) {
                        const std::uint64_t v = i;
                        if (::pwrite(f->file->fd, &v, 8, static_cast<off_t>(off[i])) != 8)
                          throw std::runtime_error("pwrite failed");
                      }
                    })});

  auto threaded = [f](int threads, bool use_mmf) {
    return [f, threads, use_mmf] {
      const std::size_t n = f->fast_ops / 2;  // per thread
      const double wall = run_threads(threads, [&](int t) {
        const std::uint64_t* off = f->offsets.data() + (t == 0 ? 0 : n);
        std::uint64_t sum = 0;
        if (use_mmf) {
          const mmf::view_accessor& a = f->acc;
          for (std::size_t i = 0; i < n; ++i)
            sum += a.read<std::uint64_t>(off[i]);
        } else {
          const char* base = reinterpret_cast<const char*>(f->acc.bytes().data());
          for (std::size_t i = 0; i < n; ++i)
            sum += load_u64(base + off[i]);
        }
        keep(sum);
      });
      return sample{wall / static_cast<double>(n * static_cast<std::size_t>(threads))};
    };
  };
  g.rows.push_back({"random.threads.raw1",
                    tt,
                    "raw pointer into the view, 1 thread",
                    role::floor,
                    0,
                    0,
                    {},
                    false,
                    threaded(1, false)});
  g.rows.push_back({"random.threads.raw2",
                    tt,
                    "raw pointer into the view, 2 threads",
                    role::peer,
                    0,
                    0,
                    {},
                    false,
                    threaded(2, false)});
  g.rows.push_back({"random.threads.mmf1",
                    tt,
                    "mmf view_accessor::read, 1 thread",
                    role::mmf,
                    0,
                    0,
                    {},
                    false,
                    threaded(1, true)});
  g.rows.push_back({"random.threads.mmf2",
                    tt,
                    "mmf view_accessor::read, 2 threads",
                    role::mmf,
                    0,
                    0,
                    {},
                    false,
                    threaded(2, true)});
  g.notes.push_back(
      std::to_string(f->fast_ops) + " reads/writes per repetition through pointers, " +
      std::to_string(f->slow_ops) + " through syscalls; every mapping prefaulted (written once).");
  g.fixture = fx;
  return g;
}

// ---- bulk ---------------------------------------------------------------------------------------

namespace {

struct bulk_fixture {
  std::unique_ptr<data_file> file;
  std::unique_ptr<raw_map> raw;
  mmf::memory_mapped_file map;
  mmf::view_stream stream;
  mmf::view_accessor acc;
  std::ifstream in;
  std::vector<char> buf;
#if defined(MMF_BENCH_HAVE_BOOST)
  std::unique_ptr<boost::interprocess::ibufferstream> bstream;
#endif
};

constexpr std::size_t bulk_block = 1u << 20;

}  // namespace

group make_bulk_group(const config& cfg) {
  auto fx = std::make_shared<bulk_fixture>();
  fx->file = std::make_unique<data_file>(cfg.dir, cfg.file_size);
  const auto size = static_cast<std::size_t>(cfg.file_size);
  fx->raw = std::make_unique<raw_map>(fx->file->fd, size, false);
  fx->map = mmf::memory_mapped_file::create_from_file(fx->file->path, mmf::file_mode::open, {}, 0,
                                                      mmf::access::read);
  fx->stream = fx->map.create_view_stream(0, cfg.file_size, mmf::access::read);
  fx->acc = fx->map.create_view_accessor(0, cfg.file_size, mmf::access::read);
  fx->in.open(fx->file->path, std::ios::binary);
  fx->buf.resize(bulk_block);
  const std::size_t page = mmf::page_size();
  prefault_read(fx->raw->p, size, page);
  prefault_read(fx->stream.bytes().data(), size, page);
  prefault_read(fx->acc.bytes().data(), size, page);
#if defined(MMF_BENCH_HAVE_BOOST)
  fx->bstream = std::make_unique<boost::interprocess::ibufferstream>(fx->raw->p, size);
#endif

  group g;
  g.name = "bulk";
  g.description = "sequential 1 MiB reads of a " + format_bytes(cfg.file_size) + " cached file";
  const std::string t = "sequential read, 1 MiB blocks, whole file per operation";
  bulk_fixture* f = fx.get();
  const double bytes = static_cast<double>(cfg.file_size);
  auto timed = [](auto body) {
    return [body] {
      const auto t0 = clock_type::now();
      body();
      return sample{elapsed_ns(t0, clock_type::now())};
    };
  };
  g.rows.push_back(
      {"bulk.memcpy", t, "memcpy from the mapping", role::floor, bytes, 0, {}, false, timed([f] {
         for (std::size_t off = 0; off < f->raw->size; off += bulk_block) {
           const std::size_t n = std::min(bulk_block, f->raw->size - off);
           std::memcpy(f->buf.data(), f->raw->p + off, n);
           keep(f->buf[0]);
         }
       })});
  g.rows.push_back({"bulk.mmf",
                    t,
                    "mmf view_stream::read (std::istream::read)",
                    role::mmf,
                    bytes,
                    0,
                    {},
                    false,
                    timed([f] {
                      f->stream.seek(0);
                      while (f->stream.read(f->buf.data(), bulk_block))
                        keep(f->buf[0]);
                      if (!f->stream.eof() && f->stream.position() != f->stream.capacity())
                        throw std::runtime_error("view_stream read failed");
                      f->stream.clear();
                    })});
  g.rows.push_back({"bulk.mmf_array",
                    t,
                    "mmf view_accessor::read_array<std::byte>",
                    role::mmf,
                    bytes,
                    0,
                    {},
                    false,
                    timed([f] {
                      const auto size = f->acc.capacity();
                      std::span<std::byte> out(reinterpret_cast<std::byte*>(f->buf.data()),
                                               bulk_block);
                      for (std::uint64_t off = 0; off < size; off += bulk_block) {
                        f->acc.read_array(off, out);
                        keep(f->buf[0]);
                      }
                    })});
  g.rows.push_back({"bulk.read", t, "read()", role::peer, bytes, 0, {}, false, timed([f] {
                      if (::lseek(f->file->fd, 0, SEEK_SET) != 0) fail_errno("lseek");
                      ssize_t n;
                      while ((n = ::read(f->file->fd, f->buf.data(), bulk_block)) > 0)
                        keep(f->buf[0]);
                      if (n < 0) fail_errno("read");
                    })});
  g.rows.push_back(
      {"bulk.ifstream", t, "std::ifstream::read", role::peer, bytes, 0, {}, false, timed([f] {
         f->in.clear();
         f->in.seekg(0);
         while (f->in.read(f->buf.data(), bulk_block))
           keep(f->buf[0]);
         f->in.clear();
       })});
#if defined(MMF_BENCH_HAVE_BOOST)
  g.rows.push_back({"bulk.boost",
                    t,
                    "Boost ibufferstream over the mapping",
                    role::peer,
                    bytes,
                    0,
                    {},
                    false,
                    timed([f] {
                      f->bstream->clear();
                      f->bstream->seekg(0);
                      while (f->bstream->read(f->buf.data(), bulk_block))
                        keep(f->buf[0]);
                      f->bstream->clear();
                    })});
#endif
  g.notes.push_back("time per operation = one pass over the whole file into a 1 MiB buffer.");
  g.fixture = fx;
  return g;
}

// ---- small --------------------------------------------------------------------------------------

namespace {

struct small_fixture {
  std::unique_ptr<data_file> file;
  std::unique_ptr<raw_map> raw;
  mmf::memory_mapped_file map;
  mmf::view_stream stream;
  std::unique_ptr<span_streambuf> plain_buf;
  std::unique_ptr<std::istream> plain;
  std::ifstream in;
  std::size_t count = 0;  // 8-byte reads per repetition
#if defined(MMF_BENCH_HAVE_BOOST)
  std::unique_ptr<boost::interprocess::ibufferstream> bstream;
#endif
};

}  // namespace

group make_small_group(const config& cfg) {
  auto fx = std::make_shared<small_fixture>();
  const std::uint64_t span =
      std::min<std::uint64_t>(cfg.file_size, cfg.quick ? 4u << 20 : 64u << 20);
  fx->file = std::make_unique<data_file>(cfg.dir, span);
  const auto size = static_cast<std::size_t>(span);
  fx->count = size / 8;
  fx->raw = std::make_unique<raw_map>(fx->file->fd, size, false);
  fx->map = mmf::memory_mapped_file::create_from_file(fx->file->path, mmf::file_mode::open, {}, 0,
                                                      mmf::access::read);
  fx->stream = fx->map.create_view_stream(0, span, mmf::access::read);
  fx->plain_buf = std::make_unique<span_streambuf>(fx->raw->p, size);
  fx->plain = std::make_unique<std::istream>(fx->plain_buf.get());
  fx->in.open(fx->file->path, std::ios::binary);
  const std::size_t page = mmf::page_size();
  prefault_read(fx->raw->p, size, page);
  prefault_read(fx->stream.bytes().data(), size, page);
#if defined(MMF_BENCH_HAVE_BOOST)
  fx->bstream = std::make_unique<boost::interprocess::ibufferstream>(fx->raw->p, size);
#endif

  group g;
  g.name = "small";
  g.description = "sequential 8-byte reads over " + format_bytes(span) + " (ns per read)";
  const std::string t = "sequential read, 8 B each";
  small_fixture* f = fx.get();
  auto per_read = [f](auto body) {
    return [f, body] {
      const auto t0 = clock_type::now();
      body(f->count);
      return sample{elapsed_ns(t0, clock_type::now()) / static_cast<double>(f->count)};
    };
  };
  // Every row folds each value into `sum` through opaque(), so no row is vectorised: this
  // measures one scalar read at a time, as a parser would do it.
  g.rows.push_back(
      {"small.raw", t, "raw pointer", role::floor, 8, 0, {}, false, per_read([f](std::size_t n) {
         const char* p = f->raw->p;
         std::uint64_t sum = 0;
         for (std::size_t i = 0; i < n; ++i, p += 8) {
           sum += load_u64(p);
           opaque(sum);
         }
         keep(sum);
       })});
  g.rows.push_back({"small.mmf",
                    t,
                    "mmf view_stream::read_as<u64>",
                    role::mmf,
                    8,
                    0,
                    {},
                    false,
                    per_read([f](std::size_t n) {
                      mmf::view_stream& s = f->stream;
                      s.seek(0);
                      std::uint64_t sum = 0;
                      for (std::size_t i = 0; i < n; ++i) {
                        sum += s.read_as<std::uint64_t>();
                        opaque(sum);
                      }
                      keep(sum);
                    })});
  g.rows.push_back({"small.mmf_istream",
                    t,
                    "mmf view_stream, std::istream::read(8)",
                    role::mmf,
                    8,
                    0,
                    {},
                    false,
                    per_read([f](std::size_t n) {
                      mmf::view_stream& s = f->stream;
                      s.seek(0);
                      std::uint64_t sum = 0;
                      for (std::size_t i = 0; i < n; ++i) {
                        std::uint64_t v;
                        s.read(reinterpret_cast<char*>(&v), 8);
                        sum += v;
                        opaque(sum);
                      }
                      if (!s) throw std::runtime_error("view_stream read failed");
                      keep(sum);
                    })});
  g.rows.push_back({"small.streambuf",
                    t,
                    "std::istream over a plain streambuf, read(8)",
                    role::peer,
                    8,
                    0,
                    {},
                    false,
                    per_read([f](std::size_t n) {
                      f->plain_buf->rewind();
                      f->plain->clear();
                      std::uint64_t sum = 0;
                      for (std::size_t i = 0; i < n; ++i) {
                        std::uint64_t v;
                        f->plain->read(reinterpret_cast<char*>(&v), 8);
                        sum += v;
                        opaque(sum);
                      }
                      if (!*f->plain) throw std::runtime_error("istream read failed");
                      keep(sum);
                    })});
  g.rows.push_back({"small.ifstream",
                    t,
                    "std::ifstream::read(8)",
                    role::peer,
                    8,
                    0,
                    {},
                    false,
                    per_read([f](std::size_t n) {
                      f->in.clear();
                      f->in.seekg(0);
                      std::uint64_t sum = 0;
                      for (std::size_t i = 0; i < n; ++i) {
                        std::uint64_t v;
                        f->in.read(reinterpret_cast<char*>(&v), 8);
                        sum += v;
                        opaque(sum);
                      }
                      if (!f->in) throw std::runtime_error("ifstream read failed");
                      keep(sum);
                    })});
#if defined(MMF_BENCH_HAVE_BOOST)
  g.rows.push_back({"small.boost",
                    t,
                    "Boost ibufferstream::read(8)",
                    role::peer,
                    8,
                    0,
                    {},
                    false,
                    per_read([f](std::size_t n) {
                      f->bstream->clear();
                      f->bstream->seekg(0);
                      std::uint64_t sum = 0;
                      for (std::size_t i = 0; i < n; ++i) {
                        std::uint64_t v;
                        f->bstream->read(reinterpret_cast<char*>(&v), 8);
                        sum += v;
                        opaque(sum);
                      }
                      if (!*f->bstream) throw std::runtime_error("bufferstream read failed");
                      keep(sum);
                    })});
#endif
  g.fixture = fx;
  return g;
}

}  // namespace mmfbench
