// SPDX-License-Identifier: MIT
/*
 * hv/tdx/tdx_model.c - the software TDX module (hv/tdx/tdx_module.h): a
 * PAMT entry per 4 KiB page of its range, a 4-level Secure-EPT per TD, the
 * TD epoch with the epoch each vCPU entered in, and for each leaf the
 * checks of the Intel TDX Module ABI spec in the order the module makes
 * them (Intel's TDX module source, src/vmm_dispatcher/api_calls/tdh_*.c
 * and src/td_dispatcher/vm_exits/tdg_mem_page_accept.c, for the order and
 * the operand ids): the TD handle (RDX), the TD's lifecycle and operation
 * state, the GPA and level (RCX), the S-EPT tree lock, the walk, the
 * entry lock, the entry's state, TLB tracking, then the HPA operands.
 * Where the sources leave a choice, it is said at the check and in
 * hv/tdx/README.md. And the TD's measurement, MRTD: a SHA-384 over the
 * 128-byte blocks PAGE.ADD and MR.EXTEND add, completed at
 * TDH.MR.FINALIZE (ABI spec, TDH.MEM.PAGE.ADD and TDH.MR.EXTEND).
 */
#define CHECK_PREFIX "tdx_check"

#include "hv/alloc.h"
#include "hv/base/check.h"
#include "hv/base/kmalloc.h"
#include "hv/tdx/tdx_model_int.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define PAGE_4K 4096ULL
/* Physical addresses have at most 52 bits (MAXPHYADDR). */
#define PA_LIMIT BIT(52)
#define OPS_INIT BIT(TDX_OP_INITIALIZED)
#define OPS_RUN BIT(TDX_OP_RUNNABLE)

/* Architectural S-EPT entry bits for the RCX the leaves return (ABI spec,
 * "Secure EPT Entry": R/W/X 2:0, memory type 5:3, PS 7, HPA 51:12, TDB
 * 55 blocked, TDP 56 pending, suppress-#VE 63). */
#define SEPTE_RWX 7ULL
#define SEPTE_WB (6ULL << 3)
#define SEPTE_PS BIT(7)
#define SEPTE_TDB BIT(55)
#define SEPTE_TDP BIT(56)
#define SEPTE_SVE BIT(63)

static struct tdx_ext *ext_reset(struct tdx_ext *x, struct tdx_ext *dummy)
{
	if (!x)
		x = dummy;
	*x = (struct tdx_ext){0};
	return x;
}

static bool is_nl(u8 state)
{
	return state == TDX_SEPT_NL_MAPPED || state == TDX_SEPT_NL_BLOCKED;
}

static bool is_leaf(u8 state)
{
	return state == TDX_SEPT_MAPPED || state == TDX_SEPT_BLOCKED ||
	       state == TDX_SEPT_PENDING || state == TDX_SEPT_PENDING_BLOCKED;
}

static bool is_blocked(u8 state)
{
	return state == TDX_SEPT_NL_BLOCKED || state == TDX_SEPT_BLOCKED ||
	       state == TDX_SEPT_PENDING_BLOCKED;
}

static u8 unblocked(u8 state)
{
	switch (state) {
	case TDX_SEPT_NL_BLOCKED:
		return TDX_SEPT_NL_MAPPED;
	case TDX_SEPT_BLOCKED:
		return TDX_SEPT_MAPPED;
	case TDX_SEPT_PENDING_BLOCKED:
		return TDX_SEPT_PENDING;
	}
	return state;
}

static u64 arch_entry(const struct tdx_sept_entry *e, unsigned int level)
{
	u64 ps = level ? SEPTE_PS : 0;

	switch (e->state) {
	case TDX_SEPT_NL_MAPPED:
		return e->hpa | SEPTE_RWX;
	case TDX_SEPT_NL_BLOCKED:
		return e->hpa | SEPTE_TDB;
	case TDX_SEPT_MAPPED:
		return e->hpa | SEPTE_RWX | SEPTE_WB | ps;
	case TDX_SEPT_BLOCKED:
		return e->hpa | SEPTE_WB | ps | SEPTE_TDB;
	case TDX_SEPT_PENDING:
		return e->hpa | SEPTE_WB | ps | SEPTE_TDP | SEPTE_SVE;
	case TDX_SEPT_PENDING_BLOCKED:
		return e->hpa | SEPTE_WB | ps | SEPTE_TDP | SEPTE_TDB |
		       SEPTE_SVE;
	}
	return SEPTE_SVE; /* FREE: the initial value */
}

/* RCX = the entry, RDX = level | state << 8 (ABI spec, "Secure EPT Entry
 * Information", the extended error information of the memory leaves). */
static void details(struct tdx_ext *x, const struct tdx_sept_entry *e,
		    unsigned int level)
{
	x->rcx = arch_entry(e, level);
	x->rdx = level | (u64)e->state << 8;
}

static struct tdx_td *find_td(struct tdx_model *m, u64 id)
{
	for (unsigned int i = 0; i < TDX_MAX_TDS; i++)
		if (m->td[i].used && m->td[i].id == id)
			return &m->td[i];
	return NULL;
}

static const struct tdx_td *find_ctd(const struct tdx_model *m, u64 id)
{
	return find_td((struct tdx_model *)m, id);
}

static u32 slot_of(const struct tdx_model *m, const struct tdx_td *td)
{
	return (u32)(td - m->td) + 1;
}

static struct tdx_pamt *pamt(struct tdx_model *m, u64 hpa)
{
	return &m->pamt[hpa / PAGE_4K];
}

static u64 pages_of(unsigned int level)
{
	return tdx_level_size(level) / PAGE_4K;
}

static struct tdx_table *table_alloc(struct tdx_model *m)
{
	struct tdx_table *t = alloc_pages(hv_pool, TDX_TABLE_ORDER, OWN_TDX);

	if (t)
		m->tables++; /* zeroed: every entry FREE */
	return t;
}

static void table_free(struct tdx_model *m, struct tdx_table *t)
{
	free_pages(hv_pool, t, TDX_TABLE_ORDER, OWN_TDX);
	m->tables--;
}

