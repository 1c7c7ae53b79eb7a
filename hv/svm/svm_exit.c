// SPDX-License-Identifier: MIT
/*
 * hv/svm/svm_exit.c - the SVM exit dispatcher (hv/svm/svm.h svm_handle_exit()):
 * what each exit code means for the case, KVM's way (struct kvm_run exit
 * reasons, hv/kvm_abi.h), and the completion of an exit on the next run.
 *
 * Under QEMU's TCG the VMCB has no next_rip and no instruction bytes
 * (shared/spec/qemu-tcg-svm.md, differences item 2): IOIO's EXITINFO2 is
 * the next RIP; VMMCALL, #UD and MMIO instructions are measured by
 * hv/x86/insn_decode.c from the guest's own bytes.
 */
#include "hv/svm/svm.h"
#include "hv/deadline.h"
#include "hv/x86/guest_walk.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* The guest register with encoding number n (0 = rax ... 15 = r15). */
static u64 *gpr(struct svm_vcpu *v, unsigned int n)
{
	struct svm_gprs *g = &v->gprs;
	u64 *const regs[16] = {
		&v->vmcb->save.rax, &g->rcx, &g->rdx, &g->rbx,
		&v->vmcb->save.rsp, &g->rbp, &g->rsi, &g->rdi,
		&g->r8, &g->r9, &g->r10, &g->r11,
		&g->r12, &g->r13, &g->r14, &g->r15,
	};

	return regs[n & 15];
}

/* Copy what the NPT maps of [gpa, gpa + len) within one page. */
static int read_gpa(const void *ctx, u64 gpa, void *buf, size_t len)
{
	const struct svm_vcpu *v = ctx;
	struct npt_xlate x;

	if (npt_lookup(&v->svm->npt, gpa, &x))
		return -EFAULT;
	memcpy(buf, (const void *)x.hpa, len);
	return 0;
}

/* Decode the instruction at the guest's RIP. */
static int fetch_insn(struct svm_vcpu *v, struct insn *in)
{
	struct guest_mem m = {
		.cr3 = v->vmcb->save.cr3, .read_gpa = read_gpa, .ctx = v};
	size_t n;

	return guest_fetch_insn(&m, v->vmcb->save.rip, in, &n);
}

static void fill_other(struct svm_vcpu *v, struct vmm_exit *exit, u32 reason)
{
	const struct vmcb_control *c = &v->vmcb->ctl;

	exit->reason = reason;
	exit->other.code = c->exit_code;
	exit->other.info1 = c->exit_info1;
	exit->other.info2 = c->exit_info2;
	exit->other.rip = v->vmcb->save.rip;
}

static int internal_error(struct svm_vcpu *v, struct vmm_exit *exit,
			  const char *why)
{
	fill_other(v, exit, GMV_EXIT_INTERNAL_ERROR);
	gmv_snprintf(v->why, sizeof(v->why), "%s", why);
	return SVM_TO_CASE;
}

/* An exception with no IDT to deliver it: KVM would see a triple fault. */
static int guest_exception(struct svm_vcpu *v, struct vmm_exit *exit)
{
	fill_other(v, exit, GMV_EXIT_SHUTDOWN);
	gmv_snprintf(v->why, sizeof(v->why), "guest %s without an IDT",
		     svm_exit_name(v->vmcb->ctl.exit_code));
	return SVM_TO_CASE;
}

static void set_pending(struct svm_vcpu *v, enum svm_pending kind, u64 next)
{
	v->pending = kind;
	v->pending_rip = v->vmcb->save.rip;
	v->pending_next = next;
}

static int handle_io(struct svm_vcpu *v, struct vmm_exit *exit)
{
	u64 info = v->vmcb->ctl.exit_info1;
	u8 size = (info & SVM_IOIO_SZ8) ? 1 : (info & SVM_IOIO_SZ16) ? 2 : 4;
	bool in = info & SVM_IOIO_TYPE_IN;

	/* struct vmm_exit carries one value: INS/OUTS cannot be expressed. */
	if (info & SVM_IOIO_STR)
		return internal_error(v, exit, "string port I/O (INS/OUTS)");
	exit->reason = GMV_EXIT_IO;
	exit->io.port = (u16)(info >> SVM_IOIO_PORT_SHIFT);
	exit->io.size = size;
	exit->io.in = in;
	exit->io.count = 1;
	if (!in)
		exit->io.data = v->vmcb->save.rax & (~0ULL >> (64 - 8 * size));
	v->pending_io_size = size;
	/* QEMU's IOIO EXITINFO2 is the next RIP (fact sheet §4 (a)). */
	set_pending(v, in ? SVM_PENDING_IN : SVM_PENDING_OUT,
		    v->vmcb->ctl.exit_info2);
	return SVM_TO_CASE;
}

