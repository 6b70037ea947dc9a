// mmf-bench — the segment group: a heap in a named shared segment. Allocate + deallocate of
// random sizes (16 B to 4 KiB, one pseudo-random sequence for every row), find by name among
// 10,000 named objects, and allocation from one process against two at once.
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <mmf/mmf.hpp>

#if __has_include(<mmf/managed_segment.hpp>)
#include <mmf/managed_segment.hpp>
#define MMF_BENCH_HAVE_MANAGED_SEGMENT 1
#endif

#if defined(MMF_BENCH_HAVE_BOOST)
#include <boost/interprocess/managed_shared_memory.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#endif

#include "harness.hpp"
#include "processes.hpp"

namespace mmfbench {

namespace {

constexpr std::size_t segment_size = std::size_t{32} << 20;  // every heap's segment
constexpr std::size_t find_segment_size = std::size_t{16} << 20;
constexpr std::size_t live_slots = 1024;  // at most 1024 blocks of <= 4 KiB live: <= 4 MiB
constexpr std::size_t named_objects = 10000;

// One step of the sequence: free what slot `slot` holds (if anything), then allocate `size`
// bytes into it.
struct step {
  std::uint32_t slot;
  std::uint32_t size;
};

std::vector<step> make_sequence(std::size_t n, std::uint64_t seed) {
  std::vector<step> seq(n);
  std::uint64_t x = seed;
  auto next = [&x] {  // xorshift64*
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    return x * 0x2545F4914F6CDD1Dull;
  };
  for (auto& s : seq) {
    s.slot = static_cast<std::uint32_t>(next() % live_slots);
    s.size = static_cast<std::uint32_t>(16 + next() % (4096 - 16 + 1));
  }
  return seq;
}

// Runs the sequence with `alloc(size)` / `dealloc(p)`; writes the first byte of every block (so
// that nothing is optimised away and the block is really there). Frees everything at the end.
template <class Alloc, class Dealloc>
void run_sequence(const std::vector<step>& seq, Alloc alloc, Dealloc dealloc) {
  std::vector<void*> live(live_slots, nullptr);
  for (const step& s : seq) {
    void*& p = live[s.slot];
    if (p != nullptr) dealloc(p);
    p = alloc(s.size);
    if (p == nullptr) throw std::runtime_error("allocation failed");
    *static_cast<volatile char*>(p) = 1;
  }
  for (void* p : live)
    if (p != nullptr) dealloc(p);
}

// One heap as a row sees it: allocate/deallocate, and (for the two-process rows) how a second
// process gets its own handle.
#if defined(MMF_BENCH_HAVE_BOOST)
struct boost_heap {
  std::string name;
  removal remove;
  std::unique_ptr<boost::interprocess::managed_shared_memory> seg;
  boost_heap(const std::string& n, std::size_t size) : name(n) {
    namespace bip = boost::interprocess;
    const std::string copy = n;
    remove = removal([copy] { bip::shared_memory_object::remove(copy.c_str()); });
    seg = std::make_unique<bip::managed_shared_memory>(bip::create_only, n.c_str(), size);
  }
  // In a child: its own mapping, opened by name (the inherited one is left alone).
  void open_in_child() {
    (void)seg.release();
    seg = std::make_unique<boost::interprocess::managed_shared_memory>(
        boost::interprocess::open_only, name.c_str());
  }
  void run(const std::vector<step>& seq) {
    auto* s = seg.get();
    run_sequence(
        seq, [s](std::size_t n) { return s->allocate(n); }, [s](void* p) { s->deallocate(p); });
  }
};
#endif

#if defined(MMF_BENCH_HAVE_MANAGED_SEGMENT)
struct mmf_heap {
  std::string name;
  std::unique_ptr<mmf::managed_segment> seg;
  mmf_heap(const std::string& n, std::size_t size) : name(n) {
    seg = std::make_unique<mmf::managed_segment>(mmf::managed_segment::create_new(n, size));
  }
  // In a child: its own handle, opened by name; the inherited one is leaked there, never closed
  // (it shares its descriptor, and so its liveness lock, with the parent's).
  void open_in_child() {
    (void)seg.release();
    seg = std::make_unique<mmf::managed_segment>(mmf::managed_segment::open_existing(name));
  }
  void run(const std::vector<step>& seq) {
    auto* s = seg.get();
    run_sequence(
        seq, [s](std::size_t n) { return s->allocate(n); }, [s](void* p) { s->deallocate(p); });
  }
};
#endif

struct malloc_heap {
  void open_in_child() {}
  void run(const std::vector<step>& seq) {
    run_sequence(
        seq, [](std::size_t n) { return std::malloc(n); }, [](void* p) { std::free(p); });
  }
};

// Shared by the parent and the children of the two-process rows.
struct procs_control {
  child_status status[2];
  std::atomic<int> ready{0};
  std::atomic<int> go{0};
  std::atomic<std::int64_t> start_ns[2];
  std::atomic<std::int64_t> end_ns[2];
};

std::int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch())
      .count();
}

