/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-socket policies: IP_IPSEC_POLICY / IPV6_IPSEC_POLICY (PF_KEY's
 * sadb_x_policy) and IP_XFRM_POLICY / IPV6_XFRM_POLICY (XFRM's
 * xfrm_userpolicy_info), compiled by the key manager this module
 * registers with the kernel (xfrm_register_km) and kept by the kernel in
 * sk->sk_policy[XFRM_POLICY_IN/OUT].
 *
 * Such a policy is an xfrm_policy that stock XFRM must never apply: XFRM
 * has no SA for it and would drop the socket's packets. Its mark is
 * {.v = IPSEC_SOCKPOL_MARK_*, .m = 0}, which no packet matches
 * ((sk_mark & 0) != v), so xfrm_sk_policy_lookup() skips it on output and
 * on input; the kernel still copies it to accepted sockets (clone_policy
 * copies mark, action, selector and templates) and frees it with the
 * socket. Our hooks read it instead (sockpol_path.c):
 *
 *   action BLOCK                      discard the socket's packets
 *   action ALLOW, no templates        bypass the SPD (KAME none/bypass)
 *   action ALLOW, templates           protect by these requests only
 *   mark IPSEC_SOCKPOL_MARK_ENTRUST   no override: the SPD decides
 *   mark IPSEC_SOCKPOL_MARK_LEVELS    OpenBSD's levels (levels.h)
 *
 * A template's level: optional -> use, share UNIQUE -> unique, else
 * require (as af_key maps KAME's levels; "default" is require).
 */
#ifndef IPSEC_SOCKPOL_H
#define IPSEC_SOCKPOL_H

#include <net/xfrm.h>

#include "spd.h"

struct ipsec_net;
struct sock;

#define IPSEC_SOCKPOL_MARK		0x49505301	/* "IPS" 1 */
#define IPSEC_SOCKPOL_MARK_ENTRUST	0x49505302	/* "IPS" 2 */
#define IPSEC_SOCKPOL_MARK_LEVELS	0x49505303	/* levels.h */

int ipsec_sockpol_init(void);
void ipsec_sockpol_uninit(void);

/* Under RCU. sk's policy for @dir (XFRM_POLICY_IN/OUT) if it is one of
 * ours that overrides the SPD for @flow, else NULL. No reference taken.
 */
struct xfrm_policy *ipsec_sockpol_rcu(const struct sock *sk, int dir,
				      const struct ipsec_flow *flow);

/* IPSEC_POLICY_DISCARD, _NONE (bypass) or _IPSEC. */
u8 ipsec_sockpol_action(const struct xfrm_policy *xp);

/* Request @i of a policy with action IPSEC, as the SPD stores one. */
void ipsec_sockpol_req(const struct xfrm_policy *xp, unsigned int i,
		       struct ipsec_policy_req *r);

/* Under RCU, at LOCAL_IN (or once decrypted, before enc0): the inbound
 * policy of the local socket a packet with @flow goes to, or NULL; else
 * *levels says whether its levels (levels.h, in *lv) ask for more than
 * the SPD. Costs a socket lookup only when some socket of the namespace
 * has a policy or levels, or the default levels are raised.
 */
struct ipsec_levels;
struct xfrm_policy *ipsec_sockpol_in_rcu(struct ipsec_net *in,
					 struct sk_buff *skb,
					 const struct ipsec_flow *flow,
					 bool decrypted, bool *levels,
					 struct ipsec_levels *lv);

/* Under RCU: the TCP or UDP socket a packet with @f is delivered to;
 * *put: release it with sock_gen_put() after use.
 */
struct sock *ipsec_sock_lookup_rcu(struct net *net,
				   const struct ipsec_flow *f, int dif,
				   int sdif, bool *put);

/* Under RCU, at LOCAL_IN: is this UDP datagram ESP (RFC 3948) for a
 * UDP_ENCAP_ESPINUDP socket? Then it is IPsec, not cleartext: the ESP
 * input path checks it with its SA, as XFRM does. Costs a socket lookup.
 */
bool ipsec_sockpol_espinudp_rcu(struct ipsec_net *in, struct sk_buff *skb,
				const struct ipsec_flow *flow);

/* Under RCU, at LOCAL_OUT: the outbound policy of skb's socket. */
struct xfrm_policy *ipsec_sockpol_out_rcu(struct ipsec_net *in,
					  const struct sk_buff *skb,
					  const struct ipsec_flow *flow);

#endif /* IPSEC_SOCKPOL_H */
