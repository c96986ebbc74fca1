/* SPDX-License-Identifier: GPL-2.0 */
/* Empty: what kmod/spd_class.c needs of <linux/slab.h> is in ../../shim.h */
