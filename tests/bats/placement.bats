#!/usr/bin/env bats
# Host CPU placement (pin=, Documentation/trap-modes.md): a guest lives on
# one host CPU, the least crowded one at start, and moves whole (umk's
# threads and every stub) when its CPU is crowded and another is idle.
# Two CPU-bound guests started from one shell on a 2-CPU host each get a
# CPU.

load ../lib.sh

setup() {
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/bin" "$root/proc" "$root/dev" "$root/tmp"
	cp "$UMK_ROOTFS/bin/busybox" "$root/bin/busybox"
	ln -sf busybox "$root/bin/sh"
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill -KILL -- "-$p" 2>/dev/null || true
	done
}

ncpus() { nproc 2>/dev/null || echo 1; }

# spin NAME [OPTIONS...]: starts a guest whose init spins forever (after
# printing a marker), in its own process group; its pid in PID_NAME.
spin() {
	local name=$1
	shift
	setsid "$UMK_BIN" mem=64M root=/dev/root rootfstype=hostfs "hostfs=$root" init=/bin/sh \
		quiet "$@" -- -c 'echo "spin""ning"; while :; do :; done' \
		</dev/null >"$BATS_TEST_TMPDIR/$name.out" 2>&1 &
	printf -v "PID_$name" %s $!
	PIDS+=($!)
	disown	# no "Killed" notices from bash when teardown ends it
	local i
	for i in $(seq 100); do
		grep -q spinning "$BATS_TEST_TMPDIR/$name.out" && return 0
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/$name.out"
	return 1
}

# tree_tids PID: PID's threads and those of all its descendants, as
# /proc/PID/task/TID paths (per-thread numbers live only there).
tree_tids() {
	local t c
	for t in /proc/"$1"/task/*; do
		[ -d "$t" ] || continue
		echo "$t"
		for c in $(cat "$t/children" 2>/dev/null); do
			tree_tids "$c"
		done
	done
}

# tree_cpu PID: the one CPU every thread of the guest is on, or "mixed".
tree_cpu() {
	local t
	for t in $(tree_tids "$1"); do
		awk '/^Cpus_allowed_list:/ { print $2 }' "$t/status" 2>/dev/null
	done | sort -u | awk '{ n++; c = $1 } END { print (n == 1) ? c : "mixed" }'
}

# tree_ticks PID: CPU time (clock ticks) of every thread of the guest.
tree_ticks() {
	local t s=0 f
	for t in $(tree_tids "$1"); do
		read -r -a f <"$t/stat" 2>/dev/null || continue
		s=$((s + f[13] + f[14]))
	done
	echo "$s"
}

# least_idle_share: the idle share of the host's busiest CPU over 1 s.
least_idle_share() {
	local a b
	a=$(grep '^cpu[0-9]' /proc/stat)
	sleep 1
	b=$(grep '^cpu[0-9]' /proc/stat)
	paste <(echo "$a") <(echo "$b") | awk '{
		n = (NF - 2) / 2; t1 = t2 = 0
		for (i = 2; i <= 9; i++) t1 += $i
		for (i = n + 3; i <= n + 10; i++) t2 += $i
		idle = ($(n + 6) + $(n + 7)) - ($5 + $6)
		s = (t2 > t1) ? idle / (t2 - t1) : 0
		if (NR == 1 || s < least) least = s
	} END { printf "%.2f\n", least }'
}

# other_guests: umk kernels already running on this host (another user's
# or a test's); they take part in the placement this file checks.
other_guests() {
	pgrep -x umk | wc -l
}

@test "two guests started from one shell start on different CPUs" {
	[ "$(ncpus)" -ge 2 ] || skip "one host CPU"
	[ "$(other_guests)" -eq 0 ] || skip "other umk guests run on this host: they count in the choice"
	spin a
	spin b
	ca=$(tree_cpu "$PID_a")
	cb=$(tree_cpu "$PID_b")
	echo "a on $ca, b on $cb"
	[ "$ca" != mixed ] && [ "$cb" != mixed ]
	[ "$ca" != "$cb" ]
}

@test "two CPU-bound guests crowded on one CPU: one moves, both run at full speed" {
	[ "$(ncpus)" -ge 2 ] || skip "one host CPU"
	# The test needs the host to itself: other load would take the
	# idle CPU or the speed it measures.
	idle=$(least_idle_share)
	awk -v i="$idle" 'BEGIN { exit !(i >= 0.7) }' ||
		skip "the host's CPUs are busy (busiest idle $idle): balancing needs idle ones"
	spin a
	spin b
	ca=$(tree_cpu "$PID_a")
	# Crowd b onto a's CPU, every thread, as a host that placed them
	# badly would.
	for t in $(tree_tids "$PID_b"); do
		taskset -p -c "$ca" "${t##*/}" >/dev/null
	done
	[ "$(tree_cpu "$PID_b")" = "$ca" ]
	for i in $(seq 150); do
		ca=$(tree_cpu "$PID_a")
		cb=$(tree_cpu "$PID_b")
		[ "$ca" != mixed ] && [ "$cb" != mixed ] && [ "$ca" != "$cb" ] && break
		sleep 0.1
	done
	echo "after $((i / 10)) s: a on $ca, b on $cb"
	[ "$ca" != mixed ] && [ "$cb" != mixed ] && [ "$ca" != "$cb" ]
	# Each now has a CPU to itself: over 3 s each gets most of one (two
	# sharing one would get half each).
	hz=$(getconf CLK_TCK)
	a0=$(tree_ticks "$PID_a")
	b0=$(tree_ticks "$PID_b")
	sleep 3
	a1=$(tree_ticks "$PID_a")
	b1=$(tree_ticks "$PID_b")
	echo "CPU share over 3 s: a $(((a1 - a0) * 100 / (3 * hz)))%, b $(((b1 - b0) * 100 / (3 * hz)))%"
	[ $(((a1 - a0) * 100 / (3 * hz))) -ge 75 ]
	[ $(((b1 - b0) * 100 / (3 * hz))) -ge 75 ]
}

@test "pin=CPU fixes the CPU, pin=off leaves placement to the host, bad values are refused" {
	[ "$(ncpus)" -ge 2 ] || skip "one host CPU"
	spin a pin=1
	[ "$(tree_cpu "$PID_a")" = 1 ]
	spin b pin=off
	[ "$(tree_cpu "$PID_b")" = "$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status)" ]
	run "$UMK_BIN" pin=9999
	[ "$status" -eq 2 ]
	[[ "$output" == *"pin=9999"* ]]
	run "$UMK_BIN" pin=fast
	[ "$status" -eq 2 ]
	[[ "$output" == *"pin=on, pin=off or pin=CPU"* ]]
	# a CPU this process may not use
	run taskset -c 0 "$UMK_BIN" pin=1
	[ "$status" -eq 2 ]
	[[ "$output" == *"host CPU 1 is not one this process may use"* ]]
}
