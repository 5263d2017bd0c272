#!/usr/bin/env bash
# `make bench`: the same measurements natively and under umk in every
# mode of UMK_MODES, printed as one table with umk/native ratios.
#   getppid round trip (ns), fork+exit+wait (us), fork+execve+wait (us),
#   page-fault cost (us/page, 64 MiB anonymous), thread create+join (us),
#   futex wake round trip between two threads (us), pipe throughput to a
#   child process (MB/s: there a ratio above 1 means umk is faster),
#   epoll_wait with one ready fd (us), boot to init and boot to poweroff
#   (ms, measured on the host from launching umk), host CPU used by an
#   idle guest over 10 s (s, user+sys of umk and its children), and the
#   disk: sequential write and read of a 64 MiB file (MB/s; above 1 is
#   faster than native) and small-file create+stat+unlink (us), natively
#   on the host filesystem and in umk on an ext4 root (image + COW file).
# Then the switch (tests/bench/switch-bench.sh) and guest networking
# (tests/bench/net-bench.sh: ping RTT, UDP datagrams/s, TCP throughput
# and TCP connections/s guest to guest through umk-switch, umk beside
# Debian's linux.uml, with ratios; TCP over lo in one guest beside the
# host's; TCP between the host and a guest on a tap when root).
# A benchmark the kernel cannot run yet (e.g. epoll before it exists)
# shows n/a: each of the thread/futex/pipe/epoll ones runs in its own
# boot under a guest-side and a host-side timeout, so a failure or a hang
# costs that row only.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=../lib.sh
. tests/lib.sh
UMK_MEM=${UMK_BENCH_MEM:-256M}
UMK_TIMEOUT=${UMK_BENCH_TIMEOUT:-180}
# Seconds for one of the single-benchmark boots (thread, futex, pipe, epoll).
ONE_TIMEOUT=${UMK_BENCH_ONE_TIMEOUT:-60}
NEW_BENCHES="thread futex pipe epoll"
IDLE_SECS=${IDLE_SECS:-10}

