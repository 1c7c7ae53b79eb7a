/* SPDX-License-Identifier: MIT */
/*
 * hv/alloc.h - the buddy page allocator. Owns every page of the
 * hypervisor's memory pool: which pages are free, the order of each block,
 * and which owner holds each allocated block.
 *
 * Blocks are 2^order pages, order 0 (4 KiB) to ALLOC_MAX_ORDER (1 GiB), and
 * are aligned to their own size in physical memory. A pool is made of up to
 * ALLOC_MAX_REGIONS regions; each region keeps its metadata (two bytes per
 * page) in its own first pages, so the pool needs no other memory.
 *
 * Zeroing: pages are zeroed when they are freed ("scrub on free"), so data a
 * guest leaves behind does not linger in free memory, and allocation only
 * clears the 16-byte free-list link it kept in the block's first page.
 * Every block handed out is therefore entirely zero.
 *
 * Not thread-safe: the payload runs the hypervisor on one CPU.
 */
#ifndef GMV_HV_ALLOC_H
#define GMV_HV_ALLOC_H

#include "hv/base/list.h"
#include "lib/types.h"

#define ALLOC_MAX_ORDER 18 /* 2^18 pages = 1 GiB */
#define ALLOC_NR_ORDERS (ALLOC_MAX_ORDER + 1)
#define ALLOC_MAX_REGIONS 16
/* Freed single pages wait on a small LIFO cache, uncoalesced, so that a
 * hot alloc/free cycle does not split and merge a large block each time
 * (the idea of Linux's per-CPU page lists). */
#define ALLOC_PCP_MAX 64

enum alloc_owner {
	OWN_MISC,
	OWN_GMEM,     /* guest_memfd backing pages */
	OWN_PGTABLE,  /* nested and host page tables */
	OWN_RMP,      /* the RMP (model or hardware table) */
	OWN_TDX,      /* TDX module model state */
	OWN_VM,       /* VM and vCPU state: VMCBs, save areas, IOPM */
	OWN_GUEST,    /* test guest images */
	OWN_TEST,     /* pages held by tests */
	OWN_KMALLOC,  /* hv/base/kmalloc.c: slabs and large objects */
	/* Pages a security model could not take back from its guest (an
	 * RMP entry still assigned): never freed again, as Linux's
	 * snp_leak_pages() keeps them. */
	OWN_LEAKED,
	ALLOC_NR_OWNERS
};

struct alloc_region {
	phys_addr_t base; /* first managed page (after the metadata) */
	u64 pages;	  /* managed pages */
	u8 *meta;	  /* two bytes per managed page, see alloc.c */
};

struct page_pool {
	struct alloc_region regions[ALLOC_MAX_REGIONS];
	unsigned int nr_regions;
	struct list_head free[ALLOC_NR_ORDERS];
	u64 nr_free[ALLOC_NR_ORDERS];	   /* blocks on each free list */
	struct list_head pcp;		   /* cached free single pages */
	u64 nr_pcp;
	u64 owned[ALLOC_NR_OWNERS];	   /* pages held by each owner */
	u64 total_pages;		   /* managed pages in all regions */
	u64 meta_bytes;			   /* bytes spent on metadata */
	u64 alloc_calls;		   /* allocations attempted so far */
	u64 fail_at;			   /* fault injection, 0 = off */
};

/* The pool the hypervisor uses; set up by the platform at start. */
extern struct page_pool *hv_pool;

void alloc_pool_init(struct page_pool *pool);

/*
 * Hand [base, base + size) to the pool. The range is trimmed to whole pages;
 * the metadata is carved from its start. Returns 0, -EINVAL for a range too
 * small to hold anything, or -ENOSPC when all region slots are used.
 */
int alloc_add_region(struct page_pool *pool, phys_addr_t base, u64 size);

/* A zeroed block of 2^order pages, or NULL (exhausted, bad order, bad owner
 * or an injected failure). */
void *alloc_pages(struct page_pool *pool, unsigned int order,
		  enum alloc_owner owner);
/* Return a block. order and owner must match the allocation; a mismatch,
 * a double free or an address the pool does not manage panics. */
void free_pages(struct page_pool *pool, void *addr, unsigned int order,
		enum alloc_owner owner);

/*
 * Split an allocated block of 2^order pages in place into allocated blocks
 * of 2^new_order pages each, all with the same owner; the owner's page
 * count is unchanged. Each part is afterwards freed on its own (so a 2 MiB
 * gmem chunk can give back just the pages punched out of it). Misuse (not
 * a block of that order and owner, new_order > order) panics like
 * free_pages().
 */
void alloc_split(struct page_pool *pool, void *addr, unsigned int order,
		 unsigned int new_order, enum alloc_owner owner);

/* Hand an allocated block from owner 'from' to owner 'to' (the page
 * counts follow). Misuse panics like free_pages(). */
void alloc_set_owner(struct page_pool *pool, void *addr, unsigned int order,
		     enum alloc_owner from, enum alloc_owner to);

/* If addr starts an allocated block: 0, and its order and owner; else
 * -ENOENT (free, inside a block, or not in the pool). */
int alloc_block_info(const struct page_pool *pool, const void *addr,
		     unsigned int *order, enum alloc_owner *owner);

static inline void *alloc_page(struct page_pool *pool, enum alloc_owner owner)
{
	return alloc_pages(pool, 0, owner);
}

static inline void free_page(struct page_pool *pool, void *addr,
			     enum alloc_owner owner)
{
	free_pages(pool, addr, 0, owner);
}

/* Fault injection: the n-th allocation from now fails (n >= 1); 0 turns
 * injection off. Fires once. */
void alloc_fail_nth(struct page_pool *pool, u64 n);

/* Free pages, cached ones included. */
u64 alloc_free_pages(const struct page_pool *pool);
/* Give the cached single pages back to the buddy lists. */
void alloc_drain(struct page_pool *pool);
u64 alloc_owned_pages(const struct page_pool *pool, enum alloc_owner owner);
const char *alloc_owner_name(enum alloc_owner owner);

/*
 * Full consistency check: every free-list entry is a free block head of its
 * order inside the pool and aligned; no two free buddies of one order remain
 * uncoalesced (cached single pages excepted); free and owned page counts
 * add up to the pool, per owner too. Returns 0 or
 * -EIO after printing the first problem found.
 */
int alloc_check(const struct page_pool *pool);

#endif
