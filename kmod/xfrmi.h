/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XFRM interfaces ("ip link add NAME type xfrm [dev DEV] if_id N"):
 * route-based IPsec on this module's SPD and SAD, with the link kind,
 * attributes and packet semantics of stock Linux's xfrm_interface.
 */
#ifndef IPSEC_XFRMI_H
#define IPSEC_XFRMI_H

#include <linux/types.h>

struct ipsec_net;
struct net_device;
struct sk_buff;

int ipsec_xfrmi_init(void);
void ipsec_xfrmi_uninit(void);
/* Deletes the namespace's interfaces (a device pernet exit). */
void ipsec_xfrmi_net_exit(struct ipsec_net *in);

/* Is @dev one of ours? (@dev may be NULL) */
bool ipsec_xfrmi_is(const struct net_device *dev);

/* The L3 master (VRF) of the lower device (IFLA_XFRM_LINK) of the
 * interface of @if_id, or 0: what its ESP packets are routed in.
 */
int ipsec_xfrmi_l3mdev(struct ipsec_net *in, u32 if_id);

/* Under RCU: is an interface of @if_id up in the namespace? */
bool ipsec_xfrmi_up_rcu(struct ipsec_net *in, u32 if_id);

/* Decrypted @skb received on the interface of @if_id, as
 * ipsec_enc_receive() receives on enc0 (which still taps it); false,
 * skb untouched, when no such interface is up. @transport: no tunnel
 * came off, the packet keeps the route skb holds (a reference).
 */
bool ipsec_xfrmi_receive(struct ipsec_net *in, struct sk_buff *skb,
			 u32 if_id, u8 family, bool csum_ok, bool transport);

/* An inbound packet dropped by the SA of @if_id that was taking it off
 * (0: none): counted in rx_errors and rx_dropped of the interface of
 * @if_id when one is up, as stock counts it. Any context.
 */
void ipsec_xfrmi_rx_error(struct ipsec_net *in, u32 if_id);

#endif /* IPSEC_XFRMI_H */
