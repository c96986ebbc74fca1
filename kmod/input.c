// SPDX-License-Identifier: GPL-2.0
/*
 * Inbound: ESP, AH and IPComp, IPv4 and IPv6. The SA is found by
 * (destination, SPI, protocol); the sequence number is checked against
 * the replay window before anything costly, the packet is decrypted and
 * verified (possibly asynchronously), the window advances, padding is
 * checked and stripped, tunnel mode takes the outer header off. The inner
 * packet is checked against the inbound (or forward) policy with the SA
 * that carried it, then received on enc0 as a new packet, so routing,
 * conntrack and rules see it there. Every drop is counted by cause.
 */
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/esp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/addrconf.h>
#include <net/route.h>

#include "ah.h"
#include "compat.h"
#include "enc.h"
#include "esp.h"
#include "input.h"
#include "ipcomp.h"
#include "levels.h"
#include "netns.h"
#include "output.h"
#include "policy.h"
#include "sockpol.h"
#include "stats.h"
#include "tunnel.h"
#include "udpencap.h"
#include "xfrmi.h"

/* Fixed part of each header: ESP SPI+seq (RFC 4303 2), AH through the
 * sequence number (RFC 4302 2), IPComp's CPI header (RFC 3173 2.2).
 */
static const unsigned int ipsec_min_hdr[IPSEC_P_MAX] = {
	[IPSEC_P_ESP] = 8,
	[IPSEC_P_AH] = 12,
	[IPSEC_P_IPCOMP] = 4,
};

/* A bundle (RFC 4301 4.5, "esp/transport ah/transport") is taken off in
 * one go while each transform's next header is another one in transport
 * mode: up to this many SAs before the last one.
 */
#define IPSEC_IN_OUTER_MAX	2

/* The IP layer's own control block is set aside while the transforms
 * run (the offset of the byte naming the transform is kept) and made
 * anew for the policy checks (ipsec_in_ip_cb).
 */
struct ipsec_in_cb {
	struct ipsec_sa *sa;		/* held: the SA being applied */
	/* held: the SAs of the bundle taken off already, outermost first */
	struct ipsec_sa *outer[IPSEC_IN_OUTER_MAX];
	u64 seq;
	u16 hl;				/* bytes of IP header before ESP
					 * (or before UDP for ESP in UDP)
					 */
	u16 nhoff;			/* IPv6: the byte naming ESP or AH */
	u8 family;
	u8 encap;			/* UDP_ENCAP_* or 0 */
	u8 nouter;
	u8 decapped;			/* an outer SA took a tunnel off */
};

#define IPSEC_IN_CB(skb) ((struct ipsec_in_cb *)(skb)->cb)

static bool ipsec_proto_enabled(const struct ipsec_net *in,
				enum ipsec_proto_idx p)
{
	switch (p) {
	case IPSEC_P_ESP:
		return READ_ONCE(in->cfg.esp_enable);
	case IPSEC_P_AH:
		return READ_ONCE(in->cfg.ah_enable);
	case IPSEC_P_IPCOMP:
		return READ_ONCE(in->cfg.ipcomp_enable);
	default:
		return false;
	}
}

/* The SAs the packet holds, outermost first; returns how many. */
static unsigned int ipsec_in_held(const struct ipsec_in_cb *cb,
				  struct ipsec_sa **held)
{
	unsigned int i, n = 0;

	for (i = 0; i < cb->nouter; i++)
		held[n++] = cb->outer[i];
	if (cb->sa)
		held[n++] = cb->sa;
	return n;
}

/* The SAs go last: their references keep the namespace's state alive.
 * A drop by the SA being applied is a receive error of the interface of
 * its if_id (xfrmi.c).
 */
static void ipsec_in_drop_p(struct ipsec_net *in, struct sk_buff *skb,
			    enum ipsec_proto_idx p, enum ipsec_stat why)
{
	struct ipsec_in_cb *cb = IPSEC_IN_CB(skb);
	struct ipsec_sa *held[IPSEC_IN_OUTER_MAX + 1];
	unsigned int i, n = ipsec_in_held(cb, held);

	if (cb->sa)
		ipsec_xfrmi_rx_error(in, cb->sa->rid.if_id);
	ipsec_drop(in, skb, p, why);
	for (i = 0; i < n; i++)
		ipsec_sa_put(held[i]);
}

static void ipsec_in_drop(struct ipsec_net *in, struct sk_buff *skb,
			  enum ipsec_stat why)
{
	const struct ipsec_sa *sa = IPSEC_IN_CB(skb)->sa;

	ipsec_in_drop_p(in, skb, ipsec_proto_idx(sa->id.proto), why);
}

/* Transport mode: the IP header (and IPv6 extension headers) moves up
 * against the payload, and names the next header where it named ESP.
 */
