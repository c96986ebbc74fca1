#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Keys the benchmark tunnel with stock XFRM through ip xfrm, the same SAs
# and policies key-ours.sh gives ipsec.ko:
#   [BENCH_GW=1] key-stock.sh gcm|cbc|ah|ipcomp
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/tunnel.sh
. "$HERE/tunnel.sh"

# sa NS SRC DST SPI: one SA of the chosen algorithm
sa()
{
	case $ALG in
	gcm)
		ip -n "$1" xfrm state add src "$2" dst "$3" proto esp spi "$4" \
			mode tunnel replay-window $REPLAY \
			aead 'rfc4106(gcm(aes))' $GCM_KEY 128
		;;
	cbc)
		ip -n "$1" xfrm state add src "$2" dst "$3" proto esp spi "$4" \
			mode tunnel replay-window $REPLAY \
			enc 'cbc(aes)' $CBC_KEY auth-trunc 'hmac(sha256)' $SHA_KEY 128
		;;
	ah)
		ip -n "$1" xfrm state add src "$2" dst "$3" proto ah spi "$4" \
			mode tunnel replay-window $REPLAY \
			auth-trunc 'hmac(sha256)' $SHA_KEY 128
		;;
	ipcomp)
		# xfrm4_tunnel adds the IP-in-IP SA for what is sent
		# uncompressed
		ip -n "$1" xfrm state add src "$2" dst "$3" proto comp \
			spi "$4" mode tunnel comp deflate
		;;
	esac
}

# policy NS DIR SRC_NET DST_NET TUNNEL_SRC TUNNEL_DST
policy()
{
	_level=required
	[ "$2" = out ] || _level=$IN_LEVEL
	ip -n "$1" xfrm policy add src "$3" dst "$4" dir "$2" \
		tmpl src "$5" dst "$6" proto $PROTO mode tunnel level $_level
}

ALG=${1:?gcm, cbc, ah or ipcomp}
# IPComp inbound at level use (what does not shrink comes as IP in IP);
# outbound XFRM refuses an optional tunnel template
IN_LEVEL=required
case $ALG in
gcm|cbc) PROTO=esp ;;
ah) PROTO=ah ;;
ipcomp) PROTO=comp IN_LEVEL=use ;;
*) echo "key-stock.sh: unknown algorithm $ALG" >&2; exit 2 ;;
esac

for ns in a b; do
	ip -n $ns xfrm state flush
	ip -n $ns xfrm policy flush
	sa $ns "$A_GW" "$B_GW" "$SPI_AB"
	sa $ns "$B_GW" "$A_GW" "$SPI_BA"
done
# BENCH_GW=1: the gateways forward what they decrypt (gw_up)
IN_DIR=in
[ "${BENCH_GW:-0}" != 1 ] || IN_DIR=fwd
policy a out "$A_NET" "$B_NET" "$A_GW" "$B_GW"
policy a $IN_DIR "$B_NET" "$A_NET" "$B_GW" "$A_GW"
policy b out "$B_NET" "$A_NET" "$B_GW" "$A_GW"
policy b $IN_DIR "$A_NET" "$B_NET" "$A_GW" "$B_GW"
