// SPDX-License-Identifier: GPL-2.0
/*
 * The XFRM policy messages: NEWPOLICY, UPDPOLICY, DELPOLICY, GETPOLICY
 * (by selector and direction or by index; one or a dump), FLUSHPOLICY,
 * GETSPDINFO, NEWSPDINFO, SETDEFAULT and GETDEFAULT. Policies are those
 * of the SPD PF_KEY
 * manages (spd.c); an index is the policy's id with XFRM's direction
 * numbering in its low 3 bits (xfrm_nl_convert.c).
 */
#include <linux/ipsec.h>
#include <linux/slab.h>

#include "hooks.h"
#include "netns.h"
#include "pfkey.h"
#include "xfrm_nl.h"

static u32 ipsec_xfrm_req_seq(const struct ipsec_xfrm_req *req)
{
	return req->nlh->nlmsg_seq;
}

int ipsec_xfrm_nl_newpolicy(struct ipsec_xfrm_req *req)
{
	const struct xfrm_userpolicy_info *p = nlmsg_data(req->nlh);
	bool update = req->nlh->nlmsg_type == XFRM_MSG_UPDPOLICY;
	struct ipsec_policy *pol;
	int err;

	pol = ipsec_policy_alloc(req->in, GFP_KERNEL);
	if (!pol)
		return -ENOMEM;
	err = ipsec_xfrm_to_policy(req, p, pol);
	if (err)
		goto out;
	ipsec_policy_hold(pol);		/* the tables get one */
	err = ipsec_policy_insert(pol, update);
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG(req->extack,
				       "a policy with this selector and direction exists");
		ipsec_policy_put(pol);
		goto out;
	}
	ipsec_xfrm_nl_policy_event(pol, req->nlh->nlmsg_type,
				   ipsec_xfrm_req_seq(req),
				   ipsec_xfrm_req_portid(req));
	ipsec_pfkey_tell_policy(pol, update ? SADB_X_SPDUPDATE :
				SADB_X_SPDADD, ipsec_xfrm_req_seq(req));
out:
	ipsec_policy_put(pol);
	return err;
}

/* XFRM's index, its direction 0-2 in the low bits, to our id. */
static struct ipsec_policy *ipsec_xfrm_policy_by_index(struct ipsec_net *in,
						       u32 index, u8 xdir)
{
	if ((index & 7) != xdir)
		return NULL;
	return ipsec_policy_get_id(in, (index & ~7U) |
				   ipsec_xfrm_dir_get(xdir));
}

static struct ipsec_policy *ipsec_xfrm_find_policy(struct ipsec_xfrm_req *req,
						   int *err)
{
	const struct xfrm_userpolicy_id *p = nlmsg_data(req->nlh);
	struct ipsec_policy_key key;
	struct ipsec_policy *pol;
	int type;

	type = ipsec_xfrm_policy_type_get(req);
	if (type != XFRM_POLICY_TYPE_MAIN) {
		if (type >= 0)
			NL_SET_ERR_MSG(req->extack,
				       "only main policies are supported by ipsec.ko");
		*err = type < 0 ? type : -EOPNOTSUPP;
		return NULL;
	}
	if (p->dir > XFRM_POLICY_FWD) {
		NL_SET_ERR_MSG(req->extack, "policy direction must be in, out or fwd");
		*err = -EINVAL;
		return NULL;
	}
	if (p->index) {
		pol = ipsec_xfrm_policy_by_index(req->in, p->index, p->dir);
		/* xfrm_user's xfrm_policy_byid() wants the mark too */
		if (pol && !ipsec_xfrm_policy_mark_is(pol, req->attrs)) {
			ipsec_policy_put(pol);
			pol = NULL;
		}
	} else {
		*err = ipsec_xfrm_policy_key(&key, &p->sel, p->dir,
					     req->attrs, req->extack);
		if (*err)
			return NULL;
		pol = ipsec_policy_get(req->in, &key);
	}
	if (!pol) {
		NL_SET_ERR_MSG(req->extack, "no such policy");
		*err = -ENOENT;
	}
	return pol;
}

