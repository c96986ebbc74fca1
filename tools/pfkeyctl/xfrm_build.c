// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl: XFRM netlink requests from the setkey grammar. Layouts are
 * those of <linux/xfrm.h>; values follow what the same setkey command
 * means over PF_KEY, so that "pfkeyctl -x -f FILE" and "pfkeyctl -f
 * FILE" key the same SAD and SPD: directions in/out/fwd are
 * XFRM_POLICY_IN/OUT/FWD, level "use" is an optional template (as
 * af_key maps it), algorithms go by crypto API name with the ICV and
 * truncation lengths of their RFCs, limits left unset are XFRM_INF.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <linux/udp.h>
#include <linux/xfrm.h>
#include <libmnl/libmnl.h>
#include <ipsec/pfkey.h>

#include "algs.h"
#include "xfrm_build.h"

struct xb {
	struct nlmsghdr *nlh;
	size_t size;
	char *err;
	size_t errlen;
	bool failed;
};

static void xb_fail(struct xb *b, const char *fmt, const char *what)
{
	if (!b->failed)
		snprintf(b->err, b->errlen, fmt, what);
	b->failed = true;
}

static void put_attr(struct xb *b, uint16_t type, size_t len, const void *p)
{
	if (b->failed)
		return;
	if (!mnl_attr_put_check(b->nlh, b->size, type, len, p))
		xb_fail(b, "%s: message too large", "xfrm");
}

static void addr_to_xfrm(xfrm_address_t *x, const struct pfk_addr *a)
{
	memset(x, 0, sizeof(*x));
	if (a->family == AF_INET)
		memcpy(&x->a4, &a->u.v4, sizeof(a->u.v4));
	else
		memcpy(x->a6, &a->u.v6, sizeof(a->u.v6));
}

static uint8_t xfrm_proto(uint8_t satype)
{
	switch (satype) {
	case SADB_SATYPE_AH:
		return IPPROTO_AH;
	case SADB_X_SATYPE_IPCOMP:
		return IPPROTO_COMP;
	case SADB_SATYPE_ESP:
		return IPPROTO_ESP;
	}
	return IPSEC_PROTO_ANY;
}

static uint8_t xfrm_mode(uint8_t mode)
{
	return mode == IPSEC_MODE_TUNNEL ? XFRM_MODE_TUNNEL :
	       mode == IPSEC_MODE_BEET ? XFRM_MODE_BEET : XFRM_MODE_TRANSPORT;
}

static void lifetime_to_xfrm(struct xfrm_lifetime_cfg *l,
			     const struct pfk_sa *sa)
{
	l->soft_byte_limit = sa->soft.bytes ? sa->soft.bytes : XFRM_INF;
	l->hard_byte_limit = sa->hard.bytes ? sa->hard.bytes : XFRM_INF;
	l->soft_packet_limit = XFRM_INF;
	l->hard_packet_limit = XFRM_INF;
	l->soft_add_expires_seconds = sa->soft.addtime;
	l->hard_add_expires_seconds = sa->hard.addtime;
	l->soft_use_expires_seconds = sa->soft.usetime;
	l->hard_use_expires_seconds = sa->hard.usetime;
}

static void usersa_info(struct xb *b, struct xfrm_usersa_info *p,
			const struct pfk_cmd *cmd)
{
	const struct pfk_sa *sa = &cmd->sa;

	addr_to_xfrm(&p->id.daddr, &cmd->dst);
	addr_to_xfrm(&p->saddr, &cmd->src);
	p->id.spi = htonl(sa->spi);
	p->id.proto = xfrm_proto(cmd->satype);
	p->family = (uint16_t)cmd->src.family;
	p->mode = xfrm_mode(sa->mode);
	p->reqid = sa->reqid;
	lifetime_to_xfrm(&p->lft, sa);
	if (sa->hard.allocations || sa->soft.allocations)
		xb_fail(b, "%s: XFRM counts no allocations (-ah/-as)", "xfrm");
	if (sa->flags & SADB_X_SAFLAGS_ESN)
		p->flags |= XFRM_STATE_ESN;
}

