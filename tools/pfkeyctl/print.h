/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfkeyctl: received messages, as text (setkey -D style) or JSON.
 */
#ifndef PFKEYCTL_PRINT_H
#define PFKEYCTL_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "reply.h"

struct pfk_print_opts {
	bool json;	/* one JSON object per message, one per line */
	bool keys;	/* key material of get and dump replies; never monitor */
	bool header;	/* name the message type (monitor, -R) */
};

void pfk_print(FILE *out, const struct pfk_reply *r,
	       const struct pfk_print_opts *o);
/* a "name value" counter file as read from /proc/net/ipsec/ */
void pfk_print_stats(FILE *out, const char *proto, FILE *in, bool json,
		     bool first);

#endif /* PFKEYCTL_PRINT_H */
