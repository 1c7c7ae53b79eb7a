// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/shared.c - shared guest_memfd memory between a
 * running guest and the host on a default VM: data both ways through a
 * gmem-only slot (G89), and a hole punched while the guest runs (G92).
 */
#include "guest-tests/cases/cases.h"
#include "guest-tests/guests/programs.h"
#include "guest-tests/host_mem.h"

#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define TEST_SLOT 1
#define RW_LEN (16 * PAGE_SIZE)
#define PUNCH_LEN (PUNCH_PAGES * PAGE_SIZE)

struct shared {
	int gmem;
};

static struct mem_range whole(struct guest *g, u64 len)
{
	struct shared *s = g->data;

	return gmem_range(s->gmem, 0, GUEST_TEST_GPA, len);
}

/* A default-VM guest running prog over a slot on len bytes of shared gmem
 * at GUEST_TEST_GPA; false after a failed check. */
static bool shared_start(struct kt *t, struct vmm *v, struct guest *g,
			 struct shared *s, const char *prog, u64 len)
{
	if (!KT_EXPECT_OK(t, guest_create(v, GMV_VM_DEFAULT, g)))
		return false;
	g->data = s;
	s->gmem = case_gmem_slot(t, g, TEST_SLOT, GUEST_TEST_GPA, len,
				 SHARED_FLAGS);
	return s->gmem >= 0 &&
	       KT_EXPECT_OK(t, guest_start(g, prog, GUEST_TEST_GPA, len));
}

static enum guest_action shared_rw_sync(struct kt *t, struct guest *g,
					u64 stage, u64 arg)
{
	if (!KT_EXPECT_EQ(t, stage, 1))
		return GUEST_ABORT;
	KT_EXPECT_PATTERN(t, g->v, whole(g, RW_LEN), SHARED_RW_GUEST_SEED);
	KT_EXPECT_PATTERN(t, g->v, gpa_range(g->vm, GUEST_TEST_GPA, RW_LEN),
			  SHARED_RW_GUEST_SEED);
	if (!KT_EXPECT_OK(t, mem_fill(g->v, whole(g, RW_LEN),
				      SHARED_RW_HOST_SEED)))
		return GUEST_ABORT;
	return GUEST_RESUME;
}

static const struct guest_handlers shared_rw_handlers = {
	.sync = shared_rw_sync,
};

/* (a) The guest's writes reach the host's gmem mapping, and back. */
GUEST_CASE(guest_shared_gmem_rw)
{
	struct shared s;
	struct guest g;

	if (!shared_start(t, v, &g, &s, "shared_rw", RW_LEN))
		return;
	KT_EXPECT_DONE(t, &g, &shared_rw_handlers);
	KT_EXPECT_EQ(t, g.stage, 1);
	KT_EXPECT_PATTERN(t, v, whole(&g, RW_LEN), SHARED_RW_HOST_SEED);
}

static struct mem_range punch_pages(struct guest *g, u64 first, u64 n)
{
	struct shared *s = g->data;

	return gmem_range(s->gmem, first * PAGE_SIZE,
			  GUEST_TEST_GPA + first * PAGE_SIZE, n * PAGE_SIZE);
}

static enum guest_action punch_sync(struct kt *t, struct guest *g, u64 stage,
				    u64 arg)
{
	struct shared *s = g->data;
	struct vmm *v = g->v;
	u64 tail = PUNCH_HOLE_FIRST + PUNCH_HOLE_COUNT;

	if (stage == 1) {
		KT_EXPECT_PATTERN(t, v, whole(g, PUNCH_LEN), PUNCH_SEED);
		if (!KT_EXPECT_OK(t, v->ops->fallocate(
					     v, s->gmem,
					     GMV_FALLOC_PUNCH_HOLE |
						     GMV_FALLOC_KEEP_SIZE,
					     PUNCH_HOLE_FIRST * PAGE_SIZE,
					     PUNCH_HOLE_COUNT * PAGE_SIZE)))
			return GUEST_ABORT;
		KT_EXPECT_PATTERN(t, v,
				  punch_pages(g, PUNCH_HOLE_FIRST,
					      PUNCH_HOLE_COUNT),
				  PATTERN_ZERO);
		if (!KT_EXPECT_OK(t, mem_fill(v, punch_pages(g, PUNCH_HOST_PAGE,
							     1),
					      PUNCH_HOST_SEED)))
			return GUEST_ABORT;
		return GUEST_RESUME;
	}
	if (!KT_EXPECT_EQ(t, stage, 2))
		return GUEST_ABORT;
	KT_EXPECT_PATTERN(t, v, punch_pages(g, 0, PUNCH_HOLE_FIRST),
			  PUNCH_SEED);
	KT_EXPECT_PATTERN(t, v,
			  punch_pages(g, PUNCH_HOLE_FIRST, PUNCH_HOLE_COUNT),
			  PUNCH_REFILL_SEED);
	KT_EXPECT_PATTERN(t, v, punch_pages(g, tail, PUNCH_HOST_PAGE - tail),
			  PUNCH_SEED);
	KT_EXPECT_PATTERN(t, v, punch_pages(g, PUNCH_HOST_PAGE, 1),
			  PUNCH_HOST_SEED);
	return GUEST_RESUME;
}

static const struct guest_handlers punch_handlers = {
	.sync = punch_sync,
};

/* (b) A hole punched while the guest runs reads as zeros in the guest;
 * the refilled pages are the host's again (G92). */
GUEST_CASE(guest_punch_hole_while_running)
{
	struct shared s;
	struct guest g;

	if (!shared_start(t, v, &g, &s, "punch", PUNCH_LEN))
		return;
	KT_EXPECT_DONE(t, &g, &punch_handlers);
	KT_EXPECT_EQ(t, g.stage, 2);
}

static const struct kt_case shared_cases[] = {
	KT_CASE_IF(guest_shared_gmem_rw, need_shared_gmem),
	KT_CASE_IF(guest_punch_hole_while_running, need_shared_gmem),
};

const struct kt_suite guest_shared_suite = KT_SUITE("shared", shared_cases);
