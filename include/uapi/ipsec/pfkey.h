/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * PF_KEY v2 values of this project that <linux/pfkeyv2.h> lacks.
 */
#ifndef _UAPI_IPSEC_PFKEY_H
#define _UAPI_IPSEC_PFKEY_H

#include <linux/types.h>

/* ChaCha20-Poly1305 for ESP (RFC 7634); the id is IKEv2's transform id
 * ENCR_CHACHA20_POLY1305, as <linux/pfkeyv2.h> assigns none.
 */
#ifndef SADB_X_EALG_CHACHA20_POLY1305
#define SADB_X_EALG_CHACHA20_POLY1305	28
#endif

#endif /* _UAPI_IPSEC_PFKEY_H */
