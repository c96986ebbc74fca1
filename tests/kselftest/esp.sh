#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ESP in one guest: two namespaces keyed with pfkeyctl. What is on the
# wire is checked by Wireshark's ESP dissector with the keys (decryption
# and ICV verification per RFC 4106 and RFC 4868, not our code), what is
# on enc0 by tcpdump, filtering on enc0 by nft; transport and tunnel mode,
# IPv4 and IPv6; inbound policy; forged, truncated, replayed and badly
# padded packets dropped and counted exactly.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load
PFK="$TOP/tools/pfkeyctl/pfkeyctl"
FORGE="$TOP/tests/kselftest/lib/esp_forge.py"
T=$(mktemp -d)

GCMKEY=0x00112233445566778899aabbccddeeff01020304
CBCKEY=0x000102030405060708090a0b0c0d0e0f
SHAKEY=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

ip netns add a
ip netns add b
link_ns a b 10.0.0.1 10.0.0.2
ip -n a addr add 10.0.0.3/24 dev veth_a
ip -n a addr add fd00::1/64 dev veth_a nodad
ip -n b addr add fd00::2/64 dev veth_b nodad
ip -n a addr add 10.1.0.1/24 dev lo
ip -n b addr add 10.2.0.1/24 dev lo
ip -n a addr add fd01::1/64 dev lo
ip -n b addr add fd02::1/64 dev lo
ip -n a route add 10.2.0.0/24 via 10.0.0.2
ip -n b route add 10.1.0.0/24 via 10.0.0.1
ip -n a route add fd02::/64 via fd00::2
ip -n b route add fd01::/64 via fd00::1

# the same SAs in both namespaces; policies mirrored
for ns in a b; do
	if [ $ns = a ]; then o=out i=in; else o=in i=out; fi
	ns_run $ns "$PFK" -f - <<EOT
add 10.0.0.1 10.0.0.2 esp 0x1001 -m transport -r 64 -E aes-gcm-16 $GCMKEY;
add 10.0.0.2 10.0.0.1 esp 0x1002 -m transport -r 64
	-E aes-cbc $CBCKEY -A hmac-sha256 $SHAKEY;
add fd00::1 fd00::2 esp 0x1101 -m transport -r 64 -E aes-gcm-16 $GCMKEY;
add fd00::2 fd00::1 esp 0x1102 -m transport -r 64
	-E aes-cbc $CBCKEY -A hmac-sha256 $SHAKEY;
add 10.0.0.1 10.0.0.2 esp 0x2001 -m tunnel -r 64 -E aes-gcm-16 $GCMKEY;
add 10.0.0.2 10.0.0.1 esp 0x2002 -m tunnel -r 64
	-E aes-cbc $CBCKEY -A hmac-sha256 $SHAKEY;
spdadd 10.0.0.1 10.0.0.2 any -P $o ipsec esp/transport//require;
spdadd 10.0.0.2 10.0.0.1 any -P $i ipsec esp/transport//require;
spdadd fd00::1 fd00::2 any -P $o ipsec esp/transport//require;
spdadd fd00::2 fd00::1 any -P $i ipsec esp/transport//require;
spdadd 10.1.0.0/24 10.2.0.0/24 any -P $o ipsec
	esp/tunnel/10.0.0.1-10.0.0.2/require;
spdadd 10.2.0.0/24 10.1.0.0/24 any -P $i ipsec
	esp/tunnel/10.0.0.2-10.0.0.1/require;
spdadd fd01::/64 fd02::/64 any -P $o ipsec
	esp/tunnel/10.0.0.1-10.0.0.2/require;
spdadd fd02::/64 fd01::/64 any -P $i ipsec
	esp/tunnel/10.0.0.2-10.0.0.1/require;
EOT
done

cnt() { ipsec_counter "$1" esp "$2"; }

