#!/usr/bin/env bats
# Logging in on the console of the default image (busybox init, getty,
# login) through a host pty driven by expect (tests/bats/login.exp), in
# every trap mode: root + password at the login prompt, a few commands
# whose output is checked (bash job control, ps aux, top -bn1, free, id),
# then `poweroff`, which must end umk with status 0.

load ../lib.sh

setup_file() {
	# One private copy of the image: the session writes to it (history).
	export LOGIN_ROOT=$BATS_FILE_TMPDIR/root
	if [ -x "$UMK_ROOTFS/bin/busybox" ]; then
		rm -rf "$LOGIN_ROOT"
		cp -a "$UMK_ROOTFS" "$LOGIN_ROOT"
	fi
}

need_image() {
	[ -x "$UMK_BIN" ] || { echo "$UMK_BIN is not built"; false; }
	[ -f "$UMK_ROOTFS/etc/inittab" ] || { echo "$UMK_ROOTFS is not built or out of date (make rootfs)"; false; }
	command -v expect >/dev/null || { echo "expect is not installed (make deps)"; false; }
}

# section FILE N: the cleaned output of command N of a session log.
section() {
	awk -v n="$2" '$0 == "@@BEGIN " n { on = 1; next } on && $0 ~ "^@@END " n " " { exit } on { print }' "$1"
}
# status FILE N: the exit status of command N.
cmd_status() {
	sed -n "s/^@@END $2 \([0-9]*\)\$/\1/p" "$1" | head -n 1
}

# login_session MODE USER PASSWORD CMD...: logs in and runs CMDs; the
# cleaned session (CRs and terminal escapes removed) in $LOG, expect's
# exit status (umk's, after poweroff) in $LOGIN_STATUS.
login_session() {
	local mode=$1 user=$2 pass=$3
	shift 3
	LOG=$BATS_TEST_TMPDIR/session.$mode
	printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/cmds"
	umk_cmdline "$mode" "$LOGIN_ROOT" /sbin/init
	LOGIN_STATUS=0
	timeout -k 5 240 expect -f "$BATS_TEST_DIRNAME/login.exp" "$user" "$pass" "$BATS_TEST_TMPDIR/cmds" \
		"${UMK_ARGV[@]}" </dev/null >"$LOG.raw" 2>&1 || LOGIN_STATUS=$?
	sed 's/\r//g; s/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1b[()][0-9A-B]//g' "$LOG.raw" >"$LOG"
}

explain() {
	echo "=== mode=$1: $2 (expect/umk status $LOGIN_STATUS)"
	echo "--- session (last 60 lines) ---"
	tail -n 60 "$LOG"
	echo "---"
}

