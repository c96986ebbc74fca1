#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""send_raw.py DST PROTO HEXPAYLOAD [COUNT]: raw IPv4/IPv6 datagrams of
protocol PROTO carrying the given payload (the kernel builds the IP
header). Used to forge ESP/AH/IPComp packets for the input path."""
import socket
import sys

dst, proto, payload = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])
count = int(sys.argv[4]) if len(sys.argv) > 4 else 1
family = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(family, socket.SOCK_RAW, proto)
for _ in range(count):
    s.sendto(payload, (dst, 0))
