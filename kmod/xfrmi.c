// SPDX-License-Identifier: GPL-2.0
/*
 * XFRM interfaces: the link kind "xfrm" of stock Linux's xfrm_interface
 * (IFLA_XFRM_LINK, IFLA_XFRM_IF_ID), on this module's SPD and SAD.
 *
 * A packet routed out of an interface is matched against the outbound
 * policies of the interface's if_id alone (every other packet sees only
 * those of if_id 0, spd_class.h), protected with SAs of that if_id and
 * sent to the tunnel's far end by the ordinary routing; without such a
 * policy and its SAs it is dropped and counted in tx_carrier_errors, as
 * stock counts a "link failure", and without a tunnel among its SAs
 * (transport mode) it is dropped as a routing loop, as stock's would
 * leave by the packet's own route, the interface. A packet decrypted by
 * an SA with an if_id is checked against the inbound (or forward)
 * policies of that if_id and received on the interface of that if_id
 * when one is up (input.c), else as any other on enc0; one such SA's
 * failures count as receive errors of that interface. enc0 still sees
 * each cleartext packet once: it taps (and counts) those of the
 * interfaces, which netfilter sees on the interface instead.
 *
 * The interfaces of a namespace are in ipsec_net.xfrmis: changed under
 * RTNL, read under RCU. An interface stays in its namespace (it cannot
 * be moved: stock's cross-namespace mode is not supported), and goes
 * with it, or with the module.
 */
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netdevice.h>
#include <linux/rculist.h>
#include <linux/rtnetlink.h>
#include <net/dst.h>
#include <net/gro_cells.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/l3mdev.h>
#include <net/rtnetlink.h>

#include "compat.h"
#include "enc.h"
#include "netns.h"
#include "output.h"
#include "policy.h"
#include "xfrmi.h"

struct ipsec_xfrmi {
	struct hlist_node node;		/* in->xfrmis: RTNL, RCU readers */
	struct net_device *dev;
	struct ipsec_net *in;
	u32 if_id;			/* written under RTNL, READ_ONCE() */
	u32 link;			/* IFLA_XFRM_LINK: the lower device */
	struct gro_cells gro;
};

static const struct net_device_ops ipsec_xfrmi_netdev_ops;
static struct rtnl_link_ops ipsec_xfrmi_link_ops;

bool ipsec_xfrmi_is(const struct net_device *dev)
{
	return dev && dev->netdev_ops == &ipsec_xfrmi_netdev_ops;
}

/* Under RCU or RTNL: the interface of @if_id, up or not. */
static struct ipsec_xfrmi *ipsec_xfrmi_find(struct ipsec_net *in, u32 if_id)
{
	struct ipsec_xfrmi *xi;

	hlist_for_each_entry_rcu(xi, &in->xfrmis, node, lockdep_rtnl_is_held())
		if (READ_ONCE(xi->if_id) == if_id)
			return xi;
	return NULL;
}

/* As stock, only an interface that is up receives. */
static struct ipsec_xfrmi *ipsec_xfrmi_find_up(struct ipsec_net *in, u32 if_id)
{
	struct ipsec_xfrmi *xi = ipsec_xfrmi_find(in, if_id);

	return xi && (READ_ONCE(xi->dev->flags) & IFF_UP) ? xi : NULL;
}

int ipsec_xfrmi_l3mdev(struct ipsec_net *in, u32 if_id)
{
	struct ipsec_xfrmi *xi;
	int link = 0;

	rcu_read_lock();
	xi = ipsec_xfrmi_find(in, if_id);
	if (xi)
		link = xi->link;
	rcu_read_unlock();
	return link ? l3mdev_master_ifindex_by_index(in->net, link) : 0;
}

bool ipsec_xfrmi_up_rcu(struct ipsec_net *in, u32 if_id)
{
	return if_id && ipsec_xfrmi_find_up(in, if_id);
}

/* Stock re-routes the inner packet of a tunnel, received on the
 * interface, but lets a transport SA's packet keep the ESP packet's
 * route (xfrm4_transport_finish()); a packet received through IPsec
 * meets no reverse path filter there (fib_validate_source() skips it
 * when a secpath exists), which a strict one on the interface would
 * fail: the source is the far end's own address, routed elsewhere.
 */
bool ipsec_xfrmi_receive(struct ipsec_net *in, struct sk_buff *skb,
			 u32 if_id, u8 family, bool csum_ok, bool transport)
{
	struct ipsec_xfrmi *xi;

	rcu_read_lock_bh();
	xi = ipsec_xfrmi_find_up(in, if_id);
	if (xi)
		ipsec_dev_receive(xi->dev, &xi->gro, skb, family, csum_ok,
				  transport, in);
	rcu_read_unlock_bh();
	return xi;
}

/* Stock's xfrm_input() drop path hands the packet to xfrmi_rcv_cb() with
 * an error once an SA is in its secpath: a bad ICV, a replay, an SA no
 * longer valid, a tunnel that does not decapsulate; the interface of the
 * SA's if_id, when up, counts it. A packet refused by a policy later is
 * not counted there, nor one for which no SA was found.
 */
