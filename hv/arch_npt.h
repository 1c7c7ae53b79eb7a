/* SPDX-License-Identifier: MIT */
/*
 * hv/arch_npt.h - the second-level table of a backend that keeps it as a
 * struct npt (hv/npt.h): SVM's NPT, the host tests' scripted backend, and
 * VMX's EPT (npt_format_ept). Owns nothing: these are the three
 * arch_ops table operations (hv/arch.h) written once over the engine.
 */
#ifndef GMV_HV_ARCH_NPT_H
#define GMV_HV_ARCH_NPT_H

#include "hv/arch.h"
#include "hv/npt.h"
#include "lib/errno.h"

/*
 * Map the naturally aligned block of 4 KiB << order bytes around gpa to
 * the same block around hpa, the page backing gpa's page (the caller
 * vouches that the block is contiguous and uniform), read and execute,
 * writable if asked. Flushes if the engine merged entries into a huge
 * leaf. 0, -EINVAL or -ENOMEM.
 */
int arch_npt_map(struct npt *npt, u64 gpa, phys_addr_t hpa, unsigned int order,
		 bool writable);

/*
 * Drop the translations of [gpa, gpa + size); a huge leaf straddling an
 * edge goes whole (it faults back in). Needs no memory, so it cannot
 * fail. The flush this owes is left for npt_flush().
 */
void arch_npt_zap(struct npt *npt, u64 gpa, u64 size);

/* The translation of gpa: 0 or -ENOENT. Inline: the exit policy's
 * guest walk looks up several GPAs at every exit it decodes. */
static inline int arch_npt_lookup(const struct npt *npt, u64 gpa,
				  struct arch_xlate *x)
{
	struct npt_xlate nx;

	/* Beyond the table's width (-EINVAL) nothing is mapped either. */
	if (npt_lookup(npt, gpa, &nx))
		return -ENOENT;
	x->hpa = nx.hpa;
	x->order = __builtin_ctzll(nx.size) - PAGE_SHIFT;
	x->writable = nx.prot & NPT_PROT_W;
	return 0;
}

#endif
