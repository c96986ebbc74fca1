// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks, registered per namespace at the head of each chain
 * (NF_IP_PRI_FIRST): the SPD decides before any rule sees the packet, and
 * rules then see it on enc0 (output.c). Packets leaving through enc0 in
 * our own traversal, and the ESP packets we send, are let through. Where
 * outbound policies have marks, locally sent packets are decided after
 * the mangle and nat rules instead (ipsec_hook_local_out_late).
 *
 * Inbound, what was decrypted arrives on enc0 (or an XFRM interface,
 * xfrmi.h) and was checked against the SPD with its SA already
 * (input.c). Anything else arriving is cleartext: if the inbound
 * (LOCAL_IN) or forward (FORWARD) policy for it asks for IPsec at level
 * require or unique, it is dropped and counted. ESP, AH
 * and IPComp themselves pass (their handlers check them), and so do ESP
 * in UDP for a UDP_ENCAP socket and IPv6 neighbour discovery. Plain IP
 * in IP from the far end of an IPComp tunnel SA is taken as that SA's
 * (input.c, ipsec_input_ipip). Delivered
 * locally, the policy of the receiving socket, if it has one, decides
 * instead (sockpol.h): a key manager's bypassed IKE socket gets its
 * cleartext whatever the SPD says, a socket that requires IPsec gets none.
 * A socket's OpenBSD levels (levels.h) add to the SPD's verdict: at
 * require, cleartext is refused; all at bypass, the SPD is skipped.
 */
#include <linux/compat.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/module.h>
#include <linux/netfilter_ipv6.h>
#include <linux/pfkeyv2.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "hooks.h"
#include "input.h"
#include "levels.h"
#include "netns.h"
#include "output.h"
#include "policy.h"
#include "sockpol.h"
#include "stats.h"
#include "sysctl.h"
#include "xfrmi.h"

static bool ipsec_sent_by_us(const struct sk_buff *skb, u8 pf)
{
	if (pf == NFPROTO_IPV4)
		return IPCB(skb)->flags & IPSKB_XFRM_TRANSFORMED;
	return IP6CB(skb)->flags & IP6SKB_XFRM_TRANSFORMED;
}

static bool ipsec_is_ipsec_proto(u8 proto)
{
	return proto == IPPROTO_ESP || proto == IPPROTO_AH ||
	       proto == IPPROTO_COMP;
}

static enum ipsec_proto_idx ipsec_pidx_of(u8 proto)
{
	return proto == IPPROTO_AH ? IPSEC_P_AH :
	       proto == IPPROTO_COMP ? IPSEC_P_IPCOMP : IPSEC_P_ESP;
}

/* Cleartext for a local socket with a policy of its own: may it? */
static enum ipsec_verdict ipsec_check_clear_sk(const struct xfrm_policy *xp,
					       u8 *proto)
{
	struct ipsec_policy_req r;
	unsigned int i;

	switch (ipsec_sockpol_action(xp)) {
	case IPSEC_POLICY_DISCARD:
		return IPSEC_DROP;
	case IPSEC_POLICY_NONE:
		return IPSEC_PASS;
	}
	for (i = 0; i < xp->xfrm_nr; i++) {
		ipsec_sockpol_req(xp, i, &r);
		if (r.level >= IPSEC_LEVEL_REQUIRE) {
			*proto = r.proto;
			return IPSEC_DROP;
		}
	}
	return IPSEC_PASS;
}

/* Cleartext arriving: may it, in direction dir? */
static unsigned int ipsec_check_clear(struct ipsec_net *in,
				      struct sk_buff *skb, u8 pf, u8 dir)
{
	u8 family = pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	enum ipsec_verdict verdict;
	struct xfrm_policy *xp = NULL;
	struct ipsec_levels lv;
	struct ipsec_flow flow;
	bool levels = false;
	u8 proto;

