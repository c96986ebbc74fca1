// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl: XFRM replies and events printed. Each fixed header and each
 * attribute has one printer, which writes both the text and the JSON
 * form through the same field helpers (fld_*), as iproute2's
 * print_*(PRINT_ANY, ...) does. Lengths are checked before any read.
 */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/xfrm.h>
#include <libmnl/libmnl.h>

#include "compat.h"
#include "xfrm_print.h"

struct out {
	FILE *f;
	const struct pfk_xfrm_print_opts *o;
	bool first;		/* JSON: no comma before the next field */
};

static void sep(struct out *w)
{
	if (w->o->json && !w->first)
		fputc(',', w->f);
	w->first = false;
}

/* text: " name value"; JSON: "name":"value" */
static void fld_str(struct out *w, const char *name, const char *v)
{
	sep(w);
	if (w->o->json)
		fprintf(w->f, "\"%s\":\"%s\"", name, v);
	else
		fprintf(w->f, " %s %s", name, v);
}

static void fld_u64(struct out *w, const char *name, uint64_t v)
{
	sep(w);
	if (w->o->json)
		fprintf(w->f, "\"%s\":%llu", name, (unsigned long long)v);
	else
		fprintf(w->f, " %s %llu", name, (unsigned long long)v);
}

static void fld_hex(struct out *w, const char *name, uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%08x", v);
	fld_str(w, name, buf);
}

/* text: a new line, tab-indented, as ip xfrm groups its fields */
static void line(struct out *w)
{
	if (!w->o->json)
		fputs("\n\t", w->f);
}

static void fld_addr(struct out *w, const char *name, uint16_t family,
		     const xfrm_address_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, buf,
		       sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	fld_str(w, name, buf);
}

static void fld_key(struct out *w, const char *name, const char *key,
		    unsigned int bits)
{
	char buf[2 * 512 + 3] = "0x";
	unsigned int i, n = (bits + 7) / 8;

	if (!w->o->keys)
		return;
	for (i = 0; i < n && i < 512; i++)
		snprintf(buf + 2 + 2 * i, 3, "%02x", (unsigned char)key[i]);
	fld_str(w, name, buf);
}

static const char *mode_name(uint8_t mode)
{
	switch (mode) {
	case XFRM_MODE_TRANSPORT:
		return "transport";
	case XFRM_MODE_TUNNEL:
		return "tunnel";
	case XFRM_MODE_BEET:
		return "beet";
	}
	return "?";
}

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_COMP:
		return "comp";
	}
	return "?";
}

static const char *dir_name(uint8_t dir)
{
	switch (dir) {
	case XFRM_POLICY_IN:
		return "in";
	case XFRM_POLICY_OUT:
		return "out";
	case XFRM_POLICY_FWD:
		return "fwd";
	}
	return "?";
}

static void print_sel(struct out *w, const struct xfrm_selector *s)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char a[INET6_ADDRSTRLEN];
	int af = s->family == AF_INET6 ? AF_INET6 : AF_INET;

	inet_ntop(af, &s->saddr, a, sizeof(a));
	snprintf(buf, sizeof(buf), "%s/%u", a, s->prefixlen_s);
	fld_str(w, "sel_src", buf);
	inet_ntop(af, &s->daddr, a, sizeof(a));
	snprintf(buf, sizeof(buf), "%s/%u", a, s->prefixlen_d);
	fld_str(w, "sel_dst", buf);
	if (s->proto)
		fld_u64(w, "proto", s->proto);
	if (s->sport_mask)
		fld_u64(w, "sport", ntohs(s->sport));
	if (s->dport_mask)
		fld_u64(w, "dport", ntohs(s->dport));
}

/* the attributes, each with its printer and minimum length */
static void attr_crypt(struct out *w, const struct nlattr *a)
{
	const struct xfrm_algo *x = mnl_attr_get_payload(a);

	if (mnl_attr_get_payload_len(a) < sizeof(*x) + (x->alg_key_len + 7) / 8)
		return;
	line(w);
	fld_str(w, "enc", x->alg_name);
	fld_key(w, "enc_key", x->alg_key, x->alg_key_len);
}

