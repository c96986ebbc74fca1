/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPSEC_UDPENCAP_H
#define IPSEC_UDPENCAP_H

#include <linux/skbuff.h>
#include <linux/udp.h>

#include "sad.h"

/* Bytes between the IP header and ESP for an encapsulation type. */
static inline unsigned int ipsec_udpencap_len(u8 encap)
{
	switch (encap) {
	case UDP_ENCAP_ESPINUDP:
		return sizeof(struct udphdr);
	case UDP_ENCAP_ESPINUDP_NON_IKE:
		return sizeof(struct udphdr) + 8;
	default:
		return 0;
	}
}

int ipsec_udpencap_push(struct sk_buff *skb, const struct ipsec_sa *sa,
			u8 family, unsigned int hl, unsigned int nh_off);
void ipsec_udpencap_mapping(struct ipsec_sa *sa, const struct sk_buff *skb,
			    u8 family, unsigned int hl);

#endif /* IPSEC_UDPENCAP_H */
