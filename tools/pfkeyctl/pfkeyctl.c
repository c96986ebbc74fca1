// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl: manage the SAD and SPD over PF_KEY v2 (RFC 2367) with the
 * command language of setkey(8).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/pfkeyv2.h>
#include <libmnl/libmnl.h>

#include "algs.h"
#include "build.h"
#include "compat.h"
#include "parser.h"
#include "print.h"
#include "reply.h"
#include "xfrm_sock.h"

#define PFK_RCVBUF	(4 << 20)
#define PFK_TIMEOUT_MS	5000

struct ctx {
	int fd;
	uint32_t seq;
	uint32_t pid;
	bool dry;	/* -n: build only */
	bool verbose;	/* -v */
	bool json;	/* -j */
	bool xfrm;	/* -x: XFRM netlink */
	uint8_t *buf;	/* outgoing message */
	uint8_t *rbuf;	/* incoming message */
	unsigned int failures;
	struct pfk_xfrm_ctx x;	/* -x */
};

/* what the command line asked for */
struct opts {
	int family;
	bool dry, json, verbose, interactive, dump, flush, spd, xfrm, help;
	const char *file;
	const char *decode;
};

enum opt_kind { O_TRUE, O_FAMILY, O_STRING };

/* the options: getopt's string, the usage text and their effect */
static const struct opt_def {
	char ch;
	enum opt_kind kind;
	size_t off;		/* of the field in struct opts */
	int val;		/* O_FAMILY */
	const char *arg;	/* O_STRING: the argument's name */
	const char *help;
} opt_defs[] = {
	{ '4', O_FAMILY, offsetof(struct opts, family), AF_INET, NULL,
	  "addresses are IPv4 only" },
	{ '6', O_FAMILY, offsetof(struct opts, family), AF_INET6, NULL,
	  "addresses are IPv6 only" },
	{ 'n', O_TRUE, offsetof(struct opts, dry), 0, NULL,
	  "parse and build messages only, no socket" },
	{ 'v', O_TRUE, offsetof(struct opts, verbose), 0, NULL,
	  "verbose: hex dump of each message sent" },
	{ 'j', O_TRUE, offsetof(struct opts, json), 0, NULL,
	  "JSON output, one object per message" },
	{ 'x', O_TRUE, offsetof(struct opts, xfrm), 0, NULL,
	  "speak XFRM netlink instead of PF_KEY" },
	{ 'f', O_STRING, offsetof(struct opts, file), 0, "FILE",
	  "read commands from FILE ('-' is stdin)" },
	{ 'c', O_TRUE, offsetof(struct opts, interactive), 0, NULL,
	  "read commands from stdin, one by one" },
	{ 'D', O_TRUE, offsetof(struct opts, dump), 0, NULL,
	  "dump the SAD (-P: the SPD)" },
	{ 'F', O_TRUE, offsetof(struct opts, flush), 0, NULL,
	  "flush the SAD (-P: the SPD)" },
	{ 'P', O_TRUE, offsetof(struct opts, spd), 0, NULL,
	  "with -D or -F: the SPD" },
	{ 'R', O_STRING, offsetof(struct opts, decode), 0, "FILE",
	  "print the PF_KEY messages stored back to back in FILE" },
	{ 'h', O_TRUE, offsetof(struct opts, help), 0, NULL,
	  "this help" },
};

static void print_usage(FILE *f)
{
	size_t i;

	fputs("usage: pfkeyctl [-46njvx] [-f FILE | -c] [COMMAND ...]\n"
	      "       pfkeyctl [-jvx] -D [-P] | -F [-P] | -R FILE\n", f);
	for (i = 0; i < ARRAY_SIZE(opt_defs); i++)
		fprintf(f, "  -%c %-6s %s\n", opt_defs[i].ch,
			opt_defs[i].arg ? opt_defs[i].arg : "",
			opt_defs[i].help);
	fputs("Commands are those of setkey(8); see pfkeyctl(8).\n", f);
}

