// SPDX-License-Identifier: MIT
/*
 * hv/vmx/vmx_cpu_hw.c - VMX on the physical CPU (hv/vmx/vmx_cpu.h): the
 * probe, VMXON, the current VMCS and one entry through it. From the Intel
 * SDM vol. 3C: 24.7 "Enabling and Entering VMX Operation" (feature
 * control, the fixed CR0/CR4 bits, the VMXON region), 25.11 "Software
 * Use of the VMCS" (VMCLEAR before first use, VMPTRLD, VMLAUNCH then
 * VMRESUME), 25.5 "Host-State Area", 28.5 "Loading Host State"; the
 * instructions from vol. 2 and vol. 3C chapter 31.
 */
#include "hv/vmx/vmx_cpu.h"
#include "hv/deadline.h"
#include "hv/x86/cpu.h"
#include "hv/x86/vectors.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define CPUID_1_ECX_VMX BIT(5)
#define CR4_VMXE BIT(13)
#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u

/* The world switch (hv/vmx/vmx_vmenter.asm): enum vmx_entry_result. */
int vmx_vmenter(struct vmx_gprs *g, u64 launched);

/* The VMXON region; the payload maps memory 1:1, so its address is its
 * physical address. */
static u8 vmxon_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct vmx_caps caps;
static struct vmx_config config;
static const char *why_not;
static bool probed, vmx_on;
static u8 *current_vmcs;

#define CR_ACCESSORS(n)                                                    \
	static inline u64 get_cr##n(void)                                  \
	{                                                                  \
		u64 v;                                                     \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static inline void set_cr##n(u64 v)                                \
	{                                                                  \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
CR_ACCESSORS(0)
CR_ACCESSORS(4)

static inline u64 get_cr3(void)
{
	u64 v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

/* VMX instructions report failure in CF (VMfailInvalid) or ZF
 * (VMfailValid): "setna" catches both. VMXON, VMCLEAR and VMPTRLD take
 * the 64-bit physical address of a region in memory. */
#define VMX_PA_INSN(insn)                                \
	static inline bool insn(u64 pa)                  \
	{                                                \
		u8 fail;                                 \
                                                         \
		__asm__ volatile(#insn " %1\n\tsetna %0" \
				 : "=qm"(fail)           \
				 : "m"(pa)               \
				 : "cc", "memory");      \
		return !fail;                            \
	}

VMX_PA_INSN(vmxon)
VMX_PA_INSN(vmclear)
VMX_PA_INSN(vmptrld)

static inline bool vmwrite(u64 field, u64 val)
{
	u8 fail;

	__asm__ volatile("vmwrite %2, %1\n\tsetna %0"
			 : "=qm"(fail)
			 : "r"(field), "r"(val)
			 : "cc");
	return !fail;
}

static inline u64 vmread(u64 field)
{
	u64 val;

	__asm__ volatile("vmread %1, %0" : "=r"(val) : "r"(field) : "cc");
	return val;
}

static inline void invept(u64 type, u64 eptp)
{
	struct {
		u64 eptp, rsvd;
	} desc = {eptp, 0};

	__asm__ volatile("invept %0, %1"
			 :
			 : "m"(desc), "r"(type)
			 : "cc", "memory");
}

static inline void invvpid(u64 type, u16 vpid)
{
	struct {
		u64 vpid, gla;
	} desc = {vpid, 0};

	__asm__ volatile("invvpid %0, %1"
			 :
			 : "m"(desc), "r"(type)
			 : "cc", "memory");
}

static bool intel(void)
{
	u32 a, v[3];

	cpuid(0, 0, &a, &v[0], &v[2], &v[1]);
	return !memcmp(v, "GenuineIntel", 12);
}

/* The capability MSRs; each read only where the SDM says it exists
 * (appendix A). */
static void read_caps(struct vmx_caps *c)
{
	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	c->pin = rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
	c->proc = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	c->exit = rdmsr(MSR_IA32_VMX_EXIT_CTLS);
	c->entry = rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
	if (c->basic & VMX_BASIC_TRUE_CTLS) {
		c->true_pin = rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		c->true_proc = rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		c->true_exit = rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		c->true_entry = rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	if (c->proc >> 32 & PROC_SECONDARY_CTLS) {
		c->proc2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		if (c->proc2 >> 32 & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID))
			c->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
}

static const char *probe(void)
{
	u32 a, b, c, d;
	u64 fc;

	if (!intel())
		return "no VMX: not an Intel CPU";
	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & CPUID_1_ECX_VMX))
		return "no VMX: CPUID 1 ECX bit 5 clear";
	/* Locked without VMX outside SMX, VMXON #GPs (24.7); unlocked, it
	 * is set and locked at VMXON, as Linux does. */
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCK) &&
	    !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		return "VMX disabled by firmware (IA32_FEATURE_CONTROL locked "
		       "without VMX outside SMX)";
	read_caps(&caps);
	return vmx_config_derive(&caps, &config);
}

const char *vmx_cpu_lacks(void)
{
	if (!probed) {
		why_not = probe();
		probed = true;
	}
	return why_not;
}

const struct vmx_config *vmx_cpu_config(void)
{
	return vmx_cpu_lacks() ? NULL : &config;
}

const struct vmx_caps *vmx_cpu_caps(void)
{
	return vmx_cpu_lacks() ? NULL : &caps;
}

int vmx_cpu_enable(void)
{
	u64 fc;

	if (vmx_on)
		return 0;
	if (vmx_cpu_lacks())
		return -ENODEV;
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCK))
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCK |
			      FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	/* CR0 and CR4 with the fixed bits VMXON checks (A.7, A.8). */
	set_cr0((get_cr0() | caps.cr0_fixed0) & caps.cr0_fixed1);
	set_cr4((get_cr4() | caps.cr4_fixed0 | CR4_VMXE) & caps.cr4_fixed1);
	*(u32 *)vmxon_page = config.revision;
	if (!vmxon((phys_addr_t)vmxon_page)) {
		kprintf("# vmx: VMXON failed\n");
		return -ENODEV;
	}
	vmx_on = true;
	return 0;
}

