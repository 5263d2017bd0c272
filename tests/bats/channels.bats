#!/usr/bin/env bats
# Consoles and serial lines on UML's channels (command-line.md): a telnet
# client on a port: line gets a login prompt and a shell, lines share a
# port; a pts line works from the host with cat; file:, null, the
# con=/conN= precedence, the /dev nodes; xterm through a stand-in
# terminal; and each bad channel is one line at boot.

load ../lib.sh
load mconsole-lib.bash

setup() {
	need_machine_tools
	command -v python3 >/dev/null || skip "python3 not installed"
	UMLDIR=$BATS_TEST_TMPDIR/uml
}

teardown() {
	teardown_machine
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# boot_init UMID ARGS...: the default image with its own init (busybox
# init, the gettys on every configured line), console from /dev/null.
boot_init() {
	UMID=$1
	shift
	OUT=$BATS_TEST_TMPDIR/$UMID.out
	ERR=$OUT
	"$UMK_BIN" mem=128M root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" "umid=$UMID" "uml_dir=$UMLDIR" "$@" \
		</dev/null >"$OUT" 2>&1 &
	GUEST=$!
	guest_wait "Run the default init"
}

# telnet PORT SCRIPT: a telnet client (python) that logs in as root and
# runs one command; prints what it saw. SCRIPT: "login" or "prompt"
# (stop at the login prompt) or "busy" (expect the all-lines-busy note).
telnet() {
	python3 - "$1" "$2" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
mode = sys.argv[2]
buf = b""
seen = 0                        # where the next search starts
def until(pat, t=30):
    global buf, seen
    end = time.time() + t
    while pat not in buf[seen:]:
        if time.time() > end:
            raise SystemExit("timeout waiting for %r; got %r" % (pat, buf[-300:]))
        d = s.recv(4096)
        if not d:
            raise SystemExit("closed waiting for %r; got %r" % (pat, buf[-300:]))
        buf += d
    seen = buf.index(pat, seen) + len(pat)
if mode == "busy":
    until(b"in use")
    print("refused: every line busy")
    sys.exit(0)
until(b"\xff\xfb\x01")          # IAC WILL ECHO: the server echoes
until(b"login: ")
if mode == "prompt":
    print("got a login prompt")
    sys.exit(0)
s.sendall(b"root\r\n")
until(b"assword: ")
time.sleep(0.5)                 # busybox login turns echo off after its prompt
s.sendall(b"umk\r\n")
until(b"# ")
if b"Password: umk" in buf:
    raise SystemExit("the password was echoed: %r" % buf)
s.sendall(b"echo tele$((6*7))net; tty\r\n")
until(b"tele42net")
until(b"# ")
print(buf.decode(errors="replace").replace("\r", ""))
s.sendall(b"exit\r\n")
time.sleep(0.3)
EOF
}

@test "port: a telnet client logs in on a getty, logs out, the next one gets a new login; lines share a port" {
	local port
	port=$(free_port)
	boot_init tn "con1=port:$port" "ssl0=port:$port"
	grep -q "Virtual console 1 assigned device 'port:$port'" "$OUT"
	grep -q "Serial line 0 assigned device 'port:$port'" "$OUT"
	run telnet "$port" login
	echo "$output"
	[ "$status" = 0 ]
	grep -q tele42net <<<"$output"
	grep -Eq "^/dev/tty(1|S0)$" <<<"$output"
	# after the logout the line's getty is back for the next client
	run telnet "$port" login
	[ "$status" = 0 ] && grep -q tele42net <<<"$output"
	# two clients at once: one line each; a third finds both taken
	exec 8<>"/dev/tcp/127.0.0.1/$port"
	exec 9<>"/dev/tcp/127.0.0.1/$port"
	sleep 0.5
	run telnet "$port" busy
	echo "$output"
	[ "$status" = 0 ]
	exec 8>&- 9>&-
	run mc config con1
	[ "$output" = "port:$port" ]
	mc halt
	wait_exit 20
}

@test "pts: the line's pseudo-terminal (logged, and from mconsole config) works from the host with cat" {
	boot_init pts ssl0=pts con2=pts
	local pts
	pts=$(sed -n "s/.*Serial line 0 assigned device '\(\/dev\/pts\/[0-9]*\)'.*/\1/p" "$OUT")
	echo "ssl0 on $pts"
	[ -c "$pts" ]
	run mc config ssl0
	[ "$output" = "pts:$pts" ]
	run mc config con2
	[[ $output == pts:/dev/pts/* ]] && [ "$output" != "pts:$pts" ]
	# the getty's prompt waits in the pseudo-terminal for a reader
	local i
	for i in $(seq 1 50); do
		timeout 1 cat "$pts" >>"$BATS_TEST_TMPDIR/pts.out" || true
		grep -q "login:" "$BATS_TEST_TMPDIR/pts.out" && break
	done
	cat "$BATS_TEST_TMPDIR/pts.out"
	grep -q "(umk, /dev/ttyS0)" "$BATS_TEST_TMPDIR/pts.out"
	# typed from the host: a login and a command
	printf 'root\r' >"$pts"
	sleep 1
	printf 'umk\r' >"$pts"
	sleep 1.5
	printf 'echo pts-$((6*7)); tty\r' >"$pts"
	for i in $(seq 1 30); do
		timeout 1 cat "$pts" >>"$BATS_TEST_TMPDIR/pts.out" || true
		grep -q "pts-42" "$BATS_TEST_TMPDIR/pts.out" && break
	done
	tr -d '\r' <"$BATS_TEST_TMPDIR/pts.out" | tail -n 5
	grep -q "pts-42" "$BATS_TEST_TMPDIR/pts.out"
	tr -d '\r' <"$BATS_TEST_TMPDIR/pts.out" | grep -qx /dev/ttyS0
	mc halt
	wait_exit 20
}

@test "file:, null, con=/conN= whatever the order, and the /dev nodes (major 4: ttyN, ttyS64+N)" {
	local log=$BATS_TEST_TMPDIR/con1.log
	echo old >"$log"
	# con1= before con= and con0= after it: each specific one wins
	start_machine ch1 "con1=file:$log" con=null ssl3=null con0=fd:0,fd:1
	guest_run 'ls -l /dev/tty1 /dev/tty2 /dev/ttyS3 /dev/tty15 | sed "s/ \+/ /g" | cut -d" " -f1,5,6,10'
	echo "$GOT"
	grep -qx "crw--w---- 4, 1 /dev/tty1" <<<"$GOT"
	grep -qx "crw--w---- 4, 2 /dev/tty2" <<<"$GOT"
	grep -qx "crw-rw---- 4, 67 /dev/ttyS3" <<<"$GOT"
	grep -qx "crw--w---- 4, 15 /dev/tty15" <<<"$GOT"
	guest_run 'ls /dev/ttyS0 2>&1; echo to-the-file >/dev/tty1; echo to-nowhere >/dev/tty2; echo gone >/dev/ttyS3; cat /dev/tty2 </dev/null; echo read-done'
	[[ $GOT == *"No such file"* ]]
	[[ $GOT == *read-done* ]]
	[ "$(cat "$log")" = to-the-file ]	# emptied when the line opened
	run mc config con2
	[ "$output" = null ]
	run mc config con0
	[ "$output" = fd:0,fd:1 ]
	mc halt
	wait_exit 20
	local quick=$BATS_TEST_TMPDIR/q
	umk_run_timeout 30 "$quick" "$quick.err" "$UMK_BIN" mem=64M root=/dev/root rootfstype=hostfs "hostfs=$UMK_ROOTFS" \
		init=/bin/sh "con1=file:$log" con=null -- -c 'echo second >/dev/tty1; poweroff -f'
	[ "$UMK_STATUS" = 0 ]
	[ "$(cat "$log")" = second ]
}

@test "xterm: the line talks to the xterm on a pseudo-terminal it is handed (-S), here a stand-in xterm" {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/xterm" <<EOF
#!/bin/bash
# a stand-in for xterm -T TITLE -SNAME/FD: log the title, the screen
echo "title: \$2" >"$BATS_TEST_TMPDIR/xterm.log"
fd=\${3##*/}
exec cat <&\$fd >>"$BATS_TEST_TMPDIR/xterm.log"
EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/xterm"
	DISPLAY=:99 PATH=$BATS_TEST_TMPDIR/bin:$PATH boot_init xt con1=xterm
	local i
	for i in $(seq 1 100); do
		grep -q "login:" "$BATS_TEST_TMPDIR/xterm.log" 2>/dev/null && break
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/xterm.log"
	grep -q "^title: umk con1 xt" "$BATS_TEST_TMPDIR/xterm.log"
	grep -q "(umk, /dev/tty1)" "$BATS_TEST_TMPDIR/xterm.log"
	run mc config con1
	[[ $output == xterm:/dev/pts/* ]]
	mc halt
	wait_exit 20
}

@test "bad channels are one line at boot: no display for xterm, a port in use, a bad spec, a line out of range" {
	local port
	port=$(free_port)
	python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1', $port)); s.listen(); time.sleep(5)" &
	sleep 0.5
	local args=(mem=64M "hostfs=$UMK_ROOTFS" init=/init)
	run env -u DISPLAY -u WAYLAND_DISPLAY "$UMK_BIN" "${args[@]}" con1=xterm
	[ "$status" = 2 ] && [ "$output" = "umk: con1=xterm: an xterm channel needs a display, and DISPLAY is not set" ]
	run env DISPLAY=:99 PATH=/nonexistent "$UMK_BIN" "${args[@]}" ssl0=xterm
	[ "$status" = 2 ] && [[ $output == *"needs xterm, which is not installed"* ]]
	run "$UMK_BIN" "${args[@]}" "ssl1=port:$port"
	[ "$status" = 2 ] && [[ $output == "umk: ssl1=port:$port: cannot listen on port $port: Address already in use" ]]
	run "$UMK_BIN" "${args[@]}" con1=port:99999
	[ "$status" = 2 ]
	run "$UMK_BIN" "${args[@]}" con2=telepathy
	[ "$status" = 2 ] && [[ $output == *"expected fd:N[,fd:M], null, file:PATH"* ]]
	run "$UMK_BIN" "${args[@]}" con1=fd:0,pts
	[ "$status" = 2 ] && [[ $output == *"take a line whole"* ]]
	run "$UMK_BIN" "${args[@]}" con16=null
	[ "$status" = 2 ] && [[ $output == *"N from 0 to 15"* ]]
	run "$UMK_BIN" "${args[@]}" ssl64=null
	[ "$status" = 2 ] && [[ $output == *"N from 0 to 63"* ]]
	run "$UMK_BIN" "${args[@]}" con1=file:/nonexistent/dir/log
	[ "$status" = 2 ] && [[ $output == *"/nonexistent/dir/log: No such file or directory"* ]]
	run "$UMK_BIN" "${args[@]}" ssl0=tty:/dev/null
	[ "$status" = 2 ] && [[ $output == *"/dev/null is not a terminal"* ]]
	kill %1 2>/dev/null || true
}
