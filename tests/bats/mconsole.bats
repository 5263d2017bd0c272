#!/usr/bin/env bats
# The management console (Documentation/mconsole.md): every command
# through Debian's uml_mconsole (UML's own client, unchanged) and through
# umk-mconsole; stop/go; halt, reboot and cad end the machine with the
# statuses command-line.md gives; the notify socket hears the boot, a
# panic and the stop; malformed and foreign datagrams hurt nothing.

load ../lib.sh
load mconsole-lib.bash

setup() {
	need_machine_tools
}

teardown() {
	teardown_machine
}

need_uml_mconsole() {
	command -v uml_mconsole >/dev/null || skip "uml_mconsole (uml-utilities) not installed"
}

@test "uml_mconsole: version, help, log, proc, sysrq, config queries, errors" {
	need_uml_mconsole
	start_machine mc1
	run uml version
	echo "$output"
	[[ $output == "OK Linux umk 6.1.0-umk "*" x86_64" ]]
	run uml help
	[[ $output == "OK Commands:"* ]]
	for c in version help halt reboot config remove sysrq cad stop go log proc; do
		grep -q "^    $c" <<<"$output"
	done
	run uml log hello-from-the-host
	[ "$status" = 0 ] && [[ $output == "OK "* ]]
	guest_run 'dmesg | grep -c hello-from-the-host'
	[ "$GOT" = 1 ]
	run uml proc meminfo
	[[ $output == "OK MemTotal:"* ]]
	grep -q '^SUnreclaim:' <<<"$output"
	# a long file comes in several datagrams, whole
	guest_run 'wc -l </proc/1/maps'
	run uml proc 1/maps
	echo "guest: $GOT lines; mconsole: $(wc -l <<<"$output")"
	[ "$(wc -l <<<"$output")" -ge "$GOT" ] && [ "$GOT" -gt 5 ]
	run uml proc nosuchfile
	[[ $output == "ERR proc nosuchfile: No such file or directory" ]]
	# beneath the guest's /proc only
	run uml proc ../../etc/shadow
	[[ $output == "ERR "* ]]
	run uml sysrq m
	[[ $output == "OK "*"sysrq: show-memory-usage"*"Mem-Info:"* ]]
	run uml config con0
	[ "$output" = "OK fd:0,fd:1" ]
	run uml config ubd5
	[ "$output" = "ERR ubd5: no such device" ]
	run uml config nosuch0
	[[ $output == "ERR Bad configuration option: nosuch0"* ]]
	run uml frobnicate
	[ "$output" = "ERR Unknown command 'frobnicate'" ]
	run uml sysrq
	[[ $output == "ERR sysrq takes one key"* ]]
}

@test "umk-mconsole: the same commands, bare text, exit status 0 done, 1 refused, 2 usage, 3 unreachable" {
	start_machine mc2
	run mc version
	[ "$status" = 0 ] && [[ $output == "Linux umk 6.1.0-umk "* ]]
	run mc proc uptime
	[ "$status" = 0 ] && [[ $output =~ ^[0-9]+\.[0-9]+\ [0-9]+\.[0-9]+$ ]]
	run mc log from umk-mconsole
	[ "$status" = 0 ]
	guest_run 'dmesg | grep -c "from umk-mconsole"'
	[ "$GOT" = 1 ]
	run mc sysrq t
	[ "$status" = 0 ] && [[ $output == *"show-task-states"*" sh"* ]]
	run mc help
	[ "$status" = 0 ] && grep -q "proc <file>" <<<"$output"
	run mc config ubd3
	[ "$status" = 1 ] && [ "$output" = "ubd3: no such device" ]
	run mc proc /nonexistent
	[ "$status" = 1 ]
	run mc bogus
	[ "$status" = 1 ] && [ "$output" = "Unknown command 'bogus'" ]
	run "$MCONSOLE" -d "$UMLDIR" nosuchmachine version
	[ "$status" = 3 ] && [[ $output == *"nosuchmachine: no such machine"* ]]
	run "$MCONSOLE" -t 0 mc2 version
	[ "$status" = 2 ]
	run "$MCONSOLE"
	[ "$status" = 2 ]
	# a socket path works too, and commands from stdin
	run bash -c "printf 'version\nproc loadavg\n' | '$MCONSOLE' '$UMLDIR/mc2/mconsole'"
	[ "$status" = 0 ] && [ "$(wc -l <<<"$output")" = 2 ]
	# completion-friendly lists
	run "$MCONSOLE" commands
	[ "$status" = 0 ] && grep -qx sysrq <<<"$output" && grep -qx config <<<"$output"
	run "$MCONSOLE" -d "$UMLDIR" list
	[ "$output" = mc2 ]
	run "$MCONSOLE" -d "$UMLDIR" list -l
	[[ $output == "mc2	$GUEST	$UMLDIR/mc2/mconsole" ]]
}

