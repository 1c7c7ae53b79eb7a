// SPDX-License-Identifier: MIT
/*
 * hv/vmx/vmx_exit.c - what the exit fields say an exit was (hv/vmx/vmx.h
 * vmx_decode_exit()), as a vendor-neutral struct arch_exit. Exit reasons
 * are the SDM's (vol. 3D appendix C), exit qualifications vol. 3C 28.2.1,
 * entry failures 27.8 and 31.4; what an exit means is decided in
 * hv/vcpu_exit.c.
 *
 * The VM-exit instruction length is reported for exits caused by an
 * instruction (28.2.5); other exits leave insn_len 0.
 */
#include "hv/vmx/vmx.h"
#include "lib/fmt.h"

static void internal(struct arch_exit *x, const char *why)
{
	x->kind = ARCH_EXIT_INTERNAL;
	x->why = why;
}

/* Table 28-5: size, direction, string, port. */
static void decode_io(const struct vmx_exit_info *e, struct arch_exit *x)
{
	x->kind = ARCH_EXIT_IO;
	x->io.port = IO_QUAL_PORT(e->qual);
	x->io.size = IO_QUAL_SIZE(e->qual);
	x->io.in = e->qual & IO_QUAL_IN;
	x->io.string = e->qual & IO_QUAL_STRING;
	x->insn_len = e->insn_len;
}

/*
 * Table 28-7: bits 0-2 the access (read, write, fetch), bits 3-5 what
 * the EPT entry allowed (any set: a translation existed), bit 7 a
 * guest-linear address came with it, and then bit 8 clear for an access
 * of the guest's own paging structures (the walk), set for the final
 * access.
 */
static void decode_ept_violation(const struct vmx_exit_info *e,
				 struct arch_exit *x)
{
	struct arch_fault *f = &x->fault;

	x->kind = ARCH_EXIT_FAULT;
	f->gpa = e->gpa;
	f->write = e->qual & EPT_QUAL_WRITE;
	f->exec = e->qual & EPT_QUAL_FETCH;
	f->present = e->qual & EPT_QUAL_PERMS;
	f->walk = (e->qual & EPT_QUAL_GLA_VALID) &&
		  !(e->qual & EPT_QUAL_GLA_XLATE);
}

/* An exception or NMI (exit reason 0): the interruption information. */
static void decode_exception(const struct vmx_exit_info *e, struct arch_exit *x)
{
	if (INTR_INFO_TYPE(e->intr_info) == INTR_TYPE_NMI) {
		/* The host took it through its own vector 2. */
		x->kind = ARCH_EXIT_NONE;
		return;
	}
	x->kind = ARCH_EXIT_EXCEPTION;
	x->vector = INTR_INFO_VECTOR(e->intr_info);
	/* As SVM's EXITINFO1/2: the error code, then (for #PF) the
	 * linear address, which the qualification holds (28.2.1). */
	x->info1 = (e->intr_info & INTR_INFO_ERROR_VALID) ? e->intr_error : 0;
	x->info2 = e->qual;
}

/* The entry never ran the guest: say which check stopped it. */
static void decode_entry_failure(struct vmx_vcpu *v, struct arch_exit *x)
{
	const struct vmx_exit_info *e = &v->exit;

	switch (e->result) {
	case VMX_FAIL_INVALID:
		x->name = "VMfailInvalid";
		gmv_snprintf(
			v->why, sizeof(v->why),
			"VM entry failed: VMfailInvalid (no current VMCS)");
		break;
	case VMX_FAIL_VALID:
		x->name = "VMfailValid";
		x->code = e->insn_error;
		x->info1 = 0;
		x->info2 = 0;
		gmv_snprintf(v->why, sizeof(v->why),
			     "VM entry failed: VM-instruction error %u (%s)",
			     e->insn_error, vmx_insn_error_name(e->insn_error));
		break;
	default:
		/* Exit reason 33, 34 or 41 with bit 31 (27.8); for 33 the
		 * qualification is 0, or 2/3/4 for PDPTE, NMI injection or a
		 * VMCS link pointer (28.2.1). */
		gmv_snprintf(v->why, sizeof(v->why),
			     "VM entry failed: exit reason %u (%s), "
			     "qualification %llu",
			     e->reason & 0xffff, x->name,
			     (unsigned long long)e->qual);
	}
	internal(x, v->why);
}

void vmx_decode_exit(struct vmx_vcpu *v, struct arch_exit *x)
{
	const struct vmx_exit_info *e = &v->exit;
	u32 basic = e->reason & 0xffff;

	*x = (struct arch_exit){
		.rip = v->rip,
		.code = e->reason,
		.info1 = e->qual,
		.info2 = e->gpa,
		.name = vmx_exit_name(basic),
	};
	if (e->result != VMX_ENTERED ||
	    (e->reason & VMX_EXIT_REASON_ENTRY_FAIL)) {
		decode_entry_failure(v, x);
		return;
	}
	switch (basic) {
	case VMX_EXIT_EXCEPTION_NMI:
		decode_exception(e, x);
		break;
	case VMX_EXIT_EXTERNAL_INTR:
		/* Not acknowledged: the host took it right after the exit. */
	case VMX_EXIT_PREEMPT_TIMER:
		/* The deadline timer's deadline came (vmx_ctls.c). */
		x->kind = ARCH_EXIT_NONE;
		break;
	case VMX_EXIT_TRIPLE_FAULT:
		x->kind = ARCH_EXIT_SHUTDOWN;
		break;
	case VMX_EXIT_EPT_VIOLATION:
		decode_ept_violation(e, x);
		break;
	case VMX_EXIT_EPT_MISCONFIG:
		/* The EPT's bug, not the guest's: the dump shows the walk. */
		gmv_snprintf(v->why, sizeof(v->why),
			     "EPT misconfiguration at GPA %#llx",
			     (unsigned long long)e->gpa);
		internal(x, v->why);
		break;
	case VMX_EXIT_IO:
		decode_io(e, x);
		break;
	case VMX_EXIT_VMCALL:
		x->kind = ARCH_EXIT_HYPERCALL;
		x->insn_len = e->insn_len;
		break;
	case VMX_EXIT_HLT:
		x->kind = ARCH_EXIT_HLT;
		x->insn_len = e->insn_len;
		break;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		x->kind = ARCH_EXIT_MSR;
		x->msr.write = basic == VMX_EXIT_WRMSR;
		x->insn_len = e->insn_len;
		break;
	case VMX_EXIT_TDCALL:
		vmx_tdx_decode_tdcall(x);
		break;
	default:
		internal(x, "unexpected exit");
	}
}
