// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl: printing PF_KEY v2 messages already checked by reply.c.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <ipsec/pfkey.h>

#include "algs.h"
#include "compat.h"
#include "parser.h"
#include "print.h"

/* a small JSON writer: keeps track of commas */
struct jw {
	FILE *f;
	int depth;
	bool first[16];
};

static void jw_sep(struct jw *w)
{
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
}

static void jw_str_raw(struct jw *w, const char *s)
{
	fputc('"', w->f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(w->f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(w->f, "\\u%04x", c);
		else
			fputc(c, w->f);
	}
	fputc('"', w->f);
}

static void jw_key(struct jw *w, const char *key)
{
	jw_sep(w);
	if (key) {
		jw_str_raw(w, key);
		fputc(':', w->f);
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_key(w, key);
	fputc(c, w->f);
	w->depth++;
	w->first[w->depth] = true;
}

static void jw_close(struct jw *w, char c)
{
	w->depth--;
	fputc(c, w->f);
}

static void jw_str(struct jw *w, const char *key, const char *val)
{
	jw_key(w, key);
	jw_str_raw(w, val);
}

static void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	fprintf(w->f, "%llu", (unsigned long long)v);
}

static const char *sockaddr_str(const void *sa, char *buf, size_t len,
				unsigned int *port)
{
	const struct sockaddr *s = sa;

	if (s->sa_family == AF_INET) {
		const struct sockaddr_in *sin = sa;

		*port = ntohs(sin->sin_port);
		inet_ntop(AF_INET, &sin->sin_addr, buf, (socklen_t)len);
	} else {
		const struct sockaddr_in6 *sin6 = sa;

		*port = ntohs(sin6->sin6_port);
		inet_ntop(AF_INET6, &sin6->sin6_addr, buf, (socklen_t)len);
	}
	return buf;
}

/* an address extension: address, prefix, port */
struct addr_info {
	char addr[INET6_ADDRSTRLEN];
	unsigned int port;
	unsigned int prefixlen;
	unsigned int maxlen;
	unsigned int proto;
	bool present;
};

static void get_addr(const struct pfk_reply *r, unsigned int type,
		     struct addr_info *ai)
{
	const struct sadb_address *a = (const void *)r->ext[type];
	const struct sockaddr *sa;
	size_t salen;

	memset(ai, 0, sizeof(*ai));
	if (!a)
		return;
	sa = pfk_reply_sockaddr(r->ext[type], &salen);
	sockaddr_str(sa, ai->addr, sizeof(ai->addr), &ai->port);
	ai->prefixlen = a->sadb_address_prefixlen;
	ai->maxlen = sa->sa_family == AF_INET ? 32 : 128;
	ai->proto = a->sadb_address_proto;
	ai->present = true;
}

static const char *state_name(unsigned int state)
{
	switch (state) {
	case SADB_SASTATE_LARVAL:
		return "larval";
	case SADB_SASTATE_MATURE:
		return "mature";
	case SADB_SASTATE_DYING:
		return "dying";
	case SADB_SASTATE_DEAD:
		return "dead";
	}
	return "?";
}

static const char *policy_type_name(unsigned int type)
{
	switch (type) {
	case IPSEC_POLICY_DISCARD:
		return "discard";
	case IPSEC_POLICY_NONE:
		return "none";
	case IPSEC_POLICY_IPSEC:
		return "ipsec";
	case IPSEC_POLICY_ENTRUST:
		return "entrust";
	case IPSEC_POLICY_BYPASS:
		return "bypass";
	}
	return "?";
}

static const char *reqproto_name(unsigned int proto)
{
	switch (proto) {
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_COMP:
		return "ipcomp";
	}
	return "?";
}

static const char *alg_str(enum pfk_alg_kind kind, unsigned int id,
			   char *buf, size_t len)
{
	const char *name = pfk_alg_name(kind, id);

	if (name)
		return name;
	snprintf(buf, len, "%u", id);
	return buf;
}

static const struct sadb_lifetime *lifetime(const struct pfk_reply *r,
					    unsigned int type)
{
	return (const void *)r->ext[type];
}

static void text_time(FILE *f, uint64_t t)
{
	char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !localtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof(buf), "%b %e %H:%M:%S %Y", &tm))
		fputs("-", f);
	else
		fputs(buf, f);
}

