#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# NETLINK_XFRM answered by ipsec.ko: iproute2's `ip xfrm` (a real client,
# unchanged) against the module, its output checked against what was
# installed; the same SAD and SPD seen over PF_KEY (pfkeyctl) both ways;
# events of both interfaces on `ip xfrm monitor`; refusals with the
# extended ACK message ip prints and nothing half added; ESP keyed only
# by `ip xfrm` between two namespaces, decrypted by Wireshark; unload
# with netlink sockets open and a dump half read; xfrm_user in the way.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load
PFK="$TOP/tools/pfkeyctl/pfkeyctl"
T=$(mktemp -d)

GCMKEY=0x00112233445566778899aabbccddeeff01020304
CBCKEY=0x000102030405060708090a0b0c0d0e0f
SHAKEY=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
D3KEY=0x000102030405060708090a0b0c0d0e0f0001020304050607

check "xfrm_user is not loaded (the module answers NETLINK_XFRM)" \
	test ! -d /sys/module/xfrm_user
check "the module carries the net-pf-16-proto-6 alias" \
	sh -c "modinfo -F alias '$MODULE' | grep -qx net-pf-16-proto-6"

X="ip xfrm"

# check_msg DESC TEXT CMD...: CMD must fail and print TEXT (ip prints the
# extended ACK's message instead of strerror when there is one; the
# errnos themselves are checked by xfrm_nl_fuzz.py)
check_msg()
{
	_d=$1
	_m=$2
	shift 2
	if _out=$("$@" 2>&1); then
		ktap_fail "$_d"
		echo "# succeeded, expected: $_m"
	elif printf '%s' "$_out" | grep -qF "$_m"; then
		ktap_ok "$_d"
	else
		ktap_fail "$_d"
		printf '%s\n' "$_out" | sed 's/^/# /'
		echo "# expected: $_m"
	fi
}
S="src 192.0.2.1 dst 192.0.2.2"

# --- SAs -------------------------------------------------------------------
check "state add: AES-GCM-16, tunnel, reqid" $X state add $S proto esp \
	spi 0x1001 reqid 7 mode tunnel aead 'rfc4106(gcm(aes))' $GCMKEY 128
check "state add: aes + sha256 by old names" $X state add $S proto esp \
	spi 0x1002 mode transport enc aes $CBCKEY auth sha256 $SHAKEY
check "state add: 3DES + HMAC-SHA-256-128, selector with ports" \
	$X state add $S proto esp spi 0x1003 mode transport \
	enc 'cbc(des3_ede)' $D3KEY auth-trunc 'hmac(sha256)' $SHAKEY 128 \
	sel src 10.0.0.0/24 dst 10.0.1.0/24 proto tcp dport 22
check_msg "state add: the same SPI again is refused" "an SA with this SPI, destination and protocol exists" \
	$X state add $S proto esp spi 0x1001 mode tunnel \
	aead 'rfc4106(gcm(aes))' $GCMKEY 128
check_eq "state count" "	 SAD count 3" "$($X state count)"

$X state get $S proto esp spi 0x1001 >$T/get1
check_eq "state get: the GCM SA as installed" \
"src 192.0.2.1 dst 192.0.2.2
	proto esp spi 0x00001001 reqid 7 mode tunnel
	replay-window 0 
	aead rfc4106(gcm(aes)) $GCMKEY 128
	anti-replay context: seq 0x0, oseq 0x0, bitmap 0x00000000
	sel src 0.0.0.0/0 dst 0.0.0.0/0 " "$(cat $T/get1)"
check "state get: 'auth sha256' is XFRM's default 96-bit truncation" \
	sh -c "$X state get $S proto esp spi 0x1002 | grep -qx '	auth-trunc hmac(sha256) $SHAKEY 96'"
check "state get: selector with protocol and port" \
	sh -c "$X state get $S proto esp spi 0x1003 | grep -qx '	sel src 10.0.0.0/24 dst 10.0.1.0/24 proto tcp dport 22 '"