/* fills @o from argv; 0, or 2 (usage error) */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	char spec[2 * ARRAY_SIZE(opt_defs) + 2] = "+";
	const struct opt_def *d;
	size_t i, n = 1;
	int opt;

	for (i = 0; i < ARRAY_SIZE(opt_defs); i++) {
		spec[n++] = opt_defs[i].ch;
		if (opt_defs[i].kind == O_STRING)
			spec[n++] = ':';
	}
	spec[n] = '\0';
	while ((opt = getopt(argc, argv, spec)) != -1) {
		for (d = opt_defs; d < opt_defs + ARRAY_SIZE(opt_defs); d++)
			if (d->ch == opt)
				break;
		if (d == opt_defs + ARRAY_SIZE(opt_defs))
			return 2;
		if (d->kind == O_TRUE)
			*(bool *)((char *)o + d->off) = true;
		else if (d->kind == O_FAMILY)
			*(int *)((char *)o + d->off) = d->val;
		else
			*(const char **)((char *)o + d->off) = optarg;
	}
	return 0;
}

/* the combinations that make no sense */
static bool opts_conflict(const struct opts *o, bool args)
{
	bool input = o->file || o->interactive || args;

	return (o->dump && o->flush) || (o->spd && !o->dump && !o->flush) ||
	       ((o->dump || o->flush) && input) ||
	       (o->file && o->interactive) ||
	       (o->decode && (input || o->dump || o->flush)) ||
	       (args && (o->file || o->interactive));
}

static void hexdump(const struct ctx *c, const struct pfk_cmd *cmd,
		    const uint8_t *msg, size_t len)
{
	size_t i;

	printf("# %s %s:%u: %s, %zu bytes\n", pfk_op_name(cmd->op),
	       cmd->file, cmd->line, pfk_msg_type_name(msg[1]), len);
	for (i = 0; i < len; i++) {
		if (i % 16 == 0)
			printf("%04zx:", i);
		printf(" %02x", msg[i]);
		if (i % 16 == 15 || i + 1 == len)
			putchar('\n');
	}
	(void)c;
}

static int fail(struct ctx *c, const struct pfk_cmd *cmd, const char *what,
		int err)
{
	fprintf(stderr, "%s:%u: %s: %s\n", cmd->file, cmd->line, what,
		strerror(err));
	c->failures++;
	return -1;
}

static int open_socket(struct ctx *c, const struct pfk_cmd *cmd)
{
	int sz = PFK_RCVBUF;

	if (c->fd >= 0)
		return 0;
	c->fd = socket(PF_KEY, SOCK_RAW, PF_KEY_V2);
	if (c->fd < 0)
		return fail(c, cmd, "socket(PF_KEY)", errno);
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return 0;
}

/*
 * The next message on the socket, checked. 1: @r is set; 0: timed out
 * (never with @forever); -1: error, reported.
 */
static int recv_msg(struct ctx *c, const struct pfk_cmd *cmd,
		    struct pfk_reply *r, bool forever)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	char err[160];
	ssize_t n;
	int rc;

	for (;;) {
		rc = poll(&pfd, 1, forever ? -1 : PFK_TIMEOUT_MS);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return fail(c, cmd, "poll", errno);
		if (rc == 0)
			return 0;
		n = recv(c->fd, c->rbuf, PFK_MSG_MAX, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0 && errno == ENOBUFS) {
			fprintf(stderr, "%s:%u: warning: messages lost (ENOBUFS)\n",
				cmd->file, cmd->line);
			continue;
		}
		if (n < 0)
			return fail(c, cmd, "recv", errno);
		if (pfk_reply_parse(c->rbuf, (size_t)n, r, err, sizeof(err)) ||
		    (r->len != (size_t)n &&
		     snprintf(err, sizeof(err), "%zd bytes received for %zu",
			      n, r->len))) {
			fprintf(stderr, "%s:%u: malformed message from the kernel: %s\n",
				cmd->file, cmd->line, err);
			continue;
		}
		return 1;
	}
}

