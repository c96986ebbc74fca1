#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hostile input and teardown races (issue 9): ESP whose first IP fragment
# holds only the SPI and sequence number (RFC 791 lets a datagram be split
# at any multiple of 8 bytes; reassembly must be transparent, stock esp4
# answers such a ping), the same in UDP; inner packets of a tunnel SA that
# no policy naming that SA allows (RFC 4301 5.2); UPDATE of a live SA,
# which must neither restart the sender's counter (RFC 4303 3.3.3) nor
# forget the receiver's window (3.4.3); namespace deletion and rmmod
# while ESP keeps flowing; tcpdump on enc0 during TCP. Packets are built
# by esp_forge.py from RFC 4106, not by the module. A kernel report in
# dmesg fails the file (tests/vm/run).
# check-timeout: 600
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load
PFK="$TOP/tools/pfkeyctl/pfkeyctl"
FORGE="$TOP/tests/kselftest/lib/esp_forge.py"
NATT="$TOP/tests/kselftest/lib/natt.py"
KEY=0x00112233445566778899aabbccddeeff01020304
KEY2=0xffeeddccbbaa99887766554433221100a0b0c0d0
T=$(mktemp -d)

ip netns add a
ip netns add b
link_ns a b 10.0.0.1 10.0.0.2
ip -n a addr add 10.0.0.3/24 dev veth_a
ip -n b addr add 10.2.0.1/24 dev lo
# conntrack in b: its defrag reassembles in PREROUTING, as on any host
# whose ruleset tracks connections
ns_run b nft -f - <<'EOT'
table inet t {
	chain in {
		type filter hook input priority 0;
		ct state invalid counter drop
	}
}
EOT

ns_run b "$PFK" -f - <<EOT
add 10.0.0.3 10.0.0.2 esp 0x1001 -m transport -r 64 -E aes-gcm-16 $KEY;
add 10.0.0.3[4500] 10.0.0.2[4500] esp-udp 0x1003 -m transport -r 64
	-E aes-gcm-16 $KEY;
add 10.0.0.2 10.0.0.3 esp 0x1002 -m transport -E aes-gcm-16 $KEY;
add 10.0.0.3 10.0.0.2 esp 0x2001 -m tunnel -r 64 -E aes-gcm-16 $KEY;
spdadd 10.0.0.3 10.0.0.2 any -P in ipsec esp/transport//require;
spdadd 10.0.0.2 10.0.0.3 any -P out ipsec esp/transport//require;
spdadd 10.1.0.0/24 10.2.0.0/24 any -P in ipsec
	esp/tunnel/10.0.0.3-10.0.0.2/require;
spdadd 10.8.0.0/24 10.2.0.0/24 any -P in none;
EOT

cnt() { ipsec_counter b esp "$1"; }
echos() { ns_run b nstat -asz IcmpInEchos | awk '$1 == "IcmpInEchos" { print $2 }'; }
forge() { ns_run a python3 "$FORGE" 10.0.0.3 10.0.0.2 "$@"; }

# --- fragments -------------------------------------------------------------
in0=$(cnt input_packets) out0=$(cnt output_packets) e0=$(echos)
forge 0x1001 $KEY 1 --icmp-echo 1200 --frag-first 8
wait_until 5 test "$(cnt output_packets)" -gt "$out0"
check_eq "ESP whose first fragment holds only SPI and seq: decrypted, answered" \
	"$((in0 + 1)) $((e0 + 1)) $((out0 + 1))" \
	"$(cnt input_packets) $(echos) $(cnt output_packets)"

forge 0x1001 $KEY 2 --icmp-echo 1200 --frag-first 16
wait_until 5 test "$(cnt output_packets)" -gt "$((out0 + 1))"
check_eq "... and with SPI, seq and 8 bytes of IV in the first" \
	"$((in0 + 2)) $((e0 + 2))" "$(cnt input_packets) $(echos)"

