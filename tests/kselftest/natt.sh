#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-also: 6.12
# ESP in UDP (RFC 3948): host a sits behind a NAT (namespace n, nft snat
# of UDP 4500 to port 40001), host b outside; both hold UDP_ENCAP sockets
# on port 4500 as an IKE daemon does. An IPv4 tunnel through the NAT and
# IPv6 transport without one. Checked on the wire by Wireshark's dissector
# (UDP 4500 decoded as ESP, decrypted, ICVs and UDP checksums verified),
# the counters, plain ESP refused for a NAT-T SA and the other way round,
# and SADB_X_NAT_T_NEW_MAPPING when the NAT's port is not the SA's.
# The IPv6 transport policy covers every protocol, so the UDP datagrams
# that carry ESP match it too: they are ESP (RFC 3948), taken as XFRM
# takes them, not cleartext, though no port is exempt from the SPD.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load
PFK="$TOP/tools/pfkeyctl/pfkeyctl"
NATT="$TOP/tests/kselftest/lib/natt.py"
FORGE="$TOP/tests/kselftest/lib/esp_forge.py"
T=$(mktemp -d)

GCMKEY=0x00112233445566778899aabbccddeeff01020304
CBCKEY=0x000102030405060708090a0b0c0d0e0f
SHAKEY=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

cnt() { ipsec_counter "$1" esp "$2"; }

# a (192.168.1.2) -- (192.168.1.1) n (10.0.0.1) -- b (10.0.0.2)
for ns in a n b; do ip netns add $ns; ip -n $ns link set lo up; done
ip link add veth_a netns a type veth peer name veth_na netns n
ip link add veth_b netns b type veth peer name veth_nb netns n
ip -n a addr add 192.168.1.2/24 dev veth_a
ip -n n addr add 192.168.1.1/24 dev veth_na
ip -n n addr add 10.0.0.1/24 dev veth_nb
ip -n b addr add 10.0.0.2/24 dev veth_b
ip -n a addr add fd10::2/64 dev veth_a nodad
ip -n n addr add fd10::1/64 dev veth_na nodad
ip -n n addr add fd20::1/64 dev veth_nb nodad
ip -n b addr add fd20::2/64 dev veth_b nodad
for l in a:veth_a n:veth_na n:veth_nb b:veth_b; do
	ip -n "${l%%:*}" link set "${l#*:}" up
done
ip -n a addr add 10.1.0.1/24 dev lo
ip -n b addr add 10.2.0.1/24 dev lo
ip -n a route add default via 192.168.1.1
ip -n b route add 10.1.0.0/24 via 10.0.0.1
ip -n a -6 route add default via fd10::1
ip -n b -6 route add default via fd20::1
ns_run n sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ns_run n nft -f - <<'EOT'
table ip nat {
	chain post { type nat hook postrouting priority srcnat;
		oifname "veth_nb" udp sport 4500 snat to 10.0.0.1:40001;
		oifname "veth_nb" masquerade; }
}
EOT

encap_pids=
for ns in a b; do
	ip netns exec $ns python3 "$NATT" encap 4500 >$T/encap_$ns 2>&1 &
	encap_pids="$encap_pids $!"
done
check "UDP_ENCAP sockets on port 4500 in a and b" \
	wait_until 20 sh -c "grep -q ready $T/encap_a && grep -q ready $T/encap_b"

# b believes a's NAT uses port 40000 for 0x3001: the first packet tells
# it 40001, by NEW_MAPPING. b's own SA to a uses 40001.
ns_run a "$PFK" -f - <<EOT
add 192.168.1.2[4500] 10.0.0.2[4500] esp-udp 0x3001 -m tunnel -u 7 -r 64
	-E aes-gcm-16 $GCMKEY;
add 10.0.0.2[4500] 192.168.1.2[4500] esp-udp 0x3002 -m tunnel -u 7 -r 64
	-E aes-cbc $CBCKEY -A hmac-sha256 $SHAKEY;
spdadd 10.1.0.0/24 10.2.0.0/24 any -P out ipsec
	esp/tunnel/192.168.1.2-10.0.0.2/unique:7;
spdadd 10.2.0.0/24 10.1.0.0/24 any -P in ipsec
	esp/tunnel/10.0.0.2-192.168.1.2/unique:7;
add fd10::2[4500] fd20::2[4500] esp-udp 0x3101 -m transport -r 64
	-E aes-gcm-16 $GCMKEY;
add fd20::2[4500] fd10::2[4500] esp-udp 0x3102 -m transport -r 64
	-E aes-cbc $CBCKEY -A hmac-sha256 $SHAKEY;
