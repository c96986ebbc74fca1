/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfkeyctl: the few kernel-style helpers userland lacks.
 */
#ifndef PFKEYCTL_COMPAT_H
#define PFKEYCTL_COMPAT_H

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif /* PFKEYCTL_COMPAT_H */
