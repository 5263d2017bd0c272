#!/usr/bin/env bash
# `make bench`, guest networking: two umk guests (in each mode of
# UMK_MODES) and two Debian linux.uml guests on the same umk-switch, in
# the same run, one pair at a time:
#   ping RTT guest -> guest (ms, the average of 20 pings 0.2 s apart),
#   UDP datagrams/s guest -> guest (64-byte payloads sent as fast as the
#   sender can for 5 s, counted by the receiver: above 1 is faster),
#   TCP throughput guest -> guest (Mbit/s, iperf3 for 10 s, as its
#   receiver counted it),
#   TCP connections/s guest -> guest (tests/net/tcpcc for 5 s: connect,
#   the server's FIN, close),
# then, inside one guest (the sending one, after the above), the same
# over lo: iperf3 -c 127.0.0.1 for 10 s and tcpcc for 5 s, beside the
# same two on the host (native); and, when /dev/net/tun and network
# namespaces are usable (root), TCP between the host and one guest on a
# tap (iperf3 for 10 s each way, the host's end in a namespace of its
# own). Printed as two tables: guest networking with umk/linux.uml
# ratios, and lo inside one guest with ratios to native. Without
# linux.uml the umk rows stand alone (n/a beside them).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=../lib.sh
. tests/lib.sh
SW=$UMK_BUILD/umk-switch
UMKNET=$UMK_BUILD/umk-net
UDPX=$UMK_BUILD/tests/net/udpx
TCPCC=$UMK_BUILD/tests/net/tcpcc
for f in "$SW" "$UDPX" "$TCPCC" "$UMK_BIN" "$UMK_TEST_ROOTFS/tests/udpx" "$UMK_TEST_ROOTFS/tests/tcpcc"; do
	[ -x "$f" ] || { echo "net-bench: $f not built (make all test-rootfs)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/umk-netbench.XXXXXX)
PIDS=()
NETNS=""
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 -- "-$p" 2>/dev/null || kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
res=$T/results # lines: table|metric|column|value

"$SW" -unix "$T/sw.ctl" </dev/null >/dev/null 2>"$T/sw.log" &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$T/sw.ctl.status" ] && break; sleep 0.1; done

# wait_for FILE PATTERN SECS
wait_for() {
	local i
	for i in $(seq $(($3 * 10))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# The guests' side, shell functions the same for umk (passed as init's
# code) and linux.uml (a file in its root). ME, PEER: addresses.
#   ipf KEY ARGS...: an iperf3 client (again while nobody listens yet);
#     its output, then KEY=<Mbit/s its receiver counted>
#   sender / receiver: the guest -> guest pair; sender ends with lo_tests
#   tap_client: TCP both ways with the host's iperf3 server at PEER
GUEST_FUNCS='
ipf() {
	k=$1; shift; n=0
	until iperf3 "$@" -f m >ipf.out 2>&1; do
		grep -q "unable to connect" ipf.out || break
		n=$((n+1)); [ $n -gt 150 ] && break; sleep 0.2
	done
	cat ipf.out
	sed -n "s/.* \([0-9.]*\) Mbits\/sec *receiver\$/$k=\1/p" ipf.out
}
ifup() { ip link set lo up; ip addr add $ME/24 dev eth0; ip link set eth0 up; }
waitpeer() { n=0; while ! ping -c 1 -W 1 $PEER >/dev/null 2>&1 && [ $n -lt 60 ]; do n=$((n+1)); done; }
lo_tests() {
	iperf3 -s -1 -D
	ipf tcp_lo -c 127.0.0.1 -t 10
	tcpcc serve 9002 2 >/dev/null &
	tcpcc conn 127.0.0.1 9002 5 | sed "s/.*cps=/lo_cps=/"
	wait
}
sender() {
	ifup; waitpeer
	ping -c 20 -i 0.2 $PEER; sleep 1; udpx blast $PEER 9000 5 64
	ipf tcp_g2g -c $PEER -t 10
	tcpcc conn $PEER 9001 5 | sed "s/.*cps=/g2g_cps=/"
	lo_tests
}
receiver() { ifup; udpx count 9000 5; iperf3 -s -1 >/dev/null; tcpcc serve 9001 3; }
tap_client() {
	ifup; waitpeer
	ipf tap_g2h -c $PEER -t 10
	ipf tap_h2g -c $PEER -t 10 -R
}
'
# umk guests: a private tmpfs for iperf3's files (the root is shared)
UMK_PRE='mount -t tmpfs none /mnt && cd /mnt && export TMPDIR=/mnt'

# parse COLUMN SENDER-CONSOLE RECEIVER-CONSOLE
parse() {
	local avg pps v k row
	avg=$(tr -d '\r' <"$2" | sed -n 's/^round-trip min\/avg\/max = [0-9.]*\/\([0-9.]*\)\/.*/\1/p')
	pps=$(tr -d '\r' <"$3" | sed -n 's/^received=[0-9]* pps=\([0-9]*\)$/\1/p')
	[ -n "$avg" ] && echo "g|ping RTT guest->guest (ms)|$1|$avg" >>"$res"
	[ -n "$pps" ] && echo "g|UDP 64 B datagrams/s guest->guest|$1|$pps" >>"$res"
	for k in tcp_g2g g2g_cps tcp_lo lo_cps; do
		v=$(tr -d '\r' <"$2" | sed -n "s/^$k=\([0-9.]*\)$/\1/p" | tail -n 1)
		case $k in
		tcp_g2g) row="g|TCP iperf3 guest->guest (Mbit/s)" ;;
		g2g_cps) row="g|TCP connect+close/s guest->guest" ;;
		tcp_lo) row="l|TCP iperf3 over lo (Mbit/s)" ;;
		lo_cps) row="l|TCP connect+close/s over lo" ;;
		esac
		if [ -n "$v" ]; then echo "$row|$1|$v" >>"$res"; else echo "net-bench: $1: no ${row#*|}" >&2; fi
	done
	[ -n "$avg$pps" ] || echo "net-bench: $1: no result ($(tail -n 2 "$2" | tr '\n' ' '))" >&2
}

