#!/usr/bin/env bats
# Fault tests: garbage on the control socket, clients vanishing mid-stream,
# a peer that never reads. The switch must keep serving the others and log
# one line per event.

load switch-lib

setup() {
	sw_setup
	command -v python3 >/dev/null || skip "python3 not installed"
}

teardown() {
	sw_teardown
}

M1=02:00:00:00:00:01
M2=02:00:00:00:00:02
M3=02:00:00:00:00:03
MS=02:00:00:00:00:5e

# still_switches: a fresh pair of peers exchanges 50 frames.
still_switches() {
	start_peer "$T/ok-r" -s "$T/sw.ctl" -m $M2 -n 50 -t 3000 recv
	"$PEER" -s "$T/sw.ctl" -m $M3 -d $M2 -n 50 send >/dev/null
	wait_for grep -q received= "$T/ok-r"
	[ "$(field received "$T/ok-r")" -eq 50 ]
}

# ctl_send PYTHON-BYTES-EXPR [hold-seconds]: connect, send, (wait), close.
ctl_send() {
	python3 - "$T/sw.ctl" "$1" "${2:-0}" <<'PY'
import socket, sys, time, struct, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(eval(sys.argv[2]))
time.sleep(float(sys.argv[3]))
s.close()
PY
}

@test "garbage on the control socket: one log line each, switch keeps serving" {
	start_switch sw
	ctl_send 'os.urandom(300)'
	ctl_send 'b"GET / HTTP/1.0\r\n\r\n"'
	ctl_send 'struct.pack("=III", 0xFEEDFACE, 2, 0) + bytes(110)'  # v2
	ctl_send 'struct.pack("=III", 0xFEEDFACE, 3, 0) + struct.pack("=H", 2) + bytes(110)'  # AF_INET
	ctl_send 'struct.pack("=III", 0xFEEDFACE, 3, 1) + bytes(112)'   # management port 0
	ctl_send 'struct.pack("=III", 0xFEEDFACE, 3, 0)[:7]'           # cut short, then EOF
	ctl_send 'bytes(1000)'
	# A valid request naming a data socket nobody bound.
	ctl_send 'struct.pack("=III", 0xFEEDFACE, 3, 0) + struct.pack("=H", 1) + b"\0nobody-here" + bytes(97)'
	wait_for bash -c "[ \$(grep -c 'control:' '$T/sw.log') -ge 8 ]"
	cat "$T/sw.log"
	[ "$(grep -c 'bad request' "$T/sw.log")" -eq 6 ]
	[ "$(grep -c 'before a complete request' "$T/sw.log")" -eq 1 ]
	[ "$(grep -c 'cannot reach its data socket' "$T/sw.log")" -eq 1 ]
	alive "$PID_sw"
	still_switches
}

@test "a client that sends half a request and stalls is dropped after a timeout" {
	start_switch sw
	ctl_send 'struct.pack("=III", 0xFEEDFACE, 3, 0)' 7 &
	sleep 0.5
	still_switches # not blocked meanwhile
	wait_for grep -q 'no complete request within' "$T/sw.log" || sleep 5
	grep -q 'no complete request within' "$T/sw.log"
	[ "$(grep -c 'control:' "$T/sw.log")" -eq 1 ]
}

@test "a flood of silent connections is bounded, and the switch recovers" {
	start_switch sw
	python3 - "$T/sw.ctl" <<'PY' &
import socket, sys, time
conns = []
for i in range(100):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    conns.append(s)
time.sleep(1.5)
PY
	FLOOD=$!
	sleep 1
	grep -q 'already waiting to send a request' "$T/sw.log"
	alive "$PID_sw"
	wait "$FLOOD"
	still_switches
}

@test "killing a client mid-stream: one detach line, the others keep talking" {
	start_switch sw
	start_peer "$T/r1" -s "$T/sw.ctl" -m $M1 -n 1000000 -t 5000 recv
	"$PEER" -s "$T/sw.ctl" -m $M3 -d $M1 -n 1000000 -r 20000 -z 200 send >/dev/null &
	S=$!
	PIDS+=($S)
	sleep 0.7
	kill -9 $S
	# And a receiver dies while frames are queued for it.
	start_peer "$T/r9" -s "$T/sw.ctl" -m 02:00:00:00:00:09 -n 1000000 -t 5000 recv
	"$PEER" -s "$T/sw.ctl" -m 02:00:00:00:00:08 -d 02:00:00:00:00:09 -n 1000000 -r 20000 send >/dev/null &
	S2=$!
	PIDS+=($S2)
	sleep 0.5
	kill -9 "$LAST_PEER"
	sleep 0.5
	kill -9 $S2
	wait_for bash -c "[ \$(grep -c 'detached' '$T/sw.log') -ge 3 ]"
	cat "$T/sw.log"
	[ "$(grep -c 'client closed its control connection' "$T/sw.log")" -eq 3 ]
	alive "$PID_sw"
	[ "$(grep -c 'received=' "$T/r1")" -eq 0 ] # r1 still running, not disturbed
	still_switches
}

@test "a peer that never reads: its queue fills, one log line, others unaffected" {
	start_switch sw -qlen 64
	start_peer "$T/sink" -s "$T/sw.ctl" -m $MS sink
	"$PEER" -s "$T/sw.ctl" -m $M3 -d $MS -n 20000 -z 500 send >/dev/null
	still_switches
	run status_of sw
	echo "$output"
	grep -q "queued=64 " <<<"$(grep -- "peer=@umk-switch-peer.$LAST_PEER" <<<"$output" || true)" ||
		grep -E 'drop_queue=[1-9][0-9]*' <<<"$output"
	[ "$(grep -c 'output queue full' "$T/sw.log")" -eq 1 ]
	# After a second without drops the episode is closed with one line.
	wait_for grep -q 'no longer full' "$T/sw.log"
	[ "$(grep -c 'no longer full' "$T/sw.log")" -eq 1 ]
	alive "$PID_sw"
}

@test "runt and oversized datagrams on a data socket are counted, not fatal" {
	start_switch sw
	python3 - "$T/sw.ctl" <<'PY'
import socket, struct, sys, os
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
name = b"\0umk-fault-%d" % os.getpid()
d.bind(name + bytes(108 - len(name)))
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(sys.argv[1])
c.sendall(struct.pack("=III", 0xFEEDFACE, 3, 0) + struct.pack("=H", 1) + name + bytes(108 - len(name)) + bytes(2))
reply = c.recv(110)
assert len(reply) == 110, len(reply)
sw = reply[2:]
d.sendto(b"tiny", sw)
d.sendto(bytes(70000), sw)
d.sendto(b"\xff" * 6 + b"\x02" * 6 + b"\x88\xb5" + bytes(46), sw)
import time; time.sleep(0.3)
PY
	run status_of sw
	echo "$output"
	# The two bad datagrams were counted on the port before it left.
	grep -q 'rx 1 tx 0 frames' "$T/sw.log"
	alive "$PID_sw"
	still_switches
}