check "state get: 3DES by crypto API name" \
	sh -c "$X state get $S proto esp spi 0x1003 | grep -qx '	enc cbc(des3_ede) $D3KEY'"

# A live SA's keys stay (XFRM's xfrm_state_update keeps them too; ours
# says so instead of ignoring them): its sequence numbers go on, and new
# keys with the old counter would buy nothing (README, UPDATE)
check "state update of a live SA with its own keys, a new lifetime" \
	$X state update $S proto esp spi 0x1002 mode transport enc aes \
	$CBCKEY auth sha256 $SHAKEY limit time-hard 3600
check_msg "state update of a live SA with another key is refused" \
	"a live SA keeps its keys" $X state update $S proto esp spi 0x1002 \
	mode transport enc aes 0xffeeddccbbaa99887766554433221100 \
	auth sha256 $SHAKEY
check "... get shows the SA's own key still" \
	sh -c "$X state get $S proto esp spi 0x1002 | grep -qx '	enc cbc(aes) $CBCKEY'"
check_msg "state update of a missing SA is refused" "no such SA to update" $X state update \
	$S proto esp spi 0x1999 mode transport enc aes $CBCKEY

# --- the same SAD over PF_KEY ------------------------------------------------
check "pfkeyctl -D lists the SAs added over netlink" \
	sh -c "'$PFK' -D | grep -c 'esp mode=' | grep -qx 3"
check "... with the GCM key and reqid 7" \
	sh -c "'$PFK' -D | grep -A1 'spi=4097' | grep -q 'reqid=7' && '$PFK' -D | grep -q 'aes-gcm-16  00112233 44556677 8899aabb ccddeeff 01020304'"
check "pfkeyctl add of an SA" "$PFK" add 192.0.2.3 192.0.2.4 esp 0x3001 \
	-m tunnel -E aes-gcm-16 $GCMKEY
check "... ip xfrm state get shows it, algorithm by crypto API name" \
	sh -c "$X state get src 192.0.2.3 dst 192.0.2.4 proto esp spi 0x3001 | grep -qx '	aead rfc4106(gcm(aes)) $GCMKEY 128'"
check "ip xfrm state delete of the PF_KEY-made SA" $X state delete \
	src 192.0.2.3 dst 192.0.2.4 proto esp spi 0x3001
check "... pfkeyctl no longer sees it" \
	sh -c "! '$PFK' -D | grep -q spi=12289"

# --- AH with AES-GMAC (RFC 4543 4), which xfrm_user's AH lacks ---------------
# the key is the AES key and a 32-bit salt; the ICV 128 bits (RFC 4543 3.3)
G192=0x000102030405060708090a0b0c0d0e0f1011121314151617deadbeef
G128=0x000102030405060708090a0b0c0d0e0fcafebabe
check "state add: AH, auth-trunc rfc4543(gcm(aes)), AES-192 and salt, 128" \
	$X state add $S proto ah spi 0x1081 mode transport \
	auth-trunc 'rfc4543(gcm(aes))' $G192 128
check "... state get shows it as added" \
	sh -c "$X state get $S proto ah spi 0x1081 | grep -qx '	auth-trunc rfc4543(gcm(aes)) $G192 128'"
check "... pfkeyctl -D names it aes-192-gmac (id 12, by its key length)" \
	sh -c "'$PFK' -D | grep -q 'A: aes-192-gmac'"
check "state add with 'auth' (no ICV length), AES-128 and salt" \
	$X state add $S proto ah spi 0x1082 mode transport \
	auth 'rfc4543(gcm(aes))' $G128
check "... pfkeyctl -D names it aes-128-gmac (id 11)" \
	sh -c "'$PFK' -D | grep -q 'A: aes-128-gmac'"
