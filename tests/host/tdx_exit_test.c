// SPDX-License-Identifier: MIT
/*
 * tests/host/tdx_exit_test.c - a TD guest on the TDX module model
 * (cc_tdx_model, hv/tdx/tdx_guest.c) driven end to end through the exit
 * policy (hv/vcpu_exit.c), vcpu_run() and the VM's fault path on the
 * scripted backend (tests/host/exit_env.h): the shared bit (GPA bit 47,
 * GPAW 48) and its alias in the nested table; the access check of a
 * private page by its S-EPT leaf (#VE with VE_INFO for a PENDING one, #DF
 * while VE_INFO is unread, the mapping no larger than the leaf, PROMOTE of
 * 512 mapped leaves); TDCALL trapped as #UD: TDG.VP.INFO,
 * TDG.VP.VEINFO.GET, TDG.MEM.PAGE.ACCEPT (AUG on demand, DEMOTE of a
 * pending 2 MiB leaf) and TDG.VP.VMCALL<MapGPA> as KVM_HC_MAP_GPA_RANGE
 * exits in 2 MiB chunks with the answers the case gives. The guest's
 * instruction bytes and page tables are real: its shared mapping carries
 * the shared bit. The launch ends at the first vCPU. The payload suite
 * guest.tdx runs the same under QEMU with a real guest; this runs
 * everywhere the host build does, ASan and UBSan included. Host only:
 * the scripted backend is.
 */
#include "hv/alloc.h"
#include "hv/cc.h"
#include "hv/kvm_abi.h"
#include "hv/tdx/tdx.h"
#include "hv/tdx/tdx_int.h"
#include "hv/x86/cpu.h"
#include "hv/vm.h"
#include "hv/x86/vectors.h"
#include "lib/errno.h"
#include "lib/mem.h"
#include "tests/host/exit_env.h"
#include "tests/suites.h"

#define SHARED TDX_SHARED_BIT
#define GMEM_GPA ENV_GMEM_GPA
#define PLAIN_GPA ENV_PLAIN_GPA
#define CODE_GPA ENV_CODE_GPA
#define SIZE_1M (1ULL << 20)
#define NO_MEM_GPA 0x10000000ULL /* no memslot */

/* TDCALL leaves, RAX[15:0], version in RAX[23:16] (Intel TDX module ABI
 * spec, "TDCALL Leaves"). */
#define TDG_VP_VMCALL 0
#define TDG_VP_INFO 1
#define TDG_VP_VEINFO_GET 3
#define TDG_MEM_PAGE_ACCEPT 6
#define VERSION(v) ((u64)(v) << 16)
/* The status for a bad leaf, version or RAX (operand id 0, RAX); the
 * one for a bad RCX. */
#define BAD_RAX TDX_OPERAND_INVALID
#define BAD_RCX (TDX_OPERAND_INVALID | TDX_OPERAND_RCX)
#define TDX_NO_VALID_VE_INFO 0xC000070400000000ULL

/* TDG.VP.VMCALL: the GPRs exposed to the VMM (RCX bitmap), the GHCI's
 * MapGPA and its statuses in R10 (GHCI spec, "TDG.VP.VMCALL<MapGPA>"). */
#define EXPOSE_MAP_GPA (BIT(10) | BIT(11) | BIT(12) | BIT(13))
#define TDVMCALL_MAP_GPA 0x10001
#define TDVMCALL_GET_QUOTE 0x10002
#define TDVMCALL_SUCCESS 0ULL
#define TDVMCALL_RETRY 1ULL
#define TDVMCALL_INVALID_OPERAND 0x8000000000000000ULL
#define TDVMCALL_ALIGN_ERROR 0x8000000000000002ULL
#define TDVMCALL_SUBFUNC_UNSUPPORTED 0x8000000000000003ULL
/* The case's answer asking for a retry (KVM's TDX MapGPA completion
 * takes EAGAIN), and another error. */
#define ANSWER_EAGAIN 11ULL
#define ANSWER_EINVAL 22ULL

/* A #VE's VE_INFO for an EPT violation: exit reason 48, qualification
 * bit 0 read, bit 1 write (Intel SDM vol. 3 Table 28-7). */
#define EXIT_REASON_EPT_VIOLATION 48
#define QUAL_READ 1
#define QUAL_WRITE 2

/* Offsets of the instructions in code[]. */
enum {
	AT_TDCALL = 0x00,
	AT_NOP = 0x04,
};

static const u8 code[] = {
	0x66, 0x0f, 0x01, 0xcc, /* 0x00 tdcall */
	0x90, /* 0x04 nop */
};

/* Garbage a TDCALL's outputs must overwrite. */
#define JUNK 0x5a5a5a5a5a5a5a5aULL

/* The model and every page tdx_cc took for it (S-EPT tables, a
 * PROMOTE's freed one included) are gone. */
static bool tdx_gone(void)
{
	return tdx_cc_model() == NULL &&
	       alloc_owned_pages(hv_pool, OWN_TDX) == 0;
}

/* VMs on the TDX module model, which goes with the last of them. */
static const struct env_model tdx = {
	.type = GMV_VM_TDX,
	.name = "tdx_model",
	.code = code,
	.len = sizeof(code),
	.gone = tdx_gone,
};

/* A case on such a VM; a vCPU when vcpu. */
#define TDX_CASE(name, vcpu) ENV_CASE(name, &tdx, vcpu)

/* TDCALL with RAX = rax, trapped as #UD. */
static struct step *tdcall(struct env *e, u64 rax)
{
	struct step *s = env_at(e, env_ud(), AT_TDCALL);

	env_set(s, ARCH_REG_RAX, rax);
	return s;
}

/* TDG.MEM.PAGE.ACCEPT of RCX = gpa | level. */
static struct step *accept(struct env *e, u64 rcx)
{
	struct step *s = tdcall(e, TDG_MEM_PAGE_ACCEPT);

	env_set(s, ARCH_REG_RCX, rcx);
	return s;
}

/* TDG.VP.VMCALL<MapGPA> of [gpa, gpa + size), gpa with the shared bit
 * for a conversion to shared. */
static struct step *map_gpa(struct env *e, u64 gpa, u64 size)
{
	struct step *s = tdcall(e, TDG_VP_VMCALL);

	env_set(s, ARCH_REG_RCX, EXPOSE_MAP_GPA);
	env_set(s, ARCH_REG_R10, 0);
	env_set(s, ARCH_REG_R11, TDVMCALL_MAP_GPA);
	env_set(s, ARCH_REG_R12, gpa);
	env_set(s, ARCH_REG_R13, size);
	return s;
}

/* A nested fault at the NOP (gpa with the shared bit for a shared
 * access). */
static void fault(struct env *e, u64 gpa, bool write)
{
	env_at(e, env_fault(gpa, write), AT_NOP);
}

