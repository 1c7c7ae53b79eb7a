// SPDX-License-Identifier: MIT
/*
 * tests/common/tdx_module_test.c - the software TDX module
 * (hv/tdx/tdx_module.h): every completion status of every modelled leaf
 * reached on purpose, each asserting the exact status (with its operand
 * id), the extended information in RCX/RDX, and the state left behind,
 * read back through tdx_model_entry/page/td; the model's invariant
 * checker runs at the end of every case. hv/tdx/README.md maps each
 * status to its case.
 */
#include "hv/alloc.h"
#include "hv/base/kmalloc.h"
#include "hv/tdx/tdx_model_int.h"
#include "lib/errno.h"
#include "lib/mem.h"
#include "tests/suites.h"

#define SIZE (16ULL << 20) /* the PAMT's range */
#define K4 4096ULL
#define M2 (2ULL << 20)
#define TD 7
#define TD2 8
#define GPA (1ULL << 30) /* a 2 MiB region at 1 GiB */
/* Table pages at 0..64 KiB; data pages from 2 MiB on. */
#define T(n) ((u64)(n)*K4)
#define DATA (2 * M2)

#define RCX_ TDX_OPERAND_RCX
#define RDX_ TDX_OPERAND_RDX
#define R8_ TDX_OPERAND_R8

static u64 objects_before;

static struct tdx_model *model(struct kt *t)
{
	struct kmalloc_stats st;
	struct tdx_model *m;

	kmalloc_get_stats(&st);
	objects_before = st.objects;
	m = tdx_model_create(SIZE);
	KT_EXPECT(t, m != NULL);
	return m;
}

/* The invariants hold and everything goes back. */
static void done(struct kt *t, struct tdx_model *m)
{
	struct kmalloc_stats st;

	KT_EXPECT_OK(t, tdx_model_check(m));
	tdx_model_destroy(m);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_TDX), 0);
	kmalloc_get_stats(&st);
	KT_EXPECT_EQ(t, st.objects, objects_before);
}

static struct tdx_entry_info entry(struct tdx_model *m, u64 td, u64 gpa,
				   unsigned int level)
{
	struct tdx_entry_info i = {0};

	tdx_model_entry(m, td, gpa, level, &i);
	return i;
}

static struct tdx_page_info page(struct tdx_model *m, u64 hpa)
{
	struct tdx_page_info i = {0};

	tdx_model_page(m, hpa, &i);
	return i;
}

static struct tdx_td_info tdinfo(struct tdx_model *m, u64 td)
{
	struct tdx_td_info i = {0};

	tdx_model_td(m, td, &i);
	return i;
}

/* Tables down to the 2 MiB entries of GPA's 1 GiB region (levels 3, 2),
 * and with pt, the 4 KiB table under GPA's 2 MiB entry too. */
static bool tables(struct kt *t, struct tdx_model *m, u64 td, bool pt,
		   unsigned int first)
{
	bool ok = KT_EXPECT_EQ(t, tdx_sept_add(m, td, 0, 3, T(first), NULL), 0);

	ok = ok &&
	     KT_EXPECT_EQ(t, tdx_sept_add(m, td, GPA, 2, T(first + 1), NULL),
			  0);
	if (pt)
		ok = ok &&
		     KT_EXPECT_EQ(
			     t, tdx_sept_add(m, td, GPA, 1, T(first + 2), NULL),
			     0);
	return ok;
}

/* Every vCPU of td passes through an exit. */
static void kick_all(struct tdx_model *m, u64 td, unsigned int n)
{
	for (unsigned int v = 0; v < n; v++)
		tdx_vcpu_exit(m, td, v);
}

/* A TD whose leaves the TD handle, lifecycle and operation state refuse. */
static void td_state_statuses(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_ext x;

	if (!m)
		return;
	/* No such TDR: the handle's page is not PT_TDR. */
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, 0, 3, T(0), &x),
		     TDX_PAGE_METADATA_INCORRECT | RDX_);
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 0, DATA, &x),
		     TDX_PAGE_METADATA_INCORRECT | RDX_);
	KT_EXPECT_EQ(t, tdx_page_add(m, TD, GPA, DATA, 0, &x),
		     TDX_PAGE_METADATA_INCORRECT | RDX_);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 0, &x),
		     TDX_PAGE_METADATA_INCORRECT | RDX_);
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA, 0, &x),
		     TDX_PAGE_METADATA_INCORRECT | RDX_);
	KT_EXPECT_EQ(t, tdx_track(m, TD), TDX_PAGE_METADATA_INCORRECT | RDX_);
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 0, &x),
		     TDX_PAGE_METADATA_INCORRECT | RDX_);
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 1, &x),
		     TDX_PAGE_METADATA_INCORRECT | RDX_);
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, GPA, 1, T(0), &x),
		     TDX_PAGE_METADATA_INCORRECT | RDX_);
	/* HKID assigned, keys not configured. */
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_CREATED), 0);
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, 0, 3, T(0), &x),
		     TDX_TD_KEYS_NOT_CONFIGURED);
	KT_EXPECT_EQ(t, tdx_track(m, TD), TDX_TD_KEYS_NOT_CONFIGURED);
	/* The same TDR twice. */
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_RUNNABLE),
		     TDX_PAGE_METADATA_INCORRECT | RCX_);
	KT_EXPECT_EQ(t,
		     tdx_td_create(m, TD2, TDX_MAX_VCPUS + 1, TDX_TD_RUNNABLE),
		     TDX_MAX_VCPUS_EXCEEDED);
	/* Keys configured, TDCS not initialised: no memory leaf runs. */
	KT_EXPECT_EQ(t, tdx_td_create(m, TD2, 1, TDX_TD_KEYS), 0);
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD2, GPA, 0, DATA, &x),
		     TDX_OP_STATE_INCORRECT);
	KT_EXPECT_EQ(t, tdx_td_finalize(m, TD2), TDX_OP_STATE_INCORRECT);
	KT_EXPECT(t, !tdinfo(m, TD2).finalized);
	/* Finalize needs a vCPU; then PAGE.ADD is over. */
	KT_EXPECT_EQ(t, tdx_td_create(m, 9, 0, TDX_TD_RUNNABLE), TDX_NO_VCPUS);
	KT_EXPECT(t, !tdinfo(m, 9).finalized);
	KT_EXPECT_EQ(t, tdx_td_create(m, 10, 2, TDX_TD_RUNNABLE), 0);
	KT_EXPECT(t, tdinfo(m, 10).finalized);
	KT_EXPECT_EQ(t, tdx_td_finalize(m, 10), TDX_OP_STATE_INCORRECT);
	KT_EXPECT_EQ(t, tdx_page_add(m, 10, GPA, DATA, 0, &x),
		     TDX_OP_STATE_INCORRECT);
	/* Torn down: the memory leaves see the lifecycle. */
	KT_EXPECT_EQ(t, tdx_td_teardown(m, 10), 0);
	KT_EXPECT(t, tdinfo(m, 10).torn_down);
	KT_EXPECT_EQ(t, tdx_page_remove(m, 10, GPA, 0, &x),
		     TDX_LIFECYCLE_STATE_INCORRECT);
	KT_EXPECT_EQ(t, tdx_track(m, 10), TDX_LIFECYCLE_STATE_INCORRECT);
	KT_EXPECT_EQ(t, tdx_td_teardown(m, 11),
		     TDX_PAGE_METADATA_INCORRECT | RCX_);
	done(t, m);
}

