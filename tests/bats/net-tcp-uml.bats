#!/usr/bin/env bats
# TCP between umk and a real Linux: a umk guest and a Debian linux.uml
# guest on one umk-switch. busybox nc moves 8 MiB both ways with either
# side connecting (sha256 compared), and iperf3 runs with umk as the
# server and as the client; umk in every trap mode. The linux.uml guest
# runs a script from the test's directory (switch-lib.bash's
# build_uml_run_root: busybox, Debian's iperf3 and its libraries). A
# linux.uml that dies on its own (a panic or an abort, seen on loaded
# machines) is started again once, with a fresh umk beside it; umk's own
# failures are never retried.

load net-lib

setup() {
	net_setup
	have_uml || skip "linux.uml (user-mode-linux) or busybox-static not installed"
	build_uml_run_root
}

teardown() {
	sw_teardown
}

# guest shell code (umk): work in a private tmpfs (guests share their
# hostfs root), configure eth0 as 10.0.0.1/24
UMK_UP='mount -t tmpfs none /mnt && cd /mnt && export TMPDIR=/mnt && ip link set lo up &&
	ip addr add 10.0.0.1/24 dev eth0 && ip link set eth0 up'

# shell code: a file of 8 MiB of random data and its sum as KEY=<sha256>
make_file() {
	echo "dd if=/dev/urandom of=$1 bs=64k count=128 2>/dev/null && echo \"$2=\$(sha256sum <$1 | cut -d' ' -f1)\""
}

# shell code: the sum of file $1 as KEY=<sha256>, then the file removed
sum_file() {
	echo "echo \"$2=\$(sha256sum <$1 | cut -d' ' -f1)\" && rm $1"
}

# shell code: run CMD until it succeeds (the peer may not listen yet),
# 150 tries 0.2 s apart at most
retry() {
	echo "n=0; until $1; do n=\$((n+1)); [ \$n -gt 150 ] && exit 1; sleep 0.2; done"
}

# sum_of NAME KEY: a sha256 a guest printed as KEY=<hex>
sum_of() {
	out_field "$1" "$2" | cut -c1-64
}

uml_exit() {
	tr -d '\r' <"$T/$1.console" | sed -n 's/^UML-RUN-EXIT //p'
}

# pair K U 'UMK CODE' 'UML SCRIPT' MODE SECS: boots the linux.uml guest U
# (10.0.0.2, running the script) and the umk guest K (10.0.0.1, in trap
# mode MODE) on the switch sw, and waits up to SECS for umk to finish.
# A linux.uml that died on its own is started again once (with a new
# umk); anything else stands.
pair() {
	local k=$1 u=$2 code=$3 script=$4 mode=$5 secs=$6 try upid
	printf '%s\n' "$script" >"$T/$u.sh"
	for try in 1 2; do
		boot_uml "$u" "daemon,,unix,$T/sw.ctl" uip=10.0.0.2/24 "udir=$T" "urun=$u.sh"
		upid=${PIDS[-1]}
		boot_umk "$k" "$code" "eth0=daemon,,unix,$T/sw.ctl" mem=128M "mode=$mode"
		wait_umk "$k" "$secs"
		wait_console "$u" UML-RUN-EXIT 30 2>/dev/null || true
		if [ $try = 1 ] && grep -qE 'Kernel panic|Aborted|Segmentation fault' "$T/$u.console"; then
			echo "# the linux.uml peer $u died on its own; starting the pair again (once)" >&3
			cp "$T/$u.console" "$T/$u.console.try1"
			kill -9 -- "-$upid" 2>/dev/null || true
			continue
		fi
		break
	done
	explain "$k"
	echo "--- $u console:"
	cat "$T/$u.console"
}

