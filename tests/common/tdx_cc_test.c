// SPDX-License-Identifier: MIT
/*
 * tests/common/tdx_cc_test.c - TDX's security model (hv/tdx/tdx.h)
 * driving the TDX module model through gmem in Linux's KVM order: after
 * each fault, conversion, punch and close the S-EPT entries and PAMT
 * pages are read back through the model's query calls, and the gmem
 * checker, which compares S-EPT and PAMT with gmem's shareability and
 * backing and runs the module's own checker, runs. No guest runs: AUGed
 * pages stay PENDING (a TD guest would ACCEPT them); launched ones
 * (vm_launch_update, PAGE.ADD) are MAPPED, and MRTD is read back after
 * the launch ends.
 */
#include "hv/alloc.h"
#include "hv/base/kmalloc.h"
#include "hv/gmem.h"
#include "hv/tdx/tdx.h"
#include "lib/errno.h"
#include "lib/mem.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define PRIV VM_ACCESS_PRIVATE
#define WR VM_ACCESS_WRITE
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)
#define PAGES_2M 512

/* A TDX VM with a 4 MiB in-place (MMAP) gmem, all of it private, bound
 * at 1 GiB; or, with split_at, its first 2 MiB at 1 GiB and its second
 * at split_at. */
struct env {
	int vm, g;
	struct vm *obj;
	u64 td;
	u64 objects; /* kmalloc's live objects before the VM */
};

static bool env_open(struct kt *t, struct vmm *v, struct env *e, u64 split_at)
{
	struct kmalloc_stats st;

	v->ops->reset(v);
	kmalloc_get_stats(&st);
	e->objects = st.objects;
	e->vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_TDX));
	if (e->vm < 0)
		return false;
	e->obj = vmm_native_vm(v, e->vm);
	e->td = tdx_vm_td(e->obj);
	KT_EXPECT(t, e->td >= 1 && e->td <= TDX_MAX_HKID);
	e->g = CASE_OPEN(
		t, v->ops->create_gmem(v, e->vm, 4 << 20, GMV_GMEM_FLAG_MMAP));
	if (e->g < 0)
		return false;
	if (!split_at)
		return KT_EXPECT_OK(
			t, case_bind(v, e->vm, 0, GB, 4 << 20, e->g, 0));
	return KT_EXPECT_OK(t, case_bind(v, e->vm, 0, GB, SZ2M, e->g, 0)) &&
	       KT_EXPECT_OK(t,
			    case_bind(v, e->vm, 1, split_at, SZ2M, e->g, SZ2M));
}

/* Close everything: every page out of the TD and given back, the S-EPT
 * tables reclaimed with the TD, the model gone with the last TDX VM, no
 * object left. */
static void env_close(struct kt *t, struct vmm *v, struct env *e)
{
	struct kmalloc_stats st;

	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, v->ops->close(v, e->g));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, v->ops->close(v, e->vm));
	KT_EXPECT(t, tdx_cc_model() == NULL);
	v->ops->reset(v);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), 0);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_TDX), 0);
	kmalloc_get_stats(&st);
	KT_EXPECT_EQ(t, st.objects, e->objects);
}

static int fault(struct vmm *v, struct env *e, u64 gpa, unsigned int access,
		 struct vm_fault *f)
{
	u8 b = 0x5a;

	return n_guest(v, e->vm, gpa, &b, 1, access, f);
}

static struct tdx_entry_info ent(const struct env *e, u64 gpa,
				 unsigned int level)
{
	struct tdx_entry_info i = {0};

	tdx_model_entry(tdx_cc_model(), e->td, gpa, level, &i);
	return i;
}

static struct tdx_page_info pamt(phys_addr_t pa)
{
	struct tdx_page_info i = {0};

	tdx_model_page(tdx_cc_model(), tdx_cc_hpa(pa), &i);
	return i;
}

/* The leaf of gpa at level is reached, in state, over the page at pa. */
static bool leaf(const struct env *e, u64 gpa, unsigned int level,
		 enum tdx_sept_state state, phys_addr_t pa)
{
	struct tdx_entry_info i = ent(e, gpa, level);

	return i.reached && i.state == state && i.hpa == tdx_cc_hpa(pa);
}

/* The page at pa is the TD's (PT_REG) at the given PAMT page size. */
static bool owned(const struct env *e, phys_addr_t pa, unsigned int level)
{
	struct tdx_page_info i = pamt(pa);

	return i.type == TDX_PT_REG && i.owner == e->td && i.level == level;
}

static bool host_page(phys_addr_t pa)
{
	return pamt(pa).type == TDX_PT_NDA;
}

static u64 child_pages(const struct env *e)
{
	struct tdx_td_info i = {0};

	tdx_model_td(tdx_cc_model(), e->td, &i);
	return i.child_pages;
}

/* What the hooks do, by hand, behind gmem's back (a RUNNABLE TD). */
static u64 hand_remove(const struct env *e, u64 gpa, unsigned int level)
{
	struct tdx_model *m = tdx_cc_model();
	u64 st = tdx_range_block(m, e->td, gpa, level, NULL);

	st = st ? st : tdx_track(m, e->td);
	for (unsigned int k = 0; !st && k < TDX_CC_VCPUS; k++)
		st = tdx_vcpu_exit(m, e->td, k);
	return st ? st : tdx_page_remove(m, e->td, gpa, level, NULL);
}

/* The pages of the GPA map tdx_cc keeps beside the model: 8 bytes for
 * each 4 KiB page of hv_pool's span in 2 MiB units, in the smallest
 * power-of-two block that holds them. */
static u64 rmap_pages(void)
{
	phys_addr_t lo = ~0ULL, hi = 0;
	u64 pages = 1;

	for (unsigned int k = 0; k < hv_pool->nr_regions; k++) {
		const struct alloc_region *g = &hv_pool->regions[k];

		lo = MIN(lo, g->base);
		hi = MAX(hi, g->base + g->pages * PG);
	}
	lo = ALIGN_DOWN(lo, SZ2M);
	hi = ALIGN_UP(hi, SZ2M);
	while (pages * PG < (hi - lo) / PG * sizeof(u64))
		pages *= 2;
	return pages;
}

/* The model exists while a TDX VM does; each VM has its own TD, made
 * INITIALIZED (open for the launch's PAGE.ADD, not finalized) with
 * TDX_CC_VCPUS vCPUs; the memory of one TDX VM is its own. */
