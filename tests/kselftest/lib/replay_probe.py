#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""replay_probe.py SRC DST SPI KEYHEX NS [--esn HI] SEQ...: for each
sequence number in turn, send one forged ESP packet (esp_forge.py's: an
ICMP echo request with 8 bytes of data, AES-GCM-16, RFC 4106) from SRC
(this namespace) to DST, and print whether the receiver's SA in network
namespace NS took it, read from its packet count as `ip -s xfrm state
get` shows it (both stacks keep it the same way):
  spi SPI seq N: accepted | dropped
One process for the whole run: under TCG a Python start costs seconds."""
import argparse
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import esp_forge  # noqa: E402

CURRENT = re.compile(r"lifetime current:\s*\n\s*\d+\(bytes\),\s*(\d+)\(packets\)")


def packets(ns, src, dst, spi):
    out = subprocess.run(["ip", "-n", ns, "-s", "xfrm", "state", "get",
                          "src", src, "dst", dst, "proto", "esp", "spi", spi],
                         capture_output=True, text=True, check=False).stdout
    m = CURRENT.search(out)
    return int(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("spi")
    ap.add_argument("key")
    ap.add_argument("ns")
    ap.add_argument("--esn", type=int)
    ap.add_argument("seqs", type=int, nargs="+")
    a = ap.parse_args()
    key = bytes.fromhex(a.key[2:] if a.key.startswith("0x") else a.key)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
    s.bind((a.src, 0))
    echo = esp_forge.icmp_echo(8)
    for seq in a.seqs:
        before = packets(a.ns, a.src, a.dst, a.spi)
        s.sendto(esp_forge.esp_packet(int(a.spi, 0), key, seq, echo, 1,
                                      esn_hi=a.esn), (a.dst, 0))
        after = before
        for _ in range(10):
            after = packets(a.ns, a.src, a.dst, a.spi)
            if after != before:
                break
            time.sleep(0.1)
        verdict = "accepted" if after != before else "dropped"
        print(f"spi {a.spi} seq {seq}: {verdict}", flush=True)


if __name__ == "__main__":
    main()