static void sept_add_statuses(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_ext x;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_RUNNABLE), 0);
	/* RCX: level 0 (no table under a 4 KiB entry) or past the root,
	 * a GPA off the level's alignment, shared, past GPAW. */
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, 0, 0, T(0), &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, 0, 4, T(0), &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, GPA + K4, 1, T(0), &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, GPA | TDX_SHARED_BIT, 1, T(0), &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, 1ULL << 48, 3, T(0), &x),
		     TDX_OPERAND_INVALID | RCX_);
	/* The level-2 entry's table is missing: the walk stops at the FREE
	 * root entry (level 3). */
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, GPA, 1, T(0), &x),
		     TDX_EPT_WALK_FAILED | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 3 | (u64)TDX_SEPT_FREE << 8);
	KT_EXPECT_EQ(t, x.rcx, BIT(63));
	KT_EXPECT_EQ(t, page(m, T(0)).type, TDX_PT_NDA);
	/* The new table page: aligned, inside the PAMT, PT_NDA. */
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, 0, 3, T(0) + 8, &x),
		     TDX_OPERAND_INVALID | R8_);
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, 0, 3, SIZE, &x),
		     TDX_OPERAND_ADDR_RANGE_ERROR | R8_);
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, 0, 3, T(0), &x), 0);
	KT_EXPECT_EQ(t, entry(m, TD, 0, 3).state, TDX_SEPT_NL_MAPPED);
	KT_EXPECT_EQ(t, page(m, T(0)).type, TDX_PT_EPT);
	KT_EXPECT_EQ(t, page(m, T(0)).owner, TD);
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, GPA, 2, T(0), &x),
		     TDX_PAGE_METADATA_INCORRECT | R8_);
	/* The entry is no longer FREE. */
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, 0, 3, T(1), &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 3 | (u64)TDX_SEPT_NL_MAPPED << 8);
	KT_EXPECT_EQ(t, x.rcx, T(0) | 7);
	KT_EXPECT_EQ(t, page(m, T(1)).type, TDX_PT_NDA);
	/* Locks held elsewhere: the tree, the entry, the new page. */
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, true));
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, GPA, 2, T(1), &x),
		     TDX_OPERAND_BUSY | TDX_OPERAND_SEPT_TREE);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, false));
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA, 2, true));
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, GPA, 2, T(1), &x),
		     TDX_OPERAND_BUSY | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 2 | (u64)TDX_SEPT_FREE << 8);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA, 2, false));
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_PAGE, TD, T(1), 0, true));
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, GPA, 2, T(1), &x),
		     TDX_OPERAND_BUSY | R8_);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_PAGE, TD, T(1), 0, false));
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, GPA, 2, T(1), &x), 0);
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, GPA, 1, T(2), &x), 0);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 1).state, TDX_SEPT_NL_MAPPED);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_FREE);
	KT_EXPECT_EQ(t, tdinfo(m, TD).child_pages, 3);
	done(t, m);
}

static void aug_statuses(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_ext x;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_RUNNABLE), 0);
	KT_EXPECT_EQ(t, tdx_td_create(m, TD2, 1, TDX_TD_RUNNABLE), 0);
	if (!tables(t, m, TD, false, 0) || !tables(t, m, TD2, false, 8))
		goto out;
	/* A 2 MiB page: aligned HPA, all 512 pages free. */
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 1, DATA + K4, &x),
		     TDX_OPERAND_INVALID | R8_);
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 1, SIZE - M2 + M2, &x),
		     TDX_OPERAND_ADDR_RANGE_ERROR | R8_);
	/* 2^52 is past MAXPHYADDR's 52 bits: an invalid operand, not one
	 * merely outside the PAMT. */
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 1, 1ULL << 52, &x),
		     TDX_OPERAND_INVALID | R8_);
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 2, DATA, &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA + K4, 1, DATA, &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD2, GPA + M2, 0, DATA + 5 * K4, &x),
		     TDX_EPT_WALK_FAILED | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_FREE << 8);
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD2, GPA + M2, 1, T(10), &x), 0);
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD2, GPA + M2, 0, DATA + 5 * K4, &x),
		     0);
	/* The PAMT's last page is a page like any other (the checker in
	 * done() sees it mapped inside the range). */
	KT_EXPECT_EQ(t,
		     tdx_page_aug(m, TD2, GPA + M2 + 2 * K4, 0, SIZE - K4, &x),
		     0);
	/* One page of the 2 MiB range is another TD's. */
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 1, DATA, &x),
		     TDX_PAGE_METADATA_INCORRECT | R8_);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 1).state, TDX_SEPT_FREE);
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 1, DATA + M2, &x), 0);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 1).state, TDX_SEPT_PENDING);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 1).hpa, DATA + M2);
	KT_EXPECT_EQ(t, page(m, DATA + M2 + 9 * K4).type, TDX_PT_REG);
	KT_EXPECT_EQ(t, page(m, DATA + M2 + 9 * K4).level, 1);
	KT_EXPECT_EQ(t, tdinfo(m, TD).child_pages, 2 + 512);
	/* Double AUG: the entry is PENDING. */
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 1, DATA + 2 * M2, &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_PENDING << 8);
	KT_EXPECT_EQ(t, x.rcx & ((1ULL << 52) - 4096), DATA + M2);
	/* A 4 KiB AUG under the 2 MiB leaf: the walk stops at the leaf. */
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA + K4, 0, DATA + 2 * M2, &x),
		     TDX_EPT_WALK_FAILED | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_PENDING << 8);
	/* The same page into a second TD. */
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD2, GPA + M2 + K4, 0, DATA + M2, &x),
		     TDX_PAGE_METADATA_INCORRECT | R8_);
	/* A 2 MiB AUG over a 4 KiB table. */
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD2, GPA + M2, 1, DATA + 2 * M2, &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_NL_MAPPED << 8);
	/* Busy: the tree, the entry, a page of the range. */
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD2, 0, 0, true));
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD2, GPA + M2 + K4, 0, DATA, &x),
		     TDX_OPERAND_BUSY | TDX_OPERAND_SEPT_TREE);
	KT_EXPECT_OK(t,
		     tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD2, 0, 0, false));
	/* The PAMT read-back names a page of the PAMT too. */
	KT_EXPECT_ERRNO(t,
			tdx_model_page(m, DATA + 1, &(struct tdx_page_info){0}),
			EINVAL);
	KT_EXPECT_ERRNO(t, tdx_model_page(m, SIZE, &(struct tdx_page_info){0}),
			EINVAL);
	/* A hold of no known kind. */
	KT_EXPECT_ERRNO(t, tdx_model_hold(m, (enum tdx_hold)99, TD, 0, 0, true),
			EINVAL);
	/* A page hold names a page of the PAMT. */
	KT_EXPECT_ERRNO(t,
			tdx_model_hold(m, TDX_HOLD_PAGE, 0, DATA + 1, 0, false),
			EINVAL);
	KT_EXPECT_ERRNO(t, tdx_model_hold(m, TDX_HOLD_PAGE, 0, SIZE, 0, false),
			EINVAL);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_PAGE, 0, DATA + 3 * M2 + K4,
				       0, true));
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA + 2 * M2, 1, DATA + 3 * M2, &x),
		     TDX_OPERAND_BUSY | R8_);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_PAGE, 0, DATA + 3 * M2 + K4,
				       0, false));
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA + 2 * M2, 1,
				       true));
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA + 2 * M2, 1, DATA + 3 * M2, &x),
		     TDX_OPERAND_BUSY | RCX_);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA + 2 * M2, 1,
				       false));
	KT_EXPECT_EQ(t, page(m, DATA + 3 * M2).type, TDX_PT_NDA);
out:
	done(t, m);
}