@test "stop freezes the whole machine (only mconsole answers), go resumes it: every trap mode, both clients" {
	need_uml_mconsole
	local mode n1 n2
	for mode in $UMK_MODES; do
		echo "== mode=$mode"
		start_machine "mc3$mode" "mode=$mode"
		echo 'while :; do echo tick; sleep 0.1; done &' >&7
		guest_wait tick
		if [ "$mode" = skas ]; then run mc stop; [ "$status" = 0 ]; else run uml stop; [ "$output" = "OK " ]; fi
		sleep 0.3
		n1=$(grep -c tick "$OUT")
		sleep 1.5
		n2=$(grep -c tick "$OUT")
		echo "ticks while stopped: $n1 -> $n2"
		[ "$n1" = "$n2" ]
		# what needs the machine waits; what does not answers
		run uml version
		[[ $output == "OK Linux"* ]]
		run mc proc meminfo
		[ "$status" = 1 ] && [[ $output == *"stopped"* ]]
		run uml stop
		[[ $output == "ERR "* ]]
		run mc stop
		[ "$status" = 1 ]
		if [ "$mode" = skas ]; then run mc go; [ "$status" = 0 ]; else run uml go; [ "$output" = "OK " ]; fi
		sleep 1
		n2=$(grep -c tick "$OUT")
		echo "after go: $n2"
		[ "$n2" -gt $((n1 + 3)) ]
		run uml go
		[ "$output" = "ERR the machine is not stopped" ]
		run mc go
		[ "$status" = 1 ] && [ "$output" = "the machine is not stopped" ]
		run mc halt
		wait_exit 20
		[ "$STATUS" = 0 ]
	done
}

# stop_with_disk CLIENT CMD UMID: a machine with an ext4 disk mounted and
# written is stopped by CLIENT (uml or mc) with CMD; its status in STATUS.
stop_with_disk() {
	local client=$1 cmd=$2 img=$BATS_TEST_TMPDIR/$3.img
	truncate -s 16M "$img"
	mke2fs -q -F -t ext4 "$img"
	start_machine "$3" "ubd1=$img"
	[ -d "$UMLDIR/$3" ]
	guest_run 'mkdir -p /tmp/d && mount /dev/ubdb /tmp/d && echo before-the-stop >/tmp/d/f && echo mounted'
	[ "$GOT" = mounted ]
	run "$client" "$cmd"
	echo "$output"
	[ "$status" = 0 ]
	wait_exit 20
	# the kernel's shutdown path wrote it out clean: nothing to replay
	dumpe2fs -h "$img" 2>/dev/null | grep -q "^Filesystem state: *clean$"
	[ -z "$(dumpe2fs -h "$img" 2>/dev/null | grep needs_recovery)" ]
	e2fsck -fn "$img"
	[ "$(debugfs -R "cat /f" "$img" 2>/dev/null)" = before-the-stop ]
	[ ! -e "$UMLDIR/$3" ]
}

