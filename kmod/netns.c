// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace lifecycle: each part's state is set up in order and torn
 * down in reverse, when a namespace is born or dies and at load/unload.
 */
#include <linux/rtnetlink.h>

#include "enc.h"
#include "hooks.h"
#include "input.h"
#include "netns.h"
#include "pfkey.h"
#include "pfkey_acquire.h"
#include "proc.h"
#include "sad.h"
#include "spd.h"
#include "stats.h"
#include "sysctl.h"
#include "xfrm_nl.h"
#include "xfrmi.h"

unsigned int ipsec_net_id __read_mostly;

static int __net_init ipsec_net_init(struct net *net)
{
	struct ipsec_net *in = ipsec_net(net);
	int err;

	in->net = net;
	mutex_init(&in->cfg_lock);
	ipsec_sysctl_defaults(&in->cfg);
	if (net != &init_net) {
		const struct ipsec_sysctl *host = &ipsec_net(&init_net)->cfg;

		in->cfg.sa_max = READ_ONCE(host->sa_max);
		in->cfg.policy_max = READ_ONCE(host->policy_max);
	}

	/* first: every part below may take a reason for the hooks */
	err = ipsec_hooks_net_init(in);
	if (err)
		return err;
	err = ipsec_stats_net_init(in);
	if (err)
		goto err_hooks;
	err = ipsec_input_net_init(in);
	if (err)
		goto err_stats;
	err = ipsec_spd_net_init(in);
	if (err)
		goto err_input;
	err = ipsec_pfkey_net_init(in);
	if (err)
		goto err_spd;
	err = ipsec_xfrm_nl_net_init(in);
	if (err)
		goto err_pfkey;
	err = ipsec_acquire_net_init(in);
	if (err)
		goto err_xfrm_nl;
	err = ipsec_sad_net_init(in);
	if (err)
		goto err_acquire;
	err = ipsec_sysctl_net_init(in);
	if (err)
		goto err_sad;
	err = ipsec_proc_net_init(in);
	if (err)
		goto err_sysctl;
	return 0;

err_sysctl:
	ipsec_sysctl_net_exit(in);
err_sad:
	ipsec_sad_net_exit(in);
err_acquire:
	ipsec_acquire_net_exit(in);
err_xfrm_nl:
	ipsec_xfrm_nl_net_exit(in);
err_pfkey:
	ipsec_pfkey_net_exit(in);
err_spd:
	ipsec_spd_net_exit(in);
err_input:
	ipsec_input_net_exit(in);
err_stats:
	ipsec_stats_net_exit(in);
err_hooks:
	ipsec_hooks_net_exit(in);
	return err;
}

/* After the namespace's devices are gone (a subsys exit), so no packet
 * arrives any more; the SAD's exit then waits until every SA of the
 * namespace is destroyed: packets in flight, asynchronous crypto and SA
 * timers hold SAs, and an SA's reference keeps everything below alive.
 */
static void __net_exit ipsec_net_exit(struct net *net)
{
	struct ipsec_net *in = ipsec_net(net);

	/* first, as before the hooks came and went: nothing registers them
	 * again (the SPD's flush below only drops its reason)
	 */
	ipsec_hooks_net_exit(in);
	ipsec_proc_net_exit(in);
	ipsec_sysctl_net_exit(in);
	ipsec_sad_net_exit(in);
	ipsec_acquire_net_exit(in);
	ipsec_xfrm_nl_net_exit(in);
	ipsec_pfkey_net_exit(in);
	ipsec_spd_net_exit(in);
	ipsec_input_net_exit(in);
	ipsec_stats_net_exit(in);
	mutex_destroy(&in->cfg_lock);
}

static struct pernet_operations ipsec_net_ops = {
	.init = ipsec_net_init,
	.exit = ipsec_net_exit,
	.id = &ipsec_net_id,
	.size = sizeof(struct ipsec_net),
};

static int __net_init ipsec_net_dev_init(struct net *net)
{
	return ipsec_enc_net_init(ipsec_net(net));
}

static void __net_exit ipsec_net_dev_exit(struct net *net)
{
	ipsec_xfrmi_net_exit(ipsec_net(net));
	ipsec_enc_net_exit(ipsec_net(net));
}

/* enc0 and the XFRM interfaces are devices of the namespace: they must go before the namespace's
 * devices are moved back to init_net or destroyed, hence a device pernet
 * of its own, set up after the state and torn down before it.
 */
static struct pernet_operations ipsec_net_dev_ops = {
	.init = ipsec_net_dev_init,
	.exit = ipsec_net_dev_exit,
};

int ipsec_netns_init(void)
{
	int err;

	err = register_pernet_subsys(&ipsec_net_ops);
	if (err)
		return err;
	err = register_pernet_device(&ipsec_net_dev_ops);
	if (err)
		unregister_pernet_subsys(&ipsec_net_ops);
	return err;
}

void ipsec_netns_uninit(void)
{
	unregister_pernet_device(&ipsec_net_dev_ops);
	unregister_pernet_subsys(&ipsec_net_ops);
}
