// SPDX-License-Identifier: GPL-2.0
/*
 * Output. The hook finds the outbound policy of a packet and decides
 * under RCU: discard, pass in the clear, or protect it, sending an
 * ACQUIRE for a missing SA. A packet to protect is taken from the stack
 * (GSO split, checksums finished), passes netfilter as leaving through
 * enc0 (LOCAL_OUT or FORWARD, then POST_ROUTING, so "oifname enc0" rules
 * filter, count and NAT it), is shown to taps on enc0, and only then gets
 * its transforms in the policy's order, each possibly asynchronous. The
 * result leaves through ip_local_out()/ip6_local_out(), so netfilter and
 * taps on the real interface see the ESP packet. Nothing is referenced
 * while the packet is inside netfilter (a rule may drop it): the policy
 * is found again by its id after the enc0 hooks. The first SA is not
 * looked up again when every enc0 hook accepts the packet at once: the
 * hook's RCU read-side section still runs, and the SA it found is taken
 * if it still serves (ipsec_out_sa_reuse()).
 *
 * A socket's own policy (sockpol.h) takes the SPD's place for the
 * socket's packets: discard, bypass, or its requests. Its requests are
 * read from the socket's xfrm_policy, found again after the enc0 hooks
 * on skb->sk by its XFRM index (the packet holds its socket), and held
 * while transforms run. A socket's OpenBSD levels (levels.h) add
 * transport requests to the SPD's instead; which ones travels in the
 * control block with the SPD policy's id.
 */
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <net/dst.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <linux/icmpv6.h>

#include "ah.h"
#include "compat.h"
#include "enc.h"
#include "esp.h"
#include "ipcomp.h"
#include "levels.h"
#include "netns.h"
#include "output.h"
#include "pfkey_acquire.h"
#include "policy.h"
#include "route_cache.h"
#include "sockpol.h"
#include "stats.h"
#include "tunnel.h"
#include "udpencap.h"
#include "xfrmi.h"

struct ipsec_out_cb {
	union {
		struct inet_skb_parm h4;
		struct inet6_skb_parm h6;
	} header;
	union {				/* after the enc0 hooks; held */
		struct ipsec_policy *pol;	/* !sk_pol */
		struct xfrm_policy *xp;		/* sk_pol: the socket's */
	};
	struct ipsec_sa *sa;		/* the SA being applied; held */
	u32 pol_id;			/* sk_pol: the xfrm_policy's index;
					 * else the SPD's (0: none)
					 */
	u8 skip;			/* requests (level use) with no SA */
	u8 family;			/* of the packet as it is now */
	u16 idx:4,			/* next request to apply */
	    tunnel:1,			/* the outer header is ours: route it */
	    xfrmi:1,			/* sent through an XFRM interface */
	    frag_ok:1,			/* may be fragmented after ESP */
	    sk_pol:1,			/* the socket's policy, not the SPD's */
	    lvl_need:3,			/* IPSEC_LREQ_*: levels' requests */
	    lvl_must:3;			/* those at require */
};

#define IPSEC_OUT_CB(skb) ((struct ipsec_out_cb *)(skb)->cb)

static u8 ipsec_nfproto(u8 family)
{
	return family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
}

static void ipsec_out_pol_put(struct ipsec_out_cb *cb)
{
	if (cb->sk_pol && cb->xp)
		xfrm_pol_put(cb->xp);
	else if (!cb->sk_pol && cb->pol)
		ipsec_policy_put(cb->pol);
}

static unsigned int ipsec_out_nreqs(const struct ipsec_out_cb *cb)
{
	if (cb->sk_pol)
		return cb->xp->xfrm_nr;
	return (cb->pol ? cb->pol->nreqs : 0) + hweight8(cb->lvl_need);
}

static void ipsec_out_req(const struct ipsec_out_cb *cb, unsigned int i,
			  struct ipsec_policy_req *r)
{
	if (cb->sk_pol) {
		ipsec_sockpol_req(cb->xp, i, r);
	} else if (cb->lvl_need) {
		/* here only: locals are zeroed where they are declared */
		struct ipsec_policy_req merged[IPSEC_LEVELS_MAX_REQS];

		ipsec_levels_plan(cb->pol, cb->lvl_need, cb->lvl_must, merged);
		*r = merged[i];
	} else {
		*r = cb->pol->req[i];
	}
}

static void ipsec_out_drop(struct ipsec_net *in, struct sk_buff *skb,
			   u8 proto, enum ipsec_stat why)
{
	struct ipsec_out_cb *cb = IPSEC_OUT_CB(skb);
	struct ipsec_sa *sa = cb->sa;

	ipsec_out_pol_put(cb);
	ipsec_drop(in, skb, ipsec_proto_idx(proto), why);
	if (sa)		/* last: it keeps the namespace's state alive */
		ipsec_sa_put(sa);
}

/* The outer header's route: @sa's cached one when it was looked up with
 * the same key (route_cache.c), else a lookup; in the VRF of the L3
 * master device @l3mdev if not 0.
 */
static int ipsec_out_route(struct ipsec_net *in, struct sk_buff *skb,
			   struct ipsec_sa *sa, int l3mdev)
{
	struct net *net = in->net;
	struct ipsec_route_key k;
	struct dst_entry *dst;

