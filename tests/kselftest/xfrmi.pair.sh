#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 1800
# Route-based IPsec: XFRM interfaces ("ip link add NAME type xfrm dev eth0
# if_id N") between ipsec.ko (main guest) and stock Linux's xfrm_interface
# (peer guest, xfrm_user, esp4, esp6, ah4, ah6), keyed on both with the
# same mirrored `ip xfrm` commands: SAs and policies carry XFRMA_IF_ID.
#   ipsec0  if_id 42, ESP tunnel over IPv4: IPv4 and IPv6 inside
#   ipsec1  if_id 43, ESP tunnel over IPv6: IPv4 and IPv6 inside
# Each side routes the other's inner networks through the interfaces.
# Checked: ip link's errors and `ip -d link show` as stock has them; ping
# and TCP both ways through each interface, every inner/outer family; the
# interfaces' counters and enc0's (tcpdump on enc0 sees each cleartext
# packet once); traffic not routed through an interface leaves in the
# clear and touches no SA of an if_id; a packet routed into the other
# interface meets no policy of its if_id there and is counted a carrier
# error; the inbound policy of the interface's if_id decides; an
# interface deleted while traffic flows; namespaces and the module going
# with interfaces present (a kernel report in dmesg fails the file); path
# MTU (too big for the tunnel with DF fails, smaller passes, as stock);
# the ESP packets routed by the table (dev names a VRF, as stock's);
# AH tunnel SAs through ipsec2 (if_id 44): ping and TCP; inbound
# failures of an SA with an if_id (forged ESP and AH: a replay, bad ICVs,
# a short packet) counted in rx_errors and rx_dropped of its interface
# when that is up, not the packets no SA or no policy takes, as stock;
# transport SAs of if_id 45 (ipsec3): received on the interface, and
# sent through it a routing loop (a collision), as stock; IPv6 of up to
# 1280 bytes through both interfaces over a 1280-byte path reaches the
# stock peer (RFC 8200 section 5; stock's own interface drops it); an
# optional outbound tunnel template refused as stock; ipsec6 (if_id 46):
# UDP flood while its SA comes and goes, nothing in the clear;
# modprobe resolves rtnl-link-xfrm to ipsec.ko with
# scripts/modprobe-ipsec.conf.
#
# Addresses: eth0 192.0.2.1 / 2001:db8::1 (peer), 192.0.2.2 / 2001:db8::2
# (main); behind them, on dummy0: 10.1.0.1 fd00:1::1 (peer, ipsec0),
# 10.3.0.1 fd00:3::1 (peer, ipsec1), 10.2.0.1 fd00:2::1 (main, ipsec0),
# 10.4.0.1 fd00:4::1 (main, ipsec1), 10.6.0.1 fd00:6::1 (peer, ipsec2),
# 10.5.0.1 fd00:5::1 (main, ipsec2).
. "$(dirname "$0")/lib/lib.sh"
. "$(dirname "$0")/lib/pair.sh"
pair_peer_loop

SIZE=${XFRMI_SIZE:-262144}
DATA=$PAIR_DIR/data
XFER=$PAIR_DIR/xfer.py
SETUP=$PAIR_DIR/setup.sh
PORT=6000

pair_xfer_script "$XFER"

# The configuration of one side, "main" or "peer": the same commands on
# both stacks, the addresses mirrored.
cat >"$SETUP" <<'EOF'
set -e
k() { printf '%s' "$1" | sha256sum | cut -c1-40; }
M4=192.0.2.2 P4=192.0.2.1 M6=2001:db8::2 P6=2001:db8::1
if [ "$1" = main ]; then
	L4=$M4 R4=$P4 L6=$M6 R6=$P6
	LA=10.2.0 RA=10.1.0 LA6=fd00:2: RA6=fd00:1:
	LB=10.4.0 RB=10.3.0 LB6=fd00:4: RB6=fd00:3:
else
	L4=$P4 R4=$M4 L6=$P6 R6=$M6
	LA=10.1.0 RA=10.2.0 LA6=fd00:1: RA6=fd00:2:
	LB=10.3.0 RB=10.4.0 LB6=fd00:3: RB6=fd00:4:
fi
what=${2:-all}
if [ "$what" = all ] || [ "$what" = sa ]; then
	# SAs: if_id 42 over IPv4, if_id 43 over IPv6, each carrying both
	# inner families (no selector: af-unspec)
	for x in "$M4 $P4 0x4201 42" "$P4 $M4 0x4202 42" \
		 "$M6 $P6 0x4301 43" "$P6 $M6 0x4302 43"; do
		set -- $x
		ip xfrm state add src $1 dst $2 proto esp spi $3 mode tunnel \
			if_id $4 flag af-unspec replay-window 64 \
			aead 'rfc4106(gcm(aes))' 0x$(k "$3") 128
	done
fi
# pol IF_ID LNET RNET TL TR [DIR...]: policies out and in of one inner net
pol()
{
	ip xfrm policy add src $2 dst $3 dir out if_id $1 \
		tmpl src $4 dst $5 proto esp mode tunnel
	ip xfrm policy add src $3 dst $2 dir in if_id $1 \
		tmpl src $5 dst $4 proto esp mode tunnel
}
if [ "$what" = all ] || [ "$what" = pol ]; then
	pol 42 $LA.0/24 $RA.0/24 $L4 $R4
	pol 42 $LA6:/64 $RA6:/64 $L4 $R4
	pol 43 $LB.0/24 $RB.0/24 $L6 $R6
	pol 43 $LB6:/64 $RB6:/64 $L6 $R6
