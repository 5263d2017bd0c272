#!/bin/sh
# Builds the ext4 root image build/rootfs.ext4 from the staged directory
# tree (build/rootfs-dir) with `mke2fs -t ext4 -d`: no root privileges, no
# loop mounts, and reproducible: the same tree gives the same image, byte
# for byte, whoever runs the build (root or not) and whenever.
#
# What would otherwise vary between two builds, and how it is pinned:
#   - superblock times (mkfs, write, last check), the journal, lost+found
#     and the reserved inodes: E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH;
#   - UUID, directory hash seed, label: fixed (-U, -E hash_seed, -L);
#     the metadata checksums are seeded from the fixed UUID;
#   - the host's /etc/mke2fs.conf (features, "small" block size, inode
#     ratio): MKE2FS_CONFIG=rootfs/mke2fs.conf;
#   - directory order: mke2fs -d sorts entries (scandir + alphasort), and
#     LC_ALL=C makes that sort bytewise;
#   - the image size: computed from file sizes, not from `du` (which
#     depends on the host filesystem's allocation);
#   - what mke2fs -d copies from the host inodes: uid/gid (the builder's,
#     0 only when the build runs as root), atime and ctime (the host's
#     clock), mtime. A post-pass with `debugfs -w` sets, for every inode in
#     use, uid 0, gid 0 and all four timestamps to SOURCE_DATE_EPOCH, so
#     the staged tree itself is left untouched (it is hostfs's root);
#   - extended attributes the host attached (security.selinux on an
#     SELinux host): removed in the same pass, with a warning, since they
#     leave traces (the in-inode attribute header, an external attribute
#     block that shifted the allocation): a build on such a host is
#     reproducible there but differs from a build on a host without them.
# File modes and contents come from the staged tree (rootfs/build-rootfs.sh
# builds it with umask 022). See Documentation/default-image.md.
#
# usage: rootfs/build-image.sh SRCDIR OUT.ext4
#   SOURCE_DATE_EPOCH (default 1704067200, 2024-01-01 00:00:00 UTC): the
#   time stamped on everything in the image.
#   UMK_IMAGE_HEADROOM_MB (default 64): free space on top of the files.
set -eu
export LC_ALL=C TZ=UTC

src=${1:?usage: build-image.sh SRCDIR OUT.ext4}
out=${2:?usage: build-image.sh SRCDIR OUT.ext4}
here=$(cd "$(dirname "$0")" && pwd)
epoch=${SOURCE_DATE_EPOCH:-1704067200}
headroom=${UMK_IMAGE_HEADROOM_MB:-64}
# Fixed identity: "umk-rootfs" in hex, then 1 for the UUID, 2 for the seed.
uuid=756d6b2d-726f-6f74-6673-000000000001
hash_seed=756d6b2d-726f-6f74-6673-000000000002
label=umk-root

die() {
	echo "build-image: $*" >&2
	exit 1
}
case $epoch in '' | *[!0-9]*) die "SOURCE_DATE_EPOCH=$epoch: not a number of seconds" ;; esac
case $headroom in '' | *[!0-9]*) die "UMK_IMAGE_HEADROOM_MB=$headroom: not a number" ;; esac
[ -d "$src" ] || die "$src: no such directory (make rootfs builds it)"
PATH=$PATH:/usr/sbin:/sbin
for tool in mke2fs debugfs dumpe2fs; do
	command -v $tool >/dev/null 2>&1 || die "$tool not found: install e2fsprogs (make deps)"
done

t0=$(date +%s%N)

