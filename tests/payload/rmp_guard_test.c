// SPDX-License-Identifier: MIT
/*
 * tests/payload/rmp_guard_test.c - rmp_guard: the SEV-SNP rule that the
 * hypervisor cannot write a page assigned to a guest (AMD APM vol. 2
 * §15.36.10, Table 15-39), enforced by the payload's own page tables
 * (boot/rmp_guard.h) over the RMP model that an SNP VM makes over hv_pool.
 * A host write to a prepared private page is refused inside exc_catch()
 * with an RMP #PF (error code bit 31) and described with the page's RMP
 * entry; a read still works; a page assigned inside a host 2 MiB mapping
 * splits it so its neighbours stay writable; made shared or punched, the
 * page is writable again; with the last SNP VM gone the host tables are
 * back to their size before it, with nothing left read-only.
 */
#include "boot/exception.h"
#include "boot/paging.h"
#include "boot/rmp_guard.h"
#include "hv/alloc.h"
#include "hv/snp/snp.h"
#include "lib/fmt.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define PRIV VM_ACCESS_PRIVATE
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)
/* Past the allocator's links, which live in a free page's first 16 bytes
 * (hv/alloc.c): a punched page is free by the time it is written. */
#define OFF 2048

struct access {
	u64 addr, val;
};

static void do_write(void *arg)
{
	struct access *a = arg;

	*(volatile u64 *)a->addr = a->val;
}

static void do_read(void *arg)
{
	struct access *a = arg;

	a->val = *(volatile u64 *)a->addr;
}

/* Write back the value the page holds (a free page must stay zero):
 * 0 when the write went through, -EFAULT with *info otherwise. */
static int host_write(u64 addr, struct exc_info *info)
{
	struct access a = {.addr = addr, .val = *(volatile u64 *)addr};

	return exc_catch(do_write, &a, info);
}

/* The payload's own leaf for va: its size and whether it is writable. */
static bool leaf(u64 va, u64 *size, bool *writable)
{
	struct npt_xlate x;

	if (npt_lookup(paging_tables(), va, &x))
		return false;
	*size = x.size;
	*writable = x.prot & NPT_PROT_W;
	return x.hpa == va;
}

static bool guarded_4k(u64 va)
{
	u64 size;
	bool w;

	return leaf(va, &size, &w) && size == PG && !w;
}

static bool writable(u64 va)
{
	u64 size;
	bool w;

	return leaf(va, &size, &w) && w;
}

/* Leaves of hv_pool's pages that are not writable. */
static int count_ro(void *arg, const struct npt_leaf *l)
{
	u64 *n = arg;

	for (unsigned int k = 0; k < hv_pool->nr_regions; k++) {
		const struct alloc_region *g = &hv_pool->regions[k];

		if (l->gpa < g->base + g->pages * PAGE_SIZE &&
		    g->base < l->gpa + l->size && !(l->prot & NPT_PROT_W))
			*n += 1;
	}
	return 0;
}

static u64 pool_ro_leaves(void)
{
	u64 n = 0;

	npt_for_each_leaf(paging_tables(), count_ro, &n);
	return n;
}

/* The write is refused as an RMP #PF at addr, described with the entry
 * of the page: assigned to asid, size 2M or 4K. */
static void expect_refused(struct kt *t, u64 addr, u32 asid, bool size_2m)
{
	struct exc_info info;
	char msg[256], want[128];

	if (!KT_EXPECT_ERRNO(t, host_write(addr, &info), EFAULT))
		return;
	KT_EXPECT_EQ(t, info.vector, EXC_PF);
	KT_EXPECT_EQ(t, info.error_code & (PF_RMP | PF_W | PF_P),
		     PF_RMP | PF_W | PF_P);
	KT_EXPECT_EQ(t, info.cr2, addr);
	rmp_guard_describe(info.cr2, msg, sizeof(msg));
	gmv_snprintf(want, sizeof(want),
		     "RMP violation: host write to VA %#llx (PA "
		     "%#llx): RMP entry assigned 1 asid %u *size %s *",
		     (unsigned long long)addr, (unsigned long long)addr, asid,
		     size_2m ? "2M" : "4K");
	if (!KT_EXPECT(t, kt_glob_match(want, msg)))
		kt_diag(t, "%s", msg);
}