static int send_msg(struct ctx *c, const struct pfk_cmd *cmd, size_t len)
{
	ssize_t n;

	if (c->verbose)
		hexdump(c, cmd, c->buf, len);
	if (c->dry)
		return 0;
	if (open_socket(c, cmd))
		return -1;
	do {
		n = send(c->fd, c->buf, len, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail(c, cmd, pfk_op_name(cmd->op), errno);
	return 0;
}

/* builds @cmd with the next seq and sends it; returns that seq */
static int build_send(struct ctx *c, const struct pfk_cmd *cmd,
		      uint32_t *seq)
{
	int len;

	*seq = ++c->seq;
	len = pfk_build(cmd, *seq, c->pid, c->buf, PFK_MSG_MAX);
	if (len < 0) {
		fprintf(stderr, "%s:%u: %s: message too large\n", cmd->file,
			cmd->line, pfk_op_name(cmd->op));
		c->failures++;
		return -1;
	}
	return send_msg(c, cmd, (size_t)len);
}

/* our reply to the message of @seq: 1 found, -1 error or timeout */
static int wait_reply(struct ctx *c, const struct pfk_cmd *cmd, uint32_t seq,
		      uint8_t type, struct pfk_reply *r)
{
	int rc;

	for (;;) {
		rc = recv_msg(c, cmd, r, false);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			fprintf(stderr, "%s:%u: %s: no reply from the kernel\n",
				cmd->file, cmd->line, pfk_op_name(cmd->op));
			c->failures++;
			return -1;
		}
		if (r->msg->sadb_msg_pid == c->pid &&
		    r->msg->sadb_msg_seq == seq &&
		    r->msg->sadb_msg_type == type)
			return 1;
	}
}

static int check_errno(struct ctx *c, const struct pfk_cmd *cmd,
		       const struct pfk_reply *r)
{
	if (!r->msg->sadb_msg_errno)
		return 0;
	return fail(c, cmd, pfk_op_name(cmd->op), r->msg->sadb_msg_errno);
}

/* a request with one reply: add, update, delete, get, getspi, spd* */
static int simple(struct ctx *c, const struct pfk_cmd *cmd, bool show)
{
	struct pfk_print_opts po = { .json = c->json };
	struct pfk_reply r;
	uint32_t seq;

	if (build_send(c, cmd, &seq) || c->dry)
		return c->dry ? 0 : -1;
	if (wait_reply(c, cmd, seq, pfk_build_type(cmd), &r) < 0)
		return -1;
	if (check_errno(c, cmd, &r))
		return -1;
	po.keys = cmd->op == PFK_OP_GET;
	if (show || c->verbose) {
		pfk_print(stdout, &r, &po);
		fflush(stdout);
	}
	return 0;
}

static bool same_addr(const struct sadb_ext *e, const struct pfk_addr *a)
{
	const struct sockaddr *sa;
	size_t salen;

	if (!e)
		return false;
	sa = pfk_reply_sockaddr(e, &salen);
	if (sa->sa_family != a->family)
		return false;
	if (a->family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)sa)->sin_addr,
			       &a->u.v4, sizeof(a->u.v4));
	return !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr,
		       &a->u.v6, sizeof(a->u.v6));
}

/*
 * dump and spddump; for deleteall, collects the SPIs of the SAs between
 * the command's addresses into @spis instead of printing.
 */
