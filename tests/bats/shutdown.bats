#!/usr/bin/env bats
# Orderly stops: SIGTERM, SIGHUP or SIGINT to umk is the machine's power
# button. The kernel runs the guest's /sbin/poweroff (busybox init then
# runs its shutdown actions and powers off: status 0); if the guest has
# not powered off within shutdown_timeout= seconds, or the host asks a
# second time, the disks are written out clean and umk stops with status
# 4. Either way the ext4 root (through a COW file, as `make run` boots)
# is e2fsck-clean and holds what the guest wrote before the signal.

load ../lib.sh

setup_file() {
	[ -f "$UMK_BUILD/rootfs.ext4" ] || return 0
	export BASE=$BATS_FILE_TMPDIR/base.ext4
	cp "$UMK_BUILD/rootfs.ext4" "$BASE"
	chmod a-w "$BASE"
}

need_image() {
	[ -x "$UMK_BIN" ] || { echo "$UMK_BIN is not built"; false; }
	[ -f "${BASE:-}" ] || { echo "build/rootfs.ext4 is not built (make rootfs)"; false; }
	command -v e2fsck >/dev/null || skip "e2fsck (e2fsprogs) not installed"
	COW=$BATS_TEST_TMPDIR/guest.cow
}

# start_guest MODE INIT-ARGS...: umk on the image + $COW in the
# background (pid in GUEST), console output in $OUT.
start_guest() {
	local mode=$1
	shift
	OUT=$BATS_TEST_TMPDIR/out
	"$UMK_BIN" mem=256M "ubd0=$COW,$BASE" root=/dev/ubda "mode=$mode" "$@" </dev/null >"$OUT" 2>&1 &
	GUEST=$!
}

# wait_for_line TEXT: until the console shows TEXT (30 s at most). The
# kernel log echoes the command line, so a marker the guest prints is
# spelt differently there (echo "rea""dy").
wait_for_line() {
	for _ in $(seq 1 300); do
		grep -q "$1" "$OUT" && return 0
		sleep 0.1
	done
	echo "never saw: $1"
	cat "$OUT"
	false
}

# stopped_within SECS: wait for the guest to end; its status in STATUS.
stopped_within() {
	umk_wait_exit "$1" "$OUT"
}

# the merged image is clean and holds the file written before the stop
image_clean_with() {
	local img=$BATS_TEST_TMPDIR/merged.ext4
	"$UMK_BUILD/umk-cow" merge "$COW" "$img" >/dev/null
	e2fsck -fn "$img"
	[ "$(debugfs -R "cat /root/$1" "$img" 2>/dev/null)" = "$2" ]
}

# busybox init (the default image's /sbin/init) logging in nobody: the
# console is /dev/null, so the test writes its file from rcS's world by
# booting once with a script first.
write_marker() {
	local mode=$1
	start_guest "$mode" rw init=/bin/sh -- -c 'echo before > /root/marker; sync; poweroff -f'
	stopped_within 30
	[ "$STATUS" = 0 ]
}

@test "SIGTERM: the guest's init shuts down and powers off; status 0, disk clean (every mode)" {
	need_image
	local mode
	for mode in $UMK_MODES; do
		rm -f "$COW"
		write_marker "$mode"
		start_guest "$mode" ro init=/sbin/init
		wait_for_line "login:"
		kill -TERM "$GUEST"
		stopped_within 30
		echo "# mode=$mode status=$STATUS" >&3
		grep -q "running /sbin/poweroff" "$OUT"
		grep -q "reboot: Power down" "$OUT"
		[ "$STATUS" = 0 ] || { cat "$OUT"; false; }
		image_clean_with marker before
	done
}

@test "SIGHUP (the host terminal hung up) and SIGINT are the same request" {
	need_image
	local sig
	for sig in HUP INT; do
		rm -f "$COW"
		write_marker "${UMK_MODES%% *}"
		start_guest "${UMK_MODES%% *}" ro init=/sbin/init
		wait_for_line "login:"
		kill -"$sig" "$GUEST"
		stopped_within 30
		echo "# SIG$sig: status=$STATUS" >&3
		[ "$STATUS" = 0 ] || { cat "$OUT"; false; }
		image_clean_with marker before
	done
}

@test "a guest that does not power off: stopped after shutdown_timeout=, status 4, disk clean and fsync'd data there" {
	need_image
	rm -f "$COW"
	# init is a shell: busybox poweroff's signal to pid 1 does nothing
	start_guest "${UMK_MODES%% *}" rw shutdown_timeout=2 init=/bin/sh -- \
		-c 'echo written > /root/data; sync; echo "rea""dy"; while :; do echo more >> /root/log; sleep 0.1; done'
	wait_for_line ready
	local t0=$SECONDS
	kill -TERM "$GUEST"
	stopped_within 20
	cat "$OUT"
	[ "$STATUS" = 4 ]
	grep -q "did not power off in time" "$OUT"
	[ $((SECONDS - t0)) -ge 2 ]
	image_clean_with data written
}

@test "a second request stops at once: status 4, disk clean" {
	need_image
	rm -f "$COW"
	start_guest "${UMK_MODES%% *}" rw init=/bin/sh -- -c 'echo again > /root/two; sync; echo "rea""dy"; sleep 100'
	wait_for_line ready
	kill -TERM "$GUEST"
	wait_for_line "running /sbin/poweroff"
	kill -TERM "$GUEST"
	stopped_within 5
	cat "$OUT"
	[ "$STATUS" = 4 ]
	grep -q "the host asked again" "$OUT"
	image_clean_with two again
}

@test "shutdown_timeout= takes seconds from 0 to 3600, anything else is a one-line error" {
	need_image
	local v
	for v in -1 x 3601 ""; do
		run "$UMK_BIN" "shutdown_timeout=$v" "hostfs=$UMK_ROOTFS"
		echo "shutdown_timeout=$v -> $status: $output"
		[ "$status" = 2 ]
		[ "${#lines[@]}" = 1 ]
		grep -q "^umk: shutdown_timeout=$v: expected" <<<"$output"
	done
}

@test "a stop request while the machine is still booting: a forced stop, never a crash" {
	need_image
	local i
	for i in 1 2 3; do
		rm -f "$COW"
		start_guest "${UMK_MODES%% *}" rw init=/bin/sh -- -c 'sleep 100'
		sleep "0.0$i"
		kill -TERM "$GUEST"
		stopped_within 20
		echo "# after 0.0$i s: status $STATUS" >&3
		# 0 if the guest got to power off, 4 if it was stopped; never a signal
		[ "$STATUS" = 0 ] || [ "$STATUS" = 4 ] || { cat "$OUT"; false; }
		local img=$BATS_TEST_TMPDIR/merged.ext4
		"$UMK_BUILD/umk-cow" merge "$COW" "$img" >/dev/null
		e2fsck -fn "$img"
	done
}
