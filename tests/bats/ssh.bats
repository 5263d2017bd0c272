#!/usr/bin/env bats
# ssh into the default guest (`make run`: build/rootfs.ext4 with a COW
# file, busybox init, eth0 on slirp with a host port forwarded to the
# guest's port 22): dropbear started by rcS with host keys made at the
# first boot, password login as root, a command's exit status, scp both
# ways with equal sha256, and the host keys still the same at the next
# boot (kept in the COW file).

load ssh-lib

setup() {
	ssh_setup
}

teardown() {
	sw_teardown
}

@test "ssh into the make-run guest through slirp: login, exit status, scp 100 MiB both ways, host keys kept" {
	# (This once panicked after the first session: libslirp overflowed
	# the 32 KiB kernel stack into guest memory; it runs on a host stack
	# of its own since netcfg's arch-um/deep_stack.c.)
	boot_default g mem=512M
	wait_sshd
	local key1
	key1=$(host_key)
	[ -n "$key1" ]
	ssh_run 'uname -s; cat /proc/net/tcp | wc -l; exit 7'
	[ "$status" -eq 7 ]
	[[ "$output" == *Linux* ]]
	# scp: host -> guest -> host
	# (100 MiB each way: in a tmpfs, the image has less room than that)
	ssh_run 'mkdir -p /mnt/big && mount -t tmpfs -o size=220m none /mnt/big'
	[ "$status" -eq 0 ]
	head -c 104857600 /dev/urandom >"$T/up.bin"
	run expect "$BATS_TEST_DIRNAME/ssh.exp" umk scp -O -P "$PORT" "${SSH_OPTS[@]}" "$T/up.bin" root@127.0.0.1:/mnt/big/up.bin
	echo "$output"
	[ "$status" -eq 0 ]
	ssh_run 'sha256sum /mnt/big/up.bin; rm /mnt/big/up.bin'
	[ "$status" -eq 0 ]
	[[ "$output" == *"$(sha256sum <"$T/up.bin" | cut -d' ' -f1)"* ]]
	ssh_run 'dd if=/dev/urandom of=/mnt/big/down.bin bs=64k count=1600 2>/dev/null; sha256sum /mnt/big/down.bin'
	local guest_sum
	guest_sum=$(echo "$output" | grep -oE '^[0-9a-f]{64}' | tail -n 1)
	[ -n "$guest_sum" ]
	run expect "$BATS_TEST_DIRNAME/ssh.exp" umk scp -O -P "$PORT" "${SSH_OPTS[@]}" root@127.0.0.1:/mnt/big/down.bin "$T/down.bin"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sha256sum <"$T/down.bin" | cut -d' ' -f1)" = "$guest_sum" ]
	# power off, boot again from the same COW file: the same host key
	ssh_run 'poweroff'
	wait_umk g 60
	boot_default g2
	wait_sshd
	[ "$(host_key)" = "$key1" ]
	ssh_run 'poweroff'
	wait_umk g2 60
}

@test "ssh into the make-run guest through a tap (umk-net, in a network namespace): command, exit status, scp both ways" {
	[ "$(id -u)" -eq 0 ] || skip "needs root (a network namespace for the tap)"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	NETNS="umk-ssh-$$"
	ip netns add "$NETNS" || skip "cannot create a network namespace"
	local ns="ip netns exec $NETNS"
	$ns ip link set lo up
	[ "$($ns "$UMKNET" create -t umkssh0 -a 10.98.1.1/24)" = umkssh0 ]
	# the guest in the namespace, on the tap, with a static address
	UMK_COW=$T/run.cow UMK_NET="eth0=tuntap,umkssh0 ip=10.98.1.2::10.98.1.1:255.255.255.0::eth0:off" \
		setsid $ns bash "$UMK_TOP/scripts/run-default.sh" </dev/null >"$T/g.console" 2>"$T/g.err" &
	PIDS+=($!)
	UPID_g=$!
	local i up=
	for i in $(seq 180); do
		if $ns python3 - <<'PY' 2>/dev/null; then up=1; break; fi
import socket, sys
s = socket.create_connection(("10.98.1.2", 22), timeout=2)
s.settimeout(5)
sys.exit(0 if s.recv(64).startswith(b"SSH-") else 1)
PY
		sleep 0.5
	done
	[ -n "$up" ] || { explain g; false; }
	run $ns expect "$BATS_TEST_DIRNAME/ssh.exp" umk ssh "${SSH_OPTS[@]}" root@10.98.1.2 'ip -4 addr show eth0 | grep -c 10.98.1.2; exit 9'
	echo "$output"
	[ "$status" -eq 9 ]
	echo "$output" | tr -d '\r' | grep -qx 1
	head -c 8388608 /dev/urandom >"$T/tap-up.bin"
	run $ns expect "$BATS_TEST_DIRNAME/ssh.exp" umk scp -O "${SSH_OPTS[@]}" "$T/tap-up.bin" root@10.98.1.2:/tmp/tap.bin
	echo "$output"
	[ "$status" -eq 0 ]
	run $ns expect "$BATS_TEST_DIRNAME/ssh.exp" umk scp -O "${SSH_OPTS[@]}" root@10.98.1.2:/tmp/tap.bin "$T/tap-down.bin"
	echo "$output"
	[ "$status" -eq 0 ]
	cmp "$T/tap-up.bin" "$T/tap-down.bin"
	run $ns expect "$BATS_TEST_DIRNAME/ssh.exp" umk ssh "${SSH_OPTS[@]}" root@10.98.1.2 'rm /tmp/tap.bin; poweroff'
	wait_umk g 60
}
