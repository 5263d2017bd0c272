#!/usr/bin/env bats
# Hot-plugging through the management console (Documentation/mconsole.md):
# a second disk appears in the running guest (/dev/ubdb, /sys/block/ubdb,
# a uevent to the hotplug helper), is mounted and written, cannot be
# removed while mounted, and goes once unmounted; a network card appears
# (/sys/class/net/eth1, a uevent, RTM_NEWLINK for ip monitor) and goes, even
# while up (RTM_DELLINK). Through
# Debian's uml_mconsole and through umk-mconsole.

load ../lib.sh
load mconsole-lib.bash

setup() {
	need_machine_tools
	command -v mke2fs >/dev/null || skip "mke2fs (e2fsprogs) not installed"
}

teardown() {
	teardown_machine
}

# The guest logs each uevent's variables to /tmp/uevents.
hotplug_logger() {
	guest_run 'printf "#!/bin/sh\necho \"\$ACTION \$SUBSYSTEM \$DEVPATH \$DEVNAME \$MAJOR:\$MINOR \$INTERFACE\" >>/tmp/uevents\n" >/tmp/hotplug; chmod +x /tmp/hotplug; echo /tmp/hotplug >/proc/sys/kernel/hotplug; cat /proc/sys/kernel/hotplug'
	[ "$GOT" = /tmp/hotplug ]
}

# wait_guest COND: until the shell condition holds in the guest (10 s).
wait_guest() {
	guest_run "for i in \$(seq 1 100); do $1 && break; sleep 0.1; done; $1 && echo yes || echo no"
	[ "$GOT" = yes ]
}

@test "a disk: config ubd1=IMAGE, mounted and written in the guest, busy while mounted, removed after umount" {
	command -v uml_mconsole >/dev/null || skip "uml_mconsole (uml-utilities) not installed"
	local img=$BATS_TEST_TMPDIR/disk2.img
	truncate -s 32M "$img"
	mke2fs -q -F -t ext4 "$img"
	start_machine hp1
	hotplug_logger
	guest_run 'ls /dev/ubdb 2>&1'
	[[ $GOT == *"No such file"* ]]
	# uml_mconsole plugs it
	run uml config "ubd1=$img"
	echo "$output"
	[ "$output" = "OK " ]
	wait_guest '[ -b /dev/ubdb ]'
	guest_run 'ls -l /dev/ubdb; cat /sys/block/ubdb/dev /sys/block/ubdb/size; cat /tmp/uevents'
	echo "$GOT"
	grep -q "^brw-rw---- .* 98, *16 .*/dev/ubdb$" <<<"$GOT"
	grep -qx "98:16" <<<"$GOT"
	grep -qx "65536" <<<"$GOT"
	grep -qx "add block /devices/virtual/block/ubdb ubdb 98:16 " <<<"$GOT"
	run uml config ubd1
	[ "$output" = "OK $img" ]
	run mc config ubd1
	[ "$output" = "$img" ]
	guest_run 'mkdir -p /tmp/m && mount /dev/ubdb /tmp/m && echo plugged-in >/tmp/m/hello && sync && echo written'
	[ "$GOT" = written ]
	# busy: refused, through either client
	run uml remove ubd1
	[[ $output == "ERR ubd1: Device is busy"* ]]
	run mc remove ubd1
	[ "$status" = 1 ] && [[ $output == *"busy"* ]]
	# an open file on the device holds it too
	guest_run 'umount /tmp/m; exec 5</dev/ubdb; echo held'
	run mc remove ubd1
	[ "$status" = 1 ]
	guest_run 'exec 5<&-; echo released'
	# umk-mconsole unplugs it
	run mc remove ubd1
	echo "$output"
	[ "$status" = 0 ]
	wait_guest '[ ! -e /dev/ubdb ]'
	guest_run 'ls /sys/block; tail -n 1 /tmp/uevents'
	grep -qx "remove block /devices/virtual/block/ubdb ubdb 98:16 " <<<"$GOT"
	[ -z "$(grep -x ubdb <<<"$GOT")" ]	# /sys/block/ubdb is gone
	# the host has the data, and the image is free (unlocked, clean)
	[ "$(debugfs -R "cat /hello" "$img" 2>/dev/null)" = plugged-in ]
	e2fsck -fn "$img"
	# plug it again, into another slot, by letter
	run mc config "ubdc=$img"
	[ "$status" = 0 ]
	wait_guest '[ -b /dev/ubdc ]'
	guest_run 'mount -o ro /dev/ubdc /tmp/m && cat /tmp/m/hello; umount /tmp/m'
	[ "$GOT" = plugged-in ]
	run uml remove ubdc
	[ "$output" = "OK " ]
}