NATIVE_CASE(rmp_guard_host_write_to_assigned_page)
{
	u64 tables = paging_tables()->stats.table_pages, err, size;
	struct access rd;
	struct exc_info info;
	phys_addr_t block, second;
	struct vm_fault f;
	int vm, g;
	u32 asid;
	bool w;

	if (rmp_hw_lacks() == NULL) {
		kt_skip(t, "SNP hardware here: its RMP faults by itself");
		return;
	}
	KT_EXPECT_EQ(t, pool_ro_leaves(), 0);
	vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SNP));
	if (vm < 0)
		return;
	asid = snp_vm_asid(vmm_native_vm(v, vm));
	g = CASE_OPEN(t,
		      v->ops->create_gmem(v, vm, 4 << 20, GMV_GMEM_FLAG_MMAP));
	if (g < 0 || !KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 << 20, g, 0)))
		return;
	/* A private page prepared: its whole block one 2 MiB entry. */
	rd.val = 0x5a;
	KT_EXPECT_OK(t, n_guest(v, vm, GB + 5 * PG, &rd.val, 1, PRIV, &f));
	block = f.pa - 5 * PG;
	if (!KT_EXPECT(t, IS_ALIGNED(block, SZ2M)))
		return;
	expect_refused(t, block + 5 * PG + OFF, asid, true);
	expect_refused(t, block, asid, true);
	expect_refused(t, block + 511 * PG + OFF, asid, true);
	/* Reads are not checked. */
	rd.addr = block + 5 * PG;
	KT_EXPECT_OK(t, exc_catch(do_read, &rd, &info));
	KT_EXPECT(t, guarded_4k(block) && guarded_4k(block + 511 * PG));
	/* Its neighbours are not the guest's. */
	if (block >= hv_pool->regions[0].base + PG)
		KT_EXPECT(t, writable(block - PG));
	/* Page 7 made shared: PSMASH, that page hypervisor-owned and
	 * writable, its neighbours still the guest's. */
	KT_EXPECT_OK(t, v->ops->convert(v, g, 7 * PG, PG, false, &err));
	KT_EXPECT_OK(t, host_write(block + 7 * PG + OFF, &info));
	expect_refused(t, block + 6 * PG + OFF, asid, false);
	expect_refused(t, block + 8 * PG + OFF, asid, false);
	/* Page 9 punched: given back hypervisor-owned, so the allocator's
	 * scrub could write it, and so can we. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 9 * PG, PG));
	KT_EXPECT_OK(t, host_write(block + 9 * PG + OFF, &info));
	/* Second chunk: pages 0-7 shared, page 9 private: a 4 KiB entry
	 * inside what the host maps with a 2 MiB page, which splits; the
	 * shared pages of that 2 MiB stay writable. */
	KT_EXPECT_OK(t, v->ops->convert(v, g, SZ2M, 8 * PG, false, &err));
	KT_EXPECT_OK(t, n_guest(v, vm, GB + SZ2M, &rd.val, 1, 0, &f));
	second = f.pa;
	KT_EXPECT(t,
		  writable(second) && leaf(second, &size, &w) && size >= SZ2M);
	KT_EXPECT_OK(t,
		     n_guest(v, vm, GB + SZ2M + 9 * PG, &rd.val, 1, PRIV, &f));
	KT_EXPECT_EQ(t, f.pa, second + 9 * PG);
	KT_EXPECT(t, guarded_4k(second + 9 * PG));
	KT_EXPECT(t, leaf(second + 8 * PG, &size, &w) && size == PG && w);
	KT_EXPECT_OK(t, host_write(second + 8 * PG, &info));
	expect_refused(t, second + 9 * PG, asid, false);
	/* Shared again: writable. */
	KT_EXPECT_OK(t, v->ops->convert(v, g, SZ2M + 9 * PG, PG, false, &err));
	KT_EXPECT_OK(t, host_write(second + 9 * PG, &info));
	KT_EXPECT_OK(t, v->ops->check(v));
	/* Everything goes: no page left read-only, no table page kept. */
	KT_EXPECT_OK(t, v->ops->close(v, g));
	KT_EXPECT_OK(t, v->ops->close(v, vm));
	KT_EXPECT(t, snp_rmp() == NULL);
	KT_EXPECT_EQ(t, pool_ro_leaves(), 0);
	KT_EXPECT_EQ(t, paging_tables()->stats.table_pages, tables);
	KT_EXPECT_OK(t, npt_check(paging_tables()));
}

/* An immutable firmware page (assigned to ASID 0) is refused too, and
 * made writable again when the model goes with the last SNP VM, though
 * nothing can unassign it (RMPUPDATE refuses an immutable entry). A
 * model not made by an SNP VM (a tool's, over any range) guards
 * nothing. */
