// SPDX-License-Identifier: GPL-2.0
/*
 * The outer route of a tunnel SA's packets, cached per CPU with the key
 * it was looked up with (addresses, mark, TOS, protocol), as tunnels and
 * WireGuard keep theirs: the lookup of each packet becomes a comparison
 * and dst_check(), which fails once the routing tables change (IPv4's
 * generation id, IPv6's serial numbers) or a path MTU exception is
 * made for the destination, and the route is looked up again. A key
 * other than the cached one (another TOS, another mark) is looked up
 * and replaces the entry of this CPU. XFRM keeps such a route in the
 * bundle cached with its policy. The per-CPU entries are allocated at
 * the SA's first tunnelled packet (most SAs never send one), released
 * with the SA (before the namespace's IPv6 state goes: sad.c); entries
 * are used with bottom halves off, on their CPU only.
 */
#include <linux/percpu.h>
#include <net/dst.h>
#include <net/ip6_fib.h>

#include "netns.h"
#include "route_cache.h"
#include "sad.h"

struct ipsec_route_cache {
	struct dst_entry *dst;		/* held */
	u32 cookie;			/* IPv6: dst_check()'s serial */
	struct ipsec_route_key key;
};

/* A held route for @k, or NULL. BHs off. */
struct dst_entry *ipsec_route_cache_get(struct ipsec_sa *sa,
					const struct ipsec_route_key *k)
{
	struct ipsec_route_cache __percpu *pc = READ_ONCE(sa->route);
	struct ipsec_route_cache *c;
	struct dst_entry *dst;

	lockdep_assert_in_softirq();
	if (!pc)
		return NULL;
	c = this_cpu_ptr(pc);
	dst = c->dst;
	if (!dst || memcmp(&c->key, k, sizeof(*k)))
		return NULL;
	if (!dst_check(dst, c->cookie)) {
		c->dst = NULL;
		dst_release(dst);
		return NULL;
	}
	dst_hold(dst);
	return dst;
}

/* @dst, just looked up for @k, becomes this CPU's entry. BHs off. */
void ipsec_route_cache_set(struct ipsec_sa *sa,
			   const struct ipsec_route_key *k,
			   struct dst_entry *dst)
{
	struct ipsec_route_cache __percpu *pc = READ_ONCE(sa->route);
	struct ipsec_route_cache *c;
	struct dst_entry *old;

	lockdep_assert_in_softirq();
	if (!pc) {
		pc = alloc_percpu_gfp(struct ipsec_route_cache,
				      GFP_ATOMIC | __GFP_NOWARN);
		if (!pc)
			return;		/* looked up again next time */
		if (cmpxchg(&sa->route, NULL, pc)) {
			free_percpu(pc);
			pc = READ_ONCE(sa->route);
		}
	}
	c = this_cpu_ptr(pc);
	old = c->dst;
	dst_hold(dst);
	c->dst = dst;
	c->key = *k;
	c->cookie = 0;
#if IS_ENABLED(CONFIG_IPV6)
	if (k->family == AF_INET6) {
		c->cookie = rt6_get_cookie(container_of(dst, struct rt6_info,
							dst));
		if (!READ_ONCE(sa->in->sad.route6))
			WRITE_ONCE(sa->in->sad.route6, true);
	}
#endif
	dst_release(old);
}

/* With the SA: nothing uses it any more. */
void ipsec_route_cache_free(struct ipsec_sa *sa)
{
	struct ipsec_route_cache __percpu *pc = sa->route;
	int cpu;

	if (!pc)
		return;
	for_each_possible_cpu(cpu)
		dst_release(per_cpu_ptr(pc, cpu)->dst);
	free_percpu(pc);
}
