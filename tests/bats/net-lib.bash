# Shared helpers for the network card tests (tests/bats/net-*.bats): umk
# guests booted in the background on build/test-rootfs with
# /tests/net-guest.sh as init (its helpers: up, down, stat, wait_carrier;
# and /tests/netprobe), plus everything switch-lib.bash has (switches,
# peers, linux.uml guests, cleanup in teardown).

load switch-lib
load ../lib.sh

net_setup() {
	sw_setup
	[ -x "$UMK_BIN" ] && [ -x "$UMK_TEST_ROOTFS/tests/netprobe" ] || skip "build first: make all test-rootfs"
}

# boot_umk NAME 'GUEST SHELL CODE' [UMK OPTIONS...]: a guest in the
# background (its own process group), console in $T/NAME.console (so
# switch-lib's wait_console works for it), kernel log in $T/NAME.err.
# umid=NAME unless the options name another; its umid directory is under
# $T (uml_dir=), so test runs side by side never meet on a name.
boot_umk() {
	local name=$1 code=$2
	shift 2
	local umid="umid=$name" a
	for a in "$@"; do
		case $a in umid=*) umid= ;; esac
	done
	setsid $SW_PREFIX "$UMK_BIN" mem=64M root=/dev/root rootfstype=hostfs "hostfs=$UMK_TEST_ROOTFS" \
		init=/bin/sh rw "uml_dir=$T/uml" $umid "$@" -- /tests/net-guest.sh "$code" \
		</dev/null >"$T/$name.console" 2>"$T/$name.err" &
	PIDS+=($!)
	eval "UPID_$name=$!"
}

# run_umk NAME 'CODE' [OPTIONS...]: boot in the foreground (60 s at most);
# status in $UMK_STATUS.
run_umk() {
	boot_umk "$@"
	wait_umk "$1" 60
}

# wait_out NAME PATTERN [SECS]: until the guest's console has PATTERN
# (30 s by default); else its console and kernel log.
wait_out() {
	wait_console "$1" "$2" "${3:-30}" || { tail -n 20 "$T/$1.err" >&2; return 1; }
}

# wait_umk NAME [SECS]: until the guest's umk exits; its status in
# UMK_STATUS (124: still running, killed).
wait_umk() {
	local pid
	eval "pid=\$UPID_$1"
	local i
	for i in $(seq $((${2:-60} * 10))); do
		if ! kill -0 "$pid" 2>/dev/null; then
			UMK_STATUS=0
			wait "$pid" || UMK_STATUS=$?
			return 0
		fi
		sleep 0.1
	done
	kill -9 -- "-$pid" 2>/dev/null
	UMK_STATUS=124
}

# explain NAME: console and kernel log, for a failing test.
explain() {
	echo "--- $1 console:"
	cat "$T/$1.console"
	echo "--- $1 kernel log:"
	tail -n 30 "$T/$1.err"
}

# guest_exit NAME: the status the guest's code ended with.
guest_exit() {
	sed -n 's/^NET-GUEST-EXIT //p' "$T/$1.console" | tr -d '\r'
}

# out_field NAME KEY: the value of the last KEY=value on the console.
out_field() {
	tr -d '\r' <"$T/$1.console" | tr ' ' '\n' | sed -n "s/^$2=//p" | tail -n 1
}

# boot_fails 'OPTION...': umk refuses the options at boot; the one line
# it printed in $output.
boot_fails() {
	run "$UMK_BIN" mem=64M root=/dev/root rootfstype=hostfs "hostfs=$UMK_TEST_ROOTFS" init=/bin/true "$@"
}

# idle_ticks NAME SECS: the host CPU clock ticks (1/100 s) guest NAME's
# umk used in SECS seconds.
idle_ticks() {
	local pid t0 t1
	eval "pid=\$UPID_$1"
	t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	sleep "$2"
	t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	echo "idle: $((t1 - t0)) ticks in $2 s" >&2
	echo $((t1 - t0))
}