fi
# link NAME IF_ID LNET LNET6 RNET RNET6: an interface and the routes of
# the far side's networks through it
link()
{
	ip link add $1 type xfrm dev eth0 if_id $2
	# no link-local address: no IPv6 traffic of its own (no policy
	# has it, so it would be counted as errors)
	ip link set $1 addrgenmode none
	ip link set $1 up
	ip route add $5.0/24 dev $1 src $3.1
	ip -6 route add $6:/64 dev $1 src $4:1
}
if [ "$what" = all ] || [ "$what" = ipsec0 ]; then
	link ipsec0 42 $LA $LA6 $RA $RA6
fi
if [ "$what" = all ] || [ "$what" = ipsec1 ]; then
	link ipsec1 43 $LB $LB6 $RB $RB6
fi
EOF

# addrs SIDE: eth0 and dummy0 addresses
addrs()
{
	if [ "$1" = main ]; then
		e4=192.0.2.2 e6=2001:db8::2 o=1 a=2 b=4
	else
		e4=192.0.2.1 e6=2001:db8::1 o=2 a=1 b=3
	fi
	echo "ip addr add $e4/24 dev eth0 &&
	ip -6 addr add $e6/64 dev eth0 nodad &&
	ip -6 neigh replace 2001:db8::$o lladdr 52:54:00:12:34:0$o dev eth0 nud permanent &&
	ip link add dummy0 type dummy && ip link set dummy0 up &&
	ip addr add 10.$a.0.1/24 dev dummy0 && ip addr add 10.$b.0.1/24 dev dummy0 &&
	ip -6 addr add fd00:$a::1/64 dev dummy0 nodad &&
	ip -6 addr add fd00:$b::1/64 dev dummy0 nodad"
}

# st NAME: one counter of an interface
st()
{
	cat "/sys/class/net/$1/statistics/$2"
}

# $LINKJSON IF: what `ip -d -j link show` says of the interface that is
# not a counter or an identity of this guest
LINKJSON=$PAIR_DIR/linkjson.sh
cat >"$LINKJSON" <<'EOF'
ip -d -j link show dev "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
li = d.get("linkinfo", {})
print(d.get("ifname"), d.get("link"), sorted(d.get("flags", [])), d.get("mtu"),
      d.get("link_type"), d.get("min_mtu"), d.get("max_mtu"),
      li.get("info_kind"), json.dumps(li.get("info_data"), sort_keys=True))'
EOF