void ipsec_xfrmi_rx_error(struct ipsec_net *in, u32 if_id)
{
	struct ipsec_xfrmi *xi;

	if (!if_id)
		return;
	rcu_read_lock();
	xi = ipsec_xfrmi_find_up(in, if_id);
	if (xi) {
		DEV_STATS_INC(xi->dev, rx_errors);
		DEV_STATS_INC(xi->dev, rx_dropped);
	}
	rcu_read_unlock();
}

/* A packet with no policy of the interface or no SA for it: stock's
 * "link failure", an ICMP unreachable to its source.
 */
static void ipsec_xfrmi_link_failure(struct net_device *dev,
				     struct sk_buff *skb)
{
	DEV_STATS_INC(dev, tx_carrier_errors);
	if (skb_dst(skb))
		dst_link_failure(skb);
}

/* Under RCU: the outbound policy of the interface's if_id, then IPsec. */
static netdev_tx_t ipsec_xfrmi_xmit(struct sk_buff *skb,
				    struct net_device *dev)
{
	struct ipsec_xfrmi *xi = netdev_priv(dev);
	struct ipsec_policy *pol;
	struct ipsec_flow flow;
	unsigned int len = skb->len, verdict = NF_DROP;
	u8 family;

	if (skb->protocol == htons(ETH_P_IP)) {
		family = AF_INET;
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		family = AF_INET6;
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	} else {
		goto drop;
	}
	if (ipsec_flow_from_skb(skb, family, &flow))
		goto drop;
	flow.if_id = READ_ONCE(xi->if_id);
	rcu_read_lock();
	pol = ipsec_spd_lookup_rcu(xi->in, IPSEC_DIR_OUTBOUND, &flow);
	if (pol && pol->action == IPSEC_POLICY_IPSEC && skb_dst(skb))
		verdict = ipsec_output_xfrmi(xi->in, skb, &flow, pol);
	rcu_read_unlock();
	if (verdict == NF_STOLEN) {
		dev_sw_netstats_tx_add(dev, 1, len);
		return NETDEV_TX_OK;
	}
	if (verdict == IPSEC_OUT_LOOP) {
		/* as stock: "Local routing loop detected!" */
		DEV_STATS_INC(dev, collisions);
		net_warn_ratelimited("%s: Local routing loop detected!\n",
				     dev->name);
		kfree_skb(skb);
	} else if (verdict != IPSEC_OUT_DROPPED) {
		ipsec_xfrmi_link_failure(dev, skb);
		kfree_skb(skb);
	}
	DEV_STATS_INC(dev, tx_errors);
	DEV_STATS_INC(dev, tx_dropped);
	return NETDEV_TX_OK;
drop:
	DEV_STATS_INC(dev, tx_errors);
	DEV_STATS_INC(dev, tx_dropped);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static int ipsec_xfrmi_dev_init(struct net_device *dev)
{
	struct ipsec_xfrmi *xi = netdev_priv(dev);
	int err;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	err = gro_cells_init(&xi->gro, dev);
	if (err) {
		free_percpu(dev->tstats);
		dev->tstats = NULL;
	}
	return err;
}

/* Under RTNL, as the device is unregistered: out of the namespace's
 * list; readers still walking it are done before the device is freed.
 */
static void ipsec_xfrmi_dev_uninit(struct net_device *dev)
{
	struct ipsec_xfrmi *xi = netdev_priv(dev);

	hlist_del_init_rcu(&xi->node);
	gro_cells_destroy(&xi->gro);
	free_percpu(dev->tstats);
	dev->tstats = NULL;
}

static int ipsec_xfrmi_get_iflink(const struct net_device *dev)
{
	const struct ipsec_xfrmi *xi = netdev_priv(dev);

	return xi->link;
}

static const struct net_device_ops ipsec_xfrmi_netdev_ops = {
	.ndo_init = ipsec_xfrmi_dev_init,
	.ndo_uninit = ipsec_xfrmi_dev_uninit,
	.ndo_start_xmit = ipsec_xfrmi_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
	.ndo_get_iflink = ipsec_xfrmi_get_iflink,
};

/* As stock's: raw IP, no ARP, an Ethernet-sized MTU. */
static void ipsec_xfrmi_setup(struct net_device *dev)
{
	dev->netdev_ops = &ipsec_xfrmi_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU;
	dev->flags = IFF_NOARP;
	ipsec_netdev_set_netns_local(dev);
	ipsec_netdev_set_lltx(dev);
	dev->needs_free_netdev = true;
	netif_keep_dst(dev);
}

static int ipsec_xfrmi_validate(struct nlattr *tb[], struct nlattr *data[],
				struct netlink_ext_ack *extack)
{
	if (data && data[IFLA_XFRM_COLLECT_METADATA]) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_XFRM_COLLECT_METADATA],
				    "external (collect_metadata) XFRM interfaces are not supported by ipsec.ko");
		return -EOPNOTSUPP;
	}
	return 0;
}

