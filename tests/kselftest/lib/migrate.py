# SPDX-License-Identifier: GPL-2.0
"""MIGRATE from the command line, for xfrm_migrate.pair.sh (iproute2 has
no migrate command): send one over XFRM netlink (XFRM_MSG_MIGRATE) or
PF_KEY (SADB_X_MIGRATE) and print "ok" or the errno's name; or listen to
both interfaces and print each MIGRATE event on a line, the addresses
renamed by a map so that the two guests' lines can be compared.

  migrate.py send [--pfkey] --sel SRC/PLEN,DST/PLEN --dir in|out|fwd|N
                  --m PROTO,MODE,REQID,OLDSRC,OLDDST,NEWSRC,NEWDST ...
                  [--km LOCAL,REMOTE] [--encap SPORT,DPORT[,TYPE]] [--type N]
                  [--no-migrate] [--count N] [--trailing BYTES]
                  [--if-id N]
  migrate.py listen OUT READY [ADDR=NAME,...]
"""
import argparse
import errno
import os
import select
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfkey as pk  # noqa: E402
import xfrmnl as xn  # noqa: E402

MIGRATE = 0x21
A_ENCAP, A_POLICY_TYPE, A_MIGRATE, A_KMADDRESS, A_IF_ID = 4, 16, 17, 19, 31
GRP_MIGRATE = 7
SOL_NETLINK, NETLINK_ADD_MEMBERSHIP = 270, 1
ATTR_NAMES = {A_ENCAP: "ENCAP", A_POLICY_TYPE: "POLICY_TYPE",
              A_MIGRATE: "MIGRATE", A_KMADDRESS: "KMADDRESS"}
PROTOS = {"esp": 50, "ah": 51, "comp": 108}
XMODES = {"transport": 0, "tunnel": 1}
XDIRS = {"in": 0, "out": 1, "fwd": 2}
PF_EXT_NAMES = {pk.X_EXT_KMADDRESS: "KMADDRESS", pk.EXT_SRC: "SRC",
                pk.EXT_DST: "DST", pk.X_EXT_POLICY: "POLICY"}


def name_of(table, v):
    for k, x in table.items():
        if x == v:
            return k
    return str(v)


def user_migrate(proto, mode, reqid, os_, od, ns, nd):
    return (xn.addr(od) + xn.addr(os_) + xn.addr(nd) + xn.addr(ns) +
            struct.pack("=BBHIHH", proto, mode, 0, reqid, socket.AF_INET,
                        socket.AF_INET))


def entry(spec):
    p, m, r, os_, od, ns, nd = spec.split(",")
    return (PROTOS[p], XMODES[m], int(r), os_, od, ns, nd)


def sel_of(spec):
    """SRC/PLEN,DST/PLEN[,PROTO,DPORT]"""
    f = spec.split(",")
    (sa, sp), (da, dp) = f[0].split("/"), f[1].split("/")
    proto, dport = (int(f[2]), int(f[3])) if len(f) > 2 else (0, 0)
    return sa, da, int(sp), int(dp), proto, dport


def selector(sa, da, sp, dp, proto, dport):
    return struct.pack("=16s16s", xn.addr(da), xn.addr(sa)) + \
        struct.pack(">HHHH", dport, 0xffff if dport else 0, 0, 0) + \
        struct.pack("=HBBB3xiI", socket.AF_INET, dp, sp, proto, 0, 0)


def send_xfrm(a):
    d = XDIRS.get(a.dir)
    d = int(a.dir) if d is None else d
    body = selector(*sel_of(a.sel)) + struct.pack("=IB3x", 0, d)
    if a.km:
        lo, re = a.km.split(",")
        body += xn.attr(A_KMADDRESS, xn.addr(lo) + xn.addr(re) +
                        struct.pack("=IH2x", 0, socket.AF_INET))
    if a.encap:
        f = [int(x) for x in a.encap.split(",")]
        sport, dport = f[0], f[1]
        etype = f[2] if len(f) > 2 else 2       # UDP_ENCAP_ESPINUDP
        body += xn.attr(A_ENCAP, struct.pack("=H", etype) +
                        struct.pack(">HH", sport, dport) + bytes(2) +
                        xn.addr("0.0.0.0"))
    if a.type is not None:
        # struct xfrm_userpolicy_type: 6 bytes
        body += xn.attr(A_POLICY_TYPE, struct.pack("=BxHBx", a.type, 0, 0))
    if a.if_id is not None:
        body += xn.attr(A_IF_ID, struct.pack("=I", a.if_id))
    ms = [user_migrate(*entry(m)) for m in a.m]
    if a.count is not None:
        ms = (ms * a.count)[:a.count]
    if not a.no_migrate:
        body += xn.attr(A_MIGRATE, b"".join(ms) + bytes(a.trailing))
    return xn.Sock().errno_of(xn.msg(MIGRATE, body))


def send_pfkey(a):
    sa, da, sp, dp, proto, dport = sel_of(a.sel)
    pdir = {"in": pk.DIR_IN, "out": pk.DIR_OUT, "fwd": pk.DIR_FWD}[a.dir]
    reqs = b""
    for m in a.m:
        p, mode, r, os_, od, ns, nd = entry(m)
        mode = pk.MODE_TUNNEL if mode == 1 else pk.MODE_TRANSPORT
        level = pk.LEVEL_UNIQUE if r else pk.LEVEL_REQUIRE
        reqs += pk.ipsecrequest(p, mode, level, r, os_, od)
        reqs += pk.ipsecrequest(p, mode, level, r, ns, nd)
    exts = b""
    if a.km:
        exts += pk.ext_kmaddress(*a.km.split(","))
    exts += pk.ext_addr(pk.EXT_SRC, sa, sp, proto or 255) + \
        pk.ext_addr(pk.EXT_DST, da, dp, proto or 255, dport)
    exts += pk.ext_policy(pk.POLICY_IPSEC, pdir, reqs)
    s = pk.Sock()
    s.send(pk.msg(pk.X_MIGRATE, pk.SATYPE_UNSPEC, exts, seq=1))
    while True:
        r = s.recv(3)
        if r is None:
            return -1
        if r.type == pk.X_MIGRATE:
            return r.errno


