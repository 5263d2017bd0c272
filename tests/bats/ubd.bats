#!/usr/bin/env bats
# ubd block devices and ext2/3/4 through libext2fs: ubdN= options (errors
# are one line and exit status 2), image locking, /dev/ubdX as a block
# device, and mount(2) of a small ext4 image built with mke2fs -d.

load ../lib.sh

need_umk() {
	[ -x "$UMK_BIN" ] || { echo "$UMK_BIN is not built"; false; }
	[ -x "$UMK_ROOTFS/bin/busybox" ] || { echo "$UMK_ROOTFS is not built (make rootfs)"; false; }
	command -v mke2fs >/dev/null || skip "mke2fs (e2fsprogs) not installed"
}

# An 8 MiB ext4 image of a small tree, in $IMG.
make_image() {
	local d=$BATS_TEST_TMPDIR/tree
	mkdir -p "$d/sub/deeper"
	printf 'hello from ext4\n' >"$d/hello.txt"
	seq 1 20000 >"$d/sub/numbers"
	ln -s hello.txt "$d/link"
	ln -s "$(printf 'x%.0s' $(seq 1 100))" "$d/longlink"
	chmod 0640 "$d/hello.txt"
	touch -d @1600000000 "$d/hello.txt"
	cp "$UMK_ROOTFS/bin/busybox" "$d/sub/busybox"
	IMG=$BATS_TEST_TMPDIR/disk.ext4
	mke2fs -q -F -t ext4 -E root_owner=0:0 -d "$d" "$IMG" 8M
}

# ubd_boot SCRIPT [umk options...]: boot the default hostfs root read-only
# with the options; SCRIPT runs as init (sh -c).
ubd_boot() {
	local script=$1 mode=${UMK_MODES%% *}
	shift
	UMK_OUT=$BATS_TEST_TMPDIR/umk.out
	UMK_ERR=$BATS_TEST_TMPDIR/umk.err
	UMK_ARGV=("$UMK_BIN" "mem=$UMK_MEM" root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS"
		init=/bin/sh "mode=$mode" quiet "$@" -- -c "$script")
	umk_run_timeout "$UMK_TIMEOUT" "$UMK_OUT.raw" "$UMK_ERR" "${UMK_ARGV[@]}"
	tr -d '\r' <"$UMK_OUT.raw" >"$UMK_OUT"
}

@test "ubd: /dev/ubda is a block device (98,0) with the image's size and bytes" {
	need_umk
	make_image
	ubd_boot 'ls -l /dev/ubda; blockdev --getsize64 /dev/ubda; blockdev --getss /dev/ubda
dd if=/dev/ubda bs=1024 skip=1 count=1 2>/dev/null | md5sum; poweroff -f' "ubd0r=$IMG"
	cat "$UMK_OUT"
	[ "$UMK_STATUS" = 0 ]
	grep -Eq '^brw-rw---- +1 root +root +98, +0 .* /dev/ubda$' "$UMK_OUT"
	grep -qx "$(stat -c %s "$IMG")" "$UMK_OUT"
	grep -qx 512 "$UMK_OUT"
	grep -q "^$(dd if="$IMG" bs=1024 skip=1 count=1 2>/dev/null | md5sum | cut -d' ' -f1)" "$UMK_OUT"
}

