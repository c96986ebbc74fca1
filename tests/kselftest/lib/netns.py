# SPDX-License-Identifier: GPL-2.0
"""Network namespaces for Python test files."""
import subprocess


def sh(*args, **kw):
    """Run a command; its standard output (CalledProcessError if it
    fails)."""
    return subprocess.run(args, check=True, capture_output=True, text=True,
                          **kw).stdout


def veth_pair(a, b, addrs):
    """Fresh namespaces a and b (old ones of those names deleted) joined
    by veth_a and veth_b, up, with lo up; addrs maps each namespace to
    its (IPv4, IPv6) address, put on its veth as /24 and /64 (no DAD)."""
    for ns in (a, b):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        sh("ip", "netns", "add", ns)
    sh("ip", "link", "add", "veth_" + a, "netns", a, "type", "veth",
       "peer", "name", "veth_" + b, "netns", b)
    for ns in (a, b):
        a4, a6 = addrs[ns]
        sh("ip", "-n", ns, "addr", "add", a4 + "/24", "dev", "veth_" + ns)
        sh("ip", "-n", ns, "addr", "add", a6 + "/64", "dev", "veth_" + ns,
           "nodad")
        sh("ip", "-n", ns, "link", "set", "veth_" + ns, "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
