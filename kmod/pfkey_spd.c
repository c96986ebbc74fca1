// SPDX-License-Identifier: GPL-2.0
/*
 * The KAME policy messages, which RFC 2367 leaves out (its 1.3 puts
 * policy "outside the scope"): X_SPDADD, X_SPDUPDATE, X_SPDDELETE (by
 * selector), X_SPDDELETE2 and X_SPDGET (by id), X_SPDDUMP, X_SPDFLUSH
 * and X_SPDEXPIRE (sent). Layouts as KAME, Linux af_key and
 * strongSwan's kernel-pfkey use them: the selector in ADDRESS_SRC/DST
 * (prefix length, upper-layer protocol in sadb_address_proto, ports in
 * the sockaddrs), the rest in X_POLICY and its sadb_x_ipsecrequests.
 * X_MIGRATE, in the same layout: pfkey_migrate.c.
 *
 * Each handler returns 0 once its reply is queued, or a negative errno
 * that the caller turns into an error reply.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipsec.h>
#include <linux/skbuff.h>

#include "netns.h"
#include "pfkey.h"
#include "spd.h"
#include "xfrm_nl.h"

void ipsec_spd_put_addr(struct sk_buff *skb, u16 type,
			const struct ipsec_selector *sel, bool src)
{
	struct sadb_address *a;

	a = ipsec_pfkey_put_ext(skb, type, ipsec_pfkey_addr_len(sel->family));
	a->sadb_address_proto = sel->proto;
	a->sadb_address_prefixlen = src ? sel->prefix_s : sel->prefix_d;
	ipsec_sockaddr_put(a + 1, sel->family, src ? &sel->saddr : &sel->daddr,
			   src ? sel->sport : sel->dport);
}

static bool ipsec_lifetime_given(const struct ipsec_lifetime *lt)
{
	return lt->allocations || lt->bytes || lt->addtime || lt->usetime;
}

/* KAME: sadb_x_ipsecrequest_len is in bytes, endpoints included. */
static size_t ipsec_spd_req_len(const struct ipsec_policy_req *r)
{
	size_t len = sizeof(struct sadb_x_ipsecrequest);

	if (r->family)
		len += ALIGN(2 * ipsec_salen(r->family), 8);
	return len;
}

static void ipsec_spd_put_policy(struct sk_buff *skb,
				 const struct ipsec_policy *pol, size_t len)
{
	struct sadb_x_policy *xp;
	unsigned int i;

	xp = ipsec_pfkey_put_ext(skb, SADB_X_EXT_POLICY, len);
	xp->sadb_x_policy_type = pol->action;
	xp->sadb_x_policy_dir = pol->key.dir;
	xp->sadb_x_policy_id = pol->id;
	xp->sadb_x_policy_priority = pol->priority;
	/* the requests follow, in the space just zeroed */
	for (i = 0, len = sizeof(*xp); i < pol->nreqs; i++) {
		const struct ipsec_policy_req *r = &pol->req[i];
		struct sadb_x_ipsecrequest *rq = (void *)((u8 *)xp + len);

		rq->sadb_x_ipsecrequest_len = ipsec_spd_req_len(r);
		rq->sadb_x_ipsecrequest_proto = r->proto;
		rq->sadb_x_ipsecrequest_mode = r->mode;
		rq->sadb_x_ipsecrequest_level = r->level;
		rq->sadb_x_ipsecrequest_reqid = r->reqid;
		if (r->family) {
			u8 *p = (u8 *)(rq + 1);

			ipsec_sockaddr_put(p, r->family, &r->saddr, 0);
			ipsec_sockaddr_put(p + ipsec_salen(r->family),
					   r->family, &r->daddr, 0);
		}
		len += rq->sadb_x_ipsecrequest_len;
	}
}

/* One policy as a message: addresses, lifetimes, policy, in af_key's
 * order. LIFETIME_CURRENT is always there: strongSwan reads the last use
 * from an SPDGET reply's.
 */
