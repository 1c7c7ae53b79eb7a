// SPDX-License-Identifier: MIT
/*
 * hv/snp/snp_cc.c - SEV-SNP's cc_ops (hv/snp/snp.h): gmem drives the RMP
 * as Linux's arch/x86/kvm/svm/sev.c does (sev_gmem_prepare,
 * sev_gmem_invalidate, sev_gmem_max_mapping_level), over the rmp.h
 * interface only, so the same hooks run on the model and on hardware.
 *
 *  - prepare: a private page's first use assigns it to the VM's ASID at
 *    its GPA (RMPUPDATE, APM vol. 3), one 2 MiB entry where the block is
 *    2 MiB, pa and gfn are aligned and every page of it is
 *    hypervisor-owned (Linux's is_large_rmp_possible), else 4 KiB entries;
 *    a page already assigned to the VM at that GPA is left alone.
 *  - convert to shared and invalidate (every free): per assigned entry,
 *    PSMASH first when a 2 MiB entry is only partly covered, then
 *    RMPUPDATE hypervisor-owned, so the allocator's scrub writes only
 *    hypervisor-owned pages. Conversion to private does nothing: prepare
 *    runs at the next private fault.
 *  - split (a punch of part of a 2 MiB block): PSMASH.
 *  - max_order: an assigned page maps no larger than its entry; an
 *    unassigned one at 2 MiB only where the whole 2 MiB is
 *    hypervisor-owned (what prepare then assigns as one entry).
 *
 * Where Linux retries PSMASH while it returns FAIL_INUSE (a transient
 * state on hardware), this code fails with -EBUSY: the model's in-use
 * pages (a running vCPU's VMSA) stay in use, and a retry would spin.
 */
#define CHECK_PREFIX "snp_check"

#include "hv/snp/snp_int.h"
#include "hv/alloc.h"
#include "hv/base/check.h"
#include "hv/base/kmalloc.h"
#include "hv/kvm_abi.h"
#include "hv/vm.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define PAGES_2M (RMP_PAGE_2M / RMP_PAGE_4K)

struct rmp *snp_rmp_now;
static bool rmp_is_made; /* snp_rmp_now is a model this file made */
static bool guard_host = true; /* models made from now on guard host writes */
/* Pages gmem leaked while they were assigned (snp_invalidate), for the
 * checker; they go with the model. */
static u64 leaked;
static unsigned int nr_snp_vms;
static u64 asids_used; /* bit i: ASID i belongs to a live SNP VM */

struct rmp *snp_rmp(void)
{
	return snp_rmp_now;
}

u32 snp_vm_asid(const struct vm *vm)
{
	const struct snp_vm *s = vm_cc_state(vm);

	return vm_cc(vm)->vm_type == GMV_VM_SNP && s ? s->asid : 0;
}

static int rmp_errno(enum rmp_ret ret)
{
	switch (ret) {
	case RMP_SUCCESS:
		return 0;
	case RMP_FAIL_INUSE:
		return -EBUSY;
	case RMP_FAIL_PERMISSION:
		return -EPERM;
	default:
		return -EIO;
	}
}

/* Report a failed instruction and turn it into an errno. */
static int failed(const char *insn, phys_addr_t spa, enum rmp_ret ret)
{
	kprintf("# snp: %s of %p: %s\n", insn, (void *)spa, rmp_ret_name(ret));
	return rmp_errno(ret);
}

/* Is every page of the 2 MiB region at pa2m hypervisor-owned? (Linux's
 * is_pfn_range_shared.) Every page is read: a hypervisor-owned 2 MiB
 * entry does not govern the 4 KiB entries behind it, which may be
 * assigned (APM vol. 2 §15.36.5: only an assigned 2 MiB page overlaps). */
static bool region_unassigned(phys_addr_t pa2m)
{
	struct rmp_info i;

	for (u64 k = 0; k < PAGES_2M; k++)
		if (rmpread(snp_rmp_now, pa2m + k * RMP_PAGE_4K, &i) ||
		    i.assigned)
			return false;
	return true;
}

static enum rmp_ret assign(phys_addr_t pa, u64 gpa, bool size_2m, u32 asid)
{
	struct rmp_state st = {
		.gpa = gpa, .assigned = true, .size_2m = size_2m, .asid = asid};

	return rmpupdate(snp_rmp_now, pa, &st);
}

/* Assign the 4 KiB page at pa to asid at gpa, smashing a 2 MiB entry
 * that governs it for another owner or GPA. */
