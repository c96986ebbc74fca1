/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel for kmod/pfkey_parse.c to build unchanged in
 * userland: force-included (-include) before anything else. The <linux/...>
 * headers it names exist in /usr/include as UAPI headers; what they lack
 * (the u8 family, struct sockaddr, AF_*, BIT, ALIGN...) comes from here.
 * No <netinet/in.h>: its sockaddr_in would clash with <linux/in.h>'s.
 */
#ifndef PFKEY_PARSE_SHIM_H
#define PFKEY_PARSE_SHIM_H

#include <assert.h>		/* static_assert */
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>		/* struct sockaddr, sa_family_t, AF_* */
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#define BIT(nr)			(1UL << (nr))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define ALIGN(x, a)		(((x) + ((a) - 1)) & ~(size_t)((a) - 1))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))

#endif /* PFKEY_PARSE_SHIM_H */
