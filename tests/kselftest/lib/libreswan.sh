#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# libreswan as Debian ships it, for the tests. Debian's libreswan
# conflicts with strongSwan, so scripts/install-deps does not install it:
# it unpacks the .deb (dpkg -x) into LSW_ROOT. pluto looks for its helpers
# (addconn, whack, _updown) in /usr/libexec/ipsec; a guest's root is the
# host's, read-only over 9p, so lsw_mount lays the unpacked tree over
# /usr/libexec with a read-only overlay. Source it after lib.sh.

LSW_ROOT=${LSW_ROOT:-/var/cache/ipsec-test/libreswan/root}
LSW_EXEC=/usr/libexec/ipsec

# lsw_available: the unpacked pluto is there and its libraries load
lsw_available()
{
	[ -x "$LSW_ROOT$LSW_EXEC/pluto" ] &&
		! ldd "$LSW_ROOT$LSW_EXEC/pluto" 2>/dev/null | grep -q 'not found'
}

# lsw_mount: make the unpacked helpers visible in /usr/libexec/ipsec
lsw_mount()
{
	[ -x "$LSW_EXEC/pluto" ] && return 0
	mount -t overlay overlay \
		-o "lowerdir=/usr/libexec:$LSW_ROOT/usr/libexec" /usr/libexec
}

# lsw_start DIR CONF SECRETS: an NSS database in DIR/nss, pluto with its
# control socket in DIR/run and its log in DIR/pluto.log, in the current
# network namespace (ip netns exec works around it)
lsw_start()
{
	mkdir -p "$1/nss" "$1/run"
	certutil -N -d "sql:$1/nss" --empty-password || return 1
	"$LSW_EXEC/pluto" --config "$2" --secretsfile "$3" --rundir "$1/run" \
		--nssdir "$1/nss" --ipsecdir "$1" --logfile "$1/pluto.log" || return 1
	wait_until 30 test -S "$1/run/pluto.ctl"
}

# lsw_whack DIR ARG...: whack pluto's control socket in DIR/run
lsw_whack()
{
	_d=$1
	shift
	"$LSW_EXEC/whack" --ctlsocket "$_d/run/pluto.ctl" "$@"
}

# lsw_add DIR CONF NAME...: load connections as `ipsec auto --add` does
lsw_add()
{
	_d=$1 _c=$2
	shift 2
	for _n in "$@"; do
		"$LSW_EXEC/addconn" --config "$_c" \
			--ctlsocket "$_d/run/pluto.ctl" "$_n" || return 1
	done
}

# lsw_stop DIR: pluto exits
lsw_stop()
{
	lsw_whack "$1" --shutdown >/dev/null 2>&1
	wait_until 20 sh -c "! test -S '$1/run/pluto.ctl'"
}
