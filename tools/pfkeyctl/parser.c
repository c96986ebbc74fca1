// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl: the setkey grammar.
 *
 *   add|update [-46n] SRC DST PROTO SPI [EXT ...] ALGS ;
 *   get|delete [-46n] SRC DST PROTO SPI ;
 *   deleteall [-46n] SRC DST PROTO ;
 *   getspi [-46n] SRC DST PROTO [SPI] [-r MIN-MAX] [EXT ...] ;
 *   flush [PROTO] ;  dump [PROTO] ;  register [PROTO] ;
 *   spdadd|spdupdate [-46n] SRC_RANGE DST_RANGE UPPER [-ctx D A "S"]
 *       [-mark M[/MASK]] [-ifid N] POLICY ;
 *   spddelete [-46n] SRC_RANGE DST_RANGE UPPER [-ctx D A "S"] -P DIR ... ;
 *   spdflush ;  spddump ;  monitor ;  stats ;
 *
 * This file holds the tokens, errors, addresses and the command table;
 * parse_sa.c the SA commands, parse_spd.c the policy commands.
 *
 * Every error is reported as "FILE:LINE:COL: message near 'token'"; the
 * rest of the command, up to its ';', is then skipped.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <ipsec/pfkey.h>

#include "algs.h"
#include "compat.h"
#include "parser_int.h"

void pfk_parser_init(struct pfk_parser *p, struct pfk_lexer *lx)
{
	memset(p, 0, sizeof(*p));
	p->lx = lx;
	p->family = AF_UNSPEC;
}

void pos_of(struct pos *ps, const struct pfk_token *t)
{
	ps->line = t->line;
	ps->col = t->col;
	snprintf(ps->text, sizeof(ps->text), "%s", pfk_tok_show(t));
}

static int vperr_at(struct pfk_parser *p, const struct pos *ps,
		    const char *fmt, va_list ap)
{
	fprintf(stderr, "%s:%u:%u: ", p->lx->file, ps->line, ps->col);
	vfprintf(stderr, fmt, ap);
	if (!strcmp(ps->text, "end of input"))
		fputs(" near end of input\n", stderr);
	else
		fprintf(stderr, " near '%s'\n", ps->text);
	p->errors++;
	return -1;
}

int perr_at(struct pfk_parser *p, const struct pos *ps,
	    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vperr_at(p, ps, fmt, ap);
	va_end(ap);
	return -1;
}

/* near @t; a lexer error takes precedence over what the parser expected */
int perr(struct pfk_parser *p, const struct pfk_token *t,
	 const char *fmt, ...)
{
	struct pos ps;
	va_list ap;

	pos_of(&ps, t);
	if (t->type == TOK_ERROR)
		return perr_at(p, &ps, "%s", t->err);
	va_start(ap, fmt);
	vperr_at(p, &ps, fmt, ap);
	va_end(ap);
	return -1;
}

const struct pfk_token *take(struct pfk_parser *p)
{
	return pfk_lex_take(p->lx);
}

const struct pfk_token *peek(struct pfk_parser *p)
{
	return pfk_lex_peek(p->lx);
}

bool at_end(struct pfk_parser *p)
{
	const struct pfk_token *t = peek(p);

	return t->type == TOK_SEMI || (t->type == TOK_EOF && p->eof_ends);
}

/* the ';' that ends a command */
int expect_end(struct pfk_parser *p)
{
	const struct pfk_token *t = peek(p);

	if (t->type == TOK_SEMI || (t->type == TOK_EOF && p->eof_ends)) {
		if (t->type == TOK_SEMI)
			take(p);
		return 0;
	}
	if (t->type == TOK_EOF)
		return perr(p, t, "missing ';'");
	return perr(p, t, "expected ';'");
}

bool tok_is_word(const struct pfk_token *t)
{
	return t->type == TOK_WORD || t->type == TOK_NUMBER ||
	       t->type == TOK_HEX;
}

/* a whole number token, at most @max */
int get_num(struct pfk_parser *p, unsigned long long max,
	    const char *what, unsigned long long *v)
{
	const struct pfk_token *t = take(p);

	*v = 0;
	if (t->type != TOK_NUMBER && t->type != TOK_HEX)
		return perr(p, t, "expected %s", what);
	if (!t->num_ok || t->num > max)
		return perr(p, t, "number out of range (0..%llu)", max);
	*v = t->num;
	return 0;
}

