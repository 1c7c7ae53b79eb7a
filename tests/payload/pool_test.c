// SPDX-License-Identifier: MIT
/*
 * tests/payload/pool_test.c - boot.pool: hv_pool as boot/pool.c built it
 * from the memory map, exercised on real physical memory.
 */
#include "boot/addrspace.h"
#include "boot/memmap.h"
#include "boot/options.h"
#include "boot/paging.h"
#include "boot/pool.h"
#include "hv/alloc.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/payload/boot_tests.h"

/* Is [start, end) inside one conventional-memory range of the map? */
static bool in_conventional(u64 start, u64 end)
{
	for (size_t i = 0; i < memmap_count(); i++) {
		const EFI_MEMORY_DESCRIPTOR *d = memmap_get(i);
		u64 s = d->PhysicalStart, e = s + d->NumberOfPages * PAGE_SIZE;

		if (d->Type == EfiConventionalMemory && start >= s && end <= e)
			return true;
	}
	return false;
}

static void pool_regions_are_conventional_memory(struct kt *t)
{
	u64 bytes = 0;

	KT_ASSERT(t, hv_pool != NULL);
	KT_EXPECT_GE(t, hv_pool->nr_regions, 1);
	KT_EXPECT_LE(t, hv_pool->nr_regions, ALLOC_MAX_REGIONS);
	for (unsigned int i = 0; i < hv_pool->nr_regions; i++) {
		const struct alloc_region *r = &hv_pool->regions[i];
		u64 start = (u64)r->meta, end = r->base + r->pages * PAGE_SIZE;

		KT_EXPECT_GE(t, start, POOL_MIN_ADDR);
		KT_EXPECT(t, in_conventional(start, end));
		bytes += end - start;
	}
	/* The run uses the default cap unless pool= lowered it. */
	KT_EXPECT_LE(t, bytes, OPT_POOL_DEFAULT);
}

static void pool_is_consistent(struct kt *t)
{
	KT_EXPECT_OK(t, alloc_check(hv_pool));
}

static void pool_boot_owners_accounted(struct kt *t)
{
	u64 owned = 0;

	KT_EXPECT_GE(t, alloc_owned_pages(hv_pool, OWN_PGTABLE),
		     paging_tables()->stats.table_pages);
	KT_EXPECT_GE(t, alloc_owned_pages(hv_pool, OWN_MISC),
		     1ULL << BOOT_STACK_ORDER);
	for (int o = 0; o < ALLOC_NR_OWNERS; o++)
		owned += alloc_owned_pages(hv_pool, o);
	KT_EXPECT_EQ(t, owned + alloc_free_pages(hv_pool),
		     hv_pool->total_pages);
}

/* The largest order with a free block right now. */
static int top_free_order(void)
{
	for (int o = ALLOC_MAX_ORDER; o >= 0; o--)
		if (hv_pool->nr_free[o])
			return o;
	return -1;
}

static void pool_every_order_aligned_and_zeroed(struct kt *t)
{
	int top = top_free_order();
	u64 base = alloc_owned_pages(hv_pool, OWN_TEST);

	KT_ASSERT(t, top >= 0);
	kt_diag(t, "largest free block: order %d (%llu MiB)", top,
		(unsigned long long)((PAGE_SIZE << top) >> 20));
	for (int o = 0; o <= top; o++) {
		u64 bytes = PAGE_SIZE << o;
		u8 *p = alloc_pages(hv_pool, (unsigned int)o, OWN_TEST);

		if (!KT_EXPECT(t, p != NULL))
			break;
		KT_EXPECT(t, IS_ALIGNED((u64)p, bytes));
		KT_EXPECT(t, mem_is_zero(p, bytes));
		KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_TEST),
			     base + (1ULL << o));
		/* Dirty both ends; freeing must scrub them. */
		p[0] = 0xa5;
		p[bytes - 1] = 0x5a;
		free_pages(hv_pool, p, (unsigned int)o, OWN_TEST);
		KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_TEST), base);
	}
	KT_EXPECT_OK(t, alloc_check(hv_pool));
}

static void pool_reuse_is_zeroed(struct kt *t)
{
	u8 *p = alloc_pages(hv_pool, 2, OWN_TEST), *q;

	KT_ASSERT(t, p != NULL);
	memset(p, 0xcc, 4 * PAGE_SIZE);
	free_pages(hv_pool, p, 2, OWN_TEST);
	/* The free lists are LIFO, so this is most likely the same block. */
	q = alloc_pages(hv_pool, 2, OWN_TEST);
	KT_ASSERT(t, q != NULL);
	KT_EXPECT(t, mem_is_zero(q, 4 * PAGE_SIZE));
	free_pages(hv_pool, q, 2, OWN_TEST);
}

static const struct kt_case pool_cases[] = {
	KT_CASE(pool_regions_are_conventional_memory),
	KT_CASE(pool_is_consistent),
	KT_CASE(pool_boot_owners_accounted),
	KT_CASE(pool_every_order_aligned_and_zeroed),
	KT_CASE(pool_reuse_is_zeroed),
};

const struct kt_suite pool_suite = KT_SUITE("pool", pool_cases);