static void tree_free(struct tdx_model *m, struct tdx_table *t)
{
	for (unsigned int i = 0; i < TDX_ENTRIES; i++)
		if (t->e[i].child)
			tree_free(m, t->e[i].child);
	table_free(m, t);
}

/*
 * The TD handle and the TD's state (the module's
 * check_lock_and_map_explicit_tdr and check_state_map_tdcs_and_lock): a
 * handle that is no TDR is PAGE_METADATA_INCORRECT on RDX (the page's
 * PAMT type is not PT_TDR); keys not configured, torn down, an operation
 * state the leaf does not allow.
 */
static u64 td_get(struct tdx_model *m, u64 id, unsigned int ops,
		  struct tdx_td **out)
{
	struct tdx_td *td = find_td(m, id);

	if (!td)
		return TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_RDX;
	if (td->lifecycle == TDX_LC_HKID_ASSIGNED)
		return TDX_TD_KEYS_NOT_CONFIGURED;
	if (td->lifecycle == TDX_LC_TEARDOWN)
		return TDX_LIFECYCLE_STATE_INCORRECT;
	if (!(ops & BIT(td->op_state)))
		return TDX_OP_STATE_INCORRECT;
	*out = td;
	return TDX_SUCCESS;
}

/* td_get() for a leaf that locks the TDR exclusively (MR.EXTEND,
 * MR.FINALIZE): another holder of the TDR's lock makes it OPERAND_BUSY on
 * RDX (the module's check_lock_and_map_explicit_tdr with
 * TDX_LOCK_EXCLUSIVE), before the TD's state is looked at. */
static u64 td_get_excl(struct tdx_model *m, u64 id, unsigned int ops,
		       struct tdx_td **out)
{
	struct tdx_td *td = find_td(m, id);

	if (td && td->tdr_held)
		return TDX_OPERAND_BUSY | TDX_OPERAND_RDX;
	return td_get(m, id, ops, out);
}

/*
 * One 128-byte block into the TD's measurement: the leaf's name in ASCII
 * from byte 0, the GPA little-endian in bytes 16..23, zeros elsewhere
 * (ABI spec, TDH.MEM.PAGE.ADD "MEM.PAGE.ADD" and TDH.MR.EXTEND
 * "MR.EXTEND"; the module's sha384_128B_block_t, a 16-byte name then the
 * GPA).
 */
static void measure(struct tdx_td *td, const char *leaf, u64 gpa)
{
	u8 b[SHA384_BLOCK_SIZE] = {0};

	for (unsigned int i = 0; leaf[i]; i++)
		b[i] = (u8)leaf[i];
	for (unsigned int i = 0; i < 8; i++)
		b[16 + i] = (u8)(gpa >> (8 * i));
	sha384_update(&td->mr, b, sizeof(b));
}

/* RCX's page info: the level within the leaf's range, the GPA aligned to
 * it (bits 11:3 reserved), private (shared bit clear) and below GPAW. */
static bool page_info_ok(u64 gpa, unsigned int level, unsigned int min,
			 unsigned int max)
{
	return level >= min && level <= max &&
	       IS_ALIGNED(gpa, tdx_level_size(level)) && gpa < TDX_SHARED_BIT;
}

static unsigned int idx(u64 gpa, unsigned int level)
{
	return (gpa >> (12 + 9 * level)) & (TDX_ENTRIES - 1);
}

/*
 * Walk td's S-EPT down to the entry of gpa at level through non-leaf
 * entries: a FREE or leaf entry above the level stops it, and so, for a
 * leaf's walk, does NL_BLOCKED (its RWX bits are 0, and the module's
 * secure_ept_walk() stops at any entry without them): EPT_WALK_FAILED,
 * *out and *stop being where. The model's own read-back passes blocked
 * tables (pass_blocked).
 */
static u64 walk_tables(struct tdx_td *td, u64 gpa, unsigned int level,
		       bool pass_blocked, struct tdx_sept_entry **out,
		       unsigned int *stop)
{
	struct tdx_table *t = td->root;

	for (unsigned int l = TDX_LEVEL_MAX;; l--) {
		struct tdx_sept_entry *e = &t->e[idx(gpa, l)];

		*out = e;
		*stop = l;
		if (l == level)
			return TDX_SUCCESS;
		if (e->state != TDX_SEPT_NL_MAPPED &&
		    !(pass_blocked && e->state == TDX_SEPT_NL_BLOCKED))
			return TDX_EPT_WALK_FAILED | TDX_OPERAND_RCX;
		t = e->child;
	}
}

static u64 walk(struct tdx_td *td, u64 gpa, unsigned int level,
		struct tdx_sept_entry **out, unsigned int *stop)
{
	return walk_tables(td, gpa, level, false, out, stop);
}

/* Everything before a leaf's own state check (see the file comment). */
static u64 locate(struct tdx_model *m, u64 id, unsigned int ops, u64 gpa,
		  unsigned int level, unsigned int min, unsigned int max,
		  struct tdx_td **td, struct tdx_sept_entry **e,
		  struct tdx_ext *x)
{
	unsigned int stop;
	u64 st = td_get(m, id, ops, td);

	if (st)
		return st;
	if (!page_info_ok(gpa, level, min, max))
		return TDX_OPERAND_INVALID | TDX_OPERAND_RCX;
	if ((*td)->sept_held)
		return TDX_OPERAND_BUSY | TDX_OPERAND_SEPT_TREE;
	st = walk(*td, gpa, level, e, &stop);
	if (st) {
		details(x, *e, stop);
		return st;
	}
	if ((*e)->held) {
		details(x, *e, level);
		return TDX_OPERAND_BUSY | TDX_OPERAND_RCX;
	}
	return TDX_SUCCESS;
}

/*
 * An HPA operand naming a page (or a 2 MiB page) to give the TD: aligned
 * to its size and below MAXPHYADDR (OPERAND_INVALID), inside the PAMT
 * (OPERAND_ADDR_RANGE_ERROR), no PAMT entry locked elsewhere
 * (OPERAND_BUSY), every page PT_NDA (PAGE_METADATA_INCORRECT); each on the
 * operand (the module's check_and_lock_explicit_*_private_hpa).
 */