static void attr_auth_trunc(struct out *w, const struct nlattr *a)
{
	const struct xfrm_algo_auth *x = mnl_attr_get_payload(a);

	if (mnl_attr_get_payload_len(a) < sizeof(*x) + (x->alg_key_len + 7) / 8)
		return;
	line(w);
	fld_str(w, "auth-trunc", x->alg_name);
	fld_key(w, "auth_key", x->alg_key, x->alg_key_len);
	fld_u64(w, "trunc", x->alg_trunc_len);
}

static void attr_aead(struct out *w, const struct nlattr *a)
{
	const struct xfrm_algo_aead *x = mnl_attr_get_payload(a);

	if (mnl_attr_get_payload_len(a) < sizeof(*x) + (x->alg_key_len + 7) / 8)
		return;
	line(w);
	fld_str(w, "aead", x->alg_name);
	fld_key(w, "aead_key", x->alg_key, x->alg_key_len);
	fld_u64(w, "icv", x->alg_icv_len);
}

static void attr_comp(struct out *w, const struct nlattr *a)
{
	const struct xfrm_algo *x = mnl_attr_get_payload(a);

	line(w);
	fld_str(w, "comp", x->alg_name);
}

static void attr_encap(struct out *w, const struct nlattr *a)
{
	const struct xfrm_encap_tmpl *e = mnl_attr_get_payload(a);

	line(w);
	fld_str(w, "encap", e->encap_type == 2 ? "espinudp" : "other");
	fld_u64(w, "encap_sport", ntohs(e->encap_sport));
	fld_u64(w, "encap_dport", ntohs(e->encap_dport));
}

static void attr_mark(struct out *w, const struct nlattr *a)
{
	const struct xfrm_mark *m = mnl_attr_get_payload(a);

	fld_hex(w, "mark", m->v);
	fld_hex(w, "mark_mask", m->m);
}

static void attr_if_id(struct out *w, const struct nlattr *a)
{
	fld_u64(w, "if_id", mnl_attr_get_u32(a));
}

static void attr_replay_esn(struct out *w, const struct nlattr *a)
{
	const struct xfrm_replay_state_esn *r = mnl_attr_get_payload(a);

	line(w);
	fld_u64(w, "replay_window", r->replay_window);
	fld_u64(w, "bmp_len", r->bmp_len);
	fld_u64(w, "seq", r->seq);
	fld_u64(w, "oseq", r->oseq);
}

static void attr_tmpl(struct out *w, const struct nlattr *a)
{
	const struct xfrm_user_tmpl *t = mnl_attr_get_payload(a);
	size_t i, n = mnl_attr_get_payload_len(a) / sizeof(*t);

	for (i = 0; i < n; i++, t++) {
		line(w);
		fld_str(w, "tmpl_proto", proto_name(t->id.proto));
		fld_str(w, "tmpl_mode", mode_name(t->mode));
		fld_u64(w, "tmpl_reqid", t->reqid);
		if (t->mode == XFRM_MODE_TUNNEL) {
			fld_addr(w, "tmpl_src", t->family, &t->saddr);
			fld_addr(w, "tmpl_dst", t->family, &t->id.daddr);
		}
		if (t->optional)
			fld_str(w, "level", "use");
	}
}