/* calls @fn for each well-formed request of the policy */
struct req_info {
	unsigned int proto, mode, level;
	uint32_t reqid;
	bool tunnel;
	char src[INET6_ADDRSTRLEN];
	char dst[INET6_ADDRSTRLEN];
};

static int next_req(const struct sadb_x_policy *xp, size_t *off,
		    struct req_info *ri)
{
	size_t len = (size_t)xp->sadb_x_policy_len * 8;
	const struct sadb_x_ipsecrequest *rq;
	size_t rlen, l1, l2;
	const struct sockaddr *s1, *s2;
	unsigned int port;

	if (*off >= len || len - *off < sizeof(*rq))
		return 0;
	rq = (const void *)((const uint8_t *)xp + *off);
	rlen = rq->sadb_x_ipsecrequest_len;
	if (rlen < sizeof(*rq) || rlen > len - *off || rlen % 8)
		return -1;
	memset(ri, 0, sizeof(*ri));
	ri->proto = rq->sadb_x_ipsecrequest_proto;
	ri->mode = rq->sadb_x_ipsecrequest_mode;
	ri->level = rq->sadb_x_ipsecrequest_level;
	ri->reqid = rq->sadb_x_ipsecrequest_reqid;
	if (rlen > sizeof(*rq)) {
		s1 = (const void *)(rq + 1);
		l1 = s1->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
		     s1->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : 0;
		if (!l1 || sizeof(*rq) + 2 * l1 > rlen)
			return -1;
		s2 = (const void *)((const uint8_t *)s1 + l1);
		l2 = s2->sa_family == s1->sa_family ? l1 : 0;
		if (!l2)
			return -1;
		sockaddr_str(s1, ri->src, sizeof(ri->src), &port);
		sockaddr_str(s2, ri->dst, sizeof(ri->dst), &port);
		ri->tunnel = true;
	}
	*off += rlen;
	return 1;
}

static void upper_str(unsigned int proto, char *buf, size_t len)
{
	const char *n = pfk_ipproto_name(proto);

	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "%u", proto);
}

/*
 * One printer per extension (or group of extensions that setkey shows
 * together), each writing the text and the JSON form of every field
 * through the pr_* helpers, as iproute2's print_*(PRINT_ANY, ...) do:
 * a field has a JSON key, a text format, or both.
 */
struct pr {
	FILE *f;
	bool json;
	bool keys;
	struct jw w;
};

static void pr_str(struct pr *p, const char *key, const char *tfmt,
		   const char *v)
{
	if (p->json && key)
		jw_str(&p->w, key, v);
	else if (!p->json && tfmt)
		fprintf(p->f, tfmt, v);
}

static void pr_u64(struct pr *p, const char *key, const char *tfmt,
		   unsigned long long v)
{
	if (p->json && key)
		jw_u64(&p->w, key, v);
	else if (!p->json && tfmt)
		fprintf(p->f, tfmt, v);
}

/* text only */
static void pr_text(struct pr *p, const char *fmt, ...)
{
	va_list ap;

	if (p->json)
		return;
	va_start(ap, fmt);
	vfprintf(p->f, fmt, ap);
	va_end(ap);
}

/* JSON only: an object or array */
static void pr_open(struct pr *p, const char *key, char c)
{
	if (p->json)
		jw_open(&p->w, key, c);
}

static void pr_close(struct pr *p, char c)
{
	if (p->json)
		jw_close(&p->w, c);
}

