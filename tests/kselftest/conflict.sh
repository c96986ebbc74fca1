#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The protocol slots, PF_KEY and NETLINK_XFRM: when a stock module (esp4,
# ah4, ipcomp, esp6, ah6, ipcomp6, af_key, xfrm_user) holds one, loading
# fails, dmesg names the module in the way, and nothing of ours is left
# behind. While we hold them, the stock modules cannot take them.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_unload

for m in esp4 ah4 ipcomp esp6 ah6 ipcomp6 af_key xfrm_user; do
	if ! modprobe "$m" 2>/dev/null; then
		ktap_skip "$m holds its slot" "modprobe $m failed"
		continue
	fi
	dmesg -C
	check_errno "insmod fails while $m is loaded" EBUSY insmod "$MODULE"
	check "dmesg names $m and how to unload it" \
		sh -c "dmesg | grep -q 'most likely by $m: unload it with .modprobe -r $m.'"
	check_fails "nothing is left behind ($m)" \
		sh -c 'test -d /sys/module/ipsec || test -e /proc/net/ipsec || ip link show enc0'
	modprobe -r "$m"
	check "insmod works once $m is gone" insmod "$MODULE"
	modprobe "$m" 2>/dev/null	# kmod calls EEXIST from init "already loaded"
	check_fails "$m cannot load while we hold its slot" test -d /sys/module/$m
	rmmod ipsec
	modprobe -r "$m" 2>/dev/null
done

# After all of that, the module still loads and works.
check "load after the conflicts" insmod "$MODULE"
check "socket(PF_KEY, SOCK_RAW, PF_KEY_V2) is ours" python3 -c '
import socket
s = socket.socket(socket.AF_KEY, socket.SOCK_RAW, 2)
s.close()'
rmmod ipsec
ktap_end
