# SPDX-License-Identifier: GPL-2.0
"""Hand-built IPv4 and IPv6 packets (RFC 791, RFC 8200), the fields AH
does not cover zeroed (RFC 4302 3.3.3.1), and the IPsec and IP counters
of a namespace, for the test files that forge packets from Python."""
import ctypes
import os
import socket
import struct

import esp_forge


def setns(name):
    """This process (single threaded) into network namespace name."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, 0x40000000) != 0:	# CLONE_NEWNET
            raise OSError(ctypes.get_errno(), "setns " + name)
    finally:
        os.close(fd)


def addr(a):
    return socket.inet_pton(socket.AF_INET6 if ":" in a else socket.AF_INET,
                            a)


def ip4(src, dst, proto, payload, ihl=5, tot=None, frag=0, bad_csum=False,
        tos=0, ttl=64, ident=0x4242):
    """An IPv4 datagram (RFC 791); ihl is what the header says, the
    header itself always 20 bytes."""
    if tot is None:
        tot = 20 + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, tot, ident, frag, ttl,
                    proto, 0, addr(src), addr(dst))
    c = esp_forge.csum(h) ^ (0x5555 if bad_csum else 0)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def ip6(src, dst, nh, payload, plen=None, hlim=64, tclass=0, flow=0):
    if plen is None:
        plen = len(payload)
    return struct.pack("!IHBB", 6 << 28 | tclass << 20 | flow, plen, nh,
                       hlim) + addr(src) + addr(dst) + payload


def ah_mute(hdr):
    """An IPv4 header without options, or an IPv6 header without extension
    headers, as AH's ICV covers it (RFC 4302 3.3.3.1.1.1, 3.3.3.1.2.1):
    TOS, flags and fragment offset, TTL and checksum, or traffic class,
    flow label and hop limit, zeroed."""
    m = bytearray(hdr)
    if m[0] >> 4 == 4:
        m[1] = 0
        m[6:9] = bytes(3)
        m[10:12] = bytes(2)
    else:
        m[0:4] = struct.pack("!I", 6 << 28)
        m[7] = 0
    return bytes(m)


def counters():
    """This namespace's counters: {(proto, name): value} for the IPsec
    ones of /proc/net/ipsec, {(tag, name): value} for snmp, netstat and
    snmp6."""
    out = {}
    for p in ("esp", "ah", "ipcomp"):
        with open(f"/proc/self/net/ipsec/{p}") as fh:
            for line in fh:
                k, v = line.split()
                out[(p, k)] = int(v)
    for fn in ("snmp", "netstat"):
        with open(f"/proc/self/net/{fn}") as fh:
            lines = fh.read().splitlines()
        for names, values in zip(lines[::2], lines[1::2]):
            tag = names.split(":")[0]
            for k, v in zip(names.split()[1:], values.split()[1:]):
                out[(tag, k)] = int(v)
    with open("/proc/self/net/snmp6") as fh:
        for line in fh:
            k, v = line.split()
            out[("Ip6", k)] = int(v)
    return out
