// SPDX-License-Identifier: MIT
/*
 * tests/payload/vmx_run_test.c - the VMX backend on a real (Bochs) CPU:
 * small hand-assembled guests under the guest environment contract, run
 * through VMLAUNCH/VMRESUME one exit at a time, checking what
 * vmx_vcpu_run() decodes (the controls the VMCS holds as derived, port
 * I/O and VMCALL with their lengths, EPT violations with their exact GPA
 * and qualification, an EPT misconfiguration as an internal error, guest
 * exceptions, HLT and RDMSR/WRMSR at CPL0, a VM entry that fails its
 * checks named, a guest spinning with IF clear ended by the deadline,
 * the deadline= watchdog's NMIs ending runs and reaching the host), with
 * this case doing what the exit policy would. The guests the exit policy runs
 * are in the vcpu_native and guest_native suites.
 */
#include "boot/nmi_watchdog.h"
#include "boot/tsc.h"
#include "hv/alloc.h"
#include "hv/deadline.h"
#include "hv/vmx/vmx.h"
#include "hv/vmx/vmx_cpu.h"
#include "hv/x86/insn_decode.h"
#include "hv/x86/vectors.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/suites.h"

/*
 * Guest RAM is one 2 MiB block at GPA 0. The guest's tables (PML4 0x1000,
 * PDPT 0x2000, PD 0x3000) map GVA 0 - 1 GiB 1:1 with 2 MiB pages; the EPT
 * maps only GPA 0 - 2 MiB, so anything above faults in the EPT first.
 */
#define CODE_GPA 0x10000ULL
#define STACK_TOP 0x20000ULL
#define OUT_PORT 0x1234

struct run_env {
	u8 *ram;
	struct vmx_vm s;
	struct vmx_vcpu *v;
	struct arch_exit x;
	bool vm_up;
};

static const char *no_vmx(struct kt *t)
{
	return vmx_cpu_lacks();
}

static bool env_open(struct kt *t, struct run_env *e, const u8 *code, size_t n,
		     u64 arg0, u64 arg1)
{
	struct vmm_entry entry = {.rip = CODE_GPA,
				  .rsp = STACK_TOP,
				  .cr3 = 0x1000,
				  .arg0 = arg0,
				  .arg1 = arg1};
	u64 *pd;

	memset(e, 0, sizeof(*e));
	e->ram = alloc_pages(hv_pool, 9, OWN_TEST);
	if (!KT_EXPECT(t, e->ram != NULL))
		return false;
	memset(e->ram, 0, SZ_2M);
	((u64 *)(e->ram + 0x1000))[0] = 0x2000 | 7;
	((u64 *)(e->ram + 0x2000))[0] = 0x3000 | 7;
	pd = (u64 *)(e->ram + 0x3000);
	for (u64 i = 0; i < 512; i++)
		pd[i] = (i << 21) | 0x87;
	memcpy(e->ram + CODE_GPA, code, n);
	if (!KT_EXPECT_OK(t,
			  vmx_vm_init(&e->s, GMV_VM_DEFAULT, vmx_cpu_config())))
		return false;
	e->vm_up = true;
	return KT_EXPECT_OK(
		       t, vmx_vm_map(&e->s, 0, (phys_addr_t)e->ram, 9, true)) &&
	       KT_EXPECT_OK(t, vmx_vcpu_create(&e->s, &e->v)) &&
	       KT_EXPECT_OK(t, vmx_vcpu_enter(e->v, &entry));
}

static void env_close(struct run_env *e)
{
	if (e->vm_up)
		vmx_vm_destroy(&e->s);
	if (e->ram)
		free_pages(hv_pool, e->ram, 9, OWN_TEST);
}

static int run(struct run_env *e)
{
	return vmx_vcpu_run(e->v, &e->x);
}

static u64 reg(struct run_env *e, enum arch_reg r)
{
	return vmx_vcpu_get_reg(e->v, r);
}

