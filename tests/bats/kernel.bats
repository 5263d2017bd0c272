#!/usr/bin/env bats
# Kernel behaviour with no native counterpart: OOM killing, the kernel log,
# root read-only by default, host-side process naming, hostile packet sockets,
# init's protection from signals.

load ../lib.sh

setup() {
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/dev" "$root/proc" "$root/tmp"
}

# boot_prog MODE PROG [umk args...]: PROG from build/tests/umk as /init
boot_prog() {
	local mode=$1 prog=$2
	shift 2
	cp "$UMK_BUILD/tests/umk/$prog" "$root/init"
	UMK_MEM=${UMK_MEM_OVERRIDE:-$UMK_MEM} umk_boot "$mode" "$root" /init "$@"
}

@test "OOM: a guest exhausting mem= loses one process, logged; init and the host carry on (every mode)" {
	for mode in $UMK_MODES; do
		UMK_MEM_OVERRIDE=32M boot_prog "$mode" oom
		echo "# mode=$mode status=$UMK_STATUS" >&3
		cat "$UMK_OUT"
		[ "$UMK_STATUS" -eq 0 ]
		grep -q '^child killed: yes, signal 9$' "$UMK_OUT"
		grep -q '^8 MiB usable after OOM: yes$' "$UMK_OUT"
		grep -q 'Out of memory: Killed process [0-9]* (init)' "$UMK_ERR"
	done
}

@test "unimplemented syscall: ENOSYS, logged once; syslog(2) reads the kernel log (every mode)" {
	for mode in $UMK_MODES; do
		boot_prog "$mode" syscall_log
		cat "$UMK_OUT"
		[ "$UMK_STATUS" -eq 0 ]
		[ "$(grep -c '^bogus syscall: -1 Function not implemented$' "$UMK_OUT")" -eq 3 ]
		grep -q '^syslog has the boot banner: yes$' "$UMK_OUT"
		grep -q '^ENOSYS lines in syslog: 1$' "$UMK_OUT"
	done
}

@test "init gets no signal it did not ask for: kill -9 of pid 1, its group, kill(0), tgkill all leave it running (every mode)" {
	for mode in $UMK_MODES; do
		boot_prog "$mode" init_signals
		echo "# mode=$mode status=$UMK_STATUS" >&3
		cat "$UMK_OUT"
		[ "$UMK_STATUS" -eq 0 ]
		[ -z "$(grep -i 'attempted to kill init' "$UMK_ERR")" ]
		grep -q '^pid: 1$' "$UMK_OUT"
		# every kill succeeds, as on Linux, and nothing arrives
		[ "$(grep -c ': 0$' "$UMK_OUT")" -eq 10 ]
		grep -q '^SIGHUP pending while blocked: 1$' "$UMK_OUT"
		grep -q '^SIGUSR1 handled: 1$' "$UMK_OUT"
		grep -q '^init still running: yes$' "$UMK_OUT"
	done
}

@test "CPU time: a guest asleep is idle in /proc/stat, and a sleeping shell is charged nothing (every mode)" {
	mkdir -p "$root/bin"
	cp "$UMK_ROOTFS/bin/busybox" "$root/bin/busybox"
	for a in sh sleep cat head cut echo; do ln -sf busybox "$root/bin/$a"; done
	for mode in $UMK_MODES; do
		umk_boot "$mode" "$root" /bin/sh -c 'mount -t proc proc /proc
			set -- $(cut -d" " -f14,15 /proc/$$/stat); u0=$1 s0=$2
			set -- $(head -1 /proc/stat); i0=$5
			sleep 1
			set -- $(head -1 /proc/stat); i1=$5
			echo "idle ticks over 1 s: $((i1 - i0))"
			set -- $(cut -d" " -f14,15 /proc/$$/stat)
			echo "shell ticks during the sleep: $(($1 - u0)) $(($2 - s0))"'
		cat "$UMK_OUT"
		[ "$UMK_STATUS" -eq 1 ] || [ "$UMK_STATUS" -eq 0 ]
		idle=$(sed -n 's/^idle ticks over 1 s: //p' "$UMK_OUT")
		[ "$idle" -ge 80 ]
		# the shell slept a second in wait4: at most a few ticks (its
		# start, which a loaded host makes slower, is not counted)
		read -r u s < <(sed -n 's/^shell ticks during the sleep: //p' "$UMK_OUT")
		[ $((u + s)) -le 5 ]
	done
}

