/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIGRATE (RFC 4555 MOBIKE; KAME's SADB_X_MIGRATE, XFRM's
 * XFRM_MSG_MIGRATE): a policy's tunnel endpoints and the SAs between
 * them move to new addresses. Both front ends (pfkey_migrate.c,
 * xfrm_nl_migrate.c) fill a struct ipsec_migration and call
 * ipsec_migrate(), which changes the SAD and SPD and tells the listeners
 * of both interfaces, as Linux's xfrm_migrate() and km_migrate() do.
 */
#ifndef IPSEC_MIGRATE_H
#define IPSEC_MIGRATE_H

#include <linux/netlink.h>
#include <linux/xfrm.h>

#include "spd.h"

/* Entries of one MIGRATE: XFRM_MAX_DEPTH, as xfrm_user takes them. */
#define IPSEC_MIGRATE_MAX	6

/* One old -> new endpoint pair (XFRM's struct xfrm_migrate). */
struct ipsec_migrate {
	xfrm_address_t old_saddr, old_daddr;
	xfrm_address_t new_saddr, new_daddr;
	u32 reqid;			/* 0: any */
	u8 proto;			/* IPPROTO_ESP, _AH, _COMP */
	u8 mode;			/* IPSEC_MODE_TRANSPORT, _TUNNEL */
	u8 old_family, new_family;
};

/* One MIGRATE request, as either interface gave it. */
struct ipsec_migration {
	/* the policy: selector, direction; its if_id (XFRM's) also names
	 * the SAs, and 0 stands for any, as in xfrm_migrate()
	 */
	struct ipsec_policy_key key;
	struct ipsec_migrate m[IPSEC_MIGRATE_MAX];
	unsigned int n;
	/* The key managers' own addresses (XFRMA_KMADDRESS,
	 * SADB_X_EXT_KMADDRESS), only passed on to listeners.
	 */
	bool has_km;
	u16 km_family;			/* passed on as given, as XFRM does */
	u32 km_reserved;
	xfrm_address_t km_local, km_remote;
	/* New UDP encapsulation of the SAs moved (XFRMA_ENCAP), or none */
	bool has_encap;
	struct xfrm_encap_tmpl encap;
	/* A PF_KEY request's sadb_msg_seq and _pid, echoed in the X_MIGRATE
	 * sent (0 for XFRM's, as af_key sends them)
	 */
	u32 pfkey_seq, pfkey_pid;
};

int ipsec_migrate(struct ipsec_net *in, const struct ipsec_migration *mg,
		  struct netlink_ext_ack *extack);

/* The announcements, built from what was asked (xfrm_nl_migrate.c,
 * pfkey_migrate.c).
 */
void ipsec_xfrm_nl_migrate_event(struct ipsec_net *in,
				 const struct ipsec_migration *mg);
void ipsec_pfkey_migrate_event(struct ipsec_net *in,
			       const struct ipsec_migration *mg);

#endif /* IPSEC_MIGRATE_H */
