#!/bin/bash
# Switch throughput: frames/s and Mbit/s through umk-switch between two test
# clients on loopback (umk-switch-peer: one sender, one receiver, daemon
# protocol over unix datagram sockets), against Debian's uml_switch (and
# vde_switch when installed) in the same run, same clients, same sizes.
#
# Usage: tests/bench/switch-bench.sh [FRAMES]    (default 200000 per run)
# Needs: build/umk-switch, build/umk-switch-peer (make all). Prints a table
# and one "BENCH name=value ..." line per measurement for scripts.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SW=$ROOT/build/umk-switch
PEER=$ROOT/build/umk-switch-peer
N=${1:-200000}
SIZES="64 512 1500"

for b in "$SW" "$PEER"; do
	[ -x "$b" ] || { echo "switch-bench: $b missing; run make all" >&2; exit 1; }
done

T=$(mktemp -d /tmp/umk-swbench.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

wait_sock() {
	for _ in $(seq 50); do [ -S "$1" ] && return 0; sleep 0.1; done
	return 1
}

# start NAME: the switch in the background; sets CTL, records its pid.
# (Not run in $(...): a subshell would lose the pid list.)
start() {
	case $1 in
	umk-switch)
		"$SW" -unix "$T/umk.ctl" -quiet </dev/null >/dev/null 2>"$T/umk.log" &
		PIDS+=($!)
		CTL=$T/umk.ctl ;;
	uml_switch)
		command -v uml_switch >/dev/null || return 1
		uml_switch -unix "$T/uml.ctl" </dev/null >/dev/null 2>&1 &
		PIDS+=($!)
		CTL=$T/uml.ctl ;;
	vde_switch)
		command -v vde_switch >/dev/null || return 1
		# Without a terminal vde_switch must daemonize (its console
		# would read EOF and quit).
		vde_switch -s "$T/vde" -d -p "$T/vde.pid" </dev/null >/dev/null 2>&1 || return 1
		wait_sock "$T/vde/ctl" || return 1
		PIDS+=("$(cat "$T/vde.pid")")
		CTL=$T/vde/ctl ;;
	esac
	wait_sock "$CTL"
}

echo "switch-bench: $N frames per run, sender -> switch -> receiver on loopback ($(nproc) CPUs)"
printf '%-11s %6s %9s %7s %12s %10s\n' switch frame delivered loss% frames/s Mbit/s
for name in umk-switch uml_switch vde_switch; do
	start $name || { printf '%-11s (not installed, skipped)\n' "$name"; continue; }
	for z in $SIZES; do
		out=$("$PEER" -s "$CTL" -n "$N" -z "$z" -t 2000 bench 2>/dev/null | tail -n 1)
		got=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' <<<"$out")
		fps=$(sed -n 's/.* fps=\([0-9.]*\).*/\1/p' <<<"$out")
		mbps=$(sed -n 's/.* mbps=\([0-9.]*\).*/\1/p' <<<"$out")
		[ -n "$got" ] || { printf '%-11s %6s  failed\n' "$name" "$z"; continue; }
		loss=$(awk -v g="$got" -v n="$N" 'BEGIN { printf "%.1f", 100 * (n - g) / n }')
		printf '%-11s %6s %9s %7s %12s %10s\n' "$name" "$z" "$got" "$loss" "$fps" "$mbps"
		echo "BENCH switch=$name frame_bytes=$z frames=$N delivered=$got loss_pct=$loss frames_per_s=$fps mbit_per_s=$mbps" >>"$T/bench.lines"
	done
done
echo
cat "$T/bench.lines" 2>/dev/null
