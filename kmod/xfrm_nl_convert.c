// SPDX-License-Identifier: GPL-2.0
/*
 * XFRM messages to SAs and back: struct xfrm_usersa_info and its
 * attributes (<linux/xfrm.h>) against struct ipsec_sa, and what SAs and
 * policies share (selectors, lifetimes, modes, directions); policies
 * are in xfrm_nl_convert_policy.c. Attributes come here with their
 * form validated (xfrm_nl_parse.c); meaning is checked here, and what
 * the SAD or SPD cannot do is refused with an extended ACK, never
 * dropped. The mapping:
 *
 *   XFRM                          here
 *   mode transport/tunnel (0/1)   IPSEC_MODE_TRANSPORT/TUNNEL (1/2)
 *   dir in/out/fwd (0/1/2)        IPSEC_DIR_INBOUND/OUTBOUND/FWD (1/2/3)
 *   policy index, dir in 3 bits   policy id, IPSEC_DIR_* in 3 bits
 *   lifetime XFRM_INF             0 ("no limit")
 *   selector proto 0, port mask 0 IPSEC_ULPROTO_ANY, port 0
 *   tmpl optional                 level use; else unique with a reqid,
 *                                 require without
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipsec.h>
#include <linux/slab.h>
#include <linux/udp.h>

#include "crypto.h"
#include "ah.h"
#include "esp.h"
#include "ipcomp.h"
#include "netns.h"
#include "pfkey.h"
#include "xfrm_nl.h"

int ipsec_xfrm_family_ok(u16 family, struct netlink_ext_ack *extack)
{
	if (family == AF_INET || family == AF_INET6)
		return 0;
	NL_SET_ERR_MSG(extack, "address family must be AF_INET or AF_INET6");
	return -EAFNOSUPPORT;
}

/* Only the family's bytes: the rest is zeroed, as it is hashed. */
void ipsec_xfrm_addr_get(xfrm_address_t *to, const xfrm_address_t *from,
			 u16 family)
{
	memset(to, 0, sizeof(*to));
	if (family == AF_INET)
		to->a4 = from->a4;
	else if (family == AF_INET6)
		to->in6 = from->in6;
}

static int ipsec_xfrm_port_get(__be16 *port, __be16 p, __be16 mask,
			       struct netlink_ext_ack *extack)
{
	if (mask && mask != htons(0xffff)) {
		NL_SET_ERR_MSG(extack, "selector port masks other than 0 and 0xffff not supported");
		return -EOPNOTSUPP;
	}
	*port = mask ? p : 0;
	return 0;
}

int ipsec_xfrm_sel_get(struct ipsec_selector *sel,
		       const struct xfrm_selector *x,
		       struct netlink_ext_ack *extack)
{
	u8 max = x->family == AF_INET ? 32 : 128;
	int err;

	memset(sel, 0, sizeof(*sel));
	err = ipsec_xfrm_family_ok(x->family, extack);
	if (err)
		return err;
	if (x->prefixlen_s > max || x->prefixlen_d > max) {
		NL_SET_ERR_MSG(extack, "selector prefix longer than the address");
		return -EINVAL;
	}
	if (x->ifindex || x->user) {
		NL_SET_ERR_MSG(extack,
			       "selectors by interface or user are not supported by ipsec.ko");
		return -EOPNOTSUPP;
	}
	err = ipsec_xfrm_port_get(&sel->sport, x->sport, x->sport_mask,
				  extack);
	if (!err)
		err = ipsec_xfrm_port_get(&sel->dport, x->dport, x->dport_mask,
					  extack);
	if (err)
		return err;
	ipsec_xfrm_addr_get(&sel->saddr, &x->saddr, x->family);
	ipsec_xfrm_addr_get(&sel->daddr, &x->daddr, x->family);
	sel->prefix_s = x->prefixlen_s;
	sel->prefix_d = x->prefixlen_d;
	sel->proto = x->proto ?: IPSEC_ULPROTO_ANY;
	sel->family = x->family;
	return 0;
}

void ipsec_xfrm_sel_put(struct xfrm_selector *x,
			const struct ipsec_selector *sel)
{
	memset(x, 0, sizeof(*x));
	x->saddr = sel->saddr;
	x->daddr = sel->daddr;
	x->sport = sel->sport;
	x->sport_mask = sel->sport ? htons(0xffff) : 0;
	x->dport = sel->dport;
	x->dport_mask = sel->dport ? htons(0xffff) : 0;
	x->prefixlen_s = sel->prefix_s;
	x->prefixlen_d = sel->prefix_d;
	x->proto = sel->proto == IPSEC_ULPROTO_ANY ? 0 : sel->proto;
	x->family = sel->family;
}

static u64 ipsec_lft_in(u64 v)
{
	return v == XFRM_INF ? 0 : v;
}

static u64 ipsec_lft_out(u64 v)
{
	return v ?: XFRM_INF;
}

