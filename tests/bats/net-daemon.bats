#!/usr/bin/env bats
# ethN=daemon: a umk guest's card on umk-switch, Debian's uml_switch and
# vde_switch, at the link layer (no IPv4 in the guest yet: the guest
# sends and counts raw frames with /tests/netprobe over AF_PACKET).

load net-lib

setup() {
	net_setup
}

teardown() {
	sw_teardown
}

# The guest's MAC as the kernel log printed it at boot.
guest_mac() {
	sed -n "s/.*$2: .*, MAC \\([0-9a-f:]*\\)$/\\1/p" "$T/$1.err" | head -n 1
}

# peer_send ARGS...: build/umk-switch-peer ... send, retried once: on a
# loaded machine its control connection can lose the race with a
# switch that is still starting.
peer_send() {
	"$PEER" "$@" send >"$T/peer-send.out" 2>&1 && return 0
	cat "$T/peer-send.out"
	sleep 1
	"$PEER" "$@" send >"$T/peer-send.out" 2>&1
}

@test "frames the guest sends reach a peer on umk-switch and its capture; tx counters match" {
	command -v tcpdump >/dev/null || skip "tcpdump not installed"
	start_switch sw -pcap "$T/cap.pcap"
	start_peer "$T/peer.out" -s "$T/sw.ctl" -n 20 -t 15000 recv
	run_umk g 'up eth0; wait_carrier eth0 1 && netprobe send eth0 ff:ff:ff:ff:ff:ff 20 300 && echo "tx=$(stat eth0 tx_packets) txb=$(stat eth0 tx_bytes)"' \
		"eth0=daemon,,unix,$T/sw.ctl"
	explain g
	[ "$(guest_exit g)" = 0 ]
	[ "$(out_field g tx)" -eq 20 ]
	[ "$(out_field g txb)" -eq 6000 ]
	wait_for grep -q received= "$T/peer.out"
	cat "$T/peer.out"
	[ "$(field received "$T/peer.out")" -eq 20 ]
	grep -q "port 2 attached: daemon v3 client pid $UPID_g" "$T/sw.log" ||
		grep -q "port 2 attached: daemon v3" "$T/sw.log"
	kill "$PID_sw"
	wait_for bash -c "! kill -0 $PID_sw"
	local mac
	mac=$(guest_mac g eth0)
	tcpdump -enr "$T/cap.pcap" 2>/dev/null >"$T/dump.txt"
	[ "$(grep -c "^.* $mac > ff:ff:ff:ff:ff:ff, ethertype Unknown (0x88b5), length 300" "$T/dump.txt")" -eq 20 ]
}

@test "frames a peer sends reach the guest and are counted in /sys/class/net/eth0/statistics" {
	start_switch sw
	# the guest speaks first, so the switch learns where its MAC is
	boot_umk g 'up eth0; wait_carrier eth0 1 && netprobe send eth0 ff:ff:ff:ff:ff:ff 1 && netprobe recv eth0 25 15000 && echo "rx=$(stat eth0 rx_packets) rxb=$(stat eth0 rx_bytes) mc=$(stat eth0 multicast)"' \
		"eth0=daemon,,unix,$T/sw.ctl"
	wait_out g listening
	local mac
	mac=$(guest_mac g eth0)
	peer_send -s "$T/sw.ctl" -d "$mac" -n 25 -z 100
	wait_umk g 30
	explain g
	[ "$(guest_exit g)" = 0 ]
	[ "$(out_field g received)" -eq 25 ]
	# 25 unicast frames of 100 bytes, and the peer's broadcast hello (60)
	[ "$(out_field g rx)" -eq 26 ]
	[ "$(out_field g rxb)" -eq 2560 ]
	[ "$(out_field g mc)" -eq 0 ]
}

@test "carrier goes off when the switch dies and on when it returns; the guest lives on" {
	start_switch sw
	boot_umk g 'up eth0; wait_carrier eth0 1 && echo UP-ONCE && wait_carrier eth0 0 15 && echo "operstate=$(cat /sys/class/net/eth0/operstate)" && wait_carrier eth0 1 30 && netprobe send eth0 ff:ff:ff:ff:ff:ff 3 && echo "tx=$(stat eth0 tx_packets)"' \
		"eth0=daemon,,unix,$T/sw.ctl"
	wait_out g UP-ONCE
	kill "$PID_sw"
	wait_for bash -c "! kill -0 $PID_sw"
	wait_out g 'carrier eth0 0'
	sleep 1
	start_switch sw
	start_peer "$T/peer.out" -s "$T/sw.ctl" -n 3 -t 15000 recv
	wait_umk g 60
	explain g
	[ "$(guest_exit g)" = 0 ]
	[ "$(out_field g operstate)" = down ]
	grep -q 'eth0: lost daemon .*sw.ctl (Connection reset by peer); reconnecting' "$T/g.err"
	grep -q 'eth0: reconnected to daemon' "$T/g.err"
	wait_for grep -q received= "$T/peer.out"
	[ "$(field received "$T/peer.out")" -eq 3 ]
}

@test "a card whose switch is not there yet starts without carrier and connects when it comes" {
	boot_umk g 'up eth0; echo "carrier=$(cat /sys/class/net/eth0/carrier)"; wait_carrier eth0 1 30' \
		"eth0=daemon,,unix,$T/late.ctl"
	wait_out g 'carrier='
	sleep 1
	start_switch late
	wait_umk g 60
	explain g
	[ "$(guest_exit g)" = 0 ]
	[ "$(out_field g carrier)" = 0 ]
	grep -q 'eth0: daemon .*late.ctl: No such file or directory; retrying' "$T/g.err"
}

