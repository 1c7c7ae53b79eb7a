// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/exits.c - what a guest gets when its memory goes away
 * on a default VM: a deleted memslot (MMIO exits, G95), a released
 * guest_memfd (memory-fault exits, G93), and a GPA no memslot ever
 * covered (MMIO exits).
 */
#include "guest-tests/cases/cases.h"
#include "guest-tests/guests/programs.h"
#include "guest-tests/host_mem.h"

#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define TEST_SLOT 1
#define TEST_LEN (8 * PAGE_SIZE)

struct exits {
	int gmem;
	unsigned int stores, loads, faults;
};

/* Memslot TEST_SLOT of g's VM: size bytes of gmem at GUEST_TEST_GPA. */
static int test_slot(struct guest *g, int gmem, u64 size)
{
	return case_bind(g->v, g->vm, TEST_SLOT, GUEST_TEST_GPA, size, gmem, 0);
}

/* A default-VM guest running prog over a slot on TEST_LEN bytes of shared
 * gmem at GUEST_TEST_GPA; false after a failed check. */
static bool exits_start(struct kt *t, struct vmm *v, struct guest *g,
			struct exits *x, const char *prog)
{
	if (!KT_EXPECT_OK(t, guest_create(v, GMV_VM_DEFAULT, g)))
		return false;
	g->data = x;
	x->gmem = case_gmem_slot(t, g, TEST_SLOT, GUEST_TEST_GPA, TEST_LEN,
				 SHARED_FLAGS);
	return x->gmem >= 0 &&
	       KT_EXPECT_OK(t, guest_start(g, prog, GUEST_TEST_GPA, TEST_LEN));
}

/* One check: a host access through g's VM finds no memory at the GPA. */
static bool expect_no_memory(struct kt *t, struct guest *g)
{
	u64 word;

	return KT_EXPECT_ERRNO(t, g->v->ops->guest_read(g->v, g->vm,
							GUEST_TEST_GPA, &word,
							sizeof(word)),
			       EFAULT);
}

static enum guest_action slot_delete_sync(struct kt *t, struct guest *g,
					  u64 stage, u64 arg)
{
	struct exits *x = g->data;

	if (stage == 1) {
		if (!KT_EXPECT_OK(t, test_slot(g, x->gmem, 0)))
			return GUEST_ABORT;
		expect_no_memory(t, g);
		return GUEST_RESUME;
	}
	if (!KT_EXPECT_EQ(t, stage, 2))
		return GUEST_ABORT;
	KT_EXPECT_EQ(t, x->stores, 1);
	KT_EXPECT_EQ(t, x->loads, 1);
	return KT_EXPECT_OK(t, test_slot(g, x->gmem, TEST_LEN)) ? GUEST_RESUME :
								  GUEST_ABORT;
}

static enum guest_action slot_delete_exit(struct kt *t, struct guest *g,
					  int ret, struct vmm_exit *e)
{
	struct exits *x = g->data;

	if (ret || e->reason != GMV_EXIT_MMIO)
		return GUEST_UNHANDLED;
	KT_EXPECT_EQ(t, g->stage, 1);
	KT_EXPECT_EQ(t, e->mmio.len, 8);
	if (e->mmio.is_write) {
		x->stores++;
		KT_EXPECT_EQ(t, e->mmio.gpa,
			     GUEST_TEST_GPA + SLOT_DELETE_STORE_OFF);
		KT_EXPECT_EQ(t, e->mmio.data, SLOT_DELETE_STORE);
	} else {
		x->loads++;
		KT_EXPECT_EQ(t, e->mmio.gpa,
			     GUEST_TEST_GPA + SLOT_DELETE_LOAD_OFF);
		e->mmio.data = SLOT_DELETE_ANSWER;
	}
	return GUEST_RESUME;
}

static const struct guest_handlers slot_delete_handlers = {
	.sync = slot_delete_sync,
	.exit = slot_delete_exit,
};

/* (c) Accesses to a deleted slot's GPA are MMIO exits (G95); the
 * guest_memfd keeps the data for the slot re-created on it. */
GUEST_CASE(guest_deleted_slot_is_mmio)
{
	struct exits x = { 0 };
	struct guest g;

	if (!exits_start(t, v, &g, &x, "slot_delete"))
		return;
	KT_EXPECT_DONE(t, &g, &slot_delete_handlers);
	KT_EXPECT_EQ(t, g.stage, 2);
	/* The MMIO store did not land in the memory. */
	KT_EXPECT_PATTERN(t, v, gmem_range(x.gmem, 0, GUEST_TEST_GPA,
					   TEST_LEN),
			  SLOT_DELETE_SEED);
}

static enum guest_action gmem_closed_sync(struct kt *t, struct guest *g,
					  u64 stage, u64 arg)
{
	struct exits *x = g->data;

	if (stage == 1) {
		if (!KT_EXPECT_OK(t, g->v->ops->close(g->v, x->gmem)))
			return GUEST_ABORT;
		expect_no_memory(t, g);
		return GUEST_RESUME;
	}
	if (!KT_EXPECT_EQ(t, stage, 2))
		return GUEST_ABORT;
	KT_EXPECT_PATTERN(t, g->v, gmem_range(x->gmem, 0, GUEST_TEST_GPA,
					      TEST_LEN),
			  GMEM_CLOSED_NEW_SEED);
	return GUEST_RESUME;
}