# sa_pkts SPI: packets of the SA with that SPI, from ip -s xfrm state
sa_pkts()
{
	_s=$(ip -s xfrm state | awk -v s="$(printf '0x%08x' "$1")" '
		$0 ~ "spi " s { f = 1 } f { print } f && /lifetime current/ { n = 2 } n && !--n { exit }')
	xfrm_sa "$_s" | cut -d' ' -f1
}

require_module
ktap_begin

# Installed beside stock's, with scripts/modprobe-ipsec.conf, ipsec.ko is
# what "ip link add ... type xfrm" loads (rtnl-link-xfrm)
K=$(uname -r)
MR=/tmp/modroot
mkdir -p $MR/lib/modules/$K/kernel/net/xfrm $MR/lib/modules/$K/updates
cp "$(modinfo -n xfrm_interface)" $MR/lib/modules/$K/kernel/net/xfrm/
cp "$MODULE" $MR/lib/modules/$K/updates/
depmod -b $MR "$K" 2>/dev/null
check_eq "modprobe rtnl-link-xfrm: ipsec.ko, with the modprobe.d file" \
	"insmod $MR/lib/modules/$K/updates/ipsec.ko" \
	"$(modprobe -n -v -d $MR -C "$TOP/scripts/modprobe-ipsec.conf" \
		rtnl-link-xfrm 2>&1 | sed 's/ *$//')"

ipsec_load
modprobe dummy
eval "$(addrs main)"
head -c "$SIZE" /dev/urandom >"$DATA"
SUM=$(sha256sum <"$DATA" | cut -d' ' -f1)

check "the peer comes up" wait_until 120 test -e "$PAIR_DIR/peer-up"
check "the peer loads xfrm_interface, xfrm_user, esp4, esp6 and sets up its addresses" \
	peer "modprobe -a esp4 esp6 xfrm_user xfrm_interface dummy && $(addrs peer)"
check "the guests reach each other in the clear" \
	ping -c 2 -i 0.3 -w 15 192.0.2.1

# --- ip link ---------------------------------------------------------------
# both DESC CMDLINE: status and message of a command line on each stack,
# which must agree
both()
{
	_m=$(sh -c "$2" 2>&1; echo "rc $?")
	_p=$(peer "$2" 2>&1; echo "rc $?")
	ktap_info "stock: $(echo $_p)"
	check_eq "$1, as stock" "$(echo $_p)" "$(echo $_m)"
}
both "if_id 0 is refused" "ip link add xfail type xfrm dev eth0 if_id 0"
both "an interface of the link kind xfrm" \
	"ip link add ipsec9 type xfrm dev eth0 if_id 9"
both "a second interface of one if_id is refused" \
	"ip link add ipsec8 type xfrm dev eth0 if_id 9"
check "ipsec.ko: changing an interface's if_id, as stock" \
	sh -c "ip link set ipsec9 type xfrm dev eth0 if_id 10 &&
		ip -d link show ipsec9 | grep -q 'if_id 0xa'"
check "stock: changing an interface's if_id" \
	peer "ip link set ipsec9 type xfrm dev eth0 if_id 10 &&
		ip -d link show ipsec9 | grep -q 'if_id 0xa'"
both "ip link del" "ip link del ipsec9"
both "... and it is gone" "ip link show ipsec9"
out=$(ip link add xmd type xfrm external 2>&1)
check_eq "ipsec.ko: collect_metadata (external) is refused, with a message" \
	"Error: external (collect_metadata) XFRM interfaces are not supported by ipsec.ko." \
	"$out"

check "ipsec.ko: interfaces, SAs and policies with if_id" sh "$SETUP" main
check "stock: interfaces, SAs and policies with if_id" peer sh "$SETUP" peer
# policies that differ in their if_id alone are different policies
pcmd="ip xfrm policy add src 10.9.0.0/24 dst 10.8.0.0/24 dir out if_id 42 \
tmpl src 192.0.2.9 dst 192.0.2.8 proto esp mode tunnel &&
ip xfrm policy add src 10.9.0.0/24 dst 10.8.0.0/24 dir out if_id 43 \
tmpl src 192.0.2.9 dst 192.0.2.7 proto esp mode tunnel &&
ip xfrm policy add src 10.9.0.0/24 dst 10.8.0.0/24 dir out \
tmpl src 192.0.2.9 dst 192.0.2.6 proto esp mode tunnel"
both "one selector under if_id 42, 43 and none" "$pcmd"
both "GETPOLICY names the if_id" \
	"ip xfrm policy get src 10.9.0.0/24 dst 10.8.0.0/24 dir out if_id 43 | grep -E 'tmpl|if_id'"
both "DELPOLICY with if_id 43 deletes that one" \
	"ip xfrm policy del src 10.9.0.0/24 dst 10.8.0.0/24 dir out if_id 43 &&
	 ip -o xfrm policy list src 10.9.0.0/24 dst 10.8.0.0/24 |
	 grep -oE 'dst 192.0.2.[0-9]|if_id 0x[0-9a-f]*' | sort"
both "... and without if_id, the one of none" \
	"ip xfrm policy del src 10.9.0.0/24 dst 10.8.0.0/24 dir out &&
	 ip xfrm policy list src 10.9.0.0/24 dst 10.8.0.0/24 | grep -E 'tmpl|if_id'"
both "a second delete of if_id 43 finds nothing" \
	"ip xfrm policy del src 10.9.0.0/24 dst 10.8.0.0/24 dir out if_id 43 \
	 >/dev/null 2>&1"
both "if_id 42's is left" \
	"ip xfrm policy del src 10.9.0.0/24 dst 10.8.0.0/24 dir out if_id 42"
for i in ipsec0 ipsec1; do
	ours=$(sh "$LINKJSON" $i)
	ktap_info "ipsec.ko: $ours"
	check_eq "ip -d link show $i: as stock's" \
		"$(peer sh "$LINKJSON" $i)" "$ours"
done
check "ip xfrm policy shows if_id" sh -c \
	"ip xfrm policy | grep -c 'if_id 0x2a' | grep -qx 4"
check "ip xfrm state shows if_id" sh -c \
	"ip xfrm state | grep -c 'if_id 0x2b' | grep -qx 2"

# --- traffic ---------------------------------------------------------------
# (the interfaces' own IPv6 link-local traffic meets no policy: errors)
te0=$(st ipsec0 tx_errors) te1=$(st ipsec1 tx_errors)
# name LOCAL REMOTE IF
for t in "IPv4 in IPv4|10.2.0.1|10.1.0.1|ipsec0|0x4201|0x4202" \
	 "IPv6 in IPv4|fd00:2::1|fd00:1::1|ipsec0|0x4201|0x4202" \
	 "IPv4 in IPv6|10.4.0.1|10.3.0.1|ipsec1|0x4301|0x4302" \
	 "IPv6 in IPv6|fd00:4::1|fd00:3::1|ipsec1|0x4301|0x4302"; do
	IFS='|' read -r name m_in p_in dev spi_o spi_i <<EOF
$t
EOF
	o0=$(sa_pkts $spi_o) i0=$(sa_pkts $spi_i)
	tx0=$(st $dev tx_packets) rx0=$(st $dev rx_packets)
	etx0=$(st enc0 tx_packets) erx0=$(st enc0 rx_packets)
	check "$name: main pings the peer through $dev" \
		ping -c 3 -i 0.3 -w 15 -I "$m_in" "$p_in"
	check "$name: the peer pings main through its $dev" \
		peer ping -c 3 -i 0.3 -w 15 -I "$p_in" "$m_in"
	check "$name: $dev sent and received at least 6 each" \
		ge tx_packets $(($(st $dev tx_packets) - tx0)) 6 \
		rx_packets $(($(st $dev rx_packets) - rx0)) 6
	check "$name: enc0 saw them too" \
		ge tx_packets $(($(st enc0 tx_packets) - etx0)) 6 \
		rx_packets $(($(st enc0 rx_packets) - erx0)) 6
	check "$name: SAs $spi_o and $spi_i carried them" \
		ge "SA $spi_o" $(($(sa_pkts $spi_o) - o0)) 6 \
		"SA $spi_i" $(($(sa_pkts $spi_i) - i0)) 6
done
check_eq "no transmit errors on ipsec0 meanwhile" "$te0" "$(st ipsec0 tx_errors)"
check_eq "no transmit errors on ipsec1 meanwhile" "$te1" "$(st ipsec1 tx_errors)"

for t in "IPv4 in IPv4|10.2.0.1|10.1.0.1|ipsec0" \
	 "IPv6 in IPv6|fd00:4::1|fd00:3::1|ipsec1"; do
	IFS='|' read -r name m_in p_in dev <<EOF
$t
EOF
	tb0=$(st $dev tx_bytes) rb0=$(st $dev rx_bytes)
	ptb0=$(peer cat /sys/class/net/$dev/statistics/tx_bytes)
	prb0=$(peer cat /sys/class/net/$dev/statistics/rx_bytes)
	pair_xfer_both "$name, TCP through $dev"
	check "$name: $dev counted the bytes both ways, here" \
		ge tx_bytes $(($(st $dev tx_bytes) - tb0)) "$SIZE" \
		rx_bytes $(($(st $dev rx_bytes) - rb0)) "$SIZE"
	check "$name: and on the stock peer" \
		ge tx_bytes $(($(peer cat /sys/class/net/$dev/statistics/tx_bytes) - ptb0)) "$SIZE" \
		rx_bytes $(($(peer cat /sys/class/net/$dev/statistics/rx_bytes) - prb0)) "$SIZE"
done

# tcpdump on enc0 and on ipsec0: each echo request and reply once
tcpdump -i enc0 -n -U -w /tmp/enc0.pcap icmp 2>/tmp/td0.err &
td0=$!
tcpdump -i ipsec0 -n -U -w /tmp/if0.pcap icmp 2>/tmp/td1.err &
td1=$!
wait_until 30 grep -q listening /tmp/td0.err
wait_until 30 grep -q listening /tmp/td1.err
ping -c 3 -i 0.3 -w 15 -I 10.2.0.1 10.1.0.1 >/dev/null
sleep 1
kill -INT $td0 $td1
wait $td0 $td1
for f in enc0 if0; do
	n_req=$(tcpdump -r /tmp/$f.pcap --count 'icmp[0] = 8' 2>&1 |
		sed -n 's/^\([0-9]*\) packets\{0,1\}.*/\1/p')
	n_rep=$(tcpdump -r /tmp/$f.pcap --count 'icmp[0] = 0' 2>&1 |
		sed -n 's/^\([0-9]*\) packets\{0,1\}.*/\1/p')
	check_eq "tcpdump on ${f%0}0 saw 3 echo requests and 3 replies" \
		"3 3" "$n_req $n_rep"
done

# --- path MTU: the interface is a hop of its own -----------------------------
for side in main peer; do
	if [ $side = main ]; then
		run= l4=10.2.0.1 r4=10.1.0.1 l6=fd00:2::1 r6=fd00:1::1
	else
		run=peer l4=10.1.0.1 r4=10.2.0.1 l6=fd00:1::1 r6=fd00:2::1
	fi
	check_fails "$side: 1500 bytes with DF through ipsec0 are too big for its tunnel" \
		$run ping -c 2 -i 0.3 -w 4 -M do -s 1472 -I $l4 $r4
	check "$side: 1328 bytes with DF pass" \
		$run ping -c 2 -i 0.3 -w 15 -M do -s 1300 -I $l4 $r4
	check_fails "$side: IPv6, 1500 bytes through ipsec0 are too big" \
		$run ping -c 2 -i 0.3 -w 4 -M do -s 1452 -I $l6 $r6
	check "$side: IPv6, 1348 bytes pass" \
		$run ping -c 2 -i 0.3 -w 15 -M do -s 1300 -I $l6 $r6
done

# the tunnel's own path at IPv6's minimum MTU (eth0 at 1280): an IPv6
# packet of up to 1280 bytes sent through an interface crosses, in
# fragments after ESP (RFC 8200 section 5: a link, a tunnel too, carries
# 1280 bytes whatever lies under it), and the stock peer receives it.
# Stock's own interface drops such a packet on its way out (tx_errors):
# the echo replies do not come back, so only the requests are counted.
ip link set eth0 mtu 1280
peer ip link set eth0 mtu 1280
for t in "ipsec0|IPv4|fd00:2::1|fd00:1::1" "ipsec1|IPv6|fd00:4::1|fd00:3::1"; do
	IFS='|' read -r dev outer a b <<EOF
$t
EOF
	prx0=$(peer cat /sys/class/net/$dev/statistics/rx_packets)
	pte0=$(peer cat /sys/class/net/$dev/statistics/tx_errors)
	ping -c 3 -i 0.3 -w 4 -s 1200 -I $a $b >/dev/null 2>&1
	check "outer MTU 1280: 1248 bytes of IPv6 through $dev ($outer outside) reach the stock peer" \
		ge "peer's $dev rx_packets" \
		$(($(peer cat /sys/class/net/$dev/statistics/rx_packets) - prx0)) 3
	ktap_info "stock: its $dev's tx_errors went up by $(($(peer cat /sys/class/net/$dev/statistics/tx_errors) - pte0)) (its replies)"
done
ip link set eth0 mtu 1500
peer ip link set eth0 mtu 1500

# --- the ESP packets are routed by the table ----------------------------------
# dev names the L3 domain (VRF) of the tunnel's route, as stock's bundle
# route has it; it does not bind it: a host route to the far end through
# dummy0 (which drops all) takes them, on both stacks (IPv4; reverse path
# filtering off, the far end's answers come in by eth0)
sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
peer "sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0"
ip route add 192.0.2.1/32 dev dummy0
check_fails "ipsec.ko: ESP follows a host route into dummy0, dev eth0 or not" \
	ping -c 2 -i 0.3 -w 4 -I 10.2.0.1 10.1.0.1
ip route del 192.0.2.1/32 dev dummy0
peer ip route add 192.0.2.2/32 dev dummy0
check_fails "stock: likewise" ping -c 2 -i 0.3 -w 4 -I 10.2.0.1 10.1.0.1
peer ip route del 192.0.2.2/32 dev dummy0
check "and without those routes, it passes again" \
	ping -c 2 -i 0.3 -w 15 -I 10.2.0.1 10.1.0.1

# --- traffic that is not routed through an interface -----------------------
o0=$(sa_pkts 0x4201)
tcpdump -i eth0 -n -U -w /tmp/clear.pcap 2>/tmp/td2.err &
td2=$!
wait_until 30 grep -q listening /tmp/td2.err
check "eth0 to eth0: ping in the clear" \
	ping -c 2 -i 0.3 -w 15 -I 192.0.2.2 192.0.2.1
ip route add 10.1.0.1/32 via 192.0.2.1 dev eth0
check "10.2.0.1 to 10.1.0.1 routed by eth0: a UDP datagram leaves" \
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.2.0.1", 0)); s.sendto(b"x", ("10.1.0.1", 9))'
ip route del 10.1.0.1/32 via 192.0.2.1 dev eth0
sleep 1
kill -INT $td2
wait $td2
check_eq "... in the clear: no if_id policy applied to it" 1 \
	"$(tcpdump -r /tmp/clear.pcap --count 'udp and dst 10.1.0.1 and dst port 9' 2>&1 |
		sed -n 's/^\([0-9]*\) packets\{0,1\}.*/\1/p')"
