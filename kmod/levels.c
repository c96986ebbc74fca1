// SPDX-License-Identifier: GPL-2.0
/*
 * OpenBSD's per-socket IPsec levels (what they mean: levels.h): the
 * socket options, their storage in the socket's xfrm_policy, and the
 * checks the packet path asks of them.
 *
 * setsockopt: an int (else EINVAL), one of the five levels (else
 * EINVAL); below the namespace's default only with CAP_NET_ADMIN in its
 * user namespace (else EACCES, as OpenBSD). Levels replace a per-socket
 * policy only with that capability too, since it may have been stricter.
 * The levels are handed to xfrm_user_policy() under a private option
 * number that only this file uses; the kernel then asks the key managers
 * to compile them (sockpol.c) and keeps the result on the socket, one
 * copy per direction, the levels packed in the policy's if_id.
 */
#include <linux/capability.h>
#include <linux/netfilter.h>
#include <linux/sockptr.h>
#include <net/sock.h>
#include <net/xfrm.h>

#include <ipsec/levels.h>

#include "hooks.h"
#include "levels.h"
#include "netns.h"
#include "sockpol.h"
#include "spd.h"

/* What xfrm_user_policy() carries from here to ipsec_levels_compile(). */
struct ipsec_levels_blob {
	u8 dir;				/* XFRM_POLICY_IN or _OUT */
	struct ipsec_levels lv;
};

static u32 ipsec_levels_pack(const struct ipsec_levels *lv)
{
	u32 v = 0;
	int c;

	for (c = 0; c < IPSEC_LCAT_NUM; c++)
		v |= (u32)lv->l[c] << (8 * c);
	return v;
}

static void ipsec_levels_unpack(u32 v, struct ipsec_levels *lv)
{
	int c;

	for (c = 0; c < IPSEC_LCAT_NUM; c++)
		lv->l[c] = v >> (8 * c);
}

static const struct ipsec_af_cfg *
ipsec_levels_cfg(const struct ipsec_net *in, u8 family)
{
	return family == AF_INET6 ? &in->cfg.inet6 : &in->cfg.inet;
}

static void ipsec_levels_default(const struct ipsec_net *in, u8 family,
				 struct ipsec_levels *lv)
{
	const struct ipsec_af_cfg *c = ipsec_levels_cfg(in, family);
	int i;

	for (i = 0; i < IPSEC_LCAT_NUM; i++)
		lv->l[i] = READ_ONCE(c->sl_default[i]);
}

static bool ipsec_levels_avail(const struct ipsec_levels *lv)
{
	int c;

	for (c = 0; c < IPSEC_LCAT_NUM; c++)
		if (lv->l[c] > IPSEC_SL_AVAIL)
			return false;
	return true;
}

int ipsec_levels_compile(struct xfrm_policy *xp, const u8 *data, int len)
{
	const struct ipsec_levels_blob *b = (const void *)data;
	int c;

	if (len != sizeof(*b) ||
	    (b->dir != XFRM_POLICY_IN && b->dir != XFRM_POLICY_OUT))
		return -EINVAL;
	for (c = 0; c < IPSEC_LCAT_NUM; c++)
		if (b->lv.l[c] > IPSEC_SL_UNIQUE)
			return -EINVAL;
	xp->mark.v = IPSEC_SOCKPOL_MARK_LEVELS;
	xp->action = XFRM_POLICY_ALLOW;
	xp->if_id = ipsec_levels_pack(&b->lv);
	return b->dir;
}

/* Under RCU: @sk's own levels, if it has set any. *other: it has
 * another per-socket policy instead.
 */
static bool ipsec_levels_sk(const struct sock *sk, int dir,
			    struct ipsec_levels *lv, bool *other)
{
	const struct xfrm_policy *xp = rcu_dereference(sk->sk_policy[dir]);

	*other = false;
	if (!xp)
		return false;
	if (xp->mark.m || xp->mark.v != IPSEC_SOCKPOL_MARK_LEVELS) {
		*other = true;
		return false;
	}
	ipsec_levels_unpack(xp->if_id, lv);
	return true;
}

bool ipsec_levels_raised(const struct ipsec_net *in, u8 family)
{
	struct ipsec_levels lv;

	ipsec_levels_default(in, family, &lv);
	return !ipsec_levels_avail(&lv);
}

bool ipsec_levels_rcu(struct ipsec_net *in, const struct sock *sk, int dir,
		      u8 family, struct ipsec_levels *lv)
{
	bool other;

	if (!sk || !sk_fullsock(sk))
		return false;
	if (READ_ONCE(in->net->xfrm.policy_count[XFRM_POLICY_MAX + dir]) &&
	    ipsec_levels_sk(sk, dir, lv, &other))
		return true;
	ipsec_levels_default(in, family, lv);
	return !ipsec_levels_avail(lv);
}

