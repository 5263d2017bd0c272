# Shared helpers for umk's bats tests (and tests/bench/run.sh).
# shellcheck shell=bash

# The trap modes every guest test runs in. This is the one place to add a
# mode (e.g. "tt skas seccomp"); UMK_MODES in the environment overrides it.
UMK_ALL_MODES="tt skas seccomp"
UMK_MODES=${UMK_MODES:-$UMK_ALL_MODES}

UMK_TOP=${UMK_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
UMK_BUILD=$UMK_TOP/build
UMK_BIN=${UMK_BIN:-$UMK_BUILD/umk}
UMK_ROOTFS=$UMK_BUILD/rootfs-dir
UMK_TEST_ROOTFS=$UMK_BUILD/test-rootfs
UMK_GUEST_BIN=$UMK_BUILD/tests/guest
UMK_GUEST_SRC=$UMK_TOP/tests/guest
# Seconds one boot of umk may take before it is killed.
UMK_TIMEOUT=${UMK_TIMEOUT:-60}
UMK_MEM=${UMK_MEM:-128M}
# Per-run state (which modes are usable); run-all.sh sets it for a whole run.
UMK_STATE_DIR=${UMK_STATE_DIR:-${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/umk-state}
mkdir -p "$UMK_STATE_DIR"

# Guest programs that only make sense under umk: compared with
# tests/guest/NAME.expected instead of a native run.
UMK_ONLY_TESTS="int80 sh_pipeline.sh"

# umk_run_timeout SECS OUT ERR CMD...
# Runs CMD with stdout to OUT and stderr to ERR (stdin from $UMK_STDIN,
# default /dev/null), killed after SECS seconds. The command runs in its
# own process group, and the whole group is killed afterwards, so that a
# hung or crashed kernel leaves no stub process behind.
# Sets UMK_STATUS (124 on timeout) and UMK_ELAPSED_MS.
umk_run_timeout() {
	local secs=$1 out=$2 err=$3
	shift 3
	local t0 t1 pid
	t0=$(date +%s%N)
	timeout -k 5 "$secs" "$@" <"${UMK_STDIN:-/dev/null}" >"$out" 2>"$err" 3>&- &
	pid=$!
	UMK_STATUS=0
	wait "$pid" || UMK_STATUS=$?
	t1=$(date +%s%N)
	# timeout(1) made itself a process group leader: clean up leftovers.
	kill -KILL -- "-$pid" 2>/dev/null || true
	UMK_ELAPSED_MS=$(((t1 - t0) / 1000000))
	return 0
}

# umk_cmdline MODE HOSTFS_DIR INIT [INIT_ARGS...]: prints nothing, sets
# the array UMK_ARGV to the full umk command line used by every test.
# UMK_ROOT_UBD=[COW,]IMAGE boots from that ext2/3/4 image on ubd0 instead
# of the hostfs directory.
umk_cmdline() {
	local mode=$1 dir=$2 init=$3
	shift 3
	if [ -n "${UMK_ROOT_UBD:-}" ]; then
		UMK_ARGV=("$UMK_BIN" "mem=$UMK_MEM" "ubd0=$UMK_ROOT_UBD" root=/dev/ubda
			"init=$init" "mode=$mode" rw quiet)
	else
		UMK_ARGV=("$UMK_BIN" "mem=$UMK_MEM" root=/dev/root rootfstype=hostfs "hostfs=$dir"
			"init=$init" "mode=$mode" rw quiet)
	fi
	if [ $# -gt 0 ]; then
		UMK_ARGV+=(-- "$@")
	fi
}

# umk_boot MODE HOSTFS_DIR INIT [INIT_ARGS...]
# Boots umk; guest console output (CR stripped) in $UMK_OUT, kernel
# stderr in $UMK_ERR, exit status in $UMK_STATUS.
umk_boot() {
	local tmp=${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}
	UMK_OUT=$tmp/umk.out
	UMK_ERR=$tmp/umk.err
	umk_cmdline "$@"
	if [ ! -x "$UMK_BIN" ]; then
		echo "$UMK_BIN: not built" >"$UMK_ERR"
		: >"$UMK_OUT"
		UMK_STATUS=127
		UMK_ELAPSED_MS=0
		return 0
	fi
	umk_run_timeout "$UMK_TIMEOUT" "$UMK_OUT.raw" "$UMK_ERR" "${UMK_ARGV[@]}"
	tr -d '\r' <"$UMK_OUT.raw" >"$UMK_OUT"
}

# Prints a readable account of the last boot (for failing tests);
# "noconsole" leaves out the console (when a diff already showed it).
umk_explain() {
	echo "command: ${UMK_ARGV[*]}"
	case $UMK_STATUS in
	124 | 137) echo "status: $UMK_STATUS (killed after ${UMK_TIMEOUT}s timeout)" ;;
	*) echo "status: $UMK_STATUS (after ${UMK_ELAPSED_MS} ms)" ;;
	esac
	if [ "${1:-}" != noconsole ]; then
		echo "--- guest console (stdout, last 40 lines) ---"
		tail -n 40 "$UMK_OUT"
	fi
	echo "--- kernel log (stderr, last 40 lines) ---"
	tail -n 40 "$UMK_ERR"
	echo "---"
}

# Prints the test section of a guest console log: the lines after the
# BEGIN marker up to and including the EXIT marker.
guest_section() {
	awk '/^=== UMK-TEST-BEGIN /{on=1; next} on{print} /^=== UMK-TEST-EXIT /{if(on) exit}' "$1"
}

# Guest programs named net_* use the network: natively they run in a
# private network namespace, which starts as the guest does (only lo,
# down, no address), and whatever they configure or count (addresses,
# routes, MTU, sysctls, /proc/net/snmp) stays out of the host's.
# unshare -n needs root; as another user, -rn adds a user namespace.
guest_netns() {
	case $1 in
	net_*)
		if [ "$(id -u)" = 0 ]; then echo "unshare -n"; else echo "unshare -rn"; fi
		;;
	esac
}

