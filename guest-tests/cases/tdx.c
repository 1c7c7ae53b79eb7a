// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/tdx.c - TD guests (KVM_X86_TDX_VM): the guest program
 * tdx (guest-tests/guests/tdx.c, protocol in programs.h) runs one test
 * per case in a TDX VM whose test region is a guest_memfd slot, private
 * from the start. The case is the VMM: it answers MapGPA (the
 * KVM_HC_MAP_GPA_RANGE exits KVM makes of it) as QEMU does (memory
 * attributes; a range made shared is punched out of the guest_memfd, so
 * its private copy goes: block, track, kick, remove), implicit
 * conversions (memory-fault exits) and adds initial memory
 * (launch_update, KVM_TDX_INIT_MEM_REGION). After every case the
 * backend's checker compares the S-EPT and PAMT with gmem.
 *
 * On Linux these cases need a TDX VM, that is a TDX module: they are
 * skipped with that reason.
 */
#include "guest-tests/cases/cc_case.h"
#include "guest-tests/guests/programs.h"

#define PG(n) (GUEST_TEST_GPA + (n)*PAGE_SIZE)
/* KVM_HC_MAP_GPA_RANGE answers KVM's TDX code takes: a retry (EAGAIN),
 * a failure (EINVAL), positive as userspace writes them. */
#define ANSWER_RETRY 11ULL
#define ANSWER_FAIL 22ULL

_Static_assert(TDX_PAGES == CC_CASE_PAGES, "the program covers the region");

static const char *need_tdx(struct kt *t)
{
	return CASE_LACKS_ANY(t, VMM_FEAT_VCPU, VMM_FEAT_GUEST_MEMFD,
			      VMM_FEAT_TDX_VM, VMM_FEAT_TDX_GUEST,
			      VMM_FEAT_MEMORY_ATTRIBUTES);
}

static const char *need_tdx_mappings(struct kt *t)
{
	return need_tdx(t) ?: CASE_LACKS_ANY(t, VMM_FEAT_MAPPING_INFO);
}

static const char *need_tdx_inplace(struct kt *t)
{
	return need_tdx_mappings(t)
		       ?: CASE_LACKS_ANY(t, VMM_FEAT_INPLACE_CONVERT);
}

/* A TDX VM with the test region private; false after a failed check. */
static bool tdx_setup(struct kt *t, struct vmm *v, struct guest *g,
		      struct cc_case *s)
{
	return cc_case_setup(t, v, g, s, GMV_VM_TDX, false);
}

static int tdx_start(struct guest *g, enum tdx_test test)
{
	return guest_start(g, "tdx", test, GUEST_TEST_GPA);
}

/* A case that runs one test to GUEST_DONE. */
static void run_test(struct kt *t, struct vmm *v, struct guest *g,
		     struct cc_case *s, enum tdx_test test,
		     const struct guest_handlers *h)
{
	cc_case_run(t, v, g, s, GMV_VM_TDX, false, "tdx", test, h);
}

/* TDG.VP.INFO: GPAW 48 (the shared bit 47 the loader used), no
 * attributes, this vCPU 0 of as many as the TD was made with. */
GUEST_CASE(tdx_vp_info)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_INFO, NULL);
	KT_EXPECT_EQ(t, s.sync_arg[1], 48);
	KT_EXPECT_GE(t, s.sync_arg[2], 1);
	KT_EXPECT_EQ(t, s.calls, 0);
}

/* ACCEPT, then use: the page reads zeros, then what the guest wrote;
 * the host never saw an exit for it. */
GUEST_CASE(tdx_accept_then_use)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_ACCEPT_USE, NULL);
	KT_EXPECT_EQ(t, s.calls + s.faults, 0);
}

/* A private read and a write before ACCEPT raise #VE; VEINFO.GET gives
 * exit reason 48 (EPT violation), the access in the qualification and
 * the GPA, once. */
GUEST_CASE(tdx_ve_before_accept)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_VE, NULL);
}

/* A #VE while the last one's information is unread becomes #DF. */
GUEST_CASE(tdx_ve_unread_is_double_fault)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_VE_UNREAD, NULL);
}

/* A second ACCEPT is the warning PAGE_ALREADY_ACCEPTED with the level,
 * at 4 KiB and at 2 MiB, and leaves the data. */
GUEST_CASE(tdx_double_accept)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_DOUBLE_ACCEPT, NULL);
}

