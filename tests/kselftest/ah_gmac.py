#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 600
"""AES-GMAC for AH (RFC 4543 4) against an implementation written here
from the RFCs, as stock Linux AH has no GMAC to compare with. The
Authentication Data field is an 8-byte IV and the 16-byte tag; the tag is
AES-GCM's over an empty plaintext (python3-cryptography's AESGCM) with
the packet as RFC 4302 3.3.3 authenticates it as the additional data (the
mutable IP fields zeroed, the IV in place, the tag zeroed, the ESN high
half after it), the key's last 4 bytes (the salt) and the IV as the
nonce; AH is 36 bytes over IPv4, 40 over IPv6 (errata 3643).

Namespace ga sends Ethernet frames on its veth from Python and captures
what comes back; gb holds the SAs and policies:
  A -> B, B -> A    transport, aes-128-gmac, by PF_KEY (pfkeyctl)
  I -> H, H -> I    tunnel A-B, aes-256-gmac, by PF_KEY
  A2 -> B2, B2 -> A2  transport, rfc4543(gcm(aes)) with a 192-bit key,
                    ESN, by XFRM netlink (ip xfrm), the windows set past
                    2^32 (replay-seq-hi, replay-oseq-hi)
ICMP echo requests built here are answered by gb through the module; the
answer's ICV, IV (its 64-bit sequence number) and length are checked
here. A bad tag, a changed IV, a changed immutable field and a replay are
dropped and counted by cause in gb's /proc/net/ipsec/ah; changed mutable
fields (TOS, TTL; traffic class, flow label, hop limit) still verify.
Last, gcm(aes) is put behind pcrypt (lib/crypto_async.py) and the
transport SAs added again: their tags are then computed and checked
asynchronously."""
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

from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

SCALE = int(os.environ.get("TEST_TIMEOUT_SCALE", "1"))
AH, ICMP, ICMP6, IPIP, IPV6 = 51, 1, 58, 4, 41
# key = AES key | 4-byte salt (RFC 4543 3.2)
K128 = bytes.fromhex("000102030405060708090a0b0c0d0e0f" "cafebabe")
K192 = bytes.fromhex("101112131415161718191a1b1c1d1e1f2021222324252627"
                     "deadbeef")
K256 = bytes.fromhex("303132333435363738393a3b3c3d3e3f"
                     "404142434445464748494a4b4c4d4e4f" "f00dface")
FAM = {
    4: dict(A="10.8.0.1", B="10.8.0.2", A2="10.8.0.3", B2="10.8.0.4",
            I="10.11.0.5", H="10.12.0.1", base=0),
    6: dict(A="fd08::1", B="fd08::2", A2="fd08::3", B2="fd08::4",
            I="fd11::5", H="fd12::1", base=0x1000),
}
T_IN, T_OUT, U_IN, U_OUT, E_IN, E_OUT = (0x100, 0x101, 0x200, 0x201,
                                         0x300, 0x301)
ESN_TOP = 0xfffffff0	# the inbound ESN window's top, high half 0
ESN_OSEQ = (1 << 32) | 0x10	# the last sequence number the ESN SA sent


def csum6(src, dst, nh, data):
    pseudo = addr(src) + addr(dst) + struct.pack("!I3xB", len(data), nh)
    return esp_forge.csum(pseudo + data)


def echo(f, src, dst, ident, seq, data=b"gmac"):
    """An ICMP or ICMPv6 echo request (RFC 792, RFC 4443 4.1)."""
    if f == 4:
        body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
        c = esp_forge.csum(body)
    else:
        body = struct.pack("!BBHHH", 128, 0, 0, ident, seq) + data
        c = csum6(src, dst, ICMP6, body)
    return body[:2] + struct.pack("!H", c) + body[4:]


def gmac(key, iv, aad):
    """RFC 4543 2: GMAC is GCM with all input additional data."""
    return AESGCM(key[:-4]).encrypt(key[-4:] + iv, b"", aad)


