"""The Python module against the C++ library: maps and events shared with a C++ process both
ways, zero-copy numpy views, lifetimes after SIGKILL, abandonment, exceptions, Ctrl-C."""
import errno
import os
import sys
import signal
import tempfile
import time

import numpy as np
import pytest

import mmf


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return predicate()
        time.sleep(0.005)
    return True


def test_version_is_the_librarys():
    major, minor, patch = (int(part) for part in mmf.__version__.split("."))
    assert major >= 0 and minor >= 0 and patch >= 0


def test_map_shared_with_a_cpp_process_both_ways(name, helper):
    m = mmf.MemoryMappedFile.create_new(name, 4096)
    values = np.frombuffer(m.create_view_accessor(), dtype=np.uint64)
    values[0] = 0x1122334455667788
    cpp = helper("map_open", name)
    assert cpp.read_line() == "ready 4096"
    cpp.write_line("read 0")
    assert cpp.read_line() == f"value {0x1122334455667788}"
    cpp.write_line("write 8 987654321")
    assert cpp.read_line() == "ok"
    assert values[1] == 987654321
    cpp.write_line("quit")
    assert cpp.wait() == 0


def test_map_created_in_cpp_opened_in_python(name, helper):
    cpp = helper("map_create", name, "8192")
    assert cpp.read_line() == "ready 8192"
    cpp.write_line("write 16 42")
    assert cpp.read_line() == "ok"
    m = mmf.MemoryMappedFile.open_existing(name)
    assert m.capacity == 8192
    assert np.frombuffer(m.create_view_accessor(), dtype=np.uint64)[2] == 42
    cpp.write_line("quit")
    assert cpp.wait() == 0


def test_event_shared_with_a_cpp_process_both_ways(name, helper):
    event = mmf.NamedEvent.create_or_open(name, mmf.EventReset.manual)
    waiter = helper("event_wait", name, "10000")
    assert waiter.read_line() == "waiting"
    event.set()
    assert waiter.read_line() == "signaled"
    assert waiter.wait() == 0
    event.reset()
    assert not event.wait_for(0)
    setter = helper("event_set_after", name, "20")
    assert setter.read_line() == "ready"
    assert event.wait_for(10)
    assert setter.wait() == 0


def test_numpy_views_are_zero_copy_round_trips(name):
    m = mmf.MemoryMappedFile.create_new(name, 1 << 16)
    a = np.frombuffer(m.create_view_accessor(), dtype=np.float64)
    b = np.frombuffer(m.create_view_accessor(4096, 4096), dtype=np.float64)
    assert a.flags.writeable and len(a) == (1 << 16) // 8
    a[:] = np.arange(len(a), dtype=np.float64)
    assert b[0] == 512.0 and b[-1] == 1023.0  # another view of the same pages
    b[1] = -1.5
    assert a[513] == -1.5
    mv = memoryview(m.create_view_accessor(0, 16))
    assert mv.nbytes == 16 and not mv.readonly
    mv[0] = 0xFF
    assert np.frombuffer(m.create_view_accessor(0, 8), dtype=np.uint8)[0] == 0xFF


def test_read_only_views_are_read_only_buffers(name):
    m = mmf.MemoryMappedFile.create_new(name, 4096)
    view = m.create_view_accessor(0, 0, mmf.Access.read)
    assert not view.can_write
    assert memoryview(view).readonly
    values = np.frombuffer(view, dtype=np.uint8)
    with pytest.raises(ValueError):
        values[0] = 1


def test_a_file_mapped_from_python(name):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "data.bin")
        m = mmf.MemoryMappedFile.create_from_file(path, mmf.FileMode.create_new, "", 10000)
        view = m.create_view_accessor()
        np.frombuffer(view, dtype=np.uint8)[9999] = 7
        view.flush()
        del view, m
        with open(path, "rb") as f:
            data = f.read()
        assert len(data) == 10000 and data[9999] == 7


