/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The algorithm table: PF_KEY ids, the names pfkeyctl and the sysctls use,
 * and how each maps onto the kernel crypto API.
 */
#ifndef IPSEC_CRYPTO_H
#define IPSEC_CRYPTO_H

#include <linux/types.h>

enum ipsec_alg_kind {
	IPSEC_ALG_ENC,
	IPSEC_ALG_AUTH,
	IPSEC_ALG_COMP,
};

struct ipsec_alg {
	const char *name;	/* setkey's name */
	const char *alias[2];	/* other accepted names */
	const char *tfm;	/* kernel crypto API algorithm; XFRM's name */
	const char *xfrm_alias;	/* the older name XFRM also accepts */
	enum ipsec_alg_kind kind;
	u8 sadb_id;		/* SADB_EALG_* / SADB_AALG_* / SADB_X_CALG_* */
	/* ESP: combined mode, ICV produced by the cipher; AH: GMAC
	 * (RFC 4543), iv_len bytes of IV before the ICV
	 */
	bool aead;
	u16 key_min;		/* bits, salt/nonce included */
	u16 key_max;
	u16 key_step;		/* 0: only key_min */
	u8 icv_len;		/* bytes of ICV on the wire */
	u8 iv_len;		/* bytes of IV on the wire */
	u8 block;		/* ESP padding boundary, RFC 4303 2.4 */
	/* Reachable by XFRM name only: an ICV length of its own for an
	 * id PF_KEY already gives another entry, or no PF_KEY id at all.
	 * ipsec_alg_by_id() and ipsec_alg_next() pass over it.
	 */
	bool xfrm_only;
};

const struct ipsec_alg *ipsec_alg_by_name(enum ipsec_alg_kind kind,
					  const char *name);
const struct ipsec_alg *ipsec_alg_by_xfrm(enum ipsec_alg_kind kind,
					  const char *name,
					  unsigned int icv_bits);
const struct ipsec_alg *ipsec_alg_by_xfrm_key(enum ipsec_alg_kind kind,
					      const char *name,
					      unsigned int icv_bits,
					      unsigned int key_bits);
const struct ipsec_alg *ipsec_alg_by_id(enum ipsec_alg_kind kind, u8 id);
bool ipsec_alg_key_ok(const struct ipsec_alg *alg, unsigned int bits);
const struct ipsec_alg *ipsec_alg_next(enum ipsec_alg_kind kind,
				       const struct ipsec_alg *prev);
unsigned int ipsec_alg_count(void);
bool ipsec_alg_available(const struct ipsec_alg *alg);

struct crypto_aead;
struct crypto_ahash;
struct crypto_aead *ipsec_esp_aead_new(const struct ipsec_alg *ealg,
				       const u8 *ekey, unsigned int ebits,
				       const struct ipsec_alg *aalg,
				       const u8 *akey, unsigned int abits,
				       bool esn);
/* The keyed hash of an AH SA (RFC 4302): its ICV is the first
 * aalg->icv_len bytes of the digest. Process context.
 */
struct crypto_ahash *ipsec_ah_ahash_new(const struct ipsec_alg *aalg,
					const u8 *key, unsigned int bits);

/* RFC 4543 4: the salt is the key's last 4 bytes, the rest AES's. */
#define IPSEC_GMAC_SALT	4

/* AH with GMAC: gcm(aes) on the AES part of the key, a 16-byte tag; the
 * caller gives the nonce (salt and IV) per packet. Process context.
 */
struct crypto_aead *ipsec_ah_gmac_new(const struct ipsec_alg *aalg,
				      const u8 *key, unsigned int bits);

#endif /* IPSEC_CRYPTO_H */
