#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""PF_KEY v2 SA messages (RFC 2367 3.1): every message type's success path
and its error paths, broadcasts (and no keys in them), GETSPI and the
larval-to-mature UPDATE, lifetimes by time, per-namespace isolation,
privileges."""
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

t = Ktap()

ensure_module()

A, B = "192.0.2.1", "192.0.2.2"
EKEY = bytes(range(16))
AKEY = bytes(range(32, 64))


def errno_of(m):
    return m.errno


def test_socket():
    s = pk.Sock()
    s.close()
    t.ok(True, "socket(PF_KEY, SOCK_RAW, PF_KEY_V2)")
    for typ, proto, want, what in [
            (socket.SOCK_DGRAM, 2, 94, "SOCK_DGRAM: ESOCKTNOSUPPORT"),
            (socket.SOCK_RAW, 1, 93, "protocol 1: EPROTONOSUPPORT")]:
        try:
            socket.socket(socket.AF_KEY, typ, proto).close()
            t.ok(False, what)
        except OSError as e:
            t.eq(want, e.errno, what)
    r = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         "--inh-caps=-all", "python3", "-c",
         "import socket\ntry:\n socket.socket(socket.AF_KEY, socket.SOCK_RAW, 2)\n"
         " print('opened')\nexcept OSError as e:\n print(e.errno)"],
        capture_output=True, text=True)
    t.eq("1", r.stdout.strip(), "EPERM without CAP_NET_ADMIN")


def test_register():
    s = pk.Sock()
    m = s.request(REGISTER, SATYPE_ESP)
    t.eq(0, m.errno, "REGISTER esp succeeds")
    auth = {a[0]: a for a in m.supported(EXT_SUP_AUTH)} \
        if EXT_SUP_AUTH in m.ext else {}
    enc = {a[0]: a for a in m.supported(EXT_SUP_ENC)} \
        if EXT_SUP_ENC in m.ext else {}
    t.eq([], [a for a in (AALG_SHA1, AALG_SHA256, AALG_SHA384,
                          AALG_SHA512, AALG_XCBC) if a not in auth],
         "SUPPORTED_AUTH lists HMAC-SHA1/256/384/512 and AES-XCBC")
    t.eq([], [e for e in (EALG_NULL, EALG_AESCBC, EALG_AESCTR, EALG_GCM8,
                          EALG_GCM12, EALG_GCM16, EALG_GMAC) if e not in enc],
         "SUPPORTED_ENCRYPT lists NULL, AES-CBC/CTR, AES-GCM-8/12/16, GMAC")
    t.eq((EALG_GCM16, 64, 160, 288), enc.get(EALG_GCM16),
         "AES-GCM-16: 64-bit IV, keys 160..288 bits (salt included)")
    t.eq((AALG_SHA256, 0, 256, 256), auth.get(AALG_SHA256),
         "HMAC-SHA2-256 key is 256 bits")
    t.ok(max(m.ext) <= 25, "no extension type above 25")
    gmac = (AALG_GMAC128, AALG_GMAC192, AALG_GMAC256)
    t.eq([], [a for a in gmac if a in auth],
         "ESP's SUPPORTED_AUTH leaves out AES-GMAC (AH's, RFC 4543 4)")
    m = s.request(REGISTER, SATYPE_AH)
    auth = {a[0]: a for a in m.supported(EXT_SUP_AUTH)} \
        if EXT_SUP_AUTH in m.ext else {}
    t.eq([(AALG_GMAC128, 64, 160, 160), (AALG_GMAC192, 64, 224, 224),
          (AALG_GMAC256, 64, 288, 288)], [auth.get(a) for a in gmac],
         "AH's SUPPORTED_AUTH: AES-128/192/256-GMAC (ids 11, 12, 13), "
         "64-bit IV, the AES key and a 32-bit salt")
    m = s.request(REGISTER, 200)
    t.eq(22, m.errno, "REGISTER of an unknown satype: EINVAL")
    s.close()


def test_add_get_delete():
    s, other = pk.Sock(), pk.Sock()
    e = pk.esp_sa_exts(A, B, 0x1000, ekey=EKEY, akey=AKEY, reqid=0x12345,
                       replay=255, flags=0, mode=MODE_TUNNEL,
                       extra=ext_lifetime(EXT_LT_HARD, addtime=3600) +
                       ext_lifetime(EXT_LT_SOFT, addtime=3000))
    m = s.request(ADD, SATYPE_ESP, e)
    t.eq(0, m.errno, "ADD esp aes-cbc/hmac-sha256 succeeds")
    t.ok(EXT_KEY_ENC not in m.ext and EXT_KEY_AUTH not in m.ext,
         "the ADD reply carries no keys")
    b = [x for x in other.drain() if x.type == ADD]
    t.eq(1, len(b), "ADD is broadcast to another socket")
    if b:
        t.ok(EXT_KEY_ENC not in b[0].ext and EXT_KEY_AUTH not in b[0].ext,
             "the broadcast carries no keys")
        t.eq((s.seq, os.getpid()), (b[0].seq, b[0].pid),
             "the broadcast echoes seq and pid")

    g = s.request(GET, SATYPE_ESP, ext_sa(0x1000) + ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B))
    t.eq(0, g.errno, "GET finds it")
    if g.errno == 0:
        t.eq(0x1000, g.sa()["spi"], "GET: SPI")
        t.eq(255, g.sa()["replay"], "GET: replay window 255")
        t.eq(MATURE, g.sa()["state"], "GET: mature")
        t.eq((EKEY, 128), g.key(EXT_KEY_ENC), "GET returns the encryption key")
        t.eq((AKEY, 256), g.key(EXT_KEY_AUTH), "GET returns the auth key")
        t.eq((MODE_TUNNEL, 0x12345), g.sa2(),
             "GET: SA2 keeps mode and a reqid above 0x3fff")
        t.eq(3600, g.lifetime(EXT_LT_HARD)["addtime"], "GET: hard lifetime")
        t.eq(3000, g.lifetime(EXT_LT_SOFT)["addtime"], "GET: soft lifetime")
        now = time.time()
        t.ok(abs(g.lifetime(EXT_LT_CUR)["addtime"] - now) < 60,
             "GET: LIFETIME_CURRENT addtime is the time of the ADD")
        t.eq((A, 32, 255), g.addr(EXT_SRC), "GET: source address")
    other.drain()
    m = s.request(ADD, SATYPE_ESP, e)
    t.eq(17, m.errno, "ADD of an existing SA: EEXIST")

    m = s.request(DELETE, SATYPE_ESP, ext_sa(0x1000) +
                  ext_addr(EXT_SRC, A) + ext_addr(EXT_DST, B))
    t.eq(0, m.errno, "DELETE succeeds")
    t.eq(1, len([x for x in other.drain() if x.type == DELETE]),
         "DELETE is broadcast")
    g = s.request(GET, SATYPE_ESP, ext_sa(0x1000) + ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B))
    t.eq(3, g.errno, "GET after DELETE: ESRCH")
    m = s.request(DELETE, SATYPE_ESP, ext_sa(0x1000) +
                  ext_addr(EXT_SRC, A) + ext_addr(EXT_DST, B))
    t.eq(3, m.errno, "DELETE of a missing SA: ESRCH")
    s.close()
    other.close()


def test_add_errors():
    s = pk.Sock()
    cases = [
        ("SPI below 0x100", pk.esp_sa_exts(A, B, 0xff), 22),
        ("AES-CBC with a 100-bit key",
         pk.esp_sa_exts(A, B, 0x2001, ekey=b"\1" * 13), 22),
        ("HMAC-SHA256 with a 160-bit key",
         pk.esp_sa_exts(A, B, 0x2002, akey=b"\1" * 20), 22),
        ("AES-GCM-16 with 256 bits (salt missing)",
         pk.esp_sa_exts(A, B, 0x2003, enc=EALG_GCM16, ekey=b"\1" * 32,
                        auth=AALG_NONE, akey=None), 22),
        ("AES-GCM with an auth algorithm too",
         pk.esp_sa_exts(A, B, 0x2004, enc=EALG_GCM16, ekey=b"\1" * 36), 22),
        ("unknown encryption algorithm 250",
         pk.esp_sa_exts(A, B, 0x2005, enc=250), 22),
        ("unknown auth algorithm 99", pk.esp_sa_exts(A, B, 0x2006, auth=99),
         22),
        ("NULL encryption without authentication",
         pk.esp_sa_exts(A, B, 0x2007, enc=EALG_NULL, ekey=None,
                        auth=AALG_NONE, akey=None), 22),
        ("encryption key missing", pk.esp_sa_exts(A, B, 0x2008, ekey=None),
         22),
        ("IPv4 source with IPv6 destination",
         ext_sa(0x2009, auth=AALG_SHA256, enc=EALG_AESCBC) +
         ext_addr(EXT_SRC, A) + ext_addr(EXT_DST, "2001:db8::2") +
         ext_key(EXT_KEY_AUTH, AKEY) + ext_key(EXT_KEY_ENC, EKEY), 22),
        ("prefix length 33 on IPv4",
         ext_sa(0x200a, auth=AALG_SHA256, enc=EALG_AESCBC) +
         ext_addr(EXT_SRC, A, prefix=33) + ext_addr(EXT_DST, B) +
         ext_key(EXT_KEY_AUTH, AKEY) + ext_key(EXT_KEY_ENC, EKEY), 22),
        ("SA extension missing",
         ext_addr(EXT_SRC, A) + ext_addr(EXT_DST, B), 22),
        ("destination missing",
         ext_sa(0x200b, auth=AALG_SHA256, enc=EALG_AESCBC) +
         ext_addr(EXT_SRC, A), 22),
        ("duplicate extension",
         pk.esp_sa_exts(A, B, 0x200c) + ext_sa2(), 22),
        ("unknown extension type 99",
         pk.esp_sa_exts(A, B, 0x200d) + ext_raw(99, b"\0" * 4), 22),
        ("SENSITIVITY (not supported)",
         pk.esp_sa_exts(A, B, 0x200e) + ext_raw(EXT_SENS, b"\0" * 12), 95),
    ]
    for what, exts, want in cases:
        m = s.request(ADD, SATYPE_ESP, exts)
        t.eq(want, m.errno, f"ADD refused: {what} ({pk.strerror(want)})")
    m = s.request(ADD, 77, pk.esp_sa_exts(A, B, 0x2010))
    t.eq(22, m.errno, "ADD with an unknown satype: EINVAL")
    m = s.request(DUMP, SATYPE_ESP)
    t.eq(2, m.errno, "nothing of the refused ADDs remains (DUMP: ENOENT)")

    for what, data, want in [
            ("wrong version", msg(ADD, SATYPE_ESP, version=1), 22),
            ("sadb_msg_len larger than the datagram",
             msg(ADD, SATYPE_ESP, length=4), 22),
            ("shorter than a header", b"\2\3\0\3", 22)]:
        try:
            s.send(data)
            r = s.recv(0.5)
            t.ok(False, f"send refused: {what}",
                 f"accepted; reply errno {r.errno if r else None}")
        except OSError as e:
            t.eq(want, e.errno, f"send refused: {what} ({pk.strerror(want)})")
    m = s.request(99, SATYPE_ESP)
    t.eq(95, m.errno, "unknown message type: EOPNOTSUPP")
    s.close()


def test_getspi_update():
    s = pk.Sock()
    m = s.request(GETSPI, SATYPE_ESP, ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B) + ext_spirange(0x3000, 0x3fff) +
                  ext_sa2(MODE_TRANSPORT, 7))
    t.eq(0, m.errno, "GETSPI with SPIRANGE succeeds")
    spi = m.sa()["spi"] if m.errno == 0 else 0
    t.ok(0x3000 <= spi <= 0x3fff, f"the SPI 0x{spi:x} is in the range")
    g = s.request(GET, SATYPE_ESP, ext_sa(spi) + ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B))
    t.eq(LARVAL, g.sa()["state"] if g.errno == 0 else None,
         "the SA is larval")
    m = s.request(GETSPI, SATYPE_ESP, ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B) + ext_spirange(spi, spi))
    t.ok(m.errno != 0, "GETSPI for a taken single-value range fails")
    m = s.request(GETSPI, SATYPE_ESP, ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B) + ext_spirange(0x10, 0xff))
    t.eq(22, m.errno, "GETSPI below 0x100: EINVAL")
    m = s.request(UPDATE, SATYPE_ESP, pk.esp_sa_exts(A, B, spi, reqid=7))
    t.eq(0, m.errno, "UPDATE of the larval SA succeeds")
    g = s.request(GET, SATYPE_ESP, ext_sa(spi) + ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B))
    t.eq(MATURE, g.sa()["state"] if g.errno == 0 else None,
         "after UPDATE the SA is mature")
    m = s.request(UPDATE, SATYPE_ESP, pk.esp_sa_exts(A, B, 0x3ffff))
    t.eq(3, m.errno, "UPDATE of a missing SA: ESRCH")
    s.request(FLUSH, SATYPE_UNSPEC)
    s.close()


def test_flush_dump():
    s, other = pk.Sock(), pk.Sock()
    n = 50
    for i in range(n):
        s.request(ADD, SATYPE_ESP, pk.esp_sa_exts(A, B, 0x5000 + i))
    s.request(ADD, SATYPE_AH, ext_sa(0x6000, auth=AALG_SHA1) +
              ext_addr(EXT_SRC, A) + ext_addr(EXT_DST, B) +
              ext_key(EXT_KEY_AUTH, b"\3" * 20))
    other.drain()
    for spi, a, klen, want, what in [
            (0x6001, AALG_GMAC128, 20, 0, "AH aes-128-gmac, 160-bit key"),
            (0x6002, AALG_GMAC256, 36, 0, "AH aes-256-gmac, 288-bit key"),
            (0x6003, AALG_GMAC192, 24, 22,
             "AH aes-192-gmac with no salt (192 bits): EINVAL")]:
        m = s.request(ADD, SATYPE_AH, ext_sa(spi, auth=a) +
                      ext_addr(EXT_SRC, A) + ext_addr(EXT_DST, B) +
                      ext_key(EXT_KEY_AUTH, b"\5" * klen))
        t.eq(want, m.errno, what)
    m = s.request(ADD, SATYPE_ESP, ext_sa(0x6004, auth=AALG_GMAC128,
                                          enc=EALG_AESCBC) +
                  ext_addr(EXT_SRC, A) + ext_addr(EXT_DST, B) +
                  ext_key(EXT_KEY_AUTH, b"\5" * 20) +
                  ext_key(EXT_KEY_ENC, b"\6" * 16))
    t.eq(22, m.errno, "ESP with aes-128-gmac authentication: EINVAL "
         "(its GMAC is null-aes-gmac)")
    for spi in (0x6001, 0x6002):
        s.request(DELETE, SATYPE_AH, ext_sa(spi) + ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B))
    other.drain()
    got = s.dump(DUMP, SATYPE_ESP)
    t.eq(n, len(got), f"DUMP esp returns the {n} ESP SAs")
    t.eq(list(range(n - 1, -1, -1)), [m.seq for m in got],
         "DUMP counts sadb_msg_seq down to 0")
    t.ok(all(m.pid == os.getpid() and m.type == DUMP for m in got),
         "DUMP replies carry our pid")
    t.eq(sorted(0x5000 + i for i in range(n)),
         sorted(m.sa()["spi"] for m in got), "every SPI once")
    t.ok(all(EXT_KEY_ENC in m.ext for m in got), "DUMP carries keys")
    t.eq([], other.drain(), "a DUMP is not broadcast")
    m = s.request(FLUSH, SATYPE_ESP)
    t.eq(0, m.errno, "FLUSH esp succeeds")
    t.eq(1, len([x for x in other.drain() if x.type == FLUSH]),
         "FLUSH is broadcast")
    m = s.request(DUMP, SATYPE_ESP)
    t.eq(2, m.errno, "after FLUSH esp, DUMP esp: ENOENT")
    m = s.request(GET, SATYPE_AH, ext_sa(0x6000) + ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B))
    t.eq(0, m.errno, "FLUSH esp leaves the AH SA")
    s.request(FLUSH, SATYPE_UNSPEC)
    m = s.request(DUMP, SATYPE_UNSPEC)
    t.eq(2, m.errno, "FLUSH (all) empties the SAD")
    s.close()
    other.close()


def test_expire():
    km, s = pk.Sock(), pk.Sock()
    km.request(REGISTER, SATYPE_ESP)
    # hard 3 s after soft: a timer that fires late under TCG must not
    # find both passed (then only the hard EXPIRE goes, as in XFRM)
    e = pk.esp_sa_exts(A, B, 0x7000, extra=ext_lifetime(EXT_LT_SOFT,
                                                        addtime=1) +
                       ext_lifetime(EXT_LT_HARD, addtime=4))
    s.request(ADD, SATYPE_ESP, e)
    deadline = time.time() + 10
    exp = []
    while time.time() < deadline and len(exp) < 2:
        m = km.recv(1)
        if m and m.type == EXPIRE:
            exp.append(m)
    t.eq(2, len(exp), "a registered socket gets two EXPIREs (soft, hard)")
    if len(exp) == 2:
        soft, hard = exp
        t.ok(EXT_LT_SOFT in soft.ext and EXT_LT_HARD not in soft.ext and
             EXT_LT_CUR in soft.ext,
             "the soft EXPIRE has LIFETIME_SOFT and CURRENT, not HARD")
        t.ok(EXT_LT_HARD in hard.ext and EXT_LT_SOFT not in hard.ext,
             "the hard EXPIRE has LIFETIME_HARD, not SOFT")
        t.eq(DYING, soft.sa()["state"], "soft expiry makes the SA dying")
        t.eq((0, 0), (soft.pid, soft.seq), "kernel messages carry pid 0")
        t.ok(EXT_KEY_ENC not in soft.ext and EXT_KEY_AUTH not in hard.ext,
             "EXPIREs carry no keys")
    g = s.request(GET, SATYPE_ESP, ext_sa(0x7000) + ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B))
    t.eq(3, g.errno, "after the hard expiry the SA is gone")
    km.close()
    s.close()


def test_larval_expiry():
    s = pk.Sock()
    with open("/proc/sys/net/ipsec/invalid_life", "w") as f:
        f.write("1")
    m = s.request(GETSPI, SATYPE_ESP, ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B))
    spi = m.sa()["spi"] if m.errno == 0 else 0
    time.sleep(2.5)
    g = s.request(GET, SATYPE_ESP, ext_sa(spi) + ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B))
    t.eq(3, g.errno, "a larval SA goes away after net.ipsec.invalid_life")
    with open("/proc/sys/net/ipsec/invalid_life", "w") as f:
        f.write("60")
    s.close()


def test_netns():
    subprocess.run(["ip", "netns", "add", "pfk"], check=True)
    s = pk.Sock()
    s.request(ADD, SATYPE_ESP, pk.esp_sa_exts(A, B, 0x8000))
    code = ("import sys\nsys.path.insert(0, %r)\nimport pfkey as pk\n"
            "s = pk.Sock()\nm = s.request(pk.GET, pk.SATYPE_ESP, "
            "pk.ext_sa(0x8000) + pk.ext_addr(pk.EXT_SRC, %r) + "
            "pk.ext_addr(pk.EXT_DST, %r))\nprint(m.errno)\n"
            % (os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "lib"), A, B))
    r = subprocess.run(["ip", "netns", "exec", "pfk", "python3", "-c", code],
                       capture_output=True, text=True)
    t.eq("3", r.stdout.strip(),
         "an SA added in one namespace is invisible in another")
    s.request(FLUSH, SATYPE_UNSPEC)
    s.close()
    subprocess.run(["ip", "netns", "del", "pfk"], check=True)


def test_promisc():
    s, spy = pk.Sock(), pk.Sock()
    spy.request(X_PROMISC, 1)
    spy.drain()
    s.request(ADD, SATYPE_ESP, pk.esp_sa_exts(A, B, 0x9000, ekey=EKEY,
                                              akey=AKEY))
    got = spy.drain()
    copies = [m for m in got if m.type == ADD and m.pid == os.getpid()]
    t.ok(len(copies) >= 1, "a promiscuous socket sees the ADD request")
    t.ok(all(EKEY not in m.raw and AKEY not in m.raw for m in got),
         "what a promiscuous socket sees carries no keys")
    s.request(FLUSH, SATYPE_UNSPEC)
    s.close()
    spy.close()


def test_huge_lifetimes():
    """RFC 2367 2.3.3 lifetimes are 64-bit seconds; key managers write
    "infinite" as the largest (XFRM_INF) or LONG_MAX (FreeBSD): such an
    SA or policy must live on, not expire at once."""
    km, s = pk.Sock(), pk.Sock()
    km.request(REGISTER, SATYPE_ESP)
    km.drain(0.1)
    big = (1 << 64) - 1
    lts = ext_lifetime(EXT_LT_HARD, addtime=big, usetime=big) + \
        ext_lifetime(EXT_LT_SOFT, addtime=(1 << 63) - 1,
                     usetime=1 << 62)
    t.eq(0, s.request(ADD, SATYPE_ESP,
                      pk.esp_sa_exts(A, B, 0x7100, extra=lts)).errno,
         "ADD with lifetimes of 2^64-1 and 2^63-1 s")
    pol = ext_addr(EXT_SRC, A, 32) + ext_addr(EXT_DST, B, 32) + \
        ext_policy(POLICY_NONE, DIR_OUT) + \
        ext_lifetime(EXT_LT_HARD, addtime=big, usetime=big)
    m = s.request(X_SPDADD, SATYPE_UNSPEC, pol)
    t.eq(0, m.errno, "SPDADD with a hard lifetime of 2^64-1 s")
    pid = m.policy()["id"] if m.errno == 0 else 0
    time.sleep(3)
    exp = [x for x in km.drain(0.3) if x.type in (EXPIRE, X_SPDEXPIRE)]
    t.eq([], exp, "no EXPIRE or SPDEXPIRE follows")
    g = s.request(GET, SATYPE_ESP, ext_sa(0x7100) + ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B))
    hard = g.lifetime(EXT_LT_HARD) if g.errno == 0 else {}
    t.eq((0, big, big), (g.errno, hard.get("addtime"), hard.get("usetime")),
         "the SA is there, its lifetimes as they were given")
    t.eq(0, s.request(X_SPDGET, SATYPE_UNSPEC,
                      ext_policy(0, 0, pol_id=pid)).errno,
         "the policy is there too")
    s.request(FLUSH, SATYPE_UNSPEC)
    s.request(X_SPDFLUSH, SATYPE_UNSPEC)
    km.close()
    s.close()


def test_big_identity():
    """An identity extension can be 65535 * 8 bytes long (RFC 2367
    2.3.5): GET gives it back whole, or ADD refuses the SA when its
    message could not be sent back."""
    s = pk.Sock()
    ident = struct.pack("=HHQ", 3, 0, 0) + b"u" * 70000 + b"\0"
    ext = ext_raw(EXT_ID_SRC, ident)
    m = s.request(ADD, SATYPE_ESP, pk.esp_sa_exts(A, B, 0x7200, extra=ext))
    t.eq(0, m.errno, "ADD with a 70,000-byte source identity")
    g = s.request(GET, SATYPE_ESP, ext_sa(0x7200) + ext_addr(EXT_SRC, A) +
                  ext_addr(EXT_DST, B))
    t.ok(g.errno == 0 and ext in g.raw and len(g.raw) == g.len * 8,
         "GET returns it whole, in a message whose length is right")
    # the request fits in 65535 * 8 bytes; GET's reply, with three more
    # lifetimes, would not
    huge = ext_raw(EXT_ID_SRC, struct.pack("=HHQ", 3, 0, 0) +
                   b"v" * 262023 + b"\0") + \
        ext_raw(EXT_ID_DST, struct.pack("=HHQ", 3, 0, 0) +
                b"w" * 262023 + b"\0")
    m = s.request(ADD, SATYPE_ESP, pk.esp_sa_exts(A, B, 0x7201, extra=huge))
    t.eq(90, m.errno, "identities too large for GET's reply: EMSGSIZE")
    s.request(FLUSH, SATYPE_UNSPEC)
    s.close()


def test_caps():
    """net.ipsec.sa_max and policy_max cap a namespace; one owned by an
    unprivileged user gets the host's and cannot raise them."""
    subprocess.run(["ip", "netns", "add", "cap"], check=True)
    code = ("import sys\nsys.path.insert(0, %r)\nimport pfkey as pk\n"
            "open('/proc/sys/net/ipsec/sa_max', 'w').write('3')\n"
            "open('/proc/sys/net/ipsec/policy_max', 'w').write('2')\n"
            "s = pk.Sock()\nr = []\n"
            "for i in range(4):\n"
            "    r.append(s.request(pk.ADD, pk.SATYPE_ESP, pk.esp_sa_exts("
            "%r, %r, 0x100 + i)).errno)\n"
            "for i in range(3):\n"
            "    r.append(s.request(pk.X_SPDADD, pk.SATYPE_UNSPEC, "
            "pk.ext_addr(pk.EXT_SRC, '10.0.%%d.0' %% i, 24) + "
            "pk.ext_addr(pk.EXT_DST, '10.9.0.0', 24) + "
            "pk.ext_policy(pk.POLICY_NONE, pk.DIR_OUT)).errno)\n"
            "print(r)\n"
            % (os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "lib"), A, B))
    r = subprocess.run(["ip", "netns", "exec", "cap", "python3", "-c", code],
                       capture_output=True, text=True)
    t.eq("[0, 0, 0, 28, 0, 0, 28]", r.stdout.strip(),
         "sa_max 3, policy_max 2: the next ADD and SPDADD get ENOSPC")
    subprocess.run(["ip", "netns", "del", "cap"], check=True)
    r = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         "unshare", "-Urn", "sh", "-c",
         "cat /proc/sys/net/ipsec/sa_max; "
         "echo 99999999 >/proc/sys/net/ipsec/sa_max && echo written"],
        capture_output=True, text=True)
    with open("/proc/sys/net/ipsec/sa_max") as f:
        host = f.read().strip()
    t.eq(host, r.stdout.strip(),
         "an unprivileged user's namespace has the host's sa_max, "
         "read-only")


