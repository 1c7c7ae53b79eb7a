/* SPDX-License-Identifier: MIT */
/*
 * hv/x86/state_dump.h - the parts of a vCPU state dump every x86 backend
 * prints alike: the sixteen general registers as text, and a formatted
 * state printed as KTAP "# " lines under a title, so that a dump inside a
 * test run keeps the output parseable.
 */
#ifndef GMV_HV_X86_STATE_DUMP_H
#define GMV_HV_X86_STATE_DUMP_H

#include "lib/types.h"

/* The general registers in this order, as x86_format_gprs() takes them. */
enum x86_gpr {
	X86_RAX,
	X86_RBX,
	X86_RCX,
	X86_RDX,
	X86_RSI,
	X86_RDI,
	X86_RBP,
	X86_R8,
	X86_R9,
	X86_R10,
	X86_R11,
	X86_R12,
	X86_R13,
	X86_R14,
	X86_R15,
	X86_NR_GPRS
};

/* Four lines "rax 0x... rbx 0x..." into buf (size n), as snprintf: the
 * length the whole text needs. */
int x86_format_gprs(char *buf, size_t n, const u64 gpr[X86_NR_GPRS]);

/* "# VENDOR: vCPU INDEX: WHY", then each line of text as "#   LINE". */
void x86_print_state(const char *vendor, unsigned int index, const char *why,
		     const char *text);

#endif
