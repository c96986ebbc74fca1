/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPSEC_ENC_H
#define IPSEC_ENC_H

#include <linux/types.h>

struct ipsec_net;

int ipsec_enc_net_init(struct ipsec_net *in);
void ipsec_enc_net_exit(struct ipsec_net *in);

struct sk_buff;
void ipsec_enc_tap_out(struct ipsec_net *in, struct sk_buff *skb);
void ipsec_enc_receive(struct ipsec_net *in, struct sk_buff *skb, u8 family,
		       bool csum_ok);
void ipsec_enc_tap_in(struct ipsec_net *in, struct sk_buff *skb);

struct net_device;
struct gro_cells;
void ipsec_dev_receive(struct net_device *dev, struct gro_cells *gro,
		       struct sk_buff *skb, u8 family, bool csum_ok,
		       bool keep_dst, struct ipsec_net *tap);

#endif /* IPSEC_ENC_H */
