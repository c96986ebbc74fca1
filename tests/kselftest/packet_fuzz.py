#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 900
"""Malformed ESP, AH, IPComp and ESP-in-UDP packets, IPv4 and IPv6, at a
namespace whose SAs they name: random mutations (bit flips, truncation,
growth, random sequence numbers, cuts into IPv4 fragments at any 8-byte
boundary) of valid packets built from RFC 4303/4106, 4302, 3173 and
3948, behind an nftables ruleset that tracks connections (so conntrack
reassembles fragments first, as on most hosts). Each must be dropped or
delivered, never crash or leak (the harness checks dmesg and, on the
debug kernel, kmemleak); afterwards a valid packet still decrypts.

PKT_FUZZ_N packets (default 20000; `make stress` sends 10^6)."""
import os
import random
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
from ktap import TOP, Ktap, ensure_module  # noqa: E402
import esp_forge  # noqa: E402
from netns import sh, veth_pair  # noqa: E402

N = int(os.environ.get("PKT_FUZZ_N", "20000"))
KEY = bytes.fromhex("00112233445566778899aabbccddeeff01020304")
A4, B4, A6, B6 = "10.7.0.1", "10.7.0.2", "fd07::1", "fd07::2"
ESP, AH, COMP, UDP = 50, 51, 108, 17
GCM_T, GCM_U, CBC, AH_SPI, CPI, NATT = 0x100, 0x101, 0x102, 0x103, 0x104, \
    0x105


def seeds(rng, v6):
    """Valid packets (IP payload, protocol) for the SAs set up below."""
    echo = esp_forge.icmp_echo(rng.randrange(0, 200))
    seq = rng.randrange(1, 1 << 20)
    out = [(esp_forge.esp_packet(GCM_T, KEY, seq, echo, 58 if v6 else 1),
            ESP)]
    if not v6:
        inner = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(echo), 1, 0,
                            64, 1, 0, socket.inet_aton("10.8.0.1"),
                            socket.inet_aton("10.9.0.1")) + echo
        out.append((esp_forge.esp_packet(GCM_U, KEY, seq, inner, 4), ESP))
        udp = esp_forge.esp_packet(NATT, KEY, seq, echo, 1)
        out.append((struct.pack("!HHHH", 4500, 4500, 8 + len(udp), 0) + udp,
                    UDP))
    # AES-CBC with HMAC-SHA-256: a header, an IV and random blocks
    out.append((struct.pack("!II", CBC, seq) +
                rng.randbytes(16 * rng.randrange(1, 8) + 16), ESP))
    # AH (RFC 4302 2): next header, payload length in 32-bit words - 2,
    # reserved, SPI, sequence, ICV of 16 bytes (HMAC-SHA-256-128)
    out.append((struct.pack("!BBHII", 1, 5, 0, AH_SPI, seq) +
                rng.randbytes(16) + echo, AH))
    # IPComp (RFC 3173 2.2): next header, flags, CPI, then DEFLATE data
    out.append((struct.pack("!BBH", 1, 0, CPI) +
                rng.randbytes(rng.randrange(1, 300)), COMP))
    return out


def mutate(rng, data):
    b = bytearray(data)
    for _ in range(rng.randrange(1, 4)):
        op = rng.randrange(6)
        if op == 0 and b:
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1 and len(b) > 1:
            del b[rng.randrange(1, len(b)):]
        elif op == 2:
            b += rng.randbytes(rng.randrange(1, 64))
        elif op == 3 and len(b) >= 8:
            b[4:8] = rng.randbytes(4)		# sequence number
        elif op == 4 and len(b) >= 4:
            i = rng.randrange(len(b) - 3)
            b[i:i + 4] = rng.randbytes(4)
        # op 5: unchanged
    return bytes(b)


