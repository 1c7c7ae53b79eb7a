// SPDX-License-Identifier: MIT
/*
 * hv/tdx/tdx_guest.c - a TD guest's side of the machine where the CPU has
 * no TDX and the module model stands in (cc_tdx_model): what the TDX
 * module does for the guest, done at the exits the guest causes instead.
 *
 *  - access (a private access the fault path resolved, before it is
 *    mapped): the S-EPT leaf decides. MAPPED maps, no larger than the
 *    leaf; PENDING is the module's #VE for an access to a page not
 *    accepted (Intel TDX module base architecture spec, "Pending Page
 *    Access": the TD runs with SEPT_VE_DISABLE clear), with the EPT
 *    violation's exit qualification and GPA in the vCPU's VE_INFO.
 *  - TDCALL, which raises #UD on a CPU without TDX: the leaves a test TD
 *    uses (Intel TDX module ABI spec, "TDCALL Leaves"):
 *    TDG.VP.VMCALL (0; only the GHCI's MapGPA), TDG.VP.INFO (1),
 *    TDG.VP.VEINFO.GET (3), TDG.MEM.PAGE.ACCEPT (6). Any other leaf is
 *    TDX_OPERAND_INVALID for RAX, as the module's dispatcher answers an
 *    unknown one.
 *  - MapGPA becomes the KVM_HC_MAP_GPA_RANGE exit KVM's tdx_map_gpa()
 *    makes of it, at most 2 MiB per exit, and the case's answer is
 *    completed into R10/R11 before the guest runs again.
 *
 * On a CPU with TDX none of this runs: the module handles TDCALL and the
 * S-EPT itself, and the VMM sees only the exits. docs/ARCHITECTURE.md
 * ("TD guests on a CPU without TDX") says what this cannot show.
 */
#include "hv/tdx/tdx_int.h"
#include "hv/kvm_abi.h"
#include "hv/vm.h"
#include "hv/x86/cpu.h"
#include "hv/x86/insn_decode.h"
#include "hv/x86/vectors.h"
#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* TDCALL leaf numbers, RAX[15:0]; RAX[23:16] is the leaf's version. */
#define TDG_VP_VMCALL 0
#define TDG_VP_INFO 1
#define TDG_VP_VEINFO_GET 3
#define TDG_MEM_PAGE_ACCEPT 6
#define TDCALL_LEAF(rax) ((rax)&0xffff)
#define TDCALL_VERSION(rax) (((rax) >> 16) & 0xff)
#define TDX_OPERAND_RAX 0

/* TDG.VP.VEINFO.GET's status when VE_INFO holds nothing (ABI spec). */
#define TDX_NO_VALID_VE_INFO 0xC000070400000000ULL

/* TDG.VP.VMCALL: RCX is the bitmap of the GPRs the guest exposes to the
 * VMM; RAX, RCX and RSP (bits 0, 1, 4) and bits 63:32 must be clear
 * (ABI spec, TDG.VP.VMCALL input operands), and RBP (bit 5) too in a TD
 * made with CONFIG_FLAGS.NO_RBP_MOD, which KVM always sets
 * (setup_tdparams()); the module's tdg_vp_vmcall() checks them. Only the
 * exposed GPRs come back from the VMM (save_regs_after_tdvmcall()). R10 =
 * 0 is a GHCI call, R11 its sub-function (GHCI spec, "TDG.VP.VMCALL
 * Interface"). */
#define VMCALL_BAD_BITMAP (BIT(0) | BIT(1) | BIT(4) | BIT(5) | (~0ULL << 32))
#define TDVMCALL_MAP_GPA 0x10001
#define TDVMCALL_STATUS_SUCCESS 0ULL
#define TDVMCALL_STATUS_RETRY 1ULL
#define TDVMCALL_STATUS_INVALID_OPERAND 0x8000000000000000ULL
#define TDVMCALL_STATUS_ALIGN_ERROR 0x8000000000000002ULL
#define TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED 0x8000000000000003ULL
/* KVM exits for MapGPA in chunks of this much (TDX_MAP_GPA_MAX_LEN). */
#define MAP_GPA_CHUNK (2ULL << 20)
/* The answers KVM's TDX code takes from userspace in
 * KVM_HC_MAP_GPA_RANGE's hypercall.ret besides 0 (kvm-x86 commit
 * 3e2dec1ede0a, "KVM: TDX: Allow userspace to return errors to guest for
 * MAPGPA"): EAGAIN asks the guest to retry, EINVAL fails the request;
 * any other value fails KVM_RUN with EINVAL. */
