// mmf-bench — the data groups: random 8-byte access, sequential bulk reads, sequential 8-byte
// reads. All read one cached, disk-backed data file (1 GiB; 64 MiB with --quick).
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <new>
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

// What the sequential groups (bulk, small) read: the data file, read-only, through a raw mapping,
// an mmf view_stream, an std::ifstream and (with Boost) an ibufferstream over the raw mapping; the
// two mappings prefaulted.
struct sequential_fixture {
  std::unique_ptr<data_file> file;
  std::unique_ptr<raw_map> raw;
  mmf::memory_mapped_file map;
  mmf::view_stream stream;
  std::ifstream in;
#if defined(MMF_BENCH_HAVE_BOOST)
  std::unique_ptr<boost::interprocess::ibufferstream> bstream;
#endif

  void open(const std::string& dir, std::uint64_t bytes) {
    file = std::make_unique<data_file>(dir, bytes);
    const auto size = static_cast<std::size_t>(bytes);
    raw = std::make_unique<raw_map>(file->fd, size, false);
    map = mmf::memory_mapped_file::create_from_file(file->path, mmf::file_mode::open, {}, 0,
                                                    mmf::access::read);
    stream = map.create_view_stream(0, bytes, mmf::access::read);
    in.open(file->path, std::ios::binary);
    prefault_read(raw->p, size, mmf::page_size());
    prefault_read(stream.bytes().data(), size, mmf::page_size());
#if defined(MMF_BENCH_HAVE_BOOST)
    bstream = std::make_unique<boost::interprocess::ibufferstream>(raw->p, size);
#endif
  }
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

// The pointer rows' loops: sum the 8-byte values at base + off[i], or store i there.
void sum_at(const char* base, const std::uint64_t* off, std::size_t n) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < n; ++i)
    sum += load_u64(base + off[i]);
  keep(sum);
}
void store_at(char* base, const std::uint64_t* off, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    store_u64(base + off[i], i);
}
// ... and the accessor's: the same sum through view_accessor::read<u64>.
void sum_at(const mmf::view_accessor& a, const std::uint64_t* off, std::size_t n) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < n; ++i)
    sum += a.read<std::uint64_t>(off[i]);
  keep(sum);
}

}  // namespace

group make_random_group(const config& cfg) {
  auto fx = std::make_shared<random_fixture>();
  // A tmpfs file: as cached as a file can be, and no write-back makes a write fault again later
  // (on a disk file, write-back write-protects cleaned pages and the write rows measure faults).
  fx->file = std::make_unique<data_file>(shm_dir(), cfg.file_size);
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
  random_fixture* f = fx.get();

  // A row's body gets the offsets and how many of them to visit: all of them (`fast`, the
  // memory-speed rows) or a sixteenth (`slow`, the syscall rows).
  auto at_offsets = [f](std::size_t ops, auto body) {
    return time_per_item(ops, [f, body](std::size_t n) { body(f->offsets.data(), n); });
  };
  auto fast = [&](auto body) { return at_offsets(f->fast_ops, body); };
  auto slow = [&](auto body) { return at_offsets(f->slow_ops, body); };
  auto view_base = [f] { return reinterpret_cast<char*>(f->acc.bytes().data()); };

  // The floor is a raw pointer into the very view the accessor reads (same page tables, same
  // physical pages): the difference is the accessor's code and nothing else.
  table_rows reads(g, "random read, 8 B at random positions");
  reads.add(
      "random.read.raw", "raw pointer into the same view", role::floor,
      fast([view_base](const std::uint64_t* off, std::size_t n) { sum_at(view_base(), off, n); }));
  reads.add("random.read.mmap", "raw mmap pointer (its own mapping)", role::peer,
            fast([f](const std::uint64_t* off, std::size_t n) { sum_at(f->raw->p, off, n); }));
  reads.add("random.read.mmf", "mmf view_accessor::read<u64>", role::mmf,
            fast([f](const std::uint64_t* off, std::size_t n) { sum_at(f->acc, off, n); }));
#if defined(MMF_BENCH_HAVE_BOOST)
  {
    using namespace boost::interprocess;
    f->bfile = file_mapping(f->file->path.c_str(), read_write);
    f->bregion = mapped_region(f->bfile, read_write, 0, size);
    touch_pages_keep(f->bregion.get_address(), size, page);
  }
  reads.add("random.read.boost", "Boost mapped_region pointer", role::peer,
            fast([f](const std::uint64_t* off, std::size_t n) {
              sum_at(static_cast<const char*>(f->bregion.get_address()), off, n);
            }));
#endif
  reads.add("random.read.pread", "pread", role::peer,
            slow([f](const std::uint64_t* off, std::size_t n) {
              std::uint64_t sum = 0;
              for (std::size_t i = 0; i < n; ++i) {
                std::uint64_t v;
                if (::pread(f->file->fd, &v, 8, static_cast<off_t>(off[i])) != 8)
                  throw std::runtime_error("pread failed");
                sum += v;
              }
              keep(sum);
            }));
  reads.add("random.read.ifstream", "std::ifstream seekg+read", role::peer,
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
            }));

  table_rows writes(g, "random write, 8 B at random positions");
  writes.add("random.write.raw", "raw pointer into the same view", role::floor,
             fast([view_base](const std::uint64_t* off, std::size_t n) {
               store_at(view_base(), off, n);
             }));
  writes.add("random.write.mmap", "raw mmap pointer (its own mapping)", role::peer,
             fast([f](const std::uint64_t* off, std::size_t n) { store_at(f->raw->p, off, n); }));
  writes.add("random.write.mmf", "mmf view_accessor::write<u64>", role::mmf,
             fast([f](const std::uint64_t* off, std::size_t n) {
               mmf::view_accessor& a = f->acc;
               for (std::size_t i = 0; i < n; ++i)
                 a.write<std::uint64_t>(off[i], i);
             }));
