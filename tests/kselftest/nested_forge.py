#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 600
"""Forged inner packets of a tunnel SA that are ESP, AH or IPComp for this
host, which the module takes apart in the same pass as the tunnel
(iterated tunnelling, RFC 4301 4.5). The sender holds the tunnel SA's
keys: every outer packet is valid ESP (AES-GCM-16, RFC 4106, built here,
not by the module); what it carries is malformed. IPv4 in IPv4 and IPv6
in IPv6. For each case: exactly the counters named change (the tunnel
SA's input, then the drop by its cause), nothing reaches the UDP socket
listening at the inner destination, and the kernel reports nothing
(tests/vm/dmesg-check); valid nested packets through the same SAs are
delivered before, between and after.

Namespace fa sends with raw sockets; fb holds the SAs and policies:
  I -> H: esp/transport//require esp/tunnel/A-B/require (the nested pair)
  J -> H: esp/tunnel/A-B/require (the tunnel alone)
with transport ESP and AH SAs from I and from J to H (H on fb's lo).
What the IP layer decides is asserted as RFC 791/1122/8200 (and Linux's
ip_rcv/ipv6_rcv, which see an inner packet of XFRM's tunnel mode) have it:
an inner IPv4 header whose checksum is wrong is discarded (RFC 1122
3.2.1.2) whatever it carries; an inner ESP after hop-by-hop options that
do not come first (RFC 8200 4.3), or after a routing header with
segments left (4.4), is not for this host to take off."""
import hashlib
import hmac
import os
import select
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
from ktap import TOP, Ktap, ensure_module  # noqa: E402
import esp_forge  # noqa: E402
from ipforge import addr, ah_mute, counters, ip4, ip6, setns  # noqa: E402
from netns import sh, veth_pair  # noqa: E402

SCALE = int(os.environ.get("TEST_TIMEOUT_SCALE", "1"))
KT = bytes.fromhex("00112233445566778899aabbccddeeff01020304")
KI = bytes.fromhex("ffeeddccbbaa99887766554433221100a0b0c0d0")
KA = bytes(range(32))
PORT = 7000
ESP, AH, COMP, UDP, IPIP, IPV6 = 50, 51, 108, 17, 4, 41
HOP, ROUTING, FRAG, DEST = 0, 43, 44, 60
# per family: outer A -> B on the veth, inner I and J -> H (b's lo)
FAM = {
    4: dict(A="10.9.0.1", B="10.9.0.2", I="10.1.0.5", J="10.1.0.6",
            H="10.2.0.1", base=0),
    6: dict(A="fd09::1", B="fd09::2", I="fd01::5", J="fd01::6",
            H="fd02::1", base=0x100),
}
T_SPI, E_SPI, A_SPI, EJ_SPI, AJ_SPI = 0x2001, 0x1001, 0x1002, 0x1003, 0x1004
# counters that are not about a packet's fate
QUIET = ("input_bytes", "output_bytes", "output_packets")


def udp(src, dst, data):
    """A UDP datagram to PORT, its checksum over the pseudo-header of
    RFC 768 or RFC 8200 8.1."""
    ln = 8 + len(data)
    if ":" in src:
        pseudo = addr(src) + addr(dst) + struct.pack("!IxxxB", ln, UDP)
    else:
        pseudo = addr(src) + addr(dst) + struct.pack("!xBH", UDP, ln)
    hdr = struct.pack("!HHHH", 7001, PORT, ln, 0)
    c = esp_forge.csum(pseudo + hdr + data) or 0xffff
    return hdr[:6] + struct.pack("!H", c) + data


def destopt(nh, words=0):
    """A destination options header (RFC 8200 4.6) of 8 * (words + 1)
    bytes, PadN inside."""
    n = 8 * (words + 1) - 2
    return bytes([nh, words, 1, n - 2]) + bytes(n - 2)


def rthdr0(nh, left, a):
    """A type 0 routing header (RFC 2460 4.4) of one address."""
    return bytes([nh, 2, 0, left]) + bytes(4) + addr(a)


class Sender:
    """Outer tunnel ESP packets from a; sequence numbers per SPI."""

    def __init__(self):
        self.seq = {}
        self.sock = {}
        for f, fa in FAM.items():
            fam = socket.AF_INET if f == 4 else socket.AF_INET6
            s = socket.socket(fam, socket.SOCK_RAW, ESP)
            s.bind((fa["A"], 0))
            self.sock[f] = s

    def next(self, spi):
        self.seq[spi] = self.seq.get(spi, 0) + 1
        return self.seq[spi]

    def esp(self, spi, key, payload, nh):
        return esp_forge.esp_packet(spi, key, self.next(spi), payload, nh)

    def tunnel(self, f, inner):
        """inner (an IPv4 or IPv6 packet) through the tunnel SA."""
        fa = FAM[f]
        spi = T_SPI + fa["base"]
        pkt = self.esp(spi, KT, inner, IPIP if inner[0] >> 4 == 4 else IPV6)
        self.sock[f].sendto(pkt, (fa["B"], 0))


