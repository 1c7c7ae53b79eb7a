// SPDX-License-Identifier: MIT
/*
 * tests/host/snp_exit_test.c - an SEV-SNP guest on the RMP model
 * (cc_snp_model, hv/snp/snp_guest.c) driven end to end through the exit
 * policy (hv/vcpu_exit.c), vcpu_run() and the VM's fault path on the
 * scripted backend (tests/host/exit_env.h): the C-bit alias of private
 * faults and zaps, the RMP access check (#VC 0x404), PVALIDATE and
 * RMPADJUST emulated at #UD, the SNP MSRs, VMGEXIT's MSR and GHCB page
 * protocols with the page-state changes the case answers, termination,
 * and vmm_ops.launch_update. The guest's instruction bytes and page
 * tables are real: its private mapping (ENV_PRIVATE_VA) carries the
 * C-bit, as an SNP guest maps its private memory. Host only: the
 * scripted backend is.
 */
#include "hv/alloc.h"
#include "hv/cc.h"
#include "hv/kvm_abi.h"
#include "hv/snp/ghcb.h"
#include "hv/snp/snp.h"
#include "hv/vm.h"
#include "hv/x86/vectors.h"
#include "lib/errno.h"
#include "lib/mem.h"
#include "tests/host/exit_env.h"
#include "tests/suites.h"

#define C_BIT BIT(SNP_MODEL_C_BIT)

#define MSR_SEV_STATUS 0xc0010131u
#define X86_RFLAGS_CF BIT(0)
#define VC_PAGE_NOT_VALIDATED 0x404
/* The SEV information at RESET and for request 0x002: protocol 2..1,
 * C-bit 47, response 0x001 (GHCB spec "GHCB MSR Protocol"). */
#define SEV_INFO 0x000200012f000001ULL

/* Offsets of the instructions in code[]. */
enum {
	AT_PVALIDATE = 0x00,
	AT_RMPADJUST = 0x04,
	AT_RDMSR = 0x08,
	AT_WRMSR = 0x0a,
	AT_VMGEXIT = 0x0c,
	AT_NOP = 0x10,
};

static const u8 code[] = {
	0xf2, 0x0f, 0x01, 0xff, /* 0x00 pvalidate */
	0xf3, 0x0f, 0x01, 0xfe, /* 0x04 rmpadjust */
	0x0f, 0x32, /* 0x08 rdmsr */
	0x0f, 0x30, /* 0x0a wrmsr */
	0xf3, 0x0f, 0x01, 0xd9, /* 0x0c vmgexit */
	0x90, /* 0x10 nop */
};

/* A private access as the model's guest makes it: the C-bit in the GPA. */
static struct step *private_fault(struct env *e, u64 gpa)
{
	return env_push(e, env_fault(gpa | C_BIT, false));
}

static struct step *rdmsr_exit(struct env *e, u32 index)
{
	struct step *s = env_at(
		e, (struct arch_exit){.kind = ARCH_EXIT_MSR, .code = 0x7c},
		AT_RDMSR);

	/* Garbage above: RDMSR writes EAX and EDX zero-extended. */
	env_set(s, ARCH_REG_RAX, 0xdeadbeef00000000ULL);
	env_set(s, ARCH_REG_RDX, 0xdeadbeef00000000ULL);
	env_set(s, ARCH_REG_RCX, index);
	return s;
}

static struct step *wrmsr_exit(struct env *e, u32 index, u64 val)
{
	struct step *s = env_at(e,
				(struct arch_exit){.kind = ARCH_EXIT_MSR,
						   .code = 0x7c,
						   .msr = {.write = true}},
				AT_WRMSR);

	/* WRMSR takes EDX:EAX; the upper halves are not the value. */
	env_set(s, ARCH_REG_RAX, 0xffffffff00000000ULL | (u32)val);
	env_set(s, ARCH_REG_RDX, 0xffffffff00000000ULL | (val >> 32));
	env_set(s, ARCH_REG_RCX, index);
	return s;
}

/* VMGEXIT, reported as QEMU reports it: a VMMCALL exit. */
static struct step *vmgexit(struct env *e)
{
	return env_at(
		e,
		(struct arch_exit){.kind = ARCH_EXIT_HYPERCALL, .code = 0x81},
		AT_VMGEXIT);
}

/* PVALIDATE (RAX va, RCX size, RDX validate) trapped as #UD. */
static struct step *pvalidate(struct env *e, u64 va, bool size_2m,
			      bool validate)
{
	struct step *s = env_at(e, env_ud(), AT_PVALIDATE);

	env_set(s, ARCH_REG_RAX, va);
	env_set(s, ARCH_REG_RCX, size_2m);
	env_set(s, ARCH_REG_RDX, validate);
	return s;
}

/* RMPADJUST (RAX va, RCX size, RDX attributes) trapped as #UD. */
static struct step *rmpadjust(struct env *e, u64 va, bool size_2m, u64 attrs)
{
	struct step *s = env_at(e, env_ud(), AT_RMPADJUST);

	env_set(s, ARCH_REG_RAX, va);
	env_set(s, ARCH_REG_RCX, size_2m);
	env_set(s, ARCH_REG_RDX, attrs);
	return s;
}

static bool snp_gone(void)
{
	return snp_rmp() == NULL;
}

/* VMs on the RMP model, which goes with the last of them. */
static const struct env_model snp = {
	.type = GMV_VM_SNP,
	.name = "snp_model",
	.code = code,
	.len = sizeof(code),
	.gone = snp_gone,
};

/* A case on such a VM; a vCPU when vcpu. */
#define SNP_CASE(name, vcpu) ENV_CASE(name, &snp, vcpu)

static struct rmp_info rmp_at(struct env *e, u64 gpa)
{
	struct rmp_info i = {0};
	phys_addr_t pa = env_private_pa(e, gpa);

	if (pa)
		rmpread(snp_rmp(), pa, &i);
	return i;
}

/* Validate the whole 2 MiB of gmem (one 2 MiB RMP entry) at 2 MiB. */
static bool validate_2m(struct kt *t, struct env *e)
{
	pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA), true, true);
	return env_run_to_hlt(t, e, ENV_CODE_GPA + AT_PVALIDATE + 4) &&
	       KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 0);
}