	ipsec_route_key_init(&k);
	k.mark = skb->mark;
	k.l3mdev = l3mdev;
	k.family = IPSEC_OUT_CB(skb)->family;
	if (k.family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		k.saddr.a4 = iph->saddr;
		k.daddr.a4 = iph->daddr;
		k.proto = iph->protocol;
		k.tos = RT_TOS(iph->tos);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		k.saddr.in6 = ip6h->saddr;
		k.daddr.in6 = ip6h->daddr;
		k.proto = ip6h->nexthdr;
	}
	local_bh_disable();
	dst = ipsec_route_cache_get(sa, &k);
	local_bh_enable();
	if (dst)
		goto set;

	if (k.family == AF_INET) {
		struct flowi4 fl4 = {
			.daddr = k.daddr.a4,
			.saddr = k.saddr.a4,
			.flowi4_mark = k.mark,
			.flowi4_l3mdev = k.l3mdev,
			.flowi4_proto = k.proto,
			.flowi4_tos = k.tos,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (IS_ERR(rt))
			return PTR_ERR(rt);
		dst = &rt->dst;
	} else {
		struct flowi6 fl6 = {
			.daddr = k.daddr.in6,
			.saddr = k.saddr.in6,
			.flowi6_mark = k.mark,
			.flowi6_l3mdev = k.l3mdev,
			.flowi6_proto = k.proto,
		};

		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			int err = dst->error;

			dst_release(dst);
			return err;
		}
	}
	local_bh_disable();
	ipsec_route_cache_set(sa, &k, dst);
	local_bh_enable();
set:
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	return 0;
}

/* All transforms done: out through the stack as a new packet. */
static void ipsec_out_finish(struct ipsec_net *in, struct sk_buff *skb)
{
	struct ipsec_out_cb *cb = IPSEC_OUT_CB(skb);
	struct ipsec_sa *sa = cb->sa;
	u8 family = cb->family;
	bool frag_ok = cb->frag_ok;
	int err;

	/* an XFRM interface has no way out in the clear: its only SA went
	 * away since the policy was looked up (stock: a link failure)
	 */
	if (cb->xfrmi && !sa) {
		ipsec_out_drop(in, skb, IPPROTO_ESP, IPSEC_STAT_NOTDB);
		return;
	}
	if (cb->tunnel || cb->xfrmi) {
		/* an XFRM interface's ESP is routed in the VRF of its lower
		 * device, if any, as stock's bundle route is
		 */
		err = ipsec_out_route(in, skb, sa, cb->xfrmi ?
				      ipsec_xfrmi_l3mdev(in, sa->rid.if_id) :
				      0);
		/* an XFRM interface's packet routed back into one: a loop */
		if (!err && cb->xfrmi && ipsec_xfrmi_is(skb_dst(skb)->dev))
			err = -ELOOP;
		if (err) {
			ipsec_out_drop(in, skb, IPPROTO_ESP, IPSEC_STAT_OUTFAIL);
			return;
		}
	}
	ipsec_out_pol_put(cb);
	nf_reset_ct(skb);
	skb->ignore_df = frag_ok;
	if (family == AF_INET) {
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		IPCB(skb)->flags = IPSKB_XFRM_TRANSFORMED;
		ip_local_out(in->net, skb->sk, skb);
	} else {
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		IP6CB(skb)->flags = IP6SKB_XFRM_TRANSFORMED;
		ip6_local_out(in->net, skb->sk, skb);
	}
	if (sa)
		ipsec_sa_put(sa);
}

/* Where ESP or AH goes in the packet as it is now: after the IPv4 header, or
 * after the IPv6 header and the extension headers that precede a
 * fragment header (RFC 4303 3.1.1, RFC 4302 3.1.1).
 */
static int ipsec_out_esp_at(struct sk_buff *skb, u8 family,
			    unsigned int *hl, unsigned int *nh_off)
{
	u8 *prev;
	int off;

	if (family == AF_INET) {
		*hl = ip_hdr(skb)->ihl * 4;
		*nh_off = offsetof(struct iphdr, protocol);
		return 0;
	}
	off = ip6_find_1stfragopt(skb, &prev);
	if (off < 0)
		return off;
	*hl = off;
	*nh_off = prev - skb_network_header(skb);
	return 0;
}

static void ipsec_out_resume(struct sk_buff *skb, int err);
static unsigned int ipsec_outer_mtu(struct net *net,
				    const struct ipsec_flow *outer);

/* For an ESP SA's TFC padding: the path MTU of the route its packets take
 * (the SA's output mark is on skb by now); a lookup per packet, for such
 * SAs only.
 */
static unsigned int ipsec_out_tfc_mtu(struct ipsec_net *in,
				      const struct sk_buff *skb,
				      const struct ipsec_sa *sa)
{
	struct ipsec_flow f = {
		.saddr = sa->rid.saddr,
		.daddr = sa->id.daddr,
		.mark = skb->mark,
		.family = sa->id.family,
	};

	if (!sa->tfcpad)
		return 0;
	/* loopback's 65536 says more than an IP packet can hold */
	return min_t(unsigned int, ipsec_outer_mtu(in->net, &f), IP_MAX_MTU);
}

/* IPComp: 0 when compressed, IPSEC_IPCOMP_PLAIN when the packet goes on
 * as it is (counted in below_min_length, as OpenBSD counts both a short
 * packet and one that would not shrink), < 0 when it was dropped. @len:
 * the bytes output_bytes counts for a compressed packet.
 * OpenBSD's ipsp_process_packet() drops what an SA of a protocol
 * disabled by its sysctl would carry; so does ipcomp_enable here.
 */
