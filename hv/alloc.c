// SPDX-License-Identifier: MIT
/*
 * hv/alloc.c - buddy page allocator (see hv/alloc.h).
 *
 * Metadata: two bytes per managed page.
 *   byte 0: META_HEAD if the page starts a block, META_FREE if that block
 *           is free, and the block's order in the low five bits. Pages
 *           inside a block (tails) hold 0.
 *   byte 1: for an allocated head, the owner; for a free head, META_DIRTY
 *           when the block's contents are not known to be zero, and
 *           META_CACHED for a single page on the page cache (pcp) list.
 * Free blocks are kept on one doubly linked list per order, cached pages on
 * the pcp list; the links live in the first 16 bytes of the free block.
 */
#define CHECK_PREFIX "alloc_check"

#include "hv/alloc.h"
#include "hv/base/check.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define META_HEAD 0x80
#define META_FREE 0x40
#define META_ORDER 0x1f
#define META_DIRTY 0x80
#define META_CACHED 0x40

struct page_pool *hv_pool;

static const char *const owner_names[ALLOC_NR_OWNERS] = {
	[OWN_MISC] = "misc",	   [OWN_GMEM] = "gmem",
	[OWN_PGTABLE] = "pgtable", [OWN_RMP] = "rmp",
	[OWN_TDX] = "tdx",	   [OWN_VM] = "vm",
	[OWN_GUEST] = "guest",	   [OWN_TEST] = "test",
	[OWN_KMALLOC] = "kmalloc", [OWN_LEAKED] = "leaked",
};

const char *alloc_owner_name(enum alloc_owner owner)
{
	return (unsigned int)owner < ALLOC_NR_OWNERS ? owner_names[owner] :
						       "?";
}

void alloc_pool_init(struct page_pool *pool)
{
	memset(pool, 0, sizeof(*pool));
	for (int i = 0; i < ALLOC_NR_ORDERS; i++)
		list_init(&pool->free[i]);
	list_init(&pool->pcp);
}

static struct alloc_region *region_of(const struct page_pool *pool,
				      phys_addr_t pa)
{
	for (unsigned int i = 0; i < pool->nr_regions; i++) {
		const struct alloc_region *r = &pool->regions[i];

		if (pa >= r->base && pa - r->base < r->pages * PAGE_SIZE)
			return (struct alloc_region *)r;
	}
	return NULL;
}

static u8 *meta_of(const struct alloc_region *r, phys_addr_t pa)
{
	return &r->meta[2 * ((pa - r->base) >> PAGE_SHIFT)];
}

static void push_free(struct page_pool *pool, struct alloc_region *r,
		      phys_addr_t pa, unsigned int order, bool dirty)
{
	u8 *m = meta_of(r, pa);

	m[0] = META_HEAD | META_FREE | order;
	m[1] = dirty ? META_DIRTY : 0;
	list_add((struct list_head *)pa, &pool->free[order]);
	pool->nr_free[order]++;
}

static void pop_free(struct page_pool *pool, struct alloc_region *r,
		     phys_addr_t pa, unsigned int order)
{
	u8 *m = meta_of(r, pa);

	list_del((struct list_head *)pa);
	memset((void *)pa, 0, sizeof(struct list_head));
	pool->nr_free[order]--;
	m[0] = 0;
	m[1] = 0;
}

int alloc_add_region(struct page_pool *pool, phys_addr_t base, u64 size)
{
	phys_addr_t start = ALIGN_UP(base, PAGE_SIZE);
	phys_addr_t end = ALIGN_DOWN(base + size, PAGE_SIZE);
	struct alloc_region *r;
	u64 pages, meta_pages;

	if (pool->nr_regions == ALLOC_MAX_REGIONS)
		return -ENOSPC;
	if (end <= start || end - start < 2 * PAGE_SIZE)
		return -EINVAL;
	pages = (end - start) >> PAGE_SHIFT;
	/* meta_pages pages hold 2 bytes for each of the remaining pages. */
	meta_pages = (2 * pages + PAGE_SIZE + 1) / (PAGE_SIZE + 2);
	if (meta_pages >= pages)
		return -EINVAL;

	r = &pool->regions[pool->nr_regions++];
	r->meta = (u8 *)start;
	r->base = start + meta_pages * PAGE_SIZE;
	r->pages = pages - meta_pages;
	memset(r->meta, 0, 2 * r->pages);
	pool->total_pages += r->pages;
	pool->meta_bytes += meta_pages * PAGE_SIZE;

	/* Carve the range into the largest naturally aligned blocks. */
	for (phys_addr_t pa = r->base; pa < r->base + r->pages * PAGE_SIZE;) {
		phys_addr_t left = r->base + r->pages * PAGE_SIZE - pa;
		unsigned int order = ALLOC_MAX_ORDER;

		while (!IS_ALIGNED(pa, PAGE_SIZE << order) ||
		       (PAGE_SIZE << order) > left)
			order--;
		push_free(pool, r, pa, order, true);
		pa += PAGE_SIZE << order;
	}
	return 0;
}

