/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NETLINK_XFRM, the interface of Linux's xfrm_user, answered by this
 * module so that `ip xfrm`, strongSwan's kernel-netlink plugin and
 * libreswan drive the same SAD and SPD as PF_KEY. The socket and
 * dispatch (xfrm_nl.c), attribute validation (xfrm_nl_parse.c),
 * messages to and from SAs (xfrm_nl_convert.c) and policies
 * (xfrm_nl_convert_policy.c), the handlers (xfrm_nl_sa.c, xfrm_nl_ae.c,
 * xfrm_nl_spd.c, xfrm_nl_migrate.c) and the events sent to listeners of
 * both interfaces (xfrm_nl_event.c). Message layouts are those of
 * <linux/xfrm.h>, byte for byte.
 */
#ifndef IPSEC_XFRM_NL_H
#define IPSEC_XFRM_NL_H

#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <net/netlink.h>

#include "sad.h"
#include "spd.h"

struct ipsec_net;

/* One request being handled: its message and validated attributes. */
struct ipsec_xfrm_req {
	struct ipsec_net *in;
	struct sk_buff *skb;
	const struct nlmsghdr *nlh;
	struct nlattr **attrs;		/* XFRMA_MAX + 1 entries */
	struct netlink_ext_ack *extack;
};

static inline u32 ipsec_xfrm_req_portid(const struct ipsec_xfrm_req *req)
{
	return NETLINK_CB(req->skb).portid;
}

/* xfrm_nl.c */
int ipsec_xfrm_nl_net_init(struct ipsec_net *in);
void ipsec_xfrm_nl_net_exit(struct ipsec_net *in);
int ipsec_xfrm_nl_unicast(const struct ipsec_xfrm_req *req,
			  struct sk_buff *skb);
void ipsec_xfrm_nl_multicast(struct ipsec_net *in, struct sk_buff *skb,
			     u32 group, gfp_t gfp);
bool ipsec_xfrm_nl_listening(struct ipsec_net *in, u32 group);

/* xfrm_nl_parse.c */
int ipsec_xfrm_nl_hdrlen(u16 type);
const struct nla_policy *ipsec_xfrm_nl_dump_policy(void);
int ipsec_xfrm_nl_parse(const struct nlmsghdr *nlh, int hdrlen,
			struct nlattr **attrs, struct netlink_ext_ack *extack);
const void *ipsec_xfrm_alg_attr(const struct nlattr *nla, size_t hdr,
				unsigned int key_bits,
				struct netlink_ext_ack *extack);
int ipsec_xfrm_refuse(struct nlattr **attrs, const int *types, int n,
		      struct netlink_ext_ack *extack);

/* xfrm_nl_convert.c, xfrm_nl_convert_policy.c */
#define IPSEC_XFRM_KEYS		0x1	/* algorithm keys included */

int ipsec_xfrm_family_ok(u16 family, struct netlink_ext_ack *extack);
int ipsec_xfrm_no_extra_flags(struct nlattr **attrs,
			      struct netlink_ext_ack *extack);
void ipsec_xfrm_mark_get(struct nlattr **attrs, struct xfrm_mark *m);
int ipsec_xfrm_mark_put(struct sk_buff *skb, const struct xfrm_mark *m);
u32 ipsec_xfrm_if_id_get(struct nlattr **attrs);
int ipsec_xfrm_if_id_put(struct sk_buff *skb, u32 if_id);
void ipsec_xfrm_addr_get(xfrm_address_t *to, const xfrm_address_t *from,
			 u16 family);
int ipsec_xfrm_sel_get(struct ipsec_selector *sel,
		       const struct xfrm_selector *x,
		       struct netlink_ext_ack *extack);
void ipsec_xfrm_sel_put(struct xfrm_selector *x,
			const struct ipsec_selector *sel);
void ipsec_xfrm_lft_get(const struct xfrm_lifetime_cfg *l,
			struct ipsec_lifetime *hard,
			struct ipsec_lifetime *soft);
void ipsec_xfrm_lft_put(struct xfrm_lifetime_cfg *l,
			const struct ipsec_lifetime *hard,
			const struct ipsec_lifetime *soft);
int ipsec_xfrm_mode_get(u8 xmode, u8 *mode, struct netlink_ext_ack *extack);
u8 ipsec_xfrm_mode_put(u8 mode);
int ipsec_xfrm_to_sa(const struct ipsec_xfrm_req *req,
		     const struct xfrm_usersa_info *p, struct ipsec_sa *sa);
void ipsec_xfrm_sa_id(struct ipsec_sa_id *id, const xfrm_address_t *daddr,
		      __be32 spi, u8 proto, u16 family);
void ipsec_xfrm_sa_info(struct xfrm_usersa_info *p,
			const struct ipsec_sa *sa);
size_t ipsec_xfrm_sa_attrs_len(const struct ipsec_sa *sa, unsigned int what);
int ipsec_xfrm_sa_attrs(struct sk_buff *skb, const struct ipsec_sa *sa,
			unsigned int what);