// `procs` child processes (pinned to different CPUs when there are two) open the heap, wait for
// one start signal, and run the sequence at once. ns per allocate+deallocate, all processes
// together (from the first start to the last end).
template <class Heap>
sample run_processes(Heap& heap, procs_control* ctl, const std::vector<step>& seq, int procs,
                     cpu_pair cpus) {
  ctl->ready.store(0);
  ctl->go.store(0);
  for (int i = 0; i < 2; ++i) {
    ctl->status[i].failed.store(0);
    ctl->status[i].error[0] = '\0';
    ctl->start_ns[i].store(0);
    ctl->end_ns[i].store(0);
  }
  std::vector<child_process> children;
  for (int i = 0; i < procs; ++i) {
    children.push_back(
        child_process::start(i == 0 ? cpus.a : cpus.b, &ctl->status[i], [&heap, ctl, &seq, i] {
          heap.open_in_child();
          ctl->ready.fetch_add(1);
          std::uint32_t spins = 0;
          while (ctl->go.load() == 0)
            relax(spins);
          ctl->start_ns[i].store(mono_ns());
          heap.run(seq);
          ctl->end_ns[i].store(mono_ns());
        }));
  }
  const auto limit = clock_type::now() + std::chrono::seconds(60);
  while (ctl->ready.load() < procs) {
    for (int i = 0; i < procs; ++i)
      if (ctl->status[i].failed.load() != 0) throw_child_error(ctl->status[i], "child process");
    if (clock_type::now() > limit) throw std::runtime_error("the child processes did not start");
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ctl->go.store(1);
  bool ok = true;
  int failed = -1;
  for (int i = 0; i < procs; ++i)
    if (!children[static_cast<std::size_t>(i)].wait() && ok) ok = false, failed = i;
  if (!ok) throw_child_error(ctl->status[failed], "child process");
  std::int64_t first = ctl->start_ns[0].load(), last = ctl->end_ns[0].load();
  for (int i = 1; i < procs; ++i) {
    first = std::min(first, ctl->start_ns[i].load());
    last = std::max(last, ctl->end_ns[i].load());
  }
  return sample{static_cast<double>(last - first) /
                static_cast<double>(seq.size() * static_cast<std::size_t>(procs))};
}

struct segment_fixture {
  std::vector<step> seq;        // the allocation rows' sequence
  std::vector<step> procs_seq;  // each process's sequence in the two-process rows
  std::vector<std::string> names;
  std::vector<std::uint32_t> lookups;  // indices into `names`, in lookup order
  shared_block control{sizeof(procs_control)};
  procs_control* ctl = new (control.data()) procs_control();
  malloc_heap mheap;
  std::unordered_map<std::string, std::uint64_t*> map_index;
  std::vector<std::uint64_t> map_values;
#if defined(MMF_BENCH_HAVE_BOOST)
  std::unique_ptr<boost_heap> bheap, bfind;
#endif
#if defined(MMF_BENCH_HAVE_MANAGED_SEGMENT)
  std::unique_ptr<mmf_heap> xheap, xfind;
#endif
};

}  // namespace

