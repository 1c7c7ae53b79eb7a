// SPDX-License-Identifier: MIT
/*
 * tests/common/svm_test.c - the SVM backend without VMRUN: the VMCB a vCPU
 * gets for the guest environment contract, register access, the decoding
 * of hand-made exits into struct arch_exit (the values QEMU's TCG
 * reports), svm_arch_ops over one NPT, ASIDs and the flush audit, and the
 * choice of backend. Runs in every build; the payload's svm_run suite runs
 * real guests, and what exits mean is tested on the scripted backend
 * (tests/host/vcpu_exit_test.c).
 */
#include "hv/arch.h"
#include "hv/svm/svm.h"
#include "hv/vmm_native.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "plat/test_mem.h"
#include "tests/suites.h"

#define ARENA (8UL << 20)

/* A VM with one vCPU over a private pool; guest RAM is one 2 MiB block at
 * GPA 0, mapped in the NPT. */
#define CODE_GVA 0x5000ULL

struct svm_env {
	struct page_pool pool;
	struct page_pool *saved_pool;
	bool pool_swapped;
	void *mem;
	u8 *ram;
	struct svm_vm s;
	struct svm_vcpu *v;
	u32 features; /* the CPU's SVM_FEAT_* for exit_of() */
};

static bool env_open(struct kt *t, struct svm_env *e)
{
	struct vmm_entry entry = { .rip = CODE_GVA, .rsp = 0x9000,
				   .cr3 = 0x1000, .arg0 = 11, .arg1 = 22 };

	memset(e, 0, sizeof(*e));
	alloc_pool_init(&e->pool);
	e->mem = test_mem_alloc(ARENA);
	if (!KT_EXPECT(t, e->mem != NULL))
		return false;
	if (!KT_EXPECT_OK(t, alloc_add_region(&e->pool, (phys_addr_t)e->mem,
					      ARENA))) {
		test_mem_free(e->mem, ARENA);
		return false;
	}
	e->saved_pool = hv_pool;
	hv_pool = &e->pool;
	e->pool_swapped = true;
	e->ram = alloc_pages(&e->pool, 9, OWN_TEST);
	return KT_EXPECT(t, e->ram != NULL) &&
	       KT_EXPECT_OK(t, svm_vm_init(&e->s, GMV_VM_SW_PROTECTED)) &&
	       KT_EXPECT_OK(t, svm_vm_map(&e->s, 0x1234,
					  (phys_addr_t)e->ram + 0x1000, 9,
					  true)) &&
	       KT_EXPECT_OK(t, svm_vcpu_create(&e->s, &e->v)) &&
	       KT_EXPECT_OK(t, svm_vcpu_enter(e->v, &entry));
}