static u64 hpa_check(struct tdx_model *m, u64 hpa, unsigned int level,
		     u64 operand)
{
	u64 len = tdx_level_size(level);

	if (!IS_ALIGNED(hpa, len) || hpa >= PA_LIMIT)
		return TDX_OPERAND_INVALID | operand;
	if (hpa >= m->size || m->size - hpa < len)
		return TDX_OPERAND_ADDR_RANGE_ERROR | operand;
	for (u64 i = 0; i < len / PAGE_4K; i++) {
		const struct tdx_pamt *p = pamt(m, hpa + i * PAGE_4K);

		if (p->held)
			return TDX_OPERAND_BUSY | operand;
		if (p->type != TDX_PT_NDA)
			return TDX_PAGE_METADATA_INCORRECT | operand;
	}
	return TDX_SUCCESS;
}

static void pamt_set(struct tdx_model *m, u64 hpa, u64 pages, u8 type,
		     u32 owner, u8 level)
{
	for (u64 i = 0; i < pages; i++) {
		struct tdx_pamt *p = pamt(m, hpa + i * PAGE_4K);

		p->type = type;
		p->owner = owner;
		p->level = level;
		p->bepoch = 0;
	}
}

/* A vCPU of a RUNNABLE TD runs in the epoch it last entered in. */
static bool vcpu_in_epoch(const struct tdx_td *td, u64 epoch)
{
	if (td->op_state != TDX_OP_RUNNABLE)
		return false;
	for (unsigned int v = 0; v < td->nr_vcpus; v++)
		if (td->vcpu_epoch[v] == epoch)
			return true;
	return false;
}

/*
 * Tracking is required for an entry a vCPU may have cached (any but FREE)
 * while the TD can run (RUNNABLE); before TDH.MR.FINALIZE no vCPU has
 * run (the module's sept_state_is_tlb_tracking_required and
 * op_state_is_tlb_tracking_required).
 */
static bool tracking_required(const struct tdx_td *td, u8 state)
{
	return state != TDX_SEPT_FREE && td->op_state == TDX_OP_RUNNABLE;
}

/* The block at epoch bepoch is tracked when TD_EPOCH moved past it and no
 * vCPU still runs in it (ABI spec, "TLB Tracking"; the module's
 * is_tlb_tracked). */
static bool tracked(const struct tdx_td *td, u64 bepoch)
{
	if (bepoch + 1 < td->epoch)
		return true;
	return bepoch + 1 == td->epoch && !vcpu_in_epoch(td, bepoch);
}

/* REMOVE, DEMOTE, PROMOTE, UNBLOCK: the entry blocked and the block
 * tracked, when tracking is required. not_blocked: the leaf's answer when
 * the entry is not blocked (UNBLOCK checks its states before). */
static u64 check_tracking(struct tdx_model *m, const struct tdx_td *td,
			  const struct tdx_sept_entry *e, unsigned int level,
			  struct tdx_ext *x)
{
	if (!tracking_required(td, e->state))
		return TDX_SUCCESS;
	if (!is_blocked(e->state)) {
		details(x, e, level);
		return TDX_GPA_RANGE_NOT_BLOCKED | TDX_OPERAND_RCX;
	}
	if (!tracked(td, pamt(m, e->hpa)->bepoch))
		return TDX_TLB_TRACKING_NOT_DONE | TDX_OPERAND_RCX;
	return TDX_SUCCESS;
}

/* ---- TD lifecycle ---- */

u64 tdx_td_create(struct tdx_model *m, u64 id, unsigned int nr_vcpus,
		  enum tdx_td_stage stage)
{
	struct tdx_td *td = NULL;

	/* TDH.MNG.CREATE's RCX is the TDR page: one that is already a TDR
	 * is not PT_NDA. */
	if (find_td(m, id))
		return TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_RCX;
	/* TDH.VP.CREATE past the TD's maximum (the model's 64). */
	if (nr_vcpus > TDX_MAX_VCPUS)
		return TDX_MAX_VCPUS_EXCEEDED;
	for (unsigned int i = 0; i < TDX_MAX_TDS && !td; i++)
		if (!m->td[i].used)
			td = &m->td[i];
	if (!td)
		return TDX_MODEL_NO_MEMORY;
	memset(td, 0, sizeof(*td));
	td->root = table_alloc(m);
	if (!td->root)
		return TDX_MODEL_NO_MEMORY;
	td->used = true;
	td->id = id;
	td->nr_vcpus = nr_vcpus;
	/* TDH.MNG.INIT starts TD_EPOCH at 1 and the measurement. */
	td->epoch = 1;
	sha384_init(&td->mr);
	td->lifecycle = stage == TDX_TD_CREATED ? TDX_LC_HKID_ASSIGNED
						: TDX_LC_KEYS_CONFIGURED;
	td->op_state = stage >= TDX_TD_INITIALIZED ? TDX_OP_INITIALIZED
						   : TDX_OP_UNINITIALIZED;
	if (stage == TDX_TD_RUNNABLE)
		return tdx_td_finalize(m, id);
	return TDX_SUCCESS;
}

/* TDH.MR.FINALIZE: MRTD is the hash of what PAGE.ADD and MR.EXTEND
 * measured, and the TD can run. */
u64 tdx_td_finalize(struct tdx_model *m, u64 id)
{
	struct tdx_td *td;
	u64 st = td_get_excl(m, id, OPS_INIT, &td);

	if (st)
		return st;
	/* TDH.MR.FINALIZE needs an initialised vCPU (TDX_NO_VCPUS). */
	if (!td->nr_vcpus)
		return TDX_NO_VCPUS;
	sha384_final(&td->mr, td->mrtd);
	td->op_state = TDX_OP_RUNNABLE;
	for (unsigned int v = 0; v < td->nr_vcpus; v++)
		td->vcpu_epoch[v] = td->epoch;
	return TDX_SUCCESS;
}

/* TDH.VP.FLUSH, TDH.MNG.VPFLUSHDONE, TDH.PHYMEM.CACHE.WB and
 * TDH.MNG.KEY.FREEID at once: the HKID is gone, the TD is in TEARDOWN,
 * and its pages can be reclaimed. */
