/* SPDX-License-Identifier: MIT */
/*
 * boot/cpu.h - thin inline wrappers over the privileged x86 instructions
 * only the payload uses (control registers, INVLPG, interrupt flag, halt),
 * and the architectural bit names that go with them. Owns no state. Its
 * users get CPUID, the MSRs and the TSC from hv/x86/cpu.h and port I/O
 * from lib/portio.h through it.
 */
#ifndef GMV_BOOT_CPU_H
#define GMV_BOOT_CPU_H

#include "hv/x86/cpu.h"
#include "lib/types.h"
#include "lib/portio.h"

#define EFER_NXE BIT(11)
#define MSR_PAT 0x277

#define CPUID_EXT_EDX_PAGE1GB BIT(26)

#define CR0_WP BIT(16)
#define CR4_PGE BIT(7)

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

/* Can leaves map 1 GiB? (CPUID 0x80000001 EDX Page1GB) */
static inline bool cpu_has_page1gb(void)
{
	u32 a, b, c, d;

	cpuid(CPUID_EXT_MAX, 0, &a, &b, &c, &d);
	if (a < CPUID_EXT_FEATURES)
		return false;
	cpuid(CPUID_EXT_FEATURES, 0, &a, &b, &c, &d);
	return d & CPUID_EXT_EDX_PAGE1GB;
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