static void page_add_statuses(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_ext x;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_INITIALIZED), 0);
	KT_EXPECT_EQ(t, tdx_page_add(m, TD, GPA, DATA, 0, &x),
		     TDX_EPT_WALK_FAILED | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 3 | (u64)TDX_SEPT_FREE << 8);
	if (!tables(t, m, TD, true, 0))
		goto out;
	KT_EXPECT_EQ(t, tdx_page_add(m, TD, GPA + 8, DATA, 0, &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_page_add(m, TD, GPA, DATA, 0x10, &x),
		     TDX_OPERAND_INVALID | TDX_OPERAND_R9);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_FREE);
	KT_EXPECT_EQ(t, tdx_page_add(m, TD, GPA, T(0), 0, &x),
		     TDX_PAGE_METADATA_INCORRECT | R8_);
	/* The module's order: the source (R9) before the target (R8). */
	KT_EXPECT_EQ(t, tdx_page_add(m, TD, GPA, T(0), 0x10, &x),
		     TDX_OPERAND_INVALID | TDX_OPERAND_R9);
	/* The TDR locked elsewhere; the S-EPT tree lock is not ADD's (the
	 * exclusive TDR lock covers the S-EPT). */
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_TDR, TD, 0, 0, true));
	KT_EXPECT_EQ(t, tdx_page_add(m, TD, GPA, DATA, 0, &x),
		     TDX_OPERAND_BUSY | RDX_);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_TDR, TD, 0, 0, false));
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, true));
	KT_EXPECT_EQ(t, tdx_page_add(m, TD, GPA, DATA, 0, &x), 0);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, false));
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_MAPPED);
	KT_EXPECT_EQ(t, page(m, DATA).type, TDX_PT_REG);
	KT_EXPECT_EQ(t, tdx_page_add(m, TD, GPA, DATA + K4, 0, &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, (u64)TDX_SEPT_MAPPED << 8);
	KT_EXPECT_EQ(t, tdx_page_add(m, TD, GPA + K4, DATA, 0, &x),
		     TDX_PAGE_METADATA_INCORRECT | R8_);
	/* After finalize, no more. */
	KT_EXPECT_EQ(t, tdx_td_finalize(m, TD), 0);
	KT_EXPECT_EQ(t, tdx_page_add(m, TD, GPA + K4, DATA + K4, 0, &x),
		     TDX_OP_STATE_INCORRECT);
	KT_EXPECT_EQ(t, tdinfo(m, TD).child_pages, 4);
out:
	done(t, m);
}

/* TDH.MR.EXTEND: the TD's state, RCX, and the walk to a MAPPED leaf. */
static void mr_extend_statuses(struct kt *t)
{
	static const u8 zero_mrtd[TDX_MRTD_SIZE];
	struct tdx_model *m = model(t);
	struct tdx_td_info i;
	struct tdx_ext x;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_mr_extend(m, TD, GPA, NULL, &x),
		     TDX_PAGE_METADATA_INCORRECT | RDX_);
	KT_EXPECT_EQ(t, tdx_td_create(m, TD2, 1, TDX_TD_CREATED), 0);
	KT_EXPECT_EQ(t, tdx_mr_extend(m, TD2, GPA, NULL, &x),
		     TDX_TD_KEYS_NOT_CONFIGURED);
	KT_EXPECT_EQ(t, tdx_td_create(m, 9, 1, TDX_TD_KEYS), 0);
	KT_EXPECT_EQ(t, tdx_mr_extend(m, 9, GPA, NULL, &x),
		     TDX_OP_STATE_INCORRECT);
	KT_EXPECT_EQ(t, tdx_td_teardown(m, 9), 0);
	KT_EXPECT_EQ(t, tdx_mr_extend(m, 9, GPA, NULL, &x),
		     TDX_LIFECYCLE_STATE_INCORRECT);
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_INITIALIZED), 0);
	/* Nothing under the root: the walk ends at the FREE level-3 entry. */
	KT_EXPECT_EQ(t, tdx_mr_extend(m, TD, GPA, NULL, &x),
		     TDX_EPT_ENTRY_NOT_PRESENT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 3 | (u64)TDX_SEPT_FREE << 8);
	if (!tables(t, m, TD, true, 0))
		goto out;
	KT_EXPECT_EQ(t, tdx_page_add(m, TD, GPA, DATA, 0, &x), 0);
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA + K4, 0, DATA + K4, &x), 0);
	/* RCX: 256-byte aligned, private, below GPAW. */
	KT_EXPECT_EQ(t, tdx_mr_extend(m, TD, GPA + 128, NULL, &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_mr_extend(m, TD, GPA | TDX_SHARED_BIT, NULL, &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_mr_extend(m, TD, 1ULL << 48, NULL, &x),
		     TDX_OPERAND_INVALID | RCX_);
	/* Not PAGE.ADDed: a FREE 4 KiB entry, an AUGed (PENDING) page. */
	KT_EXPECT_EQ(t, tdx_mr_extend(m, TD, GPA + 2 * K4, NULL, &x),
		     TDX_EPT_ENTRY_NOT_PRESENT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, (u64)TDX_SEPT_FREE << 8);
	KT_EXPECT_EQ(t, tdx_mr_extend(m, TD, GPA + K4 + 256, NULL, &x),
		     TDX_EPT_ENTRY_NOT_PRESENT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, (u64)TDX_SEPT_PENDING << 8);
	KT_EXPECT_EQ(t, x.rcx & ~0xFFFULL & (BIT(52) - 1), DATA + K4);
	/* Blocked: the leaf, then the table above it (no tracking is
	 * needed to unblock before finalize). */
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 0, &x), 0);
	KT_EXPECT_EQ(t, tdx_mr_extend(m, TD, GPA + 256, NULL, &x),
		     TDX_EPT_ENTRY_NOT_PRESENT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, (u64)TDX_SEPT_BLOCKED << 8);
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA, 0, &x), 0);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 1, &x), 0);
	KT_EXPECT_EQ(t, tdx_mr_extend(m, TD, GPA + 256, NULL, &x),
		     TDX_EPT_ENTRY_NOT_PRESENT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_NL_BLOCKED << 8);
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA, 1, &x), 0);
	/* The TDR locked elsewhere: MR.EXTEND and MR.FINALIZE lock it
	 * exclusively; the S-EPT tree lock is not MR.EXTEND's (the TDR's
	 * covers it). */
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_TDR, TD, 0, 0, true));
	KT_EXPECT_EQ(t, tdx_mr_extend(m, TD, GPA, NULL, &x),
		     TDX_OPERAND_BUSY | RDX_);
	KT_EXPECT_EQ(t, tdx_td_finalize(m, TD), TDX_OPERAND_BUSY | RDX_);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_TDR, TD, 0, 0, false));
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, true));
	KT_EXPECT_EQ(t, tdx_mr_extend(m, TD, GPA + 15 * 256, NULL, &x), 0);
	KT_EXPECT_EQ(t, x.rcx | x.rdx, 0);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, false));
	/* MRTD is written at finalize; MR.EXTEND is over then. */
	i = tdinfo(m, TD);
	KT_EXPECT_MEM_EQ(t, i.mrtd, zero_mrtd, TDX_MRTD_SIZE);
	KT_EXPECT_EQ(t, tdx_td_finalize(m, TD), 0);
	i = tdinfo(m, TD);
	KT_EXPECT(t, memcmp(i.mrtd, zero_mrtd, TDX_MRTD_SIZE));
	KT_EXPECT_EQ(t, tdx_mr_extend(m, TD, GPA, NULL, &x),
		     TDX_OP_STATE_INCORRECT);
out:
	done(t, m);
}

/* A small launch: PAGE.ADD at GPA, its 16 chunks MR.EXTENDed, PAGE.ADD at
 * GPA + 4 KiB, MR.FINALIZE. */
static void launch(struct kt *t, struct tdx_model *m, u64 td, const u8 *data,
		   unsigned int first_table)
{
	KT_EXPECT_EQ(t, tdx_td_create(m, td, 1, TDX_TD_INITIALIZED), 0);
	if (!tables(t, m, td, true, first_table))
		return;
	KT_EXPECT_EQ(t,
		     tdx_page_add(m, td, GPA, DATA + first_table * K4, 0, NULL),
		     0);
	for (unsigned int c = 0; c < K4 / TDX_MR_CHUNK; c++)
		KT_EXPECT_EQ(t,
			     tdx_mr_extend(m, td, GPA + c * TDX_MR_CHUNK,
					   data + c * TDX_MR_CHUNK, NULL),
			     0);
	KT_EXPECT_EQ(t,
		     tdx_page_add(m, td, GPA + K4,
				  DATA + (first_table + 1) * K4, 0, NULL),
		     0);
	KT_EXPECT_EQ(t, tdx_td_finalize(m, td), 0);
}

