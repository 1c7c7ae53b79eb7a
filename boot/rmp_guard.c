// SPDX-License-Identifier: MIT
/* boot/rmp_guard.c - the RMP host-write guard in the payload (see
 * boot/rmp_guard.h). */
#include "boot/rmp_guard.h"
#include "boot/idt.h"
#include "boot/paging.h"
#include "hv/snp/snp.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/fmt.h"

/* Pool pages are identity-mapped, write-back, no-execute
 * (boot/addrspace.c). */
#define PROT_RO NPT_PROT_R
#define PROT_RW (NPT_PROT_R | NPT_PROT_W)

void plat_rmp_guard(phys_addr_t pa, u64 size, bool writable)
{
	/* Refusing maps 4 KiB leaves, so allowing again needs no memory
	 * and cannot fail; it merges the leaves back where it can. */
	int ret = writable ? paging_protect(pa, size, PROT_RW)
			   : paging_map_4k(pa, pa, size, PROT_RO);

	if (ret)
		kprintf("# rmp guard: cannot %s host writes to [%#llx, "
			"%#llx): %s\n",
			writable ? "allow" : "refuse", (unsigned long long)pa,
			(unsigned long long)(pa + size), errno_name(ret));
}

/* The physical address behind va in the payload's tables, or ~0. */
static u64 pa_of(u64 va)
{
	struct npt_xlate x;

	return npt_lookup(paging_tables(), va, &x) ? ~0ULL : x.hpa;
}

static bool entry_of(u64 va, struct rmp_info *i)
{
	struct rmp *r = snp_rmp();
	u64 pa = pa_of(va);

	return r && pa != ~0ULL &&
	       rmpread(r, ALIGN_DOWN(pa, PAGE_SIZE), i) == RMP_SUCCESS;
}

bool rmp_guard_fault(u64 va, u64 error_code)
{
	struct rmp_info i;

	return (error_code & (PF_P | PF_W)) == (PF_P | PF_W) &&
	       entry_of(va, &i) && i.assigned;
}

int rmp_guard_describe(u64 va, char *buf, size_t n)
{
	struct rmp_info i;
	int len = gmv_snprintf(buf, n,
			       "RMP violation: host write to VA %#llx (PA "
			       "%#llx): RMP entry ",
			       (unsigned long long)va,
			       (unsigned long long)pa_of(va));

	if ((size_t)len >= n)
		return len;
	if (!entry_of(va, &i))
		return len + gmv_snprintf(buf + len, n - len, "unreadable");
	return len + gmv_snprintf(buf + len, n - len,
				  "assigned %d asid %u gpa %#llx size %s "
				  "validated %d immutable %d vmsa %d",
				  i.assigned, i.asid, (unsigned long long)i.gpa,
				  i.size_2m ? "2M" : "4K", i.validated,
				  i.immutable, i.vmsa);
}
