// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of kmod/pfkey_parse.c in userland: one valid message of every
 * type userland may send, one message per validation rule checked for its
 * exact errno, the accessors, then random mutations of the valid messages
 * under ASan/UBSan, every accepted one re-walked independently.
 * KTAP on stdout. FUZZ_ITERS and FUZZ_SEED in the environment override
 * the defaults (200000 and a fixed seed).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/byteorder.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>

#include "pfkey_parse.h"

#define MB_MAX	4096
#define htonl(x)	__cpu_to_be32(x)
#define htons(x)	__cpu_to_be16(x)

struct mb {
	union {
		uint64_t align;
		uint8_t b[MB_MAX];
	} u;
	size_t len;
};

#define HDR(mb)		((struct sadb_msg *)(mb)->u.b)
#define AT(mb, off)	((void *)((mb)->u.b + (off)))

static void mb_start(struct mb *b, uint8_t type, uint8_t satype)
{
	memset(b, 0, sizeof(*b));
	HDR(b)->sadb_msg_version = PF_KEY_V2;
	HDR(b)->sadb_msg_type = type;
	HDR(b)->sadb_msg_satype = satype;
	HDR(b)->sadb_msg_seq = 42;
	HDR(b)->sadb_msg_pid = 4242;
	b->len = sizeof(struct sadb_msg);
}

static size_t mb_end(struct mb *b)
{
	HDR(b)->sadb_msg_len = b->len / 8;
	return b->len;
}

/* Append a zeroed extension of @bytes (rounded up to 8); its offset. */
static size_t mb_ext(struct mb *b, uint16_t type, size_t bytes)
{
	size_t off = b->len;
	struct sadb_ext *e = AT(b, off);

	bytes = (bytes + 7) & ~(size_t)7;
	if (off + bytes > MB_MAX)
		abort();
	memset(e, 0, bytes);
	e->sadb_ext_len = bytes / 8;
	e->sadb_ext_type = type;
	b->len += bytes;
	return off;
}

/* Write a sockaddr of @family at @p; returns its size. */
static size_t put_sa(void *p, int family, uint8_t last)
{
	if (family == AF_INET) {
		struct sockaddr_in *s = p;

		memset(s, 0, sizeof(*s));
		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(0xc0000200 | last);
		return sizeof(*s);
	}
	if (family == AF_INET6) {
		struct sockaddr_in6 *s = p;

		memset(s, 0, sizeof(*s));
		s->sin6_family = AF_INET6;
		s->sin6_addr.s6_addr[0] = 0x20;
		s->sin6_addr.s6_addr[1] = 0x01;
		s->sin6_addr.s6_addr[2] = 0x0d;
		s->sin6_addr.s6_addr[3] = 0xb8;
		s->sin6_addr.s6_addr[15] = last;
		return sizeof(*s);
	}
	/* an unsupported family, sized like sockaddr_in */
	memset(p, 0, 16);
	((struct sockaddr *)p)->sa_family = family;
	return 16;
}

static size_t mb_addr(struct mb *b, uint16_t type, int family, uint8_t plen)
{
	size_t salen = family == AF_INET6 ? sizeof(struct sockaddr_in6) : 16;
	size_t off = mb_ext(b, type, sizeof(struct sadb_address) + salen);
	struct sadb_address *a = AT(b, off);

	a->sadb_address_prefixlen = plen;
	put_sa((uint8_t *)a + sizeof(*a), family, type);
	return off;
}

static size_t mb_sa(struct mb *b)
{
	size_t off = mb_ext(b, SADB_EXT_SA, sizeof(struct sadb_sa));
	struct sadb_sa *sa = AT(b, off);

	sa->sadb_sa_spi = htonl(0x1000);
	sa->sadb_sa_replay = 32;
	sa->sadb_sa_auth = SADB_X_AALG_SHA2_256HMAC;
	sa->sadb_sa_encrypt = SADB_X_EALG_AESCBC;
	return off;
}

static size_t mb_key(struct mb *b, uint16_t type, uint16_t bits)
{
	size_t off = mb_ext(b, type, sizeof(struct sadb_key) + (bits + 7) / 8);
	struct sadb_key *k = AT(b, off);
	size_t i;

	k->sadb_key_bits = bits;
	for (i = 0; i < (bits + 7u) / 8; i++)
		((uint8_t *)(k + 1))[i] = i + 1;
	return off;
}

static size_t mb_ident(struct mb *b, uint16_t type, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 0;
	size_t off = mb_ext(b, type, sizeof(struct sadb_ident) + n);
	struct sadb_ident *id = AT(b, off);

	id->sadb_ident_type = SADB_IDENTTYPE_FQDN;
	if (s)
		memcpy(id + 1, s, n);
	return off;
}

static size_t mb_sa2(struct mb *b, uint8_t mode)
{
	size_t off = mb_ext(b, SADB_X_EXT_SA2, sizeof(struct sadb_x_sa2));
	struct sadb_x_sa2 *s = AT(b, off);

	s->sadb_x_sa2_mode = mode;
	s->sadb_x_sa2_reqid = 7;
	return off;
}

static size_t mb_spirange(struct mb *b, uint32_t min, uint32_t max)
{
	size_t off = mb_ext(b, SADB_EXT_SPIRANGE, sizeof(struct sadb_spirange));
	struct sadb_spirange *r = AT(b, off);

	r->sadb_spirange_min = min;
	r->sadb_spirange_max = max;
	return off;
}

static size_t mb_policy(struct mb *b, uint16_t type, uint8_t dir)
{
	size_t off = mb_ext(b, SADB_X_EXT_POLICY, sizeof(struct sadb_x_policy));
	struct sadb_x_policy *p = AT(b, off);

	p->sadb_x_policy_type = type;
	p->sadb_x_policy_dir = dir;
	p->sadb_x_policy_id = 8 + dir;
	return off;
}

/*
 * Append a request to the policy at @pol, which must be the last
 * extension; @family 0: no endpoints. Returns the request's offset.
 */
static size_t mb_request(struct mb *b, size_t pol, uint16_t proto,
			 uint8_t mode, uint8_t level, int family)
{
	size_t off = b->len, rlen = sizeof(struct sadb_x_ipsecrequest);
	struct sadb_x_ipsecrequest *rq = AT(b, off);
	struct sadb_x_policy *p = AT(b, pol);

	memset(rq, 0, 256);
	rq->sadb_x_ipsecrequest_proto = proto;
	rq->sadb_x_ipsecrequest_mode = mode;
	rq->sadb_x_ipsecrequest_level = level;
	rq->sadb_x_ipsecrequest_reqid = 7;
	if (family) {
		rlen += put_sa((uint8_t *)rq + rlen, family, 1);
		rlen += put_sa((uint8_t *)rq + rlen, family, 2);
	}
	rlen = (rlen + 7) & ~(size_t)7;
	rq->sadb_x_ipsecrequest_len = rlen;
	b->len += rlen;
	p->sadb_x_policy_len += rlen / 8;
	return off;
}

static size_t mb_pair_ext(struct mb *b, uint16_t type, size_t hdr, int f1,
			  int f2)
{
	uint8_t tmp[128];
	size_t n = 0, off;

	n += put_sa(tmp + n, f1, 1);
	n += put_sa(tmp + n, f2, 2);
	off = mb_ext(b, type, hdr + n);
	memcpy((uint8_t *)AT(b, off) + hdr, tmp, n);
	return off;
}

/* ---- valid messages ---- */

static size_t v_getspi4(struct mb *b)
{
	mb_start(b, SADB_GETSPI, SADB_SATYPE_ESP);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 32);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 32);
	mb_spirange(b, 0x100, 0xffffffff);
	mb_sa2(b, IPSEC_MODE_TUNNEL);
	return mb_end(b);
}

static size_t v_getspi6(struct mb *b)
{
	mb_start(b, SADB_GETSPI, SADB_SATYPE_AH);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET6, 128);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET6, 128);
	return mb_end(b);
}

static size_t v_update_full(struct mb *b)
{
	size_t off;

	mb_start(b, SADB_UPDATE, SADB_SATYPE_ESP);
	mb_sa(b);
	mb_ext(b, SADB_EXT_LIFETIME_CURRENT, sizeof(struct sadb_lifetime));
	mb_ext(b, SADB_EXT_LIFETIME_HARD, sizeof(struct sadb_lifetime));
	mb_ext(b, SADB_EXT_LIFETIME_SOFT, sizeof(struct sadb_lifetime));
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 32);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 32);
	mb_addr(b, SADB_EXT_ADDRESS_PROXY, AF_INET, 24);
	mb_key(b, SADB_EXT_KEY_AUTH, 256);
	mb_key(b, SADB_EXT_KEY_ENCRYPT, 125);
	mb_ident(b, SADB_EXT_IDENTITY_SRC, "left@example.org");
	mb_ident(b, SADB_EXT_IDENTITY_DST, NULL);
	mb_ext(b, SADB_X_EXT_KMPRIVATE, 24);
	mb_sa2(b, IPSEC_MODE_TRANSPORT);
	mb_ext(b, SADB_X_EXT_NAT_T_TYPE, sizeof(struct sadb_x_nat_t_type));
	off = mb_ext(b, SADB_X_EXT_NAT_T_SPORT,
		     sizeof(struct sadb_x_nat_t_port));
	((struct sadb_x_nat_t_port *)AT(b, off))->sadb_x_nat_t_port_port =
		htons(4500);
	mb_ext(b, SADB_X_EXT_NAT_T_DPORT, sizeof(struct sadb_x_nat_t_port));
	mb_addr(b, SADB_X_EXT_NAT_T_OA, AF_INET6, 0);
	return mb_end(b);
}

