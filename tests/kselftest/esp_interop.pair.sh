#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 2400
# ESP on the wire between ipsec.ko (main guest, keyed with pfkeyctl) and
# stock Linux XFRM (peer guest, esp4/esp6 keyed with ip xfrm): AES-GCM-16
# (rfc4106) and AES-CBC + HMAC-SHA-256-128, transport and tunnel mode,
# IPv4 and IPv6 and a tunnel of each family inside the other. Every case
# pings both ways, moves a file over TCP both ways (each side connects
# once) and compares its SHA-256, and reads the counters of both stacks:
# /proc/net/ipsec/esp, enc0 and the SAs' lifetimes here, "ip -s xfrm
# state" and /proc/net/xfrm_stat there. main's eth0 is captured for the
# whole run: at the end every case must show ESP both ways with its own
# SPIs, and nothing but ESP may have crossed (ARP and link-local IPv6
# aside). Last, a case keyed with a wrong key on each side must fail
# both ways and be counted as such by both stacks: the test can fail.
#
# The peer only runs what main hands it: main writes a shell command to
# $PAIR_DIR/cmd.N, the peer runs it and leaves out.N and rc.N.
#
# Addresses: eth0 192.0.2.1 / 2001:db8::1 (peer), 192.0.2.2 / 2001:db8::2
# (main); behind them, on dummy0, 10.1.0.1/24 fd00:1::1/64 (peer) and
# 10.2.0.1/24 fd00:2::1/64 (main).
. "$(dirname "$0")/lib/lib.sh"
. "$(dirname "$0")/lib/pair.sh"
pair_peer_loop

PFKEYCTL=$TOP/tools/pfkeyctl/pfkeyctl
SIZE=${INTEROP_SIZE:-1048576}
DATA=$PAIR_DIR/data
XFER=$PAIR_DIR/xfer.py

pair_xfer_script "$XFER"

# the counters of /proc/net/ipsec/esp that must not move
esp_errors()
{
	for c in bad_auth replay bad_padding bad_payload_length no_sa \
		crypto_failures policy_drops header_drops; do
		echo "$c $(ipsec_counter esp $c)"
	done
}

# spi_filter SPI...: pcap filter for ESP with one of these SPIs (the
# ESP header follows a plain IPv4 or IPv6 header here, or the fragment
# header of a first IPv6 fragment)
spi_filter()
{
	_f=
	for _s in "$@"; do
		_f="$_f${_f:+ or }ip[20:4] = $_s or ip6[40:4] = $_s"
		# a first fragment: the fragment header comes first
		_f="$_f or (ip6[6] = 44 and ip6[48:4] = $_s)"
	done
	echo "esp and ($_f)"
}

# wire_check M_OUT P_OUT SPI_MP SPI_PM: at least 10 ESP packets each way
# with the case's SPIs and addresses
wire_check()
{
	_n_mp=$(pcount "src $1 and dst $2 and $(spi_filter "$3")")
	_n_pm=$(pcount "src $2 and dst $1 and $(spi_filter "$4")")
	echo "ESP main->peer spi $3: $_n_mp, peer->main spi $4: $_n_pm"
	[ "${_n_mp:-0}" -ge 10 ] && [ "${_n_pm:-0}" -ge 10 ]
}