/* an algorithm of the table, with its crypto API name */
static const struct pfk_alg *alg_of(struct xb *b, const struct pfk_key *k,
				    enum pfk_alg_kind kind)
{
	if (k->def && k->def->xfrm)
		return k->def;
	snprintf(b->err, b->errlen,
		 "%s algorithm %u has no crypto API name: name it",
		 pfk_alg_kind_name(kind), k->alg);
	b->failed = true;
	return NULL;
}

static void put_algo(struct xb *b, uint16_t type, const char *name,
		     const struct pfk_key *k)
{
	char buf[sizeof(struct xfrm_algo) + PFK_KEY_MAX];
	struct xfrm_algo *a = (void *)buf;
	size_t bytes = (k->bits + 7) / 8;

	memset(buf, 0, sizeof(buf));
	snprintf(a->alg_name, sizeof(a->alg_name), "%s", name);
	a->alg_key_len = k->bits;
	memcpy(a->alg_key, k->data, bytes);
	put_attr(b, type, sizeof(*a) + bytes, a);
}

/* RFC 4868 truncation and friends, not the kernel's defaults */
static void put_auth(struct xb *b, const struct pfk_alg *alg,
		     const struct pfk_key *k)
{
	char buf[sizeof(struct xfrm_algo_auth) + PFK_KEY_MAX];
	struct xfrm_algo_auth *a = (void *)buf;
	size_t bytes = (k->bits + 7) / 8;

	memset(buf, 0, sizeof(buf));
	snprintf(a->alg_name, sizeof(a->alg_name), "%s", alg->xfrm);
	a->alg_key_len = k->bits;
	a->alg_trunc_len = alg->icv_bits;
	memcpy(a->alg_key, k->data, bytes);
	put_attr(b, XFRMA_ALG_AUTH_TRUNC, sizeof(*a) + bytes, a);
}

static void put_aead(struct xb *b, const struct pfk_alg *alg,
		     const struct pfk_key *k)
{
	char buf[sizeof(struct xfrm_algo_aead) + PFK_KEY_MAX];
	struct xfrm_algo_aead *a = (void *)buf;
	size_t bytes = (k->bits + 7) / 8;

	memset(buf, 0, sizeof(buf));
	snprintf(a->alg_name, sizeof(a->alg_name), "%s", alg->xfrm);
	a->alg_key_len = k->bits;
	a->alg_icv_len = alg->icv_bits;
	memcpy(a->alg_key, k->data, bytes);
	put_attr(b, XFRMA_ALG_AEAD, sizeof(*a) + bytes, a);
}

static void put_sa_algs(struct xb *b, const struct pfk_sa *sa)
{
	const struct pfk_alg *a;

	if (sa->enc.set) {
		a = alg_of(b, &sa->enc, PFK_ALG_ENC);
		if (a && a->aead)
			put_aead(b, a, &sa->enc);
		else if (a)
			put_algo(b, XFRMA_ALG_CRYPT, a->xfrm, &sa->enc);
	}
	if (sa->auth.set) {
		a = alg_of(b, &sa->auth, PFK_ALG_AUTH);
		if (a)
			put_auth(b, a, &sa->auth);
	}
	if (sa->comp.set) {
		a = alg_of(b, &sa->comp, PFK_ALG_COMP);
		if (a)
			put_algo(b, XFRMA_ALG_COMP, a->xfrm, &sa->comp);
	}
}

/* RFC 3948: ESP in UDP, the ports of the command */
static void put_encap(struct xb *b, const struct pfk_cmd *cmd)
{
	struct xfrm_encap_tmpl e;

	memset(&e, 0, sizeof(e));
	e.encap_type = UDP_ENCAP_ESPINUDP;
	e.encap_sport = htons(cmd->src.port);
	e.encap_dport = htons(cmd->dst.port);
	if (cmd->sa.natt_oa_set)
		addr_to_xfrm(&e.encap_oa, &cmd->sa.natt_oa);
	put_attr(b, XFRMA_ENCAP, sizeof(e), &e);
}

