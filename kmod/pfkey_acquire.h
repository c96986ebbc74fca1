/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-originated SADB_ACQUIRE (RFC 2367 3.1.6): a packet needs an SA
 * that is not there.
 */
#ifndef IPSEC_PFKEY_ACQUIRE_H
#define IPSEC_PFKEY_ACQUIRE_H

#include "sad.h"
#include "spd.h"

struct ipsec_net;

/* Any context. Request @idx of the outbound policy @pol_id (an SPD id,
 * or the XFRM index of a socket's policy) has no SA. At most one per
 * (policy, request, endpoints) every expire_acquire seconds; to the
 * sockets registered for the SA type, and for an SPD policy (@pol) to
 * XFRM's ACQUIRE group too (@flow: the packet's, for XFRM's selector).
 */
void ipsec_pfkey_acquire_send(struct ipsec_net *in, u32 pol_id,
			      u32 priority, const struct ipsec_policy *pol,
			      unsigned int idx, const struct ipsec_sa_rid *rid,
			      const struct ipsec_flow *flow);

int ipsec_acquire_net_init(struct ipsec_net *in);
void ipsec_acquire_net_exit(struct ipsec_net *in);

#endif /* IPSEC_PFKEY_ACQUIRE_H */
