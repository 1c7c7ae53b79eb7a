// SPDX-License-Identifier: MIT
/* hv/arch_npt.c - a backend's table operations over hv/npt.c (hv/arch_npt.h).
 */
#include "hv/arch_npt.h"
#include "lib/errno.h"

int arch_npt_map(struct npt *npt, u64 gpa, phys_addr_t hpa, unsigned int order,
		 bool writable)
{
	u64 size = PAGE_SIZE << order;
	u64 gpa_base = ALIGN_DOWN(gpa, size);
	phys_addr_t hpa_base = hpa - (ALIGN_DOWN(gpa, PAGE_SIZE) - gpa_base);
	unsigned int prot = NPT_PROT_R | NPT_PROT_X;
	int ret;

	if (order > NPT_ORDER_1G || !IS_ALIGNED(hpa, PAGE_SIZE) ||
	    !IS_ALIGNED(hpa_base, size))
		return -EINVAL;
	if (writable)
		prot |= NPT_PROT_W;
	ret = npt_map(npt, gpa_base, hpa_base, size, prot, order);
	/* A map that merged a table into a huge leaf owes a flush. */
	npt_flush(npt);
	return ret;
}

void arch_npt_zap(struct npt *npt, u64 gpa, u64 size)
{
	/* Memslots reach 2^52, the table only its input width: nothing is
	 * mapped above it, and a range that crosses it must still drop what
	 * lies below (npt_zap_wide() refuses the whole range otherwise). */
	u64 limit = BIT(npt->fmt->va_bits);
	u64 start = ALIGN_DOWN(gpa, PAGE_SIZE);
	u64 end = MIN(ALIGN_UP(gpa + size, PAGE_SIZE), limit);

	if (end <= start)
		return;
	/* The wide form needs no memory, so an invalidation cannot fail;
	 * whatever it removes beyond the range faults back in. */
	npt_zap_wide(npt, start, end - start);
}
