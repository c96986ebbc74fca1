/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netfilter hooks of a namespace: the SPD match of the output path
 * (LOCAL_OUT, FORWARD) and the inbound check of cleartext (LOCAL_IN,
 * FORWARD), IPv4 and IPv6.
 */
#ifndef IPSEC_HOOKS_H
#define IPSEC_HOOKS_H

struct ipsec_net;

int ipsec_hooks_net_init(struct ipsec_net *in);
void ipsec_hooks_net_exit(struct ipsec_net *in);

#endif /* IPSEC_HOOKS_H */
