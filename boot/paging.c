// SPDX-License-Identifier: MIT
/*
 * boot/paging.c - the payload's page tables over hv/npt.h (see
 * boot/paging.h). The engine says when a change owes a flush; the flush
 * drops the changed range with invlpg, or the whole TLB with a CR3 reload
 * when the range is long. Widening rights owes one too (npt_ops
 * .flush_widen): the payload has no path for the spurious #PF a stale,
 * narrower TLB entry may raise (Intel SDM vol. 3A, "Optional
 * Invalidation").
 */
#include "boot/paging.h"
#include "boot/cpu.h"
#include "hv/alloc.h"

/* A longer change is flushed whole, with one CR3 reload, rather than by
 * an invlpg per page. */
#define INVLPG_MAX_PAGES 32

/* The range the change in progress touches: what a flush must drop. */
struct change {
	u64 va, size;
};

static struct npt tables;
static struct change change;
static unsigned int max_order;
static bool live;

/*
 * npt_ops.flush. invlpg of an address drops its translation whatever the
 * page size, and the paging-structure entries cached for its walk (Intel
 * SDM vol. 3A, "Operations that Invalidate TLBs and Paging-Structure
 * Caches"), so the tables a change freed, all on walks of the range, go
 * too. A leaf that straddles the range is dropped by any address in it.
 */
static void flush_tlb(struct npt *npt)
{
	const struct change *c = npt->ctx;

	if (!live)
		return;
	if (c->size > INVLPG_MAX_PAGES * PAGE_SIZE) {
		write_cr3(read_cr3());
		return;
	}
	for (u64 off = 0; off < c->size; off += PAGE_SIZE)
		invlpg(c->va + off);
}

static const struct npt_ops flush_ops = {
	.flush = flush_tlb,
	.flush_widen = true,
};

int paging_init(void)
{
	max_order = cpu_has_page1gb() ? NPT_ORDER_1G : NPT_ORDER_2M;
	return npt_init(&tables, &npt_format_host, hv_pool, &flush_ops,
			&change);
}

int paging_map(u64 va, u64 pa, u64 size, unsigned int prot)
{
	int ret;

	change = (struct change){ va, size };
	ret = npt_map(&tables, va, pa, size, prot, max_order);
	npt_flush(&tables);
	return ret;
}

int paging_map_4k(u64 va, u64 pa, u64 size, unsigned int prot)
{
	int ret;

	change = (struct change){ va, size };
	ret = npt_map(&tables, va, pa, size, prot, NPT_ORDER_4K);
	npt_flush(&tables);
	return ret;
}

int paging_protect(u64 va, u64 size, unsigned int prot)
{
	int ret;

	change = (struct change){ va, size };
	ret = npt_protect(&tables, va, size, prot, max_order);
	npt_flush(&tables);
	return ret;
}

int paging_unmap(u64 va, u64 size)
{
	int ret;

	change = (struct change){ va, size };
	ret = npt_zap(&tables, va, size);
	npt_flush(&tables);
	return ret;
}

struct npt *paging_tables(void)
{
	return &tables;
}

void paging_activate(void)
{
	u64 cr4 = read_cr4();

	write_cr3(npt_root_pa(&tables));
	/* Toggling PGE also drops the firmware's global translations. */
	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	}
	live = true;
}