static int ipsec_out_ipcomp(struct ipsec_net *in, struct sk_buff *skb,
			    struct ipsec_sa *sa, unsigned int hl,
			    unsigned int nh_off, unsigned int len)
{
	int err;

	if (!READ_ONCE(in->cfg.ipcomp_enable)) {
		ipsec_out_drop(in, skb, IPPROTO_COMP, IPSEC_STAT_PDROPS);
		return -EPERM;
	}
	err = ipsec_ipcomp_output(skb, sa, hl, nh_off);
	if (err == IPSEC_IPCOMP_PLAIN) {
		ipsec_stat_inc(in->net, IPSEC_P_IPCOMP, IPSEC_STAT_MINLEN);
		return err;
	}
	if (err < 0) {
		ipsec_out_drop(in, skb, IPPROTO_COMP, err == -ENOMEM ?
			       IPSEC_STAT_QFULL : IPSEC_STAT_CRYPTO);
		return err;
	}
	ipsec_stat_add(in->net, IPSEC_P_IPCOMP, IPSEC_STAT_OBYTES, len);
	return 0;
}

/* ESP, AH or IPComp is in place: counted, and ESP put in UDP for a NAT-T SA.
 * Non-zero if the packet was dropped.
 */
static int ipsec_out_esp_done(struct ipsec_net *in, struct sk_buff *skb)
{
	struct ipsec_out_cb *cb = IPSEC_OUT_CB(skb);
	unsigned int hl, nh_off;

	ipsec_stat_inc(in->net, ipsec_proto_idx(cb->sa->id.proto),
		       IPSEC_STAT_OUTPUT);
	if (!cb->sa->natt_type)
		return 0;
	if (ipsec_out_esp_at(skb, cb->family, &hl, &nh_off) ||
	    ipsec_udpencap_push(skb, cb->sa, cb->family, hl, nh_off)) {
		ipsec_out_drop(in, skb, IPPROTO_ESP, IPSEC_STAT_QFULL);
		return -ENOMEM;
	}
	ipsec_stat_inc(in->net, IPSEC_P_ESP, IPSEC_STAT_UDPENCOUT);
	return 0;
}

/* Under RCU: may @sa, found by the hook for the packet's first request,
 * serve request @r with @rid and @mark now? What ipsec_sa_find_rid_rcu()
 * asks of each SA it walks: the request's group, a mode that serves, the
 * policy's mark, and MATURE or DYING still (deleted, replaced or expired
 * since: the lookup decides, as before). A reference is taken if so.
 */
static bool ipsec_out_sa_reuse(struct ipsec_sa *sa,
			       const struct ipsec_policy_req *r,
			       const struct ipsec_sa_rid *rid, u32 mark)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "ipsec: SA borrowed outside RCU");
	if (memcmp(&sa->rid, rid, sizeof(*rid)) ||
	    !ipsec_sa_serves(sa, r->mode, mark) || !ipsec_sa_usable(sa))
		return false;
	return refcount_inc_not_zero(&sa->refcnt);
}

/* The flow request @r's SA is found for: the packet's own in transport
 * mode. A tunnel's SA is named by the request alone (ipsec_req_rid()),
 * so the packet's header is only checked as the parse would check it,
 * and the flow holds its family.
 */
static int ipsec_out_flow(const struct sk_buff *skb, u8 family,
			  const struct ipsec_policy_req *r,
			  struct ipsec_flow *f)
{
	if (r->mode != IPSEC_MODE_TUNNEL)
		return ipsec_flow_from_skb(skb, family, f);
	memset(f, 0, sizeof(*f));
	f->family = family;
	return ipsec_flow_check_skb(skb, family);
}

/* Apply the remaining requests; returns when done, dropped or when a
 * transform went asynchronous. @first: NULL, or the SA the hook found
 * for the first request, borrowed under the RCU read-side section the
 * hook is still in (ipsec_out_one()); checked before it is taken.
 */
static void ipsec_out_next(struct ipsec_net *in, struct sk_buff *skb,
			   struct ipsec_sa *first)
{
	struct ipsec_out_cb *cb = IPSEC_OUT_CB(skb);
	unsigned int nreqs = ipsec_out_nreqs(cb);

