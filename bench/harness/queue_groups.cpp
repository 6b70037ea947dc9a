// mmf-bench — the queue group: message passing between two real processes (a forked child),
// pinned to two CPUs or both to one. Three tables: 64-byte round trip (p50/p99), 64-byte
// streaming (messages per second) and 1 MiB messages (bandwidth).
//
// Every way of passing messages is a "link" with the same members, used by one driver per table
// (the driver is a template: the link's calls are direct, as a program would write them):
//   prepare()          in the parent before the fork (per repetition: fds, counters)
//   open_in_child()    in the child after the fork (open the queues by name, close the parent's
//   fds) after_fork()       in the parent after the fork (close the child's fds) send_a / recv_a
//   the parent's side: sends on A->B, receives on B->A send_b / recv_b    the child's side: sends
//   on B->A, receives on A->B unblock()          from the parent's main thread when the child died:
//   wakes the parent's
//                      measuring thread wherever it waits (it then sees `failed` and stops)
//   finish()           in the parent after the repetition
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <thread>

#include <mmf/mmf.hpp>

#if __has_include(<mmf/message_queue.hpp>)
#include <mmf/message_queue.hpp>
#define MMF_BENCH_HAVE_MESSAGE_QUEUE 1
#endif

#if defined(MMF_BENCH_HAVE_BOOST)
#include <boost/interprocess/ipc/message_queue.hpp>
#endif

#include "harness.hpp"
#include "processes.hpp"

namespace mmfbench {

namespace {

constexpr std::size_t small_message = 64;
constexpr std::size_t large_message = std::size_t{1} << 20;
constexpr std::size_t stream_capacity = 256;  // messages a streaming queue or ring holds
constexpr std::size_t large_capacity = 4;     // 1 MiB messages a queue or ring holds (4 MiB)
constexpr std::size_t ping_capacity = 16;

// What the parent and the child share besides the link: the child's error, and for streaming
// its readiness and the time it received the last message.
struct queue_control {
  child_status status;
  std::atomic<int> ready{0};
  std::atomic<std::int64_t> end_ns{0};
};

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch())
      .count();
}

void check_running(const std::atomic<int>& failed) {
  if (failed.load(std::memory_order_relaxed) != 0)
    throw std::runtime_error("the other process failed");
}