static size_t v_add6(struct mb *b)
{
	mb_start(b, SADB_ADD, SADB_X_SATYPE_IPCOMP);
	mb_sa(b);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET6, 128);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET6, 128);
	return mb_end(b);
}

static size_t v_add_keys(struct mb *b)
{
	mb_start(b, SADB_ADD, SADB_SATYPE_ESP);
	mb_sa(b);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 32);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 32);
	mb_key(b, SADB_EXT_KEY_ENCRYPT, 160);
	mb_ident(b, SADB_EXT_IDENTITY_DST, "");
	return mb_end(b);
}

static size_t v_delete(struct mb *b)
{
	mb_start(b, SADB_DELETE, SADB_SATYPE_ESP);
	mb_sa(b);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 32);
	return mb_end(b);
}

static size_t v_delete_src(struct mb *b)
{
	mb_start(b, SADB_DELETE, SADB_SATYPE_ESP);
	mb_sa(b);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET6, 128);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET6, 128);
	return mb_end(b);
}

static size_t v_get(struct mb *b)
{
	mb_start(b, SADB_GET, SADB_SATYPE_AH);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 32);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 32);
	mb_sa(b);
	return mb_end(b);
}

static size_t v_acquire_err(struct mb *b)
{
	mb_start(b, SADB_ACQUIRE, SADB_SATYPE_ESP);
	HDR(b)->sadb_msg_errno = ENOENT;
	return mb_end(b);
}

static size_t v_acquire_full(struct mb *b)
{
	mb_start(b, SADB_ACQUIRE, SADB_SATYPE_ESP);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 32);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 32);
	mb_ident(b, SADB_EXT_IDENTITY_SRC, NULL);
	mb_ext(b, SADB_EXT_PROPOSAL, sizeof(struct sadb_prop) +
	       2 * sizeof(struct sadb_comb));
	return mb_end(b);
}

static size_t v_register(struct mb *b)
{
	mb_start(b, SADB_REGISTER, SADB_SATYPE_ESP);
	return mb_end(b);
}

static size_t v_flush(struct mb *b)
{
	mb_start(b, SADB_FLUSH, SADB_SATYPE_UNSPEC);
	return mb_end(b);
}

static size_t v_dump(struct mb *b)
{
	mb_start(b, SADB_DUMP, SADB_SATYPE_UNSPEC);
	return mb_end(b);
}

static size_t v_dump_filter(struct mb *b)
{
	size_t off;
	struct sadb_x_filter *f;

	mb_start(b, SADB_DUMP, SADB_SATYPE_ESP);
	off = mb_ext(b, SADB_X_EXT_FILTER, sizeof(struct sadb_x_filter));
	f = AT(b, off);
	f->sadb_x_filter_family = AF_INET6;
	f->sadb_x_filter_splen = 64;
	f->sadb_x_filter_dplen = 128;
	return mb_end(b);
}

static size_t v_promisc(struct mb *b)
{
	mb_start(b, SADB_X_PROMISC, 1);
	return mb_end(b);
}

static size_t v_spdupdate_tunnel(struct mb *b)
{
	size_t pol;

	mb_start(b, SADB_X_SPDUPDATE, SADB_SATYPE_UNSPEC);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 24);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 16);
	pol = mb_policy(b, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND);
	mb_request(b, pol, IPPROTO_COMP, IPSEC_MODE_TUNNEL,
		   IPSEC_LEVEL_REQUIRE, AF_INET6);
	mb_request(b, pol, IPPROTO_ESP, IPSEC_MODE_TUNNEL,
		   IPSEC_LEVEL_UNIQUE, AF_INET);
	return mb_end(b);
}

static size_t v_spdadd_transport(struct mb *b)
{
	size_t pol;

	mb_start(b, SADB_X_SPDADD, SADB_SATYPE_UNSPEC);
	mb_ext(b, SADB_EXT_LIFETIME_HARD, sizeof(struct sadb_lifetime));
	pol = mb_policy(b, IPSEC_POLICY_IPSEC, IPSEC_DIR_INBOUND);
	mb_request(b, pol, IPPROTO_AH, IPSEC_MODE_TRANSPORT,
		   IPSEC_LEVEL_USE, 0);
	mb_request(b, pol, IPPROTO_ESP, IPSEC_MODE_ANY,
		   IPSEC_LEVEL_DEFAULT, AF_INET6);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET6, 64);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET6, 0);
	return mb_end(b);
}

static size_t v_spdadd_discard(struct mb *b)
{
	mb_start(b, SADB_X_SPDADD, SADB_SATYPE_UNSPEC);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 0);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 0);
	mb_policy(b, IPSEC_POLICY_DISCARD, IPSEC_DIR_FWD);
	return mb_end(b);
}

static size_t v_spddelete(struct mb *b)
{
	mb_start(b, SADB_X_SPDDELETE, SADB_SATYPE_UNSPEC);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 24);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 24);
	mb_policy(b, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND);
	return mb_end(b);
}

static size_t v_spdget(struct mb *b)
{
	mb_start(b, SADB_X_SPDGET, SADB_SATYPE_UNSPEC);
	mb_policy(b, IPSEC_POLICY_IPSEC, IPSEC_DIR_ANY);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 24);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 24);
	return mb_end(b);
}

static size_t v_spddelete2(struct mb *b)
{
	mb_start(b, SADB_X_SPDDELETE2, SADB_SATYPE_UNSPEC);
	mb_policy(b, IPSEC_POLICY_NONE, IPSEC_DIR_ANY);
	return mb_end(b);
}

static size_t v_spddump(struct mb *b)
{
	mb_start(b, SADB_X_SPDDUMP, SADB_SATYPE_UNSPEC);
	return mb_end(b);
}

static size_t v_spdflush(struct mb *b)
{
	mb_start(b, SADB_X_SPDFLUSH, SADB_SATYPE_UNSPEC);
	return mb_end(b);
}

static size_t v_migrate(struct mb *b)
{
	size_t pol;

	mb_start(b, SADB_X_MIGRATE, SADB_SATYPE_UNSPEC);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET6, 64);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET6, 64);
	mb_pair_ext(b, SADB_X_EXT_KMADDRESS, sizeof(struct sadb_x_kmaddress),
		    AF_INET6, AF_INET6);
	pol = mb_policy(b, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND);
	mb_request(b, pol, IPPROTO_ESP, IPSEC_MODE_TUNNEL,
		   IPSEC_LEVEL_REQUIRE, AF_INET);
	mb_request(b, pol, IPPROTO_ESP, IPSEC_MODE_TUNNEL,
		   IPSEC_LEVEL_REQUIRE, AF_INET6);
	return mb_end(b);
}

/* ---- one message per rule ---- */

/* header */
static size_t e_short(struct mb *b)
{
	v_flush(b);
	return 8;
}

static size_t e_empty(struct mb *b)
{
	v_flush(b);
	return 0;
}

static size_t e_version(struct mb *b)
{
	size_t n = v_flush(b);

	HDR(b)->sadb_msg_version = 1;
	return n;
}

static size_t e_msglen_big(struct mb *b)
{
	size_t n = v_delete(b);

	HDR(b)->sadb_msg_len++;
	return n;
}

static size_t e_msglen_small(struct mb *b)
{
	size_t n = v_delete(b);

	HDR(b)->sadb_msg_len--;
	return n;
}

static size_t e_len_odd(struct mb *b)
{
	v_flush(b);
	HDR(b)->sadb_msg_len = 3;
	return 20;
}

static size_t e_reserved(struct mb *b)
{
	size_t n = v_flush(b);

	HDR(b)->sadb_msg_reserved = 1;
	return n;
}

static size_t e_type0(struct mb *b)
{
	size_t n = v_flush(b);

	HDR(b)->sadb_msg_type = SADB_RESERVED;
	return n;
}

static size_t e_type25(struct mb *b)
{
	size_t n = v_flush(b);

	HDR(b)->sadb_msg_type = SADB_MAX + 1;
	return n;
}

static size_t e_type255(struct mb *b)
{
	size_t n = v_flush(b);

	HDR(b)->sadb_msg_type = 255;
	return n;
}

static size_t settype(struct mb *b, uint8_t type)
{
	size_t n = v_flush(b);

	HDR(b)->sadb_msg_type = type;
	return n;
}

static size_t e_expire(struct mb *b)
{
	return settype(b, SADB_EXPIRE);
}

