// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl: the SA commands of the setkey grammar (add, update, get,
 * delete, deleteall, getspi): keys, algorithms, and the options after
 * the SPI, looked up in one keyword table (sa_opts[]).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <ipsec/pfkey.h>

#include "algs.h"
#include "compat.h"
#include "parser_int.h"

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
		if (sa->auth.def && sa->auth.def->aead)
			return perr_at(p, end,
				       "%s is for ah; esp's GMAC is -E null-aes-gmac",
				       sa->auth.def->name);
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
	cmd->src.has_port = true;
	cmd->dst.has_port = true;
	t = peek(p);
	if (t->type == TOK_WORD && (strchr(t->text, '.') ||
				    strchr(t->text, ':'))) {
		if (take_addr(p, o, 0, &cmd->sa.natt_oa, &ps))
			return -1;
		cmd->sa.natt_oa_set = true;
	}
	return 0;
}

int parse_add(struct pfk_parser *p, struct pfk_cmd *cmd)
{
	struct copts o;

	parse_copts(p, &o);
	if (parse_sa_head(p, cmd, &o) || parse_spi(p, cmd))
		return -1;
	return parse_sa_body(p, cmd);
}

int parse_get(struct pfk_parser *p, struct pfk_cmd *cmd)
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
int parse_getspi(struct pfk_parser *p, struct pfk_cmd *cmd)
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
		cmd->sa.spi_min = cmd->sa.spi;
		cmd->sa.spi_max = cmd->sa.spi;
	}
	if (parse_sa_opts(p, cmd, K_GETSPI))
		return -1;
	if (cmd->satype == SADB_X_SATYPE_IPCOMP && cmd->sa.spi_max > 0xffff)
		return perr(p, peek(p), "an IPComp CPI has 16 bits");
	return expect_end(p);
}

