#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One iperf3 client run through the tunnel, measured two ways:

    iperf.py NAME IFACE[@PID] OMIT SECONDS -- IPERF3-ARGS...

Runs iperf3 -O OMIT -t SECONDS --json with the arguments and reports
NAME_mbps (what the receiver got, per iperf3, TCP only) and, over a
window inside the steady state (from OMIT + 0.5 s after the data starts
flowing to 0.5 s before the end), the packets IFACE sent (the ESP
packets, in this namespace), their rate NAME_pps and the guest
instructions per packet NAME_insn_per_pkt (busy CPU time over packets;
one CPU, so it covers both ends: sender, encryption, veth, decryption,
receiver, and the ACKs), and the context switches per packet
NAME_ctxt_per_pkt (sender and receiver take turns on the one CPU; how
often they do is part of the cost).

The window starts from the traffic, not from iperf3's start: iperf3 is
read from the host over 9p, and while the guest idles waiting for it its
clock jumps to the next timer (-icount sleep=off), ours included."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cpustat import Window, report  # noqa: E402

MARGIN = 0.5
FLOWING = 50            # packets that say the test has started
POLL = 0.01


def tx(iface):
    """(packets, bytes) IFACE has sent, from this namespace's
    /proc/net/dev, or another's: IFACE@PID reads that of the namespace
    of process PID."""
    iface, _, pid = iface.partition("@")
    with open(f"/proc/{pid}/net/dev" if pid else "/proc/net/dev") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name.strip() == iface:
                cols = rest.split()
                return int(cols[9]), int(cols[8])
    raise KeyError(iface)


def main():
    name, iface, omit, seconds = sys.argv[1:5]
    omit, seconds = int(omit), int(seconds)
    if sys.argv[5] != "--" or seconds <= 2 * MARGIN:
        print("usage: iperf.py NAME IFACE OMIT SECONDS -- IPERF3-ARGS...",
              file=sys.stderr)
        return 2
    cmd = ["iperf3", "--json", "-O", str(omit), "-t", str(seconds)]
    base = tx(iface)[0]
    p = subprocess.Popen(cmd + sys.argv[6:], stdout=subprocess.PIPE)
    while tx(iface)[0] - base < FLOWING and p.poll() is None:
        time.sleep(POLL)
    time.sleep(omit + MARGIN)
    w = Window()
    p0 = tx(iface)
    w.start()
    time.sleep(seconds - 2 * MARGIN)
    w.stop()
    p1 = tx(iface)
    out, _ = p.communicate()
    if p.returncode:
        print(f"# {name}: iperf3 failed ({p.returncode}): {out[-500:]!r}")
        return 1
    res = json.loads(out)["end"]
    pkts = p1[0] - p0[0]
    if "sum_received" in res:
        report(f"{name}_mbps", res["sum_received"]["bits_per_second"] / 1e6,
               "Mbit/s")
    report(f"{name}_pps", pkts * 1e9 / w.elapsed_ns, "pkt/s")
    report(f"{name}_insn_per_pkt", w.instructions() / max(pkts, 1),
           "insn/pkt")
    report(f"{name}_ctxt_per_pkt", w.ctxt / max(pkts, 1), "switch/pkt")
    extra = ""
    if "sum" in res and "lost_packets" in res["sum"]:
        s = res["sum"]
        extra = (f", iperf3 receiver got {s['packets'] - s['lost_packets']}"
                 f" of {s['packets']} datagrams")
    print(f"# {name}: {pkts} packets of {(p1[1] - p0[1]) / max(pkts, 1):.0f}"
          f" bytes in the window, CPU busy {w.busy_share():.0%}{extra}",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
