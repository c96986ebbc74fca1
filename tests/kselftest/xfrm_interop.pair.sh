#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 2400
# ESP on the wire between ipsec.ko and stock Linux XFRM, both keyed with
# the same `ip xfrm` commands (mirrored): ipsec.ko answers NETLINK_XFRM in
# the main guest, xfrm_user in the peer. The cases, checks and counters are
# those of esp_interop.pair.sh (which keys ipsec.ko over PF_KEY); here
# IPv4 transport and tunnel with AES-GCM-16 and AES-CBC + HMAC-SHA-256-128,
# and an IPv6 tunnel inside IPv4, with 256 KiB each way per case.
INTEROP_KEYING=xfrm
INTEROP_FAMILIES=${INTEROP_FAMILIES:-4 64}
INTEROP_SIZE=${INTEROP_SIZE:-262144}
export INTEROP_KEYING INTEROP_FAMILIES INTEROP_SIZE
exec sh "$(dirname "$0")/esp_interop.pair.sh" "$@"
