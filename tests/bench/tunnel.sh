#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The ESP benchmark's topologies, sourced by esp.sh and the keying
# scripts: two gateways in namespaces a and b joined by a veth, each with
# a network behind it on lo, and the tunnel between the networks; or the
# same with the hosts of those networks in namespaces of their own.
#
#   10.1.0.1 (lo) a 192.0.2.1 ==veth== 192.0.2.2 b (lo) 10.2.0.1
# The variables are for the scripts that source this file.
# shellcheck disable=SC2034

A_GW=192.0.2.1
B_GW=192.0.2.2
A_NET=10.1.0.0/24
B_NET=10.2.0.0/24
A_HOST=10.1.0.1
B_HOST=10.2.0.1
# SPIs of the two directions
SPI_AB=0x1001
SPI_BA=0x1002
# keys: AES-GCM-16 is 128 bits of key and 32 of salt (RFC 4106)
GCM_KEY=0x00112233445566778899aabbccddeeff01020304
CBC_KEY=0x000102030405060708090a0b0c0d0e0f
SHA_KEY=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
REPLAY=32

tunnel_up()
{
	ip netns add a
	ip netns add b
	ip link add veth_a netns a type veth peer name veth_b netns b
	ip -n a addr add "$A_GW/24" dev veth_a
	ip -n b addr add "$B_GW/24" dev veth_b
	ip -n a addr add "$A_HOST/24" dev lo
	ip -n b addr add "$B_HOST/24" dev lo
	for ns in a b; do
		ip -n $ns link set lo up
		ip -n $ns link set veth_$ns up
	done
	ip -n a route add "$B_NET" via "$B_GW"
	ip -n b route add "$A_NET" via "$A_GW"
}

tunnel_down()
{
	ip netns del a
	ip netns del b
}

# The gateway topology (the esp.gw rows): the same tunnel, but the hosts
# are namespaces of their own, c behind a and s behind b, each on a veth,
# so that a and b forward what the tunnel carries:
#
#   10.1.0.1 c ==veth== a 192.0.2.1 ==veth== 192.0.2.2 b ==veth== s 10.2.0.1
A_LAN=10.1.0.254
B_LAN=10.2.0.254

gw_up()
{
	ip netns add a
	ip netns add b
	ip netns add c
	ip netns add s
	ip link add veth_a netns a type veth peer name veth_b netns b
	ip link add veth_ac netns a type veth peer name veth_c netns c
	ip link add veth_bs netns b type veth peer name veth_s netns s
	ip -n a addr add "$A_GW/24" dev veth_a
	ip -n b addr add "$B_GW/24" dev veth_b
	ip -n a addr add "$A_LAN/24" dev veth_ac
	ip -n b addr add "$B_LAN/24" dev veth_bs
	ip -n c addr add "$A_HOST/24" dev veth_c
	ip -n s addr add "$B_HOST/24" dev veth_s
	for ns in a b c s; do
		ip -n $ns link set lo up
	done
	for l in a:veth_a a:veth_ac b:veth_b b:veth_bs c:veth_c s:veth_s; do
		ip -n "${l%%:*}" link set "${l#*:}" up
	done
	ip netns exec a sysctl -qw net.ipv4.ip_forward=1
	ip netns exec b sysctl -qw net.ipv4.ip_forward=1
	ip -n a route add "$B_NET" via "$B_GW"
	ip -n b route add "$A_NET" via "$A_GW"
	ip -n c route add default via "$A_LAN"
	ip -n s route add default via "$B_LAN"
}

gw_down()
{
	for ns in a b c s; do
		ip netns del $ns
	done
}
