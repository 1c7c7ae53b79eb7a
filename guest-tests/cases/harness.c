// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/harness.c - the guest environment contract itself:
 * the report channel and port I/O in both directions (guest "harness"),
 * exceptions ending as SHUTDOWN (guest "fault"), and the run time limit
 * (guest "spin").
 */
#include "guest-tests/cases/cases.h"
#include "guest-tests/guests/programs.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define HARNESS_KEY 0x0123456789abcdefULL
#define HARNESS_MASK 0xfedcba9876543210ULL

struct harness {
	unsigned int outs, ins;
	u64 assert_line; /* from SYNC(2) */
};

static enum guest_action harness_sync(struct kt *t, struct guest *g,
				      u64 stage, u64 arg)
{
	struct harness *h = g->data;

	if (stage == 1)
		return KT_EXPECT_EQ(t, arg, HARNESS_KEY ^ HARNESS_MASK) ?
			       GUEST_RESUME : GUEST_ABORT;
	if (!KT_EXPECT_EQ(t, stage, 2))
		return GUEST_ABORT;
	h->assert_line = arg;
	return GUEST_RESUME;
}

/* OUTs of 1, 2 and 4 bytes in that order, then one 4-byte IN. */
static enum guest_action harness_exit(struct kt *t, struct guest *g, int ret,
				      struct vmm_exit *e)
{
	static const struct {
		u8 size;
		u64 data;
	} outs[] = { { 1, HARNESS_OUT8 }, { 2, HARNESS_OUT16 },
		     { 4, HARNESS_OUT32 } };
	struct harness *h = g->data;

	if (ret || e->reason != GMV_EXIT_IO || e->io.port != GUEST_TEST_PORT)
		return GUEST_UNHANDLED;
	if (e->io.in) {
		h->ins++;
		if (!KT_EXPECT_EQ(t, e->io.size, 4) ||
		    !KT_EXPECT_EQ(t, h->outs, ARRAY_SIZE(outs)))
			return GUEST_ABORT;
		e->io.data = (u32)~HARNESS_KEY;
		return GUEST_RESUME;
	}
	if (!KT_EXPECT_LT(t, h->outs, ARRAY_SIZE(outs)))
		return GUEST_ABORT;
	KT_EXPECT_EQ(t, e->io.size, outs[h->outs].size);
	KT_EXPECT_EQ(t, e->io.count, 1);
	KT_EXPECT_EQ(t, e->io.data, outs[h->outs].data);
	h->outs++;
	return GUEST_RESUME;
}

/* The deliberate GUEST_ASSERT_EQ(in, mask): what reaches the host. */
static enum guest_action harness_assert(struct kt *t, struct guest *g,
					const struct guest_ucall *uc)
{
	static const char file[] = "guest-tests/guests/harness.c";
	struct harness *h = g->data;
	size_t n = strlen(uc->file);

	KT_EXPECT(t, n >= sizeof(file) - 1 &&
			     !strcmp(uc->file + n - (sizeof(file) - 1), file));
	KT_EXPECT_EQ(t, uc->line, h->assert_line);
	KT_EXPECT_STR_EQ(t, uc->text, "in == mask");
	KT_EXPECT_EQ(t, uc->args[0], (u32)~HARNESS_KEY);
	KT_EXPECT_EQ(t, uc->args[1], HARNESS_MASK);
	KT_EXPECT_EQ(t, uc->args[2], 1);
	return GUEST_END;
}

static const struct guest_handlers harness_handlers = {
	.sync = harness_sync,
	.exit = harness_exit,
	.assert_failed = harness_assert,
};

GUEST_CASE(guest_harness_channel)
{
	struct harness h = { 0 };
	struct guest g;

	KT_ASSERT_OK(t, guest_create(v, GMV_VM_DEFAULT, &g));
	g.data = &h;
	KT_ASSERT_OK(t, guest_start(&g, "harness", HARNESS_KEY, HARNESS_MASK));
	KT_EXPECT_EQ(t, guest_run(t, &g, &harness_handlers), GUEST_RUN_ENDED);
	KT_EXPECT_EQ(t, h.outs, 3);
	KT_EXPECT_EQ(t, h.ins, 1);
	KT_EXPECT_EQ(t, g.stage, 2);
}

struct fault {
	u64 mode;
	u64 address; /* from SYNC(1) */
	bool shutdown;
	bool resets; /* VMM_FACT_SHUTDOWN_RESETS */
};

/* Where the vCPU is after the SHUTDOWN exit of a reset (SDM/APM: the
 * reset vector's offset in the F000 segment). */
#define RESET_RIP 0xfff0

static enum guest_action fault_sync(struct kt *t, struct guest *g, u64 stage,
				    u64 arg)
{
	struct fault *f = g->data;

	f->address = arg;
	return KT_EXPECT_EQ(t, stage, 1) ? GUEST_RESUME : GUEST_ABORT;
}

