#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 1200
# libreswan as Debian ships it (pluto 4.10, unpacked by scripts/install-deps,
# unchanged) keying ipsec.ko through XFRM netlink in the main guest, against
# the same pluto on stock Linux XFRM (xfrm_user, esp4) in the peer guest.
# IKEv2 with a PSK, one IKE SA carrying four Child SAs, all started by main:
#   tun-gcm  tunnel 10.2.0.0/24 <-> 10.1.0.0/24, AES-GCM-16 (ESN)
#   tun-cbc  tunnel 10.2.1.0/24 <-> 10.1.1.0/24, AES-CBC + HMAC-SHA-256-128
#   tr-cbc   transport 192.0.2.2 <-> 192.0.2.1 for ICMP, AES-CBC/SHA-256
#   tr-gcm   transport between the same hosts for TCP, AES-GCM-16
# Checked: the SAs in our SAD are the peer's (addresses and SPIs), pings
# pass each ICMP SA and a TCP connection gets its RST through tr-gcm, only
# ESP on the wire, pluto reads the byte counts from us, a Child SA rekeyed
# from each side and the IKE SA rekeyed from ours bring new SPIs on both
# sides and remove the old, deleting leaves no SA and no policy on either
# side, pluto logs no kernel error, and the module unloads.
# pluto in both guests reads the same connections (left is main): it finds
# its own side by its address. updown scripts are disabled (no routes or firewall
# rules from them): the test adds the routes itself.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib/lib.sh"
. "$(dirname "$0")/lib/pair.sh"
. "$(dirname "$0")/lib/libreswan.sh"
LSW_LIB=$TOP/tests/kselftest/lib/libreswan.sh

CONF=$PAIR_DIR/ipsec.conf
PEER_CONF=$PAIR_DIR/ipsec-peer.conf
SECRETS=$PAIR_DIR/ipsec.secrets
CONNS="tun-gcm tun-cbc tr-cbc tr-gcm"

# net_setup OUTER INNER-PREFIX PEER-OUTER PEER-INNER-PREFIX
net_setup()
{
	ip addr add "$1/24" dev eth0
	ip link add dummy0 type dummy
	ip addr add "$2.0.1/24" dev dummy0
	ip addr add "$2.1.1/24" dev dummy0
	ip link set dummy0 up
	ip route add "$4.0.0/23" via "$3"
}

# warm_up: load the ESP modules and instantiate both ciphers (with their
# self-tests) before pluto starts. Under TCG that takes tens of seconds
# the first time, and stock XFRM drops the SPI pluto allocated when the
# SA is not complete within 30 s (net.core.xfrm_acq_expires): UPDSA then
# fails with ESRCH.
warm_up()
{
	[ "${ROLE:-}" != peer ] || modprobe -q -a esp4 xfrm_user
	ip xfrm state add src 192.0.2.250 dst 192.0.2.251 proto esp spi 0x100 \
		aead 'rfc4106(gcm(aes))' 0x0000000000000000000000000000000000000000 128
	ip xfrm state add src 192.0.2.250 dst 192.0.2.251 proto esp spi 0x101 \
		enc 'cbc(aes)' 0x00000000000000000000000000000000 \
		auth-trunc 'hmac(sha256)' 0x0000000000000000000000000000000000000000000000000000000000000000 128
	ip xfrm state flush
}

if [ "${ROLE:-}" = peer ]; then
	net_setup 192.0.2.1 10.1 192.0.2.2 10.2
	warm_up
	lsw_mount
	pair_serve
	lsw_stop /tmp/lsw
	exit 0
fi

require_module
ktap_begin
if ! lsw_available; then
	ktap_skip "Debian's libreswan" "$LSW_ROOT: not unpacked (scripts/install-deps)"
	pair_done
	ktap_end
fi
ipsec_load
net_setup 192.0.2.2 10.2 192.0.2.1 10.1
warm_up
lsw_mount
L=/tmp/lsw

# pluto's logs: the tails after each failed check, the whole in
# .cache/check/ after the run
nfail=0
logs_on_failure()
{
	[ "$_ktap_fail" -gt "$nfail" ] || return 0
	nfail=$_ktap_fail
	echo "# --- tail of main's pluto log (all: .cache/check/libreswan-pluto-main.log)"
	grep -v ': | ' "$L/pluto.log" | tail -n 25 | sed 's/^/#   /'
	echo "# --- tail of the peer's pluto log"
	peer "grep -v ': | ' /tmp/lsw/pluto.log | tail -n 25" | sed 's/^/#   /'
}
lc() { check "$@"; logs_on_failure; }
lc_eq() { check_eq "$@"; logs_on_failure; }
cleanup()
{
	kill "$tcpdump_pid" 2>/dev/null
	cp "$L/pluto.log" "$TOP/.cache/check/libreswan-pluto-main.log" 2>/dev/null
	pair_done
}
trap cleanup EXIT