@test "Debian's uml_switch and vde_switch take the card (daemon protocol)" {
	command -v uml_switch >/dev/null || skip "uml-utilities not installed"
	command -v vde_switch >/dev/null || skip "vde2 not installed"
	uml_switch -unix "$T/uml.ctl" </dev/null >"$T/uml_switch.log" 2>&1 &
	PIDS+=($!)
	# (vde_switch in the foreground takes EOF on stdin as "quit")
	vde_switch -s "$T/vde" -d -p "$T/vde.pid" </dev/null >"$T/vde_switch.log" 2>&1
	wait_for test -s "$T/vde.pid"
	PIDS+=("$(cat "$T/vde.pid")")
	wait_for test -S "$T/uml.ctl"
	wait_for test -S "$T/vde/ctl"
	start_peer "$T/p1.out" -s "$T/uml.ctl" -n 5 -t 15000 recv
	start_peer "$T/p2.out" -s "$T/vde/ctl" -n 5 -t 15000 recv
	run_umk g 'up eth0; up eth1; wait_carrier eth0 1 && wait_carrier eth1 1 && netprobe send eth0 ff:ff:ff:ff:ff:ff 5 && netprobe send eth1 ff:ff:ff:ff:ff:ff 5' \
		"eth0=daemon,,unix,$T/uml.ctl" "eth1=daemon,,unix,$T/vde/ctl"
	explain g
	[ "$(guest_exit g)" = 0 ]
	wait_for grep -q received= "$T/p1.out"
	wait_for grep -q received= "$T/p2.out"
	[ "$(field received "$T/p1.out")" -eq 5 ]
	[ "$(field received "$T/p2.out")" -eq 5 ]
}

@test "a Debian linux.uml guest on the same umk-switch answers the card's ARP requests" {
	have_uml || skip "linux.uml (user-mode-linux) or busybox-static not installed"
	build_uml_root
	start_switch sw
	boot_uml u "daemon,,unix,$T/sw.ctl" uip=10.0.0.2/24 uwait=60
	wait_console u UMK-GUEST-UP 90
	run_umk g 'up eth0; wait_carrier eth0 1 && netprobe arp eth0 10.0.0.9 10.0.0.2' "eth0=daemon,,unix,$T/sw.ctl"
	explain g
	[ "$(guest_exit g)" = 0 ]
	grep -qE '^arp-reply 10.0.0.2 is-at ([0-9a-f]{2}:){5}[0-9a-f]{2}' "$T/g.console"
}

@test "an idle guest with a card up uses no host CPU; frames still interrupt a busy guest" {
	start_switch sw
	boot_umk g 'up eth0; wait_carrier eth0 1 && netprobe send eth0 ff:ff:ff:ff:ff:ff 1 && echo IDLE && sleep 4
		(while :; do :; done) &
		netprobe recv eth0 10 15000; r=$?; kill $!; [ $r = 0 ]' \
		"eth0=daemon,,unix,$T/sw.ctl"
	wait_out g IDLE
	sleep 1
	# a polling card would spend most of the 200 ticks
	[ "$(idle_ticks g 2)" -le 4 ]
	wait_out g listening 20
	local mac
	mac=$(guest_mac g eth0)
	peer_send -s "$T/sw.ctl" -d "$mac" -n 10
	wait_umk g 40
	explain g
	[ "$(out_field g received)" -eq 10 ]
}

@test "a peer that stops reading never blocks the guest: a few frames wait, the rest are dropped as tx_dropped" {
	start_switch sw -qlen 16
	start_peer "$T/sink.out" -s "$T/sw.ctl" -m 02:00:00:00:51:4b sink
	run_umk g 'up eth0; wait_carrier eth0 1 && t0=$(date +%s) && netprobe send eth0 02:00:00:00:51:4b 20000 1400 && echo "secs=$(($(date +%s) - t0)) txdrop=$(stat eth0 tx_dropped) tx=$(stat eth0 tx_packets)"' \
		"eth0=daemon,,unix,$T/sw.ctl"
	explain g
	[ "$(guest_exit g)" = 0 ]
	local dropped
	dropped=$(out_field g dropped)
	echo "dropped by the card: $dropped"
	[ "$dropped" -gt 0 ]
	[ "$(out_field g txdrop)" -eq "$dropped" ]
	[ "$(out_field g tx)" -eq $((20000 - dropped)) ]
	[ "$(out_field g secs)" -le 20 ]
}

@test "jumbo frames: with a 9000-byte MTU a 9014-byte frame crosses umk-switch whole" {
	start_switch sw
	start_peer "$T/peer.out" -s "$T/sw.ctl" -n 2 -t 15000 recv
	run_umk g 'echo 9000 >/sys/class/net/eth0/mtu; up eth0; wait_carrier eth0 1 && netprobe send eth0 ff:ff:ff:ff:ff:ff 2 9014 && { netprobe send eth0 ff:ff:ff:ff:ff:ff 1 9015 || echo too-big; }' \
		"eth0=daemon,,unix,$T/sw.ctl"
	explain g
	grep -q '^too-big' "$T/g.console"
	grep -q 'Message too long' "$T/g.console"
	wait_for grep -q received= "$T/peer.out"
	[ "$(field received "$T/peer.out")" -eq 2 ]
	[ "$(field bytes "$T/peer.out")" -eq 18028 ]
}