	if (ipsec_flow_from_skb(skb, family, &flow))
		return NF_ACCEPT;
	if (ipsec_is_ipsec_proto(flow.proto))
		return NF_ACCEPT;
	if (ipsec_flow_bypass(&flow))
		return NF_ACCEPT;
	if (dir == IPSEC_DIR_INBOUND)
		xp = ipsec_sockpol_in_rcu(in, skb, &flow, false, &levels, &lv);
	if (xp) {
		verdict = ipsec_check_clear_sk(xp, &proto);
	} else if (levels && ipsec_levels_bypass(&lv)) {
		verdict = IPSEC_PASS;
	} else {
		verdict = ipsec_policy_check_in(in, dir, &flow, NULL, 0, false,
						skb, &proto);
		/* the stricter of the SPD and the socket's levels */
		if (verdict == IPSEC_PASS && levels &&
		    !ipsec_levels_in_ok(&lv, NULL, 0, false)) {
			verdict = IPSEC_DROP;
			proto = IPPROTO_ESP;
		}
	}
	if (verdict == IPSEC_PASS)
		return NF_ACCEPT;
	if (dir == IPSEC_DIR_INBOUND && ipsec_sockpol_espinudp_rcu(in, skb, &flow))
		return NF_ACCEPT;	/* ESP in UDP, checked as ESP */
	ipsec_stat_inc(in->net, ipsec_pidx_of(proto), IPSEC_STAT_PDROPS);
	return NF_DROP;
}

/*
 * Locally sent packets. XFRM looks a packet's policy up again after an
 * OUTPUT rule changed its mark or destination (ip_route_me_harder(), by
 * the mangle table and nftables' route chains, and by DNAT), so a mark
 * set there selects among policies with marks. Where outbound policies
 * have marks, this namespace does the same: the first hook lets the
 * packet go on and the late one, after the mangle and nat OUTPUT rules,
 * decides. Elsewhere the first hook decides (before any rule sees the
 * packet) and the late one, still registered, looks again at what the
 * first let through only once marks were used (hooks.late): a packet
 * that the first hook saw deferring therefore always meets a decision.
 */
static unsigned int ipsec_hook_local_out(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	struct ipsec_net *in = priv;

	if (state->out == in->enc_dev || ipsec_sent_by_us(skb, state->pf))
		return NF_ACCEPT;
	/* pairs with the release in ipsec_policy_add_locked(): hooks.late
	 * is seen set by the late hook
	 */
	if (smp_load_acquire(&in->spd.out_marked))
		return NF_ACCEPT;
	return ipsec_output(in, skb, state);
}

static unsigned int ipsec_hook_local_out_late(void *priv,
					      struct sk_buff *skb,
					      const struct nf_hook_state *state)
{
	struct ipsec_net *in = priv;

	if (!READ_ONCE(in->hooks.late) || state->out == in->enc_dev ||
	    ipsec_sent_by_us(skb, state->pf))
		return NF_ACCEPT;
	return ipsec_output(in, skb, state);
}

static unsigned int ipsec_hook_forward(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct ipsec_net *in = priv;
	unsigned int verdict;

	if (state->out == in->enc_dev)
		return NF_ACCEPT;
	/* what an XFRM interface received was checked with its SAs */
	if (state->in != in->enc_dev && !ipsec_xfrmi_is(state->in)) {
		verdict = ipsec_check_clear(in, skb, state->pf,
					    IPSEC_DIR_FWD);
		if (verdict != NF_ACCEPT)
			return verdict;
	}
	return ipsec_output(in, skb, state);
}

