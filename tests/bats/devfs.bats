#!/usr/bin/env bats
# /dev in the default guest (Documentation/filesystems.md, "/dev"): whole
# reads of the memory devices, devtmpfs as a tmpfs root can change (mkdir,
# mknod of known and unknown device numbers, symlink, rename, chmod,
# chown, unlink, rmdir), non-root refused, the /dev/shm tmpfs (1777, POSIX
# shared memory through Debian's python3) and /dev/pts the boot scripts
# mount, and the /dev/fd, /dev/stdin... links. The same checks on a real
# Linux /dev are in tests/guest/devnodes.c (run natively too).

load ../lib.sh

need_umk() {
	[ -x "$UMK_BIN" ] || { echo "$UMK_BIN is not built"; false; }
	[ -x "$UMK_ROOTFS/bin/busybox" ] || { echo "$UMK_ROOTFS is not built (make rootfs)"; false; }
}

# The commands, one a line, for the /init shell on the console. Expected
# lines are built with "" in the middle so the text of a command never
# matches them.
DEV_SCRIPT='dd if=/dev/zero bs=1M count=8 2>/dev/null | wc -c
head -c 8388608 /dev/urandom | wc -c
mkdir /dev/x && rmdir /dev/x && echo "mkdir ""ok"
mknod /dev/null2 c 1 3 && echo data >/dev/null2 && echo "null2 $(wc -c </dev/null2) ""bytes"
mknod /dev/zero2 c 1 5 && echo "zero2 $(head -c 100000 /dev/zero2 | tr -d "\0" | wc -c) ""nonzero"
mknod /dev/nodev c 42 42 && cat /dev/nodev 2>&1 | sed "s/.*: //"
ls -l /dev/null2 | cut -c1-10
chmod 600 /dev/null2 && chown 1:2 /dev/null2 && echo "owner $(stat -c "%a %u %g" /dev/null2)"
ln -s null2 /dev/nl && mv /dev/nl /dev/nl2 && echo "link $(readlink /dev/nl2)" && rm /dev/nl2 /dev/null2 /dev/zero2 /dev/nodev
[ -e /dev/null2 ] || echo "removed ""ok"
su -s /bin/sh nobody -c "mkdir /dev/y; mknod /dev/z c 1 3; rm /dev/null" 2>&1 | sed "s/.*: //"
echo "shm $(stat -c "%a" /dev/shm) $(stat -f -c %T /dev/shm) $(grep -c " /dev/shm tmpfs " /proc/mounts)"
echo "pts $(stat -f -c %T /dev/pts) $(ls /dev/pts | grep -c ptmx)"
echo "fd $(readlink /dev/fd) $(readlink /dev/stdin) $(readlink /dev/stdout) $(readlink /dev/stderr) $(ls /dev/fd/ | grep -c "^[012]$")"
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "from multiprocessing import shared_memory as s; import os; m=s.SharedMemory(create=True, size=4096, name=\"umkdevfs\"); m.buf[0]=42; n=s.SharedMemory(name=\"umkdevfs\"); print(\"shm_open\", n.buf[0], os.path.exists(\"/dev/shm/umkdevfs\")); n.close(); m.close(); m.unlink(); print(\"unlinked\", not os.path.exists(\"/dev/shm/umkdevfs\"))"
exit 0'

DEV_WANT='8388608
8388608
mkdir ok
null2 0 bytes
zero2 0 nonzero
No such device or address
crw-r--r--
owner 600 1 2
link null2
removed ok
Permission denied
Permission denied
Permission denied
shm 1777 tmpfs 1
pts devpts 1
fd /proc/self/fd /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2 3'