/*
 * MRTD's known answer for that launch, the data bytes (i * 7 + 3) & 0xff.
 * The expected value was computed once, independently of this code, with
 * python3's hashlib: sha384() updated with, in turn, the 128-byte block
 * b"MEM.PAGE.ADD" + zeros to 16 + GPA (8 bytes little-endian) + zeros; per
 * chunk c the block b"MR.EXTEND" + zeros to 16 + (GPA + 256 c) + zeros,
 * then the chunk's 256 bytes; the MEM.PAGE.ADD block of GPA + 4096;
 * hexdigest().
 */
static void mrtd_known_answer(struct kt *t)
{
	static const u8 want[TDX_MRTD_SIZE] = {
		0x31, 0xb8, 0x5c, 0xbb, 0x43, 0x49, 0x7d, 0x77, 0x3e, 0x7c,
		0xea, 0xc9, 0xdc, 0x74, 0xa3, 0x22, 0x1b, 0x6a, 0x4c, 0x6b,
		0x38, 0x6e, 0x50, 0x32, 0xb1, 0x5c, 0xb3, 0x24, 0xbc, 0x7a,
		0x60, 0x5b, 0x96, 0x92, 0x9b, 0x87, 0x8d, 0x09, 0x3b, 0x03,
		0x1d, 0xa0, 0xa3, 0x62, 0xec, 0x97, 0xc3, 0x77,
	};
	struct tdx_model *m = model(t);
	struct tdx_td_info a, b, c;
	u8 data[K4];

	if (!m)
		return;
	for (unsigned int i = 0; i < K4; i++)
		data[i] = (u8)(i * 7 + 3);
	launch(t, m, TD, data, 0);
	a = tdinfo(m, TD);
	KT_EXPECT_MEM_EQ(t, a.mrtd, want, TDX_MRTD_SIZE);
	/* Another TD, other pages, the same GPAs and data: the same MRTD;
	 * one byte of data different: another. */
	launch(t, m, TD2, data, 8);
	b = tdinfo(m, TD2);
	KT_EXPECT_MEM_EQ(t, b.mrtd, want, TDX_MRTD_SIZE);
	data[K4 - 1] ^= 1;
	launch(t, m, 9, data, 16);
	c = tdinfo(m, 9);
	KT_EXPECT(t, memcmp(c.mrtd, want, TDX_MRTD_SIZE));
	done(t, m);
}

static void block_statuses(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_ext x;
	u64 epoch;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_RUNNABLE), 0);
	if (!tables(t, m, TD, true, 0))
		goto out;
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 0, DATA, &x), 0);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 4, &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA + M2, 0, &x),
		     TDX_EPT_WALK_FAILED | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_FREE << 8);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA + K4, 0, &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, (u64)TDX_SEPT_FREE << 8);
	epoch = tdinfo(m, TD).epoch;
	/* A page never blocked holds no block epoch. */
	KT_EXPECT_EQ(t, page(m, DATA).bepoch, 0);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 0, &x), 0);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_PENDING_BLOCKED);
	KT_EXPECT_EQ(t, page(m, DATA).bepoch, epoch);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 0, &x),
		     TDX_GPA_RANGE_ALREADY_BLOCKED | RCX_);
	KT_EXPECT(t, tdx_status_is_warning(TDX_GPA_RANGE_ALREADY_BLOCKED));
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_PENDING_BLOCKED);
	/* A table entry: NL_MAPPED -> NL_BLOCKED, its epoch on the table
	 * page. */
	KT_EXPECT_EQ(t, tdx_track(m, TD), 0);
	kick_all(m, TD, 1);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 1, &x), 0);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 1).state, TDX_SEPT_NL_BLOCKED);
	KT_EXPECT_EQ(t, page(m, T(2)).bepoch, epoch + 1);
	/* The host's walk passes a blocked table. */
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_PENDING_BLOCKED);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, true));
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 2, &x),
		     TDX_OPERAND_BUSY | TDX_OPERAND_SEPT_TREE);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, false));
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA, 2, true));
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 2, &x),
		     TDX_OPERAND_BUSY | RCX_);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA, 2, false));
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 2).state, TDX_SEPT_NL_MAPPED);
out:
	done(t, m);
}

/* Unblock needs the block tracked: TRACK, then every vCPU out of the old
 * epoch. */
static void unblock_statuses(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_ext x;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 2, TDX_TD_RUNNABLE), 0);
	if (!tables(t, m, TD, true, 0))
		goto out;
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 0, DATA, &x), 0);
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, GPA, 0, &x), 0);
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA, 0, &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, (u64)TDX_SEPT_MAPPED << 8);
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA, 5, &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA + M2, 0, &x),
		     TDX_EPT_WALK_FAILED | RCX_);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 0, &x), 0);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_BLOCKED);
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA, 0, &x),
		     TDX_TLB_TRACKING_NOT_DONE | RCX_);
	KT_EXPECT_EQ(t, tdx_track(m, TD), 0);
	/* vCPU 1 still runs in the block's epoch. */
	KT_EXPECT_EQ(t, tdx_vcpu_exit(m, TD, 0), 0);
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA, 0, &x),
		     TDX_TLB_TRACKING_NOT_DONE | RCX_);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_BLOCKED);
	KT_EXPECT_EQ(t, tdx_vcpu_exit(m, TD, 1), 0);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA, 0, true));
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA, 0, &x),
		     TDX_OPERAND_BUSY | RCX_);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA, 0, false));
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, true));
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA, 0, &x),
		     TDX_OPERAND_BUSY | TDX_OPERAND_SEPT_TREE);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, false));
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA, 0, &x), 0);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_MAPPED);
	/* PENDING_BLOCKED goes back to PENDING; before finalize no tracking
	 * is needed at all. */
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA + K4, 0, DATA + K4, &x), 0);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA + K4, 0, &x), 0);
	KT_EXPECT_EQ(t, tdx_track(m, TD), 0);
	kick_all(m, TD, 2);
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA + K4, 0, &x), 0);
	KT_EXPECT_EQ(t, entry(m, TD, GPA + K4, 0).state, TDX_SEPT_PENDING);
	KT_EXPECT_EQ(t, tdx_td_create(m, TD2, 1, TDX_TD_INITIALIZED), 0);
	if (tables(t, m, TD2, true, 8)) {
		KT_EXPECT_EQ(t, tdx_page_add(m, TD2, GPA, DATA + M2, 0, &x), 0);
		KT_EXPECT_EQ(t, tdx_range_block(m, TD2, GPA, 0, &x), 0);
		KT_EXPECT_EQ(t, tdx_range_unblock(m, TD2, GPA, 0, &x), 0);
		KT_EXPECT_EQ(t, entry(m, TD2, GPA, 0).state, TDX_SEPT_MAPPED);
	}
out:
	done(t, m);
}

static void track_statuses(struct kt *t)
{
	struct tdx_model *m = model(t);

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 2, TDX_TD_RUNNABLE), 0);
	KT_EXPECT_EQ(t, tdinfo(m, TD).epoch, 1);
	KT_EXPECT_EQ(t, tdx_track(m, TD), 0);
	KT_EXPECT_EQ(t, tdinfo(m, TD).epoch, 2);
	/* Both vCPUs still run in epoch 1. */
	KT_EXPECT_EQ(t, tdx_track(m, TD), TDX_PREVIOUS_TLB_EPOCH_BUSY);
	KT_EXPECT_EQ(t, tdx_vcpu_exit(m, TD, 1), 0);
	KT_EXPECT_EQ(t, tdx_track(m, TD), TDX_PREVIOUS_TLB_EPOCH_BUSY);
	KT_EXPECT_EQ(t, tdx_vcpu_exit(m, TD, 0), 0);
	KT_EXPECT_EQ(t, tdx_track(m, TD), 0);
	KT_EXPECT_EQ(t, tdinfo(m, TD).epoch, 3);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_EPOCH, TD, 0, 0, true));
	kick_all(m, TD, 2);
	KT_EXPECT_EQ(t, tdx_track(m, TD),
		     TDX_OPERAND_BUSY | TDX_OPERAND_TD_EPOCH);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_EPOCH, TD, 0, 0, false));
	KT_EXPECT_EQ(t, tdinfo(m, TD).epoch, 3);
	/* Before finalize no vCPU runs: TRACK always advances. */
	KT_EXPECT_EQ(t, tdx_td_create(m, TD2, 1, TDX_TD_INITIALIZED), 0);
	KT_EXPECT_EQ(t, tdx_track(m, TD2), 0);
	KT_EXPECT_EQ(t, tdx_track(m, TD2), 0);
	KT_EXPECT_EQ(t, tdinfo(m, TD2).epoch, 3);
	/* vcpu_exit: a vCPU the TD has, of a TD that runs. */
	KT_EXPECT_EQ(t, tdx_vcpu_exit(m, TD, 2), TDX_PAGE_METADATA_INCORRECT);
	KT_EXPECT_EQ(t, tdx_vcpu_exit(m, 99, 0), TDX_PAGE_METADATA_INCORRECT);
	KT_EXPECT_EQ(t, tdx_vcpu_exit(m, TD2, 0), TDX_OP_STATE_INCORRECT);
	done(t, m);
}