check_eq "... and the SA of if_id 42 sent nothing" "$o0" "$(sa_pkts 0x4201)"

# --- one interface's traffic routed into the other --------------------------
# ipsec0 has no policy for 10.4.0.0/24 -> 10.3.0.0/24 under its if_id 42:
# the ping sees an unreachable, the interface counts carrier errors
carrier=
for side in main peer; do
	if [ $side = main ]; then
		run= src=10.4.0.1 dst=10.3.0.1 net=10.3.0.0/24
	else
		run=peer src=10.3.0.1 dst=10.4.0.1 net=10.4.0.0/24
	fi
	c0=$($run cat /sys/class/net/ipsec0/statistics/tx_carrier_errors)
	$run ip route replace $net dev ipsec0 src $src
	check_fails "$side: ipsec1's traffic routed into ipsec0 does not pass" \
		$run ping -c 2 -i 0.3 -w 3 -I $src $dst
	c1=$($run cat /sys/class/net/ipsec0/statistics/tx_carrier_errors)
	carrier="$carrier $((c1 - c0))"
	$run ip route replace $net dev ipsec1 src $src
	check "$side: through ipsec1 again, it passes" \
		$run ping -c 2 -i 0.3 -w 15 -I $src $dst
done
set -- $carrier
check "ipsec0 counted carrier errors, as many as stock's" \
	test "$1" -ge 1 -a "$1" = "$2"

