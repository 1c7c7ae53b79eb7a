// SPDX-License-Identifier: MIT
/*
 * tests/common/vmx_test.c - the VMX backend without VMLAUNCH: the
 * controls derived from the capability MSRs (the values Bochs's
 * tigerlake model reports, and values that forbid a needed control), the
 * VMCS image a vCPU gets for the guest environment contract, register
 * access, the decoding of hand-made exits into struct arch_exit, the
 * EPT's page sizes, VPIDs and the flush audit, and the dump. Runs in
 * every build; the payload's vmx_run suite runs real guests.
 */
#include "hv/arch.h"
#include "hv/arch_npt.h"
#include "hv/base/kmalloc.h"
#include "hv/vmx/vmx.h"
#include "hv/vmx/vmx_cpu.h"
#include "hv/x86/vectors.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "plat/test_mem.h"
#include "tests/suites.h"

/*
 * The capability MSRs of Bochs 2.7's "tigerlake" CPU model, as the
 * payload's vmx_run suite prints them there (IA32_VMX_BASIC has bit 55:
 * the TRUE_* MSRs count; the pin-based controls allow no posted
 * interrupts).
 */
static const struct vmx_caps tigerlake = {
	.basic = 0x01d8100000000004ULL,
	.misc = 0x00000000600401e0ULL,
	.pin = 0x0000007f00000016ULL,
	.proc = 0xfff9fffe0401e172ULL,
	.exit = 0x107fffff00036dffULL,
	.entry = 0x0010ffff000011ffULL,
	.true_pin = 0x0000007f00000016ULL,
	.true_proc = 0xfff9fffe04006172ULL,
	.true_exit = 0x107fffff00036dfbULL,
	.true_entry = 0x0010ffff000011fbULL,
	.proc2 = 0x02977fff00000000ULL,
	.ept_vpid = 0x00000f0106b34141ULL,
	.cr0_fixed0 = 0x80000021ULL,
	.cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL,
	.cr4_fixed1 = 0xf72fffULL,
};

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return true;
	return false;
}

static void vmx_controls_from_tigerlake(struct kt *t)
{
	struct vmx_config c;

	KT_ASSERT(t, vmx_config_derive(&tigerlake, &c) == NULL);
	KT_EXPECT_EQ(t, c.revision, 4);
	/* Default-1 bits kept, ours added. */
	/* The preemption timer, optional, is taken where allowed. */
	KT_EXPECT_EQ(t, c.pin,
		     0x16 | PIN_EXT_INTR_EXITING | PIN_NMI_EXITING |
			     PIN_PREEMPTION_TIMER);
	KT_EXPECT(t, c.preempt);
	KT_EXPECT_EQ(t, c.preempt_rate, 0);
	/* TRUE controls: CR3-load/store exiting (bits 15, 16) may be 0. */
	KT_EXPECT_EQ(t, c.proc,
		     0x04006172u | PROC_HLT_EXITING | PROC_UNCOND_IO_EXITING |
			     PROC_SECONDARY_CTLS);
	KT_EXPECT(t, !(c.proc & PROC_CR3_LOAD_EXITING));
	KT_EXPECT(t, !(c.proc & PROC_USE_MSR_BITMAPS));
	KT_EXPECT_EQ(t, c.proc2, PROC2_ENABLE_EPT | PROC2_ENABLE_VPID);
	KT_EXPECT_EQ(t, c.exit,
		     0x36dfbu | EXIT_HOST_ADDR_SPACE_SIZE |
			     EXIT_LOAD_IA32_EFER);
	KT_EXPECT(t, !(c.exit & EXIT_ACK_INTR_ON_EXIT));
	KT_EXPECT_EQ(t, c.entry,
		     0x11fbu | ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_IA32_EFER);
	KT_EXPECT_EQ(t, c.guest_cr0, 0x80010031ULL);
	KT_EXPECT_EQ(t, c.guest_cr4, 0x2020ULL); /* PAE, VMXE (fixed) */
	KT_EXPECT_EQ(t, c.ept_max_order, 18);
	KT_EXPECT_EQ(t, c.invept_type, INVEPT_SINGLE);
	KT_EXPECT(t, c.vpid);
	KT_EXPECT(t, c.ept_ad);
	KT_EXPECT(t, c.any_error_code);

	/* Without bit 55 the plain MSRs rule: their default-1 CR3
	 * exiting controls stay on. */
	{
		struct vmx_caps k = tigerlake;

		k.basic &= ~VMX_BASIC_TRUE_CTLS;
		k.true_proc = 0;
		KT_ASSERT(t, vmx_config_derive(&k, &c) == NULL);
		KT_EXPECT(t, c.proc & PROC_CR3_LOAD_EXITING);
		KT_EXPECT(t, c.proc & PROC_CR3_STORE_EXITING);
		KT_EXPECT_EQ(t, c.exit & 4, 4);
	}
}

/* One capability changed, and the reason that must come back. */
static void expect_refused(struct kt *t, const struct vmx_caps *k,
			   const char *part1, const char *part2)
{
	struct vmx_config c;
	const char *why = vmx_config_derive(k, &c);

	if (!KT_EXPECT(t, why != NULL))
		return;
	kt_diag(t, "%s", why);
	KT_EXPECT(t, contains(why, part1));
	KT_EXPECT(t, contains(why, part2));
}

