// SPDX-License-Identifier: GPL-2.0
/*
 * PF_KEY messages to SAs and back (RFC 2367 2.3 layouts). Messages come
 * here validated by pfkey_parse.c: lengths are known to be sane; what is
 * checked here is meaning (algorithms, key sizes, protocol rules).
 */
#include <linux/bitops.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipsec.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "crypto.h"
#include "ah.h"
#include "esp.h"
#include "ipcomp.h"
#include "netns.h"
#include "pfkey.h"
#include "replay.h"

int ipsec_satype_proto(u8 satype)
{
	switch (satype) {
	case SADB_SATYPE_ESP:
		return IPPROTO_ESP;
	case SADB_SATYPE_AH:
		return IPPROTO_AH;
	case SADB_X_SATYPE_IPCOMP:
		return IPPROTO_COMP;
	default:
		return -EINVAL;
	}
}

u8 ipsec_proto_satype(u8 proto)
{
	switch (proto) {
	case IPPROTO_ESP:
		return SADB_SATYPE_ESP;
	case IPPROTO_AH:
		return SADB_SATYPE_AH;
	case IPPROTO_COMP:
		return SADB_X_SATYPE_IPCOMP;
	default:
		return SADB_SATYPE_UNSPEC;
	}
}

size_t ipsec_salen(u8 family)
{
	return family == AF_INET ? sizeof(struct sockaddr_in) :
				   sizeof(struct sockaddr_in6);
}

/* sockaddr (AF_INET or AF_INET6, checked by the parser) -> address and
 * port; the rest of *x is zeroed, as it is hashed
 */
void ipsec_sockaddr_get(const struct sockaddr *s, xfrm_address_t *x,
			__be16 *port)
{
	memset(x, 0, sizeof(*x));
	if (s->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)s;

		x->a4 = sin->sin_addr.s_addr;
		if (port)
			*port = sin->sin_port;
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)s;

		x->in6 = sin6->sin6_addr;
		if (port)
			*port = sin6->sin6_port;
	}
}

/* address -> sockaddr at p, which is zeroed and ipsec_salen() long */
void ipsec_sockaddr_put(void *p, u8 family, const xfrm_address_t *x,
			__be16 port)
{
	if (family == AF_INET) {
		struct sockaddr_in *sin = p;

		sin->sin_family = AF_INET;
		sin->sin_port = port;
		sin->sin_addr.s_addr = x->a4;
	} else {
		struct sockaddr_in6 *sin6 = p;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		sin6->sin6_addr = x->in6;
	}
}

void ipsec_sadb_addr_get(const struct sadb_address *a, u8 *family,
			 xfrm_address_t *x, __be16 *port)
{
	const struct sockaddr *s = (const struct sockaddr *)(a + 1);

	*family = s->sa_family;
	ipsec_sockaddr_get(s, x, port);
}

size_t ipsec_pfkey_addr_len(u8 family)
{
	return sizeof(struct sadb_address) + ALIGN(ipsec_salen(family), 8);
}

struct sk_buff *ipsec_pfkey_msg_alloc(size_t len, gfp_t gfp)
{
	return alloc_skb(len, gfp);
}

struct sadb_msg *ipsec_pfkey_put_hdr(struct sk_buff *skb, u8 type,
				     u8 satype, u32 seq, u32 pid)
{
	struct sadb_msg *h = skb_put_zero(skb, sizeof(*h));

	h->sadb_msg_version = PF_KEY_V2;
	h->sadb_msg_type = type;
	h->sadb_msg_satype = satype;
	h->sadb_msg_seq = seq;
	h->sadb_msg_pid = pid;
	return h;
}

void ipsec_pfkey_finish(struct sk_buff *skb)
{
	struct sadb_msg *h = (struct sadb_msg *)skb->data;

	h->sadb_msg_len = skb->len / sizeof(u64);
}

void *ipsec_pfkey_put_ext(struct sk_buff *skb, u16 type, size_t len)
{
	struct sadb_ext *e = skb_put_zero(skb, len);

	e->sadb_ext_len = len / sizeof(u64);
	e->sadb_ext_type = type;
	return e;
}

