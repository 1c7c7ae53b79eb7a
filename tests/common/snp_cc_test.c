// SPDX-License-Identifier: MIT
/*
 * tests/common/snp_cc_test.c - SEV-SNP's security model (hv/snp/snp.h)
 * driving the RMP through gmem, as Linux's sev_gmem_prepare /
 * sev_gmem_invalidate / sev_gmem_max_mapping_level do: after each fault,
 * conversion, punch and release the RMP entries are read back (RMPREAD)
 * and the gmem checker, which compares the RMP with gmem's shareability
 * and backing, runs. Where a case needs the model's in-use marks to make
 * an instruction fail, it skips on hardware with that reason. Private
 * accesses here are reads: on hardware a hypervisor write to a page
 * assigned to a guest is an RMP fault (APM vol. 2 §15.36.10).
 */
#include "hv/alloc.h"
#include "hv/base/kmalloc.h"
#include "hv/gmem.h"
#include "hv/snp/snp.h"
#include "lib/errno.h"
#include "lib/mem.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define PRIV VM_ACCESS_PRIVATE
#define WR VM_ACCESS_WRITE
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)
#define PAGES_2M 512

/* An SNP VM with a 4 MiB in-place (MMAP) gmem bound at 1 GiB, all of it
 * private. */
struct env {
	int vm, g;
	struct vm *obj;
	u32 asid;
	u64 objects; /* kmalloc's live objects before the VM */
};

static bool env_open(struct kt *t, struct vmm *v, struct env *e)
{
	struct kmalloc_stats st;

	v->ops->reset(v); /* the handle table freed too */
	kmalloc_get_stats(&st);
	e->objects = st.objects;
	e->vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SNP));
	if (e->vm < 0)
		return false;
	e->obj = vmm_native_vm(v, e->vm);
	e->asid = snp_vm_asid(e->obj);
	KT_EXPECT(t, e->asid >= 1 && e->asid <= SNP_MAX_ASID);
	e->g = CASE_OPEN(t, v->ops->create_gmem(v, e->vm, 4 << 20,
						GMV_GMEM_FLAG_MMAP));
	return e->g >= 0 &&
	       KT_EXPECT_OK(t, case_bind(v, e->vm, 0, GB, 4 << 20, e->g, 0));
}

/* Close everything: every page hypervisor-owned again and given back,
 * the RMP model gone with the last SNP VM, no object left. */
static void env_close(struct kt *t, struct vmm *v, struct env *e)
{
	struct kmalloc_stats st;

	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, v->ops->close(v, e->g));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, v->ops->close(v, e->vm));
	KT_EXPECT(t, snp_rmp() == NULL);
	v->ops->reset(v);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), 0);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_RMP), 0);
	kmalloc_get_stats(&st);
	KT_EXPECT_EQ(t, st.objects, e->objects);
}

static int fault(struct vmm *v, struct env *e, u64 gpa, unsigned int access,
		 struct vm_fault *f)
{
	u8 b = 0x5a;

	return n_guest(v, e->vm, gpa, &b, 1, access, f);
}

static struct rmp_info rd(phys_addr_t pa)
{
	struct rmp_info i = {0};

	rmpread(snp_rmp(), pa, &i);
	return i;
}

/* The RMP entry that governs pa: assigned to the env's VM at gpa, with
 * the given size. */
static bool assigned_at(const struct env *e, phys_addr_t pa, u64 gpa,
			bool size_2m)
{
	struct rmp_info i = rd(pa);

	return i.assigned && i.asid == e->asid && i.size_2m == size_2m &&
	       i.gpa == (size_2m ? ALIGN_DOWN(gpa, SZ2M) : gpa);
}

static bool unassigned(phys_addr_t pa)
{
	return !rd(pa).assigned;
}

/* The RMP exists while an SNP VM does; each VM has its own ASID; the
 * memory of one SNP VM is its own (Linux binds a guest_memfd to its VM). */
NATIVE_CASE(snp_vm_asid_rmp_and_one_vm_memory)
{
	struct env e;
	int other, dflt, view;

	KT_EXPECT(t, snp_rmp() == NULL);
	if (!env_open(t, v, &e))
		return;
	KT_EXPECT(t, snp_rmp() != NULL);
	KT_EXPECT_STR_EQ(t, vm_cc(e.obj)->name,
			 rmp_hw_lacks() ? "snp_model" : "snp");
	KT_EXPECT(t, vm_has_private_mem(e.obj));
	other = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SNP));
	dflt = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	if (other < 0 || dflt < 0)
		return;
	KT_EXPECT(t, snp_vm_asid(vmm_native_vm(v, other)) != e.asid);
	KT_EXPECT(t, snp_vm_asid(vmm_native_vm(v, other)) != 0);
	KT_EXPECT_EQ(t, snp_vm_asid(vmm_native_vm(v, dflt)), 0);
	/* Neither another SNP VM nor a VM of another model may view it. */
	KT_EXPECT_ERRNO(t, v->ops->create_gmem_view(v, e.g, other), EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->create_gmem_view(v, e.g, dflt), EINVAL);
	KT_EXPECT_OK(t, v->ops->close(v, other));
	KT_EXPECT_OK(t, v->ops->close(v, dflt));
	/* Its own VM may hold a second view. */
	view = CASE_OPEN(t, v->ops->create_gmem_view(v, e.g, e.vm));
	KT_EXPECT_OK(t, v->ops->close(v, view));
	env_close(t, v, &e);
}

