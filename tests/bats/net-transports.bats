#!/usr/bin/env bats
# The other transports, at the link layer: mcast (a hub of guests over
# host UDP multicast), tuntap and vecN tap (a host tap from umk-net),
# vecN raw (a veth end), vde (libvdeplug to vde_switch), pcap (receive
# only). Taps, veths and captures need root; they run in a network
# namespace made for the test.

load net-lib

setup() {
	net_setup
}

teardown() {
	sw_teardown
}

# A network namespace for the test (removed by sw_teardown); guests and
# helpers started after this run in it.
need_netns() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	NETNS="umk-net-$$-$BATS_TEST_NUMBER"
	ip netns add "$NETNS" || skip "cannot create a network namespace"
	SW_PREFIX="ip netns exec $NETNS"
	$SW_PREFIX ip link set lo up
}

# host_frames IF DSTMAC COUNT: COUNT frames (EtherType 0x88b5) from the
# host side of IF, in the namespace.
host_frames() {
	$SW_PREFIX python3 -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
dst = bytes.fromhex(sys.argv[2].replace(":", ""))
for i in range(int(sys.argv[3])):
    s.send(dst + bytes.fromhex("020000000077") + b"\x88\xb5" + b"host frame %d" % i + bytes(40))
' "$@"
}

@test "mcast: two guests on one multicast group hear each other, not themselves" {
	boot_umk b 'up eth0; wait_carrier eth0 1 && netprobe recv eth0 4 15000 && echo "rx=$(stat eth0 rx_packets)"' \
		eth0=mcast,,239.192.168.77,11077
	wait_out b listening
	run_umk a 'up eth0; wait_carrier eth0 1 && netprobe send eth0 ff:ff:ff:ff:ff:ff 4 1000 && sleep 1 && echo "rx=$(stat eth0 rx_packets) tx=$(stat eth0 tx_packets)"' \
		eth0=mcast,,239.192.168.77,11077
	wait_umk b 30
	explain a
	explain b
	[ "$(guest_exit a)" = 0 ]
	[ "$(guest_exit b)" = 0 ]
	[ "$(out_field b received)" -eq 4 ]
	[ "$(out_field b rx)" -eq 4 ]
	[ "$(out_field a tx)" -eq 4 ]
	[ "$(out_field a rx)" -eq 0 ]	# its own frames, looped back by the host, are dropped
}

@test "tuntap: a guest on a umk-net tap reaches the host; the tap filters frames for others unless promiscuous" {
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	need_netns
	tap=$($SW_PREFIX "$UMKNET" create -t umkt0 -a 10.98.0.1/24)
	[ "$tap" = umkt0 ]
	# netprobe count sees frames for other hosts too: what it does not
	# see, the tap's filter kept on the host
	boot_umk g 'up eth0; wait_carrier eth0 1 && netprobe arp eth0 10.98.0.2 10.98.0.1 && echo STEP1 && netprobe count eth0 3000 &&
		echo 0x1103 >/sys/class/net/eth0/flags && echo STEP2 && netprobe count eth0 3000' \
		eth0=tuntap,umkt0,fe:fd:0a:62:00:02,10.98.0.1
	wait_out g 'STEP1'
	wait_out g 'listening'
	host_frames umkt0 fe:fd:0a:62:00:02 5
	host_frames umkt0 02:00:00:00:00:99 5
	wait_out g 'STEP2'
	wait_for bash -c "[ \$(grep -c listening '$T/g.console') = 2 ]"
	host_frames umkt0 fe:fd:0a:62:00:02 5
	host_frames umkt0 02:00:00:00:00:99 5
	wait_umk g 30
	explain g
	[ "$(guest_exit g)" = 0 ]
	grep -qE '^arp-reply 10.98.0.1 is-at ([0-9a-f]{2}:){5}[0-9a-f]{2}' "$T/g.console"
	[ "$(sed -n 's/^count=//p' "$T/g.console" | tr -d '\r' | tr '\n' ' ')" = "5 10 " ]
}

