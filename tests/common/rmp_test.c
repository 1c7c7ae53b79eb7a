// SPDX-License-Identifier: MIT
/*
 * tests/common/rmp_test.c - the software RMP (hv/snp/rmp.h): every return
 * code of every instruction and each outcome that is not one (CF=1, the
 * faults), reached on purpose, with the state each leaves checked through
 * RMPREAD and the model's invariant checker after every case. The rule
 * each case holds is the APM's (vol. 2 §15.36, vol. 3); hv/snp/README.md
 * lists the code -> case map.
 */
#include "hv/alloc.h"
#include "hv/base/kmalloc.h"
#include "hv/snp/rmp_model_int.h"
#include "lib/errno.h"
#include "lib/mem.h"
#include "tests/suites.h"

/*
 * Which outcome of which instruction a case reached: every call below goes
 * through seen(), and the last case, rmp_every_outcome_reached, holds the
 * set against the outcomes the APM names for each instruction and prints
 * the case that first reached each (hv/snp/README.md's table).
 */
enum rmp_insn {
	INS_RMPUPDATE,
	INS_PSMASH,
	INS_RMPREAD,
	INS_PVALIDATE,
	INS_RMPADJUST,
	INS_RMPQUERY,
	NR_INSNS,
};

#define NR_OUTCOMES 13 /* codes 0-7, then RMP_NO_UPDATE .. RMP_FAULT_UD */

static struct kt *cur; /* the case running: set by model() */
static const char *first_case[NR_INSNS][NR_OUTCOMES];

static unsigned int outcome_idx(enum rmp_ret ret)
{
	return ret < RMP_NO_UPDATE ? (unsigned int)ret : 8 + ret - RMP_NO_UPDATE;
}

static enum rmp_ret seen(enum rmp_insn insn, enum rmp_ret ret)
{
	unsigned int k = outcome_idx(ret);

	if (cur && k < NR_OUTCOMES && !first_case[insn][k])
		first_case[insn][k] = kt_case_name(cur);
	return ret;
}

#define rmpupdate(r, spa, st) seen(INS_RMPUPDATE, (rmpupdate)(r, spa, st))
#define psmash(r, spa) seen(INS_PSMASH, (psmash)(r, spa))
#define rmpread(r, spa, out) seen(INS_RMPREAD, (rmpread)(r, spa, out))
#define rmp_model_pvalidate(...) \
	seen(INS_PVALIDATE, (rmp_model_pvalidate)(__VA_ARGS__))
#define rmp_model_rmpadjust(...) \
	seen(INS_RMPADJUST, (rmp_model_rmpadjust)(__VA_ARGS__))
#define rmp_model_rmpquery(...) \
	seen(INS_RMPQUERY, (rmp_model_rmpquery)(__VA_ARGS__))

/* The host instructions executed with a guest's ASID. */
static enum rmp_ret as_rmpupdate(struct rmp *r, u32 asid, phys_addr_t spa,
				 const struct rmp_state *st)
{
	return seen(INS_RMPUPDATE, (r->ops->rmpupdate)(r, asid, spa, st));
}

static enum rmp_ret as_psmash(struct rmp *r, u32 asid, phys_addr_t spa)
{
	return seen(INS_PSMASH, (r->ops->psmash)(r, asid, spa));
}

static enum rmp_ret as_rmpread(struct rmp *r, u32 asid, phys_addr_t spa,
			       struct rmp_info *out)
{
	return seen(INS_RMPREAD, (r->ops->rmpread)(r, asid, spa, out));
}

#define BASE (1ULL << 30) /* the model's range: any 2 MiB-aligned SPA */
#define SIZE (8ULL << 20)
#define K4 RMP_PAGE_4K
#define M2 RMP_PAGE_2M
#define ASID 5
#define GPA 0x200000ULL

static const struct rmp_guest vmpl0 = {.asid = ASID, .vmpl = 0};

/* kmalloc's live objects when the case made its model. */
static u64 objects_before;

static void note_objects(struct kt *t)
{
	struct kmalloc_stats st;

	cur = t;
	kmalloc_get_stats(&st);
	objects_before = st.objects;
}

static struct rmp *model(struct kt *t)
{
	struct rmp *r;

	note_objects(t);
	r = rmp_model_create(BASE, SIZE);
	KT_EXPECT(t, r != NULL);
	return r;
}

/* The invariants hold and everything goes back: the entries' pages and
 * the model's own object. */
static void done(struct kt *t, struct rmp *r)
{
	struct kmalloc_stats st;

	KT_EXPECT_OK(t, rmp_model_check(r));
	rmp_destroy(r);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_RMP), 0);
	kmalloc_get_stats(&st);
	KT_EXPECT_EQ(t, st.objects, objects_before);
}

static enum rmp_ret assign(struct rmp *r, phys_addr_t spa, u64 gpa,
			   bool size_2m)
{
	struct rmp_state st = {
		.gpa = gpa, .assigned = true, .size_2m = size_2m, .asid = ASID};

	return rmpupdate(r, spa, &st);
}

static enum rmp_ret share(struct rmp *r, phys_addr_t spa, bool size_2m)
{
	struct rmp_state st = {.size_2m = size_2m};

	return rmpupdate(r, spa, &st);
}

static struct rmp_info info(struct rmp *r, phys_addr_t spa)
{
	struct rmp_info i = {0};

	rmpread(r, spa, &i);
	return i;
}