// Forks the child (running `child_body` after open_in_child), runs `parent_body` on a thread
// pinned to cpus.a, and waits for both. Errors of either side are thrown here; a parent error
// kills the child, a child death unblocks the parent.
template <class Link, class ParentBody, class ChildBody>
void run_two_processes(Link& link, queue_control* ctl, cpu_pair cpus, ChildBody child_body,
                       ParentBody parent_body) {
  ctl->status.failed.store(0);
  ctl->status.error[0] = '\0';
  ctl->ready.store(0);
  ctl->end_ns.store(0);
  link.prepare();
  child_process child = child_process::start(cpus.b, &ctl->status, [&] {
    link.open_in_child();
    child_body();
  });
  link.after_fork();
  const pid_t pid = child.pid();
  std::exception_ptr error;
  std::atomic<bool> done{false};
  std::thread a([&] {
    try {
      if (!pin_to_cpu(cpus.a)) throw std::runtime_error("cannot pin the measuring thread");
      parent_body(static_cast<const std::atomic<int>&>(ctl->status.failed));
    } catch (...) {
      error = std::current_exception();
      ::kill(pid, SIGKILL);
    }
    done.store(true);
  });
  const bool ok = child.wait();
  if (!ok) {
    ctl->status.failed.store(1);
    while (!done.load()) {
      link.unblock();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  a.join();
  link.finish();
  // The child's own error first: the parent's is then only a consequence (e.g. the message that
  // unblock() put in its way).
  if (!ok && ctl->status.error[0] != '\0') throw_child_error(ctl->status, "child process");
  if (error) std::rethrow_exception(error);
  if (!ok) throw_child_error(ctl->status, "child process");
}

// ---- Drivers ------------------------------------------------------------------------------------

// Round trips of one `bytes`-byte message each way; the parent times each round trip.
template <class Link>
sample round_trips(Link& link, queue_control* ctl, cpu_pair cpus, std::size_t rounds,
                   std::size_t bytes) {
  constexpr std::size_t warmup = 50;
  std::vector<double> lat(rounds);
  double total = 0;
  run_two_processes(
      link, ctl, cpus,
      [&] {
        std::vector<std::byte> msg(bytes);
        for (std::size_t i = 0; i < rounds + warmup; ++i) {
          link.recv_b(msg.data(), bytes);
          link.send_b(msg.data(), bytes);
        }
      },
      [&](const std::atomic<int>& failed) {
        std::vector<std::byte> out(bytes, std::byte{0x5a}), in(bytes);
        for (std::size_t i = 0; i < warmup; ++i) {
          link.send_a(out.data(), bytes);
          link.recv_a(in.data(), bytes);
          check_running(failed);
        }
        const auto start = clock_type::now();
        auto t0 = start;
        for (std::size_t i = 0; i < rounds; ++i) {
          link.send_a(out.data(), bytes);
          link.recv_a(in.data(), bytes);
          const auto t1 = clock_type::now();
          lat[i] = elapsed_ns(t0, t1);
          t0 = t1;
          check_running(failed);
        }
        total = elapsed_ns(start, t0);
      });
  sample s;
  s.ns = total / static_cast<double>(rounds);
  s.p50 = percentile(lat, 50);
  s.p99 = percentile(lat, 99);
  return s;
}

// The parent sends `warm` + `count` messages of `bytes` bytes, the child receives them all. The
// time runs from the first of the `count` sends to the child's last receive: ns per message.
template <class Link>
sample stream(Link& link, queue_control* ctl, cpu_pair cpus, std::size_t count, std::size_t warm,
              std::size_t bytes) {
  std::int64_t t0 = 0;
  run_two_processes(
      link, ctl, cpus,
      [&] {
        std::vector<std::byte> msg(bytes);
        std::memset(msg.data(), 0, bytes);
        ctl->ready.store(1);
        for (std::size_t i = 0; i < warm + count; ++i)
          link.recv_b(msg.data(), bytes);
        ctl->end_ns.store(now_ns());
      },
      [&](const std::atomic<int>& failed) {
        std::vector<std::byte> out(bytes, std::byte{0x5a});
        std::uint32_t spins = 0;
        while (ctl->ready.load() == 0) {
          check_running(failed);
          relax(spins);
        }
        for (std::size_t i = 0; i < warm; ++i)
          link.send_a(out.data(), bytes);
        t0 = now_ns();
        for (std::size_t i = 0; i < count; ++i) {
          link.send_a(out.data(), bytes);
          check_running(failed);
        }
      });
  return sample{static_cast<double>(ctl->end_ns.load() - t0) / static_cast<double>(count)};
}

// ---- Raw shared-page links (the floors) ---------------------------------------------------------

// One message slot per direction and a sequence number; busy polling (`yield`: sched_yield
// between polls, for one CPU) or a blocking futex wait on the sequence word.
struct alignas(64) mailbox {
  std::atomic<std::uint32_t> seq{0};
  alignas(64) std::byte msg[small_message];
};
struct mailbox_pair {
  mailbox ab, ba;
  alignas(64) std::atomic<std::uint32_t> abort{0};
};

void futex_wake_all(std::atomic<std::uint32_t>& w) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&w), FUTEX_WAKE, 1 << 30, nullptr, nullptr,
            0);
}

class mailbox_link {
 public:
  enum class mode { spin, spin_yield, futex };
  explicit mailbox_link(mode m) : mode_(m), block_(sizeof(mailbox_pair)) {
    p_ = new (block_.data()) mailbox_pair();
  }
  void prepare() {
    p_->ab.seq.store(0);
    p_->ba.seq.store(0);
    p_->abort.store(0);
    seen_ab_ = seen_ba_ = 0;
  }
  void open_in_child() {}
  void after_fork() {}
  void finish() {}
  void unblock() {
    p_->abort.store(1);
    futex_wake_all(p_->ab.seq);
    futex_wake_all(p_->ba.seq);
  }
  void send_a(const std::byte* m, std::size_t n) { put(p_->ab, m, n); }
  void recv_a(std::byte* m, std::size_t n) { get(p_->ba, seen_ba_, m, n); }
  void send_b(const std::byte* m, std::size_t n) { put(p_->ba, m, n); }
  void recv_b(std::byte* m, std::size_t n) { get(p_->ab, seen_ab_, m, n); }

