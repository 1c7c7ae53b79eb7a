// SPDX-License-Identifier: MIT
/*
 * hv/tdx/tdx_host.c - the host build's half of the hardware TDX module
 * path (hv/tdx/tdx_seamcall.h): a Linux process cannot execute SEAMCALL
 * (a VMX-root, CPL0 instruction), so there is no module to reach, and the
 * SEAMCALL primitive calls tdx_seamcall_hook, which host tests set to a
 * recorder of the register image. The Makefile picks this file for host
 * builds, tdx_hw.c for the payload.
 */
#include "hv/tdx/tdx_seamcall.h"

u64 (*tdx_seamcall_hook)(struct tdx_seamcall_regs *r);

u64 tdx_seamcall(struct tdx_seamcall_regs *r)
{
	r->rax = tdx_seamcall_hook ? tdx_seamcall_hook(r) : TDX_SEAMCALL_UD;
	return r->rax;
}

const char *tdx_hw_lacks(void)
{
	return "no TDX module: a Linux process cannot execute SEAMCALL "
	       "(host build)";
}