def test_a_killed_python_holder_takes_its_map_with_it(name, python_child):
    child = python_child(
        "import mmf, sys, time\n"
        f"m = mmf.MemoryMappedFile.create_new({name!r}, 4096)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n")
    assert child.read_line() == "ready"
    assert mmf.MemoryMappedFile.open_existing(name).capacity == 4096
    os.kill(child.proc.pid, signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL

    def gone():
        try:
            mmf.MemoryMappedFile.open_existing(name)
            return False
        except FileNotFoundError:
            return True

    assert wait_until(gone)


def test_abandonment_is_visible(name, python_child):
    mutex = mmf.NamedMutex.create_or_open(name)
    child = python_child(
        "import mmf, os\n"
        f"m = mmf.NamedMutex.open_existing({name!r})\n"
        "assert m.acquire() == mmf.LockStatus.acquired\n"
        "print('locked', flush=True)\n"
        "os._exit(0)\n")
    assert child.read_line() == "locked"
    assert child.wait() == 0
    with mutex:
        assert mutex.owned_after_abandonment
    assert mutex.acquire(1.0) == mmf.LockStatus.acquired
    assert not mutex.owned_after_abandonment
    mutex.release()


def test_semaphore_counts(name):
    s = mmf.NamedSemaphore.create_or_open(name, 1, 2)
    assert s.acquire(0)
    assert not s.acquire(0.01)
    assert s.release() == 0
    assert s.acquire(None)


@pytest.mark.parametrize("make, error", [
    (lambda n: mmf.MemoryMappedFile.open_existing(n), FileNotFoundError),
    (lambda n: mmf.NamedEvent.open_existing(n), FileNotFoundError),
    (lambda n: mmf.NamedMutex.open_existing(n), FileNotFoundError),
    (lambda n: mmf.NamedSemaphore.open_existing(n), FileNotFoundError),
    (lambda n: mmf.MemoryMappedFile.create_new(n + "/bad", 4096), ValueError),
    (lambda n: mmf.MemoryMappedFile.create_new(n, 0), ValueError),
    (lambda n: mmf.NamedSemaphore.create_or_open(n, 3, 2), ValueError),
    (lambda n: mmf.NamedEvent.create_or_open(n, mmf.EventReset.manual).wait_for(-1), ValueError),
])
def test_errors_raise_their_python_exception(name, make, error):
    with pytest.raises(error) as raised:
        make(name)
    if error is FileNotFoundError:
        assert name in str(raised.value)  # the message names the object


def test_errors_of_existing_objects(name):
    m = mmf.MemoryMappedFile.create_new(name, 4096, mmf.Access.read)
    with pytest.raises(FileExistsError, match=name):
        mmf.MemoryMappedFile.create_new(name, 4096)
    with pytest.raises(PermissionError, match=name):
        mmf.MemoryMappedFile.open_existing(name, mmf.Access.read_write)
    with pytest.raises(IndexError):
        m.create_view_accessor(8192, 0, mmf.Access.read)
    mutex = mmf.NamedMutex.create_or_open(name + "_m")
    with pytest.raises(PermissionError):
        mutex.release()  # not owned
    with pytest.raises(FileNotFoundError):
        mmf.MemoryMappedFile.create_from_file("/nonexistent-folder-of-mmf/x", mmf.FileMode.open)


def test_list_objects_shows_live_objects(name):
    m = mmf.MemoryMappedFile.create_new(name, 4096)
    e = mmf.NamedEvent.create_or_open(name + "_e", mmf.EventReset.automatic)
    found = {o.name: o for o in mmf.list_objects()}
    assert found[name].kind == "map" and found[name].live and found[name].size == 4096
    assert found[name + "_e"].kind == "event"
    assert all(o.name not in (name, name + "_e") for o in mmf.remove_stale_objects())
    del m, e


@pytest.mark.parametrize("wait", [
    "mmf.NamedEvent.create_or_open(NAME, mmf.EventReset.manual).wait()",
    "mmf.NamedEvent.create_or_open(NAME, mmf.EventReset.manual).wait_for(60)",
    "mmf.NamedSemaphore.create_or_open(NAME, 0, 1).acquire()",
    "m = mmf.NamedMutex.create_or_open(NAME); m.acquire()",
])
def test_waits_are_interrupted_by_ctrl_c(name, python_child, wait):
    holder = None
    if "NamedMutex" in wait:  # a mutex someone else holds
        holder = mmf.NamedMutex.create_or_open(name, True)
    child = python_child(
        "import mmf, threading\n"
        f"NAME = {name!r}\n"
        "try:\n"
        "    print('waiting', flush=True)\n"
        f"    {wait}\n"
        "    print('returned', flush=True)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n")
    assert child.read_line() == "waiting"
    time.sleep(0.2)  # inside the wait
    os.kill(child.proc.pid, signal.SIGINT)
    assert child.read_line() == "interrupted"
    assert child.wait() == 0
    if holder:
        holder.release()


def test_waits_release_the_gil(name):
    import threading
    event = mmf.NamedEvent.create_or_open(name, mmf.EventReset.automatic)
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    assert not event.wait_for(0.3)  # Python threads run meanwhile
    stop.set()
    t.join()
    assert len(ticks) > 10


def test_the_readme_example_reads_the_cpp_examples_map(spawn):
    """examples/demo_open_existing.py (the README's Python example) against demo_create_new."""
    examples = os.environ.get("MMF_EXAMPLES_DIR")
    if not examples:
        pytest.skip("MMF_EXAMPLES_DIR is not set (ctest sets it)")
    writer = spawn([os.path.join(examples, "demo_create_new")])
    written = mmf.NamedEvent.create_or_open("Demo.written", mmf.EventReset.manual)
    assert written.wait_for(10)
    script = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "demo_open_existing.py")
    reader = spawn([sys.executable, script], env=dict(os.environ))
    assert reader.read_line() == "12345"
    assert reader.wait() == 0
    assert writer.wait() == 0