/* XFRM's replay state for windows the legacy bitmap cannot hold, and ESN */
static void put_replay_esn(struct xb *b, uint32_t window)
{
	char buf[sizeof(struct xfrm_replay_state_esn) + 4096];
	struct xfrm_replay_state_esn *r = (void *)buf;

	memset(buf, 0, sizeof(buf));
	r->bmp_len = (window + 31) / 32;
	r->replay_window = window;
	put_attr(b, XFRMA_REPLAY_ESN_VAL,
		 sizeof(*r) + r->bmp_len * sizeof(uint32_t), r);
}

static void put_ctx(struct xb *b, const struct pfk_ctx *ctx)
{
	char buf[sizeof(struct xfrm_user_sec_ctx) + PFK_CTX_MAX];
	struct xfrm_user_sec_ctx *c = (void *)buf;
	size_t len = strlen(ctx->str);

	memset(buf, 0, sizeof(buf));
	c->len = (uint16_t)(sizeof(*c) + len);
	c->exttype = XFRMA_SEC_CTX;
	c->ctx_alg = ctx->alg;
	c->ctx_doi = ctx->doi;
	c->ctx_len = (uint16_t)len;
	memcpy(c + 1, ctx->str, len);
	put_attr(b, XFRMA_SEC_CTX, sizeof(*c) + len, c);
}

static void put_mark_ifid(struct xb *b, const struct pfk_cmd *cmd)
{
	if (cmd->x.mark_set) {
		struct xfrm_mark m = { .v = cmd->x.mark,
				       .m = cmd->x.mark_mask };

		put_attr(b, XFRMA_MARK, sizeof(m), &m);
	}
	if (cmd->x.if_id_set)
		put_attr(b, XFRMA_IF_ID, sizeof(cmd->x.if_id), &cmd->x.if_id);
}

/*
 * NEWSA, UPDSA. xfrm_state_construct() caps replay_window at the 32 bits
 * of struct xfrm_replay_state's bitmap; a larger window (and any with
 * ESN) goes as XFRMA_REPLAY_ESN_VAL, as iproute2 sends it.
 */
#define PFK_XFRM_LEGACY_WINDOW	(sizeof(((struct xfrm_replay_state *)0)->bitmap) * 8)

static void build_sa(struct xb *b, const struct pfk_cmd *cmd)
{
	struct xfrm_usersa_info *p;
	uint32_t win = cmd->x.replay_window;
	bool esn = cmd->sa.flags & SADB_X_SAFLAGS_ESN;

	p = mnl_nlmsg_put_extra_header(b->nlh, sizeof(*p));
	usersa_info(b, p, cmd);
	if (esn || win > PFK_XFRM_LEGACY_WINDOW) {
		/* replay_window must be 0 beside XFRMA_REPLAY_ESN_VAL */
		put_replay_esn(b, win);
	} else {
		p->replay_window = (uint8_t)win;
	}
	put_sa_algs(b, &cmd->sa);
	if (cmd->sa.natt)
		put_encap(b, cmd);
	if (cmd->sa.ctx.set)
		put_ctx(b, &cmd->sa.ctx);
	put_mark_ifid(b, cmd);
}

/* GETSA, DELSA: (daddr, spi, proto), the source as XFRMA_SRCADDR */
static void build_sa_id(struct xb *b, const struct pfk_cmd *cmd)
{
	struct xfrm_usersa_id *id;
	xfrm_address_t src;

	id = mnl_nlmsg_put_extra_header(b->nlh, sizeof(*id));
	addr_to_xfrm(&id->daddr, &cmd->dst);
	id->spi = htonl(cmd->sa.spi);
	id->family = (uint16_t)cmd->dst.family;
	id->proto = xfrm_proto(cmd->satype);
	addr_to_xfrm(&src, &cmd->src);
	put_attr(b, XFRMA_SRCADDR, sizeof(src), &src);
	put_mark_ifid(b, cmd);
}

