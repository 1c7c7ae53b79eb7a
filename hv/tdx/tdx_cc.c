// SPDX-License-Identifier: MIT
/*
 * hv/tdx/tdx_cc.c - TDX's cc_ops (hv/tdx/tdx.h): gmem drives the TDX
 * module's Secure-EPT in the order Linux's arch/x86/kvm/vmx/tdx.c does,
 * through the tdx_module.h interface only.
 *
 *  - prepare (a private page's first use): SEPT.ADD of every S-EPT table
 *    missing on the way (tdx_sept_link_private_spt; table pages from
 *    hv_pool, owner OWN_TDX, kept until the TD goes), then PAGE.AUG at
 *    2 MiB where the block is 2 MiB, pa and GPA are aligned and the
 *    level-1 entry is FREE, else at 4 KiB (tdx_mem_page_aug). The page is
 *    PENDING: the guest must TDG.MEM.PAGE.ACCEPT it before use (TD guests
 *    are a later step; nothing here accepts).
 *  - invalidate, convert to shared, split: per leaf RANGE.BLOCK, TRACK,
 *    every vCPU of the TD made to pass through a TD exit, PAGE.REMOVE
 *    (tdx_sept_zap_private_spte, tdx_track, tdx_sept_remove_private_spte),
 *    exact to the page: a 2 MiB leaf the range covers only in part is
 *    DEMOTEd first (same block/track/kick before it, a new table page),
 *    so only the asked pages leave the TD and need a new ACCEPT.
 *  - max_order: an AUGed page maps no larger than its leaf; a page not
 *    AUGed yet at 2 MiB only where prepare would AUG 2 MiB and the
 *    2 MiB's GPAs are all private (else prepare AUGs the one page).
 *  - The launch (KVM_TDX_INIT_MEM_REGION, tdx_gmem_post_populate): the
 *    TD is made INITIALIZED, not finalized. Inside vm_launch_update()
 *    prepare PAGE.ADDs each 4 KiB page (ADD has no 2 MiB form) and
 *    launch_update MR.EXTENDs its 16 chunks of 256 bytes
 *    (KVM_TDX_MEASURE_MEMORY_REGION); launch_finish, at the first vCPU,
 *    is TDH.MR.FINALIZE (KVM_TDX_FINALIZE_VM). A private page used
 *    outside a launch before the first vCPU ends the launch there: the
 *    TD is finalized and the page AUGed (KVM has no such fault; see
 *    tdx_prepare).
 *
 * A removed page is PT_NDA in the PAMT at once: it is the host's again
 * and goes back to the allocator (Linux writes its cache lines back with
 * TDH.PHYMEM.PAGE.WBINVD first, which the model has no cache for).
 * TDH.PHYMEM.PAGE.RECLAIM is for pages the module still holds when the TD
 * is torn down: the S-EPT table pages and any page gmem leaked
 * (tdx_reclaim_page after tdx_mmu_release_hkid).
 *
 * Merging back: PROMOTE needs 512 leaves mapped alike (all PENDING or
 * all MAPPED) and blocked, which a freshly private 2 MiB block never is
 * (its pages were removed). A 2 MiB range whose level-1 entry is still
 * FREE AUGs at 2 MiB again; one that was demoted keeps its table (the
 * model has no SEPT.REMOVE, nor does Linux remove S-EPT tables of a live
 * TD) and is AUGed at 4 KiB from then on.
 *
 * A leaf a failed zap left blocked (TRACK refused) is taken as blocked
 * (the BLOCK warning GPA_RANGE_ALREADY_BLOCKED), so a retried conversion
 * or punch finishes it; prepare of such a page is -EBUSY. A REMOVE or
 * DEMOTE refused after the tracking unblocks the leaf again (Linux
 * instead marks the VM bugged, KVM_BUG_ON).
 */
#define CHECK_PREFIX "tdx_check"

#include "hv/tdx/tdx_int.h"
#include "hv/alloc.h"
#include "hv/base/check.h"
#include "hv/base/kmalloc.h"
#include "hv/kvm_abi.h"
#include "hv/vm.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define SIZE_2M (2ULL << 20)
#define PAGES_2M 512
#define RMAP_VALID 1ULL