static unsigned int ipsec_hook_local_in(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	struct ipsec_net *in = priv;

	if (state->in == in->enc_dev || ipsec_xfrmi_is(state->in))
		return NF_ACCEPT;
	/* ESP, AH and IPComp pass (ipsec_check_clear): IPv4 says so in
	 * its header, before the flow is taken from the packet
	 */
	if (state->pf == NFPROTO_IPV4 &&
	    ipsec_is_ipsec_proto(ip_hdr(skb)->protocol))
		return NF_ACCEPT;
	if (ipsec_input_ipip(in, skb, state->pf == NFPROTO_IPV4 ? AF_INET :
							 AF_INET6))
		return NF_STOLEN;
	return ipsec_check_clear(in, skb, state->pf, IPSEC_DIR_INBOUND);
}

static const struct nf_hook_ops ipsec_hook_template[] = {
	{ .hook = ipsec_hook_local_out, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = NF_IP_PRI_FIRST },
	{ .hook = ipsec_hook_local_out_late, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = NF_IP_PRI_NAT_DST + 1 },
	{ .hook = ipsec_hook_forward, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_FORWARD, .priority = NF_IP_PRI_FIRST },
	{ .hook = ipsec_hook_local_in, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_IN, .priority = NF_IP_PRI_FIRST },
	{ .hook = ipsec_hook_local_out, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = NF_IP6_PRI_FIRST },
	{ .hook = ipsec_hook_local_out_late, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = NF_IP6_PRI_NAT_DST + 1 },
	{ .hook = ipsec_hook_forward, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_FORWARD, .priority = NF_IP6_PRI_FIRST },
	{ .hook = ipsec_hook_local_in, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_IN, .priority = NF_IP6_PRI_FIRST },
};

/* Under hooks.lock: registered iff a reason or a hold says so. */
static int ipsec_hooks_sync(struct ipsec_net *in)
{
	struct ipsec_hooks *h = &in->hooks;
	unsigned int i, n = ARRAY_SIZE(ipsec_hook_template);
	bool want = (h->reasons || h->holds) && !h->dead;
	struct nf_hook_ops *ops;
	int err;

	lockdep_assert_held(&h->lock);
	if (want == !!h->ops)
		return 0;
	if (!want) {
		/* The core frees its entries after a grace period and does not
		 * wait for it; its readers (packets in our hooks, the hook
		 * listing of nfnetlink_hook) may still see the ops, and the
		 * state the hooks use: wait for them.
		 */
		nf_unregister_net_hooks(in->net, h->ops, n);
		synchronize_net();
		kfree(h->ops);
		h->ops = NULL;
		/* no packet is between the hooks any more (the core dropped
		 * those queued to user space): the next decide early again
		 */
		WRITE_ONCE(h->late, false);
		return 0;
	}
	ops = kmemdup(ipsec_hook_template, sizeof(ipsec_hook_template),
		      GFP_KERNEL);
	if (!ops)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		ops[i].priv = in;
	err = nf_register_net_hooks(in->net, ops, n);
	if (err) {
		kfree(ops);
		return err;
	}
	h->ops = ops;
	return 0;
}

int ipsec_hooks_want(struct ipsec_net *in, enum ipsec_hooks_reason why)
{
	struct ipsec_hooks *h = &in->hooks;
	int err;

	mutex_lock(&h->lock);
	__set_bit(why, &h->reasons);
	err = ipsec_hooks_sync(in);
	if (err)
		__clear_bit(why, &h->reasons);
	mutex_unlock(&h->lock);
	return err;
}

void ipsec_hooks_unwant(struct ipsec_net *in, enum ipsec_hooks_reason why)
{
	struct ipsec_hooks *h = &in->hooks;

	mutex_lock(&h->lock);
	__clear_bit(why, &h->reasons);
	ipsec_hooks_sync(in);		/* unregistering cannot fail */
	mutex_unlock(&h->lock);
}

