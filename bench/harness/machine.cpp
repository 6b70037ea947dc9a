// mmf-bench — the machine's settings (and the /proc readers behind them), the idle thread, CPU
// pinning, and restoring what we change.
#include <pthread.h>
#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <mmf/system.hpp>

#include "harness.hpp"

namespace mmfbench {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

std::optional<std::string> file_field(const std::string& path, const char* key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) {
      auto v = line.substr(std::strlen(key));
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  return std::nullopt;
}

std::optional<mount_entry> mount_of(const std::string& dir) {
  std::ifstream in("/proc/self/mounts");
  std::optional<mount_entry> best;
  std::string dev, mnt, type, opts;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    ls >> dev >> mnt >> type >> opts;
    if (dir.rfind(mnt, 0) == 0 && (!best || mnt.size() >= best->point.size()))
      best = mount_entry{mnt, type, opts};
  }
  return best;
}

std::string shm_dir() {
  const char* env = std::getenv("MMF_SHM_DIR");
  return env != nullptr && *env != '\0' ? env : "/dev/shm";
}

machine_info describe_machine() {
  machine_info m;
  auto add = [&](std::string k, std::string v) {
    m.settings.emplace_back(std::move(k), v.empty() ? "(unknown)" : std::move(v));
  };
  struct ::utsname u {};
  if (::uname(&u) == 0) add("kernel", std::string(u.sysname) + " " + u.release + " " + u.machine);
  add("cpus online", std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)));
  add("cpus allowed", std::to_string(allowed_cpus().size()));
  {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("model name", 0) == 0) {
        add("cpu", line.substr(line.find(':') + 2));
        break;
      }
  }
  add("memory", file_field("/proc/meminfo", "MemTotal:").value_or(""));
  add("page size", std::to_string(mmf::page_size()));
  add("transparent_hugepage/enabled",
      read_text_file("/sys/kernel/mm/transparent_hugepage/enabled"));
  add("transparent_hugepage/shmem_enabled",
      read_text_file("/sys/kernel/mm/transparent_hugepage/shmem_enabled"));
  add("vm.nr_hugepages", read_text_file("/proc/sys/vm/nr_hugepages"));
  const std::string shm = shm_dir();
  const auto mount = mount_of(shm);
  add("shared-memory dir",
      shm + ": " +
          (mount ? mount->type + " " + mount->options + " (on " + mount->point + ")" : ""));
#if defined(__clang__)
  add("compiler", std::string("clang ") + __clang_version__);
#elif defined(__GNUC__)
  add("compiler", std::string("g++ ") + __VERSION__);
#endif
#if defined(MMF_BENCH_HAVE_BOOST)
  add("boost", "Boost.Interprocess rows included");
#else
  add("boost", "not found at configure time: Boost rows left out");
#endif
  return m;
}

// ---- The idle thread ----------------------------------------------------------------------------

namespace {
std::mutex idle_mutex;
std::condition_variable idle_cv;
bool idle_stop = false;
std::thread idle_thread;
}  // namespace

void start_idle_thread() {
  idle_thread = std::thread([] {
    std::unique_lock<std::mutex> lock(idle_mutex);
    idle_cv.wait(lock, [] { return idle_stop; });
  });
}

void stop_idle_thread() {
  {
    std::lock_guard<std::mutex> lock(idle_mutex);
    idle_stop = true;
  }
  idle_cv.notify_all();
  if (idle_thread.joinable()) idle_thread.join();
}

// ---- CPUs ---------------------------------------------------------------------------------------

std::vector<int> allowed_cpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int i = 0; i < CPU_SETSIZE; ++i)
    if (CPU_ISSET(i, &set)) cpus.push_back(i);
  return cpus;
}

bool pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return ::pthread_setaffinity_np(::pthread_self(), sizeof set, &set) == 0;
}

// ---- Restores -----------------------------------------------------------------------------------

namespace {
std::mutex restore_mutex;
std::map<int, std::function<void()>> restores;
int next_restore = 1;
}  // namespace

int add_restore(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(restore_mutex);
  restores.emplace(next_restore, std::move(fn));
  return next_restore++;
}

void run_restore(int id) {
  std::function<void()> fn;
  {
    std::lock_guard<std::mutex> lock(restore_mutex);
    auto it = restores.find(id);
    if (it == restores.end()) return;
    fn = std::move(it->second);
    restores.erase(it);
  }
  fn();
}

void run_all_restores() noexcept {
  std::map<int, std::function<void()>> all;
  {
    std::lock_guard<std::mutex> lock(restore_mutex);
    all.swap(restores);
  }
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    try {
      it->second();
    } catch (...) {
    }
  }
}

// ---- Small helpers ------------------------------------------------------------------------------

double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return -1;
  const auto k = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1) + 0.5);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

double median(std::vector<double> values) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string unique_name(const char* what) {
  static std::atomic<unsigned> counter{0};
  return std::string("mmfbench.") + std::to_string(::getpid()) + "." + what + "." +
         std::to_string(counter++);
}

std::string format_bytes(std::uint64_t bytes) {
  if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
    return std::to_string(bytes >> 30) + " GiB";
  if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1ull << 10) && bytes % (1ull << 10) == 0)
    return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " B";
}

}  // namespace mmfbench
