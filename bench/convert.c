// SPDX-License-Identifier: MIT
/*
 * bench/convert.c - the cost of a private<->shared conversion with a
 * security model against the same without one, side by side in one run:
 * a SW_PROTECTED VM (no security step) and an SNP VM over the RMP model
 * (hv/snp/snp_cc.c: RMPUPDATE and PSMASH on the way to shared, RMPUPDATE
 * at the next private use) and a TDX VM over the TDX module model
 * (hv/tdx/tdx_cc.c: BLOCK, TRACK, the kick and REMOVE, a DEMOTE before a
 * partial remove, on the way to shared; SEPT.ADD and AUG at the next
 * private use). The 2 MiB round of TDX runs after the 4 KiB one demoted
 * the first 8 MiB, whose blocks stay 4 KiB leaves (hv/tdx/README.md).
 * Per 4 KiB page and per 2 MiB block, three phases timed apart: every
 * unit to shared, every unit back to private, every unit's first private
 * guest access again (the prepare hook); the SNP model timed without and
 * with the host-write guard. The
 * accesses are reads: on SNP hardware the hypervisor, which makes them
 * for the guest here, cannot write an assigned page (an RMP #PF; the
 * host-write guard of hv/snp/rmp.h makes it a SIGSEGV report here).
 * Usage: bench-convert (no arguments). Exit status 1 if a step fails.
 */
#include <stdio.h>
#include <time.h>

#include "hv/alloc.h"
#include "hv/snp/snp.h"
#include "hv/tdx/tdx.h"
#include "hv/vm.h"
#include "hv/vmm_native.h"
#include "lib/errno.h"
#include "plat/test_mem.h"

#define POOL_SIZE (256ULL << 20)
#define MEM_SIZE (64ULL << 20) /* the gmem, all of it private */
#define GPA_BASE (1ULL << 30)
#define PAGES_4K 2048 /* the 4 KiB units: the first 8 MiB */

static struct page_pool pool;
static struct vmm_native state;
static struct vmm v = VMM_NATIVE_INIT(state);
static unsigned char buf[SZ_2M];

enum phase { TO_SHARED, TO_PRIVATE, REFAULT, NR_PHASES };

static const char *const phase_name[NR_PHASES] = {
	"to shared", "back to private", "first private read again"};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* A guest's private read of every byte of [off, off + len). */
static int read_private(int vm, u64 off, u64 len)
{
	struct vm_fault f;

	return vm_guest_access(vmm_native_vm(&v, vm), GPA_BASE + off, buf, len,
			       VM_ACCESS_PRIVATE, &f);
}

/* ns per unit of each phase, over 'units' units of 'unit' bytes. */
static int measure(int vm, int g, u64 unit, u64 units, double ns[NR_PHASES])
{
	u64 bad;
	double t;
	int r = 0;

	for (int p = 0; p < NR_PHASES && !r; p++) {
		t = now_ns();
		for (u64 i = 0; i < units && !r; i++) {
			u64 off = i * unit;

			if (p == REFAULT)
				r = read_private(vm, off, unit);
			else
				r = v.ops->convert(&v, g, off, unit,
						   p == TO_PRIVATE, &bad);
		}
		ns[p] = (now_ns() - t) / units;
	}
	return r;
}

/* One VM of 'type' with the gmem bound and every page read privately,
 * then the 4 KiB and the 2 MiB rounds. */
static int run(u32 type, double ns4k[NR_PHASES], double ns2m[NR_PHASES])
{
	struct vmm_region slot = {.flags = GMV_MEM_GUEST_MEMFD,
				  .guest_phys_addr = GPA_BASE,
				  .memory_size = MEM_SIZE};
	int vm, g, r;

	v.ops->reset(&v);
	vm = v.ops->create_vm(&v, type);
	if (vm < 0)
		return vm;
	g = v.ops->create_gmem(&v, vm, MEM_SIZE, GMV_GMEM_FLAG_MMAP);
	if (g < 0)
		return g;
	slot.guest_memfd = g;
	r = v.ops->set_region(&v, vm, &slot);
	for (u64 off = 0; !r && off < MEM_SIZE; off += SZ_2M)
		r = read_private(vm, off, SZ_2M);
	r = r ? r : measure(vm, g, PAGE_SIZE, PAGES_4K, ns4k);
	r = r ? r : measure(vm, g, SZ_2M, MEM_SIZE / SZ_2M, ns2m);
	r = r ? r : v.ops->check(&v);
	v.ops->reset(&v);
	return r;
}

static void print(const char *unit, const double none[NR_PHASES],
		  const double snp[NR_PHASES], const double guard[NR_PHASES],
		  const double tdx[NR_PHASES])
{
	for (int p = 0; p < NR_PHASES; p++)
		printf("%-8s %-26s %12.0f %12.0f %8.2f %12.0f %12.0f %8.2f\n",
		       unit, phase_name[p], none[p], snp[p],
		       none[p] > 0 ? snp[p] / none[p] : 0, guard[p], tdx[p],
		       none[p] > 0 ? tdx[p] / none[p] : 0);
}

int main(void)
{
	void *mem = test_mem_alloc(POOL_SIZE);
	double none4k[NR_PHASES], none2m[NR_PHASES];
	double snp4k[NR_PHASES], snp2m[NR_PHASES];
	double guard4k[NR_PHASES], guard2m[NR_PHASES];
	double tdx4k[NR_PHASES], tdx2m[NR_PHASES];
	int r;

	alloc_pool_init(&pool);
	if (!mem || alloc_add_region(&pool, (phys_addr_t)mem, POOL_SIZE)) {
		fprintf(stderr, "bench-convert: no memory for the pool\n");
		return 1;
	}
	hv_pool = &pool;
	r = run(GMV_VM_SW_PROTECTED, none4k, none2m);
	snp_model_guard_host(false);
	r = r ? r : run(GMV_VM_SNP, snp4k, snp2m);
	snp_model_guard_host(true);
	r = r ? r : run(GMV_VM_SNP, guard4k, guard2m);
	r = r ? r : run(GMV_VM_TDX, tdx4k, tdx2m);
	if (r) {
		fprintf(stderr, "bench-convert: failed (%s)\n", errno_name(r));
		test_mem_free(mem, POOL_SIZE);
		return 1;
	}
	printf("gmem conversion, ns per unit (bench/convert.c): no security "
	       "model (SW_PROTECTED) vs the SNP RMP model, in one run; "
	       "snp+guard adds the host-write guard (an mprotect() per RMP "
	       "change on the host build); tdx: the TDX module model\n");
	printf("%-8s %-26s %12s %12s %8s %12s %12s %8s\n", "unit", "phase",
	       "none", "snp", "snp/none", "snp+guard", "tdx", "tdx/none");
	print("4 KiB", none4k, snp4k, guard4k, tdx4k);
	print("2 MiB", none2m, snp2m, guard2m, tdx2m);
	test_mem_free(mem, POOL_SIZE);
	return 0;
}