	for (;;) {
		struct ipsec_policy_req req, *r = &req;
		unsigned int hl, nh_off, len;
		struct ipsec_sa_rid rid;
		struct ipsec_flow f;
		struct ipsec_sa *sa;
		u32 mark;
		int err;

		while (cb->idx < nreqs && (cb->skip & BIT(cb->idx)))
			cb->idx++;
		if (cb->idx >= nreqs) {
			ipsec_out_finish(in, skb);
			return;
		}
		ipsec_out_req(cb, cb->idx++, r);

		if (ipsec_out_flow(skb, cb->family, r, &f)) {
			ipsec_out_drop(in, skb, r->proto, IPSEC_STAT_HDROPS);
			return;
		}
		if (!cb->sk_pol && cb->pol)
			f.if_id = cb->pol->key.sel.if_id;
		ipsec_req_rid(r, &f, &rid);
		mark = ipsec_policy_sa_mark(cb->sk_pol ? NULL : cb->pol);
		if (first && ipsec_out_sa_reuse(first, r, &rid, mark))
			sa = first;
		else
			sa = ipsec_sa_find_rid(in, &rid, r->mode, mark);
		first = NULL;
		if (!sa) {
			/* went away since the hook looked */
			if (ipsec_req_level(in, r, f.family) < IPSEC_LEVEL_REQUIRE)
				continue;
			ipsec_out_drop(in, skb, r->proto, IPSEC_STAT_NOTDB);
			return;
		}
		/* the previous SA is let go only now: an SA of the packet is
		 * held from the hook until it leaves (netns.c)
		 */
		if (cb->sa)
			ipsec_sa_put(cb->sa);
		cb->sa = sa;
		/* XFRM's output mark, before the outer route is looked up */
		skb->mark = ipsec_sa_smark(sa, skb->mark);
		if (!ipsec_sa_has_xform(sa)) {
			ipsec_out_drop(in, skb, r->proto, IPSEC_STAT_NOXFORM);
			return;
		}
		len = skb->len;
		if (!ipsec_sa_account(sa, len)) {
			ipsec_out_drop(in, skb, r->proto, IPSEC_STAT_INVALID);
			return;
		}
		if (r->mode == IPSEC_MODE_TUNNEL) {
			err = ipsec_tunnel_encap(in, skb, sa, cb->family);
			if (err) {
				ipsec_out_drop(in, skb, r->proto,
					       IPSEC_STAT_QFULL);
				return;
			}
			cb->family = sa->id.family;
			cb->tunnel = 1;
		}
		/* IPComp counts only what it compressed */
		if (sa->id.proto != IPPROTO_COMP)
			ipsec_stat_add(in->net, ipsec_proto_idx(sa->id.proto),
				       IPSEC_STAT_OBYTES, len);
		err = ipsec_out_esp_at(skb, cb->family, &hl, &nh_off);
		if (!err && sa->id.proto == IPPROTO_COMP) {
			err = ipsec_out_ipcomp(in, skb, sa, hl, nh_off, len);
			if (err < 0)
				return;
			if (err == IPSEC_IPCOMP_PLAIN)
				continue;
		} else if (!err && sa->id.proto == IPPROTO_AH)
			err = ipsec_ah_output(skb, sa, hl, nh_off, cb->family,
					      ipsec_out_resume);
		else if (!err)
			err = ipsec_esp_output(skb, sa, hl, nh_off, cb->family,
					       ipsec_out_tfc_mtu(in, skb, sa),
					       ipsec_out_resume);
		if (err == -EINPROGRESS)
			return;
		if (err) {
			ipsec_out_drop(in, skb, sa->id.proto,
				       err == -EOVERFLOW ? IPSEC_STAT_WRAP :
				       err == -EMSGSIZE ? IPSEC_STAT_TOOBIG :
				       err == -ENOMEM ? IPSEC_STAT_QFULL :
				       IPSEC_STAT_CRYPTO);
			return;
		}
		if (ipsec_out_esp_done(in, skb))
			return;
	}
}

static void ipsec_out_resume(struct sk_buff *skb, int err)
{
	struct ipsec_sa *sa = IPSEC_OUT_CB(skb)->sa;
	struct ipsec_net *in = sa->in;

	if (err) {
		ipsec_out_drop(in, skb, sa->id.proto, IPSEC_STAT_CRYPTO);
		return;
	}
	if (ipsec_out_esp_done(in, skb))
		return;
	ipsec_out_next(in, skb, NULL);
}

/* The outbound policy of the packet's socket, if it is still the one the
 * hook applied; held.
 */
static struct xfrm_policy *ipsec_out_sockpol_get(struct sk_buff *skb,
						 u32 index)
{
	struct sock *sk = sk_to_full_sk(skb->sk);
	struct xfrm_policy *xp = NULL;

	if (!sk || !sk_fullsock(sk))
		return NULL;
	rcu_read_lock();
	xp = rcu_dereference(sk->sk_policy[XFRM_POLICY_OUT]);
	if (xp && (xp->index != index || !refcount_inc_not_zero(&xp->refcnt)))
		xp = NULL;
	rcu_read_unlock();
	return xp;
}

/* After POST_ROUTING on enc0: the packet is committed to IPsec. @first:
 * as for ipsec_out_next().
 */
static void ipsec_out_apply(struct ipsec_net *in, struct sk_buff *skb,
			    struct ipsec_sa *first)
{
	struct ipsec_out_cb *cb = IPSEC_OUT_CB(skb);

	ipsec_enc_tap_out(in, skb);
	cb->sa = NULL;
	if (cb->sk_pol)
		cb->xp = ipsec_out_sockpol_get(skb, cb->pol_id);
	else if (cb->pol_id)
		cb->pol = ipsec_policy_get_id(in, cb->pol_id);
	else		/* the levels' requests alone */
		cb->pol = NULL;
	if (cb->sk_pol ? !cb->xp : !cb->pol && cb->pol_id) {
		ipsec_out_drop(in, skb, IPPROTO_ESP, IPSEC_STAT_PDROPS);
		return;
	}
	ipsec_out_next(in, skb, first);
}

/* netfilter's okfn: the packet comes back from a queue (NF_QUEUE) after
 * the hook's RCU section ended, and nothing it found is borrowed
 */
static int ipsec_out_xform(struct net *net, struct sock *sk,
			   struct sk_buff *skb)
{
	ipsec_out_apply(ipsec_net(net), skb, NULL);
	return 0;
}

/* After the first hook on enc0 (LOCAL_OUT or FORWARD): POST_ROUTING. */
static void ipsec_out_post(struct ipsec_net *in, struct sock *sk,
			   struct sk_buff *skb, struct ipsec_sa *first)
{
	struct net_device *enc = READ_ONCE(in->enc_dev);
	int ret;

