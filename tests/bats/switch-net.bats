#!/usr/bin/env bats
# umk-net, the privileged tap helper: creates, lists and destroys its own
# taps, refuses everything else. Needs root (or CAP_NET_ADMIN); runs in a
# private network namespace so the host's interfaces are never at stake.

load switch-lib

setup() {
	sw_setup
	[ -x "$UMKNET" ] || skip "build first: make build/umk-net"
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	NETNS="umk-net-$$"
	ip netns add "$NETNS" || skip "cannot create a network namespace"
	NS="ip netns exec $NETNS"
}

teardown() {
	sw_teardown
}

@test "umk-net create/list/destroy a tap with an address" {
	run $NS "$UMKNET" create -t umkt1 -a 10.98.0.1/24
	[ "$status" -eq 0 ]
	[ "$output" = umkt1 ]
	$NS ip -d link show umkt1 | grep -q 'tun type tap'
	$NS ip -d link show umkt1 | grep -q 'persist on'
	$NS ip addr show umkt1 | grep -q 'inet 10.98.0.1/24'
	$NS "$UMKNET" list | grep -q '^umkt1 owner=0 '
	run $NS "$UMKNET" destroy umkt1
	[ "$status" -eq 0 ]
	! $NS ip link show umkt1 2>/dev/null
}

@test "umk-net picks a free umkN name by default and owns it for -u USER" {
	run $NS "$UMKNET" create -u nobody -n
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^umk[0-9]+$ ]]
	tap=$output
	[ "$($NS cat /sys/class/net/$tap/owner)" = "$(id -u nobody)" ]
	$NS "$UMKNET" list | grep -q "^$tap owner=$(id -u nobody) "
	$NS "$UMKNET" destroy "$tap"
}

@test "umk-net refuses interfaces it did not create" {
	$NS ip tuntap add dev umkforeign mode tap
	$NS ip link add umkdummy type bridge
	run $NS "$UMKNET" destroy umkforeign
	[ "$status" -eq 1 ]
	[[ "$output" == *"not created by umk-net"* ]]
	run $NS "$UMKNET" destroy umkdummy
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a tun/tap"* ]]
	run $NS "$UMKNET" destroy lo
	[ "$status" -eq 1 ]
	[[ "$output" == *"does not start with"* ]]
	run $NS "$UMKNET" destroy ../../etc
	[ "$status" -eq 1 ]
	# Nothing was touched.
	$NS ip link show umkforeign >/dev/null
	$NS ip link show umkdummy >/dev/null
	# Names outside our prefix, or taken, are refused at creation too.
	run $NS "$UMKNET" create -t eth5
	[ "$status" -eq 1 ]
	run $NS "$UMKNET" create -t umkforeign
	[ "$status" -eq 1 ]
	[[ "$output" == *"already exists"* ]]
	$NS ip -d link show umkforeign | grep -q 'tun type tap'
}

@test "umk-net with only a file capability: a user manages only their own taps" {
	command -v setcap >/dev/null || skip "setcap (libcap2-bin) not installed"
	[ "$(stat -c %a /dev/net/tun)" = 666 ] || skip "/dev/net/tun is not world-accessible here ($(stat -c %a /dev/net/tun))"
	cp "$UMKNET" "$T/umk-net"
	chmod 755 "$T" "$T/umk-net"
	setcap cap_net_admin+ep "$T/umk-net" || skip "file capabilities unsupported here"
	AS_NOBODY="$NS setpriv --reuid=nobody --regid=nogroup --clear-groups"
	run $AS_NOBODY "$T/umk-net" create -n
	[ "$status" -eq 0 ]
	mine=$output
	$NS "$UMKNET" create -t umkroot -n
	run $AS_NOBODY "$T/umk-net" destroy umkroot
	[ "$status" -eq 1 ]
	[[ "$output" == *"another user"* ]]
	run $AS_NOBODY "$T/umk-net" create -u root
	[ "$status" -eq 1 ]
	run $AS_NOBODY "$T/umk-net" destroy "$mine"
	[ "$status" -eq 0 ]
	$NS "$UMKNET" destroy umkroot
}

@test "umk-net without CAP_NET_ADMIN says what it needs" {
	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$UMKNET" create
	[ "$status" -eq 1 ]
	[[ "$output" == *"CAP_NET_ADMIN"* ]]
}