# --- the inbound policy of the interface's if_id decides ---------------------
ip xfrm policy del src 10.1.0.0/24 dst 10.2.0.0/24 dir in if_id 42
check_fails "ipsec.ko: without its inbound policy of if_id 42, the peer's ping fails" \
	peer ping -c 2 -i 0.3 -w 3 -I 10.1.0.1 10.2.0.1
ip xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir in if_id 43 \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel
check_fails "ipsec.ko: an inbound policy of if_id 43 does not do" \
	peer ping -c 2 -i 0.3 -w 3 -I 10.1.0.1 10.2.0.1
ip xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir in if_id 42 \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel
check "ipsec.ko: with it again, it passes" \
	peer ping -c 2 -i 0.3 -w 15 -I 10.1.0.1 10.2.0.1
peer ip xfrm policy del src 10.2.0.0/24 dst 10.1.0.0/24 dir in if_id 42
check_fails "stock: without its inbound policy of if_id 42, main's ping fails" \
	ping -c 2 -i 0.3 -w 3 -I 10.2.0.1 10.1.0.1
peer ip xfrm policy add src 10.2.0.0/24 dst 10.1.0.0/24 dir in if_id 42 \
	tmpl src 192.0.2.2 dst 192.0.2.1 proto esp mode tunnel
check "stock: with it again, it passes" \
	ping -c 2 -i 0.3 -w 15 -I 10.2.0.1 10.1.0.1

# --- ipsec2: AH through an interface; inbound failures of its SAs -----------
# if_id 44 over IPv4: AH tunnel SAs 0x4403/0x4404 for 10.5.0.0/24 (main)
# and 10.6.0.0/24 (peer), fd00:5::/64 and fd00:6::/64; ESP tunnel SAs
# 0x4401/0x4402 that only forged packets use (inbound policy 10.1/10.2)
SETUP2=$PAIR_DIR/setup2.sh
cat >"$SETUP2" <<'EOF'
set -e
k() { printf '%s' "$1" | sha256sum | cut -c1-40; }
M4=192.0.2.2 P4=192.0.2.1
if [ "$1" = main ]; then
	L4=$M4 R4=$P4 LA=10.2.0 RA=10.1.0
	LC=10.5.0 RC=10.6.0 LC6=fd00:5: RC6=fd00:6:
else
	L4=$P4 R4=$M4 LA=10.1.0 RA=10.2.0
	LC=10.6.0 RC=10.5.0 LC6=fd00:6: RC6=fd00:5:
fi
what=${2:-all}
if [ "$what" = all ]; then
	ip addr add $LC.1/24 dev dummy0
	ip -6 addr add $LC6:1/64 dev dummy0 nodad
	for x in "$M4 $P4 0x4401" "$P4 $M4 0x4402"; do
		set -- $x
		ip xfrm state add src $1 dst $2 proto esp spi $3 mode tunnel \
			if_id 44 flag af-unspec replay-window 64 \
			aead 'rfc4106(gcm(aes))' 0x$(k "$3") 128
	done
	for x in "$M4 $P4 0x4403" "$P4 $M4 0x4404"; do
		set -- $x
		ip xfrm state add src $1 dst $2 proto ah spi $3 mode tunnel \
			if_id 44 flag af-unspec replay-window 64 \
			auth 'hmac(sha1)' 0x$(k "$3")
	done
	ip xfrm policy add src $RA.0/24 dst $LA.0/24 dir in if_id 44 \
		tmpl src $R4 dst $L4 proto esp mode tunnel
	for n in "$LC.0/24 $RC.0/24" "$LC6:/64 $RC6:/64"; do
		set -- $n
		ip xfrm policy add src $1 dst $2 dir out if_id 44 \
			tmpl src $L4 dst $R4 proto ah mode tunnel
		ip xfrm policy add src $2 dst $1 dir in if_id 44 \
			tmpl src $R4 dst $L4 proto ah mode tunnel
	done
	ip link add ipsec2 type xfrm dev eth0 if_id 44
	ip link set ipsec2 addrgenmode none
