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
	    ipsec_xfrm_policy_type_put(skb) ||
	    ipsec_xfrm_policy_mark_put(skb, pol)) {
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
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	if (!ipsec_xfrm_nl_listening(in, XFRMNLGRP_POLICY))
		return;
	skb = nlmsg_new(nla_total_size(sizeof(struct xfrm_userpolicy_type)),
			GFP_KERNEL);
	if (!skb)
		return;
	nlh = nlmsg_put(skb, portid, seq, XFRM_MSG_FLUSHPOLICY, 0, 0);
	if (!nlh || ipsec_xfrm_policy_type_put(skb)) {
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

/* ---- the kernel's own events, to XFRM listeners ---- */

/* RFC 2367 3.1.7's EXPIRE as xfrm_user sends it: the SA and "hard". */
void ipsec_xfrm_nl_expire(const struct ipsec_sa *sa, bool hard)
{
	struct xfrm_user_expire *ue;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	if (!ipsec_xfrm_nl_listening(sa->in, XFRMNLGRP_EXPIRE))
		return;
	skb = nlmsg_new(sizeof(*ue) + nla_total_size(sizeof(sa->mark)),
			GFP_ATOMIC);
	if (!skb)
		return;
	nlh = nlmsg_put(skb, 0, 0, XFRM_MSG_EXPIRE, sizeof(*ue), 0);
	if (!nlh || ipsec_xfrm_mark_put(skb, &sa->mark)) {
		kfree_skb(skb);
		return;
	}
	ue = nlmsg_data(nlh);
	memset(ue, 0, sizeof(*ue));
	ipsec_xfrm_sa_info(&ue->state, sa);
	ue->hard = hard;
	nlmsg_end(skb, nlh);
	ipsec_xfrm_nl_multicast(sa->in, skb, XFRMNLGRP_EXPIRE, GFP_ATOMIC);
}

/* A policy's hard lifetime ran out (KAME's SPDEXPIRE). */
void ipsec_xfrm_nl_polexpire(const struct ipsec_policy *pol)
{
	struct xfrm_user_polexpire *pe;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	if (!ipsec_xfrm_nl_listening(pol->in, XFRMNLGRP_EXPIRE))
		return;
	skb = nlmsg_new(ipsec_xfrm_policy_msg_len(pol) + sizeof(*pe),
			GFP_KERNEL);
	if (!skb)
		return;
	nlh = nlmsg_put(skb, 0, 0, XFRM_MSG_POLEXPIRE, sizeof(*pe), 0);
	if (!nlh)
		goto err;
	pe = nlmsg_data(nlh);
	memset(pe, 0, sizeof(*pe));
	ipsec_xfrm_policy_info(&pe->pol, pol);
	pe->hard = 1;
	if (ipsec_xfrm_policy_tmpls(skb, pol) ||
	    ipsec_xfrm_policy_type_put(skb) ||
	    ipsec_xfrm_policy_mark_put(skb, pol))
		goto err;
	nlmsg_end(skb, nlh);
	ipsec_xfrm_nl_multicast(pol->in, skb, XFRMNLGRP_EXPIRE, GFP_KERNEL);
	return;
err:
	kfree_skb(skb);
}

/* NAT-T: an SA's peer now comes from another address or port. */
void ipsec_xfrm_nl_mapping(const struct ipsec_sa *sa,
			   const xfrm_address_t *saddr, __be16 sport)
{
	struct xfrm_user_mapping *um;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	if (!ipsec_xfrm_nl_listening(sa->in, XFRMNLGRP_MAPPING))
		return;
	skb = nlmsg_new(sizeof(*um), GFP_ATOMIC);
	if (!skb)
		return;
	nlh = nlmsg_put(skb, 0, 0, XFRM_MSG_MAPPING, sizeof(*um), 0);
	if (!nlh) {
		kfree_skb(skb);
		return;
	}
	um = nlmsg_data(nlh);
	memset(um, 0, sizeof(*um));
	um->id.daddr = sa->id.daddr;
	um->id.spi = sa->id.spi;
	um->id.family = sa->id.family;
	um->id.proto = sa->id.proto;
	um->reqid = sa->reqid;
	um->old_saddr = sa->rid.saddr;
	um->old_sport = sa->natt_sport;
	um->new_saddr = *saddr;
	um->new_sport = sport;
	nlmsg_end(skb, nlh);
	ipsec_xfrm_nl_multicast(sa->in, skb, XFRMNLGRP_MAPPING, GFP_ATOMIC);
}

/* The packet's flow as a selector of full prefixes, as xfrm's acquire. */
static void ipsec_xfrm_flow_sel(struct xfrm_selector *x,
				const struct ipsec_flow *f)
{
	memset(x, 0, sizeof(*x));
	x->family = f->family;
	x->saddr = f->saddr;
	x->daddr = f->daddr;
	x->prefixlen_s = f->family == AF_INET ? 32 : 128;
	x->prefixlen_d = x->prefixlen_s;
	x->proto = f->proto;
	x->sport = f->sport;
	x->sport_mask = f->sport ? htons(0xffff) : 0;
	x->dport = f->dport;
	x->dport_mask = f->dport ? htons(0xffff) : 0;
}

/* A packet needs an SA that is not there: request idx of pol. Key
 * managers answer with ALLOCSPI/NEWSA carrying seq, and find the policy
 * by policy.index and the reqid in the templates.
 */
void ipsec_xfrm_nl_acquire(struct ipsec_net *in,
			   const struct ipsec_policy *pol, unsigned int idx,
			   const struct ipsec_sa_rid *rid,
			   const struct ipsec_flow *flow, u32 seq)
{
	struct xfrm_user_acquire *ua;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = nlmsg_new(sizeof(*ua) + ipsec_xfrm_policy_msg_len(pol),
			GFP_ATOMIC);
	if (!skb)
		return;
	nlh = nlmsg_put(skb, 0, 0, XFRM_MSG_ACQUIRE, sizeof(*ua), 0);
	if (!nlh)
		goto err;
	ua = nlmsg_data(nlh);
	memset(ua, 0, sizeof(*ua));
	ua->id.daddr = rid->daddr;
	ua->id.proto = rid->proto;
	ua->saddr = rid->saddr;
	ipsec_xfrm_flow_sel(&ua->sel, flow);
	ipsec_xfrm_policy_info(&ua->policy, pol);
	ua->aalgos = ~0U;
	ua->ealgos = ~0U;
	ua->calgos = ~0U;
	ua->seq = seq;
	if (ipsec_xfrm_policy_tmpls(skb, pol) ||
	    ipsec_xfrm_policy_type_put(skb) ||
	    ipsec_xfrm_policy_mark_put(skb, pol))
		goto err;
	nlmsg_end(skb, nlh);
	ipsec_xfrm_nl_multicast(in, skb, XFRMNLGRP_ACQUIRE, GFP_ATOMIC);
	return;
err:
	kfree_skb(skb);
}
