/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfkeyctl: what the three parts of the setkey parser share (parser.c:
 * tokens, errors, addresses, the command table; parse_sa.c: SA commands
 * and their option table; parse_spd.c: policies). Not for other files.
 */
#ifndef PFKEYCTL_PARSER_INT_H
#define PFKEYCTL_PARSER_INT_H

#include "compat.h"
#include "parser.h"

/* where a token was, kept for errors found after it was consumed */
struct pos {
	unsigned int line;
	unsigned int col;
	char text[64];
};

/* address forms */
#define A_PREFIX	0x1	/* addr/prefix */
#define A_PORT		0x2	/* addr[port] */

/* per-command options [-46n] */
struct copts {
	int family;
	bool numeric;
};

struct name_val {
	const char *name;
	unsigned int val;
};

/* transport, tunnel, any */
extern const struct name_val modes[];

/* tokens and errors ("FILE:LINE:COL: message near 'token'") */
void pos_of(struct pos *ps, const struct pfk_token *t);
int perr_at(struct pfk_parser *p, const struct pos *ps, const char *fmt, ...);
int perr(struct pfk_parser *p, const struct pfk_token *t, const char *fmt, ...);
const struct pfk_token *take(struct pfk_parser *p);
const struct pfk_token *peek(struct pfk_parser *p);
bool at_end(struct pfk_parser *p);
int expect_end(struct pfk_parser *p);
bool tok_is_word(const struct pfk_token *t);
int unknown_option(struct pfk_parser *p, const struct pfk_token *t);
int op_lookup(const char *word);

/* numbers, names, addresses */
int get_num(struct pfk_parser *p, unsigned long long max, const char *what,
	    unsigned long long *v);
int parse_ull(const char *s, unsigned long long max, unsigned long long *v);
int lookup(const struct name_val *nv, const char *name, unsigned int *val);
int resolve(const char *s, const struct copts *o, struct pfk_addr *a);
int take_addr(struct pfk_parser *p, const struct copts *o, int forms,
	      struct pfk_addr *a, struct pos *ps);
int parse_pair(struct pfk_parser *p, const struct copts *o, int forms,
	       struct pfk_cmd *cmd, struct pos *spos, struct pos *dpos);
void parse_copts(struct pfk_parser *p, struct copts *o);
int parse_satype(struct pfk_parser *p, struct pfk_cmd *cmd);
int parse_spi(struct pfk_parser *p, struct pfk_cmd *cmd);
int parse_mode(struct pfk_parser *p, uint8_t *mode);

/* options both SAs and policies take */
int parse_ctx(struct pfk_parser *p, struct pfk_ctx *ctx);
int need_xfrm(struct pfk_parser *p, const struct pfk_token *flag);
int opt_mark(struct pfk_parser *p, struct pfk_cmd *cmd,
	     const struct pfk_token *flag);
int opt_ifid(struct pfk_parser *p, struct pfk_cmd *cmd,
	     const struct pfk_token *flag);

/* the commands (parse_sa.c, parse_spd.c) */
int parse_add(struct pfk_parser *p, struct pfk_cmd *cmd);
int parse_get(struct pfk_parser *p, struct pfk_cmd *cmd);
int parse_getspi(struct pfk_parser *p, struct pfk_cmd *cmd);
int parse_spd(struct pfk_parser *p, struct pfk_cmd *cmd);

#endif /* PFKEYCTL_PARSER_INT_H */
