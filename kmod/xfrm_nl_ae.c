// SPDX-License-Identifier: GPL-2.0
/*
 * XFRM's "async events" of an SA: GETAE reads its replay state and
 * current lifetime (what daemons poll for rekeying and dead peer
 * detection), NEWAE sets them, and the change goes to the AEVENTS group.
 * Replies and events have xfrm_user's shape (build_aevent()): the replay
 * state, the current lifetime, the SA's mark.
 *
 * Not here: replay thresholds and the aevent timer (XFRMA_REPLAY_THRESH,
 * XFRMA_ETIMER_THRESH), which make XFRM send AEVENTS as packets pass;
 * NEWAE refuses them.
 */
#include <linux/slab.h>

#include "netns.h"
#include "xfrm_nl.h"

static size_t ipsec_xfrm_aevent_len(const struct ipsec_sa *sa)
{
	return nlmsg_total_size(sizeof(struct xfrm_aevent_id)) +
	       ipsec_xfrm_replay_len(sa) +
	       nla_total_size_64bit(sizeof(struct xfrm_lifetime_cur)) +
	       nla_total_size(sizeof(struct xfrm_mark));
}

/* An NEWAE-typed message about sa; @flags: the request's XFRM_AE_*. */
static int ipsec_xfrm_aevent_fill(struct sk_buff *skb,
				  const struct ipsec_sa *sa, u32 flags,
				  u32 portid, u32 seq)
{
	struct xfrm_lifetime_cur lc = {};
	struct xfrm_aevent_id *id;
	struct ipsec_lifetime cur;
	struct nlmsghdr *nlh;

	nlh = nlmsg_put(skb, portid, seq, XFRM_MSG_NEWAE, sizeof(*id), 0);
	if (!nlh)
		return -EMSGSIZE;
	id = nlmsg_data(nlh);
	memset(id, 0, sizeof(*id));
	id->sa_id.daddr = sa->id.daddr;
	id->sa_id.spi = sa->id.spi;
	id->sa_id.family = sa->id.family;
	id->sa_id.proto = sa->id.proto;
	id->saddr = sa->rid.saddr;
	id->reqid = sa->reqid;
	id->flags = flags;
	ipsec_sa_lifetime_current(sa, &cur);
	lc.bytes = cur.bytes;
	lc.packets = cur.allocations;
	lc.add_time = cur.addtime;
	lc.use_time = cur.usetime;
	if (ipsec_xfrm_put_replay(skb, sa) ||
	    nla_put_64bit(skb, XFRMA_LTIME_VAL, sizeof(lc), &lc, XFRMA_PAD) ||
	    ipsec_xfrm_mark_put(skb, &sa->mark)) {
		nlmsg_cancel(skb, nlh);
		return -EMSGSIZE;
	}
	nlmsg_end(skb, nlh);
	return 0;
}

int ipsec_xfrm_nl_getae(struct ipsec_xfrm_req *req)
{
	const struct xfrm_aevent_id *p = nlmsg_data(req->nlh);
	struct ipsec_sa *sa;
	struct sk_buff *skb;
	int err;

	sa = ipsec_xfrm_find_sa(req, &p->sa_id, &err);
	if (!sa)
		return err;
	err = -ENOMEM;
	skb = nlmsg_new(ipsec_xfrm_aevent_len(sa), GFP_KERNEL);
	if (!skb)
		goto out;
	err = ipsec_xfrm_aevent_fill(skb, sa, p->flags,
				     ipsec_xfrm_req_portid(req),
				     req->nlh->nlmsg_seq);
	if (err) {
		kfree_skb(skb);
		goto out;
	}
	err = ipsec_xfrm_nl_unicast(req, skb);
out:
	ipsec_sa_put(sa);
	return err;
}

/* Under the SA's replay lock: is it still alive? An UPDATE that succeeds
 * a live SA freezes its sequence numbers and marks it DEAD under this
 * lock (sad.c, ipsec_sa_succeed); writing them after that would let a
 * sender still holding the old SA reuse numbers, and so nonces, of its
 * successor under the same key.
 */
static bool ipsec_xfrm_ae_live_locked(const struct ipsec_xfrm_req *req,
				      const struct ipsec_sa *sa)
{
	lockdep_assert_held(&sa->replay.lock);
	if (READ_ONCE(sa->state) != IPSEC_SA_DEAD)
		return true;
	NL_SET_ERR_MSG(req->extack, "the SA was replaced or deleted meanwhile");
	return false;
}

/* NEWAE's replay state, as xfrm_update_ae_params() takes it: an
 * ESN-shaped one for an SA shown with REPLAY_ESN_VAL, the legacy one for
 * the others; the other kind is ignored, as there. The window keeps its
 * size.
 */