static struct tdx_model *model;
/* The leaves gmem drives, through the module's interface: the model's
 * (cc_tdx_model). The hardware's table (tdx_seamcall_ops) would serve
 * cc_tdx_hw, which also needs the read-back below from TDH.MEM.SEPT.RD
 * and TDH.PHYMEM.PAGE.RDMD: not written, and never selected yet. TD
 * creation, the vCPU exits and the guest's ACCEPT stay the model's. */
static const struct tdx_module_ops *const mod = &tdx_model_ops;
static phys_addr_t model_base; /* host address of the model's hpa 0 */
static u64 model_size;
/* Per page of the model's range: the GPA an AUGed page backs, | 1. */
static u64 *rmap;
static unsigned int rmap_order;
static u64 leaked; /* pages gmem leaked while the TD held them */
static unsigned int nr_tdx_vms;
static u64 tds_used; /* bit i: TD i belongs to a live TDX VM */

struct tdx_model *tdx_cc_model(void)
{
	return model;
}

u64 tdx_cc_hpa(phys_addr_t pa)
{
	return pa - model_base;
}

phys_addr_t tdx_cc_pa(u64 hpa)
{
	return model_base + hpa;
}

u64 tdx_vm_td(const struct vm *vm)
{
	const struct tdx_vm *s = vm_cc_state(vm);

	return vm_cc(vm)->vm_type == GMV_VM_TDX && s ? s->td : 0;
}

/* Report a failed leaf and turn its status into an errno. */
static int failed(const char *leaf, u64 gpa, u64 st)
{
	kprintf("# tdx: %s at GPA %#llx: %s\n", leaf, (unsigned long long)gpa,
		tdx_status_name(st));
	if (st == TDX_MODEL_NO_MEMORY)
		return -ENOMEM;
	return (st & TDX_STATUS_MASK) == TDX_OPERAND_BUSY ? -EBUSY : -EIO;
}

static u64 *rmap_of(u64 hpa)
{
	return &rmap[hpa / PAGE_SIZE];
}

static bool page_info(u64 hpa, struct tdx_page_info *i)
{
	return !tdx_model_page(model, hpa, i);
}

/* The kick: KVM sends every vCPU of the TD an IPI that forces it out of
 * the guest (tdx_track's kvm_make_all_cpus_request), so each passes
 * through a TD exit and re-enters in the new epoch. Here no vCPU runs
 * while the host edits memory, so each is marked as having done so. */
static int kick(u64 td)
{
	struct tdx_td_info ti;
	u64 st;

	if (tdx_model_td(model, td, &ti))
		return -EINVAL;
	/* Before TDH.MR.FINALIZE no vCPU has entered the TD. */
	for (unsigned int v = 0; ti.finalized && v < ti.nr_vcpus; v++) {
		st = tdx_vcpu_exit(model, td, v);
		if (st)
			return failed("vCPU exit", 0, st);
	}
	return 0;
}

/* BLOCK the leaf, TRACK, kick: what REMOVE and DEMOTE need first. A leaf
 * already blocked (a failed earlier zap) is taken as it is. */
static int block_tracked(u64 td, u64 gpa, unsigned int level)
{
	u64 st = mod->range_block(model, td, gpa, level, NULL);

	if (st && (st & TDX_STATUS_MASK) != TDX_GPA_RANGE_ALREADY_BLOCKED)
		return failed("RANGE.BLOCK", gpa, st);
	st = mod->track(model, td);
	if (st)
		return failed("TRACK", gpa, st);
	return kick(td);
}

/* Take one leaf (4 KiB or 2 MiB) out of the TD; its pages go PT_NDA. A
 * REMOVE refused after the tracking unblocks the leaf again. */
static int zap_leaf(u64 td, u64 gpa, unsigned int level, u64 hpa)
{
	int r = block_tracked(td, gpa, level);
	u64 st;

	if (r)
		return r;
	st = mod->page_remove(model, td, gpa, level, NULL);
	if (st) {
		r = failed("PAGE.REMOVE", gpa, st);
		mod->range_unblock(model, td, gpa, level, NULL);
		return r;
	}
	for (u64 k = 0; k < tdx_level_size(level) / PAGE_SIZE; k++)
		*rmap_of(hpa + k * PAGE_SIZE) = 0;
	return 0;
}

/* Split the 2 MiB leaf at gpa into 512 4 KiB leaves: block, track, kick,
 * DEMOTE, as KVM's TDX huge-page patches split a private 2 MiB mapping
 * (mainline KVM maps TD private memory at 4 KiB only). */
