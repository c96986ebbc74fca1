#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The boot unit (scripts/pfkeyctl.service) and the sysctl.d example: the
# unit's own Exec lines, read from the file, run here in order with the
# tree's pfkeyctl, module and example configuration in place of the
# installed ones; iproute2's `ip xfrm` (netlink, not PF_KEY) then sees the
# SAs and policies of the file after start and none after stop.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin

UNIT=$TOP/scripts/pfkeyctl.service
CONF=$TOP/scripts/pfkeyctl.conf.example
PFKEYCTL=$TOP/tools/pfkeyctl/pfkeyctl

# exec_lines KEY: the unit's KEY= lines, in order, with the installed
# paths mapped to the tree's
exec_lines()
{
	sed -n "s/^$1=//p" "$UNIT" | sed \
		-e "s|^/sbin/modprobe ipsec\$|insmod $MODULE|" \
		-e "s|/usr/sbin/pfkeyctl|$PFKEYCTL|" \
		-e "s|/etc/pfkeyctl.conf|$CONF|"
}

# run_exec KEY: run the KEY= lines as systemd would, stopping at the first
# failure; prints the failed line
run_exec()
{
	exec_lines "$1" | while read -r line; do
		# shellcheck disable=SC2086
		$line >/dev/null 2>&1 || { echo "failed: $line"; exit 1; }
	done
}

ipsec_unload 2>/dev/null
check_eq "the unit names the configuration file" 1 \
	"$(grep -c '^ExecStart=/usr/sbin/pfkeyctl -f /etc/pfkeyctl.conf$' "$UNIT")"
check_eq "the unit starts only when the file exists" 1 \
	"$(grep -c '^ConditionPathExists=/etc/pfkeyctl.conf$' "$UNIT")"
check_eq "the unit runs before the network" 1 \
	"$(grep -c '^Before=network-pre.target' "$UNIT")"

check "ExecStartPre loads the module" run_exec ExecStartPre
check "... ipsec is loaded" ipsec_loaded
check "ExecStart applies the file" run_exec ExecStart
nsa=$(ip xfrm state | grep -c '^src 192.0.2.')
check_eq "ip xfrm state shows the file's 2 SAs" 2 "$nsa"
check "... with their SPIs" sh -c \
	"ip xfrm state | grep -q 'spi 0x00001001' && ip xfrm state | grep -q 'spi 0x00001002'"
check_eq "ip xfrm policy shows the file's out and in policies" "in out" \
	"$(ip xfrm policy | sed -n 's/^[[:space:]]*dir \([a-z]*\).*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//')"

# the sysctl.d example applies once the module is loaded
check "sysctl -p of the sysctl.d example" sysctl -q -p "$TOP/scripts/sysctl-ipsec.conf"
check_eq "... net.ipsec.dfbit is the example's" 2 "$(sysctl -n net.ipsec.dfbit)"

check "ExecReload flushes and applies the file again" run_exec ExecReload
check_eq "... still the 2 SAs" 2 "$(ip xfrm state | grep -c '^src 192.0.2.')"

check "ExecStop flushes" run_exec ExecStop
check_eq "ip xfrm state shows no SA after stop" "" "$(ip xfrm state)"
check_eq "ip xfrm policy shows no policy after stop" "" "$(ip xfrm policy)"
check_eq "pfkeyctl -D agrees" "" "$($PFKEYCTL -D 2>&1 | grep -v '^No SAD entries')"

ipsec_unload
ktap_end