@test "ubd: mount -t ext4 /dev/ubda: contents, ls -l, stat, symlinks, exec, df" {
	need_umk
	make_image
	ubd_boot 'mount -t proc proc /proc
mount -t ext4 /dev/ubda /mnt || echo MOUNT FAILED
cat /mnt/hello.txt /mnt/link
readlink /mnt/longlink | wc -c
md5sum /mnt/sub/numbers
ls -l /mnt/hello.txt
stat -c "%n %s %a %u %g %h %Y %F" /mnt/hello.txt /mnt/sub /mnt/sub/deeper
ls -a /mnt/sub | tr "\n" " "; echo
/mnt/sub/busybox echo exec from ext4 works
grep " /mnt " /proc/mounts
df -k /mnt | tail -1
umount /mnt && echo umounted
poweroff -f' "ubd0=$IMG"
	cat "$UMK_OUT"
	[ "$UMK_STATUS" = 0 ]
	! grep -q "MOUNT FAILED" "$UMK_OUT"
	[ "$(grep -c '^hello from ext4$' "$UMK_OUT")" = 2 ]
	grep -qx 101 "$UMK_OUT"
	grep -q "^$(seq 1 20000 | md5sum | cut -d' ' -f1)  /mnt/sub/numbers" "$UMK_OUT"
	grep -Eq '^-rw-r----- +1 root +root +16 .* /mnt/hello.txt$' "$UMK_OUT"
	grep -qx "/mnt/hello.txt 16 640 0 0 1 1600000000 regular file" "$UMK_OUT"
	grep -qx "/mnt/sub/deeper 1024 755 0 0 2 [0-9]* directory" "$UMK_OUT"
	grep -q "^/mnt/sub 1024 755 0 0 3 " "$UMK_OUT"
	grep -qx ". .. busybox deeper numbers " "$UMK_OUT"
	grep -qx "exec from ext4 works" "$UMK_OUT"
	grep -qx "/dev/ubda /mnt ext4 rw,relatime 0 0" "$UMK_OUT"
	# df: 1K blocks and free blocks as the superblock says
	local total free
	total=$(dumpe2fs -h "$IMG" 2>/dev/null | awk -F: '/^Block count/ {print $2+0}')
	free=$(dumpe2fs -h "$IMG" 2>/dev/null | awk -F: '/^Free blocks/ {print $2+0}')
	grep -Eq "^/dev/ubda +$((total - 1)) +$((total - 1 - free)) " "$UMK_OUT"
	grep -qx umounted "$UMK_OUT"
}

@test "ubd: mount with no -t finds ext4 (ext2 and ext3 refuse an ext4 image)" {
	need_umk
	make_image
	ubd_boot 'mount -t proc proc /proc
mount -t ext2 /dev/ubda /mnt 2>/dev/null || echo ext2 refused
mount /dev/ubda /mnt && grep " /mnt " /proc/mounts
poweroff -f' "ubd0=$IMG"
	cat "$UMK_OUT"
	grep -qx "ext2 refused" "$UMK_OUT"
	grep -qx "/dev/ubda /mnt ext4 rw,relatime 0 0" "$UMK_OUT"
}

@test "ubd: bad ubd options: one line each, exit status 2" {
	need_umk
	make_image
	mkdir -p "$BATS_TEST_TMPDIR/adir"
	local opt
	for opt in "ubdx=$IMG" "ubd16=$IMG" "ubd0q=$IMG" "ubd0=" "ubd0=$BATS_TEST_TMPDIR/missing.img" \
		"ubd0=$BATS_TEST_TMPDIR/adir" "ubd1=$IMG ubd1=$IMG"; do
		# shellcheck disable=SC2086
		umk_run_timeout 10 "$BATS_TEST_TMPDIR/o" "$BATS_TEST_TMPDIR/e" "$UMK_BIN" root=/dev/root \
			rootfstype=hostfs "hostfs=$UMK_ROOTFS" $opt
		echo "$opt -> $UMK_STATUS: $(cat "$BATS_TEST_TMPDIR/e")"
		[ "$UMK_STATUS" = 2 ]
		[ "$(wc -l <"$BATS_TEST_TMPDIR/e")" = 1 ]
		grep -q '^umk: ubd' "$BATS_TEST_TMPDIR/e"
	done
	umk_run_timeout 10 "$BATS_TEST_TMPDIR/o" "$BATS_TEST_TMPDIR/e" "$UMK_BIN" "ubd0=$BATS_TEST_TMPDIR/adir"
	grep -q "adir is a directory" "$BATS_TEST_TMPDIR/e"
}