def nl_event(data, rename):
    """One XFRM_MSG_MIGRATE as a line."""
    sel = data[:56]
    dst, src = sel[:4], sel[16:20]
    plen_d, plen_s, proto = struct.unpack_from("=BBB", sel, 42)
    d = data[60]
    out = ["netlink: sel %s/%d %s/%d proto %d dir %s" % (
        rename(socket.inet_ntoa(src)), plen_s, rename(socket.inet_ntoa(dst)),
        plen_d, proto, name_of(XDIRS, d))]
    off, names = 64, []
    while off + 4 <= len(data):
        ln, t = struct.unpack_from("=HH", data, off)
        v = data[off + 4:off + ln]
        names.append(ATTR_NAMES.get(t, str(t)))
        if t == A_KMADDRESS:
            out.append("km %s %s family %d" % (
                rename(socket.inet_ntoa(v[:4])),
                rename(socket.inet_ntoa(v[16:20])),
                struct.unpack_from("=H", v, 36)[0]))
        elif t == A_POLICY_TYPE:
            out.append("type %d" % v[0])
        elif t == A_ENCAP:
            et, sp, dp = struct.unpack_from("=H", v)[0], \
                *struct.unpack_from(">HH", v, 2)
            out.append("encap %d %d %d" % (et, sp, dp))
        elif t == A_MIGRATE:
            a = [rename(socket.inet_ntoa(v[i:i + 4])) for i in
                 (16, 0, 48, 32)]
            p, m, _, r, of, nf = struct.unpack_from("=BBHIHH", v, 64)
            out.append("%s %s reqid %d %s>%s -> %s>%s families %d %d" % (
                name_of(PROTOS, p), name_of(XMODES, m), r, a[0], a[1],
                a[2], a[3], of, nf))
        off += (ln + 3) & ~3
    out.insert(1, "attrs " + ",".join(names))
    return "; ".join(out)


def pf_event(m, rename):
    """One SADB_X_MIGRATE as a line."""
    # not seq and pid: ipsec.ko echoes a PF_KEY request's, af_key sends 0
    out = ["pfkey: errno %d satype %d" % (m.errno, m.satype),
        "exts " + ",".join(PF_EXT_NAMES.get(t, str(t))
                           for t in m.ext_order)]
    if pk.X_EXT_KMADDRESS in m.ext:
        e = m.ext[pk.X_EXT_KMADDRESS]
        lo, _, n = pk.parse_sockaddr(e, 8)
        re, _, _ = pk.parse_sockaddr(e, 8 + n)
        out.append("km %s %s" % (rename(lo), rename(re)))
    for t in (pk.EXT_SRC, pk.EXT_DST):
        if t in m.ext:
            a, plen, proto = m.addr(t)
            out.append("%s %s/%d proto %d" % (PF_EXT_NAMES[t], rename(a),
                                              plen, proto))
    if pk.X_EXT_POLICY in m.ext:
        p = m.policy()
        out.append("policy type %d dir %d id %d" % (p["type"], p["dir"],
                                                     p["id"]))
        for r in p["reqs"]:
            out.append("req %s mode %d level %d reqid %d %s>%s" % (
                name_of(PROTOS, r["proto"]), r["mode"], r["level"],
                r["reqid"], rename(r["src"]), rename(r["dst"])))
    return "; ".join(out)


def listen(path, ready, names):
    table = dict(x.split("=") for x in names.split(",") if x)

    def rename(a):
        return table.get(a, a)
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, xn.NETLINK_XFRM)
    nl.bind((0, 0))
    nl.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, GRP_MIGRATE)
    pf = pk.Sock()
    out = open(path, "w")
    open(ready, "w").close()
    while True:
        r, _, _ = select.select([nl, pf.s], [], [])
        if nl in r:
            buf = nl.recv(1 << 16)
            off = 0
            while off + 16 <= len(buf):
                ln, t = struct.unpack_from("=IH", buf, off)
                if t == MIGRATE:
                    print(nl_event(buf[off + 16:off + ln], rename), file=out,
                          flush=True)
                off += (ln + 3) & ~3
        if pf.s in r:
            m = pk.Msg(pf.s.recv(1 << 16))
            if m.type == pk.X_MIGRATE:
                print(pf_event(m, rename), file=out, flush=True)


def main():
    if sys.argv[1] == "listen":
        listen(sys.argv[2], sys.argv[3],
               sys.argv[4] if len(sys.argv) > 4 else "")
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd")
    ap.add_argument("--pfkey", action="store_true")
    ap.add_argument("--sel", required=True)
    ap.add_argument("--dir", default="out")
    ap.add_argument("--m", action="append", default=[])
    ap.add_argument("--km")
    ap.add_argument("--encap")
    ap.add_argument("--type", type=int)
    ap.add_argument("--no-migrate", action="store_true")
    ap.add_argument("--count", type=int)
    ap.add_argument("--trailing", type=int, default=0)
    ap.add_argument("--if-id", type=int)
    a = ap.parse_args()
    e = send_pfkey(a) if a.pfkey else send_xfrm(a)
    print("ok" if e == 0 else errno.errorcode.get(abs(e), str(e)))


if __name__ == "__main__":
    main()
