/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfkeyctl: a parsed command as a PF_KEY v2 message (RFC 2367).
 */
#ifndef PFKEYCTL_BUILD_H
#define PFKEYCTL_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "parser.h"

/* the largest message: sadb_msg_len is 16 bits of 64-bit words */
#define PFK_MSG_MAX	(65535 * 8)

/*
 * The message of @cmd in @buf, with @seq and @pid in the base header.
 * Returns its length in bytes; -1 when the command sends nothing
 * (stats) or does not fit in @size. Commands that send several messages
 * (register without a protocol, deleteall) are split up by the caller.
 */
int pfk_build(const struct pfk_cmd *cmd, uint32_t seq, uint32_t pid,
	      void *buf, size_t size);
/* the SADB message type @cmd sends */
uint8_t pfk_build_type(const struct pfk_cmd *cmd);

#endif /* PFKEYCTL_BUILD_H */
