// SPDX-License-Identifier: MIT
/*
 * hv/tdx/tdx_seamcall.c - the hardware TDX module path's leaves
 * (hv/tdx/tdx_seamcall.h): each SEAMCALL leaf's register image built from
 * its operands, the outputs copied back, the retries Linux makes, and
 * tdx_seamcall_ops, the struct tdx_module_ops over them. Built for host
 * and payload; only the primitive underneath differs (tdx_hw.c executes
 * SEAMCALL, tdx_host.c calls the tests' recorder).
 *
 * Sources for each leaf: the Intel TDX Module ABI spec's section of the
 * same name, the module's dispatcher (intel/tdx-module, branch tdx_1.5,
 * src/vmm_dispatcher/tdx_vmm_dispatcher.c, which register feeds which
 * operand) and Linux's wrapper named in the comment
 * (arch/x86/virt/vmx/tdx/tdx.c, or the KVM TDX patches for the leaves
 * mainline does not use).
 */
#include "hv/tdx/tdx_seamcall.h"

/* One SEAMCALL of leaf (version 0) with the inputs in *r, issued again
 * while it answers RND_NO_ENTROPY (Linux sc_retry()). Each try starts
 * from the inputs: SEAMCALL overwrites the registers. */
static u64 call(enum tdh_leaf leaf, struct tdx_seamcall_regs *r)
{
	const struct tdx_seamcall_regs in = *r;
	u64 st = TDX_RND_NO_ENTROPY;

	for (unsigned int i = 0; i < TDH_RND_RETRIES &&
				 (st & TDX_STATUS_MASK) == TDX_RND_NO_ENTROPY;
	     i++) {
		*r = in;
		r->rax = (u64)leaf;
		st = tdx_seamcall(r);
	}
	return st;
}

/* A leaf whose outputs are RCX and RDX. */
static u64 call_ext(enum tdh_leaf leaf, struct tdx_seamcall_regs *r,
		    struct tdx_ext *ext)
{
	u64 st = call(leaf, r);

	if (ext)
		*ext = (struct tdx_ext){.rcx = r->rcx, .rdx = r->rdx};
	return st;
}

/* RCX of the S-EPT leaves: "page info", level in bits 2:0, the GPA in
 * bits 51:12, bits 11:3 and 63:52 reserved (the module's
 * page_info_api_input_t, include/tdx_api_defs.h). */
static bool page_info(u64 gpa, unsigned int level, u64 *rcx)
{
	if ((gpa & 0xfffULL) || level > 7)
		return false;
	*rcx = gpa | level;
	return true;
}

static u64 bad_page_info(struct tdx_ext *ext)
{
	if (ext)
		*ext = (struct tdx_ext){0};
	return TDX_OPERAND_INVALID | TDX_OPERAND_RCX;
}

/* The S-EPT leaves taking RCX = page info, RDX = TDR, R8 = a page. */
static u64 sept_leaf(enum tdh_leaf leaf, u64 tdr, u64 gpa, unsigned int level,
		     u64 page, struct tdx_ext *ext)
{
	struct tdx_seamcall_regs r = {.rdx = tdr, .r8 = page};

	if (!page_info(gpa, level, &r.rcx))
		return bad_page_info(ext);
	return call_ext(leaf, &r, ext);
}

/* The same, again while interrupted: PROMOTE and DEMOTE restore RCX and
 * RDX and answer INTERRUPTED_RESTARTABLE when an interrupt is pending
 * before they commit (the module's tdh_mem_page_promote.c/demote.c); KVM's
 * huge-page patches loop on it. */
static u64 sept_leaf_restart(enum tdh_leaf leaf, u64 tdr, u64 gpa,
			     unsigned int level, u64 page, struct tdx_ext *ext)
{
	u64 st = TDX_INTERRUPTED_RESTARTABLE;

	for (unsigned int i = 0;
	     i < TDH_INTERRUPT_RETRIES && st == TDX_INTERRUPTED_RESTARTABLE;
	     i++)
		st = sept_leaf(leaf, tdr, gpa, level, page, ext);
	return st;
}

