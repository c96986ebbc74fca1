#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# check-also: 6.12
"""Malformed XFRM netlink requests: truncated headers, attributes that
overrun the message or are too short for their type, algorithm keys
longer than their attribute, names without a NUL, nested flags,
duplicate, unknown and type-0 attributes, too many templates; each must
get the errno netlink's rules give (EINVAL, ERANGE) and add nothing. Then
thousands of random mutations of valid requests of every type: each
is answered (an ACK, a reply or an errno), the module stays usable and
leaks nothing (tests/vm/run checks dmesg; the SA cache must be
destroyable at rmmod)."""
import errno
import os
import random
import socket
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ktap import Ktap, ensure_module  # noqa: E402

from xfrmnl import *  # noqa: E402,F401,F403

N = int(os.environ.get("FUZZ_N", "5000"))

t = Ktap()
ensure_module()
s = Sock()

t.eq(0, s.errno_of(msg(NEWSA, usersa_info(0x1000) +
                       attr(A_ALG_AEAD, aead()))), "a valid NEWSA")
t.eq(errno.EEXIST, s.errno_of(msg(NEWSA, usersa_info(0x1000) +
                                  attr(A_ALG_AEAD, aead()))),
     "the same NEWSA again: EEXIST")

cases = [
    ("header shorter than xfrm_usersa_info", msg(NEWSA, usersa_info(0x1100)[:100])),
    ("attribute longer than the message",
     msg(NEWSA, usersa_info(0x1101) + attr(A_ALG_AEAD, aead())[:40])),
    ("key length beyond the attribute",
     msg(NEWSA, usersa_info(0x1103) + attr(A_ALG_AEAD, aead(keybits=4096)))),
    ("algorithm name without NUL",
     msg(NEWSA, usersa_info(0x1104) +
         attr(A_ALG_CRYPT, b"x" * 64 + struct.pack("=I", 0)))),
    ("duplicate ALG_AEAD",
     msg(NEWSA, usersa_info(0x1105) + attr(A_ALG_AEAD, aead()) +
         attr(A_ALG_AEAD, aead()))),
    ("unknown attribute type 200",
     msg(NEWSA, usersa_info(0x1106) + attr(A_ALG_AEAD, aead()) +
         attr(200, b"abcd"))),
    ("attribute type 0",
     msg(NEWSA, usersa_info(0x1107) + attr(A_ALG_AEAD, aead()) +
         attr(0, b"abcd"))),
    ("nested flag on a plain attribute",
     msg(NEWSA, usersa_info(0x1108) + attr(A_ALG_AEAD | 0x8000, aead()))),
    ("XFRMA_PROTO of 2 bytes (u8 expected)",
     msg(NEWSA, usersa_info(0x1109) + attr(A_ALG_AEAD, aead()) +
         attr(A_PROTO, b"\x32\x00"))),
    ("attribute length below its header",
     msg(NEWSA, usersa_info(0x110a) + struct.pack("=HH", 2, A_ALG_AEAD))),
    ("ESP without an algorithm", msg(NEWSA, usersa_info(0x110c))),
    ("AEAD together with ALG_CRYPT",
     msg(NEWSA, usersa_info(0x110d) + attr(A_ALG_AEAD, aead()) +
         attr(A_ALG_CRYPT, alg(b"cbc(aes)", bytes(16))))),
    ("five templates (four at most)",
     msg(NEWPOLICY, policy_info() + attr(A_TMPL, tmpl() * 5))),
    ("a template cut short",
     msg(NEWPOLICY, policy_info() + attr(A_TMPL, tmpl() + tmpl()[:30]))),
    ("policy direction 3",
     msg(NEWPOLICY, policy_info(dir_=3))),
    ("selector prefix 33 for IPv4",
     msg(NEWPOLICY, selector("10.0.0.0", "10.0.1.0", 33, 24) +
         policy_info()[56:])),
]
for desc, data in cases:
    t.eq(errno.EINVAL, s.errno_of(data), f"EINVAL: {desc}")
# netlink's policy check says ERANGE for an attribute below its minimum
# length (xfrm_user's answer too)
t.eq(errno.ERANGE, s.errno_of(
    msg(NEWSA, usersa_info(0x1102) + attr(A_ALG_AEAD, aead()[:60]))),
    "ERANGE: ALG_AEAD shorter than struct xfrm_algo_aead")
t.eq(errno.EOPNOTSUPP, s.errno_of(
    msg(NEWSA, usersa_info(0x110b) + attr(A_ALG_AEAD, aead(icv=40)))),
    "EOPNOTSUPP: AEAD with an ICV length it does not have")
# XFRMA_TFCPAD (22): TFC padding, for tunnel mode only, as in xfrm_user
# (xfrm_tfc.pair.sh)
t.eq(errno.EINVAL, s.errno_of(
    msg(NEWSA, usersa_info(0x1200) + attr(A_ALG_AEAD, aead()) +
        attr(22, struct.pack("=I", 64)))),
    "EINVAL: TFC padding in transport mode")
