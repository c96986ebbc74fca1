// SPDX-License-Identifier: GPL-2.0
/*
 * PF_KEY v2 message validation (RFC 2367).
 *
 * A message from userland is checked whole, once, before any handler sees
 * it: the base header (RFC 2367 2.2), then every extension (2.3) against
 * one table of per-extension-type rules, then the set of extensions
 * against one table of per-message-type rules (3.1). Nothing is
 * allocated, no length field is used before it has been bounded by the
 * bytes actually present, and no byte past the message is read.
 *
 * The extensions and values past RFC 2367 (SADB_X_*) follow KAME, as
 * used by strongSwan's kernel-pfkey plugin, ipsec-tools and Linux af_key.
 */
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipsec.h>
#include <linux/kernel.h>
#include <linux/pfkeyv2.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/types.h>

#include "pfkey_parse.h"

/* RFC 2367 2.2: every length is in 64-bit words. */
#define PFKEY_UNIT	8

/*
 * Per extension type. The length rule is applied first, in bytes with the
 * extension header included: at least @min; exactly @min when @exact;
 * @min plus a whole number of @elem-byte elements when @elem is set.
 * @check then looks at the contents; it may rely on the length rule.
 */
struct ipsec_pfkey_ext_rule {
	u16 min;
	u8 exact;
	u8 elem;
	int (*check)(const void *ext, size_t len);
};

/* Per message type; a type whose entry is all zero is refused. */
struct ipsec_pfkey_msg_rule {
	u32 required;		/* extension types, as BIT(type) */
	u32 allowed;		/* includes required */
	u8 flags;
};

/* The type is one userland may send. */
#define PFK_USER	BIT(0)
/* sadb_msg_errno may be set (RFC 2367 3.1.6: a failed ACQUIRE). */
#define PFK_ERRNO	BIT(1)
/* The policy must name a direction (inbound, outbound or forward). */
#define PFK_DIR		BIT(2)
/* The policy is being installed: IPSEC needs requests, others none. */
#define PFK_INSTALL	BIT(3)
/* MIGRATE: requests come in (old, new) pairs, each with endpoints. */
#define PFK_MIGRATE	BIT(4)
/* The base header alone; a longer message is a form we do not do. */
#define PFK_BARE	BIT(5)

static size_t ipsec_pfkey_salen(sa_family_t family)
{
	switch (family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	}
	return 0;
}

static unsigned int ipsec_pfkey_maxprefix(sa_family_t family)
{
	return family == AF_INET ? 32 : 128;
}

/*
 * One sockaddr at @p with @avail bytes left. Only AF_INET and AF_INET6
 * are implemented, and neither has sa_len on Linux, so the family alone
 * gives the length. Returns that length, or a negative errno.
 */
static int ipsec_pfkey_sockaddr(const u8 *p, size_t avail,
				sa_family_t *family)
{
	const struct sockaddr *sa = (const void *)p;
	size_t salen;

	if (avail < sizeof(sa->sa_family))
		return -EINVAL;
	salen = ipsec_pfkey_salen(sa->sa_family);
	if (!salen)
		return -EAFNOSUPPORT;
	if (avail < salen)
		return -EINVAL;
	*family = sa->sa_family;
	return salen;
}

/*
 * A KAME sockaddr pair (tunnel endpoints of an IPsec request, or the
 * addresses of SADB_X_EXT_KMADDRESS): source then destination, back to
 * back, of one family, after a @hdr-byte header, then padding up to a
 * multiple of 8 that must end exactly at @len so that nothing hides after
 * the pair.
 */
static int ipsec_pfkey_sockaddr_pair(const u8 *base, size_t hdr, size_t len)
{
	sa_family_t f1, f2;
	int l1, l2;

	l1 = ipsec_pfkey_sockaddr(base + hdr, len - hdr, &f1);
	if (l1 < 0)
		return l1;
	l2 = ipsec_pfkey_sockaddr(base + hdr + l1, len - hdr - l1, &f2);
	if (l2 < 0)
		return l2;
	if (f1 != f2)
		return -EINVAL;
	if (ALIGN(hdr + l1 + l2, PFKEY_UNIT) != len)
		return -EINVAL;
	return 0;
}

