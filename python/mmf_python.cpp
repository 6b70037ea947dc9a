// The Python module `mmf`: memory-mapped files, views with the buffer protocol (zero-copy
// memoryview / numpy.frombuffer), named mutexes, events and semaphores, message queues (with
// zero-copy loans and in-place receives), and the object listing,
// over the C++ library. Names follow Python style (classes CamelCase, methods snake_case); errors
// become the Python exception of their portable condition; every blocking wait releases the GIL
// and wakes every 50 ms to let Python handle signals (Ctrl-C raises KeyboardInterrupt).
#include <pybind11/chrono.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <system_error>

#include <mmf/mmf.hpp>

namespace py = pybind11;
using namespace std::chrono_literals;

namespace {

// ---- Errors ------------------------------------------------------------------------------------

// Raises the Python exception of `e`'s portable condition, with e.what() as its message (which
// names the operation and the object).
[[noreturn]] void raise_for(const std::system_error& e) {
  const std::error_code ec = e.code();
  PyObject* type = PyExc_OSError;
  if (ec == std::errc::no_such_file_or_directory) {
    type = PyExc_FileNotFoundError;
  } else if (ec == std::errc::file_exists) {
    type = PyExc_FileExistsError;
  } else if (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted) {
    type = PyExc_PermissionError;
  } else if (ec == std::errc::invalid_argument) {
    type = PyExc_ValueError;
  } else if (ec == std::errc::result_out_of_range || ec == std::errc::value_too_large) {
    type = PyExc_IndexError;
  } else if (ec == std::errc::not_enough_memory) {
    type = PyExc_MemoryError;
  } else if (ec == std::errc::timed_out) {
    type = PyExc_TimeoutError;
  } else if (ec == std::errc::operation_not_supported) {
    type = PyExc_NotImplementedError;
  }
  if (type == PyExc_OSError || PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(type),
                                                reinterpret_cast<PyTypeObject*>(PyExc_OSError))) {
    // OSError(errno, strerror): .errno is the portable condition's value where it has one.
    const std::error_condition cond = ec.default_error_condition();
    const int number = cond.category() == std::generic_category() ? cond.value() : 0;
    PyErr_SetObject(type, py::make_tuple(number, e.what()).ptr());
  } else {
    PyErr_SetString(type, e.what());
  }
  throw py::error_already_set();
}

// ---- Waiting -----------------------------------------------------------------------------------

constexpr std::chrono::nanoseconds kSlice = 50ms;

// A timeout in seconds from Python: None is forever; negative is an error.
std::optional<std::chrono::nanoseconds> to_timeout(std::optional<double> seconds) {
  if (!seconds) return std::nullopt;
  if (!(*seconds >= 0)) throw py::value_error("timeout must be a number of seconds >= 0");
  const double ns = *seconds * 1e9;
  if (ns >= static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2)) return std::nullopt;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::ceil(ns)));
}

// Runs `attempt(slice)` (which waits at most `slice` and returns true when it got what it waited
// for) without the GIL, slice by slice until it succeeds or `timeout` passes, checking Python's
// signals between slices (a KeyboardInterrupt propagates). Returns whether it succeeded.
template <class Attempt>
bool wait_in_slices(std::optional<std::chrono::nanoseconds> timeout, Attempt attempt) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    std::chrono::nanoseconds slice = kSlice;
    if (timeout) {
      const auto left = *timeout - (std::chrono::steady_clock::now() - start);
      if (left <= 0ns)
        slice = 0ns;
      else if (left < slice)
        slice = left;
    }
    bool done = false;
    {
      py::gil_scoped_release unlocked;
      done = attempt(slice);
    }
    if (done) return true;
    if (timeout && std::chrono::steady_clock::now() - start >= *timeout) return false;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  }
}

// Calls `f` and turns an mmf error into its Python exception.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::system_error& e) {
    raise_for(e);
  }
}

// ---- Views -------------------------------------------------------------------------------------

py::buffer_info view_buffer(mmf::view_accessor& view) {
  const auto bytes = view.bytes();
  return py::buffer_info(bytes.data(), 1, py::format_descriptor<std::uint8_t>::format(), 1,
                         {static_cast<py::ssize_t>(bytes.size())}, {py::ssize_t{1}},
                         /*readonly=*/!view.can_write());
}

// ---- Message queues ----------------------------------------------------------------------------

