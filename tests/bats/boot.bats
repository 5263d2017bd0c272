#!/usr/bin/env bats
# Booting and the kernel command line: the default busybox root in every
# mode, --help/--version, bad options, and the cost of an idle guest.
#
# Exit statuses (Documentation/): poweroff -f -> 0, halt -f -> 0,
# reboot -f -> 0 with a "restart" message (umk does not restart itself);
# init exiting -> kernel panic, non-zero; bad command line -> 2.

load ../lib.sh

# A private copy of the default rootfs with SCRIPT installed as /boot-test.sh
# (hard links keep the copy cheap).
rootfs_with_script() {
	ROOT=$BATS_TEST_TMPDIR/root
	rm -rf "$ROOT"
	cp -a "$UMK_ROOTFS" "$ROOT"
	cat >"$ROOT/boot-test.sh"
	chmod 0755 "$ROOT/boot-test.sh"
}

need_umk() {
	[ -x "$UMK_BIN" ] || { echo "$UMK_BIN is not built"; false; }
	[ -x "$UMK_ROOTFS/bin/busybox" ] || { echo "$UMK_ROOTFS is not built (make rootfs)"; false; }
}

@test "boot: /init runs a busybox pipeline given after -- and poweroff -f exits 0 (every mode)" {
	need_umk
	rootfs_with_script <<'EOF2'
echo "pipeline: $(ls / | sort | wc -l) entries"
echo "boot-test done"
EOF2
	local want failed="" mode
	want="pipeline: $(ls "$ROOT" | wc -l) entries"
	for mode in $UMK_MODES; do
		umk_boot "$mode" "$ROOT" /init /boot-test.sh
		if [ "$UMK_STATUS" = 0 ] && grep -qx "$want" "$UMK_OUT" && grep -qx "boot-test done" "$UMK_OUT"; then
			echo "# mode=$mode: booted and powered off in ${UMK_ELAPSED_MS} ms" >&3
		else
			echo "=== mode=$mode: want exit status 0 and the line '$want' on the console"
			umk_explain
			failed="$failed $mode"
		fi
	done
	[ -z "$failed" ] || { echo "FAILED in mode(s):$failed"; false; }
}

@test "boot: the /init shell reads commands from the console (every mode)" {
	need_umk
	local failed="" mode
	printf '%s\n' 'echo "sum: $((40 + 2))"' 'ls / | grep -c bin' 'exit 0' >"$BATS_TEST_TMPDIR/stdin"
	for mode in $UMK_MODES; do
		UMK_STDIN=$BATS_TEST_TMPDIR/stdin umk_boot "$mode" "$UMK_ROOTFS" /init
		if [ "$UMK_STATUS" = 0 ] && grep -q "sum: 42" "$UMK_OUT"; then
			:
		else
			echo "=== mode=$mode: want 'sum: 42' on the console and exit status 0"
			umk_explain
			failed="$failed $mode"
		fi
	done
	[ -z "$failed" ] || { echo "FAILED in mode(s):$failed"; false; }
}

@test "boot: init exiting makes the kernel panic with a non-zero status" {
	need_umk
	local mode
	mode=${UMK_MODES%% *}
	umk_boot "$mode" "$UMK_ROOTFS" /bin/true
	if [ "$UMK_STATUS" = 0 ] || [ "$UMK_STATUS" = 124 ] || [ "$UMK_STATUS" = 137 ]; then
		echo "want a non-zero status (not a timeout) when init exits"
		umk_explain
		false
	fi
}

@test "umk --help lists the options and exits 0" {
	need_umk
	run timeout 20 "$UMK_BIN" --help
	echo "$output"
	[ "$status" = 0 ]
	for opt in mem= root= rootfstype= hostfs= init= mode=; do
		grep -q -- "$opt" <<<"$output" || { echo "--help does not mention $opt"; false; }
	done
}

@test "umk --version prints a version line and exits 0" {
	need_umk
	run timeout 20 "$UMK_BIN" --version
	echo "$output"
	[ "$status" = 0 ]
	[ -n "$output" ]
	grep -qi umk <<<"${lines[0]}"
}

# bad_option OPTION_NAME ARGS...: umk must exit 2 with one line on stderr
# that names the option, and nothing on the console.
bad_option() {
	local name=$1
	shift
	local err=$BATS_TEST_TMPDIR/err out=$BATS_TEST_TMPDIR/out
	umk_run_timeout 20 "$out" "$err" "$UMK_BIN" "$@"
	echo "command: umk $*"
	echo "status: $UMK_STATUS"
	echo "stderr:"
	cat "$err"
	[ "$UMK_STATUS" = 2 ]
	[ "$(wc -l <"$err")" = 1 ]
	grep -q -- "$name" "$err"
}

