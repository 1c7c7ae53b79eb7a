// SPDX-License-Identifier: MIT
/*
 * tests/common/svm_test.c - the SVM half of the native backend without
 * VMRUN: the VMCB a vCPU gets for the guest environment contract, register
 * access, the exit dispatcher fed with hand-made exits (the values QEMU's
 * TCG reports, shared/spec/qemu-tcg-svm.md §4), completion on re-entry,
 * ASIDs and the flush audit, and the run deadline on INTR exits (with a fake
 * timer). Runs in every build; the payload's svm_guest suite runs real guests.
 */
#include "hv/deadline.h"
#include "hv/svm/svm.h"
#include "hv/vmm_native.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/common/suites.h"
#include "tests/common/test_mem.h"

#define ARENA (8UL << 20)

/*
 * A VM with one vCPU over a private pool. Guest RAM is one 2 MiB block at
 * GPA 0, mapped in the NPT. The guest's tables (PML4 0x1000, PDPT 0x2000,
 * PD 0x3000, PT 0x4000) map GVA 0-2 MiB 1:1 with a 2 MiB page, and GVA
 * 0x200000 + 4 KiB * i through the PT to pt_gpa[i], scattered on purpose.
 */
#define CODE_GVA 0x5000ULL
#define PT_GVA 0x200000ULL
static const u64 pt_gpa[] = { 0x10000, 0x7000, 0x400000 /* no NPT map */ };

struct svm_env {
	struct page_pool pool;
	struct page_pool *saved_pool;
	bool pool_swapped;
	void *mem;
	u8 *ram;
	struct svm_vm s;
	struct svm_vcpu *v;
};

static void put64(struct svm_env *e, u64 gpa, u64 val)
{
	memcpy(e->ram + gpa, &val, sizeof(val));
}

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
	if (!KT_EXPECT(t, e->ram != NULL) ||
	    !KT_EXPECT_OK(t, svm_vm_init(&e->s, GMV_VM_SW_PROTECTED)) ||
	    !KT_EXPECT_OK(t, svm_vm_map(&e->s, 0x1234, (phys_addr_t)e->ram +
						       0x1000,
					9, true)) ||
	    !KT_EXPECT_OK(t, svm_vcpu_create(&e->s, &e->v)) ||
	    !KT_EXPECT_OK(t, svm_vcpu_enter(e->v, &entry)))
		return false;
	put64(e, 0x1000, 0x2000 | 7);
	put64(e, 0x2000, 0x3000 | 7);
	put64(e, 0x3000, 0x0 | 0x87);  /* 2 MiB page at GPA 0 */
	put64(e, 0x3008, 0x4000 | 7);  /* GVA 2 MiB.. through the PT */
	for (size_t i = 0; i < ARRAY_SIZE(pt_gpa); i++)
		put64(e, 0x4000 + 8 * i, pt_gpa[i] | 7);
	return true;
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

/* Put an instruction at the guest's RIP and a hand-made exit in the VMCB. */
static void set_exit(struct svm_env *e, u64 code, u64 info1, u64 info2,
		     const u8 *insn, size_t n)
{
	struct vmcb *vmcb = e->v->vmcb;

	if (insn)
		memcpy(e->ram + vmcb->save.rip, insn, n);
	vmcb->ctl.exit_code = code;
	vmcb->ctl.exit_info1 = info1;
	vmcb->ctl.exit_info2 = info2;
}

SVM_ENV_CASE(svm_vmcb_follows_guest_contract)
{
	const struct vmcb *vmcb = e->v->vmcb;

	/* Consistency rules VMRUN enforces (fact sheet §4). */
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
	/* Unknown VM types are not SVM's. */
	KT_EXPECT_ERRNO(t, svm_vm_init(&(struct svm_vm){ 0 }, GMV_VM_TDX),
			EINVAL);
}

