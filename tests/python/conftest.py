"""Shared helpers of the Python tests: unique object names, the C++ test helper process, and
Python child processes."""
import itertools
import os
import queue
import subprocess
import sys
import threading

import pytest

_counter = itertools.count()


@pytest.fixture
def name():
    """A name no other test (or run) uses: objects of one test never meet another's."""
    return f"pytest_{os.getpid()}_{next(_counter)}"


class Child:
    """A child process with line-based stdin/stdout pipes; killed and reaped when the test ends."""

    def __init__(self, argv, env=None):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1, env=env)
        self._lines = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)  # end of file

    def read_line(self, timeout=10.0):
        """The child's next line; None at end of file or when `timeout` seconds pass first."""
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def write_line(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait(self, timeout=10):
        return self.proc.wait(timeout)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self._reader.join(10)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe:
                pipe.close()


@pytest.fixture
def spawn():
    """spawn(argv) starts a Child; every child is gone when the test ends."""
    children = []

    def start(argv, env=None):
        child = Child(argv, env)
        children.append(child)
        return child

    yield start
    for child in children:
        child.close()


@pytest.fixture
def helper(spawn):
    """helper(*args) starts the C++ test helper (tests/helper) with a command."""
    path = os.environ.get("MMF_TEST_HELPER")
    if not path:
        pytest.skip("MMF_TEST_HELPER is not set (ctest sets it)")
    return lambda *args: spawn([path, *args])


@pytest.fixture
def mmf_tool():
    """The path of the `mmf` command-line tool (a C++ process), from ctest's environment."""
    path = os.environ.get("MMF_TOOL")
    if not path:
        pytest.skip("MMF_TOOL is not set (ctest sets it where the tool is built)")
    return path


@pytest.fixture
def python_child(spawn):
    """python_child(code) runs `code` in a new Python process that imports mmf."""
    return lambda code: spawn([sys.executable, "-c", code], env=dict(os.environ))


@pytest.fixture(autouse=True, scope="session")
def sweep_what_killed_children_left():
    """A child killed with SIGKILL (a test that failed, or one that kills on purpose) leaves its
    objects' files behind, stale; sweep them after the suite, as `mmf gc` would."""
    yield
    import mmf
    mmf.remove_stale_objects()