/* The ASIDs run out as sev_asid_new's do: -EBUSY, nothing held. */
NATIVE_CASE(snp_asids_run_out)
{
	int vms[SNP_MAX_ASID];
	u64 live = vm_nr_live();

	for (int i = 0; i < SNP_MAX_ASID; i++)
		if ((vms[i] = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SNP))) <
		    0)
			return;
	KT_EXPECT_ERRNO(t, v->ops->create_vm(v, GMV_VM_SNP), EBUSY);
	KT_EXPECT_EQ(t, vm_nr_live(), live + SNP_MAX_ASID);
	/* A freed ASID is taken again. */
	KT_EXPECT_OK(t, v->ops->close(v, vms[5]));
	vms[5] = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SNP));
	KT_EXPECT_EQ(t, snp_vm_asid(vmm_native_vm(v, vms[5])), 6);
	for (int i = 0; i < SNP_MAX_ASID; i++)
		KT_EXPECT_OK(t, v->ops->close(v, vms[i]));
	KT_EXPECT(t, snp_rmp() == NULL);
}

/* A private page's first use assigns its whole 2 MiB block as one entry
 * at the block's GPA; a shared page stays hypervisor-owned. */
NATIVE_CASE(snp_prepare_assigns_2m_at_the_gpa)
{
	struct vm_fault f;
	phys_addr_t block;
	struct env e;
	u64 err;

	if (!env_open(t, v, &e))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB + 5 * PG, PRIV, &f));
	block = f.pa - 5 * PG;
	KT_EXPECT(t, IS_ALIGNED(block, SZ2M));
	KT_EXPECT_EQ(t, f.max_order, 9);
	KT_EXPECT(t, assigned_at(&e, block, GB, true));
	KT_EXPECT(t, assigned_at(&e, block + 511 * PG, GB, true));
	KT_EXPECT(t, !rd(block).validated); /* the guest's PVALIDATE's job */
	KT_EXPECT_OK(t, v->ops->check(v));
	/* Second chunk: shared first (pages 0-7), then a private fault in
	 * it: the block is mixed, so 4 KiB entries, page by page. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, SZ2M, 8 * PG, false, &err));
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, WR, &f));
	KT_EXPECT(t, unassigned(f.pa));
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M + 9 * PG, PRIV, &f));
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_EXPECT(t, assigned_at(&e, f.pa, GB + SZ2M + 9 * PG, false));
	KT_EXPECT(t, unassigned(f.pa - 9 * PG));
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
}

/*
 * The prepare hook itself, called again on pages it assigned (as after a
 * failed conversion, which clears the prepared marks): an entry that is
 * already this VM's at that GPA, 2 MiB or 4 KiB, is left alone, so the
 * guest's PVALIDATE survives (an RMPUPDATE would clear Validated, APM
 * vol. 2 §15.36.5); a 4 KiB entry of another ASID, or of this one at
 * another GPA, is assigned to this VM at this GPA.
 */
NATIVE_CASE(snp_prepare_again_keeps_validated_and_fixes_others)
{
	struct rmp_state foreign, elsewhere;
	const struct cc_ops *cc;
	struct rmp_guest g;
	struct vm_fault f;
	phys_addr_t block, pg;
	struct env e;
	u64 err;

	if (!env_open(t, v, &e))
		return;
	cc = vm_cc(e.obj);
	g = (struct rmp_guest){.asid = e.asid};
	foreign = (struct rmp_state){.gpa = GB + SZ2M + 3 * PG,
				     .assigned = true, .asid = e.asid + 1};
	elsewhere = (struct rmp_state){.gpa = GB, .assigned = true,
				       .asid = e.asid};
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	block = f.pa;
	KT_EXPECT(t, assigned_at(&e, block, GB, true));
	KT_EXPECT_EQ(t, rmp_model_pvalidate(snp_rmp(), &g, GB, block, true,
					    true),
		     RMP_SUCCESS);
	KT_EXPECT_OK(t, cc->prepare(e.obj, GB >> PAGE_SHIFT, block, 9));
	KT_EXPECT(t, assigned_at(&e, block, GB, true));
	KT_EXPECT(t, rd(block).validated);
	/* 4 KiB entries: page 3 of the second chunk after a split. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, SZ2M, PG, false, &err));
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M + 3 * PG, PRIV, &f));
	pg = f.pa;
	KT_EXPECT(t, assigned_at(&e, pg, GB + SZ2M + 3 * PG, false));
	KT_EXPECT_EQ(t, rmp_model_pvalidate(snp_rmp(), &g, GB + SZ2M + 3 * PG,
					    pg, false, true),
		     RMP_SUCCESS);
	KT_EXPECT_OK(t, cc->prepare(e.obj, (GB + SZ2M + 3 * PG) >> PAGE_SHIFT,
				    pg, 0));
	KT_EXPECT(t, rd(pg).validated);
	/* Another ASID's, then this VM's at another GPA: made right. */
	KT_EXPECT(t, rmpupdate(snp_rmp(), pg, &foreign) == RMP_SUCCESS);
	KT_EXPECT_OK(t, cc->prepare(e.obj, (GB + SZ2M + 3 * PG) >> PAGE_SHIFT,
				    pg, 0));
	KT_EXPECT(t, assigned_at(&e, pg, GB + SZ2M + 3 * PG, false));
	KT_EXPECT(t, rmpupdate(snp_rmp(), pg, &elsewhere) == RMP_SUCCESS);
	KT_EXPECT_OK(t, cc->prepare(e.obj, (GB + SZ2M + 3 * PG) >> PAGE_SHIFT,
				    pg, 0));
	KT_EXPECT(t, assigned_at(&e, pg, GB + SZ2M + 3 * PG, false));
	KT_EXPECT(t, !rd(pg).validated);
	/* A 2 MiB entry of another ASID, then this VM's at another GPA:
	 * one 2 MiB entry of this VM at this GPA. */
	foreign = (struct rmp_state){.gpa = GB, .assigned = true,
				     .size_2m = true, .asid = e.asid + 1};
	KT_EXPECT(t, rmpupdate(snp_rmp(), block, &foreign) == RMP_SUCCESS);
	KT_EXPECT_OK(t, cc->prepare(e.obj, GB >> PAGE_SHIFT, block, 9));
	KT_EXPECT(t, assigned_at(&e, block, GB, true));
	elsewhere = (struct rmp_state){.gpa = GB + 2 * SZ2M, .assigned = true,
				       .size_2m = true, .asid = e.asid};
	KT_EXPECT(t, rmpupdate(snp_rmp(), block, &elsewhere) == RMP_SUCCESS);
	KT_EXPECT_OK(t, cc->prepare(e.obj, GB >> PAGE_SHIFT, block, 9));
	KT_EXPECT(t, assigned_at(&e, block, GB, true));
	/* Only the head page is this VM's (a 4 KiB entry), the rest
	 * hypervisor-owned: every page gets its 4 KiB entry. */
	KT_EXPECT(t, psmash(snp_rmp(), block) == RMP_SUCCESS);
	for (unsigned int k = 1; k < PAGES_2M; k++)
		KT_EXPECT(t, rmpupdate(snp_rmp(), block + k * PG,
				       &(const struct rmp_state){0}) ==
				     RMP_SUCCESS);
	KT_EXPECT_OK(t, cc->prepare(e.obj, GB >> PAGE_SHIFT, block, 9));
	KT_EXPECT(t, assigned_at(&e, block, GB, false));
	KT_EXPECT(t, assigned_at(&e, block + PG, GB + PG, false));
	KT_EXPECT(t, assigned_at(&e, block + 511 * PG, GB + 511 * PG, false));
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
}

