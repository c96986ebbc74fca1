/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPSEC_ENC_H
#define IPSEC_ENC_H

struct ipsec_net;

int ipsec_enc_net_init(struct ipsec_net *in);
void ipsec_enc_net_exit(struct ipsec_net *in);

#endif /* IPSEC_ENC_H */
