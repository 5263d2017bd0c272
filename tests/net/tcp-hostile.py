#!/usr/bin/env python3
"""A hostile TCP peer for tests/bats/tcp-hostile.bats. It attaches to a
umk-switch as a UML daemon-transport port (tests/bench/switch-peer.c does
the same in C), answers ARP for its own address, and speaks TCP itself
from raw Ethernet frames, so it can send what no socket API lets a host
send:

    tcp-hostile.py CTL VICTIM_IP MY_IP CASE PORT [ARG]

CASE:
  synflood N      N SYNs from 100 made-up hosts that never answer, with a
                  real handshake (and the server's first bytes read) in
                  the middle of the flood
  rststorm N      an established connection gets N RSTs at wrong
                  sequence numbers (in and out of the window), then still
                  carries data; an RST exactly at the expected sequence
                  then ends it
  garbage N       N random TCP segments (flags, data offsets, option
                  bytes, lengths, checksums) to PORT and to random ports;
                  then a real connection works
  badsum          data with a bad checksum is not acknowledged, the same
                  data with a good one is
  outofwindow     data far outside the window is answered with a
                  duplicate ACK and not taken
  zerowindow S    the server's data is refused with a zero window for S
                  seconds (its window probes are answered), then taken
                  to the end: prints the sha256 and the probe count
  tinymss         a SYN announcing MSS 1: prints the sha256 of the
                  server's data and the largest and most common segment
                  sizes (Linux raises the MSS to tcp_min_snd_mss, 48)

Prints "CASE: ..." lines; exits 0 when the victim behaved as Linux does."""
import hashlib
import os
import random
import select
import socket
import struct
import sys
import time

ETH_IP, ETH_ARP = 0x0800, 0x0806
FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Switch:
    """One port on a uml_switch-protocol switch (protocols.md section a)."""

    def __init__(self, ctl):
        self.data = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        # abstract, padded to the whole sun_path: the switch compares the
        # full address it sees with the one we announce
        me = (b"\0tcp-hostile.%d.%d" % (os.getpid(), random.getrandbits(30))).ljust(108, b"\0")
        self.data.bind(me)
        self.data.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.ctl.connect(ctl)
        self.ctl.sendall(struct.pack("=III", 0xFEEDFACE, 3, 0) + struct.pack("=H", socket.AF_UNIX) + me + b"\0\0")
        reply = b""
        while len(reply) < 110:
            got = self.ctl.recv(110 - len(reply))
            if not got:
                sys.exit("switch refused the port")
            reply += got
        self.sw = reply[2:110]

    def send(self, frame):
        while True:
            try:
                self.data.sendto(frame, self.sw)
                return
            except BlockingIOError:
                time.sleep(0.001)
            except OSError as e:
                if e.errno != 105:  # ENOBUFS: the switch is busy
                    raise
                time.sleep(0.001)

    def recv(self, timeout):
        if not select.select([self.data], [], [], max(timeout, 0))[0]:
            return None
        try:
            return self.data.recv(65536, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return None


class Host:
    """Our address on the link: ARP, and IPv4/TCP frames in and out."""

    def __init__(self, sw, ip, victim):
        self.sw, self.ip, self.victim = sw, socket.inet_aton(ip), socket.inet_aton(victim)
        self.mac = bytes([2, 0x66, 0, 0]) + self.ip[2:]
        self.vmac = None
        self.queue = []
        for _ in range(50):
            self.arp(1, b"\xff" * 6, b"\0" * 6, self.victim)
            end = time.time() + 0.2
            while time.time() < end and not self.vmac:
                self.poll(0.05)
            if self.vmac:
                return
        sys.exit("the victim does not answer ARP")

    def arp(self, op, dst, tmac, tip):
        body = struct.pack("!HHBBH6s4s6s4s", 1, ETH_IP, 6, 4, op, self.mac, self.ip, tmac, tip)
        self.sw.send(dst + self.mac + struct.pack("!H", ETH_ARP) + body)

    def poll(self, timeout):
        """One frame in: ARP handled here, TCP for us queued."""
        f = self.sw.recv(timeout)
        if not f or len(f) < 14:
            return
        et = struct.unpack("!H", f[12:14])[0]
        if et == ETH_ARP and len(f) >= 42:
            op, smac, sip, tip = struct.unpack("!6xH6s4s6x4s", f[14:42])
            if sip == self.victim:
                self.vmac = smac
            if op == 1 and tip == self.ip:
                self.arp(2, smac, smac, sip)
        elif et == ETH_IP and len(f) >= 34 and f[23] == 6 and f[30:34] == self.ip:
            ihl = (f[14] & 15) * 4
            tot = struct.unpack("!H", f[16:18])[0]
            seg = f[14 + ihl:14 + tot]
            if len(seg) >= 20:
                self.queue.append(seg)

    def next_seg(self, timeout):
        end = time.time() + timeout
        while not self.queue and time.time() < end:
            self.poll(end - time.time())
        return self.queue.pop(0) if self.queue else None

    def ip_frame(self, src, proto, payload):
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), random.getrandbits(16), 0x4000, 64, proto, 0,
                        src, self.victim)
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
        return self.vmac + self.mac + struct.pack("!H", ETH_IP) + h + payload

    def tcp(self, sport, dport, seq, ack, flags, win, opts=b"", data=b"", src=None, bad_sum=False, doff=None):
        src = src or self.ip
        if doff is None:
            doff = (20 + len(opts)) // 4
        seg = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, doff << 4, flags, win, 0, 0)
        seg += opts + data
        pseudo = src + self.victim + struct.pack("!BBH", 0, 6, len(seg))
        s = csum(pseudo + seg) ^ (0x1234 if bad_sum else 0)
        seg = seg[:16] + struct.pack("!H", s) + seg[18:]
        self.sw.send(self.ip_frame(src, 6, seg))


