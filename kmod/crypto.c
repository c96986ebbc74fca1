// SPDX-License-Identifier: GPL-2.0
/*
 * Algorithm table. Ids are those of <linux/pfkeyv2.h> (and, for the ones
 * it lacks, <ipsec/pfkey.h>); key sizes include the salt or nonce that
 * RFC 3686, 4106, 4543 and 7634 append to the key.
 */
#include <linux/pfkeyv2.h>
#include <linux/string.h>
#include <linux/crypto.h>
#include <linux/err.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <crypto/aead.h>
#include <crypto/authenc.h>
#include <crypto/hash.h>

#include <ipsec/pfkey.h>

#include "crypto.h"

static const struct ipsec_alg ipsec_algs[] = {
	/* encryption */
	{ .name = "null", .tfm = "ecb(cipher_null)", .xfrm_alias = "cipher_null",
	  .kind = IPSEC_ALG_ENC,
	  .sadb_id = SADB_EALG_NULL, .block = 4 },
	{ .name = "aes-cbc", .alias = { "rijndael-cbc", "aes" }, .tfm = "cbc(aes)",
	  .xfrm_alias = "aes", .kind = IPSEC_ALG_ENC, .sadb_id = SADB_X_EALG_AESCBC,
	  .key_min = 128, .key_max = 256, .key_step = 64,
	  .iv_len = 16, .block = 16 },
	/* RFC 3686: 32-bit nonce after the key */
	{ .name = "aes-ctr", .alias = { "aesctr" }, .tfm = "rfc3686(ctr(aes))",
	  .kind = IPSEC_ALG_ENC, .sadb_id = SADB_X_EALG_AESCTR,
	  .key_min = 160, .key_max = 288, .key_step = 64,
	  .iv_len = 8, .block = 4 },
	/* RFC 4106: 32-bit salt after the key */
	{ .name = "aes-gcm-8", .tfm = "rfc4106(gcm(aes))",
	  .kind = IPSEC_ALG_ENC, .sadb_id = SADB_X_EALG_AES_GCM_ICV8,
	  .aead = true, .key_min = 160, .key_max = 288, .key_step = 64,
	  .icv_len = 8, .iv_len = 8, .block = 4 },
	{ .name = "aes-gcm-12", .tfm = "rfc4106(gcm(aes))",
	  .kind = IPSEC_ALG_ENC, .sadb_id = SADB_X_EALG_AES_GCM_ICV12,
	  .aead = true, .key_min = 160, .key_max = 288, .key_step = 64,
	  .icv_len = 12, .iv_len = 8, .block = 4 },
	{ .name = "aes-gcm-16", .alias = { "aes-gcm" }, .tfm = "rfc4106(gcm(aes))",
	  .kind = IPSEC_ALG_ENC, .sadb_id = SADB_X_EALG_AES_GCM_ICV16,
	  .aead = true, .key_min = 160, .key_max = 288, .key_step = 64,
	  .icv_len = 16, .iv_len = 8, .block = 4 },
	/* RFC 4543: authentication only, 32-bit salt after the key */
	{ .name = "null-aes-gmac", .tfm = "rfc4543(gcm(aes))",
	  .kind = IPSEC_ALG_ENC, .sadb_id = SADB_X_EALG_NULL_AES_GMAC,
	  .aead = true, .key_min = 160, .key_max = 288, .key_step = 64,
	  .icv_len = 16, .iv_len = 8, .block = 4 },
	/* RFC 4309: 24-bit salt after the key */
	{ .name = "aes-ccm-8", .tfm = "rfc4309(ccm(aes))",
	  .kind = IPSEC_ALG_ENC, .sadb_id = SADB_X_EALG_AES_CCM_ICV8,
	  .aead = true, .key_min = 152, .key_max = 280, .key_step = 64,
	  .icv_len = 8, .iv_len = 8, .block = 4 },
	{ .name = "aes-ccm-12", .tfm = "rfc4309(ccm(aes))",
	  .kind = IPSEC_ALG_ENC, .sadb_id = SADB_X_EALG_AES_CCM_ICV12,
	  .aead = true, .key_min = 152, .key_max = 280, .key_step = 64,
	  .icv_len = 12, .iv_len = 8, .block = 4 },
	{ .name = "aes-ccm-16", .alias = { "aes-ccm" },
	  .tfm = "rfc4309(ccm(aes))",
	  .kind = IPSEC_ALG_ENC, .sadb_id = SADB_X_EALG_AES_CCM_ICV16,
	  .aead = true, .key_min = 152, .key_max = 280, .key_step = 64,
	  .icv_len = 16, .iv_len = 8, .block = 4 },
	/* CBC ciphers of RFC 2451, 4312 and the KAME table */
	{ .name = "3des-cbc", .alias = { "des3-cbc" }, .tfm = "cbc(des3_ede)",
	  .xfrm_alias = "des3_ede", .kind = IPSEC_ALG_ENC,
	  .sadb_id = SADB_EALG_3DESCBC, .key_min = 192, .key_max = 192,
	  .iv_len = 8, .block = 8 },
	{ .name = "cast128-cbc", .alias = { "cast-cbc" }, .tfm = "cbc(cast5)",
	  .xfrm_alias = "cast5", .kind = IPSEC_ALG_ENC,
	  .sadb_id = SADB_X_EALG_CASTCBC, .key_min = 40, .key_max = 128,
	  .key_step = 8, .iv_len = 8, .block = 8 },
	{ .name = "blowfish-cbc", .tfm = "cbc(blowfish)",
	  .xfrm_alias = "blowfish", .kind = IPSEC_ALG_ENC,
	  .sadb_id = SADB_X_EALG_BLOWFISHCBC, .key_min = 40, .key_max = 448,
	  .key_step = 8, .iv_len = 8, .block = 8 },
	{ .name = "camellia-cbc", .tfm = "cbc(camellia)",
	  .xfrm_alias = "camellia", .kind = IPSEC_ALG_ENC,
	  .sadb_id = SADB_X_EALG_CAMELLIACBC, .key_min = 128, .key_max = 256,
	  .key_step = 64, .iv_len = 16, .block = 16 },
	{ .name = "serpent-cbc", .tfm = "cbc(serpent)",
	  .xfrm_alias = "serpent", .kind = IPSEC_ALG_ENC,
	  .sadb_id = SADB_X_EALG_SERPENTCBC, .key_min = 128, .key_max = 256,
	  .key_step = 64, .iv_len = 16, .block = 16 },
	{ .name = "twofish-cbc", .tfm = "cbc(twofish)",
	  .xfrm_alias = "twofish", .kind = IPSEC_ALG_ENC,
	  .sadb_id = SADB_X_EALG_TWOFISHCBC, .key_min = 128, .key_max = 256,
	  .key_step = 64, .iv_len = 16, .block = 16 },
	/* RFC 7634: 256-bit key and 32-bit salt */
	{ .name = "chacha20-poly1305",
	  .tfm = "rfc7539esp(chacha20,poly1305)",
	  .kind = IPSEC_ALG_ENC, .sadb_id = SADB_X_EALG_CHACHA20_POLY1305,
	  .aead = true, .key_min = 288, .key_max = 288,
	  .icv_len = 16, .iv_len = 8, .block = 4 },

	/* authentication; ICV lengths of RFC 2404, 4868 and 3566 */
	{ .name = "hmac-sha1", .tfm = "hmac(sha1)", .xfrm_alias = "sha1",
	  .kind = IPSEC_ALG_AUTH,
	  .sadb_id = SADB_AALG_SHA1HMAC, .key_min = 160, .key_max = 160,
	  .icv_len = 12 },
	/* XFRM's "sha256" without a truncation length: 96 bits, as the
	 * draft before RFC 4868 had it; first, so that XFRM's default is it
	 */
	{ .name = "hmac-sha256-96", .tfm = "hmac(sha256)",
	  .xfrm_alias = "sha256", .kind = IPSEC_ALG_AUTH,
	  .sadb_id = SADB_X_AALG_SHA2_256HMAC, .key_min = 256,
	  .key_max = 256, .icv_len = 12, .xfrm_only = true },
	{ .name = "hmac-sha256", .alias = { "hmac-sha2-256" },
	  .tfm = "hmac(sha256)", .xfrm_alias = "sha256",
	  .kind = IPSEC_ALG_AUTH,
	  .sadb_id = SADB_X_AALG_SHA2_256HMAC, .key_min = 256,
	  .key_max = 256, .icv_len = 16 },
	{ .name = "hmac-sha384", .alias = { "hmac-sha2-384" },
	  .tfm = "hmac(sha384)", .xfrm_alias = "sha384",
	  .kind = IPSEC_ALG_AUTH,
	  .sadb_id = SADB_X_AALG_SHA2_384HMAC, .key_min = 384,
	  .key_max = 384, .icv_len = 24 },
	{ .name = "hmac-sha512", .alias = { "hmac-sha2-512" },
	  .tfm = "hmac(sha512)", .xfrm_alias = "sha512",
	  .kind = IPSEC_ALG_AUTH,
	  .sadb_id = SADB_X_AALG_SHA2_512HMAC, .key_min = 512,
	  .key_max = 512, .icv_len = 32 },
	{ .name = "aes-xcbc-mac", .tfm = "xcbc(aes)", .kind = IPSEC_ALG_AUTH,
	  .sadb_id = SADB_X_AALG_AES_XCBC_MAC, .key_min = 128,
	  .key_max = 128, .icv_len = 12 },
	{ .name = "hmac-md5", .tfm = "hmac(md5)", .xfrm_alias = "md5",
	  .kind = IPSEC_ALG_AUTH, .sadb_id = SADB_AALG_MD5HMAC,
	  .key_min = 128, .key_max = 128, .icv_len = 12 },
	{ .name = "hmac-ripemd160", .alias = { "hmac-rmd160" },
	  .tfm = "hmac(rmd160)", .xfrm_alias = "rmd160",
	  .kind = IPSEC_ALG_AUTH, .sadb_id = SADB_X_AALG_RIPEMD160HMAC,
	  .key_min = 160, .key_max = 160, .icv_len = 12 },
	/* RFC 4494: no PF_KEY id */
	{ .name = "aes-cmac", .tfm = "cmac(aes)", .kind = IPSEC_ALG_AUTH,
	  .key_min = 128, .key_max = 128, .icv_len = 12, .xfrm_only = true },
	/* RFC 4543 4: GMAC for AH, a 32-bit salt after the AES key, an
	 * 8-byte IV before the 16-byte tag; one PF_KEY id per key size
	 * (errata 1821), one XFRM name, as ESP's GMAC has
	 */
	{ .name = "aes-128-gmac", .tfm = "rfc4543(gcm(aes))",
	  .kind = IPSEC_ALG_AUTH, .sadb_id = SADB_X_AALG_AES128GMAC,
	  .aead = true, .key_min = 160, .key_max = 160,
	  .icv_len = 16, .iv_len = 8 },
	{ .name = "aes-192-gmac", .tfm = "rfc4543(gcm(aes))",
	  .kind = IPSEC_ALG_AUTH, .sadb_id = SADB_X_AALG_AES192GMAC,
	  .aead = true, .key_min = 224, .key_max = 224,
	  .icv_len = 16, .iv_len = 8 },
	{ .name = "aes-256-gmac", .tfm = "rfc4543(gcm(aes))",
	  .kind = IPSEC_ALG_AUTH, .sadb_id = SADB_X_AALG_AES256GMAC,
	  .aead = true, .key_min = 288, .key_max = 288,
	  .icv_len = 16, .iv_len = 8 },
	{ .name = "null", .tfm = "digest_null", .kind = IPSEC_ALG_AUTH,
	  .sadb_id = SADB_X_AALG_NULL },

	/* compression, RFC 3173 / RFC 2394 */
	{ .name = "deflate", .tfm = "deflate", .kind = IPSEC_ALG_COMP,
	  .sadb_id = SADB_X_CALG_DEFLATE },
};