@test "/proc/config.gz is gzip in Linux's format and says which system calls exist, as the guest finds them" {
	mkdir -p "$root/bin" "$root/out"
	cp "$UMK_ROOTFS/bin/busybox" "$root/bin/busybox"
	for a in sh cat mount; do ln -sf busybox "$root/bin/$a"; done
	cp "$UMK_BUILD/tests/umk/sysprobe" "$root/sysprobe"
	umk_boot skas "$root" /bin/sh -c 'mount -t proc proc /proc
		cat /proc/config.gz >/out/config.gz; /sysprobe >/out/probe'
	zcat "$root/out/config.gz" >"$BATS_TEST_TMPDIR/config"
	head -5 "$BATS_TEST_TMPDIR/config"
	grep -q '^# Linux/x86_64 .* Kernel Configuration$' "$BATS_TEST_TMPDIR/config"
	# every line a comment, CONFIG_X=value or "# CONFIG_X is not set"
	[ -z "$(grep -vE '^(#( CONFIG_[A-Z0-9_]+ is not set)?.*|CONFIG_[A-Z0-9_]+=(y|[0-9]+|".*"))$' "$BATS_TEST_TMPDIR/config")" ]
	cat "$root/out/probe"
	while read -r opt sc; do
		want=$(awk -v s="$sc" '$1 == s { print $2 }' "$root/out/probe")
		if [ "$want" = present ]; then
			grep -qx "CONFIG_$opt=y" "$BATS_TEST_TMPDIR/config" || { echo "$opt: $sc exists"; false; }
		else
			grep -qx "# CONFIG_$opt is not set" "$BATS_TEST_TMPDIR/config" || { echo "$opt: $sc is absent"; false; }
		fi
	done <<-EOF
		SYSVIPC shmget
		POSIX_MQUEUE mq_open
		EPOLL epoll_create1
		SIGNALFD signalfd4
		TIMERFD timerfd_create
		EVENTFD eventfd2
		AIO io_setup
		INOTIFY_USER inotify_init1
		SECCOMP seccomp
		MEMFD_CREATE memfd_create
		FHANDLE name_to_handle_at
		FILE_LOCKING flock
		MODULES init_module
	EOF
	grep -qx 'CONFIG_PROC_FS=y' "$BATS_TEST_TMPDIR/config"
	grep -qx 'CONFIG_UNIX=y' "$BATS_TEST_TMPDIR/config"
}

@test "kernel.pid_max and kernel.ns_last_pid: new pids follow them; bad values are EINVAL" {
	mkdir -p "$root/bin"
	cp "$UMK_ROOTFS/bin/busybox" "$root/bin/busybox"
	for a in sh cat mount echo; do ln -sf busybox "$root/bin/$a"; done
	umk_boot skas "$root" /bin/sh -c 'mount -t proc p /proc
		echo "pid_max $(cat /proc/sys/kernel/pid_max)"
		echo 1000 >/proc/sys/kernel/ns_last_pid
		echo "after ns_last_pid=1000: $(sh -c "echo \$\$")"
		echo 400 >/proc/sys/kernel/pid_max
		echo "after pid_max=400: $(sh -c "echo \$\$")"
		echo 300 >/proc/sys/kernel/pid_max 2>/dev/null || echo "pid_max=300 refused"
		echo 400 >/proc/sys/kernel/ns_last_pid 2>/dev/null || echo "ns_last_pid=400 refused"
		echo "ns_last_pid $(cat /proc/sys/kernel/ns_last_pid)"'
	cat "$UMK_OUT"
	grep -qx 'pid_max 32768' "$UMK_OUT"
	grep -qx 'after ns_last_pid=1000: 1001' "$UMK_OUT"
	# past pid_max, allocation wraps to 300 as Linux (RESERVED_PIDS)
	grep -qx 'after pid_max=400: 300' "$UMK_OUT"
	grep -qx 'pid_max=300 refused' "$UMK_OUT"
	grep -qx 'ns_last_pid=400 refused' "$UMK_OUT"
}

