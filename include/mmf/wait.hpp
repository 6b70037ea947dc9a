// mmf — waiting for several named objects at once (.NET's WaitHandle.WaitAny / WaitAll).
//
// wait_any sleeps until one of the objects is signalled and takes it: it locks a mutex (an
// abandoned one counts as signalled), consumes one count of a semaphore or the signal of an
// automatic-reset event; a manual-reset event is only observed. When several are signalled, the
// lowest index wins, as in .NET. wait_all sleeps until every object is signalled and takes all of
// them, or none: it never returns having taken a strict subset.
//
// How it waits:
// - Windows: WaitForMultipleObjects, in the kernel; wait_all is atomic there.
// - Linux: futex_waitv (Linux 5.16+, looked up at run time) over the events' and semaphores'
//   futex words, so a set() or release() wakes the waiter at once; where the kernel lacks it,
//   a futex wait on one of them in slices of at most 2 ms, re-checking every object after each.
//   A mutex's lock word belongs to pthread, which wakes only its own waiters: with a mutex in the
//   set the sleep is also cut into slices (50 us growing to 2 ms), so an unlock or the death of
//   an owner is seen within one slice. wait_all takes the objects one by one and gives back what
//   it took when one is missing, so another waiter may briefly see an object taken that wait_all
//   then returns; nothing is ever lost or left taken (a mutex taken over from a dead owner is
//   given back still abandoned for the next acquirer).
//
// Threads: like the objects' own waits, safe from several threads at once, each waiting for
// objects it may use. Errors (mmf::error): invalid_argument for an empty span, a null or empty
// object, more than 64 objects (Windows' MAXIMUM_WAIT_OBJECTS), or, for wait_all, the same object
// twice; the OS's error otherwise (nothing is taken then).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <variant>

#include <mmf/export.hpp>
#include <mmf/named_event.hpp>
#include <mmf/named_mutex.hpp>
#include <mmf/named_semaphore.hpp>

namespace mmf {

using waitable = std::variant<named_mutex*, named_event*, named_semaphore*>;

// Waits until one of `objects` is signalled and takes it; returns its index, or std::nullopt when
// `timeout` passes first (a timeout <= 0 only tries). *abandoned (when given) is set to whether
// the object taken is a mutex whose previous owner died or abandoned it (the caller owns it now,
// and its owned_after_abandonment() is true).
MMF_API std::optional<std::size_t> wait_any(std::span<const waitable> objects,
                                            std::chrono::nanoseconds timeout = infinite,
                                            bool* abandoned = nullptr);

// Waits until all of `objects` are signalled at once and takes them all; false (nothing taken)
// when `timeout` passes first. An abandoned mutex counts as signalled (see its
// owned_after_abandonment()).
MMF_API bool wait_all(std::span<const waitable> objects,
                      std::chrono::nanoseconds timeout = infinite);

}  // namespace mmf