#define MAP_GPA_RET_EAGAIN 11ULL
#define MAP_GPA_RET_EINVAL 22ULL

/* #VE (vector 20) for an EPT violation: exit reason 48 (Intel SDM vol. 3
 * appendix C) and its exit qualification (SDM Table 28-7): bit 0 read,
 * bit 1 write; GLA valid (bit 7) stays clear, for SVM's nested fault
 * does not report the linear address. */
#define EXIT_REASON_EPT_VIOLATION 48
#define EPT_QUAL_READ BIT(0)
#define EPT_QUAL_WRITE BIT(1)

#define TDCALL_LEN 4
#define SIZE_2M (2ULL << 20)

static struct tdx_vm *tdx_of(const struct cc_guest_req *req)
{
	return vm_cc_state(req->vm);
}

static struct tdx_vcpu *vcpu_of(const struct cc_guest_req *req)
{
	return &tdx_of(req)->vcpu[req->vcpu];
}

static u64 *reg(struct cc_guest_req *req, enum arch_reg r)
{
	return &req->regs[r];
}

/* The TDCALL returns: RAX = status, RIP past it. */
static int done(struct cc_guest_req *req, u64 status)
{
	*reg(req, ARCH_REG_RAX) = status;
	*reg(req, ARCH_REG_RIP) += TDCALL_LEN;
	return CC_GUEST_RESUME;
}

/* The model's guests keep the shared bit (GPA bit 47, GPAW 48) in the
 * guest-physical address. */
const char *tdx_guest_lacks(void)
{
	return cc_alias_bit_lacks(TDX_GPAW - 1, "TDX model's shared bit");
}

/*
 * A pending page's #VE: VE_INFO filled and #VE injected; a #VE while
 * VE_INFO still holds the last one (the guest has not read it) becomes
 * #DF, as the module converts it (base spec, "#VE Injection").
 */
static void inject_ve(struct cc_guest_req *req, u64 gpa, bool write)
{
	struct tdx_ve_info *ve = &vcpu_of(req)->ve;

	if (ve->valid) {
		req->svc->inject(req, X86_VEC_DF, 0);
		return;
	}
	*ve = (struct tdx_ve_info){
		.valid = true,
		.exit_reason = EXIT_REASON_EPT_VIOLATION,
		.exit_qualification = write ? EPT_QUAL_WRITE : EPT_QUAL_READ,
		.gpa = gpa,
	};
	req->svc->inject(req, X86_VEC_VE, 0);
}

int tdx_access(struct cc_guest_req *req, u64 gpa, phys_addr_t pa, bool write,
	       unsigned int *order)
{
	u64 td = tdx_of(req)->td;
	struct tdx_entry_info e;

	if (tdx_model_entry(tdx_cc_model(), td, gpa, TDX_LEVEL_4K, &e)) {
		gmv_snprintf(req->why, sizeof(req->why), "no TD %llu",
			     (unsigned long long)td);
		return -EIO;
	}
	if (!e.reached && e.level != TDX_LEVEL_2M)
		e.state = TDX_SEPT_FREE; /* a table missing on the way */
	switch (e.state) {
	case TDX_SEPT_MAPPED:
		/* The fault path allows 2 MiB over 4 KiB leaves only where
		 * they can merge (tdx_max_order): KVM's huge-page code
		 * promotes them then, and so does this. */
		if (!e.reached ||
		    (*order >= 9 &&
		     !tdx_cc_promote(td, ALIGN_DOWN(gpa, SIZE_2M))))
			*order = MIN(*order, 9U);
		else
			*order = 0;
		return 0;
	case TDX_SEPT_PENDING:
		inject_ve(req, gpa, write);
		return CC_ACCESS_INJECTED;
	default:
		/* gmem's prepare AUGs every private page it hands out and
		 * refuses a blocked one (-EBUSY): another state here is a
		 * bug of the hooks, not of the guest. */
		gmv_snprintf(
			req->why, sizeof(req->why),
			"S-EPT entry of GPA %#llx is in state %#x (page %p)",
			(unsigned long long)gpa, e.state, (void *)pa);
		return -EIO;
	}
}