n0=$($X state count)
check_msg "AH GMAC with a 96-bit ICV refused" \
	"AES-GMAC (RFC 4543) takes a 128-bit ICV only" $X state add $S \
	proto ah spi 0x1083 auth-trunc 'rfc4543(gcm(aes))' $G192 96
check_msg "AH GMAC with an AES-192 key and no salt refused" \
	"AES-GMAC: an AES-128/192/256 key, a 32-bit salt" $X state add $S \
	proto ah spi 0x1084 auth-trunc 'rfc4543(gcm(aes))' \
	${G192%????????} 128
check_msg "ESP with GMAC as its authentication refused" \
	"GMAC authentication is AH's; ESP has it as the AEAD rfc4543(gcm(aes))" \
	$X state add $S proto esp spi 0x1085 enc aes $CBCKEY \
	auth-trunc 'rfc4543(gcm(aes))' $G192 128
check_eq "nothing of the refused GMAC SAs was added" "$n0" "$($X state count)"
check "the GMAC SAs deleted" sh -c "$X state delete $S proto ah spi 0x1081 &&
	$X state delete $S proto ah spi 0x1082"

# --- refusals: clear errno and message, nothing half added -----------------
n0=$($X state count)
check_msg "security context refused" "security contexts are not supported by ipsec.ko" $X state add \
	$S proto esp spi 0x1010 enc aes $CBCKEY auth sha256 $SHAKEY ctx foo
# marks and TFC padding are supported now (xfrm_marks.pair.sh,
# xfrm_tfc.pair.sh); TFC padding in transport mode is refused, as in
# xfrm_user
check_msg "TFC padding in transport mode refused" \
	"TFC padding can only be used in tunnel mode" $X state add $S \
	proto esp spi 0x1011 enc aes $CBCKEY auth sha256 $SHAKEY tfcpad 16
check_msg "hardware offload refused" "hardware offload is not supported by ipsec.ko" $X state add \
	$S proto esp spi 0x1012 enc aes $CBCKEY auth sha256 $SHAKEY \
	offload dev lo dir out
check_msg "wrong key length refused" "key length not valid for the algorithm" $X state add $S \
	proto esp spi 0x1013 enc aes 0x0011 auth sha256 $SHAKEY
check_msg "unknown algorithm refused" "algorithm (or ICV length) not supported by ipsec.ko" \
	$X state add $S proto esp spi 0x1014 enc 'cbc(nosuch)' $CBCKEY
check_msg "BEET mode refused" "only transport and tunnel mode are supported by ipsec.ko" $X state add $S \
	proto esp spi 0x1015 mode beet enc aes $CBCKEY auth sha256 $SHAKEY
check_eq "nothing of the refused SAs was added" "$n0" "$($X state count)"

# --- ALLOCSPI -------------------------------------------------------------------
spi=$($X state allocspi src 192.0.2.2 dst 192.0.2.1 proto esp \
	min 0x2000 max 0x20ff | awk '/spi/ { print $4 }')
check "allocspi: an SPI in the range" \
	test "$(printf %d "$spi")" -ge 8192 -a "$(printf %d "$spi")" -le 8447
check "... a larval SA that PF_KEY sees" \
	sh -c "'$PFK' -D | grep -q 'spi=$(printf %d "$spi").*' && '$PFK' -D | grep -q state=larval"
check "update of the larval SA makes it mature" $X state update \
	src 192.0.2.2 dst 192.0.2.1 proto esp spi "$spi" mode transport \
	aead 'rfc4106(gcm(aes))' $GCMKEY 128
check "... pfkeyctl shows no larval SA left" \
	sh -c "! '$PFK' -D | grep -q state=larval"

check "state deleteall proto esp" $X state deleteall proto esp
check_eq "... empty" "" "$($X state list)"

# --- policies -------------------------------------------------------------------
check "policy add out, priority, tunnel template" $X policy add \
	src 10.0.0.0/24 dst 10.0.1.0/24 dir out priority 100 \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 7