@test "umk and Debian's linux.uml on umk-switch: nc moves 8 MiB each way, either side connecting, sha256 equal (every trap mode)" {
	start_switch sw
	local m k u
	for m in $UMK_MODES; do
		k=k_$m u=u_$m
		# Four transfers: uml -> umk:5000 and umk:5001 -> uml (umk
		# listens), then umk -> uml:5002 and uml:5003 -> umk (uml
		# listens). A receiving nc reads /dev/zero (which the sender
		# drops): busybox nc half-closes at the end of its input, and a
		# peer nc stops when it sees that. umk stays up 2 s after its
		# last nc, for the closing segments.
		pair "$k" "$u" "$UMK_UP && $(make_file k.bin ksrc) &&
			nc -l -p 5000 </dev/zero >g && $(sum_file g kgot1) &&
			nc -l -p 5001 <k.bin >/dev/null &&
			$(retry 'nc 10.0.0.2 5002 <k.bin >/dev/null');
			$(retry 'nc 10.0.0.2 5003 </dev/zero >g'); $(sum_file g kgot2);
			grep Tcp: /proc/net/snmp; sleep 2" \
			"$(make_file u.bin usrc) || exit 1
$(retry 'nc 10.0.0.1 5000 <u.bin >/dev/null')
$(retry 'nc 10.0.0.1 5001 </dev/zero >g')
$(sum_file g ugot1) || exit 1
nc -l -p 5002 </dev/zero >g || exit 1
$(sum_file g ugot2) || exit 1
nc -l -p 5003 <u.bin >/dev/null || exit 1
grep Tcp: /proc/net/snmp" "$m" 180
		[ "$(guest_exit "$k")" = 0 ]
		[ "$(uml_exit "$u")" = 0 ]
		[ -n "$(sum_of "$k" ksrc)" ]
		[ -n "$(sum_of "$u" usrc)" ]
		[ "$(sum_of "$u" usrc)" = "$(sum_of "$k" kgot1)" ]
		[ "$(sum_of "$k" ksrc)" = "$(sum_of "$u" ugot1)" ]
		[ "$(sum_of "$k" ksrc)" = "$(sum_of "$u" ugot2)" ]
		[ "$(sum_of "$u" usrc)" = "$(sum_of "$k" kgot2)" ]
	done
}

# iperf_result NAME head|tail: "MBYTES MBITS" of the first or the last
# receiver summary on NAME's console (iperf3 -f m)
iperf_result() {
	tr -d '\r' <"$T/$1.console" |
		sed -n 's/.* \([0-9.]*\) MBytes *\([0-9.]*\) Mbits\/sec *receiver$/\1 \2/p' | "$2" -n 1
}

# positive N...: every N is a number above 0
positive() {
	[ $# -gt 0 ] && awk 'BEGIN { for (i = 1; i < ARGC; i++) if (!(ARGV[i] + 0 > 0)) exit 1 }' "$@"
}

@test "iperf3 between umk and Debian's linux.uml: umk as server, then as client, 5 s each (every trap mode)" {
	command -v iperf3 >/dev/null || skip "iperf3 not installed on the host"
	[ -x "$UMK_TEST_ROOTFS/usr/bin/iperf3" ] || skip "no iperf3 in $UMK_TEST_ROOTFS"
	[ -x "$UML_ROOT/usr/bin/iperf3" ]
	start_switch sw
	local m k u
	for m in $UMK_MODES; do
		k=k_$m u=u_$m
		# umk serves one test to the uml client, then runs its own client
		# against the uml's server. A client retries only while nobody
		# listens yet.
		pair "$k" "$u" "$UMK_UP && iperf3 -s -1 -f m; echo \"server=\$?\";
			n=0; until iperf3 -c 10.0.0.2 -t 5 -f m >c.out 2>&1; do
				grep -q 'unable to connect' c.out || break; n=\$((n+1)); [ \$n -gt 150 ] && break; sleep 0.2; done;
			cat c.out; grep -q '^iperf Done' c.out" \
			"n=0; until iperf3 -c 10.0.0.1 -t 5 -f m >c.out 2>&1; do
	grep -q 'unable to connect' c.out || break; n=\$((n+1)); [ \$n -gt 150 ] && break; sleep 0.2; done
cat c.out
grep -q '^iperf Done' c.out || exit 1
iperf3 -s -1 -f m" "$m" 120
		[ "$(guest_exit "$k")" = 0 ]
		[ "$(out_field "$k" server)" = 0 ]
		[ "$(uml_exit "$u")" = 0 ]
		# Each direction as its client saw it: the uml client's summary
		# comes first on its console (its server's follows), umk's
		# client's last on umk's (after its server's).
		local r
		r=$(iperf_result "$u" head)
		echo "# mode=$m linux.uml -> umk: $r (MBytes Mbit/s)" >&3
		# shellcheck disable=SC2086
		positive $r
		r=$(iperf_result "$k" tail)
		echo "# mode=$m umk -> linux.uml: $r (MBytes Mbit/s)" >&3
		# shellcheck disable=SC2086
		positive $r
	done
}
