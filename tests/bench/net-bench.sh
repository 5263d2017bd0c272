#!/usr/bin/env bash
# `make bench`, guest networking: two umk guests (in each mode of
# UMK_MODES) and two Debian linux.uml guests on the same umk-switch, in
# the same run, one pair at a time:
#   ping RTT guest -> guest (ms, the average of 20 pings 0.2 s apart),
#   UDP datagrams/s guest -> guest (64-byte payloads sent as fast as the
#   sender can for 5 s, counted by the receiver: above 1 is faster),
# printed with umk/linux.uml ratios. Without linux.uml the umk rows stand
# alone (n/a beside them).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=../lib.sh
. tests/lib.sh
SW=$UMK_BUILD/umk-switch
UDPX=$UMK_BUILD/tests/net/udpx
for f in "$SW" "$UDPX" "$UMK_BIN" "$UMK_TEST_ROOTFS/tests/udpx"; do
	[ -x "$f" ] || { echo "net-bench: $f not built (make all test-rootfs)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/umk-netbench.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 -- "-$p" 2>/dev/null || kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
res=$T/results

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

# parse COLUMN SENDER-CONSOLE RECEIVER-CONSOLE
parse() {
	local avg pps
	avg=$(tr -d '\r' <"$2" | sed -n 's/^round-trip min\/avg\/max = [0-9.]*\/\([0-9.]*\)\/.*/\1/p')
	pps=$(tr -d '\r' <"$3" | sed -n 's/^received=[0-9]* pps=\([0-9]*\)$/\1/p')
	[ -n "$avg" ] && echo "ping RTT guest->guest (ms)|$1|$avg" >>"$res"
	[ -n "$pps" ] && echo "UDP 64 B datagrams/s guest->guest|$1|$pps" >>"$res"
	[ -n "$avg$pps" ] || echo "net-bench: $1: no result ($(tail -n 2 "$2" | tr '\n' ' '))" >&2
}

# --- umk pairs ---
modes=""
for mode in $UMK_MODES; do
	umk_mode_usable "$mode" 2>/dev/null || continue
	modes="$modes $mode"
	echo "net-bench: umk mode=$mode" >&2
	for g in a b; do
		if [ $g = a ]; then
			code='ip link set lo up; ip addr add 10.0.0.1/24 dev eth0; ip link set eth0 up;
				n=0; while ! ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1 && [ $n -lt 60 ]; do n=$((n+1)); done;
				ping -c 20 -i 0.2 10.0.0.2; sleep 1; udpx blast 10.0.0.2 9000 5 64'
		else
			code='ip link set lo up; ip addr add 10.0.0.2/24 dev eth0; ip link set eth0 up; udpx count 9000 5'
		fi
		setsid "$UMK_BIN" mem=64M root=/dev/root rootfstype=hostfs "hostfs=$UMK_TEST_ROOTFS" init=/bin/sh rw \
			"umid=nb-$mode-$g" "mode=$mode" "eth0=daemon,,unix,$T/sw.ctl" -- /tests/net-guest.sh "$code" \
			</dev/null >"$T/$mode.$g" 2>"$T/$mode.$g.err" &
		PIDS+=($!)
	done
	wait_for "$T/$mode.b" NET-GUEST-EXIT 90
	wait_for "$T/$mode.a" NET-GUEST-EXIT 30
	parse "$mode" "$T/$mode.a" "$T/$mode.b"
done

# --- linux.uml pair ---
uml=""
if command -v linux.uml >/dev/null && command -v busybox >/dev/null; then
	uml=linux.uml
	r=$T/umlroot
	mkdir -p "$r"/bin "$r"/proc "$r"/sys "$r"/dev "$r"/tmp
	cp "$(command -v busybox)" "$r/bin/busybox"
	for a in sh ip ping mount sleep echo poweroff; do ln -s busybox "$r/bin/$a"; done
	cp "$UDPX" "$r/udpx"
	cat >"$r/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
ip link set lo up
ip link set eth0 up
ip addr add "$uip" dev eth0
if [ "$urole" = send ]; then
	n=0
	while ! ping -c 1 -W 1 "$upeer" >/dev/null 2>&1 && [ $n -lt 60 ]; do n=$((n+1)); done
	ping -c 20 -i 0.2 "$upeer"
	sleep 1
	/udpx blast "$upeer" 9000 5 64
else
	/udpx count 9000 5
fi
echo "NET-GUEST-EXIT $?"
poweroff -f
INIT
	chmod +x "$r/init"
	echo "net-bench: linux.uml" >&2
	for g in b a; do
		if [ $g = a ]; then args=(uip=10.0.0.11/24 upeer=10.0.0.12 urole=send); else args=(uip=10.0.0.12/24 urole=count); fi
		mkdir -p "$T/uml"
		TMPDIR="$T/uml" setsid linux.uml mem=96M root=/dev/root rootfstype=hostfs rootflags="$r" rw init=/init \
			uml_dir="$T/uml" "umid=nb-uml-$g" "eth0=daemon,,unix,$T/sw.ctl" con0=fd:0,fd:1 con=null "${args[@]}" \
			</dev/null >"$T/uml.$g" 2>&1 &
		PIDS+=($!)
	done
	wait_for "$T/uml.b" NET-GUEST-EXIT 120
	wait_for "$T/uml.a" NET-GUEST-EXIT 30
	parse linux.uml "$T/uml.a" "$T/uml.b"
else
	echo "net-bench: linux.uml (user-mode-linux) or busybox-static not installed: umk rows only" >&2
fi

# --- table ---
echo
awk -F'|' -v modes="$modes" -v uml="$uml" '
	BEGIN { nm = split(modes, M, " ") }
	{ if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } v[$1, $2] = $3 }
	END {
		printf "%-36s %10s", "guest networking", "linux.uml"
		for (i = 1; i <= nm; i++) printf " %10s", M[i]
		for (i = 1; i <= nm; i++) printf " %14s", M[i] "/linux.uml"
		printf "\n"
		for (k = 1; k <= n; k++) {
			m = order[k]
			printf "%-36s %10s", m, ((m, "linux.uml") in v) ? v[m, "linux.uml"] : "n/a"
			for (i = 1; i <= nm; i++) printf " %10s", ((m, M[i]) in v) ? v[m, M[i]] : "n/a"
			for (i = 1; i <= nm; i++) {
				r = "n/a"
				if (((m, M[i]) in v) && ((m, "linux.uml") in v) && v[m, "linux.uml"] + 0 > 0)
					r = sprintf("%.2fx", v[m, M[i]] / v[m, "linux.uml"])
				printf " %14s", r
			}
			printf "\n"
		}
	}' "$res"
