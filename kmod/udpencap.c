// SPDX-License-Identifier: GPL-2.0
/*
 * ESP in UDP (RFC 3948), for SAs with a NAT-T type. Out: once ESP is in
 * place, a UDP header with the SA's ports goes between the IP header and
 * ESP (and the 8-byte non-IKE marker for that type). In: the kernel's
 * UDP_ENCAP socket code has taken the UDP header off before input.c sees
 * the packet; once it is authenticated, a source address or port other
 * than the SA's means a NAT on the way changed its mapping, and the key
 * manager hears of it by SADB_X_NAT_T_NEW_MAPPING (at most one a second
 * per SA). The SA itself is the key manager's to update.
 */
#include <linux/jiffies.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/xfrm.h>

#include "pfkey.h"
#include "udpencap.h"
#include "xfrm_nl.h"

int ipsec_udpencap_push(struct sk_buff *skb, const struct ipsec_sa *sa,
			u8 family, unsigned int hl, unsigned int nh_off)
{
	unsigned int len = ipsec_udpencap_len(sa->natt_type), ulen;
	struct udphdr *uh;
	int err;

	err = skb_cow_head(skb, len);
	if (err)
		return err;
	skb_push(skb, len);
	memmove(skb->data, skb->data + len, hl);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, hl);
	skb->data[nh_off] = IPPROTO_UDP;

	ulen = skb->len - hl;
	uh = udp_hdr(skb);
	uh->source = sa->natt_sport;
	uh->dest = sa->natt_dport;
	uh->len = htons(ulen);
	uh->check = 0;
	if (len > sizeof(*uh))		/* non-IKE marker */
		memset(uh + 1, 0, len - sizeof(*uh));
	skb->ip_summed = CHECKSUM_NONE;

	if (family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		/* RFC 3948 2.1: the checksum is zero over IPv4 */
		iph->tot_len = htons(skb->len);
		ip_send_check(iph);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		/* IPv6 needs one (RFC 8200 8.1) */
		ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
		uh->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, ulen,
					    IPPROTO_UDP,
					    skb_checksum(skb, hl, ulen, 0));
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}
	return 0;
}

/* An authenticated packet: does it come from where the SA says? hl is
 * the IP header's length, the UDP header follows it.
 */
void ipsec_udpencap_mapping(struct ipsec_sa *sa, const struct sk_buff *skb,
			    u8 family, unsigned int hl)
{
	const struct udphdr *uh = (void *)(skb_network_header(skb) + hl);
	unsigned long now = jiffies, last;
	xfrm_address_t saddr = {};

	if (family == AF_INET)
		saddr.a4 = ip_hdr(skb)->saddr;
	else
		saddr.in6 = ipv6_hdr(skb)->saddr;
	if (uh->source == sa->natt_sport &&
	    xfrm_addr_equal(&saddr, &sa->rid.saddr, family))
		return;

	last = READ_ONCE(sa->natt_mapping_at);
	if (last && time_before(now, last + HZ))
		return;
	if (cmpxchg(&sa->natt_mapping_at, last, now ?: 1) != last)
		return;
	ipsec_pfkey_new_mapping(sa, &saddr, uh->source);
	ipsec_xfrm_nl_mapping(sa, &saddr, uh->source);
}
