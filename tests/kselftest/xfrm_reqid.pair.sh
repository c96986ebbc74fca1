#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 900
# Which SA a policy template takes, by reqid, as stock Linux XFRM decides
# it: both guests run the same `ip xfrm` configurations between two
# namespaces, the peer on stock XFRM (xfrm_user, esp4), main on ipsec.ko,
# and every case must end the same way in both: a UDP datagram from s to
# r delivered or not.
#   out  s has a policy whose template names reqid T and one SA of reqid
#        S; r takes any SA (template reqid 0). Stock XFRM (xfrm_state_find)
#        takes only an SA of exactly the template's reqid, 0 included.
#   in   s sends with reqid 0 everywhere; r's SA has reqid S and its
#        policy's template reqid T. Stock XFRM (xfrm_state_ok) accepts
#        any reqid when T is 0, else only T, optional templates included.
# The expected results are not written here: they are the peer's.
. "$(dirname "$0")/lib/lib.sh"
. "$(dirname "$0")/lib/pair.sh"

KEY=0x0123456789abcdef0123456789abcdef01234567
PORT=7000
# the cases: DIRECTION TEMPLATE-REQID SA-REQID [optional]
CASES="out 0 0
out 0 7
out 7 7
out 7 0
out 7 9
out 7 9 optional
in 0 0
in 0 7
in 7 7
in 7 0
in 7 9
in 7 9 optional"

# keyed NS SA-REQID TMPL-REQID DIR [optional]: NS's SA s->r (spi 0x100)
# and its policy for UDP to PORT
keyed()
{
	ip -n "$1" xfrm state add src 10.9.0.1 dst 10.9.0.2 proto esp \
		spi 0x100 reqid "$2" mode transport \
		aead 'rfc4106(gcm(aes))' $KEY 128 || return 1
	ip -n "$1" xfrm policy add src 10.9.0.1 dst 10.9.0.2 proto udp \
		dport $PORT dir "$4" tmpl proto esp mode transport \
		reqid "$3" ${5:+level use}
}

# run_cases: one line per case, "CASE: delivered" or "CASE: not delivered"
run_cases()
{
	ip netns add s
	ip netns add r
	link_ns s r 10.9.0.1 10.9.0.2
	pair_udp_log r $PORT
	n=0
	echo "$CASES" | while read -r dir t s opt; do
		n=$((n + 1))
		for ns in s r; do
			ip -n $ns xfrm state flush
			ip -n $ns xfrm policy flush
		done
		if [ "$dir" = out ]; then
			keyed s "$s" "$t" out "$opt"
			keyed r 0 0 in
		else
			keyed s 0 0 out
			keyed r "$s" "$t" in "$opt"
		fi
		ip netns exec s python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(sys.argv[2].encode(), ("10.9.0.2", int(sys.argv[1])))
except OSError:
    pass' $PORT "case $n" 2>/dev/null
		sleep 1
		name="$dir, template reqid $t${opt:+ ($opt)}, SA reqid $s"
		if grep -qx "case $n" /tmp/rx.log; then
			echo "$name: delivered"
		else
			echo "$name: not delivered"
		fi
	done
	kill $rx
	ip netns del s
	ip netns del r
}

pair_peer_run run_cases

require_module
ktap_begin
ipsec_load
pair_compare run_cases
[ "$(grep -c . "$PAIR_DIR/stock.out")" -eq "$(echo "$CASES" | grep -c .)" ] ||
	ktap_fail "stock XFRM printed a line for each of the cases"
# the cases must not all end alike, or the test shows nothing
check "stock XFRM delivers some and drops some" sh -c \
	"grep -q ': delivered' '$PAIR_DIR/stock.out' && grep -q 'not delivered' '$PAIR_DIR/stock.out'"
ipsec_unload
ktap_end
