#!/usr/bin/env bats
# ext4 root filesystems: booting root=/dev/ubda from an image with a COW
# file; guest programs give the host's output with / on ext4; data
# persists across boots and the base image never changes; poweroff leaves
# a filesystem e2fsck calls clean; fsync'd data survives kill -9 of umk;
# bad images are one-line errors.

load ../lib.sh

setup_file() {
	[ -d "$UMK_TEST_ROOTFS/tests" ] || return 0
	export EXT4_BASE=$BATS_FILE_TMPDIR/base.ext4
	sh "$UMK_TOP/rootfs/build-image.sh" "$UMK_TEST_ROOTFS" "$EXT4_BASE" >/dev/null
	chmod a-w "$EXT4_BASE"
	sha256sum <"$EXT4_BASE" >"$BATS_FILE_TMPDIR/base.sum"
}

need_image() {
	[ -x "$UMK_BIN" ] || { echo "$UMK_BIN is not built"; false; }
	[ -f "${EXT4_BASE:-}" ] || { echo "build/test-rootfs is not built (make test-rootfs)"; false; }
	command -v e2fsck >/dev/null || skip "e2fsck (e2fsprogs) not installed"
	COW=$BATS_TEST_TMPDIR/guest.cow
}

base_unchanged() {
	sha256sum <"$EXT4_BASE" | cmp -s - "$BATS_FILE_TMPDIR/base.sum"
}

# e2fsck_cow: merge the COW over the base into a scratch image and check it.
e2fsck_cow() {
	local img=$BATS_TEST_TMPDIR/merged.ext4
	rm -f "$img"
	"$UMK_BUILD/umk-cow" merge "$COW" "$img" >/dev/null
	e2fsck -fn "$img"
}

# ext4_boot MODE SCRIPT: boot / from the base image with $COW, the
# script as init (sh -c).
ext4_boot() {
	UMK_ROOT_UBD="$COW,$EXT4_BASE" umk_boot "$1" /nonexistent /bin/sh -c "$2"
}

# A guest program with / on ext4 (a fresh COW each time), compared with
# the native run in every mode; then the filesystem must be clean.
ext4_guest() {
	need_image
	local mode failed=""
	for mode in $UMK_MODES; do
		rm -f "$COW"
		if ! UMK_MODES=$mode UMK_ROOT_UBD="$COW,$EXT4_BASE" guest_check "$1"; then
			failed="$failed $mode"
			continue
		fi
		e2fsck_cow || failed="$failed $mode(e2fsck)"
	done
	base_unchanged
	[ -z "$failed" ]
}

@test "ext4 root: files (guest program, native vs umk, e2fsck clean)" { ext4_guest files; }
@test "ext4 root: paths" { ext4_guest paths; }
@test "ext4 root: perms" { ext4_guest perms; }
@test "ext4 root: locks" { ext4_guest locks; }
@test "ext4 root: mmap" { ext4_guest mmap; }
@test "ext4 root: exec" { ext4_guest exec; }
@test "ext4 root: cow" { ext4_guest cow; }
@test "ext4 root: unix_stream (socket nodes on ext4)" { ext4_guest unix_stream; }
@test "ext4 root: tmpfs_mount" { ext4_guest tmpfs_mount; }
@test "ext4 root: misc" { ext4_guest misc; }
@test "ext4 root: bigread (extent reads, holes, partial blocks)" { ext4_guest bigread; }
@test "ext4 root: inotify (events on ext4)" { ext4_guest inotify; }
@test "ext4 root: fanotify" { ext4_guest fanotify; }

@test "ext4 root: boot from image+COW; files persist across boots; base unchanged; deleting the COW undoes" {
	need_image
	local mode=${UMK_MODES%% *}
	ext4_boot "$mode" 'mount -t proc proc /proc; grep " / " /proc/mounts
mkdir -p /root/work/deep && cd /root/work
seq 1 50000 >numbers; ln -s numbers link; ln numbers hard; mkfifo fifo
for i in $(seq 1 400); do : >"deep/entry-with-a-long-name-$i"; done
rm deep/entry-with-a-long-name-7; mv deep/entry-with-a-long-name-8 renamed
chmod 640 numbers; chown 12:34 numbers; touch -d @1600000000 numbers
sha256sum numbers; echo booted-once; poweroff -f'
	cat "$UMK_OUT"
	grep -q "^/dev/root / ext4 rw" "$UMK_OUT"
	grep -qx booted-once "$UMK_OUT"
	[ "$UMK_STATUS" = 0 ]
	base_unchanged
	e2fsck_cow
	local sum
	sum=$(seq 1 50000 | sha256sum | cut -d' ' -f1)
	ext4_boot "$mode" 'cd /root/work; sha256sum numbers; readlink link; stat -c "%h %a %u:%g %Y %F" numbers fifo
ls deep | wc -l; ls renamed; poweroff -f'
	cat "$UMK_OUT"
	grep -q "^$sum " "$UMK_OUT"
	grep -qx numbers "$UMK_OUT"
	grep -qx "2 640 12:34 1600000000 regular file" "$UMK_OUT"
	grep -q "fifo$" "$UMK_OUT"
	grep -qx 398 "$UMK_OUT"
	grep -qx renamed "$UMK_OUT"
	base_unchanged
	rm "$COW"
	ext4_boot "$mode" 'ls /root/work 2>&1; poweroff -f'
	cat "$UMK_OUT"
	grep -q "No such file or directory" "$UMK_OUT"
	base_unchanged
}