/* a number written in a part of a word: decimal or 0x hex, whole */
int parse_ull(const char *s, unsigned long long max,
	      unsigned long long *v)
{
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	if (!isxdigit((unsigned char)s[base == 16 ? 2 : 0]))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, base);
	if (*end || errno || *v > max)
		return -1;
	return 0;
}

int resolve(const char *s, const struct copts *o, struct pfk_addr *a)
{
	struct addrinfo hints, *res;
	const char *c;

	memset(&a->u, 0, sizeof(a->u));
	if (o->family != AF_INET6 && inet_pton(AF_INET, s, &a->u.v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (o->family != AF_INET && inet_pton(AF_INET6, s, &a->u.v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	/* no name has a ':', and an IPv6 literal is no IPv4 name */
	if (o->numeric || !*s || strchr(s, ':'))
		return -1;
	/* a name has a letter; a mistyped number never goes to DNS */
	for (c = s; *c && !isalpha((unsigned char)*c); c++)
		;
	if (!*c)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = o->family;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(s, NULL, &hints, &res))
		return -1;
	for (; res; res = res->ai_next) {
		if (res->ai_family == AF_INET) {
			a->family = AF_INET;
			a->u.v4 = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
			break;
		}
		if (res->ai_family == AF_INET6) {
			a->family = AF_INET6;
			a->u.v6 =
			((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
			break;
		}
	}
	freeaddrinfo(res);
	return a->family ? 0 : -1;
}

/* "[port]", "[any]" or "[*]" at @br, which ends the string */
static int parse_port(struct pfk_parser *p, const struct pos *ps, char *br,
		      struct pfk_addr *a)
{
	unsigned long long v;
	size_t n = strlen(br);

	if (n < 3 || br[n - 1] != ']')
		return perr_at(p, ps, "bad port, expected [port]");
	br[n - 1] = '\0';
	if (!strcmp(br + 1, "any") || !strcmp(br + 1, "*"))
		v = 0;
	else if (parse_ull(br + 1, 65535, &v))
		return perr_at(p, ps, "bad port '%s'", br + 1);
	a->port = (uint16_t)v;
	a->has_port = true;
	*br = '\0';
	return 0;
}

/* addr[/prefix][[port]] in @buf, which it changes; errors at @ps */
static int parse_addr_str(struct pfk_parser *p, const struct pos *ps,
			  char *buf, const struct copts *o, int forms,
			  struct pfk_addr *a)
{
	char *br, *sl;
	unsigned long long v;
	unsigned int maxlen;

	memset(a, 0, sizeof(*a));
	br = strchr(buf, '[');
	if (br) {
		if (!(forms & A_PORT))
			return perr_at(p, ps, "a port is not allowed here");
		if (parse_port(p, ps, br, a))
			return -1;
	}
	sl = strchr(buf, '/');
	if (sl) {
		if (!(forms & A_PREFIX))
			return perr_at(p, ps,
				       "a prefix length is not allowed here");
		*sl++ = '\0';
	}
	if (resolve(buf, o, a)) {
		if (o->family == AF_INET)
			return perr_at(p, ps, "not an IPv4 address");
		if (o->family == AF_INET6)
			return perr_at(p, ps, "not an IPv6 address");
		return perr_at(p, ps, "bad address");
	}
	maxlen = a->family == AF_INET ? 32 : 128;
	a->prefixlen = maxlen;
	if (sl) {
		if (parse_ull(sl, maxlen, &v))
			return perr_at(p, ps, "bad prefix length (0..%u)",
				       maxlen);
		a->prefixlen = (uint8_t)v;
	}
	return 0;
}

/*
 * The next address. With @forms & A_PORT, the port may also be a token
 * of its own, as ipsec-tools' grammar allows ("10.0.1.2 [4500]").
 */
int take_addr(struct pfk_parser *p, const struct copts *o, int forms,
	      struct pfk_addr *a, struct pos *ps)
{
	const struct pfk_token *t = take(p);
	char buf[300];

	pos_of(ps, t);
	if (t->type == TOK_ERROR)
		return perr(p, t, "%s", t->err);
	if (!tok_is_word(t) || t->len >= 256)
		return perr(p, t, "expected an address");
	memcpy(buf, t->text, t->len + 1);
	t = peek(p);
	if ((forms & A_PORT) && t->type == TOK_WORD && t->text[0] == '[') {
		if (strchr(buf, '['))
			return perr(p, t, "two ports for one address");
		if (t->len >= sizeof(buf) - strlen(buf))
			return perr(p, t, "bad port, expected [port]");
		strcat(buf, t->text);
		pos_of(ps, take(p));
	}
	return parse_addr_str(p, ps, buf, o, forms, a);
}

int parse_pair(struct pfk_parser *p, const struct copts *o, int forms,
	       struct pfk_cmd *cmd, struct pos *spos, struct pos *dpos)
{
	if (take_addr(p, o, forms, &cmd->src, spos) ||
	    take_addr(p, o, forms, &cmd->dst, dpos))
		return -1;
	if (cmd->src.family != cmd->dst.family)
		return perr_at(p, dpos,
			       "source and destination address families differ");
	return 0;
}

/* [-46n] after the command word */
void parse_copts(struct pfk_parser *p, struct copts *o)
{
	const struct pfk_token *t;
	const char *c;

	o->family = p->family;
	o->numeric = false;
	for (;;) {
		t = peek(p);
		if (t->type != TOK_WORD || t->text[0] != '-' || !t->text[1])
			return;
		for (c = t->text + 1; *c; c++)
			if (*c != '4' && *c != '6' && *c != 'n')
				return;
		for (c = t->text + 1; *c; c++) {
			if (*c == '4')
				o->family = AF_INET;
			else if (*c == '6')
				o->family = AF_INET6;
			else
				o->numeric = true;
		}
		take(p);
	}
}

static const struct name_val satypes[] = {
	{ "esp", SADB_SATYPE_ESP },
	{ "ah", SADB_SATYPE_AH },
	{ "ipcomp", SADB_X_SATYPE_IPCOMP },
	{ "esp-udp", SADB_SATYPE_ESP },
	{ NULL, 0 }
};

int lookup(const struct name_val *nv, const char *name,
	   unsigned int *val)
{
	for (; nv->name; nv++) {
		if (!strcmp(nv->name, name)) {
			*val = nv->val;
			return 0;
		}
	}
	return -1;
}

int parse_satype(struct pfk_parser *p, struct pfk_cmd *cmd)
{
	const struct pfk_token *t = take(p);
	unsigned int v;

	if (pfk_tok_is(t, "tcp"))
		return perr(p, t,
			    "TCP-MD5 (RFC 2385) is set per socket with TCP_MD5SIG on Linux, not as an SA");
	if (pfk_tok_is(t, "esp-old") || pfk_tok_is(t, "ah-old"))
		return perr(p, t,
			    "the old ESP and AH of RFC 1827/1826 are not implemented");
	if (t->type != TOK_WORD || lookup(satypes, t->text, &v))
		return perr(p, t,
			    "expected a protocol (esp, esp-udp, ah, ipcomp)");
	cmd->satype = (uint8_t)v;
	cmd->sa.natt = !strcmp(t->text, "esp-udp");
	return 0;
}

/* [PROTO] ; for flush, dump and register */
static int parse_opt_satype(struct pfk_parser *p, struct pfk_cmd *cmd)
{
	if (at_end(p))
		return expect_end(p);
	if (parse_satype(p, cmd))
		return -1;
	if (cmd->sa.natt)
		cmd->sa.natt = false;
	return expect_end(p);
}

int parse_spi(struct pfk_parser *p, struct pfk_cmd *cmd)
{
	unsigned long long v;
	const struct pfk_token *t = peek(p);
	struct pos ps;

	pos_of(&ps, t);
	if (get_num(p, 0xffffffffull, "an SPI", &v))
		return -1;
	if (cmd->satype == SADB_X_SATYPE_IPCOMP && v > 0xffff)
		return perr_at(p, &ps, "an IPComp CPI has 16 bits");
	if (v == 0)
		return perr_at(p, &ps, "SPI 0 is reserved");
	cmd->sa.spi = (uint32_t)v;
	return 0;
}

const struct name_val modes[] = {
	{ "transport", IPSEC_MODE_TRANSPORT },
	{ "tunnel", IPSEC_MODE_TUNNEL },
	{ "any", IPSEC_MODE_ANY },
	{ NULL, 0 }
};

int parse_mode(struct pfk_parser *p, uint8_t *mode)
{
	const struct pfk_token *t = take(p);
	unsigned int v;

	if (t->type != TOK_WORD || lookup(modes, t->text, &v))
		return perr(p, t, "expected a mode (transport, tunnel, any)");
	*mode = (uint8_t)v;
	return 0;
}

/* a word where an option should be: a command word means a missing ';' */
int unknown_option(struct pfk_parser *p, const struct pfk_token *t)
{
	if (t->type == TOK_WORD && op_lookup(t->text) >= 0)
		return perr(p, t, "unknown option (missing ';' before it?)");
	return perr(p, t, "unknown option");
}

/* -ctx DOI ALG "CONTEXT", after add or before a policy */
int parse_ctx(struct pfk_parser *p, struct pfk_ctx *ctx)
{
	unsigned long long v;
	const struct pfk_token *t;

	if (get_num(p, 255, "a context DOI", &v))
		return -1;
	ctx->doi = (uint8_t)v;
	if (get_num(p, 255, "a context algorithm", &v))
		return -1;
	ctx->alg = (uint8_t)v;
	t = take(p);
	if (t->type != TOK_STRING && t->type != TOK_WORD)
		return perr(p, t, "expected a security context string");
	if (t->len >= sizeof(ctx->str))
		return perr(p, t, "security context too long");
	memcpy(ctx->str, t->text, t->len + 1);
	ctx->set = true;
	return 0;
}

/* the XFRM-only options refuse to be written for PF_KEY */
int need_xfrm(struct pfk_parser *p, const struct pfk_token *flag)
{
	if (p->xfrm)
		return 0;
	return perr(p, flag, "%s has no PF_KEY field: use pfkeyctl -x (XFRM)",
		    flag->text);
}

/* -mark VALUE[/MASK] (XFRMA_MARK); the mask defaults to all ones */
int opt_mark(struct pfk_parser *p, struct pfk_cmd *cmd,
	     const struct pfk_token *flag)
{
	unsigned long long v, mask = 0xffffffffull;
	const struct pfk_token *t;
	char buf[64];
	char *sl;

	if (need_xfrm(p, flag))
		return -1;
	t = take(p);
	if (!tok_is_word(t) || t->len >= sizeof(buf))
		return perr(p, t, "expected a mark VALUE[/MASK]");
	memcpy(buf, t->text, t->len + 1);
	sl = strchr(buf, '/');
	if (sl)
		*sl++ = '\0';
	if (parse_ull(buf, 0xffffffffull, &v) ||
	    (sl && parse_ull(sl, 0xffffffffull, &mask)))
		return perr(p, t, "expected a mark VALUE[/MASK] of 32 bits");
	cmd->x.mark_set = true;
	cmd->x.mark = (uint32_t)v;
	cmd->x.mark_mask = (uint32_t)mask;
	return 0;
}

/* -ifid N (XFRMA_IF_ID, the xfrm interface an SA or policy belongs to) */
int opt_ifid(struct pfk_parser *p, struct pfk_cmd *cmd,
	     const struct pfk_token *flag)
{
	unsigned long long v;

	if (need_xfrm(p, flag) ||
	    get_num(p, 0xffffffffull, "an interface id", &v))
		return -1;
	cmd->x.if_id_set = true;
	cmd->x.if_id = (uint32_t)v;
	return 0;
}

static const char *const op_names[] = {
	[PFK_OP_ADD] = "add",
	[PFK_OP_UPDATE] = "update",
	[PFK_OP_GET] = "get",
	[PFK_OP_DELETE] = "delete",
	[PFK_OP_DELETEALL] = "deleteall",
	[PFK_OP_FLUSH] = "flush",
	[PFK_OP_DUMP] = "dump",
	[PFK_OP_GETSPI] = "getspi",
	[PFK_OP_SPDADD] = "spdadd",
	[PFK_OP_SPDUPDATE] = "spdupdate",
	[PFK_OP_SPDDELETE] = "spddelete",
	[PFK_OP_SPDFLUSH] = "spdflush",
	[PFK_OP_SPDDUMP] = "spddump",
	[PFK_OP_REGISTER] = "register",
	[PFK_OP_MONITOR] = "monitor",
	[PFK_OP_STATS] = "stats",
};

#define PFK_NOPS	ARRAY_SIZE(op_names)

const char *pfk_op_name(enum pfk_op op)
{
	return (unsigned int)op < PFK_NOPS ? op_names[op] : "?";
}

int op_lookup(const char *word)
{
	unsigned int i;

	for (i = 0; i < PFK_NOPS; i++)
		if (!strcmp(word, op_names[i]))
			return (int)i;
	return -1;
}

static int parse_cmd(struct pfk_parser *p, struct pfk_cmd *cmd,
		     const struct pfk_token *t)
{
	int i = t->type == TOK_WORD ? op_lookup(t->text) : -1;

	if (i < 0)
		return perr(p, t, "unknown command");
	cmd->op = (enum pfk_op)i;
	switch (cmd->op) {
	case PFK_OP_ADD:
	case PFK_OP_UPDATE:
		return parse_add(p, cmd);
	case PFK_OP_GET:
	case PFK_OP_DELETE:
	case PFK_OP_DELETEALL:
		return parse_get(p, cmd);
	case PFK_OP_GETSPI:
		return parse_getspi(p, cmd);
	case PFK_OP_FLUSH:
	case PFK_OP_DUMP:
	case PFK_OP_REGISTER:
		return parse_opt_satype(p, cmd);
	case PFK_OP_SPDADD:
	case PFK_OP_SPDUPDATE:
	case PFK_OP_SPDDELETE:
		return parse_spd(p, cmd);
	case PFK_OP_SPDFLUSH:
	case PFK_OP_SPDDUMP:
	case PFK_OP_MONITOR:
	case PFK_OP_STATS:
		return expect_end(p);
	}
	return -1;
}

int pfk_parse_next(struct pfk_parser *p, struct pfk_cmd *cmd)
{
	const struct pfk_token *t;

	for (;;) {
		t = take(p);
		if (t->type == TOK_EOF)
			return 0;
		if (t->type != TOK_SEMI)	/* empty commands are fine */
			break;
	}
	memset(cmd, 0, sizeof(*cmd));
	cmd->file = p->lx->file;
	cmd->line = t->line;
	cmd->pol.ulproto = IPSEC_ULPROTO_ANY;
	if (t->type == TOK_ERROR)
		perr(p, t, "%s", t->err);
	else if (!parse_cmd(p, cmd, t))
		return 1;
	/* skip to the end of the command, unless at it already */
	t = &p->lx->tok[p->lx->cur];
	while (t->type != TOK_SEMI && t->type != TOK_EOF)
		t = take(p);
	return -1;
}

const char *pfk_satype_name(unsigned int satype)
{
	switch (satype) {
	case SADB_SATYPE_UNSPEC:
		return "unspec";
	case SADB_SATYPE_AH:
		return "ah";
	case SADB_SATYPE_ESP:
		return "esp";
	case SADB_X_SATYPE_IPCOMP:
		return "ipcomp";
	case SADB_SATYPE_RSVP:
		return "rsvp";
	case SADB_SATYPE_OSPFV2:
		return "ospfv2";
	case SADB_SATYPE_RIPV2:
		return "ripv2";
	case SADB_SATYPE_MIP:
		return "mip";
	}
	return "?";
}

const char *pfk_mode_name(unsigned int mode)
{
	switch (mode) {
	case IPSEC_MODE_ANY:
		return "any";
	case IPSEC_MODE_TRANSPORT:
		return "transport";
	case IPSEC_MODE_TUNNEL:
		return "tunnel";
	case IPSEC_MODE_BEET:
		return "beet";
	}
	return "?";
}

const char *pfk_dir_name(unsigned int dir)
{
	switch (dir) {
	case IPSEC_DIR_ANY:
		return "any";
	case IPSEC_DIR_INBOUND:
		return "in";
	case IPSEC_DIR_OUTBOUND:
		return "out";
	case IPSEC_DIR_FWD:
		return "fwd";
	}
	return "?";
}

const char *pfk_level_name(unsigned int level)
{
	switch (level) {
	case IPSEC_LEVEL_DEFAULT:
		return "default";
	case IPSEC_LEVEL_USE:
		return "use";
	case IPSEC_LEVEL_REQUIRE:
		return "require";
	case IPSEC_LEVEL_UNIQUE:
		return "unique";
	}
	return "?";
}

const char *pfk_addr_str(const struct pfk_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, &a->u, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}