spdadd fd10::2 fd20::2 any -P out ipsec esp/transport//require;
spdadd fd20::2 fd10::2 any -P in ipsec esp/transport//require;
EOT
ns_run b "$PFK" -f - <<EOT
add 10.0.0.1[40000] 10.0.0.2[4500] esp-udp 0x3001 -m tunnel -u 7 -r 64
	-E aes-gcm-16 $GCMKEY;
add 10.0.0.2[4500] 10.0.0.1[40001] esp-udp 0x3002 -m tunnel -u 7 -r 64
	-E aes-cbc $CBCKEY -A hmac-sha256 $SHAKEY;
spdadd 10.2.0.0/24 10.1.0.0/24 any -P out ipsec
	esp/tunnel/10.0.0.2-10.0.0.1/unique:7;
spdadd 10.1.0.0/24 10.2.0.0/24 any -P in ipsec
	esp/tunnel/10.0.0.1-10.0.0.2/unique:7;
add fd10::2[4500] fd20::2[4500] esp-udp 0x3101 -m transport -r 64
	-E aes-gcm-16 $GCMKEY;
add fd20::2[4500] fd10::2[4500] esp-udp 0x3102 -m transport -r 64
	-E aes-cbc $CBCKEY -A hmac-sha256 $SHAKEY;
spdadd fd20::2 fd10::2 any -P out ipsec esp/transport//require;
spdadd fd10::2 fd20::2 any -P in ipsec esp/transport//require;
EOT
ns_run b "$PFK" "get 10.0.0.1 10.0.0.2 esp 0x3001;" >$T/get 2>&1
check "b's GET shows the NAT-T ports" \
	grep -q '10[.]0[.]0[.]1\[40000\] 10[.]0[.]0[.]2\[4500\]' $T/get

# --- IPv4 tunnel through the NAT ---------------------------------------------
ip netns exec b python3 "$NATT" mapping $((20 * SCALE)) 1 >$T/mapping &
mpid=$!
wait_until 10 grep -q registered $T/mapping
ip netns exec b tcpdump --immediate-mode -U -ni veth_b -w $T/w4.pcap >/dev/null 2>&1 &
tdpid=$!
wait_until 10 test -s $T/w4.pcap
sleep 0.5
ain=$(cnt a udpencap_input) aout=$(cnt a udpencap_output)
bin=$(cnt b udpencap_input) bout=$(cnt b udpencap_output)
check "a pings b's inner network through ESP in UDP and the NAT" \
	ns_run a ping -c 3 -i 0.3 -W 2 -I 10.1.0.1 10.2.0.1
sleep 1
kill $tdpid
wait $tdpid $mpid
check_eq "udpencap_output/input: a sent 3 and got 3, b got 3 and sent 3" \
	"$((aout + 3)) $((ain + 3)) $((bin + 3)) $((bout + 3))" \
	"$(cnt a udpencap_output) $(cnt a udpencap_input) $(cnt b udpencap_input) $(cnt b udpencap_output)"
check_eq "b's wire: only UDP between 10.0.0.1:40001 and 10.0.0.2:4500, no plain ESP" \
	"6 0" "$(tcpdump -nr $T/w4.pcap 'udp and ((src 10.0.0.1 and src port 40001 and dst port 4500) or (dst 10.0.0.1 and dst port 40001 and src port 4500))' 2>/dev/null | wc -l) $(tcpdump -nr $T/w4.pcap 'esp or icmp' 2>/dev/null | wc -l)"
tshark -r $T/w4.pcap -o esp.enable_encryption_decode:TRUE \
	-o esp.enable_authentication_check:TRUE \
	-o "uat:esp_sa:\"IPv4\",\"10.0.0.1\",\"10.0.0.2\",\"0x00003001\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"$GCMKEY\",\"NULL\",\"\"" \
	-o "uat:esp_sa:\"IPv4\",\"10.0.0.2\",\"10.0.0.1\",\"0x00003002\",\"AES-CBC [RFC3602]\",\"$CBCKEY\",\"HMAC-SHA-256-128 [RFC4868]\",\"$SHAKEY\"" \
	-T fields -e esp.spi -e esp.icv_good -e udp.checksum -e esp.protocol \
	-Y esp 2>/dev/null >$T/w4.txt
check_eq "Wireshark decodes UDP 4500 as ESP and verifies all 6 ICVs" 6 \
	"$(awk '$2 == "True" || $2 == 1' $T/w4.txt | wc -l)"
check_eq "... over IPv4 the UDP checksum is zero (RFC 3948 2.1), inner IPv4" \
	"0x0000 0x04" "$(awk '{ print $3, $4 }' $T/w4.txt | sort -u | tr '\n' ' ' | sed 's/ $//')"
