#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""100,000 SAs: added, dumped through a small receive buffer (the dump
pauses and resumes; every SA comes back exactly once, sadb_msg_seq ends
at 0), flushed; nothing leaks."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ktap import TOP, Ktap, ensure_module  # noqa: E402,F401
import pfkey as pk  # noqa: E402

N = int(os.environ.get("SCALE_N", "100000"))
t = Ktap()
ensure_module()

s = pk.Sock(rcvbuf=1 << 22)
base = pk.esp_sa_exts("10.0.0.1", "10.0.0.2", 0x1000)
sa_off = 16 + 4                         # sadb_msg, then the SA ext's spi
start = time.time()
bad = 0
pid = os.getpid()
for i in range(N):
    m = bytearray(pk.msg(pk.ADD, pk.SATYPE_ESP, base, seq=i + 1))
    m[sa_off:sa_off + 4] = (0x1000 + i).to_bytes(4, "big")
    s.send(bytes(m))
    if i % 64 == 63:
        for r in s.drain(0):
            bad += r.errno != 0
for r in s.drain(0.5):
    bad += r.errno != 0
t.eq(0, bad, f"{N} ADDs succeed ({N / (time.time() - start):.0f}/s)")
with open("/proc/net/ipsec/pfkey") as f:
    stats = dict(ln.split() for ln in f)
t.eq(str(N), stats.get("sas"), f"/proc/net/ipsec/pfkey counts {N} SAs")

d = pk.Sock(rcvbuf=64 * 1024)           # forces many pauses
d.seq = 1
d.send(pk.msg(pk.DUMP, pk.SATYPE_ESP, seq=1))
spis = set()
dups = 0
last = None
start = time.time()
while True:
    r = d.recv(5)
    if r is None:
        break
    spi = r.sa()["spi"]
    dups += spi in spis
    spis.add(spi)
    last = r.seq
    if r.seq == 0:
        break
t.eq(N, len(spis), f"DUMP returns all {N} SAs through a 64 KiB buffer "
     f"({time.time() - start:.1f} s)")
t.eq(0, dups, "no SA twice")
t.eq(0, last, "the last message has sadb_msg_seq 0")
d.close()

m = s.request(pk.FLUSH, pk.SATYPE_UNSPEC, timeout=60)
t.eq(0, m.errno, "FLUSH of them all")
with open("/proc/net/ipsec/pfkey") as f:
    stats = dict(ln.split() for ln in f)
t.eq("0", stats.get("sas"), "the SAD is empty")
s.close()
r = subprocess.run(["rmmod", "ipsec"], capture_output=True, text=True)
t.eq(0, r.returncode, "rmmod")
dm = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
t.ok("still has objects" not in dm, "no SA leaked")
t.end()
