/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfkeyctl: the setkey grammar, parsed into plain structures. Nothing
 * here knows the PF_KEY message layout (build.c does) or opens a socket.
 */
#ifndef PFKEYCTL_PARSER_H
#define PFKEYCTL_PARSER_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "lexer.h"

enum pfk_op {
	PFK_OP_ADD,
	PFK_OP_UPDATE,
	PFK_OP_GET,
	PFK_OP_DELETE,
	PFK_OP_DELETEALL,
	PFK_OP_FLUSH,
	PFK_OP_DUMP,
	PFK_OP_GETSPI,
	PFK_OP_SPDADD,
	PFK_OP_SPDUPDATE,
	PFK_OP_SPDDELETE,
	PFK_OP_SPDFLUSH,
	PFK_OP_SPDDUMP,
	PFK_OP_REGISTER,
	PFK_OP_MONITOR,
	PFK_OP_STATS,
};

struct pfk_addr {
	int family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
	uint8_t prefixlen;	/* full length unless "/N" was given */
	uint16_t port;		/* host order; 0 is any */
	bool has_port;
};

struct pfk_lifetime {
	uint32_t allocations;
	uint64_t bytes;
	uint64_t addtime;
	uint64_t usetime;
};

#define PFK_KEY_MAX	128	/* bytes */

struct pfk_alg;

struct pfk_key {
	unsigned int alg;	/* SADB id */
	const struct pfk_alg *def;	/* NULL: a number the table lacks */
	unsigned int bits;
	uint8_t data[PFK_KEY_MAX];
	bool set;
};

#define PFK_CTX_MAX	256

/* -ctx DOI ALG "STRING": a security context (SADB_X_EXT_SEC_CTX) */
struct pfk_ctx {
	bool set;
	uint8_t doi;
	uint8_t alg;
	char str[PFK_CTX_MAX];
};

/* XFRM only (pfkeyctl -x): what PF_KEY has no field for */
struct pfk_xfrm_ext {
	bool mark_set;
	uint32_t mark;
	uint32_t mark_mask;
	bool if_id_set;
	uint32_t if_id;
	uint32_t replay_window;	/* -R N: an ESN window beyond 255 */
};

/* add, update, get, delete, deleteall, getspi */
struct pfk_sa {
	uint32_t spi;
	bool natt;		/* esp-udp */
	uint8_t mode;		/* IPSEC_MODE_*, default ANY */
	uint32_t reqid;
	uint8_t replay;
	uint32_t flags;		/* sadb_sa_flags */
	struct pfk_lifetime hard;
	struct pfk_lifetime soft;
	bool hard_set;
	bool soft_set;
	struct pfk_key enc;
	struct pfk_key auth;
	struct pfk_key comp;	/* no key: alg only */
	uint32_t spi_min;	/* getspi */
	uint32_t spi_max;
	bool natt_oa_set;	/* esp-udp ADDRESS: NAT-T original address */
	struct pfk_addr natt_oa;
	struct pfk_ctx ctx;
};

#define PFK_MAX_REQ	4

struct pfk_req {
	uint8_t proto;		/* IPPROTO_ESP, _AH, _COMP */
	uint8_t mode;		/* IPSEC_MODE_* */
	uint8_t level;		/* IPSEC_LEVEL_* */
	uint32_t reqid;
	bool has_tunnel;
	struct pfk_addr tsrc;
	struct pfk_addr tdst;
};

struct pfk_policy {
	uint8_t dir;		/* IPSEC_DIR_* */
	uint16_t type;		/* IPSEC_POLICY_* */
	uint32_t priority;
	uint8_t ulproto;	/* upper-layer protocol, 255 is any */
	struct pfk_ctx ctx;
	int nreq;
	struct pfk_req req[PFK_MAX_REQ];
};

struct pfk_cmd {
	enum pfk_op op;
	uint8_t satype;		/* SADB_SATYPE_*, UNSPEC when none */
	const char *file;
	unsigned int line;
	struct pfk_addr src;
	struct pfk_addr dst;
	struct pfk_sa sa;
	struct pfk_policy pol;
	struct pfk_xfrm_ext x;
};

struct pfk_parser {
	struct pfk_lexer *lx;
	int family;		/* AF_UNSPEC, or AF_INET/AF_INET6 from -4/-6 */
	bool eof_ends;		/* end of input may stand for the last ';' */
	bool xfrm;		/* -x: XFRM's extensions are allowed */
	unsigned int errors;
};

void pfk_parser_init(struct pfk_parser *p, struct pfk_lexer *lx);
/*
 * One command. 1: @cmd is filled in; 0: end of input; -1: an error was
 * reported and the input skipped up to the next ';'.
 */
int pfk_parse_next(struct pfk_parser *p, struct pfk_cmd *cmd);

const char *pfk_op_name(enum pfk_op op);
const char *pfk_satype_name(unsigned int satype);
const char *pfk_mode_name(unsigned int mode);
const char *pfk_dir_name(unsigned int dir);
const char *pfk_level_name(unsigned int level);
const char *pfk_ipproto_name(unsigned int proto);
/* "10.0.0.1", "fe80::1"; @buf needs INET6_ADDRSTRLEN */
const char *pfk_addr_str(const struct pfk_addr *a, char *buf, size_t len);

#endif /* PFKEYCTL_PARSER_H */
