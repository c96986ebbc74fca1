#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Packet benchmark, in a guest: TCP (1 and 2 streams) and 64-byte UDP
# through a tunnel between two namespaces, keyed for ipsec.ko (ours) or
# stock XFRM (stock): ESP with AES-GCM-16 (esp.gcm) and AES-CBC with
# HMAC-SHA-256-128 (esp.cbc), AH with HMAC-SHA-256-128 (ah.sha256), IPComp
# with DEFLATE (ipcomp.deflate: iperf3 sends a repeating payload, which
# compresses; 64-byte datagrams are below the threshold and go out as IP
# in IP); first the same without IPsec (plain), the floor both stacks
# stand on.
#   esp.sh ours|stock
# BENCH_SECONDS (default 5) is the measured length of each iperf3 run,
# after one second of warm-up; BENCH_ALGS (default "plain gcm cbc ah
# ipcomp") the rows to run, e.g. BENCH_ALGS=plain for the cleartext floor
# alone.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/tunnel.sh
. "$HERE/tunnel.sh"
STACK=${1:?ours or stock}
SECONDS_=${BENCH_SECONDS:-5}
OMIT=1

tunnel_up
ip netns exec b iperf3 -s -D -B "$B_HOST" --pidfile /tmp/iperf3.pid
# the server needs a moment to listen; iperf3 -c does not retry
i=0
until ip netns exec b ss -Hltn | grep -q ":5201"; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "# iperf3 server did not start" >&2; exit 1; }
	sleep 0.1
done

run()	# NAME IPERF3-ARGS...
{
	_n=$1
	shift
	ip netns exec a "$HERE/iperf.py" "$_n" veth_a "$OMIT" "$SECONDS_" -- \
		-c "$B_HOST" -B "$A_HOST" "$@"
}

for alg in ${BENCH_ALGS:-plain gcm cbc ah ipcomp}; do
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
