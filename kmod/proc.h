/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPSEC_PROC_H
#define IPSEC_PROC_H

struct ipsec_net;

int ipsec_proc_net_init(struct ipsec_net *in);
void ipsec_proc_net_exit(struct ipsec_net *in);

#endif /* IPSEC_PROC_H */
