// SPDX-License-Identifier: GPL-2.0
/*
 * Per-socket policies on the packet path (what they are: sockpol.h). A
 * socket's policy overrides the SPD for that socket's packets, as in
 * KAME and XFRM: outbound, the policy of the sending socket; inbound,
 * that of the local TCP or UDP socket a cleartext packet is delivered
 * to (early demux's skb->sk when set, else a lookup in the same tables
 * the protocol will search). The lookup is skipped while no socket of
 * the namespace has an inbound policy: XFRM counts linked socket
 * policies in net->xfrm.policy_count[XFRM_POLICY_MAX + dir].
 *
 * Everything here runs under RCU and takes no reference: the socket's
 * xfrm_policy is freed by XFRM after a grace period (xfrm_policy_destroy
 * uses call_rcu), and the sockets found are RCU-freed (UDP, listeners)
 * or held for the duration of the lookup (established TCP).
 */
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/udp.h>
#include <net/xfrm.h>

#include "compat.h"
#include "levels.h"
#include "netns.h"
#include "sockpol.h"

/* A selector with no address, protocol or port part matches anything:
 * PF_KEY's socket policies have none, XFRM's bypasses only a family.
 */
static bool ipsec_sockpol_sel_any(const struct xfrm_selector *sel)
{
	return !sel->prefixlen_s && !sel->prefixlen_d && !sel->proto &&
	       !sel->sport_mask && !sel->dport_mask;
}

static bool ipsec_sockpol_sel_match(const struct xfrm_selector *sel,
				    const struct ipsec_flow *f)
{
	if (ipsec_sockpol_sel_any(sel))
		return true;
	if (sel->family != f->family)
		return false;
	if (sel->proto && sel->proto != f->proto)
		return false;
	if ((f->sport ^ sel->sport) & sel->sport_mask ||
	    (f->dport ^ sel->dport) & sel->dport_mask)
		return false;
	if (f->family == AF_INET)
		return addr4_match(f->saddr.a4, sel->saddr.a4,
				   sel->prefixlen_s) &&
		       addr4_match(f->daddr.a4, sel->daddr.a4,
				   sel->prefixlen_d);
	return addr_match(&f->saddr, &sel->saddr, sel->prefixlen_s) &&
	       addr_match(&f->daddr, &sel->daddr, sel->prefixlen_d);
}

struct xfrm_policy *ipsec_sockpol_rcu(const struct sock *sk, int dir,
				      const struct ipsec_flow *flow)
{
	struct xfrm_policy *xp;

	if (!sk || !sk_fullsock(sk))
		return NULL;
	xp = rcu_dereference(sk->sk_policy[dir]);
	if (!xp || xp->mark.m || xp->mark.v != IPSEC_SOCKPOL_MARK)
		return NULL;	/* none, ENTRUST, or not compiled by us */
	return ipsec_sockpol_sel_match(&xp->selector, flow) ? xp : NULL;
}

u8 ipsec_sockpol_action(const struct xfrm_policy *xp)
{
	if (xp->action == XFRM_POLICY_BLOCK)
		return IPSEC_POLICY_DISCARD;
	return xp->xfrm_nr ? IPSEC_POLICY_IPSEC : IPSEC_POLICY_NONE;
}

void ipsec_sockpol_req(const struct xfrm_policy *xp, unsigned int i,
		       struct ipsec_policy_req *r)
{
	const struct xfrm_tmpl *t = &xp->xfrm_vec[i];

	memset(r, 0, sizeof(*r));
	r->proto = t->id.proto;
	r->reqid = t->reqid;
	r->level = t->optional ? IPSEC_LEVEL_USE :
		   t->share == XFRM_SHARE_UNIQUE ? IPSEC_LEVEL_UNIQUE :
						   IPSEC_LEVEL_REQUIRE;
	if (t->mode == XFRM_MODE_TUNNEL) {
		r->mode = IPSEC_MODE_TUNNEL;
		r->family = t->encap_family;
		r->saddr = t->saddr;
		r->daddr = t->id.daddr;
	} else {
		r->mode = IPSEC_MODE_TRANSPORT;
	}
}

struct xfrm_policy *ipsec_sockpol_out_rcu(struct ipsec_net *in,
					  const struct sk_buff *skb,
					  const struct ipsec_flow *flow)
{
	if (!READ_ONCE(in->net->xfrm.policy_count[XFRM_POLICY_MAX +
						  XFRM_POLICY_OUT]))
		return NULL;
	return ipsec_sockpol_rcu(sk_const_to_full_sk(skb->sk),
				 XFRM_POLICY_OUT, flow);
}

/* The socket TCP or UDP will deliver to; *put: drop a reference after. */
static struct sock *ipsec_sockpol_lookup4(struct net *net,
					  const struct ipsec_flow *f, int dif,
					  int sdif, bool *put)
{
	switch (f->proto) {
	case IPPROTO_UDP:
		return __udp4_lib_lookup(net, f->saddr.a4, f->sport,
					 f->daddr.a4, f->dport, dif, sdif,
					 ipsec_udp_table(net), NULL);
	case IPPROTO_TCP:
		return __inet_lookup(net, net->ipv4.tcp_death_row.hashinfo,
				     NULL, 0,
				     f->saddr.a4, f->sport, f->daddr.a4,
				     f->dport, dif, sdif, put);
	}
	return NULL;
}