/*
 * RFC 2367 2.3.4: a sadb_address then one sockaddr padded to 64 bits.
 * The extension must be exactly that long: strongSwan, ipsec-tools and
 * af_key all build it so, and trailing bytes would be unchecked data.
 * Also used for SADB_X_EXT_NAT_T_OA, which has the same layout.
 */
static int ipsec_pfkey_check_address(const void *ext, size_t len)
{
	const struct sadb_address *a = ext;
	sa_family_t family;
	int salen;

	/* 2.3.4: "sadb_address_reserved ... MUST be zero" */
	if (a->sadb_address_reserved)
		return -EINVAL;
	salen = ipsec_pfkey_sockaddr((const u8 *)ext + sizeof(*a),
				     len - sizeof(*a), &family);
	if (salen < 0)
		return salen;
	if (ALIGN(sizeof(*a) + salen, PFKEY_UNIT) != len)
		return -EINVAL;
	if (a->sadb_address_prefixlen > ipsec_pfkey_maxprefix(family))
		return -EINVAL;
	return 0;
}

/*
 * RFC 2367 2.3.5: the key follows the header, padded to 64 bits; the
 * bits must fit in what follows the header. A zero-bit key is no key.
 */
static int ipsec_pfkey_check_key(const void *ext, size_t len)
{
	const struct sadb_key *k = ext;
	size_t bytes = DIV_ROUND_UP((size_t)k->sadb_key_bits, 8);

	if (k->sadb_key_reserved)
		return -EINVAL;
	if (!bytes || bytes > len - sizeof(*k))
		return -EINVAL;
	return 0;
}

/*
 * RFC 2367 2.3.6: an identity string may follow the header, "null
 * terminated" and padded. Handlers will treat it as a C string, so the
 * NUL must lie inside the extension. No string at all is fine (an
 * identity given by sadb_ident_id alone).
 */
static int ipsec_pfkey_check_ident(const void *ext, size_t len)
{
	const u8 *str = (const u8 *)ext + sizeof(struct sadb_ident);
	size_t n = len - sizeof(struct sadb_ident);

	if (n && !memchr(str, 0, n))
		return -EINVAL;
	return 0;
}

/* RFC 2367 2.3.7: MLS sensitivity labels are not implemented. */
static int ipsec_pfkey_refuse(const void *ext, size_t len)
{
	return -EOPNOTSUPP;
}

/* RFC 2367 2.3.9: the range is inclusive; an empty one is an error. */
static int ipsec_pfkey_check_spirange(const void *ext, size_t len)
{
	const struct sadb_spirange *r = ext;

	if (r->sadb_spirange_min > r->sadb_spirange_max)
		return -EINVAL;
	return 0;
}

/*
 * Modes as KAME defines them (<linux/ipsec.h>). BEET is a Linux XFRM
 * mode this stack does not implement: refused as unsupported rather
 * than as malformed, to tell the two apart.
 */
static int ipsec_pfkey_check_mode(u8 mode)
{
	switch (mode) {
	case IPSEC_MODE_ANY:
	case IPSEC_MODE_TRANSPORT:
	case IPSEC_MODE_TUNNEL:
		return 0;
	case IPSEC_MODE_BEET:
		return -EOPNOTSUPP;
	}
	return -EINVAL;
}

/*
 * One KAME sadb_x_ipsecrequest of @len bytes (already bounded by the
 * caller). A tunnel-mode request carries its endpoints; in other modes
 * the endpoints are optional (setkey's "esp/transport/a-b/require").
 */