void ipsec_xfrm_lft_get(const struct xfrm_lifetime_cfg *l,
			struct ipsec_lifetime *hard,
			struct ipsec_lifetime *soft)
{
	hard->bytes = ipsec_lft_in(l->hard_byte_limit);
	hard->allocations = ipsec_lft_in(l->hard_packet_limit);
	hard->addtime = ipsec_lft_in(l->hard_add_expires_seconds);
	hard->usetime = ipsec_lft_in(l->hard_use_expires_seconds);
	soft->bytes = ipsec_lft_in(l->soft_byte_limit);
	soft->allocations = ipsec_lft_in(l->soft_packet_limit);
	soft->addtime = ipsec_lft_in(l->soft_add_expires_seconds);
	soft->usetime = ipsec_lft_in(l->soft_use_expires_seconds);
}

void ipsec_xfrm_lft_put(struct xfrm_lifetime_cfg *l,
			const struct ipsec_lifetime *hard,
			const struct ipsec_lifetime *soft)
{
	l->hard_byte_limit = ipsec_lft_out(hard->bytes);
	l->hard_packet_limit = ipsec_lft_out(hard->allocations);
	l->hard_add_expires_seconds = hard->addtime;
	l->hard_use_expires_seconds = hard->usetime;
	l->soft_byte_limit = ipsec_lft_out(soft->bytes);
	l->soft_packet_limit = ipsec_lft_out(soft->allocations);
	l->soft_add_expires_seconds = soft->addtime;
	l->soft_use_expires_seconds = soft->usetime;
}

int ipsec_xfrm_mode_get(u8 xmode, u8 *mode, struct netlink_ext_ack *extack)
{
	switch (xmode) {
	case XFRM_MODE_TRANSPORT:
		*mode = IPSEC_MODE_TRANSPORT;
		return 0;
	case XFRM_MODE_TUNNEL:
		*mode = IPSEC_MODE_TUNNEL;
		return 0;
	default:
		NL_SET_ERR_MSG(extack, "only transport and tunnel mode are supported by ipsec.ko");
		return -EOPNOTSUPP;
	}
}

/* PF_KEY's mode "any" is transport to XFRM, as af_key has it */
u8 ipsec_xfrm_mode_put(u8 mode)
{
	return mode == IPSEC_MODE_TUNNEL ? XFRM_MODE_TUNNEL :
					   XFRM_MODE_TRANSPORT;
}

u8 ipsec_xfrm_dir_get(u8 xdir)
{
	return xdir + 1;
}

u8 ipsec_xfrm_dir_put(u8 dir)
{
	return dir - 1;
}

void ipsec_xfrm_sa_id(struct ipsec_sa_id *id, const xfrm_address_t *daddr,
		      __be32 spi, u8 proto, u16 family)
{
	memset(id, 0, sizeof(*id));
	ipsec_xfrm_addr_get(&id->daddr, daddr, family);
	id->spi = spi;
	id->proto = proto;
	id->family = family;
}

/* ---- algorithms ---- */

static int ipsec_xfrm_key_dup(const struct ipsec_alg *a, const char *key,
			      unsigned int bits, struct ipsec_sa *sa, bool auth,
			      const struct nlattr *nla,
			      struct netlink_ext_ack *extack)
{
	u8 **to = auth ? &sa->akey : &sa->ekey;
	u16 *to_bits = auth ? &sa->akey_bits : &sa->ekey_bits;

	if (!a->key_max) {		/* null algorithms take no key */
		if (bits) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "the null algorithm takes no key");
			return -EINVAL;
		}
		return 0;
	}
	if (!ipsec_alg_key_ok(a, bits)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "key length not valid for the algorithm");
		return -EINVAL;
	}
	*to = kmemdup(key, DIV_ROUND_UP(bits, 8), GFP_KERNEL);
	if (!*to)
		return -ENOMEM;
	*to_bits = bits;
	return 0;
}

static int ipsec_xfrm_alg_unknown(const struct nlattr *nla,
				  struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_ATTR(extack, nla, "algorithm (or ICV length) not supported by ipsec.ko");
	return -EOPNOTSUPP;
}

static int ipsec_xfrm_aead_get(const struct nlattr *nla, struct ipsec_sa *sa,
			       struct netlink_ext_ack *extack)
{
	const struct xfrm_algo_aead *a;

	a = nla_data(nla);
	a = ipsec_xfrm_alg_attr(nla, sizeof(*a), a->alg_key_len, extack);
	if (!a)
		return -EINVAL;
	sa->ealg = ipsec_alg_by_xfrm(IPSEC_ALG_ENC, a->alg_name,
				     a->alg_icv_len);
	if (!sa->ealg || !sa->ealg->aead)
		return ipsec_xfrm_alg_unknown(nla, extack);
	return ipsec_xfrm_key_dup(sa->ealg, a->alg_key, a->alg_key_len, sa,
				  false, nla, extack);
}

static int ipsec_xfrm_crypt_get(const struct nlattr *nla, struct ipsec_sa *sa,
				struct netlink_ext_ack *extack)
{
	const struct xfrm_algo *a;

