#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What marked SAs look like from outside `ip xfrm`, printed as one line
for xfrm_marks.pair.sh to compare between stock XFRM and ipsec.ko:

  marks_probe.py pfkey get|delete|add|update SRC DST SPI
        a PF_KEY message for the ESP SA (SRC, DST, SPI); prints "ok" or
        the errno's name (af_key names SAs with mark 0)
  marks_probe.py pfkey dump
        the SPIs a PF_KEY DUMP lists, sorted
  marks_probe.py getae SRC DST SPI [MARK MASK]
        XFRM_MSG_GETAE, with XFRMA_MARK if given: the reply's type, its
        attribute types in order and its mark
  marks_probe.py newae SRC DST SPI [MARK MASK]
        XFRM_MSG_NEWAE (NLM_F_REPLACE) setting the current lifetime, as
        a listener of XFRMNLGRP_AEVENTS sees it announced
"""
import errno
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
import pfkey as pk  # noqa: E402
import xfrmnl as xn  # noqa: E402

NEWAE, GETAE = 0x1e, 0x1f
NLM_F_REPLACE = 0x100
XFRMNLGRP_AEVENTS = 5
A_LTIME_VAL, A_REPLAY_VAL = 9, 10
NAMES = {1: "ALG_AUTH", 2: "ALG_CRYPT", 9: "LTIME_VAL", 10: "REPLAY_VAL",
         11: "REPLAY_THRESH", 12: "ETIMER_THRESH", 18: "ALG_AEAD",
         20: "ALG_AUTH_TRUNC", 21: "MARK", 23: "REPLAY_ESN_VAL",
         24: "SA_EXTRA_FLAGS", 27: "PAD", 28: "OFFLOAD_DEV",
         29: "OUTPUT_MARK", 31: "IF_ID"}


def ename(e):
    return "ok" if not e else errno.errorcode.get(e, str(e))


def pfkey(op, src=None, dst=None, spi=None):
    s = pk.Sock()
    if op == "dump":
        got = s.dump(pk.DUMP, pk.SATYPE_ESP)
        spis = sorted(m.sa()["spi"] for m in got if not m.errno)
        return " ".join(hex(x) for x in spis) or "none"
    spi = int(spi, 0)
    if op in ("get", "delete"):
        exts = (pk.ext_sa(spi) + pk.ext_addr(pk.EXT_SRC, src) +
                pk.ext_addr(pk.EXT_DST, dst))
    else:
        exts = pk.esp_sa_exts(src, dst, spi)
    typ = {"get": pk.GET, "delete": pk.DELETE, "add": pk.ADD,
           "update": pk.UPDATE}[op]
    return ename(s.request(typ, pk.SATYPE_ESP, exts).errno)


def aevent_id(src, dst, spi):
    # struct xfrm_aevent_id: usersa_id, saddr, flags, reqid
    return (xn.addr(dst) + struct.pack(">I", spi) +
            struct.pack("=HBx", socket.AF_INET, xn.ESP) + xn.addr(src) +
            struct.pack("=II", 0, 0))


def describe(buf):
    """One netlink message: its type, attribute types and mark."""
    ln, t = struct.unpack_from("=IH", buf, 0)
    if t == xn.NLMSG_ERROR:
        return ename(-struct.unpack_from("=i", buf, 16)[0])
    off, names, mark = 16 + 48, [], "none"
    while off + 4 <= ln:
        alen, at = struct.unpack_from("=HH", buf, off)
        if alen < 4:
            break
        at &= 0x3fff
        names.append(NAMES.get(at, str(at)))
        if at == xn.A_MARK:
            mark = "%#x/%#x" % struct.unpack_from("=II", buf, off + 4)
        off += (alen + 3) & ~3
    return f"type {t:#x} attrs {','.join(names)} mark {mark}"


def ae(op, src, dst, spi, mark=None, mask=None):
    attrs = b""
    if mark is not None:
        attrs = xn.attr(xn.A_MARK, struct.pack("=II", int(mark, 0),
                                               int(mask, 0)))
    s = xn.Sock()
    if op == "getae":
        s.s.send(xn.msg(GETAE, aevent_id(src, dst, int(spi, 0)) + attrs,
                        xn.NLM_F_REQUEST))
        return describe(s.s.recv(1 << 16))
    listener = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                             xn.NETLINK_XFRM)
    listener.bind((0, 1 << (XFRMNLGRP_AEVENTS - 1)))
    listener.settimeout(2 * pk.SCALE)
    # struct xfrm_lifetime_cur: bytes, packets, add_time, use_time
    attrs += xn.attr(A_LTIME_VAL, struct.pack("=4Q", 1000, 10, 0, 0))
    e = s.errno_of(xn.msg(NEWAE, aevent_id(src, dst, int(spi, 0)) + attrs,
                          xn.NLM_F_REQUEST | xn.NLM_F_ACK | NLM_F_REPLACE))
    if e:
        return ename(e)
    try:
        return "event " + describe(listener.recv(1 << 16))
    except OSError:
        return "no event"


def main(argv):
    if argv[0] == "pfkey":
        print(pfkey(*argv[1:]))
    else:
        print(ae(*argv))


if __name__ == "__main__":
    main(sys.argv[1:])