static void env_close(struct kt *t, struct svm_env *e)
{
	if (e->s.iopm) {
		KT_EXPECT_OK(t, npt_check(&e->s.npt));
		svm_vm_destroy(&e->s);
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

/*
 * Define a case whose body gets an open svm_env; the wrapper closes it,
 * and checks that nothing leaked, also when the open failed or the body
 * returned early.
 */
#define SVM_ENV_CASE(name)                                        \
	static void name##_body(struct kt *t, struct svm_env *e); \
	static void name(struct kt *t)                            \
	{                                                         \
		struct svm_env e;                                 \
                                                                  \
		if (env_open(t, &e))                              \
			name##_body(t, &e);                       \
		env_close(t, &e);                                 \
	}                                                         \
	static void name##_body(struct kt *t, struct svm_env *e)

/* A hand-made exit in the VMCB, decoded. */
static void exit_of(struct svm_env *e, u64 code, u64 info1, u64 info2,
		    struct arch_exit *x)
{
	struct vmcb *vmcb = e->v->vmcb;

	vmcb->ctl.exit_code = code;
	vmcb->ctl.exit_info1 = info1;
	vmcb->ctl.exit_info2 = info2;
	memset(x, 0xa5, sizeof(*x));
	svm_decode_exit(e->v, e->features, x);
}

SVM_ENV_CASE(svm_vmcb_follows_guest_contract)
{
	const struct vmcb *vmcb = e->v->vmcb;

	/* Consistency checks VMRUN makes (APM vol. 2 §15.5.1): the VMRUN
	 * intercept, EFER.SVME, a non-zero ASID (at entry). */
	KT_EXPECT(t, vmcb->ctl.icpt_misc2 & SVM_ICPT2_VMRUN);
	KT_EXPECT(t, vmcb->save.efer & BIT(12));
	KT_EXPECT_EQ(t, vmcb->ctl.np_control, SVM_NP_ENABLE);
	KT_EXPECT_EQ(t, vmcb->ctl.n_cr3, npt_root_pa(&e->s.npt));
	KT_EXPECT_EQ(t, vmcb->ctl.iopm_base_pa, (phys_addr_t)e->s.iopm);
	KT_EXPECT(t, mem_is_zero(e->s.iopm, 1) == false);
	KT_EXPECT_EQ(t, e->s.iopm[3 * 4096 - 1], 0xff);
	KT_EXPECT(t, vmcb->ctl.icpt_misc1 & SVM_ICPT1_IOIO_PROT);
	KT_EXPECT(t, vmcb->ctl.icpt_misc1 & SVM_ICPT1_SHUTDOWN);
	KT_EXPECT(t, vmcb->ctl.icpt_misc2 & SVM_ICPT2_VMMCALL);
	KT_EXPECT(t, vmcb->ctl.icpt_exc & BIT(X86_VEC_UD));
	/* 64-bit mode at CPL3, IOPL 3, paging with the loader's CR3. */
	KT_EXPECT_EQ(t, vmcb->save.cpl, 3);
	KT_EXPECT_EQ(t, vmcb->save.cs.attrib, 0x2fb);
	KT_EXPECT_EQ(t, vmcb->save.ss.attrib & 0x60, 0x60);
	KT_EXPECT_EQ(t, (vmcb->save.rflags >> 12) & 3, 3);
	KT_EXPECT_EQ(t, vmcb->save.efer & 0x500, 0x500);
	KT_EXPECT_EQ(t, vmcb->save.cr0 & 0x80000001ULL, 0x80000001ULL);
	KT_EXPECT_EQ(t, vmcb->save.cr4 & 0x20, 0x20);
	KT_EXPECT_EQ(t, vmcb->save.cr3, 0x1000);
	KT_EXPECT_EQ(t, vmcb->save.rip, CODE_GVA);
	KT_EXPECT_EQ(t, vmcb->save.rsp, 0x9000);
	KT_EXPECT_EQ(t, vmcb->save.idtr.limit, 0);
	KT_EXPECT_EQ(t, e->v->gprs.rdi, 11);
	KT_EXPECT_EQ(t, e->v->gprs.rsi, 22);
	/* A CPL0 entry (a program that makes hypercalls): DPL-0 code and
	 * stack, RPL-0 selectors, the rest the same. */
	{
		struct vmm_entry e0 = { .rip = CODE_GVA, .rsp = 0x9000,
					.cr3 = 0x1000, .cpl0 = true };

		KT_EXPECT_OK(t, svm_vcpu_enter(e->v, &e0));
		KT_EXPECT_EQ(t, vmcb->save.cpl, 0);
		KT_EXPECT_EQ(t, vmcb->save.cs.attrib, 0x29b);
		KT_EXPECT_EQ(t, vmcb->save.ss.attrib & 0x60, 0);
		KT_EXPECT_EQ(t, vmcb->save.cs.sel & 3, 0);
		KT_EXPECT_EQ(t, vmcb->save.ss.sel & 3, 0);
		KT_EXPECT_EQ(t, vmcb->save.cr3, 0x1000);
		KT_EXPECT_EQ(t, vmcb->save.efer & 0x500, 0x500);
	}
	/* Unknown VM types are not SVM's. */
	KT_EXPECT_ERRNO(t, svm_vm_init(&(struct svm_vm){ 0 }, 99),
			EINVAL);
}

SVM_ENV_CASE(svm_regs_round_trip)
{
	struct svm_vcpu *v = e->v;

	for (int r = 0; r < ARCH_NR_REGS; r++)
		svm_vcpu_set_reg(v, r, 0x1111111111111111ULL * (r + 1));
	svm_vcpu_set_reg(v, ARCH_REG_RFLAGS, 0x3000); /* bit 1 forced on */
	for (int r = 0; r < ARCH_NR_REGS; r++)
		if (r != ARCH_REG_RFLAGS)
			KT_EXPECT_EQ(t, svm_vcpu_get_reg(v, r),
				     0x1111111111111111ULL * (r + 1));
	KT_EXPECT_EQ(t, svm_vcpu_get_reg(v, ARCH_REG_RFLAGS), 0x3002);
	/* RAX, RSP, RIP, RFLAGS and CR3 travel in the VMCB, the rest in
	 * svm_gprs. */
	KT_EXPECT_EQ(t, v->vmcb->save.rax, 0x1111111111111111ULL);
	KT_EXPECT_EQ(t, v->vmcb->save.rsp, 0x5555555555555555ULL);
	KT_EXPECT_EQ(t, v->vmcb->save.rflags, 0x3002);
	KT_EXPECT_EQ(t, v->vmcb->save.cr3,
		     0x1111111111111111ULL * (ARCH_REG_CR3 + 1));
	KT_EXPECT_EQ(t, v->gprs.rbx, 0x4444444444444444ULL);
	KT_EXPECT_EQ(t, v->gprs.r15,
		     0x1111111111111111ULL * (ARCH_REG_R15 + 1));
	/* Completion steps RIP and leaves no interrupt shadow. */
	v->vmcb->ctl.int_shadow = SVM_INT_SHADOW_MASK;
	svm_vcpu_complete(v, 0x4242);
	KT_EXPECT_EQ(t, v->vmcb->save.rip, 0x4242);
	KT_EXPECT_EQ(t, v->vmcb->ctl.int_shadow, 0);
}

/* Port I/O as QEMU's TCG reports it (EXITINFO2 is the next RIP on every
 * CPU, APM vol. 2 §15.10.2): the exit carries its instruction's length. */
SVM_ENV_CASE(svm_exit_port_io)
{
	struct arch_exit x;

	/* out dx, eax with dx = 0x1234 */
	exit_of(e, SVM_EXIT_IOIO, 0x12340040, CODE_GVA + 1, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_IO);
	KT_EXPECT_EQ(t, x.io.port, 0x1234);
	KT_EXPECT_EQ(t, x.io.size, 4);
	KT_EXPECT(t, !x.io.in && !x.io.string);
	KT_EXPECT_EQ(t, x.insn_len, 1);
	KT_EXPECT_EQ(t, x.rip, CODE_GVA);
	KT_EXPECT_EQ(t, x.code, SVM_EXIT_IOIO);
	KT_EXPECT_STR_EQ(t, x.name, "IOIO");
	/* in al, dx */
	exit_of(e, SVM_EXIT_IOIO, 0x12340011, CODE_GVA + 1, &x);
	KT_EXPECT(t, x.io.in);
	KT_EXPECT_EQ(t, x.io.size, 1);
	/* out dx, ax: the operand-size prefix makes it 2 bytes */
	exit_of(e, SVM_EXIT_IOIO, 0x00800020, CODE_GVA + 2, &x);
	KT_EXPECT_EQ(t, x.io.port, 0x80);
	KT_EXPECT_EQ(t, x.io.size, 2);
	KT_EXPECT_EQ(t, x.insn_len, 2);
	/* rep outsb */
	exit_of(e, SVM_EXIT_IOIO, 0x1234001c, CODE_GVA + 2, &x);
	KT_EXPECT(t, x.io.string);
	KT_EXPECT_EQ(t, x.io.size, 1);
}

/* VMMCALL, and VMGEXIT where the CPU reports it as such: hypercalls whose
 * length the VMCB does not give (no next_rip under QEMU). */
SVM_ENV_CASE(svm_exit_hypercalls)
{
	struct arch_exit x;

	exit_of(e, SVM_EXIT_VMMCALL, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_HYPERCALL);
	KT_EXPECT_EQ(t, x.rip, CODE_GVA);
	KT_EXPECT_EQ(t, x.insn_len, 0);
	KT_EXPECT_STR_EQ(t, x.name, "VMMCALL");
	exit_of(e, SVM_EXIT_VMGEXIT, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_HYPERCALL);
	KT_EXPECT_STR_EQ(t, x.name, "VMGEXIT");
}

/* Every intercepted exception is one exit kind with its vector; #UD and
 * #PF keep the VMCB's view for the case. */
SVM_ENV_CASE(svm_exit_exceptions_carry_their_vector)
{
	struct arch_exit x;

	exit_of(e, SVM_EXIT_EXCP_BASE + X86_VEC_UD, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_EXCEPTION);
	KT_EXPECT_EQ(t, x.vector, X86_VEC_UD);
	KT_EXPECT_STR_EQ(t, x.name, "EXCP_UD");
	KT_EXPECT_EQ(t, x.rip, CODE_GVA);
	exit_of(e, SVM_EXIT_EXCP_BASE + X86_VEC_PF, 6, 0xdead000, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_EXCEPTION);
	KT_EXPECT_EQ(t, x.vector, X86_VEC_PF);
	KT_EXPECT_EQ(t, x.code, 0x4e);
	KT_EXPECT_EQ(t, x.info1, 6);
	KT_EXPECT_EQ(t, x.info2, 0xdead000);
	KT_EXPECT_STR_EQ(t, x.name, "EXCP_PF");
	exit_of(e, SVM_EXIT_EXCP_BASE + 31, 0, 0, &x);
	KT_EXPECT_EQ(t, x.vector, 31);
	exit_of(e, SVM_EXIT_EXCP_BASE, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_EXCEPTION);
	KT_EXPECT_EQ(t, x.vector, 0); /* #DE */
	/* A CR access exit (below the exceptions) is none. */
	exit_of(e, SVM_EXIT_CR0_WRITE, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_INTERNAL);
}

SVM_ENV_CASE(svm_exit_other_codes)
{
	struct arch_exit x;

	exit_of(e, SVM_EXIT_INTR, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_NONE);
	exit_of(e, SVM_EXIT_NMI, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_NONE);
	exit_of(e, SVM_EXIT_HLT, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_HLT);
	KT_EXPECT_EQ(t, x.rip, CODE_GVA);
	exit_of(e, SVM_EXIT_SHUTDOWN, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_SHUTDOWN);
	/* QEMU's zero-extended VMEXIT_INVALID, and the APM's -1. */
	exit_of(e, 0xffffffffULL, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_INTERNAL);
	KT_EXPECT_STR_EQ(t, x.why, "VMRUN refused the VMCB");
	KT_EXPECT_EQ(t, x.code, 0xffffffffULL);
	exit_of(e, ~0ULL, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_INTERNAL);
	exit_of(e, SVM_EXIT_CPUID, 0, 0, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_INTERNAL);
	KT_EXPECT_STR_EQ(t, x.why, "unexpected exit");
}

/* Nested faults with the error codes QEMU's TCG reports. */
SVM_ENV_CASE(svm_exit_npf_decoded)
{
	struct arch_exit x;
	const struct arch_fault *f = &x.fault;

	/* A read of an unmapped GPA: US | final, the exact byte's GPA. */
	exit_of(e, SVM_EXIT_NPF, 0x100000004ULL, 0x10000018, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_FAULT);
	KT_EXPECT_EQ(t, f->gpa, 0x10000018);
	KT_EXPECT(t, !f->write && !f->exec && !f->present && !f->walk);
	KT_EXPECT(t, !f->private && !f->rmp && !f->size_mismatch);
	KT_EXPECT_EQ(t, x.rip, CODE_GVA);
	/* A write to a read-only page: P | W | US | final. */
	exit_of(e, SVM_EXIT_NPF, 0x100000007ULL, 0x6010, &x);
	KT_EXPECT(t, f->write && f->present && !f->exec);
	/* A fetch from a page without execute: ID. */
	exit_of(e, SVM_EXIT_NPF, 0x100000015ULL, 0x9000, &x);
	KT_EXPECT(t, f->exec && f->present);
	/* In the guest's own page walk (bit 33; W from the A/D update). */
	exit_of(e, SVM_EXIT_NPF, 0x200000006ULL, 0x20000, &x);
	KT_EXPECT(t, f->walk && f->write && !f->present);
	KT_EXPECT_EQ(t, f->gpa, 0x20000);
	/* A reserved bit is the NPT's bug, not the guest's. */
	exit_of(e, SVM_EXIT_NPF, 0x10000000dULL, 0x20000, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_INTERNAL);
	KT_EXPECT_STR_EQ(t, x.why, "NPT entry with reserved bits");
	KT_EXPECT_EQ(t, x.code, SVM_EXIT_NPF);
}

/* SEV-SNP's error-code bits: the RMP check, the access's C-bit (the
 * hardware's word on private) and a page-size mismatch. */
SVM_ENV_CASE(svm_exit_npf_snp_bits)
{
	struct arch_exit x;
	const struct arch_fault *f = &x.fault;

	exit_of(e, SVM_EXIT_NPF,
		SVM_NPF_RMP | SVM_NPF_ENC | SVM_NPF_SIZEM | SVM_NPF_FINAL |
			SVM_NPF_P | SVM_NPF_W,
		0x7000, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_FAULT);
	KT_EXPECT(t, f->rmp && f->private && f->size_mismatch);
	KT_EXPECT(t, f->present && f->write);
	exit_of(e, SVM_EXIT_NPF, SVM_NPF_ENC | SVM_NPF_FINAL, 0x7000, &x);
	KT_EXPECT(t, f->private && !f->rmp && !f->size_mismatch);
	exit_of(e, SVM_EXIT_NPF, SVM_NPF_RMP | SVM_NPF_FINAL | SVM_NPF_P,
		0x7000, &x);
	KT_EXPECT(t, f->rmp && !f->private);
}

SVM_ENV_CASE(svm_flush_once_per_operation)
{
	struct svm_asid_space space = { .nasid = 16, .features = SVM_FEAT_FLUSH_BY_ASID };
	struct svm_vcpu *v2;

	if (!KT_EXPECT_OK(t, svm_vcpu_create(&e->s, &v2)))
		return;
	/* First entries: fresh ASIDs, first one starts generation 1. */
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &space));
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.tlb_control, SVM_TLB_FLUSH_ALL);
	KT_EXPECT_OK(t, svm_prepare_entry(v2, &space));
	KT_EXPECT_EQ(t, v2->vmcb->ctl.tlb_control, SVM_TLB_FLUSH_ASID);
	KT_EXPECT_NE(t, e->v->vmcb->ctl.asid, v2->vmcb->ctl.asid);
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &space));
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.tlb_control, SVM_TLB_NOTHING);

	/* A zap not followed by its flush is caught at entry. */
	svm_vm_zap(&e->s, 0, PAGE_SIZE);
	KT_EXPECT(t, npt_flush_owed(&e->s.npt));
	KT_EXPECT_ERRNO(t, svm_prepare_entry(e->v, &space), EIO);
	/* Two zaps, one flush: each vCPU flushes its ASID once. */
	svm_vm_zap(&e->s, 0, SZ_2M);
	svm_vm_flush(&e->s);
	KT_EXPECT(t, !npt_flush_owed(&e->s.npt));
	KT_EXPECT_EQ(t, e->s.npt.stats.flushes, 1);
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &space));
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.tlb_control, SVM_TLB_FLUSH_ASID);
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &space));
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.tlb_control, SVM_TLB_NOTHING);
	KT_EXPECT_OK(t, svm_prepare_entry(v2, &space));
	KT_EXPECT_EQ(t, v2->vmcb->ctl.tlb_control, SVM_TLB_FLUSH_ASID);

	/* Mapping into empty space owes nothing. */
	KT_EXPECT_OK(t, svm_vm_map(&e->s, 0x0, (phys_addr_t)e->ram, 0, true));
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &space));
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.tlb_control, SVM_TLB_NOTHING);

	/* A zap that runs past the NPT's 48-bit input width (memslots
	 * reach 2^52) still drops what is mapped below it. */
	KT_EXPECT_OK(t, svm_vm_map(&e->s, (1ULL << 48) - PAGE_SIZE,
				   (phys_addr_t)e->ram, 0, true));
	svm_vm_zap(&e->s, (1ULL << 48) - PAGE_SIZE, 2 * PAGE_SIZE);
	KT_EXPECT(t, !npt_lookup(&e->s.npt, 0, &(struct npt_xlate){ 0 }));
	KT_EXPECT_ERRNO(t, npt_lookup(&e->s.npt, (1ULL << 48) - PAGE_SIZE,
				      &(struct npt_xlate){ 0 }),
			ENOENT);
	svm_vm_flush(&e->s);
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &space));
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.tlb_control, SVM_TLB_FLUSH_ASID);

	/* A change made behind svm's back is caught too. */
	KT_EXPECT_OK(t, npt_zap(&e->s.npt, 0, PAGE_SIZE));
	KT_EXPECT_ERRNO(t, svm_prepare_entry(e->v, &space), EIO);
	svm_vm_flush(&e->s);
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &space));
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.tlb_control, SVM_TLB_FLUSH_ASID);
	/* Every TLB_CONTROL 3 counted: three for the first vCPU, and the
	 * second's fresh ASID and its flush. */
	KT_EXPECT_EQ(t, e->v->stats.asid_flushes, 3);
	KT_EXPECT_EQ(t, v2->stats.asid_flushes, 2);
}

