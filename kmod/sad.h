/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Security Association Database: one per namespace. An SA is named
 * by (destination, SPI, protocol) and is unidirectional.
 */
#ifndef IPSEC_SAD_H
#define IPSEC_SAD_H

#include <linux/in.h>
#include <linux/ipsec.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/pfkeyv2.h>
#include <linux/xfrm.h>

#include "replay.h"
#include "spd_class.h"

struct ipsec_net;
struct ipsec_alg;
struct crypto_aead;
struct crypto_ahash;
struct ipsec_ipcomp_cpu;

/* RFC 2367 2.3.1 states */
enum ipsec_sa_state {
	IPSEC_SA_LARVAL,
	IPSEC_SA_MATURE,
	IPSEC_SA_DYING,		/* soft lifetime passed */
	IPSEC_SA_DEAD,		/* removed from the tables */
};

/* What names an SA (RFC 4301 4.1); also the lookup key. */
struct ipsec_sa_id {
	xfrm_address_t daddr;
	__be32 spi;
	u8 proto;		/* IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP */
	u8 family;		/* AF_INET, AF_INET6 */
	u16 zero;		/* keeps the key free of holes */
};

/* What the SPD asks for: an SA between two hosts for one request. */
struct ipsec_sa_rid {
	xfrm_address_t saddr;
	xfrm_address_t daddr;
	u32 reqid;
	u8 proto;
	u8 family;
	u16 zero;
	/* XFRM's if_id: an SA serves only the policies of its own (0 for
	 * those of no XFRM interface, and for PF_KEY's SAs)
	 */
	u32 if_id;
};

/* RFC 2367 2.3.3: the four limits, as a hard, soft or current lifetime.
 * Times are seconds; in LIFETIME_CURRENT they are absolute.
 */
struct ipsec_lifetime {
	u64 allocations;
	u64 bytes;
	u64 addtime;
	u64 usetime;
};

/* An extension kept verbatim to be echoed back by GET and DUMP. */
struct ipsec_blob {
	u32 len;		/* an extension reaches 65535 * 8 bytes */
	u8 data[];
};

/* An entry of sad.all: an SA or a dump cursor. */
struct ipsec_sad_node {
	struct list_head list;
	bool walker;
};

struct ipsec_route_cache;

/* The SAs of one rid (sad.by_rid), newest first by add time: the SPD's
 * choice is the first mature one that serves the request, so a lookup
 * reads one entry however many SAs share the rid, and an SA leaves the
 * list in O(1). Freed after a grace period once empty.
 */
struct ipsec_sa_group {
	struct rhash_head node;		/* sad.by_rid */
	struct ipsec_sa_rid rid;
	struct list_head sas;		/* ipsec_sa.rlist; RCU */
	struct rcu_head rcu;
};

struct ipsec_sa {
	struct rhlist_head node;	/* sad.by_id */
	struct list_head rlist;		/* group->sas, under sad.lock */
	struct ipsec_sa_group *group;	/* while in sad.by_rid */
	struct ipsec_sad_node all;	/* sad.all, for dumps and flushes */
	struct ipsec_sa_id id;
	struct ipsec_sa_rid rid;
	refcount_t refcnt;
	struct rcu_head rcu;
	struct llist_node gc;		/* waiting to be freed */
	struct ipsec_net *in;

