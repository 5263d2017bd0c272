#!/usr/bin/env bats
# Debugging guest programs (Documentation/debugging-guest.md): Debian's
# strace and gdb run inside a guest (the test root, build/test-rootfs,
# which has gdb), in every trap mode, and what they show is compared with
# the same programs traced natively; host gdb debugs a guest program
# through umk's gdbstub.

load ../lib.sh

# guest_cmd MODE SCRIPT: runs SCRIPT with sh in a guest booted on the test
# root (with /proc and /dev, as /tests/run-one has them); its output is
# in $BATS_TEST_TMPDIR/guest.MODE (the lines between the markers).
guest_cmd() {
	local mode=$1 script=$2
	umk_boot "$mode" "$UMK_TEST_ROOTFS" /bin/sh -c "PATH=/bin:/sbin:/usr/bin:/usr/sbin; export PATH
mount -t proc proc /proc 2>&-; mount -t devtmpfs devtmpfs /dev 2>&-; cd /
echo '=== UMK-TEST-BEGIN cmd'
{ $script
} 2>&1
echo \"=== UMK-TEST-EXIT \$?\"
poweroff -f"
	guest_section "$UMK_OUT" >"$BATS_TEST_TMPDIR/guest.$mode"
}

# native_chroot CMD...: CMD in the test root as the guest has it (a chroot
# with /proc and /dev, in a private mount namespace: nothing stays mounted).
native_chroot() {
	unshare --mount --propagation private sh -c '
		root=$1; shift
		mount -t proc proc "$root/proc" && mount --bind /dev "$root/dev" &&
			exec chroot "$root" /usr/bin/env -i PATH=/bin:/sbin:/usr/bin:/usr/sbin "$@"' \
		sh "$UMK_TEST_ROOTFS" "$@"
}

# The names of the system calls in strace output (one a line, sorted),
# but those the vDSO answers natively without a system call: umk has no
# vDSO, so a guest's libc makes them as real calls.
syscall_names() {
	sed -nE 's/^(\[pid +[0-9]+\] )?([a-z_0-9]+)\(.*/\2/p' "$1" | sort -u |
		grep -vxE 'time|gettimeofday|clock_gettime|clock_getres|getcpu'
}

@test "strace -f in a guest: sh -c 'ls / | wc -l' makes the system calls it makes natively" {
	[ "$(id -u)" = 0 ] || skip "needs root for chroot"
	[ -x "$UMK_TEST_ROOTFS/usr/bin/strace" ] || skip "build/test-rootfs has no strace"
	local cmd="ls / | wc -l" failed=""
	native_chroot /usr/bin/strace -f -qq /bin/sh -c "$cmd" 2>"$BATS_TEST_TMPDIR/native.strace" >/dev/null
	syscall_names "$BATS_TEST_TMPDIR/native.strace" >"$BATS_TEST_TMPDIR/native.names"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/native.names")" -gt 20 ] || {
		echo "native strace printed too little:"
		cat "$BATS_TEST_TMPDIR/native.strace"
		false
	}
	for mode in $UMK_MODES; do
		guest_cmd "$mode" "env -i PATH=\$PATH strace -f -qq sh -c '$cmd' 2>/tmp/strace.out >/dev/null; cat /tmp/strace.out; rm /tmp/strace.out"
		syscall_names "$BATS_TEST_TMPDIR/guest.$mode" >"$BATS_TEST_TMPDIR/$mode.names"
		if ! diff -u --label native --label "umk mode=$mode" "$BATS_TEST_TMPDIR/native.names" \
			"$BATS_TEST_TMPDIR/$mode.names"; then
			failed="$failed $mode"
			echo "--- strace in the guest (mode=$mode):"
			cat "$BATS_TEST_TMPDIR/guest.$mode"
			umk_explain noconsole
		fi
	done
	[ -z "$failed" ]
}

# What gdb shows that differs from run to run or from host to guest:
# thread ids and pids, thread pointers, the column widths they set, and
# when a thread's exit is reported. (The program's own output goes to
# /dev/null: it would mix with gdb's.)
gdb_filter() {
	sed -E 's/\(LWP [0-9]+\)/(LWP N)/g; s/Thread 0x[0-9a-f]+/Thread T/g; s/process [0-9]+/process N/g' "$1" |
		grep -v '^\[Thread T (LWP N) exited\]$' | grep -v '^=== UMK-TEST-' | tr -s ' '
}

GDB_SCRIPT='set pagination off
set confirm off
break square
run >/dev/null
bt
info threads
print x
finish
continue
watch counter
continue
continue
delete
continue'

@test "gdb in a guest: breakpoints, backtrace, threads, finish and a hardware watchpoint as natively" {
	[ -x "$UMK_TEST_ROOTFS/usr/bin/gdb" ] || skip "build/test-rootfs has no gdb (rootfs/add-gdb.sh)"
	command -v gdb >/dev/null || skip "no gdb on the host"
	printf '%s\n' "$GDB_SCRIPT" >"$BATS_TEST_TMPDIR/gdb.cmds"
	# natively from the top of the tree, where the program's source is
	(cd "$UMK_TOP" && gdb -nx -batch -x "$BATS_TEST_TMPDIR/gdb.cmds" "$UMK_BUILD/tests/debug/gdb_target") \
		>"$BATS_TEST_TMPDIR/native.gdb" 2>&1
	gdb_filter "$BATS_TEST_TMPDIR/native.gdb" >"$BATS_TEST_TMPDIR/native.want"
	grep -q 'Hardware watchpoint 2: counter' "$BATS_TEST_TMPDIR/native.want"
	local failed=""
	for mode in $UMK_MODES; do
		# in the guest the source is found the same way: relative to cwd
		guest_cmd "$mode" "mkdir -p /tmp/src/tests/debug && cp -p /tests/gdb_target.c /tmp/src/tests/debug/ &&
cd /tmp/src && printf '%s\n' '$(printf '%s' "$GDB_SCRIPT" | tr '\n' '|')' | tr '|' '\n' >/tmp/gdb.cmds &&
gdb -nx -batch -x /tmp/gdb.cmds /tests/gdb_target; cd /; rm -rf /tmp/src /tmp/gdb.cmds"
		gdb_filter "$BATS_TEST_TMPDIR/guest.$mode" >"$BATS_TEST_TMPDIR/$mode.got"
		if ! diff -u --label native --label "umk mode=$mode" "$BATS_TEST_TMPDIR/native.want" "$BATS_TEST_TMPDIR/$mode.got"; then
			failed="$failed $mode"
			umk_explain noconsole
		fi
	done
	[ -z "$failed" ]
}