	a = nla_data(nla);
	a = ipsec_xfrm_alg_attr(nla, sizeof(*a), a->alg_key_len, extack);
	if (!a)
		return -EINVAL;
	sa->ealg = ipsec_alg_by_xfrm(IPSEC_ALG_ENC, a->alg_name, 0);
	if (!sa->ealg || sa->ealg->aead)
		return ipsec_xfrm_alg_unknown(nla, extack);
	return ipsec_xfrm_key_dup(sa->ealg, a->alg_key, a->alg_key_len, sa,
				  false, nla, extack);
}

/* AH's GMAC (RFC 4543 4) by its XFRM name, but with an ICV other than
 * 128 bits or a key that is not AES-128/192/256 and a 32-bit salt.
 */
static int ipsec_xfrm_auth_unknown(const char *name, unsigned int trunc,
				   const struct nlattr *nla,
				   struct netlink_ext_ack *extack)
{
	const struct ipsec_alg *a = ipsec_alg_by_xfrm(IPSEC_ALG_AUTH, name, 0);

	if (!a || !a->aead)
		return ipsec_xfrm_alg_unknown(nla, extack);
	if (trunc && trunc != a->icv_len * 8)
		NL_SET_ERR_MSG_ATTR(extack, nla, "AES-GMAC (RFC 4543) takes a 128-bit ICV only");
	else
		NL_SET_ERR_MSG_ATTR(extack, nla, "AES-GMAC: an AES-128/192/256 key, a 32-bit salt");
	return -EINVAL;
}

/* ALG_AUTH_TRUNC wins over ALG_AUTH, as with xfrm_user. */
static int ipsec_xfrm_auth_get(struct nlattr **attrs, struct ipsec_sa *sa,
			       struct netlink_ext_ack *extack)
{
	const struct nlattr *nla = attrs[XFRMA_ALG_AUTH_TRUNC];
	unsigned int trunc = 0, bits;
	const char *name, *key;

	if (nla) {
		const struct xfrm_algo_auth *a = nla_data(nla);

		a = ipsec_xfrm_alg_attr(nla, sizeof(*a), a->alg_key_len,
					extack);
		if (!a)
			return -EINVAL;
		name = a->alg_name;
		key = a->alg_key;
		bits = a->alg_key_len;
		trunc = a->alg_trunc_len;
	} else {
		const struct xfrm_algo *a;

		nla = attrs[XFRMA_ALG_AUTH];
		a = nla_data(nla);
		a = ipsec_xfrm_alg_attr(nla, sizeof(*a), a->alg_key_len,
					extack);
		if (!a)
			return -EINVAL;
		name = a->alg_name;
		key = a->alg_key;
		bits = a->alg_key_len;
	}
	sa->aalg = ipsec_alg_by_xfrm_key(IPSEC_ALG_AUTH, name, trunc, bits);
	if (!sa->aalg)
		return ipsec_xfrm_auth_unknown(name, trunc, nla, extack);
	return ipsec_xfrm_key_dup(sa->aalg, key, bits, sa, true, nla, extack);
}

static int ipsec_xfrm_comp_get(const struct nlattr *nla, struct ipsec_sa *sa,
			       struct netlink_ext_ack *extack)
{
	const struct xfrm_algo *a;

	a = nla_data(nla);
	a = ipsec_xfrm_alg_attr(nla, sizeof(*a), a->alg_key_len, extack);
	if (!a)
		return -EINVAL;
	sa->calg = ipsec_alg_by_xfrm(IPSEC_ALG_COMP, a->alg_name, 0);
	return sa->calg ? 0 : ipsec_xfrm_alg_unknown(nla, extack);
}

/* Which algorithms each protocol takes (RFC 4301 4.4.2.1 pairs). */
static int ipsec_xfrm_algs(const struct ipsec_xfrm_req *req,
			   struct ipsec_sa *sa)
{
	struct nlattr **attrs = req->attrs;
	bool auth = attrs[XFRMA_ALG_AUTH] || attrs[XFRMA_ALG_AUTH_TRUNC];
	struct netlink_ext_ack *extack = req->extack;
	int err;

