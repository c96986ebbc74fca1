// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl: printing PF_KEY v2 messages already checked by reply.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <ipsec/pfkey.h>

#include "algs.h"
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

static void text_sa(FILE *f, const struct pfk_reply *r,
		    const struct pfk_print_opts *o)
{
	const struct sadb_msg *h = r->msg;
	const struct sadb_sa *sa = (const void *)r->ext[SADB_EXT_SA];
	const struct sadb_x_sa2 *sa2 = (const void *)r->ext[SADB_X_EXT_SA2];
	const struct sadb_key *ka = (const void *)r->ext[SADB_EXT_KEY_AUTH];
	const struct sadb_key *ke = (const void *)r->ext[SADB_EXT_KEY_ENCRYPT];
	const struct sadb_x_nat_t_port *sp, *dp;
	const struct sadb_lifetime *cur, *hard, *soft;
	struct addr_info src, dst;
	char b[16];
	uint32_t spi;
	bool comp = h->sadb_msg_satype == SADB_X_SATYPE_IPCOMP;

	get_addr(r, SADB_EXT_ADDRESS_SRC, &src);
	get_addr(r, SADB_EXT_ADDRESS_DST, &dst);
	sp = (const void *)r->ext[SADB_X_EXT_NAT_T_SPORT];
	dp = (const void *)r->ext[SADB_X_EXT_NAT_T_DPORT];
	fprintf(f, "%s", src.present ? src.addr : "?");
	if (sp)
		fprintf(f, "[%u]", ntohs(sp->sadb_x_nat_t_port_port));
	fprintf(f, " %s", dst.present ? dst.addr : "?");
	if (dp)
		fprintf(f, "[%u]", ntohs(dp->sadb_x_nat_t_port_port));
	fputc('\n', f);

	spi = ntohl(sa->sadb_sa_spi);
	fprintf(f, "\t%s%s mode=%s spi=%u(0x%08x) reqid=%u(0x%08x)\n",
		pfk_satype_name(h->sadb_msg_satype),
		r->ext[SADB_X_EXT_NAT_T_TYPE] ? "-udp" : "",
		sa2 ? pfk_mode_name(sa2->sadb_x_sa2_mode) : "any", spi, spi,
		sa2 ? sa2->sadb_x_sa2_reqid : 0,
		sa2 ? sa2->sadb_x_sa2_reqid : 0);
	if (comp) {
		fprintf(f, "\tC: %s\n", alg_str(PFK_ALG_COMP,
						sa->sadb_sa_encrypt,
						b, sizeof(b)));
	} else {
		if (sa->sadb_sa_encrypt) {
			fprintf(f, "\tE: %s", alg_str(PFK_ALG_ENC,
						      sa->sadb_sa_encrypt,
						      b, sizeof(b)));
			if (ke && o->keys) {
				fputs("  ", f);
				hex_key(f, ke, true);
			}
			fputc('\n', f);
		}
		if (sa->sadb_sa_auth) {
			fprintf(f, "\tA: %s", alg_str(PFK_ALG_AUTH,
						      sa->sadb_sa_auth,
						      b, sizeof(b)));
			if (ka && o->keys) {
				fputs("  ", f);
				hex_key(f, ka, true);
			}
			fputc('\n', f);
		}
	}
	fprintf(f, "\treplay=%u flags=0x%08x state=%s\n", sa->sadb_sa_replay,
		sa->sadb_sa_flags, state_name(sa->sadb_sa_state));
	cur = lifetime(r, SADB_EXT_LIFETIME_CURRENT);
	hard = lifetime(r, SADB_EXT_LIFETIME_HARD);
	soft = lifetime(r, SADB_EXT_LIFETIME_SOFT);
	if (cur) {
		fputs("\tcreated: ", f);
		text_time(f, cur->sadb_lifetime_addtime);
		fputs("\tlast: ", f);
		text_time(f, cur->sadb_lifetime_usetime);
		fputc('\n', f);
	}
	if (hard || soft) {
		fprintf(f, "\thard: %llu(s) soft: %llu(s)\n",
			hard ? hard->sadb_lifetime_addtime : 0ULL,
			soft ? soft->sadb_lifetime_addtime : 0ULL);
	}
	if (cur || hard || soft) {
		fprintf(f, "\tcurrent: %llu(bytes) hard: %llu(bytes) soft: %llu(bytes)\n",
			cur ? cur->sadb_lifetime_bytes : 0ULL,
			hard ? hard->sadb_lifetime_bytes : 0ULL,
			soft ? soft->sadb_lifetime_bytes : 0ULL);
		fprintf(f, "\tallocated: %u hard: %u soft: %u\n",
			cur ? cur->sadb_lifetime_allocations : 0,
			hard ? hard->sadb_lifetime_allocations : 0,
			soft ? soft->sadb_lifetime_allocations : 0);
	}
	fprintf(f, "\tsadb_seq=%u pid=%u\n", h->sadb_msg_seq, h->sadb_msg_pid);
}

