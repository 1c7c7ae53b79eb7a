// SPDX-License-Identifier: MIT
/*
 * hv/snp/rmp_model.c - the software RMP (hv/snp/rmp.h): one 16-byte entry
 * per 4 KiB page of its range, the cost of the real table (APM vol. 2
 * §15.36.4: 16 bytes per page). A 2 MiB page is its 2 MiB-aligned entry
 * with the page-size bit; the 511 entries behind it stay hypervisor-owned
 * (which is what lets RMPUPDATE refuse an overlap), so the entry that
 * governs a page is the 2 MiB entry when one is assigned over it, else its
 * own.
 *
 * Rules cite the APM: vol. 2 §15.36.3 (RMP fields, ownership), §15.36.5
 * (RMPUPDATE), §15.36.6 (PVALIDATE), §15.36.7 (VMPLs, RMPADJUST),
 * §15.36.10 (RMP checks, Tables 15-39/15-40), §15.36.11 (PSMASH); vol. 3
 * for each instruction's return codes. Where the sources leave the order
 * of two checks or a value open, the choice is said at the check and in
 * hv/snp/README.md.
 */
#define CHECK_PREFIX "rmp_check"

#include "hv/alloc.h"
#include "hv/base/check.h"
#include "hv/base/kmalloc.h"
#include "hv/snp/rmp_model_int.h"
#include "lib/errno.h"
#include "lib/mem.h"

static const struct rmp_ops model_ops;

static const struct rmp_model *to_cmodel(const struct rmp *r)
{
	return container_of(r, const struct rmp_model, rmp);
}

/* Is the page at spa inside the range? Pages outside are not RMP-covered:
 * FAIL_INPUT for every instruction that names one. Callers check spa's
 * alignment to their page size first, and the range is a whole number of
 * 2 MiB regions, so a covered page of either size is covered whole. */
static bool covered(const struct rmp_model *m, phys_addr_t spa)
{
	u64 off = spa - m->rmp.base; /* huge when spa is below the base */

	return off < m->rmp.size;
}

static u64 idx(const struct rmp_model *m, phys_addr_t spa)
{
	return (spa - m->rmp.base) / RMP_PAGE_4K;
}

static bool is_2m_page(const struct rmp_entry *e)
{
	return (e->flags & (RMPE_ASSIGNED | RMPE_2M)) ==
	       (RMPE_ASSIGNED | RMPE_2M);
}

/* The 2 MiB-aligned entry of the region holding the page at spa (the
 * range is 2 MiB aligned, so it is in the range too). */
static struct rmp_entry *region_head(struct rmp_model *m, phys_addr_t spa)
{
	return &m->e[idx(m, ALIGN_DOWN(spa, RMP_PAGE_2M))];
}

/* The entry that decides for the page at spa (see the file comment). */
static struct rmp_entry *governing(struct rmp_model *m, phys_addr_t spa)
{
	struct rmp_entry *h = region_head(m, spa);

	return is_2m_page(h) ? h : &m->e[idx(m, spa)];
}

static void fill_info(const struct rmp_entry *e, struct rmp_info *out)
{
	*out = (struct rmp_info){
		.gpa = e->gpa,
		.assigned = e->flags & RMPE_ASSIGNED,
		.size_2m = e->flags & RMPE_2M,
		.immutable = e->flags & RMPE_IMMUTABLE,
		.validated = e->flags & RMPE_VALIDATED,
		.vmsa = e->flags & RMPE_VMSA,
		.asid = e->asid,
		.perms = {RMP_PERM_ALL, e->perms[0], e->perms[1], e->perms[2]},
	};
}

static bool any_in_use(const struct rmp_entry *e, u64 n)
{
	for (u64 i = 0; i < n; i++)
		if (e[i].flags & RMPE_IN_USE)
			return true;
	return false;
}

/* The new entry must be well formed (APM vol. 3 RMPUPDATE, FAIL_INPUT):
 * GPA page aligned, 2 MiB aligned for an assigned 2 MiB page, below 2^52;
 * a hypervisor-owned page has ASID 0 and is not immutable (vol. 2
 * §15.36.3, Table 15-35: the owner encodings). */
