/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/cases/cases.h - the guest-level cases: each runs a test
 * guest (guest-tests/guests/) on the backend given as the suite context
 * (a struct vmm *) and checks both the exits and the data. Cases a
 * backend cannot run are skipped with the backend's reason.
 */
#ifndef GMV_GUEST_TESTS_CASES_CASES_H
#define GMV_GUEST_TESTS_CASES_CASES_H

#include "hv/vmm.h"
#include "lib/ktap.h"
#include "guest-tests/runner.h"
#include "guest-tests/vmm_case.h"

/* The groups of guest cases below, in run order (suite.c). */
#define GUEST_NR_GROUPS 10
extern const struct kt_suite *const guest_groups[];

/*
 * The whole guest-level suite on the backend *vmm_ptr. It is "guest" on
 * every backend and opens with the line "# backend: NAME", so a case has
 * one path (guest.GROUP.CASE) everywhere:
 *
 *	static const struct kt_suite s = GUEST_SUITE(&my_vmm);
 */
#define GUEST_SUITE(vmm_ptr)                                   \
	{                                                      \
		.name = "guest", .children = guest_groups,     \
		.n_children = GUEST_NR_GROUPS, .ctx = vmm_ptr, \
		.intro = case_backend_intro                    \
	}

/*
 * The guest paths of `make bench` (bench.c), "guest_bench" on every
 * backend; not part of GUEST_SUITE: run by the payload's bench=1 mode and
 * by bench-linux --guest.
 */
extern const struct kt_suite *const guest_bench_groups[];
#define GUEST_BENCH_SUITE(vmm_ptr)                                   \
	{                                                            \
		.name = "guest_bench", .children = guest_bench_groups, \
		.n_children = 1, .ctx = vmm_ptr,                     \
		.intro = case_backend_intro                          \
	}

extern const struct kt_suite guest_harness_suite;
extern const struct kt_suite guest_shared_suite;
extern const struct kt_suite guest_exits_suite;
extern const struct kt_suite guest_private_suite;
extern const struct kt_suite guest_inplace_suite;
extern const struct kt_suite guest_views_suite;
extern const struct kt_suite guest_golden_suite;
extern const struct kt_suite guest_slots_suite;
extern const struct kt_suite guest_snp_suite;
extern const struct kt_suite guest_tdx_suite;

/* KT_CASE_IF predicates: the first missing feature's reason, or NULL. */
const char *need_vcpu(struct kt *t);
/* vCPUs, and a guest spinning with IF clear ends at the run time limit. */
const char *need_intr_if_clear(struct kt *t);
const char *need_shared_gmem(struct kt *t);  /* vCPU, gmem MMAP|INIT_SHARED */
const char *need_private(struct kt *t);	     /* vCPU, sw_protected VM,
					      * memory attributes */
const char *need_hypercall(struct kt *t);    /* need_private + CPL3 VMMCALL */
const char *need_inplace(struct kt *t);	     /* vCPU, sw_protected VM,
					      * in-place conversion, MMAP */
const char *need_inplace_mappings(struct kt *t); /* + guest_mapping() */
const char *need_views(struct kt *t);	     /* need_shared_gmem + views */

/*
 * Define a case whose body gets the backend; afterwards the backend's
 * consistency check must pass and everything the case opened is released
 * (vmm_ops.check, vmm_ops.reset), even when the body stopped early.
 */
#define GUEST_CASE(name)                                                  \
	static void name##_body(struct kt *t, struct vmm *v);             \
	static void name(struct kt *t)                                    \
	{                                                                 \
		struct vmm *v = kt_ctx(t);                                \
                                                                          \
		name##_body(t, v);                                        \
		KT_EXPECT_OK(t, v->ops->check(v));                        \
		v->ops->reset(v);                                         \
	}                                                                 \
	static void name##_body(struct kt *t, struct vmm *v)

/* One check: h is a new handle (>= 0); else print the errno. */
#define KT_EXPECT_HANDLE(t, h) (CASE_OPEN(t, h) >= 0)

/* One check: the run reached GUEST_DONE. */
#define KT_EXPECT_DONE(t, g, h) \
	KT_EXPECT_EQ(t, guest_run(t, g, h), GUEST_RUN_DONE)

/*
 * A gmem-only slot for the common case setup: gmem of 'size' bytes with
 * 'flags' bound at gpa as memslot 'slot' of g's VM. Returns the gmem
 * handle or -errno (after a failed check).
 */
int case_gmem_slot(struct kt *t, struct guest *g, u32 slot, u64 gpa,
		   u64 size, u64 flags);

#endif
