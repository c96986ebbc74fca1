#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 3600
# AH (RFC 4302) on the wire between ipsec.ko (main guest, keyed with
# pfkeyctl) and stock Linux XFRM (peer guest, ah4/ah6 keyed with ip xfrm).
# Every case pings both ways and moves a file over TCP both ways,
# comparing its SHA-256; the counters of /proc/net/ipsec/ah here and the
# SAs' counters there must agree that it was AH. Cases: each algorithm
# (HMAC-SHA-1-96, HMAC-SHA-256-128, -384-192, -512-256, AES-XCBC-MAC-96,
# HMAC-MD5-96, HMAC-RIPEMD-160-96) in IPv4 and IPv6 transport mode,
# HMAC-SHA-256 in tunnel mode (IPv4, IPv6, and each inside the other),
# and ESN (the high half of the sequence number in the ICV, RFC 4302
# 3.3.3.2.1); ESP inside AH in transport mode (a bundle), and ESP in
# transport mode inside an AH tunnel (iterated tunnelling), IPv4 and
# IPv6. main's eth0 is captured: every case must show AH both ways with
# its SPIs and the next header its mode implies.
#
# Then packets changed in transit by tc pedit between the two stacks:
# TTL, TOS and DF (IPv4) and hop limit, traffic class and flow label
# (IPv6) are mutable (RFC 4302 3.3.3.1) and the packets still verify,
# both ways; a payload byte or the source address changed is counted in
# bad_auth and dropped, a changed AH length in bad_auth_length. With
# net.ipsec.ah_cleartos=0 (KAME's knob) the TOS counts, so a TOS changed
# in transit no longer verifies.
#
# Addresses: eth0 192.0.2.1 / 2001:db8::1 (peer), 192.0.2.2 / 2001:db8::2
# (main); behind them, on dummy0, 10.1.0.1/24 fd00:1::1/64 (peer) and
# 10.2.0.1/24 fd00:2::1/64 (main).
. "$(dirname "$0")/lib/lib.sh"
. "$(dirname "$0")/lib/pair.sh"

pair_peer_loop

PFKEYCTL=$TOP/tools/pfkeyctl/pfkeyctl
SIZE=${INTEROP_SIZE:-131072}
DATA=$PAIR_DIR/data
XFER=$PAIR_DIR/xfer.py
echo 0 >/tmp/peer.seq
pair_xfer_script "$XFER"

# alg NAME: "pfkey-name key-bytes xfrm-name icv-bits"
alg()
{
	case $1 in
	sha1)	echo hmac-sha1 20 'hmac(sha1)' 96 ;;
	sha256)	echo hmac-sha256 32 'hmac(sha256)' 128 ;;
	sha384)	echo hmac-sha384 48 'hmac(sha384)' 192 ;;
	sha512)	echo hmac-sha512 64 'hmac(sha512)' 256 ;;
	xcbc)	echo aes-xcbc-mac 16 'xcbc(aes)' 96 ;;
	md5)	echo hmac-md5 16 'hmac(md5)' 96 ;;
	rmd160)	echo hmac-ripemd160 20 'hmac(rmd160)' 96 ;;
	esac
}

# the counters of /proc/net/ipsec/ah that must not move
ah_errors()
{
	for c in bad_auth bad_auth_length replay no_sa header_drops \
		crypto_failures policy_drops invalid_sa; do
		echo "$c $(ipsec_counter ah $c)"
	done
}

enc0()
{
	cat "/sys/class/net/enc0/statistics/$1"
}

# ah_filter SPI NH...: pcap filter for AH with this SPI whose next header
# is one of NH (directly after a plain IPv4 or IPv6 header)
ah_filter()
{
	_s=$1
	shift
	_n4= _n6=
	for _h in "$@"; do
		_n4="$_n4${_n4:+ or }ip[20] = $_h"
		_n6="$_n6${_n6:+ or }ip6[40] = $_h"
	done
	echo "(ip and ip[9] = 51 and ip[24:4] = $_s and ($_n4)) or (ip6 and ip6[6] = 51 and ip6[44:4] = $_s and ($_n6))"
}

