#!/usr/bin/env bats
# Hostile TCP peers (issue 12, robustness): the default guest (ssh on
# slirp, eth1 on a umk-switch) is attacked through the switch by
# tests/net/tcp-hostile.py, which speaks TCP from raw frames: a SYN flood
# with a real connection in the middle, an RST storm, random garbage,
# bad checksums, out-of-window data, a zero window held for a minute
# (while the other attacks and an ssh session go on) and a tiny MSS.
# Afterwards the guest still serves ssh. Each case checks the victim's
# answer as Linux gives it (see the script's header).

load ssh-lib

setup() {
	ssh_setup
}

teardown() {
	sw_teardown
}

ATK=$BATS_TEST_DIRNAME/../net/tcp-hostile.py

# attack CASE [ARG]: one attacker on its own address; output in $T/atk-CASE
attack() {
	local case=$1 n=$2
	timeout 300 python3 "$ATK" "$T/sw.ctl" 10.0.0.2 "10.0.0.$((10 + ${#ATTACKS[@]}))" "$case" "$PORT_OF" $n \
		>"$T/atk-$case" 2>&1
}

@test "hostile TCP peers: SYN flood, RST storm, garbage, bad checksums, out-of-window data, zero window, tiny MSS; ssh still served" {
	start_switch sw
	boot_default v "eth1=daemon,,unix,$T/sw.ctl"
	wait_sshd
	# the victim: eth1 on the switch, a file server on 5001 (busybox nc,
	# one client at a time, for ever) besides dropbear on 22
	ssh_run 'ifconfig eth1 10.0.0.2 netmask 255.255.255.0 up &&
		dd if=/dev/urandom of=/tmp/z.bin bs=64k count=8 2>/dev/null && sha256sum /tmp/z.bin &&
		{ nohup sh -c "while :; do nc -l -p 5001 </tmp/z.bin >/dev/null; done" </dev/null >/dev/null 2>&1 & }'
	[ "$status" -eq 0 ]
	local zsum
	zsum=$(echo "$output" | grep -oE '^[0-9a-f]{64}' | tail -n 1)
	[ -n "$zsum" ]

	ATTACKS=()
	# a zero window held for 60 s on 5001, while everything else runs
	PORT_OF=5001 attack zerowindow 60 &
	local zpid=$!
	ATTACKS+=(zerowindow)
	sleep 3
	local c
	for c in "synflood 20000" "rststorm 5000" "garbage 5000" badsum outofwindow; do
		PORT_OF=22 attack $c || { cat "$T/atk-${c%% *}"; false; }
		cat "$T/atk-${c%% *}"
		ATTACKS+=("${c%% *}")
	done
	# ssh works while the zero window is still held
	ssh_run 'echo during-the-hold; exit 3'
	[ "$status" -eq 3 ]
	wait "$zpid" || { cat "$T/atk-zerowindow"; false; }
	cat "$T/atk-zerowindow"
	grep -q "sha256=$zsum" "$T/atk-zerowindow"
	# the file server again, to a peer announcing MSS 1
	ATTACKS+=(x)
	PORT_OF=5001 attack tinymss || { cat "$T/atk-tinymss"; false; }
	cat "$T/atk-tinymss"
	grep -q "sha256=$zsum" "$T/atk-tinymss"
	# the MSS raised to Linux's floor (tcp_min_snd_mss, 48), and kept:
	# segments of 48 bytes (shorter ones only at the ends of writes)
	grep -q "largest 48 bytes, most common 48 bytes" "$T/atk-tinymss"
	# the guest still serves ssh, and says what it saw
	ssh_run 'grep Tcp: /proc/net/snmp; cat /proc/net/sockstat; grep -E "MemFree|Slab" /proc/meminfo; exit 5'
	[ "$status" -eq 5 ]
	ssh_run poweroff
	wait_umk v 60
}
