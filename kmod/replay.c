// SPDX-License-Identifier: GPL-2.0
/*
 * The anti-replay window, a bitmap sliding with the highest sequence
 * number seen (RFC 4303 Appendix A), and outbound sequence numbers.
 * The window takes a per-SA lock only: the check before decryption and
 * the update after it are short and touch one SA.
 */
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "replay.h"

static u64 *ipsec_replay_words(const struct ipsec_replay *r)
{
	return r->words ? r->big : (u64 *)r->bitmap;
}

static unsigned int ipsec_replay_nwords(const struct ipsec_replay *r)
{
	return r->words ?: IPSEC_REPLAY_WORDS;
}

/* r->lock is initialised with the SA (ipsec_sa_alloc), before this */
int ipsec_replay_init(struct ipsec_replay *r, unsigned int window, gfp_t gfp)
{
	unsigned int words;

	r->top = 0;
	memset(r->bitmap, 0, sizeof(r->bitmap));
	ipsec_replay_free(r);
	window = min_t(unsigned int, window, IPSEC_REPLAY_MAX);
	words = DIV_ROUND_UP(window, 64);
	if (words > IPSEC_REPLAY_WORDS) {
		r->big = kcalloc(words, sizeof(u64), gfp);
		if (!r->big)
			return -ENOMEM;
		r->words = words;
	}
	r->window = window;
	return 0;
}

void ipsec_replay_free(struct ipsec_replay *r)
{
	kfree(r->big);
	r->big = NULL;
	r->words = 0;
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
	unsigned int n = min(ipsec_replay_nwords(to), ipsec_replay_nwords(from));

	lockdep_assert_held(&from->lock);
	to->top = from->top;
	/* the low words hold the newest numbers */
	memcpy(ipsec_replay_words(to), ipsec_replay_words(from),
	       n * sizeof(u64));
}

static bool ipsec_replay_bit(const struct ipsec_replay *r, u64 diff)
{
	return ipsec_replay_words(r)[diff / 64] & BIT_ULL(diff % 64);
}

static void ipsec_replay_set(struct ipsec_replay *r, u64 diff)
{
	ipsec_replay_words(r)[diff / 64] |= BIT_ULL(diff % 64);
}

/* Where XFRM keeps the bit of top - diff in its ring (xfrm_replay.c
 * counts from the bit of top, (top - 1) mod window, backwards).
 */
static u32 ipsec_replay_ring_bit(u32 top_lo, u32 w, u32 diff)
{
	u32 pos = (top_lo - 1) % w;

	return pos >= diff ? pos - diff : w - (diff - pos);
}

u64 ipsec_replay_export(struct ipsec_replay *r, u32 *ring, u32 *legacy)
{
	u32 w = r->window, d, b;
	u64 top;

	spin_lock_bh(&r->lock);
	top = r->top;
	if (ring) {
		memset(ring, 0, DIV_ROUND_UP(w, 32) * sizeof(u32));
		for (d = 0; d < w && d < top; d++) {
			if (!ipsec_replay_bit(r, d))
				continue;
			b = ipsec_replay_ring_bit(lower_32_bits(top), w, d);
			ring[b / 32] |= BIT(b % 32);
		}
	}
	if (legacy)
		*legacy = lower_32_bits(ipsec_replay_words(r)[0]);
	spin_unlock_bh(&r->lock);
	return top;
}

void ipsec_replay_import(struct ipsec_replay *r, u64 top, const u32 *ring,
			 u32 legacy)
{
	u32 w = r->window, d, b;

	r->top = top;
	memset(ipsec_replay_words(r), 0,
	       ipsec_replay_nwords(r) * sizeof(u64));
	if (!ring) {
		ipsec_replay_words(r)[0] = legacy;
		return;
	}
	for (d = 0; d < w && d < top; d++) {
		b = ipsec_replay_ring_bit(lower_32_bits(top), w, d);
		if (ring[b / 32] & BIT(b % 32))
			ipsec_replay_set(r, d);
	}
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
	unsigned int n = ipsec_replay_nwords(r);
	unsigned int words = by / 64, bits = by % 64;
	u64 *bm = ipsec_replay_words(r);
	int i;

	if (by >= (u64)n * 64) {
		memset(bm, 0, n * sizeof(u64));
		return;
	}
	for (i = n - 1; i >= 0; i--) {
		int src = i - (int)words;
		u64 v = 0;

		if (src >= 0) {
			v = bm[src] << bits;
			if (bits && src > 0)
				v |= bm[src - 1] >> (64 - bits);
		}
		bm[i] = v;
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
		ipsec_replay_set(r, 0);
	} else if (r->window) {
		diff = r->top - seq;
		if (diff >= r->window || ipsec_replay_bit(r, diff))
			ok = false;
		else
			ipsec_replay_set(r, diff);
	}
	spin_unlock(&r->lock);
	return ok;
}