const struct ipsec_alg *ipsec_alg_by_name(enum ipsec_alg_kind kind,
					  const char *name)
{
	const struct ipsec_alg *a;

	for (a = ipsec_algs; a < ipsec_algs + ARRAY_SIZE(ipsec_algs); a++) {
		if (a->kind != kind)
			continue;
		if (!strcmp(a->name, name) ||
		    (a->alias[0] && !strcmp(a->alias[0], name)) ||
		    (a->alias[1] && !strcmp(a->alias[1], name)))
			return a;
	}
	return NULL;
}

const struct ipsec_alg *ipsec_alg_by_id(enum ipsec_alg_kind kind, u8 id)
{
	const struct ipsec_alg *a;

	for (a = ipsec_algs; a < ipsec_algs + ARRAY_SIZE(ipsec_algs); a++)
		if (a->kind == kind && a->sadb_id == id && !a->xfrm_only)
			return a;
	return NULL;
}

/* XFRM names an algorithm by its crypto API name (or an older alias)
 * and, for AEADs and truncated HMACs, the ICV length: icv_bits 0 takes
 * the first entry of that name, which is XFRM's default length.
 */
const struct ipsec_alg *ipsec_alg_by_xfrm(enum ipsec_alg_kind kind,
					  const char *name,
					  unsigned int icv_bits)
{
	return ipsec_alg_by_xfrm_key(kind, name, icv_bits, 0);
}

