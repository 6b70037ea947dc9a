#!/usr/bin/env bash
# The full test suite: configures and builds the `dev` preset (g++, Debug, warnings are errors)
# and runs every test with ctest. Works from any directory; installs missing Debian packages when
# run as root (otherwise it names them and stops).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/packages.sh
source scripts/lib/packages.sh
mmf_require_packages "${MMF_DEV_PACKAGES[@]}"

cmake --preset dev
cmake --build --preset dev
ctest --preset dev "$@"
