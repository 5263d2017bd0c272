#!/usr/bin/env python3
"""Malformed frames for tests/bats/net-lab.bats, sent through an AF_PACKET
socket (a raw peer on the victim's link), the same from a umk guest and
from a host network namespace:

    malformed-frames.py IFACE DSTMAC SRCIP DSTIP

runts, bad IP header checksums, IHL below 5, a wrong version, total
lengths longer than the frame and shorter than the header, UDP and ICMP
with bad checksums, overlapping fragments, and an ARP flood of 2000
requests from made-up senders. Prints what it sent."""
import random
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_header(src, dst, proto, payload_len, ident=1, frag=0, ihl=5, version=4, tot_len=None, bad_sum=False):
    tot = 20 + payload_len if tot_len is None else tot_len
    h = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, 0, tot, ident, frag, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    s = csum(h)
    if bad_sum:
        s ^= 0x5555
    return h[:10] + struct.pack("!H", s) + h[12:]


def main():
    iface, dstmac, src, dst = sys.argv[1:5]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    me = s.getsockname()[4]
    peer = bytes(int(x, 16) for x in dstmac.split(":"))

    def frame(payload, etype=0x0800):
        s.send(peer + me + struct.pack("!H", etype) + payload)

    udp = struct.pack("!HHHH", 40000, 9, 16, 0) + b"malforme"
    sent = {}
    # runts: an IP header cut short
    for _ in range(5):
        frame(ip_header(src, dst, 17, 8)[:12])
    sent["runt"] = 5
    for _ in range(5):
        frame(ip_header(src, dst, 17, len(udp), bad_sum=True) + udp)
    sent["bad-ip-checksum"] = 5
    for _ in range(5):
        frame(ip_header(src, dst, 17, len(udp), ihl=4) + udp)
    sent["ihl-4"] = 5
    for _ in range(5):
        frame(ip_header(src, dst, 17, len(udp), version=6) + udp)
    sent["version-6"] = 5
    for _ in range(5):
        frame(ip_header(src, dst, 17, len(udp), tot_len=400) + udp)
    sent["length-past-frame"] = 5
    for _ in range(5):
        frame(ip_header(src, dst, 17, len(udp), tot_len=12) + udp)
    sent["length-below-header"] = 5
    bad_udp = struct.pack("!HHHH", 40000, 9, 16, 0x1234) + b"malforme"
    for _ in range(5):
        frame(ip_header(src, dst, 17, len(bad_udp)) + bad_udp)
    sent["bad-udp-checksum"] = 5
    icmp = struct.pack("!BBHHH", 8, 0, 0x4321, 7, 1) + b"pingpong"
    for _ in range(5):
        frame(ip_header(src, dst, 1, len(icmp)) + icmp)
    sent["bad-icmp-checksum"] = 5
    # overlapping fragments of one datagram: [0,24) then [16,40) then the last
    data = bytes(range(64))
    for ident in range(100, 103):
        frame(ip_header(src, dst, 17, 24, ident=ident, frag=0x2000 | 0) + data[:24])
        frame(ip_header(src, dst, 17, 24, ident=ident, frag=0x2000 | 2) + data[16:40])
        frame(ip_header(src, dst, 17, 24, ident=ident, frag=5) + data[40:64])
    sent["overlapping-fragments"] = 3
    # an ARP flood: who-has DST from 2000 made-up senders on the subnet
    base = struct.unpack("!I", socket.inet_aton(dst))[0] & 0xFFFF0000
    rnd = random.Random(7)
    for i in range(2000):
        sip = socket.inet_aton(socket.inet_ntoa(struct.pack("!I", base | rnd.randrange(2, 65000))))
        sha = bytes([2, 0x55, i >> 8 & 0xFF, i & 0xFF, rnd.randrange(256), rnd.randrange(256)])
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, sha, sip, b"\0" * 6, socket.inet_aton(dst))
        s.send(b"\xff" * 6 + sha + struct.pack("!H", 0x0806) + arp)
    sent["arp-requests"] = 2000
    print("sent: " + " ".join("%s=%d" % kv for kv in sent.items()))


if __name__ == "__main__":
    main()
