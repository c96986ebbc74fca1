#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-also: 6.12
# ESP SAs get their crypto transform at ADD: an AEAD from the table, or
# authenc() around cipher and HMAC; it goes away with the SA.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load
P="$TOP/tools/pfkeyctl/pfkeyctl"

check "ADD aes-gcm-16 succeeds" "$P" add 192.0.2.1 192.0.2.2 esp 0x1001 \
	-m transport -E aes-gcm-16 \
	0x00112233445566778899aabbccddeeff01020304
check "ADD aes-cbc + hmac-sha256 succeeds" "$P" add 192.0.2.1 192.0.2.2 \
	esp 0x1002 -E aes-cbc 0x000102030405060708090a0b0c0d0e0f \
	-A hmac-sha256 \
	0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
check "ADD chacha20-poly1305 succeeds" "$P" add 192.0.2.1 192.0.2.2 \
	esp 0x1003 -E chacha20-poly1305 \
	0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f01020304
check "authenc(hmac(sha256),cbc(aes)) instantiated" \
	grep -q 'authenc(hmac(sha256),cbc(aes))' /proc/crypto
check "rfc4106(gcm(aes)) instantiated" grep -q 'rfc4106(gcm(aes))' /proc/crypto
check_eq "3 SAs in the SAD" 3 "$("$P" -D | grep -c '^	esp mode=')"
check "flush" "$P" -F
ipsec_unload
check "module unloads after the SAs and their transforms are gone" \
	sh -c "! test -d /sys/module/ipsec"
ktap_end
