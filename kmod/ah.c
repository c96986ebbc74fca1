// SPDX-License-Identifier: GPL-2.0
/*
 * AH (RFC 4302) through the crypto API's ahash interface. The ICV covers
 * the whole IP packet (RFC 4302 3.3.3.1): the IP header with its mutable
 * fields zeroed, AH with its ICV field zeroed, and the payload; with ESN
 * the high half of the sequence number follows the packet (3.3.3.2.1).
 * The mutable fields are zeroed in place in the skb for the computation
 * and the header is restored from a copy afterwards, so the hash runs
 * over the skb's own scatterlist without copying the payload.
 *
 * With AES-GMAC (RFC 4543 4) the field after the sequence number holds
 * an 8-byte IV, then the 16-byte tag; the tag is GCM's over an empty
 * plaintext with all of the above (the IV in its place, the tag zeroed)
 * as the additional data, and the salt and IV as the nonce. The IV is
 * the 64-bit sequence number, so that no nonce repeats under a key.
 *
 * What is mutable (RFC 4302 3.3.3.1.1 and Appendix A): IPv4 TOS (unless
 * net.ipsec.ah_cleartos is 0, KAME's knob for RFC 1826 peers), flags and
 * fragment offset (ANDed with net.ipsec.ah_offsetmask, 0 by default), TTL,
 * header checksum, and every option but the security ones, router alert
 * and SDMDD, zeroed whole; a loose or strict source route makes the final
 * destination count as the destination address. IPv6 traffic class, flow
 * label and hop limit, hop-by-hop and destination options whose type has
 * the change-en-route bit set (RFC 8200 4.2), and a routing header, which
 * the sender sees as the final destination will (segments left 0).
 */
#include <linux/err.h>
#include <linux/scatterlist.h>
#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "ah.h"
#include "compat.h"
#include "crypto.h"
#include "netns.h"
#include "sad.h"

/* Per packet: the received ICV, the digest, then the saved IP header
 * (hl bytes), the ahash or aead request and its context, the sg entries.
 */
struct ipsec_ah_tmp {
	struct sk_buff *skb;
	ipsec_resume_t resume;
	u16 hl;
	u8 icv_len;
	u8 iv_len;		/* GMAC: the IV before the ICV */
	u8 family;
	bool gmac;
	__be32 seqhi;
	u8 nonce[IPSEC_GMAC_SALT + 8];	/* GMAC: salt and IV */
	u8 icv[HASH_MAX_DIGESTSIZE];
	u8 digest[HASH_MAX_DIGESTSIZE];
	u8 hdr[];
};

static int ipsec_ah_gmac_init(struct ipsec_sa *sa)
{
	struct crypto_aead *aead;

	if (sa->aalg->iv_len != 8)
		return -EINVAL;
	aead = ipsec_ah_gmac_new(sa->aalg, sa->akey, sa->akey_bits);
	if (IS_ERR(aead))
		return PTR_ERR(aead) == -ENOMEM ? -ENOMEM : -EINVAL;
	sa->aead = aead;
	return 0;
}

/* Process context (ADD/UPDATE); failures are EINVAL as for ESP. */
int ipsec_ah_state_init(struct ipsec_sa *sa)
{
	struct crypto_ahash *ahash;

	if (!sa->aalg || sa->aalg->icv_len > HASH_MAX_DIGESTSIZE)
		return -EINVAL;
	if (sa->aalg->aead)
		return ipsec_ah_gmac_init(sa);
	ahash = ipsec_ah_ahash_new(sa->aalg, sa->akey, sa->akey_bits);
	if (IS_ERR(ahash))
		return PTR_ERR(ahash) == -ENOMEM ? -ENOMEM : -EINVAL;
	sa->ahash = ahash;
	return 0;
}

void ipsec_ah_state_free(struct ipsec_sa *sa)
{
	if (sa->ahash)
		crypto_free_ahash(sa->ahash);
	sa->ahash = NULL;
	if (sa->aead)
		crypto_free_aead(sa->aead);
	sa->aead = NULL;
}

/* The field after the sequence number: the ICV, after GMAC's IV */
static unsigned int ipsec_ah_icv(const struct ipsec_sa *sa)
{
	return sa->aalg->iv_len + sa->aalg->icv_len;
}

/* RFC 4302 2.2: a multiple of 32 bits for IPv4, 64 for IPv6. Sent with
 * 64-bit alignment in both, as Linux XFRM does and accepts; a 32-bit
 * aligned IPv4 header is accepted too. GMAC, which Linux XFRM lacks,
 * goes without padding over IPv4 (RFC 4543 4, errata 3643).
 */