static void ipsec_in_transport(struct sk_buff *skb, u8 nh)
{
	struct ipsec_in_cb *cb = IPSEC_IN_CB(skb);
	unsigned int hl = cb->hl;

	memmove(skb->data - hl, skb_network_header(skb), hl);
	__skb_push(skb, hl);
	skb_reset_network_header(skb);
	if (cb->family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->protocol = nh;
		iph->tot_len = htons(skb->len);
		ip_send_check(iph);
	} else {
		skb_network_header(skb)[cb->nhoff] = nh;
		ipv6_hdr(skb)->payload_len =
			htons(skb->len - sizeof(struct ipv6hdr));
	}
}

/*
 * inet_addr_type()'s last answers on this CPU, one address found local
 * and one found not, each with the IPv4 routing generation it was found
 * under: the packed address and rt_genid_ipv4(). A decrypted packet's
 * destination is then one comparison instead of a lookup in the local
 * table. Every change of the FIB that could change the answer bumps the
 * generation (rt_cache_flush(): routes added, deleted once a lookup has
 * used them, addresses, devices going up or down), as the route cache's
 * dst_check() relies on; the entry then no longer matches. 0.0.0.0 is
 * never local, and no entry is taken for it (a zero entry means none).
 * Each entry is one 64-bit word, read and written whole, from any
 * context.
 */
struct ipsec_in_addr4_cache {
	u64 local, other;
};

static bool ipsec_in_local4(struct ipsec_net *in, __be32 addr)
{
	struct ipsec_in_addr4_cache __percpu *c = in->addr4;
	/* the generation before the lookup: a change made after this read
	 * leaves what is stored under it stale at once
	 */
	u32 gen = (u32)rt_genid_ipv4(in->net);
	u64 key = (u64)(__force u32)addr << 32 | gen;
	bool local;

	if (addr) {
		if (this_cpu_read(c->local) == key)
			return true;
		if (this_cpu_read(c->other) == key)
			return false;
	}
	smp_rmb();	/* the generation before the table */
	local = inet_addr_type(in->net, addr) == RTN_LOCAL;
	if (addr) {
		if (local)
			this_cpu_write(c->local, key);
		else
			this_cpu_write(c->other, key);
	}
	return local;
}

int ipsec_input_net_init(struct ipsec_net *in)
{
	in->addr4 = alloc_percpu(struct ipsec_in_addr4_cache);
	return in->addr4 ? 0 : -ENOMEM;
}

void ipsec_input_net_exit(struct ipsec_net *in)
{
	free_percpu(in->addr4);
	in->addr4 = NULL;
}

/* Is the inner packet for this host (inbound policy) or to forward? */
static u8 ipsec_in_dir(struct ipsec_net *in, const struct ipsec_flow *f)
{
	bool local;

	if (f->family == AF_INET)
		local = ipsec_in_local4(in, f->daddr.a4);
	else
		local = ipv6_chk_addr(in->net, &f->daddr.in6, NULL, 0);
	return local ? IPSEC_DIR_INBOUND : IPSEC_DIR_FWD;
}

/* Transport mode: a TCP SYN or SYN-ACK that arrived protected gets its
 * MSS option lowered to what fits our ESP packets back to the peer. The
 * ESP packet leaves by the same route as the segment, which has one MTU
 * for both (XFRM gives such packets a route of their own): without this
 * every full-sized segment would go out in two fragments.
 */
static void ipsec_in_clamp_mss(struct ipsec_net *in, struct sk_buff *skb,
			       u8 family)
{
	struct ipsec_flow rev = { .family = family, .proto = IPPROTO_TCP };
	unsigned int thoff, optlen, i, mss;
	struct tcphdr *th;
	u8 *opt;

	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
			return;
		thoff = iph->ihl * 4;
		rev.saddr.a4 = iph->daddr;
		rev.daddr.a4 = iph->saddr;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		if (ip6h->nexthdr != IPPROTO_TCP)
			return;
		thoff = sizeof(*ip6h);
		rev.saddr.in6 = ip6h->daddr;
		rev.daddr.in6 = ip6h->saddr;
	}
	if (!pskb_may_pull(skb, thoff + sizeof(*th)))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	if (!th->syn || th->doff * 4 <= sizeof(*th) ||
	    !pskb_may_pull(skb, thoff + th->doff * 4) ||
	    skb_ensure_writable(skb, thoff + th->doff * 4))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	rev.sport = th->dest;
	rev.dport = th->source;
	rcu_read_lock();
	mss = ipsec_out_tcp_mss(in, &rev, skb->mark);
	rcu_read_unlock();
	if (!mss)
		return;

	opt = (u8 *)(th + 1);
	optlen = th->doff * 4 - sizeof(*th);
	for (i = 0; i < optlen; ) {
		if (opt[i] == TCPOPT_EOL)
			return;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= optlen || opt[i + 1] < 2 || i + opt[i + 1] > optlen)
			return;
		if (opt[i] == TCPOPT_MSS && opt[i + 1] == TCPOLEN_MSS) {
			u16 old = get_unaligned_be16(opt + i + 2);

			if (old > mss) {
				put_unaligned_be16(mss, opt + i + 2);
				csum_replace2(&th->check, htons(old),
					      htons(mss));
			}
			return;
		}
		i += opt[i + 1];
	}
}

