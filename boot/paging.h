/* SPDX-License-Identifier: MIT */
/*
 * boot/paging.h - the payload's own 4-level page tables. Owns the table
 * tree (pages from hv_pool, owner OWN_PGTABLE) and keeps the TLB in step
 * with it once it is live.
 *
 * Mappings use the largest page (1 GiB where the CPU has it, 2 MiB, 4 KiB)
 * that the alignment of va, pa and the size allow; changing part of a
 * large page splits it, keeping the rest as it was.
 */
#ifndef GMV_BOOT_PAGING_H
#define GMV_BOOT_PAGING_H

#include "lib/types.h"

#define PTE_P BIT(0)
#define PTE_W BIT(1)
#define PTE_US BIT(2)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_A BIT(5)
#define PTE_D BIT(6)
#define PTE_PS BIT(7)
#define PTE_NX BIT(63)
#define PTE_ADDR 0x000ffffffffff000ULL

/* Leaf permissions: read-only data, read-write data, code, uncached MMIO. */
#define PG_RO (PTE_P | PTE_NX)
#define PG_RW (PTE_P | PTE_W | PTE_NX)
#define PG_RX (PTE_P)
#define PG_MMIO (PTE_P | PTE_W | PTE_NX | PTE_PCD | PTE_PWT)

#define PG_SIZE_1G (1ULL << 30)
#define PG_SIZE_2M (1ULL << 21)

/* Start an empty tree. Returns 0 or -ENOMEM. */
int paging_init(void);

/*
 * Map [va, va + size) to [pa, pa + size) with leaf flags (PG_* or PTE_*
 * bits from P, W, PWT, PCD, NX). Everything must be page-aligned and va
 * canonical. Returns 0, -EINVAL for bad arguments (nothing changed) or
 * -ENOMEM when out of table pages (part of the range may be mapped).
 */
int paging_map(u64 va, u64 pa, u64 size, u64 flags);
/* Remove [va, va + size); unmapped parts are skipped. Same errors. */
int paging_unmap(u64 va, u64 size);

/*
 * Translate va: the physical address, the leaf's flags and the size of
 * the page it lies in. Returns 0 or -ENOENT when va is not mapped.
 */
int paging_lookup(u64 va, u64 *pa, u64 *flags, u64 *page_size);

/* Call fn for every leaf, in address order. */
void paging_walk(void (*fn)(void *ctx, u64 va, u64 pa, u64 size, u64 flags),
		 void *ctx);

/* Load the tree into CR3; from then on changes flush the TLB. */
void paging_activate(void);

/* Table pages in use. */
u64 paging_table_pages(void);

#endif