unsigned int ipsec_ah_overhead(const struct ipsec_sa *sa)
{
	unsigned int raw = sizeof(struct ip_auth_hdr) + ipsec_ah_icv(sa);

	if (sa->aalg->aead && sa->id.family == AF_INET)
		return ALIGN(raw, 4);
	return ALIGN(raw, 8);
}

static bool ipsec_ah_len_ok(const struct ipsec_sa *sa, unsigned int ahlen)
{
	unsigned int raw = sizeof(struct ip_auth_hdr) + ipsec_ah_icv(sa);

	return ahlen == ALIGN(raw, 8) ||
	       (sa->id.family == AF_INET && ahlen == ALIGN(raw, 4));
}

/* RFC 4302 A.1: the IPv4 options that are immutable */
static bool ipsec_ah_opt4_immutable(u8 type)
{
	switch (type) {
	case IPOPT_SEC:		/* 130, security */
	case 133:		/* extended security */
	case IPOPT_CIPSO:	/* 134, commercial security */
	case IPOPT_RA:		/* 148, router alert */
	case 149:		/* sender directed multi-destination delivery */
		return true;
	}
	return false;
}

static int ipsec_ah_mute4(const struct ipsec_net *in, u8 *h, unsigned int hl,
			  bool out)
{
	struct iphdr *iph = (struct iphdr *)h;
	unsigned int off = sizeof(*iph), olen;
	u8 type;

	if (READ_ONCE(in->cfg.ah_cleartos))
		iph->tos = 0;
	iph->frag_off &= htons(READ_ONCE(in->cfg.ah_offsetmask));
	iph->ttl = 0;
	iph->check = 0;
	while (off < hl) {
		type = h[off];
		if (type == IPOPT_END)
			break;
		if (type == IPOPT_NOOP) {
			off++;
			continue;
		}
		if (off + 1 >= hl)
			return -EINVAL;
		olen = h[off + 1];
		if (olen < 2 || off + olen > hl)
			return -EINVAL;
		if (ipsec_ah_opt4_immutable(type)) {
			off += olen;
			continue;
		}
		/* the receiver sees the final destination (A.1) */
		if (out && (type == IPOPT_LSRR || type == IPOPT_SSRR) &&
		    olen >= 7)
			memcpy(&iph->daddr, h + off + olen - 4, 4);
		memset(h + off, 0, olen);
		off += olen;
	}
	return 0;
}

/* Hop-by-hop or destination options: zero the data of those whose type
 * says it may change en route.
 */
static int ipsec_ah_mute6_opts(u8 *p, unsigned int len)
{
	unsigned int i = 2, olen;

	while (i < len) {
		if (p[i] == IPV6_TLV_PAD1) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -EINVAL;
		olen = p[i + 1];
		if (i + 2 + olen > len)
			return -EINVAL;
		if (p[i] & 0x20)
			memset(p + i + 2, 0, olen);
		i += 2 + olen;
	}
	return 0;
}

/* A routing header of addresses (types 0 and 2) as the final destination
 * will see it: every hop left swaps the destination with the next entry.
 */
static int ipsec_ah_mute6_rt(struct ipv6hdr *ip6h, u8 *p, unsigned int len)
{
	struct ipv6_rt_hdr *rt = (struct ipv6_rt_hdr *)p;
	unsigned int n = rt->hdrlen / 2, i;
	struct in6_addr *addr = (struct in6_addr *)(p + 8);
	struct in6_addr cur = ip6h->daddr, t;

	if (!rt->segments_left)
		return 0;
	if ((rt->type != IPV6_SRCRT_TYPE_0 && rt->type != IPV6_SRCRT_TYPE_2) ||
	    rt->segments_left > n || 8 + n * sizeof(*addr) > len)
		return -EINVAL;
	for (i = n - rt->segments_left; i < n; i++) {
		t = addr[i];
		addr[i] = cur;
		cur = t;
	}
	ip6h->daddr = cur;
	rt->segments_left = 0;
	return 0;
}

