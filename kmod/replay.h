/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sequence numbers (RFC 4303 3.3.3) and the anti-replay window (RFC 4303
 * 3.4.3 and Appendix A) of one SA. Sequence numbers are kept as 64 bits;
 * without ESN the high half stays 0 and an SA stops before it wraps.
 */
#ifndef IPSEC_REPLAY_H
#define IPSEC_REPLAY_H

#include <linux/spinlock.h>
#include <linux/types.h>

/* Windows up to 256 packets (all PF_KEY can name: sadb_sa_replay is a
 * u8) live in the SA; larger ones, up to XFRM's 4096
 * (XFRMA_REPLAY_ESN_MAX bits), in a bitmap of their own.
 */
#define IPSEC_REPLAY_WORDS	4
#define IPSEC_REPLAY_MAX	4096

struct ipsec_replay {
	spinlock_t lock;		/* the window; BH context */
	u64 top;			/* highest sequence number seen */
	u64 bitmap[IPSEC_REPLAY_WORDS];	/* bit i: top - i was seen */
	u64 *big;			/* instead of bitmap: words of it */
	u32 window;			/* packets; 0: no replay check */
	u32 words;			/* of big; 0: bitmap is used */
};

struct ipsec_oseq {
	atomic64_t next;		/* last sequence number sent */
};

/* Set in ipsec_oseq.next once the SA was replaced: nothing more is sent
 * with it (an ESN counter never gets this far).
 */
#define IPSEC_OSEQ_FROZEN	BIT_ULL(63)

/* A window of up to IPSEC_REPLAY_MAX packets (larger ones are cut);
 * -ENOMEM when its bitmap cannot be had. ipsec_replay_free() releases
 * it, also after a failed or no init (a zeroed struct).
 */
int ipsec_replay_init(struct ipsec_replay *r, unsigned int window, gfp_t gfp);
void ipsec_replay_free(struct ipsec_replay *r);

/* XFRM's view of the window (struct xfrm_replay_state_esn): bit
 * (seq - 1) mod window of the u32 words of ring says seq was seen; the
 * legacy struct xfrm_replay_state's bitmap has bit i for top - i. Export
 * takes the lock and returns top; ring (may be NULL) holds
 * DIV_ROUND_UP(window, 32) words. Import is for an SA not yet published.
 */
u64 ipsec_replay_export(struct ipsec_replay *r, u32 *ring, u32 *legacy);
void ipsec_replay_import(struct ipsec_replay *r, u64 top, const u32 *ring,
			 u32 legacy);

/* UPDATE of a live SA: its successor continues from where it stopped.
 * Freezing returns the last number handed out; the successor is not yet
 * published. The window is copied by the caller holding from->lock, as
 * far as the successor's window reaches.
 */
u64 ipsec_oseq_freeze(struct ipsec_oseq *o);
void ipsec_replay_copy_locked(struct ipsec_replay *to,
			      const struct ipsec_replay *from);

/* Outbound: the next sequence number, or 0 once the space is used up
 * (2^32 - 1 without ESN, 2^64 - 1 with it).
 */
u64 ipsec_oseq_next(struct ipsec_oseq *o, bool esn);

/* Inbound, before the ICV is checked (RFC 4303 3.4.3): may seq be new?
 * Returns the full 64-bit number for seq_lo, guessing the high half
 * with RFC 4303 Appendix A2.2 when esn, or 0 when the packet is too old
 * or already seen.
 */
u64 ipsec_replay_check(struct ipsec_replay *r, u32 seq_lo, bool esn);

/* Inbound, after the ICV was verified: mark seq as seen. Returns false
 * if another CPU marked it first (a replay that raced the check).
 */
bool ipsec_replay_advance(struct ipsec_replay *r, u64 seq);

#endif /* IPSEC_REPLAY_H */