/*
 * The C-bit alias (hv/cc.h alias_bit): a nested fault at gpa | C-bit
 * is a private access at gpa, its page mapped at the alias only; a shared
 * fault maps at gpa only; a private fault where no private memory can be
 * is the case's memory fault at the GPA without the bit. Making the range
 * shared zaps both, the alias only for private translations.
 */
SNP_CASE(snp_exit_private_alias_faults_and_zaps, true)
{
	const struct arch_vm *avm = vm_arch_vm(e->obj);
	struct arch_xlate x;
	phys_addr_t pa;
	u64 zaps;

	if (!KT_EXPECT_OK(t, env_set_private(e, ENV_GMEM_GPA, SZ_2M, true)))
		return;
	/* Validating drops no translation: nothing zapped. */
	zaps = arch_script_vm_stats(avm)->zaps;
	if (!validate_2m(t, e))
		return;
	KT_EXPECT_EQ(t, arch_script_vm_stats(avm)->zaps, zaps);
	pa = env_private_pa(e, ENV_GMEM_GPA);
	private_fault(e, ENV_GMEM_GPA + 0x5008);
	env_push(e, env_fault(ENV_PLAIN_GPA + 0x3010, true));
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_PVALIDATE + 5))
		return;
	KT_EXPECT_EQ(t, env_stats(e)->injects, 0);
	if (KT_EXPECT_OK(t, env_npt_at(e, ENV_GMEM_GPA | C_BIT, &x))) {
		KT_EXPECT_EQ(t, x.order, 9);
		KT_EXPECT_EQ(t, x.hpa, pa);
	}
	KT_EXPECT_ERRNO(t, env_npt_at(e, ENV_GMEM_GPA + 0x5000, &x), ENOENT);
	/* vm_lookup_gpa() finds the private page by its GPA. */
	if (KT_EXPECT_OK(t, vm_lookup_gpa(e->obj, ENV_GMEM_GPA + 0x5000, &x)))
		KT_EXPECT_EQ(t, x.hpa, pa + 0x5000);
	/* The shared page at its GPA, not at the alias. */
	if (KT_EXPECT_OK(t, env_npt_at(e, ENV_PLAIN_GPA + 0x3000, &x)))
		KT_EXPECT_EQ(t, x.order, 0);
	KT_EXPECT_ERRNO(t, env_npt_at(e, (ENV_PLAIN_GPA + 0x3000) | C_BIT, &x),
			ENOENT);

	/* Private where the slot has no gmem: the memory fault names the
	 * GPA without the C-bit, private. */
	private_fault(e, ENV_PLAIN_GPA + 0x3010);
	KT_EXPECT_ERRNO(t, env_run(e), EFAULT);
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MEMORY_FAULT);
	KT_EXPECT_EQ(t, e->x.memory_fault.gpa, ENV_PLAIN_GPA + 0x3000);
	KT_EXPECT_EQ(t, e->x.memory_fault.flags, GMV_MEMORY_EXIT_FLAG_PRIVATE);

	/* To private: one zap (shared translations at the GPA). */
	zaps = arch_script_vm_stats(avm)->zaps;
	KT_EXPECT_OK(t, env_set_private(e, ENV_PLAIN_GPA, SZ_2M, true));
	KT_EXPECT_EQ(t, arch_script_vm_stats(avm)->zaps, zaps + 1);
	/* To shared: the GPA and its alias, private filter; the mapping
	 * at the alias is gone. */
	zaps = arch_script_vm_stats(avm)->zaps;
	KT_EXPECT_OK(t, env_set_private(e, ENV_GMEM_GPA, SZ_2M, false));
	KT_EXPECT_EQ(t, arch_script_vm_stats(avm)->zaps, zaps + 2);
	KT_EXPECT_EQ(t, arch_script_vm_stats(avm)->last_filter,
		     ARCH_ZAP_PRIVATE);
	KT_EXPECT_ERRNO(t, env_npt_at(e, ENV_GMEM_GPA | C_BIT, &x), ENOENT);
	KT_EXPECT_ERRNO(t, vm_lookup_gpa(e->obj, ENV_GMEM_GPA + 0x5000, &x),
			ENOENT);
	/* Now a shared access there maps the slot's own page at the GPA. */
	env_push(e, env_fault(ENV_GMEM_GPA + 0x5008, false));
	if (env_run_to_hlt(t, e, ENV_CODE_GPA + 6))
		KT_EXPECT_OK(t, env_npt_at(e, ENV_GMEM_GPA + 0x5000, &x));
}

/*
 * The RMP access check before a private page is mapped (APM vol. 2
 * Table 15-39): not validated, #VC 0x404 is injected and nothing mapped
 * (the guest resumes at the same RIP); validated, mapped no larger than
 * the RMP entry (Table 15-40).
 */