static int ipsec_ah_mute6(u8 *h, unsigned int hl, bool out)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)h;
	unsigned int off = sizeof(*ip6h), len;
	u8 nh = ip6h->nexthdr;
	int err = 0;

	ip6h->priority = 0;
	memset(ip6h->flow_lbl, 0, sizeof(ip6h->flow_lbl));
	ip6h->hop_limit = 0;
	while (off < hl && !err) {
		if (off + 2 > hl)
			return -EINVAL;
		len = (h[off + 1] + 1) * 8;
		if (off + len > hl)
			return -EINVAL;
		switch (nh) {
		case NEXTHDR_HOP:
		case NEXTHDR_DEST:
			err = ipsec_ah_mute6_opts(h + off, len);
			break;
		case NEXTHDR_ROUTING:
			/* on input segments left is 0 when it reaches us */
			if (out)
				err = ipsec_ah_mute6_rt(ip6h, h + off, len);
			break;
		default:
			return -EINVAL;
		}
		nh = h[off];
		off += len;
	}
	return err;
}

/* Zero the mutable fields of the IP header (and options or extension
 * headers) in the hl bytes at h.
 */
static int ipsec_ah_mute(const struct ipsec_sa *sa, u8 *h, unsigned int hl,
			 bool out)
{
	if (sa->id.family == AF_INET)
		return ipsec_ah_mute4(sa->in, h, hl, out);
	return ipsec_ah_mute6(h, hl, out);
}

/* req is an ahash_request, or for GMAC an aead_request; the sg entries
 * are the skb's, the ESN high half's and GMAC's tag's.
 */
static struct ipsec_ah_tmp *ipsec_ah_tmp_alloc(const struct ipsec_sa *sa,
					       struct sk_buff *skb,
					       unsigned int hl, int nfrags,
					       void **req,
					       struct scatterlist **sg)
{
	unsigned int len = sizeof(struct ipsec_ah_tmp) + hl;
	struct ipsec_ah_tmp *tmp;
	unsigned int req_off, sg_off;

	len = ALIGN(len, crypto_tfm_ctx_alignment());
	req_off = len;
	if (sa->aalg->aead)
		len += sizeof(struct aead_request) +
		       crypto_aead_reqsize(sa->aead);
	else
		len += sizeof(struct ahash_request) +
		       crypto_ahash_reqsize(sa->ahash);
	len = ALIGN(len, __alignof__(struct scatterlist));
	sg_off = len;
	len += sizeof(struct scatterlist) * (nfrags + 2);

	tmp = kmalloc(len, GFP_ATOMIC);
	if (!tmp)
		return NULL;
	tmp->skb = skb;
	tmp->hl = hl;
	tmp->icv_len = sa->aalg->icv_len;
	tmp->iv_len = sa->aalg->iv_len;
	tmp->gmac = sa->aalg->aead;
	tmp->family = sa->id.family;
	*req = (u8 *)tmp + req_off;
	*sg = (void *)((u8 *)tmp + sg_off);
	return tmp;
}

/* The whole packet (skb->data at the IP header), then the ESN high half,
 * into sg; for GMAC the tag's buffer after them. The bytes of the first
 * two.
 */
static int ipsec_ah_sg(struct ipsec_ah_tmp *tmp, const struct ipsec_sa *sa,
		       struct scatterlist *sg, int nfrags, u64 seq,
		       u8 *tag)
{
	struct sk_buff *skb = tmp->skb;
	unsigned int len = skb->len;
	int n;

	sg_init_table(sg, nfrags + 2);
	n = skb_to_sgvec_nomark(skb, sg, 0, skb->len);
	if (unlikely(n < 0))
		return n;
	if (ipsec_sa_esn(sa)) {
		tmp->seqhi = htonl(upper_32_bits(seq));
		sg_set_buf(sg + n++, &tmp->seqhi, sizeof(tmp->seqhi));
		len += sizeof(tmp->seqhi);
	}
	if (tag)
		sg_set_buf(sg + n++, tag, tmp->icv_len);
	sg_mark_end(sg + n - 1);
	return len;
}

/* RFC 4543 4: GMAC is GCM with all its input additional data and nothing
 * to encrypt. On output the tag goes to tmp->digest; on input the one
 * received (tmp->icv) is checked, -EBADMSG when it differs.
 */
static int ipsec_ah_gmac(struct ipsec_ah_tmp *tmp, struct ipsec_sa *sa,
			 struct aead_request *req, struct scatterlist *sg,
			 int nfrags, u64 seq, bool out,
			 crypto_completion_t done)
{
	int len, err;

	len = ipsec_ah_sg(tmp, sa, sg, nfrags, seq,
			  out ? tmp->digest : tmp->icv);
	if (unlikely(len < 0))
		return len;
	aead_request_set_tfm(req, sa->aead);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG, done, tmp);
	aead_request_set_crypt(req, sg, sg, out ? 0 : tmp->icv_len,
			       tmp->nonce);
	aead_request_set_ad(req, len);
	err = out ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	return err == -EBUSY ? -EINPROGRESS : err;
}