 private:
  void put(mailbox& box, const std::byte* m, std::size_t n) {
    std::memcpy(box.msg, m, n);
    box.seq.fetch_add(1, std::memory_order_release);
    if (mode_ == mode::futex)
      ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&box.seq), FUTEX_WAKE, 1, nullptr,
                nullptr, 0);
  }
  void get(mailbox& box, std::uint32_t& seen, std::byte* m, std::size_t n) {
    std::uint32_t spins = 0;
    for (;;) {
      const std::uint32_t s = box.seq.load(std::memory_order_acquire);
      if (s != seen) {
        seen = s;
        break;
      }
      if (mode_ == mode::futex) {
        ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&box.seq), FUTEX_WAIT, s, nullptr,
                  nullptr, 0);
        if (p_->abort.load() != 0) throw std::runtime_error("aborted");
      } else if (mode_ == mode::spin_yield) {
        ::sched_yield();
        if (p_->abort.load() != 0) throw std::runtime_error("aborted");
      } else if ((++spins & 0xffff) == 0) {
        if (p_->abort.load() != 0) throw std::runtime_error("aborted");
      } else {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
      }
    }
    std::memcpy(m, box.msg, n);
  }
  mode mode_;
  shared_block block_;
  mailbox_pair* p_ = nullptr;
  std::uint32_t seen_ab_ = 0, seen_ba_ = 0;
};

// A minimal single-producer single-consumer ring of fixed-size slots on a shared mapping, A->B
// only: busy polling with a pause (and a sched_yield after many polls). The streaming floor.
struct ring_header {
  alignas(64) std::atomic<std::uint64_t> head{0};  // next slot to read (written by the consumer)
  alignas(64) std::atomic<std::uint64_t> tail{0};  // next slot to write (written by the producer)
  alignas(64) std::atomic<std::uint32_t> abort{0};
};

class spsc_link {
 public:
  spsc_link(std::size_t slots, std::size_t slot_size)
      : slots_(slots), slot_size_(slot_size), block_(4096 + slots * slot_size) {
    h_ = new (block_.data()) ring_header();
    data_ = static_cast<std::byte*>(block_.data()) + 4096;
  }
  void prepare() {
    h_->head.store(0);
    h_->tail.store(0);
    h_->abort.store(0);
    cached_head_ = cached_tail_ = 0;
  }
  void open_in_child() {}
  void after_fork() {}
  void finish() {}
  void unblock() { h_->abort.store(1); }
  void send_a(const std::byte* m, std::size_t n) {
    const std::uint64_t t = h_->tail.load(std::memory_order_relaxed);
    std::uint32_t spins = 0;
    while (t - cached_head_ == slots_) {
      cached_head_ = h_->head.load(std::memory_order_acquire);
      if (t - cached_head_ == slots_) {
        if (h_->abort.load(std::memory_order_relaxed) != 0) throw std::runtime_error("aborted");
        relax(spins);
      }
    }
    std::memcpy(data_ + (t % slots_) * slot_size_, m, n);
    h_->tail.store(t + 1, std::memory_order_release);
  }
  void recv_b(std::byte* m, std::size_t n) {
    const std::uint64_t hd = h_->head.load(std::memory_order_relaxed);
    std::uint32_t spins = 0;
    while (hd == cached_tail_) {
      cached_tail_ = h_->tail.load(std::memory_order_acquire);
      if (hd == cached_tail_) relax(spins);
    }
    std::memcpy(m, data_ + (hd % slots_) * slot_size_, n);
    h_->head.store(hd + 1, std::memory_order_release);
  }
  void send_b(const std::byte*, std::size_t) { throw std::logic_error("spsc: one way only"); }
  void recv_a(std::byte*, std::size_t) { throw std::logic_error("spsc: one way only"); }

 private:
  std::size_t slots_, slot_size_;
  shared_block block_;
  ring_header* h_ = nullptr;
  std::byte* data_ = nullptr;
  std::uint64_t cached_head_ = 0, cached_tail_ = 0;
};

// ---- File-descriptor links: a pipe pair, a Unix socketpair --------------------------------------

