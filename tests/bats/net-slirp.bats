#!/usr/bin/env bats
# ethN=slirp: libslirp in-process, without privileges. Without IPv4 in
# the guest yet, the guest speaks to it in raw frames (/tests/netprobe):
# ARP, a DHCP exchange, a UDP datagram through the NAT to a host
# service and back, a forwarded host port reaching the guest.

load net-lib

setup() {
	net_setup
}

teardown() {
	sw_teardown
}

# A free TCP or UDP port on 127.0.0.1 (nothing keeps it, but nothing
# else in the test takes ports).
free_port() {
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "$1"
}

@test "slirp answers ARP for the gateway and DHCP (10.0.2.15, router 10.0.2.2, DNS 10.0.2.3)" {
	run_umk g 'up eth0; wait_carrier eth0 1 && netprobe arp eth0 10.0.2.15 10.0.2.2 && netprobe dhcp eth0' eth0=slirp
	explain g
	[ "$(guest_exit g)" = 0 ]
	grep -qE '^arp-reply 10.0.2.2 is-at ([0-9a-f]{2}:){5}[0-9a-f]{2}' "$T/g.console"
	grep -q '^dhcp-offer yiaddr=10.0.2.15 type=2 server=10.0.2.2 mask=255.255.255.0 router=10.0.2.2 dns=10.0.2.3' "$T/g.console"
}

@test "slirp: a UDP datagram from the guest reaches a host service through the NAT, and its answer comes back" {
	local port
	port=$(free_port udp)
	# a UDP echo service on the host's loopback (10.0.2.2 in the guest)
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
print("ready", flush=True)
data, peer = s.recvfrom(2000)
s.sendto(b"echo:" + data, peer)
' "$port" >"$T/echo.out" 2>&1 &
	PIDS+=($!)
	wait_for grep -q ready "$T/echo.out"
	run_umk g "up eth0; wait_carrier eth0 1 && netprobe udp eth0 10.0.2.15 10.0.2.2 10.0.2.2 $port hello-from-umk" eth0=slirp
	explain g
	[ "$(guest_exit g)" = 0 ]
	grep -q '^udp-reply echo:hello-from-umk' "$T/g.console"
}

@test "slirp hostfwd: a connection to the forwarded host port arrives at the guest" {
	local port
	port=$(free_port tcp)
	# the ARP request teaches slirp the guest's MAC; then the host connects
	boot_umk g 'up eth0; wait_carrier eth0 1 && netprobe arp eth0 10.0.2.15 10.0.2.2 && netprobe recv eth0 1 15000 0x0800' \
		"eth0=slirp,hostfwd=tcp:127.0.0.1:$port-:22"
	wait_out g listening
	# the guest never answers (no TCP yet): its SYN is what we look for
	timeout 5 python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=4)' "$port" || true
	wait_umk g 30
	explain g
	[ "$(guest_exit g)" = 0 ]
	[ "$(out_field g received)" -eq 1 ]
}

@test "slirp: an idle guest with the card up and a forwarded port uses no host CPU" {
	local port
	port=$(free_port tcp)
	boot_umk g 'up eth0; wait_carrier eth0 1 && echo IDLE && sleep 5' "eth0=slirp,hostfwd=tcp:127.0.0.1:$port-:22"
	wait_out g IDLE
	sleep 1
	[ "$(idle_ticks g 3)" -le 4 ]
	wait_umk g 30
	[ "$(guest_exit g)" = 0 ]
}

# run_default OUT NET 'GUEST CODE' [ARGS...]: make run's script on a
# private COW file with UMK_NET=NET ("default": unset), the guest code as
# init.
run_default() {
	local out=$1 net=$2 code=$3
	shift 3
	[ -f "$UMK_BUILD/rootfs.ext4" ] || skip "build/rootfs.ext4 is not built (make rootfs)"
	local env=(env -u UMK_NET)
	[ "$net" = default ] || env=(env "UMK_NET=$net")
	UMK_COW=$T/run.cow umk_run_timeout 60 "$T/$out" "$T/$out.err" "${env[@]}" bash "$UMK_TOP/scripts/run-default.sh" \
		quiet "$@" init=/bin/sh -- -c "mount -t sysfs sysfs /sys; mount -t proc proc /proc; $code; poweroff -f"
	cat "$T/$out" "$T/$out.err"
}

@test "make run: the guest has eth0 on slirp with host port 2222 forwarded and ip=dhcp; UMK_NET= changes or removes it" {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 2222))' 2>/dev/null ||
		skip "port 2222 is in use on this host (another make run?)"
	run_default o1 default 'cat /sys/class/net/eth0/address /proc/cmdline; mount -t tmpfs tmpfs /run;
		/etc/init.d/ipconfig >/dev/null 2>&1; ip -4 addr show dev eth0'
	[ "$UMK_STATUS" = 0 ]
	grep -qE '^([0-9a-f]{2}:){5}[0-9a-f]{2}$' "$T/o1"
	grep -q ' eth0=slirp,hostfwd=tcp:127.0.0.1:2222-:22 ip=dhcp ' "$T/o1"
	# what rcS does with it: udhcpc
	grep -q 'inet 10.0.2.15/24 ' "$T/o1"
	run_default o2 none 'ls /sys/class/net'
	[ "$UMK_STATUS" = 0 ]
	grep -qx lo "$T/o2"
	[ -z "$(grep eth0 "$T/o2")" ]
	run_default o3 eth0=mcast,fe:fd:0a:00:00:09 'cat /sys/class/net/eth0/address'
	grep -qx 'fe:fd:0a:00:00:09' "$T/o3"
	# an eth0= of one's own replaces the default card
	run_default o4 default 'cat /sys/class/net/eth0/address' eth0=mcast,fe:fd:0a:00:00:0a
	grep -qx 'fe:fd:0a:00:00:0a' "$T/o4"
	# an ip= of one's own replaces the ip=dhcp
	run_default o5 default 'cat /proc/cmdline' ip=off
	grep -q ' eth0=slirp,hostfwd=tcp:127.0.0.1:2222-:22 quiet ip=off ' "$T/o5"
}
