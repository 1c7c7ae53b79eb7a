// SPDX-License-Identifier: MIT
/*
 * hv/svm/svm.c - SVM VMs and vCPUs (hv/svm/svm.h): the nested page table and
 * permission maps of a VM, the VMCB of a vCPU set up for the guest
 * environment contract, register access, ASIDs and TLB flushes, one entry
 * into the guest, and all of it as svm_arch_ops. Exits are decoded in
 * hv/svm/svm_exit.c.
 */
#include "hv/svm/svm.h"
#include "hv/alloc.h"
#include "hv/arch_npt.h"
#include "hv/base/kmalloc.h"
#include "hv/x86/guest_walk.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/mem.h"

/* Pages of the I/O permission map (12 KiB, APM 15.10.1) and the MSR
 * permission map (8 KiB, APM 15.11), as allocation orders. */
#define IOPM_ORDER 2
#define IOPM_BYTES (3 * PAGE_SIZE)
#define MSRPM_ORDER 1
#define MSRPM_BYTES (2 * PAGE_SIZE)

/* A vCPU is one order-1 block: the VMCB page, then struct svm_vcpu. */
#define VCPU_ORDER 1
_Static_assert(sizeof(struct svm_vcpu) <= PAGE_SIZE, "vCPU page");

/* Guest state of the environment contract (hv/vmm.h struct vmm_entry). */
#define GUEST_CR0 0x80010031ULL	 /* PG, WP, NE, ET, PE */
#define GUEST_CR4 0x20ULL	 /* PAE */
#define GUEST_EFER 0x1d00ULL	 /* SVME (required, APM 15.5.1), NXE, LMA, LME */
#define GUEST_RFLAGS 0x3002ULL	 /* IOPL=3, reserved bit 1 */
#define GUEST_PAT 0x0007040600070406ULL /* the reset value */
#define GUEST_DR6 0xffff0ff0ULL
#define GUEST_DR7 0x400ULL
#define GUEST_SEL_CODE 0x33 /* selectors with RPL 3; there is no GDT */
#define GUEST_SEL_DATA 0x2b
#define GUEST_SEL_CODE0 0x30 /* the same with RPL 0, for CPL0 guests */
#define GUEST_SEL_DATA0 0x28

/* Every exception vector but NMI's (which has its own intercept). */
#define GUEST_EXC_ICPT (0xffffffffu & ~(u32)BIT(2))

static const struct npt_ops svm_npt_ops;

static struct svm_asid_space svm_asids;

static bool has_flush_by_asid(const struct svm_asid_space *space)
{
	return space->features & SVM_FEAT_FLUSH_BY_ASID;
}

u8 svm_asid_assign(struct svm_asid_space *space, struct svm_vcpu *v)
{
	u8 tlb =
		has_flush_by_asid(space) ? SVM_TLB_FLUSH_ASID : SVM_TLB_NOTHING;

	if (space->gen && v->asid_gen == space->gen)
		return SVM_TLB_NOTHING;
	if (!space->gen || space->next >= space->nasid) {
		space->gen++;
		space->next = 1;
		tlb = SVM_TLB_FLUSH_ALL;
	}
	v->vmcb->ctl.asid = space->next++;
	v->vmcb->ctl.clean_bits &= ~SVM_CLEAN_ASID;
	v->asid_gen = space->gen;
	return tlb;
}

int svm_vm_init(struct svm_vm *s, unsigned long type)
{
	int ret;

	/* An SNP VM runs as a plain SVM guest: on a CPU without SNP its
	 * model plays the hardware's part (hv/snp/snp_guest.c); SEV-SNP in
	 * the VMCB would need the PSP's launch (hv/svm_snp.c). A TDX VM
	 * runs as one too, its module a model (hv/tdx/tdx.h). */
	if (type != GMV_VM_DEFAULT && type != GMV_VM_SW_PROTECTED &&
	    type != GMV_VM_SNP && type != GMV_VM_TDX)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->iopm = alloc_pages(hv_pool, IOPM_ORDER, OWN_VM);
	s->msrpm = alloc_pages(hv_pool, MSRPM_ORDER, OWN_VM);
	if (!s->iopm || !s->msrpm) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = npt_init(&s->npt, &npt_format_amd, hv_pool, &svm_npt_ops, s);
	if (ret)
		goto fail;
	npt_set_audit(&s->npt, true);
	memset(s->iopm, 0xff, IOPM_BYTES);
	memset(s->msrpm, 0xff, MSRPM_BYTES);
	return 0;
fail:
	if (s->iopm)
		free_pages(hv_pool, s->iopm, IOPM_ORDER, OWN_VM);
	if (s->msrpm)
		free_pages(hv_pool, s->msrpm, MSRPM_ORDER, OWN_VM);
	memset(s, 0, sizeof(*s));
	return ret;
}