# our_sa_bytes SPI: current bytes of our SA with that SPI
our_sa_bytes()
{
	"$PFKEYCTL" -D | awk -v s="spi=$1(" '
		index($0, s) { f = 1 }
		f && $1 == "current:" { sub(/\(.*/, "", $2); print $2; exit }'
}

enc0()
{
	cat "/sys/class/net/enc0/statistics/$1"
}

CASE=0
PORT=5000

# run_case ALG MODE OUTER [INNER]
#   ALG gcm|cbc; MODE transport|tunnel; OUTER 4|6, the eth0 addresses;
#   INNER 4|6, the dummy0 addresses a tunnel carries
run_case()
{
	alg=$1 mode=$2 outer=$3 inner=${4:-$3}
	CASE=$((CASE + 1))
	spi_mp=$((0x1000 * CASE + 0x101))
	spi_pm=$((0x1000 * CASE + 0x202))
	if [ "$outer" = 4 ]; then
		m_out=192.0.2.2 p_out=192.0.2.1
	else
		m_out=2001:db8::2 p_out=2001:db8::1
	fi
	if [ "$mode" = transport ]; then
		m_in=$m_out p_in=$p_out
		m_sel=$m_out p_sel=$p_out
		tmpl_mp= tmpl_pm=
	else
		if [ "$inner" = 4 ]; then
			m_in=10.2.0.1 p_in=10.1.0.1
			m_sel=10.2.0.0/24 p_sel=10.1.0.0/24
		else
			m_in=fd00:2::1 p_in=fd00:1::1
			m_sel=fd00:2::/64 p_sel=fd00:1::/64
		fi
		tmpl_mp=$m_out-$p_out tmpl_pm=$p_out-$m_out
	fi
	# XFRM gives an SA a selector of the SA's own family unless told
	# otherwise: a tunnel of the other family needs one of its own
	sel_mp= sel_pm=
	if [ "$mode" = tunnel ] && [ "$inner" != "$outer" ]; then
		name="$alg tunnel IPv$inner-in-IPv$outer"
		sel_mp="sel src $m_sel dst $p_sel" sel_pm="sel src $p_sel dst $m_sel"
	else
		name="$alg $mode IPv$outer"
	fi
	ktap_info "case $CASE: $name, SPIs $(printf '0x%x 0x%x' $spi_mp $spi_pm)"

	if [ "$alg" = gcm ]; then
		k_mp=$(hexkey 20 "gcm $CASE mp") k_pm=$(hexkey 20 "gcm $CASE pm")
		our_mp="-E aes-gcm-16 0x$k_mp" our_pm="-E aes-gcm-16 0x$k_pm"
		xf_mp="aead 'rfc4106(gcm(aes))' 0x$k_mp 128"
		xf_pm="aead 'rfc4106(gcm(aes))' 0x$k_pm 128"
	else
		e_mp=$(hexkey 16 "cbc $CASE mp") e_pm=$(hexkey 16 "cbc $CASE pm")
		a_mp=$(hexkey 32 "sha $CASE mp") a_pm=$(hexkey 32 "sha $CASE pm")
		our_mp="-E aes-cbc 0x$e_mp -A hmac-sha256 0x$a_mp"
		our_pm="-E aes-cbc 0x$e_pm -A hmac-sha256 0x$a_pm"
		xf_mp="enc 'cbc(aes)' 0x$e_mp auth-trunc 'hmac(sha256)' 0x$a_mp 128"
		xf_pm="enc 'cbc(aes)' 0x$e_pm auth-trunc 'hmac(sha256)' 0x$a_pm 128"
	fi

	cat >/tmp/case.conf <<EOF
add $m_out $p_out esp $spi_mp -m $mode -r 64 $our_mp;
add $p_out $m_out esp $spi_pm -m $mode -r 64 $our_pm;
spdadd $m_sel $p_sel any -P out ipsec esp/$mode/$tmpl_mp/require;
spdadd $p_sel $m_sel any -P in ipsec esp/$mode/$tmpl_pm/require;
EOF
	t0=$(date +%s)
	if [ "${INTEROP_KEYING:-pfkey}" = xfrm ]; then
		# the peer's commands, mirrored, answered by ipsec.ko
		check "$name: SAs and policies through ip xfrm (ipsec.ko)" sh -c "
		ip xfrm state add src $m_out dst $p_out proto esp spi $spi_mp \
			mode $mode $xf_mp $sel_mp &&
		ip xfrm state add src $p_out dst $m_out proto esp spi $spi_pm \
			mode $mode replay-window 64 $xf_pm $sel_pm &&
		ip xfrm policy add src $m_sel dst $p_sel dir out \
			tmpl src $m_out dst $p_out proto esp mode $mode &&
		ip xfrm policy add src $p_sel dst $m_sel dir in \
			tmpl src $p_out dst $m_out proto esp mode $mode"
	else
		check "$name: SAs and policies through PF_KEY" \
			"$PFKEYCTL" -f /tmp/case.conf
	fi
	check "$name: the peer's SAs and policies through ip xfrm" peer "
		ip xfrm state add src $m_out dst $p_out proto esp spi $spi_mp \
			mode $mode replay-window 64 $xf_mp $sel_mp &&
		ip xfrm state add src $p_out dst $m_out proto esp spi $spi_pm \
			mode $mode $xf_pm $sel_pm &&
		ip xfrm policy add src $p_sel dst $m_sel dir out \
			tmpl src $p_out dst $m_out proto esp mode $mode &&
		ip xfrm policy add src $m_sel dst $p_sel dir in \
			tmpl src $m_out dst $p_out proto esp mode $mode"

	out0=$(ipsec_counter esp output_packets)
	in0=$(ipsec_counter esp input_packets)
	etx0=$(enc0 tx_packets) erx0=$(enc0 rx_packets)
	echo "$name|$m_out|$p_out|$spi_mp|$spi_pm|$mode|$(date +%s.%N)" \
		>>/tmp/cases

	t1=$(date +%s)
	check "$name: main pings the peer" \
		ping -c 3 -i 0.3 -w 15 -I "$m_in" "$p_in"
	check "$name: the peer pings main" \
		peer ping -c 3 -i 0.3 -w 15 -I "$p_in" "$m_in"

	t2=$(date +%s)
	PORT=$((PORT + 1))
	check "$name: the peer listens on TCP $PORT" peer "
		rm -f /tmp/ready
		python3 $XFER recv $p_in $PORT /tmp/ready >/tmp/recv.log 2>&1 &
		wait_until 30 test -e /tmp/ready"
	check "$name: main sends $SIZE bytes over TCP, the peer gets them" \
		xfer_check "$SUM $SIZE" python3 "$XFER" send "$m_in" "$p_in" \
		"$PORT" "$DATA"

	t3=$(date +%s)
	PORT=$((PORT + 1))
	rm -f /tmp/ready
	python3 "$XFER" recv "$m_in" "$PORT" /tmp/ready >/tmp/recv.log 2>&1 &
	rpid=$!
	wait_until 30 test -e /tmp/ready
	check "$name: the peer sends $SIZE bytes over TCP, main gets them" \
		xfer_check "$SUM $SIZE" peer python3 "$XFER" send "$p_in" \
		"$m_in" "$PORT" "$DATA"
	kill "$rpid" 2>/dev/null
	wait "$rpid" 2>/dev/null

	t4=$(date +%s)
	ktap_info "route to $p_in here: $(ip route get "$p_in" | tr -s ' \n' ' ')"
	out1=$(ipsec_counter esp output_packets)
	in1=$(ipsec_counter esp input_packets)
	etx1=$(enc0 tx_packets) erx1=$(enc0 rx_packets)
	min=$((SIZE / 1500))
	check "$name: output_packets went up by at least $min" \
		ge output_packets $((out1 - out0)) "$min"
	check "$name: input_packets went up by at least $min" \
		ge input_packets $((in1 - in0)) "$min"
	check "$name: enc0 sent and received at least $min each" \
		ge tx_packets $((etx1 - etx0)) "$min" \
		rx_packets $((erx1 - erx0)) "$min"
	check "$name: our SAs each carried at least $SIZE bytes" \
		ge "SA $spi_mp" "$(our_sa_bytes $spi_mp)" "$SIZE" \
		"SA $spi_pm" "$(our_sa_bytes $spi_pm)" "$SIZE"
	check_eq "$name: no ESP errors counted here" "$ERRS0" "$(esp_errors)"
	st_mp=$(peer ip -s xfrm state get src $m_out dst $p_out proto esp \
		spi $spi_mp)
	st_pm=$(peer ip -s xfrm state get src $p_out dst $m_out proto esp \
		spi $spi_pm)
	set -- $(xfrm_sa "$st_mp") $(xfrm_sa "$st_pm")
	ktap_info "peer: SA $spi_mp in: $1 packets $2 bytes $3 failed, SA $spi_pm out: $4 packets $5 bytes"
	check "$name: the peer's inbound SA took at least $min packets, $SIZE bytes" \
		ge packets "$1" "$min" bytes "$2" "$SIZE"
	check_eq "$name: the peer's inbound SA had no ICV failure" 0 "$3"
	check "$name: the peer's outbound SA sent at least $min packets, $SIZE bytes" \
		ge packets "$4" "$min" bytes "$5" "$SIZE"

	"$PFKEYCTL" -F
	"$PFKEYCTL" -F -P
	ip route flush cache
	ip -6 route flush cache
	peer "ip xfrm state flush; ip xfrm policy flush;
		ip route flush cache; ip -6 route flush cache" >/dev/null
	t5=$(date +%s)
	ktap_info "case $CASE took $((t5 - t0)) s: setup $((t1 - t0)), pings $((t2 - t1)), TCP main->peer $((t3 - t2)), peer->main $((t4 - t3)), checks $((t5 - t4))"
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
ERRS0=$(esp_errors)

check "the peer comes up" wait_until 120 test -e "$PAIR_DIR/peer-up"
check "the peer loads esp4, esp6, xfrm_user and sets up its addresses" peer "
	modprobe -a esp4 esp6 xfrm_user dummy &&
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

# the whole run on the wire, headers only
rm -f /tmp/cases
tcpdump -i eth0 -n --immediate-mode -U -s 128 -B 8192 -w /tmp/cap.pcap 2>/tmp/tcpdump.err &
tdpid=$!
check "tcpdump captures main's eth0" \
	wait_until 60 grep -q listening /tmp/tcpdump.err

for fam in ${INTEROP_FAMILIES:-4 6 46 64}; do
	case $fam in
	4|6)
		for mode in transport tunnel; do
			run_case gcm $mode $fam
			run_case cbc $mode $fam
		done
		;;
	46) run_case gcm tunnel 6 4 ;;
	64) run_case cbc tunnel 4 6 ;;
	esac
