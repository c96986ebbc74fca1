#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Keys the benchmark tunnel with ipsec.ko's PF_KEY through pfkeyctl:
#   [BENCH_GW=1] key-ours.sh gcm|cbc|ah|ipcomp
# replacing whatever SAs and policies a and b had: ESP with AES-GCM-16 or
# AES-CBC/HMAC-SHA-256-128, AH with HMAC-SHA-256-128, IPComp (DEFLATE).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$HERE/../.." && pwd)}
# shellcheck source=SCRIPTDIR/tunnel.sh
. "$HERE/tunnel.sh"
PFK=$TOP/tools/pfkeyctl/pfkeyctl

PROTO=esp
REPLAY_ARG="-r $REPLAY"
case ${1:?gcm, cbc, ah or ipcomp} in
gcm) ALG="-E aes-gcm-16 $GCM_KEY" ;;
cbc) ALG="-E aes-cbc $CBC_KEY -A hmac-sha256 $SHA_KEY" ;;
ah) PROTO=ah ALG="-A hmac-sha256 $SHA_KEY" ;;
# IPComp has no sequence numbers
ipcomp) PROTO=ipcomp ALG="-C deflate" REPLAY_ARG= ;;
*) echo "key-ours.sh: unknown algorithm $1" >&2; exit 2 ;;
esac

# IPComp inbound at level use: what does not shrink comes as plain IP in
# IP (RFC 3173 2.2); outbound at require, as XFRM has to have it
IN_LEVEL=require
[ $PROTO != ipcomp ] || IN_LEVEL=use
# BENCH_GW=1: the gateways forward what they decrypt (gw_up), so the
# inbound policy is a forward one
IN_DIR=in
[ "${BENCH_GW:-0}" != 1 ] || IN_DIR=fwd

# conf LOCAL_GW REMOTE_GW LOCAL_NET REMOTE_NET
conf()
{
	cat <<CONF
flush;
spdflush;
add $A_GW $B_GW $PROTO $SPI_AB -m tunnel $REPLAY_ARG $ALG;
add $B_GW $A_GW $PROTO $SPI_BA -m tunnel $REPLAY_ARG $ALG;
spdadd $3 $4 any -P out ipsec $PROTO/tunnel/$1-$2/require;
spdadd $4 $3 any -P $IN_DIR ipsec $PROTO/tunnel/$2-$1/$IN_LEVEL;
CONF
}

# IPComp SAs are used only with ipcomp_enable (0 by default, as in KAME)
if [ $PROTO = ipcomp ]; then
	ip netns exec a sysctl -qw net.ipsec.ipcomp_enable=1
	ip netns exec b sysctl -qw net.ipsec.ipcomp_enable=1
fi
conf "$A_GW" "$B_GW" "$A_NET" "$B_NET" | ip netns exec a "$PFK" -f -
conf "$B_GW" "$A_GW" "$B_NET" "$A_NET" | ip netns exec b "$PFK" -f -
