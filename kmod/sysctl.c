// SPDX-License-Identifier: GPL-2.0
/*
 * net.ipsec.* and net.ipsec6.*: every knob named by OpenBSD's and KAME's
 * ipsec(4), plus OpenBSD's net.inet.ip.ipsec-* defaults for SAs that an
 * ACQUIRE gives birth to. Values outside a knob's range get EINVAL.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysctl.h>

#include <ipsec/levels.h>

#include "compat.h"
#include "crypto.h"
#include "netns.h"
#include "sysctl.h"

void ipsec_sysctl_defaults(struct ipsec_sysctl *cfg)
{
	const struct ipsec_af_cfg af = {
		.def_policy = IPSEC_DEFPOLICY_NONE,
		.esp_trans_deflev = IPSEC_DEFLEV_USE,
		.esp_net_deflev = IPSEC_DEFLEV_USE,
		.ah_trans_deflev = IPSEC_DEFLEV_USE,
		.ah_net_deflev = IPSEC_DEFLEV_USE,
		/* RFC 6040 normal mode, as Linux XFRM does by default */
		.ecn = 1,
		.sl_default = { IPSEC_SL_AVAIL, IPSEC_SL_AVAIL, IPSEC_SL_AVAIL,
				IPSEC_SL_AVAIL },
	};

	memset(cfg, 0, sizeof(*cfg));
	cfg->esp_enable = 1;
	cfg->ah_enable = 1;
	cfg->ipcomp_enable = 0;
	/* RFC 4302 3.3.3.1.1.1: TOS is mutable, zeroed for the ICV */
	cfg->ah_cleartos = 1;
	cfg->ah_offsetmask = 0;
	/* RFC 4301 8.1: copy DF from the inner header, as XFRM does */
	cfg->dfbit = IPSEC_DFBIT_COPY;
	cfg->inet = af;
	cfg->inet6 = af;

	/* OpenBSD's IPSEC_DEFAULT_* (sys/netinet/ip_ipsp.h) */
	cfg->expire_acquire = 30;
	cfg->invalid_life = 60;
	cfg->pfs = 1;
	cfg->soft_timeout = 80000;
	cfg->timeout = 86400;
	cfg->soft_firstuse = 3600;
	cfg->firstuse = 7200;
	strscpy(cfg->enc_alg, "aes", sizeof(cfg->enc_alg));
	strscpy(cfg->auth_alg, "hmac-sha1", sizeof(cfg->auth_alg));
	strscpy(cfg->comp_alg, "deflate", sizeof(cfg->comp_alg));
	cfg->sa_max = 1 << 20;
	cfg->policy_max = 1 << 20;
}

/*
 * Algorithm names: the string must name an algorithm of the table.
 * extra1 holds the kind, extra2 the namespace (for its lock).
 */
static int ipsec_sysctl_alg(IPSEC_CTL_TABLE_CONST struct ctl_table *table,
			    int write,
			    void *buffer, size_t *lenp, loff_t *ppos)
{
	enum ipsec_alg_kind kind = (uintptr_t)table->extra1;
	struct ipsec_net *in = table->extra2;
	char name[IPSEC_ALGNAME_MAX] = "";
	struct ctl_table tmp = {
		.data = name,
		.maxlen = sizeof(name),
	};
	int err;

	if (!write) {
		mutex_lock(&in->cfg_lock);
		strscpy(name, table->data, sizeof(name));
		mutex_unlock(&in->cfg_lock);
		return proc_dostring(&tmp, 0, buffer, lenp, ppos);
	}

	if (*ppos || *lenp >= sizeof(name))
		return -EINVAL;
	err = proc_dostring(&tmp, 1, buffer, lenp, ppos);
	if (err)
		return err;
	if (!ipsec_alg_by_name(kind, name))
		return -EINVAL;

	mutex_lock(&in->cfg_lock);
	strscpy(table->data, name, IPSEC_ALGNAME_MAX);
	mutex_unlock(&in->cfg_lock);
	return 0;
}

static int ipsec_offsetmask_max = 0xffff;
static int ipsec_debug_max = 2;
static int ipsec_sl_min = IPSEC_SL_AVAIL;
static int ipsec_sl_max = IPSEC_SL_UNIQUE;

/*
 * Knobs that decide whether packets of a namespace without policies need
 * the hooks (def_policy, the socket level defaults): a write is bracketed
 * by a hold on them (hooks.h), so they are registered before a stricter
 * value shows and unregistered only after a looser one does. extra1
 * holds the namespace; the range comes from the handler.
 */
