/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPSEC_PFKEY_H
#define IPSEC_PFKEY_H

int ipsec_pfkey_init(void);
void ipsec_pfkey_uninit(void);

#endif /* IPSEC_PFKEY_H */
