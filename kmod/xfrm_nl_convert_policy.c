// SPDX-License-Identifier: GPL-2.0
/*
 * XFRM policy messages to policies and back: struct xfrm_userpolicy_info,
 * its templates (XFRMA_TMPL) and XFRMA_POLICY_TYPE against struct
 * ipsec_policy; the mapping is described in xfrm_nl_convert.c, which
 * holds what SAs and policies share (selectors, lifetimes, modes).
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipsec.h>

#include "netns.h"
#include "xfrm_nl.h"

static const int ipsec_xfrm_policy_refused[] = {
	XFRMA_SEC_CTX, XFRMA_OFFLOAD_DEV,
};

/* XFRMA_IF_ID, 0 without it (xfrm_user's). */
u32 ipsec_xfrm_if_id_get(struct nlattr **attrs)
{
	return attrs[XFRMA_IF_ID] ? nla_get_u32(attrs[XFRMA_IF_ID]) : 0;
}

/* Sent only when set, as xfrm_user does. */
int ipsec_xfrm_if_id_put(struct sk_buff *skb, u32 if_id)
{
	return if_id && nla_put_u32(skb, XFRMA_IF_ID, if_id) ? -EMSGSIZE : 0;
}

/* XFRMA_POLICY_TYPE as the kernel's own xfrm_user has it: a sub policy
 * type is valid, and the attribute is sent, only in a kernel built with
 * sub policies (CONFIG_XFRM_SUB_POLICY, as Debian's); any other type is
 * refused. Returns the type (main without the attribute) or -EINVAL.
 */
int ipsec_xfrm_policy_type_get(const struct ipsec_xfrm_req *req)
{
	const struct nlattr *nla = req->attrs[XFRMA_POLICY_TYPE];
	u8 type = XFRM_POLICY_TYPE_MAIN;

	if (nla)
		type = ((const struct xfrm_userpolicy_type *)nla_data(nla))->type;
	if (type == XFRM_POLICY_TYPE_MAIN ||
	    (type == XFRM_POLICY_TYPE_SUB &&
	     IS_ENABLED(CONFIG_XFRM_SUB_POLICY)))
		return type;
	NL_SET_ERR_MSG(req->extack, "Invalid policy type");
	return -EINVAL;
}

/* Every policy here is a main one. */
int ipsec_xfrm_policy_type_put(struct sk_buff *skb)
{
	struct xfrm_userpolicy_type upt = { .type = XFRM_POLICY_TYPE_MAIN };

	if (!IS_ENABLED(CONFIG_XFRM_SUB_POLICY))
		return 0;
	return nla_put(skb, XFRMA_POLICY_TYPE, sizeof(upt), &upt);
}

/* The selector, direction, XFRMA_MARK and XFRMA_IF_ID: policies that
 * differ in their marks, value or mask, or in their if_id are different
 * policies (xfrm_user's xfrm_policy_mark_match() and if_id test).
 */
int ipsec_xfrm_policy_key(struct ipsec_policy_key *key,
			  const struct xfrm_selector *sel, u8 dir,
			  struct nlattr **attrs,
			  struct netlink_ext_ack *extack)
{
	struct xfrm_mark m;
	int err;

	memset(key, 0, sizeof(*key));
	if (dir > XFRM_POLICY_FWD) {
		NL_SET_ERR_MSG(extack, "policy direction must be in, out or fwd");
		return -EINVAL;
	}
	key->dir = ipsec_xfrm_dir_get(dir);
	err = ipsec_xfrm_sel_get(&key->sel, sel, extack);
	if (err)
		return err;
	ipsec_xfrm_mark_get(attrs, &m);
	key->sel.mark_v = m.v;
	key->sel.mark_m = m.m;
	key->sel.if_id = ipsec_xfrm_if_id_get(attrs);
	return 0;
}

/* Do the request's XFRMA_MARK and XFRMA_IF_ID name @pol's exactly? */
bool ipsec_xfrm_policy_mark_is(const struct ipsec_policy *pol,
			       struct nlattr **attrs)
{
	struct xfrm_mark m;

	ipsec_xfrm_mark_get(attrs, &m);
	return m.v == pol->key.sel.mark_v && m.m == pol->key.sel.mark_m &&
	       ipsec_xfrm_if_id_get(attrs) == pol->key.sel.if_id;
}

