// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/inplace.c - in-place guest_memfd conversion (the
 * upstream series "guest_memfd: In-place conversion support", not merged,
 * where the private/shared state belongs to the gmem) seen by a running
 * guest: private pages disappear from the host mapping and come back on
 * conversion to shared, and converting single pages inside a 2 MiB range,
 * or a whole 2 MiB range, leaves every other page intact. Where the
 * backend shows its nested page tables (VMM_FEAT_MAPPING_INFO, native
 * only) a second run of the same guest also checks the mapping sizes: a
 * 2 MiB range is one 2 MiB translation, split into 4 KiB pages around a
 * page converted alone, and merged back once the page is shared again and
 * the guest touches it.
 */
#include "guest-tests/cases/cases.h"
#include "guest-tests/guests/programs.h"
#include "guest-tests/host_mem.h"
#include "lib/errno.h"

/*
 * A VM with private memory gets no INIT_SHARED (G4: arch/x86/kvm/x86.c
 * kvm_arch_supports_gmem_init_shared() is false for it), so the gmem
 * starts private and the case converts it to shared before the guest runs.
 */
#define INPLACE_FLAGS GMV_GMEM_FLAG_MMAP
#define TEST_SLOT 1
#define INPLACE_LEN (INPLACE_PAGES * PAGE_SIZE)
#define SPLIT_LEN (2 * SZ_2M)

struct inplace {
	int gmem;
	bool mappings; /* also check the nested mapping sizes */
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

/* The size of the nested translation that maps a page of the test range
 * (vmm_ops.guest_mapping), or its -errno (-ENOENT: none). */
static s64 mapping(struct guest *g, u64 page)
{
	u64 size = 0;
	int r = g->v->ops->guest_mapping(g->v, g->vm,
					 GUEST_TEST_GPA + page * PAGE_SIZE,
					 &size);

	return r ? r : (s64)size;
}

/* What maps the test range when the guest reaches each SYNC. */
static const struct {
	u64 stage, page;
	s64 size;
} split_mappings[] = {
	/* The guest filled both 2 MiB ranges: one 2 MiB translation each. */
	{ 1, 0, SZ_2M },
	{ 1, SPLIT_PAGE, SZ_2M },
	{ 1, PAGES_2M, SZ_2M },
	/* SPLIT_PAGE alone is private and the guest went over the whole
	 * first range again: 4 KiB pages there, the private one included;
	 * the second range was not touched. */
	{ 2, 0, PAGE_SIZE },
	{ 2, SPLIT_PAGE - 1, PAGE_SIZE },
	{ 2, SPLIT_PAGE, PAGE_SIZE },
	{ 2, SPLIT_PAGE + 1, PAGE_SIZE },
	{ 2, PAGES_2M - 1, PAGE_SIZE },
	{ 2, PAGES_2M, SZ_2M },
	/* SPLIT_PAGE is shared again and the guest read it: merged back
	 * into one 2 MiB translation. The second range, private as a whole
	 * and written by the guest, is one 2 MiB translation too. */
	{ 3, 0, SZ_2M },
	{ 3, SPLIT_PAGE, SZ_2M },
	{ 3, PAGES_2M, SZ_2M },
	{ 3, 2 * PAGES_2M - 1, SZ_2M },
};

static void expect_split_mappings(struct kt *t, struct guest *g, u64 stage)
{
	for (size_t i = 0; i < ARRAY_SIZE(split_mappings); i++) {
		u64 page = split_mappings[i].page;

		if (split_mappings[i].stage == stage &&
		    !KT_EXPECT_EQ(t, mapping(g, page), split_mappings[i].size))
			kt_diag(t, "at SYNC(%llu), page %llu",
				(unsigned long long)stage,
				(unsigned long long)page);
	}
}

/* One check, with mappings on: a page just converted has no translation
 * left for the guest (the conversion zapped it). */
static void expect_unmapped(struct kt *t, struct guest *g, u64 page)
{
	struct inplace *s = g->data;

	if (s->mappings)
		KT_EXPECT_EQ(t, mapping(g, page), -ENOENT);
}

static enum guest_action split_sync(struct kt *t, struct guest *g, u64 stage,
				    u64 arg)
{
	struct inplace *s = g->data;
	struct vmm *v = g->v;
	u64 after = SPLIT_PAGE + 1;

	if (s->mappings)
		expect_split_mappings(t, g, stage);
	switch (stage) {
	case 1:
		if (!KT_EXPECT_OK(t, convert(g, SPLIT_PAGE, 1, true)))
			return GUEST_ABORT;
		expect_unmapped(t, g, SPLIT_PAGE);
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
		expect_unmapped(t, g, SPLIT_PAGE);
		expect_unmapped(t, g, PAGES_2M);
		expect_hidden(t, g, PAGES_2M);
		expect_hidden(t, g, 2 * PAGES_2M - 1);
		break;
	case 3:
		if (!KT_EXPECT_OK(t, convert(g, PAGES_2M, PAGES_2M, false)))
			return GUEST_ABORT;
		expect_unmapped(t, g, PAGES_2M);
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

/* The split/merge guest; with mappings, the nested page sizes as well. */
static void split_merge_2m(struct kt *t, struct vmm *v, bool mappings)
{
	struct inplace s = { .mappings = mappings };
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

/* 2 MiB split and merge around single-page and whole-range conversions:
 * the data. */
GUEST_CASE(guest_inplace_split_merge_2m)
{
	split_merge_2m(t, v, false);
}

/* The same, with the nested mapping sizes at every step. */
GUEST_CASE(guest_inplace_split_merge_2m_mappings)
{
	split_merge_2m(t, v, true);
}

static const struct kt_case inplace_cases[] = {
	KT_CASE_IF(guest_inplace_conversion, need_inplace),
	KT_CASE_IF(guest_inplace_split_merge_2m, need_inplace),
	KT_CASE_IF(guest_inplace_split_merge_2m_mappings,
		   need_inplace_mappings),
};

const struct kt_suite guest_inplace_suite =
	KT_SUITE("inplace", inplace_cases);