/* Hash the whole packet and the ESN high half (ipsec_ah_sg), or GMAC
 * them. 0 or -EINPROGRESS or an error.
 */
static int ipsec_ah_hash(struct ipsec_ah_tmp *tmp, struct ipsec_sa *sa,
			 void *r, struct scatterlist *sg, int nfrags, u64 seq,
			 bool out, crypto_completion_t done)
{
	struct ahash_request *req = r;
	int len, err;

	if (tmp->gmac)
		return ipsec_ah_gmac(tmp, sa, r, sg, nfrags, seq, out, done);
	len = ipsec_ah_sg(tmp, sa, sg, nfrags, seq, NULL);
	if (unlikely(len < 0))
		return len;
	ahash_request_set_tfm(req, sa->ahash);
	ahash_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG, done, tmp);
	ahash_request_set_crypt(req, sg, tmp->digest, len);
	err = crypto_ahash_digest(req);
	return err == -EBUSY ? -EINPROGRESS : err;
}

/* The ICV into its field, the real header back. Frees tmp. */
static int ipsec_ah_out_finish(struct ipsec_ah_tmp *tmp, int err)
{
	struct sk_buff *skb = tmp->skb;
	struct ip_auth_hdr *ah = (void *)(skb->data + tmp->hl);

	if (!err)
		memcpy(ah->auth_data + tmp->iv_len, tmp->digest,
		       tmp->icv_len);
	memcpy(skb->data, tmp->hdr, tmp->hl);
	if (tmp->family == AF_INET)
		ip_send_check(ip_hdr(skb));
	kfree(tmp);
	return err;
}

/* crypto_completion_t in 6.1 takes the request */
static void ipsec_ah_out_complete(IPSEC_CRYPTO_CB_ARG arg, int err)
{
	struct ipsec_ah_tmp *tmp = ipsec_crypto_cb_data(arg);
	struct sk_buff *skb = tmp->skb;
	ipsec_resume_t resume = tmp->resume;

	if (err == -EINPROGRESS)
		return;		/* backlogged request now in progress */
	err = ipsec_ah_out_finish(tmp, err);
	resume(skb, err);
}

static void ipsec_ah_fix_len(struct sk_buff *skb, u8 family)
{
	if (family == AF_INET)
		ip_hdr(skb)->tot_len = htons(skb->len);
	else
		ipv6_hdr(skb)->payload_len =
			htons(skb->len - sizeof(struct ipv6hdr));
}

/* RFC 4543 3.2: the nonce is the salt, then the packet's IV. */
static void ipsec_ah_gmac_nonce(struct ipsec_ah_tmp *tmp,
				const struct ipsec_sa *sa,
				const struct ip_auth_hdr *ah)
{
	memcpy(tmp->nonce, sa->akey + sa->akey_bits / 8 - IPSEC_GMAC_SALT,
	       IPSEC_GMAC_SALT);
	memcpy(tmp->nonce + IPSEC_GMAC_SALT, ah->auth_data, tmp->iv_len);
}

int ipsec_ah_output(struct sk_buff *skb, struct ipsec_sa *sa,
		    unsigned int hl, unsigned int nh_off, u8 family,
		    ipsec_resume_t resume)
{
	unsigned int ahlen = ipsec_ah_overhead(sa);
	struct ipsec_ah_tmp *tmp;
	struct scatterlist *sg;
	struct sk_buff *trailer;
	struct ip_auth_hdr *ah;
	int nfrags, err;
	void *req;
	u64 seq;
	u8 nh;

	seq = ipsec_oseq_next(&sa->oseq, ipsec_sa_esn(sa));
	if (!seq) {
		ipsec_sa_exhausted(sa);
		return -EOVERFLOW;
	}
	if (skb->len + ahlen > IP_MAX_MTU)
		return -EMSGSIZE;
	err = skb_cow_head(skb, ahlen);
	if (err)
		return err;
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		return nfrags;

	nh = skb->data[nh_off];
	skb_push(skb, ahlen);
	memmove(skb->data, skb->data + ahlen, hl);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, hl);
	skb->data[nh_off] = IPPROTO_AH;
	ah = (struct ip_auth_hdr *)(skb->data + hl);
	ah->nexthdr = nh;
	ah->hdrlen = ahlen / 4 - 2;
	ah->reserved = 0;
	ah->spi = sa->id.spi;
	ah->seq_no = htonl(lower_32_bits(seq));
	memset(ah->auth_data, 0, ahlen - sizeof(*ah));
	ipsec_ah_fix_len(skb, family);

	tmp = ipsec_ah_tmp_alloc(sa, skb, hl, nfrags, &req, &sg);
	if (!tmp)
		return -ENOMEM;
	tmp->resume = resume;
	/* RFC 4543 3.1: the IV must not repeat under a key; the sequence
	 * number never does (the SA ends before it would wrap)
	 */
	if (tmp->gmac) {
		put_unaligned_be64(seq, ah->auth_data);
		ipsec_ah_gmac_nonce(tmp, sa, ah);
	}
	memcpy(tmp->hdr, skb->data, hl);
	err = ipsec_ah_mute(sa, skb->data, hl, true);
	if (!err)
		err = ipsec_ah_hash(tmp, sa, req, sg, nfrags, seq, true,
				    ipsec_ah_out_complete);
	if (err == -EINPROGRESS)
		return err;
	return ipsec_ah_out_finish(tmp, err);
}

