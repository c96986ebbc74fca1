#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 900
"""Allocation failures during key management (the debug kernel's
failslab and fail_page_alloc, driven by /proc/thread-self/fail-nth as
Documentation/fault-injection/fault-injection.rst describes): for each
request, the 1st, 2nd, ... allocation it makes fails in turn, until one
run makes no failing allocation. Every run must end in an errno or a
success, and the SAD and SPD must say the same as the reply: an SA or
policy exists exactly when its request succeeded. Leaks are kmemleak's
to find (tests/vm/guest-init scans after the run); oopses and lockdep
reports fail the run through dmesg. Skipped on kernels without fault
injection (Debian's production kernel): `make check-debug` runs it."""
import collections
import errno
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ktap import Ktap, ensure_module  # noqa: E402
import pfkey as pk  # noqa: E402
import xfrmnl as nl  # noqa: E402

DBG = "/sys/kernel/debug"
MAX_NTH = 400
A, B = "192.0.2.1", "192.0.2.2"

t = Ktap()
if not os.path.exists("/proc/thread-self/fail-nth") or \
        not os.path.isdir(f"{DBG}/failslab"):
    t.skip("fault injection", "kernel without CONFIG_FAULT_INJECTION "
           "(make check-debug runs this)")
    t.end()
ensure_module()

# GFP_KERNEL allocations too, order 0 pages too, and no stack per failure
for attr, val in (("failslab/ignore-gfp-wait", "N"),
                  ("fail_page_alloc/ignore-gfp-wait", "N"),
                  ("fail_page_alloc/min-order", "0"),
                  ("failslab/verbose", "0"),
                  ("fail_page_alloc/verbose", "0")):
    with open(f"{DBG}/{attr}", "w") as f:
        f.write(val)

FD = os.open("/proc/thread-self/fail-nth", os.O_RDWR)


def armed(n, fn):
    """fn() with the n-th failable call of this thread failing; returns
    (fired, errno of fn or 0)."""
    os.pwrite(FD, b"%d" % n, 0)
    err = 0
    try:
        fn()
    except OSError as e:
        err = e.errno
    left = int(os.pread(FD, 32, 0).strip() or b"0")
    os.pwrite(FD, b"0", 0)
    return left == 0, err


def sweep(desc, send, reply, exists, cleanup):
    """For n = 1, 2, ...: send() with the n-th allocation failing, then
    reply() (errno of the answer, 0, or None when there was none),
    exists() (is the object there? None: nothing to compare), cleanup().
    Consistent when the object is there exactly if the answer was a
    success."""
    seen = collections.Counter()
    bad = []
    n = 1
    while n <= MAX_NTH:
        fired, err = armed(n, send)
        rep = reply() if not err else err
        there = exists() if exists else None
        seen[errno.errorcode.get(rep, str(rep)) if rep else
             ("ok" if rep == 0 else "no answer")] += 1
        if there is not None and ((rep == 0 and not there) or
                                  (rep and there)):
            bad.append(f"fail-nth {n}: answer {rep}, present {there}")
        cleanup()
        if not fired:
            break
        n += 1
    t.ok(not bad and n <= MAX_NTH,
         f"{desc}: {n - 1} failing allocations, each an errno or a "
         f"success the database agrees with",
         "\n".join(bad[:10]) + f"\nanswers: {dict(seen)}")
    print(f"# {desc}: answers {dict(seen)}", flush=True)
    return seen


k = pk.Sock(rcvbuf=1 << 20)


def pf_reply(mtype):
    def get():
        while True:
            m = k.recv(1.0)
            if m is None:
                return None
            if m.pid == os.getpid() and m.seq == k.seq and m.type == mtype:
                return m.errno
    return get


def pf_send(mtype, satype, exts):
    def send():
        k.seq += 1
        k.send(pk.msg(mtype, satype, exts, seq=k.seq))
    return send


def pf_sa_exists(spi, dst=B):
    def q():
        r = k.request(pk.GET, pk.SATYPE_ESP, pk.ext_sa(spi) +
                      pk.ext_addr(pk.EXT_SRC, A) + pk.ext_addr(pk.EXT_DST, dst))
        return r.errno == 0
    return q


