#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Per-socket IPsec policies as applications set them, for sockpol.sh.

The payloads are built from their definitions: PF_KEY's sadb_x_policy and
sadb_x_ipsecrequest (RFC 2367, KAME <net/pfkeyv2.h>; pfkey.py), as
ipsec_set_policy(3) and strongSwan kernel-pfkey pass them to
IP_IPSEC_POLICY, and XFRM's xfrm_userpolicy_info followed by
xfrm_user_tmpl (<linux/xfrm.h>, x86-64 layout: 168 and 64 bytes), as
strongSwan kernel-netlink and libreswan pass them to IP_XFRM_POLICY.

  sockpol.py send FAMILY DST PORT COUNT [--sport P] [POLICY...]
  sockpol.py recv FAMILY PORT SECONDS READYFILE [POLICY...]
      (prints the number of datagrams received, at most 3)
  sockpol.py errors FAMILY        (one "case errno-name" line per case)

POLICY is DIR:KIND:FORMAT with DIR in|out, KIND bypass|discard|esp|
esp-use|entrust, FORMAT pfkey|xfrm; or lvl:CATEGORY:LEVEL, OpenBSD's
ipsec(4) socket levels (both directions): CATEGORY auth|esp_trans|
esp_network|ipcomp, LEVEL bypass|avail|use|require|unique.

  sockpol.py uring FAMILY FORMAT  (a process with an io_uring sets a
      bypass policy with setsockopt(2): ok, the errno's name, or
      no-io_uring)
  sockpol.py levels FAMILY     (errno names for OpenBSD's error cases)
  sockpol.py getlevels FAMILY  (the four levels of a new socket)
"""
import ctypes
import errno
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfkey  # noqa: E402

IP_IPSEC_POLICY, IP_XFRM_POLICY = 16, 17
IPV6_IPSEC_POLICY, IPV6_XFRM_POLICY = 34, 35
XFRM_POLICY_IN, XFRM_POLICY_OUT = 0, 1
XFRM_POLICY_ALLOW, XFRM_POLICY_BLOCK = 0, 1
XFRM_MODE_TRANSPORT, XFRM_MODE_TUNNEL, XFRM_MODE_BEET = 0, 1, 4
XFRM_INF = (1 << 64) - 1


def level_opt(family, fmt):
    if family == socket.AF_INET:
        return socket.IPPROTO_IP, (IP_IPSEC_POLICY if fmt == "pfkey"
                                   else IP_XFRM_POLICY)
    return socket.IPPROTO_IPV6, (IPV6_IPSEC_POLICY if fmt == "pfkey"
                                 else IPV6_XFRM_POLICY)


def pfkey_policy(kind, direction, reqs=None):
    pdir = pfkey.DIR_IN if direction == "in" else pfkey.DIR_OUT
    ptype = {"bypass": pfkey.POLICY_BYPASS, "discard": pfkey.POLICY_DISCARD,
             "entrust": pfkey.POLICY_ENTRUST}.get(kind, pfkey.POLICY_IPSEC)
    if reqs is None:
        reqs = b""
        if kind in ("esp", "esp-use"):
            level = pfkey.LEVEL_USE if kind == "esp-use" else \
                pfkey.LEVEL_REQUIRE
            reqs = pfkey.ipsecrequest(pfkey.IPPROTO_ESP,
                                      pfkey.MODE_TRANSPORT, level)
    return pfkey.ext_policy(ptype, pdir, reqs)


def xfrm_selector(family, prefix_d=0, prefix_s=0, proto=0):
    return (bytes(32) + struct.pack("=HHHHHBBB", 0, 0, 0, 0, family,
                                    prefix_d, prefix_s, proto) +
            bytes(3) + struct.pack("=iI", 0, 0))


def xfrm_tmpl(family, proto=pfkey.IPPROTO_ESP, mode=XFRM_MODE_TRANSPORT,
              optional=0, reqid=0):
    return (bytes(16) + struct.pack("=IB", 0, proto) + bytes(3) +
            struct.pack("=H", family) + bytes(2) + bytes(16) +
            struct.pack("=IBBBx", reqid, mode, 0, optional) +
            struct.pack("=III", 0xffffffff, 0xffffffff, 0xffffffff))


def xfrm_policy(family, kind, direction, tmpls=None, action=None, share=0,
                sel=None):
    pdir = XFRM_POLICY_IN if direction == "in" else XFRM_POLICY_OUT
    if action is None:
        action = XFRM_POLICY_BLOCK if kind == "discard" else \
            XFRM_POLICY_ALLOW
    if tmpls is None:
        tmpls = b""
        if kind in ("esp", "esp-use"):
            tmpls = xfrm_tmpl(family, optional=int(kind == "esp-use"))
    lft = struct.pack("=8Q", XFRM_INF, XFRM_INF, XFRM_INF, XFRM_INF,
                      0, 0, 0, 0)
    info = ((sel if sel is not None else xfrm_selector(family)) + lft +
            bytes(32) + struct.pack("=IIBBBB", 0, 0, pdir, action, 0,
                                    share) + bytes(4))
    assert len(info) == 168
    return info + tmpls


# <ipsec/levels.h>: OpenBSD's options at numbers free on Linux, and
# OpenBSD's level values (ipsec(4), <netinet/in.h>: BYPASS 0,
# AVAIL 1, USE 2, REQUIRE 3, UNIQUE 4)
LEVEL_OPTS = {"auth": 0x4950, "esp_trans": 0x4951, "esp_network": 0x4952,
              "ipcomp": 0x4953}
LEVELS = {"bypass": 0, "avail": 1, "use": 2, "require": 3, "unique": 4}


def set_level(s, family, cat, level):
    proto = socket.IPPROTO_IP if family == socket.AF_INET else \
        socket.IPPROTO_IPV6
    s.setsockopt(proto, LEVEL_OPTS[cat], struct.pack("i", level))


def get_level(s, family, cat):
    proto = socket.IPPROTO_IP if family == socket.AF_INET else \
        socket.IPPROTO_IPV6
    return struct.unpack("i", s.getsockopt(proto, LEVEL_OPTS[cat], 4))[0]


def apply(s, family, spec):
    if spec.startswith("lvl:"):
        _, cat, level = spec.split(":")
        set_level(s, family, cat, LEVELS[level])
        return
    direction, kind, fmt = spec.split(":")
    level, opt = level_opt(family, fmt)
    data = pfkey_policy(kind, direction) if fmt == "pfkey" else \
        xfrm_policy(family, kind, direction)
    s.setsockopt(level, opt, data)


def fam(name):
    return socket.AF_INET6 if name in ("6", "inet6") else socket.AF_INET


def cmd_send(argv):
    family, dst, port, count = fam(argv[0]), argv[1], int(argv[2]), \
        int(argv[3])
    rest = argv[4:]
    s = socket.socket(family, socket.SOCK_DGRAM)
    if rest and rest[0] == "--sport":
        s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0",
                int(rest[1])))
        rest = rest[2:]
    for spec in rest:
        apply(s, family, spec)
    sent = 0
    for i in range(count):
        try:
            s.sendto(b"sockpol %d" % i, (dst, port))
            sent += 1
        except OSError as e:
            print(f"send: {errno.errorcode.get(e.errno, e.errno)}")
        time.sleep(0.05)
    print(f"sent {sent}")


def cmd_recv(argv):
    family, port, secs, ready = fam(argv[0]), int(argv[1]), \
        float(argv[2]), argv[3]
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", port))
    for spec in argv[4:]:
        apply(s, family, spec)
    open(ready, "w").close()
    n = 0
    end = time.time() + secs
    while n < 3:    # what send sends
        left = end - time.time()
        if left <= 0:
            break
        r, _, _ = select.select([s], [], [], left)
        if r:
            s.recv(2048)
            n += 1
    print(n)


def try_opt(s, level, opt, data):
    try:
        s.setsockopt(level, opt, data)
        return "ok"
    except OSError as e:
        if e.errno == errno.EOPNOTSUPP:
            return "EOPNOTSUPP"  # errorcode names its alias ENOTSUP
        return errno.errorcode.get(e.errno, str(e.errno))


def cmd_errors(argv):
    """Malformed payloads, each named; the errno the kernel gave."""
    family = fam(argv[0])
    s = socket.socket(family, socket.SOCK_DGRAM)
    lp, op = level_opt(family, "pfkey")
    lx, ox = level_opt(family, "xfrm")
    good = pfkey_policy("bypass", "out")
    cases = [
        ("pfkey-bypass-out", lp, op, good),
        ("pfkey-short", lp, op, good[:7]),
        ("pfkey-len-too-big", lp, op, good[:2] + struct.pack("=H", 3) +
         good[4:]),
        ("pfkey-trailing", lp, op, good + bytes(8)),
        ("pfkey-exttype", lp, op, struct.pack("=HH", 2, 1) + good[4:]),
        ("pfkey-dir-fwd", lp, op, pfkey.ext_policy(
            pfkey.POLICY_BYPASS, pfkey.DIR_FWD)),
        ("pfkey-dir-any", lp, op, pfkey.ext_policy(
            pfkey.POLICY_BYPASS, pfkey.DIR_ANY)),
        ("pfkey-type-5", lp, op, pfkey.ext_policy(5, pfkey.DIR_OUT)),
        ("pfkey-ipsec-no-request", lp, op, pfkey.ext_policy(
            pfkey.POLICY_IPSEC, pfkey.DIR_OUT)),
        ("pfkey-bypass-with-request", lp, op, pfkey_policy(
            "bypass", "out", pfkey.ipsecrequest(
                pfkey.IPPROTO_ESP, pfkey.MODE_TRANSPORT))),
        ("pfkey-request-len-7", lp, op, pfkey_policy(
            "esp", "out", pfkey.ipsecrequest(
                pfkey.IPPROTO_ESP, pfkey.MODE_TRANSPORT, length=7))),
        ("pfkey-request-proto-17", lp, op, pfkey_policy(
            "esp", "out", pfkey.ipsecrequest(17, pfkey.MODE_TRANSPORT))),
        ("pfkey-request-level-4", lp, op, pfkey_policy(
            "esp", "out", pfkey.ipsecrequest(
                pfkey.IPPROTO_ESP, pfkey.MODE_TRANSPORT, 4))),
        ("pfkey-tunnel-no-endpoints", lp, op, pfkey_policy(
            "esp", "out", pfkey.ipsecrequest(
                pfkey.IPPROTO_ESP, pfkey.MODE_TUNNEL))),
        ("pfkey-5-requests", lp, op, pfkey_policy(
            "esp", "out", pfkey.ipsecrequest(
                pfkey.IPPROTO_ESP, pfkey.MODE_TRANSPORT) * 5)),
        ("xfrm-bypass-out", lx, ox, xfrm_policy(family, "bypass", "out")),
        ("xfrm-short", lx, ox, xfrm_policy(family, "bypass", "out")[:167]),
        ("xfrm-partial-template", lx, ox,
         xfrm_policy(family, "esp", "out") + bytes(8)),
        ("xfrm-dir-fwd", lx, ox, xfrm_policy(family, "bypass", "out")[:160] +
         bytes([2]) + xfrm_policy(family, "bypass", "out")[161:]),
        ("xfrm-action-2", lx, ox, xfrm_policy(family, "bypass", "out",
                                              action=2)),
        ("xfrm-share-4", lx, ox, xfrm_policy(family, "bypass", "out",
                                             share=4)),
        ("xfrm-sel-family-0", lx, ox, xfrm_policy(
            family, "bypass", "out", sel=xfrm_selector(0))),
        ("xfrm-sel-prefix-129", lx, ox, xfrm_policy(
            family, "bypass", "out", sel=xfrm_selector(family, 129))),
        ("xfrm-tmpl-proto-17", lx, ox, xfrm_policy(
            family, "esp", "out", tmpls=xfrm_tmpl(family, proto=17))),
        ("xfrm-tmpl-mode-9", lx, ox, xfrm_policy(
            family, "esp", "out", tmpls=xfrm_tmpl(family, mode=9))),
        ("xfrm-tmpl-beet", lx, ox, xfrm_policy(
            family, "esp", "out", tmpls=xfrm_tmpl(family,
                                                  mode=XFRM_MODE_BEET))),
        ("xfrm-5-templates", lx, ox, xfrm_policy(
            family, "esp", "out", tmpls=xfrm_tmpl(family) * 5)),
        ("xfrm-optional-tunnel-out", lx, ox, xfrm_policy(
            family, "esp", "out", tmpls=xfrm_tmpl(
                family, mode=XFRM_MODE_TUNNEL, optional=1))),
    ]
    for name, level, opt, data in cases:
        print(name, try_opt(s, level, opt, data))


SYS_io_uring_setup = 425      # x86-64


def cmd_uring(argv):
    """setsockopt(2) completes when it returns, ring or no ring: XFRM
    answers it at once, whatever else the process does."""
    family, fmt = fam(argv[0]), argv[1]
    libc = ctypes.CDLL(None, use_errno=True)
    params = ctypes.create_string_buffer(120)   # struct io_uring_params
    ring = libc.syscall(SYS_io_uring_setup, 4, params)
    if ring < 0:
        print("no-io_uring", errno.errorcode.get(ctypes.get_errno(), ""))
        return
    s = socket.socket(family, socket.SOCK_DGRAM)
    level, opt = level_opt(family, fmt)
    data = pfkey_policy("bypass", "out") if fmt == "pfkey" else \
        xfrm_policy(family, "bypass", "out")
    print(try_opt(s, level, opt, data))
    s.close()
    os.close(ring)


def errname(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def cmd_levels(argv):
    """OpenBSD ipsec(4): EINVAL for a bad length or level, EACCES below
    the system default without privilege; each case's result."""
    family = fam(argv[0])
    proto = socket.IPPROTO_IP if family == socket.AF_INET else \
        socket.IPPROTO_IPV6
    cases = [("short", LEVEL_OPTS["auth"], struct.pack("h", 3)),
             ("long", LEVEL_OPTS["auth"], struct.pack("q", 3)),
             ("level-5", LEVEL_OPTS["esp_trans"], struct.pack("i", 5)),
             ("level-neg", LEVEL_OPTS["esp_trans"], struct.pack("i", -1)),
             ("bypass", LEVEL_OPTS["auth"], struct.pack("i", 0)),
             ("use", LEVEL_OPTS["esp_trans"], struct.pack("i", 2)),
             ("require", LEVEL_OPTS["esp_network"], struct.pack("i", 3))]
    for name, opt, data in cases:
        s = socket.socket(family, socket.SOCK_DGRAM)
        try:
            s.setsockopt(proto, opt, data)
            print(name, "ok")
        except OSError as e:
            print(name, errname(e))
        s.close()


def cmd_getlevels(argv):
    family = fam(argv[0])
    s = socket.socket(family, socket.SOCK_DGRAM)
    for spec in argv[1:]:
        apply(s, family, spec)
    print(" ".join(str(get_level(s, family, c)) for c in
                   ("auth", "esp_trans", "esp_network", "ipcomp")))


def main():
    cmds = {"send": cmd_send, "recv": cmd_recv, "errors": cmd_errors,
            "levels": cmd_levels, "getlevels": cmd_getlevels,
            "uring": cmd_uring}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
