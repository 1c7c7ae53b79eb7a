// SPDX-License-Identifier: MIT
/*
 * hv/tdx/tdx_hw.c - the payload's hardware TDX module path
 * (hv/tdx/tdx_module.h). SEAMCALL (66 0F 01 CF) reaches a loaded and
 * initialised TDX module only from VMX root operation on an Intel CPU
 * whose BIOS reserved the SEAM range and TDX private KeyIDs (Linux
 * arch/x86/virt/vmx/tdx/tdx.c: module init through TDH.SYS.INIT,
 * TDH.SYS.LP.INIT, TDH.SYS.CONFIG, TDH.SYS.KEY.CONFIG, TDH.SYS.TDMR.INIT).
 * None of that is written yet, so this file only says why there is no
 * hardware path: the software model (tdx_model.c) is the implementation.
 */
#include "hv/tdx/tdx_module.h"
#include "hv/x86/cpu.h"
#include "lib/mem.h"

static bool intel_cpu(void)
{
	u32 a, v[3];

	cpuid(0, 0, &a, &v[0], &v[2], &v[1]);
	return !memcmp(v, "GenuineIntel", 12);
}

const char *tdx_hw_lacks(void)
{
	if (!intel_cpu())
		return "no TDX module: not an Intel CPU";
	return "no TDX module: the SEAMCALL path (VMX root, module "
	       "initialisation) is not written yet";
}
