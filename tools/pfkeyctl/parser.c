// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl: the setkey grammar.
 *
 *   add|update [-46n] SRC DST PROTO SPI [EXT ...] ALGS ;
 *   get|delete [-46n] SRC DST PROTO SPI ;
 *   deleteall [-46n] SRC DST PROTO ;
 *   getspi [-46n] SRC DST PROTO [-r MIN-MAX] [-m MODE] [-u REQID] ;
 *   flush [PROTO] ;  dump [PROTO] ;  register [PROTO] ;
 *   spdadd|spdupdate [-46n] SRC_RANGE DST_RANGE UPPER [-ctx D A "S"] POLICY ;
 *   spddelete [-46n] SRC_RANGE DST_RANGE UPPER [-ctx D A "S"] -P DIR ... ;
 *   spdflush ;  spddump ;  monitor ;  stats ;
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
#include "parser.h"

/* where a token was, kept for errors found after it was consumed */
struct pos {
	unsigned int line;
	unsigned int col;
	char text[64];
};

/* policy priorities of ipsec-tools ("prio low|def|high[+-N]") */
#define PFK_PRIO_HIGH		0x40000000u
#define PFK_PRIO_DEFAULT	0x80000000u
#define PFK_PRIO_LOW		0xc0000000u

/* address forms */
#define A_PREFIX	0x1	/* addr/prefix */
#define A_PORT		0x2	/* addr[port] */

/* per-command options [-46n] */
struct copts {
	int family;
	bool numeric;
};

void pfk_parser_init(struct pfk_parser *p, struct pfk_lexer *lx)
{
	memset(p, 0, sizeof(*p));
	p->lx = lx;
	p->family = AF_UNSPEC;
}

static void pos_of(struct pos *ps, const struct pfk_token *t)
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

static int perr_at(struct pfk_parser *p, const struct pos *ps,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vperr_at(p, ps, fmt, ap);
	va_end(ap);
	return -1;
}

