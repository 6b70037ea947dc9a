#!/usr/bin/env python3
"""End-to-end tests of the `mmf` command-line tool: they run the real binary.

Usage: cli_test.py --mmf PATH/TO/mmf [TestClass ...]    (python3 standard library only)

Every test class works in a private shared-memory directory ($MMF_SHM_DIR) with names unique to
this run, so tests neither see nor disturb other objects, and removes it afterwards.
"""

import hashlib
import itertools
import json
import mmap
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import unittest

MMF = None  # set from --mmf
_counter = itertools.count()


def unique(prefix="clitest"):
    return f"{prefix}{os.getpid()}_{next(_counter)}"


class CliCase(unittest.TestCase):
    """Helpers: run the tool, assert exit codes and messages, hold maps in background processes."""

    def setUp(self):
        base = "/dev/shm" if os.path.isdir("/dev/shm") else None
        self.shm_dir = tempfile.mkdtemp(prefix="mmf-cli-shm-", dir=base)
        self.tmp = tempfile.mkdtemp(prefix="mmf-cli-")
        self.env = dict(os.environ, MMF_SHM_DIR=self.shm_dir)
        self.env.pop("MMF_BENCH", None)
        self.env.pop("MMF_DEMO", None)
        self.holders = []

    def tearDown(self):
        for p in self.holders:
            if p.poll() is None:
                p.kill()
            p.wait()
            p.stdout.close()
            p.stderr.close()
        shutil.rmtree(self.shm_dir, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_mmf(self, *args, env=None, timeout=60, **kw):
        return subprocess.run([MMF, *args], env=env or self.env, capture_output=True, text=True,
                              timeout=timeout, **kw)

    def ok(self, *args, **kw):
        r = self.run_mmf(*args, **kw)
        self.assertEqual(r.returncode, 0, f"mmf {' '.join(args)}\nstdout: {r.stdout}\nstderr: {r.stderr}")
        return r

    def exits(self, code, args, fragments):
        """The command exits with `code` and says every fragment on stderr."""
        r = self.run_mmf(*args)
        self.assertEqual(r.returncode, code, f"mmf {args}: stdout {r.stdout!r} stderr {r.stderr!r}")
        for f in fragments:
            self.assertIn(f, r.stderr, f"mmf {args}")
        return r

    def usage(self, args, *fragments):
        """The command is a usage error: exit 2, a message with every fragment, nothing on stdout."""
        r = self.exits(2, args, fragments)
        self.assertIn("--help", r.stderr)
        self.assertEqual(r.stdout, "")
        return r

    def fails(self, args, *fragments):
        return self.exits(1, args, fragments)

    def hold(self, name, size="4KiB", env=None, command=None):
        """Starts `mmf create NAME SIZE --hold` (or `command`) and waits for its "ready NAME" line."""
        p = subprocess.Popen(command or [MMF, "create", name, size, "--hold"], env=env or self.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.holders.append(p)
        ready, _, _ = select.select([p.stdout], [], [], 30)
        self.assertTrue(ready, "no ready line within 30 s")
        line = p.stdout.readline()
        self.assertEqual(line, f"ready {name}\n", f"stderr: {p.stderr.read() if p.poll() is not None else ''}")
        return p

    def file_with(self, data, name="data.bin"):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def listed(self, *extra):
        return json.loads(self.ok("list", "--json", *extra).stdout)

    def find(self, name):
        return [o for o in self.listed() if o["name"] == name]


class Usage(CliCase):
    """Every usage error exits 2 with a message naming the argument and the cause."""

    def test_help_of_every_command_has_examples(self):
        for cmd in ["list", "create", "dump", "write", "copy", "fill", "gc", "path", "demo", "bench"]:
            r = self.ok(cmd, "--help")
            self.assertIn("Examples:", r.stdout, cmd)
            self.assertIn(f"mmf {cmd}", r.stdout, cmd)
        r = self.ok("--help")
        for cmd in ["list", "create", "dump", "write", "copy", "fill", "gc", "path", "demo", "bench"]:
            self.assertIn(cmd, r.stdout)
        self.assertIn("Exit codes", r.stdout)
        self.assertIn("WITHOUT --hold", self.ok("create", "--help").stdout)

    def test_version(self):
        self.assertRegex(self.ok("--version").stdout, r"^mmf \d+\.\d+\.\d+")

    def test_command_line_shape(self):
        self.usage([], "A subcommand is required")
        self.usage(["frob"], 'unknown command "frob"', "list, create")
        self.usage(["list", "--bogus"], "--bogus")
        self.usage(["gc", "extra"], "extra")
        self.usage(["create", "x"], "SIZE is required")
        self.usage(["create"], "NAME is required")
        self.usage(["path"], "NAME is required")
        self.usage(["copy", "a"], "DST is required")
        self.usage(["fill", "x"], "--byte is required")
        self.usage(["write", "x", "0", "--text", "a", "--text", "b"], "--text")

    def test_sizes_are_parsed_strictly(self):
        name = unique()
        cases = {
            "-1": '"-1" is negative',
            "abc": '"abc" is not a number',
            "12abc": 'unknown unit "abc"',
            "64k": 'unknown unit "k"',
            "1.5MiB": "not a whole number",
            "18446744073709551616": "too large",
            "16EiB": "too large",
            "0x": "is not a number",
            "": "is empty",
            "+5": "is not a number",
        }
        for text, fragment in cases.items():
            with self.subTest(size=text):
                self.usage(["create", name, text], "SIZE", fragment)
        self.usage(["create", name, "0"], "SIZE must be at least 1 byte")

    def test_map_names_are_checked(self):
        for bad in ["", "a/b", ".", "..", "x" * 201, "Local\\a\\b"]:
            with self.subTest(name=bad):
                self.usage(["create", bad, "4KiB"], "is not a valid map name")
        self.usage(["path", "a/b"], 'NAME "a/b" is not a valid map name')
        self.usage(["dump", ".."], 'NAME ".." is not a valid map name')
        self.usage(["copy", "map:a/b", os.path.join(self.tmp, "o")], 'SRC "a/b"')
        self.usage(["copy", self.file_with(b"x"), "map:"], 'DST ""')

    def test_dump_usage(self):
        path = self.file_with(bytes(100))
        self.usage(["dump"], "give a map NAME or --file PATH")
        self.usage(["dump", "x", "--file", path], "not both")
        self.usage(["dump", "--file", path, "--format", "bogus"], '--format "bogus" is not one of',
                   "hex", "f64")
        self.usage(["dump", "--file", path, "--offset", "x1"], '--offset "x1" is not a number')
        self.usage(["dump", "--file", path, "--offset=-1"], '--offset "-1" is negative')
        self.usage(["dump", "--file", path, "--length", "1x"], '--length "1x" has an unknown unit')
        self.usage(["dump", "--file", path, "--offset", "101"],
                   "--offset 101 is past the end of file", "(100 bytes)")
        self.usage(["dump", "--file", path, "--offset", "99999999999999999999"], "too large")

    def test_write_usage(self):
        path = self.file_with(bytes(16))
        self.usage(["write", "--file", path, "0"], "give the value to write")
        self.usage(["write", "--file", path, "0", "--u8", "1", "--u16", "2"],
                   "give one value to write, not --u8 and --u16")
        self.usage(["write", "--file", path, "--u8", "1"], "give the OFFSET")
        self.usage(["write", "x", "--u8", "1"], "give the OFFSET")
        self.usage(["write", "--u8", "1"], "give a map NAME (or --file PATH) and an OFFSET")
        self.usage(["write", "x", "0", "--file", path, "--u8", "1"], "not both")
        self.usage(["write", "--file", path, "zz", "--u8", "1"], 'OFFSET "zz" is not a number')
        self.usage(["write", "--file", path, "-1", "--u8", "1"], 'OFFSET "-1" is negative')
        self.usage(["write", "--file", path, "0", "--text", ""], "--text is empty")
        values = [
            ("--u8", "256", "out of range (expected 0 to 255)"),
            ("--u8", "-1", "is negative"),
            ("--u16", "65536", "out of range (expected 0 to 65535)"),
            ("--u32", "4294967296", "out of range"),
            ("--u64", "18446744073709551616", "too large"),
            ("--i8", "-129", "out of range (expected -128 to 127)"),
            ("--i16", "32768", "out of range"),
            ("--i32", "2147483648", "out of range"),
            ("--i64", "-9223372036854775809", "out of range"),
            ("--u32", "1KiB", "is not a number"),
            ("--u32", "12x", "is not a number"),
            ("--f32", "1e39", "out of range for this floating-point type"),
            ("--f64", "1.5.2", "is not a floating-point number"),
            ("--hex", "abc", "odd number of hex digits"),
            ("--hex", "zz", 'non-hex character "z"'),
        ]
        for option, text, fragment in values:
            with self.subTest(option=option, value=text):
                self.usage(["write", "--file", path, "0", f"{option}={text}"], f"{option} value",
                           fragment)
        self.usage(["write", "--file", path, "13", "--u32", "1"],
                   "4 bytes at offset 13 run past the end of file", "(16 bytes)")
        self.usage(["write", "--file", path, "17", "--u8", "1"], "OFFSET 17 is past the end")
        with open(path, "rb") as f:
            self.assertEqual(f.read(), bytes(16), "a refused write changed nothing")

    def test_copy_usage(self):
        src = self.file_with(bytes(range(100)), "src.bin")
        dst = os.path.join(self.tmp, "dst.bin")
        self.usage(["copy", src, dst, "--length", "101"], "101 bytes at offset 0 run past the end")
        self.usage(["copy", src, dst, "--src-offset", "101"], "--src-offset 101 is past the end")
        self.usage(["copy", src, dst, "--dst-offset", "-3"], '--dst-offset "-3" is negative')
        self.usage(["copy", src, dst, "--dst-offset", "18446744073709551615"], "past 2^64 - 1")
        self.usage(["copy", src, src, "--dst-offset", "10"], "ranges overlap")
        self.usage(["copy", "file:", dst], 'SRC "file:" has no file path')
        self.assertFalse(os.path.exists(dst), "a refused copy created nothing")
        name = unique()
        self.hold(name, "64")
        self.usage(["copy", src, f"map:{name}"], "100 bytes at offset 0 run past the end of map",
                   "(64 bytes)")
        self.usage(["copy", f"map:{name}", f"map:Local\\{name}", "--dst-offset", "8"],
                   "ranges overlap")

    def test_fill_usage(self):
        path = self.file_with(bytes(10))
        self.usage(["fill", "--file", path, "--byte", "256"], '--byte "256" is out of range')
        self.usage(["fill", "--file", path, "--byte", "-1"], "is negative")
        self.usage(["fill", "--file", path, "--byte", "0", "--length", "11"], "run past the end")
        self.usage(["fill", "--file", path, "--byte", "0", "--offset", "11"], "past the end")
        self.usage(["fill", "x", "--file", path, "--byte", "0"], "not both")
        self.usage(["fill", "--byte", "0"], "give a map NAME or --file PATH")


class Objects(CliCase):
    """Named maps across processes: create --hold, list, write, dump, path, SIGKILL, gc."""

    def test_hold_then_list_write_dump_path_and_gc_after_sigkill(self):
        name = unique()
        holder = self.hold(name, "64KiB")

        (info,) = self.find(name)
        self.assertEqual(info["kind"], "map")
        self.assertEqual(info["size"], 65536)
        self.assertTrue(info["live"])
        self.assertEqual(info["state"], "live")
        self.assertFalse(info["global"])
        self.assertIn(info["holders"], (1, None))
        self.assertEqual(info["owner"], os.getuid())
        table = self.ok("list").stdout.splitlines()
        self.assertRegex(table[0], r"^KIND\s+NAME\s+SIZE\s+DEPTH\s+HOLDERS\s+OWNER\s+STATE$")
        self.assertTrue(any(line.split()[:3] == ["map", name, "65536"] and line.endswith("live")
                            for line in table[1:]), table)

        self.assertIn("wrote 5 bytes", self.ok("write", name, "100", "--text", "hello").stdout)
        self.ok("write", name, "0x200", "--u64", "0x1122334455667788")
        self.ok("write", name, "1KiB", "--f64=-2.5")
        dump = self.ok("dump", name, "--offset", "96", "--length", "16").stdout
        self.assertEqual(dump, "00000060: 0000 0000 6865 6c6c 6f00 0000 0000 0000  ....hello.......\n")
        self.assertEqual(self.ok("dump", name, "--offset", "512", "--length", "8", "--format", "u64").stdout,
                         "00000200: " + f"{0x1122334455667788:>20}" + "\n")
        self.assertIn("-2.5", self.ok("dump", name, "--offset", "1KiB", "--length", "8", "--format", "f64").stdout)

        path = self.ok("path", name).stdout.strip()
        self.assertEqual(os.path.dirname(path), self.shm_dir)
        self.assertTrue(os.path.exists(path))
        self.assertEqual(info["path"], path)

        holder.send_signal(signal.SIGKILL)
        holder.wait()
        (info,) = self.find(name)
        self.assertFalse(info["live"], "the map of a killed holder is stale")
        self.assertEqual(info["state"], "stale")
        self.assertIn("stale", self.ok("list").stdout)

        # (gc before any open of the name: opening a stale name also reclaims it.)
        r = self.ok("gc")
        self.assertIn(f'removed stale map "{name}"', r.stdout)
        self.assertIn("removed 1 stale object", r.stdout)
        self.assertEqual(self.find(name), [])
        self.assertFalse(os.path.exists(path))
        self.fails(["dump", name], "open_existing", name, "No such file or directory")
        self.assertIn("no stale objects", self.ok("gc").stdout)

    def test_map_past_4_gib(self):
        # --lazy reserves nothing: only the page written is allocated. 64-bit sizes and offsets
        # work in a 32-bit build of the tool too.
        name = unique()
        p = subprocess.Popen([MMF, "create", name, "5GiB", "--lazy", "--hold"], env=self.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.holders.append(p)
        self.assertTrue(select.select([p.stdout], [], [], 30)[0])
        self.assertEqual(p.stdout.readline(), f"ready {name}\n")
        self.assertEqual(self.find(name)[0]["size"], 5 << 30)
        last = (5 << 30) - 8
        self.ok("write", name, str(last), "--u64", "0x0123456789abcdef")
        self.assertEqual(self.ok("dump", name, "--offset", str(last), "--format", "u64").stdout.split(),
                         ["13ffffff8:", str(0x0123456789ABCDEF)])
        self.usage(["write", name, "5GiB", "--u8", "1"], "1 byte at offset 5368709120 runs past")

    def test_gc_dry_run_removes_nothing(self):
        name = unique()
        holder = self.hold(name)
        holder.kill()
        holder.wait()
        r = self.ok("gc", "--dry-run")
        self.assertIn(f'would remove stale map "{name}"', r.stdout)
        self.assertEqual(len(self.find(name)), 1)
        self.assertIn(f'removed stale map "{name}"', self.ok("gc").stdout)

    def test_gc_leaves_live_maps(self):
        name = unique()
        self.hold(name)
        self.assertIn("no stale objects", self.ok("gc").stdout)
        self.assertTrue(self.find(name)[0]["live"])

    def test_sigterm_and_sigint_release_the_map(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=sig):
                name = unique()
                holder = self.hold(name)
                holder.send_signal(sig)
                self.assertEqual(holder.wait(timeout=30), 0)
                self.assertIn(f'released map "{name}"', holder.stderr.read())
                self.assertEqual(self.find(name), [], "a clean exit removes the name at once")

    def test_create_without_hold_says_the_map_is_gone(self):
        name = unique()
        r = self.ok("create", name, "1MiB")
        self.assertIn(f'created map "{name}" of 1048576 bytes', r.stdout)
        self.assertIn("goes away again now that mmf exits", r.stderr)
        self.assertIn("--hold", r.stderr)
        self.assertEqual(self.find(name), [])

    def test_failures_exit_1_and_name_the_object(self):
        name = unique()
        self.hold(name)
        self.fails(["create", name, "4KiB"], "create_new", name, "exists")
        missing = unique("missing")
        self.fails(["dump", missing], "open_existing", missing, "No such file or directory",
                   "mmf list")
        self.fails(["write", missing, "0", "--u8", "1"], missing)
        self.fails(["fill", missing, "--byte", "1"], missing)
        self.fails(["copy", f"map:{missing}", os.path.join(self.tmp, "x")], missing)
        gone = os.path.join(self.tmp, "no-such-file.bin")
        self.fails(["dump", "--file", gone], gone)

    def test_list_empty_and_all(self):
        self.assertEqual(self.ok("list", "--json").stdout, "[]\n")
        self.assertIn("no named objects", self.ok("list").stderr)
        name = "Global\\" + unique()
        self.hold(name)
        self.assertEqual(self.find(name), [], "Global\\ objects only with --all")
        (info,) = [o for o in self.listed("--all") if o["name"] == name]
        self.assertTrue(info["global"])
        self.assertIn("PATH", self.ok("list", "--all", "--paths").stdout.splitlines()[0])


class Data(CliCase):
    """dump formats, write values, fill and copy between files and maps."""

    def test_dump_formats(self):
        data = struct.pack("<BbHhIiQqfd", 200, -2, 60000, -3, 4000000000, -4, 2**63 + 5, -5, 0.5, -2.25)
        path = self.file_with(data)
        dump = lambda *a: self.ok("dump", "--file", path, *a).stdout
        self.assertEqual(dump("--length", "4"), "00000000: c8fe 60ea" + " " * 30 + "  ..`.\n")
        self.assertEqual(dump("--format", "u8", "--length", "2").split(), ["00000000:", "200", "254"])
        self.assertEqual(dump("--format", "i8", "--offset", "1", "--length", "1").split(), ["00000001:", "-2"])
        self.assertEqual(dump("--format", "u16", "--offset", "2", "--length", "2").split()[1], "60000")
        self.assertEqual(dump("--format", "i16", "--offset", "4", "--length", "2").split()[1], "-3")
        self.assertEqual(dump("--format", "u32", "--offset", "6", "--length", "4").split()[1], "4000000000")
        self.assertEqual(dump("--format", "i32", "--offset", "10", "--length", "4").split()[1], "-4")
        self.assertEqual(dump("--format", "u64", "--offset", "14", "--length", "8").split()[1], str(2**63 + 5))
        self.assertEqual(dump("--format", "i64", "--offset", "22", "--length", "8").split()[1], "-5")
        self.assertEqual(dump("--format", "f32", "--offset", "30", "--length", "4").split()[1], "0.5")
        self.assertEqual(dump("--format", "f64", "--offset", "34", "--length", "8").split()[1], "-2.25")
        raw = subprocess.run([MMF, "dump", "--file", path, "--format", "raw"], capture_output=True,
                             env=self.env, check=True).stdout
        self.assertEqual(raw, data)
        r = self.run_mmf("dump", "--file", path, "--format", "u32", "--length", "6")
        self.assertIn("the last 2 bytes do not make a whole u32", r.stderr)
        # A length past the end stops at the end, as xxd -l does.
        self.assertEqual(len(dump("--length", "1GiB").splitlines()), 3)
        self.assertEqual(dump("--offset", str(len(data))), "")

    def test_dump_text_squeeze_and_wide_offsets(self):
        path = self.file_with(b"hi there\0junk" + bytes(99))  # 112 bytes: 7 lines
        self.assertEqual(self.ok("dump", "--file", path, "--format", "text").stdout, "hi there\n")
        squeezed = self.ok("dump", "--file", path, "--squeeze").stdout.splitlines()
        self.assertEqual(squeezed[2], "*")
        self.assertEqual(squeezed[-1], "00000070")
        self.assertEqual(len(squeezed), 4)
        self.assertEqual(len(self.ok("dump", "--file", path).stdout.splitlines()), 7)
        # Offsets past 4 GiB get more digits: a sparse 5 GiB file.
        big = os.path.join(self.tmp, "sparse.bin")
        with open(big, "wb") as f:
            f.truncate(5 << 30)
        self.ok("write", "--file", big, str((5 << 30) - 1), "--u8", "7")
        self.assertEqual(self.ok("dump", "--file", big, "--offset", str((5 << 30) - 1)).stdout.split()[:2],
                         ["13fffffff:", "07"])

    def test_write_values_into_a_file(self):
        path = self.file_with(bytes(64))
        for offset, kind, value in [("0", "--text", "héllo"), ("8", "--hex", "de ad:BE-ef"),
                                    ("12", "--u16", "0xBEEF"), ("14", "--i16", "-2"),
                                    ("16", "--u32", "4294967295"), ("20", "--i32", "-2147483648"),
                                    ("24", "--u64", "18446744073709551615"),
                                    ("32", "--i64", "-9223372036854775808"),
                                    ("40", "--f32", "1.5"), ("44", "--f64", "-0.125"),
                                    ("52", "--i8", "-1"), ("63", "--u8", "255")]:
            self.ok("write", "--file", path, offset, kind, value)
        with open(path, "rb") as f:
            data = f.read()
        self.assertEqual(len(data), 64, "write never grows a file")
        self.assertEqual(data[:6], "héllo".encode())
        self.assertEqual(data[8:12], b"\xde\xad\xbe\xef")
        self.assertEqual(struct.unpack_from("<HhIiQqfd", data, 12),
                         (0xBEEF, -2, 4294967295, -2147483648, 2**64 - 1, -2**63, 1.5, -0.125))
        self.assertEqual(data[52], 0xFF)
        self.assertEqual(data[63], 0xFF)

    def test_fill(self):
        path = self.file_with(bytes(100))
        r = self.ok("fill", "--file", path, "--byte", "0xab", "--offset", "10", "--length", "20")
        self.assertIn("filled 20 bytes at offset 10", r.stdout)
        self.assertNotIn("\r", r.stderr, "no progress bar when stderr is not a terminal")
        with open(path, "rb") as f:
            self.assertEqual(f.read(), bytes(10) + b"\xab" * 20 + bytes(70))
        self.ok("fill", "--file", path, "--byte", "7")
        with open(path, "rb") as f:
            self.assertEqual(f.read(), b"\x07" * 100)

    def test_progress_bar_only_on_a_terminal(self):
        path = self.file_with(bytes(20 << 20), "big.bin")
        master, slave = pty.openpty()
        try:
            p = subprocess.run([MMF, "fill", "--file", path, "--byte", "1"], env=self.env,
                               stdout=subprocess.PIPE, stderr=slave, timeout=60)
            os.close(slave)
            slave = -1
            self.assertEqual(p.returncode, 0)
            drawn = b""
            while select.select([master], [], [], 0.5)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                drawn += chunk
            self.assertIn(b"\rfill [", drawn)
            self.assertIn(b"100%", drawn)
            self.assertNotIn(b"\r", p.stdout)
        finally:
            os.close(master)
            if slave >= 0:
                os.close(slave)

    def test_copy_between_files_and_maps(self):
        payload = os.urandom(3 << 20) + os.urandom(17 << 20)  # 20 MiB: several chunks
        src = self.file_with(payload, "src.bin")
        name = unique()
        self.hold(name, "20MiB")
        r = self.ok("copy", src, f"map:{name}")
        self.assertIn(f'copied {len(payload)} bytes from file', r.stdout)
        self.assertNotIn("\r", r.stderr)
        out = os.path.join(self.tmp, "out.bin")
        self.ok("copy", f"map:{name}", f"file:{out}")
        with open(out, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).digest(), hashlib.sha256(payload).digest())

        # Offsets and lengths; a destination file grows but is never truncated.
        small = os.path.join(self.tmp, "small.bin")
        self.ok("copy", f"map:{name}", small, "--src-offset", "10", "--length", "5", "--dst-offset", "3")
        with open(small, "rb") as f:
            self.assertEqual(f.read(), bytes(3) + payload[10:15])
        self.ok("copy", self.file_with(b"AB", "ab.bin"), small)
        with open(small, "rb") as f:
            self.assertEqual(f.read(), b"AB" + bytes(1) + payload[10:15])

        # map to map, and a file whose name starts with "map:" through a path.
        other = unique()
        self.hold(other, "1KiB")
        self.ok("copy", f"map:{name}", f"map:{other}", "--length", "1KiB")
        self.assertEqual(self.ok("dump", other, "--length", "16").stdout,
                         self.ok("dump", name, "--length", "16").stdout)
        odd = os.path.join(self.tmp, "map:odd.bin")
        self.ok("copy", f"map:{other}", odd)
        self.assertEqual(os.path.getsize(odd), 1024)

    def test_copy_empty_file(self):
        src = self.file_with(b"", "empty.bin")
        dst = os.path.join(self.tmp, "empty-copy.bin")
        self.assertIn("copied 0 bytes", self.ok("copy", src, dst).stdout)
        self.assertEqual(os.path.getsize(dst), 0)
        self.assertEqual(self.ok("dump", "--file", src).stdout, "")


    def test_dump_of_a_file_that_shrinks_is_an_error_naming_it(self):
        # dump writes chunk by chunk to a pipe nobody reads yet, so it blocks with the rest of the
        # file still to read; the file is then truncated, and the rest of its view has vanished.
        src = self.file_with(b"x" * (32 << 20), "shrinking.bin")  # four 8 MiB chunks
        p = subprocess.Popen([MMF, "dump", "--file", src, "--format", "raw"], env=self.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            first = p.stdout.read(4096)
            self.assertEqual(first, b"x" * 4096)
            os.truncate(src, 0)
            p.stdout.read()
            err = p.stderr.read().decode()
            self.assertEqual(p.wait(timeout=60), 1, err)
        finally:
            if p.poll() is None:
                p.kill()
            p.wait()
            p.stdout.close()
            p.stderr.close()
        self.assertIn("shrinking.bin", err)
        self.assertIn("shrank while being read", err)

class Queues(CliCase):
    """queue, send and receive; queues in list and gc."""

    def hold_queue(self, name, messages=4, size="64"):
        return self.hold(name, command=[MMF, "queue", name, "--max-messages", str(messages),
                                        "--max-message-size", size, "--hold"])

    def test_hold_send_receive_list_and_gc_after_sigkill(self):
        name = unique("q")
        holder = self.hold_queue(name)
        self.assertIn(f'queue "{name}": 0 of 4 messages waiting, at most 64 bytes',
                      self.ok("queue", name).stdout)

        self.assertIn("sent 5 bytes", self.ok("send", name, "--text", "hello").stdout)
        self.ok("send", name, "--hex", "de ad be ef")
        self.assertIn("sent 0 bytes", self.ok("send", name, "--hex", "").stdout)
        payload = bytes(range(64))
        self.ok("send", name, "--file", self.file_with(payload))

        (info,) = self.find(name)
        self.assertEqual((info["kind"], info["depth"], info["live"]), ("queue", 4, True))
        table = self.ok("list").stdout.splitlines()
        self.assertTrue(any(line.split()[0] == "queue" and line.split()[1] == name and
                            line.split()[3] == "4" for line in table[1:]), table)
        self.assertIn("4 of 4 messages waiting", self.ok("queue", name).stdout)

        # Full: a send with a timeout gives up and sends nothing; a too-long message is refused.
        self.fails(["send", name, "--text", "x", "--timeout", "0"], name, "stayed full")
        self.fails(["send", name, "--text", "x", "--timeout", "50ms"], name, "stayed full")
        self.fails(["send", name, "--file", self.file_with(bytes(65), "long.bin")], name,
                   "longer than", "nothing was sent")

        self.assertEqual(self.ok("receive", name).stdout, "hello\n")
        self.assertEqual(self.ok("receive", name, "--format", "hex", "--count", "2").stdout,
                         "deadbeef\n\n")
        r = subprocess.run([MMF, "receive", name, "--format", "raw"], env=self.env,
                           capture_output=True, timeout=60)
        self.assertEqual((r.returncode, r.stdout), (0, payload))
        r = self.fails(["receive", name, "--timeout", "100ms"], name, "no message within 100ms",
                       "0 of 1 received")
        self.assertEqual(r.stdout, "")
        self.assertIn("0 of 4 messages waiting", self.ok("queue", name).stdout)

        # A message sent from stdin; then the holder dies and the queue is stale.
        r = subprocess.run([MMF, "send", name, "--file", "-"], env=self.env, input=b"piped",
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.ok("send", name, "--text", "second")
        r = self.fails(["receive", name, "--count", "3", "--timeout", "100ms"], "2 of 3 received")
        self.assertEqual(r.stdout, "piped\nsecond\n", "each message is printed as it comes")

        holder.send_signal(signal.SIGKILL)
        holder.wait()
        (info,) = self.find(name)
        self.assertFalse(info["live"])
        r = self.ok("gc")
        self.assertIn(f'removed stale queue "{name}"', r.stdout)
        self.assertEqual(self.find(name), [])
        self.fails(["send", name, "--text", "x"], "open_existing", name, "No such file")

    def test_receive_waits_for_a_send(self):
        name = unique("q")
        self.hold_queue(name, 2, "1KiB")
        waiting = subprocess.Popen([MMF, "receive", name, "--count", "2"], env=self.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.2)
            self.assertIsNone(waiting.poll(), "receive waits while the queue is empty")
            self.ok("send", name, "--text", "one")
            self.ok("send", name, "--text", "two")
            out, err = waiting.communicate(timeout=30)
        finally:
            if waiting.poll() is None:
                waiting.kill()
                waiting.communicate()
        self.assertEqual((waiting.returncode, out), (0, "one\ntwo\n"), err)

    def test_send_waits_for_room(self):
        name = unique("q")
        self.hold_queue(name, 1, "16")
        self.ok("send", name, "--text", "first")
        blocked = subprocess.Popen([MMF, "send", name, "--text", "second"], env=self.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.2)
            self.assertIsNone(blocked.poll(), "send waits while the queue is full")
            self.assertEqual(self.ok("receive", name).stdout, "first\n")
            out, err = blocked.communicate(timeout=30)
        finally:
            if blocked.poll() is None:
                blocked.kill()
                blocked.communicate()
        self.assertEqual(blocked.returncode, 0, err)
        self.assertEqual(self.ok("receive", name, "--timeout", "5s").stdout, "second\n")

    def test_usage_errors(self):
        name = unique("q")
        self.usage(["send", name], "exactly one of --text")
        self.usage(["send", name, "--text", "a", "--hex", "00"], "exactly one of --text")
        self.usage(["send", name, "--hex", "zz"], "--hex")
        self.usage(["send", name, "--text", "a", "--timeout", "soon"], "--timeout", "soon")
        self.usage(["receive", name, "--count", "0"], "--count must be at least 1")
        self.usage(["receive", name, "--timeout", "-1"], "--timeout")
        self.usage(["receive", name, "--format", "u32"], "--format", "text, hex, raw")
        self.usage(["queue", name, "--max-messages", "4"], "give both")
        self.usage(["queue", name, "--max-messages", "0", "--max-message-size", "8"],
                   "--max-messages must be at least 1")
        self.usage(["queue", name, "--hold"], "--hold needs")
        self.usage(["queue", "a/b"], "NAME")
        self.fails(["receive", name, "--timeout", "0"], "open_existing", name)
        self.fails(["queue", name], "open_existing", name)

    def test_sigterm_releases_the_queue(self):
        name = unique("q")
        holder = self.hold_queue(name)
        holder.send_signal(signal.SIGTERM)
        self.assertEqual(holder.wait(timeout=30), 0)
        self.assertIn(f'released queue "{name}"', holder.stderr.read())
        self.assertEqual(self.find(name), [])


class PythonMmap(CliCase):
    """Python's mmap opens the map through `mmf path` and sees what `mmf write` wrote."""

    def check_round_trip(self, env):
        name = unique()
        self.hold(name, "4KiB", env=env)
        self.ok("write", name, "0", "--text", "from mmf", env=env)
        self.ok("write", name, "16", "--u32", "3735928559", env=env)
        path = self.ok("path", name, env=env).stdout.strip()
        with open(path, "r+b") as f, mmap.mmap(f.fileno(), 0) as m:
            self.assertGreaterEqual(len(m), 4096)
            self.assertEqual(m[:8], b"from mmf")
            self.assertEqual(struct.unpack_from("<I", m, 16)[0], 3735928559)
            m[100:106] = b"python"
        self.assertEqual(self.ok("dump", name, "--offset", "100", "--format", "text", env=env).stdout,
                         "python\n")
        return path

    def test_private_directory(self):
        path = self.check_round_trip(self.env)
        self.assertTrue(path.startswith(self.shm_dir + os.sep))

    @unittest.skipUnless(sys.platform.startswith("linux"), "/dev/shm is Linux's")
    def test_default_directory_is_dev_shm(self):
        env = dict(self.env)
        env.pop("MMF_SHM_DIR")
        path = self.check_round_trip(env)
        self.assertTrue(path.startswith("/dev/shm/"), path)
        for p in self.holders:
            p.terminate()
            p.wait()
        self.assertFalse(os.path.exists(path), "the holder's clean exit removed the map")


class Companions(CliCase):
    """`mmf demo` and `mmf bench` run their programs with the arguments passed through."""

    def fake(self, exit_code):
        path = os.path.join(self.tmp, "fake-program")
        with open(path, "w") as f:
            f.write(f'#!/bin/sh\necho "fake ran with: $*"\nexit {exit_code}\n')
        os.chmod(path, 0o755)
        return path

    @unittest.skipUnless(os.name == "posix", "a shell script stands in for the program")
    def test_pass_through(self):
        for cmd, var in (("bench", "MMF_BENCH"), ("demo", "MMF_DEMO")):
            with self.subTest(cmd=cmd):
                env = dict(self.env, **{var: self.fake(3)})
                r = self.run_mmf(cmd, "--benchmark_filter=x", "a b", "--", "c", env=env)
                self.assertEqual(r.returncode, 3)
                self.assertEqual(r.stdout, "fake ran with: --benchmark_filter=x a b -- c\n")
                r = self.run_mmf(cmd, "--", "--help", env=env)
                self.assertEqual(r.stdout, "fake ran with: --help\n")
                r = self.run_mmf(cmd, "--help", env=env)
                self.assertEqual(r.returncode, 0)
                self.assertIn("Examples:", r.stdout)

    def test_missing_program_is_a_clear_failure(self):
        for cmd, var, program in (("bench", "MMF_BENCH", "mmf-bench"), ("demo", "MMF_DEMO", "mmf_demo")):
            with self.subTest(cmd=cmd):
                missing = os.path.join(self.tmp, "not-there")
                r = self.run_mmf(cmd, env=dict(self.env, **{var: missing}))
                self.assertEqual(r.returncode, 1)
                self.assertIn(f"{program} was not found", r.stderr)
                self.assertIn(missing, r.stderr)
                self.assertIn("cmake --build", r.stderr)


class Segment(CliCase):
    """`mmf segment`: listing a managed segment's objects and free memory, and its checker."""

    def test_create_list_and_check_a_persisted_segment(self):
        path = os.path.join(self.tmp, "heap.seg")
        self.ok("segment", "create", "--file", path, "256KiB", "--u64", "count=5", "--u64", "z=7")
        r = self.ok("segment", "--file", path)
        self.assertIn("262144 bytes", r.stdout)
        self.assertIn("objects: 2", r.stdout)
        self.assertIn("fragmentation 0.0%", r.stdout)
        rows = [line.split() for line in r.stdout.splitlines()]
        self.assertIn(["count", "8"], [row[:2] for row in rows])
        self.assertIn(["z", "8"], [row[:2] for row in rows])
        r = self.ok("segment", "check", "--file", path)
        self.assertIn("ok", r.stdout)
        self.assertIn("2 objects", r.stdout)
        # The free-byte counter (header offset 40): the checker names it and exits 1.
        with open(path, "r+b") as f:
            f.seek(40)
            value = struct.unpack("<Q", f.read(8))[0]
            f.seek(40)
            f.write(struct.pack("<Q", value + 16))
        r = self.fails(["segment", "check", "--file", path], "corrupt", "free byte counter")
        self.assertEqual(r.stdout, "")

    def test_errors_and_usage(self):
        path = os.path.join(self.tmp, "heap.seg")
        self.fails(["segment", unique()], "No such file")
        self.fails(["segment", "check", "--file", os.path.join(self.tmp, "none")], "No such file")
        self.usage(["segment"], "NAME")
        self.usage(["segment", "create", "1MiB"], "--file")
        self.usage(["segment", "create", "--file", path, "1MiB", "--u64", "novalue"], "NAME=VALUE")
        self.usage(["segment", "a", "b", "c"], "too many")
        self.usage(["segment", "x", "--u64", "a=1"], "create")
        not_a_segment = self.file_with(b"\x07" * 65536)
        self.fails(["segment", "--file", not_a_segment], "Invalid argument")


def main():
    global MMF
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "--mmf":
        sys.exit("usage: cli_test.py --mmf PATH/TO/mmf [TestClass ...]")
    MMF = os.path.abspath(args[1])
    unittest.main(argv=[sys.argv[0], "-v", *args[2:]])


if __name__ == "__main__":
    main()
