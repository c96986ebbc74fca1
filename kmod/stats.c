// SPDX-License-Identifier: GPL-2.0
/*
 * Counters. Writers bump their own CPU's slot; readers fold all CPUs.
 * Each protocol lists only the counters that mean something for it.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/net.h>
#include <linux/percpu.h>

#include "stats.h"

static const char *const ipsec_stat_names[IPSEC_P_MAX][IPSEC_STAT_MAX] = {
	[IPSEC_P_ESP] = {
		[IPSEC_STAT_INPUT] = "input_packets",
		[IPSEC_STAT_OUTPUT] = "output_packets",
		[IPSEC_STAT_IBYTES] = "input_bytes",
		[IPSEC_STAT_OBYTES] = "output_bytes",
		[IPSEC_STAT_HDROPS] = "header_drops",
		[IPSEC_STAT_NOPF] = "no_protocol_family",
		[IPSEC_STAT_NOTDB] = "no_sa",
		[IPSEC_STAT_BADKCR] = "bad_sa_transform",
		[IPSEC_STAT_QFULL] = "no_memory",
		[IPSEC_STAT_NOXFORM] = "no_transform",
		[IPSEC_STAT_BADILEN] = "bad_payload_length",
		[IPSEC_STAT_WRAP] = "seq_wrap",
		[IPSEC_STAT_BADENC] = "bad_padding",
		[IPSEC_STAT_BADAUTH] = "bad_auth",
		[IPSEC_STAT_REPLAY] = "replay",
		[IPSEC_STAT_INVALID] = "invalid_sa",
		[IPSEC_STAT_TOOBIG] = "too_big",
		[IPSEC_STAT_PDROPS] = "policy_drops",
		[IPSEC_STAT_CRYPTO] = "crypto_failures",
		[IPSEC_STAT_OUTFAIL] = "output_failures",
		[IPSEC_STAT_UDPENCIN] = "udpencap_input",
		[IPSEC_STAT_UDPENCOUT] = "udpencap_output",
		[IPSEC_STAT_UDPINVAL] = "udpencap_invalid",
		[IPSEC_STAT_UDPNEEDED] = "udpencap_needed",
	},
	[IPSEC_P_AH] = {
		[IPSEC_STAT_INPUT] = "input_packets",
		[IPSEC_STAT_OUTPUT] = "output_packets",
		[IPSEC_STAT_IBYTES] = "input_bytes",
		[IPSEC_STAT_OBYTES] = "output_bytes",
		[IPSEC_STAT_HDROPS] = "header_drops",
		[IPSEC_STAT_NOPF] = "no_protocol_family",
		[IPSEC_STAT_NOTDB] = "no_sa",
		[IPSEC_STAT_BADKCR] = "bad_sa_transform",
		[IPSEC_STAT_QFULL] = "no_memory",
		[IPSEC_STAT_NOXFORM] = "no_transform",
		[IPSEC_STAT_WRAP] = "seq_wrap",
		[IPSEC_STAT_BADAUTH] = "bad_auth",
		[IPSEC_STAT_BADAUTHL] = "bad_auth_length",
		[IPSEC_STAT_REPLAY] = "replay",
		[IPSEC_STAT_INVALID] = "invalid_sa",
		[IPSEC_STAT_TOOBIG] = "too_big",
		[IPSEC_STAT_PDROPS] = "policy_drops",
		[IPSEC_STAT_CRYPTO] = "crypto_failures",
		[IPSEC_STAT_OUTFAIL] = "output_failures",
	},
	[IPSEC_P_IPCOMP] = {
		[IPSEC_STAT_INPUT] = "input_packets",
		[IPSEC_STAT_OUTPUT] = "output_packets",
		[IPSEC_STAT_IBYTES] = "input_bytes",
		[IPSEC_STAT_OBYTES] = "output_bytes",
		[IPSEC_STAT_HDROPS] = "header_drops",
		[IPSEC_STAT_NOPF] = "no_protocol_family",
		[IPSEC_STAT_NOTDB] = "no_sa",
		[IPSEC_STAT_BADKCR] = "bad_sa_transform",
		[IPSEC_STAT_QFULL] = "no_memory",
		[IPSEC_STAT_NOXFORM] = "no_transform",
		[IPSEC_STAT_WRAP] = "cpi_wrap",
		[IPSEC_STAT_INVALID] = "invalid_sa",
		[IPSEC_STAT_TOOBIG] = "too_big",
		[IPSEC_STAT_PDROPS] = "policy_drops",
		[IPSEC_STAT_CRYPTO] = "compression_failures",
		[IPSEC_STAT_OUTFAIL] = "output_failures",
		[IPSEC_STAT_MINLEN] = "below_min_length",
	},
};

static const char *const ipsec_proto_names[IPSEC_P_MAX] = {
	[IPSEC_P_ESP] = "esp",
	[IPSEC_P_AH] = "ah",
	[IPSEC_P_IPCOMP] = "ipcomp",
};

const char *ipsec_stat_name(enum ipsec_proto_idx p, enum ipsec_stat s)
{
	return ipsec_stat_names[p][s];
}

const char *ipsec_proto_name(enum ipsec_proto_idx p)
{
	return ipsec_proto_names[p];
}

u64 ipsec_stat_read(struct ipsec_net *in, enum ipsec_proto_idx p,
		    enum ipsec_stat s)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(in->stats, cpu)->v[p][s]);
	return sum;
}

static enum skb_drop_reason ipsec_drop_reason(enum ipsec_stat why)
{
	switch (why) {
	case IPSEC_STAT_HDROPS:
	case IPSEC_STAT_BADILEN:
		return SKB_DROP_REASON_HDR_TRUNC;
	case IPSEC_STAT_QFULL:
		return SKB_DROP_REASON_NOMEM;
	case IPSEC_STAT_TOOBIG:
		return SKB_DROP_REASON_PKT_TOO_BIG;
	case IPSEC_STAT_OUTFAIL:
		return SKB_DROP_REASON_IP_OUTNOROUTES;
	case IPSEC_STAT_PDROPS:
	case IPSEC_STAT_NOTDB:
	case IPSEC_STAT_INVALID:
	case IPSEC_STAT_NOXFORM:
	case IPSEC_STAT_UDPNEEDED:
	case IPSEC_STAT_UDPINVAL:
		return SKB_DROP_REASON_XFRM_POLICY;
	default:
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
}

static void ipsec_drop_log(struct ipsec_net *in, const struct sk_buff *skb,
			   enum ipsec_proto_idx p, enum ipsec_stat why)
{
	bool v6 = skb->protocol == htons(ETH_P_IPV6);
	const struct ipsec_af_cfg *c = v6 ? &in->cfg.inet6 : &in->cfg.inet;

	if (!READ_ONCE(c->debug))
		return;
	if (v6)
		net_info_ratelimited("%s drop (%s): %pI6c -> %pI6c, %u bytes\n",
				     ipsec_proto_name(p),
				     ipsec_stat_name(p, why),
				     &ipv6_hdr(skb)->saddr,
				     &ipv6_hdr(skb)->daddr, skb->len);
	else
		net_info_ratelimited("%s drop (%s): %pI4 -> %pI4, %u bytes\n",
				     ipsec_proto_name(p),
				     ipsec_stat_name(p, why),
				     &ip_hdr(skb)->saddr, &ip_hdr(skb)->daddr,
				     skb->len);
}

void ipsec_drop(struct ipsec_net *in, struct sk_buff *skb,
		enum ipsec_proto_idx p, enum ipsec_stat why)
{
	ipsec_stat_inc(in->net, p, why);
	ipsec_drop_log(in, skb, p, why);
	kfree_skb_reason(skb, ipsec_drop_reason(why));
}

int ipsec_stats_net_init(struct ipsec_net *in)
{
	in->stats = alloc_percpu(struct ipsec_stats);
	return in->stats ? 0 : -ENOMEM;
}

void ipsec_stats_net_exit(struct ipsec_net *in)
{
	free_percpu(in->stats);
	in->stats = NULL;
}
