#!/usr/bin/env bats
# SysV IPC in the default image (build/rootfs.ext4 through a fresh COW
# file, as `make run` boots it), every trap mode: python3 (ctypes) makes a
# segment, a semaphore set and a message queue and prints /proc/sysvipc/*
# as the host's python3 does (ids, pids and times masked); the limits
# under /proc/sys/kernel have Linux's defaults and root can change them;
# /proc/config.gz says CONFIG_SYSVIPC=y. A POSIX message queue shows in
# the mqueue filesystem (rcS mounts it on /dev/mqueue; a second mount is
# the same one) with Linux's QSIZE line. (The image has no
# ipcs.)

load ../lib.sh

IPC_SCRIPT=$BATS_TEST_DIRNAME/ipc-objects.py
IPC_IMAGE=$UMK_BUILD/rootfs.ext4

need_image() {
	[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 on the host (make deps installs it)"
	[ -x "$UMK_BIN" ] || { echo "$UMK_BIN is not built"; false; }
	[ -f "$IPC_IMAGE" ] || { echo "$IPC_IMAGE is not built (make rootfs)"; false; }
}

# ipc_boot MODE: the script in the default image, then the sysctls; the
# output between the markers in $BATS_TEST_TMPDIR/got.MODE
ipc_boot() {
	local cow=$BATS_TEST_TMPDIR/ipc-$1.cow prog
	prog=$(cat "$IPC_SCRIPT")
	rm -f "$cow"
	UMK_MEM=256M UMK_ROOT_UBD="$cow,$IPC_IMAGE" umk_boot "$1" /nonexistent /bin/sh -c '
		/etc/init.d/rcS >/dev/null 2>&1
		export PATH=/usr/bin:/bin:/usr/sbin:/sbin LC_ALL=C HOME=/root
		echo "=== IPC-BEGIN"
		/usr/bin/python3 -c "$0" 2>&1
		echo "=== IPC-EXIT $?"
		for f in shmmax shmall shmmni sem msgmax msgmnb msgmni; do
			echo "$f: $(cat /proc/sys/kernel/$f)"
		done
		echo 64 >/proc/sys/kernel/msgmni && echo "msgmni now: $(cat /proc/sys/kernel/msgmni)"
		echo "250 32000 32 128" >/proc/sys/kernel/sem && echo "sem now: $(cat /proc/sys/kernel/sem)"
		echo 40000 >/proc/sys/kernel/shmmni 2>/dev/null || echo "shmmni 40000 refused"
		for f in msg_default msg_max msgsize_default msgsize_max queues_max; do
			echo "mqueue $f: $(cat /proc/sys/fs/mqueue/$f)"
		done
		grep " /dev/mqueue " /proc/mounts
		mkdir -p /tmp/mq && mount -t mqueue none /tmp/mq && grep " /tmp/mq " /proc/mounts
		/usr/bin/python3 -c "
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
q = libc.mq_open(b\"/umk-bats\", 0o102, 0o640, None)
assert q >= 0 and libc.mq_send(q, b\"hello\", 5, 3) == 0
"
		ls -l /dev/mqueue | awk "NR > 1 {print \$1, \$5, \$NF}"
		cat /dev/mqueue/umk-bats
		cat /tmp/mq/umk-bats
		rm /tmp/mq/umk-bats && ls /dev/mqueue | wc -l
		zcat /proc/config.gz | grep -E "^CONFIG_(SYSVIPC|POSIX_MQUEUE)="
		poweroff -f' "$prog"
	awk '/^=== IPC-BEGIN$/{on=1; next} on{print} /^CONFIG_POSIX_MQUEUE=/{if(on) exit}' "$UMK_OUT" >"$BATS_TEST_TMPDIR/got.$1"
}

@test "SysV IPC and POSIX mqueue: /proc/sysvipc as the host's, the sysctls, mount -t mqueue, CONFIG_SYSVIPC/POSIX_MQUEUE (every mode)" {
	need_image
	local want=$BATS_TEST_TMPDIR/want failed="" mode rc=0
	(cd / && env -i PATH=/usr/bin:/bin LC_ALL=C timeout 60 /usr/bin/python3 -c "$(cat "$IPC_SCRIPT")") >"$want" 2>&1 || rc=$?
	echo "=== IPC-EXIT $rc" >>"$want"
	[ "$rc" = 0 ] || { echo "the host's python3 fails:"; cat "$want"; false; }
	# Linux's defaults (ipc/util.h, include/uapi/linux/{shm,sem,msg}.h)
	cat >>"$want" <<-'EOT'
		shmmax: 18446744073692774399
		shmall: 18446744073692774399
		shmmni: 4096
		sem: 32000	1024000000	500	32000
		msgmax: 8192
		msgmnb: 16384
		msgmni: 32000
		msgmni now: 64
		sem now: 250	32000	32	128
		shmmni 40000 refused
		mqueue msg_default: 10
		mqueue msg_max: 10
		mqueue msgsize_default: 8192
		mqueue msgsize_max: 8192
		mqueue queues_max: 256
		mqueue /dev/mqueue mqueue rw,relatime 0 0
		none /tmp/mq mqueue rw,relatime 0 0
		-rw-r----- 80 umk-bats
		QSIZE:5          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     
		QSIZE:5          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     
		0
		CONFIG_SYSVIPC=y
		CONFIG_POSIX_MQUEUE=y
	EOT
	for mode in $UMK_MODES; do
		ipc_boot "$mode"
		if ! diff -u --label "host python3 + Linux defaults" --label "umk mode=$mode" "$want" "$BATS_TEST_TMPDIR/got.$mode"; then
			umk_explain noconsole
			failed="$failed $mode"
		fi
	done
	[ -z "$failed" ] || { echo "FAILED in mode(s):$failed"; false; }
}