NATIVE_CASE(tdx_vm_td_model_and_one_vm)
{
	struct tdx_td_info ti;
	struct env e;
	int other, dflt;

	KT_EXPECT(t, tdx_cc_model() == NULL);
	KT_EXPECT(t, v->ops->lacks(v, VMM_FEAT_TDX_VM) == NULL);
	if (!env_open(t, v, &e, 0))
		return;
	KT_EXPECT(t, tdx_cc_model() != NULL);
	KT_EXPECT_STR_EQ(t, vm_cc(e.obj)->name, "tdx_model");
	KT_EXPECT(t, vm_has_private_mem(e.obj));
	KT_ASSERT(t, !tdx_model_td(tdx_cc_model(), e.td, &ti));
	KT_EXPECT(t, !ti.finalized && ti.keys_configured && !ti.torn_down);
	KT_EXPECT_EQ(t, ti.nr_vcpus, TDX_CC_VCPUS);
	KT_EXPECT_EQ(t, ti.child_pages, 0);
	/* What TDX holds of hv_pool: the model's metadata (its PAMT and
	 * the TD's root table) and the GPA map, nothing more. */
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_TDX),
		     tdx_model_meta_bytes(tdx_cc_model()) / PG + rmap_pages());
	other = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_TDX));
	dflt = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	if (other < 0 || dflt < 0)
		return;
	KT_EXPECT(t, tdx_vm_td(vmm_native_vm(v, other)) != e.td);
	KT_EXPECT(t, tdx_vm_td(vmm_native_vm(v, other)) != 0);
	KT_EXPECT_EQ(t, tdx_vm_td(vmm_native_vm(v, dflt)), 0);
	KT_EXPECT_ERRNO(t, v->ops->create_gmem_view(v, e.g, other), EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->create_gmem_view(v, e.g, dflt), EINVAL);
	KT_EXPECT_OK(t, v->ops->close(v, other));
	KT_EXPECT_OK(t, v->ops->close(v, dflt));
	/* The other TD went with its VM. */
	KT_EXPECT(t, tdx_model_td(tdx_cc_model(), e.td + 1, &ti) != 0);
	env_close(t, v, &e);
}

/* The HKIDs run out: -EBUSY, nothing held. */
NATIVE_CASE(tdx_hkids_run_out)
{
	int vms[TDX_MAX_HKID + 1];

	v->ops->reset(v);
	for (unsigned int i = 0; i < TDX_MAX_HKID; i++)
		if ((vms[i] = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_TDX))) <
		    0)
			return;
	KT_EXPECT_ERRNO(t, v->ops->create_vm(v, GMV_VM_TDX), EBUSY);
	KT_EXPECT_OK(t, v->ops->close(v, vms[5]));
	vms[5] = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_TDX));
	KT_EXPECT_EQ(t, tdx_vm_td(vmm_native_vm(v, vms[5])), 6);
	v->ops->reset(v);
	KT_EXPECT(t, tdx_cc_model() == NULL);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_TDX), 0);
}

/*
 * The first private fault adds the S-EPT tables (levels 3 and 2 for a
 * 2 MiB leaf, and 1 for a 4 KiB one) and AUGs the page PENDING: 2 MiB
 * where block and GPA are aligned, 4 KiB where the binding is not.
 */
NATIVE_CASE(tdx_first_fault_adds_tables_and_augs)
{
	u64 odd = 3 * GB + 5 * PG;
	struct tdx_entry_info i;
	struct tdx_page_info p;
	struct vm_fault f;
	phys_addr_t block;
	struct env e;

	if (!env_open(t, v, &e, odd))
		return;
	KT_EXPECT(t, !ent(&e, GB, 2).reached ||
			     ent(&e, GB, 2).state == TDX_SEPT_FREE);
	KT_EXPECT_OK(t, fault(v, &e, GB + 3 * PG, PRIV, &f));
	KT_EXPECT_EQ(t, f.max_order, 9);
	block = f.pa - 3 * PG;
	KT_EXPECT(t, leaf(&e, GB, TDX_LEVEL_2M, TDX_SEPT_PENDING, block));
	KT_EXPECT_EQ(t, ent(&e, GB, 3).state, TDX_SEPT_NL_MAPPED);
	i = ent(&e, GB, 2);
	KT_EXPECT_EQ(t, i.state, TDX_SEPT_NL_MAPPED);
	/* The table page is the TD's, PT_EPT, outside gmem. */
	KT_ASSERT(t, !tdx_model_page(tdx_cc_model(), i.hpa, &p));
	KT_EXPECT(t, p.type == TDX_PT_EPT && p.owner == e.td);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_TDX) > 2, true);
	KT_EXPECT(t, owned(&e, block, TDX_LEVEL_2M));
	KT_EXPECT(t, owned(&e, block + 511 * PG, TDX_LEVEL_2M));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* 2 tables + 512 pages. */
	KT_EXPECT_EQ(t, child_pages(&e), 2 + PAGES_2M);
	/* Another page of the block: nothing new. */
	KT_EXPECT_OK(t, fault(v, &e, GB + 400 * PG, PRIV, &f));
	KT_EXPECT_EQ(t, f.pa, block + 400 * PG);
	KT_EXPECT_EQ(t, child_pages(&e), 2 + PAGES_2M);
	/* The odd binding: 4 KiB, with a level-1 table added. */
	KT_EXPECT_OK(t, fault(v, &e, odd, PRIV, &f));
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_EXPECT(t, leaf(&e, odd, TDX_LEVEL_4K, TDX_SEPT_PENDING, f.pa));
	KT_EXPECT_EQ(t, ent(&e, odd, 1).state, TDX_SEPT_NL_MAPPED);
	KT_EXPECT(t, owned(&e, f.pa, TDX_LEVEL_4K));
	KT_EXPECT(t, host_page(f.pa + PG));
	/* 3 GiB is another level-2 entry under the same level-3 one: two
	 * more tables (levels 2 and 1). */
	KT_EXPECT_EQ(t, child_pages(&e), 2 + PAGES_2M + 2 + 1);
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
}

/*
 * Conversion to shared of a 4 KiB page inside a 2 MiB AUGed block:
 * BLOCK/TRACK/kick/DEMOTE, then BLOCK/TRACK/kick/REMOVE of that page
 * only; its neighbours stay PENDING at their own 4 KiB leaves. The range
 * stays at 4 KiB once demoted; a 2 MiB leaf converted whole goes whole,
 * and the range AUGs 2 MiB again when private.
 */
