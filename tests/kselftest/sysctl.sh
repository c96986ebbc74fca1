#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# net.ipsec.* and net.ipsec6.*: defaults, valid values read back, invalid
# values refused with EINVAL and the old value kept, one set per namespace.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load

# name default valid invalid...
KNOBS='
ipsec.esp_enable 1 0 2 -1 x
ipsec.ah_enable 1 0 2 -1
ipsec.ipcomp_enable 0 1 2 -1
ipsec.def_policy 1 0 2 -1
ipsec.esp_trans_deflev 1 2 0 3
ipsec.esp_net_deflev 1 2 0 3
ipsec.ah_trans_deflev 1 2 0 3
ipsec.ah_net_deflev 1 2 0 3
ipsec.ah_cleartos 1 0 2 -1
ipsec.ah_offsetmask 0 65535 65536 -1
ipsec.dfbit 2 0 3 -1
ipsec.ecn 1 0 2 -1
ipsec.debug 0 2 3 -1
ipsec.filter_tunnel 0 1 2 -1
ipsec.expire_acquire 30 10 0 -5
ipsec.invalid_life 60 120 0 -1
ipsec.pfs 1 0 2 -1
ipsec.soft_timeout 80000 100 -1 x
ipsec.timeout 86400 200 -1 x
ipsec.soft_firstuse 3600 60 -1 x
ipsec.firstuse 7200 120 -1 x
ipsec.soft_allocs 0 1000 -1 x
ipsec.allocs 0 2000 -1 x
ipsec.soft_bytes 0 1000000000000 -1 x
ipsec.bytes 0 2000000000000 -1 x
ipsec.enc_alg aes aes-gcm-16 des rot13
ipsec.auth_alg hmac-sha1 hmac-sha256 md5 hmac-sha1-96
ipsec.comp_alg deflate deflate lz4 zstd
ipsec6.def_policy 1 0 2 -1
ipsec6.esp_trans_deflev 1 2 0 3
ipsec6.esp_net_deflev 1 2 0 3
ipsec6.ah_trans_deflev 1 2 0 3
ipsec6.ah_net_deflev 1 2 0 3
ipsec6.ecn 1 0 2 -1
ipsec6.debug 0 1 3 -1
'

path() { echo "/proc/sys/net/$(echo "$1" | tr . /)"; }

# write VALUE PATH: a write(2) of VALUE; prints strerror on failure
write_knob()
{
	python3 - "$1" "$2" <<'PY'
import os, sys
fd = os.open(sys.argv[2], os.O_WRONLY)
try:
    os.write(fd, sys.argv[1].encode() + b"\n")
except OSError as e:
    print(os.strerror(e.errno)); sys.exit(1)
PY
}

while read -r name def good bad; do
	[ -n "$name" ] || continue
	p=$(path "$name")
	check_eq "net.$name defaults to $def" "$def" "$(cat "$p" 2>&1)"
	check "net.$name accepts $good" write_knob "$good" "$p"
	check_eq "net.$name reads back $good" "$good" "$(cat "$p")"
	for b in $bad; do
		check_errno "net.$name refuses '$b' with EINVAL" EINVAL \
			write_knob "$b" "$p"
	done
	check_eq "net.$name still $good after refusals" "$good" "$(cat "$p")"
	write_knob "$def" "$p" >/dev/null
done <<KNOBS
$KNOBS
KNOBS

check "sysctl(8) sees the tree" sh -c 'sysctl net.ipsec.esp_enable net.ipsec6.ecn'
check "algorithm aliases are accepted (rijndael-cbc)" \
	write_knob rijndael-cbc "$(path ipsec.enc_alg)"

ip netns add sy
echo 0 >/proc/sys/net/ipsec/esp_enable
check_eq "a new namespace has its own defaults" 1 \
	"$(ip netns exec sy cat /proc/sys/net/ipsec/esp_enable)"
ip netns exec sy sh -c 'echo 0 >/proc/sys/net/ipsec/dfbit'
check_eq "a namespace's write does not reach the initial one" 2 \
	"$(cat /proc/sys/net/ipsec/dfbit)"
check_eq "and is kept in its own namespace" 0 \
	"$(ip netns exec sy cat /proc/sys/net/ipsec/dfbit)"
echo 1 >/proc/sys/net/ipsec/esp_enable
ip netns del sy

check "non-root cannot write" sh -c \
	'! setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "echo 0 >/proc/sys/net/ipsec/esp_enable" 2>/dev/null'

ipsec_unload
ktap_end