check_eq "b got SADB_X_NAT_T_NEW_MAPPING: new port 40001, with SA2's reqid, no keys" \
	"satype=3 pid=0 spi=0x3001 src=10.0.0.1 sport=40001 dst=10.0.0.2 dport=4500 mode=2 reqid=7 keys=0" \
	"$(sed -n 2p $T/mapping)"

# mapping LINES: NEW_MAPPINGs b gets while a sends 10 pings in half a second
# (the listener's window is long: on a loaded host or a debug kernel,
# starting ping and the first packet's way through the NAT can take
# seconds; after the burst nothing more comes)
mapping()
{
	ip netns exec b python3 "$NATT" mapping $((10 * SCALE)) >$T/mapping2 &
	_mpid=$!
	wait_until 10 grep -q registered $T/mapping2
	ns_run a ping -c 10 -i 0.05 -W 2 -I 10.1.0.1 10.2.0.1 >/dev/null
	wait $_mpid
	grep -c spi= $T/mapping2
}
check_eq "at most one NEW_MAPPING a second: one for 10 packets" 1 "$(mapping)"
ns_run b "$PFK" -f - <<EOT
delete 10.0.0.1 10.0.0.2 esp 0x3001;
add 10.0.0.1[40001] 10.0.0.2[4500] esp-udp 0x3001 -m tunnel -u 7 -r 64
	-E aes-gcm-16 $GCMKEY;
EOT
check_eq "once the key manager has the SA say 40001: none" 0 "$(mapping)"

# plain ESP for a NAT-T SA, ESP in UDP for a plain one: b refuses both
ns_run b "$PFK" "add 10.0.0.1 10.0.0.2 esp 0x3003 -m tunnel -r 64 -E aes-gcm-16 $GCMKEY;"
need=$(cnt b udpencap_needed) inval=$(cnt b udpencap_invalid)
ns_run n "$FORGE" 10.0.0.1 10.0.0.2 0x3001 "$GCMKEY" 100 \
	>/dev/null 2>&1
check_eq "plain ESP for b's NAT-T SA: dropped, counted in udpencap_needed" \
	"$((need + 1))" "$(cnt b udpencap_needed)"
ns_run n python3 - "$GCMKEY" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.0.0.1", 4600))
s.sendto(struct.pack("!II", 0x3003, 1) + bytes(40), ("10.0.0.2", 4500))
PY
check "ESP in UDP for b's plain SA: dropped, counted in udpencap_invalid" \
	wait_until 5 test "$(cnt b udpencap_invalid)" = "$((inval + 1))"

# --- IPv6 transport, no NAT ---------------------------------------------------
ip netns exec b tcpdump --immediate-mode -U -ni veth_b -w $T/w6.pcap ip6 and not icmp6 >/dev/null 2>&1 &
tdpid=$!
wait_until 10 test -s $T/w6.pcap
sleep 0.5
check "IPv6 transport: a pings b through ESP in UDP" \
	ns_run a ping -6 -c 3 -i 0.3 -W 2 fd20::2
sleep 1
kill $tdpid
wait $tdpid
check_eq "b's wire: 6 UDP packets between ports 4500" 6 \
	"$(tcpdump -nr $T/w6.pcap 'ip6 and udp src port 4500 and dst port 4500' 2>/dev/null | wc -l)"
tshark -r $T/w6.pcap -o esp.enable_encryption_decode:TRUE \
	-o esp.enable_authentication_check:TRUE -o udp.check_checksum:TRUE \
	-o "uat:esp_sa:\"IPv6\",\"*\",\"*\",\"0x00003101\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"$GCMKEY\",\"NULL\",\"\"" \
	-o "uat:esp_sa:\"IPv6\",\"*\",\"*\",\"0x00003102\",\"AES-CBC [RFC3602]\",\"$CBCKEY\",\"HMAC-SHA-256-128 [RFC4868]\",\"$SHAKEY\"" \
	-T fields -e esp.spi -e esp.icv_good -e udp.checksum.status \
	-Y esp 2>/dev/null >$T/w6.txt
check_eq "Wireshark verifies all 6 ICVs and 6 UDP checksums over IPv6" "6 6" \
	"$(awk '$2 == "True" || $2 == 1' $T/w6.txt | wc -l) $(awk '$3 == "Good" || $3 == 1' $T/w6.txt | wc -l)"

kill $encap_pids
wait $encap_pids
for ns in a n b; do ip netns del $ns; done
rm -rf "$T"
ktap_end
