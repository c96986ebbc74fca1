#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The netfilter hooks come and go with what needs them (kmod/hooks.h):
# none in a namespace without policies, as the kernel lists them
# (nft list hooks, nfnetlink_hook); there from the first policy on, so
# that a require policy holds from the very next packet; gone after the
# last; and a policy flapping under traffic never lets a cleartext packet
# past it (tcpdump on the receiving veth).
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load
PFK="$TOP/tools/pfkeyctl/pfkeyctl"
T=$(mktemp -d)

# the kernel's hook listing (nfnetlink_hook) is a module of its own
modprobe -q nfnetlink_hook 2>/dev/null || true
ip netns add a
ip netns add b
link_ns a b 10.0.0.1 10.0.0.2

# our hooks as the kernel lists them in NS (0 when it cannot list them)
hooks() { ns_run "$1" nft list hooks 2>/dev/null | grep -c 'ipsec_hook' ; }
ping1() { ns_run a ping -q -c 1 -W 1 10.0.0.2 >/dev/null 2>&1; }

if ns_run a nft list hooks >/dev/null 2>&1; then
	check_eq "no hook without a policy" 0 "$(hooks a)"
else
	ktap_skip "no hook without a policy" "nft list hooks unsupported"
fi
check "cleartext passes without a policy" ping1

echo "spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//require;" |
	ns_run a "$PFK" -f -
check_fails "the next packet meets a require policy" ping1
if ns_run a nft list hooks >/dev/null 2>&1; then
	check "hooks listed with a policy" test "$(hooks a)" -gt 0 ||
		ns_run a nft list hooks 2>&1 | head -n 20 | sed 's/^/# /'
	check_eq "none in the other namespace" 0 "$(hooks b)"
fi
echo "spddelete 10.0.0.1 10.0.0.2 any -P out;" | ns_run a "$PFK" -f -
check "cleartext passes once it is deleted" ping1
if ns_run a nft list hooks >/dev/null 2>&1; then
	check_eq "hooks gone after the last policy" 0 "$(hooks a)"
fi

# def_policy discard needs the hooks with an empty SPD
ns_run a sysctl -qw net.ipsec.def_policy=0
check_fails "def_policy discard holds at once" ping1
ns_run a sysctl -qw net.ipsec.def_policy=1
check "and lifts at once" ping1

# flapping: b requires ESP inbound from a; a sends UDP all along; every
# packet b's stack accepted while the policy was in place was counted by
# a marker. Simpler and stricter: b's policy stays, a's output flaps
# between none and require with no SA: any UDP on the wire must have left
# while a had no policy, so a's drops + wire packets = packets sent.
ns_run b tcpdump --immediate-mode -U -ni veth_b -w "$T/wire.pcap" \
	'udp port 9' >/dev/null 2>&1 &
TD=$!
wait_until 10 test -s "$T/wire.pcap"
sleep 1
ns_run a python3 - "$T/sent" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n = 0
end = time.time() + 4
while time.time() < end:
    try:
        s.sendto(b"x", ("10.0.0.2", 9))
        n += 1
    except OSError:
        pass
open(sys.argv[1], "w").write(str(n))
PY
SENDER=$!
flaps=0
while kill -0 $SENDER 2>/dev/null; do
	echo "spdadd 10.0.0.1 10.0.0.2 udp -P out ipsec esp/transport//require;" |
		ns_run a "$PFK" -f -
	# while the policy is there, no UDP may reach the wire
	c1=$(ns_run b ip -s link show veth_b | awk 'f { print $2; exit } /RX:/ { f = 1 }')
	sleep 0.05
	c2=$(ns_run b ip -s link show veth_b | awk 'f { print $2; exit } /RX:/ { f = 1 }')
	[ "$c1" = "$c2" ] || echo "$c1 $c2" >>"$T/leak"
	echo "spddelete 10.0.0.1 10.0.0.2 udp -P out;" | ns_run a "$PFK" -f -
	flaps=$((flaps + 1))
	sleep 0.02
done
sleep 0.5
kill $TD 2>/dev/null
wait $TD 2>/dev/null
ktap_info "flaps: $flaps, sent: $(cat "$T/sent"), on the wire: $(tcpdump -nr "$T/wire.pcap" 2>/dev/null | wc -l)"
check "traffic flowed between flaps" test "$(tcpdump -nr "$T/wire.pcap" 2>/dev/null | wc -l)" -gt 0
check "no packet reached the wire while require was in place" test ! -e "$T/leak"

ip netns del a
ip netns del b
rm -rf "$T"
ktap_end