@test "halt: status 0, reboot: status 3, through both clients; a mounted disk is written out clean; the instance directory goes" {
	need_uml_mconsole
	command -v mke2fs >/dev/null || skip "mke2fs (e2fsprogs) not installed"
	stop_with_disk uml halt mc4
	[ "$STATUS" = 0 ]
	grep -q "reboot: System halted" "$ERR"
	stop_with_disk mc halt mc4b
	[ "$STATUS" = 0 ]
	stop_with_disk uml reboot mc5
	[ "$STATUS" = 3 ]
	grep -q "reboot: Restarting system" "$ERR"
	stop_with_disk mc reboot mc5b
	[ "$STATUS" = 3 ]
}

@test "cad: busybox init runs its ctrlaltdel action (reboot, status 3); without init's say, a restart at once" {
	need_uml_mconsole
	# the default image's init: ::ctrlaltdel:/sbin/reboot
	UMLDIR=$BATS_TEST_TMPDIR/uml UMID=cad
	OUT=$BATS_TEST_TMPDIR/cad.out
	"$UMK_BIN" mem=128M root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" umid=cad "uml_dir=$UMLDIR" \
		</dev/null >"$OUT" 2>&1 &
	GUEST=$!
	guest_wait "login:"
	run uml cad
	[ "$output" = "OK " ]
	wait_exit 30
	[ "$STATUS" = 3 ]
	grep -q "umk: shutting down" "$OUT"	# rcK ran: an orderly reboot
	# init=/bin/sh never turns Ctrl-Alt-Del off: Linux restarts at once
	start_machine cad2
	run mc cad
	wait_exit 20
	[ "$STATUS" = 3 ]
	grep -q "Restarting system (Ctrl-Alt-Del)" "$ERR"
}

@test "sysrq: through mconsole and /proc/sysrq-trigger, as Linux's keys" {
	start_machine mc6
	run mc sysrq h
	[[ $output == *"sysrq: HELP :"*"show-task-states(t)"* ]]
	run mc sysrq w
	[[ $output == *"show-blocked-tasks"* ]]
	guest_run 'echo s > /proc/sysrq-trigger; dmesg | grep -c "Emergency Sync complete"'
	[ "$GOT" = 1 ]
	guest_run 'sleep 100 & echo e > /proc/sysrq-trigger; sleep 0.2; pgrep -c "^sleep" || true'
	[ "$GOT" = 0 ]
	run mc sysrq o
	wait_exit 20
	[ "$STATUS" = 0 ]
}

# listen SOCKET OUT: a notify listener (wire format checked in python,
# independently of umk's own headers) writing "TYPE TEXT" lines.
notify_listener() {
	rm -f "$1"
	python3 - "$1" "$2" <<'EOF' &
import socket, struct, sys, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
names = {0: "socket", 1: "panic", 2: "hang", 3: "user"}
with open(sys.argv[2], "w") as out:
    while True:
        d = s.recv(4096)
        magic, version, typ, n = struct.unpack("=IIII", d[:16])
        assert magic == 0xCAFEBABE and version == 2 and len(d) == 16 + n, d
        text = d[16:16 + n].rstrip(b"\0").decode()
        out.write("%s %s\n" % (names.get(typ, typ), text))
        out.flush()
        if text.startswith("stop "):
            break
EOF
	LISTENER=$!
	local i
	for i in $(seq 1 50); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	false
}

