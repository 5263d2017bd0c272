#!/usr/bin/env bats
# Labs of real guests on umk-switch: a umk guest beside a Debian
# linux.uml guest (ARP, ICMP, UDP both ways), a router guest between two
# switches (traceroute, ip_forward), tcpdump inside a guest, DHCP and
# static configuration from ip= (slirp), and the configuration tools'
# output against a native Linux configured the same way (a network
# namespace on the host).

load net-lib

setup() {
	net_setup
	[ -x "$UMK_TEST_ROOTFS/tests/udpx" ] || skip "build first: make test-rootfs"
	UDPX=$UMK_BUILD/tests/net/udpx
}

teardown() {
	sw_teardown
}

# A linux.uml root with busybox and udpx, and an init driven by the
# kernel command line: uip=ADDR/PLEN upeer=ADDR urole=udp uwait=SECS.
LAB_UML_INIT=$(cat <<'INIT'
#!/bin/sh
mount -t proc proc /proc
ip link set lo up
ip link set eth0 up
ip addr add "$uip" dev eth0
echo "UMK-GUEST-UP $uip"
if [ "$urole" = udp ]; then
	n=0
	while ! ping -c 1 -W 1 "$upeer" >/dev/null 2>&1 && [ $n -lt 60 ]; do n=$((n+1)); done
	ping -c 3 -W 2 "$upeer"
	/udpx echo 7001 20 &
	/udpx ask "$upeer" 7002 uml-hello 20
	ip neigh show dev eth0
	echo "UML-LAB-DONE"
fi
sleep "${uwait:-30}"
poweroff -f
INIT
)
build_lab_uml_root() {
	local sum
	sum=$( (printf '%s' "$LAB_UML_INIT"; md5sum <"$UDPX") | md5sum | cut -c1-12)
	UML_ROOT="$ROOT_DIR/build/net-lab-uml-root-$sum"
	export UML_ROOT
	[ -x "$UML_ROOT/init" ] && return 0
	local r="$UML_ROOT.tmp.$$" a
	rm -rf "$r"
	mkdir -p "$r"/bin "$r"/proc "$r"/sys "$r"/dev "$r"/tmp "$r"/etc
	cp "$(command -v busybox)" "$r/bin/busybox"
	for a in sh ip ping mount sleep cat echo poweroff; do
		ln -sf busybox "$r/bin/$a"
	done
	cp "$UDPX" "$r/udpx"
	printf '%s\n' "$LAB_UML_INIT" >"$r/init"
	chmod +x "$r/init"
	mv -T "$r" "$UML_ROOT" 2>/dev/null || rm -rf "$r"
}

# Configure eth0 (busybox ip: /tests/net-guest.sh puts /bin first).
IFUP='ip link set lo up; ip addr add $ADDR dev eth0; ip link set eth0 up'
# ping until the peer answers (it may still be booting), at most N tries
WAITPING='n=0; while ! ping -c 1 -W 1 $PEER >/dev/null 2>&1 && [ $n -lt 60 ]; do n=$((n+1)); done'