static void svm_asids_wrap_with_full_flush(struct kt *t)
{
	struct svm_asid_space space = { .nasid = 4, .features = SVM_FEAT_FLUSH_BY_ASID };
	struct vmcb vmcbs[4];
	struct svm_vcpu v[4] = { 0 };

	for (int i = 0; i < 4; i++)
		v[i].vmcb = &vmcbs[i];
	KT_EXPECT_EQ(t, svm_asid_assign(&space, &v[0]), SVM_TLB_FLUSH_ALL);
	KT_EXPECT_EQ(t, svm_asid_assign(&space, &v[1]), SVM_TLB_FLUSH_ASID);
	KT_EXPECT_EQ(t, svm_asid_assign(&space, &v[2]), SVM_TLB_FLUSH_ASID);
	KT_EXPECT_EQ(t, vmcbs[0].ctl.asid, 1);
	KT_EXPECT_EQ(t, vmcbs[2].ctl.asid, 3);
	KT_EXPECT_EQ(t, svm_asid_assign(&space, &v[1]), SVM_TLB_NOTHING);
	/* ASIDs 1..3 are taken: the fourth vCPU starts generation 2. */
	KT_EXPECT_EQ(t, svm_asid_assign(&space, &v[3]), SVM_TLB_FLUSH_ALL);
	KT_EXPECT_EQ(t, vmcbs[3].ctl.asid, 1);
	KT_EXPECT_EQ(t, svm_asid_assign(&space, &v[0]), SVM_TLB_FLUSH_ASID);
	KT_EXPECT_EQ(t, vmcbs[0].ctl.asid, 2);
}

