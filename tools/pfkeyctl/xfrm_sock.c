// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl -x: the NETLINK_XFRM socket. A request is acknowledged
 * (NLM_F_ACK) or answered; a dump ends with NLMSG_DONE; both are read
 * with libmnl's callbacks, which check every length. deleteall is a
 * dump then one DELSA per match, as over PF_KEY.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/ipsec.h>
#include <linux/xfrm.h>
#include <libmnl/libmnl.h>

#include "compat.h"
#include "xfrm_build.h"
#include "xfrm_print.h"
#include "xfrm_sock.h"

/* libmnl's MNL_SOCKET_DUMP_SIZE, which older versions lack */
#define PFK_NL_BUF	32768

struct reply {
	const struct pfk_cmd *cmd;
	struct pfk_xfrm_ctx *x;
	uint8_t proto;		/* dump filter: 0 or IPSEC_PROTO_ANY is all */
	bool show;
	uint32_t *spis;		/* deleteall: the SPIs to delete */
	size_t nspi, cap;
	bool nomem;
};

static int fail(struct pfk_xfrm_ctx *x, const struct pfk_cmd *cmd,
		const char *what, const char *why)
{
	fprintf(stderr, "%s:%u: %s: %s\n", cmd->file, cmd->line, what, why);
	x->failures++;
	return -1;
}

static void hexdump(const struct pfk_cmd *cmd, const struct nlmsghdr *nlh)
{
	const uint8_t *p = (const uint8_t *)nlh;
	uint32_t i;

	printf("# %s %s:%u: XFRM %s, %u bytes\n", pfk_op_name(cmd->op),
	       cmd->file, cmd->line, pfk_xfrm_msg_name(nlh->nlmsg_type),
	       nlh->nlmsg_len);
	for (i = 0; i < nlh->nlmsg_len; i++) {
		if (i % 16 == 0)
			printf("%04x:", i);
		printf(" %02x", p[i]);
		if (i % 16 == 15 || i + 1 == nlh->nlmsg_len)
			putchar('\n');
	}
}

static bool same_addr(const xfrm_address_t *x, const struct pfk_addr *a)
{
	if (a->family == AF_INET)
		return !memcmp(&x->a4, &a->u.v4, sizeof(a->u.v4));
	return !memcmp(x->a6, &a->u.v6, sizeof(a->u.v6));
}

/* deleteall: an SA between the command's addresses, of its protocol */
static int keep_spi(struct reply *r, const struct xfrm_usersa_info *p)
{
	uint32_t *n;

	if (p->family != r->cmd->src.family ||
	    !same_addr(&p->saddr, &r->cmd->src) ||
	    !same_addr(&p->id.daddr, &r->cmd->dst))
		return MNL_CB_OK;
	if (r->nspi == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		n = realloc(r->spis, r->cap * sizeof(*n));
		if (!n) {
			r->nomem = true;
			return MNL_CB_ERROR;
		}
		r->spis = n;
	}
	r->spis[r->nspi++] = ntohl(p->id.spi);
	return MNL_CB_OK;
}

static int on_data(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;
	struct pfk_xfrm_print_opts po = { .json = r->x->json, .keys = true };

	if (nlh->nlmsg_type == XFRM_MSG_NEWSA) {
		const struct xfrm_usersa_info *p = mnl_nlmsg_get_payload(nlh);

		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*p))
			return MNL_CB_ERROR;
		if (r->proto && r->proto != IPSEC_PROTO_ANY &&
		    p->id.proto != r->proto)
			return MNL_CB_OK;
		if (r->spis || r->cmd->op == PFK_OP_DELETEALL)
			return keep_spi(r, p);
	}
	if (r->show)
		pfk_xfrm_print(stdout, nlh, &po);
	return MNL_CB_OK;
}

static int open_nl(struct pfk_xfrm_ctx *x, const struct pfk_cmd *cmd)
{
	if (x->nl)
		return 0;
	x->nl = mnl_socket_open(NETLINK_XFRM);
	if (!x->nl)
		return fail(x, cmd, "socket(NETLINK_XFRM)", strerror(errno));
	if (mnl_socket_bind(x->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fail(x, cmd, "bind(NETLINK_XFRM)", strerror(errno));
		mnl_socket_close(x->nl);
		x->nl = NULL;
		return -1;
	}
	return 0;
}

/* sends @nlh and reads up to its ACK, its answer or the dump's end */
static int transact(struct pfk_xfrm_ctx *x, const struct pfk_cmd *cmd,
		    struct nlmsghdr *nlh, struct reply *r)
{
	char buf[PFK_NL_BUF];
	uint32_t port = mnl_socket_get_portid(x->nl);
	ssize_t n;
	int rc;

	if (mnl_socket_sendto(x->nl, nlh, nlh->nlmsg_len) < 0)
		return fail(x, cmd, pfk_op_name(cmd->op), strerror(errno));
	do {
		n = mnl_socket_recvfrom(x->nl, buf, sizeof(buf));
		if (n < 0)
			return fail(x, cmd, pfk_op_name(cmd->op),
				    strerror(errno));
		rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, port, on_data,
				r);
	} while (rc == MNL_CB_OK && (nlh->nlmsg_flags & (NLM_F_ACK |
							 NLM_F_DUMP)));
	if (rc < 0 && r->nomem)
		return fail(x, cmd, pfk_op_name(cmd->op), strerror(ENOMEM));
	if (rc < 0)
		return fail(x, cmd, pfk_op_name(cmd->op), strerror(errno));
	return 0;
}