SNP_CASE(snp_exit_access_check, true)
{
	struct arch_xlate x;
	struct rmp_info i;
	unsigned int order;

	if (!KT_EXPECT_OK(t, env_set_private(e, ENV_GMEM_GPA, SZ_2M, true)))
		return;
	env_put(e, ARCH_REG_RIP, ENV_CODE_GPA + AT_NOP);
	private_fault(e, ENV_GMEM_GPA + 0x3010);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_NOP))
		return;
	KT_EXPECT_EQ(t, env_stats(e)->injects, 1);
	KT_EXPECT_EQ(t, env_stats(e)->last_vector, X86_VEC_VC);
	KT_EXPECT_EQ(t, env_stats(e)->last_error_code, VC_PAGE_NOT_VALIDATED);
	KT_EXPECT_ERRNO(t, env_npt_at(e, ENV_GMEM_GPA | C_BIT, &x), ENOENT);
	KT_EXPECT_ERRNO(t, vm_lookup_gpa(e->obj, ENV_GMEM_GPA + 0x3000, &x),
			ENOENT);
	/* The fault prepared it: one 2 MiB entry of the VM's, at ENV_GMEM_GPA.
	 */
	i = rmp_at(e, ENV_GMEM_GPA);
	KT_EXPECT(t, i.assigned && i.size_2m && !i.validated);
	KT_EXPECT_EQ(t, i.asid, snp_vm_asid(e->obj));
	KT_EXPECT_EQ(t, i.gpa, ENV_GMEM_GPA);

	/* A 4 KiB PVALIDATE: SIZEM, PSMASH, retried, validated. */
	pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA + 0x3000), false, true);
	pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA + 0x3000), false, true);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_PVALIDATE + 4))
		return;
	private_fault(e, ENV_GMEM_GPA + 0x3010);
	private_fault(e, ENV_GMEM_GPA + 0x4010);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_PVALIDATE + 5))
		return;
	if (KT_EXPECT_OK(t, env_npt_at(e, (ENV_GMEM_GPA + 0x3000) | C_BIT, &x)))
		KT_EXPECT_EQ(t, x.order, 0);
	/* The neighbour, on its own 4 KiB entry now, is not validated. */
	KT_EXPECT_ERRNO(t, env_npt_at(e, (ENV_GMEM_GPA + 0x4000) | C_BIT, &x),
			ENOENT);
	KT_EXPECT_EQ(t, env_stats(e)->injects, 2);
	KT_EXPECT_EQ(t, env_stats(e)->last_error_code, VC_PAGE_NOT_VALIDATED);

	/* The hook itself clamps what the fault path allowed: a 4 KiB
	 * entry to order 0, and an unvalidated page injects, whatever the
	 * order asked. */
	order = 9;
	KT_EXPECT_OK(t, env_access(e, ENV_GMEM_GPA + 0x3000, &order));
	KT_EXPECT_EQ(t, order, 0);
	order = 9;
	KT_EXPECT_EQ(t, env_access(e, ENV_GMEM_GPA + 0x4000, &order),
		     CC_ACCESS_INJECTED);
	KT_EXPECT_EQ(t, e->direct.injects, 1);
	KT_EXPECT_EQ(t, e->direct.vector, X86_VEC_VC);
	KT_EXPECT_EQ(t, e->direct.error_code, VC_PAGE_NOT_VALIDATED);
}

/*
 * An RMP entry that is not the VM's at the GPA (the hooks' bug: prepare
 * assigns every private page): at another GPA, of another ASID, or
 * hypervisor-owned, the run ends as an internal error at the fault,
 * nothing mapped. (An immutable entry is not planted: the host's
 * RMPUPDATE cannot undo it, and the page could not be freed.)
 */
SNP_CASE(snp_exit_access_rmp_fault_is_internal_error, true)
{
	u32 asid = snp_vm_asid(e->obj);
	const struct rmp_state bad[] = {
		{.assigned = true, .asid = asid, .gpa = ENV_GMEM_GPA + 0x9000},
		{.assigned = true,
		 .asid = asid + 1,
		 .gpa = ENV_GMEM_GPA + 0x8000},
		{.assigned = false},
	};
	struct rmp_state ok = {
		.assigned = true, .asid = asid, .gpa = ENV_GMEM_GPA + 0x8000};
	struct arch_xlate x;
	phys_addr_t pa;

	if (!KT_EXPECT_OK(t, env_set_private(e, ENV_GMEM_GPA, SZ_2M, true)))
		return;
	/* PSMASHed by a 4 KiB PVALIDATE (SIZEM, then SUCCESS). */
	pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA + 0x8000), false, true);
	pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA + 0x8000), false, true);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + 4))
		return;
	pa = env_private_pa(e, ENV_GMEM_GPA + 0x8000);
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		if (!KT_EXPECT_EQ(t, rmpupdate(snp_rmp(), pa, &bad[k]),
				  RMP_SUCCESS))
			return;
		private_fault(e, ENV_GMEM_GPA + 0x8000);
		if (KT_EXPECT_OK(t, env_run(e))) {
			KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
			KT_EXPECT_EQ(t, e->x.other.code, 0x400);
		}
		KT_EXPECT_ERRNO(
			t, env_npt_at(e, (ENV_GMEM_GPA + 0x8000) | C_BIT, &x),
			ENOENT);
	}
	KT_EXPECT_EQ(t, env_stats(e)->injects, 0);
	KT_EXPECT_EQ(t, rmpupdate(snp_rmp(), pa, &ok), RMP_SUCCESS);
}

/* A 2 MiB entry clamps a larger order to 9 and leaves smaller ones;
 * an entry at another GPA than the access is the hooks' bug, an error. */
SNP_CASE(snp_exit_access_clamps_to_2m_entry, true)
{
	unsigned int order;

	if (!KT_EXPECT_OK(t, env_set_private(e, ENV_GMEM_GPA, SZ_2M, true)) ||
	    !validate_2m(t, e))
		return;
	order = 18;
	KT_EXPECT_OK(t, env_access(e, ENV_GMEM_GPA + 0x7000, &order));
	KT_EXPECT_EQ(t, order, 9);
	order = 0;
	KT_EXPECT_OK(t, env_access(e, ENV_GMEM_GPA + 0x7000, &order));
	KT_EXPECT_EQ(t, order, 0);
	order = 9;
	KT_EXPECT_ERRNO(t,
			env_access_at(e, ENV_GMEM_GPA + 0x8000,
				      env_private_pa(e, ENV_GMEM_GPA + 0x7000),
				      &order),
			EIO);
}

/*
 * PVALIDATE at #UD (APM vol. 3): RAX the return code, CF = 1 only when
 * nothing changed, RIP past the 4 bytes; a 4 KiB operand on a 2 MiB entry
 * is PSMASHed and retried (RIP stays); a rescind drops the translation.
 */
