#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pfkeyctl against the module: a setkey configuration file, dumps in text
# and JSON, get/delete, register, monitor, stats, and a bad file reported
# with its line number and nothing applied.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
ipsec_load
P="$TOP/tools/pfkeyctl/pfkeyctl"
CONF="$TOP/tools/pfkeyctl/tests/example.conf"
T=$(mktemp -d)

check "example.conf (setkey syntax) loads" "$P" -f "$CONF"
check_eq "dump shows its 2 SAs" 2 "$("$P" -D | grep -c '^	esp mode=')"
check_eq "spddump shows its 2 policies" 2 \
	"$("$P" -DP | grep -c '^	out prio')"
"$P" -j -D >"$T/dump.json"
check "the JSON dump parses, one object per SA, keys as added" python3 -c '
import json, sys
sas = [json.loads(l) for l in open(sys.argv[1])]
by = {s["spi"]: s for s in sas}
assert len(sas) == 2, sas
assert by["0x00001001"]["enc"]["key"] == \
    "00112233445566778899aabbccddeeff01020304", by
assert by["0x00002001"]["mode"] == "tunnel"
assert by["0x00002001"]["reqid"] == 200
assert [s["seq"] for s in sas][-1] == 0
' "$T/dump.json"
check "get shows the SA with its key" sh -c \
	"'$P' get 192.0.2.1 192.0.2.2 esp 0x1001 | grep -q '00112233 44556677'"

"$P" monitor >"$T/monitor" 2>&1 &
mon=$!
sleep 1
"$P" add 192.0.2.7 192.0.2.8 esp 0x3003 -E aes-cbc \
	0xfeedfacefeedfacefeedfacefeedface -A hmac-sha1 \
	0x0102030405060708090a0b0c0d0e0f1011121314
sleep 1
kill $mon
wait $mon 2>/dev/null
check "monitor prints the ADD of another process" \
	grep -q '192.0.2.7 192.0.2.8' "$T/monitor"
check_fails "and no key in it" grep -qi 'feedface' "$T/monitor"

printf 'flush;\nadd 10.0.0.1 10.0.0.2 esp 0x4000 -E aes-cbc 0x00;\n' \
	>"$T/bad.conf"
"$P" -f "$T/bad.conf" >"$T/bad.out" 2>&1
rc=$?
check_eq "a bad file exits 1" 1 $rc
check "the error names file, line and token" \
	grep -q "bad.conf:2:.*'0x00'" "$T/bad.out"
check_eq "nothing of a bad file is applied (the flush neither)" 3 \
	"$("$P" -D | grep -c '^	esp mode=')"

check "register esp lists AES-GCM-16" sh -c \
	"'$P' register esp | grep -q 'aes-gcm-16 *id=20'"
check "stats prints the ESP counters" sh -c \
	"'$P' stats | grep -q 'no_sa'"

check "delete" "$P" delete 192.0.2.1 192.0.2.2 esp 0x1001
check_fails "get after delete fails" "$P" get 192.0.2.1 192.0.2.2 esp 0x1001
check "-F flushes the SAD" "$P" -F
check "-FP flushes the SPD" "$P" -FP
check_eq "the SAD is empty" "" "$("$P" -D 2>/dev/null | grep 'esp mode=')"

rm -rf "$T"
ipsec_unload
ktap_end