@test "mconsole=notify: hears the boot (the mconsole socket), a panic, and the stop with umk's status" {
	command -v python3 >/dev/null || skip "python3 not installed"
	local sock=$BATS_TEST_TMPDIR/notify.sock log=$BATS_TEST_TMPDIR/notify.log
	notify_listener "$sock" "$log"
	start_machine mc7 "mconsole=notify:$sock"
	grep -qx "socket $UMLDIR/mc7/mconsole" "$log"
	run mc halt
	wait_exit 20
	wait "$LISTENER"
	cat "$log"
	[ "$(sed -n 2p "$log")" = "user stop 0" ]
	# a panic: its message, then the stop (status 1)
	notify_listener "$sock" "$log"
	start_machine mc8 "mconsole=notify:$sock"
	run mc sysrq c
	wait_exit 20
	[ "$STATUS" = 1 ]
	wait "$LISTENER"
	cat "$log"
	[ "$(sed -n 2p "$log")" = "panic sysrq triggered crash" ]
	[ "$(sed -n 3p "$log")" = "user stop 1" ]
	# a bad option value is one line
	run "$UMK_BIN" mconsole=bogus
	[ "$status" = 2 ] && [[ $output == *"expected mconsole=notify:SOCKET"* ]]
}

@test "hostile datagrams: malformed, oversized, old versions, passed descriptors, a flood, another user; umk answers on" {
	command -v python3 >/dev/null || skip "python3 not installed"
	start_machine mc9
	python3 - "$UMLDIR/mc9/mconsole" <<'EOF'
import socket, struct, sys, os, array
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0umk-hostile-%d" % os.getpid())
s.settimeout(5)
def req(data):
    s.sendto(data, path)
def reply():
    d = s.recv(8192)
    return d
def v2(text, version=2, magic=0xCAFEBABE, length=None):
    b = text.encode() if isinstance(text, str) else text
    return struct.pack("=III", magic, version, len(b) if length is None else length) + b
def expect_err(data, what):
    req(data)
    d = reply()
    err, more, n = struct.unpack("=III", d[:12])
    assert err == 1 and more == 0 and len(d) == 12 + n, (what, d)
    print("refused:", what, d[12:12 + n - 1].decode())
expect_err(struct.pack("=I", 0xCAFEBABE) + b"x", "shorter than a header")
expect_err(v2("version", version=3), "version 3")
expect_err(v2("version", length=600), "length past the limit")
expect_err(v2("version", length=100), "length past the datagram")
expect_err(v2("ver\x01sion"), "a control character")
expect_err(v2("ver\0sion"), "a NUL inside")
expect_err(v2(b"\xff\xfe"), "not ASCII")
expect_err(v2("x" * 511) + b"y" * 5000, "an oversized datagram")
req(b"version\0")      # an old-style (version 0) client gets plain text
assert reply().startswith(b"ERROR: Old-style"), "v0"
# descriptors passed along are closed, not kept
r, w = os.pipe()
s.sendmsg([v2("version")], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [r, w]))], 0, path)
assert struct.unpack("=III", reply()[:12])[0] == 0
# a flood of junk, then a real request is still answered
for i in range(2000):
    try:
        s.sendto(os.urandom(i % 600), path)
    except BlockingIOError:
        pass
    except OSError:
        pass
s.settimeout(0.2)
try:
    while True:
        s.recv(8192)
except OSError:
    pass
s.settimeout(10)
req(v2("version"))
while True:
    d = reply()
    if d[12:19] == b"Linux u":
        break
print("still answering")
# an unbound sender cannot be answered, and does no harm
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
u.sendto(v2("version"), path)
EOF
	run mc version
	[ "$status" = 0 ]
	# the descriptors sent were not kept by umk
	local fds
	fds=$(ls "/proc/$GUEST/fd" | wc -l)
	echo "umk has $fds descriptors open"
	[ "$fds" -lt 40 ]
	# another user: refused by the directory's mode, and by the credentials
	if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
		chmod 0755 "$UMLDIR" "$UMLDIR/mc9"
		chmod 0777 "$UMLDIR/mc9/mconsole"
		run setpriv --reuid=65534 --regid=65534 --clear-groups "$MCONSOLE" "$UMLDIR/mc9/mconsole" version
		echo "$output"
		[ "$status" = 1 ] && [[ $output == *"permission denied"* ]]
	fi
	run mc version
	[ "$status" = 0 ]
}
