// SPDX-License-Identifier: GPL-2.0
/*
 * The SPD: per namespace, a hash table by (selector, direction) for exact
 * lookups, an xarray by policy id, one classifier per direction for packet
 * lookups (spd_class.c), and a list in insertion order for dumps and
 * flushes.
 *
 * Lifecycle: a policy enters the tables holding one reference (the
 * tables') and leaves them under spd.lock, marked dead; its expiry work is
 * cancelled before that reference is dropped. The last put frees it after
 * an RCU grace period.
 */
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "lifetime.h"
#include "netns.h"
#include "spd.h"
#include "xfrm_nl.h"

static struct kmem_cache *ipsec_policy_cache __read_mostly;
/* Expiries; destroyed (drained) at unload, after every policy is gone. */
static struct workqueue_struct *ipsec_spd_wq __read_mostly;

static const struct rhashtable_params ipsec_policy_key_params = {
	.key_len = sizeof(struct ipsec_policy_key),
	.key_offset = offsetof(struct ipsec_policy, key),
	.head_offset = offsetof(struct ipsec_policy, node),
	.automatic_shrinking = true,
};

static void ipsec_policy_expire_work(struct work_struct *work);

struct ipsec_policy *ipsec_policy_alloc(struct ipsec_net *in, gfp_t gfp)
{
	struct ipsec_policy *pol = kmem_cache_zalloc(ipsec_policy_cache, gfp);

	if (!pol)
		return NULL;
	refcount_set(&pol->refcnt, 1);
	pol->in = in;
	INIT_LIST_HEAD(&pol->all.list);
	INIT_DELAYED_WORK(&pol->expire, ipsec_policy_expire_work);
	return pol;
}

/* A fresh, unpublished copy of what a policy says (for MIGRATE). */
struct ipsec_policy *ipsec_policy_clone(const struct ipsec_policy *old,
					gfp_t gfp)
{
	struct ipsec_policy *pol = ipsec_policy_alloc(old->in, gfp);

	if (!pol)
		return NULL;
	pol->key = old->key;
	pol->priority = old->priority;
	pol->action = old->action;
	pol->nreqs = old->nreqs;
	memcpy(pol->req, old->req, sizeof(pol->req));
	pol->hard = old->hard;
	pol->soft = old->soft;
	return pol;
}

static void ipsec_policy_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(ipsec_policy_cache,
			container_of(head, struct ipsec_policy, rcu));
}

void ipsec_policy_put(struct ipsec_policy *pol)
{
	if (refcount_dec_and_test(&pol->refcnt))
		call_rcu(&pol->rcu, ipsec_policy_free_rcu);
}

/*
 * The policy for a packet: RFC 4301 4.4.1 says the SPD is ordered and the
 * first match wins; here the order is priority, then age. The classifier
 * costs about one hash probe per distinct (family, prefixes, protocol and
 * ports given or not) among the direction's policies, not one per policy.
 * Under rcu_read_lock(); the result is valid until rcu_read_unlock().
 */
struct ipsec_policy *ipsec_spd_lookup_rcu(struct ipsec_net *in, u8 dir,
					  const struct ipsec_flow *flow)
{
	struct ipsec_cls_node *n;

	if (dir < IPSEC_DIR_INBOUND || dir > IPSEC_DIR_FWD)
		return NULL;
	n = ipsec_cls_lookup(&in->spd.cls[dir - 1], flow);
	return n ? container_of(n, struct ipsec_policy, cls) : NULL;
}

static struct ipsec_policy *ipsec_policy_tryget(struct ipsec_policy *pol)
{
	if (pol && !refcount_inc_not_zero(&pol->refcnt))
		return NULL;
	return pol;
}

struct ipsec_policy *ipsec_policy_get(struct ipsec_net *in,
				      const struct ipsec_policy_key *key)
{
	struct ipsec_policy *pol;

	rcu_read_lock();
	pol = rhashtable_lookup(&in->spd.by_key, key, ipsec_policy_key_params);
	pol = ipsec_policy_tryget(pol);
	rcu_read_unlock();
	return pol;
}

struct ipsec_policy *ipsec_policy_get_id(struct ipsec_net *in, u32 id)
{
	struct ipsec_policy *pol;

	rcu_read_lock();
	pol = ipsec_policy_tryget(xa_load(&in->spd.by_id, id));
	rcu_read_unlock();
	return pol;
}

static struct ipsec_cls *ipsec_policy_cls(struct ipsec_spd *spd,
					  const struct ipsec_policy *pol)
{
	return &spd->cls[pol->key.dir - 1];
}

