#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-timeout: 900
# check-alone
# strongSwan as Debian ships it (strongswan-charon, strongswan-swanctl:
# charon with its kernel-netlink plugin, unchanged) keying our stack
# through XFRM netlink: two namespaces, one charon each, configured with
# swanctl: IKEv2 with a PSK, one IKE_SA carrying
#   tun   a tunnel 10.1.0.0/24 <-> 10.2.0.0/24, AES-GCM-16, started by hand,
#         then rekeyed by hand;
#   trap  a tunnel 10.1.1.0/24 <-> 10.2.1.0/24, start_action=trap: a policy
#         without SA until traffic makes us send XFRM_MSG_ACQUIRE;
#   host  transport between the two hosts for ICMP, AES-CBC + HMAC-SHA-256,
#         with a 30 s soft lifetime that our XFRM_MSG_EXPIRE turns into a
#         rekey;
#   mark  a tunnel 10.1.2.0/24 <-> 10.2.2.0/24 with mark_in = mark_out = 42
#         (XFRMA_MARK on the policies and the outbound SA): only packets
#         that carry mark 42 use it (ping -m 42 out; nftables marks ESP as
#         it comes in, and net.ipv4.fwmark_reflect marks the replies).
#   xfrmi a tunnel 10.1.3.0/24 <-> 10.2.3.0/24 with if_id_in = if_id_out = 7
#         (XFRMA_IF_ID on its SAs and policies), routed through an XFRM
#         interface of if_id 7 in each namespace (charon adds no route
#         for such a CHILD_SA: the routes are ours).
# Checked: the SAs charon lists are in our SAD (seen over PF_KEY too) and
# its policies in our SPD, pings pass, only ESP on the wire, charon reads
# the packet counts from us, rekeys bring new SPIs and remove the old,
# terminating removes SAs and policies.
# SPI pairs ("IN OUT") are split into arguments on purpose:
# shellcheck disable=SC2086,SC1091,SC2154
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
CHARON=/usr/lib/ipsec/charon
SWANCTL=/usr/sbin/swanctl
PFK="$TOP/tools/pfkeyctl/pfkeyctl"
if [ ! -x "$CHARON" ] || [ ! -x "$SWANCTL" ] ||
	[ ! -f /usr/lib/ipsec/plugins/libstrongswan-kernel-netlink.so ]; then
	ktap_skip "Debian's strongSwan" "strongswan-charon and strongswan-swanctl not installed (scripts/install-deps)"
	ktap_end
fi
ipsec_load
T=$(mktemp -d)
charon_pids=
# the charon logs' tails, once for each failed check
nfail=0
logs_on_failure()
{
	[ "$_ktap_fail" -gt "$nfail" ] || return 0
	nfail=$_ktap_fail
	for ns in a b; do
		echo "# --- tail of charon's log in $ns (all of it: .cache/check/strongswan-netlink-charon-$ns.log)"
		tail -n 30 "$T/$ns/charon.log" 2>/dev/null | sed 's/^/#   /'
	done
}
sc() { check "$@"; logs_on_failure; }
sc_eq() { check_eq "$@"; logs_on_failure; }

