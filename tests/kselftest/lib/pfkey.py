# SPDX-License-Identifier: GPL-2.0
"""A small PF_KEY v2 client for the tests, written from RFC 2367's
layouts (section 2.3) and <linux/pfkeyv2.h>'s numbers, independent of the
module's own code."""
import errno
import os
import select
import socket
import struct

# make check-debug runs guests slower: every wait for the kernel scales
SCALE = int(os.environ.get("TEST_TIMEOUT_SCALE") or 1)

PF_KEY_V2 = 2

# message types (RFC 2367 2.3 and the KAME additions)
GETSPI, UPDATE, ADD, DELETE, GET, ACQUIRE, REGISTER, EXPIRE, FLUSH, DUMP = \
    range(1, 11)
X_PROMISC, X_PCHANGE, X_SPDUPDATE, X_SPDADD, X_SPDDELETE, X_SPDGET = \
    range(11, 17)
X_SPDACQUIRE, X_SPDDUMP, X_SPDFLUSH, X_SPDSETIDX, X_SPDEXPIRE = range(17, 22)
X_SPDDELETE2, X_NAT_T_NEW_MAPPING, X_MIGRATE = 22, 23, 24

# satypes
SATYPE_UNSPEC, SATYPE_AH, SATYPE_ESP, SATYPE_IPCOMP = 0, 2, 3, 9

# extension types
EXT_SA, EXT_LT_CUR, EXT_LT_HARD, EXT_LT_SOFT = 1, 2, 3, 4
EXT_SRC, EXT_DST, EXT_PROXY = 5, 6, 7
EXT_KEY_AUTH, EXT_KEY_ENC = 8, 9
EXT_ID_SRC, EXT_ID_DST, EXT_SENS, EXT_PROP = 10, 11, 12, 13
EXT_SUP_AUTH, EXT_SUP_ENC, EXT_SPIRANGE = 14, 15, 16
X_EXT_KMPRIVATE, X_EXT_POLICY, X_EXT_SA2 = 17, 18, 19
X_EXT_NAT_T_TYPE, X_EXT_NAT_T_SPORT, X_EXT_NAT_T_DPORT = 20, 21, 22
X_EXT_NAT_T_OA, X_EXT_SEC_CTX, X_EXT_KMADDRESS = 23, 24, 25

# SA states
LARVAL, MATURE, DYING, DEAD = 0, 1, 2, 3

# algorithms
AALG_NONE, AALG_SHA1, AALG_SHA256, AALG_SHA384, AALG_SHA512 = 0, 3, 5, 6, 7
AALG_XCBC = 9
AALG_GMAC128, AALG_GMAC192, AALG_GMAC256 = 11, 12, 13	# AH only
EALG_NONE, EALG_NULL, EALG_AESCBC, EALG_AESCTR = 0, 11, 12, 13
EALG_GCM8, EALG_GCM12, EALG_GCM16, EALG_GMAC = 18, 19, 20, 23
CALG_DEFLATE = 2

MODE_ANY, MODE_TRANSPORT, MODE_TUNNEL = 0, 1, 2

# KAME policy values (<linux/ipsec.h>; RFC 2367 leaves policy out)
DIR_ANY, DIR_IN, DIR_OUT, DIR_FWD = 0, 1, 2, 3
POLICY_DISCARD, POLICY_NONE, POLICY_IPSEC, POLICY_ENTRUST, POLICY_BYPASS = \
    range(5)
LEVEL_DEFAULT, LEVEL_USE, LEVEL_REQUIRE, LEVEL_UNIQUE = range(4)
ULPROTO_ANY = 255
IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP = 50, 51, 108


def pad8(b):
    return b + b"\0" * (-len(b) % 8)


