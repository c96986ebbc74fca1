// SPDX-License-Identifier: GPL-2.0
/*
 * MIGRATE, for both interfaces (RFC 4555 MOBIKE 3.5: after a change of
 * address, "the IPsec SAs are updated to use the new addresses"). As in
 * Linux's xfrm_migrate() up to 6.11: the policy named by selector and
 * direction is found (stock 6.12 looks up the flow the selector
 * describes instead, since 563d5ca93e88, a refactoring, and can take a
 * broader policy that covers it: not followed, see xfrm_migrate.pair.sh);
 * per entry, one SA between the old addresses (protocol, mode, reqid
 * unless 0) is copied to the new ones and the copy takes over from it;
 * every template an entry matches takes the new tunnel endpoints (a
 * transport template matches by protocol and mode, its addresses being
 * the packets'); then the listeners of both interfaces are told. An
 * if_id (XFRMA_IF_ID) names the policy and the SAs of that if_id alone;
 * 0 names those of any, the policy of no if_id first (xfrm_migrate()).
 *
 * All or nothing: nothing changes unless some template matches (-ENODATA,
 * checked first) and every SA copy could be made; the copies take over
 * with the SPD locked, so the policy cannot go meanwhile, and if one
 * cannot (its new name taken, the SA deleted meanwhile) the SAs moved
 * already are moved back, where XFRM deletes its copies (restore_state in
 * xfrm_migrate()). A copy continues the SA it replaces:
 * same keys, sequence numbers, replay window, lifetimes and counts, as an
 * UPDATE of a live SA does (sad.c); only its name and endpoints change,
 * and its UDP encapsulation when the request gives one. The SAs moved
 * are not announced as added or deleted (xfrm_migrate() does not either):
 * the MIGRATE event says it all.
 */
#include <linux/ipsec.h>
#include <linux/slab.h>

#include "ah.h"
#include "esp.h"
#include "ipcomp.h"
#include "migrate.h"
#include "netns.h"
#include "udpencap.h"

static bool ipsec_addr_eq(const xfrm_address_t *a, const xfrm_address_t *b,
			  u8 family)
{
	return family == AF_INET ? a->a4 == b->a4 :
				   !memcmp(a->a6, b->a6, sizeof(a->a6));
}

static bool ipsec_addr_zero(const xfrm_address_t *a, u8 family)
{
	static const xfrm_address_t zero;

	return ipsec_addr_eq(a, &zero, family);
}

/* xfrm_migrate_check(): new addresses given, no entry twice. */
static int ipsec_migrate_check(const struct ipsec_migration *mg,
			       struct netlink_ext_ack *extack)
{
	unsigned int i, j;

