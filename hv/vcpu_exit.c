// SPDX-License-Identifier: MIT
/*
 * hv/vcpu_exit.c - the exit policy of native vCPUs: what a decoded exit
 * (struct arch_exit, hv/arch.h) means, the same for every backend.
 *
 * Exits to the case (struct vmm_exit) follow KVM's conventions (struct
 * kvm_run exit reasons, hv/kvm_abi.h): the guest's RIP still points at an
 * I/O, hypercall or MMIO instruction while the case looks at the exit, and
 * vcpu_complete() before the next run completes it (IN data into RAX,
 * hypercall.ret into RAX, mmio.data into the MOV's register) and steps
 * over it, unless the case moved RIP. A guest without an IDT meets every
 * exception as a triple fault (a SHUTDOWN exit, as from KVM), except the
 * confidential-computing instructions that trap as #UD: those go to the
 * VM's security model (hv/cc.h) first. Where the exit does not give an
 * instruction's length, it is measured from the guest's own bytes
 * (hv/x86/guest_walk.h, through the VM's second-level table); where it
 * gives the instruction's bytes (arch_exit.insn_bytes), those are decoded
 * instead.
 */
#include "hv/vcpu_int.h"
#include "hv/cc.h"
#include "hv/deadline.h"
#include "hv/kvm_abi.h"
#include "hv/vm.h"
#include "hv/x86/guest_walk.h"
#include "hv/x86/vectors.h"
#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/mem.h"

static u64 reg(const struct vcpu *c, enum arch_reg r)
{
	return c->ops->get_reg(c->arch, r);
}

static void set_reg(struct vcpu *c, enum arch_reg r, u64 val)
{
	c->ops->set_reg(c->arch, r, val);
}

_Static_assert(sizeof(((struct arch_exit *)0)->insn_bytes) == INSN_MAX_LEN,
	       "arch_exit.insn_bytes holds one instruction");

/*
 * The instruction at the exit's RIP: decoded from the bytes the hardware
 * gave with the exit when they hold a whole instruction, else from the
 * guest's memory (a CPU may fetch fewer bytes than the instruction has,
 * before a page it cannot read).
 */
static int exit_insn(const struct vcpu *c, const struct arch_exit *x,
		     struct insn *in)
{
	struct guest_mem m = {.cr3 = reg(c, ARCH_REG_CR3),
			      .lookup = c->ops->lookup,
			      .vm = c->avm};
	size_t n;

	if (x->insn_nbytes && !insn_decode(x->insn_bytes, x->insn_nbytes, in))
		return 0;
	return guest_fetch_insn(&m, x->rip, in, &n);
}

/* SHUTDOWN, INTERNAL_ERROR and INTR exits carry the backend's view. */
static void other_exit(const struct arch_exit *x, struct vmm_exit *exit,
		       u32 reason)
{
	exit->reason = reason;
	exit->other.code = x->code;
	exit->other.info1 = x->info1;
	exit->other.info2 = x->info2;
	exit->other.rip = x->rip;
}

static int internal_error(struct vcpu *c, const struct arch_exit *x,
			  struct vmm_exit *exit, const char *why)
{
	other_exit(x, exit, GMV_EXIT_INTERNAL_ERROR);
	gmv_snprintf(c->why, sizeof(c->why), "%s", why);
	return VCPU_TO_CASE;
}

/* An exception with no IDT to deliver it: KVM would see a triple fault. */
static int guest_exception(struct vcpu *c, const struct arch_exit *x,
			   struct vmm_exit *exit)
{
	other_exit(x, exit, GMV_EXIT_SHUTDOWN);
	gmv_snprintf(c->why, sizeof(c->why), "guest %s without an IDT",
		     x->name);
	return VCPU_TO_CASE;
}

static void owe(struct vcpu *c, enum vcpu_pending kind, u64 rip, u64 next)
{
	c->pending = kind;
	c->pending_rip = rip;
	c->pending_next = next;
}

/*
 * Before the guest is entered again for an exit handled here. Like KVM,
 * which leaves KVM_RUN with KVM_EXIT_INTR when a signal is pending at any
 * re-entry, the run ends with -EINTR once its deadline has passed,
 * whatever the exit: the timer's interrupt is taken by the host right
 * after any exit (hv/deadline.h), so it may arrive behind a hypercall, a
 * nested fault or an NMI exit and leave no exit of its own. An interrupt
 * before the deadline (another source, a timer kept from an earlier run,
 * or one that could not count that far) only means the timer must be
 * armed again if it fired: without that, a guest resumed here forever
 * would never stop.
 */
