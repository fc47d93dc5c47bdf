#!/bin/sh
# Install what vmlab needs to build and test on a fresh Debian machine.
# Idempotent and quiet when everything is already there.
#
#   scripts/setup.sh          install whatever is missing (uses sudo if not root)
#   scripts/setup.sh --list   print the packages vmlab needs, one a line; install nothing
set -eu

# The Debian packages, one group a line.
pkgs="build-essential pkg-config zlib1g-dev liblzma-dev libzstd-dev xxd"   # xxd: the explorer page's assets
pkgs="$pkgs libjansson-dev nettle-dev"                 # sweep plans: JSON, SHA-256
pkgs="$pkgs parallel"                                  # test_sweep_plan runs a plan with GNU parallel
pkgs="$pkgs valgrind chromium clang"
pkgs="$pkgs gcc-riscv64-linux-gnu qemu-user"   # RISC-V guests: the cross compiler, and qemu the oracle

# clang's sanitizer and libFuzzer runtimes ship in a package named after
# clang's major version (libclang-rt-14-dev on Debian 12, -19- on Debian 13):
# the version of the clang on this machine, or, before it is installed, of
# the clang Debian would install.
clang_rt() {
    v=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9][0-9]*\)\..*/\1/p' | head -n 1)
    [ -n "$v" ] || v=$(apt-cache depends clang 2>/dev/null | sed -n 's/.*Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)
    [ -n "$v" ] && echo "libclang-rt-$v-dev"
}

missing() {
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf ' %s' "$pkg"
    done
}

install() {
    need=$(missing "$@")
    [ -n "$need" ] || return 0
    echo "setup: installing$need" >&2
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
}

if [ "${1:-}" = "--list" ]; then
    for pkg in $pkgs $(clang_rt); do echo "$pkg"; done
    exit 0
fi
# shellcheck disable=SC2086
install $pkgs
# clang is there now: its runtimes
install $(clang_rt)