check "policy add in, level use" $X policy add src 10.0.1.0/24 \
	dst 10.0.0.0/24 dir in tmpl src 192.0.2.2 dst 192.0.2.1 \
	proto esp mode tunnel reqid 7 level use
check "policy add fwd, block, ICMP type 8" $X policy add \
	src 10.0.1.0/24 dst 10.0.0.0/24 proto icmp type 8 code 0 \
	dir fwd action block
check_msg "policy add of the same selector and dir is refused" "a policy with this selector and direction exists" \
	$X policy add src 10.0.0.0/24 dst 10.0.1.0/24 dir out
check_eq "policy count" "	 SPD IN  1 OUT 1 FWD 1" "$($X policy count)"
# xfrm_user sends the policy type only where the kernel has sub
# policies (Debian's kernels do; the debug kernel does not), and refuses
# a sub policy as an invalid type where it has none
PTYPE=
SUBMSG="Invalid policy type"
if kernel_has CONFIG_XFRM_SUB_POLICY; then
	PTYPE="ptype main "
	SUBMSG="only main policies are supported by ipsec.ko"
fi
check_eq "policy get: as installed" \
"src 10.0.0.0/24 dst 10.0.1.0/24 
	dir out priority 100 $PTYPE
	tmpl src 192.0.2.1 dst 192.0.2.2
		proto esp reqid 7 mode tunnel" \
	"$($X policy get src 10.0.0.0/24 dst 10.0.1.0/24 dir out)"
check "policy get of the ICMP one" sh -c "$X policy get src 10.0.1.0/24 \
	dst 10.0.0.0/24 proto icmp type 8 code 0 dir fwd | grep -q 'action block'"
idx=$(ip -s xfrm policy get src 10.0.0.0/24 dst 10.0.1.0/24 dir out | \
	awk '/index/ { for (i = 1; i < NF; i++) if ($i == "index") print $(i + 1) }')
check "policy index of an out policy has XFRM's dir 1 in its low bits" \
	test $((idx & 7)) -eq 1
check "policy get by index" sh -c "$X policy get index $idx dir out | grep -q 'priority 100'"
check "pfkeyctl -DP sees the policies, out with its id" \
	sh -c "'$PFK' -DP | grep -q 'spid=$(((idx & ~7) | 2))' && '$PFK' -DP | grep -q 'esp/tunnel/192.0.2.2-192.0.2.1/use:7'"
check "policy update (priority)" $X policy update src 10.0.0.0/24 \
	dst 10.0.1.0/24 dir out priority 50 tmpl src 192.0.2.1 \
	dst 192.0.2.2 proto esp mode tunnel reqid 7
check "... keeps the index" sh -c "$X policy get index $idx dir out | grep -q 'priority 50'"
check_msg "sub policies refused" "$SUBMSG" $X policy add src 10.9.0.0/24 \
	dst 10.8.0.0/24 dir out ptype sub
check "pfkeyctl spdadd is seen by ip xfrm policy" "$PFK" spdadd \
	10.5.0.0/16 10.6.0.0/16 tcp -P out discard
check "... as a block policy for tcp" sh -c "$X policy get src 10.5.0.0/16 \
	dst 10.6.0.0/16 proto tcp dir out | grep -q 'action block'"
check "policy delete" $X policy delete src 10.0.0.0/24 dst 10.0.1.0/24 dir out
check_msg "... then get finds none" "no such policy" $X policy get src 10.0.0.0/24 \
	dst 10.0.1.0/24 dir out
check "policy deleteall" $X policy deleteall
check_eq "... empty" "" "$($X policy list)"

# --- events: ip xfrm monitor sees both interfaces ----------------------------------
$X monitor >$T/mon 2>&1 &
MON=$!
sleep 1
$X state add $S proto esp spi 0x4001 mode transport \
	aead 'rfc4106(gcm(aes))' $GCMKEY 128