int tdx_cc_demote(u64 td, u64 gpa)
{
	void *table = alloc_page(hv_pool, OWN_TDX);
	u64 st;
	int r;

	if (!table)
		return -ENOMEM;
	r = block_tracked(td, gpa, TDX_LEVEL_2M);
	if (r)
		goto fail;
	st = mod->page_demote(model, td, gpa, TDX_LEVEL_2M,
			      tdx_cc_hpa((phys_addr_t)table), NULL);
	if (!st)
		return 0;
	r = failed("PAGE.DEMOTE", gpa, st);
	/* Tracked already: the leaf can be unblocked, whole again. */
	mod->range_unblock(model, td, gpa, TDX_LEVEL_2M, NULL);
fail:
	free_page(hv_pool, table, OWN_TDX);
	return r;
}

/* Can the 4 KiB leaves under the 2 MiB at gpa (aligned) merge: all 512
 * MAPPED, over the 2 MiB of pages at an aligned hpa (PROMOTE's
 * conditions; PENDING leaves would merge too, but a guest access never
 * asks for them). at, a page of the range that is faulting, is looked at
 * first: a pending page (an ACCEPT's fault) answers at once instead of
 * after a walk of up to 512 leaves on the fault path. */
static bool promotable(u64 td, u64 gpa, u64 at)
{
	struct tdx_entry_info e;
	u64 base = 0;

	if (tdx_model_entry(model, td, at, TDX_LEVEL_4K, &e) || !e.reached ||
	    e.state != TDX_SEPT_MAPPED)
		return false;
	for (u64 k = 0; k < PAGES_2M; k++) {
		if (tdx_model_entry(model, td, gpa + k * PAGE_SIZE,
				    TDX_LEVEL_4K, &e) ||
		    !e.reached || e.state != TDX_SEPT_MAPPED)
			return false;
		if (!k)
			base = e.hpa;
		if (!IS_ALIGNED(base, SIZE_2M) || e.hpa != base + k * PAGE_SIZE)
			return false;
	}
	return true;
}

int tdx_cc_promote(u64 td, u64 gpa)
{
	struct tdx_ext x;
	u64 st;
	int r;

	if (!promotable(td, gpa, gpa))
		return -EINVAL;
	r = block_tracked(td, gpa, TDX_LEVEL_2M);
	if (r)
		return r;
	st = mod->page_promote(model, td, gpa, TDX_LEVEL_2M, &x);
	if (st) {
		r = failed("PAGE.PROMOTE", gpa, st);
		mod->range_unblock(model, td, gpa, TDX_LEVEL_2M, NULL);
		return r;
	}
	free_page(hv_pool, (void *)tdx_cc_pa(x.rcx), OWN_TDX);
	return 0;
}

/*
 * Take the 2^order pages at pa out of their TD, exactly: a 2 MiB leaf
 * covered whole goes as one, one covered in part is demoted first. Pages
 * no TD holds are skipped. Stops at the first failure.
 */
static int remove_pages(phys_addr_t pa, unsigned int order)
{
	u64 n = 1ULL << order, k = 0;
	struct tdx_page_info i;
	int r;

	while (k < n) {
		u64 hpa = tdx_cc_hpa(pa) + k * PAGE_SIZE;
		u64 gpa = *rmap_of(hpa) & ~RMAP_VALID;
		bool whole;

		if (!page_info(hpa, &i) || i.type != TDX_PT_REG) {
			k++;
			continue;
		}
		if (!(*rmap_of(hpa) & RMAP_VALID))
			return -EIO; /* a TD's page AUGed elsewhere */
		whole = i.level == TDX_LEVEL_2M && IS_ALIGNED(hpa, SIZE_2M) &&
			n - k >= PAGES_2M;
		if (i.level == TDX_LEVEL_2M && !whole) {
			r = tdx_cc_demote(i.owner, ALIGN_DOWN(gpa, SIZE_2M));
			if (r)
				return r;
		}
		r = zap_leaf(i.owner, gpa, whole ? TDX_LEVEL_2M : TDX_LEVEL_4K,
			     hpa);
		if (r)
			return r;
		k += whole ? PAGES_2M : 1;
	}
	return 0;
}

/* SEPT.ADD each table missing above the entry of gpa at level (the
 * tables of levels TDX_LEVEL_MAX .. level + 1 hold it). */