@test "scheduling: nice weighs CPU time; a SCHED_FIFO spinner is throttled so a shell still runs; higher real-time priority first (every mode)" {
	mkdir -p "$root/bin"
	cp "$UMK_ROOTFS/bin/busybox" "$root/bin/busybox"
	for a in sh sleep echo; do ln -sf busybox "$root/bin/$a"; done
	cp "$UMK_BUILD/tests/umk/spin" "$root/spin"
	for mode in $UMK_MODES; do
		umk_boot "$mode" "$root" /bin/sh -c '
			/spin 3 nice0 nice 0 & /spin 1 nice19 nice 19 & wait
			# a FIFO spinner for 3 s: the shell sleeping 1 s still wakes
			# in it (the 5 % real-time throttle), so "alive" comes first
			/spin 3 fifo fifo 10 & sleep 1; echo alive; wait
			# two FIFO spinners: the higher priority one finishes first
			/spin 1 low fifo 5 & /spin 1 high fifo 50 & wait'
		cat "$UMK_OUT"
		[ "$UMK_STATUS" -eq 1 ] || [ "$UMK_STATUS" -eq 0 ]
		n0=$(sed -n 's/^nice0 done, cpu \([0-9]*\) ms$/\1/p' "$UMK_OUT")
		n19=$(sed -n 's/^nice19 done, cpu \([0-9]*\) ms$/\1/p' "$UMK_OUT")
		echo "# mode=$mode: nice 19 got $n19 ms of CPU in its 1 s beside a nice 0 spinner ($n0 ms in 3 s)" >&3
		# weights 15 and 1024: about 15 ms of its second (unweighted: 500)
		[ "$n19" -lt 250 ]
		[ "$(grep -n -e '^alive$' -e '^fifo done' "$UMK_OUT" | head -1 | cut -d: -f2)" = alive ]
		[ "$(grep -e '^low done' -e '^high done' "$UMK_OUT" | head -1 | cut -d' ' -f1)" = high ]
	done
}

@test "root is read-only unless rw: EROFS, as on Linux" {
	mkdir -p "$root/bin"
	cp "$UMK_ROOTFS/bin/busybox" "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	local out=$BATS_TEST_TMPDIR/out
	umk_run_timeout 30 "$out" "$out.err" "$UMK_BIN" root=/dev/root rootfstype=hostfs "hostfs=$root" init=/bin/sh quiet \
		-- -c 'echo x > /tmp/f; echo status=$?; /bin/busybox poweroff -f'
	cat "$out" "$out.err"
	grep -q 'status=1' "$out"
	grep -qi 'read-only' "$out.err" "$out"
	[ ! -e "$root/tmp/f" ]
}

@test "fuzz: random syscalls from guest processes never crash the kernel (every mode)" {
	# fixed seeds keep CI repeatable; run build/tests/umk/fuzz as init with
	# another seed (after --) to explore
	for mode in $UMK_MODES; do
		UMK_TIMEOUT=120 boot_prog "$mode" fuzz 12345
		echo "# mode=$mode status=$UMK_STATUS $(head -1 "$UMK_OUT")" >&3
		cat "$UMK_OUT"
		tail -5 "$UMK_ERR"
		[ "$UMK_STATUS" -eq 0 ]
		grep -q 'kernel alive$' "$UMK_OUT"
	done
}