struct sk_buff *ipsec_pfkey_policy_msg(const struct ipsec_policy *pol,
				       u8 type, u32 seq, u32 pid, gfp_t gfp)
{
	const struct ipsec_selector *sel = &pol->key.sel;
	struct ipsec_lifetime cur = {
		.addtime = pol->add_time,
		.usetime = READ_ONCE(pol->use_time),
	};
	size_t len, plen = sizeof(struct sadb_x_policy);
	struct sk_buff *skb;
	unsigned int i;

	for (i = 0; i < pol->nreqs; i++)
		plen += ipsec_spd_req_len(&pol->req[i]);
	len = sizeof(struct sadb_msg) + 2 * ipsec_pfkey_addr_len(sel->family) +
	      sizeof(struct sadb_lifetime) + plen;
	if (ipsec_lifetime_given(&pol->hard))
		len += sizeof(struct sadb_lifetime);
	if (ipsec_lifetime_given(&pol->soft))
		len += sizeof(struct sadb_lifetime);

	skb = ipsec_pfkey_msg_alloc(len, gfp);
	if (!skb)
		return NULL;
	ipsec_pfkey_put_hdr(skb, type, SADB_SATYPE_UNSPEC, seq, pid);
	ipsec_spd_put_addr(skb, SADB_EXT_ADDRESS_SRC, sel, true);
	ipsec_spd_put_addr(skb, SADB_EXT_ADDRESS_DST, sel, false);
	if (ipsec_lifetime_given(&pol->hard))
		ipsec_pfkey_put_lifetime(skb, SADB_EXT_LIFETIME_HARD, &pol->hard);
	if (ipsec_lifetime_given(&pol->soft))
		ipsec_pfkey_put_lifetime(skb, SADB_EXT_LIFETIME_SOFT, &pol->soft);
	ipsec_pfkey_put_lifetime(skb, SADB_EXT_LIFETIME_CURRENT, &cur);
	ipsec_spd_put_policy(skb, pol, plen);
	ipsec_pfkey_finish(skb);
	return skb;
}

/* The selector and direction of a message that names a policy by them. */
int ipsec_pfkey_policy_key(const struct ipsec_pfkey_msg *m,
			   struct ipsec_policy_key *key)
{
	const struct sadb_address *src = ipsec_pfkey_ext(m,
							 SADB_EXT_ADDRESS_SRC);
	const struct sadb_address *dst = ipsec_pfkey_ext(m,
							 SADB_EXT_ADDRESS_DST);
	const struct sadb_x_policy *xp = ipsec_pfkey_policy(m);
	struct ipsec_selector *sel = &key->sel;
	const struct sockaddr *s, *d;

	if (!src || !dst || !xp)
		return -EINVAL;
	/* KAME: one upper-layer protocol for the flow, named twice */
	if (src->sadb_address_proto != dst->sadb_address_proto)
		return -EINVAL;
	memset(key, 0, sizeof(*key));
	s = ipsec_pfkey_addr(m, SADB_EXT_ADDRESS_SRC, &sel->prefix_s);
	d = ipsec_pfkey_addr(m, SADB_EXT_ADDRESS_DST, &sel->prefix_d);
	ipsec_sockaddr_get(s, &sel->saddr, &sel->sport);
	ipsec_sockaddr_get(d, &sel->daddr, &sel->dport);
	sel->family = s->sa_family;	/* the parser checked d's is the same */
	/* af_key reads 0 as "any" too: IP protocol 0 is the hop-by-hop
	 * header, never an upper layer
	 */
	sel->proto = src->sadb_address_proto ?: IPSEC_ULPROTO_ANY;
	key->dir = xp->sadb_x_policy_dir;
	return 0;
}

static int ipsec_pfkey_policy_action(u16 type)
{
	switch (type) {
	case IPSEC_POLICY_DISCARD:
	case IPSEC_POLICY_IPSEC:
		return type;
	case IPSEC_POLICY_NONE:
	case IPSEC_POLICY_BYPASS:	/* KAME: "bypass" is "none" here */
		return IPSEC_POLICY_NONE;
	default:
		/* ENTRUST: "consult the default" means nothing in the SPD */
		return -EINVAL;
	}
}

static void ipsec_pfkey_req_addrs(const struct sadb_x_ipsecrequest *rq,
				  struct ipsec_policy_req *r)
{
	const struct sockaddr *s, *d;
	__be16 port;

	ipsec_pfkey_ipsecrequest_addrs(rq, &s, &d);
	if (!s)
		return;
	r->family = s->sa_family;
	ipsec_sockaddr_get(s, &r->saddr, &port);
	ipsec_sockaddr_get(d, &r->daddr, &port);
}

/* A request as stored. The parser checked proto, mode, level and that a
 * tunnel has endpoints; af_key takes mode "any" as transport.
 */
