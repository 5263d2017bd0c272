#!/usr/bin/env bats
# umk-switch basics with protocol-level test peers: learning, hub mode,
# counters and status, socket lifecycle, capture streaming, many ports.

load switch-lib

setup() {
	sw_setup
}

teardown() {
	sw_teardown
}

M1=02:00:00:00:00:01
M2=02:00:00:00:00:02
M3=02:00:00:00:00:03

@test "--help documents every option, and each one is accepted" {
	run "$SW" --help
	[ "$status" -eq 0 ]
	for o in -unix -status-sock -ports -qlen -hub -age -fdb-max -tap -ucast -vde -pcap \
		-impair -port-impair -delay -loss -dup -rate -seed -daemon -pidfile -log -quiet --status; do
		grep -q -- "$o" <<<"$output" || { echo "missing $o"; false; }
	done
	run "$SW" -bogus
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown option"* ]]
	run "$SW" -impair loss=200
	[ "$status" -eq 2 ]
	[[ "$output" == *"bad value"* ]]
	run "$SW" -compat-v0
	[ "$status" -eq 2 ]
}

@test "learning: unicast reaches only its destination; unknown and broadcast flood" {
	start_switch sw
	start_peer "$T/r1" -s "$T/sw.ctl" -m $M1 -n 200 -t 3000 recv
	start_peer "$T/r2" -s "$T/sw.ctl" -m $M2 -n 200 -t 3000 recv
	"$PEER" -s "$T/sw.ctl" -m $M3 -d $M1 -n 200 -z 100 send
	wait_for grep -q received= "$T/r1"
	wait_for grep -q received= "$T/r2"
	[ "$(field received "$T/r1")" -eq 200 ]
	[ "$(field received "$T/r2")" -eq 0 ]
	# A frame to an unknown MAC is flooded to everyone else.
	start_peer "$T/r3" -s "$T/sw.ctl" -m $M1 -n 10 -t 3000 recv
	start_peer "$T/r4" -s "$T/sw.ctl" -m $M2 -n 10 -t 3000 recv
	"$PEER" -s "$T/sw.ctl" -m $M3 -d 02:00:00:00:00:99 -n 10 send
	wait_for grep -q received= "$T/r3"
	wait_for grep -q received= "$T/r4"
	[ "$(field received "$T/r3")" -eq 10 ]
	[ "$(field received "$T/r4")" -eq 10 ]
}

@test "-hub floods unicast to every other port" {
	start_switch sw -hub
	start_peer "$T/r1" -s "$T/sw.ctl" -m $M1 -n 50 -t 3000 recv
	start_peer "$T/r2" -s "$T/sw.ctl" -m $M2 -n 50 -t 3000 recv
	"$PEER" -s "$T/sw.ctl" -m $M3 -d $M1 -n 50 send
	wait_for grep -q received= "$T/r1"
	wait_for grep -q received= "$T/r2"
	[ "$(field received "$T/r1")" -eq 50 ]
	[ "$(field received "$T/r2")" -eq 50 ]
	status_of sw | grep -q 'mode hub'
}

@test "status: per-port counters, the learning table, and aging" {
	start_switch sw -age 2
	start_peer "$T/r1" -s "$T/sw.ctl" -m $M1 -n 1000 -t 8000 recv
	"$PEER" -s "$T/sw.ctl" -m $M3 -d $M1 -n 20 -z 100 send
	wait_for bash -c "'$SW' --status '$T/sw.ctl' | grep -q 'tx_frames=21 '"
	run status_of sw
	echo "$output"
	[ "$status" -eq 0 ]
	# Port 1 (receiver): its hello in; the sender's hello and 20 frames of 100 bytes out.
	grep -q '^port 1 daemon rx_frames=1 rx_bytes=60 tx_frames=21 tx_bytes=2060 ' <<<"$output"
	run status_of sw fdb
	[[ "$output" == *"fdb 02:00:00:00:00:01 port 1"* ]]
	sleep 3
	run status_of sw fdb
	[[ "$output" != *"02:00:00:00:00:01"* ]]
	run status_of sw frobnicate
	[ "$status" -ne 0 ]
}