/* Run the steps pushed to an HLT after them. The guest is at the NOP
 * then: a TDCALL returned past its 4 bytes, a fault resumed where it
 * was. */
static bool done(struct kt *t, struct env *e)
{
	return env_run_to_hlt(t, e, CODE_GPA + AT_NOP);
}

/* ACCEPT of RCX = rcx run to its return: RAX, its status. */
static u64 accepted(struct kt *t, struct env *e, u64 rcx)
{
	accept(e, rcx);
	return done(t, e) ? env_get(e, ARCH_REG_RAX) : ~0ULL;
}

/* The S-EPT entry of gpa at level (state 0xff when the TD is gone). */
static struct tdx_entry_info sept(struct env *e, u64 gpa, unsigned int level)
{
	struct tdx_entry_info i = {.state = (enum tdx_sept_state)0xff};

	tdx_model_entry(tdx_cc_model(), tdx_vm_td(e->obj), gpa, level, &i);
	return i;
}

/* A leaf at exactly level, in state. */
static bool leaf_is(struct env *e, u64 gpa, unsigned int level, u8 state)
{
	struct tdx_entry_info i = sept(e, gpa, level);

	return i.reached && i.state == state;
}

static const struct arch_script_stats *stats(struct env *e)
{
	return env_stats(e);
}

/*
 * A fault without the shared bit is private: TDX's prepare AUGs the page
 * (2 MiB, PENDING), and the access to a page not accepted is the module's
 * #VE, nothing mapped; once accepted it is mapped at its GPA, 2 MiB, as
 * its leaf. One with the bit is shared and mapped at the alias only; a
 * private fault where no private memory can be is the case's memory fault
 * at the GPA. Making a range shared zaps its private translations (the
 * GPA alone); making one private zaps its shared ones, the alias with
 * them.
 */
TDX_CASE(tdx_exit_shared_bit_faults_and_zaps, true)
{
	const struct arch_vm *avm = vm_arch_vm(e->obj);
	struct tdx_entry_info i;
	struct arch_xlate x;
	u64 zaps;

	if (!KT_EXPECT_OK(t, env_set_private(e, GMEM_GPA, SZ_2M, true)))
		return;
	fault(e, GMEM_GPA + 0x5008, false);
	fault(e, (PLAIN_GPA + 0x3010) | SHARED, true);
	if (!done(t, e))
		return;
	i = sept(e, GMEM_GPA, TDX_LEVEL_2M);
	KT_EXPECT(t, i.reached && i.state == TDX_SEPT_PENDING);
	KT_EXPECT_EQ(t, stats(e)->injects, 1);
	KT_EXPECT_EQ(t, stats(e)->last_vector, X86_VEC_VE);
	KT_EXPECT_ERRNO(t, env_npt_at(e, GMEM_GPA, &x), ENOENT);
	accept(e, GMEM_GPA | TDX_LEVEL_2M);
	fault(e, GMEM_GPA + 0x5008, false);
	if (!done(t, e))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), TDX_SUCCESS);
	KT_EXPECT_EQ(t, stats(e)->injects, 1);
	if (KT_EXPECT_OK(t, env_npt_at(e, GMEM_GPA, &x))) {
		KT_EXPECT_EQ(t, x.order, 9);
		KT_EXPECT_EQ(t, tdx_cc_hpa(x.hpa), i.hpa);
	}
	KT_EXPECT_ERRNO(t, env_npt_at(e, GMEM_GPA | SHARED, &x), ENOENT);
	/* The shared page at its alias, not at its GPA; vm_lookup_gpa()
	 * finds it by the GPA. */
	if (KT_EXPECT_OK(t, env_npt_at(e, (PLAIN_GPA + 0x3000) | SHARED, &x)))
		KT_EXPECT_EQ(t, x.order, 0);
	KT_EXPECT_ERRNO(t, env_npt_at(e, PLAIN_GPA + 0x3000, &x), ENOENT);
	KT_EXPECT_OK(t, vm_lookup_gpa(e->obj, PLAIN_GPA + 0x3000, &x));

	/* Private where the slot has no gmem: the memory fault names the
	 * GPA, private. */
	fault(e, PLAIN_GPA + 0x3010, false);
	KT_EXPECT_ERRNO(t, env_run(e), EFAULT);
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MEMORY_FAULT);
	KT_EXPECT_EQ(t, e->x.memory_fault.gpa, PLAIN_GPA + 0x3000);
	KT_EXPECT_EQ(t, e->x.memory_fault.flags, GMV_MEMORY_EXIT_FLAG_PRIVATE);

	/* To private: shared translations at the GPA and at the alias. */
	zaps = arch_script_vm_stats(avm)->zaps;
	KT_EXPECT_OK(t, env_set_private(e, PLAIN_GPA, SZ_2M, true));
	KT_EXPECT_EQ(t, arch_script_vm_stats(avm)->zaps, zaps + 2);
	KT_EXPECT_EQ(t, arch_script_vm_stats(avm)->last_filter,
		     ARCH_ZAP_SHARED);
	KT_EXPECT_ERRNO(t, env_npt_at(e, (PLAIN_GPA + 0x3000) | SHARED, &x),
			ENOENT);
	/* To shared: the private translations, at the GPA only. */
	zaps = arch_script_vm_stats(avm)->zaps;
	KT_EXPECT_OK(t, env_set_private(e, GMEM_GPA, SZ_2M, false));
	KT_EXPECT_EQ(t, arch_script_vm_stats(avm)->zaps, zaps + 1);
	KT_EXPECT_ERRNO(t, env_npt_at(e, GMEM_GPA, &x), ENOENT);
	/* A shared access there now maps the slot's own page at the
	 * alias. */
	fault(e, (GMEM_GPA + 0x5008) | SHARED, false);
	if (done(t, e))
		KT_EXPECT_OK(t,
			     env_npt_at(e, (GMEM_GPA + 0x5000) | SHARED, &x));
}

static struct tdx_td_info td_info(struct env *e)
{
	struct tdx_td_info i = {0};

	tdx_model_td(tdx_cc_model(), tdx_vm_td(e->obj), &i);
	return i;
}

/*
 * The first vCPU ends the launch (cc_ops.launch_finish: TDH.MR.FINALIZE):
 * a finalize refused fails the vCPU's creation and the launch goes on;
 * the launched pages are MAPPED with the VMM's data and the guest's
 * first access maps them as they are; vm_launch_update is refused from
 * then on (-EINVAL) and changes nothing; a private page first used after
 * it is AUGed PENDING, its access a #VE.
 */
