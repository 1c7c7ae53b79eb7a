/* SPDX-License-Identifier: MIT */
/*
 * hv/svm/svm_cpu.h - the physical CPU side of SVM: whether this CPU offers
 * SVM with nested paging, turning it on (EFER.SVME, the host save area),
 * and the world switch into a guest (hv/svm/svm_vmrun.asm). Owns the per-CPU
 * host state pages. The payload runs the hypervisor on one CPU.
 *
 * In the host build (a Linux process) there is no SVM: svm_cpu_lacks()
 * says so and vCPUs are refused before any of the rest is reached.
 */
#ifndef GMV_HV_SVM_SVM_CPU_H
#define GMV_HV_SVM_SVM_CPU_H

#include "lib/types.h"

/*
 * The guest's general registers that the VMCB does not hold (VMRUN saves
 * and loads RAX and RSP in the state-save area). hv/svm/svm_vmrun.asm uses
 * these offsets.
 */
struct svm_gprs {
	u64 rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

_Static_assert(__builtin_offsetof(struct svm_gprs, rbx) == 0, "asm");
_Static_assert(__builtin_offsetof(struct svm_gprs, rdx) == 16, "asm");
_Static_assert(__builtin_offsetof(struct svm_gprs, rbp) == 40, "asm");
_Static_assert(__builtin_offsetof(struct svm_gprs, r8) == 48, "asm");
_Static_assert(__builtin_offsetof(struct svm_gprs, r15) == 104, "asm");

/* NULL when this CPU can run SVM guests with nested paging, else why not
 * (for a SKIP line). */
const char *svm_cpu_lacks(void);

/* Number of ASIDs (CPUID 8000_000A EBX); ASIDs 1 .. n-1 are usable. */
u32 svm_cpu_nasid(void);

/*
 * The optional SVM features the backend uses, as CPUID 8000_000A EDX has
 * them (APM vol. 3 appendix E.4.9; what each one does: APM vol. 2 §15.7.1
 * NRIPS, §15.15 VMCB clean bits, §15.16.1 FlushByAsid, §15.8.4 decode
 * assists). QEMU's TCG offers none of them; Bochs's AMD models offer
 * NRIPS and FlushByAsid only.
 */
#define SVM_FEAT_NRIPS BIT(3) /* next_rip on instruction intercepts */
#define SVM_FEAT_VMCB_CLEAN BIT(5) /* VMCB clean bits */
#define SVM_FEAT_FLUSH_BY_ASID BIT(6) /* TLB_CONTROL 3 and 7 */
#define SVM_FEAT_DECODE_ASSISTS BIT(7) /* guest bytes on #NPF and #PF */
#define SVM_FEAT_USED                                                    \
	(SVM_FEAT_NRIPS | SVM_FEAT_VMCB_CLEAN | SVM_FEAT_FLUSH_BY_ASID | \
	 SVM_FEAT_DECODE_ASSISTS)

/* This CPU's SVM_FEAT_* bits (0 in the host build). */
u32 svm_cpu_features(void);

/* Set EFER.SVME and VM_HSAVE_PA on this CPU (once; later calls return at
 * once). 0, or -ENODEV when svm_cpu_lacks() names a reason. */
int svm_cpu_enable(void);

/*
 * One world switch: VMSAVE the host's extra state, VMLOAD the guest's,
 * VMRUN the VMCB at vmcb_pa with the guest registers in *g, then save the
 * guest's registers and extra state back and restore the host's. Runs with
 * GIF clear from before VMLOAD until the host state is back. Called with
 * host interrupts disabled; they are enabled across VMRUN only, and one
 * that ended the guest's run is taken by the host at STGI, before return.
 */
void svm_vmrun(phys_addr_t vmcb_pa, struct svm_gprs *g,
	       phys_addr_t host_save_pa);

/* The page svm_vmrun() keeps the host's VMSAVE state in. */
phys_addr_t svm_cpu_host_save_pa(void);

#endif
