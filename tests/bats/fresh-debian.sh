#!/bin/bash
# A fresh Debian 12 for tests/bats/fresh-debian.bats: a minimal system
# (debootstrap --variant=minbase bookworm) plus make, nothing else, with a
# clean clone of the tree under test in /root/umk.
#
#   fresh-debian.sh mirror             print the Debian mirror the host uses
#   fresh-debian.sh base               make (once) the cached tarball of the
#                                      minimal system; prints its path
#   fresh-debian.sh run DIR SRC CMD... in a private mount namespace: a tmpfs
#                                      on DIR (an empty directory), the
#                                      minimal system unpacked into it, a
#                                      clean clone of SRC in /root/umk, and
#                                      CMD (a shell command line) run there
#                                      as root in the chroot with a clean
#                                      environment; status: CMD's
#
# Everything `run` mounts (the tmpfs root, /proc, /sys, a small /dev,
# /dev/pts, the .deb cache) lives in a private mount namespace (unshare
# --mount) that exists only while CMD runs: the host never sees these
# mounts, so no exit path, not even SIGKILL, can leave one behind, and the
# whole chroot (about 1 GB, in memory) is gone with the namespace; DIR
# stays an empty directory on the host. `run` still kills what is left in
# the chroot and unmounts everything itself when CMD ends.
#
# Cache (UMK_FRESH_CACHE, default /var/cache/umk/fresh-debian): the
# debootstrap result as a tarball, and apt's downloaded .debs, so that a
# second run on the same machine downloads nothing. Deleting it is safe.
# UMK_DEBIAN_MIRROR overrides the mirror.
set -uo pipefail

CACHE=${UMK_FRESH_CACHE:-/var/cache/umk/fresh-debian}
SUITE=bookworm
TARBALL=$CACHE/$SUITE-minbase-make.tar

die() { echo "fresh-debian: $*" >&2; exit 1; }

# The host's apt sources, one "URI SUITE..." line per entry (deb822
# .sources stanzas and one-line .list entries).
host_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } print $i, $(i + 1) }' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'function flush() { if (types ~ /(^| )deb( |$)/ && uris != "") { n = split(uris, u, " "); for (k = 1; k <= n; k++) print u[k], suites } types = uris = suites = "" }
			/^[ \t]*$/ { flush(); next }
			/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
			/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
			/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
			END { flush() }' "$f"
	done
}

# mirror_for SUITE: the first host source that carries SUITE.
mirror_for() {
	host_sources | awk -v s="$1" '{ for (i = 2; i <= NF; i++) if ($i == s) { print $1; exit } }'
}

mirror() {
	local m=${UMK_DEBIAN_MIRROR:-$(mirror_for "$SUITE")}
	echo "${m:-http://deb.debian.org/debian}"
}

