// SPDX-License-Identifier: GPL-2.0
/*
 * enc0: the device on which cleartext packets entering and leaving IPsec
 * are seen (OpenBSD's enc(4)). It carries raw IP with no link-layer
 * header, exists once in every namespace, belongs to the module (no
 * rtnl_link_ops: "ip link del" gets EOPNOTSUPP; NETNS_LOCAL: it cannot be
 * moved) and is not a route target: anything routed to it is dropped
 * and counted, and IPv6 autoconfiguration is off so it gets no routes.
 */
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>
#include <net/ip.h>

#include "enc.h"
#include "netns.h"

static netdev_tx_t ipsec_enc_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static int ipsec_enc_dev_init(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	return dev->tstats ? 0 : -ENOMEM;
}

static void ipsec_enc_dev_uninit(struct net_device *dev)
{
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
	dev->features |= NETIF_F_NETNS_LOCAL | NETIF_F_LLTX;
	dev->needs_free_netdev = true;
}

/* Keep addrconf away before the device goes up: no link-local address,
 * no fe80::/64 or multicast route through enc0.
 */
static void ipsec_enc_no_addrconf(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);

	if (idev)
		idev->cnf.disable_ipv6 = 1;
}

int ipsec_enc_net_init(struct ipsec_net *in)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(0, "enc0", NET_NAME_PREDICTABLE, ipsec_enc_setup);
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
	ipsec_enc_no_addrconf(dev);
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
	rtnl_lock();
	unregister_netdevice(in->enc_dev);
	in->enc_dev = NULL;
	rtnl_unlock();
}
