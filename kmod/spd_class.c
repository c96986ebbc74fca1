// SPDX-License-Identifier: GPL-2.0
/*
 * Tuple space search over the SPD (see spd_class.h).
 *
 * A classifier has one hash table for all its rules, keyed by the masked
 * selector and its tuple, and a vector of its tuples sorted by the lowest
 * priority of their rules. A lookup probes the tuples of the packet's
 * family in that order, keeps the best match (lowest priority, then lowest
 * insertion sequence) and stops at the first tuple that cannot beat it.
 * The cost is one hash probe per tuple, whatever the number of rules.
 *
 * The tuple vector is copied on change and published with RCU. Its copy
 * of each tuple's lowest priority is never higher than the truth: it is
 * lowered, by a new copy, before a rule with a lower priority is linked,
 * and raised only after a resize has recounted every rule.
 *
 * The table's chains run through one of the two next pointers of each
 * node; a resize links every node into a new table through the other one,
 * so readers of the old table keep walking intact chains. That slot is
 * reused only after a grace period, when no reader can be left on the
 * table that used it (cond_synchronize_rcu()).
 */
#include <linux/bits.h>
#include <linux/ipsec.h>
#include <linux/jhash.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/sort.h>

#include "spd_class.h"

#define IPSEC_CLS_MIN_SIZE	16U
#define IPSEC_CLS_MAX_SIZE	BIT(24)
/* v6: two addresses, ports, protocol and tuple id, mark, if_id */
#define IPSEC_CLS_KEY_WORDS	12

struct ipsec_cls_tuple {
	struct rcu_head rcu;
	xfrm_address_t smask, dmask;
	__be16 sport_mask, dport_mask;
	u8 proto_mask;
	u8 family;
	u32 id;				/* prefixes and flags, hashed too */
	u32 mark_m;			/* the rules' mark mask */
	/* Under the lock. min_prio: never above the lowest rule priority */
	unsigned int count;
	u32 min_prio;
};

struct ipsec_cls_table {
	struct rcu_head rcu;
	unsigned int mask;		/* size - 1, size a power of 2 */
	u8 slot;			/* which node->next[] the chains use */
	struct ipsec_cls_node __rcu *bucket[];
};

struct ipsec_cls_tent {
	u32 min_prio;			/* no rule of the tuple is lower */
	struct ipsec_cls_tuple *tuple;
};

/* The tuples, by min_prio; a new copy for every change. */
struct ipsec_cls_tvec {
	struct rcu_head rcu;
	unsigned int n;
	struct ipsec_cls_tent e[];
};

#define ipsec_cls_deref(cls, p) \
	rcu_dereference_protected(p, lockdep_is_held((cls)->lock))

static __be32 ipsec_cls_mask32(int bits)
{
	if (bits <= 0)
		return 0;
	if (bits >= 32)
		return cpu_to_be32(~0U);
	return cpu_to_be32(~0U << (32 - bits));
}

static void ipsec_cls_mask(xfrm_address_t *mask, u8 prefix)
{
	int i;

	for (i = 0; i < 4; i++)
		mask->a6[i] = ipsec_cls_mask32(prefix - 32 * i);
}

/* What a tuple names; the selector was checked by ipsec_cls_valid(). */
static u32 ipsec_cls_tuple_id(const struct ipsec_selector *sel)
{
	return sel->prefix_s | sel->prefix_d << 8 |
	       (sel->family == AF_INET6) << 16 |
	       (sel->proto != IPSEC_ULPROTO_ANY) << 17 |
	       !!sel->sport << 18 | !!sel->dport << 19;
}

/*
 * The hash key of a flow or selector in tuple @t: every field masked as
 * the tuple says, plus the tuple's id. @mark comes masked by the caller:
 * a flow's by the tuple's mask, a selector's is its value as given, so
 * that one with bits outside its mask matches nothing, as with XFRM.
 * Its length in words.
 */
