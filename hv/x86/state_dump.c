// SPDX-License-Identifier: MIT
/*
 * hv/x86/state_dump.c - the general registers of a state dump and its
 * printing (hv/x86/state_dump.h).
 */
#include "hv/x86/state_dump.h"
#include "lib/console.h"
#include "lib/fmt.h"

int x86_format_gprs(char *buf, size_t n, const u64 gpr[X86_NR_GPRS])
{
	unsigned long long r[X86_NR_GPRS];

	for (unsigned int i = 0; i < X86_NR_GPRS; i++)
		r[i] = gpr[i];
	return gmv_snprintf(
		buf, n,
		"rax 0x%016llx rbx 0x%016llx rcx 0x%016llx rdx 0x%016llx\n"
		"rsi 0x%016llx rdi 0x%016llx rbp 0x%016llx r8  0x%016llx\n"
		"r9  0x%016llx r10 0x%016llx r11 0x%016llx r12 0x%016llx\n"
		"r13 0x%016llx r14 0x%016llx r15 0x%016llx\n",
		r[X86_RAX], r[X86_RBX], r[X86_RCX], r[X86_RDX], r[X86_RSI],
		r[X86_RDI], r[X86_RBP], r[X86_R8], r[X86_R9], r[X86_R10],
		r[X86_R11], r[X86_R12], r[X86_R13], r[X86_R14], r[X86_R15]);
}

void x86_print_state(const char *vendor, unsigned int index, const char *why,
		     const char *text)
{
	const char *line = text;

	kprintf("# %s: vCPU %u: %s\n", vendor, index, why);
	for (const char *p = text; *p; p++) {
		if (*p != '\n')
			continue;
		kprintf("#   %.*s\n", (int)(p - line), line);
		line = p + 1;
	}
}
