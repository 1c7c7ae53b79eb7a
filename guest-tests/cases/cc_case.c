// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/cc_case.c - the VMM side of the confidential guest
 * cases (guest-tests/cases/cc_case.h).
 */
#include "guest-tests/cases/cc_case.h"

bool cc_case_setup(struct kt *t, struct vmm *v, struct guest *g,
		   struct cc_case *s, unsigned long type, bool inplace)
{
	*s = (struct cc_case){.inplace = inplace};
	if (!KT_EXPECT_OK(t, guest_create(v, type, g)))
		return false;
	g->data = s;
	s->gmem = case_gmem_slot(t, g, CC_CASE_SLOT, GUEST_TEST_GPA,
				 CC_CASE_LEN, inplace ? GMV_GMEM_FLAG_MMAP : 0);
	return s->gmem >= 0 &&
	       (inplace ||
		KT_EXPECT_OK(t, cc_case_set_private(g, GUEST_TEST_GPA,
						    CC_CASE_LEN, true)));
}

void cc_case_run(struct kt *t, struct vmm *v, struct guest *g,
		 struct cc_case *s, unsigned long type, bool inplace,
		 const char *program, u64 test, const struct guest_handlers *h)
{
	if (!cc_case_setup(t, v, g, s, type, inplace))
		return;
	KT_ASSERT_OK(t, guest_start(g, program, test, GUEST_TEST_GPA));
	KT_EXPECT_DONE(t, g, h ?: &cc_case_handlers);
}

int cc_case_set_private(struct guest *g, u64 gpa, u64 len, bool private)
{
	u64 attrs = private ? GMV_MEMORY_ATTRIBUTE_PRIVATE : 0;

	return g->v->ops->set_attributes(g->v, g->vm, gpa, len, attrs, 0);
}

int cc_case_convert(struct guest *g, u64 gpa, u64 len, bool private)
{
	struct cc_case *s = g->data;
	u64 error_offset;
	int r;

	if (s->inplace)
		return g->v->ops->convert(g->v, s->gmem, gpa - GUEST_TEST_GPA,
					  len, private, &error_offset);
	r = cc_case_set_private(g, gpa, len, private);
	if (r || private)
		return r;
	return g->v->ops->fallocate(
		g->v, s->gmem, GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE,
		gpa - GUEST_TEST_GPA, len);
}

struct mem_range cc_case_shared(struct guest *g, u64 gpa, u64 len)
{
	struct cc_case *s = g->data;

	return s->inplace ? gmem_range(s->gmem, gpa - GUEST_TEST_GPA, gpa, len)
			  : gpa_range(g->vm, gpa, len);
}

int cc_case_launch(struct guest *g, u64 gpa, u64 len, u64 seed)
{
	struct vmm *v = g->v;
	int r = cc_case_set_private(g, gpa, len, false);

	r = r ? r : mem_fill(v, gpa_range(g->vm, gpa, len), seed);
	r = r ? r : cc_case_set_private(g, gpa, len, true);
	return r ? r : v->ops->launch_update(v, g->vm, gpa, len);
}

enum guest_action cc_case_exit(struct kt *t, struct guest *g, int ret,
			       struct vmm_exit *e)
{
	struct cc_case *s = g->data;

	if (!ret && e->reason == GMV_EXIT_HYPERCALL &&
	    e->hypercall.nr == GMV_HC_MAP_GPA_RANGE) {
		u64 gpa = e->hypercall.args[0], n = e->hypercall.args[1];
		bool private =
			e->hypercall.args[2] & GMV_MAP_GPA_RANGE_ENCRYPTED;

		if (s->calls < CC_CASE_MAX_CALLS) {
			s->log[s->calls].gpa = gpa;
			s->log[s->calls].npages = n;
			s->log[s->calls].attrs = e->hypercall.args[2];
		}
		if (++s->calls < 64 && (s->odd_calls & BIT(s->calls))) {
			e->hypercall.ret = s->answer;
			return GUEST_RESUME;
		}
		if (!KT_EXPECT_OK(
			    t, cc_case_convert(g, gpa, n * PAGE_SIZE, private)))
			return GUEST_ABORT;
		e->hypercall.ret = 0;
		return GUEST_RESUME;
	}
	if (ret == -EFAULT && e->reason == GMV_EXIT_MEMORY_FAULT) {
		bool private =
			e->memory_fault.flags & GMV_MEMORY_EXIT_FLAG_PRIVATE;

		s->faults++;
		return KT_EXPECT_OK(t, cc_case_convert(g, e->memory_fault.gpa,
						       e->memory_fault.size,
						       private))
			       ? GUEST_RESUME
			       : GUEST_ABORT;
	}
	return GUEST_UNHANDLED;
}

enum guest_action cc_case_sync(struct kt *t, struct guest *g, u64 stage,
			       u64 arg)
{
	struct cc_case *s = g->data;

	if (!KT_EXPECT_LT(t, stage, ARRAY_SIZE(s->sync_arg)))
		return GUEST_ABORT;
	s->sync_arg[stage] = arg;
	return GUEST_RESUME;
}

const struct guest_handlers cc_case_handlers = {
	.sync = cc_case_sync,
	.exit = cc_case_exit,
};

static enum guest_action punch_sync(struct kt *t, struct guest *g, u64 stage,
				    u64 arg)
{
	struct cc_case *s = g->data;

	KT_EXPECT_EQ(t, stage, 1);
	return KT_EXPECT_OK(
		       t, g->v->ops->fallocate(g->v, s->gmem,
					       GMV_FALLOC_PUNCH_HOLE |
						       GMV_FALLOC_KEEP_SIZE,
					       arg - GUEST_TEST_GPA, PAGE_SIZE))
		       ? GUEST_RESUME
		       : GUEST_ABORT;
}

const struct guest_handlers cc_case_punch_handlers = {
	.sync = punch_sync,
	.exit = cc_case_exit,
};

void cc_case_expect_mapping(struct kt *t, struct guest *g, u64 gpa, u64 want)
{
	u64 size = 0;

	if (CASE_LACKS_ANY(t, VMM_FEAT_MAPPING_INFO))
		return;
	KT_EXPECT_OK(t, g->v->ops->guest_mapping(g->v, g->vm, gpa, &size));
	KT_EXPECT_EQ(t, size, want);
}
