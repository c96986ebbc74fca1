#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal NFQUEUE listener: nfnetlink_queue over a raw netlink socket.

  nfqueue.py QNUM VERDICT COUNT READY [RELEASE]

Binds queue QNUM, creates the file READY, takes COUNT packets and prints
one line for each ("packet ID outdev IFNAME proto P", the IPv4 protocol
or IPv6 next header), then gives every one VERDICT (accept or drop): each
at once, or, with RELEASE, all only once the file RELEASE exists (until
then they wait in the kernel's queue). Exits 0 after COUNT verdicts, 1
if they did not come within 60 s.
"""
import os
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS = 1, 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_PACKET = 2
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NFQA_IFINDEX_OUTDEV, NFQA_PAYLOAD = 6, 10
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NF_DROP, NF_ACCEPT = 0, 1


def attr(atype, data):
    """One netlink attribute, padded to 4 bytes."""
    length = 4 + len(data)
    return struct.pack("=HH", length, atype) + data + b"\0" * (-length % 4)


def message(mtype, qnum, attrs, seq, flags):
    """An nfnetlink_queue message for queue qnum."""
    body = struct.pack("!BBH", socket.AF_UNSPEC, 0, qnum) + b"".join(attrs)
    return struct.pack("=IHHII", 16 + len(body),
                       (NFNL_SUBSYS_QUEUE << 8) | mtype, flags, seq, 0) + body


def attrs_of(data):
    """The attributes of one message body, by type."""
    out = {}
    while len(data) >= 4:
        length, atype = struct.unpack_from("=HH", data)
        if length < 4:
            break
        out[atype & 0x7fff] = data[4:length]
        data = data[(length + 3) & ~3:]
    return out


def config(sock, qnum, attrs, seq):
    """Send a CONFIG message and wait for its acknowledgement."""
    sock.send(message(NFQNL_MSG_CONFIG, qnum, attrs, seq,
                      NLM_F_REQUEST | NLM_F_ACK))
    while True:
        data = sock.recv(65536)
        while len(data) >= 16:
            length, mtype, _, mseq, _ = struct.unpack_from("=IHHII", data)
            if mtype == NLMSG_ERROR and mseq == seq:
                err = struct.unpack_from("=i", data, 16)[0]
                if err:
                    raise OSError(-err, os.strerror(-err))
                return
            data = data[(length + 3) & ~3:]


def main():
    qnum, verdict, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    ready = sys.argv[4]
    release = sys.argv[5] if len(sys.argv) > 5 else None
    verdict = {"accept": NF_ACCEPT, "drop": NF_DROP}[verdict]

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.bind((0, 0))
    config(sock, qnum, [attr(NFQA_CFG_CMD,
                             struct.pack("!BxH", NFQNL_CFG_CMD_BIND, 0))], 1)
    config(sock, qnum, [attr(NFQA_CFG_PARAMS,
                             struct.pack("!IB", 0xffff, NFQNL_COPY_PACKET))], 2)
    open(ready, "w").close()

    deadline = time.monotonic() + 60
    sock.settimeout(1)
    held = []
    while len(held) < count and time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        while len(data) >= 16:
            length, mtype, _, _, _ = struct.unpack_from("=IHHII", data)
            if mtype == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                a = attrs_of(data[20:length])
                pid = struct.unpack("!I", a[NFQA_PACKET_HDR][:4])[0]
                out = a.get(NFQA_IFINDEX_OUTDEV)
                name = socket.if_indextoname(struct.unpack("!I", out)[0]) \
                    if out else "-"
                payload = a.get(NFQA_PAYLOAD, b"")
                proto = "-"
                if payload and payload[0] >> 4 == 4 and len(payload) > 9:
                    proto = payload[9]
                elif payload and payload[0] >> 4 == 6 and len(payload) > 6:
                    proto = payload[6]
                print(f"packet {pid} outdev {name} proto {proto}", flush=True)
                held.append(pid)
                if not release:
                    sock.send(message(NFQNL_MSG_VERDICT, qnum, [
                        attr(NFQA_VERDICT_HDR,
                             struct.pack("!II", verdict, pid))], 0,
                        NLM_F_REQUEST))
            data = data[(length + 3) & ~3:]
    if release:
        while not os.path.exists(release) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in held:
            sock.send(message(NFQNL_MSG_VERDICT, qnum, [
                attr(NFQA_VERDICT_HDR, struct.pack("!II", verdict, pid))],
                0, NLM_F_REQUEST))
    return 0 if len(held) == count else 1


if __name__ == "__main__":
    sys.exit(main())
