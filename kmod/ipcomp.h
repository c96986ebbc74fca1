/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPComp (RFC 3173) with DEFLATE (RFC 2394): the per-SA state and the
 * packet transforms. Both run synchronously, on per-CPU compressors.
 */
#ifndef IPSEC_IPCOMP_H
#define IPSEC_IPCOMP_H

#include <linux/skbuff.h>

struct ipsec_sa;

/* RFC 2394 3: below this many bytes of payload DEFLATE is not tried
 * (the threshold Linux XFRM and OpenBSD use for it too).
 */
#define IPSEC_IPCOMP_DEFLATE_MIN	90

/* Process context (ADD/UPDATE): -EINVAL for an algorithm we lack. */
int ipsec_ipcomp_state_init(struct ipsec_sa *sa);
/* Process context (the SAD's garbage collector). */
void ipsec_ipcomp_state_free(struct ipsec_sa *sa);

/*
 * Output. skb->data is at the IP header; the payload after its first @hl
 * bytes is compressed and the byte at @nh_off becomes IPPROTO_COMP.
 * 0: compressed; IPSEC_IPCOMP_PLAIN: left as it was, without an IPComp
 * header (RFC 3173 2.2: too short, or it would not shrink); -ENOMEM; any
 * other error: the compressor failed and the packet must go.
 */
#define IPSEC_IPCOMP_PLAIN	1
int ipsec_ipcomp_output(struct sk_buff *skb, struct ipsec_sa *sa,
			unsigned int hl, unsigned int nh_off);

/*
 * Input. skb->data is at the IPComp header, the network header at the
 * IP header, the first 4 bytes linear. On success the payload is the
 * decompressed one, the header still in front of it. -EINVAL: truncated
 * or bad next header; -EBADMSG: the data does not decompress (or not
 * within the 64 KiB an IP packet can hold); -ENOMEM.
 */
int ipsec_ipcomp_input(struct sk_buff *skb, struct ipsec_sa *sa);

/* After a successful ipsec_ipcomp_input(): pulls the header, returns its
 * next header.
 */
int ipsec_ipcomp_input_done(struct sk_buff *skb);

#endif /* IPSEC_IPCOMP_H */