void svm_vm_destroy(struct svm_vm *s)
{
	for (unsigned int i = 0; i < s->nr_vcpus; i++)
		free_pages(hv_pool, s->vcpus[i]->vmcb, VCPU_ORDER, OWN_VM);
	npt_destroy(&s->npt);
	free_pages(hv_pool, s->iopm, IOPM_ORDER, OWN_VM);
	free_pages(hv_pool, s->msrpm, MSRPM_ORDER, OWN_VM);
	memset(s, 0, sizeof(*s));
}

/* npt_ops.flush: the NPT dropped or narrowed translations. Every vCPU of
 * the VM flushes its ASID once before it next enters. */
static void svm_npt_flush(struct npt *npt)
{
	struct svm_vm *s = npt->ctx;

	for (unsigned int i = 0; i < s->nr_vcpus; i++)
		s->vcpus[i]->flush_pending = true;
}

static const struct npt_ops svm_npt_ops = {
	.flush = svm_npt_flush,
};

void svm_vm_zap(struct svm_vm *s, u64 gpa, u64 size)
{
	arch_npt_zap(&s->npt, gpa, size);
}

void svm_vm_flush(struct svm_vm *s)
{
	npt_flush(&s->npt);
}

int svm_vm_map(struct svm_vm *s, u64 gpa, phys_addr_t hpa,
	       unsigned int order, bool writable)
{
	return arch_npt_map(&s->npt, gpa, hpa, order, writable);
}

static void init_control(struct svm_vcpu *v)
{
	struct vmcb_control *c = &v->vmcb->ctl;
	struct svm_vm *s = v->svm;

	c->icpt_exc = GUEST_EXC_ICPT;
	c->icpt_misc1 = SVM_ICPT1_INTR | SVM_ICPT1_NMI | SVM_ICPT1_HLT |
			SVM_ICPT1_IOIO_PROT | SVM_ICPT1_MSR_PROT |
			SVM_ICPT1_SHUTDOWN;
	/* The guest must never run an SVM instruction itself. */
	c->icpt_misc2 = SVM_ICPT2_VMRUN | SVM_ICPT2_VMMCALL |
			SVM_ICPT2_VMLOAD | SVM_ICPT2_VMSAVE | SVM_ICPT2_STGI |
			SVM_ICPT2_CLGI | SVM_ICPT2_SKINIT;
	c->iopm_base_pa = (phys_addr_t)s->iopm;
	c->msrpm_base_pa = (phys_addr_t)s->msrpm;
	c->int_ctl = SVM_INT_CTL_V_INTR_MASKING;
	c->np_control = SVM_NP_ENABLE;
	c->n_cr3 = npt_root_pa(&s->npt);
}

int svm_vcpu_create(struct svm_vm *s, struct svm_vcpu **out)
{
	struct svm_vcpu *v;
	u8 *block;

	if (s->nr_vcpus == SVM_MAX_VCPUS)
		return -EINVAL;
	block = alloc_pages(hv_pool, VCPU_ORDER, OWN_VM);
	if (!block)
		return -ENOMEM;
	v = (struct svm_vcpu *)(block + PAGE_SIZE);
	v->svm = s;
	v->index = s->nr_vcpus;
	v->vmcb = (struct vmcb *)block;
	init_control(v);
	s->vcpus[s->nr_vcpus++] = v;
	*out = v;
	return 0;
}

static void set_seg(struct vmcb_seg *seg, u16 sel, u16 attrib, u32 limit)
{
	seg->sel = sel;
	seg->attrib = attrib;
	seg->limit = limit;
	seg->base = 0;
}