static unsigned int ipsec_cls_key(const struct ipsec_cls_tuple *t,
				  const xfrm_address_t *saddr,
				  const xfrm_address_t *daddr, u8 proto,
				  __be16 sport, __be16 dport, u32 mark,
				  u32 if_id, u32 *key)
{
	unsigned int i, words = t->family == AF_INET ? 1 : 4, k = 0;

	for (i = 0; i < words; i++)
		key[k++] = (__force u32)(saddr->a6[i] & t->smask.a6[i]);
	for (i = 0; i < words; i++)
		key[k++] = (__force u32)(daddr->a6[i] & t->dmask.a6[i]);
	key[k++] = (u32)(__force u16)(sport & t->sport_mask) << 16 |
		   (__force u16)(dport & t->dport_mask);
	key[k++] = t->id | (u32)(proto & t->proto_mask) << 24;
	key[k++] = mark;
	key[k++] = if_id;
	return k;
}

static unsigned int ipsec_cls_sel_key(const struct ipsec_cls_tuple *t,
				      const struct ipsec_selector *sel,
				      u32 *key)
{
	return ipsec_cls_key(t, &sel->saddr, &sel->daddr, sel->proto,
			     sel->sport, sel->dport, sel->mark_v, sel->if_id,
			     key);
}

/*
 * The best rule for a flow: the lowest priority, then the earliest
 * inserted, of those whose selector matches. Under rcu_read_lock(); the
 * node stays valid until rcu_read_unlock().
 */
struct ipsec_cls_node *ipsec_cls_lookup(const struct ipsec_cls *cls,
					const struct ipsec_flow *flow)
{
	const struct ipsec_cls_tvec *tv = rcu_dereference(cls->tuples);
	const struct ipsec_cls_table *tbl = rcu_dereference(cls->table);
	u32 key[IPSEC_CLS_KEY_WORDS], skey[IPSEC_CLS_KEY_WORDS];
	struct ipsec_cls_node *best = NULL, *n;
	unsigned int i, len;
	u32 hash;

	if (!tv || !tbl)
		return NULL;
	for (i = 0; i < tv->n; i++) {
		const struct ipsec_cls_tuple *t = tv->e[i].tuple;

		if (best && tv->e[i].min_prio > best->priority)
			break;
		if (t->family != flow->family)
			continue;
		len = ipsec_cls_key(t, &flow->saddr, &flow->daddr, flow->proto,
				    flow->sport, flow->dport,
				    flow->mark & t->mark_m, flow->if_id, key);
		hash = jhash2(key, len, cls->seed);
		for (n = rcu_dereference(tbl->bucket[hash & tbl->mask]); n;
		     n = rcu_dereference(n->next[tbl->slot])) {
			if (n->hash != hash || n->tuple != t)
				continue;
			if (best && (n->priority > best->priority ||
				     (n->priority == best->priority &&
				      n->seq > best->seq)))
				continue;
			ipsec_cls_sel_key(t, n->sel, skey);
			if (!memcmp(key, skey, len * sizeof(u32)))
				best = n;
		}
	}
	return best;
}

static struct ipsec_cls_table *ipsec_cls_table_alloc(unsigned int size)
{
	struct ipsec_cls_table *tbl;

	tbl = kvzalloc(struct_size(tbl, bucket, size), GFP_KERNEL);
	if (tbl)
		tbl->mask = size - 1;
	return tbl;
}

static int ipsec_cls_tent_cmp(const void *a, const void *b)
{
	const struct ipsec_cls_tent *x = a, *y = b;

	return x->min_prio < y->min_prio ? -1 : x->min_prio > y->min_prio;
}

/*
 * Publish a new tuple vector: the tuples of the current one that still
 * have rules, plus @add if not NULL, with their min_prio, sorted. Tuples
 * left without rules are freed; when the copy cannot be allocated they
 * stay, empty, until the next one.
 */