/*
 * Without FlushByAsid (QEMU's TCG does not advertise it:
 * TCG_SVM_FEATURES in target/i386/cpu.c)
 * TLB_CONTROL is only ever 0 or 1: a flush owed is a fresh ASID, which
 * nothing used since the generation's full flush.
 */
SVM_ENV_CASE(svm_flush_without_flush_by_asid)
{
	struct svm_asid_space space = { .nasid = 4 };
	u32 asid;

	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &space));
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.tlb_control, SVM_TLB_FLUSH_ALL);
	asid = e->v->vmcb->ctl.asid;
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &space));
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.tlb_control, SVM_TLB_NOTHING);
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.asid, asid);
	/* A zap and its flush: a new ASID, no TLB_CONTROL 3. */
	svm_vm_zap(&e->s, 0, SZ_2M);
	svm_vm_flush(&e->s);
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &space));
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.tlb_control, SVM_TLB_NOTHING);
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.asid, asid + 1);
	/* Nothing owed: the ASID stays. */
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &space));
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.tlb_control, SVM_TLB_NOTHING);
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.asid, asid + 1);
	/* Out of ASIDs (1..3): the next flush starts a generation. */
	for (int i = 0; i < 2; i++) {
		KT_EXPECT_OK(t, svm_vm_map(&e->s, 0, (phys_addr_t)e->ram, 0,
					   true));
		svm_vm_zap(&e->s, 0, PAGE_SIZE);
		svm_vm_flush(&e->s);
		KT_EXPECT_OK(t, svm_prepare_entry(e->v, &space));
	}
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.tlb_control, SVM_TLB_FLUSH_ALL);
	KT_EXPECT_EQ(t, e->v->vmcb->ctl.asid, 1);
	KT_EXPECT_EQ(t, e->v->stats.asid_flushes, 0);
}

