#!/usr/bin/env bats
# Debugging guest programs (Documentation/debugging-guest.md): Debian's
# strace and gdb run inside a guest (the test root, build/test-rootfs,
# which has gdb), in every trap mode, and what they show is compared with
# the same programs traced natively; host gdb debugs a guest program
# through umk's gdbstub.

load ../lib.sh

# guest_cmd MODE SCRIPT: runs SCRIPT with sh in a guest booted on the test
# root (with /proc and /dev, as /tests/run-one has them); its output is
# in $BATS_TEST_TMPDIR/guest.MODE (the lines between the markers).
guest_cmd() {
	local mode=$1 script=$2
	umk_boot "$mode" "$UMK_TEST_ROOTFS" /bin/sh -c "PATH=/bin:/sbin:/usr/bin:/usr/sbin; export PATH
mount -t proc proc /proc 2>&-; mount -t devtmpfs devtmpfs /dev 2>&-; cd /
echo '=== UMK-TEST-BEGIN cmd'
{ $script
} 2>&1
echo \"=== UMK-TEST-EXIT \$?\"
poweroff -f"
	guest_section "$UMK_OUT" >"$BATS_TEST_TMPDIR/guest.$mode"
}

# native_chroot CMD...: CMD in the test root as the guest has it (a chroot
# with /proc and /dev, in a private mount namespace: nothing stays mounted).
native_chroot() {
	unshare --mount --propagation private sh -c '
		root=$1; shift
		mount -t proc proc "$root/proc" && mount --bind /dev "$root/dev" &&
			exec chroot "$root" /usr/bin/env -i PATH=/bin:/sbin:/usr/bin:/usr/sbin "$@"' \
		sh "$UMK_TEST_ROOTFS" "$@"
}

# The names of the system calls in strace output (one a line, sorted),
# but those the vDSO answers natively without a system call: umk has no
# vDSO, so a guest's libc makes them as real calls.
syscall_names() {
	sed -nE 's/^(\[pid +[0-9]+\] )?([a-z_0-9]+)\(.*/\2/p' "$1" | sort -u |
		grep -vxE 'time|gettimeofday|clock_gettime|clock_getres|getcpu'
}

@test "strace -f in a guest: sh -c 'ls / | wc -l' makes the system calls it makes natively" {
	[ "$(id -u)" = 0 ] || skip "needs root for chroot"
	[ -x "$UMK_TEST_ROOTFS/usr/bin/strace" ] || skip "build/test-rootfs has no strace"
	local cmd="ls / | wc -l" failed=""
	native_chroot /usr/bin/strace -f -qq /bin/sh -c "$cmd" 2>"$BATS_TEST_TMPDIR/native.strace" >/dev/null
	syscall_names "$BATS_TEST_TMPDIR/native.strace" >"$BATS_TEST_TMPDIR/native.names"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/native.names")" -gt 20 ] || {
		echo "native strace printed too little:"
		cat "$BATS_TEST_TMPDIR/native.strace"
		false
	}
	for mode in $UMK_MODES; do
		guest_cmd "$mode" "env -i PATH=\$PATH strace -f -qq sh -c '$cmd' 2>/tmp/strace.out >/dev/null; cat /tmp/strace.out; rm /tmp/strace.out"
		syscall_names "$BATS_TEST_TMPDIR/guest.$mode" >"$BATS_TEST_TMPDIR/$mode.names"
		if ! diff -u --label native --label "umk mode=$mode" "$BATS_TEST_TMPDIR/native.names" \
			"$BATS_TEST_TMPDIR/$mode.names"; then
			failed="$failed $mode"
			echo "--- strace in the guest (mode=$mode):"
			cat "$BATS_TEST_TMPDIR/guest.$mode"
			umk_explain noconsole
		fi
	done
	[ -z "$failed" ]
}

# What gdb shows that differs from run to run or from host to guest:
# thread ids and pids, thread pointers and the stack (the guest's user
# space ends lower: TASK_SIZE), the column widths they set, and
# when a thread's exit is reported. (The program's own output goes to
# /dev/null: it would mix with gdb's.)
# (Thread exits, and the "[New process N]" a native gdb prints now and
# then when the workers' exits race the process's, depend on timing: a
# CI run once had the latter natively only.)
gdb_filter() {
	sed -E 's/\(LWP [0-9]+\)/(LWP N)/g; s/Thread 0x[0-9a-f]+/Thread T/g; s/process [0-9]+/process N/g
		s/argv=0x[0-9a-f]+/argv=STACK/' "$1" |
		grep -v '^\[Thread T (LWP N) exited\]$' | grep -v '^\[New process N\]$' | grep -v '^=== UMK-TEST-' | tr -s ' '
}

