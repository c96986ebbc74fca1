/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The output path: the SPD match at the [X] point of OpenBSD's drawing
 * (UL/R -> [X] -> PF/NAT(enc0) -> IPsec -> PF/NAT(IF) -> IF), as a
 * netfilter hook at the head of LOCAL_OUT (local packets) and FORWARD
 * (forwarded ones), IPv4 and IPv6.
 */
#ifndef IPSEC_OUTPUT_H
#define IPSEC_OUTPUT_H

#include <linux/netfilter.h>

struct ipsec_net;
struct ipsec_flow;
struct ipsec_policy;

/* ipsec_output_xfrmi(): the packet was taken, and dropped */
#define IPSEC_OUT_DROPPED	NF_STOP
/* ipsec_output_xfrmi(): no tunnel, the packet would leave by its own
 * route, into the interface again; the caller drops it
 */
#define IPSEC_OUT_LOOP		NF_REPEAT

unsigned int ipsec_output(struct ipsec_net *in, struct sk_buff *skb,
			  const struct nf_hook_state *state);
unsigned int ipsec_output_xfrmi(struct ipsec_net *in, struct sk_buff *skb,
				const struct ipsec_flow *flow,
				struct ipsec_policy *pol);
unsigned int ipsec_out_tcp_mss(struct ipsec_net *in,
			       const struct ipsec_flow *flow, u32 mark);

#endif /* IPSEC_OUTPUT_H */
