#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 900
# Anti-replay windows beyond 255 packets over XFRM netlink (RFC 4303
# 3.4.3; XFRM takes up to XFRMA_REPLAY_ESN_MAX = 4096 in
# XFRMA_REPLAY_ESN_VAL), as stock Linux XFRM keeps them. Both guests run
# the same thing locally, the peer on stock XFRM, main on ipsec.ko, and
# their results must be the same:
#   - which windows `ip xfrm state add` takes (up to 4096, with and
#     without ESN) and how `ip xfrm state get` shows them;
#   - forged ESP packets (lib/esp_forge.py: AES-GCM, RFC 4106, with ESN
#     the high half in the ICV) sent from namespace g to an SA in v with
#     a window of 1024 (ESN) and one of 2048 (no ESN), in an order that
#     tries new numbers, replays within the window far beyond 255 back,
#     and numbers that fell out of it: accepted or not, one by one, read
#     from the SA's packet count;
#   - the replay state afterwards, the bitmap included, as GETSA reports
#     it (`ip xfrm state get`: XFRM's ring layout, bit (seq - 1) mod
#     window).
# Then the two guests exchange pings over an SA pair with a window of
# 4096 and ESN, keyed by the same commands on both sides.
. "$(dirname "$0")/lib/lib.sh"
. "$(dirname "$0")/lib/pair.sh"

KEY=0x0123456789abcdef0123456789abcdef01234567
# lib/replay_probe.py: esp_forge.py's packets, one at a time, each
# judged by the SA's packet count
PROBE=$TOP/tests/kselftest/lib/replay_probe.py
# the numbers sent, in order
SEQS="1 2 3 4 5 6 7 8 300 299 300 1000 2 9 1030 8 6 3000 1976 1977 1976"

# sa_add NS SPI WINDOW [esn]: v's SA from g, transport, AES-GCM
sa_add()
{
	ip -n "$1" xfrm state add src 10.8.0.1 dst 10.8.0.2 proto esp \
		spi "$2" mode transport aead 'rfc4106(gcm(aes))' $KEY 128 \
		replay-window "$3" ${4:+flag esn}
}

# replay_state SPI: the replay part of `ip xfrm state get`
replay_state()
{
	ip -n v xfrm state get src 10.8.0.1 dst 10.8.0.2 proto esp spi "$1" |
		grep -E 'replay-window|seq-hi|replay_window|^[[:space:]]+[0-9a-f]{8}( |$)' |
		sed 's/^[[:space:]]*//; s/ *$//'
}

# run_local: the results, one per line
run_local()
{
	ip netns add g
	ip netns add v
	link_ns g v 10.8.0.1 10.8.0.2
	for w in 32 33 255 256 1024 4096 4097; do
		for esn in "" esn; do
			if sa_add v 0x3000 $w $esn 2>/dev/null; then
				echo "add window $w ${esn:-no esn}: taken"
				replay_state 0x3000 | sed "s/^/  window $w ${esn:-no esn}: /"
			else
				echo "add window $w ${esn:-no esn}: refused"
			fi
			ip -n v xfrm state flush
		done
	done
	sa_add v 0x1000 1024 esn
	sa_add v 0x2000 2048
	for spi in 0x1000 0x2000; do
		esn=
		[ $spi = 0x1000 ] && esn="--esn 0"
		# shellcheck disable=SC2086
		ip netns exec g python3 "$PROBE" 10.8.0.1 10.8.0.2 $spi $KEY v \
			$esn $SEQS
		replay_state $spi | sed "s/^/  spi $spi after: /"
	done
	ip netns del g
	ip netns del v
}

if [ "${ROLE:-}" = peer ]; then
	run_local >"$PAIR_DIR/stock.out" 2>"$PAIR_DIR/stock.err"
	touch "$PAIR_DIR/stock.done"
	ip addr add 192.0.2.1/24 dev eth0
	pair_serve
	exit 0
fi

require_module
ktap_begin
ipsec_load
# shown as it goes, so a run that stops shows where
run_local 2>/tmp/ours.err | tee /tmp/ours.out | sed 's/^/# ipsec.ko: /'
[ -s /tmp/ours.err ] && sed 's/^/# ipsec.ko: /' /tmp/ours.err
if ! wait_until 400 test -e "$PAIR_DIR/stock.done"; then
	ktap_fail "stock XFRM ran every case"
	pair_done
	ktap_end
fi
[ -s "$PAIR_DIR/stock.err" ] && sed 's/^/# stock XFRM: /' "$PAIR_DIR/stock.err"

# blocks FILE: each result line with its detail lines (indented) joined
blocks()
{
	awk '/^ / { b = b " |" $0; next }
	     { if (b != "") print b; b = $0 }
	     END { if (b != "") print b }' "$1"
}
blocks "$PAIR_DIR/stock.out" >/tmp/stock.blk
blocks /tmp/ours.out >/tmp/ours.blk
check_eq "as many results as stock XFRM" \
	"$(grep -c . /tmp/stock.blk)" "$(grep -c . /tmp/ours.blk)"
i=0
while IFS= read -r want; do
	i=$((i + 1))
	got=$(sed -n "${i}p" /tmp/ours.blk)
	desc=${want%% |*}
	case $want in
	*" |"*) desc="$desc, same replay state" ;;
	esac
	check_eq "$desc, as stock XFRM" "$want" "$got"
done </tmp/stock.blk
check "stock XFRM caught a replay 998 back (window 1024)" \
	grep -qx "spi 0x1000 seq 2: dropped" "$PAIR_DIR/stock.out"

# pings with a window of 4096 and ESN both ways over the cable
ip addr add 192.0.2.2/24 dev eth0
keying="ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x4001 mode transport aead 'rfc4106(gcm(aes))' 0x1111111111111111111111111111111111111111 128 replay-window 4096 flag esn
ip xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x4002 mode transport aead 'rfc4106(gcm(aes))' 0x2222222222222222222222222222222222222222 128 replay-window 4096 flag esn"
check "window 4096 + ESN keyed here" sh -c "$keying
ip xfrm policy add src 192.0.2.2 dst 192.0.2.1 proto icmp dir out tmpl proto esp mode transport
ip xfrm policy add src 192.0.2.1 dst 192.0.2.2 proto icmp dir in tmpl proto esp mode transport"
check "window 4096 + ESN keyed on the peer" peer "$keying
ip xfrm policy add src 192.0.2.1 dst 192.0.2.2 proto icmp dir out tmpl proto esp mode transport
ip xfrm policy add src 192.0.2.2 dst 192.0.2.1 proto icmp dir in tmpl proto esp mode transport"
check "pings through, window 4096 with ESN, to stock XFRM" \
	ping -c 5 -i 0.2 -W 3 192.0.2.1
check_eq "the peer's inbound SA took them (seq 5)" "seq 0x5" \
	"$(peer "ip xfrm state get src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x4002" |
	   sed -n 's/.*seq-hi 0x0, \(seq 0x[0-9a-f]*\),.*/\1/p')"
check_eq "our inbound SA took the replies (seq 5)" "seq 0x5" \
	"$(ip xfrm state get src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x4001 |
	   sed -n 's/.*seq-hi 0x0, \(seq 0x[0-9a-f]*\),.*/\1/p')"
pair_done
ip xfrm state flush
ip xfrm policy flush
check "rmmod ipsec" ipsec_unload
ktap_end