int svm_vcpu_enter(struct svm_vcpu *v, const struct vmm_entry *e)
{
	struct vmcb_save *st = &v->vmcb->save;

	memset(st, 0, sizeof(*st));
	if (e->cpl0) {
		set_seg(&st->cs, GUEST_SEL_CODE0, SVM_SEG_CODE64_DPL0,
			0xffffffff);
		set_seg(&st->ss, GUEST_SEL_DATA0, SVM_SEG_DATA_DPL0,
			0xffffffff);
	} else {
		set_seg(&st->cs, GUEST_SEL_CODE, SVM_SEG_CODE64_DPL3,
			0xffffffff);
		set_seg(&st->ss, GUEST_SEL_DATA, SVM_SEG_DATA_DPL3,
			0xffffffff);
	}
	st->ds = st->ss;
	st->es = st->ss;
	st->fs = st->ss;
	st->gs = st->ss;
	set_seg(&st->tr, 0, SVM_SEG_TSS64_BUSY, 0x67);
	set_seg(&st->ldtr, 0, SVM_SEG_LDT, 0);
	/* GDTR and IDTR stay empty: no GDT, no IDT. */
	st->cpl = e->cpl0 ? 0 : 3;
	st->efer = GUEST_EFER;
	st->cr0 = GUEST_CR0;
	st->cr4 = GUEST_CR4;
	st->cr3 = e->cr3;
	st->dr6 = GUEST_DR6;
	st->dr7 = GUEST_DR7;
	st->rflags = GUEST_RFLAGS;
	st->rip = e->rip;
	st->rsp = e->rsp;
	st->g_pat = GUEST_PAT;

	memset(&v->gprs, 0, sizeof(v->gprs));
	v->vmcb->ctl.event_inj = 0; /* nothing owed to the old state */
	/* The whole state-save area is new: CRs, DRs, descriptor tables,
	 * segments, CR2, G_PAT and the LBR fields alike. */
	v->vmcb->ctl.clean_bits = 0;
	v->gprs.rdi = e->arg0;
	v->gprs.rsi = e->arg1;
	v->entered = true;
	return 0;
}

/* Where each register lives: RAX, RSP, RIP, RFLAGS and CR3 in the VMCB's
 * state-save area (VMRUN switches them), the rest in svm_gprs. A table,
 * not a switch: this runs several times per exit, and under QEMU's TCG the
 * indirect jump of a jump table costs a lookup of the translated code. */
#define IN_VMCB 0x8000u
#define SAVE(name) (__builtin_offsetof(struct vmcb, save.name) | IN_VMCB)
#define GPR(name) __builtin_offsetof(struct svm_gprs, name)
static const u16 reg_at[ARCH_NR_REGS] = {
	[ARCH_REG_RAX] = SAVE(rax), [ARCH_REG_RCX] = GPR(rcx),
	[ARCH_REG_RDX] = GPR(rdx),  [ARCH_REG_RBX] = GPR(rbx),
	[ARCH_REG_RSP] = SAVE(rsp), [ARCH_REG_RBP] = GPR(rbp),
	[ARCH_REG_RSI] = GPR(rsi),  [ARCH_REG_RDI] = GPR(rdi),
	[ARCH_REG_R8] = GPR(r8),    [ARCH_REG_R9] = GPR(r9),
	[ARCH_REG_R10] = GPR(r10),  [ARCH_REG_R11] = GPR(r11),
	[ARCH_REG_R12] = GPR(r12),  [ARCH_REG_R13] = GPR(r13),
	[ARCH_REG_R14] = GPR(r14),  [ARCH_REG_R15] = GPR(r15),
	[ARCH_REG_RIP] = SAVE(rip), [ARCH_REG_RFLAGS] = SAVE(rflags),
	[ARCH_REG_CR3] = SAVE(cr3),
};
#undef SAVE
#undef GPR

static u64 *reg_ptr(const struct svm_vcpu *v, enum arch_reg r)
{
	u16 at = reg_at[r];
	u8 *base = (at & IN_VMCB) ? (u8 *)v->vmcb : (u8 *)&v->gprs;

	return (u64 *)(base + (at & ~IN_VMCB));
}

u64 svm_vcpu_get_reg(const struct svm_vcpu *v, enum arch_reg r)
{
	return *reg_ptr(v, r);
}

void svm_vcpu_set_reg(struct svm_vcpu *v, enum arch_reg r, u64 val)
{
	/* Bit 1 of RFLAGS is always 1 (VMRUN rejects it clear). */
	if (r == ARCH_REG_RFLAGS)
		val |= BIT(1);
	/* CR3 is a clean-bit field; the others VMRUN always loads. */
	if (r == ARCH_REG_CR3)
		v->vmcb->ctl.clean_bits &= ~SVM_CLEAN_CR;
	*reg_ptr(v, r) = val;
}

void svm_vcpu_complete(struct svm_vcpu *v, u64 next_rip)
{
	v->vmcb->save.rip = next_rip;
	v->vmcb->ctl.int_shadow &= ~SVM_INT_SHADOW_MASK;
}