/* near @t; a lexer error takes precedence over what the parser expected */
static int perr(struct pfk_parser *p, const struct pfk_token *t,
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

static const struct pfk_token *take(struct pfk_parser *p)
{
	return pfk_lex_take(p->lx);
}

static const struct pfk_token *peek(struct pfk_parser *p)
{
	return pfk_lex_peek(p->lx);
}

static bool at_end(struct pfk_parser *p)
{
	const struct pfk_token *t = peek(p);

	return t->type == TOK_SEMI || (t->type == TOK_EOF && p->eof_ends);
}

/* the ';' that ends a command */
static int expect_end(struct pfk_parser *p)
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

static bool tok_is_word(const struct pfk_token *t)
{
	return t->type == TOK_WORD || t->type == TOK_NUMBER ||
	       t->type == TOK_HEX;
}

/* a whole number token, at most @max */
static int get_num(struct pfk_parser *p, unsigned long long max,
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
static int parse_ull(const char *s, unsigned long long max,
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

static int resolve(const char *s, const struct copts *o, struct pfk_addr *a)
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
static int take_addr(struct pfk_parser *p, const struct copts *o, int forms,
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

static int parse_pair(struct pfk_parser *p, const struct copts *o, int forms,
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
static void parse_copts(struct pfk_parser *p, struct copts *o)
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

struct name_val {
	const char *name;
	unsigned int val;
};

static const struct name_val satypes[] = {
	{ "esp", SADB_SATYPE_ESP },
	{ "ah", SADB_SATYPE_AH },
	{ "ipcomp", SADB_X_SATYPE_IPCOMP },
	{ "esp-udp", SADB_SATYPE_ESP },
	{ NULL, 0 }
};

static int lookup(const struct name_val *nv, const char *name,
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

static int parse_satype(struct pfk_parser *p, struct pfk_cmd *cmd)
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

static int parse_spi(struct pfk_parser *p, struct pfk_cmd *cmd)
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

static const struct name_val modes[] = {
	{ "transport", IPSEC_MODE_TRANSPORT },
	{ "tunnel", IPSEC_MODE_TUNNEL },
	{ "any", IPSEC_MODE_ANY },
	{ NULL, 0 }
};

static int parse_mode(struct pfk_parser *p, uint8_t *mode)
{
	const struct pfk_token *t = take(p);
	unsigned int v;

	if (t->type != TOK_WORD || lookup(modes, t->text, &v))
		return perr(p, t, "expected a mode (transport, tunnel, any)");
	*mode = (uint8_t)v;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return tolower(c) - 'a' + 10;
}

/* a key: 0x hex digits, or a "string" taken byte for byte */
static int parse_key(struct pfk_parser *p, const struct pfk_alg *alg,
		     struct pfk_key *k)
{
	const struct pfk_token *t = take(p);
	char err[160];
	size_t i, n;

	if (t->type == TOK_HEX) {
		n = t->len - 2;
		if (n % 2)
			return perr(p, t,
				    "a hex key needs an even number of digits");
		if (n / 2 > PFK_KEY_MAX)
			return perr(p, t, "key too long");
		for (i = 0; i < n / 2; i++)
			k->data[i] = (uint8_t)(hexval(t->text[2 + 2 * i]) << 4 |
					       hexval(t->text[3 + 2 * i]));
		k->bits = (unsigned int)(n / 2 * 8);
	} else if (t->type == TOK_STRING) {
		if (t->len > PFK_KEY_MAX)
			return perr(p, t, "key too long");
		memcpy(k->data, t->text, t->len);
		k->bits = (unsigned int)(t->len * 8);
	} else {
		return perr(p, t, "expected a key (0x... or \"...\")");
	}
	if (alg && pfk_alg_check_key(alg, k->bits, err, sizeof(err)))
		return perr(p, t, "%s", err);
	return 0;
}

/* -E/-A/-C ALG [KEY] */
static int parse_alg(struct pfk_parser *p, enum pfk_alg_kind kind,
		     struct pfk_key *k, const struct pfk_token *flag)
{
	const struct pfk_token *t;
	const struct pfk_alg *alg = NULL;
	unsigned int id;
	bool key;

	if (k->set)
		return perr(p, flag, "%s algorithm given twice",
			    pfk_alg_kind_name(kind));
	t = take(p);
	if (t->type == TOK_NUMBER) {
		if (!t->num_ok || t->num > 255)
			return perr(p, t, "algorithm id out of range (0..255)");
		id = (unsigned int)t->num;
		alg = pfk_alg_by_id(kind, id);
	} else if (t->type == TOK_WORD) {
		alg = pfk_alg_by_name(kind, t->text);
		if (!alg && pfk_alg_refused(kind, t->text))
			return perr(p, t, "%s",
				    pfk_alg_refused(kind, t->text));
		if (!alg)
			return perr(p, t, "unknown %s algorithm",
				    pfk_alg_kind_name(kind));
		id = alg->id;
	} else {
		return perr(p, t, "expected an %s algorithm",
			    pfk_alg_kind_name(kind));
	}
	k->alg = id;
	k->def = alg;
	k->set = true;
	k->bits = 0;
	if (kind == PFK_ALG_COMP)
		return 0;
	if (alg) {
		key = alg->key_max > 0;
		/* setkey writes "-E null """ too */
		if (!key && peek(p)->type == TOK_STRING && !peek(p)->len) {
			take(p);
			return 0;
		}
	} else {
		key = peek(p)->type == TOK_HEX || peek(p)->type == TOK_STRING;
	}
	return key ? parse_key(p, alg, k) : 0;
}

static const struct name_val padopts[] = {
	{ "zero-pad", SADB_X_EXT_PZERO },
	{ "random-pad", SADB_X_EXT_PRAND },
	{ "seq-pad", SADB_X_EXT_PSEQ },
	{ NULL, 0 }
};

static int parse_flag(struct pfk_parser *p, struct pfk_sa *sa)
{
	const struct pfk_token *t = take(p);
	unsigned int v;

	if (t->type != TOK_WORD)
		goto bad;
	if (!lookup(padopts, t->text, &v)) {
		sa->flags = (sa->flags & ~SADB_X_EXT_PMASK) | v;
		return 0;
	}
	if (!strcmp(t->text, "cyclic-seq")) {
		sa->flags |= SADB_X_EXT_CYCSEQ;
		return 0;
	}
	if (!strcmp(t->text, "nocyclic-seq")) {
		sa->flags &= ~SADB_X_EXT_CYCSEQ;
		return 0;
	}
	if (!strcmp(t->text, "esn")) {
		sa->flags |= SADB_X_SAFLAGS_ESN;
		return 0;
	}
bad:
	return perr(p, t,
		    "expected zero-pad, random-pad, seq-pad, cyclic-seq, nocyclic-seq or esn");
}

static int op_lookup(const char *word);

/* a word where an option should be: a command word means a missing ';' */
static int unknown_option(struct pfk_parser *p, const struct pfk_token *t)
{
	if (t->type == TOK_WORD && op_lookup(t->text) >= 0)
		return perr(p, t, "unknown option (missing ';' before it?)");
	return perr(p, t, "unknown option");
}

/* -ctx DOI ALG "CONTEXT", after add or before a policy */
static int parse_ctx(struct pfk_parser *p, struct pfk_ctx *ctx)
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
static int need_xfrm(struct pfk_parser *p, const struct pfk_token *flag)
{
	if (p->xfrm)
		return 0;
	return perr(p, flag, "%s has no PF_KEY field: use pfkeyctl -x (XFRM)",
		    flag->text);
}

/* -mark VALUE[/MASK] (XFRMA_MARK); the mask defaults to all ones */
static int opt_mark(struct pfk_parser *p, struct pfk_cmd *cmd,
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
static int opt_ifid(struct pfk_parser *p, struct pfk_cmd *cmd,
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

static int opt_mode(struct pfk_parser *p, struct pfk_cmd *cmd,
		    const struct pfk_token *flag)
{
	(void)flag;
	return parse_mode(p, &cmd->sa.mode);
}

/*
 * XFRM_REPLAY_ESN_MAX (4096 bytes of bitmap) bounds XFRM's window; a
 * PF_KEY window is the 8 bits of sadb_sa_replay (RFC 2367 2.3.1).
 */
#define PFK_XFRM_REPLAY_MAX	(4096 * 8)

static int opt_replay(struct pfk_parser *p, struct pfk_cmd *cmd,
		      const struct pfk_token *flag)
{
	const struct pfk_token *t = peek(p);
	unsigned long long v = 0;
	struct pos ps;

	(void)flag;
	pos_of(&ps, t);
	if (get_num(p, PFK_XFRM_REPLAY_MAX, "a replay window size", &v))
		return -1;
	if (v > 255 && !p->xfrm)
		return perr_at(p, &ps,
			       "number out of range (0..255); larger windows need -x (XFRM)");
	cmd->sa.replay = v > 255 ? 0 : (uint8_t)v;
	cmd->x.replay_window = (uint32_t)v;
	return 0;
}

static int opt_reqid(struct pfk_parser *p, struct pfk_cmd *cmd,
		     const struct pfk_token *flag)
{
	unsigned long long v;

	(void)flag;
	if (get_num(p, 0xffffffffull, "a reqid", &v))
		return -1;
	cmd->sa.reqid = (uint32_t)v;
	return 0;
}

static int opt_flag(struct pfk_parser *p, struct pfk_cmd *cmd,
		    const struct pfk_token *flag)
{
	(void)flag;
	return parse_flag(p, &cmd->sa);
}

/* -lh -ls (seconds) -bh -bs (bytes) -ah -as (allocations) */
static int opt_lifetime(struct pfk_parser *p, struct pfk_cmd *cmd,
			const struct pfk_token *flag)
{
	bool hard = flag->text[2] == 'h';
	char what = flag->text[1];
	struct pfk_lifetime *lt = hard ? &cmd->sa.hard : &cmd->sa.soft;
	unsigned long long v;

	if (get_num(p, what == 'a' ? 0xffffffffull : ~0ull,
		    what == 'l' ? "a time in seconds" :
		    what == 'b' ? "a byte count" : "an allocation count", &v))
		return -1;
	if (what == 'l')
		lt->addtime = v;
	else if (what == 'b')
		lt->bytes = v;
	else
		lt->allocations = (uint32_t)v;
	if (hard)
		cmd->sa.hard_set = true;
	else
		cmd->sa.soft_set = true;
	return 0;
}

static int opt_enc(struct pfk_parser *p, struct pfk_cmd *cmd,
		   const struct pfk_token *flag)
{
	const struct pfk_token *n = peek(p);

	/* a bare -E: extended sequence numbers */
	if (n->type == TOK_SEMI || n->type == TOK_EOF ||
	    (n->type == TOK_WORD && n->text[0] == '-')) {
		cmd->sa.flags |= SADB_X_SAFLAGS_ESN;
		return 0;
	}
	return parse_alg(p, PFK_ALG_ENC, &cmd->sa.enc, flag);
}

static int opt_auth(struct pfk_parser *p, struct pfk_cmd *cmd,
		    const struct pfk_token *flag)
{
	return parse_alg(p, PFK_ALG_AUTH, &cmd->sa.auth, flag);
}

/* -C ALG [-R]: -R asks for the well-known CPI (RFC 3173 3.3) */
static int opt_comp(struct pfk_parser *p, struct pfk_cmd *cmd,
		    const struct pfk_token *flag)
{
	if (parse_alg(p, PFK_ALG_COMP, &cmd->sa.comp, flag))
		return -1;
	if (pfk_tok_is(peek(p), "-R")) {
		take(p);
		cmd->sa.flags |= SADB_X_EXT_RAWCPI;
	}
	return 0;
}

static int opt_ctx(struct pfk_parser *p, struct pfk_cmd *cmd,
		   const struct pfk_token *flag)
{
	(void)flag;
	return parse_ctx(p, &cmd->sa.ctx);
}

/* MIN-MAX, or one value */
static int parse_spirange(struct pfk_parser *p, struct pfk_cmd *cmd,
			  const struct pfk_token *t)
{
	unsigned long long lo, hi;
	char buf[64];
	char *dash;

	if (!tok_is_word(t) || t->len >= sizeof(buf))
		return perr(p, t, "expected an SPI range MIN-MAX");
	strcpy(buf, t->text);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (parse_ull(buf, 0xffffffffull, &lo) ||
	    parse_ull(dash ? dash : buf, 0xffffffffull, &hi))
		return perr(p, t, "expected an SPI range MIN-MAX");
	if (lo > hi)
		return perr(p, t, "empty SPI range");
	if (lo == 0)
		return perr(p, t, "SPI 0 is reserved");
	cmd->sa.spi_min = (uint32_t)lo;
	cmd->sa.spi_max = (uint32_t)hi;
	return 0;
}

static int opt_spirange(struct pfk_parser *p, struct pfk_cmd *cmd,
			const struct pfk_token *flag)
{
	(void)flag;
	return parse_spirange(p, cmd, take(p));
}

/* getspi: "-r MIN-MAX" is a range; "-r N" is setkey's replay window */
static int opt_getspi_r(struct pfk_parser *p, struct pfk_cmd *cmd,
			const struct pfk_token *flag)
{
	const struct pfk_token *t = peek(p);

	if (tok_is_word(t) && strchr(t->text, '-'))
		return parse_spirange(p, cmd, take(p));
	return opt_replay(p, cmd, flag);
}

#define K_ADD		0x1	/* add, update */
#define K_GETSPI	0x2

/* the options after an SA's SPI (setkey's "extensions" and algorithms) */
static const struct sa_opt {
	const char *word;
	unsigned int where;
	int (*parse)(struct pfk_parser *p, struct pfk_cmd *cmd,
		     const struct pfk_token *flag);
} sa_opts[] = {
	{ "-m", K_ADD | K_GETSPI, opt_mode },
	{ "-r", K_ADD, opt_replay },
	{ "-r", K_GETSPI, opt_getspi_r },
	{ "spirange", K_GETSPI, opt_spirange },
	{ "-u", K_ADD | K_GETSPI, opt_reqid },
	{ "-f", K_ADD | K_GETSPI, opt_flag },
	{ "-lh", K_ADD | K_GETSPI, opt_lifetime },
	{ "-ls", K_ADD | K_GETSPI, opt_lifetime },
	{ "-bh", K_ADD | K_GETSPI, opt_lifetime },
	{ "-bs", K_ADD | K_GETSPI, opt_lifetime },
	{ "-ah", K_ADD | K_GETSPI, opt_lifetime },
	{ "-as", K_ADD | K_GETSPI, opt_lifetime },
	{ "-E", K_ADD, opt_enc },
	{ "-A", K_ADD, opt_auth },
	{ "-C", K_ADD, opt_comp },
	{ "-ctx", K_ADD, opt_ctx },
	{ "-mark", K_ADD | K_GETSPI, opt_mark },
	{ "-ifid", K_ADD | K_GETSPI, opt_ifid },
};

/* options up to ';', each looked up in sa_opts[] for @where */
static int parse_sa_opts(struct pfk_parser *p, struct pfk_cmd *cmd,
			 unsigned int where)
{
	const struct pfk_token *t;
	size_t i;

	while (!at_end(p)) {
		t = take(p);
		for (i = 0; i < ARRAY_SIZE(sa_opts); i++)
			if ((sa_opts[i].where & where) &&
			    pfk_tok_is(t, sa_opts[i].word))
				break;
		if (i == ARRAY_SIZE(sa_opts))
			return unknown_option(p, t);
		if (sa_opts[i].parse(p, cmd, t))
			return -1;
	}
	return 0;
}

/* which algorithms each protocol needs and takes (RFC 4303, 4302, 3173) */
static int check_sa_algs(struct pfk_parser *p, const struct pfk_cmd *cmd,
			 const struct pos *end)
{
	const struct pfk_sa *sa = &cmd->sa;
	const struct pfk_alg *ealg = sa->enc.set ? sa->enc.def : NULL;

	switch (cmd->satype) {
	case SADB_SATYPE_ESP:
		if (!sa->enc.set)
			return perr_at(p, end,
				       "esp needs an encryption algorithm (-E)");
		if (sa->comp.set)
			return perr_at(p, end, "-C is for ipcomp, not esp");
		if (ealg && ealg->aead && sa->auth.set)
			return perr_at(p, end,
				       "%s authenticates by itself: no -A",
				       ealg->name);
		/* RFC 4303 3.2: confidentiality, integrity, or both */
		if (sa->enc.alg == SADB_EALG_NULL &&
		    (!sa->auth.set || sa->auth.alg == SADB_X_AALG_NULL))
			return perr_at(p, end,
				       "-E null needs an authentication algorithm (-A)");
		break;
	case SADB_SATYPE_AH:
		if (!sa->auth.set)
			return perr_at(p, end,
				       "ah needs an authentication algorithm (-A)");
		if (sa->enc.set || sa->comp.set)
			return perr_at(p, end, "ah takes -A only");
		break;
	case SADB_X_SATYPE_IPCOMP:
		if (!sa->comp.set)
			return perr_at(p, end,
				       "ipcomp needs a compression algorithm (-C)");
		if (sa->enc.set || sa->auth.set)
			return perr_at(p, end, "ipcomp takes -C only");
		break;
	}
	return 0;
}

/* the extensions and algorithms of add/update, up to ';' */
static int parse_sa_body(struct pfk_parser *p, struct pfk_cmd *cmd)
{
	struct pos end;

	if (parse_sa_opts(p, cmd, K_ADD))
		return -1;
	pos_of(&end, peek(p));
	if (check_sa_algs(p, cmd, &end))
		return -1;
	return expect_end(p);
}

/* RFC 3948 2: NAT-T runs on UDP port 4500; setkey's default as well */
#define PFK_NATT_PORT	4500

/*
 * SRC DST PROTO, with the port rules of esp-udp: a port a side omits
 * is 4500, and "esp-udp ADDRESS" names the original address (NAT-OA).
 */
static int parse_sa_head(struct pfk_parser *p, struct pfk_cmd *cmd,
			 const struct copts *o)
{
	const struct pfk_token *t;
	struct pos spos, dpos, ps;

	if (parse_pair(p, o, A_PORT, cmd, &spos, &dpos))
		return -1;
	if (parse_satype(p, cmd))
		return -1;
	if (!cmd->sa.natt) {
		if (cmd->src.has_port)
			return perr_at(p, &spos,
				       "a port is only allowed with esp-udp");
		if (cmd->dst.has_port)
			return perr_at(p, &dpos,
				       "a port is only allowed with esp-udp");
		return 0;
	}
	if (!cmd->src.has_port || !cmd->src.port)
		cmd->src.port = PFK_NATT_PORT;
	if (!cmd->dst.has_port || !cmd->dst.port)
		cmd->dst.port = PFK_NATT_PORT;
	cmd->src.has_port = cmd->dst.has_port = true;
	t = peek(p);
	if (t->type == TOK_WORD && (strchr(t->text, '.') ||
				    strchr(t->text, ':'))) {
		if (take_addr(p, o, 0, &cmd->sa.natt_oa, &ps))
			return -1;
		cmd->sa.natt_oa_set = true;
	}
	return 0;
}

static int parse_add(struct pfk_parser *p, struct pfk_cmd *cmd)
{
	struct copts o;

	parse_copts(p, &o);
	if (parse_sa_head(p, cmd, &o) || parse_spi(p, cmd))
		return -1;
	return parse_sa_body(p, cmd);
}

static int parse_get(struct pfk_parser *p, struct pfk_cmd *cmd)
{
	struct copts o;

	parse_copts(p, &o);
	if (parse_sa_head(p, cmd, &o))
		return -1;
	if (cmd->op != PFK_OP_DELETEALL && parse_spi(p, cmd))
		return -1;
	return expect_end(p);
}

/*
 * getspi SRC DST PROTO [SPI] [OPTIONS]: NetBSD's setkey asks for exactly
 * SPI (a one-value SPI range) when it is given, as racoon does.
 */
static int parse_getspi(struct pfk_parser *p, struct pfk_cmd *cmd)
{
	const struct pfk_token *t;
	struct copts o;

	parse_copts(p, &o);
	if (parse_sa_head(p, cmd, &o))
		return -1;
	cmd->sa.spi_min = 0x100;
	cmd->sa.spi_max = cmd->satype == SADB_X_SATYPE_IPCOMP ?
			  0xffff : 0xffffffff;
	t = peek(p);
	if (t->type == TOK_NUMBER || t->type == TOK_HEX) {
		if (parse_spi(p, cmd))
			return -1;
		cmd->sa.spi_min = cmd->sa.spi_max = cmd->sa.spi;
	}
	if (parse_sa_opts(p, cmd, K_GETSPI))
		return -1;
	if (cmd->satype == SADB_X_SATYPE_IPCOMP && cmd->sa.spi_max > 0xffff)
		return perr(p, peek(p), "an IPComp CPI has 16 bits");
	return expect_end(p);
}

static const struct name_val ulprotos[] = {
	{ "any", IPSEC_ULPROTO_ANY },
	{ "icmp", IPPROTO_ICMP },
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "gre", IPPROTO_GRE },
	{ "esp", IPPROTO_ESP },
	{ "ah", IPPROTO_AH },
	{ "icmp6", IPPROTO_ICMPV6 },
	{ "ipv6-icmp", IPPROTO_ICMPV6 },
	{ "ipcomp", IPPROTO_COMP },
	{ "sctp", IPPROTO_SCTP },
	{ "udplite", IPPROTO_UDPLITE },
	{ NULL, 0 }
};

/* UPPER [TYPE[,CODE]] */
static int parse_upper(struct pfk_parser *p, struct pfk_cmd *cmd)
{
	const struct pfk_token *t = take(p);
	unsigned long long ty, code;
	unsigned int v;
	char buf[32];
	char *comma;
	struct protoent *pe;

	if (t->type == TOK_NUMBER) {
		if (!t->num_ok || t->num > 255)
			return perr(p, t, "protocol number out of range (0..255)");
		v = (unsigned int)t->num;
	} else if (t->type != TOK_WORD) {
		return perr(p, t, "expected an upper-layer protocol");
	} else if (lookup(ulprotos, t->text, &v)) {
		pe = getprotobyname(t->text);
		if (!pe)
			return perr(p, t, "unknown upper-layer protocol");
		v = (unsigned int)pe->p_proto;
	}
	cmd->pol.ulproto = (uint8_t)v;
	if (v != IPPROTO_ICMP && v != IPPROTO_ICMPV6)
		return 0;
	/* ICMP type and code travel in the source and destination ports */
	t = peek(p);
	if (t->type != TOK_NUMBER && !(t->type == TOK_WORD &&
				       isdigit((unsigned char)t->text[0])))
		return 0;
	t = take(p);
	if (t->len >= sizeof(buf))
		return perr(p, t, "bad ICMP type,code");
	strcpy(buf, t->text);
	comma = strchr(buf, ',');
	if (comma)
		*comma++ = '\0';
	if (parse_ull(buf, 255, &ty) ||
	    (comma && parse_ull(comma, 255, &code)))
		return perr(p, t, "bad ICMP type,code (0..255)");
	if ((cmd->src.has_port && cmd->src.port) ||
	    (cmd->dst.has_port && cmd->dst.port))
		return perr(p, t, "ports and ICMP type,code exclude each other");
	cmd->src.port = (uint16_t)ty;
	cmd->dst.port = comma ? (uint16_t)code : 0;
	cmd->src.has_port = true;
	cmd->dst.has_port = true;
	return 0;
}

static const struct name_val dirs[] = {
	{ "in", IPSEC_DIR_INBOUND },
	{ "out", IPSEC_DIR_OUTBOUND },
	{ "fwd", IPSEC_DIR_FWD },
	{ NULL, 0 }
};

static const struct name_val ptypes[] = {
	{ "discard", IPSEC_POLICY_DISCARD },
	{ "none", IPSEC_POLICY_NONE },
	{ "ipsec", IPSEC_POLICY_IPSEC },
	{ "entrust", IPSEC_POLICY_ENTRUST },
	{ "bypass", IPSEC_POLICY_BYPASS },
	{ NULL, 0 }
};

static const struct name_val prios[] = {
	{ "high", PFK_PRIO_HIGH },
	{ "def", PFK_PRIO_DEFAULT },
	{ "default", PFK_PRIO_DEFAULT },
	{ "low", PFK_PRIO_LOW },
	{ NULL, 0 }
};

/* prio N | prio BASE | prio BASE+N | prio BASE-N | prio BASE + N */
static int parse_prio(struct pfk_parser *p, struct pfk_policy *pol)
{
	const struct pfk_token *t = take(p);
	unsigned long long v, off;
	unsigned int base;
	char buf[64];
	char *op;
	char sign = 0;

	if (t->type == TOK_NUMBER || t->type == TOK_HEX) {
		if (!t->num_ok || t->num > 0xffffffffull)
			return perr(p, t, "priority out of range");
		pol->priority = (uint32_t)t->num;
		return 0;
	}
	if (t->type != TOK_WORD || t->len >= sizeof(buf))
		return perr(p, t, "expected a priority");
	strcpy(buf, t->text);
	op = strpbrk(buf, "+-");
	if (op) {
		sign = *op;
		*op++ = '\0';
	}
	if (lookup(prios, buf, &base))
		return perr(p, t, "expected a priority (N, low, def, high)");
	off = 0;
	if (op && *op) {
		if (parse_ull(op, 0x3fffffff, &off))
			return perr(p, t, "bad priority offset");
	} else if (op || pfk_tok_is(peek(p), "+") || pfk_tok_is(peek(p), "-")) {
		if (!op)
			sign = take(p)->text[0];
		if (get_num(p, 0x3fffffff, "a priority offset", &off))
			return -1;
	}
	v = base;
	if (sign == '+')
		v += off;
	else if (sign == '-')
		v -= off;
	pol->priority = (uint32_t)v;
	return 0;
}

static const struct name_val levels[] = {
	{ "default", IPSEC_LEVEL_DEFAULT },
	{ "use", IPSEC_LEVEL_USE },
	{ "require", IPSEC_LEVEL_REQUIRE },
	{ "unique", IPSEC_LEVEL_UNIQUE },
	{ NULL, 0 }
};

static const struct name_val reqprotos[] = {
	{ "esp", IPPROTO_ESP },
	{ "ah", IPPROTO_AH },
	{ "ipcomp", IPPROTO_COMP },
	{ NULL, 0 }
};

/* "addr" or "addr[port]" (NetBSD: a NAT-T endpoint's port) */
static int resolve_endpoint(char *s, const struct copts *o, struct pfk_addr *a)
{
	unsigned long long v = 0;
	char *br = strchr(s, '[');
	size_t n;
	int rc;

	if (br) {
		n = strlen(br);
		if (n < 3 || br[n - 1] != ']')
			return -1;
		br[n - 1] = '\0';
		if (parse_ull(br + 1, 65535, &v)) {
			br[n - 1] = ']';
			return -1;
		}
		*br = '\0';
	}
	rc = resolve(s, o, a);
	if (br) {
		*br = '[';
		br[n - 1] = ']';
	}
	a->port = (uint16_t)v;
	a->has_port = br != NULL;
	return rc;
}

/* "a-b": both addresses of one family; a name may hold a '-' */
static int parse_endpoints(char *s, const struct copts *o,
			   struct pfk_req *rq)
{
	char *dash;

	for (dash = strchr(s, '-'); dash; dash = strchr(dash + 1, '-')) {
		*dash = '\0';
		if (!resolve_endpoint(s, o, &rq->tsrc) &&
		    !resolve_endpoint(dash + 1, o, &rq->tdst) &&
		    rq->tsrc.family == rq->tdst.family) {
			*dash = '-';
			rq->tsrc.prefixlen = rq->tsrc.family == AF_INET ?
					     32 : 128;
			rq->tdst.prefixlen = rq->tsrc.prefixlen;
			return 0;
		}
		*dash = '-';
	}
	return -1;
}

/* proto/mode[/[src-dst][/level[:reqid]]] */
static int parse_request(struct pfk_parser *p, const struct pfk_token *t,
			 const struct copts *o, struct pfk_req *rq)
{
	char buf[300];
	char *part[4] = { NULL };
	char *s, *colon;
	unsigned int n = 0, v;
	unsigned long long id;

	memset(rq, 0, sizeof(*rq));
	if (!tok_is_word(t) || t->len >= sizeof(buf))
		return perr(p, t, "expected proto/mode/src-dst/level");
	strcpy(buf, t->text);
	for (s = buf; s && n < 4; n++) {
		part[n] = s;
		s = strchr(s, '/');
		if (s)
			*s++ = '\0';
	}
	if (s)
		return perr(p, t, "too many '/' in request");
	if (lookup(reqprotos, part[0], &v))
		return perr(p, t, "request protocol must be esp, ah or ipcomp");
	rq->proto = (uint8_t)v;
	if (!part[1] || lookup(modes, part[1], &v))
		return perr(p, t, "request mode must be transport or tunnel");
	rq->mode = (uint8_t)v;
	if (part[2] && *part[2]) {
		if (parse_endpoints(part[2], o, rq))
			return perr(p, t, "bad tunnel endpoints '%s'",
				    part[2]);
		rq->has_tunnel = true;
	}
	if (rq->mode == IPSEC_MODE_TUNNEL && !rq->has_tunnel)
		return perr(p, t, "tunnel mode needs endpoints src-dst");
	rq->level = IPSEC_LEVEL_DEFAULT;
	if (part[3] && *part[3]) {
		colon = strchr(part[3], ':');
		if (colon)
			*colon++ = '\0';
		if (lookup(levels, part[3], &v))
			return perr(p, t,
				    "level must be default, use, require or unique");
		rq->level = (uint8_t)v;
		if (colon) {
			if (v != IPSEC_LEVEL_UNIQUE)
				return perr(p, t, "only unique takes a reqid");
			if (parse_ull(colon, 0xffffffffull, &id))
				return perr(p, t, "bad reqid '%s'", colon);
			rq->reqid = (uint32_t)id;
		}
	}
	return 0;
}

/* -P DIR [prio P] [TYPE [REQUEST ...]] ; */
static int parse_policy(struct pfk_parser *p, struct pfk_cmd *cmd,
			const struct copts *o)
{
	struct pfk_policy *pol = &cmd->pol;
	const struct pfk_token *t;
	unsigned int v;

	t = take(p);
	if (!pfk_tok_is(t, "-P"))
		return perr(p, t, "expected -P");
	t = take(p);
	if (t->type != TOK_WORD || lookup(dirs, t->text, &v))
		return perr(p, t, "expected a direction (in, out, fwd)");
	pol->dir = (uint8_t)v;
	pol->type = IPSEC_POLICY_IPSEC;
	if (pfk_tok_is(peek(p), "prio") || pfk_tok_is(peek(p), "priority")) {
		take(p);
		if (parse_prio(p, pol))
			return -1;
	}
	if (at_end(p)) {
		if (cmd->op == PFK_OP_SPDDELETE)
			return expect_end(p);
		return perr(p, peek(p),
			    "expected a policy (discard, none, ipsec ...)");
	}
	t = take(p);
	if (t->type != TOK_WORD || lookup(ptypes, t->text, &v))
		return perr(p, t, "expected a policy (discard, none, ipsec ...)");
	pol->type = (uint16_t)v;
	while (!at_end(p)) {
		t = take(p);
		if (pol->type != IPSEC_POLICY_IPSEC)
			return perr(p, t, "only an ipsec policy has requests");
		if (pol->nreq == PFK_MAX_REQ)
			return perr(p, t, "at most %d requests", PFK_MAX_REQ);
		if (parse_request(p, t, o, &pol->req[pol->nreq]))
			return -1;
		pol->nreq++;
	}
	if (pol->type == IPSEC_POLICY_IPSEC && !pol->nreq &&
	    cmd->op != PFK_OP_SPDDELETE)
		return perr(p, peek(p), "an ipsec policy needs a request");
	return expect_end(p);
}

/* SRC DST UPPER [-ctx D A "S"] [-mark M[/MASK]] [-ifid N] POLICY */
static int parse_spd(struct pfk_parser *p, struct pfk_cmd *cmd)
{
	const struct pfk_token *t;
	struct pos spos, dpos;
	struct copts o;
	int rc;

	parse_copts(p, &o);
	if (parse_pair(p, &o, A_PREFIX | A_PORT, cmd, &spos, &dpos))
		return -1;
	if (parse_upper(p, cmd))
		return -1;
	for (;;) {
		t = peek(p);
		if (pfk_tok_is(t, "-ctx")) {
			take(p);
			rc = parse_ctx(p, &cmd->pol.ctx);
		} else if (pfk_tok_is(t, "-mark")) {
			rc = opt_mark(p, cmd, take(p));
		} else if (pfk_tok_is(t, "-ifid")) {
			rc = opt_ifid(p, cmd, take(p));
		} else {
			break;
		}
		if (rc)
			return -1;
	}
	return parse_policy(p, cmd, &o);
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

static int op_lookup(const char *word)
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

const char *pfk_ipproto_name(unsigned int proto)
{
	const struct name_val *nv;

	for (nv = ulprotos; nv->name; nv++)
		if (nv->val == proto)
			return nv->name;
	return NULL;
}

const char *pfk_addr_str(const struct pfk_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, &a->u, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}