"$PFK" add 192.0.2.1 192.0.2.2 esp 0x4002 -E aes-gcm-16 $GCMKEY
"$PFK" delete 192.0.2.1 192.0.2.2 esp 0x4001
$X policy add src 10.7.0.0/24 dst 10.8.0.0/24 dir out action block
"$PFK" spddelete 10.7.0.0/24 10.8.0.0/24 any -P out
"$PFK" -F
sleep 1
kill $MON
wait $MON 2>/dev/null
check "monitor: NEWSA of the netlink-made SA (no key)" \
	grep -q 'proto esp spi 0x00004001' $T/mon
check "monitor: NEWSA of the PF_KEY-made SA" \
	grep -q 'proto esp spi 0x00004002' $T/mon
check "monitor: the PF_KEY delete as 'Deleted'" sh -c \
	"grep -A1 '^Deleted src 192.0.2.1' $T/mon | grep -q 'spi 0x00004001'"
check "monitor: NEWPOLICY and the PF_KEY spddelete" sh -c \
	"grep -q '^src 10.7.0.0/24 dst 10.8.0.0/24' $T/mon && grep -q '^Deleted src 10.7.0.0/24 dst 10.8.0.0/24' $T/mon"
check "monitor: the PF_KEY flush" grep -q '^Flushed state' $T/mon
check_eq "monitor: no key in any event" "" \
	"$(grep -F "${GCMKEY#0x}" $T/mon)"

# --- EXPIRE over netlink: soft, then hard --------------------------------------
$X monitor >$T/mon 2>&1 &
MON=$!
sleep 1
$X state add $S proto esp spi 0x5001 mode transport \
	aead 'rfc4106(gcm(aes))' $GCMKEY 128 \
	limit time-soft 1 limit time-hard 3
sleep 5
kill $MON
wait $MON 2>/dev/null
check "soft EXPIRE (hard 0) for the SA" sh -c \
	"grep -A5 '^Expired src 192.0.2.1' $T/mon | grep -q 'hard 0'"
check "hard EXPIRE (hard 1) and the SA gone" sh -c \
	"grep -A5 '^Expired src 192.0.2.1' $T/mon | grep -q 'hard 1' && ! $X state get $S proto esp spi 0x5001 2>/dev/null"
$X state flush

# --- ESP keyed only by ip xfrm, between two namespaces ------------------------------
ip netns add a
ip netns add b
link_ns a b 10.0.0.1 10.0.0.2
for ns in a b; do
	ip -n $ns xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x6001 \
		reqid 1 mode transport replay-window 64 \
		aead 'rfc4106(gcm(aes))' $GCMKEY 128
	ip -n $ns xfrm state add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x6002 \
		reqid 1 mode transport replay-window 64 \
		enc 'cbc(aes)' $CBCKEY auth-trunc 'hmac(sha256)' $SHAKEY 128
done
ip -n a xfrm policy add src 10.0.0.1 dst 10.0.0.2 dir out \
	tmpl proto esp mode transport reqid 1
ip -n a xfrm policy add src 10.0.0.2 dst 10.0.0.1 dir in \
	tmpl proto esp mode transport reqid 1
ip -n b xfrm policy add src 10.0.0.2 dst 10.0.0.1 dir out \
	tmpl proto esp mode transport reqid 1
ip -n b xfrm policy add src 10.0.0.1 dst 10.0.0.2 dir in \
	tmpl proto esp mode transport reqid 1
ip netns exec a tcpdump --immediate-mode -U -ni veth_a -w $T/w.pcap \
	>/dev/null 2>&1 &
TD=$!
wait_until 10 test -s $T/w.pcap
sleep 0.5
check "ping through ESP keyed by ip xfrm" \
	ns_run a ping -c 3 -i 0.3 -W 2 10.0.0.2
sleep 0.5
kill $TD
wait $TD 2>/dev/null
check_eq "the wire carries 6 ESP packets and no cleartext ICMP" "6 0" \
	"$(tcpdump -nr $T/w.pcap esp 2>/dev/null | wc -l) $(tcpdump -nr $T/w.pcap icmp 2>/dev/null | wc -l)"
tshark -r $T/w.pcap -o esp.enable_encryption_decode:TRUE \
	-o esp.enable_authentication_check:TRUE \
	-o "uat:esp_sa:\"IPv4\",\"10.0.0.1\",\"10.0.0.2\",\"0x00006001\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"$GCMKEY\",\"NULL\",\"\"" \
	-o "uat:esp_sa:\"IPv4\",\"10.0.0.2\",\"10.0.0.1\",\"0x00006002\",\"AES-CBC [RFC3602]\",\"$CBCKEY\",\"HMAC-SHA-256-128 [RFC4868]\",\"$SHAKEY\"" \
	-T fields -e esp.spi -e esp.icv_good -e esp.protocol -Y esp \
	>$T/w.txt 2>/dev/null
check_eq "Wireshark decrypts all 6, every ICV good, next header ICMP" \
	"6 0x00006001 0x01
0x00006002 0x01" \
	"$(awk '$2 == "True" || $2 == 1' $T/w.txt | wc -l) $(awk '{ print $1, $3 }' $T/w.txt | sort -u)"
check "ip -s xfrm state counts the packets of the outbound SA" sh -c \
	"ip -n a -s xfrm state get src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x6001 | grep -Eq '[0-9]+\(bytes\), 3\(packets\)'"

# --- ACQUIRE over netlink -------------------------------------------------------
ip -n a xfrm monitor acquire >$T/acq 2>&1 &
MON=$!
sleep 1
ip -n a xfrm policy add src 10.0.0.1 dst 10.0.0.9 dir out \
	tmpl proto esp mode transport reqid 9
ns_run a ping -c 1 -W 1 10.0.0.9 >/dev/null 2>&1
sleep 1
kill $MON
wait $MON 2>/dev/null
check "ACQUIRE with the packet's selector and the template's reqid" sh -c \
	"grep -q 'acquire proto esp' $T/acq && grep -q 'sel src 10.0.0.1/32 dst 10.0.0.9/32' $T/acq && grep -q 'reqid 9' $T/acq"
ip netns del a
ip netns del b

# --- unload with sockets open, a dump half read ---------------------------------
for i in $(seq 1 200); do
	printf 'xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi %d mode transport aead rfc4106(gcm(aes)) %s 128\n' \
		$((0x7000 + i)) $GCMKEY
done >$T/batch
check "200 SAs added with ip -batch" ip -batch $T/batch
python3 - "$T/ready" >"$T/py.out" 2>&1 <<'EOF' &
import os, socket, struct, sys, time
NETLINK_XFRM, GETSA = 6, 0x12
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_XFRM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.send(struct.pack("=IHHII", 16, GETSA, 0x301, 1, 0))
first = s.recv(4096)
open(sys.argv[1], "w").write("%d\n" % len(first))
time.sleep(3)
s.close()
EOF
PY=$!
wait_until 10 test -s $T/ready
check_fails "rmmod refused while a netlink socket has a dump half read" rmmod ipsec
wait $PY
check "rmmod once the socket is closed" rmmod ipsec
check "insmod again" insmod "$MODULE"

# --- xfrm_user in the way ----------------------------------------------------------
rmmod ipsec
if modprobe xfrm_user 2>/dev/null; then
	check_errno "insmod with xfrm_user loaded is EBUSY" EBUSY insmod "$MODULE"
	check "... and dmesg names xfrm_user" sh -c \
		"dmesg | tail -5 | grep -q 'most likely by xfrm_user'"
	rmmod xfrm_user
else
	ktap_skip "insmod with xfrm_user loaded" "xfrm_user not available"
fi
check "loads once xfrm_user is gone" insmod "$MODULE"
ipsec_unload
rm -rf "$T"
ktap_end
