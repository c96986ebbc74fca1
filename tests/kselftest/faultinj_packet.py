#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 900
"""Allocation failures on the packet path (the debug kernel's failslab
and fail_page_alloc, Documentation/fault-injection/fault-injection.rst).

Three protected UDP flows between two namespaces, each answered by an
echo server: ESP transport with AES-GCM (IPv4), ESP tunnel with
AES-CBC/HMAC-SHA-256 (IPv6), AH transport with HMAC-SHA-256 (IPv4).

1. Output, in the sender's task: for n = 1, 2, ... one datagram per flow
   is sent with the n-th allocation of that send failing
   (/proc/thread-self/fail-nth), until a send makes no failing
   allocation. Each send ends in an errno or a success; nothing reaches
   the receiver's wire in the clear; what arrives was sent successfully.
2. Input and output in softirq and crypto context: for a few seconds
   every allocation anywhere fails with some probability while both
   echo flows run. Afterwards every flow still gets its answers, both
   SADs still hold their SAs, and nothing crossed in the clear.
Leaks are kmemleak's to find and oopses, lockdep and KASAN reports fail
the run through dmesg (tests/vm). Skipped on kernels without fault
injection (Debian's production kernel): `make check-debug` runs it."""
import os
import select
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
from ktap import TOP, Ktap, ensure_module  # noqa: E402
from netns import sh, veth_pair  # noqa: E402

DBG = "/sys/kernel/debug"
MAX_NTH = 400
A4, B4, A6, B6 = "10.7.0.1", "10.7.0.2", "fd07::1", "fd07::2"
# (name, family, destination, port)
FLOWS = (("ESP transport AES-GCM", socket.AF_INET, B4, 9000),
         ("ESP tunnel AES-CBC/HMAC-SHA-256", socket.AF_INET6, B6, 9001),
         ("AH transport HMAC-SHA-256", socket.AF_INET, B4, 9002))
GCM = "0x" + "5a" * 20
CBC, SHA = "0x" + "11" * 16, "0x" + "22" * 32


def dbg_write(attr, val):
    """Also while allocations fail at random: retried until it sticks."""
    for _ in range(100):
        try:
            with open(f"{DBG}/{attr}", "w") as f:
                f.write(str(val))
            return
        except OSError:
            time.sleep(0.01)
    raise OSError(f"cannot write {val} to {DBG}/{attr}")


def keys(ns, me4, peer4, me6, peer6, spi_out, spi_in):
    """pfkeyctl input for one side: SAs both ways, policies for the
    flows out to the peer's ports and back from them."""
    conf = ""
    for src, dst, spi in ((me4, peer4, spi_out), (peer4, me4, spi_in)):
        conf += (f"add {src} {dst} esp {spi:#x} -m transport -r 64 "
                 f"-E aes-gcm-16 {GCM};\n"
                 f"add {src} {dst} ah {spi + 1:#x} -m transport -r 64 "
                 f"-A hmac-sha256 {SHA};\n")
    for src, dst, spi in ((me6, peer6, spi_out), (peer6, me6, spi_in)):
        conf += (f"add {src} {dst} esp {spi + 2:#x} -m tunnel -r 64 "
                 f"-E aes-cbc {CBC} -A hmac-sha256 {SHA};\n")
    # the side whose SPIs start at 0x300 is the client (fa)
    client = spi_out == 0x300
    for _, fam, _, port in FLOWS:
        me, peer = (me4, peer4) if fam == socket.AF_INET else (me6, peer6)
        if port == 9001:
            req = lambda s, d: f"esp/tunnel/{s}-{d}/require"  # noqa: E731
        elif port == 9002:
            req = lambda s, d: "ah/transport//require"  # noqa: E731
        else:
            req = lambda s, d: "esp/transport//require"  # noqa: E731
        if client:
            out_sel, in_sel = f"{me} {peer}[{port}]", f"{peer}[{port}] {me}"
        else:
            out_sel, in_sel = f"{me}[{port}] {peer}", f"{peer} {me}[{port}]"
        conf += (f"spdadd {out_sel} udp -P out ipsec {req(me, peer)};\n"
                 f"spdadd {in_sel} udp -P in ipsec {req(peer, me)};\n")
    subprocess.run(["ip", "netns", "exec", ns,
                    f"{TOP}/tools/pfkeyctl/pfkeyctl", "-f", "-"],
                   input=conf, check=True, text=True, capture_output=True)


def sockets():
    socks = []
    for _, fam, dst, port in FLOWS:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setblocking(False)
        socks.append((s, (dst, port)))
    return socks


