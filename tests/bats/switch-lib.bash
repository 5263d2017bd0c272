# Shared helpers for the switch*.bats tests: start/stop switches and peers,
# build a tiny busybox hostfs root, boot Debian's linux.uml guests on it.
# Everything a test starts is recorded and killed in teardown.

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SW="${UMK_SWITCH:-$ROOT_DIR/build/umk-switch}" # UMK_SWITCH: e.g. the ASan build
PEER="$ROOT_DIR/build/umk-switch-peer"
UMKNET="$ROOT_DIR/build/umk-net"

sw_setup() {
	[ -x "$SW" ] && [ -x "$PEER" ] || skip "build first: make build/umk-switch build/umk-switch-peer"
	# Short path: unix socket names are limited to 107 bytes.
	T="$(mktemp -d /tmp/umk-sw.XXXXXX)"
	PIDS=()
}

sw_teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		# Guests run in their own process group: take the whole group.
		kill -9 -- "-$p" 2>/dev/null || true
		kill -9 "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	[ -n "${NETNS:-}" ] && ip netns del "$NETNS" 2>/dev/null
	[ -n "${T:-}" ] && rm -rf "$T"
	return 0
}

# wait_for CMD...: retry for up to 5 s.
wait_for() {
	local i
	for i in $(seq 50); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# start_switch NAME [args...]: umk-switch on $T/NAME.ctl, log in $T/NAME.log.
start_switch() {
	local name=$1
	shift
	$SW_PREFIX "$SW" -unix "$T/$name.ctl" "$@" </dev/null >"$T/$name.out" 2>"$T/$name.log" &
	PIDS+=($!)
	eval "PID_$name=$!"
	wait_for test -S "$T/$name.ctl.status" || { cat "$T/$name.log" >&2; return 1; }
}

# start_switch_dir NAME [args...]: the vde_switch layout (-sock $T/NAME),
# with $T/NAME.ctl(.status) links so the helpers above work unchanged.
start_switch_dir() {
	local name=$1
	shift
	$SW_PREFIX "$SW" -sock "$T/$name" "$@" </dev/null >"$T/$name.out" 2>"$T/$name.log" &
	PIDS+=($!)
	eval "PID_$name=$!"
	wait_for test -S "$T/$name/status" || { cat "$T/$name.log" >&2; return 1; }
	ln -s "$T/$name/ctl" "$T/$name.ctl"
	ln -s "$T/$name/status" "$T/$name.ctl.status"
}

# start_peer OUTFILE args...: a background peer; waits for its "ready".
start_peer() {
	local out=$1
	shift
	$SW_PREFIX "$PEER" "$@" >"$out" 2>&1 &
	PIDS+=($!)
	LAST_PEER=$!
	wait_for grep -q ready "$out"
}

status_of() {
	"$SW" --status "$T/$1.ctl" "${@:2}"
}

# field KEY: from the last line of a peer's output, e.g. received=123
field() {
	tail -n 1 "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

alive() {
	kill -0 "$1" 2>/dev/null
}

# --- linux.uml guests -------------------------------------------------------

have_uml() {
	command -v linux.uml >/dev/null && command -v busybox >/dev/null
}

# A hostfs root holding only busybox and an init driven by the kernel
# command line: uip=ADDR/PLEN, uping=ADDR, ucount=N, uint=SECS, uwait=SECS.
# Built once per version of the init script into its own directory (and
# moved into place whole), so guests of a concurrent run never see it
# half-built or removed.
UML_INIT=$(cat <<'INIT'
#!/bin/sh
mount -t proc proc /proc
# Unknown key=value kernel parameters arrive as init's environment.
ip link set lo up
ip link set eth0 up
ip addr add "$uip" dev eth0
echo "UMK-GUEST-UP $uip"
if [ -n "$uping" ]; then
	# Wait until the peer answers once (it may still be booting).
	n=0
	while ! ping -c 1 -W 1 "$uping" >/dev/null 2>&1 && [ $n -lt 30 ]; do n=$((n+1)); done
	ping -c "${ucount:-5}" -i "${uint:-1}" -W 2 "$uping"
	echo "UMK-PING-DONE"
fi
[ -n "$uwait" ] && sleep "$uwait"
poweroff -f
INIT
)
build_uml_root() {
	local sum
	sum=$(printf '%s' "$UML_INIT" | md5sum | cut -c1-12)
	UML_ROOT="$ROOT_DIR/build/switch-uml-root-$sum"
	export UML_ROOT
	[ -x "$UML_ROOT/init" ] && return 0
	local r="$UML_ROOT.tmp.$$" a
	rm -rf "$r"
	mkdir -p "$r"/bin "$r"/proc "$r"/sys "$r"/dev "$r"/tmp "$r"/etc
	cp "$(command -v busybox)" "$r/bin/busybox"
	for a in sh ip ping mount sleep cat sed echo poweroff grep; do
		ln -sf busybox "$r/bin/$a"
	done
	printf '%s\n' "$UML_INIT" >"$r/init"
	chmod +x "$r/init"
	mv -T "$r" "$UML_ROOT" 2>/dev/null || rm -rf "$r" # another run won the race
}

# A second linux.uml root for TCP work (net-tcp-uml.bats, net-bench.sh):
# every busybox applet, Debian's iperf3 with its shared libraries (the
# ldd closure, copied as rootfs/host-programs.sh does for umk's image),
# and an init that configures eth0 (uip=ADDR/PLEN), mounts the host
# directory udir= on /host and runs the script /host/$urun in a private
# tmpfs (/dev: Debian's kernel mounts devtmpfs itself), then prints
# "UML-RUN-EXIT <status>" and powers off. The scripts
# live in the test's own directory: the root itself is shared.
UML_RUN_INIT=$(cat <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
ip link set lo up
ip link set eth0 up
ip addr add "$uip" dev eth0
echo "UMK-GUEST-UP $uip"
mount -t hostfs none /host -o "$udir"
cd /tmp
TMPDIR=/tmp sh "/host/$urun"
echo "UML-RUN-EXIT $?"
poweroff -f
INIT
)
build_uml_run_root() {
	local sum
	sum=$( (printf '%s' "$UML_RUN_INIT"; declare -f build_uml_run_root; md5sum </usr/bin/iperf3 2>/dev/null) | md5sum | cut -c1-12)
	UML_ROOT="$ROOT_DIR/build/uml-run-root-$sum"
	export UML_ROOT
	[ -x "$UML_ROOT/init" ] && return 0
	local r="$UML_ROOT.tmp.$$" a
	rm -rf "$r"
	mkdir -p "$r"/bin "$r"/sbin "$r"/usr/bin "$r"/proc "$r"/sys "$r"/dev "$r"/tmp "$r"/etc "$r"/host \
		"$r"/lib/x86_64-linux-gnu "$r"/lib64
	cp "$(command -v busybox)" "$r/bin/busybox"
	for a in $("$r/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
	done
	# copy_prog (rootfs/host-programs.sh) works in the root's directory
	(
		cd "$r" || exit 1
		missing=""
		ndeb=0
		. "$ROOT_DIR/rootfs/host-programs.sh"
		copy_prog usr/bin iperf3
		cp -L /lib64/ld-linux-x86-64.so.2 lib64/
		[ -z "$missing" ] || echo "build_uml_run_root: not on the host:$missing" >&2
	)
	printf '%s\n' "$UML_RUN_INIT" >"$r/init"
	chmod +x "$r/init"
	mv -T "$r" "$UML_ROOT" 2>/dev/null || rm -rf "$r" # another run won the race
}

# boot_uml NAME NETSPEC KERNEL-ARGS...: start a guest in the background,
# console in $T/NAME.console. NETSPEC is the eth0= value.
boot_uml() {
	local name=$1 net=$2
	shift 2
	mkdir -p "$T/uml"
	# 96M: at 48M Debian's linux.uml ran out of memory and aborted on a
	# loaded host (seen in CI runs)
	TMPDIR="$T/uml" setsid $SW_PREFIX linux.uml mem=96M root=/dev/root rootfstype=hostfs \
		rootflags="$UML_ROOT" rw init=/init uml_dir="$T/uml" umid="$name" \
		eth0="$net" con0=fd:0,fd:1 con=null "$@" </dev/null >"$T/$name.console" 2>&1 &
	PIDS+=($!)
}

# wait_console NAME PATTERN [SECS]
wait_console() {
	local i
	for i in $(seq $((${3:-60} * 10))); do
		grep -q "$2" "$T/$1.console" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "--- $1 console:" >&2
	tail -n 20 "$T/$1.console" >&2
	return 1
}

# "N packets transmitted, M packets received" -> "N M"
ping_counts() {
	sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) packets received.*/\1 \2/p' "$T/$1.console"
}

# round-trip min/avg/max = a/b/c ms -> "b"
ping_avg() {
	sed -n 's/^round-trip min\/avg\/max = [0-9.]*\/\([0-9.]*\)\/.*/\1/p' "$T/$1.console"
}