SVM_ENV_CASE(svm_regs_round_trip)
{
	struct vmm_regs in, out;
	u64 *w = (u64 *)&in;

	for (size_t i = 0; i < sizeof(in) / 8; i++)
		w[i] = 0x1111111111111111ULL * (i + 1);
	in.rflags = 0x3000; /* bit 1 is forced on */
	svm_vcpu_set_regs(e->v, &in);
	svm_vcpu_get_regs(e->v, &out);
	in.rflags |= 2;
	KT_EXPECT_MEM_EQ(t, &in, &out, sizeof(in));
	KT_EXPECT_EQ(t, e->v->vmcb->save.rax, in.rax);
	KT_EXPECT_EQ(t, e->v->vmcb->save.rsp, in.rsp);
	KT_EXPECT_EQ(t, e->v->gprs.r15, in.r15);
}

SVM_ENV_CASE(svm_exit_port_io)
{
	static const u8 out_dx_eax[] = { 0xef }, in_dx_al[] = { 0xec };
	struct vmm_exit x;
	struct svm_npf npf;
	struct svm_vcpu *v = e->v;

	/* out dx, eax with dx = 0x1234: the values of fact sheet §4 (a). */
	v->vmcb->save.rax = 0xffffffffcafef00dULL;
	set_exit(e, SVM_EXIT_IOIO, 0x12340040, CODE_GVA + 1, out_dx_eax, 1);
	KT_EXPECT_EQ(t, svm_handle_exit(v, &x, &npf), SVM_TO_CASE);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_IO);
	KT_EXPECT_EQ(t, x.io.port, 0x1234);
	KT_EXPECT_EQ(t, x.io.size, 4);
	KT_EXPECT_EQ(t, x.io.in, false);
	KT_EXPECT_EQ(t, x.io.count, 1);
	KT_EXPECT_EQ(t, x.io.data, 0xcafef00d);
	/* RIP stays on the OUT until the next run completes it. */
	KT_EXPECT_EQ(t, v->vmcb->save.rip, CODE_GVA);
	svm_complete_pending(v, &x);
	KT_EXPECT_EQ(t, v->vmcb->save.rip, CODE_GVA + 1);

	/* in al, dx: the case's byte lands in AL only. */
	set_exit(e, SVM_EXIT_IOIO, 0x12340011, CODE_GVA + 2, in_dx_al, 1);
	KT_EXPECT_EQ(t, svm_handle_exit(v, &x, &npf), SVM_TO_CASE);
	KT_EXPECT_EQ(t, x.io.in, true);
	KT_EXPECT_EQ(t, x.io.size, 1);
	x.io.data = 0x5a;
	svm_complete_pending(v, &x);
	KT_EXPECT_EQ(t, v->vmcb->save.rax, 0xffffffffcafef05aULL);
	KT_EXPECT_EQ(t, v->vmcb->save.rip, CODE_GVA + 2);
	/* Nothing is owed twice. */
	svm_complete_pending(v, &x);
	KT_EXPECT_EQ(t, v->vmcb->save.rip, CODE_GVA + 2);

	/* rep outsb cannot be expressed in struct vmm_exit. */
	set_exit(e, SVM_EXIT_IOIO, 0x1234001c, CODE_GVA + 4, NULL, 0);
	KT_EXPECT_EQ(t, svm_handle_exit(v, &x, &npf), SVM_TO_CASE);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_INTERNAL_ERROR);
	KT_EXPECT_EQ(t, x.other.code, SVM_EXIT_IOIO);
}

SVM_ENV_CASE(svm_exit_completion_respects_moved_rip)
{
	static const u8 in_dx_eax[] = { 0xed };
	struct vmm_exit x;
	struct svm_npf npf;
	struct vmm_regs r;

	e->v->vmcb->save.rax = 7;
	set_exit(e, SVM_EXIT_IOIO, 0x00800041, CODE_GVA + 1, in_dx_eax, 1);
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_TO_CASE);
	svm_vcpu_get_regs(e->v, &r);
	r.rip = 0x8000;
	svm_vcpu_set_regs(e->v, &r);
	x.io.data = 0x99;
	svm_complete_pending(e->v, &x);
	KT_EXPECT_EQ(t, e->v->vmcb->save.rip, 0x8000);
	KT_EXPECT_EQ(t, e->v->vmcb->save.rax, 7);
}

