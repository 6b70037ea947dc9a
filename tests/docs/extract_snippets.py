#!/usr/bin/env python3
"""Extracts every ```cpp block of the given Markdown files into one C++ file per block.

Each block becomes a function body in its own translation unit that includes <mmf/mmf.hpp> alone
(plus the standard headers a reader would already have), so a snippet that needs another header
of the library, or a name that does not exist, fails the build. `#include` lines of a block go to
file scope; `#line` directives make the compiler's messages point at the Markdown file and line.

usage: extract_snippets.py OUT_DIR FILE.md...   (writes OUT_DIR/<stem>_<line>.cpp and a list)
"""
import pathlib
import re
import sys

PRELUDE = """// Generated from {doc}:{line} by tests/docs/extract_snippets.py; do not edit.
#include <mmf/mmf.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>
#if !defined(_WIN32)
#include <unistd.h>  // fork() and _exit() in the POSIX-only snippets
#endif
"""


def blocks(text):
    """Yields (first_line_number, lines) for each ```cpp fence, indented or not."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)```cpp\s*$", lines[i])
        if not m:
            i += 1
            continue
        indent = len(m.group(1))
        start = i + 2  # 1-based number of the first line inside the fence
        body = []
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        if i == len(lines):
            sys.exit(f"unterminated ```cpp block at line {start - 1}")
        yield start, body
        i += 1


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for doc in map(pathlib.Path, sys.argv[2:]):
        for start, body in blocks(doc.read_text(encoding="utf-8")):
            includes = [(n, l) for n, l in enumerate(body) if l.lstrip().startswith("#include")]
            src = [PRELUDE.format(doc=doc.name, line=start)]
            for n, l in includes:
                src.append(f'#line {start + n} "{doc.as_posix()}"\n{l}\n')
            src.append("namespace {\n[[maybe_unused]] void snippet() {\n")
            src.append(f'#line {start} "{doc.as_posix()}"\n')
            # Keep every line (blank ones too) so that #line numbering stays exact.
            include_rows = {n for n, _ in includes}
            src.append("".join(("" if n in include_rows else l) + "\n"
                               for n, l in enumerate(body)))
            src.append("}\n}  // namespace\n")
            name = out / f"{doc.stem.replace('-', '_')}_{start}.cpp"
            new = "".join(src)
            if not name.exists() or name.read_text(encoding="utf-8") != new:
                name.write_text(new, encoding="utf-8")
            written.append(name)
    if not written:
        sys.exit("no ```cpp blocks found: the documentation check would check nothing")
    (out / "snippets.txt").write_text("".join(f"{p.name}\n" for p in written), encoding="utf-8")


if __name__ == "__main__":
    main()
