// SPDX-License-Identifier: GPL-2.0
/*
 * Inbound: ESP, AH and IPComp, IPv4 and IPv6. The SA is found by
 * (destination, SPI, protocol); the sequence number is checked against
 * the replay window before anything costly, the packet is decrypted and
 * verified (possibly asynchronously), the window advances, padding is
 * checked and stripped, tunnel mode takes the outer header off. The inner
 * packet is checked against the inbound (or forward) policy with the SA
 * that carried it, then received on enc0 as a new packet, so routing,
 * conntrack and rules see it there. Every drop is counted by cause.
 */
#include <linux/skbuff.h>
#include <net/esp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/addrconf.h>
#include <net/route.h>

#include "enc.h"
#include "esp.h"
#include "input.h"
#include "netns.h"
#include "policy.h"
#include "stats.h"
#include "tunnel.h"

/* Fixed part of each header: ESP SPI+seq (RFC 4303 2), AH through the
 * sequence number (RFC 4302 2), IPComp's CPI header (RFC 3173 2.2).
 */
static const unsigned int ipsec_min_hdr[IPSEC_P_MAX] = {
	[IPSEC_P_ESP] = 8,
	[IPSEC_P_AH] = 12,
	[IPSEC_P_IPCOMP] = 4,
};

struct ipsec_in_cb {
	union {
		struct inet_skb_parm h4;
		struct inet6_skb_parm h6;	/* nhoff: the byte naming ESP */
	} header;
	struct ipsec_sa *sa;		/* held */
	u64 seq;
	u16 hl;				/* bytes of IP header before ESP */
	u8 family;
};

#define IPSEC_IN_CB(skb) ((struct ipsec_in_cb *)(skb)->cb)

static bool ipsec_proto_enabled(const struct ipsec_net *in,
				enum ipsec_proto_idx p)
{
	switch (p) {
	case IPSEC_P_ESP:
		return READ_ONCE(in->cfg.esp_enable);
	case IPSEC_P_AH:
		return READ_ONCE(in->cfg.ah_enable);
	case IPSEC_P_IPCOMP:
		return READ_ONCE(in->cfg.ipcomp_enable);
	default:
		return false;
	}
}

static void ipsec_in_drop(struct ipsec_net *in, struct sk_buff *skb,
			  enum ipsec_stat why)
{
	struct ipsec_in_cb *cb = IPSEC_IN_CB(skb);

	ipsec_stat_inc(in->net, IPSEC_P_ESP, why);
	ipsec_sa_put(cb->sa);
	kfree_skb(skb);
}

/* Transport mode: the IP header (and IPv6 extension headers) moves up
 * against the payload, and names the next header where it named ESP.
 */
static void ipsec_in_transport(struct sk_buff *skb, u8 nh)
{
	struct ipsec_in_cb *cb = IPSEC_IN_CB(skb);
	unsigned int hl = cb->hl;

	memmove(skb->data - hl, skb_network_header(skb), hl);
	__skb_push(skb, hl);
	skb_reset_network_header(skb);
	if (cb->family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->protocol = nh;
		iph->tot_len = htons(skb->len);
		ip_send_check(iph);
	} else {
		skb_network_header(skb)[IP6CB(skb)->nhoff] = nh;
		ipv6_hdr(skb)->payload_len =
			htons(skb->len - sizeof(struct ipv6hdr));
	}
}

/* Is the inner packet for this host (inbound policy) or to forward? */
static u8 ipsec_in_dir(struct ipsec_net *in, const struct ipsec_flow *f)
{
	bool local;

	if (f->family == AF_INET)
		local = inet_addr_type(in->net, f->daddr.a4) == RTN_LOCAL;
	else
		local = ipv6_chk_addr(in->net, &f->daddr.in6, NULL, 0);
	return local ? IPSEC_DIR_INBOUND : IPSEC_DIR_FWD;
}

