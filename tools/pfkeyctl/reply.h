/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfkeyctl: checking a PF_KEY v2 message received from the kernel.
 */
#ifndef PFKEYCTL_REPLY_H
#define PFKEYCTL_REPLY_H

#include <stddef.h>
#include <linux/pfkeyv2.h>

struct pfk_reply {
	const struct sadb_msg *msg;
	size_t len;				/* bytes */
	const struct sadb_ext *ext[SADB_EXT_MAX + 1];
};

/*
 * Checks the @len bytes at @buf: version, length, and each extension's
 * length (at least its header, within the message), type and uniqueness,
 * and that addresses hold a whole sockaddr and keys their bits. Fills in
 * @r. Returns 0, or -1 with a reason in @err.
 */
int pfk_reply_parse(const void *buf, size_t len, struct pfk_reply *r,
		    char *err, size_t errlen);
/*
 * 0 when sadb_msg_errno is 0; else reports "WHAT: strerror" on stderr
 * and returns the errno.
 */
int pfk_reply_errno(const struct pfk_reply *r, const char *what);
/* the sockaddr of an address extension, and its length */
const void *pfk_reply_sockaddr(const struct sadb_ext *e, size_t *salen);
/* bytes of an extension */
static inline size_t pfk_ext_bytes(const struct sadb_ext *e)
{
	return (size_t)e->sadb_ext_len * 8;
}

const char *pfk_msg_type_name(unsigned int type);

#endif /* PFKEYCTL_REPLY_H */
