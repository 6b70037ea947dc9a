# shellcheck shell=bash
# mmf_require_packages PKG...: make sure the Debian packages are installed. When some are missing:
# as root, install them (apt-get update, then apt-get install); otherwise print their names and the
# command to run, and fail. On a machine without dpkg, say so and carry on (nothing to check with).
# Sourced by scripts/*.sh and .ci/run.

mmf_missing_packages() {
  local pkg status
  for pkg in "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "installed" ]]; then
      printf '%s\n' "$pkg"
    fi
  done
}

mmf_require_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "note: no dpkg here; not checking for the packages: $*" >&2
    return 0
  fi
  local missing
  mapfile -t missing < <(mmf_missing_packages "$@")
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  echo "Missing Debian packages: ${missing[*]}" >&2
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "Install them as root with:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    return 1
  fi
  echo "Installing them: apt-get install -y --no-install-recommends ${missing[*]}" >&2
  # Lock::Timeout: wait for another apt/dpkg run to finish instead of failing at once.
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
      --no-install-recommends "${missing[@]}" </dev/null || return 1
  mapfile -t missing < <(mmf_missing_packages "$@")
  if ((${#missing[@]} != 0)); then
    echo "Still missing after apt-get install: ${missing[*]}" >&2
    return 1
  fi
}

# The packages the development build (the `dev` preset: library, tests, examples, tool,
# benchmarks) needs.
# shellcheck disable=SC2034  # used by the scripts that source this file
MMF_DEV_PACKAGES=(cmake ninja-build g++ libgtest-dev googletest libgmock-dev libbenchmark-dev
  libfmt-dev libcli11-dev libboost-dev python3 pkg-config dpkg-dev
  python3-dev python3-pybind11 pybind11-dev python3-pytest python3-numpy)