@test "a umk guest and a Debian linux.uml guest on one umk-switch: ARP, ICMP and UDP both ways" {
	have_uml || skip "linux.uml (user-mode-linux) or busybox-static not installed"
	build_lab_uml_root
	start_switch sw
	local code="ADDR=10.0.0.1/24 PEER=10.0.0.2; $IFUP; udpx echo 7002 20 & $WAITPING;
		ping -c 3 -W 2 \$PEER; udpx ask \$PEER 7001 umk-hello 20; ip neigh show dev eth0; sleep 4"
	local try
	for try in 1 2; do
		boot_uml b "daemon,,unix,$T/sw.ctl" uip=10.0.0.2/24 upeer=10.0.0.1 urole=udp uwait=60
		run_umk a "$code" "eth0=daemon,,unix,$T/sw.ctl"
		wait_console b UML-LAB-DONE 30 || true
		# a linux.uml that died on its own is retried once; umk is not
		grep -qE 'Kernel panic|Aborted|Segmentation fault' "$T/b.console" && [ $try = 1 ] || break
		echo "# the linux.uml peer failed on its own; retrying once"
		kill -9 -- "-${PIDS[-2]}" 2>/dev/null || true
	done
	explain a
	echo "--- b console:"
	cat "$T/b.console"
	[ "$(guest_exit a)" = 0 ]
	# umk -> uml: ICMP answered, UDP answered by the uml's echo
	grep -q '^3 packets transmitted, 3 packets received' "$T/a.console"
	grep -q '^udp-answer: umk-hello from 10.0.0.2' "$T/a.console"
	grep -qE '^10\.0\.0\.2 (dev eth0 )?lladdr [0-9a-f:]{17} (.* )?(REACHABLE|STALE|DELAY|PROBE)$' "$T/a.console"
	# uml -> umk: the same the other way
	grep -q '^3 packets transmitted, 3 packets received' "$T/b.console"
	grep -q '^udp-answer: uml-hello from 10.0.0.1' "$T/b.console"
	grep -qE '^10\.0\.0\.1 (dev eth0 )?lladdr [0-9a-f:]{17}' "$T/b.console"
}

@test "three guests on two switches: the middle one forwards, traceroute shows the hop, ip_forward=0 stops it" {
	start_switch s1
	start_switch s2
	boot_umk r "ip link set lo up; ip addr add 10.1.0.1/24 dev eth0; ip addr add 10.2.0.1/24 dev eth1;
		ip link set eth0 up; ip link set eth1 up; sysctl -w net.ipv4.ip_forward=1;
		udpx recv 7777 120 && sysctl -w net.ipv4.ip_forward=0 && udpx send 10.1.0.2 7778 fwd-off; sleep 20" \
		"eth0=daemon,,unix,$T/s1.ctl" "eth1=daemon,,unix,$T/s2.ctl"
	boot_umk b "ip link set lo up; ip addr add 10.2.0.2/24 dev eth0; ip link set eth0 up;
		ip route add default via 10.2.0.1; sleep 120" "eth0=daemon,,unix,$T/s2.ctl"
	run_umk a "ADDR=10.1.0.2/24 PEER=10.2.0.2; $IFUP; ip route add default via 10.1.0.1; $WAITPING;
		ping -c 3 -W 2 \$PEER; traceroute -n -q 1 -w 2 \$PEER;
		udpx recv 7778 20 & sleep 1; udpx send 10.1.0.1 7777 off; wait;
		ping -c 2 -W 1 \$PEER; echo ping-after-off=\$?" "eth0=daemon,,unix,$T/s1.ctl"
	explain a
	explain r
	[ "$(guest_exit a)" = 0 ]
	grep -q '^3 packets transmitted, 3 packets received' "$T/a.console"
	grep -qE '^ 1  10\.1\.0\.1 ' "$T/a.console"
	grep -qE '^ 2  10\.2\.0\.2 ' "$T/a.console"
	grep -q '^net.ipv4.ip_forward = 0' "$T/r.console"
	grep -q '^udp-got: fwd-off from 10.1.0.1' "$T/a.console"
	grep -q '^2 packets transmitted, 0 packets received' "$T/a.console"
	grep -q '^ping-after-off=1' "$T/a.console"
}

