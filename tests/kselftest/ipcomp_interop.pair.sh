#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 1200
# IPComp (RFC 3173, DEFLATE per RFC 2394) on the wire between ipsec.ko
# (main guest, keyed with pfkeyctl) and stock Linux XFRM (peer guest,
# ipcomp/ipcomp6/xfrm4_tunnel/xfrm6_tunnel keyed with ip xfrm), both ways,
# IPv4 and IPv6, transport and tunnel mode, policies at level use on both
# sides (IPComp may be left out of any packet, RFC 3173 2.2). Each case:
# 1000-byte pings with a pattern both ways (compressed: IPComp with the
# case's CPIs on main's eth0 both ways, our counters and the peer's SAs'
# move), pings too short to compress both ways (below the 90-byte
# threshold of RFC 2394 3: sent without IPComp, counted in
# below_min_length here; in tunnel mode XFRM sends those as plain IP in
# IP, which we must accept), a compressible file over TCP both ways
# (SHA-256 compared; IPv4 transport and its bundle with ESP only, to
# keep the run short), and an incompressible UDP datagram (sent as it is,
# counted). Then ESP in front of IPComp (a bundle), forged IPComp packets
# (bad data, truncated, a decompression bomb, an unknown CPI: dropped and
# counted by cause) and net.ipsec.ipcomp_enable=0 (IPComp dropped both
# ways, counted in policy_drops).
#
# Addresses: eth0 192.0.2.1 / 2001:db8::1 (peer), 192.0.2.2 / 2001:db8::2
# (main); behind them, on dummy0, 10.1.0.1/24 fd00:1::1/64 (peer) and
# 10.2.0.1/24 fd00:2::1/64 (main).
. "$(dirname "$0")/lib/lib.sh"
. "$(dirname "$0")/lib/pair.sh"

pair_peer_loop

PFKEYCTL=$TOP/tools/pfkeyctl/pfkeyctl
SEND=$TOP/tests/kselftest/lib/send_raw.py
SIZE=${INTEROP_SIZE:-65536}
DATA=$PAIR_DIR/data
XFER=$PAIR_DIR/xfer.py
echo 0 >/tmp/peer.seq
pair_xfer_script "$XFER"

# the counters of /proc/net/ipsec/ipcomp that must not move in a case
comp_errors()
{
	for c in header_drops no_sa bad_sa_transform no_memory invalid_sa \
		too_big policy_drops compression_failures output_failures; do
		echo "$c $(ipsec_counter ipcomp $c)"
	done
}

# comp_filter CPI: pcap filter for IPComp with this CPI after a plain IPv4
# or IPv6 header
comp_filter()
{
	echo "(ip and ip[9] = 108 and ip[22:2] = $1) or (ip6 and ip6[6] = 108 and ip6[42:2] = $1)"
}

# wire_check M P CPI_MP CPI_PM NH...: at least 4 IPComp packets each way
# with the case's CPIs, every one with a next header of NH
wire_check()
{
	_m=$1 _p=$2 _cmp=$3 _cpm=$4
	shift 4
	_nh4= _nh6=
	for _h in "$@"; do
		_nh4="$_nh4${_nh4:+ or }ip[20] = $_h"
		_nh6="$_nh6${_nh6:+ or }ip6[40] = $_h"
	done
	_n_mp=$(pcount "src $_m and dst $_p and ($(comp_filter "$_cmp"))")
	_n_pm=$(pcount "src $_p and dst $_m and ($(comp_filter "$_cpm"))")
	_good=$(pcount "(($(comp_filter "$_cmp")) or ($(comp_filter "$_cpm"))) and ((ip and ($_nh4)) or (ip6 and ($_nh6)))")
	echo "IPComp main->peer: $_n_mp, peer->main: $_n_pm, $_good of them with next header $*"
	[ "${_n_mp:-0}" -ge 4 ] && [ "${_n_pm:-0}" -ge 4 ] &&
		[ "$_good" -eq $((_n_mp + _n_pm)) ]
}

# counter_ge NAME MIN: /proc/net/ipsec/ipcomp's NAME is at least MIN
counter_ge()
{
	[ "$(ipsec_counter ipcomp "$1")" -ge "$2" ]
}

CASE=0
PORT=5000

