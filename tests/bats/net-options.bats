#!/usr/bin/env bats
# The network card options (ethN=, vecN:) at boot: every bad one is one
# line naming the option (exit 2); the cards they make, their names,
# MAC addresses (stable for a umid) and MTU limits.

load net-lib

setup() {
	net_setup
}

teardown() {
	sw_teardown
}

# refused WORD PHRASE: umk stops with exactly "umk: WORD: ...PHRASE...".
refused() {
	boot_fails "$1"
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "umk: $1: "*"$2"* ]]
}

@test "bad ethN= options are one-line errors naming the option (exit 2)" {
	refused eth0=bogus "unknown transport 'bogus' (expected daemon, mcast, pcap, slirp, tuntap, vde)"
	refused eth0= "expected a transport"
	refused eth16=daemon "N from 0 to 15"
	refused ethx=daemon "expected ethN="
	refused eth0=daemon,zz:1 "expected a MAC address"
	refused eth0=daemon,ff:ff:ff:ff:ff:ff "multicast"
	refused eth0=daemon,,tcp,/tmp/x.ctl "only unix is supported"
	refused eth0=daemon,,unix,/tmp/a,/tmp/b,extra "expected daemon,MAC,unix,CTL"
	refused eth0=mcast,,10.0.0.1 "not a multicast address"
	refused eth0=mcast,,239.1.1.1,70000 "expected 1 to 65535"
	refused eth0=mcast,,239.1.1.1,1102,300 "expected 0 to 255"
	refused eth0=tuntap "made beforehand"
	refused eth0=tuntap,umknosuch0 "there is no interface umknosuch0"
	refused eth0=tuntap,lo "lo is not a tap device"
	refused eth0=vde "expected vde,SOCKET"
	refused eth0=vde,/tmp/x,,notaport "expected a switch port number"
	refused eth0=pcap "expected pcap,IF"
	refused eth0=pcap,umknosuch0 "no such interface"
	refused eth0=slirp,hostfwd=tcp::0-:22 "expected 1 to 65535"
	refused eth0=slirp,hostfwd=sctp::2222-:22 "expected tcp or udp"
	refused eth0=slirp,hostfwd=tcp:1.2.3:2222-:22 "not an IPv4 address"
	refused eth0=slirp,hostfwd=22 "expected [tcp|udp]"
	refused eth0=slirp,/usr/bin/slirp "no slirp program is needed"
}

@test "bad vecN: options are one-line errors naming the option (exit 2)" {
	refused vec0:transport=gre,src=1.2.3.4 "transport=gre is not supported by umk (it has raw, tap, vde)"
	refused vec0:ifname=x "expected transport=NAME"
	refused vec0:transport=tap "needs ifname=TAP"
	refused vec0:transport=tap,ifname=umknosuch0 "there is no interface"
	refused vec0:transport=tap,ifname=x,color=red "color= is not a key of transport=tap"
	refused vec0:transport=raw "needs ifname=IF"
	refused vec0:transport=raw,ifname=lo,bpffile=/x "not supported"
	refused vec0:transport=vde "needs vnl=URL"
	refused vec0:transport=raw,ifname=lo,mtu=20 "expected 68 to 65535"
	refused vec0:transport=vde,vnl=vde:///tmp/x,mtu=9000 "carries at most 1500"
	refused vec0:transport=raw,ifname=lo,depth=x "expected a number"
	refused vec0:transport=raw,ifname=lo,noequals "expected key=value"
	refused vec16:transport=raw,ifname=lo "N from 0 to 15"
}

@test "the same card twice, and a forwarded host port in use, are refused" {
	boot_fails eth0=mcast eth0=mcast,,239.1.1.2
	[ "$status" -eq 2 ]
	[ "$output" = "umk: eth0=mcast,,239.1.1.2: eth0 is already configured" ]
	python3 -c 'import socket, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(30)' >"$T/port" &
	PIDS+=($!)
	wait_for test -s "$T/port"
	local port
	port=$(cat "$T/port")
	refused "eth0=slirp,hostfwd=tcp:127.0.0.1:$port-:22" "hostfwd: host tcp port $port: Address already in use"
}

@test "umk --help lists ethN= and vecN: with their transports" {
	run "$UMK_BIN" --help
	[ "$status" -eq 0 ]
	[[ $output == *"ethN=TRANSPORT,..."*"daemon,MAC,unix,CTL"*"slirp[,MAC][,hostfwd=...]"* ]]
	[[ $output == *"vecN:transport=T,..."*"transport=tap,ifname=TAP"* ]]
}