/* AH's GMAC has one entry per key size under one XFRM name: key_bits
 * (0: any) picks among them.
 */
const struct ipsec_alg *ipsec_alg_by_xfrm_key(enum ipsec_alg_kind kind,
					      const char *name,
					      unsigned int icv_bits,
					      unsigned int key_bits)
{
	const struct ipsec_alg *a, *first = NULL;

	for (a = ipsec_algs; a < ipsec_algs + ARRAY_SIZE(ipsec_algs); a++) {
		if (a->kind != kind)
			continue;
		if (strcmp(a->tfm, name) &&
		    (!a->xfrm_alias || strcmp(a->xfrm_alias, name)))
			continue;
		if (key_bits && kind == IPSEC_ALG_AUTH && a->aead &&
		    !ipsec_alg_key_ok(a, key_bits))
			continue;
		if (icv_bits && a->icv_len * 8 == icv_bits)
			return a;
		if (!first)
			first = a;
	}
	return icv_bits ? NULL : first;
}

bool ipsec_alg_key_ok(const struct ipsec_alg *alg, unsigned int bits)
{
	if (bits < alg->key_min || bits > alg->key_max)
		return false;
	if (!alg->key_step)
		return bits == alg->key_min;
	return (bits - alg->key_min) % alg->key_step == 0;
}

