// SPDX-License-Identifier: MIT
/*
 * bench/gmem.c - bytes of gmem metadata per GiB of guest memory, ours next
 * to Linux's (a 64-byte struct page plus about 8 bytes of page-cache
 * xarray per 4 KiB page), for three layouts of 1 GiB:
 *  - every 2 MiB chunk backed by one order-9 block (fallocate, first use);
 *  - every chunk split and refilled page by page (the worst case: a page
 *    map per chunk);
 *  - a 1 TiB file with one page used per GiB (sparse use; the chunk of
 *    each page is backed whole, so this is per GiB of memory held).
 * Usage: bench-gmem (no arguments). Exit status 1 if a measurement fails.
 */
#include <stdio.h>

#include "hv/alloc.h"
#include "hv/gmem.h"
#include "hv/vmm_native.h"
#include "lib/errno.h"
#include "plat/test_mem.h"

#define GIB (1ULL << 30)
#define POOL_SIZE (2ULL << 30)
#define LINUX_PER_GIB ((64.0 + 8.0) * (GIB / PAGE_SIZE))
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)

static struct page_pool pool;
static struct vmm_native state;
static struct vmm v = VMM_NATIVE_INIT(state);

static void report(const char *layout, u64 bytes, double gib)
{
	double per_gib = bytes / gib;

	printf("%-34s %12.0f bytes/GiB   Linux %10.0f   Linux/ours %7.1f\n",
	       layout, per_gib, LINUX_PER_GIB, LINUX_PER_GIB / per_gib);
}

/* A 'size'-byte gmem on a fresh VM: its handle, or -errno. */
static int new_gmem(u64 size)
{
	int vm = v.ops->create_vm(&v, GMV_VM_DEFAULT);

	if (vm < 0)
		return vm;
	return v.ops->create_gmem(
		&v, vm, size, GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED);
}

static int blocks(void)
{
	int g = new_gmem(GIB);

	if (g < 0 || v.ops->fallocate(&v, g, GMV_FALLOC_KEEP_SIZE, 0, GIB))
		return -ENOMEM;
	report("1 GiB in 2 MiB blocks", gmem_meta_bytes(vmm_native_gmem(&v, g)),
	       1);
	return 0;
}

static int split(void)
{
	int g = new_gmem(GIB);
	u8 byte = 1;

	if (g < 0 || v.ops->fallocate(&v, g, GMV_FALLOC_KEEP_SIZE, 0, GIB))
		return -ENOMEM;
	for (u64 off = 0; off < GIB; off += 2ULL << 20)
		if (v.ops->fallocate(&v, g, PUNCH, off, PAGE_SIZE) ||
		    v.ops->host_write(&v, g, off, &byte, 1))
			return -ENOMEM;
	report("1 GiB, every 2 MiB chunk split",
	       gmem_meta_bytes(vmm_native_gmem(&v, g)), 1);
	return 0;
}

static int sparse(void)
{
	int g = new_gmem(GIB << 10);
	u8 byte = 1;

	if (g < 0)
		return g;
	for (u64 off = 0; off < (GIB << 10); off += GIB)
		if (v.ops->host_write(&v, g, off, &byte, 1))
			return -ENOMEM;
	report("1 TiB file, one page per GiB used",
	       gmem_meta_bytes(vmm_native_gmem(&v, g)),
	       (double)gmem_backed_pages(vmm_native_gmem(&v, g)) * PAGE_SIZE /
		       GIB);
	return 0;
}

int main(void)
{
	void *mem = test_mem_alloc(POOL_SIZE);
	int r;

	alloc_pool_init(&pool);
	if (!mem || alloc_add_region(&pool, (phys_addr_t)mem, POOL_SIZE)) {
		fprintf(stderr, "bench-gmem: no memory for the pool\n");
		return 1;
	}
	hv_pool = &pool;
	printf("gmem metadata (bench/gmem.c)\n");
	r = blocks();
	v.ops->reset(&v);
	r = r ? r : split();
	v.ops->reset(&v);
	r = r ? r : sparse();
	v.ops->reset(&v);
	if (!r)
		r = v.ops->check(&v);
	if (r)
		fprintf(stderr, "bench-gmem: failed (%s)\n", errno_name(r));
	test_mem_free(mem, POOL_SIZE);
	return r ? 1 : 0;
}