def test_grow_is_seen_by_another_handle(name):
    m = mmf.MemoryMappedFile.create_new(name, 4096)
    other = mmf.MemoryMappedFile.open_existing(name)
    old = np.frombuffer(m.create_view_accessor(), dtype=np.uint8)
    old[4095] = 9
    m.grow(8192)
    assert m.capacity == 8192 and len(old) == 4096
    assert other.refresh_capacity() == 8192
    grown = np.frombuffer(other.create_view_accessor(), dtype=np.uint8)
    assert grown[4095] == 9 and len(grown) == 8192
    with pytest.raises(ValueError):
        m.grow(100)


@pytest.mark.parametrize("number, error", [
    (errno.ENOENT, FileNotFoundError),
    (errno.EEXIST, FileExistsError),
    (errno.EACCES, PermissionError),
    (errno.EPERM, PermissionError),
    (errno.EINVAL, ValueError),
    (errno.ERANGE, IndexError),
    (errno.EOVERFLOW, IndexError),
    (errno.ENOMEM, MemoryError),
    (errno.ETIMEDOUT, TimeoutError),
    (errno.EOPNOTSUPP, NotImplementedError),
    (errno.ENOSPC, OSError),
    (errno.EIO, OSError),
])
def test_every_condition_has_its_exception(number, error):
    """The table of the README's Python section, row by row (the rows that no safe call can
    provoke here, such as not_enough_memory, included)."""
    with pytest.raises(error, match="op \"x\"") as raised:
        mmf._raise_error(number, 'op "x"')
    assert type(raised.value) is error or error is OSError
    if isinstance(raised.value, OSError):
        assert raised.value.errno == number


# ---- Message queues ------------------------------------------------------------------------------

def test_queue_round_trip_fifo_and_sizes(name):
    q = mmf.MessageQueue.create_new(name, 3, 16)
    assert (q.max_messages, q.max_message_size, q.name, len(q)) == (3, 16, name, 0)
    assert q.send(b"one") and q.try_send(bytearray(b"two")) and q.send_for(memoryview(b""), 0)
    assert not q.try_send(b"full") and not q.send(b"full", timeout=0.01)
    assert q.size() == 3
    assert [q.receive(), q.try_receive(), q.receive_for(1.0)] == [b"one", b"two", b""]
    assert q.try_receive() is None and q.receive(timeout=0.01) is None
    other = mmf.MessageQueue.open_existing(name)
    assert (other.max_messages, other.max_message_size) == (3, 16)
    assert mmf.MessageQueue.create_or_open(name, 99, 99).max_messages == 3
    other.send(np.arange(4, dtype=np.uint32))  # any C-contiguous buffer is one message
    assert np.array_equal(np.frombuffer(q.receive(), dtype=np.uint32), np.arange(4))


