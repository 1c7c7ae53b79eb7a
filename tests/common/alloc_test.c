// SPDX-License-Identifier: MIT
/*
 * tests/common/alloc_test.c - the buddy allocator's suite. Runs on the host
 * over mmap'd memory and in the payload over real physical memory.
 */
#include "hv/alloc.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "plat/test_mem.h"
#include "tests/suites.h"

#define ARENA (8UL << 20)

struct arena {
	struct page_pool pool;
	void *mem;
	u64 snapshot[ALLOC_NR_ORDERS];
};

static bool arena_open(struct kt *t, struct arena *a, u64 size)
{
	alloc_pool_init(&a->pool);
	a->mem = test_mem_alloc(size);
	if (!KT_EXPECT(t, a->mem != NULL))
		return false;
	if (!KT_EXPECT_OK(t, alloc_add_region(&a->pool, (phys_addr_t)a->mem,
					      size)))
		return false;
	memcpy(a->snapshot, a->pool.nr_free, sizeof(a->snapshot));
	return true;
}

static void arena_close(struct kt *t, struct arena *a, u64 size)
{
	KT_EXPECT_OK(t, alloc_check(&a->pool));
	test_mem_free(a->mem, size);
}

/* After draining the page cache, are the free lists as at the start? */
static bool same_free_lists(struct arena *a)
{
	alloc_drain(&a->pool);
	return !memcmp(a->snapshot, a->pool.nr_free, sizeof(a->snapshot));
}

static void alloc_split_and_coalesce(struct kt *t)
{
	struct arena a;
	void *p[4];

	if (!arena_open(t, &a, ARENA))
		return;
	/* Four single pages come from splitting one larger block. */
	for (int i = 0; i < 4; i++)
		p[i] = alloc_page(&a.pool, OWN_TEST);
	for (int i = 0; i < 4; i++)
		KT_EXPECT(t, p[i] != NULL);
	KT_EXPECT(t, !same_free_lists(&a));
	KT_EXPECT_OK(t, alloc_check(&a.pool));
	/* Free in an order that needs every merge level; cached pages are
	 * merged when the cache drains. */
	free_page(&a.pool, p[2], OWN_TEST);
	free_page(&a.pool, p[0], OWN_TEST);
	free_page(&a.pool, p[3], OWN_TEST);
	KT_EXPECT_OK(t, alloc_check(&a.pool));
	free_page(&a.pool, p[1], OWN_TEST);
	KT_EXPECT(t, same_free_lists(&a));
	KT_EXPECT_EQ(t, alloc_free_pages(&a.pool), a.pool.total_pages);
	arena_close(t, &a, ARENA);
}

static void alloc_exhaustion(struct kt *t)
{
	struct arena a;
	void **held;
	u64 n = 0, total;

	if (!arena_open(t, &a, ARENA))
		return;
	total = a.pool.total_pages;
	/* Keep the list of held pages in a block of the pool itself. */
	held = alloc_pages(&a.pool, 2, OWN_MISC);
	KT_ASSERT(t, held != NULL);
	while (n < 4 * PAGE_SIZE / sizeof(void *)) {
		void *p = alloc_page(&a.pool, OWN_TEST);

		if (!p)
			break;
		held[n++] = p;
	}
	KT_EXPECT_EQ(t, n, total - 4);
	KT_EXPECT_EQ(t, alloc_free_pages(&a.pool), 0);
	KT_EXPECT(t, alloc_page(&a.pool, OWN_TEST) == NULL);
	KT_EXPECT(t, alloc_pages(&a.pool, 3, OWN_TEST) == NULL);
	KT_EXPECT_OK(t, alloc_check(&a.pool));
	while (n)
		free_page(&a.pool, held[--n], OWN_TEST);
	free_pages(&a.pool, held, 2, OWN_MISC);
	KT_EXPECT(t, same_free_lists(&a));
	arena_close(t, &a, ARENA);
}

