// SPDX-License-Identifier: MIT
/*
 * hv/snp/snp_guest.c - an SEV-SNP guest's side of the machine where the
 * CPU has no SNP and the RMP model stands in (cc_snp_model): what the
 * hardware would do for the guest, done at the exits it causes instead.
 *
 *  - access (a private access the fault path resolved, before it is
 *    mapped): the RMP checks of APM vol. 2 §15.36.10 Table 15-39 for a
 *    C=1 data access at VMPL0: guest-owned by the VM's ASID, at that GPA,
 *    mutable, else a nested page fault with the RMP bit; then Validated,
 *    else #VC with error code 0x404 (PAGE_NOT_VALIDATED). A page passes
 *    only while all of that holds, and every change that could make it
 *    fail (PVALIDATE rescind here, RMPUPDATE under gmem's invalidation)
 *    drops its translation first, so a mapped private page is one the RMP
 *    allows.
 *  - PVALIDATE and RMPADJUST, which raise #UD on a CPU without SNP:
 *    emulated against the model with the registers and flags the
 *    instruction sets (APM vol. 3).
 *  - the MSRs an SNP guest reads: SEV_STATUS and the GHCB MSR.
 *  - VMGEXIT: the GHCB protocol (hv/snp/ghcb.c); a page-state change
 *    becomes the KVM_HC_MAP_GPA_RANGE exit KVM makes of it, and the
 *    case's answer is completed into the GHCB MSR or page before the
 *    guest runs again.
 */
#include "hv/snp/snp_int.h"
#include "hv/kvm_abi.h"
#include "hv/vm.h"
#include "hv/x86/cpu.h"
#include "hv/x86/insn_decode.h"
#include "hv/x86/vectors.h"
#include "lib/errno.h"
#include "lib/fmt.h"

/* MSRs (APM vol. 2 §15.34.10, §15.35.5): SEV_STATUS bits 0 SEV, 1 SEV-ES,
 * 2 SNP are read-only; the GHCB MSR holds the GHCB's GPA or an MSR
 * protocol request. */
#define MSR_SEV_STATUS 0xc0010131u
#define MSR_GHCB 0xc0010130u
#define SEV_STATUS_SNP (BIT(0) | BIT(1) | BIT(2))

/* #VC's error code for an access to a page not validated (APM vol. 2
 * §15.36.10). */
#define VC_PAGE_NOT_VALIDATED 0x404
#define X86_RFLAGS_CF BIT(0)

static struct snp_vm *snp_of(const struct cc_guest_req *req)
{
	return vm_cc_state(req->vm);
}

static void step(struct cc_guest_req *req, unsigned int len)
{
	req->regs[ARCH_REG_RIP] += len;
}

/* The model's guests keep their C-bit in the guest-physical address. */
const char *snp_guest_lacks(void)
{
	return cc_alias_bit_lacks(SNP_MODEL_C_BIT, "SNP model's C-bit");
}

int snp_access(struct cc_guest_req *req, u64 gpa, phys_addr_t pa, bool write,
	       unsigned int *order)
{
	u32 asid = snp_of(req)->asid;
	struct rmp_info i;
	u64 at;

	(void)write; /* VMPL0: every access type is allowed */
	if (rmpread(snp_rmp_now, pa, &i)) {
		gmv_snprintf(req->why, sizeof(req->why),
			     "page %p behind GPA %#llx has no RMP entry",
			     (void *)pa, (unsigned long long)gpa);
		return -EIO;
	}
	at = i.gpa + (i.size_2m ? (pa & (RMP_PAGE_2M - 1)) : 0);
	/* KVM's sev_handle_rmp_fault() re-enters on such an RMP fault and
	 * the guest faults again forever: here it ends the run, saying why.
	 * gmem's prepare hook assigns every private page it hands out, so
	 * this is a bug of the hooks, not of the guest. */
	if (!i.assigned || i.asid != asid || at != (gpa & ~(RMP_PAGE_4K - 1)) ||
	    i.immutable) {
		gmv_snprintf(req->why, sizeof(req->why),
			     "RMP #NPF at GPA %#llx: entry assigned=%d asid=%u "
			     "gpa=%#llx immutable=%d",
			     (unsigned long long)gpa, i.assigned, i.asid,
			     (unsigned long long)at, i.immutable);
		return -EIO;
	}
	if (!i.validated) {
		req->svc->inject(req, X86_VEC_VC, VC_PAGE_NOT_VALIDATED);
		return CC_ACCESS_INJECTED;
	}
	/* Table 15-40: a nested mapping no larger than the RMP entry. */
	if (!i.size_2m)
		*order = 0;
	else if (*order > 9)
		*order = 9;
	return 0;
}