/* TDG.VP.INFO: RCX = GPAW, RDX = the TD's attributes (none set: no
 * DEBUG, SEPT_VE_DISABLE clear), R8 = number of vCPUs [31:0] and the
 * maximum [63:32] (the TD is made with all its vCPUs), R9 = this vCPU's
 * index, R10 = the TDCALLs available (bit 0 TDG.SYS.RD: module 1.5 sets
 * it, the model has no TDG.SYS.RD and clears it), R11 reserved. */
static int vp_info(struct cc_guest_req *req)
{
	struct tdx_td_info ti;

	if (tdx_model_td(tdx_cc_model(), tdx_of(req)->td, &ti))
		return -EIO;
	*reg(req, ARCH_REG_RCX) = TDX_GPAW;
	*reg(req, ARCH_REG_RDX) = 0;
	*reg(req, ARCH_REG_R8) = ti.nr_vcpus | (u64)ti.nr_vcpus << 32;
	*reg(req, ARCH_REG_R9) = req->vcpu;
	*reg(req, ARCH_REG_R10) = 0;
	*reg(req, ARCH_REG_R11) = 0;
	return done(req, TDX_SUCCESS);
}

/* TDG.VP.VEINFO.GET: RCX = exit reason (version 1, which newer modules
 * than 1.5 accept: the #VE category in 39:32, left 0 here), RDX = exit
 * qualification, R8 = GLA, R9 = GPA, R10 = instruction length and
 * information (none for an EPT violation); VE_INFO is free again. */
static int veinfo_get(struct cc_guest_req *req, unsigned int version)
{
	struct tdx_ve_info *ve = &vcpu_of(req)->ve;
	static const enum arch_reg out[] = {ARCH_REG_RCX, ARCH_REG_RDX,
					    ARCH_REG_R8, ARCH_REG_R9,
					    ARCH_REG_R10};

	/* A version refused is the dispatcher's answer: no output is
	 * written (the module's td_call() checks it before the leaf). */
	if (version > 1)
		return done(req, TDX_OPERAND_INVALID | TDX_OPERAND_RAX);
	for (unsigned int i = 0; i < ARRAY_SIZE(out); i++)
		*reg(req, out[i]) = 0;
	if (!ve->valid)
		return done(req, TDX_NO_VALID_VE_INFO);
	*reg(req, ARCH_REG_RCX) = ve->exit_reason;
	*reg(req, ARCH_REG_RDX) = ve->exit_qualification;
	*reg(req, ARCH_REG_R8) = ve->gla;
	*reg(req, ARCH_REG_R9) = ve->gpa;
	ve->valid = false;
	return done(req, TDX_SUCCESS);
}

/* A zeroed page or 2 MiB at gpa's backing: ACCEPT clears what it maps
 * (ABI spec, TDG.MEM.PAGE.ACCEPT). The block behind a 2 MiB leaf is one
 * naturally aligned 2 MiB of the model's range. */
static void zero_accepted(u64 td, u64 gpa, unsigned int level)
{
	struct tdx_entry_info e;

	if (tdx_model_entry(tdx_cc_model(), td, gpa, level, &e) || !e.reached)
		return;
	memset((void *)tdx_cc_pa(e.hpa), 0, tdx_level_size(level));
}

/*
 * TDG.MEM.PAGE.ACCEPT: RCX = GPA | level (0 or 1). A page the host has not
 * AUGed yet is the module's TD exit (EPT violation, ACCEPT): KVM maps it
 * and the guest's TDCALL runs again; here the fault path gives the page
 * (gmem prepares it: AUG) and the ACCEPT goes on. A 4 KiB accept of a
 * page inside a PENDING 2 MiB leaf is the same exit, where KVM with
 * huge pages splits the leaf (DEMOTE) and the guest retries.
 */