static int ipsec_pfkey_check_request(const struct sadb_x_ipsecrequest *rq,
				     size_t len)
{
	int err;

	switch (rq->sadb_x_ipsecrequest_proto) {
	case IPPROTO_ESP:
	case IPPROTO_AH:
	case IPPROTO_COMP:
		break;
	default:
		return -EINVAL;
	}
	err = ipsec_pfkey_check_mode(rq->sadb_x_ipsecrequest_mode);
	if (err)
		return err;
	if (rq->sadb_x_ipsecrequest_level > IPSEC_LEVEL_UNIQUE)
		return -EINVAL;
	if (len == sizeof(*rq))
		return rq->sadb_x_ipsecrequest_mode == IPSEC_MODE_TUNNEL ?
		       -EINVAL : 0;
	return ipsec_pfkey_sockaddr_pair((const u8 *)rq, sizeof(*rq), len);
}

/*
 * KAME sadb_x_policy, then zero or more sadb_x_ipsecrequest whose length,
 * unlike every other PF_KEY length, is in bytes: each is bounded here
 * against what is left of the extension before it is looked at. Whether
 * requests must be present depends on the message (PFK_INSTALL); the
 * direction may be ANY here because SPDGET and SPDDELETE2 name the
 * policy by id (PFK_DIR).
 */
int ipsec_pfkey_check_policy(const void *ext, size_t len)
{
	const struct sadb_x_policy *pol = ext;
	size_t off = sizeof(*pol);
	int err;

	if (pol->sadb_x_policy_type > IPSEC_POLICY_BYPASS)
		return -EINVAL;
	if (pol->sadb_x_policy_dir > IPSEC_DIR_FWD)
		return -EINVAL;
	while (off < len) {
		const struct sadb_x_ipsecrequest *rq =
			(const void *)((const u8 *)ext + off);
		size_t rlen;

		if (len - off < sizeof(*rq))
			return -EINVAL;
		rlen = rq->sadb_x_ipsecrequest_len;
		if (rlen < sizeof(*rq) || rlen % PFKEY_UNIT || rlen > len - off)
			return -EINVAL;
		err = ipsec_pfkey_check_request(rq, rlen);
		if (err)
			return err;
		off += rlen;
	}
	return 0;
}

static int ipsec_pfkey_check_sa2(const void *ext, size_t len)
{
	const struct sadb_x_sa2 *sa2 = ext;

	return ipsec_pfkey_check_mode(sa2->sadb_x_sa2_mode);
}

/* KAME/Linux MIGRATE: the key manager's own addresses, as a pair. */
static int ipsec_pfkey_check_kmaddress(const void *ext, size_t len)
{
	return ipsec_pfkey_sockaddr_pair(ext, sizeof(struct sadb_x_kmaddress),
					 len);
}

/*
 * Linux's SADB_DUMP filter: a family and two prefixes; the addresses are
 * read later only up to the prefix lengths checked here.
 */
static int ipsec_pfkey_check_filter(const void *ext, size_t len)
{
	const struct sadb_x_filter *f = ext;
	unsigned int max;

	if (!ipsec_pfkey_salen(f->sadb_x_filter_family))
		return -EAFNOSUPPORT;
	max = ipsec_pfkey_maxprefix(f->sadb_x_filter_family);
	if (f->sadb_x_filter_splen > max || f->sadb_x_filter_dplen > max)
		return -EINVAL;
	return 0;
}

