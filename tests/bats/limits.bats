#!/usr/bin/env bats
# What a guest cannot do to the host (Documentation/limits.md): whatever
# it fills (tmpfs, the kernel heap, pipes, sockets, the page cache), umk
# and its stub processes stay within mem= plus a small fixed overhead,
# sampled from the host while it tries; a fork bomb stops at
# kernel.threads-max with init and a root shell still answering, and
# kill -9 -1 from init ends it within seconds.

load ../lib.sh

# Host memory allowed beyond mem=: umk's own pages (binary, libraries,
# static buffers) and the stubs' private pages (Documentation/limits.md).
OVERHEAD_KB=4096

setup() {
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/bin" "$root/proc" "$root/dev" "$root/tmp" "$root/mnt"
	cp "$UMK_ROOTFS/bin/busybox" "$root/bin/busybox"
	for a in sh mount umount df dd cat rm mkdir seq sleep grep head echo dmesg; do
		ln -sf busybox "$root/bin/$a"
	done
	cp "$UMK_BUILD/tests/umk/memfill" "$UMK_BUILD/tests/umk/forkbomb" "$root/"
}

# pss_kb PID: proportional set size of PID and its child processes (the
# stubs), in kB; physmem pages shared between them count once in total.
pss_kb() {
	local files=/proc/$1/smaps_rollup c
	for c in $(pgrep -P "$1"); do
		files="$files /proc/$c/smaps_rollup"
	done
	# shellcheck disable=SC2086
	awk '/^Pss:/ { s += $2 } END { print s + 0 }' $files 2>/dev/null || echo 0
}

# boot_sampled MODE MEM INIT [ARGS...]: boots umk on $root with mem=MEM,
# sampling its host memory every 0.1 s; sets UMK_OUT, UMK_ERR,
# UMK_STATUS (124 on timeout), UMK_ELAPSED_MS and MAX_PSS_KB.
# UMK_ARGV_PREFIX: a command (words) to run umk under.
boot_sampled() {
	local mode=$1 mem=$2 tmp=$BATS_TEST_TMPDIR v pid t0
	shift 2
	UMK_OUT=$tmp/umk.out
	UMK_ERR=$tmp/umk.err
	UMK_MEM=$mem umk_cmdline "$mode" "$root" "$@"
	MAX_PSS_KB=0
	t0=$(date +%s%N)
	# shellcheck disable=SC2086
	setsid ${UMK_ARGV_PREFIX:-} "${UMK_ARGV[@]}" </dev/null >"$UMK_OUT.raw" 2>"$UMK_ERR" 3>&- &
	pid=$!
	UMK_STATUS=
	while kill -0 "$pid" 2>/dev/null; do
		v=$(pss_kb "$pid")
		[ "$v" -gt "$MAX_PSS_KB" ] && MAX_PSS_KB=$v
		if [ $((($(date +%s%N) - t0) / 1000000000)) -ge "$UMK_TIMEOUT" ]; then
			kill -KILL -- "-$pid" 2>/dev/null
			UMK_STATUS=124
			break
		fi
		sleep 0.1
	done
	local st=0
	wait "$pid" || st=$?
	UMK_STATUS=${UMK_STATUS:-$st}
	kill -KILL -- "-$pid" 2>/dev/null || true
	UMK_ELAPSED_MS=$((($(date +%s%N) - t0) / 1000000))
	tr -d '\r' <"$UMK_OUT.raw" >"$UMK_OUT"
}

# kb SIZE: 64M -> 65536
kb() {
	echo $((${1%M} * 1024))
}

# check_bound MEM: the sampled host memory stayed within MEM + overhead
check_bound() {
	echo "# host memory: at most $MAX_PSS_KB kB for mem=$1 ($(kb "$1") kB + $OVERHEAD_KB kB allowed)" >&3
	[ "$MAX_PSS_KB" -gt 0 ]
	[ "$MAX_PSS_KB" -le $(($(kb "$1") + OVERHEAD_KB)) ]
}

@test "memory: a default tmpfs holds half of mem=, then ENOSPC; the host sees at most mem= (every mode)" {
	for mode in $UMK_MODES; do
		boot_sampled "$mode" 64M /bin/sh -c 'mount -t proc p /proc; mount -t tmpfs t /mnt
			dd if=/dev/zero of=/mnt/f bs=64k 2>&1 | head -1
			df -k /mnt | grep -o "[0-9]* *0 *100%"
			grep MemTotal /proc/meminfo; sleep 1; poweroff -f'
		cat "$UMK_OUT"
		[ "$UMK_STATUS" -eq 0 ]
		grep -q "No space left on device" "$UMK_OUT"
		# the whole half of MemTotal, no more: "size used 0 100%"
		local total size
		total=$(awk '/MemTotal/ { print $2 }' "$UMK_OUT")
		size=$(grep -o '^[0-9]*' <(grep '100%' "$UMK_OUT"))
		[ "$size" -eq $((total / 8 * 4)) ]
		check_bound 64M
	done
}