void write_all(int fd, const std::byte* m, std::size_t n, bool socket) {
  while (n > 0) {
    const ssize_t w = socket ? ::send(fd, m, n, MSG_NOSIGNAL) : ::write(fd, m, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail_errno(socket ? "send" : "write");
    }
    m += w;
    n -= static_cast<std::size_t>(w);
  }
}
void read_all(int fd, std::byte* m, std::size_t n) {
  while (n > 0) {
    const ssize_t r = ::read(fd, m, n);
    if (r < 0) {
      if (errno == EINTR) continue;
      fail_errno("read");
    }
    if (r == 0) throw std::runtime_error("read: the other end was closed");
    m += r;
    n -= static_cast<std::size_t>(r);
  }
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Two pipes (A->B, B->A), made for each repetition; each process closes the other's ends, so a
// dead child shows as end-of-file (and EPIPE: SIGPIPE is ignored while the group runs).
class pipe_link {
 public:
  ~pipe_link() { finish(); }
  void prepare() {
    int ab[2], ba[2];
    if (::pipe2(ab, O_CLOEXEC) != 0) fail_errno("pipe");
    if (::pipe2(ba, O_CLOEXEC) != 0) {
      ::close(ab[0]), ::close(ab[1]);
      fail_errno("pipe");
    }
    ab_r_ = ab[0], ab_w_ = ab[1], ba_r_ = ba[0], ba_w_ = ba[1];
  }
  void open_in_child() { close_fd(ab_w_), close_fd(ba_r_); }
  void after_fork() { close_fd(ab_r_), close_fd(ba_w_); }
  void finish() {
    for (int* fd : {&ab_r_, &ab_w_, &ba_r_, &ba_w_})
      close_fd(*fd);
  }
  void unblock() {}
  void send_a(const std::byte* m, std::size_t n) { write_all(ab_w_, m, n, false); }
  void recv_a(std::byte* m, std::size_t n) { read_all(ba_r_, m, n); }
  void send_b(const std::byte* m, std::size_t n) { write_all(ba_w_, m, n, false); }
  void recv_b(std::byte* m, std::size_t n) { read_all(ab_r_, m, n); }

 private:
  int ab_r_ = -1, ab_w_ = -1, ba_r_ = -1, ba_w_ = -1;
};

// A Unix stream socketpair (one socket each end, both directions).
class socket_link {
 public:
  ~socket_link() { finish(); }
  void prepare() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) fail_errno("socketpair");
    a_ = sv[0], b_ = sv[1];
  }
  void open_in_child() { close_fd(a_); }
  void after_fork() { close_fd(b_); }
  void finish() { close_fd(a_), close_fd(b_); }
  void unblock() {}
  void send_a(const std::byte* m, std::size_t n) { write_all(a_, m, n, true); }
  void recv_a(std::byte* m, std::size_t n) { read_all(a_, m, n); }
  void send_b(const std::byte* m, std::size_t n) { write_all(b_, m, n, true); }
  void recv_b(std::byte* m, std::size_t n) { read_all(b_, m, n); }

 private:
  int a_ = -1, b_ = -1;
};

// ---- Boost.Interprocess message_queue (two queues) ----------------------------------------------

#if defined(MMF_BENCH_HAVE_BOOST)
class boost_link {
 public:
  boost_link(std::size_t capacity, std::size_t size, bool two_way) : size_(size) {
    namespace bip = boost::interprocess;
    for (int i = 0; i < (two_way ? 2 : 1); ++i) {
      names_[i] = unique_name(i == 0 ? "bmqab" : "bmqba");
      const std::string n = names_[i];
      removals_[i] = removal([n] { bip::message_queue::remove(n.c_str()); });
      queues_[i] =
          std::make_unique<bip::message_queue>(bip::create_only, n.c_str(), capacity, size);
    }
  }
  void prepare() {}
  void open_in_child() {
    namespace bip = boost::interprocess;
    // The child's own handles, opened by name as another program would. The handles inherited
    // through fork are left alone (not closed in the child: they are the parent's).
    for (int i = 0; i < 2; ++i)
      if (!names_[i].empty()) {
        (void)queues_[i].release();
        queues_[i] = std::make_unique<bip::message_queue>(bip::open_only, names_[i].c_str());
      }
  }
  void after_fork() {}
  void finish() {}
  void unblock() {
    std::vector<std::byte> m(size_);
    if (queues_[1]) (void)queues_[1]->try_send(m.data(), 1, 0);
    boost::interprocess::message_queue::size_type got = 0;
    unsigned prio = 0;
    (void)queues_[0]->try_receive(m.data(), size_, got, prio);
  }
  void send_a(const std::byte* m, std::size_t n) { queues_[0]->send(m, n, 0); }
  void recv_a(std::byte* m, std::size_t n) { receive(*queues_[1], m, n); }
  void send_b(const std::byte* m, std::size_t n) { queues_[1]->send(m, n, 0); }
  void recv_b(std::byte* m, std::size_t n) { receive(*queues_[0], m, n); }

