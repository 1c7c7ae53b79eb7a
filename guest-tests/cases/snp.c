// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/snp.c - SEV-SNP guests (KVM_X86_SNP_VM): the guest
 * program snp (guest-tests/guests/snp.c, protocol in programs.h) runs one
 * test per case in an SNP VM whose test region is a guest_memfd slot,
 * private from the start as a launched guest's memory is. The case is the
 * VMM: it answers page-state changes (KVM_HC_MAP_GPA_RANGE exits) as
 * QEMU does (memory attributes; a range made shared is punched out of the
 * guest_memfd, so its private copy goes: KVM's sev_gmem_invalidate makes
 * the pages hypervisor-owned), implicit conversions (memory-fault exits),
 * launches (launch_update) and termination requests. After every case
 * the backend's checker compares the RMP with gmem.
 *
 * On Linux these cases need an SNP VM, that is SEV-SNP hardware: they
 * are skipped with that reason.
 */
#include "guest-tests/cases/cc_case.h"
#include "guest-tests/guests/programs.h"

#define PG(n) (GUEST_TEST_GPA + (n)*PAGE_SIZE)
/* The answer with which the VMM fails a page-state change. */
#define ANSWER_FAIL ((u64)-GMV_KVM_EINVAL)

_Static_assert(SNP_PAGES == CC_CASE_PAGES, "the program covers the region");

static const char *need_snp(struct kt *t)
{
	return CASE_LACKS_ANY(t, VMM_FEAT_VCPU, VMM_FEAT_GUEST_MEMFD,
			      VMM_FEAT_SNP_VM, VMM_FEAT_SNP_GUEST,
			      VMM_FEAT_MEMORY_ATTRIBUTES);
}

/* An SNP VM with the test region private; false after a failed check. */
static bool snp_setup(struct kt *t, struct vmm *v, struct guest *g,
		      struct cc_case *s)
{
	return cc_case_setup(t, v, g, s, GMV_VM_SNP, false);
}

static int snp_start(struct guest *g, enum snp_test test)
{
	return guest_start(g, "snp", test, GUEST_TEST_GPA);
}

/* A case that runs one test to GUEST_DONE. */
static void run_test(struct kt *t, struct vmm *v, struct guest *g,
		     struct cc_case *s, enum snp_test test,
		     const struct guest_handlers *h)
{
	cc_case_run(t, v, g, s, GMV_VM_SNP, false, "snp", test, h);
}

/* SEV_STATUS, the SEV information (C-bit 47, protocol 2), CPUID
 * Fn8000_001F and the hypervisor features, as an SNP guest reads them. */
GUEST_CASE(snp_status_and_cpuid)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, SNP_T_INFO, NULL);
	KT_EXPECT_EQ(t, s.sync_arg[1], 47);
	KT_EXPECT_EQ(t, s.sync_arg[2] & 0x3f, 47);
	KT_EXPECT_EQ(t, s.calls, 0);
}

/* KVM_SEV_SNP_LAUNCH_UPDATE: pages written while shared, made private
 * and launched are the guest's, validated, with their data. */
GUEST_CASE(snp_launch_prevalidates)
{
	struct cc_case s;
	struct guest g;

	if (!snp_setup(t, v, &g, &s))
		return;
	KT_ASSERT_OK(t, cc_case_set_private(&g, PG(0), 8 * PAGE_SIZE, false));
	KT_ASSERT_OK(t, mem_fill(v, gpa_range(g.vm, PG(0), 8 * PAGE_SIZE),
				 SNP_SEED));
	/* Not private yet: the launch refuses it. */
	KT_EXPECT_ERRNO(t, v->ops->launch_update(v, g.vm, PG(0), PAGE_SIZE),
			EFAULT);
	KT_ASSERT_OK(t, cc_case_set_private(&g, PG(0), 8 * PAGE_SIZE, true));
	KT_EXPECT_ERRNO(t, v->ops->launch_update(v, g.vm, PG(0) + 1, PAGE_SIZE),
			EINVAL);
	KT_ASSERT_OK(t, v->ops->launch_update(v, g.vm, PG(0), 8 * PAGE_SIZE));
	KT_ASSERT_OK(t, snp_start(&g, SNP_T_LAUNCHED));
	/* The launch ends with the first vCPU. */
	KT_EXPECT_ERRNO(t, v->ops->launch_update(v, g.vm, PG(8), PAGE_SIZE),
			EINVAL);
	KT_EXPECT_DONE(t, &g, &cc_case_handlers);
}