static int ipsec_sysctl_gated(IPSEC_CTL_TABLE_CONST struct ctl_table *table,
			      int write, void *buffer, size_t *lenp,
			      loff_t *ppos, int *lo, int *hi)
{
	struct ipsec_net *in = table->extra1;
	struct ctl_table tmp = *table;
	int err;

	tmp.extra1 = lo;
	tmp.extra2 = hi;
	if (!write)
		return proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	err = ipsec_hooks_hold(in);
	if (err)
		return err;
	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	ipsec_hooks_release(in);
	return err;
}

static int ipsec_sysctl_def_policy(IPSEC_CTL_TABLE_CONST struct ctl_table *table,
				   int write, void *buffer, size_t *lenp,
				   loff_t *ppos)
{
	return ipsec_sysctl_gated(table, write, buffer, lenp, ppos,
				  SYSCTL_ZERO, SYSCTL_ONE);
}

static int ipsec_sysctl_level(IPSEC_CTL_TABLE_CONST struct ctl_table *table,
			      int write, void *buffer, size_t *lenp,
			      loff_t *ppos)
{
	return ipsec_sysctl_gated(table, write, buffer, lenp, ppos,
				  &ipsec_sl_min, &ipsec_sl_max);
}

static bool ipsec_sysctl_is_gated(const struct ctl_table *t)
{
	return t->proc_handler == ipsec_sysctl_def_policy ||
	       t->proc_handler == ipsec_sysctl_level;
}

/* Template .data are offsets: into struct ipsec_sysctl for the shared
 * knobs, into struct ipsec_af_cfg for the per-family ones.
 */
#define KNOB(name, off, size, handler, lo, hi) {			\
	.procname = name,						\
	.data = (void *)(off),						\
	.maxlen = size,							\
	.mode = 0644,							\
	.proc_handler = handler,					\
	.extra1 = lo,							\
	.extra2 = hi,							\
}

#define KNOB_INT(name, field, lo, hi)					\
	KNOB(name, offsetof(struct ipsec_sysctl, field), sizeof(int),	\
	     proc_dointvec_minmax, lo, hi)
#define KNOB_ULONG(name, field)						\
	KNOB(name, offsetof(struct ipsec_sysctl, field),		\
	     sizeof(unsigned long), proc_doulongvec_minmax, NULL, NULL)
#define KNOB_ALG(name, field, kind)					\
	KNOB(name, offsetof(struct ipsec_sysctl, field),		\
	     IPSEC_ALGNAME_MAX, ipsec_sysctl_alg, (void *)(kind), NULL)
#define KNOB_AF(name, field, lo, hi)					\
	KNOB(name, offsetof(struct ipsec_af_cfg, field), sizeof(int),	\
	     proc_dointvec_minmax, lo, hi)
#define KNOB_GATED(name, field, handler)				\
	KNOB(name, offsetof(struct ipsec_af_cfg, field), sizeof(int),	\
	     handler, NULL, NULL)

static const struct ctl_table ipsec_knobs[] = {
	KNOB_INT("esp_enable", esp_enable, SYSCTL_ZERO, SYSCTL_ONE),
	KNOB_INT("ah_enable", ah_enable, SYSCTL_ZERO, SYSCTL_ONE),
	KNOB_INT("ipcomp_enable", ipcomp_enable, SYSCTL_ZERO, SYSCTL_ONE),
	KNOB_INT("ah_cleartos", ah_cleartos, SYSCTL_ZERO, SYSCTL_ONE),
	KNOB_INT("ah_offsetmask", ah_offsetmask, SYSCTL_ZERO,
		 &ipsec_offsetmask_max),
	KNOB_INT("dfbit", dfbit, SYSCTL_ZERO, SYSCTL_TWO),
	KNOB_INT("filter_tunnel", filter_tunnel, SYSCTL_ZERO, SYSCTL_ONE),
	KNOB_INT("expire_acquire", expire_acquire, SYSCTL_ONE,
		 SYSCTL_INT_MAX),
	KNOB_INT("invalid_life", invalid_life, SYSCTL_ONE, SYSCTL_INT_MAX),
	KNOB_INT("pfs", pfs, SYSCTL_ZERO, SYSCTL_ONE),
	KNOB_INT("soft_timeout", soft_timeout, SYSCTL_ZERO, SYSCTL_INT_MAX),
	KNOB_INT("timeout", timeout, SYSCTL_ZERO, SYSCTL_INT_MAX),
	KNOB_INT("soft_firstuse", soft_firstuse, SYSCTL_ZERO,
		 SYSCTL_INT_MAX),
	KNOB_INT("firstuse", firstuse, SYSCTL_ZERO, SYSCTL_INT_MAX),
	KNOB_ULONG("soft_allocs", soft_allocs),
	KNOB_ULONG("allocs", allocs),
	KNOB_ULONG("soft_bytes", soft_bytes),
	KNOB_ULONG("bytes", bytes),
	KNOB_ALG("enc_alg", enc_alg, IPSEC_ALG_ENC),
	KNOB_ALG("auth_alg", auth_alg, IPSEC_ALG_AUTH),
	KNOB_ALG("comp_alg", comp_alg, IPSEC_ALG_COMP),
	KNOB_INT("sa_max", sa_max, SYSCTL_ONE, SYSCTL_INT_MAX),
	KNOB_INT("policy_max", policy_max, SYSCTL_ONE, SYSCTL_INT_MAX),
};