def pf_sa_delete(spi, dst=B):
    def d():
        k.request(pk.DELETE, pk.SATYPE_ESP, pk.ext_sa(spi) +
                  pk.ext_addr(pk.EXT_SRC, A) + pk.ext_addr(pk.EXT_DST, dst))
        k.drain(0.05)
    return d


GCM = dict(enc=pk.EALG_GCM16, ekey=b"k" * 20, auth=pk.AALG_NONE, akey=None)

# 1. PF_KEY ADD, AES-GCM and AES-CBC/HMAC-SHA-256
sweep("PF_KEY ADD (AES-GCM)",
      pf_send(pk.ADD, pk.SATYPE_ESP, pk.esp_sa_exts(A, B, 0x7001, **GCM)),
      pf_reply(pk.ADD), pf_sa_exists(0x7001), pf_sa_delete(0x7001))
sweep("PF_KEY ADD (AES-CBC, HMAC-SHA-256, identities)",
      pf_send(pk.ADD, pk.SATYPE_ESP, pk.esp_sa_exts(
          A, B, 0x7002, extra=pk.ext_lifetime(pk.EXT_LT_HARD, addtime=100))),
      pf_reply(pk.ADD), pf_sa_exists(0x7002), pf_sa_delete(0x7002))

# 2. PF_KEY UPDATE of a live SA (new lifetimes)
k.request(pk.ADD, pk.SATYPE_ESP, pk.esp_sa_exts(A, B, 0x7003, **GCM))
upd = pk.esp_sa_exts(A, B, 0x7003, **GCM,
                     extra=pk.ext_lifetime(pk.EXT_LT_HARD, addtime=500))
sweep("PF_KEY UPDATE",
      pf_send(pk.UPDATE, pk.SATYPE_ESP, upd), pf_reply(pk.UPDATE),
      None, lambda: None)
t.ok(pf_sa_exists(0x7003)(), "... the SA survived every failed UPDATE")
pf_sa_delete(0x7003)()

# 3. GETSPI: a larval SA exists exactly when an SPI came back
getspi = pk.ext_addr(pk.EXT_SRC, A) + pk.ext_addr(pk.EXT_DST, "192.0.2.3") + \
    pk.ext_spirange(0x7100, 0x7100)
sweep("PF_KEY GETSPI",
      pf_send(pk.GETSPI, pk.SATYPE_ESP, getspi), pf_reply(pk.GETSPI),
      pf_sa_exists(0x7100, "192.0.2.3"), pf_sa_delete(0x7100, "192.0.2.3"))


# 4. SPDADD with a request; SPDDELETE by selector
def spd_exts(d=pk.DIR_OUT):
    return (pk.ext_addr(pk.EXT_SRC, "10.9.0.0", 16, 255) +
            pk.ext_addr(pk.EXT_DST, "10.8.0.0", 16, 255) +
            pk.ext_policy(pk.POLICY_IPSEC, d, pk.ipsecrequest(
                pk.IPPROTO_ESP, pk.MODE_TRANSPORT)))


def spd_count():
    return sum(1 for m in k.dump(pk.X_SPDDUMP) if not m.errno and m.type ==
               pk.X_SPDDUMP)


def spd_del():
    k.request(pk.X_SPDDELETE, pk.SATYPE_UNSPEC, spd_exts())
    k.drain(0.05)


sweep("PF_KEY SPDADD", pf_send(pk.X_SPDADD, pk.SATYPE_UNSPEC, spd_exts()),
      pf_reply(pk.X_SPDADD), lambda: spd_count() == 1, spd_del)

# 5. dumps under failing allocations: whatever they return, afterwards
# the dump shows what is there
for i in range(3):
    k.request(pk.ADD, pk.SATYPE_ESP, pk.esp_sa_exts(A, B, 0x7200 + i, **GCM))
k.request(pk.X_SPDADD, pk.SATYPE_UNSPEC, spd_exts())


def pf_dump_send():
    k.seq += 1
    k.send(pk.msg(pk.DUMP, pk.SATYPE_UNSPEC, seq=k.seq))


sweep("PF_KEY DUMP", pf_dump_send, lambda: k.drain(0.2) and None,
      None, lambda: None)
