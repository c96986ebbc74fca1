/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfkeyctl -x: commands sent over NETLINK_XFRM, their replies read.
 */
#ifndef PFKEYCTL_XFRM_SOCK_H
#define PFKEYCTL_XFRM_SOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "parser.h"

struct mnl_socket;

struct pfk_xfrm_ctx {
	struct mnl_socket *nl;	/* opened on first use */
	uint32_t seq;
	bool dry;		/* -n: build (and -v: dump) only */
	bool verbose;
	bool json;
	unsigned int failures;
};

/* runs @cmd; 0, or -1 after reporting "FILE:LINE: what: why" */
int pfk_xfrm_run(struct pfk_xfrm_ctx *x, const struct pfk_cmd *cmd);
void pfk_xfrm_close(struct pfk_xfrm_ctx *x);

/* monitor: a socket in every XFRM multicast group, or NULL (errno) */
struct mnl_socket *pfk_xfrm_monitor_open(void);
int pfk_xfrm_monitor_fd(struct mnl_socket *nl);
/* prints what is waiting on @nl; -1 on a socket error */
int pfk_xfrm_monitor_read(struct mnl_socket *nl, bool json);

#endif /* PFKEYCTL_XFRM_SOCK_H */