/*
 * KVM's hypercall ABI (Documentation/virt/kvm/x86/hypercalls.rst): number
 * in RAX, arguments in RBX, RCX, RDX, RSI, result in RAX.
 * KVM_HC_MAP_GPA_RANGE goes to the case as KVM_EXIT_HYPERCALL after KVM's
 * own argument check; other numbers get -KVM_ENOSYS. Two differences from
 * KVM, both because every guest runs at CPL3 here: KVM answers -KVM_EPERM
 * to a hypercall from CPL > 0, and it exits only when the VMM enabled
 * KVM_CAP_EXIT_HYPERCALL; the native backend always exits.
 */
static int handle_vmmcall(struct svm_vcpu *v, struct vmm_exit *exit)
{
	struct vmcb_save *st = &v->vmcb->save;
	struct svm_gprs *g = &v->gprs;
	struct insn in;

	/* QEMU reports VMGEXIT (F3 0F 01 D9) as VMMCALL: measure it. */
	if (fetch_insn(v, &in) ||
	    (in.op != INSN_VMMCALL && in.op != INSN_VMGEXIT))
		return internal_error(v, exit, "VMMCALL exit at an undecodable "
					       "instruction");
	if (st->rax != GMV_HC_MAP_GPA_RANGE) {
		st->rax = -(u64)SVM_KVM_ENOSYS;
		st->rip += in.len;
		return SVM_RESUME;
	}
	if (!IS_ALIGNED(g->rbx, PAGE_SIZE) || !g->rcx ||
	    (g->rbx >> PAGE_SHIFT) + g->rcx <= (g->rbx >> PAGE_SHIFT)) {
		st->rax = -(u64)SVM_KVM_EINVAL;
		st->rip += in.len;
		return SVM_RESUME;
	}
	exit->reason = GMV_EXIT_HYPERCALL;
	exit->hypercall.nr = GMV_HC_MAP_GPA_RANGE;
	exit->hypercall.args[0] = g->rbx; /* gpa */
	exit->hypercall.args[1] = g->rcx; /* npages */
	exit->hypercall.args[2] = g->rdx; /* attrs */
	exit->hypercall.ret = 0;
	set_pending(v, SVM_PENDING_HYPERCALL, st->rip + in.len);
	return SVM_TO_CASE;
}

/* The SEV-SNP and TDX instructions: recognised, not emulated yet. */
static bool is_cc_insn(enum insn_op op)
{
	switch (op) {
	case INSN_PVALIDATE:
	case INSN_RMPADJUST:
	case INSN_RMPUPDATE:
	case INSN_PSMASH:
	case INSN_TDCALL:
	case INSN_SEAMCALL:
		return true;
	default:
		return false;
	}
}

/*
 * #UD: the decoder names the instruction. A confidential-computing
 * instruction ends the run as an internal error saying it is not
 * emulated, with other.info2 = its enum insn_op; anything else is a guest
 * exception like the rest.
 */
static int handle_ud(struct svm_vcpu *v, struct vmm_exit *exit)
{
	char why[64];
	struct insn in;

	if (fetch_insn(v, &in) || !is_cc_insn(in.op))
		return guest_exception(v, exit);
	gmv_snprintf(why, sizeof(why), "%s (%u bytes) is not emulated",
		     insn_op_name(in.op), in.len);
	internal_error(v, exit, why);
	exit->other.info2 = in.op;
	return SVM_TO_CASE;
}

/*
 * Before an exit handled here resumes the guest. Like KVM, which leaves
 * KVM_RUN with KVM_EXIT_INTR when a signal is pending at any re-entry,
 * the run ends with -EINTR once its deadline has passed, whatever the
 * exit: the timer's interrupt is taken by the host at STGI after any
 * #VMEXIT (svm_vmrun()), so it may arrive behind a VMMCALL or NMI exit
 * and leave no INTR exit of its own. An interrupt before the deadline
 * (another source, a timer kept from an earlier run, or one that could
 * not count that far) only means the timer must be armed again if it
 * fired: without that, a guest resumed here forever would never stop.
 */
static int resume_or_stop(struct svm_vcpu *v, struct vmm_exit *exit)
{
	if (deadline_passed(v->run_deadline)) {
		fill_other(v, exit, GMV_EXIT_INTR);
		return -EINTR;
	}
	deadline_arm(v->run_deadline);
	return SVM_RESUME;
}

static int handle_npf(struct svm_vcpu *v, struct vmm_exit *exit,
		      struct svm_npf *npf)
{
	u64 info = v->vmcb->ctl.exit_info1;
	u64 gpa = v->vmcb->ctl.exit_info2;
	u64 rip = v->vmcb->save.rip;

	if (info & SVM_NPF_RSVD)
		return internal_error(v, exit, "NPT entry with reserved bits");
	if ((gpa >> PAGE_SHIFT) == (v->last_npf_gpa >> PAGE_SHIFT) &&
	    rip == v->last_npf_rip) {
		if (++v->npf_repeat >= SVM_NPF_REPEAT_MAX)
			return internal_error(v, exit,
					      "the same nested fault repeats");
	} else {
		v->npf_repeat = 0;
	}
	v->last_npf_gpa = gpa;
	v->last_npf_rip = rip;
	npf->gpa = gpa;
	npf->write = info & SVM_NPF_W;
	npf->exec = info & SVM_NPF_ID;
	npf->present = info & SVM_NPF_P;
	npf->walk = info & SVM_NPF_GUEST_PT;
	return SVM_TO_NPF;
}

