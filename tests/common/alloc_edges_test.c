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

/*
 * Catches blocks handed out without clearing memory the pool was given
 * dirty, or metadata not cleared when a region is added: a region over
 * memory full of garbage checks clean, and every block from it is zero.
 */
static void dirty_region_gives_zeroed_blocks(struct kt *t)
{
	struct page_pool pool;
	u8 *mem = test_mem_alloc(SMALL), *p;
	u64 wrong = 0;

	if (!KT_EXPECT(t, mem != NULL))
		return;
	memset(mem, 0xa5, SMALL);
	alloc_pool_init(&pool);
	KT_ASSERT_OK(t, alloc_add_region(&pool, (phys_addr_t)mem, SMALL));
	KT_EXPECT_OK(t, alloc_check(&pool));
	for (unsigned int o = 0; o < 6; o++) {
		p = alloc_pages(&pool, o, OWN_TEST);
		if (KT_EXPECT(t, p != NULL))
			wrong += !mem_is_zero(p, PAGE_SIZE << o);
	}
	KT_EXPECT_EQ(t, wrong, 0);
	test_mem_free(mem, SMALL);
}

/*
 * Catches the checks of alloc_add_region() weakened: a range that holds
 * no two whole pages (empty, one page, or so small and unaligned that it
 * ends before its first page starts) is EINVAL, two pages are enough,
 * and a pool whose region slots are all taken says ENOSPC first.
 */
static void region_arguments(struct kt *t)
{
	struct page_pool pool;
	u8 *mem = test_mem_alloc(SMALL);
	phys_addr_t m = (phys_addr_t)mem;

	if (!KT_EXPECT(t, mem != NULL))
		return;
	alloc_pool_init(&pool);
	KT_EXPECT_ERRNO(t, alloc_add_region(&pool, m, 0), EINVAL);
	KT_EXPECT_ERRNO(t, alloc_add_region(&pool, m, PAGE_SIZE), EINVAL);
	KT_EXPECT_ERRNO(t, alloc_add_region(&pool, m + 100, 100), EINVAL);
	KT_EXPECT_ERRNO(t, alloc_add_region(&pool, m + 100, 2 * PAGE_SIZE),
			EINVAL);
	KT_EXPECT_EQ(t, pool.nr_regions, 0);
	/* Two pages: one for the metadata, one managed, on one free list
	 * that holds every page of the pool. */
	KT_EXPECT_OK(t, alloc_add_region(&pool, m, 2 * PAGE_SIZE));
	KT_EXPECT_EQ(t, pool.total_pages, 1);
	KT_EXPECT_OK(t, alloc_check(&pool));
	/* Fill every slot (the rest of the memory, 64 KiB a region). */
	for (u64 i = 1; i < ALLOC_MAX_REGIONS; i++)
		KT_EXPECT_OK(t, alloc_add_region(&pool, m + i * (64 << 10),
						 64 << 10));
	KT_EXPECT_ERRNO(t, alloc_add_region(&pool, m + SMALL - 8192, 8192),
			ENOSPC);
	KT_EXPECT_ERRNO(t, alloc_add_region(&pool, m + 100, 100), ENOSPC);
	/* Lookups and the checker with every slot in use. */
	KT_EXPECT_OK(t, alloc_check(&pool));
	KT_EXPECT(t, alloc_page(&pool, OWN_TEST) != NULL);
	KT_EXPECT_ERRNO(t,
			alloc_block_info(&pool, mem + SMALL, &(unsigned int){0},
					 &(enum alloc_owner){0}),
			ENOENT);
	test_mem_free(mem, SMALL);
}

/*
 * Catches an order or owner out of range looked up past the end of the
 * pool's tables, or a bad order that drains the page cache on its way to
 * failing.
 */