static int assign_4k(phys_addr_t pa, u64 gpa, u32 asid)
{
	phys_addr_t head = ALIGN_DOWN(pa, RMP_PAGE_2M);
	struct rmp_info i;
	enum rmp_ret ret;

	ret = rmpread(snp_rmp_now, pa, &i);
	if (ret)
		return failed("RMPREAD", pa, ret);
	if (i.assigned && i.asid == asid &&
	    i.gpa + (i.size_2m ? pa - head : 0) == gpa)
		return 0; /* sev_gmem_prepare: assigned already */
	if (i.assigned && i.size_2m) {
		ret = psmash(snp_rmp_now, head);
		if (ret)
			return failed("PSMASH", head, ret);
	}
	ret = assign(pa, gpa, false, asid);
	return ret ? failed("RMPUPDATE", pa, ret) : 0;
}

static int snp_prepare(struct vm *vm, u64 gfn, phys_addr_t pa,
		       unsigned int order)
{
	u32 asid = snp_vm_asid(vm);
	u64 gpa = gfn << PAGE_SHIFT;
	struct rmp_info i;
	enum rmp_ret ret;
	int r;

	if (!asid)
		return -EINVAL;
	if (order >= 9 && IS_ALIGNED(pa, RMP_PAGE_2M) &&
	    IS_ALIGNED(gpa, RMP_PAGE_2M)) {
		ret = rmpread(snp_rmp_now, pa, &i);
		if (ret)
			return failed("RMPREAD", pa, ret);
		if (i.assigned && i.size_2m && i.asid == asid && i.gpa == gpa)
			return 0;
		if ((i.assigned && i.size_2m) || region_unassigned(pa)) {
			ret = assign(pa, gpa, true, asid);
			return ret ? failed("RMPUPDATE", pa, ret) : 0;
		}
	}
	for (u64 k = 0; k < (1ULL << order); k++) {
		r = assign_4k(pa + k * RMP_PAGE_4K, gpa + k * RMP_PAGE_4K,
			      asid);
		if (r)
			return r;
	}
	return 0;
}

/*
 * Make the 2^order pages at pa hypervisor-owned (sev_gmem_invalidate):
 * an assigned 2 MiB entry the range covers whole in one RMPUPDATE, one
 * it covers in part PSMASHed first, 4 KiB entries one by one. Stops at
 * the first failure, the pages before it hypervisor-owned.
 */
static int reclaim(phys_addr_t pa, unsigned int order)
{
	u64 n = 1ULL << order, k = 0;
	struct rmp_info i;
	enum rmp_ret ret;

	while (k < n) {
		phys_addr_t p = pa + k * RMP_PAGE_4K;
		bool whole;

		ret = rmpread(snp_rmp_now, p, &i);
		if (ret)
			return failed("RMPREAD", p, ret);
		if (!i.assigned) {
			k++;
			continue;
		}
		whole = i.size_2m && IS_ALIGNED(p, RMP_PAGE_2M) &&
			n - k >= PAGES_2M;
		if (i.size_2m && !whole) {
			ret = psmash(snp_rmp_now, ALIGN_DOWN(p, RMP_PAGE_2M));
			if (ret)
				return failed("PSMASH",
					      ALIGN_DOWN(p, RMP_PAGE_2M), ret);
		}
		ret = rmpupdate(snp_rmp_now, p,
				&(struct rmp_state){.size_2m = whole});
		if (ret)
			return failed("RMPUPDATE", p, ret);
		k += whole ? PAGES_2M : 1;
	}
	return 0;
}

static u64 guest_pages_in(phys_addr_t lo, phys_addr_t hi);

/* Linux leaks what it cannot reclaim (snp_leak_pages): so does gmem when
 * this fails, and the pages still assigned are counted for the checker. */
static int snp_invalidate(phys_addr_t pa, unsigned int order)
{
	int r = reclaim(pa, order);

	if (r)
		leaked += guest_pages_in(pa, pa + (PAGE_SIZE << order));
	return r;
}

/*
 * KVM_SEV_SNP_LAUNCH_UPDATE's RMP side (sev_gmem_post_populate): each
 * page is assigned at 4 KiB (a 2 MiB entry prepare made is PSMASHed), then
 * the firmware's SNP_LAUNCH_UPDATE makes it Validated. On hardware that
 * needs the PSP firmware, which gmemvisor does not drive: only the model
 * launches. The VM has no vCPU yet (vm_launch_update), so no translation
 * of the 2 MiB entry exists to drop.
 */
