// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl: checking received PF_KEY v2 messages before anything looks
 * inside them, so that print.c may trust every length it reads.
 */
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/pfkeyv2.h>

#include "compat.h"
#include "reply.h"

/* the fixed part of each extension type (0: unknown to us) */
static const size_t ext_min[SADB_EXT_MAX + 1] = {
	[SADB_EXT_SA] = sizeof(struct sadb_sa),
	[SADB_EXT_LIFETIME_CURRENT] = sizeof(struct sadb_lifetime),
	[SADB_EXT_LIFETIME_HARD] = sizeof(struct sadb_lifetime),
	[SADB_EXT_LIFETIME_SOFT] = sizeof(struct sadb_lifetime),
	[SADB_EXT_ADDRESS_SRC] = sizeof(struct sadb_address),
	[SADB_EXT_ADDRESS_DST] = sizeof(struct sadb_address),
	[SADB_EXT_ADDRESS_PROXY] = sizeof(struct sadb_address),
	[SADB_EXT_KEY_AUTH] = sizeof(struct sadb_key),
	[SADB_EXT_KEY_ENCRYPT] = sizeof(struct sadb_key),
	[SADB_EXT_IDENTITY_SRC] = sizeof(struct sadb_ident),
	[SADB_EXT_IDENTITY_DST] = sizeof(struct sadb_ident),
	[SADB_EXT_SENSITIVITY] = sizeof(struct sadb_sens),
	[SADB_EXT_PROPOSAL] = sizeof(struct sadb_prop),
	[SADB_EXT_SUPPORTED_AUTH] = sizeof(struct sadb_supported),
	[SADB_EXT_SUPPORTED_ENCRYPT] = sizeof(struct sadb_supported),
	[SADB_EXT_SPIRANGE] = sizeof(struct sadb_spirange),
	[SADB_X_EXT_KMPRIVATE] = sizeof(struct sadb_x_kmprivate),
	[SADB_X_EXT_POLICY] = sizeof(struct sadb_x_policy),
	[SADB_X_EXT_SA2] = sizeof(struct sadb_x_sa2),
	[SADB_X_EXT_NAT_T_TYPE] = sizeof(struct sadb_x_nat_t_type),
	[SADB_X_EXT_NAT_T_SPORT] = sizeof(struct sadb_x_nat_t_port),
	[SADB_X_EXT_NAT_T_DPORT] = sizeof(struct sadb_x_nat_t_port),
	[SADB_X_EXT_NAT_T_OA] = sizeof(struct sadb_address),
	[SADB_X_EXT_SEC_CTX] = sizeof(struct sadb_x_sec_ctx),
	[SADB_X_EXT_KMADDRESS] = sizeof(struct sadb_x_kmaddress),
	[SADB_X_EXT_FILTER] = sizeof(struct sadb_x_filter),
};

const void *pfk_reply_sockaddr(const struct sadb_ext *e, size_t *salen)
{
	const struct sockaddr *sa;
	size_t avail = pfk_ext_bytes(e) - sizeof(struct sadb_address);

	sa = (const void *)((const char *)e + sizeof(struct sadb_address));
	*salen = 0;
	if (avail < sizeof(sa->sa_family))
		return NULL;
	if (sa->sa_family == AF_INET)
		*salen = sizeof(struct sockaddr_in);
	else if (sa->sa_family == AF_INET6)
		*salen = sizeof(struct sockaddr_in6);
	if (!*salen || *salen > avail)
		return NULL;
	return sa;
}

static int check_ext(const struct sadb_ext *e, char *err, size_t errlen)
{
	size_t len = pfk_ext_bytes(e);
	const struct sadb_key *k;
	size_t salen;

	switch (e->sadb_ext_type) {
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_EXT_ADDRESS_PROXY:
	case SADB_X_EXT_NAT_T_OA:
		if (!pfk_reply_sockaddr(e, &salen)) {
			snprintf(err, errlen,
				 "extension %u: bad sockaddr", e->sadb_ext_type);
			return -1;
		}
		break;
	case SADB_EXT_KEY_AUTH:
	case SADB_EXT_KEY_ENCRYPT:
		k = (const void *)e;
		if ((k->sadb_key_bits + 7u) / 8 > len - sizeof(*k)) {
			snprintf(err, errlen, "extension %u: %u key bits in %zu bytes",
				 e->sadb_ext_type, k->sadb_key_bits,
				 len - sizeof(*k));
			return -1;
		}
		break;
	}
	return 0;
}