/* One 4 KiB page of a 2 MiB private mapping goes shared: PSMASH, that
 * page hypervisor-owned, the others 4 KiB entries at their GPAs, and the
 * mapping no larger than 4 KiB. Back to private: 4 KiB again. The whole
 * 2 MiB shared and private again merges back to one 2 MiB entry. */
NATIVE_CASE(snp_convert_4k_smashes_and_merges_back)
{
	struct vm_fault f;
	phys_addr_t block;
	struct env e;
	u64 err;

	if (!env_open(t, v, &e))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	block = f.pa;
	KT_EXPECT(t, assigned_at(&e, block, GB, true));
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 7 * PG, PG, false, &err));
	KT_EXPECT(t, unassigned(block + 7 * PG));
	KT_EXPECT(t, !rd(block + 7 * PG).size_2m);
	KT_EXPECT(t, assigned_at(&e, block, GB, false));
	KT_EXPECT(t, assigned_at(&e, block + 8 * PG, GB + 8 * PG, false));
	KT_EXPECT(t, assigned_at(&e, block + 511 * PG, GB + 511 * PG, false));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* The NPT splits with it: a private fault maps 4 KiB now. */
	KT_EXPECT_OK(t, fault(v, &e, GB + 6 * PG, PRIV, &f));
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_EXPECT_OK(t, fault(v, &e, GB + 7 * PG, WR, &f));
	KT_EXPECT_EQ(t, f.pa, block + 7 * PG);
	KT_EXPECT(t, unassigned(f.pa));
	/* Private again: assigned at its first private use, 4 KiB. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 7 * PG, PG, true, &err));
	KT_EXPECT(t, unassigned(block + 7 * PG));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, fault(v, &e, GB + 7 * PG, PRIV, &f));
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_EXPECT(t, assigned_at(&e, block + 7 * PG, GB + 7 * PG, false));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* Merge: all 512 pages hypervisor-owned, then one 2 MiB entry. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, SZ2M, false, &err));
	for (unsigned int i = 0; i < PAGES_2M; i++)
		if (!KT_EXPECT(t, unassigned(block + i * PG)))
			break;
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, SZ2M, true, &err));
	KT_EXPECT_OK(t, fault(v, &e, GB + 100 * PG, PRIV, &f));
	KT_EXPECT_EQ(t, f.max_order, 9);
	KT_EXPECT(t, assigned_at(&e, block + 7 * PG, GB, true));
	env_close(t, v, &e);
}

/* A punch of part of a 2 MiB private block PSMASHes it and gives the
 * punched pages back hypervisor-owned; a whole block goes with one 2 MiB
 * RMPUPDATE; closing gives back the rest. */
NATIVE_CASE(snp_punch_and_release_unassign)
{
	struct vm_fault f;
	phys_addr_t block, second;
	struct env e;

	if (!env_open(t, v, &e))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	block = f.pa;
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, PRIV, &f));
	second = f.pa;
	KT_EXPECT(t, assigned_at(&e, second, GB + SZ2M, true));
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, 7 * PG, 2 * PG));
	KT_EXPECT(t, unassigned(block + 7 * PG));
	KT_EXPECT(t, unassigned(block + 8 * PG));
	KT_EXPECT(t, assigned_at(&e, block + 9 * PG, GB + 9 * PG, false));
	KT_EXPECT(t, assigned_at(&e, block + 6 * PG, GB + 6 * PG, false));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* Refilled: a new zeroed page, assigned at its first private use. */
	KT_EXPECT_OK(t, fault(v, &e, GB + 7 * PG, PRIV, &f));
	KT_EXPECT(t, assigned_at(&e, f.pa, GB + 7 * PG, false));
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, SZ2M, SZ2M));
	KT_EXPECT(t, unassigned(second));
	KT_EXPECT(t, unassigned(second + 300 * PG));
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
	/* The model is gone; the pages are free and were reclaimed first:
	 * the checker counted every assigned page against gmem's. */
}

/*
 * A block the model cannot take back (a page of its 2 MiB entry in use:
 * RMPUPDATE FAIL_INUSE) is leaked, as Linux's snp_leak_pages() does: the
 * punch goes on, nothing scrubs or reuses the pages (the host-write guard
 * would fault on a scrub), they move to OWN_LEAKED, and the checker counts
 * them apart from gmem's.
 */
