#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /proc/net/ipsec/{esp,ah,ipcomp}: present per namespace, readable by
# anyone, "name value" lines, and counting what the input path drops.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load
SEND="$TOP/tests/kselftest/lib/send_raw.py"

for p in esp ah ipcomp; do
	f=/proc/net/ipsec/$p
	check "$f exists" test -f $f
	check "$f is readable by nobody" \
		setpriv --reuid=65534 --regid=65534 --clear-groups cat $f
	check_eq "$f is 'name value' lines" "" \
		"$(awk 'NF != 2 || $2 !~ /^[0-9]+$/' $f)"
	check "$f counts input_packets and no_sa" \
		sh -c "grep -q '^input_packets ' $f && grep -q '^no_sa ' $f"
done

ip netns add a
ip netns add b
link_ns a b 192.0.2.1 192.0.2.2
ip -n a addr add 2001:db8::1/64 dev veth_a nodad
ip -n b addr add 2001:db8::2/64 dev veth_b nodad

# ESP: SPI 0x1234, seq 1, then some bytes
ESP=0000123400000001deadbeefdeadbeefdeadbeefdeadbeef
ns_run a "$SEND" 192.0.2.2 50 $ESP 3
check_eq "ESP for an unknown SPI counts no_sa in the receiver" 3 \
	"$(ipsec_counter b esp no_sa)"
check_eq "the sender's namespace counts nothing" 0 \
	"$(ipsec_counter a esp no_sa)"
check_eq "the initial namespace counts nothing" 0 \
	"$(ipsec_counter esp no_sa)"

ns_run a "$SEND" 2001:db8::2 50 $ESP 2
check_eq "IPv6 ESP for an unknown SPI counts no_sa" 5 \
	"$(ipsec_counter b esp no_sa)"

ns_run a "$SEND" 192.0.2.2 50 00001234 4
check_eq "a truncated ESP header counts header_drops" 4 \
	"$(ipsec_counter b esp header_drops)"

# AH: next header, length, reserved, SPI, seq, ICV
AH=0404000000001234000000010102030405060708090a0b0c
ns_run a "$SEND" 192.0.2.2 51 $AH 1
check_eq "AH for an unknown SPI counts no_sa" 1 \
	"$(ipsec_counter b ah no_sa)"
ns_run a "$SEND" 192.0.2.2 51 04040000 1
check_eq "a truncated AH header counts header_drops" 1 \
	"$(ipsec_counter b ah header_drops)"

ns_run a "$SEND" 192.0.2.2 108 04000100deadbeef 2
check_eq "IPComp while ipcomp_enable=0 counts policy_drops" 2 \
	"$(ipsec_counter b ipcomp policy_drops)"
ns_run b sh -c 'echo 1 >/proc/sys/net/ipsec/ipcomp_enable'
ns_run a "$SEND" 192.0.2.2 108 04000100deadbeef 1
check_eq "IPComp once enabled counts no_sa" 1 \
	"$(ipsec_counter b ipcomp no_sa)"

ns_run b sh -c 'echo 0 >/proc/sys/net/ipsec/esp_enable'
ns_run a "$SEND" 192.0.2.2 50 $ESP 2
check_eq "ESP while esp_enable=0 counts policy_drops" 2 \
	"$(ipsec_counter b esp policy_drops)"
check_eq "and not no_sa" 5 "$(ipsec_counter b esp no_sa)"

check_eq "input_packets counts only packets that were processed" 0 \
	"$(ipsec_counter b esp input_packets)"

ip netns del a
ip netns del b
ipsec_unload
ktap_end