GDB_SCRIPT='set pagination off
set confirm off
break square
run >/dev/null
bt
info threads
print x
finish
continue
watch counter
continue
continue
delete
continue'

@test "gdb in a guest: breakpoints, backtrace, threads, finish and a hardware watchpoint as natively" {
	[ -x "$UMK_TEST_ROOTFS/usr/bin/gdb" ] || skip "build/test-rootfs has no gdb (rootfs/add-gdb.sh)"
	command -v gdb >/dev/null || skip "no gdb on the host"
	printf '%s\n' "$GDB_SCRIPT" >"$BATS_TEST_TMPDIR/gdb.cmds"
	# natively from the top of the tree, where the program's source is
	(cd "$UMK_TOP" && gdb -nx -batch -x "$BATS_TEST_TMPDIR/gdb.cmds" "$UMK_BUILD/tests/debug/gdb_target") \
		>"$BATS_TEST_TMPDIR/native.gdb" 2>&1
	gdb_filter "$BATS_TEST_TMPDIR/native.gdb" >"$BATS_TEST_TMPDIR/native.want"
	grep -q 'Hardware watchpoint 2: counter' "$BATS_TEST_TMPDIR/native.want"
	local failed=""
	for mode in $UMK_MODES; do
		# in the guest the source is found the same way: relative to cwd
		guest_cmd "$mode" "mkdir -p /tmp/src/tests/debug && cp -p /tests/gdb_target.c /tmp/src/tests/debug/ &&
cd /tmp/src && printf '%s\n' '$(printf '%s' "$GDB_SCRIPT" | tr '\n' '|')' | tr '|' '\n' >/tmp/gdb.cmds &&
gdb -nx -batch -x /tmp/gdb.cmds /tests/gdb_target; cd /; rm -rf /tmp/src /tmp/gdb.cmds"
		gdb_filter "$BATS_TEST_TMPDIR/guest.$mode" >"$BATS_TEST_TMPDIR/$mode.got"
		if ! diff -u --label native --label "umk mode=$mode" "$BATS_TEST_TMPDIR/native.want" "$BATS_TEST_TMPDIR/$mode.got"; then
			failed="$failed $mode"
			umk_explain noconsole
		fi
	done
	[ -z "$failed" ]
}

# stub_boot MODE PORT SCRIPT [OPTIONS...]: boots umk in the background with
# gdbstub=127.0.0.1:PORT and OPTIONS, SCRIPT as the guest's shell script;
# waits (up to 30 s) for the stub to say it stopped a process. Console in
# $BATS_TEST_TMPDIR/stub.out, kernel log in stub.err, umk's pid in STUB_PID.
stub_boot() {
	local mode=$1 port=$2 script=$3
	shift 3
	local out=$BATS_TEST_TMPDIR/stub.out err=$BATS_TEST_TMPDIR/stub.err
	umk_cmdline "$mode" "$UMK_TEST_ROOTFS" /bin/sh
	# loglevel=7 after quiet: the stub's notice reaches stderr
	UMK_ARGV+=(loglevel=7 "gdbstub=127.0.0.1:$port" "$@")
	setsid timeout -k 5 60 "${UMK_ARGV[@]}" -- -c "PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
$script
poweroff -f" </dev/null >"$out" 2>"$err" &
	STUB_PID=$!
	for _ in $(seq 300); do
		grep -q 'gdbstub: process .* stopped' "$err" && return 0
		kill -0 "$STUB_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "the stub never stopped a process"
	cat "$out" "$err"
	return 1
}

# A free TCP port on the loopback (for each test: they may run at once).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stub_done() {
	local i
	for i in $(seq 100); do
		kill -0 "$STUB_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$STUB_PID" 2>/dev/null || true
	wait "$STUB_PID" 2>/dev/null || true
}