t.eq(1, s.dump_count(GETSA), "nothing of the refused requests was added")
t.eq(0, s.dump_count(GETPOLICY), "... and no policy")

seeds = [
    msg(NEWSA, usersa_info(0x2000) + attr(A_ALG_AEAD, aead())),
    msg(UPDSA, usersa_info(0x1000) + attr(A_ALG_AEAD, aead())),
    msg(NEWSA, usersa_info(0x2001) +
        attr(A_ALG_CRYPT, alg(b"cbc(aes)", bytes(16))) +
        attr(A_ALG_AUTH_TRUNC, alg(b"hmac(sha256)", bytes(32),
                                   struct.pack("=I", 128)))),
    msg(NEWSA, usersa_info(0x2002, mode=1, reqid=5) +
        attr(A_ALG_CRYPT, alg(b"cbc(des3_ede)", bytes(24))) +
        attr(A_ALG_AUTH, alg(b"sha1", bytes(20)))),
    msg(GETSA, usersa_id(0x1000)),
    msg(DELSA, usersa_id(0x2000)),
    msg(ALLOCSPI, usersa_info(0) + struct.pack("=II", 0x3000, 0x3fff)),
    msg(NEWPOLICY, policy_info() + attr(A_TMPL, tmpl())),
    msg(UPDPOLICY, policy_info(dir_=0) + attr(A_TMPL, tmpl() + tmpl(2))),
    msg(GETPOLICY, policy_id()),
    msg(DELPOLICY, policy_id()),
    msg(GETAE, usersa_id(0x1000) + addr("192.0.2.1") + bytes(8)),
    msg(GETSADINFO, bytes(4)),
    msg(GETSPDINFO, bytes(4)),
    msg(FLUSHSA, struct.pack("=B3x", 255)),
    msg(FLUSHPOLICY, b""),
]


def mutate(rng, data):
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        if op == 0:					# flip a bit
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1:					# random byte
            b[rng.randrange(16, len(b)) if len(b) > 16 else 0] = \
                rng.randrange(256)
        elif op == 2 and len(b) > 17:			# truncate
            del b[rng.randrange(17, len(b)):]
        elif op == 3:					# grow
            b += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
        elif op == 4 and len(b) > 20:			# an attribute length
            i = rng.randrange(16, len(b) - 2)
            b[i:i + 2] = rng.randrange(0, 400).to_bytes(2, "little")
        else:						# keep nlmsg_len honest
            pass
        if rng.random() < 0.7:
            b[0:4] = len(b).to_bytes(4, "little")
    return bytes(b)


rng = random.Random(int(os.environ.get("FUZZ_SEED", "4301")))
answered = refused = 0
for i in range(N):
    data = mutate(rng, rng.choice(seeds))
    try:
        s.s.send(data)
        answered += 1
    except OSError:
        refused += 1
    if i % 64 == 0:
        s.drain()
s.drain()
t.ok(answered + refused == N,
     f"{N} mutated requests: {answered} sent, {refused} refused at send")

s2 = Sock()
t.eq(0, s2.errno_of(msg(FLUSHSA, struct.pack("=B3x", 255))),
     "FLUSHSA after the fuzzing")
t.eq(0, s2.errno_of(msg(FLUSHPOLICY, b"")), "FLUSHPOLICY after the fuzzing")
t.eq(0, s2.errno_of(msg(NEWSA, usersa_info(0x4242) +
                        attr(A_ALG_AEAD, aead()))), "NEWSA after the fuzzing")
t.eq(1, s2.dump_count(GETSA), "a dump shows just it")
t.eq(1, s2.dump_count(GETSA, attr(A_PROTO, bytes([ESP]))),
     "a dump filtered by XFRMA_PROTO esp shows it")
t.eq(0, s2.dump_count(GETSA, attr(A_PROTO, bytes([51]))),
     "... by XFRMA_PROTO ah does not")


def addr_filter(daddr, dplen):
    return attr(A_ADDRESS_FILTER, addr("0.0.0.0") + addr(daddr) +
                struct.pack("=HBB", AF_INET, 0, dplen))


t.eq(1, s2.dump_count(GETSA, addr_filter("192.0.2.0", 24)),
     "a dump filtered by XFRMA_ADDRESS_FILTER 192.0.2.0/24 shows it")
t.eq(0, s2.dump_count(GETSA, addr_filter("198.51.100.0", 24)),
     "... by 198.51.100.0/24 does not")
s.s.close()
s2.s.close()

r = subprocess.run(["rmmod", "ipsec"], capture_output=True, text=True)
t.eq(0, r.returncode, "rmmod after the fuzzing")
with open("/proc/slabinfo") as f:
    left = [ln.split()[0] for ln in f if ln.startswith("ipsec")]
t.eq([], left, "no ipsec slab cache survives rmmod")
dm = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
t.ok("still has objects" not in dm, "no SA leaked (kmem_cache_destroy)")
t.end()