# guest_native NAME OUTFILE: runs a guest program natively, in the same
# form as the guest section (stdout+stderr, then the EXIT marker).
guest_native() {
	local name=$1 out=$2 rc=0 ns
	ns=$(guest_netns "$name")
	(
		cd / || exit 1
		# shellcheck disable=SC2086 # $ns is a command prefix
		timeout -k 5 "$UMK_TIMEOUT" $ns "$UMK_GUEST_BIN/$name" </dev/null 2>&1 3>&- || rc=$?
		echo "=== UMK-TEST-EXIT $rc"
	) >"$out"
	rc=$(tail -n 1 "$out")
	[ "$rc" = "=== UMK-TEST-EXIT 0" ]
}

# guest_expected NAME OUTFILE: the expected section for a umk-only test.
guest_expected() {
	local name=$1 out=$2
	{
		cat "$UMK_GUEST_SRC/${name%.sh}.expected"
		echo "=== UMK-TEST-EXIT 0"
	} >"$out"
}

# umk_mode_usable MODE: boots the trivial "smoke" test once per run and
# mode, and remembers the answer; a mode that cannot boot it, or that
# timed out twice, is not tried again (so a hung kernel costs minutes, not
# the whole suite). On failure prints why.
umk_mode_usable() {
	local mode=$1 f=$UMK_STATE_DIR/mode-$1
	if [ ! -x "$UMK_BIN" ]; then
		echo "$UMK_BIN is not built"
		return 1
	fi
	if [ -f "$f.bad" ]; then
		echo "mode=$mode: not tried: $(cat "$f.bad")"
		return 1
	fi
	if [ -f "$f.ok" ]; then
		return 0
	fi
	umk_boot "$mode" "$UMK_TEST_ROOTFS" /bin/sh /tests/run-one smoke
	if [ "$(guest_section "$UMK_OUT")" = "$(printf 'smoke: init is running\n=== UMK-TEST-EXIT 0')" ]; then
		touch "$f.ok"
		return 0
	fi
	echo "mode=$mode cannot boot the smoke test (init=/bin/sh -- /tests/run-one smoke) in build/test-rootfs"
	umk_explain
	echo "smoke boot failed (status $UMK_STATUS); see the first failing guest test" >"$f.bad"
	return 1
}

