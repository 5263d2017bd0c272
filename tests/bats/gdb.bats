#!/usr/bin/env bats
# gdb on the kernel (Documentation/debugging.md): umk runs under gdb in
# batch mode with scripts/gdb/gdbinit (umk's host signals pass through,
# gdb stays with umk when it forks stubs), stops in a system call handler
# of a booted guest, and the helpers show its tasks, log, memory areas
# and files; the sealed kernel's local symbols have their debug info.

load ../lib.sh

setup() {
	[ -x "$UMK_BIN" ] || { echo "$UMK_BIN is not built"; false; }
	command -v gdb >/dev/null || skip "gdb not installed"
	gdb -batch -ex 'python print(1)' 2>/dev/null | grep -qx 1 || skip "gdb without python"
}

@test "the kernel's symbols and types are in build/umk (local, with debug info)" {
	run gdb -batch -nx -ex 'info address task_list' -ex 'ptype struct task' -ex 'info line do_sys_sync' "$UMK_BIN"
	echo "$output"
	grep -q 'Symbol "task_list" is static storage' <<<"$output"
	grep -q "struct list_head tasks;" <<<"$output"
	grep -q 'Line 8 of "kernel-glue/fs/sync.c"' <<<"$output"
}

@test "gdb batch session: stop in a guest's sync(2), umk-ps, umk-dmesg, umk-task, umk-vma, umk-files; the guest carries on" {
	local script=$BATS_TEST_TMPDIR/session.gdb out=$BATS_TEST_TMPDIR/gdb.out
	cat >"$script" <<'EOF'
break do_sys_sync
run
echo === ps\n
umk-ps
echo === dmesg\n
umk-dmesg
echo === task\n
umk-task 1
echo === vma\n
umk-vma 1
echo === files\n
umk-files 1
echo === bt\n
bt 3
delete
continue
EOF
	cd "$UMK_TOP"
	umk_run_timeout 120 "$out" "$out.err" gdb -batch -nx -x scripts/gdb/gdbinit -x "$script" --args "$UMK_BIN" \
		mem=64M root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" init=/bin/sh quiet -- \
		-c 'sleep 30 & cat </dev/zero >/dev/null & sync; echo guest-goes-on; kill %1 %2; poweroff -f'
	cat "$out" "$out.err"
	[ "$UMK_STATUS" = 0 ]
	grep -q "Breakpoint 1.*do_sys_sync" "$out"
	# ps: init, the sleep, the cat and the sync (current, starred) with their stubs
	sed -n '/=== ps/,/=== dmesg/p' "$out" >"$BATS_TEST_TMPDIR/ps"
	grep -Eq "^ +1 +1 +1 [RS] sh +0x[0-9a-f]+ +[0-9]+ +[0-9]+ $" "$BATS_TEST_TMPDIR/ps"
	grep -Eq " [RS] sleep " "$BATS_TEST_TMPDIR/ps"
	grep -Eq " R sync .*\*$" "$BATS_TEST_TMPDIR/ps"
	local stub
	stub=$(awk '$5 == "sync" { print $8 }' "$BATS_TEST_TMPDIR/ps" | tr -d '*')
	[ "$stub" -gt 1 ]
	# dmesg: the kernel's own log, levels stripped
	sed -n '/=== dmesg/,/=== task/p' "$out" | grep -q "^\[ *[0-9.]*\] Run /bin/sh as init process"
	# task: pid 1 in detail
	sed -n '/=== task/,/=== vma/p' "$out" >"$BATS_TEST_TMPDIR/task"
	grep -q "pid 1 tgid 1 .* comm sh" "$BATS_TEST_TMPDIR/task"
	grep -q "exe /bin/busybox\|exe /bin/sh" "$BATS_TEST_TMPDIR/task"
	grep -q "cwd / root /" "$BATS_TEST_TMPDIR/task"
	# vma: as /proc/PID/maps
	sed -n '/=== vma/,/=== files/p' "$out" >"$BATS_TEST_TMPDIR/vma"
	grep -Eq "^[0-9a-f]{12}-[0-9a-f]{12} r-xp [0-9a-f]{8} /bin/(sh|busybox)$" "$BATS_TEST_TMPDIR/vma"
	grep -Eq " rw-p 00000000 \[stack\]$" "$BATS_TEST_TMPDIR/vma"
	# files: the console on 0-2
	sed -n '/=== files/,/=== bt/p' "$out" | grep -Eq "^ +0 0x[0-9a-f]+ char +0 /dev/console$"
	# the breakpoint's backtrace goes through the syscall dispatch
	sed -n '/=== bt/,$p' "$out" | grep -q "do_sys_sync"
	# continued: the guest went on and powered off
	grep -q guest-goes-on "$out"
}