@test "gdbstub: host gdb debugs a guest program from its exec (gdbstub_comm=): breakpoint, backtrace, threads, x87/SSE registers, step, finish, exit" {
	command -v gdb >/dev/null || skip "no gdb on the host"
	local failed="" mode
	for mode in $UMK_MODES; do
		local port
		port=$(free_port)
		stub_boot "$mode" "$port" '/tests/gdb_target; echo "guest: exit $?"' gdbstub_comm=gdb_target || {
			failed="$failed $mode"
			continue
		}
		cat >"$BATS_TEST_TMPDIR/stub.gdb" <<EOG
set pagination off
set confirm off
set remotetimeout 30
target remote 127.0.0.1:$port
info registers rip
break square
continue
bt
info threads
print x
print \$fctrl
print \$mxcsr
set var \$xmm0.v4_int32[0] = 77
print \$xmm0.v4_int32[0]
stepi
next
print y
finish
print \$rsp == \$sp
print/x \$eflags & 0x100
continue
delete
continue
EOG
		(cd "$UMK_TOP" && timeout 60 gdb -nx -batch -x "$BATS_TEST_TMPDIR/stub.gdb" "$UMK_BUILD/tests/debug/gdb_target") \
			>"$BATS_TEST_TMPDIR/gdb.out" 2>&1
		stub_done
		local want
		for want in \
			'^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <_start>$' \
			'^Thread 1 hit Breakpoint 1, square \(x=1\) at tests/debug/gdb_target.c:[0-9]+$' \
			'^#1  0x[0-9a-f]+ in sum_squares \(n=4\) at tests/debug/gdb_target.c:[0-9]+$' \
			'^#2  0x[0-9a-f]+ in main \(.*\) at tests/debug/gdb_target.c:[0-9]+$' \
			'^  3    Thread [0-9]+ +0x[0-9a-f]+ in read \(\)$' \
			'^\$1 = 1$' \
			'^\$2 = 895$' \
			'^\$3 = \[ IM DM ZM OM UM PM \]$' \
			'^\$4 = 77$' \
			'^21		return y;$' \
			'^\$5 = 1$' \
			'^Value returned is \$6 = 1$' \
			'^\$7 = 1$' \
			'^\$8 = 0x0$' \
			'^Thread 1 hit Breakpoint 1, square \(x=2\)' \
			'^\[Inferior 1 \(Remote target\) exited normally\]$'; do
			grep -qE "$want" "$BATS_TEST_TMPDIR/gdb.out" || {
				echo "mode=$mode: gdb did not print /$want/"
				failed="$failed $mode"
			}
		done
		grep -q '^sum of squares: 30, counter 4$' "$BATS_TEST_TMPDIR/stub.out" &&
			grep -q '^guest: exit 0$' "$BATS_TEST_TMPDIR/stub.out" || {
			echo "mode=$mode: the program did not finish right"
			failed="$failed $mode"
		}
		case $failed in *" $mode"*)
			echo "--- gdb (mode=$mode):"
			cat "$BATS_TEST_TMPDIR/gdb.out"
			echo "--- guest console:"
			cat "$BATS_TEST_TMPDIR/stub.out"
			echo "--- kernel log:"
			tail -20 "$BATS_TEST_TMPDIR/stub.err" ;;
		esac
	done
	[ -z "$failed" ]
}

@test "gdbstub: a running process given by pid (/sys/kernel/umk/gdbstub): memory written, detach, it goes on" {
	command -v gdb >/dev/null || skip "no gdb on the host"
	local failed="" mode
	for mode in $UMK_MODES; do
		local port
		port=$(free_port)
		stub_boot "$mode" "$port" '/tests/gdb_target hold &
pid=$!
sleep 0.2
cat /sys/kernel/umk/gdbstub | sed "s/^none /idle: /"
echo $pid >/sys/kernel/umk/gdbstub
echo $pid >/sys/kernel/umk/gdbstub 2>/dev/null || echo "a second request: refused"
wait $pid
echo "guest: exit $?"
grep TracerPid /proc/self/status' || {
			failed="$failed $mode"
			continue
		}
		cat >"$BATS_TEST_TMPDIR/stub.gdb" <<EOG
