/* SPDX-License-Identifier: MIT */
/*
 * hv/tdx/tdx_probe.h - whether this machine can reach a TDX module, and
 * if not, the first piece missing (tdx_hw_lacks(), hv/tdx/tdx_module.h).
 * The checks read the CPU through struct tdx_cpu so a host test can hand
 * them any CPU; the payload's is the real one (hv/tdx/tdx_hw.c).
 */
#ifndef GMV_HV_TDX_TDX_PROBE_H
#define GMV_HV_TDX_TDX_PROBE_H

#include "lib/types.h"

struct tdx_cpu {
	void (*cpuid)(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d);
	u64 (*rdmsr)(u32 msr);
};

/* The MSRs read, each only once the checks before it say it exists. */
#define MSR_MTRRCAP 0xfeu
#define MTRRCAP_SEAMRR BIT(15)
#define MSR_SEAMRR_PHYS_MASK 0x1401u
#define SEAMRR_MASK_LOCKED BIT(10)
#define SEAMRR_MASK_ENABLED BIT(11)
#define MSR_MKTME_KEYID_PARTITIONING 0x87u

/* NULL when a module could be called on cpu, else the reason. */
const char *tdx_probe(const struct tdx_cpu *cpu);

#endif