@test "ubd: a second instance on the same writable image refuses; c (shared) and both-read-only work" {
	need_umk
	make_image
	local fifo=$BATS_TEST_TMPDIR/hold pid
	mkfifo "$fifo"
	# the first instance holds the image until its console input closes
	"$UMK_BIN" "mem=$UMK_MEM" root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" quiet \
		"ubd0=$IMG" init=/bin/sh -- -c 'echo ready; read x; poweroff -f' <"$fifo" >"$BATS_TEST_TMPDIR/first.out" 2>&1 &
	pid=$!
	exec 4>"$fifo"
	for _ in $(seq 1 100); do grep -q ready "$BATS_TEST_TMPDIR/first.out" && break; sleep 0.1; done
	grep -q ready "$BATS_TEST_TMPDIR/first.out"
	umk_run_timeout 10 "$BATS_TEST_TMPDIR/o" "$BATS_TEST_TMPDIR/e" "$UMK_BIN" root=/dev/root rootfstype=hostfs \
		"hostfs=$UMK_ROOTFS" "ubd0=$IMG" init=/bin/sh -- -c 'poweroff -f'
	cat "$BATS_TEST_TMPDIR/e"
	[ "$UMK_STATUS" = 2 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/e")" = 1 ]
	grep -q "in use (locked) by another process (pid $pid)" "$BATS_TEST_TMPDIR/e"
	[ -z "$(grep 'ubd0c\|share' "$BATS_TEST_TMPDIR/e")" ]	# never advise two writers
	umk_run_timeout 10 "$BATS_TEST_TMPDIR/o" "$BATS_TEST_TMPDIR/e" "$UMK_BIN" root=/dev/root rootfstype=hostfs \
		"hostfs=$UMK_ROOTFS" "ubd0c=$IMG" quiet init=/bin/sh -- -c 'echo shared ok; poweroff -f'
	[ "$UMK_STATUS" = 0 ]
	grep -q "shared ok" "$BATS_TEST_TMPDIR/o"
	exec 4>&-
	wait "$pid"
	# two read-only instances may share an image
	"$UMK_BIN" "mem=$UMK_MEM" root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" quiet \
		"ubd0r=$IMG" init=/bin/sh -- -c 'echo ready; read x; poweroff -f' <"$fifo" >"$BATS_TEST_TMPDIR/first.out" 2>&1 &
	pid=$!
	exec 4>"$fifo"
	for _ in $(seq 1 100); do grep -q ready "$BATS_TEST_TMPDIR/first.out" && break; sleep 0.1; done
	umk_run_timeout 10 "$BATS_TEST_TMPDIR/o" "$BATS_TEST_TMPDIR/e" "$UMK_BIN" root=/dev/root rootfstype=hostfs \
		"hostfs=$UMK_ROOTFS" "ubd0r=$IMG" quiet init=/bin/sh -- -c 'echo second ro ok; poweroff -f'
	exec 4>&-
	wait "$pid"
	[ "$UMK_STATUS" = 0 ]
	grep -q "second ro ok" "$BATS_TEST_TMPDIR/o"
}

@test "ubd: COW: ubd0=cow,base creates the COW file, writes land there, the base never changes" {
	need_umk
	make_image
	chmod a-w "$IMG"
	local cow=$BATS_TEST_TMPDIR/disk.cow sum
	sum=$(md5sum <"$IMG")
	ubd_boot 'mount -t ext4 /dev/ubda /mnt && cat /mnt/hello.txt; umount /mnt
echo COWDATA | dd of=/dev/ubda bs=1 seek=7000000 2>/dev/null; sync; poweroff -f' "ubd0=$cow,$IMG"
	cat "$UMK_OUT" "$UMK_ERR"
	[ "$UMK_STATUS" = 0 ]
	grep -qx "hello from ext4" "$UMK_OUT"
	[ -f "$cow" ]
	[ "$(md5sum <"$IMG")" = "$sum" ]
	# the COW file alone names its backing file
	ubd_boot 'dd if=/dev/ubda bs=1 skip=7000000 count=7 2>/dev/null; echo; poweroff -f' "ubd0=$cow"
	grep -qx COWDATA "$UMK_OUT"
	[ "$(md5sum <"$IMG")" = "$sum" ]
	# without the COW file the data is gone
	ubd_boot 'dd if=/dev/ubda bs=1 skip=7000000 count=7 2>/dev/null | od -c | head -1; poweroff -f' "ubd0r=$IMG"
	! grep -q COWDATA "$UMK_OUT"
}

# ubd_bg MODE SCRIPT [umk options...]: boot like ubd_boot but in the
# background (UMK_PID), with the console input a fifo the test holds open
# on fd 4: the guest can wait for the test with "read x" (ubd_finish ends
# it). ubd_until LINE waits for the guest to print LINE (or for umk to
# end: its timeout bounds the wait); the console is then in $UMK_OUT.
ubd_bg() {
	local mode=$1 script=$2 con=$BATS_TEST_TMPDIR/console
	shift 2
	UMK_OUT=$BATS_TEST_TMPDIR/umk.out
	UMK_ERR=$BATS_TEST_TMPDIR/umk.err
	rm -f "$con"
	: >"$UMK_OUT.raw"
	mkfifo "$con"
	UMK_ARGV=("$UMK_BIN" "mem=$UMK_MEM" root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS"
		init=/bin/sh "mode=$mode" quiet "$@" -- -c "$script")
	timeout -k 5 "$UMK_TIMEOUT" "${UMK_ARGV[@]}" <"$con" >"$UMK_OUT.raw" 2>"$UMK_ERR" 3>&- 4>&- &
	UMK_PID=$!
	exec 4>"$con"
}

