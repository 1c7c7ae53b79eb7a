/* SPDX-License-Identifier: MIT */
/*
 * hv/x86/cpu.h - the one copy of the x86 instructions that read the CPU's
 * identity and state: CPUID, RDMSR, WRMSR and RDTSC, and the MSR and CPUID
 * leaf names more than one module uses. Owns no state.
 *
 * boot/, the hypervisor and the payload tests use these; in the host build
 * (a Linux process) only CPUID and RDTSC may run.
 */
#ifndef GMV_HV_X86_CPU_H
#define GMV_HV_X86_CPU_H

#include "lib/types.h"

#define MSR_EFER 0xc0000080u

#define CPUID_EXT_MAX 0x80000000u
#define CPUID_EXT_FEATURES 0x80000001u

/* CPUID leaf 'leaf', subleaf 'sub': EAX, EBX, ECX, EDX in *a, *b, *c, *d. */
static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(sub));
}

/* The guest physical address width of this CPU's guests: CPUID
 * Fn8000_0008 EAX[23:16], or EAX[7:0] when that field is 0 (AMD APM vol. 3
 * appendix E.4.7); 0 without the leaf. */
static inline unsigned int cpu_guest_phys_bits(void)
{
	u32 a, b, c, d;

	cpuid(CPUID_EXT_MAX, 0, &a, &b, &c, &d);
	if (a < 0x80000008u)
		return 0;
	cpuid(0x80000008u, 0, &a, &b, &c, &d);
	return (a >> 16) & 0xff ? (a >> 16) & 0xff : a & 0xff;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32))
			 : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#endif
