#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-setup: scripts/build-strongswan
# check-alone
# check-timeout: 900
# strongSwan's charon keying our stack through PF_KEY: two namespaces, one
# charon each (built by scripts/build-strongswan with the kernel-pfkey
# plugin, loaded before kernel-netlink so PF_KEY is charon's IPsec backend
# and netlink only its networking backend), configured with swanctl: IKEv2
# with a PSK, one IKE_SA carrying
#   tun   a tunnel 10.1.0.0/24 <-> 10.2.0.0/24, AES-GCM-16, started by hand,
#         then rekeyed by hand;
#   trap  a tunnel 10.1.1.0/24 <-> 10.2.1.0/24, start_action=trap: a policy
#         without SA until traffic makes us send SADB_ACQUIRE;
#   host  transport between the two hosts for ICMP, AES-CBC + HMAC-SHA-256,
#         with a 30 s soft lifetime that our SADB_EXPIRE turns into a rekey.
# Checked: the SAs charon lists are in our SAD and its policies in our SPD,
# pings pass, only ESP on the wire, the ESP counters move, rekeys bring new
# SPIs and remove the old, terminating removes SAs and policies.
# IKE runs on ports 1500/14500, not 500/4500, and a static policy of ours
# requires ESP for all UDP between the hosts: IKE gets through only because
# charon's bypass_socket() gives its IKE sockets bypass policies with
# IP_IPSEC_POLICY, as it does with KAME and XFRM; no port is exempt.
# SPI pairs ("IN OUT") are split into arguments on purpose:
# shellcheck disable=SC2086,SC1091,SC2154
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin
SWAN=$TOP/.cache/strongswan/inst
CHARON=$SWAN/libexec/ipsec/charon
SWANCTL=$SWAN/sbin/swanctl
PFK="$TOP/tools/pfkeyctl/pfkeyctl"
if [ ! -x "$CHARON" ] || [ ! -x "$SWANCTL" ]; then
	ktap_fail "strongSwan built by scripts/build-strongswan"
	echo "# no $CHARON: 'scripts/build-strongswan' on the host builds it"
	[ ! -f "$TOP/.cache/strongswan/build.log" ] ||
		tail -n 20 "$TOP/.cache/strongswan/build.log" | sed 's/^/# /'
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
		echo "# --- tail of charon's log in $ns (all of it: .cache/check/strongswan-charon-$ns.log)"
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
		cp "$T/$ns/charon.log" "$LOGS/strongswan-charon-$ns.log" 2>/dev/null
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

# a: 10.0.0.1, inner 10.1.0.1 and 10.1.1.1; b: 10.0.0.2, 10.2.0.1, 10.2.1.1
ip netns add a
ip netns add b
link_ns a b 10.0.0.1 10.0.0.2
ip -n a addr add 10.1.0.1/24 dev lo
ip -n a addr add 10.1.1.1/24 dev lo
ip -n b addr add 10.2.0.1/24 dev lo
ip -n b addr add 10.2.1.1/24 dev lo
ip -n a route add 10.2.0.0/23 via 10.0.0.2
ip -n b route add 10.1.0.0/23 via 10.0.0.1

