// SPDX-License-Identifier: GPL-2.0
/*
 * The NETLINK_XFRM socket: one kernel socket per namespace, requests
 * dispatched to the handlers of xfrm_nl_sa.c and xfrm_nl_spd.c, dumps
 * that resume across recvmsg() calls, and multicast to the groups of
 * <linux/xfrm.h>. As with xfrm_user, every request needs CAP_NET_ADMIN
 * in the namespace's user namespace, and so does joining a group (the
 * netlink core checks it at bind, without NL_CFG_F_NONROOT_RECV). The
 * legacy group bitmask of sockaddr_nl (XFRMGRP_*) is group n at bit
 * n - 1, which the netlink core maps for us.
 *
 * The kernel socket pointer is RCU-protected: SA timers and the packet
 * path send events from atomic context and may race a dying namespace.
 */
#include <linux/module.h>
#include <linux/netlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "netns.h"
#include "xfrm_nl.h"

typedef int (*ipsec_xfrm_doit)(struct ipsec_xfrm_req *req);

struct ipsec_xfrm_link {
	ipsec_xfrm_doit doit;
	int (*start)(struct netlink_callback *cb);
	int (*dump)(struct sk_buff *skb, struct netlink_callback *cb);
	int (*done)(struct netlink_callback *cb);
};

#define XMSGIDX(t)	((t) - XFRM_MSG_BASE)

static const struct ipsec_xfrm_link ipsec_xfrm_links[XFRM_NR_MSGTYPES] = {
	[XMSGIDX(XFRM_MSG_NEWSA)] = { .doit = ipsec_xfrm_nl_newsa },
	[XMSGIDX(XFRM_MSG_UPDSA)] = { .doit = ipsec_xfrm_nl_newsa },
	[XMSGIDX(XFRM_MSG_DELSA)] = { .doit = ipsec_xfrm_nl_delsa },
	[XMSGIDX(XFRM_MSG_GETSA)] = {
		.doit = ipsec_xfrm_nl_getsa,
		.start = ipsec_xfrm_nl_sa_dump_start,
		.dump = ipsec_xfrm_nl_sa_dump,
		.done = ipsec_xfrm_nl_sa_dump_done,
	},
	[XMSGIDX(XFRM_MSG_ALLOCSPI)] = { .doit = ipsec_xfrm_nl_allocspi },
	[XMSGIDX(XFRM_MSG_FLUSHSA)] = { .doit = ipsec_xfrm_nl_flushsa },
	[XMSGIDX(XFRM_MSG_GETSADINFO)] = { .doit = ipsec_xfrm_nl_getsadinfo },
	[XMSGIDX(XFRM_MSG_NEWAE)] = { .doit = ipsec_xfrm_nl_newae },
	[XMSGIDX(XFRM_MSG_GETAE)] = { .doit = ipsec_xfrm_nl_getae },
	[XMSGIDX(XFRM_MSG_NEWPOLICY)] = { .doit = ipsec_xfrm_nl_newpolicy },
	[XMSGIDX(XFRM_MSG_UPDPOLICY)] = { .doit = ipsec_xfrm_nl_newpolicy },
	[XMSGIDX(XFRM_MSG_DELPOLICY)] = { .doit = ipsec_xfrm_nl_delpolicy },
	[XMSGIDX(XFRM_MSG_GETPOLICY)] = {
		.doit = ipsec_xfrm_nl_delpolicy,	/* GET or DEL by type */
		.start = ipsec_xfrm_nl_policy_dump_start,
		.dump = ipsec_xfrm_nl_policy_dump,
		.done = ipsec_xfrm_nl_policy_dump_done,
	},
	[XMSGIDX(XFRM_MSG_FLUSHPOLICY)] = { .doit = ipsec_xfrm_nl_flushpolicy },
	[XMSGIDX(XFRM_MSG_GETSPDINFO)] = { .doit = ipsec_xfrm_nl_getspdinfo },
	[XMSGIDX(XFRM_MSG_NEWSPDINFO)] = { .doit = ipsec_xfrm_nl_newspdinfo },
	[XMSGIDX(XFRM_MSG_SETDEFAULT)] = { .doit = ipsec_xfrm_nl_setdefault },
	[XMSGIDX(XFRM_MSG_GETDEFAULT)] = { .doit = ipsec_xfrm_nl_getdefault },
};

static struct sock *ipsec_xfrm_nl_sock(const struct sk_buff *skb)
{
	return skb->sk;
}

static int ipsec_xfrm_nl_dump(struct sk_buff *skb, struct nlmsghdr *nlh,
			      const struct ipsec_xfrm_link *link,
			      struct netlink_ext_ack *extack)
{
	struct netlink_dump_control c = {
		.start = link->start,
		.dump = link->dump,
		.done = link->done,
	};

