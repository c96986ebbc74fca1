#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""icmp_toobig.py FROM TO QSRC QDST SPI MTU [esp|ah|comp]: as a router at
FROM would, tell TO that its ESP (default), AH or IPComp packet QSRC ->
QDST with SPI (a CPI for IPComp) was too big for a link of MTU bytes:
ICMP "fragmentation needed" (RFC 1191) or ICMPv6 "packet too big" (RFC
4443 3.2), quoting the IP header and the first 8 bytes after it: the ESP
header (RFC 4303 2), the AH header's first two words (RFC 4302 2), or the
IPComp header (RFC 3173 2.2) and 4 bytes of payload."""
import socket
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def main():
    frm, to, qsrc, qdst = sys.argv[1:5]
    spi, mtu = int(sys.argv[5], 0), int(sys.argv[6])
    kind = sys.argv[7] if len(sys.argv) > 7 else "esp"
    if kind == "ah":
        # next header TCP, length 4 (HMAC-SHA-256-128), SPI, sequence 1
        proto, esp = 51, struct.pack("!BBHII", 6, 4, 0, spi, 1)
    elif kind == "comp":
        proto, esp = 108, struct.pack("!BBHI", 6, 0, spi, 0x78daabcd)
    else:
        proto, esp = 50, struct.pack("!II", spi, 1)
    if ":" in to:
        quoted = struct.pack("!IHBB16s16s", 6 << 28, 1400, proto, 64,
                             socket.inet_pton(socket.AF_INET6, qsrc),
                             socket.inet_pton(socket.AF_INET6, qdst)) + esp
        msg = struct.pack("!BBHI", 2, 0, 0, mtu) + quoted
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                          socket.IPPROTO_ICMPV6)	# kernel sums it
        s.bind((frm, 0))
        s.sendto(msg, (to, 0))
        return
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 1400, 0, 0x4000, 64, proto, 0,
                     socket.inet_aton(qsrc), socket.inet_aton(qdst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    body = struct.pack("!HH", 0, mtu) + ip + esp
    msg = struct.pack("!BBH", 3, 4, 0) + body
    msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.bind((frm, 0))
    s.sendto(msg, (to, 0))


if __name__ == "__main__":
    main()
