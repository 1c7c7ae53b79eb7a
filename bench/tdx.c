// SPDX-License-Identifier: MIT
/*
 * bench/tdx.c - the TDX module model (hv/tdx/tdx_module.h): its metadata
 * per GiB next to the real module's, and the time of the SEAMCALL and
 * TDCALL sequence of one page's life in a TD, per 4 KiB and per 2 MiB,
 * measured side by side in one run.
 *
 * Metadata: the PAMT of a model covering 1 GiB with no TD, then with one
 * TD mapping that GiB at 4 KiB and at 2 MiB (its S-EPT tables). The real
 * module's PAMT is 16 bytes per page at each of its three levels (4 KiB,
 * 2 MiB and 1 GiB entries: Intel TDX module base architecture spec,
 * "Physical Address Metadata Table"), and an S-EPT table is one 4 KiB
 * page of the host's.
 *
 * One page's life: SEPT.ADD of any table missing, PAGE.AUG, the guest's
 * ACCEPT, RANGE.BLOCK, TRACK, every vCPU through an exit, PAGE.REMOVE.
 * Usage: bench-tdx (no arguments). Exit status 1 if a call fails.
 */
#include <stdio.h>
#include <time.h>

#include "hv/alloc.h"
#include "hv/tdx/tdx_module.h"
#include "plat/test_mem.h"

#define GIB (1ULL << 30)
#define SIZE_2M (2ULL << 20)
#define POOL_SIZE (96ULL << 20)
/* Data pages in [0, 1 GiB) of the model's range, table pages above. */
#define MODEL_SIZE (2 * GIB)
#define TABLES_AT GIB
#define REAL_PAMT_PER_GIB (16.0 * (GIB / 4096 + GIB / SIZE_2M + 1))
#define TD 1
#define VCPUS 2
#define ROUNDS 20

static struct page_pool pool;
static u64 next_table;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* SEPT.ADD of the tables above gpa's entry at level; *tables counts. */
static int add_tables(struct tdx_model *m, u64 gpa, unsigned int level,
		      u64 *tables)
{
	for (unsigned int l = TDX_LEVEL_MAX; l > level; l--) {
		u64 at = gpa & ~(tdx_level_size(l) - 1);
		struct tdx_entry_info e;

		if (tdx_model_entry(m, TD, at, l, &e) || !e.reached)
			return -1;
		if (e.state == TDX_SEPT_NL_MAPPED)
			continue;
		if (tdx_sept_add(m, TD, at, l, next_table, NULL))
			return -1;
		next_table += 4096;
		(*tables)++;
	}
	return 0;
}

/* Map [0, 1 GiB) of the TD at level; the tables it took. */
static int map_gib(struct tdx_model *m, unsigned int level, u64 *tables)
{
	u64 step = tdx_level_size(level);

	*tables = 0;
	for (u64 gpa = 0; gpa < GIB; gpa += step)
		if (add_tables(m, gpa, level, tables) ||
		    tdx_page_aug(m, TD, gpa, level, gpa, NULL))
			return -1;
	return 0;
}

static struct tdx_model *model(void)
{
	struct tdx_model *m = tdx_model_create(MODEL_SIZE);

	next_table = TABLES_AT;
	if (m && tdx_td_create(m, TD, VCPUS, TDX_TD_RUNNABLE)) {
		tdx_model_destroy(m);
		return NULL;
	}
	return m;
}

static int metadata(void)
{
	struct tdx_model *m = model();
	u64 tables, empty;

	if (!m)
		return -1;
	empty = tdx_model_meta_bytes(m);
	printf("%-36s %12llu bytes/GiB   real PAMT %10.0f   ratio %5.2f\n",
	       "model PAMT, no TD memory",
	       (unsigned long long)empty / 2, REAL_PAMT_PER_GIB,
	       empty / 2 / REAL_PAMT_PER_GIB);
	for (unsigned int level = TDX_LEVEL_4K; level <= TDX_LEVEL_2M;
	     level++) {
		u64 bytes;

		if (level == TDX_LEVEL_2M) {
			tdx_model_destroy(m);
			m = model();
			if (!m)
				return -1;
		}
		if (map_gib(m, level, &tables))
			return -1;
		bytes = tdx_model_meta_bytes(m) - empty;
		printf("%-36s %12llu bytes/GiB   real S-EPT %9llu   ratio "
		       "%5.2f\n",
		       level ? "model S-EPT, 1 GiB mapped at 2 MiB"
			     : "model S-EPT, 1 GiB mapped at 4 KiB",
		       (unsigned long long)bytes,
		       (unsigned long long)tables * 4096,
		       (double)bytes / (double)(tables * 4096));
	}
	tdx_model_destroy(m);
	return 0;
}

/* One page's life at level over [0, span) of the TD, every page. */
static int life(struct tdx_model *m, unsigned int level, u64 span)
{
	u64 step = tdx_level_size(level), tables = 0;

	for (u64 gpa = 0; gpa < span; gpa += step) {
		if (add_tables(m, gpa, level, &tables) ||
		    tdx_page_aug(m, TD, gpa, level, gpa, NULL) ||
		    tdx_accept(m, TD, 0, gpa, level, NULL) ||
		    tdx_range_block(m, TD, gpa, level, NULL) ||
		    tdx_track(m, TD))
			return -1;
		for (unsigned int v = 0; v < VCPUS; v++)
			if (tdx_vcpu_exit(m, TD, v))
				return -1;
		if (tdx_page_remove(m, TD, gpa, level, NULL))
			return -1;
	}
	return 0;
}

static int timed(unsigned int level)
{
	const u64 span = 64ULL << 20;
	struct tdx_model *m = model();
	double t0;
	int r = 0;

	if (!m)
		return -1;
	t0 = now_ns();
	for (int i = 0; i < ROUNDS && !r; i++)
		r = life(m, level, span);
	if (!r)
		printf("%-36s %10.1f ns a page\n",
		       level ? "AUG..REMOVE per 2 MiB"
			     : "AUG..REMOVE per 4 KiB",
		       (now_ns() - t0) /
			       ((double)ROUNDS * (span / tdx_level_size(level))));
	r = r || tdx_model_check(m);
	tdx_model_destroy(m);
	return r;
}

int main(void)
{
	void *mem = test_mem_alloc(POOL_SIZE);
	int ret;

	alloc_pool_init(&pool);
	if (!mem || alloc_add_region(&pool, (phys_addr_t)mem, POOL_SIZE)) {
		fprintf(stderr, "bench-tdx: no memory for the pool\n");
		return 1;
	}
	hv_pool = &pool;
	printf("TDX module model (bench/tdx.c), per GiB of memory\n");
	ret = metadata() || timed(TDX_LEVEL_4K) || timed(TDX_LEVEL_2M);
	if (ret)
		fprintf(stderr, "bench-tdx: a model call failed\n");
	test_mem_free(mem, POOL_SIZE);
	return ret;
}