/* Every order the arena can hold comes back aligned and zeroed. */
static void check_orders(struct kt *t, u64 size, unsigned int max_order)
{
	struct arena a;

	if (!arena_open(t, &a, size))
		return;
	for (unsigned int o = 0; o <= max_order; o++) {
		u8 *p = alloc_pages(&a.pool, o, OWN_TEST);

		if (!KT_EXPECT(t, p != NULL))
			break;
		KT_EXPECT(t, IS_ALIGNED((phys_addr_t)p, PAGE_SIZE << o));
		KT_EXPECT(t, mem_is_zero(p, PAGE_SIZE << o));
		memset(p, 0xa5, PAGE_SIZE << o);
		free_pages(&a.pool, p, o, OWN_TEST);
		p = alloc_pages(&a.pool, o, OWN_TEST);
		KT_EXPECT(t, mem_is_zero(p, PAGE_SIZE << o));
		free_pages(&a.pool, p, o, OWN_TEST);
	}
	KT_EXPECT(t, same_free_lists(&a));
	arena_close(t, &a, size);
}

static void alloc_alignment_small_orders(struct kt *t)
{
	check_orders(t, ARENA, 10);
}

static const char *no_big_test_mem(struct kt *t)
{
	void *p = test_mem_alloc(4UL << 30);

	if (!p)
		return "cannot get 4 GiB of test memory for the 1 GiB order";
	test_mem_free(p, 4UL << 30);
	return NULL;
}

static void alloc_alignment_every_order(struct kt *t)
{
	/* 4 GiB holds at least one aligned 1 GiB block after metadata. */
	check_orders(t, 4UL << 30, ALLOC_MAX_ORDER);
}

static void alloc_owner_accounting(struct kt *t)
{
	struct arena a;
	void *g, *pt, *vm;

	if (!arena_open(t, &a, ARENA))
		return;
	g = alloc_pages(&a.pool, 3, OWN_GMEM);
	pt = alloc_page(&a.pool, OWN_PGTABLE);
	vm = alloc_pages(&a.pool, 1, OWN_VM);
	KT_EXPECT_EQ(t, alloc_owned_pages(&a.pool, OWN_GMEM), 8);
	KT_EXPECT_EQ(t, alloc_owned_pages(&a.pool, OWN_PGTABLE), 1);
	KT_EXPECT_EQ(t, alloc_owned_pages(&a.pool, OWN_VM), 2);
	KT_EXPECT_EQ(t, alloc_owned_pages(&a.pool, OWN_RMP), 0);
	KT_EXPECT_EQ(t, alloc_free_pages(&a.pool), a.pool.total_pages - 11);
	KT_EXPECT_OK(t, alloc_check(&a.pool));
	free_pages(&a.pool, g, 3, OWN_GMEM);
	free_page(&a.pool, pt, OWN_PGTABLE);
	free_pages(&a.pool, vm, 1, OWN_VM);
	for (int o = 0; o < ALLOC_NR_OWNERS; o++)
		KT_EXPECT_EQ(t, alloc_owned_pages(&a.pool, o), 0);
	KT_EXPECT_STR_EQ(t, alloc_owner_name(OWN_GMEM), "gmem");
	arena_close(t, &a, ARENA);
}

static void alloc_fault_injection(struct kt *t)
{
	struct arena a;
	void *p1, *p2, *p3, *p4;

	if (!arena_open(t, &a, ARENA))
		return;
	alloc_fail_nth(&a.pool, 3);
	p1 = alloc_page(&a.pool, OWN_TEST);
	p2 = alloc_page(&a.pool, OWN_TEST);
	p3 = alloc_page(&a.pool, OWN_TEST);
	p4 = alloc_page(&a.pool, OWN_TEST);
	KT_EXPECT(t, p1 && p2 && p4);
	KT_EXPECT(t, p3 == NULL);
	KT_EXPECT_EQ(t, alloc_owned_pages(&a.pool, OWN_TEST), 3);
	free_page(&a.pool, p1, OWN_TEST);
	free_page(&a.pool, p2, OWN_TEST);
	free_page(&a.pool, p4, OWN_TEST);
	alloc_fail_nth(&a.pool, 1);
	alloc_fail_nth(&a.pool, 0); /* turned off again */
	p1 = alloc_page(&a.pool, OWN_TEST);
	KT_EXPECT(t, p1 != NULL);
	free_page(&a.pool, p1, OWN_TEST);
	KT_EXPECT(t, same_free_lists(&a));
	arena_close(t, &a, ARENA);
}