@test "ext4 root: rcS writes /boot/config-RELEASE, the kernel's /proc/config.gz, and keeps it across boots" {
	need_image
	rm -f "$COW"
	ext4_boot skas '/etc/init.d/rcS >/dev/null 2>&1
		f=/boot/config-$(uname -r); zcat /proc/config.gz | cmp - "$f" && echo "config mat""ches"
		stat -c "%Y" "$f" >/root/mtime; sync'
	cat "$UMK_OUT"
	grep -q "config matches" "$UMK_OUT"
	# the next boot finds it unchanged and leaves it alone
	ext4_boot skas '/etc/init.d/rcS >/dev/null 2>&1
		[ "$(stat -c %Y /boot/config-$(uname -r))" = "$(cat /root/mtime)" ] && echo "un""touched"'
	cat "$UMK_OUT"
	grep -q untouched "$UMK_OUT"
	base_unchanged
}

@test "ext4 root: mount -o remount,ro / writes it clean; remount,rw works again" {
	need_image
	ext4_boot "${UMK_MODES%% *}" 'mount -t proc proc /proc
echo one >/root/f; mount -o remount,ro /; grep " / " /proc/mounts
echo two >/root/g 2>/dev/null || echo refused
mount -o remount,rw /; echo three >/root/h && cat /root/f /root/h; poweroff -f'
	cat "$UMK_OUT"
	grep -q "^/dev/root / ext4 ro" "$UMK_OUT"
	grep -qx refused "$UMK_OUT"
	grep -qx one "$UMK_OUT"
	grep -qx three "$UMK_OUT"
	e2fsck_cow
}