static void vmx_controls_refused_naming_the_control(struct kt *t)
{
	struct vmx_caps k;

	k = tigerlake;
	k.proc2 &= ~(PROC2_ENABLE_EPT << 32);
	expect_refused(t, &k, "\"enable EPT\"",
		       "IA32_VMX_PROCBASED_CTLS2 allowed-1 bit 1 clear");
	k = tigerlake;
	k.true_pin &= ~(PIN_EXT_INTR_EXITING << 32);
	expect_refused(t, &k, "\"external-interrupt exiting\"",
		       "IA32_VMX_TRUE_PINBASED_CTLS allowed-1 bit 0");
	k = tigerlake;
	k.true_proc &= ~(PROC_UNCOND_IO_EXITING << 32);
	expect_refused(t, &k, "\"unconditional I/O exiting\"", "bit 24");
	k = tigerlake;
	k.true_proc |= PROC_USE_MSR_BITMAPS;
	expect_refused(t, &k, "forces", "\"use MSR bitmaps\"");
	k = tigerlake;
	k.true_pin |= PIN_POSTED_INTR;
	expect_refused(t, &k, "\"process posted interrupts\"", "bit 7 set");
	k = tigerlake;
	k.true_exit |= EXIT_ACK_INTR_ON_EXIT;
	expect_refused(t, &k, "\"acknowledge interrupt on exit\"",
		       "IA32_VMX_TRUE_EXIT_CTLS allowed-0 bit 15 set");
	k = tigerlake;
	k.true_entry &= ~(ENTRY_LOAD_IA32_EFER << 32);
	expect_refused(t, &k, "VM-entry", "\"load IA32_EFER\"");
	/* The plain MSR is the one named without bit 55. */
	k = tigerlake;
	k.basic &= ~VMX_BASIC_TRUE_CTLS;
	k.exit &= ~(EXIT_HOST_ADDR_SPACE_SIZE << 32);
	expect_refused(t, &k, "IA32_VMX_EXIT_CTLS allowed-1 bit 9",
		       "host address-space size");
	k = tigerlake;
	k.cr0_fixed1 &= ~BIT(31);
	expect_refused(t, &k, "CR0 bit 31", "FIXED1");
	k = tigerlake;
	k.ept_vpid &= ~EPT_CAP_WB;
	expect_refused(t, &k, "write-back", "bit 14");
	k = tigerlake;
	k.ept_vpid &= ~EPT_CAP_WALK_4;
	expect_refused(t, &k, "4-level page walk", "bit 6");
	/* Both missing: the walk is checked first. */
	k.ept_vpid &= ~EPT_CAP_WB;
	expect_refused(t, &k, "4-level page walk", "bit 6");
	k = tigerlake;
	k.ept_vpid &= ~(EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL);
	expect_refused(t, &k, "INVEPT", "EPT");
	k = tigerlake;
	k.basic &= ~(0xfULL << 50);
	expect_refused(t, &k, "not write-back", "IA32_VMX_BASIC");
}

/* Optional features: where the CPU lacks them, the backend does
 * without. */
static void vmx_controls_without_optional_features(struct kt *t)
{
	struct vmx_caps k = tigerlake;
	struct vmx_config c;

	/* No INVVPID of every context: no VPIDs. */
	k.ept_vpid &= ~VPID_CAP_INVVPID_ALL;
	k.ept_vpid &= ~(EPT_CAP_1G | EPT_CAP_INVEPT_SINGLE | EPT_CAP_AD);
	KT_ASSERT(t, vmx_config_derive(&k, &c) == NULL);
	KT_EXPECT(t, !c.vpid);
	KT_EXPECT_EQ(t, c.proc2, PROC2_ENABLE_EPT);
	KT_EXPECT_EQ(t, c.ept_max_order, 9);
	KT_EXPECT_EQ(t, c.invept_type, INVEPT_ALL);
	KT_EXPECT(t, !c.ept_ad);
	k.ept_vpid &= ~EPT_CAP_2M;
	k.proc2 &= ~(PROC2_ENABLE_VPID << 32);
	k.true_pin &= ~(PIN_PREEMPTION_TIMER << 32);
	k.misc |= 5;
	KT_ASSERT(t, vmx_config_derive(&k, &c) == NULL);
	KT_EXPECT_EQ(t, c.ept_max_order, 0);
	KT_EXPECT(t, !c.vpid);
	KT_EXPECT(t, !c.preempt);
	/* VPIDs need the control and both INVVPID bits, each alone not
	 * enough. */
	{
		struct vmx_caps m = tigerlake;
		struct vmx_config d;

		m.proc2 &= ~(PROC2_ENABLE_VPID << 32);
		KT_ASSERT(t, vmx_config_derive(&m, &d) == NULL);
		KT_EXPECT(t, !d.vpid);
		KT_EXPECT_EQ(t, d.proc2, PROC2_ENABLE_EPT);
		m = tigerlake;
		m.ept_vpid &= ~VPID_CAP_INVVPID;
		KT_ASSERT(t, vmx_config_derive(&m, &d) == NULL);
		KT_EXPECT(t, !d.vpid);
		KT_EXPECT_EQ(t, d.proc2, PROC2_ENABLE_EPT);
	}
	KT_EXPECT_EQ(t, c.pin, 0x16 | PIN_EXT_INTR_EXITING | PIN_NMI_EXITING);
	/* The rate comes from IA32_VMX_MISC bits 4:0. */
	k.true_pin |= PIN_PREEMPTION_TIMER << 32;
	KT_ASSERT(t, vmx_config_derive(&k, &c) == NULL);
	KT_EXPECT(t, c.preempt);
	KT_EXPECT_EQ(t, c.preempt_rate, 5);
}

#define ARENA (8UL << 20)
#define CODE_GVA 0x5000ULL

struct vmx_env {
	struct page_pool pool;
	struct page_pool *saved_pool;
	bool pool_swapped;
	void *mem;
	u8 *ram;
	struct vmx_config cfg;
	struct vmx_vm s;
	bool vm_up;
	struct vmx_vcpu *v;
};

static bool env_open(struct kt *t, struct vmx_env *e)
{
	struct vmm_entry entry = {.rip = CODE_GVA,
				  .rsp = 0x9000,
				  .cr3 = 0x1000,
				  .arg0 = 11,
				  .arg1 = 22};

	memset(e, 0, sizeof(*e));
	alloc_pool_init(&e->pool);
	e->mem = test_mem_alloc(ARENA);
	if (!KT_EXPECT(t, e->mem != NULL))
		return false;
	if (!KT_EXPECT_OK(t, alloc_add_region(&e->pool, (phys_addr_t)e->mem,
					      ARENA))) {
		test_mem_free(e->mem, ARENA);
		e->mem = NULL;
		return false;
	}
	e->saved_pool = hv_pool;
	hv_pool = &e->pool;
	e->pool_swapped = true;
	e->ram = alloc_pages(&e->pool, 9, OWN_TEST);
	if (!KT_EXPECT(t, e->ram != NULL) ||
	    !KT_EXPECT(t, vmx_config_derive(&tigerlake, &e->cfg) == NULL) ||
	    !KT_EXPECT_OK(t, vmx_vm_init(&e->s, GMV_VM_SW_PROTECTED, &e->cfg)))
		return false;
	e->vm_up = true;
	return KT_EXPECT_OK(t, vmx_vcpu_create(&e->s, &e->v)) &&
	       KT_EXPECT_OK(t, vmx_vcpu_enter(e->v, &entry));
}