@test "bad option: mem=12Q is rejected with status 2 and a one-line error" {
	need_umk
	bad_option mem mem=12Q root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" init=/init
}

@test "bad option: hostfs=/nonexistent is rejected with status 2 and a one-line error" {
	need_umk
	bad_option hostfs mem=64M root=/dev/root rootfstype=hostfs hostfs=/nonexistent init=/init
}

@test "bad option: mode=bogus is rejected with status 2 and a one-line error" {
	need_umk
	bad_option mode mem=64M root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" init=/init mode=bogus
}

@test "bad option: a console fd that is not open is refused (it would lose all output)" {
	need_umk
	bad_option "con0=fd:99: host fd 99 is not open" mem=64M "hostfs=$UMK_ROOTFS" init=/init con0=fd:99
	bad_option "con=fd:0,fd:98: host fd 98 is not open" mem=64M "hostfs=$UMK_ROOTFS" init=/init con=fd:0,fd:98
	bad_option "con0=tty:1: expected" mem=64M "hostfs=$UMK_ROOTFS" init=/init con0=tty:1
}

@test "root that cannot be mounted: one line and status 2 (no such device, not a filesystem, no root at all)" {
	need_umk
	local img=$BATS_TEST_TMPDIR/zero.img e=$BATS_TEST_TMPDIR/e
	head -c 1M /dev/zero >"$img"
	umk_run_timeout 20 "$BATS_TEST_TMPDIR/o" "$e" "$UMK_BIN" root=/dev/ubdb "ubd0=$img" quiet
	cat "$e"
	[ "$UMK_STATUS" = 2 ] && [ "$(wc -l <"$e")" = 1 ] && grep -q "root=/dev/ubdb: no such block device" "$e"
	umk_run_timeout 20 "$BATS_TEST_TMPDIR/o" "$e" "$UMK_BIN" "ubd0=$img" quiet
	cat "$e"
	[ "$UMK_STATUS" = 2 ] && [ "$(wc -l <"$e")" = 1 ] && grep -q "root=/dev/ubda: cannot mount ubda as ext2/ext3/ext4" "$e"
	umk_run_timeout 20 "$BATS_TEST_TMPDIR/o" "$e" "$UMK_BIN" quiet
	cat "$e"
	[ "$UMK_STATUS" = 2 ] && [ "$(wc -l <"$e")" = 1 ] && grep -q "no root filesystem: give ubd0=IMAGE" "$e"
	# UML's spellings of the first disk: /dev/ubd0 and 98:0 (as /dev/ubda)
	umk_run_timeout 20 "$BATS_TEST_TMPDIR/o" "$e" "$UMK_BIN" root=/dev/ubd0 "ubd0=$img" quiet
	grep -q "root=/dev/ubd0: cannot mount ubda" "$e"
	umk_run_timeout 20 "$BATS_TEST_TMPDIR/o" "$e" "$UMK_BIN" root=98:0 "ubd0=$img" quiet
	grep -q "root=98:0: cannot mount ubda" "$e"
}

@test "UML options umk does not implement yet: one warning line each, never init's environment" {
	need_umk
	rootfs_with_script <<'EOF2'
echo "env: $(env | grep -c -e '^initrd=' -e '^iomem=' -e '^ncpus=' -e '^xterm=')"
EOF2
	umk_cmdline skas "$ROOT" /init
	UMK_ARGV+=(initrd=/tmp/x iomem=x,/tmp/y ncpus=2 xterm=gnome-terminal,-t,-x -- /boot-test.sh)
	umk_run_timeout "$UMK_TIMEOUT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" "${UMK_ARGV[@]}"
	cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err"
	[ "$UMK_STATUS" = 0 ]
	grep -qx "env: 0" "$BATS_TEST_TMPDIR/out"
	local w
	for w in initrd=/tmp/x iomem=x,/tmp/y ncpus=2 xterm=gnome-terminal,-t,-x; do
		[ "$(grep -c "^umk: warning: $w: .* not implemented by umk yet; ignored$" "$BATS_TEST_TMPDIR/err")" = 1 ]
	done
}