/* Does the configuration alone ask for the hooks? */
static bool ipsec_hooks_cfg_needs(const struct ipsec_net *in)
{
	int dir;

	/* XFRM's default policies (SETDEFAULT) */
	for (dir = 0; dir < XFRM_POLICY_MAX; dir++)
		if (READ_ONCE(in->xfrm_default[dir]) == XFRM_USERPOLICY_BLOCK)
			return true;
	return READ_ONCE(in->cfg.inet.def_policy) == IPSEC_DEFPOLICY_DISCARD ||
	       READ_ONCE(in->cfg.inet6.def_policy) == IPSEC_DEFPOLICY_DISCARD ||
	       ipsec_levels_raised(in, AF_INET) ||
	       ipsec_levels_raised(in, AF_INET6);
}

/* Under spd.lock, the hooks registered for the SPD: an outbound policy
 * with a mark comes, the late LOCAL_OUT hook decides from now on.
 */
void ipsec_hooks_late_on(struct ipsec_net *in)
{
	WRITE_ONCE(in->hooks.late, true);
}

int ipsec_hooks_hold(struct ipsec_net *in)
{
	struct ipsec_hooks *h = &in->hooks;
	int err;

	mutex_lock(&h->lock);
	h->holds++;
	err = ipsec_hooks_sync(in);
	if (err)
		h->holds--;
	mutex_unlock(&h->lock);
	return err;
}

void ipsec_hooks_release(struct ipsec_net *in)
{
	struct ipsec_hooks *h = &in->hooks;

	mutex_lock(&h->lock);
	h->holds--;
	if (ipsec_hooks_cfg_needs(in))
		__set_bit(IPSEC_HOOKS_CFG, &h->reasons);
	else
		__clear_bit(IPSEC_HOOKS_CFG, &h->reasons);
	/* registered while held: with CFG set this cannot fail */
	ipsec_hooks_sync(in);
	mutex_unlock(&h->lock);
}

/*
 * Socket policies. XFRM links them to the socket itself, right after our
 * compile_policy returns (xfrm_user_policy), and counts them in
 * net->xfrm.policy_count[XFRM_POLICY_MAX + dir]; it tells no key manager
 * when a socket, and its policy, goes. So SOCKPOL is taken for every
 * policy compiled, and a periodic check drops it once XFRM counts none
 * and no compiled policy is still on its way to a socket (pending).
 *
 * compile_policy runs under rcu_read_lock() and cannot register hooks
 * (nf_register_net_hooks sleeps). Why a task_work is enough: the policy
 * is linked under the socket lock before setsockopt() returns, and a
 * TWA_RESUME task_work runs before the task is back in user space (and
 * before a tracer sees the syscall's exit: ptrace_notify runs pending
 * task_works first). A send from another thread that overlaps the
 * setsockopt() may be ordered before it, as it could with XFRM; none can
 * start after the caller saw setsockopt() return and find no hooks. The
 * same holds if the task dies in between: it never sees the return, and
 * exit_task_work() still runs the work.
 *
 * Where that order does not hold, the compile fails unless the hooks are
 * already in place for socket policies (sockpol_on):
 *  - kernel threads never return to user space: EOPNOTSUPP;
 *  - io_uring posts the completion to a ring user space reads without a
 *    system call, from an io worker or from the submitting task before
 *    its task_works run: EAGAIN, the hooks being registered from a work
 *    item, so that the request succeeds when tried again;
 *  - task_work_add() refuses an exiting task: its errno.
 * sockpol_on is read without the lock: the compile raises pending before
 * reading it, the check clears it before reading pending (full barriers
 * on both sides), so at least one of them sees the other.
 */
#define IPSEC_HOOKS_GC_DELAY	(5 * HZ)
#define IPSEC_HOOKS_RETRY_DELAY	(HZ / 10)

/* task_works queued and not yet run, and whether one ever was, for the
 * module's exit and a failed init (ipsec_hooks_uninit())
 */
static atomic_t ipsec_hooks_tw_pending = ATOMIC_INIT(0);
static bool ipsec_hooks_tw_used;

