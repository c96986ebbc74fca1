/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP (RFC 4303): the per-SA transform and the packet transforms. Both
 * directions may complete asynchronously: they return -EINPROGRESS and
 * later call the resume function given, with the same skb and a status.
 */
#ifndef IPSEC_ESP_H
#define IPSEC_ESP_H

#include <linux/skbuff.h>

struct ipsec_sa;

typedef void (*ipsec_resume_t)(struct sk_buff *skb, int err);

int ipsec_esp_state_init(struct ipsec_sa *sa);
void ipsec_esp_state_free(struct ipsec_sa *sa);

/* Bytes ESP adds to a packet of @len bytes at most (header, IV, padding,
 * trailer, ICV).
 */
unsigned int ipsec_esp_overhead(const struct ipsec_sa *sa);

/*
 * Output. skb->data is at the IP header; ESP goes after its first @hl
 * bytes, and the byte at @nh_off (the protocol or next-header field that
 * names what follows them) becomes IPPROTO_ESP. @family tells how to fix
 * the length field. @mtu: the path MTU the packet takes, for the SA's
 * TFC padding (0: no route known, no padding). 0: done; -EINPROGRESS:
 * @resume will be called; other errors: the caller frees the skb and
 * counts.
 */
int ipsec_esp_output(struct sk_buff *skb, struct ipsec_sa *sa,
		     unsigned int hl, unsigned int nh_off, u8 family,
		     unsigned int mtu, ipsec_resume_t resume);

/*
 * Input. skb->data is at the ESP header. Checks the length, decrypts
 * and verifies in place (-EBADMSG: bad ICV). @seq is the full sequence
 * number the replay check guessed (its high half goes into the ICV with
 * ESN).
 */
int ipsec_esp_input(struct sk_buff *skb, struct ipsec_sa *sa, u64 seq,
		    ipsec_resume_t resume);

/*
 * After a successful ipsec_esp_input(): checks the padding and trailer,
 * trims them and the ICV, and pulls the ESP header and IV. Returns the
 * next header, or -EBADMSG for bad padding (RFC 4303 2.4), -EINVAL for
 * a bad length.
 */
int ipsec_esp_input_done(struct sk_buff *skb, const struct ipsec_sa *sa);

#endif /* IPSEC_ESP_H */
