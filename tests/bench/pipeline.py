# SPDX-License-Identifier: GPL-2.0
"""Requests sent back to back on a PF_KEY or netlink socket, the replies
read every DRAIN_EVERY sends so that the receive buffer never overflows:
the ADD loops of pfkey_ops.py and xfrm_scale.py. A subclass counts what
one recv() returned in count(buf), through ok() and failed()."""
import socket

DRAIN_EVERY = 64


class Pipeline:
    def __init__(self, s):
        self.s = s
        self.ok = self.failed = 0
        self.first_errno = 0

    def count(self, buf):
        raise NotImplementedError

    def reply(self, errno):
        """One reply: success (0) or an errno."""
        if errno:
            self.failed += 1
            self.first_errno = self.first_errno or errno
        else:
            self.ok += 1

    def drain(self, block=False):
        while True:
            try:
                buf = self.s.recv(1 << 16,
                                  0 if block else socket.MSG_DONTWAIT)
            except (BlockingIOError, socket.timeout):
                return
            block = False
            self.count(buf)

    def send(self, msgs):
        for j, m in enumerate(msgs):
            self.s.send(m)
            if j % DRAIN_EVERY == DRAIN_EVERY - 1:
                self.drain()
        self.drain()

    def settle(self, expected, timeout=5):
        """Reads until @expected replies have come, or none for @timeout
        seconds."""
        self.s.settimeout(timeout)
        while self.ok + self.failed < expected:
            before = self.ok + self.failed
            self.drain(block=True)
            if self.ok + self.failed == before:
                break
        self.s.settimeout(None)
