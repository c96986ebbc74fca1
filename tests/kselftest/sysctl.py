#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# check-also: 6.12
"""net.ipsec.* and net.ipsec6.*: defaults, valid values read back, invalid
values refused with EINVAL and the old value kept, one set per namespace,
root only."""
import errno
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ktap import TOP, Ktap, ensure_module  # noqa: E402,F401

t = Ktap()
ensure_module()

# name, default, a valid value, invalid values
KNOBS = [
    ("ipsec.esp_enable", "1", "0", ["2", "-1", "x"]),
    ("ipsec.ah_enable", "1", "0", ["2", "-1"]),
    ("ipsec.ipcomp_enable", "0", "1", ["2", "-1"]),
    ("ipsec.def_policy", "1", "0", ["2", "-1"]),
    ("ipsec.esp_trans_deflev", "1", "2", ["0", "3"]),
    ("ipsec.esp_net_deflev", "1", "2", ["0", "3"]),
    ("ipsec.ah_trans_deflev", "1", "2", ["0", "3"]),
    ("ipsec.ah_net_deflev", "1", "2", ["0", "3"]),
    ("ipsec.ah_cleartos", "1", "0", ["2", "-1"]),
    ("ipsec.ah_offsetmask", "0", "65535", ["65536", "-1"]),
    ("ipsec.dfbit", "2", "0", ["3", "-1"]),
    ("ipsec.ecn", "1", "0", ["2", "-1"]),
    ("ipsec.debug", "0", "2", ["3", "-1"]),
    ("ipsec.filter_tunnel", "0", "1", ["2", "-1"]),
    ("ipsec.expire_acquire", "30", "10", ["0", "-5"]),
    ("ipsec.invalid_life", "60", "120", ["0", "-1"]),
    ("ipsec.pfs", "1", "0", ["2", "-1"]),
    ("ipsec.soft_timeout", "80000", "100", ["-1", "x"]),
    ("ipsec.timeout", "86400", "200", ["-1", "x"]),
    ("ipsec.soft_firstuse", "3600", "60", ["-1", "x"]),
    ("ipsec.firstuse", "7200", "120", ["-1", "x"]),
    ("ipsec.soft_allocs", "0", "1000", ["-1", "x"]),
    ("ipsec.allocs", "0", "2000", ["-1", "x"]),
    ("ipsec.soft_bytes", "0", "1000000000000", ["-1", "x"]),
    ("ipsec.bytes", "0", "2000000000000", ["-1", "x"]),
    ("ipsec.enc_alg", "aes", "aes-gcm-16", ["des", "rot13", ""]),
    ("ipsec.auth_alg", "hmac-sha1", "hmac-sha256", ["md5", "hmac-sha1-96"]),
    ("ipsec.comp_alg", "deflate", "deflate", ["lz4", "zstd"]),
    ("ipsec6.def_policy", "1", "0", ["2", "-1"]),
    ("ipsec6.esp_trans_deflev", "1", "2", ["0", "3"]),
    ("ipsec6.esp_net_deflev", "1", "2", ["0", "3"]),
    ("ipsec6.ah_trans_deflev", "1", "2", ["0", "3"]),
    ("ipsec6.ah_net_deflev", "1", "2", ["0", "3"]),
    ("ipsec6.ecn", "1", "0", ["2", "-1"]),
    ("ipsec6.debug", "0", "1", ["3", "-1"]),
]


def path(name):
    return "/proc/sys/net/" + name.replace(".", "/")


def read(name):
    with open(path(name)) as f:
        return f.read().strip()


def write(name, value):
    """write(2) the value; return 0 or the errno."""
    fd = os.open(path(name), os.O_WRONLY)
    try:
        os.write(fd, value.encode() + b"\n")
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)


for name, default, good, bad in KNOBS:
    t.eq(default, read(name), f"net.{name} defaults to {default}")
    t.eq(0, write(name, good), f"net.{name} accepts {good}")
    t.eq(good, read(name), f"net.{name} reads back {good}")
    for b in bad:
        t.eq(errno.EINVAL, write(name, b),
             f"net.{name} refuses '{b}' with EINVAL")
    t.eq(good, read(name), f"net.{name} still {good} after the refusals")
    write(name, default)

t.eq(0, write("ipsec.enc_alg", "rijndael-cbc"),
     "an algorithm alias is accepted (rijndael-cbc)")
t.eq(0, subprocess.run(["sysctl", "net.ipsec.esp_enable", "net.ipsec6.ecn"],
                       capture_output=True).returncode,
     "sysctl(8) sees the tree")

subprocess.run(["ip", "netns", "add", "sy"], check=True)
write("ipsec.esp_enable", "0")
r = subprocess.run(["ip", "netns", "exec", "sy", "cat",
                    path("ipsec.esp_enable")], capture_output=True, text=True)
t.eq("1", r.stdout.strip(), "a new namespace has its own defaults")
subprocess.run(["ip", "netns", "exec", "sy", "sh", "-c",
                f"echo 0 > {path('ipsec.dfbit')}"], check=True)
t.eq("2", read("ipsec.dfbit"),
     "a namespace's write does not reach the initial namespace")
r = subprocess.run(["ip", "netns", "exec", "sy", "cat", path("ipsec.dfbit")],
                   capture_output=True, text=True)
t.eq("0", r.stdout.strip(), "and is kept in its own namespace")
write("ipsec.esp_enable", "1")
subprocess.run(["ip", "netns", "del", "sy"], check=True)

r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534",
                    "--clear-groups", "sh", "-c",
                    f"echo 0 > {path('ipsec.esp_enable')}"],
                   capture_output=True)
t.ok(r.returncode != 0 and read("ipsec.esp_enable") == "1",
     "an unprivileged user cannot write")
t.end()