set pagination off
set confirm off
set remotetimeout 30
target remote 127.0.0.1:$port
print release
set var release = 1
print release
print counter
detach
EOG
		(cd "$UMK_TOP" && timeout 60 gdb -nx -batch -x "$BATS_TEST_TMPDIR/stub.gdb" "$UMK_BUILD/tests/debug/gdb_target") \
			>"$BATS_TEST_TMPDIR/gdb.out" 2>&1
		stub_done
		local want
		for want in '^\$1 = 0$' '^\$2 = 1$' '^\$3 = 0$' '^\[Inferior 1 \(Remote target\) detached\]$'; do
			grep -qE "$want" "$BATS_TEST_TMPDIR/gdb.out" || {
				echo "mode=$mode: gdb did not print /$want/"
				failed="$failed $mode"
			}
		done
		for want in '^idle: tcp:127.0.0.1:[0-9]+$' '^a second request: refused$' '^sum of squares: 30, counter 4$' \
			'^guest: exit 0$'; do
			grep -qE "$want" "$BATS_TEST_TMPDIR/stub.out" || {
				echo "mode=$mode: the guest did not print /$want/"
				failed="$failed $mode"
			}
		done
		case $failed in *" $mode"*)
			echo "--- gdb (mode=$mode):"
			cat "$BATS_TEST_TMPDIR/gdb.out"
			echo "--- guest console:"
			cat "$BATS_TEST_TMPDIR/stub.out"
			echo "--- kernel log:"
			tail -20 "$BATS_TEST_TMPDIR/stub.err" ;;
		esac
	done
	[ -z "$failed" ]
}

# rsp_client PORT ADDR: gdb's remote protocol by hand, for what gdb itself
# does not show: holds the process stopped, writes 7 at ADDR (the guest
# then kills it), waits, resumes it with vCont;c and prints each reply.
# (gdb would first insert its breakpoints again, and stop at the error,
# as with gdbserver.)
rsp_client() {
	python3 - "$@" <<'EOP'
import socket, sys, time
port, addr = int(sys.argv[1]), int(sys.argv[2], 16)
s = socket.create_connection(("127.0.0.1", port), timeout=30)
buf = b""
def reply():
    global buf
    while True:
        i = buf.find(b"$")
        j = buf.find(b"#", i + 1) if i >= 0 else -1
        if i >= 0 and j >= 0 and len(buf) >= j + 3:
            body, buf = buf[i + 1:j], buf[j + 3:]
            s.sendall(b"+")
            return body.decode()
        data = s.recv(4096)
        if not data:
            return "(connection closed)"
        buf += data
def send(p):
    s.sendall(b"$%s#%02x" % (p.encode(), sum(p.encode()) % 256))
    r = reply()
    print("%s -> %s" % (p.split(":")[0], r[:3]))
send("?")
send("M%x,4:07000000" % addr)
time.sleep(3)
send("vCont;c")
EOP
}

@test "gdbstub: a process killed while the stub holds it stopped: the next resume is answered X09 (SIGKILL)" {
	local addr failed="" mode
	addr=$(nm "$UMK_BUILD/tests/debug/gdb_target" | sed -n 's/^\([0-9a-f]*\) [bBdD] release$/\1/p')
	[ -n "$addr" ]
	for mode in $UMK_MODES; do
		local port
		port=$(free_port)
		# the guest kills the program once the client has written 7
		# into its release (read through /proc/PID/mem: root may,
		# tracer or not), and stays up until the stub is done with it
		stub_boot "$mode" "$port" "/tests/gdb_target >/dev/null &
pid=\$!
until [ \"\$(dd if=/proc/\$pid/mem bs=4 skip=\$((0x$addr / 4)) count=1 2>/dev/null | od -An -tu4 | tr -d ' ')\" = 7 ]; do
	sleep 0.1
done
kill -9 \$pid
wait \$pid
echo \"guest: exit \$?\"
until grep -q '^none' /sys/kernel/umk/gdbstub; do sleep 0.1; done" gdbstub_comm=gdb_target || {
			failed="$failed $mode"
			continue
		}
		timeout 60 bash -c "$(declare -f rsp_client); rsp_client $port $addr" >"$BATS_TEST_TMPDIR/rsp.out" 2>&1 || true
		stub_done
		local want
		for want in '^\? -> T05$' '^M[0-9a-f]+,4 -> OK$' '^vCont;c -> X09$'; do
			grep -qE "$want" "$BATS_TEST_TMPDIR/rsp.out" || {
				echo "mode=$mode: the client did not get /$want/"
				failed="$failed $mode"
			}
		done
		grep -q '^guest: exit 137$' "$BATS_TEST_TMPDIR/stub.out" || {
			echo "mode=$mode: the guest's wait did not see the kill"
			failed="$failed $mode"
		}
		case $failed in *" $mode"*)
			echo "--- client (mode=$mode):"
			cat "$BATS_TEST_TMPDIR/rsp.out"
			echo "--- guest console:"
			cat "$BATS_TEST_TMPDIR/stub.out"
			echo "--- kernel log:"
			tail -20 "$BATS_TEST_TMPDIR/stub.err" ;;
		esac
	done
	[ -z "$failed" ]
}

