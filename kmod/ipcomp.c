// SPDX-License-Identifier: GPL-2.0
/*
 * IPComp (RFC 3173) with DEFLATE (RFC 2394), through the crypto API's
 * synchronous compression interface, which both 6.1 and 6.12 have. A
 * DEFLATE transform keeps its stream state in the tfm, so each CPU has
 * its own, with a scratch buffer the size of the largest IP packet; they
 * are shared by every IPComp SA, made when the first one is added and
 * freed with the last one. The packet path uses its CPU's pair with
 * bottom halves off, so no lock is taken there.
 *
 * Output compresses the payload after the IP header (transport mode) or
 * the whole inner packet (tunnel mode, after ipsec_tunnel_encap) into the
 * scratch buffer and copies it back over the payload only when that is
 * smaller with the IPComp header (RFC 3173 2.2); otherwise, and below
 * the algorithm's threshold, the packet goes on unchanged. Input
 * decompresses into the scratch buffer, bounded by what an IP packet can
 * hold, and copies the result into the skb, grown as needed.
 */
#include <linux/crypto.h>
#include <linux/ip.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/vmalloc.h>
#include <net/ip.h>

#include "crypto.h"
#include "ipcomp.h"
#include "sad.h"

/* Room for the largest IP payload, and for what DEFLATE may add to
 * incompressible data of that size (its stored blocks' headers), so
 * that a compressor error is never only "it did not shrink".
 */
#define IPSEC_IPCOMP_SCRATCH	(IP_MAX_MTU + 1024)

struct ipsec_ipcomp_cpu {
	struct crypto_comp *tfm;
	u8 *scratch;
};

static DEFINE_MUTEX(ipsec_ipcomp_mutex);
/* Under ipsec_ipcomp_mutex; read by the packet path through sa->comp. */
static struct ipsec_ipcomp_cpu __percpu *ipsec_ipcomp_cpus;
static unsigned int ipsec_ipcomp_users;

static void ipsec_ipcomp_cpus_free(struct ipsec_ipcomp_cpu __percpu *cpus)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct ipsec_ipcomp_cpu *c = per_cpu_ptr(cpus, cpu);

		if (c->tfm)
			crypto_free_comp(c->tfm);
		vfree(c->scratch);
	}
	free_percpu(cpus);
}

/* Under ipsec_ipcomp_mutex: the compressors for every CPU. */
static int ipsec_ipcomp_cpus_new(const char *alg)
{
	struct ipsec_ipcomp_cpu __percpu *cpus;
	int cpu, err;

	lockdep_assert_held(&ipsec_ipcomp_mutex);
	cpus = alloc_percpu(struct ipsec_ipcomp_cpu);
	if (!cpus)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct ipsec_ipcomp_cpu *c = per_cpu_ptr(cpus, cpu);
		struct crypto_comp *tfm = crypto_alloc_comp(alg, 0, 0);

		if (IS_ERR(tfm)) {
			err = PTR_ERR(tfm) == -ENOMEM ? -ENOMEM : -EINVAL;
			goto err_free;
		}
		c->tfm = tfm;
		c->scratch = vmalloc_node(IPSEC_IPCOMP_SCRATCH, cpu_to_node(cpu));
		if (!c->scratch) {
			err = -ENOMEM;
			goto err_free;
		}
	}
	ipsec_ipcomp_cpus = cpus;
	return 0;

err_free:
	ipsec_ipcomp_cpus_free(cpus);
	return err;
}

int ipsec_ipcomp_state_init(struct ipsec_sa *sa)
{
	int err = 0;

	/* the table's only compression algorithm: one set of compressors */
	if (!sa->calg || strcmp(sa->calg->tfm, "deflate"))
		return -EINVAL;
	mutex_lock(&ipsec_ipcomp_mutex);
	if (!ipsec_ipcomp_users) {
		err = ipsec_ipcomp_cpus_new(sa->calg->tfm);
		if (err)
			goto out;
	}
	ipsec_ipcomp_users++;
	sa->comp = ipsec_ipcomp_cpus;
out:
	mutex_unlock(&ipsec_ipcomp_mutex);
	return err;
}

/* No packet holds the SA any more, so none uses the compressors. */
void ipsec_ipcomp_state_free(struct ipsec_sa *sa)
{
	if (!sa->comp)
		return;
	mutex_lock(&ipsec_ipcomp_mutex);
	if (!--ipsec_ipcomp_users) {
		ipsec_ipcomp_cpus_free(ipsec_ipcomp_cpus);
		ipsec_ipcomp_cpus = NULL;
	}
	mutex_unlock(&ipsec_ipcomp_mutex);
	sa->comp = NULL;
}