def ah_packet(f, src, dst, spi, key, seq, nh, payload, esn=False,
              iv=None, tamper=None, **ipkw):
    """An AH packet (RFC 4302) with AES-GMAC. seq: the full sequence
    number (its low half is sent; with esn its high half is in the AAD);
    iv: what to send as the IV (default the sequence number); tamper:
    a function applied to the packet after the tag is computed."""
    iv = struct.pack("!Q", seq) if iv is None else iv
    pad = bytes(4) if f == 6 else b""
    words = (12 + 24 + len(pad)) // 4 - 2
    head = struct.pack("!BBHII", nh, words, 0, spi, seq & 0xffffffff)
    zeroed = head + iv + bytes(16) + pad
    if f == 4:
        hdr = ip4(src, dst, AH, zeroed + payload, **ipkw)[:20]
    else:
        hdr = ip6(src, dst, AH, zeroed + payload, **ipkw)[:40]
    aad = ah_mute(hdr) + zeroed + payload
    if esn:
        aad += struct.pack("!I", seq >> 32)
    tag = gmac(key, iv, aad)
    pkt = hdr + head + iv + tag + pad + payload
    return tamper(pkt) if tamper else pkt


def ah_verify(f, pkt, key, seqhi=None):
    """Check a captured AH-GMAC packet (IPv4 without options, IPv6 without
    extension headers): (ok, why, spi, seq, IV, the payload)."""
    hl = 20 if f == 4 else 40
    ahl = (pkt[hl + 1] + 2) * 4
    want = 36 if f == 4 else 40
    nh, _, _, spi, seq = struct.unpack_from("!BBHII", pkt, hl)
    iv = pkt[hl + 12:hl + 20]
    tag = pkt[hl + 20:hl + 36]
    zeroed = pkt[hl:hl + 20] + bytes(16) + pkt[hl + 36:hl + ahl]
    aad = ah_mute(pkt[:hl]) + zeroed + pkt[hl + ahl:]
    if seqhi is not None:
        aad += struct.pack("!I", seqhi)
    good = gmac(key, iv, aad)
    why = []
    if ahl != want:
        why.append(f"AH of {ahl} bytes, not {want}")
    if tag != good:
        why.append(f"tag {tag.hex()}, computed {good.hex()}")
    full = (seqhi or 0) << 32 | seq
    if iv != struct.pack("!Q", full):
        why.append(f"IV {iv.hex()} is not the sequence number {full:#x}")
    return not why, "; ".join(why), spi, seq, iv, pkt[hl + ahl:]


class Wire:
    """ga's end of the veth: Ethernet frames out and in."""

    def __init__(self, dev, src_mac, dst_mac):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                               socket.htons(0x0003))	# ETH_P_ALL
        self.s.bind((dev, 0))
        self.src, self.dst = src_mac, dst_mac

    def send(self, pkt):
        et = 0x0800 if pkt[0] >> 4 == 4 else 0x86dd
        self.s.send(self.dst + self.src + struct.pack("!H", et) + pkt)

    def drain(self):
        while select.select([self.s], [], [], 0)[0]:
            self.s.recv(65536)

    def ah_from(self, src, wait):
        """The first AH packet from src within wait seconds, or None."""
        end = time.time() + wait
        a = addr(src)
        while True:
            r = select.select([self.s], [], [], max(0, end - time.time()))
            if not r[0]:
                return None
            fr, info = self.s.recvfrom(65536)
            if info[2] == socket.PACKET_OUTGOING:
                continue
            pkt = fr[14:]
            if pkt[0] >> 4 == 4 and pkt[9] == AH and pkt[12:16] == a:
                return pkt[:struct.unpack_from("!H", pkt, 2)[0]]
            if pkt[0] >> 4 == 6 and pkt[6] == AH and pkt[8:24] == a:
                return pkt[:40 + struct.unpack_from("!H", pkt, 4)[0]]


def mac(ns, dev):
    out = sh("ip", "-n", ns, "-o", "link", "show", dev)
    return bytes.fromhex(out.split("link/ether ")[1].split()[0]
                         .replace(":", ""))