/* A launch is SNP's: another VM type has none. */
GUEST_CASE(snp_launch_needs_snp_vm)
{
	struct guest g;

	KT_ASSERT_OK(t, guest_create(v, GMV_VM_SW_PROTECTED, &g));
	KT_EXPECT_ERRNO(t, v->ops->launch_update(v, g.vm, 0, PAGE_SIZE),
			EINVAL);
}

/* A private access before PVALIDATE, and after a rescind, is #VC with
 * error code 0x404; PVALIDATE's CF=1 when nothing changes. */
GUEST_CASE(snp_vc_until_validated)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, SNP_T_VC, NULL);
}

static enum guest_action pvalidate_sync(struct kt *t, struct guest *g,
					u64 stage, u64 arg)
{
	switch (stage) {
	case 1: /* the PSMASHed block maps at 4 KiB */
		cc_case_expect_mapping(t, g, PG(5), PAGE_SIZE);
		break;
	case 2: /* the block validated whole at 2 MiB */
		cc_case_expect_mapping(t, g, PG(512), SZ_2M);
		break;
	case 3: /* PSMASHed by the 4 KiB operand */
		cc_case_expect_mapping(t, g, PG(700), PAGE_SIZE);
		break;
	default:
		KT_EXPECT_LE(t, stage, 3);
		return GUEST_ABORT;
	}
	return GUEST_RESUME;
}

static const struct guest_handlers pvalidate_handlers = {
	.sync = pvalidate_sync,
	.exit = cc_case_exit,
};

/* PVALIDATE's FAIL_INPUT and FAIL_SIZEMISMATCH, a 4 KiB operand on a
 * 2 MiB entry (SIZEM: PSMASH, retry, the nested mapping split), a 2 MiB
 * validation mapped at 2 MiB. */
GUEST_CASE(snp_pvalidate_codes)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, SNP_T_PVALIDATE, &pvalidate_handlers);
	KT_EXPECT_EQ(t, g.stage, 3);
}

static enum guest_action psc_msr_sync(struct kt *t, struct guest *g, u64 stage,
				      u64 arg)
{
	KT_EXPECT_EQ(t, stage, 1);
	KT_EXPECT_PATTERN(t, g->v, gpa_range(g->vm, arg, PAGE_SIZE),
			  SNP_SHARED_SEED);
	return GUEST_RESUME;
}

static const struct guest_handlers psc_msr_handlers = {
	.sync = psc_msr_sync,
	.exit = cc_case_exit,
};

/* The MSR protocol's page-state change, both ways: each a
 * KVM_HC_MAP_GPA_RANGE exit of one 4 KiB page, the shared data seen by
 * the host. */
GUEST_CASE(snp_psc_msr_protocol)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, SNP_T_PSC_MSR, &psc_msr_handlers);
	KT_ASSERT_EQ(t, s.calls, 2);
	KT_EXPECT_EQ(t, s.log[0].gpa, PG(1));
	KT_EXPECT_EQ(t, s.log[0].npages, 1);
	KT_EXPECT_EQ(t, s.log[0].attrs, GMV_MAP_GPA_RANGE_DECRYPTED);
	KT_EXPECT_EQ(t, s.log[1].gpa, PG(1));
	KT_EXPECT_EQ(t, s.log[1].attrs, GMV_MAP_GPA_RANGE_ENCRYPTED);
}