static size_t e_pchange(struct mb *b)
{
	return settype(b, SADB_X_PCHANGE);
}

static size_t e_spdacquire(struct mb *b)
{
	return settype(b, SADB_X_SPDACQUIRE);
}

static size_t e_spdsetidx(struct mb *b)
{
	return settype(b, SADB_X_SPDSETIDX);
}

static size_t e_spdexpire(struct mb *b)
{
	return settype(b, SADB_X_SPDEXPIRE);
}

static size_t e_new_mapping(struct mb *b)
{
	return settype(b, SADB_X_NAT_T_NEW_MAPPING);
}

static size_t e_errno(struct mb *b)
{
	size_t n = v_add6(b);

	HDR(b)->sadb_msg_errno = EINVAL;
	return n;
}

static size_t e_errno_flush(struct mb *b)
{
	size_t n = v_flush(b);

	HDR(b)->sadb_msg_errno = 1;
	return n;
}

static size_t e_promisc_payload(struct mb *b)
{
	v_promisc(b);
	mb_ext(b, SADB_EXT_SA, 16);
	return mb_end(b);
}

/* extension walk */
static size_t e_ext_len0(struct mb *b)
{
	size_t off;

	v_delete(b);
	off = mb_ext(b, SADB_EXT_ADDRESS_SRC, 8);
	((struct sadb_ext *)AT(b, off))->sadb_ext_len = 0;
	return mb_end(b);
}

static size_t e_ext_len_over(struct mb *b)
{
	size_t n = v_delete(b);

	/* the last extension (DST) claims one word more than is left */
	((struct sadb_ext *)AT(b, 32))->sadb_ext_len++;
	return n;
}

static size_t e_ext_len_huge(struct mb *b)
{
	size_t n = v_delete(b);

	((struct sadb_ext *)AT(b, 16))->sadb_ext_len = 0xffff;
	return n;
}

static size_t e_ext_type0(struct mb *b)
{
	v_delete(b);
	mb_ext(b, SADB_EXT_RESERVED, 8);
	return mb_end(b);
}

static size_t e_ext_type27(struct mb *b)
{
	v_delete(b);
	mb_ext(b, SADB_EXT_MAX + 1, 8);
	return mb_end(b);
}

static size_t e_ext_dup(struct mb *b)
{
	v_delete(b);
	mb_sa(b);
	return mb_end(b);
}

static size_t e_ext_dup_dst(struct mb *b)
{
	v_delete(b);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 32);
	return mb_end(b);
}

static size_t e_ext_notallowed(struct mb *b)
{
	v_add6(b);
	mb_spirange(b, 1, 2);
	return mb_end(b);
}

static size_t e_ext_flush_sa(struct mb *b)
{
	v_flush(b);
	mb_sa(b);
	return mb_end(b);
}

static size_t e_supported(struct mb *b)
{
	v_register(b);
	mb_ext(b, SADB_EXT_SUPPORTED_AUTH, 8 + 2 * sizeof(struct sadb_alg));
	return mb_end(b);
}

/* per type */
static size_t e_sa_len(struct mb *b)
{
	v_delete(b);
	HDR(b)->sadb_msg_type = SADB_GET;
	b->len = 16;
	mb_ext(b, SADB_EXT_SA, 24);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 32);
	return mb_end(b);
}

static size_t e_lifetime_short(struct mb *b)
{
	v_add6(b);
	mb_ext(b, SADB_EXT_LIFETIME_HARD, 24);
	return mb_end(b);
}

static size_t e_lifetime_long(struct mb *b)
{
	v_add6(b);
	mb_ext(b, SADB_EXT_LIFETIME_SOFT, 40);
	return mb_end(b);
}

static size_t add_with(struct mb *b, int sfam, int dfam)
{
	mb_start(b, SADB_ADD, SADB_SATYPE_ESP);
	mb_sa(b);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, sfam, 0);
	mb_addr(b, SADB_EXT_ADDRESS_DST, dfam, 0);
	return mb_end(b);
}

static size_t e_addr_family(struct mb *b)
{
	return add_with(b, AF_UNIX, AF_UNIX);
}

static size_t e_addr_family0(struct mb *b)
{
	return add_with(b, AF_INET, AF_UNSPEC);
}

static size_t e_addr_prefix4(struct mb *b)
{
	size_t n = add_with(b, AF_INET, AF_INET);

	((struct sadb_address *)AT(b, 32))->sadb_address_prefixlen = 33;
	return n;
}

static size_t e_addr_prefix6(struct mb *b)
{
	size_t n = add_with(b, AF_INET6, AF_INET6);

	((struct sadb_address *)AT(b, 32))->sadb_address_prefixlen = 129;
	return n;
}

static size_t e_addr_reserved(struct mb *b)
{
	size_t n = add_with(b, AF_INET, AF_INET);

	((struct sadb_address *)AT(b, 32))->sadb_address_reserved = 1;
	return n;
}

static size_t e_addr_short6(struct mb *b)
{
	size_t n = add_with(b, AF_INET, AF_INET);

	/* the src now claims AF_INET6 but has room for a sockaddr_in */
	((struct sockaddr *)AT(b, 40))->sa_family = AF_INET6;
	return n;
}

static size_t e_addr_trailing(struct mb *b)
{
	size_t off;

	mb_start(b, SADB_ADD, SADB_SATYPE_ESP);
	mb_sa(b);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 32);
	off = mb_ext(b, SADB_EXT_ADDRESS_DST, 8 + 16 + 8);
	put_sa((uint8_t *)AT(b, off) + 8, AF_INET, 1);
	return mb_end(b);
}

static size_t e_addr_bare(struct mb *b)
{
	mb_start(b, SADB_ADD, SADB_SATYPE_ESP);
	mb_sa(b);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 32);
	mb_ext(b, SADB_EXT_ADDRESS_DST, 8);
	return mb_end(b);
}

static size_t e_addr_mixed(struct mb *b)
{
	return add_with(b, AF_INET, AF_INET6);
}

static size_t e_proxy_mixed(struct mb *b)
{
	add_with(b, AF_INET, AF_INET);
	mb_addr(b, SADB_EXT_ADDRESS_PROXY, AF_INET6, 0);
	return mb_end(b);
}

static size_t e_key_bits0(struct mb *b)
{
	size_t off;

	v_add6(b);
	off = mb_key(b, SADB_EXT_KEY_AUTH, 64);
	((struct sadb_key *)AT(b, off))->sadb_key_bits = 0;
	return mb_end(b);
}

static size_t e_key_bits_over(struct mb *b)
{
	size_t off;

	v_add6(b);
	off = mb_key(b, SADB_EXT_KEY_ENCRYPT, 64);
	((struct sadb_key *)AT(b, off))->sadb_key_bits = 65;
	return mb_end(b);
}

static size_t v_key_bits_exact(struct mb *b)
{
	v_add6(b);
	mb_key(b, SADB_EXT_KEY_ENCRYPT, 64);
	return mb_end(b);
}

static size_t e_key_reserved(struct mb *b)
{
	size_t off;

	v_add6(b);
	off = mb_key(b, SADB_EXT_KEY_AUTH, 128);
	((struct sadb_key *)AT(b, off))->sadb_key_reserved = 1;
	return mb_end(b);
}

static size_t e_key_bare(struct mb *b)
{
	size_t off;

	v_add6(b);
	off = mb_ext(b, SADB_EXT_KEY_AUTH, 8);
	((struct sadb_key *)AT(b, off))->sadb_key_bits = 8;
	return mb_end(b);
}

static size_t e_ident_nonul(struct mb *b)
{
	size_t off;

	v_add6(b);
	off = mb_ident(b, SADB_EXT_IDENTITY_SRC, "1234567");
	((char *)AT(b, off))[16 + 7] = 'x';
	return mb_end(b);
}

static size_t e_ident_short(struct mb *b)
{
	v_add6(b);
	mb_ext(b, SADB_EXT_IDENTITY_DST, 8);
	return mb_end(b);
}

static size_t e_sens(struct mb *b)
{
	v_add6(b);
	mb_ext(b, SADB_EXT_SENSITIVITY, sizeof(struct sadb_sens));
	return mb_end(b);
}

static size_t e_prop_len(struct mb *b)
{
	v_acquire_full(b);
	mb_ext(b, SADB_EXT_PROPOSAL, 8);	/* duplicate would be EINVAL */
	b->len = 16;
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 32);
	mb_ext(b, SADB_EXT_PROPOSAL, 8 + sizeof(struct sadb_comb) + 8);
	return mb_end(b);
}

static size_t e_spirange_order(struct mb *b)
{
	v_getspi6(b);
	mb_spirange(b, 0x2000, 0x1fff);
	return mb_end(b);
}

static size_t v_spirange_one(struct mb *b)
{
	v_getspi6(b);
	mb_spirange(b, 0x2000, 0x2000);
	return mb_end(b);
}

static size_t e_spirange_len(struct mb *b)
{
	v_getspi6(b);
	mb_ext(b, SADB_EXT_SPIRANGE, 24);
	return mb_end(b);
}