UBENCH=$UMK_BUILD/tests/bench/ubench
DISKBENCH=$UMK_BUILD/tests/bench/diskbench
[ -x "$DISKBENCH" ] || { echo "bench: $DISKBENCH not built (make bench)" >&2; exit 1; }
[ -x "$UBENCH" ] || { echo "bench: $UBENCH not built (make bench)" >&2; exit 1; }
[ -x "$UMK_ROOTFS/bin/busybox" ] || { echo "bench: $UMK_ROOTFS not built (make rootfs)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/umk-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
res=$work/results # lines: metric column value

# The guest root: default rootfs plus /bench.
root=$UMK_BUILD/bench-rootfs
rm -rf "$root"
cp -a "$UMK_ROOTFS" "$root"
mkdir -p "$root/bench"
cp "$UBENCH" "$root/bench/ubench"
cat >"$root/bench/micro.sh" <<'X'
echo "=== BENCH-BEGIN"
/bench/ubench base
echo "=== BENCH-END"
poweroff -f
X
cat >"$root/bench/one.sh" <<'X'
echo "=== BENCH-BEGIN"
timeout -s KILL 30 /bench/ubench "$1" || echo "$1 failed: status $?"
echo "=== BENCH-END"
poweroff -f
X
cat >"$root/bench/marker.sh" <<'X'
echo "=== BENCH-INIT"
poweroff -f
X
cat >"$root/bench/idle.sh" <<X
sleep $IDLE_SECS
echo "=== BENCH-IDLE-DONE"
poweroff -f
X

cp "$DISKBENCH" "$root/bench/diskbench"
cat >"$root/bench/disk.sh" <<'X'
echo "=== BENCH-BEGIN"
/bench/diskbench /root
echo "=== BENCH-END"
poweroff -f
X
# The same tree as an ext4 image (room for the 64 MiB test file).
UMK_IMAGE_HEADROOM_MB=192 sh rootfs/build-image.sh "$root" "$work/bench.ext4" >/dev/null

record() { echo "$1|$2|$3" >>"$res"; }

# micro COLUMN CMD...: runs ubench output through to results
micro_parse() {
	local col=$1 file=$2
	awk -v c="$col" '
		$2 !~ /^[0-9.]+$/ { next }
		/^getppid / { print "getppid round trip (ns)|" c "|" $2 }
		/^fork\+exit\+wait / { print "fork+exit+wait (us)|" c "|" $2 }
		/^fork\+execve\+wait / { print "fork+execve+wait (us)|" c "|" $2 }
		/^pagefault / { print "page fault, 64 MiB anon (us/page)|" c "|" $2 }
		/^thread / { print "thread create+join (us)|" c "|" $2 }
		/^futex / { print "futex wake round trip (us)|" c "|" $2 }
		/^pipe / { print "pipe throughput (MB/s)|" c "|" $2 }
		/^epoll / { print "epoll_wait, one ready fd (us)|" c "|" $2 }
		/^seqwrite / { print "file write 64 MiB + fsync (MB/s)|" c "|" $2 }
		/^seqread / { print "file read 64 MiB (MB/s)|" c "|" $2 }
		/^smallfile / { print "small file create+stat+unlink (us)|" c "|" $2 }
	' "$file" >>"$res"
	grep -E '^[a-z]+ failed' "$file" | sed "s/^/bench: $col: /" >&2
	true
}

ms_now() { echo $(($(date +%s%N) / 1000000)); }

# --- native ---
echo "bench: native" >&2
(cd / && "$UBENCH" all) >"$work/native.micro" 2>&1
micro_parse native "$work/native.micro"
t0=$(ms_now)
"$root/bin/busybox" sh -c 'echo "=== BENCH-INIT"' >/dev/null
t1=$(ms_now)
record "boot to init (ms)" native "$((t1 - t0))"
record "boot to poweroff (ms)" native "$((t1 - t0))"
mkdir -p "$work/native-disk"
"$DISKBENCH" "$work/native-disk" >"$work/native.disk" 2>&1
micro_parse native "$work/native.disk"
/usr/bin/time -f '%U %S' -o "$work/native.time" sleep "$IDLE_SECS"
record "idle guest ${IDLE_SECS}s, host CPU (s)" native "$(awk '{ printf "%.2f", $1 + $2 }' "$work/native.time")"

# --- umk, per mode ---
modes=""
for mode in $UMK_MODES; do
	modes="$modes $mode"
	if [ ! -x "$UMK_BIN" ]; then
		echo "bench: $UMK_BIN not built: mode=$mode skipped" >&2
		continue
	fi
	echo "bench: umk mode=$mode" >&2
	umk_cmdline "$mode" "$root" /bin/sh /bench/micro.sh
	umk_run_timeout "$UMK_TIMEOUT" "$work/$mode.micro.raw" "$work/$mode.micro.err" "${UMK_ARGV[@]}"
	tr -d '\r' <"$work/$mode.micro.raw" | sed -n '/^=== BENCH-BEGIN/,/^=== BENCH-END/p' >"$work/$mode.micro"
	micro_parse "$mode" "$work/$mode.micro"
	[ -s "$work/$mode.micro" ] || echo "bench: mode=$mode: micro benchmarks failed (status $UMK_STATUS): $(tail -n 3 "$work/$mode.micro.err" | tr '\n' ' ')" >&2

	# thread, futex, pipe, epoll: one boot each
	for b in $NEW_BENCHES; do
		umk_cmdline "$mode" "$root" /bin/sh /bench/one.sh "$b"
		umk_run_timeout "$ONE_TIMEOUT" "$work/$mode.$b.raw" "$work/$mode.$b.err" "${UMK_ARGV[@]}"
		tr -d '\r' <"$work/$mode.$b.raw" | sed -n '/^=== BENCH-BEGIN/,/^=== BENCH-END/p' >"$work/$mode.$b"
		micro_parse "$mode" "$work/$mode.$b"
		grep -q "^$b [0-9.]* " "$work/$mode.$b" ||
			echo "bench: mode=$mode: $b: n/a (umk status $UMK_STATUS)" >&2
	done

	# the disk, with / on the ext4 image through a fresh COW file
	rm -f "$work/bench.cow"
	UMK_ROOT_UBD="$work/bench.cow,$work/bench.ext4" umk_cmdline "$mode" "$root" /bin/sh /bench/disk.sh
	umk_run_timeout "$ONE_TIMEOUT" "$work/$mode.disk.raw" "$work/$mode.disk.err" "${UMK_ARGV[@]}"
	tr -d '\r' <"$work/$mode.disk.raw" | sed -n '/^=== BENCH-BEGIN/,/^=== BENCH-END/p' >"$work/$mode.disk"
	micro_parse "$mode" "$work/$mode.disk"
	grep -q "^smallfile [0-9.]* " "$work/$mode.disk" ||
		echo "bench: mode=$mode: disk: n/a (umk status $UMK_STATUS)" >&2
	rm -f "$work/bench.cow"

	# boot to init / to poweroff, timed on the host as the console output streams
	umk_cmdline "$mode" "$root" /bin/sh /bench/marker.sh
	t0=$(ms_now)
	tinit=""
	while IFS= read -r line; do
		case $line in
		"=== BENCH-INIT"*) tinit=$(ms_now) ;;
		esac
	done < <(timeout -k 5 "$UMK_TIMEOUT" "${UMK_ARGV[@]}" </dev/null 2>"$work/$mode.boot.err")
	wait $! 2>/dev/null
	t1=$(ms_now)
	if [ -n "$tinit" ]; then
		record "boot to init (ms)" "$mode" "$((tinit - t0))"
		record "boot to poweroff (ms)" "$mode" "$((t1 - t0))"
	fi

	# idle guest
	umk_cmdline "$mode" "$root" /bin/sh /bench/idle.sh
	umk_run_timeout "$UMK_TIMEOUT" "$work/$mode.idle.out" "$work/$mode.idle.err" \
		/usr/bin/time -f '%U %S' -o "$work/$mode.time" "${UMK_ARGV[@]}"
	if grep -q "BENCH-IDLE-DONE" "$work/$mode.idle.out" && [ -s "$work/$mode.time" ]; then
		record "idle guest ${IDLE_SECS}s, host CPU (s)" "$mode" "$(tail -n 1 "$work/$mode.time" | awk '{ printf "%.2f", $1 + $2 }')"
	fi