SVM_ENV_CASE(svm_exit_hypercalls)
{
	static const u8 vmmcall[] = { 0x0f, 0x01, 0xd9 };
	static const u8 vmgexit[] = { 0xf3, 0x0f, 0x01, 0xd9 };
	struct vmm_exit x;
	struct svm_npf npf;
	struct svm_vcpu *v = e->v;

	/* KVM_HC_MAP_GPA_RANGE(gpa 0x10000, 4 pages, encrypted). */
	v->vmcb->save.rax = GMV_HC_MAP_GPA_RANGE;
	v->gprs.rbx = 0x10000;
	v->gprs.rcx = 4;
	v->gprs.rdx = GMV_MAP_GPA_RANGE_ENCRYPTED;
	set_exit(e, SVM_EXIT_VMMCALL, 0, 0, vmmcall, sizeof(vmmcall));
	KT_EXPECT_EQ(t, svm_handle_exit(v, &x, &npf), SVM_TO_CASE);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_HYPERCALL);
	KT_EXPECT_EQ(t, x.hypercall.nr, GMV_HC_MAP_GPA_RANGE);
	KT_EXPECT_EQ(t, x.hypercall.args[0], 0x10000);
	KT_EXPECT_EQ(t, x.hypercall.args[1], 4);
	KT_EXPECT_EQ(t, x.hypercall.args[2], GMV_MAP_GPA_RANGE_ENCRYPTED);
	x.hypercall.ret = 0;
	svm_complete_pending(v, &x);
	KT_EXPECT_EQ(t, v->vmcb->save.rax, 0);
	KT_EXPECT_EQ(t, v->vmcb->save.rip, CODE_GVA + 3);

	/* QEMU reports VMGEXIT as VMMCALL: the F3 byte counts (4 bytes). */
	v->vmcb->save.rax = GMV_HC_MAP_GPA_RANGE;
	set_exit(e, SVM_EXIT_VMMCALL, 0, 0, vmgexit, sizeof(vmgexit));
	KT_EXPECT_EQ(t, svm_handle_exit(v, &x, &npf), SVM_TO_CASE);
	x.hypercall.ret = -(u64)EINVAL;
	svm_complete_pending(v, &x);
	KT_EXPECT_EQ(t, v->vmcb->save.rax, -(u64)EINVAL);
	KT_EXPECT_EQ(t, v->vmcb->save.rip, CODE_GVA + 7);

	/* KVM's own checks: unaligned gpa, zero pages -> -KVM_EINVAL. */
	v->gprs.rbx = 0x10001;
	v->vmcb->save.rax = GMV_HC_MAP_GPA_RANGE;
	set_exit(e, SVM_EXIT_VMMCALL, 0, 0, vmmcall, sizeof(vmmcall));
	KT_EXPECT_EQ(t, svm_handle_exit(v, &x, &npf), SVM_RESUME);
	KT_EXPECT_EQ(t, v->vmcb->save.rax, -(u64)SVM_KVM_EINVAL);
	KT_EXPECT_EQ(t, v->vmcb->save.rip, CODE_GVA + 10);
	v->gprs.rbx = 0x10000;
	v->gprs.rcx = 0;
	v->vmcb->save.rax = GMV_HC_MAP_GPA_RANGE;
	set_exit(e, SVM_EXIT_VMMCALL, 0, 0, vmmcall, sizeof(vmmcall));
	KT_EXPECT_EQ(t, svm_handle_exit(v, &x, &npf), SVM_RESUME);
	KT_EXPECT_EQ(t, v->vmcb->save.rax, -(u64)SVM_KVM_EINVAL);

	/* Any other number: -KVM_ENOSYS, and the guest goes on. */
	v->vmcb->save.rax = 5;
	set_exit(e, SVM_EXIT_VMMCALL, 0, 0, vmmcall, sizeof(vmmcall));
	KT_EXPECT_EQ(t, svm_handle_exit(v, &x, &npf), SVM_RESUME);
	KT_EXPECT_EQ(t, v->vmcb->save.rax, -(u64)SVM_KVM_ENOSYS);
	KT_EXPECT_EQ(t, v->vmcb->save.rip, CODE_GVA + 16);
}