static size_t spd_pol;	/* offset of the policy spd() appended */

static size_t spd(struct mb *b, uint8_t msg, uint16_t type, uint8_t dir)
{
	mb_start(b, msg, SADB_SATYPE_UNSPEC);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 24);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 24);
	spd_pol = mb_policy(b, type, dir);
	return spd_pol;
}

static size_t e_pol_type(struct mb *b)
{
	spd(b, SADB_X_SPDADD, IPSEC_POLICY_BYPASS + 1, IPSEC_DIR_INBOUND);
	return mb_end(b);
}

static size_t v_pol_bypass(struct mb *b)
{
	spd(b, SADB_X_SPDADD, IPSEC_POLICY_BYPASS, IPSEC_DIR_INBOUND);
	return mb_end(b);
}

static size_t e_pol_dir(struct mb *b)
{
	spd(b, SADB_X_SPDGET, IPSEC_POLICY_NONE, IPSEC_DIR_MAX);
	return mb_end(b);
}

static size_t e_pol_dir_any(struct mb *b)
{
	spd(b, SADB_X_SPDADD, IPSEC_POLICY_NONE, IPSEC_DIR_ANY);
	return mb_end(b);
}

static size_t e_pol_dir_any_del(struct mb *b)
{
	spd(b, SADB_X_SPDDELETE, IPSEC_POLICY_NONE, IPSEC_DIR_ANY);
	return mb_end(b);
}

static size_t e_pol_ipsec_noreq(struct mb *b)
{
	spd(b, SADB_X_SPDUPDATE, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND);
	return mb_end(b);
}

static size_t e_pol_discard_req(struct mb *b)
{
	size_t pol = spd(b, SADB_X_SPDADD, IPSEC_POLICY_DISCARD,
			 IPSEC_DIR_OUTBOUND);

	mb_request(b, pol, IPPROTO_ESP, IPSEC_MODE_TRANSPORT,
		   IPSEC_LEVEL_REQUIRE, 0);
	return mb_end(b);
}

/* a one-request IPSEC policy whose request the caller then breaks */
static struct sadb_x_ipsecrequest *spd_req(struct mb *b, uint8_t mode,
					   int family)
{
	size_t pol = spd(b, SADB_X_SPDADD, IPSEC_POLICY_IPSEC,
			 IPSEC_DIR_OUTBOUND);
	size_t rq = mb_request(b, pol, IPPROTO_ESP, mode,
			       IPSEC_LEVEL_REQUIRE, family);

	mb_end(b);
	return AT(b, rq);
}

static size_t e_req_len_short(struct mb *b)
{
	spd_req(b, IPSEC_MODE_TRANSPORT, 0)->sadb_x_ipsecrequest_len = 8;
	return b->len;
}

static size_t e_req_len0(struct mb *b)
{
	spd_req(b, IPSEC_MODE_TRANSPORT, 0)->sadb_x_ipsecrequest_len = 0;
	return b->len;
}

static size_t e_req_len_odd(struct mb *b)
{
	spd_req(b, IPSEC_MODE_TUNNEL, AF_INET)->sadb_x_ipsecrequest_len = 44;
	return b->len;
}

static size_t e_req_len_over(struct mb *b)
{
	spd_req(b, IPSEC_MODE_TRANSPORT, 0)->sadb_x_ipsecrequest_len = 24;
	return b->len;
}

static size_t e_req_proto(struct mb *b)
{
	spd_req(b, IPSEC_MODE_TRANSPORT, 0)->sadb_x_ipsecrequest_proto =
		IPPROTO_UDP;
	return b->len;
}

static size_t e_req_mode_beet(struct mb *b)
{
	spd_req(b, IPSEC_MODE_BEET, 0);
	return b->len;
}

static size_t e_req_mode(struct mb *b)
{
	spd_req(b, 7, 0);
	return b->len;
}

static size_t e_req_level(struct mb *b)
{
	spd_req(b, IPSEC_MODE_TRANSPORT, 0)->sadb_x_ipsecrequest_level =
		IPSEC_LEVEL_UNIQUE + 1;
	return b->len;
}

static size_t e_req_tunnel_noaddr(struct mb *b)
{
	spd_req(b, IPSEC_MODE_TUNNEL, 0);
	return b->len;
}

static size_t e_req_tunnel_mixed(struct mb *b)
{
	struct sadb_x_ipsecrequest *rq = spd_req(b, IPSEC_MODE_TUNNEL,
						 AF_INET);

	/* 16 + 16 + 16 = 48: make the dst a sockaddr_in6; 60 -> 64 */
	put_sa((uint8_t *)rq + 32, AF_INET6, 2);
	rq->sadb_x_ipsecrequest_len = 64;
	((struct sadb_x_policy *)AT(b, spd_pol))->sadb_x_policy_len += 2;
	b->len += 16;
	return mb_end(b);
}

static size_t e_req_tunnel_family(struct mb *b)
{
	spd_req(b, IPSEC_MODE_TUNNEL, AF_UNIX);
	return b->len;
}

static size_t e_req_tunnel_pad(struct mb *b)
{
	struct sadb_x_ipsecrequest *rq = spd_req(b, IPSEC_MODE_TUNNEL,
						 AF_INET);

	rq->sadb_x_ipsecrequest_len += 8;
	((struct sadb_x_policy *)AT(b, spd_pol))->sadb_x_policy_len += 1;
	b->len += 8;
	return mb_end(b);
}

static size_t e_req_tunnel_short(struct mb *b)
{
	struct sadb_x_ipsecrequest *rq = spd_req(b, IPSEC_MODE_TUNNEL,
						 AF_INET);

	/* room for only one sockaddr_in */
	rq->sadb_x_ipsecrequest_len -= 16;
	((struct sadb_x_policy *)AT(b, spd_pol))->sadb_x_policy_len -= 2;
	b->len -= 16;
	return mb_end(b);
}

static size_t e_pol_trailing(struct mb *b)
{
	spd_req(b, IPSEC_MODE_TRANSPORT, 0);
	((struct sadb_x_policy *)AT(b, spd_pol))->sadb_x_policy_len += 1;
	b->len += 8;
	return mb_end(b);
}

static size_t e_pol_short(struct mb *b)
{
	spd(b, SADB_X_SPDADD, IPSEC_POLICY_NONE, IPSEC_DIR_INBOUND);
	((struct sadb_x_policy *)AT(b, spd_pol))->sadb_x_policy_len = 1;
	b->len -= 8;
	return mb_end(b);
}

static size_t e_sa2_mode(struct mb *b)
{
	v_add6(b);
	mb_sa2(b, 9);
	return mb_end(b);
}

static size_t e_sa2_beet(struct mb *b)
{
	v_add6(b);
	mb_sa2(b, IPSEC_MODE_BEET);
	return mb_end(b);
}

static size_t e_sa2_len(struct mb *b)
{
	v_add6(b);
	mb_ext(b, SADB_X_EXT_SA2, 24);
	return mb_end(b);
}

static size_t e_natt_type_len(struct mb *b)
{
	v_add6(b);
	mb_ext(b, SADB_X_EXT_NAT_T_TYPE, 16);
	return mb_end(b);
}

static size_t e_natt_sport_len(struct mb *b)
{
	v_add6(b);
	mb_ext(b, SADB_X_EXT_NAT_T_SPORT, 16);
	return mb_end(b);
}

static size_t e_natt_dport_len(struct mb *b)
{
	v_add6(b);
	mb_ext(b, SADB_X_EXT_NAT_T_DPORT, 16);
	return mb_end(b);
}

static size_t e_natt_oa_family(struct mb *b)
{
	v_add6(b);
	mb_addr(b, SADB_X_EXT_NAT_T_OA, AF_UNIX, 0);
	return mb_end(b);
}

static size_t e_natt_oa_prefix(struct mb *b)
{
	v_add6(b);
	mb_addr(b, SADB_X_EXT_NAT_T_OA, AF_INET, 40);
	return mb_end(b);
}

static size_t e_sec_ctx(struct mb *b)
{
	v_spdadd_discard(b);
	mb_ext(b, SADB_X_EXT_SEC_CTX, 16);
	return mb_end(b);
}

static size_t migrate_km(struct mb *b, int f1, int f2)
{
	v_spdget(b);
	HDR(b)->sadb_msg_type = SADB_X_MIGRATE;
	((struct sadb_x_policy *)AT(b, 16))->sadb_x_policy_dir =
		IPSEC_DIR_INBOUND;
	b->len = 16;
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 24);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 24);
	{
		size_t pol = mb_policy(b, IPSEC_POLICY_IPSEC,
				       IPSEC_DIR_INBOUND);

		mb_request(b, pol, IPPROTO_AH, IPSEC_MODE_TUNNEL,
			   IPSEC_LEVEL_USE, AF_INET);
		mb_request(b, pol, IPPROTO_AH, IPSEC_MODE_TUNNEL,
			   IPSEC_LEVEL_USE, AF_INET);
	}
	if (f1)
		mb_pair_ext(b, SADB_X_EXT_KMADDRESS,
			    sizeof(struct sadb_x_kmaddress), f1, f2);
	return mb_end(b);
}

