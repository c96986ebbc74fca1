#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""PF_KEY policy messages (the KAME X_SPD* extensions of RFC 2367): every
message's success path, EEXIST and ENOENT, SPDGET returning what SPDADD
stored, a 1,000-policy SPDDUMP through a small receive buffer, SPDFLUSH,
MIGRATE, SPDEXPIRE, per-namespace isolation, malformed X_POLICY, and no
leaked policy objects at rmmod."""
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ktap import TOP, Ktap, ensure_module  # noqa: E402,F401
from pfkey import *  # noqa: E402,F401,F403
import pfkey as pk  # noqa: E402

LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib")
t = Ktap()

ensure_module()

A, B, C, D = "192.0.2.1", "192.0.2.2", "198.51.100.1", "198.51.100.2"
EINVAL, ENOENT, EEXIST, EAFNOSUPPORT, ENODATA = 22, 2, 17, 97, 61
TCP, ICMPV6 = 6, 58


def sel(src, dst, sp=None, dp=None, proto=ULPROTO_ANY, sport=0, dport=0):
    return ext_addr(EXT_SRC, src, sp, proto, sport) + \
        ext_addr(EXT_DST, dst, dp, proto, dport)


def spd(s, mtype, exts=b""):
    return s.request(mtype, SATYPE_UNSPEC, exts)


def by_id(s, mtype, pol_id):
    return spd(s, mtype, ext_policy(0, 0, pol_id=pol_id))


def test_add_get():
    s, other = pk.Sock(), pk.Sock()
    reqs = ipsecrequest(IPPROTO_ESP, MODE_TUNNEL, LEVEL_UNIQUE, 0x12345,
                        A, B) + \
        ipsecrequest(IPPROTO_AH, MODE_TRANSPORT, LEVEL_USE, 7)
    exts = sel("10.1.0.0", "10.2.0.0", 16, 24, TCP, 0, 443) + \
        ext_policy(POLICY_IPSEC, DIR_OUT, reqs, priority=1000) + \
        ext_lifetime(EXT_LT_HARD, addtime=3600, usetime=600) + \
        ext_lifetime(EXT_LT_SOFT, addtime=3000)
    m = spd(s, X_SPDADD, exts)
    t.eq(0, m.errno, "SPDADD of an IPsec policy with two requests")
    pid = m.policy()["id"] if m.errno == 0 else 0
    t.ok(pid != 0 and pid & 7 == DIR_OUT,
         f"the reply's X_POLICY has the new id 0x{pid:x}, direction in "
         "the low 3 bits")
    b = [x for x in other.drain() if x.type == X_SPDADD]
    t.eq(1, len(b), "SPDADD is broadcast to another socket")
    if b:
        t.eq((s.seq, os.getpid(), pid),
             (b[0].seq, b[0].pid, b[0].policy()["id"]),
             "the broadcast echoes seq and pid, and carries the id")

    g = by_id(s, X_SPDGET, pid)
    t.eq(0, g.errno, "SPDGET by id finds it")
    if g.errno == 0:
        t.eq((("10.1.0.0", 16, TCP), ("10.2.0.0", 24, TCP)),
             (g.addr(EXT_SRC), g.addr(EXT_DST)),
             "SPDGET: selector prefixes and upper-layer protocol")
        t.eq((0, 443), (g.port(EXT_SRC), g.port(EXT_DST)),
             "SPDGET: selector ports")
        p = g.policy()
        t.eq((POLICY_IPSEC, DIR_OUT, pid, 1000),
             (p["type"], p["dir"], p["id"], p["priority"]),
             "SPDGET: type, direction, id, priority")
        t.eq([dict(proto=IPPROTO_ESP, mode=MODE_TUNNEL, level=LEVEL_UNIQUE,
                   reqid=0x12345, src=A, dst=B),
              dict(proto=IPPROTO_AH, mode=MODE_TRANSPORT, level=LEVEL_USE,
                   reqid=7, src=None, dst=None)], p["reqs"],
             "SPDGET: requests in order, tunnel endpoints and reqids")
        t.eq((3600, 600, 3000),
             (g.lifetime(EXT_LT_HARD)["addtime"],
              g.lifetime(EXT_LT_HARD)["usetime"],
              g.lifetime(EXT_LT_SOFT)["addtime"]),
             "SPDGET: hard and soft lifetimes echoed")
        cur = g.lifetime(EXT_LT_CUR) if EXT_LT_CUR in g.ext else {}
        t.ok(abs(cur.get("addtime", 0) - time.time()) < 60 and
             cur.get("usetime") == 0,
             "SPDGET: LIFETIME_CURRENT has the add time, use time 0",
             repr(cur))
    t.eq([], [x.type for x in other.drain()], "SPDGET is not broadcast")

    m = spd(s, X_SPDADD, exts)
    t.eq(EEXIST, m.errno, "SPDADD of the same selector and direction: EEXIST")
    m = spd(s, X_SPDADD, sel("10.1.0.0", "10.2.0.0", 16, 24, TCP, 0, 443) +
            ext_policy(POLICY_DISCARD, DIR_IN))
    t.eq(0, m.errno, "the same selector inbound is another policy")
    if m.errno == 0:
        i = m.policy()["id"]
        t.ok(i != pid and i & 7 == DIR_IN, "with its own inbound id")
    m = spd(s, X_SPDADD, sel("10.1.0.0", "10.2.0.0", 16, 24, TCP, 0, 444) +
            ext_policy(POLICY_DISCARD, DIR_OUT))
    t.eq(0, m.errno, "another port is another selector")
    spd(s, X_SPDFLUSH)
    s.close()
    other.close()


def test_update():
    s = pk.Sock()
    x = sel("10.3.0.0", "10.4.0.0", 16, 16)
    m = spd(s, X_SPDADD, x + ext_policy(POLICY_DISCARD, DIR_FWD,
                                        priority=100))
    pid = m.policy()["id"] if m.errno == 0 else -1
    m = spd(s, X_SPDUPDATE, x + ext_policy(
        POLICY_IPSEC, DIR_FWD, ipsecrequest(IPPROTO_ESP, MODE_TRANSPORT),
        priority=50))
    t.eq((0, X_SPDUPDATE), (m.errno, m.type), "SPDUPDATE of an existing "
         "policy succeeds")
    t.eq(pid, m.policy()["id"] if m.errno == 0 else None,
         "SPDUPDATE keeps the policy id")
    g = by_id(s, X_SPDGET, pid)
    p = g.policy() if g.errno == 0 else {}
    t.eq((POLICY_IPSEC, 50, 1), (p.get("type"), p.get("priority"),
                                 len(p.get("reqs", []))),
         "SPDGET after SPDUPDATE: the new type, priority and request")
    m = spd(s, X_SPDUPDATE, sel("10.5.0.0", "10.6.0.0", 16, 16) +
            ext_policy(POLICY_NONE, DIR_IN))
    t.eq(0, m.errno, "SPDUPDATE of a missing policy adds it")
    if m.errno == 0:
        g = by_id(s, X_SPDGET, m.policy()["id"])
        t.eq(0, g.errno, "SPDGET finds the policy SPDUPDATE added")
    spd(s, X_SPDFLUSH)
    s.close()


def test_delete():
    s, other = pk.Sock(), pk.Sock()
    x = sel(A, B, proto=TCP, dport=22)
    m = spd(s, X_SPDADD, x + ext_policy(POLICY_DISCARD, DIR_IN))
    pid = m.policy()["id"] if m.errno == 0 else -1
    other.drain()
    m = spd(s, X_SPDDELETE, x + ext_policy(POLICY_DISCARD, DIR_IN))
    t.eq(0, m.errno, "SPDDELETE by selector and direction")
    b = [y for y in other.drain() if y.type == X_SPDDELETE]
    t.eq(1, len(b), "SPDDELETE is broadcast")
    if b:
        t.eq((s.seq, os.getpid(), pid),
             (b[0].seq, b[0].pid, b[0].policy()["id"]),
             "the SPDDELETE broadcast echoes seq and pid, names the id")
    t.eq(ENOENT, by_id(s, X_SPDGET, pid).errno,
         "SPDGET of the deleted policy: ENOENT")
    m = spd(s, X_SPDDELETE, x + ext_policy(POLICY_DISCARD, DIR_IN))
    t.eq(ENOENT, m.errno, "SPDDELETE of a missing policy: ENOENT")

    m = spd(s, X_SPDADD, x + ext_policy(POLICY_DISCARD, DIR_OUT))
    pid = m.policy()["id"] if m.errno == 0 else -1
    other.drain()
    m = by_id(s, X_SPDDELETE2, pid)
    t.eq((0, X_SPDDELETE2), (m.errno, m.type), "SPDDELETE2 by id")
    t.eq(1, len([y for y in other.drain() if y.type == X_SPDDELETE2]),
         "SPDDELETE2 is broadcast")
    t.eq(ENOENT, by_id(s, X_SPDDELETE2, pid).errno,
         "SPDDELETE2 of a missing id: ENOENT")
    t.eq(ENOENT, by_id(s, X_SPDGET, 0).errno, "SPDGET of id 0: ENOENT")
    s.close()
    other.close()


def test_ipv6_icmp():
    s = pk.Sock()
    # strongSwan: ICMP type in the source port, code in the destination
    m = spd(s, X_SPDADD, sel("2001:db8:1::", "2001:db8:2::", 48, 64,
                             ICMPV6, 135, 0) +
            ext_policy(POLICY_BYPASS, DIR_IN, priority=7))
    t.eq(0, m.errno, "SPDADD of an IPv6 ICMPv6 bypass policy")
    if m.errno == 0:
        g = by_id(s, X_SPDGET, m.policy()["id"])
        t.eq((("2001:db8:1::", 48, ICMPV6), ("2001:db8:2::", 64, ICMPV6),
              135, 0),
             (g.addr(EXT_SRC), g.addr(EXT_DST), g.port(EXT_SRC),
              g.port(EXT_DST)), "SPDGET: IPv6 prefixes, ICMP type and code")
        t.eq(POLICY_NONE, g.policy()["type"], "bypass is stored as none")
    m = spd(s, X_SPDADD, sel(A, B) + ext_policy(
        POLICY_IPSEC, DIR_OUT, ipsecrequest(IPPROTO_ESP, MODE_TUNNEL,
                                            src="2001:db8::1",
                                            dst="2001:db8::2")))
    t.eq(0, m.errno, "IPv4 traffic in an IPv6 tunnel")
    if m.errno == 0:
        g = by_id(s, X_SPDGET, m.policy()["id"])
        r = g.policy()["reqs"][0]
        t.eq(("2001:db8::1", "2001:db8::2"), (r["src"], r["dst"]),
             "SPDGET: IPv6 endpoints of an IPv4 policy")
    spd(s, X_SPDFLUSH)
    s.close()


def test_dump_flush():
    s, other = pk.Sock(), pk.Sock()
    n = 1000
    ids = set()
    for i in range(n):
        m = spd(s, X_SPDADD, sel(f"10.{i // 256}.{i % 256}.0",
                                 "172.16.0.0", 24, 12) +
                ext_policy(POLICY_DISCARD, 1 + i % 3, priority=i))
        if m.errno == 0:
            ids.add(m.policy()["id"])
    t.eq(n, len(ids), f"{n} SPDADDs, {n} distinct ids")
    other.close()
    other = pk.Sock()
    d = pk.Sock(rcvbuf=4096)
    got = d.dump(X_SPDDUMP)
    t.eq(n, len(got), f"SPDDUMP through a 4 KiB buffer returns {n} messages")
    t.eq(list(range(n - 1, -1, -1)), [m.seq for m in got],
         "SPDDUMP counts sadb_msg_seq down to 0")
    t.ok(all(m.type == X_SPDDUMP and m.pid == os.getpid() for m in got),
         "SPDDUMP messages carry the type and our pid")
    t.eq(sorted(ids), sorted(m.policy()["id"] for m in got),
         "every policy exactly once")
    t.eq([], other.drain(), "SPDDUMP is not broadcast")
    m = spd(s, X_SPDFLUSH)
    t.eq(0, m.errno, "SPDFLUSH succeeds")
    t.eq(1, len([x for x in other.drain() if x.type == X_SPDFLUSH]),
         "SPDFLUSH is broadcast")
    t.eq(ENOENT, spd(s, X_SPDDUMP).errno, "after SPDFLUSH, SPDDUMP: ENOENT")
    t.eq(ENOENT, by_id(s, X_SPDGET, min(ids) if ids else 1).errno,
         "after SPDFLUSH, SPDGET: ENOENT")
    for x in (s, other, d):
        x.close()


def test_migrate():
    s, other = pk.Sock(), pk.Sock()
    x = sel("10.7.0.0", "10.8.0.0", 16, 16)
    m = spd(s, X_SPDADD, x + ext_policy(
        POLICY_IPSEC, DIR_OUT,
        ipsecrequest(IPPROTO_ESP, MODE_TUNNEL, reqid=9, src=A, dst=B)))
    pid = m.policy()["id"] if m.errno == 0 else -1
    other.drain()
    pair = ipsecrequest(IPPROTO_ESP, MODE_TUNNEL, reqid=9, src=A, dst=B) + \
        ipsecrequest(IPPROTO_ESP, MODE_TUNNEL, reqid=9, src=C, dst=D)
    m = spd(s, X_MIGRATE, ext_kmaddress(A, B) + x +
            ext_policy(POLICY_IPSEC, DIR_OUT, pair))
    t.eq(0, m.errno, "MIGRATE of the tunnel endpoints")
    t.eq(1, len([y for y in other.drain() if y.type == X_MIGRATE]),
         "MIGRATE is broadcast")
    g = by_id(s, X_SPDGET, pid)
    r = g.policy()["reqs"][0] if g.errno == 0 else {}
    t.eq((C, D, 9), (r.get("src"), r.get("dst"), r.get("reqid")),
         "SPDGET after MIGRATE: new endpoints, same id and reqid")
    m = spd(s, X_MIGRATE, x + ext_policy(POLICY_IPSEC, DIR_OUT, pair))
    # af_key goes through xfrm_migrate(), whose xfrm_policy_migrate() says
    # ENODATA when no template matches (xfrm_migrate.pair.sh checks the
    # XFRM side against stock)
    t.eq(ENODATA, m.errno,
         "MIGRATE from endpoints the policy lacks: ENODATA")
    m = spd(s, X_MIGRATE, x + ext_policy(POLICY_IPSEC, DIR_IN, pair))
    t.eq(ENOENT, m.errno, "MIGRATE of a missing policy: ENOENT")
    m = spd(s, X_MIGRATE, x + ext_policy(POLICY_IPSEC, DIR_OUT, pair[:48]))
    t.eq(EINVAL, m.errno, "MIGRATE with half a pair: EINVAL")
    spd(s, X_SPDFLUSH)
    s.close()
    other.close()


def test_expire():
    s, km = pk.Sock(), pk.Sock()
    m = spd(s, X_SPDADD, sel(A, C) + ext_policy(POLICY_DISCARD, DIR_OUT) +
            ext_lifetime(EXT_LT_HARD, addtime=1))
    pid = m.policy()["id"] if m.errno == 0 else -1
    deadline = time.time() + 6
    exp = None
    while time.time() < deadline and exp is None:
        y = km.recv(1)
        if y and y.type == X_SPDEXPIRE:
            exp = y
    t.ok(exp is not None, "a hard add time sends SPDEXPIRE to every socket")
    if exp:
        t.eq((pid, 1, 0, 0), (exp.policy()["id"],
                              exp.lifetime(EXT_LT_HARD)["addtime"],
                              exp.pid, exp.seq),
             "SPDEXPIRE: the id, LIFETIME_HARD, pid and seq 0")
        t.ok(EXT_LT_CUR in exp.ext, "SPDEXPIRE carries LIFETIME_CURRENT")
    t.eq(ENOENT, by_id(s, X_SPDGET, pid).errno, "the expired policy is gone")
    s.close()
    km.close()


def test_netns():
    subprocess.run(["ip", "netns", "add", "pfks"], check=True)
    s = pk.Sock()
    x = sel(A, B)
    m = spd(s, X_SPDADD, x + ext_policy(POLICY_DISCARD, DIR_OUT))
    pid = m.policy()["id"] if m.errno == 0 else 1
    code = ("import sys\nsys.path.insert(0, %r)\nimport pfkey as pk\n"
            "s = pk.Sock()\n"
            "g = s.request(pk.X_SPDGET, 0, pk.ext_policy(0, 0, pol_id=%d))\n"
            "d = s.request(pk.X_SPDDUMP, 0)\n"
            "a = s.request(pk.X_SPDADD, 0, %r)\n"
            "print(g.errno, d.errno, a.errno)\n"
            % (LIB, pid, x + ext_policy(POLICY_DISCARD, DIR_OUT)))
    r = subprocess.run(["ip", "netns", "exec", "pfks", "python3", "-c", code],
                       capture_output=True, text=True)
    t.ok(r.stdout.strip() == "2 2 0",
         "another namespace: SPDGET and SPDDUMP see nothing, SPDADD of the "
         "same selector succeeds", r.stdout + r.stderr)
    t.eq(0, by_id(s, X_SPDGET, pid).errno, "the first namespace's policy "
         "is untouched")
    spd(s, X_SPDFLUSH)
    s.close()
    # a namespace that dies with policies in it frees them
    subprocess.run(["ip", "netns", "del", "pfks"], check=True)


def test_malformed():
    s = pk.Sock()
    spd(s, X_SPDFLUSH)
    x = sel(A, B)
    esp_t = ipsecrequest(IPPROTO_ESP, MODE_TUNNEL, src=A, dst=B)

    def ipsec(reqs, pdir=DIR_OUT):
        return x + ext_policy(POLICY_IPSEC, pdir, reqs)
    cases = [
        ("request length 44, not a multiple of 8",
         ipsec(ipsecrequest(IPPROTO_ESP, MODE_TUNNEL, src=A, dst=B,
                            length=44)), EINVAL),
        ("request length 8, shorter than a request",
         ipsec(ipsecrequest(IPPROTO_ESP, MODE_TRANSPORT, length=8)), EINVAL),
        ("request length past the extension",
         ipsec(ipsecrequest(IPPROTO_ESP, MODE_TUNNEL, src=A, dst=B,
                            length=56)), EINVAL),
        ("tunnel request without endpoints",
         ipsec(ipsecrequest(IPPROTO_ESP, MODE_TUNNEL)), EINVAL),
        ("tunnel request with one endpoint",
         ipsec(ipsecrequest(IPPROTO_ESP, MODE_TUNNEL, src=A)), EINVAL),
        ("unknown level 9",
         ipsec(ipsecrequest(IPPROTO_ESP, MODE_TRANSPORT, level=9)), EINVAL),
        ("unknown mode 7",
         ipsec(ipsecrequest(IPPROTO_ESP, 7)), EINVAL),
        ("request protocol UDP",
         ipsec(ipsecrequest(17, MODE_TRANSPORT)), EINVAL),
        ("endpoints of two families",
         ipsec(ipsecrequest(IPPROTO_ESP, MODE_TUNNEL, src=A,
                            dst="2001:db8::2")), EINVAL),
        ("selector of two families",
         sel(A, "2001:db8::2") +
         ext_policy(POLICY_IPSEC, DIR_OUT, esp_t), EINVAL),
        ("selector protocols differ",
         ext_addr(EXT_SRC, A, proto=6) + ext_addr(EXT_DST, B, proto=17) +
         ext_policy(POLICY_DISCARD, DIR_OUT), EINVAL),
        ("IPsec policy without requests", ipsec(b""), EINVAL),
        ("discard policy with a request",
         x + ext_policy(POLICY_DISCARD, DIR_OUT, esp_t), EINVAL),
        ("five requests", ipsec(esp_t * 5), EINVAL),
        ("type entrust", x + ext_policy(POLICY_ENTRUST, DIR_OUT), EINVAL),
        ("type 9", x + ext_policy(9, DIR_OUT), EINVAL),
        ("direction any", ipsec(esp_t, DIR_ANY), EINVAL),
        ("direction 4", ipsec(esp_t, 4), EINVAL),
        ("X_POLICY missing", x, EINVAL),
        ("prefix 33 on IPv4",
         sel(A, B, 33) + ext_policy(POLICY_DISCARD, DIR_OUT), EINVAL),
        # the parser tells an unknown family from a malformed message
        ("endpoint family AF_UNIX (EAFNOSUPPORT)",
         ipsec(struct.pack("=HHBBHII", 48, IPPROTO_ESP, MODE_TUNNEL,
                           LEVEL_REQUIRE, 0, 0, 0) +
               struct.pack("=H", socket.AF_UNIX) + b"\0" * 14 +
               pk.sockaddr(B)), EAFNOSUPPORT),
    ]
    for what, exts, want in cases:
        m = spd(s, X_SPDADD, exts)
        t.eq(want, m.errno, f"SPDADD refused: {what}")
    t.eq(ENOENT, spd(s, X_SPDDUMP).errno, "nothing of them was stored")
    t.eq(EINVAL, spd(s, X_SPDGET).errno, "SPDGET without X_POLICY: EINVAL")
    s.close()


def test_leaks():
    # a dying namespace with policies in it, then rmmod
    subprocess.run(["ip", "netns", "add", "pfkl"], check=True)
    code = ("import sys\nsys.path.insert(0, %r)\nimport pfkey as pk\n"
            "s = pk.Sock()\n"
            "for i in range(50):\n"
            "    s.request(pk.X_SPDADD, 0, pk.ext_addr(pk.EXT_SRC, "
            "'10.9.0.%%d' %% i) + pk.ext_addr(pk.EXT_DST, %r) + "
            "pk.ext_policy(pk.POLICY_DISCARD, pk.DIR_IN, "
            "priority=i))\n" % (LIB, B))
    r = subprocess.run(["ip", "netns", "exec", "pfkl", "python3", "-c", code],
                       capture_output=True, text=True)
    t.eq("", r.stderr, "50 policies added in a namespace")
    t.ok(os.path.exists("/sys/kernel/slab/ipsec_policy"),
         "the ipsec_policy cache exists while loaded")
    subprocess.run(["ip", "netns", "del", "pfkl"], check=True)
    s = pk.Sock()
    for i in range(20):
        spd(s, X_SPDADD, sel(f"10.10.0.{i}", B) +
            ext_policy(POLICY_DISCARD, DIR_OUT))
    s.close()
    time.sleep(0.5)
    r = subprocess.run(["rmmod", "ipsec"], capture_output=True, text=True)
    t.ok(r.returncode == 0, "rmmod with policies installed", r.stderr)
    dmesg = subprocess.run(["dmesg"], capture_output=True,
                           text=True).stdout
    t.ok("still has objects" not in dmesg,
         "no \"still has objects\" in dmesg")
    with open("/proc/slabinfo") as f:
        slabs = [line.split()[0] for line in f if line.startswith("ipsec")]
    t.ok("ipsec_policy" not in slabs and
         not os.path.exists("/sys/kernel/slab/ipsec_policy"),
         "no ipsec_policy cache after rmmod", repr(slabs))


for fn in (test_add_get, test_update, test_delete, test_ipv6_icmp,
           test_dump_flush, test_migrate, test_expire, test_netns,
           test_malformed, test_leaks):
    t.run(fn.__name__, fn)
t.end()
