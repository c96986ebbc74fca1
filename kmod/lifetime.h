/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time arithmetic for lifetimes (RFC 2367 2.3.3). PF_KEY and XFRM carry
 * them as 64-bit second counts, and "infinite" is a huge one (XFRM_INF,
 * FreeBSD's LONG_MAX): a limit beyond any real date is never reached,
 * nothing may wrap, and a far deadline re-arms a timer once a day rather
 * than overflow the jiffies computation.
 */
#ifndef IPSEC_LIFETIME_H
#define IPSEC_LIFETIME_H

#include <linux/bits.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/time64.h>

/* about 34,000 years: more is forever */
#define IPSEC_LIFETIME_NEVER	BIT_ULL(40)

/* When a limit of @after seconds counted from @base runs out; 0 for
 * never (no base, no limit, or too far).
 */
static inline time64_t ipsec_lifetime_end(time64_t base, u64 after)
{
	if (base <= 0 || !after || after >= IPSEC_LIFETIME_NEVER)
		return 0;
	return base + (time64_t)after;
}

/* A timer delay for a deadline @secs seconds away, at most a day. */
static inline unsigned long ipsec_lifetime_delay(time64_t secs)
{
	if (secs <= 0)
		return 0;
	return (unsigned long)min_t(time64_t, secs, 24 * 3600) * HZ;
}

#endif /* IPSEC_LIFETIME_H */
