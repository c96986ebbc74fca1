#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ESP on the wire between ipsec.ko (main guest, keyed with pfkeyctl) and
# stock Linux XFRM (peer guest, esp4/esp6 keyed with ip xfrm): AES-GCM-16
# (rfc4106) and AES-CBC + HMAC-SHA-256-128, transport and tunnel mode,
# IPv4 and IPv6 and a tunnel of each family inside the other. Every case
# pings both ways, moves a file over TCP both ways (each side connects
# once) and compares its SHA-256, captures main's eth0 to see only ESP
# with the case's SPIs (no cleartext ICMP or TCP, no inner address), and
# reads the counters of both stacks.
#
# The peer only runs what main hands it: main writes a shell command to
# $PAIR_DIR/cmd.N, the peer runs it and leaves out.N and rc.N.
#
# Addresses: eth0 192.0.2.1 / 2001:db8::1 (peer), 192.0.2.2 / 2001:db8::2
# (main); behind them, on dummy0, 10.1.0.1/24 fd00:1::1/64 (peer) and
# 10.2.0.1/24 fd00:2::1/64 (main).
. "$(dirname "$0")/lib/lib.sh"

if [ "${ROLE:-}" = peer ]; then
	touch "$PAIR_DIR/peer-up"
	n=0
	while :; do
		while [ ! -e "$PAIR_DIR/cmd.$n" ]; do
			[ -e "$PAIR_DIR/main-done" ] && exit 0
			sleep 0.1
		done
		sh -c ". \"$TOP/tests/kselftest/lib/lib.sh\"
$(cat "$PAIR_DIR/cmd.$n")" >"$PAIR_DIR/out.$n" 2>&1 </dev/null
		echo $? >"$PAIR_DIR/rc.$n.tmp"
		mv "$PAIR_DIR/rc.$n.tmp" "$PAIR_DIR/rc.$n"
		n=$((n + 1))
	done
fi

PFKEYCTL=$TOP/tools/pfkeyctl/pfkeyctl
SIZE=${INTEROP_SIZE:-2097152}
DATA=$PAIR_DIR/data
XFER=$PAIR_DIR/xfer.py
echo 0 >/tmp/peer.seq

# peer CMD...: run a shell command line on the peer, show its output,
# return its status (works inside check's subshell: the sequence number
# lives in a file)
peer()
{
	_pn=$(cat /tmp/peer.seq)
	echo $((_pn + 1)) >/tmp/peer.seq
	printf '%s\n' "$*" >"$PAIR_DIR/cmd.tmp"
	mv "$PAIR_DIR/cmd.tmp" "$PAIR_DIR/cmd.$_pn"
	if ! wait_until 300 test -e "$PAIR_DIR/rc.$_pn"; then
		echo "the peer did not answer: $*"
		return 1
	fi
	cat "$PAIR_DIR/out.$_pn"
	return "$(cat "$PAIR_DIR/rc.$_pn")"
}

# hexkey BYTES SEED: a key that differs per case and direction
hexkey()
{
	printf '%s' "$2" | sha256sum | cut -c1-$(($1 * 2))
}

cat >"$XFER" <<'EOF'
# recv ADDR PORT READY: take one connection, read to EOF, answer and print
#   "sha256 length"
# send SRC DST PORT FILE: send FILE, print the receiver's answer
import hashlib, socket, sys

def sock(addr):
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    return socket.socket(fam, socket.SOCK_STREAM)

if sys.argv[1] == 'recv':
    addr, port, ready = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    s = sock(addr)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(90)
    open(ready, 'w').close()
    c, who = s.accept()
    c.settimeout(40)
    h, n = hashlib.sha256(), 0
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        h.update(d)
        n += len(d)
    c.sendall(('%s %d\n' % (h.hexdigest(), n)).encode())
    c.close()
    print(h.hexdigest(), n, 'from', who[0])
else:
    src, dst, port, path = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    s = sock(dst)
    s.settimeout(40)
    s.bind((src, 0))
    s.connect((dst, port))
    with open(path, 'rb') as f:
        s.sendall(f.read())
    s.shutdown(socket.SHUT_WR)
    r = b''
    while True:
        d = s.recv(4096)
        if not d:
            break
        r += d
    print(r.decode().strip())
EOF

# the counters of /proc/net/ipsec/esp that must not move
esp_errors()
{
	for c in bad_auth replay bad_padding bad_payload_length no_sa \
		crypto_failures policy_drops header_drops; do
		echo "$c $(ipsec_counter esp $c)"
	done
}