// The bytes of a Python object with the buffer protocol (bytes, bytearray, memoryview, numpy
// arrays), C-contiguous.
struct message_bytes {
  py::buffer_info info;
  std::span<const std::byte> bytes() const {
    return {static_cast<const std::byte*>(info.ptr),
            static_cast<std::size_t>(info.size) * static_cast<std::size_t>(info.itemsize)};
  }
};

message_bytes bytes_of(const py::buffer& data) {
  message_bytes m{data.request()};
  if (m.info.ndim > 1) {
    // Only a C-contiguous block is one message.
    py::ssize_t expected = m.info.itemsize;
    for (py::ssize_t d = m.info.ndim - 1; d >= 0; --d) {
      if (m.info.strides[static_cast<std::size_t>(d)] != expected)
        throw py::value_error("a message must be a C-contiguous buffer");
      expected *= m.info.shape[static_cast<std::size_t>(d)];
    }
  } else if (m.info.ndim == 1 && m.info.shape[0] > 1 && m.info.strides[0] != m.info.itemsize) {
    throw py::value_error("a message must be a C-contiguous buffer");
  }
  return m;
}

// A loan or a received message as Python sees it: the C++ object, and the Python MessageQueue it
// came from, kept alive (with its mapping) as long as any memoryview of the bytes exists.
struct py_send_loan {
  mmf::message_queue::send_loan loan;
  std::span<std::byte> bytes;  // the slot, also after publish/cancel (still mapped)
  py::object queue;
};
struct py_received_message {
  mmf::message_queue::received_message message;
  std::span<const std::byte> bytes;
  py::object queue;
};

}  // namespace

