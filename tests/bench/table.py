#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The benchmark table: medians over the runs of each stack, from the
guests' "bench NAME VALUE UNIT" lines.

    table.py DIR

DIR holds ours.N.log and stock.N.log (one per guest). Prints a Markdown
table: median of ours, of stock (with the spread, half the range as a
share of the median), ours/stock, and which way is better."""
import glob
import os
import re
import statistics
import sys

LOG = re.compile(r"^(ours|stock)\.(\d+)\.log$")


def read(d):
    """{stack: {name: [values]}}, {name: unit}, names in first-seen order."""
    vals = {"ours": {}, "stock": {}}
    units = {}
    for path in sorted(glob.glob(os.path.join(d, "*.log"))):
        m = LOG.match(os.path.basename(path))
        if not m:
            continue
        with open(path) as f:
            for line in f:
                w = line.split()
                if len(w) == 4 and w[0] == "bench":
                    vals[m.group(1)].setdefault(w[1], []).append(float(w[2]))
                    units.setdefault(w[1], w[3])
    return vals, units


def fmt(v):
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def cell(values):
    if not values:
        return "-"
    med = statistics.median(values)
    if len(values) < 2 or med == 0:
        return fmt(med)
    spread = (max(values) - min(values)) / 2 / med
    return f"{fmt(med)} ±{spread:.1%}"


def higher_is_better(unit):
    return unit.endswith("/s")


def main():
    vals, units = read(sys.argv[1])
    runs = {s: max((len(v) for v in vals[s].values()), default=0)
            for s in vals}
    print(f"| metric | unit | ours (n={runs['ours']}) "
          f"| stock (n={runs['stock']}) | ours/stock | better |")
    print("|---|---|---:|---:|---:|---|")
    for name, unit in units.items():
        o = vals["ours"].get(name, [])
        s = vals["stock"].get(name, [])
        ratio = "-"
        if o and s and statistics.median(s):
            ratio = f"{statistics.median(o) / statistics.median(s):.2f}"
        better = "higher" if higher_is_better(unit) else "lower"
        print(f"| {name} | {unit} | {cell(o)} | {cell(s)} | {ratio} "
              f"| {better} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