SVM_ENV_CASE(svm_exit_ud_names_cc_instructions)
{
	static const u8 tdcall[] = { 0x66, 0x0f, 0x01, 0xcc };
	static const u8 ud2[] = { 0x0f, 0x0b };
	struct vmm_exit x;
	struct svm_npf npf;

	set_exit(e, SVM_EXIT_EXCP_BASE + X86_VEC_UD, 0, 0, tdcall,
		 sizeof(tdcall));
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_TO_CASE);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_INTERNAL_ERROR);
	KT_EXPECT_EQ(t, x.other.code, SVM_EXIT_EXCP_BASE + X86_VEC_UD);
	KT_EXPECT_EQ(t, x.other.info2, INSN_TDCALL);
	KT_EXPECT_STR_EQ(t, e->v->why, "TDCALL (4 bytes) is not emulated");
	KT_EXPECT_EQ(t, x.other.rip, CODE_GVA);
	/* UD2 is the guest's own #UD: no IDT, so a shutdown. */
	set_exit(e, SVM_EXIT_EXCP_BASE + X86_VEC_UD, 0, 0, ud2, sizeof(ud2));
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_TO_CASE);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_SHUTDOWN);
}

SVM_ENV_CASE(svm_exit_other_codes)
{
	struct vmm_exit x;
	struct svm_npf npf;

	set_exit(e, SVM_EXIT_INTR, 0, 0, NULL, 0);
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_RESUME);
	set_exit(e, SVM_EXIT_HLT, 0, 0, NULL, 0);
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_TO_CASE);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_HLT);
	KT_EXPECT_EQ(t, e->v->vmcb->save.rip, CODE_GVA + 1);
	set_exit(e, SVM_EXIT_SHUTDOWN, 0, 0, NULL, 0);
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_TO_CASE);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_SHUTDOWN);
	/* A guest #PF: shutdown, with the error code and address. */
	set_exit(e, SVM_EXIT_EXCP_BASE + X86_VEC_PF, 6, 0xdead000, NULL, 0);
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_TO_CASE);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_SHUTDOWN);
	KT_EXPECT_EQ(t, x.other.code, 0x4e);
	KT_EXPECT_EQ(t, x.other.info1, 6);
	KT_EXPECT_EQ(t, x.other.info2, 0xdead000);
	KT_EXPECT_STR_EQ(t, e->v->why, "guest EXCP_PF without an IDT");
	/* QEMU's zero-extended VMEXIT_INVALID (differences item 1). */
	set_exit(e, 0xffffffffULL, 0, 0, NULL, 0);
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_TO_CASE);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_INTERNAL_ERROR);
	KT_EXPECT_EQ(t, x.other.code, 0xffffffffULL);
	set_exit(e, SVM_EXIT_CPUID, 0, 0, NULL, 0);
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_TO_CASE);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_INTERNAL_ERROR);
}

