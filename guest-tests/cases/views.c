// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/views.c - two VMs share one guest_memfd's memory
 * through two views (newest virt/kvm/guest_memfd.c keeps the memory in a
 * struct gmem_inode and each VM's view in a struct gmem_file; Linux has no
 * uAPI for a second view): what one guest writes the other reads, and a
 * hole punched through one view is seen by the guest of the other
 * (kvm_gmem_punch_hole() invalidates the bindings of every view).
 */
#include "guest-tests/cases/cases.h"
#include "guest-tests/guests/programs.h"
#include "guest-tests/host_mem.h"

#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define TEST_SLOT 1

struct views {
	int gmem, view;
	struct guest reader;
};

static const struct guest_handlers reader_handlers = { 0 };

static enum guest_action writer_sync(struct kt *t, struct guest *g,
				     u64 stage, u64 arg)
{
	struct views *s = g->data;
	struct vmm *v = g->v;

	if (stage == 1) {
		if (!KT_EXPECT_OK(t, guest_start(&s->reader, "views",
						 GUEST_TEST_GPA,
						 VIEWS_READER)) ||
		    !KT_EXPECT_DONE(t, &s->reader, &reader_handlers))
			return GUEST_ABORT;
		KT_EXPECT_PATTERN(t, v, gmem_range(s->gmem, 0, GUEST_TEST_GPA,
						   VIEWS_LEN),
				  VIEWS_B_SEED);
		KT_EXPECT_PATTERN(t, v, gmem_range(s->view, 0, GUEST_TEST_GPA,
						   VIEWS_LEN),
				  VIEWS_B_SEED);
		return GUEST_RESUME;
	}
	if (!KT_EXPECT_EQ(t, stage, 2))
		return GUEST_ABORT;
	return KT_EXPECT_OK(t, v->ops->fallocate(v, s->view,
						 GMV_FALLOC_PUNCH_HOLE |
							 GMV_FALLOC_KEEP_SIZE,
						 0, PAGE_SIZE)) ?
		       GUEST_RESUME :
		       GUEST_ABORT;
}

static const struct guest_handlers writer_handlers = {
	.sync = writer_sync,
};

GUEST_CASE(guest_views_two_vms)
{
	struct vmm_region r = {
		.slot = TEST_SLOT,
		.flags = GMV_MEM_GUEST_MEMFD,
		.guest_phys_addr = GUEST_TEST_GPA,
		.memory_size = VIEWS_LEN,
	};
	struct views s;
	struct guest g;

	KT_ASSERT_OK(t, guest_create(v, GMV_VM_DEFAULT, &g));
	g.data = &s;
	s.gmem = case_gmem_slot(t, &g, TEST_SLOT, GUEST_TEST_GPA, VIEWS_LEN,
				SHARED_FLAGS);
	if (s.gmem < 0)
		return;
	KT_ASSERT_OK(t, guest_create(v, GMV_VM_DEFAULT, &s.reader));
	s.view = v->ops->create_gmem_view(v, s.gmem, s.reader.vm);
	if (!KT_EXPECT_HANDLE(t, s.view))
		return;
	r.guest_memfd = s.view;
	KT_ASSERT_OK(t, v->ops->set_region(v, s.reader.vm, &r));
	KT_ASSERT_OK(t, guest_start(&g, "views", GUEST_TEST_GPA,
				    VIEWS_WRITER));
	KT_EXPECT_DONE(t, &g, &writer_handlers);
	KT_EXPECT_EQ(t, g.stage, 2);
}

static const struct kt_case views_cases[] = {
	KT_CASE_IF(guest_views_two_vms, need_views),
};

const struct kt_suite guest_views_suite = KT_SUITE("views", views_cases);
