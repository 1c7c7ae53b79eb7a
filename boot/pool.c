// SPDX-License-Identifier: MIT
/* boot/pool.c - hv_pool from the memory map (see boot/pool.h). */
#include "boot/pool.h"
#include "boot/memmap.h"
#include "hv/alloc.h"
#include "lib/errno.h"

static struct page_pool boot_pool;

/* Conventional range i clipped to POOL_MIN_ADDR; false if nothing left. */
static bool usable(size_t i, u64 *base, u64 *size)
{
	const EFI_MEMORY_DESCRIPTOR *d = memmap_get(i);
	u64 start = d->PhysicalStart;
	u64 end = start + d->NumberOfPages * PAGE_SIZE;

	if (d->Type != EfiConventionalMemory || end <= POOL_MIN_ADDR)
		return false;
	start = MAX(start, POOL_MIN_ADDR);
	*base = start;
	*size = end - start;
	return true;
}

/* The largest usable range not yet taken, or -1. */
static long largest(const bool *taken, size_t n, u64 *base, u64 *size)
{
	long best = -1;
	u64 b, s, best_size = 0;

	for (size_t i = 0; i < n; i++) {
		if (taken[i] || !usable(i, &b, &s) || s <= best_size)
			continue;
		best = (long)i;
		best_size = s;
		*base = b;
		*size = s;
	}
	return best;
}

int pool_init(u64 limit)
{
	/* One flag per descriptor; the map holds far fewer than this. */
	static bool taken[4096];
	size_t n = MIN(memmap_count(), ARRAY_SIZE(taken));
	u64 left = limit;

	alloc_pool_init(&boot_pool);
	while (left && boot_pool.nr_regions < ALLOC_MAX_REGIONS) {
		u64 base, size;
		long i = largest(taken, n, &base, &size);

		if (i < 0)
			break;
		taken[i] = true;
		size = MIN(size, left);
		/* A range too small to hold any page is skipped. */
		if (!alloc_add_region(&boot_pool, base, size))
			left -= size;
	}
	if (!boot_pool.total_pages)
		return -ENOMEM;
	hv_pool = &boot_pool;
	return 0;
}
