// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/golden.c - guests on a golden image (gmemvisor's own,
 * hv/gmem.h): three VMs with overlays of one sealed image; the writer's
 * write is its own copy (the readers and the image still hold the golden
 * data, the host cannot write the image), a punch of the copy gives the
 * writer the golden page back; the readers' nested mappings stay 2 MiB
 * while the writer's is split. Then the rebinding policies: a guest fills
 * its memory and exits, and the guest of the next VM finds zeros.
 */
#include "guest-tests/cases/cases.h"
#include "guest-tests/guests/programs.h"
#include "guest-tests/host_mem.h"
#include "lib/errno.h"

#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define TEST_SLOT 1
#define NR_READERS 2
#define PAGE_GPA (GUEST_TEST_GPA + GOLDEN_PAGE * PAGE_SIZE)

static const char *need_golden(struct kt *t)
{
	return CASE_LACKS_ANY(t, VMM_FEAT_VCPU, VMM_FEAT_GUEST_MEMFD,
			      VMM_FEAT_GMEM_MMAP, VMM_FEAT_GMEM_INIT_SHARED,
			      VMM_FEAT_GOLDEN);
}

static const char *need_policy(struct kt *t)
{
	return CASE_LACKS_ANY(t, VMM_FEAT_VCPU, VMM_FEAT_GUEST_MEMFD,
			      VMM_FEAT_GMEM_MMAP, VMM_FEAT_GMEM_INIT_SHARED,
			      VMM_FEAT_GMEM_VIEWS, VMM_FEAT_REBIND_POLICY);
}

struct golden {
	int image, overlay[1 + NR_READERS];
	struct guest readers[NR_READERS];
};

/* An overlay of the image for g's VM, bound at GUEST_TEST_GPA. */
static int overlay_slot(struct kt *t, struct guest *g, int image)
{
	struct vmm *v = g->v;
	int ov = CASE_OPEN(
		t, v->ops->create_gmem(v, g->vm, GOLDEN_LEN, SHARED_FLAGS));

	if (ov < 0 || !KT_EXPECT_OK(t, v->ops->gmem_overlay(v, ov, image)) ||
	    !KT_EXPECT_OK(t, case_bind(v, g->vm, TEST_SLOT, GUEST_TEST_GPA,
				       GOLDEN_LEN, ov, 0)))
		return -1;
	return ov;
}

/* The nested mapping of gpa in g's VM is 'size' bytes (where the backend
 * can tell). */
static void expect_mapping(struct kt *t, struct guest *g, u64 gpa, u64 size)
{
	u64 got = 0;

	if (g->v->ops->lacks(g->v, VMM_FEAT_MAPPING_INFO))
		return;
	KT_EXPECT_OK(t, g->v->ops->guest_mapping(g->v, g->vm, gpa, &got));
	KT_EXPECT_EQ(t, got, size);
}

static const struct guest_handlers reader_handlers = {0};

static enum guest_action writer_sync(struct kt *t, struct guest *g, u64 stage,
				     u64 arg)
{
	struct golden *s = g->data;
	struct vmm *v = g->v;

	if (!KT_EXPECT_EQ(t, stage, 1))
		return GUEST_ABORT;
	KT_EXPECT_PATTERN(t, v,
			  gmem_range(s->overlay[0], GOLDEN_PAGE * PAGE_SIZE,
				     PAGE_GPA, PAGE_SIZE),
			  GOLDEN_WRITE_SEED);
	expect_mapping(t, g, PAGE_GPA, PAGE_SIZE);
	for (int i = 0; i < NR_READERS; i++) {
		struct guest *r = &s->readers[i];

		if (!KT_EXPECT_OK(t, guest_start(r, "golden", GUEST_TEST_GPA,
						 GOLDEN_READER)) ||
		    !KT_EXPECT_DONE(t, r, &reader_handlers))
			return GUEST_ABORT;
		KT_EXPECT_PATTERN(t, v, gpa_range(r->vm, PAGE_GPA, PAGE_SIZE),
				  GOLDEN_SEED);
		expect_mapping(t, r, PAGE_GPA, 2ULL << 20);
	}
	KT_EXPECT_PATTERN(t, v,
			  gmem_range(s->image, 0, GUEST_TEST_GPA, GOLDEN_LEN),
			  GOLDEN_SEED);
	KT_EXPECT_ERRNO(t,
			v->ops->host_write(v, s->image, GOLDEN_PAGE * PAGE_SIZE,
					   "x", 1),
			EPERM);
	return KT_EXPECT_OK(t, v->ops->fallocate(v, s->overlay[0],
						 GMV_FALLOC_PUNCH_HOLE |
							 GMV_FALLOC_KEEP_SIZE,
						 GOLDEN_PAGE * PAGE_SIZE,
						 PAGE_SIZE))
		       ? GUEST_RESUME
		       : GUEST_ABORT;
}

