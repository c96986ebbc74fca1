#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The control plane at scale, through XFRM netlink, against whichever
stack answers NETLINK_XFRM in the guest (ipsec.ko, or stock xfrm_user):

    xfrm_scale.py N GETS        the figures below
    xfrm_scale.py fill DIR N    only add the N policies, in direction DIR
                                (out, in or fwd), and leave them there
                                (for the esp.gw100k rows)

Policies: N of them, overlapping prefixes as on a gateway that routes
many customer networks: policy i protects UDP to port 1 + i % 65000 of
100.64.0.0 + (i // 9) * 256 under a /16 to /24 prefix (16 + i % 9, so a
/16 holds its /17s ... /24s), from 10.0.0.0/8, with one ESP template.
The port keeps selectors that the shorter prefixes would merge apart.
Figures: NEWPOLICY of all N (per operation, and the last eighth against
the first: 1.0 when the cost does not grow with the SPD), GETPOLICY by
selector of random ones, DELPOLICY of all.

SAs: N of them on ONE address pair (192.0.2.1 to 192.0.2.2, reqid 1,
SPI 0x10000 + i, AES-GCM): many child SAs between two gateways. The
same figures with NEWSA, GETSA by SPI and DELSA.

Messages are built outside the timed windows; replies are read every
DRAIN_EVERY requests. The instruction counts include the Python client's
own (the same on both stacks)."""
import os
import random
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP", os.path.join(
    os.path.dirname(__file__), "../..")), "tests/kselftest/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xfrmnl as xn  # noqa: E402
from cpustat import Window, report  # noqa: E402
from pipeline import Pipeline  # noqa: E402

SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
RCVBUF = 4 << 20
BATCHES = 8             # requests are built in untimed batches
DIRS = {"in": 0, "out": 1, "fwd": 2}
UDP = 17
NET0 = 0x64400000       # 100.64.0.0
INF = xn.INF
SA_SRC, SA_DST = "192.0.2.1", "192.0.2.2"


def a4(n):
    return struct.pack(">I", n) + bytes(12)


def flags_for(t):
    """A GET is answered with the object (an ACK as well if it asked for
    one); everything else with its ACK."""
    if t in (xn.GETPOLICY, xn.GETSA):
        return xn.NLM_F_REQUEST
    return xn.NLM_F_REQUEST | xn.NLM_F_ACK


def pol_selector(i):
    plen = 16 + i % 9
    net = (NET0 + (i // 9) * 256) & (0xffffffff << (32 - plen))
    return (a4(net) + xn.addr("10.0.0.0") +
            struct.pack(">HHHH", 1 + i % 65000, 0xffff, 0, 0) +
            struct.pack("=HBBB3xiI", xn.AF_INET, plen, 8, UDP, 0, 0))


TMPL = xn.attr(xn.A_TMPL, xn.tmpl(reqid=1))


def pol_add(i, dir_):
    info = (pol_selector(i) + struct.pack("=8Q", INF, INF, INF, INF,
                                          0, 0, 0, 0) +
            bytes(32) + struct.pack("=IIBBBB4x", 0, 0, dir_, 0, 0, 0))
    return xn.msg(xn.NEWPOLICY, info + TMPL, seq=i + 1)


def pol_id(t, i, dir_):
    return xn.msg(t, pol_selector(i) + struct.pack("=IB3x", 0, dir_),
                  flags_for(t), seq=i + 1)


AEAD = xn.attr(xn.A_ALG_AEAD, xn.aead())


def sa_add(i):
    return xn.msg(xn.NEWSA, xn.usersa_info(0x10000 + i, SA_SRC, SA_DST,
                                           reqid=1) + AEAD, seq=i + 1)


def sa_id(t, i):
    return xn.msg(t, xn.usersa_id(0x10000 + i, SA_DST), flags_for(t),
                  seq=i + 1)


def open_socket():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, xn.NETLINK_XFRM)
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)
    return s


class Requester(Pipeline):
    """ACKs count as their errno says; a GET's reply as a success."""

    def count(self, buf):
        off = 0
        while off + 16 <= len(buf):
            ln, t = struct.unpack_from("=IH", buf, off)
            if t == xn.NLMSG_ERROR:
                self.reply(-struct.unpack_from("=i", buf, off + 16)[0])
            else:
                self.reply(0)
            if ln < 16:
                break
            off += (ln + 3) & ~3


