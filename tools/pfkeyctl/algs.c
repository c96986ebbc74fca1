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

/* name, alias, kind, id, key bits min..max by step, AEAD, XFRM name, ICV */
#define ENC(n, a, id, lo, hi, st, x) \
	{ n, a, PFK_ALG_ENC, id, lo, hi, st, false, x, 0 }
#define AEAD(n, a, id, lo, hi, st, x, icv) \
	{ n, a, PFK_ALG_ENC, id, lo, hi, st, true, x, icv }
#define AUTH(n, a, id, lo, hi, x, trunc) \
	{ n, a, PFK_ALG_AUTH, id, lo, hi, 0, false, x, trunc }
/* AH's GMAC (RFC 4543 4): one id per AES key size, 32-bit salt after */
#define GMAC(n, id, lo, hi) \
	{ n, NULL, PFK_ALG_AUTH, id, lo, hi, 0, true, "rfc4543(gcm(aes))", 128 }
#define COMP(n, id, x) \
	{ n, NULL, PFK_ALG_COMP, id, 0, 0, 0, false, x, 0 }

/*
 * Key sizes are those of the RFCs (and of NetBSD's and FreeBSD's
 * setkey, which check the same): DES 64 bits, 3DES 192, Blowfish 40 to
 * 448, CAST-128 40 to 128 (RFC 2451), Camellia 128/192/256 (RFC 4312);
 * the counter and AEAD modes append a salt or nonce: 32 bits for CTR,
 * GCM and GMAC (RFC 3686, 4106, 4543), 24 for CCM (RFC 4309), 32 for
 * ChaCha20-Poly1305 (RFC 7634). Truncation of the HMACs: 96 bits for
 * MD5, SHA-1 and RIPEMD-160 (RFC 2403, 2404, 2857), half the hash for
 * SHA-2 (RFC 4868), 96 for AES-XCBC-MAC (RFC 3566); AH's AES-GMAC has
 * a 128-bit tag after a 64-bit IV (RFC 4543 4).
 */