static void env_close(struct kt *t, struct vmx_env *e)
{
	if (e->vm_up) {
		KT_EXPECT_OK(t, npt_check(&e->s.npt));
		vmx_vm_destroy(&e->s);
	}
	if (e->ram)
		free_pages(&e->pool, e->ram, 9, OWN_TEST);
	if (!e->pool_swapped)
		return;
	hv_pool = e->saved_pool;
	KT_EXPECT_EQ(t, alloc_free_pages(&e->pool), e->pool.total_pages);
	KT_EXPECT_OK(t, alloc_check(&e->pool));
	test_mem_free(e->mem, ARENA);
}

#define VMX_ENV_CASE(name)                                        \
	static void name##_body(struct kt *t, struct vmx_env *e); \
	static void name(struct kt *t)                            \
	{                                                         \
		struct vmx_env e;                                 \
                                                                  \
		if (env_open(t, &e))                              \
			name##_body(t, &e);                       \
		env_close(t, &e);                                 \
	}                                                         \
	static void name##_body(struct kt *t, struct vmx_env *e)

/* The value the image gives field, or ~0 - 1 when it has none. */
static u64 image_val(const struct vmx_vcpu *v, u32 field)
{
	struct vmcs_write w[VMX_IMAGE_MAX];
	unsigned int n = vmx_vmcs_image(v, w);

	for (unsigned int i = 0; i < n; i++)
		if (w[i].field == field)
			return w[i].val;
	return ~0ULL - 1;
}

VMX_ENV_CASE(vmx_vmcs_follows_guest_contract)
{
	struct vmx_vcpu *v = e->v;
	struct vmcs_write w[VMX_IMAGE_MAX];
	unsigned int n = vmx_vmcs_image(v, w);

	KT_EXPECT_LE(t, n, VMX_IMAGE_MAX);
	/* No field twice. */
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = i + 1; j < n; j++)
			KT_EXPECT_NE(t, w[i].field, w[j].field);
	/* The region starts with the revision (SDM vol. 3C 25.2). */
	KT_EXPECT_EQ(t, *(u32 *)v->vmcs, 4);
	KT_EXPECT_EQ(t, image_val(v, VMCS_PIN_CTLS), e->cfg.pin);
	KT_EXPECT_EQ(t, image_val(v, VMCS_PROC_CTLS), e->cfg.proc);
	KT_EXPECT_EQ(t, image_val(v, VMCS_PROC2_CTLS), e->cfg.proc2);
	KT_EXPECT_EQ(t, image_val(v, VMCS_EXIT_CTLS), e->cfg.exit);
	KT_EXPECT_EQ(t, image_val(v, VMCS_ENTRY_CTLS), e->cfg.entry);
	/* Every exception but NMI, every #PF. */
	KT_EXPECT_EQ(t, image_val(v, VMCS_EXCEPTION_BITMAP), 0xfffffffbULL);
	KT_EXPECT_EQ(t, image_val(v, VMCS_PF_ERROR_MASK), 0);
	KT_EXPECT_EQ(t, image_val(v, VMCS_PF_ERROR_MATCH), 0);
	/* EPT: the root, write-back, a 4-level walk, A/D off. */
	KT_EXPECT_EQ(t, image_val(v, VMCS_EPTP), npt_root_pa(&e->s.npt) | 0x1e);
	KT_EXPECT_EQ(t, image_val(v, VMCS_LINK_POINTER), ~0ULL);
	/* 64-bit mode at CPL3, IOPL 3, paging with the loader's CR3. */
	KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_CS_SEL), 0x33);
	KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_CS_AR), 0xa0fb);
	KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_SS_SEL), 0x2b);
	KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_SS_AR), 0xc0f3);
	KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_DS_AR), 0xc0f3);
	KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_GS_LIMIT), 0xffffffff);
	KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_TR_AR), 0x8b);
	KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_TR_LIMIT), 0x67);
	KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_LDTR_AR), 0x10000);
	KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_IDTR_LIMIT), 0);
	KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_CR0), 0x80010031ULL);
	KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_CR4), 0x2020ULL);
	KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_EFER), 0xd00ULL);
	KT_EXPECT_EQ(t, v->rflags, 0x3002);
	KT_EXPECT_EQ(t, v->cr3, 0x1000);
	KT_EXPECT_EQ(t, v->rip, CODE_GVA);
	KT_EXPECT_EQ(t, v->rsp, 0x9000);
	KT_EXPECT_EQ(t, v->gprs.rdi, 11);
	KT_EXPECT_EQ(t, v->gprs.rsi, 22);
	KT_EXPECT(t, v->state_dirty);
	/* A CPL0 entry: DPL-0 code and data, RPL-0 selectors. */
	{
		struct vmm_entry e0 = {.rip = CODE_GVA,
				       .rsp = 0x9000,
				       .cr3 = 0x1000,
				       .cpl0 = true};

		KT_EXPECT_OK(t, vmx_vcpu_enter(v, &e0));
		KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_CS_SEL), 0x30);
		KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_CS_AR), 0xa09b);
		KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_SS_SEL), 0x28);
		KT_EXPECT_EQ(t, image_val(v, VMCS_GUEST_SS_AR), 0xc093);
	}
	/* Every type SVM runs is VMX's too; unknown ones are not. */
	{
		static const unsigned long types[] = {GMV_VM_DEFAULT,
						      GMV_VM_SW_PROTECTED,
						      GMV_VM_SNP, GMV_VM_TDX};
		struct vmx_vm other;

		for (size_t i = 0; i < ARRAY_SIZE(types); i++)
			if (KT_EXPECT_OK(
				    t, vmx_vm_init(&other, types[i], &e->cfg)))
				vmx_vm_destroy(&other);
	}
	KT_EXPECT_ERRNO(t, vmx_vm_init(&(struct vmx_vm){0}, 99, &e->cfg),
			EINVAL);
}