static bool ipsec_hooks_sockets_have_policies(const struct net *net)
{
	return READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_MAX +
						XFRM_POLICY_IN]) ||
	       READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_MAX +
						XFRM_POLICY_OUT]) ||
	       READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_MAX +
						XFRM_POLICY_FWD]);
}

static void ipsec_hooks_sockpol_gc(struct work_struct *work)
{
	struct ipsec_hooks *h = container_of(to_delayed_work(work),
					     struct ipsec_hooks, sockpol_gc);
	struct ipsec_net *in = container_of(h, struct ipsec_net, hooks);

	mutex_lock(&h->lock);
	WRITE_ONCE(h->sockpol_on, false);
	/* sockpol_on off before pending is read: a compile that raised
	 * pending after this read sees it off (ipsec_hooks_sockpol_atomic)
	 */
	smp_mb();
	/* pending first: a policy compiled after this read is linked by
	 * its socket before its task_work takes the lock again
	 */
	if (!atomic_read(&h->pending) &&
	    !ipsec_hooks_sockets_have_policies(in->net)) {
		__clear_bit(IPSEC_HOOKS_SOCKPOL, &h->reasons);
		ipsec_hooks_sync(in);
	} else if (!h->dead) {
		WRITE_ONCE(h->sockpol_on, !!h->ops);
		schedule_delayed_work(&h->sockpol_gc, IPSEC_HOOKS_GC_DELAY);
	}
	mutex_unlock(&h->lock);
}

/* Under hooks.lock: SOCKPOL, and its periodic check. */
static int ipsec_hooks_sockpol_locked(struct ipsec_net *in)
{
	struct ipsec_hooks *h = &in->hooks;
	int err;

	lockdep_assert_held(&h->lock);
	if (test_bit(IPSEC_HOOKS_SOCKPOL, &h->reasons) && h->ops)
		return 0;
	__set_bit(IPSEC_HOOKS_SOCKPOL, &h->reasons);
	err = ipsec_hooks_sync(in);
	if (err) {
		__clear_bit(IPSEC_HOOKS_SOCKPOL, &h->reasons);
		return err;
	}
	if (!h->dead) {
		WRITE_ONCE(h->sockpol_on, true);
		schedule_delayed_work(&h->sockpol_gc, IPSEC_HOOKS_GC_DELAY);
	}
	return 0;
}

int ipsec_hooks_sockpol(struct ipsec_net *in)
{
	int err;

	mutex_lock(&in->hooks.lock);
	err = ipsec_hooks_sockpol_locked(in);
	mutex_unlock(&in->hooks.lock);
	return err;
}

/* SOCKPOL from a work item: for io_uring's retry, or when the task_work
 * could not register (below); tried again until it can.
 */
static void ipsec_hooks_sockpol_async(struct work_struct *work)
{
	struct ipsec_hooks *h = container_of(to_delayed_work(work),
					     struct ipsec_hooks, sockpol_async);
	struct ipsec_net *in = container_of(h, struct ipsec_net, hooks);

	mutex_lock(&h->lock);
	if (ipsec_hooks_sockpol_locked(in) && !h->dead)
		schedule_delayed_work(&h->sockpol_async,
				      IPSEC_HOOKS_RETRY_DELAY);
	mutex_unlock(&h->lock);
}

struct ipsec_hooks_tw {
	struct callback_head head;
	struct net *net;
};

/* Before the setsockopt that compiled a socket policy returns to userland:
 * the policy is linked by now, so pending may fall.
 */