@test "memory: the host holds what the guest uses, not all of mem= (frames are reused lowest first)" {
	# 100k read/write pairs through 64 KiB kernel buffers, and 32 MiB
	# written to a tmpfs and removed: 256M of guest memory, little of it
	# ever touched
	boot_sampled skas 256M /bin/sh -c 'dd if=/dev/zero of=/dev/null bs=64k count=100000 2>/dev/null
		mount -t tmpfs t /mnt; dd if=/dev/zero of=/mnt/f bs=64k count=512 2>/dev/null; sleep 1; rm /mnt/f
		dd if=/dev/zero of=/dev/null bs=64k count=20000 2>/dev/null; echo done; poweroff -f'
	cat "$UMK_OUT"
	[ "$UMK_STATUS" -eq 0 ]
	grep -q "^done$" "$UMK_OUT"
	echo "# host memory: at most $MAX_PSS_KB kB for mem=256M" >&3
	[ "$MAX_PSS_KB" -le $((48 << 10)) ]
}

@test "memory: an unlimited tmpfs (size=0) meets the OOM killer, not the host; truncating it recovers" {
	boot_sampled skas 64M /bin/sh -c 'mount -t tmpfs -o size=0 t /mnt
		(dd if=/dev/zero of=/mnt/f bs=64k 2>/dev/null; echo "dd status $?")
		sleep 1; : > /mnt/f; echo truncated; mount -t proc p /proc; grep MemFree /proc/meminfo; poweroff -f'
	cat "$UMK_OUT"
	grep "Out of memory" "$UMK_ERR" | head -3
	[ "$UMK_STATUS" -eq 0 ]
	grep -q "^truncated$" "$UMK_OUT"
	grep -q "Out of memory: Killed process [0-9]* (dd)" "$UMK_ERR"
	local free
	free=$(awk '/MemFree/ { print $2 }' "$UMK_OUT")
	[ "$free" -gt 50000 ]
	check_bound 64M
}

@test "memory: pipes and unix sockets full of data stay in guest memory (ENOMEM, ENOBUFS, the OOM killer) (every mode)" {
	for mode in $UMK_MODES; do
		boot_sampled "$mode" 64M /bin/sh -c '/memfill pipes 8; /memfill sockets 8; echo init alive; poweroff -f'
		cat "$UMK_OUT"
		grep -c "Out of memory" "$UMK_ERR" || true
		[ "$UMK_STATUS" -eq 0 ]
		[ "$(grep -c '^fillers: ' "$UMK_OUT")" -eq 2 ]
		# memory stops every socket filler: ENOBUFS, or the OOM killer
		! grep "socket pairs, stopped by" "$UMK_OUT" | grep -v "No buffer space available"
		grep -q "^init alive$" "$UMK_OUT"
		check_bound 64M
	done
}

@test "memory: files in a tmpfs without limits fill the kernel heap in guest memory, then the guest's OOM" {
	# as Linux: with every process killed and the memory still full, the
	# kernel gives up ("no killable processes"); the host never grows
	boot_sampled skas 32M /bin/sh -c 'mount -t tmpfs -o size=0,nr_inodes=0 t /mnt; /memfill files /mnt; poweroff -f'
	tail -3 "$UMK_ERR"
	grep -q "Out of memory: Killed process [0-9]* (memfill)" "$UMK_ERR"
	grep -q "Out of memory and no killable processes" "$UMK_ERR"
	[ "$UMK_STATUS" -ne 124 ]
	check_bound 32M
}

@test "memory: the page cache behind file mappings is guest memory and is reclaimed" {
	# two files of 24 MiB mapped and read one after the other in 32M,
	# the first held open (its cache stays while nothing maps it): that
	# cache must be reclaimed for the second to fit
	head -c $((24 << 20)) /dev/zero | tr '\0' p >"$root/big1"
	cp "$root/big1" "$root/big2"
	boot_sampled skas 32M /bin/sh -c 'exec 3</big1; /memfill mmap /big1; /memfill mmap /big2; /memfill mmap /big1
		poweroff -f'
	cat "$UMK_OUT"
	[ "$UMK_STATUS" -eq 0 ]
	[ "$(grep -c 'every page as written' "$UMK_OUT")" -eq 3 ]
	! grep -q "Out of memory" "$UMK_ERR"
	check_bound 32M
}