/* The ordering KVM keeps: BLOCK -> TRACK -> every vCPU exits -> REMOVE. */
static void remove_statuses(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_ext x;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 2, TDX_TD_RUNNABLE), 0);
	if (!tables(t, m, TD, true, 0))
		goto out;
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 0, DATA, &x), 0);
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 1, GPA, 0, &x), 0);
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 3, &x),
		     TDX_OPERAND_INVALID | RCX_);
	/* A blocked table stops the host's walk (secure_ept_walk() stops
	 * at an entry without RWX): the leaf is not reached. */
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 1, &x), 0);
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 0, &x),
		     TDX_EPT_WALK_FAILED | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_NL_BLOCKED << 8);
	/* The blocked table entry: its table's HPA, RWX clear, TDB (bit
	 * 55) set (ABI spec, "Secure EPT Entry"). */
	KT_EXPECT_EQ(t, x.rcx, T(2) | 1ULL << 55);
	KT_EXPECT_EQ(t, tdx_track(m, TD), 0);
	KT_EXPECT_EQ(t, tdx_vcpu_exit(m, TD, 0), 0);
	KT_EXPECT_EQ(t, tdx_vcpu_exit(m, TD, 1), 0);
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA, 1, &x), 0);
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 0, &x),
		     TDX_GPA_RANGE_NOT_BLOCKED | RCX_);
	KT_EXPECT_EQ(t, x.rdx, (u64)TDX_SEPT_MAPPED << 8);
	KT_EXPECT_EQ(t, x.rcx, DATA | 7 | (6 << 3));
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 0, &x), 0);
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 0, &x),
		     TDX_TLB_TRACKING_NOT_DONE | RCX_);
	KT_EXPECT_EQ(t, tdx_track(m, TD), 0);
	KT_EXPECT_EQ(t, tdx_vcpu_exit(m, TD, 0), 0);
	/* vCPU 1 has not exited since the track. */
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 0, &x),
		     TDX_TLB_TRACKING_NOT_DONE | RCX_);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_BLOCKED);
	KT_EXPECT_EQ(t, page(m, DATA).type, TDX_PT_REG);
	KT_EXPECT_EQ(t, tdx_vcpu_exit(m, TD, 1), 0);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, true));
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 0, &x),
		     TDX_OPERAND_BUSY | TDX_OPERAND_SEPT_TREE);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, false));
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA, 0, true));
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 0, &x),
		     TDX_OPERAND_BUSY | RCX_);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA, 0, false));
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 0, &x), 0);
	KT_EXPECT_EQ(t, x.rcx, DATA);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_FREE);
	KT_EXPECT_EQ(t, page(m, DATA).type, TDX_PT_NDA);
	KT_EXPECT_EQ(t, tdinfo(m, TD).child_pages, 3);
	/* Nothing left there; a table is no leaf. */
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 0, &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 1, &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_NL_MAPPED << 8);
	/* Level 2 (a 1 GiB leaf's) is in REMOVE's range: a table there. */
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 2, &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 2 | (u64)TDX_SEPT_NL_MAPPED << 8);
	/* 4 KiB of a 2 MiB leaf: demote first. */
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA + M2, 1, DATA + M2, &x), 0);
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA + M2 + K4, 0, &x),
		     TDX_EPT_WALK_FAILED | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_PENDING << 8);
	/* A PENDING page unblocked: blocked first as well. */
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA + M2, 1, &x),
		     TDX_GPA_RANGE_NOT_BLOCKED | RCX_);
	/* Before finalize: no block, no track. */
	KT_EXPECT_EQ(t, tdx_td_create(m, TD2, 1, TDX_TD_INITIALIZED), 0);
	if (tables(t, m, TD2, true, 8)) {
		KT_EXPECT_EQ(t, tdx_page_aug(m, TD2, GPA, 0, DATA + 2 * M2, &x),
			     0);
		KT_EXPECT_EQ(t, tdx_page_remove(m, TD2, GPA, 0, &x), 0);
		KT_EXPECT_EQ(t, page(m, DATA + 2 * M2).type, TDX_PT_NDA);
	}
out:
	done(t, m);
}

/*
 * A block is tracked by a TRACK after it (ABI spec, "TLB Tracking"; the
 * module's is_tlb_tracked): a BLOCK in the current epoch is not, even
 * with no vCPU running in that epoch yet.
 */
static void block_needs_a_later_track(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_ext x;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_RUNNABLE), 0);
	if (!tables(t, m, TD, true, 0))
		goto out;
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 0, DATA, &x), 0);
	/* Epoch 2; the vCPU still runs in epoch 1. */
	KT_EXPECT_EQ(t, tdx_track(m, TD), 0);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 0, &x), 0);
	KT_EXPECT_EQ(t, page(m, DATA).bepoch, 2);
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 0, &x),
		     TDX_TLB_TRACKING_NOT_DONE | RCX_);
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA, 0, &x),
		     TDX_TLB_TRACKING_NOT_DONE | RCX_);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_PENDING_BLOCKED);
	/* Two epochs on, the block is tracked whatever the vCPU did. */
	kick_all(m, TD, 1);
	KT_EXPECT_EQ(t, tdx_track(m, TD), 0);
	kick_all(m, TD, 1);
	KT_EXPECT_EQ(t, tdx_track(m, TD), 0);
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 0, &x), 0);
	KT_EXPECT_EQ(t, page(m, DATA).type, TDX_PT_NDA);
out:
	done(t, m);
}

/* 512 4 KiB pages under GPA's table at data, in state accepted or not. */
static void fill_pt(struct kt *t, struct tdx_model *m, u64 td, u64 data,
		    unsigned int vcpu, bool accept)
{
	bool ok = true;

	for (unsigned int i = 0; i < TDX_ENTRIES && ok; i++) {
		ok = KT_EXPECT_EQ(t,
				  tdx_page_aug(m, td, GPA + i * K4, 0,
					       data + i * K4, NULL),
				  0);
		if (ok && accept)
			ok = KT_EXPECT_EQ(
				t,
				tdx_accept(m, td, vcpu, GPA + i * K4, 0, NULL),
				0);
	}
}

