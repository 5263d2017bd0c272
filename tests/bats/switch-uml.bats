#!/usr/bin/env bats
# Interop with real peers: Debian's linux.uml guests (daemon transport) on
# umk-switch, and a lab script written for Debian's uml_switch.

load switch-lib

setup() {
	sw_setup
	have_uml || skip "linux.uml (user-mode-linux) or busybox-static not installed"
	build_uml_root
}

teardown() {
	sw_teardown
}

@test "two linux.uml guests ping each other across umk-switch" {
	start_switch sw
	boot_uml b "daemon,,unix,$T/sw.ctl" uip=10.0.0.2/24 uwait=60
	boot_uml a "daemon,,unix,$T/sw.ctl" uip=10.0.0.1/24 uping=10.0.0.2 ucount=5 uint=0.2
	wait_console a UMK-PING-DONE 90
	read -r sent got < <(ping_counts a)
	[ "$sent" -eq 5 ]
	[ "$got" -eq 5 ]
	grep -q 'port 1 attached: daemon v3' "$T/sw.log"
	grep -q 'port 2 attached: daemon v3' "$T/sw.log"
	# Both guests' frames were counted on their ports.
	status_of sw | grep -q 'rx_frames=[1-9]'
}

# run_lab DIR: runs switch-lab.sh; a linux.uml that died on its own (a
# panic or abort in the peer, seen on busy machines) is retried once.
run_lab() {
	run bash "$BATS_TEST_DIRNAME/switch-lab.sh" "$1"
	echo "$output"
	if [ "$status" -ne 0 ] && grep -qlE 'Kernel panic|Aborted|Segmentation fault|kernel_init_freeable' "$1"/[ab].console 2>/dev/null; then
		echo "# a linux.uml peer failed on its own; retrying the lab once"
		rm -rf "$1"
		run bash "$BATS_TEST_DIRNAME/switch-lab.sh" "$1"
		echo "$output"
	fi
}

@test "a lab script written for uml_switch runs unchanged with umk-switch" {
	command -v uml_switch >/dev/null || skip "uml-utilities not installed"
	# First with Debian's uml_switch, then with ours under the same name.
	run_lab "$T/orig"
	[ "$status" -eq 0 ]
	mkdir -p "$T/bin"
	ln -s "$SW" "$T/bin/uml_switch"
	PATH="$T/bin:$PATH" run_lab "$T/ours"
	[ "$status" -eq 0 ]
	grep -q 'umk-switch' "$T/ours/switch.log"
}

@test "capture: the pcap of a ping exchange shows ICMP echo request/reply pairs" {
	command -v tcpdump >/dev/null || skip "tcpdump not installed"
	start_switch sw -pcap "$T/ping.pcap"
	boot_uml b "daemon,,unix,$T/sw.ctl" uip=10.0.0.2/24 uwait=60
	boot_uml a "daemon,,unix,$T/sw.ctl" uip=10.0.0.1/24 uping=10.0.0.2 ucount=4 uint=0.2
	wait_console a UMK-PING-DONE 90
	kill "$PID_sw"
	wait_for bash -c "! kill -0 $PID_sw"
	tcpdump -nr "$T/ping.pcap" >"$T/dump.txt" 2>/dev/null
	req=$(grep -c 'ICMP echo request' "$T/dump.txt")
	rep=$(grep -c 'ICMP echo reply' "$T/dump.txt")
	echo "requests=$req replies=$rep"
	[ "$req" -ge 4 ]
	[ "$req" -eq "$rep" ]
	# Every echo request id/seq has its reply.
	grep 'ICMP echo request' "$T/dump.txt" | sed 's/.*\(id [0-9]*, seq [0-9]*\).*/\1/' | sort >"$T/q"
	grep 'ICMP echo reply' "$T/dump.txt" | sed 's/.*\(id [0-9]*, seq [0-9]*\).*/\1/' | sort >"$T/p"
	diff "$T/q" "$T/p"
}

@test "impairment: ping RTT and loss through a delayed, lossy switch match the settings" {
	# 40 ms each way on every egress port: RTT ~ 80 ms. 10% loss per
	# frame: an echo survives both ways with p = 0.81.
	start_switch sw -impair delay=40ms,jitter=2ms,loss=10% -seed 7
	boot_uml b "daemon,,unix,$T/sw.ctl" uip=10.0.0.2/24 uwait=90
	boot_uml a "daemon,,unix,$T/sw.ctl" uip=10.0.0.1/24 uping=10.0.0.2 ucount=60 uint=0.1
	wait_console a UMK-PING-DONE 120
	read -r sent got < <(ping_counts a)
	avg=$(ping_avg a)
	echo "sent=$sent got=$got avg=$avg ms"
	[ "$sent" -eq 60 ]
	# Binomial(60, 0.81): mean 48.6, sd 3.0; accept 4 sd.
	[ "$got" -ge 37 ] && [ "$got" -le 60 ]
	awk -v a="$avg" 'BEGIN { exit !(a >= 76 && a <= 100) }'
}

@test "two umk-switches joined by a UDP uplink on loopback carry a guest ping" {
	start_switch s1 -ucast 127.0.0.1:47101:127.0.0.1:47102
	start_switch s2 -ucast 127.0.0.1:47102:127.0.0.1:47101
	boot_uml b "daemon,,unix,$T/s2.ctl" uip=10.0.0.2/24 uwait=60
	boot_uml a "daemon,,unix,$T/s1.ctl" uip=10.0.0.1/24 uping=10.0.0.2 ucount=3 uint=0.2
	wait_console a UMK-PING-DONE 90
	read -r sent got < <(ping_counts a)
	[ "$got" -eq 3 ]
}

@test "a guest on a host tap: umk-net tap + umk-switch -tap, ping the host side (root, in a netns)" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for the tap device"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	NETNS="umk-sw-$$"
	ip netns add "$NETNS" || skip "cannot create a network namespace"
	SW_PREFIX="ip netns exec $NETNS"
	tap=$($SW_PREFIX "$UMKNET" create -t umkt0 -a 10.99.0.1/24)
	[ "$tap" = umkt0 ]
	start_switch sw -tap umkt0
	# The guest must share the netns: abstract unix sockets are per netns.
	boot_uml a "daemon,,unix,$T/sw.ctl" uip=10.99.0.2/24 uping=10.99.0.1 ucount=3 uint=0.2
	wait_console a UMK-PING-DONE 90
	read -r sent got < <(ping_counts a)
	[ "$got" -eq 3 ]
	status_of sw | grep -q 'port 1 tap'
	kill "$PID_sw"
	wait_for bash -c "! kill -0 $PID_sw"
	$SW_PREFIX "$UMKNET" destroy umkt0
}
