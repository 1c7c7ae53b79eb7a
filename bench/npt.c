// SPDX-License-Identifier: MIT
/*
 * bench/npt.c - page-table engine costs on the host build, measured side by
 * side in one run: map, zap, split and merge of one 4 KiB page against the
 * same operation one size up, and covering a 2 MiB range with 512 small
 * leaves against one large leaf. Each figure is the median over ROUNDS
 * rounds of the mean cost of one operation in a batch; set-up is not timed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hv/npt.h"
#include "plat/test_mem.h"

#define POOL_SIZE (64UL << 20)
#define ROUNDS 31
#define HPA_BASE (1ULL << 40) /* never touched: tables only hold it */

static struct page_pool pool;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void must(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "bench-npt: %s failed: %d\n", what, ret);
		exit(1);
	}
}

/* One side of a comparison: batch set-up, then the timed operation i. */
struct side {
	unsigned int n; /* operations per round */
	void (*setup)(struct npt *npt, unsigned int n);
	void (*op)(struct npt *npt, unsigned int i);
};

static void map_range(struct npt *npt, u64 gpa, u64 size,
		      unsigned int max_order)
{
	must(npt_map(npt, gpa, HPA_BASE + gpa, size, NPT_PROT_RWX, max_order),
	     "map");
}

static void no_setup(struct npt *npt, unsigned int n)
{
}

/* ---- map one page */
static void map_4k(struct npt *npt, unsigned int i)
{
	map_range(npt, (u64)i * PAGE_SIZE, PAGE_SIZE, NPT_ORDER_4K);
}

static void map_2m(struct npt *npt, unsigned int i)
{
	map_range(npt, (u64)i * SZ_2M, SZ_2M, NPT_ORDER_2M);
}

/* ---- zap one page */
static void setup_4k(struct npt *npt, unsigned int n)
{
	map_range(npt, 0, (u64)n * PAGE_SIZE, NPT_ORDER_4K);
}

static void setup_2m(struct npt *npt, unsigned int n)
{
	map_range(npt, 0, (u64)n * SZ_2M, NPT_ORDER_2M);
}

static void zap_4k(struct npt *npt, unsigned int i)
{
	must(npt_zap(npt, (u64)i * PAGE_SIZE, PAGE_SIZE), "zap");
}

static void zap_2m(struct npt *npt, unsigned int i)
{
	must(npt_zap(npt, (u64)i * SZ_2M, SZ_2M), "zap");
}

/* ---- split: narrow one page inside the next larger leaf */
static void setup_1g(struct npt *npt, unsigned int n)
{
	map_range(npt, 0, (u64)n * SZ_1G, NPT_ORDER_1G);
}

static void split_2m_to_4k(struct npt *npt, unsigned int i)
{
	must(npt_protect(npt, (u64)i * SZ_2M + PAGE_SIZE, PAGE_SIZE,
			 NPT_PROT_R, NPT_ORDER_2M),
	     "protect");
}

static void split_1g_to_2m(struct npt *npt, unsigned int i)
{
	must(npt_protect(npt, (u64)i * SZ_1G + SZ_2M, SZ_2M, NPT_PROT_R,
			 NPT_ORDER_1G),
	     "protect");
}

/* ---- merge: fill the one hole left in a table of small leaves */
static void setup_holes_4k(struct npt *npt, unsigned int n)
{
	map_range(npt, 0, (u64)n * SZ_2M, NPT_ORDER_4K);
	for (unsigned int i = 0; i < n; i++)
		must(npt_zap(npt, (u64)i * SZ_2M + PAGE_SIZE, PAGE_SIZE),
		     "zap");
}

static void setup_holes_2m(struct npt *npt, unsigned int n)
{
	map_range(npt, 0, (u64)n * SZ_1G, NPT_ORDER_2M);
	for (unsigned int i = 0; i < n; i++)
		must(npt_zap(npt, (u64)i * SZ_1G + SZ_2M, SZ_2M), "zap");
}

static void merge_4k(struct npt *npt, unsigned int i)
{
	map_range(npt, (u64)i * SZ_2M + PAGE_SIZE, PAGE_SIZE, NPT_ORDER_2M);
}

static void merge_2m(struct npt *npt, unsigned int i)
{
	map_range(npt, (u64)i * SZ_1G + SZ_2M, SZ_2M, NPT_ORDER_1G);
}

