#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# OpenBSD's per-socket IPsec levels (ipsec(4): IP_AUTH_LEVEL,
# IP_ESP_TRANS_LEVEL, IP_ESP_NETWORK_LEVEL, IP_IPCOMP_LEVEL and the IPV6_
# ones, at the numbers of <ipsec/levels.h>) in one guest. What ipsec(4)
# says: five levels; a new socket gets the system default; EINVAL for a
# bad length or level; EACCES when an unprivileged process lowers a level
# below the default; REQUIRE means IPsec for sending and for received
# data, USE IPsec for sending while cleartext is still accepted, BYPASS
# skips the system policy (for key managers, privileged). Checked on the
# wire with tcpdump and in /proc/net/ipsec/esp.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load
PFK="$TOP/tools/pfkeyctl/pfkeyctl"
SP="$TOP/tests/kselftest/lib/sockpol.py"
T=$(mktemp -d)
GCMKEY=0x00112233445566778899aabbccddeeff01020304
UNPRIV="setpriv --inh-caps=-all --bounding-set=-net_admin"

# a and b with ESP transport SAs both ways and no policy at all
ip netns add a
ip netns add b
link_ns a b 10.0.0.1 10.0.0.2
ip -n a addr add fd00::1/64 dev veth_a nodad
ip -n b addr add fd00::2/64 dev veth_b nodad
for ns in a b; do
	ns_run $ns "$PFK" -f - <<EOT
add 10.0.0.1 10.0.0.2 esp 0x5001 -m transport -r 64 -E aes-gcm-16 $GCMKEY;
add 10.0.0.2 10.0.0.1 esp 0x5002 -m transport -r 64 -E aes-gcm-16 $GCMKEY;
add fd00::1 fd00::2 esp 0x5003 -m transport -r 64 -E aes-gcm-16 $GCMKEY;
add fd00::2 fd00::1 esp 0x5004 -m transport -r 64 -E aes-gcm-16 $GCMKEY;
EOT
done
cnt() { ipsec_counter "$1" esp "$2"; }

# 1. the option itself
for f in 4 6; do
	check_eq "IPv$f: a new socket has the default levels (AVAIL: 1 1 1 1)" \
		"1 1 1 1" "$(ns_run a python3 "$SP" getlevels $f)"
	check_eq "IPv$f: EINVAL for bad lengths and levels, EACCES for nothing privileged" \
		"short EINVAL long EINVAL level-5 EINVAL level-neg EINVAL bypass ok use ok require ok" \
		"$(ns_run a python3 "$SP" levels $f | tr '\n' ' ' | sed 's/ $//')"
	check_eq "IPv$f: unprivileged, BYPASS (below the default) is EACCES; raising is allowed" \
		"short EINVAL long EINVAL level-5 EINVAL level-neg EINVAL bypass EACCES use ok require ok" \
		"$(ns_run a $UNPRIV python3 "$SP" levels $f | tr '\n' ' ' | sed 's/ $//')"
	check_eq "IPv$f: getsockopt returns what was set" "3 2 1 4" \
		"$(ns_run a python3 "$SP" getlevels $f lvl:auth:require \
			lvl:esp_trans:use lvl:ipcomp:unique)"
done
check_fails "net.ipsec.esp_trans_level=5 is refused" \
	ns_run a sysctl -qw net.ipsec.esp_trans_level=5
check_fails "net.ipsec.esp_trans_level=0 (bypass for all) is refused" \
	ns_run a sysctl -qw net.ipsec.esp_trans_level=0
ns_run a sysctl -qw net.ipsec.esp_trans_level=3
check_eq "a raised default is what a new socket gets" "1 3 1 1" \
	"$(ns_run a python3 "$SP" getlevels 4)"
check_eq "... IPv6 has its own (net.ipsec6.esp_trans_level)" "1 1 1 1" \
	"$(ns_run a python3 "$SP" getlevels 6)"
check_eq "... and unprivileged, lowering it to USE is EACCES" "EACCES" \
	"$(ns_run a $UNPRIV python3 -c "
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.setsockopt(socket.IPPROTO_IP, 0x4951, struct.pack('i', 2))
    print('ok')
except PermissionError:
    print('EACCES')")"
ns_run a sysctl -qw net.ipsec.esp_trans_level=1

