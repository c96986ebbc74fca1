/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OpenBSD's per-socket IPsec levels (ipsec(4)): IP_AUTH_LEVEL,
 * IP_ESP_TRANS_LEVEL, IP_ESP_NETWORK_LEVEL, IP_IPCOMP_LEVEL and their
 * IPV6_ twins (<ipsec/levels.h>), set and read through netfilter's
 * socket-option registration.
 *
 * A socket starts at the namespace's defaults (net.ipsec.*_level and
 * net.ipsec6.*_level, AVAIL unless raised). Levels add to the SPD, they
 * do not replace it: the stricter of the two applies.
 *
 *   BYPASS   in all of auth, ESP transport and ESP network: the socket's
 *            packets skip the SPD both ways (key managers). Only with
 *            CAP_NET_ADMIN; in one category alone it counts as AVAIL.
 *   AVAIL    the SPD alone decides.
 *   USE      out: the category's transform is added to what the SPD
 *            applies (transport mode, for the packet's own addresses),
 *            used when its SA exists, ACQUIREd otherwise; in: cleartext
 *            still accepted.
 *   REQUIRE  out: as USE, but without the SA the packet is dropped;
 *   UNIQUE   in: only packets that came through such an SA reach the
 *            socket.
 *
 * Categories: auth is AH; ESP transport and IPComp are added as transport
 * requests (IPComp first, then ESP, then AH, before any tunnel of the
 * SPD's); ESP network cannot be added (no gateway is known) and is met
 * only by an SPD tunnel policy: at REQUIRE without one the packet is
 * dropped. IPComp is never required inbound (RFC 3173 2.2 lets a sender
 * skip it).
 *
 * The levels of a socket live in an xfrm_policy the kernel keeps in
 * sk->sk_policy[] (as IP_IPSEC_POLICY's do, sockpol.h), marked so that
 * stock XFRM never applies it; so a socket has either levels or a
 * per-socket policy, and the last set wins. Accepted sockets inherit
 * them (the kernel clones socket policies).
 */
#ifndef IPSEC_LEVELS_H
#define IPSEC_LEVELS_H

#include <linux/bits.h>
#include <linux/types.h>
#include <ipsec/levels.h>

#include "spd.h"

struct ipsec_flow;
struct ipsec_net;
struct ipsec_policy;
struct ipsec_policy_req;
struct ipsec_sa;
struct sk_buff;
struct sock;

enum ipsec_level_cat {
	IPSEC_LCAT_AUTH,
	IPSEC_LCAT_ESP_TRANS,
	IPSEC_LCAT_ESP_NET,
	IPSEC_LCAT_IPCOMP,
	IPSEC_LCAT_NUM
};

struct ipsec_levels {
	u8 l[IPSEC_LCAT_NUM];		/* IPSEC_SL_* */
};

/* Transport requests the levels add to a plan, as kept in a packet's
 * control block between the hook and the transforms: a bit per
 * protocol in @need, and in @must those at REQUIRE or UNIQUE.
 */
#define IPSEC_LREQ_COMP		BIT(0)
#define IPSEC_LREQ_ESP		BIT(1)
#define IPSEC_LREQ_AH		BIT(2)

int ipsec_levels_init(void);
void ipsec_levels_uninit(void);

/* For the key manager's compile_policy (sockpol.c): the option number
 * under which setsockopt here hands levels to xfrm_user_policy(); user
 * space cannot reach compile_policy with it (the kernel passes only
 * IP_IPSEC_POLICY and IP_XFRM_POLICY and their IPv6 twins).
 */
#define IPSEC_LEVELS_OPT	IP_AUTH_LEVEL
struct xfrm_policy;
int ipsec_levels_compile(struct xfrm_policy *xp, const u8 *data, int len);

/* Under RCU: the levels that apply to @sk's packets in @dir
 * (XFRM_POLICY_IN/OUT); false when they leave everything to the SPD.
 */
bool ipsec_levels_rcu(struct ipsec_net *in, const struct sock *sk, int dir,
		      u8 family, struct ipsec_levels *lv);

bool ipsec_levels_bypass(const struct ipsec_levels *lv);

/* Does any default level of @family ask for more than the SPD? */
bool ipsec_levels_raised(const struct ipsec_net *in, u8 family);

/* Output: what the levels add to @pol's requests (NULL: none). Returns
 * false if the packet must be dropped (ESP network required, no tunnel).
 */
bool ipsec_levels_out_need(const struct ipsec_levels *lv,
			   const struct ipsec_policy *pol, u8 *need, u8 *must);

/* The merged plan: @pol's requests and the levels' transport ones, in
 * application order; returns the count (at most IPSEC_LEVELS_MAX_REQS).
 */
#define IPSEC_LEVELS_MAX_REQS	(IPSEC_SPD_MAX_REQS + 3)
unsigned int ipsec_levels_plan(const struct ipsec_policy *pol, u8 need,
			       u8 must, struct ipsec_policy_req *out);

/* Input: may what came through the @n SAs @sas (outermost first; none:
 * cleartext; @tunnel: the last one took a tunnel header off) reach a
 * socket with these levels?
 */
bool ipsec_levels_in_ok(const struct ipsec_levels *lv,
			struct ipsec_sa *const *sas, unsigned int n,
			bool tunnel);

#endif /* IPSEC_LEVELS_H */
