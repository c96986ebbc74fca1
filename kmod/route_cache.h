/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The route of an SA's outer header, cached per CPU (route_cache.c).
 */
#ifndef IPSEC_ROUTE_CACHE_H
#define IPSEC_ROUTE_CACHE_H

#include <net/xfrm.h>

struct ipsec_sa;

/* What the outer route was looked up with; compared as bytes, so it is
 * zeroed before it is filled.
 */
struct ipsec_route_key {
	xfrm_address_t saddr, daddr;
	u32 mark;
	int l3mdev;			/* an XFRM interface's VRF */
	u8 tos, proto, family;
};

static inline void ipsec_route_key_init(struct ipsec_route_key *k)
{
	memset(k, 0, sizeof(*k));
}

struct dst_entry *ipsec_route_cache_get(struct ipsec_sa *sa,
					const struct ipsec_route_key *k);
void ipsec_route_cache_set(struct ipsec_sa *sa,
			   const struct ipsec_route_key *k,
			   struct dst_entry *dst);
void ipsec_route_cache_free(struct ipsec_sa *sa);

#endif