/*
 * NRIPS (APM vol. 2 §15.7.1): the instruction intercepts the backend
 * takes get their length from next_rip, as Bochs's AMD models write it;
 * exits that are no instruction intercept (Bochs writes next_rip on those
 * too), a value no instruction has, and a CPU without NRIPS leave it 0.
 */
SVM_ENV_CASE(svm_exit_nrips_gives_lengths)
{
	static const struct {
		u64 code;
		u8 len;
	} insn[] = {
		{SVM_EXIT_VMMCALL, 3}, /* 0f 01 d9 */
		{SVM_EXIT_VMMCALL, 4}, /* f3 0f 01 d9, VMGEXIT as VMMCALL */
		{SVM_EXIT_HLT, 1}, /* f4 */
		{SVM_EXIT_MSR, 2}, /* 0f 32 */
		{SVM_EXIT_VMMCALL, 15}, /* prefixes up to the limit */
	};
	static const u64 not_insn[] = {
		SVM_EXIT_NPF, SVM_EXIT_EXCP_BASE + X86_VEC_UD, SVM_EXIT_INTR,
		SVM_EXIT_VMGEXIT, SVM_EXIT_SHUTDOWN,
	};
	struct vmcb_control *c = &e->v->vmcb->ctl;
	struct arch_exit x;

	e->features = SVM_FEAT_NRIPS;
	for (size_t i = 0; i < ARRAY_SIZE(insn); i++) {
		c->next_rip = CODE_GVA + insn[i].len;
		exit_of(e, insn[i].code, 0, 0x100000004ULL, &x);
		KT_EXPECT_EQ(t, x.insn_len, insn[i].len);
	}
	KT_EXPECT_EQ(t, e->v->stats.nrip_lens, ARRAY_SIZE(insn));
	c->next_rip = CODE_GVA + 5;
	for (size_t i = 0; i < ARRAY_SIZE(not_insn); i++) {
		exit_of(e, not_insn[i], 0x100000004ULL, 0x300000, &x);
		KT_EXPECT_EQ(t, x.insn_len, 0);
	}
	/* Zero (what the CPU writes for other intercepts), behind RIP, and
	 * longer than an instruction may be. */
	c->next_rip = 0;
	exit_of(e, SVM_EXIT_VMMCALL, 0, 0, &x);
	KT_EXPECT_EQ(t, x.insn_len, 0);
	c->next_rip = CODE_GVA;
	exit_of(e, SVM_EXIT_HLT, 0, 0, &x);
	KT_EXPECT_EQ(t, x.insn_len, 0);
	c->next_rip = CODE_GVA + 16;
	exit_of(e, SVM_EXIT_MSR, 0, 0, &x);
	KT_EXPECT_EQ(t, x.insn_len, 0);
	KT_EXPECT_EQ(t, e->v->stats.nrip_lens, ARRAY_SIZE(insn));
	/* Without NRIPS next_rip is not looked at; IOIO's length is
	 * EXITINFO2's either way. */
	e->features = 0;
	c->next_rip = CODE_GVA + 3;
	exit_of(e, SVM_EXIT_VMMCALL, 0, 0, &x);
	KT_EXPECT_EQ(t, x.insn_len, 0);
	exit_of(e, SVM_EXIT_IOIO, 0x12340040, CODE_GVA + 1, &x);
	KT_EXPECT_EQ(t, x.insn_len, 1);
	KT_EXPECT_EQ(t, e->v->stats.nrip_lens, ARRAY_SIZE(insn));
}