/* A leaf whose one input is RCX and that has no outputs. */
static u64 rcx_only(enum tdh_leaf leaf, u64 rcx)
{
	struct tdx_seamcall_regs r = {.rcx = rcx};

	return call(leaf, &r);
}

/* TDH.MEM.SEPT.ADD: RCX page info (level 1..3 is the entry that gets the
 * table), RDX TDR, R8 the new S-EPT page. Linux tdh_mem_sept_add(). */
u64 tdh_mem_sept_add(u64 tdr, u64 gpa, unsigned int level, u64 page,
		     struct tdx_ext *ext)
{
	return sept_leaf(TDH_MEM_SEPT_ADD, tdr, gpa, level, page, ext);
}

/* TDH.MEM.PAGE.AUG: RCX page info, RDX TDR, R8 the page. Linux
 * tdh_mem_page_aug(). */
u64 tdh_mem_page_aug(u64 tdr, u64 gpa, unsigned int level, u64 page,
		     struct tdx_ext *ext)
{
	return sept_leaf(TDH_MEM_PAGE_AUG, tdr, gpa, level, page, ext);
}

/* TDH.MEM.PAGE.ADD: RCX page info (4 KiB, level 0), RDX TDR, R8 the page,
 * R9 the source page. Linux tdh_mem_page_add(). */
u64 tdh_mem_page_add(u64 tdr, u64 gpa, u64 page, u64 src, struct tdx_ext *ext)
{
	struct tdx_seamcall_regs r = {.rdx = tdr, .r8 = page, .r9 = src};

	if (!page_info(gpa, TDX_LEVEL_4K, &r.rcx))
		return bad_page_info(ext);
	return call_ext(TDH_MEM_PAGE_ADD, &r, ext);
}

/* TDH.MEM.RANGE.BLOCK: RCX page info, RDX TDR. Linux
 * tdh_mem_range_block(). */
u64 tdh_mem_range_block(u64 tdr, u64 gpa, unsigned int level,
			struct tdx_ext *ext)
{
	return sept_leaf(TDH_MEM_RANGE_BLOCK, tdr, gpa, level, 0, ext);
}

/* TDH.MEM.RANGE.UNBLOCK: RCX page info, RDX TDR. KVM's TDX patches'
 * tdh_mem_range_unblock() (mainline KVM never unblocks). */
u64 tdh_mem_range_unblock(u64 tdr, u64 gpa, unsigned int level,
			  struct tdx_ext *ext)
{
	return sept_leaf(TDH_MEM_RANGE_UNBLOCK, tdr, gpa, level, 0, ext);
}

/* TDH.MEM.TRACK: RCX TDR. Linux tdh_mem_track(). */
u64 tdh_mem_track(u64 tdr)
{
	return rcx_only(TDH_MEM_TRACK, tdr);
}

/* TDH.MEM.PAGE.REMOVE: RCX page info, RDX TDR; RCX out the removed page.
 * Linux tdh_mem_page_remove(). */
u64 tdh_mem_page_remove(u64 tdr, u64 gpa, unsigned int level,
			struct tdx_ext *ext)
{
	return sept_leaf(TDH_MEM_PAGE_REMOVE, tdr, gpa, level, 0, ext);
}

/* TDH.MEM.PAGE.PROMOTE: RCX page info (level 1 or 2: the merged size),
 * RDX TDR; RCX out the freed S-EPT page. KVM's huge-page patches'
 * tdh_mem_page_promote(). */
u64 tdh_mem_page_promote(u64 tdr, u64 gpa, unsigned int level,
			 struct tdx_ext *ext)
{
	return sept_leaf_restart(TDH_MEM_PAGE_PROMOTE, tdr, gpa, level, 0, ext);
}

/* TDH.MEM.PAGE.DEMOTE: RCX page info (level 1 or 2: the size split), RDX
 * TDR, R8 the new S-EPT page. KVM's huge-page patches'
 * tdh_mem_page_demote(). */
