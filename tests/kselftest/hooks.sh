#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-also: 6.12
# The netfilter hooks come and go with what needs them (kmod/hooks.h):
# none in a namespace without policies; there from the first policy on,
# so that a require policy holds from the very next packet; gone after
# the last; and a policy flapping under traffic never lets a datagram
# sent while it is in place out.
#
# Whether the hooks run is seen by the kernel's own instruments: a kprobe
# on the LOCAL_OUT hook function, whose hits the tracing core counts
# (kprobe_profile), and, where the kernel can list hooks (nfnetlink_hook,
# CONFIG_NETFILTER_NETLINK_HOOK, not in Debian's 6.1), `nft list hooks`.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load
PFK="$TOP/tools/pfkeyctl/pfkeyctl"
T=$(mktemp -d)
TR=/sys/kernel/tracing
KP=ipsec_hooks_sh

ip netns add a
ip netns add b
# IPv4 only: IPv6 would send on its own (DAD, router solicitations, MLD)
# and run a's hooks while b's datagrams are counted
for _n in a b; do
	ns_run $_n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
link_ns a b 10.0.0.1 10.0.0.2

# kprobe on our LOCAL_OUT hook: its hit count, kept by the tracing core
[ -d "$TR/events" ] || mount -t tracefs nodev "$TR" 2>/dev/null || true
kprobe=0
# (in braces, so that the shell's message for a failed >> is silenced too:
# a kernel without kprobe events, such as the debug kernel, is a skip)
if { echo "p:$KP ipsec_hook_local_out" >>"$TR/kprobe_events"; } 2>/dev/null &&
   echo 1 >"$TR/events/kprobes/$KP/enable" 2>/dev/null; then
	kprobe=1
fi
hits() { awk -v p="$KP" '$1 == p { print $2 }' "$TR/kprobe_profile"; }

# listing: only where the kernel has nfnetlink_hook (else nft prints
# nothing, which says nothing)
modprobe -q nfnetlink_hook 2>/dev/null || true
listing=0
[ -d /sys/module/nfnetlink_hook ] && listing=1
listed() { ns_run "$1" nft list hooks 2>/dev/null | grep -c 'ipsec_hook' ; }