static int ipsec_in_filtered(struct net *net, struct sock *sk,
			     struct sk_buff *skb)
{
	ipsec_enc_receive(ipsec_net(net), skb,
			  skb->protocol == htons(ETH_P_IP) ? AF_INET : AF_INET6,
			  false);
	return 0;
}

/* net.ipsec.filter_tunnel (KAME's IPSEC_FILTERTUNNEL): the inner packet
 * of a tunnel also passes PRE_ROUTING as arriving on the interface that
 * carried the ESP packet, so that interface's rules see it too, before
 * it is received on enc0. Conntrack state from this pass is not kept:
 * the connection is tracked on enc0.
 */
static void ipsec_in_filter_tunnel(struct ipsec_net *in, struct sk_buff *skb,
				   u8 family)
{
	memset(skb->cb, 0, sizeof(skb->cb));
	NF_HOOK(family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6,
		NF_INET_PRE_ROUTING, in->net, NULL, skb, skb->dev, NULL,
		ipsec_in_filtered);
}

/* Under RCU. RFC 4301 5.2 for a local socket with a policy of its own
 * (sockpol.h): each request it requires must be met by one of the @n SAs
 * the packet came through (outermost first; the last one took a tunnel
 * off when @tunnel); with OpenBSD levels (levels.h), they must meet those
 * at require.
 */
static bool ipsec_in_sk_ok(struct ipsec_net *in, struct sk_buff *skb,
			   const struct ipsec_flow *flow,
			   struct ipsec_sa *const *sas, unsigned int n,
			   bool tunnel)
{
	struct ipsec_policy_req r;
	struct xfrm_policy *xp;
	struct ipsec_levels lv;
	unsigned int i, j;
	bool levels;

	xp = ipsec_sockpol_in_rcu(in, skb, flow, true, &levels, &lv);
	if (!xp)
		return !levels || ipsec_levels_bypass(&lv) ||
		       ipsec_levels_in_ok(&lv, sas, n, tunnel);
	switch (ipsec_sockpol_action(xp)) {
	case IPSEC_POLICY_DISCARD:
		return false;
	case IPSEC_POLICY_NONE:
		return true;
	}
	for (i = 0; i < xp->xfrm_nr; i++) {
		ipsec_sockpol_req(xp, i, &r);
		if (r.level < IPSEC_LEVEL_REQUIRE)
			continue;
		for (j = 0; j < n; j++)
			if (ipsec_req_matches_sa(&r, sas[j]))
				break;
		if (j == n)
			return false;
	}
	return true;
}

/* Why a transform failed, as the protocol counts it. */
static enum ipsec_stat ipsec_in_why(const struct ipsec_sa *sa, int err)
{
	switch (err) {
	case -EBADMSG:			/* IPComp: does not decompress */
		return sa->id.proto == IPPROTO_COMP ? IPSEC_STAT_CRYPTO :
						      IPSEC_STAT_BADAUTH;
	case -EMSGSIZE:			/* AH's header length */
		return IPSEC_STAT_BADAUTHL;
	case -EINVAL:
		return sa->id.proto == IPPROTO_ESP ? IPSEC_STAT_BADILEN :
						     IPSEC_STAT_HDROPS;
	case -ENOMEM:
		return IPSEC_STAT_QFULL;
	default:
		return IPSEC_STAT_CRYPTO;
	}
}

/* The next header after the transform's own is stripped. */
static int ipsec_in_strip(struct sk_buff *skb, const struct ipsec_sa *sa)
{
	if (sa->id.proto == IPPROTO_AH)
		return ipsec_ah_input_done(skb);
	if (sa->id.proto == IPPROTO_COMP)
		return ipsec_ipcomp_input_done(skb);
	return ipsec_esp_input_done(skb, sa);
}

static void ipsec_in_bundle_next(struct ipsec_net *in, struct sk_buff *skb,
				 u8 nh);
static int ipsec_in_tunnel_next(struct ipsec_net *in, struct sk_buff *skb,
				u8 family);

/* The IP layer's control block again, as socket lookups read it (the
 * input interface; an L3 master device's flags are not kept).
 */