static int add_tables(u64 td, u64 gpa, unsigned int level)
{
	for (unsigned int l = TDX_LEVEL_MAX; l > level; l--) {
		u64 at = ALIGN_DOWN(gpa, tdx_level_size(l));
		struct tdx_entry_info e;
		void *table;
		u64 st;

		if (tdx_model_entry(model, td, at, l, &e) || !e.reached)
			return -EIO;
		if (e.state == TDX_SEPT_NL_MAPPED)
			continue;
		if (e.state != TDX_SEPT_FREE)
			return e.state == TDX_SEPT_NL_BLOCKED ? -EBUSY : -EIO;
		table = alloc_page(hv_pool, OWN_TDX);
		if (!table)
			return -ENOMEM;
		st = mod->sept_add(model, td, at, l,
				   tdx_cc_hpa((phys_addr_t)table), NULL);
		if (st) {
			free_page(hv_pool, table, OWN_TDX);
			return failed("SEPT.ADD", at, st);
		}
	}
	return 0;
}

static int aug(u64 td, u64 gpa, unsigned int level, u64 hpa)
{
	int r = add_tables(td, gpa, level);
	u64 st;

	if (r)
		return r;
	st = mod->page_aug(model, td, gpa, level, hpa, NULL);
	if (st)
		return failed("PAGE.AUG", gpa, st);
	for (u64 k = 0; k < tdx_level_size(level) / PAGE_SIZE; k++)
		*rmap_of(hpa + k * PAGE_SIZE) =
			(gpa + k * PAGE_SIZE) | RMAP_VALID;
	return 0;
}

static bool leaf_state(u8 state)
{
	return state == TDX_SEPT_PENDING || state == TDX_SEPT_MAPPED;
}

static bool blocked_state(u8 state)
{
	return state == TDX_SEPT_BLOCKED || state == TDX_SEPT_PENDING_BLOCKED;
}

/* Where the 4 KiB page at gpa is: 0 and *hpa when a leaf (4 KiB, or the
 * 2 MiB one it is part of) maps it, blocked or not (*blocked), -ENOENT
 * when nothing maps it. */
static int mapped_at(u64 td, u64 gpa, u64 *hpa, bool *blocked)
{
	struct tdx_entry_info e;

	if (tdx_model_entry(model, td, gpa, TDX_LEVEL_4K, &e))
		return -EINVAL;
	if (!e.reached && e.level != TDX_LEVEL_2M)
		return -ENOENT; /* a table missing above */
	*blocked = blocked_state(e.state);
	if (!*blocked && !leaf_state(e.state))
		return -ENOENT;
	*hpa = e.hpa + (e.reached ? 0 : gpa & (SIZE_2M - 1));
	return 0;
}

/*
 * PAGE.ADD of the 4 KiB page at hpa, its own source: vm_launch_update()
 * has copied the VMM's data into it already, where KVM's
 * tdx_gmem_post_populate has the module copy it from the source page
 * the VMM gave (KVM_TDX_INIT_MEM_REGION's source_addr). MAPPED at once:
 * the guest finds it accepted.
 */
static int add(u64 td, u64 gpa, u64 hpa)
{
	int r = add_tables(td, gpa, TDX_LEVEL_4K);
	u64 st;

	if (r)
		return r;
	st = mod->page_add(model, td, gpa, hpa, hpa, NULL);
	if (st)
		return failed("PAGE.ADD", gpa, st);
	*rmap_of(hpa) = gpa | RMAP_VALID;
	return 0;
}

/* The 4 KiB page at gpa: PAGE.ADD in a launch, else AUG. */
static int prepare_4k(u64 td, u64 gpa, u64 hpa, bool launch)
{
	bool blocked;
	u64 at;
	int r = mapped_at(td, gpa, &at, &blocked);

	/* A leaf a failed zap left blocked: the guest cannot reach it until
	 * a retried conversion or punch finishes the zap. */
	if (!r)
		return at != hpa ? -EIO : blocked ? -EBUSY : 0;
	if (r != -ENOENT)
		return r;
	if (launch)
		return add(td, gpa, hpa);
	return aug(td, gpa, TDX_LEVEL_4K, hpa);
}

/* Every page of the 2 MiB at hpa the host's (PT_NDA). */
static bool range_free(u64 hpa)
{
	struct tdx_page_info i;

	for (u64 k = 0; k < PAGES_2M; k++)
		if (!page_info(hpa + k * PAGE_SIZE, &i) || i.type != TDX_PT_NDA)
			return false;
	return true;
}