/*
 * Decode assists (APM vol. 2 §15.8.4): a nested fault carries the bytes
 * the CPU fetched at the guest's RIP, as many as it says, for the exit
 * policy to decode. None for a fetch fault (count 0), for other exits,
 * for a count no CPU writes, or without the feature.
 */
SVM_ENV_CASE(svm_exit_decode_assists_give_fault_bytes)
{
	static const u8 mov[] = {0x48, 0x89, 0x34, 0x25, 0x00, 0x10, 0x30,
				 0x00}; /* mov [0x301000], rsi */
	struct vmcb_control *c = &e->v->vmcb->ctl;
	struct arch_exit x;

	e->features = SVM_FEAT_DECODE_ASSISTS;
	memset(c->insn_bytes, 0xcc, sizeof(c->insn_bytes));
	memcpy(c->insn_bytes, mov, sizeof(mov));
	c->insn_len = sizeof(mov);
	exit_of(e, SVM_EXIT_NPF, 0x100000007ULL, 0x301000, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_FAULT);
	KT_EXPECT_EQ(t, x.insn_nbytes, sizeof(mov));
	KT_EXPECT(t, !memcmp(x.insn_bytes, mov, sizeof(mov)));
	KT_EXPECT_EQ(t, x.insn_len, 0);
	KT_EXPECT_EQ(t, e->v->stats.insn_bytes, 1);
	/* All 15. */
	c->insn_len = 15;
	exit_of(e, SVM_EXIT_NPF, 0x100000006ULL, 0x301000, &x);
	KT_EXPECT_EQ(t, x.insn_nbytes, 15);
	KT_EXPECT_EQ(t, x.insn_bytes[14], 0xcc);
	KT_EXPECT_EQ(t, e->v->stats.insn_bytes, 2);
	/* A fetch fault: no bytes. */
	c->insn_len = 0;
	exit_of(e, SVM_EXIT_NPF, 0x100000015ULL, 0x9000, &x);
	KT_EXPECT_EQ(t, x.insn_nbytes, 0);
	/* No count the CPU writes; an exit that is no fault; the NPT's
	 * reserved-bit fault, an internal error. */
	c->insn_len = 16;
	exit_of(e, SVM_EXIT_NPF, 0x100000006ULL, 0x301000, &x);
	KT_EXPECT_EQ(t, x.insn_nbytes, 0);
	c->insn_len = sizeof(mov);
	exit_of(e, SVM_EXIT_VMMCALL, 0, 0, &x);
	KT_EXPECT_EQ(t, x.insn_nbytes, 0);
	exit_of(e, SVM_EXIT_NPF, 0x10000000dULL, 0x20000, &x);
	KT_EXPECT_EQ(t, x.kind, ARCH_EXIT_INTERNAL);
	KT_EXPECT_EQ(t, x.insn_nbytes, 0);
	/* Without decode assists the field is not looked at. */
	e->features = 0;
	exit_of(e, SVM_EXIT_NPF, 0x100000006ULL, 0x301000, &x);
	KT_EXPECT_EQ(t, x.insn_nbytes, 0);
	KT_EXPECT_EQ(t, e->v->stats.insn_bytes, 2);
}

/*
 * VMCB clean bits (APM vol. 2 §15.15): after a VMRUN every field is
 * clean; what the backend changes loses its bit (a new ASID, CR3, a new
 * guest state); a first run, or one on another CPU, has none clean; a
 * CPU without the feature gets none.
 */