# wire_check M P SPI_MP SPI_PM NH...: at least 10 AH packets each way with
# the case's SPIs and a next header of NH, and none with another one
wire_check()
{
	_m=$1 _p=$2 _smp=$3 _spm=$4
	shift 4
	_n_mp=$(pcount "src $_m and dst $_p and ($(ah_filter "$_smp" "$@"))")
	_n_pm=$(pcount "src $_p and dst $_m and ($(ah_filter "$_spm" "$@"))")
	_all=$(pcount "(ip and ip[9] = 51 and (ip[24:4] = $_smp or ip[24:4] = $_spm)) or (ip6 and ip6[6] = 51 and (ip6[44:4] = $_smp or ip6[44:4] = $_spm))")
	echo "AH main->peer: $_n_mp, peer->main: $_n_pm, with these SPIs: $_all (next header $*)"
	[ "${_n_mp:-0}" -ge 10 ] && [ "${_n_pm:-0}" -ge 10 ] &&
		[ "$_all" -eq $((_n_mp + _n_pm)) ]
}

# our_sa_bytes SPI: current bytes of our SA with that SPI
our_sa_bytes()
{
	"$PFKEYCTL" -D | awk -v s="spi=$1(" '
		index($0, s) { f = 1 }
		f && $1 == "current:" { sub(/\(.*/, "", $2); print $2; exit }'
}

CASE=0
PORT=5000

# case_addrs MODE OUTER INNER: sets m_out p_out m_in p_in m_sel p_sel
# tmpl_mp tmpl_pm sel_mp sel_pm
case_addrs()
{
	if [ "$2" = 4 ]; then
		m_out=192.0.2.2 p_out=192.0.2.1
	else
		m_out=2001:db8::2 p_out=2001:db8::1
	fi
	sel_mp= sel_pm= tmpl_mp= tmpl_pm=
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
	# XFRM gives an SA a selector of its own family unless told
	[ "$3" != "$2" ] &&
		sel_mp="sel src $m_sel dst $p_sel" sel_pm="sel src $p_sel dst $m_sel"
	return 0
}

# key_case ALG MODE OUTER INNER [esn]: both sides' SAs and policies
key_case()
{
	CASE=$((CASE + 1))
	spi_mp=$((0x1000 * CASE + 0x101))
	spi_pm=$((0x1000 * CASE + 0x202))
	case_addrs "$2" "$3" "$4"
	set -- "$1" "$2" "$3" "$4" "${5:-}" $(alg "$1")
	# $6 pfkey name, $7 key bytes, $8 xfrm name, $9 ICV bits
	k_mp=$(hexkey "$7" "$1 $CASE mp") k_pm=$(hexkey "$7" "$1 $CASE pm")
	flag= xflag=
	if [ "${5:-}" = esn ]; then
		flag="-f esn" xflag="flag esn"
	fi
	cat >/tmp/case.conf <<EOF
add $m_out $p_out ah $spi_mp -m $2 -r 64 $flag -A $6 0x$k_mp;
add $p_out $m_out ah $spi_pm -m $2 -r 64 $flag -A $6 0x$k_pm;
spdadd $m_sel $p_sel any -P out ipsec ah/$2/$tmpl_mp/require;
spdadd $p_sel $m_sel any -P in ipsec ah/$2/$tmpl_pm/require;
EOF
	check "$name: SAs and policies through PF_KEY" \
		"$PFKEYCTL" -f /tmp/case.conf
	check "$name: the peer's SAs and policies through ip xfrm" peer "
		ip xfrm state add src $m_out dst $p_out proto ah spi $spi_mp \
			mode $2 replay-window 64 $xflag \
			auth-trunc '$8' 0x$k_mp $9 $sel_mp &&
		ip xfrm state add src $p_out dst $m_out proto ah spi $spi_pm \
			mode $2 replay-window 64 $xflag \
			auth-trunc '$8' 0x$k_pm $9 $sel_pm &&
		ip xfrm policy add src $p_sel dst $m_sel dir out \
			tmpl src $p_out dst $m_out proto ah mode $2 &&
		ip xfrm policy add src $m_sel dst $p_sel dir in \
			tmpl src $m_out dst $p_out proto ah mode $2"
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

# run_case ALG MODE OUTER [INNER [esn]]
run_case()
{
	mode=$2 outer=$3 inner=${4:-$3}
	name="$1${5:+ $5} $mode IPv$outer"
	[ "$inner" != "$outer" ] && name="$1 $mode IPv$inner-in-IPv$outer"
	t0=$(date +%s)
	key_case "$1" "$mode" "$outer" "$inner" "${5:-}"
	ktap_info "case $CASE: $name, SPIs $(printf '0x%x 0x%x' $spi_mp $spi_pm)"
	if [ "$mode" = tunnel ]; then
		[ "$inner" = 4 ] && nh=4 || nh=41
	elif [ "$outer" = 4 ]; then
		nh="1 6"
	else
		nh="58 6"
	fi
	echo "$name|$m_out|$p_out|$spi_mp|$spi_pm|$nh" >>/tmp/cases

	out0=$(ipsec_counter ah output_packets)
	in0=$(ipsec_counter ah input_packets)
	etx0=$(enc0 tx_packets) erx0=$(enc0 rx_packets)
	errs0=$(ah_errors)
	check "$name: main pings the peer" \
		ping -c 3 -i 0.3 -w 15 -I "$m_in" "$p_in"
	check "$name: the peer pings main" \
		peer ping -c 3 -i 0.3 -w 15 -I "$p_in" "$m_in"

	pair_xfer_both "$name"

	min=$((SIZE / 1500))
	check "$name: AH output_packets and input_packets went up by at least $min" \
		ge output_packets $(($(ipsec_counter ah output_packets) - out0)) \
		"$min" input_packets \
		$(($(ipsec_counter ah input_packets) - in0)) "$min"
	check "$name: enc0 sent and received at least $min each" \
		ge tx_packets $(($(enc0 tx_packets) - etx0)) "$min" \
		rx_packets $(($(enc0 rx_packets) - erx0)) "$min"
	check "$name: our SAs each carried at least $SIZE bytes" \
		ge "SA $spi_mp" "$(our_sa_bytes $spi_mp)" "$SIZE" \
		"SA $spi_pm" "$(our_sa_bytes $spi_pm)" "$SIZE"
	check_eq "$name: no AH errors counted here" "$errs0" "$(ah_errors)"
	st_mp=$(peer ip -s xfrm state get src $m_out dst $p_out proto ah \
		spi $spi_mp)
	set -- $(xfrm_sa "$st_mp")
	check "$name: the peer's inbound SA took at least $min packets, none failed" \
		ge packets "$1" "$min" bytes "$2" "$SIZE"
	check_eq "$name: the peer's inbound SA had no ICV failure" 0 "$3"
	unkey_case
	ktap_info "case $CASE took $(($(date +%s) - t0)) s"
}

# pedit_on WHERE ACTIONS...: tc on eth0's egress of main or the peer
# changes the packets ACTIONS name (with AH in place, all of them are AH)
pedit_on()
{
	_w=$1
	shift
	_c="tc qdisc add dev eth0 clsact 2>/dev/null; tc filter del dev eth0 egress 2>/dev/null; tc filter add dev eth0 egress $*"
	if [ "$_w" = main ]; then
		sh -c "$_c"
	else
		peer "$_c"
	fi
}

pedit_off()
{
	tc filter del dev eth0 egress 2>/dev/null
	peer "tc filter del dev eth0 egress" >/dev/null 2>&1
	return 0
}

# mut_count: AH packets in /tmp/mut.pcap with TTL 3, TOS 0x28 and DF
mut_count()
{
	tcpdump -r /tmp/mut.pcap --count 'ip[9] = 51 and ip[8] = 3 and ip[1] = 0x28 and ip[6:2] & 0x4000 != 0' 2>/dev/null |
		cut -d' ' -f1
}

# mut_seen N: at least N of them
mut_seen()
{
	[ "$(mut_count)" -ge "$1" ]
}

# mutable_cases: an IPv4 and an IPv6 transport SA pair with HMAC-SHA-256
mutable_cases()
{
	name="mutable fields IPv4"
	key_case sha256 transport 4 4
	e0=$(ah_errors)
	v4="protocol ip matchall"
	check "$name: the peer's eth0 sets TTL 3, TOS 0x28 and DF on its AH packets" \
		pedit_on peer "$v4 action pedit ex munge ip ttl set 3 munge ip dsfield set 0x28 pipe action pedit munge offset 6 u16 set 0x4000 pipe action csum ip"
	check "$name: main verifies them: the peer pings main with DF clear" \
		peer ping -M dont -c 3 -i 0.3 -w 15 192.0.2.2
	# the capture is still running: give it time to write the last one
	wait_until 10 mut_seen 3
	check "$name: they reached main changed (TTL 3, TOS 0x28, DF)" \
		ge packets "$(mut_count)" 3
	check "$name: main's eth0 sets TTL 3, TOS 0x28 and clears DF on ours" \
		pedit_on main "$v4 action pedit ex munge ip ttl set 3 munge ip dsfield set 0x28 pipe action pedit munge offset 6 u16 set 0x0000 pipe action csum ip"
	check "$name: the peer verifies them: main pings with DF set" \
		ping -M do -c 3 -i 0.3 -w 15 192.0.2.1
	check_eq "$name: no AH errors counted here" "$e0" "$(ah_errors)"

	# net.ipsec.ah_cleartos=0: the TOS is in the ICV, as with RFC 1826
	pedit_off
	sysctl -qw net.ipsec.ah_cleartos=0
	check "ah_cleartos=0: an unchanged TOS 0 still verifies" \
		peer ping -c 2 -i 0.3 -w 10 192.0.2.2
	a0=$(ipsec_counter ah bad_auth)
	pedit_on peer "$v4 action pedit ex munge ip dsfield set 0x28 pipe action csum ip"
	check_fails "ah_cleartos=0: a TOS changed in transit does not verify" \
		peer ping -c 2 -i 0.3 -w 4 192.0.2.2
	check "ah_cleartos=0: counted in bad_auth" \
		test $(($(ipsec_counter ah bad_auth) - a0)) -ge 2
	sysctl -qw net.ipsec.ah_cleartos=1
	pedit_off

	# immutable fields: caught and counted
	for what in "payload byte|pedit munge offset 60 u8 set 0x5a" \
		"source address|pedit ex munge ip src set 192.0.2.9 pipe action csum ip"; do
		w=${what%%|*}
		a0=$(ipsec_counter ah bad_auth)
		pedit_on peer "$v4 action ${what#*|}"
		check_fails "a $w changed in transit: the packets do not verify" \
			peer ping -c 2 -i 0.3 -w 4 192.0.2.2
		check "a $w changed in transit: counted in bad_auth" \
			test $(($(ipsec_counter ah bad_auth) - a0)) -ge 2
		pedit_off
	done
	l0=$(ipsec_counter ah bad_auth_length)
	pedit_on peer "$v4 action pedit munge offset 21 u8 set 2"
	check_fails "an AH length changed in transit: the packets do not verify" \
		peer ping -c 2 -i 0.3 -w 4 192.0.2.2
	check "an AH length changed in transit: counted in bad_auth_length" \
		test $(($(ipsec_counter ah bad_auth_length) - l0)) -ge 2
	pedit_off
	unkey_case

	name="mutable fields IPv6"
	key_case sha256 transport 6 6
	e0=$(ah_errors)
	v6="protocol ipv6 matchall"
	check "$name: the peer's eth0 sets hop limit 3, traffic class 0x28, flow label 0x12345" \
		pedit_on peer "$v6 action pedit ex munge ip6 hoplimit set 3 munge ip6 traffic_class set 0x28 munge ip6 flow_lbl set 0x12345"
	check "$name: main verifies them" \
		peer ping -c 3 -i 0.3 -w 15 2001:db8::2
	check "$name: main's eth0 does the same to ours" \
		pedit_on main "$v6 action pedit ex munge ip6 hoplimit set 3 munge ip6 traffic_class set 0x28 munge ip6 flow_lbl set 0x12345"
	check "$name: the peer verifies them" \
		ping -c 3 -i 0.3 -w 15 2001:db8::1
	check_eq "$name: no AH errors counted here" "$e0" "$(ah_errors)"
	pedit_off
	a0=$(ipsec_counter ah bad_auth)
	pedit_on peer "$v6 action pedit ex munge ip6 src set 2001:db8::9"
	check_fails "$name: a source address changed in transit does not verify" \
		peer ping -c 2 -i 0.3 -w 4 2001:db8::2
	check "$name: counted in bad_auth" \
		test $(($(ipsec_counter ah bad_auth) - a0)) -ge 2
	pedit_off
	unkey_case
}

# bundle_cases: ESP inside AH (KAME's "esp/transport//require
# ah/transport//require", XFRM's templates esp then ah), IPv4 and IPv6
# transport; then the peer drops AH from its policy, and the inbound
# check here must refuse what only ESP protected
bundle_cases()
{
	for fam in 4 6; do
		CASE=$((CASE + 1))
		case_addrs transport $fam $fam
		name="ESP+AH transport IPv$fam"
		s_e_mp=$((0x1000 * CASE + 0x101)) s_e_pm=$((0x1000 * CASE + 0x202))
		s_a_mp=$((0x1000 * CASE + 0x303)) s_a_pm=$((0x1000 * CASE + 0x404))
		ke_mp=$(hexkey 16 "be $CASE mp") ke_pm=$(hexkey 16 "be $CASE pm")
		ka_mp=$(hexkey 32 "ba $CASE mp") ka_pm=$(hexkey 32 "ba $CASE pm")
		ktap_info "case $CASE: $name, ESP SPIs $(printf '0x%x 0x%x' $s_e_mp $s_e_pm), AH SPIs $(printf '0x%x 0x%x' $s_a_mp $s_a_pm)"
		cat >/tmp/case.conf <<EOF
add $m_out $p_out esp $s_e_mp -m transport -r 64 -E aes-cbc 0x$ke_mp;
add $p_out $m_out esp $s_e_pm -m transport -r 64 -E aes-cbc 0x$ke_pm;
add $m_out $p_out ah $s_a_mp -m transport -r 64 -A hmac-sha256 0x$ka_mp;
add $p_out $m_out ah $s_a_pm -m transport -r 64 -A hmac-sha256 0x$ka_pm;
spdadd $m_out $p_out any -P out ipsec esp/transport//require ah/transport//require;
spdadd $p_out $m_out any -P in ipsec esp/transport//require ah/transport//require;
EOF
		check "$name: SAs and policy through PF_KEY" \
			"$PFKEYCTL" -f /tmp/case.conf
		check "$name: the peer's SAs and policies through ip xfrm" peer "
			ip xfrm state add src $m_out dst $p_out proto esp spi $s_e_mp \
				mode transport replay-window 64 enc 'cbc(aes)' 0x$ke_mp &&
			ip xfrm state add src $p_out dst $m_out proto esp spi $s_e_pm \
				mode transport enc 'cbc(aes)' 0x$ke_pm &&
			ip xfrm state add src $m_out dst $p_out proto ah spi $s_a_mp \
				mode transport replay-window 64 \
				auth-trunc 'hmac(sha256)' 0x$ka_mp 128 &&
			ip xfrm state add src $p_out dst $m_out proto ah spi $s_a_pm \
				mode transport auth-trunc 'hmac(sha256)' 0x$ka_pm 128 &&
			ip xfrm policy add src $p_out dst $m_out dir out \
				tmpl proto esp mode transport tmpl proto ah mode transport &&
			ip xfrm policy add src $m_out dst $p_out dir in \
				tmpl proto esp mode transport tmpl proto ah mode transport"
		e0=$(ah_errors)
		ein0=$(ipsec_counter esp input_packets)
		rx0=$(enc0 rx_packets)
		check "$name: main pings the peer" \
			ping -c 3 -i 0.3 -w 15 "$p_in"
		check "$name: the peer pings main" \
			peer ping -c 3 -i 0.3 -w 15 "$m_in"
		PORT=$((PORT + 1))
		check "$name: the peer listens on TCP $PORT" peer "
			rm -f /tmp/ready
			python3 $XFER recv $p_in $PORT /tmp/ready >/tmp/recv.log 2>&1 &
			wait_until 30 test -e /tmp/ready"
		check "$name: main sends $SIZE bytes over TCP, the peer gets them" \
			xfer_check "$SUM $SIZE" python3 "$XFER" send "$m_in" \
			"$p_in" "$PORT" "$DATA"
		check_eq "$name: no AH errors counted here" "$e0" "$(ah_errors)"
		# each packet comes in once on enc0, though two SAs took it apart
		ein=$(($(ipsec_counter esp input_packets) - ein0))
		check_eq "$name: enc0 received each packet once ($ein ESP inputs)" \
			"$ein" $(($(enc0 rx_packets) - rx0))
		echo "$name|$m_out|$p_out|$s_a_mp|$s_a_pm|50" >>/tmp/bundles
		echo "$s_e_pm" >>/tmp/esp_alone

		check "$name: the peer now sends ESP only" peer "
			ip xfrm policy update src $p_out dst $m_out dir out \
				tmpl proto esp mode transport"
		p0=$(ipsec_counter esp policy_drops)
		p1=$(ipsec_counter ah policy_drops)
		check_fails "$name: ESP without AH does not pass the policy here" \
			peer ping -c 2 -i 0.3 -w 4 "$m_in"
		p0=$(($(ipsec_counter esp policy_drops) - p0))
		p1=$(($(ipsec_counter ah policy_drops) - p1))
		check "$name: counted in policy_drops (esp $p0, ah $p1)" \
			test $((p0 + p1)) -ge 2
		unkey_case
	done
}

# nested_cases: a transport SA inside a tunnel SA, KAME's
# "esp/transport//require ah/tunnel/A-B/require" (XFRM's templates esp
# transport, then ah tunnel): ESP between the inner hosts, then AH with
# a new IP header between the outer ones (RFC 4301 4.5, iterated
# tunnelling); IPv4 in IPv4 and IPv6 in IPv6. Then the peer sends AH
# alone: the inner packet lacks the ESP the policy here asks for.
nested_cases()
{
	for fam in 4 6; do
		CASE=$((CASE + 1))
		case_addrs tunnel $fam $fam
		name="ESP transport inside AH tunnel IPv$fam"
		s_e_mp=$((0x1000 * CASE + 0x101)) s_e_pm=$((0x1000 * CASE + 0x202))
		s_a_mp=$((0x1000 * CASE + 0x303)) s_a_pm=$((0x1000 * CASE + 0x404))
		ke_mp=$(hexkey 16 "ne $CASE mp") ke_pm=$(hexkey 16 "ne $CASE pm")
		ka_mp=$(hexkey 32 "na $CASE mp") ka_pm=$(hexkey 32 "na $CASE pm")
		ktap_info "case $CASE: $name, ESP SPIs $(printf '0x%x 0x%x' $s_e_mp $s_e_pm), AH SPIs $(printf '0x%x 0x%x' $s_a_mp $s_a_pm)"
		cat >/tmp/case.conf <<EOF
add $m_in $p_in esp $s_e_mp -m transport -r 64 -E aes-cbc 0x$ke_mp;
add $p_in $m_in esp $s_e_pm -m transport -r 64 -E aes-cbc 0x$ke_pm;
add $m_out $p_out ah $s_a_mp -m tunnel -r 64 -A hmac-sha256 0x$ka_mp;
add $p_out $m_out ah $s_a_pm -m tunnel -r 64 -A hmac-sha256 0x$ka_pm;
spdadd $m_in $p_in any -P out ipsec esp/transport//require ah/tunnel/$m_out-$p_out/require;
spdadd $p_in $m_in any -P in ipsec esp/transport//require ah/tunnel/$p_out-$m_out/require;
EOF
		check "$name: SAs and policy through PF_KEY" \
			"$PFKEYCTL" -f /tmp/case.conf
		check "$name: the peer's SAs and policies through ip xfrm" peer "
			ip xfrm state add src $m_in dst $p_in proto esp spi $s_e_mp \
				mode transport replay-window 64 enc 'cbc(aes)' 0x$ke_mp &&
			ip xfrm state add src $p_in dst $m_in proto esp spi $s_e_pm \
				mode transport enc 'cbc(aes)' 0x$ke_pm &&
			ip xfrm state add src $m_out dst $p_out proto ah spi $s_a_mp \
				mode tunnel replay-window 64 \
				auth-trunc 'hmac(sha256)' 0x$ka_mp 128 &&
			ip xfrm state add src $p_out dst $m_out proto ah spi $s_a_pm \
				mode tunnel auth-trunc 'hmac(sha256)' 0x$ka_pm 128 &&
			ip xfrm policy add src $p_in dst $m_in dir out \
				tmpl proto esp mode transport \
				tmpl src $p_out dst $m_out proto ah mode tunnel &&
			ip xfrm policy add src $m_in dst $p_in dir in \
				tmpl proto esp mode transport \
				tmpl src $m_out dst $p_out proto ah mode tunnel"
		e0=$(ah_errors)
		ein0=$(ipsec_counter esp input_packets)
		aout0=$(ipsec_counter ah output_packets)
		rx0=$(enc0 rx_packets)
		check "$name: main pings the peer" \
			ping -c 3 -i 0.3 -w 15 -I "$m_in" "$p_in"
		check "$name: the peer pings main" \
			peer ping -c 3 -i 0.3 -w 15 -I "$p_in" "$m_in"
		pair_xfer_both "$name"
		check_eq "$name: no AH errors counted here" "$e0" "$(ah_errors)"
		ein=$(($(ipsec_counter esp input_packets) - ein0))
		aout=$(($(ipsec_counter ah output_packets) - aout0))
		check "$name: ESP and AH both counted ($ein ESP inputs, $aout AH outputs)" \
			test "$ein" -ge 10 -a "$aout" -ge 10
		# each packet comes in once on enc0, though two SAs took it apart
		check_eq "$name: enc0 received each packet once ($ein ESP inputs)" \
			"$ein" $(($(enc0 rx_packets) - rx0))
		[ $fam = 4 ] && nh=4 || nh=41
		echo "$name|$m_out|$p_out|$s_a_mp|$s_a_pm|$nh" >>/tmp/nested

		check "$name: the peer now sends AH only" peer "
			ip xfrm policy update src $p_in dst $m_in dir out \
				tmpl src $p_out dst $m_out proto ah mode tunnel"
		p0=$(ipsec_counter esp policy_drops)
		p1=$(ipsec_counter ah policy_drops)
		check_fails "$name: the tunnel without ESP inside does not pass the policy here" \
			peer ping -c 2 -i 0.3 -w 4 -I "$p_in" "$m_in"
		p0=$(($(ipsec_counter esp policy_drops) - p0))
		p1=$(($(ipsec_counter ah policy_drops) - p1))
		check "$name: counted in policy_drops (esp $p0, ah $p1)" \
			test $((p0 + p1)) -ge 2
		unkey_case
	done
}

# inner_esp M P SPI_MP SPI_PM: every AH packet main sent with its SPI
# carries an IP header whose payload is ESP, and at least 10 of the
# peer's do (the rest are those it sent with AH alone on purpose). AH's
# length in 32-bit words, less 2, is its second byte (RFC 4302 2.2).
inner_esp()
{
	_in="((ip and ip[20 + (ip[21] + 2) * 4 + 9] = 50) or (ip6 and ip6[40 + (ip6[41] + 2) * 4 + 6] = 50))"
	_mp="src $1 and dst $2 and ($(ah_filter "$3" 4 41))"
	_pm="src $2 and dst $1 and ($(ah_filter "$4" 4 41))"
	_all=$(pcount "$_mp")
	_esp=$(pcount "($_mp) and $_in")
	_p=$(pcount "($_pm) and $_in")
	echo "main's AH packets: $_all, with ESP inside: $_esp; the peer's with ESP inside: $_p"
	[ "${_esp:-0}" -ge 10 ] && [ "$_esp" -eq "$_all" ] && [ "${_p:-0}" -ge 10 ]
}

require_module
ktap_begin
ipsec_load
modprobe dummy
ip addr add 192.0.2.2/24 dev eth0
ip -6 addr add 2001:db8::2/64 dev eth0 nodad
# transport mode protects ICMPv6 too: no neighbour discovery between them
ip -6 neigh replace 2001:db8::1 lladdr 52:54:00:12:34:01 dev eth0 nud permanent
ip link add dummy0 type dummy
ip link set dummy0 up
ip addr add 10.2.0.1/24 dev dummy0
ip -6 addr add fd00:2::1/64 dev dummy0 nodad
ip route add 10.1.0.0/24 via 192.0.2.1
ip -6 route add fd00:1::/64 via 2001:db8::1
head -c "$SIZE" /dev/urandom >"$DATA"
SUM=$(sha256sum <"$DATA" | cut -d' ' -f1)

check "the peer comes up" wait_until 120 test -e "$PAIR_DIR/peer-up"
check "the peer loads ah4, ah6, esp4, esp6, xfrm_user, sets up its addresses" peer "
	modprobe -a ah4 ah6 esp4 esp6 xfrm_user dummy &&
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

rm -f /tmp/cases
tcpdump -i eth0 -n --immediate-mode -U -s 128 -B 8192 -w /tmp/cap.pcap 2>/tmp/tcpdump.err &
tdpid=$!
check "tcpdump captures main's eth0" \
	wait_until 60 grep -q listening /tmp/tcpdump.err

# ALG:MODE:OUTER[:INNER[:esn]]
for c in ${AH_CASES:-sha256:transport:4 sha256:transport:6 \
	sha256:tunnel:4 sha256:tunnel:6:4 sha256:tunnel:4:6 \
	sha1:transport:6 sha384:transport:4 sha512:transport:6 \
	xcbc:transport:4 md5:transport:6 rmd160:transport:4 \
	sha256:transport:4:4:esn sha512:tunnel:6:6:esn}; do
	IFS=: read -r a m o i e <<EOF
$c
EOF
	run_case "$a" "$m" "$o" "${i:-$o}" "$e"
done

rm -f /tmp/bundles /tmp/esp_alone /tmp/nested
touch /tmp/bundles /tmp/esp_alone /tmp/nested
[ "${AH_BUNDLES:-1}" = 1 ] && bundle_cases
[ "${AH_NESTED:-1}" = 1 ] && nested_cases

sleep 1
kill -INT "$tdpid"
wait "$tdpid"
ktap_info "tcpdump: $(grep -E 'captured|dropped' /tmp/tcpdump.err | tr '\n' ' ')"
while IFS='|' read -r name m_out p_out spi_mp spi_pm nh; do
	check "$name: AH both ways on the wire, SPIs $(printf '0x%x 0x%x' "$spi_mp" "$spi_pm"), next header $nh" \
		wire_check "$m_out" "$p_out" "$spi_mp" "$spi_pm" $nh
done </tmp/cases
while IFS='|' read -r name m_out p_out spi_mp spi_pm nh; do
	check "$name: AH over ESP on the wire both ways" \
		wire_check "$m_out" "$p_out" "$spi_mp" "$spi_pm" $nh
done </tmp/bundles
while IFS='|' read -r name m_out p_out spi_mp spi_pm nh; do
	check "$name: AH tunnel both ways on the wire, SPIs $(printf '0x%x 0x%x' "$spi_mp" "$spi_pm"), next header $nh" \
		wire_check "$m_out" "$p_out" "$spi_mp" "$spi_pm" $nh
	check "$name: ESP inside them" \
		inner_esp "$m_out" "$p_out" "$spi_mp" "$spi_pm"
done </tmp/nested
# and the ESP the peer sent alone on purpose
clear='not (ip and ip[9] = 51) and not (ip6 and ip6[6] = 51) and not arp and not (ip6 and (src net fe80::/10 or dst net ff00::/8))'
for s in $(cat /tmp/esp_alone); do
	clear="$clear and not (ip and ip[9] = 50 and ip[20:4] = $s) and not (ip6 and ip6[6] = 50 and ip6[40:4] = $s)"
done
check_eq "nothing but AH crossed the wire" "" \
	"$(tcpdump -r /tmp/cap.pcap -n -c 20 "$clear" 2>/dev/null)"
check "stock XFRM on the peer counted no input errors" peer '
	awk "\$1 ~ /^XfrmIn(Error|StateProtoError|StateSeqError|NoStates|StateInvalid|StateMismatch)\$/ && \$2 != 0 { bad = 1 } { print } END { exit bad }" /proc/net/xfrm_stat'

if [ "${AH_MUTABLE:-1}" = 1 ]; then
	tcpdump -i eth0 -n --immediate-mode -U -s 128 -w /tmp/mut.pcap 'ip[9] = 51' \
		2>/tmp/tcpdump2.err &
	tdpid=$!
	wait_until 60 grep -q listening /tmp/tcpdump2.err
	mutable_cases
	kill -INT "$tdpid"
	wait "$tdpid"
fi

touch "$PAIR_DIR/main-done"
ipsec_unload
ktap_end