static void rmpupdate_assigns_and_reads_back(struct kt *t)
{
	const struct rmp_state hv_gpa = {.gpa = 0x5000};
	struct rmp *r = model(t);
	struct rmp_info i;

	if (!r)
		return;
	KT_EXPECT_EQ(t, assign(r, BASE + K4, GPA + K4, false), RMP_SUCCESS);
	i = info(r, BASE + K4);
	KT_EXPECT(t, i.assigned && !i.size_2m && !i.immutable && !i.validated);
	KT_EXPECT_EQ(t, i.asid, ASID);
	KT_EXPECT_EQ(t, i.gpa, GPA + K4);
	KT_EXPECT_EQ(t, i.perms[0], RMP_PERM_ALL);
	KT_EXPECT_EQ(t, i.perms[1], 0);
	/* Its neighbours stay hypervisor-owned. */
	KT_EXPECT(t,
		  !info(r, BASE).assigned && !info(r, BASE + 2 * K4).assigned);
	/* A 2 MiB page answers for each of its pages. */
	KT_EXPECT_EQ(t, assign(r, BASE + M2, GPA, true), RMP_SUCCESS);
	i = info(r, BASE + M2 + 7 * K4);
	KT_EXPECT(t, i.assigned && i.size_2m);
	KT_EXPECT_EQ(t, i.gpa, GPA);
	/* And goes back to the hypervisor whole. */
	KT_EXPECT_EQ(t, share(r, BASE + M2, true), RMP_SUCCESS);
	KT_EXPECT(t, !info(r, BASE + M2 + 7 * K4).assigned);
	/* A 2 MiB update leaves the 511 entries behind its head blank: a
	 * GPA a hypervisor-owned entry there held is gone. */
	KT_EXPECT_EQ(t, rmpupdate(r, BASE + 2 * M2 + K4, &hv_gpa), RMP_SUCCESS);
	KT_EXPECT_EQ(t, info(r, BASE + 2 * M2 + K4).gpa, hv_gpa.gpa);
	KT_EXPECT_EQ(t, assign(r, BASE + 2 * M2, GPA, true), RMP_SUCCESS);
	KT_EXPECT_EQ(t, share(r, BASE + 2 * M2, true), RMP_SUCCESS);
	KT_EXPECT_EQ(t, info(r, BASE + 2 * M2 + K4).gpa, 0);
	done(t, r);
}

static void rmpupdate_fail_input(struct kt *t)
{
	struct rmp *r = model(t);
	struct rmp_state st = {.size_2m = false, .asid = 3};

	if (!r)
		return;
	/* SPA: not page aligned, a 2 MiB page off 2 MiB, outside. */
	KT_EXPECT_EQ(t, assign(r, BASE + 8, GPA, false), RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t, assign(r, BASE + K4, GPA, true), RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t, assign(r, BASE - K4, GPA, false), RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t, assign(r, BASE + SIZE, GPA, false), RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t, assign(r, BASE + SIZE - M2, GPA, true), RMP_SUCCESS);
	/* GPA: not page aligned, a 2 MiB page at a GPA off 2 MiB, past
	 * 2^52. */
	KT_EXPECT_EQ(t, assign(r, BASE, GPA + 1, false), RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t, assign(r, BASE, GPA + K4, true), RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t, assign(r, BASE, 1ULL << 52, false), RMP_FAIL_INPUT);
	/* A hypervisor-owned page with an ASID or immutable. */
	KT_EXPECT_EQ(t, rmpupdate(r, BASE, &st), RMP_FAIL_INPUT);
	st.asid = 0;
	st.immutable = true;
	KT_EXPECT_EQ(t, rmpupdate(r, BASE, &st), RMP_FAIL_INPUT);
	KT_EXPECT(t, !info(r, BASE).assigned);
	done(t, r);
}

static void rmpupdate_immutable_and_guest_refused(struct kt *t)
{
	struct rmp *r = model(t);
	struct rmp_state fw = {.assigned = true, .immutable = true};
	struct rmp_state hv = {0};

	if (!r)
		return;
	/* A firmware page (assigned, ASID 0, immutable: Table 15-35). */
	KT_EXPECT_EQ(t, rmpupdate(r, BASE, &fw), RMP_SUCCESS);
	KT_EXPECT_EQ(t, rmpupdate(r, BASE, &hv), RMP_FAIL_PERMISSION);
	KT_EXPECT_EQ(t, assign(r, BASE, GPA, false), RMP_FAIL_PERMISSION);
	KT_EXPECT(t, info(r, BASE).immutable && info(r, BASE).assigned);
	/* A guest page is no guest's to give away: the guest's PVALIDATE
	 * faults on an immutable page. */
	fw.asid = ASID;
	fw.gpa = GPA;
	KT_EXPECT_EQ(t, rmpupdate(r, BASE + K4, &fw), RMP_SUCCESS);
	KT_EXPECT_EQ(
		t, rmp_model_pvalidate(r, &vmpl0, GPA, BASE + K4, false, true),
		RMP_FAULT_NPF);
	/* From a guest (ASID != 0) the host instruction is refused. */
	KT_EXPECT_EQ(t, as_rmpupdate(r, ASID, BASE + 2 * K4, &hv),
		     RMP_FAIL_PERMISSION);
	done(t, r);
}

static void rmpupdate_in_use_refused(struct kt *t)
{
	struct rmp *r = model(t);

	if (!r)
		return;
	KT_EXPECT_OK(t, rmp_model_set_in_use(r, BASE + 3 * K4, true));
	KT_EXPECT_EQ(t, assign(r, BASE + 3 * K4, GPA, false), RMP_FAIL_INUSE);
	/* A 2 MiB update over a page in use is refused too. */
	KT_EXPECT_EQ(t, assign(r, BASE, GPA, true), RMP_FAIL_INUSE);
	KT_EXPECT(t, !info(r, BASE + 3 * K4).assigned);
	KT_EXPECT_OK(t, rmp_model_set_in_use(r, BASE + 3 * K4, false));
	KT_EXPECT_EQ(t, assign(r, BASE + 3 * K4, GPA, false), RMP_SUCCESS);
	KT_EXPECT_ERRNO(t, rmp_model_set_in_use(r, BASE + SIZE, true), EINVAL);
	done(t, r);
}

static void rmpupdate_overlap(struct kt *t)
{
	struct rmp *r = model(t);

	if (!r)
		return;
	/* 2 MiB over an assigned 4 KiB page of the region. */
	KT_EXPECT_EQ(t, assign(r, BASE + 9 * K4, GPA + 9 * K4, false),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t, assign(r, BASE, GPA, true), RMP_FAIL_OVERLAP);
	KT_EXPECT_EQ(t, share(r, BASE, true), RMP_FAIL_OVERLAP);
	KT_EXPECT(t, !info(r, BASE).assigned);
	KT_EXPECT_EQ(t, share(r, BASE + 9 * K4, false), RMP_SUCCESS);
	KT_EXPECT_EQ(t, assign(r, BASE, GPA, true), RMP_SUCCESS);
	/* 4 KiB inside an assigned 2 MiB page, its head included. */
	KT_EXPECT_EQ(t, assign(r, BASE + 9 * K4, GPA, false), RMP_FAIL_OVERLAP);
	KT_EXPECT_EQ(t, share(r, BASE, false), RMP_FAIL_OVERLAP);
	KT_EXPECT_EQ(t, info(r, BASE + 9 * K4).gpa, GPA);
	/* Re-assigning the 2 MiB page whole is no overlap. */
	KT_EXPECT_EQ(t, assign(r, BASE, GPA + M2, true), RMP_SUCCESS);
	done(t, r);
}