@test "tcpdump -n -i eth0 inside a guest prints the ICMP pair; umk-switch -pcap has the same frames" {
	command -v tcpdump >/dev/null || skip "tcpdump not installed on the host"
	start_switch sw -pcap "$T/sw.pcap"
	boot_umk b "ip link set lo up; ip addr add 10.0.0.2/24 dev eth0; ip link set eth0 up; sleep 60" \
		"eth0=daemon,,unix,$T/sw.ctl"
	run_umk a "ADDR=10.0.0.1/24 PEER=10.0.0.2; $IFUP; $WAITPING;
		tcpdump -n -l -i eth0 icmp >/tmp/td 2>/tmp/td.err & sleep 2;
		ping -c 2 -W 2 \$PEER; sleep 1; kill %1; wait; cat /tmp/td" "eth0=daemon,,unix,$T/sw.ctl"
	explain a
	[ "$(guest_exit a)" = 0 ]
	grep -qE 'IP 10\.0\.0\.1 > 10\.0\.0\.2: ICMP echo request, id [0-9]+, seq 0, length 64' "$T/a.console"
	grep -qE 'IP 10\.0\.0\.2 > 10\.0\.0\.1: ICMP echo reply, id [0-9]+, seq 0, length 64' "$T/a.console"
	grep -qE 'IP 10\.0\.0\.2 > 10\.0\.0\.1: ICMP echo reply, id [0-9]+, seq 1, length 64' "$T/a.console"
	kill "$PID_sw" && wait "$PID_sw" 2>/dev/null || true
	run tcpdump -n -r "$T/sw.pcap" icmp
	echo "$output"
	echo "$output" | grep -qE 'IP 10\.0\.0\.1 > 10\.0\.0\.2: ICMP echo request, id [0-9]+, seq 1, length 64'
	echo "$output" | grep -qE 'IP 10\.0\.0\.2 > 10\.0\.0\.1: ICMP echo reply, id [0-9]+, seq 1, length 64'
}

@test "slirp and ip=dhcp: udhcpc gets 10.0.2.15 and a UDP echo service on the host answers" {
	local port=$((20000 + RANDOM % 20000))
	"$UDPX" echo "$port" 40 &
	PIDS+=($!)
	run_umk a "/etc/init.d/ipconfig; ip -4 addr show dev eth0; ip route; cat /etc/resolv.conf;
		udpx ask 10.0.2.2 $port hello-slirp 10" eth0=slirp ip=dhcp
	explain a
	[ "$(guest_exit a)" = 0 ]
	grep -q 'udhcpc: lease of 10.0.2.15 obtained from 10.0.2.2' "$T/a.console"
	grep -q 'inet 10.0.2.15/24 brd 10.0.2.255 scope global eth0' "$T/a.console"
	grep -q '^default via 10.0.2.2 dev eth0' "$T/a.console"
	grep -q '^nameserver 10.0.2.3' "$T/a.console"
	grep -q '^udp-answer: hello-slirp from 10.0.2.2' "$T/a.console"
}

@test "ip=CLIENT::GW:NETMASK:HOSTNAME:DEVICE:off: a static address, route, hostname and DNS; bad ip= is refused at boot" {
	run_umk a "/etc/init.d/ipconfig; ip -4 addr show dev eth0; ip route; hostname; cat /etc/resolv.conf;
		ping -c 1 -W 2 10.0.2.2" eth0=slirp ip=10.0.2.20::10.0.2.2:255.255.255.0:labhost:eth0:off:10.0.2.3
	explain a
	[ "$(guest_exit a)" = 0 ]
	grep -q 'inet 10.0.2.20/24 brd 10.0.2.255 scope global eth0' "$T/a.console"
	grep -q '^default via 10.0.2.2 dev eth0' "$T/a.console"
	grep -q '^labhost' "$T/a.console"
	grep -q '^nameserver 10.0.2.3' "$T/a.console"
	grep -q '^1 packets transmitted, 1 packets received' "$T/a.console"
	boot_fails ip=10.0.0.300
	[ "$status" -eq 2 ]
	[ "$output" = "umk: ip=10.0.0.300: addresses (client, server, gateway, netmask, DNS, NTP) must be dotted quads such as 10.0.0.2" ]
	boot_fails ip=bootp
	[ "$status" -eq 2 ]
	echo "$output" | grep -q '^umk: ip=bootp: BOOTP and RARP are not implemented'
	boot_fails ip=10.0.0.2::10.0.0.1:255.0.255.0
	[ "$status" -eq 2 ]
	boot_fails ip=::::::foo
	[ "$status" -eq 2 ]
}