PYBIND11_MODULE(mmf, m) {
  m.doc() =
      "Memory-mapped files and named shared memory, with named mutexes, events and semaphores "
      "that live while a process holds them (also after SIGKILL): the mmf C++ library.";
  m.attr("__version__") = mmf::version_string();

  py::enum_<mmf::access>(m, "Access", "What a map or a view may do with its memory.")
      .value("read_write", mmf::access::read_write)
      .value("read", mmf::access::read)
      .value("write", mmf::access::write)
      .value("copy_on_write", mmf::access::copy_on_write)
      .value("read_execute", mmf::access::read_execute)
      .value("read_write_execute", mmf::access::read_write_execute);
  py::enum_<mmf::file_mode>(m, "FileMode", "How create_from_file treats the file.")
      .value("create_new", mmf::file_mode::create_new)
      .value("create", mmf::file_mode::create)
      .value("open", mmf::file_mode::open)
      .value("open_or_create", mmf::file_mode::open_or_create);
  py::enum_<mmf::event_reset>(m, "EventReset", "Whether an event stays set (manual) or not.")
      .value("manual", mmf::event_reset::manual)
      .value("automatic", mmf::event_reset::automatic);
  py::enum_<mmf::lock_status>(m, "LockStatus", "How NamedMutex.acquire ended.")
      .value("acquired", mmf::lock_status::acquired)
      .value("abandoned", mmf::lock_status::abandoned)
      .value("timed_out", mmf::lock_status::timed_out);

  py::class_<mmf::view_accessor>(m, "ViewAccessor", py::buffer_protocol(),
                                 "A view of a map. memoryview(view) and numpy.frombuffer(view) "
                                 "share its bytes (writable when the view is).")
      .def_buffer(&view_buffer)
      .def_property_readonly("capacity", &mmf::view_accessor::capacity, "Bytes in the view.")
      .def_property_readonly("can_read", &mmf::view_accessor::can_read)
      .def_property_readonly("can_write", &mmf::view_accessor::can_write)
      .def(
          "flush", [](mmf::view_accessor& v) { guarded([&] { v.flush(); }); },
          py::call_guard<py::gil_scoped_release>(),
          "Writes the view's dirty pages to the file and waits for them.")
      .def("__len__", [](const mmf::view_accessor& v) { return v.capacity(); });

  py::class_<mmf::memory_mapped_file>(
      m, "MemoryMappedFile",
      "A memory-mapped file or named shared memory. Named maps live while some process holds them.")
      .def_static(
          "create_new",
          [](const std::string& name, std::uint64_t capacity, mmf::access access) {
            return guarded(
                [&] { return mmf::memory_mapped_file::create_new(name, capacity, access); });
          },
          py::arg("name"), py::arg("capacity"), py::arg("access") = mmf::access::read_write,
          "Creates the named map (\"\" for an anonymous one). FileExistsError if it exists.")
      .def_static(
          "create_or_open",
          [](const std::string& name, std::uint64_t capacity, mmf::access access) {
            return guarded(
                [&] { return mmf::memory_mapped_file::create_or_open(name, capacity, access); });
          },
          py::arg("name"), py::arg("capacity"), py::arg("access") = mmf::access::read_write,
          "Opens the named map, or creates it with `capacity` bytes.")
      .def_static(
          "open_existing",
          [](const std::string& name, mmf::access access) {
            return guarded([&] { return mmf::memory_mapped_file::open_existing(name, access); });
          },
          py::arg("name"), py::arg("access") = mmf::access::read_write,
          "Opens a live named map. FileNotFoundError if there is none.")
      .def_static(
          "create_from_file",
          [](const std::filesystem::path& path, mmf::file_mode mode, const std::string& name,
             std::uint64_t capacity, mmf::access access) {
            return guarded([&] {
              return mmf::memory_mapped_file::create_from_file(path, mode, name, capacity, access);
            });
          },
          py::arg("path"), py::arg("mode") = mmf::file_mode::open, py::arg("name") = "",
          py::arg("capacity") = 0, py::arg("access") = mmf::access::read_write,
          "Maps the file at `path` (capacity 0: the file's size; larger grows the file).")
      .def(
          "create_view_accessor",
          [](mmf::memory_mapped_file& map, std::uint64_t offset, std::uint64_t size,
             mmf::access access) {
            return guarded([&] { return map.create_view_accessor(offset, size, access); });
          },
          py::arg("offset") = 0, py::arg("size") = 0, py::arg("access") = mmf::access::read_write,
          py::keep_alive<0, 1>(), "Maps [offset, offset + size) of the map (size 0: to the end).")
      .def(
          "grow",
          [](mmf::memory_mapped_file& map, std::uint64_t new_capacity) {
            guarded([&] { map.grow(new_capacity); });
          },
          py::arg("new_capacity"),
          "Grows the map; existing views keep their size, new views reach the new end.")
      .def(
          "refresh_capacity",
          [](mmf::memory_mapped_file& map) {
            return guarded([&] { return map.refresh_capacity(); });
          },
          "Re-reads the capacity of a named map (another process may have grown it).")
      .def_property_readonly("capacity",
                             [](const mmf::memory_mapped_file& map) {
                               return guarded([&] { return map.capacity(); });
                             })
      .def_property_readonly(
          "name", [](const mmf::memory_mapped_file& map) { return std::string(map.name()); });

  py::class_<mmf::named_mutex>(m, "NamedMutex",
                               "A mutex shared by name. `with mutex:` locks it; a dead owner's "
                               "mutex is taken over, and owned_after_abandonment says so.")
      .def_static(
          "create_or_open",
          [](const std::string& name, bool initially_owned) {
            return guarded([&] { return mmf::named_mutex::create_or_open(name, initially_owned); });
          },
          py::arg("name"), py::arg("initially_owned") = false)
      .def_static(
          "open_existing",
          [](const std::string& name) {
            return guarded([&] { return mmf::named_mutex::open_existing(name); });
          },
          py::arg("name"))
      .def(
          "acquire",
          [](mmf::named_mutex& mx, std::optional<double> timeout) {
            mmf::lock_status got = mmf::lock_status::timed_out;
            guarded([&] {
              wait_in_slices(to_timeout(timeout), [&](std::chrono::nanoseconds slice) {
                got = mx.acquire(slice);
                return got != mmf::lock_status::timed_out;
              });
            });
            return got;
          },
          py::arg("timeout") = py::none(),
          "Waits (timeout in seconds; None: forever) and returns a LockStatus.")
      .def(
          "release", [](mmf::named_mutex& mx) { guarded([&] { mx.unlock(); }); },
          "Unlocks it (PermissionError if this thread does not own it).")
      .def_property_readonly("owned_after_abandonment", &mmf::named_mutex::owned_after_abandonment,
                             "Whether this ownership was taken over from a dead owner.")
      .def("__enter__",
           [](mmf::named_mutex& mx) -> mmf::named_mutex& {
             guarded([&] {
               wait_in_slices(std::nullopt, [&](std::chrono::nanoseconds slice) {
                 return mx.acquire(slice) != mmf::lock_status::timed_out;
               });
             });
             return mx;
           })
      .def("__exit__",
           [](mmf::named_mutex& mx, const py::args&) { guarded([&] { mx.unlock(); }); });

  py::class_<mmf::named_event>(m, "NamedEvent", "An event shared by name (.NET's EventWaitHandle).")
      .def_static(
          "create_or_open",
          [](const std::string& name, mmf::event_reset mode, bool initially_set) {
            return guarded(
                [&] { return mmf::named_event::create_or_open(name, mode, initially_set); });
          },
          py::arg("name"), py::arg("mode"), py::arg("initially_set") = false)
      .def_static(
          "open_existing",
          [](const std::string& name) {
            return guarded([&] { return mmf::named_event::open_existing(name); });
          },
          py::arg("name"))
      .def("set", [](mmf::named_event& e) { guarded([&] { e.set(); }); })
      .def("reset", [](mmf::named_event& e) { guarded([&] { e.reset(); }); })
      .def(
          "wait",
          [](mmf::named_event& e) {
            guarded([&] {
              wait_in_slices(std::nullopt,
                             [&](std::chrono::nanoseconds slice) { return e.wait_for_ns(slice); });
            });
          },
          "Waits until the event is set.")
      .def(
          "wait_for",
          [](mmf::named_event& e, double seconds) {
            return guarded([&] {
              return wait_in_slices(to_timeout(seconds), [&](std::chrono::nanoseconds slice) {
                return e.wait_for_ns(slice);
              });
            });
          },
          py::arg("seconds"), "Waits at most `seconds`; returns whether the event was set.");

  py::class_<mmf::named_semaphore>(m, "NamedSemaphore", "A counting semaphore shared by name.")
      .def_static(
          "create_or_open",
          [](const std::string& name, std::uint32_t initial_count, std::uint32_t maximum_count) {
            return guarded([&] {
              return mmf::named_semaphore::create_or_open(name, initial_count, maximum_count);
            });
          },
          py::arg("name"), py::arg("initial_count"), py::arg("maximum_count"))
      .def_static(
          "open_existing",
          [](const std::string& name) {
            return guarded([&] { return mmf::named_semaphore::open_existing(name); });
          },
          py::arg("name"))
      .def(
          "release",
          [](mmf::named_semaphore& s, std::uint32_t count) {
            return guarded([&] { return s.release(count); });
          },
          py::arg("count") = 1, "Adds `count`; returns the previous count.")
      .def(
          "acquire",
          [](mmf::named_semaphore& s, std::optional<double> timeout) {
            return guarded([&] {
              return wait_in_slices(to_timeout(timeout), [&](std::chrono::nanoseconds slice) {
                return s.try_acquire_for_ns(slice);
              });
            });
          },
          py::arg("timeout") = py::none(),
          "Takes one (timeout in seconds; None: forever); returns whether it did.");

  py::class_<py_send_loan>(m, "SendLoan", py::buffer_protocol(),
                           "A slot of a MessageQueue to fill in place (memoryview(loan) is "
                           "writable), then publish(length) or cancel(). `with` cancels it "
                           "unless it was published.")
      .def_buffer([](py_send_loan& l) {
        return py::buffer_info(l.bytes.data(), 1, py::format_descriptor<std::uint8_t>::format(), 1,
                               {static_cast<py::ssize_t>(l.bytes.size())}, {py::ssize_t{1}},
                               /*readonly=*/false);
      })
      .def(
          "publish",
          [](py_send_loan& l, std::size_t length) { guarded([&] { l.loan.publish(length); }); },
          py::arg("length"),
          "Sends the first `length` bytes as a message (IndexError if longer than the slot).")
      .def(
          "cancel", [](py_send_loan& l) { l.loan.cancel(); }, "Gives the slot back unsent.")
      .def_property_readonly("published_or_cancelled",
                             [](const py_send_loan& l) { return !l.loan; })
      .def("__len__", [](const py_send_loan& l) { return l.bytes.size(); })
      .def("__enter__", [](py_send_loan& l) -> py_send_loan& { return l; })
      .def("__exit__", [](py_send_loan& l, const py::args&) { l.loan.cancel(); });

  py::class_<py_received_message>(m, "ReceivedMessage", py::buffer_protocol(),
                                  "A message read in place (memoryview(message) is read-only); "
                                  "release() (or leaving `with`) frees its slot for senders.")
      .def_buffer([](py_received_message& r) {
        return py::buffer_info(const_cast<std::byte*>(r.bytes.data()), 1,
                               py::format_descriptor<std::uint8_t>::format(), 1,
                               {static_cast<py::ssize_t>(r.bytes.size())}, {py::ssize_t{1}},
                               /*readonly=*/true);
      })
      .def(
          "release", [](py_received_message& r) { r.message.release(); },
          "Frees the slot (the bytes may then be overwritten by senders).")
      .def("__len__", [](const py_received_message& r) { return r.bytes.size(); })
      .def("__bytes__",
           [](const py_received_message& r) {
             return py::bytes(reinterpret_cast<const char*>(r.bytes.data()), r.bytes.size());
           })
      .def("__enter__", [](py_received_message& r) -> py_received_message& { return r; })
      .def("__exit__", [](py_received_message& r, const py::args&) { r.message.release(); });

  py::class_<mmf::message_queue>(
      m, "MessageQueue",
      "A queue of messages (bytes) shared by name between processes: many senders, many "
      "receivers, first in first out. It lives while a process holds it (also after SIGKILL).")
      .def_static(
          "create_new",
          [](const std::string& name, std::size_t max_messages, std::size_t max_message_size) {
            return guarded([&] {
              return mmf::message_queue::create_new(name, max_messages, max_message_size);
            });
          },
          py::arg("name"), py::arg("max_messages"), py::arg("max_message_size"),
          "Creates the queue. FileExistsError if it exists; ValueError for a bad name or size 0.")
      .def_static(
          "create_or_open",
          [](const std::string& name, std::size_t max_messages, std::size_t max_message_size) {
            return guarded([&] {
              return mmf::message_queue::create_or_open(name, max_messages, max_message_size);
            });
          },
          py::arg("name"), py::arg("max_messages"), py::arg("max_message_size"),
          "Opens the queue, or creates it with these sizes (an opened queue keeps its own).")
      .def_static(
          "open_existing",
          [](const std::string& name) {
            return guarded([&] { return mmf::message_queue::open_existing(name); });
          },
          py::arg("name"), "Opens a live queue. FileNotFoundError if there is none.")
      .def(
          "send",
          [](mmf::message_queue& q, const py::buffer& data, std::optional<double> timeout) {
            const message_bytes b = bytes_of(data);
            return guarded([&] {
              return wait_in_slices(to_timeout(timeout), [&](std::chrono::nanoseconds slice) {
                return q.send_for(b.bytes(), slice);
              });
            });
          },
          py::arg("data"), py::arg("timeout") = py::none(),
          "Sends `data` (any bytes-like object), waiting while the queue is full (timeout in "
          "seconds; None: forever). Returns whether it was sent. IndexError if longer than "
          "max_message_size (nothing sent).")
      .def(
          "try_send",
          [](mmf::message_queue& q, const py::buffer& data) {
            const message_bytes b = bytes_of(data);
            return guarded([&] { return q.try_send(b.bytes()); });
          },
          py::arg("data"), "Sends `data` if there is room now; returns whether it did.")
      .def(
          "receive",
          [](py::object self, std::optional<double> timeout) -> py::object {
            auto& q = self.cast<mmf::message_queue&>();
            mmf::message_queue::received_message got;
            guarded([&] {
              wait_in_slices(to_timeout(timeout), [&](std::chrono::nanoseconds slice) {
                got = q.receive_in_place_for(slice);
                return static_cast<bool>(got);
              });
            });
            if (!got) return py::none();
            const auto b = got.bytes();
            py::bytes out(reinterpret_cast<const char*>(b.data()), b.size());
            got.release();
            return out;
          },
          py::arg("timeout") = py::none(),
          "The next message as bytes, waiting while the queue is empty (timeout in seconds; "
          "None: forever); None on timeout.")
      .def(
          "try_receive",
          [](mmf::message_queue& q) -> py::object {
            mmf::message_queue::received_message got =
                guarded([&] { return q.try_receive_in_place(); });
            if (!got) return py::none();
            const auto b = got.bytes();
            py::bytes out(reinterpret_cast<const char*>(b.data()), b.size());
            got.release();
            return out;
          },
          "The next message as bytes if one is waiting now, else None.")
      .def(
          "send_for",
          [](mmf::message_queue& q, const py::buffer& data, double seconds) {
            const message_bytes b = bytes_of(data);
            return guarded([&] {
              return wait_in_slices(to_timeout(seconds), [&](std::chrono::nanoseconds slice) {
                return q.send_for(b.bytes(), slice);
              });
            });
          },
          py::arg("data"), py::arg("seconds"),
          "Sends `data`, waiting at most `seconds` for room; returns whether it was sent.")
      .def(
          "receive_for",
          [](py::object self, double seconds) {
            return self.attr("receive")(py::arg("timeout") = seconds);
          },
          py::arg("seconds"), "The next message, waiting at most `seconds`; None on timeout.")
      .def(
          "loan",
          [](py::object self, std::optional<double> timeout) -> py::object {
            auto& q = self.cast<mmf::message_queue&>();
            mmf::message_queue::send_loan got;
            guarded([&] {
              wait_in_slices(to_timeout(timeout), [&](std::chrono::nanoseconds slice) {
                got = q.loan_for(slice);
                return static_cast<bool>(got);
              });
            });
            if (!got) return py::none();
            const auto b = got.buffer();
            return py::cast(py_send_loan{std::move(got), b, self});
          },
          py::arg("timeout") = py::none(),
          "Zero-copy send: a SendLoan of max_message_size bytes to fill in place, then publish; "
          "waits while the queue is full; None on timeout.")
      .def(
          "receive_in_place",
          [](py::object self, std::optional<double> timeout) -> py::object {
            auto& q = self.cast<mmf::message_queue&>();
            mmf::message_queue::received_message got;
            guarded([&] {
              wait_in_slices(to_timeout(timeout), [&](std::chrono::nanoseconds slice) {
                got = q.receive_in_place_for(slice);
                return static_cast<bool>(got);
              });
            });
            if (!got) return py::none();
            const auto b = got.bytes();
            return py::cast(py_received_message{std::move(got), b, self});
          },
          py::arg("timeout") = py::none(),
          "Zero-copy receive: the next message as a ReceivedMessage (numpy.frombuffer works on "
          "it) until released; None on timeout.")
      .def(
          "size", [](const mmf::message_queue& q) { return guarded([&] { return q.size(); }); },
          "Messages waiting now (a snapshot).")
      .def("__len__", [](const mmf::message_queue& q) { return guarded([&] { return q.size(); }); })
      .def_property_readonly("max_messages", &mmf::message_queue::max_messages)
      .def_property_readonly("max_message_size", &mmf::message_queue::max_message_size)
      .def_property_readonly("name",
                             [](const mmf::message_queue& q) { return std::string(q.name()); });

  py::class_<mmf::object_info>(m, "ObjectInfo", "A named object, as list_objects reports it.")
      .def_readonly("name", &mmf::object_info::name)
      .def_readonly("size", &mmf::object_info::size)
      .def_readonly("holders", &mmf::object_info::holders)
      .def_readonly("live", &mmf::object_info::live)
      .def_readonly("queue_depth", &mmf::object_info::queue_depth,
                    "A queue's messages waiting (0 for other kinds).")
      .def_property_readonly("kind", [](const mmf::object_info& o) {
        switch (o.kind) {
          case mmf::object_kind::map:
            return "map";
          case mmf::object_kind::persisted_map:
            return "persisted_map";
          case mmf::object_kind::mutex:
            return "mutex";
          case mmf::object_kind::event:
            return "event";
          case mmf::object_kind::semaphore:
            return "semaphore";
          case mmf::object_kind::queue:
            return "queue";
        }
        return "unknown";
      });
  // For the tests: raises what an mmf error of the errno-like portable condition `number` raises.
  m.def(
      "_raise_error",
      [](int number, const std::string& what) {
        raise_for(std::system_error(std::error_code(number, std::generic_category()), what));
      },
      py::arg("number"), py::arg("what"));
  m.def(
      "list_objects",
      [](bool include_global) {
        return guarded([&] { return mmf::list_objects(include_global); });
      },
      py::arg("include_global") = false, "The current user's named objects.");
  m.def(
      "remove_stale_objects", [] { return guarded([] { return mmf::remove_stale_objects(); }); },
      "Removes the current user's stale objects; returns them.");
}