SVM_ENV_CASE(svm_clean_bits_follow_changes)
{
	struct svm_asid_space cpu0 = {.nasid = 16,
				      .features = SVM_FEAT_VMCB_CLEAN |
						  SVM_FEAT_FLUSH_BY_ASID};
	struct svm_asid_space cpu1 = cpu0, plain = {.nasid = 16};
	struct vmcb_control *c = &e->v->vmcb->ctl;
	struct vmm_entry entry = {.rip = CODE_GVA, .rsp = 0x9000,
				  .cr3 = 0x1000};
	u32 asid;

	/* The first VMRUN: nothing is cached yet. */
	c->clean_bits = SVM_CLEAN_ALL;
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &cpu0));
	KT_EXPECT_EQ(t, c->clean_bits, 0);
	svm_after_vmrun(e->v, &cpu0);
	KT_EXPECT_EQ(t, c->clean_bits, SVM_CLEAN_ALL);
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &cpu0));
	KT_EXPECT_EQ(t, c->clean_bits, SVM_CLEAN_ALL);
	KT_EXPECT_EQ(t, e->v->stats.clean_entries, 1);
	svm_after_vmrun(e->v, &cpu0);
	/* What VMRUN loads every time keeps every bit. */
	svm_vcpu_set_reg(e->v, ARCH_REG_RAX, 1);
	svm_vcpu_set_reg(e->v, ARCH_REG_RSP, 0x8000);
	svm_vcpu_set_reg(e->v, ARCH_REG_RFLAGS, 0x202);
	svm_vcpu_set_reg(e->v, ARCH_REG_R15, 2);
	svm_vcpu_complete(e->v, CODE_GVA + 3);
	svm_vcpu_inject(e->v, X86_VEC_UD, 0);
	KT_EXPECT_EQ(t, c->clean_bits, SVM_CLEAN_ALL);
	/* CR3: the CR bit. */
	svm_vcpu_set_reg(e->v, ARCH_REG_CR3, 0x2000);
	KT_EXPECT_EQ(t, c->clean_bits, SVM_CLEAN_ALL & ~SVM_CLEAN_CR);
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &cpu0));
	KT_EXPECT_EQ(t, c->clean_bits, SVM_CLEAN_ALL & ~SVM_CLEAN_CR);
	svm_after_vmrun(e->v, &cpu0);
	/* A flush of the same ASID: TLB_CONTROL is read at every VMRUN,
	 * the ASID stays clean. */
	asid = c->asid;
	svm_vm_zap(&e->s, 0, PAGE_SIZE);
	svm_vm_flush(&e->s);
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &cpu0));
	KT_EXPECT_EQ(t, c->tlb_control, SVM_TLB_FLUSH_ASID);
	KT_EXPECT_EQ(t, c->asid, asid);
	KT_EXPECT_EQ(t, c->clean_bits, SVM_CLEAN_ALL);
	svm_after_vmrun(e->v, &cpu0);
	/* A flush by a fresh ASID (no FlushByAsid): the ASID bit. */
	cpu0.features = SVM_FEAT_VMCB_CLEAN;
	KT_EXPECT_OK(t, svm_vm_map(&e->s, 0, (phys_addr_t)e->ram, 0, true));
	svm_vm_zap(&e->s, 0, PAGE_SIZE);
	svm_vm_flush(&e->s);
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &cpu0));
	KT_EXPECT_NE(t, c->asid, asid);
	KT_EXPECT_EQ(t, c->clean_bits, SVM_CLEAN_ALL & ~SVM_CLEAN_ASID);
	svm_after_vmrun(e->v, &cpu0);
	/* A new guest state: every bit. */
	KT_EXPECT_OK(t, svm_vcpu_enter(e->v, &entry));
	KT_EXPECT_EQ(t, c->clean_bits, 0);
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &cpu0));
	KT_EXPECT_EQ(t, c->clean_bits, 0);
	svm_after_vmrun(e->v, &cpu0);
	KT_EXPECT_EQ(t, e->v->stats.clean_entries, 4);
	/* Another CPU has cached nothing of this VMCB, nor has this one
	 * once the VMCB ran elsewhere. */
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &cpu1));
	KT_EXPECT_EQ(t, c->clean_bits, 0);
	svm_after_vmrun(e->v, &cpu1);
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &cpu0));
	KT_EXPECT_EQ(t, c->clean_bits, 0);
	/* A CPU without clean bits never gets one. */
	svm_after_vmrun(e->v, &plain);
	KT_EXPECT_EQ(t, c->clean_bits, 0);
	KT_EXPECT_OK(t, svm_prepare_entry(e->v, &plain));
	KT_EXPECT_EQ(t, c->clean_bits, 0);
	KT_EXPECT_EQ(t, e->v->stats.clean_entries, 4);
}

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return true;
	return false;
}

static void svm_dump_names_exit_and_registers(struct kt *t)
{
	struct vmcb vmcb;
	struct svm_gprs g;
	char buf[768];
	int n;

	memset(&vmcb, 0, sizeof(vmcb));
	memset(&g, 0, sizeof(g));
	vmcb.ctl.exit_code = SVM_EXIT_EXCP_BASE + X86_VEC_UD;
	vmcb.save.rip = 0x401000;
	vmcb.save.efer = 0x1d00;
	g.r13 = 0xabcdef;
	n = svm_format_state(buf, sizeof(buf), &vmcb, &g);
	KT_EXPECT_LT(t, n, sizeof(buf));
	KT_EXPECT_EQ(t, strncmp(buf, "exit 0x46 EXCP_UD info1 0x0", 27), 0);
	KT_EXPECT(t, contains(buf, "rip 0x0000000000401000"));
	KT_EXPECT(t, contains(buf, "r13 0x0000000000abcdef"));
	KT_EXPECT(t, contains(buf, "efer 0x1d00"));
	KT_EXPECT(t, contains(buf, "cr3 0x0"));
}

static const char *a_backend_runs(struct kt *t)
{
	return arch_select() ? "a vCPU backend runs here" : NULL;
}

/* Without a backend (the host build) the native backend says why (the
 * first backend's reason, SVM's) and refuses vCPUs cleanly. */
static void svm_absent_vcpus_refused(struct kt *t)
{
	struct vmm_native st = { 0 };
	struct vmm v = VMM_NATIVE_INIT(st);
	const char *why = v.ops->lacks(&v, VMM_FEAT_VCPU);
	int vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);

	KT_EXPECT(t, why != NULL);
	if (why)
		KT_EXPECT_STR_EQ(t, why, svm_cpu_lacks());
	if (KT_EXPECT_GE(t, vm, 0))
		KT_EXPECT_ERRNO(t, v.ops->create_vcpu(&v, vm), ENODEV);
	v.ops->reset(&v);
	KT_EXPECT_OK(t, v.ops->check(&v));
}

