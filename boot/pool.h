/* SPDX-License-Identifier: MIT */
/*
 * boot/pool.h - builds hv_pool (hv/alloc.h) from the UEFI memory map after
 * ExitBootServices. Owns the pool structure itself; the allocator owns
 * the pages from then on.
 */
#ifndef GMV_BOOT_POOL_H
#define GMV_BOOT_POOL_H

#include "lib/types.h"

/* Memory below this stays out of the pool (legacy areas, real-mode use). */
#define POOL_MIN_ADDR (1UL << 20)

/*
 * Hand conventional memory above POOL_MIN_ADDR to hv_pool, largest ranges
 * first, up to ALLOC_MAX_REGIONS ranges and limit bytes in all, and point
 * hv_pool at it. Returns 0, or -ENOMEM when no range could be used.
 */
int pool_init(u64 limit);

#endif