static enum guest_action mapped_2m_sync(struct kt *t, struct guest *g,
					u64 stage, u64 arg)
{
	KT_EXPECT_EQ(t, stage, 1);
	cc_case_expect_mapping(t, g, arg, SZ_2M);
	return GUEST_RESUME;
}

static const struct guest_handlers mapped_2m_handlers = {
	.sync = mapped_2m_sync,
	.exit = cc_case_exit,
};

/* A 2 MiB ACCEPT of a 2 MiB block the host AUGed whole: mapped 2 MiB;
 * a 4 KiB ACCEPT inside is already accepted at level 1. */
GUEST_CASE(tdx_accept_2m)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_ACCEPT_2M, &mapped_2m_handlers);
	KT_EXPECT_EQ(t, g.stage, 1);
}

static enum guest_action mapped_4k_sync(struct kt *t, struct guest *g,
					u64 stage, u64 arg)
{
	KT_EXPECT_EQ(t, stage, 1);
	cc_case_expect_mapping(t, g, arg, PAGE_SIZE);
	return GUEST_RESUME;
}

static const struct guest_handlers mapped_4k_handlers = {
	.sync = mapped_4k_sync,
	.exit = cc_case_exit,
};

/* A 4 KiB ACCEPT inside a PENDING 2 MiB leaf: the module's EPT violation,
 * the host DEMOTEs, the retry accepts one page, mapped 4 KiB; the other
 * 511 stay pending. */
GUEST_CASE(tdx_accept_4k_in_pending_2m)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_ACCEPT_4K_IN_2M, &mapped_4k_handlers);
	KT_EXPECT_EQ(t, g.stage, 1);
}

/* A 2 MiB ACCEPT over 4 KiB leaves: PAGE_SIZE_MISMATCH, then 4 KiB
 * accepts of the rest. */
GUEST_CASE(tdx_accept_2m_over_4k_leaves)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_ACCEPT_2M_OVER_4K, NULL);
}

/* ACCEPT's bad operands: level 2, a 2 MiB GPA not aligned, a shared or
 * too wide GPA, reserved bits: OPERAND_INVALID for RCX, no exit. */
GUEST_CASE(tdx_accept_bad_operands)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_ACCEPT_BAD, NULL);
	KT_EXPECT_EQ(t, s.calls + s.faults, 0);
}

static enum guest_action shared_data_sync(struct kt *t, struct guest *g,
					  u64 stage, u64 arg)
{
	KT_EXPECT_EQ(t, stage, 1);
	KT_EXPECT_PATTERN(t, g->v, gpa_range(g->vm, arg, PAGE_SIZE),
			  TDX_SHARED_SEED);
	return GUEST_RESUME;
}

static const struct guest_handlers shared_data_handlers = {
	.sync = shared_data_sync,
	.exit = cc_case_exit,
};

/* MapGPA to shared and back: one KVM_HC_MAP_GPA_RANGE exit each way
 * (DECRYPTED, then ENCRYPTED), the shared data seen by the host, and the
 * page accepted again reads zeros. */
GUEST_CASE(tdx_map_gpa_to_shared_and_back)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_MAP_SHARED, &shared_data_handlers);
	KT_ASSERT_EQ(t, s.calls, 2);
	KT_EXPECT_EQ(t, s.log[0].gpa, PG(4));
	KT_EXPECT_EQ(t, s.log[0].npages, 1);
	KT_EXPECT_EQ(t, s.log[0].attrs, GMV_MAP_GPA_RANGE_DECRYPTED);
	KT_EXPECT_EQ(t, s.log[1].gpa, PG(4));
	KT_EXPECT_EQ(t, s.log[1].attrs, GMV_MAP_GPA_RANGE_ENCRYPTED);
}

/* A 3 MiB MapGPA reaches the VMM as 2 MiB and 1 MiB exits, in one TDCALL
 * each way (KVM's TDX_MAP_GPA_MAX_LEN chunks). */