	if (!enc) {		/* the namespace is going */
		ipsec_out_drop(in, skb, IPPROTO_ESP, IPSEC_STAT_OUTFAIL);
		return;
	}
	ret = nf_hook(ipsec_nfproto(IPSEC_OUT_CB(skb)->family),
		      NF_INET_POST_ROUTING, in->net, sk, skb, NULL, enc,
		      ipsec_out_xform);
	/* 1: every hook accepted, in this call: still the hook's RCU
	 * section, the SA found there is still there to be checked
	 */
	if (ret == 1)
		ipsec_out_apply(in, skb, first);
}

/* okfn, as ipsec_out_xform() */
static int ipsec_out_enc_post(struct net *net, struct sock *sk,
			      struct sk_buff *skb)
{
	ipsec_out_post(ipsec_net(net), sk, skb, NULL);
	return 0;
}

/* The path MTU towards a tunnel's far end (0 if there is no route), by
 * the route its packets take: outer->mark is their output mark.
 */
static unsigned int ipsec_outer_mtu(struct net *net,
				    const struct ipsec_flow *outer)
{
	struct dst_entry *dst;
	unsigned int mtu;

	if (outer->family == AF_INET) {
		struct flowi4 fl4 = {
			.daddr = outer->daddr.a4,
			.saddr = outer->saddr.a4,
			.flowi4_mark = outer->mark,
			.flowi4_proto = IPPROTO_ESP,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (IS_ERR(rt))
			return 0;
		dst = &rt->dst;
	} else {
		struct flowi6 fl6 = {
			.daddr = outer->daddr.in6,
			.saddr = outer->saddr.in6,
			.flowi6_mark = outer->mark,
			.flowi6_proto = IPPROTO_ESP,
		};

		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			dst_release(dst);
			return 0;
		}
	}
	mtu = dst_mtu(dst);
	dst_release(dst);
	return mtu;
}

/* Lower the path MTU of a local packet's route to mtu, if it says more. */
static void ipsec_lower_pmtu(struct sk_buff *skb, unsigned int mtu)
{
	struct dst_entry *dst = skb_dst(skb);
	struct net_device *was = skb->dev;

	if (!dst || !mtu || mtu >= dst_mtu(dst))
		return;
	/* the flow key is taken from skb->dev, not yet set in LOCAL_OUT */
	skb->dev = dst->dev;
	skb_dst_update_pmtu_no_confirm(skb, mtu);
	skb->dev = was;
}

/* A TCP SYN or SYN-ACK, not fragmented. */
static bool ipsec_is_tcp_syn(const struct sk_buff *skb, u8 family)
{
	struct tcphdr _th;
	const struct tcphdr *th;
	unsigned int off;

	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
			return false;
		off = skb_network_offset(skb) + iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		if (ip6h->nexthdr != IPPROTO_TCP)
			return false;
		off = skb_network_offset(skb) + sizeof(*ip6h);
	}
	th = skb_header_pointer(skb, off, sizeof(_th), &_th);
	return th && th->syn;
}

/* The requests one packet is to get: an SPD policy's, its socket's, or
 * an SPD policy's with those the socket's levels add (in an array of
 * the caller's: the kernel zeroes every local variable on entry, and
 * the common case, an SPD policy's, needs none).
 */
struct ipsec_out_plan {
	const struct ipsec_policy_req *req;
	unsigned int nreqs;
	u32 id;				/* SPD id (0: none), or the socket's
					 * XFRM index
					 */
	u32 priority;
	const struct ipsec_policy *pol;	/* the SPD's, NULL for a socket's */
	bool sk_pol;
	/* from an XFRM interface (ipsec_output_xfrmi()): no enc0 hooks */
	bool xfrmi;
	u8 lvl_need, lvl_must;		/* IPSEC_LREQ_* */
};

/* One packet (or GSO segment) to protect, as decided by the hook. outer is
 * the flow of the outermost tunnel header when it goes to another
 * destination than the packet, else NULL. first: the SA the hook found
 * for the first request it applies, borrowed: if every hook on enc0
 * accepts the packet at once, this is still the hook's RCU read-side
 * section, and ipsec_out_next() takes it after checking it (a packet
 * queued to user space meanwhile, or accepted later, looks it up).
 *
 * Without a tunnel the ESP packet leaves by the packet's own route, so that
 * route cannot carry both MTUs (XFRM gives the packet a bundle route of its
 * own for that): too big a packet is sent in fragments after ESP, and the
 * route's path MTU is left alone. With a tunnel the inner route takes the
 * outer path's MTU less the overhead, so that the source sends packets
 * that fit; that is checked against the outer route, since the inner one
 * then already says less. A TCP SYN lowers it already, so the connection's
 * MSS fits from its first segment.
 */
