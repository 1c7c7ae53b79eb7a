/* SPDX-License-Identifier: MIT */
/*
 * hv/base/kmalloc.h - the small-object allocator for hypervisor metadata (VMs,
 * memslots, gmem chunks, index nodes). Owns the pages it takes from hv_pool
 * under OWN_KMALLOC and the count of objects and bytes handed out.
 *
 * Objects up to KMALLOC_MAX_SMALL bytes come from one-page slabs of a size
 * class; larger ones are whole page blocks. Memory comes back zeroed. The
 * caller passes the size again to kfree(), so no per-object header exists.
 * A slab page whose last object is freed goes straight back to the pool, so
 * after every object is freed kmalloc holds no pages.
 *
 * Not thread-safe (the hypervisor runs on one CPU).
 */
#ifndef GMV_HV_BASE_KMALLOC_H
#define GMV_HV_BASE_KMALLOC_H

#include "lib/types.h"

#define KMALLOC_MAX_SMALL 2048

/* size bytes (> 0), zeroed, or NULL (no memory, no pool, injected). */
void *kmalloc(size_t size);
/* Free an object; size must be the one given to kmalloc(). NULL is a
 * no-op. A pointer that is not a live object of that size panics. */
void kfree(void *p, size_t size);
/* Bytes an object of this size really takes (its size class). */
size_t kmalloc_size(size_t size);

/* Fault injection: the n-th kmalloc() from now fails (n >= 1; 0 = off).
 * Fires once. Independent of alloc_fail_nth(). */
void kmalloc_fail_nth(u64 n);

struct kmalloc_stats {
	u64 objects; /* live objects */
	u64 bytes; /* bytes they take (size classes, page blocks) */
	u64 pages; /* pages held from the pool */
};
void kmalloc_get_stats(struct kmalloc_stats *st);

/* Slab lists consistent and pages held == OWN_KMALLOC pages of hv_pool;
 * 0 or -EIO after printing the problem. */
int kmalloc_check(void);

#endif