u64 tdx_td_teardown(struct tdx_model *m, u64 id)
{
	struct tdx_td *td = find_td(m, id);

	if (!td)
		return TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_RCX;
	td->lifecycle = TDX_LC_TEARDOWN;
	return TDX_SUCCESS;
}

/* TDH.PHYMEM.PAGE.RECLAIM of the TDR itself: only in TEARDOWN, and only
 * once no page is still the TD's (TDR.CHLDCNT 0). */
u64 tdx_td_reclaim(struct tdx_model *m, u64 id)
{
	struct tdx_td *td = find_td(m, id);

	if (!td)
		return TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_RCX;
	if (td->lifecycle != TDX_LC_TEARDOWN)
		return TDX_LIFECYCLE_STATE_INCORRECT;
	if (td->child_pages)
		return TDX_TD_ASSOCIATED_PAGES_EXIST;
	tree_free(m, td->root);
	memset(td, 0, sizeof(*td));
	return TDX_SUCCESS;
}

/* ---- the memory leaves ---- */

/* What SEPT.ADD and AUG check after locate(): the entry is FREE,
 * then the new page at hpa (of hpa_level) is one the leaf may take. */
static u64 free_entry_for(struct tdx_model *m, struct tdx_sept_entry *e,
			  unsigned int level, u64 hpa, unsigned int hpa_level,
			  struct tdx_ext *x)
{
	if (e->state != TDX_SEPT_FREE) {
		details(x, e, level);
		return TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_RCX;
	}
	return hpa_check(m, hpa, hpa_level, TDX_OPERAND_R8);
}

/* TDH.MEM.SEPT.ADD: level 1..3 is the entry that gets the new table. */
u64 tdx_sept_add(struct tdx_model *m, u64 id, u64 gpa, unsigned int level,
		 u64 hpa, struct tdx_ext *xp)
{
	struct tdx_ext dummy, *x = ext_reset(xp, &dummy);
	struct tdx_sept_entry *e;
	struct tdx_table *t;
	struct tdx_td *td;
	u64 st = locate(m, id, OPS_INIT | OPS_RUN, gpa, level, TDX_LEVEL_2M,
			TDX_LEVEL_MAX, &td, &e, x);

	if (!st)
		st = free_entry_for(m, e, level, hpa, TDX_LEVEL_4K, x);
	if (st)
		return st;
	t = table_alloc(m);
	if (!t)
		return TDX_MODEL_NO_MEMORY;
	pamt_set(m, hpa, 1, TDX_PT_EPT, slot_of(m, td), 0);
	td->child_pages++;
	*e = (struct tdx_sept_entry){
		.hpa = hpa, .child = t, .state = TDX_SEPT_NL_MAPPED};
	return TDX_SUCCESS;
}

/* TDH.MEM.PAGE.AUG: a FREE entry at level 0 or 1 becomes PENDING over
 * hpa; the guest's ACCEPT maps it. */
u64 tdx_page_aug(struct tdx_model *m, u64 id, u64 gpa, unsigned int level,
		 u64 hpa, struct tdx_ext *xp)
{
	struct tdx_ext dummy, *x = ext_reset(xp, &dummy);
	struct tdx_sept_entry *e;
	struct tdx_td *td;
	u64 st = locate(m, id, OPS_INIT | OPS_RUN, gpa, level, TDX_LEVEL_4K,
			TDX_LEVEL_2M, &td, &e, x);

	if (!st)
		st = free_entry_for(m, e, level, hpa, level, x);
	if (st)
		return st;
	pamt_set(m, hpa, pages_of(level), TDX_PT_REG, slot_of(m, td),
		 (u8)level);
	td->child_pages += pages_of(level);
	*e = (struct tdx_sept_entry){.hpa = hpa, .state = TDX_SEPT_PENDING};
	return TDX_SUCCESS;
}

/*
 * TDH.MEM.PAGE.ADD (the module's tdh_mem_page_add): before
 * TDH.MR.FINALIZE only, a 4 KiB page copied from src and MAPPED at once,
 * its GPA (not its contents: that is MR.EXTEND's) measured. The TDR is
 * locked exclusively (OPERAND_BUSY on RDX), which covers the S-EPT: no
 * tree or entry lock of its own. After the entry's state, the source
 * (R9: ordinary memory the module only reads, 4 KiB aligned, below
 * MAXPHYADDR; OPERAND_INVALID), then the target (R8). The model keeps no
 * page contents, so the copy is the caller's.
 */
u64 tdx_page_add(struct tdx_model *m, u64 id, u64 gpa, u64 hpa, u64 src,
		 struct tdx_ext *xp)
{
	struct tdx_ext dummy, *x = ext_reset(xp, &dummy);
	struct tdx_sept_entry *e;
	struct tdx_td *td;
	unsigned int stop;
	u64 st = td_get_excl(m, id, OPS_INIT, &td);

	if (st)
		return st;
	if (!page_info_ok(gpa, TDX_LEVEL_4K, TDX_LEVEL_4K, TDX_LEVEL_4K))
		return TDX_OPERAND_INVALID | TDX_OPERAND_RCX;
	st = walk(td, gpa, TDX_LEVEL_4K, &e, &stop);
	if (st) {
		details(x, e, stop);
		return st;
	}
	if (e->state != TDX_SEPT_FREE) {
		details(x, e, TDX_LEVEL_4K);
		return TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_RCX;
	}
	if (!IS_ALIGNED(src, PAGE_4K) || src >= PA_LIMIT)
		return TDX_OPERAND_INVALID | TDX_OPERAND_R9;
	st = hpa_check(m, hpa, TDX_LEVEL_4K, TDX_OPERAND_R8);
	if (st)
		return st;
	pamt_set(m, hpa, 1, TDX_PT_REG, slot_of(m, td), 0);
	td->child_pages++;
	*e = (struct tdx_sept_entry){.hpa = hpa, .state = TDX_SEPT_MAPPED};
	measure(td, "MEM.PAGE.ADD", gpa);
	return TDX_SUCCESS;
}

