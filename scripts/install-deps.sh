#!/bin/sh
# Installs, with apt, the Debian 12 packages umk needs to build, test and
# benchmark. Fast and offline when everything is already present: only the
# missing packages are installed, and `apt-get update` runs only then.
set -eu

PKGS="
build-essential gcc make
bats expect python3 time gdb
busybox-static dropbear-bin openssh-client
strace gdb
e2fsprogs libext2fs-dev
libpcap-dev libcap-ng-dev libncurses-dev uuid-dev
libslirp-dev libvdeplug-dev vde2
uml-utilities user-mode-linux
tcpdump iperf3
iproute2 libcap2-bin procps bsdextrautils
debootstrap
"

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: not a Debian system (no dpkg-query/apt-get); install these by hand:" $PKGS >&2
	exit 0
fi

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo -n"
else
	echo "install-deps: missing packages:$missing (not root and no sudo)" >&2
	exit 1
fi

echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done" >&2
