#!/usr/bin/env bats
# Joining switches: UDP (ucast) uplinks on loopback, libvdeplug clients and
# uplinks (vde_plug, vde_switch, cmd:// — the ssh recipe without ssh).

load switch-lib

setup() {
	sw_setup
}

teardown() {
	sw_teardown
}

M1=02:00:00:00:00:01
M3=02:00:00:00:00:03

# cross SW_A SW_B: a receiver on A gets 100 frames sent from B (at
# CROSS_RATE frames/s).
cross() {
	start_peer "$T/x-r" -s "$T/$1.ctl" -m $M1 -n 100 -t 4000 recv
	sleep 0.3 # the receiver's hello crosses the uplink and is learned
	"$PEER" -s "$T/$2.ctl" -m $M3 -d $M1 -n 100 -r "${CROSS_RATE:-5000}" send >/dev/null
	wait_for grep -q received= "$T/x-r" || { echo "receiver:"; cat "$T/x-r"; false; }
	[ "$(field received "$T/x-r")" -eq 100 ] || { echo "receiver:"; cat "$T/x-r"; false; }
}

need_vde() {
	command -v vde_plug >/dev/null || skip "vde2 (vde_plug) not installed"
}

# libvdeplug dlopens its modules with RTLD_DEEPBIND, which ASan refuses.
need_vde_in_switch() {
	need_vde
	! ldd "$SW" 2>/dev/null | grep -q libasan || skip "libvdeplug modules cannot load in an ASan build"
}

@test "two umk-switches joined by -ucast on loopback form one Ethernet" {
	start_switch s1 -ucast 127.0.0.1:47201:127.0.0.1:47202
	start_switch s2 -ucast 127.0.0.1:47202:127.0.0.1:47201
	cross s1 s2
	# The far side learned M1 behind its uplink port.
	status_of s2 fdb | grep -q '02:00:00:00:00:01 port 1'
	cross s2 s1
	status_of s1 | grep -q '^port 1 ucast'
}

@test "a ucast uplink whose far end is down costs frames, not the switch" {
	start_switch s1 -ucast 127.0.0.1:47211:127.0.0.1:47212
	"$PEER" -s "$T/s1.ctl" -n 200 send >/dev/null
	alive "$PID_s1"
	start_switch s2 -ucast 127.0.0.1:47212:127.0.0.1:47211
	cross s1 s2
}

@test "vde_plug (libvdeplug client) attaches to umk-switch with a description" {
	need_vde
	start_switch_dir sw
	# vde_plug relays stdin into the switch: hold a fifo open, send nothing.
	mkfifo "$T/plug-in"
	vde_plug -D "lab-plug" "vde://$T/sw" <"$T/plug-in" >/dev/null 2>&1 &
	PIDS+=($!)
	exec 7>"$T/plug-in"
	wait_for bash -c "'$SW' --status '$T/sw.ctl' | grep -q 'descr=\"lab-plug'"
	grep -q 'port 1 attached: daemon v3' "$T/sw.log"
	exec 7>&-
	wait_for grep -q 'port 1 detached' "$T/sw.log"
}

@test "-vde uplink to Debian's vde_switch, and our peers through it" {
	need_vde_in_switch
	command -v vde_switch >/dev/null || skip "vde_switch not installed"
	vde_switch -s "$T/vde" -d -p "$T/vde.pid" </dev/null >/dev/null 2>&1
	wait_for test -s "$T/vde.pid"
	PIDS+=("$(cat "$T/vde.pid")")
	start_switch sw -vde "$T/vde"
	# the switch logs the uplink just after its control socket appears
	wait_for grep -q 'port 1 attached: VDE uplink' "$T/sw.log"
	# A daemon-protocol client straight on vde_switch (same wire protocol).
	ln -s "$T/vde/ctl" "$T/v.ctl"
	# vde_switch drops datagrams it cannot forward at once: on a loaded
	# machine 5000 and even 1000 frames/s through it lost some (the peer's limit, not
	# umk-switch's), so this connectivity test sends at 200 frames/s
	CROSS_RATE=200 cross sw v
	CROSS_RATE=200 cross v sw
}

@test "-vde cmd://vde_plug joins two umk-switches the way ssh would" {
	need_vde_in_switch
	start_switch_dir s2
	start_switch s1 -vde "cmd://vde_plug vde://$T/s2"
	cross s1 s2
	cross s2 s1
	# Losing the far switch closes the uplink port with one line.
	kill "$PID_s2"
	wait_for grep -q 'port 1 detached (vde:' "$T/s1.log"
	alive "$PID_s1"
}

@test "dpipe + vde_plug patch two umk-switches together" {
	need_vde
	command -v dpipe >/dev/null || skip "dpipe not installed"
	start_switch_dir s1
	start_switch_dir s2
	dpipe vde_plug "vde://$T/s1" = vde_plug "vde://$T/s2" </dev/null >/dev/null 2>&1 &
	PIDS+=($!)
	wait_for bash -c "'$SW' --status '$T/s2.ctl' | grep -q '^ports 1/'"
	cross s1 s2
}