static int ipsec_cls_publish(struct ipsec_cls *cls, struct ipsec_cls_tuple *add)
{
	struct ipsec_cls_tvec *old = ipsec_cls_deref(cls, cls->tuples);
	struct ipsec_cls_tvec *tv = NULL;
	unsigned int i, n = !!add;
	struct ipsec_cls_tuple *t;

	for (i = 0; old && i < old->n; i++)
		n += !!old->e[i].tuple->count;
	if (n) {
		tv = kmalloc(struct_size(tv, e, n), GFP_KERNEL);
		if (!tv)
			return -ENOMEM;
		tv->n = 0;
		for (i = 0; old && i < old->n; i++) {
			t = old->e[i].tuple;
			if (t->count) {
				tv->e[tv->n].tuple = t;
				tv->e[tv->n++].min_prio = t->min_prio;
			}
		}
		if (add) {
			tv->e[tv->n].tuple = add;
			tv->e[tv->n++].min_prio = add->min_prio;
		}
		sort(tv->e, n, sizeof(tv->e[0]), ipsec_cls_tent_cmp, NULL);
	}
	rcu_assign_pointer(cls->tuples, tv);
	if (!old)
		return 0;
	for (i = 0; i < old->n; i++) {
		t = old->e[i].tuple;
		if (!t->count)
			kfree_rcu(t, rcu);
	}
	kfree_rcu(old, rcu);
	return 0;
}

/*
 * Link every node into a table of @size buckets through the next pointer
 * the current table does not use, and recount each tuple's min_prio. A
 * failed allocation leaves the current table, only slower.
 */
static void ipsec_cls_resize(struct ipsec_cls *cls, unsigned int size)
{
	struct ipsec_cls_table *old = ipsec_cls_deref(cls, cls->table), *tbl;
	struct ipsec_cls_tvec *tv = ipsec_cls_deref(cls, cls->tuples);
	struct ipsec_cls_node __rcu **b;
	struct ipsec_cls_node *n;
	unsigned int i;

	/* no reader is left on the table before old: its slot is free */
	cond_synchronize_rcu(cls->resize_gp);
	tbl = ipsec_cls_table_alloc(size);
	if (!tbl)
		return;
	tbl->slot = !old->slot;
	for (i = 0; tv && i < tv->n; i++)
		tv->e[i].tuple->min_prio = U32_MAX;
	for (i = 0; i <= old->mask; i++) {
		for (n = ipsec_cls_deref(cls, old->bucket[i]); n;
		     n = ipsec_cls_deref(cls, n->next[old->slot])) {
			b = &tbl->bucket[n->hash & tbl->mask];
			RCU_INIT_POINTER(n->next[tbl->slot],
					 ipsec_cls_deref(cls, *b));
			RCU_INIT_POINTER(*b, n);
			n->tuple->min_prio = min(n->tuple->min_prio,
						 n->priority);
		}
	}
	rcu_assign_pointer(cls->table, tbl);
	cls->resize_gp = get_state_synchronize_rcu();
	kvfree_rcu(old, rcu);
	/* on failure the published minimums stay: lower, still correct */
	ipsec_cls_publish(cls, NULL);
}

static bool ipsec_cls_valid(const struct ipsec_selector *sel)
{
	switch (sel->family) {
	case AF_INET:
		return sel->prefix_s <= 32 && sel->prefix_d <= 32;
	case AF_INET6:
		return sel->prefix_s <= 128 && sel->prefix_d <= 128;
	}
	return false;
}

static struct ipsec_cls_tuple *ipsec_cls_tuple_find(struct ipsec_cls *cls,
						    u32 id, u32 mark_m)
{
	struct ipsec_cls_tvec *tv = ipsec_cls_deref(cls, cls->tuples);
	unsigned int i;

	for (i = 0; tv && i < tv->n; i++) {
		if (tv->e[i].tuple->id == id &&
		    tv->e[i].tuple->mark_m == mark_m)
			return tv->e[i].tuple;
	}
	return NULL;
}

