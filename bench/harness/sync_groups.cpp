// mmf-bench — the sync groups: event ping-pong (same core, cross core) and uncontended mutex
// lock+unlock.
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <mmf/mmf.hpp>

#if defined(MMF_BENCH_HAVE_BOOST)
#include <boost/interprocess/sync/named_condition.hpp>
#include <boost/interprocess/sync/named_mutex.hpp>
#include <boost/interprocess/sync/named_semaphore.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>
#endif

#include "harness.hpp"

namespace mmfbench {

namespace {

// Shared (MAP_SHARED) anonymous memory: where the raw peers keep their futex words, sem_t and
// pthread mutexes, as they would between processes.
template <class T>
T* shared_alloc() {
  void* p = ::mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) fail_errno("mmap");
  return new (p) T();
}
template <class T>
void shared_free(T* p) {
  p->~T();
  ::munmap(p, sizeof(T));
}

// ---- Raw futex (the floor): a flag word, a blocking wait, a shared (not _PRIVATE) futex --------

struct futex_pair {
  std::atomic<std::uint32_t> word[2];
};

void futex_signal(std::atomic<std::uint32_t>& w) {
  w.store(1, std::memory_order_release);
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&w), FUTEX_WAKE, 1, nullptr, nullptr, 0);
}
void futex_wait(std::atomic<std::uint32_t>& w) {
  while (w.exchange(0, std::memory_order_acquire) == 0)
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&w), FUTEX_WAIT, 0, nullptr, nullptr, 0);
}

// ---- The ping-pong driver -----------------------------------------------------------------------

// Thread A signals "ping" and waits for "pong"; thread B waits for "ping" and signals "pong". A
// times each round trip. `cpu_a`/`cpu_b` pin the two threads (same or different CPUs).
struct endpoint {
  std::function<void()> ping, wait_ping, pong, wait_pong;
};

sample ping_pong(const endpoint& e, int cpu_a, int cpu_b, std::size_t rounds) {
  constexpr std::size_t warmup = 50;
  std::vector<double> lat(rounds);
  std::exception_ptr error_b;
  std::atomic<bool> pinned_ok{true};
  std::thread b([&] {
    try {
      if (!pin_to_cpu(cpu_b)) pinned_ok = false;
      for (std::size_t i = 0; i < rounds + warmup; ++i) {
        e.wait_ping();
        e.pong();
      }
    } catch (...) {
      error_b = std::current_exception();
    }
  });
  std::exception_ptr error_a;
  double total = 0;
  std::thread a([&] {
    try {
      if (!pin_to_cpu(cpu_a)) pinned_ok = false;
      for (std::size_t i = 0; i < warmup; ++i) {
        e.ping();
        e.wait_pong();
      }
      const auto start = clock_type::now();
      auto t0 = start;
      for (std::size_t i = 0; i < rounds; ++i) {
        e.ping();
        e.wait_pong();
        const auto t1 = clock_type::now();
        lat[i] = elapsed_ns(t0, t1);
        t0 = t1;
      }
      total = elapsed_ns(start, t0);
    } catch (...) {
      error_a = std::current_exception();
    }
  });
  a.join();
  b.join();
  if (error_a) std::rethrow_exception(error_a);
  if (error_b) std::rethrow_exception(error_b);
  if (!pinned_ok) throw std::runtime_error("cannot pin the threads to their CPUs");
  sample s;
  s.ns = total / static_cast<double>(rounds);
  s.p50 = percentile(lat, 50);
  s.p99 = percentile(lat, 99);
  return s;
}

struct event_fixture {
  futex_pair* futex = nullptr;
  int efd[2] = {-1, -1};
  int pipe_ab[2] = {-1, -1};
  int pipe_ba[2] = {-1, -1};
  sem_t* sems = nullptr;  // two process-shared semaphores in shared memory
  mmf::named_event ev_ab, ev_ba;
  mmf::named_semaphore sem_ab, sem_ba;
  std::string ev_names[2], sem_names[2];
#if defined(MMF_BENCH_HAVE_BOOST)
  std::string b_mutex, b_cond_a, b_cond_b, b_sem_ab, b_sem_ba;
  std::unique_ptr<boost::interprocess::named_mutex> bm;
  std::unique_ptr<boost::interprocess::named_condition> bca, bcb;
  std::unique_ptr<boost::interprocess::named_semaphore> bsab, bsba;
  std::atomic<int> turn{0};
#endif
  ~event_fixture() {
    if (futex != nullptr) shared_free(futex);
    for (int fd : {efd[0], efd[1], pipe_ab[0], pipe_ab[1], pipe_ba[0], pipe_ba[1]})
      if (fd >= 0) ::close(fd);
    if (sems != nullptr) {
      ::sem_destroy(&sems[0]);
      ::sem_destroy(&sems[1]);
      ::munmap(sems, 2 * sizeof(sem_t));
    }
#if defined(MMF_BENCH_HAVE_BOOST)
    namespace bip = boost::interprocess;
    bm.reset(), bca.reset(), bcb.reset(), bsab.reset(), bsba.reset();
    if (!b_mutex.empty()) bip::named_mutex::remove(b_mutex.c_str());
    if (!b_cond_a.empty()) bip::named_condition::remove(b_cond_a.c_str());
    if (!b_cond_b.empty()) bip::named_condition::remove(b_cond_b.c_str());
    if (!b_sem_ab.empty()) bip::named_semaphore::remove(b_sem_ab.c_str());
    if (!b_sem_ba.empty()) bip::named_semaphore::remove(b_sem_ba.c_str());
#endif
  }
};