u64 tdh_mem_page_demote(u64 tdr, u64 gpa, unsigned int level, u64 page,
			struct tdx_ext *ext)
{
	return sept_leaf_restart(TDH_MEM_PAGE_DEMOTE, tdr, gpa, level, page,
				 ext);
}

/* TDH.PHYMEM.PAGE.RECLAIM: RCX the page; RCX out the page type, RDX the
 * owner, R8 the size. Linux tdh_phymem_page_reclaim(). */
u64 tdh_phymem_page_reclaim(u64 page, struct tdx_ext *ext)
{
	struct tdx_seamcall_regs r = {.rcx = page};

	return call_ext(TDH_PHYMEM_PAGE_RECLAIM, &r, ext);
}

/* TDH.MR.EXTEND: RCX the chunk's GPA, RDX TDR. Linux tdh_mr_extend(). */
u64 tdh_mr_extend(u64 tdr, u64 gpa, struct tdx_ext *ext)
{
	struct tdx_seamcall_regs r = {.rcx = gpa, .rdx = tdr};

	return call_ext(TDH_MR_EXTEND, &r, ext);
}

/* TDH.MNG.CREATE: RCX TDR, RDX the HKID (bits 15:0). Linux
 * tdh_mng_create(). */
u64 tdh_mng_create(u64 tdr, u16 hkid)
{
	struct tdx_seamcall_regs r = {.rcx = tdr, .rdx = hkid};

	return call(TDH_MNG_CREATE, &r);
}

/* TDH.MNG.ADDCX: RCX the TDCS page, RDX TDR. Linux tdh_mng_addcx(). */
u64 tdh_mng_addcx(u64 tdr, u64 tdcs_page)
{
	struct tdx_seamcall_regs r = {.rcx = tdcs_page, .rdx = tdr};

	return call(TDH_MNG_ADDCX, &r);
}

/* TDH.MNG.KEY.CONFIG: RCX TDR. Linux tdh_mng_key_config(). */
u64 tdh_mng_key_config(u64 tdr)
{
	return rcx_only(TDH_MNG_KEY_CONFIG, tdr);
}

/* TDH.MNG.INIT: RCX TDR, RDX the TD_PARAMS page. Linux tdh_mng_init(). */
u64 tdh_mng_init(u64 tdr, u64 td_params, struct tdx_ext *ext)
{
	struct tdx_seamcall_regs r = {.rcx = tdr, .rdx = td_params};

	return call_ext(TDH_MNG_INIT, &r, ext);
}

/* TDH.MR.FINALIZE: RCX TDR. Linux tdh_mr_finalize(). */
u64 tdh_mr_finalize(u64 tdr)
{
	return rcx_only(TDH_MR_FINALIZE, tdr);
}

/* TDH.MNG.VPFLUSHDONE: RCX TDR. Linux tdh_mng_vpflushdone(). */
u64 tdh_mng_vpflushdone(u64 tdr)
{
	return rcx_only(TDH_MNG_VPFLUSHDONE, tdr);
}

/* TDH.PHYMEM.CACHE.WB: RCX 0 to start, 1 to resume after
 * INTERRUPTED_RESUMABLE. Linux tdh_phymem_cache_wb(), looped as KVM's
 * tdx_mmu_release_hkid() does. */
u64 tdh_phymem_cache_wb(void)
{
	u64 st = rcx_only(TDH_PHYMEM_CACHE_WB, 0);

	for (unsigned int i = 1;
	     i < TDH_INTERRUPT_RETRIES && st == TDX_INTERRUPTED_RESUMABLE; i++)
		st = rcx_only(TDH_PHYMEM_CACHE_WB, 1);
	return st;
}

/* TDH.MNG.KEY.FREEID: RCX TDR. Linux tdh_mng_key_freeid(). */
u64 tdh_mng_key_freeid(u64 tdr)
{
	return rcx_only(TDH_MNG_KEY_FREEID, tdr);
}

/* ---- struct tdx_module_ops over the leaves: td is the TDR ---- */

static u64 hw_sept_add(struct tdx_model *m, u64 td, u64 gpa, unsigned int level,
		       u64 hpa, struct tdx_ext *ext)
{
	return tdh_mem_sept_add(td, gpa, level, hpa, ext);
}