static int resume(struct vcpu *c, const struct arch_exit *x,
		  struct vmm_exit *exit)
{
	if (deadline_passed(c->deadline)) {
		other_exit(x, exit, GMV_EXIT_INTR);
		exit->other.rip = reg(c, ARCH_REG_RIP);
		return -EINTR;
	}
	deadline_arm(c->deadline);
	return VCPU_RESUME;
}

/* ---- what the exit policy does for the VM's model (struct cc_guest_svc) */

static struct vcpu *svc_vcpu(struct cc_guest_req *req)
{
	return req->svc_ctx;
}

static int svc_read(struct cc_guest_req *req, u64 gpa, void *buf, size_t len)
{
	struct vm_fault f;

	return vm_guest_access(req->vm, gpa, buf, len, VM_ACCESS_HOST, &f)
		       ? -EFAULT
		       : 0;
}

static int svc_write(struct cc_guest_req *req, u64 gpa, const void *buf,
		     size_t len)
{
	struct vm_fault f;

	return vm_guest_access(req->vm, gpa, (void *)buf, len,
			       VM_ACCESS_HOST | VM_ACCESS_WRITE, &f)
		       ? -EFAULT
		       : 0;
}

/*
 * The guest's tables as its walker reads them, for an instruction the CPU
 * never translated (PVALIDATE under QEMU raises #UD first): through the
 * fault path, so a table page not mapped yet is read all the same.
 * guest_mem.vm carries the struct vm here. An alias bit in a table's GPA
 * is dropped: the walk reads the page itself.
 */
static int table_lookup(const struct arch_vm *p, u64 gpa, struct arch_xlate *x)
{
	struct vm *vm = (struct vm *)p;
	struct vm_fault f = {.gpa = gpa & ~vm_cc(vm)->alias_bit,
			     .access = VM_ACCESS_HOST};

	if (vm_fault(vm, &f))
		return -ENOENT;
	x->hpa = f.pa + (gpa & (PAGE_SIZE - 1));
	x->order = 0;
	x->writable = false;
	return 0;
}

static int svc_translate(struct cc_guest_req *req, u64 va, u64 *gpa)
{
	struct guest_mem m = {.cr3 = req->regs[ARCH_REG_CR3],
			      .lookup = table_lookup,
			      .vm = (const struct arch_vm *)req->vm};

	return guest_translate(&m, va, gpa) ? -EFAULT : 0;
}

/* A fault path failure as the exit for the case (handle_fault's form). */
static void fault_exit(const struct vm_fault *vf, struct vmm_exit *exit)
{
	exit->reason = vf->exit_reason;
	exit->memory_fault.flags = vf->exit_flags;
	exit->memory_fault.gpa = vf->exit_gpa;
	exit->memory_fault.size = vf->exit_size;
}

static int svc_fault_in(struct cc_guest_req *req, u64 gpa, bool private,
			phys_addr_t *pa, unsigned int *order,
			struct vmm_exit *exit)
{
	struct vm_fault vf = {.gpa = gpa,
			      .access = private ? VM_ACCESS_PRIVATE : 0};
	int r = vm_fault(req->vm, &vf);

	if (r) {
		fault_exit(&vf, exit);
		return r;
	}
	*pa = vf.pa;
	*order = vf.max_order;
	return 0;
}

