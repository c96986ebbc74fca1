/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the SPD means for packets: the flow of a packet, the level of a
 * request, and the inbound checks (RFC 4301 5.2).
 */
#ifndef IPSEC_POLICY_H
#define IPSEC_POLICY_H

#include <linux/skbuff.h>

#include "spd.h"

struct ipsec_net;
struct ipsec_sa;

/* Fills @flow from the IP header at skb's network header. */
int ipsec_flow_from_skb(const struct sk_buff *skb, u8 family,
			struct ipsec_flow *flow);
/* The same from an IP header @noff bytes from skb->data. */
int ipsec_flow_from_skb_at(const struct sk_buff *skb, unsigned int noff,
			   u8 family, struct ipsec_flow *flow);

/* Would ipsec_flow_from_skb() take the packet? Its checks, nothing
 * filled: for a caller that needs no field of the flow.
 */
int ipsec_flow_check_skb(const struct sk_buff *skb, u8 family);

/* IPv6 neighbour discovery passes whatever the SPD says. */
bool ipsec_flow_bypass(const struct ipsec_flow *f);

/* A request's level with IPSEC_LEVEL_DEFAULT resolved by the deflev
 * sysctls.
 */
u8 ipsec_req_level(const struct ipsec_net *in, const struct ipsec_policy_req *r,
		   u8 family);

/* Does a request want this SA? */
bool ipsec_req_matches_sa(const struct ipsec_policy_req *r,
			  const struct ipsec_sa *sa);

/* The rid naming the SA a request wants for a flow. */
void ipsec_req_rid(const struct ipsec_policy_req *r,
		   const struct ipsec_flow *flow, struct ipsec_sa_rid *rid);

enum ipsec_verdict {
	IPSEC_PASS,
	IPSEC_DROP,
};

/* Under RCU. A packet @skb that came out of the @nsas SAs @sas, outermost
 * first (none: in the clear), with inner flow @flow, in direction @dir
 * (IPSEC_DIR_INBOUND or _FWD): may it pass? The SAs must be the policy's requests in reverse, every
 * required one there. @tunnel: the last SA took an outer header off, so
 * a policy must name it. *proto gets the protocol to count a drop on.
 */
enum ipsec_verdict ipsec_policy_check_in(struct ipsec_net *in, u8 dir,
					 const struct ipsec_flow *flow,
					 const struct ipsec_sa **sas,
					 unsigned int nsas, bool tunnel,
					 const struct sk_buff *skb,
					 u8 *proto);

/* What happens to a packet no policy matches in direction @dir
 * (IPSEC_DIR_*): IPSEC_POLICY_DISCARD when the family's def_policy (KAME)
 * says discard, or XFRM's default for the direction (XFRM_MSG_SETDEFAULT)
 * says block and the packet is not @exempt from it (XFRM's exemptions:
 * loopback out, disable_policy interfaces in); else IPSEC_POLICY_NONE.
 */
u8 ipsec_default_action(const struct ipsec_net *in, u8 family, u8 dir,
			bool exempt);

#endif /* IPSEC_POLICY_H */