static void ipsec_in_ip_cb(struct sk_buff *skb, int family)
{
	if (family == AF_INET) {
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		IPCB(skb)->iif = skb->skb_iif;
	} else {
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		IP6CB(skb)->iif = skb->skb_iif;
	}
}

static void ipsec_in_deliver(struct ipsec_net *in, struct sk_buff *skb,
			     int nh);

/* Under RCU: the reqid of the IPComp tunnel request, from the outer
 * source to the outer destination (@rid), of the inbound or forward
 * policy the IP in IP packet's inner header (@inner bytes from
 * skb->data) falls under; 0 if there is none.
 */
static u32 ipsec_in_ipcomp_reqid(struct ipsec_net *in,
				 const struct sk_buff *skb,
				 const struct ipsec_sa_rid *rid,
				 unsigned int inner, u8 nh)
{
	const struct ipsec_policy *pol;
	struct ipsec_flow flow;
	unsigned int i;

	if (ipsec_flow_from_skb_at(skb, inner, nh == IPPROTO_IPIP ? AF_INET :
				   AF_INET6, &flow))
		return 0;
	pol = ipsec_spd_lookup_rcu(in, ipsec_in_dir(in, &flow), &flow);
	if (!pol || pol->action != IPSEC_POLICY_IPSEC)
		return 0;
	for (i = 0; i < pol->nreqs; i++) {
		const struct ipsec_policy_req *r = &pol->req[i];

		if (r->proto == IPPROTO_COMP && r->mode == IPSEC_MODE_TUNNEL &&
		    r->family == rid->family &&
		    xfrm_addr_equal(&r->saddr, &rid->saddr, rid->family) &&
		    xfrm_addr_equal(&r->daddr, &rid->daddr, rid->family))
			return r->reqid;
	}
	return 0;
}

/* The IPComp tunnel SA from the outer header's source to its destination
 * whose mark matches the packet's, held; NULL if there is none or IPComp
 * is off. Plain IP in IP (@nh, inner header @inner bytes from skb->data)
 * from there is that SA's short packet (ipsec_input_ipip): RFC 3173 2.2
 * lets a packet that does not shrink go out uncompressed, and XFRM's
 * IPComp tunnels send it as plain IP in IP. The SA has the reqid of the
 * SA that carried the packet (@reqid: a bundle's SAs share one, as key
 * managers key them), 0, or that of the IPComp request of the policy
 * the inner packet falls under.
 */
static struct ipsec_sa *ipsec_in_ipcomp_sa(struct ipsec_net *in,
					   const struct sk_buff *skb,
					   u8 family, u8 nh,
					   unsigned int inner, u32 reqid)
{
	struct ipsec_sa_rid rid = { .proto = IPPROTO_COMP, .family = family };
	struct ipsec_sa *sa;

	if (!READ_ONCE(in->cfg.ipcomp_enable))
		return NULL;
	if (family == AF_INET) {
		rid.saddr.a4 = ip_hdr(skb)->saddr;
		rid.daddr.a4 = ip_hdr(skb)->daddr;
	} else {
		rid.saddr.in6 = ipv6_hdr(skb)->saddr;
		rid.daddr.in6 = ipv6_hdr(skb)->daddr;
	}
	rcu_read_lock();
	rid.reqid = reqid;
	sa = ipsec_sa_find_rid_rcu(in, &rid, IPSEC_MODE_TUNNEL, skb->mark);
	if (!sa && reqid) {
		rid.reqid = 0;
		sa = ipsec_sa_find_rid_rcu(in, &rid, IPSEC_MODE_TUNNEL,
					   skb->mark);
	}
	if (!sa) {
		rid.reqid = ipsec_in_ipcomp_reqid(in, skb, &rid, inner, nh);
		if (rid.reqid && rid.reqid != reqid)
			sa = ipsec_sa_find_rid_rcu(in, &rid, IPSEC_MODE_TUNNEL,
						   skb->mark);
	}
	if (sa && (sa->mode != IPSEC_MODE_TUNNEL ||
		   !refcount_inc_not_zero(&sa->refcnt)))
		sa = NULL;
	rcu_read_unlock();
	return sa;
}