SVM_ENV_CASE(svm_exit_npf_and_mmio)
{
	/* mov ecx, [rax]; mov byte [rbx], 0x7f */
	static const u8 load[] = { 0x8b, 0x08 }, store[] = { 0xc6, 0x03, 0x7f };
	struct vmm_exit x;
	struct svm_npf npf;
	unsigned int i;

	/* A read of an unmapped GPA (fact sheet §4 (c)). */
	set_exit(e, SVM_EXIT_NPF, 0x100000004ULL, 0x10000018, load,
		 sizeof(load));
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_TO_NPF);
	KT_EXPECT_EQ(t, npf.gpa, 0x10000018);
	KT_EXPECT(t, !npf.write && !npf.exec && !npf.present);
	/* With no memslot there: an MMIO exit of the MOV's size. */
	e->v->gprs.rcx = 0xffffffffffffffffULL;
	svm_mmio_exit(e->v, &npf, &x);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_MMIO);
	KT_EXPECT_EQ(t, x.mmio.gpa, 0x10000018);
	KT_EXPECT_EQ(t, x.mmio.len, 4);
	KT_EXPECT_EQ(t, x.mmio.is_write, false);
	x.mmio.data = 0xfedcba9876543210ULL;
	svm_complete_pending(e->v, &x);
	KT_EXPECT_EQ(t, e->v->gprs.rcx, 0x76543210);
	KT_EXPECT_EQ(t, e->v->vmcb->save.rip, CODE_GVA + 2);

	/* A guest polling one MMIO address from one instruction: each
	 * completed access is a new fault, never a repeat. */
	for (i = 0; i < 2 * SVM_NPF_REPEAT_MAX; i++) {
		e->v->vmcb->save.rip = CODE_GVA;
		set_exit(e, SVM_EXIT_NPF, 0x100000004ULL, 0x10000018, load,
			 sizeof(load));
		if (svm_handle_exit(e->v, &x, &npf) != SVM_TO_NPF)
			break;
		svm_mmio_exit(e->v, &npf, &x);
		svm_complete_pending(e->v, &x);
	}
	KT_EXPECT_EQ(t, i, 2 * SVM_NPF_REPEAT_MAX);

	/* A write to a read-only page: P|W|US|final, fact sheet §4 (e). */
	set_exit(e, SVM_EXIT_NPF, 0x100000007ULL, 0x6010, store,
		 sizeof(store));
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_TO_NPF);
	KT_EXPECT(t, npf.write && npf.present && !npf.exec);
	svm_mmio_exit(e->v, &npf, &x);
	KT_EXPECT_EQ(t, x.mmio.len, 1);
	KT_EXPECT_EQ(t, x.mmio.is_write, true);
	KT_EXPECT_EQ(t, x.mmio.data, 0x7f);

	/* A fetch (ID) at a non-MOV instruction: len 0, nothing owed. */
	set_exit(e, SVM_EXIT_NPF, 0x100000015ULL, 0x9000, NULL, 0);
	e->v->vmcb->save.rip = 0x9000;
	memset(e->ram + 0x9000, 0x90, 4);
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_TO_NPF);
	KT_EXPECT(t, npf.exec);
	svm_mmio_exit(e->v, &npf, &x);
	KT_EXPECT_EQ(t, x.mmio.len, 0);
	svm_complete_pending(e->v, &x);
	KT_EXPECT_EQ(t, e->v->vmcb->save.rip, 0x9000);

	/* The same fault over and over ends as an internal error. */
	for (i = 0; i < SVM_NPF_REPEAT_MAX; i++)
		if (svm_handle_exit(e->v, &x, &npf) != SVM_TO_NPF)
			break;
	KT_EXPECT_EQ(t, i, SVM_NPF_REPEAT_MAX - 1);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_INTERNAL_ERROR);
	/* A fault in the guest's own page walk (fact sheet §4, extra NPF
	 * cases: bit 33) at a GPA without memory is no MMIO access of the
	 * MOV: KVM injects #PF, a triple fault without an IDT. */
	e->v->vmcb->save.rip = CODE_GVA;
	set_exit(e, SVM_EXIT_NPF, 0x200000006ULL, 0x20000, load,
		 sizeof(load));
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_TO_NPF);
	KT_EXPECT(t, npf.walk && npf.write && !npf.present);
	svm_mmio_exit(e->v, &npf, &x);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_SHUTDOWN);
	KT_EXPECT_EQ(t, x.other.code, SVM_EXIT_NPF);
	KT_EXPECT_EQ(t, x.other.info2, 0x20000);
	svm_complete_pending(e->v, &x);
	KT_EXPECT_EQ(t, e->v->vmcb->save.rip, CODE_GVA);
	/* A reserved-bit fault is the NPT's bug, not the guest's. */
	set_exit(e, SVM_EXIT_NPF, 0x10000000dULL, 0x20000, NULL, 0);
	KT_EXPECT_EQ(t, svm_handle_exit(e->v, &x, &npf), SVM_TO_CASE);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_INTERNAL_ERROR);
}