/* The exceptions that push an error code (APM vol. 2 §8.2): #DF, #TS,
 * #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX. */
#define EXC_WITH_ERROR_CODE                                                  \
	(BIT(8) | BIT(10) | BIT(11) | BIT(12) | BIT(13) | BIT(14) | BIT(17) | \
	 BIT(21) | BIT(29) | BIT(30))

/* EFER.LMA and the RFLAGS bits exception delivery clears (AMD APM vol. 2
 * §3.1.7, §3.1.6). */
#define EFER_LMA BIT(10)
#define RFLAGS_TF BIT(8)
#define RFLAGS_IF BIT(9)
#define RFLAGS_NT BIT(14)
#define RFLAGS_RF BIT(16)

/* The exceptions QEMU's TCG delivers with their error code
 * (target/i386/tcg/seg_helper.c, exception_has_error_code()): 8, 10-14,
 * 17. It pushes none for #CP, #VC and #SX, which it does not model. */
#define EXC_ERROR_CODE_TCG                                                   \
	(BIT(8) | BIT(10) | BIT(11) | BIT(12) | BIT(13) | BIT(14) | BIT(17))

static int lookup_npt(const struct arch_vm *vm, u64 gpa, struct arch_xlate *x)
{
	return arch_npt_lookup(&((const struct svm_vm *)vm)->npt, gpa, x);
}

/* The frame's byte at gva: mapped writable and a page the hypervisor may
 * write (not a guest's private page: the CPU writes that as the guest). */
static bool frame_writable(const struct guest_mem *m, u64 gva)
{
	struct arch_xlate x;
	u64 gpa;

	return !guest_translate(m, gva, &gpa) && !m->lookup(m->vm, gpa, &x) &&
	       x.writable && svm_snp_host_may_write(x.hpa);
}

/*
 * Deliver an exception the way the CPU does in 64-bit mode (AMD APM vol.
 * 2 §8.9.3, "Long-Mode Interrupt Control Transfers"), for a gate that
 * keeps the privilege level and has no IST: the stack aligned to 16, then
 * SS, RSP, RFLAGS, CS, RIP and the error code pushed, RFLAGS.TF, NT and
 * RF cleared (IF too through an interrupt gate), RIP from the gate. False
 * when the guest's state is not that simple, or the IDT or the stack is
 * not mapped, or the stack is a private page (which only the CPU may
 * write, as the guest); the caller injects through EVENTINJ then, which
 * QEMU delivers without the error code.
 */
static bool deliver_by_hand(struct svm_vcpu *v, u8 vector, u32 error_code)
{
	struct vmcb_save *st = &v->vmcb->save;
	struct guest_mem m = {.cr3 = st->cr3,
			      .lookup = lookup_npt,
			      .vm = (const struct arch_vm *)v->svm};
	u8 g[16];
	u64 frame[6], rsp;

	if (!(st->efer & EFER_LMA) || st->idtr.limit < vector * 16u + 15 ||
	    guest_read_gva(&m, st->idtr.base + vector * 16u, g, sizeof(g)))
		return false;
	/* Present, a 64-bit interrupt (0xe) or trap (0xf) gate, no IST,
	 * the current code segment (so the same CPL). */
	if (!(g[5] & 0x80) || ((g[5] & 0x1f) != 0xe && (g[5] & 0x1f) != 0xf) ||
	    (g[4] & 7) || (g[2] | g[3] << 8) != st->cs.sel)
		return false;
	rsp = (st->rsp & ~15ULL) - sizeof(frame);
	if (!frame_writable(&m, rsp) ||
	    !frame_writable(&m, rsp + sizeof(frame) - 1))
		return false;
	frame[0] = error_code;
	frame[1] = st->rip;
	frame[2] = st->cs.sel;
	frame[3] = st->rflags;
	frame[4] = st->rsp;
	frame[5] = st->ss.sel;
	if (guest_write_gva(&m, rsp, frame, sizeof(frame)))
		return false;
	st->rsp = rsp;
	st->rip = (u64)(g[0] | g[1] << 8) | (u64)(g[6] | g[7] << 8) << 16 |
		  (u64)(g[8] | g[9] << 8 | g[10] << 16 | (u32)g[11] << 24)
			  << 32;
	st->rflags &= ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF);
	if ((g[5] & 0x1f) == 0xe)
		st->rflags &= ~RFLAGS_IF;
	return true;
}