ubd_until() {
	while ! tr -d '\r' <"$UMK_OUT.raw" | grep -qx -- "$1" && kill -0 "$UMK_PID" 2>/dev/null; do
		sleep 0.1
	done
	tr -d '\r' <"$UMK_OUT.raw" >"$UMK_OUT"
}

ubd_finish() {
	exec 4>&-
	UMK_STATUS=0
	wait "$UMK_PID" || UMK_STATUS=$?
	tr -d '\r' <"$UMK_OUT.raw" >"$UMK_OUT"
}

@test "ubd: while the I/O thread holds a request (UMK_UBD_GATE), its task waits in D and other guest processes run" {
	need_umk
	local img=$BATS_TEST_TMPDIR/data.img gate=$BATS_TEST_TMPDIR/gate mode script
	printf 'GATED-DATA' >"$img"
	truncate -s 1M "$img"
	# dd's one read is held at the gate; the shell waits until dd sleeps
	# in D (or ended: then the read was not held), then runs three new
	# processes and looks at dd again.
	script=$(
		cat <<'GUEST'
mount -t proc proc /proc
dd if=/dev/ubdb bs=10 count=1 2>/dev/null &
p=$!
while :; do
	s=gone
	read -r _ _ s _ 2>/dev/null </proc/$p/stat
	case $s in D | Z | gone) break ;; esac
done
echo "dd state: $s"
for i in 1 2 3; do sh -c 'echo "tick $0 from pid $$"' "$i"; done
s=gone
read -r _ _ s _ 2>/dev/null </proc/$p/stat
echo "dd state after ticks: $s"
echo TICKS-DONE
wait $p
echo
echo READ-DONE
poweroff -f
GUEST
	)
	for mode in $UMK_MODES; do
		rm -f "$gate"
		mkfifo "$gate"
		UMK_UBD_GATE=$gate ubd_bg "$mode" "$script" "ubd1=$img"
		ubd_until TICKS-DONE
		echo "--- $mode, request held:"
		cat "$UMK_OUT"
		grep -qx "dd state: D" "$UMK_OUT"
		[ "$(grep -c '^tick [1-3] from pid [0-9]*$' "$UMK_OUT")" = 3 ]
		[ "$(grep '^tick' "$UMK_OUT" | sort -u -k5 | wc -l)" = 3 ]
		grep -qx "dd state after ticks: D" "$UMK_OUT"
		[ "$(grep -c GATED-DATA "$UMK_OUT")" = 0 ]
		# open the gate: the read completes, then the guest powers off
		# shellcheck disable=SC2016
		timeout 10 sh -c 'printf x >"$1"' _ "$gate"
		ubd_finish
		echo "--- $mode, released:"
		cat "$UMK_OUT" "$UMK_ERR"
		[ "$UMK_STATUS" = 0 ]
		grep -qx GATED-DATA "$UMK_OUT"
		grep -qx READ-DONE "$UMK_OUT"
	done
}

@test "ubd: data written and fsync'd through /dev/ubdb is in the host file while the guest still runs (plain, COW, s flag)" {
	need_umk
	local img=$BATS_TEST_TMPDIR/plain.img base=$BATS_TEST_TMPDIR/base.img cow=$BATS_TEST_TMPDIR/disk.cow
	local merged=$BATS_TEST_TMPDIR/merged.img mode sum pid fd flags
	truncate -s 1M "$img"
	printf 'BASE-IMAGE' >"$base"
	truncate -s 1M "$base"
	chmod a-w "$base"
	sum=$(md5sum <"$base")
	# sector5 FILE: the text in sector 5 of FILE, without the padding
	sector5() { dd if="$1" bs=512 skip=5 count=1 2>/dev/null | tr -d '\0'; }
	# write WORD to sector 5 (conv=fsync: fsync before dd exits), say so, wait
	wscript() { printf 'echo %s | dd of=/dev/ubdb bs=512 seek=5 conv=sync%s 2>/dev/null && echo SYNCED\nread x\npoweroff -f\n' "$1" "$2"; }
	for mode in $UMK_MODES; do
		ubd_bg "$mode" "$(wscript "PLAIN-$mode" ,fsync)" "ubd1=$img"
		ubd_until SYNCED
		[ "$(sector5 "$img")" = "PLAIN-$mode" ]
		ubd_finish
		cat "$UMK_OUT" "$UMK_ERR"
		[ "$UMK_STATUS" = 0 ]

		rm -f "$cow" "$merged"
		ubd_bg "$mode" "$(wscript "COW-$mode" ,fsync)" "ubd1=$cow,$base"
		ubd_until SYNCED
		"$UMK_BUILD/umk-cow" merge "$cow" "$merged"
		[ "$(sector5 "$merged")" = "COW-$mode" ]
		[ "$(head -c 10 "$merged")" = BASE-IMAGE ]
		ubd_finish
		cat "$UMK_OUT" "$UMK_ERR"
		[ "$UMK_STATUS" = 0 ]
		[ "$(md5sum <"$base")" = "$sum" ]

		# s: the host file is open O_SYNC, and a write without fsync is there
		ubd_bg "$mode" "$(wscript "OSYNC-$mode" "")" "ubd1s=$img"
		ubd_until SYNCED
		[ "$(sector5 "$img")" = "OSYNC-$mode" ]
		pid=$(pgrep -P "$UMK_PID" -x umk)
		flags=
		for fd in /proc/"$pid"/fd/*; do
			[ "$(readlink "$fd")" = "$img" ] && flags=$(awk '/^flags:/ {print $2}' "/proc/$pid/fdinfo/${fd##*/}")
		done
		echo "flags of $img in umk: $flags"
		[ $((0$flags & 04010000)) = $((04010000)) ]
		ubd_finish
		[ "$UMK_STATUS" = 0 ]
	done
}