static const struct pfk_alg pfk_algs[] = {
	/* encryption */
	ENC("null", NULL, SADB_EALG_NULL, 0, 0, 0, "ecb(cipher_null)"),
	ENC("aes-cbc", "rijndael-cbc", SADB_X_EALG_AESCBC, 128, 256, 64,
	    "cbc(aes)"),
	ENC("aes-ctr", NULL, SADB_X_EALG_AESCTR, 160, 288, 64,
	    "rfc3686(ctr(aes))"),
	ENC("des-cbc", NULL, SADB_EALG_DESCBC, 64, 64, 0, "cbc(des)"),
	ENC("3des-cbc", "des3-cbc", SADB_EALG_3DESCBC, 192, 192, 0,
	    "cbc(des3_ede)"),
	ENC("blowfish-cbc", NULL, SADB_X_EALG_BLOWFISHCBC, 40, 448, 8,
	    "cbc(blowfish)"),
	ENC("cast128-cbc", NULL, SADB_X_EALG_CASTCBC, 40, 128, 8,
	    "cbc(cast5)"),
	ENC("camellia-cbc", NULL, SADB_X_EALG_CAMELLIACBC, 128, 256, 64,
	    "cbc(camellia)"),
	ENC("twofish-cbc", NULL, SADB_X_EALG_TWOFISHCBC, 128, 256, 64,
	    "cbc(twofish)"),
	ENC("serpent-cbc", NULL, SADB_X_EALG_SERPENTCBC, 128, 256, 64,
	    "cbc(serpent)"),
	AEAD("aes-gcm-8", NULL, SADB_X_EALG_AES_GCM_ICV8, 160, 288, 64,
	     "rfc4106(gcm(aes))", 64),
	AEAD("aes-gcm-12", NULL, SADB_X_EALG_AES_GCM_ICV12, 160, 288, 64,
	     "rfc4106(gcm(aes))", 96),
	AEAD("aes-gcm-16", "aes-gcm", SADB_X_EALG_AES_GCM_ICV16, 160, 288, 64,
	     "rfc4106(gcm(aes))", 128),
	AEAD("aes-ccm-8", NULL, SADB_X_EALG_AES_CCM_ICV8, 152, 280, 64,
	     "rfc4309(ccm(aes))", 64),
	AEAD("aes-ccm-12", NULL, SADB_X_EALG_AES_CCM_ICV12, 152, 280, 64,
	     "rfc4309(ccm(aes))", 96),
	AEAD("aes-ccm-16", "aes-ccm", SADB_X_EALG_AES_CCM_ICV16, 152, 280, 64,
	     "rfc4309(ccm(aes))", 128),
	/* NetBSD's setkey calls it aes-gmac: ESP with GMAC, no cipher */
	AEAD("null-aes-gmac", "aes-gmac", SADB_X_EALG_NULL_AES_GMAC,
	     160, 288, 64, "rfc4543(gcm(aes))", 128),
	AEAD("chacha20-poly1305", NULL, SADB_X_EALG_CHACHA20_POLY1305,
	     288, 288, 0, "rfc7539esp(chacha20,poly1305)", 128),
	/* authentication; the BSDs spell SHA-2 "hmac-sha2-256" */
	AUTH("hmac-md5", NULL, SADB_AALG_MD5HMAC, 128, 128, "hmac(md5)", 96),
	AUTH("hmac-sha1", NULL, SADB_AALG_SHA1HMAC, 160, 160, "hmac(sha1)", 96),
	AUTH("hmac-sha256", "hmac-sha2-256", SADB_X_AALG_SHA2_256HMAC, 256, 256,
	     "hmac(sha256)", 128),
	AUTH("hmac-sha384", "hmac-sha2-384", SADB_X_AALG_SHA2_384HMAC, 384, 384,
	     "hmac(sha384)", 192),
	AUTH("hmac-sha512", "hmac-sha2-512", SADB_X_AALG_SHA2_512HMAC, 512, 512,
	     "hmac(sha512)", 256),
	AUTH("hmac-ripemd160", NULL, SADB_X_AALG_RIPEMD160HMAC, 160, 160,
	     "hmac(rmd160)", 96),
	AUTH("aes-xcbc-mac", NULL, SADB_X_AALG_AES_XCBC_MAC, 128, 128,
	     "xcbc(aes)", 96),
	/* NetBSD's netstat names; FreeBSD's ids (IANA's IPsec numbers) */
	GMAC("aes-128-gmac", SADB_X_AALG_AES128GMAC, 160, 160),
	GMAC("aes-192-gmac", SADB_X_AALG_AES192GMAC, 224, 224),
	GMAC("aes-256-gmac", SADB_X_AALG_AES256GMAC, 288, 288),
	AUTH("null", NULL, SADB_X_AALG_NULL, 0, 0, "digest_null", 0),
	/* compression */
	COMP("deflate", SADB_X_CALG_DEFLATE, "deflate"),
	COMP("lzs", SADB_X_CALG_LZS, "lzs"),
	COMP("lzjh", SADB_X_CALG_LZJH, "lzjh"),
};

/* names setkey accepts that have no transform here, and why */
static const struct {
	enum pfk_alg_kind kind;
	const char *name;
	const char *why;
} pfk_refused[] = {
	{ PFK_ALG_AUTH, "keyed-md5",
	  "keyed-md5 (RFC 1828) is KAME's own, Linux has none; use hmac-md5" },
	{ PFK_ALG_AUTH, "keyed-sha1",
	  "keyed-sha1 (RFC 1852) is KAME's own, Linux has none; use hmac-sha1" },
	{ PFK_ALG_AUTH, "tcp-md5",
	  "tcp-md5 (RFC 2385) is TCP_MD5SIG on a Linux socket, not an SA" },
	{ PFK_ALG_ENC, "des-deriv",
	  "des-deriv is the old ESP of RFC 1829, not implemented; use 3des-cbc" },
	{ PFK_ALG_ENC, "des-32iv",
	  "des-32iv is the old ESP of RFC 1829, not implemented; use 3des-cbc" },
	{ PFK_ALG_ENC, "3des-deriv",
	  "3des-deriv is the old ESP of RFC 1851, not implemented; use 3des-cbc" },
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
		/* a crypto API name; an AEAD's stands for its 16-byte ICV */
		if (a->xfrm && !strcmp(a->xfrm, name) &&
		    (!a->aead || a->icv_bits == 128))
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

const char *pfk_alg_refused(enum pfk_alg_kind kind, const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pfk_refused); i++)
		if (pfk_refused[i].kind == kind &&
		    !strcmp(pfk_refused[i].name, name))
			return pfk_refused[i].why;
	return NULL;
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