@test "vecN:transport=tap and vecN:transport=raw (a veth end) carry the guest's ARP to the host" {
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	need_netns
	$SW_PREFIX "$UMKNET" create -t umkt1 -a 10.96.0.1/24 >/dev/null
	$SW_PREFIX ip link add umkv0 type veth peer name umkv1
	$SW_PREFIX ip link set umkv0 up
	$SW_PREFIX ip link set umkv1 up
	$SW_PREFIX ip addr add 10.97.0.1/24 dev umkv0
	run_umk g 'up vec0; up vec2; wait_carrier vec0 1 && wait_carrier vec2 1 && netprobe arp vec0 10.96.0.2 10.96.0.1 && netprobe arp vec2 10.97.0.2 10.97.0.1 && echo "rawmtu=$(cat /sys/class/net/vec2/mtu)"' \
		vec0:transport=tap,ifname=umkt1 vec2:transport=raw,ifname=umkv1,mac=fe:fd:0a:61:00:02,depth=128
	explain g
	[ "$(guest_exit g)" = 0 ]
	grep -qE '^arp-reply 10.96.0.1 is-at' "$T/g.console"
	grep -qE '^arp-reply 10.97.0.1 is-at' "$T/g.console"
	[ "$(out_field g rawmtu)" -eq 1500 ]
	# the host side learnt the guest's address from its request
	$SW_PREFIX ip neigh show 10.97.0.2 | grep -q 'fe:fd:0a:61:00:02'
}

@test "vde: ethN=vde and vecN:transport=vde,vnl= plug into vde_switch" {
	command -v vde_switch >/dev/null || skip "vde2 not installed"
	vde_switch -s "$T/vde" -d -p "$T/vde.pid" </dev/null >"$T/vde_switch.log" 2>&1
	wait_for test -s "$T/vde.pid"
	PIDS+=("$(cat "$T/vde.pid")")
	start_peer "$T/peer.out" -s "$T/vde/ctl" -n 6 -t 15000 recv
	run_umk g 'up eth0; up vec1; wait_carrier eth0 1 && wait_carrier vec1 1 && netprobe send eth0 ff:ff:ff:ff:ff:ff 3 && netprobe send vec1 ff:ff:ff:ff:ff:ff 3' \
		"eth0=vde,$T/vde" "vec1:transport=vde,vnl=vde://$T/vde"
	explain g
	[ "$(guest_exit g)" = 0 ]
	wait_for grep -q received= "$T/peer.out"
	[ "$(field received "$T/peer.out")" -eq 6 ]
}

@test "vde: the plug's switch going away drops the carrier" {
	command -v vde_switch >/dev/null || skip "vde2 not installed"
	vde_switch -s "$T/vde" -d -p "$T/vde.pid" </dev/null >"$T/vde_switch.log" 2>&1
	wait_for test -s "$T/vde.pid"
	local vpid
	vpid=$(cat "$T/vde.pid")
	PIDS+=("$vpid")
	boot_umk g 'up eth0; wait_carrier eth0 1 && echo UP && wait_carrier eth0 0 15' "eth0=vde,$T/vde"
	wait_out g UP
	kill "$vpid"
	wait_umk g 30
	explain g
	[ "$(guest_exit g)" = 0 ]
	grep -q 'eth0: lost vde ' "$T/g.err"
}

@test "pcap: the card receives what is captured on a host interface, and refuses to send" {
	need_netns
	boot_umk g 'up eth0; wait_carrier eth0 1 && echo READY && n=0; while [ "$(stat eth0 rx_packets)" -lt 3 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done
		sleep 1; echo "rx=$(stat eth0 rx_packets)"; netprobe send eth0 ff:ff:ff:ff:ff:ff 1; echo "tx_errors=$(stat eth0 tx_errors)"' \
		"eth0=pcap,lo,udp port 9999,nopromisc"
	wait_out g READY
	# three datagrams to a closed port: the ICMP errors do not match
	$SW_PREFIX python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); [s.sendto(b"x" * 10, ("127.0.0.1", 9999)) for i in range(3)]'
	$SW_PREFIX python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"y", ("127.0.0.1", 9998))'
	wait_umk g 30
	explain g
	[ "$(out_field g rx)" -eq 3 ]
	# as a packet socket on Linux, the send succeeds and the frame is lost
	# at the card (receive only): counted as a transmit error
	[ "$(out_field g tx_errors)" -eq 1 ]
}
