#!/usr/bin/env bats
# The promise of README.md, tried as a new user would: on a fresh Debian 12
# (a debootstrap --variant=minbase bookworm chroot plus make, nothing
# else) holding a clean clone of this tree, `make test` and `make run`
# install what is missing, build everything and work. Each command starts
# from its own pristine chroot, so each one alone must install its tools:
#   - `make -j2 test TESTS=tests/bats/boot.bats` ends with
#     "N passed, 0 failed" (a quick subset; -j2 as a developer would);
#   - `make run` (plain, as README says), driven by expect
#     (tests/bats/login.exp): log in as root/umk, run a command in the
#     shell, poweroff, status 0; and the image built on the way lacks
#     none of its programs.
# Needs root (chroot, mounts) and Debian's mirror (the one the host's apt
# uses); without them the tests are skipped and the summary says so.
# The chroot helper, its cache and its mounts: tests/bats/fresh-debian.sh.

FRESH=$BATS_TEST_DIRNAME/fresh-debian.sh
TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup_file() {
	export FRESH_SKIP=
	if [ -n "${UMK_IN_FRESH_DEBIAN:-}" ]; then
		FRESH_SKIP="already inside the fresh-Debian chroot"
	elif [ "$(id -u)" != 0 ]; then
		FRESH_SKIP="needs root (debootstrap, chroot, mounts)"
	elif ! command -v debootstrap >/dev/null || ! command -v git >/dev/null; then
		return 0 # each test fails, saying so
	else
		local m
		m=$(bash "$FRESH" mirror)
		if ! wget -q -T 20 -t 2 -O /dev/null "$m/dists/bookworm/Release"; then
			FRESH_SKIP="Debian's mirror $m cannot be reached"
		else
			# the minimal system, made once per machine (cached)
			local t0=$SECONDS
			if ! bash "$FRESH" base >"$BATS_FILE_TMPDIR/base.log" 2>&1; then
				export FRESH_BASE_FAILED=1
			fi
			echo "# fresh-debian: minimal system ready in $((SECONDS - t0)) s ($(tail -n 1 "$BATS_FILE_TMPDIR/base.log"))" >&3
		fi
	fi
}

setup() {
	[ -z "$FRESH_SKIP" ] || skip "$FRESH_SKIP"
	command -v debootstrap >/dev/null || { echo "debootstrap is not installed (make deps)"; false; }
	command -v git >/dev/null || { echo "git is not installed"; false; }
	[ -z "${FRESH_BASE_FAILED:-}" ] || { cat "$BATS_FILE_TMPDIR/base.log"; false; }
	# The chroot's mount point: its tmpfs and every other mount exist
	# only in fresh-debian.sh's private mount namespace, so on the host
	# this stays an empty directory.
	ROOT=$BATS_TEST_TMPDIR/root
	mkdir "$ROOT"
}

teardown() {
	# nothing may be left mounted below the chroot, nor in it
	[ -n "${ROOT:-}" ] || return 0
	! grep -q " $ROOT[/ ]" /proc/self/mountinfo
	[ -z "$(ls -A "$ROOT")" ]
}

# show LOG: the end of a log, for a failure.
show() {
	echo "--- $1 (last 60 lines) ---"
	tail -n 60 "$1"
	echo "---"
}

@test "fresh Debian 12 (minbase + make): make test installs what is missing, builds and passes (boot.bats)" {
	local log=$BATS_TEST_TMPDIR/make-test.log t0=$SECONDS rc=0
	timeout -k 10 900 bash "$FRESH" run "$ROOT" "$TOP" 'make -j2 test TESTS=tests/bats/boot.bats' \
		</dev/null >"$log" 2>&1 || rc=$?
	echo "# fresh-debian: make test took $((SECONDS - t0)) s" >&3
	local last
	last=$(tail -n 1 "$log")
	grep -q '^install-deps: installing:' "$log" || { show "$log"; echo "make test did not install anything: not a fresh system?"; false; }
	if [ "$rc" != 0 ] || ! [[ $last =~ ^[1-9][0-9]*\ passed,\ 0\ failed$ ]]; then
		show "$log"
		echo "want status 0 and a last line 'N passed, 0 failed'; status $rc, last line '$last'"
		false
	fi
}

@test "fresh Debian 12 (minbase + make): make run installs, builds and boots to a shell; poweroff returns 0" {
	local log=$BATS_TEST_TMPDIR/make-run.log t0=$SECONDS rc=0
	printf '%s\n' 'echo "shell: $((6 * 7)) $(id -un)@$(hostname)"' >"$BATS_TEST_TMPDIR/cmds"
	UMK_LOGIN_WAIT=840 timeout -k 10 900 expect -f "$BATS_TEST_DIRNAME/login.exp" root umk "$BATS_TEST_TMPDIR/cmds" \
		bash "$FRESH" run "$ROOT" "$TOP" 'make run' </dev/null >"$log.raw" 2>&1 || rc=$?
	sed 's/\r//g; s/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1b[()][0-9A-B]//g' "$log.raw" >"$log"
	echo "# fresh-debian: make run to poweroff took $((SECONDS - t0)) s" >&3
	grep -q '^install-deps: installing:' "$log" || { show "$log"; echo "make run did not install anything: not a fresh system?"; false; }
	if [ "$rc" != 0 ] || ! grep -qx 'shell: 42 root@umk' "$log" || ! grep -qx '@@END 1 0' "$log"; then
		show "$log"
		echo "want the line 'shell: 42 root@umk' from the guest's shell and status 0 after poweroff; status $rc"
		false
	fi
	# the image has every program it lists: install-deps.sh brought them
	if grep 'left out' "$log"; then
		echo "rootfs/build-rootfs.sh left programs out: their packages are missing from scripts/install-deps.sh"
		false
	fi
}