/* ---- a 2 MiB range: 512 small leaves in one call, or one leaf */
static void map_range_4k(struct npt *npt, unsigned int i)
{
	map_range(npt, (u64)i * SZ_2M, SZ_2M, NPT_ORDER_4K);
}

static void setup_range_4k(struct npt *npt, unsigned int n)
{
	map_range(npt, 0, (u64)n * SZ_2M, NPT_ORDER_4K);
}

/* Median over ROUNDS of the mean ns per operation. */
static double measure(const struct npt_format *fmt, const struct side *s)
{
	double r[ROUNDS];

	for (int k = 0; k < ROUNDS; k++) {
		struct npt npt;
		double t0;

		must(npt_init(&npt, fmt, &pool, NULL, NULL), "init");
		s->setup(&npt, s->n);
		t0 = now_ns();
		for (unsigned int i = 0; i < s->n; i++)
			s->op(&npt, i);
		r[k] = (now_ns() - t0) / s->n;
		npt_destroy(&npt);
	}
	for (int i = 1; i < ROUNDS; i++)
		for (int j = i; j > 0 && r[j] < r[j - 1]; j--) {
			double x = r[j];

			r[j] = r[j - 1];
			r[j - 1] = x;
		}
	return r[ROUNDS / 2];
}

struct row {
	const char *name, *small_name, *big_name;
	struct side small, big;
	bool same_bytes; /* both sides cover the same 2 MiB */
};

static const struct row rows[] = {
	{ .name = "map one page", .small_name = "4K", .big_name = "2M",
	  .small = { 4096, no_setup, map_4k },
	  .big = { 512, no_setup, map_2m } },
	{ .name = "zap one page", .small_name = "4K", .big_name = "2M",
	  .small = { 4096, setup_4k, zap_4k },
	  .big = { 512, setup_2m, zap_2m } },
	{ .name = "split (protect a piece)", .small_name = "2M->4K",
	  .big_name = "1G->2M", .small = { 512, setup_2m, split_2m_to_4k },
	  .big = { 32, setup_1g, split_1g_to_2m } },
	{ .name = "merge (fill the last hole)", .small_name = "4K->2M",
	  .big_name = "2M->1G", .small = { 512, setup_holes_4k, merge_4k },
	  .big = { 16, setup_holes_2m, merge_2m } },
	{ .name = "map a 2 MiB range", .small_name = "512x4K",
	  .big_name = "1x2M", .small = { 256, no_setup, map_range_4k },
	  .big = { 512, no_setup, map_2m }, .same_bytes = true },
	{ .name = "zap a 2 MiB range", .small_name = "512x4K",
	  .big_name = "1x2M", .small = { 256, setup_range_4k, zap_2m },
	  .big = { 512, setup_2m, zap_2m }, .same_bytes = true },
};

int main(void)
{
	const struct npt_format *fmt = &npt_format_amd;
	void *mem = test_mem_alloc(POOL_SIZE);

	if (!mem) {
		fprintf(stderr, "bench-npt: no memory for the pool\n");
		return 1;
	}
	alloc_pool_init(&pool);
	must(alloc_add_region(&pool, (phys_addr_t)mem, POOL_SIZE), "pool");

	printf("npt engine, format %s, host build: ns per operation, median "
	       "of %d rounds\n", fmt->name, ROUNDS);
	printf("%-27s %-7s %9s  %-7s %9s  %11s  %14s\n", "operation",
	       "small", "ns/op", "large", "ns/op", "large/small",
	       "per-byte gain");
	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		double small = measure(fmt, &r->small);
		double big = measure(fmt, &r->big);

		printf("%-27s %-7s %9.1f  %-7s %9.1f  %10.2fx", r->name,
		       r->small_name, small, r->big_name, big, big / small);
		if (r->same_bytes)
			printf("  %14s\n", "-");
		else
			printf("  %13.0fx\n", small * 512 / big);
	}
	printf("per-byte gain = 512 x small / large: the cost of 512 small "
	       "operations over the\nbytes one large operation covers. The "
	       "2 MiB range rows cover the same bytes\neither way.\n");
	test_mem_free(mem, POOL_SIZE);
	return 0;
}
