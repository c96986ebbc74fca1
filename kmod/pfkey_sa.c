// SPDX-License-Identifier: GPL-2.0
/*
 * The SA messages of RFC 2367 3.1: GETSPI, UPDATE, ADD, DELETE, GET,
 * ACQUIRE (a key manager's error reply), REGISTER, EXPIRE (sent),
 * FLUSH, DUMP, X_PROMISC and X_NAT_T_NEW_MAPPING (sent). Each handler returns 0 once its reply is
 * queued, or a negative errno that the caller turns into an error reply.
 */
#include <linux/ipsec.h>
#include <linux/slab.h>

#include "crypto.h"
#include "netns.h"
#include "pfkey.h"
#include "xfrm_nl.h"

/* The reply to ADD/UPDATE/DELETE goes to every socket, keys left out
 * (RFC 2367 3.1.3, 3.1.4).
 */
static int ipsec_pfkey_sa_event(const struct ipsec_pfkey_req *req,
				const struct ipsec_sa *sa, u8 type)
{
	struct sk_buff *skb;

	ipsec_xfrm_nl_sa_event(sa, type == SADB_ADD ?
			       XFRM_MSG_NEWSA : type == SADB_UPDATE ?
			       XFRM_MSG_UPDSA : XFRM_MSG_DELSA,
			       ipsec_req_seq(req), 0);
	skb = ipsec_pfkey_sa_msg(sa, type, ipsec_req_seq(req),
				 ipsec_req_pid(req),
				 IPSEC_PFKEY_HARD | IPSEC_PFKEY_SOFT,
				 GFP_KERNEL);
	if (!skb) {
		/* the change is made: an error now would tell the sender it
		 * was not (a key manager would retry an ADD into EEXIST).
		 * Like af_key, the broadcast is lost, and counted.
		 */
		atomic64_inc(&req->in->pfkey_drops);
		return 0;
	}
	return ipsec_pfkey_send(req->in, skb, IPSEC_PFKEY_TO_ALL,
				sa->satype, NULL);
}

int ipsec_pfkey_getspi(struct ipsec_pfkey_req *req)
{
	const struct ipsec_pfkey_msg *m = &req->m;
	const struct sadb_spirange *r =
		(const void *)m->ext[SADB_EXT_SPIRANGE];
	const struct sadb_x_sa2 *sa2 = (const void *)m->ext[SADB_X_EXT_SA2];
	const struct sadb_address *src, *dst;
	u32 min = 0x100, max = U32_MAX;
	struct ipsec_sa *sa;
	struct sk_buff *skb;
	int proto, err;
	u8 family;

	proto = ipsec_satype_proto(m->hdr->sadb_msg_satype);
	if (proto < 0)
		return proto;
	if (r) {
		min = r->sadb_spirange_min;
		max = r->sadb_spirange_max;
	}
	if (proto == IPPROTO_COMP)	/* CPIs are 16 bits */
		max = min_t(u32, max, 0xffff);
	if (max < 0x100 || min > max)
		return -EINVAL;

	sa = ipsec_sa_alloc(req->in, GFP_KERNEL);
	if (!sa)
		return -ENOMEM;
	src = (const void *)m->ext[SADB_EXT_ADDRESS_SRC];
	dst = (const void *)m->ext[SADB_EXT_ADDRESS_DST];
	ipsec_sadb_addr_get(src, &family, &sa->rid.saddr, NULL);
	ipsec_sadb_addr_get(dst, &sa->id.family, &sa->id.daddr, NULL);
	sa->id.proto = proto;
	sa->rid.daddr = sa->id.daddr;
	sa->rid.proto = proto;
	sa->rid.family = sa->id.family;
	sa->prefix_s = src->sadb_address_prefixlen;
	sa->prefix_d = dst->sadb_address_prefixlen;
	sa->satype = m->hdr->sadb_msg_satype;
	sa->seq = ipsec_req_seq(req);
	sa->pid = ipsec_req_pid(req);
	if (sa2) {
		sa->mode = sa2->sadb_x_sa2_mode;
		sa->reqid = sa2->sadb_x_sa2_reqid;
		sa->rid.reqid = sa->reqid;
	}
	/* OpenBSD's ipsec-invalid-life: a larval SA not updated in time
	 * goes away.
	 */
	sa->hard.addtime = READ_ONCE(req->in->cfg.invalid_life);

	ipsec_sa_hold(sa);		/* ours; the tables get the other */
	err = ipsec_sa_alloc_spi(sa, min, max);
	if (err) {
		ipsec_sa_put(sa);
		ipsec_sa_put(sa);
		return err;
	}
	skb = ipsec_pfkey_sa_msg(sa, SADB_GETSPI, ipsec_req_seq(req),
				 ipsec_req_pid(req), 0, GFP_KERNEL);
	if (!skb) {
		/* nobody learnt the SPI: take the SA back */
		ipsec_sa_delete(sa);
		ipsec_sa_put(sa);
		return -ENOBUFS;
	}
	ipsec_sa_put(sa);
	return ipsec_pfkey_send(req->in, skb, IPSEC_PFKEY_TO_ONE, 0,
				&req->ps->sk);
}

