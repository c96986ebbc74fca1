// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl: the policy commands of the setkey grammar (spdadd,
 * spdupdate, spddelete): selectors, upper-layer protocols, priorities
 * and the requests of an ipsec policy (KAME's ipsec_set_policy(3) form).
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

/* policy priorities of ipsec-tools ("prio low|def|high[+-N]") */
#define PFK_PRIO_HIGH		0x40000000u
#define PFK_PRIO_DEFAULT	0x80000000u
#define PFK_PRIO_LOW		0xc0000000u

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
	a->has_port = !!br;
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
int parse_spd(struct pfk_parser *p, struct pfk_cmd *cmd)
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

const char *pfk_ipproto_name(unsigned int proto)
{
	const struct name_val *nv;

	for (nv = ulprotos; nv->name; nv++)
		if (nv->val == proto)
			return nv->name;
	return NULL;
}