static bool state_ok(const struct rmp_state *st)
{
	u64 align = st->size_2m && st->assigned ? RMP_PAGE_2M : RMP_PAGE_4K;

	if (!IS_ALIGNED(st->gpa, align) || st->gpa >= RMP_GPA_LIMIT)
		return false;
	return st->assigned || (!st->asid && !st->immutable);
}

static enum rmp_ret model_rmpupdate(struct rmp *r, u32 asid, phys_addr_t spa,
				    const struct rmp_state *st)
{
	struct rmp_model *m = rmp_to_model(r);
	u64 len = st->size_2m ? RMP_PAGE_2M : RMP_PAGE_4K;
	struct rmp_entry *e, *head;

	/* A host instruction: from a guest, FAIL_PERMISSION. */
	if (asid)
		return RMP_FAIL_PERMISSION;
	/* SPA aligned to the new page size and covered. */
	if (!IS_ALIGNED(spa, len) || !covered(m, spa) || !state_ok(st))
		return RMP_FAIL_INPUT;
	e = &m->e[idx(m, spa)];
	head = region_head(m, spa);
	/* An immutable entry refuses RMPUPDATE (§15.36.3 Immutable). */
	if (governing(m, spa)->flags & RMPE_IMMUTABLE)
		return RMP_FAIL_PERMISSION;
	/* A page the CPU holds in use: a running vCPU's VMCB or VMSA (VMRUN,
	 * Table 15-41). */
	if (any_in_use(e, len / RMP_PAGE_4K))
		return RMP_FAIL_INUSE;
	/*
	 * Overlap (§15.36.5): a 4 KiB entry inside an assigned 2 MiB page,
	 * or a 2 MiB entry over a region where another 4 KiB entry is
	 * assigned. A 2 MiB entry that is not assigned overlaps nothing, so
	 * what rmp_make_shared(2M) leaves behind never blocks 4 KiB updates.
	 * The 2 MiB entry's own 4 KiB entry is the one being replaced and
	 * does not count (our reading: the sources do not say); behind an
	 * assigned 2 MiB page the other 511 are all hypervisor-owned.
	 */
	if (!st->size_2m && is_2m_page(head))
		return RMP_FAIL_OVERLAP;
	if (st->size_2m)
		for (u64 i = 1; i < RMP_PAGES_2M; i++)
			if (e[i].flags & RMPE_ASSIGNED)
				return RMP_FAIL_OVERLAP;
	/* The new entry: Validated and VMSA cleared, VMPL1-3 without
	 * rights (§15.36.5: RMPUPDATE clears Validated). */
	if (st->size_2m)
		for (u64 i = 1; i < RMP_PAGES_2M; i++)
			e[i] = (struct rmp_entry){.flags = e[i].flags &
							   RMPE_IN_USE};
	*e = (struct rmp_entry){
		.gpa = st->gpa,
		.asid = st->asid,
		.flags = (e->flags & RMPE_IN_USE) |
			 (st->assigned ? RMPE_ASSIGNED : 0) |
			 (st->size_2m ? RMPE_2M : 0) |
			 (st->immutable ? RMPE_IMMUTABLE : 0),
	};
	/* Every page the update covers is now assigned or hypervisor-owned
	 * as st says (behind a 2 MiB entry the other 511 are not assigned
	 * either way); host writes follow (rmp_model_guard_host). */
	if (m->guard_host)
		plat_rmp_guard(spa, len, !st->assigned);
	return RMP_SUCCESS;
}

static enum rmp_ret model_psmash(struct rmp *r, u32 asid, phys_addr_t spa)
{
	struct rmp_model *m = rmp_to_model(r);
	struct rmp_entry *e, h;

	if (asid)
		return RMP_FAIL_PERMISSION;
	if (!IS_ALIGNED(spa, RMP_PAGE_2M) || !covered(m, spa))
		return RMP_FAIL_INPUT;
	e = &m->e[idx(m, spa)];
	/* Only an assigned 2 MiB page can be smashed (§15.36.11); a 4 KiB
	 * entry or a hypervisor-owned 2 MiB one is FAIL_BADADDR. Checked
	 * before the in-use marks (our order). */
	if (!is_2m_page(e))
		return RMP_FAIL_BADADDR;
	if (any_in_use(e, RMP_PAGES_2M))
		return RMP_FAIL_INUSE;
	/* 512 4 KiB entries with the 2 MiB entry's owner, immutability,
	 * Validated, VMSA and permissions, each at its own GPA. */
	h = *e;
	for (u64 i = 0; i < RMP_PAGES_2M; i++)
		e[i] = (struct rmp_entry){
			.gpa = h.gpa + i * RMP_PAGE_4K,
			.asid = h.asid,
			.perms = {h.perms[0], h.perms[1], h.perms[2]},
			.flags = (h.flags & RMPE_STATE & ~RMPE_2M) |
				 (e[i].flags & RMPE_IN_USE),
		};
	return RMP_SUCCESS;
}

