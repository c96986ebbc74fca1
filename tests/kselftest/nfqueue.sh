#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-also: 6.12
# Outbound packets queued to user space (nftables' `queue`) as they leave
# through enc0, between two namespaces with ESP tunnel SAs at level
# require: a packet the queue accepts leaves as ESP, one it drops leaves
# not at all, and one whose SA is deleted while it waits in the queue is
# never sent in the clear (ipsec(4): no traffic crosses a require policy
# in the clear) but dropped and counted in no_sa; one whose SA is replaced
# meanwhile leaves with the new SA. The queue gives the packet back to
# the module after the hook that found its SA has returned, so the SA is
# looked up again there (kmod/output.c).
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load
PFK="$TOP/tools/pfkeyctl/pfkeyctl"
NFQ="python3 $TOP/tests/kselftest/lib/nfqueue.py"
GCMKEY=0x00112233445566778899aabbccddeeff01020304
T=$(mktemp -d)

if ! modprobe -q nfnetlink_queue 2>/dev/null || ! modprobe -q nft_queue 2>/dev/null; then
	ktap_skip "no nfnetlink_queue or nft_queue in this kernel"
	ktap_end
fi

ip netns add a
ip netns add b
for _n in a b; do
	ns_run $_n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
link_ns a b 10.0.0.1 10.0.0.2
neigh_static a b 10.0.0.1 10.0.0.2
ip -n a addr add 10.1.0.1/32 dev lo
ip -n b addr add 10.2.0.1/32 dev lo
ip -n a route add 10.2.0.1/32 via 10.0.0.2 src 10.1.0.1
ip -n b route add 10.1.0.1/32 via 10.0.0.1 src 10.2.0.1

# sa NS SPI_AB SPI_BA: tunnel SAs 10.0.0.1 <-> 10.0.0.2 in NS
sa()
{
	ns_run "$1" "$PFK" -f - <<EOC
add 10.0.0.1 10.0.0.2 esp $2 -m tunnel -E aes-gcm-16 $GCMKEY;
add 10.0.0.2 10.0.0.1 esp $3 -m tunnel -E aes-gcm-16 $GCMKEY;
EOC
}
sa a 0x7001 0x7002
sa b 0x7001 0x7002
ns_run a "$PFK" -f - <<EOC
spdadd 10.1.0.1 10.2.0.1 any -P out ipsec esp/tunnel/10.0.0.1-10.0.0.2/require;
spdadd 10.2.0.1 10.1.0.1 any -P in ipsec esp/tunnel/10.0.0.2-10.0.0.1/require;
EOC
ns_run b "$PFK" -f - <<EOC
spdadd 10.2.0.1 10.1.0.1 any -P out ipsec esp/tunnel/10.0.0.2-10.0.0.1/require;
spdadd 10.1.0.1 10.2.0.1 any -P in ipsec esp/tunnel/10.0.0.1-10.0.0.2/require;
EOC

# a queues its ICMP as it leaves through enc0; b counts on its wire what
# arrives: ESP of each outbound SPI, and anything in the clear from 10.1/16
ns_run a nft -f - <<EOC
table ip q {
	chain out {
		type filter hook output priority 0;
		oifname "enc0" ip protocol icmp queue num 7
	}
}
EOC
ns_run b nft -f - <<EOC
table ip w {
	counter esp1 { }
	counter esp2 { }
	counter clear { }
	chain pre {
		type filter hook prerouting priority -300;
		iifname "veth_b" esp spi 0x7001 counter name esp1
		iifname "veth_b" esp spi 0x7101 counter name esp2
		iifname "veth_b" ip saddr 10.1.0.0/16 counter name clear
	}
}
EOC
cnt() { ns_run b nft list counter ip w "$1" |
	awk '{ for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'; }
ping1() { ns_run a ping -q -c 1 -W "$1" -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1; }

# nfq VERDICT [hold]: the queue in a, in the background, for one packet
nfq()
{
	rm -f "$T/ready" "$T/release" "$T/nfq.out"
	if [ "${2:-}" = hold ]; then
		ns_run a $NFQ 7 "$1" 1 "$T/ready" "$T/release" >"$T/nfq.out" 2>&1 &
	else
		ns_run a $NFQ 7 "$1" 1 "$T/ready" >"$T/nfq.out" 2>&1 &
	fi
	NFQPID=$!
	wait_until 20 test -e "$T/ready"
}

nfq accept
e0=$(cnt esp1)
check "a queued packet the queue accepts: the ping is answered" ping1 5
wait "$NFQPID"
check_eq "the queue saw it leave through enc0, cleartext ICMP" \
	"packet outdev enc0 proto 1" "$(sed 's/packet [0-9]* /packet /' "$T/nfq.out")"
check "it crossed as ESP of SPI 0x7001" test "$(cnt esp1)" -gt "$e0"

nfq drop
e0=$(cnt esp1)
check_fails "a queued packet the queue drops: no answer" ping1 3
wait "$NFQPID"
check_eq "nothing of it crossed" "$e0" "$(cnt esp1)"

# the SA goes while the packet waits in the queue
nfq accept hold
e0=$(cnt esp1)
n0=$(ipsec_counter a esp no_sa)
ping1 8 &
PINGPID=$!
wait_until 20 grep -q '^packet' "$T/nfq.out"
echo "delete 10.0.0.1 10.0.0.2 esp 0x7001;" | ns_run a "$PFK" -f -
touch "$T/release"
wait "$NFQPID"
r=unanswered
wait "$PINGPID" && r=answered
check_eq "its SA deleted while it waited: no answer" unanswered "$r"
check_eq "no ESP of the deleted SA crossed" "$e0" "$(cnt esp1)"
check_eq "nothing crossed in the clear" 0 "$(cnt clear)"
check_eq "counted in a's no_sa" $((n0 + 1)) "$(ipsec_counter a esp no_sa)"

# the SA is replaced while the packet waits: the new one carries it
echo "add 10.0.0.1 10.0.0.2 esp 0x7001 -m tunnel -E aes-gcm-16 $GCMKEY;" |
	ns_run a "$PFK" -f -
echo "add 10.0.0.1 10.0.0.2 esp 0x7101 -m tunnel -E aes-gcm-16 $GCMKEY;" |
	ns_run b "$PFK" -f -
nfq accept hold
e0=$(cnt esp1)
ping1 20 &
PINGPID=$!
wait_until 20 grep -q '^packet' "$T/nfq.out"
ns_run a "$PFK" -f - <<EOC
delete 10.0.0.1 10.0.0.2 esp 0x7001;
add 10.0.0.1 10.0.0.2 esp 0x7101 -m tunnel -E aes-gcm-16 $GCMKEY;
EOC
touch "$T/release"
wait "$NFQPID"
# (wait in this shell: the ping is its child)
r=unanswered
wait "$PINGPID" && r=answered
check_eq "its SA replaced while it waited: the ping is answered" answered "$r"
check_eq "it crossed as ESP of the new SA, 0x7101" 1 "$(cnt esp2)"
check_eq "none as ESP of the old one" "$e0" "$(cnt esp1)"
check_eq "still nothing in the clear" 0 "$(cnt clear)"

ktap_end
