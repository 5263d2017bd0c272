#!/bin/sh
# Adds Debian's gdb from the host to a root directory (build/test-rootfs):
# the program with its libraries (70 MB with Python, ICU and the rest,
# which is why the default image does not carry it:
# Documentation/debugging-guest.md), its data directory (Python helpers,
# system call names for `catch syscall`), /etc/gdb, libthread_db for
# threads and the iconv modules for its wide characters.
#
# usage: rootfs/add-gdb.sh ROOTDIR
set -eu
umask 022
root=${1:?usage: add-gdb.sh ROOTDIR}
here=$(cd "$(dirname "$0")" && pwd)
missing=""
ndeb=0
cd "$root"
. "$here/host-programs.sh"
copy_prog usr/bin gdb
if [ -n "$missing" ]; then
	echo "add-gdb: gdb is not on the host: install it (make deps)" >&2
	exit 1
fi
for lib in /lib/x86_64-linux-gnu/libthread_db.so.1 /usr/lib/x86_64-linux-gnu/libthread_db.so.1; do
	[ -e "$lib" ] && copy_lib "$lib" && break
done
# iconv's converters gdb uses for wide characters (its target charset)
gconv=/usr/lib/x86_64-linux-gnu/gconv
if [ -d "$gconv" ]; then
	mkdir -p "${gconv#/}"
	for f in gconv-modules gconv-modules.cache gconv-modules.d UTF-16.so UTF-32.so UTF-7.so UNICODE.so; do
		[ -e "$gconv/$f" ] && cp -RL "$gconv/$f" "${gconv#/}/"
	done
fi
for d in /usr/share/gdb /etc/gdb; do
	[ -d "$d" ] || continue
	mkdir -p "${d#/}"
	cp -RL "$d/." "${d#/}/"
done
echo "add-gdb: $root: gdb ($(du -sh usr/bin/gdb | cut -f1)) and its libraries"
