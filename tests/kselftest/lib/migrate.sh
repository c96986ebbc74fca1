#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The halves of xfrm_migrate.pair.sh's wire cases that both guests run
# (the peer sources this file in its commands): one end of an ESP tunnel
# keyed with `ip xfrm`, a listener for MIGRATE events, and a migration
# of both of its policies. Source after lib.sh.

MIG="python3 $TOP/tests/kselftest/lib/migrate.py"
MIGKEY=0x0123456789abcdef0123456789abcdef01234567

# wire_side LOCAL REMOTE LOCAL2 REMOTE2 ILOCAL IREMOTE OUTSPI INSPI MAP:
# both addresses on eth0, ILOCAL on dummy0, the tunnel's SAs (reqid 1
# out, 2 in) and policies, and lib/migrate.py listening (/tmp/ev.log,
# addresses renamed by MAP)
wire_side()
{
	ip addr add "$1/24" dev eth0 &&
	ip addr add "$3/24" dev eth0 &&
	ip link add dummy0 type dummy &&
	ip link set dummy0 up &&
	ip addr add "$5/24" dev dummy0 &&
	ip route add "$6/32" via "$2" src "$5" &&
	ip xfrm state add src "$1" dst "$2" proto esp spi "$7" reqid 1 \
		mode tunnel aead 'rfc4106(gcm(aes))' $MIGKEY 128 &&
	ip xfrm state add src "$2" dst "$1" proto esp spi "$8" reqid 2 \
		mode tunnel aead 'rfc4106(gcm(aes))' $MIGKEY 128 &&
	ip xfrm policy add src "$5" dst "$6" dir out \
		tmpl src "$1" dst "$2" proto esp mode tunnel reqid 1 &&
	ip xfrm policy add src "$6" dst "$5" dir in \
		tmpl src "$2" dst "$1" proto esp mode tunnel reqid 2 || return 1
	rm -f /tmp/ev.ready
	$MIG listen /tmp/ev.log /tmp/ev.ready "$9" >/tmp/ev.err 2>&1 &
	echo $! >/tmp/ev.pid
	wait_until 30 test -e /tmp/ev.ready
}

# wire_move IF LOCAL REMOTE NLOCAL NREMOTE ILOCAL IREMOTE: migrate both
# policies and their SAs over IF (netlink or pfkey), each result on a
# line, then route IREMOTE through NREMOTE
wire_move()
{
	_pf=
	[ "$1" = pfkey ] && _pf=--pfkey
	shift
	$MIG send $_pf --sel "$5/32,$6/32" --dir out \
		--m "esp,tunnel,1,$1,$2,$3,$4" --km "$3,$4"
	$MIG send $_pf --sel "$6/32,$5/32" --dir in \
		--m "esp,tunnel,2,$2,$1,$4,$3" --km "$3,$4"
	ip route replace "$6/32" via "$4" src "$5"
}