static int accept(struct cc_guest_req *req, struct vmm_exit *exit)
{
	u64 rcx = *reg(req, ARCH_REG_RCX), td = tdx_of(req)->td;
	u64 gpa = rcx & ~0xfffULL, st;
	unsigned int level = rcx & 7, order;
	struct tdx_ext x;
	phys_addr_t pa;

	/* RCX bits 11:3 are reserved (ABI spec, page_info operand); the
	 * model checks the rest itself, and only an address it could reach
	 * is faulted in (a shared GPA is no private page). */
	if (rcx & 0xff8)
		return done(req, TDX_OPERAND_INVALID | TDX_OPERAND_RCX);
	if (level <= TDX_LEVEL_2M && gpa < TDX_SHARED_BIT &&
	    IS_ALIGNED(gpa, tdx_level_size(level)) &&
	    req->svc->fault_in(req, gpa, true, &pa, &order, exit))
		return CC_GUEST_EXIT;
	st = tdx_accept(tdx_cc_model(), td, req->vcpu, gpa, level, &x);
	if (st == TDX_EXIT_EPT_VIOLATION && level == TDX_LEVEL_4K &&
	    (x.rdx & 7) == TDX_LEVEL_2M &&
	    (x.rdx >> 8 & 0xff) == TDX_SEPT_PENDING) {
		int r = tdx_cc_demote(td, ALIGN_DOWN(gpa, SIZE_2M));

		if (r) {
			gmv_snprintf(req->why, sizeof(req->why),
				     "ACCEPT of GPA %#llx: DEMOTE of its 2 MiB "
				     "leaf failed (%d)",
				     (unsigned long long)gpa, r);
			return r;
		}
		/* A PENDING leaf was never mapped: nothing to zap. */
		st = tdx_accept(tdx_cc_model(), td, req->vcpu, gpa, level, &x);
	}
	if (st == TDX_EXIT_EPT_VIOLATION) {
		gmv_snprintf(req->why, sizeof(req->why),
			     "ACCEPT of GPA %#llx at level %u: S-EPT entry at "
			     "level %llu in state %#llx after the fault",
			     (unsigned long long)gpa, level,
			     (unsigned long long)(x.rdx & 7),
			     (unsigned long long)(x.rdx >> 8 & 0xff));
		return -EIO;
	}
	if (!st)
		zero_accepted(td, gpa, level);
	return done(req, st);
}

/* The KVM_HC_MAP_GPA_RANGE exit for MapGPA's next chunk. */
static int map_gpa_exit(struct tdx_map_gpa *m, struct vmm_exit *exit)
{
	u64 n = MIN(m->end - m->next, MAP_GPA_CHUNK);
	bool shared = m->next & TDX_SHARED_BIT;

	exit->reason = GMV_EXIT_HYPERCALL;
	exit->hypercall.nr = GMV_HC_MAP_GPA_RANGE;
	exit->hypercall.args[0] = m->next & ~TDX_SHARED_BIT;
	exit->hypercall.args[1] = n / PAGE_SIZE;
	exit->hypercall.args[2] = GMV_MAP_GPA_RANGE_PAGE_SZ_4K |
				  (shared ? GMV_MAP_GPA_RANGE_DECRYPTED
					  : GMV_MAP_GPA_RANGE_ENCRYPTED);
	exit->hypercall.ret = 0;
	return CC_GUEST_EXIT_OWED;
}

/* The VMCALL's answer: R10 = the TDVMCALL status, R11 = the GPA reached
 * where the guest is to go on (a retry, an error). */
static int vmcall_done(struct cc_guest_req *req, u64 status, u64 r11,
		       bool set_r11)
{
	u64 bitmap = *reg(req, ARCH_REG_RCX);

	if (bitmap & BIT(10))
		*reg(req, ARCH_REG_R10) = status;
	if (set_r11 && (bitmap & BIT(11)))
		*reg(req, ARCH_REG_R11) = r11;
	return done(req, TDX_SUCCESS);
}

/*
 * MapGPA: R12 = start GPA (shared bit set: to shared), R13 = size. KVM's
 * tdx_map_gpa() checks a size that wraps, an end beyond the GPA width or
 * a range across the shared bit (INVALID_OPERAND), then 4 KiB alignment
 * (ALIGN_ERROR), R11 = the start then.
 */
static int map_gpa(struct cc_guest_req *req, u64 gpa, u64 size,
		   struct vmm_exit *exit)
{
	struct tdx_map_gpa *m = &vcpu_of(req)->map;
	const u64 limit = 1ULL << TDX_GPAW;

	if (gpa + size <= gpa || gpa >= limit || gpa + size - 1 >= limit ||
	    (gpa & TDX_SHARED_BIT) != ((gpa + size - 1) & TDX_SHARED_BIT))
		return vmcall_done(req, TDVMCALL_STATUS_INVALID_OPERAND, gpa,
				   true);
	if (!IS_ALIGNED(gpa, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE))
		return vmcall_done(req, TDVMCALL_STATUS_ALIGN_ERROR, gpa, true);
	*m = (struct tdx_map_gpa){.busy = true, .next = gpa, .end = gpa + size};
	return map_gpa_exit(m, exit);
}

