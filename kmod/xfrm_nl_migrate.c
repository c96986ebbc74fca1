// SPDX-License-Identifier: GPL-2.0
/*
 * XFRM_MSG_MIGRATE, as xfrm_user takes and sends it: a struct
 * xfrm_userpolicy_id naming the policy by selector and direction, the
 * entries as an array of struct xfrm_user_migrate in one XFRMA_MIGRATE
 * (1 to XFRM_MAX_DEPTH of them), and optionally XFRMA_KMADDRESS,
 * XFRMA_ENCAP (the moved SAs' new UDP encapsulation), XFRMA_POLICY_TYPE
 * and XFRMA_IF_ID (the policy's and the SAs' if_id; 0 or none: any, as
 * xfrm_migrate() takes it). migrate.c does the work; the event goes to
 * XFRMNLGRP_MIGRATE with one XFRMA_MIGRATE per entry, as
 * xfrm_send_migrate() builds it.
 */
#include <linux/ipsec.h>

#include "migrate.h"
#include "netns.h"
#include "xfrm_nl.h"

static const int ipsec_xfrm_migrate_refused[] = {
	XFRMA_OFFLOAD_DEV,
};

static int ipsec_xfrm_migrate_entry(struct ipsec_migrate *m,
				    const struct xfrm_user_migrate *um,
				    struct netlink_ext_ack *extack)
{
	int err;

	memset(m, 0, sizeof(*m));
	err = ipsec_xfrm_family_ok(um->old_family, extack) ?:
	      ipsec_xfrm_family_ok(um->new_family, extack) ?:
	      ipsec_xfrm_mode_get(um->mode, &m->mode, extack);
	if (err)
		return err;
	ipsec_xfrm_addr_get(&m->old_saddr, &um->old_saddr, um->old_family);
	ipsec_xfrm_addr_get(&m->old_daddr, &um->old_daddr, um->old_family);
	ipsec_xfrm_addr_get(&m->new_saddr, &um->new_saddr, um->new_family);
	ipsec_xfrm_addr_get(&m->new_daddr, &um->new_daddr, um->new_family);
	m->reqid = um->reqid;
	m->proto = um->proto;
	m->old_family = um->old_family;
	m->new_family = um->new_family;
	return 0;
}

/* copy_from_user_migrate(): the entries, and the KM addresses. */
static int ipsec_xfrm_migrate_entries(const struct ipsec_xfrm_req *req,
				      struct ipsec_migration *mg)
{
	const struct nlattr *nla = req->attrs[XFRMA_MIGRATE];
	const struct xfrm_user_migrate *um;
	unsigned int i, n;
	int err;

	if (!nla) {
		NL_SET_ERR_MSG(req->extack, "MIGRATE needs an XFRMA_MIGRATE attribute");
		return -EINVAL;
	}
	n = nla_len(nla) / sizeof(*um);
	if (nla_len(nla) % sizeof(*um)) {
		NL_SET_ERR_MSG_ATTR(req->extack, nla,
				    "XFRMA_MIGRATE: trailing bytes after the last entry");
		return -EINVAL;
	}
	if (!n || n > IPSEC_MIGRATE_MAX) {
		NL_SET_ERR_MSG_ATTR(req->extack, nla,
				    "a MIGRATE moves 1 to 6 SAs (XFRM_MAX_DEPTH)");
		return -EINVAL;
	}
	for (i = 0, um = nla_data(nla); i < n; i++, um++) {
		err = ipsec_xfrm_migrate_entry(&mg->m[i], um, req->extack);
		if (err)
			return err;
	}
	mg->n = n;
	nla = req->attrs[XFRMA_KMADDRESS];
	if (nla) {
		const struct xfrm_user_kmaddress *uk = nla_data(nla);

		mg->has_km = true;
		mg->km_family = uk->family;
		mg->km_reserved = uk->reserved;
		mg->km_local = uk->local;
		mg->km_remote = uk->remote;
	}
	return 0;
}

static int ipsec_xfrm_migrate_get(const struct ipsec_xfrm_req *req,
				  struct ipsec_migration *mg)
{
	const struct xfrm_userpolicy_id *p = nlmsg_data(req->nlh);
	int err;

	err = ipsec_xfrm_refuse(req->attrs, ipsec_xfrm_migrate_refused,
				ARRAY_SIZE(ipsec_xfrm_migrate_refused),
				req->extack) ?:
	      ipsec_xfrm_migrate_entries(req, mg);
	if (err)
		return err;
	err = ipsec_xfrm_policy_type_get(req);
	if (err < 0)
		return err;
	/* only main policies exist here: a sub policy is not found */
	if (err == XFRM_POLICY_TYPE_SUB) {
		NL_SET_ERR_MSG(req->extack, "no policy with this selector and direction");
		return -ENOENT;
	}
	if (req->attrs[XFRMA_ENCAP]) {
		mg->has_encap = true;
		memcpy(&mg->encap, nla_data(req->attrs[XFRMA_ENCAP]),
		       sizeof(mg->encap));
	}
	return ipsec_xfrm_policy_key(&mg->key, &p->sel, p->dir, req->attrs,
				     req->extack);
}

