/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PF_KEY v2 message validation (RFC 2367 section 2). ipsec_pfkey_parse()
 * checks a whole message from userland once, before any handler looks at
 * it, so that handlers may use the accessors below without re-checking
 * lengths, families or enumerated values.
 */
#ifndef IPSEC_PFKEY_PARSE_H
#define IPSEC_PFKEY_PARSE_H

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <linux/socket.h>
#include <linux/types.h>

struct ipsec_pfkey_msg {
	const struct sadb_msg *hdr;
	const struct sadb_ext *ext[SADB_EXT_MAX + 1];	/* NULL when absent */
};

/*
 * Validate the message of @len bytes at @buf; on success fill @m (whose
 * pointers point into @buf) and return 0, else return a negative errno
 * for the caller to echo in sadb_msg_errno. Nothing is allocated and no
 * byte past @len is read. @buf must be 8-byte aligned, as a socket
 * buffer is: the sockaddrs inside are accessed in place.
 */
int ipsec_pfkey_parse(const void *buf, size_t len, struct ipsec_pfkey_msg *m);

/*
 * One sadb_x_policy extension of @len bytes and its requests, checked as
 * the parser checks it in a message (also for IP_IPSEC_POLICY).
 */
int ipsec_pfkey_check_policy(const void *ext, size_t len);

/* Any extension, by SADB_EXT_* / SADB_X_EXT_* type; NULL when absent. */
static inline const void *ipsec_pfkey_ext(const struct ipsec_pfkey_msg *m,
					  unsigned int type)
{
	return type <= SADB_EXT_MAX ? m->ext[type] : NULL;
}

/* Length in bytes of a present extension (validated by the parser). */
static inline size_t ipsec_pfkey_ext_bytes(const void *ext)
{
	return (size_t)((const struct sadb_ext *)ext)->sadb_ext_len * 8;
}

static inline const struct sadb_sa *
ipsec_pfkey_sa(const struct ipsec_pfkey_msg *m)
{
	return ipsec_pfkey_ext(m, SADB_EXT_SA);
}

static inline const struct sadb_x_sa2 *
ipsec_pfkey_sa2(const struct ipsec_pfkey_msg *m)
{
	return ipsec_pfkey_ext(m, SADB_X_EXT_SA2);
}

/* @type: SADB_EXT_LIFETIME_CURRENT, _HARD or _SOFT */
static inline const struct sadb_lifetime *
ipsec_pfkey_lifetime(const struct ipsec_pfkey_msg *m, unsigned int type)
{
	if (type < SADB_EXT_LIFETIME_CURRENT || type > SADB_EXT_LIFETIME_SOFT)
		return NULL;
	return ipsec_pfkey_ext(m, type);
}

static inline const struct sadb_spirange *
ipsec_pfkey_spirange(const struct ipsec_pfkey_msg *m)
{
	return ipsec_pfkey_ext(m, SADB_EXT_SPIRANGE);
}

static inline const struct sadb_x_policy *
ipsec_pfkey_policy(const struct ipsec_pfkey_msg *m)
{
	return ipsec_pfkey_ext(m, SADB_X_EXT_POLICY);
}

static inline const struct sadb_x_nat_t_type *
ipsec_pfkey_nat_t_type(const struct ipsec_pfkey_msg *m)
{
	return ipsec_pfkey_ext(m, SADB_X_EXT_NAT_T_TYPE);
}

/* @type: SADB_X_EXT_NAT_T_SPORT or SADB_X_EXT_NAT_T_DPORT */
static inline const struct sadb_x_nat_t_port *
ipsec_pfkey_nat_t_port(const struct ipsec_pfkey_msg *m, unsigned int type)
{
	if (type != SADB_X_EXT_NAT_T_SPORT && type != SADB_X_EXT_NAT_T_DPORT)
		return NULL;
	return ipsec_pfkey_ext(m, type);
}

static inline const struct sadb_x_filter *
ipsec_pfkey_filter(const struct ipsec_pfkey_msg *m)
{
	return ipsec_pfkey_ext(m, SADB_X_EXT_FILTER);
}

/*
 * The sockaddr of an address extension (@type: SADB_EXT_ADDRESS_SRC,
 * _DST, _PROXY or SADB_X_EXT_NAT_T_OA), AF_INET or AF_INET6; NULL when
 * absent. When @prefixlen is not NULL it receives sadb_address_prefixlen.
 */
const struct sockaddr *ipsec_pfkey_addr(const struct ipsec_pfkey_msg *m,
					unsigned int type, u8 *prefixlen);

/*
 * The key bits of SADB_EXT_KEY_AUTH or SADB_EXT_KEY_ENCRYPT; NULL when
 * absent. *@bits receives sadb_key_bits (> 0); (bits + 7) / 8 bytes are
 * readable at the returned pointer.
 */
const u8 *ipsec_pfkey_key(const struct ipsec_pfkey_msg *m, unsigned int type,
			  u16 *bits);

/*
 * The identity string of SADB_EXT_IDENTITY_SRC or _DST, NUL-terminated,
 * or NULL when the extension is absent or carries no string.
 */
const char *ipsec_pfkey_ident(const struct ipsec_pfkey_msg *m,
			      unsigned int type);

/*
 * Walk the requests of a validated SADB_X_EXT_POLICY: pass @prev NULL for
 * the first; returns NULL after the last.
 */
const struct sadb_x_ipsecrequest *
ipsec_pfkey_ipsecrequest_next(const struct sadb_x_policy *pol,
			      const struct sadb_x_ipsecrequest *prev);

/*
 * The tunnel endpoints of a validated request, or of SADB_X_EXT_KMADDRESS
 * (ipsec_pfkey_kmaddress()): both set and of one family, or both NULL
 * when the request carries none.
 */
void ipsec_pfkey_ipsecrequest_addrs(const struct sadb_x_ipsecrequest *rq,
				    const struct sockaddr **src,
				    const struct sockaddr **dst);
void ipsec_pfkey_kmaddress(const struct ipsec_pfkey_msg *m,
			   const struct sockaddr **local,
			   const struct sockaddr **remote);

#endif /* IPSEC_PFKEY_PARSE_H */
