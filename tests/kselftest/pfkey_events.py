#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""PF_KEY messages the packet path causes: SADB_EXPIRE when an SA's byte
or packet (allocation) lifetimes run out under real ESP traffic, and
SADB_ACQUIRE when an outbound packet matches a policy with no SA,
rate-limited by net.ipsec.expire_acquire, answered by a key manager that
adds the SAs (RFC 2367 3.1.6, 3.1.7).

The initial namespace is host A (its PF_KEY sockets are this process's);
namespace "b" is host B, keyed with pfkeyctl."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ktap import TOP, Ktap, ensure_module  # noqa: E402
from pfkey import *  # noqa: E402,F401,F403
import pfkey as pk  # noqa: E402

t = Ktap()
ensure_module()

A, B, B2 = "10.9.0.1", "10.9.0.2", "10.9.0.4"
PFK = f"{TOP}/tools/pfkeyctl/pfkeyctl"
KEY_AB = bytes(range(20))           # AES-128-GCM-16 key + salt
KEY_BA = bytes(range(100, 120))


def sh(cmd, ns=None, inp=None, check=True):
    if ns:
        cmd = ["ip", "netns", "exec", ns] + cmd
    return subprocess.run(cmd, input=inp, text=True, capture_output=True,
                          check=check)


def pfkeyctl(conf, ns=None):
    sh([PFK, "-f", "-"], ns=ns, inp=conf)


def ping(dst, size=56, count=1):
    r = sh(["ping", "-n", "-c", str(count), "-i", "0.2", "-W", "1",
            "-s", str(size), dst], check=False)
    return r.returncode == 0


def stat(name, ns=None):
    path = "/proc/net/ipsec/esp"
    out = sh(["cat", path], ns=ns).stdout
    for line in out.splitlines():
        k, v = line.split()
        if k == name:
            return int(v)
    raise KeyError(name)


def sysctl(name, value):
    with open(f"/proc/sys/net/ipsec/{name}", "w") as f:
        f.write(str(value))


def events(km, mtype, want, timeout):
    """Up to want messages of mtype within timeout seconds."""
    got = []
    deadline = time.time() + timeout * pk.SCALE
    while len(got) < want and time.time() < deadline:
        m = km.recv(max(0.05, deadline - time.time()) / pk.SCALE)
        if m is not None and m.type == mtype:
            got.append(m)
    return got


def setup():
    sh(["ip", "netns", "add", "b"])
    sh(["ip", "link", "add", "va", "type", "veth", "peer", "name", "vb",
        "netns", "b"])
    sh(["ip", "addr", "add", f"{A}/24", "dev", "va"])
    sh(["ip", "-n", "b", "addr", "add", f"{B}/24", "dev", "vb"])
    sh(["ip", "-n", "b", "addr", "add", f"{B2}/24", "dev", "vb"])
    sh(["ip", "link", "set", "va", "up"])
    sh(["ip", "-n", "b", "link", "set", "vb", "up"])
    sh(["ip", "-n", "b", "link", "set", "lo", "up"])
    # B: both SAs of the pair and its policies (A's are set per test)
    pfkeyctl(f"""
add {A} {B} esp 0x5001 -m transport -E aes-gcm-16 0x{KEY_AB.hex()};
add {B} {A} esp 0x5002 -m transport -E aes-gcm-16 0x{KEY_BA.hex()};
spdadd {B} {A} any -P out ipsec esp/transport//require;
spdadd {A} {B} any -P in ipsec esp/transport//require;
""", ns="b")
    pfkeyctl(f"""
add {B} {A} esp 0x5002 -m transport -E aes-gcm-16 0x{KEY_BA.hex()};
spdadd {A} {B} any -P out ipsec esp/transport//require;
spdadd {B} {A} any -P in ipsec esp/transport//require;
""")


def add_out_sa(s, extra=b""):
    m = s.request(ADD, SATYPE_ESP, pk.esp_sa_exts(
        A, B, 0x5001, enc=EALG_GCM16, ekey=KEY_AB, auth=AALG_NONE,
        akey=None, extra=extra))
    return m.errno


def get_out_sa(s):
    return s.request(GET, SATYPE_ESP, ext_sa(0x5001) + ext_addr(EXT_SRC, A) +
                     ext_addr(EXT_DST, B))


def test_bytes():
    km, s = pk.Sock(), pk.Sock()
    km.request(REGISTER, SATYPE_ESP)
    km.drain(0.1)
    e = add_out_sa(s, ext_lifetime(EXT_LT_SOFT, nbytes=3000) +
                   ext_lifetime(EXT_LT_HARD, nbytes=6000))
    t.eq(0, e, "ADD an outbound SA with soft 3000 / hard 6000 bytes")
    km.drain(0.2)
    t.ok(ping(B, 1000), "ESP traffic flows through it")
    cur = get_out_sa(s).lifetime(EXT_LT_CUR)
    t.ok(cur["bytes"] >= 1000 and cur["allocations"] == 1,
         "GET: LIFETIME_CURRENT counts the packet's bytes, one allocation",
         cur)
    t.ok(cur["usetime"] > 0, "... and the time of first use", cur)
    ok = [ping(B, 1000) for _ in range(2)]
    soft = events(km, EXPIRE, 1, 3)
    t.ok(all(ok) and len(soft) == 1,
         "past 3000 bytes: a soft EXPIRE to the registered socket",
         f"pings {ok}, {len(soft)} EXPIREs")
    if soft:
        m = soft[0]
        t.ok(EXT_LT_SOFT in m.ext and EXT_LT_HARD not in m.ext and
             EXT_LT_CUR in m.ext,
             "... with LIFETIME_SOFT and LIFETIME_CURRENT, not HARD")
        lt, cur = m.lifetime(EXT_LT_SOFT), m.lifetime(EXT_LT_CUR)
        t.eq(3000, lt["bytes"], "... LIFETIME_SOFT says 3000 bytes")
        t.ok(3000 <= cur["bytes"] < 3000 + 1100,
             "... LIFETIME_CURRENT has just crossed it", cur)
        t.eq((0x5001, DYING), (m.sa()["spi"], m.sa()["state"]),
             "... for SA 0x5001, now dying")
        t.eq((0, 0), (m.pid, m.seq), "... sent by the kernel (pid 0)")
        t.ok(EXT_KEY_ENC not in m.ext, "... without keys")
    t.ok(ping(B, 1000), "a dying SA still carries traffic")
    for _ in range(4):
        ping(B, 1000)
    hard = events(km, EXPIRE, 1, 3)
    t.eq(1, len(hard), "past 6000 bytes: a hard EXPIRE")
    if hard:
        m = hard[0]
        t.ok(EXT_LT_HARD in m.ext and EXT_LT_SOFT not in m.ext,
             "... with LIFETIME_HARD, not SOFT")
        t.eq(6000, m.lifetime(EXT_LT_HARD)["bytes"],
             "... LIFETIME_HARD says 6000 bytes")
        t.ok(m.lifetime(EXT_LT_CUR)["bytes"] >= 6000,
             "... LIFETIME_CURRENT has reached it")
    t.eq(3, get_out_sa(s).errno, "the SA is gone (GET: ESRCH)")
    ns = stat("no_sa")
    t.ok(not ping(B), "with no SA the require policy drops the packet")
    t.eq(ns + 1, stat("no_sa"), "... counted in no_sa")
    km.close()
    s.close()


def test_allocations():
    km, s = pk.Sock(), pk.Sock()
    km.request(REGISTER, SATYPE_ESP)
    t.eq(0, add_out_sa(s, ext_lifetime(EXT_LT_SOFT, allocations=3) +
                       ext_lifetime(EXT_LT_HARD, allocations=5)),
         "ADD an outbound SA with soft 3 / hard 5 packets")
    km.drain(0.2)
    ok = [ping(B) for _ in range(2)]
    t.ok(all(ok) and not events(km, EXPIRE, 1, 0.5),
         "two packets: no EXPIRE yet")
    ping(B)
    soft = events(km, EXPIRE, 1, 3)
    t.ok(len(soft) == 1 and EXT_LT_SOFT in soft[0].ext and
         soft[0].lifetime(EXT_LT_CUR)["allocations"] == 3,
         "the third packet: soft EXPIRE, LIFETIME_CURRENT 3 allocations")
    ok = [ping(B) for _ in range(2)]
    hard = events(km, EXPIRE, 1, 3)
    t.ok(all(ok) and len(hard) == 1 and EXT_LT_HARD in hard[0].ext and
         hard[0].lifetime(EXT_LT_CUR)["allocations"] == 5,
         "the fifth packet passes, then the hard EXPIRE with 5 allocations",
         f"pings {ok}")
    t.ok(not ping(B), "a sixth packet finds no SA")
    km.close()
    s.close()


def test_acquire():
    time.sleep(1.5)     # earlier tests' ACQUIREs (1 s) have had their time
    sysctl("expire_acquire", 10)
    km, other, s = pk.Sock(), pk.Sock(), pk.Sock()
    km.request(REGISTER, SATYPE_ESP)
    km.drain(0.1)
    pol = s.dump(X_SPDDUMP)
    out_ids = [m.policy()["id"] for m in pol
               if m.ext.get(X_EXT_POLICY) and m.policy()["dir"] == DIR_OUT]
    t.eq(1, len(out_ids), "A has one outbound policy")
    ns = stat("no_sa")
    t.ok(not ping(B), "a packet for the SA-less require policy is dropped")
    acq = events(km, ACQUIRE, 1, 3)
    t.eq(1, len(acq), "... and the registered socket gets an ACQUIRE")
    t.eq([], [m for m in other.drain(0.3) if m.type == ACQUIRE],
         "an unregistered socket does not")
    t.eq(ns + 1, stat("no_sa"), "the drop is counted in no_sa")
    if acq:
        m = acq[0]
        t.eq((0, SATYPE_ESP), (m.pid, m.satype),
             "ACQUIRE: from the kernel (pid 0), satype ESP")
        t.eq((A, B), (m.addr(EXT_SRC)[0], m.addr(EXT_DST)[0]),
             "... ADDRESS_SRC/DST are the packet's")
        p = m.policy() if X_EXT_POLICY in m.ext else {}
        t.eq(out_ids[:1], [p.get("id")],
             "... X_POLICY names the outbound policy by its id")
        t.ok(EXT_PROP in m.ext, "... with a PROPOSAL")
        t.ok(m.seq != 0, "... and a sequence number of its own")
    t.ok(not ping(B), "a second packet at once is dropped too")
    t.eq([], events(km, ACQUIRE, 1, 1),
         "... without a second ACQUIRE (expire_acquire 10 s)")
    time.sleep(10)
    ping(B)
    t.eq(1, len(events(km, ACQUIRE, 1, 3)),
         "after expire_acquire another packet ACQUIREs again")

    # the key manager answers with the SA; traffic flows
    t.eq(0, add_out_sa(s), "the key manager adds the SA")
    t.ok(ping(B), "... and the traffic flows")

    # level use: cleartext while the SA is missing, still an ACQUIRE
    pfkeyctl(f"spdadd {A} {B2} any -P out ipsec esp/transport//use;\n")
    km.drain(0.1)
    t.ok(ping(B2), "level use with no SA: the packet leaves in the clear")
    t.eq(1, len(events(km, ACQUIRE, 1, 3)), "... and an ACQUIRE is sent")
    km.close()
    other.close()
    s.close()
    sysctl("expire_acquire", 30)


def test_acquire_many():
    """expire_acquire holds per flow however many flows share the rate
    limiter's table: three rounds of one datagram to each of 300
    destinations under a require policy, no SA."""
    sysctl("expire_acquire", 60)
    sh(["ip", "route", "add", "10.77.0.0/16", "dev", "va"])
    pfkeyctl(f"spdadd {A} 10.77.0.0/16 any -P out ipsec "
             "esp/transport//require;\n")
    with open("/proc/sys/net/core/rmem_max", "w") as f:
        f.write(str(8 << 20))
    km = pk.Sock(rcvbuf=8 << 20)
    km.request(REGISTER, SATYPE_ESP)
    km.drain(0.1)
    dsts = [f"10.77.{i // 200}.{i % 200 + 1}" for i in range(300)]
    per = {}
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(3):
        for d in dsts:
            try:
                u.sendto(b"x", (d, 9))
            except OSError:
                pass        # EPERM: the hook dropped it
        for m in events(km, ACQUIRE, 10 ** 6, 2):
            dst = m.addr(EXT_DST)[0]
            per[dst] = per.get(dst, 0) + 1
    many = sorted(d for d, n in per.items() if n > 1)
    t.eq([], many, "no destination got a second ACQUIRE within "
         "expire_acquire")
    t.ok(len(per) >= 200, "... and most of the 300 got one",
         f"{len(per)} did")
    u.close()
    km.close()
    sysctl("expire_acquire", 30)


def main():
    sysctl("expire_acquire", 1)
    setup()
    t.run("byte lifetimes", test_bytes)
    t.run("allocation lifetimes", test_allocations)
    t.run("ACQUIRE", test_acquire)
    t.run("ACQUIRE rate per flow", test_acquire_many)
    sh(["ip", "netns", "del", "b"])
    sh([PFK, "-f", "-"], inp="flush;\nspdflush;\n")
    sh(["ip", "link", "del", "va"], check=False)
    r = subprocess.run(["rmmod", "ipsec"], capture_output=True, text=True)
    t.ok(r.returncode == 0, "the module unloads", r.stderr)
    t.end()


main()