def batches(s, n, build, name):
    """Sends build(i) for i < n in untimed-built batches; returns the
    window, the requester and the instructions per operation of the
    first and the last batch."""
    req = Requester(s)
    w = Window()
    per_batch = []
    chunk = max(1, -(-n // BATCHES))
    for base in range(0, n, chunk):
        msgs = [build(i) for i in range(base, min(base + chunk, n))]
        before = w.instructions()
        w.start()
        req.send(msgs)
        w.stop()
        per_batch.append((w.instructions() - before) / len(msgs))
    req.settle(n, timeout=10)
    print(f"# {name}: {req.ok} of {n} done, {req.failed} failed (first "
          f"errno {req.first_errno}), CPU busy {w.busy_share():.0%}; "
          f"{per_batch[0]:.0f} insn each in the first batch, "
          f"{per_batch[-1]:.0f} in the last", flush=True)
    return w, req, per_batch


def round_trips(s, msgs):
    """One request at a time, each reply read; (Window, errors)."""
    req = Requester(s)
    send, recv = s.send, s.recv
    w = Window()
    w.start()
    for m in msgs:
        send(m)
        req.count(recv(1 << 16))
    w.stop()
    return w, req.failed


def figures(s, what, n, gets, add, get, delete):
    w, req, per_batch = batches(s, n, add, f"{what} add")
    if req.ok != n:
        print(f"# {what}: only {req.ok} of {n} added; no figures")
        return 1
    report(f"xfrm.{what}_add_insn", w.instructions() / n, "insn/op")
    report(f"xfrm.{what}_add_growth", per_batch[-1] / per_batch[0],
           "last/first")
    rnd = random.Random(1)
    w, errors = round_trips(s, [get(rnd.randrange(n)) for _ in range(gets)])
    report(f"xfrm.{what}_get_insn", w.instructions() / gets, "insn/op")
    print(f"# {what} get: {gets} round trips at {n}, {errors} errors",
          flush=True)
    w, req, per_batch = batches(s, n, delete, f"{what} delete")
    report(f"xfrm.{what}_del_insn", w.instructions() / n, "insn/op")
    return 0 if not errors and req.ok == n else 1


def flush(s):
    for t, payload in ((xn.FLUSHPOLICY, b""),
                       (xn.FLUSHSA, struct.pack("=B3x", 0))):
        s.send(xn.msg(t, payload))
        s.recv(1 << 16)


def main():
    s = open_socket()
    if sys.argv[1] == "fill":
        dir_, n = DIRS[sys.argv[2]], int(sys.argv[3])
        _, req, _ = batches(s, n, lambda i: pol_add(i, dir_),
                            f"{n} {sys.argv[2]} policies")
        return 0 if req.ok == n else 1
    n, gets = int(sys.argv[1]), int(sys.argv[2])
    flush(s)
    rc = figures(s, "pol", n, gets, lambda i: pol_add(i, 1),
                 lambda i: pol_id(xn.GETPOLICY, i, 1),
                 lambda i: pol_id(xn.DELPOLICY, i, 1))
    # the crypto modules are loaded (crypto_warmup.py) before the window
    rc |= figures(s, "sa", n, gets, sa_add, lambda i: sa_id(xn.GETSA, i),
                  lambda i: sa_id(xn.DELSA, i))
    flush(s)
    return rc


if __name__ == "__main__":
    sys.exit(main())