fi
ip link set ipsec2 up
ip route add $RC.0/24 dev ipsec2 src $LC.1
ip -6 route add $RC6:/64 dev ipsec2 src $LC6:1
EOF
check "stock: ah4 and ah6 loaded" peer modprobe -a ah4 ah6
check "ipsec.ko: ipsec2, if_id 44, AH and ESP SAs" sh "$SETUP2" main
check "stock: ipsec2" peer sh "$SETUP2" peer

for t in "IPv4 in IPv4|10.5.0.1|10.6.0.1" "IPv6 in IPv4|fd00:5::1|fd00:6::1"; do
	IFS='|' read -r name m_in p_in <<EOF
$t
EOF
	o0=$(sa_pkts 0x4403) i0=$(sa_pkts 0x4404)
	check "AH, $name: main pings the peer through ipsec2" \
		ping -c 3 -i 0.3 -w 15 -I "$m_in" "$p_in"
	check "AH, $name: the peer pings main through its ipsec2" \
		peer ping -c 3 -i 0.3 -w 15 -I "$p_in" "$m_in"
	check "AH, $name: SAs 0x4403 and 0x4404 carried them" \
		ge "SA 0x4403" $(($(sa_pkts 0x4403) - o0)) 6 \
		"SA 0x4404" $(($(sa_pkts 0x4404) - i0)) 6
done
m_in=10.5.0.1 p_in=10.6.0.1
pair_xfer_both "AH, TCP through ipsec2"

