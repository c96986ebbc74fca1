#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""PF_KEY benchmark, against whichever PF_KEY the guest kernel has
(ipsec.ko or af_key): ADD rate up to N SAs, GET round trips at 1 SA and
at N SAs (a random existing SA each time), DUMP of all N.

    pfkey_ops.py N GETS

SA i: ESP, transport mode, AES-128-CBC with HMAC-SHA-256, from
192.0.2.1 to 10.0.0.0 + 1 + i with SPI 0x10000 + i: one peer per SA, so
neither stack's hash tables see a million SAs on one address pair.
Messages are built outside the timed windows."""
import os
import random
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP", os.path.join(
    os.path.dirname(__file__), "../..")), "tests/kselftest/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfkey as pk  # noqa: E402
from cpustat import Window, report  # noqa: E402
from pipeline import Pipeline  # noqa: E402

SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
RCVBUF = 4 << 20
SRC = "192.0.2.1"
SPI0 = 0x10000
DST0 = 0x0a000001
CHUNK = 8192            # ADDs built per untimed batch
HDR = 16                # sadb_msg
SA_EXT = pk.ext_sa(SPI0)
SRC_EXT = pk.ext_addr(pk.EXT_SRC, SRC)
SPI_OFF = HDR + 4       # sadb_ext, then sadb_sa_spi
# sadb_address (8 bytes), then sin_family and sin_port
DST_OFF = HDR + len(SA_EXT) + len(SRC_EXT) + 8 + 4


def template(mtype, exts):
    return bytes(pk.msg(mtype, pk.SATYPE_ESP, exts, seq=1))


ADD_T = template(pk.ADD, pk.esp_sa_exts(SRC, "10.0.0.1", SPI0))
GET_T = template(pk.GET, SA_EXT + SRC_EXT +
                 pk.ext_addr(pk.EXT_DST, "10.0.0.1"))
assert ADD_T[DST_OFF:DST_OFF + 4] == GET_T[DST_OFF:DST_OFF + 4] == \
    DST0.to_bytes(4, "big")


def for_sa(tmpl, i):
    """The message for SA i, with sadb_msg_seq i + 1: a key manager numbers
    its requests, and XFRM keeps every SA with a non-zero seq in a hash
    chain by seq, so one seq for all would make each ADD walk them all."""
    m = bytearray(tmpl)
    struct.pack_into("=I", m, 8, i + 1)
    m[SPI_OFF:SPI_OFF + 4] = (SPI0 + i).to_bytes(4, "big")
    m[DST_OFF:DST_OFF + 4] = (DST0 + i).to_bytes(4, "big")
    return bytes(m)


def open_socket():
    s = socket.socket(socket.AF_KEY, socket.SOCK_RAW, pk.PF_KEY_V2)
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)
    return s


def slab_bytes():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Slab:"):
                return int(line.split()[1]) * 1024
    return 0


class Adder(Pipeline):
    """ADD replies (broadcast to every socket, ours included)."""

    def count(self, buf):
        if buf[1] == pk.ADD:
            self.reply(buf[2])


def get_loop(s, msgs):
    """GET round trips; returns (Window, errors)."""
    send, recv = s.send, s.recv
    errors = 0
    w = Window()
    w.start()
    for m in msgs:
        send(m)
        r = recv(65536)
        errors += r[2] != 0 or r[1] != pk.GET
    w.stop()
    return w, errors


def report_per_op(name, w, ops):
    report(f"pfkey.{name}_us", w.elapsed_ns / ops / 1e3, "us/op")
    report(f"pfkey.{name}_insn", w.instructions() / ops, "insn/op")


def dump_all(expected):
    """DUMP through a fresh socket; (Window, messages, last errno)."""
    s = open_socket()
    s.settimeout(60)
    n = err = 0
    w = Window()
    w.start()
    s.send(bytes(pk.msg(pk.DUMP, pk.SATYPE_ESP, seq=1)))
    try:
        while True:
            r = s.recv(65536)
            if r[2]:
                err = r[2]
                break
            n += 1
            if struct.unpack_from("=I", r, 8)[0] == 0:
                break
    except socket.timeout:
        err = -1
    w.stop()
    s.close()
    return w, n, err


def main():
    n, gets = int(sys.argv[1]), int(sys.argv[2])
    s = open_socket()
    s.send(bytes(pk.msg(pk.FLUSH, pk.SATYPE_UNSPEC, seq=1)))
    s.recv(65536)
    slab0 = slab_bytes()

    # the first SA (loads the crypto modules), then GET at 1 SA
    add = Adder(s)
    add.send([for_sa(ADD_T, 0)])
    add.settle(1)
    if add.ok != 1:
        print(f"# the first ADD failed: errno {add.first_errno}")
        return 1
    w, errors = get_loop(s, [for_sa(GET_T, 0)] * gets)
    report_per_op("get_1sa", w, gets)
    print(f"# GET at 1 SA: {gets} round trips, {errors} errors, "
          f"CPU busy {w.busy_share():.0%}", flush=True)

    # ADD up to n SAs
    w = Window()
    per_chunk = []          # µs per ADD in each batch: does it grow?
    for base in range(1, n, CHUNK):
        msgs = [for_sa(ADD_T, i) for i in range(base, min(base + CHUNK, n))]
        t = w.elapsed_ns
        w.start()
        add.send(msgs)
        w.stop()
        per_chunk.append((w.elapsed_ns - t) / len(msgs) / 1e3)
        if add.failed:
            break
    add.settle(n)
    added = add.ok - 1
    report("pfkey.add_rate", added * 1e9 / w.elapsed_ns, "ADD/s")
    report_per_op("add", w, max(added, 1))
    report("pfkey.slab_per_sa", (slab_bytes() - slab0) / add.ok, "bytes")
    print(f"# ADD: {add.ok} SAs in the SAD, {add.failed} failed "
          f"(first errno {add.first_errno}), CPU busy {w.busy_share():.0%}",
          flush=True)
    if per_chunk:
        print(f"# ADD: {per_chunk[0]:.0f} us each for the first {CHUNK}, "
              f"{per_chunk[-1]:.0f} us for the last batch", flush=True)
    total = add.ok
    if total != n:
        print(f"# only {total} of {n} SAs: the figures below are at {total}")

    rnd = random.Random(1)
    msgs = [for_sa(GET_T, rnd.randrange(total)) for _ in range(gets)]
    w, errors = get_loop(s, msgs)
    report_per_op("get_nsa", w, gets)
    print(f"# GET at {total} SAs: {gets} round trips, {errors} errors, "
          f"CPU busy {w.busy_share():.0%}", flush=True)

    w, got, err = dump_all(total)
    report("pfkey.dump_s", w.elapsed_ns / 1e9, "s")
    report("pfkey.dump_insn_per_sa", w.instructions() / max(got, 1),
           "insn/SA")
    print(f"# DUMP: {got} of {total} SAs, "
          f"{'complete' if not err and got == total else f'errno {err}'}, "
          f"CPU busy {w.busy_share():.0%}", flush=True)
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