TDX_CASE(tdx_exit_first_vcpu_ends_the_launch, false)
{
	u8 data[64], back[64];
	struct tdx_entry_info i;
	struct arch_xlate x;

	memset(data, 0x3c, sizeof(data));
	if (!KT_EXPECT_OK(t,
			  e->v.ops->guest_write(&e->v, e->vm, GMEM_GPA + 0x1000,
						data, sizeof(data))) ||
	    !KT_EXPECT_OK(t, env_set_private(e, GMEM_GPA, SZ_2M, true)) ||
	    !KT_EXPECT_OK(t, e->v.ops->launch_update(&e->v, e->vm, GMEM_GPA,
						     2 * PAGE_SIZE)))
		return;
	KT_EXPECT(t, !td_info(e).finalized);
	/* The TDR locked elsewhere: MR.FINALIZE is OPERAND_BUSY, no vCPU. */
	if (!KT_EXPECT_OK(t, tdx_model_hold(tdx_cc_model(), TDX_HOLD_TDR,
					    tdx_vm_td(e->obj), 0, 0, true)))
		return;
	KT_EXPECT_ERRNO(t, e->v.ops->create_vcpu(&e->v, e->vm), EBUSY);
	tdx_model_hold(tdx_cc_model(), TDX_HOLD_TDR, tdx_vm_td(e->obj), 0, 0,
		       false);
	KT_EXPECT_EQ(t, vm_nr_vcpus(e->obj), 0);
	KT_EXPECT(t, !td_info(e).finalized);
	KT_EXPECT_OK(t, e->v.ops->launch_update(&e->v, e->vm, GMEM_GPA + 0x2000,
						PAGE_SIZE));
	if (!env_add_vcpu(t, e))
		return;
	KT_EXPECT(t, td_info(e).finalized);
	KT_EXPECT_ERRNO(t,
			e->v.ops->launch_update(&e->v, e->vm,
						GMEM_GPA + 0x10000, PAGE_SIZE),
			EINVAL);
	KT_EXPECT_EQ(t, sept(e, GMEM_GPA + 0x10000, TDX_LEVEL_4K).state,
		     TDX_SEPT_FREE);
	fault(e, GMEM_GPA + 0x1008, false);
	fault(e, GMEM_GPA + 0x5008, true);
	if (!done(t, e))
		return;
	i = sept(e, GMEM_GPA + 0x1000, TDX_LEVEL_4K);
	KT_EXPECT(t, i.reached && i.state == TDX_SEPT_MAPPED);
	if (KT_EXPECT_OK(t, env_npt_at(e, GMEM_GPA + 0x1000, &x))) {
		KT_EXPECT_EQ(t, x.order, 0);
		KT_EXPECT_EQ(t, tdx_cc_hpa(x.hpa), i.hpa);
		memcpy(back, (void *)x.hpa, sizeof(back));
		KT_EXPECT_EQ(t, memcmp(back, data, sizeof(data)), 0);
	}
	/* Not launched: AUGed PENDING, and the access is the module's #VE
	 * (the guest must ACCEPT it), nothing mapped. */
	i = sept(e, GMEM_GPA + 0x5000, TDX_LEVEL_4K);
	KT_EXPECT(t, i.reached && i.state == TDX_SEPT_PENDING);
	KT_EXPECT_ERRNO(t, env_npt_at(e, GMEM_GPA + 0x5000, &x), ENOENT);
	KT_EXPECT_EQ(t, stats(e)->injects, 1);
	KT_EXPECT_EQ(t, stats(e)->last_vector, X86_VEC_VE);
	KT_EXPECT_OK(t, e->v.ops->check(&e->v));
}

/*
 * TDG.VP.INFO (ABI spec): RCX the GPA width, RDX the TD's attributes
 * (none), R8 vCPUs and their maximum, R9 the vCPU's index, R10 and R11
 * zero, whatever the guest had there; RIP past the TDCALL. Each vCPU
 * reads its own index.
 */
TDX_CASE(tdx_exit_vp_info, true)
{
	static const enum arch_reg outs[] = {ARCH_REG_RCX, ARCH_REG_RDX,
					     ARCH_REG_R8,  ARCH_REG_R9,
					     ARCH_REG_R10, ARCH_REG_R11};
	struct step *s = tdcall(e, TDG_VP_INFO);

	for (size_t k = 0; k < ARRAY_SIZE(outs); k++)
		env_set(s, outs[k], JUNK);
	if (!done(t, e))
		return;
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), TDX_SUCCESS);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RCX), TDX_GPAW);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RDX), 0);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_R8),
		     TDX_CC_VCPUS | (u64)TDX_CC_VCPUS << 32);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_R9), 0);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_R10), 0);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_R11), 0);
	if (!env_add_vcpu(t, e))
		return;
	env_set(tdcall(e, TDG_VP_INFO), ARCH_REG_R9, JUNK);
	if (done(t, e))
		KT_EXPECT_EQ(t, env_get(e, ARCH_REG_R9), 1);
}

/*
 * A leaf the module does not offer, a version a leaf does not have, or
 * reserved RAX bits 63:24 set: OPERAND_INVALID for RAX, RIP past the
 * TDCALL, and the leaf does nothing: the module's dispatcher refuses it
 * before any leaf runs (td_call()), so no register but RAX changes, an
 * ACCEPT so refused AUGs nothing, a VMCALL makes no exit, VEINFO.GET
 * leaves VE_INFO valid.
 */
TDX_CASE(tdx_exit_bad_leaves, true)
{
	static const u64 bad[] = {
		2, /* TDG.VP.RD in later modules: not offered */
		4, /* TDG.MR.REPORT */
		5,
		7,
		0x0016,
		0xffff,
		TDG_VP_INFO | VERSION(1),
		TDG_MEM_PAGE_ACCEPT | VERSION(1),
		TDG_VP_VMCALL | VERSION(1),
		TDG_VP_VEINFO_GET | VERSION(2),
		TDG_VP_VEINFO_GET | VERSION(0xff),
		TDG_VP_INFO | BIT(24),
		TDG_MEM_PAGE_ACCEPT | BIT(63),
		TDG_VP_VEINFO_GET | BIT(40),
		TDG_VP_VMCALL | BIT(24),
	};
	struct step *s;

	if (!KT_EXPECT_OK(t, env_set_private(e, GMEM_GPA, SZ_2M, true)))
		return;
	/* A #VE first: VE_INFO holds something for VEINFO.GET. */
	fault(e, GMEM_GPA + 0x1000, false);
	if (!done(t, e) || !KT_EXPECT_EQ(t, stats(e)->last_vector, X86_VEC_VE))
		return;
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		s = tdcall(e, bad[k]);
		env_set(s, ARCH_REG_RCX, GMEM_GPA + 0x2000);
		env_set(s, ARCH_REG_R11, TDVMCALL_MAP_GPA);
		env_set(s, ARCH_REG_R12, GMEM_GPA);
		env_set(s, ARCH_REG_R13, PAGE_SIZE);
		if (!done(t, e))
			return;
		KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), BAD_RAX);
		KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RCX), GMEM_GPA + 0x2000);
		KT_EXPECT_EQ(t, env_get(e, ARCH_REG_R11), TDVMCALL_MAP_GPA);
	}
	KT_EXPECT(t, leaf_is(e, GMEM_GPA, TDX_LEVEL_2M, TDX_SEPT_PENDING));
	/* VE_INFO was not consumed: a second #VE is #DF. */
	fault(e, GMEM_GPA + 0x1000, false);
	if (done(t, e))
		KT_EXPECT_EQ(t, stats(e)->last_vector, X86_VEC_DF);
}

