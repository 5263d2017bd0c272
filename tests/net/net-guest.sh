#!/bin/sh
# Init for the network card tests (tests/bats/net-*.bats), installed as
# /tests/net-guest.sh in build/test-rootfs:
#   init=/bin/sh ... -- /tests/net-guest.sh 'SHELL CODE'
# mounts proc, sysfs and devtmpfs, defines the helpers below, runs the
# code, prints "NET-GUEST-EXIT <status>" and powers off.
PATH=/bin:/sbin:/usr/bin:/usr/sbin:/tests
export PATH
mount -t proc proc /proc 2>&-
mount -t sysfs sysfs /sys 2>&-
mount -t devtmpfs devtmpfs /dev 2>&-

# up IF / down IF: IFF_UP through /sys/class/net/IF/flags (no ioctls needed)
up() { echo 0x1003 >"/sys/class/net/$1/flags"; }
down() { echo 0x1002 >"/sys/class/net/$1/flags"; }
# stat IF COUNTER: one of /sys/class/net/IF/statistics/*
stat() { cat "/sys/class/net/$1/statistics/$2"; }
# wait_carrier IF 0|1 [SECS]: until /sys/class/net/IF/carrier says so
wait_carrier() {
	n=0
	while [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" != "$2" ]; do
		n=$((n + 1))
		if [ $n -gt $((${3:-10} * 10)) ]; then
			echo "carrier-timeout $1 $2"
			return 1
		fi
		sleep 0.1
	done
	echo "carrier $1 $2"
}

echo "NET-GUEST-START"
eval "$1"
echo "NET-GUEST-EXIT $?"
poweroff -f