NATIVE_CASE(tdx_convert_4k_demotes_and_removes_exactly)
{
	struct vm_fault f;
	phys_addr_t block, second;
	struct env e;
	u64 err, n;

	if (!env_open(t, v, &e, 0))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	block = f.pa;
	n = child_pages(&e);
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 7 * PG, PG, false, &err));
	KT_EXPECT_EQ(t, ent(&e, GB, TDX_LEVEL_2M).state, TDX_SEPT_NL_MAPPED);
	KT_EXPECT_EQ(t, ent(&e, GB + 7 * PG, 0).state, TDX_SEPT_FREE);
	KT_EXPECT(t, host_page(block + 7 * PG));
	KT_EXPECT(t,
		  leaf(&e, GB + 6 * PG, 0, TDX_SEPT_PENDING, block + 6 * PG));
	KT_EXPECT(t,
		  leaf(&e, GB + 8 * PG, 0, TDX_SEPT_PENDING, block + 8 * PG));
	KT_EXPECT(t, leaf(&e, GB, 0, TDX_SEPT_PENDING, block));
	KT_EXPECT(t, leaf(&e, GB + 511 * PG, 0, TDX_SEPT_PENDING,
			  block + 511 * PG));
	KT_EXPECT(t, owned(&e, block + 8 * PG, TDX_LEVEL_4K));
	/* One page gone, one table (the demote's) come. */
	KT_EXPECT_EQ(t, child_pages(&e), n);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* The shared page is the host's: a shared access maps it. */
	KT_EXPECT_OK(t, fault(v, &e, GB + 7 * PG, WR, &f));
	KT_EXPECT_EQ(t, f.pa, block + 7 * PG);
	KT_EXPECT(t, host_page(f.pa));
	/* Private again: AUGed at 4 KiB at its next private use. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 7 * PG, PG, true, &err));
	KT_EXPECT(t, host_page(block + 7 * PG));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, fault(v, &e, GB + 7 * PG, PRIV, &f));
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_EXPECT(t,
		  leaf(&e, GB + 7 * PG, 0, TDX_SEPT_PENDING, block + 7 * PG));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* The whole block private again, but its pages are 4 KiB leaves:
	 * an AUGed neighbour maps at 4 KiB too. */
	KT_EXPECT_OK(t, fault(v, &e, GB + 6 * PG, PRIV, &f));
	KT_EXPECT_EQ(t, f.max_order, 0);
	/* The whole 2 MiB shared: every leaf removed, the table kept. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, SZ2M, false, &err));
	for (unsigned int k = 0; k < PAGES_2M; k++)
		if (!KT_EXPECT(t, host_page(block + k * PG)))
			break;
	KT_EXPECT_EQ(t, ent(&e, GB, TDX_LEVEL_2M).state, TDX_SEPT_NL_MAPPED);
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, SZ2M, true, &err));
	KT_EXPECT_OK(t, fault(v, &e, GB + 100 * PG, PRIV, &f));
	KT_EXPECT_EQ(t, f.max_order, 0);
	KT_EXPECT(t, leaf(&e, GB + 100 * PG, 0, TDX_SEPT_PENDING, f.pa));
	/* A 2 MiB leaf converted whole: one REMOVE, no table; private
	 * again, it AUGs 2 MiB. */
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, PRIV, &f));
	second = f.pa;
	KT_EXPECT(t, leaf(&e, GB + SZ2M, 1, TDX_SEPT_PENDING, second));
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, SZ2M, SZ2M, false, &err));
	KT_EXPECT_EQ(t, ent(&e, GB + SZ2M, 1).state, TDX_SEPT_FREE);
	KT_EXPECT(t, host_page(second + 300 * PG));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, SZ2M, SZ2M, true, &err));
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M + 9 * PG, PRIV, &f));
	KT_EXPECT_EQ(t, f.max_order, 9);
	KT_EXPECT(t, leaf(&e, GB + SZ2M, 1, TDX_SEPT_PENDING, second));
	env_close(t, v, &e);
}

/* A punch of part of a 2 MiB private block demotes it (split) and
 * removes the punched pages only; a whole block goes with one REMOVE;
 * closing removes the rest and the TD's going reclaims its tables. */
NATIVE_CASE(tdx_punch_and_close_reclaim)
{
	struct vm_fault f;
	phys_addr_t block, second;
	struct env e;

	if (!env_open(t, v, &e, 0))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	block = f.pa;
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, PRIV, &f));
	second = f.pa;
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, 7 * PG, 2 * PG));
	KT_EXPECT(t, host_page(block + 7 * PG));
	KT_EXPECT(t, host_page(block + 8 * PG));
	KT_EXPECT_EQ(t, ent(&e, GB + 8 * PG, 0).state, TDX_SEPT_FREE);
	KT_EXPECT(t,
		  leaf(&e, GB + 9 * PG, 0, TDX_SEPT_PENDING, block + 9 * PG));
	KT_EXPECT(t,
		  leaf(&e, GB + 6 * PG, 0, TDX_SEPT_PENDING, block + 6 * PG));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* Refilled: a new page, AUGed at its first private use. */
	KT_EXPECT_OK(t, fault(v, &e, GB + 7 * PG, PRIV, &f));
	KT_EXPECT(t, leaf(&e, GB + 7 * PG, 0, TDX_SEPT_PENDING, f.pa));
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, SZ2M, SZ2M));
	KT_EXPECT(t, host_page(second));
	KT_EXPECT(t, host_page(second + 300 * PG));
	KT_EXPECT_EQ(t, ent(&e, GB + SZ2M, 1).state, TDX_SEPT_FREE);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* Memory closed first: only the tables are the TD's (levels 3,
	 * 2, and the demote's level-1 table). */
	KT_EXPECT_OK(t, v->ops->close(v, e.g));
	KT_EXPECT_EQ(t, child_pages(&e), 3);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), 0);
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, v->ops->close(v, e.vm));
	KT_EXPECT(t, tdx_cc_model() == NULL);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_TDX), 0);
	v->ops->reset(v);
}

/* A deleted memslot takes its private pages out of the S-EPT, exactly
 * (block, track, kick, remove: KVM zaps a deleted slot's S-EPT), and
 * leaves them in the memory, unprepared: bound again at another GPA, the
 * next private fault AUGs the same pages there, PENDING (the guest must
 * accept them again). */