/* Can the 2 MiB at gpa (aligned) take a 2 MiB AUG? Its level-1 entry is
 * FREE, or a table above it is missing (SEPT.ADD makes it FREE). */
static bool entry_2m_free(u64 td, u64 gpa)
{
	struct tdx_entry_info e;

	if (tdx_model_entry(model, td, gpa, TDX_LEVEL_2M, &e))
		return false;
	return e.state == TDX_SEPT_FREE;
}

/* Is td finalized (TDH.MR.FINALIZE done)? */
static bool finalized(u64 td)
{
	struct tdx_td_info ti;

	return !tdx_model_td(model, td, &ti) && ti.finalized;
}

/* TDH.MR.FINALIZE unless done: the launch is over, MRTD is fixed and the
 * vCPUs may run (KVM_TDX_FINALIZE_VM). */
static int finalize(u64 td)
{
	u64 st;

	if (finalized(td))
		return 0;
	st = mod->td_finalize(model, td);
	return st ? failed("MR.FINALIZE", 0, st) : 0;
}

/* Does vm_launch_update() prepare the page, before the launch ended? */
static bool launching(struct vm *vm, u64 td)
{
	return vm_in_launch(vm) && !finalized(td);
}

/*
 * Inside a launch: PAGE.ADD page by page. Outside, a private page used
 * before the first vCPU (a host access, a test's fault) ends the launch:
 * the TD is finalized, then the page AUGed as ever after. KVM has no such
 * fault: before KVM_TDX_FINALIZE_VM its vCPUs do not run
 * (tdx_vcpu_pre_run) and KVM_PRE_FAULT_MEMORY is refused
 * (pre_fault_allowed is set at finalize), so only KVM_TDX_INIT_MEM_REGION
 * maps private memory then; ending the launch keeps a TDX VM usable the
 * way the other models' VMs are without a vCPU.
 */
static int tdx_prepare(struct vm *vm, u64 gfn, phys_addr_t pa,
		       unsigned int order)
{
	u64 td = tdx_vm_td(vm), gpa = gfn << PAGE_SHIFT, hpa = tdx_cc_hpa(pa);
	bool launch;
	int r;

	if (!td || gpa + (PAGE_SIZE << order) > TDX_SHARED_BIT)
		return -EINVAL;
	launch = launching(vm, td);
	if (!launch) {
		r = finalize(td);
		if (r)
			return r;
	}
	if (!launch && order >= 9 && IS_ALIGNED(hpa, SIZE_2M) &&
	    IS_ALIGNED(gpa, SIZE_2M) && entry_2m_free(td, gpa) &&
	    range_free(hpa))
		return aug(td, gpa, TDX_LEVEL_2M, hpa);
	/* Page by page (a 2 MiB block in a launch: 512 PAGE.ADDs); one a
	 * leaf maps at its GPA already is left alone. */
	for (u64 k = 0; k < (1ULL << order); k++) {
		r = prepare_4k(td, gpa + k * PAGE_SIZE, hpa + k * PAGE_SIZE,
			       launch);
		if (r)
			return r;
	}
	return 0;
}

/* KVM_TDX_MEASURE_MEMORY_REGION: MR.EXTEND of the page's 16 chunks, in
 * order, after its PAGE.ADD (tdx_gmem_post_populate). A TD finalized
 * already (a private page used outside a launch ended it) has no launch
 * left: -EINVAL, as KVM_TDX_INIT_MEM_REGION after KVM_TDX_FINALIZE_VM. */
static int tdx_launch_update(struct vm *vm, u64 gfn, phys_addr_t pa)
{
	u64 td = tdx_vm_td(vm), gpa = gfn << PAGE_SHIFT;

	if (!td || finalized(td))
		return -EINVAL;
	for (u64 off = 0; off < PAGE_SIZE; off += TDX_MR_CHUNK) {
		u64 st = mod->mr_extend(model, td, gpa + off,
					(const void *)(pa + off), NULL);

		if (st)
			return failed("MR.EXTEND", gpa + off, st);
	}
	return 0;
}

static int tdx_launch_finish(struct vm *vm)
{
	u64 td = tdx_vm_td(vm);

	return td ? finalize(td) : -EINVAL;
}

