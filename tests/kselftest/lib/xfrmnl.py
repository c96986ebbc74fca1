# SPDX-License-Identifier: GPL-2.0
"""NETLINK_XFRM messages built from <linux/xfrm.h> (x86-64 layouts), and a
socket that sends one and returns the errno of its ACK, for the tests
that speak XFRM netlink from Python."""
import os
import socket
import struct

# make check-debug runs guests slower: every wait for the kernel scales
SCALE = int(os.environ.get("TEST_TIMEOUT_SCALE") or 1)

NETLINK_XFRM = 6
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
(NEWSA, DELSA, GETSA, NEWPOLICY, DELPOLICY, GETPOLICY, ALLOCSPI) = range(
    0x10, 0x17)
UPDPOLICY, UPDSA, FLUSHSA, FLUSHPOLICY, GETAE = 0x19, 0x1a, 0x1c, 0x1d, 0x1f
GETSADINFO, GETSPDINFO = 0x23, 0x25
A_ALG_AUTH, A_ALG_CRYPT, A_TMPL, A_ALG_AEAD, A_ALG_AUTH_TRUNC = 1, 2, 5, 18, 20
A_MARK, A_PROTO, A_ADDRESS_FILTER = 21, 25, 26
AF_INET = socket.AF_INET
ESP = 50
GCMKEY = bytes(range(20))


def addr(a):
    return socket.inet_aton(a) + bytes(12)


def selector(src="0.0.0.0", dst="0.0.0.0", plen_s=0, plen_d=0, proto=0,
             family=AF_INET):
    return struct.pack("=16s16sHHHHHBBB3xiI", addr(dst), addr(src), 0, 0, 0,
                       0, family, plen_d, plen_s, proto, 0, 0)


INF = (1 << 64) - 1


def usersa_info(spi, src="192.0.2.1", dst="192.0.2.2", mode=0, reqid=0):
    return (selector() + addr(dst) + struct.pack(">I", spi) +
            struct.pack("=B3x", ESP) + addr(src) +
            struct.pack("=8Q", INF, INF, INF, INF, 0, 0, 0, 0) + bytes(32) +
            bytes(12) + struct.pack("=IIHBBB7x", 0, reqid, AF_INET, mode, 0,
                                    0))


def usersa_id(spi, dst="192.0.2.2"):
    return addr(dst) + struct.pack(">I", spi) + struct.pack("=HBx", AF_INET,
                                                            ESP)


def policy_info(dir_=1, action=0):
    return (selector("10.0.0.0", "10.0.1.0", 24, 24) +
            struct.pack("=8Q", INF, INF, INF, INF, 0, 0, 0, 0) + bytes(32) +
            struct.pack("=IIBBBB4x", 0, 0, dir_, action, 0, 0))


def policy_id(dir_=1):
    return selector("10.0.0.0", "10.0.1.0", 24, 24) + struct.pack(
        "=IB3x", 0, dir_)


def tmpl(reqid=1):
    return (addr("0.0.0.0") + struct.pack(">I", 0) + struct.pack("=B3x", ESP) +
            struct.pack("=H2x", AF_INET) + addr("0.0.0.0") +
            struct.pack("=IBBBxIII", reqid, 0, 0, 0, ~0 & 0xffffffff,
                        ~0 & 0xffffffff, ~0 & 0xffffffff))


def attr(t, data):
    ln = 4 + len(data)
    return struct.pack("=HH", ln, t) + data + bytes((-ln) % 4)


def alg(name, key, extra=b""):
    return name.ljust(64, b"\0") + struct.pack("=I", len(key) * 8) + extra + key


def aead(key=GCMKEY, icv=128, keybits=None):
    kb = len(key) * 8 if keybits is None else keybits
    return (b"rfc4106(gcm(aes))".ljust(64, b"\0") +
            struct.pack("=II", kb, icv) + key)


def msg(t, payload, flags=NLM_F_REQUEST | NLM_F_ACK, seq=1):
    return struct.pack("=IHHII", 16 + len(payload), t, flags, seq, 0) + payload


class Sock:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_XFRM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.s.settimeout(2 * SCALE)

    def errno_of(self, data):
        """Send; return the errno of the ACK (0: success), or a negative
        value when the kernel refused the send itself."""
        try:
            self.s.send(data)
        except OSError as e:
            return -e.errno
        return self.ack()

    def ack(self):
        """The errno of the next ACK (0: success)."""
        while True:
            buf = self.s.recv(1 << 16)
            off = 0
            while off + 16 <= len(buf):
                ln, t = struct.unpack_from("=IH", buf, off)
                if t == NLMSG_ERROR:
                    return -struct.unpack_from("=i", buf, off + 16)[0]
                if ln < 16:
                    break
                off += (ln + 3) & ~3

    def dump_count(self, t, attrs=b""):
        self.s.send(msg(t, attrs, NLM_F_REQUEST | NLM_F_DUMP))
        n = 0
        while True:
            buf = self.s.recv(1 << 16)
            off = 0
            while off + 16 <= len(buf):
                ln, ty = struct.unpack_from("=IH", buf, off)
                if ty == NLMSG_DONE:
                    return n
                if ty == NLMSG_ERROR:
                    return -1
                n += 1
                off += (ln + 3) & ~3

    def drain(self):
        self.s.settimeout(0.05)
        try:
            while self.s.recv(1 << 16):
                pass
        except OSError:
            pass
        self.s.settimeout(2 * SCALE)