static struct ipsec_sa *ipsec_pfkey_new_sa(struct ipsec_pfkey_req *req,
					   int *err)
{
	struct ipsec_sa *sa = ipsec_sa_alloc(req->in, GFP_KERNEL);

	if (!sa) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = ipsec_pfkey_to_sa(req, sa);
	if (*err) {
		ipsec_sa_put(sa);
		return NULL;
	}
	WRITE_ONCE(sa->state, IPSEC_SA_MATURE);
	return sa;
}

int ipsec_pfkey_add(struct ipsec_pfkey_req *req)
{
	struct ipsec_sa *sa;
	int err;

	sa = ipsec_pfkey_new_sa(req, &err);
	if (!sa)
		return err;
	ipsec_sa_hold(sa);		/* for the reply */
	err = ipsec_sa_insert(sa);
	if (err) {
		ipsec_sa_put(sa);
		ipsec_sa_put(sa);
		return err;
	}
	err = ipsec_pfkey_sa_event(req, sa, SADB_ADD);
	ipsec_sa_put(sa);
	return err;
}

int ipsec_pfkey_update(struct ipsec_pfkey_req *req)
{
	struct ipsec_sa *sa, *old;
	int err;

	sa = ipsec_pfkey_new_sa(req, &err);
	if (!sa)
		return err;
	/* af_key's xfrm_state_update() looks up with mark 0: an SA whose
	 * mark has a value is not PF_KEY's to update
	 */
	old = ipsec_sa_get(req->in, &sa->id, 0);
	if (!old) {
		ipsec_sa_put(sa);
		return -ESRCH;
	}
	ipsec_sa_hold(sa);		/* for the reply */
	err = ipsec_sa_replace(old, sa);
	ipsec_sa_put(old);
	if (err) {
		ipsec_sa_put(sa);
		ipsec_sa_put(sa);
		return err;
	}
	err = ipsec_pfkey_sa_event(req, sa, SADB_UPDATE);
	ipsec_sa_put(sa);
	return err;
}

/* The SA a DELETE or GET names, with a reference: af_key looks it up
 * with mark 0 (its DUMMY_MARK), so an SA whose mark has a value (XFRMA_MARK
 * v != 0) is not found over PF_KEY.
 */
static struct ipsec_sa *ipsec_pfkey_find(struct ipsec_pfkey_req *req,
					 int *err)
{
	struct ipsec_sa_id id;
	struct ipsec_sa *sa;

	*err = ipsec_pfkey_id(&req->m, &id);
	if (*err)
		return NULL;
	sa = ipsec_sa_get(req->in, &id, 0);
	if (!sa)
		*err = -ESRCH;
	return sa;
}

int ipsec_pfkey_delete(struct ipsec_pfkey_req *req)
{
	struct ipsec_sa *sa;
	int err;

	sa = ipsec_pfkey_find(req, &err);
	if (!sa)
		return err;
	err = ipsec_sa_delete(sa);
	if (!err)
		err = ipsec_pfkey_sa_event(req, sa, SADB_DELETE);
	ipsec_sa_put(sa);
	return err;
}

