// SPDX-License-Identifier: GPL-2.0
/*
 * The key manager this module registers with the kernel, for its
 * compile_policy: setsockopt(IP_IPSEC_POLICY, IP_XFRM_POLICY and their
 * IPV6_ twins) reaches xfrm_user_policy(), which asks each registered
 * key manager to compile the option's bytes into an xfrm_policy (under
 * rcu_read_lock(), so GFP_ATOMIC), and on success sets it as
 * sk->sk_policy[dir] itself, dir being what compile_policy returned.
 * Clearing both (a NULL option of length 0) is also done by the kernel.
 * The caller needs CAP_NET_ADMIN in the socket's namespace (ip_sockglue).
 *
 * Two formats, each checked to its last byte (EINVAL):
 *  - PF_KEY: one sadb_x_policy extension, exactly sadb_x_policy_len
 *    units long, with its sadb_x_ipsecrequests (RFC 2367 2.3; KAME's
 *    ipsec_set_policy(3), racoon, strongSwan kernel-pfkey). Direction
 *    inbound or outbound; ENTRUST gives the socket back to the SPD.
 *  - XFRM: xfrm_userpolicy_info then whole xfrm_user_tmpls (strongSwan
 *    kernel-netlink, libreswan). Direction in or out.
 *
 * The result is marked so that stock XFRM never applies it (sockpol.h);
 * the other key-manager callbacks have nothing to do for XFRM's own SAD,
 * which this stack does not use.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <net/sock.h>
#include <net/xfrm.h>

#include "hooks.h"
#include "levels.h"
#include "netns.h"
#include "pfkey.h"
#include "pfkey_parse.h"
#include "sockpol.h"

static void ipsec_sockpol_tmpl_level(struct xfrm_tmpl *t, u8 level)
{
	t->optional = level == IPSEC_LEVEL_USE;
	t->share = level == IPSEC_LEVEL_UNIQUE ? XFRM_SHARE_UNIQUE :
						 XFRM_SHARE_ANY;
	t->allalgs = 1;
	t->aalgos = ~0U;
	t->ealgos = ~0U;
	t->calgos = ~0U;
}

/* One checked sadb_x_ipsecrequest as a template. */
static void ipsec_sockpol_tmpl_pfkey(struct xfrm_tmpl *t,
				     const struct sadb_x_ipsecrequest *rq,
				     u16 family)
{
	const struct sockaddr *s, *d;

	memset(t, 0, sizeof(*t));
	t->id.proto = rq->sadb_x_ipsecrequest_proto;
	t->mode = rq->sadb_x_ipsecrequest_mode == IPSEC_MODE_TUNNEL ?
		  XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
	t->reqid = rq->sadb_x_ipsecrequest_reqid;
	ipsec_sockpol_tmpl_level(t, rq->sadb_x_ipsecrequest_level);
	t->encap_family = family;
	ipsec_pfkey_ipsecrequest_addrs(rq, &s, &d);
	if (s) {
		t->encap_family = s->sa_family;
		ipsec_sockaddr_get(s, &t->saddr, NULL);
		ipsec_sockaddr_get(d, &t->id.daddr, NULL);
	}
}