/* The earliest time the hard lifetime runs out, or 0 for never. RFC 2367
 * 2.3.3: addtime counts from creation, usetime from the last use (KAME
 * counts an unused policy's from its creation).
 */
static time64_t ipsec_policy_deadline(const struct ipsec_policy *pol)
{
	time64_t next, t;

	next = ipsec_lifetime_end(pol->add_time, pol->hard.addtime);
	t = ipsec_lifetime_end(READ_ONCE(pol->use_time) ?: pol->add_time,
			       pol->hard.usetime);
	if (t && (!next || t < next))
		next = t;
	return next;
}

/* Under spd.lock. */
static void ipsec_policy_arm(struct ipsec_policy *pol)
{
	time64_t next = ipsec_policy_deadline(pol), now;

	lockdep_assert_held(&pol->in->spd.lock);

	if (!next || pol->dead)
		return;
	now = ktime_get_real_seconds();
	mod_delayed_work(ipsec_spd_wq, &pol->expire,
			 ipsec_lifetime_delay(next - now));
}

/* Under spd.lock: a free id with the direction in the low 3 bits, as
 * KAME and Linux do, so that an id alone says which list it is on.
 */
static int ipsec_policy_alloc_id(struct ipsec_spd *spd,
				 struct ipsec_policy *pol)
{
	unsigned int tries;
	int err = -EAGAIN;

	lockdep_assert_held(&spd->lock);

	for (tries = 0; tries < 64; tries++) {
		pol->id = (spd->id_gen++ << 3) | pol->key.dir;
		spd->id_gen &= U32_MAX >> 3;
		err = xa_insert(&spd->by_id, pol->id, pol, GFP_KERNEL);
		if (err != -EBUSY)
			break;
		err = -EAGAIN;
	}
	return err;
}

/* Outbound with a mark mask: the mark a packet leaves with decides. */
static bool ipsec_policy_out_marked(const struct ipsec_policy *pol)
{
	return pol->key.dir == IPSEC_DIR_OUTBOUND && pol->key.sel.mark_m;
}

static int ipsec_policy_add_locked(struct ipsec_spd *spd,
				   struct ipsec_policy *pol)
{
	int err;

	lockdep_assert_held(&spd->lock);
	if (spd->count >= READ_ONCE(pol->in->cfg.policy_max))
		return -ENOSPC;		/* net.ipsec.policy_max */
	/* the hooks see every packet before the first policy can match */
	if (!spd->count) {
		err = ipsec_hooks_want(pol->in, IPSEC_HOOKS_SPD);
		if (err)
			return err;
	}
	pol->add_time = ktime_get_real_seconds();
	err = ipsec_policy_alloc_id(spd, pol);
	if (err)
		goto err_hooks;
	err = rhashtable_lookup_insert_fast(&spd->by_key, &pol->node,
					    ipsec_policy_key_params);
	if (err)
		goto err_id;
	/* after every policy of a lower or equal priority */
	err = ipsec_cls_insert(ipsec_policy_cls(spd, pol), &pol->cls,
			       &pol->key.sel, pol->priority);
	if (err)
		goto err_key;
	list_add_tail(&pol->all.list, &spd->all);
	spd->count++;
	if (ipsec_policy_out_marked(pol)) {
		ipsec_hooks_late_on(pol->in);
		/* pairs with the acquire in ipsec_hook_local_out() */
		smp_store_release(&spd->out_marked, spd->out_marked + 1);
	}
	ipsec_policy_arm(pol);
	return 0;

err_key:
	rhashtable_remove_fast(&spd->by_key, &pol->node,
			       ipsec_policy_key_params);
err_id:
	xa_erase(&spd->by_id, pol->id);
err_hooks:
	if (!spd->count)
		ipsec_hooks_unwant(pol->in, IPSEC_HOOKS_SPD);
	return err;
}

/*
 * Under spd.lock: pol takes old's place in every table, under old's id
 * (Linux keeps the index too, so a key manager's id stays valid). In the
 * classifier pol keeps old's rank at the same priority, else goes after
 * the policies of its priority; a lookup never sees neither. The caller
 * cancels old's work and drops its reference.
 */
static int ipsec_policy_replace_locked(struct ipsec_spd *spd,
				       struct ipsec_policy *old,
				       struct ipsec_policy *pol)
{
	int err;

	lockdep_assert_held(&spd->lock);