int ipsec_pfkey_get(struct ipsec_pfkey_req *req)
{
	struct ipsec_sa *sa;
	struct sk_buff *skb;
	int err;

	sa = ipsec_pfkey_find(req, &err);
	if (!sa)
		return err;
	/* the one reply that carries keys, to the asker only */
	skb = ipsec_pfkey_sa_msg(sa, SADB_GET, ipsec_req_seq(req),
				 ipsec_req_pid(req),
				 IPSEC_PFKEY_KEYS | IPSEC_PFKEY_LIFETIMES,
				 GFP_KERNEL);
	ipsec_sa_put(sa);
	if (!skb)
		return -ENOBUFS;
	return ipsec_pfkey_send(req->in, skb, IPSEC_PFKEY_TO_ONE, 0,
				&req->ps->sk);
}

/* RFC 2367 3.1.6: a key manager that cannot get an SA says so with an
 * ACQUIRE carrying sadb_msg_errno; it ends the wait for that ACQUIRE.
 * Held packets and pending acquires belong to the SPD (next step), so
 * for now only the form is checked.
 */
int ipsec_pfkey_acquire(struct ipsec_pfkey_req *req)
{
	if (!req->m.hdr->sadb_msg_errno)
		return -EINVAL;
	return 0;
}

/* The SUPPORTED_AUTH and SUPPORTED_ENCRYPT lists of every algorithm the
 * crypto API can really instantiate here.
 */
static struct sk_buff *ipsec_pfkey_supported(const struct ipsec_pfkey_req *req,
					     u8 satype)
{
	size_t len = sizeof(struct sadb_msg) +
		     2 * sizeof(struct sadb_supported) +
		     ipsec_alg_count() * sizeof(struct sadb_alg);
	struct sk_buff *skb = ipsec_pfkey_msg_alloc(len, GFP_KERNEL);
	enum ipsec_alg_kind kinds[2] = { IPSEC_ALG_AUTH, IPSEC_ALG_ENC };
	u16 exts[2] = { SADB_EXT_SUPPORTED_AUTH, SADB_EXT_SUPPORTED_ENCRYPT };
	int i;

	if (!skb)
		return NULL;
	ipsec_pfkey_put_hdr(skb, SADB_REGISTER, satype, ipsec_req_seq(req),
			    ipsec_req_pid(req));
	if (satype == SADB_X_SATYPE_IPCOMP) {
		kinds[1] = IPSEC_ALG_COMP;
		exts[0] = 0;
	} else if (satype == SADB_SATYPE_AH) {
		exts[1] = 0;
	}
	for (i = 0; i < 2; i++) {
		struct sadb_supported *sup;
		const struct ipsec_alg *a = NULL;

		if (!exts[i])
			continue;
		sup = skb_put_zero(skb, sizeof(*sup));
		sup->sadb_supported_exttype = exts[i];
		while ((a = ipsec_alg_next(kinds[i], a))) {
			struct sadb_alg *alg;

			if (!ipsec_alg_available(a))
				continue;
			/* GMAC authentication is AH's (RFC 4543 4) */
			if (kinds[i] == IPSEC_ALG_AUTH && a->aead &&
			    satype == SADB_SATYPE_ESP)
				continue;
			alg = skb_put_zero(skb, sizeof(*alg));
			alg->sadb_alg_id = a->sadb_id;
			alg->sadb_alg_ivlen = a->iv_len * 8;
			alg->sadb_alg_minbits = a->key_min;
			alg->sadb_alg_maxbits = a->key_max;
		}
		sup->sadb_supported_len = (skb_tail_pointer(skb) -
					   (u8 *)sup) / sizeof(u64);
	}
	ipsec_pfkey_finish(skb);
	return skb;
}

int ipsec_pfkey_register(struct ipsec_pfkey_req *req)
{
	u8 satype = req->m.hdr->sadb_msg_satype;
	struct sk_buff *skb;

	if (ipsec_satype_proto(satype) < 0)
		return -EINVAL;
	skb = ipsec_pfkey_supported(req, satype);
	if (!skb)
		return -ENOBUFS;
	/* pfkey_registered counts sockets, not the types they asked for */
	set_bit(satype, &req->ps->registered);
	if (!test_and_set_bit(IPSEC_PFKEY_REG_COUNTED, &req->ps->registered))
		atomic_inc(&req->in->pfkey_registered);
	/* RFC 2367 3.1.2: the reply goes to every socket registered for
	 * the type, the new one included
	 */
	return ipsec_pfkey_send(req->in, skb, IPSEC_PFKEY_TO_REGISTERED,
				satype, NULL);
}