# lsw_conf GCM-ESP CBC-ESP: the connections, each with its ESP proposals.
# main (the initiator) offers one proposal per connection; the peer
# accepts both everywhere, because pluto 4.10 answers a CREATE_CHILD_SA
# with the proposals of the connection its IKE SA was made for, even when
# the traffic selectors pick another one.
lsw_conf()
{
	cat <<EOT
config setup
	uniqueids=yes

conn %default
	left=192.0.2.2
	right=192.0.2.1
	authby=secret
	ike=aes128-sha2_256;modp2048
	leftupdown=%disabled
	rightupdown=%disabled
	rekey=yes
	auto=add

conn tun-gcm
	leftsubnet=10.2.0.0/24
	rightsubnet=10.1.0.0/24
	esp=$1

conn tun-cbc
	leftsubnet=10.2.1.0/24
	rightsubnet=10.1.1.0/24
	esp=$2

conn tr-cbc
	type=transport
	leftprotoport=icmp
	rightprotoport=icmp
	esp=$2

conn tr-gcm
	type=transport
	leftprotoport=tcp
	rightprotoport=tcp
	esp=$1
EOT
}
GCM=aes_gcm128-null
CBC=aes128-sha2_256
lsw_conf $GCM $CBC >"$CONF"
lsw_conf $GCM,$CBC $GCM,$CBC >"$PEER_CONF"
echo '192.0.2.2 192.0.2.1 : PSK "ipsec.ko and libreswan, a test secret"' >"$SECRETS"

wait_until 120 test -e "$PAIR_DIR/peer-up" || ktap_info "the peer is not up"

# sas: "src dst spi" of every ESP SA in this stack, sorted
sas()
{
	ip xfrm state | awk '/^src/ { s = $2; d = $4 }
			     /proto esp spi/ { print s, d, $4 }' | sort
}
SAS_FN='sas() { ip xfrm state | awk "/^src/ { s = \$2; d = \$4 } /proto esp spi/ { print s, d, \$4 }" | sort; }'
peer_sas() { peer "$SAS_FN; sas"; }

# same_sas N: both stacks hold the same N SAs
same_sas()
{
	_m=$(sas)
	_p=$(peer_sas)
	echo "main:"; echo "$_m"; echo "peer:"; echo "$_p"
	[ "$_m" = "$_p" ] && [ "$(echo "$_m" | grep -c .)" -eq "$1" ]
}

check "pluto starts over ipsec.ko (main)" lsw_start "$L" "$CONF" "$SECRETS"
check "pluto starts over stock XFRM (peer)" \
	peer ". $LSW_LIB; lsw_start /tmp/lsw $PEER_CONF $SECRETS"
check "main's XFRM is ipsec.ko, not xfrm_user" sh -c '! grep -q "^xfrm_user " /proc/modules'
check "the peer's XFRM is xfrm_user" peer 'grep "^xfrm_user " /proc/modules'
# shellcheck disable=SC2086
check "the connections load here" lsw_add "$L" "$CONF" $CONNS
check "the connections load on the peer" peer ". $LSW_LIB; lsw_add /tmp/lsw $PEER_CONF $CONNS"

# --immediate-mode: without it the packets of the last ring block still
# unread when tcpdump is stopped (the final TCP exchange) are lost
tcpdump --immediate-mode -U -i eth0 -n -w /tmp/cap.pcap 2>/dev/null &
tcpdump_pid=$!
sleep 1

for c in $CONNS; do
	lsw_whack "$L" --name "$c" --initiate >/tmp/init.out 2>&1
	lc "$c: established" grep -q "established Child SA" /tmp/init.out
done
lc "8 SAs, the same (addresses, SPIs) on both sides" same_sas 8
algs()
{
	echo "AES-GCM: $(ip xfrm state | grep -c 'aead rfc4106(gcm(aes))')," \
	     "AES-CBC: $(ip xfrm state | grep -c 'enc cbc(aes)')," \
	     "HMAC-SHA-256-128: $(ip xfrm state | grep -c 'auth-trunc hmac(sha256) 0x[0-9a-f]* 128')"
}
lc_eq "4 AES-GCM SAs, 4 AES-CBC/HMAC-SHA-256-128 SAs" \
	"AES-GCM: 4, AES-CBC: 4, HMAC-SHA-256-128: 4" "$(algs)"