# charon's logs stay in .cache/check/ after the run
LOGS=$TOP/.cache/check
cleanup()
{
	for ns in a b; do
		cp "$T/$ns/charon.log" "$LOGS/strongswan-netlink-charon-$ns.log" 2>/dev/null
	done
	for p in $charon_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $charon_pids; do
		wait "$p" 2>/dev/null
	done
	ip netns del a 2>/dev/null
	ip netns del b 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# a: 10.0.0.1, inner 10.1.0.1 to 10.1.3.1; b: 10.0.0.2, 10.2.0.1 to 10.2.3.1
ip netns add a
ip netns add b
link_ns a b 10.0.0.1 10.0.0.2
ip -n a addr add 10.1.0.1/24 dev lo
ip -n a addr add 10.1.1.1/24 dev lo
ip -n a addr add 10.1.2.1/24 dev lo
ip -n a addr add 10.1.3.1/24 dev lo
ip -n b addr add 10.2.0.1/24 dev lo
ip -n b addr add 10.2.1.1/24 dev lo
ip -n b addr add 10.2.2.1/24 dev lo
ip -n b addr add 10.2.3.1/24 dev lo
ip -n a route add 10.2.0.0/22 via 10.0.0.2
ip -n b route add 10.1.0.0/22 via 10.0.0.1

# swan_conf NS ME PEER MY-ID PEER-ID MY-NETS-PREFIX PEER-NETS-PREFIX ROLE
swan_conf()
{
	ns=$1 me=$2 peer=$3 id=$4 pid=$5 mynet=$6 peernet=$7 role=$8
	mkdir -p "$T/$ns/swanctl" "$T/$ns/run"
	# Debian's plugins (no openssl, no curve25519 in strongswan-charon)
	cat >"$T/$ns/strongswan.conf" <<EOT
charon {
	load = random nonce aes sha1 sha2 hmac gmp kdf kernel-netlink socket-default vici
	filelog {
		charon {
			path = $T/$ns/charon.log
			time_format = %T
			default = 1
			knl = 2
			lib = 2
			flush_line = yes
		}
	}
	plugins {
		vici {
			socket = unix://$T/$ns/charon.vici
		}
	}
}
swanctl {
	socket = unix://$T/$ns/charon.vici
}
EOT
	if [ "$role" = initiator ]; then
		trap_action="trap"
		# soft lifetime 30 s exactly (no random part), hard 90 s
		host_life="rekey_time = 30s
				life_time = 90s
				rand_time = 0s"
	else
		trap_action=none
		host_life="rekey_time = 0s
				life_time = 0s"
	fi
	cat >"$T/$ns/swanctl/swanctl.conf" <<EOT
connections {
	gw {
		version = 2
		local_addrs = $me
		remote_addrs = $peer
		proposals = aes128-sha256-modp2048
		rekey_time = 0s
		local {
			auth = psk
			id = $id
		}
		remote {
			auth = psk
			id = $pid
		}
		children {
			tun {
				local_ts = $mynet.0.0/24
				remote_ts = $peernet.0.0/24
				esp_proposals = aes128gcm16
				rekey_time = 0s
				life_time = 0s
			}
			trap {
				local_ts = $mynet.1.0/24
				remote_ts = $peernet.1.0/24
				esp_proposals = aes128gcm16
				start_action = $trap_action
			}
			mark {
				local_ts = $mynet.2.0/24
				remote_ts = $peernet.2.0/24
				esp_proposals = aes128gcm16
				mark_in = 42
				mark_out = 42
			}
			xfrmi {
				local_ts = $mynet.3.0/24
				remote_ts = $peernet.3.0/24
				esp_proposals = aes128gcm16
				if_id_in = 7
				if_id_out = 7
			}
			host {
				mode = transport
				local_ts = dynamic[icmp]
				remote_ts = dynamic[icmp]
				esp_proposals = aes256-sha256
				$host_life
			}
		}
	}
}
secrets {
	ike-ab {
		id-a = a
		id-b = b
		secret = "our netlink, their IKE"
	}
}
EOT
}
swan_conf a 10.0.0.1 10.0.0.2 a b 10.1 10.2 initiator
swan_conf b 10.0.0.2 10.0.0.1 b a 10.2 10.1 responder

# swan NS ARGS...: swanctl talking to NS's charon
swan()
{
	_ns=$1
	shift
	STRONGSWAN_CONF=$T/$_ns/strongswan.conf SWANCTL_DIR=$T/$_ns/swanctl \
		ip netns exec "$_ns" "$SWANCTL" "$@"
}

# Debian's charon writes /var/run/charon.pid: each gets its own /run, a
# private bind mount in the mount namespace ip netns exec makes
for ns in a b; do
	# shellcheck disable=SC2016
	STRONGSWAN_CONF=$T/$ns/strongswan.conf ip netns exec $ns sh -c \
		'mount --bind "$1" /run && exec "$2"' sh \
		"$T/$ns/run" "$CHARON" >"$T/$ns/charon.out" 2>&1 &
	charon_pids="$charon_pids $!"
done
sc "charon started in a and b (vici sockets up)" \
	wait_until 60 sh -c "test -S $T/a/charon.vici && test -S $T/b/charon.vici"
sc "charon's IPsec backend is kernel-netlink, talking to ipsec.ko" \
	sh -c "! grep -q \"kernel-ipsec in plugin 'kernel-netlink' failed\" $T/a/charon.log $T/b/charon.log && test ! -d /sys/module/xfrm_user"
sc "... and no XFRM errors at startup" \
	sh -c "! grep -iE 'unable to .*(XFRM|netlink)' $T/a/charon.log $T/b/charon.log"

SW_GETSA=XFRM_MSG_GETSA
SW_ACQUIRE=XFRM_MSG_ACQUIRE SW_ACQUIRE_LOG="received a XFRM_MSG_ACQUIRE"
SW_EXPIRE=XFRM_MSG_EXPIRE SW_EXPIRE_LOG="received a XFRM_MSG_EXPIRE"
sw_lifetimes_check()
{
	sc_eq "host: a's inbound SA has charon's lifetimes: soft 30 s, hard 90 s" \
		"90 30" "$(sa_life a "$1")"
	ns_run a ip -s xfrm state get src 10.0.0.1 dst 10.0.0.2 proto esp \
		spi "0x$2" >"$T/out_sa" 2>&1
	sc "host: a's outbound SA, read back over netlink, has a hard lifetime of 90 s" \
		sh -c "grep -q 'expire add: .*hard 90(sec)' $T/out_sa || { cat $T/out_sa; false; }"
}
. "$TOP/tests/kselftest/lib/strongswan_cases.sh"

# --- mark: policies and SAs with marks (XFRMA_MARK) ---------------------------
for ns in a b; do
	ip netns exec $ns sysctl -qw net.ipv4.fwmark_reflect=1
	ip netns exec $ns nft -f - <<EOT
table ip mk {
	chain pre {
		type filter hook prerouting priority mangle;
		ip protocol esp meta mark set 42
	}
}
EOT
done
sc "swanctl --initiate --child mark" \
	swan a --initiate --child mark --timeout 60
mark1=$(spis a mark)
sc "mark: our SADs hold its SPIs ($mark1)" sad_has $mark1
ns_run a ip xfrm policy >"$T/xp" 2>&1
sc "mark: a's policies carry mark 0x2a/0xffffffff, as charon asked" sh -c "
	grep -A2 'src 10.1.2.0/24 dst 10.2.2.0/24' $T/xp | grep -q 'mark 0x2a/0xffffffff' &&
	grep -A2 'src 10.2.2.0/24 dst 10.1.2.0/24' $T/xp | grep -q 'mark 0x2a/0xffffffff' ||
	{ cat $T/xp; false; }"
# an SA is named with its mark (GETSA's XFRMA_MARK), as in XFRM
ns_run a ip xfrm state get src 10.0.0.1 dst 10.0.0.2 proto esp \
	spi "0x${mark1#* }" mark 42 >"$T/xs" 2>&1
sc "mark: a's outbound SA, got with mark 42, carries mark 0x2a/0xffffffff" sh -c \
	"grep -q 'mark 0x2a/0xffffffff' $T/xs || { cat $T/xs; false; }"
sc "mark: ... and is not found without it" sh -c \
	"! ip -n a xfrm state get src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x${mark1#* } 2>/dev/null"
sc "mark: a pings 10.2.2.1 from 10.1.2.1 with mark 42" \
	ping_watched -m 42 -I 10.1.2.1 10.2.2.1
wire_ok "mark: the wire has 3 ESP packets each way with mark's SPIs, no ICMP" \
	$mark1
sc_eq "mark: charon counts 3 packets in and 3 out in a and in b" "3 3 3 3" \
	"$(counted a mark) $(counted b mark)"
# without the mark no policy matches: the packets go as they are, as in
# XFRM (a policy's mark is part of its selector)
sc "mark: an unmarked ping from 10.1.2.1 passes in the clear" \
	ping_watched -I 10.1.2.1 10.2.2.1
sc_eq "mark: ... 3 ICMP packets each way on the wire, no ESP" "6 0" \
	"$(wire icmp) $(wire 'ip proto 50')"
sc "swanctl --terminate --ike gw (mark)" swan a --terminate --ike gw --timeout 30
sc "mark: its SAs left our SADs" wait_until 20 sad_lacks $mark1
sc_eq "no SA left in a and b" "0 0" "$(sad_count a) $(sad_count b)"
sc_eq "no policy left in a and b" "" "$(spd a; spd b)"
# (Debian's swanctl reports the plugins it lacks on stderr)
sc_eq "no IKE_SA left in a and b" "" \
	"$(swan a --list-sas 2>/dev/null; swan b --list-sas 2>/dev/null)"

# --- xfrmi: SAs and policies with if_id 7, through XFRM interfaces ---------
for ns in a b; do
	ip netns exec $ns nft delete table ip mk
	ip -n $ns link add xfrmi7 type xfrm if_id 7
	# no link-local address: no IPv6 traffic of its own
	ip -n $ns link set xfrmi7 addrgenmode none
	ip -n $ns link set xfrmi7 up
done
ip -n a route add 10.2.3.0/24 dev xfrmi7 src 10.1.3.1
ip -n b route add 10.1.3.0/24 dev xfrmi7 src 10.2.3.1
sc "swanctl --initiate --child xfrmi" \
	swan a --initiate --child xfrmi --timeout 60
xfrmi1=$(spis a xfrmi)
sc "xfrmi: our SADs hold its SPIs ($xfrmi1)" sad_has $xfrmi1
# xlines NS OBJ: `ip xfrm OBJ` of NS, one entry a line
xlines()
{
	ns_run "$1" ip xfrm "$2" | awk '/^src / { if (r) print r; r = $0; next }
		{ r = r " " $0 } END { if (r) print r }'
}
sc_eq "xfrmi: a's two SAs carry if_id 7, as charon asked" 2 \
	"$(xlines a state | grep -c 'if_id 0x7')"
sc_eq "xfrmi: a's policies out, in and fwd for it carry if_id 7" \
	"fwd in out" "$(xlines a policy |
		grep -E 'src 10.[12].3.0/24 dst 10.[12].3.0/24 .*if_id 0x7' |
		grep -oE 'dir [a-z]+' | cut -d' ' -f2 | sort | paste -sd' ' -)"