NATIVE_CASE(tdx_slot_delete_removes_pages)
{
	struct vm_fault f;
	phys_addr_t block, page;
	struct env e;

	if (!env_open(t, v, &e, 0))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	block = f.pa;
	/* The second block demoted: its page 0 punched. */
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M + 5 * PG, PRIV, &f));
	page = f.pa;
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, SZ2M, PG));
	KT_EXPECT(t, leaf(&e, GB, 1, TDX_SEPT_PENDING, block));
	KT_EXPECT(t, leaf(&e, GB + SZ2M + 5 * PG, 0, TDX_SEPT_PENDING, page));
	KT_ASSERT_OK(t, case_delete(v, e.vm, 0));
	KT_EXPECT(t, host_page(block) && host_page(block + 511 * PG));
	KT_EXPECT(t, host_page(page));
	KT_EXPECT_EQ(t, ent(&e, GB, 1).state, TDX_SEPT_FREE);
	KT_EXPECT_EQ(t, ent(&e, GB + SZ2M + 5 * PG, 0).state, TDX_SEPT_FREE);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* The same memory at 2 GiB: the same pages, AUGed there. */
	KT_ASSERT_OK(t, case_bind(v, e.vm, 0, 2 * GB, 4 << 20, e.g, 0));
	KT_EXPECT_OK(t, fault(v, &e, 2 * GB, PRIV, &f));
	KT_EXPECT_EQ(t, f.pa, block);
	KT_EXPECT(t, leaf(&e, 2 * GB, 1, TDX_SEPT_PENDING, block));
	KT_EXPECT_EQ(t, ent(&e, GB, 1).state, TDX_SEPT_FREE);
	KT_EXPECT_OK(t, fault(v, &e, 2 * GB + SZ2M + 5 * PG, PRIV, &f));
	KT_EXPECT_EQ(t, f.pa, page);
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
}

/* The VM's handle closed before its memory: the VM (and its TD) lives
 * until the memory goes, which removes every page first. */
NATIVE_CASE(tdx_vm_closed_before_its_memory)
{
	struct vm_fault f;
	struct env e;

	if (!env_open(t, v, &e, 0))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M + 5 * PG, PRIV, &f));
	KT_EXPECT_OK(t, v->ops->close(v, e.vm));
	KT_EXPECT(t, tdx_cc_model() != NULL);
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, v->ops->close(v, e.g));
	KT_EXPECT(t, tdx_cc_model() == NULL);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_TDX), 0);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), 0);
	v->ops->reset(v);
}

/*
 * A step of the order the module refuses fails the hook: TRACK busy
 * (the epoch lock held elsewhere) fails a conversion with -EBUSY, the
 * leaf left blocked, no page freed; once free, the conversion again
 * finishes it (BLOCK's ALREADY_BLOCKED warning taken). A punch whose
 * BLOCK is refused leaks the pages (OWN_LEAKED), which the TD's going
 * reclaims from the module; a prepare refused fails the fault.
 */
NATIVE_CASE(tdx_refused_steps_fail_the_hooks)
{
	u64 leaked0 = alloc_owned_pages(hv_pool, OWN_LEAKED);
	struct tdx_model *m;
	struct vm_fault f;
	phys_addr_t block;
	struct env e;
	u64 err;

	if (!env_open(t, v, &e, 0))
		return;
	m = tdx_cc_model();
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	block = f.pa;
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_EPOCH, e.td, 0, 0, true));
	KT_EXPECT_ERRNO(t, v->ops->convert(v, e.g, 0, SZ2M, false, &err),
			EBUSY);
	KT_EXPECT_EQ(t, ent(&e, GB, 1).state, TDX_SEPT_PENDING_BLOCKED);
	KT_EXPECT(t, owned(&e, block, TDX_LEVEL_2M));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, tdx_model_hold(m, TDX_HOLD_EPOCH, e.td, 0, 0, false));
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, SZ2M, false, &err));
	KT_EXPECT_EQ(t, ent(&e, GB, 1).state, TDX_SEPT_FREE);
	KT_EXPECT(t, host_page(block));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* A prepare refused (the S-EPT tree held): the fault fails, nothing
	 * AUGed. */
	KT_EXPECT_OK(t,
		     tdx_model_hold(m, TDX_HOLD_SEPT_TREE, e.td, 0, 0, true));
	KT_EXPECT(t, fault(v, &e, GB + SZ2M, PRIV, &f) != 0);
	KT_EXPECT_EQ(t, ent(&e, GB + SZ2M, 1).state, TDX_SEPT_FREE);
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t,
		     tdx_model_hold(m, TDX_HOLD_SEPT_TREE, e.td, 0, 0, false));
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, PRIV, &f));
	block = f.pa;
	/* A punch refused: leaked. */
	KT_EXPECT_OK(t,
		     tdx_model_hold(m, TDX_HOLD_SEPT_TREE, e.td, 0, 0, true));
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, SZ2M, SZ2M));
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_LEAKED),
		     leaked0 + PAGES_2M);
	KT_EXPECT(t, owned(&e, block, TDX_LEVEL_2M));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t,
		     tdx_model_hold(m, TDX_HOLD_SEPT_TREE, e.td, 0, 0, false));
	/* The hole gets a new page, but the GPA stays mapped to the leaked
	 * one until the TD goes: its private fault fails (Linux would have
	 * marked the VM bugged). */
	KT_EXPECT_ERRNO(t, fault(v, &e, GB + SZ2M, PRIV, &f), EIO);
	KT_EXPECT(t, leaf(&e, GB + SZ2M, 1, TDX_SEPT_PENDING, block));
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
	/* Leaked for good in the allocator, as Linux's are. */
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_LEAKED),
		     leaked0 + PAGES_2M);
}

/*
 * The first page of a 2 MiB leaf made shared: the leaf is demoted and
 * that page alone leaves the TD (it is 2 MiB aligned, but one page is
 * not the whole leaf). With TRACK refused (the epoch lock held) the
 * split fails -EBUSY before its DEMOTE, the leaf left blocked and whole
 * (hv/tdx/README.md, "A refused step"); the retry finishes it.
 */
NATIVE_CASE(tdx_convert_first_page_of_a_2m_leaf)
{
	struct vm_fault f;
	phys_addr_t block;
	struct env e;
	u64 err;

	if (!env_open(t, v, &e, 0))
		return;
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	block = f.pa;
	KT_ASSERT(t, leaf(&e, GB, 1, TDX_SEPT_PENDING, block));
	KT_EXPECT_OK(t, tdx_model_hold(tdx_cc_model(), TDX_HOLD_EPOCH, e.td, 0,
				       0, true));
	KT_EXPECT_ERRNO(t, v->ops->convert(v, e.g, 0, PG, false, &err), EBUSY);
	KT_EXPECT(t, leaf(&e, GB, 1, TDX_SEPT_PENDING_BLOCKED, block));
	KT_EXPECT(t, owned(&e, block, TDX_LEVEL_2M));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, tdx_model_hold(tdx_cc_model(), TDX_HOLD_EPOCH, e.td, 0,
				       0, false));
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, PG, false, &err));
	KT_EXPECT_EQ(t, ent(&e, GB, 1).state, TDX_SEPT_NL_MAPPED);
	KT_EXPECT_EQ(t, ent(&e, GB, 0).state, TDX_SEPT_FREE);
	KT_EXPECT(t, host_page(block));
	KT_EXPECT(t, leaf(&e, GB + PG, 0, TDX_SEPT_PENDING, block + PG));
	KT_EXPECT(t, owned(&e, block + (PAGES_2M - 1) * PG, 0));
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
}