static void promote_statuses(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_ext x;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_RUNNABLE), 0);
	if (!tables(t, m, TD, true, 0))
		goto out;
	fill_pt(t, m, TD, DATA, 0, true);
	/* A table page right after the one PROMOTE frees. */
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, GPA + 2 * M2, 1, T(3), &x), 0);
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 0, &x),
		     TDX_OPERAND_INVALID | RCX_);
	/* No 1 GiB leaves: level 3 (a table entry here) is out of range. */
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, 0, 3, &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA + K4, 1, &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA + M2, 1, &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_FREE << 8);
	/* Running TD: the table entry blocked and tracked first. */
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 1, &x),
		     TDX_GPA_RANGE_NOT_BLOCKED | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_NL_MAPPED << 8);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 1, &x), 0);
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 1, &x),
		     TDX_TLB_TRACKING_NOT_DONE | RCX_);
	KT_EXPECT_EQ(t, tdx_track(m, TD), 0);
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 1, &x),
		     TDX_TLB_TRACKING_NOT_DONE | RCX_);
	kick_all(m, TD, 1);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA + 7 * K4, 0,
				       true));
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 1, &x),
		     TDX_OPERAND_BUSY | RCX_);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA + 7 * K4, 0,
				       false));
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, true));
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 1, &x),
		     TDX_OPERAND_BUSY | TDX_OPERAND_SEPT_TREE);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, false));
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 1, &x), 0);
	KT_EXPECT_EQ(t, x.rcx, T(2));
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 1).state, TDX_SEPT_MAPPED);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 1).hpa, DATA);
	KT_EXPECT_EQ(t, page(m, T(2)).type, TDX_PT_NDA);
	KT_EXPECT_EQ(t, page(m, T(3)).type, TDX_PT_EPT);
	KT_EXPECT_EQ(t, page(m, DATA + 100 * K4).level, 1);
	KT_EXPECT_EQ(t, tdinfo(m, TD).child_pages, 3 + 512);
	/* A leaf cannot be promoted. */
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 1, &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_MAPPED << 8);
	/* The walk stops at a FREE entry above. */
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, 1ULL << 40, 1, &x),
		     TDX_EPT_WALK_FAILED | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 3 | (u64)TDX_SEPT_FREE << 8);
out:
	done(t, m);
}

/* The merge conditions, on a TD before finalize (no tracking needed). */
static void promote_conditions(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_ext x;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_INITIALIZED), 0);
	if (!tables(t, m, TD, true, 0))
		goto out;
	/* 511 pages: one entry FREE. */
	for (unsigned int i = 1; i < TDX_ENTRIES; i++)
		KT_EXPECT_EQ(t,
			     tdx_page_aug(m, TD, GPA + i * K4, 0, DATA + i * K4,
					  NULL),
			     0);
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 1, &x),
		     TDX_EPT_INVALID_PROMOTE_CONDITIONS | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_NL_MAPPED << 8);
	/* Page 0 at an address off the 2 MiB boundary... */
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 0, DATA + M2 + K4, NULL), 0);
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 1, &x),
		     TDX_EPT_INVALID_PROMOTE_CONDITIONS | RCX_);
	/* ...then in place, but one page out of stride. */
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA, 0, NULL), 0);
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 0, DATA, NULL), 0);
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA + 3 * K4, 0, NULL), 0);
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA + 3 * K4, 0, DATA + M2, NULL),
		     0);
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 1, &x),
		     TDX_EPT_INVALID_PROMOTE_CONDITIONS | RCX_);
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA + 3 * K4, 0, NULL), 0);
	KT_EXPECT_EQ(t,
		     tdx_page_aug(m, TD, GPA + 3 * K4, 0, DATA + 3 * K4, NULL),
		     0);
	/* One blocked entry: not uniform. */
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA + 9 * K4, 0, NULL), 0);
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 1, &x),
		     TDX_EPT_INVALID_PROMOTE_CONDITIONS | RCX_);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 1).state, TDX_SEPT_NL_MAPPED);
	KT_EXPECT_EQ(t, tdx_range_unblock(m, TD, GPA + 9 * K4, 0, NULL), 0);
	/* Uniformly PENDING, contiguous, aligned: merged before finalize
	 * without a block. */
	KT_EXPECT_EQ(t, tdx_page_promote(m, TD, GPA, 1, &x), 0);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 1).state, TDX_SEPT_PENDING);
	KT_EXPECT_EQ(t, page(m, DATA + M2 - K4).level, 1);
out:
	done(t, m);
}

static void demote_statuses(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_entry_info e;
	struct tdx_ext x;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_RUNNABLE), 0);
	if (!tables(t, m, TD, false, 0))
		goto out;
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 1, DATA, &x), 0);
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, GPA, 0, T(2), &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, GPA + M2, 1, T(2), &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, GPA, 1, T(2), &x),
		     TDX_GPA_RANGE_NOT_BLOCKED | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_PENDING << 8);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 1, &x), 0);
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, GPA, 1, T(2), &x),
		     TDX_TLB_TRACKING_NOT_DONE | RCX_);
	KT_EXPECT_EQ(t, tdx_track(m, TD), 0);
	kick_all(m, TD, 1);
	/* The new table page: aligned, inside, free. */
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, GPA, 1, T(2) + 1, &x),
		     TDX_OPERAND_INVALID | R8_);
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, GPA, 1, SIZE, &x),
		     TDX_OPERAND_ADDR_RANGE_ERROR | R8_);
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, GPA, 1, DATA + K4, &x),
		     TDX_PAGE_METADATA_INCORRECT | R8_);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA, 1, true));
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, GPA, 1, T(2), &x),
		     TDX_OPERAND_BUSY | RCX_);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA, 1, false));
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 1).state, TDX_SEPT_PENDING_BLOCKED);
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, GPA, 1, T(2), &x), 0);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 1).state, TDX_SEPT_NL_MAPPED);
	e = entry(m, TD, GPA + 77 * K4, 0);
	KT_EXPECT(t, e.reached);
	KT_EXPECT_EQ(t, e.state, TDX_SEPT_PENDING);
	KT_EXPECT_EQ(t, e.hpa, DATA + 77 * K4);
	KT_EXPECT_EQ(t, page(m, DATA + 77 * K4).level, 0);
	KT_EXPECT_EQ(t, page(m, T(2)).type, TDX_PT_EPT);
	KT_EXPECT_EQ(t, tdinfo(m, TD).child_pages, 3 + 512);
	/* A table is not a leaf. */
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, GPA, 1, T(3), &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_NL_MAPPED << 8);
	/* Now 4 KiB of it can go, exactly. */
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA + K4, 0, &x), 0);
	KT_EXPECT_EQ(t, tdx_track(m, TD), 0);
	kick_all(m, TD, 1);
	KT_EXPECT_EQ(t, tdx_page_remove(m, TD, GPA + K4, 0, &x), 0);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_PENDING);
	KT_EXPECT_EQ(t, entry(m, TD, GPA + 2 * K4, 0).state, TDX_SEPT_PENDING);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, true));
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, GPA, 1, T(3), &x),
		     TDX_OPERAND_BUSY | TDX_OPERAND_SEPT_TREE);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_SEPT_TREE, TD, 0, 0, false));
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, GPA + 4 * M2, 1, T(3), &x),
		     TDX_EPT_ENTRY_STATE_INCORRECT | RCX_);
	KT_EXPECT_EQ(t, tdx_page_demote(m, TD, 1ULL << 40, 1, T(3), &x),
		     TDX_EPT_WALK_FAILED | RCX_);
out:
	done(t, m);
}