# Size: every regular file rounded up to 4 KiB blocks, 4 KiB for every
# other inode (directories, symlinks), hard links counted once; plus 10%
# for metadata, plus the headroom; rounded up to 16 MiB.
bytes=$(find "$src" -printf '%i %y %s\n' | sort -u -k1,1n | awk '
	$2 == "f" { n += int(($3 + 4095) / 4096) * 4096; next }
	{ n += 4096 }
	END { printf "%d\n", n }')
mib=$(((bytes * 11 / 10 + 1048575) / 1048576 + headroom))
mib=$(((mib + 15) / 16 * 16))

tmp="$out.new.$$"
cmds="$out.debugfs.$$"
trap 'rm -f "$tmp" "$cmds"' EXIT
rm -f "$tmp"
mkdir -p "$(dirname "$out")"
# A new sparse file every time: mke2fs skips blocks it believes are zero.
truncate -s "${mib}M" "$tmp"

MKE2FS_CONFIG=$here/mke2fs.conf E2FSPROGS_FAKE_TIME=$epoch \
	mke2fs -q -F -t ext4 -T default -b 4096 -L "$label" -U "$uuid" \
	-E "hash_seed=$hash_seed,root_owner=0:0" -d "$src" "$tmp" ||
	die "mke2fs -d $src failed"

# The inodes in use: 2 (the root) and 11 up (lost+found, then the tree),
# from the inode bitmaps ("Free inodes: 230-6144, 6150" per group).
ipg=$(dumpe2fs -h "$tmp" 2>/dev/null | sed -n 's/^Inodes per group: *//p')
[ -n "$ipg" ] || die "dumpe2fs $tmp: no inode count"
dumpe2fs "$tmp" 2>/dev/null | awk -v ipg="$ipg" -v t="@$epoch" '
	function flush(    i) {
		if (g < 0) return
		for (i = g * ipg + 1; i <= (g + 1) * ipg; i++)
			if (!(i in free) && (i == 2 || i >= 11)) used[nused++] = i
		delete free
	}
	/^Group [0-9]+:/ { flush(); g = $2 + 0; next }
	/^  Free inodes:/ {
		sub(/^  Free inodes: */, "")
		n = split($0, r, /, */)
		for (k = 1; k <= n; k++) {
			if (r[k] == "") continue
			m = split(r[k], ab, "-")
			lo = ab[1] + 0; hi = (m > 1 ? ab[2] : ab[1]) + 0
			for (i = lo; i <= hi; i++) free[i] = 1
		}
	}
	BEGIN { g = -1 }
	END {
		flush()
		for (k = 0; k < nused; k++) {
			ino = "<" used[k] ">"
			print "sif " ino " uid 0"
			print "sif " ino " gid 0"
			split("atime ctime mtime crtime", f, " ")
			for (j = 1; j <= 4; j++) {
				print "sif " ino " " f[j] " " t
				print "sif " ino " " f[j] "_extra 0"
			}
		}
	}' >"$cmds"
[ -s "$cmds" ] || die "dumpe2fs $tmp: no inodes in use?"

# Extended attributes copied from the host (none on most hosts).
xattrs=$(sed -n 's/^sif \(<[0-9]*>\) uid 0$/ea_list \1/p' "$cmds" |
	debugfs -f - "$tmp" 2>/dev/null | awk '
	/^debugfs: ea_list / { ino = $3; next }
	/^Extended attributes:/ { next }
	/^  [^ =]+ / { name = $1; sub(/ .*/, "", name); print "ea_rm " ino " " name }')
if [ -n "$xattrs" ]; then
	printf '%s\n' "$xattrs" >>"$cmds"
	echo "build-image: warning: the host attached extended attributes to $(printf '%s\n' "$xattrs" | wc -l) files" \
		"(e.g. security.selinux); they are removed, but the image will not be byte-identical" \
		"to one built on a host without them" >&2
fi

E2FSPROGS_FAKE_TIME=$epoch debugfs -w -f "$cmds" "$tmp" >/dev/null 2>"$cmds.err" || {
	cat "$cmds.err" >&2
	rm -f "$cmds.err"
	die "debugfs -w $tmp failed"
}
# debugfs reports failed commands on stderr but exits 0.
if grep -v '^debugfs [0-9.]* (' "$cmds.err" | grep -q .; then
	grep -v '^debugfs [0-9.]* (' "$cmds.err" | head -n 5 >&2
	rm -f "$cmds.err"
	die "debugfs -w $tmp: some inodes were not fixed"
fi
rm -f "$cmds.err"

# Read-only for everyone but the builder: the base image is shared (guests
# write to their own COW files), whatever the builder's umask.
chmod 0644 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
rm -f "$cmds"
t1=$(date +%s%N)
echo "build-image: $out: ${mib} MiB ext4, $(($(dumpe2fs -h "$out" 2>/dev/null | sed -n 's/^Inode count: *//p') - $(dumpe2fs -h "$out" 2>/dev/null | sed -n 's/^Free inodes: *//p'))) inodes, built in $(((t1 - t0) / 1000000)) ms"