@test "ext4 root: kill -9 of umk in a write loop: everything fsync'd before is intact on the next boot" {
	need_image
	local out=$BATS_TEST_TMPDIR/kill.out err=$BATS_TEST_TMPDIR/kill.err n=0 pid i
	# Each round writes a file, fsyncs it, logs its checksum, fsyncs the
	# log, then says DONE: what the host saw DONE for is durable.
	"$UMK_BIN" mem=128M "ubd0=$COW,$EXT4_BASE" root=/dev/ubda rw quiet init=/bin/sh -- -c '
mkdir -p /data; i=0
while :; do i=$((i+1))
dd if=/dev/urandom of=/data/f$i bs=4096 count=$((i % 7 + 1)) 2>/dev/null
sync /data/f$i; echo "$i $(sha256sum </data/f$i)" >>/data/log; sync /data/log
echo "DONE $i"; done' </dev/null >"$out" 2>"$err" &
	pid=$!
	for i in $(seq 1 600); do
		n=$(grep -c '^DONE' "$out" || true)
		[ "$n" -ge 30 ] && break
		sleep 0.1
	done
	kill -9 "$pid"
	wait "$pid" || true
	n=$(grep '^DONE' "$out" | tail -n 1 | cut -d' ' -f2)
	echo "killed after $n fsync'd rounds"
	[ "$n" -ge 30 ]
	base_unchanged
	ext4_boot "${UMK_MODES%% *}" "n=$n; bad=0
while read -r i sum _; do [ \"\$i\" -le \$n ] || continue
[ \"\$(sha256sum </data/f\$i | cut -d' ' -f1)\" = \"\$sum\" ] || { echo \"BAD \$i\"; bad=1; }
done </data/log
echo \"logged: \$(awk -v n=\$n '\$1 <= n' /data/log | wc -l) of \$n\"; echo bad=\$bad
dmesg | grep -o 'recovery complete' | sed 's/^/kernel: /'; poweroff -f"
	cat "$UMK_OUT"
	cat "$UMK_ERR"
	grep -qx "logged: $n of $n" "$UMK_OUT"
	grep -qx "bad=0" "$UMK_OUT"
	grep -qx "kernel: recovery complete" "$UMK_OUT"	# the journal was replayed
	e2fsck_cow
}

# refused_boot FILE UMK-OPTIONS...: umk must stop with one line on stderr
# (in $BATS_TEST_TMPDIR/e) and status 2, leaving FILE as it was.
refused_boot() {
	local file=$1 sum
	shift
	sum=$(sha256sum <"$file")
	umk_run_timeout 20 "$BATS_TEST_TMPDIR/o" "$BATS_TEST_TMPDIR/e" "$UMK_BIN" "$@" rw quiet
	cat "$BATS_TEST_TMPDIR/e"
	[ "$UMK_STATUS" = 2 ] && [ "$(wc -l <"$BATS_TEST_TMPDIR/e")" = 1 ] && [ "$(sha256sum <"$file")" = "$sum" ]
}

@test "ext4 root: bad images are one-line errors and nothing is written" {
	need_image
	local img=$BATS_TEST_TMPDIR/small.ext4 e=$BATS_TEST_TMPDIR/e
	# an image smaller than its filesystem (a cut-short copy)
	head -c 50M "$EXT4_BASE" >"$img"
	refused_boot "$img" "ubd0=$img"
	grep -q "block count exceeds the size of the device" "$e"
	# not a filesystem at all
	head -c 4M /dev/zero >"$img"
	refused_boot "$img" "ubd0=$img"
	grep -q "umk: root=/dev/ubda: cannot mount" "$e"
	# a journal that needs recovery on a read-only device: it cannot be
	# replayed, so it is not mounted (as Linux)
	cp "$EXT4_BASE" "$img"
	chmod u+w "$img"
	debugfs -w -R "feature needs_recovery" "$img" >/dev/null 2>&1
	refused_boot "$img" "ubd0r=$img"
	grep -q "journal needs recovery but the device is read-only" "$e"
	# a COW file whose header is damaged (version 9)
	rm -f "$COW"
	"$UMK_BUILD/umk-cow" create "$COW" "$EXT4_BASE" >/dev/null
	printf '\0\0\0\11' | dd of="$COW" bs=1 seek=4 conv=notrunc 2>/dev/null
	refused_boot "$COW" "ubd0=$COW"
	# a backing file touched after the COW was made
	local b2=$BATS_TEST_TMPDIR/b2.ext4
	cp "$EXT4_BASE" "$b2"
	rm -f "$COW"
	"$UMK_BUILD/umk-cow" create "$COW" "$b2" >/dev/null
	touch -d @1700000000 "$b2"
	refused_boot "$COW" "ubd0=$COW"
	grep -q "mtime" "$e"
	base_unchanged
}

@test "make run's script boots build/rootfs.ext4 through its COW file; the image never changes" {
	need_image
	[ -f "$UMK_BUILD/rootfs.ext4" ] || skip "build/rootfs.ext4 is not built (make rootfs)"
	local sum cow=$BATS_TEST_TMPDIR/run.cow
	sum=$(sha256sum <"$UMK_BUILD/rootfs.ext4")
	UMK_NET=none UMK_COW=$cow umk_run_timeout 60 "$BATS_TEST_TMPDIR/o" "$BATS_TEST_TMPDIR/e" bash "$UMK_TOP/scripts/run-default.sh" \
		quiet init=/bin/sh -- -c 'mount -o remount,rw /; echo kept >/root/run-test; poweroff -f'
	cat "$BATS_TEST_TMPDIR/o" "$BATS_TEST_TMPDIR/e"
	[ "$UMK_STATUS" = 0 ]
	grep -q "first boot" "$BATS_TEST_TMPDIR/o"
	[ -f "$cow" ]
	UMK_NET=none UMK_COW=$cow umk_run_timeout 60 "$BATS_TEST_TMPDIR/o" "$BATS_TEST_TMPDIR/e" bash "$UMK_TOP/scripts/run-default.sh" \
		quiet init=/bin/sh -- -c 'cat /root/run-test; poweroff -f'
	cat "$BATS_TEST_TMPDIR/o"
	grep -qx kept "$BATS_TEST_TMPDIR/o"
	[ "$(sha256sum <"$UMK_BUILD/rootfs.ext4")" = "$sum" ]
}

@test "ext4 root: a COW file made by uml_mkcow boots; uml_moo merges what umk wrote into a clean image" {
	need_image
	command -v uml_mkcow >/dev/null && command -v uml_moo >/dev/null || skip "uml-utilities not installed"
	rm -f "$COW"
	uml_mkcow "$COW" "$EXT4_BASE"
	ext4_boot "${UMK_MODES%% *}" 'seq 1 3000 >/root/from-umk; mkdir /root/dir-from-umk; poweroff -f'
	[ "$UMK_STATUS" = 0 ]
	local img=$BATS_TEST_TMPDIR/moo.ext4
	uml_moo "$COW" "$img"
	e2fsck -fn "$img"
	debugfs -R "cat /root/from-umk" "$img" 2>/dev/null | cmp - <(seq 1 3000)
	debugfs -R "stat /root/dir-from-umk" "$img" 2>/dev/null | grep -q "Type: directory"
	base_unchanged
}

@test "ext4 root: rcS checks a read-only image root with e2fsck -p (after an unclean stop) and remounts it read-write" {
	need_image
	local img=$BATS_TEST_TMPDIR/dirty.ext4
	cp "$EXT4_BASE" "$img"
	chmod u+w "$img"
	debugfs -w -R "ssv state 0" "$img" >/dev/null 2>&1 # as a kill -9 leaves it
	umk_run_timeout 60 "$BATS_TEST_TMPDIR/o" "$BATS_TEST_TMPDIR/e" "$UMK_BIN" mem=128M "ubd0=$img" ro quiet \
		init=/bin/sh -- -c '/etc/init.d/rcS; grep " / " /proc/mounts; echo ok >/root/after-fsck && cat /root/after-fsck; poweroff -f'
	tr -d '\r' <"$BATS_TEST_TMPDIR/o"
	[ "$UMK_STATUS" = 0 ]
	grep -q "was not cleanly unmounted, check forced" "$BATS_TEST_TMPDIR/o"
	grep -q "^/dev/root / ext4 rw" "$BATS_TEST_TMPDIR/o"
	grep -q "^ok" "$BATS_TEST_TMPDIR/o"
	e2fsck -fn "$img"
}

# fallocate on ext4 (Documentation/filesystems.md): tests/guest/fallocate
# DIR on a fresh 4 KiB-block ext4 image, loop-mounted natively and as
# ubdb in umk; the outputs (sizes, st_blocks, data) must match and the
# image must be clean afterwards.
@test "ext4: fallocate modes (allocate, KEEP_SIZE, PUNCH_HOLE, ZERO_RANGE) on a second disk: native loop mount vs umk, e2fsck clean" {
	[ -x "$UMK_BIN" ] || { echo "$UMK_BIN is not built"; false; }
	[ -x "$UMK_TEST_ROOTFS/tests/fallocate" ] || { echo "build/test-rootfs is not built (make test-rootfs)"; false; }
	command -v mke2fs >/dev/null || skip "mke2fs (e2fsprogs) not installed"
	[ "$(id -u)" = 0 ] || skip "the native run needs root (loop mount)"
	local img=$BATS_TEST_TMPDIR/falloc.ext4 mnt=$BATS_TEST_TMPDIR/mnt want=$BATS_TEST_TMPDIR/want rc=0 mode failed=""
	rm -f "$img"
	truncate -s 64M "$img"
	mke2fs -q -F -t ext4 -b 4096 "$img"
	mkdir -p "$mnt"
	mount -o loop "$img" "$mnt" 2>/dev/null || skip "no loop mounts on this host"
	"$UMK_GUEST_BIN/fallocate" "$mnt" >"$want" 2>&1 || rc=$?
	umount "$mnt"
	echo "=== EXIT $rc" >>"$want"
	[ "$rc" = 0 ] || { echo "native run failed:"; cat "$want"; false; }
	for mode in $UMK_MODES; do
		rm -f "$img"
		truncate -s 64M "$img"
		mke2fs -q -F -t ext4 -b 4096 "$img"
		umk_run_timeout "$UMK_TIMEOUT" "$BATS_TEST_TMPDIR/out.$mode" "$BATS_TEST_TMPDIR/err.$mode" \
			"$UMK_BIN" mem=128M root=/dev/root rootfstype=hostfs "hostfs=$UMK_TEST_ROOTFS" "ubd1=$img" \
			init=/bin/sh "mode=$mode" rw quiet -- -c 'mount -t proc proc /proc; mount -t devtmpfs devtmpfs /dev
				mount -t ext4 /dev/ubdb /mnt || echo "mount failed"
				echo "=== FALLOC-BEGIN"; /tests/fallocate /mnt 2>&1; echo "=== EXIT $?"
				umount /mnt; poweroff -f'
		tr -d '\r' <"$BATS_TEST_TMPDIR/out.$mode" | sed -n '/^=== FALLOC-BEGIN$/,/^=== EXIT /p' | sed 1d >"$BATS_TEST_TMPDIR/got.$mode"
		if ! diff -u --label native --label "umk mode=$mode" "$want" "$BATS_TEST_TMPDIR/got.$mode"; then
			failed="$failed $mode"
			tail -n 20 "$BATS_TEST_TMPDIR/out.$mode" "$BATS_TEST_TMPDIR/err.$mode"
		elif ! e2fsck -fn "$img"; then
			failed="$failed $mode(e2fsck)"
		fi
	done
	[ -z "$failed" ] || { echo "FAILED in mode(s):$failed"; false; }
}
