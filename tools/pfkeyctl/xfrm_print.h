/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfkeyctl: XFRM netlink messages from the kernel, checked and printed
 * (text in the shape of "ip xfrm", or one JSON object per message).
 */
#ifndef PFKEYCTL_XFRM_PRINT_H
#define PFKEYCTL_XFRM_PRINT_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/netlink.h>

struct pfk_xfrm_print_opts {
	bool json;
	bool keys;	/* print key material (dumps and get, as setkey) */
	bool event;	/* monitor: name the message type first */
};

/*
 * Prints @nlh; 0, or -1 when it is too short for its type (reported on
 * stderr, nothing printed).
 */
int pfk_xfrm_print(FILE *f, const struct nlmsghdr *nlh,
		   const struct pfk_xfrm_print_opts *o);
const char *pfk_xfrm_msg_name(unsigned int type);

#endif /* PFKEYCTL_XFRM_PRINT_H */