/* rmp_make_shared(2M) leaves a hypervisor-owned 2 MiB entry; 4 KiB
 * updates inside it must go on working (no lasting FAIL_OVERLAP). */
static void rmpupdate_unassigned_2m_overlaps_nothing(struct kt *t)
{
	struct rmp *r = model(t);

	if (!r)
		return;
	KT_EXPECT_EQ(t, assign(r, BASE, GPA, true), RMP_SUCCESS);
	KT_EXPECT_EQ(t, share(r, BASE, true), RMP_SUCCESS);
	KT_EXPECT(t, info(r, BASE).size_2m && !info(r, BASE).assigned);
	KT_EXPECT_EQ(t, assign(r, BASE + 5 * K4, GPA + 5 * K4, false),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t, assign(r, BASE, GPA, false), RMP_SUCCESS);
	KT_EXPECT(t, !info(r, BASE).size_2m && info(r, BASE).assigned);
	/* Fresh: 2 MiB hypervisor-owned, then 4 KiB head assigned. */
	KT_EXPECT_EQ(t, share(r, BASE + M2, true), RMP_SUCCESS);
	KT_EXPECT_EQ(t, assign(r, BASE + M2, GPA, false), RMP_SUCCESS);
	done(t, r);
}

/* RMPUPDATE clears Validated, VMSA and the VMPL1-3 masks (§15.36.5). */
static void rmpupdate_clears_validated(struct kt *t)
{
	struct rmp *r = model(t);
	struct rmp_info i;

	if (!r)
		return;
	KT_EXPECT_EQ(t, assign(r, BASE, GPA, false), RMP_SUCCESS);
	KT_EXPECT_EQ(t, rmp_model_pvalidate(r, &vmpl0, GPA, BASE, false, true),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpadjust(r, &vmpl0, GPA, BASE, false, 1,
					 RMP_PERM_READ, true),
		     RMP_SUCCESS);
	i = info(r, BASE);
	KT_EXPECT(t, i.validated && i.vmsa);
	KT_EXPECT_EQ(t, i.perms[1], RMP_PERM_READ);
	/* Same owner, same GPA: still cleared. */
	KT_EXPECT_EQ(t, assign(r, BASE, GPA, false), RMP_SUCCESS);
	i = info(r, BASE);
	KT_EXPECT(t, i.assigned && !i.validated && !i.vmsa);
	KT_EXPECT_EQ(t, i.perms[1], 0);
	KT_EXPECT_EQ(t, i.perms[0], RMP_PERM_ALL);
	/* Through hypervisor-owned and back: cleared too. */
	KT_EXPECT_EQ(t, rmp_model_pvalidate(r, &vmpl0, GPA, BASE, false, true),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t, share(r, BASE, false), RMP_SUCCESS);
	KT_EXPECT(t, !info(r, BASE).validated);
	KT_EXPECT_EQ(t, assign(r, BASE, GPA, false), RMP_SUCCESS);
	KT_EXPECT(t, !info(r, BASE).validated);
	/* A 2 MiB page the same way. */
	KT_EXPECT_EQ(t, assign(r, BASE + M2, GPA, true), RMP_SUCCESS);
	KT_EXPECT_EQ(t,
		     rmp_model_pvalidate(r, &vmpl0, GPA, BASE + M2, true, true),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t, assign(r, BASE + M2, GPA, true), RMP_SUCCESS);
	KT_EXPECT(t, !info(r, BASE + M2).validated);
	done(t, r);
}

static void psmash_splits_into_512(struct kt *t)
{
	struct rmp *r = model(t);
	struct rmp_info i;

	if (!r)
		return;
	KT_EXPECT_EQ(t, assign(r, BASE + M2, GPA, true), RMP_SUCCESS);
	KT_EXPECT_EQ(t,
		     rmp_model_pvalidate(r, &vmpl0, GPA, BASE + M2, true, true),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpadjust(r, &vmpl0, GPA, BASE + M2, true, 2,
					 RMP_PERM_READ | RMP_PERM_WRITE, false),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpadjust(r, &vmpl0, GPA, BASE + M2, true, 1,
					 RMP_PERM_XUSER, false),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpadjust(r, &vmpl0, GPA, BASE + M2, true, 3,
					 RMP_PERM_SSS, false),
		     RMP_SUCCESS);
	{
		struct rmp_state next = {
			.gpa = 3 * K4, .assigned = true, .asid = ASID + 1};

		KT_EXPECT_EQ(t, rmpupdate(r, BASE + 2 * M2, &next),
			     RMP_SUCCESS);
	}
	KT_EXPECT_EQ(t, psmash(r, BASE + M2), RMP_SUCCESS);
	for (u64 p = 0; p < 512; p += 73) {
		i = info(r, BASE + M2 + p * K4);
		KT_EXPECT(t, i.assigned && !i.size_2m && i.validated);
		KT_EXPECT_EQ(t, i.gpa, GPA + p * K4);
		KT_EXPECT_EQ(t, i.asid, ASID);
		KT_EXPECT_EQ(t, i.perms[1], RMP_PERM_XUSER);
		KT_EXPECT_EQ(t, i.perms[2], RMP_PERM_READ | RMP_PERM_WRITE);
		KT_EXPECT_EQ(t, i.perms[3], RMP_PERM_SSS);
	}
	i = info(r, BASE + M2 + 511 * K4);
	KT_EXPECT_EQ(t, i.gpa, GPA + 511 * K4);
	/* The next region is not touched. */
	i = info(r, BASE + 2 * M2);
	KT_EXPECT(t, i.assigned && i.asid == ASID + 1);
	KT_EXPECT_EQ(t, i.gpa, 3 * K4);
	/* Now each 4 KiB page changes alone: the guest's view did not
	 * change, so 4 KiB PVALIDATE works and a 2 MiB one mismatches. */
	KT_EXPECT_EQ(t,
		     rmp_model_pvalidate(r, &vmpl0, GPA + K4, BASE + M2 + K4,
					 false, false),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t, share(r, BASE + M2 + 2 * K4, false), RMP_SUCCESS);
	KT_EXPECT(t, info(r, BASE + M2).validated);
	done(t, r);
}