static struct ipsec_cls_tuple *
ipsec_cls_tuple_new(const struct ipsec_selector *sel, u32 id)
{
	struct ipsec_cls_tuple *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	t->family = sel->family;
	t->id = id;
	t->mark_m = sel->mark_m;
	ipsec_cls_mask(&t->smask, sel->prefix_s);
	ipsec_cls_mask(&t->dmask, sel->prefix_d);
	t->sport_mask = sel->sport ? cpu_to_be16(0xffff) : 0;
	t->dport_mask = sel->dport ? cpu_to_be16(0xffff) : 0;
	t->proto_mask = sel->proto != IPSEC_ULPROTO_ANY ? 0xff : 0;
	t->min_prio = U32_MAX;
	return t;
}

/*
 * Count @priority in @sel's tuple, made if new, and publish the tuple
 * vector when that tuple is new or its min_prio goes down, all before the
 * rule can be seen.
 */
static struct ipsec_cls_tuple *ipsec_cls_tuple_get(struct ipsec_cls *cls,
						   const struct ipsec_selector *sel,
						   u32 priority)
{
	u32 id = ipsec_cls_tuple_id(sel), min;
	struct ipsec_cls_tuple *t = ipsec_cls_tuple_find(cls, id, sel->mark_m);
	struct ipsec_cls_tuple *add = NULL;

	if (!t) {
		t = ipsec_cls_tuple_new(sel, id);
		if (!t)
			return NULL;
		add = t;
	}
	min = t->min_prio;
	t->count++;
	if (add || priority < min) {
		t->min_prio = min(priority, min);
		if (ipsec_cls_publish(cls, add)) {
			t->min_prio = min;
			t->count--;
			kfree(add);
			return NULL;
		}
	}
	return t;
}

static void ipsec_cls_tuple_put(struct ipsec_cls *cls,
				struct ipsec_cls_tuple *t)
{
	/* on failure the empty tuple stays until the next publish */
	if (!--t->count)
		ipsec_cls_publish(cls, NULL);
}

static void ipsec_cls_link(struct ipsec_cls_table *tbl,
			   struct ipsec_cls_node __rcu **pprev,
			   struct ipsec_cls_node *next,
			   struct ipsec_cls_node *node)
{
	RCU_INIT_POINTER(node->next[tbl->slot], next);
	rcu_assign_pointer(*pprev, node);
}

/* Under the lock: where @node is linked from in the current table. */
static struct ipsec_cls_node __rcu **
ipsec_cls_pprev(struct ipsec_cls *cls, struct ipsec_cls_table *tbl,
		const struct ipsec_cls_node *node)
{
	struct ipsec_cls_node __rcu **pprev = &tbl->bucket[node->hash &
							   tbl->mask];
	struct ipsec_cls_node *n;

	while ((n = ipsec_cls_deref(cls, *pprev)) != node) {
		if (WARN_ON(!n))
			return NULL;
		pprev = &n->next[tbl->slot];
	}
	return pprev;
}

static void ipsec_cls_prepare(struct ipsec_cls_node *node,
			      const struct ipsec_selector *sel, u32 priority,
			      struct ipsec_cls_tuple *t, u32 seed)
{
	u32 key[IPSEC_CLS_KEY_WORDS];

	node->sel = sel;
	node->tuple = t;
	node->priority = priority;
	node->hash = jhash2(key, ipsec_cls_sel_key(t, sel, key), seed);
}