/* Pages the TDs hold (PT_REG) in [lo, hi) of the host's addresses. */
static u64 held_in(phys_addr_t lo, phys_addr_t hi)
{
	struct tdx_page_info i;
	u64 n = 0;

	for (phys_addr_t p = lo; p < hi; p += PAGE_SIZE)
		if (page_info(tdx_cc_hpa(p), &i) && i.type == TDX_PT_REG)
			n++;
	return n;
}

/* Linux leaks a page it could not take back from the TD (KVM_BUG_ON,
 * then the page is never freed): so does gmem when this fails, and the
 * pages still held are counted for the checker. */
static int tdx_invalidate(phys_addr_t pa, unsigned int order)
{
	int r = remove_pages(pa, order);

	if (r)
		leaked += held_in(pa, pa + (PAGE_SIZE << order));
	return r;
}

/* A punch of part of a 2 MiB block: a 2 MiB leaf over it is demoted. */
static int tdx_split(phys_addr_t pa)
{
	u64 hpa = tdx_cc_hpa(pa);
	struct tdx_page_info i;

	if (!page_info(hpa, &i) || i.type != TDX_PT_REG ||
	    i.level != TDX_LEVEL_2M)
		return 0;
	return tdx_cc_demote(i.owner, *rmap_of(hpa) & ~RMAP_VALID);
}

/* A deleted memslot: its private pages leave the S-EPT exactly (KVM's
 * kvm_arch_flush_shadow_memslot zaps the slot's mirror SPTEs, and TDX
 * removes each leaf); the next fault through a binding AUGs them again
 * and the guest must ACCEPT them again. */
static int tdx_unmap(struct vm *vm, u64 gfn, phys_addr_t pa, unsigned int order)
{
	return remove_pages(pa, order);
}

/* To private: nothing (prepare AUGs at the next private fault). */
static int tdx_convert(struct vm *vm, u64 gfn, phys_addr_t pa,
		       unsigned int order, bool to_private)
{
	return to_private ? 0 : remove_pages(pa, order);
}

/* Is every GPA of the 2 MiB at gfn (aligned) private? */
static bool all_private(const struct vm *vm, u64 gfn)
{
	for (u64 k = 0; k < PAGES_2M; k++)
		if (!vm_gfn_private(vm, gfn + k))
			return false;
	return true;
}

/* Linux's tdx_gmem_private_max_mapping_level (4 KiB in mainline, 2 MiB
 * with the huge-page patches): the leaf of an AUGed page, or 2 MiB where
 * its 4 KiB leaves could merge (the guest's access promotes them,
 * tdx_access()); for one not AUGed, what prepare will AUG. That is what
 * KVM would map: no 2 MiB where the range's GPAs are not all private
 * (kvm_mmu_max_mapping_level refuses a huge page over mixed attributes),
 * so prepare then AUGs the one page and the shared GPAs around it stay
 * out of the TD. */
static unsigned int tdx_max_order(struct vm *vm, u64 gfn, phys_addr_t pa)
{
	u64 td = tdx_vm_td(vm), gpa = gfn << PAGE_SHIFT, hpa = tdx_cc_hpa(pa);
	struct tdx_page_info i;

	if (!page_info(hpa, &i))
		return 0;
	if (i.type == TDX_PT_REG && i.level == TDX_LEVEL_4K)
		return !((gpa ^ hpa) & (SIZE_2M - 1)) &&
				       promotable(td, ALIGN_DOWN(gpa, SIZE_2M),
						  gpa)
			       ? 9
			       : 0;
	if (i.type == TDX_PT_REG)
		return 9;
	/* A launch PAGE.ADDs 4 KiB pages, each MR.EXTENDed after its ADD. */
	if ((gpa ^ hpa) & (SIZE_2M - 1) || launching(vm, td))
		return 0;
	return entry_2m_free(td, ALIGN_DOWN(gpa, SIZE_2M)) &&
			       range_free(ALIGN_DOWN(hpa, SIZE_2M)) &&
			       all_private(vm, ALIGN_DOWN(gfn, PAGES_2M))
		       ? 9
		       : 0;
}