static int snp_launch_update(struct vm *vm, u64 gfn, phys_addr_t pa)
{
	phys_addr_t head = ALIGN_DOWN(pa, RMP_PAGE_2M);
	struct rmp_info i;
	enum rmp_ret ret;

	ret = rmpread(snp_rmp_now, pa, &i);
	if (ret)
		return failed("RMPREAD", pa, ret);
	if (i.assigned && i.size_2m) {
		ret = psmash(snp_rmp_now, head);
		if (ret)
			return failed("PSMASH", head, ret);
	}
	ret = rmp_model_launch_update(snp_rmp_now, pa, snp_vm_asid(vm),
				      gfn << PAGE_SHIFT);
	return ret ? failed("SNP_LAUNCH_UPDATE", pa, ret) : 0;
}

static int snp_split(phys_addr_t pa)
{
	struct rmp_info i;
	enum rmp_ret ret;

	ret = rmpread(snp_rmp_now, pa, &i);
	if (ret)
		return failed("RMPREAD", pa, ret);
	if (!i.assigned || !i.size_2m)
		return 0;
	ret = psmash(snp_rmp_now, pa);
	return ret ? failed("PSMASH", pa, ret) : 0;
}

static int snp_convert(struct vm *vm, u64 gfn, phys_addr_t pa,
		       unsigned int order, bool to_private)
{
	return to_private ? 0 : reclaim(pa, order);
}

/* sev_gmem_max_mapping_level: an assigned page's entry size; for a page
 * not assigned yet, what prepare will assign. */
static unsigned int snp_max_order(struct vm *vm, u64 gfn, phys_addr_t pa)
{
	struct rmp_info i;

	if (rmpread(snp_rmp_now, pa, &i))
		return 0;
	if (i.assigned)
		return i.size_2m ? 9 : 0;
	return region_unassigned(ALIGN_DOWN(pa, RMP_PAGE_2M)) ? 9 : 0;
}

static int snp_check_page(struct vm *vm, u64 gfn, phys_addr_t pa,
			  bool private, bool prepared)
{
	u32 asid = snp_vm_asid(vm);
	struct rmp_info i;
	u64 gpa;

	CHECK(snp_rmp_now && !rmpread(snp_rmp_now, pa, &i),
	      "page %p: no RMP entry to read", (void *)pa);
	if (!i.assigned) {
		CHECK(!private || !prepared,
		      "prepared private page %p is hypervisor-owned",
		      (void *)pa);
		return 0;
	}
	CHECK(private, "shared page %p is assigned to ASID %u", (void *)pa,
	      i.asid);
	CHECK(i.asid == asid, "page %p of ASID %u's memory is assigned to "
	      "ASID %u", (void *)pa, asid, i.asid);
	gpa = i.gpa + (i.size_2m ? pa & (RMP_PAGE_2M - 1) : 0);
	CHECK(!prepared || gfn == CC_NO_GFN || gpa == gfn << PAGE_SHIFT,
	      "page %p at gfn %#llx is assigned at GPA %#llx", (void *)pa,
	      (unsigned long long)gfn, (unsigned long long)gpa);
	return 1;
}

/* Guest-owned 4 KiB pages (assigned, ASID not 0: firmware pages are
 * assigned to ASID 0) in [lo, hi). */
static u64 guest_pages_in(phys_addr_t lo, phys_addr_t hi)
{
	phys_addr_t p = lo, next;
	u64 n = 0;

	while (p < hi) {
		struct rmp_info i = {0};

		next = p + RMP_PAGE_4K;
		if (!rmpread(snp_rmp_now, p, &i) && i.size_2m)
			next = MIN(ALIGN_DOWN(p, RMP_PAGE_2M) + RMP_PAGE_2M,
				   hi);
		if (i.assigned && i.asid)
			n += (next - p) / RMP_PAGE_4K;
		p = next;
	}
	return n;
}

/* Guest-owned pages among hv_pool's: gmem's pages come from there only,
 * and on hardware the RMP covers all of memory. */
static u64 pool_guest_pages(void)
{
	u64 n = 0;

	for (unsigned int k = 0; hv_pool && k < hv_pool->nr_regions; k++) {
		const struct alloc_region *g = &hv_pool->regions[k];

		n += guest_pages_in(g->base, g->base + g->pages * PAGE_SIZE);
	}
	return n;
}

static int snp_check_held(u64 held)
{
	u64 n = snp_rmp_now ? pool_guest_pages() : 0;

	CHECK(n == held + leaked,
	      "%llu pages are assigned in the RMP, gmem's private pages "
	      "account for %llu, leaked ones for %llu",
	      (unsigned long long)n, (unsigned long long)held,
	      (unsigned long long)leaked);
	return 0;
}