@test "login: root logs in on the console, runs bash job control, ps, top, free; poweroff returns 0 (every mode)" {
	need_image
	local failed="" mode out
	for mode in $UMK_MODES; do
		login_session "$mode" root umk \
			"t0=\$(date +%s); bash -c 'sleep 10 & jobs; kill %1; wait'; echo \"jobs took \$((\$(date +%s) - t0))s\"" \
			"ps aux" \
			"top -bn1" \
			"free" \
			"id; hostname; echo \"shell \$0\"" \
			"cat /proc/mounts; echo fs: \$(grep -v nodev /proc/filesystems) \$(sed -n 's/^nodev\t//p' /proc/filesystems)"
		local bad=""
		[ "$LOGIN_STATUS" = 0 ] || bad="$bad; exit status $LOGIN_STATUS, want 0 after poweroff"
		# 1: job control in a non-interactive bash
		out=$(section "$LOG" 1)
		grep -Eq '^\[1\]\+ +Running +sleep 10 &$' <<<"$out" || bad="$bad; jobs did not list '[1]+ Running sleep 10 &'"
		local took
		took=$(sed -n 's/^jobs took \([0-9]*\)s$/\1/p' <<<"$out")
		{ [ -n "$took" ] && [ "$took" -lt 9 ]; } || bad="$bad; kill %1 did not end the sleep early (took '${took}'s)"
		[ "$(cmd_status "$LOG" 1)" = 0 ] || bad="$bad; job-control command status $(cmd_status "$LOG" 1)"
		# 2: ps aux
		out=$(section "$LOG" 2)
		grep -Eq '^USER +PID +%CPU +%MEM +VSZ +RSS +TTY +STAT +START +TIME +COMMAND$' <<<"$out" || bad="$bad; ps aux header"
		grep -Eq '^root +1 .* init' <<<"$out" || bad="$bad; ps aux has no init as pid 1"
		grep -Eq '^root +[0-9]+ .* -bash$' <<<"$out" || bad="$bad; ps aux has no -bash login shell"
		grep -Eq '^root +[0-9]+ .* ps aux$' <<<"$out" || bad="$bad; ps aux does not list itself"
		[ "$(cmd_status "$LOG" 2)" = 0 ] || bad="$bad; ps aux status $(cmd_status "$LOG" 2)"
		# 3: top in batch mode
		out=$(section "$LOG" 3)
		grep -Eq '^top - [0-9]+:[0-9]+:[0-9]+ up .*load average' <<<"$out" || bad="$bad; top summary line"
		grep -Eq '^Tasks: +[0-9]+ total, +[0-9]+ running' <<<"$out" || bad="$bad; top Tasks: line"
		grep -Eq '^MiB Mem : +[0-9.]+ total' <<<"$out" || bad="$bad; top MiB Mem line"
		grep -Eq '^ +PID USER +PR +NI' <<<"$out" || bad="$bad; top task header"
		grep -Eq ' top$' <<<"$out" || bad="$bad; top does not list itself"
		[ "$(cmd_status "$LOG" 3)" = 0 ] || bad="$bad; top status $(cmd_status "$LOG" 3)"
		# 4: free: total no more than mem=, and more than half of it
		out=$(section "$LOG" 4)
		local total memk
		memk=$((${UMK_MEM%M} * 1024))
		total=$(awk '$1 == "Mem:" { print $2 }' <<<"$out")
		{ [ -n "$total" ] && [ "$total" -le "$memk" ] && [ "$total" -gt $((memk / 2)) ]; } ||
			bad="$bad; free: Mem total '$total' KiB, want up to $memk"
		grep -Eq '^Swap: +0 +0 +0$' <<<"$out" || bad="$bad; free: Swap line"
		# 5: who we are
		out=$(section "$LOG" 5)
		grep -qx 'uid=0(root) gid=0(root) groups=0(root)' <<<"$out" || bad="$bad; id is not root"
		grep -qx 'umk' <<<"$out" || bad="$bad; hostname is not umk (/etc/hostname)"
		grep -qx 'shell -bash' <<<"$out" || bad="$bad; login shell is not -bash"
		# 6: rcS mounted what the kernel has, each once
		out=$(section "$LOG" 6)
		local fs
		fs=" $(sed -n 's/^fs: //p' <<<"$out") "
		[ "$(grep -c ' /proc proc ' <<<"$out")" = 1 ] || bad="$bad; /proc is not mounted exactly once"
		case $fs in *" tmpfs "*)
			grep -q '^tmpfs /tmp tmpfs ' <<<"$out" || bad="$bad; rcS did not mount tmpfs on /tmp"
			grep -q '^tmpfs /run tmpfs ' <<<"$out" || bad="$bad; rcS did not mount tmpfs on /run" ;;
		esac
		case $fs in *" sysfs "*)
			[ "$(grep -c ' /sys sysfs ' <<<"$out")" = 1 ] || bad="$bad; /sys is not mounted exactly once" ;;
		esac
		# the shutdown actions ran
		grep -q 'umk: shutting down' "$LOG" || bad="$bad; /etc/init.d/rcK did not run"
		if [ -n "$bad" ]; then
			explain "$mode" "${bad#; }"
			failed="$failed $mode"
		else
			echo "# mode=$mode: logged in, 6 commands, powered off" >&3
		fi
	done
	[ -z "$failed" ] || { echo "FAILED in mode(s):$failed"; false; }
}