static void svc_zap(struct cc_guest_req *req, u64 gpa, u64 size)
{
	vm_zap_range(req->vm, gpa >> PAGE_SHIFT,
		     (gpa + size + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

static void svc_inject(struct cc_guest_req *req, u8 vector, u32 error_code)
{
	struct vcpu *c = svc_vcpu(req);

	c->inject_owed = true;
	c->inject_vector = vector;
	c->inject_error = error_code;
}

/* Deliver what the model asked, after its registers are in place. */
static void inject_owed(struct vcpu *c)
{
	if (!c->inject_owed)
		return;
	c->inject_owed = false;
	c->ops->inject(c->arch, c->inject_vector, c->inject_error);
}

static const struct cc_guest_svc vcpu_svc = {
	.read = svc_read,
	.write = svc_write,
	.translate = svc_translate,
	.fault_in = svc_fault_in,
	.zap = svc_zap,
	.inject = svc_inject,
};

/* A request to the model from this vCPU, without its registers (the
 * access check on the fault path reads none). */
static void cc_req_base(struct vcpu *c, struct cc_guest_req *req)
{
	req->vm = c->vm;
	req->vcpu = c->index;
	req->svc = &vcpu_svc;
	req->svc_ctx = c;
	req->why[0] = 0;
	c->inject_owed = false;
}

/* A request to the model from this vCPU, with its registers. */
static void cc_req_init(struct vcpu *c, struct cc_guest_req *req)
{
	cc_req_base(c, req);
	for (int r = 0; r < ARCH_NR_REGS; r++)
		req->regs[r] = reg(c, r);
}

/* Write back the registers the model changed. */
static void cc_req_apply(struct vcpu *c, const struct cc_guest_req *req)
{
	for (int r = 0; r < ARCH_NR_REGS; r++)
		if (req->regs[r] != reg(c, r))
			set_reg(c, r, req->regs[r]);
}

/* The model failed a request: an internal error saying why. */
static int cc_failed(struct vcpu *c, const struct arch_exit *x,
		     const struct cc_guest_req *req, struct vmm_exit *exit,
		     int r)
{
	other_exit(x, exit, GMV_EXIT_INTERNAL_ERROR);
	if (req->why[0])
		gmv_snprintf(c->why, sizeof(c->why), "%s: %s",
			     vm_cc(c->vm)->name, req->why);
	else
		gmv_snprintf(c->why, sizeof(c->why),
			     "%s: guest request failed (%d)",
			     vm_cc(c->vm)->name, r);
	return VCPU_TO_CASE;
}

/*
 * Offer a guest request to the VM's security model. False when the model
 * leaves it to this file (no guest hook, or CC_GUEST_UNHANDLED); else true
 * with *ret the exit's outcome: the guest resumed with the registers the
 * model wrote, the model's exit for the case (owing the model its
 * completion if it asks), or an internal error.
 */
static bool cc_took(struct vcpu *c, const struct arch_exit *x,
		    struct cc_guest_req *req, struct vmm_exit *exit, int *ret)
{
	const struct cc_ops *cc = vm_cc(c->vm);
	int r;

	if (!cc->guest)
		return false;
	cc_req_init(c, req);
	r = cc->guest(req, exit);
	switch (r) {
	case CC_GUEST_UNHANDLED:
		return false;
	case CC_GUEST_RESUME:
		cc_req_apply(c, req);
		inject_owed(c);
		*ret = resume(c, x, exit);
		return true;
	case CC_GUEST_EXIT_OWED:
		owe(c, VCPU_PENDING_CC, x->rip, x->rip);
		/* fall through */
	case CC_GUEST_EXIT:
		/* A memory-fault exit (the fault path's, through fault_in)
		 * comes with -EFAULT, as vcpu_run() promises. */
		*ret = exit->reason == GMV_EXIT_MEMORY_FAULT ? -EFAULT
							     : VCPU_TO_CASE;
		return true;
	default:
		*ret = cc_failed(c, x, req, exit, r);
		return true;
	}
}

static int handle_io(struct vcpu *c, const struct arch_exit *x,
		     struct vmm_exit *exit)
{
	u8 size = x->io.size;

	/* struct vmm_exit carries one value: INS/OUTS cannot be expressed. */
	if (x->io.string)
		return internal_error(c, x, exit, "string port I/O (INS/OUTS)");
	exit->reason = GMV_EXIT_IO;
	exit->io.port = x->io.port;
	exit->io.size = size;
	exit->io.in = x->io.in;
	exit->io.count = 1;
	if (!x->io.in)
		exit->io.data =
			reg(c, ARCH_REG_RAX) & (~0ULL >> (64 - 8 * size));
	c->pending_io_size = size;
	owe(c, x->io.in ? VCPU_PENDING_IN : VCPU_PENDING_OUT, x->rip,
	    x->rip + x->insn_len);
	return VCPU_TO_CASE;
}

/* The hypercall instructions: VMMCALL and VMGEXIT (AMD), VMCALL
 * (Intel). */
static bool is_hypercall_insn(enum insn_op op)
{
	return op == INSN_VMMCALL || op == INSN_VMGEXIT || op == INSN_VMCALL;
}

/* A hypercall answered here: RAX = ret, step over it, go on. */
static int hypercall_answer(struct vcpu *c, const struct arch_exit *x,
			    struct vmm_exit *exit, u64 ret, u64 next)
{
	set_reg(c, ARCH_REG_RAX, ret);
	c->ops->complete(c->arch, next);
	return resume(c, x, exit);
}

/*
 * KVM's hypercall ABI (Documentation/virt/kvm/x86/hypercalls.rst): number
 * in RAX, arguments in RBX, RCX, RDX, RSI, result in RAX.
 * KVM_HC_MAP_GPA_RANGE goes to the case as KVM_EXIT_HYPERCALL after KVM's
 * own argument check (the VM's model may take it first); other numbers get
 * -KVM_ENOSYS. Two differences from KVM: KVM answers -KVM_EPERM to a
 * hypercall from CPL > 0, and it exits only when the VMM enabled
 * KVM_CAP_EXIT_HYPERCALL; the native backend takes hypercalls from any
 * CPL and always exits (test guests that make them run at CPL0 anyway,
 * so that Linux runs them too). VMGEXIT goes to the model first; unless it
 * takes it, it is a hypercall like VMMCALL. VMCALL, Intel's instruction,
 * is the same hypercall.
 */
static int handle_hypercall(struct vcpu *c, const struct arch_exit *x,
			    struct vmm_exit *exit)
{
	u64 gpa, npages, next;
	struct insn in;
	int ret;

	/* Which instruction, and its length: QEMU reports VMGEXIT (F3 0F 01
	 * D9) as a VMMCALL exit, without next_rip; VMX's VMCALL exit (0F 01
	 * C1) and SVM's with NRIPS carry their length. A length the
	 * hardware gave must be the one the bytes have. */
	if (exit_insn(c, x, &in) || !is_hypercall_insn(in.op))
		return internal_error(c, x, exit,
				      "hypercall exit at an "
				      "undecodable instruction");
	if (x->insn_len && x->insn_len != in.len) {
		other_exit(x, exit, GMV_EXIT_INTERNAL_ERROR);
		gmv_snprintf(c->why, sizeof(c->why),
			     "%s exit: the CPU's length %u, the bytes' %u",
			     insn_op_name(in.op), x->insn_len, in.len);
		return VCPU_TO_CASE;
	}
	next = x->rip + in.len;
	if (in.op == INSN_VMGEXIT) {
		struct cc_guest_req req = {.kind = CC_GUEST_VMGEXIT,
					   .insn = &in};

		if (cc_took(c, x, &req, exit, &ret))
			return ret;
	}
	if (reg(c, ARCH_REG_RAX) != GMV_HC_MAP_GPA_RANGE)
		return hypercall_answer(c, x, exit, -(u64)GMV_KVM_ENOSYS, next);
	gpa = reg(c, ARCH_REG_RBX);
	npages = reg(c, ARCH_REG_RCX);
	if (!IS_ALIGNED(gpa, PAGE_SIZE) || !npages ||
	    (gpa >> PAGE_SHIFT) + npages <= (gpa >> PAGE_SHIFT))
		return hypercall_answer(c, x, exit, -(u64)GMV_KVM_EINVAL, next);
	{
		struct cc_guest_req req = {.kind = CC_GUEST_MAP_GPA,
					   .gpa = gpa,
					   .npages = npages,
					   .attrs = reg(c, ARCH_REG_RDX)};

		if (cc_took(c, x, &req, exit, &ret))
			return ret;
	}
	exit->reason = GMV_EXIT_HYPERCALL;
	exit->hypercall.nr = GMV_HC_MAP_GPA_RANGE;
	exit->hypercall.args[0] = gpa;
	exit->hypercall.args[1] = npages;
	exit->hypercall.args[2] = reg(c, ARCH_REG_RDX); /* attrs */
	exit->hypercall.ret = 0;
	owe(c, VCPU_PENDING_HYPERCALL, x->rip, next);
	return VCPU_TO_CASE;
}

/* The SEV-SNP and TDX instructions, which trap as #UD outside such a
 * guest. */
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
 * A guest exception. A confidential-computing instruction behind a #UD
 * goes to the VM's model; one the model leaves alone ends the run as an
 * internal error saying it is not emulated, with other.info2 = its enum
 * insn_op. The other vendor's hypercall instruction behind a #UD (VMMCALL
 * or VMGEXIT under VMX, VMCALL under SVM) is the hypercall, as KVM
 * emulates it (arch/x86/kvm/x86.c handle_ud(), the emulator's
 * em_hypercall()). Anything else is a triple fault.
 */
static int handle_exception(struct vcpu *c, const struct arch_exit *x,
			    struct vmm_exit *exit)
{
	struct cc_guest_req req = {.kind = CC_GUEST_INSN};
	struct insn in;
	int ret;

	if (x->vector != X86_VEC_UD || exit_insn(c, x, &in))
		return guest_exception(c, x, exit);
	if (is_hypercall_insn(in.op))
		return handle_hypercall(c, x, exit);
	if (!is_cc_insn(in.op))
		return guest_exception(c, x, exit);
	req.insn = &in;
	if (cc_took(c, x, &req, exit, &ret))
		return ret;
	other_exit(x, exit, GMV_EXIT_INTERNAL_ERROR);
	exit->other.info2 = in.op;
	gmv_snprintf(c->why, sizeof(c->why), "%s (%u bytes) is not emulated",
		     insn_op_name(in.op), in.len);
	return VCPU_TO_CASE;
}

/*
 * A nested fault at a GPA no memslot takes: an MMIO exit. The faulting MOV
 * is decoded for the access size and, for a store, the data (len 0 if it
 * is not a MOV form the decoder knows: the guest then retries the access
 * on the next run); a decoded MOV is completed on the next run. A fault in
 * the guest's own page walk is no access of the instruction: KVM's walker
 * cannot read such a table and injects #PF, which a guest without an IDT
 * turns into a triple fault, so it is a SHUTDOWN exit.
 */
static int mmio_exit(struct vcpu *c, const struct arch_exit *x,
		     struct vmm_exit *exit)
{
	const struct arch_fault *f = &x->fault;
	struct insn in;

	if (f->walk) {
		other_exit(x, exit, GMV_EXIT_SHUTDOWN);
		gmv_snprintf(c->why, sizeof(c->why),
			     "guest page table at GPA %#llx, no memory there",
			     (unsigned long long)f->gpa);
		return VCPU_TO_CASE;
	}
	exit->reason = GMV_EXIT_MMIO;
	exit->mmio.gpa = f->gpa;
	exit->mmio.is_write = f->write;
	if (exit_insn(c, x, &in) ||
	    (in.op != INSN_MOV_LOAD && in.op != INSN_MOV_STORE))
		return VCPU_TO_CASE; /* len 0: the guest retries the access */
	exit->mmio.len = in.mem_size;
	if (in.op == INSN_MOV_STORE)
		exit->mmio.data =
			insn_store_value(&in, reg(c, ARCH_REG_RAX + in.reg));
	c->pending_insn = in;
	owe(c, VCPU_PENDING_MMIO, x->rip, x->rip + in.len);
	return VCPU_TO_CASE;
}

/* The same fault (page and RIP) for the VCPU_FAULT_REPEAT_MAX-th time in a
 * row: the guest makes no progress. */
static bool fault_repeats(struct vcpu *c, const struct arch_exit *x)
{
	u64 gpa = x->fault.gpa;

	if ((gpa >> PAGE_SHIFT) == (c->last_fault_gpa >> PAGE_SHIFT) &&
	    x->rip == c->last_fault_rip) {
		if (++c->fault_repeat >= VCPU_FAULT_REPEAT_MAX)
			return true;
	} else {
		c->fault_repeat = 0;
	}
	c->last_fault_gpa = gpa;
	c->last_fault_rip = x->rip;
	return false;
}

/* Is the faulting access private? The VM's model says where to look. */
static bool fault_private(const struct vcpu *c, const struct arch_fault *f)
{
	switch (vm_cc(c->vm)->private_source) {
	case CC_PRIVATE_ATTRIBUTE:
		return vm_gfn_private(c->vm, f->gpa >> PAGE_SHIFT);
	case CC_PRIVATE_FROM_EXIT:
		return f->private;
	default:
		return false;
	}
}

/*
 * A nested fault: ask the VM's fault path what backs the GPA and map the
 * largest block it allows (gmem's order, slot alignment and attribute
 * uniformity are in max_order). Resumes when mapped; else an MMIO exit, a
 * SHUTDOWN for a guest page table without memory, or -errno with the
 * fault path's memory-fault exit, also when the mapping could not be made
 * (-ENOMEM for a table page), as vcpu_run() promises.
 */
static int handle_fault(struct vcpu *c, const struct arch_exit *x,
			struct vmm_exit *exit)
{
	const struct cc_ops *cc = vm_cc(c->vm);
	struct arch_fault f = x->fault;
	struct vm_fault vf;
	bool private;
	int r;

	if (fault_repeats(c, x))
		return internal_error(c, x, exit,
				      "the same nested fault repeats");
	/* The model's alias bit tells the access's kind (hv/cc.h): SNP's
	 * C-bit set is private, TDX's shared bit clear is. */
	if (cc->alias_bit) {
		bool set = f.gpa & cc->alias_bit;

		f.gpa &= ~cc->alias_bit;
		if (cc->alias_shared)
			f.private = !set;
		else if (set)
			f.private = true;
	}
	private = fault_private(c, &f);
	vf = (struct vm_fault){.gpa = f.gpa};
	if (f.write)
		vf.access |= VM_ACCESS_WRITE;
	if (private)
		vf.access |= VM_ACCESS_PRIVATE;
	r = vm_fault(c->vm, &vf);
	if (!r && private && cc->access) {
		struct cc_guest_req req = {.kind = CC_GUEST_INSN};

		cc_req_base(c, &req);
		r = cc->access(&req, f.gpa, vf.pa, f.write, &vf.max_order);
		if (r == CC_ACCESS_INJECTED) {
			inject_owed(c);
			return resume(c, x, exit);
		}
		if (r)
			return cc_failed(c, x, &req, exit, r);
	}
	if (!r) {
		u64 at = f.gpa | cc_alias_of(cc, private);

		r = c->ops->map(c->avm, at, vf.pa, vf.max_order, vf.writable,
				private);
		if (!r)
			return resume(c, x, exit);
		vm_memory_fault(&vf, r);
	}
	if (vf.exit_reason == GMV_EXIT_MMIO) {
		struct arch_exit mx = *x;

		mx.fault = f;
		return mmio_exit(c, &mx, exit);
	}
	fault_exit(&vf, exit);
	return r;
}

/*
 * RDMSR and WRMSR: the VM's model first (SEV-SNP's GHCB MSR and
 * SEV_STATUS); any other MSR is not emulated here, and the run ends as an
 * internal error naming it (KVM would answer from its MSR list or inject
 * #GP: no test guest reads MSRs but SNP ones).
 */
static int handle_msr(struct vcpu *c, const struct arch_exit *x,
		      struct vmm_exit *exit)
{
	struct cc_guest_req req = {.kind = CC_GUEST_MSR,
				   .msr_write = x->msr.write};
	int ret;

	if (cc_took(c, x, &req, exit, &ret))
		return ret;
	other_exit(x, exit, GMV_EXIT_INTERNAL_ERROR);
	gmv_snprintf(c->why, sizeof(c->why), "%s of MSR %#llx is not emulated",
		     x->msr.write ? "WRMSR" : "RDMSR",
		     (unsigned long long)(u32)reg(c, ARCH_REG_RCX));
	return VCPU_TO_CASE;
}

void vcpu_exit_reset(struct vcpu *c)
{
	/* A request the model waits on goes with the old guest state. */
	if (c->pending == VCPU_PENDING_CC) {
		struct cc_guest_req req = {.kind = CC_GUEST_VMGEXIT};

		cc_req_init(c, &req);
		vm_cc(c->vm)->guest_complete(&req, NULL, NULL);
	}
	c->pending = VCPU_PENDING_NONE;
	c->fault_repeat = 0;
}

int vcpu_handle_exit(struct vcpu *c, const struct arch_exit *x,
		     struct vmm_exit *exit)
{
	memset(exit, 0, sizeof(*exit));
	c->pending = VCPU_PENDING_NONE;
	c->why[0] = 0;
	if (x->kind != ARCH_EXIT_FAULT)
		c->fault_repeat = 0;
	switch (x->kind) {
	case ARCH_EXIT_NONE:
		return resume(c, x, exit);
	case ARCH_EXIT_FAULT:
		return handle_fault(c, x, exit);
	case ARCH_EXIT_IO:
		return handle_io(c, x, exit);
	case ARCH_EXIT_HYPERCALL:
		return handle_hypercall(c, x, exit);
	case ARCH_EXIT_HLT:
		/* KVM steps over HLT (F4, one byte) before it reports it. */
		c->ops->complete(c->arch, x->rip + (x->insn_len ?: 1));
		exit->reason = GMV_EXIT_HLT;
		return VCPU_TO_CASE;
	case ARCH_EXIT_SHUTDOWN:
		other_exit(x, exit, GMV_EXIT_SHUTDOWN);
		gmv_snprintf(c->why, sizeof(c->why), "shutdown");
		return VCPU_TO_CASE;
	case ARCH_EXIT_EXCEPTION:
		return handle_exception(c, x, exit);
	case ARCH_EXIT_MSR:
		return handle_msr(c, x, exit);
	default:
		return internal_error(c, x, exit, x->why ?: "unexpected exit");
	}
}

int vcpu_complete(struct vcpu *c, struct vmm_exit *exit)
{
	enum vcpu_pending kind = c->pending;
	enum arch_reg r;

	c->pending = VCPU_PENDING_NONE;
	/* Like KVM, nothing is completed once the case moved RIP; the
	 * model drops its request then. */
	if (kind == VCPU_PENDING_CC && reg(c, ARCH_REG_RIP) != c->pending_rip) {
		struct cc_guest_req req = {.kind = CC_GUEST_VMGEXIT};

		cc_req_init(c, &req);
		if (vm_cc(c->vm)->guest_complete(&req, NULL, NULL) >= 0)
			return 0;
		gmv_snprintf(c->why, sizeof(c->why),
			     "%s: dropping an unanswered request failed",
			     vm_cc(c->vm)->name);
		return -EIO;
	}
	if (kind == VCPU_PENDING_NONE || reg(c, ARCH_REG_RIP) != c->pending_rip)
		return 0;
	switch (kind) {
	case VCPU_PENDING_CC: {
		struct cc_guest_req req = {.kind = CC_GUEST_VMGEXIT};
		struct vmm_exit next = {0};
		int r;

		cc_req_init(c, &req);
		r = vm_cc(c->vm)->guest_complete(&req, exit, &next);
		if (r == CC_GUEST_EXIT_OWED) {
			/* The guest stays where it is: registers and RIP
			 * wait for the last answer. */
			*exit = next;
			owe(c, VCPU_PENDING_CC, c->pending_rip, c->pending_rip);
			return VCPU_TO_CASE;
		}
		if (r != CC_GUEST_RESUME) {
			gmv_snprintf(c->why, sizeof(c->why), "%s: %s",
				     vm_cc(c->vm)->name,
				     req.why[0] ? req.why
						: "completion failed");
			return r < 0 ? r : -EIO;
		}
		cc_req_apply(c, &req);
		inject_owed(c);
		c->fault_repeat = 0;
		return 0;
	}
	case VCPU_PENDING_IN: {
		struct insn load = {.op = INSN_MOV_LOAD,
				    .mem_size = c->pending_io_size,
				    .reg_size = c->pending_io_size};

		set_reg(c, ARCH_REG_RAX,
			insn_load_result(&load, reg(c, ARCH_REG_RAX),
					 exit->io.data));
		break;
	}
	case VCPU_PENDING_HYPERCALL:
		set_reg(c, ARCH_REG_RAX, exit->hypercall.ret);
		break;
	case VCPU_PENDING_MMIO:
		if (c->pending_insn.op != INSN_MOV_LOAD)
			break;
		r = ARCH_REG_RAX + c->pending_insn.reg;
		set_reg(c, r,
			insn_load_result(&c->pending_insn, reg(c, r),
					 exit->mmio.data));
		break;
	default:
		break;
	}
	c->ops->complete(c->arch, c->pending_next);
	/* The instruction completed: a fault it meets again is new. */
	c->fault_repeat = 0;
	return 0;
}
