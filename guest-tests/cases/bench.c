// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/bench.c - the guest paths of `make bench`, not a test
 * group: the suite GUEST_BENCH_SUITE runs only in the payload's bench=1
 * mode and in bench-linux --guest (bench/linux/). One case runs the
 * "bench" guest (programs.h) BENCH_ROUNDS times, each in a fresh
 * sw_protected VM, and prints for each step the cycles per operation,
 * as the median, least and most of the rounds:
 *
 *	# bench-guest<TAB>STEP<TAB>MEDIAN<TAB>MIN<TAB>MAX<TAB>OPERATIONS
 *
 * The guest reads its own TSC around each step, so a figure is what the
 * guest waits for: a nested fault's handling and mapping (first touch),
 * a VMMCALL the hypervisor answers itself (the VMRUN round trip), an
 * exit through the VMM and back, a conversion the VMM does for a
 * MAP_GPA_RANGE hypercall (attributes to shared: zap and flush) plus the
 * refault. Absolute cycles under an emulator mean little; the ratio of a
 * step to the VMRUN round trip of the same run compares backends
 * (scripts/bench-report.py).
 */
#include "guest-tests/cases/cases.h"
#include "guest-tests/guests/programs.h"
#include "lib/mem.h"

#define BENCH_SLOT 1
#define BENCH_ROUNDS 5
#define PRIV GMV_MEMORY_ATTRIBUTE_PRIVATE

enum { S_RT, S_EXIT, S_P4, S_P2, S_S4, S_S2, S_CONV, NR_STEPS };

static const struct {
	const char *name;
	u64 ops;
} steps[NR_STEPS] = {
	[S_RT] = { "vmrun round trip", BENCH_N_RT },
	[S_EXIT] = { "exit round trip", BENCH_N_RT },
	[S_P4] = { "first touch private 4KiB", 511 },
	[S_P2] = { "first touch private 2MiB", BENCH_N_2M },
	[S_S4] = { "first touch shared 4KiB", 511 },
	[S_S2] = { "first touch shared 2MiB", BENCH_N_2M },
	[S_CONV] = { "conversion while running", BENCH_N_CONV },
};

struct bench_run {
	u64 cycles[NR_STEPS];
	unsigned int outs, conversions;
};

static enum guest_action bench_sync(struct kt *t, struct guest *g, u64 stage,
				    u64 arg)
{
	struct bench_run *b = g->data;

	if (!KT_EXPECT_GE(t, stage, 1) || !KT_EXPECT_LE(t, stage, NR_STEPS))
		return GUEST_ABORT;
	b->cycles[stage - 1] = arg;
	return GUEST_RESUME;
}

/* OUTs resume at once; MAP_GPA_RANGE to shared is a conversion. */
static enum guest_action bench_exit(struct kt *t, struct guest *g, int ret,
				    struct vmm_exit *e)
{
	struct bench_run *b = g->data;

	if (!ret && e->reason == GMV_EXIT_IO && e->io.port == GUEST_TEST_PORT &&
	    !e->io.in) {
		b->outs++;
		return GUEST_RESUME;
	}
	if (ret || e->reason != GMV_EXIT_HYPERCALL ||
	    e->hypercall.nr != GMV_HC_MAP_GPA_RANGE)
		return GUEST_UNHANDLED;
	b->conversions++;
	if (!KT_EXPECT_OK(t, g->v->ops->set_attributes(
				     g->v, g->vm, e->hypercall.args[0],
				     e->hypercall.args[1] * PAGE_SIZE, 0, 0)))
		return GUEST_ABORT;
	e->hypercall.ret = 0;
	return GUEST_RESUME;
}

static const struct guest_handlers bench_handlers = {
	.sync = bench_sync,
	.exit = bench_exit,
};

static int set_attrs(struct guest *g, u64 off, u64 len, u64 attrs)
{
	return g->v->ops->set_attributes(g->v, g->vm, GUEST_TEST_GPA + off, len,
					 attrs, 0);
}

/* One round: a fresh VM with the region's attributes (programs.h). */
static bool bench_round(struct kt *t, struct vmm *v, struct bench_run *b)
{
	struct guest g;
	bool ok;

	*b = (struct bench_run){ 0 };
	if (!KT_EXPECT_OK(t, guest_create(v, GMV_VM_SW_PROTECTED, &g)))
		return false;
	g.data = b;
	ok = case_gmem_slot(t, &g, BENCH_SLOT, GUEST_TEST_GPA, BENCH_LEN, 0) >=
		     0 &&
	     KT_EXPECT_OK(t, set_attrs(&g, BENCH_P4, BENCH_S4, PRIV)) &&
	     KT_EXPECT_OK(t, set_attrs(&g, BENCH_P4, PAGE_SIZE, 0)) &&
	     KT_EXPECT_OK(t, set_attrs(&g, BENCH_S4, PAGE_SIZE, PRIV)) &&
	     KT_EXPECT_OK(t, set_attrs(&g, BENCH_C, BENCH_LEN - BENCH_C, PRIV)) &&
	     KT_EXPECT_OK(t, guest_start(&g, "bench", GUEST_TEST_GPA, 0)) &&
	     KT_EXPECT_DONE(t, &g, &bench_handlers) &&
	     KT_EXPECT_EQ(t, b->outs, BENCH_N_RT) &&
	     KT_EXPECT_EQ(t, b->conversions, BENCH_N_CONV);
	v->ops->reset(v);
	return ok;
}

static void sort_u64(u64 *a, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && a[j - 1] > a[j]; j--) {
			u64 x = a[j];

			a[j] = a[j - 1];
			a[j - 1] = x;
		}
}

GUEST_CASE(guest_bench_paths)
{
	u64 per_op[NR_STEPS][BENCH_ROUNDS];
	struct bench_run b;

	for (int r = 0; r < BENCH_ROUNDS; r++) {
		if (!bench_round(t, v, &b))
			return;
		for (int s = 0; s < NR_STEPS; s++)
			per_op[s][r] = b.cycles[s] / steps[s].ops;
	}
	for (int s = 0; s < NR_STEPS; s++) {
		sort_u64(per_op[s], BENCH_ROUNDS);
		/* A step the guest timed as nothing would be a broken TSC. */
		KT_EXPECT_GE(t, per_op[s][0], 1);
		kt_diag(t, "bench-guest\t%s\t%llu\t%llu\t%llu\t%llu",
			steps[s].name,
			(unsigned long long)per_op[s][BENCH_ROUNDS / 2],
			(unsigned long long)per_op[s][0],
			(unsigned long long)per_op[s][BENCH_ROUNDS - 1],
			(unsigned long long)steps[s].ops);
	}
}

static const struct kt_case bench_cases[] = {
	KT_CASE_IF(guest_bench_paths, need_hypercall),
};

static const struct kt_suite guest_bench_paths_suite =
	KT_SUITE("paths", bench_cases);
const struct kt_suite *const guest_bench_groups[] = {
	&guest_bench_paths_suite,
};
