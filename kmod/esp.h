/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP (RFC 4303): per-SA transform state. The packet path comes next.
 */
#ifndef IPSEC_ESP_H
#define IPSEC_ESP_H

struct ipsec_sa;

int ipsec_esp_state_init(struct ipsec_sa *sa);
void ipsec_esp_state_free(struct ipsec_sa *sa);

#endif /* IPSEC_ESP_H */