def ext_raw(etype, payload):
    """payload: the bytes after the 4-byte sadb_ext header."""
    data = pad8(struct.pack("=HH", 0, etype) + payload)
    return struct.pack("=HH", len(data) // 8, etype) + data[4:]


def sockaddr(addr, port=0):
    if ":" in addr:
        return struct.pack("=HH", socket.AF_INET6, socket.htons(port)) + \
            b"\0" * 4 + socket.inet_pton(socket.AF_INET6, addr) + b"\0" * 4
    return struct.pack("=HH", socket.AF_INET, socket.htons(port)) + \
        socket.inet_pton(socket.AF_INET, addr) + b"\0" * 8


def ext_sa(spi, replay=0, state=MATURE, auth=0, enc=0, flags=0):
    # sadb_sa: spi (network order), replay, state, auth, encrypt, flags
    return ext_raw(EXT_SA, struct.pack("=IBBBBI", socket.htonl(spi), replay,
                                       state, auth, enc, flags))


def ext_addr(etype, addr, prefix=None, proto=255, port=0):
    if prefix is None:
        prefix = 128 if ":" in addr else 32
    return ext_raw(etype, struct.pack("=BBH", proto, prefix, 0) +
                   sockaddr(addr, port))


def ext_key(etype, key, bits=None):
    if bits is None:
        bits = len(key) * 8
    return ext_raw(etype, struct.pack("=HH", bits, 0) + key)


def ext_lifetime(etype, allocations=0, nbytes=0, addtime=0, usetime=0):
    return ext_raw(etype, struct.pack("=IQQQ", allocations, nbytes,
                                      addtime, usetime))


def ext_sa2(mode=MODE_ANY, reqid=0):
    return ext_raw(X_EXT_SA2, struct.pack("=BBHII", mode, 0, 0, 0, reqid))


def ext_spirange(lo, hi):
    return ext_raw(EXT_SPIRANGE, struct.pack("=III", lo, hi, 0))


def ipsecrequest(proto, mode, level=LEVEL_REQUIRE, reqid=0, src=None,
                 dst=None, length=None):
    """KAME sadb_x_ipsecrequest: len (in BYTES, unlike every other PF_KEY
    length), proto, mode, level, reserved, reqid, reserved; then, for a
    tunnel, the source and destination endpoints as sockaddrs, padded to
    8 bytes. length overrides the length field (for malformed requests)."""
    body = b""
    if src is not None:
        body = sockaddr(src) + (sockaddr(dst) if dst is not None else b"")
    data = pad8(struct.pack("=HHBBHII", 0, proto, mode, level, 0, reqid, 0) +
                body)
    if length is None:
        length = len(data)
    return struct.pack("=H", length) + data[2:]


def ext_policy(ptype, pdir, reqs=b"", pol_id=0, priority=0):
    """KAME sadb_x_policy: type, dir, reserved, id, priority, then the
    requests back to back."""
    return ext_raw(X_EXT_POLICY, struct.pack("=HBBII", ptype, pdir, 0,
                                             pol_id, priority) + reqs)


def ext_kmaddress(local, remote):
    return ext_raw(X_EXT_KMADDRESS, struct.pack("=I", 0) +
                   sockaddr(local) + sockaddr(remote))


def parse_sockaddr(b, off):
    """(address, port, length) of the sockaddr at b[off:]."""
    fam, port = struct.unpack_from("=HH", b, off)
    if fam == socket.AF_INET:
        return (socket.inet_ntop(socket.AF_INET, b[off + 4:off + 8]),
                socket.ntohs(port), 16)
    if fam == socket.AF_INET6:
        return (socket.inet_ntop(socket.AF_INET6, b[off + 8:off + 24]),
                socket.ntohs(port), 28)
    raise ValueError(f"sockaddr family {fam}")


def msg(mtype, satype, exts=b"", seq=0, pid=None, version=PF_KEY_V2,
        errno_=0, length=None, reserved=0):
    if pid is None:
        pid = os.getpid()
    total = 16 + len(exts)
    if length is None:
        length = total // 8
    return struct.pack("=BBBBHHII", version, mtype, errno_, satype, length,
                       reserved, seq, pid) + exts


class Msg:
    """A parsed message: header fields and extensions by type."""

    def __init__(self, data):
        (self.version, self.type, self.errno, self.satype, self.len,
         self.reserved, self.seq, self.pid) = struct.unpack_from("=BBBBHHII",
                                                                 data)
        self.raw = data
        self.ext = {}
        self.ext_order = []
        off = 16
        while off + 4 <= len(data):
            elen, etype = struct.unpack_from("=HH", data, off)
            if elen == 0:
                raise ValueError(f"zero-length extension at {off}")
            if off + elen * 8 > len(data):
                raise ValueError(f"extension {etype} overruns the message")
            if etype in self.ext:
                raise ValueError(f"duplicate extension {etype}")
            self.ext[etype] = data[off:off + elen * 8]
            self.ext_order.append(etype)
            off += elen * 8
        if off != len(data) or self.len * 8 != len(data):
            raise ValueError("message length mismatch")

    def sa(self):
        spi, replay, state, auth, enc, flags = struct.unpack_from(
            "=IBBBBI", self.ext[EXT_SA], 4)
        return dict(spi=socket.ntohl(spi), replay=replay, state=state,
                    auth=auth, enc=enc, flags=flags)

    def addr(self, etype):
        e = self.ext[etype]
        proto, prefix = struct.unpack_from("=BB", e, 4)
        fam = struct.unpack_from("=H", e, 8)[0]
        if fam == socket.AF_INET:
            a = socket.inet_ntop(socket.AF_INET, e[12:16])
        else:
            a = socket.inet_ntop(socket.AF_INET6, e[16:32])
        return a, prefix, proto

    def key(self, etype):
        e = self.ext[etype]
        bits = struct.unpack_from("=H", e, 4)[0]
        return e[8:8 + (bits + 7) // 8], bits

    def lifetime(self, etype):
        a, b, add, use = struct.unpack_from("=IQQQ", self.ext[etype], 4)
        return dict(allocations=a, bytes=b, addtime=add, usetime=use)

    def sa2(self):
        mode, _, _, _, reqid = struct.unpack_from("=BBHII",
                                                  self.ext[X_EXT_SA2], 4)
        return mode, reqid

    def port(self, etype):
        return parse_sockaddr(self.ext[etype], 8)[1]

    def policy(self):
        """X_POLICY as a dict; requests as dicts, endpoints or None."""
        e = self.ext[X_EXT_POLICY]
        ptype, pdir, _, pid, prio = struct.unpack_from("=HBBII", e, 4)
        reqs = []
        off = 16
        while off < len(e):
            rlen, proto, mode, level, _, reqid, _ = struct.unpack_from(
                "=HHBBHII", e, off)
            if rlen < 16 or rlen % 8 or off + rlen > len(e):
                raise ValueError(f"bad ipsecrequest length {rlen}")
            src = dst = None
            if rlen > 16:
                src, _, sl = parse_sockaddr(e, off + 16)
                dst, _, _ = parse_sockaddr(e, off + 16 + sl)
            reqs.append(dict(proto=proto, mode=mode, level=level,
                             reqid=reqid, src=src, dst=dst))
            off += rlen
        return dict(type=ptype, dir=pdir, id=pid, priority=prio, reqs=reqs)

    def supported(self, etype):
        e = self.ext[etype]
        algs = []
        for off in range(8, len(e), 8):
            aid, ivlen, lo, hi = struct.unpack_from("=BBHH", e, off)
            algs.append((aid, ivlen, lo, hi))
        return algs


class Sock:
    def __init__(self, rcvbuf=None):
        self.s = socket.socket(socket.AF_KEY, socket.SOCK_RAW, PF_KEY_V2)
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.seq = 0

    def close(self):
        self.s.close()

    def send(self, data):
        return self.s.send(data)

    def recv(self, timeout=2.0):
        r, _, _ = select.select([self.s], [], [], timeout * SCALE)
        if not r:
            return None
        return Msg(self.s.recv(1 << 20))

    def drain(self, timeout=0.2):
        out = []
        while True:
            m = self.recv(timeout)
            if m is None:
                return out
            out.append(m)

    def dump(self, mtype, satype=SATYPE_UNSPEC, timeout=2.0):
        """Send a DUMP or X_SPDDUMP; the replies up to sadb_msg_seq 0 or
        an error."""
        self.seq += 1
        self.send(msg(mtype, satype, seq=self.seq))
        got = []
        while True:
            m = self.recv(timeout)
            if m is None:
                return got
            got.append(m)
            if m.seq == 0 or m.errno:
                return got

    def request(self, mtype, satype, exts=b"", timeout=2.0):
        """Send and return our reply (matched by pid and seq)."""
        self.seq += 1
        self.send(msg(mtype, satype, exts, seq=self.seq))
        while True:
            m = self.recv(timeout)
            if m is None:
                raise TimeoutError(f"no reply to type {mtype}")
            if m.pid == os.getpid() and m.seq == self.seq and \
                    m.type == mtype:
                return m


def esp_sa_exts(src, dst, spi, enc=EALG_AESCBC, ekey=b"\x11" * 16,
                auth=AALG_SHA256, akey=b"\x22" * 32, mode=MODE_TRANSPORT,
                reqid=0, replay=32, flags=0, extra=b""):
    e = ext_sa(spi, replay=replay, auth=auth, enc=enc, flags=flags)
    e += ext_addr(EXT_SRC, src) + ext_addr(EXT_DST, dst)
    if akey is not None and auth:
        e += ext_key(EXT_KEY_AUTH, akey)
    if ekey is not None:
        e += ext_key(EXT_KEY_ENC, ekey)
    e += ext_sa2(mode, reqid) + extra
    return e


def strerror(e):
    return f"{errno.errorcode.get(e, e)}"