ns_run b python3 "$NATT" encap 4500 >$T/encap.out 2>&1 &
encap_pid=$!
wait_until 10 grep -q ready $T/encap.out
u0=$(cnt udpencap_input)
forge 0x1003 $KEY 1 --icmp-echo 1200 --udp 4500:4500 --frag-first 16
wait_until 5 test "$(cnt udpencap_input)" -gt "$u0"
check_eq "ESP in UDP whose first fragment holds UDP, SPI and seq: decrypted" \
	"$((u0 + 1)) $((in0 + 3)) $((e0 + 3))" \
	"$(cnt udpencap_input) $(cnt input_packets) $(echos)"
kill $encap_pid
wait $encap_pid 2>/dev/null

# --- tunnel inner packets --------------------------------------------------
p0=$(cnt policy_drops) e0=$(echos)
forge 0x2001 $KEY 1 --icmp-echo 56 --inner 10.1.0.5:10.2.0.1
wait_until 5 test "$(echos)" -gt "$e0"
check_eq "tunnel SA, inner packet its policy allows: received" \
	"$((e0 + 1)) $p0" "$(echos) $(cnt policy_drops)"
forge 0x2001 $KEY 2 --icmp-echo 56 --inner 10.9.9.9:10.2.0.1
wait_until 5 test "$(cnt policy_drops)" -gt "$p0"
check_eq "tunnel SA, inner source no policy covers: dropped (policy_drops)" \
	"$((e0 + 1)) $((p0 + 1))" "$(echos) $(cnt policy_drops)"
forge 0x2001 $KEY 3 --icmp-echo 56 --inner 10.8.0.1:10.2.0.1
wait_until 5 test "$(cnt policy_drops)" -gt "$((p0 + 1))"
check_eq "tunnel SA, inner source under a bypass policy: dropped" \
	"$((e0 + 1)) $((p0 + 2))" "$(echos) $(cnt policy_drops)"

# --- net.ipsec.debug: drops logged with their cause, rate limited -------
ns_run b sysctl -qw net.ipsec.debug=1
forge 0x7777 $KEY 1 --icmp-echo 56
check "net.ipsec.debug=1: a drop is logged with its cause and addresses" \
	wait_until 5 sh -c 'dmesg | grep -q "ipsec: esp drop (no_sa): 10.0.0.3 -> 10.0.0.2"'
ns_run b sysctl -qw net.ipsec.debug=0

# --- UPDATE of a live SA ---------------------------------------------------
# a PF_KEY UPDATE as strongSwan's kernel-pfkey sends it (the SA's own keys,
# a new lifetime); SPI, key and seq are arguments
cat >$T/update.py <<'EOT'
import sys
sys.path.insert(0, sys.argv[1])
import pfkey as pk
src, dst, spi, key = sys.argv[2], sys.argv[3], int(sys.argv[4], 0), sys.argv[5]
e = pk.ext_sa(spi, replay=64, enc=20)
e += pk.ext_addr(pk.EXT_SRC, src) + pk.ext_addr(pk.EXT_DST, dst)
e += pk.ext_key(pk.EXT_KEY_ENC, bytes.fromhex(key[2:]))
e += pk.ext_sa2(pk.MODE_TRANSPORT) + pk.ext_lifetime(pk.EXT_LT_SOFT,
                                                     addtime=3600)
m = pk.Sock().request(pk.UPDATE, pk.SATYPE_ESP, e)
print(pk.strerror(m.errno) if m.errno else "ok")
EOT
update() { ns_run "$1" python3 $T/update.py "$TOP/tests/kselftest/lib" "$2" "$3" "$4" "$5"; }

r0=$(cnt replay) e0=$(echos)
forge 0x1001 $KEY 10 --icmp-echo 56
wait_until 5 test "$(echos)" -gt "$e0"
check_eq "UPDATE of the live inbound SA with its own keys" ok \
	"$(update b 10.0.0.3 10.0.0.2 0x1001 $KEY)"