# The configuration both sides get: iproute2 for everything (a function:
# busybox sh would run its own ip applet whatever PATH says), then the
# tools' views of it.
LAB_CONFIG='ip() { /usr/sbin/ip "$@"; }
ip link set lo up
ip link set eth0 address 02:00:00:00:00:01
ip link set eth0 mtu 1400
ip link set eth0 up
ip addr add 10.0.0.1/24 dev eth0
ip addr add 10.0.0.5/24 dev eth0
ip addr add 192.168.50.1/24 brd + dev eth0 label eth0:1
ip route add default via 10.0.0.254
ip route add 172.16.0.0/16 via 10.0.0.253 metric 5
ip route add 10.9.0.0/16 dev eth0 scope link
ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev eth0 nud permanent
ip neigh add 10.0.0.10 lladdr 02:00:00:00:00:0a dev eth0 nud noarp
echo LAB-OUT-BEGIN
ip -4 addr
ip link show eth0
ip route
ip route show table local
ip neigh show nud all | sort
ip -4 route get 172.16.1.1
ip -4 rule
busybox ifconfig
busybox route -n
echo LAB-OUT-END'

# What must differ between a veth in a namespace and a umk card: the
# ifindex numbers, the veth peer's name and namespace, the counters.
lab_normalise() {
	sed -n '/^LAB-OUT-BEGIN/,/^LAB-OUT-END/p' | tr -d '\r' |
		sed -E 's/^[0-9]+: /N: /; s/@if[0-9]+//; s/ link-netnsid [0-9]+//;
			s/(RX|TX) (packets|bytes):[0-9]+/\1 \2:N/g; s/(errors|dropped|overruns|frame|carrier|collisions|txqueuelen):[0-9]+/\1:N/g;
			s/\([0-9.]+ [KMG]?i?B\)/(N)/g; s/uid [0-9]+/uid N/'
}

@test "ip addr/link/route/neigh, ifconfig and route -n print what a native Linux prints for the same configuration" {
	[ "$(id -u)" = 0 ] || skip "needs root for a network namespace"
	command -v ip >/dev/null && command -v busybox >/dev/null || skip "ip or busybox missing on the host"
	NETNS=umklab$$
	ip netns add "$NETNS"
	ip link add "umkv$$" type veth peer name "umkp$$"
	ip link set "umkv$$" netns "$NETNS"
	ip link set "umkp$$" up
	ip netns exec "$NETNS" sh -c "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1;
		ip link set umkv$$ name eth0; $LAB_CONFIG" >"$T/native.raw" 2>&1
	ip link del "umkp$$" 2>/dev/null || true
	start_switch sw
	run_umk a "$LAB_CONFIG" "eth0=daemon,,unix,$T/sw.ctl"
	lab_normalise <"$T/native.raw" >"$T/native"
	lab_normalise <"$T/a.console" >"$T/umk"
	cat "$T/native.raw"
	diff -u "$T/native" "$T/umk"
}

# counters KEY=VALUE from /proc/net/snmp and /proc/net/netstat text
# between a BEGIN and an END marker line (header/value line pairs)
counters() {
	sed -n "/^$2/,/^$3/p" "$1" | tr -d '\r' | awk '
		$1 ~ /:$/ { if (hdr[$1] == "") { hdr[$1] = $0; next }
			split(hdr[$1], h); for (i = 2; i <= NF; i++) print substr($1, 1, length($1) - 1) "." h[i] "=" $i
			hdr[$1] = "" }'
}

# The deltas of the counters Linux moves for bad input, between two dumps.
deltas() {
	local k
	for k in Ip.InReceives Ip.InHdrErrors Ip.InAddrErrors Ip.InUnknownProtos Ip.InDiscards Ip.InDelivers \
		Ip.ReasmReqds Ip.ReasmOKs Ip.ReasmFails IpExt.InTruncatedPkts IpExt.InCsumErrors IpExt.ReasmOverlaps \
		Icmp.InMsgs Icmp.InErrors Icmp.InCsumErrors Udp.InDatagrams Udp.NoPorts Udp.InErrors Udp.InCsumErrors; do
		echo "$k $(($(sed -n "s/^$k=//p" "$2") - $(sed -n "s/^$k=//p" "$1")))"
	done
}

SNMP_DUMP='cat /proc/net/snmp /proc/net/netstat'

