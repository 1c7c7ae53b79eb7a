/* SPDX-License-Identifier: MIT */
/*
 * hv/arch_script.h - a vCPU backend for host unit tests (hv/arch.h): its
 * run() returns the exits a test scripts instead of entering a guest, so
 * the exit policy, the run loop and the fault path run end to end through
 * hv/vmm.h in a Linux process. Owns its VMs' second-level tables (a real
 * struct npt in AMD's format, with the flush audit on, behind map, zap,
 * flush and lookup) and its vCPUs' registers, kept in memory.
 *
 * Host build only (hv/arch_script_host.c), not in arch_select()'s
 * registry: a test installs it with arch_use(&arch_script_ops).
 */
#ifndef GMV_HV_ARCH_SCRIPT_H
#define GMV_HV_ARCH_SCRIPT_H

#include "hv/arch.h"
#include "hv/npt.h"

extern const struct arch_ops arch_script_ops;

/*
 * What a scripted vCPU's next run() returns: fill *x (zeroed, with x->rip
 * the vCPU's RIP) and return 0, or return -errno for run() to return. The
 * callback may change the vCPU's registers first, as the guest would
 * have (arch_script_ops.set_reg).
 */
typedef int (*arch_script_fn)(void *ctx, struct arch_vcpu *c,
			      struct arch_exit *x);

/* Every scripted vCPU runs fn from now on; NULL: run() returns -EIO. */
void arch_script_set(arch_script_fn fn, void *ctx);

/* What a scripted VM and vCPU saw, for tests. */
struct arch_script_stats {
	u64 runs; /* run() calls that reached the script */
	u64 flushes; /* TLB flushes taken at entry */
	u64 zaps; /* zap() calls, and the last one's filter */
	unsigned int last_filter;
	u64 injects; /* inject() calls, and the last one's exception */
	u8 last_vector;
	u32 last_error_code;
};

/* dump() calls so far, over every scripted vCPU. */
u64 arch_script_dumps(void);

const struct npt *arch_script_npt(const struct arch_vm *vm);
const struct arch_script_stats *arch_script_vm_stats(const struct arch_vm *vm);
const struct arch_script_stats *
arch_script_vcpu_stats(const struct arch_vcpu *c);

#endif
