#!/usr/bin/env bats
# Debian's python3 in the default image (rootfs/build-rootfs.sh), booted
# as `make run` boots it: build/rootfs.ext4 through a fresh COW file, in
# every trap mode. tests/bats/python-pools.py (process pools whose workers
# are forked and reaped by different threads, a subprocess pipeline from
# a thread, the extension modules) must print what the host's python3
# prints, and the image's hash-checked byte code must be used as it is.

load ../lib.sh

PY_SCRIPT=$BATS_TEST_DIRNAME/python-pools.py
PY_IMAGE=$UMK_BUILD/rootfs.ext4

need_python() {
	[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 on the host (make deps installs it)"
	[ -x "$UMK_BIN" ] || { echo "$UMK_BIN is not built"; false; }
	[ -f "$PY_IMAGE" ] || { echo "$PY_IMAGE is not built (make rootfs)"; false; }
	[ -x "$UMK_ROOTFS/usr/bin/python3" ] || { echo "the default image has no python3 (make rootfs after make deps)"; false; }
}

# py_boot MODE: the script as `python3 -c` in the default image; its output
# between the PY-BEGIN/PY-EXIT markers in $BATS_TEST_TMPDIR/got.MODE, then
# the number of files python wrote under /usr/lib/python3.X.
py_boot() {
	local cow=$BATS_TEST_TMPDIR/py-$1.cow prog
	prog=$(cat "$PY_SCRIPT")
	rm -f "$cow"
	# rcS mounts /proc, /dev/shm (POSIX semaphores) and the rest, as at boot
	UMK_MEM=256M UMK_ROOT_UBD="$cow,$PY_IMAGE" umk_boot "$1" /nonexistent /bin/sh -c '
		/etc/init.d/rcS >/dev/null 2>&1
		export PATH=/usr/bin:/bin:/usr/sbin:/sbin LC_ALL=C HOME=/root
		cd /root
		echo "=== PY-BEGIN"
		/usr/bin/python3 -c "$0" 2>&1
		echo "=== PY-EXIT $?"
		echo "written under /usr/lib/python3: $(find /usr/lib/python3.* -newer /etc/inittab | wc -l)"
		poweroff -f' "$prog"
	awk '/^=== PY-BEGIN$/{on=1; next} on{print} /^=== PY-EXIT /{if(on) exit}' "$UMK_OUT" >"$BATS_TEST_TMPDIR/got.$1"
}

@test "python: Pool(maxtasksperchild), ProcessPoolExecutor, a subprocess pipeline from a thread: as the host's python3 (every mode)" {
	need_python
	local want=$BATS_TEST_TMPDIR/want failed="" mode rc=0
	# -c as in the guest: __main__ is the command line's program
	(cd / && env -i PATH=/usr/bin:/bin LC_ALL=C timeout 60 /usr/bin/python3 -c "$(cat "$PY_SCRIPT")") >"$want" 2>&1 || rc=$?
	echo "=== PY-EXIT $rc" >>"$want"
	[ "$rc" = 0 ] || { echo "the host's python3 fails:"; cat "$want"; false; }
	for mode in $UMK_MODES; do
		py_boot "$mode"
		if ! diff -u --label "host python3" --label "umk mode=$mode" "$want" "$BATS_TEST_TMPDIR/got.$mode"; then
			failed="$failed $mode"
			umk_explain
		elif [ "$UMK_STATUS" != 0 ]; then
			failed="$failed $mode"
			echo "mode=$mode: umk exited with $UMK_STATUS (want 0 after poweroff -f)"
			umk_explain
		elif ! grep -qx 'written under /usr/lib/python3: 0' "$UMK_OUT"; then
			failed="$failed $mode"
			echo "mode=$mode: python3 wrote byte code into the image (stale .pyc files?)"
			grep '^written under' "$UMK_OUT"
		fi
	done
	[ -z "$failed" ] || { echo "FAILED in mode(s):$failed"; false; }
}

@test "python: the image holds the host's python3 and hash-checked byte code for its standard library" {
	need_python
	local py
	py=$(readlink -f /usr/bin/python3)
	cmp "$py" "$UMK_ROOTFS/usr/bin/${py##*/}"
	[ "$(readlink "$UMK_ROOTFS/usr/bin/python3")" = "${py##*/}" ]
	local lib=$UMK_ROOTFS/usr/lib/${py##*/}
	[ -f "$lib/multiprocessing/pool.py" ]
	[ -f "$lib/concurrent/futures/process.py" ]
	[ ! -e "$lib/test" ]
	# PEP 552 header: flags word 3 = hash-based, checked against the source
	local pyc
	pyc=$(find "$lib/multiprocessing/__pycache__" -name 'pool.*.pyc')
	[ -n "$pyc" ]
	[ "$(od -An -tu4 -j4 -N4 "$pyc" | tr -d ' ')" = 3 ]
	# every module has its byte code
	local missing
	missing=$(cd "$lib" && find . -name '*.py' | while read -r f; do
		ls "$(dirname "$f")/__pycache__/$(basename "$f" .py)".*.pyc >/dev/null 2>&1 || echo "$f"
	done)
	[ -z "$missing" ] || { echo "no byte code for: $missing"; false; }
}
