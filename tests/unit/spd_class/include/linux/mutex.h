/* SPDX-License-Identifier: GPL-2.0 */
/* Empty: what kmod/spd_class.c needs of <linux/mutex.h> is in ../../shim.h */