static int ipsec_out_one(struct ipsec_net *in, struct sk_buff *skb,
			 const struct nf_hook_state *state, u8 family,
			 const struct ipsec_out_plan *plan, u8 skip,
			 unsigned int overhead, const struct ipsec_flow *outer,
			 struct ipsec_sa *first)
{
	struct ipsec_out_cb *cb = IPSEC_OUT_CB(skb);
	struct dst_entry *dst = skb_dst(skb);
	struct net_device *enc;
	unsigned int mtu;
	bool frag_ok = false;
	int ret;

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		ipsec_drop(in, skb, IPSEC_P_ESP, IPSEC_STAT_OUTFAIL);
		return -ENOMEM;
	}
	mtu = dst ? dst_mtu(dst) : IP_MAX_MTU;
	/* an XFRM interface's route says the interface's MTU, not the
	 * path's: the tunnel's own path decides once a packet could exceed
	 * what every IPv4 path carries (RFC 1122 3.3.3)
	 */
	if (outer && (skb->len + overhead > mtu ||
		      (plan->xfrmi && skb->len + overhead > 576))) {
		unsigned int omtu = ipsec_outer_mtu(in->net, outer);

		if (omtu)
			mtu = omtu;
	}
	if (skb->len + overhead > mtu) {
		unsigned int inner = mtu > overhead ? mtu - overhead : 0;
		bool df = family == AF_INET6 ||
			  (ip_hdr(skb)->frag_off & htons(IP_DF));

		/* RFC 8200 5: a link carries 1280 bytes of IPv6 whatever its
		 * path, so a tunnel fragments after ESP up to that size and
		 * never reports less (a source would take 1280 and be dropped
		 * again); IPv4 reports no less than its minimum (RFC 791)
		 */
		if (family == AF_INET6 && inner < IPV6_MIN_MTU) {
			inner = IPV6_MIN_MTU;
			df = skb->len > IPV6_MIN_MTU;
		} else if (family == AF_INET && inner < IPV4_MIN_MTU) {
			inner = IPV4_MIN_MTU;
		}
		if (state->hook == NF_INET_FORWARD && df) {
			/* a router's answer: the source learns the MTU */
			if (family == AF_INET)
				icmp_ndo_send(skb, ICMP_DEST_UNREACH,
					      ICMP_FRAG_NEEDED, htonl(inner));
			else
				icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0,
						inner);
			ipsec_drop(in, skb, IPSEC_P_ESP, IPSEC_STAT_TOOBIG);
			return -EMSGSIZE;
		}
		/* local: lower the path MTU so the next packets fit, and let
		 * this one go out in fragments
		 */
		if (state->hook != NF_INET_FORWARD && outer)
			ipsec_lower_pmtu(skb, inner);
		frag_ok = true;
	} else if (outer && state->hook != NF_INET_FORWARD &&
		   ipsec_is_tcp_syn(skb, family)) {
		/* a connection starts: its MSS must fit the tunnel from the
		 * first segment on
		 */
		unsigned int omtu = ipsec_outer_mtu(in->net, outer);

		if (omtu > overhead)
			ipsec_lower_pmtu(skb, omtu - overhead);
	}

	BUILD_BUG_ON(sizeof(*cb) > sizeof_field(struct sk_buff, cb));
	memset(cb, 0, sizeof(*cb));
	cb->pol_id = plan->id;
	cb->sk_pol = plan->sk_pol;
	cb->lvl_need = plan->lvl_need;
	cb->lvl_must = plan->lvl_must;
	cb->skip = skip;
	cb->family = family;
	cb->frag_ok = frag_ok;
	if (plan->xfrmi) {
		/* netfilter saw it leave through the interface: on to IPsec
		 * (skb->dev, the interface, may go while transforms run)
		 */
		cb->xfrmi = 1;
		skb->dev = NULL;
		ipsec_out_apply(in, skb, first);
		return 0;
	}
	enc = READ_ONCE(in->enc_dev);
	if (!enc) {		/* the namespace is going */
		ipsec_out_drop(in, skb, IPPROTO_ESP, IPSEC_STAT_OUTFAIL);
		return -ENODEV;
	}
	ret = nf_hook(ipsec_nfproto(family), state->hook, in->net, state->sk,
		      skb, state->in, enc, ipsec_out_enc_post);
	if (ret == 1)
		ipsec_out_post(in, state->sk, skb, first);
	return 0;
}

static unsigned int ipsec_out_steal(struct ipsec_net *in, struct sk_buff *skb,
				    const struct nf_hook_state *state,
				    u8 family, const struct ipsec_out_plan *plan,
				    u8 skip, unsigned int overhead,
				    const struct ipsec_flow *outer,
				    struct ipsec_sa *first)
{
	struct sk_buff *segs, *seg, *next;

	if (!skb_is_gso(skb)) {
		/* the XFRM interface counts a packet dropped here an error */
		if (ipsec_out_one(in, skb, state, family, plan, skip, overhead,
				  outer, first) && plan->xfrmi)
			return IPSEC_OUT_DROPPED;
		return NF_STOLEN;
	}
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		ipsec_stat_inc(in->net, IPSEC_P_ESP, IPSEC_STAT_OUTFAIL);
		return NF_DROP;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		ipsec_out_one(in, seg, state, family, plan, skip, overhead,
			      outer, first);
	}
	return NF_STOLEN;
}

/* What one request's SA adds to a packet; a tunnel moves cur to its
 * endpoints, and cur's mark becomes the SA's output mark as
 * ipsec_out_next() will set it, which the outer route is looked up with.
 */
static unsigned int ipsec_req_overhead(const struct ipsec_sa *sa, u8 mode,
				       const struct ipsec_sa_rid *rid,
				       struct ipsec_flow *cur)
{
	unsigned int o;

	/* IPComp never makes a packet bigger (RFC 3173 2.2) */
	if (sa->id.proto == IPPROTO_COMP)
		o = 0;
	else if (sa->id.proto == IPPROTO_AH)
		o = ipsec_ah_overhead(sa);
	else
		o = ipsec_esp_overhead(sa) + ipsec_udpencap_len(sa->natt_type);

	cur->mark = ipsec_sa_smark(sa, cur->mark);
	if (mode == IPSEC_MODE_TUNNEL) {
		o += sa->id.family == AF_INET ? sizeof(struct iphdr) :
						sizeof(struct ipv6hdr);
		cur->saddr = rid->saddr;
		cur->daddr = rid->daddr;
		cur->family = rid->family;
	}
	return o;
}