SVM_ENV_CASE(svm_flush_once_per_operation)
{
	struct svm_asid_space space = { .nasid = 16, .flush_by_asid = true };
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
}

static void svm_asids_wrap_with_full_flush(struct kt *t)
{
	struct svm_asid_space space = { .nasid = 4, .flush_by_asid = true };
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
 * Without FlushByAsid (QEMU's TCG does not advertise it, fact sheet §4)
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

static const char *svm_present(struct kt *t)
{
	return svm_cpu_lacks() ? NULL : "SVM is present: vCPUs run here";
}

/* A deadline timer that records what it is asked (hv/deadline.h). */
static u64 fake_armed;

static void fake_arm(u64 deadline)
{
	fake_armed = deadline;
}

static void fake_disarm(void)
{
	fake_armed = 0;
}

static const struct deadline_timer fake_timer = {
	.name = "fake",
	.tsc_per_ms = 1000,
	.arm = fake_arm,
	.disarm = fake_disarm,
};

/* An INTR exit resumes the guest (arming the timer again if it fired)
 * until the run's deadline has passed, then ends the run with -EINTR and
 * KVM's KVM_EXIT_INTR; a run without a deadline never ends that way. */
static void svm_exit_intr_ends_run_at_deadline(struct kt *t)
{
	const struct deadline_timer *cur = deadline_timer();
	struct deadline_timer saved = cur ? *cur : (struct deadline_timer){ 0 };
	struct vmm_exit x;
	struct svm_npf npf;
	struct svm_env e;
	u64 far;

	if (!env_open(t, &e))
		goto out;
	deadline_timer_register(&fake_timer);
	fake_armed = 0;
	/* Days away at any TSC rate this runs on. */
	far = deadline_after_ms(1ULL << 40);
	KT_EXPECT_LT(t, deadline_now(), far);
	e.v->run_deadline = far;
	set_exit(&e, SVM_EXIT_INTR, 0, 0, NULL, 0);
	KT_EXPECT_EQ(t, svm_handle_exit(e.v, &x, &npf), SVM_RESUME);
	KT_EXPECT_EQ(t, fake_armed, far);
	/* Another source: the timer is still armed, and left alone. */
	fake_armed = 0;
	KT_EXPECT_EQ(t, svm_handle_exit(e.v, &x, &npf), SVM_RESUME);
	KT_EXPECT_EQ(t, fake_armed, 0);
	/* The timer fired early (the platform's handler says so): armed
	 * again for the same deadline. */
	deadline_timer_fired();
	KT_EXPECT_EQ(t, svm_handle_exit(e.v, &x, &npf), SVM_RESUME);
	KT_EXPECT_EQ(t, fake_armed, far);
	/* A deadline long past ends the run. */
	e.v->run_deadline = 1;
	KT_EXPECT_ERRNO(t, svm_handle_exit(e.v, &x, &npf), EINTR);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_INTR);
	KT_EXPECT_EQ(t, x.other.code, SVM_EXIT_INTR);
	KT_EXPECT_EQ(t, x.other.rip, CODE_GVA);
	e.v->run_deadline = 0;
	fake_armed = 0;
	deadline_timer_fired();
	KT_EXPECT_EQ(t, svm_handle_exit(e.v, &x, &npf), SVM_RESUME);
	KT_EXPECT_EQ(t, fake_armed, 0);
	/* Without a timer there is no deadline at all. */
	deadline_timer_register(NULL);
	KT_EXPECT_EQ(t, deadline_after_ms(10), 0);
	KT_EXPECT(t, !deadline_passed(1));
out:
	deadline_timer_register(cur ? &saved : NULL);
	env_close(t, &e);
}

/*
 * The timer's interrupt can be taken at STGI behind an exit of another
 * kind, which the loop then resumes: such an exit must end the run once
 * the deadline has passed, and re-arm a timer that fired before it, or a
 * guest answered in the loop (here an unknown hypercall) runs forever.
 */
static void svm_exit_resumed_exits_keep_deadline(struct kt *t)
{
	static const u8 vmmcall[] = { 0x0f, 0x01, 0xd9 };
	const struct deadline_timer *cur = deadline_timer();
	struct deadline_timer saved = cur ? *cur : (struct deadline_timer){ 0 };
	struct vmm_exit x;
	struct svm_npf npf;
	struct svm_env e;
	u64 far;

	if (!env_open(t, &e))
		goto out;
	deadline_timer_register(&fake_timer);
	far = deadline_after_ms(1ULL << 40);
	e.v->run_deadline = far;
	/* The timer fired at STGI after a VMMCALL exit: armed again. */
	fake_armed = 0;
	deadline_timer_fired();
	e.v->vmcb->save.rax = 5;
	set_exit(&e, SVM_EXIT_VMMCALL, 0, 0, vmmcall, sizeof(vmmcall));
	KT_EXPECT_EQ(t, svm_handle_exit(e.v, &x, &npf), SVM_RESUME);
	KT_EXPECT_EQ(t, fake_armed, far);
	/* Past the deadline, the same exit ends the run, its work done. */
	e.v->run_deadline = 1;
	e.v->vmcb->save.rax = 5;
	set_exit(&e, SVM_EXIT_VMMCALL, 0, 0, vmmcall, sizeof(vmmcall));
	KT_EXPECT_ERRNO(t, svm_handle_exit(e.v, &x, &npf), EINTR);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_INTR);
	KT_EXPECT_EQ(t, x.other.code, SVM_EXIT_VMMCALL);
	KT_EXPECT_EQ(t, e.v->vmcb->save.rax, -(u64)SVM_KVM_ENOSYS);
	KT_EXPECT_EQ(t, e.v->vmcb->save.rip, CODE_GVA + 6);
	/* An NMI exit likewise. */
	set_exit(&e, SVM_EXIT_NMI, 0, 0, NULL, 0);
	KT_EXPECT_ERRNO(t, svm_handle_exit(e.v, &x, &npf), EINTR);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_INTR);
	/* Exits for the case are not held back by the deadline. */
	set_exit(&e, SVM_EXIT_SHUTDOWN, 0, 0, NULL, 0);
	KT_EXPECT_EQ(t, svm_handle_exit(e.v, &x, &npf), SVM_TO_CASE);
	KT_EXPECT_EQ(t, x.reason, GMV_EXIT_SHUTDOWN);
out:
	deadline_timer_register(cur ? &saved : NULL);
	env_close(t, &e);
}

/* Without SVM (the host build) the native backend says why and refuses
 * vCPUs cleanly. */
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

static const struct kt_case svm_cases[] = {
	KT_CASE(svm_vmcb_follows_guest_contract),
	KT_CASE(svm_regs_round_trip),
	KT_CASE(svm_exit_port_io),
	KT_CASE(svm_exit_completion_respects_moved_rip),
	KT_CASE(svm_exit_hypercalls),
	KT_CASE(svm_exit_ud_names_cc_instructions),
	KT_CASE(svm_exit_other_codes),
	KT_CASE(svm_exit_npf_and_mmio),
	KT_CASE(svm_exit_intr_ends_run_at_deadline),
	KT_CASE(svm_exit_resumed_exits_keep_deadline),
	KT_CASE(svm_flush_once_per_operation),
	KT_CASE(svm_asids_wrap_with_full_flush),
	KT_CASE(svm_flush_without_flush_by_asid),
	KT_CASE(svm_dump_names_exit_and_registers),
	KT_CASE_IF(svm_absent_vcpus_refused, svm_present),
};

const struct kt_suite svm_suite = KT_SUITE("svm", svm_cases);
