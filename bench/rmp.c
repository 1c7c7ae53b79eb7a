// SPDX-License-Identifier: MIT
/*
 * bench/rmp.c - the software RMP (hv/snp/rmp.h): its metadata per GiB of
 * covered memory next to the real RMP's (16 bytes per 4 KiB page, AMD APM
 * vol. 2 §15.36.4), and the time of one host/guest round per 4 KiB page
 * and per 2 MiB page (RMPUPDATE assigned, PVALIDATE, PVALIDATE rescind,
 * RMPUPDATE hypervisor-owned; 2 MiB also PSMASH), measured side by side
 * in one run.
 * Usage: bench-rmp (no arguments). Exit status 1 if a measurement fails.
 */
#include <stdio.h>
#include <time.h>

#include "hv/alloc.h"
#include "hv/snp/rmp.h"
#include "plat/test_mem.h"

#define GIB (1ULL << 30)
#define POOL_SIZE (64ULL << 20)
#define REAL_PER_GIB (16.0 * (GIB / RMP_PAGE_4K))
#define ROUNDS 200

static struct page_pool pool;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One round over every page of that size in the range; -1 on a code
 * other than the one expected. */
static int round_trip(struct rmp *r, bool size_2m)
{
	const struct rmp_guest g = {.asid = 1};
	u64 step = size_2m ? RMP_PAGE_2M : RMP_PAGE_4K;

	for (u64 spa = 0; spa < r->size; spa += step) {
		struct rmp_state priv = {.gpa = spa, .assigned = true,
					 .size_2m = size_2m, .asid = 1};
		struct rmp_state shared = {.size_2m = size_2m};

		if (rmpupdate(r, spa, &priv) ||
		    rmp_model_pvalidate(r, &g, spa, spa, size_2m, true) ||
		    rmp_model_pvalidate(r, &g, spa, spa, size_2m, false) ||
		    (size_2m && psmash(r, spa)))
			return -1;
		if (size_2m) {
			for (u64 p = spa; p < spa + step; p += RMP_PAGE_4K)
				if (rmpupdate(r, p, &(struct rmp_state){0}))
					return -1;
		} else if (rmpupdate(r, spa, &shared)) {
			return -1;
		}
	}
	return 0;
}

static int timed(struct rmp *r, bool size_2m)
{
	u64 pages = r->size / (size_2m ? RMP_PAGE_2M : RMP_PAGE_4K);
	double t0 = now_ns();

	for (int i = 0; i < ROUNDS; i++)
		if (round_trip(r, size_2m))
			return -1;
	printf("%-34s %10.1f ns a page\n",
	       size_2m ? "round per 2 MiB (with PSMASH)" : "round per 4 KiB",
	       (now_ns() - t0) / ((double)ROUNDS * pages));
	return 0;
}

int main(void)
{
	void *mem = test_mem_alloc(POOL_SIZE);
	struct rmp *r;
	int ret;

	alloc_pool_init(&pool);
	if (!mem || alloc_add_region(&pool, (phys_addr_t)mem, POOL_SIZE)) {
		fprintf(stderr, "bench-rmp: no memory for the pool\n");
		return 1;
	}
	hv_pool = &pool;
	printf("RMP model (bench/rmp.c)\n");
	r = rmp_model_create(0, GIB);
	if (!r) {
		fprintf(stderr, "bench-rmp: no model\n");
		return 1;
	}
	printf("%-34s %12llu bytes/GiB   real RMP %10.0f   ratio %5.2f\n",
	       "RMP model metadata",
	       (unsigned long long)rmp_model_meta_bytes(r), REAL_PER_GIB,
	       rmp_model_meta_bytes(r) / REAL_PER_GIB);
	rmp_destroy(r);
	r = rmp_model_create(0, 32ULL << 20);
	ret = !r || timed(r, false) || timed(r, true) || rmp_model_check(r);
	if (r)
		rmp_destroy(r);
	if (ret)
		fprintf(stderr, "bench-rmp: failed\n");
	test_mem_free(mem, POOL_SIZE);
	return ret;
}
