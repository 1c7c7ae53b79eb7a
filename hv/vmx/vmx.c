// SPDX-License-Identifier: MIT
/*
 * hv/vmx/vmx.c - VMX VMs and vCPUs (hv/vmx/vmx.h): the EPT of a VM, a
 * vCPU's guest state for the guest environment contract and its VMCS
 * image, register access, VPIDs and the invalidations an entry owes, one
 * entry into the guest, and all of it as vmx_arch_ops. Exits are decoded
 * in hv/vmx/vmx_exit.c, the VMCS is written in hv/vmx/vmx_cpu_hw.c.
 */
#include "hv/vmx/vmx.h"
#include "hv/alloc.h"
#include "hv/arch_npt.h"
#include "hv/base/kmalloc.h"
#include "hv/vmx/vmx_cpu.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/mem.h"

/* A vCPU is one order-1 block: the VMCS page, then struct vmx_vcpu. */
#define VCPU_ORDER 1
_Static_assert(sizeof(struct vmx_vcpu) <= PAGE_SIZE, "vCPU page");

/* Guest state of the environment contract (hv/vmm.h struct vmm_entry),
 * as svm_vcpu_enter() gives it. */
#define GUEST_EFER 0xd00ULL /* NXE, LMA, LME */
#define GUEST_RFLAGS 0x3002ULL /* IOPL=3, reserved bit 1 */
#define GUEST_DR7 0x400ULL
#define GUEST_SEL_CODE 0x33 /* selectors with RPL 3; there is no GDT */
#define GUEST_SEL_DATA 0x2b
#define GUEST_SEL_CODE0 0x30 /* the same with RPL 0, for CPL0 guests */
#define GUEST_SEL_DATA0 0x28

/* Segment access rights (SDM vol. 3C 25.4.1, table 25-2): type, S,
 * DPL, P, L, D/B, G; bit 16 marks a segment unusable. */
#define AR_DPL(dpl) ((u32)(dpl) << 5)
#define AR_CODE64 0xa09bu /* execute/read accessed, S, P, L, G */
#define AR_DATA 0xc093u /* read/write accessed, S, P, D/B, G */
#define AR_TSS64_BUSY 0x8bu /* busy 64-bit TSS, P */
#define AR_UNUSABLE 0x10000u

/* Every exception vector but NMI's (which NMI exiting takes). */
#define GUEST_EXC_BITMAP (0xffffffffu & ~(u32)BIT(2))

static const struct npt_ops vmx_npt_ops;

static struct vmx_vpid_space vmx_vpids;

int vmx_vm_init(struct vmx_vm *s, unsigned long type,
		const struct vmx_config *cfg)
{
	int ret;

	/* The types SVM runs: SNP and TDX VMs as plain guests whose models
	 * play the hardware's part (hv/snp/, hv/tdx/). */
	if (type != GMV_VM_DEFAULT && type != GMV_VM_SW_PROTECTED &&
	    type != GMV_VM_SNP && type != GMV_VM_TDX)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->cfg = cfg;
	ret = npt_init(&s->npt, &npt_format_ept, hv_pool, &vmx_npt_ops, s);
	if (ret)
		return ret;
	npt_set_audit(&s->npt, true);
	/* EPTP (SDM vol. 3C 25.6.11): write-back paging structures, a
	 * 4-level walk; accessed/dirty flags stay off (bit 6 clear) even
	 * where the CPU has them: nothing here reads them, and with them on
	 * the guest's own page walks count as EPT writes (29.3.5), which
	 * would make its page tables fault differently from SVM's. */
	s->eptp = npt_root_pa(&s->npt) | EPTP_WALK_4 | EPTP_MT_WB;
	/* A new root may sit where a freed one did, whose translations
	 * the CPU may still cache under the same EPTP. */
	s->invept_owed = true;
	return 0;
}

void vmx_vm_destroy(struct vmx_vm *s)
{
	for (unsigned int i = 0; i < s->nr_vcpus; i++) {
		vmx_cpu_vmcs_release(s->vcpus[i]->vmcs);
		free_pages(hv_pool, s->vcpus[i]->vmcs, VCPU_ORDER, OWN_VM);
	}
	npt_destroy(&s->npt);
	memset(s, 0, sizeof(*s));
}

/* npt_ops.flush: the EPT dropped or narrowed translations; the VM's
 * next entry, whichever vCPU makes it, INVEPTs its EPTP (one CPU runs
 * every vCPU, so one INVEPT serves them all). */