@test "disk hot-plug errors: a missing image, a slot in use, a bad name, nothing to remove; the machine runs on" {
	local img=$BATS_TEST_TMPDIR/d.img
	truncate -s 8M "$img"
	start_machine hp2 "ubd1=$img"
	run mc config ubd2=/nonexistent/disk.img
	[ "$status" = 1 ] && [[ $output == *"/nonexistent/disk.img"* ]]
	run mc config "ubd1=$img"
	[ "$status" = 1 ] && [[ $output == *"already given"* ]]
	run mc config ubd99=x
	[ "$status" = 1 ]
	run mc remove ubd7
	[ "$status" = 1 ] && [ "$output" = "ubd7: no such device" ]
	run mc remove ubd1=x
	[ "$status" = 1 ]
	# the image a running machine holds is locked: another instance is refused it
	run "$UMK_BIN" "ubd0=$img" quiet
	[ "$status" = 2 ] && [[ $output == *"in use (locked)"* ]]
	run mc remove ubd1
	[ "$status" = 0 ]
	run mc version
	[ "$status" = 0 ]
}

@test "a network card: config eth1=..., /sys/class/net/eth1 and uevents; removed even while up" {
	command -v uml_mconsole >/dev/null || skip "uml_mconsole (uml-utilities) not installed"
	start_machine hp3
	hotplug_logger
	run uml config eth1=mcast
	[ "$output" = "OK " ]
	wait_guest '[ -d /sys/class/net/eth1 ]'
	guest_run 'cat /sys/class/net/eth1/address /sys/class/net/eth1/mtu; cat /tmp/uevents'
	echo "$GOT"
	grep -Eq "^([0-9a-f]{2}:){5}[0-9a-f]{2}$" <<<"$GOT"
	grep -qx 1500 <<<"$GOT"
	grep -qx "add net /devices/virtual/net/eth1  : eth1" <<<"$GOT"
	run uml config eth1
	[ "$output" = "OK eth1=mcast" ]
	run mc config eth1=mcast
	[ "$status" = 1 ] && [[ $output == *"already configured"* ]]
	# up, then unplugged: the guest sees it go
	guest_run 'echo 0x1003 >/sys/class/net/eth1/flags; cat /sys/class/net/eth1/operstate'
	[ "$GOT" = up ]
	run mc remove eth1
	[ "$status" = 0 ]
	wait_guest '[ ! -e /sys/class/net/eth1 ]'
	guest_run 'ls /sys/class/net; tail -n 1 /tmp/uevents'
	grep -qx "remove net /devices/virtual/net/eth1  : eth1" <<<"$GOT"
	grep -qx lo <<<"$GOT"
	run mc remove eth1
	[ "$status" = 1 ] && [ "$output" = "eth1: no such device" ]
	# a card under another name and transport, and the vector syntax
	run mc config eth3=slirp
	[ "$status" = 0 ]
	run mc config vec0:transport=bogus
	[ "$status" = 1 ] && [[ $output == *"transport=bogus is not supported"* ]]
	run mc config eth2=nonsense
	[ "$status" = 1 ] && [[ $output == *"unknown transport"* ]]
	wait_guest '[ -d /sys/class/net/eth3 ]'
	run uml remove eth3
	[ "$output" = "OK " ]
}

