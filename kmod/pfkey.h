/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PF_KEY v2 (RFC 2367): the socket (pfkey.c), the SA messages
 * (pfkey_sa.c) and the conversions between messages and SAs
 * (pfkey_convert.c), the KAME policy messages (pfkey_spd.c).
 * Validation lives in pfkey_parse.c.
 */
#ifndef IPSEC_PFKEY_H
#define IPSEC_PFKEY_H

#include <linux/pfkeyv2.h>
#include <net/sock.h>

#include "pfkey_parse.h"
#include "sad.h"
#include "spd.h"

struct ipsec_net;

/* What a dump walks. The SAD is 0: SADB_DUMP leaves the field alone,
 * and the end of every dump resets it.
 */
enum ipsec_pfkey_dump_table {
	IPSEC_PFKEY_DUMP_SAD,		/* SADB_DUMP */
	IPSEC_PFKEY_DUMP_SPD,		/* SADB_X_SPDDUMP */
};

/* A dump in progress: resumed as the reader drains its buffer. */
struct ipsec_pfkey_dump {
	bool active;
	u8 table;			/* enum ipsec_pfkey_dump_table */
	u8 satype;
	u32 seq, pid;
	u32 left;			/* estimate, for sadb_msg_seq */
	struct ipsec_sa_walk walk;	/* table SAD */
	struct ipsec_policy_walk pwalk;	/* table SPD */
	struct sk_buff *pending;	/* built, not yet queued */
};

struct ipsec_pfkey_sock {
	struct sock sk;			/* first: a struct sock * is one */
	/* a bit per SADB_SATYPE_* and IPSEC_PFKEY_REG_COUNTED; atomic ops */
	unsigned long registered;
	bool promisc;
	struct ipsec_pfkey_dump dump;	/* under lock_sock() */
};

/* in ipsec_pfkey_sock.registered: counted in pfkey_registered */
#define IPSEC_PFKEY_REG_COUNTED	(BITS_PER_LONG - 1)

static inline struct ipsec_pfkey_sock *ipsec_pfkey_sk(struct sock *sk)
{
	return (struct ipsec_pfkey_sock *)sk;
}

struct ipsec_pfkey_req {
	struct ipsec_pfkey_sock *ps;
	struct ipsec_net *in;
	struct ipsec_pfkey_msg m;
};

/* A reply echoes the request's sadb_msg_seq and sadb_msg_pid. */
static inline u32 ipsec_req_seq(const struct ipsec_pfkey_req *req)
{
	return req->m.hdr->sadb_msg_seq;
}

static inline u32 ipsec_req_pid(const struct ipsec_pfkey_req *req)
{
	return req->m.hdr->sadb_msg_pid;
}

enum ipsec_pfkey_to {
	IPSEC_PFKEY_TO_ONE,		/* the requesting socket only */
	IPSEC_PFKEY_TO_ALL,		/* every socket of the namespace */
	IPSEC_PFKEY_TO_REGISTERED,	/* sockets registered for satype */
};

int ipsec_pfkey_init(void);
void ipsec_pfkey_uninit(void);
int ipsec_pfkey_net_init(struct ipsec_net *in);
void ipsec_pfkey_net_exit(struct ipsec_net *in);

/* pfkey.c */
int ipsec_pfkey_send(struct ipsec_net *in, struct sk_buff *skb,
		     enum ipsec_pfkey_to to, u8 satype, struct sock *one);
int ipsec_pfkey_dump_run(struct ipsec_pfkey_sock *ps);

/* pfkey_sa.c: one handler per message type */
int ipsec_pfkey_getspi(struct ipsec_pfkey_req *req);
int ipsec_pfkey_update(struct ipsec_pfkey_req *req);
int ipsec_pfkey_add(struct ipsec_pfkey_req *req);
int ipsec_pfkey_delete(struct ipsec_pfkey_req *req);
int ipsec_pfkey_get(struct ipsec_pfkey_req *req);
int ipsec_pfkey_acquire(struct ipsec_pfkey_req *req);
int ipsec_pfkey_register(struct ipsec_pfkey_req *req);
int ipsec_pfkey_flush(struct ipsec_pfkey_req *req);
int ipsec_pfkey_dump(struct ipsec_pfkey_req *req);
int ipsec_pfkey_promisc(struct ipsec_pfkey_req *req);

