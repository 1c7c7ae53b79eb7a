// SPDX-License-Identifier: MIT
/*
 * tests/common/alloc_pressure_test.c - the buddy allocator with its page
 * cache under pressure: every page of a small pool handed out, then a few
 * given back, so that the only free memory is single pages waiting on the
 * cache (hv/alloc.h, ALLOC_PCP_MAX).
 */
#include "hv/alloc.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "plat/test_mem.h"
#include "tests/suites.h"

#define SMALL_POOL (1UL << 20)

struct small_pool {
	struct page_pool pool;
	void *mem;
	phys_addr_t base; /* first managed page */
	u64 pages;
};

/* A pool of SMALL_POOL bytes with every page allocated as a single page
 * of OWN_TEST; false after a failed check. */
static bool exhausted_open(struct kt *t, struct small_pool *s)
{
	u64 n = 0;

	alloc_pool_init(&s->pool);
	s->mem = test_mem_alloc(SMALL_POOL);
	if (!KT_EXPECT(t, s->mem != NULL))
		return false;
	if (!KT_EXPECT_OK(t, alloc_add_region(&s->pool, (phys_addr_t)s->mem,
					      SMALL_POOL)))
		return false;
	s->base = s->pool.regions[0].base;
	s->pages = s->pool.regions[0].pages;
	while (alloc_page(&s->pool, OWN_TEST))
		n++;
	return KT_EXPECT_EQ(t, n, s->pages) &&
	       KT_EXPECT_EQ(t, alloc_free_pages(&s->pool), 0);
}

static void exhausted_close(struct kt *t, struct small_pool *s)
{
	KT_EXPECT_OK(t, alloc_check(&s->pool));
	test_mem_free(s->mem, SMALL_POOL);
}

/* The first address in the pool aligned to 2^order pages. */
static phys_addr_t first_aligned(const struct small_pool *s, unsigned int order)
{
	return ALIGN_UP(s->base, PAGE_SIZE << order);
}

/* Give back n single pages from pa on, after dirtying them. */
static void give_back_pages(struct small_pool *s, phys_addr_t pa, u64 n)
{
	for (u64 i = 0; i < n; i++) {
		memset((void *)(pa + i * PAGE_SIZE), 0xa5, PAGE_SIZE);
		free_page(&s->pool, (void *)(pa + i * PAGE_SIZE), OWN_TEST);
	}
}

/*
 * Catches an allocator that never drains its page cache when no block is
 * free: four buddy pages wait on the cache, nothing is on the free lists,
 * and an order-2 allocation must still succeed (ENOMEM with free pages on
 * hand otherwise), with the merged block scrubbed.
 */
static void cached_pages_serve_a_larger_block(struct kt *t)
{
	struct small_pool s;
	phys_addr_t q;
	u8 *p;

	if (!exhausted_open(t, &s))
		return;
	q = first_aligned(&s, 2);
	give_back_pages(&s, q, 4);
	KT_EXPECT_EQ(t, s.pool.nr_pcp, 4);
	KT_EXPECT_EQ(t, alloc_free_pages(&s.pool), 4);
	p = alloc_pages(&s.pool, 2, OWN_TEST);
	KT_EXPECT_EQ(t, (phys_addr_t)p, q);
	KT_EXPECT_EQ(t, s.pool.nr_pcp, 0);
	KT_EXPECT_EQ(t, alloc_free_pages(&s.pool), 0);
	if (p)
		KT_EXPECT(t, mem_is_zero(p, 4 * PAGE_SIZE));
	exhausted_close(t, &s);
}

/*
 * Catches a drain that gives up after merging (or merges nothing): the
 * cache is drained, the pages that are not buddies stay single free
 * blocks, an order-1 request fails only when no two of them merge, and
 * an order-1 request succeeds as soon as two do.
 */
static void drained_pages_that_do_not_merge(struct kt *t)
{
	struct small_pool s;
	phys_addr_t q;

	if (!exhausted_open(t, &s))
		return;
	/* Pages 0 and 2 of an aligned quad: no buddies. */
	q = first_aligned(&s, 2);
	give_back_pages(&s, q, 1);
	give_back_pages(&s, q + 2 * PAGE_SIZE, 1);
	KT_EXPECT(t, alloc_pages(&s.pool, 1, OWN_TEST) == NULL);
	/* The failed attempt drained the cache to the free lists. */
	KT_EXPECT_EQ(t, s.pool.nr_pcp, 0);
	KT_EXPECT_EQ(t, s.pool.nr_free[0], 2);
	KT_EXPECT_EQ(t, alloc_free_pages(&s.pool), 2);
	KT_EXPECT_OK(t, alloc_check(&s.pool));
	/* Page 1 joins page 0: an order-1 block, page 2 left alone. */
	give_back_pages(&s, q + PAGE_SIZE, 1);
	KT_EXPECT_EQ(t, (phys_addr_t)alloc_pages(&s.pool, 1, OWN_TEST), q);
	KT_EXPECT_EQ(t, alloc_free_pages(&s.pool), 1);
	KT_EXPECT_EQ(t, (phys_addr_t)alloc_page(&s.pool, OWN_TEST),
		     q + 2 * PAGE_SIZE);
	exhausted_close(t, &s);
}

