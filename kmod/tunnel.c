// SPDX-License-Identifier: GPL-2.0
/*
 * Tunnel-mode headers. The outer header takes its addresses from the SA,
 * the TTL or hop limit from the namespace's default, DF from the dfbit
 * sysctl, DSCP from the inner header and ECN as RFC 6040 says: normal
 * mode (copy, the default) or compatibility mode (Not-ECT) per the ecn
 * sysctl. Any mix of IPv4 and IPv6 inside and outside works.
 */
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "netns.h"
#include "sad.h"
#include "tunnel.h"

static u8 ipsec_inner_dsfield(const struct sk_buff *skb, u8 inner)
{
	return inner == AF_INET ? ipv4_get_dsfield(ip_hdr(skb)) :
				  ipv6_get_dsfield(ipv6_hdr(skb));
}

static bool ipsec_ecn_on(const struct ipsec_net *in, u8 outer)
{
	return outer == AF_INET6 ? READ_ONCE(in->cfg.inet6.ecn) :
				   READ_ONCE(in->cfg.inet.ecn);
}

/* What a tunnel's outer header wants in front of it: ESP or AH, UDP for
 * NAT-T, a link-layer header; at least, to be worth moving the data for.
 * And what ESP's trailer wants behind the data.
 */
#define IPSEC_TUNNEL_HEAD	64
#define IPSEC_TUNNEL_HEAD_MIN	32
#define IPSEC_TUNNEL_TAIL	32

/*
 * Room for an outer header of @hl bytes and what goes in front of it. A
 * locally sent packet was given headroom for a link layer only (it was
 * routed to the inner destination), but a small one has room to spare at
 * the end of its buffer: the data moves there, within the buffer, which
 * costs a copy of the data instead of a new (zeroed) buffer, a copy and a
 * free. Otherwise, or when the data is shared or not all linear, a new
 * buffer with room for any link layer. Whatever still lacks room later
 * (a longer link-layer header, ESP's trailer) is made by those who need
 * it, as before.
 */
static int ipsec_tunnel_room(struct sk_buff *skb, unsigned int hl)
{
	unsigned int have = skb_headroom(skb), want = hl + IPSEC_TUNNEL_HEAD;
	unsigned int spare, d;

	if (have >= want)
		return skb_cow_head(skb, want);
	if (skb_cloned(skb) || skb_is_nonlinear(skb))
		goto realloc;
	spare = skb_tailroom(skb);
	if (spare < IPSEC_TUNNEL_TAIL)
		goto realloc;
	d = ALIGN_DOWN(min(want - have, spare - IPSEC_TUNNEL_TAIL), 16);
	if (have + d < hl + IPSEC_TUNNEL_HEAD_MIN)
		goto realloc;
	memmove(skb->data + d, skb->data, skb->len);
	skb->data += d;
	skb_set_tail_pointer(skb, skb->len);
	skb_headers_offset_update(skb, d);
	return 0;
realloc:
	return skb_cow_head(skb, hl + LL_MAX_HEADER);
}

int ipsec_tunnel_encap(struct ipsec_net *in, struct sk_buff *skb,
		       const struct ipsec_sa *sa, u8 inner)
{
	u8 outer = sa->id.family, ds, proto;
	struct net *net = in->net;
	unsigned int hl;
	int err;

	skb_reset_network_header(skb);
	ds = ipsec_inner_dsfield(skb, inner);
	if (!ipsec_ecn_on(in, outer))
		ds &= ~INET_ECN_MASK;
	proto = inner == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
	hl = outer == AF_INET ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);

	err = ipsec_tunnel_room(skb, hl);
	if (err)
		return err;

	if (outer == AF_INET) {
		__be16 df = 0;
		struct iphdr *iph;
		int dfbit = READ_ONCE(in->cfg.dfbit);

		if (dfbit == IPSEC_DFBIT_SET)
			df = htons(IP_DF);
		else if (dfbit == IPSEC_DFBIT_COPY)
			df = inner == AF_INET ? ip_hdr(skb)->frag_off &
						htons(IP_DF) : htons(IP_DF);
		skb_push(skb, hl);
		skb_reset_network_header(skb);
		iph = ip_hdr(skb);
		iph->version = 4;
		iph->ihl = hl / 4;
		iph->tos = ds;
		iph->tot_len = htons(skb->len);
		iph->frag_off = df;
		iph->ttl = READ_ONCE(net->ipv4.sysctl_ip_default_ttl);
		iph->protocol = proto;
		iph->saddr = sa->rid.saddr.a4;
		iph->daddr = sa->id.daddr.a4;
		__ip_select_ident(net, iph, skb_shinfo(skb)->gso_segs ?: 1);
		ip_send_check(iph);
		skb->protocol = htons(ETH_P_IP);
	} else {
		struct ipv6hdr *ip6h;

		skb_push(skb, hl);
		skb_reset_network_header(skb);
		ip6h = ipv6_hdr(skb);
		ip6_flow_hdr(ip6h, ds, 0);
		ip6h->payload_len = htons(skb->len - hl);
		ip6h->nexthdr = proto;
		ip6h->hop_limit = READ_ONCE(net->ipv6.devconf_all->hop_limit);
		ip6h->saddr = sa->rid.saddr.in6;
		ip6h->daddr = sa->id.daddr.in6;
		skb->protocol = htons(ETH_P_IPV6);
	}
	return 0;
}

int ipsec_tunnel_decap(struct ipsec_net *in, struct sk_buff *skb, u8 nh)
{
	u8 inner = nh == IPPROTO_IPIP ? AF_INET : AF_INET6;
	u8 outer_family = ip_hdr(skb)->version == 4 ? AF_INET : AF_INET6;
	unsigned int need = inner == AF_INET ? sizeof(struct iphdr) :
					       sizeof(struct ipv6hdr);
	u8 outer_ecn, inner_ds;

	outer_ecn = (outer_family == AF_INET ?
		     ipv4_get_dsfield(ip_hdr(skb)) :
		     ipv6_get_dsfield(ipv6_hdr(skb))) & INET_ECN_MASK;
	if (!pskb_may_pull(skb, need))
		return -EINVAL;
	skb_reset_network_header(skb);
	if (ip_hdr(skb)->version != (inner == AF_INET ? 4 : 6))
		return -EINVAL;
	inner_ds = ipsec_inner_dsfield(skb, inner);

	/* RFC 6040 4.2 */
	if (ipsec_ecn_on(in, outer_family) && outer_ecn == INET_ECN_CE) {
		if ((inner_ds & INET_ECN_MASK) == INET_ECN_NOT_ECT)
			return -EBADMSG;
		if (skb_ensure_writable(skb, need))
			return -ENOMEM;
		if (inner == AF_INET)
			IP_ECN_set_ce(ip_hdr(skb));
		else
			IP6_ECN_set_ce(skb, ipv6_hdr(skb));
	}
	skb->protocol = htons(inner == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	return inner;
}