/* svm_arch_ops: one NPT for private and shared translations, so a zap of
 * either kind drops both; the leaf order comes back in lookups. */
static void svm_arch_ops_keep_one_npt(struct kt *t)
{
	const struct arch_ops *a = &svm_arch_ops;
	u8 *block = alloc_pages(hv_pool, 9, OWN_TEST);
	struct arch_vcpu *c[ARCH_MAX_VCPUS + 1];
	struct arch_xlate x;
	struct arch_vm *vm;

	KT_ASSERT(t, block != NULL);
	KT_EXPECT_ERRNO(t, a->vm_init(99, &vm), EINVAL);
	if (!KT_EXPECT_OK(t, a->vm_init(GMV_VM_DEFAULT, &vm)))
		goto out;
	KT_EXPECT_ERRNO(t, a->lookup(vm, 0x200000, &x), ENOENT);
	KT_EXPECT_ERRNO(t, a->lookup(vm, 1ULL << 52, &x), ENOENT);
	KT_EXPECT_OK(t, a->map(vm, 0x201123, (phys_addr_t)block + 0x1000, 9,
			       false, true));
	if (KT_EXPECT_OK(t, a->lookup(vm, 0x3ff008, &x))) {
		KT_EXPECT_EQ(t, x.order, 9);
		KT_EXPECT_EQ(t, x.hpa, (phys_addr_t)block + 0x1ff008);
		KT_EXPECT(t, !x.writable);
	}
	KT_EXPECT_OK(t,
		     a->map(vm, 0x600000, (phys_addr_t)block, 0, true, false));
	if (KT_EXPECT_OK(t, a->lookup(vm, 0x600000, &x))) {
		KT_EXPECT_EQ(t, x.order, 0);
		KT_EXPECT(t, x.writable);
	}
	/* The shared-only zap of one page drops the private 2 MiB leaf. */
	a->zap(vm, 0x201000, PAGE_SIZE, ARCH_ZAP_SHARED);
	KT_EXPECT_ERRNO(t, a->lookup(vm, 0x200000, &x), ENOENT);
	a->flush(vm);
	KT_EXPECT(t, !npt_flush_owed(&((struct svm_vm *)vm)->npt));
	for (int i = 0; i < ARCH_MAX_VCPUS; i++)
		KT_EXPECT_OK(t, a->vcpu_create(vm, &c[i]));
	KT_EXPECT_ERRNO(t, a->vcpu_create(vm, &c[ARCH_MAX_VCPUS]), EINVAL);
	a->set_reg(c[1], ARCH_REG_R9, 99);
	KT_EXPECT_EQ(t, a->get_reg(c[1], ARCH_REG_R9), 99);
	KT_EXPECT_EQ(t, a->get_reg(c[0], ARCH_REG_R9), 0);
	a->complete(c[1], 0x1234);
	KT_EXPECT_EQ(t, a->get_reg(c[1], ARCH_REG_RIP), 0x1234);
	/* A vCPU never entered does not run. */
	KT_EXPECT_ERRNO(t, a->run(c[0], &(struct arch_exit){0}), EINVAL);
	a->vm_destroy(vm);
out:
	free_pages(hv_pool, block, 9, OWN_TEST);
}

/* arch_select() takes SVM exactly where SVM runs (else says why none
 * runs), and a test's arch_use() overrides it until it is undone. */
static void svm_is_the_backend_where_svm_runs(struct kt *t)
{
	static const struct arch_ops other = {.name = "other"};
	const char *why = svm_cpu_lacks();
	const struct arch_ops *old, *old_choice = arch_select();

	if (why) {
		/* Another backend may run here (VMX on an Intel CPU); with
		 * none, SVM's reason is the one given. */
		KT_EXPECT(t, arch_select() != &svm_arch_ops);
		if (!arch_select())
			KT_EXPECT_STR_EQ(t, arch_lacks(), why);
	} else {
		KT_EXPECT(t, arch_select() == &svm_arch_ops);
		KT_EXPECT(t, arch_lacks() == NULL);
	}
	old = arch_use(&other);
	KT_EXPECT(t, arch_select() == &other);
	KT_EXPECT(t, arch_lacks() == NULL);
	KT_EXPECT(t, arch_use(old) == &other);
	KT_EXPECT(t, arch_select() == old_choice);
}

static const struct kt_case svm_cases[] = {
	KT_CASE(svm_vmcb_follows_guest_contract),
	KT_CASE(svm_regs_round_trip),
	KT_CASE(svm_exit_port_io),
	KT_CASE(svm_exit_hypercalls),
	KT_CASE(svm_exit_exceptions_carry_their_vector),
	KT_CASE(svm_exit_other_codes),
	KT_CASE(svm_exit_npf_decoded),
	KT_CASE(svm_exit_npf_snp_bits),
	KT_CASE(svm_flush_once_per_operation),
	KT_CASE(svm_asids_wrap_with_full_flush),
	KT_CASE(svm_flush_without_flush_by_asid),
	KT_CASE(svm_exit_nrips_gives_lengths),
	KT_CASE(svm_exit_decode_assists_give_fault_bytes),
	KT_CASE(svm_clean_bits_follow_changes),
	KT_CASE(svm_dump_names_exit_and_registers),
	KT_CASE(svm_arch_ops_keep_one_npt),
	KT_CASE(svm_is_the_backend_where_svm_runs),
	KT_CASE_IF(svm_absent_vcpus_refused, a_backend_runs),
};

const struct kt_suite svm_suite = KT_SUITE("svm", svm_cases);