SNP_CASE(snp_exit_pvalidate_results, true)
{
	struct arch_xlate x;
	struct rmp_info i;
	struct step *s;

	if (!KT_EXPECT_OK(t, env_set_private(e, ENV_GMEM_GPA, SZ_2M, true)))
		return;
	/* SUCCESS clears a CF the guest had set. */
	env_set(pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA), true, true),
		ARCH_REG_RFLAGS, 0x3003);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + 4))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 0);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RFLAGS), 0x3002);
	i = rmp_at(e, ENV_GMEM_GPA + 0x1000);
	KT_EXPECT(t, i.assigned && i.size_2m && i.validated);
	/* Again: NO_UPDATE is RAX 0 with CF 1. */
	pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA), true, true);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + 4))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 0);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RFLAGS), 0x3003);
	/* A 2 MiB operand off a 2 MiB boundary: FAIL_INPUT, CF 0. */
	pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA + 0x1000), true, false);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + 4))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 1);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RFLAGS), 0x3002);

	/* Map a page, then rescind a 4 KiB page of the 2 MiB entry: SIZEM,
	 * so the entry is PSMASHed, the 2 MiB translation dropped and the
	 * instruction retried with RAX as it was. */
	private_fault(e, ENV_GMEM_GPA + 0x2000);
	s = pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA + 0x2000), false, false);
	env_set(s, ARCH_REG_RFLAGS, 0x3002);
	env_push(e, (struct arch_exit){.kind = ARCH_EXIT_HLT, .code = 0x78});
	if (!KT_EXPECT_OK(t, env_run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HLT))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RIP), ENV_CODE_GPA + 1);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX),
		     ENV_PRIVATE_VA(ENV_GMEM_GPA + 0x2000));
	KT_EXPECT_ERRNO(t, env_npt_at(e, ENV_GMEM_GPA | C_BIT, &x), ENOENT);
	i = rmp_at(e, ENV_GMEM_GPA + 0x2000);
	KT_EXPECT(t, i.assigned && !i.size_2m && i.validated);
	KT_EXPECT_EQ(t, i.gpa, ENV_GMEM_GPA + 0x2000);
	/* Mapped again at 4 KiB, then the retried rescind: SUCCESS, the
	 * translation gone, the next access #VC. */
	private_fault(e, ENV_GMEM_GPA + 0x2000);
	private_fault(e, ENV_GMEM_GPA + 0x5000);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + 1) ||
	    !KT_EXPECT_OK(t,
			  env_npt_at(e, (ENV_GMEM_GPA + 0x2000) | C_BIT, &x)) ||
	    !KT_EXPECT_OK(t,
			  env_npt_at(e, (ENV_GMEM_GPA + 0x5000) | C_BIT, &x)))
		return;
	KT_EXPECT_EQ(t, x.order, 0);
	/* RDX[0] clear is a rescind whatever the other bits. */
	env_set(pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA + 0x2000), false,
			  false),
		ARCH_REG_RDX, ~1ULL);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + 4))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 0);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RFLAGS), 0x3002);
	KT_EXPECT_ERRNO(t, env_npt_at(e, (ENV_GMEM_GPA + 0x2000) | C_BIT, &x),
			ENOENT);
	/* Only the page rescinded: its neighbour keeps its translation. */
	KT_EXPECT_OK(t, env_npt_at(e, (ENV_GMEM_GPA + 0x5000) | C_BIT, &x));
	KT_EXPECT(t, !rmp_at(e, ENV_GMEM_GPA + 0x2000).validated);
	private_fault(e, ENV_GMEM_GPA + 0x2000);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + 5))
		return;
	KT_EXPECT_EQ(t, env_stats(e)->injects, 1);
	KT_EXPECT_EQ(t, env_stats(e)->last_error_code, VC_PAGE_NOT_VALIDATED);

	/* A 2 MiB operand on 4 KiB entries: FAIL_SIZEMISMATCH. */
	pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA), true, true);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + 4))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 6);
	/* The operand's identity mapping (no C-bit) names the same page. */
	pvalidate(e, ENV_GMEM_GPA + 0x2000, false, true);
	if (env_run_to_hlt(t, e, ENV_CODE_GPA + 4))
		KT_EXPECT(t, rmp_at(e, ENV_GMEM_GPA + 0x2000).validated);
}

/*
 * PVALIDATE whose operand cannot be reached: a VA the guest does not map
 * is an internal error; a GPA whose page is shared now is KVM's
 * memory-fault exit (-EFAULT), RIP left on the instruction.
 */
SNP_CASE(snp_exit_pvalidate_operand_faults, true)
{
	pvalidate(e, 3ULL << 30, false, true);
	if (KT_EXPECT_OK(t, env_run(e))) {
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
		KT_EXPECT_EQ(t, e->x.other.code, 0x46);
		KT_EXPECT_EQ(t, e->x.other.rip, ENV_CODE_GPA);
	}
	pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA + 0x6000), false, true);
	KT_EXPECT_ERRNO(t, env_run(e), EFAULT);
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MEMORY_FAULT);
	KT_EXPECT_EQ(t, e->x.memory_fault.gpa, ENV_GMEM_GPA + 0x6000);
	KT_EXPECT_EQ(t, e->x.memory_fault.size, PAGE_SIZE);
	KT_EXPECT_EQ(t, e->x.memory_fault.flags, GMV_MEMORY_EXIT_FLAG_PRIVATE);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RIP), ENV_CODE_GPA);
	/* The case converts; the guest retries and succeeds (after the
	 * SIZEM retry: the fault prepared the 2 MiB block as one entry). */
	if (!KT_EXPECT_OK(t, env_set_private(e, ENV_GMEM_GPA + 0x6000,
					     PAGE_SIZE, true)))
		return;
	pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA + 0x6000), false, true);
	pvalidate(e, ENV_PRIVATE_VA(ENV_GMEM_GPA + 0x6000), false, true);
	if (env_run_to_hlt(t, e, ENV_CODE_GPA + 4))
		KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 0);
}

/*
 * RMPADJUST at #UD (APM vol. 3): RAX the return code, RIP past it; the
 * permission mask and VMSA bit land in the RMP entry. On a page not
 * validated the model's #VC 0x404 reaches the guest.
 */
