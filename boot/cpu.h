/* SPDX-License-Identifier: MIT */
/*
 * boot/cpu.h - thin inline wrappers over the privileged x86 instructions
 * the payload uses (port I/O, MSRs, control registers, CPUID, TSC), and the
 * architectural bit names that go with them. Owns no state.
 */
#ifndef GMV_BOOT_CPU_H
#define GMV_BOOT_CPU_H

#include "lib/types.h"
#include "lib/portio.h"

#define MSR_EFER 0xc0000080
#define EFER_NXE BIT(11)
#define MSR_PAT 0x277

#define CPUID_EXT_MAX 0x80000000
#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_EXT_EDX_PAGE1GB BIT(26)

#define CR0_WP BIT(16)
#define CR4_PGE BIT(7)

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

#define DEFINE_CR_ACCESS(n)                                            \
	static inline u64 read_cr##n(void)                             \
	{                                                              \
		u64 v;                                                 \
		asm volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                              \
	}                                                              \
	static inline void write_cr##n(u64 v)                          \
	{                                                              \
		asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR_ACCESS(0)
DEFINE_CR_ACCESS(3)
DEFINE_CR_ACCESS(4)
#undef DEFINE_CR_ACCESS

static inline u64 read_cr2(void)
{
	u64 v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpuid(u32 leaf, u32 sub, u32 r[4])
{
	asm volatile("cpuid"
		     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(sub));
}

/* Can leaves map 1 GiB? (CPUID 0x80000001 EDX Page1GB) */
static inline bool cpu_has_page1gb(void)
{
	u32 r[4];

	cpuid(CPUID_EXT_MAX, 0, r);
	if (r[0] < CPUID_EXT_FEATURES)
		return false;
	cpuid(CPUID_EXT_FEATURES, 0, r);
	return r[3] & CPUID_EXT_EDX_PAGE1GB;
}

static inline void invlpg(u64 va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cli(void)
{
	asm volatile("cli" : : : "memory");
}

static inline void sti(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

/* Stop this CPU for good: interrupts off, halt, and halt again after an
 * NMI or SMI wakes it. */
static inline __noreturn void cpu_halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt" : : : "memory");
}

#endif