#if defined(MMF_BENCH_HAVE_BOOST)
  writes.add("random.write.boost", "Boost mapped_region pointer", role::peer,
             fast([f](const std::uint64_t* off, std::size_t n) {
               store_at(static_cast<char*>(f->bregion.get_address()), off, n);
             }));
#endif
  writes.add("random.write.pwrite", "pwrite", role::peer,
             slow([f](const std::uint64_t* off, std::size_t n) {
               for (std::size_t i = 0; i < n; ++i) {
                 const std::uint64_t v = i;
                 if (::pwrite(f->file->fd, &v, 8, static_cast<off_t>(off[i])) != 8)
                   throw std::runtime_error("pwrite failed");
               }
             }));

  auto threaded = [f, view_base](int threads, bool use_mmf) {
    return [f, view_base, threads, use_mmf] {
      const std::size_t n = f->fast_ops / 2;  // per thread
      const double wall = run_threads(threads, [&](int t) {
        const std::uint64_t* off = f->offsets.data() + (t == 0 ? 0 : n);
        if (use_mmf)
          sum_at(f->acc, off, n);
        else
          sum_at(view_base(), off, n);
      });
      return sample{wall / static_cast<double>(n * static_cast<std::size_t>(threads))};
    };
  };
  table_rows threads(g, "random read, 1 vs 2 threads (ns per read, aggregate)");
  threads.add("random.threads.raw1", "raw pointer into the view, 1 thread", role::floor,
              threaded(1, false));
  threads.add("random.threads.raw2", "raw pointer into the view, 2 threads", role::peer,
              threaded(2, false));
  threads.add("random.threads.mmf1", "mmf view_accessor::read, 1 thread", role::mmf,
              threaded(1, true));
  threads.add("random.threads.mmf2", "mmf view_accessor::read, 2 threads", role::mmf,
              threaded(2, true));
  g.notes.push_back(
      std::to_string(f->fast_ops) + " reads/writes per repetition through pointers, " +
      std::to_string(f->slow_ops) + " through syscalls; every mapping prefaulted (written once).");
  g.fixture = fx;
  return g;
}

// ---- bulk ---------------------------------------------------------------------------------------

namespace {

// The destination buffer starts on a cache line, as a buffer from std::vector<char> (malloc's
// chunk header: 16 bytes past a page) does not. glibc's memcpy copies 4 KiB to a destination 16
// bytes off a cache line about 5 times slower than to an aligned one on this kind of machine,
// while the floor's memcpy of a constant 4096 bytes is inlined by the compiler (rep movsq) and
// barely notices: with a malloc'd buffer the 4 KiB rows compared glibc's misaligned path with the
// inlined copy, not the guard's cost.
template <class T>
struct line_aligned {
  using value_type = T;
  static constexpr std::align_val_t alignment{64};
  line_aligned() = default;
  template <class U>
  line_aligned(const line_aligned<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), alignment)); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, alignment); }
  friend bool operator==(const line_aligned&, const line_aligned&) noexcept { return true; }
};
using aligned_buffer = std::vector<char, line_aligned<char>>;

struct bulk_fixture : sequential_fixture {
  mmf::view_accessor acc;
  aligned_buffer buf;
};

constexpr std::size_t bulk_block = 1u << 20;

// The stream rows' pass: from the start, 1 MiB reads into `buf` to the end of the stream.
template <class Stream>
void read_blocks(Stream& s, aligned_buffer& buf) {
  s.clear();
  s.seekg(0);
  while (s.read(buf.data(), bulk_block))
    keep(buf[0]);
  s.clear();
}

}  // namespace