int ipsec_xfrm_sa_fill(struct sk_buff *skb, const struct ipsec_sa *sa,
		       u16 type, u32 portid, u32 seq, u16 flags,
		       unsigned int what);
size_t ipsec_xfrm_sa_msg_len(const struct ipsec_sa *sa, unsigned int what);
/* Is the SA's replay state shown as REPLAY_ESN_VAL (else REPLAY_VAL)? */
bool ipsec_xfrm_replay_esn(const struct ipsec_sa *sa);
size_t ipsec_xfrm_replay_len(const struct ipsec_sa *sa);
int ipsec_xfrm_put_replay(struct sk_buff *skb, const struct ipsec_sa *sa);
int ipsec_xfrm_to_policy(const struct ipsec_xfrm_req *req,
			 const struct xfrm_userpolicy_info *p,
			 struct ipsec_policy *pol);
int ipsec_xfrm_policy_key(struct ipsec_policy_key *key,
			  const struct xfrm_selector *sel, u8 dir,
			  struct nlattr **attrs,
			  struct netlink_ext_ack *extack);
int ipsec_xfrm_policy_mark_put(struct sk_buff *skb,
			       const struct ipsec_policy *pol);
bool ipsec_xfrm_policy_mark_is(const struct ipsec_policy *pol,
			       struct nlattr **attrs);
void ipsec_xfrm_policy_info(struct xfrm_userpolicy_info *p,
			    const struct ipsec_policy *pol);
size_t ipsec_xfrm_policy_msg_len(const struct ipsec_policy *pol);
int ipsec_xfrm_policy_fill(struct sk_buff *skb,
			   const struct ipsec_policy *pol, u16 type,
			   u32 portid, u32 seq, u16 flags);
int ipsec_xfrm_policy_tmpls(struct sk_buff *skb,
			    const struct ipsec_policy *pol);
u8 ipsec_xfrm_dir_get(u8 xdir);
u8 ipsec_xfrm_dir_put(u8 dir);
int ipsec_xfrm_policy_type_get(const struct ipsec_xfrm_req *req);
int ipsec_xfrm_policy_type_put(struct sk_buff *skb);

/* xfrm_nl_sa.c, xfrm_nl_ae.c, xfrm_nl_spd.c: handlers */
struct ipsec_sa *ipsec_xfrm_find_sa(const struct ipsec_xfrm_req *req,
				    const struct xfrm_usersa_id *p, int *err);
int ipsec_xfrm_nl_newsa(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_delsa(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_getsa(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_allocspi(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_flushsa(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_getsadinfo(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_getae(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_newae(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_sa_dump_start(struct netlink_callback *cb);
int ipsec_xfrm_nl_sa_dump(struct sk_buff *skb, struct netlink_callback *cb);
int ipsec_xfrm_nl_sa_dump_done(struct netlink_callback *cb);

int ipsec_xfrm_nl_newpolicy(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_delpolicy(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_flushpolicy(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_getspdinfo(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_newspdinfo(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_setdefault(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_getdefault(struct ipsec_xfrm_req *req);
int ipsec_xfrm_nl_policy_dump_start(struct netlink_callback *cb);
int ipsec_xfrm_nl_policy_dump(struct sk_buff *skb,
			      struct netlink_callback *cb);
int ipsec_xfrm_nl_policy_dump_done(struct netlink_callback *cb);

/* xfrm_nl_migrate.c */
int ipsec_xfrm_nl_migrate(struct ipsec_xfrm_req *req);

/* xfrm_nl_event.c: changes announced on both interfaces. seq and portid
 * are those of the request that made the change (0 for the kernel's).
 */
void ipsec_xfrm_nl_sa_event(const struct ipsec_sa *sa, u16 type, u32 seq,
			    u32 portid);
void ipsec_xfrm_nl_sa_flush_event(struct ipsec_net *in, u8 proto, u32 seq,
				  u32 portid);
void ipsec_xfrm_nl_policy_event(const struct ipsec_policy *pol, u16 type,
				u32 seq, u32 portid);
void ipsec_xfrm_nl_policy_flush_event(struct ipsec_net *in, u32 seq,
				      u32 portid);
void ipsec_xfrm_nl_expire(const struct ipsec_sa *sa, bool hard);
void ipsec_xfrm_nl_polexpire(const struct ipsec_policy *pol);
void ipsec_xfrm_nl_mapping(const struct ipsec_sa *sa,
			   const xfrm_address_t *saddr, __be16 sport);
void ipsec_xfrm_nl_acquire(struct ipsec_net *in,
			   const struct ipsec_policy *pol, unsigned int idx,
			   const struct ipsec_sa_rid *rid,
			   const struct ipsec_flow *flow, u32 seq);
void ipsec_pfkey_tell_sa(const struct ipsec_sa *sa, u8 sadb_type, u32 seq);
void ipsec_pfkey_tell_sa_flush(struct ipsec_net *in, u8 satype, u32 seq);
void ipsec_pfkey_tell_policy(const struct ipsec_policy *pol, u8 sadb_type,
			     u32 seq);
void ipsec_pfkey_tell_policy_flush(struct ipsec_net *in, u32 seq);

#endif /* IPSEC_XFRM_NL_H */