static int tdx_check_page(struct vm *vm, u64 gfn, phys_addr_t pa, bool private,
			  bool prepared)
{
	u64 td = tdx_vm_td(vm), hpa = tdx_cc_hpa(pa), at, gpa;
	struct tdx_page_info i;
	bool blocked;

	CHECK(model && page_info(hpa, &i), "page %p: no PAMT entry to read",
	      (void *)pa);
	CHECK(i.type != TDX_PT_EPT, "gmem page %p is an S-EPT table",
	      (void *)pa);
	if (i.type == TDX_PT_NDA) {
		CHECK(!private || !prepared,
		      "prepared private page %p is not the TD's", (void *)pa);
		CHECK(!*rmap_of(hpa), "page %p is the host's but has a GPA",
		      (void *)pa);
		return 0;
	}
	CHECK(private, "shared page %p belongs to TD %llu", (void *)pa,
	      (unsigned long long)i.owner);
	CHECK(i.owner == td, "page %p of TD %llu's memory belongs to TD %llu",
	      (void *)pa, (unsigned long long)td, (unsigned long long)i.owner);
	gpa = *rmap_of(hpa) & ~RMAP_VALID;
	CHECK(*rmap_of(hpa) && (gfn == CC_NO_GFN || gpa == gfn << PAGE_SHIFT),
	      "page %p at gfn %#llx was AUGed at GPA %#llx", (void *)pa,
	      (unsigned long long)gfn, (unsigned long long)gpa);
	if (prepared && gfn != CC_NO_GFN) {
		CHECK(!mapped_at(td, gpa, &at, &blocked) && at == hpa,
		      "prepared page %p is not mapped in the S-EPT at GPA "
		      "%#llx",
		      (void *)pa, (unsigned long long)gpa);
	}
	return 1;
}

/* Host addresses of the model's range that hv_pool hands out. */
static u64 pool_held(void)
{
	u64 n = 0;

	for (unsigned int k = 0; hv_pool && k < hv_pool->nr_regions; k++) {
		const struct alloc_region *g = &hv_pool->regions[k];

		n += held_in(g->base, g->base + g->pages * PAGE_SIZE);
	}
	return n;
}

static int tdx_check_held(u64 held)
{
	u64 n = model ? pool_held() : 0;

	CHECK(n == held + leaked,
	      "%llu pages belong to TDs in the PAMT, gmem's private pages "
	      "account for %llu, leaked ones for %llu",
	      (unsigned long long)n, (unsigned long long)held,
	      (unsigned long long)leaked);
	CHECK(!model || !tdx_model_check(model), "the module's own checker");
	return 0;
}

/* The model's range: every region of hv_pool, in 2 MiB units; and the
 * GPA of each of its pages. */
static int model_over_pool(void)
{
	phys_addr_t lo = ~0ULL, hi = 0;
	u64 bytes;

	if (!hv_pool || !hv_pool->nr_regions)
		return -ENOMEM;
	for (unsigned int k = 0; k < hv_pool->nr_regions; k++) {
		const struct alloc_region *g = &hv_pool->regions[k];

		lo = MIN(lo, g->base);
		hi = MAX(hi, g->base + g->pages * PAGE_SIZE);
	}
	lo = ALIGN_DOWN(lo, SIZE_2M);
	hi = ALIGN_UP(hi, SIZE_2M);
	bytes = (hi - lo) / PAGE_SIZE * sizeof(*rmap);
	rmap_order = 0;
	while ((PAGE_SIZE << rmap_order) < bytes)
		rmap_order++;
	rmap = alloc_pages(hv_pool, rmap_order, OWN_TDX);
	if (!rmap)
		return -ENOMEM;
	memset(rmap, 0, PAGE_SIZE << rmap_order);
	model = tdx_model_create(hi - lo);
	if (!model) {
		free_pages(hv_pool, rmap, rmap_order, OWN_TDX);
		return -ENOMEM;
	}
	model_base = lo;
	model_size = hi - lo;
	return 0;
}

static void model_put(void)
{
	if (--nr_tdx_vms)
		return;
	tdx_model_destroy(model);
	free_pages(hv_pool, rmap, rmap_order, OWN_TDX);
	model = NULL;
	rmap = NULL;
	leaked = 0;
}