	/* Set before the SA is published and never changed after. */
	u8 satype;			/* SADB_SATYPE_* */
	u8 mode;			/* IPSEC_MODE_ANY/TRANSPORT/TUNNEL */
	u8 prefix_s, prefix_d, ul_proto;
	u8 replay_window;
	u32 flags;			/* sadb_sa_flags */
	u32 reqid;
	u32 seq, pid;			/* of the message that made it */
	const struct ipsec_alg *ealg, *aalg, *calg;
	u8 *ekey, *akey;		/* zeroed when freed */
	u16 ekey_bits, akey_bits;
	struct ipsec_lifetime hard, soft;
	u8 natt_type;
	__be16 natt_sport, natt_dport;
	xfrm_address_t natt_oa;
	struct ipsec_blob *ident_src, *ident_dst, *kmprivate;
	/* ESP: cipher and ICV (esp.c); AH: GMAC (ah.c) */
	struct crypto_aead *aead;
	struct crypto_ahash *ahash;	/* AH: the keyed hash (ah.c) */
	/* IPComp: the per-CPU compressors (ipcomp.c) */
	struct ipsec_ipcomp_cpu __percpu *comp;
	/* The traffic selector XFRM gives an SA, kept to be echoed back
	 * (family AF_UNSPEC: none given; PF_KEY has only the prefixes
	 * and ul_proto above). Not used on the packet path.
	 */
	struct ipsec_selector sel;
	u8 xfrm_flags;			/* XFRM_STATE_AF_UNSPEC, _ICMP */
	/* XFRM marks (0/0 from PF_KEY): the SA serves packets and policies
	 * whose mark m has (m & mark.m) == mark.v; smark is the output
	 * mark its packets get (XFRMA_SET_MARK, _MASK).
	 */
	struct xfrm_mark mark, smark;
	/* ESP: pad the payload up to this many bytes (XFRMA_TFCPAD; RFC
	 * 4303 2.7 traffic flow confidentiality), within the path MTU
	 */
	u32 tfcpad;
	/* the outer route of its packets, per CPU (route_cache.c); set at
	 * the first one
	 */
	struct ipsec_route_cache __percpu *route;

	/* Under sad.lock. */
	u8 state;			/* read locklessly by the datapath */
	bool soft_sent;
	time64_t add_time;		/* real time, seconds */
	time64_t use_time;		/* 0 until first use */
	struct timer_list timer;	/* next time-based expiry */

	/* Bumped by the datapath. */
	atomic64_t cur_bytes;
	atomic64_t cur_packets;
	struct ipsec_oseq oseq;		/* outbound sequence numbers */
	struct ipsec_replay replay;	/* inbound window */
	bool exhausted;			/* sequence space used up */
	unsigned long natt_mapping_at;	/* jiffies of the last NEW_MAPPING */
};

/* ESN (RFC 4303 2.2.1), as pfkeyctl and strongSwan ask for it */
#define IPSEC_SA_ESN	0x400		/* SADB_X_SAFLAGS_ESN */

static inline bool ipsec_sa_esn(const struct ipsec_sa *sa)
{
	return sa->flags & IPSEC_SA_ESN;
}

/* Has the SA what its packets need: ESP its AEAD, AH its hash, IPComp
 * its compressors?
 */
static inline bool ipsec_sa_has_xform(const struct ipsec_sa *sa)
{
	switch (sa->id.proto) {
	case IPPROTO_ESP:
		return sa->aead;
	case IPPROTO_AH:
		return sa->ahash || sa->aead;
	case IPPROTO_COMP:
		return sa->comp;
	default:
		return false;
	}
}

/* XFRM's xfrm_state_lookup() test: does the SA serve mark @m? */
static inline bool ipsec_sa_mark_match(const struct ipsec_sa *sa, u32 m)
{
	return (m & sa->mark.m) == sa->mark.v;
}

/* XFRM's xfrm_smark_get(): @m as the SA's output mark leaves it. */
static inline u32 ipsec_sa_smark(const struct ipsec_sa *sa, u32 m)
{
	return (m & ~sa->smark.m) | (sa->smark.v & sa->smark.m);
}

static inline bool ipsec_sa_usable(const struct ipsec_sa *sa)
{
	u8 state = READ_ONCE(sa->state);

	return state == IPSEC_SA_MATURE || state == IPSEC_SA_DYING;
}

/* Would @sa serve a request of @mode under a policy of @mark, state
 * aside? A mode any on either side serves both, and the SA's mark must
 * match the policy's (XFRM's xfrm_state_find()).
 */
static inline bool ipsec_sa_serves(const struct ipsec_sa *sa, u8 mode,
				   u32 mark)
{
	return (sa->mode == IPSEC_MODE_ANY || mode == IPSEC_MODE_ANY ||
		sa->mode == mode) && ipsec_sa_mark_match(sa, mark);
}

/* Per-namespace SAD. Writers hold lock (BH-safe: lifetimes expire from a
 * timer); readers use RCU and take a reference to keep an SA.
 * by_id holds every SA under its name; as in XFRM, SAs with one name may
 * coexist under marks that set them apart (ipsec_sa_insert()), newest
 * first in the name's list, and a lookup takes the first whose mark
 * serves the mark it is given.
 */