/*
 * TDH.MR.EXTEND (the module's tdh_mr_extend): INITIALIZED only; RCX a
 * private GPA aligned to 256 bytes (OPERAND_INVALID); the walk to the
 * leaf holding it must end at a MAPPED leaf of any size: a walk that ends
 * anywhere else (FREE, a blocked table, a PENDING or blocked leaf) is
 * EPT_ENTRY_NOT_PRESENT on RCX with the entry where it stopped. The S-EPT
 * tree is not locked on its own: the exclusive TDR lock covers it. The
 * module's second state check (EPT_ENTRY_NOT_PRESENT without operand, a
 * leaf the walk accepts in a state MR.EXTEND does not) takes only the
 * export states, which the model never produces.
 */
u64 tdx_mr_extend(struct tdx_model *m, u64 id, u64 gpa, const void *data,
		  struct tdx_ext *xp)
{
	static const u8 zeros[TDX_MR_CHUNK];
	struct tdx_ext dummy, *x = ext_reset(xp, &dummy);
	struct tdx_table *t;
	struct tdx_td *td;
	u64 st = td_get_excl(m, id, OPS_INIT, &td);

	if (st)
		return st;
	if (!IS_ALIGNED(gpa, TDX_MR_CHUNK) || gpa >= TDX_SHARED_BIT)
		return TDX_OPERAND_INVALID | TDX_OPERAND_RCX;
	t = td->root;
	for (unsigned int l = TDX_LEVEL_MAX;; l--) {
		struct tdx_sept_entry *e = &t->e[idx(gpa, l)];

		if (e->state == TDX_SEPT_MAPPED)
			break;
		if (e->state != TDX_SEPT_NL_MAPPED) {
			details(x, e, l);
			return TDX_EPT_ENTRY_NOT_PRESENT | TDX_OPERAND_RCX;
		}
		t = e->child;
	}
	measure(td, "MR.EXTEND", gpa);
	sha384_update(&td->mr, data ? data : zeros, TDX_MR_CHUNK);
	return TDX_SUCCESS;
}

/* TDH.MEM.RANGE.BLOCK: any level; the block epoch goes to the PAMT entry
 * of the page (or table page) the entry maps. Blocking a blocked entry is
 * the warning GPA_RANGE_ALREADY_BLOCKED and changes nothing. */
u64 tdx_range_block(struct tdx_model *m, u64 id, u64 gpa, unsigned int level,
		    struct tdx_ext *xp)
{
	struct tdx_ext dummy, *x = ext_reset(xp, &dummy);
	struct tdx_sept_entry *e;
	struct tdx_td *td;
	u64 st = locate(m, id, OPS_INIT | OPS_RUN, gpa, level, TDX_LEVEL_4K,
			TDX_LEVEL_MAX, &td, &e, x);
	u8 to;

	if (st)
		return st;
	switch (e->state) {
	case TDX_SEPT_NL_MAPPED:
		to = TDX_SEPT_NL_BLOCKED;
		break;
	case TDX_SEPT_MAPPED:
		to = TDX_SEPT_BLOCKED;
		break;
	case TDX_SEPT_PENDING:
		to = TDX_SEPT_PENDING_BLOCKED;
		break;
	default:
		details(x, e, level);
		if (is_blocked(e->state))
			return TDX_GPA_RANGE_ALREADY_BLOCKED | TDX_OPERAND_RCX;
		return TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_RCX;
	}
	pamt(m, e->hpa)->bepoch = td->epoch;
	e->state = to;
	return TDX_SUCCESS;
}

/* TDH.MEM.RANGE.UNBLOCK: a blocked entry back to its unblocked state,
 * once its block is tracked (TLB_TRACKING_NOT_DONE on RCX). */
u64 tdx_range_unblock(struct tdx_model *m, u64 id, u64 gpa, unsigned int level,
		      struct tdx_ext *xp)
{
	struct tdx_ext dummy, *x = ext_reset(xp, &dummy);
	struct tdx_sept_entry *e;
	struct tdx_td *td;
	u64 st = locate(m, id, OPS_INIT | OPS_RUN, gpa, level, TDX_LEVEL_4K,
			TDX_LEVEL_MAX, &td, &e, x);

	if (st)
		return st;
	if (!is_blocked(e->state)) {
		details(x, e, level);
		return TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_RCX;
	}
	st = check_tracking(m, td, e, level, x);
	if (st)
		return st;
	e->state = unblocked(e->state);
	return TDX_SUCCESS;
}

/* TDH.MEM.TRACK: TD_EPOCH + 1, refused while a vCPU still runs in the
 * previous epoch (PREVIOUS_TLB_EPOCH_BUSY) or while the epoch lock is
 * held (OPERAND_BUSY on TD_EPOCH). */
u64 tdx_track(struct tdx_model *m, u64 id)
{
	struct tdx_td *td;
	u64 st = td_get(m, id, OPS_INIT | OPS_RUN, &td);

	if (st)
		return st;
	if (td->epoch_held)
		return TDX_OPERAND_BUSY | TDX_OPERAND_TD_EPOCH;
	if (vcpu_in_epoch(td, td->epoch - 1))
		return TDX_PREVIOUS_TLB_EPOCH_BUSY;
	td->epoch++;
	return TDX_SUCCESS;
}

/* TDH.MEM.PAGE.REMOVE: a leaf at level 0..2 to FREE, its pages back to
 * PT_NDA; blocked and tracked first while the TD can run. RCX out: the
 * page. */
u64 tdx_page_remove(struct tdx_model *m, u64 id, u64 gpa, unsigned int level,
		    struct tdx_ext *xp)
{
	struct tdx_ext dummy, *x = ext_reset(xp, &dummy);
	struct tdx_sept_entry *e;
	struct tdx_td *td;
	u64 st = locate(m, id, OPS_INIT | OPS_RUN, gpa, level, TDX_LEVEL_4K,
			TDX_LEVEL_MAX - 1, &td, &e, x);
	u64 hpa;

	if (st)
		return st;
	if (!is_leaf(e->state)) {
		details(x, e, level);
		return TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_RCX;
	}
	st = check_tracking(m, td, e, level, x);
	if (st)
		return st;
	hpa = e->hpa;
	pamt_set(m, hpa, pages_of(level), TDX_PT_NDA, 0, 0);
	td->child_pages -= pages_of(level);
	*e = (struct tdx_sept_entry){.state = TDX_SEPT_FREE};
	x->rcx = hpa;
	return TDX_SUCCESS;
}

