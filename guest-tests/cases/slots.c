// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/slots.c - memslots whose translations must go when the
 * memory under them changes: one guest_memfd bound by two memslots of one
 * VM (a punch, a conversion or closing the file invalidates every binding
 * of it: virt/kvm/guest_memfd.c kvm_gmem_invalidate_begin() and
 * kvm_gmem_release() walk them all), and a normal memslot moved to a new
 * GPA (virt/kvm/kvm_main.c kvm_invalidate_memslot() zaps and flushes the
 * old range before the move). A translation left behind would let the guest reach freed pages
 * or its old address, so each case checks the guest's data.
 */
#include "guest-tests/cases/cases.h"
#include "guest-tests/guests/programs.h"
#include "guest-tests/host_mem.h"
#include "lib/errno.h"

#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define SLOT_A 1
#define SLOT_B 2
#define HALF (TWO_SLOTS_PAGES * PAGE_SIZE)
#define A_GPA GUEST_TEST_GPA
#define B_GPA (GUEST_TEST_GPA + SZ_2M)

struct two_slots {
	int gmem;
};

/* What the host sees of each slot's half of the file. */
static struct mem_range half_a(struct two_slots *s, u64 page, u64 n)
{
	return gmem_range(s->gmem, page * PAGE_SIZE, A_GPA + page * PAGE_SIZE,
			  n * PAGE_SIZE);
}

static struct mem_range half_b(struct two_slots *s, u64 page, u64 n)
{
	return gmem_range(s->gmem, HALF + page * PAGE_SIZE,
			  B_GPA + page * PAGE_SIZE, n * PAGE_SIZE);
}

/* A VM of 'type' with one gmem of two halves, the first bound at A_GPA,
 * the second at B_GPA; false after a failed check. */
static bool two_slots_setup(struct kt *t, struct vmm *v, struct guest *g,
			    struct two_slots *s, unsigned long type, u64 flags)
{
	if (!KT_EXPECT_OK(t, guest_create(v, type, g)))
		return false;
	g->data = s;
	s->gmem = v->ops->create_gmem(v, g->vm, 2 * HALF, flags);
	return KT_EXPECT_HANDLE(t, s->gmem) &&
	       KT_EXPECT_OK(t, case_bind(v, g->vm, SLOT_A, A_GPA, HALF, s->gmem,
					 0)) &&
	       KT_EXPECT_OK(t, case_bind(v, g->vm, SLOT_B, B_GPA, HALF, s->gmem,
					 HALF));
}

static enum guest_action punch_sync(struct kt *t, struct guest *g, u64 stage,
				    u64 arg)
{
	struct two_slots *s = g->data;
	struct vmm *v = g->v;

	if (stage == 1) {
		KT_EXPECT_PATTERN(t, v, half_a(s, 0, TWO_SLOTS_PAGES),
				  TWO_SLOTS_A_SEED);
		KT_EXPECT_PATTERN(t, v, half_b(s, 0, TWO_SLOTS_PAGES),
				  TWO_SLOTS_B_SEED);
		/* The new pages of A's half may be the frames B's half
		 * just gave back: a translation B kept would show them. */
		if (!KT_EXPECT_OK(
			    t, v->ops->fallocate(v, s->gmem,
						 GMV_FALLOC_PUNCH_HOLE |
							 GMV_FALLOC_KEEP_SIZE,
						 0, 2 * HALF)) ||
		    !KT_EXPECT_OK(t, mem_fill(v, half_a(s, 0, TWO_SLOTS_PAGES),
					      TWO_SLOTS_HOST_SEED)))
			return GUEST_ABORT;
		return GUEST_RESUME;
	}
	if (!KT_EXPECT_EQ(t, stage, 2))
		return GUEST_ABORT;
	KT_EXPECT_PATTERN(t, v, half_a(s, 0, TWO_SLOTS_PAGES),
			  TWO_SLOTS_HOST_SEED);
	KT_EXPECT_PATTERN(t, v, half_b(s, 0, TWO_SLOTS_PAGES),
			  TWO_SLOTS_B2_SEED);
	return GUEST_RESUME;
}

static const struct guest_handlers punch_handlers = {
	.sync = punch_sync,
};

/* Catches a punch that zaps only the first of the file's bindings: the
 * second slot would read (and write) pages the file gave back. */
GUEST_CASE(guest_two_slots_one_gmem_punch)
{
	struct two_slots s = {0};
	struct guest g;

	if (!two_slots_setup(t, v, &g, &s, GMV_VM_DEFAULT, SHARED_FLAGS))
		return;
	KT_ASSERT_OK(t, guest_start(&g, "two_slots_punch", A_GPA, B_GPA));
	KT_EXPECT_DONE(t, &g, &punch_handlers);
	KT_EXPECT_EQ(t, g.stage, 2);
}

