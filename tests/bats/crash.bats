#!/usr/bin/env bats
# Crash consistency and periodic writeback of ext2/3/4 on ubd
# (Documentation/disks.md, "Crashes, the journal and writeback"):
#   - kill -9 of umk at random points of a write-heavy workload, round
#     after round on one ext4 image: each time the host's e2fsck replays
#     umk's journal on a copy and finds nothing else to fix, the next boot
#     replays it too, everything fsync'd before the kill is intact, and
#     after a clean power-off e2fsck -fn is clean;
#   - ext2 (no journal): after a kill the filesystem stays "not clean"
#     across a clean unmount, until e2fsck repairs it;
#   - an idle guest killed after the writeback interval leaves a
#     consistent disk (and without the writeback it would not);
#   - a journal written by e2fsprogs (debugfs), revoke records included,
#     is replayed by umk, and one umk left is replayed by Linux (linux.uml).
# UMK_CRASH_SEED picks the random points (printed), UMK_CRASH_ROUNDS the
# number of ext4 rounds (default 12).

load ../lib.sh

setup_file() {
	[ -x "$UMK_ROOTFS/bin/busybox" ] || return 0
	export CRASH_BASE=$BATS_FILE_TMPDIR/base.ext4
	sh "$UMK_TOP/rootfs/build-image.sh" "$UMK_ROOTFS" "$CRASH_BASE" >/dev/null
}

need_tools() {
	[ -x "$UMK_BIN" ] || { echo "$UMK_BIN is not built"; false; }
	[ -f "${CRASH_BASE:-}" ] || { echo "build/rootfs-dir is not built (make rootfs)"; false; }
	command -v e2fsck >/dev/null && command -v debugfs >/dev/null || skip "e2fsprogs not installed"
	MODE=${UMK_MODES%% *}
	IMG=$BATS_TEST_TMPDIR/disk.img
}

# The workload, run as init with SEED, ROUND and DIR in its environment:
# random creates, appends, overwrites, truncates, renames, deletes and
# directory churn under DIR/churn, and every few steps a new file under
# DIR/keep that is fsync'd, then logged with its checksum in DIR/log
# (fsync'd too) and announced as "DONE name" on the console: whatever the
# host saw announced must survive a kill.
WORKLOAD='r=$SEED
rnd() { r=$(( (r * 1103515245 + 12345) % 2147483648 )); R=$(( r / 65536 % $1 )); }
mkdir -p $DIR/keep $DIR/churn/d; cd $DIR || exit 1
echo "WORKLOAD $ROUND"
i=0
while :; do
	i=$((i + 1))
	rnd 10
	case $R in
	0) rnd 64; dd if=/dev/urandom of=churn/c$((i % 24)) bs=4096 count=$((R + 1)) 2>/dev/null ;;
	1) rnd 24; rm -f churn/c$R ;;
	2) rnd 24; a=$R; rnd 24; mv -f churn/c$a churn/d/c$R 2>/dev/null; mv -f churn/d/c$((R / 2)) churn/c$a 2>/dev/null ;;
	3) rnd 24; [ -f churn/c$R ] && truncate -s $((R * 3000)) churn/c$R ;;
	4) rnd 8; mkdir -p churn/x$R/y; echo $i >churn/x$R/y/z; rnd 8; rm -rf churn/x$R ;;
	5) rnd 24; echo "line $i" >>churn/c$R ;;
	6) rnd 4; dd if=/dev/urandom of=churn/big bs=65536 count=$((R * 8 + 1)) seek=$R conv=notrunc 2>/dev/null ;;
	*) rnd 48; k=k$ROUND.$i
	   dd if=/dev/urandom of=keep/$k bs=1024 count=$((R * 5 + 1)) 2>/dev/null
	   sync keep/$k
	   echo "$k $(sha256sum <keep/$k | cut -d" " -f1)" >>log
	   sync log
	   echo "DONE $k" ;;
	esac
done'

