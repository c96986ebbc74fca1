/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Security Policy Database: one per namespace (RFC 4301 4.4.1). A
 * policy names traffic by a selector and a direction and says what to do
 * with it: discard, let it through, or protect it with up to four SAs.
 * Lookups for packets go through ipsec_spd_lookup_rcu() only.
 */
#ifndef IPSEC_SPD_H
#define IPSEC_SPD_H

#include <linux/ipsec.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/xfrm.h>

#include "sad.h"
#include "spd_class.h"

struct ipsec_net;

/* Transforms per policy: IPComp, ESP and AH, plus one for a nested
 * tunnel (Linux allows 6; no key manager sends more than 3).
 */
#define IPSEC_SPD_MAX_REQS	4

/* What names a policy: its selector and direction; the rhashtable key. */
struct ipsec_policy_key {
	struct ipsec_selector sel;
	u8 dir;				/* IPSEC_DIR_INBOUND/OUTBOUND/FWD */
	u8 zero[3];			/* keeps the key free of holes */
};

/* One KAME sadb_x_ipsecrequest: a transform to apply, in order. */
struct ipsec_policy_req {
	xfrm_address_t saddr;		/* tunnel endpoints, when family */
	xfrm_address_t daddr;
	u32 reqid;
	u8 proto;			/* IPPROTO_ESP, _AH, _COMP */
	u8 mode;			/* IPSEC_MODE_TRANSPORT, _TUNNEL */
	u8 level;			/* IPSEC_LEVEL_* */
	u8 family;			/* of the endpoints; AF_UNSPEC: none */
	/* The SPI an XFRM template may name (strongSwan names the SA of
	 * its outbound policies): kept to be echoed back; the packet path
	 * picks by reqid and endpoints, the newest SA first.
	 */
	__be32 spi;
};

/* An entry of spd.all: a policy or a dump cursor. */
struct ipsec_spd_node {
	struct list_head list;
	bool walker;
};

struct ipsec_policy {
	struct rhash_head node;		/* spd.by_key */
	struct ipsec_spd_node all;	/* spd.all, for dumps and flushes */
	struct ipsec_policy_key key;
	refcount_t refcnt;
	/* spd.cls[key.dir - 1]; with the selector's tail, one cache line */
	struct ipsec_cls_node cls;
	struct rcu_head rcu;
	struct ipsec_net *in;

	/* Set before the policy is published and never changed after;
	 * UPDATE and MIGRATE publish a new policy in the old one's place.
	 */
	u32 id;				/* spd.by_id; low 3 bits: dir */
	u32 priority;			/* lower wins */
	u8 action;			/* IPSEC_POLICY_DISCARD/NONE/IPSEC */
	u8 nreqs;
	struct ipsec_policy_req req[IPSEC_SPD_MAX_REQS];
	struct ipsec_lifetime hard, soft;
	time64_t add_time;		/* real time, seconds */

	/* Under spd.lock. */
	bool dead;			/* out of the tables */
	struct delayed_work expire;	/* the hard lifetime, when set */

	/* Written by the datapath with WRITE_ONCE(); 0 until first use. */
	time64_t use_time;
};

/*
 * Per-namespace SPD. Writers hold lock (a mutex: nothing changes the
 * SPD from softirq); packet-path readers search cls[] under RCU and take
 * no lock; other readers take a reference.
 */
struct ipsec_spd {
	struct mutex lock;		/* writers; dump cursors */
	struct rhashtable by_key;
	struct xarray by_id;
	/* per direction: the lowest priority, then the oldest, wins */
	struct ipsec_cls cls[IPSEC_DIR_FWD];
	struct list_head all;		/* policies and dump walkers */
	unsigned int count;
	/* outbound policies with a mark mask: LOCAL_OUT decides after the
	 * mangle and nat rules then (hooks.c), as XFRM looks up again
	 */
	unsigned int out_marked;
	u32 id_gen;			/* next id >> 3 */
};

/* Dump cursor in spd.all, as struct ipsec_sa_walk is in sad.all. */
struct ipsec_policy_walk {
	struct ipsec_spd_node all;
};

int ipsec_spd_init(void);
void ipsec_spd_uninit(void);
int ipsec_spd_net_init(struct ipsec_net *in);
void ipsec_spd_net_exit(struct ipsec_net *in);

struct ipsec_policy *ipsec_policy_alloc(struct ipsec_net *in, gfp_t gfp);
struct ipsec_policy *ipsec_policy_clone(const struct ipsec_policy *old,
					gfp_t gfp);
void ipsec_policy_put(struct ipsec_policy *pol);
static inline void ipsec_policy_hold(struct ipsec_policy *pol)
{
	refcount_inc(&pol->refcnt);
}

/* For the datapath: the policy was just applied to a packet. */
static inline void ipsec_policy_used(struct ipsec_policy *pol, time64_t now)
{
	if (READ_ONCE(pol->use_time) != now)
		WRITE_ONCE(pol->use_time, now);
}

/* The mark an SA must serve to be used for @pol's requests (XFRM's
 * xfrm_state_find(): the policy's value under its mask; 0 for none).
 */
static inline u32 ipsec_policy_sa_mark(const struct ipsec_policy *pol)
{
	return pol ? pol->key.sel.mark_v & pol->key.sel.mark_m : 0;
}

struct ipsec_policy *ipsec_spd_lookup_rcu(struct ipsec_net *in, u8 dir,
					  const struct ipsec_flow *flow);
struct ipsec_policy *ipsec_policy_get(struct ipsec_net *in,
				      const struct ipsec_policy_key *key);
struct ipsec_policy *ipsec_policy_get_id(struct ipsec_net *in, u32 id);

int ipsec_policy_insert(struct ipsec_policy *pol, bool update);
int ipsec_policy_replace(struct ipsec_policy *old, struct ipsec_policy *pol,
			 int (*before)(void *arg), void *arg);
int ipsec_policy_delete(struct ipsec_policy *pol);
unsigned int ipsec_spd_flush(struct ipsec_net *in);
unsigned int ipsec_spd_count(struct ipsec_net *in);

void ipsec_policy_walk_start(struct ipsec_net *in, struct ipsec_policy_walk *w);
struct ipsec_policy *ipsec_policy_walk_next(struct ipsec_net *in,
					    struct ipsec_policy_walk *w);
void ipsec_policy_walk_done(struct ipsec_net *in, struct ipsec_policy_walk *w);

/* The hard lifetime ran out: delivered to PF_KEY (pfkey_spd.c) */
void ipsec_pfkey_policy_expired(struct ipsec_policy *pol);

#endif /* IPSEC_SPD_H */