# case_addrs MODE OUTER INNER: sets m_out p_out m_in p_in m_sel p_sel
# tmpl_mp tmpl_pm sel_mp sel_pm xt_mp xt_pm
case_addrs()
{
	if [ "$2" = 4 ]; then
		m_out=192.0.2.2 p_out=192.0.2.1
	else
		m_out=2001:db8::2 p_out=2001:db8::1
	fi
	sel_mp= sel_pm= tmpl_mp= tmpl_pm= xt_mp= xt_pm=
	if [ "$1" = transport ]; then
		m_in=$m_out p_in=$p_out m_sel=$m_out p_sel=$p_out
		return
	fi
	if [ "$3" = 4 ]; then
		m_in=10.2.0.1 p_in=10.1.0.1
		m_sel=10.2.0.0/24 p_sel=10.1.0.0/24
	else
		m_in=fd00:2::1 p_in=fd00:1::1
		m_sel=fd00:2::/64 p_sel=fd00:1::/64
	fi
	tmpl_mp=$m_out-$p_out tmpl_pm=$p_out-$m_out
	xt_mp="src $m_out dst $p_out" xt_pm="src $p_out dst $m_out"
	[ "$3" != "$2" ] &&
		sel_mp="sel src $m_sel dst $p_sel" sel_pm="sel src $p_sel dst $m_sel"
	return 0
}

# key_case MODE OUTER INNER: both sides' IPComp SAs and policies
key_case()
{
	CASE=$((CASE + 1))
	cpi_mp=$((0x1000 * CASE + 0x101))
	cpi_pm=$((0x1000 * CASE + 0x202))
	case_addrs "$1" "$2" "$3"
	# XFRM takes no optional tunnel template outbound; its IPComp tunnel
	# sends short packets as IP in IP all the same
	out_level="level use"
	[ "$1" = tunnel ] && out_level=
	rq=${reqid:+reqid $reqid}
	cat >/tmp/case.conf <<EOF
add $m_out $p_out ipcomp $cpi_mp -m $1 -C deflate;
add $p_out $m_out ipcomp $cpi_pm -m $1 -C deflate;
spdadd $m_sel $p_sel any -P out ipsec ipcomp/$1/$tmpl_mp/use;
spdadd $p_sel $m_sel any -P in ipsec ipcomp/$1/$tmpl_pm/use;
EOF
	# with a reqid (as strongSwan and libreswan key IPComp), main is
	# keyed as the peer is, through ip xfrm
	if [ -n "$reqid" ]; then
		check "$name: SAs and policies through ip xfrm" sh -c "
		ip xfrm state add src $m_out dst $p_out proto comp spi $cpi_mp \
			mode $1 $rq comp deflate $sel_mp &&
		ip xfrm state add src $p_out dst $m_out proto comp spi $cpi_pm \
			mode $1 $rq comp deflate $sel_pm &&
		ip xfrm policy add src $m_sel dst $p_sel dir out \
			tmpl $xt_mp proto comp mode $1 $rq $out_level &&
		ip xfrm policy add src $p_sel dst $m_sel dir in \
			tmpl $xt_pm proto comp mode $1 $rq level use"
	else
		check "$name: SAs and policies through PF_KEY" \
			"$PFKEYCTL" -f /tmp/case.conf
	fi
	check "$name: the peer's SAs and policies through ip xfrm" peer "
		ip xfrm state add src $m_out dst $p_out proto comp spi $cpi_mp \
			mode $1 $rq comp deflate $sel_mp &&
		ip xfrm state add src $p_out dst $m_out proto comp spi $cpi_pm \
			mode $1 $rq comp deflate $sel_pm &&
		ip xfrm policy add src $p_sel dst $m_sel dir out \
			tmpl $xt_pm proto comp mode $1 $rq $out_level &&
		ip xfrm policy add src $m_sel dst $p_sel dir in \
			tmpl $xt_mp proto comp mode $1 $rq level use"
}

unkey_case()
{
	"$PFKEYCTL" -F
	"$PFKEYCTL" -F -P
	ip route flush cache
	ip -6 route flush cache
	peer "ip xfrm state flush; ip xfrm policy flush;
		ip route flush cache; ip -6 route flush cache" >/dev/null
}

# peer_sa_packets SRC DST CPI: packets the peer's SA took
peer_sa_packets()
{
	set -- $(xfrm_sa "$(peer ip -s xfrm state get src "$1" dst "$2" \
		proto comp spi "$3")")
	echo "$1"
}