/*
 * TDH.MEM.PAGE.PROMOTE: the table under a non-leaf entry at level 1 or 2
 * merged into one leaf. Its 512 entries must be leaves in one state,
 * MAPPED or PENDING, over contiguous pages starting at an address aligned
 * to the merged size (EPT_INVALID_PROMOTE_CONDITIONS); the leaf takes
 * that state. RCX out: the table page, now PT_NDA.
 */
u64 tdx_page_promote(struct tdx_model *m, u64 id, u64 gpa, unsigned int level,
		     struct tdx_ext *xp)
{
	struct tdx_ext dummy, *x = ext_reset(xp, &dummy);
	struct tdx_sept_entry *e;
	struct tdx_table *t;
	struct tdx_td *td;
	u64 st = locate(m, id, OPS_INIT | OPS_RUN, gpa, level, TDX_LEVEL_2M,
			TDX_LEVEL_MAX - 1, &td, &e, x);
	u64 step, base, table_hpa;
	u8 state;

	if (st)
		return st;
	if (!is_nl(e->state)) {
		details(x, e, level);
		return TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_RCX;
	}
	st = check_tracking(m, td, e, level, x);
	if (st)
		return st;
	step = tdx_level_size(level - 1);
	t = e->child;
	base = t->e[0].hpa;
	state = t->e[0].state;
	for (unsigned int i = 0; i < TDX_ENTRIES; i++) {
		const struct tdx_sept_entry *c = &t->e[i];

		/* The module locks each child entry first. */
		if (c->held) {
			details(x, e, level);
			return TDX_OPERAND_BUSY | TDX_OPERAND_RCX;
		}
		if ((state != TDX_SEPT_MAPPED && state != TDX_SEPT_PENDING) ||
		    !IS_ALIGNED(base, tdx_level_size(level)) ||
		    c->state != state || c->hpa != base + i * step) {
			details(x, e, level);
			return TDX_EPT_INVALID_PROMOTE_CONDITIONS |
			       TDX_OPERAND_RCX;
		}
	}
	table_hpa = e->hpa;
	pamt_set(m, table_hpa, 1, TDX_PT_NDA, 0, 0);
	td->child_pages--;
	pamt_set(m, base, pages_of(level), TDX_PT_REG, slot_of(m, td),
		 (u8)level);
	table_free(m, t);
	*e = (struct tdx_sept_entry){.hpa = base, .state = state};
	x->rcx = table_hpa;
	return TDX_SUCCESS;
}

/*
 * TDH.MEM.PAGE.DEMOTE: a leaf at level 1 or 2 split over the new table at
 * hpa (R8); the entry becomes NL_MAPPED and its 512 children take the
 * leaf's unblocked state (MAPPED or PENDING) over the same pages.
 */
u64 tdx_page_demote(struct tdx_model *m, u64 id, u64 gpa, unsigned int level,
		    u64 hpa, struct tdx_ext *xp)
{
	struct tdx_ext dummy, *x = ext_reset(xp, &dummy);
	struct tdx_sept_entry *e;
	struct tdx_table *t;
	struct tdx_td *td;
	u64 st = locate(m, id, OPS_INIT | OPS_RUN, gpa, level, TDX_LEVEL_2M,
			TDX_LEVEL_MAX - 1, &td, &e, x);
	u64 step;
	u8 state;

	if (st)
		return st;
	if (!is_leaf(e->state)) {
		details(x, e, level);
		return TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_RCX;
	}
	st = check_tracking(m, td, e, level, x);
	if (st)
		return st;
	st = hpa_check(m, hpa, TDX_LEVEL_4K, TDX_OPERAND_R8);
	if (st)
		return st;
	t = table_alloc(m);
	if (!t)
		return TDX_MODEL_NO_MEMORY;
	state = unblocked(e->state);
	step = tdx_level_size(level - 1);
	for (unsigned int i = 0; i < TDX_ENTRIES; i++)
		t->e[i] = (struct tdx_sept_entry){.hpa = e->hpa + i * step,
						  .state = state};
	pamt_set(m, e->hpa, pages_of(level), TDX_PT_REG, slot_of(m, td),
		 (u8)(level - 1));
	pamt_set(m, hpa, 1, TDX_PT_EPT, slot_of(m, td), 0);
	td->child_pages++;
	*e = (struct tdx_sept_entry){
		.hpa = hpa, .child = t, .state = TDX_SEPT_NL_MAPPED};
	return TDX_SUCCESS;
}

/*
 * TDH.PHYMEM.PAGE.RECLAIM of a TD page (PT_REG or PT_EPT): only once its
 * TD is torn down (LIFECYCLE_STATE_INCORRECT, no operand). A page inside
 * a 2 MiB page is reclaimed whole, by its first address
 * (OPERAND_INVALID otherwise). RCX out: the page type, RDX: the owner.
 */
u64 tdx_page_reclaim(struct tdx_model *m, u64 hpa, struct tdx_ext *xp)
{
	struct tdx_ext dummy, *x = ext_reset(xp, &dummy);
	struct tdx_pamt *p;
	struct tdx_td *td;

	if (!IS_ALIGNED(hpa, PAGE_4K) || hpa >= PA_LIMIT)
		return TDX_OPERAND_INVALID | TDX_OPERAND_RCX;
	if (hpa >= m->size)
		return TDX_OPERAND_ADDR_RANGE_ERROR | TDX_OPERAND_RCX;
	p = pamt(m, hpa);
	if (p->held)
		return TDX_OPERAND_BUSY | TDX_OPERAND_RCX;
	if (p->type == TDX_PT_NDA)
		return TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_RCX;
	td = &m->td[p->owner - 1];
	x->rcx = p->type;
	x->rdx = td->id;
	if (!IS_ALIGNED(hpa, tdx_level_size(p->level)))
		return TDX_OPERAND_INVALID | TDX_OPERAND_RCX;
	if (td->lifecycle != TDX_LC_TEARDOWN)
		return TDX_LIFECYCLE_STATE_INCORRECT;
	td->child_pages -= pages_of(p->level);
	pamt_set(m, hpa, pages_of(p->level), TDX_PT_NDA, 0, 0);
	return TDX_SUCCESS;
}

