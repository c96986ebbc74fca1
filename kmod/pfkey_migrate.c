// SPDX-License-Identifier: GPL-2.0
/*
 * KAME/Linux X_MIGRATE (RFC 4555 MOBIKE): the policy named by selector
 * (ADDRESS_SRC/DST) and direction (X_POLICY) and its SAs move to new
 * endpoints. X_POLICY carries the entries as (old, new) pairs of
 * sadb_x_ipsecrequests, each with its endpoints; the old one says the
 * protocol, mode and reqid (0: any); KMADDRESS, the key managers' own
 * addresses, is optional. migrate.c does the work; the announcement to
 * PF_KEY sockets is built as af_key's pfkey_send_migrate() builds it,
 * whichever interface the request came in on.
 */
#include <linux/ipsec.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "migrate.h"
#include "netns.h"
#include "pfkey.h"

static void ipsec_pfkey_req_endpoints(const struct sadb_x_ipsecrequest *rq,
				      u8 *family, xfrm_address_t *saddr,
				      xfrm_address_t *daddr)
{
	const struct sockaddr *s, *d;
	__be16 port;

	/* the parser checked both are there, of one family */
	ipsec_pfkey_ipsecrequest_addrs(rq, &s, &d);
	*family = s->sa_family;
	ipsec_sockaddr_get(s, saddr, &port);
	ipsec_sockaddr_get(d, daddr, &port);
}

/* One (old, new) pair; af_key takes mode "any" as transport. */
static void ipsec_pfkey_migrate_entry(struct ipsec_migrate *m,
				      const struct sadb_x_ipsecrequest *from,
				      const struct sadb_x_ipsecrequest *to)
{
	memset(m, 0, sizeof(*m));
	m->proto = from->sadb_x_ipsecrequest_proto;
	m->mode = from->sadb_x_ipsecrequest_mode ?: IPSEC_MODE_TRANSPORT;
	m->reqid = from->sadb_x_ipsecrequest_reqid;
	ipsec_pfkey_req_endpoints(from, &m->old_family, &m->old_saddr,
				  &m->old_daddr);
	ipsec_pfkey_req_endpoints(to, &m->new_family, &m->new_saddr,
				  &m->new_daddr);
}

static int ipsec_pfkey_migrate_get(const struct ipsec_pfkey_msg *msg,
				   struct ipsec_migration *mg)
{
	const struct sadb_x_policy *xp = ipsec_pfkey_policy(msg);
	const struct sadb_x_ipsecrequest *rq, *next;
	const struct sockaddr *local, *remote;
	__be16 port;
	int err;

	err = ipsec_pfkey_policy_key(msg, &mg->key);
	if (err)
		return err;
	for (rq = ipsec_pfkey_ipsecrequest_next(xp, NULL); rq;
	     rq = ipsec_pfkey_ipsecrequest_next(xp, next)) {
		next = ipsec_pfkey_ipsecrequest_next(xp, rq);
		/* the parser counted the requests: an even number */
		if (!next || mg->n == IPSEC_MIGRATE_MAX)
			return -EINVAL;
		ipsec_pfkey_migrate_entry(&mg->m[mg->n++], rq, next);
	}
	ipsec_pfkey_kmaddress(msg, &local, &remote);
	if (local) {
		mg->has_km = true;
		mg->km_family = local->sa_family;
		ipsec_sockaddr_get(local, &mg->km_local, &port);
		ipsec_sockaddr_get(remote, &mg->km_remote, &port);
	}
	return 0;
}

/* The request is answered by the announcement, which every socket gets,
 * the sender included (af_key: no reply of its own). Unlike af_key's, it
 * echoes the request's seq and pid, as the replies to the other KAME
 * policy messages do, so that the sender can tell its answer.
 */
int ipsec_pfkey_migrate(struct ipsec_pfkey_req *req)
{
	struct ipsec_migration *mg;
	int err;

	mg = kzalloc(sizeof(*mg), GFP_KERNEL);
	if (!mg)
		return -ENOMEM;
	err = ipsec_pfkey_migrate_get(&req->m, mg);
	mg->pfkey_seq = ipsec_req_seq(req);
	mg->pfkey_pid = ipsec_req_pid(req);
	if (!err)
		err = ipsec_migrate(req->in, mg, NULL);
	kfree(mg);
	return err;
}

/* ---- the announcement ---- */

static size_t ipsec_pfkey_pair_len(u8 family)
{
	return ALIGN(2 * ipsec_salen(family), 8);
}

static size_t ipsec_pfkey_migrate_policy_len(const struct ipsec_migration *mg)
{
	size_t len = sizeof(struct sadb_x_policy);
	unsigned int i;

	for (i = 0; i < mg->n; i++)
		len += 2 * sizeof(struct sadb_x_ipsecrequest) +
		       ipsec_pfkey_pair_len(mg->m[i].old_family) +
		       ipsec_pfkey_pair_len(mg->m[i].new_family);
	return len;
}