/* Fills xp from a PF_KEY policy; returns the XFRM direction or -errno. */
static int ipsec_sockpol_pfkey(struct xfrm_policy *xp, const u8 *data,
			       int len, u16 family)
{
	const struct sadb_x_policy *p = (const void *)data;
	const struct sadb_x_ipsecrequest *rq = NULL;
	int err, dir;

	if (len < sizeof(*p) || p->sadb_x_policy_len * 8 != len ||
	    p->sadb_x_policy_exttype != SADB_X_EXT_POLICY)
		return -EINVAL;
	err = ipsec_pfkey_check_policy(p, len);
	if (err)
		return err;
	if (p->sadb_x_policy_dir == IPSEC_DIR_INBOUND)
		dir = XFRM_POLICY_IN;
	else if (p->sadb_x_policy_dir == IPSEC_DIR_OUTBOUND)
		dir = XFRM_POLICY_OUT;
	else
		return -EINVAL;

	xp->action = p->sadb_x_policy_type == IPSEC_POLICY_DISCARD ?
		     XFRM_POLICY_BLOCK : XFRM_POLICY_ALLOW;
	if (p->sadb_x_policy_type == IPSEC_POLICY_ENTRUST)
		xp->mark.v = IPSEC_SOCKPOL_MARK_ENTRUST;
	while ((rq = ipsec_pfkey_ipsecrequest_next(p, rq))) {
		if (p->sadb_x_policy_type != IPSEC_POLICY_IPSEC ||
		    xp->xfrm_nr == IPSEC_SPD_MAX_REQS)
			return -EINVAL;
		ipsec_sockpol_tmpl_pfkey(&xp->xfrm_vec[xp->xfrm_nr++], rq,
					 family);
	}
	if (p->sadb_x_policy_type == IPSEC_POLICY_IPSEC && !xp->xfrm_nr)
		return -EINVAL;
	xp->family = family;
	xp->selector.family = family;
	xp->priority = p->sadb_x_policy_priority;
	return dir;
}

static int ipsec_sockpol_check_sel(const struct xfrm_selector *sel)
{
	switch (sel->family) {
	case AF_INET:
		return sel->prefixlen_d > 32 || sel->prefixlen_s > 32 ?
		       -EINVAL : 0;
	case AF_INET6:
		return sel->prefixlen_d > 128 || sel->prefixlen_s > 128 ?
		       -EINVAL : 0;
	}
	return -EINVAL;
}

/* RFC 4301 4.4.1.2 names what a request is; BEET and IPv6 route
 * optimisation are XFRM modes and protocols this stack does not have.
 */
static int ipsec_sockpol_check_tmpl(const struct xfrm_user_tmpl *ut,
				    u16 family, int dir)
{
	u16 tfamily = ut->family ?: family;

	switch (ut->id.proto) {
	case IPPROTO_ESP:
	case IPPROTO_AH:
	case IPPROTO_COMP:
		break;
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
	if (tfamily != AF_INET && tfamily != AF_INET6)
		return -EINVAL;
	switch (ut->mode) {
	case XFRM_MODE_TRANSPORT:
		return tfamily == family ? 0 : -EINVAL;
	case XFRM_MODE_TUNNEL:
		/* as XFRM: an optional tunnel out would send in the clear */
		return ut->optional && dir == XFRM_POLICY_OUT ? -EINVAL : 0;
	case XFRM_MODE_BEET:
	case XFRM_MODE_ROUTEOPTIMIZATION:
	case XFRM_MODE_IN_TRIGGER:
		return -EOPNOTSUPP;
	}
	return -EINVAL;
}

static void ipsec_sockpol_tmpl_xfrm(struct xfrm_tmpl *t,
				    const struct xfrm_user_tmpl *ut,
				    u16 family)
{
	memset(t, 0, sizeof(*t));
	t->id = ut->id;
	t->saddr = ut->saddr;
	t->reqid = ut->reqid;
	t->mode = ut->mode;
	t->share = ut->share == XFRM_SHARE_UNIQUE ? XFRM_SHARE_UNIQUE :
						     XFRM_SHARE_ANY;
	t->optional = !!ut->optional;
	t->allalgs = 1;
	t->aalgos = ~0U;
	t->ealgos = ~0U;
	t->calgos = ~0U;
	t->encap_family = ut->family ?: family;
}

/* Fills xp from an XFRM policy; returns the XFRM direction or -errno. */
static int ipsec_sockpol_xfrm(struct xfrm_policy *xp, const u8 *data,
			      int len, u16 family)
{
	const struct xfrm_userpolicy_info *p = (const void *)data;
	const struct xfrm_user_tmpl *ut = (const void *)(p + 1);
	unsigned int i, nr;
	int err;

	if (len < sizeof(*p) || (len - sizeof(*p)) % sizeof(*ut))
		return -EINVAL;
	nr = (len - sizeof(*p)) / sizeof(*ut);
	if (nr > IPSEC_SPD_MAX_REQS)
		return -EINVAL;
	if (p->dir != XFRM_POLICY_IN && p->dir != XFRM_POLICY_OUT)
		return -EINVAL;
	if (p->action != XFRM_POLICY_ALLOW && p->action != XFRM_POLICY_BLOCK)
		return -EINVAL;
	if (p->share > XFRM_SHARE_UNIQUE)
		return -EINVAL;
	err = ipsec_sockpol_check_sel(&p->sel);
	if (err)
		return err;
	if (p->sel.family != family)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		err = ipsec_sockpol_check_tmpl(&ut[i], family, p->dir);
		if (err)
			return err;
	}

	xp->selector = p->sel;
	xp->family = family;
	xp->action = p->action;
	xp->flags = p->flags;
	xp->priority = p->priority;
	for (i = 0; i < nr; i++)
		ipsec_sockpol_tmpl_xfrm(&xp->xfrm_vec[i], &ut[i], family);
	xp->xfrm_nr = nr;
	return p->dir;
}