static const struct {
	void (*print)(struct out *w, const struct nlattr *a);
	size_t min;
} attr_printers[XFRMA_MAX + 1] = {
	[XFRMA_ALG_CRYPT] = { attr_crypt, sizeof(struct xfrm_algo) },
	[XFRMA_ALG_AUTH_TRUNC] = { attr_auth_trunc,
				   sizeof(struct xfrm_algo_auth) },
	[XFRMA_ALG_AEAD] = { attr_aead, sizeof(struct xfrm_algo_aead) },
	[XFRMA_ALG_COMP] = { attr_comp, sizeof(struct xfrm_algo) },
	[XFRMA_ENCAP] = { attr_encap, sizeof(struct xfrm_encap_tmpl) },
	[XFRMA_MARK] = { attr_mark, sizeof(struct xfrm_mark) },
	[XFRMA_IF_ID] = { attr_if_id, sizeof(uint32_t) },
	[XFRMA_REPLAY_ESN_VAL] = { attr_replay_esn,
				   sizeof(struct xfrm_replay_state_esn) },
	[XFRMA_TMPL] = { attr_tmpl, 0 },
};

static void print_attrs(struct out *w, const struct nlmsghdr *nlh,
			size_t hdrlen)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, hdrlen) {
		uint16_t t = mnl_attr_get_type(a);

		if (t > XFRMA_MAX || !attr_printers[t].print ||
		    mnl_attr_get_payload_len(a) < attr_printers[t].min)
			continue;
		attr_printers[t].print(w, a);
	}
}

static void print_usersa(struct out *w, const struct xfrm_usersa_info *p)
{
	fld_addr(w, "src", p->family, &p->saddr);
	fld_addr(w, "dst", p->family, &p->id.daddr);
	line(w);
	fld_str(w, "proto", proto_name(p->id.proto));
	fld_hex(w, "spi", ntohl(p->id.spi));
	fld_u64(w, "reqid", p->reqid);
	fld_str(w, "mode", mode_name(p->mode));
	line(w);
	fld_u64(w, "replay-window", p->replay_window);
	if (p->flags & XFRM_STATE_ESN)
		fld_str(w, "flag", "esn");
}

static void print_policy(struct out *w, const struct xfrm_userpolicy_info *p)
{
	print_sel(w, &p->sel);
	line(w);
	fld_str(w, "dir", dir_name(p->dir));
	fld_u64(w, "priority", p->priority);
	fld_str(w, "action", p->action == XFRM_POLICY_BLOCK ? "block" :
			     "allow");
}

static void print_sa_id(struct out *w, const struct xfrm_usersa_id *id)
{
	fld_addr(w, "dst", id->family, &id->daddr);
	fld_str(w, "proto", proto_name(id->proto));
	fld_hex(w, "spi", ntohl(id->spi));
}

static const char *const msg_names[] = {
	[XFRM_MSG_NEWSA - XFRM_MSG_BASE] = "NEWSA",
	[XFRM_MSG_DELSA - XFRM_MSG_BASE] = "DELSA",
	[XFRM_MSG_GETSA - XFRM_MSG_BASE] = "GETSA",
	[XFRM_MSG_NEWPOLICY - XFRM_MSG_BASE] = "NEWPOLICY",
	[XFRM_MSG_DELPOLICY - XFRM_MSG_BASE] = "DELPOLICY",
	[XFRM_MSG_GETPOLICY - XFRM_MSG_BASE] = "GETPOLICY",
	[XFRM_MSG_ALLOCSPI - XFRM_MSG_BASE] = "ALLOCSPI",
	[XFRM_MSG_ACQUIRE - XFRM_MSG_BASE] = "ACQUIRE",
	[XFRM_MSG_EXPIRE - XFRM_MSG_BASE] = "EXPIRE",
	[XFRM_MSG_UPDPOLICY - XFRM_MSG_BASE] = "UPDPOLICY",
	[XFRM_MSG_UPDSA - XFRM_MSG_BASE] = "UPDSA",
	[XFRM_MSG_POLEXPIRE - XFRM_MSG_BASE] = "POLEXPIRE",
	[XFRM_MSG_FLUSHSA - XFRM_MSG_BASE] = "FLUSHSA",
	[XFRM_MSG_FLUSHPOLICY - XFRM_MSG_BASE] = "FLUSHPOLICY",
	[XFRM_MSG_NEWAE - XFRM_MSG_BASE] = "NEWAE",
	[XFRM_MSG_GETAE - XFRM_MSG_BASE] = "GETAE",
	[XFRM_MSG_REPORT - XFRM_MSG_BASE] = "REPORT",
	[XFRM_MSG_MIGRATE - XFRM_MSG_BASE] = "MIGRATE",
	[XFRM_MSG_MAPPING - XFRM_MSG_BASE] = "MAPPING",
};