static void psmash_codes(struct kt *t)
{
	struct rmp *r = model(t);

	if (!r)
		return;
	/* FAIL_INPUT: off 2 MiB, outside. */
	KT_EXPECT_EQ(t, psmash(r, BASE + K4), RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t, psmash(r, BASE + SIZE), RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t, psmash(r, BASE - M2), RMP_FAIL_INPUT);
	/* FAIL_BADADDR: a 4 KiB entry, a hypervisor-owned 2 MiB one. */
	KT_EXPECT_EQ(t, psmash(r, BASE), RMP_FAIL_BADADDR);
	KT_EXPECT_EQ(t, assign(r, BASE, GPA, false), RMP_SUCCESS);
	KT_EXPECT_EQ(t, psmash(r, BASE), RMP_FAIL_BADADDR);
	KT_EXPECT_EQ(t, share(r, BASE + M2, true), RMP_SUCCESS);
	KT_EXPECT_EQ(t, psmash(r, BASE + M2), RMP_FAIL_BADADDR);
	/* FAIL_PERMISSION: executed by a guest. */
	KT_EXPECT_EQ(t, assign(r, BASE + 2 * M2, GPA, true), RMP_SUCCESS);
	KT_EXPECT_EQ(t, as_psmash(r, ASID, BASE + 2 * M2),
		     RMP_FAIL_PERMISSION);
	/* FAIL_INUSE: a page of it in use. */
	KT_EXPECT_OK(t,
		     rmp_model_set_in_use(r, BASE + 2 * M2 + 100 * K4, true));
	KT_EXPECT_EQ(t, psmash(r, BASE + 2 * M2), RMP_FAIL_INUSE);
	KT_EXPECT(t, info(r, BASE + 2 * M2).size_2m);
	KT_EXPECT_OK(t,
		     rmp_model_set_in_use(r, BASE + 2 * M2 + 100 * K4, false));
	KT_EXPECT_EQ(t, psmash(r, BASE + 2 * M2), RMP_SUCCESS);
	/* Twice: the entry is 4 KiB now. */
	KT_EXPECT_EQ(t, psmash(r, BASE + 2 * M2), RMP_FAIL_BADADDR);
	done(t, r);
}

static void rmpread_codes(struct kt *t)
{
	struct rmp *r = model(t);
	struct rmp_info i;

	if (!r)
		return;
	KT_EXPECT_EQ(t, rmpread(r, BASE + SIZE - K4, &i), RMP_SUCCESS);
	KT_EXPECT(t, !i.assigned);
	KT_EXPECT_EQ(t, rmpread(r, BASE + SIZE, &i), RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t, rmpread(r, BASE + 1, &i), RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t, as_rmpread(r, ASID, BASE, &i),
		     RMP_FAIL_PERMISSION);
	done(t, r);
}

static void pvalidate_codes(struct kt *t)
{
	struct rmp *r = model(t);
	const struct rmp_guest other = {.asid = ASID + 1};
	const struct rmp_guest host = {.asid = 0};

	if (!r)
		return;
	KT_EXPECT_EQ(t, assign(r, BASE, GPA, false), RMP_SUCCESS);
	KT_EXPECT_EQ(t, assign(r, BASE + M2, GPA + M2, true), RMP_SUCCESS);
	/* SUCCESS, then CF=1 (no update) both ways. */
	KT_EXPECT_EQ(t, rmp_model_pvalidate(r, &vmpl0, GPA, BASE, false, true),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t, rmp_model_pvalidate(r, &vmpl0, GPA, BASE, false, true),
		     RMP_NO_UPDATE);
	KT_EXPECT_EQ(t, rmp_model_pvalidate(r, &vmpl0, GPA, BASE, false, false),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t, rmp_model_pvalidate(r, &vmpl0, GPA, BASE, false, false),
		     RMP_NO_UPDATE);
	KT_EXPECT(t, !info(r, BASE).validated);
	/* FAIL_INPUT: a 2 MiB operand off 2 MiB, an SPA outside. */
	KT_EXPECT_EQ(t,
		     rmp_model_pvalidate(r, &vmpl0, GPA + M2 + K4, BASE + M2,
					 true, true),
		     RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t,
		     rmp_model_pvalidate(r, &vmpl0, GPA + M2, BASE + M2 + K4,
					 true, true),
		     RMP_FAIL_INPUT);
	KT_EXPECT_EQ(
		t,
		rmp_model_pvalidate(r, &vmpl0, GPA, BASE + SIZE, false, true),
		RMP_FAIL_INPUT);
	/* FAIL_SIZEMISMATCH: 2 MiB on a 4 KiB entry; nothing changed. */
	KT_EXPECT_EQ(t, assign(r, BASE + 2 * M2, GPA + 2 * M2, false),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t,
		     rmp_model_pvalidate(r, &vmpl0, GPA + 2 * M2, BASE + 2 * M2,
					 true, true),
		     RMP_FAIL_SIZEMISMATCH);
	KT_EXPECT(t, !info(r, BASE + 2 * M2).validated);
	/* #NPF with SIZEM: 4 KiB on a 2 MiB entry. */
	KT_EXPECT_EQ(t,
		     rmp_model_pvalidate(r, &vmpl0, GPA + M2 + K4,
					 BASE + M2 + K4, false, true),
		     RMP_FAULT_NPF_SIZEM);
	KT_EXPECT_EQ(
		t,
		rmp_model_pvalidate(r, &vmpl0, GPA + M2, BASE + M2, true, true),
		RMP_SUCCESS);
	/* #NPF: another ASID, another GPA, a hypervisor page. */
	KT_EXPECT_EQ(t, rmp_model_pvalidate(r, &other, GPA, BASE, false, true),
		     RMP_FAULT_NPF);
	KT_EXPECT_EQ(
		t, rmp_model_pvalidate(r, &vmpl0, GPA + K4, BASE, false, true),
		RMP_FAULT_NPF);
	KT_EXPECT_EQ(t,
		     rmp_model_pvalidate(r, &vmpl0, GPA + K4, BASE + K4, false,
					 true),
		     RMP_FAULT_NPF);
	/* #UD: not inside an SNP guest. */
	KT_EXPECT_EQ(t, rmp_model_pvalidate(r, &host, GPA, BASE, false, true),
		     RMP_FAULT_UD);
	KT_EXPECT(t, !info(r, BASE).validated);
	done(t, r);
}

