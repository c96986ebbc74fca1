// SPDX-License-Identifier: GPL-2.0
/*
 * ESP (RFC 4303) through the crypto API's AEAD interface. Every
 * algorithm is an AEAD here: the combined modes as they are, the others
 * as authenc(hmac, cipher). The associated data is built in the request:
 * SPI, (the high half of an extended sequence number,) the sequence
 * number and the IV, so that the IV ends the AD as rfc4106, rfc4543 and
 * rfc7539esp expect, and so that the HMAC covers it (authencesn moves
 * the high half to the end, as RFC 4303 2.2.1 says). The payload, the
 * padding and the ICV are processed in place in the skb.
 */
#include <linux/err.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <net/esp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <crypto/aead.h>

#include "compat.h"
#include "crypto.h"
#include "esp.h"
#include "udpencap.h"
#include "sad.h"

#define IPSEC_ESP_IV_MAX	16
#define IPSEC_ESP_AD_MAX	(12 + IPSEC_ESP_IV_MAX)

/* Per packet: the AD, the cipher's IV copy, the request, the sg list. */
struct ipsec_esp_tmp {
	struct sk_buff *skb;
	ipsec_resume_t resume;
	u8 ad[IPSEC_ESP_AD_MAX];
	u8 iv[IPSEC_ESP_IV_MAX];
	/* then the aead_request and its context, then the sg entries */
};

/* Process context (ADD/UPDATE). Any failure of the crypto API, a key
 * it refuses included, is EINVAL for the PF_KEY reply: the caller drops
 * the SA, so nothing is left behind.
 */
int ipsec_esp_state_init(struct ipsec_sa *sa)
{
	struct crypto_aead *aead;

	if (sa->ealg->iv_len > IPSEC_ESP_IV_MAX)
		return -EINVAL;
	aead = ipsec_esp_aead_new(sa->ealg, sa->ekey, sa->ekey_bits,
				  sa->aalg, sa->akey, sa->akey_bits,
				  ipsec_sa_esn(sa));
	if (IS_ERR(aead))
		return PTR_ERR(aead) == -ENOMEM ? -ENOMEM : -EINVAL;
	sa->aead = aead;
	return 0;
}

/* Process context (the SA's destroy path). */
void ipsec_esp_state_free(struct ipsec_sa *sa)
{
	if (sa->aead)
		crypto_free_aead(sa->aead);
	sa->aead = NULL;
}

/* RFC 4303 2.4: the payload, padding, pad length and next header end on
 * a multiple of the cipher's block size and of 4.
 */
static unsigned int ipsec_esp_block(const struct ipsec_sa *sa)
{
	return max_t(unsigned int, sa->ealg->block, 4);
}

static unsigned int ipsec_esp_icv(const struct ipsec_sa *sa)
{
	return crypto_aead_authsize(sa->aead);
}

unsigned int ipsec_esp_overhead(const struct ipsec_sa *sa)
{
	return sizeof(struct ip_esp_hdr) + sa->ealg->iv_len +
	       ipsec_esp_block(sa) + 1 + ipsec_esp_icv(sa);
}

/* Counter-based modes need a unique IV: the sequence number is one
 * (RFC 4106 3.1). CBC needs an unpredictable one.
 */
static void ipsec_esp_make_iv(const struct ipsec_sa *sa, u8 *iv, u64 seq)
{
	unsigned int len = sa->ealg->iv_len;
	__be64 s = cpu_to_be64(seq);

	if (!len)
		return;
	if (sa->ealg->aead || sa->ealg->sadb_id == SADB_X_EALG_AESCTR) {
		memset(iv, 0, len);
		memcpy(iv + len - min_t(unsigned int, len, 8), &s,
		       min_t(unsigned int, len, 8));
	} else {
		get_random_bytes(iv, len);
	}
}

static struct ipsec_esp_tmp *ipsec_esp_tmp_alloc(struct crypto_aead *aead,
						 int nfrags,
						 struct aead_request **req,
						 struct scatterlist **sg)
{
	unsigned int len = sizeof(struct ipsec_esp_tmp);
	struct ipsec_esp_tmp *tmp;
	unsigned int req_off, sg_off;

	len = ALIGN(len, crypto_tfm_ctx_alignment());
	req_off = len;
	len += sizeof(struct aead_request) + crypto_aead_reqsize(aead);
	len = ALIGN(len, __alignof__(struct scatterlist));
	sg_off = len;
	len += sizeof(struct scatterlist) * (nfrags + 1);

	tmp = kmalloc(len, GFP_ATOMIC);
	if (!tmp)
		return NULL;
	*req = (void *)((u8 *)tmp + req_off);
	*sg = (void *)((u8 *)tmp + sg_off);
	return tmp;
}

