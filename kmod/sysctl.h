/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The knobs of the two ipsec(4) pages, per namespace:
 * net.ipsec.* (IPv4 and shared) and net.ipsec6.* (IPv6).
 */
#ifndef IPSEC_SYSCTL_H
#define IPSEC_SYSCTL_H

#include <linux/types.h>

struct ipsec_net;

/* KAME def_policy values (ipsec_set_policy(3)) */
#define IPSEC_DEFPOLICY_DISCARD	0
#define IPSEC_DEFPOLICY_NONE	1

/* KAME levels usable as *_deflev */
#define IPSEC_DEFLEV_USE	1
#define IPSEC_DEFLEV_REQUIRE	2

/* dfbit: what the outer IPv4 header of a tunnel gets */
#define IPSEC_DFBIT_CLEAR	0
#define IPSEC_DFBIT_SET		1
#define IPSEC_DFBIT_COPY	2

#define IPSEC_ALGNAME_MAX	32

struct ipsec_af_cfg {
	int def_policy;
	int esp_trans_deflev;
	int esp_net_deflev;
	int ah_trans_deflev;
	int ah_net_deflev;
	int ecn;
	int debug;
	/* OpenBSD's socket levels a new socket starts with (levels.h):
	 * auth, ESP transport, ESP network, IPComp; IPSEC_SL_AVAIL..UNIQUE
	 */
	int sl_default[4];
};

struct ipsec_sysctl {
	int esp_enable;
	int ah_enable;
	int ipcomp_enable;
	int ah_cleartos;
	int ah_offsetmask;
	int dfbit;
	int filter_tunnel;
	struct ipsec_af_cfg inet;
	struct ipsec_af_cfg inet6;

	/* OpenBSD's defaults for SAs born of an ACQUIRE */
	int expire_acquire;
	int invalid_life;
	int pfs;
	int soft_timeout;
	int timeout;
	int soft_firstuse;
	int firstuse;
	unsigned long soft_allocs;
	unsigned long allocs;
	unsigned long soft_bytes;
	unsigned long bytes;
	char enc_alg[IPSEC_ALGNAME_MAX];
	char auth_alg[IPSEC_ALGNAME_MAX];
	char comp_alg[IPSEC_ALGNAME_MAX];

	/* Caps on the SAD and SPD of the namespace. A namespace of another
	 * user namespace takes init_net's at birth and cannot change them.
	 */
	int sa_max;
	int policy_max;
};

void ipsec_sysctl_defaults(struct ipsec_sysctl *cfg);
int ipsec_sysctl_net_init(struct ipsec_net *in);
void ipsec_sysctl_net_exit(struct ipsec_net *in);

#endif /* IPSEC_SYSCTL_H */