static void ipsec_pfkey_req_get(const struct sadb_x_ipsecrequest *rq,
				struct ipsec_policy_req *r)
{
	memset(r, 0, sizeof(*r));
	r->proto = rq->sadb_x_ipsecrequest_proto;
	r->mode = rq->sadb_x_ipsecrequest_mode ?: IPSEC_MODE_TRANSPORT;
	r->level = rq->sadb_x_ipsecrequest_level;
	r->reqid = rq->sadb_x_ipsecrequest_reqid;
	ipsec_pfkey_req_addrs(rq, r);
}

/* SPDADD/SPDUPDATE: fill a fresh policy from the message. */
static int ipsec_pfkey_to_policy(const struct ipsec_pfkey_msg *m,
				 struct ipsec_policy *pol)
{
	const struct sadb_x_policy *xp = ipsec_pfkey_policy(m);
	const struct sadb_x_ipsecrequest *rq = NULL;
	const struct sadb_lifetime *lt;
	int err;

	err = ipsec_pfkey_policy_key(m, &pol->key);
	if (err)
		return err;
	err = ipsec_pfkey_policy_action(xp->sadb_x_policy_type);
	if (err < 0)
		return err;
	pol->action = err;
	pol->priority = xp->sadb_x_policy_priority;
	while ((rq = ipsec_pfkey_ipsecrequest_next(xp, rq))) {
		if (pol->nreqs == IPSEC_SPD_MAX_REQS)
			return -EINVAL;
		ipsec_pfkey_req_get(rq, &pol->req[pol->nreqs++]);
	}
	lt = ipsec_pfkey_lifetime(m, SADB_EXT_LIFETIME_HARD);
	if (lt) {
		pol->hard.allocations = lt->sadb_lifetime_allocations;
		pol->hard.bytes = lt->sadb_lifetime_bytes;
		pol->hard.addtime = lt->sadb_lifetime_addtime;
		pol->hard.usetime = lt->sadb_lifetime_usetime;
	}
	lt = ipsec_pfkey_lifetime(m, SADB_EXT_LIFETIME_SOFT);
	if (lt) {
		pol->soft.allocations = lt->sadb_lifetime_allocations;
		pol->soft.bytes = lt->sadb_lifetime_bytes;
		pol->soft.addtime = lt->sadb_lifetime_addtime;
		pol->soft.usetime = lt->sadb_lifetime_usetime;
	}
	return 0;
}

/* Replies to SPDADD, SPDUPDATE, SPDDELETE and SPDDELETE2 go to every
 * socket, echoing seq and pid, as af_key and KAME send them.
 */
static int ipsec_pfkey_policy_event(const struct ipsec_pfkey_req *req,
				    const struct ipsec_policy *pol, u8 type)
{
	struct sk_buff *skb;

	ipsec_xfrm_nl_policy_event(pol, type == SADB_X_SPDADD ?
				   XFRM_MSG_NEWPOLICY :
				   type == SADB_X_SPDUPDATE ?
				   XFRM_MSG_UPDPOLICY : XFRM_MSG_DELPOLICY,
				   ipsec_req_seq(req), 0);
	skb = ipsec_pfkey_policy_msg(pol, type, ipsec_req_seq(req),
				     ipsec_req_pid(req), GFP_KERNEL);
	if (!skb) {
		/* made already: lost and counted, not an error (as SAs) */
		atomic64_inc(&req->in->pfkey_drops);
		return 0;
	}
	return ipsec_pfkey_send(req->in, skb, IPSEC_PFKEY_TO_ALL, 0, NULL);
}

static int ipsec_pfkey_spd_install(struct ipsec_pfkey_req *req, bool update)
{
	struct ipsec_policy *pol;
	int err;

	pol = ipsec_policy_alloc(req->in, GFP_KERNEL);
	if (!pol)
		return -ENOMEM;
	err = ipsec_pfkey_to_policy(&req->m, pol);
	if (err)
		goto out;
	ipsec_policy_hold(pol);		/* for the reply */
	err = ipsec_policy_insert(pol, update);
	if (err) {
		ipsec_policy_put(pol);
		goto out;
	}
	/* its X_POLICY carries the id the SPD gave the policy */
	err = ipsec_pfkey_policy_event(req, pol, update ? SADB_X_SPDUPDATE :
							  SADB_X_SPDADD);
out:
	ipsec_policy_put(pol);
	return err;
}

int ipsec_pfkey_spdadd(struct ipsec_pfkey_req *req)
{
	return ipsec_pfkey_spd_install(req, false);
}