/*
 * Private memory bound at or above the shared bit (GPA bit 47) cannot be
 * the TD's: no S-EPT entry has such a GPA (the module's page info wants
 * it clear), so prepare refuses a private access there with -EINVAL
 * first, nothing AUGed and the launch not ended; the 2 MiB ending at the
 * bit is private memory like any other.
 */
NATIVE_CASE(tdx_private_memory_at_the_shared_bit)
{
	struct tdx_td_info ti;
	struct vm_fault f;
	struct env e;

	if (!env_open(t, v, &e, TDX_SHARED_BIT))
		return;
	KT_EXPECT_ERRNO(t, fault(v, &e, TDX_SHARED_BIT, PRIV, &f), EINVAL);
	KT_EXPECT_ERRNO(t, fault(v, &e, TDX_SHARED_BIT + 5 * PG, PRIV, &f),
			EINVAL);
	KT_EXPECT_EQ(t, child_pages(&e), 0);
	/* Refused before it ends the launch: the TD is not finalized. */
	KT_EXPECT_OK(t, tdx_model_td(tdx_cc_model(), e.td, &ti));
	KT_EXPECT(t, !ti.finalized);
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
	if (!env_open(t, v, &e, TDX_SHARED_BIT - SZ2M))
		return;
	KT_EXPECT_OK(t, fault(v, &e, TDX_SHARED_BIT - SZ2M, PRIV, &f));
	KT_EXPECT(t,
		  leaf(&e, TDX_SHARED_BIT - SZ2M, 1, TDX_SEPT_PENDING, f.pa));
	KT_EXPECT_OK(t, v->ops->check(v));
	env_close(t, v, &e);
}

/*
 * A table a refused step left blocked (a PROMOTE's TRACK refused blocks
 * the level-1 entry): a private fault under it cannot SEPT.ADD or AUG
 * there and fails -EBUSY, nothing AUGed; once unblocked it works. And a
 * page leaked by a refused REMOVE is counted alone, not with the TD's
 * page after it (the checker's leak count).
 */
NATIVE_CASE(tdx_blocked_table_and_one_page_leaked)
{
	u64 leaked0 = alloc_owned_pages(hv_pool, OWN_LEAKED);
	struct tdx_model *m;
	struct vm_fault f;
	phys_addr_t block;
	struct env e;
	u64 err;

	if (!env_open(t, v, &e, 0))
		return;
	m = tdx_cc_model();
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	block = f.pa;
	/* Demoted: page 1 shared, then private again (not AUGed yet). */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, PG, PG, false, &err));
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, PG, PG, true, &err));
	KT_ASSERT(t, ent(&e, GB, 1).state == TDX_SEPT_NL_MAPPED);
	KT_EXPECT_EQ(t, tdx_range_block(m, e.td, GB, 1, NULL), TDX_SUCCESS);
	KT_EXPECT_ERRNO(t, fault(v, &e, GB + PG, PRIV, &f), EBUSY);
	KT_EXPECT_EQ(t, ent(&e, GB + PG, 0).state, TDX_SEPT_FREE);
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_EQ(t, tdx_track(m, e.td), TDX_SUCCESS);
	for (unsigned int k = 0; k < TDX_CC_VCPUS; k++)
		tdx_vcpu_exit(m, e.td, k);
	KT_EXPECT_EQ(t, tdx_range_unblock(m, e.td, GB, 1, NULL), TDX_SUCCESS);
	KT_EXPECT_OK(t, fault(v, &e, GB + PG, PRIV, &f));
	KT_EXPECT(t, leaf(&e, GB + PG, 0, TDX_SEPT_PENDING, block + PG));
	/* Page 1's REMOVE refused (its entry held): it leaks alone, page 2
	 * after it still the TD's. */
	KT_EXPECT_OK(t,
		     tdx_model_hold(m, TDX_HOLD_ENTRY, e.td, GB + PG, 0, true));
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, PG, PG));
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_LEAKED), leaked0 + 1);
	KT_EXPECT(t, owned(&e, block + 2 * PG, 0));
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(
		t, tdx_model_hold(m, TDX_HOLD_ENTRY, e.td, GB + PG, 0, false));
	env_close(t, v, &e);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_LEAKED), leaked0 + 1);
}

/*
 * A private fault on memory gmem holds already (a shared access made
 * it) whose S-EPT table page cannot be had: -ENOMEM, no table added and
 * nothing AUGed; it works once memory is back.
 */
NATIVE_CASE(tdx_fault_without_a_table_page)
{
	struct vm_fault f;
	struct env e;
	u64 err;

	if (!env_open(t, v, &e, 8 * GB))
		return;
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, SZ2M, SZ2M, false, &err));
	KT_EXPECT_OK(t, fault(v, &e, 8 * GB, WR, &f));
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, SZ2M, SZ2M, true, &err));
	alloc_fail_nth(hv_pool, 1);
	KT_EXPECT_ERRNO(t, fault(v, &e, 8 * GB, PRIV, &f), ENOMEM);
	alloc_fail_nth(hv_pool, 0);
	KT_EXPECT_EQ(t, ent(&e, 8 * GB, 2).state, TDX_SEPT_FREE);
	KT_EXPECT_EQ(t, child_pages(&e), 0);
	KT_EXPECT_OK(t, v->ops->check(v));
	KT_EXPECT_OK(t, fault(v, &e, 8 * GB, PRIV, &f));
	KT_EXPECT(t, owned(&e, f.pa, f.max_order ? TDX_LEVEL_2M : 0));
	env_close(t, v, &e);
}

/* The checker sees the S-EPT and PAMT disagree with gmem: a prepared
 * page removed behind gmem's back, a gmem page the TD holds while
 * shared, a pool page the TD holds that gmem does not know. */