static void vmx_npt_flush(struct npt *npt)
{
	struct vmx_vm *s = npt->ctx;

	s->invept_owed = true;
}

static const struct npt_ops vmx_npt_ops = {
	.flush = vmx_npt_flush,
};

void vmx_vm_zap(struct vmx_vm *s, u64 gpa, u64 size)
{
	arch_npt_zap(&s->npt, gpa, size);
}

void vmx_vm_flush(struct vmx_vm *s)
{
	npt_flush(&s->npt);
}

int vmx_vm_map(struct vmx_vm *s, u64 gpa, phys_addr_t hpa, unsigned int order,
	       bool writable)
{
	/* A leaf larger than the CPU's EPT offers would be a
	 * misconfiguration (SDM vol. 3C 29.3.3.1): map smaller leaves. */
	return arch_npt_map(&s->npt, gpa, hpa,
			    MIN(order, s->cfg->ept_max_order), writable);
}

int vmx_vcpu_create(struct vmx_vm *s, struct vmx_vcpu **out)
{
	struct vmx_vcpu *v;
	u8 *block;

	if (s->nr_vcpus == VMX_MAX_VCPUS)
		return -EINVAL;
	block = alloc_pages(hv_pool, VCPU_ORDER, OWN_VM);
	if (!block)
		return -ENOMEM;
	v = (struct vmx_vcpu *)(block + PAGE_SIZE); /* zeroed */
	v->vmx = s;
	v->index = s->nr_vcpus;
	v->vmcs = block;
	/* The VMCS region starts with the revision identifier (25.2). */
	*(u32 *)block = s->cfg->revision;
	s->vcpus[s->nr_vcpus++] = v;
	*out = v;
	return 0;
}

int vmx_vcpu_enter(struct vmx_vcpu *v, const struct vmm_entry *e)
{
	memset(&v->gprs, 0, sizeof(v->gprs));
	v->gprs.rdi = e->arg0;
	v->gprs.rsi = e->arg1;
	v->rip = e->rip;
	v->rsp = e->rsp;
	v->cr3 = e->cr3;
	v->rflags = GUEST_RFLAGS;
	/* CPL0 entries get DPL-0 code and stack (the other segments
	 * follow in vmx_vmcs_image()). */
	v->cs_sel = e->cpl0 ? GUEST_SEL_CODE0 : GUEST_SEL_CODE;
	v->interruptibility = 0;
	v->entry_intr_info = 0; /* nothing owed to the old state */
	v->state_dirty = true;
	v->entered = true;
	/* A fresh VPID: the TLB entries of the old state's tables go. */
	v->vpid_gen = 0;
	return 0;
}

/* One segment's four fields: flat, base 0. */
static unsigned int put_seg(struct vmcs_write *w, unsigned int n, u32 sel_f,
			    u16 sel, u32 ar)
{
	/* The selector, limit, AR and base fields of one segment sit at the
	 * same index of their four groups (appendix B). */
	u32 idx = sel_f - VMCS_GUEST_ES_SEL;

	w[n++] = (struct vmcs_write){sel_f, sel};
	w[n++] = (struct vmcs_write){VMCS_GUEST_ES_LIMIT + idx,
				     ar == AR_TSS64_BUSY ? 0x67 : 0xffffffff};
	w[n++] = (struct vmcs_write){VMCS_GUEST_ES_AR + idx, ar};
	w[n++] = (struct vmcs_write){VMCS_GUEST_ES_BASE + idx, 0};
	return n;
}