static void hex_key(FILE *f, const struct sadb_key *k, bool spaced)
{
	const uint8_t *d = (const uint8_t *)(k + 1);
	unsigned int i, n = (k->sadb_key_bits + 7u) / 8;

	for (i = 0; i < n; i++) {
		if (spaced && i && i % 4 == 0)
			fputc(' ', f);
		fprintf(f, "%02x", d[i]);
	}
}

/* key material: "  0011 2233" in text, "key":"00112233" in JSON */
static void pr_key(struct pr *p, const struct sadb_key *k)
{
	if (!k)
		return;
	pr_u64(p, "bits", NULL, k->sadb_key_bits);
	if (!p->keys)
		return;
	if (p->json) {
		jw_key(&p->w, "key");
		fputc('"', p->f);
		hex_key(p->f, k, false);
		fputc('"', p->f);
	} else {
		fputs("  ", p->f);
		hex_key(p->f, k, true);
	}
}

/* the base header: JSON always, text only with @header (monitor, -R) */
static void print_base(struct pr *p, const struct sadb_msg *h, bool header)
{
	pr_str(p, "type", header ? "[%s" : NULL,
	       pfk_msg_type_name(h->sadb_msg_type));
	pr_str(p, "satype", header ? " %s" : NULL,
	       pfk_satype_name(h->sadb_msg_satype));
	pr_u64(p, "seq", header ? " seq=%llu" : NULL, h->sadb_msg_seq);
	pr_u64(p, "pid", header ? " pid=%llu" : NULL, h->sadb_msg_pid);
	pr_u64(p, "errno", NULL, h->sadb_msg_errno);
	if (header && h->sadb_msg_errno)
		pr_text(p, " errno=%s", strerror(h->sadb_msg_errno));
	if (header)
		pr_text(p, "]\n");
}

/* ADDRESS_SRC, ADDRESS_DST and the NAT-T ports: "src[port] dst[port]" */
static void print_sa_addresses(struct pr *p, const struct pfk_reply *r)
{
	const struct sadb_x_nat_t_port *sp, *dp;
	struct addr_info src, dst;

	get_addr(r, SADB_EXT_ADDRESS_SRC, &src);
	get_addr(r, SADB_EXT_ADDRESS_DST, &dst);
	sp = (const void *)r->ext[SADB_X_EXT_NAT_T_SPORT];
	dp = (const void *)r->ext[SADB_X_EXT_NAT_T_DPORT];
	pr_str(p, src.present ? "src" : NULL, "%s", src.present ? src.addr : "?");
	if (sp)
		pr_u64(p, "sport", "[%llu]", ntohs(sp->sadb_x_nat_t_port_port));
	pr_str(p, dst.present ? "dst" : NULL, " %s",
	       dst.present ? dst.addr : "?");
	if (dp)
		pr_u64(p, "dport", "[%llu]", ntohs(dp->sadb_x_nat_t_port_port));
	pr_text(p, "\n");
}

/* SA with SA2 and NAT_T_TYPE: "esp-udp mode=... spi=...(0x...) reqid=..." */
static void print_sa_id(struct pr *p, const struct pfk_reply *r)
{
	const struct sadb_sa *sa = (const void *)r->ext[SADB_EXT_SA];
	const struct sadb_x_sa2 *sa2 = (const void *)r->ext[SADB_X_EXT_SA2];
	uint32_t spi = ntohl(sa->sadb_sa_spi), reqid;
	char b[16];

	reqid = sa2 ? sa2->sadb_x_sa2_reqid : 0;
	pr_str(p, "proto", "\t%s", r->ext[SADB_X_EXT_NAT_T_TYPE] ? "esp-udp" :
	       pfk_satype_name(r->msg->sadb_msg_satype));
	pr_str(p, "mode", " mode=%s",
	       sa2 ? pfk_mode_name(sa2->sadb_x_sa2_mode) : "any");
	pr_text(p, " spi=%u(", spi);
	snprintf(b, sizeof(b), "0x%08x", spi);
	pr_str(p, "spi", "%s)", b);
	pr_u64(p, "reqid", " reqid=%llu", reqid);
	pr_text(p, "(0x%08x)\n", reqid);
}