/* Walk the table by kind: start with prev == NULL. */
const struct ipsec_alg *ipsec_alg_next(enum ipsec_alg_kind kind,
				       const struct ipsec_alg *prev)
{
	const struct ipsec_alg *a = prev ? prev + 1 : ipsec_algs;

	for (; a < ipsec_algs + ARRAY_SIZE(ipsec_algs); a++)
		if (a->kind == kind && !a->xfrm_only)
			return a;
	return NULL;
}

unsigned int ipsec_alg_count(void)
{
	return ARRAY_SIZE(ipsec_algs);
}

/* Whether the crypto API can instantiate it here (may load a module). */
bool ipsec_alg_available(const struct ipsec_alg *alg)
{
	return crypto_has_alg(alg->tfm, 0, 0);
}

/* A non-AEAD ESP pair as one authenc transform: the key blob is the
 * format crypto_authenc_extractkeys() reads (an rtattr giving the cipher
 * key length, then the authentication key, then the cipher key).
 */
static struct crypto_aead *ipsec_authenc_new(const struct ipsec_alg *ealg,
					     const u8 *ekey, unsigned int ebits,
					     const struct ipsec_alg *aalg,
					     const u8 *akey, unsigned int abits,
					     bool esn)
{
	struct crypto_authenc_key_param *param;
	unsigned int elen = ebits / 8, alen = abits / 8;
	char name[CRYPTO_MAX_ALG_NAME];
	struct crypto_aead *aead;
	struct rtattr *rta;
	unsigned int len;
	u8 *blob;
	int err;

	/* ESN needs integrity; authencesn moves the high half of the
	 * sequence number to the end of what the HMAC covers (RFC 4303 2.2.1)
	 */
	if (esn && !aalg)
		return ERR_PTR(-EINVAL);
	if (snprintf(name, sizeof(name), "%s(%s,%s)",
		     esn ? "authencesn" : "authenc",
		     aalg ? aalg->tfm : "digest_null", ealg->tfm) >=
	    sizeof(name))
		return ERR_PTR(-ENAMETOOLONG);
	aead = crypto_alloc_aead(name, 0, 0);
	if (IS_ERR(aead))
		return aead;

	len = RTA_SPACE(sizeof(*param)) + alen + elen;
	blob = kmalloc(len, GFP_KERNEL);
	if (!blob) {
		err = -ENOMEM;
		goto err_free;
	}
	rta = (void *)blob;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(elen);
	memcpy(blob + RTA_SPACE(sizeof(*param)), akey, alen);
	memcpy(blob + RTA_SPACE(sizeof(*param)) + alen, ekey, elen);
	err = crypto_aead_setkey(aead, blob, len);
	kfree_sensitive(blob);
	if (err)
		goto err_free;
	err = crypto_aead_setauthsize(aead, aalg ? aalg->icv_len : 0);
	if (err)
		goto err_free;
	return aead;

err_free:
	crypto_free_aead(aead);
	return ERR_PTR(err);
}