static void ipsec_xfrmi_parms(struct nlattr *data[], u32 *link, u32 *if_id)
{
	*link = data && data[IFLA_XFRM_LINK] ?
		nla_get_u32(data[IFLA_XFRM_LINK]) : 0;
	*if_id = data && data[IFLA_XFRM_IF_ID] ?
		 nla_get_u32(data[IFLA_XFRM_IF_ID]) : 0;
}

static int ipsec_xfrmi_newlink(struct net *src_net, struct net_device *dev,
			       struct nlattr *tb[], struct nlattr *data[],
			       struct netlink_ext_ack *extack)
{
	struct ipsec_xfrmi *xi = netdev_priv(dev);
	struct ipsec_net *in = ipsec_net(dev_net(dev));
	u32 link, if_id;
	int err;

	ipsec_xfrmi_parms(data, &link, &if_id);
	if (!if_id) {
		NL_SET_ERR_MSG(extack, "if_id must be non zero");
		return -EINVAL;
	}
	if (ipsec_xfrmi_find(in, if_id))
		return -EEXIST;
	xi->dev = dev;
	xi->in = in;
	xi->if_id = if_id;
	xi->link = link;
	err = register_netdevice(dev);
	if (err)
		return err;
	hlist_add_head_rcu(&xi->node, &in->xfrmis);
	return 0;
}

/* As stock: the if_id may change, the lower device not. */
static int ipsec_xfrmi_changelink(struct net_device *dev, struct nlattr *tb[],
				  struct nlattr *data[],
				  struct netlink_ext_ack *extack)
{
	struct ipsec_xfrmi *xi = netdev_priv(dev), *other;
	u32 link, if_id;

	ipsec_xfrmi_parms(data, &link, &if_id);
	if (!if_id) {
		NL_SET_ERR_MSG(extack, "if_id must be non zero");
		return -EINVAL;
	}
	other = ipsec_xfrmi_find(xi->in, if_id);
	if (other && other != xi)
		return -EEXIST;
	if (link != xi->link)
		return -EINVAL;
	WRITE_ONCE(xi->if_id, if_id);
	netdev_state_change(dev);
	return 0;
}

static size_t ipsec_xfrmi_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u32)) +	/* IFLA_XFRM_LINK */
	       nla_total_size(sizeof(u32));	/* IFLA_XFRM_IF_ID */
}

static int ipsec_xfrmi_fill_info(struct sk_buff *skb,
				 const struct net_device *dev)
{
	const struct ipsec_xfrmi *xi = netdev_priv(dev);

	if (nla_put_u32(skb, IFLA_XFRM_LINK, xi->link) ||
	    nla_put_u32(skb, IFLA_XFRM_IF_ID, READ_ONCE(xi->if_id)))
		return -EMSGSIZE;
	return 0;
}

static const struct nla_policy ipsec_xfrmi_policy[IFLA_XFRM_MAX + 1] = {
	[IFLA_XFRM_LINK] = { .type = NLA_U32 },
	[IFLA_XFRM_IF_ID] = { .type = NLA_U32 },
	[IFLA_XFRM_COLLECT_METADATA] = { .type = NLA_FLAG },
};

static struct rtnl_link_ops ipsec_xfrmi_link_ops = {
	.kind = "xfrm",
	.maxtype = IFLA_XFRM_MAX,
	.policy = ipsec_xfrmi_policy,
	.priv_size = sizeof(struct ipsec_xfrmi),
	.setup = ipsec_xfrmi_setup,
	.validate = ipsec_xfrmi_validate,
	.newlink = ipsec_xfrmi_newlink,
	.changelink = ipsec_xfrmi_changelink,
	.get_size = ipsec_xfrmi_get_size,
	.fill_info = ipsec_xfrmi_fill_info,
};

void ipsec_xfrmi_net_exit(struct ipsec_net *in)
{
	struct ipsec_xfrmi *xi;
	LIST_HEAD(list);

	rtnl_lock();
	hlist_for_each_entry(xi, &in->xfrmis, node)
		unregister_netdevice_queue(xi->dev, &list);
	unregister_netdevice_many(&list);
	rtnl_unlock();
}

/* The kind is stock xfrm_interface's: only one of us may hold it. */
int ipsec_xfrmi_init(void)
{
	int err = rtnl_link_register(&ipsec_xfrmi_link_ops);

	if (err == -EEXIST) {
		pr_err("the link kind xfrm is already taken, most likely by xfrm_interface: unload it with 'modprobe -r xfrm_interface' or keep it from loading with 'blacklist xfrm_interface' in /etc/modprobe.d (make install does this)\n");
		return -EBUSY;
	}
	return err;
}

/* Deletes every interface, in every namespace. */
void ipsec_xfrmi_uninit(void)
{
	rtnl_link_unregister(&ipsec_xfrmi_link_ops);
}