NATIVE_CASE(snp_unreclaimable_pages_leak)
{
	u64 leaked0 = alloc_owned_pages(hv_pool, OWN_LEAKED);
	struct vm_fault f;
	phys_addr_t block;
	struct env e;

	if (rmp_hw_lacks() == NULL) {
		kt_skip(t, "in-use marks need the RMP model (SNP hardware "
			   "here)");
		return;
	}
	if (!env_open(t, v, &e))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, PRIV, &f));
	block = f.pa;
	KT_ASSERT(t, assigned_at(&e, block, GB + SZ2M, true));
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), block + 9 * PG, true));
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, SZ2M, SZ2M));
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_LEAKED),
		     leaked0 + PAGES_2M);
	KT_EXPECT(t, assigned_at(&e, block, GB + SZ2M, true));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* The range is a hole: a new page backs it. */
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, PRIV, &f));
	KT_EXPECT(t, f.pa != block);
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), block + 9 * PG,
					     false));
	env_close(t, v, &e);
	/* Leaked for good, as Linux's are. */
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_LEAKED),
		     leaked0 + PAGES_2M);
}

/*
 * Reclaim of part of a 2 MiB entry: the head page alone made shared
 * PSMASHes and unassigns that page only (the range is not the whole
 * entry, though it starts where the entry does); a PSMASH refused (a page
 * of the entry in use) fails the conversion with -EBUSY and leaves the
 * 2 MiB entry as it was.
 */
NATIVE_CASE(snp_head_page_shared_and_psmash_refused)
{
	phys_addr_t block, second;
	struct rmp_guest g;
	struct vm_fault f;
	struct env e;
	u64 err;

	if (rmp_hw_lacks() == NULL) {
		kt_skip(t, "in-use marks need the RMP model (SNP hardware "
			   "here)");
		return;
	}
	if (!env_open(t, v, &e))
		return;
	g = (struct rmp_guest){.asid = e.asid};
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	block = f.pa;
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, PG, false, &err));
	KT_EXPECT(t, unassigned(block));
	KT_EXPECT(t, assigned_at(&e, block + PG, GB + PG, false));
	KT_EXPECT(t, assigned_at(&e, block + 511 * PG, GB + 511 * PG, false));
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, PRIV, &f));
	second = f.pa;
	KT_EXPECT(t, assigned_at(&e, second, GB + SZ2M, true));
	KT_EXPECT_EQ(t, rmp_model_pvalidate(snp_rmp(), &g, GB + SZ2M, second,
					    true, true),
		     RMP_SUCCESS);
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), second + 7 * PG, true));
	KT_EXPECT_ERRNO(t, v->ops->convert(v, e.g, SZ2M + 5 * PG, PG, false,
					   &err),
			EBUSY);
	KT_EXPECT(t, assigned_at(&e, second + 5 * PG, GB + SZ2M, true));
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), second + 7 * PG,
					     false));
	/* Page 5 lost its prepared mark; its next private use finds it in
	 * the VM's 2 MiB entry at its GPA and leaves the entry (and the
	 * guest's Validated) as they are. */
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M + 5 * PG, PRIV, &f));
	KT_EXPECT(t, assigned_at(&e, second + 5 * PG, GB + SZ2M, true));
	KT_EXPECT(t, rd(second).validated);
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
}

/* The VM's handle closed before its memory's: the memory (its view keeps
 * the VM) is reclaimed while the VM and so the RMP still exist, and only
 * then do both go. Found by bench-convert, whose reset closes the VM
 * first: the VM, the last SNP one, took the RMP with it and the reclaim
 * read a freed RMP. */
NATIVE_CASE(snp_vm_closed_before_its_memory)
{
	struct kmalloc_stats st;
	struct vm_fault f;
	struct env e;

	if (!env_open(t, v, &e))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M + PG, PRIV, &f));
	KT_EXPECT(t, assigned_at(&e, f.pa, GB + SZ2M + PG, true));
	KT_EXPECT_OK(t, v->ops->close(v, e.vm));
	KT_EXPECT(t, snp_rmp() != NULL);
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, v->ops->close(v, e.g));
	KT_EXPECT(t, snp_rmp() == NULL);
	v->ops->reset(v);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), 0);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_RMP), 0);
	kmalloc_get_stats(&st);
	KT_EXPECT_EQ(t, st.objects, e.objects);
}

/* An RMPUPDATE failing mid-conversion (the model's in-use mark, as a
 * running vCPU's VMSA gives FAIL_INUSE): the conversion fails with
 * -EBUSY, shareability is unchanged, the pages reclaimed before the
 * failure are prepared again at their next private use, and the same
 * conversion goes through once the page is free. */