/* Which format an option carries, for a socket of @family; 0: not ours. */
static int ipsec_sockpol_format(int opt, u16 family)
{
	if (family == AF_INET && opt == IP_IPSEC_POLICY)
		return IP_IPSEC_POLICY;
	if (family == AF_INET && opt == IP_XFRM_POLICY)
		return IP_XFRM_POLICY;
	if (family == AF_INET6 && opt == IPV6_IPSEC_POLICY)
		return IP_IPSEC_POLICY;
	if (family == AF_INET6 && opt == IPV6_XFRM_POLICY)
		return IP_XFRM_POLICY;
	return 0;
}

static struct xfrm_policy *ipsec_sockpol_compile(struct sock *sk, int opt,
						 u8 *data, int len, int *dir)
{
	u16 family = sk->sk_family;
	struct xfrm_policy *xp;
	int format, ret;

	format = opt == IPSEC_LEVELS_OPT ? opt :
		 ipsec_sockpol_format(opt, family);
	if (!format) {
		*dir = -EOPNOTSUPP;
		return NULL;
	}
	xp = xfrm_policy_alloc(sock_net(sk), GFP_ATOMIC);
	if (!xp) {
		*dir = -ENOBUFS;
		return NULL;
	}
	xp->mark.v = IPSEC_SOCKPOL_MARK;
	xp->mark.m = 0;		/* never matches: XFRM skips it */
	xp->lft.soft_byte_limit = XFRM_INF;
	xp->lft.hard_byte_limit = XFRM_INF;
	xp->lft.soft_packet_limit = XFRM_INF;
	xp->lft.hard_packet_limit = XFRM_INF;
	xp->family = family;
	xp->selector.family = family;
	if (format == IPSEC_LEVELS_OPT)
		ret = ipsec_levels_compile(xp, data, len);
	else if (format == IP_IPSEC_POLICY)
		ret = ipsec_sockpol_pfkey(xp, data, len, family);
	else
		ret = ipsec_sockpol_xfrm(xp, data, len, family);
	/* the hooks enforce it: registered before setsockopt returns; ret
	 * stays the direction
	 */
	if (ret >= 0) {
		int err = ipsec_hooks_sockpol_atomic(ipsec_net(sock_net(sk)));

		if (err)
			ret = err;
	}
	*dir = ret;
	if (ret < 0) {
		/* never linked: freed as af_key frees a failed compile */
		xp->walk.dead = 1;
		xfrm_policy_destroy(xp);
		return NULL;
	}
	return xp;
}

/* km_query() calls every key manager's acquire: not ours to answer. */
static int ipsec_sockpol_acquire(struct xfrm_state *x, struct xfrm_tmpl *t,
				 struct xfrm_policy *xp)
{
	return -EOPNOTSUPP;
}

static struct xfrm_mgr ipsec_sockpol_km = {
	.acquire = ipsec_sockpol_acquire,
	.compile_policy = ipsec_sockpol_compile,
};

int ipsec_sockpol_init(void)
{
	xfrm_register_km(&ipsec_sockpol_km);
	return 0;
}

void ipsec_sockpol_uninit(void)
{
	/* waits for compile_policy callers (synchronize_rcu) */
	xfrm_unregister_km(&ipsec_sockpol_km);
}