/* pfkey_spd.c: the KAME policy messages */
int ipsec_pfkey_spdadd(struct ipsec_pfkey_req *req);
int ipsec_pfkey_spdupdate(struct ipsec_pfkey_req *req);
int ipsec_pfkey_spddelete(struct ipsec_pfkey_req *req);
int ipsec_pfkey_spddelete2(struct ipsec_pfkey_req *req);
int ipsec_pfkey_spdget(struct ipsec_pfkey_req *req);
int ipsec_pfkey_spddump(struct ipsec_pfkey_req *req);
int ipsec_pfkey_spdflush(struct ipsec_pfkey_req *req);
struct sk_buff *ipsec_pfkey_policy_msg(const struct ipsec_policy *pol,
				       u8 type, u32 seq, u32 pid, gfp_t gfp);
int ipsec_pfkey_policy_key(const struct ipsec_pfkey_msg *m,
			   struct ipsec_policy_key *key);
void ipsec_spd_put_addr(struct sk_buff *skb, u16 type,
			const struct ipsec_selector *sel, bool src);

/* pfkey_migrate.c: KAME's X_MIGRATE */
int ipsec_pfkey_migrate(struct ipsec_pfkey_req *req);

/* pfkey_convert.c */
/* sadb_msg_len is 16 bits of 64-bit words */
#define IPSEC_PFKEY_MAX_MSG	(U16_MAX * sizeof(u64))

#define IPSEC_PFKEY_KEYS	0x1	/* include KEY_AUTH/ENCRYPT */
#define IPSEC_PFKEY_CURRENT	0x2	/* include LIFETIME_CURRENT */
#define IPSEC_PFKEY_HARD	0x4	/* include LIFETIME_HARD */
#define IPSEC_PFKEY_SOFT	0x8	/* include LIFETIME_SOFT */
#define IPSEC_PFKEY_LIFETIMES	(IPSEC_PFKEY_CURRENT | IPSEC_PFKEY_HARD | \
				 IPSEC_PFKEY_SOFT)

struct sk_buff *ipsec_pfkey_msg_alloc(size_t len, gfp_t gfp);
struct sadb_msg *ipsec_pfkey_put_hdr(struct sk_buff *skb, u8 type,
				     u8 satype, u32 seq, u32 pid);
void ipsec_pfkey_finish(struct sk_buff *skb);
struct sk_buff *ipsec_pfkey_sa_msg(const struct ipsec_sa *sa, u8 type,
				   u32 seq, u32 pid, unsigned int what,
				   gfp_t gfp);
struct sk_buff *ipsec_pfkey_mapping_msg(const struct ipsec_sa *sa,
					const xfrm_address_t *saddr,
					__be16 sport, gfp_t gfp);
struct sk_buff *ipsec_pfkey_copy_nokeys(const struct sadb_msg *msg,
					gfp_t gfp);
int ipsec_pfkey_to_sa(const struct ipsec_pfkey_req *req,
		      struct ipsec_sa *sa);
int ipsec_pfkey_id(const struct ipsec_pfkey_msg *m, struct ipsec_sa_id *id);
size_t ipsec_salen(u8 family);
void ipsec_sockaddr_get(const struct sockaddr *s, xfrm_address_t *x,
			__be16 *port);
void ipsec_sockaddr_put(void *p, u8 family, const xfrm_address_t *x,
			__be16 port);
size_t ipsec_pfkey_addr_len(u8 family);
void *ipsec_pfkey_put_ext(struct sk_buff *skb, u16 type, size_t len);
void ipsec_pfkey_put_lifetime(struct sk_buff *skb, u16 type,
			      const struct ipsec_lifetime *lt);
void ipsec_sadb_addr_get(const struct sadb_address *a, u8 *family,
			 xfrm_address_t *x, __be16 *port);
int ipsec_satype_proto(u8 satype);
u8 ipsec_proto_satype(u8 proto);

#endif /* IPSEC_PFKEY_H */