done

# --- table ---
echo
awk -F'|' -v modes="$modes" '
	BEGIN { nm = split(modes, M, " ") }
	{ if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } v[$1, $2] = $3 }
	END {
		printf "%-36s %10s", "metric", "native"
		for (i = 1; i <= nm; i++) printf " %10s", M[i]
		for (i = 1; i <= nm; i++) printf " %12s", M[i] "/native"
		printf "\n"
		for (k = 1; k <= n; k++) {
			m = order[k]
			printf "%-36s %10s", m, ((m, "native") in v) ? v[m, "native"] : "n/a"
			for (i = 1; i <= nm; i++) printf " %10s", ((m, M[i]) in v) ? v[m, M[i]] : "n/a"
			for (i = 1; i <= nm; i++) {
				r = "n/a"
				if (((m, M[i]) in v) && ((m, "native") in v) && v[m, "native"] + 0 > 0)
					r = sprintf("%.1fx", v[m, M[i]] / v[m, "native"])
				printf " %12s", r
			}
			printf "\n"
		}
	}' "$res"

# The host-side network helpers: frames through umk-switch vs uml_switch.
if [ -x build/umk-switch ]; then
	echo
	bash tests/bench/switch-bench.sh 50000
fi

# Guest networking: umk guests beside Debian's linux.uml on one umk-switch.
if [ -x build/umk-switch ] && [ -x "$UMK_TEST_ROOTFS/tests/udpx" ]; then
	echo
	bash tests/bench/net-bench.sh
fi
