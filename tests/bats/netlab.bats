#!/usr/bin/env bats
# umk-lab (netlab/): reading Kathará/Netkit lab directories. So far
# `umk-lab check`: a good lab is summed up, a bad line is an error with
# file:line, a script for no device is a warning.

load ../lib.sh

setup() {
	LAB=$BATS_TEST_TMPDIR/lab
	mkdir -p "$LAB"
	[ -x "$UMK_BUILD/umk-lab" ] || skip "build first: make all"
}

@test "umk-lab check: devices, interfaces, MACs, domain modes and lab.dep waves of a good lab" {
	cat >"$LAB/lab.conf" <<'CONF'
LAB_NAME="two hosts and a router"
# comments and blank lines are fine

r1[0]=A
r1[1]=B
pc1[0]=A
pc2[0]="B/02:00:00:00:00:22"
pc2[mem]=128m
CD_MODE[B]=switch
CONF
	printf 'pc1: r1\npc2: r1\n' >"$LAB/lab.dep"
	touch "$LAB/r1.startup" "$LAB/pc1.startup"
	run "$UMK_BUILD/umk-lab" check -d "$LAB"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "lab two hosts and a router: 3 devices, 2 collision domains, started in 2 waves" ]
	[ "${lines[1]}" = "  r1 (wave 0): eth0=A eth1=B" ]
	[ "${lines[2]}" = "  pc1 (wave 1): eth0=A" ]
	[ "${lines[3]}" = "  pc2 (wave 1): eth0=B/02:00:00:00:00:22 mem=128M" ]
	[ "${lines[4]}" = "  domain A: hub" ]
	[ "${lines[5]}" = "  domain B: switch" ]
}

@test "umk-lab check: a bad line, a cycle, a missing lab.conf are errors; a script for no device is a warning" {
	printf 'a[0]=A\nb[0]=A\nb[9]=x y\n' >"$LAB/lab.conf"
	run "$UMK_BUILD/umk-lab" check -d "$LAB"
	[ "$status" -eq 1 ]
	[ "$output" = "umk-lab: $LAB/lab.conf:3: a value with spaces must be quoted: x y" ]
	printf 'a[0]=A\nb[0]=A\n' >"$LAB/lab.conf"
	printf 'a: b\nb: a\n' >"$LAB/lab.dep"
	run "$UMK_BUILD/umk-lab" check -d "$LAB"
	[ "$status" -eq 1 ]
	[ "$output" = "umk-lab: $LAB/lab.dep: a dependency cycle: a -> b -> a" ]
	rm "$LAB/lab.dep"
	touch "$LAB/c.startup"
	run "$UMK_BUILD/umk-lab" check -d "$LAB"
	[ "$status" -eq 0 ]
	[[ "$output" == *"umk-lab: warning: $LAB/c.startup: lab.conf has no device c: not used"* ]]
	run "$UMK_BUILD/umk-lab" check -d "$LAB/nowhere"
	[ "$status" -eq 1 ]
	[ "$output" = "umk-lab: $LAB/nowhere/lab.conf: No such file or directory" ]
	run "$UMK_BUILD/umk-lab" frobnicate
	[ "$status" -eq 2 ]
}
