/* SPDX-License-Identifier: MIT */
/*
 * hv/vcpu.h - vCPUs of the native backend (KVM_CREATE_VCPU, KVM_RUN and
 * the register calls of hv/vmm.h). Owns the vCPU objects and the run loop:
 * the VM's backend (hv/arch.h, made with the VM) enters the guest and
 * decodes each exit, and the exit policy (hv/vcpu_exit.c) says what it
 * means: a nested fault resolved through vm_fault() and mapped, an exit
 * the loop answers itself, or an exit for the case.
 *
 * Private or shared: the VM's security model (hv/cc.h) says where an
 * access's kind comes from. On a software-protected VM an access is
 * private exactly when its gfn has the PRIVATE attribute, which is how KVM
 * treats such VMs (kvm_mmu_page_fault() sets PFERR_PRIVATE_ACCESS from
 * kvm_mem_is_private()): the guest has no way to say "private" itself and
 * asks for a conversion with KVM_HC_MAP_GPA_RANGE. The memory-fault exits
 * a guest meets are those vm_fault() reports for such an access: a private
 * gfn outside a gmem slot, or a gmem page whose shareability disagrees
 * with the attribute (in-place conversion).
 *
 * Lifetime, like KVM: a vCPU handle holds a reference on its VM; the vCPUs
 * themselves are freed with the VM.
 */
#ifndef GMV_HV_VCPU_H
#define GMV_HV_VCPU_H

#include "hv/arch.h"
#include "hv/vmm.h"

struct vm;
struct vcpu;

/* NULL when this machine runs vCPUs (a backend, hv/arch.h, and a deadline
 * timer for the run time limit), else why not (for a SKIP line). */
const char *vcpu_lacks(void);

/*
 * The platform says the machine is the Bochs emulator (boot: option
 * machine=bochs), whose SVM has a defect the cases must know about:
 * its VMRUN works out which interrupts are masked from the guest's
 * RFLAGS.IF before it marks the CPU as in guest mode, so a physical
 * interrupt stays masked while a guest entered with IF clear runs, and
 * never becomes an INTR exit (Bochs 2.7 to 3.1, cpu/svm.cc VMRUN and
 * cpu/flag_ctrl_pro.cc handleInterruptMaskChange()). With V_INTR_MASKING
 * the host's IF, saved at VMRUN, masks physical interrupts, not the
 * guest's (AMD APM vol. 2 15.21.1, "Physical (INTR) Interrupt Masking in
 * EFLAGS"): gmemvisor's entry follows that rule.
 */
void vcpu_set_bochs(bool bochs);
/* NULL when the deadline timer's interrupt ends a guest run whose
 * RFLAGS.IF is clear, as vcpu_run's time limit for a spinning guest
 * needs; else why not: vcpu_lacks(), or the defect above on Bochs's SVM. */
const char *vcpu_intr_if_clear_lacks(void);

/* KVM_CREATE_VCPU: 0, -ENODEV (no backend runs the VM), -EINVAL (too many
 * vCPUs) or -ENOMEM. */
int vcpu_create(struct vm *vm, struct vcpu **out);
/* The vCPU's handle was closed. */
void vcpu_put(struct vcpu *c);
/* With its VM (vm_put()): free what the vCPU holds besides the backend's
 * vCPU, which goes with the backend's VM. */
void vcpu_free(struct vcpu *c);

int vcpu_enter(struct vcpu *c, const struct vmm_entry *e);
void vcpu_get_regs(const struct vcpu *c, struct vmm_regs *r);
void vcpu_set_regs(struct vcpu *c, const struct vmm_regs *r);
/* Where r holds the backend's register reg (any but ARCH_REG_CR3, which
 * the case does not see). */
u64 *vcpu_regs_field(struct vmm_regs *r, enum arch_reg reg);

/*
 * KVM_RUN: complete what the last exit owed the guest (with the results
 * the case put in *exit), run until an exit for the case. Returns 0 with
 * *exit filled; -EFAULT (or the fault path's -ENOMEM) with a
 * GMV_EXIT_MEMORY_FAULT exit; -EINTR with a GMV_EXIT_INTR exit when no
 * exit came within VMM_RUN_LIMIT_MS (the platform's deadline timer,
 * hv/deadline.h); -EINVAL if the vCPU was never entered; the backend's
 * own errors (-EIO from the host tests' flush audit).
 * SHUTDOWN and INTERNAL_ERROR exits print a state dump.
 */
int vcpu_run(struct vcpu *c, struct vmm_exit *exit);

#endif