@test "the kernel log on the console follows loglevel: the unimplemented-syscall note is debug, in dmesg only" {
	need_umk
	rootfs_with_script </dev/null
	cp "$UMK_BUILD/tests/umk/syscall_log" "$ROOT/init"
	umk_cmdline skas "$ROOT" /init
	# not quiet: informational messages go to stderr, debug ones do not
	UMK_ARGV=("${UMK_ARGV[@]/quiet/loglevel=7}")
	umk_run_timeout "$UMK_TIMEOUT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" "${UMK_ARGV[@]}"
	cat "$BATS_TEST_TMPDIR/out"
	[ "$UMK_STATUS" = 0 ]
	grep -q '^ENOSYS lines in syslog: 1$' "$BATS_TEST_TMPDIR/out"
	grep -q "Run /init as init process" "$BATS_TEST_TMPDIR/err"
	[ "$(grep -c "unimplemented syscall" "$BATS_TEST_TMPDIR/err")" = 0 ]
	# loglevel=8 shows debug messages too
	UMK_ARGV=("${UMK_ARGV[@]/loglevel=7/loglevel=8}")
	umk_run_timeout "$UMK_TIMEOUT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" "${UMK_ARGV[@]}"
	[ "$(grep -c "unimplemented syscall 501," "$BATS_TEST_TMPDIR/err")" = 1 ]
}

@test "idle guest: sleep 3 completes; host CPU used is reported (every mode)" {
	need_umk
	rootfs_with_script <<'EOF2'
sleep 3
echo "idle done"
EOF2
	local failed="" mode tf=$BATS_TEST_TMPDIR/time
	for mode in $UMK_MODES; do
		umk_cmdline "$mode" "$ROOT" /init /boot-test.sh
		umk_run_timeout "$UMK_TIMEOUT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" \
			/usr/bin/time -f '%e %U %S' -o "$tf" "${UMK_ARGV[@]}"
		UMK_OUT=$BATS_TEST_TMPDIR/out UMK_ERR=$BATS_TEST_TMPDIR/err
		if [ "$UMK_STATUS" = 0 ] && grep -q "idle done" "$UMK_OUT"; then
			read -r wall user sys <"$tf"
			echo "# mode=$mode: idle guest (sleep 3): wall ${wall}s, host CPU user ${user}s sys ${sys}s" >&3
		else
			echo "=== mode=$mode: the idle guest did not finish cleanly"
			umk_explain
			failed="$failed $mode"
		fi
	done
	[ -z "$failed" ] || { echo "FAILED in mode(s):$failed"; false; }
}

@test "no seccomp on the host: the default falls back to skas with one line; mode=seccomp is refused" {
	local out=$BATS_TEST_TMPDIR/out
	umk_run_timeout 60 "$out" "$out.err" "$UMK_BUILD/tests/noseccomp" "$UMK_BIN" mem=64M root=/dev/root \
		rootfstype=hostfs "hostfs=$UMK_TEST_ROOTFS" init=/bin/sh quiet -- /tests/run-one smoke
	cat "$out" "$out.err"
	[ "$UMK_STATUS" -eq 0 ]
	grep -q '^smoke: init is running$' "$out"
	[ "$(grep -c '^umk: mode=seccomp unavailable: .*; using mode=skas$' "$out.err")" -eq 1 ]
	umk_run_timeout 60 "$out" "$out.err" "$UMK_BUILD/tests/noseccomp" "$UMK_BIN" mem=64M root=/dev/root \
		rootfstype=hostfs "hostfs=$UMK_TEST_ROOTFS" init=/bin/sh mode=seccomp quiet
	cat "$out.err"
	[ "$UMK_STATUS" -eq 2 ]
	grep -q '^umk: mode=seccomp: this host cannot run it: ' "$out.err"
}

@test "mode=seccomp is the default where the host allows it" {
	local out=$BATS_TEST_TMPDIR/out
	umk_run_timeout 60 "$out" "$out.err" "$UMK_BIN" mem=64M root=/dev/root rootfstype=hostfs \
		"hostfs=$UMK_TEST_ROOTFS" init=/bin/sh -- /tests/run-one smoke
	cat "$out" "$out.err"
	[ "$UMK_STATUS" -eq 0 ]
	grep -q 'mode=seccomp' "$out.err" "$out"
	! grep -q 'unavailable' "$out.err"
}

@test "UML's seccomp=off|on picks mode=skas|seccomp; seccomp=bogus is refused" {
	local out=$BATS_TEST_TMPDIR/out
	for v in off:skas on:seccomp; do
		umk_run_timeout 60 "$out" "$out.err" "$UMK_BIN" mem=64M root=/dev/root rootfstype=hostfs \
			"hostfs=$UMK_TEST_ROOTFS" init=/bin/sh "seccomp=${v%%:*}" -- /tests/run-one smoke
		cat "$out" "$out.err"
		[ "$UMK_STATUS" -eq 0 ]
		grep -q "mode=${v##*:}\$" "$out.err" "$out"
	done
	bad_option seccomp mem=64M root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" init=/init seccomp=bogus
}