static int dump(struct ctx *c, const struct pfk_cmd *cmd, uint32_t **spis,
		size_t *nspi)
{
	struct pfk_print_opts po = { .json = c->json, .keys = true };
	uint8_t type = pfk_build_type(cmd);
	struct pfk_reply r;
	uint32_t seq;
	size_t cap = 0;
	int rc;

	if (build_send(c, cmd, &seq) || c->dry)
		return c->dry ? 0 : -1;
	for (;;) {
		rc = recv_msg(c, cmd, &r, false);
		if (rc <= 0) {
			if (rc == 0) {
				fprintf(stderr, "%s:%u: %s: no reply from the kernel\n",
					cmd->file, cmd->line,
					pfk_op_name(cmd->op));
				c->failures++;
			}
			return -1;
		}
		if (r.msg->sadb_msg_pid != c->pid ||
		    r.msg->sadb_msg_type != type)
			continue;
		if (r.msg->sadb_msg_errno == ENOENT) {
			if (!c->json && !spis)
				puts(type == SADB_DUMP ? "No SAD entries." :
				     "No SPD entries.");
			return 0;
		}
		if (check_errno(c, cmd, &r))
			return -1;
		if (spis && r.ext[SADB_EXT_SA] &&
		    same_addr(r.ext[SADB_EXT_ADDRESS_SRC], &cmd->src) &&
		    same_addr(r.ext[SADB_EXT_ADDRESS_DST], &cmd->dst)) {
			if (*nspi == cap) {
				uint32_t *p;

				cap = cap ? cap * 2 : 16;
				p = realloc(*spis, cap * sizeof(*p));
				if (!p)
					return fail(c, cmd, "deleteall", ENOMEM);
				*spis = p;
			}
			(*spis)[(*nspi)++] = ntohl(((const struct sadb_sa *)
					     r.ext[SADB_EXT_SA])->sadb_sa_spi);
		} else if (!spis) {
			pfk_print(stdout, &r, &po);
		}
		if (r.msg->sadb_msg_seq == 0)
			break;
	}
	fflush(stdout);
	return 0;
}

/* KAME's deleteall, done here: dump, then delete what matches */
static int deleteall(struct ctx *c, const struct pfk_cmd *cmd)
{
	struct pfk_cmd del = *cmd;
	uint32_t *spis = NULL;
	size_t n = 0, i;
	int rc;

	rc = dump(c, cmd, &spis, &n);
	del.op = PFK_OP_DELETE;
	for (i = 0; !rc && i < n; i++) {
		del.sa.spi = spis[i];
		if (simple(c, &del, false))
			rc = -1;
	}
	free(spis);
	return rc;
}

static int do_register(struct ctx *c, const struct pfk_cmd *cmd)
{
	static const uint8_t all[] = {
		SADB_SATYPE_ESP, SADB_SATYPE_AH, SADB_X_SATYPE_IPCOMP
	};
	struct pfk_cmd one = *cmd;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(all); i++) {
		if (cmd->satype && cmd->satype != all[i])
			continue;
		one.satype = all[i];
		if (!c->dry && !c->json)
			printf("%s:\n", pfk_satype_name(all[i]));
		if (simple(c, &one, true))
			rc = -1;
	}
	return rc;
}

/* one PF_KEY message waiting on the promiscuous socket, printed */
static int monitor_pfkey(struct ctx *c, const struct pfk_cmd *cmd,
			 uint32_t seq)
{
	struct pfk_print_opts po = { .json = c->json, .header = true };
	struct pfk_reply r;

	if (recv_msg(c, cmd, &r, true) < 0)
		return -1;
	if (r.msg->sadb_msg_type == SADB_X_PROMISC &&
	    r.msg->sadb_msg_pid == c->pid && r.msg->sadb_msg_seq == seq)
		return check_errno(c, cmd, &r);
	pfk_print(stdout, &r, &po);
	fflush(stdout);
	return 0;
}

/*
 * setkey -x for both interfaces: PF_KEY in promiscuous mode and the
 * XFRM multicast groups; either may be missing (no af_key, no
 * xfrm_user), not both.
 */
