/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SPD's packet classifier: tuple space search. Rules (policies) are
 * grouped by "tuple": family, the two prefix lengths, whether the
 * protocol and each port are given or "any", and the mark's mask. Within a tuple every field
 * is an exact match once masked (the if_id always exact), so one hash probe per tuple finds the
 * candidates. One classifier per direction; it knows nothing of policies
 * beyond the selector, the priority and the node embedded in them.
 *
 * Writers are serialized by the mutex given to ipsec_cls_init() and may
 * sleep; ipsec_cls_lookup() runs under rcu_read_lock() and takes no lock.
 * Only a few kernel interfaces are used, so that the file also builds in
 * userland for tests/unit/spd_class.
 */
#ifndef IPSEC_SPD_CLASS_H
#define IPSEC_SPD_CLASS_H

#include <linux/types.h>
#include <linux/xfrm.h>

struct mutex;

/*
 * RFC 4301 4.4.1.1 selectors, as PF_KEY carries them (RFC 2367 2.3.4):
 * prefixes, the upper-layer protocol and ports. strongSwan puts the ICMP
 * type in sport and the code in dport. Addresses are kept as given, host
 * bits included, so that SPDDELETE names a policy exactly as KAME does.
 */
struct ipsec_selector {
	xfrm_address_t saddr;
	xfrm_address_t daddr;
	__be16 sport, dport;		/* 0: any */
	u8 prefix_s, prefix_d;
	u8 proto;			/* IPSEC_ULPROTO_ANY: any */
	u8 family;			/* AF_INET, AF_INET6 */
	/* XFRM's policy mark, as given: a packet matches when
	 * (skb->mark & mark_m) == mark_v; 0/0 (PF_KEY's) matches all
	 */
	u32 mark_v, mark_m;
	/* XFRM's if_id (XFRMA_IF_ID): a packet matches only when its flow
	 * has the same one; 0 for packets not sent or received through an
	 * XFRM interface (xfrmi.h), and for every PF_KEY policy
	 */
	u32 if_id;
};

/* A packet's header fields, as the datapath will fill them. */
struct ipsec_flow {
	xfrm_address_t saddr;
	xfrm_address_t daddr;
	__be16 sport, dport;		/* ICMP: type and code */
	u32 mark;			/* skb->mark */
	u32 if_id;			/* of the XFRM interface, or 0 */
	u8 proto;
	u8 family;
};

struct ipsec_cls_tuple;
struct ipsec_cls_table;
struct ipsec_cls_tvec;

/* A rule, embedded in its owner. Set before it is published, then fixed. */
struct ipsec_cls_node {
	/* hash chain; a table uses one of the two, see ipsec_cls_resize() */
	struct ipsec_cls_node __rcu *next[2];
	const struct ipsec_selector *sel;
	struct ipsec_cls_tuple *tuple;
	u64 seq;			/* insertion order: breaks ties */
	u32 priority;			/* lower wins */
	u32 hash;			/* of the masked selector */
};

struct ipsec_cls {
	struct ipsec_cls_table __rcu *table;	/* NULL until first insert */
	struct ipsec_cls_tvec __rcu *tuples;	/* NULL when empty */
	struct mutex *lock;			/* writers hold it */
	unsigned long resize_gp;		/* RCU state at the last resize */
	u64 seq_gen;
	unsigned int count;
	u32 seed;
};

void ipsec_cls_init(struct ipsec_cls *cls, struct mutex *lock);
void ipsec_cls_destroy(struct ipsec_cls *cls);
int ipsec_cls_insert(struct ipsec_cls *cls, struct ipsec_cls_node *node,
		     const struct ipsec_selector *sel, u32 priority);
int ipsec_cls_replace(struct ipsec_cls *cls, struct ipsec_cls_node *old,
		      struct ipsec_cls_node *node,
		      const struct ipsec_selector *sel, u32 priority);
void ipsec_cls_remove(struct ipsec_cls *cls, struct ipsec_cls_node *node);
struct ipsec_cls_node *ipsec_cls_lookup(const struct ipsec_cls *cls,
					const struct ipsec_flow *flow);

#endif /* IPSEC_SPD_CLASS_H */
