// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of XFRM netlink requests: the fixed header each message
 * type carries, and the attribute policy. Parsing is strict (unknown,
 * short, over-long-for-their-type and duplicate attributes are refused
 * with an extended ACK naming the attribute), unlike xfrm_user, which
 * ignores what it does not know: an attribute this module would ignore
 * could change what the sender meant. What is checked here is form;
 * meaning is checked where the message is converted.
 */
#include <linux/bitmap.h>
#include <linux/string.h>

#include "xfrm_nl.h"

/* The fixed header of each request type (xfrm_user's xfrm_msg_min). */
static const int ipsec_xfrm_hdrlen[XFRM_NR_MSGTYPES] = {
	[XFRM_MSG_NEWSA - XFRM_MSG_BASE] = sizeof(struct xfrm_usersa_info),
	[XFRM_MSG_UPDSA - XFRM_MSG_BASE] = sizeof(struct xfrm_usersa_info),
	[XFRM_MSG_DELSA - XFRM_MSG_BASE] = sizeof(struct xfrm_usersa_id),
	[XFRM_MSG_GETSA - XFRM_MSG_BASE] = sizeof(struct xfrm_usersa_id),
	[XFRM_MSG_NEWPOLICY - XFRM_MSG_BASE] =
		sizeof(struct xfrm_userpolicy_info),
	[XFRM_MSG_UPDPOLICY - XFRM_MSG_BASE] =
		sizeof(struct xfrm_userpolicy_info),
	[XFRM_MSG_DELPOLICY - XFRM_MSG_BASE] =
		sizeof(struct xfrm_userpolicy_id),
	[XFRM_MSG_GETPOLICY - XFRM_MSG_BASE] =
		sizeof(struct xfrm_userpolicy_id),
	[XFRM_MSG_ALLOCSPI - XFRM_MSG_BASE] = sizeof(struct xfrm_userspi_info),
	[XFRM_MSG_ACQUIRE - XFRM_MSG_BASE] = sizeof(struct xfrm_user_acquire),
	[XFRM_MSG_EXPIRE - XFRM_MSG_BASE] = sizeof(struct xfrm_user_expire),
	[XFRM_MSG_POLEXPIRE - XFRM_MSG_BASE] =
		sizeof(struct xfrm_user_polexpire),
	[XFRM_MSG_FLUSHSA - XFRM_MSG_BASE] = sizeof(struct xfrm_usersa_flush),
	[XFRM_MSG_FLUSHPOLICY - XFRM_MSG_BASE] = 0,
	[XFRM_MSG_NEWAE - XFRM_MSG_BASE] = sizeof(struct xfrm_aevent_id),
	[XFRM_MSG_GETAE - XFRM_MSG_BASE] = sizeof(struct xfrm_aevent_id),
	[XFRM_MSG_REPORT - XFRM_MSG_BASE] = sizeof(struct xfrm_user_report),
	[XFRM_MSG_MIGRATE - XFRM_MSG_BASE] = sizeof(struct xfrm_userpolicy_id),
	[XFRM_MSG_GETSADINFO - XFRM_MSG_BASE] = sizeof(u32),
	[XFRM_MSG_NEWSPDINFO - XFRM_MSG_BASE] = sizeof(u32),
	[XFRM_MSG_GETSPDINFO - XFRM_MSG_BASE] = sizeof(u32),
	[XFRM_MSG_SETDEFAULT - XFRM_MSG_BASE] =
		sizeof(struct xfrm_userpolicy_default),
	[XFRM_MSG_GETDEFAULT - XFRM_MSG_BASE] =
		sizeof(struct xfrm_userpolicy_default),
};

/* Minimum lengths; the variable parts are checked by their users. */
static const struct nla_policy ipsec_xfrma_policy[XFRMA_MAX + 1] = {
	[XFRMA_ALG_AUTH] = NLA_POLICY_MIN_LEN(sizeof(struct xfrm_algo)),
	[XFRMA_ALG_CRYPT] = NLA_POLICY_MIN_LEN(sizeof(struct xfrm_algo)),
	[XFRMA_ALG_COMP] = NLA_POLICY_MIN_LEN(sizeof(struct xfrm_algo)),
	[XFRMA_ENCAP] = NLA_POLICY_MIN_LEN(sizeof(struct xfrm_encap_tmpl)),
	[XFRMA_TMPL] = NLA_POLICY_MIN_LEN(sizeof(struct xfrm_user_tmpl)),
	[XFRMA_SEC_CTX] = NLA_POLICY_MIN_LEN(sizeof(struct xfrm_user_sec_ctx)),
	[XFRMA_LTIME_VAL] = NLA_POLICY_MIN_LEN(sizeof(struct xfrm_lifetime_cur)),
	[XFRMA_REPLAY_VAL] = NLA_POLICY_MIN_LEN(sizeof(struct xfrm_replay_state)),
	[XFRMA_REPLAY_THRESH] = { .type = NLA_U32 },
	[XFRMA_ETIMER_THRESH] = { .type = NLA_U32 },
	[XFRMA_SRCADDR] = NLA_POLICY_MIN_LEN(sizeof(xfrm_address_t)),
	[XFRMA_COADDR] = NLA_POLICY_MIN_LEN(sizeof(xfrm_address_t)),
	[XFRMA_LASTUSED] = { .type = NLA_U64 },
	[XFRMA_POLICY_TYPE] =
		NLA_POLICY_MIN_LEN(sizeof(struct xfrm_userpolicy_type)),
	[XFRMA_MIGRATE] = NLA_POLICY_MIN_LEN(sizeof(struct xfrm_user_migrate)),
	[XFRMA_ALG_AEAD] = NLA_POLICY_MIN_LEN(sizeof(struct xfrm_algo_aead)),
	[XFRMA_KMADDRESS] =
		NLA_POLICY_MIN_LEN(sizeof(struct xfrm_user_kmaddress)),
	[XFRMA_ALG_AUTH_TRUNC] = NLA_POLICY_MIN_LEN(sizeof(struct xfrm_algo_auth)),
	[XFRMA_MARK] = NLA_POLICY_MIN_LEN(sizeof(struct xfrm_mark)),
	[XFRMA_TFCPAD] = { .type = NLA_U32 },
	[XFRMA_REPLAY_ESN_VAL] =
		NLA_POLICY_MIN_LEN(sizeof(struct xfrm_replay_state_esn)),
	[XFRMA_SA_EXTRA_FLAGS] = { .type = NLA_U32 },
	[XFRMA_PROTO] = { .type = NLA_U8 },
	[XFRMA_ADDRESS_FILTER] =
		NLA_POLICY_MIN_LEN(sizeof(struct xfrm_address_filter)),
	[XFRMA_OFFLOAD_DEV] = NLA_POLICY_MIN_LEN(sizeof(struct xfrm_user_offload)),
	[XFRMA_SET_MARK] = { .type = NLA_U32 },
	[XFRMA_SET_MARK_MASK] = { .type = NLA_U32 },
	[XFRMA_IF_ID] = { .type = NLA_U32 },
	[XFRMA_MTIMER_THRESH] = { .type = NLA_U32 },
};