/* The AD: SPI, (seq hi,) seq lo, IV. Returns its length. */
static unsigned int ipsec_esp_ad(const struct ipsec_sa *sa, u8 *ad,
				 __be32 spi, u64 seq, const u8 *iv)
{
	__be32 hi = htonl(upper_32_bits(seq)), lo = htonl(lower_32_bits(seq));
	unsigned int n = 0;

	memcpy(ad, &spi, 4);
	n += 4;
	if (ipsec_sa_esn(sa)) {
		memcpy(ad + n, &hi, 4);
		n += 4;
	}
	memcpy(ad + n, &lo, 4);
	n += 4;
	memcpy(ad + n, iv, sa->ealg->iv_len);
	return n + sa->ealg->iv_len;
}

static void ipsec_esp_done(void *data, int err)
{
	struct ipsec_esp_tmp *tmp = data;
	struct sk_buff *skb = tmp->skb;
	ipsec_resume_t resume = tmp->resume;

	kfree(tmp);
	resume(skb, err);
}

/* crypto_completion_t: the request or its data (compat.h) */
static void ipsec_esp_complete(IPSEC_CRYPTO_CB_ARG arg, int err)
{
	if (err == -EINPROGRESS)
		return;		/* backlogged request now in progress */
	ipsec_esp_done(ipsec_crypto_cb_data(arg), err);
}

static void ipsec_esp_fix_len(struct sk_buff *skb, u8 family)
{
	if (family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->tot_len = htons(skb->len);
		ip_send_check(iph);
	} else {
		ipv6_hdr(skb)->payload_len =
			htons(skb->len - sizeof(struct ipv6hdr));
	}
}

/*
 * RFC 4303 2.7: TFC padding, zeros after the payload and before ESP's own
 * padding, that the receiver drops by the inner header's length. As XFRM
 * does, the payload grows to the SA's tfcpad bytes, or to as much as fits
 * in @mtu after @hl bytes of header, ESP and (ESP in UDP) UDP if less: the
 * padding never makes a packet fragment.
 */
static unsigned int ipsec_esp_tfclen(const struct ipsec_sa *sa,
				     unsigned int hl, unsigned int plen,
				     unsigned int mtu)
{
	unsigned int blk = ipsec_esp_block(sa), over, room, to;

	if (!sa->tfcpad)
		return 0;
	over = hl + sizeof(struct ip_esp_hdr) + sa->ealg->iv_len +
	       ipsec_esp_icv(sa) + ipsec_udpencap_len(sa->natt_type);
	if (mtu <= over + blk)
		return 0;
	room = rounddown(mtu - over, blk) - 2;
	to = min(sa->tfcpad, room);
	return plen < to ? to - plen : 0;
}

int ipsec_esp_output(struct sk_buff *skb, struct ipsec_sa *sa,
		     unsigned int hl, unsigned int nh_off, u8 family,
		     unsigned int mtu, ipsec_resume_t resume)
{
	unsigned int ivlen = sa->ealg->iv_len, icv = ipsec_esp_icv(sa);
	unsigned int eh = sizeof(struct ip_esp_hdr) + ivlen;
	unsigned int plen, padded, tlen, tfclen, i, adlen;
	struct ipsec_esp_tmp *tmp;
	struct aead_request *req;
	struct ip_esp_hdr *esph;
	struct scatterlist *sg;
	struct sk_buff *trailer;
	int nfrags, err;
	u8 *tail, nh;
	u64 seq;

	seq = ipsec_oseq_next(&sa->oseq, ipsec_sa_esn(sa));
	if (!seq) {
		ipsec_sa_exhausted(sa);
		return -EOVERFLOW;
	}

	plen = skb->len - hl;
	tfclen = ipsec_esp_tfclen(sa, hl, plen, mtu);
	padded = ALIGN(plen + tfclen + 2, ipsec_esp_block(sa));
	/* TFC padding, padding, pad length, next header */
	tlen = padded - plen;
	if (skb->len + eh + tlen + icv > IP_MAX_MTU)
		return -EMSGSIZE;

	err = skb_cow_head(skb, eh);
	if (err)
		return err;
	nfrags = skb_cow_data(skb, tlen + icv, &trailer);
	if (nfrags < 0)
		return nfrags;

	nh = skb->data[nh_off];
	tail = skb_tail_pointer(trailer);
	memset(tail, 0, tfclen);
	for (i = 0; i < tlen - tfclen - 2; i++)
		tail[tfclen + i] = i + 1;
	tail[tlen - 2] = tlen - tfclen - 2;
	tail[tlen - 1] = nh;
	pskb_put(skb, trailer, tlen + icv);

	/* open the gap for the header and IV after the first hl bytes */
	skb_push(skb, eh);
	memmove(skb->data, skb->data + eh, hl);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, hl);
	skb->data[nh_off] = IPPROTO_ESP;
	esph = (struct ip_esp_hdr *)(skb->data + hl);
	esph->spi = sa->id.spi;
	esph->seq_no = htonl(lower_32_bits(seq));
	ipsec_esp_fix_len(skb, family);

	tmp = ipsec_esp_tmp_alloc(sa->aead, nfrags, &req, &sg);
	if (!tmp)
		return -ENOMEM;
	ipsec_esp_make_iv(sa, tmp->iv, seq);
	memcpy(esph + 1, tmp->iv, ivlen);
	adlen = ipsec_esp_ad(sa, tmp->ad, esph->spi, seq, tmp->iv);

	sg_init_table(sg, nfrags + 1);
	sg_set_buf(sg, tmp->ad, adlen);
	err = skb_to_sgvec(skb, sg + 1, hl + eh, padded + icv);
	if (unlikely(err < 0))
		goto out;

	tmp->skb = skb;
	tmp->resume = resume;
	aead_request_set_tfm(req, sa->aead);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				  ipsec_esp_complete, tmp);
	aead_request_set_crypt(req, sg, sg, padded, tmp->iv);
	aead_request_set_ad(req, adlen);
	err = crypto_aead_encrypt(req);
	if (err == -EINPROGRESS || err == -EBUSY)
		return -EINPROGRESS;