/* The transform of an ESP SA: the table's AEAD with its key (salt
 * included) or authenc() around the cipher and the HMAC. Process
 * context: may sleep and load modules.
 */
struct crypto_aead *ipsec_esp_aead_new(const struct ipsec_alg *ealg,
				       const u8 *ekey, unsigned int ebits,
				       const struct ipsec_alg *aalg,
				       const u8 *akey, unsigned int abits,
				       bool esn)
{
	struct crypto_aead *aead;
	int err;

	if (!ealg->aead)
		return ipsec_authenc_new(ealg, ekey, ebits, aalg, akey, abits,
					 esn);

	aead = crypto_alloc_aead(ealg->tfm, 0, 0);
	if (IS_ERR(aead))
		return aead;
	err = crypto_aead_setkey(aead, ekey, ebits / 8);
	if (!err)
		err = crypto_aead_setauthsize(aead, ealg->icv_len);
	if (err) {
		crypto_free_aead(aead);
		return ERR_PTR(err);
	}
	return aead;
}

struct crypto_aead *ipsec_ah_gmac_new(const struct ipsec_alg *aalg,
				      const u8 *key, unsigned int bits)
{
	struct crypto_aead *aead;
	int err;

	if (!aalg->aead || bits / 8 <= IPSEC_GMAC_SALT)
		return ERR_PTR(-EINVAL);
	aead = crypto_alloc_aead("gcm(aes)", 0, 0);
	if (IS_ERR(aead))
		return aead;
	err = crypto_aead_setkey(aead, key, bits / 8 - IPSEC_GMAC_SALT);
	if (!err)
		err = crypto_aead_setauthsize(aead, aalg->icv_len);
	if (err) {
		crypto_free_aead(aead);
		return ERR_PTR(err);
	}
	return aead;
}

struct crypto_ahash *ipsec_ah_ahash_new(const struct ipsec_alg *aalg,
					const u8 *key, unsigned int bits)
{
	struct crypto_ahash *ahash;
	int err;

	if (!aalg->icv_len)
		return ERR_PTR(-EINVAL);	/* AH without integrity */
	ahash = crypto_alloc_ahash(aalg->tfm, 0, 0);
	if (IS_ERR(ahash))
		return ahash;
	err = -EINVAL;
	if (crypto_ahash_digestsize(ahash) < aalg->icv_len)
		goto err_free;
	err = crypto_ahash_setkey(ahash, key, bits / 8);
	if (err)
		goto err_free;
	return ahash;

err_free:
	crypto_free_ahash(ahash);
	return ERR_PTR(err);
}
