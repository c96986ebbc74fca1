// SPDX-License-Identifier: GPL-2.0
/*
 * The protocol slots: ESP (50), AH (51) and IPComp (108) for IPv4 and
 * IPv6, all through the kernel's xfrm4/6_protocol dispatcher. For ESP it
 * is also the only way in for ESP in UDP: a key manager's UDP_ENCAP
 * socket (RFC 3948) hands what it receives to the dispatcher's handlers,
 * after the UDP header. A stock module (esp4, ah4,
 * ipcomp, esp6, ah6, ipcomp6) in the way makes loading fail with a message
 * naming it, and leaves nothing behind.
 */
#include <linux/in.h>
#include <linux/module.h>
#include <net/icmp.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/route.h>
#include <net/protocol.h>
#include <net/xfrm.h>

#include "input.h"
#include "netns.h"
#include "sad.h"
#include "proto.h"

static int ipsec_esp4_rcv(struct sk_buff *skb)
{
	return ipsec_input(skb, IPSEC_P_ESP, AF_INET);
}

static int ipsec_ah4_rcv(struct sk_buff *skb)
{
	return ipsec_input(skb, IPSEC_P_AH, AF_INET);
}

static int ipsec_ipcomp4_rcv(struct sk_buff *skb)
{
	return ipsec_input(skb, IPSEC_P_IPCOMP, AF_INET);
}

static int ipsec_esp6_rcv(struct sk_buff *skb)
{
	return ipsec_input(skb, IPSEC_P_ESP, AF_INET6);
}

/* ESP in UDP: skb->data is at the ESP header, the UDP header before it */
static int ipsec_esp4_encap_rcv(struct sk_buff *skb, int nexthdr, __be32 spi,
				int encap_type)
{
	return ipsec_input_encap(skb, AF_INET, encap_type);
}

static int ipsec_esp6_encap_rcv(struct sk_buff *skb, int nexthdr,
				__be32 spi, int encap_type)
{
	return ipsec_input_encap(skb, AF_INET6, encap_type);
}

/* Only xfrm_input() calls back here, and it never sees our packets. */
static int ipsec_esp_cb(struct sk_buff *skb, int err)
{
	return 0;
}

static int ipsec_ah6_rcv(struct sk_buff *skb)
{
	return ipsec_input(skb, IPSEC_P_AH, AF_INET6);
}

static int ipsec_ipcomp6_rcv(struct sk_buff *skb)
{
	return ipsec_input(skb, IPSEC_P_IPCOMP, AF_INET6);
}

/* Does an ICMP error quote a packet of one of our SAs? The SPI is where
 * the quoted header keeps it: ESP's first word (RFC 4303 2), AH's second
 * (RFC 4302 2), IPComp's 16-bit CPI (RFC 3173 2.2). Under RCU.
 */
static bool ipsec_err_ours(struct sk_buff *skb, u8 proto, u8 family,
			   int offset, const xfrm_address_t *daddr)
{
	struct ipsec_sa_id id = {
		.proto = proto,
		.family = family,
		.daddr = *daddr,
	};
	const u8 *h;

	if (!pskb_may_pull(skb, offset + 8))
		return false;
	h = skb->data + offset;
	switch (proto) {
	case IPPROTO_ESP:
		id.spi = ((const struct ip_esp_hdr *)h)->spi;
		break;
	case IPPROTO_AH:
		id.spi = ((const struct ip_auth_hdr *)h)->spi;
		break;
	case IPPROTO_COMP:
		id.spi = htonl(ntohs(((const struct ip_comp_hdr *)h)->cpi));
		break;
	default:
		return false;
	}
	/* with the mark of the ICMP error, as esp4_err() looks it up */
	return ipsec_sa_lookup_rcu(ipsec_net(dev_net(skb->dev)), &id,
				   skb->mark);
}

/* ICMP errors about packets we sent. "Fragmentation needed" for an ESP,
 * AH or IPComp packet of one of our SAs lowers the path MTU towards its
 * destination (the tunnel end, or the peer in transport mode), which the
 * output path then takes into account; redirects are followed. The rest
 * is consumed. skb->data is at the quoted IP header.
 */
static int ipsec_err4(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	struct net *net = dev_net(skb->dev);
	xfrm_address_t daddr = { .a4 = iph->daddr };
	u8 type = icmp_hdr(skb)->type, code = icmp_hdr(skb)->code;
	u8 proto = iph->protocol;

	if (!(type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) &&
	    type != ICMP_REDIRECT)
		return 0;
	if (!ipsec_err_ours(skb, proto, AF_INET, iph->ihl * 4, &daddr))
		return 0;
	if (type == ICMP_REDIRECT)
		ipv4_redirect(skb, net, 0, proto);
	else
		ipv4_update_pmtu(skb, net, info, 0, proto);
	return 0;
}

/* offset: of the quoted ESP, AH or IPComp header, after any extension
 * headers; the dispatcher calls the handler of the protocol found there
 */
static int ipsec_err6(struct sk_buff *skb, struct inet6_skb_parm *opt,
		      u8 type, u8 code, int offset, __be32 info, u8 proto)
{
	const struct ipv6hdr *ip6h = (const struct ipv6hdr *)skb->data;
	struct net *net = dev_net(skb->dev);
	xfrm_address_t daddr = { .in6 = ip6h->daddr };

	if (type != ICMPV6_PKT_TOOBIG && type != NDISC_REDIRECT)
		return 0;
	if (!ipsec_err_ours(skb, proto, AF_INET6, offset, &daddr))
		return 0;
	if (type == NDISC_REDIRECT)
		ip6_redirect(skb, net, skb->dev->ifindex, 0,
			     sock_net_uid(net, NULL));
	else
		ip6_update_pmtu(skb, net, info, 0, 0, sock_net_uid(net, NULL));
	return 0;
}