SNP_CASE(snp_exit_rmpadjust_results, true)
{
	static const struct {
		u64 attrs;
		u64 rax;
	} bad[] = {
		{0x1f00 | 0, 2}, /* target VMPL 0: FAIL_PERMISSION */
		{0x1f00 | 4, 1}, /* no VMPL 4: FAIL_INPUT */
		{0x2000 | 1, 1}, /* reserved permission bit: FAIL_INPUT */
	};
	struct rmp_info i;

	if (!KT_EXPECT_OK(t, env_set_private(e, ENV_GMEM_GPA, SZ_2M, true)))
		return;
	/* Not validated yet: #VC, RIP stays. */
	rmpadjust(e, ENV_PRIVATE_VA(ENV_GMEM_GPA), true, 0x1f01);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_RMPADJUST))
		return;
	KT_EXPECT_EQ(t, env_stats(e)->injects, 1);
	KT_EXPECT_EQ(t, env_stats(e)->last_vector, X86_VEC_VC);
	KT_EXPECT_EQ(t, env_stats(e)->last_error_code, VC_PAGE_NOT_VALIDATED);
	if (!validate_2m(t, e))
		return;
	rmpadjust(e, ENV_PRIVATE_VA(ENV_GMEM_GPA), true, BIT(16) | 0x0302);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_RMPADJUST + 4))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 0);
	i = rmp_at(e, ENV_GMEM_GPA);
	/* perms[] by VMPL: VMPL0 holds all, VMPL1 untouched. */
	KT_EXPECT_EQ(t, i.perms[2], 0x03);
	KT_EXPECT_EQ(t, i.perms[1], 0);
	KT_EXPECT(t, i.vmsa);
	/* Without bit 16 the VMSA bit is cleared again. */
	rmpadjust(e, ENV_PRIVATE_VA(ENV_GMEM_GPA), true, 0x0302);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_RMPADJUST + 4))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 0);
	KT_EXPECT(t, !rmp_at(e, ENV_GMEM_GPA).vmsa);
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		rmpadjust(e, ENV_PRIVATE_VA(ENV_GMEM_GPA), true, bad[k].attrs);
		if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_RMPADJUST + 4))
			return;
		KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), bad[k].rax);
	}
	KT_EXPECT_EQ(t, rmp_at(e, ENV_GMEM_GPA).perms[2], 0x03);
	/* 4 KiB on the 2 MiB entry: SIZEM, PSMASH, retried: SUCCESS. */
	rmpadjust(e, ENV_PRIVATE_VA(ENV_GMEM_GPA + 0x1000), false, 0x0101);
	rmpadjust(e, ENV_PRIVATE_VA(ENV_GMEM_GPA + 0x1000), false, 0x0101);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_RMPADJUST + 4))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 0);
	i = rmp_at(e, ENV_GMEM_GPA + 0x1000);
	KT_EXPECT(t, !i.size_2m);
	KT_EXPECT_EQ(t, i.perms[1], 0x01);
	/* 2 MiB on 4 KiB entries: FAIL_SIZEMISMATCH. */
	rmpadjust(e, ENV_PRIVATE_VA(ENV_GMEM_GPA), true, 0x0101);
	if (env_run_to_hlt(t, e, ENV_CODE_GPA + AT_RMPADJUST + 4))
		KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 6);
	KT_EXPECT_EQ(t, env_stats(e)->injects, 1);
}

/*
 * SEV_STATUS reads SEV, SEV-ES and SNP (7) and is read-only (#GP(0)); the
 * GHCB MSR holds what the guest wrote (the SEV information at RESET);
 * other MSRs end the run as not emulated.
 */
SNP_CASE(snp_exit_msrs, true)
{
	rdmsr_exit(e, MSR_SEV_STATUS);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_RDMSR + 2))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 7);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RDX), 0);
	rdmsr_exit(e, MSR_AMD64_SEV_ES_GHCB);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_RDMSR + 2))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), (u32)SEV_INFO);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RDX), SEV_INFO >> 32);
	/* Writing SEV_STATUS: #GP(0), nothing stepped, nothing changed. */
	wrmsr_exit(e, MSR_SEV_STATUS, 0);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_WRMSR))
		return;
	KT_EXPECT_EQ(t, env_stats(e)->injects, 1);
	KT_EXPECT_EQ(t, env_stats(e)->last_vector, X86_VEC_GP);
	KT_EXPECT_EQ(t, env_stats(e)->last_error_code, 0);
	rdmsr_exit(e, MSR_SEV_STATUS);
	if (env_run_to_hlt(t, e, ENV_CODE_GPA + AT_RDMSR + 2))
		KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 7);
	/* The GHCB MSR round trip. */
	wrmsr_exit(e, MSR_AMD64_SEV_ES_GHCB, 0x123456789abcd000ULL);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_WRMSR + 2))
		return;
	rdmsr_exit(e, MSR_AMD64_SEV_ES_GHCB);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_RDMSR + 2))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), 0x9abcd000);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RDX), 0x12345678);
	KT_EXPECT_EQ(t, env_stats(e)->injects, 1);
	/* Any other MSR: an internal error at the instruction. */
	rdmsr_exit(e, 0x10);
	if (KT_EXPECT_OK(t, env_run(e))) {
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
		KT_EXPECT_EQ(t, e->x.other.code, 0x7c);
		KT_EXPECT_EQ(t, e->x.other.rip, ENV_CODE_GPA + AT_RDMSR);
	}
	wrmsr_exit(e, MSR_SEV_STATUS + 1, 0);
	if (KT_EXPECT_OK(t, env_run(e)))
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
}

/* The GHCB MSR after a run to HLT. */
static u64 ghcb_msr(struct kt *t, struct env *e)
{
	rdmsr_exit(e, MSR_AMD64_SEV_ES_GHCB);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_RDMSR + 2))
		return ~0ULL;
	return (env_get(e, ARCH_REG_RDX) << 32) | (u32)env_get(e, ARCH_REG_RAX);
}

/* The guest's MSR-protocol request: WRMSR GHCB, then VMGEXIT. */
static void msr_request(struct env *e, u64 val)
{
	wrmsr_exit(e, MSR_AMD64_SEV_ES_GHCB, val);
	vmgexit(e);
}

/*
 * VMGEXIT with the MSR protocol (GHCB spec "GHCB MSR Protocol"): SEV
 * information, CPUID and features answered in place, RIP past the 4
 * bytes; a page-state change is KVM's KVM_HC_MAP_GPA_RANGE exit whose
 * answer the next run writes as 0x015 (or KVM's error value) before it
 * steps; a case that moved RIP gets nothing completed; termination is
 * KVM's SEV_TERM system event.
 */
