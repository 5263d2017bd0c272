#!/usr/bin/env bats
# The instance's name and directory, as UML's (command-line.md): a UUID
# umid by default, UML_DIR/UMID/{pid,mconsole} while it runs, a second
# umk with a live umid refused, a stale directory (kill -9) reused or
# swept at the next start, nothing left after any exit; MACs follow the
# umid.

load ../lib.sh
load mconsole-lib.bash

setup() {
	need_machine_tools
	UMLDIR=$BATS_TEST_TMPDIR/uml
}

teardown() {
	teardown_machine
	[ -z "${OTHER:-}" ] || kill -KILL "$OTHER" 2>/dev/null || true
}

# quick_boot OUTFILE ARGS...: a machine whose init just runs the -c script.
quick_boot() {
	local out=$1
	shift
	umk_run_timeout 30 "$out" "$out.err" "$UMK_BIN" mem=64M root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" \
		init=/bin/sh "$@"
}

@test "without umid=: a fresh UUID, its directory in ~/.uml (pid file, socket) while it runs, gone after" {
	local home=$BATS_TEST_TMPDIR/home
	mkdir -p "$home"
	HOME=$home quick_boot "$BATS_TEST_TMPDIR/o" -- -c 'sleep 1; poweroff -f' &
	local i dir=""
	for i in $(seq 1 50); do
		dir=$(ls -d "$home"/.uml/*-*-*-*-* 2>/dev/null | head -n 1)
		[ -n "$dir" ] && [ -S "$dir/mconsole" ] && break
		sleep 0.1
	done
	echo "instance directory: $dir"
	[[ $(basename "$dir") =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]
	[ "$(stat -c %a "$dir")" = 700 ]
	local pid
	pid=$(cat "$dir/pid")
	[ "$(cat "/proc/$pid/comm")" = umk ]
	HOME=$home run "$MCONSOLE" list
	[ "$output" = "$(basename "$dir")" ]
	wait
	[ ! -e "$dir" ]
	grep -q "mconsole (version 2) initialized on $dir/mconsole" "$BATS_TEST_TMPDIR/o.err"
	# two boots, two names
	HOME=$home quick_boot "$BATS_TEST_TMPDIR/o2" -- -c 'poweroff -f'
	local a b
	a=$(grep -o 'initialized on .*' "$BATS_TEST_TMPDIR/o.err")
	b=$(grep -o 'initialized on .*' "$BATS_TEST_TMPDIR/o2.err")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]
}

@test "a second umk with a live umid is refused (status 2, one line naming the running one); the first runs on" {
	start_machine twin
	run "$UMK_BIN" mem=64M root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" init=/bin/sh umid=twin "uml_dir=$UMLDIR"
	echo "$output"
	[ "$status" = 2 ]
	[ "$(wc -l <<<"$output")" = 1 ]
	[[ $output == "umk: umid=twin: in use by a running instance (pid $GUEST; its directory is $UMLDIR/twin)" ]]
	run mc version
	[ "$status" = 0 ]
	[ "$(cat "$UMLDIR/twin/pid")" = "$GUEST" ]
}

@test "kill -9: the stale directory is reused by the same umid, and swept by any other start" {
	start_machine stale
	kill -KILL "$GUEST"
	wait "$GUEST" || true
	[ -d "$UMLDIR/stale" ] && [ -S "$UMLDIR/stale/mconsole" ]
	run "$MCONSOLE" -d "$UMLDIR" list
	[ -z "$output" ]
	# the same name boots
	quick_boot "$BATS_TEST_TMPDIR/o" umid=stale "uml_dir=$UMLDIR" -- -c 'poweroff -f'
	cat "$BATS_TEST_TMPDIR/o.err"
	[ "$UMK_STATUS" = 0 ]
	[ ! -e "$UMLDIR/stale" ]
	# killed again, then another name starts: the leftover goes
	start_machine stale2
	kill -KILL "$GUEST"
	wait "$GUEST" || true
	[ -d "$UMLDIR/stale2" ]
	# a leftover whose pid was reused by a live process is still stale
	echo $$ >"$UMLDIR/stale2/pid"
	quick_boot "$BATS_TEST_TMPDIR/o" umid=other "uml_dir=$UMLDIR" -- -c 'poweroff -f'
	[ "$UMK_STATUS" = 0 ]
	[ ! -e "$UMLDIR/stale2" ]
	# something that is not an instance directory is left alone, and refused
	mkdir -p "$UMLDIR/mine"
	echo keep >"$UMLDIR/mine/notes"
	quick_boot "$BATS_TEST_TMPDIR/o" umid=mine "uml_dir=$UMLDIR" -- -c 'poweroff -f'
	[ "$UMK_STATUS" = 2 ]
	grep -q "umid=mine: $UMLDIR/mine exists and is not an instance directory" "$BATS_TEST_TMPDIR/o.err"
	[ "$(cat "$UMLDIR/mine/notes")" = keep ]
}

@test "every exit path removes the directory: power off, panic, forced stop, a root that cannot mount" {
	quick_boot "$BATS_TEST_TMPDIR/o" umid=x1 "uml_dir=$UMLDIR" -- -c 'poweroff -f'
	[ "$UMK_STATUS" = 0 ]
	quick_boot "$BATS_TEST_TMPDIR/o" umid=x2 "uml_dir=$UMLDIR" -- -c 'exit 3'
	[ "$UMK_STATUS" = 1 ]	# init exited: a panic
	# SIGTERM with shutdown_timeout=0: stopped at once, status 4
	"$UMK_BIN" mem=64M root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" init=/bin/sh umid=x3 "uml_dir=$UMLDIR" \
		shutdown_timeout=0 -- -c 'sleep 30' </dev/null >"$BATS_TEST_TMPDIR/o3" 2>&1 &
	OTHER=$!
	local i
	for i in $(seq 1 50); do
		[ -S "$UMLDIR/x3/mconsole" ] && break
		sleep 0.1
	done
	kill -TERM "$OTHER"
	local st=0
	wait "$OTHER" || st=$?
	[ "$st" = 4 ]
	umk_run_timeout 20 "$BATS_TEST_TMPDIR/o" "$BATS_TEST_TMPDIR/e" "$UMK_BIN" root=/dev/ubdb umid=x4 "uml_dir=$UMLDIR" quiet
	[ "$UMK_STATUS" = 2 ]
	ls -la "$UMLDIR"
	[ -z "$(ls -A "$UMLDIR")" ]
}

@test "uml_dir=: made if missing; a socket path too long for unix sockets is a one-line error; bad umids refused" {
	quick_boot "$BATS_TEST_TMPDIR/o" umid=u1 "uml_dir=$BATS_TEST_TMPDIR/new/dir" -- -c 'poweroff -f'
	[ "$UMK_STATUS" = 0 ] && [ -d "$BATS_TEST_TMPDIR/new/dir" ]
	local long=$BATS_TEST_TMPDIR/$(printf 'x%.0s' $(seq 1 100))
	run "$UMK_BIN" umid=u2 "uml_dir=$long" "hostfs=$UMK_ROOTFS"
	[ "$status" = 2 ] && [[ $output == *"longer than 107 bytes (give a shorter uml_dir=)" ]]
	run "$UMK_BIN" umid=a/b
	[ "$status" = 2 ]
	run "$UMK_BIN" umid=.hidden
	[ "$status" = 2 ]
	run "$UMK_BIN" "umid=$(printf 'a%.0s' $(seq 1 65))"
	[ "$status" = 2 ]
}

@test "card MACs: the same umid gives the same address every boot; without umid= a new one each boot" {
	local a b c
	quick_boot "$BATS_TEST_TMPDIR/o" umid=macs "uml_dir=$UMLDIR" eth0=mcast -- -c \
		'mount -t sysfs s /sys; cat /sys/class/net/eth0/address; poweroff -f'
	a=$(grep -E '^([0-9a-f]{2}:){5}' "$BATS_TEST_TMPDIR/o")
	quick_boot "$BATS_TEST_TMPDIR/o" umid=macs "uml_dir=$UMLDIR" eth0=mcast -- -c \
		'mount -t sysfs s /sys; cat /sys/class/net/eth0/address; poweroff -f'
	b=$(grep -E '^([0-9a-f]{2}:){5}' "$BATS_TEST_TMPDIR/o")
	quick_boot "$BATS_TEST_TMPDIR/o" "uml_dir=$UMLDIR" eth0=mcast -- -c \
		'mount -t sysfs s /sys; cat /sys/class/net/eth0/address; poweroff -f'
	c=$(grep -E '^([0-9a-f]{2}:){5}' "$BATS_TEST_TMPDIR/o")
	echo "$a $b $c"
	[ -n "$a" ] && [ "$a" = "$b" ] && [ -n "$c" ] && [ "$c" != "$a" ]
}
