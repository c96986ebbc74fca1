/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel for kmod/spd_class.c to build unchanged in
 * userland: force-included (-include) before anything else. The kernel-only
 * headers it names are empty files in include/linux/; the UAPI ones
 * (<linux/types.h>, <linux/xfrm.h>, <linux/ipsec.h>) come from /usr/include.
 *
 * RCU: kfree_rcu() only queues; shim_grace_period(), which
 * cond_synchronize_rcu() calls too, waits for every reader thread that was
 * inside shim_read_lock()/shim_read_unlock() when it started, then frees
 * the queue (writer thread only). Pointers are published with release
 * stores and read with acquire loads (on x86, what the kernel's primitives
 * compile to). Allocations can be made to fail (shim_fail_rate) and the
 * hash made weak (shim_hash_mask) to force long chains. WARN_ON() counts
 * into shim_warnings.
 */
#ifndef SPD_CLASS_SHIM_H
#define SPD_CLASS_SHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>		/* AF_INET, AF_INET6 */
#include <asm/byteorder.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#define __rcu
#define __force
#define BIT(nr)			(1UL << (nr))
#define U32_MAX			((u32)~0U)
#define GFP_KERNEL		0
#define cpu_to_be32(x)		__cpu_to_be32(x)
#define cpu_to_be16(x)		__cpu_to_be16(x)
#define min(a, b)		((a) < (b) ? (a) : (b))
#define struct_size(p, member, n) \
	(sizeof(*(p)) + sizeof((p)->member[0]) * (size_t)(n))

struct rcu_head {
	void *unused;
};

struct mutex;
#define mutex_lock(m)		((void)(m))
#define mutex_unlock(m)		((void)(m))
#define lockdep_is_held(m)	((void)(m), 1)

extern unsigned int shim_warnings;
extern unsigned int shim_fail_rate;	/* 1 in N allocations fail; 0: none */
extern u32 shim_hash_mask;
extern u32 shim_seed;

void shim_warn(const char *file, int line, const char *cond);
void *shim_alloc(size_t size, bool zero);
void shim_defer_free(void *p);
void shim_grace_period(void);
void shim_read_lock(unsigned int reader);
void shim_read_unlock(unsigned int reader);

#define WARN_ON(c) ({							\
	int __w = !!(c);						\
	if (__w)							\
		shim_warn(__FILE__, __LINE__, #c);			\
	__w;								\
})

#define kmalloc(size, gfp)	shim_alloc(size, false)
#define kzalloc(size, gfp)	shim_alloc(size, true)
#define kvzalloc(size, gfp)	shim_alloc(size, true)
#define kfree(p)		free(p)
#define kvfree(p)		free(p)
#define kfree_rcu(p, f)		shim_defer_free(p)
#define kvfree_rcu(p, f)	shim_defer_free(p)

#define rcu_dereference(p)		__atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define rcu_dereference_protected(p, c)	((void)(c), (p))
#define rcu_assign_pointer(p, v)	__atomic_store_n(&(p), v, __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v)		((p) = (v))
#define get_state_synchronize_rcu()	0UL
#define cond_synchronize_rcu(s)		((void)(s), shim_grace_period())

#define get_random_u32()	shim_seed
#define sort(base, n, size, cmp, swap) \
	((void)(swap), qsort(base, n, size, cmp))

/* Not the kernel's jhash: any well-mixed hash will do for the test. */
static inline u32 jhash2(const u32 *k, u32 length, u32 initval)
{
	u32 h = initval ^ (length * 0x9e3779b1U);

	while (length--) {
		h ^= *k++;
		h *= 0xcc9e2d51U;
		h = (h << 15) | (h >> 17);
		h *= 0x1b873593U;
	}
	h ^= h >> 16;
	h *= 0x7feb352dU;
	h ^= h >> 15;
	return h & shim_hash_mask;
}

#endif /* SPD_CLASS_SHIM_H */