SNP_CASE(snp_exit_vmgexit_msr_protocol, true)
{
	u64 psc = ENV_GMEM_GPA | (1ULL << 52) | GHCB_MSR_PSC_REQ;

	msr_request(e, GHCB_MSR_SEV_INFO_REQ);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_VMGEXIT + 4))
		return;
	KT_EXPECT_EQ(t, ghcb_msr(t, e), SEV_INFO);
	/* CPUID Fn8000_001F EBX (register 1): the C-bit. */
	msr_request(e,
		    (0x8000001fULL << 32) | (1ULL << 30) | GHCB_MSR_CPUID_REQ);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_VMGEXIT + 4))
		return;
	KT_EXPECT_EQ(t, ghcb_msr(t, e), (47ULL << 32) | (1ULL << 30) | 0x005);
	msr_request(e, GHCB_MSR_HV_FT_REQ);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_VMGEXIT + 4))
		return;
	KT_EXPECT_EQ(t, ghcb_msr(t, e), (GHCB_HV_FT_SNP << 12) | 0x081);

	/* Page state change to private: the exit, RIP on the VMGEXIT. */
	msr_request(e, psc);
	if (!KT_EXPECT_OK(t, env_run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HYPERCALL))
		return;
	KT_EXPECT_EQ(t, e->x.hypercall.nr, GMV_HC_MAP_GPA_RANGE);
	KT_EXPECT_EQ(t, e->x.hypercall.args[0], ENV_GMEM_GPA);
	KT_EXPECT_EQ(t, e->x.hypercall.args[1], 1);
	KT_EXPECT_EQ(t, e->x.hypercall.args[2],
		     GMV_MAP_GPA_RANGE_ENCRYPTED |
			     GMV_MAP_GPA_RANGE_PAGE_SZ_4K);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RIP), ENV_CODE_GPA + AT_VMGEXIT);
	e->x.hypercall.ret = 0;
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_VMGEXIT + 4))
		return;
	KT_EXPECT_EQ(t, ghcb_msr(t, e), GHCB_MSR_PSC_RESP);
	/* To shared, and the VMM fails it: KVM's error value. */
	msr_request(e,
		    (ENV_GMEM_GPA + 0x3000) | (2ULL << 52) | GHCB_MSR_PSC_REQ);
	if (!KT_EXPECT_OK(t, env_run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HYPERCALL))
		return;
	KT_EXPECT_EQ(t, e->x.hypercall.args[0], ENV_GMEM_GPA + 0x3000);
	KT_EXPECT_EQ(t, e->x.hypercall.args[2],
		     GMV_MAP_GPA_RANGE_DECRYPTED |
			     GMV_MAP_GPA_RANGE_PAGE_SZ_4K);
	e->x.hypercall.ret = -(u64)GMV_KVM_EINVAL;
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_VMGEXIT + 4))
		return;
	KT_EXPECT_EQ(t, ghcb_msr(t, e), GHCB_MSR_PSC_RESP_ERROR);
	/* The case moves RIP: nothing completed, the MSR as the guest left
	 * it; the abandoned request does not block the next VMGEXIT. */
	msr_request(e, psc);
	if (!KT_EXPECT_OK(t, env_run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HYPERCALL))
		return;
	env_put(e, ARCH_REG_RIP, ENV_CODE_GPA + AT_NOP);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_NOP))
		return;
	KT_EXPECT_EQ(t, ghcb_msr(t, e), psc);
	msr_request(e, GHCB_MSR_SEV_INFO_REQ);
	if (env_run_to_hlt(t, e, ENV_CODE_GPA + AT_VMGEXIT + 4))
		KT_EXPECT_EQ(t, ghcb_msr(t, e), SEV_INFO);
	/* An unknown request: resumed, the MSR kept as written. */
	msr_request(e, 0x006);
	if (env_run_to_hlt(t, e, ENV_CODE_GPA + AT_VMGEXIT + 4))
		KT_EXPECT_EQ(t, ghcb_msr(t, e), 0x006);

	/* Termination: reason set 1, code 2; RIP stays. */
	msr_request(e, (2ULL << 16) | (1ULL << 12) | GHCB_MSR_TERM_REQ);
	if (!KT_EXPECT_OK(t, env_run(e)))
		return;
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_SYSTEM_EVENT);
	KT_EXPECT_EQ(t, e->x.system_event.type, GMV_SYSTEM_EVENT_SEV_TERM);
	KT_EXPECT_EQ(t, e->x.system_event.data, 0x21100);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RIP), ENV_CODE_GPA + AT_VMGEXIT);
	/* Nothing is owed: run again, the guest asks again. */
	vmgexit(e);
	if (KT_EXPECT_OK(t, env_run(e)))
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_SYSTEM_EVENT);
}

/* Fill the GHCB page at ENV_PLAIN_GPA with a request: exit code, scratch,
 * the valid bits of SW_EXITCODE..SW_SCRATCH. */
static bool ghcb_request(struct kt *t, struct env *e, u64 exit_code,
			 u64 scratch)
{
	u8 valid[16] = {0};

	for (unsigned int off = GHCB_OFF_SW_EXITCODE;
	     off <= GHCB_OFF_SW_SCRATCH; off += 8)
		valid[GHCB_VALID_BIT(off) / 8] |= 1
						  << (GHCB_VALID_BIT(off) % 8);
	return KT_EXPECT_OK(t, env_wr64(e, ENV_PLAIN_GPA + GHCB_OFF_SW_EXITCODE,
					exit_code)) &&
	       KT_EXPECT_OK(
		       t,
		       env_wr64(e, ENV_PLAIN_GPA + GHCB_OFF_SW_EXITINFO1, 0)) &&
	       KT_EXPECT_OK(
		       t,
		       env_wr64(e, ENV_PLAIN_GPA + GHCB_OFF_SW_EXITINFO2, 0)) &&
	       KT_EXPECT_OK(t, env_wr64(e, ENV_PLAIN_GPA + GHCB_OFF_SW_SCRATCH,
					scratch)) &&
	       KT_EXPECT_OK(t, e->v.ops->guest_write(
				       &e->v, e->vm,
				       ENV_PLAIN_GPA + GHCB_OFF_VALID_BITMAP,
				       valid, sizeof(valid)));
}

/* A page-state change descriptor in the GHCB's shared buffer: two
 * entries from ENV_GMEM_GPA, to private. */
#define PSC_DESC (ENV_PLAIN_GPA + GHCB_OFF_SHARED_BUF)

static bool psc_desc(struct kt *t, struct env *e)
{
	u64 op = (u64)GHCB_PSC_OP_PRIVATE << 52;

	return KT_EXPECT_OK(t, env_wr64(e, PSC_DESC, 1ULL << 16)) &&
	       KT_EXPECT_OK(t, env_wr64(e, PSC_DESC + 8, ENV_GMEM_GPA | op)) &&
	       KT_EXPECT_OK(t, env_wr64(e, PSC_DESC + 16,
					(ENV_GMEM_GPA + 0x1000) | op));
}

