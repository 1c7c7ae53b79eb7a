// SPDX-License-Identifier: MIT
/*
 * bench/golden.c - what a golden image (hv/gmem.h) saves and what its
 * copy-on-write costs, measured in one run:
 *  - memory held (backing pages plus gmem metadata) by N VMs that each
 *    stack an overlay on one golden image and write a fraction of its
 *    pages (0 %, 1 %, 10 %, distinct pages per VM), against N VMs that
 *    each hold a private copy of the image;
 *  - the cost of one copy-on-write fault (the fault path with the copy,
 *    the invalidation and flush of the golden translation, then the map
 *    of the copy; no vCPU: the scripted backend's real nested table) per
 *    4 KiB where the golden page was mapped at 4 KiB, the first write in
 *    a 2 MiB golden mapping (the 2 MiB leaf dropped, the copy mapped at
 *    4 KiB) with the refault of the rest of the 2 MiB at 4 KiB, and all
 *    512 pages of a 2 MiB written; next to the first write of a page of a
 *    plain gmem (allocation, no copy) at 4 KiB and 2 MiB. Each cost is
 *    the best of REPS runs (the first touches host memory the pool's
 *    mmap() has not faulted in yet, and other processes share the CPUs).
 * Usage: bench-golden (no arguments). Exit status 1 if a step fails.
 */
#include <stdio.h>
#include <time.h>

#include "hv/alloc.h"
#include "hv/arch.h"
#include "hv/arch_script.h"
#include "hv/gmem.h"
#include "hv/vm.h"
#include "hv/vmm_native.h"
#include "lib/errno.h"
#include "lib/mem.h"
#include "plat/test_mem.h"

#define POOL_SIZE (1ULL << 30)
#define IMAGE_SIZE (32ULL << 20)
#define IMAGE_PAGES (IMAGE_SIZE / PAGE_SIZE)
#define NR_VMS 8
#define GPA_BASE (1ULL << 30)
#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define MIB (1024.0 * 1024.0)
#define PAGES_2M 512
#define REPS 5 /* fault costs: the best of these runs */
#define STRIDE 7919 /* prime, so page i * STRIDE mod pages are distinct */

static struct page_pool pool;
static struct vmm_native state;
static struct vmm v = VMM_NATIVE_INIT(state);
static u8 page[PAGE_SIZE];

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* A sealed golden image of IMAGE_SIZE, every page written; its handle. */
static int golden_image(void)
{
	int vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);
	int g = vm < 0 ? vm
		       : v.ops->create_gmem(&v, vm, IMAGE_SIZE, SHARED_FLAGS);

	for (u64 p = 0; g >= 0 && p < IMAGE_PAGES; p++) {
		memset(page, (int)p, PAGE_SIZE);
		if (v.ops->host_write(&v, g, p * PAGE_SIZE, page, PAGE_SIZE))
			return -ENOMEM;
	}
	return g < 0 || v.ops->gmem_seal(&v, g) ? -EINVAL : g;
}

/* A VM with an overlay of golden bound at GPA_BASE: the VM, *ov the
 * overlay. */
static int overlay_vm(int golden, int *ov)
{
	int vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);
	struct vmm_region slot = {.flags = GMV_MEM_GUEST_MEMFD,
				  .guest_phys_addr = GPA_BASE,
				  .memory_size = IMAGE_SIZE};

	*ov = vm < 0 ? vm
		     : v.ops->create_gmem(&v, vm, IMAGE_SIZE, SHARED_FLAGS);
	if (*ov < 0 || v.ops->gmem_overlay(&v, *ov, golden))
		return -EINVAL;
	slot.guest_memfd = *ov;
	return v.ops->set_region(&v, vm, &slot) ? -EINVAL : vm;
}

static u64 meta_of(int g)
{
	return gmem_meta_bytes(vmm_native_gmem(&v, g));
}

/* Bytes held by the gmem memories alive now: pages and metadata (each
 * memory counted once, through the handles given). */
static double held(const int *g, int n)
{
	u64 bytes = gmem_total_pages() * PAGE_SIZE;

	for (int i = 0; i < n; i++)
		bytes += meta_of(g[i]);
	return bytes / MIB;
}

/* N VMs on one golden image, each writing 'permille' of its pages (one
 * byte per page, distinct pages per VM): MiB held. */