NATIVE_CASE(snp_conversion_failure_is_undone)
{
	struct rmp_state moved;
	struct vm_fault f;
	phys_addr_t block;
	struct env e;
	u64 err;
	u8 b;

	if (rmp_hw_lacks() == NULL) {
		kt_skip(t, "in-use marks need the RMP model (SNP hardware "
			   "here)");
		return;
	}
	if (!env_open(t, v, &e))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	block = f.pa;
	/* Smash the entry first (page 100 shared), so pages 0-7 are 4 KiB
	 * entries reclaimed one by one. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 100 * PG, PG, false, &err));
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), block + 3 * PG, true));
	KT_EXPECT_ERRNO(t, v->ops->convert(v, e.g, 0, 8 * PG, false, &err),
			EBUSY);
	KT_EXPECT(t, unassigned(block + 2 * PG));
	KT_EXPECT(t, assigned_at(&e, block + 3 * PG, GB + 3 * PG, false));
	/* Page 4 kept its entry but lost its prepared mark: until its next
	 * private use prepares it again, its GPA is not held to the
	 * binding. */
	moved = (struct rmp_state){.gpa = GB + 5 * PG, .assigned = true,
				   .asid = e.asid};
	KT_EXPECT_OK(t, rmpupdate(snp_rmp(), block + 4 * PG, &moved));
	KT_EXPECT_OK(t, v->ops->check(v));
	moved.gpa = GB + 4 * PG;
	KT_EXPECT_OK(t, rmpupdate(snp_rmp(), block + 4 * PG, &moved));
	/* Still private: the host cannot read it. */
	KT_EXPECT(t, v->ops->host_read(v, e.g, 0, &b, 1) != 0);
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, fault(v, &e, GB + 2 * PG, PRIV, &f));
	KT_EXPECT(t, assigned_at(&e, block + 2 * PG, GB + 2 * PG, false));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* A prepare that fails fails the fault, nothing marked. */
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), block + 3 * PG, false));
	/* (The second chunk's block, learnt through a shared access.) */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, SZ2M, PG, false, &err));
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, WR, &f));
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, SZ2M, PG, true, &err));
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), f.pa + 5 * PG, true));
	KT_EXPECT(t, fault(v, &e, GB + SZ2M, PRIV, &f) != 0);
	KT_EXPECT(t, unassigned(f.pa));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), f.pa + 5 * PG, false));
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, PRIV, &f));
	KT_EXPECT(t, assigned_at(&e, f.pa, GB + SZ2M, true));
	/* The first conversion, now free to go. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, 8 * PG, false, &err));
	KT_EXPECT(t, unassigned(block + 3 * PG));
	/* A split that fails stops the punch, the block whole. */
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), f.pa + 5 * PG, true));
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, e.g, PUNCH, SZ2M + PG, PG),
			EBUSY);
	KT_EXPECT(t, assigned_at(&e, f.pa, GB + SZ2M, true));
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), f.pa + 5 * PG, false));
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
}

/* Is pa a page hv_pool manages? */
static bool in_pool(phys_addr_t pa)
{
	for (unsigned int k = 0; k < hv_pool->nr_regions; k++) {
		const struct alloc_region *g = &hv_pool->regions[k];

		if (pa >= g->base && pa - g->base < g->pages * PG)
			return true;
	}
	return false;
}

/* The checker compares the RMP with gmem: a prepared private page made
 * hypervisor-owned, a shared page assigned, a free page assigned, each
 * behind gmem's back, is reported. */
NATIVE_CASE(snp_checker_catches_rmp_drift)
{
	struct rmp_state unassign = {0}, own;
	struct vm_fault f;
	phys_addr_t pa, fw;
	void *p;
	struct env e;
	u64 err;

	if (!env_open(t, v, &e))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M + 4 * PG, PRIV, &f));
	pa = f.pa;
	KT_EXPECT_OK(t, psmash(snp_rmp(), pa - 4 * PG));
	KT_EXPECT_OK(t, rmpupdate(snp_rmp(), pa, &unassign));
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	own = (struct rmp_state){.assigned = true, .asid = e.asid,
				 .gpa = GB + SZ2M + 4 * PG};
	KT_EXPECT_OK(t, rmpupdate(snp_rmp(), pa, &own));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* At another GPA. */
	own.gpa += PG;
	KT_EXPECT_OK(t, rmpupdate(snp_rmp(), pa, &own));
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	own.gpa -= PG;
	/* Of another ASID. */
	own.asid = e.asid + 1;
	KT_EXPECT_OK(t, rmpupdate(snp_rmp(), pa, &own));
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	own.asid = e.asid;
	KT_EXPECT_OK(t, rmpupdate(snp_rmp(), pa, &own));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* A page of the pool gmem does not hold, assigned to ASID 0 (a
	 * firmware page): no guest's, not counted. */
	fw = (phys_addr_t)alloc_pages(hv_pool, 0, OWN_TEST);
	KT_ASSERT(t, fw != 0);
	KT_EXPECT_OK(t, rmpupdate(snp_rmp(), fw,
				  &(const struct rmp_state){.assigned = true}));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, rmpupdate(snp_rmp(), fw, &unassign));
	free_pages(hv_pool, (void *)fw, 0, OWN_TEST);
	/* A guest page outside hv_pool (past the end of a region, where the
	 * model's range covers one, as between the payload's regions): not
	 * gmem's, not counted. */
	for (unsigned int k = 0; k < hv_pool->nr_regions; k++) {
		phys_addr_t p = hv_pool->regions[k].base +
				hv_pool->regions[k].pages * PG;
		struct rmp_info i;

		if (in_pool(p) || rmpread(snp_rmp(), p, &i) != RMP_SUCCESS ||
		    i.assigned)
			continue;
		KT_EXPECT_OK(t, rmpupdate(snp_rmp(), p, &own));
		KT_EXPECT_OK(t, v->ops->check(v));
		KT_EXPECT_OK(t, rmpupdate(snp_rmp(), p, &unassign));
		break;
	}
	/* A shared page assigned. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, PG, false, &err));
	KT_EXPECT_OK(t, fault(v, &e, GB, WR, &f));
	own.gpa = GB;
	KT_EXPECT_OK(t, rmpupdate(snp_rmp(), f.pa, &own));
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	KT_EXPECT_OK(t, rmpupdate(snp_rmp(), f.pa, &unassign));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* A page gmem gave back, assigned. The case holds it meanwhile (most
	 * likely the same page: the allocator's page cache is LIFO): a free
	 * page assigned faults whoever the allocator hands it to first, as
	 * on hardware (the RMP host-write guard's page tables included). */
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, 0, PG));
	p = alloc_pages(hv_pool, 0, OWN_TEST);
	if (KT_EXPECT(t, p != NULL)) {
		KT_EXPECT_OK(t, rmpupdate(snp_rmp(), (phys_addr_t)p, &own));
		KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
		KT_EXPECT_OK(t, rmpupdate(snp_rmp(), (phys_addr_t)p,
					  &unassign));
		free_pages(hv_pool, p, 0, OWN_TEST);
	}
	/* The memslot deleted: the prepared pages bound nowhere keep their
	 * entries, which no GPA contradicts. */
	KT_EXPECT_OK(t, case_delete(v, e.vm, 0));
	KT_EXPECT(t, assigned_at(&e, pa, GB + SZ2M + 4 * PG, false));
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
}


