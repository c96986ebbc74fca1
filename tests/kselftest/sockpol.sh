#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-also: 6.12
# Per-socket policies (IP_IPSEC_POLICY, IP_XFRM_POLICY and the IPv6 ones)
# in one guest, with the payloads applications send (lib/sockpol.py).
# What a socket policy means is KAME's and XFRM's (ipsec_set_policy(3),
# setkey(8), strongSwan's bypass_socket()): bypass exempts the socket from
# the SPD in that direction, a request is enforced for the socket alone,
# with an ACQUIRE (RFC 2367 3.1.6) when its SA is missing. What crossed
# the wire is seen by tcpdump; drops in /proc/net/ipsec/esp. No port is
# special: cleartext from UDP port 500 meets the SPD like any other.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load
PFK="$TOP/tools/pfkeyctl/pfkeyctl"
SP="$TOP/tests/kselftest/lib/sockpol.py"
T=$(mktemp -d)
GCMKEY=0x00112233445566778899aabbccddeeff01020304

# a and b: every packet between them must be ESP, and there is no SA
ip netns add a
ip netns add b
link_ns a b 10.0.0.1 10.0.0.2
ip -n a addr add fd00::1/64 dev veth_a nodad
ip -n b addr add fd00::2/64 dev veth_b nodad
for ns in a b; do
	if [ $ns = a ]; then o=out i=in; else o=in i=out; fi
	ns_run $ns "$PFK" -f - <<EOT
spdadd 10.0.0.1 10.0.0.2 any -P $o ipsec esp/transport//require;
spdadd 10.0.0.2 10.0.0.1 any -P $i ipsec esp/transport//require;
spdadd fd00::1 fd00::2 any -P $o ipsec esp/transport//require;
spdadd fd00::2 fd00::1 any -P $i ipsec esp/transport//require;
EOT
done

cnt() { ipsec_counter "$1" esp "$2"; }

# recv NS FAMILY PORT [POLICY...]: a receiver in the background, its count
# in $T/recv_NS_PORT once it is done
recv()
{
	_rns=$1 _rf=$2 _rp=$3
	shift 3
	rm -f "$T/ready"
	ns_run "$_rns" python3 "$SP" recv "$_rf" "$_rp" $((10 * SCALE)) "$T/ready" "$@" \
		>"$T/recv_${_rns}_$_rp" 2>&1 &
	RPID=$!
	wait_until 60 test -e "$T/ready"
}

# crossing DESC EXPECTED NS DST FAMILY PORT RECV-POLICY -- SEND-ARGS...
crossing()
{
	_d=$1 _exp=$2 _ns=$3 _dst=$4 _f=$5 _p=$6 _pol=$7
	shift 8
	if [ "$_pol" = - ]; then recv b "$_f" "$_p"; else
		recv b "$_f" "$_p" "$_pol"; fi
	ns_run "$_ns" python3 "$SP" send "$_f" "$_dst" "$_p" 3 "$@" \
		>"$T/send" 2>&1
	wait $RPID
	check_eq "$_d" "$_exp" "$(cat "$T/recv_b_$_p")"
}

# 1. malformed payloads: EINVAL, each, in both formats and families
for f in 4 6; do
	ns_run a python3 "$SP" errors $f >"$T/errors$f" 2>&1
	check_eq "IPv$f: well-formed bypass policies accepted in both formats" \
		"pfkey-bypass-out ok xfrm-bypass-out ok" \
		"$(grep -E '^(pfkey|xfrm)-bypass-out ' "$T/errors$f" | tr '\n' ' ' | sed 's/ $//')"
	check_eq "IPv$f: 25 malformed payloads refused with EINVAL" 25 \
		"$(grep -vE 'bypass-out|beet' "$T/errors$f" | grep -c ' EINVAL$')"
	check_eq "IPv$f: a BEET template is EOPNOTSUPP (not malformed)" \
		"xfrm-tmpl-beet EOPNOTSUPP" "$(grep beet "$T/errors$f")"
done
grep -vE ' (ok|EINVAL)$' "$T/errors4" | sed 's/^/# /'

# 2. bypass crosses the require policies; a plain socket does not
ns_run b tcpdump --immediate-mode -U -ni veth_b -w "$T/wire.pcap" 'udp or esp' \
	>/dev/null 2>&1 &
TCPDUMP=$!
wait_until 10 test -s "$T/wire.pcap"
sleep 1
nosa=$(cnt a no_sa)
crossing "IPv4: a plain socket's datagrams are held back by a's require policy" \
	0 a 10.0.0.2 4 5000 in:bypass:pfkey --
