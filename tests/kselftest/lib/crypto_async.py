#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""crypto_async.py AEAD-NAME...: make the kernel's crypto API answer
every later request for these AEADs asynchronously, through cryptd.

Binding an AF_ALG socket to "cryptd(NAME)" instantiates the cryptd
template around NAME's best implementation; the instance keeps NAME as
its algorithm name, outranks it by 50 (crypto/cryptd.c) and stays
registered after the socket is closed, so transforms allocated from then
on (an SA's) complete in cryptd's workqueue, in process context. Prints
each NAME's driver as /proc/crypto lists it afterwards."""
import socket
import sys


def best_driver(name):
    best, prio, cur = None, -1, {}
    with open("/proc/crypto") as f:
        for line in f.read().splitlines() + [""]:
            if not line.strip():
                if cur.get("name") == name and \
                        int(cur.get("priority", -1)) > prio:
                    best, prio = cur.get("driver"), int(cur["priority"])
                cur = {}
                continue
            k, _, v = line.partition(":")
            cur[k.strip()] = v.strip()
    return best


for name in sys.argv[1:]:
    s = socket.socket(socket.AF_ALG, socket.SOCK_SEQPACKET, 0)
    s.bind(("aead", f"cryptd({name})"))
    s.close()
    print(name, best_driver(name))