static void reclaim_statuses(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_ext x;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_RUNNABLE), 0);
	if (!tables(t, m, TD, true, 0))
		goto out;
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 0, DATA, &x), 0);
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA + M2, 1, DATA + M2, &x), 0);
	KT_EXPECT_EQ(t, tdx_page_reclaim(m, DATA + 1, &x),
		     TDX_OPERAND_INVALID | RCX_);
	/* Unaligned on a free page: the operand is refused before the
	 * PAMT entry is read. */
	KT_EXPECT_EQ(t, tdx_page_reclaim(m, DATA + K4 + 8, &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_page_reclaim(m, SIZE, &x),
		     TDX_OPERAND_ADDR_RANGE_ERROR | RCX_);
	KT_EXPECT_EQ(t, tdx_page_reclaim(m, DATA + K4, &x),
		     TDX_PAGE_METADATA_INCORRECT | RCX_);
	/* A live TD's page. */
	KT_EXPECT_EQ(t, tdx_page_reclaim(m, DATA, &x),
		     TDX_LIFECYCLE_STATE_INCORRECT);
	KT_EXPECT_EQ(t, x.rcx, TDX_PT_REG);
	KT_EXPECT_EQ(t, x.rdx, TD);
	KT_EXPECT_EQ(t, tdx_td_reclaim(m, TD), TDX_LIFECYCLE_STATE_INCORRECT);
	KT_EXPECT_EQ(t, tdx_td_teardown(m, TD), 0);
	/* The TDR goes last. */
	KT_EXPECT_EQ(t, tdx_td_reclaim(m, TD), TDX_TD_ASSOCIATED_PAGES_EXIST);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_PAGE, 0, DATA, 0, true));
	KT_EXPECT_EQ(t, tdx_page_reclaim(m, DATA, &x), TDX_OPERAND_BUSY | RCX_);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_PAGE, 0, DATA, 0, false));
	KT_EXPECT_EQ(t, tdx_page_reclaim(m, DATA, &x), 0);
	KT_EXPECT_EQ(t, page(m, DATA).type, TDX_PT_NDA);
	/* A 2 MiB page by its first address only. */
	KT_EXPECT_EQ(t, tdx_page_reclaim(m, DATA + M2 + K4, &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_page_reclaim(m, DATA + M2, &x), 0);
	KT_EXPECT_EQ(t, page(m, DATA + M2 + 5 * K4).type, TDX_PT_NDA);
	KT_EXPECT_OK(t, tdx_model_check(m));
	for (unsigned int i = 0; i < 3; i++) {
		KT_EXPECT_EQ(t, tdx_page_reclaim(m, T(i), &x), 0);
		KT_EXPECT_EQ(t, x.rcx, TDX_PT_EPT);
	}
	KT_EXPECT_EQ(t, tdinfo(m, TD).child_pages, 0);
	KT_EXPECT_EQ(t, tdx_td_reclaim(m, TD), 0);
	KT_EXPECT_ERRNO(t, tdx_model_td(m, TD, &(struct tdx_td_info){0}),
			EINVAL);
out:
	done(t, m);
}

static void accept_statuses(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_ext x;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 2, TDX_TD_RUNNABLE), 0);
	if (!tables(t, m, TD, true, 0))
		goto out;
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 0, DATA, &x), 0);
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA + M2, 1, DATA + M2, &x), 0);
	/* Operands: level, alignment, shared GPA. */
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, GPA, 2, &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, GPA + M2 + K4, 1, &x),
		     TDX_OPERAND_INVALID | RCX_);
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, GPA | TDX_SHARED_BIT, 0, &x),
		     TDX_OPERAND_INVALID | RCX_);
	/* Who executes it. */
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 2, GPA, 0, &x),
		     TDX_PAGE_METADATA_INCORRECT);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA, 0, true));
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, GPA, 0, &x),
		     TDX_OPERAND_BUSY | RCX_);
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_ENTRY, TD, GPA, 0, false));
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_PENDING);
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, GPA, 0, &x), 0);
	KT_EXPECT_EQ(t, entry(m, TD, GPA, 0).state, TDX_SEPT_MAPPED);
	/* Twice: the warning, with the level found. */
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 1, GPA, 0, &x),
		     TDX_PAGE_ALREADY_ACCEPTED | 0);
	KT_EXPECT(t, tdx_status_is_warning(TDX_PAGE_ALREADY_ACCEPTED));
	/* 2 MiB over a 4 KiB table. */
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, GPA, 1, &x),
		     TDX_PAGE_SIZE_MISMATCH | 1);
	/* 4 KiB of a 2 MiB PENDING leaf: the host must demote first. */
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, GPA + M2 + K4, 0, &x),
		     TDX_EXIT_EPT_VIOLATION);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_PENDING << 8);
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, GPA + M2, 1, &x), 0);
	KT_EXPECT_EQ(t, entry(m, TD, GPA + M2, 1).state, TDX_SEPT_MAPPED);
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, GPA + M2 + K4, 0, &x),
		     TDX_PAGE_ALREADY_ACCEPTED | 1);
	/* Nothing there: FREE at the level, or no table above. */
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, GPA + K4, 0, &x),
		     TDX_EXIT_EPT_VIOLATION);
	KT_EXPECT_EQ(t, x.rdx, (u64)TDX_SEPT_FREE << 8);
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, 1ULL << 40, 0, &x),
		     TDX_EXIT_EPT_VIOLATION);
	KT_EXPECT_EQ(t, x.rdx, 3 | (u64)TDX_SEPT_FREE << 8);
	/* Blocked: PENDING_BLOCKED at the level, a blocked table above. */
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA + K4, 0, DATA + K4, &x), 0);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA + K4, 0, &x), 0);
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, GPA + K4, 0, &x),
		     TDX_EXIT_EPT_VIOLATION);
	KT_EXPECT_EQ(t, x.rdx, (u64)TDX_SEPT_PENDING_BLOCKED << 8);
	KT_EXPECT_EQ(t, tdx_range_block(m, TD, GPA, 1, &x), 0);
	KT_EXPECT_EQ(t, tdx_accept(m, TD, 0, GPA, 0, &x),
		     TDX_EXIT_EPT_VIOLATION);
	KT_EXPECT_EQ(t, x.rdx, 1 | (u64)TDX_SEPT_NL_BLOCKED << 8);
	/* A TD that does not run yet. */
	KT_EXPECT_EQ(t, tdx_td_create(m, TD2, 1, TDX_TD_INITIALIZED), 0);
	KT_EXPECT_EQ(t, tdx_accept(m, TD2, 0, GPA, 0, &x),
		     TDX_OP_STATE_INCORRECT);
out:
	done(t, m);
}

/* The checker sees S-EPT and PAMT disagree. */
static void check_catches_corruption(struct kt *t)
{
	struct tdx_model *m = model(t);
	struct tdx_pamt saved;
	struct tdx_td *td;

	if (!m)
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_RUNNABLE), 0);
	if (!tables(t, m, TD, true, 0))
		goto out;
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 0, DATA, NULL), 0);
	KT_EXPECT_OK(t, tdx_model_check(m));
	/* The page's PAMT says free. */
	saved = m->pamt[DATA / K4];
	m->pamt[DATA / K4] = (struct tdx_pamt){0};
	KT_EXPECT_ERRNO(t, tdx_model_check(m), EIO);
	/* The page typed as a table. */
	m->pamt[DATA / K4] = saved;
	m->pamt[DATA / K4].type = TDX_PT_EPT;
	KT_EXPECT_ERRNO(t, tdx_model_check(m), EIO);
	m->pamt[DATA / K4] = saved;
	/* The child count off. */
	td = &m->td[0];
	td->child_pages++;
	KT_EXPECT_ERRNO(t, tdx_model_check(m), EIO);
	td->child_pages--;
	/* A page owned but mapped nowhere. */
	m->pamt[DATA / K4 + 1] = saved;
	td->child_pages++;
	KT_EXPECT_ERRNO(t, tdx_model_check(m), EIO);
	td->child_pages--;
	m->pamt[DATA / K4 + 1] = (struct tdx_pamt){0};
	KT_EXPECT_OK(t, tdx_model_check(m));
out:
	done(t, m);
}

/* The S-EPT entry of gpa at level 1 or 0 in the TD of slot 0, white
 * box: levels 3 and 2 are tables. */
static struct tdx_sept_entry *raw_entry(struct tdx_model *m, u64 gpa,
					unsigned int level)
{
	struct tdx_table *tb = m->td[0].root;

	for (unsigned int l = TDX_LEVEL_MAX; l > level; l--)
		tb = tb->e[(gpa >> (12 + 9 * l)) & (TDX_ENTRIES - 1)].child;
	return &tb->e[(gpa >> (12 + 9 * level)) & (TDX_ENTRIES - 1)];
}

/* The checker reads no PAMT entry past the range: a table entry naming
 * the range's end is refused as such, even when the bytes after the
 * PAMT (inside its block: 18 MiB of PAMT fill 72 KiB of an order-5 one)
 * read as a table page of the TD; and a table entry without a table
 * (level 0, or no child) is refused before it is walked. */