VMX_ENV_CASE(vmx_regs_round_trip)
{
	struct vmx_vcpu *v = e->v;

	for (int r = 0; r < ARCH_NR_REGS; r++)
		vmx_vcpu_set_reg(v, r, 0x1111111111111111ULL * (r + 1));
	vmx_vcpu_set_reg(v, ARCH_REG_RFLAGS, 0x3000); /* bit 1 forced on */
	for (int r = 0; r < ARCH_NR_REGS; r++)
		if (r != ARCH_REG_RFLAGS)
			KT_EXPECT_EQ(t, vmx_vcpu_get_reg(v, r),
				     0x1111111111111111ULL * (r + 1));
	KT_EXPECT_EQ(t, vmx_vcpu_get_reg(v, ARCH_REG_RFLAGS), 0x3002);
	/* RAX is a GPR here (VMX does not switch it), RSP, RIP, RFLAGS
	 * and CR3 the VMCS copy. */
	KT_EXPECT_EQ(t, v->gprs.rax, 0x1111111111111111ULL);
	KT_EXPECT_EQ(t, v->gprs.rbx, 0x4444444444444444ULL);
	KT_EXPECT_EQ(t, v->rsp, 0x5555555555555555ULL);
	KT_EXPECT_EQ(t, v->rflags, 0x3002);
	KT_EXPECT_EQ(t, v->cr3, 0x1111111111111111ULL * (ARCH_REG_CR3 + 1));
	/* Completion steps RIP and drops the STI/MOV SS shadow only. */
	v->interruptibility = 0xb;
	vmx_vcpu_complete(v, 0x4242);
	KT_EXPECT_EQ(t, v->rip, 0x4242);
	KT_EXPECT_EQ(t, v->interruptibility, 0x8);
	/* A new guest state starts with zeroed GPRs but the arguments. */
	KT_EXPECT_OK(t, vmx_vcpu_enter(v, &(struct vmm_entry){.rip = 7,
							      .cr3 = 0x1000,
							      .arg0 = 1,
							      .arg1 = 2}));
	KT_EXPECT_EQ(t, v->gprs.rbx, 0);
	KT_EXPECT_EQ(t, v->gprs.r15, 0);
	KT_EXPECT_EQ(t, v->gprs.rdi, 1);
	KT_EXPECT_EQ(t, v->gprs.rsi, 2);
	/* Injection: #GP carries its error code, #UD none. */
	vmx_vcpu_inject(v, X86_VEC_GP, 0x18);
	KT_EXPECT_EQ(t, v->entry_intr_info, 0x80000b0dU);
	KT_EXPECT_EQ(t, v->entry_exc_error, 0x18);
	vmx_vcpu_inject(v, X86_VEC_UD, 0);
	KT_EXPECT_EQ(t, v->entry_intr_info, 0x80000306U);
	/* #VC (SNP's) with its error code: BASIC bit 56 allows it... */
	vmx_vcpu_inject(v, 29, 0x81);
	KT_EXPECT_EQ(t, v->entry_intr_info, 0x80000b1dU);
	/* ...and without bit 56 only the SDM's list carries one. */
	e->cfg.any_error_code = false;
	vmx_vcpu_inject(v, 29, 0x81);
	KT_EXPECT_EQ(t, v->entry_intr_info, 0x8000031dU);
}

/* An event whose delivery an exit interrupted is injected again (a
 * hardware exception with its error code, an NMI, an external interrupt);
 * software interrupts and exceptions are not: the guest raises them
 * again. */
VMX_ENV_CASE(vmx_interrupted_delivery_is_reinjected)
{
	static const struct {
		u32 idt_info, want;
	} cases[] = {
		{0x80000b0e, 0x80000b0e}, /* #PF, error code */
		{0x80001b0e, 0x80000b0e}, /* bit 12 is not the entry's */
		{0x80000202, 0x80000202}, /* NMI */
		{0x80000030, 0x80000030}, /* external interrupt 0x30 */
		{0x80000480, 0}, /* INT 0x80 */
		{0x80000501, 0}, /* INT1 */
		{0x80000603, 0}, /* INT3 */
		{0x00000b0e, 0}, /* not valid */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		e->v->entry_intr_info = 0x8000030d;
		e->v->exit = (struct vmx_exit_info){
			.idt_info = cases[i].idt_info, .idt_error = 0x14};
		vmx_reinject(e->v);
		KT_EXPECT_EQ(t, e->v->entry_intr_info, cases[i].want);
		if (cases[i].want)
			KT_EXPECT_EQ(t, e->v->entry_exc_error, 0x14);
	}
}

/* A hand-made exit, decoded. */
static void exit_of(struct vmx_env *e, u32 reason, u64 qual, u64 gpa,
		    struct arch_exit *x)
{
	e->v->exit = (struct vmx_exit_info){
		.reason = reason, .qual = qual, .gpa = gpa};
	memset(x, 0xa5, sizeof(*x));
	vmx_decode_exit(e->v, x);
}

VMX_ENV_CASE(vmx_exit_port_io)
{
	struct arch_exit x;

	/* out dx, eax with dx = 0x1234: size 4 (3), DX operand. */
	e->v->exit.insn_len = 0;
	exit_of(e, VMX_EXIT_IO, 0x12340003, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_IO);
	KT_EXPECT_EQ(t, x.io.port, 0x1234);
	KT_EXPECT_EQ(t, x.io.size, 4);
	KT_EXPECT(t, !x.io.in && !x.io.string);
	KT_EXPECT_EQ(t, x.rip, CODE_GVA);
	KT_EXPECT_EQ(t, x.code, VMX_EXIT_IO);
	KT_EXPECT_STR_EQ(t, x.name, "IO_INSTRUCTION");
	/* The length comes from the VM-exit instruction length field. */
	e->v->exit = (struct vmx_exit_info){
		.reason = VMX_EXIT_IO, .qual = 0x00800008, .insn_len = 2};
	vmx_decode_exit(e->v, &x);
	KT_EXPECT(t, x.io.in);
	KT_EXPECT_EQ(t, x.io.size, 1);
	KT_EXPECT_EQ(t, x.io.port, 0x80);
	KT_EXPECT_EQ(t, x.insn_len, 2);
	/* in ax, 0x60 (immediate operand, bit 6) */
	exit_of(e, VMX_EXIT_IO, 0x00600049, 0, &x);
	KT_EXPECT_EQ(t, x.io.size, 2);
	KT_EXPECT_EQ(t, x.io.port, 0x60);
	/* rep outsb: string and REP. */
	exit_of(e, VMX_EXIT_IO, 0x12340030, 0, &x);
	KT_EXPECT(t, x.io.string && !x.io.in);
	KT_EXPECT_EQ(t, x.io.size, 1);
}

