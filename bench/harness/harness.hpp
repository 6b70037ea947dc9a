// mmf-bench — the comparison harness: rows, groups, measurement helpers.
//
// A group (random, bulk, small, lifecycle, touch, event, mutex, queue, segment) builds its fixture
// once and a list of rows; each row is one way of doing the same thing (mmf, a peer, or the floor:
// the cheapest way the OS offers). The runner runs every row of a group once per repetition, in a
// rotating order, so that all rows see the same machine conditions (these machines are shared and
// noisy: ratios measured in one run hold where absolute times drift). Results are medians over the
// repetitions; latency rows also keep p50/p99 of their per-iteration samples.
#pragma once

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace mmfbench {

enum class role { floor, peer, mmf };

// One repetition of one row.
struct sample {
  double ns = 0;    // nanoseconds per operation (mean over the repetition's operations)
  double p50 = -1;  // latency rows: percentiles of the per-iteration latencies, ns
  double p99 = -1;
};

struct row {
  std::string id;     // stable key, e.g. "random.read.mmf" (targets and --json use it)
  std::string table;  // the comparison it belongs to; the first row of a table is its floor
  std::string name;   // what is measured, e.g. "mmf view_accessor::read<u64>"
  role who = role::peer;
  double bytes_per_op = 0;  // > 0: also report throughput (GB/s)
  double per_op_units = 0;  // > 0: also report ns per unit (e.g. per 4 KiB page)
  std::string unit_name;    // the unit of per_op_units
  bool latency = false;     // p50/p99 are meaningful
  std::function<sample()> run;

  // Results.
  std::vector<sample> samples{};
  std::string error{};  // set when a repetition threw: the row is reported as failed
  double median_ns = 0, median_p50 = -1, median_p99 = -1;
  double vs_floor = 0, vs_best_peer = 0;
};

struct group {
  std::string name;
  std::string description;
  std::vector<row> rows;
  std::vector<std::string> notes;      // printed under the group's table
  std::shared_ptr<void> fixture;       // released when the group is done
  std::function<void(group&)> before;  // runs before the repetitions (e.g. system settings)
  std::function<void(group&)> after;   // runs after them (restores what `before` changed)
};

// Adds the rows of one comparison table to a group, in the order given. What every row of a table
// shares is said once: its title and the figures reported beside the median (throughput, time per
// unit, latency percentiles).
class table_rows {
 public:
  table_rows(group& g, std::string title) : g_(g), title_(std::move(title)) {}
  // Every row also reports throughput, `bytes` moved per operation.
  table_rows& bytes_per_op(double bytes) {
    bytes_ = bytes;
    return *this;
  }
  // Every row also reports the time per unit, `units` of `unit_name` per operation.
  table_rows& per_unit(double units, std::string unit_name) {
    units_ = units;
    unit_name_ = std::move(unit_name);
    return *this;
  }
  // Every row's samples carry p50/p99 latencies.
  table_rows& latency() {
    latency_ = true;
    return *this;
  }
  void add(std::string id, std::string name, role who, std::function<sample()> run) {
    g_.rows.push_back({std::move(id), title_, std::move(name), who, bytes_, units_, unit_name_,
                       latency_, std::move(run)});
  }

 private:
  group& g_;
  std::string title_;
  double bytes_ = 0, units_ = 0;
  std::string unit_name_;
  bool latency_ = false;
};

struct config {
  bool quick = false;
  int reps = 5;
  std::string dir;              // where the data file goes (a disk-backed, cached file)
  bool system_setup = true;     // may change THP settings for the touch group (root only)
  std::uint64_t file_size = 0;  // the data file (1 GiB; 64 MiB with --quick)
  std::uint64_t touch_size = 0;
  bool verbose = false;
};

// ---- Groups (each in its own file) -------------------------------------------------------------
group make_random_group(const config& cfg);
group make_bulk_group(const config& cfg);
group make_small_group(const config& cfg);
group make_lifecycle_group(const config& cfg);
group make_touch_group(const config& cfg);
group make_event_group(const config& cfg);
group make_mutex_group(const config& cfg);
group make_queue_group(const config& cfg);
group make_segment_group(const config& cfg);

// ---- Machine ------------------------------------------------------------------------------------
struct machine_info {
  std::vector<std::pair<std::string, std::string>> settings;  // printed in this order
};
machine_info describe_machine();
std::string read_text_file(const std::string& path);  // trimmed; empty when unreadable
// The value of the first line of a /proc-style file that starts with `key` ("MemTotal:"), without
// the key and the blanks after it; nullopt when no line does (or the file is unreadable).
std::optional<std::string> file_field(const std::string& path, const char* key);
// The mount that holds `dir` (the longest mount point that prefixes it, from /proc/self/mounts);
// nullopt when none does.
struct mount_entry {
  std::string point, type, options;
};
std::optional<mount_entry> mount_of(const std::string& dir);
// The shared-memory directory mmf uses: MMF_SHM_DIR when set and not empty, else /dev/shm.
std::string shm_dir();
// Starts the idle second thread (glibc skips atomics while a program has one thread).
void start_idle_thread();
void stop_idle_thread();
// Registers a function that restores a system setting; run at exit, on SIGINT/SIGTERM and by the
// watchdog. Returns an id to run it early with run_restore().
int add_restore(std::function<void()> fn);
void run_restore(int id);
void run_all_restores() noexcept;

// ---- Report -------------------------------------------------------------------------------------
struct target_result {
  std::string id;
  std::string text;      // what the target says
  std::string measured;  // how the value was computed, e.g. "raw/mmf = 0.97"
  double value = 0;
  double threshold = 0;
  bool higher_is_better = false;
  int state = 0;  // 1 met, 0 missed, -1 not measured
  std::string note;
};
void compute_ratios(group& g);
std::vector<target_result> evaluate_targets(const std::vector<group>& groups);
void print_group(const group& g);
void print_targets(const std::vector<target_result>& targets);
bool write_json(const std::string& path, const config& cfg, const machine_info& m,
                const std::vector<group>& groups, const std::vector<target_result>& targets);

// ---- Measurement helpers ------------------------------------------------------------------------
using clock_type = std::chrono::steady_clock;

inline double elapsed_ns(clock_type::time_point start, clock_type::time_point end) {
  return std::chrono::duration<double, std::nano>(end - start).count();
}

// The ways a row times one repetition. Each returns the row's run; `body` is inlined into it.
// One operation, one call of `body()`: the sample is its whole time.
template <class Body>
std::function<sample()> time_once(Body body) {
  return [body] {
    const auto t0 = clock_type::now();
    body();
    return sample{elapsed_ns(t0, clock_type::now())};
  };
}
// `ops` operations, one call of `body()` each: ns per call.
template <class Body>
std::function<sample()> time_per_call(std::size_t ops, Body body) {
  return [ops, body] {
    const auto t0 = clock_type::now();
    for (std::size_t i = 0; i < ops; ++i)
      body();
    return sample{elapsed_ns(t0, clock_type::now()) / static_cast<double>(ops)};
  };
}
// `ops` operations done by one call of `body(ops)` (the loop is the body's): ns per operation.
template <class Body>
std::function<sample()> time_per_item(std::size_t ops, Body body) {
  return [ops, body] {
    const auto t0 = clock_type::now();
    body(ops);
    return sample{elapsed_ns(t0, clock_type::now()) / static_cast<double>(ops)};
  };
}

// Throws std::system_error for errno, with `what` (the failed call) as its context.
[[noreturn]] inline void fail_errno(const std::string& what) {
  throw std::system_error(errno, std::system_category(), what);
}

// Keeps a value alive for the optimiser without costing anything.
template <class T>
inline void keep(const T& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}
// Makes the compiler forget what it knows about `value` (no vectorising across iterations, no
// hoisting), at no cost.
template <class T>
inline void opaque(T& value) {
  asm volatile("" : "+r"(value));
}

inline std::uint64_t load_u64(const void* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store_u64(void* p, std::uint64_t v) {
  std::memcpy(p, &v, sizeof v);
}

// Percentile of an unsorted vector (sorts it).
double percentile(std::vector<double>& values, double p);
double median(std::vector<double> values);

// A unique name for a named object of this run ("mmfbench.<pid>.<counter>").
std::string unique_name(const char* what);

// Pins the calling thread to one CPU; false when that CPU is not available.
bool pin_to_cpu(int cpu);
// The CPUs this process may run on.
std::vector<int> allowed_cpus();

// Touches (writes one byte of) every page of [p, p + size).
inline void touch_pages(void* p, std::size_t size, std::size_t page) {
  auto* c = static_cast<volatile char*>(p);
  for (std::size_t off = 0; off < size; off += page)
    c[off] = 1;
}
// Reads and rewrites one byte of every page (all page-table entries present and writable).
inline void touch_pages_keep(void* p, std::size_t size, std::size_t page) {
  auto* c = static_cast<volatile char*>(p);
  for (std::size_t off = 0; off < size; off += page)
    c[off] = c[off];
}
// Reads one byte of every page of [p, p + size) (so that a mapping has all its page-table entries).
inline void prefault_read(const void* p, std::size_t size, std::size_t page) {
  auto* c = static_cast<const volatile char*>(p);
  char sink = 0;
  for (std::size_t off = 0; off < size; off += page)
    sink = static_cast<char>(sink ^ c[off]);
  keep(sink);
}

std::string format_bytes(std::uint64_t bytes);

}  // namespace mmfbench
