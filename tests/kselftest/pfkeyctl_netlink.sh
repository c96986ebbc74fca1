#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pfkeyctl -x against stock Linux XFRM (xfrm_user, esp4; ipsec.ko not
# loaded): a setkey file keys the SAD and SPD over NETLINK_XFRM, and
# "ip xfrm" shows what iproute2 itself installs for the same config; the
# XFRM-only options (mark, if_id, replay windows of thousands of
# packets) arrive; get, getspi, deleteall and the dumps answer; monitor
# shows the events; ESP flows between two namespaces keyed that way.
. "$(dirname "$0")/lib/lib.sh"
ktap_begin
if ipsec_loaded || ! modprobe xfrm_user 2>/dev/null ||
	! modprobe esp4 2>/dev/null; then
	ktap_skip "stock XFRM" "xfrm_user/esp4 unavailable or ipsec.ko loaded"
	ktap_end
fi
P="$TOP/tools/pfkeyctl/pfkeyctl"
T=$(mktemp -d)
K16=0x00112233445566778899aabbccddeeff
K20=${K16}01020304
K32=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

# the same SAs and policies, in setkey's words and in ip xfrm's
cat >"$T/setkey.conf" <<EOF
add 192.0.2.1 192.0.2.2 esp 0x1001 -m transport -u 100 -r 64
	-E aes-gcm-16 $K20;
add 198.51.100.1 198.51.100.2 esp 0x2001 -m tunnel -u 200 -r 32
	-E aes-cbc $K16 -A hmac-sha256 $K32;
spdadd 192.0.2.1 192.0.2.2 any -P out ipsec esp/transport//unique:100;
spdadd 10.1.0.0/16 10.2.0.0/16 tcp -P out prio 10 ipsec
	esp/tunnel/198.51.100.1-198.51.100.2/require;
EOF
ip_xfrm_same()
{
	ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 \
		mode transport reqid 100 replay-window 64 \
		aead 'rfc4106(gcm(aes))' $K20 128
	ip xfrm state add src 198.51.100.1 dst 198.51.100.2 proto esp \
		spi 0x2001 mode tunnel reqid 200 replay-window 32 \
		enc 'cbc(aes)' $K16 auth-trunc 'hmac(sha256)' $K32 128
	ip xfrm policy add src 192.0.2.1/32 dst 192.0.2.2/32 dir out \
		tmpl proto esp mode transport reqid 100
	ip xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 proto tcp \
		dir out priority 10 tmpl src 198.51.100.1 dst 198.51.100.2 \
		proto esp mode tunnel
}

ip xfrm state flush
ip xfrm policy flush
ip_xfrm_same
ip xfrm state >"$T/ip.state"
ip xfrm policy >"$T/ip.policy"
ip xfrm state flush
ip xfrm policy flush

check "a setkey file loads over XFRM netlink (-x)" "$P" -x -f "$T/setkey.conf"
ip xfrm state >"$T/pfk.state"
ip xfrm policy >"$T/pfk.policy"
check "ip xfrm state: the same SAs as ip xfrm installs itself" \
	diff -u "$T/ip.state" "$T/pfk.state"
check "ip xfrm policy: the same policies as ip xfrm installs itself" \
	diff -u "$T/ip.policy" "$T/pfk.policy"
check "AES-GCM: rfc4106(gcm(aes)) with its 128-bit ICV (RFC 4106)" \
	grep -q "aead rfc4106(gcm(aes)) $K20 128" "$T/pfk.state"
check "HMAC-SHA-256 truncated to 128 bits (RFC 4868)" \
	grep -q "auth-trunc hmac(sha256) $K32 128" "$T/pfk.state"

check_eq "pfkeyctl -x -D lists the 2 SAs" 2 \
	"$("$P" -x -D | grep -c '^ src')"
check_eq "pfkeyctl -x -DP lists the 2 policies" 2 \
	"$("$P" -x -DP | grep -c '^ sel_src')"
check "get answers with the SA and its key" sh -c \
	"'$P' -x get 192.0.2.1 192.0.2.2 esp 0x1001 | grep -q 'aead_key $K20'"
check "-j: one JSON object per SA" sh -c \
	"'$P' -x -j -D | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]'"

# XFRM only: marks, interface ids, a replay window of 2048 packets
check "-mark, -ifid and -r 2048 are accepted with -x" "$P" -x \
	add 10.0.0.1 10.0.0.2 esp 0x5000 -r 2048 -mark 7/0xff -ifid 3 \
	-E aes-gcm-16 $K20 \;