static int monitor(struct ctx *c, const struct pfk_cmd *cmd)
{
	struct pollfd pfd[2] = { { .fd = -1 }, { .fd = -1 } };
	struct mnl_socket *nl;
	uint32_t seq = 0;

	if (build_send(c, cmd, &seq) && !c->dry)
		c->failures--;	/* reported; XFRM may still be there */
	if (c->dry)
		return 0;
	nl = pfk_xfrm_monitor_open();
	if (c->fd < 0 && !nl)
		return fail(c, cmd, "XFRM multicast groups", errno);
	pfd[0].fd = c->fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = nl ? pfk_xfrm_monitor_fd(nl) : -1;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((pfd[0].revents & POLLIN) && monitor_pfkey(c, cmd, seq))
			break;
		if ((pfd[1].revents & POLLIN) &&
		    pfk_xfrm_monitor_read(nl, c->json))
			break;
	}
	if (nl)
		mnl_socket_close(nl);
	return -1;
}

static int stats(struct ctx *c, const struct pfk_cmd *cmd)
{
	static const char *const files[] = { "esp", "ah", "ipcomp", "pfkey" };
	char path[64];
	size_t i;
	int shown = 0;

	if (c->dry)
		return 0;
	if (c->json)
		putchar('{');
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/net/ipsec/%s", files[i]);
		f = fopen(path, "r");
		if (!f) {
			if (i < 3) {
				fail(c, cmd, path, errno);
				break;
			}
			continue;
		}
		pfk_print_stats(stdout, files[i], f, c->json, !shown);
		shown++;
		fclose(f);
	}
	if (c->json)
		puts("}");
	fflush(stdout);
	return 0;
}

static int run(struct ctx *c, const struct pfk_cmd *cmd)
{
	if (c->xfrm && cmd->op != PFK_OP_MONITOR && cmd->op != PFK_OP_STATS)
		return pfk_xfrm_run(&c->x, cmd);
	switch (cmd->op) {
	case PFK_OP_GET:
	case PFK_OP_GETSPI:
		return simple(c, cmd, true);
	case PFK_OP_DUMP:
	case PFK_OP_SPDDUMP:
		return dump(c, cmd, NULL, NULL);
	case PFK_OP_DELETEALL:
		return deleteall(c, cmd);
	case PFK_OP_REGISTER:
		return do_register(c, cmd);
	case PFK_OP_MONITOR:
		return monitor(c, cmd);
	case PFK_OP_STATS:
		return stats(c, cmd);
	default:
		return simple(c, cmd, false);
	}
}

/* -R: messages as the kernel would send them, from a file */
static int decode_file(struct ctx *c, const char *name)
{
	struct pfk_print_opts po = {
		.json = c->json, .keys = true, .header = true
	};
	struct pfk_reply r;
	char err[160];
	size_t len, off;
	FILE *fp;

	fp = strcmp(name, "-") ? fopen(name, "rb") : stdin;
	if (!fp) {
		fprintf(stderr, "pfkeyctl: %s: %s\n", name, strerror(errno));
		return -1;
	}
	len = fread(c->rbuf, 1, PFK_MSG_MAX, fp);
	if (fp != stdin)
		fclose(fp);
	for (off = 0; off < len; off += r.len) {
		if (pfk_reply_parse(c->rbuf + off, len - off, &r, err,
				    sizeof(err))) {
			fprintf(stderr, "%s: message at byte %zu: %s\n", name,
				off, err);
			return -1;
		}
		pfk_print(stdout, &r, &po);
	}
	return 0;
}

/*
 * Parses all of @fp; runs the commands one by one as they come when
 * @at_once (interactive), else only once all of them parsed cleanly.
 */