int ipsec_ipcomp_output(struct sk_buff *skb, struct ipsec_sa *sa,
			unsigned int hl, unsigned int nh_off)
{
	unsigned int plen = skb->len - hl, dlen = IPSEC_IPCOMP_SCRATCH;
	struct ip_comp_hdr *ipch;
	struct ipsec_ipcomp_cpu *c;
	u8 *nh;
	int err;

	if (plen < IPSEC_IPCOMP_DEFLATE_MIN)
		return IPSEC_IPCOMP_PLAIN;
	if (skb_linearize_cow(skb))
		return -ENOMEM;

	local_bh_disable();
	c = this_cpu_ptr(sa->comp);
	err = crypto_comp_compress(c->tfm, skb->data + hl, plen, c->scratch,
				   &dlen);
	if (err) {
		err = -EIO;
		goto out;
	}
	/* RFC 3173 2.2: sent compressed only if that makes it smaller */
	if (dlen + sizeof(*ipch) >= plen) {
		err = IPSEC_IPCOMP_PLAIN;
		goto out;
	}
	memcpy(skb->data + hl + sizeof(*ipch), c->scratch, dlen);
out:
	local_bh_enable();
	if (err)
		return err;

	nh = skb->data + nh_off;
	ipch = (struct ip_comp_hdr *)(skb->data + hl);
	ipch->nexthdr = *nh;
	ipch->flags = 0;
	/* RFC 3173 3.3: the CPI is the low 16 bits of the SA's SPI */
	ipch->cpi = htons((u16)ntohl(sa->id.spi));
	*nh = IPPROTO_COMP;
	skb_trim(skb, hl + sizeof(*ipch) + dlen);
	return 0;
}

/* The most the payload may decompress to: the packet, its IP header
 * (hl bytes before IPComp) included, stays within 64 KiB.
 */
static unsigned int ipsec_ipcomp_room(const struct sk_buff *skb)
{
	unsigned int hl = skb->data - skb_network_header(skb);

	return hl < IP_MAX_MTU ? min_t(unsigned int, IP_MAX_MTU - hl,
				       IPSEC_IPCOMP_SCRATCH) : 0;
}

/* Under local_bh_disable(): the decompressed payload, in c->scratch,
 * replaces the compressed one after the header.
 */
static int ipsec_ipcomp_put(struct sk_buff *skb, const u8 *data,
			    unsigned int dlen)
{
	unsigned int have = skb->len - sizeof(struct ip_comp_hdr);
	int grow = dlen > have ? dlen - have : 0;

	if (skb_cloned(skb) || skb_tailroom(skb) < grow) {
		int more = grow - skb_tailroom(skb);

		if (pskb_expand_head(skb, 0, more > 0 ? more : 0, GFP_ATOMIC))
			return -ENOMEM;
	}
	if (grow)
		__skb_put(skb, grow);
	else
		__skb_trim(skb, skb->len - (have - dlen));
	memcpy(skb->data + sizeof(struct ip_comp_hdr), data, dlen);
	return 0;
}

int ipsec_ipcomp_input(struct sk_buff *skb, struct ipsec_sa *sa)
{
	const struct ip_comp_hdr *ipch;
	struct ipsec_ipcomp_cpu *c;
	unsigned int plen, dlen;
	int err;

	if (skb->len <= sizeof(*ipch))
		return -EINVAL;
	/* one IPComp in another would unpack a small packet twice over */
	ipch = (const struct ip_comp_hdr *)skb->data;
	if (ipch->nexthdr == IPPROTO_COMP)
		return -EINVAL;
	if (skb_linearize(skb))
		return -ENOMEM;
	plen = skb->len - sizeof(*ipch);
	dlen = ipsec_ipcomp_room(skb);

	local_bh_disable();
	c = this_cpu_ptr(sa->comp);
	err = crypto_comp_decompress(c->tfm, skb->data + sizeof(*ipch), plen,
				     c->scratch, &dlen);
	if (err || !dlen)
		err = -EBADMSG;
	else
		err = ipsec_ipcomp_put(skb, c->scratch, dlen);
	local_bh_enable();
	if (err)
		return err;
	/* the sum a driver computed was over the compressed bytes */
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

int ipsec_ipcomp_input_done(struct sk_buff *skb)
{
	u8 nh = ((const struct ip_comp_hdr *)skb->data)->nexthdr;

	__skb_pull(skb, sizeof(struct ip_comp_hdr));
	skb_reset_transport_header(skb);
	return nh;
}
