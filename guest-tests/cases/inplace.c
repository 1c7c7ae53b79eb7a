// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/inplace.c - in-place guest_memfd conversion (shared/
 * spec/linux-guest-memfd.md §5) seen by a running guest: private pages
 * disappear from the host mapping and come back on conversion to shared,
 * and converting single pages inside a 2 MiB range, or a whole 2 MiB
 * range, leaves every other page intact (the native backend splits and
 * merges its 2 MiB mappings there; its check() verifies them).
 */
#include "guest-tests/cases/cases.h"
#include "guest-tests/guests/programs.h"
#include "guest-tests/host_mem.h"

/*
 * A VM with private memory gets no INIT_SHARED (spec G4), so the gmem starts
 * private and the case converts it to shared before the guest runs.
 */
#define INPLACE_FLAGS GMV_GMEM_FLAG_MMAP
#define TEST_SLOT 1
#define INPLACE_LEN (INPLACE_PAGES * PAGE_SIZE)
#define SPLIT_LEN (2 * SZ_2M)

struct inplace {
	int gmem;
};

static struct mem_range pages(struct guest *g, u64 first, u64 n)
{
	struct inplace *s = g->data;

	return gmem_range(s->gmem, first * PAGE_SIZE,
			  GUEST_TEST_GPA + first * PAGE_SIZE, n * PAGE_SIZE);
}

static int convert(struct guest *g, u64 first, u64 n, bool private)
{
	struct inplace *s = g->data;
	u64 error_offset = 0;

	return g->v->ops->convert(g->v, s->gmem, first * PAGE_SIZE,
				  n * PAGE_SIZE, private, &error_offset);
}

/* One check: a page of the gmem is not host-accessible (private). */
static bool expect_hidden(struct kt *t, struct guest *g, u64 page)
{
	struct inplace *s = g->data;
	u64 word;

	return KT_EXPECT_ERRNO(t, g->v->ops->host_read(g->v, s->gmem,
						       page * PAGE_SIZE, &word,
						       sizeof(word)),
			       VMM_SIGBUS);
}

static enum guest_action inplace_sync(struct kt *t, struct guest *g,
				      u64 stage, u64 arg)
{
	struct vmm *v = g->v;

	if (stage == 1) {
		KT_EXPECT_PATTERN(t, v, pages(g, 0, INPLACE_PAGES),
				  INPLACE_SEED);
		if (!KT_EXPECT_OK(t, convert(g, 1, 2, true)))
			return GUEST_ABORT;
		expect_hidden(t, g, 1);
		expect_hidden(t, g, 2);
		KT_EXPECT_PATTERN(t, v, pages(g, 0, 1), INPLACE_SEED);
		KT_EXPECT_PATTERN(t, v, pages(g, 3, 1), INPLACE_SEED);
		return GUEST_RESUME;
	}
	if (!KT_EXPECT_EQ(t, stage, 2))
		return GUEST_ABORT;
	expect_hidden(t, g, 1);
	if (!KT_EXPECT_OK(t, convert(g, 1, 2, false)) ||
	    !KT_EXPECT_OK(t, mem_fill(v, pages(g, 1, 2), INPLACE_HOST_SEED)))
		return GUEST_ABORT;
	return GUEST_RESUME;
}

static const struct guest_handlers inplace_handlers = {
	.sync = inplace_sync,
};

/* A gmem-only slot over a new MMAP gmem, converted to shared in place. */
static int shared_slot(struct kt *t, struct guest *g, struct inplace *s,
		       u64 len)
{
	s->gmem = case_gmem_slot(t, g, TEST_SLOT, GUEST_TEST_GPA, len,
				 INPLACE_FLAGS);
	if (s->gmem < 0)
		return s->gmem;
	if (!KT_EXPECT_OK(t, convert(g, 0, len / PAGE_SIZE, false)))
		return -EIO;
	return 0;
}

/* Shared -> private -> shared in place, with the guest running. */
GUEST_CASE(guest_inplace_conversion)
{
	struct inplace s;
	struct guest g;

	KT_ASSERT_OK(t, guest_create(v, GMV_VM_SW_PROTECTED, &g));
	g.data = &s;
	if (shared_slot(t, &g, &s, INPLACE_LEN))
		return;
	KT_ASSERT_OK(t, guest_start(&g, "inplace", GUEST_TEST_GPA,
				    INPLACE_LEN));
	KT_EXPECT_DONE(t, &g, &inplace_handlers);
	KT_EXPECT_EQ(t, g.stage, 2);
	KT_EXPECT_PATTERN(t, v, pages(&g, 1, 2), INPLACE_HOST_SEED);
}

#define PAGES_2M (SZ_2M / PAGE_SIZE)

static enum guest_action split_sync(struct kt *t, struct guest *g, u64 stage,
				    u64 arg)
{
	struct vmm *v = g->v;
	u64 after = SPLIT_PAGE + 1;

	switch (stage) {
	case 1:
		if (!KT_EXPECT_OK(t, convert(g, SPLIT_PAGE, 1, true)))
			return GUEST_ABORT;
		break;
	case 2:
		KT_EXPECT_PATTERN(t, v, pages(g, 0, SPLIT_PAGE), SPLIT_SEED);
		KT_EXPECT_PATTERN(t, v, pages(g, after, 2 * PAGES_2M - after),
				  SPLIT_SEED);
		expect_hidden(t, g, SPLIT_PAGE);
		if (!KT_EXPECT_OK(t, convert(g, SPLIT_PAGE, 1, false)) ||
		    !KT_EXPECT_OK(t, mem_fill(v, pages(g, SPLIT_PAGE, 1),
					      SPLIT_HOST_SEED)) ||
		    !KT_EXPECT_OK(t, convert(g, PAGES_2M, PAGES_2M, true)))
			return GUEST_ABORT;
		expect_hidden(t, g, PAGES_2M);
		expect_hidden(t, g, 2 * PAGES_2M - 1);
		break;
	case 3:
		if (!KT_EXPECT_OK(t, convert(g, PAGES_2M, PAGES_2M, false)))
			return GUEST_ABORT;
		break;
	default:
		KT_EXPECT_LE(t, stage, 3);
		return GUEST_ABORT;
	}
	return KT_EXPECT_OK(t, v->ops->check(v)) ? GUEST_RESUME : GUEST_ABORT;
}

static const struct guest_handlers split_handlers = {
	.sync = split_sync,
};

/* 2 MiB split and merge around single-page and whole-range conversions. */
GUEST_CASE(guest_inplace_split_merge_2m)
{
	struct inplace s;
	struct guest g;

	KT_ASSERT_OK(t, guest_create(v, GMV_VM_SW_PROTECTED, &g));
	g.data = &s;
	if (shared_slot(t, &g, &s, SPLIT_LEN))
		return;
	KT_ASSERT_OK(t, guest_start(&g, "split_merge", GUEST_TEST_GPA,
				    SPLIT_LEN));
	KT_EXPECT_DONE(t, &g, &split_handlers);
	KT_EXPECT_EQ(t, g.stage, 3);
	KT_EXPECT_PATTERN(t, v, pages(&g, 0, SPLIT_PAGE), SPLIT_SEED);
	KT_EXPECT_PATTERN(t, v, pages(&g, SPLIT_PAGE, 1), SPLIT_HOST_SEED);
}

static const struct kt_case inplace_cases[] = {
	KT_CASE_IF(guest_inplace_conversion, need_inplace),
	KT_CASE_IF(guest_inplace_split_merge_2m, need_inplace),
};

const struct kt_suite guest_inplace_suite =
	KT_SUITE("inplace", inplace_cases);