# parse_tap COLUMN CONSOLE
parse_tap() {
	local v
	v=$(tr -d '\r' <"$2" | sed -n 's/^tap_g2h=\([0-9.]*\)$/\1/p')
	[ -n "$v" ] && echo "g|TCP iperf3 guest->host, tap (Mbit/s)|$1|$v" >>"$res"
	v=$(tr -d '\r' <"$2" | sed -n 's/^tap_h2g=\([0-9.]*\)$/\1/p')
	[ -n "$v" ] && echo "g|TCP iperf3 host->guest, tap (Mbit/s)|$1|$v" >>"$res"
	[ -n "$v" ] || echo "net-bench: $1: no tap result ($(tail -n 2 "$2" | tr '\n' ' '))" >&2
}

# --- umk pairs ---
modes=""
for mode in $UMK_MODES; do
	umk_mode_usable "$mode" 2>/dev/null || continue
	modes="$modes $mode"
	echo "net-bench: umk mode=$mode" >&2
	for g in b a; do
		if [ $g = a ]; then role="ME=10.0.0.1 PEER=10.0.0.2; sender"; else role="ME=10.0.0.2; receiver"; fi
		setsid "$UMK_BIN" mem=128M root=/dev/root rootfstype=hostfs "hostfs=$UMK_TEST_ROOTFS" init=/bin/sh rw \
			"umid=nb-$mode-$g" "mode=$mode" "eth0=daemon,,unix,$T/sw.ctl" -- /tests/net-guest.sh \
			"$UMK_PRE; $GUEST_FUNCS $role" </dev/null >"$T/$mode.$g" 2>"$T/$mode.$g.err" &
		PIDS+=($!)
	done
	wait_for "$T/$mode.b" NET-GUEST-EXIT 180
	wait_for "$T/$mode.a" NET-GUEST-EXIT 60
	parse "$mode" "$T/$mode.a" "$T/$mode.b"
done