/* an algorithm of the SA and its KEY extension: "\tE: name  key" */
static void print_alg(struct pr *p, const char *key, const char *label,
		      enum pfk_alg_kind kind, unsigned int id,
		      const struct sadb_key *k)
{
	char b[16];

	pr_open(p, key, '{');
	pr_str(p, "name", label, alg_str(kind, id, b, sizeof(b)));
	pr_u64(p, "id", NULL, id);
	pr_key(p, k);
	pr_text(p, "\n");
	pr_close(p, '}');
}

static void print_sa_algs(struct pr *p, const struct pfk_reply *r)
{
	const struct sadb_sa *sa = (const void *)r->ext[SADB_EXT_SA];

	if (r->msg->sadb_msg_satype == SADB_X_SATYPE_IPCOMP) {
		print_alg(p, "comp", "\tC: %s", PFK_ALG_COMP,
			  sa->sadb_sa_encrypt, NULL);
		return;
	}
	if (sa->sadb_sa_encrypt)
		print_alg(p, "enc", "\tE: %s", PFK_ALG_ENC, sa->sadb_sa_encrypt,
			  (const void *)r->ext[SADB_EXT_KEY_ENCRYPT]);
	if (sa->sadb_sa_auth)
		print_alg(p, "auth", "\tA: %s", PFK_ALG_AUTH, sa->sadb_sa_auth,
			  (const void *)r->ext[SADB_EXT_KEY_AUTH]);
}

static void print_sa_state(struct pr *p, const struct sadb_sa *sa)
{
	pr_u64(p, "replay", "\treplay=%llu", sa->sadb_sa_replay);
	pr_u64(p, "flags", NULL, sa->sadb_sa_flags);
	pr_text(p, " flags=0x%08x", sa->sadb_sa_flags);
	pr_str(p, "state", " state=%s\n", state_name(sa->sadb_sa_state));
}

/* one LIFETIME_* extension in JSON */
static void json_lifetime(struct pr *p, const char *key,
			  const struct sadb_lifetime *lt)
{
	if (!lt)
		return;
	pr_open(p, key, '{');
	pr_u64(p, "allocations", NULL, lt->sadb_lifetime_allocations);
	pr_u64(p, "bytes", NULL, lt->sadb_lifetime_bytes);
	pr_u64(p, "addtime", NULL, lt->sadb_lifetime_addtime);
	pr_u64(p, "usetime", NULL, lt->sadb_lifetime_usetime);
	pr_close(p, '}');
}

enum lt_field { LT_ADDTIME, LT_BYTES, LT_ALLOCATIONS };

/* a field of a lifetime extension that may be missing (0 then) */
static unsigned long long lt_get(const struct sadb_lifetime *lt,
				 enum lt_field f)
{
	if (!lt)
		return 0;
	if (f == LT_ADDTIME)
		return lt->sadb_lifetime_addtime;
	if (f == LT_BYTES)
		return lt->sadb_lifetime_bytes;
	return lt->sadb_lifetime_allocations;
}

/*
 * LIFETIME_CURRENT, _HARD and _SOFT: setkey shows them side by side, a
 * line per field; JSON has an object per extension.
 */