def ah_counters():
    return {k[1]: v for k, v in counters().items() if k[0] == "ah"}


class T:
    def __init__(self, t, wire):
        self.t, self.wire = t, wire

    def send(self, desc, pkt, expect, src, answered=False):
        """Send pkt; gb's AH counters must move by expect exactly (but
        for the byte counts); an AH packet from src must come back if
        answered, and is returned, else none may."""
        self.wire.drain()
        before = ah_counters()
        self.wire.send(pkt)
        got = self.wire.ah_from(src, (5 if answered else 0.5) * SCALE)
        end = time.time() + 3 * SCALE
        while True:
            after = ah_counters()
            d = {k: v - before.get(k, 0) for k, v in after.items()
                 if v != before.get(k, 0) and k not in
                 ("input_bytes", "output_bytes")}
            if all(d.get(k, 0) >= v for k, v in expect.items()) or \
                    time.time() > end:
                break
            time.sleep(0.05)
        ok = d == expect and (got is not None) == answered
        self.t.ok(ok, desc, f"counters expected {sorted(expect.items())}, "
                  f"got {sorted(d.items())}; answer: "
                  f"{'yes' if got is not None else 'none'}")
        return got


def answer_ok(c, desc, f, got, key, spi, seq, seqhi=None, inner=None):
    """The answer gb sent: AH-GMAC under spi with the low half seq,
    verified here; the echo reply it carries (inner: after an inner IP
    header from that address)."""
    if got is None:
        c.t.ok(False, desc, "no answer")
        return
    ok, why, s, q, _, payload = ah_verify(f, got, key, seqhi)
    if (s, q) != (spi, seq):
        ok, why = False, f"SPI {s:#x} sequence {q:#x}, not {spi:#x} {seq:#x}"
    if inner:
        ihl, so = (20, 12) if f == 4 else (40, 8)
        if payload[so:so + len(addr(inner))] != addr(inner):
            ok, why = False, "inner source is not " + inner
        payload = payload[ihl:]
    if payload[:1] != bytes([0 if f == 4 else 129]):
        ok, why = False, f"not an echo reply: {payload[:8].hex()}"
    c.t.ok(ok, desc, why)