# one UDP datagram from NS to ADDR (LOCAL_OUT runs before any ARP)
send1() { ns_run "$1" python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(b"x", (sys.argv[1], 9))
except OSError:
    pass' "$2"; }

# check_hooks DESC NS ADDR WANT: does a datagram from NS run our hook?
check_hooks()
{
	if [ "$kprobe" -eq 0 ]; then
		ktap_skip "$1" "no kprobe events"
		return
	fi
	_h0=$(hits)
	send1 "$2" "$3"
	_h1=$(hits)
	if [ "$4" = yes ]; then
		check "$1 ($_h0 -> $_h1 hook calls)" test "$_h1" -gt "$_h0"
	else
		check_eq "$1" "$_h0" "$_h1"
	fi
}

# check_listed DESC NS WANT
check_listed()
{
	if [ "$listing" -eq 0 ]; then
		ktap_skip "$1" "the kernel cannot list hooks (no nfnetlink_hook)"
		return
	fi
	if [ "$3" = yes ]; then
		check "$1" test "$(listed "$2")" -gt 0
	else
		check_eq "$1" 0 "$(listed "$2")"
	fi
}

ping1() { ns_run a ping -q -c 1 -W 2 10.0.0.2 >/dev/null 2>&1; }

check_hooks "no hook call without a policy" a 10.0.0.2 no
check_listed "no hook listed without a policy" a no
check "cleartext passes without a policy" ping1

echo "spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//require;" |
	ns_run a "$PFK" -f -
check_fails "the next packet meets a require policy" ping1
check_hooks "the hook runs with a policy" a 10.0.0.2 yes
check_listed "hooks listed with a policy" a yes
# b sends to an address nobody has: only b's own LOCAL_OUT sees it
check_hooks "no hook call in the other namespace" b 10.0.0.3 no
check_listed "none listed in the other namespace" b no
echo "spddelete 10.0.0.1 10.0.0.2 any -P out;" | ns_run a "$PFK" -f -
check "cleartext passes once it is deleted" ping1
check_hooks "no hook call after the last policy" a 10.0.0.2 no
check_listed "none listed after the last policy" a no

# def_policy discard needs the hooks with an empty SPD
ns_run a sysctl -qw net.ipsec.def_policy=0
check_fails "def_policy discard holds at once" ping1
check_hooks "the hook runs for def_policy discard" a 10.0.0.2 yes
ns_run a sysctl -qw net.ipsec.def_policy=1
check "and lifts at once" ping1
check_hooks "no hook call once it is lifted" a 10.0.0.2 no

# Flapping. b counts the datagrams to its port 9 by their tag. Each round
# adds a require policy (no SA) to a, sends a tagged burst (none may
# arrive: the policy is in place before spdadd returns), deletes it and
# sends another (all must arrive: veth loses nothing, nothing else is
# sent to port 9). All the while a sender in a fires at b's port 10, so
# the hooks come and go under traffic; what it gets through depends on
# timing and is only shown.
ns_run b python3 - "$T/rx" "$T/ready" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.bind(("10.0.0.2", 9))
open(sys.argv[2], "w").close()
with open(sys.argv[1], "a", buffering=1) as f:
    while True:
        d = s.recv(64)
        if d == b"stop":
            break
        f.write(d.decode() + "\n")
PY
RX=$!
wait_until 60 test -e "$T/ready"

ns_run a python3 - "$T/bg" "$T/bgstop" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n = err = 0
while not os.path.exists(sys.argv[2]):
    try:
        s.sendto(b"bg", ("10.0.0.2", 10))
        n += 1
    except OSError:
        err += 1
    time.sleep(0.001)
open(sys.argv[1], "w").write("%d sent, %d refused" % (n, err))
PY
BG=$!

# burst NS TAG N: N datagrams tagged TAG to b's port 9
burst() { ns_run a python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    try:
        s.sendto(sys.argv[1].encode(), ("10.0.0.2", 9))
    except OSError:
        pass' "$1" "$2"; }
got() { grep -cx "$1" "$T/rx" 2>/dev/null || true; }
last_in() { test "$(got "c$ROUNDS")" -ge $N; }

N=20
ROUNDS=5
bad_add=0
r=1
while [ $r -le $ROUNDS ]; do
	echo "spdadd 10.0.0.1 10.0.0.2 udp -P out ipsec esp/transport//require;" |
		ns_run a "$PFK" -f - || bad_add=$((bad_add + 1))
	burst "p$r" $N
	echo "spddelete 10.0.0.1 10.0.0.2 udp -P out;" |
		ns_run a "$PFK" -f - || bad_add=$((bad_add + 1))
	burst "c$r" $N
	r=$((r + 1))
done
touch "$T/bgstop"
wait $BG 2>/dev/null
# everything sent in cleartext is in by the time the last burst is
wait_until 60 last_in
ns_run a python3 -c 'import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"stop", ("10.0.0.2", 9))'
wait $RX 2>/dev/null

check_eq "every spdadd and spddelete of the flapping succeeded" 0 "$bad_add"
held=0
passed=0
r=1
while [ $r -le $ROUNDS ]; do
	held=$((held + $(got "p$r")))
	passed=$((passed + $(got "c$r")))
	r=$((r + 1))
done
ktap_info "background sender: $(cat "$T/bg" 2>/dev/null)"
check_eq "no datagram sent under require got out ($ROUNDS rounds)" 0 "$held"
check_eq "every datagram sent between policies arrived" $((ROUNDS * N)) "$passed"
check_hooks "no hook call after the flapping" a 10.0.0.2 no

# An IPComp tunnel SA with no policy: its far end sends what would not
# shrink as plain IP in IP (RFC 3173 2.2), which LOCAL_IN takes as the
# SA's (kmod/input.c), as stock XFRM's xfrm4_tunnel takes it. So the
# hooks are there while the SAD holds an IPComp SA, policy or not.
ns_run b sysctl -qw net.ipsec.ipcomp_enable=1
echo "add 10.0.0.1 10.0.0.2 ipcomp 4353 -m tunnel -C deflate;" |
	ns_run b "$PFK" -f -
check_hooks "the hook runs with an IPComp SA and no policy" b 10.0.0.3 yes
echo "flush ipcomp;" | ns_run b "$PFK" -f -
# they go by a periodic check (5 s) once the SAD holds no IPComp SA
no_call() { _h0=$(hits); send1 b 10.0.0.3; [ "$(hits)" = "$_h0" ]; }
if [ "$kprobe" -eq 1 ]; then
	check "no hook call some time after the IPComp SA is gone" \
		wait_until 30 no_call
fi

if [ "$kprobe" -eq 1 ]; then
	echo 0 >"$TR/events/kprobes/$KP/enable"
	echo "-:$KP" >>"$TR/kprobe_events"
fi
ip netns del a
ip netns del b
rm -rf "$T"
ktap_end
