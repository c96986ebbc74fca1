#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""esp_forge.py: build ESP packets for an AES-GCM-16 SA (RFC 4106) from
the RFCs, independently of the module, and send them over a raw IPv4
socket bound to a source address.

  esp_forge.py SRC DST SPI KEYHEX SEQ [options]
    --count N        send N copies (default 1)
    --seq-step       add 1 to SEQ for each copy
    --pad HEX        padding bytes to use (default 1, 2, 3, ... to align)
    --padlen N       the Pad Length byte to write (default len(pad))
    --nh N           next header (default 59, no next header)
    --payload HEX    payload (default 16 bytes of 0xab)
    --bad-icv        flip a bit of the ICV
    --truncate N     send only the first N bytes of the ESP packet
    --size N         payload of N bytes of 0xab instead
    --fragment       let the kernel fragment the datagram (IP_PMTUDISC_DONT)
    --frag-first N   build the IPv4 header here and send the datagram as
                     two fragments, the first carrying only N bytes of the
                     IP payload (a multiple of 8; RFC 791 allows any split)
    --udp SP:DP      ESP in UDP (RFC 3948) from port SP to port DP
    --icmp-echo N    the payload is an ICMP echo request (id 0x4242, seq 1)
                     with N bytes of data, from SRC to DST (transport mode)
    --inner IS:ID    tunnel mode: wrap that echo request in an IPv4 header
                     from IS to ID (next header 4, IPIP)
    --esn HI         an SA with extended sequence numbers: HI is the high
                     half of SEQ, which the ICV covers (RFC 4106 5)
KEYHEX is the 20-byte PF_KEY key: 16 bytes of AES key, then the salt."""
import argparse
import socket
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def esp_packet(spi, key, seq, payload, nh, pad=None, padlen=None,
               bad_icv=False, esn_hi=None):
    aes, salt = key[:16], key[16:20]
    if pad is None:
        n = (-(len(payload) + 2)) % 4
        pad = bytes(range(1, n + 1))
    if padlen is None:
        padlen = len(pad)
    plain = payload + pad + bytes([padlen, nh])
    iv = struct.pack("!Q", seq)
    hdr = struct.pack("!II", spi, seq)
    # RFC 4106 3.1, 5: nonce = salt | IV; AAD = SPI | sequence number,
    # all 64 bits of it with ESN
    aad = hdr if esn_hi is None else struct.pack("!III", spi, esn_hi, seq)
    ct = AESGCM(aes).encrypt(salt + iv, plain, aad)
    if bad_icv:
        ct = ct[:-1] + bytes([ct[-1] ^ 1])
    return hdr + iv + ct


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def icmp_echo(n):
    body = struct.pack("!BBHHH", 8, 0, 0, 0x4242, 1) + b"\x5a" * n
    return body[:2] + struct.pack("!H", csum(body)) + body[4:]


def send_fragments(src, dst, proto, payload, first):
    """RFC 791: two fragments of one datagram, the first with `first`
    bytes of payload, sent with IP_HDRINCL."""
    assert first % 8 == 0 and 0 < first < len(payload)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    ident = 0x5151
    for off, chunk, more in ((0, payload[:first], 1),
                             (first, payload[first:], 0)):
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk), ident,
                          (more << 13) | (off // 8), 64, proto, 0,
                          socket.inet_aton(src), socket.inet_aton(dst))
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        s.sendto(hdr + chunk, (dst, 0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("spi", type=lambda s: int(s, 0))
    ap.add_argument("key")
    ap.add_argument("seq", type=int)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--seq-step", action="store_true")
    ap.add_argument("--pad")
    ap.add_argument("--padlen", type=int)
    ap.add_argument("--nh", type=int, default=59)
    ap.add_argument("--payload", default="ab" * 16)
    ap.add_argument("--bad-icv", action="store_true")
    ap.add_argument("--truncate", type=int)
    ap.add_argument("--size", type=int)
    ap.add_argument("--fragment", action="store_true")
    ap.add_argument("--frag-first", type=int)
    ap.add_argument("--udp")
    ap.add_argument("--icmp-echo", type=int)
    ap.add_argument("--inner")
    ap.add_argument("--esn", type=int)
    a = ap.parse_args()
    key = bytes.fromhex(a.key[2:] if a.key.startswith("0x") else a.key)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
    s.bind((a.src, 0))
    if a.fragment:
        # <linux/in.h>: IP_MTU_DISCOVER 10, IP_PMTUDISC_DONT 0
        s.setsockopt(socket.IPPROTO_IP, 10, 0)
    payload = b"\xab" * a.size if a.size else bytes.fromhex(a.payload)
    if a.icmp_echo is not None:
        payload, a.nh = icmp_echo(a.icmp_echo), 1
    if a.inner:
        isrc, idst = a.inner.split(":")
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1,
                          0, 64, a.nh, 0, socket.inet_aton(isrc),
                          socket.inet_aton(idst))
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        payload, a.nh = hdr + payload, 4
    seq, pkt = a.seq, None
    for _ in range(a.count):
        if pkt is None or a.seq_step:
            pkt = esp_packet(a.spi, key, seq, payload, a.nh,
                             bytes.fromhex(a.pad) if a.pad is not None
                             else None, a.padlen, a.bad_icv, a.esn)
            if a.truncate is not None:
                pkt = pkt[:a.truncate]
        proto, dgram = 50, pkt
        if a.udp:
            sp, dp = (int(x) for x in a.udp.split(":"))
            # RFC 3948 2.1: the UDP checksum may be zero over IPv4
            proto, dgram = 17, struct.pack("!HHHH", sp, dp, 8 + len(pkt),
                                           0) + pkt
        if a.frag_first:
            send_fragments(a.src, a.dst, proto, dgram, a.frag_first)
        elif a.udp:
            u = socket.socket(socket.AF_INET, socket.SOCK_RAW, 17)
            u.bind((a.src, 0))
            u.sendto(dgram, (a.dst, 0))
        else:
            s.sendto(pkt, (a.dst, 0))
        seq += 1


if __name__ == "__main__":
    main()