static void rmpadjust_codes(struct kt *t)
{
	struct rmp *r = model(t);
	const struct rmp_guest vmpl1 = {.asid = ASID, .vmpl = 1};
	const struct rmp_guest vmpl3 = {.asid = ASID, .vmpl = 3};
	const struct rmp_guest host = {.asid = 0};
	const u8 rw = RMP_PERM_READ | RMP_PERM_WRITE;

	if (!r)
		return;
	KT_EXPECT_EQ(t, assign(r, BASE, GPA, false), RMP_SUCCESS);
	/* #VC 0x404: the page is not validated yet. */
	KT_EXPECT_EQ(
		t,
		rmp_model_rmpadjust(r, &vmpl0, GPA, BASE, false, 1, rw, false),
		RMP_FAULT_VC_NOT_VALIDATED);
	KT_EXPECT_EQ(t, rmp_model_pvalidate(r, &vmpl0, GPA, BASE, false, true),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(
		t,
		rmp_model_rmpadjust(r, &vmpl0, GPA, BASE, false, 1, rw, false),
		RMP_SUCCESS);
	KT_EXPECT_EQ(t, info(r, BASE).perms[1], rw);
	/* FAIL_INPUT: no VMPL 4, reserved permission bits, off 2 MiB. */
	KT_EXPECT_EQ(
		t,
		rmp_model_rmpadjust(r, &vmpl0, GPA, BASE, false, 4, rw, false),
		RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpadjust(r, &vmpl0, GPA, BASE, false, 1, 0x20,
					 false),
		     RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpadjust(r, &vmpl0, GPA + K4, BASE, true, 1, rw,
					 false),
		     RMP_FAIL_INPUT);
	/* FAIL_PERMISSION: VMPL0 targeted, a VMPL not below the caller's,
	 * a right the caller lacks. */
	KT_EXPECT_EQ(
		t,
		rmp_model_rmpadjust(r, &vmpl0, GPA, BASE, false, 0, rw, false),
		RMP_FAIL_PERMISSION);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpadjust(r, &vmpl1, GPA, BASE, false, 1,
					 RMP_PERM_READ, false),
		     RMP_FAIL_PERMISSION);
	KT_EXPECT_EQ(
		t,
		rmp_model_rmpadjust(r, &vmpl3, GPA, BASE, false, 2, 0, false),
		RMP_FAIL_PERMISSION);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpadjust(r, &vmpl1, GPA, BASE, false, 2,
					 rw | RMP_PERM_XSUPER, false),
		     RMP_FAIL_PERMISSION);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpadjust(r, &vmpl1, GPA, BASE, false, 2,
					 RMP_PERM_READ, false),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t, info(r, BASE).perms[2], RMP_PERM_READ);
	/* The VMSA bit: set and cleared at VMPL0, ignored at VMPL1. */
	KT_EXPECT_EQ(
		t,
		rmp_model_rmpadjust(r, &vmpl0, GPA, BASE, false, 1, rw, true),
		RMP_SUCCESS);
	KT_EXPECT(t, info(r, BASE).vmsa);
	KT_EXPECT_EQ(
		t,
		rmp_model_rmpadjust(r, &vmpl1, GPA, BASE, false, 3, 0, false),
		RMP_SUCCESS);
	KT_EXPECT(t, info(r, BASE).vmsa);
	KT_EXPECT_EQ(
		t,
		rmp_model_rmpadjust(r, &vmpl0, GPA, BASE, false, 1, rw, false),
		RMP_SUCCESS);
	KT_EXPECT(t, !info(r, BASE).vmsa);
	/* FAIL_SIZEMISMATCH and the two faults, as for PVALIDATE. */
	KT_EXPECT_EQ(
		t,
		rmp_model_rmpadjust(r, &vmpl0, GPA, BASE, true, 1, rw, false),
		RMP_FAIL_SIZEMISMATCH);
	KT_EXPECT_EQ(t, assign(r, BASE + M2, GPA + M2, true), RMP_SUCCESS);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpadjust(r, &vmpl0, GPA + M2, BASE + M2, false,
					 1, rw, false),
		     RMP_FAULT_NPF_SIZEM);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpadjust(r, &vmpl0, GPA + K4, BASE + K4, false,
					 1, rw, false),
		     RMP_FAULT_NPF);
	KT_EXPECT_EQ(
		t,
		rmp_model_rmpadjust(r, &host, GPA, BASE, false, 1, rw, false),
		RMP_FAULT_UD);
	done(t, r);
}

static void rmpquery_codes(struct kt *t)
{
	struct rmp *r = model(t);
	const struct rmp_guest vmpl2 = {.asid = ASID, .vmpl = 2};
	const struct rmp_guest host = {.asid = 0};
	bool vmsa = true, size_2m = false;
	u8 perms = 0xff;

	if (!r)
		return;
	KT_EXPECT_EQ(t, assign(r, BASE + M2, GPA, true), RMP_SUCCESS);
	KT_EXPECT_EQ(t,
		     rmp_model_pvalidate(r, &vmpl0, GPA, BASE + M2, true, true),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpadjust(r, &vmpl0, GPA, BASE + M2, true, 3,
					 RMP_PERM_READ, false),
		     RMP_SUCCESS);
	/* A page inside the 2 MiB page answers with it. */
	KT_EXPECT_EQ(t,
		     rmp_model_rmpquery(r, &vmpl2, GPA + 3 * K4,
					BASE + M2 + 3 * K4, 3, &perms, &vmsa,
					&size_2m),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t, perms, RMP_PERM_READ);
	KT_EXPECT(t, size_2m && !vmsa);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpquery(r, &vmpl2, GPA, BASE + M2, 2, &perms,
					&vmsa, &size_2m),
		     RMP_FAIL_PERMISSION);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpquery(r, &vmpl2, GPA, BASE + M2, 4, &perms,
					&vmsa, &size_2m),
		     RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpquery(r, &vmpl2, GPA + 8, BASE + M2, 3,
					&perms, &vmsa, &size_2m),
		     RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpquery(r, &vmpl2, GPA, BASE, 3, &perms, &vmsa,
					&size_2m),
		     RMP_FAULT_NPF);
	/* A 4 KiB entry answers as one. */
	KT_EXPECT_EQ(t, assign(r, BASE, GPA + M2, false), RMP_SUCCESS);
	KT_EXPECT_EQ(t,
		     rmp_model_rmpquery(r, &vmpl2, GPA + M2, BASE, 3, &perms,
					&vmsa, &size_2m),
		     RMP_SUCCESS);
	KT_EXPECT(t, !size_2m);
	KT_EXPECT_EQ(t, perms, 0);
	/* Outside a guest: #UD before the target VMPL is looked at. */
	KT_EXPECT_EQ(t,
		     rmp_model_rmpquery(r, &host, GPA, BASE + M2, 9, &perms,
					&vmsa, &size_2m),
		     RMP_FAULT_UD);
	done(t, r);
}