bool ipsec_levels_bypass(const struct ipsec_levels *lv)
{
	return lv->l[IPSEC_LCAT_AUTH] == IPSEC_SL_BYPASS &&
	       lv->l[IPSEC_LCAT_ESP_TRANS] == IPSEC_SL_BYPASS &&
	       lv->l[IPSEC_LCAT_ESP_NET] == IPSEC_SL_BYPASS;
}

static bool ipsec_levels_pol_has(const struct ipsec_policy *pol, u8 proto,
				 int mode)
{
	unsigned int i;

	for (i = 0; pol && i < pol->nreqs; i++)
		if (pol->req[i].proto == proto &&
		    (mode < 0 || pol->req[i].mode == mode))
			return true;
	return false;
}

bool ipsec_levels_out_need(const struct ipsec_levels *lv,
			   const struct ipsec_policy *pol, u8 *need, u8 *must)
{
	static const struct {
		u8 cat, proto, bit;
	} add[] = {
		{ IPSEC_LCAT_IPCOMP, IPPROTO_COMP, IPSEC_LREQ_COMP },
		{ IPSEC_LCAT_ESP_TRANS, IPPROTO_ESP, IPSEC_LREQ_ESP },
		{ IPSEC_LCAT_AUTH, IPPROTO_AH, IPSEC_LREQ_AH },
	};
	unsigned int i;

	*need = 0;
	*must = 0;
	for (i = 0; i < ARRAY_SIZE(add); i++) {
		u8 l = lv->l[add[i].cat];

		if (l < IPSEC_SL_USE)
			continue;
		/* auth: AH in any mode; the others: in transport mode */
		if (ipsec_levels_pol_has(pol, add[i].proto,
					 add[i].proto == IPPROTO_AH ? -1 :
					 IPSEC_MODE_TRANSPORT))
			continue;
		*need |= add[i].bit;
		if (l >= IPSEC_SL_REQUIRE)
			*must |= add[i].bit;
	}
	return lv->l[IPSEC_LCAT_ESP_NET] < IPSEC_SL_REQUIRE ||
	       ipsec_levels_pol_has(pol, IPPROTO_ESP, IPSEC_MODE_TUNNEL);
}

/* Application order of transport requests: IPComp, ESP, AH (RFC 3173
 * 2; KAME and XFRM order bundles so).
 */
static int ipsec_levels_rank(u8 proto)
{
	return proto == IPPROTO_COMP ? 0 : proto == IPPROTO_ESP ? 1 : 2;
}

unsigned int ipsec_levels_plan(const struct ipsec_policy *pol, u8 need,
			       u8 must, struct ipsec_policy_req *out)
{
	static const u8 proto[] = { IPPROTO_COMP, IPPROTO_ESP, IPPROTO_AH };
	unsigned int n = 0, i, first_tunnel = 0, nreqs = pol ? pol->nreqs : 0;
	int rank;

	while (first_tunnel < nreqs &&
	       pol->req[first_tunnel].mode != IPSEC_MODE_TUNNEL)
		first_tunnel++;
	for (rank = 0; rank < ARRAY_SIZE(proto); rank++) {
		for (i = 0; i < first_tunnel; i++)
			if (ipsec_levels_rank(pol->req[i].proto) == rank)
				out[n++] = pol->req[i];
		if (!(need & BIT(rank)))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].proto = proto[rank];
		out[n].mode = IPSEC_MODE_TRANSPORT;
		out[n].level = must & BIT(rank) ? IPSEC_LEVEL_REQUIRE :
						  IPSEC_LEVEL_USE;
		n++;
	}
	for (i = first_tunnel; i < nreqs; i++)
		out[n++] = pol->req[i];
	return n;
}

bool ipsec_levels_in_ok(const struct ipsec_levels *lv,
			struct ipsec_sa *const *sas, unsigned int n,
			bool tunnel)
{
	bool ah = false, esp_trans = false, esp_net = false;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (sas[i]->id.proto == IPPROTO_AH)
			ah = true;
		else if (sas[i]->id.proto != IPPROTO_ESP)
			continue;
		else if (tunnel && i == n - 1)
			esp_net = true;
		else
			esp_trans = true;
	}
	if (lv->l[IPSEC_LCAT_AUTH] >= IPSEC_SL_REQUIRE && !ah)
		return false;
	if (lv->l[IPSEC_LCAT_ESP_TRANS] >= IPSEC_SL_REQUIRE && !esp_trans)
		return false;
	if (lv->l[IPSEC_LCAT_ESP_NET] >= IPSEC_SL_REQUIRE && !esp_net)
		return false;
	return true;
}

/* The socket options */

static int ipsec_levels_cat(int optval)
{
	return optval - IP_AUTH_LEVEL;
}