static int ipsec_xfrm_ae_replay(const struct ipsec_xfrm_req *req,
				struct ipsec_sa *sa)
{
	const struct nlattr *re = req->attrs[XFRMA_REPLAY_ESN_VAL];
	const struct nlattr *rp = req->attrs[XFRMA_REPLAY_VAL];
	struct ipsec_replay *r = &sa->replay;
	const struct xfrm_replay_state_esn *e;
	const struct xfrm_replay_state *l;

	if (re && ipsec_xfrm_replay_esn(sa)) {
		e = nla_data(re);
		if (e->bmp_len != DIV_ROUND_UP(r->window, 32) ||
		    nla_len(re) < sizeof(*e) + e->bmp_len * sizeof(u32)) {
			NL_SET_ERR_MSG_ATTR(req->extack, re,
					    "ESN replay state does not fit the SA's window");
			return -EINVAL;
		}
		if (e->replay_window != r->window) {
			NL_SET_ERR_MSG_ATTR(req->extack, re,
					    "ipsec.ko does not resize a live SA's replay window");
			return -EOPNOTSUPP;
		}
		spin_lock_bh(&r->lock);
		if (!ipsec_xfrm_ae_live_locked(req, sa))
			goto dead;
		ipsec_replay_import(r, (u64)e->seq_hi << 32 | e->seq, e->bmp,
				    0);
		atomic64_set(&sa->oseq.next, (u64)e->oseq_hi << 32 | e->oseq);
		spin_unlock_bh(&r->lock);
	} else if (rp && !ipsec_xfrm_replay_esn(sa)) {
		l = nla_data(rp);
		spin_lock_bh(&r->lock);
		if (!ipsec_xfrm_ae_live_locked(req, sa))
			goto dead;
		ipsec_replay_import(r, l->seq, NULL, l->bitmap);
		atomic64_set(&sa->oseq.next, l->oseq);
		spin_unlock_bh(&r->lock);
	}
	return 0;

dead:
	spin_unlock_bh(&r->lock);
	return -ESRCH;
}

static void ipsec_xfrm_nl_aevent(const struct ipsec_sa *sa, u32 seq,
				 u32 portid)
{
	struct sk_buff *skb;

	if (!ipsec_xfrm_nl_listening(sa->in, XFRMNLGRP_AEVENTS))
		return;
	skb = nlmsg_new(ipsec_xfrm_aevent_len(sa), GFP_KERNEL);
	if (!skb)
		return;
	if (ipsec_xfrm_aevent_fill(skb, sa, XFRM_AE_CU, portid, seq)) {
		kfree_skb(skb);
		return;
	}
	ipsec_xfrm_nl_multicast(sa->in, skb, XFRMNLGRP_AEVENTS, GFP_KERNEL);
}

/* NEWAE (NLM_F_REPLACE, as xfrm_user insists): a live SA's replay state
 * and current lifetime, then an AEVENT with the request's seq and the
 * sender's nlmsg_pid, as xfrm_new_ae() sends it.
 */
int ipsec_xfrm_nl_newae(struct ipsec_xfrm_req *req)
{
	const struct xfrm_aevent_id *p = nlmsg_data(req->nlh);
	struct nlattr **a = req->attrs;
	struct ipsec_sa *sa;
	int err;

	if (a[XFRMA_REPLAY_THRESH] || a[XFRMA_ETIMER_THRESH]) {
		NL_SET_ERR_MSG(req->extack,
			       "replay thresholds and the aevent timer are not supported by ipsec.ko");
		return -EOPNOTSUPP;
	}
	if (!a[XFRMA_LTIME_VAL] && !a[XFRMA_REPLAY_VAL] &&
	    !a[XFRMA_REPLAY_ESN_VAL]) {
		NL_SET_ERR_MSG(req->extack, "NEWAE needs a replay state or a current lifetime");
		return -EINVAL;
	}
	if (!(req->nlh->nlmsg_flags & NLM_F_REPLACE)) {
		NL_SET_ERR_MSG(req->extack, "NEWAE needs NLM_F_REPLACE");
		return -EINVAL;
	}
	sa = ipsec_xfrm_find_sa(req, &p->sa_id, &err);
	if (!sa)
		return err;
	err = -EINVAL;
	if (!ipsec_sa_usable(sa)) {
		NL_SET_ERR_MSG(req->extack, "the SA is not mature");
		goto out;
	}
	err = ipsec_xfrm_ae_replay(req, sa);
	if (err)
		goto out;
	if (a[XFRMA_LTIME_VAL]) {
		const struct xfrm_lifetime_cur *lc = nla_data(a[XFRMA_LTIME_VAL]);
		struct ipsec_lifetime cur = {
			.allocations = lc->packets,
			.bytes = lc->bytes,
			.addtime = lc->add_time,
			.usetime = lc->use_time,
		};

		err = ipsec_sa_set_current(sa, &cur);
		if (err)
			goto out;
	}
	ipsec_xfrm_nl_aevent(sa, req->nlh->nlmsg_seq, req->nlh->nlmsg_pid);
out:
	ipsec_sa_put(sa);
	return err;
}
