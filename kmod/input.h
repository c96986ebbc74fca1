/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPSEC_INPUT_H
#define IPSEC_INPUT_H

#include <linux/skbuff.h>

#include "stats.h"

int ipsec_input(struct sk_buff *skb, enum ipsec_proto_idx p, int family);
int ipsec_input_encap(struct sk_buff *skb, int family, int encap_type);

struct ipsec_net;
/* Plain IP in IP from an IPComp tunnel's far end (input.c): true if taken */
bool ipsec_input_ipip(struct ipsec_net *in, struct sk_buff *skb, u8 family);

/* The namespace's per-CPU state of input.c */
int ipsec_input_net_init(struct ipsec_net *in);
void ipsec_input_net_exit(struct ipsec_net *in);

#endif /* IPSEC_INPUT_H */