def ah(snd, f, spi, src, dst, payload, nh, hdrlen=None, cut=None):
    """An inner AH packet in transport mode (RFC 4302) with HMAC-SHA-256-128
    over the header with its mutable fields zeroed (3.3.3.1), AH with a
    zero ICV, and the payload. hdrlen overrides the length field; cut
    keeps only that many bytes of AH and what follows."""
    pad = 4 if f == 6 else 0	# 64-bit alignment for IPv6 (2.2)
    words = (12 + 16 + pad) // 4 - 2
    seq = snd.next(spi)
    zero = struct.pack("!BBHII", nh, words, 0, spi, seq) + bytes(16 + pad)
    if f == 4:
        muted = ah_mute(ip4(src, dst, AH, zero + payload)[:20])
    else:
        muted = ah_mute(ip6(src, dst, AH, zero + payload)[:40])
    icv = hmac.new(KA, muted + zero + payload,
                   hashlib.sha256).digest()[:16]
    body = struct.pack("!BBHII", nh, words if hdrlen is None else hdrlen, 0,
                       spi, seq) + icv + bytes(pad) + payload
    if cut is not None:
        body = body[:cut]
    if f == 4:
        return ip4(src, dst, AH, body)
    return ip6(src, dst, AH, body)


def flip(pkt):
    """pkt with the last bit of its ICV flipped."""
    return pkt[:-1] + bytes([pkt[-1] ^ 1])


def delta(before, after):
    """The IPsec counters that moved, and the IP ones that moved."""
    d = {}
    for k, v in after.items():
        if v != before.get(k, 0) and k[1] not in QUIET:
            d[k] = v - before.get(k, 0)
    return d


class Case:
    def __init__(self, t, snd, socks):
        self.t, self.snd, self.socks = t, snd, socks

    def received(self, wait):
        """Datagrams on the listening sockets within wait seconds."""
        got = []
        end = time.time() + wait
        while True:
            r, _, _ = select.select(list(self.socks.values()), [], [],
                                    max(0, end - time.time()))
            if not r:
                return got
            for s in r:
                got.append(s.recv(65536))
            if got:
                return got

    def run(self, desc, f, inner, expect, deliver=False, ip=None):
        """Send inner through family f's tunnel. expect: the IPsec
        counters ({(proto, name): delta}) that must move, and no other;
        ip: IP-layer counters that must move by that much (others may);
        deliver: whether the UDP socket gets the datagram."""
        for s in self.socks.values():
            while select.select([s], [], [], 0)[0]:
                s.recv(65536)
        before = counters()
        self.snd.tunnel(f, inner)
        want = {**expect, **(ip or {})}
        end = time.time() + 5 * SCALE
        while True:
            d = delta(before, counters())
            if all(d.get(k, 0) >= v for k, v in want.items()) or \
                    time.time() > end:
                break
            time.sleep(0.05)
        got = self.received((3 if deliver else 0.3) * SCALE)
        d = delta(before, counters())
        sec = {k: v for k, v in d.items() if k[0] in ("esp", "ah", "ipcomp")}
        ipd = {k: d.get(k, 0) for k in (ip or {})}
        ok = sec == expect and ipd == (ip or {}) and bool(got) == deliver
        self.t.ok(ok, f"IPv{f}: {desc}",
                  f"expected: {sorted(expect.items())} "
                  f"{sorted((ip or {}).items())} delivered={deliver}\n"
                  f"got:      {sorted(sec.items())} {sorted(ipd.items())} "
                  f"delivered={bool(got)}\n"
                  f"IP counters that moved: "
                  f"{sorted((k, v) for k, v in d.items() if k not in sec)}")


