#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-also: 6.12
# Module lifecycle: load/unload, enc0 in every namespace, namespaces dying
# while loaded, unload with namespaces alive, no leaked objects.
. "$(dirname "$0")/lib/lib.sh"
require_module
ktap_begin

ipsec_unload 2>/dev/null
ip netns add before

n=0
i=0
while [ $i -lt 20 ]; do
	insmod "$MODULE" && rmmod ipsec && n=$((n + 1))
	i=$((i + 1))
done
check_eq "load and unload 20 times in a row" 20 "$n"

ipsec_load
check "enc0 exists in the initial namespace" ip link show dev enc0
check "enc0 is up" sh -c 'ip -o link show dev enc0 | grep -q "[<,]UP[,>]"'
check "enc0 carries raw IP (no link-layer header)" \
	sh -c 'ip -o link show dev enc0 | grep -q "link/none"'
check_eq "enc0 has no IPv6 address" "" "$(ip -6 -o addr show dev enc0)"
# IPv6 stays enabled on enc0 so decrypted IPv6 can be received there; the
# kernel then adds its ff00::/8 multicast route, which routes no unicast.
check_eq "no unicast route points at enc0" "" \
	"$(ip -4 route show table all dev enc0
	   ip -6 route show table all dev enc0 | grep -v '^multicast ff00::/8 ')"
check "enc0 exists in a namespace created before load" \
	ip -n before link show dev enc0
ip netns add after
check "enc0 exists in a namespace created after load" \
	ip -n after link show dev enc0
check_fails "the user cannot delete enc0" ip link del enc0
check_fails "enc0 cannot move to another namespace" \
	ip link set enc0 netns after
check "enc0 is still there after both attempts" ip link show dev enc0

# Anything routed to enc0 is dropped and counted, never sent.
ip -n after route add 198.51.100.0/24 dev enc0
tx0=$(ip netns exec after cat /sys/class/net/enc0/statistics/tx_dropped)
ip netns exec after ping -c 2 -W 1 -i 0.2 198.51.100.1 >/dev/null 2>&1
tx1=$(ip netns exec after cat /sys/class/net/enc0/statistics/tx_dropped)
check_eq "packets routed to enc0 are dropped and counted" 2 $((tx1 - tx0))

i=0
while [ $i -lt 8 ]; do
	ip netns add "tmp$i"
	i=$((i + 1))
done
ok=1
i=0
while [ $i -lt 8 ]; do
	ip -n "tmp$i" link show dev enc0 >/dev/null 2>&1 || ok=0
	ip netns del "tmp$i"
	i=$((i + 1))
done
check_eq "8 namespaces created and deleted while loaded" 1 "$ok"

check "unload while namespaces exist" rmmod ipsec
check_fails "enc0 is gone from those namespaces" ip -n after link show enc0
check_fails "/proc/net/ipsec is gone" test -e /proc/net/ipsec
check_fails "net.ipsec sysctls are gone" test -e /proc/sys/net/ipsec
check "reload" insmod "$MODULE"
check "enc0 is back in a namespace that outlived the module" \
	ip -n after link show dev enc0
ip netns del before
ip netns del after
rmmod ipsec

# Leaks: the module's kmem_caches (ipsec_sa ...) are destroyed at rmmod,
# and kmem_cache_destroy() warns if any object is still allocated; the
# guest boots with slab_nomerge so each cache is its own. (Comparing
# /proc/slabinfo totals across cycles is too noisy under SLUB to mean
# anything: per-CPU slabs count as fully used.)
cycle()
{
	insmod "$MODULE" && ip netns add leak1 && ip netns add leak2 &&
		ip netns del leak1 && rmmod ipsec && ip netns del leak2
}
cycles=40
i=0
while [ $i -lt $cycles ]; do
	cycle || break
	i=$((i + 1))
done
check_eq "$cycles load/namespace/unload cycles" $cycles $i
check_eq "no ipsec kmem_cache survives unload" "" \
	"$(awk '$1 ~ /^ipsec/ { print $1 }' /proc/slabinfo)"
check_fails "no kmem_cache_destroy complaint" \
	sh -c 'dmesg | grep -q "still has objects"'

ktap_end
