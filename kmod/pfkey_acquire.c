// SPDX-License-Identifier: GPL-2.0
/*
 * SADB_ACQUIRE from the kernel. The message carries the SA's endpoints,
 * the policy (X_POLICY with its id: strongSwan finds its policy, hence
 * the reqid and traffic selectors, by that id) and a PROPOSAL with one
 * combination made of the namespace's default algorithms and the
 * OpenBSD lifetimes of the net.ipsec sysctls.
 *
 * Rate limiting is a small table per namespace, sets of slots chosen by a
 * hash of (policy id, request, endpoints), each slot holding a flow's hash
 * and when its next ACQUIRE may go. A flow finds its slot in its set, or
 * takes one whose time is up; when all are held by other flows still
 * waiting, it waits as well. So no flow gets ACQUIREs more often than
 * expire_acquire allows, whatever shares its set, and a namespace sends
 * at most IPSEC_ACQ_SLOTS of them per expire_acquire seconds. No lock and
 * no allocation: a race between CPUs costs at most one extra ACQUIRE.
 */
#include <linux/jhash.h>
#include <linux/slab.h>

#include "crypto.h"
#include "netns.h"
#include "pfkey.h"
#include "pfkey_acquire.h"
#include "xfrm_nl.h"

#define IPSEC_ACQ_WAYS	4
#define IPSEC_ACQ_SETS	128
#define IPSEC_ACQ_SLOTS	(IPSEC_ACQ_WAYS * IPSEC_ACQ_SETS)

struct ipsec_acq_slot {
	u32 hash;
	unsigned long next;		/* jiffies; 0: free */
};

static bool ipsec_acq_waiting(const struct ipsec_acq_slot *slot,
			      unsigned long now)
{
	unsigned long next = READ_ONCE(slot->next);

	return next && time_before(now, next);
}

static bool ipsec_acquire_due(struct ipsec_net *in, u32 pol_id,
			      unsigned int idx, const struct ipsec_sa_rid *rid)
{
	struct ipsec_acq_slot *set, *free = NULL;
	unsigned long now = jiffies, next;
	unsigned int i;
	u32 h;

	h = jhash(rid, sizeof(*rid), pol_id ^ (idx << 24));
	set = &in->acq[(h % IPSEC_ACQ_SETS) * IPSEC_ACQ_WAYS];
	for (i = 0; i < IPSEC_ACQ_WAYS; i++) {
		if (!ipsec_acq_waiting(&set[i], now))
			free = free ?: &set[i];
		else if (READ_ONCE(set[i].hash) == h)
			return false;
	}
	if (!free)
		return false;
	next = now + (unsigned long)READ_ONCE(in->cfg.expire_acquire) * HZ;
	WRITE_ONCE(free->hash, h);
	WRITE_ONCE(free->next, next ?: 1);
	return true;
}

/* The sysctl strings change under a mutex this context cannot take: a
 * copy torn by a concurrent write names no algorithm and is left out.
 */
static const struct ipsec_alg *ipsec_acquire_alg(const char *cfg,
						 enum ipsec_alg_kind kind)
{
	char name[IPSEC_ALGNAME_MAX];

	memcpy(name, cfg, sizeof(name));
	name[sizeof(name) - 1] = '\0';
	return ipsec_alg_by_name(kind, name);
}

static void ipsec_acquire_comb(struct ipsec_net *in, struct sadb_comb *c,
			       u8 proto)
{
	const struct ipsec_sysctl *cfg = &in->cfg;
	const struct ipsec_alg *e = NULL, *a;

	a = ipsec_acquire_alg(cfg->auth_alg, IPSEC_ALG_AUTH);
	if (proto == IPPROTO_ESP)
		e = ipsec_acquire_alg(cfg->enc_alg, IPSEC_ALG_ENC);
	if (proto == IPPROTO_COMP)
		e = ipsec_acquire_alg(cfg->comp_alg, IPSEC_ALG_COMP);
	if (e) {
		c->sadb_comb_encrypt = e->sadb_id;
		c->sadb_comb_encrypt_minbits = e->key_min;
		c->sadb_comb_encrypt_maxbits = e->key_max;
		/* the ICV comes with the cipher; GMAC's is AH's */
		if (e->aead || (a && a->aead))
			a = NULL;
	}
	if (a && proto != IPPROTO_COMP) {
		c->sadb_comb_auth = a->sadb_id;
		c->sadb_comb_auth_minbits = a->key_min;
		c->sadb_comb_auth_maxbits = a->key_max;
	}
	if (READ_ONCE(cfg->pfs))
		c->sadb_comb_flags |= SADB_SAFLAGS_PFS;
	c->sadb_comb_soft_allocations = READ_ONCE(cfg->soft_allocs);
	c->sadb_comb_hard_allocations = READ_ONCE(cfg->allocs);
	c->sadb_comb_soft_bytes = READ_ONCE(cfg->soft_bytes);
	c->sadb_comb_hard_bytes = READ_ONCE(cfg->bytes);
	c->sadb_comb_soft_addtime = READ_ONCE(cfg->soft_timeout);
	c->sadb_comb_hard_addtime = READ_ONCE(cfg->timeout);
	c->sadb_comb_soft_usetime = READ_ONCE(cfg->soft_firstuse);
	c->sadb_comb_hard_usetime = READ_ONCE(cfg->firstuse);
}

