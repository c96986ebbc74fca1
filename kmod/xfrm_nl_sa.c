// SPDX-License-Identifier: GPL-2.0
/*
 * The XFRM SA messages: NEWSA, UPDSA, DELSA, GETSA (one or a dump),
 * ALLOCSPI, FLUSHSA and GETSADINFO (NEWAE and GETAE: xfrm_nl_ae.c). Each converts with
 * xfrm_nl_convert.c and calls the SAD as the PF_KEY handlers do; every
 * change is announced to the listeners of both interfaces.
 *
 * UPDSA replaces the SA whole, as PF_KEY's UPDATE does (xfrm_user only
 * changes the lifetimes and the encapsulation of a mature SA).
 */
#include <linux/ipsec.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "netns.h"
#include "pfkey.h"
#include "xfrm_nl.h"

static u32 ipsec_xfrm_req_seq(const struct ipsec_xfrm_req *req)
{
	return req->nlh->nlmsg_seq;
}

/* The SA a usersa_id and XFRMA_MARK name, with a reference: as with
 * xfrm_user, the mark's value under its mask must be one the SA serves
 * (an SA without a mark serves every one).
 */
struct ipsec_sa *ipsec_xfrm_find_sa(const struct ipsec_xfrm_req *req,
				    const struct xfrm_usersa_id *p, int *err)
{
	struct ipsec_sa_id id;
	struct xfrm_mark m;
	struct ipsec_sa *sa;

	*err = ipsec_xfrm_family_ok(p->family, req->extack);
	if (*err)
		return NULL;
	ipsec_xfrm_sa_id(&id, &p->daddr, p->spi, p->proto, p->family);
	ipsec_xfrm_mark_get(req->attrs, &m);
	sa = ipsec_sa_get(req->in, &id, m.v & m.m);
	if (!sa) {
		NL_SET_ERR_MSG(req->extack, "no such SA");
		*err = -ESRCH;
	}
	return sa;
}

int ipsec_xfrm_nl_newsa(struct ipsec_xfrm_req *req)
{
	const struct xfrm_usersa_info *p = nlmsg_data(req->nlh);
	bool update = req->nlh->nlmsg_type == XFRM_MSG_UPDSA;
	struct ipsec_sa *sa, *old;
	int err;

	sa = ipsec_sa_alloc(req->in, GFP_KERNEL);
	if (!sa)
		return -ENOMEM;
	err = ipsec_xfrm_to_sa(req, p, sa);
	if (err)
		goto out;
	WRITE_ONCE(sa->state, IPSEC_SA_MATURE);
	ipsec_sa_hold(sa);		/* the tables get one, the events one */
	if (update) {
		/* xfrm_state_update(): the SA that serves the new SA's mark,
		 * under its mask
		 */
		old = ipsec_sa_get(req->in, &sa->id,
				   sa->mark.v & sa->mark.m);
		err = old ? ipsec_sa_replace(old, sa) : -ESRCH;
		if (old)
			ipsec_sa_put(old);
	} else {
		err = ipsec_sa_insert(sa);
	}
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG(req->extack,
				       "an SA with this SPI, destination and protocol exists under a mark that serves this one");
		else if (err == -ESRCH)
			NL_SET_ERR_MSG(req->extack, "no such SA to update");
		else if (err == -EINVAL && update)
			NL_SET_ERR_MSG(req->extack,
				       "a live SA keeps its keys, algorithms and ESN: delete it and add a new one");
		ipsec_sa_put(sa);
		goto out;
	}
	ipsec_xfrm_nl_sa_event(sa, req->nlh->nlmsg_type,
			       ipsec_xfrm_req_seq(req),
			       ipsec_xfrm_req_portid(req));
	ipsec_pfkey_tell_sa(sa, update ? SADB_UPDATE : SADB_ADD,
			    ipsec_xfrm_req_seq(req));
out:
	ipsec_sa_put(sa);
	return err;
}

