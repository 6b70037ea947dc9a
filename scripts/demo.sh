#!/usr/bin/env bash
# The demo: builds the `dev` preset's `mmf_demo` program, which runs every example end to end (it
# starts the processes itself; nothing to type), and runs it. Works from any directory; installs
# missing Debian packages when run as root (otherwise it names them and stops). Arguments are
# passed to mmf_demo.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/packages.sh
source scripts/lib/packages.sh
mmf_require_packages "${MMF_DEV_PACKAGES[@]}"

build_dir=build/dev
cmake --preset dev

# Ninja knows the target when examples/ defines it.
if ! ninja -C "$build_dir" -t query mmf_demo >/dev/null 2>&1; then
  echo "demo.sh: the mmf_demo target does not exist yet (examples/ has not defined it);" \
    "building what exists instead." >&2
  cmake --build --preset dev
  echo "demo.sh: built; no demo to run yet." >&2
  exit 0
fi

cmake --build --preset dev --target mmf_demo

# For an executable target, Ninja's phony `mmf_demo` points at the program's path.
demo=$(ninja -C "$build_dir" -t query mmf_demo 2>/dev/null |
  awk '/^  input:/ {getline; gsub(/^[ \t]+/, ""); print; exit}')
if [[ -z "$demo" || ! -x "$build_dir/$demo" || -d "$build_dir/$demo" ]]; then
  demo=$(find "$build_dir" -type f -name mmf_demo -perm -u+x -print -quit)
else
  demo="$build_dir/$demo"
fi
if [[ -z "$demo" ]]; then
  echo "demo.sh: mmf_demo was built but no mmf_demo program was found in $build_dir" >&2
  exit 1
fi

# The examples create their files in the current directory: run them in the build tree.
work="$build_dir/demo"
mkdir -p "$work"
demo=$(cd "$(dirname "$demo")" && pwd)/$(basename "$demo")
cd "$work"
exec "$demo" "$@"
