#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The cases strongswan.sh (charon over PF_KEY) and strongswan_netlink.sh
# (charon over XFRM netlink) share, from loading the connections to
# terminating the IKE_SA: tunnel, trap and host CHILD_SAs, traffic, the
# wire, rekeys. Sourced by them once both charons run; they set
#   SW_GETSA        how charon reads an SA back (SADB_GET, XFRM_MSG_GETSA)
#   SW_ACQUIRE      the ACQUIRE message, and SW_ACQUIRE_LOG what charon
#                   logs on receiving it
#   SW_EXPIRE       the EXPIRE message, and SW_EXPIRE_LOG likewise
# and define sw_lifetimes_check IN-SPI OUT-SPI: the case that a's SAs of
# the host CHILD_SA carry charon's lifetimes (each API shows them its way).
sc "swanctl --load-all in b" swan b --load-all
sc "swanctl --load-all in a" swan a --load-all

# spis NS CHILD: "IN OUT", the SPIs of NS's installed CHILD_SA called CHILD
spis()
{
	swan "$1" --list-sas 2>/dev/null | awk -v c="$2:" '
		$1 == c && /INSTALLED/ { on = 1; next }
		on && $1 == "in" { i = $2 }
		on && $1 == "out" { o = $2; gsub(/[,(].*/, "", i)
			gsub(/[,(].*/, "", o); print i, o; exit }'
}
# sad_has / sad_lacks SPI...: every / none of the SPIs in our SAD, a and b
sad_has()
{
	for _ns in a b; do
		ns_run $_ns "$PFK" -D >"$T/sad" 2>&1
		for _s in "$@"; do
			grep -q "(0x$_s)" "$T/sad" ||
				{ echo "$_ns has no SA 0x$_s:"; cat "$T/sad"; return 1; }
		done
	done
}
sad_lacks()
{
	for _ns in a b; do
		ns_run $_ns "$PFK" -D >"$T/sad" 2>&1
		for _s in "$@"; do
			! grep -q "(0x$_s)" "$T/sad" ||
				{ echo "$_ns still has SA 0x$_s:"; cat "$T/sad"; return 1; }
		done
	done
}
# spd NS: NS's SPD, one policy a line
spd()
{
	ns_run "$1" "$PFK" -D -P 2>&1 | awk '
		/^No SPD entries/ { next }
		/^[0-9a-f]/ { if (l != "") print l; l = $0; next }
		{ l = l " " $0 } END { if (l != "") print l }'
}
# spd_has NS SRC DST DIR [WHAT]: a policy SRC -> DST in direction DIR (that
# says WHAT) in NS's SPD; spd_lacks NS SRC DST: no policy SRC -> DST
spd_has()
{
	spd "$1" >"$T/spd"
	grep "^$2\[any\] $3\[any\] .*\b$4\b" "$T/spd" | grep -q -- "${5:-}" ||
		{ echo "no $4 policy $2 -> $3 ${5:-} in $1:"; cat "$T/spd"; return 1; }
}
spd_lacks()
{
	spd "$1" >"$T/spd"
	! grep -q "^$2\[any\] $3\[any\]" "$T/spd" ||
		{ echo "$1 still has $2 -> $3:"; cat "$T/spd"; return 1; }
}
esp() { ipsec_counter "$1" esp "$2"; }
sad_count() { ns_run "$1" "$PFK" -D 2>/dev/null | grep -c 'spi='; }

# --- trap: a policy, no SA ---------------------------------------------------
sc "trap loaded: a's SPD has out 10.1.1.0/24 -> 10.2.1.0/24" \
	wait_until 10 spd_has a 10.1.1.0/24 10.2.1.0/24 out
sc_eq "... and no SA anywhere" "0 0" "$(sad_count a) $(sad_count b)"

# --- tun: IKE_SA and a tunnel ------------------------------------------------
sc "swanctl --initiate --child tun" \
	swan a --initiate --child tun --timeout 60
swan a --list-sas >"$T/lsa" 2>&1
swan b --list-sas >"$T/lsb" 2>&1
sc "IKE_SA gw ESTABLISHED in a and b" \
	grep -q "^gw: #[0-9]*, ESTABLISHED, IKEv2" "$T/lsa" "$T/lsb"
sc "CHILD_SA tun INSTALLED, TUNNEL, ESP:AES_GCM_16-128 in a and b" \
	grep -q "tun: #[0-9]*, reqid [0-9]*, INSTALLED, TUNNEL, ESP:AES_GCM_16-128" \
	"$T/lsa" "$T/lsb"
tun1=$(spis a tun)
sc_eq "tun: a's inbound SPI is b's outbound and the other way round" \
	"$tun1" "$(spis b tun | awk '{ print $2, $1 }')"
sc "tun: our SADs hold both SPIs ($tun1)" sad_has $tun1
sc "tun: a's SPD has out 10.1.0.0/24 -> 10.2.0.0/24 esp/tunnel/10.0.0.1-10.0.0.2" \
	spd_has a 10.1.0.0/24 10.2.0.0/24 out esp/tunnel/10.0.0.1-10.0.0.2
sc "tun: a's SPD has in 10.2.0.0/24 -> 10.1.0.0/24 esp/tunnel/10.0.0.2-10.0.0.1" \
	spd_has a 10.2.0.0/24 10.1.0.0/24 in esp/tunnel/10.0.0.2-10.0.0.1
sc "tun: b's SPD has out 10.2.0.0/24 -> 10.1.0.0/24 esp/tunnel/10.0.0.2-10.0.0.1" \
	spd_has b 10.2.0.0/24 10.1.0.0/24 out esp/tunnel/10.0.0.2-10.0.0.1
sc "tun: b's SPD has in 10.1.0.0/24 -> 10.2.0.0/24 esp/tunnel/10.0.0.1-10.0.0.2" \
	spd_has b 10.1.0.0/24 10.2.0.0/24 in esp/tunnel/10.0.0.1-10.0.0.2

# ping PING-ARGS...: pings from a, the wire watched in b
ping_watched()
{
	rm -f "$T/wire.pcap" "$T/tcpdump"
	ip netns exec b tcpdump --immediate-mode -U -ni veth_b \
		-w "$T/wire.pcap" >"$T/tcpdump" 2>&1 &
	_td=$!
	wait_until 10 grep -q "listening on" "$T/tcpdump"
	ns_run a ping -c 3 -i 0.3 -W 3 "$@" >"$T/ping" 2>&1
	_rc=$?
	# the 6 ESP packets, or what came in 5 s
	wait_until 5 test "$(wire 'ip proto 50')" -ge 6
	kill $_td
	wait $_td
	[ $_rc -eq 0 ] || cat "$T/ping"
	return $_rc
}
# wire FILTER: packets on b's wire that match FILTER
wire() { tcpdump -nr "$T/wire.pcap" "$1" 2>/dev/null | wc -l; }
# wire_esp SPI: ESP packets with SPI on b's wire (no IP options here)
wire_esp() { wire "ip proto 50 and ip[20:4] = 0x$1"; }
# wire_ok DESC IN-SPI OUT-SPI: 3 ESP packets each way with a's SPIs, no ICMP
wire_ok()
{
	_got="$(wire_esp "$3") $(wire_esp "$2") $(wire icmp)"
	sc_eq "$1" "3 3 0" "$_got"
	[ "$_got" = "3 3 0" ] ||
		tcpdump -nr "$T/wire.pcap" 2>/dev/null | sed 's/^/# wire: /'
}
# counted NS CHILD: "IN-PACKETS OUT-PACKETS" of the installed CHILD_SA as
# charon lists them, which it reads from our replies to $SW_GETSA (the
# field before "packets": a marked SA has its mark after the SPI)
counted()
{
	swan "$1" --list-sas 2>/dev/null | awk -v c="$2:" '
		function pk(f) { for (f = 3; f <= NF; f++)
			if ($f ~ /^packets/) return $(f - 1) }
		$1 == c && /INSTALLED/ { on = 1; next }
		on && $1 == "in" { i = pk() }
		on && $1 == "out" { print i, pk(); exit }'
}

aout=$(esp a output_packets) ain=$(esp a input_packets)
bout=$(esp b output_packets) bin=$(esp b input_packets)
sc "tun: a pings 10.2.0.1 from 10.1.0.1" ping_watched -I 10.1.0.1 10.2.0.1
wire_ok "tun: the wire has 3 ESP packets each way with tun's SPIs, no ICMP" $tun1
sc_eq "tun: charon counts 3 packets in and 3 out in a and in b" "3 3 3 3" \
	"$(counted a tun) $(counted b tun)"
sc_eq "tun: ESP output_packets/input_packets: +3 each in a and b" \
	"$((aout + 3)) $((ain + 3)) $((bout + 3)) $((bin + 3))" \
	"$(esp a output_packets) $(esp a input_packets) $(esp b output_packets) $(esp b input_packets)"

# --- tun: rekeyed by hand ----------------------------------------------------
sc "swanctl --rekey --child tun" swan a --rekey --child tun
# spis_changed NS CHILD OLD-IN OLD-OUT: the installed CHILD_SA has new SPIs
spis_changed()
{
	_new=$(spis "$1" "$2")
	[ -n "$_new" ] && [ "${_new% *}" != "$3" ] && [ "${_new#* }" != "$4" ]
}
sc "tun: rekeyed, new SPIs in a" wait_until 60 spis_changed a tun $tun1
tun2=$(spis a tun)
sc_eq "tun: b agrees on the new SPIs ($tun2)" \
	"$tun2" "$(spis b tun | awk '{ print $2, $1 }')"
sc "tun: our SADs hold the new SPIs" sad_has $tun2
sc "tun: ... and charon deleted the old ones from them" \
	wait_until 30 sad_lacks $tun1
sc "tun: a pings 10.2.0.1 from 10.1.0.1 after the rekey" \
	ping_watched -I 10.1.0.1 10.2.0.1
wire_ok "tun: the wire has 3 ESP packets each way with the new SPIs, no ICMP" $tun2

# --- trap: traffic, an ACQUIRE from us, negotiation -------------------------
ns_run a ping -c 1 -W 1 -I 10.1.1.1 10.2.1.1 >/dev/null 2>&1
installed() { [ -n "$(spis "$1" "$2")" ]; }
sc "trap: a packet to 10.2.1.1 made charon negotiate: trap INSTALLED" \
	wait_until 60 installed a trap
sc "trap: charon got our $SW_ACQUIRE" \
	grep -q "$SW_ACQUIRE_LOG" "$T/a/charon.log"
trap1=$(spis a trap)
sc "trap: our SADs hold its SPIs ($trap1)" sad_has $trap1
sc "trap: a pings 10.2.1.1 from 10.1.1.1" \
	wait_until 30 ns_run a ping -c 1 -W 2 -I 10.1.1.1 10.2.1.1

# --- host: transport, rekeyed on our soft EXPIRE ------------------------------
sc "swanctl --initiate --child host" \
	swan a --initiate --child host --timeout 60
host1=$(spis a host)
# traffic first: the soft lifetime runs from now
sc "host: a pings 10.0.0.2" ping_watched 10.0.0.2
wire_ok "host: the wire has 3 ESP packets each way, no ICMP" $host1
sc_eq "host: charon counts 3 packets in and 3 out in a and in b" "3 3 3 3" \
	"$(counted a host) $(counted b host)"
swan a --list-sas >"$T/lsa" 2>&1
sc "CHILD_SA host INSTALLED, TRANSPORT, ESP:AES_CBC-256/HMAC_SHA2_256_128" \
	grep -q "host: #[0-9]*, reqid [0-9]*, INSTALLED, TRANSPORT, ESP:AES_CBC-256/HMAC_SHA2_256_128" \
	"$T/lsa"
sc "host: our SADs hold its SPIs ($host1)" sad_has $host1
# sa_life NS SPI: "HARD SOFT", the SA's lifetimes in seconds
sa_life()
{
	ns_run "$1" "$PFK" -D | awk -v s="(0x$2)" '
		/spi=/ { on = index($0, s) > 0 }
		on && /hard: [0-9]*\(s\) soft:/ {
			gsub(/[^0-9 ]/, ""); print $1, $2; exit }'
}
# shellcheck disable=SC2086
sw_lifetimes_check $host1
sc "host: a's SPD has out 10.0.0.1 -> 10.0.0.2 esp/transport" \
	spd_has a 10.0.0.1/32 10.0.0.2/32 out esp/transport
sc "host: b's SPD has in 10.0.0.1 -> 10.0.0.2 esp/transport" \
	spd_has b 10.0.0.1/32 10.0.0.2/32 in esp/transport
sc "host: charon got our soft $SW_EXPIRE" \
	wait_until 90 grep -q "$SW_EXPIRE_LOG" "$T/a/charon.log"
# logtime PATTERN: seconds of the day of the first line of a's log with it
logtime()
{
	grep -m1 -- "$1" "$T/a/charon.log" |
		awk -F'[: ]' '{ print $1 * 3600 + $2 * 60 + $3 }'
}
t_est=$(logtime "CHILD_SA host{[0-9]*} established with SPIs ${host1% *}_i")
t_exp=$(logtime "$SW_EXPIRE_LOG")
sc "... 30 s (+5) after charon installed the SA (${t_est:-?} -> ${t_exp:-?})" \
	test $((t_exp - t_est)) -ge 30 -a $((t_exp - t_est)) -le 35
sc "host: ... and rekeyed the CHILD_SA: new SPIs" \
	wait_until 60 spis_changed a host $host1
sc "host: charon's log says the expire made it rekey" \
	grep -q "creating rekey job for CHILD_SA ESP/0x${host1% *}" "$T/a/charon.log"
host2=$(spis a host)
sc "host: our SADs hold the new SPIs ($host2)" sad_has $host2
sc "host: a pings 10.0.0.2 after the rekey" ping_watched 10.0.0.2
wire_ok "host: ... with the new SPIs on the wire, no ICMP" $host2

# --- terminate ---------------------------------------------------------------
sc "swanctl --terminate --child tun" swan a --terminate --child tun
sc "tun: its SAs left our SADs" wait_until 20 sad_lacks $tun2
tun_gone()
{
	spd_lacks a 10.1.0.0/24 10.2.0.0/24 && spd_lacks a 10.2.0.0/24 10.1.0.0/24 &&
	spd_lacks b 10.1.0.0/24 10.2.0.0/24 && spd_lacks b 10.2.0.0/24 10.1.0.0/24
}
sc "tun: its policies left our SPDs" wait_until 20 tun_gone
sc "swanctl --terminate --child trap" swan a --terminate --child trap
sc "trap: its SAs left our SADs" wait_until 20 sad_lacks $trap1
trap_left()
{
	spd_has a 10.1.1.0/24 10.2.1.0/24 out &&
	spd_lacks b 10.1.1.0/24 10.2.1.0/24 && spd_lacks b 10.2.1.0/24 10.1.1.0/24
}
sc "trap: a keeps its trap policy, b's policies are gone" \
	wait_until 20 trap_left
sc "swanctl --uninstall --child trap" swan a --uninstall --child trap
sc "trap: a's trap policy is gone" \
	wait_until 20 spd_lacks a 10.1.1.0/24 10.2.1.0/24
sc "swanctl --terminate --ike gw" swan a --terminate --ike gw --timeout 30