/* The exit's own handling: SVM_RESUME, SVM_TO_CASE or SVM_TO_NPF. */
static int dispatch(struct svm_vcpu *v, struct vmm_exit *exit,
		    struct svm_npf *npf)
{
	u64 code = v->vmcb->ctl.exit_code;

	if ((u32)code == SVM_EXIT_INVALID)
		return internal_error(v, exit, "VMRUN refused the VMCB");

	switch (code) {
	case SVM_EXIT_INTR:
		/* The host has taken the interrupt already, at STGI. */
	case SVM_EXIT_NMI:
		return SVM_RESUME;
	case SVM_EXIT_NPF:
		return handle_npf(v, exit, npf);
	case SVM_EXIT_IOIO:
		return handle_io(v, exit);
	case SVM_EXIT_VMMCALL:
		return handle_vmmcall(v, exit);
	case SVM_EXIT_HLT:
		/* KVM steps over HLT before it reports it. */
		v->vmcb->save.rip += 1;
		exit->reason = GMV_EXIT_HLT;
		return SVM_TO_CASE;
	case SVM_EXIT_SHUTDOWN:
		fill_other(v, exit, GMV_EXIT_SHUTDOWN);
		gmv_snprintf(v->why, sizeof(v->why), "shutdown");
		return SVM_TO_CASE;
	case SVM_EXIT_EXCP_BASE + X86_VEC_UD:
		return handle_ud(v, exit);
	default:
		if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_INTR)
			return guest_exception(v, exit);
		return internal_error(v, exit, "unexpected exit");
	}
}

int svm_handle_exit(struct svm_vcpu *v, struct vmm_exit *exit,
		    struct svm_npf *npf)
{
	int ret;

	memset(exit, 0, sizeof(*exit));
	v->pending = SVM_PENDING_NONE;
	v->why[0] = 0;
	if (v->vmcb->ctl.exit_code != SVM_EXIT_NPF)
		v->npf_repeat = 0;
	ret = dispatch(v, exit, npf);
	return ret == SVM_RESUME ? resume_or_stop(v, exit) : ret;
}

/* The bytes a MOV store writes: its immediate or its source register. */
static u64 store_value(struct svm_vcpu *v, const struct insn *in)
{
	u64 val = in->has_imm ? in->imm : *gpr(v, in->reg);

	if (in->high_byte)
		val >>= 8;
	return in->mem_size < 8 ? val & ((1ULL << (8 * in->mem_size)) - 1) :
				  val;
}

void svm_mmio_exit(struct svm_vcpu *v, const struct svm_npf *npf,
		   struct vmm_exit *exit)
{
	struct insn in;

	memset(exit, 0, sizeof(*exit));
	v->pending = SVM_PENDING_NONE;
	if (npf->walk) {
		fill_other(v, exit, GMV_EXIT_SHUTDOWN);
		gmv_snprintf(v->why, sizeof(v->why),
			     "guest page table at GPA %#llx, no memory there",
			     (unsigned long long)npf->gpa);
		return;
	}
	exit->reason = GMV_EXIT_MMIO;
	exit->mmio.gpa = npf->gpa;
	exit->mmio.is_write = npf->write;
	if (fetch_insn(v, &in) ||
	    (in.op != INSN_MOV_LOAD && in.op != INSN_MOV_STORE))
		return; /* len 0: the guest retries the access */
	exit->mmio.len = in.mem_size;
	if (in.op == INSN_MOV_STORE)
		exit->mmio.data = store_value(v, &in);
	v->pending_insn = in;
	set_pending(v, SVM_PENDING_MMIO, v->vmcb->save.rip + in.len);
}

void svm_complete_pending(struct svm_vcpu *v, const struct vmm_exit *exit)
{
	struct vmcb_save *st = &v->vmcb->save;
	enum svm_pending kind = v->pending;
	u64 *reg;

	v->pending = SVM_PENDING_NONE;
	/* Like KVM, nothing is completed once the case moved RIP. */
	if (kind == SVM_PENDING_NONE || st->rip != v->pending_rip)
		return;
	switch (kind) {
	case SVM_PENDING_IN: {
		struct insn load = { .op = INSN_MOV_LOAD,
				     .mem_size = v->pending_io_size,
				     .reg_size = v->pending_io_size };

		st->rax = insn_load_result(&load, st->rax, exit->io.data);
		break;
	}
	case SVM_PENDING_HYPERCALL:
		st->rax = exit->hypercall.ret;
		break;
	case SVM_PENDING_MMIO:
		if (v->pending_insn.op == INSN_MOV_LOAD) {
			reg = gpr(v, v->pending_insn.reg);
			*reg = insn_load_result(&v->pending_insn, *reg,
						exit->mmio.data);
		}
		break;
	default:
		break;
	}
	st->rip = v->pending_next;
	/* The instruction completed: a fault it meets again is new. */
	v->npf_repeat = 0;
}