/* Replace the slot of the released gmem by a slot on a fresh one. */
static bool rebind_fresh(struct kt *t, struct guest *g)
{
	struct exits *x = g->data;

	if (!KT_EXPECT_OK(t, test_slot(g, VMM_BAD_HANDLE, 0)))
		return false;
	x->gmem = g->v->ops->create_gmem(g->v, g->vm, TEST_LEN, SHARED_FLAGS);
	if (!KT_EXPECT_HANDLE(t, x->gmem))
		return false;
	return KT_EXPECT_OK(t, test_slot(g, x->gmem, TEST_LEN));
}

static enum guest_action gmem_closed_exit(struct kt *t, struct guest *g,
					  int ret, struct vmm_exit *e)
{
	struct exits *x = g->data;

	if (ret != -EFAULT || e->reason != GMV_EXIT_MEMORY_FAULT)
		return GUEST_UNHANDLED;
	/* G93: flags 0 (a shared access), the page's gpa, 4 KiB. */
	KT_EXPECT_EQ(t, g->stage, 1);
	KT_EXPECT_EQ(t, e->memory_fault.flags, 0);
	KT_EXPECT_EQ(t, e->memory_fault.gpa,
		     GUEST_TEST_GPA + ALIGN_DOWN(GMEM_CLOSED_LOAD_OFF,
						 PAGE_SIZE));
	KT_EXPECT_EQ(t, e->memory_fault.size, PAGE_SIZE);
	/* The first re-entry must fault again; then bind fresh memory. */
	if (++x->faults == 1)
		return GUEST_RESUME;
	if (!KT_EXPECT_EQ(t, x->faults, 2))
		return GUEST_ABORT;
	return rebind_fresh(t, g) ? GUEST_RESUME : GUEST_ABORT;
}

static const struct guest_handlers gmem_closed_handlers = {
	.sync = gmem_closed_sync,
	.exit = gmem_closed_exit,
};

/* (d) Guest accesses after the bound gmem was released are memory-fault
 * exits with EFAULT, on every re-entry, until the slot is replaced (G93);
 * the fresh gmem reads as zeros. */
GUEST_CASE(guest_released_gmem_memory_fault)
{
	struct exits x = { 0 };
	struct guest g;

	if (!exits_start(t, v, &g, &x, "gmem_closed"))
		return;
	KT_EXPECT_DONE(t, &g, &gmem_closed_handlers);
	KT_EXPECT_EQ(t, x.faults, 2);
	KT_EXPECT_EQ(t, g.stage, 2);
}

static u64 truncated(u64 v, unsigned int size)
{
	return size == 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

/* Stores then loads of 1, 2, 4, 8 bytes, each answered. */
static enum guest_action no_slot_exit(struct kt *t, struct guest *g, int ret,
				      struct vmm_exit *e)
{
	struct exits *x = g->data;
	unsigned int n = x->stores + x->loads, size = 1U << (n / 2);
	bool store = !(n % 2);

	if (ret || e->reason != GMV_EXIT_MMIO)
		return GUEST_UNHANDLED;
	if (!KT_EXPECT_LT(t, n, 8))
		return GUEST_ABORT;
	KT_EXPECT_EQ(t, e->mmio.gpa, NO_SLOT_ADDR(GUEST_TEST_GPA, size));
	KT_EXPECT_EQ(t, e->mmio.len, size);
	KT_EXPECT_EQ(t, e->mmio.is_write, store);
	if (store) {
		x->stores++;
		KT_EXPECT_EQ(t, e->mmio.data, truncated(NO_SLOT_STORE, size));
	} else {
		x->loads++;
		e->mmio.data = NO_SLOT_ANSWER;
	}
	return GUEST_RESUME;
}

static const struct guest_handlers no_slot_handlers = {
	.exit = no_slot_exit,
};

/* (e) A GPA that no memslot covers: every access is an MMIO exit the
 * host sees (address, size, data) and answers. */
GUEST_CASE(guest_no_slot_is_mmio)
{
	struct exits x = { 0 };
	struct guest g;

	KT_ASSERT_OK(t, guest_create(v, GMV_VM_DEFAULT, &g));
	g.data = &x;
	expect_no_memory(t, &g);
	KT_ASSERT_OK(t, guest_start(&g, "no_slot", GUEST_TEST_GPA, 0));
	KT_EXPECT_DONE(t, &g, &no_slot_handlers);
	KT_EXPECT_EQ(t, x.stores, 4);
	KT_EXPECT_EQ(t, x.loads, 4);
}

static const struct kt_case exits_cases[] = {
	KT_CASE_IF(guest_deleted_slot_is_mmio, need_shared_gmem),
	KT_CASE_IF(guest_released_gmem_memory_fault, need_shared_gmem),
	KT_CASE_IF(guest_no_slot_is_mmio, need_vcpu),
};

const struct kt_suite guest_exits_suite = KT_SUITE("exits", exits_cases);