static bool expect_io(struct kt *t, struct run_env *e, u16 port, u8 size,
		      bool in)
{
	return KT_EXPECT_OK(t, run(e)) &&
	       KT_EXPECT_EQ(t, e->x.kind, ARCH_EXIT_IO) &&
	       KT_EXPECT_EQ(t, e->x.io.port, port) &&
	       KT_EXPECT_EQ(t, e->x.io.size, size) &&
	       KT_EXPECT_EQ(t, e->x.io.in, in);
}

/* The controls the VMCS holds after an entry are those derived from this
 * CPU's capability MSRs (printed, for the host tests' table). */
static void vmx_run_controls_as_derived(struct kt *t)
{
	static const u8 code[] = {0xef}; /* out dx, eax */
	const struct vmx_caps *c = vmx_cpu_caps();
	const struct vmx_config *cfg = vmx_cpu_config();
	struct vmx_config again;
	struct run_env e;

	kt_diag(t, "BASIC %#llx MISC %#llx", (unsigned long long)c->basic,
		(unsigned long long)c->misc);
	kt_diag(t, "PIN %#llx PROC %#llx EXIT %#llx ENTRY %#llx",
		(unsigned long long)c->pin, (unsigned long long)c->proc,
		(unsigned long long)c->exit, (unsigned long long)c->entry);
	kt_diag(t, "TRUE PIN %#llx PROC %#llx EXIT %#llx ENTRY %#llx",
		(unsigned long long)c->true_pin,
		(unsigned long long)c->true_proc,
		(unsigned long long)c->true_exit,
		(unsigned long long)c->true_entry);
	kt_diag(t, "PROC2 %#llx EPT_VPID %#llx", (unsigned long long)c->proc2,
		(unsigned long long)c->ept_vpid);
	kt_diag(t, "CR0 FIXED %#llx/%#llx CR4 FIXED %#llx/%#llx",
		(unsigned long long)c->cr0_fixed0,
		(unsigned long long)c->cr0_fixed1,
		(unsigned long long)c->cr4_fixed0,
		(unsigned long long)c->cr4_fixed1);
	kt_diag(t,
		"derived: pin %#x proc %#x proc2 %#x exit %#x entry %#x "
		"ept order %u vpid %d preempt %d",
		cfg->pin, cfg->proc, cfg->proc2, cfg->exit, cfg->entry,
		cfg->ept_max_order, cfg->vpid, cfg->preempt);
	KT_EXPECT(t, vmx_config_derive(c, &again) == NULL);
	KT_EXPECT_MEM_EQ(t, &again, cfg, sizeof(again));
	if (!env_open(t, &e, code, sizeof(code), 0, 0))
		goto out;
	if (!expect_io(t, &e, 0, 4, false))
		goto out;
	KT_EXPECT_EQ(t, vmx_cpu_vmcs_read(e.v, VMCS_PIN_CTLS), cfg->pin);
	KT_EXPECT_EQ(t, vmx_cpu_vmcs_read(e.v, VMCS_PROC_CTLS), cfg->proc);
	KT_EXPECT_EQ(t, vmx_cpu_vmcs_read(e.v, VMCS_PROC2_CTLS), cfg->proc2);
	KT_EXPECT_EQ(t, vmx_cpu_vmcs_read(e.v, VMCS_EXIT_CTLS), cfg->exit);
	KT_EXPECT_EQ(t, vmx_cpu_vmcs_read(e.v, VMCS_ENTRY_CTLS), cfg->entry);
	KT_EXPECT_EQ(t, vmx_cpu_vmcs_read(e.v, VMCS_EPTP), e.s.eptp);
	KT_EXPECT_EQ(t, vmx_cpu_vmcs_read(e.v, VMCS_GUEST_CR0), cfg->guest_cr0);
	if (cfg->vpid)
		KT_EXPECT_NE(t, vmx_cpu_vmcs_read(e.v, VMCS_VPID), 0);
out:
	env_close(&e);
}