static void ipsec_put_addr(struct sk_buff *skb, u16 type, u8 family,
			   const xfrm_address_t *x, __be16 port, u8 prefix,
			   u8 proto)
{
	struct sadb_address *a;

	a = ipsec_pfkey_put_ext(skb, type, ipsec_pfkey_addr_len(family));
	a->sadb_address_proto = proto;
	a->sadb_address_prefixlen = prefix;
	ipsec_sockaddr_put(a + 1, family, x, port);
}

void ipsec_pfkey_put_lifetime(struct sk_buff *skb, u16 type,
			      const struct ipsec_lifetime *lt)
{
	struct sadb_lifetime *l = ipsec_pfkey_put_ext(skb, type, sizeof(*l));

	l->sadb_lifetime_allocations = min_t(u64, lt->allocations, U32_MAX);
	l->sadb_lifetime_bytes = lt->bytes;
	l->sadb_lifetime_addtime = lt->addtime;
	l->sadb_lifetime_usetime = lt->usetime;
}

static size_t ipsec_key_ext_len(unsigned int bits)
{
	return sizeof(struct sadb_key) + ALIGN(DIV_ROUND_UP(bits, 8), 8);
}

static void ipsec_put_key(struct sk_buff *skb, u16 type, const u8 *key,
			  unsigned int bits)
{
	struct sadb_key *k = ipsec_pfkey_put_ext(skb, type, ipsec_key_ext_len(bits));

	k->sadb_key_bits = bits;
	memcpy(k + 1, key, DIV_ROUND_UP(bits, 8));
}

static void ipsec_put_blob(struct sk_buff *skb, const struct ipsec_blob *b)
{
	skb_put_data(skb, b->data, b->len);
}

static u8 ipsec_sadb_state(u8 state)
{
	switch (state) {
	case IPSEC_SA_LARVAL:
		return SADB_SASTATE_LARVAL;
	case IPSEC_SA_MATURE:
		return SADB_SASTATE_MATURE;
	case IPSEC_SA_DYING:
		return SADB_SASTATE_DYING;
	default:
		return SADB_SASTATE_DEAD;
	}
}

/* One SA as a message: SA, lifetimes, addresses, keys, identities, SA2,
 * NAT-T, in the order of RFC 2367 3.1.
 */
static size_t ipsec_pfkey_sa_msg_len(const struct ipsec_sa *sa,
				     unsigned int what)
{
	bool keys = what & IPSEC_PFKEY_KEYS;
	size_t len;

	len = sizeof(struct sadb_msg) + sizeof(struct sadb_sa) +
	      2 * ipsec_pfkey_addr_len(sa->id.family) +
	      sizeof(struct sadb_x_sa2);
	len += hweight32(what & IPSEC_PFKEY_LIFETIMES) *
	       sizeof(struct sadb_lifetime);
	if (keys && sa->akey)
		len += ipsec_key_ext_len(sa->akey_bits);
	if (keys && sa->ekey)
		len += ipsec_key_ext_len(sa->ekey_bits);
	if (sa->ident_src)
		len += sa->ident_src->len;
	if (sa->ident_dst)
		len += sa->ident_dst->len;
	if (sa->natt_type)
		len += sizeof(struct sadb_x_nat_t_type) +
		       2 * sizeof(struct sadb_x_nat_t_port) +
		       ipsec_pfkey_addr_len(sa->id.family);
	return len;
}