def cases(c, f):
    """The cases for family f (inner and outer)."""
    fa = FAM[f]
    b = fa["base"]
    snd = c.snd
    I, J, H = fa["I"], fa["J"], fa["H"]
    ipf = ip4 if f == 4 else ip6
    tin = ("esp", "input_packets")

    def esp(spi, src, data=b"forged", nh=UDP, key=KI):
        return snd.esp(spi + b, key, udp(src, H, data) if nh == UDP else data,
                       nh)

    def good(desc):
        c.run(desc, f, ipf(I, H, ESP, esp(E_SPI, I, b"good")),
              {tin: 2}, deliver=True)
        return snd.seq[E_SPI + b]

    first = good("ESP transport inside the tunnel: delivered")
    # RFC 4303 2.7: TFC padding after the inner packet is cut off by its
    # own length, and what it carries is intact
    p = esp(E_SPI, I, b"tfc")
    if f == 4:
        inner = ip4(I, H, ESP, p + bytes(32), tot=20 + len(p))
    else:
        inner = ip6(I, H, ESP, p + bytes(32), plen=len(p))
    c.run("inner packet followed by TFC padding: delivered", f, inner,
          {tin: 2}, deliver=True)

    # --- the inner IP header --------------------------------------------
    p = esp(E_SPI, I)
    if f == 4:
        # not taken apart: the inner ESP the policy asks for is missing
        c.run("inner IPv4 header with IHL 4: header_drops", f,
              ip4(I, H, ESP, p, ihl=4), {tin: 1, ("esp", "header_drops"): 1})
        c.run("IHL 15 in a datagram of 36 bytes: policy_drops", f,
              ip4(I, H, ESP, p[:16], ihl=15),
              {tin: 1, ("esp", "policy_drops"): 1})
        c.run("total length 100 bytes past the end: policy_drops", f,
              ip4(I, H, ESP, p, tot=20 + len(p) + 100),
              {tin: 1, ("esp", "policy_drops"): 1})
        c.run("total length below the header's own: policy_drops", f,
              ip4(I, H, ESP, p, tot=12),
              {tin: 1, ("esp", "policy_drops"): 1})
        c.run("total length 4 bytes short of the ICV's end: bad_auth", f,
              ip4(I, H, ESP, esp(E_SPI, I), tot=20 + len(p) - 4),
              {tin: 1, ("esp", "bad_auth"): 1})
        c.run("total length leaving 4 bytes of ESP: header_drops", f,
              ip4(I, H, ESP, esp(E_SPI, I), tot=24),
              {tin: 1, ("esp", "header_drops"): 1})
        c.run("first fragment (MF) carrying whole ESP: policy_drops", f,
              ip4(I, H, ESP, esp(E_SPI, I), frag=0x2000),
              {tin: 1, ("esp", "policy_drops"): 1})
        c.run("later fragment (offset 8) carrying ESP: policy_drops", f,
              ip4(I, H, ESP, esp(E_SPI, I), frag=1),
              {tin: 1, ("esp", "policy_drops"): 1})
        # RFC 1122 3.2.1.2: a datagram with a bad header checksum is
        # silently discarded, as Linux's ip_rcv and OpenBSD's ip_input
        # discard a tunnel's inner packet (the inner ESP is not applied,
        # so the policy asking for it drops the packet)
        c.run("bad inner header checksum, valid ESP inside: not delivered",
              f, ip4(I, H, ESP, esp(E_SPI, I, b"badsum"), bad_csum=True),
              {tin: 1, ("esp", "policy_drops"): 1})
        # where the policy asks for the tunnel alone, the IP layer
        # discards it, as any datagram with a bad checksum (ip_rcv)
        c.run("bad checksum, under the tunnel-only policy: InCsumErrors", f,
              ip4(J, H, ESP, esp(EJ_SPI, J, b"badsum"), bad_csum=True),
              {tin: 1}, ip={("IpExt", "InCsumErrors"): 1})
    else:
        # RFC 8200 4: the chain's last header runs past the end; the
        # policy sees ESP that was not taken off
        c.run("destination options header 88 bytes long in 8: "
              "policy_drops", f,
              ip6(I, H, DEST, destopt(ESP, 10)[:8] + p[:8]),
              {tin: 1, ("esp", "policy_drops"): 1})
        # ... or names a next header past the end: no selector to be had
        c.run("extension header chain running off the end: header_drops", f,
              ip6(I, H, DEST, destopt(DEST)),
              {tin: 1, ("esp", "header_drops"): 1})
        # RFC 8200 4.1: any number of extension headers is to be accepted
        chain = b""
        for _ in range(140):
            chain += destopt(DEST)
        chain = chain[:-len(destopt(ESP))] + destopt(ESP)
        c.run("140 destination options headers, then valid ESP: delivered",
              f, ip6(I, H, DEST, chain + esp(E_SPI, I, b"long")),
              {tin: 2}, deliver=True)
        c.run("payload length 0 (no jumbo option) carrying ESP: "
              "policy_drops", f, ip6(I, H, ESP, p, plen=0),
              {tin: 1, ("esp", "policy_drops"): 1})
        c.run("payload length 100 bytes past the end: policy_drops", f,
              ip6(I, H, ESP, p, plen=len(p) + 100),
              {tin: 1, ("esp", "policy_drops"): 1})
        c.run("payload length 4 bytes short of the ICV's end: bad_auth", f,
              ip6(I, H, ESP, esp(E_SPI, I), plen=len(p) - 4),
              {tin: 1, ("esp", "bad_auth"): 1})
        c.run("payload length leaving 4 bytes of ESP: header_drops", f,
              ip6(I, H, ESP, esp(E_SPI, I), plen=4),
              {tin: 1, ("esp", "header_drops"): 1})
        frag = struct.pack("!BBHI", ESP, 0, 1, 0x4242)	# offset 0, M
        c.run("fragment header (M) before whole ESP: policy_drops", f,
              ip6(I, H, FRAG, frag + esp(E_SPI, I)),
              {tin: 1, ("esp", "policy_drops"): 1})
        # RFC 8200 4.3: hop-by-hop options only right after the header;
        # where they are elsewhere the inner ESP is not taken off (stock's
        # ipv6_rcv stops there), so the policy asking for it drops it
        c.run("hop-by-hop options right after the header, then ESP: "
              "delivered", f,
              ip6(I, H, HOP, destopt(ESP) + esp(E_SPI, I, b"hbh")),
              {tin: 2}, deliver=True)
        c.run("hop-by-hop options after destination options: "
              "policy_drops", f,
              ip6(I, H, DEST, destopt(HOP) + destopt(ESP) +
                  esp(E_SPI, I, b"hbh")),
              {tin: 1, ("esp", "policy_drops"): 1})
        # RFC 8200 4.4: with segments left this host is not the final
        # destination, which ESP is for (RFC 4303 3.1.1); type 0 with
        # none left is ignored (RFC 5095 3, RFC 8200 4.4)
        c.run("routing header type 0, no segments left, then ESP: "
              "delivered", f,
              ip6(I, H, ROUTING, rthdr0(ESP, 0, J) + esp(E_SPI, I, b"rh")),
              {tin: 2}, deliver=True)
        c.run("routing header type 0, 1 segment left, then ESP: "
              "policy_drops", f,
              ip6(I, H, ROUTING, rthdr0(ESP, 1, J) + esp(E_SPI, I, b"rh")),
              {tin: 1, ("esp", "policy_drops"): 1})
    good("valid ESP again after the malformed IP headers: delivered")

    # --- the inner ESP, AH and IPComp -----------------------------------
    c.run("inner ESP of 6 bytes: header_drops", f,
          ipf(I, H, ESP, esp(E_SPI, I)[:6]),
          {tin: 1, ("esp", "header_drops"): 1})
    c.run("inner ESP of 8 bytes (SPI, sequence): bad_payload_length", f,
          ipf(I, H, ESP, esp(E_SPI, I)[:8]),
          {tin: 1, ("esp", "bad_payload_length"): 1})
    c.run("inner ESP for an SPI that does not exist: no_sa", f,
          ipf(I, H, ESP, esp(0xdead, I, key=KI)),
          {tin: 1, ("esp", "no_sa"): 1})
    c.run("inner ESP with a bad ICV: bad_auth", f,
          ipf(I, H, ESP, flip(esp(E_SPI, I))),
          {tin: 1, ("esp", "bad_auth"): 1})
    c.run("inner AH whose length field runs past the end: header_drops", f,
          ah(snd, f, A_SPI + b, I, H, udp(I, H, b"ah"), UDP, cut=20),
          {tin: 1, ("ah", "header_drops"): 1})
    c.run("inner AH with a length field of 200: bad_auth_length", f,
          ah(snd, f, A_SPI + b, I, H, udp(I, H, b"ah"), UDP, hdrlen=200),
          {tin: 1, ("ah", "bad_auth_length"): 1})
    c.run("inner AH of 8 bytes: header_drops", f,
          ipf(I, H, AH, ah(snd, f, A_SPI + b, I, H, b"", UDP)
              [20 if f == 4 else 40:][:8]),
          {tin: 1, ("ah", "header_drops"): 1})
    c.run("inner AH for an SPI that does not exist: no_sa", f,
          ah(snd, f, 0xbeef, I, H, udp(I, H, b"ah"), UDP),
          {tin: 1, ("ah", "no_sa"): 1})
    c.run("inner IPComp while IPComp is off: policy_drops (ipcomp)", f,
          ipf(I, H, COMP, struct.pack("!BBH", UDP, 0, 0x4242) + bytes(40)),
          {tin: 1, ("ipcomp", "policy_drops"): 1})
    # RFC 4301 5.2: the SAs must be those the policy asks for
    c.run("valid inner AH where the policy asks for ESP: policy_drops "
          "(esp)", f,
          ah(snd, f, A_SPI + b, I, H, udp(I, H, b"ah"), UDP),
          {tin: 1, ("ah", "input_packets"): 1, ("esp", "policy_drops"): 1})
    c.run("valid inner ESP the tunnel-only policy does not ask for: "
          "policy_drops", f, ipf(J, H, ESP, esp(EJ_SPI, J)),
          {tin: 2, ("esp", "policy_drops"): 1})
    c.run("valid inner AH the tunnel-only policy does not ask for: "
          "policy_drops (ah)", f,
          ah(snd, f, AJ_SPI + b, J, H, udp(J, H, b"ah"), UDP),
          {tin: 1, ("ah", "input_packets"): 1, ("ah", "policy_drops"): 1})
    c.run("UDP alone where the policy asks for ESP inside: policy_drops",
          f, ipf(I, H, UDP, udp(I, H, b"plain")),
          {tin: 1, ("esp", "policy_drops"): 1})
    # RFC 4303 3.4.3: the inner SA's window saw the first valid packet
    seq = snd.seq[E_SPI + b]
    snd.seq[E_SPI + b] = first - 1
    c.run("inner ESP with the sequence number of the first one: replay", f,
          ipf(I, H, ESP, esp(E_SPI, I, b"good")),
          {tin: 1, ("esp", "replay"): 1})
    snd.seq[E_SPI + b] = seq
    good("valid ESP after all that: delivered")


