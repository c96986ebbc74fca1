#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers for natt.sh.

natt.py encap PORT        hold UDP sockets on PORT (IPv4 and IPv6) with
                          UDP_ENCAP_ESPINUDP set, as an IKE daemon does;
                          print "ready", then sleep until killed
natt.py mapping SECONDS [MAX]
                          register for ESP, print "registered", then each
                          SADB_X_NAT_T_NEW_MAPPING that comes in SECONDS
                          (up to MAX of them) as key=value fields, then
                          "end"
"""
import os
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfkey  # noqa: E402

SOL_UDP = 17
UDP_ENCAP = 100
UDP_ENCAP_ESPINUDP = 2


def encap(port):
    socks = []
    for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, port))
        s.setsockopt(SOL_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP)
        socks.append(s)
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(60)


def nat_port(m, etype):
    return socket.ntohs(struct.unpack_from("=H", m.ext[etype], 4)[0])


def mapping(seconds, most):
    s = pfkey.Sock()
    s.request(pfkey.REGISTER, pfkey.SATYPE_ESP)
    print("registered", flush=True)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        m = s.recv(max(0.1, end - time.monotonic()))
        if m is None or m.type != pfkey.X_NAT_T_NEW_MAPPING:
            continue
        mode, reqid = m.sa2()
        print(" ".join([
            f"satype={m.satype} pid={m.pid}",
            f"spi={m.sa()['spi']:#x}",
            f"src={m.addr(pfkey.EXT_SRC)[0]}",
            f"sport={nat_port(m, pfkey.X_EXT_NAT_T_SPORT)}",
            f"dst={m.addr(pfkey.EXT_DST)[0]}",
            f"dport={nat_port(m, pfkey.X_EXT_NAT_T_DPORT)}",
            f"mode={mode} reqid={reqid}",
            f"keys={int(pfkey.EXT_KEY_ENC in m.ext or pfkey.EXT_KEY_AUTH in m.ext)}"]),
            flush=True)
        most -= 1
        if not most:
            break
    print("end", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "encap":
        encap(int(sys.argv[2]))
    elif sys.argv[1] == "mapping":
        mapping(float(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3
                else 0)
    else:
        sys.exit(__doc__)