static enum rmp_ret model_rmpread(struct rmp *r, u32 asid, phys_addr_t spa,
				  struct rmp_info *out)
{
	struct rmp_model *m = rmp_to_model(r);

	if (asid)
		return RMP_FAIL_PERMISSION;
	if (!IS_ALIGNED(spa, RMP_PAGE_4K) || !covered(m, spa))
		return RMP_FAIL_INPUT;
	fill_info(governing(m, spa), out);
	return RMP_SUCCESS;
}

static void model_destroy(struct rmp *r)
{
	struct rmp_model *m = rmp_to_model(r);

	/* A page freed while still assigned (snp_cc.c says when) must not
	 * stay guarded once no RMP says it is the guest's. */
	for (u64 i = 0; m->guard_host && i < m->pages; i++)
		if (m->e[i].flags & RMPE_ASSIGNED)
			plat_rmp_guard(m->rmp.base + i * RMP_PAGE_4K,
				       is_2m_page(&m->e[i]) ? RMP_PAGE_2M :
							      RMP_PAGE_4K,
				       true);
	free_pages(hv_pool, m->e, m->order, OWN_RMP);
	kfree(m, sizeof(*m));
}

static const struct rmp_ops model_ops = {
	.name = "model",
	.rmpupdate = model_rmpupdate,
	.psmash = model_psmash,
	.rmpread = model_rmpread,
	.destroy = model_destroy,
};

struct rmp *rmp_model_create(phys_addr_t base, u64 size)
{
	struct rmp_model *m;
	unsigned int order = 0;
	u64 pages = size / RMP_PAGE_4K;

	if (!size || !IS_ALIGNED(base, RMP_PAGE_2M) ||
	    !IS_ALIGNED(size, RMP_PAGE_2M) || base + size < base)
		return NULL;
	while ((PAGE_SIZE << order) < pages * sizeof(struct rmp_entry))
		order++;
	m = kmalloc(sizeof(*m)); /* NULL without hv_pool too */
	if (!m)
		return NULL;
	m->e = alloc_pages(hv_pool, order, OWN_RMP);
	if (!m->e) {
		kfree(m, sizeof(*m));
		return NULL;
	}
	m->rmp = (struct rmp){.ops = &model_ops, .base = base, .size = size};
	m->pages = pages;
	m->order = order;
	m->guard_host = false;
	return &m->rmp;
}

void rmp_model_guard_host(struct rmp *r)
{
	rmp_to_model(r)->guard_host = true;
}

bool rmp_is_model(const struct rmp *r)
{
	return r->ops == &model_ops;
}

u64 rmp_model_meta_bytes(const struct rmp *r)
{
	return (u64)PAGE_SIZE << to_cmodel(r)->order;
}

int rmp_model_set_in_use(struct rmp *r, phys_addr_t spa, bool in_use)
{
	struct rmp_model *m = rmp_to_model(r);
	struct rmp_entry *e;

	if (!IS_ALIGNED(spa, RMP_PAGE_4K) || !covered(m, spa))
		return -EINVAL;
	e = &m->e[idx(m, spa)];
	e->flags = in_use ? e->flags | RMPE_IN_USE : e->flags & ~RMPE_IN_USE;
	return 0;
}

/*
 * What PVALIDATE, RMPADJUST and RMPQUERY share: the operands, then the
 * RMP checks of a guest access to the page (Table 15-39): guest-owned by
 * this ASID, at this GPA (reverse map), mutable, else a nested page fault;
 * then the page size (Table 15-40): a 2 MiB operand on a 4 KiB entry is
 * FAIL_SIZEMISMATCH, a 4 KiB operand on a 2 MiB entry a nested page fault
 * with SIZEM (the hypervisor PSMASHes and retries). *out is the governing
 * entry.
 */
