// SPDX-License-Identifier: GPL-2.0
/*
 * Announcements on both interfaces, as stock Linux makes them between
 * af_key and xfrm_user: a change made over XFRM netlink is broadcast to
 * PF_KEY sockets, one made over PF_KEY is multicast to the XFRM groups,
 * and the kernel's own events (EXPIRE, ACQUIRE, POLEXPIRE, MAPPING) go
 * to both. Keys are never part of an event (xfrm_user sends them with
 * NEWSA; here algorithms are named with a key length of 0).
 *
 * Multicasts are built only when someone listens to the group.
 */
#include <linux/ipsec.h>

#include "netns.h"
#include "pfkey.h"
#include "xfrm_nl.h"

/* ---- to XFRM listeners ---- */

/* DELSA: the SA's id, then the whole SA in XFRMA_SA, as xfrm_user. */
static int ipsec_xfrm_delsa_fill(struct sk_buff *skb,
				 const struct ipsec_sa *sa, u32 seq,
				 u32 portid)
{
	struct xfrm_usersa_id *id;
	struct nlmsghdr *nlh;
	struct nlattr *nla;

	nlh = nlmsg_put(skb, portid, seq, XFRM_MSG_DELSA, sizeof(*id), 0);
	if (!nlh)
		return -EMSGSIZE;
	id = nlmsg_data(nlh);
	memset(id, 0, sizeof(*id));
	id->daddr = sa->id.daddr;
	id->spi = sa->id.spi;
	id->family = sa->id.family;
	id->proto = sa->id.proto;
	nla = nla_reserve(skb, XFRMA_SA, sizeof(struct xfrm_usersa_info));
	if (!nla || ipsec_xfrm_sa_attrs(skb, sa, 0)) {
		nlmsg_cancel(skb, nlh);
		return -EMSGSIZE;
	}
	ipsec_xfrm_sa_info(nla_data(nla), sa);
	nlmsg_end(skb, nlh);
	return 0;
}

void ipsec_xfrm_nl_sa_event(const struct ipsec_sa *sa, u16 type, u32 seq,
			    u32 portid)
{
	struct ipsec_net *in = sa->in;
	struct sk_buff *skb;
	int err;

	if (!ipsec_xfrm_nl_listening(in, XFRMNLGRP_SA))
		return;
	skb = nlmsg_new(ipsec_xfrm_sa_msg_len(sa, 0) +
			nla_total_size(sizeof(struct xfrm_usersa_info)),
			GFP_KERNEL);
	if (!skb)
		return;
	if (type == XFRM_MSG_DELSA)
		err = ipsec_xfrm_delsa_fill(skb, sa, seq, portid);
	else
		err = ipsec_xfrm_sa_fill(skb, sa, type, portid, seq, 0, 0);
	if (err) {
		kfree_skb(skb);
		return;
	}
	ipsec_xfrm_nl_multicast(in, skb, XFRMNLGRP_SA, GFP_KERNEL);
}

void ipsec_xfrm_nl_sa_flush_event(struct ipsec_net *in, u8 proto, u32 seq,
				  u32 portid)
{
	struct xfrm_usersa_flush *f;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	if (!ipsec_xfrm_nl_listening(in, XFRMNLGRP_SA))
		return;
	skb = nlmsg_new(sizeof(*f), GFP_KERNEL);
	if (!skb)
		return;
	nlh = nlmsg_put(skb, portid, seq, XFRM_MSG_FLUSHSA, sizeof(*f), 0);
	if (!nlh) {
		kfree_skb(skb);
		return;
	}
	f = nlmsg_data(nlh);
	memset(f, 0, sizeof(*f));
	f->proto = proto;
	nlmsg_end(skb, nlh);
	ipsec_xfrm_nl_multicast(in, skb, XFRMNLGRP_SA, GFP_KERNEL);
}

/* DELPOLICY: the policy's id, then the policy in XFRMA_POLICY. */
static int ipsec_xfrm_delpolicy_fill(struct sk_buff *skb,
				     const struct ipsec_policy *pol, u32 seq,
				     u32 portid)
{
	struct xfrm_userpolicy_type upt = { .type = XFRM_POLICY_TYPE_MAIN };
	struct xfrm_userpolicy_info info;
	struct xfrm_userpolicy_id *id;
	struct nlmsghdr *nlh;

	nlh = nlmsg_put(skb, portid, seq, XFRM_MSG_DELPOLICY, sizeof(*id), 0);
	if (!nlh)
		return -EMSGSIZE;
	ipsec_xfrm_policy_info(&info, pol);
	id = nlmsg_data(nlh);
	memset(id, 0, sizeof(*id));
	id->sel = info.sel;
	id->index = info.index;
	id->dir = info.dir;
	if (nla_put(skb, XFRMA_POLICY, sizeof(info), &info) ||
	    ipsec_xfrm_policy_tmpls(skb, pol) ||
	    nla_put(skb, XFRMA_POLICY_TYPE, sizeof(upt), &upt)) {
		nlmsg_cancel(skb, nlh);
		return -EMSGSIZE;
	}
	nlmsg_end(skb, nlh);
	return 0;
}

