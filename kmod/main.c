// SPDX-License-Identifier: GPL-2.0
/*
 * ipsec.ko: an OpenBSD/KAME-style IPsec stack. Module init and exit only:
 * each part comes up in order and goes down in the reverse order.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/netlink.h>

#include "hooks.h"
#include "levels.h"
#include "netns.h"
#include "pfkey.h"
#include "proto.h"
#include "sad.h"
#include "sockpol.h"
#include "spd.h"
#include "xfrmi.h"

static int __init ipsec_init(void)
{
	int err;

	err = ipsec_sad_init();
	if (err)
		return err;
	err = ipsec_spd_init();
	if (err)
		goto err_sad;
	err = ipsec_netns_init();
	if (err)
		goto err_spd;
	/* before the protocol slots: stock xfrm_interface would hold ESP's
	 * too, and is the one to name
	 */
	err = ipsec_xfrmi_init();
	if (err)
		goto err_netns;
	err = ipsec_proto_init();
	if (err)
		goto err_xfrmi;
	err = ipsec_pfkey_init();
	if (err)
		goto err_proto;
	err = ipsec_sockpol_init();
	if (err)
		goto err_pfkey;
	err = ipsec_levels_init();
	if (err)
		goto err_sockpol;

	pr_info("IPsec (ESP, AH, IPComp; PF_KEY v2, XFRM netlink) loaded\n");
	return 0;

err_sockpol:
	ipsec_sockpol_uninit();
	ipsec_hooks_uninit();	/* freed whatever its references */
err_pfkey:
	ipsec_pfkey_uninit();
err_proto:
	ipsec_proto_uninit();
err_xfrmi:
	ipsec_xfrmi_uninit();
err_netns:
	ipsec_netns_uninit();
err_spd:
	ipsec_spd_uninit();
err_sad:
	ipsec_sad_uninit();
	return err;
}

static void __exit ipsec_exit(void)
{
	ipsec_levels_uninit();
	/* socket policies' task_works hold a module reference: none left */
	ipsec_sockpol_uninit();
	ipsec_hooks_uninit();	/* the last one has returned */
	ipsec_pfkey_uninit();
	ipsec_proto_uninit();
	ipsec_xfrmi_uninit();	/* deletes every XFRM interface */
	ipsec_netns_uninit();
	ipsec_spd_uninit();
	ipsec_sad_uninit();
}

module_init(ipsec_init);
module_exit(ipsec_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("OpenBSD/KAME-style IPsec: ESP, AH, IPComp, PF_KEY v2, enc0");
MODULE_ALIAS_NETPROTO(PF_KEY);
/* the first NETLINK_XFRM socket loads us, as it loads xfrm_user */
MODULE_ALIAS_NET_PF_PROTO(PF_NETLINK, NETLINK_XFRM);
/* and "ip link add ... type xfrm" loads us, not xfrm_interface */
MODULE_ALIAS_RTNL_LINK("xfrm");
MODULE_ALIAS_NETDEV("xfrm0");