static int tdx_model_vm_init(struct vm *vm)
{
	struct tdx_vm *s;
	u64 td = 1, st;
	int r;

	while (td <= TDX_MAX_HKID && (tds_used & BIT(td)))
		td++;
	/* tdx_guest_keyid_alloc: no free HKID is -EBUSY. */
	if (td > TDX_MAX_HKID)
		return -EBUSY;
	s = kmalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (!model) {
		r = model_over_pool();
		if (r) {
			kfree(s, sizeof(*s));
			return r;
		}
	}
	nr_tdx_vms++;
	/* TDH.MNG.CREATE, KEY.CONFIG, INIT and the vCPUs (KVM_TDX_INIT_VM,
	 * KVM_TDX_INIT_VCPU): INITIALIZED, open for the launch's PAGE.ADD
	 * until launch_finish's TDH.MR.FINALIZE. */
	st = tdx_td_create(model, td, TDX_CC_VCPUS, TDX_TD_INITIALIZED);
	if (st) {
		r = failed("TD create", 0, st);
		/* A TD left half made goes with its TDR. */
		mod->td_teardown(model, td);
		mod->td_reclaim(model, td);
		kfree(s, sizeof(*s));
		model_put();
		return r;
	}
	s->td = td;
	tds_used |= BIT(td);
	vm_set_cc_state(vm, s);
	return 0;
}

/* The hardware module is taken only where tdx_hw_lacks() is NULL, which
 * it is nowhere yet (the SEAMCALL path is not written). */
static int tdx_hw_vm_init(struct vm *vm)
{
	return -ENODEV;
}

/*
 * The TD goes (tdx_mmu_release_hkid, tdx_vm_free): teardown, then every
 * page the module still holds for it is reclaimed: its S-EPT tables (back
 * to hv_pool) and the pages gmem leaked (they stay OWN_LEAKED), then the
 * TDR itself.
 */
static void tdx_vm_destroy(struct vm *vm)
{
	struct tdx_vm *s = vm_cc_state(vm);
	struct tdx_page_info i;
	u64 st;

	mod->td_teardown(model, s->td);
	for (u64 hpa = 0; hpa < model_size; hpa += PAGE_SIZE) {
		if (!page_info(hpa, &i) || i.owner != s->td ||
		    (i.level == TDX_LEVEL_2M && !IS_ALIGNED(hpa, SIZE_2M)))
			continue;
		st = mod->page_reclaim(model, hpa, NULL);
		if (st) {
			failed("PHYMEM.PAGE.RECLAIM", hpa, st);
			continue;
		}
		if (i.type == TDX_PT_EPT) {
			free_page(hv_pool, (void *)(model_base + hpa), OWN_TDX);
			continue;
		}
		leaked -= tdx_level_size(i.level) / PAGE_SIZE;
		for (u64 k = 0; k < tdx_level_size(i.level) / PAGE_SIZE; k++)
			*rmap_of(hpa + k * PAGE_SIZE) = 0;
	}
	st = mod->td_reclaim(model, s->td);
	if (st)
		failed("TDR reclaim", 0, st);
	tds_used &= ~BIT(s->td);
	kfree(s, sizeof(*s));
	vm_set_cc_state(vm, NULL);
	model_put();
}

#define TDX_HOOKS                                                          \
	.vm_type = GMV_VM_TDX, .private_source = CC_PRIVATE_FROM_EXIT,     \
	.alias_bit = TDX_SHARED_BIT, .alias_shared = true, .one_vm = true, \
	.vm_destroy = tdx_vm_destroy, .prepare = tdx_prepare,              \
	.invalidate = tdx_invalidate, .split = tdx_split,                  \
	.convert = tdx_convert, .unmap = tdx_unmap,                        \
	.max_order = tdx_max_order, .check_page = tdx_check_page,          \
	.check_held = tdx_check_held

/* TD guests on TDX hardware would run under the VMX backend with the
 * SEAMCALL path, neither of which exists yet. */
static const char *tdx_hw_guest_lacks(void)
{
	return "TD guests on TDX hardware need TDH.VP.ENTER through the "
	       "SEAMCALL path, which is not written";
}

const struct cc_ops cc_tdx_hw = {
	.name = "tdx",
	.lacks = tdx_hw_lacks,
	.guest_lacks = tdx_hw_guest_lacks,
	.vm_init = tdx_hw_vm_init,
	.launch_update = tdx_launch_update,
	.launch_finish = tdx_launch_finish,
	TDX_HOOKS,
};

/* Under a CPU without TDX the model also plays the module's part for the
 * guest (hv/tdx/tdx_guest.c), with the shared bit kept in the GPA. */
const struct cc_ops cc_tdx_model = {
	.name = "tdx_model",
	.vm_init = tdx_model_vm_init,
	.guest_lacks = tdx_guest_lacks,
	.guest = tdx_guest,
	.guest_complete = tdx_guest_complete,
	.access = tdx_access,
	.launch_update = tdx_launch_update,
	.launch_finish = tdx_launch_finish,
	TDX_HOOKS,
};