GUEST_CASE(tdx_map_gpa_in_chunks)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_MAP_CHUNKS, &shared_data_handlers);
	KT_ASSERT_EQ(t, s.calls, 4);
	KT_EXPECT_EQ(t, s.log[0].gpa, PG(0));
	KT_EXPECT_EQ(t, s.log[0].npages, 512);
	KT_EXPECT_EQ(t, s.log[1].gpa, PG(512));
	KT_EXPECT_EQ(t, s.log[1].npages, 256);
	KT_EXPECT_EQ(t, s.log[1].attrs, GMV_MAP_GPA_RANGE_DECRYPTED);
	KT_EXPECT_EQ(t, s.log[3].npages, 256);
	KT_EXPECT_EQ(t, s.log[3].attrs, GMV_MAP_GPA_RANGE_ENCRYPTED);
}

static enum guest_action retry_sync(struct kt *t, struct guest *g, u64 stage,
				    u64 arg)
{
	if (stage == 1)
		KT_EXPECT_PATTERN(t, g->v, gpa_range(g->vm, arg, CC_CASE_LEN),
				  TDX_SHARED_SEED);
	return cc_case_sync(t, g, stage, arg);
}

static const struct guest_handlers retry_handlers = {
	.sync = retry_sync,
	.exit = cc_case_exit,
};

/* The GHCI's retry: the VMM answers EAGAIN for a chunk, the guest gets
 * TDG.VP.VMCALL_RETRY with R11 at that chunk and goes on from there. */
GUEST_CASE(tdx_map_gpa_retry)
{
	struct cc_case s;
	struct guest g;

	if (!tdx_setup(t, v, &g, &s))
		return;
	s.odd_calls = BIT(2) | BIT(5);
	s.answer = ANSWER_RETRY;
	KT_ASSERT_OK(t, tdx_start(&g, TDX_T_MAP_RETRY));
	KT_EXPECT_DONE(t, &g, &retry_handlers);
	KT_ASSERT_EQ(t, s.calls, 6);
	KT_EXPECT_EQ(t, s.log[1].gpa, PG(512));
	KT_EXPECT_EQ(t, s.log[2].gpa, PG(512));
	KT_EXPECT_EQ(t, s.log[5].gpa, PG(512));
	KT_EXPECT_EQ(t, s.log[5].attrs, GMV_MAP_GPA_RANGE_ENCRYPTED);
	KT_EXPECT_EQ(t, s.sync_arg[2], 1);
}

static enum guest_action errors_sync(struct kt *t, struct guest *g, u64 stage,
				     u64 arg)
{
	struct cc_case *s = g->data;

	/* The bad requests reached no VMM; fail the next one. */
	KT_EXPECT_EQ(t, s->calls, 0);
	s->odd_calls = BIT(1);
	s->answer = ANSWER_FAIL;
	return GUEST_RESUME;
}

static const struct guest_handlers errors_handlers = {
	.sync = errors_sync,
	.exit = cc_case_exit,
};

/* MapGPA's own checks (ALIGN_ERROR, INVALID_OPERAND with R11 = the
 * start), an unsupported sub-function and a bad register bitmap reach
 * no VMM; a request the VMM fails is INVALID_OPERAND at its GPA. */
GUEST_CASE(tdx_map_gpa_errors)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_MAP_ERRORS, &errors_handlers);
	KT_EXPECT_EQ(t, s.calls, 1);
}

/* Private to shared without the guest asking (block, track, every vCPU
 * kicked, remove), then the host writes the shared page. */
static bool host_takes_page(struct kt *t, struct guest *g, u64 gpa)
{
	return KT_EXPECT_OK(t, cc_case_convert(g, gpa, PAGE_SIZE, false)) &&
	       KT_EXPECT_OK(t, mem_fill(g->v, gpa_range(g->vm, gpa, PAGE_SIZE),
					TDX_HOST_SEED));
}

static enum guest_action host_convert_sync(struct kt *t, struct guest *g,
					   u64 stage, u64 arg)
{
	KT_EXPECT_EQ(t, stage, 1);
	return host_takes_page(t, g, arg) ? GUEST_RESUME : GUEST_ABORT;
}

static const struct guest_handlers host_convert_handlers = {
	.sync = host_convert_sync,
	.exit = cc_case_exit,
};

/* A conversion by the host while the guest runs (between its exits):
 * the guest's next shared access sees the host's data, and the checker
 * finds the page out of the TD. */
GUEST_CASE(tdx_host_converts_while_guest_runs)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_HOST_CONVERT, &host_convert_handlers);
	KT_EXPECT_EQ(t, g.stage, 1);
}

/* A punch of an accepted private page: removed from the TD, the next
 * access meets a new page, pending (#VE), that reads zeros once
 * accepted. */