/* TDG.VP.VEINFO.GET (version v) with JUNK in its outputs. */
static struct step *veinfo_get(struct env *e, unsigned int v)
{
	static const enum arch_reg outs[] = {ARCH_REG_RCX, ARCH_REG_RDX,
					     ARCH_REG_R8, ARCH_REG_R9,
					     ARCH_REG_R10};
	struct step *s = tdcall(e, TDG_VP_VEINFO_GET | VERSION(v));

	for (size_t k = 0; k < ARRAY_SIZE(outs); k++)
		env_set(s, outs[k], JUNK);
	return s;
}

/* VEINFO.GET succeeded with an EPT violation's VE_INFO for gpa. */
static void expect_ve_info(struct kt *t, struct env *e, u64 gpa, u64 qual)
{
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), TDX_SUCCESS);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RCX), EXIT_REASON_EPT_VIOLATION);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RDX), qual);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_R8), 0); /* no GLA */
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_R9), gpa);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_R10), 0);
}

/* VEINFO.GET found nothing: its status, the outputs zero. */
static void expect_no_ve_info(struct kt *t, struct env *e)
{
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), TDX_NO_VALID_VE_INFO);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RCX), 0);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_R9), 0);
}

/*
 * An access to a PENDING page: #VE (vector 20, no error code), nothing
 * mapped, RIP where it was, VE_INFO filled with the EPT violation's exit
 * qualification and the whole GPA; TDG.VP.VEINFO.GET (versions 0 and 1)
 * reads it and frees VE_INFO, after which it reports NO_VALID_VE_INFO
 * with zero outputs. A second #VE while VE_INFO is unread is #DF (error
 * code 0), VE_INFO keeping the first one. VE_INFO is per vCPU.
 */
TDX_CASE(tdx_exit_ve_and_veinfo, true)
{
	int first = e->vcpu;
	struct arch_xlate x;

	veinfo_get(e, 0);
	if (!done(t, e))
		return;
	expect_no_ve_info(t, e);
	if (!KT_EXPECT_OK(t, env_set_private(e, GMEM_GPA, SZ_2M, true)))
		return;
	fault(e, GMEM_GPA + 0x5008, false);
	if (!done(t, e))
		return;
	KT_EXPECT_EQ(t, stats(e)->injects, 1);
	KT_EXPECT_EQ(t, stats(e)->last_vector, X86_VEC_VE);
	KT_EXPECT_EQ(t, stats(e)->last_error_code, 0);
	KT_EXPECT_ERRNO(t, env_npt_at(e, GMEM_GPA, &x), ENOENT);
	veinfo_get(e, 1);
	if (!done(t, e))
		return;
	expect_ve_info(t, e, GMEM_GPA + 0x5008, QUAL_READ);
	veinfo_get(e, 0);
	if (!done(t, e))
		return;
	expect_no_ve_info(t, e);

	/* A write, then another access before the guest read VE_INFO. */
	fault(e, GMEM_GPA + 0x1ff010, true);
	fault(e, GMEM_GPA + 0x3000, false);
	if (!done(t, e))
		return;
	KT_EXPECT_EQ(t, stats(e)->injects, 3);
	KT_EXPECT_EQ(t, stats(e)->last_vector, X86_VEC_DF);
	KT_EXPECT_EQ(t, stats(e)->last_error_code, 0);
	/* The other vCPU's VE_INFO is its own: a #VE, not #DF. */
	if (!env_add_vcpu(t, e))
		return;
	fault(e, GMEM_GPA + 0x4000, true);
	if (!done(t, e))
		return;
	KT_EXPECT_EQ(t, stats(e)->last_vector, X86_VEC_VE);
	veinfo_get(e, 0);
	if (done(t, e))
		expect_ve_info(t, e, GMEM_GPA + 0x4000, QUAL_WRITE);
	/* The first vCPU still reads its first #VE. */
	e->vcpu = first;
	veinfo_get(e, 0);
	if (done(t, e))
		expect_ve_info(t, e, GMEM_GPA + 0x1ff010, QUAL_WRITE);
	fault(e, GMEM_GPA + 0x3000, false);
	if (done(t, e))
		KT_EXPECT_EQ(t, stats(e)->last_vector, X86_VEC_VE);
}

/*
 * TDG.MEM.PAGE.ACCEPT at 2 MiB of a page the host AUGed at a fault:
 * SUCCESS, the leaf MAPPED and its 2 MiB zeroed (what the host left there
 * is gone); then mapped 2 MiB at the next access, the access hook
 * clamping a larger order to the leaf. Accepting it again, at either
 * size: PAGE_ALREADY_ACCEPTED (a warning) naming the 2 MiB level.
 */
TDX_CASE(tdx_exit_accept_2m, true)
{
	struct arch_xlate x;
	unsigned int order;
	phys_addr_t pa;

	if (!KT_EXPECT_OK(t, env_set_private(e, GMEM_GPA, SZ_2M, true)))
		return;
	fault(e, GMEM_GPA, false);
	if (!done(t, e))
		return;
	pa = env_private_pa(e, GMEM_GPA);
	if (!KT_EXPECT_NE(t, pa, 0))
		return;
	memset((void *)pa, 0xa5, SZ_2M);
	if (!KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA | TDX_LEVEL_2M),
			  TDX_SUCCESS))
		return;
	KT_EXPECT(t, leaf_is(e, GMEM_GPA, TDX_LEVEL_2M, TDX_SEPT_MAPPED));
	KT_EXPECT_EQ(t, *(u64 *)pa, 0);
	KT_EXPECT_EQ(t, *(u64 *)(pa + SZ_2M - 8), 0);
	fault(e, GMEM_GPA + 0x1234, true);
	if (!done(t, e))
		return;
	KT_EXPECT_EQ(t, stats(e)->injects, 1); /* the first #VE only */
	if (KT_EXPECT_OK(t, env_npt_at(e, GMEM_GPA, &x))) {
		KT_EXPECT_EQ(t, x.order, 9);
		KT_EXPECT_EQ(t, x.hpa, pa);
	}
	order = 18;
	KT_EXPECT_OK(t, env_access(e, GMEM_GPA + 0x7000, &order));
	KT_EXPECT_EQ(t, order, 9);
	order = 0;
	KT_EXPECT_OK(t, env_access(e, GMEM_GPA + 0x7000, &order));
	KT_EXPECT_EQ(t, order, 0);
	KT_EXPECT_EQ(t, e->direct.injects, 0);

	KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA | TDX_LEVEL_2M),
		     TDX_PAGE_ALREADY_ACCEPTED | TDX_LEVEL_2M);
	KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA + 0x3000),
		     TDX_PAGE_ALREADY_ACCEPTED | TDX_LEVEL_2M);
	/* A warning is no new accept: nothing zeroed. */
	*(u64 *)(pa + 0x3000) = JUNK;
	KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA + 0x3000),
		     TDX_PAGE_ALREADY_ACCEPTED | TDX_LEVEL_2M);
	KT_EXPECT_EQ(t, *(u64 *)(pa + 0x3000), JUNK);
}

