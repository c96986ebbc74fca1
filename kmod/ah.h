/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AH (RFC 4302): the per-SA keyed hash and the packet transforms. Both
 * directions may complete asynchronously, as ESP's do (esp.h): they
 * return -EINPROGRESS and later call the resume function given.
 */
#ifndef IPSEC_AH_H
#define IPSEC_AH_H

#include <linux/skbuff.h>

#include "esp.h"

struct ipsec_sa;

int ipsec_ah_state_init(struct ipsec_sa *sa);
void ipsec_ah_state_free(struct ipsec_sa *sa);

/* Bytes AH adds to a packet: the header with its ICV and padding. */
unsigned int ipsec_ah_overhead(const struct ipsec_sa *sa);

/*
 * Output. skb->data is at the IP header; AH goes after its first @hl
 * bytes (the IP header, and for IPv6 the extension headers that come
 * before a fragment header), and the byte at @nh_off becomes IPPROTO_AH.
 * 0: done; -EINPROGRESS: @resume will be called; -EOVERFLOW: sequence
 * numbers used up; other errors: the caller frees the skb and counts.
 */
int ipsec_ah_output(struct sk_buff *skb, struct ipsec_sa *sa,
		    unsigned int hl, unsigned int nh_off, u8 family,
		    ipsec_resume_t resume);

/*
 * Input. skb->data is at the AH header, the network header at the IP
 * header, and the first 12 bytes of AH are linear. @seq is the full
 * sequence number the replay check guessed. -EMSGSIZE: the header
 * length does not fit the SA's ICV; -EBADMSG: bad ICV; -EINVAL:
 * truncated or malformed headers.
 */
int ipsec_ah_input(struct sk_buff *skb, struct ipsec_sa *sa, u64 seq,
		   ipsec_resume_t resume);

/* After a successful ipsec_ah_input(): pulls AH, returns its next header. */
int ipsec_ah_input_done(struct sk_buff *skb);

#endif /* IPSEC_AH_H */
