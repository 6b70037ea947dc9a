// mmf tests — helper commands for named_mutex, named_event and named_semaphore (the multi-process
// parts of named_mutex_test.cpp, named_event_test.cpp and named_semaphore_test.cpp).
//
//   mutex_hold <name>            create_or_open, lock, print "locked", then read stdin:
//                                "unlock" -> unlocks, prints "unlocked"; "exit" -> exits 0 still
//                                owning it; end of file -> exits 0 still owning it.
//   mutex_created <name>         create_or_open(name, true): prints "created" or "opened", then
//                                whether this process owns it ("owner" / "not_owner"), exits 0.
//   mutex_acquire <name> <ms>    acquire(ms): prints "acquired", "abandoned" or "timed_out",
//                                unlocks if it got it, exits 0.
//   mutex_counter <mutex> <map> <n>
//                                n times: lock, read-modify-write the u64 at offset 0 of the map
//                                (non-atomically, with a yield in between), unlock. Prints "done".
//   sem_counter <sem> <map> <n>  the same with a semaphore of maximum 1 as the lock.
//   event_pong <ping> <pong> <n> opens both (auto-reset) events, prints "ready", then n times:
//                                waits for ping (10 s at most, else prints "lost <i>" and exits
//                                1), sets pong. Prints "done".
//   event_waiters <go0> <go1> <ready> <done> <threads> <rounds>
//                                `threads` threads; in round r each thread releases semaphore
//                                ready, waits for manual event go<r%2> (10 s at most, else prints
//                                "timeout <r>" and exits 1), releases semaphore done. Prints
//                                "done" after all rounds.
//   event_wait <name> <ms>       prints "waiting", waits (ms; 0 = forever): prints "signaled" or
//                                "timed_out", exits 0.
//   sem_wait <name> <ms>         the same with try_acquire_for on a semaphore: "acquired" or
//                                "timed_out".
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/named_event.hpp>
#include <mmf/named_mutex.hpp>
#include <mmf/named_semaphore.hpp>
#include <mmf/view_accessor.hpp>

#include "helper/helper.hpp"

namespace {

std::chrono::milliseconds to_ms(const char* text) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(mmf_helper::to_u64(text)));
}

const char* status_text(mmf::lock_status s) {
  switch (s) {
    case mmf::lock_status::acquired:
      return "acquired";
    case mmf::lock_status::abandoned:
      return "abandoned";
    case mmf::lock_status::timed_out:
      return "timed_out";
  }
  return "?";
}

// Increments the u64 at offset 0 in two steps, so that a missing exclusion loses updates.
void bump(mmf::view_accessor& view) {
  const auto v = view.read<std::uint64_t>(0);
  std::this_thread::yield();
  view.write<std::uint64_t>(0, v + 1);
}

}  // namespace

MMF_HELPER_COMMAND(mutex_hold) {
  if (argc != 2) throw mmf_helper::usage_error{"mutex_hold <name>"};
  auto m = mmf::named_mutex::create_or_open(argv[1]);
  m.lock();
  mmf_helper::say("locked");
  for (;;) {
    const std::string line = mmf_helper::listen();
    if (mmf_helper::stdin_closed() || line == "exit") std::_Exit(0);  // still owning it
    if (line == "unlock") {
      m.unlock();
      mmf_helper::say("unlocked");
    }
  }
}

MMF_HELPER_COMMAND(mutex_created) {
  if (argc != 2) throw mmf_helper::usage_error{"mutex_created <name>"};
  bool created = false;
  auto m = mmf::named_mutex::create_or_open(argv[1], true, &created);
  mmf_helper::say(created ? "created" : "opened");
  try {
    m.unlock();
    mmf_helper::say("owner");
  } catch (const mmf::error&) {
    mmf_helper::say("not_owner");
  }
  return 0;
}

MMF_HELPER_COMMAND(mutex_acquire) {
  if (argc != 3) throw mmf_helper::usage_error{"mutex_acquire <name> <ms>"};
  auto m = mmf::named_mutex::open_existing(argv[1]);
  const auto status = m.acquire(to_ms(argv[2]));
  mmf_helper::say(status_text(status));
  if (status != mmf::lock_status::timed_out) m.unlock();
  return 0;
}

// Takes the mutex through std::lock_guard (lock()) and says whether that ownership was taken over
// from a dead owner, as owned_after_abandonment() reports it, before and after a recursive level.
MMF_HELPER_COMMAND(mutex_guard) {
  if (argc != 2) throw mmf_helper::usage_error{"mutex_guard <name>"};
  auto m = mmf::named_mutex::open_existing(argv[1]);
  std::string seen;
  {
    std::lock_guard<mmf::named_mutex> hold(m);
    seen = m.owned_after_abandonment() ? "taken_over" : "normal";
    std::lock_guard<mmf::named_mutex> again(m);
    seen += m.owned_after_abandonment() ? " taken_over" : " normal";
  }
  seen += m.owned_after_abandonment() ? " still" : " cleared";
  mmf_helper::say(seen);
  return 0;
}