@test "devfs: /init on the default image: 8 MiB reads, mkdir/mknod/symlink/rename/chmod/unlink in /dev, non-root refused, /dev/shm, /dev/pts, /dev/fd (every mode)" {
	need_umk
	local failed="" mode want=$BATS_TEST_TMPDIR/want
	printf '%s\n' "$DEV_SCRIPT" >"$BATS_TEST_TMPDIR/stdin"
	printf '%s\n' "$DEV_WANT" >"$want"
	if [ -x "$UMK_ROOTFS/usr/bin/python3" ]; then
		printf '%s\n' "shm_open 42 True" "unlinked True" >>"$want"
	fi
	for mode in $UMK_MODES; do
		UMK_STDIN=$BATS_TEST_TMPDIR/stdin umk_boot "$mode" "$UMK_ROOTFS" /init
		# the shell's output after its banner, without prompts
		sed -n "/^Enter 'help'/,\$p" "$UMK_OUT" | sed '1d; s/^root@umk:~# //' | grep -v '^umk: \|^$' >"$BATS_TEST_TMPDIR/got.$mode"
		if ! diff -u --label expected --label "umk mode=$mode" "$want" "$BATS_TEST_TMPDIR/got.$mode"; then
			failed="$failed $mode"
			umk_explain
		elif [ "$UMK_STATUS" != 0 ]; then
			failed="$failed $mode"
			echo "mode=$mode: umk exited with $UMK_STATUS (want 0 after poweroff -f)"
			umk_explain
		fi
	done
	[ -z "$failed" ] || { echo "FAILED in mode(s):$failed"; false; }
}

@test "devfs: busybox init's rcS mounts /dev/pts and a 1777 tmpfs on /dev/shm over devtmpfs" {
	need_umk
	umk_boot skas "$UMK_ROOTFS" /bin/sh -c '/etc/init.d/rcS >/dev/null 2>&1
		grep -E " /dev(/pts|/shm)? " /proc/mounts | cut -d" " -f2,3 | sort -u
		echo "mode $(stat -c %a /dev/shm)"
		poweroff -f'
	grep -qx '/dev devtmpfs' "$UMK_OUT" || { umk_explain; false; }
	grep -qx '/dev/pts devpts' "$UMK_OUT" || { umk_explain; false; }
	grep -qx '/dev/shm tmpfs' "$UMK_OUT" || { umk_explain; false; }
	grep -qx 'mode 1777' "$UMK_OUT" || { umk_explain; false; }
}

@test "pipe-max-size: root sets it (rounded up to a power-of-two number of pages, EINVAL past 2 GiB or not a number); non-root may not write it" {
	need_umk
	umk_boot skas "$UMK_ROOTFS" /bin/sh -c 'mount -t proc proc /proc
		cat /proc/sys/fs/pipe-max-size
		echo 5000 >/proc/sys/fs/pipe-max-size; cat /proc/sys/fs/pipe-max-size
		echo 0 >/proc/sys/fs/pipe-max-size; cat /proc/sys/fs/pipe-max-size
		echo 3000000000 >/proc/sys/fs/pipe-max-size 2>/dev/null || echo "too ""big"
		echo abc >/proc/sys/fs/pipe-max-size 2>/dev/null || echo "not a ""number"
		echo 1048576 >/proc/sys/fs/pipe-max-size
		su -s /bin/sh nobody -c "echo 4096 >/proc/sys/fs/pipe-max-size" 2>/dev/null || echo "non-root ""refused"
		cat /proc/sys/fs/pipe-max-size
		poweroff -f'
	local got
	got=$(sed -n '/^[0-9]*$/p; /^too big$/p; /^not a number$/p; /^non-root refused$/p' "$UMK_OUT" | tr '\n' ' ')
	[ "$got" = "1048576 8192 4096 too big not a number non-root refused 1048576 " ] || { echo "got: $got"; umk_explain; false; }
}

@test "devfs: a block node made with mknod opens the disk of its number (ubdb: 98,16); a number without a disk is ENXIO" {
	need_umk
	local img=$BATS_TEST_TMPDIR/disk.img out=$BATS_TEST_TMPDIR/out
	printf 'umk-block-node-data' >"$img"
	truncate -s 1M "$img"
	umk_run_timeout "$UMK_TIMEOUT" "$out" "$BATS_TEST_TMPDIR/err" "$UMK_BIN" mem=128M root=/dev/root rootfstype=hostfs \
		"hostfs=$UMK_ROOTFS" "ubd1=$img" init=/bin/sh mode=skas rw quiet -- -c 'mount -t proc proc /proc
		mknod /dev/mydisk b 98 16 && echo "read: $(head -c 19 /dev/mydisk)"
		mknod /dev/nodisk b 98 32 && head -c 1 /dev/nodisk 2>&1 | sed "s/.*: //"
		poweroff -f'
	grep -qx 'read: umk-block-node-data' "$out" || { cat "$out" "$BATS_TEST_TMPDIR/err"; false; }
	grep -qx 'No such device or address' "$out" || { cat "$out" "$BATS_TEST_TMPDIR/err"; false; }
}
