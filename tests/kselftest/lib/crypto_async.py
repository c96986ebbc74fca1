#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""crypto_async.py TYPE:NAME...: make the kernel's crypto API answer later
requests for these algorithms asynchronously (TYPE aead or skcipher).

NAME is first instantiated as the kernel would for an SA (an AF_ALG
bind), then a template is put around the implementation it got: pcrypt
for an AEAD (padata's workqueues), cryptd for a cipher (cryptd's). The
instance keeps NAME as its algorithm name, outranks the implementation
(pcrypt by 100, cryptd by 50) and stays registered after the socket is
closed, so transforms allocated from then on (an SA's, or the cipher
inside an SA's authenc) complete in process context. 6.1's cryptd AEAD
is not usable so: it fails the crypto manager's self-test (it rewrites
the caller's request). Prints "NAME DRIVER" for each, DRIVER being what
/proc/crypto ranks first afterwards; "NAME -" when the kernel has no
such template (the debug kernel has no pcrypt)."""
import socket
import sys

TEMPLATE = {"aead": "pcrypt", "skcipher": "cryptd"}


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


def bind(typ, name):
    s = socket.socket(socket.AF_ALG, socket.SOCK_SEQPACKET, 0)
    try:
        s.bind((typ, name))
        return True
    except OSError:
        return False
    finally:
        s.close()


for arg in sys.argv[1:]:
    typ, name = arg.split(":", 1)
    if not bind(typ, name):
        sys.exit(f"{name}: not available")
    bind(typ, f"{TEMPLATE[typ]}({best_driver(name)})")
    drv = best_driver(name)
    print(name, drv if drv.startswith(TEMPLATE[typ] + "(") else "-")
