/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfkeyctl: the algorithm table (setkey names and PF_KEY v2 ids).
 */
#ifndef PFKEYCTL_ALGS_H
#define PFKEYCTL_ALGS_H

#include <stdbool.h>
#include <stddef.h>

enum pfk_alg_kind {
	PFK_ALG_ENC,
	PFK_ALG_AUTH,
	PFK_ALG_COMP,
};

struct pfk_alg {
	const char *name;
	const char *alias;
	enum pfk_alg_kind kind;
	unsigned int id;
	/* key size in bits, salt or nonce included; 0..0: no key */
	unsigned int key_min;
	unsigned int key_max;
	unsigned int key_step;
	bool aead;
	/* XFRM: the crypto API name, and the ICV (AEAD) or truncation
	 * (authentication) length in bits
	 */
	const char *xfrm;
	unsigned int icv_bits;
};

const struct pfk_alg *pfk_alg_by_name(enum pfk_alg_kind kind,
				      const char *name);
const struct pfk_alg *pfk_alg_by_id(enum pfk_alg_kind kind, unsigned int id);
/* setkey name of @id, or NULL when the table does not know it */
const char *pfk_alg_name(enum pfk_alg_kind kind, unsigned int id);
const char *pfk_alg_kind_name(enum pfk_alg_kind kind);
/*
 * Why a name setkey knows is refused here (KAME's keyed hashes, the
 * old ESP transforms), or NULL when the name is not one of those.
 */
const char *pfk_alg_refused(enum pfk_alg_kind kind, const char *name);
/*
 * 0 when a key of @bits suits @alg; else -1 and a message such as
 * "aes-gcm-16 needs a key of 160, 224 or 288 bits" in @err.
 */
int pfk_alg_check_key(const struct pfk_alg *alg, unsigned int bits,
		      char *err, size_t errlen);
/* the whole table, for the man page and "pfkeyctl -h" */
const struct pfk_alg *pfk_alg_table(size_t *count);

#endif /* PFKEYCTL_ALGS_H */