static int ipsec_esp_err6(struct sk_buff *skb, struct inet6_skb_parm *opt,
			  u8 type, u8 code, int offset, __be32 info)
{
	return ipsec_err6(skb, opt, type, code, offset, info, IPPROTO_ESP);
}

static int ipsec_ah_err6(struct sk_buff *skb, struct inet6_skb_parm *opt,
			 u8 type, u8 code, int offset, __be32 info)
{
	return ipsec_err6(skb, opt, type, code, offset, info, IPPROTO_AH);
}

static int ipsec_ipcomp_err6(struct sk_buff *skb, struct inet6_skb_parm *opt,
			     u8 type, u8 code, int offset, __be32 info)
{
	return ipsec_err6(skb, opt, type, code, offset, info, IPPROTO_COMP);
}

/* Every slot goes through the kernel's xfrm4/6_protocol dispatcher at
 * priority 0, the priority esp4, ah4, ipcomp, esp6, ah6 and ipcomp6
 * register at: whichever comes second gets EEXIST before anything of it
 * is linked. Taking an inet protocol slot directly would make the stock
 * module's registration link its handler first and fail after, leaving
 * a handler of a module that is then unloaded on the dispatcher's list.
 */
struct ipsec_slot {
	u8 proto;
	const char *what;
	const char *v4_owner;
	const char *v6_owner;
	struct xfrm4_protocol v4;
	struct xfrm6_protocol v6;
};

static struct ipsec_slot ipsec_slots[] = {
	{
		.proto = IPPROTO_ESP, .what = "ESP",
		.v4_owner = "esp4", .v6_owner = "esp6",
		.v4 = { .handler = ipsec_esp4_rcv,
			.input_handler = ipsec_esp4_encap_rcv,
			.cb_handler = ipsec_esp_cb,
			.err_handler = ipsec_err4 },
		.v6 = { .handler = ipsec_esp6_rcv,
			.input_handler = ipsec_esp6_encap_rcv,
			.cb_handler = ipsec_esp_cb,
			.err_handler = ipsec_esp_err6 },
	},
	{
		.proto = IPPROTO_AH, .what = "AH",
		.v4_owner = "ah4", .v6_owner = "ah6",
		.v4 = { .handler = ipsec_ah4_rcv, .cb_handler = ipsec_esp_cb,
			.err_handler = ipsec_err4 },
		.v6 = { .handler = ipsec_ah6_rcv, .cb_handler = ipsec_esp_cb,
			.err_handler = ipsec_ah_err6 },
	},
	{
		.proto = IPPROTO_COMP, .what = "IPComp",
		.v4_owner = "ipcomp", .v6_owner = "ipcomp6",
		.v4 = { .handler = ipsec_ipcomp4_rcv,
			.cb_handler = ipsec_esp_cb, .err_handler = ipsec_err4 },
		.v6 = { .handler = ipsec_ipcomp6_rcv,
			.cb_handler = ipsec_esp_cb,
			.err_handler = ipsec_ipcomp_err6 },
	},
};

static void ipsec_slot_busy(const struct ipsec_slot *s, int v, const char *m)
{
	pr_err("IPv%d protocol %u (%s) is already registered, most likely by %s: unload it with 'modprobe -r %s' or keep it from loading with 'blacklist %s' in /etc/modprobe.d (make install does this)\n",
	       v, s->proto, s->what, m, m, m);
}

static void ipsec_slots_del(unsigned int n4, unsigned int n6)
{
	while (n6--)
		xfrm6_protocol_deregister(&ipsec_slots[n6].v6,
					  ipsec_slots[n6].proto);
	while (n4--)
		xfrm4_protocol_deregister(&ipsec_slots[n4].v4,
					  ipsec_slots[n4].proto);
}

/* On -EAGAIN our handler is on the list but the inet slot is held by
 * something outside the dispatcher: take the handler back.
 */
static int ipsec_slot_add4(struct ipsec_slot *s)
{
	int err = xfrm4_protocol_register(&s->v4, s->proto);

	if (err == -EAGAIN)
		xfrm4_protocol_deregister(&s->v4, s->proto);
	if (err)
		ipsec_slot_busy(s, 4, s->v4_owner);
	return err;
}

static int ipsec_slot_add6(struct ipsec_slot *s)
{
	int err = xfrm6_protocol_register(&s->v6, s->proto);

	if (err == -EAGAIN)
		xfrm6_protocol_deregister(&s->v6, s->proto);
	if (err)
		ipsec_slot_busy(s, 6, s->v6_owner);
	return err;
}

int ipsec_proto_init(void)
{
	unsigned int n4, n6;

	for (n4 = 0; n4 < ARRAY_SIZE(ipsec_slots); n4++) {
		if (ipsec_slot_add4(&ipsec_slots[n4])) {
			ipsec_slots_del(n4, 0);
			return -EBUSY;
		}
	}
	for (n6 = 0; n6 < ARRAY_SIZE(ipsec_slots); n6++) {
		if (ipsec_slot_add6(&ipsec_slots[n6])) {
			ipsec_slots_del(n4, n6);
			return -EBUSY;
		}
	}
	return 0;
}

void ipsec_proto_uninit(void)
{
	ipsec_slots_del(ARRAY_SIZE(ipsec_slots), ARRAY_SIZE(ipsec_slots));
}