void vmx_cpu_vmcs_release(u8 *vmcs)
{
	if (!vmx_on)
		return;
	vmclear((phys_addr_t)vmcs);
	if (current_vmcs == vmcs)
		current_vmcs = NULL;
}

/* The base of the descriptor sel names in the GDT at gdt (a 16-byte
 * system descriptor for TR). */
static u64 tr_base(u64 gdt, u16 sel)
{
	const u8 *d = (const u8 *)(gdt + (sel & ~7u));
	u64 high = *(const u32 *)(d + 8);

	return (u64)d[2] | (u64)d[3] << 8 | (u64)d[4] << 16 | (u64)d[7] << 24 |
	       high << 32;
}

/* The host state VM exits load (25.5), but RSP and RIP, which the world
 * switch writes. */
static bool write_host_state(void)
{
	struct __attribute__((packed)) {
		u16 limit;
		u64 base;
	} gdtr, idtr;
	u16 cs, ss, ds, es, fs, gs, tr;
	bool ok = true;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	__asm__ volatile("sidt %0" : "=m"(idtr));
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("mov %%ss, %0" : "=r"(ss));
	__asm__ volatile("mov %%ds, %0" : "=r"(ds));
	__asm__ volatile("mov %%es, %0" : "=r"(es));
	__asm__ volatile("mov %%fs, %0" : "=r"(fs));
	__asm__ volatile("mov %%gs, %0" : "=r"(gs));
	__asm__ volatile("str %0" : "=r"(tr));
	ok &= vmwrite(VMCS_HOST_CS_SEL, cs);
	ok &= vmwrite(VMCS_HOST_SS_SEL, ss);
	ok &= vmwrite(VMCS_HOST_DS_SEL, ds);
	ok &= vmwrite(VMCS_HOST_ES_SEL, es);
	ok &= vmwrite(VMCS_HOST_FS_SEL, fs);
	ok &= vmwrite(VMCS_HOST_GS_SEL, gs);
	ok &= vmwrite(VMCS_HOST_TR_SEL, tr);
	ok &= vmwrite(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	ok &= vmwrite(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	ok &= vmwrite(VMCS_HOST_TR_BASE, tr_base(gdtr.base, tr));
	ok &= vmwrite(VMCS_HOST_GDTR_BASE, gdtr.base);
	ok &= vmwrite(VMCS_HOST_IDTR_BASE, idtr.base);
	ok &= vmwrite(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
	ok &= vmwrite(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
	ok &= vmwrite(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
	ok &= vmwrite(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	return ok;
}

static bool write_guest_image(const struct vmx_vcpu *v)
{
	struct vmcs_write w[VMX_IMAGE_MAX];
	unsigned int n = vmx_vmcs_image(v, w);

	for (unsigned int i = 0; i < n; i++)
		if (!vmwrite(w[i].field, w[i].val)) {
			kprintf("# vmx: VMWRITE of field %#x failed\n",
				w[i].field);
			return false;
		}
	return true;
}

/* The VMX-preemption timer's count to the deadline timer's deadline
 * (SDM vol. 3C 26.5.1), 0 when it has passed; the largest count when the
 * timer is not armed (an exit the run loop resumes from). */
static u64 preempt_value(const struct vmx_config *cfg)
{
	u64 at = deadline_armed_for(), now = deadline_now();

	if (!at)
		return 0xffffffffULL;
	if (at <= now)
		return 0;
	return MIN((at - now) >> cfg->preempt_rate, 0xffffffffULL);
}

/* What changes between entries. */
static bool write_entry_state(const struct vmx_vcpu *v)
{
	bool ok = true;

	ok &= vmwrite(VMCS_HOST_CR0, get_cr0());
	ok &= vmwrite(VMCS_HOST_CR3, get_cr3());
	ok &= vmwrite(VMCS_HOST_CR4, get_cr4());
	ok &= vmwrite(VMCS_GUEST_RIP, v->rip);
	ok &= vmwrite(VMCS_GUEST_RSP, v->rsp);
	ok &= vmwrite(VMCS_GUEST_RFLAGS, v->rflags);
	ok &= vmwrite(VMCS_GUEST_CR3, v->cr3);
	ok &= vmwrite(VMCS_GUEST_INTERRUPTIBILITY, v->interruptibility);
	ok &= vmwrite(VMCS_ENTRY_INTR_INFO, v->entry_intr_info);
	ok &= vmwrite(VMCS_ENTRY_EXC_ERROR, v->entry_exc_error);
	if (v->vmx->cfg->vpid)
		ok &= vmwrite(VMCS_VPID, v->vpid);
	if (v->vmx->cfg->preempt)
		ok &= vmwrite(VMCS_PREEMPT_TIMER, preempt_value(v->vmx->cfg));
	return ok;
}

/* The VMCS refused a write before any entry: a VMfailValid with the
 * VM-instruction error it left. */
static void write_failed(struct vmx_vcpu *v)
{
	v->exit = (struct vmx_exit_info){
		.result = VMX_FAIL_VALID,
		.insn_error = (u32)vmread(VMCS_INSN_ERROR),
	};
}

static void read_exit(struct vmx_vcpu *v)
{
	struct vmx_exit_info *e = &v->exit;

	e->reason = (u32)vmread(VMCS_EXIT_REASON);
	e->qual = vmread(VMCS_EXIT_QUAL);
	e->gpa = vmread(VMCS_GUEST_PHYS_ADDR);
	e->gla = vmread(VMCS_GUEST_LINEAR_ADDR);
	e->insn_len = (u32)vmread(VMCS_EXIT_INSN_LEN);
	e->intr_info = (u32)vmread(VMCS_EXIT_INTR_INFO);
	e->intr_error = (u32)vmread(VMCS_EXIT_INTR_ERROR);
	e->idt_info = (u32)vmread(VMCS_IDT_VECT_INFO);
	e->idt_error = (u32)vmread(VMCS_IDT_VECT_ERROR);
	e->insn_error = 0;
	v->rip = vmread(VMCS_GUEST_RIP);
	v->rsp = vmread(VMCS_GUEST_RSP);
	v->rflags = vmread(VMCS_GUEST_RFLAGS);
	v->cr3 = vmread(VMCS_GUEST_CR3);
	v->interruptibility = (u32)vmread(VMCS_GUEST_INTERRUPTIBILITY);
}

void vmx_cpu_enter(struct vmx_vcpu *v, const struct vmx_flush *f)
{
	phys_addr_t pa = (phys_addr_t)v->vmcs;
	int r;

	/* A VMCS is VMCLEARed before its first VMPTRLD (25.11.3). */
	if (!v->vmcs_ready) {
		vmclear(pa);
		if (current_vmcs == v->vmcs)
			current_vmcs = NULL;
		v->launched = false;
	}
	if (current_vmcs != v->vmcs) {
		if (!vmptrld(pa)) {
			v->exit = (struct vmx_exit_info){
				.result = VMX_FAIL_INVALID};
			return;
		}
		current_vmcs = v->vmcs;
	}
	if (!v->vmcs_ready) {
		if (!write_host_state()) {
			write_failed(v);
			return;
		}
		v->vmcs_ready = true;
	}
	if (v->state_dirty) {
		if (!write_guest_image(v)) {
			write_failed(v);
			return;
		}
		v->state_dirty = false;
	}
	if (!write_entry_state(v)) {
		write_failed(v);
		return;
	}
	if (f->invvpid_all)
		invvpid(INVVPID_ALL, 0);
	if (f->invept)
		invept(v->vmx->cfg->invept_type, v->vmx->eptp);
	r = vmx_vmenter(&v->gprs, v->launched);
	if (r != VMX_ENTERED) {
		v->exit = (struct vmx_exit_info){.result = (u8)r};
		if (r == VMX_FAIL_VALID)
			v->exit.insn_error = (u32)vmread(VMCS_INSN_ERROR);
		return;
	}
	v->exit.result = VMX_ENTERED;
	read_exit(v);
	/* An entry that failed its guest-state checks launched nothing
	 * (27.8): the next attempt is VMLAUNCH again. */
	if (!(v->exit.reason & VMX_EXIT_REASON_ENTRY_FAIL))
		v->launched = true;
	/*
	 * An NMI exit consumed its NMI, and with "virtual NMIs" off it
	 * leaves NMIs blocked once the exit completes (SDM vol. 3C 28.1)
	 * until the next IRET (vol. 3A 6.7.1). Hand the NMI to the host's
	 * vector 2 first, while nothing has run an IRET: its handler runs
	 * with NMIs still blocked, so no NMI can nest on its IST stack, and
	 * its IRET ends the blocking. Taking the interrupt below first
	 * would let that handler's IRET unblock NMIs under INT 2.
	 */
	if (v->exit.reason == VMX_EXIT_EXCEPTION_NMI &&
	    INTR_INFO_TYPE(v->exit.intr_info) == INTR_TYPE_NMI)
		__asm__ volatile("int $2" : : : "memory");
	/*
	 * Not acknowledged at the exit, the interrupt that ended the run
	 * is still pending in the local APIC: take it here, through the
	 * host's IDT (STI takes effect after the next instruction).
	 */
	__asm__ volatile("sti\n\tnop\n\tcli" : : : "memory");
}

u64 vmx_cpu_vmcs_read(const struct vmx_vcpu *v, u32 field)
{
	if (current_vmcs != v->vmcs) {
		if (!vmptrld((phys_addr_t)v->vmcs))
			return ~0ULL;
		current_vmcs = v->vmcs;
	}
	return vmread(field);
}