def parse(seg):
    sport, dport, seq, ack, off, flags, win = struct.unpack("!HHIIBBH", seg[:16])
    return dict(sport=sport, dport=dport, seq=seq, ack=ack, flags=flags, win=win, data=seg[(off >> 4) * 4:])


class Conn:
    """A TCP connection as a peer that keeps no retransmission state (the
    switch does not lose frames): in-order data only, each answered by a
    cumulative ACK with the window we choose."""

    def __init__(self, host, dport, mss=1460, win=65535):
        self.h, self.dport, self.win = host, dport, win
        self.sport = random.randint(20000, 60000)
        self.iss = random.getrandbits(32)
        self.snd_nxt = self.iss + 1
        self.rcv_nxt = None
        self.got = bytearray()
        self.fin = self.reset = False
        self.sizes = []
        self.acks = []
        opts = struct.pack("!BBH", 2, 4, mss) if mss else b""
        for _ in range(3):
            host.tcp(self.sport, dport, self.iss, 0, SYN, win, opts)
            end = time.time() + 3
            while time.time() < end:
                s = self.seg(end - time.time())
                if s and s["flags"] & SYN and s["flags"] & ACK and s["ack"] == self.snd_nxt & 0xFFFFFFFF:
                    self.rcv_nxt = (s["seq"] + 1) & 0xFFFFFFFF
                    self.ack()
                    return
                if s and s["flags"] & RST:
                    raise ConnectionRefusedError("RST to our SYN")
        raise TimeoutError("no SYN-ACK")

    def seg(self, timeout):
        """The next segment of this connection (others are dropped)."""
        end = time.time() + timeout
        while True:
            raw = self.h.next_seg(max(0.0, end - time.time()))
            if raw is None:
                return None
            s = parse(raw)
            if s["sport"] == self.dport and s["dport"] == self.sport:
                return s

    def ack(self, flags=ACK):
        self.h.tcp(self.sport, self.dport, self.snd_nxt, self.rcv_nxt, flags, self.win)

    def take(self, s):
        """Our receive side for one segment: returns True if it carried
        something new."""
        if s["flags"] & RST:
            self.reset = True
            return False
        if s["flags"] & ACK:
            self.acks.append(s["ack"])
        new = False
        if s["data"] and s["seq"] == self.rcv_nxt and self.win:
            room = self.win
            d = s["data"][:room]
            self.got += d
            self.sizes.append(len(s["data"]))
            self.rcv_nxt = (self.rcv_nxt + len(d)) & 0xFFFFFFFF
            new = True
        if s["flags"] & FIN and (s["seq"] + len(s["data"])) & 0xFFFFFFFF == self.rcv_nxt:
            self.rcv_nxt = (self.rcv_nxt + 1) & 0xFFFFFFFF
            self.fin = new = True
        if s["data"] or s["flags"] & FIN:
            self.ack()
        return new

    def run(self, timeout, until):
        end = time.time() + timeout
        while not until() and not self.reset and time.time() < end:
            s = self.seg(min(0.5, max(0.0, end - time.time())))
            if s:
                self.take(s)
        return until()

    def send(self, data, bad_sum=False):
        self.h.tcp(self.sport, self.dport, self.snd_nxt, self.rcv_nxt, PSH | ACK, self.win, data=data,
                   bad_sum=bad_sum)
        if not bad_sum:
            self.snd_nxt = (self.snd_nxt + len(data)) & 0xFFFFFFFF

    def acked(self, seq, timeout):
        """Whether the victim acknowledges up to seq within timeout."""
        return self.run(timeout, lambda: any((a - seq) & 0x80000000 == 0 for a in self.acks))

    def close(self):
        self.ack(FIN | ACK)
        self.snd_nxt += 1
        self.run(3, lambda: self.fin)