GUEST_CASE(tdx_punch_then_reaccept)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_PUNCH, &cc_case_punch_handlers);
	KT_EXPECT_EQ(t, s.calls, 0);
}

static enum guest_action split_sync(struct kt *t, struct guest *g, u64 stage,
				    u64 arg)
{
	switch (stage) {
	case 1:
	case 3: /* the 2 MiB leaf maps whole (after PROMOTE, at 3) */
		cc_case_expect_mapping(t, g, arg, SZ_2M);
		break;
	case 2: /* demoted: its private pages map at 4 KiB */
		cc_case_expect_mapping(t, g, arg - PAGE_SIZE, PAGE_SIZE);
		KT_EXPECT_PATTERN(t, g->v, cc_case_shared(g, arg, PAGE_SIZE),
				  TDX_SHARED_SEED);
		break;
	default:
		KT_EXPECT_LE(t, stage, 3);
		return GUEST_ABORT;
	}
	return GUEST_RESUME;
}

static const struct guest_handlers split_handlers = {
	.sync = split_sync,
	.exit = cc_case_exit,
};

static enum guest_action split_discard_sync(struct kt *t, struct guest *g,
					    u64 stage, u64 arg)
{
	if (stage != 3)
		return split_sync(t, g, stage, arg);
	cc_case_expect_mapping(t, g, arg, PAGE_SIZE);
	return GUEST_RESUME;
}

static const struct guest_handlers split_discard_handlers = {
	.sync = split_discard_sync,
	.exit = cc_case_exit,
};

/* A 4 KiB conversion inside an accepted 2 MiB page of an in-place gmem:
 * DEMOTE, exactly one page removed (the neighbours keep their data),
 * mapped at 4 KiB; made private (the same memory) and accepted again,
 * the 512 leaves PROMOTE back to one 2 MiB mapping. */
GUEST_CASE(tdx_4k_conversion_in_2m_page)
{
	struct cc_case s;
	struct guest g;

	cc_case_run(t, v, &g, &s, GMV_VM_TDX, true, "tdx", TDX_T_SPLIT_MERGE,
		    &split_handlers);
	KT_EXPECT_EQ(t, g.stage, 3);
	KT_EXPECT_EQ(t, s.calls, 2);
}

/* The same with QEMU's discard: the page's private memory is punched, so
 * the 4 KiB leaves no longer cover one 2 MiB of memory and stay apart. */
GUEST_CASE(tdx_4k_conversion_with_discard)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_SPLIT_MERGE, &split_discard_handlers);
	KT_EXPECT_EQ(t, g.stage, 3);
}

/* KVM_TDX_INIT_MEM_REGION: pages written while shared, made private and
 * added before the first vCPU are the TD's, mapped with their data (no
 * ACCEPT); the launch ends with the first vCPU. */
GUEST_CASE(tdx_initial_memory_added)
{
	struct cc_case s;
	struct guest g;

	if (!tdx_setup(t, v, &g, &s))
		return;
	KT_EXPECT_ERRNO(t, v->ops->launch_update(v, g.vm, PG(0) + 1, PAGE_SIZE),
			EINVAL);
	KT_ASSERT_OK(t, cc_case_launch(&g, PG(0), 8 * PAGE_SIZE, TDX_SEED));
	KT_ASSERT_OK(t, tdx_start(&g, TDX_T_LAUNCHED));
	KT_EXPECT_ERRNO(t, v->ops->launch_update(v, g.vm, PG(8), PAGE_SIZE),
			EINVAL);
	KT_EXPECT_DONE(t, &g, &cc_case_handlers);
	KT_EXPECT_EQ(t, s.calls + s.faults, 0);
}

/* Implicit conversions: a private access and an ACCEPT of shared pages,
 * a shared access to a private one, are memory-fault exits the host
 * converts on. */
GUEST_CASE(tdx_implicit_conversions)
{
	struct cc_case s;
	struct guest g;

	if (!tdx_setup(t, v, &g, &s))
		return;
	KT_ASSERT_OK(t, cc_case_set_private(&g, PG(6), 2 * PAGE_SIZE, false));
	KT_ASSERT_OK(t, tdx_start(&g, TDX_T_IMPLICIT));
	KT_EXPECT_DONE(t, &g, &shared_data_handlers);
	KT_EXPECT_EQ(t, s.faults, 3);
	KT_EXPECT_EQ(t, s.calls, 0);
}

