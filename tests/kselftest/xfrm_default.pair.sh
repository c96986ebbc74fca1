#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 900
# XFRM's default policies (XFRM_MSG_SETDEFAULT/GETDEFAULT: `ip xfrm policy
# setdefault`, `getdefault`) as stock Linux XFRM has them: both guests run
# the same script between two namespaces, the peer on stock XFRM
# (xfrm_user, esp4), main on ipsec.ko, and every line of the two
# transcripts must be the same.
#   netlink  getdefault before and after setdefault, per direction and
#            per namespace; setdefault needs CAP_NET_ADMIN
#   out      with out block, a datagram no policy matches is refused at
#            sendto (its errno shown) and loopback traffic still flows;
#            an allow policy lets the flow go
#   in       with in block on r, cleartext no policy matches is dropped,
#            ping too, unless the interface it came in by has
#            disable_policy set (IPv4 and IPv6); decrypted ESP that no
#            policy matches is dropped, but not by way of such an
#            interface; an allow or ipsec policy lets it in
#   fwd      g forwards from a to b: fwd block drops what no fwd policy
#            matches, except from an interface with disable_policy; out
#            block too (as XFRM's route check of forwarded packets), in
#            block does not
# The expected results are not written here: they are the peer's.
. "$(dirname "$0")/lib/lib.sh"
. "$(dirname "$0")/lib/pair.sh"

KEY=0x0123456789abcdef0123456789abcdef01234567
PORT=7000
S=10.9.0.1
R=10.9.0.2
S6S=fd00:9::1
S6R=fd00:9::2

# getdef NS: `ip xfrm policy getdefault` on one line
getdef()
{
	ip -n "$1" xfrm policy getdefault 2>&1 | tr -s '\t\n ' '   '
}

# deliver NAME: send a datagram from s to r and say whether r got it,
# with the errno sendto gave
N=0
deliver()
{
	N=$((N + 1))
	_e=$(ip netns exec s python3 -c '
import errno, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
    print("sent")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))' $R $PORT "case $N" 2>&1)
	sleep 1
	if grep -qx "case $N" /tmp/rx.log; then
		echo "$1: $_e, delivered"
	else
		echo "$1: $_e, not delivered"
	fi
}

# esp NS: NS's ESP SA s->r, transport mode
esp()
{
	ip -n "$1" xfrm state add src $S dst $R proto esp spi 0x100 \
		mode transport aead 'rfc4106(gcm(aes))' $KEY 128
}

# pol NS DIR ARGS...: a policy for UDP from s to r's PORT
pol()
{
	_ns=$1 _dir=$2
	shift 2
	ip -n "$_ns" xfrm policy add src $S dst $R proto udp dport $PORT \
		dir "$_dir" "$@"
}

flush()
{
	for _n in s r; do
		ip -n $_n xfrm state flush
		ip -n $_n xfrm policy flush
		ip -n $_n xfrm policy setdefault in accept fwd accept \
			out accept
	done
}

netlink_cases()
{
	echo "getdefault at start: $(getdef s)"
	echo "setdefault out block: $(res ip -n s xfrm policy setdefault out block)"
	echo "getdefault after out block: $(getdef s)"
	echo "setdefault in block fwd block: $(res ip -n s xfrm policy setdefault in block fwd block)"
	echo "getdefault after in block fwd block: $(getdef s)"
	echo "getdefault in the other namespace: $(getdef r)"
	echo "setdefault fwd accept: $(res ip -n s xfrm policy setdefault fwd accept)"
	echo "getdefault after fwd accept: $(getdef s)"
	echo "setdefault without CAP_NET_ADMIN: $(res ip netns exec s \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all ip xfrm policy setdefault in accept)"
	echo "getdefault without CAP_NET_ADMIN: $(res ip netns exec s \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all ip xfrm policy getdefault)"
	echo "getdefault after that: $(getdef s)"
	flush
	echo "getdefault after reset: $(getdef s)"
}