static void print_lifetimes(struct pr *p, const struct pfk_reply *r)
{
	const struct sadb_lifetime *cur, *hard, *soft;

	cur = lifetime(r, SADB_EXT_LIFETIME_CURRENT);
	hard = lifetime(r, SADB_EXT_LIFETIME_HARD);
	soft = lifetime(r, SADB_EXT_LIFETIME_SOFT);
	if (p->json) {
		pr_open(p, "lifetime", '{');
		json_lifetime(p, "current", cur);
		json_lifetime(p, "hard", hard);
		json_lifetime(p, "soft", soft);
		pr_close(p, '}');
		return;
	}
	if (cur) {
		fputs("\tcreated: ", p->f);
		text_time(p->f, cur->sadb_lifetime_addtime);
		fputs("\tlast: ", p->f);
		text_time(p->f, cur->sadb_lifetime_usetime);
		fputc('\n', p->f);
	}
	if (hard || soft)
		fprintf(p->f, "\thard: %llu(s) soft: %llu(s)\n",
			lt_get(hard, LT_ADDTIME), lt_get(soft, LT_ADDTIME));
	if (cur || hard || soft) {
		fprintf(p->f, "\tcurrent: %llu(bytes) hard: %llu(bytes) soft: %llu(bytes)\n",
			lt_get(cur, LT_BYTES), lt_get(hard, LT_BYTES),
			lt_get(soft, LT_BYTES));
		fprintf(p->f, "\tallocated: %llu hard: %llu soft: %llu\n",
			lt_get(cur, LT_ALLOCATIONS),
			lt_get(hard, LT_ALLOCATIONS),
			lt_get(soft, LT_ALLOCATIONS));
	}
}

static void print_sa(struct pr *p, const struct pfk_reply *r)
{
	print_sa_addresses(p, r);
	print_sa_id(p, r);
	print_sa_algs(p, r);
	print_sa_state(p, (const void *)r->ext[SADB_EXT_SA]);
	print_lifetimes(p, r);
	pr_text(p, "\tsadb_seq=%u pid=%u\n", r->msg->sadb_msg_seq,
		r->msg->sadb_msg_pid);
}

/* a selector address: "addr/len[port]" ("[any]" for port 0) */
static void print_sel_addr(struct pr *p, const char *key, const char *pkey,
			   const char *lead, const struct addr_info *a)
{
	char buf[INET6_ADDRSTRLEN + 8];

	snprintf(buf, sizeof(buf), "%s/%u", a->addr, a->prefixlen);
	pr_text(p, "%s", lead);
	pr_str(p, key, "%s", buf);
	pr_u64(p, pkey, a->port ? "[%llu]" : "[any]", a->port);
}

/* ADDRESS_SRC and ADDRESS_DST of a policy, with the upper layer */
static void print_selector(struct pr *p, const struct pfk_reply *r)
{
	struct addr_info src, dst;
	char up[16];

	get_addr(r, SADB_EXT_ADDRESS_SRC, &src);
	get_addr(r, SADB_EXT_ADDRESS_DST, &dst);
	if (!src.present || !dst.present)
		return;
	pr_open(p, "selector", '{');
	print_sel_addr(p, "src", "sport", "", &src);
	print_sel_addr(p, "dst", "dport", " ", &dst);
	upper_str(src.proto, up, sizeof(up));
	pr_str(p, "proto", " %s\n", up);
	pr_close(p, '}');
}

/* one request of X_POLICY: "proto/mode/src-dst/level:reqid" */
static void print_request(struct pr *p, const struct req_info *ri)
{
	pr_open(p, NULL, '{');
	pr_str(p, "proto", "\t%s", reqproto_name(ri->proto));
	pr_str(p, "mode", "/%s/", pfk_mode_name(ri->mode));
	if (ri->tunnel) {
		pr_str(p, "src", "%s", ri->src);
		pr_str(p, "dst", "-%s", ri->dst);
	}
	pr_str(p, "level", "/%s", pfk_level_name(ri->level));
	pr_u64(p, "reqid", ri->reqid ? ":%llu" : NULL, ri->reqid);
	pr_text(p, "\n");
	pr_close(p, '}');
}

/* X_POLICY */
static void print_policy(struct pr *p, const struct pfk_reply *r)
{
	const struct sadb_x_policy *xp = (const void *)r->ext[SADB_X_EXT_POLICY];
	struct req_info ri;
	size_t off = sizeof(*xp);
	int rc;

	print_selector(p, r);
	pr_str(p, "dir", "\t%s", pfk_dir_name(xp->sadb_x_policy_dir));
	pr_u64(p, "priority", " prio %llu", xp->sadb_x_policy_priority);
	pr_str(p, "action", " %s\n", policy_type_name(xp->sadb_x_policy_type));
	pr_open(p, "requests", '[');
	while ((rc = next_req(xp, &off, &ri)) > 0)
		print_request(p, &ri);
	pr_close(p, ']');
	if (rc < 0)
		pr_text(p, "\t(malformed request)\n");
	pr_u64(p, "id", "\tspid=%llu", xp->sadb_x_policy_id);
	pr_text(p, " seq=%u pid=%u\n", r->msg->sadb_msg_seq,
		r->msg->sadb_msg_pid);
}