static void vmx_run_io_and_hypercalls(struct kt *t)
{
	static const u8 code[] = {
		0xba, 0x34, 0x12, 0x00, 0x00, /* mov edx, 0x1234 */
		0x48, 0x89, 0xf8, /* mov rax, rdi */
		0xef, /* out dx, eax */
		0xed, /* in eax, dx */
		0x49, 0x89, 0xc4, /* mov r12, rax */
		0xbb, 0x00, 0x00, 0x01, 0x00, /* mov ebx, 0x10000 */
		0xb8, 0x0c, 0x00, 0x00, 0x00, /* mov eax, 12 */
		0x0f, 0x01, 0xc1, /* vmcall */
		0x49, 0x89, 0xc5, /* mov r13, rax */
		0x66, 0xe7, 0x80, /* out 0x80, ax */
	};
	struct run_env e;

	if (!env_open(t, &e, code, sizeof(code), 0xfeedf00d, 0))
		goto out;
	/* OUT: the exit carries its length (VM-exit instruction length). */
	if (!expect_io(t, &e, OUT_PORT, 4, false))
		goto out;
	KT_EXPECT_EQ(t, e.x.insn_len, 1);
	KT_EXPECT_EQ(t, e.x.rip, CODE_GPA + 8);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RAX), 0xfeedf00d);
	vmx_vcpu_complete(e.v, e.x.rip + e.x.insn_len);
	if (!expect_io(t, &e, OUT_PORT, 4, true))
		goto out;
	vmx_vcpu_set_reg(e.v, ARCH_REG_RAX, 0x55aa);
	vmx_vcpu_complete(e.v, e.x.rip + e.x.insn_len);
	/* VMCALL: 3 bytes, reported. */
	if (!KT_EXPECT_OK(t, run(&e)) ||
	    !KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_HYPERCALL))
		goto out;
	KT_EXPECT_EQ(t, e.x.code, VMX_EXIT_VMCALL);
	KT_EXPECT_EQ(t, e.x.insn_len, 3);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RAX), 12);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RBX), 0x10000);
	vmx_vcpu_set_reg(e.v, ARCH_REG_RAX, 0x77);
	vmx_vcpu_complete(e.v, e.x.rip + e.x.insn_len);
	/* out imm8, ax: prefix and immediate, 3 bytes. */
	if (!expect_io(t, &e, 0x80, 2, false))
		goto out;
	KT_EXPECT_EQ(t, e.x.insn_len, 3);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_R12), 0x55aa);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_R13), 0x77);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RIP), CODE_GPA + sizeof(code) - 3);
out:
	env_close(&e);
}

/* EPT violations: the exact GPA, what the access was, whether a
 * translation existed; resolved by mapping; a zap owes an INVEPT. */
