// SPDX-License-Identifier: GPL-2.0
/*
 * The SPD applied to packets: selectors filled from headers (ports for
 * TCP, UDP, SCTP, DCCP and UDP-Lite; ICMP type and code in the ports as
 * strongSwan and XFRM encode them), KAME levels, and the inbound checks.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/xfrm.h>
#include <net/ipv6.h>
#include <net/ndisc.h>

#include "netns.h"
#include "policy.h"
#include "sad.h"

static void ipsec_flow_ports(const struct sk_buff *skb, unsigned int off,
			     struct ipsec_flow *flow)
{
	__be16 ports[2], *p;
	u8 tc[2], *t;

	switch (flow->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		p = skb_header_pointer(skb, off, sizeof(ports), ports);
		if (p) {
			flow->sport = p[0];
			flow->dport = p[1];
		}
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		t = skb_header_pointer(skb, off, sizeof(tc), tc);
		if (t) {
			flow->sport = htons(t[0]);
			flow->dport = htons(t[1]);
		}
		break;
	}
}

/* Like ipv6_skip_exthdr(), but AH ends the walk as ESP does: AH is the
 * protocol of the packet as it arrives (as in IPv4), the upper layer
 * only after AH is taken off.
 */
static int ipsec_flow_skip6(const struct sk_buff *skb, int off, u8 *nh,
			    __be16 *frag)
{
	while (ipv6_ext_hdr(*nh) && *nh != NEXTHDR_AUTH &&
	       *nh != NEXTHDR_NONE) {
		struct ipv6_opt_hdr _h;
		const struct ipv6_opt_hdr *h;

		h = skb_header_pointer(skb, off, sizeof(_h), &_h);
		if (!h)
			return -EINVAL;
		if (*nh == NEXTHDR_FRAGMENT) {
			__be16 _f;
			const __be16 *f;

			f = skb_header_pointer(skb, off + 2, sizeof(_f), &_f);
			if (!f)
				return -EINVAL;
			*frag = *f;
			*nh = h->nexthdr;
			off += sizeof(struct frag_hdr);
			if (*frag & htons(IP6_OFFSET))
				break;	/* no header of the next layer here */
			continue;
		}
		off += ipv6_optlen(h);
		*nh = h->nexthdr;
	}
	return off;
}

int ipsec_flow_from_skb(const struct sk_buff *skb, u8 family,
			struct ipsec_flow *flow)
{
	return ipsec_flow_from_skb_at(skb, skb_network_offset(skb), family,
				      flow);
}

int ipsec_flow_from_skb_at(const struct sk_buff *skb, unsigned int noff,
			   u8 family, struct ipsec_flow *flow)
{
	memset(flow, 0, sizeof(*flow));
	flow->family = family;
	flow->mark = skb->mark;		/* XFRM policy marks */
	if (family == AF_INET) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, noff, sizeof(_iph), &_iph);
		if (!iph || iph->ihl < 5)
			return -EINVAL;
		flow->saddr.a4 = iph->saddr;
		flow->daddr.a4 = iph->daddr;
		flow->proto = iph->protocol;
		/* later fragments carry no ports: RFC 4301 4.4.1.1 OPAQUE */
		if (!(iph->frag_off & htons(IP_OFFSET)))
			ipsec_flow_ports(skb, noff + iph->ihl * 4, flow);
	} else {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;
		__be16 frag = 0;
		u8 nh;
		int off;

		ip6h = skb_header_pointer(skb, noff, sizeof(_ip6h), &_ip6h);
		if (!ip6h)
			return -EINVAL;
		flow->saddr.in6 = ip6h->saddr;
		flow->daddr.in6 = ip6h->daddr;
		nh = ip6h->nexthdr;
		off = ipsec_flow_skip6(skb, noff + sizeof(*ip6h), &nh, &frag);
		if (off < 0)
			return -EINVAL;
		flow->proto = nh;
		if (!(frag & htons(IP6_OFFSET)))
			ipsec_flow_ports(skb, off, flow);
	}
	return 0;
}