/*
 * A 4 KiB ACCEPT inside a PENDING 2 MiB leaf (the leaf AUGed by the
 * ACCEPT's own fault): the leaf is DEMOTEd, that page alone accepted and
 * zeroed, its 511 neighbours PENDING at 4 KiB. A 2 MiB ACCEPT over the 4
 * KiB leaves: PAGE_SIZE_MISMATCH. The accepted page maps at 4 KiB, a
 * pending neighbour raises #VE. Once all 512 leaves are MAPPED over one
 * aligned 2 MiB of memory, an access that allows 2 MiB PROMOTEs them and
 * maps 2 MiB.
 */
TDX_CASE(tdx_exit_accept_4k_demotes_and_promotes, true)
{
	struct tdx_entry_info i;
	struct arch_xlate x;
	unsigned int order;
	phys_addr_t pa;

	if (!KT_EXPECT_OK(t, env_set_private(e, GMEM_GPA, SZ_2M, true)) ||
	    !KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA + 0x3000), TDX_SUCCESS))
		return;
	KT_EXPECT(t,
		  leaf_is(e, GMEM_GPA + 0x3000, TDX_LEVEL_4K, TDX_SEPT_MAPPED));
	KT_EXPECT(t, leaf_is(e, GMEM_GPA + 0x4000, TDX_LEVEL_4K,
			     TDX_SEPT_PENDING));
	KT_EXPECT(t, leaf_is(e, GMEM_GPA, TDX_LEVEL_4K, TDX_SEPT_PENDING));
	i = sept(e, GMEM_GPA, TDX_LEVEL_2M);
	KT_EXPECT(t, i.reached && i.state == TDX_SEPT_NL_MAPPED);
	pa = env_private_pa(e, GMEM_GPA);
	if (!KT_EXPECT_NE(t, pa, 0))
		return;

	/* Garbage in the next page: its accept zeroes that page only. */
	*(u64 *)(pa + 0x4000) = JUNK;
	*(u64 *)(pa + 0x5000) = JUNK;
	KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA + 0x4000), TDX_SUCCESS);
	KT_EXPECT_EQ(t, *(u64 *)(pa + 0x4000), 0);
	KT_EXPECT_EQ(t, *(u64 *)(pa + 0x5000), JUNK);
	KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA + 0x4000),
		     TDX_PAGE_ALREADY_ACCEPTED | TDX_LEVEL_4K);
	KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA | TDX_LEVEL_2M),
		     TDX_PAGE_SIZE_MISMATCH | TDX_LEVEL_2M);

	/* Mapped at 4 KiB: the leaves cannot merge yet. */
	fault(e, GMEM_GPA + 0x3008, true);
	fault(e, GMEM_GPA + 0x6008, false);
	if (!done(t, e))
		return;
	if (KT_EXPECT_OK(t, env_npt_at(e, GMEM_GPA + 0x3000, &x))) {
		KT_EXPECT_EQ(t, x.order, 0);
		KT_EXPECT_EQ(t, x.hpa, pa + 0x3000);
	}
	KT_EXPECT_ERRNO(t, env_npt_at(e, GMEM_GPA + 0x6000, &x), ENOENT);
	KT_EXPECT_EQ(t, stats(e)->injects, 1);
	KT_EXPECT_EQ(t, stats(e)->last_vector, X86_VEC_VE);
	order = 9;
	KT_EXPECT_OK(t, env_access(e, GMEM_GPA + 0x3000, &order));
	KT_EXPECT_EQ(t, order, 0);
	/* vCPU 0's VE_INFO holds that #VE still: the hook's next one is
	 * #DF. */
	KT_EXPECT_EQ(t, env_access(e, GMEM_GPA + 0x6000, &order),
		     CC_ACCESS_INJECTED);
	KT_EXPECT_EQ(t, e->direct.injects, 1);
	KT_EXPECT_EQ(t, e->direct.vector, X86_VEC_DF);

	/* The other 510 as the guest's loop would accept them. */
	for (u64 gpa = GMEM_GPA; gpa < GMEM_GPA + SZ_2M; gpa += PAGE_SIZE)
		if (gpa != GMEM_GPA + 0x3000 && gpa != GMEM_GPA + 0x4000 &&
		    !KT_EXPECT_EQ(t,
				  tdx_accept(tdx_cc_model(), tdx_vm_td(e->obj),
					     0, gpa, TDX_LEVEL_4K, NULL),
				  TDX_SUCCESS))
			return;
	fault(e, GMEM_GPA + 0x7008, false);
	if (!done(t, e))
		return;
	KT_EXPECT(t, leaf_is(e, GMEM_GPA, TDX_LEVEL_2M, TDX_SEPT_MAPPED));
	if (KT_EXPECT_OK(t, env_npt_at(e, GMEM_GPA, &x))) {
		KT_EXPECT_EQ(t, x.order, 9);
		KT_EXPECT_EQ(t, x.hpa, pa);
	}
	KT_EXPECT_EQ(t, stats(e)->injects, 1);
}

/*
 * ACCEPT operands the module refuses, OPERAND_INVALID for RCX with
 * nothing AUGed: reserved bits 11:3, a level but 4 KiB and 2 MiB, a GPA
 * not aligned to its level, a shared GPA, one past the GPA width. A
 * private GPA the VM holds as shared is the fault path's memory-fault
 * exit, RIP on the TDCALL; after the case converts it the guest's retry
 * succeeds. A GPA no memslot holds is the same memory fault.
 */