/*
 * The page a guest-side instruction names: RAX is its virtual address,
 * which the guest's own tables translate (the CPU never did: the
 * instruction trapped at decode), then the fault path gives the page
 * behind it as a private access (what KVM does at the nested fault the
 * instruction takes on hardware: gmem prepares it, assigning it to the
 * VM). 0 with *gpa, *spa; CC_GUEST_EXIT when the fault path sent an exit
 * to the case (RIP stays: the instruction runs again); -errno.
 */
static int operand_page(struct cc_guest_req *req, bool size_2m, u64 *gpa,
			phys_addr_t *spa, unsigned int *order,
			struct vmm_exit *exit)
{
	u64 va = req->regs[ARCH_REG_RAX];
	const u64 alias = BIT(SNP_MODEL_C_BIT);
	u64 g;

	if (req->svc->translate(req, va, &g)) {
		gmv_snprintf(req->why, sizeof(req->why),
			     "the operand's address %#llx is not mapped",
			     (unsigned long long)va);
		return -EFAULT;
	}
	*gpa = g & ~alias;
	if (size_2m && !IS_ALIGNED(*gpa, RMP_PAGE_2M)) {
		*spa = 0;
		*order = 0;
		return 0; /* the model's FAIL_INPUT, before any access */
	}
	if (req->svc->fault_in(req, *gpa & ~(RMP_PAGE_4K - 1), true, spa, order,
			       exit))
		return CC_GUEST_EXIT;
	return 0;
}

/*
 * What both instructions do with an outcome that is a fault: a 4 KiB
 * operand on a 2 MiB entry (SIZEM) is KVM's sev_handle_rmp_fault(): PSMASH
 * the entry, drop the 2 MiB translation, and let the guest retry; #VC
 * PAGE_NOT_VALIDATED (RMPADJUST on a page not validated) is injected,
 * taken at the instruction; any other RMP fault ends the run (KVM would
 * retry forever).
 */
static int rmp_fault(struct cc_guest_req *req, const char *insn, u64 gpa,
		     phys_addr_t spa, enum rmp_ret ret)
{
	phys_addr_t head = spa & ~(RMP_PAGE_2M - 1);
	enum rmp_ret p;

	if (ret == RMP_FAULT_NPF_SIZEM) {
		p = psmash(snp_rmp_now, head);
		if (p) {
			gmv_snprintf(req->why, sizeof(req->why),
				     "%s: PSMASH of %p: %s", insn, (void *)head,
				     rmp_ret_name(p));
			return -EIO;
		}
		req->svc->zap(req, gpa & ~(RMP_PAGE_2M - 1), RMP_PAGE_2M);
		return CC_GUEST_RESUME; /* RIP unchanged: it runs again */
	}
	if (ret == RMP_FAULT_VC_NOT_VALIDATED) {
		req->svc->inject(req, X86_VEC_VC, VC_PAGE_NOT_VALIDATED);
		return CC_GUEST_RESUME;
	}
	gmv_snprintf(req->why, sizeof(req->why), "%s of GPA %#llx: RMP %s",
		     insn, (unsigned long long)gpa, rmp_ret_name(ret));
	return -EIO;
}

/* Sub-page bits of the 2 MiB operand's SPA for a page whose backing is
 * not one 2 MiB block: the RMP entries there are 4 KiB. */
static phys_addr_t operand_spa(phys_addr_t spa, bool size_2m,
			       unsigned int order, u64 gpa)
{
	if (!size_2m)
		return spa;
	return order >= 9 ? spa & ~(RMP_PAGE_2M - 1)
			  : spa - (gpa & (RMP_PAGE_2M - 1));
}

/*
 * PVALIDATE and RMPADJUST (APM vol. 3), both with RAX = the page's virtual
 * address and RCX[0] = page size (1: 2 MiB):
 *  - PVALIDATE: RDX[0] = validate (1) or rescind (0). RAX = return code;
 *    CF = 1 when the page was already in that state (nothing written),
 *    else 0. A rescinded page loses its translation, so the next access
 *    meets the Validated check.
 *  - RMPADJUST: RDX = attributes: [7:0] target VMPL, [15:8] permission
 *    mask, [16] VMSA. RAX = return code.
 */