NATIVE_CASE(tdx_checker_catches_drift)
{
	struct tdx_model *m;
	struct vm_fault f;
	phys_addr_t block, spare;
	struct env e;
	u64 err;

	if (!env_open(t, v, &e, 0))
		return;
	m = tdx_cc_model();
	KT_EXPECT_OK(t, fault(v, &e, GB + SZ2M, PRIV, &f));
	block = f.pa;
	KT_ASSERT(t, v->ops->check(v) == 0);
	/* Removed by hand: the prepared private pages are not the TD's. */
	KT_EXPECT_EQ(t, hand_remove(&e, GB + SZ2M, 1), TDX_SUCCESS);
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	KT_EXPECT_EQ(
		t, tdx_page_aug(m, e.td, GB + SZ2M, 1, tdx_cc_hpa(block), NULL),
		TDX_SUCCESS);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* AUGed at another GPA: held, but not where gmem binds it. */
	KT_EXPECT_EQ(t, hand_remove(&e, GB + SZ2M, 1), TDX_SUCCESS);
	KT_EXPECT_EQ(t,
		     tdx_page_aug(m, e.td, 8 * GB, 1, tdx_cc_hpa(block), NULL),
		     TDX_EPT_WALK_FAILED | TDX_OPERAND_RCX);
	KT_EXPECT_EQ(t,
		     tdx_page_aug(m, e.td, GB + 2 * SZ2M, 1, tdx_cc_hpa(block),
				  NULL),
		     TDX_SUCCESS);
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	KT_EXPECT_EQ(t, hand_remove(&e, GB + 2 * SZ2M, 1), TDX_SUCCESS);
	KT_EXPECT_EQ(
		t, tdx_page_aug(m, e.td, GB + SZ2M, 1, tdx_cc_hpa(block), NULL),
		TDX_SUCCESS);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* A shared gmem page AUGed into the TD. */
	KT_EXPECT_OK(t, v->ops->convert(v, e.g, 0, PG, false, &err));
	KT_EXPECT_OK(t, fault(v, &e, GB, WR, &f));
	KT_EXPECT_EQ(t, tdx_page_aug(m, e.td, GB, 0, tdx_cc_hpa(f.pa), NULL),
		     TDX_EPT_WALK_FAILED | TDX_OPERAND_RCX);
	KT_EXPECT_EQ(t,
		     tdx_page_aug(m, e.td, GB + 8 * SZ2M + PG, 0,
				  tdx_cc_hpa(f.pa), NULL),
		     TDX_EPT_WALK_FAILED | TDX_OPERAND_RCX);
	/* (No table there: give the page to a 4 KiB leaf under the
	 * 2 MiB block's demoted table.) */
	KT_EXPECT_OK(t,
		     v->ops->convert(v, e.g, SZ2M + 3 * PG, PG, false, &err));
	KT_EXPECT_EQ(t,
		     tdx_page_aug(m, e.td, GB + SZ2M + 3 * PG, 0,
				  tdx_cc_hpa(f.pa), NULL),
		     TDX_SUCCESS);
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	KT_EXPECT_EQ(t, hand_remove(&e, GB + SZ2M + 3 * PG, 0), TDX_SUCCESS);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* Two prepared pages swapped in the S-EPT: each is the TD's, at
	 * the GPA gmem gave it, but its GPA maps the other one. */
	KT_EXPECT_EQ(t, hand_remove(&e, GB + SZ2M + 4 * PG, 0), TDX_SUCCESS);
	KT_EXPECT_EQ(t, hand_remove(&e, GB + SZ2M + 5 * PG, 0), TDX_SUCCESS);
	KT_EXPECT_EQ(t,
		     tdx_page_aug(m, e.td, GB + SZ2M + 4 * PG, 0,
				  tdx_cc_hpa(block + 5 * PG), NULL),
		     TDX_SUCCESS);
	KT_EXPECT_EQ(t,
		     tdx_page_aug(m, e.td, GB + SZ2M + 5 * PG, 0,
				  tdx_cc_hpa(block + 4 * PG), NULL),
		     TDX_SUCCESS);
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	KT_EXPECT_EQ(t, hand_remove(&e, GB + SZ2M + 4 * PG, 0), TDX_SUCCESS);
	KT_EXPECT_EQ(t, hand_remove(&e, GB + SZ2M + 5 * PG, 0), TDX_SUCCESS);
	for (u64 k = 4; k < 6; k++)
		KT_EXPECT_EQ(t,
			     tdx_page_aug(m, e.td, GB + SZ2M + k * PG, 0,
					  tdx_cc_hpa(block + k * PG), NULL),
			     TDX_SUCCESS);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* A pool page outside gmem held by the TD: the count is off. */
	spare = (phys_addr_t)alloc_page(hv_pool, OWN_TEST);
	KT_ASSERT(t, spare != 0);
	KT_EXPECT_EQ(t,
		     tdx_page_aug(m, e.td, GB + SZ2M + 3 * PG, 0,
				  tdx_cc_hpa(spare), NULL),
		     TDX_SUCCESS);
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	KT_EXPECT_EQ(t, hand_remove(&e, GB + SZ2M + 3 * PG, 0), TDX_SUCCESS);
	KT_EXPECT_OK(t, v->ops->check(v));
	free_page(hv_pool, (void *)spare, OWN_TEST);
	env_close(t, v, &e);
}

/* Out of memory: a VM whose model, rmap, TD or state cannot be made
 * fails -ENOMEM with nothing held; a fault whose S-EPT table page cannot
 * be had fails with nothing AUGed, and works once memory is back. */