	switch (sa->id.proto) {
	case IPPROTO_ESP:
		if (attrs[XFRMA_ALG_COMP] ||
		    (attrs[XFRMA_ALG_AEAD] && (attrs[XFRMA_ALG_CRYPT] || auth)) ||
		    (!attrs[XFRMA_ALG_AEAD] && !attrs[XFRMA_ALG_CRYPT])) {
			NL_SET_ERR_MSG(extack,
				       "ESP takes an AEAD, or a cipher and optional auth");
			return -EINVAL;
		}
		if (attrs[XFRMA_ALG_AEAD])
			return ipsec_xfrm_aead_get(attrs[XFRMA_ALG_AEAD], sa,
						   extack);
		err = ipsec_xfrm_crypt_get(attrs[XFRMA_ALG_CRYPT], sa, extack);
		if (!err && auth)
			err = ipsec_xfrm_auth_get(attrs, sa, extack);
		if (err)
			return err;
		if (sa->aalg && sa->aalg->aead) {
			NL_SET_ERR_MSG(extack,
				       "GMAC authentication is AH's; ESP has it as the AEAD rfc4543(gcm(aes))");
			return -EINVAL;
		}
		/* RFC 4303 3.2: NULL encryption needs authentication */
		if (!sa->ealg->key_max &&
		    (!sa->aalg || !sa->aalg->key_max)) {
			NL_SET_ERR_MSG(extack,
				       "ESP null encryption needs authentication (RFC 4303 3.2)");
			return -EINVAL;
		}
		return 0;
	case IPPROTO_AH:
		if (attrs[XFRMA_ALG_AEAD] || attrs[XFRMA_ALG_CRYPT] ||
		    attrs[XFRMA_ALG_COMP] || !auth) {
			NL_SET_ERR_MSG(extack, "AH takes an authentication algorithm only");
			return -EINVAL;
		}
		err = ipsec_xfrm_auth_get(attrs, sa, extack);
		if (!err && !sa->aalg->key_max) {
			NL_SET_ERR_MSG(extack, "AH needs a real authentication algorithm");
			err = -EINVAL;
		}
		return err;
	default:
		if (attrs[XFRMA_ALG_AEAD] || attrs[XFRMA_ALG_CRYPT] || auth ||
		    !attrs[XFRMA_ALG_COMP]) {
			NL_SET_ERR_MSG(extack, "IPComp takes a compression algorithm only");
			return -EINVAL;
		}
		return ipsec_xfrm_comp_get(attrs[XFRMA_ALG_COMP], sa, extack);
	}
}

/* ---- SAs ---- */

static const int ipsec_xfrm_sa_refused[] = {
	XFRMA_SEC_CTX, XFRMA_OFFLOAD_DEV, XFRMA_COADDR, XFRMA_SRCADDR,
	XFRMA_MTIMER_THRESH, XFRMA_REPLAY_THRESH,
	XFRMA_ETIMER_THRESH,
};

/* XFRMA_MARK as given, 0/0 without it (xfrm_user's xfrm_mark_get()). */
void ipsec_xfrm_mark_get(struct nlattr **attrs, struct xfrm_mark *m)
{
	memset(m, 0, sizeof(*m));
	if (attrs[XFRMA_MARK])
		memcpy(m, nla_data(attrs[XFRMA_MARK]), sizeof(*m));
}

/* Sent only when set, as xfrm_user does. */
int ipsec_xfrm_mark_put(struct sk_buff *skb, const struct xfrm_mark *m)
{
	if (!m->v && !m->m)
		return 0;
	return nla_put(skb, XFRMA_MARK, sizeof(*m), m) ? -EMSGSIZE : 0;
}

/* Extra flags of zero ask for nothing. */
int ipsec_xfrm_no_extra_flags(struct nlattr **attrs,
			      struct netlink_ext_ack *extack)
{
	const struct nlattr *nla = attrs[XFRMA_SA_EXTRA_FLAGS];

