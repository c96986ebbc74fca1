/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfkeyctl: a parsed command as an XFRM netlink request (<linux/xfrm.h>),
 * the counterpart of build.c for pfkeyctl -x.
 */
#ifndef PFKEYCTL_XFRM_BUILD_H
#define PFKEYCTL_XFRM_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "parser.h"

/* a netlink message of XFRM: the kernel caps them at a page or two */
#define PFK_XFRM_MSG_MAX	16384

/*
 * The request of @cmd in @buf with @seq. Returns the message; NULL when
 * @cmd cannot be said over XFRM, with the reason in @err (e.g. an
 * algorithm known only by a PF_KEY number, allocations lifetimes).
 */
struct nlmsghdr *pfk_xfrm_build(const struct pfk_cmd *cmd, uint32_t seq,
				void *buf, size_t size, char *err,
				size_t errlen);
/* XFRM_MSG_* that @cmd sends; 0 for what XFRM has no message for */
uint16_t pfk_xfrm_type(const struct pfk_cmd *cmd);

#endif /* PFKEYCTL_XFRM_BUILD_H */
