// SPDX-License-Identifier: MIT
/*
 * tests/common/alloc_edges_test.c - the buddy allocator at the edges of
 * its regions (hv/alloc.h): a pool of two regions, block lookups outside
 * and between them, the first managed page of a region merging with its
 * buddy, and a pool so small that its page cache holds every page.
 */
#include "hv/alloc.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "plat/test_mem.h"
#include "tests/suites.h"

#define SMALL (1UL << 20)

/*
 * Catches a region lookup that takes any address above a region's base
 * as that region's: with two regions, a block of the upper one is found
 * in its own metadata and frees there; addresses below, between, above
 * the regions, and inside a block's first page, start no block.
 */
static void two_regions_find_their_own_blocks(struct kt *t)
{
	struct page_pool pool;
	void *m1 = test_mem_alloc(SMALL), *m2 = test_mem_alloc(SMALL);
	u8 *lo, *hi, *p, *upper = NULL;
	enum alloc_owner owner;
	unsigned int order;

	if (!KT_EXPECT(t, m1 && m2))
		return;
	lo = MIN((u8 *)m1, (u8 *)m2);
	hi = MAX((u8 *)m1, (u8 *)m2);
	alloc_pool_init(&pool);
	KT_ASSERT_OK(t, alloc_add_region(&pool, (phys_addr_t)lo, SMALL));
	KT_ASSERT_OK(t, alloc_add_region(&pool, (phys_addr_t)hi, SMALL));
	/* Take every page; keep one of the upper region. */
	while ((p = alloc_page(&pool, OWN_TEST)))
		if (p >= hi && !upper)
			upper = p;
	KT_ASSERT(t, upper != NULL);
	KT_EXPECT_OK(t, alloc_block_info(&pool, upper, &order, &owner));
	KT_EXPECT_EQ(t, order, 0);
	KT_EXPECT_EQ(t, owner, OWN_TEST);
	KT_EXPECT_ERRNO(t, alloc_block_info(&pool, upper + 1, &order, &owner),
			ENOENT);
	KT_EXPECT_ERRNO(t,
			alloc_block_info(&pool, lo - PAGE_SIZE, &order, &owner),
			ENOENT);
	KT_EXPECT_ERRNO(t, alloc_block_info(&pool, hi + SMALL, &order, &owner),
			ENOENT);
	if (hi > lo + SMALL)
		KT_EXPECT_ERRNO(
			t, alloc_block_info(&pool, lo + SMALL, &order, &owner),
			ENOENT);
	free_page(&pool, upper, OWN_TEST);
	KT_EXPECT_OK(t, alloc_check(&pool));
	KT_EXPECT_EQ(t, alloc_free_pages(&pool), 1);
	test_mem_free(m1, SMALL);
	test_mem_free(m2, SMALL);
}

/* 16 MiB take two metadata pages, so the first managed page is 8 KiB
 * aligned: it is the lower buddy of the page after it. */
#define EVEN (16UL << 20)

/* Catches a merge that treats a region's first page as outside the
 * region: freed after it, the page after it must merge with it. */
static void first_page_of_a_region_merges(struct kt *t)
{
	struct page_pool pool;
	void *mem = test_mem_alloc(EVEN);
	phys_addr_t base;

	if (!KT_EXPECT(t, mem != NULL))
		return;
	alloc_pool_init(&pool);
	KT_ASSERT_OK(t, alloc_add_region(&pool, (phys_addr_t)mem, EVEN));
	base = pool.regions[0].base;
	KT_ASSERT(t, IS_ALIGNED(base, 2 * PAGE_SIZE));
	while (alloc_page(&pool, OWN_TEST))
		;
	/* The first page on the buddy lists, then the second after it. */
	free_page(&pool, (void *)base, OWN_TEST);
	alloc_drain(&pool);
	free_page(&pool, (void *)(base + PAGE_SIZE), OWN_TEST);
	alloc_drain(&pool);
	KT_EXPECT_EQ(t, pool.nr_free[0], 0);
	KT_EXPECT_EQ(t, pool.nr_free[1], 1);
	KT_EXPECT_OK(t, alloc_check(&pool));
	KT_EXPECT_EQ(t, (phys_addr_t)alloc_pages(&pool, 1, OWN_TEST), base);
	test_mem_free(mem, EVEN);
}

/* A pool of fewer pages than the page cache holds. */
#define TINY (64UL << 10)

/* Catches the checker's bound on the cache list counting one short: here
 * every page of the pool can wait on the cache. */
static void page_cache_may_hold_every_page(struct kt *t)
{
	struct page_pool pool;
	void *mem = test_mem_alloc(TINY), *held[TINY / PAGE_SIZE];
	u64 n = 0;

	if (!KT_EXPECT(t, mem != NULL))
		return;
	alloc_pool_init(&pool);
	KT_ASSERT_OK(t, alloc_add_region(&pool, (phys_addr_t)mem, TINY));
	KT_ASSERT(t, pool.total_pages < ALLOC_PCP_MAX);
	while (n < ARRAY_SIZE(held) && (held[n] = alloc_page(&pool, OWN_TEST)))
		n++;
	KT_EXPECT_EQ(t, n, pool.total_pages);
	while (n)
		free_page(&pool, held[--n], OWN_TEST);
	KT_EXPECT_EQ(t, pool.nr_pcp, pool.total_pages);
	KT_EXPECT_OK(t, alloc_check(&pool));
	test_mem_free(mem, TINY);
}

static const struct kt_case alloc_edges_cases[] = {
	KT_CASE(two_regions_find_their_own_blocks),
	KT_CASE(first_page_of_a_region_merges),
	KT_CASE(page_cache_may_hold_every_page),
};

const struct kt_suite alloc_edges_suite =
	KT_SUITE("alloc_edges", alloc_edges_cases);
