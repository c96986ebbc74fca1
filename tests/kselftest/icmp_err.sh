#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ICMP errors about AH and IPComp packets we sent (esp.sh has ESP's): a
# router's "fragmentation needed" (RFC 1191) or "packet too big" (RFC 4443
# 3.2) that quotes an AH header (SPI in its second word, RFC 4302 2) or an
# IPComp header (16-bit CPI, RFC 3173 2.2) of one of our SAs lowers the
# path MTU towards the SA's destination, as RFC 4301 8.2 asks and as
# stock XFRM's ah4/ah6/ipcomp/ipcomp6 do; one that quotes an SPI or CPI
# we do not have, or the right SPI under another protocol, changes
# nothing. Not for AH over IPv6: the kernel's ICMPv6 code skips AH as an
# extension header (icmpv6_notify, ipv6_skip_exthdr) and hands the error
# to the protocol after it, so neither stock ah6 nor ipsec.ko sees it.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load
PFK="$TOP/tools/pfkeyctl/pfkeyctl"
TOOBIG="$TOP/tests/kselftest/lib/icmp_toobig.py"
SHAKEY=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

ip netns add a
ip netns add b
link_ns a b 10.0.0.1 10.0.0.2
ip -n a addr add fd00::1/64 dev veth_a nodad
for h in 2 3 4; do
	[ $h = 2 ] || ip -n b addr add 10.0.0.$h/24 dev veth_b
	ip -n b addr add fd00::$h/64 dev veth_b nodad
done

# AH to .2, IPComp to .3; .4 is the router that complains
check "AH and IPComp SAs keyed" ns_run a "$PFK" -f - <<EOT
add 10.0.0.1 10.0.0.2 ah 0x2001 -m transport -A hmac-sha256 $SHAKEY;
add fd00::1 fd00::2 ah 0x2101 -m transport -A hmac-sha256 $SHAKEY;
add 10.0.0.1 10.0.0.3 ipcomp 0x3001 -m transport -C deflate;
add fd00::1 fd00::3 ipcomp 0x3101 -m transport -C deflate;
EOT

mtu_of()
{
	ip -n a "$1" route get "$2" 2>/dev/null |
		sed -n 's/.* mtu \([0-9]*\).*/\1/p'
}
mtu_is() { [ "$(mtu_of "$1" "$2")" = "$3" ]; }
# toobig QSRC QDST SPI MTU PROTO: the router tells a
toobig() { ns_run b "$TOOBIG" "$@"; }
v4() { toobig 10.0.0.4 10.0.0.1 10.0.0.1 "$@"; }
v6() { toobig fd00::4 fd00::1 fd00::1 "$@"; }

# not ours: an unknown SPI or CPI, or our SPI under another protocol
v4 10.0.0.2 0x9999 1300 ah
v4 10.0.0.2 0x2001 1300 esp
v4 10.0.0.3 0x9999 1300 comp
v4 10.0.0.3 0x2001 1300 comp
v6 fd00::2 0x2101 1300 esp
v6 fd00::3 0x9999 1300 comp
sleep 0.5
check_eq "quoting an SPI or CPI that is not ours: no path MTU learnt" \
	"///" "$(mtu_of -4 10.0.0.2)/$(mtu_of -4 10.0.0.3)/$(mtu_of -6 fd00::2)/$(mtu_of -6 fd00::3)"

v4 10.0.0.2 0x2001 1300 ah
check "fragmentation needed for AH SA 0x2001's packet: the path MTU is 1300" \
	wait_until 5 mtu_is -4 10.0.0.2 1300
v4 10.0.0.3 0x3001 1310 comp
check "fragmentation needed for IPComp CPI 0x3001's packet: the path MTU is 1310" \
	wait_until 5 mtu_is -4 10.0.0.3 1310
v6 fd00::3 0x3101 1360 comp
check "packet too big for IPComp CPI 0x3101's packet: the IPv6 path MTU is 1360" \
	wait_until 5 mtu_is -6 fd00::3 1360

ip netns del a
ip netns del b
check "the module unloads" ipsec_unload
ktap_end