done

sleep 1
kill -INT "$tdpid"
wait "$tdpid"
ktap_info "tcpdump: $(grep -E 'captured|dropped' /tmp/tcpdump.err | tr '\n' ' ')"
while IFS='|' read -r name m_out p_out spi_mp spi_pm mode t0; do
	check "$name: ESP both ways on the wire with SPIs $(printf '0x%x 0x%x' "$spi_mp" "$spi_pm")" \
		wire_check "$m_out" "$p_out" "$spi_mp" "$spi_pm"
done </tmp/cases
all_esp=$(pcount esp)
# (a later IPv4 fragment has no ESP header to read an SPI from)
stray="esp and not (ip and ip[6:2] & 0x1fff != 0) and not (ip6 and ip6[6] = 44 and ip6[42:2] & 0xfff8 != 0) and not ($(spi_filter $(cut -d'|' -f4,5 /tmp/cases |
	tr '|' ' ')))"
check_eq "all $all_esp ESP packets on the wire carry the cases' SPIs" 0 \
	"$(pcount "$stray")" ||
	tcpdump -nn -v -c 4 -r /tmp/cap.pcap "$stray" 2>/dev/null |
		sed 's/^/# /'
# RFC 4301 8: the path MTU is the sender's business: TCP must use an MSS
# that fits in one ESP packet, as with stock XFRM, in every case.
python3 - /tmp/cap.pcap /tmp/cases >/tmp/frags <<'PY'
import struct, sys
cases = [l.rstrip("\n").split("|") for l in open(sys.argv[2])]
starts = sorted((float(c[6]), c[0], c[5]) for c in cases)
count = {c[0]: 0 for c in cases}
f = open(sys.argv[1], "rb")
magic = struct.unpack("<I", f.read(24)[:4])[0]
scale = 1e-9 if magic == 0xa1b23c4d else 1e-6
while True:
    h = f.read(16)
    if len(h) < 16:
        break
    sec, frac, incl, _ = struct.unpack("<IIII", h)
    d = f.read(incl)
    t = sec + frac * scale
    case = None
    for t0, name, _ in starts:
        if t >= t0:
            case = name
    if case is None or len(d) < 14:
        continue
    et = struct.unpack("!H", d[12:14])[0]
    if et == 0x0800 and len(d) >= 22 and \
            struct.unpack("!H", d[20:22])[0] & 0x3fff:
        count[case] += 1
    elif et == 0x86dd and len(d) >= 21 and d[20] == 44:
        count[case] += 1