/*
 * Catches a page cache that grows past ALLOC_PCP_MAX or takes blocks of
 * more than one page: the page after the cache is full goes to the buddy
 * lists, and so does a freed order-1 block.
 */
static void full_cache_frees_to_the_buddy_lists(struct kt *t)
{
	struct small_pool s;
	phys_addr_t q;

	if (!exhausted_open(t, &s))
		return;
	q = first_aligned(&s, 7);
	give_back_pages(&s, q, ALLOC_PCP_MAX + 1);
	KT_EXPECT_EQ(t, s.pool.nr_pcp, ALLOC_PCP_MAX);
	KT_EXPECT_EQ(t, s.pool.nr_free[0], 1);
	KT_EXPECT_EQ(t, alloc_free_pages(&s.pool), ALLOC_PCP_MAX + 1);
	KT_EXPECT_OK(t, alloc_check(&s.pool));
	/* A single page still comes from the cache first, LIFO. */
	KT_EXPECT_EQ(t, (phys_addr_t)alloc_page(&s.pool, OWN_TEST),
		     q + (ALLOC_PCP_MAX - 1) * PAGE_SIZE);
	exhausted_close(t, &s);
}

/*
 * Catches a cache drained on every larger allocation (it is there so a
 * hot free/alloc cycle of single pages does not split and merge blocks):
 * while a block is free, an order-1 allocation leaves the cache alone.
 */
static void cache_kept_while_blocks_are_free(struct kt *t)
{
	struct small_pool s;
	phys_addr_t q;

	if (!exhausted_open(t, &s))
		return;
	q = first_aligned(&s, 2);
	give_back_pages(&s, q, 1);
	alloc_drain(&s.pool);
	/* Page q + 1 is cached; q is a free order-0 block, and q + 2/q + 3
	 * make an order-1 one. */
	give_back_pages(&s, q + 2 * PAGE_SIZE, 2);
	alloc_drain(&s.pool);
	give_back_pages(&s, q + PAGE_SIZE, 1);
	KT_EXPECT_EQ(t, s.pool.nr_pcp, 1);
	KT_EXPECT_EQ(t, (phys_addr_t)alloc_pages(&s.pool, 1, OWN_TEST),
		     q + 2 * PAGE_SIZE);
	KT_EXPECT_EQ(t, s.pool.nr_pcp, 1);
	exhausted_close(t, &s);
}

#define GIB (1UL << 30)

static const char *no_2g_test_mem(struct kt *t)
{
	void *p = test_mem_alloc(2 * GIB);

	if (!p)
		return "cannot get 2 GiB of test memory for a 1 GiB block";
	test_mem_free(p, 2 * GIB);
	return NULL;
}

/*
 * Catches the page cache drained when the only free block is a 1 GiB one
 * (the top order), which the search finds as well as any other: pool
 * region B manages exactly one 1 GiB block, region A only two cached
 * buddy pages; an order-1 request splits the 1 GiB block and leaves the
 * cache alone.
 */
static void cache_kept_while_only_the_top_order_is_free(struct kt *t)
{
	struct small_pool s;
	u8 *big = test_mem_alloc(2 * GIB), *p;
	phys_addr_t top = (phys_addr_t)big + GIB, q;
	u64 meta = 1;

	if (!KT_EXPECT(t, big != NULL) || !exhausted_open(t, &s))
		return;
	/* Region B: 'meta' metadata pages just below a 1 GiB boundary,
	 * then the 1 GiB (the metadata takes 2 bytes of each page). */
	while ((2 * ((GIB >> PAGE_SHIFT) + meta) + PAGE_SIZE + 1) /
		       (PAGE_SIZE + 2) !=
	       meta)
		meta++;
	KT_ASSERT_OK(t, alloc_add_region(&s.pool, top - meta * PAGE_SIZE,
					 GIB + meta * PAGE_SIZE));
	KT_ASSERT_EQ(t, s.pool.regions[1].base, top);
	KT_ASSERT_EQ(t, s.pool.nr_free[ALLOC_MAX_ORDER], 1);
	q = first_aligned(&s, 1);
	give_back_pages(&s, q, 2);
	KT_EXPECT_EQ(t, s.pool.nr_pcp, 2);
	p = alloc_pages(&s.pool, 1, OWN_TEST);
	KT_EXPECT_EQ(t, (phys_addr_t)p, top);
	KT_EXPECT_EQ(t, s.pool.nr_pcp, 2);
	KT_EXPECT_OK(t, alloc_check(&s.pool));
	exhausted_close(t, &s);
	test_mem_free(big, 2 * GIB);
}

static const struct kt_case alloc_pressure_cases[] = {
	KT_CASE(cached_pages_serve_a_larger_block),
	KT_CASE(drained_pages_that_do_not_merge),
	KT_CASE(full_cache_frees_to_the_buddy_lists),
	KT_CASE(cache_kept_while_blocks_are_free),
	KT_CASE_IF(cache_kept_while_only_the_top_order_is_free, no_2g_test_mem),
};

const struct kt_suite alloc_pressure_suite =
	KT_SUITE("alloc_pressure", alloc_pressure_cases);
