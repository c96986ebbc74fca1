#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Malformed PF_KEY messages: thousands of random mutations (bit flips,
length changes, truncation, extension reshuffles) of valid messages of
every type. The module must answer each one (a reply or a send error),
stay usable, and leak nothing (tests/vm/run checks dmesg, and the SA
cache must be destroyable at rmmod)."""
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ktap import TOP, Ktap, ensure_module  # noqa: E402,F401
import pfkey as pk  # noqa: E402

N = int(os.environ.get("FUZZ_N", "20000"))
t = Ktap()
ensure_module()

A, B = "192.0.2.1", "2001:db8::2"
seeds = [
    pk.msg(pk.ADD, pk.SATYPE_ESP, pk.esp_sa_exts(A, "192.0.2.2", 0x1234)),
    pk.msg(pk.ADD, pk.SATYPE_ESP, pk.esp_sa_exts("2001:db8::1", B, 0x1235,
                                                 enc=pk.EALG_GCM16,
                                                 ekey=b"k" * 36,
                                                 auth=pk.AALG_NONE,
                                                 akey=None)),
    pk.msg(pk.UPDATE, pk.SATYPE_ESP, pk.esp_sa_exts(A, "192.0.2.2", 0x1234)),
    pk.msg(pk.GETSPI, pk.SATYPE_ESP, pk.ext_addr(pk.EXT_SRC, A) +
           pk.ext_addr(pk.EXT_DST, "192.0.2.2") +
           pk.ext_spirange(0x1000, 0x2000)),
    pk.msg(pk.GET, pk.SATYPE_ESP, pk.ext_sa(0x1234) +
           pk.ext_addr(pk.EXT_SRC, A) + pk.ext_addr(pk.EXT_DST, "192.0.2.2")),
    pk.msg(pk.DELETE, pk.SATYPE_ESP, pk.ext_sa(0x1234) +
           pk.ext_addr(pk.EXT_SRC, A) + pk.ext_addr(pk.EXT_DST, "192.0.2.2")),
    pk.msg(pk.ADD, pk.SATYPE_AH, pk.ext_sa(0x1300, auth=pk.AALG_SHA1) +
           pk.ext_addr(pk.EXT_SRC, A) + pk.ext_addr(pk.EXT_DST, "192.0.2.2") +
           pk.ext_key(pk.EXT_KEY_AUTH, b"a" * 20) +
           pk.ext_lifetime(pk.EXT_LT_HARD, addtime=100)),
    pk.msg(pk.REGISTER, pk.SATYPE_ESP),
    pk.msg(pk.FLUSH, pk.SATYPE_UNSPEC),
    pk.msg(pk.ACQUIRE, pk.SATYPE_ESP, errno_=12),
]


def mutate(rng, data):
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        if op == 0 and b:				# flip bits
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1 and b:				# random byte
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op == 2 and len(b) > 8:			# truncate
            del b[rng.randrange(8, len(b)):]
        elif op == 3:					# grow
            b += bytes(rng.randrange(256) for _ in range(8))
        elif op == 4 and len(b) >= 16:			# fix sadb_msg_len
            ln = len(b) // 8
            b[4:6] = ln.to_bytes(2, "little")
            del b[ln * 8:]
        elif op == 5 and len(b) > 24:			# a length field
            i = 16 + 8 * rng.randrange((len(b) - 16) // 8)
            b[i:i + 2] = rng.randrange(0, 8).to_bytes(2, "little")
    return bytes(b)


rng = random.Random(int(os.environ.get("FUZZ_SEED", "2367")))
s = pk.Sock(rcvbuf=1 << 20)
sent = refused = 0
for i in range(N):
    data = mutate(rng, rng.choice(seeds))
    try:
        s.send(data)
        sent += 1
    except OSError:
        refused += 1
    if i % 256 == 0:
        s.drain(0)
s.drain(0.2)
t.ok(sent + refused == N,
     f"{N} mutated messages: {sent} answered by reply, {refused} by errno")
t.ok(sent > 0 and refused > 0, "both kinds of refusal were exercised")

# still working afterwards
m = s.request(pk.FLUSH, pk.SATYPE_UNSPEC)
t.eq(0, m.errno, "FLUSH after the fuzzing")
m = s.request(pk.ADD, pk.SATYPE_ESP, pk.esp_sa_exts(A, "192.0.2.2", 0x4242))
t.eq(0, m.errno, "ADD after the fuzzing")
g = s.request(pk.GET, pk.SATYPE_ESP, pk.ext_sa(0x4242) +
              pk.ext_addr(pk.EXT_SRC, A) +
              pk.ext_addr(pk.EXT_DST, "192.0.2.2"))
t.eq(0, g.errno, "GET after the fuzzing")
s.close()

# leaks: the SA cache is destroyed at rmmod, which warns (and fails the
# run) if any SA object is still allocated
r = subprocess.run(["rmmod", "ipsec"], capture_output=True, text=True)
t.eq(0, r.returncode, "rmmod after the fuzzing")
with open("/proc/slabinfo") as f:
    left = [ln.split()[0] for ln in f if ln.startswith("ipsec")]
t.eq([], left, "no ipsec slab cache survives rmmod")
dm = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
t.ok("still has objects" not in dm, "no SA leaked (kmem_cache_destroy)")
t.end()