static void ipsec_acquire_addr(struct sk_buff *skb, u16 type, u8 family,
			       const xfrm_address_t *x)
{
	struct sadb_address *a;

	a = ipsec_pfkey_put_ext(skb, type, ipsec_pfkey_addr_len(family));
	a->sadb_address_proto = IPSEC_ULPROTO_ANY;
	a->sadb_address_prefixlen = family == AF_INET ? 32 : 128;
	ipsec_sockaddr_put(a + 1, family, x, 0);
}

void ipsec_pfkey_acquire_send(struct ipsec_net *in, u32 pol_id,
			      u32 priority, const struct ipsec_policy *pol,
			      unsigned int idx, const struct ipsec_sa_rid *rid,
			      const struct ipsec_flow *flow)
{
	u8 satype = ipsec_proto_satype(rid->proto);
	struct sadb_x_policy *xp;
	struct sadb_prop *prop;
	struct sk_buff *skb;
	struct sadb_msg *hdr;
	size_t len;

	bool pfkey = atomic_read(&in->pfkey_registered);
	bool xfrm = pol && ipsec_xfrm_nl_listening(in, XFRMNLGRP_ACQUIRE);
	u32 seq;

	if ((!pfkey && !xfrm) || !ipsec_acquire_due(in, pol_id, idx, rid))
		return;
	/* one sequence number for both: a key manager's reply names it */
	seq = atomic_inc_return(&in->acq_seq);
	if (xfrm)
		ipsec_xfrm_nl_acquire(in, pol, idx, rid, flow, seq);
	if (!pfkey)
		return;

	len = sizeof(struct sadb_msg) + 2 * ipsec_pfkey_addr_len(rid->family) +
	      sizeof(*xp) + sizeof(*prop) + sizeof(struct sadb_comb);
	skb = ipsec_pfkey_msg_alloc(len, GFP_ATOMIC);
	if (!skb) {
		atomic64_inc(&in->pfkey_drops);
		return;
	}
	hdr = ipsec_pfkey_put_hdr(skb, SADB_ACQUIRE, satype, seq, 0);
	ipsec_acquire_addr(skb, SADB_EXT_ADDRESS_SRC, rid->family, &rid->saddr);
	ipsec_acquire_addr(skb, SADB_EXT_ADDRESS_DST, rid->family, &rid->daddr);
	xp = ipsec_pfkey_put_ext(skb, SADB_X_EXT_POLICY, sizeof(*xp));
	xp->sadb_x_policy_type = IPSEC_POLICY_IPSEC;
	xp->sadb_x_policy_dir = IPSEC_DIR_OUTBOUND;
	xp->sadb_x_policy_id = pol_id;
	xp->sadb_x_policy_priority = priority;
	prop = ipsec_pfkey_put_ext(skb, SADB_EXT_PROPOSAL,
				   sizeof(*prop) + sizeof(struct sadb_comb));
	prop->sadb_prop_replay = 32;
	ipsec_acquire_comb(in, (struct sadb_comb *)(prop + 1), rid->proto);
	ipsec_pfkey_finish(skb);
	ipsec_pfkey_send(in, skb, IPSEC_PFKEY_TO_REGISTERED, hdr->sadb_msg_satype,
			 NULL);
}

int ipsec_acquire_net_init(struct ipsec_net *in)
{
	in->acq = kcalloc(IPSEC_ACQ_SLOTS, sizeof(*in->acq), GFP_KERNEL);
	if (!in->acq)
		return -ENOMEM;
	atomic_set(&in->acq_seq, 0);
	return 0;
}

void ipsec_acquire_net_exit(struct ipsec_net *in)
{
	kfree(in->acq);
	in->acq = NULL;
}