NATIVE_CASE(tdx_out_of_memory)
{
	struct kmalloc_stats st;
	u64 objects, live = vm_nr_live();
	struct vm_fault f;
	struct env e;
	int vm = -1, r = -1;

	v->ops->reset(v);
	kmalloc_get_stats(&st);
	objects = st.objects;
	for (u64 n = 1; n < 32 && vm < 0; n++) {
		kmalloc_fail_nth(n);
		vm = v->ops->create_vm(v, GMV_VM_TDX);
		kmalloc_fail_nth(0);
		if (vm < 0)
			KT_EXPECT_EQ(t, vm, -ENOMEM);
	}
	KT_ASSERT(t, vm >= 0);
	KT_EXPECT_OK(t, v->ops->close(v, vm));
	vm = -1;
	for (u64 n = 1; n < 32 && vm < 0; n++) {
		alloc_fail_nth(hv_pool, n);
		vm = v->ops->create_vm(v, GMV_VM_TDX);
		alloc_fail_nth(hv_pool, 0);
		if (vm < 0) {
			KT_EXPECT_EQ(t, vm, -ENOMEM);
			KT_EXPECT(t, tdx_cc_model() == NULL);
			KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_TDX), 0);
		}
	}
	KT_ASSERT(t, vm >= 0);
	KT_EXPECT_OK(t, v->ops->close(v, vm));
	KT_EXPECT(t, tdx_cc_model() == NULL);
	/* The hardware registration: no SEAMCALL path, never taken. */
	KT_EXPECT_STR_EQ(t, cc_tdx_hw.name, "tdx");
	KT_EXPECT(t, cc_tdx_hw.lacks() != NULL);
	v->ops->reset(v);
	KT_EXPECT_EQ(t, vm_nr_live(), live);
	kmalloc_get_stats(&st);
	KT_EXPECT_EQ(t, st.objects, objects);
	/* A fault's tables (gmem may fall back to a 4 KiB page). */
	if (!env_open(t, v, &e, 0))
		return;
	for (u64 n = 1; n < 32 && r; n++) {
		alloc_fail_nth(hv_pool, n);
		r = fault(v, &e, GB + SZ2M, PRIV, &f);
		alloc_fail_nth(hv_pool, 0);
		if (r) {
			KT_EXPECT_EQ(t, r, -ENOMEM);
			KT_EXPECT_EQ(t, ent(&e, GB + SZ2M, 1).state,
				     TDX_SEPT_FREE);
		}
		KT_EXPECT_OK(t, v->ops->check(v));
	}
	KT_EXPECT_OK(t, r);
	KT_EXPECT(t, owned(&e, f.pa, f.max_order ? TDX_LEVEL_2M : 0));
	/* A demote's table. */
	KT_EXPECT_OK(t, fault(v, &e, GB, PRIV, &f));
	KT_ASSERT(t, leaf(&e, GB, 1, TDX_SEPT_PENDING, f.pa));
	r = -1;
	for (u64 n = 1; n < 32 && r; n++) {
		u64 err;

		alloc_fail_nth(hv_pool, n);
		r = v->ops->convert(v, e.g, PG, PG, false, &err);
		alloc_fail_nth(hv_pool, 0);
		if (r) {
			KT_EXPECT_EQ(t, r, -ENOMEM);
			KT_EXPECT(t, leaf(&e, GB, 1, TDX_SEPT_PENDING, f.pa));
		}
		KT_EXPECT_OK(t, v->ops->check(v));
	}
	KT_EXPECT_OK(t, r);
	KT_EXPECT(t, host_page(f.pa + PG));
	KT_EXPECT(t, leaf(&e, GB + 2 * PG, 0, TDX_SEPT_PENDING, f.pa + 2 * PG));
	env_close(t, v, &e);
}

/* The data a launch gives page p: bytes seed + p + i. */
static void launch_data(u8 *buf, u8 seed, u64 p)
{
	for (unsigned int i = 0; i < PAGE_SIZE; i++)
		buf[i] = (u8)(seed + p + i);
}

/*
 * A TDX VM whose 4 MiB gmem is bound at 1 GiB, not in place (the slot's
 * own memory is the VMM's source, as QEMU's), all private, its first
 * npages launched (vmm_ops.launch_update, KVM_TDX_INIT_MEM_REGION) from
 * launch_data(seed) written to the shared memory first.
 */
static bool launch_env(struct kt *t, struct vmm *v, struct env *e, u8 seed,
		       u64 npages)
{
	static u8 buf[PAGE_SIZE];

	e->vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_TDX));
	if (e->vm < 0)
		return false;
	e->obj = vmm_native_vm(v, e->vm);
	e->td = tdx_vm_td(e->obj);
	e->g = CASE_OPEN(t, v->ops->create_gmem(v, e->vm, 4 << 20, 0));
	if (e->g < 0 ||
	    !KT_EXPECT_OK(t, case_bind(v, e->vm, 0, GB, 4 << 20, e->g, 0)))
		return false;
	for (u64 p = 0; p < npages; p++) {
		launch_data(buf, seed, p);
		if (!KT_EXPECT_OK(t, v->ops->guest_write(v, e->vm,
							 GB + p * PAGE_SIZE,
							 buf, PAGE_SIZE)))
			return false;
	}
	return KT_EXPECT_OK(t, v->ops->set_attributes(
				       v, e->vm, GB, 4 << 20,
				       GMV_MEMORY_ATTRIBUTE_PRIVATE, 0)) &&
	       KT_EXPECT_OK(t, v->ops->launch_update(v, e->vm, GB,
						     npages * PAGE_SIZE));
}

/* The page behind the private gpa (prepared already: nothing changes). */
static phys_addr_t launched_pa(struct vmm *v, struct env *e, u64 gpa)
{
	struct vm_fault f;
	u8 b;

	return n_guest(v, e->vm, gpa, &b, 1, PRIV, &f) ? 0 : f.pa;
}

static struct tdx_td_info td_of(const struct env *e)
{
	struct tdx_td_info i = {0};

	tdx_model_td(tdx_cc_model(), e->td, &i);
	return i;
}

/*
 * The launch: each page PAGE.ADDed (MAPPED at once, no ACCEPT needed,
 * the TD's PT_REG page) with the VMM's data, the TD not finalized until
 * launch_finish; then MRTD is fixed: two TDs launched with the same data
 * at the same GPAs have the same MRTD, other data another. After the
 * launch, vm_launch_update is refused (-EINVAL; its private fault has
 * AUGed the page by then) and a private page is AUGed PENDING.
 */