@test "a stale socket is replaced; a live switch is not; a plain file is not" {
	start_switch sw
	kill -9 "$PID_sw"
	wait "$PID_sw" 2>/dev/null || true
	[ -S "$T/sw.ctl" ] # left behind by the killed switch
	start_switch sw # the stale status socket is there at once: wait for the log
	wait_for grep -q 'removing stale socket' "$T/sw.log"
	wait_for grep -q 'switch on' "$T/sw.log"
	run "$SW" -unix "$T/sw.ctl"
	[ "$status" -ne 0 ]
	[[ "$output" == *"another switch is listening"* ]]
	alive "$PID_sw"
	echo hello >"$T/file"
	run "$SW" -unix "$T/file"
	[ "$status" -ne 0 ]
	[[ "$output" == *"not a socket"* ]]
	[ "$(cat "$T/file")" = hello ]
}

@test "clean exit on SIGTERM removes the sockets and the pidfile" {
	start_switch sw -pidfile "$T/sw.pid"
	wait_for test -s "$T/sw.pid"
	[ "$(cat "$T/sw.pid")" = "$PID_sw" ]
	kill -TERM "$PID_sw"
	wait "$PID_sw"
	[ ! -e "$T/sw.ctl" ]
	[ ! -e "$T/sw.ctl.status" ]
	[ ! -e "$T/sw.pid" ]
	grep -q 'shutting down' "$T/sw.log"
}

@test "-daemon detaches after the socket is ready" {
	run "$SW" -unix "$T/d.ctl" -daemon -pidfile "$T/d.pid" -log "$T/d.log"
	[ "$status" -eq 0 ]
	# Ready when the parent returns: socket and pidfile are there.
	[ -S "$T/d.ctl" ]
	[ -s "$T/d.pid" ]
	pid=$(cat "$T/d.pid")
	PIDS+=("$pid")
	alive "$pid"
	"$PEER" -s "$T/d.ctl" -n 1 send
	kill "$pid"
	wait_for test ! -e "$T/d.ctl"
	grep -q 'port 1 attached' "$T/d.log"
	grep -q 'shutting down' "$T/d.log"
	# A startup failure is the caller's exit status, not a silent child.
	run "$SW" -unix /nonexistent-dir/x.ctl -daemon
	[ "$status" -ne 0 ]
}

@test "-pcap - streams a pcap that tcpdump -r - reads live" {
	command -v tcpdump >/dev/null || skip "tcpdump not installed"
	"$SW" -unix "$T/sw.ctl" -pidfile "$T/sw.pid" -pcap - 2>"$T/sw.log" </dev/null |
		tcpdump -l -nr - >"$T/dump" 2>/dev/null &
	PIDS+=($!)
	wait_for test -s "$T/sw.pid"
	PIDS+=("$(cat "$T/sw.pid")")
	start_peer "$T/r1" -s "$T/sw.ctl" -m $M1 -n 5 -t 3000 recv
	"$PEER" -s "$T/sw.ctl" -m $M3 -d $M1 -n 5 -z 80 send
	wait_for grep -q received= "$T/r1"
	# tcpdump prints as frames arrive, before the switch exits.
	wait_for bash -c "test \$(grep -c '02:00:00:00:00:03 > 02:00:00:00:00:01' '$T/dump') -eq 5"
	alive "$(cat "$T/sw.pid")"
}

@test "hundreds of ports: 400 attached at once, all cleaned up when they vanish" {
	start_switch sw -quiet
	start_peer "$T/many" -s "$T/sw.ctl" -c 400 sink
	run status_of sw
	[[ "$output" == *"ports 400/1024"* ]]
	# The switch still switches among them.
	start_peer "$T/r1" -s "$T/sw.ctl" -m $M1 -n 30 -t 3000 recv
	"$PEER" -s "$T/sw.ctl" -m $M3 -d $M1 -n 30 send
	wait_for grep -q received= "$T/r1"
	[ "$(field received "$T/r1")" -eq 30 ]
	kill "$LAST_PEER" 2>/dev/null || true
	kill -9 "$(pgrep -f "$PEER -s $T/sw.ctl -c 400")" 2>/dev/null || true
	wait_for bash -c "'$SW' --status '$T/sw.ctl' | grep -q '^ports 0/'"
}

@test "-ports limit: the client beyond it is refused with one log line, others unaffected" {
	start_switch sw -ports 3
	start_peer "$T/many" -s "$T/sw.ctl" -c 3 sink
	run "$PEER" -s "$T/sw.ctl" -n 1 send
	[ "$status" -ne 0 ]
	grep -q 'all 3 ports in use' "$T/sw.log"
	status_of sw | grep -q '^ports 3/3'
}