TDX_CASE(tdx_exit_accept_bad_operands, true)
{
	static const u64 bad[] = {
		ENV_GMEM_GPA | BIT(3),
		ENV_GMEM_GPA | BIT(11),
		ENV_GMEM_GPA | 0xff8 | TDX_LEVEL_2M,
		ENV_GMEM_GPA | 2,
		ENV_GMEM_GPA | 7,
		(ENV_GMEM_GPA + 0x1000) | TDX_LEVEL_2M,
		ENV_GMEM_GPA | SHARED,
		ENV_GMEM_GPA | BIT(TDX_GPAW),
		ENV_GMEM_GPA | BIT(63),
	};

	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		KT_EXPECT_EQ(t, accepted(t, e, bad[k]), BAD_RCX);
		KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RCX), bad[k]);
	}
	KT_EXPECT(t, !sept(e, GMEM_GPA, TDX_LEVEL_2M).reached);
	KT_EXPECT_EQ(t, stats(e)->injects, 0);

	/* GMEM_GPA is shared still. */
	accept(e, GMEM_GPA + 0x6000);
	KT_EXPECT_ERRNO(t, env_run(e), EFAULT);
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MEMORY_FAULT);
	KT_EXPECT_EQ(t, e->x.memory_fault.gpa, GMEM_GPA + 0x6000);
	KT_EXPECT_EQ(t, e->x.memory_fault.flags, GMV_MEMORY_EXIT_FLAG_PRIVATE);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RIP), CODE_GPA + AT_TDCALL);
	if (!KT_EXPECT_OK(t, env_set_private(e, GMEM_GPA, SZ_2M, true)))
		return;
	KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA + 0x6000), TDX_SUCCESS);
	/* No memory there at all: the same exit. */
	accept(e, NO_MEM_GPA);
	KT_EXPECT_ERRNO(t, env_run(e), EFAULT);
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_MEMORY_FAULT);
	KT_EXPECT_EQ(t, e->x.memory_fault.gpa, NO_MEM_GPA);
	KT_EXPECT_EQ(t, e->x.memory_fault.flags, GMV_MEMORY_EXIT_FLAG_PRIVATE);
}

/*
 * A private access whose S-EPT leaf is neither MAPPED nor PENDING (one
 * the host blocked: the hooks never let the guest reach one) is the
 * model's internal error at the fault, nothing mapped or injected.
 */
TDX_CASE(tdx_exit_access_blocked_leaf_is_internal_error, true)
{
	struct arch_xlate x;

	if (!KT_EXPECT_OK(t, env_set_private(e, GMEM_GPA, SZ_2M, true)) ||
	    !KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA | TDX_LEVEL_2M),
			  TDX_SUCCESS) ||
	    !KT_EXPECT_EQ(t,
			  tdx_range_block(tdx_cc_model(), tdx_vm_td(e->obj),
					  GMEM_GPA, TDX_LEVEL_2M, NULL),
			  TDX_SUCCESS))
		return;
	fault(e, GMEM_GPA + 0x8000, false);
	if (KT_EXPECT_OK(t, env_run(e))) {
		KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
		KT_EXPECT_EQ(t, e->x.other.code, 0x400);
	}
	KT_EXPECT_ERRNO(t, env_npt_at(e, GMEM_GPA, &x), ENOENT);
	KT_EXPECT_EQ(t, stats(e)->injects, 0);
}

/*
 * The first private access to a 2 MiB block whose GPAs are not all
 * private: KVM maps, and so AUGs, no more than the 4 KiB page there
 * (kvm_mmu_max_mapping_level: a 2 MiB range with mixed attributes takes
 * no huge page). So a 2 MiB ACCEPT of it is PAGE_SIZE_MISMATCH, and a
 * page the guest converts to private afterwards is PENDING: its first
 * access is a #VE, not a page accepted while it was shared.
 */
TDX_CASE(tdx_exit_mixed_block_augs_4k, true)
{
	if (!KT_EXPECT_OK(t, env_set_private(e, GMEM_GPA, PAGE_SIZE, true)))
		return;
	KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA | TDX_LEVEL_2M),
		     TDX_PAGE_SIZE_MISMATCH | TDX_LEVEL_2M);
	KT_EXPECT(t, !leaf_is(e, GMEM_GPA, TDX_LEVEL_2M, TDX_SEPT_MAPPED));
	KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA), TDX_SUCCESS);
	if (!KT_EXPECT_OK(
		    t, env_set_private(e, GMEM_GPA + 0x1000, PAGE_SIZE, true)))
		return;
	fault(e, GMEM_GPA + 0x1008, false);
	if (!done(t, e))
		return;
	KT_EXPECT_EQ(t, stats(e)->injects, 1);
	KT_EXPECT_EQ(t, stats(e)->last_vector, X86_VEC_VE);
	KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA + 0x1000), TDX_SUCCESS);
	/* The whole block private: still 4 KiB leaves, still a mismatch. */
	if (!KT_EXPECT_OK(t, env_set_private(e, GMEM_GPA, SZ_2M, true)))
		return;
	KT_EXPECT_EQ(t, accepted(t, e, GMEM_GPA | TDX_LEVEL_2M),
		     TDX_PAGE_SIZE_MISMATCH | TDX_LEVEL_2M);
}

/* The VMCALL returned with R10 = status (and R11 = r11 when checked). */
static void expect_vmcall(struct kt *t, struct env *e, u64 status, u64 r11)
{
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), TDX_SUCCESS);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_R10), status);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_R11), r11);
}

/*
 * MapGPA's checks, KVM's tdx_map_gpa() order: a size that wraps (or is
 * 0), an end past the GPA width or a range across the shared bit is
 * INVALID_OPERAND, then a start or size off 4 KiB is ALIGN_ERROR; R11 =
 * the start; no exit reaches the case, RIP past the TDCALL.
 */
TDX_CASE(tdx_exit_map_gpa_checks, true)
{
	static const struct {
		u64 gpa, size, status;
	} bad[] = {
		{ENV_GMEM_GPA, 0, TDVMCALL_INVALID_OPERAND},
		{~0ULL & PAGE_MASK, 2 * PAGE_SIZE, TDVMCALL_INVALID_OPERAND},
		{BIT(TDX_GPAW) - PAGE_SIZE, 2 * PAGE_SIZE,
		 TDVMCALL_INVALID_OPERAND},
		{BIT(TDX_GPAW), PAGE_SIZE, TDVMCALL_INVALID_OPERAND},
		{SHARED - PAGE_SIZE, 2 * PAGE_SIZE, TDVMCALL_INVALID_OPERAND},
		/* Across the shared bit and unaligned: the range first. */
		{SHARED - PAGE_SIZE + 8, 2 * PAGE_SIZE,
		 TDVMCALL_INVALID_OPERAND},
		{ENV_GMEM_GPA + 8, PAGE_SIZE, TDVMCALL_ALIGN_ERROR},
		{ENV_GMEM_GPA | SHARED, PAGE_SIZE + 8, TDVMCALL_ALIGN_ERROR},
	};

	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		map_gpa(e, bad[k].gpa, bad[k].size);
		if (!done(t, e))
			return;
		expect_vmcall(t, e, bad[k].status, bad[k].gpa);
	}
}