@test "memory: a file bigger than mem= written to an ext4 root and read back three times" {
	# read() and write() go through the ext4 driver's write-back cache in
	# its host half, bounded (~16 MiB per filesystem, Documentation/disks.md),
	# not through guest memory: a file five times mem= never grows the host
	# past the bound
	UMK_ROOT_UBD=$BATS_TEST_TMPDIR/root.cow,$UMK_BUILD/rootfs.ext4 boot_sampled skas 32M /bin/sh \
		-c 'dd if=/dev/zero of=/big bs=64k count=768 2>&1 | tail -1; cat /big /big /big | wc -c; rm /big
		poweroff -f'
	cat "$UMK_OUT"
	[ "$UMK_STATUS" -eq 0 ]
	grep -q "^768+0 records out$" "$UMK_OUT"
	grep -q "^150994944$" "$UMK_OUT"
	check_bound 32M
}

@test "memory: an OOM storm is logged once per kill, at most 10 lines in 5 s, then how many were suppressed" {
	# 40 processes of 4 MiB in 32M: some 35 OOM kills within a second;
	# the count of suppressed lines is a warning: dmesg has it (quiet
	# keeps warnings off the console, as Linux)
	boot_sampled skas 32M /bin/sh -c '/memfill hogs 40 4; sleep 6; /memfill hogs 10 4
		dmesg | grep suppressed; poweroff -f'
	cat "$UMK_OUT"
	grep "Out of memory" "$UMK_ERR" | head -20
	[ "$UMK_STATUS" -eq 0 ]
	local first killed suppressed
	killed=$(sed -n 's/^hogs: \([0-9]*\) of 40 ended by SIGKILL.*/\1/p' "$UMK_OUT")
	[ "$killed" -gt 20 ]
	# the first burst (the first seconds): 10 lines, then how many more
	first=$(awk -F'[][]' '/Out of memory: Killed process/ && $2 + 0 < 5 { n++ } END { print n + 0 }' "$UMK_ERR")
	[ "$first" -eq 10 ]
	suppressed=$(sed -n 's/.*oom_kill_process: \([0-9]*\) callbacks suppressed/\1/p' "$UMK_OUT")
	[ "$suppressed" -eq $((killed - 10)) ]
	check_bound 32M
}

@test "memory: /proc/meminfo counts the kernel heap as Slab" {
	boot_sampled skas 64M /bin/sh -c 'mount -t proc p /proc; mount -t tmpfs -o nr_inodes=0 t /mnt
		grep Slab: /proc/meminfo; /memfill files /mnt >/dev/null & sleep 1; kill $!
		grep Slab: /proc/meminfo; poweroff -f'
	cat "$UMK_OUT"
	[ "$UMK_STATUS" -eq 0 ]
	local before after
	before=$(awk '/^Slab:/ { print $2; exit }' "$UMK_OUT")
	after=$(awk '/^Slab:/ { n++; if (n == 2) print $2 }' "$UMK_OUT")
	# thousands of inodes, directory entries and names: megabytes
	[ "$before" -gt 0 ] && [ "$after" -gt $((before + 1024)) ]
}

@test "memory: unmounting a tmpfs nested deeper than a kernel stack" {
	boot_sampled skas 64M /bin/sh -c 'mount -t tmpfs t /mnt; cd /mnt; i=0
		while [ $i -lt 3000 ]; do mkdir d; cd d; i=$((i + 1)); done
		cd /; umount /mnt && echo unmounted; poweroff -f'
	cat "$UMK_OUT"
	tail -3 "$UMK_ERR"
	[ "$UMK_STATUS" -eq 0 ]
	grep -q "^unmounted$" "$UMK_OUT"
}