static void json_lifetime(struct jw *w, const char *key,
			  const struct sadb_lifetime *lt)
{
	if (!lt)
		return;
	jw_open(w, key, '{');
	jw_u64(w, "allocations", lt->sadb_lifetime_allocations);
	jw_u64(w, "bytes", lt->sadb_lifetime_bytes);
	jw_u64(w, "addtime", lt->sadb_lifetime_addtime);
	jw_u64(w, "usetime", lt->sadb_lifetime_usetime);
	jw_close(w, '}');
}

static void json_alg(struct jw *w, const char *key, enum pfk_alg_kind kind,
		     unsigned int id, const struct sadb_key *k, bool keys)
{
	char b[16];

	jw_open(w, key, '{');
	jw_str(w, "name", alg_str(kind, id, b, sizeof(b)));
	jw_u64(w, "id", id);
	if (k) {
		jw_u64(w, "bits", k->sadb_key_bits);
		if (keys) {
			jw_key(w, "key");
			fputc('"', w->f);
			hex_key(w->f, k, false);
			fputc('"', w->f);
		}
	}
	jw_close(w, '}');
}

static void json_sa(struct jw *w, const struct pfk_reply *r,
		    const struct pfk_print_opts *o)
{
	const struct sadb_msg *h = r->msg;
	const struct sadb_sa *sa = (const void *)r->ext[SADB_EXT_SA];
	const struct sadb_x_sa2 *sa2 = (const void *)r->ext[SADB_X_EXT_SA2];
	const struct sadb_x_nat_t_port *sp, *dp;
	struct addr_info src, dst;
	char b[16];

	get_addr(r, SADB_EXT_ADDRESS_SRC, &src);
	get_addr(r, SADB_EXT_ADDRESS_DST, &dst);
	if (src.present)
		jw_str(w, "src", src.addr);
	if (dst.present)
		jw_str(w, "dst", dst.addr);
	jw_str(w, "proto", r->ext[SADB_X_EXT_NAT_T_TYPE] ? "esp-udp" :
		   pfk_satype_name(h->sadb_msg_satype));
	sp = (const void *)r->ext[SADB_X_EXT_NAT_T_SPORT];
	dp = (const void *)r->ext[SADB_X_EXT_NAT_T_DPORT];
	if (sp)
		jw_u64(w, "sport", ntohs(sp->sadb_x_nat_t_port_port));
	if (dp)
		jw_u64(w, "dport", ntohs(dp->sadb_x_nat_t_port_port));
	snprintf(b, sizeof(b), "0x%08x", ntohl(sa->sadb_sa_spi));
	jw_str(w, "spi", b);
	jw_str(w, "mode", sa2 ? pfk_mode_name(sa2->sadb_x_sa2_mode) : "any");
	jw_u64(w, "reqid", sa2 ? sa2->sadb_x_sa2_reqid : 0);
	jw_str(w, "state", state_name(sa->sadb_sa_state));
	if (h->sadb_msg_satype == SADB_X_SATYPE_IPCOMP) {
		json_alg(w, "comp", PFK_ALG_COMP, sa->sadb_sa_encrypt, NULL,
			 false);
	} else {
		if (sa->sadb_sa_encrypt)
			json_alg(w, "enc", PFK_ALG_ENC, sa->sadb_sa_encrypt,
				 (const void *)r->ext[SADB_EXT_KEY_ENCRYPT],
				 o->keys);
		if (sa->sadb_sa_auth)
			json_alg(w, "auth", PFK_ALG_AUTH, sa->sadb_sa_auth,
				 (const void *)r->ext[SADB_EXT_KEY_AUTH],
				 o->keys);
	}
	jw_u64(w, "replay", sa->sadb_sa_replay);
	jw_u64(w, "flags", sa->sadb_sa_flags);
	jw_open(w, "lifetime", '{');
	json_lifetime(w, "current", lifetime(r, SADB_EXT_LIFETIME_CURRENT));
	json_lifetime(w, "hard", lifetime(r, SADB_EXT_LIFETIME_HARD));
	json_lifetime(w, "soft", lifetime(r, SADB_EXT_LIFETIME_SOFT));
	jw_close(w, '}');
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

static void text_policy(FILE *f, const struct pfk_reply *r)
{
	const struct sadb_msg *h = r->msg;
	const struct sadb_x_policy *xp = (const void *)r->ext[SADB_X_EXT_POLICY];
	struct addr_info src, dst;
	struct req_info ri;
	size_t off = sizeof(*xp);
	char up[16];
	int rc;

	get_addr(r, SADB_EXT_ADDRESS_SRC, &src);
	get_addr(r, SADB_EXT_ADDRESS_DST, &dst);
	if (src.present && dst.present) {
		upper_str(src.proto, up, sizeof(up));
		fprintf(f, "%s/%u", src.addr, src.prefixlen);
		if (src.port)
			fprintf(f, "[%u]", src.port);
		else
			fputs("[any]", f);
		fprintf(f, " %s/%u", dst.addr, dst.prefixlen);
		if (dst.port)
			fprintf(f, "[%u]", dst.port);
		else
			fputs("[any]", f);
		fprintf(f, " %s\n", up);
	}
	fprintf(f, "\t%s prio %u %s\n", pfk_dir_name(xp->sadb_x_policy_dir),
		xp->sadb_x_policy_priority,
		policy_type_name(xp->sadb_x_policy_type));
	while ((rc = next_req(xp, &off, &ri)) > 0) {
		fprintf(f, "\t%s/%s/", reqproto_name(ri.proto),
			pfk_mode_name(ri.mode));
		if (ri.tunnel)
			fprintf(f, "%s-%s", ri.src, ri.dst);
		fprintf(f, "/%s", pfk_level_name(ri.level));
		if (ri.reqid)
			fprintf(f, ":%u", ri.reqid);
		fputc('\n', f);
	}
	if (rc < 0)
		fputs("\t(malformed request)\n", f);
	fprintf(f, "\tspid=%u seq=%u pid=%u\n", xp->sadb_x_policy_id,
		h->sadb_msg_seq, h->sadb_msg_pid);
}

static void json_policy(struct jw *w, const struct pfk_reply *r)
{
	const struct sadb_x_policy *xp = (const void *)r->ext[SADB_X_EXT_POLICY];
	struct addr_info src, dst;
	struct req_info ri;
	size_t off = sizeof(*xp);
	char buf[INET6_ADDRSTRLEN + 8];

	get_addr(r, SADB_EXT_ADDRESS_SRC, &src);
	get_addr(r, SADB_EXT_ADDRESS_DST, &dst);
	if (src.present && dst.present) {
		jw_open(w, "selector", '{');
		snprintf(buf, sizeof(buf), "%s/%u", src.addr, src.prefixlen);
		jw_str(w, "src", buf);
		snprintf(buf, sizeof(buf), "%s/%u", dst.addr, dst.prefixlen);
		jw_str(w, "dst", buf);
		jw_u64(w, "sport", src.port);
		jw_u64(w, "dport", dst.port);
		upper_str(src.proto, buf, sizeof(buf));
		jw_str(w, "proto", buf);
		jw_close(w, '}');
	}
	jw_str(w, "dir", pfk_dir_name(xp->sadb_x_policy_dir));
	jw_str(w, "action", policy_type_name(xp->sadb_x_policy_type));
	jw_u64(w, "id", xp->sadb_x_policy_id);
	jw_u64(w, "priority", xp->sadb_x_policy_priority);
	jw_open(w, "requests", '[');
	while (next_req(xp, &off, &ri) > 0) {
		jw_open(w, NULL, '{');
		jw_str(w, "proto", reqproto_name(ri.proto));
		jw_str(w, "mode", pfk_mode_name(ri.mode));
		if (ri.tunnel) {
			jw_str(w, "src", ri.src);
			jw_str(w, "dst", ri.dst);
		}
		jw_str(w, "level", pfk_level_name(ri.level));
		jw_u64(w, "reqid", ri.reqid);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

/* SADB_REGISTER replies: what the kernel supports */
static void supported(FILE *f, struct jw *w, const struct pfk_reply *r,
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
	if (w)
		jw_open(w, kind == PFK_ALG_AUTH ? "auth" : "encrypt", '[');
	else
		fprintf(f, "%s:\n", kind == PFK_ALG_AUTH ?
			"Authentication" : "Encryption");
	for (i = 0; i < n; i++, a++) {
		const char *name = alg_str(kind, a->sadb_alg_id, b, sizeof(b));

		if (!w) {
			fprintf(f, "\t%-20s id=%-3u ivlen=%-3u bits=%u-%u\n",
				name, a->sadb_alg_id, a->sadb_alg_ivlen,
				a->sadb_alg_minbits, a->sadb_alg_maxbits);
			continue;
		}
		jw_open(w, NULL, '{');
		jw_str(w, "name", name);
		jw_u64(w, "id", a->sadb_alg_id);
		jw_u64(w, "ivlen", a->sadb_alg_ivlen);
		jw_u64(w, "minbits", a->sadb_alg_minbits);
		jw_u64(w, "maxbits", a->sadb_alg_maxbits);
		jw_close(w, '}');
	}
	if (w)
		jw_close(w, ']');
}

void pfk_print(FILE *out, const struct pfk_reply *r,
	       const struct pfk_print_opts *o)
{
	const struct sadb_msg *h = r->msg;
	struct jw w = { .f = out, .first = { true } };
	/* only get and dump replies carry keys for us to show */
	bool keys = o->keys &&
		    (h->sadb_msg_type == SADB_GET ||
		     h->sadb_msg_type == SADB_DUMP);

	if (o->json) {
		jw_open(&w, NULL, '{');
		jw_str(&w, "type", pfk_msg_type_name(h->sadb_msg_type));
		jw_str(&w, "satype", pfk_satype_name(h->sadb_msg_satype));
		jw_u64(&w, "errno", h->sadb_msg_errno);
		jw_u64(&w, "seq", h->sadb_msg_seq);
		jw_u64(&w, "pid", h->sadb_msg_pid);
		if (r->ext[SADB_EXT_SA]) {
			struct pfk_print_opts o2 = *o;

			o2.keys = keys;
			json_sa(&w, r, &o2);
		} else if (r->ext[SADB_X_EXT_POLICY]) {
			json_policy(&w, r);
		}
		if (r->ext[SADB_EXT_SUPPORTED_AUTH] ||
		    r->ext[SADB_EXT_SUPPORTED_ENCRYPT]) {
			jw_open(&w, "supported", '{');
			supported(out, &w, r, SADB_EXT_SUPPORTED_AUTH,
				  PFK_ALG_AUTH);
			supported(out, &w, r, SADB_EXT_SUPPORTED_ENCRYPT,
				  PFK_ALG_ENC);
			jw_close(&w, '}');
		}
		jw_close(&w, '}');
		fputc('\n', out);
		return;
	}
	if (o->header)
		fprintf(out, "[%s %s seq=%u pid=%u%s%s]\n",
			pfk_msg_type_name(h->sadb_msg_type),
			pfk_satype_name(h->sadb_msg_satype), h->sadb_msg_seq,
			h->sadb_msg_pid, h->sadb_msg_errno ? " errno=" : "",
			h->sadb_msg_errno ? strerror(h->sadb_msg_errno) : "");
	if (r->ext[SADB_EXT_SA]) {
		struct pfk_print_opts o2 = *o;

		o2.keys = keys;
		text_sa(out, r, &o2);
	} else if (r->ext[SADB_X_EXT_POLICY]) {
		text_policy(out, r);
	}
	supported(out, NULL, r, SADB_EXT_SUPPORTED_AUTH, PFK_ALG_AUTH);
	supported(out, NULL, r, SADB_EXT_SUPPORTED_ENCRYPT, PFK_ALG_ENC);
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