int ipsec_xfrm_nl_delsa(struct ipsec_xfrm_req *req)
{
	struct ipsec_sa *sa;
	int err;

	sa = ipsec_xfrm_find_sa(req, nlmsg_data(req->nlh), &err);
	if (!sa)
		return err;
	err = ipsec_sa_delete(sa);
	if (!err) {
		ipsec_xfrm_nl_sa_event(sa, XFRM_MSG_DELSA,
				       ipsec_xfrm_req_seq(req),
				       ipsec_xfrm_req_portid(req));
		ipsec_pfkey_tell_sa(sa, SADB_DELETE, ipsec_xfrm_req_seq(req));
	}
	ipsec_sa_put(sa);
	return err;
}

static int ipsec_xfrm_reply_sa(const struct ipsec_xfrm_req *req,
			       const struct ipsec_sa *sa)
{
	struct sk_buff *skb;
	int err;

	skb = nlmsg_new(ipsec_xfrm_sa_msg_len(sa, IPSEC_XFRM_KEYS),
			GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	err = ipsec_xfrm_sa_fill(skb, sa, XFRM_MSG_NEWSA,
				 ipsec_xfrm_req_portid(req),
				 ipsec_xfrm_req_seq(req), 0, IPSEC_XFRM_KEYS);
	if (err) {
		kfree_skb(skb);
		return err;
	}
	return ipsec_xfrm_nl_unicast(req, skb);
}

/* The one reply besides dumps that carries keys, to the asker only. */
int ipsec_xfrm_nl_getsa(struct ipsec_xfrm_req *req)
{
	struct ipsec_sa *sa;
	int err;

	sa = ipsec_xfrm_find_sa(req, nlmsg_data(req->nlh), &err);
	if (!sa)
		return err;
	err = ipsec_xfrm_reply_sa(req, sa);
	ipsec_sa_put(sa);
	return err;
}

/* A larval SA with a free SPI, as PF_KEY's GETSPI makes it. */
int ipsec_xfrm_nl_allocspi(struct ipsec_xfrm_req *req)
{
	const struct xfrm_userspi_info *p = nlmsg_data(req->nlh);
	const struct xfrm_usersa_info *i = &p->info;
	u32 max = p->max;
	struct ipsec_sa *sa;
	int err;

	err = ipsec_xfrm_family_ok(i->family, req->extack);
	if (err)
		return err;
	if (i->id.proto != IPPROTO_ESP && i->id.proto != IPPROTO_AH &&
	    i->id.proto != IPPROTO_COMP) {
		NL_SET_ERR_MSG(req->extack, "protocol must be esp, ah or comp");
		return -EPROTONOSUPPORT;
	}
	if (i->id.proto == IPPROTO_COMP)	/* CPIs are 16 bits */
		max = min_t(u32, max, 0xffff);
	if (max < 0x100 || p->min > max) {
		NL_SET_ERR_MSG(req->extack, "empty SPI range (SPIs start at 0x100)");
		return -EINVAL;
	}
	sa = ipsec_sa_alloc(req->in, GFP_KERNEL);
	if (!sa)
		return -ENOMEM;
	err = ipsec_xfrm_mode_get(i->mode, &sa->mode, req->extack);
	if (err)
		goto out;
	ipsec_xfrm_mark_get(req->attrs, &sa->mark);
	ipsec_xfrm_sa_id(&sa->id, &i->id.daddr, 0, i->id.proto, i->family);
	ipsec_xfrm_addr_get(&sa->rid.saddr, &i->saddr, i->family);
	sa->rid.daddr = sa->id.daddr;
	sa->rid.proto = sa->id.proto;
	sa->rid.family = sa->id.family;
	sa->rid.reqid = i->reqid;
	sa->rid.if_id = ipsec_xfrm_if_id_get(req->attrs);
	sa->reqid = i->reqid;
	sa->prefix_s = i->family == AF_INET ? 32 : 128;
	sa->prefix_d = sa->prefix_s;
	sa->ul_proto = IPSEC_ULPROTO_ANY;
	sa->satype = ipsec_proto_satype(i->id.proto);
	sa->seq = i->seq;
	sa->pid = ipsec_xfrm_req_portid(req);
	/* OpenBSD's ipsec-invalid-life, as for GETSPI */
	sa->hard.addtime = READ_ONCE(req->in->cfg.invalid_life);

	ipsec_sa_hold(sa);		/* ours; the tables get the other */
	err = ipsec_sa_alloc_spi(sa, max_t(u32, p->min, 0x100), max);
	if (err) {
		NL_SET_ERR_MSG(req->extack, "no free SPI in the range");
		ipsec_sa_put(sa);
		goto out;
	}
	err = ipsec_xfrm_reply_sa(req, sa);
	if (err)		/* nobody learnt the SPI: take the SA back */
		ipsec_sa_delete(sa);
out:
	ipsec_sa_put(sa);
	return err;
}

int ipsec_xfrm_nl_flushsa(struct ipsec_xfrm_req *req)
{
	const struct xfrm_usersa_flush *p = nlmsg_data(req->nlh);
	u8 satype;

	/* 0 and IPSEC_PROTO_ANY (255): every protocol, as in xfrm_user */
	if (!p->proto || p->proto == IPSEC_PROTO_ANY) {
		satype = SADB_SATYPE_UNSPEC;
	} else {
		satype = ipsec_proto_satype(p->proto);
		if (satype == SADB_SATYPE_UNSPEC) {
			NL_SET_ERR_MSG(req->extack, "protocol must be esp, ah, comp or any");
			return -EINVAL;
		}
	}
	ipsec_sad_flush(req->in, satype);
	ipsec_xfrm_nl_sa_flush_event(req->in, p->proto,
				     ipsec_xfrm_req_seq(req),
				     ipsec_xfrm_req_portid(req));
	ipsec_pfkey_tell_sa_flush(req->in, satype, ipsec_xfrm_req_seq(req));
	return 0;
}

/* The SA count and the size of the SPI hash table. */
int ipsec_xfrm_nl_getsadinfo(struct ipsec_xfrm_req *req)
{
	struct ipsec_sad *sad = &req->in->sad;
	struct xfrmu_sadhinfo h;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = nlmsg_new(NLMSG_ALIGN(sizeof(u32)) + nla_total_size(sizeof(u32)) +
			nla_total_size(sizeof(h)), GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	nlh = nlmsg_put(skb, ipsec_xfrm_req_portid(req),
			ipsec_xfrm_req_seq(req), XFRM_MSG_NEWSADINFO,
			sizeof(u32), 0);
	if (!nlh)
		goto err;
	*(u32 *)nlmsg_data(nlh) = 0;
	rcu_read_lock();
	h.sadhcnt = rcu_dereference(sad->by_id.ht.tbl)->size;
	rcu_read_unlock();
	h.sadhmcnt = sad->by_id.ht.p.max_size ?: 1U << 31;
	if (nla_put_u32(skb, XFRMA_SAD_CNT, ipsec_sad_count(req->in,
							    SADB_SATYPE_UNSPEC)) ||
	    nla_put(skb, XFRMA_SAD_HINFO, sizeof(h), &h))
		goto err;
	nlmsg_end(skb, nlh);
	return ipsec_xfrm_nl_unicast(req, skb);
err:
	kfree_skb(skb);
	return -EMSGSIZE;
}

/* ---- dumps ---- */

struct ipsec_xfrm_sa_dump {
	struct ipsec_sa_walk walk;
	struct ipsec_sa *pending;	/* did not fit the last skb */
	struct xfrm_address_filter filter;
	bool filtered;
};

static bool ipsec_xfrm_prefix_match(const xfrm_address_t *a,
				    const xfrm_address_t *b, u8 family,
				    u8 len)
{
	if (family == AF_INET)
		return !len || !((a->a4 ^ b->a4) &
				 htonl(~0U << (32 - min_t(u8, len, 32))));
	return ipv6_prefix_equal(&a->in6, &b->in6, min_t(u8, len, 128));
}

static bool ipsec_xfrm_dump_wants(const struct ipsec_xfrm_sa_dump *d,
				  const struct ipsec_sa *sa)
{
	const struct xfrm_address_filter *f = &d->filter;

	if (!d->filtered)
		return true;
	if (f->family != AF_UNSPEC && f->family != sa->id.family)
		return false;
	return ipsec_xfrm_prefix_match(&sa->rid.saddr, &f->saddr,
				       sa->id.family, f->splen) &&
	       ipsec_xfrm_prefix_match(&sa->id.daddr, &f->daddr,
				       sa->id.family, f->dplen);
}

int ipsec_xfrm_nl_sa_dump_start(struct netlink_callback *cb)
{
	struct ipsec_net *in = ipsec_net(sock_net(cb->skb->sk));
	struct nlattr *attrs[XFRMA_MAX + 1] = {};
	struct ipsec_xfrm_sa_dump *d;
	u8 satype = SADB_SATYPE_UNSPEC;
	int err;

	/* XFRMA_PROTO and XFRMA_ADDRESS_FILTER right after the netlink
	 * header, parsed leniently as xfrm_user does: clients that send a
	 * zeroed usersa_info there ask for no filter
	 */
	if (cb->nlh->nlmsg_len > NLMSG_HDRLEN) {
		err = __nlmsg_parse(cb->nlh, 0, attrs, XFRMA_MAX,
				    ipsec_xfrm_nl_dump_policy(),
				    NL_VALIDATE_LIBERAL, cb->extack);
		if (err)
			return err;
	}
	if (attrs[XFRMA_PROTO]) {
		u8 proto = nla_get_u8(attrs[XFRMA_PROTO]);

		if (proto != IPSEC_PROTO_ANY) {
			satype = ipsec_proto_satype(proto);
			if (satype == SADB_SATYPE_UNSPEC) {
				NL_SET_ERR_MSG(cb->extack, "protocol must be esp, ah, comp or any");
				return -EINVAL;
			}
		}
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	if (attrs[XFRMA_ADDRESS_FILTER]) {
		memcpy(&d->filter, nla_data(attrs[XFRMA_ADDRESS_FILTER]),
		       sizeof(d->filter));
		d->filtered = true;
	}
	ipsec_sa_walk_start(in, &d->walk, satype);
	cb->args[0] = (long)d;
	return 0;
}

int ipsec_xfrm_nl_sa_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ipsec_net *in = ipsec_net(sock_net(cb->skb->sk));
	struct ipsec_xfrm_sa_dump *d = (void *)cb->args[0];
	struct ipsec_sa *sa;
	int err;

	for (;;) {
		sa = d->pending;
		d->pending = NULL;
		if (!sa)
			sa = ipsec_sa_walk_next(in, &d->walk);
		if (!sa)
			return 0;
		if (!ipsec_xfrm_dump_wants(d, sa)) {
			ipsec_sa_put(sa);
			continue;
		}
		err = ipsec_xfrm_sa_fill(skb, sa, XFRM_MSG_NEWSA,
					 NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI,
					 IPSEC_XFRM_KEYS);
		if (err) {
			/* the next call starts with it */
			d->pending = sa;
			return skb->len ?: err;
		}
		ipsec_sa_put(sa);
	}
}

int ipsec_xfrm_nl_sa_dump_done(struct netlink_callback *cb)
{
	struct ipsec_net *in = ipsec_net(sock_net(cb->skb->sk));
	struct ipsec_xfrm_sa_dump *d = (void *)cb->args[0];

	if (!d)
		return 0;
	if (d->pending)
		ipsec_sa_put(d->pending);
	ipsec_sa_walk_done(in, &d->walk);
	kfree(d);
	return 0;
}