static enum guest_action fault_exit(struct kt *t, struct guest *g, int ret,
				    struct vmm_exit *e)
{
	struct fault *f = g->data;
	struct vmm_regs r;

	if (ret || e->reason != GMV_EXIT_SHUTDOWN)
		return GUEST_UNHANDLED;
	f->shutdown = true;
	KT_EXPECT_EQ(t, g->stage, 1);
	if (!KT_EXPECT_OK(t, g->v->ops->vcpu_get_regs(g->v, g->vcpu, &r)))
		return GUEST_ABORT;
	/* SVM's KVM resets the vCPU; elsewhere the faulting instruction
	 * did not complete: rip is still on it. */
	if (f->resets)
		KT_EXPECT_EQ(t, r.rip, RESET_RIP);
	else if (f->mode == FAULT_UD)
		KT_EXPECT_EQ(t, r.rip, f->address);
	else
		KT_EXPECT(t, r.rip >= GUEST_IMAGE_GPA &&
				     r.rip < GUEST_LOW_SIZE);
	return GUEST_END;
}

static const struct guest_handlers fault_handlers = {
	.sync = fault_sync,
	.exit = fault_exit,
};

/* No IDT: #UD and #PF (beyond the identity map) both end as SHUTDOWN. */
GUEST_CASE(guest_exception_is_shutdown)
{
	static const u64 modes[] = { FAULT_UD, FAULT_PF };
	bool resets = v->ops->fact(v, VMM_FACT_SHUTDOWN_RESETS);

	if (resets)
		kt_diag(t, "row: intentional SVM's KVM resets the vCPU after a "
			   "SHUTDOWN exit (rip 0x%x); native, like KVM on VMX "
			   "and PVM, leaves rip on the faulting instruction",
			RESET_RIP);
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		struct fault f = { .mode = modes[i], .resets = resets };
		struct guest g;

		KT_ASSERT_OK(t, guest_create(v, GMV_VM_DEFAULT, &g));
		g.data = &f;
		KT_ASSERT_OK(t, guest_start(&g, "fault", modes[i], 0));
		KT_EXPECT_EQ(t, guest_run(t, &g, &fault_handlers),
			     GUEST_RUN_ENDED);
		KT_EXPECT(t, f.shutdown);
		if (f.mode == FAULT_PF)
			KT_EXPECT_EQ(t, f.address, GUEST_MAP_LIMIT);
	}
}

struct spin {
	u64 flag; /* GPA, from SYNC(1) */
	unsigned int intrs;
};

static enum guest_action spin_sync(struct kt *t, struct guest *g, u64 stage,
				   u64 arg)
{
	struct spin *s = g->data;

	s->flag = arg;
	return KT_EXPECT_EQ(t, stage, 1) ? GUEST_RESUME : GUEST_ABORT;
}

/* The interrupted run: KVM_EXIT_INTR with the guest inside its loop. */
static enum guest_action spin_exit(struct kt *t, struct guest *g, int ret,
				   struct vmm_exit *e)
{
	struct spin *s = g->data;
	u64 one = 1;

	if (ret != -EINTR)
		return GUEST_UNHANDLED;
	s->intrs++;
	KT_EXPECT_EQ(t, e->reason, GMV_EXIT_INTR);
	KT_EXPECT(t, e->other.rip >= GUEST_IMAGE_GPA &&
			     e->other.rip < GUEST_LOW_SIZE);
	return KT_EXPECT_OK(t, g->v->ops->guest_write(g->v, g->vm, s->flag,
						      &one, sizeof(one))) ?
		       GUEST_RESUME :
		       GUEST_ABORT;
}

static const struct guest_handlers spin_handlers = {
	.sync = spin_sync,
	.exit = spin_exit,
};

/* A guest that makes no exit for VMM_RUN_LIMIT_MS: vcpu_run returns
 * -EINTR, and the next run goes on where the guest was. */
GUEST_CASE(guest_spin_meets_the_time_limit)
{
	struct spin s = { 0 };
	struct guest g;

	KT_ASSERT_OK(t, guest_create(v, GMV_VM_DEFAULT, &g));
	g.data = &s;
	KT_ASSERT_OK(t, guest_start(&g, "spin", 0, 0));
	KT_EXPECT_DONE(t, &g, &spin_handlers);
	KT_EXPECT_EQ(t, s.intrs, 1);
}

static const struct kt_case harness_cases[] = {
	KT_CASE_IF(guest_harness_channel, need_vcpu),
	KT_CASE_IF(guest_exception_is_shutdown, need_vcpu),
	KT_CASE_IF(guest_spin_meets_the_time_limit, need_intr_if_clear),
};

const struct kt_suite guest_harness_suite =
	KT_SUITE("harness", harness_cases);
