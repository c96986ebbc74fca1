// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/ipsec/{esp,ah,ipcomp}: one "name value" line per counter,
 * world-readable. Nothing here ever touches key material.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "netns.h"
#include "proc.h"
#include "stats.h"

static int ipsec_proc_show(struct seq_file *seq, void *v)
{
	struct ipsec_net *in = ipsec_net(seq_file_single_net(seq));
	enum ipsec_proto_idx p =
		(uintptr_t)pde_data(file_inode(seq->file));
	enum ipsec_stat s;

	for (s = 0; s < IPSEC_STAT_MAX; s++) {
		const char *name = ipsec_stat_name(p, s);

		if (name)
			seq_printf(seq, "%-24s %llu\n", name,
				   ipsec_stat_read(in, p, s));
	}
	return 0;
}

/* The key management side: sockets, and broadcasts they missed. */
static int ipsec_proc_pfkey_show(struct seq_file *seq, void *v)
{
	struct ipsec_net *in = ipsec_net(seq_file_single_net(seq));

	seq_printf(seq, "%-24s %u\n", "sas", ipsec_sad_count(in, 0));
	seq_printf(seq, "%-24s %d\n", "registered_sockets",
		   atomic_read(&in->pfkey_registered));
	seq_printf(seq, "%-24s %lld\n", "broadcast_drops",
		   (long long)atomic64_read(&in->pfkey_drops));
	return 0;
}

int ipsec_proc_net_init(struct ipsec_net *in)
{
	enum ipsec_proto_idx p;

	in->proc_dir = proc_net_mkdir(in->net, "ipsec", in->net->proc_net);
	if (!in->proc_dir)
		return -ENOMEM;

	for (p = 0; p < IPSEC_P_MAX; p++) {
		if (!proc_create_net_single(ipsec_proto_name(p), 0444,
					    in->proc_dir, ipsec_proc_show,
					    (void *)(uintptr_t)p))
			goto err;
	}
	if (!proc_create_net_single("pfkey", 0444, in->proc_dir,
				    ipsec_proc_pfkey_show, NULL))
		goto err;
	return 0;
err:
	remove_proc_subtree("ipsec", in->net->proc_net);
	in->proc_dir = NULL;
	return -ENOMEM;
}

void ipsec_proc_net_exit(struct ipsec_net *in)
{
	remove_proc_subtree("ipsec", in->net->proc_net);
	in->proc_dir = NULL;
}