static void ipsec_hooks_sockpol_tw(struct callback_head *head)
{
	struct ipsec_hooks_tw *tw = container_of(head, struct ipsec_hooks_tw,
						 head);
	struct ipsec_net *in = ipsec_net(tw->net);
	struct ipsec_hooks *h = &in->hooks;

	mutex_lock(&h->lock);
	/* Only a small GFP_KERNEL allocation can fail here, and only for a
	 * task the OOM killer chose: it will not see the return. A work
	 * item keeps trying for the socket's other users.
	 */
	if (ipsec_hooks_sockpol_locked(in) && !h->dead) {
		net_warn_ratelimited("ipsec: netfilter hooks for a socket policy delayed\n");
		schedule_delayed_work(&h->sockpol_async, 0);
	}
	atomic_dec(&h->pending);
	mutex_unlock(&h->lock);
	put_net(tw->net);
	kfree(tw);
	atomic_dec(&ipsec_hooks_tw_pending);
	/* Last: the module cannot go while a work is pending (rmmod sees
	 * the reference), and after this only the return is left, which
	 * ipsec_hooks_uninit() waits for.
	 */
	module_put(THIS_MODULE);
}

/* May the completion of the current setsockopt() show before the task
 * runs its task_works? In io_uring's workers, and in a task that submits
 * to its ring inline (SOCKET_URING_OP_SETSOCKOPT, Linux 6.7 on): its
 * system call is then io_uring_enter(2). Not in setsockopt(2) itself,
 * whose completion is its return, which the task_works precede, even in
 * a task that has a ring.
 */
static bool ipsec_hooks_completes_early(void)
{
	if (current->flags & PF_IO_WORKER)
		return true;
#ifdef CONFIG_IO_URING
	if (current->io_uring)
		return in_compat_syscall() ||
		       syscall_get_nr(current, task_pt_regs(current)) !=
		       __NR_setsockopt;
#endif
	return false;
}

int ipsec_hooks_sockpol_atomic(struct ipsec_net *in)
{
	struct ipsec_hooks *h = &in->hooks;
	struct ipsec_hooks_tw *tw;
	int err;

	/* task_work runs only for tasks that return to userland */
	if (current->flags & PF_KTHREAD)
		return -EOPNOTSUPP;
	if (!try_module_get(THIS_MODULE))
		return -ENOENT;
	tw = kmalloc(sizeof(*tw), GFP_ATOMIC);
	if (!tw) {
		err = -ENOBUFS;
		goto err_module;
	}
	tw->net = maybe_get_net(in->net);
	if (!tw->net) {
		err = -ENOENT;
		goto err_free;
	}
	init_task_work(&tw->head, ipsec_hooks_sockpol_tw);
	atomic_inc(&h->pending);
	atomic_inc(&ipsec_hooks_tw_pending);
	WRITE_ONCE(ipsec_hooks_tw_used, true);
	/* pending up before sockpol_on is read (ipsec_hooks_sockpol_gc) */
	smp_mb__after_atomic();
	if (!READ_ONCE(h->sockpol_on) && ipsec_hooks_completes_early()) {
		schedule_delayed_work(&h->sockpol_async, 0);
		err = -EAGAIN;
		goto err_pending;
	}
	err = task_work_add(current, &tw->head, TWA_RESUME);
	if (err)
		goto err_pending;
	return 0;

err_pending:
	atomic_dec(&ipsec_hooks_tw_pending);
	atomic_dec(&h->pending);
	put_net(tw->net);
err_free:
	kfree(tw);
err_module:
	module_put(THIS_MODULE);
	return err;
}

/*
 * IPComp SAs: an IPComp tunnel SA's far end sends what would not shrink
 * as plain IP in IP (RFC 3173 2.2), which LOCAL_IN takes as the SA's
 * whether or not a policy asks for it, as XFRM does. IPCOMP is taken
 * before such an SA is published, and dropped by a periodic check once
 * the SAD holds none and none is on its way in (the SAD drops SAs under
 * a spinlock, from timers too, where the hooks cannot be unregistered).
 */