/* Does a request the plan applies (not in @skip) take a tunnel off the
 * packet's own route? XFRM's bundle for one without keeps the packet's
 * route as its path: through an XFRM interface, the interface itself,
 * which xfrmi_xmit2() calls a local routing loop.
 */
static bool ipsec_out_plan_tunnels(const struct ipsec_out_plan *plan, u8 skip)
{
	unsigned int i;

	for (i = 0; i < plan->nreqs; i++)
		if (!(skip & BIT(i)) && plan->req[i].mode == IPSEC_MODE_TUNNEL)
			return true;
	return false;
}

/* Under RCU: every request must have its SA, or be of level use; then
 * the packet goes to IPsec.
 */
static unsigned int ipsec_out_protect(struct ipsec_net *in,
				      struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      const struct ipsec_flow *flow,
				      const struct ipsec_out_plan *plan)
{
	struct ipsec_flow cur = *flow;
	struct ipsec_sa *first = NULL;
	unsigned int overhead = 0, i;
	u8 skip = 0;
	bool tunnel;

	for (i = 0; i < plan->nreqs; i++) {
		const struct ipsec_policy_req *r = &plan->req[i];
		struct ipsec_sa_rid rid;
		struct ipsec_sa *sa;

		ipsec_req_rid(r, &cur, &rid);
		sa = ipsec_sa_find_rid_rcu(in, &rid, r->mode,
					   ipsec_policy_sa_mark(plan->pol));
		if (!sa) {
			ipsec_pfkey_acquire_send(in, plan->id, plan->priority,
						 plan->pol, i, &rid, &cur);
			if (ipsec_req_level(in, r, cur.family) >=
			    IPSEC_LEVEL_REQUIRE) {
				ipsec_stat_inc(in->net, ipsec_proto_idx(r->proto),
					       IPSEC_STAT_NOTDB);
				return NF_DROP;
			}
			skip |= BIT(i);
			continue;
		}
		if (!ipsec_sa_has_xform(sa)) {
			ipsec_stat_inc(in->net, ipsec_proto_idx(r->proto),
				       IPSEC_STAT_NOXFORM);
			return NF_DROP;
		}
		if (!first)
			first = sa;
		overhead += ipsec_req_overhead(sa, r->mode, &rid, &cur);
	}
	if (skip == GENMASK(plan->nreqs - 1, 0))
		return NF_ACCEPT;	/* level use, no SA: in the clear */
	if (plan->xfrmi && !ipsec_out_plan_tunnels(plan, skip))
		return IPSEC_OUT_LOOP;
	tunnel = cur.family != flow->family ||
		 !xfrm_addr_equal(&cur.daddr, &flow->daddr, flow->family);
	return ipsec_out_steal(in, skb, state, flow->family, plan, skip,
			       overhead, tunnel ? &cur : NULL, first);
}

/* Under RCU: a socket policy's verdict, in the SPD's stead. */
static unsigned int ipsec_out_sockpol(struct ipsec_net *in,
				      struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      const struct ipsec_flow *flow,
				      const struct xfrm_policy *xp)
{
	struct ipsec_policy_req sk_req[IPSEC_LEVELS_MAX_REQS];
	struct ipsec_out_plan plan;
	unsigned int i;

	switch (ipsec_sockpol_action(xp)) {
	case IPSEC_POLICY_DISCARD:
		ipsec_stat_inc(in->net, IPSEC_P_ESP, IPSEC_STAT_PDROPS);
		return NF_DROP;
	case IPSEC_POLICY_NONE:
		return NF_ACCEPT;
	}
	plan.nreqs = xp->xfrm_nr;
	for (i = 0; i < plan.nreqs; i++)
		ipsec_sockpol_req(xp, i, &sk_req[i]);
	plan.req = sk_req;
	plan.id = xp->index;
	plan.priority = xp->priority;
	plan.pol = NULL;
	plan.sk_pol = true;
	plan.xfrmi = false;
	plan.lvl_need = 0;
	plan.lvl_must = 0;
	return ipsec_out_protect(in, skb, state, flow, &plan);
}

/* Under RCU: the SPD's verdict (@pol, NULL for none or bypass) with what
 * the socket's levels add.
 */
static unsigned int ipsec_out_levels(struct ipsec_net *in,
				     struct sk_buff *skb,
				     const struct nf_hook_state *state,
				     const struct ipsec_flow *flow,
				     const struct ipsec_levels *lv,
				     const struct ipsec_policy *pol)
{
	struct ipsec_policy_req sk_req[IPSEC_LEVELS_MAX_REQS];
	struct ipsec_out_plan plan;

	if (!ipsec_levels_out_need(lv, pol, &plan.lvl_need, &plan.lvl_must)) {
		/* ESP in tunnel mode required, and no tunnel covers it */
		ipsec_stat_inc(in->net, IPSEC_P_ESP, IPSEC_STAT_PDROPS);
		return NF_DROP;
	}
	if (!plan.lvl_need && !pol)
		return NF_ACCEPT;
	plan.nreqs = ipsec_levels_plan(pol, plan.lvl_need, plan.lvl_must,
				       sk_req);
	plan.req = sk_req;
	plan.id = pol ? pol->id : 0;
	plan.priority = pol ? pol->priority : 0;
	plan.pol = pol;
	plan.sk_pol = false;
	plan.xfrmi = false;
	return ipsec_out_protect(in, skb, state, flow, &plan);
}

