# SPDX-License-Identifier: GPL-2.0
"""Guest CPU busy time from /proc/stat, as guest instructions.

The bench guests run under QEMU's -icount shift=S: every guest
instruction advances the virtual clock by 2^S ns, so time the CPU spent
busy is instructions * 2^S ns. Idle time is not: with sleep=off the
clock jumps to the next timer while the CPU halts. BENCH_SHIFT is the
shift the host gave QEMU.

Busy time is the elapsed time less idle and iowait of /proc/stat, which
the kernel measures exactly at idle entry and exit (NOHZ idle
accounting); the user, system, irq and softirq columns are sampled at
the tick instead, and their sum drifts a few percent from the elapsed
time. One CPU: the guests run with -smp 1."""
import os
import time

SHIFT = int(os.environ.get("BENCH_SHIFT", "4"))
NS_PER_INSN = 1 << SHIFT
TICK_NS = 1e9 / os.sysconf("SC_CLK_TCK")
# /proc/stat "cpu" columns: user nice system idle iowait irq softirq steal
IDLE_COLUMNS = (3, 4)


def sample():
    """(idle ns, context switches) so far."""
    idle = ctxt = 0
    with open("/proc/stat") as f:
        for line in f:
            w = line.split()
            if w[0] == "cpu":
                idle = sum(int(w[1 + i]) for i in IDLE_COLUMNS) * TICK_NS
            elif w[0] == "ctxt":
                ctxt = int(w[1])
    return idle, ctxt


class Window:
    """Accumulates virtual elapsed time and busy time over one or more
    start()/stop() intervals."""

    def __init__(self):
        self.elapsed_ns = 0
        self.idle_ns = 0
        self.ctxt = 0           # context switches
        self._t = self._s = None

    def start(self):
        self._s = sample()
        self._t = time.monotonic_ns()

    def stop(self):
        self.elapsed_ns += time.monotonic_ns() - self._t
        idle, ctxt = sample()
        self.idle_ns += idle - self._s[0]
        self.ctxt += ctxt - self._s[1]

    def busy_ns(self):
        return max(self.elapsed_ns - self.idle_ns, 0)

    def instructions(self):
        """Guest instructions executed while busy in the window."""
        return self.busy_ns() / NS_PER_INSN

    def busy_share(self):
        return self.busy_ns() / self.elapsed_ns if self.elapsed_ns else 0.0


def report(name, value, unit):
    """One result line; tests/bench/run collects these."""
    print(f"bench {name} {value:.6g} {unit}", flush=True)