static u64 hw_page_aug(struct tdx_model *m, u64 td, u64 gpa, unsigned int level,
		       u64 hpa, struct tdx_ext *ext)
{
	return tdh_mem_page_aug(td, gpa, level, hpa, ext);
}

static u64 hw_page_add(struct tdx_model *m, u64 td, u64 gpa, u64 hpa, u64 src,
		       struct tdx_ext *ext)
{
	return tdh_mem_page_add(td, gpa, hpa, src, ext);
}

static u64 hw_range_block(struct tdx_model *m, u64 td, u64 gpa,
			  unsigned int level, struct tdx_ext *ext)
{
	return tdh_mem_range_block(td, gpa, level, ext);
}

static u64 hw_range_unblock(struct tdx_model *m, u64 td, u64 gpa,
			    unsigned int level, struct tdx_ext *ext)
{
	return tdh_mem_range_unblock(td, gpa, level, ext);
}

static u64 hw_track(struct tdx_model *m, u64 td)
{
	return tdh_mem_track(td);
}

static u64 hw_page_remove(struct tdx_model *m, u64 td, u64 gpa,
			  unsigned int level, struct tdx_ext *ext)
{
	return tdh_mem_page_remove(td, gpa, level, ext);
}

static u64 hw_page_promote(struct tdx_model *m, u64 td, u64 gpa,
			   unsigned int level, struct tdx_ext *ext)
{
	return tdh_mem_page_promote(td, gpa, level, ext);
}

static u64 hw_page_demote(struct tdx_model *m, u64 td, u64 gpa,
			  unsigned int level, u64 hpa, struct tdx_ext *ext)
{
	return tdh_mem_page_demote(td, gpa, level, hpa, ext);
}

static u64 hw_page_reclaim(struct tdx_model *m, u64 hpa, struct tdx_ext *ext)
{
	return tdh_phymem_page_reclaim(hpa, ext);
}

static u64 hw_mr_extend(struct tdx_model *m, u64 td, u64 gpa, const void *data,
			struct tdx_ext *ext)
{
	return tdh_mr_extend(td, gpa, ext);
}

static u64 hw_td_finalize(struct tdx_model *m, u64 td)
{
	return tdh_mr_finalize(td);
}

/*
 * The HKID's release, in KVM's order (tdx_mmu_release_hkid()):
 * VPFLUSHDONE (FLUSHVP_NOT_DONE until each vCPU had TDH.VP.FLUSH, the
 * vCPUs' owner's job), CACHE.WB, KEY.FREEID; the first failure stops it.
 * NO_HKID_READY_TO_WBCACHE, another CPU having written the caches back,
 * counts as done, as KVM counts it. CACHE.WB covers this CPU's package
 * only: one package, or the caller runs it on one CPU of each.
 */
static u64 hw_td_teardown(struct tdx_model *m, u64 td)
{
	u64 st = tdh_mng_vpflushdone(td);

	if (st)
		return st;
	st = tdh_phymem_cache_wb();
	if (st && st != TDX_NO_HKID_READY_TO_WBCACHE)
		return st;
	return tdh_mng_key_freeid(td);
}

static u64 hw_td_reclaim(struct tdx_model *m, u64 td)
{
	return tdh_phymem_page_reclaim(td, NULL);
}

const struct tdx_module_ops tdx_seamcall_ops = {
	.name = "seamcall",
	.sept_add = hw_sept_add,
	.page_aug = hw_page_aug,
	.page_add = hw_page_add,
	.range_block = hw_range_block,
	.range_unblock = hw_range_unblock,
	.track = hw_track,
	.page_remove = hw_page_remove,
	.page_promote = hw_page_promote,
	.page_demote = hw_page_demote,
	.page_reclaim = hw_page_reclaim,
	.mr_extend = hw_mr_extend,
	.td_finalize = hw_td_finalize,
	.td_teardown = hw_td_teardown,
	.td_reclaim = hw_td_reclaim,
};