# run_case MODE OUTER [INNER [REQID]]
run_case()
{
	mode=$1 outer=$2 inner=${3:-$2} reqid=${4:-}
	name="$mode IPv$outer"
	[ "$inner" != "$outer" ] && name="$mode IPv$inner-in-IPv$outer"
	[ -n "$reqid" ] && name="$name, reqid $reqid"
	t0=$(date +%s)
	key_case "$mode" "$outer" "$inner"
	ktap_info "case $CASE: $name, CPIs $(printf '0x%x 0x%x' $cpi_mp $cpi_pm)"
	if [ "$mode" = tunnel ]; then
		[ "$inner" = 4 ] && nh=4 || nh=41
	elif [ "$outer" = 4 ]; then
		nh="1 6"
	else
		nh="58 6"
	fi
	echo "$name|$m_out|$p_out|$cpi_mp|$cpi_pm|$nh" >>/tmp/cases

	out0=$(ipsec_counter ipcomp output_packets)
	in0=$(ipsec_counter ipcomp input_packets)
	errs0=$(comp_errors)
	check "$name: main pings the peer with 1000 patterned bytes" \
		ping -c 2 -i 0.3 -w 15 -s 1000 -p 5a5b5c -I "$m_in" "$p_in"
	check "$name: the peer pings main with 1000 patterned bytes" \
		peer ping -c 2 -i 0.3 -w 15 -s 1000 -p 5a5b5c -I "$p_in" "$m_in"
	check "$name: IPComp output_packets and input_packets went up by at least 4" \
		ge output_packets $(($(ipsec_counter ipcomp output_packets) - out0)) 4 \
		input_packets $(($(ipsec_counter ipcomp input_packets) - in0)) 4
	check "$name: the peer's inbound SA decompressed at least 4" \
		ge packets "$(peer_sa_packets "$m_out" "$p_out" $cpi_mp)" 4

	min0=$(ipsec_counter ipcomp below_min_length)
	check "$name: main pings the peer with 16 bytes (not compressed)" \
		ping -c 2 -i 0.3 -w 15 -s 16 -I "$m_in" "$p_in"
	check "$name: the peer pings main with 16 bytes (not compressed)" \
		peer ping -c 2 -i 0.3 -w 15 -s 16 -I "$p_in" "$m_in"
	check "$name: below_min_length counted the 4 short packets we sent" \
		ge below_min_length \
		$(($(ipsec_counter ipcomp below_min_length) - min0)) 4

	# TCP (slow under TCG) in some cases only
	case " ${COMP_XFER:-transport:4} " in
	*" $mode:$outer "*) pair_xfer_both "$name" ;;
	esac

	min0=$(ipsec_counter ipcomp below_min_length)
	PORT=$((PORT + 1))
	python3 -c "
import os, socket
fam = socket.AF_INET6 if ':' in '$p_in' else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind(('$m_in', 0))
s.sendto(os.urandom(1000), ('$p_in', $PORT))"
	check "$name: 1000 random bytes over UDP: not compressible, counted" \
		ge below_min_length \
		$(($(ipsec_counter ipcomp below_min_length) - min0)) 1
	if [ "$mode" = transport ]; then
		f="udp and dst port $PORT and dst host $p_in"
	else	# in plain IP in IP
		f="src $m_out and dst $p_out and greater 1000 and ((ip and (ip[9] = 4 or ip[9] = 41)) or (ip6 and (ip6[6] = 4 or ip6[6] = 41)))"
	fi
	echo "$name|$f" >>/tmp/plain_udp
	check_eq "$name: no IPComp errors counted here" "$errs0" "$(comp_errors)"
	unkey_case
	ktap_info "case $CASE took $(($(date +%s) - t0)) s"
}