static void ipsec_hooks_ipcomp_gc(struct work_struct *work)
{
	struct ipsec_hooks *h = container_of(to_delayed_work(work),
					     struct ipsec_hooks, ipcomp_gc);
	struct ipsec_net *in = container_of(h, struct ipsec_net, hooks);
	bool adding;

	mutex_lock(&h->lock);
	adding = atomic_read(&h->ipcomp_adding);
	/* adding before the count: an SA whose end() this read saw is
	 * counted by then (ipsec_hooks_ipcomp_end)
	 */
	smp_mb();
	if (!adding && !ipsec_sad_count(in, SADB_X_SATYPE_IPCOMP)) {
		__clear_bit(IPSEC_HOOKS_IPCOMP, &h->reasons);
		ipsec_hooks_sync(in);
	} else if (!h->dead) {
		schedule_delayed_work(&h->ipcomp_gc, IPSEC_HOOKS_GC_DELAY);
	}
	mutex_unlock(&h->lock);
}

int ipsec_hooks_ipcomp_begin(struct ipsec_net *in)
{
	struct ipsec_hooks *h = &in->hooks;
	bool had;
	int err;

	/* a check that read adding before this takes the lock before the
	 * registration below, and cannot undo it
	 */
	atomic_inc(&h->ipcomp_adding);
	mutex_lock(&h->lock);
	had = __test_and_set_bit(IPSEC_HOOKS_IPCOMP, &h->reasons);
	err = ipsec_hooks_sync(in);
	if (err && !had)
		__clear_bit(IPSEC_HOOKS_IPCOMP, &h->reasons);
	if (!err && !h->dead)
		schedule_delayed_work(&h->ipcomp_gc, IPSEC_HOOKS_GC_DELAY);
	mutex_unlock(&h->lock);
	if (err)
		atomic_dec(&h->ipcomp_adding);
	return err;
}

void ipsec_hooks_ipcomp_end(struct ipsec_net *in)
{
	/* the SA is counted (or was refused) before adding falls */
	smp_mb__before_atomic();
	atomic_dec(&in->hooks.ipcomp_adding);
}

/* A namespace starts with no policy and the default configuration. */
int ipsec_hooks_net_init(struct ipsec_net *in)
{
	struct ipsec_hooks *h = &in->hooks;
	int err = 0;

	mutex_init(&h->lock);
	atomic_set(&h->pending, 0);
	h->sockpol_on = false;
	INIT_DELAYED_WORK(&h->sockpol_gc, ipsec_hooks_sockpol_gc);
	INIT_DELAYED_WORK(&h->sockpol_async, ipsec_hooks_sockpol_async);
	atomic_set(&h->ipcomp_adding, 0);
	INIT_DELAYED_WORK(&h->ipcomp_gc, ipsec_hooks_ipcomp_gc);
	if (ipsec_hooks_cfg_needs(in))
		err = ipsec_hooks_want(in, IPSEC_HOOKS_CFG);
	return err;
}

void ipsec_hooks_net_exit(struct ipsec_net *in)
{
	struct ipsec_hooks *h = &in->hooks;

	mutex_lock(&h->lock);
	h->dead = true;
	WRITE_ONCE(h->sockpol_on, false);
	ipsec_hooks_sync(in);
	mutex_unlock(&h->lock);
	cancel_delayed_work_sync(&h->sockpol_gc);
	cancel_delayed_work_sync(&h->sockpol_async);
	cancel_delayed_work_sync(&h->ipcomp_gc);
	/* the lock stays usable: the SPD's flush, after this, takes it */
}

/* The module's exit, and a failed init (the loader frees the module
 * whatever its references): no socket policy's task_work may be pending,
 * nor still returning from its last call, module_put(). A task preempted
 * there is in no RCU read-side section, so synchronize_rcu() would not
 * wait for it under preemptible RCU; an RCU-tasks grace period, which
 * waits for every task to switch voluntarily, does.
 */
void ipsec_hooks_uninit(void)
{
	while (atomic_read(&ipsec_hooks_tw_pending))
		schedule_timeout_uninterruptible(1);
	if (READ_ONCE(ipsec_hooks_tw_used))
		synchronize_rcu_tasks();
}