/* The model's metadata: 16 bytes per 4 KiB page, as the real RMP. */
static void rmp_metadata_per_gib(struct kt *t)
{
	u64 free_pages = alloc_free_pages(hv_pool);
	struct rmp *r;

	if (free_pages < 2048) {
		kt_skip(t, "pool too small for a 1 GiB model (%llu pages)",
			(unsigned long long)free_pages);
		return;
	}
	note_objects(t);
	r = rmp_model_create(BASE, 1ULL << 30);
	KT_ASSERT(t, r != NULL);
	KT_EXPECT_EQ(t, rmp_model_meta_bytes(r), 4ULL << 20);
	kt_diag(t, "RMP model metadata: %llu bytes per GiB (%llu per 4 KiB)",
		(unsigned long long)rmp_model_meta_bytes(r),
		(unsigned long long)(rmp_model_meta_bytes(r) >> 18));
	done(t, r);
	/* Bad ranges are refused, and so is a platform without a pool. */
	{
		struct page_pool *pool = hv_pool;

		hv_pool = NULL;
		KT_EXPECT(t, rmp_model_create(BASE, SIZE) == NULL);
		hv_pool = pool;
	}
	KT_EXPECT(t, rmp_model_create(BASE + K4, SIZE) == NULL);
	KT_EXPECT(t, rmp_model_create(BASE, SIZE + K4) == NULL);
	KT_EXPECT(t, rmp_model_create(BASE, 0) == NULL);
	KT_EXPECT(t, rmp_model_create(~0ULL - M2 + 1, 2 * M2) == NULL);
}

/* Out of memory for the model or for its entries: NULL, nothing held.
 * The n-th allocation fails for n = 1, 2, ... until one succeeds, so each
 * allocation the model makes fails once. */
static void rmp_create_out_of_memory(struct kt *t)
{
	struct kmalloc_stats st;
	unsigned int failures = 0;
	struct rmp *r = NULL;

	note_objects(t);
	kmalloc_fail_nth(1);
	KT_EXPECT(t, rmp_model_create(BASE, SIZE) == NULL);
	kmalloc_fail_nth(0);
	for (u64 n = 1; n < 16; n++) {
		alloc_fail_nth(hv_pool, n);
		r = rmp_model_create(BASE, SIZE);
		alloc_fail_nth(hv_pool, 0);
		if (r)
			break;
		failures++;
		KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_RMP), 0);
		kmalloc_get_stats(&st);
		KT_EXPECT_EQ(t, st.objects, objects_before);
	}
	KT_EXPECT_GE(t, failures, 1);
	KT_ASSERT(t, r != NULL);
	done(t, r);
}

/* The hardware RMP: present only where SNP is enabled; otherwise the
 * reason is said (host build, QEMU). */
static void rmp_hw_absent_or_readable(struct kt *t)
{
	const char *why = rmp_hw_lacks();
	struct rmp *r = rmp_hw_get();
	struct rmp_info i;

	if (why) {
		KT_EXPECT(t, r == NULL);
		kt_diag(t, "hardware RMP: %s", why);
		return;
	}
	KT_ASSERT(t, r != NULL);
	KT_EXPECT(t, !rmp_is_model(r));
	KT_EXPECT_EQ(t, rmpread(r, 0, &i), RMP_SUCCESS);
}

/* Which check answers first when two fail (the order in hv/snp/README.md):
 * immutable before in use before overlap; for RMPADJUST, #UD before the
 * registers; for an unassigned 2 MiB entry, GPA alignment is the page's. */
