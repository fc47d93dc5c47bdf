#!/bin/sh
# Install what vmlab needs to build and test on a fresh Debian machine.
# Idempotent and quiet when everything is already there.
set -eu
need=""
for pkg in build-essential pkg-config zlib1g-dev liblzma-dev libzstd-dev valgrind chromium clang libclang-rt-14-dev \
    gcc-riscv64-linux-gnu qemu-user; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need="$need $pkg"
done
if [ -n "$need" ]; then
    echo "setup: installing$need" >&2
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi
