// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl: PF_KEY v2 messages. RFC 2367 2.2: a sadb_msg, then
 * extensions, each a multiple of 8 bytes long, every length in 64-bit
 * words, except sadb_x_ipsecrequest_len (KAME), which is in bytes.
 */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <linux/udp.h>
#include <ipsec/pfkey.h>

#include "build.h"

#define PFK_ALIGN(n)	(((n) + 7) & ~(size_t)7)

struct msgbuf {
	uint8_t *buf;
	size_t size;
	size_t len;
	bool overflow;
};

/* @n bytes, zeroed, 8-byte aligned; NULL when the buffer is full */
static void *put(struct msgbuf *m, size_t n)
{
	void *p;

	n = PFK_ALIGN(n);
	if (m->overflow || n > m->size - m->len) {
		m->overflow = true;
		return NULL;
	}
	p = m->buf + m->len;
	memset(p, 0, n);
	m->len += n;
	return p;
}

/* an extension: header fields common to all, length in words */
static void *put_ext(struct msgbuf *m, uint16_t type, size_t n)
{
	struct sadb_ext *e = put(m, n);

	if (!e)
		return NULL;
	e->sadb_ext_len = (uint16_t)(PFK_ALIGN(n) / 8);
	e->sadb_ext_type = type;
	return e;
}

static size_t salen(const struct pfk_addr *a)
{
	return a->family == AF_INET ? sizeof(struct sockaddr_in) :
				      sizeof(struct sockaddr_in6);
}

static void fill_sockaddr(void *p, const struct pfk_addr *a, bool port)
{
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = p;

		sin->sin_family = AF_INET;
		sin->sin_addr = a->u.v4;
		if (port)
			sin->sin_port = htons(a->port);
	} else {
		struct sockaddr_in6 *sin6 = p;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = a->u.v6;
		if (port)
			sin6->sin6_port = htons(a->port);
	}
}

static void put_address(struct msgbuf *m, uint16_t type,
			const struct pfk_addr *a, uint8_t proto, bool port)
{
	struct sadb_address *ad;

	ad = put_ext(m, type, sizeof(*ad) + salen(a));
	if (!ad)
		return;
	ad->sadb_address_proto = proto;
	ad->sadb_address_prefixlen = a->prefixlen;
	fill_sockaddr(ad + 1, a, port);
}

static void put_sa(struct msgbuf *m, const struct pfk_cmd *cmd, bool full)
{
	struct sadb_sa *sa = put_ext(m, SADB_EXT_SA, sizeof(*sa));

	if (!sa)
		return;
	sa->sadb_sa_spi = htonl(cmd->sa.spi);
	if (!full)
		return;
	sa->sadb_sa_replay = cmd->sa.replay;
	sa->sadb_sa_state = SADB_SASTATE_MATURE;
	sa->sadb_sa_flags = cmd->sa.flags;
	if (cmd->satype == SADB_X_SATYPE_IPCOMP) {
		/* KAME: the compression algorithm goes in sadb_sa_encrypt */
		sa->sadb_sa_encrypt = (uint8_t)cmd->sa.comp.alg;
	} else {
		sa->sadb_sa_encrypt = (uint8_t)cmd->sa.enc.alg;
		sa->sadb_sa_auth = (uint8_t)cmd->sa.auth.alg;
	}
}

static void put_sa2(struct msgbuf *m, const struct pfk_cmd *cmd)
{
	struct sadb_x_sa2 *sa2 = put_ext(m, SADB_X_EXT_SA2, sizeof(*sa2));

	if (!sa2)
		return;
	sa2->sadb_x_sa2_mode = cmd->sa.mode;
	sa2->sadb_x_sa2_reqid = cmd->sa.reqid;
}

static void put_lifetime(struct msgbuf *m, uint16_t type,
			 const struct pfk_lifetime *lt)
{
	struct sadb_lifetime *l = put_ext(m, type, sizeof(*l));

	if (!l)
		return;
	l->sadb_lifetime_allocations = lt->allocations;
	l->sadb_lifetime_bytes = lt->bytes;
	l->sadb_lifetime_addtime = lt->addtime;
	l->sadb_lifetime_usetime = lt->usetime;
}

static void put_key(struct msgbuf *m, uint16_t type, const struct pfk_key *k)
{
	size_t bytes = (k->bits + 7) / 8;
	struct sadb_key *key;

	key = put_ext(m, type, sizeof(*key) + bytes);
	if (!key)
		return;
	key->sadb_key_bits = (uint16_t)k->bits;
	memcpy(key + 1, k->data, bytes);
}