struct sk_buff *ipsec_pfkey_sa_msg(const struct ipsec_sa *sa, u8 type,
				   u32 seq, u32 pid, unsigned int what,
				   gfp_t gfp)
{
	size_t len = ipsec_pfkey_sa_msg_len(sa, what);
	bool keys = what & IPSEC_PFKEY_KEYS;
	struct ipsec_lifetime cur;
	struct sk_buff *skb;
	struct sadb_sa *s;
	struct sadb_x_sa2 *sa2;

	skb = ipsec_pfkey_msg_alloc(len, gfp);
	if (!skb)
		return NULL;
	ipsec_pfkey_put_hdr(skb, type, sa->satype, seq, pid);

	s = ipsec_pfkey_put_ext(skb, SADB_EXT_SA, sizeof(*s));
	s->sadb_sa_spi = sa->id.spi;
	s->sadb_sa_replay = sa->replay_window;
	s->sadb_sa_state = ipsec_sadb_state(READ_ONCE(sa->state));
	s->sadb_sa_auth = sa->aalg ? sa->aalg->sadb_id : SADB_AALG_NONE;
	s->sadb_sa_encrypt = sa->ealg ? sa->ealg->sadb_id :
			     sa->calg ? sa->calg->sadb_id : SADB_EALG_NONE;
	s->sadb_sa_flags = sa->flags;

	if (what & IPSEC_PFKEY_CURRENT) {
		ipsec_sa_lifetime_current(sa, &cur);
		ipsec_pfkey_put_lifetime(skb, SADB_EXT_LIFETIME_CURRENT, &cur);
	}
	if (what & IPSEC_PFKEY_HARD)
		ipsec_pfkey_put_lifetime(skb, SADB_EXT_LIFETIME_HARD, &sa->hard);
	if (what & IPSEC_PFKEY_SOFT)
		ipsec_pfkey_put_lifetime(skb, SADB_EXT_LIFETIME_SOFT, &sa->soft);

	ipsec_put_addr(skb, SADB_EXT_ADDRESS_SRC, sa->id.family,
		       &sa->rid.saddr, 0, sa->prefix_s, sa->ul_proto);
	ipsec_put_addr(skb, SADB_EXT_ADDRESS_DST, sa->id.family,
		       &sa->id.daddr, 0, sa->prefix_d, sa->ul_proto);

	if (keys && sa->akey)
		ipsec_put_key(skb, SADB_EXT_KEY_AUTH, sa->akey, sa->akey_bits);
	if (keys && sa->ekey)
		ipsec_put_key(skb, SADB_EXT_KEY_ENCRYPT, sa->ekey,
			      sa->ekey_bits);
	if (sa->ident_src)
		ipsec_put_blob(skb, sa->ident_src);
	if (sa->ident_dst)
		ipsec_put_blob(skb, sa->ident_dst);

	sa2 = ipsec_pfkey_put_ext(skb, SADB_X_EXT_SA2, sizeof(*sa2));
	sa2->sadb_x_sa2_mode = sa->mode;
	sa2->sadb_x_sa2_reqid = sa->reqid;

	if (sa->natt_type) {
		struct sadb_x_nat_t_type *t;
		struct sadb_x_nat_t_port *p;

		t = ipsec_pfkey_put_ext(skb, SADB_X_EXT_NAT_T_TYPE, sizeof(*t));
		t->sadb_x_nat_t_type_type = sa->natt_type;
		p = ipsec_pfkey_put_ext(skb, SADB_X_EXT_NAT_T_SPORT, sizeof(*p));
		p->sadb_x_nat_t_port_port = sa->natt_sport;
		p = ipsec_pfkey_put_ext(skb, SADB_X_EXT_NAT_T_DPORT, sizeof(*p));
		p->sadb_x_nat_t_port_port = sa->natt_dport;
		ipsec_put_addr(skb, SADB_X_EXT_NAT_T_OA, sa->id.family,
			       &sa->natt_oa, 0, 0, 0);
	}
	ipsec_pfkey_finish(skb);
	return skb;
}

/* SADB_X_NAT_T_NEW_MAPPING as KAME and Linux send it (the new source in
 * ADDRESS_SRC and NAT_T_SPORT), with SA2 besides: strongSwan finds the SA
 * by its reqid and ignores the message without it.
 */