check_eq "... and counted as no_sa in a" $((nosa + 3)) "$(cnt a no_sa)"
crossing "IPv4 PF_KEY bypass both ends: datagrams cross in the clear" \
	3 a 10.0.0.2 4 5001 in:bypass:pfkey -- out:bypass:pfkey
crossing "IPv4 XFRM bypass both ends: datagrams cross in the clear" \
	3 a 10.0.0.2 4 5002 in:bypass:xfrm -- out:bypass:xfrm
crossing "IPv6 PF_KEY bypass both ends" \
	3 a fd00::2 6 5003 in:bypass:pfkey -- out:bypass:pfkey
crossing "IPv6 XFRM bypass both ends" \
	3 a fd00::2 6 5004 in:bypass:xfrm -- out:bypass:xfrm
pd=$(cnt b policy_drops)
crossing "IPv4: sender bypasses, a plain receiver in b gets nothing" \
	0 a 10.0.0.2 4 5005 - -- out:bypass:pfkey
check_eq "... b dropped the 3 by its inbound policy" $((pd + 3)) \
	"$(cnt b policy_drops)"
pd=$(cnt b policy_drops)
crossing "cleartext from UDP source port 500 to a protected service is dropped" \
	0 a 10.0.0.2 4 5006 - -- --sport 500 out:bypass:pfkey
check_eq "... by b's SPD" $((pd + 3)) "$(cnt b policy_drops)"
crossing "... and from source port 4500 too" \
	0 a 10.0.0.2 4 5007 - -- --sport 4500 out:bypass:xfrm
crossing "ENTRUST gives the socket back to the SPD" \
	0 a 10.0.0.2 4 5008 in:bypass:pfkey -- out:entrust:pfkey
crossing "a discard policy drops the socket's own datagrams" \
	0 a 10.0.0.2 4 5009 in:bypass:pfkey -- out:discard:xfrm

# TCP: the accepted socket inherits the listener's bypass policies
recv_tcp()
{
	ns_run b python3 - "$SP" "$T/tready" $((10 * SCALE)) <<'EOF' >"$T/tcp" 2>&1 &
import socket, sys
sys.path.insert(0, sys.argv[1].rsplit("/", 1)[0])
import sockpol
s = socket.socket()
s.bind(("10.0.0.2", 5010))
for d in ("in", "out"):
    sockpol.apply(s, socket.AF_INET, d + ":bypass:xfrm")
s.listen(1)
open(sys.argv[2], "w").close()
s.settimeout(int(sys.argv[3]))
c, _ = s.accept()
c.sendall(c.recv(100).upper())
print("served")
EOF
	RPID=$!
	wait_until 60 test -e "$T/tready"
}
recv_tcp
ns_run a python3 - "$SP" $((10 * SCALE)) >"$T/tcpc" 2>&1 <<'EOF'
import socket, sys
sys.path.insert(0, sys.argv[1].rsplit("/", 1)[0])
import sockpol
s = socket.socket()
for d in ("in", "out"):
    sockpol.apply(s, socket.AF_INET, d + ":bypass:pfkey")
s.settimeout(int(sys.argv[2]))
s.connect(("10.0.0.2", 5010))
s.sendall(b"hello")
print(s.recv(100).decode())
EOF
wait $RPID
check_eq "TCP with bypass sockets both ends (accepted socket inherits)" \
	"HELLO served" "$(cat "$T/tcpc") $(cat "$T/tcp")"

sleep 0.5
pkill -INT -x tcpdump 2>/dev/null	# $! may be the subshell, which ignores SIGINT
wait "$TCPDUMP"
check_eq "b's wire: the 12 bypassed datagrams in the clear, no ESP" "12 0" \
	"$(tcpdump -nr "$T/wire.pcap" 'udp dst portrange 5001-5004' 2>/dev/null | wc -l) $(tcpdump -nr "$T/wire.pcap" esp 2>/dev/null | wc -l)"

# 3. a socket requiring ESP on hosts with no policy: ACQUIRE, then ESP
ip netns add c
ip netns add d
link_ns c d 10.0.2.1 10.0.2.2
ns_run c python3 - "$TOP/tests/kselftest/lib" "$T/kready" <<'EOF' \
	>"$T/acquire" 2>&1 &
import sys
sys.path.insert(0, sys.argv[1])
from pfkey import *
km = Sock()
km.request(REGISTER, SATYPE_ESP)
open(sys.argv[2], "w").close()
while True:
    m = km.recv(60)	# ends at the ACQUIRE; the wait covers a slow host
    if m is None:
        print("no ACQUIRE")
        break
    if m.type == ACQUIRE:
        p = m.policy()
        print(m.satype, m.addr(EXT_SRC)[0], m.addr(EXT_DST)[0], p["type"],
              p["dir"])
        break
