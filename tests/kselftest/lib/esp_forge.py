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
KEYHEX is the 20-byte PF_KEY key: 16 bytes of AES key, then the salt."""
import argparse
import socket
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def esp_packet(spi, key, seq, payload, nh, pad=None, padlen=None,
               bad_icv=False):
    aes, salt = key[:16], key[16:20]
    if pad is None:
        n = (-(len(payload) + 2)) % 4
        pad = bytes(range(1, n + 1))
    if padlen is None:
        padlen = len(pad)
    plain = payload + pad + bytes([padlen, nh])
    iv = struct.pack("!Q", seq)
    hdr = struct.pack("!II", spi, seq)
    # RFC 4106 3.1, 5: nonce = salt | IV; AAD = SPI | sequence number
    ct = AESGCM(aes).encrypt(salt + iv, plain, hdr)
    if bad_icv:
        ct = ct[:-1] + bytes([ct[-1] ^ 1])
    return hdr + iv + ct


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
    a = ap.parse_args()
    key = bytes.fromhex(a.key[2:] if a.key.startswith("0x") else a.key)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
    s.bind((a.src, 0))
    if a.fragment:
        # <linux/in.h>: IP_MTU_DISCOVER 10, IP_PMTUDISC_DONT 0
        s.setsockopt(socket.IPPROTO_IP, 10, 0)
    payload = b"\xab" * a.size if a.size else bytes.fromhex(a.payload)
    seq, pkt = a.seq, None
    for _ in range(a.count):
        if pkt is None or a.seq_step:
            pkt = esp_packet(a.spi, key, seq, payload, a.nh,
                             bytes.fromhex(a.pad) if a.pad is not None
                             else None, a.padlen, a.bad_icv)
            if a.truncate is not None:
                pkt = pkt[:a.truncate]
        s.sendto(pkt, (a.dst, 0))
        seq += 1


if __name__ == "__main__":
    main()
