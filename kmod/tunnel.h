/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tunnel mode: the outer IP header built from the SA (RFC 4301 5.1.2,
 * ECN per RFC 6040), and taken off again.
 */
#ifndef IPSEC_TUNNEL_H
#define IPSEC_TUNNEL_H

#include <linux/skbuff.h>

struct ipsec_net;
struct ipsec_sa;

/* skb->data at the inner IP header of family @inner; pushes the outer
 * header for @sa. Returns 0 or a negative errno.
 */
int ipsec_tunnel_encap(struct ipsec_net *in, struct sk_buff *skb,
		       const struct ipsec_sa *sa, u8 inner);

/* skb->data at the inner header (@nh is IPPROTO_IPIP or IPPROTO_IPV6),
 * the network header still at the outer one. Applies RFC 6040 decap
 * ECN rules and makes the inner header the network header. Returns the
 * inner family, or a negative errno to drop.
 */
int ipsec_tunnel_decap(struct ipsec_net *in, struct sk_buff *skb, u8 nh);

#endif /* IPSEC_TUNNEL_H */
