// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks, registered per namespace at the head of each chain
 * (NF_IP_PRI_FIRST): the SPD decides before any rule sees the packet, and
 * rules then see it on enc0 (output.c). Packets leaving through enc0 in
 * our own traversal, and the ESP packets we send, are let through.
 *
 * Inbound, what was decrypted arrives on enc0 and was checked against the
 * SPD with its SA already (input.c). Anything else arriving is cleartext:
 * if the inbound (LOCAL_IN) or forward (FORWARD) policy for it asks for
 * IPsec at level require or unique, it is dropped and counted. ESP, AH
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
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/slab.h>
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

static unsigned int ipsec_hook_local_out(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	struct ipsec_net *in = priv;

	if (state->out == in->enc_dev || ipsec_sent_by_us(skb, state->pf))
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
	if (state->in != in->enc_dev) {
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

	if (state->in == in->enc_dev)
		return NF_ACCEPT;
	if (ipsec_input_ipip(in, skb, state->pf == NFPROTO_IPV4 ? AF_INET :
							 AF_INET6))
		return NF_STOLEN;
	return ipsec_check_clear(in, skb, state->pf, IPSEC_DIR_INBOUND);
}

static const struct nf_hook_ops ipsec_hook_template[] = {
	{ .hook = ipsec_hook_local_out, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = NF_IP_PRI_FIRST },
	{ .hook = ipsec_hook_forward, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_FORWARD, .priority = NF_IP_PRI_FIRST },
	{ .hook = ipsec_hook_local_in, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_IN, .priority = NF_IP_PRI_FIRST },
	{ .hook = ipsec_hook_local_out, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = NF_IP6_PRI_FIRST },
	{ .hook = ipsec_hook_forward, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_FORWARD, .priority = NF_IP6_PRI_FIRST },
	{ .hook = ipsec_hook_local_in, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_IN, .priority = NF_IP6_PRI_FIRST },
};

int ipsec_hooks_net_init(struct ipsec_net *in)
{
	unsigned int i, n = ARRAY_SIZE(ipsec_hook_template);
	struct nf_hook_ops *ops;
	int err;

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
	in->hook_ops = ops;
	return 0;
}

void ipsec_hooks_net_exit(struct ipsec_net *in)
{
	nf_unregister_net_hooks(in->net, in->hook_ops,
				ARRAY_SIZE(ipsec_hook_template));
	kfree(in->hook_ops);
	in->hook_ops = NULL;
}