t.eq(3, sum(1 for m in k.dump(pk.DUMP) if not m.errno),
     "... then a DUMP shows the 3 SAs")

# 6. XFRM netlink: NEWSA, NEWPOLICY, ALLOCSPI, dumps
s = nl.Sock()


def nl_send(data):
    def send():
        s.s.send(data)
    return send


def nl_ack():
    try:
        return s.ack()
    except OSError:		# timed out: no answer
        return None


def nl_sa_exists(spi, dst=B):
    return lambda: s.errno_of(nl.msg(nl.GETSA, nl.usersa_id(spi, dst))) == 0


def nl_sa_del(spi, dst=B):
    return lambda: s.errno_of(nl.msg(nl.DELSA, nl.usersa_id(spi, dst)))


sweep("XFRM NEWSA (rfc4106(gcm(aes)))",
      nl_send(nl.msg(nl.NEWSA, nl.usersa_info(0x7301, A, B) +
                     nl.attr(nl.A_ALG_AEAD, nl.aead()))),
      nl_ack, nl_sa_exists(0x7301), nl_sa_del(0x7301))
sweep("XFRM NEWSA (cbc(aes), hmac(sha256), tunnel)",
      nl_send(nl.msg(nl.NEWSA, nl.usersa_info(0x7302, A, B, mode=1, reqid=9) +
                     nl.attr(nl.A_ALG_CRYPT, nl.alg(b"cbc(aes)", bytes(16))) +
                     nl.attr(nl.A_ALG_AUTH_TRUNC, nl.alg(
                         b"hmac(sha256)", bytes(32), struct.pack("=I", 128))))),
      nl_ack, nl_sa_exists(0x7302), nl_sa_del(0x7302))


def nl_pol_exists():
    return s.errno_of(nl.msg(nl.GETPOLICY, nl.policy_id())) == 0


sweep("XFRM NEWPOLICY",
      nl_send(nl.msg(nl.NEWPOLICY, nl.policy_info() +
                     nl.attr(nl.A_TMPL, nl.tmpl()))),
      nl_ack, nl_pol_exists,
      lambda: s.errno_of(nl.msg(nl.DELPOLICY, nl.policy_id())))
sweep("XFRM GETSA dump", nl_send(nl.msg(nl.GETSA, b"", nl.NLM_F_REQUEST |
                                         nl.NLM_F_DUMP)),
      lambda: s.drain() or None, None, lambda: None)
t.eq(3, s.dump_count(nl.GETSA), "... then a netlink dump shows the 3 SAs")

# 7. socket options that allocate a socket policy: levels and bypass
IP_ESP_TRANS_LEVEL = 0x4951
IP_IPSEC_POLICY = 16
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)


def level_is(v):
    return lambda: struct.unpack("i", u.getsockopt(
        socket.IPPROTO_IP, IP_ESP_TRANS_LEVEL, 4))[0] == v


def set_level(v):
    return lambda: u.setsockopt(socket.IPPROTO_IP, IP_ESP_TRANS_LEVEL,
                                struct.pack("i", v))


res = {}


def level_send():
    try:
        set_level(3)()
        res["e"] = 0
    except OSError as e:
        res["e"] = e.errno
        raise


sweep("setsockopt IP_ESP_TRANS_LEVEL", level_send, lambda: res["e"],
      level_is(3), set_level(1))
sweep("setsockopt IP_IPSEC_POLICY (bypass)",
      lambda: u.setsockopt(socket.IPPROTO_IP, IP_IPSEC_POLICY, pk.ext_policy(
          pk.POLICY_BYPASS, pk.DIR_OUT)),
      lambda: 0, None,
      lambda: u.setsockopt(socket.IPPROTO_IP, IP_IPSEC_POLICY, None, 0))

# all is still usable, and flushes leave nothing
t.eq(0, s.errno_of(nl.msg(nl.FLUSHSA, struct.pack("=B3x", 255))), "FLUSHSA")
t.eq(0, s.errno_of(nl.msg(nl.FLUSHPOLICY, b"")), "FLUSHPOLICY")
t.eq(0, s.dump_count(nl.GETSA), "no SA left")
t.eq(0, spd_count(), "no policy left")
os.close(FD)
t.end()