static const struct ipsec_pfkey_ext_rule ipsec_pfkey_ext_rules[] = {
	[SADB_EXT_SA] = { sizeof(struct sadb_sa), 1, 0, NULL },
	[SADB_EXT_LIFETIME_CURRENT] = { sizeof(struct sadb_lifetime), 1, 0,
					NULL },
	[SADB_EXT_LIFETIME_HARD] = { sizeof(struct sadb_lifetime), 1, 0,
				     NULL },
	[SADB_EXT_LIFETIME_SOFT] = { sizeof(struct sadb_lifetime), 1, 0,
				     NULL },
	[SADB_EXT_ADDRESS_SRC] = { sizeof(struct sadb_address), 0, 0,
				   ipsec_pfkey_check_address },
	[SADB_EXT_ADDRESS_DST] = { sizeof(struct sadb_address), 0, 0,
				   ipsec_pfkey_check_address },
	[SADB_EXT_ADDRESS_PROXY] = { sizeof(struct sadb_address), 0, 0,
				     ipsec_pfkey_check_address },
	[SADB_EXT_KEY_AUTH] = { sizeof(struct sadb_key), 0, 0,
				ipsec_pfkey_check_key },
	[SADB_EXT_KEY_ENCRYPT] = { sizeof(struct sadb_key), 0, 0,
				   ipsec_pfkey_check_key },
	[SADB_EXT_IDENTITY_SRC] = { sizeof(struct sadb_ident), 0, 0,
				    ipsec_pfkey_check_ident },
	[SADB_EXT_IDENTITY_DST] = { sizeof(struct sadb_ident), 0, 0,
				    ipsec_pfkey_check_ident },
	[SADB_EXT_SENSITIVITY] = { sizeof(struct sadb_sens), 0, 0,
				   ipsec_pfkey_refuse },
	/* 2.3.8: the header then whole sadb_comb structures */
	[SADB_EXT_PROPOSAL] = { sizeof(struct sadb_prop), 0,
				sizeof(struct sadb_comb), NULL },
	[SADB_EXT_SUPPORTED_AUTH] = { sizeof(struct sadb_supported), 0,
				      sizeof(struct sadb_alg), NULL },
	[SADB_EXT_SUPPORTED_ENCRYPT] = { sizeof(struct sadb_supported), 0,
					 sizeof(struct sadb_alg), NULL },
	[SADB_EXT_SPIRANGE] = { sizeof(struct sadb_spirange), 1, 0,
				ipsec_pfkey_check_spirange },
	/* opaque to the kernel, carried for the key manager */
	[SADB_X_EXT_KMPRIVATE] = { sizeof(struct sadb_x_kmprivate), 0, 0,
				   NULL },
	[SADB_X_EXT_POLICY] = { sizeof(struct sadb_x_policy), 0, 0,
				ipsec_pfkey_check_policy },
	[SADB_X_EXT_SA2] = { sizeof(struct sadb_x_sa2), 1, 0,
			     ipsec_pfkey_check_sa2 },
	[SADB_X_EXT_NAT_T_TYPE] = { sizeof(struct sadb_x_nat_t_type), 1, 0,
				    NULL },
	[SADB_X_EXT_NAT_T_SPORT] = { sizeof(struct sadb_x_nat_t_port), 1, 0,
				     NULL },
	[SADB_X_EXT_NAT_T_DPORT] = { sizeof(struct sadb_x_nat_t_port), 1, 0,
				     NULL },
	[SADB_X_EXT_NAT_T_OA] = { sizeof(struct sadb_address), 0, 0,
				  ipsec_pfkey_check_address },
	/* LSM security contexts are not implemented */
	[SADB_X_EXT_SEC_CTX] = { sizeof(struct sadb_x_sec_ctx), 0, 0,
				 ipsec_pfkey_refuse },
	[SADB_X_EXT_KMADDRESS] = { sizeof(struct sadb_x_kmaddress), 0, 0,
				   ipsec_pfkey_check_kmaddress },
	[SADB_X_EXT_FILTER] = { sizeof(struct sadb_x_filter), 1, 0,
				ipsec_pfkey_check_filter },
};

static_assert(ARRAY_SIZE(ipsec_pfkey_ext_rules) == SADB_EXT_MAX + 1);
static_assert(SADB_EXT_MAX < 32);	/* masks are u32 */