static size_t v_migrate4(struct mb *b)
{
	return migrate_km(b, AF_INET, AF_INET);
}

static size_t v_migrate_nokm(struct mb *b)
{
	return migrate_km(b, 0, 0);
}

static size_t e_kmaddr_mixed(struct mb *b)
{
	return migrate_km(b, AF_INET, AF_INET6);
}

static size_t e_kmaddr_family(struct mb *b)
{
	return migrate_km(b, AF_UNIX, AF_UNIX);
}

static size_t e_kmaddr_one(struct mb *b)
{
	size_t off;

	migrate_km(b, 0, 0);
	off = mb_ext(b, SADB_X_EXT_KMADDRESS, 8 + 16);
	put_sa((uint8_t *)AT(b, off) + 8, AF_INET, 1);
	return mb_end(b);
}

/* the first address overruns the message: nothing past it may be read */
static size_t e_kmaddr_trunc(struct mb *b)
{
	size_t off;

	migrate_km(b, 0, 0);
	off = mb_ext(b, SADB_X_EXT_KMADDRESS, 8 + 16);
	put_sa((uint8_t *)AT(b, off) + 8, AF_INET, 1);
	((struct sockaddr *)AT(b, off + 8))->sa_family = AF_INET6;
	return mb_end(b);
}

static size_t e_migrate_odd(struct mb *b)
{
	size_t pol;

	mb_start(b, SADB_X_MIGRATE, SADB_SATYPE_UNSPEC);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 24);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 24);
	pol = mb_policy(b, IPSEC_POLICY_IPSEC, IPSEC_DIR_INBOUND);
	mb_request(b, pol, IPPROTO_ESP, IPSEC_MODE_TUNNEL,
		   IPSEC_LEVEL_USE, AF_INET);
	return mb_end(b);
}

static size_t e_migrate_noaddr(struct mb *b)
{
	size_t pol;

	mb_start(b, SADB_X_MIGRATE, SADB_SATYPE_UNSPEC);
	mb_addr(b, SADB_EXT_ADDRESS_SRC, AF_INET, 24);
	mb_addr(b, SADB_EXT_ADDRESS_DST, AF_INET, 24);
	pol = mb_policy(b, IPSEC_POLICY_IPSEC, IPSEC_DIR_INBOUND);
	mb_request(b, pol, IPPROTO_ESP, IPSEC_MODE_TRANSPORT,
		   IPSEC_LEVEL_USE, 0);
	mb_request(b, pol, IPPROTO_ESP, IPSEC_MODE_TUNNEL,
		   IPSEC_LEVEL_USE, AF_INET);
	return mb_end(b);
}

static size_t filter(struct mb *b, int family, int splen, size_t bytes)
{
	size_t off;
	struct sadb_x_filter *f;

	mb_start(b, SADB_DUMP, SADB_SATYPE_ESP);
	off = mb_ext(b, SADB_X_EXT_FILTER, bytes);
	f = AT(b, off);
	f->sadb_x_filter_family = family;
	f->sadb_x_filter_splen = splen;
	return mb_end(b);
}

static size_t e_filter_family(struct mb *b)
{
	return filter(b, AF_UNIX, 0, sizeof(struct sadb_x_filter));
}

static size_t e_filter_prefix(struct mb *b)
{
	return filter(b, AF_INET, 33, sizeof(struct sadb_x_filter));
}

static size_t e_filter_len(struct mb *b)
{
	return filter(b, AF_INET, 8, sizeof(struct sadb_x_filter) + 8);
}

/* missing required extensions: a valid message minus one extension */
static size_t drop_ext(struct mb *b, size_t (*build)(struct mb *),
		       uint16_t type)
{
	size_t off = 16;

	build(b);
	while (off < b->len) {
		struct sadb_ext *e = AT(b, off);
		size_t n = e->sadb_ext_len * 8;

		if (e->sadb_ext_type == type) {
			memmove(e, (uint8_t *)e + n, b->len - off - n);
			b->len -= n;
			break;
		}
		off += n;
	}
	return mb_end(b);
}

#define DROP(name, build, type)				\
static size_t name(struct mb *b)			\
{							\
	return drop_ext(b, build, type);		\
}

DROP(m_getspi_src, v_getspi4, SADB_EXT_ADDRESS_SRC)
DROP(m_getspi_dst, v_getspi4, SADB_EXT_ADDRESS_DST)
DROP(m_update_sa, v_update_full, SADB_EXT_SA)
DROP(m_update_dst, v_update_full, SADB_EXT_ADDRESS_DST)
DROP(m_add_sa, v_add6, SADB_EXT_SA)
DROP(m_add_src, v_add6, SADB_EXT_ADDRESS_SRC)
DROP(m_add_dst, v_add6, SADB_EXT_ADDRESS_DST)
DROP(m_delete_sa, v_delete, SADB_EXT_SA)
DROP(m_delete_dst, v_delete, SADB_EXT_ADDRESS_DST)
DROP(m_get_sa, v_get, SADB_EXT_SA)
DROP(m_get_dst, v_get, SADB_EXT_ADDRESS_DST)
DROP(m_spdadd_src, v_spdadd_discard, SADB_EXT_ADDRESS_SRC)
DROP(m_spdadd_dst, v_spdadd_discard, SADB_EXT_ADDRESS_DST)
DROP(m_spdadd_pol, v_spdadd_discard, SADB_X_EXT_POLICY)
DROP(m_spdupdate_pol, v_spdupdate_tunnel, SADB_X_EXT_POLICY)
DROP(m_spddelete_src, v_spddelete, SADB_EXT_ADDRESS_SRC)
DROP(m_spddelete_dst, v_spddelete, SADB_EXT_ADDRESS_DST)
DROP(m_spddelete_pol, v_spddelete, SADB_X_EXT_POLICY)
DROP(m_spdget_pol, v_spdget, SADB_X_EXT_POLICY)
DROP(m_spddelete2_pol, v_spddelete2, SADB_X_EXT_POLICY)
DROP(m_migrate_src, v_migrate, SADB_EXT_ADDRESS_SRC)
DROP(m_migrate_dst, v_migrate, SADB_EXT_ADDRESS_DST)
DROP(m_migrate_pol, v_migrate, SADB_X_EXT_POLICY)
/* optional ones really are */
DROP(o_getspi_spirange, v_getspi4, SADB_EXT_SPIRANGE)
DROP(o_migrate_km, v_migrate, SADB_X_EXT_KMADDRESS)
DROP(o_spdget_src, v_spdget, SADB_EXT_ADDRESS_SRC)

struct tcase {
	const char *desc;
	size_t (*build)(struct mb *b);
	int want;
	int seed;		/* a valid message to start the fuzzer from */
};