/* ---- the guest side ---- */

/* A vCPU that can execute: its TD exists and can run. A TD or vCPU the
 * module does not know is PAGE_METADATA_INCORRECT (no TDVPR page there),
 * a TD that cannot run OP_STATE_INCORRECT: the model's answers, since a
 * guest that does not run issues no TDCALL. */
static u64 vcpu_get(struct tdx_model *m, u64 id, unsigned int vcpu,
		    struct tdx_td **out)
{
	struct tdx_td *td = find_td(m, id);

	if (!td || vcpu >= td->nr_vcpus)
		return TDX_PAGE_METADATA_INCORRECT;
	if (td->lifecycle != TDX_LC_KEYS_CONFIGURED ||
	    td->op_state != TDX_OP_RUNNABLE)
		return TDX_OP_STATE_INCORRECT;
	*out = td;
	return TDX_SUCCESS;
}

u64 tdx_vcpu_exit(struct tdx_model *m, u64 id, unsigned int vcpu)
{
	struct tdx_td *td;
	u64 st = vcpu_get(m, id, vcpu, &td);

	if (st)
		return st;
	td->vcpu_epoch[vcpu] = td->epoch;
	return TDX_SUCCESS;
}

/*
 * TDG.MEM.PAGE.ACCEPT (the module's tdg_mem_page_accept): level 0 or 1. A
 * walk that stops above the level at a MAPPED leaf: PAGE_ALREADY_ACCEPTED
 * with the level found; at any other entry (missing table, blocked or
 * pending leaf above; the guest's walk stops at NL_BLOCKED too, it cannot
 * pass a blocked table): an EPT-violation TD exit. At the level: a table
 * is PAGE_SIZE_MISMATCH, MAPPED already accepted, PENDING is zeroed and
 * MAPPED, anything else a TD exit. The 2 MiB accept completes at once (the
 * model has no interrupts to resume from).
 */
u64 tdx_accept(struct tdx_model *m, u64 id, unsigned int vcpu, u64 gpa,
	       unsigned int level, struct tdx_ext *xp)
{
	struct tdx_ext dummy, *x = ext_reset(xp, &dummy);
	struct tdx_table *t;
	struct tdx_td *td;
	u64 st = vcpu_get(m, id, vcpu, &td);

	if (st)
		return st;
	if (!page_info_ok(gpa, level, TDX_LEVEL_4K, TDX_LEVEL_2M))
		return TDX_OPERAND_INVALID | TDX_OPERAND_RCX;
	t = td->root;
	for (unsigned int l = TDX_LEVEL_MAX;; l--) {
		struct tdx_sept_entry *e = &t->e[idx(gpa, l)];

		if (l > level && e->state == TDX_SEPT_NL_MAPPED) {
			t = e->child;
			continue;
		}
		if (l > level) {
			if (e->state == TDX_SEPT_MAPPED)
				return TDX_PAGE_ALREADY_ACCEPTED | l;
			details(x, e, l);
			return TDX_EXIT_EPT_VIOLATION;
		}
		if (e->held)
			return TDX_OPERAND_BUSY | TDX_OPERAND_RCX;
		if (is_nl(e->state))
			return TDX_PAGE_SIZE_MISMATCH | l;
		if (e->state == TDX_SEPT_MAPPED)
			return TDX_PAGE_ALREADY_ACCEPTED | l;
		if (e->state != TDX_SEPT_PENDING) {
			details(x, e, l);
			return TDX_EXIT_EPT_VIOLATION;
		}
		e->state = TDX_SEPT_MAPPED;
		return TDX_SUCCESS;
	}
}

/* ---- the model itself ---- */

struct tdx_model *tdx_model_create(u64 size)
{
	struct tdx_model *m;
	unsigned int order = 0;
	u64 pages = size / PAGE_4K;

	if (!size || !IS_ALIGNED(size, tdx_level_size(TDX_LEVEL_2M)) ||
	    size >= PA_LIMIT)
		return NULL;
	while ((PAGE_4K << order) < pages * sizeof(struct tdx_pamt))
		order++;
	m = kmalloc(sizeof(*m));
	if (!m)
		return NULL;
	memset(m, 0, sizeof(*m));
	m->pamt = alloc_pages(hv_pool, order, OWN_TDX);
	if (!m->pamt) {
		kfree(m, sizeof(*m));
		return NULL;
	}
	m->size = size;
	m->pages = pages;
	m->pamt_order = order;
	return m;
}

void tdx_model_destroy(struct tdx_model *m)
{
	for (unsigned int i = 0; i < TDX_MAX_TDS; i++)
		if (m->td[i].used)
			tree_free(m, m->td[i].root);
	free_pages(hv_pool, m->pamt, m->pamt_order, OWN_TDX);
	kfree(m, sizeof(*m));
}

u64 tdx_model_meta_bytes(const struct tdx_model *m)
{
	return (PAGE_4K << m->pamt_order) +
	       m->tables * (PAGE_4K << TDX_TABLE_ORDER);
}

int tdx_model_hold(struct tdx_model *m, enum tdx_hold what, u64 id, u64 gpa,
		   unsigned int level, bool held)
{
	struct tdx_td *td = find_td(m, id);
	struct tdx_sept_entry *e;
	unsigned int stop;

	switch (what) {
	case TDX_HOLD_TDR:
		if (!td)
			return -EINVAL;
		td->tdr_held = held;
		return 0;
	case TDX_HOLD_PAGE: /* gpa is the page's HPA here */
		if (!IS_ALIGNED(gpa, PAGE_4K) || gpa >= m->size)
			return -EINVAL;
		pamt(m, gpa)->held = held;
		return 0;
	case TDX_HOLD_SEPT_TREE:
		if (!td)
			return -EINVAL;
		td->sept_held = held;
		return 0;
	case TDX_HOLD_EPOCH:
		if (!td)
			return -EINVAL;
		td->epoch_held = held;
		return 0;
	case TDX_HOLD_ENTRY:
		if (!td || level > TDX_LEVEL_MAX ||
		    walk_tables(td, gpa, level, true, &e, &stop))
			return -EINVAL;
		e->held = held;
		return 0;
	}
	return -EINVAL;
}