out:
	kfree(tmp);
	return err;
}

int ipsec_esp_input(struct sk_buff *skb, struct ipsec_sa *sa, u64 seq,
		    ipsec_resume_t resume)
{
	unsigned int ivlen = sa->ealg->iv_len, icv = ipsec_esp_icv(sa);
	unsigned int eh = sizeof(struct ip_esp_hdr) + ivlen;
	struct ipsec_esp_tmp *tmp;
	struct aead_request *req;
	struct sk_buff *trailer;
	struct scatterlist *sg;
	unsigned int adlen;
	int elen, nfrags, err;
	__be32 spi;

	elen = skb->len - eh - icv;
	if (elen < 2 || elen % ipsec_esp_block(sa))
		return -EINVAL;
	/* The header and IV must be in the linear area before the data is
	 * touched: a reassembled datagram's head may be a first fragment
	 * holding only the SPI and sequence number, and skb_cow_data() does
	 * not linearise a frag_list (ipsec_esp_input_done pulls eh bytes).
	 */
	if (!pskb_may_pull(skb, eh))
		return -EINVAL;

	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		return nfrags;
	tmp = ipsec_esp_tmp_alloc(sa->aead, nfrags, &req, &sg);
	if (!tmp)
		return -ENOMEM;
	if (skb_copy_bits(skb, sizeof(struct ip_esp_hdr), tmp->iv, ivlen)) {
		err = -EINVAL;
		goto out;
	}
	spi = ((struct ip_esp_hdr *)skb->data)->spi;
	adlen = ipsec_esp_ad(sa, tmp->ad, spi, seq, tmp->iv);

	sg_init_table(sg, nfrags + 1);
	sg_set_buf(sg, tmp->ad, adlen);
	err = skb_to_sgvec(skb, sg + 1, eh, elen + icv);
	if (unlikely(err < 0))
		goto out;

	tmp->skb = skb;
	tmp->resume = resume;
	aead_request_set_tfm(req, sa->aead);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				  ipsec_esp_complete, tmp);
	aead_request_set_crypt(req, sg, sg, elen + icv, tmp->iv);
	aead_request_set_ad(req, adlen);
	err = crypto_aead_decrypt(req);
	if (err == -EINPROGRESS || err == -EBUSY)
		return -EINPROGRESS;
out:
	kfree(tmp);
	return err;
}

int ipsec_esp_input_done(struct sk_buff *skb, const struct ipsec_sa *sa)
{
	unsigned int ivlen = sa->ealg->iv_len, icv = ipsec_esp_icv(sa);
	unsigned int eh = sizeof(struct ip_esp_hdr) + ivlen;
	/* a small buffer: the kernel zeroes locals on entry, and padding
	 * is mostly a few bytes
	 */
	u8 trl[2], buf[16];
	unsigned int i, j, n, end;
	const u8 *pad;

	end = skb->len - icv;
	if (skb_copy_bits(skb, end - 2, trl, 2))
		return -EINVAL;
	if (end - 2 - eh < trl[0])
		return -EBADMSG;
	/* RFC 4303 2.4: the default padding is 1, 2, 3, ... */
	for (i = 0; i < trl[0]; i += n) {
		n = min_t(unsigned int, trl[0] - i, sizeof(buf));
		pad = skb_header_pointer(skb, end - 2 - trl[0] + i, n, buf);
		if (!pad)
			return -EINVAL;
		for (j = 0; j < n; j++)
			if (pad[j] != i + j + 1)
				return -EBADMSG;
	}
	if (pskb_trim(skb, end - 2 - trl[0]))
		return -ENOMEM;
	if (!pskb_may_pull(skb, eh))	/* made linear before decryption */
		return -EINVAL;
	__skb_pull(skb, eh);
	skb_reset_transport_header(skb);
	return trl[1];
}