struct sk_buff *ipsec_pfkey_mapping_msg(const struct ipsec_sa *sa,
					const xfrm_address_t *saddr,
					__be16 sport, gfp_t gfp)
{
	struct sadb_x_nat_t_port *p;
	struct sadb_x_sa2 *sa2;
	struct sk_buff *skb;
	struct sadb_sa *s;
	size_t len;

	len = sizeof(struct sadb_msg) + sizeof(struct sadb_sa) +
	      2 * ipsec_pfkey_addr_len(sa->id.family) +
	      2 * sizeof(struct sadb_x_nat_t_port) + sizeof(struct sadb_x_sa2);
	skb = ipsec_pfkey_msg_alloc(len, gfp);
	if (!skb)
		return NULL;
	ipsec_pfkey_put_hdr(skb, SADB_X_NAT_T_NEW_MAPPING, sa->satype, 0, 0);
	s = ipsec_pfkey_put_ext(skb, SADB_EXT_SA, sizeof(*s));
	s->sadb_sa_spi = sa->id.spi;
	s->sadb_sa_replay = sa->replay_window;
	s->sadb_sa_state = ipsec_sadb_state(READ_ONCE(sa->state));
	s->sadb_sa_flags = sa->flags;
	ipsec_put_addr(skb, SADB_EXT_ADDRESS_SRC, sa->id.family, saddr, 0,
		       sa->id.family == AF_INET ? 32 : 128, 0);
	p = ipsec_pfkey_put_ext(skb, SADB_X_EXT_NAT_T_SPORT, sizeof(*p));
	p->sadb_x_nat_t_port_port = sport;
	ipsec_put_addr(skb, SADB_EXT_ADDRESS_DST, sa->id.family,
		       &sa->id.daddr, 0, sa->id.family == AF_INET ? 32 : 128, 0);
	p = ipsec_pfkey_put_ext(skb, SADB_X_EXT_NAT_T_DPORT, sizeof(*p));
	p->sadb_x_nat_t_port_port = sa->natt_dport;
	sa2 = ipsec_pfkey_put_ext(skb, SADB_X_EXT_SA2, sizeof(*sa2));
	sa2->sadb_x_sa2_mode = sa->mode;
	sa2->sadb_x_sa2_reqid = sa->reqid;
	ipsec_pfkey_finish(skb);
	return skb;
}

/* A copy of a request for promiscuous listeners, keys left out
 * (RFC 2367 3.1.3: no key material in anything but a GET or DUMP reply).
 */
struct sk_buff *ipsec_pfkey_copy_nokeys(const struct sadb_msg *msg,
					gfp_t gfp)
{
	size_t len = msg->sadb_msg_len * sizeof(u64);
	const u8 *p = (const u8 *)(msg + 1), *end = (const u8 *)msg + len;
	struct sk_buff *skb = ipsec_pfkey_msg_alloc(len, gfp);

	if (!skb)
		return NULL;
	skb_put_data(skb, msg, sizeof(*msg));
	while (p < end) {
		const struct sadb_ext *e = (const void *)p;
		size_t elen = e->sadb_ext_len * sizeof(u64);

		if (e->sadb_ext_type != SADB_EXT_KEY_AUTH &&
		    e->sadb_ext_type != SADB_EXT_KEY_ENCRYPT)
			skb_put_data(skb, e, elen);
		p += elen;
	}
	ipsec_pfkey_finish(skb);
	return skb;
}

int ipsec_pfkey_id(const struct ipsec_pfkey_msg *m, struct ipsec_sa_id *id)
{
	const struct sadb_sa *s = (const void *)m->ext[SADB_EXT_SA];
	const struct sadb_address *dst;
	int proto;

	proto = ipsec_satype_proto(m->hdr->sadb_msg_satype);
	if (proto < 0)
		return proto;
	dst = (const void *)m->ext[SADB_EXT_ADDRESS_DST];
	if (!s || !dst)
		return -EINVAL;
	memset(id, 0, sizeof(*id));
	ipsec_sadb_addr_get(dst, &id->family, &id->daddr, NULL);
	id->spi = s->sadb_sa_spi;
	id->proto = proto;
	return 0;
}

static int ipsec_key_dup(const struct sadb_ext *e, const struct ipsec_alg *a,
			 u8 **key, u16 *bits)
{
	const struct sadb_key *k = (const void *)e;

	if (!a->key_max)		/* null algorithms take no key */
		return e ? -EINVAL : 0;
	if (!e || !ipsec_alg_key_ok(a, k->sadb_key_bits))
		return -EINVAL;
	*key = kmemdup(k + 1, DIV_ROUND_UP(k->sadb_key_bits, 8),
		       GFP_KERNEL_ACCOUNT);
	if (!*key)
		return -ENOMEM;
	*bits = k->sadb_key_bits;
	return 0;
}