	return netlink_dump_start(ipsec_xfrm_nl_sock(skb), skb, nlh, &c);
}

static int ipsec_xfrm_nl_msg(struct sk_buff *skb, struct nlmsghdr *nlh,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *attrs[XFRMA_MAX + 1];
	const struct ipsec_xfrm_link *link;
	struct ipsec_xfrm_req req = {
		.in = ipsec_net(sock_net(skb->sk)),
		.skb = skb,
		.nlh = nlh,
		.attrs = attrs,
		.extack = extack,
	};
	u16 type = nlh->nlmsg_type;
	int hdrlen, err;

	if (type < XFRM_MSG_BASE || type > XFRM_MSG_MAX) {
		NL_SET_ERR_MSG(extack, "unknown XFRM message type");
		return -EINVAL;
	}
	link = &ipsec_xfrm_links[XMSGIDX(type)];
	if (!netlink_net_capable(skb, CAP_NET_ADMIN))
		return -EPERM;
	if (!link->doit) {
		NL_SET_ERR_MSG(extack,
			       "ipsec.ko does not take this XFRM message");
		return -EOPNOTSUPP;
	}
	if (link->dump && (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		return ipsec_xfrm_nl_dump(skb, nlh, link, extack);

	hdrlen = ipsec_xfrm_nl_hdrlen(type);
	if (nlh->nlmsg_len < nlmsg_msg_size(hdrlen)) {
		NL_SET_ERR_MSG(extack, "XFRM message shorter than its header");
		return -EINVAL;
	}
	err = ipsec_xfrm_nl_parse(nlh, hdrlen, attrs, extack);
	if (err)
		return err;
	return link->doit(&req);
}

static void ipsec_xfrm_nl_rcv(struct sk_buff *skb)
{
	netlink_rcv_skb(skb, ipsec_xfrm_nl_msg);
}

int ipsec_xfrm_nl_unicast(const struct ipsec_xfrm_req *req,
			  struct sk_buff *skb)
{
	return nlmsg_unicast(ipsec_xfrm_nl_sock(req->skb), skb,
			     ipsec_xfrm_req_portid(req));
}

bool ipsec_xfrm_nl_listening(struct ipsec_net *in, u32 group)
{
	struct sock *nlsk;
	bool ret = false;

	rcu_read_lock();
	nlsk = rcu_dereference(in->xfrm_nl);
	if (nlsk)
		ret = netlink_has_listeners(nlsk, group);
	rcu_read_unlock();
	return ret;
}

/* Consumes skb. A listener whose buffer is full misses the event and
 * its socket says so (ENOBUFS on its next recvmsg), as with xfrm_user.
 */
void ipsec_xfrm_nl_multicast(struct ipsec_net *in, struct sk_buff *skb,
			     u32 group, gfp_t gfp)
{
	struct sock *nlsk;

	rcu_read_lock();
	nlsk = rcu_dereference(in->xfrm_nl);
	if (nlsk)
		nlmsg_multicast(nlsk, skb, 0, group, gfp);
	else
		kfree_skb(skb);
	rcu_read_unlock();
}

int ipsec_xfrm_nl_net_init(struct ipsec_net *in)
{
	struct netlink_kernel_cfg cfg = {
		.groups = XFRMNLGRP_MAX,
		.input = ipsec_xfrm_nl_rcv,
	};
	struct sock *nlsk;
	int dir;

	for (dir = 0; dir < XFRM_POLICY_MAX; dir++)
		in->xfrm_default[dir] = XFRM_USERPOLICY_ACCEPT;
	/* xfrm_user keeps its socket in net->xfrm.nlsk: if it is there,
	 * NETLINK_XFRM belongs to it in this namespace
	 */
	if (rcu_access_pointer(in->net->xfrm.nlsk))
		goto busy;
	nlsk = netlink_kernel_create(in->net, NETLINK_XFRM, &cfg);
	if (!nlsk)
		goto busy;
	rcu_assign_pointer(in->xfrm_nl, nlsk);
	return 0;

busy:
	pr_err("NETLINK_XFRM is already taken, most likely by xfrm_user: unload it with 'modprobe -r xfrm_user' or keep it from loading with 'blacklist xfrm_user' in /etc/modprobe.d (make install does this)\n");
	return -EBUSY;
}

void ipsec_xfrm_nl_net_exit(struct ipsec_net *in)
{
	struct sock *nlsk = rcu_dereference_protected(in->xfrm_nl, true);

	RCU_INIT_POINTER(in->xfrm_nl, NULL);
	synchronize_net();		/* no event is being sent with it */
	netlink_kernel_release(nlsk);
}
