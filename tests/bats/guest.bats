#!/usr/bin/env bats
# Guest test programs (tests/guest/*.c, built static into
# build/tests/guest/) run natively and under umk in every mode of
# UMK_MODES (tests/lib.sh); the guest section of the console output (see
# tests/guest/run-one) must equal the native stdout+stderr and exit status.
# umk-only programs (UMK_ONLY_TESTS) are compared with NAME.expected.

load ../lib.sh

@test "guest programs: every tests/guest/*.c has a test here" {
	local missing=""
	for src in "$UMK_GUEST_SRC"/*.c; do
		local n
		n=$(basename "$src" .c)
		grep -q "^@test \"guest $n\"" "$BATS_TEST_FILENAME" || missing="$missing $n"
	done
	[ -z "$missing" ] || { echo "no @test for:$missing"; false; }
}

@test "guest programs: pass natively and print the same output twice" {
	local bad=""
	for src in "$UMK_GUEST_SRC"/*.c; do
		local n
		n=$(basename "$src" .c)
		case " $UMK_ONLY_TESTS " in *" $n "*) continue ;; esac
		if ! guest_native "$n" "$BATS_TEST_TMPDIR/$n.1"; then
			echo "=== $n fails natively:"
			cat "$BATS_TEST_TMPDIR/$n.1"
			bad="$bad $n"
			continue
		fi
		guest_native "$n" "$BATS_TEST_TMPDIR/$n.2" || true
		if ! diff -u "$BATS_TEST_TMPDIR/$n.1" "$BATS_TEST_TMPDIR/$n.2"; then
			echo "=== $n is not deterministic"
			bad="$bad $n"
		fi
	done
	[ -z "$bad" ] || { echo "bad:$bad"; false; }
}

@test "guest programs: sh_pipeline.expected matches busybox natively (chroot)" {
	[ "$(id -u)" = 0 ] || skip "needs root for chroot"
	[ -x "$UMK_TEST_ROOTFS/bin/busybox" ] || skip "build/test-rootfs not built"
	# A private copy with the /dev/null that devtmpfs gives the guest.
	local root=$BATS_TEST_TMPDIR/root got=$BATS_TEST_TMPDIR/shp
	cp -a "$UMK_TEST_ROOTFS" "$root"
	mknod -m 666 "$root/dev/null" c 1 3
	chroot "$root" /bin/sh /tests/sh_pipeline.sh >"$got" 2>&1 </dev/null || true
	rm -rf "$root"
	diff -u "$UMK_GUEST_SRC/sh_pipeline.expected" "$got"
}

@test "guest fork_wait" { guest_check fork_wait; }
@test "guest exec" { guest_check exec; }
@test "guest fresh_exec" { guest_check fresh_exec; }
@test "guest bigread" { guest_check bigread; }
@test "guest cputime" { guest_check cputime; }
@test "guest mlock" { guest_check mlock; }
@test "guest prctl" { guest_check prctl; }
@test "guest seccomp" { guest_check seccomp; }
@test "guest process_vm" { guest_check process_vm; }
@test "guest memfd" { guest_check memfd; }
@test "guest remap_file_pages" { guest_check remap_file_pages; }
@test "guest sysv_shm" { guest_check sysv_shm; }
@test "guest sysv_sem" { guest_check sysv_sem; }
@test "guest sysv_msg" { guest_check sysv_msg; }
@test "guest mqueue" { guest_check mqueue; }
@test "guest sched" { guest_check sched; }
@test "guest cow" { guest_check cow; }
@test "guest mmap" { guest_check mmap; }
@test "guest signals" { guest_check signals; }
@test "guest faults" { guest_check faults; }
@test "guest pipes" { guest_check pipes; }
@test "guest splice" { guest_check splice; }
@test "guest fallocate" { guest_check fallocate; }
@test "guest devnodes" { guest_check devnodes; }
@test "guest files" { guest_check files; }
@test "guest paths" { guest_check paths; }
@test "guest hostfs_escape" { guest_check hostfs_escape; }
@test "guest proc" { guest_check proc; }
@test "guest misc" { guest_check misc; }
@test "guest vfork" { guest_check vfork; }
@test "guest loop_preempt" { guest_check loop_preempt; }
@test "guest xattr" { guest_check xattr; }
@test "guest acl" { guest_check acl; }
@test "guest filecaps" { guest_check filecaps; }
@test "guest int80" { guest_check int80; }
@test "guest mremap_bounds" { guest_check mremap_bounds; }
@test "guest threads" { guest_check threads; }
@test "guest futex" { guest_check futex; }
@test "guest sigwait_chld" { guest_check sigwait_chld; }
@test "guest inotify" { guest_check inotify; }
@test "guest fanotify" { guest_check fanotify; }
@test "guest sh_pipeline (busybox script)" { guest_check sh_pipeline.sh; }
@test "guest pty" { guest_check pty; }
@test "guest jobctl" { guest_check jobctl; }
@test "guest eventfd" { guest_check eventfd; }
@test "guest timerfd" { guest_check timerfd; }
@test "guest signalfd" { guest_check signalfd; }
@test "guest epoll" { guest_check epoll; }
@test "guest tmpfs_mount" { guest_check tmpfs_mount; }
@test "guest tmpfs_limits" { guest_check tmpfs_limits; }
@test "guest nproc_limit" { guest_check nproc_limit; }
@test "guest locks" { guest_check locks; }
@test "guest perms" { guest_check perms; }
@test "guest caps" { guest_check caps; }
@test "guest caps_perms" { guest_check caps_perms; }
@test "guest unix_stream" { guest_check unix_stream; }
@test "guest unix_dgram" { guest_check unix_dgram; }
@test "guest wait_threads" { guest_check wait_threads; }
@test "guest wait_options" { guest_check wait_options; }
@test "guest sigchld_thread" { guest_check sigchld_thread; }
@test "guest pdeathsig" { guest_check pdeathsig; }
@test "guest execstack" { guest_check execstack; }
@test "guest stack_perms" { guest_check stack_perms; }
@test "guest subreaper" { guest_check subreaper; }
@test "guest net_udp" { guest_check net_udp; }
@test "guest net_tcp" { guest_check net_tcp; }
@test "guest net_raw" { guest_check net_raw; }
@test "guest net_frag" { guest_check net_frag; }
@test "guest net_ioctl" { guest_check net_ioctl; }
@test "guest net_malformed" { guest_check net_malformed; }
@test "guest net_packet" { guest_check net_packet; }
@test "guest net_packet_filter" { guest_check net_packet_filter; }
@test "guest net_packet_ring" { guest_check net_packet_ring; }
@test "guest net_netlink" { guest_check net_netlink; }
@test "guest hostile" { guest_check hostile; }
@test "guest ptrace_syscalls" { guest_check ptrace_syscalls; }
@test "guest ptrace_fork" { guest_check ptrace_fork; }
@test "guest ptrace_step" { guest_check ptrace_step; }
@test "guest ptrace_attach" { guest_check ptrace_attach; }
@test "guest ptrace_errors" { guest_check ptrace_errors; }
