/* SPDX-License-Identifier: MIT */
/*
 * boot/paging.h - the payload's own page tables: one hv/npt.h table in
 * npt_format_host (supervisor-only, lower canonical half), pages from
 * hv_pool. Owns that table, the largest page it may use (1 GiB only with
 * CPUID Page1GB, else 2 MiB) and keeping the TLB in step with it once it
 * is live.
 *
 * Rights and memory type are hv/npt.h prot values (NPT_PROT_R, _W, _X,
 * NPT_PROT_UC). Every change is all or nothing, as hv/npt.h promises.
 */
#ifndef GMV_BOOT_PAGING_H
#define GMV_BOOT_PAGING_H

#include "hv/npt.h"
#include "lib/types.h"

/* Start an empty table. Returns 0 or -ENOMEM. */
int paging_init(void);

/*
 * Map [va, va + size) to [pa, pa + size) with prot, replacing what was
 * there, with the largest pages the alignment of va, pa and size allows.
 * Returns 0, -EINVAL (unaligned or zero size, va beyond the lower half,
 * pa beyond 52 bits, prot the format cannot express) or -ENOMEM; on error
 * nothing changed.
 */
int paging_map(u64 va, u64 pa, u64 size, unsigned int prot);
/*
 * As paging_map(), but with 4 KiB leaves only: huge leaves over the range
 * are split and none is made or merged, so that a later paging_protect()
 * of any of its pages needs no memory.
 */
int paging_map_4k(u64 va, u64 pa, u64 size, unsigned int prot);
/*
 * Give the mapped pages of [va, va + size) the rights and memory type
 * prot (unmapped pages stay unmapped); tables that become uniform merge
 * back into huge leaves. Same errors as paging_map(); -ENOMEM only where
 * a huge leaf covers the range in part.
 */
int paging_protect(u64 va, u64 size, unsigned int prot);
/* Remove [va, va + size); unmapped parts are skipped. Same errors. */
int paging_unmap(u64 va, u64 size);

/*
 * The table, for npt_lookup(), npt_for_each_leaf(), npt_check() and its
 * statistics. Change it only through paging_map() and paging_unmap(),
 * which flush the TLB.
 */
struct npt *paging_tables(void);

/* Load the table into CR3; from then on changes flush the TLB. */
void paging_activate(void);

#endif