static void bad_order_and_owner_touch_nothing(struct kt *t)
{
	struct page_pool pool;
	u8 *mem = test_mem_alloc(SMALL);
	void *p;

	if (!KT_EXPECT(t, mem != NULL))
		return;
	alloc_pool_init(&pool);
	KT_ASSERT_OK(t, alloc_add_region(&pool, (phys_addr_t)mem, SMALL));
	p = alloc_page(&pool, OWN_TEST);
	free_page(&pool, p, OWN_TEST);
	KT_EXPECT_EQ(t, pool.nr_pcp, 1);
	KT_EXPECT(t, alloc_pages(&pool, ALLOC_MAX_ORDER + 1, OWN_TEST) == NULL);
	KT_EXPECT_EQ(t, pool.nr_pcp, 1);
	KT_EXPECT_EQ(t, alloc_owned_pages(&pool, ALLOC_NR_OWNERS), 0);
	KT_EXPECT_STR_EQ(t, alloc_owner_name(ALLOC_NR_OWNERS), "?");
	KT_EXPECT_STR_EQ(t, alloc_owner_name(OWN_KMALLOC), "kmalloc");
	test_mem_free(mem, SMALL);
}

/* Catches a split to the same order refused: it is a valid no-op. */
static void split_to_the_same_order(struct kt *t)
{
	struct page_pool pool;
	u8 *mem = test_mem_alloc(SMALL), *b;
	enum alloc_owner owner;
	unsigned int order;

	if (!KT_EXPECT(t, mem != NULL))
		return;
	alloc_pool_init(&pool);
	KT_ASSERT_OK(t, alloc_add_region(&pool, (phys_addr_t)mem, SMALL));
	b = alloc_pages(&pool, 2, OWN_TEST);
	KT_ASSERT(t, b != NULL);
	alloc_split(&pool, b, 2, 2, OWN_TEST);
	KT_EXPECT_OK(t, alloc_block_info(&pool, b, &order, &owner));
	KT_EXPECT_EQ(t, order, 2);
	KT_EXPECT_OK(t, alloc_check(&pool));
	test_mem_free(mem, SMALL);
}

/* 2049 pages: one metadata page holds the 2 bytes of each of the 2048
 * others exactly, so the byte after the metadata is the first managed
 * page's. */
#define FULL_META_PAGES 2049

/*
 * Catches the end of a region taken as inside it (in a lookup, a merge
 * or the checker's buddy test): where the metadata fills its page, the
 * metadata slot one past the region is the first page's data, which the
 * test makes look like a block head.
 */
static void region_end_with_full_metadata(struct kt *t)
{
	struct page_pool pool;
	u8 *mem = test_mem_alloc(16UL << 20), *first;
	phys_addr_t end;
	enum alloc_owner owner;
	unsigned int order;

	if (!KT_EXPECT(t, mem != NULL))
		return;
	alloc_pool_init(&pool);
	KT_ASSERT_OK(t, alloc_add_region(&pool, (phys_addr_t)mem,
					 FULL_META_PAGES * PAGE_SIZE));
	KT_ASSERT_EQ(t, pool.total_pages, FULL_META_PAGES - 1);
	first = (u8 *)pool.regions[0].base;
	end = pool.regions[0].base + pool.total_pages * PAGE_SIZE;
	while (alloc_page(&pool, OWN_TEST))
		;
	/* The first page's data says "allocated head of order 0". */
	first[0] = 0x80;
	first[1] = OWN_TEST;
	KT_EXPECT_ERRNO(t, alloc_block_info(&pool, (void *)end, &order, &owner),
			ENOENT);
	/* Now "free head of order 0": the last page, whose buddy would be
	 * the page at the end, must not merge with it nor be flagged. */
	first[0] = 0xc0;
	first[1] = 0;
	free_page(&pool, (void *)(end - PAGE_SIZE), OWN_TEST);
	alloc_drain(&pool);
	KT_EXPECT_EQ(t, pool.nr_free[0], 1);
	KT_EXPECT_OK(t, alloc_check(&pool));
	test_mem_free(mem, 16UL << 20);
}

static const struct kt_case alloc_edges_cases[] = {
	KT_CASE(two_regions_find_their_own_blocks),
	KT_CASE(first_page_of_a_region_merges),
	KT_CASE(page_cache_may_hold_every_page),
	KT_CASE(dirty_region_gives_zeroed_blocks),
	KT_CASE(region_arguments),
	KT_CASE(bad_order_and_owner_touch_nothing),
	KT_CASE(split_to_the_same_order),
	KT_CASE(region_end_with_full_metadata),
};

const struct kt_suite alloc_edges_suite =
	KT_SUITE("alloc_edges", alloc_edges_cases);