def cases(c, f):
    fa = FAM[f]
    b = fa["base"]
    A, B, A2, B2, I, H = (fa[k] for k in ("A", "B", "A2", "B2", "I", "H"))
    ipf = ip4 if f == 4 else ip6
    icmp = ICMP if f == 4 else ICMP6
    # a packet is counted in input_packets once it has passed its checks
    both = {"input_packets": 1, "output_packets": 1}
    seq = 0

    def tr(payload=None, **kw):
        nonlocal seq
        seq += 1
        return ah_packet(f, A, B, T_IN + b, K128, seq, icmp,
                         payload or echo(f, A, B, 0x4700, seq), **kw)

    # --- transport, aes-128-gmac (PF_KEY) ---------------------------------
    got = c.send("transport, aes-128-gmac: echo request accepted, answered",
                 tr(), both, B, True)
    answer_ok(c, "transport: the answer's AH-GMAC verifies here, IV = "
              "sequence number 1, AH of the RFC's length", f, got, K128,
              T_OUT + b, 1)
    first = tr()
    got = c.send("a second one: answered", first, both, B, True)
    answer_ok(c, "answered with sequence number and IV 2", f, got, K128,
              T_OUT + b, 2)
    mutable = dict(tos=0x48, ttl=7) if f == 4 else dict(tclass=0x48,
                                                         flow=0x12345,
                                                         hlim=7)
    got = c.send("mutable fields (%s) not 0, zeroed for the tag: accepted"
                 % ", ".join(mutable), tr(**mutable), both, B, True)
    answer_ok(c, "and the answer to it verifies", f, got, K128, T_OUT + b, 3)

    def flip_tag(p):
        hl = 20 if f == 4 else 40
        return p[:hl + 35] + bytes([p[hl + 35] ^ 1]) + p[hl + 36:]

    def flip_iv(p):
        hl = 20 if f == 4 else 40
        return p[:hl + 12] + bytes([p[hl + 12] ^ 0x80]) + p[hl + 13:]

    def flip_data(p):
        return p[:-1] + bytes([p[-1] ^ 1])

    c.send("a bit of the tag flipped: bad_auth", tr(tamper=flip_tag),
           {"bad_auth": 1}, B)
    c.send("a bit of the IV flipped (nonce changes): bad_auth",
           tr(tamper=flip_iv), {"bad_auth": 1}, B)
    c.send("a byte of the ICMP data changed: bad_auth",
           tr(tamper=flip_data), {"bad_auth": 1}, B)
    if f == 4:
        def new_id(p):
            # with a checksum that fits, or IP input drops it first
            h = bytearray(p[:20])
            h[4:6] = b"\x99\x99"
            h[10:12] = bytes(2)
            h[10:12] = struct.pack("!H", esp_forge.csum(bytes(h)))
            return bytes(h) + p[20:]
        c.send("IPv4 identification (immutable) changed: bad_auth",
               tr(tamper=new_id), {"bad_auth": 1}, B)
    else:
        def new_src(p):
            return p[:8] + addr("fd08::9") + p[24:]
        c.send("IPv6 source address (immutable) changed: bad_auth",
               tr(tamper=new_src), {"bad_auth": 1}, B)
    c.send("the second packet again: replay", first, {"replay": 1}, B)
    short = bytearray(tr())
    short[(20 if f == 4 else 40) + 1] = 5	# 28 bytes: an HMAC's length
    c.send("AH length field of a 12-byte ICV: bad_auth_length",
           bytes(short), {"bad_auth_length": 1}, B)
    got = c.send("valid again after all that: answered", tr(), both, B, True)
    answer_ok(c, "and its answer verifies, sequence number 4", f, got, K128,
              T_OUT + b, 4)

    # --- tunnel, aes-256-gmac (PF_KEY) ------------------------------------
    inner = ipf(I, H, icmp, echo(f, I, H, 0x4701, 1))
    got = c.send("tunnel, aes-256-gmac: inner echo request accepted, "
                 "answered", ah_packet(f, A, B, U_IN + b, K256, 1,
                                       IPIP if f == 4 else IPV6, inner),
                 both, B, True)
    answer_ok(c, "tunnel: the answer verifies, inner echo reply from H",
              f, got, K256, U_OUT + b, 1, inner=H)
    c.send("tunnel: the tag computed with the aes-128 SA's key: bad_auth",
           ah_packet(f, A, B, U_IN + b, K128[:-4] + K256[-4:], 2,
                     IPIP if f == 4 else IPV6, inner),
           {"bad_auth": 1}, B)

    # --- ESN past 2^32, rfc4543(gcm(aes)) 192 (XFRM netlink) --------------
    # RFC 4303 A2.2 (RFC 4302 3.4.3): the window's top is 0xfffffff0, so
    # a low half of 3 is 2^32 + 3, whose high half the AAD ends with
    s = (1 << 32) | 3
    e = echo(f, A2, B2, 0x4702, 3)
    got = c.send("ESN: low half 3 past a window at 0xfffffff0 is 2^32 + 3, "
                 "the high half in the AAD: accepted, answered",
                 ah_packet(f, A2, B2, E_IN + b, K192, s, icmp, e, esn=True),
                 both, B2, True)
    answer_ok(c, "ESN: the answer is sequence number 2^32 + 0x11, its IV "
              "all 64 bits, the high half 1 in the AAD", f, got, K192,
              E_OUT + b, (ESN_OSEQ + 1) & 0xffffffff, seqhi=ESN_OSEQ >> 32)
    s += 1
    c.send("ESN: the tag computed without the high half: bad_auth",
           ah_packet(f, A2, B2, E_IN + b, K192, s, icmp,
                     echo(f, A2, B2, 0x4702, 4), esn=False),
           {"bad_auth": 1}, B2)
    c.send("ESN: 2^32 + 3 again: replay",
           ah_packet(f, A2, B2, E_IN + b, K192, (1 << 32) | 3, icmp, e,
                     esn=True), {"replay": 1}, B2)