#define E_SA		BIT(SADB_EXT_SA)
#define E_LT_CUR	BIT(SADB_EXT_LIFETIME_CURRENT)
#define E_LT_HARD	BIT(SADB_EXT_LIFETIME_HARD)
#define E_LT_SOFT	BIT(SADB_EXT_LIFETIME_SOFT)
#define E_SRC		BIT(SADB_EXT_ADDRESS_SRC)
#define E_DST		BIT(SADB_EXT_ADDRESS_DST)
#define E_PROXY		BIT(SADB_EXT_ADDRESS_PROXY)
#define E_KEY_A		BIT(SADB_EXT_KEY_AUTH)
#define E_KEY_E		BIT(SADB_EXT_KEY_ENCRYPT)
#define E_ID_SRC	BIT(SADB_EXT_IDENTITY_SRC)
#define E_ID_DST	BIT(SADB_EXT_IDENTITY_DST)
#define E_SENS		BIT(SADB_EXT_SENSITIVITY)
#define E_PROP		BIT(SADB_EXT_PROPOSAL)
#define E_SPIRANGE	BIT(SADB_EXT_SPIRANGE)
#define E_KMPRIV	BIT(SADB_X_EXT_KMPRIVATE)
#define E_POLICY	BIT(SADB_X_EXT_POLICY)
#define E_SA2		BIT(SADB_X_EXT_SA2)
#define E_NAT_TYPE	BIT(SADB_X_EXT_NAT_T_TYPE)
#define E_NAT_SPORT	BIT(SADB_X_EXT_NAT_T_SPORT)
#define E_NAT_DPORT	BIT(SADB_X_EXT_NAT_T_DPORT)
#define E_NAT_OA	BIT(SADB_X_EXT_NAT_T_OA)
#define E_SEC_CTX	BIT(SADB_X_EXT_SEC_CTX)
#define E_KMADDR	BIT(SADB_X_EXT_KMADDRESS)
#define E_FILTER	BIT(SADB_X_EXT_FILTER)

/* RFC 2367 3.1.2/3.1.3, plus the KAME NAT-T and SA2 extensions */
#define E_SA_SET	(E_SA | E_LT_CUR | E_LT_HARD | E_LT_SOFT | E_SRC | \
			 E_DST | E_PROXY | E_KEY_A | E_KEY_E | E_ID_SRC | \
			 E_ID_DST | E_SENS | E_KMPRIV | E_SA2 | E_NAT_TYPE | \
			 E_NAT_SPORT | E_NAT_DPORT | E_NAT_OA | E_SEC_CTX)

/*
 * Types missing here (EXPIRE, X_PCHANGE, X_SPDACQUIRE, X_SPDSETIDX,
 * X_SPDEXPIRE, X_NAT_T_NEW_MAPPING) only ever go from the kernel to
 * userland (RFC 2367 3.1.7 for EXPIRE): receiving one is EOPNOTSUPP.
 */
static const struct ipsec_pfkey_msg_rule ipsec_pfkey_msg_rules[] = {
	/* 3.1.1: <base, address(SD), SPI range>; KAME adds SA2 (reqid) */
	[SADB_GETSPI] = { E_SRC | E_DST, E_SRC | E_DST | E_SPIRANGE | E_SA2,
			  PFK_USER },
	/* 3.1.2, 3.1.3: keys are optional here, the SA code decides */
	[SADB_UPDATE] = { E_SA | E_SRC | E_DST, E_SA_SET, PFK_USER },
	[SADB_ADD] = { E_SA | E_SRC | E_DST, E_SA_SET, PFK_USER },
	/*
	 * 3.1.4, 3.1.5: an SA is named by (dst, SPI, satype); the source
	 * is optional, as in af_key, for key managers that omit it.
	 */
	[SADB_DELETE] = { E_SA | E_DST, E_SA | E_SRC | E_DST, PFK_USER },
	[SADB_GET] = { E_SA | E_DST, E_SA | E_SRC | E_DST, PFK_USER },
	/*
	 * 3.1.6: a key manager answers an ACQUIRE it cannot satisfy with
	 * an ACQUIRE carrying sadb_msg_errno; it may echo the extensions.
	 */
	[SADB_ACQUIRE] = { 0, E_SRC | E_DST | E_PROXY | E_ID_SRC | E_ID_DST |
			   E_SENS | E_PROP | E_KMPRIV | E_POLICY | E_SA2,
			   PFK_USER | PFK_ERRNO },
	/* 3.1.7: <base> */
	[SADB_REGISTER] = { 0, 0, PFK_USER },
	/* 3.1.9, 3.1.10; Linux adds a dump filter */
	[SADB_FLUSH] = { 0, 0, PFK_USER },
	[SADB_DUMP] = { 0, E_FILTER, PFK_USER },
	/*
	 * KAME: <base> toggles promiscuous mode. KAME also accepts an
	 * embedded message to broadcast; that form is not implemented.
	 */
	[SADB_X_PROMISC] = { 0, 0, PFK_USER | PFK_BARE },
	[SADB_X_SPDUPDATE] = { E_SRC | E_DST | E_POLICY,
			       E_SRC | E_DST | E_POLICY | E_LT_HARD |
			       E_LT_SOFT | E_SEC_CTX,
			       PFK_USER | PFK_DIR | PFK_INSTALL },
	[SADB_X_SPDADD] = { E_SRC | E_DST | E_POLICY,
			    E_SRC | E_DST | E_POLICY | E_LT_HARD | E_LT_SOFT |
			    E_SEC_CTX,
			    PFK_USER | PFK_DIR | PFK_INSTALL },
	[SADB_X_SPDDELETE] = { E_SRC | E_DST | E_POLICY,
			       E_SRC | E_DST | E_POLICY | E_SEC_CTX,
			       PFK_USER | PFK_DIR },
	/* by policy id; strongSwan sends the selector addresses too */
	[SADB_X_SPDGET] = { E_POLICY, E_POLICY | E_SRC | E_DST, PFK_USER },
	[SADB_X_SPDDELETE2] = { E_POLICY, E_POLICY | E_SRC | E_DST,
				PFK_USER },
	[SADB_X_SPDDUMP] = { 0, 0, PFK_USER },
	[SADB_X_SPDFLUSH] = { 0, 0, PFK_USER },
	[SADB_X_MIGRATE] = { E_SRC | E_DST | E_POLICY,
			     E_SRC | E_DST | E_POLICY | E_KMADDR,
			     PFK_USER | PFK_DIR | PFK_MIGRATE },
};