@test "ubd: a FIFO (or anything but a file or block device) is refused before anything is created" {
	need_umk
	make_image
	local fifo=$BATS_TEST_TMPDIR/fifo cow=$BATS_TEST_TMPDIR/new.cow e=$BATS_TEST_TMPDIR/e
	mkfifo "$fifo"
	# as backing file of a COW that does not exist yet: no COW file is made
	umk_run_timeout 10 "$BATS_TEST_TMPDIR/o" "$e" "$UMK_BIN" "ubd0=$cow,$fifo" "hostfs=$UMK_ROOTFS"
	cat "$e"
	[ "$UMK_STATUS" = 2 ] && [ "$(wc -l <"$e")" = 1 ]
	grep -q "backing file $fifo is a FIFO; expected a regular file or block device" "$e"
	[ ! -e "$cow" ]
	# as the image itself, read-only (opening it would block for ever)
	umk_run_timeout 10 "$BATS_TEST_TMPDIR/o" "$e" "$UMK_BIN" "ubd0r=$fifo" "hostfs=$UMK_ROOTFS"
	[ "$UMK_STATUS" = 2 ] && grep -q "$fifo is a FIFO" "$e"
	# a character device
	umk_run_timeout 10 "$BATS_TEST_TMPDIR/o" "$e" "$UMK_BIN" "ubd0=/dev/null" "hostfs=$UMK_ROOTFS"
	[ "$UMK_STATUS" = 2 ] && grep -q "/dev/null is a character device" "$e"
	# the next boot with a good backing file works (nothing half-made is in the way)
	umk_run_timeout 20 "$BATS_TEST_TMPDIR/o" "$e" "$UMK_BIN" "ubd0=$cow,$IMG" root=/dev/root rootfstype=hostfs \
		"hostfs=$UMK_ROOTFS" quiet init=/bin/sh -- -c 'echo cow ok; poweroff -f'
	[ "$UMK_STATUS" = 0 ] && grep -q "cow ok" "$BATS_TEST_TMPDIR/o"
}

@test "ubd: an image and a COW file on tmpfs (which has no RWF_NOWAIT) read and write as anywhere" {
	need_umk
	make_image
	local shm
	shm=$(mktemp -d /dev/shm/umk-ubd.XXXXXX) || skip "no /dev/shm"
	cp "$IMG" "$shm/disk.ext4"
	# the reads first try the host page cache without blocking; tmpfs
	# answers that with EOPNOTSUPP, which must mean "ask the thread",
	# not an I/O error (a fresh Debian in a tmpfs chroot met it at boot)
	ubd_boot 'mount -t ext4 /dev/ubda /mnt && cat /mnt/hello.txt && md5sum /mnt/sub/numbers
echo written >/mnt/new && sync && cat /mnt/new; umount /mnt; poweroff -f' "ubd0=$shm/disk.cow,$shm/disk.ext4"
	cat "$UMK_OUT" "$UMK_ERR"
	local want
	want=$(seq 1 20000 | md5sum | cut -d' ' -f1)
	rm -rf "$shm"
	[ "$UMK_STATUS" = 0 ]
	grep -qx 'hello from ext4' "$UMK_OUT"
	grep -q "^$want" "$UMK_OUT"
	grep -qx written "$UMK_OUT"
}