unsigned int vmx_vmcs_image(const struct vmx_vcpu *v,
			    struct vmcs_write out[VMX_IMAGE_MAX])
{
	const struct vmx_vm *s = v->vmx;
	const struct vmx_config *cfg = s->cfg;
	bool cpl0 = (v->cs_sel & 3) == 0;
	u32 dpl = cpl0 ? 0 : 3;
	u16 data = cpl0 ? GUEST_SEL_DATA0 : GUEST_SEL_DATA;
	static const u32 data_segs[] = {VMCS_GUEST_ES_SEL, VMCS_GUEST_SS_SEL,
					VMCS_GUEST_DS_SEL, VMCS_GUEST_FS_SEL,
					VMCS_GUEST_GS_SEL};
	const struct vmcs_write fixed[] = {
		{VMCS_PIN_CTLS, cfg->pin},
		{VMCS_PROC_CTLS, cfg->proc},
		{VMCS_PROC2_CTLS, cfg->proc2},
		{VMCS_EXIT_CTLS, cfg->exit},
		{VMCS_ENTRY_CTLS, cfg->entry},
		{VMCS_EXCEPTION_BITMAP, GUEST_EXC_BITMAP},
		/* With #PF in the bitmap, mask 0 = match 0: every #PF. */
		{VMCS_PF_ERROR_MASK, 0},
		{VMCS_PF_ERROR_MATCH, 0},
		{VMCS_CR3_TARGET_COUNT, 0},
		{VMCS_EXIT_MSR_STORE_COUNT, 0},
		{VMCS_EXIT_MSR_LOAD_COUNT, 0},
		{VMCS_ENTRY_MSR_LOAD_COUNT, 0},
		/* The guest owns every CR0/CR4 bit it may change. */
		{VMCS_CR0_MASK, 0},
		{VMCS_CR4_MASK, 0},
		{VMCS_CR0_SHADOW, cfg->guest_cr0},
		{VMCS_CR4_SHADOW, cfg->guest_cr4},
		{VMCS_EPTP, s->eptp},
		{VMCS_GUEST_CR0, cfg->guest_cr0},
		{VMCS_GUEST_CR4, cfg->guest_cr4},
		{VMCS_GUEST_DR7, GUEST_DR7},
		{VMCS_GUEST_EFER, GUEST_EFER},
		{VMCS_GUEST_DEBUGCTL, 0},
		{VMCS_GUEST_SYSENTER_CS, 0},
		{VMCS_GUEST_SYSENTER_ESP, 0},
		{VMCS_GUEST_SYSENTER_EIP, 0},
		/* GDTR and IDTR stay empty: no GDT, no IDT. */
		{VMCS_GUEST_GDTR_BASE, 0},
		{VMCS_GUEST_GDTR_LIMIT, 0},
		{VMCS_GUEST_IDTR_BASE, 0},
		{VMCS_GUEST_IDTR_LIMIT, 0},
		{VMCS_GUEST_ACTIVITY, 0},
		{VMCS_GUEST_PENDING_DBG, 0},
		/* No shadow VMCS (25.4.2). */
		{VMCS_LINK_POINTER, ~0ULL},
	};
	unsigned int n = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(fixed); i++)
		out[n++] = fixed[i];
	n = put_seg(out, n, VMCS_GUEST_CS_SEL, v->cs_sel,
		    AR_CODE64 | AR_DPL(dpl));
	for (unsigned int i = 0; i < ARRAY_SIZE(data_segs); i++)
		n = put_seg(out, n, data_segs[i], data, AR_DATA | AR_DPL(dpl));
	n = put_seg(out, n, VMCS_GUEST_TR_SEL, 0, AR_TSS64_BUSY);
	n = put_seg(out, n, VMCS_GUEST_LDTR_SEL, 0, AR_UNUSABLE);
	return n;
}

/* Where each register lives: the GPRs in vmx_gprs (the world switch loads
 * and saves them), RSP, RIP, RFLAGS and CR3 in the vCPU's copy of the
 * VMCS guest state. A table, as svm.c's, to keep the per-exit calls
 * short. */
#define IN_VCPU 0x8000u
#define ST(name) (__builtin_offsetof(struct vmx_vcpu, name) | IN_VCPU)
#define GPR(name) __builtin_offsetof(struct vmx_gprs, name)
static const u16 reg_at[ARCH_NR_REGS] = {
	[ARCH_REG_RAX] = GPR(rax), [ARCH_REG_RCX] = GPR(rcx),
	[ARCH_REG_RDX] = GPR(rdx), [ARCH_REG_RBX] = GPR(rbx),
	[ARCH_REG_RSP] = ST(rsp),  [ARCH_REG_RBP] = GPR(rbp),
	[ARCH_REG_RSI] = GPR(rsi), [ARCH_REG_RDI] = GPR(rdi),
	[ARCH_REG_R8] = GPR(r8),   [ARCH_REG_R9] = GPR(r9),
	[ARCH_REG_R10] = GPR(r10), [ARCH_REG_R11] = GPR(r11),
	[ARCH_REG_R12] = GPR(r12), [ARCH_REG_R13] = GPR(r13),
	[ARCH_REG_R14] = GPR(r14), [ARCH_REG_R15] = GPR(r15),
	[ARCH_REG_RIP] = ST(rip),  [ARCH_REG_RFLAGS] = ST(rflags),
	[ARCH_REG_CR3] = ST(cr3),
};
#undef ST
#undef GPR

