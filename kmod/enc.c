// SPDX-License-Identifier: GPL-2.0
/*
 * enc0: the device on which cleartext packets entering and leaving IPsec
 * are seen (OpenBSD's enc(4)). It carries raw IP with no link-layer
 * header, exists once in every namespace, belongs to the module (no
 * rtnl_link_ops: "ip link del" gets EOPNOTSUPP; NETNS_LOCAL: it cannot be
 * moved) and is not a route target: anything routed to it is dropped
 * and counted, and IPv6 autoconfiguration is off so it gets no routes.
 *
 * Outbound cleartext is shown to taps on enc0 after it passed netfilter
 * as leaving through enc0; inbound cleartext is received on enc0 (TCP
 * through GRO), so taps, netfilter (iifname "enc0") and routing see it
 * arrive there, a flow's segments merged as on any interface with GRO.
 */
#include <linux/if_arp.h>
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>
#include <net/gro_cells.h>
#include <net/ip.h>

#include "compat.h"
#include "enc.h"
#include "netns.h"

static netdev_tx_t ipsec_enc_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

/* enc0's private part: per-CPU GRO cells for what it receives */
static int ipsec_enc_dev_init(struct net_device *dev)
{
	int err;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	err = gro_cells_init(netdev_priv(dev), dev);
	if (err) {
		free_percpu(dev->tstats);
		dev->tstats = NULL;
	}
	return err;
}

static void ipsec_enc_dev_uninit(struct net_device *dev)
{
	gro_cells_destroy(netdev_priv(dev));
	free_percpu(dev->tstats);
}

static const struct net_device_ops ipsec_enc_netdev_ops = {
	.ndo_init = ipsec_enc_dev_init,
	.ndo_uninit = ipsec_enc_dev_uninit,
	.ndo_start_xmit = ipsec_enc_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
};

static void ipsec_enc_setup(struct net_device *dev)
{
	dev->netdev_ops = &ipsec_enc_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = 68;
	dev->max_mtu = IP_MAX_MTU;
	dev->flags = IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	ipsec_netdev_set_netns_local(dev);
	ipsec_netdev_set_lltx(dev);
	dev->needs_free_netdev = true;
}

/* Before the device goes up: no IPv6 link-local address (IPv6 itself
 * stays on, or decrypted IPv6 could not be received here), and no
 * reverse-path filter of its own: what arrives on enc0 was routed to
 * the real interface first.
 */
static void ipsec_enc_conf(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct in_device *in_dev = __in_dev_get_rtnl(dev);

	if (idev)
		idev->cnf.addr_gen_mode = IN6_ADDR_GEN_MODE_NONE;
	if (in_dev)
		IPV4_DEVCONF(in_dev->cnf, RP_FILTER) = 0;
}

/* Outbound cleartext that passed netfilter on enc0: counted and shown
 * to taps (tcpdump -i enc0) as sent. skb->data is at the IP header.
 * Under RCU; the LOCAL_OUT hook runs in process context, and the taps
 * and per-CPU counters expect bottom halves off, as in dev_queue_xmit().
 */
void ipsec_enc_tap_out(struct ipsec_net *in, struct sk_buff *skb)
{
	struct net_device *dev = READ_ONCE(in->enc_dev), *was = skb->dev;

	if (!dev)
		return;		/* the namespace is going */
	local_bh_disable();
	dev_sw_netstats_tx_add(dev, 1, skb->len);
	skb->dev = dev;
	dev_queue_xmit_nit(skb, dev);
	skb->dev = was;
	local_bh_enable();
}

/* TCP goes through GRO, as tunnels and XFRM's tunnel mode receive:
 * a flow's decrypted segments then go up the stack, or are forwarded,
 * together (11-18% fewer instructions per segment through gateways).
 * The rest is received as it is: GRO would only look for a flow to
 * merge a datagram with, and cost a small packet about 4% more.
 */
static bool ipsec_enc_gro(const struct sk_buff *skb, u8 family)
{
	if (family == AF_INET)
		return ip_hdr(skb)->protocol == IPPROTO_TCP;
	return ipv6_hdr(skb)->nexthdr == IPPROTO_TCP;
}

