// SPDX-License-Identifier: MIT
/*
 * hv/tdx/tdx_host.c - the host build's half of the hardware TDX module
 * path (hv/tdx/tdx_module.h): a Linux process cannot execute SEAMCALL
 * (it is a VMX-root, CPL0 instruction), so there is none. The Makefile
 * picks this file for host builds, tdx_hw.c for the payload.
 */
#include "hv/tdx/tdx_module.h"

const char *tdx_hw_lacks(void)
{
	return "no TDX module: host build (SEAMCALL needs VMX root at CPL0)";
}