static int ipsec_xfrm_tmpl_get(const struct xfrm_user_tmpl *t,
			       struct ipsec_policy_req *r,
			       struct netlink_ext_ack *extack)
{
	int err;

	memset(r, 0, sizeof(*r));
	if (t->id.proto != IPPROTO_ESP && t->id.proto != IPPROTO_AH &&
	    t->id.proto != IPPROTO_COMP) {
		NL_SET_ERR_MSG(extack, "template protocol must be esp, ah or comp");
		return -EINVAL;
	}
	err = ipsec_xfrm_mode_get(t->mode, &r->mode, extack);
	if (err)
		return err;
	r->proto = t->id.proto;
	r->reqid = t->reqid;
	r->spi = t->id.spi;
	/* XFRM: an optional template may be skipped; one with a reqid
	 * takes only SAs of that reqid, which is KAME's "unique"
	 */
	r->level = t->optional ? IPSEC_LEVEL_USE :
		   t->reqid ? IPSEC_LEVEL_UNIQUE : IPSEC_LEVEL_REQUIRE;
	if (r->mode == IPSEC_MODE_TUNNEL) {
		err = ipsec_xfrm_family_ok(t->family, extack);
		if (err)
			return err;
		r->family = t->family;
		ipsec_xfrm_addr_get(&r->saddr, &t->saddr, t->family);
		ipsec_xfrm_addr_get(&r->daddr, &t->id.daddr, t->family);
	}
	return 0;
}

static int ipsec_xfrm_tmpls_get(const struct ipsec_xfrm_req *req,
				struct ipsec_policy *pol)
{
	const struct nlattr *nla = req->attrs[XFRMA_TMPL];
	const struct xfrm_user_tmpl *t;
	unsigned int i, n;
	int err;

	if (!nla)
		return 0;
	n = nla_len(nla) / sizeof(*t);
	if (nla_len(nla) % sizeof(*t) || n > IPSEC_SPD_MAX_REQS) {
		NL_SET_ERR_MSG_ATTR(req->extack, nla,
				    "1 to 4 templates, each a struct xfrm_user_tmpl");
		return -EINVAL;
	}
	t = nla_data(nla);
	for (i = 0; i < n; i++) {
		err = ipsec_xfrm_tmpl_get(&t[i], &pol->req[i], req->extack);
		if (err)
			return err;
		/* as xfrm_user: a tunnel may not be skipped on the way out */
		if (t[i].optional && pol->req[i].mode == IPSEC_MODE_TUNNEL &&
		    pol->key.dir == IPSEC_DIR_OUTBOUND) {
			NL_SET_ERR_MSG(req->extack,
				       "Mode in optional template not allowed in outbound policy");
			return -EINVAL;
		}
	}
	pol->nreqs = n;
	return 0;
}

int ipsec_xfrm_to_policy(const struct ipsec_xfrm_req *req,
			 const struct xfrm_userpolicy_info *p,
			 struct ipsec_policy *pol)
{
	int err;

	err = ipsec_xfrm_refuse(req->attrs, ipsec_xfrm_policy_refused,
				ARRAY_SIZE(ipsec_xfrm_policy_refused),
				req->extack);
	if (!err)
		err = ipsec_xfrm_no_extra_flags(req->attrs, req->extack);
	if (err)
		return err;
	err = ipsec_xfrm_policy_type_get(req);
	if (err < 0)
		return err;
	if (err != XFRM_POLICY_TYPE_MAIN) {
		NL_SET_ERR_MSG(req->extack,
			       "only main policies are supported by ipsec.ko");
		return -EOPNOTSUPP;
	}
	if (p->index) {
		NL_SET_ERR_MSG(req->extack, "ipsec.ko chooses policy indexes itself");
		return -EOPNOTSUPP;
	}
	if (p->flags || p->share) {
		NL_SET_ERR_MSG(req->extack,
			       "policy flags and share other than 0 not supported by ipsec.ko");
		return -EOPNOTSUPP;
	}
	if (p->action != XFRM_POLICY_ALLOW && p->action != XFRM_POLICY_BLOCK) {
		NL_SET_ERR_MSG(req->extack, "policy action must be allow or block");
		return -EINVAL;
	}
	err = ipsec_xfrm_policy_key(&pol->key, &p->sel, p->dir, req->attrs,
				    req->extack);
	if (!err)
		err = ipsec_xfrm_tmpls_get(req, pol);
	if (err)
		return err;
	if (p->action == XFRM_POLICY_BLOCK)
		pol->action = IPSEC_POLICY_DISCARD;
	else
		pol->action = pol->nreqs ? IPSEC_POLICY_IPSEC :
					   IPSEC_POLICY_NONE;
	pol->priority = p->priority;
	ipsec_xfrm_lft_get(&p->lft, &pol->hard, &pol->soft);
	return 0;
}