static void vmx_run_ept_violations(struct kt *t)
{
	static const u8 code[] = {
		0xba, 0x34, 0x12, 0x00, 0x00, /* mov edx, 0x1234 */
		0x48, 0x8b, 0x04, 0x25, 0x08, 0x00, 0x30, 0x00,
		/* mov rax, [0x300008] */
		0x48, 0x89, 0x34, 0x25, 0x00, 0x10, 0x30, 0x00,
		/* mov [0x301000], rsi */
		0xef, /* out dx, eax */
	};
	struct run_env e;
	u8 *pages = NULL;

	if (!env_open(t, &e, code, sizeof(code), 0, 0xabcdef12345ULL))
		goto out;
	pages = alloc_pages(hv_pool, 1, OWN_TEST);
	if (!KT_EXPECT(t, pages != NULL))
		goto out;
	((u64 *)pages)[1] = 0x1122334455667788ULL;
	/* The read: GPA 0x300008, nothing mapped, the final access. */
	if (!KT_EXPECT_OK(t, run(&e)) ||
	    !KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_FAULT))
		goto out;
	kt_diag(t, "read: qualification %#llx", (unsigned long long)e.x.info1);
	KT_EXPECT_EQ(t, e.x.fault.gpa, 0x300008);
	KT_EXPECT(t, !e.x.fault.write && !e.x.fault.present &&
			     !e.x.fault.exec && !e.x.fault.walk);
	KT_EXPECT_EQ(t, e.x.rip, CODE_GPA + 5);
	KT_EXPECT_OK(t, vmx_vm_map(&e.s, e.x.fault.gpa, (phys_addr_t)pages, 0,
				   true));
	/* The write to the next page, mapped read-only first. */
	KT_EXPECT_OK(t, vmx_vm_map(&e.s, 0x301000,
				   (phys_addr_t)pages + PAGE_SIZE, 0, false));
	if (!KT_EXPECT_OK(t, run(&e)) ||
	    !KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_FAULT))
		goto out;
	kt_diag(t, "write to read-only: qualification %#llx",
		(unsigned long long)e.x.info1);
	KT_EXPECT_EQ(t, e.x.fault.gpa, 0x301000);
	KT_EXPECT(t, e.x.fault.write && e.x.fault.present);
	/* Widening needs no flush: the EPT violation dropped the
	 * translations the access used (SDM vol. 3C, "Operations that
	 * Invalidate Cached Mappings"). */
	KT_EXPECT_OK(t, vmx_vm_map(&e.s, 0x301000,
				   (phys_addr_t)pages + PAGE_SIZE, 0, true));
	if (!expect_io(t, &e, OUT_PORT, 4, false))
		goto out;
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RAX), 0x1122334455667788ULL);
	KT_EXPECT_EQ(t, ((u64 *)pages)[512], 0xabcdef12345ULL);
	/* Zap both: the next entry INVEPTs (audited), and the guest's
	 * reread faults again. */
	vmx_vm_zap(&e.s, 0x300000, 2 * PAGE_SIZE);
	vmx_vm_flush(&e.s);
	KT_EXPECT(t, e.s.invept_owed);
	vmx_vcpu_set_reg(e.v, ARCH_REG_RIP, CODE_GPA + 5);
	if (KT_EXPECT_OK(t, run(&e)) &&
	    KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_FAULT))
		KT_EXPECT_EQ(t, e.x.fault.gpa, 0x300008);
	KT_EXPECT(t, !e.s.invept_owed);
	/* A guest page table with no memory behind it: the walk faults at
	 * the table's GPA. */
	((u64 *)(e.ram + 0x2000))[1] = 0x500000 | 7; /* GVA 1 GiB: PD at 5M */
	vmx_vcpu_set_reg(e.v, ARCH_REG_RDX, 0x40000000);
	{
		static const u8 load[] = {0x48, 0x8b, 0x02}; /* mov rax,[rdx] */

		memcpy(e.ram + CODE_GPA + 0x100, load, sizeof(load));
	}
	vmx_vcpu_set_reg(e.v, ARCH_REG_RIP, CODE_GPA + 0x100);
	if (KT_EXPECT_OK(t, run(&e)) &&
	    KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_FAULT)) {
		kt_diag(t, "walk: qualification %#llx",
			(unsigned long long)e.x.info1);
		KT_EXPECT_EQ(t, e.x.fault.gpa, 0x500000);
		KT_EXPECT(t, e.x.fault.walk);
	}
out:
	env_close(&e);
	if (pages)
		free_pages(hv_pool, pages, 1, OWN_TEST);
}

/* The EPT entry (a pointer into the table page) that maps gpa at 4 KiB,
 * or NULL; the payload maps memory 1:1. */
static u64 *ept_pte(struct vmx_vm *s, u64 gpa)
{
	u64 *table = s->npt.root;

	for (int shift = 39; shift > 12; shift -= 9) {
		u64 e = table[(gpa >> shift) & 511];

		if (!(e & 7) || (e & BIT(7)))
			return NULL;
		table = (u64 *)(e & 0x000ffffffffff000ULL);
	}
	return &table[(gpa >> 12) & 511];
}

/* A leaf the CPU cannot use (write without read, SDM vol. 3C 29.3.3.1) is
 * an EPT misconfiguration: an internal error naming the GPA. */