static enum rmp_ret guest_page(struct rmp_model *m, const struct rmp_guest *g,
			       u64 gpa, phys_addr_t spa, bool size_2m,
			       struct rmp_entry **out)
{
	u64 len = size_2m ? RMP_PAGE_2M : RMP_PAGE_4K;
	struct rmp_entry *e;
	u64 want_gpa;

	/* Guest-side instructions exist only inside an SNP guest; ASID 0
	 * is the hypervisor's. */
	if (!g->asid)
		return RMP_FAULT_UD;
	/* A 2 MiB operand must be 2 MiB aligned (vol. 3: FAIL_INPUT); the
	 * SPA follows from the guest's nested mapping, which maps a 2 MiB
	 * page at a 2 MiB-aligned SPA, and must be RMP-covered. */
	if (!IS_ALIGNED(gpa, len) || !IS_ALIGNED(spa, len) ||
	    gpa >= RMP_GPA_LIMIT || !covered(m, spa))
		return RMP_FAIL_INPUT;
	e = governing(m, spa);
	want_gpa = e->gpa +
		   (is_2m_page(e) ? spa - ALIGN_DOWN(spa, RMP_PAGE_2M) : 0);
	if (!(e->flags & RMPE_ASSIGNED) || e->asid != g->asid ||
	    want_gpa != gpa || (e->flags & RMPE_IMMUTABLE))
		return RMP_FAULT_NPF;
	if (size_2m && !(e->flags & RMPE_2M))
		return RMP_FAIL_SIZEMISMATCH;
	if (!size_2m && (e->flags & RMPE_2M))
		return RMP_FAULT_NPF_SIZEM;
	*out = e;
	return RMP_SUCCESS;
}

enum rmp_ret rmp_model_pvalidate(struct rmp *r, const struct rmp_guest *g,
				 u64 gpa, phys_addr_t spa, bool size_2m,
				 bool validate)
{
	struct rmp_entry *e;
	enum rmp_ret ret =
		guest_page(rmp_to_model(r), g, gpa, spa, size_2m, &e);

	if (ret)
		return ret;
	/* Already in the asked state: CF=1, nothing written (§15.36.6). */
	if (!!(e->flags & RMPE_VALIDATED) == validate)
		return RMP_NO_UPDATE;
	e->flags = validate ? e->flags | RMPE_VALIDATED
			    : e->flags & ~RMPE_VALIDATED;
	return RMP_SUCCESS;
}

/* RMPADJUST and RMPQUERY name a target VMPL: it must exist (FAIL_INPUT)
 * and be less privileged than the caller's, a higher number
 * (FAIL_PERMISSION, §15.36.7). Register checks, so before the page. */
static enum rmp_ret target_ok(const struct rmp_guest *g, unsigned int target)
{
	if (target >= RMP_NR_VMPL)
		return RMP_FAIL_INPUT;
	if (target <= g->vmpl)
		return RMP_FAIL_PERMISSION;
	return RMP_SUCCESS;
}

enum rmp_ret rmp_model_rmpadjust(struct rmp *r, const struct rmp_guest *g,
				 u64 gpa, phys_addr_t spa, bool size_2m,
				 unsigned int target_vmpl, unsigned int perms,
				 bool vmsa)
{
	struct rmp_entry *e;
	enum rmp_ret ret;
	u8 mine;

	if (!g->asid)
		return RMP_FAULT_UD;
	if (perms & ~RMP_PERM_ALL)
		return RMP_FAIL_INPUT;
	ret = target_ok(g, target_vmpl);
	if (!ret)
		ret = guest_page(rmp_to_model(r), g, gpa, spa, size_2m, &e);
	if (ret)
		return ret;
	/* RMPADJUST accesses the page: the Validated check of Table 15-39
	 * comes before the VMPL one, so an unvalidated page is #VC 0x404
	 * (our reading; the APM does not list a return code for it). */
	if (!(e->flags & RMPE_VALIDATED))
		return RMP_FAULT_VC_NOT_VALIDATED;
	/* No VMPL can grant a right it does not hold (§15.36.7). */
	mine = g->vmpl ? e->perms[g->vmpl - 1] : RMP_PERM_ALL;
	if (perms & ~mine)
		return RMP_FAIL_PERMISSION;
	e->perms[target_vmpl - 1] = perms;
	/* The VMSA bit changes only at VMPL0; elsewhere it is ignored. */
	if (!g->vmpl)
		e->flags = vmsa ? e->flags | RMPE_VMSA : e->flags & ~RMPE_VMSA;
	return RMP_SUCCESS;
}

