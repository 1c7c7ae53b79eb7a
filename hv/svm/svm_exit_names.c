// SPDX-License-Identifier: MIT
/*
 * hv/svm/svm_exit_names.c - printable names of SVM exit codes (APM vol. 2,
 * appendix C), for dumps and test messages.
 */
#include "hv/svm/svm_vmcb.h"

/* Mnemonics of the architectural exception vectors 0-31. */
static const char *const excp_names[32] = {
	[0] = "EXCP_DE",  [1] = "EXCP_DB",  [2] = "EXCP_NMI", [3] = "EXCP_BP",
	[4] = "EXCP_OF",  [5] = "EXCP_BR",  [6] = "EXCP_UD",  [7] = "EXCP_NM",
	[8] = "EXCP_DF",  [10] = "EXCP_TS", [11] = "EXCP_NP", [12] = "EXCP_SS",
	[13] = "EXCP_GP", [14] = "EXCP_PF", [16] = "EXCP_MF", [17] = "EXCP_AC",
	[18] = "EXCP_MC", [19] = "EXCP_XF", [20] = "EXCP_VE", [21] = "EXCP_CP",
	[28] = "EXCP_HV", [29] = "EXCP_VC", [30] = "EXCP_SX",
};

/* Exit codes 0x60 .. 0xa5, in APM order. */
/* clang-format off */
static const char *const misc_names[] = {
	"INTR",	      "NMI",	      "SMI",	      "INIT",
	"VINTR",      "CR0_SEL_WRITE", "IDTR_READ",  "GDTR_READ",
	"LDTR_READ",  "TR_READ",      "IDTR_WRITE",   "GDTR_WRITE",
	"LDTR_WRITE", "TR_WRITE",     "RDTSC",	      "RDPMC",
	"PUSHF",      "POPF",	      "CPUID",	      "RSM",
	"IRET",	      "SWINT",	      "INVD",	      "PAUSE",
	"HLT",	      "INVLPG",	      "INVLPGA",      "IOIO",
	"MSR",	      "TASK_SWITCH",  "FERR_FREEZE",  "SHUTDOWN",
	"VMRUN",      "VMMCALL",      "VMLOAD",	      "VMSAVE",
	"STGI",	      "CLGI",	      "SKINIT",	      "RDTSCP",
	"ICEBP",      "WBINVD",	      "MONITOR",      "MWAIT",
	"MWAIT_COND", "XSETBV",	      "RDPRU",	      "EFER_WRITE_TRAP",
	"CR0_WRITE_TRAP", "CR1_WRITE_TRAP", "CR2_WRITE_TRAP",
	"CR3_WRITE_TRAP", "CR4_WRITE_TRAP", "CR5_WRITE_TRAP",
	"CR6_WRITE_TRAP", "CR7_WRITE_TRAP", "CR8_WRITE_TRAP",
	"CR9_WRITE_TRAP", "CR10_WRITE_TRAP", "CR11_WRITE_TRAP",
	"CR12_WRITE_TRAP", "CR13_WRITE_TRAP", "CR14_WRITE_TRAP",
	"CR15_WRITE_TRAP", "INVLPGB",  "INVLPGB_ILLEGAL", "INVPCID",
	"MCOMMIT",    "TLBSYNC",      "BUSLOCK",
};
/* clang-format on */

_Static_assert(ARRAY_SIZE(misc_names) == 0xa6 - SVM_EXIT_INTR, "exit names");

static const char *const npf_names[] = {
	"NPF",
	"AVIC_INCOMPLETE_IPI",
	"AVIC_NOACCEL",
	"VMGEXIT",
};

const char *svm_exit_name(u64 code)
{
	if ((u32)code == SVM_EXIT_INVALID)
		return "VMEXIT_INVALID";
	if (code < SVM_EXIT_CR0_WRITE)
		return "CR_READ";
	if (code < SVM_EXIT_DR0_READ)
		return "CR_WRITE";
	if (code < SVM_EXIT_DR0_WRITE)
		return "DR_READ";
	if (code < SVM_EXIT_EXCP_BASE)
		return "DR_WRITE";
	if (code < SVM_EXIT_INTR) {
		const char *n = excp_names[code - SVM_EXIT_EXCP_BASE];

		return n ? n : "EXCP";
	}
	if (code - SVM_EXIT_INTR < ARRAY_SIZE(misc_names))
		return misc_names[code - SVM_EXIT_INTR];
	if (code >= SVM_EXIT_NPF && code - SVM_EXIT_NPF < ARRAY_SIZE(npf_names))
		return npf_names[code - SVM_EXIT_NPF];
	return "UNKNOWN";
}