/* The model's range: every region of hv_pool, in 2 MiB units. */
static struct rmp *model_over_pool(void)
{
	phys_addr_t lo = ~0ULL, hi = 0;
	struct rmp *r;

	if (!hv_pool || !hv_pool->nr_regions)
		return NULL;
	for (unsigned int k = 0; k < hv_pool->nr_regions; k++) {
		const struct alloc_region *g = &hv_pool->regions[k];

		lo = MIN(lo, g->base);
		hi = MAX(hi, g->base + g->pages * PAGE_SIZE);
	}
	lo = ALIGN_DOWN(lo, RMP_PAGE_2M);
	hi = ALIGN_UP(hi, RMP_PAGE_2M);
	r = rmp_model_create(lo, hi - lo);
	/* Real memory: host writes to assigned pages fault, as on SNP
	 * hardware (rmp.h), unless a benchmark turned that off. */
	if (r && guard_host)
		rmp_model_guard_host(r);
	return r;
}

void snp_model_guard_host(bool on)
{
	guard_host = on;
}

static int vm_init(struct vm *vm, bool hw)
{
	struct snp_vm *s;
	u32 asid = 1;

	while (asid <= SNP_MAX_ASID && (asids_used & BIT(asid)))
		asid++;
	/* sev_asid_new: no free ASID is -EBUSY. */
	if (asid > SNP_MAX_ASID)
		return -EBUSY;
	s = kmalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	if (!snp_rmp_now) {
		snp_rmp_now = hw ? rmp_hw_get() : model_over_pool();
		rmp_is_made = !hw;
		if (!snp_rmp_now) {
			kfree(s, sizeof(*s));
			return -ENOMEM;
		}
	}
	s->asid = asid;
	if (!hw)
		snp_guest_init(s);
	asids_used |= BIT(asid);
	nr_snp_vms++;
	vm_set_cc_state(vm, s);
	return 0;
}

static int snp_hw_vm_init(struct vm *vm)
{
	return vm_init(vm, true);
}

static int snp_model_vm_init(struct vm *vm)
{
	return vm_init(vm, false);
}

static void snp_vm_destroy(struct vm *vm)
{
	struct snp_vm *s = vm_cc_state(vm);

	asids_used &= ~BIT(s->asid);
	kfree(s, sizeof(*s));
	vm_set_cc_state(vm, NULL);
	if (--nr_snp_vms)
		return;
	if (rmp_is_made)
		rmp_destroy(snp_rmp_now);
	snp_rmp_now = NULL;
	leaked = 0;
}

#define SNP_HOOKS                                   \
	.vm_type = GMV_VM_SNP,                      \
	.private_source = CC_PRIVATE_FROM_EXIT,     \
	.one_vm = true,                             \
	.vm_destroy = snp_vm_destroy,               \
	.prepare = snp_prepare,                     \
	.invalidate = snp_invalidate,               \
	.split = snp_split,                         \
	.convert = snp_convert,                     \
	.max_order = snp_max_order,                 \
	.check_page = snp_check_page,               \
	.check_held = snp_check_held

/* SNP guests on SEV-SNP hardware are launched by the PSP firmware
 * (SNP_LAUNCH_START, _UPDATE, _FINISH; SNP firmware ABI 56860), which
 * gmemvisor does not drive: there the RMP serves gmem only. */
static const char *snp_hw_guest_lacks(void)
{
	return "SNP guests on SEV-SNP hardware need the PSP firmware's launch "
	       "commands, which gmemvisor does not drive";
}

const struct cc_ops cc_snp_hw = {
	.name = "snp",
	.lacks = rmp_hw_lacks,
	.guest_lacks = snp_hw_guest_lacks,
	.vm_init = snp_hw_vm_init,
	SNP_HOOKS,
};

/* Under a CPU without SNP the model also plays the guest's side of the
 * hardware (hv/snp/snp_guest.c), with the C-bit kept in the GPA. */
const struct cc_ops cc_snp_model = {
	.name = "snp_model",
	.vm_init = snp_model_vm_init,
	.alias_bit = BIT(SNP_MODEL_C_BIT),
	.guest_lacks = snp_guest_lacks,
	.guest = snp_guest,
	.guest_complete = snp_guest_complete,
	.access = snp_access,
	.launch_update = snp_launch_update,
	SNP_HOOKS,
};