def ip4(src, dst, proto, payload, ident, off=0, more=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                      (more << 13) | (off // 8), 64, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    return hdr[:10] + struct.pack("!H", esp_forge.csum(hdr)) + hdr[12:] + \
        payload


def send(n, seed):
    """In namespace a: n mutated packets towards b."""
    rng = random.Random(seed)
    raw4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw6 = {p: socket.socket(socket.AF_INET6, socket.SOCK_RAW, p)
            for p in (ESP, AH, COMP)}
    sent = 0
    for i in range(n):
        v6 = rng.random() < 0.3
        data, proto = rng.choice(seeds(rng, v6))
        data = mutate(rng, data) if rng.random() < 0.95 else data
        try:
            if v6:
                raw6[proto].sendto(data, (B6, 0))
            elif rng.random() < 0.2 and len(data) > 16:
                cut = 8 * rng.randrange(1, (len(data) - 1) // 8 + 1)
                ident = rng.randrange(1 << 16)
                raw4.sendto(ip4(A4, B4, proto, data[:cut], ident, 0, 1),
                            (B4, 0))
                raw4.sendto(ip4(A4, B4, proto, data[cut:], ident, cut, 0),
                            (B4, 0))
            else:
                raw4.sendto(ip4(A4, B4, proto, data, i & 0xffff), (B4, 0))
            sent += 1
        except OSError:
            pass
    print(sent)


def counter(ns, proto, name):
    out = sh("ip", "netns", "exec", ns, "cat", f"/proc/net/ipsec/{proto}")
    for line in out.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == name:
            return int(f[1])
    return None


def main():
    t = Ktap()
    ensure_module()
    veth_pair("fa", "fb", {"fa": (A4, A6), "fb": (B4, B6)})
    k = "0x" + KEY.hex()
    conf = ""
    for a, b, base in ((A4, B4, 0), (A6, B6, 0x1000)):
        conf += f"""
add {a} {b} esp {GCM_T + base:#x} -m transport -r 64 -E aes-gcm-16 {k};
add {a} {b} esp {GCM_U + base:#x} -m tunnel -r 64 -E aes-gcm-16 {k};
add {a} {b} esp {CBC + base:#x} -m transport -r 64 -E aes-cbc
	0x{"11" * 16} -A hmac-sha256 0x{"22" * 32};
add {a} {b} ah {AH_SPI + base:#x} -m transport -r 64 -A hmac-sha256
	0x{"22" * 32};
add {a} {b} ipcomp {CPI + base:#x} -m transport -C deflate;
"""
    conf += f"""
spdadd 10.8.0.0/16 10.9.0.0/16 any -P in ipsec
	esp/tunnel/{A4}-{B4}/require;
add {A4}[4500] {B4}[4500] esp-udp {NATT:#x} -m transport -r 64
	-E aes-gcm-16 {k};
"""
    subprocess.run(["ip", "netns", "exec", "fb",
                    f"{TOP}/tools/pfkeyctl/pfkeyctl", "-f", "-"],
                   input=conf, check=True, text=True, capture_output=True)
    # IPComp is off by default (as in KAME): on, so its input sees them
    sh("ip", "netns", "exec", "fb", "sysctl", "-qw", "net.ipsec.ipcomp_enable=1")
    # conntrack in b, so fragments are reassembled before ESP input
    subprocess.run(["ip", "netns", "exec", "fb", "nft", "-f", "-"],
                   input="table inet f {\n chain in {\n"
                   "  type filter hook input priority 0;\n"
                   "  ct state invalid counter\n }\n}\n",
                   check=True, text=True)
    # an IKE daemon's port: ESP in UDP for 4500
    natt = subprocess.Popen(
        ["ip", "netns", "exec", "fb", "python3", "-c",
         "import socket, time\n"
         "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
         "s.bind(('0.0.0.0', 4500))\n"
         "s.setsockopt(17, 100, 2)\n"
         "print('ready', flush=True)\n"
         "time.sleep(100000)\n"], stdout=subprocess.PIPE, text=True)
    natt.stdout.readline()

    before = counter("fb", "esp", "input_packets")
    t0 = time.time()
    seed = int(os.environ.get("FUZZ_SEED", "4303"))
    out = sh("ip", "netns", "exec", "fa", sys.executable,
             os.path.abspath(__file__), "--send", str(N), str(seed))
    sent = int(out.strip() or 0)
    t.ok(sent > N * 0.9, f"{N} mutated packets sent ({sent}) in "
         f"{time.time() - t0:.0f} s")

    # a valid packet after all that: decrypted and answered
    seq = 1 << 30
    pkt = esp_forge.esp_packet(GCM_T, KEY, seq, esp_forge.icmp_echo(8), 1)
    sh("ip", "netns", "exec", "fa", sys.executable, "-c",
       "import socket, sys\n"
       "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)\n"
       f"s.sendto(bytes.fromhex('{pkt.hex()}'), ('{B4}', 0))\n")
    time.sleep(1)
    after = counter("fb", "esp", "input_packets")
    t.ok(after is not None and after > before,
         f"a valid ESP packet still decrypts (input {before} -> {after})")
    for proto in ("esp", "ah", "ipcomp"):
        print(f"# {proto}: " + " ".join(
            "=".join(line.split()) for line in sh(
                "ip", "netns", "exec", "fb", "cat",
                f"/proc/net/ipsec/{proto}").splitlines()
            if not line.endswith(" 0")), flush=True)
    natt.kill()
    natt.wait()
    for ns in ("fa", "fb"):
        sh("ip", "netns", "del", ns)
    t.end()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--send":
        send(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