static void check_stays_in_the_pamt(struct kt *t)
{
	struct tdx_model *m = tdx_model_create(SIZE + M2);
	struct tdx_sept_entry *e, saved;

	if (!KT_EXPECT(t, m != NULL))
		return;
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_RUNNABLE), 0);
	if (!tables(t, m, TD, true, 0))
		goto out;
	KT_EXPECT_EQ(t, tdx_page_aug(m, TD, GPA, 0, DATA, NULL), 0);
	KT_EXPECT_OK(t, tdx_model_check(m));
	KT_EXPECT(t, (SIZE + M2) / K4 * sizeof(struct tdx_pamt) <
			     (K4 << m->pamt_order));
	e = raw_entry(m, GPA, 1);
	saved = *e;
	m->pamt[(SIZE + M2) / K4] = m->pamt[T(2) / K4];
	e->hpa = SIZE + M2;
	KT_EXPECT_ERRNO(t, tdx_model_check(m), EIO);
	*e = saved;
	m->pamt[(SIZE + M2) / K4] = (struct tdx_pamt){0};
	/* The leaf at GPA made a table entry without a table, its page
	 * typed as a table page. */
	e = raw_entry(m, GPA, 0);
	saved = *e;
	e->state = TDX_SEPT_NL_MAPPED;
	m->pamt[DATA / K4].type = TDX_PT_EPT;
	KT_EXPECT_ERRNO(t, tdx_model_check(m), EIO);
	m->pamt[DATA / K4].type = TDX_PT_REG;
	*e = saved;
	/* A FREE entry with a table under it. */
	e = raw_entry(m, GPA + M2, 1);
	saved = *e;
	e->child = raw_entry(m, GPA, 1)->child;
	KT_EXPECT_ERRNO(t, tdx_model_check(m), EIO);
	*e = saved;
	/* A leaf with a table under it. */
	e = raw_entry(m, GPA, 0);
	saved = *e;
	e->child = raw_entry(m, GPA, 1)->child;
	KT_EXPECT_ERRNO(t, tdx_model_check(m), EIO);
	*e = saved;
	KT_EXPECT_OK(t, tdx_model_check(m));
out:
	tdx_model_destroy(m);
}

static void out_of_memory(struct kt *t)
{
	struct tdx_model *m;

	alloc_fail_nth(hv_pool, 1);
	KT_EXPECT(t, tdx_model_create(SIZE) == NULL);
	alloc_fail_nth(hv_pool, 0);
	KT_EXPECT(t, tdx_model_create(0) == NULL);
	KT_EXPECT(t, tdx_model_create(M2 + K4) == NULL);
	m = model(t);
	if (!m)
		return;
	alloc_fail_nth(hv_pool, 1);
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_RUNNABLE),
		     TDX_MODEL_NO_MEMORY);
	alloc_fail_nth(hv_pool, 0);
	KT_EXPECT_ERRNO(t, tdx_model_td(m, TD, &(struct tdx_td_info){0}),
			EINVAL);
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_RUNNABLE), 0);
	/* Every TD slot used: the model has no room for another. */
	for (u64 id = 100; id < 100 + TDX_MAX_TDS - 1; id++)
		KT_EXPECT_EQ(t, tdx_td_create(m, id, 1, TDX_TD_INITIALIZED), 0);
	KT_EXPECT_EQ(t, tdx_td_create(m, 99, 1, TDX_TD_INITIALIZED),
		     TDX_MODEL_NO_MEMORY);
	for (u64 id = 100; id < 100 + TDX_MAX_TDS - 1; id++) {
		KT_EXPECT_EQ(t, tdx_td_teardown(m, id), 0);
		KT_EXPECT_EQ(t, tdx_td_reclaim(m, id), 0);
	}
	alloc_fail_nth(hv_pool, 1);
	KT_EXPECT_EQ(t, tdx_sept_add(m, TD, 0, 3, T(0), NULL),
		     TDX_MODEL_NO_MEMORY);
	alloc_fail_nth(hv_pool, 0);
	KT_EXPECT_EQ(t, page(m, T(0)).type, TDX_PT_NDA);
	KT_EXPECT_EQ(t, entry(m, TD, 0, 3).state, TDX_SEPT_FREE);
	KT_EXPECT_STR_EQ(t, tdx_status_name(TDX_MODEL_NO_MEMORY), "ENOMEM");
	done(t, m);
}

static void status_names(struct kt *t)
{
	KT_EXPECT_STR_EQ(t, tdx_status_name(TDX_OPERAND_BUSY | 0x92),
			 "OPERAND_BUSY");
	KT_EXPECT_STR_EQ(t, tdx_status_name(TDX_EPT_WALK_FAILED | 1),
			 "EPT_WALK_FAILED");
	KT_EXPECT_STR_EQ(t, tdx_status_name(TDX_PAGE_ALREADY_ACCEPTED | 1),
			 "PAGE_ALREADY_ACCEPTED");
	KT_EXPECT_STR_EQ(t, tdx_status_name(TDX_EXIT_EPT_VIOLATION),
			 "EPT_VIOLATION");
	KT_EXPECT_STR_EQ(t, tdx_status_name(0xC0000BFF00000000ULL), "UNKNOWN");
	KT_EXPECT(t, !tdx_status_is_warning(TDX_SUCCESS));
	KT_EXPECT(t, !tdx_status_is_warning(TDX_EPT_WALK_FAILED));
	/* The values Linux's tdx_errno.h also has. */
	KT_EXPECT_EQ(t, TDX_OPERAND_BUSY, 0x8000020000000000ULL);
	KT_EXPECT_EQ(t, TDX_EPT_ENTRY_STATE_INCORRECT, 0xC0000B0D00000000ULL);
	KT_EXPECT_EQ(t, TDX_EPT_WALK_FAILED, 0xC0000B0000000000ULL);
	/* The module's tdx_error_codes_defs.h. */
	KT_EXPECT_EQ(t, TDX_EPT_ENTRY_NOT_PRESENT, 0xC0000B0300000000ULL);
	KT_EXPECT_STR_EQ(t, tdx_status_name(TDX_EPT_ENTRY_NOT_PRESENT | 1),
			 "EPT_ENTRY_NOT_PRESENT");
}

/* The PAMT costs 16 bytes per 4 KiB page: 4 MiB per GiB. */
static void metadata_per_gib(struct kt *t)
{
	struct tdx_model *m = model(t);
	u64 base;

	if (!m)
		return;
	base = tdx_model_meta_bytes(m);
	KT_EXPECT_EQ(t, base, SIZE / K4 * sizeof(struct tdx_pamt));
	KT_EXPECT_EQ(t, tdx_td_create(m, TD, 1, TDX_TD_RUNNABLE), 0);
	KT_EXPECT_EQ(t, tdx_model_meta_bytes(m),
		     base + (K4 << TDX_TABLE_ORDER));
	done(t, m);
}

static void hw_path_absent(struct kt *t)
{
	const char *why = tdx_hw_lacks();

	KT_EXPECT(t, why != NULL);
	if (why)
		kt_diag(t, "%s", why);
}

static const char *no_pool(void *ctx)
{
	return hv_pool ? NULL : "no hv_pool on this platform";
}

static const struct kt_case tdx_cases[] = {
	KT_CASE(td_state_statuses),
	KT_CASE(sept_add_statuses),
	KT_CASE(aug_statuses),
	KT_CASE(page_add_statuses),
	KT_CASE(block_statuses),
	KT_CASE(unblock_statuses),
	KT_CASE(track_statuses),
	KT_CASE(remove_statuses),
	KT_CASE(block_needs_a_later_track),
	KT_CASE(promote_statuses),
	KT_CASE(promote_conditions),
	KT_CASE(demote_statuses),
	KT_CASE(reclaim_statuses),
	KT_CASE(accept_statuses),
	KT_CASE(check_catches_corruption),
	KT_CASE(check_stays_in_the_pamt),
	KT_CASE(out_of_memory),
	KT_CASE(status_names),
	KT_CASE(metadata_per_gib),
	KT_CASE(hw_path_absent),
	KT_CASE(mr_extend_statuses),
	KT_CASE(mrtd_known_answer),
};

const struct kt_suite tdx_module_suite = {
	.name = "tdx_module",
	.cases = tdx_cases,
	.n_cases = ARRAY_SIZE(tdx_cases),
	.unsupported = no_pool,
};