ip xfrm state get src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x5000 \
	mark 7 mask 0xff >"$T/mark" 2>&1
check "ip xfrm: mark 0x7/0xff" grep -q "mark 0x7/0xff" "$T/mark"
check "ip xfrm: if_id 0x3" grep -q "if_id 0x3" "$T/mark"
check "ip xfrm: a replay window of 2048 (XFRMA_REPLAY_ESN_VAL)" \
	grep -q "replay_window 2048" "$T/mark"
check_fails "without -x, -mark is refused" "$P" -n \
	add 10.0.0.1 10.0.0.2 esp 0x5001 -mark 7 -E aes-gcm-16 $K20 \;

check "getspi with an SPI allocates that SPI" sh -c \
	"'$P' -x getspi 10.0.0.3 10.0.0.4 esp 0x6000 -lh 100 \; |
	 grep -q 'spi 0x00006000'"
check "ip xfrm sees the larval SA of getspi" sh -c \
	"ip xfrm state | grep -q 'spi 0x00006000'"
check "deleteall removes the SAs between two addresses" \
	"$P" -x deleteall 198.51.100.1 198.51.100.2 esp \;
check_eq "and only those" 0 \
	"$(ip xfrm state | grep -c 'src 198.51.100.1 dst 198.51.100.2')"

# monitor: both interfaces; af_key is stock's PF_KEY
modprobe af_key 2>/dev/null
"$P" monitor >"$T/monitor" 2>&1 &
mon=$!
sleep 1
ip xfrm state add src 192.0.2.7 dst 192.0.2.8 proto esp spi 0x3003 \
	enc 'cbc(aes)' 0xfeedfacefeedfacefeedfacefeedface
sleep 1
kill $mon
wait $mon 2>/dev/null
check "monitor shows XFRM's NEWSA event" grep -q "xfrm NEWSA.*192.0.2.7" \
	"$T/monitor"
check "monitor shows the PF_KEY ADD af_key broadcasts" \
	grep -q "192.0.2.7 192.0.2.8" "$T/monitor"
check_fails "and no key in it" grep -qi 'feedface' "$T/monitor"

check "-F and -FP over XFRM" sh -c "'$P' -x -F && '$P' -x -FP"
check_eq "the SAD is empty" 0 "$(ip xfrm state | grep -c '^src')"

# ESP between two namespaces keyed with pfkeyctl -x
ip netns add pa
ip netns add pb
link_ns pa pb 10.9.0.1 10.9.0.2
cat >"$T/ns.conf" <<EOF
add 10.9.0.1 10.9.0.2 esp 0x7001 -m transport -E aes-gcm-16 $K20;
add 10.9.0.2 10.9.0.1 esp 0x7002 -m transport -E aes-cbc $K16
	-A hmac-sha256 $K32;
EOF
printf '%s\n' \
	"spdadd 10.9.0.1 10.9.0.2 any -P out ipsec esp/transport//require;" \
	"spdadd 10.9.0.2 10.9.0.1 any -P in ipsec esp/transport//require;" \
	>"$T/pa.conf"
printf '%s\n' \
	"spdadd 10.9.0.2 10.9.0.1 any -P out ipsec esp/transport//require;" \
	"spdadd 10.9.0.1 10.9.0.2 any -P in ipsec esp/transport//require;" \
	>"$T/pb.conf"
check "namespace a keyed" sh -c \
	"ip netns exec pa '$P' -x -f '$T/ns.conf' && ip netns exec pa '$P' -x -f '$T/pa.conf'"
check "namespace b keyed" sh -c \
	"ip netns exec pb '$P' -x -f '$T/ns.conf' && ip netns exec pb '$P' -x -f '$T/pb.conf'"
check "ping over ESP between the namespaces" \
	ip netns exec pa ping -c 2 -W 2 10.9.0.2
check "the outbound SA of a counted the packets" sh -c \
	"ip -n pa -s xfrm state get src 10.9.0.1 dst 10.9.0.2 proto esp spi 0x7001 |
	 grep -Eq '[1-9][0-9]*\(packets\)'"
check "the inbound SA of a too" sh -c \
	"ip -n pa -s xfrm state get src 10.9.0.2 dst 10.9.0.1 proto esp spi 0x7002 |
	 grep -Eq '[1-9][0-9]*\(packets\)'"
ip netns del pa
ip netns del pb
rm -rf "$T"
ktap_end