static void put_natt(struct msgbuf *m, const struct pfk_cmd *cmd)
{
	struct sadb_x_nat_t_type *t;
	struct sadb_x_nat_t_port *pt;

	t = put_ext(m, SADB_X_EXT_NAT_T_TYPE, sizeof(*t));
	if (t)
		t->sadb_x_nat_t_type_type = UDP_ENCAP_ESPINUDP;
	pt = put_ext(m, SADB_X_EXT_NAT_T_SPORT, sizeof(*pt));
	if (pt)
		pt->sadb_x_nat_t_port_port = htons(cmd->src.port);
	pt = put_ext(m, SADB_X_EXT_NAT_T_DPORT, sizeof(*pt));
	if (pt)
		pt->sadb_x_nat_t_port_port = htons(cmd->dst.port);
	if (cmd->sa.natt_oa_set)
		put_address(m, SADB_X_EXT_NAT_T_OA, &cmd->sa.natt_oa,
			    IPSEC_ULPROTO_ANY, false);
}

static void put_spirange(struct msgbuf *m, const struct pfk_cmd *cmd)
{
	struct sadb_spirange *r = put_ext(m, SADB_EXT_SPIRANGE, sizeof(*r));

	if (!r)
		return;
	r->sadb_spirange_min = cmd->sa.spi_min;
	r->sadb_spirange_max = cmd->sa.spi_max;
}

static void put_policy(struct msgbuf *m, const struct pfk_cmd *cmd)
{
	const struct pfk_policy *pol = &cmd->pol;
	struct sadb_x_policy *xp;
	size_t n = sizeof(*xp);
	int i;

	for (i = 0; i < pol->nreq; i++) {
		n += sizeof(struct sadb_x_ipsecrequest);
		if (pol->req[i].has_tunnel)
			n += PFK_ALIGN(2 * salen(&pol->req[i].tsrc));
	}
	xp = put_ext(m, SADB_X_EXT_POLICY, n);
	if (!xp)
		return;
	xp->sadb_x_policy_type = pol->type;
	xp->sadb_x_policy_dir = pol->dir;
	xp->sadb_x_policy_priority = pol->priority;
	n = sizeof(*xp);
	for (i = 0; i < pol->nreq; i++) {
		const struct pfk_req *r = &pol->req[i];
		struct sadb_x_ipsecrequest *rq = (void *)((uint8_t *)xp + n);
		size_t rlen = sizeof(*rq);

		if (r->has_tunnel) {
			uint8_t *sa = (uint8_t *)(rq + 1);

			/* NetBSD: endpoint ports ("a[4500]-b[4500]") for NAT-T */
			fill_sockaddr(sa, &r->tsrc, true);
			fill_sockaddr(sa + salen(&r->tsrc), &r->tdst, true);
			rlen += PFK_ALIGN(2 * salen(&r->tsrc));
		}
		rq->sadb_x_ipsecrequest_len = (uint16_t)rlen;
		rq->sadb_x_ipsecrequest_proto = r->proto;
		rq->sadb_x_ipsecrequest_mode = r->mode;
		rq->sadb_x_ipsecrequest_level = r->level;
		rq->sadb_x_ipsecrequest_reqid = r->reqid;
		n += rlen;
	}
}

/* ipsec-tools counts the context's NUL in sadb_x_ctx_len */
static void put_ctx(struct msgbuf *m, const struct pfk_ctx *ctx)
{
	size_t len = strlen(ctx->str) + 1;
	struct sadb_x_sec_ctx *c;

	c = put_ext(m, SADB_X_EXT_SEC_CTX, sizeof(*c) + len);
	if (!c)
		return;
	c->sadb_x_ctx_doi = ctx->doi;
	c->sadb_x_ctx_alg = ctx->alg;
	c->sadb_x_ctx_len = (uint16_t)len;
	memcpy(c + 1, ctx->str, len);
}

