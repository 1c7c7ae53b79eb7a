/* SPDX-License-Identifier: MIT */
/*
 * hv/gmem_int.h - the layout of gmem memories, views and chunks, shared by
 * the gmem files only (gmem.c, gmem_convert.c, gmem_check.c).
 */
#ifndef GMV_HV_GMEM_INT_H
#define GMV_HV_GMEM_INT_H

#include "hv/cc.h"
#include "hv/gmem.h"
#include "hv/base/list.h"
#include "hv/base/ranges.h"
#include "hv/base/xmap.h"

#define CHUNK_ORDER 9
#define CHUNK_PAGES (1U << CHUNK_ORDER)
#define CHUNK_WORDS (CHUNK_PAGES / 64)

/*
 * 2 MiB of a memory. Page i is backed iff bit i of 'present' is set, and
 * prepared for private use by the security model iff bit i of 'prepared'
 * is (a subset of present, of private pages; Linux's folio "uptodate"); its
 * address is map[i] when a map exists and map[i] != 0, else block + i
 * pages. Three shapes:
 *  - huge: 'block' is one order-9 block, all 512 pages present, no map;
 *  - split: 'block' was split into order-0 blocks (a punch took some
 *    pages out); pages refilled later live in 'map';
 *  - small: no block, every present page is an order-0 block in 'map'.
 * A chunk with no present page is freed at once.
 */
struct gmem_chunk {
	phys_addr_t block;
	phys_addr_t *map; /* CHUNK_PAGES entries, or NULL */
	u64 present[CHUNK_WORDS];
	u64 prepared[CHUNK_WORDS];
	u16 nr_present;
	bool split;
};

struct gmem_mem {
	u64 size; /* bytes */
	u64 flags;
	const struct cc_ops *cc; /* the creating VM's security model */
	struct xmap chunks; /* chunk index -> struct gmem_chunk */
	struct ranges shared; /* page indices the host may access */
	struct xmap pins; /* page index -> pin count, as a pointer */
	u64 pages; /* backing pages held */
	u64 nr_chunks, nr_maps;
	struct list_head views; /* of struct gmem_view, through node */
	u32 nr_views;
	struct list_head node; /* on gmem_all_mems */
	/* A golden image (gmem_seal): nobody writes, allocates or punches
	 * its pages any more; it is read through overlays only. */
	bool sealed;
	/* An overlay (gmem_overlay): its own view of the golden image it
	 * falls back to where it has no page of its own. */
	struct gmem_view *lower;
	/* Rebinding policies (GMEM_POLICY_FLAGS): the id of the VM that
	 * bound the memory last (gmem_owner_ops.id), 0 for none yet. */
	u64 tenant;
};

struct gmem_view {
	struct gmem_mem *mem;
	void *owner; /* the struct vm that owns the view */
	const struct gmem_owner_ops *ops;
	struct ranges bindings; /* page ranges -> struct gmem_binding */
	struct list_head node; /* on its memory's views */
	/* The overlay whose lower view this is (it binds nothing), else
	 * NULL. */
	struct gmem_mem *upper;
};

/* Every live memory. */
extern struct list_head gmem_all_mems;

static inline u64 gmem_npages(const struct gmem_mem *m)
{
	return m->size >> PAGE_SHIFT;
}

static inline bool chunk_has(const struct gmem_chunk *c, unsigned int i)
{
	return c->present[i / 64] & BIT(i % 64);
}

static inline bool chunk_is_huge(const struct gmem_chunk *c)
{
	return c->block && !c->split;
}

/* Address of page i of the chunk, which must be present. */
static inline phys_addr_t chunk_page(const struct gmem_chunk *c, unsigned int i)
{
	if (c->map && c->map[i])
		return c->map[i];
	return c->block + (phys_addr_t)i * PAGE_SIZE;
}

static inline bool chunk_prepared(const struct gmem_chunk *c, unsigned int i)
{
	return c->prepared[i / 64] & BIT(i % 64);
}

/* Forget that pages [first, last] of the chunk were prepared. */
void chunk_unprepare(struct gmem_chunk *c, unsigned int first,
		     unsigned int last);

/* Zap [start, end) (page indices) in every VM with a binding over it, then
 * flush each such VM once. */
void gmem_invalidate(struct gmem_mem *m, u64 start, u64 end);

/* The page at index if it is backed (no allocation): true with *pa. */
bool gmem_page_at(const struct gmem_mem *m, u64 index, phys_addr_t *pa);

/* The view whose VM's model state the pages carry: the tenant's view
 * when the memory has a rebinding policy and a tenant with a view left,
 * else the first view. */
const struct gmem_view *gmem_model_view(const struct gmem_mem *m);

#endif