static void ipsec_in_resume(struct sk_buff *skb, int err)
{
	struct ipsec_in_cb *cb = IPSEC_IN_CB(skb);
	struct ipsec_sa *sa = cb->sa;
	struct ipsec_net *in = sa->in;
	enum ipsec_proto_idx p = ipsec_proto_idx(sa->id.proto);
	int nh;

	if (err) {
		ipsec_in_drop(in, skb, ipsec_in_why(sa, err));
		return;
	}
	/* RFC 4303 3.4.3: the window moves only for verified packets;
	 * IPComp has none (RFC 3173 3.3)
	 */
	if (sa->id.proto != IPPROTO_COMP &&
	    !ipsec_replay_advance(&sa->replay, cb->seq)) {
		ipsec_in_drop(in, skb, IPSEC_STAT_REPLAY);
		return;
	}
	/* replaced or deleted meanwhile: a successor's window may not know
	 * this packet (sad.c, ipsec_sa_succeed), so it goes
	 */
	if (READ_ONCE(sa->state) == IPSEC_SA_DEAD) {
		ipsec_in_drop(in, skb, IPSEC_STAT_INVALID);
		return;
	}
	nh = ipsec_in_strip(skb, sa);
	if (nh < 0) {
		ipsec_in_drop(in, skb, nh == -EBADMSG ? IPSEC_STAT_BADENC :
				       IPSEC_STAT_BADILEN);
		return;
	}
	if (!ipsec_sa_account(sa, skb->len)) {
		ipsec_in_drop(in, skb, IPSEC_STAT_INVALID);
		return;
	}
	if (cb->encap)
		ipsec_udpencap_mapping(sa, skb, cb->family, cb->hl);
	ipsec_stat_inc(in->net, p, IPSEC_STAT_INPUT);
	ipsec_stat_add(in->net, p, IPSEC_STAT_IBYTES, skb->len);
	ipsec_in_deliver(in, skb, nh);
}

/* The transform is off (skb->data at what it carried, @nh): the next SA
 * of a bundle, or the inner packet checked against the policy and
 * received on enc0.
 */
static void ipsec_in_deliver(struct ipsec_net *in, struct sk_buff *skb,
			     int nh)
{
	struct ipsec_in_cb *cb = IPSEC_IN_CB(skb);
	struct ipsec_sa *sa = cb->sa;
	struct ipsec_sa *held[IPSEC_IN_OUTER_MAX + 1];
	struct ipsec_flow flow;
	unsigned int n, i;
	int family, err;
	bool tunnel, tunnelled;
	u8 proto, dir, encap;

	tunnel = (nh == IPPROTO_IPIP || nh == IPPROTO_IPV6) &&
		 sa->mode != IPSEC_MODE_TRANSPORT;
	/* a transport SA carried plain IP in IP: an IPComp tunnel's short
	 * packet inside the bundle (ipcomp/tunnel esp/transport)
	 */
	if (!tunnel && !cb->encap && cb->nouter < IPSEC_IN_OUTER_MAX &&
	    (nh == IPPROTO_IPIP || nh == IPPROTO_IPV6)) {
		struct ipsec_sa *comp = ipsec_in_ipcomp_sa(in, skb, cb->family,
							   nh, 0, sa->reqid);

		if (comp) {
			cb->outer[cb->nouter++] = sa;
			cb->sa = comp;
			sa = comp;
			tunnel = true;
		}
	}
	if (!tunnel && !cb->encap && cb->nouter < IPSEC_IN_OUTER_MAX &&
	    (nh == IPPROTO_ESP || nh == IPPROTO_AH || nh == IPPROTO_COMP)) {
		ipsec_in_bundle_next(in, skb, nh);
		return;
	}
	if (tunnel) {
		family = ipsec_tunnel_decap(in, skb, nh);
		if (family < 0) {
			ipsec_in_drop(in, skb, family == -EBADMSG ?
				      IPSEC_STAT_BADENC : IPSEC_STAT_HDROPS);
			return;
		}
		err = ipsec_in_tunnel_next(in, skb, family);
		if (err < 0)
			ipsec_in_drop(in, skb, IPSEC_STAT_QFULL);
		if (err)
			return;
	} else {
		ipsec_in_transport(skb, nh);
		family = cb->family;
		ipsec_in_clamp_mss(in, skb, family);
	}

	/* RFC 4301 5.2: the SAs must be those the policy asks for */
	if (ipsec_flow_from_skb(skb, family, &flow)) {
		ipsec_in_drop(in, skb, IPSEC_STAT_HDROPS);
		return;
	}
	n = ipsec_in_held(cb, held);
	encap = cb->encap;
	tunnelled = tunnel || cb->decapped;
	ipsec_in_ip_cb(skb, family);	/* cb is the IP layer's from here */
	rcu_read_lock();
	/* as XFRM: the policies of the SA's if_id when its interface is up
	 * (the packet is received there), else those of none
	 */
	if (ipsec_xfrmi_up_rcu(in, sa->rid.if_id))
		flow.if_id = sa->rid.if_id;
	dir = ipsec_in_dir(in, &flow);
	err = ipsec_policy_check_in(in, dir, &flow,
				    (const struct ipsec_sa **)held, n,
				    tunnelled, skb, &proto);
	/* and so must a socket's own policy or levels */
	if (err == IPSEC_PASS && dir == IPSEC_DIR_INBOUND &&
	    !ipsec_in_sk_ok(in, skb, &flow, held, n, tunnel))
		err = IPSEC_DROP;
	rcu_read_unlock();
	if (err != IPSEC_PASS) {
		ipsec_drop(in, skb, ipsec_proto_idx(proto), IPSEC_STAT_PDROPS);
		goto out;
	}
	/* the SA's reference keeps the namespace's state alive until the
	 * packet is handed on (netns.c)
	 */
	if (flow.if_id &&
	    ipsec_xfrmi_receive(in, skb, flow.if_id, family,
				!tunnelled && encap, !tunnelled))
		goto out;	/* on its interface; enc0 tapped it */
	if (tunnelled && READ_ONCE(in->cfg.filter_tunnel))
		ipsec_in_filter_tunnel(in, skb, family);
	else
		/* RFC 3948 3.1.2: in transport mode through a NAT the TCP or
		 * UDP checksum covers the addresses before the NAT: not
		 * checked
		 */
		ipsec_enc_receive(in, skb, family, !tunnelled && encap);
out:
	for (i = 0; i < n; i++)
		ipsec_sa_put(held[i]);
}