void svm_vcpu_inject(struct svm_vcpu *v, u8 vector, u32 error_code)
{
	u64 ev = SVM_EVT_V | SVM_EVT_TYPE_EXCEPTION | vector;

	/* An error code the emulator would drop: the frame is built here,
	 * the same on any CPU. */
	if (vector < 32 && (EXC_WITH_ERROR_CODE & BIT(vector)) &&
	    !(EXC_ERROR_CODE_TCG & BIT(vector)) &&
	    deliver_by_hand(v, vector, error_code))
		return;

	if (vector < 32 && (EXC_WITH_ERROR_CODE & BIT(vector)))
		ev |= SVM_EVT_EV | (u64)error_code << SVM_EVT_ERR_SHIFT;
	v->vmcb->ctl.event_inj = ev;
}

/*
 * An event whose delivery an exit interrupted (a nested fault on the
 * guest's IDT, say) is injected again at the next entry, as KVM's
 * svm_complete_interrupts() does for exceptions and external interrupts;
 * one delivered is done. Software interrupts (INTn, type 4) and the
 * exceptions INT3 and INTO raise (vectors 3 and 4) are not: the guest runs
 * the instruction again.
 */
static u64 reinject(u64 info)
{
	u32 type = info & (7u << 8);

	if (!(info & SVM_EVT_V) || type == (4u << 8) ||
	    (type == SVM_EVT_TYPE_EXCEPTION && ((info & 0xff) == 3 ||
						(info & 0xff) == 4)))
		return 0;
	return info;
}

/*
 * Everything the VMCB needs right before VMRUN: an ASID of the current
 * generation, the TLB flush this vCPU owes and the clean bits. With the NPT's audit on, a
 * flush still owed here means a path changed the NPT without npt_flush():
 * -EIO. QEMU's TCG has no TLB to test against (target/i386/tcg/sysemu/
 * svm_helper.c drops every nested translation at each VMRUN and #VMEXIT),
 * so this check is the only thing that catches a missed flush.
 */
int svm_prepare_entry(struct svm_vcpu *v, struct svm_asid_space *space)
{
	struct vmcb_control *c = &v->vmcb->ctl;
	u8 tlb;

	if (npt_vmentry_check(&v->svm->npt))
		return -EIO;
	/* Without FlushByAsid, TLB_CONTROL 3 is not defined (APM 15.16.1):
	 * an ASID not used since the generation's full flush is clean. */
	if (v->flush_pending && !has_flush_by_asid(space))
		v->asid_gen = 0;
	tlb = svm_asid_assign(space, v);
	if (v->flush_pending && tlb == SVM_TLB_NOTHING &&
	    has_flush_by_asid(space))
		tlb = SVM_TLB_FLUSH_ASID;
	v->flush_pending = false;
	c->tlb_control = tlb;
	if (tlb == SVM_TLB_FLUSH_ASID)
		v->stats.asid_flushes++;
	/* What a CPU cached of a VMCB is its own: on its first VMRUN, or on
	 * another CPU than last time, every field is new (APM vol. 2
	 * §15.15). */
	if (v->ran_on != space)
		c->clean_bits = 0;
	v->ran_on = space;
	if (c->clean_bits)
		v->stats.clean_entries++;
	return 0;
}

void svm_after_vmrun(struct svm_vcpu *v, const struct svm_asid_space *space)
{
	struct vmcb_control *c = &v->vmcb->ctl;

	c->tlb_control = SVM_TLB_NOTHING;
	c->event_inj = reinject(c->exit_int_info);
	/* VMRUN loaded every field; from here on, whatever changes one
	 * clears its bit (svm_asid_assign, svm_vcpu_enter,
	 * svm_vcpu_set_reg). The intercepts, the permission maps' and the
	 * nested table's addresses, the TPR fields and AVIC's are set once,
	 * at svm_vcpu_create(). */
	c->clean_bits = (space->features & SVM_FEAT_VMCB_CLEAN) ? SVM_CLEAN_ALL
								: 0;
	v->nr_exits++;
}

int svm_vcpu_run(struct svm_vcpu *v, struct arch_exit *x)
{
	int ret;

	if (!v->entered)
		return -EINVAL;
	/* Once: SVM on in this CPU, and its ASID space. */
	if (!svm_asids.nasid) {
		ret = svm_cpu_enable();
		if (ret)
			return ret;
		svm_asids.nasid = svm_cpu_nasid();
		svm_asids.features = svm_cpu_features();
	}
	if (svm_prepare_entry(v, &svm_asids))
		panic("svm: vCPU %u enters its guest with an NPT flush owed: a "
		      "path changed the NPT without npt_flush()",
		      v->index);
	svm_vmrun((phys_addr_t)v->vmcb, &v->gprs, svm_cpu_host_save_pa());
	svm_after_vmrun(v, &svm_asids);
	svm_decode_exit(v, svm_asids.features, x);
	return 0;
}