static void ipsec_in_resume(struct sk_buff *skb, int err)
{
	struct ipsec_in_cb *cb = IPSEC_IN_CB(skb);
	struct ipsec_sa *sa = cb->sa;
	struct ipsec_net *in = sa->in;
	struct ipsec_flow flow;
	int nh, family;
	u8 proto;

	if (err) {
		ipsec_in_drop(in, skb, err == -EBADMSG ? IPSEC_STAT_BADAUTH :
				       err == -EINVAL ? IPSEC_STAT_BADILEN :
				       err == -ENOMEM ? IPSEC_STAT_QFULL :
				       IPSEC_STAT_CRYPTO);
		return;
	}
	/* RFC 4303 3.4.3: the window moves only for verified packets */
	if (!ipsec_replay_advance(&sa->replay, cb->seq)) {
		ipsec_in_drop(in, skb, IPSEC_STAT_REPLAY);
		return;
	}
	nh = ipsec_esp_input_done(skb, sa);
	if (nh < 0) {
		ipsec_in_drop(in, skb, nh == -EBADMSG ? IPSEC_STAT_BADENC :
				       IPSEC_STAT_BADILEN);
		return;
	}
	if (!ipsec_sa_account(sa, skb->len)) {
		ipsec_in_drop(in, skb, IPSEC_STAT_INVALID);
		return;
	}
	ipsec_stat_inc(in->net, IPSEC_P_ESP, IPSEC_STAT_INPUT);
	ipsec_stat_add(in->net, IPSEC_P_ESP, IPSEC_STAT_IBYTES, skb->len);

	if ((nh == IPPROTO_IPIP || nh == IPPROTO_IPV6) &&
	    sa->mode != IPSEC_MODE_TRANSPORT) {
		family = ipsec_tunnel_decap(in, skb, nh);
		if (family < 0) {
			ipsec_in_drop(in, skb, family == -EBADMSG ?
				      IPSEC_STAT_BADENC : IPSEC_STAT_HDROPS);
			return;
		}
	} else {
		ipsec_in_transport(skb, nh);
		family = cb->family;
	}

	/* RFC 4301 5.2: the SA must be one the policy asks for */
	if (ipsec_flow_from_skb(skb, family, &flow)) {
		ipsec_in_drop(in, skb, IPSEC_STAT_HDROPS);
		return;
	}
	rcu_read_lock();
	err = ipsec_policy_check_in(in, ipsec_in_dir(in, &flow), &flow, sa,
				    &proto);
	rcu_read_unlock();
	if (err != IPSEC_PASS) {
		ipsec_in_drop(in, skb, IPSEC_STAT_PDROPS);
		return;
	}
	ipsec_sa_put(sa);
	ipsec_enc_receive(in, skb, family);
}

static int ipsec_esp_rcv(struct ipsec_net *in, struct sk_buff *skb,
			 int family)
{
	struct ipsec_in_cb *cb = IPSEC_IN_CB(skb);
	const struct ip_esp_hdr *esph = (void *)skb->data;
	struct ipsec_sa_id id = {
		.spi = esph->spi,
		.proto = IPPROTO_ESP,
		.family = family,
	};
	struct ipsec_sa *sa;
	int err;

	if (family == AF_INET)
		id.daddr.a4 = ip_hdr(skb)->daddr;
	else
		id.daddr.in6 = ipv6_hdr(skb)->daddr;
	sa = ipsec_sa_get(in, &id);
	if (!sa) {
		ipsec_stat_inc(in->net, IPSEC_P_ESP, IPSEC_STAT_NOTDB);
		kfree_skb(skb);
		return 0;
	}
	cb->sa = sa;
	cb->family = family;
	cb->hl = skb->data - skb_network_header(skb);
	if (!ipsec_sa_usable(sa)) {
		ipsec_in_drop(in, skb, IPSEC_STAT_INVALID);
		return 0;
	}
	if (!sa->aead) {
		ipsec_in_drop(in, skb, IPSEC_STAT_BADKCR);
		return 0;
	}
	cb->seq = ipsec_replay_check(&sa->replay, ntohl(esph->seq_no),
				     ipsec_sa_esn(sa));
	if (!cb->seq) {
		ipsec_in_drop(in, skb, IPSEC_STAT_REPLAY);
		return 0;
	}
	/* the outer packet's conntrack entry has nothing to do with the inner
	 * one's
	 */
	nf_reset_ct(skb);
	err = ipsec_esp_input(skb, sa, cb->seq, ipsec_in_resume);
	if (err != -EINPROGRESS)
		ipsec_in_resume(skb, err);
	return 0;
}

int ipsec_input(struct sk_buff *skb, enum ipsec_proto_idx p, int family)
{
	struct net *net = dev_net(skb->dev);
	struct ipsec_net *in = ipsec_net(net);
	enum ipsec_stat why;

	if (!ipsec_proto_enabled(in, p)) {
		why = IPSEC_STAT_PDROPS;
		goto drop;
	}
	if (!pskb_may_pull(skb, ipsec_min_hdr[p])) {
		why = IPSEC_STAT_HDROPS;
		goto drop;
	}
	if (p == IPSEC_P_ESP)
		return ipsec_esp_rcv(in, skb, family);

	/* AH and IPComp SAs cannot be used yet: nothing can match */
	why = IPSEC_STAT_NOTDB;
drop:
	ipsec_stat_inc(net, p, why);
	kfree_skb(skb);
	return 0;
}
