// SPDX-License-Identifier: MIT
/*
 * bench/alloc.c - buddy allocator costs on the host build, measured side by
 * side in one run: alloc+free of one 4 KiB page (hot), of 4 KiB pages in
 * batches that overflow the page cache, of a 2 MiB block, and libc
 * malloc/free of 4 KiB as a reference; plus the pool's metadata overhead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hv/alloc.h"
#include "plat/test_mem.h"

#define POOL_SIZE (1UL << 30)

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double bench_pages(struct page_pool *pool, unsigned int order,
			  long iters)
{
	double t0 = now_ns();

	for (long i = 0; i < iters; i++) {
		void *p = alloc_pages(pool, order, OWN_TEST);

		if (!p) {
			fprintf(stderr, "bench: pool exhausted\n");
			exit(1);
		}
		*(volatile char *)p = 1; /* dirty it, so free must scrub */
		free_pages(pool, p, order, OWN_TEST);
	}
	return (now_ns() - t0) / iters;
}

/* Hold n pages at once, then free them: beyond the page cache, so the
 * buddy lists split and merge. */
static double bench_batch(struct page_pool *pool, int n, long rounds)
{
	static void *held[4096];
	double t0 = now_ns();

	for (long r = 0; r < rounds; r++) {
		for (int i = 0; i < n; i++)
			held[i] = alloc_page(pool, OWN_TEST);
		for (int i = 0; i < n; i++)
			free_page(pool, held[i], OWN_TEST);
	}
	return (now_ns() - t0) / ((double)rounds * n);
}

static double bench_malloc(long iters)
{
	double t0 = now_ns();

	for (long i = 0; i < iters; i++) {
		char *p = malloc(4096);

		*(volatile char *)p = 1;
		free(p);
	}
	return (now_ns() - t0) / iters;
}

int main(void)
{
	struct page_pool pool;
	void *mem = test_mem_alloc(POOL_SIZE);
	double page, split, huge, ref;

	if (!mem) {
		fprintf(stderr, "bench: no memory for a 1 GiB pool\n");
		return 1;
	}
	alloc_pool_init(&pool);
	if (alloc_add_region(&pool, (phys_addr_t)mem, POOL_SIZE)) {
		fprintf(stderr, "bench: alloc_add_region failed\n");
		return 1;
	}
	/* Warm up: fault the pages in and make the pool clean. */
	bench_pages(&pool, 9, 2000);

	page = bench_pages(&pool, 0, 2000000);
	split = bench_batch(&pool, 4096, 200);
	huge = bench_pages(&pool, 9, 20000);
	ref = bench_malloc(2000000);

	printf("allocator benchmark (host build, one run)\n");
	printf("  %-40s %10.1f ns\n", "alloc+free 4 KiB (incl. scrub)", page);
	printf("  %-40s %10.1f ns\n", "alloc+free 4 KiB, 4096 held at once",
	       split);
	printf("  %-40s %10.1f ns\n", "alloc+free 2 MiB (incl. scrub)", huge);
	printf("  %-40s %10.1f ns\n", "libc malloc+free 4 KiB (reference)",
	       ref);
	printf("  ratio 4 KiB alloc+free / malloc+free:  %.2f\n", page / ref);
	printf("  ratio batch / hot 4 KiB:               %.2f\n", split / page);
	printf("  metadata: %llu bytes for %llu MiB managed = %.4f %%\n",
	       (unsigned long long)pool.meta_bytes,
	       (unsigned long long)(pool.total_pages * PAGE_SIZE >> 20),
	       100.0 * pool.meta_bytes / (pool.total_pages * PAGE_SIZE));
	if (alloc_check(&pool)) {
		fprintf(stderr, "bench: allocator check failed\n");
		return 1;
	}
	test_mem_free(mem, POOL_SIZE);
	return 0;
}
