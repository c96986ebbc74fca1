#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The protocol slots, PF_KEY, NETLINK_XFRM and the link kind xfrm: when a
# stock module (esp4, ah4, ipcomp, esp6, ah6, ipcomp6, af_key, xfrm_user,
# xfrm_interface) holds one, loading
# fails, dmesg names the module in the way, and nothing of ours is left
# behind. While we hold them, the stock modules cannot take them.
# check-timeout: 300
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_unload

for m in esp4 ah4 ipcomp esp6 ah6 ipcomp6 af_key xfrm_user xfrm_interface; do
	if ! modprobe "$m" 2>/dev/null; then
		ktap_skip "$m holds its slot" "modprobe $m failed"
		continue
	fi
	# cleared the way that keeps it for tests/vm/run's final check: a
	# report from before this point must still fail the file
	"$TOP/tests/vm/dmesg-check" -C >/dev/null || true
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

# With ipsec.ko loaded by insmod (no modprobe.d file keeps them away), a
# new user loads the stock modules, each twice, in the order that once
# left a freed handler on the kernel's dispatcher list (the next
# registration then faulted): each load fails cleanly, and the kernel is
# fine afterwards (a report in dmesg fails this file).
check "insmod for the stock-module storm" insmod "$MODULE"
for m in esp4 ah4 ipcomp esp6 ah6 ipcomp6 esp4 ah4 ipcomp esp6 ah6 ipcomp6 \
	xfrm4_tunnel xfrm6_tunnel; do
	modprobe "$m" 2>/dev/null
done
for m in esp4 ah4 ipcomp esp6 ah6 ipcomp6; do
	check_fails "$m did not load beside us (twice)" test -d /sys/module/$m
done
# an unprivileged user in its own user and network namespace: an AH SA
# over NETLINK_XFRM asks the kernel for xfrm_user and ah4
check_fails "an unprivileged AH SA over netlink does not load ah4" \
	sh -c 'setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare -Urn sh -c "ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto ah spi 0x100 auth sha1 0x0102030405060708090a0b0c0d0e0f1011121314 >/dev/null 2>&1"; test -d /sys/module/ah4'
SR="$TOP/tests/kselftest/lib/send_raw.py"
echo 1 >/proc/sys/net/ipsec/ipcomp_enable
python3 "$SR" 127.0.0.1 50 0000100000000001
python3 "$SR" 127.0.0.1 51 04030000000010000000000100000000
python3 "$SR" 127.0.0.1 108 04000101
check_eq "ESP, AH and IPComp forged packets still reach us (no_sa)" "1 1 1" \
	"$(ipsec_counter esp no_sa) $(ipsec_counter ah no_sa) $(ipsec_counter ipcomp no_sa)"
check "rmmod after the storm" rmmod ipsec
for m in esp4 ah4 ipcomp esp6 ah6 ipcomp6; do
	check "$m loads and unloads once we are gone" \
		sh -c "modprobe $m && modprobe -r $m"
done
modprobe -r xfrm4_tunnel xfrm6_tunnel xfrm_user 2>/dev/null

# After all of that, the module still loads and works.
check "load after the conflicts" insmod "$MODULE"
check "socket(PF_KEY, SOCK_RAW, PF_KEY_V2) is ours" python3 -c '
import socket
s = socket.socket(socket.AF_KEY, socket.SOCK_RAW, 2)
s.close()'
rmmod ipsec
ktap_end