MMF_HELPER_COMMAND(mutex_counter) {
  if (argc != 4) throw mmf_helper::usage_error{"mutex_counter <mutex> <map> <n>"};
  auto m = mmf::named_mutex::open_existing(argv[1]);
  auto map = mmf::memory_mapped_file::open_existing(argv[2]);
  auto view = map.create_view_accessor(0, 8);
  const auto n = mmf_helper::to_u64(argv[3]);
  for (std::uint64_t i = 0; i < n; ++i) {
    std::lock_guard<mmf::named_mutex> hold(m);
    bump(view);
  }
  mmf_helper::say("done");
  return 0;
}

MMF_HELPER_COMMAND(sem_counter) {
  if (argc != 4) throw mmf_helper::usage_error{"sem_counter <sem> <map> <n>"};
  auto s = mmf::named_semaphore::open_existing(argv[1]);
  auto map = mmf::memory_mapped_file::open_existing(argv[2]);
  auto view = map.create_view_accessor(0, 8);
  const auto n = mmf_helper::to_u64(argv[3]);
  for (std::uint64_t i = 0; i < n; ++i) {
    s.acquire();
    bump(view);
    s.release();
  }
  mmf_helper::say("done");
  return 0;
}

MMF_HELPER_COMMAND(event_pong) {
  if (argc != 4) throw mmf_helper::usage_error{"event_pong <ping> <pong> <n>"};
  auto ping = mmf::named_event::open_existing(argv[1]);
  auto pong = mmf::named_event::open_existing(argv[2]);
  const auto n = mmf_helper::to_u64(argv[3]);
  mmf_helper::say("ready");
  for (std::uint64_t i = 0; i < n; ++i) {
    if (!ping.wait_for(std::chrono::seconds(10))) {
      mmf_helper::say("lost " + std::to_string(i));
      return 1;
    }
    pong.set();
  }
  mmf_helper::say("done");
  return 0;
}

MMF_HELPER_COMMAND(event_waiters) {
  if (argc != 7)
    throw mmf_helper::usage_error{"event_waiters <go0> <go1> <ready> <done> <threads> <rounds>"};
  mmf::named_event go[2] = {mmf::named_event::open_existing(argv[1]),
                            mmf::named_event::open_existing(argv[2])};
  auto ready = mmf::named_semaphore::open_existing(argv[3]);
  auto done = mmf::named_semaphore::open_existing(argv[4]);
  const auto threads = mmf_helper::to_u64(argv[5]);
  const auto rounds = mmf_helper::to_u64(argv[6]);
  std::atomic<bool> failed{false};
  std::vector<std::thread> pool;
  for (std::uint64_t t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (std::uint64_t r = 0; r < rounds && !failed; ++r) {
        ready.release();
        if (!go[r % 2].wait_for(std::chrono::seconds(10))) {
          if (!failed.exchange(true)) mmf_helper::say("timeout " + std::to_string(r));
          return;
        }
        done.release();
      }
    });
  }
  for (auto& t : pool)
    t.join();
  if (failed) return 1;
  mmf_helper::say("done");
  return 0;
}

MMF_HELPER_COMMAND(event_wait) {
  if (argc != 3) throw mmf_helper::usage_error{"event_wait <name> <ms>"};
  auto e = mmf::named_event::open_existing(argv[1]);
  const auto ms = to_ms(argv[2]);
  mmf_helper::say("waiting");
  bool signaled = true;
  if (ms.count() == 0)
    e.wait();
  else
    signaled = e.wait_for(ms);
  mmf_helper::say(signaled ? "signaled" : "timed_out");
  return 0;
}

MMF_HELPER_COMMAND(sem_wait) {
  if (argc != 3) throw mmf_helper::usage_error{"sem_wait <name> <ms>"};
  auto s = mmf::named_semaphore::open_existing(argv[1]);
  const auto ms = to_ms(argv[2]);
  mmf_helper::say("waiting");
  bool acquired = true;
  if (ms.count() == 0)
    s.acquire();
  else
    acquired = s.try_acquire_for(ms);
  mmf_helper::say(acquired ? "acquired" : "timed_out");
  return 0;
}

// event_set_after <name> <ms>: opens the event, says "ready", sleeps <ms>, sets it, exits 0.
MMF_HELPER_COMMAND(event_set_after) {
  if (argc != 3) throw mmf_helper::usage_error{"event_set_after <name> <ms>"};
  auto e = mmf::named_event::open_existing(argv[1]);
  mmf_helper::say("ready");
  std::this_thread::sleep_for(to_ms(argv[2]));
  e.set();
  return 0;
}