/*
 * VMGEXIT with the GHCB page: an unregistered GPA ends the run as an
 * internal error; registered, a page-state change is one exit for the
 * run of entries, completed into the GHCB (SW_EXITINFO2, cur_entry, each
 * entry's cur_page) before RIP steps; the VMM's error is the generic PSC
 * error; a completion that cannot be written ends the run; hypervisor
 * features are answered in place.
 */
SNP_CASE(snp_exit_vmgexit_ghcb_page, true)
{
	struct vmm_region gone = {0};
	u64 runs;

	msr_request(e, ENV_PLAIN_GPA);
	if (KT_EXPECT_OK(t, env_run(e))) {
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
		KT_EXPECT_EQ(t, e->x.other.code, 0x81);
		KT_EXPECT_EQ(t, e->x.other.rip, ENV_CODE_GPA + AT_VMGEXIT);
	}
	msr_request(e, ENV_PLAIN_GPA | GHCB_MSR_REG_GPA_REQ);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_VMGEXIT + 4) ||
	    !KT_EXPECT_EQ(t, ghcb_msr(t, e),
			  ENV_PLAIN_GPA | GHCB_MSR_REG_GPA_RESP))
		return;

	if (!ghcb_request(t, e, SVM_VMGEXIT_PSC, PSC_DESC) || !psc_desc(t, e))
		return;
	msr_request(e, ENV_PLAIN_GPA);
	if (!KT_EXPECT_OK(t, env_run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HYPERCALL))
		return;
	KT_EXPECT_EQ(t, e->x.hypercall.args[0], ENV_GMEM_GPA);
	KT_EXPECT_EQ(t, e->x.hypercall.args[1], 2);
	KT_EXPECT_EQ(t, e->x.hypercall.args[2],
		     GMV_MAP_GPA_RANGE_ENCRYPTED |
			     GMV_MAP_GPA_RANGE_PAGE_SZ_4K);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RIP), ENV_CODE_GPA + AT_VMGEXIT);
	e->x.hypercall.ret = 0;
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_VMGEXIT + 4))
		return;
	KT_EXPECT_EQ(t, env_rd64(e, ENV_PLAIN_GPA + GHCB_OFF_SW_EXITINFO1), 0);
	KT_EXPECT_EQ(t, env_rd64(e, ENV_PLAIN_GPA + GHCB_OFF_SW_EXITINFO2), 0);
	KT_EXPECT_EQ(t, env_rd64(e, PSC_DESC), (1ULL << 16) | 2);
	KT_EXPECT_EQ(t, env_rd64(e, PSC_DESC + 8) & 0xfff, 1);
	KT_EXPECT_EQ(t, env_rd64(e, PSC_DESC + 16) & 0xfff, 1);

	/* Again, and the VMM fails it: nothing advanced. */
	if (!ghcb_request(t, e, SVM_VMGEXIT_PSC, PSC_DESC) || !psc_desc(t, e))
		return;
	msr_request(e, ENV_PLAIN_GPA);
	if (!KT_EXPECT_OK(t, env_run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HYPERCALL))
		return;
	e->x.hypercall.ret = -(u64)GMV_KVM_EINVAL;
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA + AT_VMGEXIT + 4))
		return;
	KT_EXPECT_EQ(t, env_rd64(e, ENV_PLAIN_GPA + GHCB_OFF_SW_EXITINFO2),
		     GHCB_PSC_ERROR_GENERIC);
	KT_EXPECT_EQ(t, env_rd64(e, PSC_DESC), 1ULL << 16);
	KT_EXPECT_EQ(t, env_rd64(e, PSC_DESC + 8) & 0xfff, 0);

	/* The GHCB's memory goes while a change waits for its answer: the
	 * completion cannot be written, the run ends as an internal error
	 * before the guest runs, RIP on the VMGEXIT. */
	if (!ghcb_request(t, e, SVM_VMGEXIT_PSC, PSC_DESC) || !psc_desc(t, e))
		return;
	msr_request(e, ENV_PLAIN_GPA);
	if (!KT_EXPECT_OK(t, env_run(e)) ||
	    !KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HYPERCALL))
		return;
	runs = env_stats(e)->runs;
	gone.slot = 2;
	gone.guest_phys_addr = ENV_PLAIN_GPA;
	if (!KT_EXPECT_OK(t, e->v.ops->set_region(&e->v, e->vm, &gone)))
		return;
	e->x.hypercall.ret = 0;
	if (KT_EXPECT_OK(t, env_run(e))) {
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
		KT_EXPECT_EQ(t, e->x.other.rip, ENV_CODE_GPA + AT_VMGEXIT);
	}
	KT_EXPECT_EQ(t, env_stats(e)->runs, runs);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RIP), ENV_CODE_GPA + AT_VMGEXIT);
	if (!KT_EXPECT_OK(t, env_region(e, 2, 0, ENV_PLAIN_GPA, -1)))
		return;

	/* Hypervisor features: in place. */
	if (!ghcb_request(t, e, SVM_VMGEXIT_HV_FEATURES, 0))
		return;
	msr_request(e, ENV_PLAIN_GPA);
	if (env_run_to_hlt(t, e, ENV_CODE_GPA + AT_VMGEXIT + 4))
		KT_EXPECT_EQ(t,
			     env_rd64(e, ENV_PLAIN_GPA + GHCB_OFF_SW_EXITINFO2),
			     GHCB_HV_FT_SNP);
}

/*
 * vmm_ops.launch_update (KVM_SEV_SNP_LAUNCH_UPDATE): only an SNP VM's,
 * before its first vCPU, over page-aligned private gmem pages each
 * launched once; the pages get the data the shared view held and are
 * Validated, so the guest's first private access maps them without #VC.
 */
