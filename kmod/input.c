// SPDX-License-Identifier: GPL-2.0
/*
 * Inbound entry point for ESP, AH and IPComp, IPv4 and IPv6. Checks that
 * the protocol is enabled and that its header is there, then hands the
 * packet to the SAD lookup. Every drop is counted by cause.
 */
#include <linux/skbuff.h>
#include <net/ip.h>

#include "input.h"
#include "netns.h"
#include "stats.h"

/* Fixed part of each header: ESP SPI+seq (RFC 4303 2), AH through the
 * sequence number (RFC 4302 2), IPComp's CPI header (RFC 3173 2.2).
 */
static const unsigned int ipsec_min_hdr[IPSEC_P_MAX] = {
	[IPSEC_P_ESP] = 8,
	[IPSEC_P_AH] = 12,
	[IPSEC_P_IPCOMP] = 4,
};

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

int ipsec_input(struct sk_buff *skb, enum ipsec_proto_idx p, int family)
{
	struct net *net = dev_net(skb->dev);
	struct ipsec_net *in = ipsec_net(net);
	enum ipsec_stat why;

	if (!ipsec_proto_enabled(in, p)) {
		why = IPSEC_STAT_PDROPS;
		goto drop;
	}
	if (!pskb_may_pull(skb, ipsec_min_hdr[p])) {
		why = IPSEC_STAT_HDROPS;
		goto drop;
	}

	/* The SAD holds no SA yet for anything: nothing can match. */
	why = IPSEC_STAT_NOTDB;
drop:
	ipsec_stat_inc(net, p, why);
	kfree_skb(skb);
	return 0;
}