static bool ipsec_sysctl_is_cap(const struct ctl_table *t, struct ipsec_net *in)
{
	return t->data == &in->cfg.sa_max || t->data == &in->cfg.policy_max;
}

/* the same names under net.ipsec (IPv4) and net.ipsec6 */
static const struct ctl_table ipsec_af_knobs[] = {
	KNOB_GATED("def_policy", def_policy, ipsec_sysctl_def_policy),
	KNOB_AF("esp_trans_deflev", esp_trans_deflev, SYSCTL_ONE, SYSCTL_TWO),
	KNOB_AF("esp_net_deflev", esp_net_deflev, SYSCTL_ONE, SYSCTL_TWO),
	KNOB_AF("ah_trans_deflev", ah_trans_deflev, SYSCTL_ONE, SYSCTL_TWO),
	KNOB_AF("ah_net_deflev", ah_net_deflev, SYSCTL_ONE, SYSCTL_TWO),
	KNOB_AF("ecn", ecn, SYSCTL_ZERO, SYSCTL_ONE),
	KNOB_AF("debug", debug, SYSCTL_ZERO, &ipsec_debug_max),
	KNOB_GATED("auth_level", sl_default[0], ipsec_sysctl_level),
	KNOB_GATED("esp_trans_level", sl_default[1], ipsec_sysctl_level),
	KNOB_GATED("esp_network_level", sl_default[2], ipsec_sysctl_level),
	KNOB_GATED("ipcomp_level", sl_default[3], ipsec_sysctl_level),
};

/* Copy the shared knobs (if any) and the per-family ones into one
 * zero-terminated table pointing at this namespace's values.
 */
static struct ctl_table_header *ipsec_sysctl_register(struct ipsec_net *in,
						      const char *path,
						      bool shared,
						      struct ipsec_af_cfg *af)
{
	size_t ns = shared ? ARRAY_SIZE(ipsec_knobs) : 0;
	size_t na = ARRAY_SIZE(ipsec_af_knobs);
	struct ctl_table_header *hdr;
	struct ctl_table *t;
	size_t i;

	t = kcalloc(ns + na + 1, sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	for (i = 0; i < ns; i++) {
		t[i] = ipsec_knobs[i];
		t[i].data = (char *)&in->cfg + (uintptr_t)t[i].data;
		if (t[i].proc_handler == ipsec_sysctl_alg)
			t[i].extra2 = in;
		/* the caps guard the host against the namespace's owner */
		if (ipsec_sysctl_is_cap(&t[i], in) &&
		    in->net->user_ns != &init_user_ns)
			t[i].mode = 0444;
	}
	for (i = 0; i < na; i++) {
		t[ns + i] = ipsec_af_knobs[i];
		t[ns + i].data = (char *)af + (uintptr_t)t[ns + i].data;
		if (ipsec_sysctl_is_gated(&t[ns + i]))
			t[ns + i].extra1 = in;
	}

	hdr = ipsec_register_net_sysctl(in->net, path, t, ns + na);
	if (!hdr)
		kfree(t);
	return hdr;
}

static void ipsec_sysctl_unregister(struct ctl_table_header *hdr)
{
	const struct ctl_table *t = hdr->ctl_table_arg;

	unregister_net_sysctl_table(hdr);
	kfree(t);
}

int ipsec_sysctl_net_init(struct ipsec_net *in)
{
	in->sysctl_hdr = ipsec_sysctl_register(in, "net/ipsec", true,
					       &in->cfg.inet);
	if (!in->sysctl_hdr)
		return -ENOMEM;

	in->sysctl6_hdr = ipsec_sysctl_register(in, "net/ipsec6", false,
						&in->cfg.inet6);
	if (!in->sysctl6_hdr) {
		ipsec_sysctl_unregister(in->sysctl_hdr);
		in->sysctl_hdr = NULL;
		return -ENOMEM;
	}
	return 0;
}

void ipsec_sysctl_net_exit(struct ipsec_net *in)
{
	ipsec_sysctl_unregister(in->sysctl6_hdr);
	ipsec_sysctl_unregister(in->sysctl_hdr);
}