def drain(socks, got, wait):
    """Collect echoed datagrams into got[i] (a set) for `wait` seconds."""
    end = time.time() + wait
    while True:
        left = end - time.time()
        if left <= 0:
            return
        try:
            r, _, _ = select.select([s for s, _ in socks], [], [], left)
        except OSError:		# ENOMEM while allocations fail
            continue
        for s in r:
            i = [x for x, _ in socks].index(s)
            while True:
                try:
                    got[i].add(s.recv(2048))
                except OSError:
                    break


def echo():
    """In fb: echo every datagram on the three ports; on SIGTERM print
    per port how many arrived."""
    import signal
    socks = []
    for _, fam, _, port in FLOWS:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", port))
        socks.append(s)
    seen = [0, 0, 0]
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    print("ready", flush=True)
    while not stop:
        try:
            r, _, _ = select.select(socks, [], [], 0.5)
        except OSError:		# EINTR, or ENOMEM while allocations fail
            continue
        for s in r:
            try:
                data, peer = s.recvfrom(2048)
                seen[socks.index(s)] += 1
                s.sendto(data, peer)
            except OSError:
                pass
    print(" ".join(map(str, seen)), flush=True)


def out_sweep():
    """In fa: the fail-nth sweep of part 1, one line per flow:
    'flow n_sends failing_allocations ok errnos... | echoed-tags'."""
    fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)
    socks = sockets()
    # the neighbours and the SAs are warm before the first failure
    got = [set(), set(), set()]
    for s, dst in socks:
        s.sendto(b"warm", dst)
    drain(socks, got, 2)
    for i, (s, dst) in enumerate(socks):
        oks, errs, n = [], [], 1
        while n <= MAX_NTH:
            tag = b"n%d" % n
            os.pwrite(fd, b"%d" % n, 0)
            try:
                s.sendto(tag, dst)
                err = 0
            except OSError as e:
                err = e.errno
            left = int(os.pread(fd, 32, 0).strip() or b"0")
            os.pwrite(fd, b"0", 0)
            (errs if err else oks).append((tag, err))
            if left:		# this send made fewer than n failable calls
                break
            n += 1
        drain(socks, got, 3)
        echoed = sorted(x.decode() for x in got[i] if x.startswith(b"n"))
        last = oks[-1][0].decode() if oks else "-"
        print(f"{i} {n} {last} " +
              ",".join(f"{t.decode()}:{e}" for t, e in errs) + " | " +
              ",".join(t.decode() for t, _ in oks) + " | " +
              ",".join(echoed), flush=True)


def flood(seconds):
    """In fa: part 2's traffic, all flows, for `seconds`; prints per
    flow sent and echoed."""
    socks = sockets()
    got = [set(), set(), set()]
    sent = [0, 0, 0]
    # loaded and set up: from here on this process opens no file
    print("ready", flush=True)
    end = time.time() + seconds
    k = 0
    while time.time() < end:
        for i, (s, dst) in enumerate(socks):
            try:
                s.sendto(b"f%d" % k + b"x" * (k % 1200), dst)
                sent[i] += 1
            except OSError:
                pass
        k += 1
        if k % 16 == 0:
            drain(socks, got, 0.01)
    drain(socks, got, 1)
    print(" ".join(f"{sent[i]}/{len(got[i])}" for i in range(3)), flush=True)


def round_trip():
    """In fa: does each flow still get an answer (up to 10 tries)?"""
    socks = sockets()
    res = []
    for i, (s, dst) in enumerate(socks):
        got = [set(), set(), set()]
        for k in range(10):
            s.sendto(b"r%d" % k, dst)
            drain(socks, got, 1)
            if got[i]:
                break
        res.append("1" if got[i] else "0")
    print(" ".join(res), flush=True)


def in_ns(ns, mode, *args, **kw):
    return sh("ip", "netns", "exec", ns, sys.executable,
              os.path.abspath(__file__), mode, *args, **kw)


def nft_clear(ns):
    """Cleartext datagrams of the flows that reached ns's wire."""
    out = sh("ip", "netns", "exec", ns, "nft", "list", "chain", "inet",
             "clear", "pre")
    for line in out.splitlines():
        f = line.split()
        if "packets" in f:
            return int(f[f.index("packets") + 1])
    return None


def sa_count(ns):
    return sum(1 for line in sh("ip", "-n", ns, "xfrm", "state").splitlines()
               if line.startswith("src "))