static int ipsec_blob_dup(const struct sadb_ext *e, struct ipsec_blob **b)
{
	size_t len;

	if (!e)
		return 0;
	len = e->sadb_ext_len * sizeof(u64);
	*b = kmalloc(struct_size(*b, data, len), GFP_KERNEL_ACCOUNT);
	if (!*b)
		return -ENOMEM;
	(*b)->len = len;
	memcpy((*b)->data, e, len);
	return 0;
}

static void ipsec_lifetime_get(const struct sadb_ext *e,
			       struct ipsec_lifetime *lt)
{
	const struct sadb_lifetime *l = (const void *)e;

	if (!e)
		return;
	lt->allocations = l->sadb_lifetime_allocations;
	lt->bytes = l->sadb_lifetime_bytes;
	lt->addtime = l->sadb_lifetime_addtime;
	lt->usetime = l->sadb_lifetime_usetime;
}

/* Algorithms of an ADD/UPDATE, by protocol (RFC 4301 4.4.2.1 pairs). */
static int ipsec_pfkey_algs(const struct ipsec_pfkey_msg *m,
			    struct ipsec_sa *sa)
{
	const struct sadb_sa *s = (const void *)m->ext[SADB_EXT_SA];
	const struct sadb_ext *ka = m->ext[SADB_EXT_KEY_AUTH];
	const struct sadb_ext *ke = m->ext[SADB_EXT_KEY_ENCRYPT];
	int err;

	switch (sa->id.proto) {
	case IPPROTO_ESP:
		sa->ealg = ipsec_alg_by_id(IPSEC_ALG_ENC, s->sadb_sa_encrypt);
		if (!sa->ealg)
			return -EINVAL;
		if (s->sadb_sa_auth != SADB_AALG_NONE) {
			/* a combined mode carries its own ICV */
			if (sa->ealg->aead)
				return -EINVAL;
			sa->aalg = ipsec_alg_by_id(IPSEC_ALG_AUTH,
						   s->sadb_sa_auth);
			/* ESP's GMAC is the combined null-aes-gmac */
			if (!sa->aalg || sa->aalg->aead)
				return -EINVAL;
		} else if (ka) {
			return -EINVAL;
		}
		/* RFC 4303 3.2: NULL encryption needs authentication */
		if (s->sadb_sa_encrypt == SADB_EALG_NULL &&
		    (!sa->aalg || sa->aalg->sadb_id == SADB_X_AALG_NULL))
			return -EINVAL;
		err = ipsec_key_dup(ke, sa->ealg, &sa->ekey, &sa->ekey_bits);
		if (err)
			return err;
		if (sa->aalg)
			return ipsec_key_dup(ka, sa->aalg, &sa->akey,
					     &sa->akey_bits);
		return 0;
	case IPPROTO_AH:
		if (s->sadb_sa_encrypt != SADB_EALG_NONE || ke)
			return -EINVAL;
		sa->aalg = ipsec_alg_by_id(IPSEC_ALG_AUTH, s->sadb_sa_auth);
		if (!sa->aalg || sa->aalg->sadb_id == SADB_X_AALG_NULL)
			return -EINVAL;
		return ipsec_key_dup(ka, sa->aalg, &sa->akey, &sa->akey_bits);
	default:
		/* KAME: the compression algorithm rides in sadb_sa_encrypt */
		if (s->sadb_sa_auth != SADB_AALG_NONE || ka || ke)
			return -EINVAL;
		sa->calg = ipsec_alg_by_id(IPSEC_ALG_COMP, s->sadb_sa_encrypt);
		return sa->calg ? 0 : -EINVAL;
	}
}