/* Under the lock: after every rule already in, at equal priority. */
int ipsec_cls_insert(struct ipsec_cls *cls, struct ipsec_cls_node *node,
		     const struct ipsec_selector *sel, u32 priority)
{
	struct ipsec_cls_table *tbl = ipsec_cls_deref(cls, cls->table);
	struct ipsec_cls_node __rcu **b;
	struct ipsec_cls_tuple *t;

	if (!ipsec_cls_valid(sel))
		return -EINVAL;
	if (!tbl) {
		tbl = ipsec_cls_table_alloc(IPSEC_CLS_MIN_SIZE);
		if (!tbl)
			return -ENOMEM;
		rcu_assign_pointer(cls->table, tbl);
	}
	t = ipsec_cls_tuple_get(cls, sel, priority);
	if (!t)
		return -ENOMEM;
	ipsec_cls_prepare(node, sel, priority, t, cls->seed);
	node->seq = ++cls->seq_gen;
	b = &tbl->bucket[node->hash & tbl->mask];
	ipsec_cls_link(tbl, b, ipsec_cls_deref(cls, *b), node);
	cls->count++;
	if (cls->count > tbl->mask + 1 && tbl->mask + 1 < IPSEC_CLS_MAX_SIZE)
		ipsec_cls_resize(cls, (tbl->mask + 1) * 2);
	return 0;
}

/*
 * Under the lock: @node, with the same selector as @old, takes its place.
 * At the same priority it keeps old's rank, else it goes after every rule
 * of its new priority. It is linked right after old before old is
 * unlinked, so that a lookup sees one or the other, or both.
 */
int ipsec_cls_replace(struct ipsec_cls *cls, struct ipsec_cls_node *old,
		      struct ipsec_cls_node *node,
		      const struct ipsec_selector *sel, u32 priority)
{
	struct ipsec_cls_table *tbl = ipsec_cls_deref(cls, cls->table);
	struct ipsec_cls_node __rcu **pprev = ipsec_cls_pprev(cls, tbl, old);
	struct ipsec_cls_tuple *t = old->tuple;

	if (!pprev)
		return -ENOENT;
	if (priority != old->priority) {
		t = ipsec_cls_tuple_get(cls, sel, priority);
		if (!t)
			return -ENOMEM;
		WARN_ON(t != old->tuple);
	}
	ipsec_cls_prepare(node, sel, priority, t, cls->seed);
	node->seq = priority == old->priority ? old->seq : ++cls->seq_gen;
	ipsec_cls_link(tbl, &old->next[tbl->slot],
		       ipsec_cls_deref(cls, old->next[tbl->slot]), node);
	rcu_assign_pointer(*pprev, node);
	if (priority != old->priority)
		ipsec_cls_tuple_put(cls, t);
	return 0;
}

/* Under the lock. The caller frees @node after a grace period. */
void ipsec_cls_remove(struct ipsec_cls *cls, struct ipsec_cls_node *node)
{
	struct ipsec_cls_table *tbl = ipsec_cls_deref(cls, cls->table);
	struct ipsec_cls_node __rcu **pprev = ipsec_cls_pprev(cls, tbl, node);
	unsigned int size = tbl->mask + 1;

	if (!pprev)
		return;
	rcu_assign_pointer(*pprev, ipsec_cls_deref(cls, node->next[tbl->slot]));
	cls->count--;
	ipsec_cls_tuple_put(cls, node->tuple);
	if (size > IPSEC_CLS_MIN_SIZE && cls->count < size / 4)
		ipsec_cls_resize(cls, size / 2);
}

void ipsec_cls_init(struct ipsec_cls *cls, struct mutex *lock)
{
	memset(cls, 0, sizeof(*cls));
	cls->lock = lock;
	cls->seed = get_random_u32();
	cls->resize_gp = get_state_synchronize_rcu();
}

/* Every rule is gone; readers may still be on the structures. */
void ipsec_cls_destroy(struct ipsec_cls *cls)
{
	struct ipsec_cls_table *tbl;

	WARN_ON(cls->count);
	mutex_lock(cls->lock);
	ipsec_cls_publish(cls, NULL);
	tbl = ipsec_cls_deref(cls, cls->table);
	RCU_INIT_POINTER(cls->table, NULL);
	mutex_unlock(cls->lock);
	if (tbl)
		kvfree_rcu(tbl, rcu);
}
