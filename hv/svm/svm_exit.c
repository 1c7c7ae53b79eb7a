// SPDX-License-Identifier: MIT
/*
 * hv/svm/svm_exit.c - what the VMCB says an exit was (hv/svm/svm.h
 * svm_decode_exit()), as a vendor-neutral struct arch_exit. Exit codes and
 * EXITINFO fields are the APM's (vol. 2, appendix C and §15.10, §15.25);
 * what an exit means is decided in hv/vcpu_exit.c.
 *
 * The VMCB may carry no instruction length: NRIPS' next_rip and the
 * DecodeAssists bytes are optional, and QEMU's TCG writes neither (no code
 * in target/i386/tcg/sysemu/svm_helper.c stores them). IOIO's EXITINFO2
 * holds the next RIP on every CPU (APM vol. 2 §15.10.2), so port I/O
 * carries its length. With NRIPS, the instruction intercepts this backend
 * takes (VMMCALL, HLT, RDMSR/WRMSR) carry it from next_rip (APM vol. 2
 * §15.7.1: written for instruction, MSR and IOIO intercepts, zero for the
 * rest, which therefore never use it); other exits leave it 0 for the
 * exit policy to measure from the guest's bytes. With decode assists, a
 * nested fault carries the bytes the CPU fetched at the guest's RIP (APM
 * vol. 2 §15.8.4: filled on #NPF and #PF data faults, none on fetch
 * faults).
 */
#include "hv/svm/svm.h"
#include "lib/mem.h"

static void internal(struct arch_exit *x, const char *why)
{
	x->kind = ARCH_EXIT_INTERNAL;
	x->why = why;
}

static void decode_io(const struct svm_vcpu *v, struct arch_exit *x)
{
	u64 info = v->vmcb->ctl.exit_info1;

	x->kind = ARCH_EXIT_IO;
	x->io.port = (u16)(info >> SVM_IOIO_PORT_SHIFT);
	x->io.size = (info & SVM_IOIO_SZ8) ? 1 : (info & SVM_IOIO_SZ16) ? 2 : 4;
	x->io.in = info & SVM_IOIO_TYPE_IN;
	x->io.string = info & SVM_IOIO_STR;
	x->insn_len = (u8)(v->vmcb->ctl.exit_info2 - x->rip);
}

/* NPF: EXITINFO1 is the error code, EXITINFO2 the faulting GPA (APM vol. 2
 * §15.25.6). */
static void decode_npf(const struct svm_vcpu *v, struct arch_exit *x)
{
	u64 info = v->vmcb->ctl.exit_info1;
	struct arch_fault *f = &x->fault;

	/* A reserved bit is the NPT's bug, not the guest's. */
	if (info & SVM_NPF_RSVD) {
		internal(x, "NPT entry with reserved bits");
		return;
	}
	x->kind = ARCH_EXIT_FAULT;
	f->gpa = v->vmcb->ctl.exit_info2;
	f->write = info & SVM_NPF_W;
	f->exec = info & SVM_NPF_ID;
	f->present = info & SVM_NPF_P;
	f->walk = info & SVM_NPF_GUEST_PT;
	svm_snp_decode_npf(info, f);
}

/* The length next_rip gives the instruction at the exit's RIP; 0 when the
 * value cannot be one (zero, behind RIP, longer than an instruction). */
static void nrip_len(struct svm_vcpu *v, u32 features, struct arch_exit *x)
{
	u64 next = v->vmcb->ctl.next_rip;

	if (!(features & SVM_FEAT_NRIPS) || next <= x->rip ||
	    next - x->rip > sizeof(x->insn_bytes))
		return;
	x->insn_len = (u8)(next - x->rip);
	v->stats.nrip_lens++;
}

/* The guest bytes decode assists stored for a fault: the count the CPU
 * fetched (0 for none, more than 15 is no count it writes) and the bytes. */
static void fault_bytes(struct svm_vcpu *v, u32 features, struct arch_exit *x)
{
	const struct vmcb_control *c = &v->vmcb->ctl;

	if (!(features & SVM_FEAT_DECODE_ASSISTS) || !c->insn_len ||
	    c->insn_len > sizeof(x->insn_bytes))
		return;
	x->insn_nbytes = c->insn_len;
	memcpy(x->insn_bytes, c->insn_bytes, c->insn_len);
	v->stats.insn_bytes++;
}

void svm_decode_exit(struct svm_vcpu *v, u32 features, struct arch_exit *x)
{
	const struct vmcb_control *c = &v->vmcb->ctl;
	u64 code = c->exit_code;

	*x = (struct arch_exit){
		.rip = v->vmcb->save.rip,
		.code = code,
		.info1 = c->exit_info1,
		.info2 = c->exit_info2,
		.name = svm_exit_name(code),
	};
	if ((u32)code == SVM_EXIT_INVALID) {
		internal(x, "VMRUN refused the VMCB");
		return;
	}
	switch (code) {
	case SVM_EXIT_INTR:
		/* The host has taken the interrupt already, at STGI. */
	case SVM_EXIT_NMI:
		x->kind = ARCH_EXIT_NONE;
		break;
	case SVM_EXIT_NPF:
		decode_npf(v, x);
		if (x->kind == ARCH_EXIT_FAULT)
			fault_bytes(v, features, x);
		break;
	case SVM_EXIT_IOIO:
		decode_io(v, x);
		break;
	case SVM_EXIT_VMMCALL:
		x->kind = ARCH_EXIT_HYPERCALL;
		nrip_len(v, features, x);
		break;
	case SVM_EXIT_VMGEXIT:
		/* An SEV-ES guest's exit: its RIP is not the host's to read. */
		x->kind = ARCH_EXIT_HYPERCALL;
		break;
	case SVM_EXIT_HLT:
		x->kind = ARCH_EXIT_HLT;
		nrip_len(v, features, x);
		break;
	case SVM_EXIT_MSR:
		/* EXITINFO1: 0 RDMSR, 1 WRMSR (APM vol. 2 §15.11). */
		x->kind = ARCH_EXIT_MSR;
		x->msr.write = c->exit_info1 & 1;
		nrip_len(v, features, x);
		break;
	case SVM_EXIT_SHUTDOWN:
		x->kind = ARCH_EXIT_SHUTDOWN;
		break;
	default:
		if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_INTR) {
			x->kind = ARCH_EXIT_EXCEPTION;
			x->vector = code - SVM_EXIT_EXCP_BASE;
		} else {
			internal(x, "unexpected exit");
		}
	}
}