static int send_cmd(struct pfk_xfrm_ctx *x, const struct pfk_cmd *cmd,
		    struct reply *r)
{
	char buf[PFK_XFRM_MSG_MAX];
	char err[200];
	struct nlmsghdr *nlh;

	nlh = pfk_xfrm_build(cmd, ++x->seq, buf, sizeof(buf), err,
			     sizeof(err));
	if (!nlh)
		return fail(x, cmd, pfk_op_name(cmd->op), err);
	if (x->verbose)
		hexdump(cmd, nlh);
	if (x->dry)
		return 0;
	if (open_nl(x, cmd))
		return -1;
	return transact(x, cmd, nlh, r);
}

static int deleteall(struct pfk_xfrm_ctx *x, const struct pfk_cmd *cmd,
		     struct reply *r)
{
	struct pfk_cmd del = *cmd;
	size_t i;
	int rc;

	rc = send_cmd(x, cmd, r);
	del.op = PFK_OP_DELETE;
	for (i = 0; !rc && i < r->nspi; i++) {
		struct reply one = { .cmd = &del, .x = x };

		del.sa.spi = r->spis[i];
		rc = send_cmd(x, &del, &one);
	}
	free(r->spis);
	return rc;
}

static uint8_t proto_of(uint8_t satype)
{
	switch (satype) {
	case 2:		/* SADB_SATYPE_AH */
		return IPPROTO_AH;
	case 3:		/* SADB_SATYPE_ESP */
		return IPPROTO_ESP;
	case 9:		/* SADB_X_SATYPE_IPCOMP */
		return IPPROTO_COMP;
	}
	return 0;
}

int pfk_xfrm_run(struct pfk_xfrm_ctx *x, const struct pfk_cmd *cmd)
{
	struct reply r = { .cmd = cmd, .x = x };

	switch (cmd->op) {
	case PFK_OP_GET:
	case PFK_OP_GETSPI:
	case PFK_OP_DUMP:
	case PFK_OP_SPDDUMP:
		r.show = true;
		r.proto = proto_of(cmd->satype);
		break;
	case PFK_OP_DELETEALL:
		r.proto = proto_of(cmd->satype);
		return deleteall(x, cmd, &r);
	default:
		r.show = x->verbose;
		break;
	}
	return send_cmd(x, cmd, &r);
}

void pfk_xfrm_close(struct pfk_xfrm_ctx *x)
{
	if (x->nl)
		mnl_socket_close(x->nl);
	x->nl = NULL;
}

/* XFRMNLGRP_*: every group xfrm_user announces on */
static const unsigned int monitor_groups[] = {
	XFRMNLGRP_ACQUIRE, XFRMNLGRP_EXPIRE, XFRMNLGRP_SA, XFRMNLGRP_POLICY,
	XFRMNLGRP_AEVENTS, XFRMNLGRP_REPORT, XFRMNLGRP_MIGRATE,
	XFRMNLGRP_MAPPING,
};

struct mnl_socket *pfk_xfrm_monitor_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_XFRM);
	size_t i;
	int g;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	for (i = 0; i < ARRAY_SIZE(monitor_groups); i++) {
		g = (int)monitor_groups[i];
		if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &g,
					  sizeof(g)) < 0)
			goto err;
	}
	return nl;
err:
	mnl_socket_close(nl);
	return NULL;
}

int pfk_xfrm_monitor_fd(struct mnl_socket *nl)
{
	return mnl_socket_get_fd(nl);
}

static int on_event(const struct nlmsghdr *nlh, void *data)
{
	struct pfk_xfrm_print_opts po = { .json = *(bool *)data,
					  .event = true };

	/* events carry keys (NEWSA to listeners): never print them */
	pfk_xfrm_print(stdout, nlh, &po);
	fflush(stdout);
	return MNL_CB_OK;
}

int pfk_xfrm_monitor_read(struct mnl_socket *nl, bool json)
{
	char buf[PFK_NL_BUF];
	ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

	if (n < 0)
		return errno == ENOBUFS || errno == EINTR ? 0 : -1;
	mnl_cb_run(buf, (size_t)n, 0, 0, on_event, &json);
	return 0;
}