static void alloc_bad_arguments(struct kt *t)
{
	struct arena a;
	struct page_pool small;
	static u8 tiny[3 * 4096] __attribute__((aligned(4096)));

	if (!arena_open(t, &a, ARENA))
		return;
	KT_EXPECT(t, alloc_pages(&a.pool, ALLOC_MAX_ORDER + 1, OWN_TEST) ==
			     NULL);
	KT_EXPECT(t, alloc_page(&a.pool, ALLOC_NR_OWNERS) == NULL);
	KT_EXPECT(t, alloc_pages(&a.pool, ALLOC_MAX_ORDER, OWN_TEST) == NULL);
	KT_EXPECT(t, same_free_lists(&a));
	alloc_pool_init(&small);
	KT_EXPECT_ERRNO(t, alloc_add_region(&small, (phys_addr_t)tiny, 4096),
			EINVAL);
	KT_EXPECT_ERRNO(t, alloc_add_region(&small, (phys_addr_t)tiny, 0),
			EINVAL);
	small.nr_regions = ALLOC_MAX_REGIONS;
	KT_EXPECT_ERRNO(t, alloc_add_region(&small, (phys_addr_t)tiny,
					    sizeof(tiny)), ENOSPC);
	arena_close(t, &a, ARENA);
}

static void alloc_check_catches_corruption(struct kt *t)
{
	struct arena a;
	struct list_head *e, saved;
	u8 *meta, saved_meta;
	int o;

	if (!arena_open(t, &a, ARENA))
		return;
	KT_EXPECT_OK(t, alloc_check(&a.pool));
	for (o = 0; o < ALLOC_NR_ORDERS && !a.pool.nr_free[o]; o++)
		;
	KT_ASSERT(t, o < ALLOC_NR_ORDERS);
	e = a.pool.free[o].next;

	/* A free-list link pointing into the middle of a page. */
	saved = *e;
	e->next = (struct list_head *)((char *)e + 8);
	KT_EXPECT_ERRNO(t, alloc_check(&a.pool), EIO);
	*e = saved;
	KT_EXPECT_OK(t, alloc_check(&a.pool));

	/* A free block whose metadata says it is allocated. */
	meta = a.pool.regions[0].meta +
	       2 * (((phys_addr_t)e - a.pool.regions[0].base) >> PAGE_SHIFT);
	saved_meta = meta[0];
	meta[0] &= ~0x40;
	KT_EXPECT_ERRNO(t, alloc_check(&a.pool), EIO);
	meta[0] = saved_meta;

	/* A count that disagrees with the list. */
	a.pool.nr_free[o]++;
	KT_EXPECT_ERRNO(t, alloc_check(&a.pool), EIO);
	a.pool.nr_free[o]--;
	arena_close(t, &a, ARENA);
}

static void alloc_page_cache(struct kt *t)
{
	struct arena a;
	void *p, *q;

	if (!arena_open(t, &a, ARENA))
		return;
	p = alloc_page(&a.pool, OWN_TEST);
	memset(p, 0x5a, PAGE_SIZE);
	free_page(&a.pool, p, OWN_TEST);
	KT_EXPECT_EQ(t, a.pool.nr_pcp, 1);
	KT_EXPECT_OK(t, alloc_check(&a.pool));
	/* The cached page comes back first, scrubbed. */
	q = alloc_page(&a.pool, OWN_GMEM);
	KT_EXPECT(t, q == p);
	KT_EXPECT(t, mem_is_zero(q, PAGE_SIZE));
	KT_EXPECT_EQ(t, a.pool.nr_pcp, 0);
	free_page(&a.pool, q, OWN_GMEM);
	/* Only single pages are cached, and at most ALLOC_PCP_MAX. */
	p = alloc_pages(&a.pool, 1, OWN_TEST);
	free_pages(&a.pool, p, 1, OWN_TEST);
	KT_EXPECT_EQ(t, a.pool.nr_pcp, 1);
	KT_EXPECT_EQ(t, alloc_free_pages(&a.pool), a.pool.total_pages);
	KT_EXPECT(t, same_free_lists(&a));
	KT_EXPECT_EQ(t, a.pool.nr_pcp, 0);
	arena_close(t, &a, ARENA);
}