static u64 *reg_ptr(const struct vmx_vcpu *v, enum arch_reg r)
{
	u16 at = reg_at[r];
	u8 *base = (at & IN_VCPU) ? (u8 *)v : (u8 *)&v->gprs;

	return (u64 *)(base + (at & ~IN_VCPU));
}

u64 vmx_vcpu_get_reg(const struct vmx_vcpu *v, enum arch_reg r)
{
	return *reg_ptr(v, r);
}

void vmx_vcpu_set_reg(struct vmx_vcpu *v, enum arch_reg r, u64 val)
{
	/* Bit 1 of RFLAGS is always 1 (VM entry checks it, 27.3.1.4). */
	if (r == ARCH_REG_RFLAGS)
		val |= BIT(1);
	*reg_ptr(v, r) = val;
}

void vmx_vcpu_complete(struct vmx_vcpu *v, u64 next_rip)
{
	v->rip = next_rip;
	v->interruptibility &= ~INTERRUPTIBILITY_SHADOW;
}

/* The exceptions whose delivery pushes an error code, which VM entry
 * insists the injection says (SDM vol. 3C 27.2.1.3): #DF, #TS, #NP,
 * #SS, #GP, #PF, #AC; and #CP, #VC, #SX, which push one too (AMD APM
 * vol. 2 §8.2), where IA32_VMX_BASIC bit 56 lets any vector carry one
 * (A.1). */
#define EXC_WITH_ERROR_CODE \
	(BIT(8) | BIT(10) | BIT(11) | BIT(12) | BIT(13) | BIT(14) | BIT(17))
#define EXC_WITH_ERROR_CODE_ANY (BIT(21) | BIT(29) | BIT(30))

void vmx_vcpu_inject(struct vmx_vcpu *v, u8 vector, u32 error_code)
{
	u32 info = INTR_INFO_VALID | INTR_TYPE_HW_EXC << 8 | vector;
	u64 with = EXC_WITH_ERROR_CODE;

	if (v->vmx->cfg->any_error_code)
		with |= EXC_WITH_ERROR_CODE_ANY;
	if (vector < 32 && (with & BIT(vector)))
		info |= INTR_INFO_ERROR_VALID;
	v->entry_intr_info = info;
	v->entry_exc_error = error_code;
}

int vmx_prepare_entry(struct vmx_vcpu *v, struct vmx_vpid_space *space,
		      struct vmx_flush *f)
{
	struct vmx_vm *s = v->vmx;

	*f = (struct vmx_flush){0};
	if (npt_vmentry_check(&s->npt))
		return -EIO;
	if (space->max && (!space->gen || v->vpid_gen != space->gen)) {
		if (!space->gen || space->next > space->max) {
			space->gen++;
			space->next = 1;
			f->invvpid_all = true;
		}
		v->vpid = space->next++;
		v->vpid_gen = space->gen;
	}
	if (s->invept_owed) {
		f->invept = true;
		s->invept_owed = false;
	}
	return 0;
}

/*
 * An event whose delivery the exit interrupted (an EPT violation on the
 * guest's IDT or stack, say) is injected again at the next entry (SDM
 * vol. 3C 28.2.4, "Information for VM Exits During Event Delivery"), as
 * KVM's vmx_complete_interrupts() does; software interrupts and the
 * software exceptions INT3/INTO are not: the guest runs the instruction
 * again.
 */
void vmx_reinject(struct vmx_vcpu *v)
{
	u32 info = v->exit.idt_info;
	u32 type = INTR_INFO_TYPE(info);

	v->entry_intr_info = 0;
	if (!(info & INTR_INFO_VALID) || type == INTR_TYPE_SW_INTR ||
	    type == INTR_TYPE_PRIV_SW_EXC || type == INTR_TYPE_SW_EXC)
		return;
	v->entry_intr_info = info & (INTR_INFO_VALID | 0xfffu);
	v->entry_exc_error = v->exit.idt_error;
}

int vmx_vcpu_run(struct vmx_vcpu *v, struct arch_exit *x)
{
	struct vmx_flush f;
	int ret;

	if (!v->entered)
		return -EINVAL;
	/* VMX on in this CPU (once), and its VPID space: 16-bit VPIDs,
	 * 0 being the host's (SDM vol. 3C 29.1). */
	ret = vmx_cpu_enable();
	if (ret)
		return ret;
	if (v->vmx->cfg->vpid)
		vmx_vpids.max = 0xffff;
	if (vmx_prepare_entry(v, &vmx_vpids, &f))
		panic("vmx: vCPU %u enters its guest with an EPT flush owed: "
		      "a path changed the EPT without npt_flush()",
		      v->index);
	vmx_cpu_enter(v, &f);
	if (v->exit.result == VMX_ENTERED)
		vmx_reinject(v);
	v->nr_exits++;
	vmx_decode_exit(v, x);
	return 0;
}

