#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The two-guest link the interop tests stand on: the peer runs stock
# Linux XFRM (esp4, xfrm_user, "ip xfrm"), the main guest runs ipsec.ko,
# and they reach each other over eth0. Run by tests/check in pair mode
# (ROLE=peer / ROLE=main, PAIR_DIR shared).
. "$(dirname "$0")/lib/lib.sh"

if [ "${ROLE:-}" = peer ]; then
	ip addr add 192.0.2.1/24 dev eth0
	modprobe esp4 && modprobe xfrm_user &&
		ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp \
			spi 0x1000 mode transport \
			aead 'rfc4106(gcm(aes))' 0x0011223344556677889900112233445566778899 128 &&
		touch "$PAIR_DIR/peer-xfrm-ok"
	touch "$PAIR_DIR/peer-ready"
	wait_until 120 test -e "$PAIR_DIR/main-done"
	exit 0
fi

require_module
ktap_begin
ipsec_load
ip addr add 192.0.2.2/24 dev eth0
check "the peer comes up" wait_until 120 test -e "$PAIR_DIR/peer-ready"
check "the peer runs stock XFRM (esp4, ip xfrm state add)" \
	test -e "$PAIR_DIR/peer-xfrm-ok"
check "this guest runs ipsec.ko" test -d /sys/module/ipsec
check_fails "and not esp4" test -d /sys/module/esp4
check "the guests reach each other over the socket link" \
	ping -c 3 -W 2 -i 0.3 192.0.2.1
touch "$PAIR_DIR/main-done"
ipsec_unload
ktap_end
