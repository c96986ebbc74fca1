# SPDX-License-Identifier: GPL-2.0
"""xfrm_churn.py LOCAL REMOTE IF_ID SECONDS

An ESP tunnel SA LOCAL -> REMOTE of that if_id (AES-GCM) added and deleted
over NETLINK_XFRM, over and over, while a second process floods UDP to
10.9.0.1 (routed into the interface of the if_id) and tcpdump watches eth0.
Prints "sent N adds N clear N esp N": UDP datagrams handed to the stack,
SAs added, UDP to 10.9.0.1 seen on eth0 in the clear, ESP packets seen on
eth0. Works on any stack that speaks NETLINK_XFRM (ipsec.ko, stock)."""
import os
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xfrmnl as x  # noqa: E402

A_IF_ID = 31
SPI = 0x4601
PCAP = "/tmp/churn.pcap"

FLOOD = """
import socket, sys, time
end = time.monotonic() + float(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n = 0
while time.monotonic() < end:
    for _ in range(64):
        try:
            s.sendto(b"churn" * 8, ("10.9.0.1", 9))
            n += 1
        except OSError:
            pass
print(n)
"""


def count(expr):
    out = subprocess.run(["tcpdump", "-nr", PCAP, expr],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, check=False).stdout
    return len(out.splitlines())


def main():
    local, remote, if_id, secs = (sys.argv[1], sys.argv[2],
                                  int(sys.argv[3]), float(sys.argv[4]))
    cap = subprocess.Popen(["tcpdump", "-i", "eth0", "-n", "-U", "-w", PCAP,
                            "udp or esp"], stderr=subprocess.PIPE, text=True)
    for line in cap.stderr:
        if "listening" in line:
            break
    nl = x.Sock()
    sa = (x.usersa_info(SPI, src=local, dst=remote, mode=1) +
          x.attr(x.A_ALG_AEAD, x.aead()) +
          x.attr(A_IF_ID, struct.pack("=I", if_id)))
    sa_id = x.usersa_id(SPI, dst=remote)
    flood = subprocess.Popen([sys.executable, "-c", FLOOD, str(secs)],
                             stdout=subprocess.PIPE, text=True)
    adds = 0
    while flood.poll() is None:
        err = nl.errno_of(x.msg(x.NEWSA, sa))
        if err:
            print("NEWSA: errno %d" % err)
            break
        adds += 1
        # present for a moment: packets both find it and lose it
        time.sleep(0.001)
        err = nl.errno_of(x.msg(x.DELSA, sa_id))
        if err:
            print("DELSA: errno %d" % err)
            break
    sent = flood.communicate()[0].strip()
    time.sleep(0.5)
    cap.send_signal(signal.SIGINT)
    cap.wait()
    print("sent %s adds %d clear %d esp %d" %
          (sent, adds, count("udp and dst host 10.9.0.1"), count("esp")))


if __name__ == "__main__":
    main()
