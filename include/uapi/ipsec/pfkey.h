/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * PF_KEY v2 values of this project that <linux/pfkeyv2.h> lacks.
 * Shared by the kernel module and pfkeyctl: <linux/types.h> only.
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

/* AES-GMAC for AH (RFC 4543 4), one id per AES key size as errata 1821
 * splits it: FreeBSD's <net/pfkeyv2.h> values, which are the IPsec
 * authentication algorithm numbers IANA assigns AES-128/192/256-GMAC.
 */
#ifndef SADB_X_AALG_AES128GMAC
#define SADB_X_AALG_AES128GMAC	11
#define SADB_X_AALG_AES192GMAC	12
#define SADB_X_AALG_AES256GMAC	13
#endif

/*
 * sadb_sa_flags. Linux uses the top bits (SADB_SAFLAGS_NOPMTUDISC and
 * up); KAME puts its per-SA options ("setkey -f", "-C ... -R") in the
 * low bits, with these values.
 */
#ifndef SADB_X_EXT_CYCSEQ
#define SADB_X_EXT_CYCSEQ	0x0040	/* sequence numbers may wrap */
#endif
#ifndef SADB_X_EXT_RAWCPI
#define SADB_X_EXT_RAWCPI	0x0080	/* IPComp: well-known CPI */
#endif
#ifndef SADB_X_EXT_PSEQ
#define SADB_X_EXT_PSEQ		0x0000	/* ESP padding: 1, 2, 3, ... */
#define SADB_X_EXT_PRAND	0x0100	/* ESP padding: random */
#define SADB_X_EXT_PZERO	0x0200	/* ESP padding: zeros */
#define SADB_X_EXT_PMASK	0x0300
#endif
/* This project: 64-bit extended sequence numbers (RFC 4303 2.2.1). */
#ifndef SADB_X_SAFLAGS_ESN
#define SADB_X_SAFLAGS_ESN	0x0400
#endif

#endif /* _UAPI_IPSEC_PFKEY_H */
