# Shared by mconsole.bats, hotplug.bats, umid.bats and channels.bats: a
# machine in the background whose shell reads commands from a FIFO, and
# the two management-console clients pointed at it.
# shellcheck shell=bash

MCONSOLE=$UMK_BUILD/umk-mconsole

need_machine_tools() {
	[ -x "$UMK_BIN" ] || { echo "$UMK_BIN is not built"; false; }
	[ -x "$MCONSOLE" ] || { echo "$MCONSOLE is not built"; false; }
	[ -d "$UMK_ROOTFS" ] || { echo "$UMK_ROOTFS is not built (make rootfs)"; false; }
}

# start_machine UMID [OPTIONS...]: umk on the default image's directory
# with init=/bin/sh reading commands from a FIFO (guest_run), its
# instance directory under $UMLDIR, console output in $OUT, kernel log
# in $ERR. Returns once the management console answers.
start_machine() {
	UMID=$1
	shift
	UMLDIR=${UMLDIR:-$BATS_TEST_TMPDIR/uml}
	OUT=$BATS_TEST_TMPDIR/$UMID.out
	ERR=$BATS_TEST_TMPDIR/$UMID.err
	local fifo=$BATS_TEST_TMPDIR/$UMID.in
	rm -f "$fifo"
	mkfifo "$fifo"
	# made here: the background job opens them only after the FIFO, and
	# guest_run may look at $OUT before that
	: >"$OUT"
	: >"$ERR"
	# a shell that is not interactive (no prompts): one command a line
	"$UMK_BIN" mem=128M root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" rw init=/bin/sh \
		"umid=$UMID" "uml_dir=$UMLDIR" "$@" -- -c 'while read -r l; do eval "$l"; done' \
		<"$fifo" >"$OUT" 2>"$ERR" &
	GUEST=$!
	exec 7>"$fifo"
	guest_run 'mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev; mount -t tmpfs tmpfs /tmp'
	local i
	for i in $(seq 1 100); do
		"$MCONSOLE" -t 5 -d "$UMLDIR" "$UMID" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "the machine's mconsole never answered"
	cat "$OUT" "$ERR"
	false
}

# guest_run COMMAND: run it in the guest's shell and wait until it is
# done (30 s at most); what it printed in $GOT.
guest_run() {
	local tag=m$RANDOM$RANDOM before i
	before=$(wc -l <"$OUT")
	echo "$1; echo $tag-done" >&7
	for i in $(seq 1 300); do
		if grep -q "^$tag-done" "$OUT"; then
			GOT=$(tail -n +"$((before + 1))" "$OUT" | tr -d '\r' | sed "/^$tag-done/,\$d")
			return 0
		fi
		kill -0 "$GUEST" 2>/dev/null || break
		sleep 0.1
	done
	echo "the guest did not finish: $1"
	cat "$OUT" "$ERR"
	false
}

# guest_wait TEXT: until the console shows TEXT (30 s at most).
guest_wait() {
	local i
	for i in $(seq 1 300); do
		grep -q "$1" "$OUT" && return 0
		sleep 0.1
	done
	echo "never saw: $1"
	cat "$OUT" "$ERR"
	false
}

mc() { "$MCONSOLE" -d "$UMLDIR" "$UMID" "$@"; }
# (uml_mconsole tries ~/.uml/ARG first and says so on stderr)
uml() { uml_mconsole "$UMLDIR/$UMID/mconsole" "$@" 2>/dev/null; }

# wait_exit SECS: the machine has ended within SECS; its status in STATUS.
wait_exit() {
	umk_wait_exit "$1" "$OUT" "$ERR" || return 1
	exec 7>&-
}

# A machine a test left running is stopped (and its stubs with it).
teardown_machine() {
	if [ -n "${GUEST:-}" ] && kill -0 "$GUEST" 2>/dev/null; then
		kill -KILL "$GUEST" 2>/dev/null
		wait "$GUEST" 2>/dev/null || true
	fi
	exec 7>&- 2>/dev/null || true
}