@test "netfuzz: random datagrams, headers and socket calls on lo never crash the kernel (every mode)" {
	# a fixed seed keeps CI repeatable; boot build/tests/umk/netfuzz as
	# init with another seed (after --) to explore
	for mode in $UMK_MODES; do
		UMK_TIMEOUT=120 boot_prog "$mode" netfuzz 4242
		echo "# mode=$mode status=$UMK_STATUS $(sed -n 2p "$UMK_OUT")" >&3
		cat "$UMK_OUT"
		tail -5 "$UMK_ERR"
		[ "$UMK_STATUS" -eq 0 ]
		grep -q '^netfuzz: lo still works$' "$UMK_OUT"
		grep -q '^netfuzz: kernel alive$' "$UMK_OUT"
	done
}

@test "packet socket fuzz: hostile sockets, filters, frames and rings never hurt the kernel; lo still carries a frame (every mode)" {
	# build/tests/umk/pktfuzz as init; another seed after -- explores
	for mode in $UMK_MODES; do
		UMK_TIMEOUT=120 boot_prog "$mode" pktfuzz 12345
		echo "# mode=$mode status=$UMK_STATUS" >&3
		cat "$UMK_OUT"
		tail -5 "$UMK_ERR"
		[ "$UMK_STATUS" -eq 0 ]
		grep -q '^pktfuzz: lo works$' "$UMK_OUT"
		grep -q 'kernel alive$' "$UMK_OUT"
	done
}

@test "netlink fuzz: hostile rtnetlink requests, options and full sockets never hurt the kernel; netlink still answers (every mode)" {
	# build/tests/umk/nlfuzz as init; another seed after -- explores
	for mode in $UMK_MODES; do
		UMK_TIMEOUT=120 boot_prog "$mode" nlfuzz 777
		echo "# mode=$mode status=$UMK_STATUS" >&3
		cat "$UMK_OUT"
		tail -5 "$UMK_ERR"
		[ "$UMK_STATUS" -eq 0 ]
		grep -q '^nlfuzz: netlink works$' "$UMK_OUT"
		grep -q 'kernel alive$' "$UMK_OUT"
	done
}

@test "escape: guest code attacking the stub harms only itself (every mode; tests/umk/escape.c)" {
	for mode in $UMK_MODES; do
		UMK_TIMEOUT=300 boot_prog "$mode" escape
		echo "# mode=$mode status=$UMK_STATUS" >&3
		cat "$UMK_OUT"
		[ "$UMK_STATUS" -eq 0 ]
		grep -q '^stub syscall instructions found: yes$' "$UMK_OUT"
		[ "$(grep -c ': contained$' "$UMK_OUT")" -eq 4 ]
		grep -Eq '^forged trap with its frame outside the signal stack: (child ended by a signal|no effect)$' "$UMK_OUT"
		grep -q '^forged host rt_sigreturn blocking every signal: child ended by a signal; parent ran again: yes$' "$UMK_OUT"
		grep -q '^another process.s secret in the stub region: not found$' "$UMK_OUT"
		grep -q '^escape: done$' "$UMK_OUT"
		[ -z "$(grep 'ESCAPED\|FOUND' "$UMK_OUT")" ]
		if [ "$mode" = seccomp ]; then
			# the kernel noticed both forgeries itself
			grep -q 'trapped with its frame outside its signal stack: killed' "$UMK_ERR"
			grep -q 'blocked its interrupt signal: killed' "$UMK_ERR"
		fi
	done
}

@test "vm.max_map_count: mmap, mprotect and munmap splits, brk at the limit as on Linux (native with its limit, umk with 500; every mode)" {
	"$UMK_BUILD/tests/umk/map_count" >"$BATS_TEST_TMPDIR/native"
	cat "$BATS_TEST_TMPDIR/native"
	grep -q '^mmap stops with: ENOMEM$' "$BATS_TEST_TMPDIR/native"
	for mode in $UMK_MODES; do
		boot_prog "$mode" map_count
		[ "$UMK_STATUS" -eq 0 ] || { cat "$UMK_ERR"; false; }
		tr -d '\r' <"$UMK_OUT" | diff -u "$BATS_TEST_TMPDIR/native" -
	done
}