static void check_order(struct kt *t)
{
	struct rmp *r = model(t);
	struct rmp_info i;
	const struct rmp_guest host = {.asid = 0};
	struct rmp_state fw = {.assigned = true, .immutable = true};
	struct rmp_state hv_2m = {.gpa = K4, .size_2m = true};

	if (!r)
		return;
	KT_EXPECT(t, rmp_is_model(r));
	KT_EXPECT_STR_EQ(t, r->ops->name, "model");
	/* Immutable and in use: FAIL_PERMISSION. */
	KT_EXPECT_EQ(t, rmpupdate(r, BASE, &fw), RMP_SUCCESS);
	KT_EXPECT_OK(t, rmp_model_set_in_use(r, BASE, true));
	KT_EXPECT_EQ(t, share(r, BASE, false), RMP_FAIL_PERMISSION);
	/* In use and overlapping: FAIL_INUSE. */
	KT_EXPECT_EQ(t, assign(r, BASE + M2 + 2 * K4, GPA, false), RMP_SUCCESS);
	KT_EXPECT_OK(t, rmp_model_set_in_use(r, BASE + M2 + K4, true));
	KT_EXPECT_EQ(t, assign(r, BASE + M2, GPA, true), RMP_FAIL_INUSE);
	KT_EXPECT_OK(t, rmp_model_set_in_use(r, BASE + M2 + K4, false));
	KT_EXPECT_EQ(t, assign(r, BASE + M2, GPA, true), RMP_FAIL_OVERLAP);
	KT_EXPECT_EQ(t, share(r, BASE + M2 + 2 * K4, false), RMP_SUCCESS);
	KT_EXPECT_ERRNO(t, rmp_model_set_in_use(r, BASE + 8, true), EINVAL);
	/* A neighbour in use is no matter, nor the next region's head. */
	KT_EXPECT_OK(t, rmp_model_set_in_use(r, BASE + 2 * M2 + K4, true));
	KT_EXPECT_EQ(t, assign(r, BASE + 2 * M2 + 2 * K4, GPA, false),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t, share(r, BASE + 2 * M2 + 2 * K4, false), RMP_SUCCESS);
	KT_EXPECT_OK(t, rmp_model_set_in_use(r, BASE + 2 * M2 + K4, false));
	KT_EXPECT_OK(t, rmp_model_set_in_use(r, BASE + 3 * M2, true));
	KT_EXPECT_EQ(t, assign(r, BASE + 2 * M2, GPA, true), RMP_SUCCESS);
	KT_EXPECT_EQ(t, share(r, BASE + 2 * M2, true), RMP_SUCCESS);
	KT_EXPECT_OK(t, rmp_model_set_in_use(r, BASE + 3 * M2, false));
	/* A hypervisor-owned 2 MiB entry needs only a page-aligned GPA. */
	KT_EXPECT_EQ(t, rmpupdate(r, BASE + M2, &hv_2m), RMP_SUCCESS);
	/* The next region's head is not part of this one, and a 2 MiB
	 * update leaves it as it was. */
	KT_EXPECT_EQ(t, assign(r, BASE + 3 * M2, GPA, false), RMP_SUCCESS);
	KT_EXPECT_EQ(t, assign(r, BASE + 2 * M2, GPA, true), RMP_SUCCESS);
	KT_EXPECT(t, info(r, BASE + 3 * M2).assigned);
	KT_EXPECT_EQ(t, info(r, BASE + 3 * M2).gpa, GPA);
	/* In use inside an assigned 2 MiB page: a 4 KiB RMPUPDATE there says
	 * FAIL_INUSE before FAIL_OVERLAP; in use where there is no 2 MiB
	 * page: PSMASH says FAIL_BADADDR before FAIL_INUSE. */
	KT_EXPECT_OK(t, rmp_model_set_in_use(r, BASE + 2 * M2 + K4, true));
	KT_EXPECT_EQ(t, share(r, BASE + 2 * M2 + K4, false), RMP_FAIL_INUSE);
	KT_EXPECT_OK(t, rmp_model_set_in_use(r, BASE + 2 * M2 + K4, false));
	KT_EXPECT_EQ(t, share(r, BASE + 2 * M2, true), RMP_SUCCESS);
	KT_EXPECT_OK(t, rmp_model_set_in_use(r, BASE + 2 * M2 + K4, true));
	KT_EXPECT_EQ(t, psmash(r, BASE + 2 * M2), RMP_FAIL_BADADDR);
	KT_EXPECT_OK(t, rmp_model_set_in_use(r, BASE + 2 * M2 + K4, false));
	/* A guest executing a host instruction: FAIL_PERMISSION before its
	 * operands are looked at. */
	KT_EXPECT_EQ(t, as_psmash(r, ASID, BASE + 1), RMP_FAIL_PERMISSION);
	KT_EXPECT_EQ(t, as_rmpupdate(r, ASID, BASE + 1, &fw),
		     RMP_FAIL_PERMISSION);
	KT_EXPECT_EQ(t, as_rmpread(r, ASID, BASE + 1, &i),
		     RMP_FAIL_PERMISSION);
	/* The page checks before the size: a 2 MiB PVALIDATE of a page
	 * that is not the guest's faults. */
	KT_EXPECT_EQ(t, rmp_model_pvalidate(r, &vmpl0, 0, BASE, true, true),
		     RMP_FAULT_NPF);
	/* Far past the range and below it: not covered. */
	KT_EXPECT_EQ(t, assign(r, BASE + 2 * SIZE, GPA, false), RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t, psmash(r, BASE + 2 * SIZE), RMP_FAIL_INPUT);
	KT_EXPECT_EQ(t, assign(r, BASE - SIZE, GPA, true), RMP_FAIL_INPUT);
	/* A GPA of 2^52 does not exist. */
	KT_EXPECT_EQ(t,
		     rmp_model_pvalidate(r, &vmpl0, 1ULL << 52, BASE + 3 * M2,
					 false, true),
		     RMP_FAIL_INPUT);
	/* Outside a guest, PVALIDATE and RMPADJUST are #UD whatever their
	 * operands. */
	KT_EXPECT_EQ(
		t, rmp_model_pvalidate(r, &host, GPA + 8, BASE + 8, true, true),
		RMP_FAULT_UD);
	KT_EXPECT_EQ(
		t,
		rmp_model_rmpadjust(r, &host, GPA, BASE, false, 0, 0xff, false),
		RMP_FAULT_UD);
	done(t, r);
}

/* The checker sees each broken invariant (white box: the entries are
 * corrupted by hand, then put back). */
static void rmp_check_catches_corruption(struct kt *t)
{
	struct rmp *r = model(t);
	struct rmp_entry *e, saved;
	static const struct {
		u64 page; /* of the range */
		u8 flags;
		u32 asid;
		u8 perms[3];
		u64 gpa;
	} bad[] = {
		{0, RMPE_VALIDATED, 0, {0}, 0}, /* the first entry too */
		{1, RMPE_2M, 0, {0}, 0}, /* 2 MiB off a boundary */
		{2, RMPE_VALIDATED, 0, {0}, 0}, /* hypervisor's, validated */
		{2, RMPE_VMSA, 0, {0}, 0}, /* hypervisor's, VMSA */
		{2, RMPE_IMMUTABLE, 0, {0}, 0}, /* hypervisor's, immutable */
		{2, 0, ASID, {0}, 0}, /* hypervisor's, an ASID */
		{2, 0, 0, {1, 0, 0}, 0}, /* hypervisor's, rights */
		{2, 0, 0, {0, 1, 0}, 0},
		{2, 0, 0, {0, 0, 1}, 0},
		{2, RMPE_ASSIGNED, ASID, {0}, GPA + 8}, /* GPA off its page */
		{512, RMPE_ASSIGNED | RMPE_2M, ASID, {0}, GPA + K4},
		{513, RMPE_ASSIGNED, ASID, {0}, GPA}, /* 4K inside the 2M */
		{1023, RMPE_ASSIGNED, ASID, {0}, GPA}, /* its last page */
	};

	if (!r)
		return;
	e = rmp_to_model(r)->e;
	KT_EXPECT_EQ(t, assign(r, BASE + M2, GPA, true), RMP_SUCCESS);
	KT_EXPECT_OK(t, rmp_model_check(r));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct rmp_entry *x = &e[bad[i].page];

		saved = *x;
		*x = (struct rmp_entry){.gpa = bad[i].gpa,
					.asid = bad[i].asid,
					.perms = {bad[i].perms[0],
						  bad[i].perms[1],
						  bad[i].perms[2]},
					.flags = bad[i].flags};
		if (!KT_EXPECT_ERRNO(t, rmp_model_check(r), EIO))
			kt_diag(t, "corruption %zu not seen", i);
		*x = saved;
	}
	done(t, r);
}