/* ESP, AH or IPComp (skb->data at its header, the fixed part linear). */
static int ipsec_xform_rcv(struct ipsec_net *in, struct sk_buff *skb,
			   int family, u8 encap, u8 proto)
{
	struct ipsec_in_cb *cb = IPSEC_IN_CB(skb);
	enum ipsec_proto_idx p = ipsec_proto_idx(proto);
	struct ipsec_sa_id id = { .proto = proto, .family = family };
	struct ipsec_sa *sa;
	__be32 seq_no;
	int err;

	if (proto == IPPROTO_AH) {
		const struct ip_auth_hdr *ah = (void *)skb->data;

		id.spi = ah->spi;
		seq_no = ah->seq_no;
	} else if (proto == IPPROTO_COMP) {
		const struct ip_comp_hdr *ipch = (void *)skb->data;

		/* RFC 3173 3.3: the CPI names the SA as an SPI would */
		id.spi = htonl(ntohs(ipch->cpi));
		seq_no = 0;
	} else {
		const struct ip_esp_hdr *esph = (void *)skb->data;

		id.spi = esph->spi;
		seq_no = esph->seq_no;
	}

	if (family == AF_INET)
		id.daddr.a4 = ip_hdr(skb)->daddr;
	else
		id.daddr.in6 = ipv6_hdr(skb)->daddr;
	/* XFRM's xfrm_state_lookup() with the packet's mark */
	sa = ipsec_sa_get(in, &id, skb->mark);
	if (!sa) {
		ipsec_in_drop_p(in, skb, p, IPSEC_STAT_NOTDB);
		return 0;
	}
	/* and its output mark, as xfrm_input() sets it right away */
	skb->mark = ipsec_sa_smark(sa, skb->mark);
	/* the route of a transport SA's packet outlives the transforms when
	 * an XFRM interface receives it (xfrmi.c): held, not borrowed
	 */
	if (sa->rid.if_id)
		skb_dst_force(skb);
	cb->sa = sa;
	cb->family = family;
	cb->encap = encap;
	cb->hl = skb->data - skb_network_header(skb) -
		 ipsec_udpencap_len(encap);
	/* ESP in UDP for the SAs that say so, and only for them */
	if (encap != sa->natt_type) {
		ipsec_in_drop(in, skb, encap ? IPSEC_STAT_UDPINVAL :
				       IPSEC_STAT_UDPNEEDED);
		return 0;
	}
	if (!ipsec_sa_usable(sa)) {
		ipsec_in_drop(in, skb, IPSEC_STAT_INVALID);
		return 0;
	}
	if (!ipsec_sa_has_xform(sa)) {
		ipsec_in_drop(in, skb, IPSEC_STAT_BADKCR);
		return 0;
	}
	if (proto == IPPROTO_COMP) {
		nf_reset_ct(skb);
		ipsec_in_resume(skb, ipsec_ipcomp_input(skb, sa));
		return 0;
	}
	cb->seq = ipsec_replay_check(&sa->replay, ntohl(seq_no),
				     ipsec_sa_esn(sa));
	if (!cb->seq) {
		ipsec_in_drop(in, skb, IPSEC_STAT_REPLAY);
		return 0;
	}
	/* the outer packet's conntrack entry has nothing to do with the inner
	 * one's
	 */
	nf_reset_ct(skb);
	if (proto == IPPROTO_AH)
		err = ipsec_ah_input(skb, sa, cb->seq, ipsec_in_resume);
	else
		err = ipsec_esp_input(skb, sa, cb->seq, ipsec_in_resume);
	if (err != -EINPROGRESS)
		ipsec_in_resume(skb, err);
	return 0;
}