forge 0x1001 $KEY 10 --icmp-echo 56
wait_until 5 test "$(cnt replay)" -gt "$r0"
check_eq "... a packet accepted before the UPDATE is a replay after it" \
	"$((e0 + 1)) $((r0 + 1))" "$(echos) $(cnt replay)"
check_eq "UPDATE of a live SA with another key: EINVAL (as OpenBSD)" \
	EINVAL "$(update b 10.0.0.3 10.0.0.2 0x1001 $KEY2)"
forge 0x1001 $KEY 11 --icmp-echo 56
wait_until 5 test "$(echos)" -gt "$((e0 + 1))"
check_eq "... and the SA still takes its own key" "$((e0 + 2))" "$(echos)"

# outbound: a keys 10.0.0.1 -> 10.0.0.2; its sequence numbers on the wire
for ns in a b; do
	if [ $ns = a ]; then o=out i=in; else o=in i=out; fi
	ns_run $ns "$PFK" -f - <<EOT
add 10.0.0.1 10.0.0.2 esp 0x3001 -m transport -r 64 -E aes-gcm-16 $KEY;
add 10.0.0.2 10.0.0.1 esp 0x3002 -m transport -r 64 -E aes-gcm-16 $KEY;
spdadd 10.0.0.1 10.0.0.2 any -P $o ipsec esp/transport//require;
spdadd 10.0.0.2 10.0.0.1 any -P $i ipsec esp/transport//require;
EOT
done
ns_run b tcpdump --immediate-mode -U -ni veth_b -w $T/seq.pcap \
	'esp and ip[20:4] == 0x3001' >/dev/null 2>&1 &
tcpdump_pid=$!
wait_until 10 test -s $T/seq.pcap
sleep 0.5
ns_run a ping -c 3 -i 0.2 -W 2 10.0.0.2 >/dev/null
check_eq "UPDATE of the live outbound SA" ok \
	"$(update a 10.0.0.1 10.0.0.2 0x3001 $KEY)"
ns_run a ping -c 3 -i 0.2 -W 2 10.0.0.2 >/dev/null
sleep 0.5
kill $tcpdump_pid
wait $tcpdump_pid 2>/dev/null
check_eq "the sender's counter goes on across the UPDATE (RFC 4303 3.3.3)" \
	"0x1 0x2 0x3 0x4 0x5 0x6" \
	"$(tcpdump -nr $T/seq.pcap 2>/dev/null | sed -n 's/.*seq=\(0x[0-9a-f]*\).*/\1/p' | tr '\n' ' ' | sed 's/ $//')"

# --- enc0 taps in process context ------------------------------------------
ns_run a tcpdump -ni enc0 -w /dev/null >/dev/null 2>&1 &
tcpdump_pid=$!
sleep 1
ns_run b timeout $((30 * SCALE)) python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.2", 5001)); s.listen(1); c, _ = s.accept()
while c.recv(65536):
    pass' &
wait_until 30 sh -c 'ip netns exec b ss -Hltn | grep -q :5001'
check "TCP through ESP with tcpdump on enc0 (lockdep: BHs off for taps)" \
	ns_run a timeout $((30 * SCALE)) python3 -c "
import socket
s = socket.create_connection(('10.0.0.2', 5001)); s.sendall(bytes(2000000)); s.close()"
kill $tcpdump_pid
wait

# --- namespace deletion and rmmod under traffic ----------------------------
ns_pair()	# keyed ESP between c and d, c's side also as ESP in UDP
{
	ip netns add c
	ip netns add d
	link_ns c d 10.5.0.1 10.5.0.2
	for ns in c d; do
		if [ $ns = c ]; then o=out i=in; else o=in i=out; fi
		ns_run $ns "$PFK" -f - <<EOT
add 10.5.0.1 10.5.0.2 esp 0x4001 -m transport -E aes-gcm-16 $KEY;
add 10.5.0.2 10.5.0.1 esp 0x4002 -m transport -E aes-cbc
	0x000102030405060708090a0b0c0d0e0f -A hmac-sha256
	0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;
spdadd 10.5.0.1 10.5.0.2 any -P $o ipsec esp/transport//require;
spdadd 10.5.0.2 10.5.0.1 any -P $i ipsec esp/transport//require;
EOT
	done
}