int ipsec_pfkey_spdupdate(struct ipsec_pfkey_req *req)
{
	return ipsec_pfkey_spd_install(req, true);
}

int ipsec_pfkey_spddelete(struct ipsec_pfkey_req *req)
{
	struct ipsec_policy_key key;
	struct ipsec_policy *pol;
	int err;

	err = ipsec_pfkey_policy_key(&req->m, &key);
	if (err)
		return err;
	pol = ipsec_policy_get(req->in, &key);
	if (!pol)
		return -ENOENT;
	err = ipsec_policy_delete(pol);
	if (!err)
		err = ipsec_pfkey_policy_event(req, pol, SADB_X_SPDDELETE);
	ipsec_policy_put(pol);
	return err;
}

static struct ipsec_policy *
ipsec_pfkey_policy_by_id(struct ipsec_pfkey_req *req)
{
	return ipsec_policy_get_id(req->in,
				   ipsec_pfkey_policy(&req->m)->sadb_x_policy_id);
}

int ipsec_pfkey_spddelete2(struct ipsec_pfkey_req *req)
{
	struct ipsec_policy *pol = ipsec_pfkey_policy_by_id(req);
	int err;

	if (!pol)
		return -ENOENT;
	err = ipsec_policy_delete(pol);
	if (!err)
		err = ipsec_pfkey_policy_event(req, pol, SADB_X_SPDDELETE2);
	ipsec_policy_put(pol);
	return err;
}

/* To the asker only, with the last use time in LIFETIME_CURRENT. */
int ipsec_pfkey_spdget(struct ipsec_pfkey_req *req)
{
	struct ipsec_policy *pol = ipsec_pfkey_policy_by_id(req);
	struct sk_buff *skb;

	if (!pol)
		return -ENOENT;
	skb = ipsec_pfkey_policy_msg(pol, SADB_X_SPDGET, ipsec_req_seq(req),
				     ipsec_req_pid(req), GFP_KERNEL);
	ipsec_policy_put(pol);
	if (!skb)
		return -ENOBUFS;
	return ipsec_pfkey_send(req->in, skb, IPSEC_PFKEY_TO_ONE, 0,
				&req->ps->sk);
}

/* Streamed by pfkey.c's dump machinery, as SADB_DUMP is. */
int ipsec_pfkey_spddump(struct ipsec_pfkey_req *req)
{
	struct ipsec_pfkey_dump *d = &req->ps->dump;

	if (d->active)
		return -EBUSY;
	d->left = ipsec_spd_count(req->in);
	if (!d->left)
		return -ENOENT;		/* KAME: "No SPD entries." */
	d->active = true;
	d->table = IPSEC_PFKEY_DUMP_SPD;
	d->satype = SADB_SATYPE_UNSPEC;
	d->seq = ipsec_req_seq(req);
	d->pid = ipsec_req_pid(req);
	d->pending = NULL;
	ipsec_policy_walk_start(req->in, &d->pwalk);
	return ipsec_pfkey_dump_run(req->ps);
}

int ipsec_pfkey_spdflush(struct ipsec_pfkey_req *req)
{
	struct sk_buff *skb;

	skb = ipsec_pfkey_msg_alloc(sizeof(struct sadb_msg), GFP_KERNEL);
	if (!skb)
		return -ENOBUFS;
	ipsec_spd_flush(req->in);
	ipsec_xfrm_nl_policy_flush_event(req->in, ipsec_req_seq(req), 0);
	ipsec_pfkey_put_hdr(skb, SADB_X_SPDFLUSH, SADB_SATYPE_UNSPEC,
			    ipsec_req_seq(req), ipsec_req_pid(req));
	ipsec_pfkey_finish(skb);
	return ipsec_pfkey_send(req->in, skb, IPSEC_PFKEY_TO_ALL, 0, NULL);
}

/* From the SPD's expiry work: KAME's SPDEXPIRE, to every socket, with
 * the current and hard lifetimes.
 */
void ipsec_pfkey_policy_expired(struct ipsec_policy *pol)
{
	struct sk_buff *skb;

	skb = ipsec_pfkey_policy_msg(pol, SADB_X_SPDEXPIRE, 0, 0, GFP_KERNEL);
	if (!skb) {
		atomic64_inc(&pol->in->pfkey_drops);
		return;
	}
	ipsec_pfkey_send(pol->in, skb, IPSEC_PFKEY_TO_ALL, 0, NULL);
}