 private:
  void receive(boost::interprocess::message_queue& q, std::byte* m, std::size_t n) {
    boost::interprocess::message_queue::size_type got = 0;
    unsigned prio = 0;
    q.receive(m, size_, got, prio);
    if (got != n) throw std::runtime_error("Boost message_queue: short message");
  }
  std::size_t size_;
  std::string names_[2];
  removal removals_[2];
  std::unique_ptr<boost::interprocess::message_queue> queues_[2];
};
#endif

// ---- mmf::message_queue (two queues), the copy API ----------------------------------------------

#if defined(MMF_BENCH_HAVE_MESSAGE_QUEUE)
class mmf_link {
 public:
  mmf_link(std::size_t capacity, std::size_t size, bool two_way) : size_(size) {
    for (int i = 0; i < (two_way ? 2 : 1); ++i) {
      names_[i] = unique_name(i == 0 ? "mqab" : "mqba");
      queues_[i] = std::make_unique<mmf::message_queue>(
          mmf::message_queue::create_new(names_[i], capacity, size));
    }
  }
  void prepare() {}
  void open_in_child() {
    // The child's own handles, opened by name; the handles inherited through fork are leaked in
    // the child, never closed there (closing one could release the parent's liveness lock, which
    // the parent and the child share through the inherited descriptor).
    for (int i = 0; i < 2; ++i)
      if (!names_[i].empty()) {
        (void)queues_[i].release();
        queues_[i] =
            std::make_unique<mmf::message_queue>(mmf::message_queue::open_existing(names_[i]));
      }
  }
  void after_fork() {}
  void finish() {}
  void unblock() {
    std::vector<std::byte> m(size_);
    if (queues_[1]) (void)queues_[1]->try_send(std::span<const std::byte>(m.data(), 1));
    (void)queues_[0]->try_receive(std::span<std::byte>(m));
  }
  void send_a(const std::byte* m, std::size_t n) {
    queues_[0]->send(std::span<const std::byte>(m, n));
  }
  void recv_a(std::byte* m, std::size_t n) { receive(*queues_[1], m, n); }
  void send_b(const std::byte* m, std::size_t n) {
    queues_[1]->send(std::span<const std::byte>(m, n));
  }
  void recv_b(std::byte* m, std::size_t n) { receive(*queues_[0], m, n); }

 private:
  static void receive(mmf::message_queue& q, std::byte* m, std::size_t n) {
    if (q.receive(std::span<std::byte>(m, n)) != n)
      throw std::runtime_error("mmf message_queue: short message");
  }
  std::size_t size_;
  std::string names_[2];
  std::unique_ptr<mmf::message_queue> queues_[2];
};
#endif

// ---- The group ----------------------------------------------------------------------------------

struct queue_fixture {
  shared_block control{sizeof(queue_control)};
  queue_control* ctl = new (control.data()) queue_control();
  std::vector<std::shared_ptr<void>> links;  // every row's link, released with the group
  // The 1 MiB memcpy floor's buffers.
  std::vector<std::byte> src, dst;
  void (*old_sigpipe)(int) = SIG_DFL;
};

// Adds a row whose run() calls `fn(link)`; the link lives in the fixture.
template <class Link, class Fn>
void add_link_row(table_rows& rows, queue_fixture* f, std::shared_ptr<Link> link, std::string id,
                  std::string name, role who, Fn fn) {
  f->links.push_back(link);
  Link* l = link.get();
  rows.add(std::move(id), std::move(name), who, [l, fn] { return fn(*l); });
}

// Where the zero-copy row of the 1 MiB table goes: mmf::message_queue's loan/publish (send) and
// read-in-place/release (receive) calls, once their names are fixed in <mmf/message_queue.hpp>.
// Until then the table has the copy API only.
void add_zero_copy_rows(table_rows& /*rows*/, queue_fixture* /*f*/, cpu_pair /*cpus*/,
                        std::size_t /*count*/, group& g) {
  g.notes.push_back(
      "zero-copy row (loan a slot, fill in place, publish; read in place, release): not yet "
      "measured (its names are not fixed yet)");
}

}  // namespace