@test "login: a wrong password is refused, the prompt comes back, the right one works" {
	need_image
	local mode=${UMK_MODES%% *}
	umk_cmdline "$mode" "$LOGIN_ROOT" /sbin/init
	LOG=$BATS_TEST_TMPDIR/badpw
	LOGIN_STATUS=0
	cat >"$BATS_TEST_TMPDIR/badpw.exp" <<'EOF2'
		set timeout 40
		spawn -noecho {*}$argv
		expect "login: "; send "root\r"
		expect "assword: "; send "wrong\r"
		expect {
			"Login incorrect" {}
			timeout { puts "@@NO-REFUSAL"; exec kill -KILL [exp_pid]; exit 2 }
		}
		expect {
			"login: " {}
			timeout { puts "@@NO-NEW-PROMPT"; exec kill -KILL [exp_pid]; exit 3 }
		}
		send "root\r"
		expect "assword: "; send "umk\r"
		expect {
			-re {# $} {}
			timeout { puts "@@NO-SHELL-ON-RETRY"; exec kill -KILL [exp_pid]; exit 4 }
		}
		send "poweroff\r"
		set timeout 60
		expect {
			eof {}
			timeout { puts "@@NO-POWEROFF"; exec kill -KILL [exp_pid]; exit 5 }
		}
		exit [lindex [wait] 3]
EOF2
	timeout -k 5 120 expect -f "$BATS_TEST_TMPDIR/badpw.exp" "${UMK_ARGV[@]}" </dev/null >"$LOG.raw" 2>&1 || LOGIN_STATUS=$?
	sed 's/\r//g' "$LOG.raw" >"$LOG"
	[ "$LOGIN_STATUS" = 0 ] || { explain "$mode" "want: wrong password refused, login prompt again, right password logs in, poweroff exits 0"; false; }
}

# A tiny static probe: does rt_sigtimedwait return a SIGCHLD that is blocked
# with the default (ignore) action? busybox init waits for its children so.
sigchld_probe() {
	local mode=$1 src=$BATS_TEST_TMPDIR/probe.c
	cat >"$src" <<'EOF2'
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	sigprocmask(SIG_BLOCK, &s, NULL);
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	struct timespec ts = { 3, 0 };
	int r = sigtimedwait(&s, NULL, &ts);
	waitpid(p, NULL, 0);
	printf("probe: %s\n", r == SIGCHLD ? "sigchld-ok" : "sigchld-lost");
	return 0;
}
EOF2
	gcc -static -O2 -o "$LOGIN_ROOT/sigchld-probe" "$src" || return 0
	umk_boot "$mode" "$LOGIN_ROOT" /bin/sh -c '/sigchld-probe; poweroff -f'
	rm -f "$LOGIN_ROOT/sigchld-probe"
	! grep -q '^probe: sigchld-lost' "$UMK_OUT"
}

@test "login: after logout, init respawns getty and the next login works" {
	need_image
	local mode=${UMK_MODES%% *}
	sigchld_probe "$mode" ||
		skip "needs rt_sigtimedwait to return a blocked SIG_DFL SIGCHLD (busybox init reaps children with it); umk drops it"
	umk_cmdline "$mode" "$LOGIN_ROOT" /sbin/init
	LOG=$BATS_TEST_TMPDIR/relogin
	LOGIN_STATUS=0
	cat >"$BATS_TEST_TMPDIR/relogin.exp" <<'EOF2'
		set timeout 40
		spawn -noecho {*}$argv
		expect "login: "; send "root\r"
		expect "assword: "; send "umk\r"
		expect -re {# $}; send "exit\r"
		expect {
			"login: " {}
			timeout { puts "@@NO-LOGIN-PROMPT-AFTER-LOGOUT"; exec kill -KILL [exp_pid]; exit 2 }
		}
		send "root\r"
		expect "assword: "; send "umk\r"
		expect {
			-re {# $} {}
			timeout { puts "@@NO-SHELL"; exec kill -KILL [exp_pid]; exit 3 }
		}
		send "poweroff\r"
		set timeout 60
		expect {
			eof {}
			timeout { puts "@@NO-POWEROFF"; exec kill -KILL [exp_pid]; exit 4 }
		}
		exit [lindex [wait] 3]
EOF2
	timeout -k 5 150 expect -f "$BATS_TEST_TMPDIR/relogin.exp" "${UMK_ARGV[@]}" </dev/null >"$LOG.raw" 2>&1 || LOGIN_STATUS=$?
	sed 's/\r//g' "$LOG.raw" >"$LOG"
	[ "$LOGIN_STATUS" = 0 ] || { explain "$mode" "want: logout, a new login prompt, login again, poweroff exits 0"; false; }
}