@test "cards are named as their options (eth0, eth3, vec1), down until configured, with the MAC given" {
	run_umk m 'echo "cards: $(ls /sys/class/net | tr "\n" " ")"; for i in eth0 eth3 vec1; do echo "$i $(cat /sys/class/net/$i/address) $(cat /sys/class/net/$i/operstate) $(cat /sys/class/net/$i/mtu)"; done' \
		eth3=mcast,fe:fd:0a:00:00:03 eth0=mcast,,239.192.168.9 vec1:transport=vde,vnl=vde:///nonexistent,mac=02:00:00:00:00:01,mtu=1400
	explain m
	[ "$(guest_exit m)" = 0 ]
	grep -q '^cards: eth0 eth3 lo vec1 ' "$T/m.console"
	grep -qE '^eth3 fe:fd:0a:00:00:03 down 1500' "$T/m.console"
	grep -qE '^vec1 02:00:00:00:00:01 down 1400' "$T/m.console"
	grep -qE '^eth0 ([0-9a-f]{2}:){5}[0-9a-f]{2} down 1500' "$T/m.console"
}

@test "an empty MAC is locally administered, stable for a umid and card, different across them" {
	local code='for i in eth0 eth1; do echo "mac-$i $(cat /sys/class/net/$i/address)"; done'
	run_umk a "$code" umid=lab-r1 eth0=mcast eth1=mcast,,239.192.168.2
	run_umk b "$code" umid=lab-r1 eth0=mcast eth1=mcast,,239.192.168.2
	run_umk c "$code" umid=lab-r2 eth0=mcast eth1=mcast,,239.192.168.2
	local a0 a1 b0 b1 c0
	a0=$(sed -n 's/^mac-eth0 //p' "$T/a.console" | tr -d '\r')
	a1=$(sed -n 's/^mac-eth1 //p' "$T/a.console" | tr -d '\r')
	b0=$(sed -n 's/^mac-eth0 //p' "$T/b.console" | tr -d '\r')
	b1=$(sed -n 's/^mac-eth1 //p' "$T/b.console" | tr -d '\r')
	c0=$(sed -n 's/^mac-eth0 //p' "$T/c.console" | tr -d '\r')
	echo "lab-r1: $a0 $a1, again: $b0 $b1; lab-r2: $c0"
	[[ $a0 =~ ^([0-9a-f]{2}:){5}[0-9a-f]{2}$ ]]
	# locally administered (bit 1), unicast (bit 0 clear)
	[ $((0x${a0:0:2} & 3)) -eq 2 ]
	[ $((0x${c0:0:2} & 3)) -eq 2 ]
	[ "$a0" = "$b0" ] && [ "$a1" = "$b1" ]
	[ "$a0" != "$a1" ]
	[ "$a0" != "$c0" ]
}

@test "MTU: 68 up to what the transport carries, through /sys/class/net/IF/mtu" {
	run_umk mtu 'for m in 67 68 65489 65490 1500; do echo $m > /sys/class/net/eth0/mtu 2>/dev/null; echo "eth0 $m -> $(cat /sys/class/net/eth0/mtu)"; done
		for m in 1501 576; do echo $m > /sys/class/net/eth1/mtu 2>/dev/null; echo "eth1 $m -> $(cat /sys/class/net/eth1/mtu)"; done
		for m in 65518 65519; do echo $m > /sys/class/net/eth2/mtu 2>/dev/null; echo "eth2 $m -> $(cat /sys/class/net/eth2/mtu)"; done' \
		eth0=mcast eth1=slirp "eth2=daemon,,unix,$T/none.ctl"
	explain mtu
	# mcast: a UDP datagram (65507 bytes) minus the header and a tag
	grep -qx 'eth0 67 -> 1500' <(tr -d '\r' <"$T/mtu.console")
	grep -qx 'eth0 68 -> 68' <(tr -d '\r' <"$T/mtu.console")
	grep -qx 'eth0 65489 -> 65489' <(tr -d '\r' <"$T/mtu.console")
	grep -qx 'eth0 65490 -> 65489' <(tr -d '\r' <"$T/mtu.console")
	# slirp: libslirp's 1500
	grep -qx 'eth1 1501 -> 1500' <(tr -d '\r' <"$T/mtu.console")
	grep -qx 'eth1 576 -> 576' <(tr -d '\r' <"$T/mtu.console")
	# daemon: umk-switch's 64 KiB frames
	grep -qx 'eth2 65518 -> 65518' <(tr -d '\r' <"$T/mtu.console")
	grep -qx 'eth2 65519 -> 65518' <(tr -d '\r' <"$T/mtu.console")
}

@test "vecN:transport=raw without CAP_NET_RAW is one clear error" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
	run setpriv --inh-caps=-net_raw --bounding-set=-net_raw "$UMK_BIN" mem=64M vec0:transport=raw,ifname=lo
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" = "umk: vec0:transport=raw,ifname=lo: transport=raw needs CAP_NET_RAW (run umk as root, or setcap cap_net_raw+ep on it)" ]
}