def async_cases(c, f):
    """The transport SAs again, their gcm(aes) now pcrypt's: the tags are
    computed and checked in process context, after the packet left
    softirq (ah.c's completion callbacks)."""
    fa = FAM[f]
    b = fa["base"]
    A, B = fa["A"], fa["B"]
    icmp = ICMP if f == 4 else ICMP6
    conf = ""
    for src, dst, spi in ((A, B, T_IN + b), (B, A, T_OUT + b)):
        conf += f"""delete {src} {dst} ah {spi:#x};
add {src} {dst} ah {spi:#x} -m transport -r 64 -A aes-128-gmac 0x{K128.hex()};
"""
    r = subprocess.run([f"{TOP}/tools/pfkeyctl/pfkeyctl", "-f", "-"],
                       input=conf, text=True, capture_output=True)
    c.t.ok(r.returncode == 0, "async: the transport SAs deleted and added "
           "again", r.stdout + r.stderr)
    both = {"input_packets": 1, "output_packets": 1}
    for seq in (1, 2):
        got = c.send(f"async: echo request {seq} accepted, answered",
                     ah_packet(f, A, B, T_IN + b, K128, seq, icmp,
                               echo(f, A, B, 0x4703, seq)), both, B, True)
        answer_ok(c, f"async: answer {seq} verifies", f, got, K128,
                  T_OUT + b, seq)
    pkt = ah_packet(f, A, B, T_IN + b, K128, 3, icmp,
                    echo(f, A, B, 0x4703, 3))
    t = (20 if f == 4 else 40) + 35	# the tag's last byte
    c.send("async: a bit of the tag flipped: bad_auth",
           pkt[:t] + bytes([pkt[t] ^ 1]) + pkt[t + 1:], {"bad_auth": 1}, B)


def setup():
    veth_pair("ga", "gb", {"ga": (FAM[4]["A"], FAM[6]["A"]),
                           "gb": (FAM[4]["B"], FAM[6]["B"])})
    ma = mac("ga", "veth_ga")
    conf = ""
    for f, fa in FAM.items():
        b = fa["base"]
        n = 24 if f == 4 else 64
        sh("ip", "-n", "ga", "addr", "add", f"{fa['A2']}/{n}", "dev",
           "veth_ga", *(["nodad"] if f == 6 else []))
        sh("ip", "-n", "gb", "addr", "add", f"{fa['B2']}/{n}", "dev",
           "veth_gb", *(["nodad"] if f == 6 else []))
        sh("ip", "-n", "gb", "addr", "add", fa["H"], "dev", "lo")
        sh("ip", "-n", "gb", "route", "add", fa["I"], "via", fa["A"])
        # the peer's neighbour entries are fixed: ND's own packets would
        # fall under the transport policies
        for a in ("A", "A2"):
            sh("ip", "-n", "gb", "neigh", "replace", fa[a], "lladdr",
               ma.hex(":"), "dev", "veth_gb", "nud", "permanent")
        A, B, A2, B2, I, H = (fa[k] for k in ("A", "B", "A2", "B2", "I",
                                               "H"))
        conf += f"""
add {A} {B} ah {T_IN + b:#x} -m transport -r 64 -A aes-128-gmac 0x{K128.hex()};
add {B} {A} ah {T_OUT + b:#x} -m transport -A aes-128-gmac 0x{K128.hex()};
add {A} {B} ah {U_IN + b:#x} -m tunnel -r 64 -A aes-256-gmac 0x{K256.hex()};
add {B} {A} ah {U_OUT + b:#x} -m tunnel -A aes-256-gmac 0x{K256.hex()};
spdadd {A} {B} any -P in ipsec ah/transport//require;
spdadd {B} {A} any -P out ipsec ah/transport//require;
spdadd {I} {H} any -P in ipsec ah/tunnel/{A}-{B}/require;
spdadd {H} {I} any -P out ipsec ah/tunnel/{B}-{A}/require;
"""
        x = ["ip", "-n", "gb", "xfrm"]
        alg = ["auth-trunc", "rfc4543(gcm(aes))", "0x" + K192.hex(), "128"]
        sh(*x, "state", "add", "src", A2, "dst", B2, "proto", "ah", "spi",
           f"{E_IN + b:#x}", "mode", "transport", *alg, "flag", "esn",
           "replay-window", "64", "replay-seq", f"{ESN_TOP:#x}")
        sh(*x, "state", "add", "src", B2, "dst", A2, "proto", "ah", "spi",
           f"{E_OUT + b:#x}", "mode", "transport", *alg, "flag", "esn",
           "replay-window", "64", "replay-oseq-hi", str(ESN_OSEQ >> 32),
           "replay-oseq", f"{ESN_OSEQ & 0xffffffff:#x}")
        for d, s_, t_ in (("in", A2, B2), ("out", B2, A2)):
            sh(*x, "policy", "add", "src", s_, "dst", t_, "dir", d, "tmpl",
               "src", s_, "dst", t_, "proto", "ah", "mode", "transport")
    r = subprocess.run(["ip", "netns", "exec", "gb",
                        f"{TOP}/tools/pfkeyctl/pfkeyctl", "-f", "-"],
                       input=conf, text=True, capture_output=True)
    sh("ip", "netns", "exec", "gb", "sysctl", "-qw",
       "net.ipv4.conf.all.rp_filter=0")
    return r, ma


