// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl: the algorithm table. Names are those setkey uses, ids those
 * of <linux/pfkeyv2.h> and <ipsec/pfkey.h>. Key sizes include the salt
 * or nonce RFC 3686, 4106, 4543 and 7634 append to the cipher key.
 */
#include <stdio.h>
#include <string.h>
#include <linux/pfkeyv2.h>
#include <ipsec/pfkey.h>

#include "algs.h"
#include "compat.h"

static const struct pfk_alg pfk_algs[] = {
	/* encryption */
	{ "null", NULL, PFK_ALG_ENC, SADB_EALG_NULL, 0, 0, 0, false },
	{ "aes-cbc", "rijndael-cbc", PFK_ALG_ENC, SADB_X_EALG_AESCBC,
	  128, 256, 64, false },
	{ "aes-ctr", NULL, PFK_ALG_ENC, SADB_X_EALG_AESCTR,
	  160, 288, 64, false },
	{ "aes-gcm-8", NULL, PFK_ALG_ENC, SADB_X_EALG_AES_GCM_ICV8,
	  160, 288, 64, true },
	{ "aes-gcm-12", NULL, PFK_ALG_ENC, SADB_X_EALG_AES_GCM_ICV12,
	  160, 288, 64, true },
	{ "aes-gcm-16", "aes-gcm", PFK_ALG_ENC, SADB_X_EALG_AES_GCM_ICV16,
	  160, 288, 64, true },
	{ "null-aes-gmac", NULL, PFK_ALG_ENC, SADB_X_EALG_NULL_AES_GMAC,
	  160, 288, 64, true },
	{ "chacha20-poly1305", NULL, PFK_ALG_ENC,
	  SADB_X_EALG_CHACHA20_POLY1305, 288, 288, 0, true },
	/* authentication */
	{ "hmac-sha1", NULL, PFK_ALG_AUTH, SADB_AALG_SHA1HMAC,
	  160, 160, 0, false },
	{ "hmac-sha256", NULL, PFK_ALG_AUTH, SADB_X_AALG_SHA2_256HMAC,
	  256, 256, 0, false },
	{ "hmac-sha384", NULL, PFK_ALG_AUTH, SADB_X_AALG_SHA2_384HMAC,
	  384, 384, 0, false },
	{ "hmac-sha512", NULL, PFK_ALG_AUTH, SADB_X_AALG_SHA2_512HMAC,
	  512, 512, 0, false },
	{ "aes-xcbc-mac", NULL, PFK_ALG_AUTH, SADB_X_AALG_AES_XCBC_MAC,
	  128, 128, 0, false },
	{ "null", NULL, PFK_ALG_AUTH, SADB_X_AALG_NULL, 0, 0, 0, false },
	/* compression */
	{ "deflate", NULL, PFK_ALG_COMP, SADB_X_CALG_DEFLATE, 0, 0, 0, false },
};

#define PFK_NALGS	ARRAY_SIZE(pfk_algs)

const struct pfk_alg *pfk_alg_table(size_t *count)
{
	*count = PFK_NALGS;
	return pfk_algs;
}

const struct pfk_alg *pfk_alg_by_name(enum pfk_alg_kind kind,
				      const char *name)
{
	size_t i;

	for (i = 0; i < PFK_NALGS; i++) {
		const struct pfk_alg *a = &pfk_algs[i];

		if (a->kind != kind)
			continue;
		if (!strcmp(a->name, name) ||
		    (a->alias && !strcmp(a->alias, name)))
			return a;
	}
	return NULL;
}

const struct pfk_alg *pfk_alg_by_id(enum pfk_alg_kind kind, unsigned int id)
{
	size_t i;

	for (i = 0; i < PFK_NALGS; i++)
		if (pfk_algs[i].kind == kind && pfk_algs[i].id == id)
			return &pfk_algs[i];
	return NULL;
}

const char *pfk_alg_name(enum pfk_alg_kind kind, unsigned int id)
{
	const struct pfk_alg *a = pfk_alg_by_id(kind, id);

	return a ? a->name : NULL;
}

const char *pfk_alg_kind_name(enum pfk_alg_kind kind)
{
	switch (kind) {
	case PFK_ALG_ENC:
		return "encryption";
	case PFK_ALG_AUTH:
		return "authentication";
	case PFK_ALG_COMP:
		return "compression";
	}
	return "?";
}

int pfk_alg_check_key(const struct pfk_alg *alg, unsigned int bits,
		      char *err, size_t errlen)
{
	unsigned int b;
	size_t n;

	if (alg->key_max == 0) {
		if (bits == 0)
			return 0;
		snprintf(err, errlen, "%s takes no key", alg->name);
		return -1;
	}
	if (bits >= alg->key_min && bits <= alg->key_max &&
	    (!alg->key_step || (bits - alg->key_min) % alg->key_step == 0))
		return 0;
	if (alg->key_min == alg->key_max) {
		snprintf(err, errlen, "%s needs a key of %u bits, not %u",
			 alg->name, alg->key_min, bits);
		return -1;
	}
	n = snprintf(err, errlen, "%s needs a key of ", alg->name);
	for (b = alg->key_min; b <= alg->key_max && n < errlen;
	     b += alg->key_step) {
		const char *sep = "";

		if (b != alg->key_min)
			sep = b + alg->key_step > alg->key_max ? " or " : ", ";
		n += snprintf(err + n, errlen - n, "%s%u", sep, b);
	}
	if (n < errlen)
		snprintf(err + n, errlen - n, " bits, not %u", bits);
	return -1;
}