# recv NS FAMILY PORT [SPEC...] and crossing, as in sockpol.sh
recv()
{
	_rns=$1 _rf=$2 _rp=$3
	shift 3
	rm -f "$T/ready"
	ns_run "$_rns" python3 "$SP" recv "$_rf" "$_rp" $((10 * SCALE)) "$T/ready" "$@" \
		>"$T/recv_${_rns}_$_rp" 2>&1 &
	RPID=$!
	wait_until 10 test -e "$T/ready"
}
# crossing DESC EXPECTED DST FAMILY PORT RECV-SPECS -- SEND-SPECS... (a -> b)
# RECV-SPECS: comma-separated, or -
crossing()
{
	_d=$1 _exp=$2 _dst=$3 _f=$4 _p=$5 _pol=$6
	shift 7
	# shellcheck disable=SC2046
	if [ "$_pol" = - ]; then recv b "$_f" "$_p"; else
		recv b "$_f" "$_p" $(echo "$_pol" | tr , ' '); fi
	ns_run a python3 "$SP" send "$_f" "$_dst" "$_p" 3 "$@" >"$T/send" 2>&1
	wait $RPID
	check_eq "$_d" "$_exp" "$(cat "$T/recv_b_$_p")"
}

# 2. on the wire: what a socket's levels add to an empty SPD
ns_run b tcpdump --immediate-mode -U -ni veth_b -w "$T/wire.pcap" 'udp or esp' \
	>/dev/null 2>&1 &
TCPDUMP=$!
wait_until 10 test -s "$T/wire.pcap"
sleep 1
crossing "IPv4 ESP_TRANS_LEVEL=REQUIRE: the datagrams arrive" \
	3 10.0.0.2 4 6001 - -- lvl:esp_trans:require
crossing "IPv6 ESP_TRANS_LEVEL=REQUIRE: the datagrams arrive" \
	3 fd00::2 6 6002 - -- lvl:esp_trans:require
crossing "ESP_TRANS_LEVEL=USE with the SA: they arrive" \
	3 10.0.0.2 4 6003 - -- lvl:esp_trans:use
crossing "a socket at the defaults sends in the clear" 3 10.0.0.2 4 6004 - --
pd=$(cnt b policy_drops)
crossing "a receiver at ESP_TRANS_LEVEL=REQUIRE gets no cleartext" \
	0 10.0.0.2 4 6005 lvl:esp_trans:require --
check_eq "... the 3 counted as policy drops in b" $((pd + 3)) \
	"$(cnt b policy_drops)"
crossing "... but what came through ESP" \
	3 10.0.0.2 4 6006 lvl:esp_trans:require -- lvl:esp_trans:require
crossing "a receiver at ESP_TRANS_LEVEL=USE still takes cleartext" \
	3 10.0.0.2 4 6007 lvl:esp_trans:use --
pd=$(cnt b policy_drops)
crossing "a receiver at AUTH_LEVEL=REQUIRE refuses what came by ESP alone" \
	0 10.0.0.2 4 6008 lvl:auth:require -- lvl:esp_trans:require
check_eq "... counted as policy drops" $((pd + 3)) "$(cnt b policy_drops)"
pd=$(cnt a policy_drops)
crossing "ESP_NETWORK_LEVEL=REQUIRE and no tunnel policy: nothing leaves" \
	0 10.0.0.2 4 6009 - -- lvl:esp_network:require
check_eq "... counted as policy drops in a" $((pd + 3)) \
	"$(cnt a policy_drops)"
sleep 0.5
pkill -INT -x tcpdump 2>/dev/null	# $! may be the subshell, which ignores SIGINT
wait "$TCPDUMP"
check_eq "b's wire: 15 ESP packets; cleartext only to 6004, 6005, 6007" \
	"15 9" "$(tcpdump -nr "$T/wire.pcap" 'ip proto 50 or ip6 proto 50' 2>/dev/null | wc -l) $(tcpdump -nr "$T/wire.pcap" udp 2>/dev/null | wc -l)"
check_eq "... none of it to 6001-6003 or 6006 in the clear" 0 \
	"$(tcpdump -nr "$T/wire.pcap" 'udp and (portrange 6001-6003 or port 6006)' 2>/dev/null | wc -l)"

# 3. no SA: REQUIRE holds the datagrams back, USE sends them in the clear;
# both ask the key manager (ACQUIRE)
ns_run a "$PFK" -F
ns_run b "$PFK" -F
nosa=$(cnt a no_sa)
crossing "no SA, REQUIRE: nothing leaves" 0 10.0.0.2 4 6010 - -- \
	lvl:esp_trans:require
check_eq "... counted as no_sa" $((nosa + 3)) "$(cnt a no_sa)"
crossing "no SA, USE: the datagrams go in the clear" 3 10.0.0.2 4 6011 - -- \
	lvl:esp_trans:use