void alloc_fail_nth(struct page_pool *pool, u64 n)
{
	pool->fail_at = n ? pool->alloc_calls + n : 0;
}

void *alloc_pages(struct page_pool *pool, unsigned int order,
		  enum alloc_owner owner)
{
	unsigned int o = order;
	struct alloc_region *r;
	phys_addr_t pa;
	bool dirty;

	pool->alloc_calls++;
	if (order > ALLOC_MAX_ORDER || (unsigned int)owner >= ALLOC_NR_OWNERS)
		return NULL;
	if (unlikely(pool->fail_at == pool->alloc_calls)) {
		pool->fail_at = 0;
		return NULL;
	}
	if (order == 0 && pool->nr_pcp) {
		struct list_head *e = pool->pcp.next;

		list_del(e);
		memset(e, 0, sizeof(*e));
		pool->nr_pcp--;
		r = region_of(pool, (phys_addr_t)e);
		meta_of(r, (phys_addr_t)e)[0] = META_HEAD;
		meta_of(r, (phys_addr_t)e)[1] = owner;
		pool->owned[owner]++;
		return e;
	}
	while (o <= ALLOC_MAX_ORDER && !pool->nr_free[o])
		o++;
	if (o > ALLOC_MAX_ORDER && pool->nr_pcp) {
		alloc_drain(pool);
		for (o = order; o <= ALLOC_MAX_ORDER && !pool->nr_free[o]; o++)
			;
	}
	if (o > ALLOC_MAX_ORDER)
		return NULL;

	pa = (phys_addr_t)pool->free[o].next;
	r = region_of(pool, pa);
	dirty = meta_of(r, pa)[1] & META_DIRTY;
	pop_free(pool, r, pa, o);
	/* Split: the upper halves go back on the lower free lists. */
	while (o > order) {
		o--;
		push_free(pool, r, pa + (PAGE_SIZE << o), o, dirty);
	}
	meta_of(r, pa)[0] = META_HEAD | order;
	meta_of(r, pa)[1] = owner;
	pool->owned[owner] += 1ULL << order;
	if (dirty)
		memset((void *)pa, 0, PAGE_SIZE << order);
	return (void *)pa;
}

static void buddy_free(struct page_pool *pool, struct alloc_region *r,
		       phys_addr_t pa, unsigned int order);

void alloc_drain(struct page_pool *pool)
{
	while (pool->nr_pcp) {
		struct list_head *e = pool->pcp.next;

		list_del(e);
		memset(e, 0, sizeof(*e));
		pool->nr_pcp--;
		buddy_free(pool, region_of(pool, (phys_addr_t)e),
			   (phys_addr_t)e, 0);
	}
}

void free_pages(struct page_pool *pool, void *addr, unsigned int order,
		enum alloc_owner owner)
{
	phys_addr_t pa = (phys_addr_t)addr;
	struct alloc_region *r = region_of(pool, pa);
	u8 *m;

	if (!r || order > ALLOC_MAX_ORDER ||
	    !IS_ALIGNED(pa, PAGE_SIZE << order))
		panic("free_pages(%p, order %u): not a block of this pool",
		      addr, order);
	m = meta_of(r, pa);
	if (m[0] != (META_HEAD | order) || m[1] != owner)
		panic("free_pages(%p, order %u, %s): block is meta %02x/%02x",
		      addr, order, alloc_owner_name(owner), m[0], m[1]);
	pool->owned[owner] -= 1ULL << order;
	memset(addr, 0, PAGE_SIZE << order);

	if (order == 0 && pool->nr_pcp < ALLOC_PCP_MAX) {
		m[0] = META_HEAD | META_FREE;
		m[1] = META_CACHED;
		list_add((struct list_head *)pa, &pool->pcp);
		pool->nr_pcp++;
		return;
	}
	buddy_free(pool, r, pa, order);
}

/* Put a clean free block on the buddy lists, merging it with free buddies
 * of the same order as far as possible. */