	pol->id = old->id;
	pol->add_time = ktime_get_real_seconds();
	pol->use_time = READ_ONCE(old->use_time);
	err = rhashtable_replace_fast(&spd->by_key, &old->node, &pol->node,
				      ipsec_policy_key_params);
	if (err)
		return err;
	err = ipsec_cls_replace(ipsec_policy_cls(spd, pol), &old->cls,
				&pol->cls, &pol->key.sel, pol->priority);
	if (err) {
		/* pol is in old's place: putting old back cannot fail */
		WARN_ON(rhashtable_replace_fast(&spd->by_key, &pol->node,
						&old->node,
						ipsec_policy_key_params));
		return err;
	}
	/* an existing entry: no allocation, cannot fail */
	xa_store(&spd->by_id, pol->id, pol, GFP_KERNEL);
	list_replace_init(&old->all.list, &pol->all.list);
	old->dead = true;
	ipsec_policy_arm(pol);
	return 0;
}

/* Under spd.lock: out of every table; the caller drops the tables'
 * reference after cancelling the expiry (or from the expiry itself).
 */
static void ipsec_policy_unlink(struct ipsec_spd *spd,
				struct ipsec_policy *pol)
{
	lockdep_assert_held(&spd->lock);
	rhashtable_remove_fast(&spd->by_key, &pol->node,
			       ipsec_policy_key_params);
	xa_erase(&spd->by_id, pol->id);
	ipsec_cls_remove(ipsec_policy_cls(spd, pol), &pol->cls);
	list_del_init(&pol->all.list);
	pol->dead = true;
	if (ipsec_policy_out_marked(pol))
		WRITE_ONCE(spd->out_marked, spd->out_marked - 1);
	/* after the last policy is out of every table */
	if (!--spd->count)
		ipsec_hooks_unwant(pol->in, IPSEC_HOOKS_SPD);
}

static void ipsec_policy_release(struct ipsec_policy *pol)
{
	cancel_delayed_work_sync(&pol->expire);
	ipsec_policy_put(pol);
}

/*
 * SPDADD (update false): publish a new policy, -EEXIST when one has its
 * selector and direction. SPDUPDATE (update true): replace that one, or
 * add. On success the tables own the caller's reference.
 */
int ipsec_policy_insert(struct ipsec_policy *pol, bool update)
{
	struct ipsec_spd *spd = &pol->in->spd;
	struct ipsec_policy *old;
	int err;

	mutex_lock(&spd->lock);
	old = rhashtable_lookup_fast(&spd->by_key, &pol->key,
				     ipsec_policy_key_params);
	if (!old)
		err = ipsec_policy_add_locked(spd, pol);
	else if (!update)
		err = -EEXIST;
	else
		err = ipsec_policy_replace_locked(spd, old, pol);
	mutex_unlock(&spd->lock);

	if (!err && old)
		ipsec_policy_release(old);
	return err;
}

/* MIGRATE: @before (the SAs' move), then pol takes old's place, with
 * spd.lock held throughout so that old cannot go in between; -ENOENT
 * when old is gone already, or @before's error.
 */
int ipsec_policy_replace(struct ipsec_policy *old, struct ipsec_policy *pol,
			 int (*before)(void *arg), void *arg)
{
	struct ipsec_spd *spd = &pol->in->spd;
	int err = -ENOENT;

	mutex_lock(&spd->lock);
	if (!old->dead) {
		err = before(arg);
		if (!err)
			err = ipsec_policy_replace_locked(spd, old, pol);
	}
	mutex_unlock(&spd->lock);

	if (!err)
		ipsec_policy_release(old);
	return err;
}

int ipsec_policy_delete(struct ipsec_policy *pol)
{
	struct ipsec_spd *spd = &pol->in->spd;

	mutex_lock(&spd->lock);
	if (pol->dead) {
		mutex_unlock(&spd->lock);
		return -ENOENT;
	}
	ipsec_policy_unlink(spd, pol);
	mutex_unlock(&spd->lock);

	ipsec_policy_release(pol);
	return 0;
}

/* Remove every policy, a batch per lock hold so that dumps and expiries
 * get the lock in between.
 */
unsigned int ipsec_spd_flush(struct ipsec_net *in)
{
	struct ipsec_spd *spd = &in->spd;
	unsigned int total = 0;

	for (;;) {
		struct ipsec_spd_node *n, *tmp;
		struct ipsec_policy *pol, *next;
		unsigned int batch = 0;
		LIST_HEAD(dead);

		mutex_lock(&spd->lock);
		list_for_each_entry_safe(n, tmp, &spd->all, list) {
			if (n->walker)
				continue;
			pol = container_of(n, struct ipsec_policy, all);
			ipsec_policy_unlink(spd, pol);
			list_add(&pol->all.list, &dead);
			if (++batch == 1024)
				break;
		}
		mutex_unlock(&spd->lock);

		list_for_each_entry_safe(pol, next, &dead, all.list) {
			list_del_init(&pol->all.list);
			ipsec_policy_release(pol);
		}
		total += batch;
		if (batch < 1024)
			return total;
		cond_resched();
	}
}