/* ALLOCSPI: an SA to be, and the range to pick its SPI from */
static void build_allocspi(struct xb *b, const struct pfk_cmd *cmd)
{
	struct xfrm_userspi_info *p;

	p = mnl_nlmsg_put_extra_header(b->nlh, sizeof(*p));
	usersa_info(b, &p->info, cmd);
	p->info.id.spi = 0;
	p->min = cmd->sa.spi_min;
	p->max = cmd->sa.spi_max;
	put_mark_ifid(b, cmd);
}

static void selector(struct xfrm_selector *sel, const struct pfk_cmd *cmd)
{
	const struct pfk_policy *pol = &cmd->pol;

	addr_to_xfrm(&sel->daddr, &cmd->dst);
	addr_to_xfrm(&sel->saddr, &cmd->src);
	sel->family = (uint16_t)cmd->src.family;
	sel->prefixlen_d = cmd->dst.prefixlen;
	sel->prefixlen_s = cmd->src.prefixlen;
	sel->proto = pol->ulproto == IPSEC_ULPROTO_ANY ? 0 : pol->ulproto;
	/* ports, or ICMP type and code in their place (as PF_KEY does) */
	if (cmd->src.has_port && (cmd->src.port || sel->proto == IPPROTO_ICMP ||
				  sel->proto == IPPROTO_ICMPV6)) {
		sel->sport = htons(cmd->src.port);
		sel->sport_mask = 0xffff;
	}
	if (cmd->dst.has_port && (cmd->dst.port || sel->proto == IPPROTO_ICMP ||
				  sel->proto == IPPROTO_ICMPV6)) {
		sel->dport = htons(cmd->dst.port);
		sel->dport_mask = 0xffff;
	}
}

static void put_tmpls(struct xb *b, const struct pfk_cmd *cmd)
{
	const struct pfk_policy *pol = &cmd->pol;
	struct xfrm_user_tmpl t[PFK_MAX_REQ];
	int i;

	memset(t, 0, sizeof(t));
	for (i = 0; i < pol->nreq; i++) {
		const struct pfk_req *r = &pol->req[i];

		/* the SA's XFRMA_ENCAP carries NAT-T ports, not the template */
		if (r->has_tunnel && (r->tsrc.has_port || r->tdst.has_port))
			xb_fail(b, "%s: an XFRM template has no ports",
				"xfrm");
		t[i].id.proto = r->proto;
		t[i].family = (uint16_t)(r->has_tunnel ? r->tsrc.family :
					 cmd->src.family);
		if (r->has_tunnel) {
			addr_to_xfrm(&t[i].id.daddr, &r->tdst);
			addr_to_xfrm(&t[i].saddr, &r->tsrc);
		}
		t[i].reqid = r->reqid;
		t[i].mode = xfrm_mode(r->mode);
		t[i].optional = r->level == IPSEC_LEVEL_USE;
		t[i].aalgos = ~0u;
		t[i].ealgos = ~0u;
		t[i].calgos = ~0u;
	}
	if (pol->nreq)
		put_attr(b, XFRMA_TMPL, sizeof(t[0]) * (size_t)pol->nreq, t);
}

/* NEWPOLICY, UPDPOLICY */
static void build_policy(struct xb *b, const struct pfk_cmd *cmd)
{
	const struct pfk_policy *pol = &cmd->pol;
	struct xfrm_userpolicy_info *p;

	p = mnl_nlmsg_put_extra_header(b->nlh, sizeof(*p));
	selector(&p->sel, cmd);
	p->lft.soft_byte_limit = XFRM_INF;
	p->lft.hard_byte_limit = XFRM_INF;
	p->lft.soft_packet_limit = XFRM_INF;
	p->lft.hard_packet_limit = XFRM_INF;
	p->priority = pol->priority;
	p->dir = (uint8_t)(pol->dir - IPSEC_DIR_INBOUND);
	switch (pol->type) {
	case IPSEC_POLICY_DISCARD:
		p->action = XFRM_POLICY_BLOCK;
		break;
	case IPSEC_POLICY_ENTRUST:
		xb_fail(b, "%s: entrust has no XFRM action (use none or ipsec)",
			"xfrm");
		break;
	default:
		p->action = XFRM_POLICY_ALLOW;
		break;
	}
	put_tmpls(b, cmd);
	if (pol->ctx.set)
		put_ctx(b, &pol->ctx);
	put_mark_ifid(b, cmd);
}

