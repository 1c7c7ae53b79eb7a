/* SPDX-License-Identifier: MIT */
/*
 * hv/vcpu.h - vCPUs of the native backend (KVM_CREATE_VCPU, KVM_RUN and
 * the register calls of hv/vmm.h). Owns each VM's vCPU state: the SVM VM
 * (nested page table, permission maps) made with the first vCPU, and the
 * vCPUs themselves. It sits beside hv/vm.c: the run loop resolves nested
 * faults through vm_fault() and maps the answer into the NPT (hv/svm/svm.h),
 * and the VM's invalidations reach the NPT through its vm_mmu_ops.
 *
 * Private or shared: on a VM with private memory (SW_PROTECTED) an access
 * is private exactly when its gfn has the PRIVATE attribute, which is how
 * KVM treats software-protected VMs (kvm_mmu_page_fault() sets
 * PFERR_PRIVATE_ACCESS from kvm_mem_is_private()). The guest therefore
 * has no way to say "private" itself: it asks for a conversion with
 * KVM_HC_MAP_GPA_RANGE and the case changes the attribute. The
 * memory-fault exits a guest meets are those vm_fault() reports for such
 * an access: a private gfn outside a gmem slot, or a gmem page whose
 * shareability disagrees with the attribute (in-place conversion).
 *
 * Lifetime, like KVM: a vCPU handle holds a reference on its VM; the vCPUs
 * themselves are freed with the VM.
 */
#ifndef GMV_HV_VCPU_H
#define GMV_HV_VCPU_H

#include "hv/npt.h"
#include "hv/vmm.h"

struct vm;
struct vcpu;

/* NULL when this machine runs vCPUs (SVM with nested paging, and a
 * deadline timer for the run time limit), else why not (for a SKIP
 * line). */
const char *vcpu_lacks(void);

/* KVM_CREATE_VCPU: 0, -ENODEV (no SVM), -EINVAL (too many vCPUs or a VM
 * type SVM does not run) or -ENOMEM. */
int vcpu_create(struct vm *vm, struct vcpu **out);
/* The vCPU's handle was closed. */
void vcpu_put(struct vcpu *c);

int vcpu_enter(struct vcpu *c, const struct vmm_entry *e);
void vcpu_get_regs(const struct vcpu *c, struct vmm_regs *r);
void vcpu_set_regs(struct vcpu *c, const struct vmm_regs *r);

/*
 * KVM_RUN: complete what the last exit owed the guest (with the results
 * the case put in *exit), run until an exit for the case. Returns 0 with
 * *exit filled; -EFAULT (or the fault path's -ENOMEM) with a
 * GMV_EXIT_MEMORY_FAULT exit; -EINTR with a GMV_EXIT_INTR exit when no
 * exit came within VMM_RUN_LIMIT_MS (the platform's deadline timer,
 * hv/deadline.h); -EINVAL if the vCPU was never entered.
 * SHUTDOWN and INTERNAL_ERROR exits print a state dump.
 */
int vcpu_run(struct vcpu *c, struct vmm_exit *exit);

/* For tests: the nested page table of vm's vCPUs (NULL before the first
 * vCPU), to look at the mappings the fault path made. */
const struct npt *vcpu_vm_npt(const struct vm *vm);

#endif