static int ipsec_xfrm_reply_policy(const struct ipsec_xfrm_req *req,
				   const struct ipsec_policy *pol)
{
	struct sk_buff *skb;
	int err;

	skb = nlmsg_new(ipsec_xfrm_policy_msg_len(pol), GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	err = ipsec_xfrm_policy_fill(skb, pol, XFRM_MSG_NEWPOLICY,
				     ipsec_xfrm_req_portid(req),
				     ipsec_xfrm_req_seq(req), 0);
	if (err) {
		kfree_skb(skb);
		return err;
	}
	return ipsec_xfrm_nl_unicast(req, skb);
}

/* DELPOLICY and GETPOLICY share the lookup, as in xfrm_user. */
int ipsec_xfrm_nl_delpolicy(struct ipsec_xfrm_req *req)
{
	bool del = req->nlh->nlmsg_type == XFRM_MSG_DELPOLICY;
	struct ipsec_policy *pol;
	int err;

	pol = ipsec_xfrm_find_policy(req, &err);
	if (!pol)
		return err;
	if (!del) {
		err = ipsec_xfrm_reply_policy(req, pol);
		goto out;
	}
	err = ipsec_policy_delete(pol);
	if (err)
		goto out;
	ipsec_xfrm_nl_policy_event(pol, XFRM_MSG_DELPOLICY,
				   ipsec_xfrm_req_seq(req),
				   ipsec_xfrm_req_portid(req));
	ipsec_pfkey_tell_policy(pol, SADB_X_SPDDELETE, ipsec_xfrm_req_seq(req));
out:
	ipsec_policy_put(pol);
	return err;
}

int ipsec_xfrm_nl_flushpolicy(struct ipsec_xfrm_req *req)
{
	int type = ipsec_xfrm_policy_type_get(req);

	if (type < 0)
		return type;
	if (type != XFRM_POLICY_TYPE_MAIN) {
		NL_SET_ERR_MSG(req->extack,
			       "only main policies are supported by ipsec.ko");
		return -EOPNOTSUPP;
	}
	ipsec_spd_flush(req->in);
	ipsec_xfrm_nl_policy_flush_event(req->in, ipsec_xfrm_req_seq(req),
					 ipsec_xfrm_req_portid(req));
	ipsec_pfkey_tell_policy_flush(req->in, ipsec_xfrm_req_seq(req));
	return 0;
}

/* Counts per direction; there are no socket policies (the "s" counts). */
int ipsec_xfrm_nl_getspdinfo(struct ipsec_xfrm_req *req)
{
	struct ipsec_spd *spd = &req->in->spd;
	struct xfrmu_spdinfo si = {};
	struct xfrmu_spdhinfo sh;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = nlmsg_new(NLMSG_ALIGN(sizeof(u32)) + nla_total_size(sizeof(si)) +
			nla_total_size(sizeof(sh)), GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	nlh = nlmsg_put(skb, ipsec_xfrm_req_portid(req),
			ipsec_xfrm_req_seq(req), XFRM_MSG_NEWSPDINFO,
			sizeof(u32), 0);
	if (!nlh)
		goto err;
	*(u32 *)nlmsg_data(nlh) = 0;
	mutex_lock(&spd->lock);
	si.incnt = spd->cls[IPSEC_DIR_INBOUND - 1].count;
	si.outcnt = spd->cls[IPSEC_DIR_OUTBOUND - 1].count;
	si.fwdcnt = spd->cls[IPSEC_DIR_FWD - 1].count;
	sh.spdhcnt = spd->count;
	mutex_unlock(&spd->lock);
	sh.spdhmcnt = spd->by_key.p.max_size ?: 1U << 31;
	if (nla_put(skb, XFRMA_SPD_INFO, sizeof(si), &si) ||
	    nla_put(skb, XFRMA_SPD_HINFO, sizeof(sh), &sh))
		goto err;
	nlmsg_end(skb, nlh);
	return ipsec_xfrm_nl_unicast(req, skb);
err:
	kfree_skb(skb);
	return -EMSGSIZE;
}

/* The default policies as GETDEFAULT shows them. */
static struct sk_buff *ipsec_xfrm_default_msg(struct ipsec_net *in,
					      u32 portid, u32 seq)
{
	struct xfrm_userpolicy_default *up;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = nlmsg_new(sizeof(*up), GFP_KERNEL);
	if (!skb)
		return NULL;
	nlh = nlmsg_put(skb, portid, seq, XFRM_MSG_GETDEFAULT, sizeof(*up), 0);
	if (!nlh) {
		kfree_skb(skb);
		return NULL;
	}
	up = nlmsg_data(nlh);
	memset(up, 0, sizeof(*up));
	up->in = READ_ONCE(in->xfrm_default[XFRM_POLICY_IN]);
	up->fwd = READ_ONCE(in->xfrm_default[XFRM_POLICY_FWD]);
	up->out = READ_ONCE(in->xfrm_default[XFRM_POLICY_OUT]);
	nlmsg_end(skb, nlh);
	return skb;
}

static void ipsec_xfrm_default_set(struct ipsec_net *in, int dir, u8 v)
{
	/* xfrm_set_default(): anything else leaves the direction alone */
	if (v == XFRM_USERPOLICY_BLOCK || v == XFRM_USERPOLICY_ACCEPT)
		WRITE_ONCE(in->xfrm_default[dir], v);
}

/* SETDEFAULT: what happens to packets no policy matches, per direction,
 * as XFRM does it (policy.c), announced to the POLICY group as a
 * GETDEFAULT message, as xfrm_user does. A block needs the hooks even
 * with an empty SPD: they are held across the change (hooks.h), so they
 * are there before a block shows and go only after an accept does.
 */
int ipsec_xfrm_nl_setdefault(struct ipsec_xfrm_req *req)
{
	const struct xfrm_userpolicy_default *up = nlmsg_data(req->nlh);
	struct sk_buff *skb;
	int err;

	err = ipsec_hooks_hold(req->in);
	if (err) {
		NL_SET_ERR_MSG(req->extack,
			       "cannot register the netfilter hooks");
		return err;
	}
	ipsec_xfrm_default_set(req->in, XFRM_POLICY_IN, up->in);
	ipsec_xfrm_default_set(req->in, XFRM_POLICY_FWD, up->fwd);
	ipsec_xfrm_default_set(req->in, XFRM_POLICY_OUT, up->out);
	ipsec_hooks_release(req->in);
	if (ipsec_xfrm_nl_listening(req->in, XFRMNLGRP_POLICY)) {
		skb = ipsec_xfrm_default_msg(req->in, 0, 0);
		if (skb)
			ipsec_xfrm_nl_multicast(req->in, skb, XFRMNLGRP_POLICY,
						GFP_KERNEL);
	}
	return 0;
}

int ipsec_xfrm_nl_getdefault(struct ipsec_xfrm_req *req)
{
	struct sk_buff *skb;

	skb = ipsec_xfrm_default_msg(req->in, ipsec_xfrm_req_portid(req),
				     ipsec_xfrm_req_seq(req));
	if (!skb)
		return -ENOMEM;
	return ipsec_xfrm_nl_unicast(req, skb);
}

/* NEWSPDINFO sets the prefix lengths xfrm hashes policies by; the SPD's
 * classifier groups by every prefix length there is and needs none.
 * Thresholds are accepted when well formed and have no effect.
 */
int ipsec_xfrm_nl_newspdinfo(struct ipsec_xfrm_req *req)
{
	NL_SET_ERR_MSG(req->extack, "ipsec.ko's SPD has no hash thresholds to set");
	return -EOPNOTSUPP;
}

/* ---- dumps ---- */

int ipsec_xfrm_nl_policy_dump_start(struct netlink_callback *cb)
{
	struct ipsec_net *in = ipsec_net(sock_net(cb->skb->sk));
	struct ipsec_policy_walk *w;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	ipsec_policy_walk_start(in, w);
	cb->args[0] = (long)w;
	cb->args[1] = 0;		/* a policy that did not fit */
	return 0;
}

int ipsec_xfrm_nl_policy_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ipsec_net *in = ipsec_net(sock_net(cb->skb->sk));
	struct ipsec_policy_walk *w = (void *)cb->args[0];
	struct ipsec_policy *pol;
	int err;

	for (;;) {
		pol = (void *)cb->args[1];
		cb->args[1] = 0;
		if (!pol)
			pol = ipsec_policy_walk_next(in, w);
		if (!pol)
			return 0;
		err = ipsec_xfrm_policy_fill(skb, pol, XFRM_MSG_NEWPOLICY,
					     NETLINK_CB(cb->skb).portid,
					     cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err) {
			cb->args[1] = (long)pol;
			return skb->len ?: err;
		}
		ipsec_policy_put(pol);
	}
}

int ipsec_xfrm_nl_policy_dump_done(struct netlink_callback *cb)
{
	struct ipsec_net *in = ipsec_net(sock_net(cb->skb->sk));
	struct ipsec_policy_walk *w = (void *)cb->args[0];

	if (!w)
		return 0;
	if (cb->args[1])
		ipsec_policy_put((void *)cb->args[1]);
	ipsec_policy_walk_done(in, w);
	kfree(w);
	return 0;
}