static enum guest_action release_sync(struct kt *t, struct guest *g, u64 stage,
				      u64 arg)
{
	struct two_slots *s = g->data;

	if (!KT_EXPECT_EQ(t, stage, 1) ||
	    !KT_EXPECT_OK(t, g->v->ops->close(g->v, s->gmem)))
		return GUEST_ABORT;
	return GUEST_RESUME;
}

static enum guest_action release_exit(struct kt *t, struct guest *g, int ret,
				      struct vmm_exit *e)
{
	if (ret != -EFAULT || e->reason != GMV_EXIT_MEMORY_FAULT)
		return GUEST_UNHANDLED;
	KT_EXPECT_EQ(t, e->memory_fault.gpa,
		     (B_GPA + TWO_SLOTS_LOAD_OFF) & ~(u64)(PAGE_SIZE - 1));
	KT_EXPECT_EQ(t, e->memory_fault.size, PAGE_SIZE);
	KT_EXPECT_EQ(t, e->memory_fault.flags, 0);
	return GUEST_END;
}

static const struct guest_handlers release_handlers = {
	.sync = release_sync,
	.exit = release_exit,
};

/* Catches a release that zaps only the first of the file's bindings: the
 * second slot would still reach the pages freed with the memory. */
GUEST_CASE(guest_two_slots_one_gmem_release)
{
	struct two_slots s = {0};
	struct guest g;

	if (!two_slots_setup(t, v, &g, &s, GMV_VM_DEFAULT, SHARED_FLAGS))
		return;
	KT_ASSERT_OK(t, guest_start(&g, "two_slots_release", A_GPA, B_GPA));
	KT_EXPECT_EQ(t, guest_run(t, &g, &release_handlers), GUEST_RUN_ENDED);
	KT_EXPECT_EQ(t, g.stage, 1);
}

static int convert(struct guest *g, u64 page, u64 n, bool private)
{
	struct two_slots *s = g->data;
	u64 error_offset = 0;

	return g->v->ops->convert(g->v, s->gmem, page * PAGE_SIZE,
				  n * PAGE_SIZE, private, &error_offset);
}

/* One check: no nested translation maps gpa (a conversion zapped it). */
static void expect_unmapped(struct kt *t, struct guest *g, u64 gpa)
{
	u64 size = 0;

	if (!KT_EXPECT_ERRNO(t,
			     g->v->ops->guest_mapping(g->v, g->vm, gpa, &size),
			     ENOENT))
		kt_diag(t, "gpa %#llx still mapped, %llu bytes",
			(unsigned long long)gpa, (unsigned long long)size);
}

static enum guest_action convert_sync(struct kt *t, struct guest *g, u64 stage,
				      u64 arg)
{
	u64 a_last = A_GPA + HALF - PAGE_SIZE;
	struct two_slots *s = g->data;
	struct vmm *v = g->v;
	u64 word;

	switch (stage) {
	case 1:
		if (!KT_EXPECT_OK(t, convert(g, TWO_SLOTS_PAGES - 1, 2, true)))
			return GUEST_ABORT;
		expect_unmapped(t, g, a_last);
		expect_unmapped(t, g, B_GPA);
		KT_EXPECT_ERRNO(t,
				v->ops->host_read(v, s->gmem, HALF, &word,
						  sizeof(word)),
				VMM_SIGBUS);
		break;
	case 2:
		if (!KT_EXPECT_OK(t, convert(g, TWO_SLOTS_PAGES - 1, 2, false)))
			return GUEST_ABORT;
		expect_unmapped(t, g, a_last);
		expect_unmapped(t, g, B_GPA);
		KT_EXPECT_PATTERN(t, v, half_a(s, TWO_SLOTS_PAGES - 1, 1),
				  TWO_SLOTS_PRIVATE_SEED);
		KT_EXPECT_PATTERN(t, v, half_b(s, 0, 1),
				  TWO_SLOTS_PRIVATE_SEED);
		KT_EXPECT_PATTERN(t, v, half_a(s, 0, TWO_SLOTS_PAGES - 1),
				  TWO_SLOTS_A_SEED);
		KT_EXPECT_PATTERN(t, v, half_b(s, 1, TWO_SLOTS_PAGES - 1),
				  TWO_SLOTS_B_SEED);
		break;
	default:
		KT_EXPECT_LE(t, stage, 2);
		return GUEST_ABORT;
	}
	return KT_EXPECT_OK(t, v->ops->check(v)) ? GUEST_RESUME : GUEST_ABORT;
}

static const struct guest_handlers convert_handlers = {
	.sync = convert_sync,
};

