#!/usr/bin/env bats
# TCP between real guests: two umk guests on one umk-switch move files
# both ways with busybox nc (sha256 compared), and the host reaches a
# guest through slirp's port forwarding both ways. The socket API itself
# is tested against native Linux by tests/guest/net_tcp.c.

load net-lib

setup() {
	net_setup
}

teardown() {
	sw_teardown
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# sum_of NAME KEY: a sha256 a guest printed as KEY=<hex>
sum_of() {
	out_field "$1" "$2" | cut -c1-64
}

# guest shell code: work in a private tmpfs (the guests share their
# hostfs root)
PRIV='mount -t tmpfs none /mnt && cd /mnt'

# guest shell code: a file of random data and its sum as KEY=<sha256>
make_file() {
	echo "dd if=/dev/urandom of=$1 bs=64k count=$2 2>/dev/null && echo \"$3=\$(sha256sum <$1 | cut -d' ' -f1)\""
}

@test "two umk guests on umk-switch: nc transfers 8 MiB each way, sha256 equal (every trap mode)" {
	start_switch sw
	local m a b
	for m in $UMK_MODES; do
	a=a_$m b=b_$m
	# b: receives on 5000, then serves its own file on 5001. At the end
	# of its input busybox nc half-closes, and a peer nc stops when it
	# sees that: so the receiving nc sends zeros (which the sender drops)
	# until the sender's FIN; TCP carries data both ways at once.
	boot_umk "$b" "$PRIV && ifconfig eth0 10.0.0.2 netmask 255.255.255.0 up && $(make_file b.bin 128 bsrc) && \
		echo \"lis\"\"tening\" && nc -l -p 5000 </dev/zero >got && echo \"bgot=\$(sha256sum <got | cut -d' ' -f1)\" && \
		nc -l -p 5001 <b.bin >/dev/null && echo b-done" \
		"eth0=daemon,,unix,$T/sw.ctl" mem=128M "mode=$m"
	# a: sends to b:5000 (retrying until b listens), then fetches b:5001.
	# Its nc closes with zeros in flight, so its RST does not carry the
	# sequence b expects: b answers with a challenge ACK (RFC 5961) and
	# takes a's second RST. a stays up 2 s for that, as a Linux peer
	# would have to.
	boot_umk "$a" "$PRIV && ifconfig eth0 10.0.0.1 netmask 255.255.255.0 up && $(make_file a.bin 128 asrc) && \
		n=0; until nc 10.0.0.2 5000 <a.bin >/dev/null; do n=\$((n+1)); [ \$n -gt 100 ] && exit 1; sleep 0.2; done; \
		n=0; until nc 10.0.0.2 5001 </dev/zero >got; do n=\$((n+1)); [ \$n -gt 100 ] && exit 1; sleep 0.2; done; \
		echo \"agot=\$(sha256sum <got | cut -d' ' -f1)\"; cat /proc/net/snmp | grep Tcp:; sleep 2" \
		"eth0=daemon,,unix,$T/sw.ctl" mem=128M "mode=$m"
	wait_umk "$a" 120
	wait_umk "$b" 30
	explain "$a"
	explain "$b"
	[ "$(guest_exit "$a")" = 0 ]
	[ "$(guest_exit "$b")" = 0 ]
	[ -n "$(sum_of "$a" asrc)" ]
	[ "$(sum_of "$a" asrc)" = "$(sum_of "$b" bgot)" ]
	[ -n "$(sum_of "$b" bsrc)" ]
	[ "$(sum_of "$b" bsrc)" = "$(sum_of "$a" agot)" ]
	done
}

@test "slirp hostfwd: the host fetches 8 MiB from a guest and sends 8 MiB to it, sha256 equal (every trap mode)" {
	local m g p1 p2 got hsum
	for m in $UMK_MODES; do
	g=g_$m
	p1=$(free_port)
	p2=$(free_port)
	boot_umk "$g" "$PRIV && ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up && route add default gw 10.0.2.2 && \
		$(make_file g.bin 128 gsrc) && echo \"lis\"\"tening\" && nc -l -p 5000 <g.bin && \
		nc -l -p 5001 >got && echo \"ggot=\$(sha256sum <got | cut -d' ' -f1)\"" \
		"eth0=slirp,hostfwd=tcp:127.0.0.1:$p1-:5000,hostfwd=tcp:127.0.0.1:$p2-:5001" mem=128M "mode=$m"
	wait_out "$g" listening 60
	# the guest's file, read to its end by the host
	got=$(python3 - "$p1" <<'EOF'
import hashlib, socket, sys, time
for attempt in range(50):
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
    except OSError:
        time.sleep(0.2)
        continue
    h = hashlib.sha256()
    n = 0
    while True:
        b = s.recv(65536)
        if not b:
            break
        h.update(b)
        n += len(b)
    if n:
        print(h.hexdigest())
        break
    s.close()
    time.sleep(0.2)
EOF
	)
	# a file from the host, sent and closed
	head -c 8388608 /dev/urandom >"$T/h.bin"
	hsum=$(sha256sum <"$T/h.bin" | cut -d' ' -f1)
	python3 - "$p2" "$T/h.bin" <<'EOF'
import socket, sys, time
data = open(sys.argv[2], "rb").read()
for attempt in range(50):
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        while s.recv(65536):
            pass
        break
    except OSError:
        time.sleep(0.2)
EOF
	wait_umk "$g" 60
	explain "$g"
	[ "$(guest_exit "$g")" = 0 ]
	[ -n "$got" ]
	[ "$got" = "$(sum_of "$g" gsrc)" ]
	[ "$hsum" = "$(sum_of "$g" ggot)" ]
	done
}

@test "1000 concurrent connections to one guest server across umk-switch complete" {
	start_switch sw
	# b serves; a opens 1000 connections at once and closes none before
	# every one has its answer (tests/net/tcpmany.c), so b holds 1000
	boot_umk b "ifconfig eth0 10.0.0.2 netmask 255.255.255.0 up && /tests/tcpmany server 5000 1000" \
		"eth0=daemon,,unix,$T/sw.ctl" mem=128M
	wait_out b listening 60
	boot_umk a "ifconfig eth0 10.0.0.1 netmask 255.255.255.0 up && /tests/tcpmany client 10.0.0.2 5000 1000; \
		grep Tcp: /proc/net/snmp" "eth0=daemon,,unix,$T/sw.ctl" mem=128M
	wait_umk a 180
	wait_umk b 30
	explain a
	explain b
	[ "$(guest_exit a)" = 0 ]
	[ "$(guest_exit b)" = 0 ]
	grep -q 'connected=1000 answers=1000' "$T/a.console"
	grep -q 'accepted=1000 peak=1000 answered=1000' "$T/b.console"
}

@test "through umk-switch impairments (5% loss, 20 ms delay with jitter, 1% duplicates) 20 MiB arrive intact" {
	start_switch sw -impair loss=5%,delay=20ms,jitter=5ms,dup=1% -seed 7
	# b only receives (its nc's input never ends), and closes when all is there
	boot_umk b "$PRIV && ifconfig eth0 10.0.0.2 netmask 255.255.255.0 up && echo \"lis\"\"tening\" && \
		{ sleep 900 | nc -l -p 5000 >got & } && \
		while [ \$(wc -c <got 2>/dev/null || echo 0) -lt 20971520 ]; do sleep 1; done; killall nc; sleep 5; \
		echo \"bgot=\$(sha256sum <got | cut -d' ' -f1)\"; grep Tcp: /proc/net/snmp" \
		"eth0=daemon,,unix,$T/sw.ctl" mem=128M
	boot_umk a "$PRIV && ifconfig eth0 10.0.0.1 netmask 255.255.255.0 up && $(make_file a.bin 320 asrc) && \
		t0=\$(cut -d. -f1 /proc/uptime); \
		n=0; until nc 10.0.0.2 5000 <a.bin >/dev/null; do n=\$((n+1)); [ \$n -gt 100 ] && exit 1; sleep 0.5; done; \
		echo \"secs=\$((\$(cut -d. -f1 /proc/uptime) - t0))\"; grep Tcp: /proc/net/snmp" \
		"eth0=daemon,,unix,$T/sw.ctl" mem=128M
	wait_umk a 400
	wait_umk b 60
	explain a
	explain b
	[ "$(guest_exit a)" = 0 ]
	[ -n "$(sum_of a asrc)" ]
	[ "$(sum_of a asrc)" = "$(sum_of b bgot)" ]
	echo "# 20 MiB in $(out_field a secs) s" >&3
}