static struct sock *ipsec_sockpol_lookup6(struct net *net,
					  const struct ipsec_flow *f, int dif,
					  int sdif, bool *put)
{
	switch (f->proto) {
	case IPPROTO_UDP:
		return __udp6_lib_lookup(net, &f->saddr.in6, f->sport,
					 &f->daddr.in6, f->dport, dif, sdif,
					 ipsec_udp_table(net), NULL);
	case IPPROTO_TCP:
		return __inet6_lookup(net, net->ipv4.tcp_death_row.hashinfo,
				      NULL, 0,
				      &f->saddr.in6, f->sport, &f->daddr.in6,
				      ntohs(f->dport), dif, sdif, put);
	}
	return NULL;
}

struct sock *ipsec_sock_lookup_rcu(struct net *net,
				   const struct ipsec_flow *f, int dif,
				   int sdif, bool *put)
{
	*put = false;
	if (f->family == AF_INET)
		return ipsec_sockpol_lookup4(net, f, dif, sdif, put);
	return ipsec_sockpol_lookup6(net, f, dif, sdif, put);
}

/* At LOCAL_IN, where the IP control block is the stack's. */
static struct sock *ipsec_sockpol_lookup(struct net *net, struct sk_buff *skb,
					 const struct ipsec_flow *f, bool *put)
{
	if (f->family == AF_INET)
		return ipsec_sock_lookup_rcu(net, f, inet_iif(skb),
					     inet_sdif(skb), put);
	return ipsec_sock_lookup_rcu(net, f, inet6_iif(skb), inet6_sdif(skb),
				     put);
}

/* RFC 3948 2.2: ESP in UDP starts with a non-zero SPI; IKE on the same
 * port with four zero bytes (the non-ESP marker), a keepalive is 0xff.
 */
static bool ipsec_udp_carries_esp(const struct sk_buff *skb,
				  const struct ipsec_flow *f)
{
	unsigned int noff = skb_network_offset(skb);
	__be32 _spi;
	const __be32 *spi;
	int off;

	if (f->family == AF_INET6) {
		u8 nh = ipv6_hdr(skb)->nexthdr;
		__be16 frag = 0;

		off = ipv6_skip_exthdr(skb, noff + sizeof(struct ipv6hdr), &nh,
				       &frag);
		if (off < 0 || nh != IPPROTO_UDP || frag & htons(IP6_OFFSET))
			return false;
	} else {
		if (ip_is_fragment(ip_hdr(skb)))
			return false;
		off = noff + ip_hdrlen(skb);
	}
	spi = skb_header_pointer(skb, off + sizeof(struct udphdr),
				 sizeof(_spi), &_spi);
	return spi && *spi;
}

bool ipsec_sockpol_espinudp_rcu(struct ipsec_net *in, struct sk_buff *skb,
				const struct ipsec_flow *flow)
{
	struct sock *sk = skb->sk;
	bool put = false, esp;

	if (flow->proto != IPPROTO_UDP || !ipsec_udp_carries_esp(skb, flow))
		return false;
	if (!sk)
		sk = ipsec_sockpol_lookup(in->net, skb, flow, &put);
	esp = sk && sk_fullsock(sk) && sk->sk_protocol == IPPROTO_UDP &&
	      READ_ONCE(udp_sk(sk)->encap_type) == UDP_ENCAP_ESPINUDP;
	if (put)
		sock_gen_put(sk);
	return esp;
}

struct xfrm_policy *ipsec_sockpol_in_rcu(struct ipsec_net *in,
					 struct sk_buff *skb,
					 const struct ipsec_flow *flow,
					 bool decrypted, bool *levels,
					 struct ipsec_levels *lv)
{
	struct net *net = in->net;
	struct xfrm_policy *xp;
	struct sock *found, *sk;
	bool put = false;

	*levels = false;
	if (!READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_MAX +
					      XFRM_POLICY_IN]) &&
	    !ipsec_levels_raised(in, flow->family))
		return NULL;
	found = skb->sk;
	if (decrypted)	/* the control block is ours, not the stack's */
		found = ipsec_sock_lookup_rcu(net, flow, skb->skb_iif, 0, &put);
	else if (!found)
		found = ipsec_sockpol_lookup(net, skb, flow, &put);
	/* a request socket's policies are its listener's; the reference
	 * the lookup took is the request socket's own
	 */
	sk = sk_to_full_sk(found);
	xp = ipsec_sockpol_rcu(sk, XFRM_POLICY_IN, flow);
	if (!xp && sk)
		*levels = ipsec_levels_rcu(in, sk, XFRM_POLICY_IN,
					   flow->family, lv);
	if (put)
		sock_gen_put(found);
	return xp;
}