group make_bulk_group(const config& cfg) {
  auto fx = std::make_shared<bulk_fixture>();
  fx->open(cfg.dir, cfg.file_size);
  fx->acc = fx->map.create_view_accessor(0, cfg.file_size, mmf::access::read);
  fx->buf.resize(bulk_block);
  prefault_read(fx->acc.bytes().data(), static_cast<std::size_t>(cfg.file_size), mmf::page_size());

  group g;
  g.name = "bulk";
  g.description = "sequential 1 MiB reads of a " + format_bytes(cfg.file_size) + " cached file";
  bulk_fixture* f = fx.get();
  table_rows rows(g, "sequential read, 1 MiB blocks, whole file per operation");
  rows.bytes_per_op(static_cast<double>(cfg.file_size));
  rows.add("bulk.memcpy", "memcpy from the mapping", role::floor, time_once([f] {
             for (std::size_t off = 0; off < f->raw->size; off += bulk_block) {
               const std::size_t n = std::min(bulk_block, f->raw->size - off);
               std::memcpy(f->buf.data(), f->raw->p + off, n);
               keep(f->buf[0]);
             }
           }));
  rows.add("bulk.mmf", "mmf view_stream::read (std::istream::read)", role::mmf, time_once([f] {
             f->stream.seek(0);
             while (f->stream.read(f->buf.data(), bulk_block))
               keep(f->buf[0]);
             if (!f->stream.eof() && f->stream.position() != f->stream.capacity())
               throw std::runtime_error("view_stream read failed");
             f->stream.clear();
           }));
  rows.add("bulk.mmf_array", "mmf view_accessor::read_array<std::byte>", role::mmf, time_once([f] {
             const auto size = f->acc.capacity();
             std::span<std::byte> out(reinterpret_cast<std::byte*>(f->buf.data()), bulk_block);
             for (std::uint64_t off = 0; off < size; off += bulk_block) {
               f->acc.read_array(off, out);
               keep(f->buf[0]);
             }
           }));
  rows.add("bulk.copy_to", "mmf view_accessor::copy_to (guarded against SIGBUS)", role::mmf,
           time_once([f] {
             const auto size = f->acc.capacity();
             std::span<std::byte> out(reinterpret_cast<std::byte*>(f->buf.data()), bulk_block);
             std::error_code ec;
             for (std::uint64_t off = 0; off < size; off += bulk_block) {
               const std::uint64_t n = std::min<std::uint64_t>(bulk_block, size - off);
               f->acc.copy_to(off, out.first(static_cast<std::size_t>(n)), ec);
               if (ec) throw std::system_error(ec, "copy_to");
               keep(f->buf[0]);
             }
           }));
  rows.add("bulk.read", "read()", role::peer, time_once([f] {
             if (::lseek(f->file->fd, 0, SEEK_SET) != 0) fail_errno("lseek");
             ssize_t n;
             while ((n = ::read(f->file->fd, f->buf.data(), bulk_block)) > 0)
               keep(f->buf[0]);
             if (n < 0) fail_errno("read");
           }));
  rows.add("bulk.ifstream", "std::ifstream::read", role::peer,
           time_once([f] { read_blocks(f->in, f->buf); }));
#if defined(MMF_BENCH_HAVE_BOOST)
  rows.add("bulk.boost", "Boost ibufferstream over the mapping", role::peer,
           time_once([f] { read_blocks(*f->bstream, f->buf); }));
#endif
  // The guarded copy's fixed cost (a setjmp and the guard's set-up per call) shows most on small
  // copies: the same pass in 4 KiB blocks. The floor is what copy_to does inside without the
  // guard: the C library's memcpy, called with a size known only at run time, from the
  // accessor's own view (two mappings of one file need not read equally fast: their page tables
  // are their own). A memcpy of a constant 4096 bytes from the raw mapping is inlined by the
  // compiler (rep movsq); its row is there for comparison, not as the floor.
  table_rows small_blocks(g, "sequential read, 4 KiB blocks, whole file per operation");
  small_blocks.bytes_per_op(static_cast<double>(cfg.file_size));
  small_blocks.add("bulk4k.memcpy", "memcpy from the view (C library, run-time size), 4 KiB",
                   role::floor, time_once([f] {
                     std::size_t block = 4096;
                     const char* view = reinterpret_cast<const char*>(f->acc.bytes().data());
                     for (std::size_t off = 0; off + 4096 <= f->raw->size; off += 4096) {
                       asm volatile("" : "+r"(block));  // the size is opaque: memcpy is called
                       std::memcpy(f->buf.data() + (off & (bulk_block - 1)), view + off, block);
                       keep(f->buf[off & (bulk_block - 1)]);
                     }
                   }));
  small_blocks.add("bulk4k.memcpy_inline",
                   "memcpy of a constant 4096 bytes from the raw mapping (inlined)", role::peer,
                   time_once([f] {
                     for (std::size_t off = 0; off + 4096 <= f->raw->size; off += 4096) {
                       std::memcpy(f->buf.data() + (off & (bulk_block - 1)), f->raw->p + off, 4096);
                       keep(f->buf[off & (bulk_block - 1)]);
                     }
                   }));
  small_blocks.add("bulk4k.copy_to", "mmf view_accessor::copy_to, 4 KiB blocks", role::mmf,
                   time_once([f] {
                     const auto size = f->acc.capacity();
                     auto* out = reinterpret_cast<std::byte*>(f->buf.data());
                     std::error_code ec;
                     for (std::uint64_t off = 0; off + 4096 <= size; off += 4096) {
                       f->acc.copy_to(off, std::span(out + (off & (bulk_block - 1)), 4096), ec);
                       if (ec) throw std::system_error(ec, "copy_to");
                       keep(f->buf[off & (bulk_block - 1)]);
                     }
                   }));
  g.notes.push_back("time per operation = one pass over the whole file into a 1 MiB buffer.");
  g.fixture = fx;
  return g;
}