traffic_cases()
{
	flush
	ip -n s xfrm policy setdefault out block
	deliver "out block, no policy"
	echo "out block, ping own address: $(res ip netns exec s ping -c1 -W3 $S)"
	echo "out block, ping 127.0.0.1: $(res ip netns exec s ping -c1 -W3 127.0.0.1)"
	echo "out block, ping r: $(res ip netns exec s ping -c1 -W3 $R)"
	pol s out action allow
	deliver "out block, allow policy"
	ip -n s xfrm policy delete src $S dst $R proto udp dport $PORT dir out
	pol s out action block
	deliver "out block, block policy"

	flush
	ip -n r xfrm policy setdefault in block
	deliver "in block on r, no policy"
	echo "in block on r, s pings r: $(res ip netns exec s ping -c1 -W3 $R)"
	echo "in block on r, r pings itself: $(res ip netns exec r ping -c1 -W3 $R)"
	ip netns exec r sysctl -qw net.ipv4.conf.veth_r.disable_policy=1
	deliver "in block on r, disable_policy on r's interface"
	echo "in block on r, disable_policy, s pings r: $(res ip netns exec s ping -c1 -W3 $R)"
	ip netns exec r sysctl -qw net.ipv4.conf.veth_r.disable_policy=0
	ip netns exec r sysctl -qw net.ipv4.conf.all.disable_policy=1
	deliver "in block on r, disable_policy on all"
	ip netns exec r sysctl -qw net.ipv4.conf.all.disable_policy=0
	deliver "in block on r, disable_policy off again"
	echo "in block on r, s pings r over IPv6: $(res ip netns exec s ping -c1 -W3 $S6R)"
	ip netns exec r sysctl -qw net.ipv6.conf.veth_r.disable_policy=1
	echo "in block on r, IPv6 disable_policy, s pings r over IPv6: $(res ip netns exec s ping -c1 -W3 $S6R)"
	ip netns exec r sysctl -qw net.ipv6.conf.veth_r.disable_policy=0
	pol r in action allow
	deliver "in block on r, allow policy"
	ip -n r xfrm policy flush
	esp s
	esp r
	pol s out tmpl proto esp mode transport
	deliver "in block on r, ESP arrives, no in policy"
	ip netns exec r sysctl -qw net.ipv4.conf.veth_r.disable_policy=1
	deliver "in block on r, ESP arrives, no in policy, disable_policy"
	ip netns exec r sysctl -qw net.ipv4.conf.veth_r.disable_policy=0
	pol r in tmpl proto esp mode transport
	deliver "in block on r, ESP arrives, in policy for it"

	flush
	ip -n s xfrm policy setdefault out block
	esp s
	esp r
	pol s out tmpl proto esp mode transport
	deliver "out block on s, ipsec policy"
	flush
}

# fsend NAME: a datagram from a to b through g, delivered or not
fsend()
{
	N=$((N + 1))
	ip netns exec a python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
except OSError:
    pass' 10.11.0.1 $PORT "case $N" 2>/dev/null
	sleep 1
	if grep -qx "case $N" /tmp/fx.log; then
		echo "$1: delivered"
	else
		echo "$1: not delivered"
	fi
}

# a (10.10.0.1) - g - b (10.11.0.1): g forwards, its defaults decide
fwd_cases()
{
	for _n in a g b; do
		ip netns add $_n
		ip -n $_n link set lo up
	done
	ip link add va netns a type veth peer name ga netns g
	ip link add vb netns b type veth peer name gb netns g
	ip -n a addr add 10.10.0.1/24 dev va
	ip -n g addr add 10.10.0.2/24 dev ga
	ip -n g addr add 10.11.0.2/24 dev gb
	ip -n b addr add 10.11.0.1/24 dev vb
	for _l in "a va" "g ga" "g gb" "b vb"; do
		set -- $_l
		ip -n "$1" link set "$2" up
	done
	ip -n a route add default via 10.10.0.2
	ip -n b route add default via 10.11.0.2
	ip netns exec g sysctl -qw net.ipv4.ip_forward=1
	rm -f /tmp/fx.ready
	ip netns exec b python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
open(sys.argv[2], "w").close()
while True:
    print(s.recv(100).decode(), flush=True)' $PORT /tmp/fx.ready >/tmp/fx.log 2>&1 &
	_fx=$!
	wait_until 30 test -e /tmp/fx.ready
	fsend "g forwards, nothing set"
	ip -n g xfrm policy setdefault fwd block
	fsend "fwd block on g, no policy"
	ip netns exec g sysctl -qw net.ipv4.conf.ga.disable_policy=1
	fsend "fwd block on g, disable_policy on the way in"
	ip netns exec g sysctl -qw net.ipv4.conf.ga.disable_policy=0
	ip -n g xfrm policy add src 10.10.0.1 dst 10.11.0.1 dir fwd action allow
	fsend "fwd block on g, fwd allow policy"
	ip -n g xfrm policy setdefault fwd accept out block
	fsend "fwd accept, out block on g, fwd allow policy"
	ip -n g xfrm policy add src 10.10.0.1 dst 10.11.0.1 dir out action allow
	fsend "fwd accept, out block on g, fwd and out allow policies"
	ip -n g xfrm policy flush
	fsend "fwd accept, out block on g, no policy"
	ip -n g xfrm policy setdefault in block out accept
	fsend "in block on g, no policy"
	kill $_fx
	for _n in a g b; do
		ip netns del $_n
	done
}

run_cases()
{
	ip netns add s
	ip netns add r
	link_ns s r $S $R
	ip -n s addr add $S6S/64 dev veth_s nodad
	ip -n r addr add $S6R/64 dev veth_r nodad
	# XFRM's in block drops neighbour discovery too: static neighbours
	neigh_static s r $S6S $S6R
	pair_udp_log r $PORT
	netlink_cases
	traffic_cases
	fwd_cases
	kill $rx
	ip netns del s
	ip netns del r
}

pair_peer_run run_cases

require_module
ktap_begin
ipsec_load
pair_compare run_cases
check "stock XFRM delivers some and drops some" sh -c \
	"grep -q ', delivered' '$PAIR_DIR/stock.out' && grep -q 'not delivered' '$PAIR_DIR/stock.out'"
ipsec_unload
ktap_end
