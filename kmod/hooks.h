/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netfilter hooks of a namespace: the SPD match of the output path
 * (LOCAL_OUT, FORWARD) and the inbound check of cleartext (LOCAL_IN,
 * FORWARD), IPv4 and IPv6. They are registered only while the namespace
 * has a use for them (a reason, below), so that a namespace without
 * IPsec pays nothing per packet. A reason is taken before what needs the
 * hooks becomes visible to packets, and dropped after it is gone.
 */
#ifndef IPSEC_HOOKS_H
#define IPSEC_HOOKS_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

struct ipsec_net;
struct nf_hook_ops;

enum ipsec_hooks_reason {
	IPSEC_HOOKS_SPD,	/* the SPD holds a policy */
	IPSEC_HOOKS_CFG,	/* def_policy discard, or raised socket levels */
	IPSEC_HOOKS_SOCKPOL,	/* a socket may hold a policy or levels */
	IPSEC_HOOKS_IPCOMP,	/* the SAD may hold an IPComp SA */
};

struct ipsec_hooks {
	struct mutex lock;		/* everything below but pending */
	struct nf_hook_ops *ops;	/* non-NULL while registered */
	unsigned long reasons;		/* BIT(enum ipsec_hooks_reason) */
	unsigned int holds;		/* sysctl writes in progress */
	bool dead;			/* the namespace is going */
	bool late;			/* LOCAL_OUT decides late too: set
					 * before spd.out_marked first rises,
					 * cleared with the hooks (hooks.c)
					 */
	bool sockpol_on;		/* SOCKPOL taken, registered; read
					 * without the lock (hooks.c)
					 */
	atomic_t pending;		/* socket policies compiled, not yet
					 * accounted for (ipsec_hooks_sockpol)
					 */
	struct delayed_work sockpol_gc;	/* drops SOCKPOL when none is left */
	struct delayed_work sockpol_async; /* takes SOCKPOL, retrying */
	atomic_t ipcomp_adding;		/* IPComp SAs on their way in */
	struct delayed_work ipcomp_gc;	/* drops IPCOMP when none is left */
};

int ipsec_hooks_net_init(struct ipsec_net *in);
void ipsec_hooks_net_exit(struct ipsec_net *in);
void ipsec_hooks_uninit(void);

/* Sleep; registered on success. Lock order: spd.lock, then hooks.lock. */
int ipsec_hooks_want(struct ipsec_net *in, enum ipsec_hooks_reason why);
void ipsec_hooks_unwant(struct ipsec_net *in, enum ipsec_hooks_reason why);

/* Around a write of def_policy or the socket level defaults: registered
 * before the new value shows, unregistered after it if nothing needs them.
 */
void ipsec_hooks_late_on(struct ipsec_net *in);
int ipsec_hooks_hold(struct ipsec_net *in);
void ipsec_hooks_release(struct ipsec_net *in);

/* A socket policy is about to be linked: from compile_policy, under RCU.
 * The hooks are registered before the setsockopt returns to userland;
 * an errno where that cannot be promised (hooks.c).
 */
int ipsec_hooks_sockpol_atomic(struct ipsec_net *in);
/* The same from a context that may sleep (the levels' setsockopt). */
int ipsec_hooks_sockpol(struct ipsec_net *in);

/* Around the publication of an IPComp SA: plain IP in IP from its far
 * end is taken in LOCAL_IN (input.c). Sleeps; end only after begin
 * succeeded.
 */
int ipsec_hooks_ipcomp_begin(struct ipsec_net *in);
void ipsec_hooks_ipcomp_end(struct ipsec_net *in);

#endif /* IPSEC_HOOKS_H */