int ipsec_flow_check_skb(const struct sk_buff *skb, u8 family)
{
	unsigned int noff = skb_network_offset(skb);
	struct ipv6hdr _ip6h;
	const struct ipv6hdr *ip6h;
	__be16 frag = 0;
	u8 nh;

	if (family == AF_INET) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, noff, sizeof(_iph), &_iph);
		return iph && iph->ihl >= 5 ? 0 : -EINVAL;
	}
	ip6h = skb_header_pointer(skb, noff, sizeof(_ip6h), &_ip6h);
	if (!ip6h)
		return -EINVAL;
	nh = ip6h->nexthdr;
	if (ipsec_flow_skip6(skb, noff + sizeof(*ip6h), &nh, &frag) < 0)
		return -EINVAL;
	return 0;
}

/* Traffic no policy applies to: IPv6 neighbour discovery (RFC 4861:
 * router/neighbour solicitation and advertisement, redirect), which must
 * stay on the link it names. IKE is not here: a key manager exempts its
 * own sockets with a per-socket bypass policy (sockpol.h), as with KAME
 * and XFRM, so no other packet on its ports escapes the SPD.
 */
bool ipsec_flow_bypass(const struct ipsec_flow *f)
{
	u16 type = ntohs(f->sport);

	return f->proto == IPPROTO_ICMPV6 && type >= NDISC_ROUTER_SOLICITATION &&
	       type <= NDISC_REDIRECT;
}

u8 ipsec_req_level(const struct ipsec_net *in, const struct ipsec_policy_req *r,
		   u8 family)
{
	const struct ipsec_af_cfg *c = family == AF_INET6 ? &in->cfg.inet6 :
							    &in->cfg.inet;
	bool tunnel = r->mode == IPSEC_MODE_TUNNEL;
	int lev;

	if (r->level != IPSEC_LEVEL_DEFAULT)
		return r->level;
	if (r->proto == IPPROTO_AH)
		lev = tunnel ? READ_ONCE(c->ah_net_deflev) :
			       READ_ONCE(c->ah_trans_deflev);
	else if (r->proto == IPPROTO_ESP)
		lev = tunnel ? READ_ONCE(c->esp_net_deflev) :
			       READ_ONCE(c->esp_trans_deflev);
	else
		lev = IPSEC_LEVEL_USE;	/* IPComp may be skipped (RFC 3173) */
	return lev;
}

bool ipsec_req_matches_sa(const struct ipsec_policy_req *r,
			  const struct ipsec_sa *sa)
{
	if (r->proto != sa->id.proto)
		return false;
	if (sa->mode != IPSEC_MODE_ANY && r->mode != sa->mode)
		return false;
	if (r->mode == IPSEC_MODE_TUNNEL &&
	    (r->family != sa->id.family ||
	     !xfrm_addr_equal(&r->daddr, &sa->id.daddr, r->family) ||
	     !xfrm_addr_equal(&r->saddr, &sa->rid.saddr, r->family)))
		return false;
	if (r->level == IPSEC_LEVEL_UNIQUE && r->reqid && r->reqid != sa->reqid)
		return false;
	return true;
}

void ipsec_req_rid(const struct ipsec_policy_req *r,
		   const struct ipsec_flow *flow, struct ipsec_sa_rid *rid)
{
	memset(rid, 0, sizeof(*rid));
	if (r->mode == IPSEC_MODE_TUNNEL) {
		rid->saddr = r->saddr;
		rid->daddr = r->daddr;
		rid->family = r->family;
	} else {
		rid->saddr = flow->saddr;
		rid->daddr = flow->daddr;
		rid->family = flow->family;
	}
	rid->reqid = r->reqid;
	rid->proto = r->proto;
	rid->if_id = flow->if_id;
}

