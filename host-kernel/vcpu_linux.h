/* SPDX-License-Identifier: MIT */
/*
 * host-kernel/vcpu_linux.h - vCPUs of the linux backend: one KVM vCPU
 * descriptor and its mapped struct kvm_run, entered at a guest-tests image
 * entry (the guest environment contract, guest-tests/README.md) and run
 * with KVM_RUN, whose exits become struct vmm_exit. vmm_linux.c owns the
 * handles and calls these.
 */
#ifndef GMV_HOST_KERNEL_VCPU_LINUX_H
#define GMV_HOST_KERNEL_VCPU_LINUX_H

#include "hv/vmm.h"

/* A KVM_RUN that makes no exit for this long returns -EINTR, so a guest
 * that spins cannot hang the run (hv/vmm.h). */
#define LX_RUN_LIMIT_SECONDS (VMM_RUN_LIMIT_MS / 1000)

struct lx_vcpu {
	int fd;
	void *run;	 /* struct kvm_run, mapped from fd */
	size_t run_size;
	u32 last_reason; /* exit being answered by the next run, or 0 */
};

/*
 * KVM_CREATE_VCPU on vm_fd (kvm_fd is /dev/kvm), then map its kvm_run,
 * give it the CPUID KVM supports and enable hypercall exits for
 * KVM_HC_MAP_GPA_RANGE where the VM offers them. 0 or -errno; on failure
 * nothing is left open.
 */
int lx_vcpu_create(int kvm_fd, int vm_fd, struct lx_vcpu *c);
/* Unmap the run area; the owner of c->fd closes it. */
void lx_vcpu_release(struct lx_vcpu *c);

/* 64-bit mode at CPL3 (CPL0 with e->cpl0), IOPL=3, paging with e->cr3,
 * rip/rsp/rdi/rsi. */
int lx_vcpu_enter(struct lx_vcpu *c, const struct vmm_entry *e);
int lx_vcpu_get_regs(struct lx_vcpu *c, struct vmm_regs *r);
int lx_vcpu_set_regs(struct lx_vcpu *c, const struct vmm_regs *r);
/* KVM_RUN, see vmm_ops.vcpu_run. */
int lx_vcpu_run(struct lx_vcpu *c, struct vmm_exit *exit);

#endif