/* Under RCU (a netfilter hook). */
unsigned int ipsec_output(struct ipsec_net *in, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	u8 family = state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	struct ipsec_out_plan plan;
	struct ipsec_policy *pol;
	struct ipsec_levels lv;
	struct ipsec_flow flow;
	struct xfrm_policy *xp;
	bool levels = false;
	u8 action;

	if (ipsec_flow_from_skb(skb, family, &flow))
		return NF_ACCEPT;
	if (state->hook == NF_INET_LOCAL_OUT) {
		xp = ipsec_sockpol_out_rcu(in, skb, &flow);
		if (xp)
			return ipsec_out_sockpol(in, skb, state, &flow, xp);
		levels = ipsec_levels_rcu(in, sk_const_to_full_sk(skb->sk),
					  XFRM_POLICY_OUT, family, &lv);
		if (levels && ipsec_levels_bypass(&lv))
			return NF_ACCEPT;
	}
	if (ipsec_flow_bypass(&flow))
		return NF_ACCEPT;
	pol = ipsec_spd_lookup_rcu(in, IPSEC_DIR_OUTBOUND, &flow);
	action = pol ? pol->action :
		 ipsec_default_action(in, family, IPSEC_DIR_OUTBOUND,
				      state->out &&
				      (state->out->flags & IFF_LOOPBACK));
	if (action == IPSEC_POLICY_DISCARD) {
		ipsec_stat_inc(in->net, IPSEC_P_ESP, IPSEC_STAT_PDROPS);
		return NF_DROP;
	}
	if (action == IPSEC_POLICY_IPSEC)
		ipsec_policy_used(pol, ktime_get_real_seconds());
	if (levels)
		return ipsec_out_levels(in, skb, state, &flow, &lv,
					action == IPSEC_POLICY_IPSEC ? pol : NULL);
	if (action != IPSEC_POLICY_IPSEC)
		return NF_ACCEPT;
	plan.req = pol->req;
	plan.nreqs = pol->nreqs;
	plan.id = pol->id;
	plan.priority = pol->priority;
	plan.pol = pol;
	plan.sk_pol = false;
	plan.xfrmi = false;
	plan.lvl_need = 0;
	plan.lvl_must = 0;
	return ipsec_out_protect(in, skb, state, &flow, &plan);
}

/* Under RCU, from an XFRM interface's transmit (xfrmi.c): @pol, an
 * outbound policy of the interface's if_id that protects @flow, applied
 * to @skb. The interface is a router's hop, as with XFRM: a packet too
 * big for the tunnel with DF (IPv6: any) gets ICMP "too big" and is
 * dropped. NF_STOLEN: on its way; IPSEC_OUT_DROPPED: taken and dropped;
 * IPSEC_OUT_LOOP: no tunnel request, the caller drops it (stock's
 * transport mode through an interface: the packet's route, the
 * interface, would carry the ESP); NF_DROP: no SA (an ACQUIRE went out),
 * the caller drops it; NF_ACCEPT: every request of level use without an
 * SA, nothing to send it with.
 */
unsigned int ipsec_output_xfrmi(struct ipsec_net *in, struct sk_buff *skb,
				const struct ipsec_flow *flow,
				struct ipsec_policy *pol)
{
	struct ipsec_out_plan plan = {
		.req = pol->req,
		.nreqs = pol->nreqs,
		.id = pol->id,
		.priority = pol->priority,
		.pol = pol,
		.xfrmi = true,
	};
	struct nf_hook_state state = {
		.hook = NF_INET_FORWARD,
		.pf = ipsec_nfproto(flow->family),
		.sk = skb_to_full_sk(skb),
		.net = in->net,
	};

	ipsec_policy_used(pol, ktime_get_real_seconds());
	return ipsec_out_protect(in, skb, &state, flow, &plan);
}

/* Under RCU: the largest TCP MSS whose segments, sent on the flow, still
 * fit the path once the outbound policy's transforms are applied; 0 if
 * no transform applies or the path is unknown.
 */
unsigned int ipsec_out_tcp_mss(struct ipsec_net *in,
			       const struct ipsec_flow *flow, u32 mark)
{
	unsigned int overhead = 0, hdr, mtu, i;
	const struct ipsec_policy *pol;
	struct ipsec_flow cur = *flow;

	cur.mark = mark;
	pol = ipsec_spd_lookup_rcu(in, IPSEC_DIR_OUTBOUND, flow);
	if (!pol || pol->action != IPSEC_POLICY_IPSEC)
		return 0;
	for (i = 0; i < pol->nreqs; i++) {
		const struct ipsec_policy_req *r = &pol->req[i];
		struct ipsec_sa_rid rid;
		struct ipsec_sa *sa;

		ipsec_req_rid(r, &cur, &rid);
		sa = ipsec_sa_find_rid_rcu(in, &rid, r->mode,
					   ipsec_policy_sa_mark(pol));
		if (!sa || !ipsec_sa_has_xform(sa))
			continue;
		overhead += ipsec_req_overhead(sa, r->mode, &rid, &cur);
	}
	if (!overhead)
		return 0;
	mtu = ipsec_outer_mtu(in->net, &cur);
	hdr = sizeof(struct tcphdr) + (flow->family == AF_INET ?
				       sizeof(struct iphdr) :
				       sizeof(struct ipv6hdr));
	return mtu > overhead + hdr ? mtu - overhead - hdr : 0;
}