# storm N: N times, c deleted while c and d flood each other with ESP;
# sets ok to the rounds that came back
storm()
{
	ok=0
	for i in $(seq "$1"); do
		ns_pair
		ns_run d ping -f -s 1000 -w 3 10.5.0.1 >/dev/null 2>&1 &
		ns_run c ping -f -s 1000 -w 3 10.5.0.2 >/dev/null 2>&1 &
		sleep 1
		ip netns del c
		wait
		ip netns del d
		ok=$((ok + 1))
	done
}

storm 5
check_eq "5 namespaces deleted while their peer floods them with ESP" 5 $ok
check "... and the deleted namespaces' state is gone" \
	wait_until 20 sh -c 'test "$(ip netns list | grep -c "^[cd]\b")" -eq 0'

ns_pair
ns_run d ping -f -s 1000 -w 5 10.5.0.1 >/dev/null 2>&1 &
ns_run c ping -f -s 1000 -w 5 10.5.0.2 >/dev/null 2>&1 &
sleep 1
ip netns del a
ip netns del b
check "rmmod while ESP flows in both directions" rmmod ipsec
wait
ip netns del c
ip netns del d
check "insmod again afterwards" insmod "$MODULE"

# --- the same with asynchronous transforms ---------------------------------
# From here on the GCM SA completes from pcrypt's workqueues (where the
# kernel has pcrypt) and the CBC/HMAC-SHA-256 SA's cipher from cryptd's:
# the resume paths, enc0's taps and the namespace teardown meet
# completions that arrive in process context after the packet left
# softirq.
python3 "$TOP/tests/kselftest/lib/crypto_async.py" 'aead:rfc4106(gcm(aes))' \
	'skcipher:cbc(aes)' >"$T/async" 2>&1
sed 's/^/# /' "$T/async"
check_eq "cbc(aes) is now served by cryptd" "cryptd" \
	"$(awk '$1 == "cbc(aes)" { sub(/\(.*/, "", $2); print $2 }' "$T/async")"
ns_pair
check "async ESP both ways: ping answered" \
	ns_run c ping -c 3 -W 5 10.5.0.2
ns_run d tcpdump --immediate-mode -ni enc0 -w /dev/null >/dev/null 2>&1 &
ns_run d python3 -c "
import socket
srv = socket.socket(); srv.bind(('10.5.0.2', 5002)); srv.listen(1)
c, _ = srv.accept(); n = 0
while True:
    b = c.recv(65536)
    if not b:
        break
    n += len(b)
print(n)" >"$T/async_tcp" 2>&1 &
SPID=$!
wait_until 10 sh -c "ip netns exec d ss -ltn | grep -q :5002"
check "async ESP: 2 MB over TCP, tcpdump on enc0" \
	ns_run c timeout $((60 * SCALE)) python3 -c "
import socket
s = socket.create_connection(('10.5.0.2', 5002)); s.sendall(bytes(2000000)); s.close()"
wait $SPID
check_eq "... every byte arrived" 2000000 "$(cat "$T/async_tcp")"
pkill -x tcpdump
sleep 0.5
ip netns del c
ip netns del d
storm 3
check_eq "async: 3 namespaces deleted while their peer floods them" 3 $ok
ns_pair
ns_run d ping -f -s 1000 -w 5 10.5.0.1 >/dev/null 2>&1 &
ns_run c ping -f -s 1000 -w 5 10.5.0.2 >/dev/null 2>&1 &
sleep 1
check "async: rmmod while ESP flows in both directions" rmmod ipsec
wait
ip netns del c
ip netns del d
check "insmod again afterwards" insmod "$MODULE"
rmmod ipsec
rm -rf "$T"
ktap_end