# The tarball of a bookworm minbase with make, made under a lock and
# renamed into place only when complete.
base() {
	mkdir -p "$CACHE/archives/partial" || die "cannot create $CACHE"
	exec 9>"$CACHE/.lock"
	flock 9
	if [ -s "$TARBALL" ]; then
		echo "$TARBALL"
		return 0
	fi
	local m tmp rc
	m=$(mirror)
	tmp=$(mktemp -d "$CACHE/debootstrap.XXXXXX") || die "mktemp"
	echo "fresh-debian: debootstrap --variant=minbase --include=make $SUITE from $m (cached in $TARBALL)" >&2
	# In a private mount namespace, on a tmpfs: quick, and the mounts
	# debootstrap makes in the target (/proc, /sys) cannot outlive it.
	# The .debs it fetched are not part of the fresh system.
	unshare --mount --propagation private sh -c '
		mkdir "$1" && mount -t tmpfs -o mode=0755,size=2g fresh-debian "$1" &&
		debootstrap --variant=minbase --include=make "$2" "$1" "$3" &&
		rm -f "$1"/var/cache/apt/archives/*.deb &&
		tar -C "$1" --numeric-owner -cf "$4" .' \
		sh "$tmp/root" "$SUITE" "$m" "$tmp/base.tar" >"$tmp/log" 2>&1
	rc=$?
	if [ "$rc" != 0 ]; then
		tail -n 20 "$tmp/log" >&2
		rm -rf --one-file-system "$tmp"
		die "debootstrap failed (status $rc)"
	fi
	mv "$tmp/base.tar" "$TARBALL"
	rm -rf --one-file-system "$tmp"
	echo "$TARBALL"
}

# make_root DIR SRC: the cached minimal system unpacked into DIR, apt
# pointed at the host's mirror, and the tree under test in DIR/root/umk.
make_root() {
	local dir=$1 src=$2 m sec f
	tar -C "$dir" --numeric-owner -xf "$TARBALL" || die "cannot unpack $TARBALL"
	# apt sources as on a fresh install, from the host's mirror
	m=$(mirror)
	sec=$(mirror_for "$SUITE-security")
	{
		echo "deb $m $SUITE main"
		echo "deb $m $SUITE-updates main"
		[ -z "$sec" ] || echo "deb $sec $SUITE-security main"
	} >"$dir/etc/apt/sources.list"
	# The tree under test: a clean clone of its HEAD, plus the tracked
	# files changed in the work tree (so a developer tests what is on
	# disk; in CI, a clean clone, that is the same thing). Untracked and
	# ignored files (build/, ...) are never copied.
	git clone -q --no-hardlinks "$src" "$dir/root/umk" || die "git clone $src failed"
	git -C "$src" diff --name-only -z HEAD | while IFS= read -r -d '' f; do
		if [ -e "$src/$f" ]; then
			cp -p "$src/$f" "$dir/root/umk/$f"
		else
			rm -f "$dir/root/umk/$f"
		fi
	done
}

# Mounts for DIR, made inside the private mount namespace.
mount_all() {
	local dir=$1
	mount -t proc proc "$dir/proc" &&
	mount -t sysfs sysfs "$dir/sys" &&
	# a /dev of its own: the usual nodes, the host's ptys (expect's
	# terminal is one of them), a tmpfs /dev/shm
	mount -t tmpfs -o mode=0755,size=16m udev "$dir/dev" &&
	mknod -m 666 "$dir/dev/null" c 1 3 &&
	mknod -m 666 "$dir/dev/zero" c 1 5 &&
	mknod -m 666 "$dir/dev/full" c 1 7 &&
	mknod -m 666 "$dir/dev/random" c 1 8 &&
	mknod -m 666 "$dir/dev/urandom" c 1 9 &&
	mknod -m 666 "$dir/dev/tty" c 5 0 &&
	mknod -m 666 "$dir/dev/ptmx" c 5 2 &&
	ln -s /proc/self/fd "$dir/dev/fd" &&
	ln -s /proc/self/fd/0 "$dir/dev/stdin" &&
	ln -s /proc/self/fd/1 "$dir/dev/stdout" &&
	ln -s /proc/self/fd/2 "$dir/dev/stderr" &&
	mkdir -m 755 "$dir/dev/pts" "$dir/dev/shm" &&
	mount --bind /dev/pts "$dir/dev/pts" &&
	mount -t tmpfs -o mode=1777 shm "$dir/dev/shm" &&
	mount --bind "$CACHE/archives" "$dir/var/cache/apt/archives"
}

# Unmounts everything below DIR, deepest first.
umount_all() {
	local dir=$1 mp
	awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r mp; do
			umount "$mp" 2>/dev/null || umount -l "$mp"
		done
}

# kill_chrooted DIR: kills the processes whose root is DIR (only ours:
# the chroot is ours), until none is left.
kill_chrooted() {
	local dir=$1 p r n found
	for n in 1 2 3 4 5 6 7 8 9 10; do
		found=
		for p in /proc/[0-9]*; do
			r=$(readlink "$p/root" 2>/dev/null) || continue
			case $r in "$dir" | "$dir"/*)
				kill -KILL "${p#/proc/}" 2>/dev/null && found=1 ;;
			esac
		done
		[ -n "$found" ] || return 0
		sleep 0.2
	done
}

cleanup() {
	kill_chrooted "$FRESH_DIR"
	umount_all "$FRESH_DIR"
}

run() {
	local dir=$1 src=$2
	shift 2
	[ -d "$dir" ] && [ -z "$(ls -A "$dir")" ] || die "$dir: want an empty directory"
	[ -s "$TARBALL" ] || die "no $TARBALL (fresh-debian.sh base)"
	dir=$(cd "$dir" && pwd -P)
	src=$(cd "$src" && pwd -P)
	if [ "${UMK_FRESH_NS:-}" != "$dir" ]; then
		UMK_FRESH_NS=$dir exec unshare --mount --propagation private bash "$0" run "$dir" "$src" "$@"
		die "unshare failed"
	fi
	# From here on, in the private mount namespace.
	FRESH_DIR=$dir
	trap cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	mount -t tmpfs -o mode=0755,size=${UMK_FRESH_SIZE:-8g} fresh-debian "$dir" || die "cannot mount a tmpfs on $dir"
	make_root "$dir" "$src"
	mkdir -p "$CACHE/archives/partial"
	mount_all "$dir" || die "mounting in $dir failed"
	# A new user's login: nothing from this environment (no MAKEFLAGS of
	# the make running this test, no UMK_* knobs) but a marker that stops
	# fresh-debian.bats from running inside itself.
	chroot "$dir" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		UMK_IN_FRESH_DEBIAN=1 \
		/bin/sh -c 'cd /root/umk && eval "$1"' sh "$*"
}

cmd=${1:-}
shift || true
case $cmd in
mirror) mirror ;;
base) base ;;
run) [ $# -ge 3 ] || die "usage: run DIR SRC CMD..."; run "$@" ;;
*) die "usage: fresh-debian.sh mirror | base | run DIR SRC CMD..." ;;
esac
