#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Keys the benchmark tunnel with ipsec.ko's PF_KEY through pfkeyctl:
#   key-ours.sh gcm|cbc
# replacing whatever SAs and policies a and b had.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$HERE/../.." && pwd)}
# shellcheck source=SCRIPTDIR/tunnel.sh
. "$HERE/tunnel.sh"
PFK=$TOP/tools/pfkeyctl/pfkeyctl

case ${1:?gcm or cbc} in
gcm) ALG="-E aes-gcm-16 $GCM_KEY" ;;
cbc) ALG="-E aes-cbc $CBC_KEY -A hmac-sha256 $SHA_KEY" ;;
*) echo "key-ours.sh: unknown algorithm $1" >&2; exit 2 ;;
esac

# conf LOCAL_GW REMOTE_GW LOCAL_NET REMOTE_NET
conf()
{
	cat <<CONF
flush;
spdflush;
add $A_GW $B_GW esp $SPI_AB -m tunnel -r $REPLAY $ALG;
add $B_GW $A_GW esp $SPI_BA -m tunnel -r $REPLAY $ALG;
spdadd $3 $4 any -P out ipsec esp/tunnel/$1-$2/require;
spdadd $4 $3 any -P in ipsec esp/tunnel/$2-$1/require;
CONF
}

conf "$A_GW" "$B_GW" "$A_NET" "$B_NET" | ip netns exec a "$PFK" -f -
conf "$B_GW" "$A_GW" "$B_NET" "$A_NET" | ip netns exec b "$PFK" -f -