/* ------------------------------------------------------ svm_arch_ops */

/* In this file, so that the small calls the exit policy makes at every
 * exit (registers, completion, lookups) are one call deep: under QEMU's
 * TCG every call and return costs a lookup of the translated code. */

static struct svm_vm *svm_of(struct arch_vm *vm)
{
	return (struct svm_vm *)vm;
}

static struct svm_vcpu *vcpu_of(struct arch_vcpu *c)
{
	return (struct svm_vcpu *)c;
}

static const struct svm_vcpu *cvcpu_of(const struct arch_vcpu *c)
{
	return (const struct svm_vcpu *)c;
}

static int svm_arch_vm_init(unsigned long type, struct arch_vm **out)
{
	struct svm_vm *s = kmalloc(sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	ret = svm_vm_init(s, type);
	if (ret) {
		kfree(s, sizeof(*s));
		return ret;
	}
	*out = (struct arch_vm *)s;
	return 0;
}

static void svm_arch_vm_destroy(struct arch_vm *vm)
{
	svm_vm_destroy(svm_of(vm));
	kfree(vm, sizeof(struct svm_vm));
}

static int svm_arch_map(struct arch_vm *vm, u64 gpa, phys_addr_t hpa,
			unsigned int order, bool writable, bool private)
{
	/* One NPT holds private and shared translations alike. */
	return svm_vm_map(svm_of(vm), gpa, hpa, order, writable);
}

static void svm_arch_zap(struct arch_vm *vm, u64 gpa, u64 size,
			 unsigned int filter)
{
	/* One NPT: whatever the filter, everything in the range goes. */
	svm_vm_zap(svm_of(vm), gpa, size);
}

static void svm_arch_flush(struct arch_vm *vm)
{
	svm_vm_flush(svm_of(vm));
}

static int svm_arch_lookup(const struct arch_vm *vm, u64 gpa,
			   struct arch_xlate *x)
{
	return arch_npt_lookup(&((const struct svm_vm *)vm)->npt, gpa, x);
}

static int svm_arch_vcpu_create(struct arch_vm *vm, struct arch_vcpu **out)
{
	struct svm_vcpu *v;
	int ret = svm_vcpu_create(svm_of(vm), &v);

	if (!ret)
		*out = (struct arch_vcpu *)v;
	return ret;
}

static int svm_arch_vcpu_enter(struct arch_vcpu *c, const struct vmm_entry *e)
{
	return svm_vcpu_enter(vcpu_of(c), e);
}

static u64 svm_arch_get_reg(const struct arch_vcpu *c, enum arch_reg r)
{
	return svm_vcpu_get_reg(cvcpu_of(c), r);
}

static void svm_arch_set_reg(struct arch_vcpu *c, enum arch_reg r, u64 val)
{
	svm_vcpu_set_reg(vcpu_of(c), r, val);
}

static void svm_arch_complete(struct arch_vcpu *c, u64 next_rip)
{
	svm_vcpu_complete(vcpu_of(c), next_rip);
}

static void svm_arch_inject(struct arch_vcpu *c, u8 vector, u32 error_code)
{
	svm_vcpu_inject(vcpu_of(c), vector, error_code);
}

static int svm_arch_run(struct arch_vcpu *c, struct arch_exit *x)
{
	return svm_vcpu_run(vcpu_of(c), x);
}

static void svm_arch_dump(const struct arch_vcpu *c, const char *why)
{
	svm_dump(cvcpu_of(c), why);
}

const struct arch_ops svm_arch_ops = {
	.name = "svm",
	.lacks = svm_cpu_lacks,
	.vm_init = svm_arch_vm_init,
	.vm_destroy = svm_arch_vm_destroy,
	.map = svm_arch_map,
	.zap = svm_arch_zap,
	.flush = svm_arch_flush,
	.lookup = svm_arch_lookup,
	.vcpu_create = svm_arch_vcpu_create,
	.vcpu_enter = svm_arch_vcpu_enter,
	.get_reg = svm_arch_get_reg,
	.set_reg = svm_arch_set_reg,
	.complete = svm_arch_complete,
	.inject = svm_arch_inject,
	.run = svm_arch_run,
	.dump = svm_arch_dump,
};