/* SUPPORTED_AUTH, SUPPORTED_ENCRYPT (SADB_REGISTER replies) */
static void print_supported(struct pr *p, const struct pfk_reply *r,
			    unsigned int type, enum pfk_alg_kind kind)
{
	const struct sadb_supported *s = (const void *)r->ext[type];
	const struct sadb_alg *a;
	size_t n, i;
	char b[16];

	if (!s)
		return;
	n = (pfk_ext_bytes(r->ext[type]) - sizeof(*s)) / sizeof(*a);
	a = (const void *)(s + 1);
	pr_open(p, kind == PFK_ALG_AUTH ? "auth" : "encrypt", '[');
	pr_text(p, "%s:\n", kind == PFK_ALG_AUTH ? "Authentication" :
		"Encryption");
	for (i = 0; i < n; i++, a++) {
		pr_open(p, NULL, '{');
		pr_str(p, "name", "\t%-20s",
		       alg_str(kind, a->sadb_alg_id, b, sizeof(b)));
		pr_u64(p, "id", " id=%-3llu", a->sadb_alg_id);
		pr_u64(p, "ivlen", " ivlen=%-3llu", a->sadb_alg_ivlen);
		pr_u64(p, "minbits", " bits=%llu", a->sadb_alg_minbits);
		pr_u64(p, "maxbits", "-%llu\n", a->sadb_alg_maxbits);
		pr_close(p, '}');
	}
	pr_close(p, ']');
}

void pfk_print(FILE *out, const struct pfk_reply *r,
	       const struct pfk_print_opts *o)
{
	const struct sadb_msg *h = r->msg;
	struct pr p = { .f = out, .json = o->json,
			.w = { .f = out, .first = { true } } };

	/* only get and dump replies carry keys for us to show */
	p.keys = o->keys && (h->sadb_msg_type == SADB_GET ||
			     h->sadb_msg_type == SADB_DUMP);
	pr_open(&p, NULL, '{');
	print_base(&p, h, o->header);
	if (r->ext[SADB_EXT_SA])
		print_sa(&p, r);
	else if (r->ext[SADB_X_EXT_POLICY])
		print_policy(&p, r);
	if (r->ext[SADB_EXT_SUPPORTED_AUTH] ||
	    r->ext[SADB_EXT_SUPPORTED_ENCRYPT]) {
		pr_open(&p, "supported", '{');
		print_supported(&p, r, SADB_EXT_SUPPORTED_AUTH, PFK_ALG_AUTH);
		print_supported(&p, r, SADB_EXT_SUPPORTED_ENCRYPT, PFK_ALG_ENC);
		pr_close(&p, '}');
	}
	pr_close(&p, '}');
	if (p.json)
		fputc('\n', out);
}

void pfk_print_stats(FILE *out, const char *proto, FILE *in, bool json,
		     bool first)
{
	char line[256], name[128];
	unsigned long long v;
	bool f1 = true;

	if (json)
		fprintf(out, "%s\"%s\":{", first ? "" : ",", proto);
	else
		fprintf(out, "%s:\n", proto);
	while (fgets(line, sizeof(line), in)) {
		if (sscanf(line, "%127s %llu", name, &v) != 2)
			continue;
		if (json) {
			fprintf(out, "%s\"%s\":%llu", f1 ? "" : ",", name, v);
			f1 = false;
		} else {
			fprintf(out, "\t%-24s %llu\n", name, v);
		}
	}
	if (json)
		fputc('}', out);
}