# 4. levels add to the SPD: a policy requiring ESP stays in force for a
# socket that raises its levels, and levels ask for more than it does
for ns in a b; do
	if [ $ns = a ]; then o=out i=in; else o=in i=out; fi
	ns_run $ns "$PFK" -f - <<EOT
spdadd 10.0.0.1 10.0.0.2 any -P $o ipsec esp/transport//require;
spdadd 10.0.0.2 10.0.0.1 any -P $i ipsec esp/transport//require;
EOT
done
# fresh SAs (b's windows remember the old ones' numbers); a's come below
ns_run b "$PFK" -f - <<EOT
add 10.0.0.1 10.0.0.2 esp 0x5011 -m transport -r 64 -E aes-gcm-16 $GCMKEY;
add 10.0.0.2 10.0.0.1 esp 0x5012 -m transport -r 64 -E aes-gcm-16 $GCMKEY;
EOT
nosa=$(cnt a no_sa)
crossing "SPD requires ESP, socket USE for IPComp: still no cleartext (no SA)" \
	0 10.0.0.2 4 6012 - -- lvl:ipcomp:use
check_eq "... held back by the SPD's ESP request" $((nosa + 3)) \
	"$(cnt a no_sa)"
ah_nosa=$(ipsec_counter a ah no_sa)
ns_run a "$PFK" -f - <<EOT
add 10.0.0.1 10.0.0.2 esp 0x5011 -m transport -r 64 -E aes-gcm-16 $GCMKEY;
add 10.0.0.2 10.0.0.1 esp 0x5012 -m transport -r 64 -E aes-gcm-16 $GCMKEY;
EOT
crossing "SPD's ESP SA present, socket AUTH_LEVEL=REQUIRE: AH wanted too" \
	0 10.0.0.2 4 6013 - -- lvl:auth:require
check_eq "... and counted as no_sa for AH" $((ah_nosa + 3)) \
	"$(ipsec_counter a ah no_sa)"

# 5. BYPASS in the three categories (privileged) skips the SPD both ways
crossing "BYPASS both ends crosses the require policies in the clear" \
	3 10.0.0.2 4 6014 \
	lvl:auth:bypass,lvl:esp_trans:bypass,lvl:esp_network:bypass -- \
	lvl:auth:bypass \
	lvl:esp_trans:bypass lvl:esp_network:bypass
crossing "... not with the receiver bypassing in one category only" \
	0 10.0.0.2 4 6015 lvl:auth:bypass -- lvl:auth:bypass \
	lvl:esp_trans:bypass lvl:esp_network:bypass

# 6. an accepted TCP socket inherits the listener's levels
ns_run b python3 - "$SP" "$T/tready" $((10 * SCALE)) >"$T/tcp" 2>&1 <<'EOF' &
import socket, sys
sys.path.insert(0, sys.argv[1].rsplit("/", 1)[0])
import sockpol
s = socket.socket()
s.bind(("10.0.0.2", 6020))
sockpol.set_level(s, socket.AF_INET, "esp_trans", 4)
s.listen(1)
open(sys.argv[2], "w").close()
s.settimeout(int(sys.argv[3]))
c, _ = s.accept()
print(sockpol.get_level(c, socket.AF_INET, "esp_trans"))
EOF
RPID=$!
wait_until 10 test -e "$T/tready"
ns_run a python3 -c "
import socket
s = socket.create_connection(('10.0.0.2', 6020), timeout=$((10 * SCALE)))" \
	>/dev/null 2>&1
wait $RPID
check_eq "an accepted TCP socket has its listener's levels (UNIQUE: 4)" 4 \
	"$(cat "$T/tcp")"

# 7. the header builds in user space with OpenBSD's names
cat >"$T/l.c" <<'EOF'
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <ipsec/levels.h>

int main(void)
{
	int level = IPSEC_LEVEL_REQUIRE;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	socklen_t len = sizeof(level);

	if (setsockopt(s, IPPROTO_IP, IP_ESP_TRANS_LEVEL, &level,
		       sizeof(level)) ||
	    getsockopt(s, IPPROTO_IP, IP_ESP_TRANS_LEVEL, &level, &len))
		return 1;
	printf("%d\n", level);
	return 0;
}
EOF
if cc -Wall -Werror -I"$TOP/include/uapi" -o "$T/l" "$T/l.c" 2>"$T/cc"; then
	check_eq "ipsec(4)'s example, compiled against <ipsec/levels.h>" 3 \
		"$(ns_run a "$T/l")"
else
	ktap_fail "ipsec(4)'s example, compiled against <ipsec/levels.h>"
	sed 's/^/# /' "$T/cc"
fi

ip netns del a
ip netns del b
rm -rf "$T"
ktap_end