/* A GPR the VMCALL exposes to the VMM, 0 for one it keeps hidden. */
static u64 exposed(struct cc_guest_req *req, enum arch_reg r, unsigned int n)
{
	return *reg(req, ARCH_REG_RCX) & BIT(n) ? *reg(req, r) : 0;
}

static int vmcall(struct cc_guest_req *req, struct vmm_exit *exit)
{
	u64 bitmap = *reg(req, ARCH_REG_RCX);

	if (bitmap & VMCALL_BAD_BITMAP)
		return done(req, TDX_OPERAND_INVALID | TDX_OPERAND_RCX);
	/* R10 != 0 is a vendor-specific call (KVM's own hypercalls): none
	 * is offered here. */
	if (exposed(req, ARCH_REG_R10, 10) ||
	    exposed(req, ARCH_REG_R11, 11) != TDVMCALL_MAP_GPA)
		return vmcall_done(req, TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED, 0,
				   false);
	return map_gpa(req, exposed(req, ARCH_REG_R12, 12),
		       exposed(req, ARCH_REG_R13, 13), exit);
}

/*
 * The case answered a MapGPA chunk. 0: the next chunk, or SUCCESS at the
 * end; EAGAIN: RETRY from the chunk not done; EINVAL: INVALID_OPERAND
 * there; anything else ends the run (KVM's tdx_complete_vmcall_map_gpa()
 * fails KVM_RUN). KVM also
 * answers RETRY between chunks when an interrupt is pending: the test
 * VMs here have none.
 */
int tdx_guest_complete(struct cc_guest_req *req, const struct vmm_exit *exit,
		       struct vmm_exit *next)
{
	struct tdx_map_gpa *m = &vcpu_of(req)->map;
	u64 ret;

	if (!exit) {
		m->busy = false;
		return CC_GUEST_RESUME;
	}
	if (!m->busy) {
		gmv_snprintf(req->why, sizeof(req->why),
			     "no MapGPA waits for an answer");
		return -EIO;
	}
	ret = exit->hypercall.ret;
	if (ret && ret != MAP_GPA_RET_EAGAIN && ret != MAP_GPA_RET_EINVAL) {
		m->busy = false;
		gmv_snprintf(req->why, sizeof(req->why),
			     "MapGPA answered %#llx: not 0, EAGAIN (11) or "
			     "EINVAL (22)",
			     (unsigned long long)ret);
		return -EINVAL;
	}
	if (ret) {
		m->busy = false;
		return vmcall_done(req,
				   ret == MAP_GPA_RET_EAGAIN
					   ? TDVMCALL_STATUS_RETRY
					   : TDVMCALL_STATUS_INVALID_OPERAND,
				   m->next, true);
	}
	m->next += MIN(m->end - m->next, MAP_GPA_CHUNK);
	if (m->next < m->end)
		return map_gpa_exit(m, next);
	m->busy = false;
	return vmcall_done(req, TDVMCALL_STATUS_SUCCESS, 0, false);
}

static int tdcall(struct cc_guest_req *req, struct vmm_exit *exit)
{
	u64 rax = *reg(req, ARCH_REG_RAX);
	unsigned int version = TDCALL_VERSION(rax);

	/* Bits 63:24 of RAX are reserved; the leaves here have version 0
	 * but VEINFO.GET, which has 1. */
	if (rax >> 24)
		return done(req, TDX_OPERAND_INVALID | TDX_OPERAND_RAX);
	switch (TDCALL_LEAF(rax)) {
	case TDG_VP_VEINFO_GET:
		return veinfo_get(req, version);
	case TDG_VP_VMCALL:
		if (!version)
			return vmcall(req, exit);
		break;
	case TDG_VP_INFO:
		if (!version)
			return vp_info(req);
		break;
	case TDG_MEM_PAGE_ACCEPT:
		if (!version)
			return accept(req, exit);
		break;
	}
	return done(req, TDX_OPERAND_INVALID | TDX_OPERAND_RAX);
}

int tdx_guest(struct cc_guest_req *req, struct vmm_exit *exit)
{
	if (req->kind == CC_GUEST_INSN && req->insn->op == INSN_TDCALL)
		return tdcall(req, exit);
	return CC_GUEST_UNHANDLED;
}