/* TDCALL leaves the module does not have, or versions and reserved bits
 * it refuses: OPERAND_INVALID for RAX. */
GUEST_CASE(tdx_tdcall_bad_leaf)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, TDX_T_TDCALL_BAD, NULL);
}

static enum guest_action vcpus_sync(struct kt *t, struct guest *g, u64 stage,
				    u64 arg)
{
	if (stage == 1 && !host_takes_page(t, g, arg))
		return GUEST_ABORT;
	return cc_case_sync(t, g, stage, arg);
}

static const struct guest_handlers vcpus_handlers = {
	.sync = vcpus_sync,
	.exit = cc_case_exit,
};

/* Two vCPUs: vCPU 0 accepts and fills a page, vCPU 1 (index 1) reads
 * it; the host's conversion then kicks both out before the page leaves
 * the TD, and vCPU 1 reads the host's shared data. */
GUEST_CASE(tdx_two_vcpus)
{
	struct cc_case s;
	struct guest g, g1;

	if (!tdx_setup(t, v, &g, &s))
		return;
	KT_ASSERT_OK(t, guest_start(&g, "tdx", TDX_T_VCPUS, GUEST_TEST_GPA));
	KT_EXPECT_DONE(t, &g, &vcpus_handlers);
	g1 = g;
	g1.stage = 0;
	KT_ASSERT_OK(t,
		     guest_start(&g1, "tdx", TDX_T_VCPUS, GUEST_TEST_GPA + 1));
	KT_EXPECT_DONE(t, &g1, &vcpus_handlers);
	KT_EXPECT_EQ(t, g1.stage, 2);
	KT_EXPECT_EQ(t, s.sync_arg[2], PG(9));
}

/* Two TDs at once, each its own memory and S-EPT. */
GUEST_CASE(tdx_two_tds)
{
	struct cc_case s1, s2;
	struct guest g1, g2;

	if (!tdx_setup(t, v, &g1, &s1) || !tdx_setup(t, v, &g2, &s2))
		return;
	KT_ASSERT_OK(t, tdx_start(&g1, TDX_T_ACCEPT_USE));
	KT_ASSERT_OK(t, tdx_start(&g2, TDX_T_ACCEPT_2M_OVER_4K));
	KT_EXPECT_DONE(t, &g1, &cc_case_handlers);
	KT_EXPECT_DONE(t, &g2, &cc_case_handlers);
}

static const struct kt_case tdx_cases[] = {
	KT_CASE_IF(tdx_vp_info, need_tdx),
	KT_CASE_IF(tdx_accept_then_use, need_tdx),
	KT_CASE_IF(tdx_ve_before_accept, need_tdx),
	KT_CASE_IF(tdx_ve_unread_is_double_fault, need_tdx),
	KT_CASE_IF(tdx_double_accept, need_tdx),
	KT_CASE_IF(tdx_accept_2m, need_tdx_mappings),
	KT_CASE_IF(tdx_accept_4k_in_pending_2m, need_tdx_mappings),
	KT_CASE_IF(tdx_accept_2m_over_4k_leaves, need_tdx),
	KT_CASE_IF(tdx_accept_bad_operands, need_tdx),
	KT_CASE_IF(tdx_map_gpa_to_shared_and_back, need_tdx),
	KT_CASE_IF(tdx_map_gpa_in_chunks, need_tdx),
	KT_CASE_IF(tdx_map_gpa_retry, need_tdx),
	KT_CASE_IF(tdx_map_gpa_errors, need_tdx),
	KT_CASE_IF(tdx_host_converts_while_guest_runs, need_tdx),
	KT_CASE_IF(tdx_punch_then_reaccept, need_tdx),
	KT_CASE_IF(tdx_4k_conversion_in_2m_page, need_tdx_inplace),
	KT_CASE_IF(tdx_4k_conversion_with_discard, need_tdx_mappings),
	KT_CASE_IF(tdx_initial_memory_added, need_tdx),
	KT_CASE_IF(tdx_implicit_conversions, need_tdx),
	KT_CASE_IF(tdx_tdcall_bad_leaf, need_tdx),
	KT_CASE_IF(tdx_two_vcpus, need_tdx),
	KT_CASE_IF(tdx_two_tds, need_tdx),
};

const struct kt_suite guest_tdx_suite = KT_SUITE("tdx", tdx_cases);