# tshark with both SAs of each address pair
tshark_esp()
{
	tshark -r "$1" -o esp.enable_encryption_decode:TRUE \
		-o esp.enable_authentication_check:TRUE \
		-o "uat:esp_sa:\"$2\",\"$3\",\"$4\",\"$5\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"$GCMKEY\",\"NULL\",\"\"" \
		-o "uat:esp_sa:\"$2\",\"$4\",\"$3\",\"$6\",\"AES-CBC [RFC3602]\",\"$CBCKEY\",\"HMAC-SHA-256-128 [RFC4868]\",\"$SHAKEY\"" \
		-T fields -e esp.spi -e esp.icv_good -e esp.pad_len \
		-e esp.protocol -Y esp 2>/dev/null
}

capture()	# NS IF FILE FILTER...
{
	_ns=$1 _if=$2 _f=$3
	shift 3
	ip netns exec "$_ns" tcpdump --immediate-mode -U -ni "$_if" -w "$_f" "$@" \
		>/dev/null 2>&1 &
	wait_until 10 test -s "$_f"
	sleep 0.5
}

stop_capture()
{
	sleep 0.5
	pkill -x tcpdump
	wait 2>/dev/null
}

# --- IPv4 transport: ping, the wire, enc0 --------------------------------
capture a veth_a $T/w4.pcap
capture a enc0 $T/e4.pcap
check "IPv4 transport: ping through ESP (GCM out, CBC+HMAC back)" \
	ns_run a ping -c 3 -i 0.3 -W 2 10.0.0.2
stop_capture
check_eq "the wire carries no cleartext between the hosts" 0 \
	"$(tcpdump -nr $T/w4.pcap 'ip and not esp' 2>/dev/null | wc -l)"
check_eq "the wire carries 6 ESP packets" 6 \
	"$(tcpdump -nr $T/w4.pcap esp 2>/dev/null | wc -l)"
tshark_esp $T/w4.pcap IPv4 10.0.0.1 10.0.0.2 0x00001001 0x00001002 \
	>$T/w4.txt
check_eq "Wireshark decrypts all 6 and finds every ICV good" 6 \
	"$(awk '$2 == "True" || $2 == 1' $T/w4.txt | wc -l)"
check_eq "... GCM and CBC+HMAC SPIs, next header ICMP" \
	"0x00001001 0x01
0x00001002 0x01" \
	"$(awk '{ print $1, $4 }' $T/w4.txt | sort -u)"
check_eq "... padding aligned to 4 (GCM) and 16 (CBC)" "0x00001001 2
0x00001002 14" "$(awk '{ print $1, $3 }' $T/w4.txt | sort -u)"
check_eq "enc0 shows the cleartext echo requests and replies" \
	"3 3" "$(tcpdump -nr $T/e4.pcap 'icmp[0] == 8' 2>/dev/null | wc -l) $(tcpdump -nr $T/e4.pcap 'icmp[0] == 0' 2>/dev/null | wc -l)"
check "both namespaces count output_packets and input_packets" \
	test "$(cnt a output_packets)" -ge 3 -a "$(cnt a input_packets)" -ge 3 \
	-a "$(cnt b output_packets)" -ge 3 -a "$(cnt b input_packets)" -ge 3

# --- bulk TCP ------------------------------------------------------------
head -c 2000000 /dev/urandom >$T/blob
ns_run b sh -c "timeout $((60 * SCALE)) python3 -c '
import hashlib, socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"10.0.0.2\", 5001)); s.listen(1); c, _ = s.accept(); h = hashlib.sha256()
while True:
    d = c.recv(65536)
    if not d: break
    h.update(d)