/* ------------------------------------------------------ vmx_arch_ops */

static struct vmx_vm *vmx_of(struct arch_vm *vm)
{
	return (struct vmx_vm *)vm;
}

static struct vmx_vcpu *vcpu_of(struct arch_vcpu *c)
{
	return (struct vmx_vcpu *)c;
}

static const struct vmx_vcpu *cvcpu_of(const struct arch_vcpu *c)
{
	return (const struct vmx_vcpu *)c;
}

static int vmx_arch_vm_init(unsigned long type, struct arch_vm **out)
{
	const struct vmx_config *cfg = vmx_cpu_config();
	struct vmx_vm *s;
	int ret;

	if (!cfg)
		return -ENODEV;
	s = kmalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = vmx_vm_init(s, type, cfg);
	if (ret) {
		kfree(s, sizeof(*s));
		return ret;
	}
	*out = (struct arch_vm *)s;
	return 0;
}

static void vmx_arch_vm_destroy(struct arch_vm *vm)
{
	vmx_vm_destroy(vmx_of(vm));
	kfree(vm, sizeof(struct vmx_vm));
}

static int vmx_arch_map(struct arch_vm *vm, u64 gpa, phys_addr_t hpa,
			unsigned int order, bool writable, bool private)
{
	/* One EPT holds private and shared translations alike. */
	return vmx_vm_map(vmx_of(vm), gpa, hpa, order, writable);
}

static void vmx_arch_zap(struct arch_vm *vm, u64 gpa, u64 size,
			 unsigned int filter)
{
	/* One EPT: whatever the filter, everything in the range goes. */
	vmx_vm_zap(vmx_of(vm), gpa, size);
}

static void vmx_arch_flush(struct arch_vm *vm)
{
	vmx_vm_flush(vmx_of(vm));
}

static int vmx_arch_lookup(const struct arch_vm *vm, u64 gpa,
			   struct arch_xlate *x)
{
	return arch_npt_lookup(&((const struct vmx_vm *)vm)->npt, gpa, x);
}

static int vmx_arch_vcpu_create(struct arch_vm *vm, struct arch_vcpu **out)
{
	struct vmx_vcpu *v;
	int ret = vmx_vcpu_create(vmx_of(vm), &v);

	if (!ret)
		*out = (struct arch_vcpu *)v;
	return ret;
}

static int vmx_arch_vcpu_enter(struct arch_vcpu *c, const struct vmm_entry *e)
{
	return vmx_vcpu_enter(vcpu_of(c), e);
}

static u64 vmx_arch_get_reg(const struct arch_vcpu *c, enum arch_reg r)
{
	return vmx_vcpu_get_reg(cvcpu_of(c), r);
}

static void vmx_arch_set_reg(struct arch_vcpu *c, enum arch_reg r, u64 val)
{
	vmx_vcpu_set_reg(vcpu_of(c), r, val);
}

static void vmx_arch_complete(struct arch_vcpu *c, u64 next_rip)
{
	vmx_vcpu_complete(vcpu_of(c), next_rip);
}

static void vmx_arch_inject(struct arch_vcpu *c, u8 vector, u32 error_code)
{
	vmx_vcpu_inject(vcpu_of(c), vector, error_code);
}

static int vmx_arch_run(struct arch_vcpu *c, struct arch_exit *x)
{
	return vmx_vcpu_run(vcpu_of(c), x);
}

static void vmx_arch_dump(const struct arch_vcpu *c, const char *why)
{
	vmx_dump(cvcpu_of(c), why);
}

const struct arch_ops vmx_arch_ops = {
	.name = "vmx",
	.lacks = vmx_cpu_lacks,
	.vm_init = vmx_arch_vm_init,
	.vm_destroy = vmx_arch_vm_destroy,
	.map = vmx_arch_map,
	.zap = vmx_arch_zap,
	.flush = vmx_arch_flush,
	.lookup = vmx_arch_lookup,
	.vcpu_create = vmx_arch_vcpu_create,
	.vcpu_enter = vmx_arch_vcpu_enter,
	.get_reg = vmx_arch_get_reg,
	.set_reg = vmx_arch_set_reg,
	.complete = vmx_arch_complete,
	.inject = vmx_arch_inject,
	.run = vmx_arch_run,
	.dump = vmx_arch_dump,
};