def main():
    t = Ktap()
    ensure_module()
    try:
        r, ma = setup()
    except subprocess.CalledProcessError as e:
        t.ok(False, "setup", f"{e.cmd}: {e.stderr}")
        t.end()
    t.ok(r.returncode == 0, "SAs (aes-128-gmac, aes-256-gmac) and policies "
         "through PF_KEY; the ESN ones through ip xfrm", r.stdout + r.stderr)
    out = sh("ip", "netns", "exec", "gb", f"{TOP}/tools/pfkeyctl/pfkeyctl",
             "-D")
    t.ok(out.count("A: aes-128-gmac") == 4 and
         out.count("A: aes-256-gmac") == 4 and
         out.count("A: aes-192-gmac") == 4,
         "pfkeyctl -D names them: aes-128-gmac, aes-256-gmac, and "
         "aes-192-gmac for the ones ip xfrm added (id 12 by key length)",
         out)
    setns("ga")
    wire = Wire("veth_ga", ma, mac("gb", "veth_gb"))
    setns("gb")
    c = T(t, wire)
    for f in (4, 6):
        try:
            cases(c, f)
        except Exception:  # noqa: BLE001 - report anything as a failure
            import traceback
            t.ok(False, f"IPv{f} cases", traceback.format_exc())
    # pcrypt around gcm(aes) (where the kernel has it): SAs added from
    # now on complete asynchronously
    r = subprocess.run([sys.executable, os.path.join(HERE, "lib",
                                                     "crypto_async.py"),
                        "aead:gcm(aes)"], text=True, capture_output=True)
    if r.returncode == 0 and r.stdout.split()[-1].startswith("pcrypt("):
        for f in (4, 6):
            try:
                async_cases(c, f)
            except Exception:  # noqa: BLE001 - report anything as a failure
                import traceback
                t.ok(False, f"IPv{f} async cases", traceback.format_exc())
    else:
        t.skip("async gcm(aes)", "no pcrypt here: " + r.stdout + r.stderr)
    r = subprocess.run([f"{TOP}/tests/vm/dmesg-check"], text=True,
                       capture_output=True)
    t.ok(r.returncode == 0, "no kernel report (BUG, WARNING, Oops) in dmesg",
         r.stdout + r.stderr)
    wire.s.close()
    for ns in ("ga", "gb"):
        sh("ip", "netns", "del", ns)
    t.end()


if __name__ == "__main__":
    main()
