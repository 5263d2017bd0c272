#!/usr/bin/env bats
# IPv4 in the guest with busybox's own tools on lo (the differential
# tests are tests/guest/net_*.c): ifconfig, route, netstat, ping,
# traceroute, the net.ipv4 sysctls, /proc/net, and lo configured by the
# default image's rcS.

load ../lib.sh

# guest_sh MODE SCRIPT: runs SCRIPT with busybox sh as init in
# build/test-rootfs, /proc mounted; output in $UMK_OUT.
guest_sh() {
	local mode=$1 script=$2
	umk_boot "$mode" "$UMK_TEST_ROOTFS" /bin/sh -c "mount -t proc proc /proc; $script; poweroff -f"
}

@test "busybox ifconfig, route, ping and traceroute on lo (every mode)" {
	for mode in $UMK_MODES; do
		guest_sh "$mode" '
			ifconfig lo 127.0.0.1 netmask 255.0.0.0 up
			ifconfig lo
			route add -net 10.0.0.0 netmask 255.0.0.0 dev lo
			route add -net 10.0.0.0 netmask 255.0.0.0 dev lo || echo "second add refused"
			route -n
			ping -c 3 127.0.0.1
			ping -c 2 -s 3000 127.0.0.9
			traceroute -n -q 1 127.0.0.1
			traceroute -I -n -q 1 127.0.0.1
			route del -net 10.0.0.0 netmask 255.0.0.0
			route -n
			ifconfig lo down
			ifconfig lo | grep -c UP || echo "lo is down"
			ping -c 1 -W 1 127.0.0.1 || echo "no route while down: exit $?"'
		echo "# mode=$mode status=$UMK_STATUS" >&3
		cat "$UMK_OUT"
		[ "$UMK_STATUS" -eq 0 ]
		grep -q 'inet addr:127.0.0.1  Mask:255.0.0.0' "$UMK_OUT"
		grep -q 'UP LOOPBACK RUNNING  MTU:65536' "$UMK_OUT"
		grep -q '^second add refused$' "$UMK_OUT"
		grep -Eq '^10\.0\.0\.0 +0\.0\.0\.0 +255\.0\.0\.0 +U +0 +0 +0 lo$' "$UMK_OUT"
		[ "$(grep -c '^10\.0\.0\.0 ' "$UMK_OUT")" -eq 1 ]
		grep -q '^3 packets transmitted, 3 packets received, 0% packet loss$' "$UMK_OUT"
		grep -q '^3008 bytes from 127.0.0.9: seq=1 ttl=64' "$UMK_OUT"
		[ "$(grep -c '^ 1  127\.0\.0\.1  ' "$UMK_OUT")" -eq 2 ]
		grep -q '^lo is down$' "$UMK_OUT"
		grep -q '^1 packets transmitted, 0 packets received, 100% packet loss$' "$UMK_OUT"
	done
}

@test "fragments on lo with a 1500-byte MTU, counted in /proc/net/snmp" {
	guest_sh skas '
		ifconfig lo 127.0.0.1 up mtu 1500
		ping -c 1 -s 4000 127.0.0.1 | grep "bytes from"
		awk "/^Ip: [0-9]/ { print \"FragCreates \" \$20 \" ReasmOKs \" \$16 }" /proc/net/snmp
		ping -c 1 -s 1472 127.0.0.1 | grep "bytes from"
		awk "/^Ip: [0-9]/ { print \"FragCreates \" \$20 }" /proc/net/snmp'
	cat "$UMK_OUT"
	[ "$UMK_STATUS" -eq 0 ]
	grep -q '^4008 bytes from 127.0.0.1' "$UMK_OUT"
	# the request and the reply, three fragments each, each reassembled
	grep -q '^FragCreates 6 ReasmOKs 2$' "$UMK_OUT"
	grep -q '^1480 bytes from 127.0.0.1' "$UMK_OUT"
	grep -q '^FragCreates 6$' "$UMK_OUT"
}

@test "net.ipv4 sysctls: ip_forward is writable and is conf/all/forwarding; bad values refused" {
	guest_sh skas '
		echo "before: $(cat /proc/sys/net/ipv4/ip_forward) $(cat /proc/sys/net/ipv4/conf/lo/forwarding)"
		echo 1 > /proc/sys/net/ipv4/ip_forward
		echo "after: $(cat /proc/sys/net/ipv4/ip_forward) $(cat /proc/sys/net/ipv4/conf/all/forwarding) $(cat /proc/sys/net/ipv4/conf/lo/forwarding)"
		grep "^Ip: [0-9]" /proc/net/snmp | cut -d" " -f1-3
		echo 2 > /proc/sys/net/ipv4/ip_forward 2>/dev/null || echo "2 refused"
		echo x > /proc/sys/net/ipv4/ip_default_ttl 2>/dev/null || echo "x refused"
		echo 0 > /proc/sys/net/ipv4/ip_forward
		echo "off again: $(cat /proc/sys/net/ipv4/conf/lo/forwarding)"
		echo "neigh: $(cat /proc/sys/net/ipv4/neigh/lo/base_reachable_time_ms) $(cat /proc/sys/net/ipv4/neigh/lo/retrans_time_ms)"
		cat /proc/sys/net/ipv4/ip_local_port_range /proc/sys/net/ipv4/ping_group_range
		ls /proc/net'
	cat "$UMK_OUT"
	[ "$UMK_STATUS" -eq 0 ]
	grep -q '^before: 0 0$' "$UMK_OUT"
	grep -q '^after: 1 1 1$' "$UMK_OUT"
	grep -q '^Ip: 1 64$' "$UMK_OUT"
	grep -q '^2 refused$' "$UMK_OUT"
	grep -q '^x refused$' "$UMK_OUT"
	grep -q '^off again: 0$' "$UMK_OUT"
	grep -q '^neigh: 30000 1000$' "$UMK_OUT"
	grep -q "^32768	60999$" "$UMK_OUT"
	grep -q "^1	0$" "$UMK_OUT"
	for f in arp dev igmp netstat raw route snmp udp; do grep -qw "$f" "$UMK_OUT"; done
}

@test "the default image's rcS brings lo up with 127.0.0.1/8" {
	umk_boot skas "$UMK_TEST_ROOTFS" /bin/sh -c '/etc/init.d/rcS >/dev/null 2>&1; ifconfig lo; ping -c 1 127.0.0.1; poweroff -f'
	cat "$UMK_OUT"
	[ "$UMK_STATUS" -eq 0 ]
	grep -q 'inet addr:127.0.0.1  Mask:255.0.0.0' "$UMK_OUT"
	grep -q '^1 packets transmitted, 1 packets received' "$UMK_OUT"
}