/* The run made MapGPA's exit for [gpa, gpa + pages), to shared or not,
 * RIP on the TDCALL. */
static bool map_exit(struct kt *t, struct env *e, u64 gpa, u64 pages,
		     bool shared)
{
	return KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_HYPERCALL) &&
	       KT_EXPECT_EQ(t, e->x.hypercall.nr, GMV_HC_MAP_GPA_RANGE) &&
	       KT_EXPECT_EQ(t, e->x.hypercall.args[0], gpa) &&
	       KT_EXPECT_EQ(t, e->x.hypercall.args[1], pages) &&
	       KT_EXPECT_EQ(t, e->x.hypercall.args[2],
			    GMV_MAP_GPA_RANGE_PAGE_SZ_4K |
				    (shared ? GMV_MAP_GPA_RANGE_DECRYPTED
					    : GMV_MAP_GPA_RANGE_ENCRYPTED)) &&
	       KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RIP), CODE_GPA + AT_TDCALL);
}

/* Answer the exit with ret and run on: the next exit of the same TDCALL
 * comes without the guest running. */
static bool answer_next(struct kt *t, struct env *e, u64 ret)
{
	u64 runs = stats(e)->runs;

	e->x.hypercall.ret = ret;
	return KT_EXPECT_OK(t, env_run(e)) &&
	       KT_EXPECT_EQ(t, stats(e)->runs, runs);
}

/*
 * MapGPA becomes KVM_HC_MAP_GPA_RANGE exits of at most 2 MiB each, the
 * shared bit stripped from the GPA and turned into the attribute; a
 * 3 MiB request is two exits chained in one TDCALL, the guest not running
 * and RIP on the TDCALL until the last answer, then R10 SUCCESS and RIP
 * past it.
 */
TDX_CASE(tdx_exit_map_gpa_chunks, true)
{
	u64 gpa = ENV_GMEM_GPA + SIZE_1M;

	map_gpa(e, gpa | SHARED, 3 * SIZE_1M);
	if (!KT_EXPECT_OK(t, env_run(e)) || !map_exit(t, e, gpa, 512, true) ||
	    !answer_next(t, e, 0) || !map_exit(t, e, gpa + SZ_2M, 256, true))
		return;
	e->x.hypercall.ret = 0;
	if (!done(t, e))
		return;
	expect_vmcall(t, e, TDVMCALL_SUCCESS, TDVMCALL_MAP_GPA);

	/* To private, one page: one exit. */
	map_gpa(e, PLAIN_GPA + 0x3000, PAGE_SIZE);
	if (!KT_EXPECT_OK(t, env_run(e)) ||
	    !map_exit(t, e, PLAIN_GPA + 0x3000, 1, false))
		return;
	e->x.hypercall.ret = 0;
	if (done(t, e))
		expect_vmcall(t, e, TDVMCALL_SUCCESS, TDVMCALL_MAP_GPA);
	/* Exactly 2 MiB: one exit. */
	map_gpa(e, ENV_GMEM_GPA, SZ_2M);
	if (!KT_EXPECT_OK(t, env_run(e)) ||
	    !map_exit(t, e, ENV_GMEM_GPA, 512, false))
		return;
	e->x.hypercall.ret = 0;
	if (done(t, e))
		expect_vmcall(t, e, TDVMCALL_SUCCESS, TDVMCALL_MAP_GPA);
}

/*
 * The case's answers: EAGAIN is RETRY with R11 the GPA (shared bit as the
 * guest gave it) of the chunk not done; EINVAL INVALID_OPERAND there; any
 * other value ends the run as an internal error before the guest runs,
 * RIP on the TDCALL (KVM fails KVM_RUN). A case that moves RIP while an
 * exit waits (the first or a chained one) drops the request: the guest
 * runs at the new RIP with its registers untouched, and the next MapGPA
 * starts afresh.
 */
TDX_CASE(tdx_exit_map_gpa_answers, true)
{
	u64 gpa = ENV_GMEM_GPA + SIZE_1M;

	map_gpa(e, gpa | SHARED, 3 * SIZE_1M);
	if (!KT_EXPECT_OK(t, env_run(e)) || !map_exit(t, e, gpa, 512, true) ||
	    !answer_next(t, e, 0) || !map_exit(t, e, gpa + SZ_2M, 256, true))
		return;
	e->x.hypercall.ret = ANSWER_EAGAIN;
	if (!done(t, e))
		return;
	expect_vmcall(t, e, TDVMCALL_RETRY, (gpa + SZ_2M) | SHARED);

	map_gpa(e, gpa, 3 * SIZE_1M);
	if (!KT_EXPECT_OK(t, env_run(e)) || !map_exit(t, e, gpa, 512, false))
		return;
	e->x.hypercall.ret = ANSWER_EINVAL;
	if (!done(t, e))
		return;
	expect_vmcall(t, e, TDVMCALL_INVALID_OPERAND, gpa);
	/* KVM's own -EINVAL is no answer userspace may give. */
	map_gpa(e, gpa, 3 * SIZE_1M);
	if (!KT_EXPECT_OK(t, env_run(e)) || !map_exit(t, e, gpa, 512, false) ||
	    !answer_next(t, e, -(u64)GMV_KVM_EINVAL))
		return;
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RIP), CODE_GPA + AT_TDCALL);
	expect_vmcall(t, e, 0, TDVMCALL_MAP_GPA); /* as the guest left them */

	/* Dropped at the first exit. */
	map_gpa(e, gpa, 3 * SIZE_1M);
	if (!KT_EXPECT_OK(t, env_run(e)) || !map_exit(t, e, gpa, 512, false))
		return;
	env_put(e, ARCH_REG_RIP, CODE_GPA + AT_NOP);
	if (!done(t, e))
		return;
	expect_vmcall(t, e, 0, TDVMCALL_MAP_GPA);
	/* Dropped at the chained one. */
	map_gpa(e, gpa, 3 * SIZE_1M);
	if (!KT_EXPECT_OK(t, env_run(e)) || !map_exit(t, e, gpa, 512, false) ||
	    !answer_next(t, e, 0) || !map_exit(t, e, gpa + SZ_2M, 256, false))
		return;
	env_put(e, ARCH_REG_RIP, CODE_GPA + AT_NOP);
	if (!done(t, e))
		return;
	expect_vmcall(t, e, 0, TDVMCALL_MAP_GPA);
	/* Afresh: the first chunk of the new request. */
	map_gpa(e, PLAIN_GPA | SHARED, PAGE_SIZE);
	if (!KT_EXPECT_OK(t, env_run(e)) || !map_exit(t, e, PLAIN_GPA, 1, true))
		return;
	e->x.hypercall.ret = 0;
	if (done(t, e))
		expect_vmcall(t, e, TDVMCALL_SUCCESS, TDVMCALL_MAP_GPA);
}