static enum guest_action psc_bad_sync(struct kt *t, struct guest *g, u64 stage,
				      u64 arg)
{
	struct cc_case *s = g->data;

	/* The bad operation reached no VMM; fail the next request. */
	KT_EXPECT_EQ(t, s->calls, 0);
	s->odd_calls = BIT(1);
	s->answer = ANSWER_FAIL;
	return GUEST_RESUME;
}

static const struct guest_handlers psc_bad_handlers = {
	.sync = psc_bad_sync,
	.exit = cc_case_exit,
};

/* An operation the MSR protocol does not know is answered with an error
 * and no exit; a request the VMM fails is answered with an error. */
GUEST_CASE(snp_psc_msr_errors)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, SNP_T_PSC_MSR_BAD, &psc_bad_handlers);
	KT_EXPECT_EQ(t, s.calls, 1);
}

static enum guest_action ghcb_psc_sync(struct kt *t, struct guest *g, u64 stage,
				       u64 arg)
{
	struct cc_case *s = g->data;
	u64 size;

	switch (stage) {
	case 1: /* one entry: one exit of one page */
		KT_EXPECT_EQ(t, s->calls, 1);
		KT_EXPECT_EQ(t, s->log[0].gpa, PG(0));
		KT_EXPECT_PATTERN(t, g->v, gpa_range(g->vm, PG(0), PAGE_SIZE),
				  SNP_SHARED_SEED);
		break;
	case 2: /* three separate entries: three exits */
		KT_EXPECT_EQ(t, s->calls, 4);
		for (unsigned int i = 1; i < 4; i++) {
			KT_EXPECT_EQ(t, s->log[i].gpa, PG(2 * i));
			KT_EXPECT_EQ(t, s->log[i].npages, 1);
		}
		break;
	case 3: /* three contiguous entries: one exit of three pages */
		KT_EXPECT_EQ(t, s->calls, 5);
		KT_EXPECT_EQ(t, s->log[4].gpa, PG(10));
		KT_EXPECT_EQ(t, s->log[4].npages, 3);
		break;
	case 4: /* a 2 MiB entry each way: 512 pages, 2 MiB size */
		KT_EXPECT_EQ(t, s->calls, 7);
		for (unsigned int i = 5; i < 7; i++) {
			KT_EXPECT_EQ(t, s->log[i].gpa, PG(512));
			KT_EXPECT_EQ(t, s->log[i].npages, 512);
			KT_EXPECT_EQ(t,
				     s->log[i].attrs &
					     GMV_MAP_GPA_RANGE_PAGE_SZ_MASK,
				     GMV_MAP_GPA_RANGE_PAGE_SZ_2M);
		}
		KT_EXPECT_EQ(t, s->log[6].attrs & GMV_MAP_GPA_RANGE_ENCRYPTED,
			     GMV_MAP_GPA_RANGE_ENCRYPTED);
		if (!CASE_LACKS_ANY(t, VMM_FEAT_MAPPING_INFO)) {
			KT_EXPECT_OK(t, g->v->ops->guest_mapping(
						g->v, g->vm, PG(512), &size));
			KT_EXPECT_EQ(t, size, SZ_2M);
		}
		break;
	default:
		KT_EXPECT_LE(t, stage, 4);
		return GUEST_ABORT;
	}
	return GUEST_RESUME;
}

static const struct guest_handlers ghcb_psc_handlers = {
	.sync = ghcb_psc_sync,
	.exit = cc_case_exit,
};

/* The GHCB page-state change: registration, one entry, entries that make
 * separate runs (one exit per VMGEXIT, cur_entry advancing), a run of
 * contiguous entries, 2 MiB entries. */
GUEST_CASE(snp_ghcb_psc)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, SNP_T_GHCB_PSC, &ghcb_psc_handlers);
}

static enum guest_action fail_second_exit(struct kt *t, struct guest *g,
					  int ret, struct vmm_exit *e)
{
	struct cc_case *s = g->data;

	s->odd_calls = BIT(2);
	s->answer = ANSWER_FAIL;
	return cc_case_exit(t, g, ret, e);
}

static const struct guest_handlers ghcb_fail_handlers = {
	.sync = cc_case_sync,
	.exit = fail_second_exit,
};