group make_queue_group(const config& cfg) {
  auto fx = std::make_shared<queue_fixture>();
  queue_fixture* f = fx.get();
  queue_control* ctl = f->ctl;
  group g;
  g.name = "queue";
  g.description = "message passing between two processes (a forked child), copy API";
  const cpu_pair two = two_cpus();
  const cpu_pair one{two.a, two.a};
  const bool have_two = two.a != two.b;

  // Round trips.
  struct placement {
    std::string id, label;
    cpu_pair cpus;
    std::size_t rounds;
  };
  std::vector<placement> places;
  if (have_two)
    places.push_back({"rt2", "two CPUs", two, cfg.quick ? 200u : 5000u});
  else
    g.notes.push_back("two-CPU rows left out: this process may run on one CPU only");
  places.push_back({"rt1", "same CPU", one, cfg.quick ? 200u : 10000u});
  for (const auto& pl : places) {
    table_rows rows(g, "64-byte round trip (ping-pong between two processes), " + pl.label);
    rows.latency();
    const std::string p = "queue." + pl.id + ".";
    const auto cpus = pl.cpus;
    const auto rounds = pl.rounds;
    auto rt = [ctl, cpus, rounds](auto& link) {
      return round_trips(link, ctl, cpus, rounds, small_message);
    };
    if (pl.id == "rt2") {
      add_link_row(rows, f, std::make_shared<mailbox_link>(mailbox_link::mode::spin), p + "spin",
                   "raw cache-line mailbox, busy polling", role::floor, rt);
      add_link_row(rows, f, std::make_shared<mailbox_link>(mailbox_link::mode::futex), p + "futex",
                   "raw futex mailbox on a shared page", role::peer, rt);
    } else {
      add_link_row(rows, f, std::make_shared<mailbox_link>(mailbox_link::mode::futex), p + "futex",
                   "raw futex mailbox on a shared page", role::floor, rt);
      add_link_row(rows, f, std::make_shared<mailbox_link>(mailbox_link::mode::spin_yield),
                   p + "yield", "raw mailbox, polling with sched_yield", role::peer, rt);
    }
#if defined(MMF_BENCH_HAVE_MESSAGE_QUEUE)
    add_link_row(rows, f, std::make_shared<mmf_link>(ping_capacity, small_message, true), p + "mmf",
                 "mmf message_queue send/receive (two queues)", role::mmf, rt);
#endif
#if defined(MMF_BENCH_HAVE_BOOST)
    add_link_row(rows, f, std::make_shared<boost_link>(ping_capacity, small_message, true),
                 p + "boost", "Boost message_queue (two queues)", role::peer, rt);
#endif
    add_link_row(rows, f, std::make_shared<pipe_link>(), p + "pipe", "pipe pair", role::peer, rt);
    add_link_row(rows, f, std::make_shared<socket_link>(), p + "socket",
                 "Unix socketpair (SOCK_STREAM)", role::peer, rt);
  }

  // Streaming, 64 bytes.
  {
    table_rows rows(g, std::string("64-byte streaming, 1 sender and 1 receiver process, ") +
                           (have_two ? "two CPUs" : "one CPU") + " (ns per message)");
    const std::size_t fast = cfg.quick ? 20000 : 1000000;
    const std::size_t slow = cfg.quick ? 4000 : 100000;
    const std::size_t warm = 2 * stream_capacity;
    auto st = [ctl, two, warm](std::size_t count) {
      return [ctl, two, warm, count](auto& link) {
        return stream(link, ctl, two, count, warm, small_message);
      };
    };
    const std::string p = "queue.stream.";
    add_link_row(rows, f, std::make_shared<spsc_link>(stream_capacity, small_message), p + "spsc",
                 "raw SPSC ring on a shared mapping, polling", role::floor, st(fast));
#if defined(MMF_BENCH_HAVE_MESSAGE_QUEUE)
    add_link_row(rows, f, std::make_shared<mmf_link>(stream_capacity, small_message, false),
                 p + "mmf", "mmf message_queue send/receive", role::mmf, st(fast));
#endif
#if defined(MMF_BENCH_HAVE_BOOST)
    add_link_row(rows, f, std::make_shared<boost_link>(stream_capacity, small_message, false),
                 p + "boost", "Boost message_queue", role::peer, st(slow));
#endif
    add_link_row(rows, f, std::make_shared<pipe_link>(), p + "pipe", "pipe", role::peer, st(slow));
    add_link_row(rows, f, std::make_shared<socket_link>(), p + "socket",
                 "Unix socketpair (SOCK_STREAM)", role::peer, st(slow));
    g.notes.push_back("streaming: " + std::to_string(fast) + " messages per repetition (" +
                      std::to_string(slow) + " for Boost, pipe, socket), queues and rings of " +
                      std::to_string(stream_capacity) +
                      " messages; timed from the first send "
                      "to the receiver's last receive");
  }

  // 1 MiB messages: bandwidth.
  {
    table_rows rows(g, std::string("1 MiB messages, 1 sender and 1 receiver process, ") +
                           (have_two ? "two CPUs" : "one CPU") + " (time per message)");
    rows.bytes_per_op(static_cast<double>(large_message));
    const std::size_t count = cfg.quick ? 40 : 2000;
    f->src.assign(large_message, std::byte{0x5a});
    f->dst.assign(large_message, std::byte{0});
    rows.add("queue.mib.memcpy", "memcpy 1 MiB, one process (one copy)", role::floor,
             time_per_call(count, [f] {
               std::memcpy(f->dst.data(), f->src.data(), large_message);
               keep(f->dst[large_message - 1]);
             }));
    const std::size_t warm = 2 * large_capacity;
    auto st = [ctl, two, warm, count](auto& link) {
      return stream(link, ctl, two, count, warm, large_message);
    };
    const std::string p = "queue.mib.";
    add_link_row(rows, f, std::make_shared<spsc_link>(large_capacity, large_message), p + "spsc",
                 "raw SPSC ring of 1 MiB slots (copy in, copy out)", role::peer, st);
#if defined(MMF_BENCH_HAVE_MESSAGE_QUEUE)
    add_link_row(rows, f, std::make_shared<mmf_link>(large_capacity, large_message, false),
                 p + "mmf", "mmf message_queue send/receive (copy API)", role::mmf, st);
#endif
    add_zero_copy_rows(rows, f, two, count, g);
#if defined(MMF_BENCH_HAVE_BOOST)
    add_link_row(rows, f, std::make_shared<boost_link>(large_capacity, large_message, false),
                 p + "boost", "Boost message_queue", role::peer, st);
#endif
    // The pipe moves 1 MiB in 64 KiB pieces (its buffer): ten times slower, an eighth of the count.
    const std::size_t pipe_count = std::max<std::size_t>(count / 8, 10);
    add_link_row(rows, f, std::make_shared<pipe_link>(), p + "pipe", "pipe", role::peer,
                 [ctl, two, warm, pipe_count](auto& link) {
                   return stream(link, ctl, two, pipe_count, warm, large_message);
                 });
    g.notes.push_back("1 MiB: " + std::to_string(count) + " messages per repetition (" +
                      std::to_string(pipe_count) + " for the pipe), queues and rings of " +
                      std::to_string(large_capacity) + " messages");
  }

#if !defined(MMF_BENCH_HAVE_MESSAGE_QUEUE)
  g.notes.push_back(
      "mmf::message_queue is not in this build (<mmf/message_queue.hpp> absent): the mmf rows "
      "are left out");
#endif
  g.notes.push_back(
      "each repetition forks the receiving process, pinned with sched_setaffinity; the parent "
      "measures on a thread pinned to the other CPU (or the same one)");
  g.before = [f](group&) { f->old_sigpipe = std::signal(SIGPIPE, SIG_IGN); };
  g.after = [f](group& gr) {
    std::signal(SIGPIPE, f->old_sigpipe);
    // Messages per second of the streaming rows (the table shows ns per message).
    std::string line = "64-byte streaming, messages per second:";
    for (const auto& r : gr.rows) {
      if (r.id.rfind("queue.stream.", 0) != 0 || r.samples.empty() || !r.error.empty()) continue;
      std::vector<double> ns;
      for (const auto& s : r.samples)
        ns.push_back(s.ns);
      char buf[64];
      std::snprintf(buf, sizeof buf, " %s %.2f M/s;", r.id.substr(13).c_str(), 1e3 / median(ns));
      line += buf;
    }
    gr.notes.push_back(line);
  };
  g.fixture = fx;
  return g;
}

}  // namespace mmfbench