/*
 * TDG.VP.VMCALL's RCX bitmap may not expose RAX, RCX or RSP, nor RBP (KVM
 * makes its TDs with NO_RBP_MOD), nor set bits 63:32: OPERAND_INVALID for
 * RCX, nothing asked of the VMM. A call that is not the GHCI's MapGPA
 * (another sub-function, R10 != 0 for a vendor call, R11 not exposed) is
 * SUBFUNC_UNSUPPORTED, R11 kept. GPRs not exposed read as 0 (R12 and
 * R13: a size-0 MapGPA, INVALID_OPERAND; R10: a GHCI call) and come back
 * as the guest left them.
 */
TDX_CASE(tdx_exit_vmcall_bitmap_and_subfunctions, true)
{
	static const u64 bad_bits[] = {BIT(0), BIT(1),	BIT(4),
				       BIT(5), BIT(32), BIT(63)};
	struct step *s;

	for (size_t k = 0; k < ARRAY_SIZE(bad_bits); k++) {
		s = map_gpa(e, ENV_GMEM_GPA, PAGE_SIZE);
		env_set(s, ARCH_REG_RCX, EXPOSE_MAP_GPA | bad_bits[k]);
		env_set(s, ARCH_REG_R10, JUNK);
		if (!done(t, e))
			return;
		KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RAX), BAD_RCX);
		KT_EXPECT_EQ(t, env_get(e, ARCH_REG_R10), JUNK);
	}
	env_set(map_gpa(e, ENV_GMEM_GPA, PAGE_SIZE), ARCH_REG_R11,
		TDVMCALL_GET_QUOTE);
	if (done(t, e))
		expect_vmcall(t, e, TDVMCALL_SUBFUNC_UNSUPPORTED,
			      TDVMCALL_GET_QUOTE);
	env_set(map_gpa(e, ENV_GMEM_GPA, PAGE_SIZE), ARCH_REG_R10, 1);
	if (done(t, e))
		expect_vmcall(t, e, TDVMCALL_SUBFUNC_UNSUPPORTED,
			      TDVMCALL_MAP_GPA);
	env_set(map_gpa(e, ENV_GMEM_GPA, PAGE_SIZE), ARCH_REG_RCX,
		EXPOSE_MAP_GPA & ~BIT(11));
	if (done(t, e))
		expect_vmcall(t, e, TDVMCALL_SUBFUNC_UNSUPPORTED,
			      TDVMCALL_MAP_GPA);
	env_set(map_gpa(e, ENV_GMEM_GPA, PAGE_SIZE), ARCH_REG_RCX,
		BIT(10) | BIT(11));
	if (done(t, e))
		expect_vmcall(t, e, TDVMCALL_INVALID_OPERAND, 0);
	/* R10 hidden: its status stays with the VMM, R11 comes back. */
	s = map_gpa(e, ENV_GMEM_GPA + 8, PAGE_SIZE);
	env_set(s, ARCH_REG_RCX, EXPOSE_MAP_GPA & ~BIT(10));
	env_set(s, ARCH_REG_R10, JUNK);
	if (done(t, e))
		expect_vmcall(t, e, JUNK, ENV_GMEM_GPA + 8);
	s = map_gpa(e, ENV_GMEM_GPA, PAGE_SIZE);
	env_set(s, ARCH_REG_RCX, EXPOSE_MAP_GPA & ~BIT(10));
	env_set(s, ARCH_REG_R10, JUNK);
	if (!KT_EXPECT_OK(t, env_run(e)) ||
	    !map_exit(t, e, ENV_GMEM_GPA, 1, false))
		return;
	e->x.hypercall.ret = 0;
	if (done(t, e))
		expect_vmcall(t, e, JUNK, TDVMCALL_MAP_GPA);
}

/*
 * RDMSR in a TD guest is no TDCALL (the model's request carries no
 * instruction then): the model leaves it to the exit policy, which
 * emulates no MSR, and the run ends as the internal error naming it.
 */
TDX_CASE(tdx_exit_msr_is_not_the_models, true)
{
	struct step *s = env_at(
		e, (struct arch_exit){.kind = ARCH_EXIT_MSR, .code = 0x7c},
		AT_NOP);

	env_set(s, ARCH_REG_RCX, 0x10); /* IA32_TIME_STAMP_COUNTER */
	if (!KT_EXPECT_OK(t, env_run(e)))
		return;
	KT_EXPECT_EQ(t, e->x.reason, GMV_EXIT_INTERNAL_ERROR);
	KT_EXPECT_EQ(t, env_get(e, ARCH_REG_RIP), CODE_GPA + AT_NOP);
}

/* The model's TD guests keep the shared bit (bit 47) in their GPAs:
 * they need the CPU's guests to have 48 physical address bits (GPAW 48),
 * and no more. */
static void tdx_exit_guests_need_gpaw_48(struct kt *t)
{
	unsigned int bits = cpu_guest_phys_bits();
	const char *why = tdx_guest_lacks();

	if (!KT_EXPECT_EQ(t, why == NULL, bits >= TDX_GPAW))
		kt_fail_note(t, "this CPU's guests have %u bits: %s", bits,
			     why ? why : "(no reason)");
}

static const struct kt_case tdx_exit_cases[] = {
	KT_CASE(tdx_exit_shared_bit_faults_and_zaps),
	KT_CASE(tdx_exit_first_vcpu_ends_the_launch),
	KT_CASE(tdx_exit_vp_info),
	KT_CASE(tdx_exit_bad_leaves),
	KT_CASE(tdx_exit_ve_and_veinfo),
	KT_CASE(tdx_exit_accept_2m),
	KT_CASE(tdx_exit_accept_4k_demotes_and_promotes),
	KT_CASE(tdx_exit_accept_bad_operands),
	KT_CASE(tdx_exit_access_blocked_leaf_is_internal_error),
	KT_CASE(tdx_exit_mixed_block_augs_4k),
	KT_CASE(tdx_exit_map_gpa_checks),
	KT_CASE(tdx_exit_map_gpa_chunks),
	KT_CASE(tdx_exit_map_gpa_answers),
	KT_CASE(tdx_exit_vmcall_bitmap_and_subfunctions),
	KT_CASE(tdx_exit_msr_is_not_the_models),
	KT_CASE(tdx_exit_guests_need_gpaw_48),
};

const struct kt_suite tdx_exit_suite = KT_SUITE("tdx_exit", tdx_exit_cases);