group make_segment_group(const config& cfg) {
  auto fx = std::make_shared<segment_fixture>();
  segment_fixture* f = fx.get();
  const std::size_t steps = cfg.quick ? 20000 : 1000000;
  const std::size_t proc_steps = cfg.quick ? 20000 : 500000;
  const std::size_t finds = cfg.quick ? 10000 : 200000;
  f->seq = make_sequence(steps, 0x9e3779b97f4a7c15ull);
  f->procs_seq = make_sequence(proc_steps, 0xd1b54a32d192ed03ull);
  f->names.reserve(named_objects);
  for (std::size_t i = 0; i < named_objects; ++i)
    f->names.push_back("object." + std::to_string(i));
  {
    std::uint64_t x = 0x2545F4914F6CDD1Dull;
    f->lookups.resize(finds);
    for (auto& l : f->lookups) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      l = static_cast<std::uint32_t>((x >> 33) % named_objects);
    }
  }

  group g;
  g.name = "segment";
  g.description = "a heap in a named shared segment (" + format_bytes(segment_size) +
                  "), one process unless said";
  const cpu_pair cpus = two_cpus();

  // Allocate + deallocate, one process.
  {
    table_rows rows(g, "allocate + deallocate, random sizes 16 B - 4 KiB (ns per pair)");
    rows.add("segment.alloc.malloc", "malloc/free", role::floor,
             time_per_item(steps, [f](std::size_t) { f->mheap.run(f->seq); }));
#if defined(MMF_BENCH_HAVE_MANAGED_SEGMENT)
    f->xheap = std::make_unique<mmf_heap>(unique_name("seg"), segment_size);
    rows.add("segment.alloc.mmf", "mmf managed_segment allocate/deallocate", role::mmf,
             time_per_item(steps, [f](std::size_t) { f->xheap->run(f->seq); }));
#endif
#if defined(MMF_BENCH_HAVE_BOOST)
    f->bheap = std::make_unique<boost_heap>(unique_name("bseg"), segment_size);
    rows.add("segment.alloc.boost", "Boost managed_shared_memory allocate/deallocate", role::peer,
             time_per_item(steps, [f](std::size_t) { f->bheap->run(f->seq); }));
#endif
  }

  // find by name.
  {
    table_rows rows(g, "find<std::uint64_t> by name among " + std::to_string(named_objects) +
                           " named objects (ns per find)");
    f->map_values.resize(named_objects);
    for (std::size_t i = 0; i < named_objects; ++i)
      f->map_index.emplace(f->names[i], &f->map_values[i]);
    rows.add("segment.find.map", "std::unordered_map<std::string> in process memory", role::floor,
             time_per_item(finds, [f](std::size_t) {
               for (auto i : f->lookups) {
                 auto it = f->map_index.find(f->names[i]);
                 if (it == f->map_index.end()) throw std::runtime_error("not found");
                 keep(it->second);
               }
             }));
#if defined(MMF_BENCH_HAVE_MANAGED_SEGMENT)
    f->xfind = std::make_unique<mmf_heap>(unique_name("segfind"), find_segment_size);
    for (std::size_t i = 0; i < named_objects; ++i)
      f->xfind->seg->construct<std::uint64_t>(f->names[i], std::uint64_t{i});
    rows.add("segment.find.mmf", "mmf managed_segment::find<T>", role::mmf,
             time_per_item(finds, [f](std::size_t) {
               const auto* s = f->xfind->seg.get();
               for (auto i : f->lookups) {
                 std::uint64_t* p = s->find<std::uint64_t>(f->names[i]);
                 if (p == nullptr) throw std::runtime_error("not found");
                 keep(p);
               }
             }));
#endif
#if defined(MMF_BENCH_HAVE_BOOST)
    f->bfind = std::make_unique<boost_heap>(unique_name("bsegfind"), find_segment_size);
    for (std::size_t i = 0; i < named_objects; ++i)
      f->bfind->seg->construct<std::uint64_t>(f->names[i].c_str())(std::uint64_t{i});
    rows.add("segment.find.boost", "Boost managed_shared_memory::find<T>", role::peer,
             time_per_item(finds, [f](std::size_t) {
               auto* s = f->bfind->seg.get();
               for (auto i : f->lookups) {
                 std::uint64_t* p = s->find<std::uint64_t>(f->names[i].c_str()).first;
                 if (p == nullptr) throw std::runtime_error("not found");
                 keep(p);
               }
             }));
#endif
  }

  // One process against two at once.
  {
    const bool have_two = cpus.a != cpus.b;
    table_rows rows(g, std::string("allocate + deallocate, 1 process vs 2 processes at once") +
                           (have_two ? " (two CPUs)" : " (one CPU)") +
                           " (ns per pair, all processes together)");
    procs_control* ctl = f->ctl;
    const std::vector<step>* seq = &f->procs_seq;
    auto add_pair = [&](const std::string& id, const std::string& label, role who1, role who2,
                        auto* heap) {
      rows.add(id + "1", label + ", 1 process", who1,
               [heap, ctl, seq, cpus] { return run_processes(*heap, ctl, *seq, 1, cpus); });
      rows.add(id + "2", label + ", 2 processes at once", who2,
               [heap, ctl, seq, cpus] { return run_processes(*heap, ctl, *seq, 2, cpus); });
    };
    add_pair("segment.procs.malloc", "malloc/free (private heaps)", role::floor, role::peer,
             &f->mheap);
#if defined(MMF_BENCH_HAVE_MANAGED_SEGMENT)
    add_pair("segment.procs.mmf", "mmf managed_segment", role::mmf, role::mmf, f->xheap.get());
#endif
#if defined(MMF_BENCH_HAVE_BOOST)
    add_pair("segment.procs.boost", "Boost managed_shared_memory", role::peer, role::peer,
             f->bheap.get());
#endif
    g.notes.push_back(std::to_string(steps) + " allocate+deallocate pairs per repetition (" +
                      std::to_string(proc_steps) +
                      " per process in the 1-vs-2 rows, each in a forked child); at most " +
                      std::to_string(live_slots) + " blocks live; " + std::to_string(finds) +
                      " finds per repetition");
    if (!have_two) g.notes.push_back("one CPU only: both processes of the 2-process rows share it");
  }

#if !defined(MMF_BENCH_HAVE_MANAGED_SEGMENT)
  g.notes.push_back(
      "mmf::managed_segment is not in this build (<mmf/managed_segment.hpp> absent): the mmf rows "
      "are left out");
#endif
  // Throughput of 2 processes against 1, for every heap (the mmf one is a target; the others are
  // for reference).
  g.after = [](group& gr) {
    auto med = [&gr](const std::string& id) {
      for (const auto& r : gr.rows)
        if (r.id == id && r.error.empty() && !r.samples.empty()) {
          std::vector<double> ns;
          for (const auto& s : r.samples)
            ns.push_back(s.ns);
          return median(ns);
        }
      return -1.0;
    };
    std::string line = "throughput, 2 processes / 1 process:";
    for (const char* h : {"malloc", "mmf", "boost"}) {
      const std::string id = std::string("segment.procs.") + h;
      const double one = med(id + "1"), two = med(id + "2");
      if (one <= 0 || two <= 0) continue;
      char buf[64];
      std::snprintf(buf, sizeof buf, " %s %.2fx;", h, one / two);
      line += buf;
    }
    gr.notes.push_back(line);
  };
  g.fixture = fx;
  return g;
}

}  // namespace mmfbench