	if (nla && nla_get_u32(nla)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "SA extra flags are not supported by ipsec.ko");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* XFRMA_SET_MARK and its mask, 0xffffffff without one; the mask alone
 * is ignored (xfrm_user's xfrm_smark_init()).
 */
static void ipsec_xfrm_smark_get(struct nlattr **attrs, struct xfrm_mark *m)
{
	m->v = 0;
	m->m = 0;
	if (!attrs[XFRMA_SET_MARK])
		return;
	m->v = nla_get_u32(attrs[XFRMA_SET_MARK]);
	m->m = attrs[XFRMA_SET_MARK_MASK] ?
	       nla_get_u32(attrs[XFRMA_SET_MARK_MASK]) : 0xffffffff;
}

static int ipsec_xfrm_sa_hdr_ok(const struct xfrm_usersa_info *p,
				struct netlink_ext_ack *extack)
{
	u32 spi = ntohl(p->id.spi);
	int err;

	err = ipsec_xfrm_family_ok(p->family, extack);
	if (err)
		return err;
	if (p->id.proto != IPPROTO_ESP && p->id.proto != IPPROTO_AH &&
	    p->id.proto != IPPROTO_COMP) {
		NL_SET_ERR_MSG(extack, "protocol must be esp, ah or comp");
		return -EPROTONOSUPPORT;
	}
	/* RFC 4303 2.1: SPIs 1-255 are reserved; RFC 3173 3.3: so are CPIs,
	 * which are 16 bits
	 */
	if (spi < 0x100 || (p->id.proto == IPPROTO_COMP && spi > 0xffff)) {
		NL_SET_ERR_MSG(extack, "SPI out of range (0x100 and up; a CPI up to 0xffff)");
		return -EINVAL;
	}
	if (p->flags & ~(XFRM_STATE_ESN | XFRM_STATE_AF_UNSPEC |
			 XFRM_STATE_ICMP)) {
		NL_SET_ERR_MSG(extack,
			       "SA flags other than esn, af-unspec, icmp not supported");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The anti-replay window and, for a migrated SA, where it stood: windows
 * up to XFRMA_REPLAY_ESN_MAX packets, in REPLAY_ESN_VAL, with or without
 * ESN; the legacy replay_window and REPLAY_VAL otherwise.
 */
static int ipsec_xfrm_replay_get(const struct ipsec_xfrm_req *req,
				 const struct xfrm_usersa_info *p,
				 struct ipsec_sa *sa)
{
	const struct nlattr *nla = req->attrs[XFRMA_REPLAY_ESN_VAL];
	const u32 *ring = NULL;
	u32 window = p->replay_window, legacy = 0;
	u64 top = 0, oseq = 0;
	int err;

	if (nla) {
		const struct xfrm_replay_state_esn *r = nla_data(nla);

		/* xfrm_user takes it without the bitmap too (iproute2
		 * sends it so), which is then all zeros
		 */
		if (r->bmp_len > XFRMA_REPLAY_ESN_MAX / 32 ||
		    (nla_len(nla) != sizeof(*r) &&
		     nla_len(nla) < sizeof(*r) + r->bmp_len * sizeof(u32)) ||
		    r->replay_window > r->bmp_len * 32) {
			NL_SET_ERR_MSG_ATTR(req->extack, nla, "malformed ESN replay state");
			return -EINVAL;
		}
		if (p->replay_window) {
			NL_SET_ERR_MSG_ATTR(req->extack, nla,
					    "ESN replay state and a legacy replay_window together");
			return -EINVAL;
		}
		if ((p->flags & XFRM_STATE_ESN) && !r->replay_window) {
			NL_SET_ERR_MSG_ATTR(req->extack, nla, "ESN needs a replay window");
			return -EINVAL;
		}
		window = r->replay_window;
		top = (u64)r->seq_hi << 32 | r->seq;
		oseq = (u64)r->oseq_hi << 32 | r->oseq;
		if (nla_len(nla) > sizeof(*r))
			ring = r->bmp;
	} else if (p->flags & XFRM_STATE_ESN) {
		NL_SET_ERR_MSG(req->extack, "ESN needs XFRMA_REPLAY_ESN_VAL");
		return -EINVAL;
	}
	nla = req->attrs[XFRMA_REPLAY_VAL];
	if (nla) {
		const struct xfrm_replay_state *r = nla_data(nla);

		top = r->seq;
		oseq = r->oseq;
		legacy = r->bitmap;
		ring = NULL;
	}
	/* PF_KEY's sadb_sa_replay shows what a u8 can */
	sa->replay_window = min_t(u32, window, U8_MAX);
	err = ipsec_replay_init(&sa->replay, window, GFP_KERNEL);
	if (err)
		return err;
	ipsec_replay_import(&sa->replay, top, ring, legacy);
	atomic64_set(&sa->oseq.next, oseq);
	return 0;
}

static int ipsec_xfrm_encap_get(const struct ipsec_xfrm_req *req,
				struct ipsec_sa *sa)
{
	const struct nlattr *nla = req->attrs[XFRMA_ENCAP];
	const struct xfrm_encap_tmpl *e;

	if (!nla)
		return 0;
	e = nla_data(nla);
	if (sa->id.proto != IPPROTO_ESP ||
	    (e->encap_type != UDP_ENCAP_ESPINUDP &&
	     e->encap_type != UDP_ENCAP_ESPINUDP_NON_IKE)) {
		NL_SET_ERR_MSG_ATTR(req->extack, nla, "only ESP in UDP (RFC 3948) is supported");
		return -EINVAL;
	}
	sa->natt_type = e->encap_type;
	sa->natt_sport = e->encap_sport;
	sa->natt_dport = e->encap_dport;
	ipsec_xfrm_addr_get(&sa->natt_oa, &e->encap_oa, sa->id.family);
	return 0;
}

/* NEWSA/UPDSA: fill a fresh SA from the message. */
int ipsec_xfrm_to_sa(const struct ipsec_xfrm_req *req,
		     const struct xfrm_usersa_info *p, struct ipsec_sa *sa)
{
	struct nlattr **attrs = req->attrs;
	int err;

	err = ipsec_xfrm_sa_hdr_ok(p, req->extack);
	if (!err)
		err = ipsec_xfrm_refuse(attrs, ipsec_xfrm_sa_refused,
					ARRAY_SIZE(ipsec_xfrm_sa_refused),
					req->extack);
	if (!err)
		err = ipsec_xfrm_no_extra_flags(attrs, req->extack);
	if (!err)
		err = ipsec_xfrm_mode_get(p->mode, &sa->mode, req->extack);
	if (err)
		return err;
	ipsec_xfrm_mark_get(attrs, &sa->mark);
	ipsec_xfrm_smark_get(attrs, &sa->smark);
	/* TFC padding is for ESP tunnels alone (xfrm_user's
	 * verify_newsa_info): in transport mode nothing but the upper
	 * layer would tell the receiver where the payload ends
	 */
	if (attrs[XFRMA_TFCPAD]) {
		if (p->id.proto != IPPROTO_ESP) {
			NL_SET_ERR_MSG_ATTR(req->extack, attrs[XFRMA_TFCPAD],
					    "TFC padding is for ESP SAs only");
			return -EINVAL;
		}
		if (p->mode != XFRM_MODE_TUNNEL) {
			NL_SET_ERR_MSG_ATTR(req->extack, attrs[XFRMA_TFCPAD],
					    "TFC padding can only be used in tunnel mode");
			return -EINVAL;
		}
		sa->tfcpad = nla_get_u32(attrs[XFRMA_TFCPAD]);
	}
	/* an SA's selector may be AF_UNSPEC (any traffic of the tunnel);
	 * none at all is any traffic of the SA's family, as xfrm_user has it
	 */
	if (p->sel.family) {
		err = ipsec_xfrm_sel_get(&sa->sel, &p->sel, req->extack);
		if (err)
			return err;
	} else if (!(p->flags & XFRM_STATE_AF_UNSPEC)) {
		sa->sel.family = p->family;
		sa->sel.proto = IPSEC_ULPROTO_ANY;
	}

	ipsec_xfrm_sa_id(&sa->id, &p->id.daddr, p->id.spi, p->id.proto,
			 p->family);
	ipsec_xfrm_addr_get(&sa->rid.saddr, &p->saddr, p->family);
	sa->rid.daddr = sa->id.daddr;
	sa->rid.proto = sa->id.proto;
	sa->rid.family = sa->id.family;
	sa->rid.reqid = p->reqid;
	sa->rid.if_id = ipsec_xfrm_if_id_get(attrs);
	sa->reqid = p->reqid;
	/* PF_KEY's view of the selector: prefixes and upper layer */
	sa->prefix_s = p->family == AF_INET ? 32 : 128;
	sa->prefix_d = sa->prefix_s;
	sa->ul_proto = sa->sel.family ? sa->sel.proto : IPSEC_ULPROTO_ANY;
	sa->satype = ipsec_proto_satype(p->id.proto);
	sa->seq = p->seq;
	sa->pid = ipsec_xfrm_req_portid(req);
	sa->xfrm_flags = p->flags & (XFRM_STATE_AF_UNSPEC | XFRM_STATE_ICMP);
	if (p->flags & XFRM_STATE_ESN)
		sa->flags |= IPSEC_SA_ESN;
	ipsec_xfrm_lft_get(&p->lft, &sa->hard, &sa->soft);

	err = ipsec_xfrm_replay_get(req, p, sa);
	if (!err)
		err = ipsec_xfrm_encap_get(req, sa);
	if (!err)
		err = ipsec_xfrm_algs(req, sa);
	if (err)
		return err;
	if (sa->id.proto == IPPROTO_ESP)
		err = ipsec_esp_state_init(sa);
	else if (sa->id.proto == IPPROTO_AH)
		err = ipsec_ah_state_init(sa);
	else if (sa->id.proto == IPPROTO_COMP)
		err = ipsec_ipcomp_state_init(sa);
	if (err) {
		NL_SET_ERR_MSG(req->extack,
			       "the crypto API cannot instantiate this algorithm and key");
		return err;
	}
	if (attrs[XFRMA_LTIME_VAL]) {
		const struct xfrm_lifetime_cur *c =
			nla_data(attrs[XFRMA_LTIME_VAL]);

		atomic64_set(&sa->cur_bytes, c->bytes);
		atomic64_set(&sa->cur_packets, c->packets);
	}
	return 0;
}

/* An SA shows its window in REPLAY_ESN_VAL, as xfrm_user does for an
 * SA made with one, when it uses ESN or its window is beyond the legacy
 * 32 packets of REPLAY_VAL.
 */
bool ipsec_xfrm_replay_esn(const struct ipsec_sa *sa)
{
	return ipsec_sa_esn(sa) || sa->replay.window > 32;
}

void ipsec_xfrm_sa_info(struct xfrm_usersa_info *p, const struct ipsec_sa *sa)
{
	struct ipsec_lifetime cur;

	memset(p, 0, sizeof(*p));
	if (sa->sel.family) {
		ipsec_xfrm_sel_put(&p->sel, &sa->sel);
	} else {
		/* af_key's reading of PF_KEY's addresses as a selector */
		p->sel.family = sa->id.family;
		p->sel.saddr = sa->rid.saddr;
		p->sel.daddr = sa->id.daddr;
		p->sel.prefixlen_s = sa->prefix_s;
		p->sel.prefixlen_d = sa->prefix_d;
		p->sel.proto = sa->ul_proto == IPSEC_ULPROTO_ANY ? 0 :
			       sa->ul_proto;
	}
	p->id.daddr = sa->id.daddr;
	p->id.spi = sa->id.spi;
	p->id.proto = sa->id.proto;
	p->saddr = sa->rid.saddr;
	ipsec_xfrm_lft_put(&p->lft, &sa->hard, &sa->soft);
	ipsec_sa_lifetime_current(sa, &cur);
	p->curlft.bytes = cur.bytes;
	p->curlft.packets = cur.allocations;
	p->curlft.add_time = cur.addtime;
	p->curlft.use_time = cur.usetime;
	p->stats.replay_window = sa->replay.window;
	p->seq = sa->seq;
	p->reqid = sa->reqid;
	p->family = sa->id.family;
	p->mode = ipsec_xfrm_mode_put(sa->mode);
	/* xfrm_user: 0 with REPLAY_ESN_VAL, which has the window */
	p->replay_window = ipsec_xfrm_replay_esn(sa) ? 0 : sa->replay.window;
	p->flags = sa->xfrm_flags | (ipsec_sa_esn(sa) ? XFRM_STATE_ESN : 0);
}

static size_t ipsec_xfrm_key_len(const struct ipsec_sa *sa, bool auth,
				 unsigned int what)
{
	if (!(what & IPSEC_XFRM_KEYS))
		return 0;
	return DIV_ROUND_UP(auth ? sa->akey_bits : sa->ekey_bits, 8);
}

size_t ipsec_xfrm_sa_attrs_len(const struct ipsec_sa *sa, unsigned int what)
{
	size_t len = 0;

	if (sa->ealg && sa->ealg->aead)
		len += nla_total_size(sizeof(struct xfrm_algo_aead) +
				      ipsec_xfrm_key_len(sa, false, what));
	else if (sa->ealg)
		len += nla_total_size(sizeof(struct xfrm_algo) +
				      ipsec_xfrm_key_len(sa, false, what));
	if (sa->aalg)
		len += nla_total_size(sizeof(struct xfrm_algo) +
				      ipsec_xfrm_key_len(sa, true, what)) +
		       nla_total_size(sizeof(struct xfrm_algo_auth) +
				      ipsec_xfrm_key_len(sa, true, what));
	if (sa->calg)
		len += nla_total_size(sizeof(struct xfrm_algo));
	if (sa->natt_type)
		len += nla_total_size(sizeof(struct xfrm_encap_tmpl));
	len += nla_total_size(sizeof(struct xfrm_mark)) +
	       2 * nla_total_size(sizeof(u32)) +	/* SET_MARK, _MASK */
	       nla_total_size(sizeof(u32)) +		/* IF_ID */
	       nla_total_size(sizeof(u32));		/* TFCPAD */
	len += nla_total_size_64bit(sizeof(u64));	/* LASTUSED */
	return len + ipsec_xfrm_replay_len(sa);
}

/* Room for ipsec_xfrm_put_replay()'s attribute, whichever it is. */
size_t ipsec_xfrm_replay_len(const struct ipsec_sa *sa)
{
	return nla_total_size(sizeof(struct xfrm_replay_state_esn) +
			      XFRMA_REPLAY_ESN_MAX / 8);
}

static int ipsec_xfrm_put_algs(struct sk_buff *skb, const struct ipsec_sa *sa,
			       unsigned int what)
{
	size_t ek = ipsec_xfrm_key_len(sa, false, what);
	size_t ak = ipsec_xfrm_key_len(sa, true, what);
	struct nlattr *nla;

	if (sa->ealg && sa->ealg->aead) {
		struct xfrm_algo_aead *a;

		nla = nla_reserve(skb, XFRMA_ALG_AEAD, sizeof(*a) + ek);
		if (!nla)
			return -EMSGSIZE;
		a = nla_data(nla);
		memset(a, 0, sizeof(*a));
		strscpy(a->alg_name, sa->ealg->tfm, sizeof(a->alg_name));
		a->alg_key_len = ek * 8;
		a->alg_icv_len = sa->ealg->icv_len * 8;
		memcpy(a->alg_key, sa->ekey, ek);
	} else if (sa->ealg) {
		struct xfrm_algo *a;

		nla = nla_reserve(skb, XFRMA_ALG_CRYPT, sizeof(*a) + ek);
		if (!nla)
			return -EMSGSIZE;
		a = nla_data(nla);
		memset(a, 0, sizeof(*a));
		strscpy(a->alg_name, sa->ealg->tfm, sizeof(a->alg_name));
		a->alg_key_len = ek * 8;
		memcpy(a->alg_key, sa->ekey, ek);
	}
	if (sa->aalg) {
		struct xfrm_algo_auth *t;
		struct xfrm_algo *a;

		nla = nla_reserve(skb, XFRMA_ALG_AUTH, sizeof(*a) + ak);
		if (!nla)
			return -EMSGSIZE;
		a = nla_data(nla);
		memset(a, 0, sizeof(*a));
		strscpy(a->alg_name, sa->aalg->tfm, sizeof(a->alg_name));
		a->alg_key_len = ak * 8;
		memcpy(a->alg_key, sa->akey, ak);
		nla = nla_reserve(skb, XFRMA_ALG_AUTH_TRUNC, sizeof(*t) + ak);
		if (!nla)
			return -EMSGSIZE;
		t = nla_data(nla);
		memset(t, 0, sizeof(*t));
		strscpy(t->alg_name, sa->aalg->tfm, sizeof(t->alg_name));
		t->alg_key_len = ak * 8;
		t->alg_trunc_len = sa->aalg->icv_len * 8;
		memcpy(t->alg_key, sa->akey, ak);
	}
	if (sa->calg) {
		struct xfrm_algo *a;

		nla = nla_reserve(skb, XFRMA_ALG_COMP, sizeof(*a));
		if (!nla)
			return -EMSGSIZE;
		a = nla_data(nla);
		memset(a, 0, sizeof(*a));
		strscpy(a->alg_name, sa->calg->tfm, sizeof(a->alg_name));
	}
	return 0;
}

/* The replay state as xfrm_user shows it, the window's bitmap in XFRM's
 * layout (replay.h).
 */
int ipsec_xfrm_put_replay(struct sk_buff *skb, const struct ipsec_sa *sa)
{
	struct ipsec_replay *r = (struct ipsec_replay *)&sa->replay;
	u64 oseq = atomic64_read(&sa->oseq.next), top;
	struct nlattr *nla;

	if (ipsec_xfrm_replay_esn(sa)) {
		struct xfrm_replay_state_esn *e;
		unsigned int words = DIV_ROUND_UP(r->window, 32);

		nla = nla_reserve(skb, XFRMA_REPLAY_ESN_VAL,
				  sizeof(*e) + words * sizeof(u32));
		if (!nla)
			return -EMSGSIZE;
		e = nla_data(nla);
		memset(e, 0, sizeof(*e));
		top = ipsec_replay_export(r, e->bmp, NULL);
		e->bmp_len = words;
		e->oseq = lower_32_bits(oseq);
		e->oseq_hi = upper_32_bits(oseq);
		e->seq = lower_32_bits(top);
		e->seq_hi = upper_32_bits(top);
		e->replay_window = r->window;
	} else {
		struct xfrm_replay_state rs = {
			.oseq = lower_32_bits(oseq),
		};

		top = ipsec_replay_export(r, NULL, &rs.bitmap);
		rs.seq = lower_32_bits(top);
		if (nla_put(skb, XFRMA_REPLAY_VAL, sizeof(rs), &rs))
			return -EMSGSIZE;
	}
	return 0;
}

int ipsec_xfrm_sa_attrs(struct sk_buff *skb, const struct ipsec_sa *sa,
			unsigned int what)
{
	time64_t used = READ_ONCE(sa->use_time);
	int err;

	err = ipsec_xfrm_put_algs(skb, sa, what);
	if (err)
		return err;
	if (sa->natt_type) {
		struct xfrm_encap_tmpl e = {
			.encap_type = sa->natt_type,
			.encap_sport = sa->natt_sport,
			.encap_dport = sa->natt_dport,
			.encap_oa = sa->natt_oa,
		};

		if (nla_put(skb, XFRMA_ENCAP, sizeof(e), &e))
			return -EMSGSIZE;
	}
	if (ipsec_xfrm_mark_put(skb, &sa->mark))
		return -EMSGSIZE;
	if ((sa->smark.v || sa->smark.m) &&
	    (nla_put_u32(skb, XFRMA_SET_MARK, sa->smark.v) ||
	     nla_put_u32(skb, XFRMA_SET_MARK_MASK, sa->smark.m)))
		return -EMSGSIZE;
	if (ipsec_xfrm_if_id_put(skb, sa->rid.if_id))
		return -EMSGSIZE;
	if (sa->tfcpad && nla_put_u32(skb, XFRMA_TFCPAD, sa->tfcpad))
		return -EMSGSIZE;
	if (used && nla_put_u64_64bit(skb, XFRMA_LASTUSED, used, XFRMA_PAD))
		return -EMSGSIZE;
	return ipsec_xfrm_put_replay(skb, sa);
}

size_t ipsec_xfrm_sa_msg_len(const struct ipsec_sa *sa, unsigned int what)
{
	return nlmsg_total_size(sizeof(struct xfrm_usersa_info)) +
	       ipsec_xfrm_sa_attrs_len(sa, what);
}

/* An SA as a NEWSA/UPDSA-shaped message (replies, dumps, events). */
int ipsec_xfrm_sa_fill(struct sk_buff *skb, const struct ipsec_sa *sa,
		       u16 type, u32 portid, u32 seq, u16 flags,
		       unsigned int what)
{
	struct nlmsghdr *nlh;
	int err;

	nlh = nlmsg_put(skb, portid, seq, type, sizeof(struct xfrm_usersa_info),
			flags);
	if (!nlh)
		return -EMSGSIZE;
	ipsec_xfrm_sa_info(nlmsg_data(nlh), sa);
	err = ipsec_xfrm_sa_attrs(skb, sa, what);
	if (err) {
		nlmsg_cancel(skb, nlh);
		return err;
	}
	nlmsg_end(skb, nlh);
	return 0;
}