unsigned int ipsec_spd_count(struct ipsec_net *in)
{
	unsigned int n;

	mutex_lock(&in->spd.lock);
	n = in->spd.count;
	mutex_unlock(&in->spd.lock);
	return n;
}

/* RFC 2367 2.3.3 hard lifetime of a policy (KAME's SPDEXPIRE): remove it
 * and tell every socket. The datapath may have moved the last use on, in
 * which case the work only re-arms. The message goes out under spd.lock
 * so that a namespace's exit, which flushes under it, waits for it.
 */
static void ipsec_policy_expire_work(struct work_struct *work)
{
	struct ipsec_policy *pol = container_of(to_delayed_work(work),
						struct ipsec_policy, expire);
	struct ipsec_spd *spd = &pol->in->spd;
	bool expired = false;
	time64_t next;

	mutex_lock(&spd->lock);
	if (!pol->dead) {
		next = ipsec_policy_deadline(pol);
		if (next && ktime_get_real_seconds() >= next) {
			ipsec_policy_unlink(spd, pol);
			ipsec_pfkey_policy_expired(pol);
			ipsec_xfrm_nl_polexpire(pol);
			expired = true;
		} else {
			ipsec_policy_arm(pol);
		}
	}
	mutex_unlock(&spd->lock);

	if (expired)
		ipsec_policy_put(pol);		/* the tables' reference */
}

void ipsec_policy_walk_start(struct ipsec_net *in, struct ipsec_policy_walk *w)
{
	w->all.walker = true;
	mutex_lock(&in->spd.lock);
	list_add(&w->all.list, &in->spd.all);
	mutex_unlock(&in->spd.lock);
}

/* The next policy after the cursor, with a reference; NULL at the end. */
struct ipsec_policy *ipsec_policy_walk_next(struct ipsec_net *in,
					    struct ipsec_policy_walk *w)
{
	struct ipsec_spd *spd = &in->spd;
	struct ipsec_spd_node *n = &w->all;
	struct ipsec_policy *found = NULL;

	mutex_lock(&spd->lock);
	list_for_each_entry_continue(n, &spd->all, list) {
		if (n->walker)
			continue;
		found = container_of(n, struct ipsec_policy, all);
		ipsec_policy_hold(found);
		list_move(&w->all.list, &found->all.list);
		break;
	}
	if (!found)
		list_move_tail(&w->all.list, &spd->all);
	mutex_unlock(&spd->lock);
	return found;
}

void ipsec_policy_walk_done(struct ipsec_net *in, struct ipsec_policy_walk *w)
{
	mutex_lock(&in->spd.lock);
	list_del_init(&w->all.list);
	mutex_unlock(&in->spd.lock);
}

int ipsec_spd_net_init(struct ipsec_net *in)
{
	struct ipsec_spd *spd = &in->spd;
	int i;

	mutex_init(&spd->lock);
	INIT_LIST_HEAD(&spd->all);
	for (i = 0; i < ARRAY_SIZE(spd->cls); i++)
		ipsec_cls_init(&spd->cls[i], &spd->lock);
	xa_init(&spd->by_id);
	spd->id_gen = 1;
	return rhashtable_init(&spd->by_key, &ipsec_policy_key_params);
}

void ipsec_spd_net_exit(struct ipsec_net *in)
{
	struct ipsec_spd *spd = &in->spd;
	int i;

	ipsec_spd_flush(in);
	WARN_ON(!list_empty(&spd->all));
	WARN_ON(!xa_empty(&spd->by_id));
	for (i = 0; i < ARRAY_SIZE(spd->cls); i++)
		ipsec_cls_destroy(&spd->cls[i]);
	xa_destroy(&spd->by_id);
	rhashtable_destroy(&spd->by_key);
	mutex_destroy(&spd->lock);
}

int ipsec_spd_init(void)
{
	/* 504 bytes, 512 aligned: a lookup touches 2 cache lines, not 3 */
	ipsec_policy_cache = KMEM_CACHE(ipsec_policy,
					SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT);
	if (!ipsec_policy_cache)
		return -ENOMEM;
	ipsec_spd_wq = alloc_workqueue("ipsec_spd", 0, 0);
	if (!ipsec_spd_wq) {
		kmem_cache_destroy(ipsec_policy_cache);
		return -ENOMEM;
	}
	return 0;
}

void ipsec_spd_uninit(void)
{
	destroy_workqueue(ipsec_spd_wq);
	rcu_barrier();		/* every ipsec_policy_free_rcu() has run */
	kmem_cache_destroy(ipsec_policy_cache);
}
