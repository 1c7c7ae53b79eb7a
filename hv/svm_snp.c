// SPDX-License-Identifier: MIT
/*
 * hv/svm_snp.c - what SVM's exits say about SEV-SNP (hv/svm/svm.h
 * svm_snp_decode_npf()): the SNP bits of a nested page fault's error code
 * (AMD APM vol. 2 §15.36.10, "RMP and VMPL Access Checks"; Linux's
 * PFERR_GUEST_* masks): the RMP check failed (bit 31), the access was
 * private (C-bit set, bit 34), the RMP and nested page sizes differ
 * (bit 35). Only a CPU with SNP sets them; under QEMU the SNP model keeps
 * the C-bit in the GPA instead (hv/cc.h alias_bit), and VMGEXIT
 * arrives as VMMCALL (svm_exit.c decodes both exit codes alike).
 *
 * What an SNP guest needs from SVM on SNP hardware (SEV-SNP enabled in the
 * VMCB, a VMSA per vCPU) starts with the PSP firmware's launch, which
 * gmemvisor does not drive (hv/snp/snp_cc.c snp_hw_guest_lacks()).
 */
#include "hv/svm/svm.h"
#include "hv/snp/snp.h"

void svm_snp_decode_npf(u64 info, struct arch_fault *f)
{
	f->rmp = info & SVM_NPF_RMP;
	f->private = info & SVM_NPF_ENC;
	f->size_mismatch = info & SVM_NPF_SIZEM;
}

/*
 * May the hypervisor write the page at pa on the guest's behalf (an
 * exception frame it delivers by hand)? Not where the RMP assigns it: on
 * hardware only the CPU, acting as the guest, writes a guest-owned page,
 * and the hypervisor's own write faults (APM vol. 2 Table 15-39, the
 * host-write guard of hv/snp/rmp.h).
 */
bool svm_snp_host_may_write(phys_addr_t pa)
{
	struct rmp *r = snp_rmp();
	struct rmp_info i;

	if (!r || pa < r->base || pa - r->base >= r->size)
		return true;
	return !rmpread(r, pa & ~0xfffULL, &i) && !i.assigned;
}