def main():
    t = Ktap()
    if not os.path.exists("/proc/thread-self/fail-nth") or \
            not os.path.isdir(f"{DBG}/failslab"):
        t.skip("packet path fault injection", "kernel without "
               "CONFIG_FAULT_INJECTION (make check-debug runs this)")
        t.end()
    ensure_module()
    veth_pair("fa", "fb", {"fa": (A4, A6), "fb": (B4, B6)})
    for ns in ("fa", "fb"):
        # cleartext of the flows on the wire, counted where it arrives
        sport = "dport" if ns == "fb" else "sport"
        subprocess.run(
            ["ip", "netns", "exec", ns, "nft", "-f", "-"], check=True,
            text=True, input="table inet clear {\n"
            " chain pre {\n  type filter hook prerouting priority -400;\n"
            f"  iifname \"veth_{ns}\" udp {sport} 9000-9002 counter\n"
            " }\n}\n")
    keys("fa", A4, B4, A6, B6, 0x300, 0x400)
    keys("fb", B4, A4, B6, A6, 0x400, 0x300)
    nsa = (sa_count("fa"), sa_count("fb"))
    t.eq((6, 6), nsa, "both namespaces hold 6 SAs")

    srv = subprocess.Popen(["ip", "netns", "exec", "fb", sys.executable,
                            os.path.abspath(__file__), "--echo"],
                           stdout=subprocess.PIPE, text=True)
    srv.stdout.readline()

    # GFP_KERNEL allocations too, order 0 pages too, no stack per failure
    for attr, val in (("failslab/ignore-gfp-wait", "N"),
                      ("fail_page_alloc/ignore-gfp-wait", "N"),
                      ("fail_page_alloc/min-order", "0"),
                      ("failslab/verbose", "0"),
                      ("fail_page_alloc/verbose", "0")):
        dbg_write(attr, val)

    # 1. output in the sender's task, the n-th allocation failing
    out = in_ns("fa", "--out-sweep")
    for line in out.strip().splitlines():
        i, n, last, errs, oks, echoed = (line.split(" ", 3)[:3] +
                                         line.split(" ", 3)[3].split(" | "))
        name = FLOWS[int(i)][0]
        n, oks = int(n), set(filter(None, oks.split(",")))
        echoed = set(filter(None, echoed.split(",")))
        t.ok(n <= MAX_NTH and echoed <= oks and last == f"n{n}" and
             last in echoed,
             f"{name}: {n - 1} failing allocations on output, each an "
             f"errno or a success; {len(echoed)} of {len(oks)} successes "
             f"echoed (the last, with no failure, too), none that failed",
             f"errnos: {errs}\nsuccesses: {sorted(oks)}\n"
             f"echoed: {sorted(echoed)}")
        print(f"# {name}: errnos {errs or '-'}", flush=True)
    t.eq((0, 0), (nft_clear("fa"), nft_clear("fb")),
         "no datagram of the flows crossed the wire in the clear")

    # 2. everything, softirq and crypto too, fails now and then
    flooder = subprocess.Popen(["ip", "netns", "exec", "fa", sys.executable,
                                os.path.abspath(__file__), "--flood", "8"],
                               stdout=subprocess.PIPE, text=True)
    # nothing may open a file while allocations fail: the root is 9p
    flooder.stdout.readline()
    time.sleep(1)
    for fa in ("failslab", "fail_page_alloc"):
        dbg_write(f"{fa}/interval", 1)
        dbg_write(f"{fa}/times", -1)
        dbg_write(f"{fa}/probability", 3)
    time.sleep(3)
    for fa in ("failslab", "fail_page_alloc"):
        dbg_write(f"{fa}/probability", 0)
    res = flooder.communicate(timeout=120)[0].strip()
    print(f"# under random failures, sent/echoed per flow: {res}",
          flush=True)
    t.eq("1 1 1", in_ns("fa", "--round-trip").strip(),
         "after random allocation failures every flow gets its answers")
    t.eq(nsa, (sa_count("fa"), sa_count("fb")),
         "both SADs still hold their SAs")
    t.eq((0, 0), (nft_clear("fa"), nft_clear("fb")),
         "... and nothing crossed the wire in the clear")

    srv.terminate()
    print(f"# echoed per port: {srv.communicate(timeout=30)[0].strip()}")
    for ns in ("fa", "fb"):
        sh("ip", "netns", "del", ns)
    t.end()


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "--echo":
        echo()
    elif mode == "--out-sweep":
        out_sweep()
    elif mode == "--flood":
        flood(float(sys.argv[2]))
    elif mode == "--round-trip":
        round_trip()
    else:
        main()