/* The VMM fails the second of three runs: the guest gets
 * VMGEXIT_PSC_ERROR_GENERIC with cur_entry at the failed entry. */
GUEST_CASE(snp_ghcb_psc_fails_midway)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, SNP_T_GHCB_FAIL, &ghcb_fail_handlers);
	KT_EXPECT_EQ(t, s.calls, 2);
}

/* A bad header, a bad entry and an unknown event are answered in the
 * GHCB without any exit. */
GUEST_CASE(snp_ghcb_malformed)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, SNP_T_GHCB_BAD, NULL);
	KT_EXPECT_EQ(t, s.calls, 0);
}

/* A punch of a validated private page without the guest's consent: the
 * page is reclaimed, the next access meets a fresh page that is assigned
 * but not validated (#VC), and reads zeros once validated. */
GUEST_CASE(snp_page_taken_back)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, SNP_T_TOOK_BACK, &cc_case_punch_handlers);
	KT_EXPECT_EQ(t, s.calls, 0);
}

static enum guest_action split_sync(struct kt *t, struct guest *g, u64 stage,
				    u64 arg)
{
	u64 size = 0;

	switch (stage) {
	case 1:
	case 3: /* the 2 MiB block maps whole */
		KT_EXPECT_OK(
			t, g->v->ops->guest_mapping(g->v, g->vm, PG(0), &size));
		KT_EXPECT_EQ(t, size, SZ_2M);
		break;
	case 2: /* split: its private pages map at 4 KiB */
		KT_EXPECT_OK(
			t, g->v->ops->guest_mapping(g->v, g->vm, PG(2), &size));
		KT_EXPECT_EQ(t, size, PAGE_SIZE);
		KT_EXPECT_PATTERN(t, g->v, gpa_range(g->vm, arg, PAGE_SIZE),
				  SNP_SHARED_SEED);
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

static const char *need_snp_mappings(struct kt *t)
{
	return need_snp(t) ?: CASE_LACKS_ANY(t, VMM_FEAT_MAPPING_INFO);
}

/* A 4 KiB conversion inside a private 2 MiB page: PSMASH and a split
 * nested mapping, the neighbours' data kept; the whole block made shared
 * and private again maps at 2 MiB once more. */
GUEST_CASE(snp_4k_conversion_in_2m_page)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, SNP_T_SPLIT_MERGE, &split_handlers);
}

/* RMPADJUST of the VMSA bit and a VMPL's permissions, and its
 * FAIL_PERMISSION, FAIL_INPUT and FAIL_SIZEMISMATCH. */
GUEST_CASE(snp_rmpadjust)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, SNP_T_RMPADJUST, NULL);
}

/* SEV_STATUS is read-only: WRMSR raises #GP(0) in the guest. */
GUEST_CASE(snp_sev_status_read_only)
{
	struct cc_case s;
	struct guest g;

	run_test(t, v, &g, &s, SNP_T_STATUS_RO, NULL);
}

static enum guest_action spin_exit(struct kt *t, struct guest *g, int ret,
				   struct vmm_exit *e)
{
	struct cc_case *s = g->data;

	if (ret == -EINTR && e->reason == GMV_EXIT_INTR) {
		s->ended = true;
		return GUEST_END;
	}
	return cc_case_exit(t, g, ret, e);
}

static const struct guest_handlers spin_handlers = {
	.sync = cc_case_sync,
	.exit = spin_exit,
};

/* A guest spinning on page-state changes the hypervisor answers by
 * itself still ends its run at the run time limit. */
GUEST_CASE(snp_run_limit_in_psc_loop)
{
	struct cc_case s;
	struct guest g;

	if (!snp_setup(t, v, &g, &s))
		return;
	KT_ASSERT_OK(t, snp_start(&g, SNP_T_PSC_SPIN));
	KT_EXPECT_EQ(t, guest_run(t, &g, &spin_handlers), GUEST_RUN_ENDED);
	KT_EXPECT(t, s.ended);
	KT_EXPECT_EQ(t, g.stage, 1);
	KT_EXPECT_EQ(t, s.calls, 0);
}