/*
 * A 2 MiB block made shared whole keeps one hypervisor-owned 2 MiB entry
 * (one 2 MiB RMPUPDATE). 4 KiB entries assigned inside such an entry
 * (the RMP allows them: an unassigned 2 MiB entry overlaps nothing) make
 * the block no 2 MiB candidate any more: max_order 0 and 4 KiB entries at
 * the next private fault, as Linux's is_pfn_range_shared() looks at every
 * page. With none assigned inside it, the block merges back to one 2 MiB
 * entry. A punch of part of a block whose head is such an entry, or a
 * 4 KiB entry, smashes nothing.
 */
NATIVE_CASE(snp_unassigned_2m_entry_with_4k_inside)
{
	const struct cc_ops *cc;
	phys_addr_t block, second;
	struct vm_fault f;
	struct env e;
	u64 err;

	if (!env_open(t, v, &e))
		return;
	cc = vm_cc(e.obj);
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	block = f.pa;
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, SZ2M, false, &err));
	KT_EXPECT(t, unassigned(block) && rd(block).size_2m);
	KT_EXPECT(t, unassigned(block + 300 * PG));
	/* Page 5 private and used: a 4 KiB entry inside the 2 MiB one. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 5 * PG, PG, true, &err));
	KT_EXPECT_OK(t, fault(v, &e, GB + 5 * PG, PRIV, &f));
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_EXPECT(t, assigned_at(&e, block + 5 * PG, GB + 5 * PG, false));
	KT_EXPECT(t, rd(block).size_2m);
	KT_EXPECT_EQ(t, cc->max_order(e.obj, GB >> PAGE_SHIFT, block), 0);
	/* The whole block private again: 4 KiB entries, a 4 KiB mapping. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, SZ2M, true, &err));
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_EXPECT(t, assigned_at(&e, block, GB, false));
	KT_EXPECT(t, assigned_at(&e, block + 5 * PG, GB + 5 * PG, false));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* Punch a page of it: its head is a 4 KiB entry, no PSMASH. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, 7 * PG, PG));
	KT_EXPECT(t, unassigned(block + 7 * PG));
	KT_EXPECT(t, assigned_at(&e, block + 5 * PG, GB + 5 * PG, false));
	/* Nothing inside: back to one 2 MiB entry, mapped at 2 MiB. */
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, PRIV, &f));
	second = f.pa;
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, SZ2M, SZ2M, false, &err));
	KT_EXPECT(t, unassigned(second) && rd(second).size_2m);
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, SZ2M, SZ2M, true, &err));
	KT_EXPECT_EQ(t, cc->max_order(e.obj, (GB + SZ2M) >> PAGE_SHIFT,
				      second + 3 * PG),
		     9);
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M + 3 * PG, PRIV, &f));
	KT_EXPECT_EQ(t, f.max_order, 9);
	KT_EXPECT(t, assigned_at(&e, second, GB + SZ2M, true));
	/* Shared whole again, then a page of it punched: no PSMASH of the
	 * hypervisor's 2 MiB entry (it would be FAIL_BADADDR). */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, SZ2M, SZ2M, false, &err));
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, SZ2M + 7 * PG, PG));
	KT_EXPECT(t, unassigned(second + 8 * PG));
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
}

/* The head page of a fresh block prepared alone (its neighbour shared,
 * so the block is mixed): a 4 KiB entry, not the whole block. */
NATIVE_CASE(snp_head_page_of_a_mixed_block_prepared_alone)
{
	struct vm_fault f;
	struct env e;
	u64 err;

	if (!env_open(t, v, &e))
		return;
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, SZ2M + PG, PG, false, &err));
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, PRIV, &f));
	KT_EXPECT(t, IS_ALIGNED(f.pa, SZ2M));
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_EXPECT(t, assigned_at(&e, f.pa, GB + SZ2M, false));
	KT_EXPECT(t, unassigned(f.pa + PG));
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
}

/* Make every entry of the 2 MiB block at pa hypervisor-owned 4 KiB. */
static void unassign_block(struct kt *t, phys_addr_t pa)
{
	if (rd(pa).size_2m)
		KT_EXPECT_EQ(t,
			     rmpupdate(snp_rmp(), pa,
				       &(const struct rmp_state){
					       .size_2m = true}),
			     RMP_SUCCESS);
	for (unsigned int k = 0; k < PAGES_2M; k++)
		KT_EXPECT_EQ(t,
			     rmpupdate(snp_rmp(), pa + k * PG,
				       &(const struct rmp_state){0}),
			     RMP_SUCCESS);
}

/*
 * The hooks called directly on a block of hv_pool that gmem does not
 * hold (white box): each failing instruction gives its errno (FAIL_INUSE
 * -EBUSY, FAIL_PERMISSION -EPERM, anything else -EIO), a VM without an
 * ASID is -EINVAL, a page the RMP does not cover fails; a 2 MiB entry of
 * another owner is smashed for a 4 KiB prepare; max_order follows the
 * entry, and an unassigned block's is 9 whatever the next block holds.
 */