/* Inbound cleartext: received on @dev (enc0 or an XFRM interface, each
 * with its GRO cells @gro) as a fresh packet, shown to @tap's enc0 first
 * when not NULL. skb->data and the network header are at the IP header.
 * csum_ok: the transport checksum is not to be checked (it covers
 * addresses a NAT changed). keep_dst: the route skb holds (a reference,
 * not a noref one) stays its route, as XFRM's transport mode keeps the
 * ESP packet's; otherwise it is routed anew. Under RCU, bottom halves off.
 */
void ipsec_dev_receive(struct net_device *dev, struct gro_cells *gro,
		       struct sk_buff *skb, u8 family, bool csum_ok,
		       bool keep_dst, struct ipsec_net *tap)
{
	if (!keep_dst || skb_dst_is_noref(skb))
		skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb_clear_hash(skb);
	skb->dev = dev;
	skb->protocol = htons(family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	skb->pkt_type = PACKET_HOST;
	skb->ip_summed = csum_ok ? CHECKSUM_UNNECESSARY : CHECKSUM_NONE;
	skb_reset_network_header(skb);
	skb_reset_mac_header(skb);
	skb->mac_len = 0;
	memset(skb->cb, 0, sizeof(skb->cb));
	dev_sw_netstats_rx_add(dev, skb->len);
	if (tap)
		ipsec_enc_tap_in(tap, skb);
	if (ipsec_enc_gro(skb, family))
		gro_cells_receive(gro, skb);
	else
		netif_rx(skb);
}

/* Inbound cleartext: received on enc0. */
void ipsec_enc_receive(struct ipsec_net *in, struct sk_buff *skb, u8 family,
		       bool csum_ok)
{
	struct net_device *dev;

	/* may come from a crypto completion in process context: the per-CPU
	 * counters and the GRO cells want bottom halves off
	 */
	rcu_read_lock_bh();
	dev = READ_ONCE(in->enc_dev);
	if (!dev) {
		rcu_read_unlock_bh();
		kfree_skb(skb);		/* the namespace is going */
		return;
	}
	ipsec_dev_receive(dev, netdev_priv(dev), skb, family, csum_ok, false,
			  NULL);
	rcu_read_unlock_bh();
}

/* Inbound cleartext received on another device (an XFRM interface):
 * counted on enc0 and shown to the taps bound to enc0 (tcpdump -i enc0)
 * as received there, so enc0 still sees every cleartext packet once.
 * skb is as ipsec_dev_receive() leaves it before it goes up. Under RCU,
 * bottom halves off.
 */
void ipsec_enc_tap_in(struct ipsec_net *in, struct sk_buff *skb)
{
	struct net_device *dev = READ_ONCE(in->enc_dev), *was = skb->dev;
	struct packet_type *pt;

	if (!dev)
		return;		/* the namespace is going */
	dev_sw_netstats_rx_add(dev, skb->len);
	skb->dev = dev;
	list_for_each_entry_rcu(pt, &dev->ptype_all, list) {
		refcount_inc(&skb->users);	/* as the stack's taps get it */
		pt->func(skb, dev, pt, dev);
	}
	skb->dev = was;
}

int ipsec_enc_net_init(struct ipsec_net *in)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(sizeof(struct gro_cells), "enc0",
			   NET_NAME_PREDICTABLE, ipsec_enc_setup);
	if (!dev)
		return -ENOMEM;
	dev_net_set(dev, in->net);

	rtnl_lock();
	err = register_netdevice(dev);
	if (err) {
		rtnl_unlock();
		free_netdev(dev);
		return err;
	}
	ipsec_enc_conf(dev);
	err = dev_open(dev, NULL);
	if (err) {
		unregister_netdevice(dev);
		rtnl_unlock();
		return err;
	}
	in->enc_dev = dev;
	rtnl_unlock();
	return 0;
}

void ipsec_enc_net_exit(struct ipsec_net *in)
{
	struct net_device *dev = in->enc_dev;

	WRITE_ONCE(in->enc_dev, NULL);
	synchronize_net();	/* no reader still holds dev */
	rtnl_lock();
	unregister_netdevice(dev);
	rtnl_unlock();
}