static const struct tcase cases[] = {
	{ "valid GETSPI v4 with SPIRANGE and SA2", v_getspi4, 0, 1 },
	{ "valid GETSPI v6 minimal", v_getspi6, 0, 1 },
	{ "valid UPDATE with every optional extension", v_update_full, 0, 1 },
	{ "valid ADD v6 minimal (IPComp)", v_add6, 0, 1 },
	{ "valid ADD with key and empty identity string", v_add_keys, 0, 1 },
	{ "valid DELETE SA+DST", v_delete, 0, 1 },
	{ "valid DELETE SA+SRC+DST v6", v_delete_src, 0, 1 },
	{ "valid GET", v_get, 0, 1 },
	{ "valid ACQUIRE reply carrying an errno", v_acquire_err, 0, 1 },
	{ "valid ACQUIRE with addresses and proposal", v_acquire_full, 0, 1 },
	{ "valid REGISTER", v_register, 0, 1 },
	{ "valid FLUSH", v_flush, 0, 1 },
	{ "valid DUMP", v_dump, 0, 1 },
	{ "valid DUMP with X_FILTER", v_dump_filter, 0, 1 },
	{ "valid X_PROMISC", v_promisc, 0, 1 },
	{ "valid X_SPDUPDATE tunnel requests", v_spdupdate_tunnel, 0, 1 },
	{ "valid X_SPDADD transport requests", v_spdadd_transport, 0, 1 },
	{ "valid X_SPDADD discard", v_spdadd_discard, 0, 1 },
	{ "valid X_SPDADD bypass", v_pol_bypass, 0, 0 },
	{ "valid X_SPDDELETE", v_spddelete, 0, 1 },
	{ "valid X_SPDGET by id, dir any", v_spdget, 0, 1 },
	{ "valid X_SPDDELETE2", v_spddelete2, 0, 1 },
	{ "valid X_SPDDUMP", v_spddump, 0, 1 },
	{ "valid X_SPDFLUSH", v_spdflush, 0, 1 },
	{ "valid X_MIGRATE v6 with KMADDRESS", v_migrate, 0, 1 },
	{ "valid X_MIGRATE v4 with KMADDRESS", v_migrate4, 0, 1 },
	{ "valid X_MIGRATE without KMADDRESS", v_migrate_nokm, 0, 0 },
	{ "valid key bits filling the key exactly", v_key_bits_exact, 0, 0 },
	{ "valid SPIRANGE of one SPI", v_spirange_one, 0, 0 },
	{ "valid GETSPI without SPIRANGE", o_getspi_spirange, 0, 0 },
	{ "valid MIGRATE without KMADDRESS (dropped)", o_migrate_km, 0, 0 },
	{ "valid X_SPDGET without SRC", o_spdget_src, 0, 0 },

	{ "len 8 < sadb_msg: EINVAL", e_short, -EINVAL },
	{ "len 0: EINVAL", e_empty, -EINVAL },
	{ "version 1: EINVAL", e_version, -EINVAL },
	{ "sadb_msg_len one word too many: EINVAL", e_msglen_big, -EINVAL },
	{ "sadb_msg_len one word short: EINVAL", e_msglen_small, -EINVAL },
	{ "len not a multiple of 8: EINVAL", e_len_odd, -EINVAL },
	{ "sadb_msg_reserved set: EINVAL", e_reserved, -EINVAL },
	{ "type SADB_RESERVED: EINVAL", e_type0, -EINVAL },
	{ "type SADB_MAX+1: EOPNOTSUPP", e_type25, -EOPNOTSUPP },
	{ "type 255: EOPNOTSUPP", e_type255, -EOPNOTSUPP },
	{ "EXPIRE from userland: EOPNOTSUPP", e_expire, -EOPNOTSUPP },
	{ "X_PCHANGE: EOPNOTSUPP", e_pchange, -EOPNOTSUPP },
	{ "X_SPDACQUIRE: EOPNOTSUPP", e_spdacquire, -EOPNOTSUPP },
	{ "X_SPDSETIDX: EOPNOTSUPP", e_spdsetidx, -EOPNOTSUPP },
	{ "X_SPDEXPIRE: EOPNOTSUPP", e_spdexpire, -EOPNOTSUPP },
	{ "X_NAT_T_NEW_MAPPING: EOPNOTSUPP", e_new_mapping, -EOPNOTSUPP },
	{ "errno set in ADD: EINVAL", e_errno, -EINVAL },
	{ "errno set in FLUSH: EINVAL", e_errno_flush, -EINVAL },
	{ "X_PROMISC with a payload: EOPNOTSUPP", e_promisc_payload,
	  -EOPNOTSUPP },

	{ "sadb_ext_len 0: EINVAL", e_ext_len0, -EINVAL },
	{ "sadb_ext_len past the message: EINVAL", e_ext_len_over, -EINVAL },
	{ "sadb_ext_len 0xffff: EINVAL", e_ext_len_huge, -EINVAL },
	{ "extension type 0: EINVAL", e_ext_type0, -EINVAL },
	{ "extension type SADB_EXT_MAX+1: EINVAL", e_ext_type27, -EINVAL },
	{ "duplicate SA: EINVAL", e_ext_dup, -EINVAL },
	{ "duplicate ADDRESS_DST: EINVAL", e_ext_dup_dst, -EINVAL },
	{ "SPIRANGE in ADD: EINVAL", e_ext_notallowed, -EINVAL },
	{ "SA in FLUSH: EINVAL", e_ext_flush_sa, -EINVAL },
	{ "SUPPORTED_AUTH from userland: EINVAL", e_supported, -EINVAL },

	{ "SA of 24 bytes: EINVAL", e_sa_len, -EINVAL },
	{ "LIFETIME_HARD of 24 bytes: EINVAL", e_lifetime_short, -EINVAL },
	{ "LIFETIME_SOFT of 40 bytes: EINVAL", e_lifetime_long, -EINVAL },
	{ "address family AF_UNIX: EAFNOSUPPORT", e_addr_family,
	  -EAFNOSUPPORT },
	{ "address family AF_UNSPEC: EAFNOSUPPORT", e_addr_family0,
	  -EAFNOSUPPORT },
	{ "AF_INET prefixlen 33: EINVAL", e_addr_prefix4, -EINVAL },
	{ "AF_INET6 prefixlen 129: EINVAL", e_addr_prefix6, -EINVAL },
	{ "sadb_address_reserved set: EINVAL", e_addr_reserved, -EINVAL },
	{ "AF_INET6 in an address sized for AF_INET: EINVAL", e_addr_short6,
	  -EINVAL },
	{ "address with 8 trailing bytes: EINVAL", e_addr_trailing, -EINVAL },
	{ "address without sockaddr: EINVAL", e_addr_bare, -EINVAL },
	{ "SRC v4, DST v6: EINVAL", e_addr_mixed, -EINVAL },
	{ "PROXY v6 with v4 SRC/DST: EINVAL", e_proxy_mixed, -EINVAL },
	{ "key bits 0: EINVAL", e_key_bits0, -EINVAL },
	{ "key bits beyond the extension: EINVAL", e_key_bits_over, -EINVAL },
	{ "sadb_key_reserved set: EINVAL", e_key_reserved, -EINVAL },
	{ "key header without key: EINVAL", e_key_bare, -EINVAL },
	{ "identity without NUL: EINVAL", e_ident_nonul, -EINVAL },
	{ "identity shorter than sadb_ident: EINVAL", e_ident_short,
	  -EINVAL },
	{ "SENSITIVITY: EOPNOTSUPP", e_sens, -EOPNOTSUPP },
	{ "PROPOSAL not a whole number of combs: EINVAL", e_prop_len,
	  -EINVAL },
	{ "SPIRANGE min > max: EINVAL", e_spirange_order, -EINVAL },
	{ "SPIRANGE of 24 bytes: EINVAL", e_spirange_len, -EINVAL },
	{ "policy type BYPASS+1: EINVAL", e_pol_type, -EINVAL },
	{ "policy dir IPSEC_DIR_MAX: EINVAL", e_pol_dir, -EINVAL },
	{ "policy dir ANY in SPDADD: EINVAL", e_pol_dir_any, -EINVAL },
	{ "policy dir ANY in SPDDELETE: EINVAL", e_pol_dir_any_del, -EINVAL },
	{ "IPSEC policy without request in SPDUPDATE: EINVAL",
	  e_pol_ipsec_noreq, -EINVAL },
	{ "DISCARD policy with a request: EINVAL", e_pol_discard_req,
	  -EINVAL },
	{ "request len 8: EINVAL", e_req_len_short, -EINVAL },
	{ "request len 0: EINVAL", e_req_len0, -EINVAL },
	{ "request len not a multiple of 8: EINVAL", e_req_len_odd, -EINVAL },
	{ "request len past the policy: EINVAL", e_req_len_over, -EINVAL },
	{ "request proto UDP: EINVAL", e_req_proto, -EINVAL },
	{ "request mode BEET: EOPNOTSUPP", e_req_mode_beet, -EOPNOTSUPP },
	{ "request mode 7: EINVAL", e_req_mode, -EINVAL },
	{ "request level UNIQUE+1: EINVAL", e_req_level, -EINVAL },
	{ "tunnel request without endpoints: EINVAL", e_req_tunnel_noaddr,
	  -EINVAL },
	{ "tunnel endpoints of two families: EINVAL", e_req_tunnel_mixed,
	  -EINVAL },
	{ "tunnel endpoints AF_UNIX: EAFNOSUPPORT", e_req_tunnel_family,
	  -EAFNOSUPPORT },
	{ "tunnel request with 8 bytes too many: EINVAL", e_req_tunnel_pad,
	  -EINVAL },
	{ "tunnel request with one endpoint: EINVAL", e_req_tunnel_short,
	  -EINVAL },
	{ "8 bytes after the last request: EINVAL", e_pol_trailing, -EINVAL },
	{ "policy extension of 8 bytes: EINVAL", e_pol_short, -EINVAL },
	{ "SA2 mode 9: EINVAL", e_sa2_mode, -EINVAL },
	{ "SA2 mode BEET: EOPNOTSUPP", e_sa2_beet, -EOPNOTSUPP },
	{ "SA2 of 24 bytes: EINVAL", e_sa2_len, -EINVAL },
	{ "NAT_T_TYPE of 16 bytes: EINVAL", e_natt_type_len, -EINVAL },
	{ "NAT_T_SPORT of 16 bytes: EINVAL", e_natt_sport_len, -EINVAL },
	{ "NAT_T_DPORT of 16 bytes: EINVAL", e_natt_dport_len, -EINVAL },
	{ "NAT_T_OA AF_UNIX: EAFNOSUPPORT", e_natt_oa_family, -EAFNOSUPPORT },
	{ "NAT_T_OA AF_INET prefixlen 40: EINVAL", e_natt_oa_prefix,
	  -EINVAL },
	{ "X_SEC_CTX: EOPNOTSUPP", e_sec_ctx, -EOPNOTSUPP },
	{ "KMADDRESS of two families: EINVAL", e_kmaddr_mixed, -EINVAL },
	{ "KMADDRESS AF_UNIX: EAFNOSUPPORT", e_kmaddr_family, -EAFNOSUPPORT },
	{ "KMADDRESS with one address: EINVAL", e_kmaddr_one, -EINVAL },
	{ "KMADDRESS AF_INET6 cut short at the end: EINVAL", e_kmaddr_trunc,
	  -EINVAL },
	{ "MIGRATE with an odd number of requests: EINVAL", e_migrate_odd,
	  -EINVAL },
	{ "MIGRATE request without endpoints: EINVAL", e_migrate_noaddr,
	  -EINVAL },
	{ "X_FILTER AF_UNIX: EAFNOSUPPORT", e_filter_family, -EAFNOSUPPORT },
	{ "X_FILTER AF_INET splen 33: EINVAL", e_filter_prefix, -EINVAL },
	{ "X_FILTER of 48 bytes: EINVAL", e_filter_len, -EINVAL },

	{ "GETSPI without SRC: EINVAL", m_getspi_src, -EINVAL },
	{ "GETSPI without DST: EINVAL", m_getspi_dst, -EINVAL },
	{ "UPDATE without SA: EINVAL", m_update_sa, -EINVAL },
	{ "UPDATE without DST: EINVAL", m_update_dst, -EINVAL },
	{ "ADD without SA: EINVAL", m_add_sa, -EINVAL },
	{ "ADD without SRC: EINVAL", m_add_src, -EINVAL },
	{ "ADD without DST: EINVAL", m_add_dst, -EINVAL },
	{ "DELETE without SA: EINVAL", m_delete_sa, -EINVAL },
	{ "DELETE without DST: EINVAL", m_delete_dst, -EINVAL },
	{ "GET without SA: EINVAL", m_get_sa, -EINVAL },
	{ "GET without DST: EINVAL", m_get_dst, -EINVAL },
	{ "X_SPDADD without SRC: EINVAL", m_spdadd_src, -EINVAL },
	{ "X_SPDADD without DST: EINVAL", m_spdadd_dst, -EINVAL },
	{ "X_SPDADD without POLICY: EINVAL", m_spdadd_pol, -EINVAL },
	{ "X_SPDUPDATE without POLICY: EINVAL", m_spdupdate_pol, -EINVAL },
	{ "X_SPDDELETE without SRC: EINVAL", m_spddelete_src, -EINVAL },
	{ "X_SPDDELETE without DST: EINVAL", m_spddelete_dst, -EINVAL },
	{ "X_SPDDELETE without POLICY: EINVAL", m_spddelete_pol, -EINVAL },
	{ "X_SPDGET without POLICY: EINVAL", m_spdget_pol, -EINVAL },
	{ "X_SPDDELETE2 without POLICY: EINVAL", m_spddelete2_pol, -EINVAL },
	{ "X_MIGRATE without SRC: EINVAL", m_migrate_src, -EINVAL },
	{ "X_MIGRATE without DST: EINVAL", m_migrate_dst, -EINVAL },
	{ "X_MIGRATE without POLICY: EINVAL", m_migrate_pol, -EINVAL },
};