uint8_t pfk_build_type(const struct pfk_cmd *cmd)
{
	switch (cmd->op) {
	case PFK_OP_ADD:
		return SADB_ADD;
	case PFK_OP_UPDATE:
		return SADB_UPDATE;
	case PFK_OP_GET:
		return SADB_GET;
	case PFK_OP_DELETE:
		return SADB_DELETE;
	case PFK_OP_DELETEALL:
	case PFK_OP_DUMP:
		return SADB_DUMP;
	case PFK_OP_FLUSH:
		return SADB_FLUSH;
	case PFK_OP_GETSPI:
		return SADB_GETSPI;
	case PFK_OP_SPDADD:
		return SADB_X_SPDADD;
	case PFK_OP_SPDUPDATE:
		return SADB_X_SPDUPDATE;
	case PFK_OP_SPDDELETE:
		return SADB_X_SPDDELETE;
	case PFK_OP_SPDFLUSH:
		return SADB_X_SPDFLUSH;
	case PFK_OP_SPDDUMP:
		return SADB_X_SPDDUMP;
	case PFK_OP_REGISTER:
		return SADB_REGISTER;
	case PFK_OP_MONITOR:
		return SADB_X_PROMISC;
	case PFK_OP_STATS:
		break;
	}
	return SADB_RESERVED;
}

int pfk_build(const struct pfk_cmd *cmd, uint32_t seq, uint32_t pid,
	      void *buf, size_t size)
{
	struct msgbuf m = { .buf = buf, .size = size };
	struct sadb_msg *h;
	uint8_t type = pfk_build_type(cmd);
	uint8_t ulp = IPSEC_ULPROTO_ANY;

	if (type == SADB_RESERVED)
		return -1;
	h = put(&m, sizeof(*h));
	if (!h)
		return -1;
	h->sadb_msg_version = PF_KEY_V2;
	h->sadb_msg_type = type;
	h->sadb_msg_satype = cmd->satype;
	h->sadb_msg_seq = seq;
	h->sadb_msg_pid = pid;

	switch (cmd->op) {
	case PFK_OP_ADD:
	case PFK_OP_UPDATE:
		put_sa(&m, cmd, true);
		put_sa2(&m, cmd);
		if (cmd->sa.hard_set)
			put_lifetime(&m, SADB_EXT_LIFETIME_HARD, &cmd->sa.hard);
		if (cmd->sa.soft_set)
			put_lifetime(&m, SADB_EXT_LIFETIME_SOFT, &cmd->sa.soft);
		put_address(&m, SADB_EXT_ADDRESS_SRC, &cmd->src, ulp, false);
		put_address(&m, SADB_EXT_ADDRESS_DST, &cmd->dst, ulp, false);
		if (cmd->sa.auth.set && cmd->sa.auth.bits)
			put_key(&m, SADB_EXT_KEY_AUTH, &cmd->sa.auth);
		if (cmd->sa.enc.set && cmd->sa.enc.bits)
			put_key(&m, SADB_EXT_KEY_ENCRYPT, &cmd->sa.enc);
		if (cmd->sa.natt)
			put_natt(&m, cmd);
		if (cmd->sa.ctx.set)
			put_ctx(&m, &cmd->sa.ctx);
		break;
	case PFK_OP_GET:
	case PFK_OP_DELETE:
		put_sa(&m, cmd, false);
		put_address(&m, SADB_EXT_ADDRESS_SRC, &cmd->src, ulp, false);
		put_address(&m, SADB_EXT_ADDRESS_DST, &cmd->dst, ulp, false);
		break;
	case PFK_OP_GETSPI:
		put_sa2(&m, cmd);
		put_address(&m, SADB_EXT_ADDRESS_SRC, &cmd->src, ulp, false);
		put_address(&m, SADB_EXT_ADDRESS_DST, &cmd->dst, ulp, false);
		put_spirange(&m, cmd);
		break;
	case PFK_OP_SPDADD:
	case PFK_OP_SPDUPDATE:
	case PFK_OP_SPDDELETE:
		ulp = cmd->pol.ulproto;
		put_address(&m, SADB_EXT_ADDRESS_SRC, &cmd->src, ulp, true);
		put_address(&m, SADB_EXT_ADDRESS_DST, &cmd->dst, ulp, true);
		put_policy(&m, cmd);
		if (cmd->pol.ctx.set)
			put_ctx(&m, &cmd->pol.ctx);
		break;
	case PFK_OP_MONITOR:
		/* KAME: satype 1 turns promiscuous mode on */
		h->sadb_msg_satype = 1;
		break;
	default:
		/* flush, dump, deleteall's dump, spdflush, spddump, register */
		break;
	}
	if (m.overflow || m.len / 8 > 0xffff)
		return -1;
	h->sadb_msg_len = (uint16_t)(m.len / 8);
	return (int)m.len;
}