enum rmp_ret rmp_model_rmpquery(struct rmp *r, const struct rmp_guest *g,
				u64 gpa, phys_addr_t spa,
				unsigned int target_vmpl, u8 *perms, bool *vmsa,
				bool *size_2m)
{
	struct rmp_model *m = rmp_to_model(r);
	struct rmp_entry *e;
	enum rmp_ret ret;

	if (!g->asid)
		return RMP_FAULT_UD;
	ret = target_ok(g, target_vmpl);
	if (ret)
		return ret;
	/* RMPQUERY takes no size operand: the entry that governs the page
	 * answers, whatever its size. */
	ret = guest_page(m, g, gpa, spa, false, &e);
	if (ret == RMP_FAULT_NPF_SIZEM)
		ret = guest_page(m, g, ALIGN_DOWN(gpa, RMP_PAGE_2M),
				 ALIGN_DOWN(spa, RMP_PAGE_2M), true, &e);
	if (ret)
		return ret;
	*perms = e->perms[target_vmpl - 1];
	*vmsa = e->flags & RMPE_VMSA;
	*size_2m = e->flags & RMPE_2M;
	return RMP_SUCCESS;
}

int rmp_model_check(const struct rmp *r)
{
	const struct rmp_model *m = to_cmodel(r);

	for (u64 i = 0; i < m->pages; i++) {
		const struct rmp_entry *e = &m->e[i];
		phys_addr_t spa = m->rmp.base + i * RMP_PAGE_4K;
		bool head = IS_ALIGNED(spa, RMP_PAGE_2M);

		CHECK(!(e->flags & RMPE_2M) || head,
		      "entry %#llx: 2 MiB size off a 2 MiB boundary",
		      (unsigned long long)spa);
		if (!(e->flags & RMPE_ASSIGNED)) {
			CHECK(!(e->flags & (RMPE_IMMUTABLE | RMPE_VALIDATED |
					    RMPE_VMSA)) &&
				      !e->asid && !e->perms[0] &&
				      !e->perms[1] && !e->perms[2],
			      "entry %#llx: hypervisor-owned but keeps "
			      "guest state (flags %#x asid %u)",
			      (unsigned long long)spa, e->flags, e->asid);
			continue;
		}
		CHECK(IS_ALIGNED(e->gpa,
				 is_2m_page(e) ? RMP_PAGE_2M : RMP_PAGE_4K),
		      "entry %#llx: GPA %#llx misaligned for its size",
		      (unsigned long long)spa, (unsigned long long)e->gpa);
		if (!is_2m_page(e))
			continue;
		for (u64 j = 1; j < RMP_PAGES_2M; j++)
			CHECK(!(e[j].flags & RMPE_ASSIGNED),
			      "entry %#llx: assigned 4 KiB page inside the "
			      "2 MiB page at %#llx",
			      (unsigned long long)(spa + j * RMP_PAGE_4K),
			      (unsigned long long)spa);
	}
	return 0;
}

/*
 * What SNP_LAUNCH_UPDATE (SNP firmware ABI 56860, "SNP_LAUNCH_UPDATE")
 * does to the RMP entry of one 4 KiB page of an SNP guest's initial
 * memory: the page, assigned to the guest at gpa, becomes Validated
 * without the guest's PVALIDATE. The firmware refuses a page in another
 * state (INVALID_PAGE_STATE); the model answers FAIL_INPUT.
 */
enum rmp_ret rmp_model_launch_update(struct rmp *r, phys_addr_t spa, u32 asid,
				     u64 gpa)
{
	struct rmp_model *m = rmp_to_model(r);
	struct rmp_entry *e;

	if (!IS_ALIGNED(spa, RMP_PAGE_4K) || !covered(m, spa) || !asid)
		return RMP_FAIL_INPUT;
	e = &m->e[idx(m, spa)];
	if ((e->flags & (RMPE_ASSIGNED | RMPE_2M | RMPE_IMMUTABLE)) !=
		    RMPE_ASSIGNED ||
	    e->asid != asid || e->gpa != gpa)
		return RMP_FAIL_INPUT;
	e->flags |= RMPE_VALIDATED;
	return RMP_SUCCESS;
}