#define NCASES		(sizeof(cases) / sizeof(cases[0]))
#define NEXTRA		3	/* accessors, m cleared on error, fuzz */

static int failures;
static unsigned int testno;

static void result(int ok, const char *desc)
{
	testno++;
	if (!ok)
		failures++;
	printf("%sok %u %s\n", ok ? "" : "not ", testno, desc);
	fflush(stdout);
}

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "0";
	case -EINVAL:
		return "-EINVAL";
	case -EOPNOTSUPP:
		return "-EOPNOTSUPP";
	case -EAFNOSUPPORT:
		return "-EAFNOSUPPORT";
	}
	return "other";
}

/* Parse from a heap copy of exactly @len bytes, so ASan sees over-reads. */
static int parse_exact(const void *msg, size_t len, struct ipsec_pfkey_msg *m,
		       void **copy)
{
	void *buf = malloc(len ? len : 1);

	if (!buf)
		abort();
	memcpy(buf, msg, len);
	*copy = buf;
	return ipsec_pfkey_parse(buf, len, m);
}

/*
 * An independent re-walk of an accepted message: every extension within
 * the message, known, unique and recorded in @m, and nothing recorded in
 * @m that the walk did not find. Then every accessor is exercised and the
 * bytes it vouches for are read (ASan catches any overrun).
 */
static int rewalk(const uint8_t *buf, size_t len,
		  const struct ipsec_pfkey_msg *m)
{
	const struct sadb_msg *h = (const void *)buf;
	unsigned int seen = 0, t, found = 0;
	size_t off = sizeof(*h);
	volatile unsigned int sink = 0;

	if (len < sizeof(*h) || m->hdr != (const void *)buf ||
	    h->sadb_msg_len * 8u != len || h->sadb_msg_version != PF_KEY_V2)
		return 0;
	while (off < len) {
		const struct sadb_ext *e = (const void *)(buf + off);
		size_t n;

		if (len - off < sizeof(*e))
			return 0;
		n = e->sadb_ext_len * 8u;
		t = e->sadb_ext_type;
		if (!n || n > len - off || !t || t > SADB_EXT_MAX)
			return 0;
		if (seen & (1u << t) || m->ext[t] != e)
			return 0;
		seen |= 1u << t;
		off += n;
	}
	if (off != len)
		return 0;
	for (t = 0; t <= SADB_EXT_MAX; t++) {
		if (m->ext[t])
			found |= 1u << t;
	}
	if (found != seen)
		return 0;

	for (t = SADB_EXT_ADDRESS_SRC; t <= SADB_X_EXT_NAT_T_OA; t++) {
		const struct sockaddr *sa;
		uint8_t plen = 0;

		sa = ipsec_pfkey_addr(m, t, &plen);
		if (!sa)
			continue;
		if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *s4 = (const void *)sa;

			sink += s4->sin_addr.s_addr + plen;
			if (plen > 32)
				return 0;
		} else if (sa->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const void *)sa;

			sink += s6->sin6_scope_id + s6->sin6_addr.s6_addr[15];
			if (plen > 128)
				return 0;
		} else {
			return 0;
		}
	}
	for (t = SADB_EXT_KEY_AUTH; t <= SADB_EXT_KEY_ENCRYPT; t++) {
		uint16_t bits = 0;
		const uint8_t *k = ipsec_pfkey_key(m, t, &bits);
		unsigned int i;

		if (!k)
			continue;
		if (!bits)
			return 0;
		for (i = 0; i < (bits + 7u) / 8; i++)
			sink += k[i];
	}
	for (t = SADB_EXT_IDENTITY_SRC; t <= SADB_EXT_IDENTITY_DST; t++) {
		const char *s = ipsec_pfkey_ident(m, t);

		if (s)
			sink += strlen(s);
	}
	if (ipsec_pfkey_policy(m)) {
		const struct sadb_x_policy *pol = ipsec_pfkey_policy(m);
		const struct sadb_x_ipsecrequest *rq = NULL;

		while ((rq = ipsec_pfkey_ipsecrequest_next(pol, rq))) {
			const struct sockaddr *s, *d;

			ipsec_pfkey_ipsecrequest_addrs(rq, &s, &d);
			if (!s != !d)
				return 0;
			if (s && (s->sa_family != d->sa_family ||
				  (s->sa_family != AF_INET &&
				   s->sa_family != AF_INET6)))
				return 0;
			if (s && s->sa_family == AF_INET6)
				sink += ((const struct sockaddr_in6 *)d)
					->sin6_scope_id;
			if (s && s->sa_family == AF_INET)
				sink += ((const struct sockaddr_in *)d)
					->sin_addr.s_addr;
		}
	}
	if (m->ext[SADB_X_EXT_KMADDRESS]) {
		const struct sockaddr *l, *r;

		ipsec_pfkey_kmaddress(m, &l, &r);
		if (!l || !r || l->sa_family != r->sa_family)
			return 0;
		if (r->sa_family == AF_INET6)
			sink += ((const struct sockaddr_in6 *)r)->sin6_scope_id;
	}
	(void)sink;
	return 1;
}