# swan_conf NS ME PEER MY-ID PEER-ID MY-NETS-PREFIX PEER-NETS-PREFIX ROLE
swan_conf()
{
	ns=$1 me=$2 peer=$3 id=$4 pid=$5 mynet=$6 peernet=$7 role=$8
	mkdir -p "$T/$ns/swanctl" "$T/$ns/run"
	# kernel-pfkey before kernel-netlink: the first kernel-ipsec
	# registered wins, netlink still provides kernel-net
	cat >"$T/$ns/strongswan.conf" <<EOT
charon {
	load = random nonce openssl kdf kernel-pfkey kernel-netlink socket-default vici
	port = 1500
	port_nat_t = 14500
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
		remote_port = 1500
		proposals = aes128-sha256-x25519
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
		secret = "our PF_KEY, their IKE"
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

# charon writes its pid file into its compiled-in piddir: each gets its
# own, a private bind mount in the mount namespace ip netns exec makes
for ns in a b; do
	# shellcheck disable=SC2016
	STRONGSWAN_CONF=$T/$ns/strongswan.conf ip netns exec $ns sh -c \
		'mount --bind "$1" "$2" && exec "$3"' sh \
		"$T/$ns/run" "$SWAN/run" "$CHARON" >"$T/$ns/charon.out" 2>&1 &
	charon_pids="$charon_pids $!"
done
sc "charon started in a and b (vici sockets up)" \
	wait_until 60 sh -c "test -S $T/a/charon.vici && test -S $T/b/charon.vici"
sc "charon's IPsec backend is kernel-pfkey: kernel-netlink's kernel-ipsec not taken" \
	grep -q "feature CUSTOM:kernel-ipsec in plugin 'kernel-netlink' failed to load" \
	"$T/a/charon.log" "$T/b/charon.log"
# kernel-pfkey opens two PF_KEY sockets and registers one of them (its
# event socket) for ESP and then for AH
regs="$(ipsec_counter a pfkey registered_sockets) $(ipsec_counter b pfkey registered_sockets)"
sc_eq "... and each charon has one registered PF_KEY socket" "1 1" "$regs"
[ "$regs" = "1 1" ] || ktap_info "ipsec.ko's registered_sockets counts a" \
	"socket once per SA type it registers (kmod/pfkey_sa.c," \
	"ipsec_pfkey_register) but uncounts it once (kmod/pfkey.c, release)"
sc "... and no PF_KEY errors at startup" \
	sh -c "! grep -iE 'PF_KEY' $T/a/charon.log $T/b/charon.log"
# kernel-pfkey's bypass_socket() puts a BYPASS sadb_x_policy on its IKE
# sockets with setsockopt(IP_IPSEC_POLICY), in and out
sc "IKE sockets bypass the SPD by IP_IPSEC_POLICY" \
	sh -c "! grep -E 'unable to set IPSEC_POLICY|installing IKE bypass policy failed' $T/a/charon.log $T/b/charon.log"

# every UDP datagram between the hosts must be ESP: only IKE's sockets,
# bypassed, may send and receive UDP in the clear
guard()
{
	for _ns in a b; do
		if [ $_ns = a ]; then _o=out _i=in; else _o=in _i=out; fi
		ns_run $_ns "$PFK" -f - <<EOT
$1 10.0.0.1 10.0.0.2 udp -P $_o $2;
$1 10.0.0.2 10.0.0.1 udp -P $_i $2;
EOT
	done
}
sc "UDP between the hosts requires ESP (a static policy in a and b)" \
	guard spdadd "ipsec esp/transport//require"
nosa=$(ipsec_counter a esp no_sa)
sc_eq "... a plain UDP socket in a cannot send to b's IKE port" \
	"send: EPERM sent 0" \
	"$(ns_run a python3 "$TOP/tests/kselftest/lib/sockpol.py" send 4 10.0.0.2 1500 1 | tr '\n' ' ' | sed 's/ $//')"
sc_eq "... counted as no_sa" $((nosa + 1)) "$(ipsec_counter a esp no_sa)"

SW_GETSA=SADB_GET
SW_ACQUIRE=SADB_ACQUIRE SW_ACQUIRE_LOG="received an SADB_ACQUIRE"
SW_EXPIRE=SADB_EXPIRE SW_EXPIRE_LOG="received an SADB_EXPIRE"
sw_lifetimes_check()
{
	sc_eq "host: a's SAs have charon's lifetimes: in soft 30 s hard 90 s, out hard 90 s" \
		"90 30 90 0" "$(sa_life a "$1") $(sa_life a "$2")"
}
. "$TOP/tests/kselftest/lib/strongswan_cases.sh"
sc "the static UDP policies removed" guard spddelete ""
sc_eq "no SA left in a and b" "0 0" "$(sad_count a) $(sad_count b)"
sc_eq "no policy left in a and b" "" "$(spd a; spd b)"
sc_eq "no IKE_SA left in a and b" "" \
	"$(swan a --list-sas 2>&1; swan b --list-sas 2>&1)"

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
sc_eq "... and close their PF_KEY sockets" "0 0" \
	"$(ipsec_counter a pfkey registered_sockets) $(ipsec_counter b pfkey registered_sockets)"
sc "... and remove their pid files" \
	sh -c "! ls $T/a/run/charon.pid $T/b/run/charon.pid 2>/dev/null"
ktap_end
