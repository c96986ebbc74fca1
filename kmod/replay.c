// SPDX-License-Identifier: GPL-2.0
/*
 * The anti-replay window, a bitmap sliding with the highest sequence
 * number seen (RFC 4303 Appendix A), and outbound sequence numbers.
 * The window takes a per-SA lock only: the check before decryption and
 * the update after it are short and touch one SA.
 */
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/string.h>

#include "replay.h"

#define IPSEC_REPLAY_BITS	(IPSEC_REPLAY_WORDS * 64)

void ipsec_replay_init(struct ipsec_replay *r, unsigned int window)
{
	spin_lock_init(&r->lock);
	r->top = 0;
	memset(r->bitmap, 0, sizeof(r->bitmap));
	r->window = min_t(unsigned int, window, IPSEC_REPLAY_BITS - 1);
}

u64 ipsec_oseq_next(struct ipsec_oseq *o, bool esn)
{
	u64 seq = atomic64_inc_return(&o->next);

	if (seq & IPSEC_OSEQ_FROZEN)
		return 0;
	if (!esn && seq > U32_MAX)
		return 0;
	if (esn && seq == 0)	/* 2^64 packets: not in this universe */
		return 0;
	return seq;
}

u64 ipsec_oseq_freeze(struct ipsec_oseq *o)
{
	return atomic64_xchg(&o->next, IPSEC_OSEQ_FROZEN);
}

void ipsec_replay_copy_locked(struct ipsec_replay *to,
			      const struct ipsec_replay *from)
{
	lockdep_assert_held(&from->lock);
	to->top = from->top;
	memcpy(to->bitmap, from->bitmap, sizeof(to->bitmap));
}

static bool ipsec_replay_bit(const struct ipsec_replay *r, u64 diff)
{
	return r->bitmap[diff / 64] & BIT_ULL(diff % 64);
}

/* RFC 4303 A2.2: place seq_lo in the window [top - window + 1, top] or
 * above it, choosing the high half that does so.
 */
static u64 ipsec_replay_full(const struct ipsec_replay *r, u32 seq_lo,
			     bool esn)
{
	u32 th = upper_32_bits(r->top), tl = lower_32_bits(r->top);
	u32 w = r->window ? r->window : 1;

	if (!esn)
		return seq_lo;
	if (tl >= w - 1) {
		/* the window lies within one half */
		if (seq_lo >= tl - (w - 1))
			return ((u64)th << 32) | seq_lo;
		return ((u64)(th + 1) << 32) | seq_lo;
	}
	/* the window spans two halves */
	if (seq_lo >= tl - (w - 1) && th)
		return ((u64)(th - 1) << 32) | seq_lo;
	return ((u64)th << 32) | seq_lo;
}

u64 ipsec_replay_check(struct ipsec_replay *r, u32 seq_lo, bool esn)
{
	u64 seq, diff;
	bool ok;

	spin_lock(&r->lock);
	seq = ipsec_replay_full(r, seq_lo, esn);
	if (!seq) {
		ok = false;	/* 0 is never sent (RFC 4303 3.3.3) */
	} else if (!r->window || seq > r->top) {
		ok = true;
	} else {
		diff = r->top - seq;
		ok = diff < r->window && !ipsec_replay_bit(r, diff);
	}
	spin_unlock(&r->lock);
	return ok ? seq : 0;
}

static void ipsec_replay_shift(struct ipsec_replay *r, u64 by)
{
	unsigned int words = by / 64, bits = by % 64;
	int i;

	if (by >= IPSEC_REPLAY_BITS) {
		memset(r->bitmap, 0, sizeof(r->bitmap));
		return;
	}
	for (i = IPSEC_REPLAY_WORDS - 1; i >= 0; i--) {
		int src = i - (int)words;
		u64 v = 0;

		if (src >= 0) {
			v = r->bitmap[src] << bits;
			if (bits && src > 0)
				v |= r->bitmap[src - 1] >> (64 - bits);
		}
		r->bitmap[i] = v;
	}
}

bool ipsec_replay_advance(struct ipsec_replay *r, u64 seq)
{
	bool ok = true;
	u64 diff;

	spin_lock(&r->lock);
	if (seq > r->top) {
		ipsec_replay_shift(r, seq - r->top);
		r->top = seq;
		r->bitmap[0] |= 1;
	} else if (r->window) {
		diff = r->top - seq;
		if (diff >= r->window || ipsec_replay_bit(r, diff))
			ok = false;
		else
			r->bitmap[diff / 64] |= BIT_ULL(diff % 64);
	}
	spin_unlock(&r->lock);
	return ok;
}