int pfk_reply_parse(const void *buf, size_t len, struct pfk_reply *r,
		    char *err, size_t errlen)
{
	const struct sadb_msg *h = buf;
	size_t off, mlen;

	memset(r, 0, sizeof(*r));
	if (len < sizeof(*h)) {
		snprintf(err, errlen, "short message (%zu bytes)", len);
		return -1;
	}
	if (h->sadb_msg_version != PF_KEY_V2) {
		snprintf(err, errlen, "version %u, not %u",
			 h->sadb_msg_version, PF_KEY_V2);
		return -1;
	}
	mlen = (size_t)h->sadb_msg_len * 8;
	if (mlen < sizeof(*h) || mlen > len) {
		snprintf(err, errlen, "length %zu bytes, received %zu",
			 mlen, len);
		return -1;
	}
	r->msg = h;
	r->len = mlen;
	for (off = sizeof(*h); off < mlen;) {
		const struct sadb_ext *e = (const void *)((const char *)buf + off);
		size_t elen;

		if (mlen - off < sizeof(*e)) {
			snprintf(err, errlen, "truncated extension at %zu", off);
			return -1;
		}
		elen = pfk_ext_bytes(e);
		if (!elen || elen > mlen - off) {
			snprintf(err, errlen,
				 "extension %u at %zu: length %zu out of the message",
				 e->sadb_ext_type, off, elen);
			return -1;
		}
		if (!e->sadb_ext_type || e->sadb_ext_type > SADB_EXT_MAX) {
			snprintf(err, errlen, "unknown extension type %u at %zu",
				 e->sadb_ext_type, off);
			return -1;
		}
		if (r->ext[e->sadb_ext_type]) {
			snprintf(err, errlen, "extension %u twice",
				 e->sadb_ext_type);
			return -1;
		}
		if (elen < ext_min[e->sadb_ext_type]) {
			snprintf(err, errlen, "extension %u: %zu bytes, need %zu",
				 e->sadb_ext_type, elen,
				 ext_min[e->sadb_ext_type]);
			return -1;
		}
		if (check_ext(e, err, errlen))
			return -1;
		r->ext[e->sadb_ext_type] = e;
		off += elen;
	}
	return 0;
}

int pfk_reply_errno(const struct pfk_reply *r, const char *what)
{
	int e = r->msg->sadb_msg_errno;

	if (!e)
		return 0;
	fprintf(stderr, "%s: %s\n", what, strerror(e));
	return e;
}

static const char *const msg_names[] = {
	[SADB_RESERVED] = "RESERVED",
	[SADB_GETSPI] = "GETSPI",
	[SADB_UPDATE] = "UPDATE",
	[SADB_ADD] = "ADD",
	[SADB_DELETE] = "DELETE",
	[SADB_GET] = "GET",
	[SADB_ACQUIRE] = "ACQUIRE",
	[SADB_REGISTER] = "REGISTER",
	[SADB_EXPIRE] = "EXPIRE",
	[SADB_FLUSH] = "FLUSH",
	[SADB_DUMP] = "DUMP",
	[SADB_X_PROMISC] = "X_PROMISC",
	[SADB_X_PCHANGE] = "X_PCHANGE",
	[SADB_X_SPDUPDATE] = "X_SPDUPDATE",
	[SADB_X_SPDADD] = "X_SPDADD",
	[SADB_X_SPDDELETE] = "X_SPDDELETE",
	[SADB_X_SPDGET] = "X_SPDGET",
	[SADB_X_SPDACQUIRE] = "X_SPDACQUIRE",
	[SADB_X_SPDDUMP] = "X_SPDDUMP",
	[SADB_X_SPDFLUSH] = "X_SPDFLUSH",
	[SADB_X_SPDSETIDX] = "X_SPDSETIDX",
	[SADB_X_SPDEXPIRE] = "X_SPDEXPIRE",
	[SADB_X_SPDDELETE2] = "X_SPDDELETE2",
	[SADB_X_NAT_T_NEW_MAPPING] = "X_NAT_T_NEW_MAPPING",
	[SADB_X_MIGRATE] = "X_MIGRATE",
};

const char *pfk_msg_type_name(unsigned int type)
{
	if (type < ARRAY_SIZE(msg_names) && msg_names[type])
		return msg_names[type];
	return "UNKNOWN";
}