# Note a timeout in MODE; after two the mode is given up for this run.
umk_note_timeout() {
	local f=$UMK_STATE_DIR/mode-$1
	echo x >>"$f.timeouts"
	if [ "$(wc -l <"$f.timeouts")" -ge 2 ]; then
		echo "two boots timed out" >"$f.bad"
	fi
}

# guest_run_umk MODE NAME OUTFILE: runs guest test NAME under umk in MODE
# and writes its guest section to OUTFILE.
guest_run_umk() {
	local mode=$1 name=$2 out=$3
	umk_boot "$mode" "$UMK_TEST_ROOTFS" /bin/sh /tests/run-one "$name"
	if [ "$UMK_STATUS" = 124 ] || [ "$UMK_STATUS" = 137 ]; then
		umk_note_timeout "$mode"
	fi
	guest_section "$UMK_OUT" >"$out"
}

# guest_check NAME: the whole check for one guest program: native run
# (or .expected file), then every mode in UMK_MODES; prints a diff for
# each mode that differs and fails if any did.
guest_check() {
	local name=$1 tmp=${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}} failed="" mode
	local want=$tmp/$name.want label="$name native"
	case " $UMK_ONLY_TESTS " in
	*" $name "*)
		guest_expected "$name" "$want"
		label="tests/guest/${name%.sh}.expected"
		;;
	*)
		if ! guest_native "$name" "$want"; then
			echo "NATIVE RUN FAILED (the test program itself is wrong):"
			cat "$want"
			return 1
		fi
		;;
	esac
	for mode in $UMK_MODES; do
		if ! umk_mode_usable "$mode"; then
			failed="$failed $mode"
			continue
		fi
		local got=$tmp/$name.$mode
		guest_run_umk "$mode" "$name" "$got"
		if ! diff -u --label "expected ($label)" --label "umk mode=$mode" "$want" "$got" >"$got.diff"; then
			failed="$failed $mode"
			echo "=== $name: mode=$mode differs from the expected output"
			local show=noconsole
			if [ ! -s "$got" ]; then
				echo "(no test output: the guest never printed the BEGIN marker)"
				show=console
			elif ! grep -q '^=== UMK-TEST-EXIT ' "$got"; then
				echo "(no EXIT marker: the guest died or hung during the test)"
				show=console
			fi
			cat "$got.diff"
			umk_explain "$show"
		elif [ "$UMK_STATUS" != 0 ]; then
			failed="$failed $mode"
			echo "=== $name: mode=$mode output matched but umk exited with status $UMK_STATUS (want 0 after poweroff -f)"
			umk_explain
		fi
	done
	if [ -n "$failed" ]; then
		echo "FAILED in mode(s):$failed"
		return 1
	fi
}

# umk_wait_exit SECS FILE...: the umk started in the background as
# $GUEST has ended within SECS seconds (else it is killed, the FILEs are
# shown, and this fails); its exit status in STATUS.
umk_wait_exit() {
	local secs=$1 i
	shift
	for i in $(seq 1 $((secs * 10))); do
		kill -0 "$GUEST" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$GUEST" 2>/dev/null; then
		kill -KILL "$GUEST"
		echo "umk still running after $secs s"
		cat "$@"
		return 1
	fi
	STATUS=0
	wait "$GUEST" || STATUS=$?
}