static void buddy_free(struct page_pool *pool, struct alloc_region *r,
		       phys_addr_t pa, unsigned int order)
{
	u8 *m = meta_of(r, pa);
	bool dirty = false;

	/* Coalesce with free buddies of the same order, as far as possible. */
	while (order < ALLOC_MAX_ORDER) {
		phys_addr_t buddy = pa ^ (PAGE_SIZE << order);
		u8 *bm;

		if (buddy < r->base ||
		    buddy - r->base >= r->pages * PAGE_SIZE)
			break;
		bm = meta_of(r, buddy);
		if (bm[0] != (META_HEAD | META_FREE | order) ||
		    (bm[1] & META_CACHED))
			break;
		dirty |= bm[1] & META_DIRTY;
		pop_free(pool, r, buddy, order);
		m[0] = m[1] = 0;
		pa &= ~(PAGE_SIZE << order);
		m = meta_of(r, pa);
		order++;
	}
	push_free(pool, r, pa, order, dirty);
}

void alloc_split(struct page_pool *pool, void *addr, unsigned int order,
		 unsigned int new_order, enum alloc_owner owner)
{
	phys_addr_t pa = (phys_addr_t)addr;
	struct alloc_region *r = region_of(pool, pa);
	u8 *m;

	if (!r || order > ALLOC_MAX_ORDER || new_order > order ||
	    !IS_ALIGNED(pa, PAGE_SIZE << order))
		panic("alloc_split(%p, order %u -> %u): bad arguments", addr,
		      order, new_order);
	m = meta_of(r, pa);
	if (m[0] != (META_HEAD | order) || m[1] != owner)
		panic("alloc_split(%p, order %u, %s): block is meta %02x/%02x",
		      addr, order, alloc_owner_name(owner), m[0], m[1]);
	/* Every part's first page becomes a head; tails stay 0. */
	for (u64 p = 0; p < (1ULL << order); p += 1ULL << new_order) {
		m = meta_of(r, pa + p * PAGE_SIZE);
		m[0] = META_HEAD | new_order;
		m[1] = owner;
	}
}

void alloc_set_owner(struct page_pool *pool, void *addr, unsigned int order,
		     enum alloc_owner from, enum alloc_owner to)
{
	phys_addr_t pa = (phys_addr_t)addr;
	struct alloc_region *r = region_of(pool, pa);
	u8 *m;

	if (!r || order > ALLOC_MAX_ORDER || to >= ALLOC_NR_OWNERS ||
	    !IS_ALIGNED(pa, PAGE_SIZE << order))
		panic("alloc_set_owner(%p, order %u): bad arguments", addr,
		      order);
	m = meta_of(r, pa);
	if (m[0] != (META_HEAD | order) || m[1] != from)
		panic("alloc_set_owner(%p, order %u, %s): block is meta "
		      "%02x/%02x",
		      addr, order, alloc_owner_name(from), m[0], m[1]);
	m[1] = to;
	pool->owned[from] -= 1ULL << order;
	pool->owned[to] += 1ULL << order;
}

int alloc_block_info(const struct page_pool *pool, const void *addr,
		     unsigned int *order, enum alloc_owner *owner)
{
	phys_addr_t pa = (phys_addr_t)addr;
	struct alloc_region *r = region_of(pool, pa);
	u8 *m;

	if (!r || !IS_ALIGNED(pa, PAGE_SIZE))
		return -ENOENT;
	m = meta_of(r, pa);
	if (!(m[0] & META_HEAD) || (m[0] & META_FREE))
		return -ENOENT;
	*order = m[0] & META_ORDER;
	*owner = m[1];
	return 0;
}

u64 alloc_free_pages(const struct page_pool *pool)
{
	u64 n = 0;

	for (int o = 0; o < ALLOC_NR_ORDERS; o++)
		n += pool->nr_free[o] << o;
	return n + pool->nr_pcp;
}

u64 alloc_owned_pages(const struct page_pool *pool, enum alloc_owner owner)
{
	return (unsigned int)owner < ALLOC_NR_OWNERS ? pool->owned[owner] : 0;
}