# Stock's xfrm_input() hands a packet it drops once it found the SA to
# xfrm_interface, which counts it in rx_errors and rx_dropped of the
# interface of the SA's if_id, if that is up. Forged packets from the
# other guest (lib/esp_forge.py: RFC 4106 by itself) to the SAs of
# if_id 44 on each stack, and the receiver's ipsec2 counters after each.
FORGE=$TOP/tests/kselftest/lib/esp_forge.py
RAW=$TOP/tests/kselftest/lib/send_raw.py
# rxc SIDE: rx_packets rx_errors rx_dropped of SIDE's ipsec2
rxc()
{
	_c="cd /sys/class/net/ipsec2/statistics &&
		echo \$(cat rx_packets rx_errors rx_dropped)"
	if [ "$1" = main ]; then sh -c "$_c"; else peer "$_c"; fi
}
# from SIDE CMD...: run CMD on the guest that is not SIDE
from()
{
	_s=$1
	shift
	if [ "$_s" = main ]; then peer "$*"; else "$@"; fi
}
# rxerr SIDE: one line per case, "case: +packets +errors +dropped" of
# SIDE's ipsec2 (+errors +dropped where stock counts a packet received
# before its policy check refuses it, and ipsec.ko does not)
rxerr()
{
	side=$1
	if [ "$side" = main ]; then
		src=192.0.2.1 dst=192.0.2.2 spi=0x4402 ah=0x4404
		inner=10.1.0.1:10.2.0.1 other=10.9.0.1:10.2.0.1 run=
	else
		src=192.0.2.2 dst=192.0.2.1 spi=0x4401 ah=0x4403
		inner=10.2.0.1:10.1.0.1 other=10.9.0.1:10.1.0.1 run=peer
	fi
	key=$(printf '%s' $spi | sha256sum | cut -c1-40)
	esp="python3 $FORGE $src $dst"
	echo="--icmp-echo 8 --inner $inner"
	last=$(rxc $side) nopk=
	rxcase "a valid packet" $esp $spi $key 1 $echo
	rxcase "the same again, a replay" $esp $spi $key 1 $echo
	rxcase "a bad ICV" $esp $spi $key 2 $echo --bad-icv
	rxcase "ESP cut short after its IV" $esp $spi $key 3 $echo --truncate 20
	# AH (RFC 4302 2): next header 4, length 4 (24 bytes with HMAC-SHA1's
	# 12-byte ICV), reserved, SPI, sequence number 1, a wrong ICV
	rxcase "AH with a bad ICV" python3 $RAW $dst 51 \
		"04040000$(printf '%08x' $ah)00000001$(printf '5a%.0s' $(seq 32))"
	rxcase "an SPI without an SA" $esp 0x4499 $key 4 $echo
	nopk=1
	rxcase "a valid packet its inbound policy refuses" \
		$esp $spi $key 5 --icmp-echo 8 --inner $other
	nopk=
	$run ip link set ipsec2 down
	rxcase "a bad ICV with ipsec2 down" $esp $spi $key 6 $echo --bad-icv
	$run sh "$SETUP2" $side routes
}
# rxcase NAME CMD...: CMD on the other guest, then the deltas since $last
rxcase()
{
	_n=$1
	shift
	from $side "$@" >/dev/null 2>&1
	sleep 1
	_now=$(rxc $side)
	_d=$(echo $last $_now |
		awk '{ print "+" $4 - $1, "+" $5 - $2, "+" $6 - $3 }')
	[ -z "$nopk" ] || _d=${_d#* }
	echo "$_n: $_d"
	last=$_now
}
# as_stock WHAT OURS STOCK: two transcripts of lines "KEY: ...", each of
# stock's checked against ours' line of that KEY
as_stock()
{
	ktap_info "stock: $(echo "$3" | tr '\n' ';')"
	ktap_info "ipsec.ko: $(echo "$2" | tr '\n' ';')"
	while IFS= read -r _l; do
		check_eq "$1 ${_l%%: *}: as stock's" "$_l" \
			"$(echo "$2" | awk -v n="${_l%%: *}: " 'index($0, n) == 1')"
	done <<EOF
$3
EOF
}
ours=$(rxerr main)
stock=$(rxerr peer)
as_stock "ipsec2 receive counters," "$ours" "$stock"
check "stock counted the replay, the bad ICVs and the short packet" \
	test "$(echo "$stock" | grep -c ' +1 +1$')" -eq 4

# --- ipsec3: transport mode ----------------------------------------------------
# if_id 45: ESP transport between the eth0 addresses for UDP to port 7000,
# which a rule routes into ipsec3 (ipproto udp dport 7000), and 7001, which
# is not routed there.
#   0x4501/0x4502: if_id 45 on both stacks, with out and in policies of
#     if_id 45 for port 7000
#   0x4503 (main to peer), 0x4504 (peer to main): the sender's SA and out
#     policy (port 7001) have no if_id, the receiver's SA has if_id 45 and
#     its in policy too: received on the receiver's ipsec3
# Stock's transport bundle keeps the packet's own route, ipsec3, as its
# path: xfrmi_xmit2() says "Local routing loop detected!", counts a
# collision and drops the packet; received, a transport SA's packet is
# the interface's as a tunnel's is, and keeps the ESP packet's route: a
# strict rp_filter on ipsec3 does not see it (stock spares packets that
# came through IPsec anyway).
SETUP3=$PAIR_DIR/setup3.sh
cat >"$SETUP3" <<'EOF'
set -e
k() { printf '%s' "$1" | sha256sum | cut -c1-40; }
M4=192.0.2.2 P4=192.0.2.1
if [ "$1" = main ]; then L4=$M4 R4=$P4; else L4=$P4 R4=$M4; fi
for x in "$M4 $P4 0x4501 45" "$P4 $M4 0x4502 45" "$M4 $P4 0x4503" \
	 "$P4 $M4 0x4504"; do
	set -- $x
	# 0x4503 and 0x4504: if_id 45 at the receiver only
	ifid=${4:+if_id $4}
	[ -n "$4" ] || [ "$2" != "$L4" ] || ifid="if_id 45"
	ip xfrm state add src $1 dst $2 proto esp spi $3 mode transport \
		$ifid replay-window 64 aead 'rfc4106(gcm(aes))' 0x$(k "$3") 128
done
ip xfrm policy add src $L4 dst $R4 proto udp dport 7000 dir out if_id 45 \
	tmpl src $L4 dst $R4 proto esp mode transport
ip xfrm policy add src $R4 dst $L4 proto udp dport 7000 dir in if_id 45 \
	tmpl src $R4 dst $L4 proto esp mode transport
ip xfrm policy add src $L4 dst $R4 proto udp dport 7001 dir out \
	tmpl src $L4 dst $R4 proto esp mode transport
ip xfrm policy add src $R4 dst $L4 proto udp dport 7001 dir in if_id 45 \
	tmpl src $R4 dst $L4 proto esp mode transport
ip link add ipsec3 type xfrm dev eth0 if_id 45
ip link set ipsec3 addrgenmode none
ip link set ipsec3 up
# strict reverse path filtering: the far end's address is routed by eth0
sysctl -qw net.ipv4.conf.ipsec3.rp_filter=1
ip rule add ipproto udp dport 7000 lookup 145 pref 100
ip route add $R4/32 dev ipsec3 table 145
EOF
check "ipsec.ko: ipsec3, if_id 45, transport SAs" sh "$SETUP3" main
check "stock: ipsec3" peer sh "$SETUP3" peer
U1=$PAIR_DIR/udp1.py
cat >"$U1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if sys.argv[1] == "recv":       # recv PORT OUT: "yes" or "no" in OUT
    s.bind(("0.0.0.0", int(sys.argv[2])))
    open(sys.argv[3] + ".ready", "w").close()
    s.settimeout(15)
    try:
        s.recv(100)
        got = "yes"
    except OSError:
        got = "no"
    open(sys.argv[3], "w").write(got + "\n")
else:                           # send SRC DST PORT
    s.bind((sys.argv[2], 0))
    s.sendto(b"x", (sys.argv[3], int(sys.argv[4])))
EOF
# on SIDE CMDLINE: run CMDLINE on main or on the peer
on()
{
	if [ "$1" = main ]; then
		sh -c ". \"$TOP/tests/kselftest/lib/lib.sh\"
$2"
	else
		peer "$2"
	fi
}
C3='cd /sys/class/net/ipsec3/statistics &&
	echo $(cat tx_packets tx_errors tx_dropped collisions rx_packets)'
# tport SIDE: a datagram from SIDE to each port, a line each: received,
# and the counters' changes, SIDE's ipsec3 "tx errors dropped collisions"
# and its SA's packets, the receiver's ipsec3 rx
tport()
{
	if [ "$1" = main ]; then
		src=192.0.2.2 dst=192.0.2.1 rcv=peer spis="0x4501 0x4503"
	else
		src=192.0.2.1 dst=192.0.2.2 rcv=main spis="0x4502 0x4504"
	fi
	for port in 7000 7001; do
		spi=${spis%% *} spis=${spis#* }
		sa="ip -s xfrm state get src $src dst $dst proto esp spi $spi |
			awk '/lifetime current/ { getline;
			      gsub(/[(),a-z]+/, \" \"); print \$2 }'"
		s0=$(on $1 "$C3") r0=$(on $rcv "$C3") p0=$(on $1 "$sa")
		on $rcv "rm -f /tmp/u.out*; python3 $U1 recv $port /tmp/u.out \
			>/dev/null 2>&1 & wait_until 30 test -e /tmp/u.out.ready"
		on $1 "python3 $U1 send $src $dst $port"
		on $rcv "wait_until 30 test -s /tmp/u.out" >/dev/null
		echo "$port: received $(on $rcv 'cat /tmp/u.out'), $(echo \
			$s0 $(on $1 "$C3") $r0 $(on $rcv "$C3") $p0 $(on $1 "$sa") |
			awk '{ print "tx +" $6 - $1, "errors +" $7 - $2,
			       "dropped +" $8 - $3, "collisions +" $9 - $4,
			       "SA +" $22 - $21, "receiver rx +" $20 - $15 }')"
	done
}
ours=$(tport main)
stock=$(tport peer)
as_stock "transport, UDP to port" "$ours" "$stock"
check_eq "stock: port 7000 (through ipsec3) a routing loop, 7001 received on ipsec3" \
	"7000: received no, tx +0 errors +1 dropped +1 collisions +1 SA +0 receiver rx +0
7001: received yes, tx +0 errors +0 dropped +0 collisions +0 SA +1 receiver rx +1" \
	"$stock"

# --- an interface's only SA deleted and added again under traffic -------------
# An optional (level use) tunnel template in an outbound policy is refused,
# as stock's xfrm_user refuses it. ipsec6 (if_id 46): its SA (0x4601) is
# added and deleted over and over while UDP floods through it
# (lib/xfrm_churn.py): a packet whose SA went away after its policy was
# looked up is dropped (stock: a link failure), never sent in the clear,
# and the kernel reports nothing.
both "an optional tunnel template in an outbound policy is refused" \
	"ip xfrm policy add dst 10.9.0.0/24 dir out if_id 46 \
	 tmpl src 192.0.2.9 dst 192.0.2.8 proto esp mode tunnel level use"
for side in main peer; do
	if [ $side = main ]; then
		l=192.0.2.2 r=192.0.2.1
	else
		l=192.0.2.1 r=192.0.2.2
	fi
	check "$side: ipsec6, if_id 46, and its outbound policy" \
		on $side "ip link add ipsec6 type xfrm dev eth0 if_id 46 &&
		ip link set ipsec6 addrgenmode none && ip link set ipsec6 up &&
		ip route add 10.9.0.0/24 dev ipsec6 &&
		ip xfrm policy add dst 10.9.0.0/24 dir out if_id 46 \
			tmpl src $l dst $r proto esp mode tunnel"
	out=$(on $side "python3 $TOP/tests/kselftest/lib/xfrm_churn.py $l $r 46 15 2>&1")
	ktap_info "$side: $out"
	check_eq "$side: UDP flood while the SA comes and goes: none in the clear" \
		"clear 0" "$(echo "$out" | grep -o 'clear [0-9]*')"
	check "$side: ... and ESP went out while the SA was there" \
		sh -c "echo '$out' | grep -qE 'esp [1-9]'"
	on $side "ip link del ipsec6;
		ip xfrm policy del dst 10.9.0.0/24 dir out if_id 46;
		ip xfrm state del src $l dst $r proto esp spi 0x4601 2>/dev/null; true"
done

# --- an interface deleted while traffic flows ---------------------------------
ping -q -i 0.02 -c 500 -I fd00:4::1 fd00:3::1 >/tmp/ping.out 2>&1 &
pp=$!
PORT=$((PORT + 1))
peer "rm -f /tmp/ready; python3 $XFER recv 10.3.0.1 $PORT /tmp/ready >/tmp/recv.log 2>&1 &
	wait_until 30 test -e /tmp/ready" >/dev/null
python3 "$XFER" send 10.4.0.1 10.3.0.1 "$PORT" "$DATA" >/tmp/xfer.out 2>&1 &
xp=$!
sleep 2
check "ip link del ipsec1 while ping and TCP run through it" ip link del ipsec1
ktap_info "route now: $(ip -6 route get fd00:3::1 from fd00:4::1 2>&1)"
wait $pp $xp
ktap_info "ping: $(grep -E 'transmitted' /tmp/ping.out)"
ktap_info "TCP: $(cat /tmp/xfer.out)"
check_fails "ipsec1 is gone" ip link show ipsec1
check_fails "a ping to its network fails now" \
	ping -c 1 -w 2 -I fd00:4::1 fd00:3::1
check "ipsec1 again: traffic passes" sh -c "sh $SETUP main ipsec1 &&
	ping -c 2 -i 0.3 -w 15 -I 10.4.0.1 10.3.0.1"

# --- namespaces and the module going with interfaces present ------------------
check "an interface in a new namespace" sh -c "ip netns add xi &&
	ip -n xi link add xi0 type xfrm if_id 7 && ip -n xi link set xi0 up &&
	ip -n xi link add xi1 type xfrm if_id 8 && ip -n xi link set lo up"
check_eq "... does not see the interfaces of another" "" \
	"$(ip -n xi -o link show type xfrm | grep ipsec)"
check "ipsec.ko: an interface stays in its namespace" sh -c \
	"ip link add ipsec7 type xfrm if_id 77 &&
	 ! ip link set ipsec7 netns xi 2>/dev/null && ip link del ipsec7"
check "... goes with it" ip netns del xi
pair_done
check "rmmod with ipsec0 and ipsec1 present" rmmod ipsec
check_fails "... deletes them" ip link show ipsec0
ktap_end