@test "a card's IPv4 goes with it: addresses, routes, ARP entries, conf/neigh sysctls; a capture on it ends; plugged again it works afresh" {
	start_machine hp4
	# plug_and_ping: eth1 on slirp, addressed, with a default route, pings slirp's host
	plug_and_ping() {
		run mc config eth1=slirp
		[ "$status" = 0 ]
		wait_guest '[ "$(cat /sys/class/net/eth1/carrier 2>/dev/null)" = 1 ] || { ifconfig eth1 up 2>/dev/null; false; }'
		guest_run 'ifconfig eth1 10.0.2.15 netmask 255.255.255.0 up && route add default gw 10.0.2.2 && ping -c 3 -w 10 10.0.2.2 | grep -c "bytes from"; cat /proc/sys/net/ipv4/conf/eth1/forwarding /proc/sys/net/ipv4/neigh/eth1/ucast_solicit'
		echo "$GOT"
		[ "$(sed -n 1p <<<"$GOT")" -ge 1 ]
		[ "$(sed -n 2,3p <<<"$GOT" | tr '\n' ' ')" = "0 3 " ]
	}
	plug_and_ping
	guest_run 'grep -c eth1 /proc/net/route; grep "^10.0.2.2 " /proc/net/arp | grep -c eth1'
	echo "$GOT"
	[ "$GOT" = "$(printf '2\n1')" ]
	# a capture bound to the card (AF_PACKET on eth1), and a sysctl of it held open
	guest_run 'tcpdump -i eth1 -n -l >/tmp/td.out 2>/tmp/td.err & echo $! >/tmp/td.pid; exec 6<>/proc/sys/net/ipv4/conf/eth1/forwarding; sleep 1; echo started'
	[ "$GOT" = started ]
	run mc remove eth1
	echo "$output"
	[ "$status" = 0 ]
	wait_guest '[ ! -e /sys/class/net/eth1 ]'
	# tcpdump hears the device go (ENETDOWN) and stops
	wait_guest '! kill -0 $(cat /tmp/td.pid) 2>/dev/null'
	guest_run 'cat /tmp/td.err; echo routes $(grep -c eth1 /proc/net/route) arp $(grep -c eth1 /proc/net/arp); echo dirs $(ls /proc/sys/net/ipv4/conf /proc/sys/net/ipv4/neigh); ifconfig eth1 2>&1; ping -c 1 -w 2 10.0.2.2 2>&1 | tail -n 1; echo 1 >&6; exec 6<&-'
	echo "$GOT"
	grep -q "^routes 0 arp 0$" <<<"$GOT"
	grep -q "^dirs .*conf: all default lo .*neigh: lo$" <<<"$GOT"
	[ -z "$(grep '^dirs .*eth1' <<<"$GOT")" ]
	grep -q "^ifconfig: eth1: error fetching interface information: Device not found$" <<<"$GOT"
	grep -qi "network is unreachable" <<<"$GOT"
	grep -qi "interface went down\|interface disappeared" <<<"$GOT"
	# the sysctl file still open: its entry is gone (ENOENT, as Linux)
	grep -qi "write error: No such file or directory" <<<"$GOT"
	# plugged again under the same name: nothing of the old card is in the way
	plug_and_ping
	run mc remove eth1
	[ "$status" = 0 ]
	run mc version
	[ "$status" = 0 ]
}

@test "ip monitor link sees a hot-plugged card arrive and an unplugged one go (RTM_NEWLINK, RTM_DELLINK)" {
	start_machine hp4
	guest_run '/usr/sbin/ip monitor link >/tmp/mon 2>&1 & sleep 1; echo started'
	run mc config eth1=mcast
	[ "$status" = 0 ]
	wait_guest '[ -d /sys/class/net/eth1 ]'
	guest_run 'echo 0x1003 >/sys/class/net/eth1/flags'
	run mc remove eth1
	[ "$status" = 0 ]
	wait_guest '[ ! -e /sys/class/net/eth1 ]'
	guest_run 'sleep 1; cat /tmp/mon'
	echo "$GOT"
	grep -Eq '^[0-9]+: eth1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN' <<<"$GOT"
	grep -Eq '^[0-9]+: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP' <<<"$GOT"
	grep -Eq '^Deleted [0-9]+: eth1: <BROADCAST,MULTICAST> mtu 1500 ' <<<"$GOT"
}