VMX_ENV_CASE(vmx_exit_instructions_carry_their_length)
{
	struct arch_exit x;
	static const struct {
		u32 reason;
		enum arch_exit_kind kind;
		const char *name;
	} cases[] = {
		{VMX_EXIT_VMCALL, ARCH_EXIT_HYPERCALL, "VMCALL"},
		{VMX_EXIT_HLT, ARCH_EXIT_HLT, "HLT"},
		{VMX_EXIT_RDMSR, ARCH_EXIT_MSR, "RDMSR"},
		{VMX_EXIT_WRMSR, ARCH_EXIT_MSR, "WRMSR"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		e->v->exit = (struct vmx_exit_info){.reason = cases[i].reason,
						    .insn_len = 3 - i % 2};
		vmx_decode_exit(e->v, &x);
		KT_EXPECT_EQ(t, x.kind, cases[i].kind);
		KT_EXPECT_EQ(t, x.insn_len, (u8)(3 - i % 2));
		KT_EXPECT_STR_EQ(t, x.name, cases[i].name);
		KT_EXPECT_EQ(t, x.rip, CODE_GVA);
	}
	exit_of(e, VMX_EXIT_WRMSR, 0, 0, &x);
	KT_EXPECT(t, x.msr.write);
	exit_of(e, VMX_EXIT_RDMSR, 0, 0, &x);
	KT_EXPECT(t, !x.msr.write);
}

VMX_ENV_CASE(vmx_exit_exceptions_and_events)
{
	struct arch_exit x;

	/* #PF with error code 6 at linear address 0xdead000. */
	e->v->exit = (struct vmx_exit_info){.reason = 0,
					    .qual = 0xdead000,
					    .intr_info = 0x80000b0e,
					    .intr_error = 6};
	vmx_decode_exit(e->v, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_EXCEPTION);
	KT_EXPECT_EQ(t, x.vector, X86_VEC_PF);
	KT_EXPECT_EQ(t, x.info1, 6);
	KT_EXPECT_EQ(t, x.info2, 0xdead000);
	KT_EXPECT_STR_EQ(t, x.name, "EXCEPTION_NMI");
	/* #UD: no error code. */
	e->v->exit = (struct vmx_exit_info){.intr_info = 0x80000306,
					    .intr_error = 99};
	vmx_decode_exit(e->v, &x);
	KT_EXPECT_EQ(t, x.vector, X86_VEC_UD);
	KT_EXPECT_EQ(t, x.info1, 0);
	/* An NMI (type 2): the host took it. */
	e->v->exit = (struct vmx_exit_info){.intr_info = 0x80000202};
	vmx_decode_exit(e->v, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_NONE);
	exit_of(e, VMX_EXIT_EXTERNAL_INTR, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_NONE);
	KT_EXPECT_STR_EQ(t, x.name, "EXTERNAL_INTERRUPT");
	/* The preemption timer's exit: the run loop checks the deadline. */
	exit_of(e, VMX_EXIT_PREEMPT_TIMER, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_NONE);
	KT_EXPECT_STR_EQ(t, x.name, "PREEMPTION_TIMER");
	exit_of(e, VMX_EXIT_TRIPLE_FAULT, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_SHUTDOWN);
	KT_EXPECT_STR_EQ(t, x.name, "TRIPLE_FAULT");
	/* TDCALL's own exit is the #UD the exit policy takes it as. */
	exit_of(e, VMX_EXIT_TDCALL, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_EXCEPTION);
	KT_EXPECT_EQ(t, x.vector, X86_VEC_UD);
	KT_EXPECT_STR_EQ(t, x.name, "TDCALL");
	/* CPUID and the like: not for this guest contract. */
	exit_of(e, VMX_EXIT_CPUID, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_INTERNAL);
	KT_EXPECT_STR_EQ(t, x.why, "unexpected exit");
	KT_EXPECT_STR_EQ(t, x.name, "CPUID");
}

/* EPT violations with the qualifications of SDM vol. 3C table 28-7. */
VMX_ENV_CASE(vmx_exit_ept_violation_decoded)
{
	struct arch_exit x;
	const struct arch_fault *f = &x.fault;

	/* A read of an unmapped GPA, the final access (Bochs: 0x581). */
	exit_of(e, VMX_EXIT_EPT_VIOLATION, 0x581, 0xc0000018, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_FAULT);
	KT_EXPECT_EQ(t, f->gpa, 0xc0000018);
	KT_EXPECT(t, !f->write && !f->exec && !f->present && !f->walk);
	KT_EXPECT(t, !f->private && !f->rmp && !f->size_mismatch);
	KT_EXPECT_STR_EQ(t, x.name, "EPT_VIOLATION");
	/* A write to a read-only leaf: W, the entry readable (bit 3). */
	exit_of(e, VMX_EXIT_EPT_VIOLATION, 0x18a, 0x6010, &x);
	KT_EXPECT(t, f->write && f->present && !f->exec && !f->walk);
	/* A fetch from a leaf without X: readable, writable. */
	exit_of(e, VMX_EXIT_EPT_VIOLATION, 0x19c, 0x9000, &x);
	KT_EXPECT(t, f->exec && f->present && !f->write);
	/* Only bit 5 (executable) set still means a translation. */
	exit_of(e, VMX_EXIT_EPT_VIOLATION, 0x1a1, 0x9000, &x);
	KT_EXPECT(t, f->present);
	/* In the guest's own page walk: linear address valid, bit 8 clear
	 * (W from the accessed-flag update). */
	exit_of(e, VMX_EXIT_EPT_VIOLATION, 0x83, 0x20000, &x);
	KT_EXPECT(t, f->walk && f->write && !f->present);
	KT_EXPECT_EQ(t, f->gpa, 0x20000);
	/* No linear address at all: not a walk. */
	exit_of(e, VMX_EXIT_EPT_VIOLATION, 0x1, 0x20000, &x);
	KT_EXPECT(t, !f->walk);
}

/* An EPT misconfiguration is the EPT's bug: an internal error with the
 * GPA, and entry failures name what failed. */
VMX_ENV_CASE(vmx_exit_internal_errors_named)
{
	struct arch_exit x;

	exit_of(e, VMX_EXIT_EPT_MISCONFIG, 0, 0x7000, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_INTERNAL);
	KT_EXPECT_STR_EQ(t, x.why, "EPT misconfiguration at GPA 0x7000");
	KT_EXPECT_EQ(t, x.code, VMX_EXIT_EPT_MISCONFIG);
	KT_EXPECT_EQ(t, x.info2, 0x7000);
	/* Invalid guest state: exit reason 33 with bit 31. */
	exit_of(e, VMX_EXIT_REASON_ENTRY_FAIL | VMX_EXIT_INVALID_GUEST_STATE, 0,
		0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_INTERNAL);
	KT_EXPECT_STR_EQ(t, x.why,
			 "VM entry failed: exit reason 33 "
			 "(INVALID_GUEST_STATE), qualification 0");
	KT_EXPECT_EQ(t, x.code, 0x80000021ULL);
	exit_of(e, VMX_EXIT_REASON_ENTRY_FAIL | VMX_EXIT_MSR_LOADING, 2, 0, &x);
	KT_EXPECT_STR_EQ(t, x.why,
			 "VM entry failed: exit reason 34 "
			 "(MSR_LOADING), qualification 2");
	/* VMfailValid: the VM-instruction error, by number and name. */
	e->v->exit = (struct vmx_exit_info){.result = VMX_FAIL_VALID,
					    .insn_error = 7};
	vmx_decode_exit(e->v, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_INTERNAL);
	KT_EXPECT_STR_EQ(t, x.why,
			 "VM entry failed: VM-instruction error 7 "
			 "(VM entry with invalid control field(s))");
	KT_EXPECT_EQ(t, x.code, 7);
	KT_EXPECT_STR_EQ(t, x.name, "VMfailValid");
	e->v->exit.insn_error = 8;
	vmx_decode_exit(e->v, &x);
	KT_EXPECT(t, contains(x.why, "error 8 (VM entry with invalid "
				     "host-state field(s))"));
	e->v->exit.insn_error = 99;
	vmx_decode_exit(e->v, &x);
	KT_EXPECT(t, contains(x.why, "unknown VM-instruction error"));
	e->v->exit = (struct vmx_exit_info){.result = VMX_FAIL_INVALID};
	vmx_decode_exit(e->v, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_INTERNAL);
	KT_EXPECT(t, contains(x.why, "VMfailInvalid"));
	KT_EXPECT_STR_EQ(t, vmx_exit_name(35), "UNKNOWN");
	KT_EXPECT_STR_EQ(t, vmx_exit_name(9999), "UNKNOWN");
}

/* The EPT flush audit: a change that owes a flush not handed to the VM
 * stops the next entry (vmx_vcpu_run() refuses to enter on it). */
VMX_ENV_CASE(vmx_flush_audit_and_vpids)
{
	struct vmx_vpid_space space = {.max = 0xffff};
	struct vmx_flush f;
	struct vmx_vcpu *v2, *v3;

	if (!KT_EXPECT_OK(t, vmx_vcpu_create(&e->s, &v2)))
		return;
	/* First entry: a new VPID generation, and the new root's INVEPT. */
	KT_EXPECT_OK(t, vmx_prepare_entry(e->v, &space, &f));
	KT_EXPECT(t, f.invvpid_all && f.invept);
	KT_EXPECT_EQ(t, e->v->vpid, 1);
	KT_EXPECT_OK(t, vmx_prepare_entry(v2, &space, &f));
	KT_EXPECT(t, !f.invvpid_all && !f.invept);
	KT_EXPECT_EQ(t, v2->vpid, 2);
	KT_EXPECT_OK(t, vmx_prepare_entry(e->v, &space, &f));
	KT_EXPECT(t, !f.invvpid_all && !f.invept);
	KT_EXPECT_EQ(t, e->v->vpid, 1);

	/* Mapping into empty space owes nothing. */
	KT_EXPECT_OK(t, vmx_vm_map(&e->s, 0, (phys_addr_t)e->ram, 9, true));
	KT_EXPECT_OK(t, vmx_prepare_entry(e->v, &space, &f));
	KT_EXPECT(t, !f.invept);
	/* A zap without its flush is caught at entry... */
	vmx_vm_zap(&e->s, 0, PAGE_SIZE);
	KT_EXPECT(t, npt_flush_owed(&e->s.npt));
	KT_EXPECT_ERRNO(t, vmx_prepare_entry(e->v, &space, &f), EIO);
	KT_EXPECT_ERRNO(t, vmx_prepare_entry(v2, &space, &f), EIO);
	/* ...two zaps and one flush: one INVEPT, whichever vCPU enters. */
	vmx_vm_zap(&e->s, 0, SZ_2M);
	vmx_vm_flush(&e->s);
	KT_EXPECT(t, !npt_flush_owed(&e->s.npt));
	KT_EXPECT_OK(t, vmx_prepare_entry(v2, &space, &f));
	KT_EXPECT(t, f.invept);
	KT_EXPECT_OK(t, vmx_prepare_entry(e->v, &space, &f));
	KT_EXPECT(t, !f.invept);
	/* A change made behind the backend's back is caught too. */
	KT_EXPECT_OK(t, vmx_vm_map(&e->s, 0, (phys_addr_t)e->ram, 0, true));
	KT_EXPECT_OK(t, npt_zap(&e->s.npt, 0, PAGE_SIZE));
	KT_EXPECT_ERRNO(t, vmx_prepare_entry(e->v, &space, &f), EIO);
	vmx_vm_flush(&e->s);
	KT_EXPECT_OK(t, vmx_prepare_entry(e->v, &space, &f));
	KT_EXPECT(t, f.invept);

	/* A new guest state takes a fresh VPID. */
	KT_EXPECT_OK(t, vmx_vcpu_enter(e->v, &(struct vmm_entry){
						     .rip = 1, .cr3 = 0x1000}));
	KT_EXPECT_OK(t, vmx_prepare_entry(e->v, &space, &f));
	KT_EXPECT_EQ(t, e->v->vpid, 3);
	KT_EXPECT(t, !f.invvpid_all);
	/* Out of VPIDs: a new generation flushes them all. */
	space.max = 3;
	KT_EXPECT_OK(t, vmx_vcpu_enter(v2, &(struct vmm_entry){.rip = 1,
							       .cr3 = 0x1000}));
	KT_EXPECT_OK(t, vmx_prepare_entry(v2, &space, &f));
	KT_EXPECT(t, f.invvpid_all);
	KT_EXPECT_EQ(t, v2->vpid, 1);
	KT_EXPECT_OK(t, vmx_prepare_entry(e->v, &space, &f));
	KT_EXPECT_EQ(t, e->v->vpid, 2);
	KT_EXPECT(t, !f.invvpid_all);
	/* The last VPID of the space is used before it wraps. */
	if (KT_EXPECT_OK(t, vmx_vcpu_create(&e->s, &v3))) {
		KT_EXPECT_OK(t, vmx_prepare_entry(v3, &space, &f));
		KT_EXPECT_EQ(t, v3->vpid, 3);
		KT_EXPECT(t, !f.invvpid_all);
	}
	/* VPIDs off: VPID 0, no INVVPID ever. */
	{
		struct vmx_vpid_space off = {0};

		KT_EXPECT_OK(t, vmx_prepare_entry(v2, &off, &f));
		KT_EXPECT(t, !f.invvpid_all);
		KT_EXPECT_EQ(t, off.gen, 0);
	}
}

/* EPT leaves no larger than the CPU's pages (a larger one is a
 * misconfiguration). */
VMX_ENV_CASE(vmx_ept_pages_follow_the_cpu)
{
	struct arch_xlate x;

	KT_EXPECT_OK(t,
		     vmx_vm_map(&e->s, 0x200000, (phys_addr_t)e->ram, 9, true));
	if (KT_EXPECT_OK(t, arch_npt_lookup(&e->s.npt, 0x234567, &x)))
		KT_EXPECT_EQ(t, x.order, 9);
	vmx_vm_zap(&e->s, 0, SZ_1G);
	vmx_vm_flush(&e->s);
	e->cfg.ept_max_order = 0;
	KT_EXPECT_OK(t, vmx_vm_map(&e->s, 0x234567,
				   (phys_addr_t)e->ram + 0x34000, 9, false));
	if (KT_EXPECT_OK(t, arch_npt_lookup(&e->s.npt, 0x234567, &x))) {
		KT_EXPECT_EQ(t, x.order, 0);
		KT_EXPECT_EQ(t, x.hpa, (phys_addr_t)e->ram + 0x34567);
		KT_EXPECT(t, !x.writable);
	}
	/* Only the faulting page is mapped, not its 2 MiB. */
	KT_EXPECT_ERRNO(t, arch_npt_lookup(&e->s.npt, 0x235000, &x), ENOENT);
	vmx_vm_zap(&e->s, 0, SZ_1G);
	vmx_vm_flush(&e->s);
}

VMX_ENV_CASE(vmx_dump_names_exit_and_walk)
{
	char buf[1024];
	int n;

	KT_EXPECT_OK(t,
		     vmx_vm_map(&e->s, 0x7000, (phys_addr_t)e->ram, 0, true));
	e->v->gprs.r13 = 0xabcdef;
	e->v->exit = (struct vmx_exit_info){.reason = VMX_EXIT_EPT_MISCONFIG,
					    .gpa = 0x7008};
	n = vmx_format_state(buf, sizeof(buf), e->v);
	KT_EXPECT_LT(t, n, sizeof(buf));
	kt_diag(t, "%s", buf);
	KT_EXPECT_EQ(t,
		     strncmp(buf,
			     "exit 0x31 EPT_MISCONFIG qual 0x0 gpa "
			     "0x7008",
			     39),
		     0);
	KT_EXPECT(t, contains(buf, "rip 0x0000000000005000"));
	KT_EXPECT(t, contains(buf, "r13 0x0000000000abcdef"));
	KT_EXPECT(t, contains(buf, "ept walk of gpa 0x7008 (mapped):"));
	vmx_vm_zap(&e->s, 0x7000, PAGE_SIZE);
	vmx_vm_flush(&e->s);
}

/* vmx_arch_ops over a VM made with a configuration (on the host,
 * vm_init has none to give): one EPT for private and shared, the vCPU
 * limit, and no entry without a guest state or without VMX. */
static void vmx_arch_ops_keep_one_ept(struct kt *t)
{
	const struct arch_ops *a = &vmx_arch_ops;
	struct vmx_config cfg;
	struct vmx_vm *s = kmalloc(sizeof(*s));
	struct arch_vcpu *c[ARCH_MAX_VCPUS + 1];
	u8 *block = alloc_pages(hv_pool, 9, OWN_TEST);
	struct arch_vm *vm = (struct arch_vm *)s;
	struct arch_xlate x;

	u64 vm_pages = hv_pool->owned[OWN_VM];
	u64 table_pages = hv_pool->owned[OWN_PGTABLE];

	KT_ASSERT(t, s != NULL && block != NULL);
	KT_ASSERT(t, vmx_config_derive(&tigerlake, &cfg) == NULL);
	if (!KT_EXPECT_OK(t, vmx_vm_init(s, GMV_VM_DEFAULT, &cfg))) {
		kfree(s, sizeof(*s));
		goto out;
	}
	KT_EXPECT_OK(t, a->map(vm, 0x201123, (phys_addr_t)block + 0x1000, 9,
			       false, true));
	if (KT_EXPECT_OK(t, a->lookup(vm, 0x3ff008, &x))) {
		KT_EXPECT_EQ(t, x.order, 9);
		KT_EXPECT_EQ(t, x.hpa, (phys_addr_t)block + 0x1ff008);
		KT_EXPECT(t, !x.writable);
	}
	/* The shared-only zap of one page drops the private 2 MiB leaf. */
	a->zap(vm, 0x201000, PAGE_SIZE, ARCH_ZAP_SHARED);
	KT_EXPECT_ERRNO(t, a->lookup(vm, 0x200000, &x), ENOENT);
	KT_EXPECT(t, npt_flush_owed(&s->npt));
	a->flush(vm);
	KT_EXPECT(t, !npt_flush_owed(&s->npt));
	for (int i = 0; i < ARCH_MAX_VCPUS; i++)
		KT_EXPECT_OK(t, a->vcpu_create(vm, &c[i]));
	KT_EXPECT_ERRNO(t, a->vcpu_create(vm, &c[ARCH_MAX_VCPUS]), EINVAL);
	a->set_reg(c[1], ARCH_REG_R9, 99);
	KT_EXPECT_EQ(t, a->get_reg(c[1], ARCH_REG_R9), 99);
	KT_EXPECT_EQ(t, a->get_reg(c[0], ARCH_REG_R9), 0);
	a->complete(c[1], 0x1234);
	KT_EXPECT_EQ(t, a->get_reg(c[1], ARCH_REG_RIP), 0x1234);
	/* A vCPU never entered does not run; one entered needs VMX. */
	KT_EXPECT_ERRNO(t, a->run(c[0], &(struct arch_exit){0}), EINVAL);
	KT_EXPECT_OK(t, a->vcpu_enter(c[2], &(struct vmm_entry){
						    .rip = 1, .cr3 = 0x1000}));
	if (vmx_cpu_lacks())
		KT_EXPECT_ERRNO(t, a->run(c[2], &(struct arch_exit){0}),
				ENODEV);
	a->vm_destroy(vm);
	/* The vCPUs' pages and the EPT's went back. */
	KT_EXPECT_EQ(t, hv_pool->owned[OWN_VM], vm_pages);
	KT_EXPECT_EQ(t, hv_pool->owned[OWN_PGTABLE], table_pages);
out:
	free_pages(hv_pool, block, 9, OWN_TEST);
}

/* Out of pages: a VM without a root for its EPT, a vCPU without its
 * VMCS, each refused with -ENOMEM and nothing held. */
static void vmx_out_of_memory_is_refused(struct kt *t)
{
	struct page_pool pool, *saved = hv_pool;
	struct vmx_config cfg;
	struct vmx_vcpu *v;
	struct vmx_vm s;
	void *mem = test_mem_alloc(ARENA);

	KT_ASSERT(t, mem != NULL);
	KT_ASSERT(t, vmx_config_derive(&tigerlake, &cfg) == NULL);
	alloc_pool_init(&pool);
	hv_pool = &pool;
	KT_EXPECT_ERRNO(t, vmx_vm_init(&s, GMV_VM_DEFAULT, &cfg), ENOMEM);
	/* One page left: the EPT's root, and no order-1 block for a vCPU. */
	if (KT_EXPECT_OK(t, alloc_add_region(&pool, (phys_addr_t)mem,
					     64 * PAGE_SIZE))) {
		void *held[64];
		unsigned int n = 0;

		while (n < ARRAY_SIZE(held) &&
		       (held[n] = alloc_page(&pool, OWN_TEST)))
			n++;
		KT_EXPECT_LT(t, n, ARRAY_SIZE(held));
		if (n)
			free_page(&pool, held[--n], OWN_TEST);
		if (KT_EXPECT_OK(t, vmx_vm_init(&s, GMV_VM_DEFAULT, &cfg))) {
			KT_EXPECT_ERRNO(t, vmx_vcpu_create(&s, &v), ENOMEM);
			KT_EXPECT_EQ(t, s.nr_vcpus, 0);
			vmx_vm_destroy(&s);
		}
		while (n)
			free_page(&pool, held[--n], OWN_TEST);
		KT_EXPECT_EQ(t, alloc_free_pages(&pool), pool.total_pages);
	}
	hv_pool = saved;
	test_mem_free(mem, ARENA);
}

static const char *vmx_present(struct kt *t)
{
	return vmx_cpu_lacks() ? NULL : "VMX is present: vCPUs run here";
}

/* Without VMX (the host build, an AMD CPU) the backend's VMs are
 * refused: there is no configuration to run them with. */
static void vmx_absent_vms_refused(struct kt *t)
{
	struct arch_vm *vm;

	KT_EXPECT(t, vmx_cpu_config() == NULL);
	KT_EXPECT_ERRNO(t, vmx_arch_ops.vm_init(GMV_VM_DEFAULT, &vm), ENODEV);
	KT_EXPECT(t, arch_select() != &vmx_arch_ops);
}

/* Where VMX runs and SVM does not, arch_select() takes VMX. */
static void vmx_is_the_backend_where_vmx_runs(struct kt *t)
{
	if (vmx_cpu_lacks()) {
		KT_EXPECT(t, arch_select() != &vmx_arch_ops);
		return;
	}
	KT_EXPECT(t, arch_select() == &vmx_arch_ops);
	KT_EXPECT(t, arch_lacks() == NULL);
	KT_EXPECT(t, vmx_cpu_config() != NULL);
}

static const struct kt_case vmx_cases[] = {
	KT_CASE(vmx_controls_from_tigerlake),
	KT_CASE(vmx_controls_refused_naming_the_control),
	KT_CASE(vmx_controls_without_optional_features),
	KT_CASE(vmx_vmcs_follows_guest_contract),
	KT_CASE(vmx_regs_round_trip),
	KT_CASE(vmx_interrupted_delivery_is_reinjected),
	KT_CASE(vmx_exit_port_io),
	KT_CASE(vmx_exit_instructions_carry_their_length),
	KT_CASE(vmx_exit_exceptions_and_events),
	KT_CASE(vmx_exit_ept_violation_decoded),
	KT_CASE(vmx_exit_internal_errors_named),
	KT_CASE(vmx_flush_audit_and_vpids),
	KT_CASE(vmx_ept_pages_follow_the_cpu),
	KT_CASE(vmx_dump_names_exit_and_walk),
	KT_CASE(vmx_arch_ops_keep_one_ept),
	KT_CASE(vmx_out_of_memory_is_refused),
	KT_CASE_IF(vmx_absent_vms_refused, vmx_present),
	KT_CASE(vmx_is_the_backend_where_vmx_runs),
};

const struct kt_suite vmx_suite = KT_SUITE("vmx", vmx_cases);