def test_queue_errors(name):
    with pytest.raises(FileNotFoundError, match=name):
        mmf.MessageQueue.open_existing(name)
    with pytest.raises(ValueError):
        mmf.MessageQueue.create_new(name, 0, 16)
    with pytest.raises(ValueError):
        mmf.MessageQueue.create_new(name + "/x", 4, 16)
    q = mmf.MessageQueue.create_new(name, 2, 4)
    with pytest.raises(FileExistsError, match=name):
        mmf.MessageQueue.create_new(name, 2, 4)
    with pytest.raises(IndexError, match=name):  # value_too_large: nothing sent
        q.send(b"12345")
    assert len(q) == 0
    with pytest.raises(ValueError):
        q.send(np.zeros((4, 4), dtype=np.uint8)[:, 1])  # not contiguous
    with pytest.raises(ValueError):
        q.receive(timeout=-1)


def test_queue_zero_copy_loans_and_in_place_receives(name):
    q = mmf.MessageQueue.create_new(name, 4, 64)
    loan = q.loan()
    assert len(loan) == 64
    np.frombuffer(loan, dtype=np.uint8)[:8] = np.arange(8, dtype=np.uint8)
    loan.publish(8)
    with pytest.raises(IndexError):
        q.loan().publish(65)  # longer than the slot: the loan stays (and is cancelled by del)
    with q.loan() as cancelled:
        memoryview(cancelled)[0] = 99  # never published: cancelled on leaving `with`
    # The message and two cancelled positions behind it, until the head steps over them.
    assert len(q) == 3
    with q.receive_in_place() as message:
        view = np.frombuffer(message, dtype=np.uint8)
        assert list(view) == list(range(8)) and not view.flags.writeable
        assert bytes(message) == bytes(range(8))
    assert q.receive_in_place(timeout=0.01) is None and len(q) == 0


def test_queue_shared_with_a_cpp_process_both_ways(name, mmf_tool):
    import subprocess
    q = mmf.MessageQueue.create_new(name, 4, 256)
    q.send(b"from python")
    r = subprocess.run([mmf_tool, "receive", name, "--timeout", "10s"], capture_output=True,
                       timeout=60)
    assert (r.returncode, r.stdout) == (0, b"from python\n"), r.stderr
    r = subprocess.run([mmf_tool, "send", name, "--hex", "00ff10"], capture_output=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert q.receive(timeout=10) == b"\x00\xff\x10"
    (info,) = [o for o in mmf.list_objects() if o.name == name]
    assert info.kind == "queue" and info.queue_depth == 0


def test_a_killed_python_holder_takes_its_queue_with_it(name, python_child):
    child = python_child(
        "import mmf, time\n"
        f"q = mmf.MessageQueue.create_new({name!r}, 4, 8)\n"
        "q.send(b'left')\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n")
    assert child.read_line() == "ready"
    assert mmf.MessageQueue.open_existing(name).receive(timeout=5) == b"left"
    os.kill(child.proc.pid, signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL

    def gone():
        try:
            mmf.MessageQueue.open_existing(name)
            return False
        except FileNotFoundError:
            return True

    assert wait_until(gone)


@pytest.mark.parametrize("wait", [
    "mmf.MessageQueue.create_or_open(NAME, 1, 8).receive()",
    "q = mmf.MessageQueue.create_or_open(NAME, 1, 8); q.send(b'x'); q.send(b'y')",
])
def test_queue_waits_are_interrupted_by_ctrl_c(name, python_child, wait):
    child = python_child(
        "import mmf\n"
        f"NAME = {name!r}\n"
        "try:\n"
        "    print('waiting', flush=True)\n"
        f"    {wait}\n"
        "    print('returned', flush=True)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n")
    assert child.read_line() == "waiting"
    time.sleep(0.2)
    os.kill(child.proc.pid, signal.SIGINT)
    assert child.read_line() == "interrupted"
    assert child.wait() == 0