/* ADD/UPDATE: fill a fresh SA from the message. */
int ipsec_pfkey_to_sa(const struct ipsec_pfkey_req *req, struct ipsec_sa *sa)
{
	const struct ipsec_pfkey_msg *m = &req->m;
	const struct sadb_sa *s = (const void *)m->ext[SADB_EXT_SA];
	const struct sadb_address *src, *dst, *oa;
	const struct sadb_x_sa2 *sa2;
	u8 family;
	int err;

	err = ipsec_pfkey_id(m, &sa->id);
	if (err)
		return err;
	/* RFC 4303 2.1 and the OpenBSD page: SPIs below 0x100 are reserved;
	 * RFC 3173 3.3: so are CPIs, which are 16 bits.
	 */
	if (ntohl(sa->id.spi) < 0x100 ||
	    (sa->id.proto == IPPROTO_COMP && ntohl(sa->id.spi) > 0xffff))
		return -EINVAL;

	src = (const void *)m->ext[SADB_EXT_ADDRESS_SRC];
	dst = (const void *)m->ext[SADB_EXT_ADDRESS_DST];
	ipsec_sadb_addr_get(src, &family, &sa->rid.saddr, NULL);
	sa->rid.daddr = sa->id.daddr;
	sa->rid.proto = sa->id.proto;
	sa->rid.family = sa->id.family;
	sa->prefix_s = src->sadb_address_prefixlen;
	sa->prefix_d = dst->sadb_address_prefixlen;
	sa->ul_proto = dst->sadb_address_proto;

	sa->satype = m->hdr->sadb_msg_satype;
	sa->seq = m->hdr->sadb_msg_seq;
	sa->pid = m->hdr->sadb_msg_pid;
	sa->replay_window = s->sadb_sa_replay;
	sa->flags = s->sadb_sa_flags;
	err = ipsec_replay_init(&sa->replay, sa->replay_window, GFP_KERNEL);
	if (err)
		return err;

	sa2 = (const void *)m->ext[SADB_X_EXT_SA2];
	if (sa2) {
		sa->mode = sa2->sadb_x_sa2_mode;
		/* kept as given, all 32 bits (af_key clamps above 0x3fff) */
		sa->reqid = sa2->sadb_x_sa2_reqid;
	}
	sa->rid.reqid = sa->reqid;

	ipsec_lifetime_get(m->ext[SADB_EXT_LIFETIME_HARD], &sa->hard);
	ipsec_lifetime_get(m->ext[SADB_EXT_LIFETIME_SOFT], &sa->soft);

	if (m->ext[SADB_X_EXT_NAT_T_TYPE]) {
		const struct sadb_x_nat_t_type *t =
			(const void *)m->ext[SADB_X_EXT_NAT_T_TYPE];
		const struct sadb_x_nat_t_port *sp =
			(const void *)m->ext[SADB_X_EXT_NAT_T_SPORT];
		const struct sadb_x_nat_t_port *dp =
			(const void *)m->ext[SADB_X_EXT_NAT_T_DPORT];

		if (sa->id.proto != IPPROTO_ESP || !sp || !dp)
			return -EINVAL;
		sa->natt_type = t->sadb_x_nat_t_type_type;
		sa->natt_sport = sp->sadb_x_nat_t_port_port;
		sa->natt_dport = dp->sadb_x_nat_t_port_port;
		oa = (const void *)m->ext[SADB_X_EXT_NAT_T_OA];
		if (oa)
			ipsec_sadb_addr_get(oa, &family, &sa->natt_oa, NULL);
	}

	err = ipsec_pfkey_algs(m, sa);
	if (err)
		return err;
	if (sa->id.proto == IPPROTO_ESP)
		err = ipsec_esp_state_init(sa);
	else if (sa->id.proto == IPPROTO_AH)
		err = ipsec_ah_state_init(sa);
	else if (sa->id.proto == IPPROTO_COMP)
		err = ipsec_ipcomp_state_init(sa);
	if (err)
		return err;
	err = ipsec_blob_dup(m->ext[SADB_EXT_IDENTITY_SRC], &sa->ident_src);
	if (err)
		return err;
	err = ipsec_blob_dup(m->ext[SADB_EXT_IDENTITY_DST], &sa->ident_dst);
	if (err)
		return err;
	/* GET must be able to return the SA with all it holds */
	if (ipsec_pfkey_sa_msg_len(sa, IPSEC_PFKEY_KEYS |
				   IPSEC_PFKEY_LIFETIMES) > IPSEC_PFKEY_MAX_MSG)
		return -EMSGSIZE;
	return 0;
}