# bundle_case MODE: IPComp inside ESP, IPv4 (KAME's
# "ipcomp/MODE/...//use esp/transport//require", XFRM's templates comp
# then esp); in tunnel mode ESP protects the IPComp (or, for short
# packets, plain IP in IP) packet between the gateways. MODE:REQID keys
# both sides with ip xfrm and that reqid on all four SAs, as strongSwan
# keys a CHILD_SA with IPComp
bundle_case()
{
	CASE=$((CASE + 1))
	reqid=
	case $1 in *:*) reqid=${1#*:} ;; esac
	set -- "${1%%:*}"
	rq=${reqid:+reqid $reqid}
	case_addrs "$1" 4 4
	name="IPComp($1)+ESP(transport) IPv4"
	[ -n "$reqid" ] && name="$name, reqid $reqid"
	out_level="level use"
	[ "$1" = tunnel ] && out_level=
	cpi_mp=$((0x1000 * CASE + 0x101)) cpi_pm=$((0x1000 * CASE + 0x202))
	s_mp=$((0x1000 * CASE + 0x303)) s_pm=$((0x1000 * CASE + 0x404))
	k_mp=$(hexkey 20 "ce $CASE mp") k_pm=$(hexkey 20 "ce $CASE pm")
	ktap_info "case $CASE: $name, CPIs $(printf '0x%x 0x%x' $cpi_mp $cpi_pm), ESP SPIs $(printf '0x%x 0x%x' $s_mp $s_pm)"
	cat >/tmp/case.conf <<EOF
add $m_out $p_out ipcomp $cpi_mp -m $1 -C deflate;
add $p_out $m_out ipcomp $cpi_pm -m $1 -C deflate;
add $m_out $p_out esp $s_mp -m transport -r 64 -E aes-gcm-16 0x$k_mp;
add $p_out $m_out esp $s_pm -m transport -r 64 -E aes-gcm-16 0x$k_pm;
spdadd $m_sel $p_sel any -P out ipsec ipcomp/$1/$tmpl_mp/use esp/transport//require;
spdadd $p_sel $m_sel any -P in ipsec ipcomp/$1/$tmpl_pm/use esp/transport//require;
EOF
	states="
		ip xfrm state add src $m_out dst $p_out proto comp spi $cpi_mp \
			mode $1 $rq comp deflate &&
		ip xfrm state add src $p_out dst $m_out proto comp spi $cpi_pm \
			mode $1 $rq comp deflate &&
		ip xfrm state add src $m_out dst $p_out proto esp spi $s_mp \
			mode transport $rq replay-window 64 \
			aead 'rfc4106(gcm(aes))' 0x$k_mp 128 &&
		ip xfrm state add src $p_out dst $m_out proto esp spi $s_pm \
			mode transport $rq replay-window 64 \
			aead 'rfc4106(gcm(aes))' 0x$k_pm 128"
	if [ -n "$reqid" ]; then
		check "$name: SAs and policies through ip xfrm" sh -c "$states &&
		ip xfrm policy add src $m_sel dst $p_sel dir out \
			tmpl $xt_mp proto comp mode $1 $rq $out_level \
			tmpl proto esp mode transport $rq &&
		ip xfrm policy add src $p_sel dst $m_sel dir in \
			tmpl $xt_pm proto comp mode $1 $rq level use \
			tmpl proto esp mode transport $rq"
	else
		check "$name: SAs and policy through PF_KEY" \
			"$PFKEYCTL" -f /tmp/case.conf
	fi
	check "$name: the peer's SAs and policies through ip xfrm" peer "$states &&
		ip xfrm policy add src $p_sel dst $m_sel dir out \
			tmpl $xt_pm proto comp mode $1 $rq $out_level \
			tmpl proto esp mode transport $rq &&
		ip xfrm policy add src $m_sel dst $p_sel dir in \
			tmpl $xt_mp proto comp mode $1 $rq level use \
			tmpl proto esp mode transport $rq"
	out0=$(ipsec_counter ipcomp output_packets)
	in0=$(ipsec_counter ipcomp input_packets)
	ein0=$(ipsec_counter esp input_packets)
	errs0=$(comp_errors)
	check "$name: main pings the peer with 1000 patterned bytes" \
		ping -c 2 -i 0.3 -w 15 -s 1000 -p 5a5b5c -I "$m_in" "$p_in"
	check "$name: the peer pings main with 1000 patterned bytes" \
		peer ping -c 2 -i 0.3 -w 15 -s 1000 -p 5a5b5c -I "$p_in" "$m_in"
	check "$name: main pings the peer with 16 bytes" \
		ping -c 2 -i 0.3 -w 15 -s 16 -I "$m_in" "$p_in"
	check "$name: the peer pings main with 16 bytes" \
		peer ping -c 2 -i 0.3 -w 15 -s 16 -I "$p_in" "$m_in"
	[ "$1" = transport ] && pair_xfer_both "$name"
	check "$name: IPComp and ESP both counted here" \
		ge ipcomp_out $(($(ipsec_counter ipcomp output_packets) - out0)) 4 \
		ipcomp_in $(($(ipsec_counter ipcomp input_packets) - in0)) 4 \
		esp_in $(($(ipsec_counter esp input_packets) - ein0)) 8
	check "$name: the peer's IPComp SA decompressed at least 4" \
		ge packets "$(peer_sa_packets "$m_out" "$p_out" $cpi_mp)" 4
	check_eq "$name: no IPComp errors counted here" "$errs0" "$(comp_errors)"
	echo "$s_mp $s_pm" >>/tmp/bundle_spis
	unkey_case
}

