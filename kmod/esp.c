// SPDX-License-Identifier: GPL-2.0
/*
 * ESP (RFC 4303). For now: the per-SA transform, made when an SA is
 * added or updated with keys and freed with the SA.
 */
#include <linux/err.h>
#include <crypto/aead.h>

#include "crypto.h"
#include "esp.h"
#include "sad.h"

/* Process context (ADD/UPDATE). Any failure of the crypto API, a key
 * it refuses included, is EINVAL for the PF_KEY reply: the caller drops
 * the SA, so nothing is left behind.
 */
int ipsec_esp_state_init(struct ipsec_sa *sa)
{
	struct crypto_aead *aead;

	aead = ipsec_esp_aead_new(sa->ealg, sa->ekey, sa->ekey_bits,
				  sa->aalg, sa->akey, sa->akey_bits);
	if (IS_ERR(aead))
		return PTR_ERR(aead) == -ENOMEM ? -ENOMEM : -EINVAL;
	sa->aead = aead;
	return 0;
}

/* Process context (the SA's destroy path). */
void ipsec_esp_state_free(struct ipsec_sa *sa)
{
	if (sa->aead)
		crypto_free_aead(sa->aead);
	sa->aead = NULL;
}
