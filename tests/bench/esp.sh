#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Packet benchmark, in a guest: TCP (1 and 2 streams) and 64-byte UDP
# through a tunnel between two namespaces, keyed for ipsec.ko (ours) or
# stock XFRM (stock): ESP with AES-GCM-16 (esp.gcm) and AES-CBC with
# HMAC-SHA-256-128 (esp.cbc), AH with HMAC-SHA-256-128 (ah.sha256), IPComp
# with DEFLATE (ipcomp.deflate: iperf3 sends a repeating payload, which
# compresses; 64-byte datagrams are below the threshold and go out as IP
# in IP); first the same without IPsec (plain), the floor both stacks
# stand on; last ESP with AES-GCM-16 between gateways that forward, the
# hosts in namespaces of their own (esp.gw), and again with
# BENCH_SCALE (100,000) more policies in both gateways (esp.gw_spd).
#   esp.sh ours|stock
# BENCH_SECONDS (default 5) is the measured length of each iperf3 run,
# after one second of warm-up; BENCH_ALGS (default "plain gcm cbc ah
# ipcomp gw") the rows to run, e.g. BENCH_ALGS=plain for the cleartext floor
# alone.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/tunnel.sh
. "$HERE/tunnel.sh"
STACK=${1:?ours or stock}
SECONDS_=${BENCH_SECONDS:-5}
OMIT=1

# iperf3_server NS: iperf3's server on B_HOST in NS, listening (it needs
# a moment, and iperf3 -c does not retry)
iperf3_server()
{
	ip netns exec "$1" iperf3 -s -D -B "$B_HOST" --pidfile /tmp/iperf3.pid
	i=0
	until ip netns exec "$1" ss -Hltn | grep -q ":5201"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "# iperf3 server did not start" >&2; exit 1; }
		sleep 0.1
	done
}

tunnel_up
iperf3_server b

run()	# NAME IPERF3-ARGS...
{
	_n=$1
	shift
	ip netns exec a "$HERE/iperf.py" "$_n" veth_a "$OMIT" "$SECONDS_" -- \
		-c "$B_HOST" -B "$A_HOST" "$@"
}

ALGS=${BENCH_ALGS-plain gcm cbc ah ipcomp gw}
# gw_run NAME IPERF3-ARGS...: from c, behind gateway a, to s; the packets
# counted are the ESP packets a sends (as for the other rows), read in
# a's namespace through a process there ($GW_PID)
gw_run()
{
	_n=$1
	shift
	ip netns exec c "$HERE/iperf.py" "$_n" "veth_a@$GW_PID" "$OMIT" \
		"$SECONDS_" -- -c "$B_HOST" "$@"
}

for alg in $ALGS; do
	[ $alg != gw ] || continue
	[ $alg = plain ] || "$HERE/key-$STACK.sh" $alg
	# one packet first: nothing waits on ARP or on setting up crypto
	ip netns exec a ping -q -c 1 -W 5 -I "$A_HOST" "$B_HOST" >/dev/null
	row=esp.$alg
	payload=
	case $alg in
	ah) row=ah.sha256 ;;
	ipcomp) row=ipcomp.deflate payload=--repeating-payload ;;
	esac
	run $row.tcp1 $payload
	run $row.tcp2 -P 2 $payload
	run $row.udp64 -u -l 64 -b 0 $payload
done

kill "$(cat /tmp/iperf3.pid)"
tunnel_down

# esp.gw: AES-GCM-16 again, between gateways that forward: c sends to s
# through a and b (gw_up), so each packet also crosses two more veths
# and is forwarded twice (the row to hold against esp.gcm)
case " $ALGS " in
*" gw "*)
	gw_up
	BENCH_GW=1 "$HERE/key-$STACK.sh" gcm
	iperf3_server s
	ip netns exec c ping -q -c 1 -W 5 "$B_HOST" >/dev/null
	# no timed sleep: the guest's clock can run far ahead while it
	# waits on the host (README, "Method")
	ip netns exec a sleep infinity &
	GW_PID=$!
	gw_run esp.gw.tcp1
	gw_run esp.gw.tcp2 -P 2
	gw_run esp.gw.udp64 -u -l 64 -b 0
	# esp.gw_spd: the same with BENCH_SCALE policies in each gateway's
	# SPD, out in a and fwd in b where the tunnel's are (the
	# overlapping prefixes of xfrm_scale.py, none covering the hosts)
	if [ "${BENCH_SCALE:-100000}" != 0 ]; then
		ip netns exec a "$HERE/xfrm_scale.py" fill out "$BENCH_SCALE"
		ip netns exec b "$HERE/xfrm_scale.py" fill fwd "$BENCH_SCALE"
		gw_run esp.gw_spd.tcp1
		gw_run esp.gw_spd.udp64 -u -l 64 -b 0
	fi
	kill "$(cat /tmp/iperf3.pid)" "$GW_PID"
	gw_down
	;;
esac