# Show the durable files: the log, then each kept file's checksum.
SHOW='cd $DIR && { sed "s/^/LOG /" log; cd keep && sha256sum k* | sed "s/^/SUM /"; }'

# crash_run OUT TIMEOUT UMK-ARGS...: start umk in the background with
# its console in OUT; wait for DONE number $want, then a random extra
# moment, then kill -9.
crash_run() {
	local out=$1 limit=$2 pid n=0 t
	shift 2
	"$@" </dev/null >"$out" 2>"$out.err" &
	pid=$!
	for t in $(seq 1 $((limit * 20))); do
		n=$(grep -c '^DONE' "$out" || true)
		[ "$n" -ge "$want" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	sleep "0.$((RANDOM % 10))"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	n=$(grep -c '^DONE' "$out" || true)
	echo "# killed after $n fsync'd files" >&3
	[ "$n" -ge "$want" ] || { cat "$out" "$out.err"; false; }
}

# check_durable OUT SHOWN: every file OUT announced is logged in SHOWN
# (LOG lines) with the checksum its contents have now (SUM lines).
check_durable() {
	local k sum bad=0
	while read -r _ k; do
		sum=$(awk -v k="$k" '$1 == "LOG" && $2 == k { print $3 }' "$2")
		if [ -z "$sum" ] || ! grep -qx "SUM $sum  $k" "$2"; then
			echo "lost or damaged after the crash: $k (logged ${sum:-nothing})"
			bad=1
		fi
	done < <(grep '^DONE' "$1")
	[ "$bad" = 0 ]
}

# host_replay IMAGE: the host's e2fsck replays the journal on a copy and
# has nothing else to fix (status 0 or 1: "file system was modified").
host_replay() {
	local copy=$BATS_TEST_TMPDIR/host-copy.img st=0
	cp "$1" "$copy"
	e2fsck -fy "$copy" >"$BATS_TEST_TMPDIR/fsck.out" 2>&1 || st=$?
	# (freeing an orphan, a file unlinked while open, is normal work)
	if [ "$st" -gt 1 ] || grep -v "^Clearing orphaned inode" "$BATS_TEST_TMPDIR/fsck.out" |
		grep -qiE "fix|clear|count wrong|differences|unattached|salvage"; then
		cat "$BATS_TEST_TMPDIR/fsck.out"
		return 1
	fi
	e2fsck -fn "$copy" >/dev/null
}

# fresh_image: a writable copy of the base image as $IMG.
fresh_image() {
	cp "$CRASH_BASE" "$IMG"
	chmod u+w "$IMG"
}

# kill_once OUT SCRIPT: boot $IMG read-write with SCRIPT as init (it
# says DONE once), kill -9 umk once it did.
kill_once() {
	want=1
	ext4_argv init=/bin/sh
	crash_run "$1" 30 "${ARGV[@]}" -- -c "$2"
}

ext4_argv() {
	ARGV=("$UMK_BIN" mem=128M "ubd0=$IMG" root=/dev/ubda "mode=$MODE" rw quiet "$@")
}

@test "crash: kill -9 at random points of a write-heavy workload, many rounds on one ext4 image" {
	need_tools
	local seed=${UMK_CRASH_SEED:-$RANDOM} rounds=${UMK_CRASH_ROUNDS:-12} round out
	echo "# seed $seed, $rounds rounds (UMK_CRASH_SEED=$seed to repeat)" >&3
	fresh_image
	RANDOM=$seed
	for round in $(seq 1 "$rounds"); do
		out=$BATS_TEST_TMPDIR/round$round.out
		want=$((RANDOM % 4 + 1))
		ext4_argv "SEED=$((seed * 100 + round))" "ROUND=$round" DIR=/data init=/bin/sh
		crash_run "$out" 30 "${ARGV[@]}" -- -c "$WORKLOAD"
		# the host's e2fsck understands the journal umk left
		host_replay "$IMG" || { echo "round $round: e2fsck after replay on the host"; false; }
		# umk replays it at the next boot; what was fsync'd is there
		ext4_argv DIR=/data init=/bin/sh
		umk_run_timeout 30 "$out.check" "$out.check.err" "${ARGV[@]}" -- -c \
			"dmesg | grep -q 'recovery complete' && echo REPLAYED; $SHOW; poweroff -f"
		tr -d '\r' <"$out.check" >"$out.shown"
		grep -qx REPLAYED "$out.shown" || { cat "$out.shown" "$out.check.err"; echo "round $round: no replay"; false; }
		check_durable "$out" "$out.shown" || { echo "round $round"; false; }
		[ "$UMK_STATUS" = 0 ]
		# and after a clean power-off the filesystem is clean
		e2fsck -fn "$IMG" >"$out.fsck" 2>&1 || { cat "$out.fsck"; echo "round $round: e2fsck -fn"; false; }
		dumpe2fs -h "$IMG" 2>/dev/null | grep -q "^Filesystem state: *clean$"
	done
}

# The image as ubd0 under the default root (hostfs, read-only): mounted
# by init, a task, so its I/O goes through the device's thread.
disk_argv() {
	ARGV=("$UMK_BIN" mem=128M root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" "ubd0=$IMG" "mode=$MODE" quiet "$@")
}

@test "crash: ext2 killed mid-workload stays not clean across a clean unmount until e2fsck repairs it" {
	need_tools
	local out=$BATS_TEST_TMPDIR/ext2.out
	mke2fs -q -F -t ext2 "$IMG" 64M
	want=$((RANDOM % 3 + 2))
	disk_argv SEED=$RANDOM ROUND=1 DIR=/mnt/data init=/bin/sh
	crash_run "$out" 30 "${ARGV[@]}" -- -c "mount -t ext2 /dev/ubda /mnt && $WORKLOAD"
	dumpe2fs -h "$IMG" 2>/dev/null | grep -q "^Filesystem state: *not clean$"
	# fsync'd files are there (read-only: nothing may be allocated yet)
	disk_argv DIR=/mnt/data init=/bin/sh
	umk_run_timeout 30 "$out.check" "$out.check.err" "${ARGV[@]}" -- -c \
		"mount -o ro -t ext2 /dev/ubda /mnt && ($SHOW); umount /mnt; mount -t ext2 /dev/ubda /mnt && echo x >/mnt/after && umount /mnt && echo unmounted
dmesg | grep -o 'not cleanly unmounted; running e2fsck is recommended'; poweroff -f"
	tr -d '\r' <"$out.check" >"$out.shown"
	cat "$out.shown" "$out.check.err"
	check_durable "$out" "$out.shown"
	grep -qx unmounted "$out.shown"
	grep -qx "not cleanly unmounted; running e2fsck is recommended" "$out.shown"
	# the clean unmount did not hide the crash
	dumpe2fs -h "$IMG" 2>/dev/null | grep -q "^Filesystem state: *not clean$"
	local st=0
	e2fsck -fy "$IMG" >/dev/null 2>&1 || st=$?
	[ "$st" -le 1 ]
	e2fsck -fn "$IMG"
	dumpe2fs -h "$IMG" 2>/dev/null | grep -q "^Filesystem state: *clean$"
}

# idle_kill SETTLE UMK-ARGS...: boot, let init write files without any
# sync, wait SETTLE seconds once it says so, kill -9.
IDLE='mkdir -p $DIR/idle; for i in $(seq 1 40); do echo "idle $i" >$DIR/idle/f$i; done
dd if=/dev/urandom of=$DIR/idle/data bs=4096 count=64 2>/dev/null; rm $DIR/idle/f7; echo WRITTEN; sleep 600'
idle_kill() {
	local settle=$1 out=$BATS_TEST_TMPDIR/idle.out pid t
	shift
	"$@" </dev/null >"$out" 2>&1 &
	pid=$!
	for t in $(seq 1 400); do
		grep -q '^WRITTEN' "$out" && break
		sleep 0.05
	done
	grep -q '^WRITTEN' "$out" || { kill -9 "$pid"; cat "$out"; false; }
	sleep "$settle"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
}

@test "writeback: an idle guest killed after the writeback interval leaves its disks consistent (ext4 after its replay, ext2 as it is)" {
	need_tools
	# ext4 root: everything was committed within the interval (the host's
	# e2fsck replays it on a copy; the check does not look in place: on a
	# busy host the last commit's flush may still be under way)
	local copy=$BATS_TEST_TMPDIR/copy.img
	fresh_image
	ext4_argv sysctl.vm.dirty_writeback_centisecs=50 DIR=/root init=/bin/sh
	idle_kill 3 "${ARGV[@]}" -- -c "$IDLE"
	cp "$IMG" "$copy"
	e2fsck -fy "$copy" >/dev/null 2>&1 || true
	e2fsck -fn "$copy"
	[ "$(debugfs -R "cat /root/idle/f40" "$copy" 2>/dev/null)" = "idle 40" ]
	! debugfs -R "ls -l /root/idle" "$copy" 2>/dev/null | awk '{ print $NF }' | grep -qx f7
	# ext2: the superblock, descriptors and bitmaps match what was written
	mke2fs -q -F -t ext2 "$IMG" 32M
	disk_argv sysctl.vm.dirty_writeback_centisecs=50 DIR=/mnt init=/bin/sh
	idle_kill 3 "${ARGV[@]}" -- -c "mount -t ext2 /dev/ubda /mnt && $IDLE"
	e2fsck -fn "$IMG"
	[ "$(debugfs -R "cat /idle/f40" "$IMG" 2>/dev/null)" = "idle 40" ]
	# the control: with the writeback off the same guest leaves damage
	mke2fs -q -F -t ext2 "$IMG" 32M
	disk_argv sysctl.vm.dirty_writeback_centisecs=0 DIR=/mnt init=/bin/sh
	idle_kill 3 "${ARGV[@]}" -- -c "mount -t ext2 /dev/ubda /mnt && $IDLE"
	run e2fsck -fn "$IMG"
	[ "$status" -ne 0 ]
}

@test "journal interop: umk replays transactions and revoke records that debugfs (e2fsprogs) wrote, with and without checksums" {
	need_tools
	local blk other data=$BATS_TEST_TMPDIR/blocks zero opts
	head -c 8192 /dev/urandom >"$data"
	zero=$(head -c 4096 /dev/zero | sha256sum | cut -d' ' -f1)
	for opts in "" "-c -v 3"; do
		fresh_image
		# two free blocks: the first gets the file's first 4 KiB; the
		# second's copy is cancelled by a revoke record in the next
		# transaction, so it must stay zero
		blk=$(debugfs -R "ffb 2 20000" "$IMG" 2>/dev/null | grep -o '[0-9][0-9]*' | head -n 1)
		other=$((blk + 1))
		printf '%s\n' "zap_block -p 0 $other" "jo $opts" "jw -b $blk,$other $data" "jw -r $other" jc |
			debugfs -w -f - "$IMG" >/dev/null 2>&1
		dumpe2fs -h "$IMG" 2>/dev/null | grep -q needs_recovery
		ext4_argv init=/bin/sh
		umk_run_timeout 30 "$BATS_TEST_TMPDIR/o" "$BATS_TEST_TMPDIR/e" "${ARGV[@]}" -- -c \
			"for b in $blk $other; do dd if=/dev/ubda bs=4096 skip=\$b count=1 2>/dev/null | sha256sum; done
dmesg | grep -q 'recovery complete' && echo REPLAYED; poweroff -f"
		tr -d '\r' <"$BATS_TEST_TMPDIR/o" >"$BATS_TEST_TMPDIR/o.txt"
		cat "$BATS_TEST_TMPDIR/o.txt" "$BATS_TEST_TMPDIR/e"
		grep -qx REPLAYED "$BATS_TEST_TMPDIR/o.txt"
		[ "$(grep -c -- ' -$' "$BATS_TEST_TMPDIR/o.txt")" = 2 ]
		[ "$(grep -- ' -$' "$BATS_TEST_TMPDIR/o.txt" | head -n 1 | cut -d' ' -f1)" = "$(head -c 4096 "$data" | sha256sum | cut -d' ' -f1)" ]
		[ "$(grep -- ' -$' "$BATS_TEST_TMPDIR/o.txt" | tail -n 1 | cut -d' ' -f1)" = "$zero" ]
		e2fsck -fn "$IMG"
	done
}

@test "crash: a file unlinked while open at the kill is freed by the next mount (orphan list), and by the host's e2fsck" {
	need_tools
	fresh_image
	local out=$BATS_TEST_TMPDIR/orphan.out
	kill_once "$out" 'exec 3>/root/orphan; dd if=/dev/urandom bs=4096 count=100 >&3 2>/dev/null
rm /root/orphan; sync; echo DONE; sleep 600'
	dumpe2fs -h "$IMG" 2>/dev/null | grep -q "^First orphan inode:"
	cp "$IMG" "$BATS_TEST_TMPDIR/copy.img"
	e2fsck -fy "$BATS_TEST_TMPDIR/copy.img" >"$out.fsck" 2>&1 || true
	grep -q "^Clearing orphaned inode" "$out.fsck"
	e2fsck -fn "$BATS_TEST_TMPDIR/copy.img"
	ext4_argv init=/bin/sh
	umk_run_timeout 30 "$out.2" "$out.2.err" "${ARGV[@]}" -- -c "dmesg | grep -o '1 orphan inodes freed'; poweroff -f"
	grep -q "^1 orphan inodes freed" "$out.2"
	e2fsck -fn "$IMG"
	! dumpe2fs -h "$IMG" 2>/dev/null | grep -q "^First orphan inode:"
}

@test "journal interop: Linux (linux.uml) replays the journal umk left at kill -9" {
	need_tools
	command -v linux.uml >/dev/null || skip "linux.uml (user-mode-linux) not installed"
	fresh_image
	local out=$BATS_TEST_TMPDIR/uml.out
	kill_once "$out" 'for i in $(seq 1 150); do echo "f$i" >/root/f$i; done; sync; echo DONE
for i in $(seq 151 400); do echo "f$i" >/root/f$i; done; sleep 600'
	dumpe2fs -h "$IMG" 2>/dev/null | grep -q needs_recovery
	mkdir -p "$BATS_TEST_TMPDIR/uml"
	# (Linux's command line: double quotes keep init's argument whole)
	TMPDIR=$BATS_TEST_TMPDIR/uml umk_run_timeout 60 "$out.linux" "$out.linux.err" linux.uml mem=64M "ubd0=$IMG" \
		root=/dev/ubda rw init=/bin/sh "uml_dir=$BATS_TEST_TMPDIR/uml" con0=fd:0,fd:1 con=null -- -c \
		'"echo files $(ls /root | grep -c ^f); cat /root/f150; dmesg | grep -o recovery.complete; umount /; poweroff -f"'
	tr -d '\r' <"$out.linux" | grep -E "^files|^f150|recovery|EXT4" || { cat "$out.linux"; false; }
	tr -d '\r' <"$out.linux" | grep -q "EXT4-fs (ubda): recovery complete"
	tr -d '\r' <"$out.linux" | grep -qx f150
	local n
	n=$(tr -d '\r' <"$out.linux" | sed -n 's/^files \([0-9]*\)$/\1/p')
	[ "$n" -ge 150 ]
	e2fsck -fn "$IMG"
}

@test "crash: the default image's boot (root read-only, rcS) after a kill: the kernel replays at mount, e2fsck -p finds it clean" {
	need_tools
	fresh_image
	local out=$BATS_TEST_TMPDIR/ro.out
	kill_once "$out" 'for i in $(seq 1 60); do echo "f$i" >/root/f$i; done; sync; echo DONE; sleep 600'
	dumpe2fs -h "$IMG" 2>/dev/null | grep -q needs_recovery
	umk_run_timeout 60 "$out.2" "$out.2.err" "$UMK_BIN" mem=128M "ubd0=$IMG" "mode=$MODE" ro quiet init=/bin/sh -- -c \
		'/etc/init.d/rcS; grep " / " /proc/mounts; cat /root/f60; dmesg | grep -o "recovery complete"; poweroff -f'
	tr -d '\r' <"$out.2" >"$out.2.txt"
	cat "$out.2.txt" "$out.2.err"
	grep -qx "recovery complete" "$out.2.txt"
	grep -q ": clean, " "$out.2.txt"	# e2fsck -p: nothing to check
	grep -q "^/dev/root / ext4 rw" "$out.2.txt"
	grep -qx f60 "$out.2.txt"
	e2fsck -fn "$IMG"
}

# gated_mount K: mount $IMG from a task while the device's thread lets
# only K requests through (UMK_UBD_GATE), kill -9 umk a second later;
# LEFT: the tokens it did not use.
gated_mount() {
	local gate=$BATS_TEST_TMPDIR/gate pid
	rm -f "$gate"
	mkfifo "$gate"
	exec 7<>"$gate"
	disk_argv init=/bin/sh
	UMK_UBD_GATE=$gate "${ARGV[@]}" -- -c 'mount -t ext4 /dev/ubda /mnt && echo MOUNTED; sleep 600' \
		</dev/null >"$BATS_TEST_TMPDIR/gated.out" 2>&1 &
	pid=$!
	head -c "$1" /dev/zero >&7
	sleep 1
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	LEFT=$(dd iflag=nonblock bs=65536 count=1 <&7 2>/dev/null | wc -c)
	exec 7>&-
}

@test "crash: killed in the middle of its own replay (I/O held at UMK_UBD_GATE), the next mount replays again" {
	need_tools
	local out=$BATS_TEST_TMPDIR/replay.out n k
	fresh_image
	want=4
	ext4_argv SEED=$RANDOM ROUND=1 DIR=/data init=/bin/sh
	crash_run "$out" 30 "${ARGV[@]}" -- -c "$WORKLOAD"
	cp "$IMG" "$BATS_TEST_TMPDIR/crashed.img"
	# how many requests the whole mount takes (on a copy): the log is
	# scanned (reads), then written in place, then marked empty
	gated_mount 60000
	grep -qx MOUNTED "$BATS_TEST_TMPDIR/gated.out"
	n=$((60000 - LEFT))
	cp "$BATS_TEST_TMPDIR/crashed.img" "$IMG"
	# kills at random points of the second half, while blocks are written
	# in place (the log is still there to replay again), then near the
	# end (needs_recovery cleared, the journal being started)
	for k in $((n / 2 + RANDOM % (n / 4))) $((n * 3 / 4 + RANDOM % (n / 5))); do
		gated_mount "$k"
		echo "# killed after $k of the mount's $n requests" >&3
		! grep -qx MOUNTED "$BATS_TEST_TMPDIR/gated.out"
		dumpe2fs -h "$IMG" 2>/dev/null | grep -q needs_recovery
	done
	gated_mount $((n - 1 - RANDOM % 4))
	! grep -qx MOUNTED "$BATS_TEST_TMPDIR/gated.out"
	disk_argv DIR=/mnt/data init=/bin/sh
	umk_run_timeout 30 "$out.check" "$out.check.err" "${ARGV[@]}" -- -c \
		"mount -t ext4 /dev/ubda /mnt && ($SHOW); umount /mnt; poweroff -f"
	tr -d '\r' <"$out.check" >"$out.shown"
	check_durable "$out" "$out.shown" || { cat "$out.shown" "$out.check.err"; false; }
	e2fsck -fn "$IMG"
}