EOF
KPID=$!
wait_until 60 test -e "$T/kready"
recv d 4 5020
ns_run c python3 "$SP" send 4 10.0.2.2 5020 3 out:esp:pfkey >"$T/send" 2>&1
wait $RPID
wait $KPID
check_eq "no SA: the ESP-requiring socket's datagrams do not leave" 0 \
	"$(cat "$T/recv_d_5020")"
check_eq "... and an ESP ACQUIRE for 10.0.2.1 -> 10.0.2.2 (policy ipsec, out)" \
	"3 10.0.2.1 10.0.2.2 2 2" "$(cat "$T/acquire")"

for ns in c d; do
	ns_run $ns "$PFK" -f - <<EOT
add 10.0.2.1 10.0.2.2 esp 0x4001 -m transport -r 64 -E aes-gcm-16 $GCMKEY;
add 10.0.2.2 10.0.2.1 esp 0x4002 -m transport -r 64 -E aes-gcm-16 $GCMKEY;
EOT
done
ns_run d tcpdump --immediate-mode -U -ni veth_d -w "$T/wire2.pcap" 'udp or esp' \
	>/dev/null 2>&1 &
TCPDUMP=$!
wait_until 10 test -s "$T/wire2.pcap"
sleep 1
for fmt in pfkey xfrm; do
	recv d 4 5021
	ns_run c python3 "$SP" send 4 10.0.2.2 5021 3 out:esp:$fmt \
		>"$T/send" 2>&1
	wait $RPID
	check_eq "with the SAs, the $fmt ESP socket's datagrams arrive" 3 \
		"$(cat "$T/recv_d_5021")"
done
recv d 4 5022
ns_run c python3 "$SP" send 4 10.0.2.2 5022 3 >"$T/send" 2>&1
wait $RPID
check_eq "a plain socket on the same hosts still sends in the clear" 3 \
	"$(cat "$T/recv_d_5022")"
pd=$(cnt d policy_drops)
recv d 4 5023 in:esp:xfrm
ns_run c python3 "$SP" send 4 10.0.2.2 5023 3 >"$T/send" 2>&1
wait $RPID
check_eq "a socket whose inbound policy requires ESP gets no cleartext" 0 \
	"$(cat "$T/recv_d_5023")"
check_eq "... counted as policy drops" $((pd + 3)) "$(cnt d policy_drops)"
recv d 4 5024 in:esp:pfkey
ns_run c python3 "$SP" send 4 10.0.2.2 5024 3 out:esp:pfkey >"$T/send" 2>&1
wait $RPID
check_eq "... but gets what came through ESP" 3 "$(cat "$T/recv_d_5024")"
pd=$(cnt d policy_drops)
recv d 4 5025 in:discard:xfrm
ns_run c python3 "$SP" send 4 10.0.2.2 5025 3 out:esp:pfkey >"$T/send" 2>&1
wait $RPID
check_eq "a socket whose inbound policy discards gets nothing, ESP or not" 0 \
	"$(cat "$T/recv_d_5025")"
check_eq "... the decrypted datagrams counted as policy drops" $((pd + 3)) \
	"$(cnt d policy_drops)"
sleep 0.5
pkill -INT -x tcpdump 2>/dev/null	# $! may be the subshell, which ignores SIGINT
wait "$TCPDUMP"
check_eq "d's wire: 12 ESP packets, no cleartext to 5021 or 5024" "12 0" \
	"$(tcpdump -nr "$T/wire2.pcap" esp 2>/dev/null | wc -l) $(tcpdump -nr "$T/wire2.pcap" 'udp dst port 5021 or udp dst port 5024' 2>/dev/null | wc -l)"

# 4. only a privileged process sets a socket policy (ip_sockglue)
check_eq "without CAP_NET_ADMIN: EPERM" "pfkey-bypass-out EPERM" \
	"$(ns_run a setpriv --inh-caps=-all --bounding-set=-net_admin \
		python3 "$SP" errors 4 2>&1 | head -n1)"

# 5. a process with an io_uring: setsockopt(2) is still answered at once,
# as XFRM answers it (only a ring's own setsockopt may complete before
# the hooks are up), each time in a namespace with no socket policy yet
for fmt in pfkey xfrm; do
	ip netns add "u$fmt"
	got=$(ns_run "u$fmt" python3 "$SP" uring 4 $fmt 2>&1)
	case $got in
	no-io_uring*) ktap_skip "$fmt socket policy from a process with an io_uring (no io_uring: $got)" ;;
	*) check_eq "$fmt socket policy from a process with an io_uring: ok, as XFRM" \
		ok "$got" ;;
	esac
	ip netns del "u$fmt"
done

ip netns del a
ip netns del b
ip netns del c
ip netns del d
rm -rf "$T"
ktap_end