static enum guest_action term_exit(struct kt *t, struct guest *g, int ret,
				   struct vmm_exit *e)
{
	struct cc_case *s = g->data;

	if (ret || e->reason != GMV_EXIT_SYSTEM_EVENT)
		return cc_case_exit(t, g, ret, e);
	KT_EXPECT_EQ(t, e->system_event.type, GMV_SYSTEM_EVENT_SEV_TERM);
	KT_EXPECT_EQ(t, e->system_event.data, 0x100 | 1 << 12 | 2 << 16);
	s->ended = true;
	return GUEST_END;
}

static const struct guest_handlers term_handlers = {
	.sync = cc_case_sync,
	.exit = term_exit,
};

/* The MSR protocol's termination request is KVM's SEV_TERM system event
 * with the request as its data. */
GUEST_CASE(snp_termination_request)
{
	struct cc_case s;
	struct guest g;

	if (!snp_setup(t, v, &g, &s))
		return;
	KT_ASSERT_OK(t, snp_start(&g, SNP_T_TERMINATE));
	KT_EXPECT_EQ(t, guest_run(t, &g, &term_handlers), GUEST_RUN_ENDED);
	KT_EXPECT(t, s.ended);
}

static enum guest_action implicit_sync(struct kt *t, struct guest *g, u64 stage,
				       u64 arg)
{
	KT_EXPECT_EQ(t, stage, 1);
	KT_EXPECT_PATTERN(t, g->v, gpa_range(g->vm, arg, PAGE_SIZE),
			  SNP_SHARED_SEED);
	return GUEST_RESUME;
}

static const struct guest_handlers implicit_handlers = {
	.sync = implicit_sync,
	.exit = cc_case_exit,
};

/* Implicit conversions: a C=1 access to a shared page and a C=0 access
 * to a private one are memory-fault exits the host converts on. */
GUEST_CASE(snp_implicit_conversions)
{
	struct cc_case s;
	struct guest g;

	if (!snp_setup(t, v, &g, &s))
		return;
	KT_ASSERT_OK(t, cc_case_set_private(&g, PG(6), PAGE_SIZE, false));
	KT_ASSERT_OK(t, snp_start(&g, SNP_T_IMPLICIT));
	KT_EXPECT_DONE(t, &g, &implicit_handlers);
	KT_EXPECT_EQ(t, s.faults, 2);
	KT_EXPECT_EQ(t, s.calls, 0);
}

static enum guest_action unreg_exit(struct kt *t, struct guest *g, int ret,
				    struct vmm_exit *e)
{
	struct cc_case *s = g->data;

	if (ret || e->reason != GMV_EXIT_INTERNAL_ERROR)
		return cc_case_exit(t, g, ret, e);
	s->ended = true;
	return GUEST_END;
}

static const struct guest_handlers unreg_handlers = {
	.sync = cc_case_sync,
	.exit = unreg_exit,
};

/* GHCB registration of a GPA without memory is refused (the GFN field
 * all ones, GHCB spec "GHCB GPA Registration"), and a VMGEXIT on a GHCB
 * that is not the registered one ends the run as an internal error: the
 * guest broke the protocol (KVM stops such a vCPU too). */
GUEST_CASE(snp_ghcb_registration)
{
	struct cc_case s;
	struct guest g;

	if (!snp_setup(t, v, &g, &s))
		return;
	KT_ASSERT_OK(t, snp_start(&g, SNP_T_GHCB_UNREG));
	KT_EXPECT_EQ(t, guest_run(t, &g, &unreg_handlers), GUEST_RUN_ENDED);
	KT_EXPECT(t, s.ended);
	KT_EXPECT_EQ(t, s.sync_arg[1], 0xfffffffffffff000ULL | 0x013);
	KT_EXPECT_EQ(t, s.calls, 0);
}

