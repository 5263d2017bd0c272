#!/usr/bin/env bats
# The ext4 root image (rootfs/build-image.sh, `make rootfs`): reproducible
# byte for byte, a clean filesystem, everything root:root, the default
# userland inside. Built here from build/rootfs-dir into temporary paths,
# so build/rootfs.ext4 itself is never touched. No umk boot.

load ../lib.sh

BUILD_IMAGE=$UMK_TOP/rootfs/build-image.sh

setup_file() {
	export IMG=$BATS_FILE_TMPDIR/rootfs.ext4
	if [ -x "$UMK_ROOTFS/bin/busybox" ]; then
		sh "$BUILD_IMAGE" "$UMK_ROOTFS" "$IMG" >"$BATS_FILE_TMPDIR/build.log" 2>&1 || true
	fi
}

need_image() {
	[ -x "$UMK_ROOTFS/bin/busybox" ] || { echo "$UMK_ROOTFS is not built (make rootfs)"; false; }
	[ -s "$IMG" ] || { echo "build-image.sh failed:"; cat "$BATS_FILE_TMPDIR/build.log"; false; }
}

# build OUT: builds an image of build/rootfs-dir, sets BUILD_MS.
build() {
	local t0 t1
	t0=$(date +%s%N)
	sh "$BUILD_IMAGE" "$UMK_ROOTFS" "$1"
	t1=$(date +%s%N)
	BUILD_MS=$(((t1 - t0) / 1000000))
}

@test "image: two builds into two paths are byte-identical (build time as a diagnostic)" {
	need_image
	local a=$BATS_TEST_TMPDIR/a/one.ext4 b=$BATS_TEST_TMPDIR/b/two.ext4 ms1 ms2
	build "$a"
	ms1=$BUILD_MS
	sleep 1 # a different second for anything that would read the clock
	build "$b"
	ms2=$BUILD_MS
	local s1 s2
	s1=$(sha256sum <"$a" | cut -d' ' -f1)
	s2=$(sha256sum <"$b" | cut -d' ' -f1)
	echo "# build-image: $ms1 ms and $ms2 ms, $(($(stat -c %s "$a") / 1048576)) MiB, sha256 $s1" >&3
	if [ "$s1" != "$s2" ]; then
		echo "checksums differ: $s1 $s2"
		cmp -l "$a" "$b" | head -n 20
		diff <(dumpe2fs "$a" 2>/dev/null) <(dumpe2fs "$b" 2>/dev/null) | head -n 20
		false
	fi
}

@test "image: e2fsck -fn reports it clean" {
	need_image
	run e2fsck -fn "$IMG"
	echo "$output"
	[ "$status" = 0 ]
	[[ $output == *"umk-root: "*" files "* ]]
}

@test "image: /bin/busybox (and every inode) is root:root with SOURCE_DATE_EPOCH times" {
	need_image
	run debugfs -R 'stat /bin/busybox' "$IMG"
	echo "$output"
	[ "$status" = 0 ]
	[[ $output == *"Type: regular"* ]]
	[[ $output =~ User:\ +0\ +Group:\ +0\  ]]
	grep -q '^ mtime: 0x65920080:00000000' <<<"$output"
	grep -q '^ ctime: 0x65920080:00000000' <<<"$output"
	# Every entry of every directory: "ls -p" prints /ino/mode/uid/gid/name/size/.
	local cmds=$BATS_TEST_TMPDIR/ls.cmds
	(cd "$UMK_ROOTFS" && find . -type d -printf 'ls -p "/%P"\n') >"$cmds"
	run debugfs -f "$cmds" "$IMG"
	[ "$status" = 0 ]
	local entries bad
	entries=$(grep -c '^/[0-9]' <<<"$output")
	bad=$(awk -F/ '/^\/[0-9]/ && ($4 != 0 || $5 != 0)' <<<"$output")
	echo "$entries entries, not root:root: ${bad:-none}"
	[ -z "$bad" ]
	[ "$entries" -gt 400 ]
}

@test "image: holds /usr/bin/bash and /etc/inittab, same as build/rootfs-dir" {
	need_image
	run debugfs -R 'stat /usr/bin/bash' "$IMG"
	[ "$status" = 0 ]
	[[ $output == *"Type: regular"*"Mode:  0755"* ]] || { echo "$output"; false; }
	debugfs -R 'dump /usr/bin/bash '"$BATS_TEST_TMPDIR/bash" "$IMG" 2>/dev/null
	cmp "$BATS_TEST_TMPDIR/bash" "$UMK_ROOTFS/usr/bin/bash"
	run debugfs -R 'cat /etc/inittab' "$IMG"
	[ "$status" = 0 ]
	diff <(sed '/^debugfs [0-9.]* (/d' <<<"$output") "$UMK_ROOTFS/etc/inittab"
}

@test "image: a build by a non-root user from a tree it owns is identical" {
	need_image
	[ "$(id -u)" = 0 ] || skip "needs root to make the other user's tree"
	command -v setpriv >/dev/null || skip "no setpriv"
	# Outside bats's private (0700) temporary directory, so nobody can reach it.
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/umk-image.XXXXXX")
	chmod 0755 "$d"
	cp -a "$UMK_ROOTFS" "$d/src"
	chown -R 65534:65534 "$d"
	run setpriv --reuid=65534 --regid=65534 --clear-groups sh "$BUILD_IMAGE" "$d/src" "$d/img.ext4"
	echo "$output"
	local rc=0
	[ "$status" = 0 ] && cmp "$IMG" "$d/img.ext4" || rc=1
	rm -rf "$d"
	[ "$rc" = 0 ]
}

@test "image: SOURCE_DATE_EPOCH sets the timestamps" {
	need_image
	local out=$BATS_TEST_TMPDIR/epoch.ext4
	SOURCE_DATE_EPOCH=1000000000 sh "$BUILD_IMAGE" "$UMK_ROOTFS" "$out"
	run debugfs -R 'stat /etc/inittab' "$out"
	echo "$output"
	grep -q '^ mtime: 0x3b9aca00:00000000' <<<"$output"
	run dumpe2fs -h "$out"
	grep -q '^Filesystem created: *Sun Sep  9 01:46:40 2001' <<<"$output"
	if cmp -s "$IMG" "$out"; then
		echo "another SOURCE_DATE_EPOCH gave the same image"
		false
	fi
}