u8 ipsec_default_action(const struct ipsec_net *in, u8 family, u8 dir,
			bool exempt)
{
	const struct ipsec_af_cfg *c = family == AF_INET6 ? &in->cfg.inet6 :
							    &in->cfg.inet;
	int xdir = dir == IPSEC_DIR_INBOUND ? XFRM_POLICY_IN :
		   dir == IPSEC_DIR_FWD ? XFRM_POLICY_FWD : XFRM_POLICY_OUT;

	if (READ_ONCE(c->def_policy) == IPSEC_DEFPOLICY_DISCARD)
		return IPSEC_POLICY_DISCARD;
	if (READ_ONCE(in->xfrm_default[xdir]) == XFRM_USERPOLICY_BLOCK &&
	    !exempt)
		return IPSEC_POLICY_DISCARD;
	return IPSEC_POLICY_NONE;
}

/*
 * Is an arriving packet exempt from XFRM's default block? As in XFRM, when
 * the interface it came in by has disable_policy set (net.ipv4.conf.*,
 * which loopback has from the start; IPv4 reads the interface, as the
 * route input does for IPSKB_NOPOLICY, IPv6 the route's DST_NOPOLICY,
 * which its local routes take from the address's interface). Loopback is
 * exempt in any case, as it is on the way out.
 */
static bool ipsec_in_exempt(const struct sk_buff *skb, u8 family)
{
	const struct net_device *dev = skb->dev;
	const struct dst_entry *dst;
	struct in_device *idev;

	if (!dev)
		return false;
	if (dev->flags & IFF_LOOPBACK)
		return true;
	if (family == AF_INET) {
		idev = __in_dev_get_rcu(dev);
		return idev && IN_DEV_ORCONF(idev, NOPOLICY);
	}
	dst = skb_dst(skb);
	return dst && (dst->flags & DST_NOPOLICY);
}

enum ipsec_verdict ipsec_policy_check_in(struct ipsec_net *in, u8 dir,
					 const struct ipsec_flow *flow,
					 const struct ipsec_sa **sas,
					 unsigned int nsas, bool tunnel,
					 const struct sk_buff *skb,
					 u8 *proto)
{
	struct ipsec_policy *pol;
	unsigned int i, j = 0;
	u8 action;

	*proto = nsas ? sas[nsas - 1]->id.proto : IPPROTO_ESP;
	pol = ipsec_spd_lookup_rcu(in, dir, flow);
	action = pol ? pol->action :
		 ipsec_default_action(in, flow->family, dir,
				      ipsec_in_exempt(skb, flow->family));
	if (action == IPSEC_POLICY_DISCARD)
		return IPSEC_DROP;
	/* RFC 4301 5.2 step 4: what a tunnel SA carried must be what a
	 * policy naming that SA allows; with no such policy, or a bypass
	 * one, anyone holding the SA could inject any inner address.
	 */
	if (action != IPSEC_POLICY_IPSEC)
		return tunnel ? IPSEC_DROP : IPSEC_PASS;

	ipsec_policy_used(pol, ktime_get_real_seconds());
	/* The first request was applied first on the way out, so it is the
	 * innermost: the SAs, outermost first, must be the requests from
	 * the last one back, each required one present (RFC 4301 5.2 step
	 * 4, for a bundle); a request at level use may have had no SA.
	 */
	for (i = pol->nreqs; i-- > 0; ) {
		const struct ipsec_policy_req *r = &pol->req[i];

		if (j < nsas && ipsec_req_matches_sa(r, sas[j])) {
			j++;
			continue;
		}
		if (ipsec_req_level(in, r, flow->family) >= IPSEC_LEVEL_REQUIRE) {
			*proto = r->proto;
			return IPSEC_DROP;
		}
	}
	if (j < nsas)
		return IPSEC_DROP;	/* an SA the policy does not name */
	return nsas || !tunnel ? IPSEC_PASS : IPSEC_DROP;
}