st7() { ip netns exec "$1" cat /sys/class/net/xfrmi7/statistics/"$2"; }
tx0=$(st7 a tx_packets) rx0=$(st7 a rx_packets)
btx0=$(st7 b tx_packets) brx0=$(st7 b rx_packets)
sc "xfrmi: a pings 10.2.3.1 from 10.1.3.1 through xfrmi7" \
	ping_watched -I 10.1.3.1 10.2.3.1
wire_ok "xfrmi: the wire has 3 ESP packets each way with its SPIs, no ICMP" \
	$xfrmi1
sc_eq "xfrmi: a's xfrmi7 sent 3 and received 3" "3 3" \
	"$(($(st7 a tx_packets) - tx0)) $(($(st7 a rx_packets) - rx0))"
sc_eq "xfrmi: b's xfrmi7 received 3 and sent 3" "3 3" \
	"$(($(st7 b rx_packets) - brx0)) $(($(st7 b tx_packets) - btx0))"
sc_eq "xfrmi: charon counts 3 packets in and 3 out in a and in b" "3 3 3 3" \
	"$(counted a xfrmi) $(counted b xfrmi)"
# without the routes through xfrmi7 no policy of if_id 0 matches: the
# ping and its replies go in the clear, as with stock
ip -n a route del 10.2.3.0/24 dev xfrmi7
ip -n b route del 10.1.3.0/24 dev xfrmi7
sc "xfrmi: routed by the veth instead, a ping passes in the clear" \
	ping_watched -I 10.1.3.1 10.2.3.1
