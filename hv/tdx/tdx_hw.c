// SPDX-License-Identifier: MIT
/*
 * hv/tdx/tdx_hw.c - the payload's half of the hardware TDX module path
 * (hv/tdx/tdx_seamcall.h): the SEAMCALL instruction (66 0F 01 CF,
 * byte-encoded so no assembler support is needed; the bytes of Linux's
 * arch/x86/virt/vmx/tdx/tdxcall.S) and tdx_hw_lacks() over the real CPU.
 * SEAMCALL #UDs outside VMX root operation and fails VMfailInvalid (CF=1)
 * with no module loaded (Intel TDX Module base spec, "SEAMCALL"): the
 * leaves reach it only where tdx_hw_lacks() is NULL.
 */
#include "hv/tdx/tdx_probe.h"
#include "hv/tdx/tdx_seamcall.h"
#include "hv/x86/cpu.h"

/* The module returns its status in RAX and outputs in RCX, RDX, R8-R11;
 * every other register it preserves for the leaves here (not
 * TDH.VP.ENTER). Modules without TDX_FEATURES0.NO_RBP_MOD (bit 18) may
 * change RBP: Linux's check_features() refuses them, and so must the
 * module initialisation, when it is written. */
u64 tdx_seamcall(struct tdx_seamcall_regs *r)
{
	register u64 r8 __asm__("r8") = r->r8;
	register u64 r9 __asm__("r9") = r->r9;
	register u64 r10 __asm__("r10") = r->r10;
	register u64 r11 __asm__("r11") = r->r11;
	u64 rax = r->rax, rcx = r->rcx, rdx = r->rdx;
	u8 fail;

	__asm__ volatile(".byte 0x66, 0x0f, 0x01, 0xcf\n\tsetc %[fail]"
			 : "+a"(rax), "+c"(rcx), "+d"(rdx), "+r"(r8), "+r"(r9),
			   "+r"(r10), "+r"(r11), [fail] "=qm"(fail)
			 :
			 : "memory", "cc");
	*r = (struct tdx_seamcall_regs){.rax = rax,
					.rcx = rcx,
					.rdx = rdx,
					.r8 = r8,
					.r9 = r9,
					.r10 = r10,
					.r11 = r11};
	if (fail)
		r->rax = TDX_SEAMCALL_VMFAILINVALID;
	return r->rax;
}

static void real_cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	cpuid(leaf, sub, a, b, c, d);
}

static u64 real_rdmsr(u32 msr)
{
	return rdmsr(msr);
}

const char *tdx_hw_lacks(void)
{
	static const struct tdx_cpu cpu = {
		.cpuid = real_cpuid,
		.rdmsr = real_rdmsr,
	};

	return tdx_probe(&cpu);
}