NATIVE_CASE(rmp_guard_firmware_page_and_unguarded_model)
{
	struct rmp_state fw = {.assigned = true, .immutable = true};
	struct exc_info info;
	struct rmp *own;
	u8 *p;
	int vm;

	if (rmp_hw_lacks() == NULL) {
		kt_skip(t, "SNP hardware here: its RMP faults by itself");
		return;
	}
	p = alloc_pages(hv_pool, 0, OWN_TEST);
	if (!KT_EXPECT(t, p != NULL))
		return;
	vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SNP));
	if (vm >= 0) {
		KT_EXPECT_EQ(t, rmpupdate(snp_rmp(), (phys_addr_t)p, &fw),
			     RMP_SUCCESS);
		expect_refused(t, (u64)p + OFF, 0, false);
		KT_EXPECT_EQ(t,
			     rmpupdate(snp_rmp(), (phys_addr_t)p,
				       &(struct rmp_state){0}),
			     RMP_FAIL_PERMISSION);
		KT_EXPECT_OK(t, v->ops->close(v, vm));
	}
	KT_EXPECT_OK(t, host_write((u64)p + OFF, &info));
	KT_EXPECT_EQ(t, pool_ro_leaves(), 0);
	own = rmp_model_create(ALIGN_DOWN((phys_addr_t)p, SZ2M), SZ2M);
	if (KT_EXPECT(t, own != NULL)) {
		KT_EXPECT_EQ(t, rmpupdate(own, (phys_addr_t)p, &fw),
			     RMP_SUCCESS);
		KT_EXPECT(t, writable((u64)p));
		rmp_destroy(own);
	}
	free_pages(hv_pool, p, 0, OWN_TEST);
}

/* No memory to split the host's 2 MiB page: the guard says so on the
 * console and the pages stay writable (a check lost, nothing else); the
 * fault itself succeeds, the tables are unchanged, and the next
 * assignment, with memory, is guarded. */
NATIVE_CASE(rmp_guard_without_memory_to_split)
{
	u64 tables, err;
	struct exc_info info;
	struct vm_fault f;
	phys_addr_t block;
	int vm, g, r;
	u8 b;

	if (rmp_hw_lacks() == NULL) {
		kt_skip(t, "SNP hardware here: its RMP faults by itself");
		return;
	}
	vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SNP));
	if (vm < 0)
		return;
	g = CASE_OPEN(t,
		      v->ops->create_gmem(v, vm, 4 << 20, GMV_GMEM_FLAG_MMAP));
	if (g < 0 || !KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 << 20, g, 0)))
		return;
	/* The block backed through a shared access, then private again,
	 * so the private fault below allocates nothing but the split. */
	KT_EXPECT_OK(t, v->ops->convert(v, g, 0, SZ2M, false, &err));
	KT_EXPECT_OK(t, n_guest(v, vm, GB, &b, 1, 0, &f));
	block = f.pa;
	KT_EXPECT_OK(t, v->ops->convert(v, g, 0, SZ2M, true, &err));
	tables = paging_tables()->stats.table_pages;
	alloc_fail_nth(hv_pool, 1);
	r = n_guest(v, vm, GB, &b, 1, PRIV, &f);
	alloc_fail_nth(hv_pool, 0);
	KT_EXPECT_OK(t, r);
	KT_EXPECT(t, rmp_is_model(snp_rmp()));
	KT_EXPECT_EQ(t, paging_tables()->stats.table_pages, tables);
	KT_EXPECT(t, writable(block) && writable(block + 511 * PG));
	KT_EXPECT_OK(t, host_write(block + OFF, &info));
	/* The second block, with memory: guarded. */
	KT_EXPECT_OK(t, n_guest(v, vm, GB + SZ2M, &b, 1, PRIV, &f));
	expect_refused(t, f.pa, snp_vm_asid(vmm_native_vm(v, vm)), true);
	KT_EXPECT_OK(t, v->ops->close(v, g));
	KT_EXPECT_OK(t, v->ops->close(v, vm));
	KT_EXPECT_EQ(t, pool_ro_leaves(), 0);
}

static const struct kt_case rmp_guard_cases[] = {
	KT_CASE(rmp_guard_host_write_to_assigned_page),
	KT_CASE(rmp_guard_firmware_page_and_unguarded_model),
	KT_CASE(rmp_guard_without_memory_to_split),
};

const struct kt_suite rmp_guard_suite = {
	.name = "rmp_guard",
	.cases = rmp_guard_cases,
	.n_cases = ARRAY_SIZE(rmp_guard_cases),
	.unsupported = native_unsupported,
};