/* Compare, put the header back, return to the AH header. Frees tmp. */
static int ipsec_ah_in_finish(struct ipsec_ah_tmp *tmp, int err)
{
	struct sk_buff *skb = tmp->skb;

	/* GMAC's decryption compared the tags */
	if (!err && !tmp->gmac &&
	    crypto_memneq(tmp->digest, tmp->icv, tmp->icv_len))
		err = -EBADMSG;
	memcpy(skb->data, tmp->hdr, tmp->hl);
	__skb_pull(skb, tmp->hl);
	kfree(tmp);
	return err;
}

static void ipsec_ah_in_complete(IPSEC_CRYPTO_CB_ARG arg, int err)
{
	struct ipsec_ah_tmp *tmp = ipsec_crypto_cb_data(arg);
	struct sk_buff *skb = tmp->skb;
	ipsec_resume_t resume = tmp->resume;

	if (err == -EINPROGRESS)
		return;
	err = ipsec_ah_in_finish(tmp, err);
	resume(skb, err);
}

int ipsec_ah_input(struct sk_buff *skb, struct ipsec_sa *sa, u64 seq,
		   ipsec_resume_t resume)
{
	unsigned int hl = skb->data - skb_network_header(skb), ahlen;
	struct ipsec_ah_tmp *tmp;
	struct sk_buff *trailer;
	struct scatterlist *sg;
	struct ip_auth_hdr *ah;
	int nfrags, err;
	void *req;

	ah = (struct ip_auth_hdr *)skb->data;
	ahlen = (ah->hdrlen + 2) * 4;
	if (!ipsec_ah_len_ok(sa, ahlen))
		return -EMSGSIZE;
	if (!pskb_may_pull(skb, ahlen))
		return -EINVAL;
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		return nfrags;
	tmp = ipsec_ah_tmp_alloc(sa, skb, hl, nfrags, &req, &sg);
	if (!tmp)
		return -ENOMEM;
	tmp->resume = resume;
	ah = (struct ip_auth_hdr *)skb->data;
	if (tmp->gmac)
		ipsec_ah_gmac_nonce(tmp, sa, ah);
	/* RFC 4302 2.6: the padding after the ICV is hashed as it came
	 * (Linux XFRM sends whatever the buffer held there); GMAC's IV
	 * before it too (RFC 4543 4)
	 */
	memcpy(tmp->icv, ah->auth_data + tmp->iv_len, tmp->icv_len);
	memset(ah->auth_data + tmp->iv_len, 0, tmp->icv_len);

	__skb_push(skb, hl);
	memcpy(tmp->hdr, skb->data, hl);
	err = ipsec_ah_mute(sa, skb->data, hl, false);
	if (!err)
		err = ipsec_ah_hash(tmp, sa, req, sg, nfrags, seq, false,
				    ipsec_ah_in_complete);
	if (err == -EINPROGRESS)
		return err;
	return ipsec_ah_in_finish(tmp, err);
}

int ipsec_ah_input_done(struct sk_buff *skb)
{
	const struct ip_auth_hdr *ah = (const void *)skb->data;
	u8 nh = ah->nexthdr;

	/* made linear for the whole header before the ICV was checked */
	__skb_pull(skb, (ah->hdrlen + 2) * 4);
	skb_reset_transport_header(skb);
	return nh;
}