/*
 * Catches a conversion that zaps only the first of the file's bindings:
 * the page at the start of the second slot would stay mapped as it was
 * (seen in the nested page table, so native only); the data of both
 * slots is checked on the way.
 */
GUEST_CASE(guest_two_slots_one_gmem_convert)
{
	struct two_slots s = {0};
	struct guest g;

	if (!two_slots_setup(t, v, &g, &s, GMV_VM_SW_PROTECTED,
			     GMV_GMEM_FLAG_MMAP) ||
	    !KT_EXPECT_OK(t, convert(&g, 0, 2 * TWO_SLOTS_PAGES, false)))
		return;
	KT_ASSERT_OK(t, guest_start(&g, "two_slots_convert", A_GPA, B_GPA));
	KT_EXPECT_DONE(t, &g, &convert_handlers);
	KT_EXPECT_EQ(t, g.stage, 2);
}

#define MOVE_LEN (SLOT_MOVE_PAGES * PAGE_SIZE)
#define MOVE_OLD GUEST_TEST_GPA
#define MOVE_NEW (GUEST_TEST_GPA + 3 * SZ_2M)

struct slot_move {
	unsigned int loads, stores;
};

static int set_test_slot(struct guest *g, u64 gpa)
{
	return case_region(g->v, g->vm, SLOT_A, 0, gpa, MOVE_LEN,
			   VMM_BAD_HANDLE, 0);
}

static enum guest_action move_sync(struct kt *t, struct guest *g, u64 stage,
				   u64 arg)
{
	struct slot_move *m = g->data;
	u64 word = 0;

	if (stage == 1)
		return KT_EXPECT_OK(t, set_test_slot(g, MOVE_NEW))
			       ? GUEST_RESUME
			       : GUEST_ABORT;
	if (!KT_EXPECT_EQ(t, stage, 2))
		return GUEST_ABORT;
	KT_EXPECT_EQ(t, m->loads, 1);
	KT_EXPECT_EQ(t, m->stores, 1);
	/* The MMIO store landed nowhere: the slot's first word is the one
	 * the guest wrote before the move. */
	KT_EXPECT_OK(t, g->v->ops->guest_read(g->v, g->vm, MOVE_NEW, &word,
					      sizeof(word)));
	KT_EXPECT_EQ(t, word, pattern_word(SLOT_MOVE_SEED, MOVE_OLD));
	return GUEST_RESUME;
}

static enum guest_action move_exit(struct kt *t, struct guest *g, int ret,
				   struct vmm_exit *e)
{
	struct slot_move *m = g->data;

	if (ret || e->reason != GMV_EXIT_MMIO)
		return GUEST_UNHANDLED;
	KT_EXPECT_EQ(t, g->stage, 1);
	KT_EXPECT_EQ(t, e->mmio.len, 8);
	if (e->mmio.is_write) {
		m->stores++;
		KT_EXPECT_EQ(t, e->mmio.gpa, MOVE_OLD);
		KT_EXPECT_EQ(t, e->mmio.data, SLOT_MOVE_STORE);
	} else {
		m->loads++;
		KT_EXPECT_EQ(t, e->mmio.gpa, MOVE_OLD + SLOT_MOVE_LOAD_OFF);
		e->mmio.data = SLOT_MOVE_ANSWER;
	}
	return GUEST_RESUME;
}

static const struct guest_handlers move_handlers = {
	.sync = move_sync,
	.exit = move_exit,
};

/* Catches a move of a normal memslot without a zap and a flush of its
 * old range: the guest would still reach the memory at the old GPA. */
GUEST_CASE(guest_moved_slot_old_gpa_is_mmio)
{
	struct slot_move m = {0};
	struct guest g;

	KT_ASSERT_OK(t, guest_create(v, GMV_VM_DEFAULT, &g));
	g.data = &m;
	KT_ASSERT_OK(t, set_test_slot(&g, MOVE_OLD));
	KT_ASSERT_OK(t, guest_start(&g, "slot_move", MOVE_OLD, MOVE_NEW));
	KT_EXPECT_DONE(t, &g, &move_handlers);
	KT_EXPECT_EQ(t, g.stage, 2);
}

static const struct kt_case slots_cases[] = {
	KT_CASE_IF(guest_two_slots_one_gmem_punch, need_shared_gmem),
	KT_CASE_IF(guest_two_slots_one_gmem_release, need_shared_gmem),
	KT_CASE_IF(guest_two_slots_one_gmem_convert, need_inplace_mappings),
	KT_CASE_IF(guest_moved_slot_old_gpa_is_mmio, need_vcpu),
};

const struct kt_suite guest_slots_suite = KT_SUITE("slots", slots_cases);