NATIVE_CASE(snp_hooks_on_a_block_of_the_pool)
{
	struct rmp_state foreign, fw = {.assigned = true, .immutable = true};
	struct rmp_state next;
	const u64 gfn = (4 * GB) >> PAGE_SHIFT;
	const struct cc_ops *cc;
	phys_addr_t blk, out;
	struct vm *dflt_obj;
	bool next_was_free;
	struct env e;
	int dflt;

	if (rmp_hw_lacks() == NULL) {
		kt_skip(t, "in-use marks need the RMP model (SNP hardware "
			   "here)");
		return;
	}
	if (!env_open(t, v, &e))
		return;
	cc = vm_cc(e.obj);
	dflt = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	blk = (phys_addr_t)alloc_pages(hv_pool, 9, OWN_TEST);
	if (dflt < 0 || !KT_EXPECT(t, blk != 0))
		return;
	dflt_obj = vmm_native_vm(v, dflt);
	out = snp_rmp()->base + snp_rmp()->size;
	foreign = (struct rmp_state){.gpa = 4 * GB, .assigned = true,
				     .size_2m = true, .asid = e.asid + 1};
	/* No ASID: refused, nothing assigned. */
	KT_EXPECT_ERRNO(t, cc->prepare(dflt_obj, gfn, blk, 0), EINVAL);
	KT_EXPECT(t, unassigned(blk));
	/* A GPA past 2^52: RMPUPDATE's FAIL_INPUT is -EIO. */
	KT_EXPECT_ERRNO(t, cc->prepare(e.obj, 1ULL << 40, blk, 0), EIO);
	KT_EXPECT(t, unassigned(blk));
	/* A page the RMP does not cover. */
	KT_EXPECT_ERRNO(t, cc->prepare(e.obj, gfn, out, 0), EIO);
	KT_EXPECT_ERRNO(t, cc->split(out), EIO);
	KT_EXPECT_ERRNO(t, cc->convert(e.obj, gfn, out, 0, false), EIO);
	KT_EXPECT_EQ(t, cc->max_order(e.obj, gfn, out), 0);
	/* max_order: unassigned 9, as its entry once assigned. */
	KT_EXPECT_EQ(t, cc->max_order(e.obj, gfn, blk + 7 * PG), 9);
	KT_EXPECT_OK(t, cc->prepare(e.obj, gfn, blk, 9));
	KT_EXPECT(t, assigned_at(&e, blk + 7 * PG, 4 * GB, true));
	KT_EXPECT_EQ(t, cc->max_order(e.obj, gfn + 7, blk + 7 * PG), 9);
	/* A 4 KiB prepare inside this VM's own 2 MiB entry at that GPA
	 * keeps the entry. */
	KT_EXPECT_OK(t, cc->prepare(e.obj, gfn + 7, blk + 7 * PG, 0));
	KT_EXPECT(t, assigned_at(&e, blk + 7 * PG, 4 * GB, true));
	KT_EXPECT_EQ(t, psmash(snp_rmp(), blk), RMP_SUCCESS);
	KT_EXPECT_EQ(t, cc->max_order(e.obj, gfn + 7, blk + 7 * PG), 0);
	unassign_block(t, blk);
	/* Another ASID's 2 MiB entry: a 4 KiB prepare smashes it and
	 * takes its page alone. */
	KT_EXPECT_EQ(t, rmpupdate(snp_rmp(), blk, &foreign), RMP_SUCCESS);
	KT_EXPECT_OK(t, cc->prepare(e.obj, gfn + 5, blk + 5 * PG, 0));
	KT_EXPECT(t, assigned_at(&e, blk + 5 * PG, 4 * GB + 5 * PG, false));
	KT_EXPECT_EQ(t, rd(blk + 6 * PG).asid, e.asid + 1);
	KT_EXPECT(t, !rd(blk + 6 * PG).size_2m);
	unassign_block(t, blk);
	/* The same with a page of it in use: the PSMASH's FAIL_INUSE is
	 * -EBUSY, the entry kept. */
	KT_EXPECT_EQ(t, rmpupdate(snp_rmp(), blk, &foreign), RMP_SUCCESS);
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), blk + 9 * PG, true));
	KT_EXPECT_ERRNO(t, cc->prepare(e.obj, gfn + 5, blk + 5 * PG, 0),
			EBUSY);
	KT_EXPECT(t, rd(blk + 5 * PG).size_2m);
	/* 4 KiB entries of another ASID, one in use: the block's prepare
	 * stops there with -EBUSY. */
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), blk + 9 * PG, false));
	KT_EXPECT_EQ(t, psmash(snp_rmp(), blk), RMP_SUCCESS);
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), blk + 3 * PG, true));
	KT_EXPECT_ERRNO(t, cc->prepare(e.obj, gfn, blk, 9), EBUSY);
	KT_EXPECT_EQ(t, rd(blk + 3 * PG).asid, e.asid + 1);
	KT_EXPECT_OK(t, rmp_model_set_in_use(snp_rmp(), blk + 3 * PG, false));
	unassign_block(t, blk);
	/* Unassigned, the next block's head assigned: still 9. */
	next_was_free = blk + SZ2M < out && unassigned(blk + SZ2M) &&
			!rd(blk + SZ2M).size_2m;
	next = (struct rmp_state){.assigned = true, .asid = e.asid + 1};
	if (next_was_free)
		KT_EXPECT_EQ(t, rmpupdate(snp_rmp(), blk + SZ2M, &next),
			     RMP_SUCCESS);
	KT_EXPECT_EQ(t, cc->max_order(e.obj, gfn, blk), 9);
	if (next_was_free)
		KT_EXPECT_EQ(t,
			     rmpupdate(snp_rmp(), blk + SZ2M,
				       &(const struct rmp_state){0}),
			     RMP_SUCCESS);
	/* A hypervisor-owned 2 MiB entry with a 4 KiB entry of the VM
	 * assigned behind it: no 2 MiB candidate, the block's prepare
	 * assigns 4 KiB entries (a 2 MiB RMPUPDATE would overlap). */
	KT_EXPECT_EQ(t,
		     rmpupdate(snp_rmp(), blk,
			       &(const struct rmp_state){.size_2m = true}),
		     RMP_SUCCESS);
	next = (struct rmp_state){.gpa = 4 * GB + 5 * PG, .assigned = true,
				  .asid = e.asid};
	KT_EXPECT_EQ(t, rmpupdate(snp_rmp(), blk + 5 * PG, &next),
		     RMP_SUCCESS);
	KT_EXPECT_EQ(t, cc->max_order(e.obj, gfn, blk), 0);
	KT_EXPECT_OK(t, cc->prepare(e.obj, gfn, blk, 9));
	KT_EXPECT(t, assigned_at(&e, blk, 4 * GB, false));
	KT_EXPECT(t, assigned_at(&e, blk + 5 * PG, 4 * GB + 5 * PG, false));
	KT_EXPECT(t,
		  assigned_at(&e, blk + 511 * PG, 4 * GB + 511 * PG, false));
	unassign_block(t, blk);
	/* An immutable page: RMPUPDATE's FAIL_PERMISSION is -EPERM (the
	 * entry stays so until the model goes with the VM). */
	KT_EXPECT_EQ(t, rmpupdate(snp_rmp(), blk + PG, &fw), RMP_SUCCESS);
	KT_EXPECT_ERRNO(t, cc->prepare(e.obj, gfn + 1, blk + PG, 0), EPERM);
	KT_EXPECT_OK(t, v->ops->close(v, dflt));
	env_close(t, v, &e);
	/* Freed (scrubbed) only once the model, and its immutable entry,
	 * went with the VM: a free page assigned faults its next writer. */
	free_pages(hv_pool, (void *)blk, 9, OWN_TEST);
}