static void alloc_metadata_overhead(struct kt *t)
{
	struct arena a;

	if (!arena_open(t, &a, ARENA))
		return;
	/* Target: metadata below 0.1 % of the managed memory. */
	KT_EXPECT_LT(t, a.pool.meta_bytes * 1000,
		     a.pool.total_pages * PAGE_SIZE);
	arena_close(t, &a, ARENA);
}

static void alloc_split_in_place(struct kt *t)
{
	struct arena a;
	unsigned int order;
	enum alloc_owner owner;
	u8 *b;

	if (!arena_open(t, &a, ARENA))
		return;
	b = alloc_pages(&a.pool, 9, OWN_GMEM);
	KT_ASSERT(t, b != NULL);
	KT_EXPECT_OK(t, alloc_block_info(&a.pool, b, &order, &owner));
	KT_EXPECT_EQ(t, order, 9);
	KT_EXPECT_EQ(t, owner, OWN_GMEM);
	KT_EXPECT_ERRNO(t, alloc_block_info(&a.pool, b + PAGE_SIZE, &order,
					    &owner), ENOENT);

	alloc_split(&a.pool, b, 9, 0, OWN_GMEM);
	KT_EXPECT_EQ(t, alloc_owned_pages(&a.pool, OWN_GMEM), 512);
	KT_EXPECT_OK(t, alloc_check(&a.pool));
	for (int i = 0; i < 512; i += 97) {
		order = 99;
		KT_EXPECT_OK(t, alloc_block_info(&a.pool, b + i * PAGE_SIZE,
						 &order, &owner));
		KT_EXPECT_EQ(t, order, 0);
	}
	/* Give back every other page, then the rest: all of it coalesces. */
	for (int i = 0; i < 512; i += 2)
		free_page(&a.pool, b + i * PAGE_SIZE, OWN_GMEM);
	KT_EXPECT_EQ(t, alloc_owned_pages(&a.pool, OWN_GMEM), 256);
	KT_EXPECT_OK(t, alloc_check(&a.pool));
	KT_EXPECT_ERRNO(t, alloc_block_info(&a.pool, b, &order, &owner),
			ENOENT);
	for (int i = 1; i < 512; i += 2)
		free_page(&a.pool, b + i * PAGE_SIZE, OWN_GMEM);
	KT_EXPECT(t, same_free_lists(&a));

	/* A split into mid-sized parts. */
	b = alloc_pages(&a.pool, 4, OWN_TEST);
	KT_ASSERT(t, b != NULL);
	alloc_split(&a.pool, b, 4, 2, OWN_TEST);
	KT_EXPECT_OK(t, alloc_block_info(&a.pool, b + 8 * PAGE_SIZE, &order,
					 &owner));
	KT_EXPECT_EQ(t, order, 2);
	KT_EXPECT_EQ(t, owner, OWN_TEST);
	for (int i = 0; i < 16; i += 4)
		free_pages(&a.pool, b + i * PAGE_SIZE, 2, OWN_TEST);
	KT_EXPECT(t, same_free_lists(&a));
	arena_close(t, &a, ARENA);
}

static const struct kt_case alloc_cases[] = {
	KT_CASE(alloc_split_and_coalesce),
	KT_CASE(alloc_exhaustion),
	KT_CASE(alloc_alignment_small_orders),
	KT_CASE_IF(alloc_alignment_every_order, no_big_test_mem),
	KT_CASE(alloc_owner_accounting),
	KT_CASE(alloc_fault_injection),
	KT_CASE(alloc_bad_arguments),
	KT_CASE(alloc_check_catches_corruption),
	KT_CASE(alloc_page_cache),
	KT_CASE(alloc_metadata_overhead),
	KT_CASE(alloc_split_in_place),
};

const struct kt_suite alloc_suite = KT_SUITE("alloc", alloc_cases);