/* A packet from the IP layer: its control block becomes ours. */
static void ipsec_in_cb_init(struct sk_buff *skb, int family)
{
	struct ipsec_in_cb *cb = IPSEC_IN_CB(skb);
	u16 nhoff = family == AF_INET6 ? IP6CB(skb)->nhoff :
				     offsetof(struct iphdr, protocol);

	BUILD_BUG_ON(sizeof(*cb) > sizeof_field(struct sk_buff, cb));
	memset(cb, 0, sizeof(*cb));
	cb->nhoff = nhoff;
}

/* skb->data at the header of protocol p; the SAs the packet holds are
 * in its control block.
 */
static int ipsec_in_dispatch(struct ipsec_net *in, struct sk_buff *skb,
			     enum ipsec_proto_idx p, int family)
{
	enum ipsec_stat why;

	if (!ipsec_proto_enabled(in, p)) {
		why = IPSEC_STAT_PDROPS;
		goto drop;
	}
	if (!pskb_may_pull(skb, ipsec_min_hdr[p])) {
		why = IPSEC_STAT_HDROPS;
		goto drop;
	}
	if (p == IPSEC_P_ESP)
		return ipsec_xform_rcv(in, skb, family, 0, IPPROTO_ESP);
	if (p == IPSEC_P_AH)
		return ipsec_xform_rcv(in, skb, family, 0, IPPROTO_AH);
	return ipsec_xform_rcv(in, skb, family, 0, IPPROTO_COMP);
drop:
	ipsec_in_drop_p(in, skb, p, why);
	return 0;
}

/* Transport mode, and the next header is ESP, AH or IPComp: the next SA of
 * the bundle, on the same outer header. The SA just applied is kept for
 * the policy check at the end.
 */
static void ipsec_in_bundle_next(struct ipsec_net *in, struct sk_buff *skb,
				 u8 nh)
{
	struct ipsec_in_cb *cb = IPSEC_IN_CB(skb);

	ipsec_in_transport(skb, nh);
	__skb_pull(skb, cb->hl);
	skb_reset_transport_header(skb);
	cb->outer[cb->nouter++] = cb->sa;
	cb->sa = NULL;
	ipsec_in_dispatch(in, skb, ipsec_proto_idx(nh), cb->family);
}

/* The inner packet of a tunnel (skb->data at its IP header), if it is
 * ESP, AH or IPComp for this host: iterated tunnelling (RFC 4301 4.5),
 * as KAME's "esp/transport//require ah/tunnel/A-B/require" sends it. It
 * is taken off here as the next SA of the bundle, the tunnel SA kept for
 * the policy check at the end, which sees every SA the packet came
 * through. Returns 1 when taken, 0 when the inner packet goes on as it
 * is (another protocol, another host, a fragment, a header that IP input
 * would refuse: the policy decides, then IP input on enc0), < 0 when it
 * could not be trimmed to its own length.
 */
static int ipsec_in_tunnel_next(struct ipsec_net *in, struct sk_buff *skb,
				u8 family)
{
	struct ipsec_in_cb *cb = IPSEC_IN_CB(skb);
	struct ipsec_flow f = { .family = family };
	unsigned int hl, len;
	u16 nhoff;
	u8 nh;

	if (cb->nouter >= IPSEC_IN_OUTER_MAX)
		return 0;
	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->ihl < 5 || ip_is_fragment(iph))
			return 0;
		hl = iph->ihl * 4;
		nh = iph->protocol;
		nhoff = offsetof(struct iphdr, protocol);
		len = ntohs(iph->tot_len);
		f.daddr.a4 = iph->daddr;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		if (!ip6h->payload_len)		/* a jumbogram */
			return 0;
		len = sizeof(*ip6h) + ntohs(ip6h->payload_len);
		f.daddr.in6 = ip6h->daddr;
		nh = ip6h->nexthdr;
		nhoff = offsetof(struct ipv6hdr, nexthdr);
		hl = sizeof(*ip6h);
		/* ESP, AH and IPComp come after these (RFC 8200 4.1) */
		while (nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING ||
		       nh == NEXTHDR_DEST) {
			struct ipv6_rt_hdr _h;
			const struct ipv6_rt_hdr *h;

			/* hop-by-hop options right after the header only
			 * (RFC 8200 4.3), as ipv6_rcv takes them
			 */
			if (nh == NEXTHDR_HOP && hl != sizeof(*ip6h))
				return 0;
			h = skb_header_pointer(skb, hl, sizeof(_h), &_h);
			if (!h)
				return 0;
			/* segments left: this host is not the final
			 * destination, which ESP and AH are for (RFC 8200
			 * 4.4; RFC 4303 3.1.1, RFC 4302 3.1.1: end to end)
			 */
			if (nh == NEXTHDR_ROUTING && h->segments_left)
				return 0;
			nhoff = hl;
			nh = h->nexthdr;
			hl += ipv6_optlen(h);
		}
	}
	if (nh != IPPROTO_ESP && nh != IPPROTO_AH && nh != IPPROTO_COMP)
		return 0;
	if (len < hl || len > skb->len || !pskb_may_pull(skb, hl) ||
	    ipsec_in_dir(in, &f) != IPSEC_DIR_INBOUND)
		return 0;
	/* RFC 1122 3.2.1.2: a header with a bad checksum is discarded. Not
	 * taken apart, it goes on as it is: the policy drops it, or ip_rcv
	 * on enc0 does (ipsec_in_transport would make the checksum good).
	 */
	if (family == AF_INET && ip_fast_csum(skb->data, hl / 4))
		return 0;
	/* what followed the inner packet (ESP's TFC padding) goes */
	if (pskb_trim_rcsum(skb, len))
		return -ENOMEM;
	cb->outer[cb->nouter++] = cb->sa;
	cb->sa = NULL;
	cb->nhoff = nhoff;
	cb->decapped = 1;
	__skb_pull(skb, hl);
	skb_reset_transport_header(skb);
	ipsec_in_dispatch(in, skb, ipsec_proto_idx(nh), family);
	return 1;
}