int ipsec_xfrm_nl_migrate(struct ipsec_xfrm_req *req)
{
	struct ipsec_migration *mg;
	int err;

	mg = kzalloc(sizeof(*mg), GFP_KERNEL);
	if (!mg)
		return -ENOMEM;
	err = ipsec_xfrm_migrate_get(req, mg);
	if (!err)
		err = ipsec_migrate(req->in, mg, req->extack);
	kfree(mg);
	return err;
}

/* ---- the event ---- */

static size_t ipsec_xfrm_migrate_msg_len(const struct ipsec_migration *mg)
{
	return NLMSG_ALIGN(sizeof(struct xfrm_userpolicy_id)) +
	       (mg->has_km ?
		nla_total_size(sizeof(struct xfrm_user_kmaddress)) : 0) +
	       (mg->has_encap ?
		nla_total_size(sizeof(struct xfrm_encap_tmpl)) : 0) +
	       nla_total_size(sizeof(struct xfrm_userpolicy_type)) +
	       mg->n * nla_total_size(sizeof(struct xfrm_user_migrate));
}

static int ipsec_xfrm_migrate_put_entry(struct sk_buff *skb,
					const struct ipsec_migrate *m)
{
	struct xfrm_user_migrate um;

	memset(&um, 0, sizeof(um));
	um.old_daddr = m->old_daddr;
	um.old_saddr = m->old_saddr;
	um.new_daddr = m->new_daddr;
	um.new_saddr = m->new_saddr;
	um.proto = m->proto;
	um.mode = ipsec_xfrm_mode_put(m->mode);
	um.reqid = m->reqid;
	um.old_family = m->old_family;
	um.new_family = m->new_family;
	return nla_put(skb, XFRMA_MIGRATE, sizeof(um), &um);
}

static int ipsec_xfrm_migrate_put_km(struct sk_buff *skb,
				     const struct ipsec_migration *mg)
{
	struct xfrm_user_kmaddress uk;

	if (!mg->has_km)
		return 0;
	memset(&uk, 0, sizeof(uk));
	uk.local = mg->km_local;
	uk.remote = mg->km_remote;
	uk.family = mg->km_family;
	uk.reserved = mg->km_reserved;
	return nla_put(skb, XFRMA_KMADDRESS, sizeof(uk), &uk);
}

static int ipsec_xfrm_migrate_fill(struct sk_buff *skb,
				   const struct ipsec_migration *mg)
{
	struct xfrm_userpolicy_id *id;
	struct nlmsghdr *nlh;
	unsigned int i;

	nlh = nlmsg_put(skb, 0, 0, XFRM_MSG_MIGRATE, sizeof(*id), 0);
	if (!nlh)
		return -EMSGSIZE;
	id = nlmsg_data(nlh);
	memset(id, 0, sizeof(*id));
	ipsec_xfrm_sel_put(&id->sel, &mg->key.sel);
	id->dir = ipsec_xfrm_dir_put(mg->key.dir);
	if (ipsec_xfrm_migrate_put_km(skb, mg) ||
	    (mg->has_encap &&
	     nla_put(skb, XFRMA_ENCAP, sizeof(mg->encap), &mg->encap)) ||
	    ipsec_xfrm_policy_type_put(skb))
		goto cancel;
	for (i = 0; i < mg->n; i++)
		if (ipsec_xfrm_migrate_put_entry(skb, &mg->m[i]))
			goto cancel;
	nlmsg_end(skb, nlh);
	return 0;

cancel:
	nlmsg_cancel(skb, nlh);
	return -EMSGSIZE;
}

void ipsec_xfrm_nl_migrate_event(struct ipsec_net *in,
				 const struct ipsec_migration *mg)
{
	struct sk_buff *skb;

	if (!ipsec_xfrm_nl_listening(in, XFRMNLGRP_MIGRATE))
		return;
	skb = nlmsg_new(ipsec_xfrm_migrate_msg_len(mg), GFP_KERNEL);
	if (!skb)
		return;
	if (ipsec_xfrm_migrate_fill(skb, mg)) {
		/* sized above: cannot happen */
		kfree_skb(skb);
		return;
	}
	ipsec_xfrm_nl_multicast(in, skb, XFRMNLGRP_MIGRATE, GFP_KERNEL);
}