def main():
    t = Ktap()
    ensure_module()
    veth_pair("fa", "fb", {"fa": (FAM[4]["A"], FAM[6]["A"]),
                           "fb": (FAM[4]["B"], FAM[6]["B"])})
    conf = ""
    for f, fa in FAM.items():
        b = fa["base"]
        sh("ip", "-n", "fb", "addr", "add", fa["H"], "dev", "lo")
        conf += f"""
add {fa["A"]} {fa["B"]} esp {T_SPI + b:#x} -m tunnel -r 64
	-E aes-gcm-16 0x{KT.hex()};
add {fa["I"]} {fa["H"]} esp {E_SPI + b:#x} -m transport -r 64
	-E aes-gcm-16 0x{KI.hex()};
add {fa["J"]} {fa["H"]} esp {EJ_SPI + b:#x} -m transport -r 64
	-E aes-gcm-16 0x{KI.hex()};
add {fa["I"]} {fa["H"]} ah {A_SPI + b:#x} -m transport -r 64
	-A hmac-sha256 0x{KA.hex()};
add {fa["J"]} {fa["H"]} ah {AJ_SPI + b:#x} -m transport -r 64
	-A hmac-sha256 0x{KA.hex()};
spdadd {fa["I"]} {fa["H"]} any -P in ipsec esp/transport//require
	esp/tunnel/{fa["A"]}-{fa["B"]}/require;
spdadd {fa["J"]} {fa["H"]} any -P in ipsec
	esp/tunnel/{fa["A"]}-{fa["B"]}/require;
"""
    r = subprocess.run(["ip", "netns", "exec", "fb",
                        f"{TOP}/tools/pfkeyctl/pfkeyctl", "-f", "-"],
                       input=conf, text=True, capture_output=True)
    t.ok(r.returncode == 0, "SAs and policies through PF_KEY",
         r.stdout + r.stderr)
    sh("ip", "netns", "exec", "fb", "sysctl", "-qw",
       "net.ipv4.conf.all.rp_filter=0")

    setns("fa")
    snd = Sender()
    setns("fb")
    socks = {}
    for f, fa in FAM.items():
        s = socket.socket(socket.AF_INET if f == 4 else socket.AF_INET6,
                          socket.SOCK_DGRAM)
        s.bind((fa["H"], PORT))
        socks[f] = s
    c = Case(t, snd, socks)
    for f in (4, 6):
        try:
            cases(c, f)
        except Exception:  # noqa: BLE001 - report anything as a failure
            import traceback
            t.ok(False, f"IPv{f} cases", traceback.format_exc())
    r = subprocess.run([f"{TOP}/tests/vm/dmesg-check"], text=True,
                       capture_output=True)
    t.ok(r.returncode == 0, "no kernel report (BUG, WARNING, Oops) in dmesg",
         r.stdout + r.stderr)
    for s in socks.values():
        s.close()
    for s in snd.sock.values():
        s.close()
    for ns in ("fa", "fb"):
        sh("ip", "netns", "del", ns)
    t.end()


if __name__ == "__main__":
    main()