/* The host's writes never reach a private page: by GPA they land in the
 * slot's shared memory, which the guest's private view does not see, and
 * the guest_memfd itself takes none (no MMAP flag); a launched page
 * cannot be launched again. */
GUEST_CASE(snp_host_writes_miss_private)
{
	struct cc_case s;
	struct guest g;
	u64 word = 0;

	if (!snp_setup(t, v, &g, &s))
		return;
	KT_ASSERT_OK(t, cc_case_launch(&g, PG(0), 8 * PAGE_SIZE, SNP_SEED));
	KT_EXPECT_ERRNO(t, v->ops->launch_update(v, g.vm, PG(2), PAGE_SIZE),
			EEXIST);
	KT_EXPECT_OK(t, mem_fill(v, gpa_range(g.vm, PG(0), 8 * PAGE_SIZE),
				 SNP_HOST_SEED));
	KT_EXPECT(t, v->ops->host_write(v, s.gmem, 0, &word, 8) < 0);
	KT_ASSERT_OK(t, snp_start(&g, SNP_T_LAUNCHED));
	KT_EXPECT_DONE(t, &g, &cc_case_handlers);
}

/* An SNP VM's guest_memfd is that VM's alone: a second VM's view is
 * refused (kvm_gmem_bind), and two SNP VMs each run on their own memory
 * with their own ASID. */
GUEST_CASE(snp_two_vms)
{
	struct cc_case s1, s2;
	struct guest g1, g2;

	if (!snp_setup(t, v, &g1, &s1) || !snp_setup(t, v, &g2, &s2))
		return;
	if (!CASE_LACKS_ANY(t, VMM_FEAT_GMEM_VIEWS))
		KT_EXPECT_ERRNO(t, v->ops->create_gmem_view(v, s1.gmem, g2.vm),
				EINVAL);
	KT_ASSERT_OK(t, cc_case_launch(&g1, PG(0), 8 * PAGE_SIZE, SNP_SEED));
	KT_ASSERT_OK(t, cc_case_launch(&g2, PG(0), 8 * PAGE_SIZE, SNP_SEED));
	KT_ASSERT_OK(t, snp_start(&g1, SNP_T_LAUNCHED));
	KT_ASSERT_OK(t, snp_start(&g2, SNP_T_LAUNCHED));
	KT_EXPECT_DONE(t, &g1, &cc_case_handlers);
	KT_EXPECT_DONE(t, &g2, &cc_case_handlers);
}

static const struct kt_case snp_cases[] = {
	KT_CASE_IF(snp_status_and_cpuid, need_snp),
	KT_CASE_IF(snp_launch_prevalidates, need_snp),
	KT_CASE_IF(snp_launch_needs_snp_vm, need_snp),
	KT_CASE_IF(snp_vc_until_validated, need_snp),
	KT_CASE_IF(snp_pvalidate_codes, need_snp),
	KT_CASE_IF(snp_psc_msr_protocol, need_snp),
	KT_CASE_IF(snp_psc_msr_errors, need_snp),
	KT_CASE_IF(snp_ghcb_psc, need_snp),
	KT_CASE_IF(snp_ghcb_psc_fails_midway, need_snp),
	KT_CASE_IF(snp_ghcb_malformed, need_snp),
	KT_CASE_IF(snp_ghcb_registration, need_snp),
	KT_CASE_IF(snp_page_taken_back, need_snp),
	KT_CASE_IF(snp_4k_conversion_in_2m_page, need_snp_mappings),
	KT_CASE_IF(snp_rmpadjust, need_snp),
	KT_CASE_IF(snp_sev_status_read_only, need_snp),
	KT_CASE_IF(snp_run_limit_in_psc_loop, need_snp),
	KT_CASE_IF(snp_termination_request, need_snp),
	KT_CASE_IF(snp_implicit_conversions, need_snp),
	KT_CASE_IF(snp_host_writes_miss_private, need_snp),
	KT_CASE_IF(snp_two_vms, need_snp),
};

const struct kt_suite guest_snp_suite = KT_SUITE("snp", snp_cases);
