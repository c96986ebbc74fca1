#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Keys the benchmark tunnel with stock XFRM through ip xfrm, the same SAs
# and policies key-ours.sh gives ipsec.ko:
#   key-stock.sh gcm|cbc
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
	esac
}

# policy NS DIR SRC_NET DST_NET TUNNEL_SRC TUNNEL_DST
policy()
{
	ip -n "$1" xfrm policy add src "$3" dst "$4" dir "$2" \
		tmpl src "$5" dst "$6" proto esp mode tunnel level required
}

ALG=${1:?gcm or cbc}
case $ALG in
gcm|cbc) ;;
*) echo "key-stock.sh: unknown algorithm $ALG" >&2; exit 2 ;;
esac

for ns in a b; do
	ip -n $ns xfrm state flush
	ip -n $ns xfrm policy flush
	sa $ns "$A_GW" "$B_GW" "$SPI_AB"
	sa $ns "$B_GW" "$A_GW" "$SPI_BA"
done
policy a out "$A_NET" "$B_NET" "$A_GW" "$B_GW"
policy a in "$B_NET" "$A_NET" "$B_GW" "$A_GW"
policy b out "$B_NET" "$A_NET" "$B_GW" "$A_GW"
policy b in "$A_NET" "$B_NET" "$A_GW" "$B_GW"