static int ipsec_levels_store(struct sock *sk, const struct ipsec_levels *lv)
{
	struct ipsec_levels_blob b = { .lv = *lv };
	int err;

	b.dir = XFRM_POLICY_IN;
	err = xfrm_user_policy(sk, IPSEC_LEVELS_OPT, KERNEL_SOCKPTR(&b),
			       sizeof(b));
	if (err)
		return err;
	/* Should this fail, the inbound direction keeps the new levels and
	 * the outbound one what it had: clearing both would leave the socket
	 * with less than either the old or the new levels ask for.
	 */
	b.dir = XFRM_POLICY_OUT;
	return xfrm_user_policy(sk, IPSEC_LEVELS_OPT, KERNEL_SOCKPTR(&b),
				sizeof(b));
}

static int ipsec_levels_set(struct sock *sk, int optval, sockptr_t arg,
			    unsigned int len)
{
	struct ipsec_net *in = ipsec_net(sock_net(sk));
	int cat = ipsec_levels_cat(optval), v, err;
	struct ipsec_levels lv, def;
	bool priv, other, other_in, own;

	if (len != sizeof(v))
		return -EINVAL;
	if (copy_from_sockptr(&v, arg, sizeof(v)))
		return -EFAULT;
	if (v < IPSEC_SL_BYPASS || v > IPSEC_SL_UNIQUE)
		return -EINVAL;
	priv = ns_capable(sock_net(sk)->user_ns, CAP_NET_ADMIN);
	ipsec_levels_default(in, sk->sk_family, &def);
	if (v < def.l[cat] && !priv)
		return -EACCES;

	lock_sock(sk);
	rcu_read_lock();
	ipsec_levels_sk(sk, XFRM_POLICY_IN, &lv, &other_in);
	own = ipsec_levels_sk(sk, XFRM_POLICY_OUT, &lv, &other);
	rcu_read_unlock();
	if ((other || other_in) && !priv) {
		err = -EACCES;
		goto out;
	}
	if (!own)
		lv = def;
	lv.l[cat] = v;
	/* the hooks first: they enforce the levels from the first packet */
	err = ipsec_hooks_sockpol(in);
	if (!err)
		err = ipsec_levels_store(sk, &lv);
out:
	release_sock(sk);
	return err;
}

static int ipsec_levels_get(struct sock *sk, int optval, void __user *user,
			    int *len)
{
	struct ipsec_net *in = ipsec_net(sock_net(sk));
	struct ipsec_levels lv;
	bool other;
	int v;

	if (*len < sizeof(v))
		return -EINVAL;
	rcu_read_lock();
	if (!ipsec_levels_sk(sk, XFRM_POLICY_OUT, &lv, &other))
		ipsec_levels_default(in, sk->sk_family, &lv);
	rcu_read_unlock();
	v = lv.l[ipsec_levels_cat(optval)];
	if (copy_to_user(user, &v, sizeof(v)))
		return -EFAULT;
	*len = sizeof(v);
	return 0;
}

static struct nf_sockopt_ops ipsec_levels_ops[] = {
	{
		.pf = PF_INET,
		.set_optmin = IP_AUTH_LEVEL,
		.set_optmax = IP_IPCOMP_LEVEL + 1,
		.set = ipsec_levels_set,
		.get_optmin = IP_AUTH_LEVEL,
		.get_optmax = IP_IPCOMP_LEVEL + 1,
		.get = ipsec_levels_get,
		.owner = THIS_MODULE,
	},
	{
		.pf = PF_INET6,
		.set_optmin = IPV6_AUTH_LEVEL,
		.set_optmax = IPV6_IPCOMP_LEVEL + 1,
		.set = ipsec_levels_set,
		.get_optmin = IPV6_AUTH_LEVEL,
		.get_optmax = IPV6_IPCOMP_LEVEL + 1,
		.get = ipsec_levels_get,
		.owner = THIS_MODULE,
	},
};

int ipsec_levels_init(void)
{
	int err;

	BUILD_BUG_ON(IP_IPCOMP_LEVEL - IP_AUTH_LEVEL + 1 != IPSEC_LCAT_NUM);
	BUILD_BUG_ON(IPSEC_LCAT_NUM !=
		     ARRAY_SIZE(((struct ipsec_af_cfg *)0)->sl_default));
	err = nf_register_sockopt(&ipsec_levels_ops[0]);
	if (err)
		return err;
	err = nf_register_sockopt(&ipsec_levels_ops[1]);
	if (err)
		nf_unregister_sockopt(&ipsec_levels_ops[0]);
	return err;
}

void ipsec_levels_uninit(void)
{
	nf_unregister_sockopt(&ipsec_levels_ops[1]);
	nf_unregister_sockopt(&ipsec_levels_ops[0]);
}