/* DELPOLICY, GETPOLICY: by selector and direction */
static void build_policy_id(struct xb *b, const struct pfk_cmd *cmd)
{
	struct xfrm_userpolicy_id *id;

	id = mnl_nlmsg_put_extra_header(b->nlh, sizeof(*id));
	selector(&id->sel, cmd);
	id->dir = (uint8_t)(cmd->pol.dir - IPSEC_DIR_INBOUND);
	if (cmd->pol.ctx.set)
		put_ctx(b, &cmd->pol.ctx);
	put_mark_ifid(b, cmd);
}

uint16_t pfk_xfrm_type(const struct pfk_cmd *cmd)
{
	switch (cmd->op) {
	case PFK_OP_ADD:
		return XFRM_MSG_NEWSA;
	case PFK_OP_UPDATE:
		return XFRM_MSG_UPDSA;
	case PFK_OP_GET:
	case PFK_OP_DUMP:
	case PFK_OP_DELETEALL:
		return XFRM_MSG_GETSA;
	case PFK_OP_DELETE:
		return XFRM_MSG_DELSA;
	case PFK_OP_FLUSH:
		return XFRM_MSG_FLUSHSA;
	case PFK_OP_GETSPI:
		return XFRM_MSG_ALLOCSPI;
	case PFK_OP_SPDADD:
		return XFRM_MSG_NEWPOLICY;
	case PFK_OP_SPDUPDATE:
		return XFRM_MSG_UPDPOLICY;
	case PFK_OP_SPDDELETE:
		return XFRM_MSG_DELPOLICY;
	case PFK_OP_SPDFLUSH:
		return XFRM_MSG_FLUSHPOLICY;
	case PFK_OP_SPDDUMP:
		return XFRM_MSG_GETPOLICY;
	default:
		return 0;
	}
}

struct nlmsghdr *pfk_xfrm_build(const struct pfk_cmd *cmd, uint32_t seq,
				void *buf, size_t size, char *err,
				size_t errlen)
{
	struct xb b = { .size = size, .err = err, .errlen = errlen };
	uint16_t type = pfk_xfrm_type(cmd);
	struct xfrm_usersa_flush *fl;

	if (!type) {
		snprintf(err, errlen,
			 "%s is PF_KEY's; XFRM has no such request%s",
			 pfk_op_name(cmd->op),
			 cmd->op == PFK_OP_REGISTER ?
			 " (key managers listen to the ACQUIRE group: monitor)" :
			 "");
		return NULL;
	}
	memset(buf, 0, size);
	b.nlh = mnl_nlmsg_put_header(buf);
	b.nlh->nlmsg_type = type;
	b.nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	b.nlh->nlmsg_seq = seq;
	switch (cmd->op) {
	case PFK_OP_ADD:
	case PFK_OP_UPDATE:
		build_sa(&b, cmd);
		break;
	case PFK_OP_GET:
	case PFK_OP_DELETE:
		build_sa_id(&b, cmd);
		break;
	case PFK_OP_DUMP:
	case PFK_OP_DELETEALL:
	case PFK_OP_SPDDUMP:
		b.nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		break;
	case PFK_OP_FLUSH:
		fl = mnl_nlmsg_put_extra_header(b.nlh, sizeof(*fl));
		fl->proto = xfrm_proto(cmd->satype);
		break;
	case PFK_OP_GETSPI:
		build_allocspi(&b, cmd);
		break;
	case PFK_OP_SPDADD:
	case PFK_OP_SPDUPDATE:
		build_policy(&b, cmd);
		break;
	case PFK_OP_SPDDELETE:
		build_policy_id(&b, cmd);
		break;
	default:
		break;
	}
	if (cmd->op == PFK_OP_GET)
		b.nlh->nlmsg_flags = NLM_F_REQUEST;
	return b.failed ? NULL : b.nlh;
}