open(\"$T/got\", \"w\").write(h.hexdigest())
'" &
wait_until 30 sh -c 'ip netns exec b ss -Hltn | grep -q :5001'
ns_run a python3 -c "
import socket
s = socket.create_connection(('10.0.0.2', 5001)); s.sendall(open('$T/blob', 'rb').read()); s.close()"
wait
check_eq "2 MB over TCP arrive intact" \
	"$(sha256sum <$T/blob | cut -d' ' -f1)" "$(cat $T/got 2>/dev/null)"
check_eq "... with no ICV or replay failure" "0 0" \
	"$(cnt b bad_auth) $(cnt b replay)"

# --- nft on enc0 ----------------------------------------------------------
ns_run a nft -f - <<'EOT'
table inet t {
	chain o { type filter hook output priority 0;
		oifname "enc0" icmp type echo-request counter drop; }
	chain i { type filter hook input priority 0;
		iifname "enc0" icmp type echo-reply counter; }
}
EOT
out0=$(cnt a output_packets)
check_fails "an nft drop rule on oifname enc0 stops the ping" \
	ns_run a ping -c 2 -i 0.3 -W 1 10.0.0.2
check "... and its counter counts both" \
	sh -c "ip netns exec a nft list chain inet t o | grep -q 'packets 2 '"
check_eq "... and nothing was encrypted" "$out0" "$(cnt a output_packets)"
ns_run a nft flush chain inet t o
check "without it the ping passes" ns_run a ping -c 2 -i 0.3 -W 2 10.0.0.2
check "iifname enc0 counts the decrypted replies" \
	sh -c "ip netns exec a nft list chain inet t i | grep -q 'packets 2 '"
ns_run a nft delete table inet t

# --- IPv6 transport -------------------------------------------------------
capture a veth_a $T/w6.pcap
check "IPv6 transport: ping through ESP" \
	ns_run a ping -6 -c 3 -i 0.3 -W 2 fd00::2
stop_capture
check_eq "the wire carries only ESP for it (and neighbour discovery)" 0 \
	"$(tcpdump -nr $T/w6.pcap 'ip6 and not esp and not icmp6[0] >= 133' 2>/dev/null | wc -l)"
tshark_esp $T/w6.pcap IPv6 fd00::1 fd00::2 0x00001101 0x00001102 >$T/w6.txt
check_eq "Wireshark verifies all 6 IPv6 ESP packets" 6 \
	"$(awk '$2 == "True" || $2 == 1' $T/w6.txt | wc -l)"

# --- tunnel mode: IPv4 in IPv4, IPv6 in IPv4 ------------------------------
capture a veth_a $T/wt.pcap
check "tunnel: IPv4 in IPv4 ping between the inner networks" \
	ns_run a ping -c 3 -i 0.3 -W 2 -I 10.1.0.1 10.2.0.1
check "tunnel: IPv6 in IPv4 ping between the inner networks" \
	ns_run a ping -6 -c 3 -i 0.3 -W 2 -I fd01::1 fd02::1
stop_capture
tshark -r $T/wt.pcap -o esp.enable_encryption_decode:TRUE \
	-o esp.enable_authentication_check:TRUE \
	-o "uat:esp_sa:\"IPv4\",\"10.0.0.1\",\"10.0.0.2\",\"0x00002001\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"$GCMKEY\",\"NULL\",\"\"" \
	-o "uat:esp_sa:\"IPv4\",\"10.0.0.2\",\"10.0.0.1\",\"0x00002002\",\"AES-CBC [RFC3602]\",\"$CBCKEY\",\"HMAC-SHA-256-128 [RFC4868]\",\"$SHAKEY\"" \
	-T fields -e esp.spi -e esp.icv_good -e esp.protocol \
	-Y esp 2>/dev/null >$T/wt.txt
check_eq "Wireshark verifies the 12 tunnel packets" 12 \
	"$(awk '$2 == "True" || $2 == 1' $T/wt.txt | wc -l)" ||
	{ sed 's/^/# tshark: /' $T/wt.txt
	  tcpdump -nr $T/wt.pcap 2>/dev/null | sed 's/^/# tcpdump: /'; }
check_eq "... carrying IPv4 (4) and IPv6 (41)" "0x04 0x29" \
	"$(awk '{ print $3 }' $T/wt.txt | sort -u | tr '\n' ' ' | sed 's/ $//')"

# --- filter_tunnel ----------------------------------------------------------
# b's rule on the wire interface for the inner network: it sees the inner
# packets of the tunnel only with net.ipsec.filter_tunnel=1
ns_run b nft -f - <<'EOT'
table inet ft {
	chain p { type filter hook prerouting priority 0;
		iifname "veth_b" ip saddr 10.1.0.0/24 counter drop;
		iifname "enc0" ip saddr 10.1.0.0/24 counter; }
}
EOT
ft_count() {	# RULE_INDEX (0: veth_b, 1: enc0)
	ip netns exec b nft list chain inet ft p |
		sed -n 's/.* counter packets \([0-9]*\) .*/\1/p' |
		sed -n "$(($1 + 1))p"
}
check "filter_tunnel=0: the tunnel's inner packets pass the wire interface's rules unseen" \
	ns_run a ping -c 2 -i 0.3 -W 2 -I 10.1.0.1 10.2.0.1
check_eq "... its counter stays 0, enc0's counts 2" "0 2" "$(ft_count 0) $(ft_count 1)"
ns_run b sysctl -qw net.ipsec.filter_tunnel=1
in0=$(cnt b input_packets)
check_fails "filter_tunnel=1: a drop rule on the wire interface stops them" \
	ns_run a ping -c 2 -i 0.3 -W 1 -I 10.1.0.1 10.2.0.1
check_eq "... after decryption (input_packets +2), counted there, not on enc0" \
	"$((in0 + 2)) 2 2" "$(cnt b input_packets) $(ft_count 0) $(ft_count 1)"
check "filter_tunnel=1: transport mode is not affected" \
	ns_run a ping -c 1 -W 2 10.0.0.2
ns_run b sysctl -qw net.ipsec.filter_tunnel=0
ns_run b nft delete table inet ft

# --- inbound or forward: the inner destination as the FIB has it now -----
# RFC 4301 5.2: a tunnel's inner packet for this host meets the inbound
# policy, one for another the forward policy, none here: what a tunnel SA
# carried with no policy naming it is dropped. The answer must follow the
# addresses b has, each time they change. 10.3.0.0/24 is no network of
# b's (all of 10.2.0.0/24 is local on its lo). The pings run on CPU 0,
# and so does their way through both namespaces (veth, no RPS): an answer
# kept per CPU (input.c) is found again, and must have been let go.
for ns in a b; do
	if [ $ns = a ]; then o=out i=in; else o=in i=out; fi
	ns_run $ns "$PFK" -f - <<EOT
spdadd 10.1.0.0/24 10.3.0.0/24 any -P $o ipsec
	esp/tunnel/10.0.0.1-10.0.0.2/require;
spdadd 10.3.0.0/24 10.1.0.0/24 any -P $i ipsec
	esp/tunnel/10.0.0.2-10.0.0.1/require;
EOT
done
ip -n a route add 10.3.0.0/24 via 10.0.0.2
pd=$(cnt b policy_drops)
check_fails "tunnel: an inner packet for an address b does not have is not delivered" \
	ns_run a taskset -c 0 ping -c 1 -W 1 -I 10.1.0.1 10.3.0.9
check_eq "... the forward policy (none) dropped it" $((pd + 1)) \
	"$(cnt b policy_drops)"
ip -n b addr add 10.3.0.9/32 dev lo
check "once b has the address, the inbound policy lets it in" \
	ns_run a taskset -c 0 ping -c 2 -i 0.3 -W 2 -I 10.1.0.1 10.3.0.9
ip -n b addr del 10.3.0.9/32 dev lo
pd=$(cnt b policy_drops)
check_fails "once b has it no more, it is not delivered" \
	ns_run a taskset -c 0 ping -c 1 -W 1 -I 10.1.0.1 10.3.0.9
check_eq "... the forward policy dropped it again" $((pd + 1)) \
	"$(cnt b policy_drops)"
ip -n a route del 10.3.0.0/24
for ns in a b; do
	if [ $ns = a ]; then o=out i=in; else o=in i=out; fi
	ns_run $ns "$PFK" -f - <<EOT
spddelete 10.1.0.0/24 10.3.0.0/24 any -P $o;
spddelete 10.3.0.0/24 10.1.0.0/24 any -P $i;
EOT
done

# --- inbound policy -------------------------------------------------------
pd=$(cnt b policy_drops)
ns_run a "$PFK" -f - <<'EOT'
spddelete 10.0.0.1 10.0.0.2 any -P out;
EOT
check_fails "cleartext the inbound policy requires protected is refused" \
	ns_run a ping -c 2 -i 0.3 -W 1 10.0.0.2
check_eq "... and counted as policy_drops" $((pd + 2)) \
	"$(cnt b policy_drops)"

# --- forged packets ---------------------------------------------------------
# from 10.0.0.3, which no policy of a covers, for an SA of b's that nothing
# has used yet (so the window starts at 0)
ns_run b "$PFK" -f - <<EOT
add 10.0.0.3 10.0.0.2 esp 0x1003 -r 64 -E aes-gcm-16 $GCMKEY;
EOT
forge() { ns_run a "$FORGE" 10.0.0.3 10.0.0.2 "$@"; }
# counters of packets the crypto layer saw may lag: the AEAD can be async
cnt_is() { wait_until 5 test "$(cnt b "$1")" = "$2"; check_eq "$3" "$2" "$(cnt b "$1")"; }
ns=$(cnt b no_sa)
forge 0x9999 $GCMKEY 1 --count 5
check_eq "unknown SPI: no_sa" $((ns + 5)) "$(cnt b no_sa)"
hd=$(cnt b header_drops)
forge 0x1003 $GCMKEY 1 --truncate 6
check_eq "truncated ESP header: header_drops" $((hd + 1)) \
	"$(cnt b header_drops)"
bl=$(cnt b bad_payload_length)
forge 0x1003 $GCMKEY 1 --truncate 20
cnt_is bad_payload_length $((bl + 1)) \
	"ESP shorter than IV and ICV: bad_payload_length"
ba=$(cnt b bad_auth)
forge 0x1003 $GCMKEY 100 --bad-icv --count 3 --seq-step
cnt_is bad_auth $((ba + 3)) "a flipped ICV bit: bad_auth"
in0=$(cnt b input_packets)
forge 0x1003 $GCMKEY 100
cnt_is input_packets $((in0 + 1)) \
	"a number whose ICV failed is not marked seen: the real packet passes"
forge 0x1003 $GCMKEY 1000
cnt_is input_packets $((in0 + 2)) \
	"a well-formed forged packet with the right key is accepted"
rp=$(cnt b replay)
forge 0x1003 $GCMKEY 1000
cnt_is replay $((rp + 1)) "the same sequence number again: replay"
forge 0x1003 $GCMKEY 900
cnt_is replay $((rp + 2)) "a number older than the 64-packet window: replay"
forge 0x1003 $GCMKEY 990
cnt_is input_packets $((in0 + 3)) "a new number inside the window is accepted"
forge 0x1003 $GCMKEY 990
cnt_is replay $((rp + 3)) "... once"
forge 0x1003 $GCMKEY 0
cnt_is replay $((rp + 4)) "sequence number 0 (never sent): replay"
in1=$(cnt b input_packets)
capture b veth_b $T/frag.pcap 'ip[6:2] & 0x3fff != 0'
forge 0x1003 $GCMKEY 995 --size 3000 --fragment
cnt_is input_packets $((in1 + 1)) \
	"a 3 kB ESP packet in IP fragments is reassembled, then accepted"
stop_capture
check "... it did arrive as fragments" \
	test "$(tcpdump -nr $T/frag.pcap 2>/dev/null | wc -l)" -ge 3
be=$(cnt b bad_padding)
forge 0x1003 $GCMKEY 1001 --pad 01020304ff06
cnt_is bad_padding $((be + 1)) "padding not 1, 2, 3, ...: bad_padding"
forge 0x1003 $GCMKEY 1002 --pad 0102 --padlen 200
cnt_is bad_padding $((be + 2)) "a pad length beyond the payload: bad_padding"
ns=$(cnt b no_sa)
ns_run b sysctl -qw net.core.netdev_max_backlog=200000 2>/dev/null
sysctl -qw net.core.netdev_max_backlog=200000
forge 0x7777 $GCMKEY 1 --count 100000
wait_until 30 sh -c "[ \$(ip netns exec b awk '\$1 == \"no_sa\" { print \$2 }' /proc/net/ipsec/esp) -ge $((ns + 100000)) ]"
check_eq "a burst of 100,000 forged packets: no_sa counts each one" \
	$((ns + 100000)) "$(cnt b no_sa)"
check "the SAs still work afterwards" \
	ns_run a ping -c 2 -i 0.3 -W 2 -I 10.1.0.1 10.2.0.1

# --- ICMP errors about our ESP packets -------------------------------------
# from a router's address that no policy covers
TOOBIG="$TOP/tests/kselftest/lib/icmp_toobig.py"
ip -n b addr add 10.0.0.4/24 dev veth_b
ip -n b addr add fd00::4/64 dev veth_b nodad
mtu_of() { ip -n a "$1" route get "$2" 2>/dev/null | sed -n 's/.* mtu \([0-9]*\).*/\1/p'; }
mtu_is() { [ "$(mtu_of "$1" "$2")" = "$3" ]; }
ns_run b "$TOOBIG" 10.0.0.4 10.0.0.1 10.0.0.1 10.0.0.2 0x9999 1300
ns_run b "$TOOBIG" fd00::4 fd00::1 fd00::1 fd00::2 0x9999 1300
sleep 0.5
check_eq "fragmentation needed quoting an SPI that is not ours: ignored" \
	"/" "$(mtu_of -4 10.0.0.2)/$(mtu_of -6 fd00::2)"
ns_run b "$TOOBIG" 10.0.0.4 10.0.0.1 10.0.0.1 10.0.0.2 0x1001 1300
check "fragmentation needed for SA 0x1001's packet: the path MTU is 1300" \
	wait_until 5 mtu_is -4 10.0.0.2 1300
ns_run b "$TOOBIG" fd00::4 fd00::1 fd00::1 fd00::2 0x1101 1350
check "packet too big for SA 0x1101's packet: the IPv6 path MTU is 1350" \
	wait_until 5 mtu_is -6 fd00::2 1350
check "the tunnel through that path still carries a 1400-byte ping" \
	ns_run a ping -c 2 -i 0.3 -W 2 -M dont -s 1400 -I 10.1.0.1 10.2.0.1

# --- the tunnel's outer route follows the routing tables -------------------
# (each SA keeps the route its packets took, per CPU, with the key it was
# looked up with: a route added, a rule on the TOS, must be seen at once)
ip -n a route add blackhole 10.0.0.2/32
check_fails "a blackhole route to the tunnel's far end: the tunnel carries nothing" \
	ns_run a ping -c 2 -i 0.3 -W 1 -I 10.1.0.1 10.2.0.1
ip -n a route del blackhole 10.0.0.2/32
check "the blackhole route removed: the tunnel carries pings again" \
	ns_run a ping -c 2 -i 0.3 -W 2 -I 10.1.0.1 10.2.0.1
ip -n a rule add tos 0x10 table 100 pref 100
ip -n a route add blackhole 10.0.0.2/32 table 100
check_fails "a rule sends TOS 0x10 to a blackhole: a ping with TOS 0x10 is not carried" \
	ns_run a ping -c 2 -i 0.3 -W 1 -Q 0x10 -I 10.1.0.1 10.2.0.1
check "... one with TOS 0 through the same SA is, right after" \
	ns_run a ping -c 2 -i 0.3 -W 2 -I 10.1.0.1 10.2.0.1
check_fails "... and TOS 0x10 again is not" \
	ns_run a ping -c 2 -i 0.3 -W 1 -Q 0x10 -I 10.1.0.1 10.2.0.1
ip -n a rule del pref 100
check "the rule removed: TOS 0x10 is carried" \
	ns_run a ping -c 2 -i 0.3 -W 2 -Q 0x10 -I 10.1.0.1 10.2.0.1

ip netns del a
ip netns del b
rm -rf "$T"
check "the module unloads after all this" ipsec_unload
ktap_end