static void ipsec_pfkey_put_pair(void *p, u8 family, const xfrm_address_t *s,
				 const xfrm_address_t *d)
{
	ipsec_sockaddr_put(p, family, s, 0);
	ipsec_sockaddr_put((u8 *)p + ipsec_salen(family), family, d, 0);
}

/* One ipsecrequest of an entry at *off in xp: level unique with a
 * reqid, require without, as af_key writes them.
 */
static void ipsec_pfkey_put_migrate_req(struct sadb_x_policy *xp,
					size_t *off,
					const struct ipsec_migrate *m,
					u8 family, const xfrm_address_t *s,
					const xfrm_address_t *d)
{
	struct sadb_x_ipsecrequest *rq = (void *)((u8 *)xp + *off);

	rq->sadb_x_ipsecrequest_len = sizeof(*rq) +
				      ipsec_pfkey_pair_len(family);
	rq->sadb_x_ipsecrequest_proto = m->proto;
	rq->sadb_x_ipsecrequest_mode = m->mode;
	rq->sadb_x_ipsecrequest_level = m->reqid ? IPSEC_LEVEL_UNIQUE :
						   IPSEC_LEVEL_REQUIRE;
	rq->sadb_x_ipsecrequest_reqid = m->reqid;
	ipsec_pfkey_put_pair(rq + 1, family, s, d);
	*off += rq->sadb_x_ipsecrequest_len;
}

static void ipsec_pfkey_put_migrate_policy(struct sk_buff *skb,
					   const struct ipsec_migration *mg,
					   size_t len)
{
	struct sadb_x_policy *xp;
	size_t off = sizeof(*xp);
	unsigned int i;

	xp = ipsec_pfkey_put_ext(skb, SADB_X_EXT_POLICY, len);
	xp->sadb_x_policy_type = IPSEC_POLICY_IPSEC;
	xp->sadb_x_policy_dir = mg->key.dir;
	for (i = 0; i < mg->n; i++) {
		const struct ipsec_migrate *m = &mg->m[i];

		ipsec_pfkey_put_migrate_req(xp, &off, m, m->old_family,
					    &m->old_saddr, &m->old_daddr);
		ipsec_pfkey_put_migrate_req(xp, &off, m, m->new_family,
					    &m->new_saddr, &m->new_daddr);
	}
}

/* af_key writes the XFRM selector's protocol: 0, not KAME's 255, for any */
static void ipsec_pfkey_put_migrate_sel(struct sk_buff *skb, u16 type,
					const struct ipsec_selector *sel,
					bool src)
{
	struct sadb_address *a = (void *)skb_tail_pointer(skb);

	ipsec_spd_put_addr(skb, type, sel, src);
	if (a->sadb_address_proto == IPSEC_ULPROTO_ANY)
		a->sadb_address_proto = 0;
}

static void ipsec_pfkey_put_km(struct sk_buff *skb,
			       const struct ipsec_migration *mg)
{
	struct sadb_x_kmaddress *k;

	k = ipsec_pfkey_put_ext(skb, SADB_X_EXT_KMADDRESS, sizeof(*k) +
				ipsec_pfkey_pair_len(mg->km_family));
	k->sadb_x_kmaddress_reserved = mg->km_reserved;
	ipsec_pfkey_put_pair(k + 1, mg->km_family, &mg->km_local,
			     &mg->km_remote);
}

void ipsec_pfkey_migrate_event(struct ipsec_net *in,
			       const struct ipsec_migration *mg)
{
	const struct ipsec_selector *sel = &mg->key.sel;
	size_t len, plen = ipsec_pfkey_migrate_policy_len(mg);
	bool km = mg->has_km && (mg->km_family == AF_INET ||
				 mg->km_family == AF_INET6);
	struct sk_buff *skb;

	len = sizeof(struct sadb_msg) + 2 * ipsec_pfkey_addr_len(sel->family) +
	      plen;
	if (km)
		len += sizeof(struct sadb_x_kmaddress) +
		       ipsec_pfkey_pair_len(mg->km_family);
	skb = ipsec_pfkey_msg_alloc(len, GFP_KERNEL);
	if (!skb) {
		atomic64_inc(&in->pfkey_drops);
		return;
	}
	ipsec_pfkey_put_hdr(skb, SADB_X_MIGRATE,
			    ipsec_proto_satype(mg->m[0].proto), mg->pfkey_seq,
			    mg->pfkey_pid);
	if (km)
		ipsec_pfkey_put_km(skb, mg);
	ipsec_pfkey_put_migrate_sel(skb, SADB_EXT_ADDRESS_SRC, sel, true);
	ipsec_pfkey_put_migrate_sel(skb, SADB_EXT_ADDRESS_DST, sel, false);
	ipsec_pfkey_put_migrate_policy(skb, mg, plen);
	ipsec_pfkey_finish(skb);
	ipsec_pfkey_send(in, skb, IPSEC_PFKEY_TO_ALL, 0, NULL);
}