const char *pfk_xfrm_msg_name(unsigned int type)
{
	unsigned int i = type - XFRM_MSG_BASE;

	if (type < XFRM_MSG_BASE || i >= ARRAY_SIZE(msg_names) ||
	    !msg_names[i])
		return "?";
	return msg_names[i];
}

/* the fixed header each message type starts with */
static size_t hdr_len(uint16_t type)
{
	switch (type) {
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA:
		return sizeof(struct xfrm_usersa_info);
	case XFRM_MSG_DELSA:
		return sizeof(struct xfrm_usersa_id);
	case XFRM_MSG_NEWPOLICY:
	case XFRM_MSG_UPDPOLICY:
		return sizeof(struct xfrm_userpolicy_info);
	case XFRM_MSG_DELPOLICY:
		return sizeof(struct xfrm_userpolicy_id);
	case XFRM_MSG_EXPIRE:
		return sizeof(struct xfrm_user_expire);
	case XFRM_MSG_POLEXPIRE:
		return sizeof(struct xfrm_user_polexpire);
	case XFRM_MSG_ACQUIRE:
		return sizeof(struct xfrm_user_acquire);
	case XFRM_MSG_FLUSHSA:
		return sizeof(struct xfrm_usersa_flush);
	}
	return 0;
}

int pfk_xfrm_print(FILE *f, const struct nlmsghdr *nlh,
		   const struct pfk_xfrm_print_opts *o)
{
	struct out w = { .f = f, .o = o, .first = true };
	size_t hl = hdr_len(nlh->nlmsg_type);
	const void *p = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) < hl) {
		fprintf(stderr, "pfkeyctl: XFRM %s of %u bytes is too short\n",
			pfk_xfrm_msg_name(nlh->nlmsg_type), nlh->nlmsg_len);
		return -1;
	}
	if (o->json)
		fputc('{', f);
	if (o->event || o->json)
		fld_str(&w, "xfrm", pfk_xfrm_msg_name(nlh->nlmsg_type));
	switch (nlh->nlmsg_type) {
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA:
		print_usersa(&w, p);
		break;
	case XFRM_MSG_EXPIRE:
		print_usersa(&w, &((const struct xfrm_user_expire *)p)->state);
		fld_str(&w, "hard", ((const struct xfrm_user_expire *)p)->hard ?
			"yes" : "no");
		break;
	case XFRM_MSG_DELSA:
		print_sa_id(&w, p);
		break;
	case XFRM_MSG_NEWPOLICY:
	case XFRM_MSG_UPDPOLICY:
		print_policy(&w, p);
		break;
	case XFRM_MSG_POLEXPIRE:
		print_policy(&w, &((const struct xfrm_user_polexpire *)p)->pol);
		break;
	case XFRM_MSG_DELPOLICY:
		print_sel(&w, &((const struct xfrm_userpolicy_id *)p)->sel);
		fld_str(&w, "dir",
			dir_name(((const struct xfrm_userpolicy_id *)p)->dir));
		break;
	case XFRM_MSG_ACQUIRE:
		print_sel(&w, &((const struct xfrm_user_acquire *)p)->sel);
		break;
	case XFRM_MSG_FLUSHSA:
		fld_u64(&w, "proto",
			((const struct xfrm_usersa_flush *)p)->proto);
		break;
	}
	if (hl)
		print_attrs(&w, nlh, hl);
	fputs(o->json ? "}\n" : "\n", f);
	return 0;
}