sc_eq "xfrmi: ... 3 ICMP packets each way on the wire, no ESP" "6 0" \
	"$(wire icmp) $(wire 'ip proto 50')"
sc "swanctl --terminate --ike gw (xfrmi)" \
	swan a --terminate --ike gw --timeout 30
sc "xfrmi: its SAs left our SADs" wait_until 20 sad_lacks $xfrmi1
sc_eq "no SA left in a and b after xfrmi" "0 0" "$(sad_count a) $(sad_count b)"
sc_eq "no policy left in a and b after xfrmi" "" "$(spd a; spd b)"

# --- charon stops ------------------------------------------------------------
for p in $charon_pids; do
	kill "$p"
done
# stopped: the charons are gone or zombies (our children until waited for)
stopped()
{
	for _p in $charon_pids; do
		[ ! -e /proc/"$_p"/stat ] ||
			[ "$(cut -d' ' -f3 /proc/"$_p"/stat)" = Z ] || return 1
	done
}
sc "both charons stop on SIGTERM" wait_until 30 stopped
for p in $charon_pids; do
	wait "$p" 2>/dev/null
done
charon_pids=
sc "... and remove their pid files" \
	sh -c "! ls $T/a/run/charon.pid $T/b/run/charon.pid 2>/dev/null"
ktap_end