const struct nla_policy *ipsec_xfrm_nl_dump_policy(void)
{
	return ipsec_xfrma_policy;
}

int ipsec_xfrm_nl_hdrlen(u16 type)
{
	return ipsec_xfrm_hdrlen[type - XFRM_MSG_BASE];
}

/* The last of two attributes of a type would silently win: refuse. */
static int ipsec_xfrm_no_dups(const struct nlmsghdr *nlh, int hdrlen,
			      struct netlink_ext_ack *extack)
{
	DECLARE_BITMAP(seen, XFRMA_MAX + 1);
	const struct nlattr *nla;
	int rem;

	bitmap_zero(seen, XFRMA_MAX + 1);
	nlmsg_for_each_attr(nla, nlh, hdrlen, rem) {
		int type = nla_type(nla);

		if (__test_and_set_bit(type, seen)) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "duplicate XFRM attribute");
			return -EINVAL;
		}
	}
	return 0;
}

int ipsec_xfrm_nl_parse(const struct nlmsghdr *nlh, int hdrlen,
			struct nlattr **attrs, struct netlink_ext_ack *extack)
{
	int err;

	err = __nlmsg_parse(nlh, hdrlen, attrs, XFRMA_MAX, ipsec_xfrma_policy,
			    NL_VALIDATE_STRICT, extack);
	if (err)
		return err;
	/* types are known to be <= XFRMA_MAX once parsed */
	return ipsec_xfrm_no_dups(nlh, hdrlen, extack);
}

/*
 * An algorithm attribute (struct xfrm_algo, _auth or _aead, whose name
 * and key length come first and whose key follows hdr bytes): the name
 * must end within its 64 bytes and the key must fit the attribute.
 * Returns the attribute's data or NULL with the extended ACK set.
 */
const void *ipsec_xfrm_alg_attr(const struct nlattr *nla, size_t hdr,
				unsigned int key_bits,
				struct netlink_ext_ack *extack)
{
	const struct xfrm_algo *a = nla_data(nla);

	if (strnlen(a->alg_name, sizeof(a->alg_name)) ==
	    sizeof(a->alg_name)) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "algorithm name is not NUL-terminated");
		return NULL;
	}
	if (key_bits > 8 * (nla_len(nla) - hdr)) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "algorithm key longer than its attribute");
		return NULL;
	}
	return a;
}

/* Attributes of things this module does not do: their presence is an
 * error (EOPNOTSUPP) rather than something silently dropped.
 */
int ipsec_xfrm_refuse(struct nlattr **attrs, const int *types, int n,
		      struct netlink_ext_ack *extack)
{
	static const char * const why[XFRMA_MAX + 1] = {
		[XFRMA_SEC_CTX] = "security contexts are not supported by ipsec.ko",
		[XFRMA_OFFLOAD_DEV] = "hardware offload is not supported by ipsec.ko",
		[XFRMA_COADDR] = "Mobile IPv6 care-of addresses are not supported by ipsec.ko",
		[XFRMA_SRCADDR] = "Mobile IPv6 states are not supported by ipsec.ko",
		[XFRMA_MTIMER_THRESH] = "mapping timers are not supported by ipsec.ko",
		[XFRMA_SET_MARK] = "output marks are not supported by ipsec.ko",
		[XFRMA_SET_MARK_MASK] = "output marks are not supported by ipsec.ko",
		[XFRMA_REPLAY_THRESH] = "replay event thresholds are not supported by ipsec.ko",
		[XFRMA_ETIMER_THRESH] = "replay event timers are not supported by ipsec.ko",
	};
	int i;

	for (i = 0; i < n; i++) {
		const struct nlattr *nla = attrs[types[i]];

		if (!nla)
			continue;
		/* a zero value asks for nothing */
		if (nla_len(nla) == sizeof(u32) && !nla_get_u32(nla))
			continue;
		/* the messages are static strings: what the macro keeps */
		NL_SET_BAD_ATTR(extack, nla);
		if (extack)
			extack->_msg = why[types[i]] ?:
				       "XFRM attribute not supported by ipsec.ko";
		return -EOPNOTSUPP;
	}
	return 0;
}
