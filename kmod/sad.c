// SPDX-License-Identifier: GPL-2.0
/*
 * The SAD: two resizable hash tables per namespace (by what names an SA,
 * for the packet path; by hosts and reqid, for the SPD), a list for dumps
 * and flushes, and one cheap timer per SA for time-based lifetimes.
 *
 * Lifecycle: an SA enters the tables holding one reference (the tables')
 * and leaves them under sad.lock, state DEAD; its timer is stopped before
 * that reference is dropped. The last put frees it after an RCU grace
 * period, from a work item, zeroing the keys.
 */
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/wait_bit.h>
#include <crypto/algapi.h>

#include "ah.h"
#include "esp.h"
#include "ipcomp.h"
#include "lifetime.h"
#include "netns.h"
#include "route_cache.h"
#include "sad.h"
#include "xfrm_nl.h"

static struct kmem_cache *ipsec_sa_cache __read_mostly;
/* SAs not yet destroyed, in every namespace: an SA outlives its namespace's
 * SAD while an asynchronous crypto request holds it, and the module must
 * not go before the request's completion has run.
 */
static atomic_t ipsec_sa_live = ATOMIC_INIT(0);

static const struct rhashtable_params ipsec_sa_id_params = {
	.key_len = sizeof(struct ipsec_sa_id),
	.key_offset = offsetof(struct ipsec_sa, id),
	.head_offset = offsetof(struct ipsec_sa, node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params ipsec_sa_rid_params = {
	.key_len = sizeof(struct ipsec_sa_rid),
	.key_offset = offsetof(struct ipsec_sa_group, rid),
	.head_offset = offsetof(struct ipsec_sa_group, node),
	.automatic_shrinking = true,
};

/* Freed SAs wait here for process context: crypto transforms (later) and
 * del_timer_sync() must not run from the RCU callback.
 */
static LLIST_HEAD(ipsec_sa_gc_list);
static void ipsec_sa_gc(struct work_struct *work);
static DECLARE_WORK(ipsec_sa_gc_work, ipsec_sa_gc);

/* Byte and packet limits (RFC 2367 2.3.3: allocations are packets) */
static bool ipsec_count_passed(const struct ipsec_sa *sa,
			       const struct ipsec_lifetime *lt)
{
	return (lt->bytes && atomic64_read(&sa->cur_bytes) >= lt->bytes) ||
	       (lt->allocations &&
		atomic64_read(&sa->cur_packets) >= lt->allocations);
}

static bool ipsec_crossed(u64 now, u64 was, u64 limit)
{
	return limit && now >= limit && was < limit;
}

/*
 * Datapath: one packet of @bytes went through the SA. Returns false if
 * the hard limit was reached before it (the packet must not use the SA).
 * Crossing a limit, or the first use when a usetime limit is set, runs
 * the SA's timer at once: expiry stays in one place.
 */
bool ipsec_sa_account(struct ipsec_sa *sa, unsigned int bytes)
{
	u64 b = atomic64_add_return(bytes, &sa->cur_bytes);
	u64 p = atomic64_inc_return(&sa->cur_packets);
	bool kick = false;

	if (unlikely(!READ_ONCE(sa->use_time))) {
		time64_t now = ktime_get_real_seconds();

		if (!cmpxchg(&sa->use_time, 0, now) &&
		    (sa->soft.usetime || sa->hard.usetime))
			kick = true;
	}
	if (unlikely(sa->hard.bytes || sa->hard.allocations ||
		     sa->soft.bytes || sa->soft.allocations)) {
		if ((sa->hard.bytes && b - bytes >= sa->hard.bytes) ||
		    (sa->hard.allocations && p - 1 >= sa->hard.allocations))
			return false;
		kick |= ipsec_crossed(b, b - bytes, sa->soft.bytes) ||
			ipsec_crossed(b, b - bytes, sa->hard.bytes) ||
			ipsec_crossed(p, p - 1, sa->soft.allocations) ||
			ipsec_crossed(p, p - 1, sa->hard.allocations);
	}
	if (unlikely(kick))
		mod_timer(&sa->timer, jiffies);
	return true;
}

/* Datapath: the next sequence number would wrap (RFC 4303 3.3.3): the
 * SA is done; its timer removes it and sends the hard EXPIRE.
 */
void ipsec_sa_exhausted(struct ipsec_sa *sa)
{
	if (!READ_ONCE(sa->exhausted)) {
		WRITE_ONCE(sa->exhausted, true);
		mod_timer(&sa->timer, jiffies);
	}
}

static void ipsec_sa_expire_timer(struct timer_list *t);

struct ipsec_sa *ipsec_sa_alloc(struct ipsec_net *in, gfp_t gfp)
{
	struct ipsec_sa *sa = kmem_cache_zalloc(ipsec_sa_cache, gfp);

	if (!sa)
		return NULL;
	atomic_inc(&ipsec_sa_live);
	atomic_inc(&in->sad.live);
	refcount_set(&sa->refcnt, 1);
	sa->in = in;
	sa->state = IPSEC_SA_LARVAL;
	/* with the SA, not with its window: a larval SA (GETSPI, ALLOCSPI)
	 * is shown with its empty replay state, under this lock, before it
	 * has a window
	 */
	spin_lock_init(&sa->replay.lock);
	INIT_LIST_HEAD(&sa->all.list);
	timer_setup(&sa->timer, ipsec_sa_expire_timer, 0);
	atomic64_set(&sa->cur_bytes, 0);
	atomic64_set(&sa->cur_packets, 0);
	return sa;
}

static void ipsec_sa_destroy(struct ipsec_sa *sa)
{
	struct ipsec_sad *sad = &sa->in->sad;

	del_timer_sync(&sa->timer);
	ipsec_esp_state_free(sa);
	ipsec_ah_state_free(sa);
	ipsec_ipcomp_state_free(sa);
	ipsec_route_cache_free(sa);
	kfree_sensitive(sa->ekey);
	kfree_sensitive(sa->akey);
	kfree(sa->ident_src);
	kfree(sa->ident_dst);
	kfree_sensitive(sa->kmprivate);
	ipsec_replay_free(&sa->replay);
	kmem_cache_free(ipsec_sa_cache, sa);
	/* the address is only a key for the wake-up: the namespace may be
	 * freed as soon as its count is 0
	 */
	if (atomic_dec_and_test(&sad->live))
		wake_up_var(&sad->live);
	if (atomic_dec_and_test(&ipsec_sa_live))
		wake_up_var(&ipsec_sa_live);
}

static void ipsec_sa_gc(struct work_struct *work)
{
	struct llist_node *n = llist_del_all(&ipsec_sa_gc_list);
	struct ipsec_sa *sa, *tmp;

	llist_for_each_entry_safe(sa, tmp, n, gc) {
		ipsec_sa_destroy(sa);
		cond_resched();
	}
}

static void ipsec_sa_free_rcu(struct rcu_head *head)
{
	struct ipsec_sa *sa = container_of(head, struct ipsec_sa, rcu);

	if (llist_add(&sa->gc, &ipsec_sa_gc_list))
		schedule_work(&ipsec_sa_gc_work);
}

void ipsec_sa_put(struct ipsec_sa *sa)
{
	if (refcount_dec_and_test(&sa->refcnt))
		call_rcu(&sa->rcu, ipsec_sa_free_rcu);
}

/* XFRM's xfrm_state_lookup(): the SAs of one name are few (one but for
 * marks), so the walk of the name's list keeps the lookup O(1).
 */
struct ipsec_sa *ipsec_sa_lookup_rcu(struct ipsec_net *in,
				     const struct ipsec_sa_id *id, u32 mark)
{
	struct rhlist_head *list, *pos;
	struct ipsec_sa *sa;

	list = rhltable_lookup(&in->sad.by_id, id, ipsec_sa_id_params);
	rhl_for_each_entry_rcu(sa, pos, list, node)
		if (ipsec_sa_mark_match(sa, mark))
			return sa;
	return NULL;
}

struct ipsec_sa *ipsec_sa_get(struct ipsec_net *in,
			      const struct ipsec_sa_id *id, u32 mark)
{
	struct ipsec_sa *sa;

	rcu_read_lock();
	sa = ipsec_sa_lookup_rcu(in, id, mark);
	if (sa && !refcount_inc_not_zero(&sa->refcnt))
		sa = NULL;
	rcu_read_unlock();
	return sa;
}

/* The SA the SPD should use for a request: mature before dying, and the
 * newest of those (RFC 4301 leaves the choice; strongSwan rekeys by adding
 * the new SA first).
 */
/* Under RCU; no reference taken. @mode: what the request asks for (an
 * SA of mode any serves both). @mark: the policy's, v & m, which the SA's
 * mark must match (XFRM's xfrm_state_find()).
 */
struct ipsec_sa *ipsec_sa_find_rid_rcu(struct ipsec_net *in,
				       const struct ipsec_sa_rid *rid, u8 mode,
				       u32 mark)
{
	struct ipsec_sa *sa, *dying = NULL;
	struct ipsec_sa_group *g;

	g = rhashtable_lookup(&in->sad.by_rid, rid, ipsec_sa_rid_params);
	if (!g)
		return NULL;
	/* newest first: the first mature SA that serves is the newest */
	list_for_each_entry_rcu(sa, &g->sas, rlist) {
		u8 state = READ_ONCE(sa->state);

		if (state != IPSEC_SA_MATURE && state != IPSEC_SA_DYING)
			continue;
		if (!ipsec_sa_serves(sa, mode, mark))
			continue;
		if (state == IPSEC_SA_MATURE)
			return sa;
		if (!dying)
			dying = sa;
	}
	return dying;
}

struct ipsec_sa *ipsec_sa_find_rid(struct ipsec_net *in,
				   const struct ipsec_sa_rid *rid, u8 mode,
				   u32 mark)
{
	struct ipsec_sa *best;

	rcu_read_lock();
	best = ipsec_sa_find_rid_rcu(in, rid, mode, mark);
	if (best && !refcount_inc_not_zero(&best->refcnt))
		best = NULL;
	rcu_read_unlock();
	return best;
}

/* The newest SA of @rid that @match accepts, with a reference, or NULL
 * (whatever its state or mode: @match decides).
 */
struct ipsec_sa *ipsec_sa_find_rid_match(struct ipsec_net *in,
					 const struct ipsec_sa_rid *rid,
					 bool (*match)(const struct ipsec_sa *sa,
						       const void *arg),
					 const void *arg)
{
	struct ipsec_sa_group *g;
	struct ipsec_sa *sa;

	rcu_read_lock();
	g = rhashtable_lookup(&in->sad.by_rid, rid, ipsec_sa_rid_params);
	if (g)
		list_for_each_entry_rcu(sa, &g->sas, rlist)
			if (match(sa, arg) && refcount_inc_not_zero(&sa->refcnt))
				goto out;
	sa = NULL;
out:
	rcu_read_unlock();
	return sa;
}

/* Under sad.lock: sa into g's list, ahead of the SAs no newer than it
 * (a new SA goes first; one that carries an older add time over, after
 * the SAs that are newer).
 */
static void ipsec_sa_group_place(struct ipsec_sa_group *g,
				 struct ipsec_sa *sa)
{
	struct list_head *at = &g->sas;
	struct ipsec_sa *pos;

	list_for_each_entry(pos, &g->sas, rlist) {
		if (pos->add_time <= sa->add_time)
			break;
		at = &pos->rlist;
	}
	list_add_rcu(&sa->rlist, at);
}

/* Under sad.lock: sa (its add time set) into the list of its rid. */
static int ipsec_sa_rid_link(struct ipsec_sad *sad, struct ipsec_sa *sa)
{
	struct ipsec_sa_group *g;
	int err;

	lockdep_assert_held(&sad->lock);
	g = rhashtable_lookup_fast(&sad->by_rid, &sa->rid,
				   ipsec_sa_rid_params);
	if (!g) {
		g = kmalloc(sizeof(*g), GFP_ATOMIC | __GFP_ACCOUNT);
		if (!g)
			return -ENOMEM;
		g->rid = sa->rid;
		INIT_LIST_HEAD(&g->sas);
		err = rhashtable_insert_fast(&sad->by_rid, &g->node,
					     ipsec_sa_rid_params);
		if (err) {
			kfree(g);
			return err;
		}
	}
	ipsec_sa_group_place(g, sa);
	sa->group = g;
	return 0;
}

static void ipsec_sa_rid_unlink(struct ipsec_sad *sad, struct ipsec_sa *sa)
{
	struct ipsec_sa_group *g = sa->group;

	lockdep_assert_held(&sad->lock);
	list_del_rcu(&sa->rlist);
	sa->group = NULL;
	if (list_empty(&g->sas)) {
		rhashtable_remove_fast(&sad->by_rid, &g->node,
				       ipsec_sa_rid_params);
		kfree_rcu(g, rcu);
	}
}

static void ipsec_sa_link(struct ipsec_sad *sad, struct ipsec_sa *sa)
{
	list_add_tail(&sa->all.list, &sad->all);
	sad->count++;
	sad->count_type[sa->satype]++;
	ipsec_sa_arm_timer(sa);
}

/* Under sad.lock: out of every table; the caller drops the tables'
 * reference after stopping the timer (or from the timer itself).
 */
static void ipsec_sa_unlink(struct ipsec_sad *sad, struct ipsec_sa *sa)
{
	lockdep_assert_held(&sad->lock);
	rhltable_remove(&sad->by_id, &sa->node, ipsec_sa_id_params);
	ipsec_sa_rid_unlink(sad, sa);
	list_del_init(&sa->all.list);
	sad->count--;
	sad->count_type[sa->satype]--;
	WRITE_ONCE(sa->state, IPSEC_SA_DEAD);
}

/* Under sad.lock: is an SA named @id there, under any mark? */
static bool ipsec_sa_name_taken(struct ipsec_sad *sad,
				const struct ipsec_sa_id *id)
{
	bool taken;

	rcu_read_lock();
	taken = rhltable_lookup(&sad->by_id, id, ipsec_sa_id_params);
	rcu_read_unlock();
	return taken;
}

/* XFRM's add-time check (__xfrm_state_locate()): an SA of the same name
 * that serves the new SA's mark, under the new SA's mask, is a duplicate;
 * the others coexist with it.
 */
static int ipsec_sa_insert_locked(struct ipsec_sad *sad, struct ipsec_sa *sa)
{
	struct ipsec_sa *dup;
	int err;

	lockdep_assert_held(&sad->lock);
	if (sad->count >= READ_ONCE(sa->in->cfg.sa_max))
		return -ENOSPC;		/* net.ipsec.sa_max */
	rcu_read_lock();
	dup = ipsec_sa_lookup_rcu(sa->in, &sa->id, sa->mark.v & sa->mark.m);
	rcu_read_unlock();
	if (dup)
		return -EEXIST;
	err = rhltable_insert(&sad->by_id, &sa->node, ipsec_sa_id_params);
	if (err)
		return err;
	sa->add_time = ktime_get_real_seconds();
	err = ipsec_sa_rid_link(sad, sa);
	if (err) {
		rhltable_remove(&sad->by_id, &sa->node, ipsec_sa_id_params);
		return err;
	}
	ipsec_sa_link(sad, sa);
	return 0;
}

/* An IPComp SA needs the hooks before it shows (hooks.h). */
static int ipsec_sa_hooks_begin(const struct ipsec_sa *sa)
{
	if (sa->satype != SADB_X_SATYPE_IPCOMP)
		return 0;
	return ipsec_hooks_ipcomp_begin(sa->in);
}

static void ipsec_sa_hooks_end(const struct ipsec_sa *sa)
{
	if (sa->satype == SADB_X_SATYPE_IPCOMP)
		ipsec_hooks_ipcomp_end(sa->in);
}

/* Publish a new SA. On success the tables own the caller's reference. */
int ipsec_sa_insert(struct ipsec_sa *sa)
{
	struct ipsec_sad *sad = &sa->in->sad;
	int err;

	err = ipsec_sa_hooks_begin(sa);
	if (err)
		return err;
	spin_lock_bh(&sad->lock);
	err = ipsec_sa_insert_locked(sad, sa);
	spin_unlock_bh(&sad->lock);
	ipsec_sa_hooks_end(sa);
	return err;
}

/* RFC 2367 leaves open whether UPDATE may change a live SA's keys;
 * OpenBSD refuses it, and XFRM keeps the old ones. A live SA's keys,
 * algorithms and ESN stay what they are: with the sequence number carried
 * over (below), new keys would buy nothing, and the same keys with a
 * fresh counter would repeat GCM/CTR nonces.
 */
static bool ipsec_sa_same_keys(const struct ipsec_sa *a,
			       const struct ipsec_sa *b)
{
	if (a->ealg != b->ealg || a->aalg != b->aalg || a->calg != b->calg ||
	    a->ekey_bits != b->ekey_bits || a->akey_bits != b->akey_bits ||
	    ipsec_sa_esn(a) != ipsec_sa_esn(b))
		return false;
	return !crypto_memneq(a->ekey, b->ekey, DIV_ROUND_UP(a->ekey_bits, 8)) &&
	       !crypto_memneq(a->akey, b->akey, DIV_ROUND_UP(a->akey_bits, 8));
}

/* Under sad.lock, old live: sa continues old's life. Its sequence numbers
 * go on from old's and its window holds what old's accepted; old's
 * window lock is held while sa is published (ahead of old in the name's
 * list) and old dies, so a packet that old verifies either made it into
 * the copy or finds old DEAD after its window update and is dropped
 * (input.c), and old sends nothing more once frozen. Usage, add time (set
 * by the caller, which placed sa by it) and
 * a soft expiry already sent carry over: the lifetimes still count from
 * the SA's birth, as XFRM's do; so does the mark, which XFRM's update of
 * a live SA leaves as it was (xfrm_state_update()).
 */
static int ipsec_sa_succeed(struct ipsec_sad *sad, struct ipsec_sa *old,
			    struct ipsec_sa *sa)
{
	u64 next;
	int err;

	lockdep_assert_held(&sad->lock);
	atomic64_set(&sa->cur_bytes, atomic64_read(&old->cur_bytes));
	atomic64_set(&sa->cur_packets, atomic64_read(&old->cur_packets));
	sa->use_time = old->use_time;
	sa->soft_sent = old->soft_sent;
	if (old->state == IPSEC_SA_DYING)
		sa->state = IPSEC_SA_DYING;
	sa->mark = old->mark;

	spin_lock(&old->replay.lock);
	next = ipsec_oseq_freeze(&old->oseq);
	atomic64_set(&sa->oseq.next, next);
	ipsec_replay_copy_locked(&sa->replay, &old->replay);
	err = rhltable_insert(&sad->by_id, &sa->node, ipsec_sa_id_params);
	if (err)
		atomic64_set(&old->oseq.next, next);	/* old lives on */
	else
		WRITE_ONCE(old->state, IPSEC_SA_DEAD);
	spin_unlock(&old->replay.lock);
	if (!err)
		rhltable_remove(&sad->by_id, &old->node, ipsec_sa_id_params);
	return err;
}

/* UPDATE: sa takes old's place atomically (same name: sa enters the
 * name's list ahead of old, which leaves it after); the tables' own
 * reference moves to sa. A larval SA simply becomes sa; a live one is
 * succeeded (above) and its keys cannot change (-EINVAL). MIGRATE
 * (@renamed) may give sa another destination, a name that must then be
 * free under sa's mark (-EEXIST), as for an add; when only the source
 * changes, the name is old's own, as for an UPDATE.
 */
static int ipsec_sa_take_over(struct ipsec_sa *old, struct ipsec_sa *sa,
			      bool renamed)
{
	struct ipsec_sad *sad = &sa->in->sad;
	struct ipsec_sa *dup = NULL;
	bool larval;
	int err;

	err = ipsec_sa_hooks_begin(sa);
	if (err)
		return err;
	spin_lock_bh(&sad->lock);
	if (old->state == IPSEC_SA_DEAD) {
		err = -ESRCH;
		goto out;
	}
	if (renamed) {
		rcu_read_lock();
		dup = ipsec_sa_lookup_rcu(sa->in, &sa->id,
					  sa->mark.v & sa->mark.m);
		rcu_read_unlock();
		if (dup == old)
			dup = NULL;
	}
	if (dup) {
		err = -EEXIST;
		goto out;
	}
	larval = old->state == IPSEC_SA_LARVAL;
	if (!larval && !ipsec_sa_same_keys(old, sa)) {
		err = -EINVAL;
		goto out;
	}
	sa->add_time = larval ? ktime_get_real_seconds() : old->add_time;
	err = ipsec_sa_rid_link(sad, sa);
	if (err)
		goto out;
	if (larval) {
		err = rhltable_insert(&sad->by_id, &sa->node,
				      ipsec_sa_id_params);
		if (!err) {
			rhltable_remove(&sad->by_id, &old->node,
					ipsec_sa_id_params);
			WRITE_ONCE(old->state, IPSEC_SA_DEAD);
		}
	} else {
		err = ipsec_sa_succeed(sad, old, sa);
	}
	if (err) {
		ipsec_sa_rid_unlink(sad, sa);
		goto out;
	}
	ipsec_sa_rid_unlink(sad, old);
	list_replace_init(&old->all.list, &sa->all.list);
	sad->count_type[old->satype]--;
	sad->count_type[sa->satype]++;
	ipsec_sa_arm_timer(sa);
	spin_unlock_bh(&sad->lock);
	ipsec_sa_hooks_end(sa);

	del_timer_sync(&old->timer);
	ipsec_sa_put(old);
	return 0;
out:
	spin_unlock_bh(&sad->lock);
	ipsec_sa_hooks_end(sa);
	return err;
}

int ipsec_sa_replace(struct ipsec_sa *old, struct ipsec_sa *sa)
{
	return ipsec_sa_take_over(old, sa, false);
}

/* MIGRATE: sa, a copy of live old under another name, continues it. */
int ipsec_sa_migrate(struct ipsec_sa *old, struct ipsec_sa *sa)
{
	return ipsec_sa_take_over(old, sa, true);
}

int ipsec_sa_delete(struct ipsec_sa *sa)
{
	struct ipsec_sad *sad = &sa->in->sad;

	spin_lock_bh(&sad->lock);
	if (sa->state == IPSEC_SA_DEAD) {
		spin_unlock_bh(&sad->lock);
		return -ESRCH;
	}
	ipsec_sa_unlink(sad, sa);
	spin_unlock_bh(&sad->lock);

	del_timer_sync(&sa->timer);
	ipsec_sa_put(sa);
	return 0;
}

/* Remove every SA of a type (SADB_SATYPE_UNSPEC: all), a batch per lock
 * hold so that a million SAs never keep BHs off for long.
 */
unsigned int ipsec_sad_flush(struct ipsec_net *in, u8 satype)
{
	struct ipsec_sad *sad = &in->sad;
	unsigned int total = 0;
	LIST_HEAD(dead);

	for (;;) {
		struct ipsec_sad_node *n, *tmp;
		struct ipsec_sa *sa, *next;
		unsigned int batch = 0;

		spin_lock_bh(&sad->lock);
		list_for_each_entry_safe(n, tmp, &sad->all, list) {
			if (n->walker)
				continue;
			sa = container_of(n, struct ipsec_sa, all);
			if (satype != SADB_SATYPE_UNSPEC && sa->satype != satype)
				continue;
			ipsec_sa_unlink(sad, sa);
			list_add(&sa->all.list, &dead);
			if (++batch == 1024)
				break;
		}
		spin_unlock_bh(&sad->lock);

		list_for_each_entry_safe(sa, next, &dead, all.list) {
			list_del_init(&sa->all.list);
			del_timer_sync(&sa->timer);
			ipsec_sa_put(sa);
		}
		total += batch;
		if (batch < 1024)
			return total;
		cond_resched();
	}
}

/* GETSPI: pick a free SPI in [min, max] and insert the larval SA under
 * it in one step. RFC 4303 2.1: 1..255 are reserved; the OpenBSD page
 * says SPIs start at 0x100. An SPI is free when no SA of the name has it,
 * whatever its mark (XFRM's xfrm_alloc_spi() even wants it free for every
 * destination).
 */
int ipsec_sa_alloc_spi(struct ipsec_sa *sa, u32 min, u32 max)
{
	struct ipsec_sad *sad = &sa->in->sad;
	u64 range, tries, i, start;
	int err = -EAGAIN;

	if (min < 0x100)
		min = 0x100;
	if (max < min)
		return -EINVAL;
	range = (u64)max - min + 1;
	/* small ranges: every value once; large ones: random probes */
	tries = range <= 4096 ? range : 64;
	start = get_random_u32() % range;

	spin_lock_bh(&sad->lock);
	for (i = 0; i < tries; i++) {
		u64 off = range <= 4096 ? (start + i) % range :
			  get_random_u32() % range;

		sa->id.spi = htonl((u32)(min + off));
		if (ipsec_sa_name_taken(sad, &sa->id)) {
			err = -EAGAIN;
			continue;
		}
		err = ipsec_sa_insert_locked(sad, sa);
		if (err != -EEXIST)
			break;
		err = -EAGAIN;
	}
	spin_unlock_bh(&sad->lock);
	return err;
}

void ipsec_sa_walk_start(struct ipsec_net *in, struct ipsec_sa_walk *w,
			 u8 satype)
{
	w->all.walker = true;
	w->satype = satype;
	spin_lock_bh(&in->sad.lock);
	list_add(&w->all.list, &in->sad.all);
	spin_unlock_bh(&in->sad.lock);
}

/* The next SA after the cursor, with a reference; NULL at the end. */
struct ipsec_sa *ipsec_sa_walk_next(struct ipsec_net *in,
				    struct ipsec_sa_walk *w)
{
	struct ipsec_sad *sad = &in->sad;
	struct ipsec_sad_node *n = &w->all;
	struct ipsec_sa *found = NULL;

	spin_lock_bh(&sad->lock);
	list_for_each_entry_continue(n, &sad->all, list) {
		struct ipsec_sa *sa;

		if (n->walker)
			continue;
		sa = container_of(n, struct ipsec_sa, all);
		if (w->satype != SADB_SATYPE_UNSPEC && sa->satype != w->satype)
			continue;
		found = sa;
		ipsec_sa_hold(sa);
		list_move(&w->all.list, &sa->all.list);
		break;
	}
	if (!found)
		list_move_tail(&w->all.list, &sad->all);
	spin_unlock_bh(&sad->lock);
	return found;
}

void ipsec_sa_walk_done(struct ipsec_net *in, struct ipsec_sa_walk *w)
{
	spin_lock_bh(&in->sad.lock);
	list_del_init(&w->all.list);
	spin_unlock_bh(&in->sad.lock);
}

unsigned int ipsec_sad_count(struct ipsec_net *in, u8 satype)
{
	unsigned int n;

	spin_lock_bh(&in->sad.lock);
	n = satype == SADB_SATYPE_UNSPEC ? in->sad.count :
					   in->sad.count_type[satype];
	spin_unlock_bh(&in->sad.lock);
	return n;
}

void ipsec_sa_lifetime_current(const struct ipsec_sa *sa,
			       struct ipsec_lifetime *cur)
{
	cur->allocations = atomic64_read(&sa->cur_packets);
	cur->bytes = atomic64_read(&sa->cur_bytes);
	cur->addtime = sa->add_time;
	cur->usetime = READ_ONCE(sa->use_time);
}

/* XFRM's NEWAE: the SA's usage and times become @cur; its timer runs at
 * once to judge every limit against them (-ESRCH: the SA is gone).
 */
int ipsec_sa_set_current(struct ipsec_sa *sa,
			 const struct ipsec_lifetime *cur)
{
	struct ipsec_sad *sad = &sa->in->sad;

	spin_lock_bh(&sad->lock);
	if (sa->state == IPSEC_SA_DEAD) {
		spin_unlock_bh(&sad->lock);
		return -ESRCH;
	}
	atomic64_set(&sa->cur_packets, cur->allocations);
	atomic64_set(&sa->cur_bytes, cur->bytes);
	if (sa->add_time != cur->addtime) {
		/* its place among the SAs of its rid goes by add time */
		list_del_rcu(&sa->rlist);
		sa->add_time = cur->addtime;
		ipsec_sa_group_place(sa->group, sa);
	}
	WRITE_ONCE(sa->use_time, cur->usetime);
	mod_timer(&sa->timer, jiffies);
	spin_unlock_bh(&sad->lock);
	return 0;
}

static void ipsec_deadline(time64_t *next, time64_t base, u64 after)
{
	time64_t end = ipsec_lifetime_end(base, after);

	if (end && (!*next || end < *next))
		*next = end;
}

/* Under sad.lock: arm the timer for the nearest time-based limit. */
void ipsec_sa_arm_timer(struct ipsec_sa *sa)
{
	time64_t next = 0, now;

	lockdep_assert_held(&sa->in->sad.lock);

	if (sa->state == IPSEC_SA_DEAD)
		return;
	if (!sa->soft_sent) {
		ipsec_deadline(&next, sa->add_time, sa->soft.addtime);
		ipsec_deadline(&next, sa->use_time, sa->soft.usetime);
	}
	ipsec_deadline(&next, sa->add_time, sa->hard.addtime);
	ipsec_deadline(&next, sa->use_time, sa->hard.usetime);
	if (!next)
		return;
	now = ktime_get_real_seconds();
	mod_timer(&sa->timer, jiffies + ipsec_lifetime_delay(next - now));
}

static bool ipsec_passed(time64_t now, time64_t base, u64 after)
{
	time64_t end = ipsec_lifetime_end(base, after);

	return end && now >= end;
}

static void ipsec_sa_expire_timer(struct timer_list *t)
{
	struct ipsec_sa *sa = from_timer(sa, t, timer);
	struct ipsec_sad *sad = &sa->in->sad;
	time64_t now = ktime_get_real_seconds();
	bool hard = false, soft = false, larval;

	spin_lock(&sad->lock);
	if (sa->state == IPSEC_SA_DEAD) {
		spin_unlock(&sad->lock);
		return;
	}
	larval = sa->state == IPSEC_SA_LARVAL;
	if (ipsec_passed(now, sa->add_time, sa->hard.addtime) ||
	    ipsec_passed(now, sa->use_time, sa->hard.usetime) ||
	    ipsec_count_passed(sa, &sa->hard) || READ_ONCE(sa->exhausted)) {
		hard = true;
		ipsec_sa_unlink(sad, sa);
	} else if (!sa->soft_sent &&
		   (ipsec_passed(now, sa->add_time, sa->soft.addtime) ||
		    ipsec_passed(now, sa->use_time, sa->soft.usetime) ||
		    ipsec_count_passed(sa, &sa->soft))) {
		soft = true;
		sa->soft_sent = true;
		if (sa->state == IPSEC_SA_MATURE)
			WRITE_ONCE(sa->state, IPSEC_SA_DYING);
		ipsec_sa_hold(sa);
	}
	ipsec_sa_arm_timer(sa);
	spin_unlock(&sad->lock);

	if (hard || soft) {
		/* RFC 2367 3.1.4: a larval SA just goes away */
		if (!larval) {
			ipsec_pfkey_sa_expired(sa, hard);
			ipsec_xfrm_nl_expire(sa, hard);
		}
		/* hard: the tables' reference; soft: the one taken above */
		ipsec_sa_put(sa);
	}
}

int ipsec_sad_net_init(struct ipsec_net *in)
{
	struct ipsec_sad *sad = &in->sad;
	int err;

	spin_lock_init(&sad->lock);
	INIT_LIST_HEAD(&sad->all);
	atomic_set(&sad->live, 0);
	err = rhltable_init(&sad->by_id, &ipsec_sa_id_params);
	if (err)
		return err;
	err = rhashtable_init(&sad->by_rid, &ipsec_sa_rid_params);
	if (err)
		rhltable_destroy(&sad->by_id);
	return err;
}

/* No packet arrives any more (netns.c); SAs still held by packets in
 * flight, asynchronous crypto or a timer use the namespace until they
 * are destroyed, which is waited for.
 */
void ipsec_sad_net_exit(struct ipsec_net *in)
{
	ipsec_sad_flush(in, SADB_SATYPE_UNSPEC);
	wait_var_event(&in->sad.live, !atomic_read(&in->sad.live));
	/* an IPv6 route's destructor counts it in net->ipv6.ip6_dst_ops,
	 * which IPv6's exit, after this one, destroys
	 */
	if (READ_ONCE(in->sad.route6))
		rcu_barrier();
	WARN_ON(!list_empty(&in->sad.all));
	rhashtable_destroy(&in->sad.by_rid);
	rhltable_destroy(&in->sad.by_id);
}

int ipsec_sad_init(void)
{
	/* charged to the memory cgroup of whoever adds the SA */
	ipsec_sa_cache = KMEM_CACHE(ipsec_sa, SLAB_ACCOUNT);
	return ipsec_sa_cache ? 0 : -ENOMEM;
}

void ipsec_sad_uninit(void)
{
	wait_var_event(&ipsec_sa_live, !atomic_read(&ipsec_sa_live));
	rcu_barrier();		/* every ipsec_sa_free_rcu() has run */
	flush_work(&ipsec_sa_gc_work);
	kmem_cache_destroy(ipsec_sa_cache);
}