static void vmx_run_ept_misconfig_is_internal(struct kt *t)
{
	static const u8 code[] = {
		0x48, 0x8b, 0x04, 0x25, 0x10, 0x00, 0x30, 0x00,
		/* mov rax, [0x300010] */
	};
	struct run_env e;
	u8 *page = NULL;
	u64 *pte, saved;
	char buf[1024];

	if (!env_open(t, &e, code, sizeof(code), 0, 0))
		goto out;
	page = alloc_pages(hv_pool, 0, OWN_TEST);
	if (!KT_EXPECT(t, page != NULL) ||
	    !KT_EXPECT_OK(
		    t, vmx_vm_map(&e.s, 0x300000, (phys_addr_t)page, 0, true)))
		goto out;
	pte = ept_pte(&e.s, 0x300000);
	if (!KT_EXPECT(t, pte != NULL))
		goto out;
	saved = *pte;
	*pte = (saved & ~7ULL) | 2; /* W without R */
	e.s.invept_owed = true;
	if (KT_EXPECT_OK(t, run(&e))) {
		KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_INTERNAL);
		KT_EXPECT_EQ(t, e.x.code, VMX_EXIT_EPT_MISCONFIG);
		KT_EXPECT_STR_EQ(t, e.x.why,
				 "EPT misconfiguration at GPA 0x300010");
		vmx_format_state(buf, sizeof(buf), e.v);
		kt_diag(t, "%s", buf);
	}
	*pte = saved;
	e.s.invept_owed = true;
out:
	env_close(&e);
	if (page)
		free_pages(hv_pool, page, 0, OWN_TEST);
}

static void vmx_run_guest_exceptions(struct kt *t)
{
	static const u8 code[] = {
		0xf2, 0x0f, 0x01, 0xff, /* 0x00 pvalidate */
		0x66, 0x0f, 0x01, 0xcc, /* 0x04 tdcall */
		0x0f, 0x0b, /* 0x08 ud2 */
		0xf4, /* 0x0a hlt: #GP at CPL3 */
		0xba, 0x00, 0x00, 0x00, 0x40, /* 0x0b mov edx, 1 GiB */
		0x48, 0x8b, 0x02, /* 0x10 mov rax, [rdx]: #PF */
		0x0f, 0x32, /* 0x13 rdmsr */
		0x0f, 0x30, /* 0x15 wrmsr */
	};
	static const struct {
		u64 off;
		u8 vector;
		u64 info2;
	} steps[] = {
		{0x00, X86_VEC_UD, 0},		{0x04, X86_VEC_UD, 0},
		{0x08, X86_VEC_UD, 0},		{0x0a, X86_VEC_GP, 0},
		{0x0b, X86_VEC_PF, 0x40000000},
	};
	struct run_env e;

	if (!env_open(t, &e, code, sizeof(code), 0, 0))
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		struct vmm_entry entry = {.rip = CODE_GPA + steps[i].off,
					  .rsp = STACK_TOP,
					  .cr3 = 0x1000};

		vmx_vcpu_enter(e.v, &entry);
		if (!KT_EXPECT_OK(t, run(&e)) ||
		    !KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_EXCEPTION))
			break;
		KT_EXPECT_EQ(t, e.x.vector, steps[i].vector);
		KT_EXPECT_EQ(t, e.x.info2, steps[i].info2);
		KT_EXPECT_GE(t, e.x.rip, CODE_GPA + steps[i].off);
		kt_diag(t, "%s vector %u at %#llx", e.x.name, e.x.vector,
			(unsigned long long)e.x.rip);
	}
	/* HLT at CPL0 is the HLT exit, one byte. */
	{
		struct vmm_entry entry = {.rip = CODE_GPA + 0x0a,
					  .rsp = STACK_TOP,
					  .cr3 = 0x1000,
					  .cpl0 = true};

		vmx_vcpu_enter(e.v, &entry);
		if (KT_EXPECT_OK(t, run(&e)) &&
		    KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_HLT))
			KT_EXPECT_EQ(t, e.x.insn_len, 1);
	}
	/* RDMSR and WRMSR at CPL0 exit (no MSR bitmaps), 2 bytes each. */
	{
		struct vmm_entry entry = {.rip = CODE_GPA + 0x13,
					  .rsp = STACK_TOP,
					  .cr3 = 0x1000,
					  .cpl0 = true};

		vmx_vcpu_enter(e.v, &entry);
		vmx_vcpu_set_reg(e.v, ARCH_REG_RCX, 0xc0000080); /* EFER */
		if (!KT_EXPECT_OK(t, run(&e)) ||
		    !KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_MSR))
			goto out;
		KT_EXPECT(t, !e.x.msr.write);
		KT_EXPECT_EQ(t, e.x.insn_len, 2);
		vmx_vcpu_complete(e.v, e.x.rip + e.x.insn_len);
		if (KT_EXPECT_OK(t, run(&e)) &&
		    KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_MSR)) {
			KT_EXPECT(t, e.x.msr.write);
			KT_EXPECT_EQ(t, e.x.rip, CODE_GPA + 0x15);
		}
	}