void ipsec_xfrm_policy_info(struct xfrm_userpolicy_info *p,
			    const struct ipsec_policy *pol)
{
	memset(p, 0, sizeof(*p));
	ipsec_xfrm_sel_put(&p->sel, &pol->key.sel);
	ipsec_xfrm_lft_put(&p->lft, &pol->hard, &pol->soft);
	p->curlft.add_time = pol->add_time;
	p->curlft.use_time = READ_ONCE(pol->use_time);
	p->priority = pol->priority;
	/* the same id, the direction in XFRM's numbering */
	p->index = (pol->id & ~7U) | ipsec_xfrm_dir_put(pol->key.dir);
	p->dir = ipsec_xfrm_dir_put(pol->key.dir);
	p->action = pol->action == IPSEC_POLICY_DISCARD ? XFRM_POLICY_BLOCK :
							  XFRM_POLICY_ALLOW;
}

int ipsec_xfrm_policy_tmpls(struct sk_buff *skb,
			    const struct ipsec_policy *pol)
{
	struct xfrm_user_tmpl *t;
	struct nlattr *nla;
	unsigned int i;

	if (!pol->nreqs)
		return 0;
	nla = nla_reserve(skb, XFRMA_TMPL, pol->nreqs * sizeof(*t));
	if (!nla)
		return -EMSGSIZE;
	t = nla_data(nla);
	memset(t, 0, pol->nreqs * sizeof(*t));
	for (i = 0; i < pol->nreqs; i++) {
		const struct ipsec_policy_req *r = &pol->req[i];

		t[i].id.proto = r->proto;
		t[i].id.spi = r->spi;
		t[i].id.daddr = r->daddr;
		t[i].saddr = r->saddr;
		t[i].family = r->family ?: pol->key.sel.family;
		t[i].reqid = r->reqid;
		t[i].mode = ipsec_xfrm_mode_put(r->mode);
		t[i].optional = r->level == IPSEC_LEVEL_USE;
		/* every algorithm allowed, as ip and strongSwan ask */
		t[i].aalgos = ~0U;
		t[i].ealgos = ~0U;
		t[i].calgos = ~0U;
	}
	return 0;
}

/* The mark and the if_id, after the type, as xfrm_user orders them. */
int ipsec_xfrm_policy_mark_put(struct sk_buff *skb,
			       const struct ipsec_policy *pol)
{
	struct xfrm_mark m = {
		.v = pol->key.sel.mark_v,
		.m = pol->key.sel.mark_m,
	};

	return ipsec_xfrm_mark_put(skb, &m) ?:
	       ipsec_xfrm_if_id_put(skb, pol->key.sel.if_id);
}

size_t ipsec_xfrm_policy_msg_len(const struct ipsec_policy *pol)
{
	return nlmsg_total_size(sizeof(struct xfrm_userpolicy_info)) +
	       nla_total_size(pol->nreqs * sizeof(struct xfrm_user_tmpl)) +
	       nla_total_size(sizeof(struct xfrm_mark)) +
	       nla_total_size(sizeof(u32)) +		/* IF_ID */
	       nla_total_size(sizeof(struct xfrm_userpolicy_type));
}

int ipsec_xfrm_policy_fill(struct sk_buff *skb,
			   const struct ipsec_policy *pol, u16 type,
			   u32 portid, u32 seq, u16 flags)
{
	struct nlmsghdr *nlh;

	nlh = nlmsg_put(skb, portid, seq, type,
			sizeof(struct xfrm_userpolicy_info), flags);
	if (!nlh)
		return -EMSGSIZE;
	ipsec_xfrm_policy_info(nlmsg_data(nlh), pol);
	if (ipsec_xfrm_policy_tmpls(skb, pol) ||
	    ipsec_xfrm_policy_type_put(skb) ||
	    ipsec_xfrm_policy_mark_put(skb, pol)) {
		nlmsg_cancel(skb, nlh);
		return -EMSGSIZE;
	}
	nlmsg_end(skb, nlh);
	return 0;
}