# capture_check FILE M_OUT P_OUT SPI_MP SPI_PM CLEAR_FILTER
capture_check()
{
	_f=$1
	_mp=$(printf 'ESP(spi=0x%08x' "$4")
	_pm=$(printf 'ESP(spi=0x%08x' "$5")
	_esp=$(tcpdump -r "$_f" -n esp 2>/dev/null)
	_ok=0
	_n_mp=$(printf '%s\n' "$_esp" | grep -cF "$2 > $3: $_mp")
	_n_pm=$(printf '%s\n' "$_esp" | grep -cF "$3 > $2: $_pm")
	_spis=$(printf '%s\n' "$_esp" | grep -o 'ESP(spi=0x[0-9a-f]*' | sort -u |
		tr '\n' ' ')
	_clear=$(tcpdump -r "$_f" -n "$6" 2>/dev/null)
	echo "ESP main->peer spi $4: $_n_mp, peer->main spi $5: $_n_pm; SPIs seen: $_spis"
	[ "$_n_mp" -ge 10 ] && [ "$_n_pm" -ge 10 ] || _ok=1
	[ "$_spis" = "$(printf '%s\n%s\n' "$_mp" "$_pm" | sort -u | tr '\n' ' ')" ] ||
		_ok=1
	if [ -n "$_clear" ]; then
		echo "cleartext on the wire ($6):"
		printf '%s\n' "$_clear" | head -n 10
		_ok=1
	fi
	return $_ok
}

# xfer_check EXPECTED CMD...: CMD prints the receiver's "sha256 length"
xfer_check()
{
	_want=$1
	shift
	_got=$("$@" 2>&1)
	echo "sent $_want, receiver says: $_got"
	[ "$_got" = "$_want" ]
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
		clear_filter='tcp or icmp or (icmp6 and (ip6[40] == 128 or ip6[40] == 129))'
	else
		if [ "$inner" = 4 ]; then
			m_in=10.2.0.1 p_in=10.1.0.1
			m_sel=10.2.0.0/24 p_sel=10.1.0.0/24
		else
			m_in=fd00:2::1 p_in=fd00:1::1
			m_sel=fd00:2::/64 p_sel=fd00:1::/64
		fi
		tmpl_mp=$m_out-$p_out tmpl_pm=$p_out-$m_out
		clear_filter="tcp or icmp or (icmp6 and (ip6[40] == 128 or ip6[40] == 129)) or host $m_in or host $p_in"
	fi
	if [ "$mode" = tunnel ] && [ "$inner" != "$outer" ]; then
		name="$alg tunnel IPv$inner-in-IPv$outer"
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
	check "$name: SAs and policies through PF_KEY" "$PFKEYCTL" -f /tmp/case.conf
	check "$name: the peer's SAs and policies through ip xfrm" peer "
		ip xfrm state add src $m_out dst $p_out proto esp spi $spi_mp \
			mode $mode replay-window 64 $xf_mp &&
		ip xfrm state add src $p_out dst $m_out proto esp spi $spi_pm \
			mode $mode $xf_pm &&
		ip xfrm policy add src $p_sel dst $m_sel dir out \
			tmpl src $p_out dst $m_out proto esp mode $mode &&
		ip xfrm policy add src $m_sel dst $p_sel dir in \
			tmpl src $m_out dst $p_out proto esp mode $mode"

	out0=$(ipsec_counter esp output_packets)
	in0=$(ipsec_counter esp input_packets)
	rm -f /tmp/cap.pcap /tmp/tcpdump.err
	tcpdump -i eth0 -n -U -Z root -s 96 -w /tmp/cap.pcap \
		2>/tmp/tcpdump.err &
	tdpid=$!
	wait_until 20 grep -q listening /tmp/tcpdump.err

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
	sleep 0.5
	kill -INT "$tdpid"
	wait "$tdpid"
	check "$name: only ESP with SPIs $(printf '0x%x 0x%x' $spi_mp $spi_pm) on the wire" \
		capture_check /tmp/cap.pcap "$m_out" "$p_out" "$spi_mp" \
		"$spi_pm" "$clear_filter"

	out1=$(ipsec_counter esp output_packets)
	in1=$(ipsec_counter esp input_packets)
	min=$((SIZE / 1500))
	check "$name: output_packets went up by at least $min" \
		test $((out1 - out0)) -ge "$min"
	check "$name: input_packets went up by at least $min" \
		test $((in1 - in0)) -ge "$min"
	check_eq "$name: no ESP errors counted here" "$ERRS0" "$(esp_errors)"

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

check "stock XFRM on the peer counted no input errors" peer '
	awk "\$1 ~ /^XfrmIn(Error|StateProtoError|StateSeqError|NoStates|StateInvalid|StateMismatch)\$/ && \$2 != 0 { bad = 1 } { print } END { exit bad }" /proc/net/xfrm_stat'
touch "$PAIR_DIR/main-done"
ipsec_unload
ktap_end
