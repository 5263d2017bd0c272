#!/bin/sh
# Builds a directory root filesystem for umk's hostfs root from Debian's
# busybox-static: /bin/busybox plus a hard link for every applet it lists,
# a minimal /etc, empty mount points, and /init.
#
# usage: rootfs/build-rootfs.sh OUTDIR [BUSYBOX]
set -eu

out=${1:?usage: build-rootfs.sh OUTDIR [BUSYBOX]}
bb=${2:-/bin/busybox}
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -x "$bb" ]; then
	echo "build-rootfs: $bb not found: install busybox-static (make deps)" >&2
	exit 1
fi
if ! "$bb" --list-full >/dev/null 2>&1; then
	echo "build-rootfs: $bb does not run --list-full" >&2
	exit 1
fi

tmp="$out.new.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"
cd "$tmp"

mkdir -p bin sbin usr/bin usr/sbin etc dev proc sys tmp root
chmod 1777 tmp
chmod 0700 root
cp "$bb" bin/busybox
chmod 0755 bin/busybox

# Hard links rather than symlinks: exec needs no symlink resolution, and
# argv[0] still names the applet.
"$bb" --list-full | while read -r app; do
	[ -n "$app" ] || continue
	mkdir -p "$(dirname "$app")"
	[ -e "$app" ] || ln bin/busybox "$app"
done

cat >etc/passwd <<'X'
root::0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
X
cat >etc/group <<'X'
root:x:0:
daemon:x:1:
tty:x:5:
nogroup:x:65534:
X
echo umk >etc/hostname
cat >etc/hosts <<'X'
127.0.0.1	localhost
127.0.1.1	umk
X
cat >etc/profile <<'X'
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
PS1='umk:\w# '
X
echo /bin/sh >etc/shells

cp "$here/init" init
chmod 0755 init

cd - >/dev/null
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "build-rootfs: $out: $("$bb" --list-full | wc -l) applets"