# --- linux.uml pair ---
uml=""
if command -v linux.uml >/dev/null && command -v busybox >/dev/null; then
	uml=linux.uml
	r=$T/umlroot
	mkdir -p "$r"/bin "$r"/usr/bin "$r"/proc "$r"/sys "$r"/dev "$r"/tmp "$r"/lib/x86_64-linux-gnu "$r"/lib64
	cp "$(command -v busybox)" "$r/bin/busybox"
	for a in $("$r/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
	cp "$UDPX" "$TCPCC" "$r/bin/"
	# Debian's iperf3 with its libraries (rootfs/host-programs.sh's copy_prog)
	(
		cd "$r" || exit 1
		missing=""
		ndeb=0
		. "$top/rootfs/host-programs.sh"
		copy_prog usr/bin iperf3
		cp -L /lib64/ld-linux-x86-64.so.2 lib64/
		[ -z "$missing" ] || echo "net-bench: not on the host:$missing" >&2
	)
	printf '%s\n' "$GUEST_FUNCS" >"$r/funcs.sh"
	# urole=sender|receiver|tap_client, ume=, upeer= (init's environment)
	cat >"$r/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t tmpfs tmpfs /tmp
cd /tmp
export TMPDIR=/tmp
. /funcs.sh
ME=$ume PEER=$upeer
$urole
echo "NET-GUEST-EXIT $?"
poweroff -f
INIT
	chmod +x "$r/init"
	echo "net-bench: linux.uml" >&2
	# boot_uml NAME NETSPEC ARGS...
	boot_uml() {
		local name=$1 net=$2
		shift 2
		mkdir -p "$T/uml"
		TMPDIR="$T/uml" setsid ${NS_EXEC:-} linux.uml mem=128M root=/dev/root rootfstype=hostfs rootflags="$r" rw \
			init=/init uml_dir="$T/uml" "umid=nb-uml-$name" "eth0=$net" con0=fd:0,fd:1 con=null "$@" \
			</dev/null >"$T/uml.$name" 2>&1 &
		PIDS+=($!)
	}
	boot_uml b "daemon,,unix,$T/sw.ctl" ume=10.0.0.12 urole=receiver
	boot_uml a "daemon,,unix,$T/sw.ctl" ume=10.0.0.11 upeer=10.0.0.12 urole=sender
	wait_for "$T/uml.b" NET-GUEST-EXIT 180
	wait_for "$T/uml.a" NET-GUEST-EXIT 60
	parse linux.uml "$T/uml.a" "$T/uml.b"
else
	echo "net-bench: linux.uml (user-mode-linux) or busybox-static not installed: umk rows only" >&2
fi

# --- native: lo on the host ---
if command -v iperf3 >/dev/null; then
	echo "net-bench: native lo" >&2
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
	PIDS+=($!)
	n=0
	until iperf3 -c 127.0.0.1 -p "$port" -t 10 -f m >"$T/native.lo" 2>&1; do
		grep -q "unable to connect" "$T/native.lo" || break
		n=$((n + 1)); [ $n -gt 50 ] && break; sleep 0.2
	done
	v=$(sed -n 's/.* \([0-9.]*\) Mbits\/sec *receiver$/\1/p' "$T/native.lo")
	[ -n "$v" ] && echo "l|TCP iperf3 over lo (Mbit/s)|native|$v" >>"$res"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$TCPCC" serve "$port" 2 >/dev/null &
	v=$("$TCPCC" conn 127.0.0.1 "$port" 5 | sed -n 's/.*cps=//p')
	wait $! 2>/dev/null
	[ -n "$v" ] && echo "l|TCP connect+close/s over lo|native|$v" >>"$res"
fi

# --- host <-> guest on a tap (root, /dev/net/tun, a network namespace) ---
tap_skip=""
if [ "$(id -u)" -ne 0 ]; then
	tap_skip="not root"
elif ! [ -c /dev/net/tun ]; then
	tap_skip="no /dev/net/tun"
elif ! command -v iperf3 >/dev/null || ! [ -x "$UMKNET" ]; then
	tap_skip="no iperf3 or $UMKNET on the host"
elif ! ip netns add "umk-nb-$$" 2>/dev/null; then
	tap_skip="cannot create a network namespace"
else
	NETNS="umk-nb-$$"
	NS_EXEC="ip netns exec $NETNS"
	if ! $NS_EXEC "$UMKNET" create -t umknb0 -a 10.98.0.1/24 >/dev/null 2>"$T/umknet.err"; then
		tap_skip="umk-net create failed: $(head -n 1 "$T/umknet.err")"
	fi
fi
if [ -n "$tap_skip" ]; then
	echo "net-bench: TCP host<->guest over a tap skipped: $tap_skip" >&2
else
	$NS_EXEC iperf3 -s >/dev/null 2>&1 &
	PIDS+=($!)
	# A fresh tap for each guest: umk's card leaves its receive filter
	# (TUNSETTXFILTER, its own MAC) on the tap when it closes, so a
	# guest with another MAC would get no unicast frames on it after.
	fresh_tap() {
		$NS_EXEC "$UMKNET" destroy umknb0 2>/dev/null
		$NS_EXEC "$UMKNET" create -t umknb0 -a 10.98.0.1/24 >/dev/null
	}
	for mode in $modes; do
		echo "net-bench: tap, umk mode=$mode" >&2
		fresh_tap
		setsid $NS_EXEC "$UMK_BIN" mem=128M root=/dev/root rootfstype=hostfs "hostfs=$UMK_TEST_ROOTFS" init=/bin/sh rw \
			"umid=nb-$mode-t" "mode=$mode" eth0=tuntap,umknb0 -- /tests/net-guest.sh \
			"$UMK_PRE; $GUEST_FUNCS ME=10.98.0.2 PEER=10.98.0.1; tap_client" </dev/null >"$T/$mode.t" 2>"$T/$mode.t.err" &
		PIDS+=($!)
		wait_for "$T/$mode.t" NET-GUEST-EXIT 90
		parse_tap "$mode" "$T/$mode.t"
		# the tap takes one user at a time: wait for this guest to let go
		pid=${PIDS[-1]}
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 -- "-$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ -n "$uml" ]; then
		echo "net-bench: tap, linux.uml" >&2
		fresh_tap
		boot_uml t tuntap,umknb0 ume=10.98.0.2 upeer=10.98.0.1 urole=tap_client
		wait_for "$T/uml.t" NET-GUEST-EXIT 120
		parse_tap linux.uml "$T/uml.t"
	fi
fi

# --- tables ---
# table ID TITLE REFERENCE COLUMNS...: rows of table ID, a column for
# each of COLUMNS, then each one's ratio to REFERENCE
table() {
	local id=$1 title=$2 ref=$3
	shift 3
	awk -F'|' -v id="$id" -v title="$title" -v ref="$ref" -v cols="$*" '
		BEGIN { nc = split(cols, C, " ") }
		$1 == id { if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } v[$2, $3] = $4 }
		END {
			printf "%-38s", title
			for (i = 1; i <= nc; i++) printf " %10s", C[i]
			for (i = 1; i <= nc; i++) if (C[i] != ref) printf " %16s", C[i] "/" ref
			printf "\n"
			for (k = 1; k <= n; k++) {
				m = order[k]
				printf "%-38s", m
				for (i = 1; i <= nc; i++) printf " %10s", ((m, C[i]) in v) ? v[m, C[i]] : "n/a"
				for (i = 1; i <= nc; i++) {
					if (C[i] == ref)
						continue
					r = "n/a"
					if (((m, C[i]) in v) && ((m, ref) in v) && v[m, ref] + 0 > 0)
						r = sprintf("%.2fx", v[m, C[i]] / v[m, ref])
					printf " %16s", r
				}
				printf "\n"
			}
		}' "$res"
}
echo
# shellcheck disable=SC2086
table g "guest networking" linux.uml linux.uml $modes
echo
# shellcheck disable=SC2086
table l "lo inside one guest" native native linux.uml $modes