def first_bytes(host, port):
    c = Conn(host, port)
    if not c.run(10, lambda: len(c.got) > 0):
        raise TimeoutError("connected, but the server sent nothing")
    return c


def case_synflood(host, port, n):
    fakes = [bytes([10, 0, 0, 100 + i]) for i in range(100)]
    ok = False
    for i in range(n):
        host.tcp(random.randint(1024, 65535), port, random.getrandbits(32), 0, SYN, 65535,
                 struct.pack("!BBH", 2, 4, 1460), src=random.choice(fakes))
        if i % 200 == 0:
            while host.sw.recv(0):  # drop what the victim answers
                pass
        if i == n // 2:
            host.queue.clear()
            c = first_bytes(host, port)
            ok = True
            print("synflood: a real connection in the middle of the flood got %r" % bytes(c.got[:8]))
            c.close()
    print("synflood: %d SYNs sent" % n)
    return ok


def case_rststorm(host, port, n):
    c = first_bytes(host, port)
    challenge = 0
    for i in range(n):
        off = random.choice([random.randint(1, 60000), random.randint(1 << 20, 1 << 31), -random.randint(1, 1 << 30)])
        host.tcp(c.sport, port, c.snd_nxt + off, 0, RST, 0)
        if i % 100 == 0:
            while True:
                s = c.seg(0)
                if not s:
                    break
                challenge += 1
                c.take(s)
    while True:
        s = c.seg(0.5)
        if not s:
            break
        challenge += 1
        c.take(s)
    if c.reset:
        print("rststorm: the connection was reset by the victim")
        return False
    c.send(b"hostile-peer\r\n")
    alive = c.acked(c.snd_nxt, 5)
    print("rststorm: %d RSTs at wrong sequence numbers; challenge ACKs %s; connection alive: %s" %
          (n, "sent" if challenge else "none", "yes" if alive else "no"))
    # an RST exactly at the sequence the victim expects ends it
    host.tcp(c.sport, port, c.snd_nxt, 0, RST, 0)
    time.sleep(0.3)
    host.queue.clear()
    c.send(b"x")
    c.run(3, lambda: False)
    print("rststorm: after an exact RST the victim answers with RST: %s" % ("yes" if c.reset else "no"))
    return alive and c.reset