void write_u64(int fd, std::uint64_t v) {
  while (::write(fd, &v, sizeof v) != static_cast<ssize_t>(sizeof v))
    if (errno != EINTR) fail_errno("write");
}
void read_u64(int fd) {
  std::uint64_t v;
  while (::read(fd, &v, sizeof v) != static_cast<ssize_t>(sizeof v))
    if (errno != EINTR) fail_errno("read");
}
void write_byte(int fd) {
  const char c = 1;
  while (::write(fd, &c, 1) != 1)
    if (errno != EINTR) fail_errno("write");
}
void read_byte(int fd) {
  char c;
  while (::read(fd, &c, 1) != 1)
    if (errno != EINTR) fail_errno("read");
}
void sem_wait_retrying(sem_t* s) {
  while (::sem_wait(s) != 0) {
  }
}

}  // namespace

// ---- event --------------------------------------------------------------------------------------

group make_event_group(const config& cfg) {
  auto fx = std::make_shared<event_fixture>();
  event_fixture* f = fx.get();
  f->futex = shared_alloc<futex_pair>();
  f->efd[0] = ::eventfd(0, EFD_CLOEXEC);
  f->efd[1] = ::eventfd(0, EFD_CLOEXEC);
  if (f->efd[0] < 0 || f->efd[1] < 0) fail_errno("eventfd");
  if (::pipe2(f->pipe_ab, O_CLOEXEC) != 0 || ::pipe2(f->pipe_ba, O_CLOEXEC) != 0)
    fail_errno("pipe");
  void* sp =
      ::mmap(nullptr, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (sp == MAP_FAILED) fail_errno("mmap");
  f->sems = static_cast<sem_t*>(sp);
  ::sem_init(&f->sems[0], 1, 0);
  ::sem_init(&f->sems[1], 1, 0);

  std::vector<std::pair<std::string, endpoint>> ways;
  ways.push_back(
      {"raw futex (FUTEX_WAIT/WAKE, blocking)",
       {[f] { futex_signal(f->futex->word[0]); }, [f] { futex_wait(f->futex->word[0]); },
        [f] { futex_signal(f->futex->word[1]); }, [f] { futex_wait(f->futex->word[1]); }}});
  ways.push_back({"mmf named_event (automatic)",
                  {[f] { f->ev_ab.set(); }, [f] { f->ev_ab.wait(); }, [f] { f->ev_ba.set(); },
                   [f] { f->ev_ba.wait(); }}});
  ways.push_back({"mmf named_semaphore",
                  {[f] { f->sem_ab.release(); }, [f] { f->sem_ab.acquire(); },
                   [f] { f->sem_ba.release(); }, [f] { f->sem_ba.acquire(); }}});
  ways.push_back({"eventfd",
                  {[f] { write_u64(f->efd[0], 1); }, [f] { read_u64(f->efd[0]); },
                   [f] { write_u64(f->efd[1], 1); }, [f] { read_u64(f->efd[1]); }}});
  ways.push_back({"pipe",
                  {[f] { write_byte(f->pipe_ab[1]); }, [f] { read_byte(f->pipe_ab[0]); },
                   [f] { write_byte(f->pipe_ba[1]); }, [f] { read_byte(f->pipe_ba[0]); }}});
  ways.push_back({"sem_t (process-shared)",
                  {[f] { ::sem_post(&f->sems[0]); }, [f] { sem_wait_retrying(&f->sems[0]); },
                   [f] { ::sem_post(&f->sems[1]); }, [f] { sem_wait_retrying(&f->sems[1]); }}});
#if defined(MMF_BENCH_HAVE_BOOST)
  {
    namespace bip = boost::interprocess;
    f->b_mutex = unique_name("bmutex");
    f->b_cond_a = unique_name("bconda");
    f->b_cond_b = unique_name("bcondb");
    f->b_sem_ab = unique_name("bsemab");
    f->b_sem_ba = unique_name("bsemba");
    f->bm = std::make_unique<bip::named_mutex>(bip::create_only, f->b_mutex.c_str());
    f->bca = std::make_unique<bip::named_condition>(bip::create_only, f->b_cond_a.c_str());
    f->bcb = std::make_unique<bip::named_condition>(bip::create_only, f->b_cond_b.c_str());
    f->bsab = std::make_unique<bip::named_semaphore>(bip::create_only, f->b_sem_ab.c_str(), 0);
    f->bsba = std::make_unique<bip::named_semaphore>(bip::create_only, f->b_sem_ba.c_str(), 0);
  }
  // named_condition needs a predicate under the named mutex: `turn` says whose move it is.
  ways.push_back({"Boost named_condition (+named_mutex)",
                  {[f] {
                     boost::interprocess::scoped_lock<boost::interprocess::named_mutex> l(*f->bm);
                     f->turn = 1;
                     f->bcb->notify_one();
                   },
                   [f] {
                     boost::interprocess::scoped_lock<boost::interprocess::named_mutex> l(*f->bm);
                     while (f->turn != 1)
                       f->bcb->wait(l);
                   },
                   [f] {
                     boost::interprocess::scoped_lock<boost::interprocess::named_mutex> l(*f->bm);
                     f->turn = 0;
                     f->bca->notify_one();
                   },
                   [f] {
                     boost::interprocess::scoped_lock<boost::interprocess::named_mutex> l(*f->bm);
                     while (f->turn != 0)
                       f->bca->wait(l);
                   }}});
  ways.push_back({"Boost named_semaphore",
                  {[f] { f->bsab->post(); }, [f] { f->bsab->wait(); }, [f] { f->bsba->post(); },
                   [f] { f->bsba->wait(); }}});
#endif

  group g;
  g.name = "event";
  g.description =
      "event ping-pong between two threads: round-trip latency (two signals + two waits)";
  const auto cpus = allowed_cpus();
  struct placement {
    std::string id, label;
    int a, b;
    std::size_t rounds;
  };
  std::vector<placement> places;
  if (!cpus.empty())
    places.push_back({"same", "same core", cpus[0], cpus[0], cfg.quick ? 200u : 20000u});
  if (cpus.size() >= 2)
    places.push_back({"cross", "cross core", cpus[0], cpus[1], cfg.quick ? 100u : 5000u});
  else
    g.notes.push_back("cross core rows left out: this process may run on one CPU only");

  static const char* const ids[] = {"futex", "mmf",   "mmf_semaphore", "eventfd",
                                    "pipe",  "sem_t", "boost_cond",    "boost_sem"};
  for (const auto& pl : places) {
    table_rows rows(g, "ping-pong round trip, " + pl.label);
    rows.latency();
    std::size_t i = 0;
    for (const auto& way : ways) {
      const std::string& label = way.first;
      const endpoint ep = way.second;  // copied: clang 14 cannot capture structured bindings
      const std::string id = std::string("event.") + pl.id + "." + ids[i];
      const role who =
          i == 0 ? role::floor : (id.find(".mmf") != std::string::npos ? role::mmf : role::peer);
      rows.add(id, label, who, [ep, pl] { return ping_pong(ep, pl.a, pl.b, pl.rounds); });
      ++i;
    }
  }
  // Creating the mmf objects may fail while their back end is unfinished: the rows then report
  // the error instead of the whole group failing.
  try {
    f->ev_names[0] = unique_name("evab");
    f->ev_names[1] = unique_name("evba");
    f->ev_ab = mmf::named_event::create_or_open(f->ev_names[0], mmf::event_reset::automatic);
    f->ev_ba = mmf::named_event::create_or_open(f->ev_names[1], mmf::event_reset::automatic);
    f->sem_names[0] = unique_name("semab");
    f->sem_names[1] = unique_name("semba");
    f->sem_ab = mmf::named_semaphore::create_or_open(f->sem_names[0], 0, 1u << 30);
    f->sem_ba = mmf::named_semaphore::create_or_open(f->sem_names[1], 0, 1u << 30);
    // A first wait from this (unpinned) thread, so that anything the library decides once about
    // the machine is decided here and not on a pinned thread.
    (void)f->ev_ab.wait_for(std::chrono::microseconds(1));
    (void)f->sem_ab.try_acquire_for(std::chrono::microseconds(1));
  } catch (const std::exception& e) {
    g.notes.push_back(std::string("mmf sync objects unavailable: ") + e.what());
  }
  g.notes.push_back("latency per round trip, from the pinging thread; p50/p99 over " +
                    (places.empty() ? std::string("0") : std::to_string(places[0].rounds)) +
                    " round trips per repetition (same core), medians over repetitions.");
  g.fixture = fx;
  return g;
}

// ---- mutex --------------------------------------------------------------------------------------

namespace {

struct mutex_fixture {
  pthread_mutex_t* robust = nullptr;
  pthread_mutex_t* robust_recursive = nullptr;
  mmf::named_mutex mutex;
  std::string lock_path;
  int lock_fd = -1;
#if defined(MMF_BENCH_HAVE_BOOST)
  std::string b_name;
  std::unique_ptr<boost::interprocess::named_mutex> bm;
#endif
  ~mutex_fixture() {
    if (robust != nullptr) {
      ::pthread_mutex_destroy(robust);
      shared_free(robust);
    }
    if (robust_recursive != nullptr) {
      ::pthread_mutex_destroy(robust_recursive);
      shared_free(robust_recursive);
    }
    if (lock_fd >= 0) ::close(lock_fd);
    if (!lock_path.empty()) ::unlink(lock_path.c_str());
#if defined(MMF_BENCH_HAVE_BOOST)
    bm.reset();
    if (!b_name.empty()) boost::interprocess::named_mutex::remove(b_name.c_str());
#endif
  }
};

pthread_mutex_t* make_robust(bool recursive) {
  auto* m = shared_alloc<pthread_mutex_t>();
  pthread_mutexattr_t attr;
  ::pthread_mutexattr_init(&attr);
  ::pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  ::pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  if (recursive) ::pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  ::pthread_mutex_init(m, &attr);
  ::pthread_mutexattr_destroy(&attr);
  return m;
}

// The pthread rows' operation.
void lock_unlock(pthread_mutex_t* m) {
  if (::pthread_mutex_lock(m) != 0) throw std::runtime_error("pthread_mutex_lock");
  ::pthread_mutex_unlock(m);
}

}  // namespace

group make_mutex_group(const config& cfg) {
  auto fx = std::make_shared<mutex_fixture>();
  mutex_fixture* f = fx.get();
  f->robust = make_robust(false);
  f->robust_recursive = make_robust(true);
  f->lock_path = "/dev/shm/" + unique_name("flock");
  f->lock_fd = ::open(f->lock_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (f->lock_fd < 0) fail_errno("open " + f->lock_path);
  const std::size_t fast = cfg.quick ? 100000 : 4000000;
  const std::size_t slow = fast / 20;

  group g;
  g.name = "mutex";
  g.description = "uncontended lock + unlock (an idle second thread exists, as in real programs)";
  table_rows rows(g, "uncontended lock + unlock");
  rows.add("mutex.robust", "robust process-shared pthread mutex", role::floor,
           time_per_call(fast, [f] { lock_unlock(f->robust); }));
  rows.add("mutex.robust_recursive", "robust process-shared recursive pthread mutex", role::peer,
           time_per_call(fast, [f] { lock_unlock(f->robust_recursive); }));
  rows.add("mutex.mmf", "mmf named_mutex lock()+unlock()", role::mmf, time_per_call(fast, [f] {
             f->mutex.lock();
             f->mutex.unlock();
           }));
#if defined(MMF_BENCH_HAVE_BOOST)
  f->b_name = unique_name("bmutex");
  f->bm = std::make_unique<boost::interprocess::named_mutex>(boost::interprocess::create_only,
                                                             f->b_name.c_str());
  rows.add("mutex.boost", "Boost named_mutex", role::peer, time_per_call(fast, [f] {
             f->bm->lock();
             f->bm->unlock();
           }));
#endif
  rows.add("mutex.flock", "flock(LOCK_EX)+flock(LOCK_UN)", role::peer, time_per_call(slow, [f] {
             if (::flock(f->lock_fd, LOCK_EX) != 0) fail_errno("flock");
             ::flock(f->lock_fd, LOCK_UN);
           }));
  rows.add("mutex.ofd", "fcntl OFD lock (F_OFD_SETLKW)", role::peer, time_per_call(slow, [f] {
             struct ::flock fl {};
             fl.l_type = F_WRLCK;
             fl.l_whence = SEEK_SET;
             if (::fcntl(f->lock_fd, F_OFD_SETLKW, &fl) != 0) fail_errno("fcntl");
             fl.l_type = F_UNLCK;
             ::fcntl(f->lock_fd, F_OFD_SETLK, &fl);
           }));
  try {
    f->mutex = mmf::named_mutex::create_or_open(unique_name("mutex"));
  } catch (const std::exception& e) {
    g.notes.push_back(std::string("mmf named_mutex unavailable: ") + e.what());
  }
  g.notes.push_back(std::to_string(fast) + " lock+unlock pairs per repetition (" +
                    std::to_string(slow) + " for the file locks).");
  g.fixture = fx;
  return g;
}

}  // namespace mmfbench