@test "gdbstub: started from the host through the mconsole (umk-mconsole and uml_mconsole gdbstub PID): refusals, then gdb on the process" {
	command -v gdb >/dev/null || skip "no gdb on the host"
	local failed="" mode mc=$UMK_BUILD/umk-mconsole
	[ -x "$mc" ]
	for mode in $UMK_MODES; do
		local port umid=dbg$mode dir=$BATS_TEST_TMPDIR/uml out=$BATS_TEST_TMPDIR/stub.out err=$BATS_TEST_TMPDIR/stub.err
		port=$(free_port)
		umk_cmdline "$mode" "$UMK_TEST_ROOTFS" /bin/sh
		UMK_ARGV+=(loglevel=7 "gdbstub=127.0.0.1:$port" "umid=$umid" "uml_dir=$dir")
		setsid timeout -k 5 60 "${UMK_ARGV[@]}" -- -c 'PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
/tests/gdb_target hold &
pid=$!
echo "target $pid"
wait $pid
echo "guest: exit $?"
poweroff -f' </dev/null >"$out" 2>"$err" &
		STUB_PID=$!
		local pid="" i
		for i in $(seq 300); do
			pid=$(sed -n 's/^target \([0-9][0-9]*\)$/\1/p' "$out")
			[ -n "$pid" ] && "$mc" -t 5 -d "$dir" "$umid" version >/dev/null 2>&1 && break
			sleep 0.1
		done
		local r1 r2 r3 r4 s1 s2=0 s3=0
		r4=$(uml_mconsole "$dir/$umid/mconsole" gdbstub 99999 2>/dev/null) || true
		r3=$("$mc" -d "$dir" "$umid" gdbstub nonsense 2>&1) || s3=$?
		r1=$("$mc" -d "$dir" "$umid" gdbstub "$pid" 2>&1) && s1=0 || s1=$?
		r2=$("$mc" -d "$dir" "$umid" gdbstub "$pid" 2>&1) || s2=$?
		[ "$s1 $r1" = "0 process $pid stops for gdb at tcp:127.0.0.1:$port" ] || {
			echo "mode=$mode: gdbstub $pid: status $s1, '$r1'"
			failed="$failed $mode"
		}
		[ "$s2 $r2" = "1 the gdbstub serves another process already" ] || {
			echo "mode=$mode: a second gdbstub $pid: status $s2, '$r2'"
			failed="$failed $mode"
		}
		[ "$s3 $r3" = "1 gdbstub takes a process id" ] || {
			echo "mode=$mode: gdbstub nonsense: status $s3, '$r3'"
			failed="$failed $mode"
		}
		case $r4 in *"process 99999: No such process"*) ;; *)
			echo "mode=$mode: uml_mconsole gdbstub 99999: '$r4'"
			failed="$failed $mode" ;;
		esac
		cat >"$BATS_TEST_TMPDIR/stub.gdb" <<EOG
set pagination off
set confirm off
set remotetimeout 30
target remote 127.0.0.1:$port
print release
set var release = 1
detach
EOG
		(cd "$UMK_TOP" && timeout 60 gdb -nx -batch -x "$BATS_TEST_TMPDIR/stub.gdb" "$UMK_BUILD/tests/debug/gdb_target") \
			>"$BATS_TEST_TMPDIR/gdb.out" 2>&1
		stub_done
		local want
		for want in '^\$1 = 0$' '^\[Inferior 1 \(Remote target\) detached\]$'; do
			grep -qE "$want" "$BATS_TEST_TMPDIR/gdb.out" || {
				echo "mode=$mode: gdb did not print /$want/"
				failed="$failed $mode"
			}
		done
		grep -q '^sum of squares: 30, counter 4$' "$out" && grep -q '^guest: exit 0$' "$out" || {
			echo "mode=$mode: the program did not finish right"
			failed="$failed $mode"
		}
		case $failed in *" $mode"*)
			echo "--- gdb (mode=$mode):"
			cat "$BATS_TEST_TMPDIR/gdb.out"
			echo "--- guest console:"
			cat "$out"
			echo "--- kernel log:"
			tail -20 "$err" ;;
		esac
	done
	[ -z "$failed" ]
}