static const struct guest_handlers writer_handlers = {
	.sync = writer_sync,
};

GUEST_CASE(guest_golden_writes_are_the_writers_own)
{
	struct golden s;
	struct guest g;

	KT_ASSERT_OK(t, guest_create(v, GMV_VM_DEFAULT, &g));
	g.data = &s;
	s.image = CASE_OPEN(
		t, v->ops->create_gmem(v, g.vm, GOLDEN_LEN, SHARED_FLAGS));
	if (s.image < 0 ||
	    !KT_EXPECT_OK(t, mem_fill(v,
				      gmem_range(s.image, 0, GUEST_TEST_GPA,
						 GOLDEN_LEN),
				      GOLDEN_SEED)) ||
	    !KT_EXPECT_OK(t, v->ops->gmem_seal(v, s.image)))
		return;
	s.overlay[0] = overlay_slot(t, &g, s.image);
	for (int i = 0; i < NR_READERS; i++) {
		KT_ASSERT_OK(t, guest_create(v, GMV_VM_DEFAULT, &s.readers[i]));
		s.overlay[1 + i] = overlay_slot(t, &s.readers[i], s.image);
	}
	if (s.overlay[0] < 0 || s.overlay[NR_READERS] < 0)
		return;
	KT_ASSERT_OK(t,
		     guest_start(&g, "golden", GUEST_TEST_GPA, GOLDEN_WRITER));
	KT_EXPECT_DONE(t, &g, &writer_handlers);
	KT_EXPECT_EQ(t, g.stage, 1);
	KT_EXPECT_PATTERN(
		t, v, gmem_range(s.overlay[0], 0, GUEST_TEST_GPA, GOLDEN_LEN),
		GOLDEN_SEED);
}

/*
 * A guest fills memory with a rebinding policy and its VM exits (its
 * vCPU, VM and gmem handles closed, the memslot still there until the VM
 * goes); the next VM, holding a view from before, binds it and its guest
 * finds zeros.
 */
static void policy_handover(struct kt *t, struct vmm *v, u64 policy)
{
	struct guest a, b;
	int g, view;

	KT_ASSERT_OK(t, guest_create(v, GMV_VM_DEFAULT, &a));
	KT_ASSERT_OK(t, guest_create(v, GMV_VM_DEFAULT, &b));
	g = case_gmem_slot(t, &a, TEST_SLOT, GUEST_TEST_GPA, GOLDEN_LEN,
			   SHARED_FLAGS | policy);
	if (g < 0)
		return;
	view = CASE_OPEN(t, v->ops->create_gmem_view(v, g, b.vm));
	if (view < 0)
		return;
	KT_ASSERT_OK(t, guest_start(&a, "golden", GUEST_TEST_GPA, GOLDEN_FILL));
	KT_EXPECT_DONE(t, &a, &reader_handlers);
	KT_EXPECT_PATTERN(t, v, gmem_range(view, 0, GUEST_TEST_GPA, GOLDEN_LEN),
			  GOLDEN_FILL_SEED);
	KT_EXPECT_ERRNO(t,
			case_bind(v, b.vm, TEST_SLOT, GUEST_TEST_GPA,
				  GOLDEN_LEN, view, 0),
			EBUSY);
	KT_EXPECT_OK(t, v->ops->close(v, a.vcpu));
	KT_EXPECT_OK(t, v->ops->close(v, a.vm));
	KT_EXPECT_OK(t, v->ops->close(v, g));
	KT_EXPECT_PATTERN(t, v, gmem_range(view, 0, GUEST_TEST_GPA, GOLDEN_LEN),
			  PATTERN_ZERO);
	KT_ASSERT_OK(t, case_bind(v, b.vm, TEST_SLOT, GUEST_TEST_GPA,
				  GOLDEN_LEN, view, 0));
	KT_ASSERT_OK(t, guest_start(&b, "golden", GUEST_TEST_GPA, GOLDEN_ZERO));
	KT_EXPECT_DONE(t, &b, &reader_handlers);
}

GUEST_CASE(guest_policy_unbind_next_vm_reads_zeros)
{
	policy_handover(t, v, VMM_GMEM_FLAG_ZERO_ON_UNBIND);
}

GUEST_CASE(guest_policy_rebind_next_vm_reads_zeros)
{
	policy_handover(t, v, VMM_GMEM_FLAG_ZERO_ON_REBIND);
}

static const struct kt_case golden_cases[] = {
	KT_CASE_IF(guest_golden_writes_are_the_writers_own, need_golden),
	KT_CASE_IF(guest_policy_unbind_next_vm_reads_zeros, need_policy),
	KT_CASE_IF(guest_policy_rebind_next_vm_reads_zeros, need_policy),
};

const struct kt_suite guest_golden_suite = KT_SUITE("golden", golden_cases);
