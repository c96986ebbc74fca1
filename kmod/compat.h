/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel lines the module builds against: Debian 12's 6.1 and 6.12
 * (Debian 13, bookworm-backports and bookworm-security). Every difference
 * between them is hidden here, so the rest of the code has no version
 * checks.
 */
#ifndef _IPSEC_COMPAT_H
#define _IPSEC_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/udp.h>
#include <crypto/aead.h>

/* building against kernel a.b.c or a later one */
#define IPSEC_KERNEL_SINCE(a, b, c)	(KERNEL_VERSION(a, b, c) <= LINUX_VERSION_CODE)

/* 6.5 moved skb_gso_segment() to its own header */
#if IPSEC_KERNEL_SINCE(6, 5, 0)
#include <net/gso.h>
#endif

/* 6.12 moved the unaligned accessors out of asm/ */
#if IPSEC_KERNEL_SINCE(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * proc_handler: 6.11 constified its table argument. Handlers are
 * declared with IPSEC_CTL_TABLE_CONST struct ctl_table *.
 */
#if IPSEC_KERNEL_SINCE(6, 11, 0)
#define IPSEC_CTL_TABLE_CONST const
#else
#define IPSEC_CTL_TABLE_CONST
#endif

/*
 * crypto_completion_t: until 6.3 it took the request, since then the
 * request's data. A completion is declared as
 *   static void fn(IPSEC_CRYPTO_CB_ARG arg, int err)
 * and finds its data with ipsec_crypto_cb_data(arg).
 */
#if IPSEC_KERNEL_SINCE(6, 3, 0)
#define IPSEC_CRYPTO_CB_ARG void *
static inline void *ipsec_crypto_cb_data(void *data)
{
	return data;
}
#else
#define IPSEC_CRYPTO_CB_ARG struct crypto_async_request *
static inline void *ipsec_crypto_cb_data(struct crypto_async_request *areq)
{
	return areq->data;
}
#endif

/*
 * 6.12 turned NETIF_F_LLTX and NETIF_F_NETNS_LOCAL into the net_device
 * bits lltx and netns_local; 6.15 renamed netns_local to netns_immutable,
 * and 6.12.114 took the rename too.
 */
#if IPSEC_KERNEL_SINCE(6, 15, 0) ||			\
	(IPSEC_KERNEL_SINCE(6, 12, 114) &&		\
	 !IPSEC_KERNEL_SINCE(6, 13, 0))
#define IPSEC_NETNS_IMMUTABLE 1
#endif

static inline void ipsec_netdev_set_lltx(struct net_device *dev)
{
#if IPSEC_KERNEL_SINCE(6, 12, 0)
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

static inline void ipsec_netdev_set_netns_local(struct net_device *dev)
{
#if defined(IPSEC_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#elif IPSEC_KERNEL_SINCE(6, 12, 0)
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

/*
 * register_net_sysctl() takes an array since 6.6 (it counts it with
 * ARRAY_SIZE); a table built at run time gives its size, without the
 * zeroed terminator the older kernels need.
 */
#if IPSEC_KERNEL_SINCE(6, 6, 0)
#define ipsec_register_net_sysctl(net, path, table, n)			\
	register_net_sysctl_sz(net, path, table, n)
#else
#define ipsec_register_net_sysctl(net, path, table, n)			\
	register_net_sysctl(net, path, table)
#endif

/*
 * The UDP socket table to look a namespace's sockets up in: since 6.2 a
 * namespace may have its own (net.ipv4.udp_child_hash_entries).
 */
static inline struct udp_table *ipsec_udp_table(const struct net *net)
{
#if IPSEC_KERNEL_SINCE(6, 2, 0)
	return net->ipv4.udp_table;
#else
	return &udp_table;
#endif
}

#endif /* _IPSEC_COMPAT_H */