static_assert(ARRAY_SIZE(ipsec_pfkey_msg_rules) == SADB_MAX + 1);

static const struct sockaddr *ipsec_pfkey_ext_addr(const void *ext)
{
	return (const void *)((const u8 *)ext + sizeof(struct sadb_address));
}

const struct sockaddr *ipsec_pfkey_addr(const struct ipsec_pfkey_msg *m,
					unsigned int type, u8 *prefixlen)
{
	const struct sadb_address *a;

	switch (type) {
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_EXT_ADDRESS_PROXY:
	case SADB_X_EXT_NAT_T_OA:
		break;
	default:
		return NULL;
	}
	a = ipsec_pfkey_ext(m, type);
	if (!a)
		return NULL;
	if (prefixlen)
		*prefixlen = a->sadb_address_prefixlen;
	return ipsec_pfkey_ext_addr(a);
}

const u8 *ipsec_pfkey_key(const struct ipsec_pfkey_msg *m, unsigned int type,
			  u16 *bits)
{
	const struct sadb_key *k;

	if (type != SADB_EXT_KEY_AUTH && type != SADB_EXT_KEY_ENCRYPT)
		return NULL;
	k = ipsec_pfkey_ext(m, type);
	if (!k)
		return NULL;
	*bits = k->sadb_key_bits;
	return (const u8 *)k + sizeof(*k);
}

const char *ipsec_pfkey_ident(const struct ipsec_pfkey_msg *m,
			      unsigned int type)
{
	const struct sadb_ident *id;
	const char *str;

	if (type != SADB_EXT_IDENTITY_SRC && type != SADB_EXT_IDENTITY_DST)
		return NULL;
	id = ipsec_pfkey_ext(m, type);
	if (!id || ipsec_pfkey_ext_bytes(id) == sizeof(*id))
		return NULL;
	str = (const char *)id + sizeof(*id);
	return *str ? str : NULL;
}

const struct sadb_x_ipsecrequest *
ipsec_pfkey_ipsecrequest_next(const struct sadb_x_policy *pol,
			      const struct sadb_x_ipsecrequest *prev)
{
	const u8 *end = (const u8 *)pol + ipsec_pfkey_ext_bytes(pol);
	const u8 *next;

	if (prev)
		next = (const u8 *)prev + prev->sadb_x_ipsecrequest_len;
	else
		next = (const u8 *)pol + sizeof(*pol);
	return next < end ? (const void *)next : NULL;
}