static int shared_run(unsigned int permille, double *mib)
{
	u64 writes = IMAGE_PAGES * permille / 1000;
	int g[1 + NR_VMS], vm;
	struct vm_fault f;
	u8 byte = 0xee;

	v.ops->reset(&v);
	g[0] = golden_image();
	if (g[0] < 0)
		return g[0];
	for (int i = 0; i < NR_VMS; i++) {
		vm = overlay_vm(g[0], &g[1 + i]);
		if (vm < 0)
			return vm;
		for (u64 k = 0; k < writes; k++) {
			u64 p = (k * STRIDE + i * 101) % IMAGE_PAGES;

			if (vm_guest_access(vmm_native_vm(&v, vm),
					    GPA_BASE + p * PAGE_SIZE, &byte, 1,
					    VM_ACCESS_WRITE, &f))
				return -ENOMEM;
		}
	}
	*mib = held(g, 1 + NR_VMS);
	return v.ops->check(&v);
}

/* N VMs each with its own copy of the image: MiB held. */
static int private_run(double *mib)
{
	int g[NR_VMS];

	v.ops->reset(&v);
	for (int i = 0; i < NR_VMS; i++) {
		int vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);

		g[i] = vm < 0 ? vm
			      : v.ops->create_gmem(&v, vm, IMAGE_SIZE,
						   SHARED_FLAGS);
		for (u64 p = 0; g[i] >= 0 && p < IMAGE_PAGES; p++) {
			memset(page, (int)p, PAGE_SIZE);
			if (v.ops->host_write(&v, g[i], p * PAGE_SIZE, page,
					      PAGE_SIZE))
				return -ENOMEM;
		}
		if (g[i] < 0)
			return g[i];
	}
	*mib = held(g, NR_VMS);
	return v.ops->check(&v);
}

/* ------------------------------------------------------ fault costs */

/* A guest access to gpa resolved and mapped as the exit policy does: the
 * largest block the fault path allows, writable as it says. */
static int fault(int vm, u64 gpa, unsigned int access)
{
	struct vm *obj = vmm_native_vm(&v, vm);
	struct vm_fault f = {.gpa = gpa, .access = access};
	int r = vm_fault(obj, &f);

	return r ? r
		 : vm_arch(obj)->map(vm_arch_vm(obj), gpa, f.pa, f.max_order,
				     f.writable, false);
}

/* Read-map every page of [first, first + n) pages from GPA_BASE. */
static int read_all(int vm, u64 first, u64 n)
{
	int r = 0;

	for (u64 p = first; p < first + n && !r; p++)
		r = fault(vm, GPA_BASE + p * PAGE_SIZE, 0);
	return r;
}

/* Write faults on the pages first + k * step, k < n: ns per fault. */
static int writes(int vm, u64 first, u64 step, u64 n, double *ns)
{
	double t = now_ns();
	int r = 0;

	for (u64 k = 0; k < n && !r; k++)
		r = fault(vm, GPA_BASE + (first + k * step) * PAGE_SIZE,
			  VM_ACCESS_WRITE);
	*ns = (now_ns() - t) / n;
	return r;
}

enum cost {
	COW_4K, /* golden mapped at 4 KiB */
	COW_SPLIT, /* the first write in a 2 MiB golden mapping */
	REFAULT_2M, /* then the other 511 pages read back at 4 KiB */
	COW_ALL_2M, /* all 512 pages of a 2 MiB written, per 2 MiB */
	PLAIN_4K, /* first write of a plain gmem page */
	PLAIN_2M, /* first write of a plain gmem 2 MiB block */
	NR_COSTS
};

static const char *const cost_name[NR_COSTS] = {
	"copy-on-write, golden mapped 4 KiB (per 4 KiB)",
	"first write in a 2 MiB golden mapping (split)",
	"  then the other 511 pages refault at 4 KiB",
	"all 512 pages of a 2 MiB written (per 2 MiB)",
	"plain gmem, first write, mapped 4 KiB (per 4 KiB)",
	"plain gmem, first write, mapped 2 MiB (per 2 MiB)",
};