static int guest_insn(struct cc_guest_req *req, struct vmm_exit *exit)
{
	const struct insn *in = req->insn;
	bool size_2m = req->regs[ARCH_REG_RCX] & 1;
	u64 rdx = req->regs[ARCH_REG_RDX];
	/* Test guests run at VMPL0, the only VMPL without a permission
	 * mask: no VMSA of another level exists. */
	struct rmp_guest g = {.asid = snp_of(req)->asid, .vmpl = 0};
	unsigned int order;
	phys_addr_t page, spa;
	enum rmp_ret ret;
	u64 gpa;
	int r;

	r = operand_page(req, size_2m, &gpa, &page, &order, exit);
	if (r)
		return r;
	spa = operand_spa(page, size_2m, order, gpa);
	if (size_2m && IS_ALIGNED(gpa, RMP_PAGE_2M) && order < 9)
		ret = RMP_FAIL_SIZEMISMATCH; /* 4 KiB entries behind it */
	else if (in->op == INSN_PVALIDATE)
		ret = rmp_model_pvalidate(snp_rmp_now, &g, gpa, spa, size_2m,
					  rdx & 1);
	else
		ret = rmp_model_rmpadjust(snp_rmp_now, &g, gpa, spa, size_2m,
					  rdx & 0xff, (rdx >> 8) & 0xff,
					  rdx & BIT(16));
	if (ret >= RMP_FAULT_NPF)
		return rmp_fault(req, insn_op_name(in->op), gpa, page, ret);
	if (in->op == INSN_PVALIDATE) {
		req->regs[ARCH_REG_RFLAGS] &= ~X86_RFLAGS_CF;
		if (ret == RMP_NO_UPDATE) {
			req->regs[ARCH_REG_RFLAGS] |= X86_RFLAGS_CF;
			ret = RMP_SUCCESS;
		} else if (ret == RMP_SUCCESS && !(rdx & 1)) {
			req->svc->zap(req, gpa,
				      size_2m ? RMP_PAGE_2M : RMP_PAGE_4K);
		}
	}
	req->regs[ARCH_REG_RAX] = ret;
	step(req, in->len);
	return CC_GUEST_RESUME;
}

/* ---- VMGEXIT ---- */

static int env_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	struct cc_guest_req *req = ctx;

	return req->svc->read(req, gpa, buf, len);
}

static int env_write(void *ctx, u64 gpa, const void *buf, size_t len)
{
	struct cc_guest_req *req = ctx;

	return req->svc->write(req, gpa, buf, len);
}

/*
 * CPUID as the model's SNP guest sees it: Fn8000_001F (AMD APM vol. 3
 * appendix E.4.17) says SEV (EAX[1]), SEV-ES (EAX[3]) and SEV-SNP (EAX[4])
 * with the C-bit in EBX[5:0], no physical-address reduction (EBX[11:6]),
 * ECX the encrypted guests, EDX the lowest ASID of a guest without
 * SEV-ES (so SEV-ES and SNP guests have ASIDs 1..EDX-1, as Linux's
 * sev_hardware_setup reads it); every other leaf is
 * the CPU's.
 */
static void env_cpuid(void *ctx, u32 fn, u32 index, u32 out[4])
{
	(void)ctx;
	if (fn == 0x8000001fu) {
		out[0] = BIT(1) | BIT(3) | BIT(4);
		out[1] = SNP_MODEL_C_BIT;
		out[2] = SNP_MAX_ASID;
		out[3] = SNP_MAX_ASID + 1;
		return;
	}
	cpuid(fn, index, &out[0], &out[1], &out[2], &out[3]);
}

static struct ghcb_env env_of(struct cc_guest_req *req)
{
	return (struct ghcb_env){.ctx = req,
				 .read = env_read,
				 .write = env_write,
				 .cpuid = env_cpuid,
				 .c_bit = SNP_MODEL_C_BIT,
				 .hv_features = GHCB_HV_FT_SNP};
}

void snp_guest_init(struct snp_vm *s)
{
	struct ghcb_env env = {.c_bit = SNP_MODEL_C_BIT};

	for (unsigned int i = 0; i < ARRAY_SIZE(s->vcpu); i++) {
		ghcb_vcpu_init(&s->vcpu[i].ghcb);
		/* At RESET the GHCB MSR holds the SEV information, as KVM's
		 * sev_es_vcpu_reset() leaves it. */
		s->vcpu[i].ghcb.msr = ghcb_sev_info(&env);
	}
}

/* What the protocol asked for, as this hook's result. */
static int act(struct cc_guest_req *req, const struct ghcb_action *a,
	       struct vmm_exit *exit)
{
	struct snp_vcpu *v = &snp_of(req)->vcpu[req->vcpu];