void ipsec_xfrm_nl_policy_event(const struct ipsec_policy *pol, u16 type,
				u32 seq, u32 portid)
{
	struct ipsec_net *in = pol->in;
	struct sk_buff *skb;
	int err;

	if (!ipsec_xfrm_nl_listening(in, XFRMNLGRP_POLICY))
		return;
	skb = nlmsg_new(ipsec_xfrm_policy_msg_len(pol) +
			nla_total_size(sizeof(struct xfrm_userpolicy_info)),
			GFP_KERNEL);
	if (!skb)
		return;
	if (type == XFRM_MSG_DELPOLICY)
		err = ipsec_xfrm_delpolicy_fill(skb, pol, seq, portid);
	else
		err = ipsec_xfrm_policy_fill(skb, pol, type, portid, seq, 0);
	if (err) {
		kfree_skb(skb);
		return;
	}
	ipsec_xfrm_nl_multicast(in, skb, XFRMNLGRP_POLICY, GFP_KERNEL);
}

void ipsec_xfrm_nl_policy_flush_event(struct ipsec_net *in, u32 seq,
				      u32 portid)
{
	struct xfrm_userpolicy_type upt = { .type = XFRM_POLICY_TYPE_MAIN };
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	if (!ipsec_xfrm_nl_listening(in, XFRMNLGRP_POLICY))
		return;
	skb = nlmsg_new(nla_total_size(sizeof(upt)), GFP_KERNEL);
	if (!skb)
		return;
	nlh = nlmsg_put(skb, portid, seq, XFRM_MSG_FLUSHPOLICY, 0, 0);
	if (!nlh || nla_put(skb, XFRMA_POLICY_TYPE, sizeof(upt), &upt)) {
		kfree_skb(skb);
		return;
	}
	nlmsg_end(skb, nlh);
	ipsec_xfrm_nl_multicast(in, skb, XFRMNLGRP_POLICY, GFP_KERNEL);
}

/* ---- to PF_KEY sockets: what a netlink request changed ---- */

void ipsec_pfkey_tell_sa(const struct ipsec_sa *sa, u8 sadb_type, u32 seq)
{
	struct sk_buff *skb;

	skb = ipsec_pfkey_sa_msg(sa, sadb_type, seq, 0,
				 IPSEC_PFKEY_HARD | IPSEC_PFKEY_SOFT,
				 GFP_KERNEL);
	if (!skb) {
		atomic64_inc(&sa->in->pfkey_drops);
		return;
	}
	ipsec_pfkey_send(sa->in, skb, IPSEC_PFKEY_TO_ALL, sa->satype, NULL);
}

static void ipsec_pfkey_tell_hdr(struct ipsec_net *in, u8 type, u8 satype,
				 u32 seq)
{
	struct sk_buff *skb;

	skb = ipsec_pfkey_msg_alloc(sizeof(struct sadb_msg), GFP_KERNEL);
	if (!skb) {
		atomic64_inc(&in->pfkey_drops);
		return;
	}
	ipsec_pfkey_put_hdr(skb, type, satype, seq, 0);
	ipsec_pfkey_finish(skb);
	ipsec_pfkey_send(in, skb, IPSEC_PFKEY_TO_ALL, 0, NULL);
}

void ipsec_pfkey_tell_sa_flush(struct ipsec_net *in, u8 satype, u32 seq)
{
	ipsec_pfkey_tell_hdr(in, SADB_FLUSH, satype, seq);
}

void ipsec_pfkey_tell_policy(const struct ipsec_policy *pol, u8 sadb_type,
			     u32 seq)
{
	struct sk_buff *skb;

	skb = ipsec_pfkey_policy_msg(pol, sadb_type, seq, 0, GFP_KERNEL);
	if (!skb) {
		atomic64_inc(&pol->in->pfkey_drops);
		return;
	}
	ipsec_pfkey_send(pol->in, skb, IPSEC_PFKEY_TO_ALL, 0, NULL);
}

void ipsec_pfkey_tell_policy_flush(struct ipsec_net *in, u32 seq)
{
	ipsec_pfkey_tell_hdr(in, SADB_X_SPDFLUSH, SADB_SATYPE_UNSPEC, seq);
}