NATIVE_CASE(tdx_launch_adds_and_measures)
{
	struct env a = {0}, b = {0}, c = {0};
	struct tdx_td_info ia, ib, ic;
	struct kmalloc_stats st;
	u8 want[PAGE_SIZE];
	u64 objects;

	v->ops->reset(v);
	kmalloc_get_stats(&st);
	objects = st.objects;
	if (!launch_env(t, v, &a, 1, 3))
		goto out;
	for (u64 p = 0; p < 3; p++) {
		u64 gpa = GB + p * PAGE_SIZE;
		phys_addr_t pa = launched_pa(v, &a, gpa);

		if (!KT_EXPECT_NE(t, pa, 0))
			goto out;
		KT_EXPECT(t, leaf(&a, gpa, TDX_LEVEL_4K, TDX_SEPT_MAPPED, pa));
		KT_EXPECT(t, owned(&a, pa, TDX_LEVEL_4K));
		launch_data(want, 1, p);
		KT_EXPECT_EQ(t, memcmp((void *)pa, want, PAGE_SIZE), 0);
	}
	KT_EXPECT_EQ(t, ent(&a, GB + 3 * PAGE_SIZE, 0).state, TDX_SEPT_FREE);
	KT_EXPECT_EQ(t, child_pages(&a), 3 + 3); /* pages, tables */
	KT_EXPECT(t, !td_of(&a).finalized);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* Launched pages are prepared: a second launch is -EEXIST. */
	KT_EXPECT_ERRNO(t, v->ops->launch_update(v, a.vm, GB, PAGE_SIZE),
			EEXIST);
	KT_EXPECT_OK(t, vm_cc(a.obj)->launch_finish(a.obj));
	ia = td_of(&a);
	KT_EXPECT(t, ia.finalized);
	KT_EXPECT_OK(t, vm_cc(a.obj)->launch_finish(a.obj));
	if (!launch_env(t, v, &b, 1, 3) || !launch_env(t, v, &c, 2, 3))
		goto out;
	KT_EXPECT_OK(t, vm_cc(b.obj)->launch_finish(b.obj));
	KT_EXPECT_OK(t, vm_cc(c.obj)->launch_finish(c.obj));
	ib = td_of(&b);
	ic = td_of(&c);
	KT_EXPECT_MEM_EQ(t, ia.mrtd, ib.mrtd, TDX_MRTD_SIZE);
	KT_EXPECT(t, memcmp(ia.mrtd, ic.mrtd, TDX_MRTD_SIZE));
	/* The launch is over. */
	KT_EXPECT_ERRNO(
		t,
		v->ops->launch_update(v, a.vm, GB + 4 * PAGE_SIZE, PAGE_SIZE),
		EINVAL);
	KT_EXPECT_EQ(t, ent(&a, GB + 4 * PAGE_SIZE, 0).state, TDX_SEPT_PENDING);
	KT_EXPECT_NE(t, launched_pa(v, &a, GB + 5 * PAGE_SIZE), 0);
	KT_EXPECT_EQ(t, ent(&a, GB + 5 * PAGE_SIZE, 0).state, TDX_SEPT_PENDING);
	ia = td_of(&a);
	KT_EXPECT_MEM_EQ(t, ia.mrtd, ib.mrtd, TDX_MRTD_SIZE);
	KT_EXPECT_OK(t, v->ops->check(v));
out:
	v->ops->reset(v);
	KT_EXPECT(t, tdx_cc_model() == NULL);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), 0);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_TDX), 0);
	kmalloc_get_stats(&st);
	KT_EXPECT_EQ(t, st.objects, objects);
}

/*
 * A 2 MiB gmem block launched whole: PAGE.ADD has no 2 MiB form, so 512
 * 4 KiB leaves under a level-1 table, each page PT_REG at 4 KiB; a page
 * used privately outside a launch before the first vCPU ends the launch
 * (TDH.MR.FINALIZE) and is AUGed; the punch of a launched page removes
 * it.
 */
NATIVE_CASE(tdx_launch_2m_block_is_512_adds)
{
	struct env e = {0};
	struct kmalloc_stats st;
	struct tdx_entry_info l1;
	phys_addr_t base;

	v->ops->reset(v);
	kmalloc_get_stats(&st);
	e.objects = st.objects;
	if (!launch_env(t, v, &e, 7, PAGES_2M))
		goto out;
	base = launched_pa(v, &e, GB);
	if (!KT_EXPECT_NE(t, base, 0) || !KT_EXPECT(t, IS_ALIGNED(base, SZ2M)))
		goto out;
	l1 = ent(&e, GB, TDX_LEVEL_2M);
	KT_EXPECT(t, l1.reached && l1.state == TDX_SEPT_NL_MAPPED);
	for (u64 p = 0; p < PAGES_2M; p++) {
		u64 gpa = GB + p * PAGE_SIZE;
		phys_addr_t pa = base + p * PAGE_SIZE;

		if (!leaf(&e, gpa, 0, TDX_SEPT_MAPPED, pa) ||
		    !owned(&e, pa, TDX_LEVEL_4K)) {
			KT_EXPECT(t, leaf(&e, gpa, 0, TDX_SEPT_MAPPED, pa));
			KT_EXPECT(t, owned(&e, pa, TDX_LEVEL_4K));
			break;
		}
	}
	KT_EXPECT_EQ(t, child_pages(&e), PAGES_2M + 3);
	KT_EXPECT(t, !td_of(&e).finalized);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* Outside a launch: finalize, then AUG (2 MiB: the entry is
	 * FREE). */
	KT_EXPECT_NE(t, launched_pa(v, &e, GB + SZ2M), 0);
	KT_EXPECT(t, td_of(&e).finalized);
	KT_EXPECT_EQ(t, ent(&e, GB + SZ2M, TDX_LEVEL_2M).state,
		     TDX_SEPT_PENDING);
	KT_EXPECT_OK(t, v->ops->fallocate(v, e.g, PUNCH, PAGE_SIZE, PAGE_SIZE));
	KT_EXPECT_EQ(t, ent(&e, GB + PAGE_SIZE, 0).state, TDX_SEPT_FREE);
	KT_EXPECT(t, host_page(base + PAGE_SIZE));
	KT_EXPECT_OK(t, v->ops->check(v));
out:
	v->ops->reset(v);
	KT_EXPECT(t, tdx_cc_model() == NULL);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), 0);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_TDX), 0);
	kmalloc_get_stats(&st);
	KT_EXPECT_EQ(t, st.objects, e.objects);
}

static const struct kt_case tdx_cc_cases[] = {
	KT_CASE(tdx_vm_td_model_and_one_vm),
	KT_CASE(tdx_hkids_run_out),
	KT_CASE(tdx_first_fault_adds_tables_and_augs),
	KT_CASE(tdx_convert_4k_demotes_and_removes_exactly),
	KT_CASE(tdx_convert_first_page_of_a_2m_leaf),
	KT_CASE(tdx_private_memory_at_the_shared_bit),
	KT_CASE(tdx_blocked_table_and_one_page_leaked),
	KT_CASE(tdx_fault_without_a_table_page),
	KT_CASE(tdx_punch_and_close_reclaim),
	KT_CASE(tdx_slot_delete_removes_pages),
	KT_CASE(tdx_vm_closed_before_its_memory),
	KT_CASE(tdx_refused_steps_fail_the_hooks),
	KT_CASE(tdx_checker_catches_drift),
	KT_CASE(tdx_out_of_memory),
	KT_CASE(tdx_launch_adds_and_measures),
	KT_CASE(tdx_launch_2m_block_is_512_adds),
};

const struct kt_suite tdx_cc_suite = {
	.name = "tdx_cc",
	.cases = tdx_cc_cases,
	.n_cases = ARRAY_SIZE(tdx_cc_cases),
	.unsupported = native_unsupported,
};