out:
	env_close(&e);
}

/* VM entries that fail their checks, named: an injected #GP whose error
 * code has bits 31:16 set (a control-field check, SDM vol. 3C 27.2.1.3:
 * VMfailValid), then a guest RFLAGS with reserved bit 1 clear (a
 * guest-state check, 27.3.1.4: exit reason 33 with bit 31). The vCPU runs
 * once the state is right again. */
static void vmx_run_entry_failures_named(struct kt *t)
{
	static const u8 code[] = {0xef}; /* out dx, eax */
	struct run_env e;

	if (!env_open(t, &e, code, sizeof(code), 0, 0))
		goto out;
	vmx_vcpu_inject(e.v, X86_VEC_GP, 0x10000);
	if (KT_EXPECT_OK(t, run(&e)) &&
	    KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_INTERNAL)) {
		kt_diag(t, "%s", e.x.why);
		KT_EXPECT_STR_EQ(t, e.x.why,
				 "VM entry failed: VM-instruction error 7 (VM "
				 "entry with invalid control field(s))");
	}
	e.v->entry_intr_info = 0;
	e.v->rflags = 0x3000;
	if (KT_EXPECT_OK(t, run(&e)) &&
	    KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_INTERNAL)) {
		kt_diag(t, "%s", e.x.why);
		KT_EXPECT_EQ(t, e.x.code, 0x80000021ULL);
	}
	e.v->rflags = 0x3002;
	expect_io(t, &e, 0, 4, false);
out:
	env_close(&e);
}

/*
 * A guest spinning with RFLAGS.IF clear is ended by the deadline: each
 * run returns with an exit the run loop would resume from (the external
 * interrupt of the deadline timer, or the VMX-preemption timer set to the
 * same deadline) until the deadline has passed, and at least one such
 * exit came. Which exit came is printed: on Bochs it is the
 * preemption timer's, as its VM entry masks the interrupt in a guest
 * entered with IF clear (hv/vmx/vmx_ctls.c).
 */
static void vmx_run_spin_with_if_clear_meets_the_deadline(struct kt *t)
{
	static const u8 code[] = {0xeb, 0xfe}; /* jmp $ */
	struct run_env e;
	u64 deadline, intr = 0, preempt = 0;

	if (!env_open(t, &e, code, sizeof(code), 0, 0))
		goto out;
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RFLAGS) & BIT(9), 0);
	deadline = deadline_after_ms(50);
	deadline_arm(deadline);
	for (int i = 0; i < 100 && !deadline_passed(deadline); i++) {
		if (!KT_EXPECT_OK(t, run(&e)) ||
		    !KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_NONE))
			goto out;
		if (e.x.code == VMX_EXIT_EXTERNAL_INTR)
			intr++;
		else if (e.x.code == VMX_EXIT_PREEMPT_TIMER)
			preempt++;
	}
	kt_diag(t, "%llu external-interrupt and %llu preemption-timer exits",
		(unsigned long long)intr, (unsigned long long)preempt);
	KT_EXPECT(t, deadline_passed(deadline));
	KT_EXPECT_GE(t, intr + preempt, 1);
	KT_EXPECT_EQ(t, reg(&e, ARCH_REG_RIP), CODE_GPA);
out:
	env_close(&e);
}

static const char *no_nmi_tick(struct kt *t)
{
	const char *why = vmx_cpu_lacks();

	if (why)
		return why;
	return nmi_watchdog_running()
		       ? NULL
		       : "needs the deadline= NMI watchdog's tick";
}

