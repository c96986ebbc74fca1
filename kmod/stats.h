/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU, per-namespace counters for ESP, AH and IPComp, with the
 * meanings of OpenBSD's espstat, ahstat and ipcompstat.
 */
#ifndef IPSEC_STATS_H
#define IPSEC_STATS_H

#include <linux/in.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>

#include "netns.h"

enum ipsec_proto_idx {
	IPSEC_P_ESP,
	IPSEC_P_AH,
	IPSEC_P_IPCOMP,
	IPSEC_P_MAX
};

enum ipsec_stat {
	IPSEC_STAT_INPUT,		/* packets processed on input */
	IPSEC_STAT_OUTPUT,		/* packets processed on output */
	IPSEC_STAT_IBYTES,		/* input bytes (payload) */
	IPSEC_STAT_OBYTES,		/* output bytes (payload) */
	IPSEC_STAT_HDROPS,		/* truncated or malformed header */
	IPSEC_STAT_NOPF,		/* protocol family not supported */
	IPSEC_STAT_NOTDB,		/* no SA for the packet */
	IPSEC_STAT_BADKCR,		/* SA has no usable keys/transform */
	IPSEC_STAT_QFULL,		/* queue full / no memory */
	IPSEC_STAT_NOXFORM,		/* transform disabled or missing */
	IPSEC_STAT_BADILEN,		/* bad payload length */
	IPSEC_STAT_WRAP,		/* sequence number would wrap */
	IPSEC_STAT_BADENC,		/* bad padding or next header */
	IPSEC_STAT_BADAUTH,		/* ICV mismatch */
	IPSEC_STAT_BADAUTHL,		/* bad ICV length (AH) */
	IPSEC_STAT_REPLAY,		/* replayed or too old */
	IPSEC_STAT_INVALID,		/* SA not mature or dying */
	IPSEC_STAT_TOOBIG,		/* packet would exceed IP_MAXPACKET */
	IPSEC_STAT_PDROPS,		/* dropped by policy or sysctl */
	IPSEC_STAT_CRYPTO,		/* crypto API failure */
	IPSEC_STAT_OUTFAIL,		/* output failure */
	IPSEC_STAT_MINLEN,		/* IPComp: too small to compress */
	IPSEC_STAT_UDPENCIN,		/* ESP-in-UDP input */
	IPSEC_STAT_UDPENCOUT,		/* ESP-in-UDP output */
	IPSEC_STAT_UDPINVAL,		/* ESP-in-UDP invalid */
	IPSEC_STAT_UDPNEEDED,		/* ESP-in-UDP needed but absent */
	IPSEC_STAT_MAX
};

/* The counters of an IP protocol number (ESP for anything else). */
static inline enum ipsec_proto_idx ipsec_proto_idx(u8 proto)
{
	switch (proto) {
	case IPPROTO_AH:
		return IPSEC_P_AH;
	case IPPROTO_COMP:
		return IPSEC_P_IPCOMP;
	default:
		return IPSEC_P_ESP;
	}
}

struct ipsec_stats {
	u64 v[IPSEC_P_MAX][IPSEC_STAT_MAX];
};

static inline void ipsec_stat_add(struct net *net, enum ipsec_proto_idx p,
				  enum ipsec_stat s, u64 n)
{
	this_cpu_add(ipsec_net(net)->stats->v[p][s], n);
}

static inline void ipsec_stat_inc(struct net *net, enum ipsec_proto_idx p,
				  enum ipsec_stat s)
{
	ipsec_stat_add(net, p, s, 1);
}

u64 ipsec_stat_read(struct ipsec_net *in, enum ipsec_proto_idx p,
		    enum ipsec_stat s);

/* Every packet the module drops goes here: counted under @why, freed
 * with a drop reason that drop monitors and perf see, and logged (rate
 * limited, addresses only) when net.ipsec.debug or net.ipsec6.debug is
 * set. The network header must be set. Consumes @skb.
 */
void ipsec_drop(struct ipsec_net *in, struct sk_buff *skb,
		enum ipsec_proto_idx p, enum ipsec_stat why);
const char *ipsec_stat_name(enum ipsec_proto_idx p, enum ipsec_stat s);
const char *ipsec_proto_name(enum ipsec_proto_idx p);

int ipsec_stats_net_init(struct ipsec_net *in);
void ipsec_stats_net_exit(struct ipsec_net *in);

#endif /* IPSEC_STATS_H */