static void rmp_ret_names(struct kt *t)
{
	KT_EXPECT_STR_EQ(t, rmp_ret_name(RMP_FAIL_BADADDR), "FAIL_BADADDR");
	KT_EXPECT_STR_EQ(t, rmp_ret_name(RMP_FAIL_OVERLAP), "FAIL_OVERLAP");
	KT_EXPECT_STR_EQ(t, rmp_ret_name(RMP_FAULT_NPF_SIZEM), "NPF_SIZEM");
	KT_EXPECT_EQ(t, (int)RMP_FAIL_BADADDR, 7);
	KT_EXPECT_EQ(t, (int)RMP_FAIL_SIZEMISMATCH, 6);
}

/* Every outcome the APM names for each instruction (vol. 3 instruction
 * pages; the faults of vol. 2 §15.36.10, Tables 15-39 and 15-40) was
 * reached by a case of this suite; each is printed with the first case
 * that reached it. */
static void rmp_every_outcome_reached(struct kt *t)
{
	static const char *const insn_names[NR_INSNS] = {
		"RMPUPDATE", "PSMASH",	  "RMPREAD",
		"PVALIDATE", "RMPADJUST", "RMPQUERY",
	};
	static const struct {
		enum rmp_insn insn;
		enum rmp_ret ret;
	} want[] = {
		{INS_RMPUPDATE, RMP_SUCCESS},
		{INS_RMPUPDATE, RMP_FAIL_INPUT},
		{INS_RMPUPDATE, RMP_FAIL_PERMISSION},
		{INS_RMPUPDATE, RMP_FAIL_INUSE},
		{INS_RMPUPDATE, RMP_FAIL_OVERLAP},
		{INS_PSMASH, RMP_SUCCESS},
		{INS_PSMASH, RMP_FAIL_INPUT},
		{INS_PSMASH, RMP_FAIL_PERMISSION},
		{INS_PSMASH, RMP_FAIL_INUSE},
		{INS_PSMASH, RMP_FAIL_BADADDR},
		{INS_RMPREAD, RMP_SUCCESS},
		{INS_RMPREAD, RMP_FAIL_INPUT},
		{INS_RMPREAD, RMP_FAIL_PERMISSION},
		{INS_PVALIDATE, RMP_SUCCESS},
		{INS_PVALIDATE, RMP_NO_UPDATE},
		{INS_PVALIDATE, RMP_FAIL_INPUT},
		{INS_PVALIDATE, RMP_FAIL_SIZEMISMATCH},
		{INS_PVALIDATE, RMP_FAULT_NPF},
		{INS_PVALIDATE, RMP_FAULT_NPF_SIZEM},
		{INS_PVALIDATE, RMP_FAULT_UD},
		{INS_RMPADJUST, RMP_SUCCESS},
		{INS_RMPADJUST, RMP_FAIL_INPUT},
		{INS_RMPADJUST, RMP_FAIL_PERMISSION},
		{INS_RMPADJUST, RMP_FAIL_SIZEMISMATCH},
		{INS_RMPADJUST, RMP_FAULT_NPF},
		{INS_RMPADJUST, RMP_FAULT_NPF_SIZEM},
		{INS_RMPADJUST, RMP_FAULT_VC_NOT_VALIDATED},
		{INS_RMPADJUST, RMP_FAULT_UD},
		{INS_RMPQUERY, RMP_SUCCESS},
		{INS_RMPQUERY, RMP_FAIL_INPUT},
		{INS_RMPQUERY, RMP_FAIL_PERMISSION},
		{INS_RMPQUERY, RMP_FAULT_NPF},
		{INS_RMPQUERY, RMP_FAULT_UD},
	};
	bool any = false;

	for (unsigned int i = 0; i < NR_INSNS; i++)
		for (unsigned int k = 0; k < NR_OUTCOMES; k++)
			any |= first_case[i][k] != NULL;
	if (!any) {
		kt_skip(t, "no other case of the suite ran (a filter): they "
			   "record the outcomes");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const char *by =
			first_case[want[i].insn][outcome_idx(want[i].ret)];

		if (KT_EXPECT(t, by != NULL))
			kt_diag(t, "%s %s: %s", insn_names[want[i].insn],
				rmp_ret_name(want[i].ret), by);
		else
			kt_diag(t, "%s %s: reached by no case",
				insn_names[want[i].insn],
				rmp_ret_name(want[i].ret));
	}
}

static const char *no_pool(void *ctx)
{
	return hv_pool ? NULL : "no hv_pool on this platform";
}

static const struct kt_case rmp_cases[] = {
	KT_CASE(rmpupdate_assigns_and_reads_back),
	KT_CASE(rmpupdate_fail_input),
	KT_CASE(rmpupdate_immutable_and_guest_refused),
	KT_CASE(rmpupdate_in_use_refused),
	KT_CASE(rmpupdate_overlap),
	KT_CASE(rmpupdate_unassigned_2m_overlaps_nothing),
	KT_CASE(rmpupdate_clears_validated),
	KT_CASE(psmash_splits_into_512),
	KT_CASE(psmash_codes),
	KT_CASE(rmpread_codes),
	KT_CASE(pvalidate_codes),
	KT_CASE(rmpadjust_codes),
	KT_CASE(rmpquery_codes),
	KT_CASE(rmp_metadata_per_gib),
	KT_CASE(check_order),
	KT_CASE(rmp_check_catches_corruption),
	KT_CASE(rmp_create_out_of_memory),
	KT_CASE(rmp_hw_absent_or_readable),
	KT_CASE(rmp_ret_names),
	KT_CASE(rmp_every_outcome_reached), /* last: the others record */
};

const struct kt_suite rmp_suite = {
	.name = "rmp",
	.cases = rmp_cases,
	.n_cases = ARRAY_SIZE(rmp_cases),
	.unsupported = no_pool,
};