static void ipsec_pfkey_pair(const u8 *first, const struct sockaddr **src,
			     const struct sockaddr **dst)
{
	*src = (const void *)first;
	*dst = (const void *)(first + ipsec_pfkey_salen((*src)->sa_family));
}

void ipsec_pfkey_ipsecrequest_addrs(const struct sadb_x_ipsecrequest *rq,
				    const struct sockaddr **src,
				    const struct sockaddr **dst)
{
	if (rq->sadb_x_ipsecrequest_len == sizeof(*rq)) {
		*src = NULL;
		*dst = NULL;
		return;
	}
	ipsec_pfkey_pair((const u8 *)rq + sizeof(*rq), src, dst);
}

void ipsec_pfkey_kmaddress(const struct ipsec_pfkey_msg *m,
			   const struct sockaddr **local,
			   const struct sockaddr **remote)
{
	const u8 *km = ipsec_pfkey_ext(m, SADB_X_EXT_KMADDRESS);

	if (!km) {
		*local = NULL;
		*remote = NULL;
		return;
	}
	ipsec_pfkey_pair(km + sizeof(struct sadb_x_kmaddress), local, remote);
}

/*
 * RFC 2367 2.3: an extension header, bounded by the @avail bytes left in
 * the message, naming a known type. *@lenp receives its length in bytes.
 */
static int ipsec_pfkey_ext_hdr(const struct sadb_ext *ext, size_t avail,
			       size_t *lenp)
{
	size_t len;

	if (avail < sizeof(*ext))
		return -EINVAL;
	len = (size_t)ext->sadb_ext_len * PFKEY_UNIT;
	if (!len || len > avail)
		return -EINVAL;
	if (!ext->sadb_ext_type || ext->sadb_ext_type > SADB_EXT_MAX)
		return -EINVAL;
	*lenp = len;
	return 0;
}

/* The per-type rules on an extension of @len bytes. */
static int ipsec_pfkey_ext_body(const struct sadb_ext *ext, size_t len)
{
	const struct ipsec_pfkey_ext_rule *r;

	r = &ipsec_pfkey_ext_rules[ext->sadb_ext_type];
	if (len < r->min)
		return -EINVAL;
	if (r->exact && len != r->min)
		return -EINVAL;
	if (r->elem && (len - r->min) % r->elem)
		return -EINVAL;
	return r->check ? r->check(ext, len) : 0;
}

/* What depends on the message type as well as on the policy itself. */
static int ipsec_pfkey_check_msg_policy(const struct sadb_x_policy *pol,
					u8 flags)
{
	const struct sadb_x_ipsecrequest *rq = NULL;
	const struct sockaddr *src, *dst;
	unsigned int n = 0;

	if ((flags & PFK_DIR) && (pol->sadb_x_policy_dir < IPSEC_DIR_INBOUND ||
				  pol->sadb_x_policy_dir > IPSEC_DIR_FWD))
		return -EINVAL;
	while ((rq = ipsec_pfkey_ipsecrequest_next(pol, rq))) {
		if (flags & PFK_MIGRATE) {
			/* a migration names old and new endpoints */
			ipsec_pfkey_ipsecrequest_addrs(rq, &src, &dst);
			if (!src)
				return -EINVAL;
		}
		n++;
	}
	/*
	 * KAME: an IPSEC policy lists the transforms to apply, in order;
	 * discard, none, entrust and bypass apply none.
	 */
	if (flags & PFK_INSTALL) {
		if (pol->sadb_x_policy_type == IPSEC_POLICY_IPSEC ? !n : n)
			return -EINVAL;
	}
	if ((flags & PFK_MIGRATE) && (!n || n % 2))
		return -EINVAL;
	return 0;
}

