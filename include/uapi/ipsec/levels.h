/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * OpenBSD's per-socket IPsec levels, ipsec(4): setsockopt(2) and
 * getsockopt(2) at IPPROTO_IP (IP_*) and IPPROTO_IPV6 (IPV6_*) with an
 * int holding one of the five levels.
 *
 * OpenBSD's option numbers (20, 21, 22, 29; 53, 54, 55, 60) are Linux's
 * IP_ORIGDSTADDR, IP_MINTTL, IP_NODEFRAG, IP_CHECKSUM and IPv6 options:
 * here they live at numbers no Linux option or netfilter module uses,
 * reached through netfilter's socket-option registration. Recompile
 * OpenBSD code against this header; the names and values of the levels
 * are OpenBSD's.
 *
 * KAME's <linux/ipsec.h> names three different levels (IPSEC_LEVEL_USE,
 * _REQUIRE, _UNIQUE as an enum with other values), so the two headers
 * cannot meet in one translation unit; IPSEC_SL_* are the same levels
 * under names that clash with nothing.
 */
#ifndef _UAPI_IPSEC_LEVELS_H
#define _UAPI_IPSEC_LEVELS_H

#define IP_AUTH_LEVEL		0x4950	/* AH, or ESP with integrity */
#define IP_ESP_TRANS_LEVEL	0x4951	/* ESP in transport mode */
#define IP_ESP_NETWORK_LEVEL	0x4952	/* ESP in tunnel mode */
#define IP_IPCOMP_LEVEL		0x4953	/* IPComp */

#define IPV6_AUTH_LEVEL		IP_AUTH_LEVEL
#define IPV6_ESP_TRANS_LEVEL	IP_ESP_TRANS_LEVEL
#define IPV6_ESP_NETWORK_LEVEL	IP_ESP_NETWORK_LEVEL
#define IPV6_IPCOMP_LEVEL	IP_IPCOMP_LEVEL

#define IPSEC_SL_BYPASS		0x00	/* skip the SPD (privileged) */
#define IPSEC_SL_AVAIL		0x01	/* the SPD decides (default) */
#define IPSEC_SL_USE		0x02	/* protect out if possible */
#define IPSEC_SL_REQUIRE	0x03	/* protect out; refuse clear in */
#define IPSEC_SL_UNIQUE		0x04	/* as require; SA of its own */

#ifndef __KERNEL__
#ifdef _LINUX_IPSEC_H
#error "<ipsec/levels.h> and <linux/ipsec.h> name different levels alike"
#endif
#define IPSEC_LEVEL_BYPASS	IPSEC_SL_BYPASS
#define IPSEC_LEVEL_NONE	IPSEC_SL_BYPASS
#define IPSEC_LEVEL_AVAIL	IPSEC_SL_AVAIL
#define IPSEC_LEVEL_USE		IPSEC_SL_USE
#define IPSEC_LEVEL_REQUIRE	IPSEC_SL_REQUIRE
#define IPSEC_LEVEL_UNIQUE	IPSEC_SL_UNIQUE
#define IPSEC_LEVEL_DEFAULT	IPSEC_SL_AVAIL
#endif /* !__KERNEL__ */

#endif /* _UAPI_IPSEC_LEVELS_H */