# counts CONN: pluto's in and out byte counts of CONN's Child SA, "0 0"
# for a fresh one
counts()
{
	lsw_whack "$L" --trafficstatus |
		sed -n "s/.*\"$1\".*inBytes=\([0-9]*\), outBytes=\([0-9]*\).*/\1 \2/p"
}
ping_through()
{
	ping -c 3 -i 0.3 -W 3 "$@"
}
# tcp_rst: a connection to a closed port of the peer is refused: the SYN
# and the RST both crossed tr-gcm
tcp_rst()
{
	python3 -c '
import socket, sys
try:
    socket.create_connection(("192.0.2.1", 9), timeout=10)
except ConnectionRefusedError:
    sys.exit(0)
except OSError as e:
    print(e)
sys.exit(1)'
}
# through CONN CMD...: CMD succeeds and CONN's SAs count more bytes out
# and in (pluto reads them from the kernel: GETSA's current lifetime)
through()
{
	_c=$1
	shift
	_b=$(counts "$_c")
	"$@" || return 1
	_a=$(counts "$_c")
	echo "$_c: in/out bytes before: ${_b:-none}, after: ${_a:-none}"
	[ -n "$_a" ] && [ "${_a% *}" -gt "${_b% *}" ] && [ "${_a#* }" -gt "${_b#* }" ]
}
traffic()
{
	lc "$1: ping through tun-gcm" through tun-gcm ping_through -I 10.2.0.1 10.1.0.1
	lc "$1: ping through tun-cbc" through tun-cbc ping_through -I 10.2.1.1 10.1.1.1
	lc "$1: ping through tr-cbc" through tr-cbc ping_through 192.0.2.1
	lc "$1: TCP SYN and RST through tr-gcm" through tr-gcm tcp_rst
}
traffic "established"


# replaced BEFORE: 8 SAs again, not the same as BEFORE
replaced()
{
	_now=$(sas)
	[ "$(echo "$_now" | grep -c .)" -eq 8 ] && [ "$_now" != "$1" ]
}
# rekey_check WHO CONN: WHO rekeys CONN's Child SA; two SAs replaced on
# both sides
rekey_check()
{
	_before=$(sas)
	if [ "$1" = main ]; then
		lsw_whack "$L" --name "$2" --rekey-ipsec
	else
		peer ". $LSW_LIB; lsw_whack /tmp/lsw --name $2 --rekey-ipsec"
	fi
	wait_until 30 replaced "$_before"
	_after=$(sas)
	_gone=$(echo "$_before" | grep -cvxF "$_after")
	_new=$(echo "$_after" | grep -cvxF "$_before")
	echo "replaced: $_gone gone, $_new new"
	[ "$_gone" -eq 2 ] && [ "$_new" -eq 2 ] && same_sas 8
}
lc "tun-gcm rekeyed by main: 2 new SAs, old ones gone, both sides" rekey_check main tun-gcm
lc "tun-cbc rekeyed by the peer: 2 new SAs, old ones gone, both sides" rekey_check peer tun-cbc
lsw_whack "$L" --name tun-gcm --rekey-ike >/dev/null 2>&1
lc "IKE SA rekeyed: the Child SAs stay" sh -c 'sleep 3; [ "$(ip xfrm state | grep -c "proto esp")" -eq 8 ]'
traffic "after the rekeys"

sleep 1
kill "$tcpdump_pid"
wait "$tcpdump_pid" 2>/dev/null
tcpdump_pid=
# pcount FILTER: packets of the capture that match
pcount()
{
	tcpdump -r /tmp/cap.pcap --count "$1" 2>&1 |
		sed -n 's/^\([0-9]*\) packets\{0,1\}.*/\1/p'
}
n_esp=$(pcount esp)
n_plain=$(pcount "icmp or tcp")
lc "ESP on the wire ($n_esp packets)" test "${n_esp:-0}" -ge 40
lc_eq "no plain ICMP or TCP on the wire" 0 "$n_plain"

for c in $CONNS; do
	lsw_whack "$L" --name "$c" --delete >/dev/null 2>&1
done
lc "deleted: no SA left here" wait_until 20 sh -c '[ -z "$(ip xfrm state)" ]'
# nd_bypass: pluto's own policies, which it installs at startup and keeps:
# IPv6 neighbour discovery (ICMPv6 135 and 136) bypasses IPsec, in, out
# and forward
ND_FN='nd_bypass() { ip xfrm policy | sed -n "s/^src ::\/0 dst ::\/0 proto ipv6-icmp type \(13[56]\) *$/\1/p" | sort | tr "\n" " "; }'
eval "$ND_FN"
# no_policy_left: none but those
no_policy_left()
{
	! ip xfrm policy | grep '^src' |
		grep -qv '^src ::/0 dst ::/0 proto ipv6-icmp type 13[56] *$'
}
lc "deleted: no policy left here but pluto's own" wait_until 20 no_policy_left
no_policy_left || ip xfrm policy | sed 's/^/# left: /'
lc_eq "pluto's own bypass policies, the same as on the peer" \
	"$(peer "$ND_FN; nd_bypass")" "$(nd_bypass)"
lc "deleted: no SA left on the peer" \
	peer "wait_until 20 sh -c '[ -z \"\$(ip xfrm state)\" ]'"
lc_eq "pluto logged no error from ipsec.ko" "" \
	"$(grep -E 'ERROR|netlink.*(error [^n]|errno)' "$L/pluto.log")"
check "pluto stops" lsw_stop "$L"
check "rmmod ipsec" ipsec_unload
ktap_end