int tdx_model_entry(const struct tdx_model *m, u64 id, u64 gpa,
		    unsigned int level, struct tdx_entry_info *out)
{
	const struct tdx_td *td = find_ctd(m, id);
	struct tdx_sept_entry *e;
	unsigned int stop;

	if (!td || level > TDX_LEVEL_MAX || gpa >= TDX_SHARED_BIT)
		return -EINVAL;
	out->reached =
		!walk_tables((struct tdx_td *)td, gpa, level, true, &e, &stop);
	out->state = e->state;
	out->level = stop;
	out->hpa = e->hpa;
	return 0;
}

int tdx_model_page(const struct tdx_model *m, u64 hpa,
		   struct tdx_page_info *out)
{
	const struct tdx_pamt *p;
	const struct tdx_pamt *head;

	if (!IS_ALIGNED(hpa, PAGE_4K) || hpa >= m->size)
		return -EINVAL;
	p = &m->pamt[hpa / PAGE_4K];
	head = &m->pamt[ALIGN_DOWN(hpa, tdx_level_size(p->level)) / PAGE_4K];
	out->type = p->type;
	out->owner = p->owner ? m->td[p->owner - 1].id : 0;
	out->level = p->level;
	out->bepoch = head->bepoch;
	return 0;
}

int tdx_model_td(const struct tdx_model *m, u64 id, struct tdx_td_info *out)
{
	const struct tdx_td *td = find_ctd(m, id);

	if (!td)
		return -EINVAL;
	*out = (struct tdx_td_info){
		.finalized = td->op_state == TDX_OP_RUNNABLE,
		.keys_configured = td->lifecycle != TDX_LC_HKID_ASSIGNED,
		.torn_down = td->lifecycle == TDX_LC_TEARDOWN,
		.epoch = td->epoch,
		.child_pages = td->child_pages,
		.nr_vcpus = td->nr_vcpus,
	};
	memcpy(out->mrtd, td->mrtd, sizeof(out->mrtd));
	return 0;
}

/* One table of a live TD: every entry consistent with the PAMT; *pages
 * counts the pages its entries hold. */
static int check_table(const struct tdx_model *m, u32 owner,
		       const struct tdx_table *t, unsigned int level,
		       u64 *pages)
{
	for (unsigned int i = 0; i < TDX_ENTRIES; i++) {
		const struct tdx_sept_entry *e = &t->e[i];
		const struct tdx_pamt *p;
		u64 n = pages_of(level);
		int ret;

		if (e->state == TDX_SEPT_FREE) {
			CHECK(!e->hpa && !e->child,
			      "level %u entry %u: FREE but maps %#llx", level,
			      i, (unsigned long long)e->hpa);
			continue;
		}
		CHECK(e->hpa < m->size, "level %u entry %u: HPA %#llx outside",
		      level, i, (unsigned long long)e->hpa);
		p = &m->pamt[e->hpa / PAGE_4K];
		if (is_nl(e->state)) {
			CHECK(level > 0 && e->child,
			      "level %u entry %u: table entry without table",
			      level, i);
			CHECK(p->type == TDX_PT_EPT && p->owner == owner,
			      "table page %#llx: PAMT type %u owner %u",
			      (unsigned long long)e->hpa, p->type, p->owner);
			++*pages;
			ret = check_table(m, owner, e->child, level - 1, pages);
			if (ret)
				return ret;
			continue;
		}
		CHECK(is_leaf(e->state) && !e->child && level < TDX_LEVEL_MAX,
		      "level %u entry %u: bad state %#x", level, i, e->state);
		CHECK(IS_ALIGNED(e->hpa, tdx_level_size(level)) &&
			      m->size - e->hpa >= tdx_level_size(level),
		      "level %u entry %u: HPA %#llx misaligned or past the "
		      "end",
		      level, i, (unsigned long long)e->hpa);
		for (u64 j = 0; j < n; j++) {
			const struct tdx_pamt *q = p + j;

			CHECK(q->type == TDX_PT_REG && q->owner == owner &&
				      q->level == level,
			      "page %#llx: PAMT type %u owner %u level %u, "
			      "mapped by TD slot %u at level %u",
			      (unsigned long long)(e->hpa + j * PAGE_4K),
			      q->type, q->owner, q->level, owner, level);
		}
		*pages += n;
	}
	return 0;
}

int tdx_model_check(const struct tdx_model *m)
{
	u64 owned[TDX_MAX_TDS + 1] = {0};

	for (u64 i = 0; i < m->pages; i++) {
		const struct tdx_pamt *p = &m->pamt[i];

		if (p->type == TDX_PT_NDA) {
			CHECK(!p->owner, "page %#llx: free but owned",
			      (unsigned long long)(i * PAGE_4K));
			continue;
		}
		CHECK(p->owner && p->owner <= TDX_MAX_TDS &&
			      m->td[p->owner - 1].used,
		      "page %#llx: owner %u is no TD",
		      (unsigned long long)(i * PAGE_4K), p->owner);
		owned[p->owner]++;
	}
	for (unsigned int s = 0; s < TDX_MAX_TDS; s++) {
		const struct tdx_td *td = &m->td[s];
		u64 mapped = 0;
		int ret;

		if (!td->used)
			continue;
		CHECK(owned[s + 1] == td->child_pages,
		      "TD %llu: %llu pages owned, child count %llu",
		      (unsigned long long)td->id,
		      (unsigned long long)owned[s + 1],
		      (unsigned long long)td->child_pages);
		/* A torn-down TD's S-EPT is dead: its pages are reclaimed
		 * one by one while it still names them. */
		if (td->lifecycle == TDX_LC_TEARDOWN)
			continue;
		ret = check_table(m, s + 1, td->root, TDX_LEVEL_MAX, &mapped);
		if (ret)
			return ret;
		CHECK(mapped == td->child_pages,
		      "TD %llu: S-EPT maps %llu pages, child count %llu",
		      (unsigned long long)td->id, (unsigned long long)mapped,
		      (unsigned long long)td->child_pages);
	}
	return 0;
}