	switch (a->kind) {
	case GHCB_RESUME:
		step(req, v->vmgexit_len);
		return CC_GUEST_RESUME;
	case GHCB_MAP_GPA:
		exit->reason = GMV_EXIT_HYPERCALL;
		exit->hypercall.nr = GMV_HC_MAP_GPA_RANGE;
		exit->hypercall.args[0] = a->gpa;
		exit->hypercall.args[1] = a->npages;
		exit->hypercall.args[2] = a->attrs;
		exit->hypercall.ret = 0;
		return CC_GUEST_EXIT_OWED;
	case GHCB_TERMINATE:
		/* KVM_EXIT_SYSTEM_EVENT, SEV_TERM, the request as data. */
		exit->reason = GMV_EXIT_SYSTEM_EVENT;
		exit->system_event.type = GMV_SYSTEM_EVENT_SEV_TERM;
		exit->system_event.data = a->term;
		return CC_GUEST_EXIT;
	default:
		gmv_snprintf(req->why, sizeof(req->why), "%s", a->why);
		return -EINVAL;
	}
}

static int vmgexit(struct cc_guest_req *req, struct vmm_exit *exit)
{
	struct snp_vcpu *v = &snp_of(req)->vcpu[req->vcpu];
	struct ghcb_env env = env_of(req);
	struct ghcb_action a;

	/* Nothing waits here: an answer owed was completed or, when the
	 * case moved RIP instead, dropped (snp_guest_complete()) before the
	 * guest ran again. */
	if (ghcb_vmgexit(&v->ghcb, &env, &a)) {
		gmv_snprintf(req->why, sizeof(req->why),
			     "VMGEXIT while a request waits for the VMM");
		return -EIO;
	}
	v->vmgexit_len = req->insn->len;
	return act(req, &a, exit);
}

int snp_guest_complete(struct cc_guest_req *req, const struct vmm_exit *exit,
		       struct vmm_exit *next)
{
	struct snp_vcpu *v = &snp_of(req)->vcpu[req->vcpu];
	struct ghcb_env env = env_of(req);
	struct ghcb_action a;
	int r;

	if (!exit) {
		ghcb_cancel(&v->ghcb);
		return CC_GUEST_RESUME;
	}
	r = ghcb_complete(&v->ghcb, &env, exit->hypercall.ret, &a);
	if (r) {
		gmv_snprintf(req->why, sizeof(req->why),
			     "no page-state change waits for an answer");
		return r;
	}
	/* One run per VMGEXIT: the answer ends the request (GHCB_RESUME),
	 * or the GHCB could not be written (GHCB_FAIL), never a next exit. */
	return act(req, &a, next);
}

/* RDMSR / WRMSR of the SNP MSRs (2 bytes each); others are not ours. */
static int msr(struct cc_guest_req *req)
{
	struct snp_vcpu *v = &snp_of(req)->vcpu[req->vcpu];
	u32 index = (u32)req->regs[ARCH_REG_RCX];
	u64 val;

	if (index != MSR_SEV_STATUS && index != MSR_GHCB)
		return CC_GUEST_UNHANDLED;
	if (req->msr_write) {
		/* SEV_STATUS is read-only: #GP(0). */
		if (index == MSR_SEV_STATUS) {
			req->svc->inject(req, X86_VEC_GP, 0);
			return CC_GUEST_RESUME;
		}
		v->ghcb.msr = (req->regs[ARCH_REG_RDX] << 32) |
			      (u32)req->regs[ARCH_REG_RAX];
	} else {
		val = index == MSR_SEV_STATUS ? SEV_STATUS_SNP : v->ghcb.msr;
		req->regs[ARCH_REG_RAX] = (u32)val;
		req->regs[ARCH_REG_RDX] = val >> 32;
	}
	step(req, 2);
	return CC_GUEST_RESUME;
}

int snp_guest(struct cc_guest_req *req, struct vmm_exit *exit)
{
	switch (req->kind) {
	case CC_GUEST_INSN:
		if (req->insn->op == INSN_PVALIDATE ||
		    req->insn->op == INSN_RMPADJUST)
			return guest_insn(req, exit);
		return CC_GUEST_UNHANDLED;
	case CC_GUEST_MSR:
		return msr(req);
	case CC_GUEST_VMGEXIT:
		return vmgexit(req, exit);
	default:
		return CC_GUEST_UNHANDLED;
	}
}
