/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPSEC_PROTO_H
#define IPSEC_PROTO_H

int ipsec_proto_init(void);
void ipsec_proto_uninit(void);

#endif /* IPSEC_PROTO_H */
