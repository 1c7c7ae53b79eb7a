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

void svm_snp_decode_npf(u64 info, struct arch_fault *f)
{
	f->rmp = info & SVM_NPF_RMP;
	f->private = info & SVM_NPF_ENC;
	f->size_mismatch = info & SVM_NPF_SIZEM;
}