# forged_cases: raw IPComp from the peer to an SA of ours (transport
# IPv4), made by python's zlib (raw DEFLATE, RFC 2394 2.1)
forged_cases()
{
	name="forged IPComp"
	reqid=
	key_case transport 4 4
	# the peer must not protect its own raw packets
	peer "ip xfrm policy flush" >/dev/null
	cpi=$(printf '%04x' $cpi_pm)
	gen="import sys, zlib
def deflate(b):
    c = zlib.compressobj(9, zlib.DEFLATED, -11)
    return c.compress(b) + c.flush()
what = sys.argv[1]
if what == 'good':
    # an ICMP echo request, id 0x4242 seq 1, 400 bytes of 'a'
    import struct
    body = b'a' * 400
    h = struct.pack('!BBHHH', 8, 0, 0, 0x4242, 1) + body
    s = sum(struct.unpack('!%dH' % (len(h) // 2), h))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    h = h[:2] + struct.pack('!H', ~s & 0xffff) + h[4:]
    print('0100$cpi' + deflate(h).hex())
elif what == 'bomb':
    print('0100$cpi' + deflate(b'\0' * 200000).hex())
"
	GOOD=$(python3 -c "$gen" good) BOMB=$(python3 -c "$gen" bomb)
	i0=$(ipsec_counter ipcomp input_packets)
	peer python3 "$SEND" 192.0.2.2 108 "$GOOD" 2 >/dev/null
	check "$name: a valid compressed echo request is decompressed" \
		wait_until 10 counter_ge input_packets $((i0 + 2))
	for f in "bad data|0100${cpi}ffffffffffffffffffffffffffffffff|compression_failures" \
		"no payload|0100${cpi}|header_drops" \
		"IPComp in IPComp|6c00${cpi}00000000000000000000000000000000|header_drops" \
		"a decompression bomb (200000 bytes)|$BOMB|compression_failures" \
		"an unknown CPI|0100fffe00000000|no_sa"; do
		w=${f%%|*} rest=${f#*|}
		hex=${rest%%|*} cnt=${rest#*|}
		c0=$(ipsec_counter ipcomp "$cnt")
		peer python3 "$SEND" 192.0.2.2 108 "$hex" 3 >/dev/null
		check "$name: $w: dropped, counted in $cnt" \
			wait_until 10 counter_ge "$cnt" $((c0 + 3))
	done
	unkey_case
}

# disabled_case: net.ipsec.ipcomp_enable=0
disabled_case()
{
	name="ipcomp_enable=0"
	reqid=
	key_case transport 4 4
	sysctl -qw net.ipsec.ipcomp_enable=0
	p0=$(ipsec_counter ipcomp policy_drops)
	check_fails "$name: main's compressible pings are dropped" \
		ping -c 2 -i 0.3 -w 3 -s 1000 -p 5a "$p_in"
	check_fails "$name: the peer's compressed pings are dropped" \
		peer ping -c 2 -i 0.3 -w 3 -s 1000 -p 5a "$m_in"
	check "$name: both counted in policy_drops" \
		ge policy_drops $(($(ipsec_counter ipcomp policy_drops) - p0)) 4
	sysctl -qw net.ipsec.ipcomp_enable=1
	check "$name: back to 1, they pass again" \
		ping -c 2 -i 0.3 -w 10 -s 1000 -p 5a "$p_in"
	unkey_case
}

require_module
ktap_begin
ipsec_load
sysctl -qw net.ipsec.ipcomp_enable=1
modprobe dummy
ip addr add 192.0.2.2/24 dev eth0
ip -6 addr add 2001:db8::2/64 dev eth0 nodad
ip -6 neigh replace 2001:db8::1 lladdr 52:54:00:12:34:01 dev eth0 nud permanent
ip link add dummy0 type dummy
ip link set dummy0 up
ip addr add 10.2.0.1/24 dev dummy0
ip -6 addr add fd00:2::1/64 dev dummy0 nodad
ip route add 10.1.0.0/24 via 192.0.2.1
ip -6 route add fd00:1::/64 via 2001:db8::1
# compressible, not trivially: numbered lines of text
seq 1 100000 | sed 's/$/ IPComp test line/' | head -c "$SIZE" >"$DATA"
SUM=$(sha256sum <"$DATA" | cut -d' ' -f1)

check "the peer comes up" wait_until 120 test -e "$PAIR_DIR/peer-up"
check "the peer loads ipcomp, ipcomp6, xfrm4/6_tunnel, esp4, xfrm_user, sets up its addresses" peer "
	modprobe -a ipcomp ipcomp6 xfrm4_tunnel xfrm6_tunnel esp4 esp6 xfrm_user dummy &&
	ip addr add 192.0.2.1/24 dev eth0 &&
	ip -6 addr add 2001:db8::1/64 dev eth0 nodad &&
	ip -6 neigh replace 2001:db8::2 lladdr 52:54:00:12:34:02 dev eth0 nud permanent &&
	ip link add dummy0 type dummy && ip link set dummy0 up &&
	ip addr add 10.1.0.1/24 dev dummy0 &&
	ip -6 addr add fd00:1::1/64 dev dummy0 nodad &&
	ip route add 10.2.0.0/24 via 192.0.2.2 &&
	ip -6 route add fd00:2::/64 via 2001:db8::2"
check "the guests reach each other in the clear" \
	ping -c 2 -i 0.3 -w 15 192.0.2.1

rm -f /tmp/cases /tmp/plain_udp /tmp/bundle_spis
tcpdump -i eth0 -n --immediate-mode -U -s 128 -B 8192 -w /tmp/cap.pcap 2>/tmp/tcpdump.err &
tdpid=$!
check "tcpdump captures main's eth0" \
	wait_until 60 grep -q listening /tmp/tcpdump.err

for c in ${COMP_CASES:-transport:4 transport:6 tunnel:4 tunnel:6 tunnel:4:6 tunnel:4:4:7}; do
	IFS=: read -r m o i r <<EOF
$c
EOF
	run_case "$m" "$o" "${i:-$o}" "$r"
done
for m in ${COMP_BUNDLES:-transport tunnel tunnel:9}; do
	bundle_case "$m"
done

sleep 1
kill -INT "$tdpid"
wait "$tdpid"
ktap_info "tcpdump: $(grep -E 'captured|dropped' /tmp/tcpdump.err | tr '\n' ' ')"
while IFS='|' read -r name m_out p_out cpi_mp cpi_pm nh; do
	check "$name: IPComp both ways on the wire, CPIs $(printf '0x%x 0x%x' "$cpi_mp" "$cpi_pm"), next header $nh" \
		wire_check "$m_out" "$p_out" "$cpi_mp" "$cpi_pm" $nh
done </tmp/cases
while IFS='|' read -r name f; do
	check "$name: the random UDP datagram crossed the wire as it was" \
		test "$(pcount "$f")" -ge 1
done </tmp/plain_udp
touch /tmp/bundle_spis
while read -r s_mp s_pm; do
	check "IPComp+ESP: ESP on the wire both ways, SPIs $(printf '0x%x 0x%x' "$s_mp" "$s_pm")" \
		ge main_to_peer "$(pcount "ip[9] = 50 and ip[20:4] = $s_mp")" 8 \
		peer_to_main "$(pcount "ip[9] = 50 and ip[20:4] = $s_pm")" 8
done </tmp/bundle_spis
check "stock XFRM on the peer counted no input errors" peer '
	awk "\$1 ~ /^XfrmIn(Error|StateProtoError|StateSeqError|NoStates|StateInvalid|StateMismatch|TmplMismatch|NoPols|PolBlock)\$/ && \$2 != 0 { bad = 1 } { print } END { exit bad }" /proc/net/xfrm_stat'

[ "${COMP_FORGED:-1}" = 1 ] && forged_cases
[ "${COMP_DISABLED:-1}" = 1 ] && disabled_case

touch "$PAIR_DIR/main-done"
ipsec_unload
ktap_end
