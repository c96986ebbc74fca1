#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Instantiates the AEADs and hashes the benchmarks use, through AF_ALG, before
anything is measured.

The first use of an algorithm makes the crypto API load modules from the
host over 9p and wait for them at most 60 s. Under -icount sleep=off the
guest's clock jumps to its next timer whenever the CPU idles, here that
60 s timeout, so the first instantiation can fail in an instant (EINVAL
from an SADB_ADD or an ip xfrm state add, a failed self-test and a
WARNING in dmesg). stack.sh loads the modules it knows of first; for
anything else, retry until the module is in."""
import socket
import sys
import time

# as ipsec.ko asks for them, and with the IV generators XFRM's esp4 adds
ALGS = (("aead", "rfc4106(gcm(aes))"),
        ("aead", "authenc(hmac(sha256),cbc(aes))"),
        ("aead", "seqiv(rfc4106(gcm(aes)))"),
        ("aead", "echainiv(authenc(hmac(sha256),cbc(aes)))"),
        ("hash", "hmac(sha256)"))
TRIES = 10


def instantiate(kind, name):
    for i in range(1, TRIES + 1):
        s = socket.socket(socket.AF_ALG, socket.SOCK_SEQPACKET, 0)
        try:
            s.bind((kind, name))
            return i
        except OSError:
            time.sleep(1)
        finally:
            s.close()
    raise OSError(f"cannot instantiate {name}")


def main():
    for kind, name in ALGS:
        print(f"# crypto: {name} after {instantiate(kind, name)} "
              "attempt(s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