static int costs(double ns[NR_COSTS])
{
	const struct arch_ops *old = arch_use(&arch_script_ops);
	u64 chunks = IMAGE_PAGES / PAGES_2M;
	int g, vm, ov, r;
	double t;

	v.ops->reset(&v);
	g = golden_image();
	vm = g < 0 ? g : overlay_vm(g, &ov);
	r = vm < 0 ? vm : 0;
	/* 4 KiB: the first half of each chunk is mapped at 4 KiB once one
	 * page of the chunk is the overlay's (page 511 of each). */
	for (u64 c = 0; !r && c < chunks; c++)
		r = fault(vm, GPA_BASE + (c * PAGES_2M + 511) * PAGE_SIZE,
			  VM_ACCESS_WRITE);
	for (u64 c = 0; !r && c < chunks; c++)
		r = read_all(vm, c * PAGES_2M, 256);
	t = now_ns();
	for (u64 c = 0; !r && c < chunks; c++)
		r = writes(vm, c * PAGES_2M, 1, 256, &(double){0});
	ns[COW_4K] = (now_ns() - t) / (chunks * 256);
	/* 2 MiB: a fresh VM maps each chunk's 2 MiB golden leaf. */
	vm = r ? r : overlay_vm(g, &ov);
	r = vm < 0 ? vm : 0;
	for (u64 c = 0; !r && c < chunks; c++)
		r = fault(vm, GPA_BASE + c * PAGES_2M * PAGE_SIZE, 0);
	if (!r)
		r = writes(vm, 0, PAGES_2M, chunks, &ns[COW_SPLIT]);
	t = now_ns();
	for (u64 c = 0; !r && c < chunks; c++)
		r = read_all(vm, c * PAGES_2M + 1, PAGES_2M - 1);
	ns[REFAULT_2M] = (now_ns() - t) / chunks;
	t = now_ns();
	for (u64 c = 0; !r && c < chunks; c++)
		r = writes(vm, c * PAGES_2M + 1, 1, PAGES_2M - 1, &(double){0});
	ns[COW_ALL_2M] =
		(now_ns() - t) / chunks + ns[COW_SPLIT] + ns[REFAULT_2M];
	/* A plain gmem: the first write at 4 KiB (a slot not 2 MiB aligned
	 * in the gmem) and at 2 MiB. */
	if (!r) {
		struct vmm_region slot = {.flags = GMV_MEM_GUEST_MEMFD,
					  .guest_phys_addr = GPA_BASE,
					  .memory_size = IMAGE_SIZE / 2};
		int p4k, p2m;

		vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);
		p4k = v.ops->create_gmem(&v, vm, IMAGE_SIZE, SHARED_FLAGS);
		slot.guest_memfd = p4k;
		slot.guest_memfd_offset = PAGE_SIZE;
		r = p4k < 0 || v.ops->set_region(&v, vm, &slot);
		if (!r)
			r = writes(vm, 0, 1, 2048, &ns[PLAIN_4K]);
		vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);
		p2m = v.ops->create_gmem(&v, vm, IMAGE_SIZE, SHARED_FLAGS);
		slot.guest_memfd = p2m;
		slot.guest_memfd_offset = 0;
		slot.memory_size = IMAGE_SIZE;
		r = r || p2m < 0 || v.ops->set_region(&v, vm, &slot);
		if (!r)
			r = writes(vm, 0, PAGES_2M, chunks, &ns[PLAIN_2M]);
	}
	if (!r)
		r = v.ops->check(&v);
	v.ops->reset(&v);
	arch_use(old);
	return r;
}

int main(void)
{
	static const unsigned int permille[] = {0, 10, 100};
	void *mem = test_mem_alloc(POOL_SIZE);
	double priv, mib, ns[NR_COSTS];

	alloc_pool_init(&pool);
	if (!mem || alloc_add_region(&pool, (phys_addr_t)mem, POOL_SIZE)) {
		fprintf(stderr, "bench-golden: no memory for the pool\n");
		return 1;
	}
	hv_pool = &pool;
	if (private_run(&priv)) {
		fprintf(stderr, "bench-golden: private copies failed\n");
		return 1;
	}
	printf("%d VMs on one %llu MiB golden image: memory held (pages + "
	       "gmem metadata)\n",
	       NR_VMS, (unsigned long long)(IMAGE_SIZE >> 20));
	printf("%-16s %14s %18s %8s\n", "pages written", "golden+overlays",
	       "private copies", "saving");
	for (unsigned int i = 0; i < ARRAY_SIZE(permille); i++) {
		if (shared_run(permille[i], &mib)) {
			fprintf(stderr, "bench-golden: %u permille failed\n",
				permille[i]);
			return 1;
		}
		printf("%13u %% %11.1f MiB %14.1f MiB %7.1fx\n",
		       permille[i] / 10, mib, priv, priv / mib);
	}
	for (int rep = 0; rep < REPS; rep++) {
		double once[NR_COSTS];

		if (costs(once)) {
			fprintf(stderr, "bench-golden: fault costs failed\n");
			return 1;
		}
		for (int c = 0; c < NR_COSTS; c++)
			ns[c] = rep ? MIN(ns[c], once[c]) : once[c];
	}
	printf("\nfault cost (vm_fault + nested map, scripted backend; best "
	       "of %d runs)\n",
	       REPS);
	for (int c = 0; c < NR_COSTS; c++)
		printf("%-48s %10.0f ns\n", cost_name[c], ns[c]);
	v.ops->reset(&v);
	return 0;
}