static int ipsec_pfkey_same_family(const struct ipsec_pfkey_msg *m,
				   unsigned int type, sa_family_t family)
{
	const struct sockaddr *sa = ipsec_pfkey_addr(m, type, NULL);

	return !sa || sa->sa_family == family;
}

/* RFC 2367 3.1: the set of extensions each message type takes. */
static int ipsec_pfkey_check_msg(const struct ipsec_pfkey_msg *m,
				 const struct ipsec_pfkey_msg_rule *r,
				 u32 present)
{
	const struct sockaddr *src, *dst;
	const struct sadb_x_policy *pol;
	sa_family_t family = AF_UNSPEC;
	int err;

	if ((present & r->required) != r->required)
		return -EINVAL;

	/*
	 * 2.3.4: source, destination and proxy describe one flow (or one
	 * SA), which has one address family.
	 */
	src = ipsec_pfkey_addr(m, SADB_EXT_ADDRESS_SRC, NULL);
	dst = ipsec_pfkey_addr(m, SADB_EXT_ADDRESS_DST, NULL);
	if (src)
		family = src->sa_family;
	else if (dst)
		family = dst->sa_family;
	if (family != AF_UNSPEC &&
	    (!ipsec_pfkey_same_family(m, SADB_EXT_ADDRESS_DST, family) ||
	     !ipsec_pfkey_same_family(m, SADB_EXT_ADDRESS_PROXY, family)))
		return -EINVAL;

	pol = ipsec_pfkey_policy(m);
	if (pol) {
		err = ipsec_pfkey_check_msg_policy(pol, r->flags);
		if (err)
			return err;
	}
	return 0;
}

int ipsec_pfkey_parse(const void *buf, size_t len, struct ipsec_pfkey_msg *m)
{
	const struct ipsec_pfkey_msg_rule *r;
	const struct sadb_msg *hdr = buf;
	const u8 *p = buf;
	size_t off, elen;
	u32 present = 0;
	int err;

	memset(m, 0, sizeof(*m));

	/* 2.2: the base header, whose length counts the whole message */
	if (len < sizeof(*hdr))
		return -EINVAL;
	if (hdr->sadb_msg_version != PF_KEY_V2)
		return -EINVAL;
	if ((size_t)hdr->sadb_msg_len * PFKEY_UNIT != len)
		return -EINVAL;
	if (hdr->sadb_msg_reserved)
		return -EINVAL;
	/* 2.2: type 0 is SADB_RESERVED, malformed rather than unknown */
	if (hdr->sadb_msg_type == SADB_RESERVED)
		return -EINVAL;
	if (hdr->sadb_msg_type > SADB_MAX)
		return -EOPNOTSUPP;
	r = &ipsec_pfkey_msg_rules[hdr->sadb_msg_type];
	if (!(r->flags & PFK_USER))
		return -EOPNOTSUPP;
	/* 2.2: errno is set only by the sender of a reply */
	if (hdr->sadb_msg_errno && !(r->flags & PFK_ERRNO))
		return -EINVAL;
	if ((r->flags & PFK_BARE) && len != sizeof(*hdr))
		return -EOPNOTSUPP;

	/* 2.3: extensions follow back to back, each at most once */
	for (off = sizeof(*hdr); off < len; off += elen) {
		const struct sadb_ext *ext = (const void *)(p + off);
		u32 bit;

		err = ipsec_pfkey_ext_hdr(ext, len - off, &elen);
		if (err)
			goto fail;
		/*
		 * 2.3: "only one instance of an extension type" per message;
		 * one the message type does not take is refused before its
		 * contents are looked at.
		 */
		bit = BIT(ext->sadb_ext_type);
		if ((present & bit) || !(r->allowed & bit)) {
			err = -EINVAL;
			goto fail;
		}
		err = ipsec_pfkey_ext_body(ext, elen);
		if (err)
			goto fail;
		present |= bit;
		m->ext[ext->sadb_ext_type] = ext;
	}

	err = ipsec_pfkey_check_msg(m, r, present);
	if (err)
		goto fail;
	m->hdr = hdr;
	return 0;

fail:
	memset(m, 0, sizeof(*m));
	return err;
}