@test "processes: threads-max and RLIMIT_NPROC follow mem= as Linux; threads-max is a sysctl" {
	# (a shell dies when it cannot fork: the sleeps start in a subshell)
	boot_sampled skas 64M /bin/sh -c 'mount -t proc p /proc
		echo "threads-max $(cat /proc/sys/kernel/threads-max)"; grep MemTotal /proc/meminfo
		echo "nproc $(ulimit -u) sigpending $(ulimit -i)"
		echo 0 > /proc/sys/kernel/threads-max; echo junk > /proc/sys/kernel/threads-max
		echo 12 > /proc/sys/kernel/threads-max; echo "lowered to $(cat /proc/sys/kernel/threads-max)"
		(for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do sleep 3 & done)
		read a b c tasks e </proc/loadavg; echo "tasks: $tasks"
		wait; poweroff -f'
	cat "$UMK_OUT"
	[ "$UMK_STATUS" -eq 0 ]
	local tmax total
	tmax=$(sed -n 's/^threads-max //p' "$UMK_OUT")
	total=$(awk '/MemTotal/ { print $2 }' "$UMK_OUT")
	[ "$tmax" -eq $((total / 128)) ]
	grep -q "^nproc $((tmax / 2)) sigpending $((tmax / 2))$" "$UMK_OUT"
	[ "$(grep -c 'Invalid argument' "$UMK_OUT")" -eq 2 ]
	grep -q "^lowered to 12$" "$UMK_OUT"
	grep -q "can't fork: Resource temporarily unavailable" "$UMK_OUT"
	# init and the sleeps the subshell got to start: 12 tasks at most
	local n
	n=$(sed -n 's|^tasks: [0-9]*/\([0-9]*\)$|\1|p' "$UMK_OUT")
	[ "$n" -ge 10 ] && [ "$n" -le 12 ]
}

@test "processes: host descriptors: hostfs files past umk's RLIMIT_NOFILE give the guest EMFILE, nothing else" {
	# umk raises its soft limit to the hard one; a hard limit of 3000
	# stands for whatever the host allows
	UMK_ARGV_PREFIX="prlimit --nofile=3000:3000" boot_sampled skas 64M /bin/sh -c '/memfill open /memfill
		/memfill open /memfill; echo "still forking"; poweroff -f'
	cat "$UMK_OUT"
	[ "$UMK_STATUS" -eq 0 ]
	[ "$(grep -c "^open: [0-9]* descriptors, stopped by Too many open files$" "$UMK_OUT")" -eq 2 ]
	local n
	n=$(sed -n 's/^open: \([0-9]*\) .*/\1/p' "$UMK_OUT" | head -1)
	[ "$n" -gt 2500 ] && [ "$n" -lt 3000 ]
	grep -q "^still forking$" "$UMK_OUT"
}

# bomb_check KIND: the fork bomb's report (tests/umk/forkbomb.c) within bounds
bomb_check() {
	cat "$UMK_OUT"
	echo "# $1 bomb, mode=$mode: $(grep -E 'peak|at most|answered|after kill' "$UMK_OUT" | tr '\n' ' ')" >&3
	[ "$UMK_STATUS" -eq 0 ]
	local tmax
	tmax=$(sed -n 's/^threads-max: //p' "$UMK_OUT")
	grep -q "^shell before the bomb: answers$" "$UMK_OUT"
	# it reached the limit (the busybox one may burn out early)
	[ "$(sed -n 's/^peak processes: //p' "$UMK_OUT")" -ge $((tmax / 2)) ]
	# init and the shell kept answering: typically init's 100 ms sleeps
	# take 100-200 ms and the shell answers within a few ms; the bounds
	# leave room for a busy host (round robin among 500 spinning tasks
	# took 10 s)
	[ "$(sed -n 's/^init.s 100 ms sleep took at most: \([0-9]*\) ms/\1/p' "$UMK_OUT")" -le 2000 ]
	grep -Eq "^shell answered: ([0-9]+) of \1, slowest [0-9]+ ms$" "$UMK_OUT"
	[ "$(sed -n 's/^shell answered: .* slowest \([0-9]*\) ms/\1/p' "$UMK_OUT")" -le 3000 ]
	# kill -9 -1 leaves init alone within 5 s, and fork works again
	grep -q "^after kill -9 -1: 1 process(es) left after [0-9]* ms$" "$UMK_OUT"
	[ "$(sed -n 's/^after kill -9 -1: 1 process(es) left after \([0-9]*\) ms/\1/p' "$UMK_OUT")" -le 5000 ]
	grep -q "^fork works again: yes$" "$UMK_OUT"
	# no OOM storm
	[ "$(grep -c 'Out of memory' "$UMK_ERR")" -le 10 ]
	check_bound 64M
}

@test "processes: a busybox sh fork bomb stops at threads-max; init and a shell answer; kill -9 -1 recovers (every mode)" {
	for mode in $UMK_MODES; do
		UMK_TIMEOUT=90 boot_sampled "$mode" 64M /forkbomb sh 8
		bomb_check sh
	done
}

@test "processes: a C fork loop (every child forks too) stops at threads-max; init and a shell answer; kill -9 -1 recovers (every mode)" {
	for mode in $UMK_MODES; do
		UMK_TIMEOUT=90 boot_sampled "$mode" 64M /forkbomb c 8
		bomb_check c
	done
}