int alloc_check(const struct page_pool *pool)
{
	u64 owned = 0, free_blocks[ALLOC_NR_ORDERS] = { 0 };
	u64 free_pages_seen = 0, cached = 0, n = 0;
	u64 per_owner[ALLOC_NR_OWNERS] = { 0 };
	const struct list_head *e;

	for (int o = 0; o < ALLOC_NR_ORDERS; o++) {
		u64 n = 0;

		list_for_each(e, &pool->free[o]) {
			phys_addr_t pa = (phys_addr_t)e;
			struct alloc_region *r = region_of(pool, pa);
			u8 *m;

			CHECK(++n <= pool->total_pages,
			      "free list %d does not end", o);
			CHECK(r, "free list %d: %p outside the pool", o, e);
			CHECK(IS_ALIGNED(pa, PAGE_SIZE << o),
			      "free list %d: %p misaligned", o, e);
			CHECK(pa - r->base + (PAGE_SIZE << o) <=
				      r->pages * PAGE_SIZE,
			      "free list %d: %p runs past its region", o, e);
			CHECK(list_node_valid(e),
			      "free list %d: broken link at %p", o, e);
			m = meta_of(r, pa);
			CHECK(m[0] == (META_HEAD | META_FREE | o) &&
				      !(m[1] & META_CACHED),
			      "free list %d: %p has meta %02x/%02x", o, e,
			      m[0], m[1]);
		}
		CHECK(n == pool->nr_free[o],
		      "free list %d holds %llu blocks, counted %llu", o,
		      (unsigned long long)n,
		      (unsigned long long)pool->nr_free[o]);
	}
	list_for_each(e, &pool->pcp) {
		struct alloc_region *r = region_of(pool, (phys_addr_t)e);

		CHECK(++n <= pool->total_pages, "page cache list does not end");
		CHECK(r, "page cache: %p outside the pool", e);
		CHECK(IS_ALIGNED((phys_addr_t)e, PAGE_SIZE),
		      "page cache: %p misaligned", e);
		CHECK(list_node_valid(e), "page cache: broken link at %p", e);
		CHECK(meta_of(r, (phys_addr_t)e)[1] & META_CACHED,
		      "page cache: %p is not marked cached", e);
	}
	CHECK(n == pool->nr_pcp, "page cache holds %llu pages, counted %llu",
	      (unsigned long long)n, (unsigned long long)pool->nr_pcp);
	for (int i = 0; i < ALLOC_NR_OWNERS; i++)
		owned += pool->owned[i];

	/* Walk every region block by block. */
	for (unsigned int i = 0; i < pool->nr_regions; i++) {
		const struct alloc_region *r = &pool->regions[i];

		for (u64 p = 0; p < r->pages;) {
			const u8 *m = &r->meta[2 * p];
			unsigned int o = m[0] & META_ORDER;
			phys_addr_t pa = r->base + p * PAGE_SIZE;

			CHECK(m[0] & META_HEAD, "page %p is in no block",
			      (void *)pa);
			CHECK(o <= ALLOC_MAX_ORDER && p + (1ULL << o) <= r->pages,
			      "block %p has bad order %u", (void *)pa, o);
			for (u64 t = 1; t < (1ULL << o); t++)
				CHECK(r->meta[2 * (p + t)] == 0,
				      "tail page %llu of block %p is marked",
				      (unsigned long long)t, (void *)pa);
			if ((m[0] & META_FREE) && (m[1] & META_CACHED)) {
				CHECK(o == 0, "cached block %p has order %u",
				      (void *)pa, o);
				cached++;
			} else if (m[0] & META_FREE) {
				phys_addr_t buddy = pa ^ (PAGE_SIZE << o);

				free_blocks[o]++;
				free_pages_seen += 1ULL << o;
				if (o < ALLOC_MAX_ORDER && buddy >= r->base &&
				    buddy - r->base < r->pages * PAGE_SIZE)
					CHECK(meta_of(r, buddy)[0] !=
							      (META_HEAD | META_FREE |
							       o) ||
						      (meta_of(r, buddy)[1] &
						       META_CACHED),
					      "free buddies %p and %p of order "
					      "%u not coalesced",
					      (void *)pa, (void *)buddy, o);
			} else {
				CHECK(m[1] < ALLOC_NR_OWNERS,
				      "block %p has bad owner %u", (void *)pa,
				      m[1]);
				per_owner[m[1]] += 1ULL << o;
			}
			p += 1ULL << o;
		}
	}
	for (int o = 0; o < ALLOC_NR_ORDERS; o++)
		CHECK(free_blocks[o] == pool->nr_free[o],
		      "order %d: %llu free heads but %llu listed", o,
		      (unsigned long long)free_blocks[o],
		      (unsigned long long)pool->nr_free[o]);
	for (int i = 0; i < ALLOC_NR_OWNERS; i++)
		CHECK(per_owner[i] == pool->owned[i],
		      "owner %s accounts %llu pages, its blocks hold %llu",
		      alloc_owner_name(i),
		      (unsigned long long)pool->owned[i],
		      (unsigned long long)per_owner[i]);
	CHECK(cached == pool->nr_pcp, "%llu cached pages, %llu counted",
	      (unsigned long long)cached, (unsigned long long)pool->nr_pcp);
	CHECK(free_pages_seen + cached + owned == pool->total_pages,
	      "%llu free + %llu owned != %llu pages",
	      (unsigned long long)free_pages_seen, (unsigned long long)owned,
	      (unsigned long long)pool->total_pages);
	return 0;
}