// ---- small --------------------------------------------------------------------------------------

namespace {

struct small_fixture : sequential_fixture {
  std::unique_ptr<span_streambuf> plain_buf;
  std::unique_ptr<std::istream> plain;
  std::size_t count = 0;  // 8-byte reads per repetition
};

// The stream rows' loop: `n` reads of 8 bytes from where `s` stands, through s.read (of the
// stream's own type, so that a stream's own read is what is measured). `failure` is thrown when
// the stream fails.
template <class Stream>
void read_eights(Stream& s, std::size_t n, const char* failure) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t v;
    s.read(reinterpret_cast<char*>(&v), 8);
    sum += v;
    opaque(sum);
  }
  if (!s) throw std::runtime_error(failure);
  keep(sum);
}

}  // namespace

group make_small_group(const config& cfg) {
  auto fx = std::make_shared<small_fixture>();
  const std::uint64_t span =
      std::min<std::uint64_t>(cfg.file_size, cfg.quick ? 4u << 20 : 64u << 20);
  fx->open(cfg.dir, span);
  const auto size = static_cast<std::size_t>(span);
  fx->count = size / 8;
  fx->plain_buf = std::make_unique<span_streambuf>(fx->raw->p, size);
  fx->plain = std::make_unique<std::istream>(fx->plain_buf.get());

  group g;
  g.name = "small";
  g.description = "sequential 8-byte reads over " + format_bytes(span) + " (ns per read)";
  small_fixture* f = fx.get();
  auto per_read = [f](auto body) { return time_per_item(f->count, body); };
  table_rows rows(g, "sequential read, 8 B each");
  rows.bytes_per_op(8);
  // Every row folds each value into `sum` through opaque(), so no row is vectorised: this
  // measures one scalar read at a time, as a parser would do it.
  rows.add("small.raw", "raw pointer", role::floor, per_read([f](std::size_t n) {
             const char* p = f->raw->p;
             std::uint64_t sum = 0;
             for (std::size_t i = 0; i < n; ++i, p += 8) {
               sum += load_u64(p);
               opaque(sum);
             }
             keep(sum);
           }));
  rows.add("small.mmf", "mmf view_stream::read_as<u64>", role::mmf, per_read([f](std::size_t n) {
             mmf::view_stream& s = f->stream;
             s.seek(0);
             std::uint64_t sum = 0;
             for (std::size_t i = 0; i < n; ++i) {
               sum += s.read_as<std::uint64_t>();
               opaque(sum);
             }
             keep(sum);
           }));
  rows.add("small.mmf_istream", "mmf view_stream, std::istream::read(8)", role::mmf,
           per_read([f](std::size_t n) {
             f->stream.seek(0);
             read_eights(f->stream, n, "view_stream read failed");
           }));
  rows.add("small.streambuf", "std::istream over a plain streambuf, read(8)", role::peer,
           per_read([f](std::size_t n) {
             f->plain_buf->rewind();
             f->plain->clear();
             read_eights(*f->plain, n, "istream read failed");
           }));
  rows.add("small.ifstream", "std::ifstream::read(8)", role::peer, per_read([f](std::size_t n) {
             f->in.clear();
             f->in.seekg(0);
             read_eights(f->in, n, "ifstream read failed");
           }));
#if defined(MMF_BENCH_HAVE_BOOST)
  rows.add("small.boost", "Boost ibufferstream::read(8)", role::peer, per_read([f](std::size_t n) {
             f->bstream->clear();
             f->bstream->seekg(0);
             read_eights(*f->bstream, n, "bufferstream read failed");
           }));
#endif
  g.fixture = fx;
  return g;
}

}  // namespace mmfbench
