/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-network-namespace state. Everything the module keeps lives here,
 * one instance per struct net, created by ipsec_net_ops.init.
 */
#ifndef IPSEC_NETNS_H
#define IPSEC_NETNS_H

#include <linux/mutex.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "hooks.h"
#include "sad.h"
#include "spd.h"
#include "sysctl.h"

struct ipsec_stats;
struct ctl_table_header;
struct proc_dir_entry;
struct net_device;
struct ipsec_acq_slot;
struct ipsec_in_addr4_cache;

struct ipsec_net {
	struct net *net;

	/* enc0: set at init; cleared at exit before it is unregistered,
	 * after which the datapath (under RCU) sees NULL and drops.
	 */
	struct net_device *enc_dev;

	/* The XFRM interfaces (xfrmi.c): changed under RTNL, walked under
	 * RCU by the datapath.
	 */
	struct hlist_head xfrmis;

	/* Knobs under net.ipsec and net.ipsec6; ints are read locklessly
	 * with READ_ONCE(), the algorithm strings under cfg_lock.
	 */
	struct ipsec_sysctl cfg;
	struct mutex cfg_lock;		/* the *_alg strings of cfg */
	struct ctl_table_header *sysctl_hdr;
	struct ctl_table_header *sysctl6_hdr;

	/* /proc/net/ipsec */
	struct proc_dir_entry *proc_dir;

	struct ipsec_stats __percpu *stats;
	/* input.c: the last IPv4 destinations found local or not */
	struct ipsec_in_addr4_cache __percpu *addr4;

	struct ipsec_sad sad;
	struct ipsec_spd spd;

	/* PF_KEY sockets of this namespace: the list is changed under
	 * pfkey_lock and walked under RCU by broadcasts.
	 */
	struct mutex pfkey_lock;
	struct hlist_head pfkey_socks;
	atomic64_t pfkey_drops;		/* broadcasts a full socket missed */
	atomic_t pfkey_registered;	/* sockets that sent REGISTER */

	/* The NETLINK_XFRM kernel socket (xfrm_nl.c); set at init. */
	struct sock __rcu *xfrm_nl;
	/* XFRM's default policies (XFRM_MSG_SETDEFAULT), indexed by XFRM's
	 * direction (XFRM_POLICY_IN, _OUT, _FWD): XFRM_USERPOLICY_ACCEPT or
	 * _BLOCK. Written by xfrm_nl_spd.c, read locklessly (policy.c).
	 */
	u8 xfrm_default[XFRM_POLICY_MAX];

	/* Kernel ACQUIREs: sequence numbers and the rate limit's slots. */
	atomic_t acq_seq;
	struct ipsec_acq_slot *acq;

	/* Netfilter hooks: the SPD match and the inbound check, while
	 * something in the namespace needs them (hooks.h).
	 */
	struct ipsec_hooks hooks;
};

extern unsigned int ipsec_net_id;

static inline struct ipsec_net *ipsec_net(const struct net *net)
{
	return net_generic(net, ipsec_net_id);
}

int ipsec_netns_init(void);
void ipsec_netns_uninit(void);

#endif /* IPSEC_NETNS_H */