	if (!mg->n || mg->n > IPSEC_MIGRATE_MAX) {
		NL_SET_ERR_MSG(extack, "a MIGRATE moves 1 to 6 SAs");
		return -EINVAL;
	}
	for (i = 0; i < mg->n; i++) {
		const struct ipsec_migrate *a = &mg->m[i];

		if (ipsec_addr_zero(&a->new_saddr, a->new_family) ||
		    ipsec_addr_zero(&a->new_daddr, a->new_family)) {
			NL_SET_ERR_MSG(extack, "MIGRATE to an unspecified address");
			return -EINVAL;
		}
		for (j = i + 1; j < mg->n; j++) {
			const struct ipsec_migrate *b = &mg->m[j];

			if (!memcmp(&a->old_saddr, &b->old_saddr,
				    sizeof(a->old_saddr)) &&
			    !memcmp(&a->old_daddr, &b->old_daddr,
				    sizeof(a->old_daddr)) &&
			    a->proto == b->proto && a->mode == b->mode &&
			    a->reqid == b->reqid &&
			    a->old_family == b->old_family) {
				NL_SET_ERR_MSG(extack, "MIGRATE entry given twice");
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* migrate_tmpl_match(): does entry m name request r? */
static bool ipsec_migrate_req_match(const struct ipsec_migrate *m,
				    const struct ipsec_policy_req *r)
{
	if (r->proto != m->proto || r->mode != m->mode ||
	    (m->reqid && r->reqid != m->reqid))
		return false;
	if (r->mode != IPSEC_MODE_TUNNEL)
		return true;
	return r->family == m->old_family &&
	       ipsec_addr_eq(&r->saddr, &m->old_saddr, m->old_family) &&
	       ipsec_addr_eq(&r->daddr, &m->old_daddr, m->old_family);
}

/* The new requests of pol (a private copy); -ENODATA if none matched. */
static int ipsec_migrate_policy(struct ipsec_policy *pol,
				const struct ipsec_migration *mg,
				struct netlink_ext_ack *extack)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < pol->nreqs; i++) {
		struct ipsec_policy_req *r = &pol->req[i];
		struct ipsec_policy_req was = *r;

		for (j = 0; j < mg->n; j++) {
			const struct ipsec_migrate *m = &mg->m[j];

			if (!ipsec_migrate_req_match(m, &was))
				continue;
			n++;
			if (r->mode != IPSEC_MODE_TUNNEL)
				continue;
			r->family = m->new_family;
			r->saddr = m->new_saddr;
			r->daddr = m->new_daddr;
		}
	}
	if (!n) {
		NL_SET_ERR_MSG(extack, "no template of the policy matches the MIGRATE entries");
		return -ENODATA;
	}
	return 0;
}

/* An entry, and the if_id of its MIGRATE (0: any). */
struct ipsec_migrate_sel {
	const struct ipsec_migrate *m;
	u32 if_id;
};

static bool ipsec_migrate_sa_match(const struct ipsec_migrate_sel *ms,
				   const struct ipsec_sa *sa)
{
	const struct ipsec_migrate *m = ms->m;
	/* PF_KEY's mode any is transport to af_key, and to MIGRATE */
	u8 mode = sa->mode == IPSEC_MODE_ANY ? IPSEC_MODE_TRANSPORT : sa->mode;

	return ipsec_sa_usable(sa) && sa->id.proto == m->proto &&
	       mode == m->mode && (!m->reqid || sa->reqid == m->reqid) &&
	       (!ms->if_id || sa->rid.if_id == ms->if_id) &&
	       sa->id.family == m->old_family &&
	       ipsec_addr_eq(&sa->rid.saddr, &m->old_saddr, m->old_family) &&
	       ipsec_addr_eq(&sa->id.daddr, &m->old_daddr, m->old_family);
}

static bool ipsec_migrate_sa_match_rid(const struct ipsec_sa *sa,
				       const void *ms)
{
	return ipsec_migrate_sa_match(ms, sa);
}

/* xfrm_migrate_state_find(): the SA an entry moves, with a reference, or
 * NULL; of the MIGRATE's if_id, or of any when that is 0. With a reqid,
 * the newest of the list its (saddr, daddr, reqid, if_id) names, as
 * XFRM's hash chain holds them (if_id 0: that of no if_id first);
 * otherwise the first a walk of the SAD finds: MIGRATE comes with a
 * change of address, not with every packet.
 */
static struct ipsec_sa *ipsec_migrate_sa_find(struct ipsec_net *in,
					      const struct ipsec_migrate *m,
					      u32 if_id)
{
	const struct ipsec_migrate_sel ms = { .m = m, .if_id = if_id };
	struct ipsec_sa_walk w;
	struct ipsec_sa *sa;

	if (m->reqid) {
		struct ipsec_sa_rid rid = {
			.saddr = m->old_saddr,
			.daddr = m->old_daddr,
			.reqid = m->reqid,
			.proto = m->proto,
			.family = m->old_family,
			.if_id = if_id,
		};

		sa = ipsec_sa_find_rid_match(in, &rid,
					     ipsec_migrate_sa_match_rid, &ms);
		if (sa || if_id)
			return sa;
	}
	ipsec_sa_walk_start(in, &w, SADB_SATYPE_UNSPEC);
	while ((sa = ipsec_sa_walk_next(in, &w))) {
		if (ipsec_migrate_sa_match(&ms, sa))
			break;
		ipsec_sa_put(sa);
	}
	ipsec_sa_walk_done(in, &w);
	return sa;
}

/* xfrm_migrate_policy_find(): the policy of the selector, direction,
 * mark and if_id named, with a reference. XFRM's if_id 0 stands for any:
 * the policy of no if_id, else the first of another that a walk of the
 * SPD finds (the oldest; stock takes the first its chains hold).
 */
static struct ipsec_policy *
ipsec_migrate_policy_find(struct ipsec_net *in,
			  const struct ipsec_policy_key *key)
{
	struct ipsec_policy *pol = ipsec_policy_get(in, key);
	struct ipsec_policy_walk w;
	struct ipsec_policy_key k;

	if (pol || key->sel.if_id)
		return pol;
	ipsec_policy_walk_start(in, &w);
	while ((pol = ipsec_policy_walk_next(in, &w))) {
		k = pol->key;
		k.sel.if_id = 0;
		if (!memcmp(&k, key, sizeof(k)))
			break;
		ipsec_policy_put(pol);
	}
	ipsec_policy_walk_done(in, &w);
	return pol;
}

static int ipsec_dup(const void *from, size_t len, void *to)
{
	void **p = to;

	*p = NULL;
	if (!from)
		return 0;
	*p = kmemdup(from, len, GFP_KERNEL);
	return *p ? 0 : -ENOMEM;
}

static size_t ipsec_blob_size(const struct ipsec_blob *b)
{
	return b ? sizeof(*b) + b->len : 0;
}

/* What an SA was set up with, not what it became (sad.c carries that
 * over when the copy takes over).
 */
static void ipsec_sa_copy_setup(struct ipsec_sa *sa, const struct ipsec_sa *old)
{
	sa->id = old->id;
	sa->rid = old->rid;
	sa->satype = old->satype;
	sa->mode = old->mode;
	sa->prefix_s = old->prefix_s;
	sa->prefix_d = old->prefix_d;
	sa->ul_proto = old->ul_proto;
	sa->replay_window = old->replay_window;
	sa->flags = old->flags;
	sa->reqid = old->reqid;
	sa->seq = old->seq;
	sa->pid = old->pid;
	sa->ealg = old->ealg;
	sa->aalg = old->aalg;
	sa->calg = old->calg;
	sa->ekey_bits = old->ekey_bits;
	sa->akey_bits = old->akey_bits;
	sa->hard = old->hard;
	sa->soft = old->soft;
	sa->natt_type = old->natt_type;
	sa->natt_sport = old->natt_sport;
	sa->natt_dport = old->natt_dport;
	sa->natt_oa = old->natt_oa;
	sa->sel = old->sel;
	sa->xfrm_flags = old->xfrm_flags;
	sa->mark = old->mark;
	sa->smark = old->smark;
	sa->tfcpad = old->tfcpad;
}

static int ipsec_sa_copy_xform(struct ipsec_sa *sa)
{
	switch (sa->id.proto) {
	case IPPROTO_ESP:
		return ipsec_esp_state_init(sa);
	case IPPROTO_AH:
		return ipsec_ah_state_init(sa);
	default:
		return ipsec_ipcomp_state_init(sa);
	}
}

/* xfrm_state_migrate(): an unpublished copy of old, at m's new addresses
 * with mg's encapsulation if any; without m, at old's own, to move the
 * SA back should the MIGRATE fail.
 */
static struct ipsec_sa *ipsec_migrate_sa_copy(const struct ipsec_sa *old,
					      const struct ipsec_migrate *m,
					      const struct ipsec_migration *mg)
{
	struct ipsec_sa *sa = ipsec_sa_alloc(old->in, GFP_KERNEL);
	int err;

	if (!sa)
		return NULL;
	ipsec_sa_copy_setup(sa, old);
	err = ipsec_dup(old->ekey, DIV_ROUND_UP(old->ekey_bits, 8), &sa->ekey) ?:
	      ipsec_dup(old->akey, DIV_ROUND_UP(old->akey_bits, 8), &sa->akey) ?:
	      ipsec_dup(old->ident_src, ipsec_blob_size(old->ident_src),
			&sa->ident_src) ?:
	      ipsec_dup(old->ident_dst, ipsec_blob_size(old->ident_dst),
			&sa->ident_dst) ?:
	      ipsec_dup(old->kmprivate, ipsec_blob_size(old->kmprivate),
			&sa->kmprivate) ?:
	      ipsec_replay_init(&sa->replay, old->replay.window, GFP_KERNEL);
	if (!err)
		err = ipsec_sa_copy_xform(sa);
	if (err) {
		ipsec_sa_put(sa);
		return NULL;
	}
	WRITE_ONCE(sa->state, IPSEC_SA_MATURE);
	if (!m)
		return sa;
	sa->id.daddr = m->new_daddr;
	sa->id.family = m->new_family;
	sa->rid.saddr = m->new_saddr;
	sa->rid.daddr = m->new_daddr;
	sa->rid.family = m->new_family;
	if (mg->has_encap) {
		sa->natt_type = mg->encap.encap_type;
		sa->natt_sport = mg->encap.encap_sport;
		sa->natt_dport = mg->encap.encap_dport;
		sa->natt_oa = mg->encap.encap_oa;
	}
	return sa;
}

/* The SAs the entries name (old[i]), their copies (sa[i]) and the copies
 * that would move them back (back[i]), made before anything is published
 * so that undoing needs no allocation; an entry that names no SA moves
 * only templates. moved: how many entries took over.
 */
struct ipsec_migrate_sas {
	const struct ipsec_migration *mg;
	struct netlink_ext_ack *extack;
	struct ipsec_sa *old[IPSEC_MIGRATE_MAX];
	struct ipsec_sa *sa[IPSEC_MIGRATE_MAX];
	struct ipsec_sa *back[IPSEC_MIGRATE_MAX];
	unsigned int moved;
};

static void ipsec_migrate_sas_put(struct ipsec_migrate_sas *s)
{
	unsigned int i;

	for (i = 0; i < IPSEC_MIGRATE_MAX; i++) {
		if (s->old[i])
			ipsec_sa_put(s->old[i]);
		if (s->sa[i])
			ipsec_sa_put(s->sa[i]);
		if (s->back[i])
			ipsec_sa_put(s->back[i]);
	}
}

static int ipsec_migrate_sas_copy(struct ipsec_net *in,
				  struct ipsec_migrate_sas *s)
{
	const struct ipsec_migration *mg = s->mg;
	struct netlink_ext_ack *extack = s->extack;
	unsigned int i, j;

	for (i = 0; i < mg->n; i++) {
		s->old[i] = ipsec_migrate_sa_find(in, &mg->m[i],
						  mg->key.sel.if_id);
		if (!s->old[i])
			continue;
		/* entries that differ in the reqid alone (0 and the SA's):
		 * XFRM's second copy fails to take the name the first took
		 */
		for (j = 0; j < i; j++) {
			if (s->old[j] != s->old[i])
				continue;
			NL_SET_ERR_MSG(extack, "two MIGRATE entries name the same SA");
			return -ENODATA;
		}
		/* the copy's state would not initialise in XFRM either
		 * (xfrm_state_migrate() fails: -ENODATA)
		 */
		if (mg->has_encap && (s->old[i]->id.proto != IPPROTO_ESP ||
				      !ipsec_udpencap_len(mg->encap.encap_type))) {
			NL_SET_ERR_MSG(extack,
				       "UDP encapsulation is for ESP SAs, in UDP or non-IKE UDP");
			return -ENODATA;
		}
		s->sa[i] = ipsec_migrate_sa_copy(s->old[i], &mg->m[i], mg);
		if (s->sa[i])
			s->back[i] = ipsec_migrate_sa_copy(s->old[i], NULL, mg);
		if (!s->back[i]) {
			NL_SET_ERR_MSG(extack, "the SA to migrate could not be copied");
			return -ENOMEM;
		}
	}
	return 0;
}

/* The first s->moved entries' SAs back to their old names, each continuing
 * its copy (sequence numbers, window, usage) as the copy continued it.
 * This can fail only if the SA was deleted meanwhile (nothing to move
 * back then) or its old name was taken meanwhile, or on a failed
 * allocation inside the tables; the SA stays moved then, and says so.
 */
static void ipsec_migrate_sas_undo(struct ipsec_migrate_sas *s)
{
	unsigned int i;
	int err;

	for (i = 0; i < s->moved; i++) {
		if (!s->sa[i])
			continue;
		ipsec_sa_hold(s->back[i]);	/* the tables' */
		err = ipsec_sa_migrate(s->sa[i], s->back[i]);
		if (!err)
			continue;
		ipsec_sa_put(s->back[i]);
		if (err != -ESRCH)
			net_warn_ratelimited("ipsec: a failed MIGRATE left SA %08x moved (%d)\n",
					     ntohl(s->sa[i]->id.spi), err);
	}
	s->moved = 0;
}

/* Each copy takes over from its SA; on failure the SAs moved so far go
 * back. xfrm_migrate() answers -ENODATA for a copy that cannot be added.
 * Called with spd.lock held (ipsec_policy_replace()).
 */
static int ipsec_migrate_sas_publish(void *arg)
{
	struct ipsec_migrate_sas *s = arg;
	unsigned int i;
	int err = 0;

	for (i = 0; i < s->mg->n; i++) {
		if (!s->sa[i])
			continue;
		ipsec_sa_hold(s->sa[i]);	/* the tables' */
		err = ipsec_sa_migrate(s->old[i], s->sa[i]);
		if (err) {
			ipsec_sa_put(s->sa[i]);
			break;
		}
		s->moved = i + 1;
	}
	if (!err)
		return 0;
	ipsec_migrate_sas_undo(s);
	switch (err) {
	case -EEXIST:
		NL_SET_ERR_MSG(s->extack, "the SA's new name is taken");
		return -ENODATA;
	case -ESRCH:
		NL_SET_ERR_MSG(s->extack, "the SA was deleted meanwhile");
		return -ENODATA;
	default:
		NL_SET_ERR_MSG(s->extack, "the SA could not be moved");
		return err;
	}
}

int ipsec_migrate(struct ipsec_net *in, const struct ipsec_migration *mg,
		  struct netlink_ext_ack *extack)
{
	struct ipsec_migrate_sas s = { .mg = mg, .extack = extack };
	struct ipsec_policy *old, *pol;
	int err;

	err = ipsec_migrate_check(mg, extack);
	if (err)
		return err;
	old = ipsec_migrate_policy_find(in, &mg->key);
	if (!old) {
		NL_SET_ERR_MSG(extack, "no policy with this selector and direction");
		return -ENOENT;
	}
	pol = ipsec_policy_clone(old, GFP_KERNEL);
	if (!pol) {
		err = -ENOMEM;
		goto out_old;
	}
	err = ipsec_migrate_policy(pol, mg, extack) ?:
	      ipsec_migrate_sas_copy(in, &s);
	if (err)
		goto out_pol;
	/* the policy keeps its id: the new one takes the old's place */
	err = ipsec_policy_replace(old, pol, ipsec_migrate_sas_publish, &s);
	if (err == -ENOENT) {
		NL_SET_ERR_MSG(extack, "the policy was deleted meanwhile");
	} else if (err && s.moved) {
		/* the SAs moved, the policy could not follow */
		ipsec_migrate_sas_undo(&s);
		NL_SET_ERR_MSG(extack, "the policy could not be migrated");
	}
	if (err)
		goto out_pol;
	ipsec_xfrm_nl_migrate_event(in, mg);
	ipsec_pfkey_migrate_event(in, mg);
	ipsec_migrate_sas_put(&s);
	ipsec_policy_put(old);
	return 0;

out_pol:
	ipsec_migrate_sas_put(&s);
	ipsec_policy_put(pol);
out_old:
	ipsec_policy_put(old);
	return err;
}