for t0, name, mode in starts:
    print(f"{name}|{mode}|{count[name]}")
PY
while IFS='|' read -r name mode n; do
	check_eq "$name ($mode): no IP fragments on the wire" 0 "$n"
done </tmp/frags
# anything else is cleartext that should have been protected: TCP, ICMP,
# the inner addresses of a tunnel, ICMP errors
clear='not esp and not arp and not (ip6 and (src net fe80::/10 or dst net ff00::/8))'
check_eq "nothing but ESP crossed the wire" "" \
	"$(tcpdump -r /tmp/cap.pcap -n -c 20 "$clear" 2>/dev/null)"

check "stock XFRM on the peer counted no input errors" peer '
	awk "\$1 ~ /^XfrmIn(Error|StateProtoError|StateSeqError|NoStates|StateInvalid|StateMismatch)\$/ && \$2 != 0 { bad = 1 } { print } END { exit bad }" /proc/net/xfrm_stat'

# The negative control: the peer keyed with other keys than ours (the
# first hex digit changed) in each direction. Nothing may get through,
# and each stack must count the ICVs that do not verify.
CASE=$((CASE + 1))
spi_mp=$((0x1000 * CASE + 0x101))
spi_pm=$((0x1000 * CASE + 0x202))
k_mp=$(hexkey 20 "bad $CASE mp") k_pm=$(hexkey 20 "bad $CASE pm")
bad_mp=$(printf '%s' "$k_mp" | sed 's/^0/1/; t; s/^./0/')
bad_pm=$(printf '%s' "$k_pm" | sed 's/^0/1/; t; s/^./0/')
ktap_info "case $CASE: gcm transport IPv4 with wrong keys, SPIs $(printf '0x%x 0x%x' $spi_mp $spi_pm)"
cat >/tmp/case.conf <<EOF
add 192.0.2.2 192.0.2.1 esp $spi_mp -m transport -r 64 -E aes-gcm-16 0x$k_mp;
add 192.0.2.1 192.0.2.2 esp $spi_pm -m transport -r 64 -E aes-gcm-16 0x$k_pm;
spdadd 192.0.2.2 192.0.2.1 any -P out ipsec esp/transport//require;
spdadd 192.0.2.1 192.0.2.2 any -P in ipsec esp/transport//require;
EOF
check "wrong keys: SAs and policies through PF_KEY" "$PFKEYCTL" -f /tmp/case.conf
check "wrong keys: the peer's SAs and policies through ip xfrm" peer "
	ip xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi $spi_mp \
		mode transport replay-window 64 aead 'rfc4106(gcm(aes))' 0x$bad_mp 128 &&
	ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi $spi_pm \
		mode transport aead 'rfc4106(gcm(aes))' 0x$bad_pm 128 &&
	ip xfrm policy add src 192.0.2.1 dst 192.0.2.2 dir out \
		tmpl proto esp mode transport &&
	ip xfrm policy add src 192.0.2.2 dst 192.0.2.1 dir in \
		tmpl proto esp mode transport"
auth0=$(ipsec_counter esp bad_auth)
check_fails "wrong keys: main cannot ping the peer" \
	ping -c 2 -i 0.3 -w 4 -I 192.0.2.2 192.0.2.1
check_fails "wrong keys: the peer cannot ping main" \
	peer ping -c 2 -i 0.3 -w 4 -I 192.0.2.1 192.0.2.2
auth1=$(ipsec_counter esp bad_auth)
check "wrong keys: bad_auth counted the peer's packets here" \
	test $((auth1 - auth0)) -ge 2
st_mp=$(peer ip -s xfrm state get src 192.0.2.2 dst 192.0.2.1 proto esp \
	spi $spi_mp)
set -- $(xfrm_sa "$st_mp")
check "wrong keys: the peer's inbound SA counted ours as failed ($3)" \
	test "$3" -ge 2
"$PFKEYCTL" -F
"$PFKEYCTL" -F -P
peer "ip xfrm state flush; ip xfrm policy flush" >/dev/null

pair_done
ipsec_unload
ktap_end