/*
 * The deadline= watchdog's NMIs (boot/nmi_watchdog.h) while a guest runs,
 * as svm_run's case of the same name. With NMI exiting (pin-based control
 * bit 3, SDM vol. 3C 25.6.1) each NMI ends the run with exit reason 0 and
 * interruption information valid, type NMI, vector 2 (28.2.2); it never
 * reaches the guest, and it blocks further NMIs once the exit completes
 * (28.1), "virtual NMIs" being off. The host takes it through its own
 * vector 2 before anything else can run an IRET (hv/vmx/vmx_cpu_hw.c),
 * and that handler's IRET ends the blocking (vol. 3A 6.7.1). The guest
 * spins on its TSC for NMI_SPIN_MS, then says so with an OUT; every NMI
 * exit on the way must have reached the handler: without the hand-off
 * the handler would count none of them, and with the blocking never
 * ended, no NMI would reach it again until the next entry.
 */
#define NMI_SPIN_MS (6 * NMI_WATCHDOG_MS)

static void vmx_run_watchdog_nmi_exits_reach_the_host(struct kt *t)
{
	static const u8 code[] = {
		0x0f, 0x31, /* rdtsc */
		0x48, 0xc1, 0xe2, 0x20, /* shl rdx, 32 */
		0x48, 0x09, 0xd0, /* or rax, rdx */
		0x48, 0x89, 0xc1, /* mov rcx, rax */
		0xf3, 0x90, /* l1: pause */
		0x0f, 0x31, /* rdtsc */
		0x48, 0xc1, 0xe2, 0x20, /* shl rdx, 32 */
		0x48, 0x09, 0xd0, /* or rax, rdx */
		0x48, 0x29, 0xc8, /* sub rax, rcx */
		0x48, 0x39, 0xf8, /* cmp rax, rdi */
		0x72, 0xed, /* jb l1 */
		0xba, 0x34, 0x12, 0x00, 0x00, /* mov edx, OUT_PORT */
		0xef, /* out dx, eax */
	};
	struct run_env e;
	u64 nmis = nmi_watchdog_count(), nmi_exits = 0, other = 0;
	u64 bad_info = 0;
	int ret;

	if (!env_open(t, &e, code, sizeof(code), NMI_SPIN_MS * tsc_khz, 0))
		goto out;
	while (!(ret = run(&e)) && e.x.kind == ARCH_EXIT_NONE) {
		if (e.x.code != VMX_EXIT_EXCEPTION_NMI) {
			other++;
			continue;
		}
		nmi_exits++;
		if (e.v->exit.intr_info !=
		    (INTR_INFO_VALID | INTR_TYPE_NMI << 8 | X86_VEC_NMI))
			bad_info++;
	}
	nmis = nmi_watchdog_count() - nmis;
	kt_diag(t,
		"%llu NMI exits and %llu other interrupt exits in %u ms; "
		"the handler took %llu NMIs",
		(unsigned long long)nmi_exits, (unsigned long long)other,
		NMI_SPIN_MS, (unsigned long long)nmis);
	KT_EXPECT_OK(t, ret);
	KT_EXPECT_EQ(t, e.x.kind, ARCH_EXIT_IO);
	KT_EXPECT_EQ(t, e.x.io.port, OUT_PORT);
	KT_EXPECT_EQ(t, bad_info, 0);
	KT_EXPECT_GE(t, nmi_exits, 2);
	KT_EXPECT_GE(t, nmis, nmi_exits);
out:
	env_close(&e);
}

static const struct kt_case vmx_run_cases[] = {
	KT_CASE_IF(vmx_run_controls_as_derived, no_vmx),
	KT_CASE_IF(vmx_run_io_and_hypercalls, no_vmx),
	KT_CASE_IF(vmx_run_ept_violations, no_vmx),
	KT_CASE_IF(vmx_run_ept_misconfig_is_internal, no_vmx),
	KT_CASE_IF(vmx_run_guest_exceptions, no_vmx),
	KT_CASE_IF(vmx_run_entry_failures_named, no_vmx),
	KT_CASE_IF(vmx_run_spin_with_if_clear_meets_the_deadline, no_vmx),
	KT_CASE_IF(vmx_run_watchdog_nmi_exits_reach_the_host, no_nmi_tick),
};

const struct kt_suite vmx_run_suite = KT_SUITE("vmx_run", vmx_run_cases);