def test_memcg():
    """SAs are charged to the memory cgroup of whoever adds them."""
    cg = "/sys/fs/cgroup"
    if not os.path.exists(cg + "/cgroup.controllers"):
        subprocess.run(["mount", "-t", "cgroup2", "none", cg], check=True)
    with open(cg + "/cgroup.subtree_control", "w") as f:
        f.write("+memory")
    os.makedirs(cg + "/ipsec_t", exist_ok=True)
    code = ("import os, sys\nsys.path.insert(0, %r)\nimport pfkey as pk\n"
            "open('%s/ipsec_t/cgroup.procs', 'w').write(str(os.getpid()))\n"
            "def slab():\n"
            "    for l in open('%s/ipsec_t/memory.stat'):\n"
            "        if l.startswith('slab '):\n"
            "            return int(l.split()[1])\n"
            "s = pk.Sock()\nb = slab()\n"
            "for i in range(2000):\n"
            "    s.request(pk.ADD, pk.SATYPE_ESP, pk.esp_sa_exts(%r, %r, "
            "0x10000 + i))\n"
            "print(slab() - b)\n"
            "s.request(pk.FLUSH, pk.SATYPE_UNSPEC)\n"
            % (os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "lib"), cg, cg, A, B))
    r = subprocess.run(["python3", "-c", code], capture_output=True,
                       text=True)
    grew = int(r.stdout.strip() or 0)
    t.ok(grew >= 2000 * 512, "2000 SAs grow the adder's cgroup's slab "
         "by at least 512 bytes each", f"grew by {grew}: {r.stderr}")


for fn in (test_socket, test_register, test_add_get_delete, test_add_errors,
           test_getspi_update, test_flush_dump, test_expire,
           test_larval_expiry, test_netns, test_promisc, test_huge_lifetimes,
           test_big_identity, test_caps, test_memcg):
    t.run(fn.__name__, fn)
t.end()