struct ipsec_sad {
	spinlock_t lock;		/* writers; BH-safe */
	struct rhltable by_id;
	struct rhashtable by_rid;	/* ipsec_sa_group by rid */
	struct list_head all;		/* SAs and dump walkers */
	unsigned int count;		/* SAs in the tables */
	unsigned int count_type[SADB_SATYPE_MAX + 1];
	u32 spi_hint;
	atomic_t live;			/* SAs allocated, not yet destroyed */
	/* an SA kept an IPv6 route (route_cache.c): its release, deferred
	 * by RCU, must not outlive IPv6's per-namespace state
	 */
	bool route6;
};

/* Dump cursor: sits in sad.all between the entries already sent and the
 * rest, so a dump survives any number of pauses, adds and deletes.
 */
struct ipsec_sa_walk {
	struct ipsec_sad_node all;
	u8 satype;			/* SADB_SATYPE_UNSPEC: all */
};

int ipsec_sad_init(void);
void ipsec_sad_uninit(void);
int ipsec_sad_net_init(struct ipsec_net *in);
void ipsec_sad_net_exit(struct ipsec_net *in);

struct ipsec_sa *ipsec_sa_alloc(struct ipsec_net *in, gfp_t gfp);
void ipsec_sa_put(struct ipsec_sa *sa);
static inline void ipsec_sa_hold(struct ipsec_sa *sa)
{
	refcount_inc(&sa->refcnt);
}

/* Under RCU, no reference: the newest SA named @id that serves @mark. */
struct ipsec_sa *ipsec_sa_lookup_rcu(struct ipsec_net *in,
				     const struct ipsec_sa_id *id, u32 mark);
/* The same with a reference, or NULL. */
struct ipsec_sa *ipsec_sa_get(struct ipsec_net *in,
			      const struct ipsec_sa_id *id, u32 mark);
struct ipsec_sa *ipsec_sa_find_rid_rcu(struct ipsec_net *in,
				       const struct ipsec_sa_rid *rid, u8 mode,
				       u32 mark);
struct ipsec_sa *ipsec_sa_find_rid(struct ipsec_net *in,
				   const struct ipsec_sa_rid *rid, u8 mode,
				   u32 mark);
struct ipsec_sa *ipsec_sa_find_rid_match(struct ipsec_net *in,
					 const struct ipsec_sa_rid *rid,
					 bool (*match)(const struct ipsec_sa *sa,
						       const void *arg),
					 const void *arg);

int ipsec_sa_insert(struct ipsec_sa *sa);
int ipsec_sa_replace(struct ipsec_sa *old, struct ipsec_sa *sa);
int ipsec_sa_migrate(struct ipsec_sa *old, struct ipsec_sa *sa);
int ipsec_sa_delete(struct ipsec_sa *sa);
unsigned int ipsec_sad_flush(struct ipsec_net *in, u8 proto);
int ipsec_sa_alloc_spi(struct ipsec_sa *sa, u32 min, u32 max);

void ipsec_sa_walk_start(struct ipsec_net *in, struct ipsec_sa_walk *w,
			 u8 satype);
struct ipsec_sa *ipsec_sa_walk_next(struct ipsec_net *in,
				    struct ipsec_sa_walk *w);
void ipsec_sa_walk_done(struct ipsec_net *in, struct ipsec_sa_walk *w);
unsigned int ipsec_sad_count(struct ipsec_net *in, u8 satype);

void ipsec_sa_lifetime_current(const struct ipsec_sa *sa,
			       struct ipsec_lifetime *cur);
int ipsec_sa_set_current(struct ipsec_sa *sa,
			 const struct ipsec_lifetime *cur);
void ipsec_sa_arm_timer(struct ipsec_sa *sa);
bool ipsec_sa_account(struct ipsec_sa *sa, unsigned int bytes);
void ipsec_sa_exhausted(struct ipsec_sa *sa);

/* Lifetime events, delivered to PF_KEY (pfkey_sa.c) */
void ipsec_pfkey_sa_expired(struct ipsec_sa *sa, bool hard);
void ipsec_pfkey_new_mapping(struct ipsec_sa *sa, const xfrm_address_t *saddr,
			     __be16 sport);

#endif /* IPSEC_SAD_H */