static int test_accessors(void)
{
	struct ipsec_pfkey_msg m;
	struct mb b;
	const struct sockaddr *s, *d;
	const struct sadb_x_ipsecrequest *rq;
	const uint8_t *k;
	uint16_t bits;
	uint8_t plen;
	size_t len;
	int n;

	len = v_update_full(&b);
	if (ipsec_pfkey_parse(b.u.b, len, &m))
		return 0;
	if (m.hdr != (void *)b.u.b || !ipsec_pfkey_sa(&m) ||
	    ipsec_pfkey_sa(&m)->sadb_sa_spi != htonl(0x1000))
		return 0;
	s = ipsec_pfkey_addr(&m, SADB_EXT_ADDRESS_PROXY, &plen);
	if (!s || s->sa_family != AF_INET || plen != 24)
		return 0;
	s = ipsec_pfkey_addr(&m, SADB_X_EXT_NAT_T_OA, NULL);
	if (!s || s->sa_family != AF_INET6)
		return 0;
	if (ipsec_pfkey_addr(&m, SADB_EXT_SA, &plen))
		return 0;
	k = ipsec_pfkey_key(&m, SADB_EXT_KEY_ENCRYPT, &bits);
	if (!k || bits != 125 || k[0] != 1 || k[15] != 16)
		return 0;
	if (ipsec_pfkey_key(&m, SADB_EXT_SA, &bits))
		return 0;
	if (!ipsec_pfkey_ident(&m, SADB_EXT_IDENTITY_SRC) ||
	    strcmp(ipsec_pfkey_ident(&m, SADB_EXT_IDENTITY_SRC),
		   "left@example.org") ||
	    ipsec_pfkey_ident(&m, SADB_EXT_IDENTITY_DST))
		return 0;
	if (!ipsec_pfkey_lifetime(&m, SADB_EXT_LIFETIME_SOFT) ||
	    ipsec_pfkey_lifetime(&m, SADB_EXT_SA))
		return 0;
	if (!ipsec_pfkey_nat_t_port(&m, SADB_X_EXT_NAT_T_SPORT) ||
	    ipsec_pfkey_nat_t_port(&m, SADB_X_EXT_NAT_T_SPORT)
		    ->sadb_x_nat_t_port_port != htons(4500) ||
	    ipsec_pfkey_nat_t_port(&m, SADB_X_EXT_NAT_T_TYPE))
		return 0;
	if (!ipsec_pfkey_nat_t_type(&m) || !ipsec_pfkey_sa2(&m) ||
	    ipsec_pfkey_sa2(&m)->sadb_x_sa2_reqid != 7 ||
	    ipsec_pfkey_policy(&m) || ipsec_pfkey_ext(&m, SADB_EXT_MAX + 1))
		return 0;

	len = v_spdupdate_tunnel(&b);
	if (ipsec_pfkey_parse(b.u.b, len, &m) || !ipsec_pfkey_policy(&m))
		return 0;
	n = 0;
	rq = NULL;
	while ((rq = ipsec_pfkey_ipsecrequest_next(ipsec_pfkey_policy(&m),
						   rq))) {
		ipsec_pfkey_ipsecrequest_addrs(rq, &s, &d);
		if (!s || !d || s->sa_family != (n ? AF_INET : AF_INET6) ||
		    s->sa_family != d->sa_family)
			return 0;
		if (n == 0 && ((const struct sockaddr_in6 *)d)
				->sin6_addr.s6_addr[15] != 2)
			return 0;
		n++;
	}
	if (n != 2)
		return 0;

	len = v_spdadd_transport(&b);
	if (ipsec_pfkey_parse(b.u.b, len, &m))
		return 0;
	rq = ipsec_pfkey_ipsecrequest_next(ipsec_pfkey_policy(&m), NULL);
	ipsec_pfkey_ipsecrequest_addrs(rq, &s, &d);
	if (s || d)
		return 0;

	len = v_migrate(&b);
	if (ipsec_pfkey_parse(b.u.b, len, &m))
		return 0;
	ipsec_pfkey_kmaddress(&m, &s, &d);
	if (!s || !d || d->sa_family != AF_INET6 ||
	    ((const struct sockaddr_in6 *)d)->sin6_addr.s6_addr[15] != 2)
		return 0;
	len = v_dump_filter(&b);
	if (ipsec_pfkey_parse(b.u.b, len, &m) || !ipsec_pfkey_filter(&m))
		return 0;
	ipsec_pfkey_kmaddress(&m, &s, &d);
	return !s && !d;
}

static int test_cleared(void)
{
	struct ipsec_pfkey_msg m;
	struct mb b;
	size_t len = e_ext_dup_dst(&b);
	unsigned int t;

	memset(&m, 0xa5, sizeof(m));
	if (ipsec_pfkey_parse(b.u.b, len, &m) != -EINVAL || m.hdr)
		return 0;
	for (t = 0; t <= SADB_EXT_MAX; t++) {
		if (m.ext[t])
			return 0;
	}
	return 1;
}

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void mutate(uint8_t *buf, size_t *lenp)
{
	size_t len = *lenp, off;
	struct sadb_msg *h = (void *)buf;

	switch (rnd() % 10) {
	case 0:		/* bit flip anywhere */
	case 1:
		if (len)
			buf[rnd() % len] ^= 1u << (rnd() % 8);
		break;
	case 2:		/* a random byte */
		if (len)
			buf[rnd() % len] = rnd();
		break;
	case 3:		/* a 16-bit field (length, type) at a word boundary */
		if (len >= 8) {
			off = (rnd() % (len / 8)) * 8 + (rnd() % 2) * 2;
			buf[off] = rnd() % 2 ? rnd() : rnd() % 8;
			buf[off + 1] = rnd() % 4 ? 0 : rnd();
		}
		break;
	case 4:		/* a small value in a 16-bit field anywhere */
		if (len >= 2) {
			off = (rnd() % (len / 2)) * 2;
			buf[off] = rnd() % 64;
			buf[off + 1] = 0;
		}
		break;
	case 5:		/* truncate, keeping sadb_msg_len consistent */
		if (len >= 16) {
			len = 16 + (rnd() % ((len - 16) / 8 + 1)) * 8;
			h->sadb_msg_len = len / 8;
		}
		break;
	case 6:		/* truncate anywhere, header untouched */
		if (len)
			len = rnd() % len;
		break;
	case 7:		/* sadb_msg_len changed */
		if (len >= 16)
			h->sadb_msg_len = rnd() % 4 ?
					  h->sadb_msg_len + rnd() % 5 - 2 :
					  rnd();
		break;
	case 8:		/* append garbage words, consistently */
		if (len >= 16 && len + 64 <= MB_MAX) {
			unsigned int i, n = 8 * (1 + rnd() % 8);

			for (i = 0; i < n; i++)
				buf[len + i] = rnd() % 3 ? rnd() % 32 : rnd();
			len += n;
			h->sadb_msg_len = len / 8;
		}
		break;
	case 9:		/* message type changed */
		if (len >= 16)
			h->sadb_msg_type = rnd() % 26;
		break;
	}
	*lenp = len;
}

static int test_fuzz(unsigned long iters, unsigned long *accepted)
{
	struct mb seeds[NCASES];
	size_t seedlen[NCASES];
	unsigned int nseeds = 0, i;
	unsigned long it;

	for (i = 0; i < NCASES; i++) {
		if (!cases[i].seed)
			continue;
		seedlen[nseeds] = cases[i].build(&seeds[nseeds]);
		nseeds++;
	}
	*accepted = 0;
	for (it = 0; it < iters; it++) {
		struct ipsec_pfkey_msg m;
		static struct mb b;
		unsigned int s = rnd() % nseeds, k, nmut = 1 + rnd() % 4;
		size_t len = seedlen[s];
		void *copy;
		int err;

		memcpy(b.u.b, seeds[s].u.b, len);
		for (k = 0; k < nmut; k++)
			mutate(b.u.b, &len);
		err = parse_exact(b.u.b, len, &m, &copy);
		if (!err) {
			(*accepted)++;
			if (!rewalk(copy, len, &m)) {
				printf("# fuzz: iteration %lu accepted a message the re-walk rejects\n",
				       it);
				free(copy);
				return 0;
			}
		} else if (err != -EINVAL && err != -EOPNOTSUPP &&
			   err != -EAFNOSUPPORT) {
			printf("# fuzz: iteration %lu: unexpected %d\n", it,
			       err);
			free(copy);
			return 0;
		}
		free(copy);
	}
	return 1;
}

int main(void)
{
	unsigned long iters = 200000, accepted;
	const char *e;
	unsigned int i;
	char desc[160];

	rng = 0x9e3779b97f4a7c15ull;
	e = getenv("FUZZ_ITERS");
	if (e)
		iters = strtoul(e, NULL, 0);
	e = getenv("FUZZ_SEED");
	if (e && strtoull(e, NULL, 0))
		rng = strtoull(e, NULL, 0);

	printf("TAP version 13\n1..%zu\n", NCASES + NEXTRA);
	printf("# seed 0x%llx\n", (unsigned long long)rng);
	for (i = 0; i < NCASES; i++) {
		struct ipsec_pfkey_msg m;
		struct mb b;
		size_t len = cases[i].build(&b);
		void *copy;
		int err = parse_exact(b.u.b, len, &m, &copy);
		int ok = err == cases[i].want;

		if (ok && !err)
			ok = rewalk(copy, len, &m);
		if (!ok)
			printf("# got %s (%d), want %s\n", errname(err), err,
			       errname(cases[i].want));
		free(copy);
		result(ok, cases[i].desc);
	}
	result(test_accessors(), "accessors");
	result(test_cleared(), "*m cleared on error");
	snprintf(desc, sizeof(desc), "fuzz: %lu mutations", iters);
	i = test_fuzz(iters, &accepted);
	printf("# fuzz: %lu of %lu mutated messages accepted, all re-walked\n",
	       accepted, iters);
	result(i, desc);
	printf("# %d failed\n", failures);
	return failures ? 1 : 0;
}