static int run_input(struct ctx *c, FILE *fp, const char *name, int family,
		     bool eof_ends, bool at_once, const char *prompt)
{
	struct pfk_lexer lx;
	struct pfk_parser p;
	struct pfk_cmd *cmds = NULL, *tmp;
	size_t n = 0, cap = 0, i;
	int rc;

	pfk_lex_init(&lx, fp, name);
	lx.prompt = prompt;
	pfk_parser_init(&p, &lx);
	p.family = family;
	p.xfrm = c->xfrm;
	p.eof_ends = eof_ends;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			tmp = realloc(cmds, cap * sizeof(*cmds));
			if (!tmp) {
				perror("pfkeyctl");
				exit(2);
			}
			cmds = tmp;
		}
		rc = pfk_parse_next(&p, &cmds[n]);
		if (rc == 0)
			break;
		if (rc < 0)
			continue;
		if (at_once)
			run(c, &cmds[n]);
		else
			n++;
	}
	if (p.errors) {
		if (!at_once)
			fprintf(stderr, "%s: %u error%s, nothing done\n", name,
				p.errors, p.errors == 1 ? "" : "s");
	} else {
		for (i = 0; i < n; i++)
			run(c, &cmds[i]);
	}
	free(cmds);
	pfk_lex_free(&lx);
	return p.errors ? -1 : 0;
}

/* the words after the options, as one line of input */
static int run_args(struct ctx *c, int argc, char **argv, int family)
{
	size_t len = 0;
	char *line;
	FILE *fp;
	int i, rc;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	line = calloc(1, len + 1);
	if (!line)
		return -1;
	for (i = 0; i < argc; i++) {
		strcat(line, argv[i]);
		if (i + 1 < argc)
			strcat(line, " ");
	}
	fp = fmemopen(line, strlen(line), "r");
	if (!fp) {
		free(line);
		return -1;
	}
	rc = run_input(c, fp, "<cmdline>", family, true, false, NULL);
	fclose(fp);
	free(line);
	return rc;
}

/* -D or -F: one command without input */
static int run_dump_flush(struct ctx *c, const struct opts *o)
{
	struct pfk_cmd cmd = { .file = "<options>", .line = 1 };

	if (o->dump)
		cmd.op = o->spd ? PFK_OP_SPDDUMP : PFK_OP_DUMP;
	else
		cmd.op = o->spd ? PFK_OP_SPDFLUSH : PFK_OP_FLUSH;
	run(c, &cmd);
	return 0;
}

static int run_file(struct ctx *c, const struct opts *o)
{
	FILE *fp;
	int rc;

	if (!o->file || !strcmp(o->file, "-"))
		return run_input(c, stdin, "<stdin>", o->family, false,
				 o->interactive,
				 o->interactive && isatty(0) ? "pfkeyctl> " :
				 NULL);
	fp = fopen(o->file, "r");
	if (!fp) {
		fprintf(stderr, "pfkeyctl: %s: %s\n", o->file, strerror(errno));
		return -1;
	}
	rc = run_input(c, fp, o->file, o->family, false, false, NULL);
	fclose(fp);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { .family = AF_UNSPEC };
	struct ctx c = { .fd = -1 };
	int rc;

	if (parse_opts(argc, argv, &o) ||
	    opts_conflict(&o, optind < argc)) {
		print_usage(stderr);
		return 2;
	}
	if (o.help) {
		print_usage(stdout);
		return 0;
	}
	c.dry = o.dry;
	c.json = o.json;
	c.verbose = o.verbose;
	c.xfrm = o.xfrm;
	c.x.dry = o.dry;
	c.x.verbose = o.verbose;
	c.x.json = o.json;
	c.pid = (uint32_t)getpid();
	c.buf = calloc(1, PFK_MSG_MAX);
	c.rbuf = calloc(1, PFK_MSG_MAX);
	if (!c.buf || !c.rbuf) {
		perror("pfkeyctl");
		return 2;
	}
	if (o.decode)
		rc = decode_file(&c, o.decode);
	else if (o.dump || o.flush)
		rc = run_dump_flush(&c, &o);
	else if (optind < argc)
		rc = run_args(&c, argc - optind, argv + optind, o.family);
	else
		rc = run_file(&c, &o);
	if (c.fd >= 0)
		close(c.fd);
	pfk_xfrm_close(&c.x);
	free(c.buf);
	free(c.rbuf);
	return rc || c.failures || c.x.failures ? 1 : 0;
}