int ipsec_pfkey_flush(struct ipsec_pfkey_req *req)
{
	u8 satype = req->m.hdr->sadb_msg_satype;
	struct sk_buff *skb;

	if (satype != SADB_SATYPE_UNSPEC && ipsec_satype_proto(satype) < 0)
		return -EINVAL;
	skb = ipsec_pfkey_msg_alloc(sizeof(struct sadb_msg), GFP_KERNEL);
	if (!skb)
		return -ENOBUFS;
	ipsec_sad_flush(req->in, satype);
	ipsec_xfrm_nl_sa_flush_event(req->in, satype ?
				     ipsec_satype_proto(satype) :
				     IPSEC_PROTO_ANY, ipsec_req_seq(req), 0);
	ipsec_pfkey_put_hdr(skb, SADB_FLUSH, satype, ipsec_req_seq(req),
			    ipsec_req_pid(req));
	ipsec_pfkey_finish(skb);
	return ipsec_pfkey_send(req->in, skb, IPSEC_PFKEY_TO_ALL, 0, NULL);
}

int ipsec_pfkey_dump(struct ipsec_pfkey_req *req)
{
	struct ipsec_pfkey_dump *d = &req->ps->dump;
	u8 satype = req->m.hdr->sadb_msg_satype;

	if (satype != SADB_SATYPE_UNSPEC && ipsec_satype_proto(satype) < 0)
		return -EINVAL;
	if (d->active)
		return -EBUSY;
	d->left = ipsec_sad_count(req->in, satype);
	if (!d->left)
		return -ENOENT;		/* KAME: "No SAD entries." */
	d->active = true;
	d->table = IPSEC_PFKEY_DUMP_SAD;
	d->satype = satype;
	d->seq = ipsec_req_seq(req);
	d->pid = ipsec_req_pid(req);
	d->pending = NULL;
	ipsec_sa_walk_start(req->in, &d->walk, satype);
	return ipsec_pfkey_dump_run(req->ps);
}

int ipsec_pfkey_promisc(struct ipsec_pfkey_req *req)
{
	struct sk_buff *skb;

	/* KAME: satype 1 turns it on, 0 off */
	WRITE_ONCE(req->ps->promisc, !!req->m.hdr->sadb_msg_satype);
	skb = ipsec_pfkey_copy_nokeys(req->m.hdr, GFP_KERNEL);
	if (!skb)
		return -ENOBUFS;
	return ipsec_pfkey_send(req->in, skb, IPSEC_PFKEY_TO_ONE, 0,
				&req->ps->sk);
}

/* From the SAD's timer: RFC 2367 3.1.7, to the sockets registered for
 * the type; only the lifetime that ran out, beside the current one.
 */
void ipsec_pfkey_sa_expired(struct ipsec_sa *sa, bool hard)
{
	struct sk_buff *skb;

	skb = ipsec_pfkey_sa_msg(sa, SADB_EXPIRE, 0, 0,
				 IPSEC_PFKEY_CURRENT |
				 (hard ? IPSEC_PFKEY_HARD : IPSEC_PFKEY_SOFT),
				 GFP_ATOMIC);
	if (!skb) {
		atomic64_inc(&sa->in->pfkey_drops);
		return;
	}
	ipsec_pfkey_send(sa->in, skb, IPSEC_PFKEY_TO_REGISTERED, sa->satype,
			 NULL);
}

/* From the datapath (udpencap.c): a NAT changed an SA's peer's mapping. */
void ipsec_pfkey_new_mapping(struct ipsec_sa *sa, const xfrm_address_t *saddr,
			     __be16 sport)
{
	struct sk_buff *skb;

	skb = ipsec_pfkey_mapping_msg(sa, saddr, sport, GFP_ATOMIC);
	if (!skb) {
		atomic64_inc(&sa->in->pfkey_drops);
		return;
	}
	ipsec_pfkey_send(sa->in, skb, IPSEC_PFKEY_TO_REGISTERED, sa->satype,
			 NULL);
}
