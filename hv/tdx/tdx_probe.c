// SPDX-License-Identifier: MIT
/*
 * hv/tdx/tdx_probe.c - the reasons a TDX module cannot be called here
 * (hv/tdx/tdx_probe.h), checked in the order each depends on the last:
 *
 *  1. an Intel CPU (CPUID 0 vendor "GenuineIntel"): before any MSR is
 *     read, since the MSRs below #GP on other vendors' CPUs;
 *  2. MTRRs (CPUID 1 EDX bit 12), without which IA32_MTRRCAP (0xFE) is
 *     absent;
 *  3. SEAMRR, the range the SEAM module lives in: IA32_MTRRCAP bit 15
 *     says the CPU has it, IA32_SEAMRR_PHYS_MASK (0x1401) bits 11
 *     (enabled) and 10 (locked) that the BIOS set it up (Linux's TDX host
 *     series, arch/x86/virt/vmx/tdx/tdx.c detect_seam(): MTRR_CAP_SEAMRR,
 *     SEAMRR_ENABLED_BITS);
 *  4. TDX private KeyIDs: IA32_MKTME_KEYID_PARTITIONING (0x87) bits 63:32,
 *     at least 2 (one is the module's global KeyID; Linux tdx_init() and
 *     record_keyid_partitioning());
 *  5. VMX root operation, which SEAMCALL needs (#UD outside it): the VMX
 *     backend (hv/vmx/) enters it only to run its guests, and nothing
 *     initialises the module
 *     (TDH.SYS.INIT, TDH.SYS.LP.INIT on each CPU, TDH.SYS.CONFIG,
 *     TDH.SYS.KEY.CONFIG on each package, TDH.SYS.TDMR.INIT: Linux
 *     tdx.c init_tdx_module()). This is where every machine stops today.
 */
#include "hv/tdx/tdx_probe.h"
#include "lib/mem.h"

#define CPUID_1_EDX_MTRR BIT(12)

static bool intel(const struct tdx_cpu *cpu)
{
	u32 a, v[3];

	cpu->cpuid(0, 0, &a, &v[0], &v[2], &v[1]);
	return !memcmp(v, "GenuineIntel", 12);
}

const char *tdx_probe(const struct tdx_cpu *cpu)
{
	u32 a, b, c, d;
	u64 mask;

	if (!intel(cpu))
		return "no TDX module: not an Intel CPU";
	cpu->cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & CPUID_1_EDX_MTRR))
		return "no TDX module: no MTRRs (CPUID 1 EDX bit 12), so no "
		       "SEAMRR";
	if (!(cpu->rdmsr(MSR_MTRRCAP) & MTRRCAP_SEAMRR))
		return "no TDX module: no SEAMRR (IA32_MTRRCAP bit 15 clear)";
	mask = cpu->rdmsr(MSR_SEAMRR_PHYS_MASK);
	if ((mask & (SEAMRR_MASK_ENABLED | SEAMRR_MASK_LOCKED)) !=
	    (SEAMRR_MASK_ENABLED | SEAMRR_MASK_LOCKED))
		return "no TDX module: SEAMRR not enabled and locked by the "
		       "BIOS (IA32_SEAMRR_PHYS_MASK bits 11, 10)";
	if ((cpu->rdmsr(MSR_MKTME_KEYID_PARTITIONING) >> 32) < 2)
		return "no TDX module: fewer than 2 TDX private KeyIDs "
		       "(IA32_MKTME_KEYID_PARTITIONING bits 63:32)";
	return "no TDX module: SEAMCALL needs VMX root operation, which "
	       "the VMX backend enters only for its guests, and the module "
	       "is not initialised (TDH.SYS.INIT, LP.INIT, CONFIG, "
	       "KEY.CONFIG, TDMR.INIT not done)";
}