SNP_CASE(snp_exit_launch_update, false)
{
	static const u64 bad[][2] = {
		{ENV_GMEM_GPA + 1, PAGE_SIZE},
		{ENV_GMEM_GPA, 0},
		{ENV_GMEM_GPA, 100},
		{~0ULL & PAGE_MASK, 2 * PAGE_SIZE},
	};
	const struct vmm_ops *o = e->v.ops;
	u8 data[3][64];
	struct arch_xlate x;
	struct rmp_info i;
	int other;

	other = o->create_vm(&e->v, GMV_VM_SW_PROTECTED);
	if (KT_EXPECT_GE(t, other, 0))
		KT_EXPECT_ERRNO(t, o->launch_update(&e->v, other, 0, PAGE_SIZE),
				EINVAL);
	for (int p = 0; p < 3; p++) {
		memset(data[p], 0xa0 + p, sizeof(data[p]));
		if (!KT_EXPECT_OK(t,
				  o->guest_write(&e->v, e->vm,
						 ENV_GMEM_GPA + p * PAGE_SIZE,
						 data[p], sizeof(data[p]))))
			return;
	}
	/* Shared: not the guest's. */
	KT_EXPECT_ERRNO(t,
			o->launch_update(&e->v, e->vm, ENV_GMEM_GPA, PAGE_SIZE),
			EFAULT);
	/* Private, but no gmem there. */
	KT_EXPECT_OK(t, env_set_private(e, ENV_PLAIN_GPA, PAGE_SIZE, true));
	KT_EXPECT_ERRNO(
		t, o->launch_update(&e->v, e->vm, ENV_PLAIN_GPA, PAGE_SIZE),
		EFAULT);
	if (!KT_EXPECT_OK(t, env_set_private(e, ENV_GMEM_GPA, SZ_2M, true)))
		return;
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++)
		KT_EXPECT_ERRNO(
			t, o->launch_update(&e->v, e->vm, bad[k][0], bad[k][1]),
			EINVAL);
	if (!KT_EXPECT_OK(t, o->launch_update(&e->v, e->vm, ENV_GMEM_GPA,
					      3 * PAGE_SIZE)))
		return;
	for (int p = 0; p < 3; p++) {
		u64 gpa = ENV_GMEM_GPA + p * PAGE_SIZE;
		phys_addr_t pa = env_private_pa(e, gpa);

		if (!KT_EXPECT_NE(t, pa, 0))
			return;
		KT_EXPECT_EQ(t, memcmp((void *)pa, data[p], sizeof(data[p])),
			     0);
		i = rmp_at(e, gpa);
		KT_EXPECT(t, i.assigned && !i.size_2m && i.validated);
		KT_EXPECT_EQ(t, i.asid, snp_vm_asid(e->obj));
		KT_EXPECT_EQ(t, i.gpa, gpa);
	}
	/* The rest of the 2 MiB is the VM's, 4 KiB, not validated. */
	i = rmp_at(e, ENV_GMEM_GPA + 0x3000);
	KT_EXPECT(t, i.assigned && !i.size_2m && !i.validated);
	KT_EXPECT_ERRNO(t,
			o->launch_update(&e->v, e->vm, ENV_GMEM_GPA + PAGE_SIZE,
					 PAGE_SIZE),
			EEXIST);
	if (!env_add_vcpu(t, e))
		return;
	KT_EXPECT_ERRNO(t,
			o->launch_update(&e->v, e->vm, ENV_GMEM_GPA + 0x10000,
					 PAGE_SIZE),
			EINVAL);
	/* The guest starts on the launched pages. */
	private_fault(e, ENV_GMEM_GPA + 0x1008);
	private_fault(e, ENV_GMEM_GPA + 0x3008);
	if (!env_run_to_hlt(t, e, ENV_CODE_GPA))
		return;
	if (KT_EXPECT_OK(t,
			 env_npt_at(e, (ENV_GMEM_GPA + 0x1000) | C_BIT, &x))) {
		KT_EXPECT_EQ(t, x.order, 0);
		KT_EXPECT_EQ(t, x.hpa,
			     env_private_pa(e, ENV_GMEM_GPA + 0x1000));
	}
	KT_EXPECT_ERRNO(t, env_npt_at(e, (ENV_GMEM_GPA + 0x3000) | C_BIT, &x),
			ENOENT);
	KT_EXPECT_EQ(t, env_stats(e)->injects, 1);
}

/* The model's launch step, failing for the page at fail_gfn. */
static u64 fail_gfn;
static unsigned int launched;

static int failing_launch(struct vm *vm, u64 gfn, phys_addr_t pa)
{
	if (gfn == fail_gfn)
		return -EIO;
	launched++;
	return cc_snp_model.launch_update(vm, gfn, pa);
}

/* A failing launch step ends the launch with its error. */
static void snp_exit_launch_step_fails(struct kt *t)
{
	static struct cc_ops model;
	const struct cc_ops *old;
	static struct env e;

	model = cc_snp_model;
	model.launch_update = failing_launch;
	old = cc_use(&model);
	fail_gfn = (ENV_GMEM_GPA >> PAGE_SHIFT) + 1;
	launched = 0;
	if (env_open(t, &e, &snp, false) &&
	    KT_EXPECT_OK(t, env_set_private(&e, ENV_GMEM_GPA, SZ_2M, true))) {
		KT_EXPECT_ERRNO(t,
				e.v.ops->launch_update(&e.v, e.vm, ENV_GMEM_GPA,
						       3 * PAGE_SIZE),
				EIO);
		KT_EXPECT_EQ(t, launched, 1);
	}
	env_close(t, &e);
	cc_use(old);
}

static const struct kt_case snp_exit_cases[] = {
	KT_CASE(snp_exit_private_alias_faults_and_zaps),
	KT_CASE(snp_exit_access_check),
	KT_CASE(snp_exit_access_rmp_fault_is_internal_error),
	KT_CASE(snp_exit_access_clamps_to_2m_entry),
	KT_CASE(snp_exit_pvalidate_results),
	KT_CASE(snp_exit_pvalidate_operand_faults),
	KT_CASE(snp_exit_rmpadjust_results),
	KT_CASE(snp_exit_msrs),
	KT_CASE(snp_exit_vmgexit_msr_protocol),
	KT_CASE(snp_exit_vmgexit_ghcb_page),
	KT_CASE(snp_exit_launch_update),
	KT_CASE(snp_exit_launch_step_fails),
};

const struct kt_suite snp_exit_suite = KT_SUITE("snp_exit", snp_exit_cases);