int ipsec_input(struct sk_buff *skb, enum ipsec_proto_idx p, int family)
{
	struct ipsec_net *in = ipsec_net(dev_net(skb->dev));

	ipsec_in_cb_init(skb, family);
	return ipsec_in_dispatch(in, skb, p, family);
}

/* ESP in UDP (RFC 3948), from a UDP_ENCAP socket: the UDP header (and the
 * non-IKE marker) lies between the IP header and skb->data.
 */
int ipsec_input_encap(struct sk_buff *skb, int family, int encap_type)
{
	struct net *net = dev_net(skb->dev);
	struct ipsec_net *in = ipsec_net(net);
	enum ipsec_stat why;

	if (encap_type != UDP_ENCAP_ESPINUDP &&
	    encap_type != UDP_ENCAP_ESPINUDP_NON_IKE) {
		why = IPSEC_STAT_UDPINVAL;
		goto drop;
	}
	ipsec_in_cb_init(skb, family);
	ipsec_stat_inc(net, IPSEC_P_ESP, IPSEC_STAT_UDPENCIN);
	if (!ipsec_proto_enabled(in, IPSEC_P_ESP)) {
		why = IPSEC_STAT_PDROPS;
		goto drop;
	}
	if (!pskb_may_pull(skb, ipsec_min_hdr[IPSEC_P_ESP])) {
		why = IPSEC_STAT_HDROPS;
		goto drop;
	}
	return ipsec_xform_rcv(in, skb, family, encap_type, IPPROTO_ESP);
drop:
	ipsec_drop(in, skb, IPSEC_P_ESP, why);
	return 0;
}

/*
 * Plain IP in IP (IPv4 or IPv6 in IPv4 or IPv6) from the far end of an
 * IPComp tunnel SA of ours. RFC 3173 2.2 lets any packet go without
 * IPComp, and Linux XFRM sends a tunnel's short packets as plain IP in IP
 * (it pairs the IPComp SA with an IPIP one). Such a packet is taken as if
 * that IPComp SA had carried it, so the inner packet meets the same
 * policy check as a decompressed one; KAME, too, never refuses a packet
 * for the lack of IPComp. Only SAs without a reqid are found this way.
 * From the LOCAL_IN hook, under RCU, skb->data at the outer header; true
 * if the packet was taken.
 */
bool ipsec_input_ipip(struct ipsec_net *in, struct sk_buff *skb, u8 family)
{
	struct ipsec_in_cb *cb;
	struct ipsec_sa *sa;
	unsigned int hl;
	u8 nh;

	if (skb_network_offset(skb) != 0)
		return false;
	if (family == AF_INET) {
		nh = ip_hdr(skb)->protocol;
		hl = ip_hdr(skb)->ihl * 4;
	} else {
		nh = ipv6_hdr(skb)->nexthdr;
		hl = sizeof(struct ipv6hdr);
	}
	if (nh != IPPROTO_IPIP && nh != IPPROTO_IPV6)
		return false;
	sa = ipsec_in_ipcomp_sa(in, skb, family, nh, hl, 0);
	if (!sa)
		return false;

	ipsec_in_cb_init(skb, family);
	cb = IPSEC_IN_CB(skb);
	cb->sa = sa;
	cb->family = family;
	cb->hl = hl;
	nf_reset_ct(skb);
	__skb_pull(skb, hl);
	skb_reset_transport_header(skb);
	ipsec_in_deliver(in, skb, nh);
	return true;
}