def case_garbage(host, port, n):
    for i in range(n):
        flags = random.getrandbits(8)
        doff = random.randint(0, 15)
        opts = bytes(random.getrandbits(8) for _ in range(random.choice([0, 1, 3, 4, 8, 20, 40])))
        data = os.urandom(random.choice([0, 1, 7, 100, 1400]))
        host.tcp(random.randint(1, 65535), random.choice([port, port, random.randint(1, 65535)]),
                 random.getrandbits(32), random.getrandbits(32), flags, random.getrandbits(16), opts, data,
                 bad_sum=random.random() < 0.2, doff=doff)
        if i % 200 == 0:
            while host.sw.recv(0):
                pass
    host.queue.clear()
    c = first_bytes(host, port)
    print("garbage: %d random segments; then a real connection got %r" % (n, bytes(c.got[:8])))
    c.close()
    return True


def case_badsum(host, port):
    c = first_bytes(host, port)
    want = c.snd_nxt + 10
    c.send(b"0123456789", bad_sum=True)
    bad = c.acked(want, 1.5)
    c.send(b"0123456789")
    good = c.acked(want, 5)
    print("badsum: bad checksum acknowledged: %s; good checksum acknowledged: %s" %
          ("yes" if bad else "no", "yes" if good else "no"))
    c.close()
    return not bad and good


def case_outofwindow(host, port):
    c = first_bytes(host, port)
    c.acks.clear()
    host.tcp(c.sport, port, c.snd_nxt + (1 << 30), c.rcv_nxt, PSH | ACK, c.win, data=b"far away")
    dup = c.run(3, lambda: bool(c.acks))
    taken = any(a == (c.snd_nxt + (1 << 30) + 8) & 0xFFFFFFFF for a in c.acks)
    print("outofwindow: answered with a duplicate ACK: %s; data taken: %s" %
          ("yes" if dup and not taken else "no", "yes" if taken else "no"))
    c.close()
    return dup and not taken


def case_zerowindow(host, port, secs):
    c = Conn(host, port, win=4096)
    c.run(10, lambda: len(c.got) > 0)
    c.win = 0
    c.ack()
    probes = 0
    end = time.time() + secs
    while time.time() < end and not c.reset:
        s = c.seg(min(1.0, end - time.time()))
        if s:
            probes += 1
            c.take(s)
            c.ack()
    held = len(c.got)
    c.win = 65535
    c.ack()
    c.run(120, lambda: c.fin)
    c.close()
    print("zerowindow: held %d s, %d probes answered, %d bytes before, %d after; sha256=%s" %
          (secs, probes, held, len(c.got), hashlib.sha256(c.got).hexdigest()))
    return c.fin and probes > 0


def case_tinymss(host, port):
    c = Conn(host, port, mss=1)
    c.run(120, lambda: c.fin)
    c.close()
    sizes = c.sizes or [0]
    common = max(set(sizes), key=sizes.count)
    print("tinymss: %d bytes in %d segments, largest %d bytes, most common %d bytes; sha256=%s" %
          (len(c.got), len(c.sizes), max(sizes), common, hashlib.sha256(c.got).hexdigest()))
    return c.fin


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    ctl, victim, me, case, port = sys.argv[1:6]
    arg = sys.argv[6] if len(sys.argv) > 6 else None
    random.seed(os.getpid())
    host = Host(Switch(ctl), me, victim)
    port = int(port)
    cases = {
        "synflood": lambda: case_synflood(host, port, int(arg or 20000)),
        "rststorm": lambda: case_rststorm(host, port, int(arg or 5000)),
        "garbage": lambda: case_garbage(host, port, int(arg or 5000)),
        "badsum": lambda: case_badsum(host, port),
        "outofwindow": lambda: case_outofwindow(host, port),
        "zerowindow": lambda: case_zerowindow(host, port, int(arg or 60)),
        "tinymss": lambda: case_tinymss(host, port),
    }
    if case not in cases:
        sys.exit("unknown case %s" % case)
    ok = cases[case]()
    print("%s: %s" % (case, "ok" if ok else "FAILED"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
