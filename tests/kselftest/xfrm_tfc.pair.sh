#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 900
# TFC padding (RFC 4303 2.7; `ip xfrm state add ... tfcpad N`,
# XFRMA_TFCPAD) as stock Linux XFRM has it: both guests run the same
# script between two namespaces, the peer on stock XFRM (xfrm_user, esp4,
# esp6), main on ipsec.ko, and every line of the two transcripts must be
# the same.
#   state    tfcpad is kept and shown by `ip xfrm state`; refused on AH
#            and IPComp SAs, and in transport mode
#   wire     pings of several sizes through ESP tunnel SAs with tfcpad,
#            IPv4 and IPv6, GCM and CBC/SHA-256: the
#            length of every ESP packet on the wire, and the pings' answers
#            (the receiver drops the padding by the inner length); a
#            tfcpad beyond the path MTU pads up to the MTU, no further
# The expected results are not written here: they are the peer's.
. "$(dirname "$0")/lib/lib.sh"
. "$(dirname "$0")/lib/pair.sh"

GCM=0x0123456789abcdef0123456789abcdef01234567
CBC=0x0123456789abcdef0123456789abcdef
SHA=0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
S=10.9.0.1
R=10.9.0.2
S6=fd00:9::1
R6=fd00:9::2

# sa NS SRC DST SPI MODE ALG TFC: one ESP SA
sa()
{
	case $6 in
	gcm) _alg="aead rfc4106(gcm(aes)) $GCM 128" ;;
	cbc) _alg="enc cbc(aes) $CBC auth-trunc hmac(sha256) $SHA 128" ;;
	esac
	# shellcheck disable=SC2086
	ip -n "$1" xfrm state add src "$2" dst "$3" proto esp spi "$4" \
		mode "$5" $_alg tfcpad "$7"
}

# pol NS DIR SRC DST MODE
pol()
{
	_t=
	[ "$5" = tunnel ] && _t="src $3 dst $4"
	# shellcheck disable=SC2086
	ip -n "$1" xfrm policy add src "$3" dst "$4" dir "$2" \
		tmpl $_t proto esp mode "$5" level required
}

# setup MODE ALG TFC SADDR DADDR: SAs and policies both ways in s and r
setup()
{
	for _n in s r; do
		ip -n $_n xfrm state flush
		ip -n $_n xfrm policy flush
		sa $_n "$4" "$5" 0x1001 "$1" "$2" "$3"
		sa $_n "$5" "$4" 0x1002 "$1" "$2" "$3"
	done
	pol s out "$4" "$5" "$1"
	pol s in "$5" "$4" "$1"
	pol r out "$5" "$4" "$1"
	pol r in "$4" "$5" "$1"
}

# wire NAME DADDR SIZE...: ping DADDR from s once per size; the lengths
# of the ESP packets r's interface saw, and which pings were answered
wire()
{
	_name=$1 _d=$2
	shift 2
	rm -f /tmp/tfc.pcap
	ip netns exec r tcpdump -i veth_r -n --immediate-mode -U -s 64 \
		-w /tmp/tfc.pcap esp 2>/tmp/tfc.err &
	_td=$!
	wait_until 30 grep -q listening /tmp/tfc.err
	_ans=
	for _sz in "$@"; do
		if ip netns exec s ping -c1 -W3 -s "$_sz" "$_d" >/dev/null 2>&1
		then
			_ans="$_ans $_sz:ok"
		else
			_ans="$_ans $_sz:fail"
		fi
	done
	sleep 1
	kill $_td
	wait $_td 2>/dev/null
	echo "$_name, answers:$_ans"
	echo "$_name, ESP lengths: $(tcpdump -r /tmp/tfc.pcap -n 2>/dev/null |
		sed -n 's/.*ESP(spi=\(0x[0-9a-f]*\),.*length \([0-9]*\).*/\1:\2/p' |
		tr '\n' ' ')"
}

state_cases()
{
	setup tunnel gcm 600 $S $R
	echo "state: $(ip -n s xfrm state get src $S dst $R proto esp spi 0x1001 |
		grep -o 'tfcpad [0-9]*')"
	echo "AH with tfcpad: $(res ip -n s xfrm state add src $S dst $R \
		proto ah spi 0x2001 auth 'hmac(sha256)' $SHA tfcpad 100)"
	echo "IPComp with tfcpad: $(res ip -n s xfrm state add src $S dst $R \
		proto comp spi 0x2002 comp deflate tfcpad 100)"
	echo "ESP with tfcpad 0: $(res ip -n s xfrm state add src $S dst $R \
		proto esp spi 0x2003 aead 'rfc4106(gcm(aes))' $GCM 128 tfcpad 0)"
	echo "tfcpad 0 shown: $(ip -n s xfrm state get src $S dst $R proto esp \
		spi 0x2003 | grep -c tfcpad)"
	echo "ESP transport with tfcpad: $(res ip -n s xfrm state add \
		src $S dst $R proto esp spi 0x2004 mode transport \
		aead 'rfc4106(gcm(aes))' $GCM 128 tfcpad 100)"
	echo "ESP transport with tfcpad 0: $(res ip -n s xfrm state add \
		src $S dst $R proto esp spi 0x2005 mode transport \
		aead 'rfc4106(gcm(aes))' $GCM 128 tfcpad 0)"
	echo "ESP transport SAs: $(ip -n s xfrm state | grep -c 'mode transport')"
}

wire_cases()
{
	for _a in gcm cbc; do
		setup tunnel $_a 600 $S $R
		wire "tunnel $_a tfcpad 600 IPv4" $R 0 56 500 560 1000
		setup tunnel $_a 600 $S6 $R6
		wire "tunnel $_a tfcpad 600 IPv6" $R6 0 56 500 1000
	done
	setup tunnel gcm 5000 $S $R
	wire "tunnel gcm tfcpad 5000 IPv4" $R 0 56 1400
	setup tunnel cbc 5000 $S6 $R6
	wire "tunnel cbc tfcpad 5000 IPv6" $R6 0 56 1300
	setup tunnel gcm 0 $S $R
	wire "tunnel gcm tfcpad 0 IPv4" $R 0 56
}

run_cases()
{
	ip netns add s
	ip netns add r
	link_ns s r $S $R
	ip -n s addr add $S6/64 dev veth_s nodad
	ip -n r addr add $R6/64 dev veth_r nodad
	# no neighbour discovery: the policies would cover it, and the two
	# stacks treat it differently (ipsec.ko lets it by)
	neigh_static s r $S6 $R6
	state_cases
	wire_cases
	ip netns del s
	ip netns del r
}

pair_peer_run run_cases

require_module
ktap_begin
ipsec_load
pair_compare run_cases
check "stock XFRM pads: some ESP packet is 600 bytes of payload or more" sh -c \
	"grep -q 'tunnel gcm tfcpad 600 IPv4, ESP lengths: 0x00001001:636' '$PAIR_DIR/stock.out'"
ipsec_unload
ktap_end