/* Out of memory for the VM's state or the RMP model: -ENOMEM, nothing
 * held; the hardware registration finds no RMP on a machine without SNP
 * and says so. The n-th allocation fails for n = 1, 2, ... until the VM
 * is made. */
NATIVE_CASE(snp_vm_init_out_of_memory)
{
	struct kmalloc_stats st;
	u64 objects, live = vm_nr_live();
	int vm = -1, dflt, sw;

	v->ops->reset(v);
	kmalloc_get_stats(&st);
	objects = st.objects;
	for (u64 n = 1; n < 32 && vm < 0; n++) {
		kmalloc_fail_nth(n);
		vm = v->ops->create_vm(v, GMV_VM_SNP);
		kmalloc_fail_nth(0);
		if (vm < 0)
			KT_EXPECT_EQ(t, vm, -ENOMEM);
	}
	KT_ASSERT(t, vm >= 0);
	KT_EXPECT_OK(t, v->ops->close(v, vm));
	vm = -1;
	for (u64 n = 1; n < 32 && vm < 0; n++) {
		alloc_fail_nth(hv_pool, n);
		vm = v->ops->create_vm(v, GMV_VM_SNP);
		alloc_fail_nth(hv_pool, 0);
		if (vm < 0) {
			KT_EXPECT_EQ(t, vm, -ENOMEM);
			KT_EXPECT(t, snp_rmp() == NULL);
		}
	}
	KT_ASSERT(t, vm >= 0);
	KT_EXPECT_OK(t, v->ops->close(v, vm));
	KT_EXPECT(t, snp_rmp() == NULL);
	/* VMs of other models have no ASID. */
	dflt = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	sw = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	if (dflt < 0 || sw < 0)
		return;
	KT_EXPECT_EQ(t, snp_vm_asid(vmm_native_vm(v, sw)), 0);
	/* The hardware registration, without SNP: no RMP, -ENOMEM. */
	KT_EXPECT_STR_EQ(t, cc_snp_hw.name, "snp");
	if (rmp_hw_lacks())
		KT_EXPECT_ERRNO(t, cc_snp_hw.vm_init(vmm_native_vm(v, dflt)),
				ENOMEM);
	KT_EXPECT(t, snp_rmp() == NULL);
	v->ops->reset(v);
	KT_EXPECT_EQ(t, vm_nr_live(), live);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_RMP), 0);
	kmalloc_get_stats(&st);
	KT_EXPECT_EQ(t, st.objects, objects);
}

static const struct kt_case snp_cc_cases[] = {
	KT_CASE(snp_vm_asid_rmp_and_one_vm_memory),
	KT_CASE(snp_asids_run_out),
	KT_CASE(snp_prepare_assigns_2m_at_the_gpa),
	KT_CASE(snp_prepare_again_keeps_validated_and_fixes_others),
	KT_CASE(snp_convert_4k_smashes_and_merges_back),
	KT_CASE(snp_punch_and_release_unassign),
	KT_CASE(snp_vm_closed_before_its_memory),
	KT_CASE(snp_head_page_shared_and_psmash_refused),
	KT_CASE(snp_unreclaimable_pages_leak),
	KT_CASE(snp_conversion_failure_is_undone),
	KT_CASE(snp_checker_catches_rmp_drift),
	KT_CASE(snp_unassigned_2m_entry_with_4k_inside),
	KT_CASE(snp_head_page_of_a_mixed_block_prepared_alone),
	KT_CASE(snp_hooks_on_a_block_of_the_pool),
	KT_CASE(snp_vm_init_out_of_memory),
};

const struct kt_suite snp_cc_suite = {
	.name = "snp_cc",
	.cases = snp_cc_cases,
	.n_cases = ARRAY_SIZE(snp_cc_cases),
	.unsupported = native_unsupported,
};