@test "a raw peer's malformed frames and an ARP flood: the guest stays up, counts them as Linux does, answers pings" {
	[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
	command -v python3 >/dev/null || skip "python3 missing on the host"
	local atk=$UMK_TOP/tests/net/malformed-frames.py vmac=02:00:00:03:00:01
	# Linux: victim and attacker namespaces joined by a veth
	NETNS=umkv$$
	local nsa=umka$$
	ip netns add "$NETNS"
	ip netns add "$nsa"
	ip link add "umkv$$" netns "$NETNS" type veth peer name "umka$$" netns "$nsa"
	ip netns exec "$NETNS" sh -c "sysctl -qw net.ipv6.conf.all.disable_ipv6=1; ip link set umkv$$ name eth0;
		ip link set eth0 address $vmac; ip link set lo up; ip link set eth0 up; ip addr add 10.3.0.1/16 dev eth0"
	ip netns exec "$nsa" sh -c "sysctl -qw net.ipv6.conf.all.disable_ipv6=1; ip link set umka$$ name eth0;
		ip link set lo up; ip link set eth0 up; ip addr add 10.3.0.2/16 dev eth0"
	sleep 1
	{ echo SNMP-BEFORE; ip netns exec "$NETNS" sh -c "$SNMP_DUMP"; echo SNMP-MID; } >"$T/native.snmp"
	ip netns exec "$nsa" "$UDPX" recv 7998 10 >/dev/null &
	ip netns exec "$NETNS" "$UDPX" recv 7999 30 >"$T/native.trigger" &
	sleep 0.5
	ip netns exec "$NETNS" "$UDPX" send 10.3.0.2 7998 ready
	ip netns exec "$nsa" python3 "$atk" eth0 "$vmac" 10.3.0.2 10.3.0.1
	ip netns exec "$nsa" "$UDPX" send 10.3.0.1 7999 done
	wait
	{ echo SNMP-AFTER; ip netns exec "$NETNS" sh -c "$SNMP_DUMP"; echo SNMP-END; } >>"$T/native.snmp"
	ip netns del "$nsa"
	# umk: the victim and a umk attacker guest on umk-switch
	start_switch sw
	boot_umk v "ip link set lo up; ip addr add 10.3.0.1/16 dev eth0; ip link set eth0 up; sleep 1;
		echo SNMP-BEFORE; $SNMP_DUMP; echo SNMP-MID; udpx send 10.3.0.2 7998 ready; udpx recv 7999 60;
		echo SNMP-AFTER; $SNMP_DUMP; echo SNMP-END; sleep 20" "eth0=daemon,$vmac,unix,$T/sw.ctl"
	run_umk a "ip link set lo up; ip addr add 10.3.0.2/16 dev eth0; ip link set eth0 up; udpx recv 7998 60 &&
		python3 /tests/malformed-frames.py eth0 $vmac 10.3.0.2 10.3.0.1 && udpx send 10.3.0.1 7999 done &&
		sleep 2 && ping -c 3 -W 2 10.3.0.1" "eth0=daemon,,unix,$T/sw.ctl"
	explain a
	explain v
	[ "$(guest_exit a)" = 0 ]
	grep -q '^sent: runt=5 .* arp-requests=2000' "$T/a.console"
	grep -q '^3 packets transmitted, 3 packets received' "$T/a.console"
	alive "$UPID_v"
	counters "$T/native.snmp" SNMP-BEFORE SNMP-MID >"$T/n0"
	counters "$T/native.snmp" SNMP-AFTER SNMP-END >"$T/n1"
	counters "$T/v.console" SNMP-BEFORE SNMP-MID >"$T/u0"
	counters "$T/v.console" SNMP-AFTER SNMP-END >"$T/u1"
	deltas "$T/n0" "$T/n1" >"$T/native"
	deltas "$T/u0" "$T/u1" >"$T/umk"
	paste "$T/native" "$T/umk"
	grep -q 'Ip.InHdrErrors [1-9]' "$T/native"
	diff -u "$T/native" "$T/umk"
}
