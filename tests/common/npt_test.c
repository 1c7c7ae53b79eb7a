// SPDX-License-Identifier: MIT
/*
 * tests/common/npt_test.c - the page-table engine's suite. The same cases
 * run for each format (child suites amd, ept, host), each over a private
 * page pool; the expected raw entries are written out per format.
 */
#include "hv/arch_npt.h"
#include "hv/npt.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "plat/test_mem.h"
#include "tests/suites.h"

#define ARENA (4UL << 20)
#define ADDR_BITS 0x000ffffffffff000ULL /* entry bits 51:12 */

/* What the entries of one format must look like, written out in full. */
struct fmt_expect {
	const struct npt_format *fmt;
	u64 table; /* low bits of an entry pointing to a table */
	u64 leaf_rwx, leaf_rw, leaf_rx, leaf_r; /* 4 KiB leaf, hpa 0 */
	u64 leaf_2m_rwx; /* 2 MiB leaf, hpa 0 */
	u64 leaf_rw_uc, leaf_2m_rwx_uc; /* the same, uncached */
};

/*
 * Nested page tables use the long-mode entry format (AMD64 APM Vol. 2,
 * 5.3 and 15.25): hpa|P|RW|US, U/S set at every level as nested walks are
 * user accesses, 2 MiB hpa|PS|P|RW|US = 0x87, NX bit 63; uncached is
 * PCD 4 | PWT 3 (PAT entry 3).
 */
static struct fmt_expect expect_amd = {
	.fmt = &npt_format_amd,
	.table = 0x7,
	.leaf_rwx = 0x7,
	.leaf_rw = 0x8000000000000007ULL,
	.leaf_rx = 0x5,
	.leaf_r = 0x8000000000000005ULL,
	.leaf_2m_rwx = 0x87,
	.leaf_rw_uc = 0x800000000000001fULL,
	.leaf_2m_rwx_uc = 0x9f,
};

/* R=0, W=1, X=2, memory type WB (6) or UC (0) in 5:3, ignore-PAT 6, large
 * page 7. */
static struct fmt_expect expect_ept = {
	.fmt = &npt_format_ept,
	.table = 0x7,
	.leaf_rwx = 0x77,
	.leaf_rw = 0x73,
	.leaf_rx = 0x75,
	.leaf_r = 0x71,
	.leaf_2m_rwx = 0xf7,
	.leaf_rw_uc = 0x43,
	.leaf_2m_rwx_uc = 0xc7,
};

/* P, RW, US clear, NX 63, PS 7, uncached PCD 4 | PWT 3. */
static struct fmt_expect expect_host = {
	.fmt = &npt_format_host,
	.table = 0x3,
	.leaf_rwx = 0x3,
	.leaf_rw = 0x8000000000000003ULL,
	.leaf_rx = 0x1,
	.leaf_r = 0x8000000000000001ULL,
	.leaf_2m_rwx = 0x83,
	.leaf_rw_uc = 0x800000000000001bULL,
	.leaf_2m_rwx_uc = 0x9b,
};

struct env {
	struct page_pool pool;
	void *mem;
	struct npt npt;
	const struct fmt_expect *x;
	unsigned int flush_calls;
};

static void count_flush(struct npt *npt)
{
	struct env *v = npt->ctx;

	v->flush_calls++;
}

static const struct npt_ops test_ops = { .flush = count_flush };
static const struct npt_ops widen_ops = { .flush = count_flush,
					  .flush_widen = true };

static bool env_open(struct kt *t, struct env *v)
{
	v->x = kt_ctx(t);
	v->flush_calls = 0;
	alloc_pool_init(&v->pool);
	v->mem = test_mem_alloc(ARENA);
	if (!KT_EXPECT(t, v->mem != NULL))
		return false;
	if (!KT_EXPECT_OK(t, alloc_add_region(&v->pool, (phys_addr_t)v->mem,
					      ARENA)) ||
	    !KT_EXPECT_OK(t, npt_init(&v->npt, v->x->fmt, &v->pool, &test_ops,
				      v))) {
		test_mem_free(v->mem, ARENA);
		return false;
	}
	return true;
}

/* The tables are consistent and hold exactly the pool's table pages. */
static void expect_sound(struct kt *t, struct env *v)
{
	KT_EXPECT_OK(t, npt_check(&v->npt));
	KT_EXPECT_EQ(t, v->npt.stats.table_pages,
		     alloc_owned_pages(&v->pool, OWN_PGTABLE));
}

static void env_close(struct kt *t, struct env *v)
{
	expect_sound(t, v);
	npt_destroy(&v->npt);
	KT_EXPECT_EQ(t, alloc_owned_pages(&v->pool, OWN_PGTABLE), 0);
	KT_EXPECT_EQ(t, alloc_free_pages(&v->pool), v->pool.total_pages);
	KT_EXPECT_OK(t, alloc_check(&v->pool));
	test_mem_free(v->mem, ARENA);
}

/* gpa translates to hpa through a leaf of size bytes with rights prot. */
#define EXPECT_XLATE(t, v, gpa, hpa_, size_, prot_)                          \
	({                                                                   \
		struct npt_xlate x_;                                         \
		KT_EXPECT_OK(t, npt_lookup(&(v)->npt, gpa, &x_)) &&          \
			KT_EXPECT_EQ(t, x_.hpa, hpa_) &&                     \
			KT_EXPECT_EQ(t, x_.size, size_) &&                   \
			KT_EXPECT_EQ(t, x_.prot, prot_);                     \
	})

#define EXPECT_UNMAPPED(t, v, gpa)                                           \
	({                                                                   \
		struct npt_xlate x_;                                         \
		KT_EXPECT_ERRNO(t, npt_lookup(&(v)->npt, gpa, &x_), ENOENT); \
	})

static u64 raw_leaf(struct env *v, u64 gpa)
{
	struct npt_xlate x;

	if (npt_lookup(&v->npt, gpa, &x))
		return 0;
	return x.entries[x.depth - 1];
}

/* The table page that holds the entry for gpa at level l (l >= 1). */
static u64 *table_at(struct env *v, u64 gpa, unsigned int l)
{
	struct npt_xlate x;

	npt_lookup(&v->npt, gpa, &x);
	return (u64 *)(phys_addr_t)(x.entries[l - 1] & ADDR_BITS);
}

/* A digest of everything an update may change. */
struct snapshot {
	u64 hash, nr_leaves, table_pages, pgtable_owned, free_pages;
	bool owed;
};

static int hash_leaf(void *arg, const struct npt_leaf *leaf)
{
	struct snapshot *s = arg;

	s->hash = (s->hash ^ leaf->gpa) * 0x100000001b3ULL;
	s->hash = (s->hash ^ leaf->entry) * 0x100000001b3ULL;
	s->nr_leaves++;
	return 0;
}

static void take_snapshot(struct env *v, struct snapshot *s)
{
	*s = (struct snapshot){ .hash = 0xcbf29ce484222325ULL };
	npt_for_each_leaf(&v->npt, hash_leaf, s);
	s->table_pages = v->npt.stats.table_pages;
	s->pgtable_owned = alloc_owned_pages(&v->pool, OWN_PGTABLE);
	s->free_pages = alloc_free_pages(&v->pool);
	s->owed = npt_flush_owed(&v->npt);
}

static bool unchanged(struct env *v, const struct snapshot *before)
{
	struct snapshot now;

	take_snapshot(v, &now);
	return now.hash == before->hash && now.nr_leaves == before->nr_leaves &&
	       now.table_pages == before->table_pages &&
	       now.pgtable_owned == before->pgtable_owned &&
	       now.free_pages == before->free_pages && now.owed == before->owed;
}

static u64 count_leaves(struct env *v)
{
	struct snapshot s;

	take_snapshot(v, &s);
	return s.nr_leaves;
}

/* ------------------------------------------------------------ cases */

static void npt_map_each_size(struct kt *t)
{
	struct env v;
	struct npt_xlate x;

	if (!env_open(t, &v))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x1000, 0x12345000, PAGE_SIZE,
				NPT_PROT_RWX, NPT_ORDER_4K));
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x40000000, 0x80200000, SZ_2M,
				NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x80000000, 0xc0000000, SZ_1G,
				NPT_PROT_RWX, NPT_ORDER_1G));
	EXPECT_XLATE(t, &v, 0x1000, 0x12345000, PAGE_SIZE, NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, 0x1ff8, 0x12345ff8, PAGE_SIZE, NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, 0x40000000, 0x80200000, SZ_2M, NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, 0x401ffff8, 0x803ffff8, SZ_2M, NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, 0x80000000, 0xc0000000, SZ_1G, NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, 0xbffff000, 0xfffff000, SZ_1G, NPT_PROT_RWX);
	EXPECT_UNMAPPED(t, &v, 0);
	EXPECT_UNMAPPED(t, &v, 0x2000);
	EXPECT_UNMAPPED(t, &v, 0x40200000);
	EXPECT_UNMAPPED(t, &v, 0xc0000000);
	/* Walk depth: 4 KiB at the last level, 2 MiB and 1 GiB above it. */
	KT_EXPECT_OK(t, npt_lookup(&v.npt, 0x1000, &x));
	KT_EXPECT_EQ(t, x.depth, 4);
	KT_EXPECT_EQ(t, x.level, 3);
	KT_EXPECT_OK(t, npt_lookup(&v.npt, 0x40000000, &x));
	KT_EXPECT_EQ(t, x.depth, 3);
	KT_EXPECT_OK(t, npt_lookup(&v.npt, 0x80000000, &x));
	KT_EXPECT_EQ(t, x.depth, 2);
	KT_EXPECT_EQ(t, v.npt.stats.leaves[3], 1);
	KT_EXPECT_EQ(t, v.npt.stats.leaves[2], 1);
	KT_EXPECT_EQ(t, v.npt.stats.leaves[1], 1);
	/* root, one PDPT, two PDs, one PT */
	KT_EXPECT_EQ(t, v.npt.stats.table_pages, 5);
	KT_EXPECT(t, !npt_flush_owed(&v.npt));
	env_close(t, &v);
}

static void npt_entry_bits(struct kt *t)
{
	struct env v;
	struct npt_xlate x;

	if (!env_open(t, &v))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x1000, 0x12345000, PAGE_SIZE,
				NPT_PROT_RWX, 0));
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x2000, 0x23456000, PAGE_SIZE,
				NPT_PROT_R | NPT_PROT_W, 0));
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x3000, 0x34567000, PAGE_SIZE,
				NPT_PROT_R | NPT_PROT_X, 0));
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x4000, 0xfffffffff000ULL, PAGE_SIZE,
				NPT_PROT_R, 0));
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x600000, 0x7fe00000, SZ_2M,
				NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x40000000, 0x40000000, SZ_1G,
				NPT_PROT_RWX, NPT_ORDER_1G));
	KT_EXPECT_EQ(t, raw_leaf(&v, 0x1000), 0x12345000 | v.x->leaf_rwx);
	KT_EXPECT_EQ(t, raw_leaf(&v, 0x2000), 0x23456000 | v.x->leaf_rw);
	KT_EXPECT_EQ(t, raw_leaf(&v, 0x3000), 0x34567000 | v.x->leaf_rx);
	KT_EXPECT_EQ(t, raw_leaf(&v, 0x4000),
		     0xfffffffff000ULL | v.x->leaf_r);
	KT_EXPECT_EQ(t, raw_leaf(&v, 0x600000), 0x7fe00000 | v.x->leaf_2m_rwx);
	KT_EXPECT_EQ(t, raw_leaf(&v, 0x40000000),
		     0x40000000 | v.x->leaf_2m_rwx);
	EXPECT_XLATE(t, &v, 0x2000, 0x23456000, PAGE_SIZE,
		     NPT_PROT_R | NPT_PROT_W);
	EXPECT_XLATE(t, &v, 0x3000, 0x34567000, PAGE_SIZE,
		     NPT_PROT_R | NPT_PROT_X);
	EXPECT_XLATE(t, &v, 0x4000, 0xfffffffff000ULL, PAGE_SIZE, NPT_PROT_R);
	/* Every table entry on the walk: page address | the table bits. */
	KT_EXPECT_OK(t, npt_lookup(&v.npt, 0x1000, &x));
	for (unsigned int l = 0; l < 3; l++) {
		KT_EXPECT_EQ(t, x.entries[l] & ~ADDR_BITS, v.x->table);
		KT_EXPECT_NE(t, x.entries[l] & ADDR_BITS, 0);
	}
	KT_EXPECT_EQ(t, npt_root_pa(&v.npt) & (PAGE_SIZE - 1), 0);
	env_close(t, &v);
}

/* The engine picks the largest page both addresses and the range allow. */
static void npt_largest_fit(struct kt *t)
{
	struct env v;

	if (!env_open(t, &v))
		return;
	/* 4 KiB, 2 MiB, 2 MiB, 4 KiB */
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x1ff000, 0x3ff000,
				2 * SZ_2M + 2 * PAGE_SIZE, NPT_PROT_RWX,
				NPT_ORDER_1G));
	KT_EXPECT_EQ(t, count_leaves(&v), 4);
	EXPECT_XLATE(t, &v, 0x1ff000, 0x3ff000, PAGE_SIZE, NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, 0x200000, 0x400000, SZ_2M, NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, 0x400000, 0x600000, SZ_2M, NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, 0x600000, 0x800000, PAGE_SIZE, NPT_PROT_RWX);
	EXPECT_UNMAPPED(t, &v, 0x601000);
	KT_EXPECT_OK(t, npt_zap(&v.npt, 0, SZ_1G));
	/* The HPA is only 4 KiB aligned: 512 small leaves. */
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x200000, 0x401000, SZ_2M,
				NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_EQ(t, count_leaves(&v), 512);
	KT_EXPECT_EQ(t, v.npt.stats.leaves[3], 512);
	/* max_order 0, and 5 (rounded down to 4 KiB), keep leaves small. */
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x400000, 0x400000, SZ_2M,
				NPT_PROT_RWX, 0));
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x600000, 0x600000, SZ_2M,
				NPT_PROT_RWX, 5));
	KT_EXPECT_EQ(t, v.npt.stats.leaves[3], 3 * 512);
	KT_EXPECT_EQ(t, v.npt.stats.leaves[2], 0);
	/* A 1 GiB range with max_order 2 MiB: 512 leaves of 2 MiB. */
	KT_EXPECT_OK(t, npt_map(&v.npt, SZ_1G, SZ_1G, SZ_1G, NPT_PROT_RWX,
				NPT_ORDER_2M));
	KT_EXPECT_EQ(t, v.npt.stats.leaves[2], 512);
	KT_EXPECT_EQ(t, v.npt.stats.leaves[1], 0);
	env_close(t, &v);
}

static void npt_one_2m_entry(struct kt *t)
{
	struct env v;

	if (!env_open(t, &v))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x200000, 0x40200000, SZ_2M,
				NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_EQ(t, count_leaves(&v), 1);
	KT_EXPECT_EQ(t, v.npt.stats.leaves[2], 1);
	/* root, PDPT, PD: no last-level table */
	KT_EXPECT_EQ(t, v.npt.stats.table_pages, 3);
	KT_EXPECT_EQ(t, raw_leaf(&v, 0x200000), 0x40200000 | v.x->leaf_2m_rwx);
	env_close(t, &v);
}

/* Changing 4 KiB of a 2 MiB leaf splits it; the rest keeps its mapping. */
static void npt_split_keeps_rest(struct kt *t)
{
	const u64 QUARTER = SZ_2M / 4;
	struct env v;
	u64 base = 0x400000, hpa = 0x7fe00000;

	if (!env_open(t, &v))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, base, hpa, SZ_2M, NPT_PROT_RWX,
				NPT_ORDER_2M));
	KT_EXPECT_OK(t, npt_protect(&v.npt, base + 0x5000, PAGE_SIZE,
				    NPT_PROT_R, NPT_ORDER_2M));
	KT_EXPECT_EQ(t, v.npt.stats.splits, 1);
	KT_EXPECT_EQ(t, v.npt.stats.table_pages, 4);
	EXPECT_XLATE(t, &v, base + 0x5000, hpa + 0x5000, PAGE_SIZE,
		     NPT_PROT_R);
	EXPECT_XLATE(t, &v, base, hpa, PAGE_SIZE, NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, base + 0x4ff8, hpa + 0x4ff8, PAGE_SIZE,
		     NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, base + 0x6000, hpa + 0x6000, PAGE_SIZE,
		     NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, base + SZ_2M - 8, hpa + SZ_2M - 8, PAGE_SIZE,
		     NPT_PROT_RWX);
	KT_EXPECT_EQ(t, raw_leaf(&v, base + 0x5000),
		     (hpa + 0x5000) | v.x->leaf_r);
	KT_EXPECT_EQ(t, count_leaves(&v), 512);
	/* A hole punched by zap splits nothing more. */
	KT_EXPECT_OK(t, npt_zap(&v.npt, base + 0x7000, PAGE_SIZE));
	EXPECT_UNMAPPED(t, &v, base + 0x7000);
	EXPECT_XLATE(t, &v, base + 0x8000, hpa + 0x8000, PAGE_SIZE,
		     NPT_PROT_RWX);
	KT_EXPECT_EQ(t, count_leaves(&v), 511);
	KT_EXPECT_EQ(t, v.npt.stats.splits, 1);
	expect_sound(t, &v);
	/* Zapping into a different 2 MiB leaf splits that one. */
	KT_EXPECT_OK(t, npt_map(&v.npt, base + SZ_2M, hpa + SZ_2M, SZ_2M,
				NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_OK(t, npt_zap(&v.npt, base + SZ_2M + QUARTER, QUARTER));
	KT_EXPECT_EQ(t, v.npt.stats.splits, 2);
	EXPECT_XLATE(t, &v, base + SZ_2M, hpa + SZ_2M, PAGE_SIZE,
		     NPT_PROT_RWX);
	EXPECT_UNMAPPED(t, &v, base + SZ_2M + QUARTER);
	EXPECT_XLATE(t, &v, base + SZ_2M + 2 * QUARTER,
		     hpa + SZ_2M + 2 * QUARTER, PAGE_SIZE, NPT_PROT_RWX);
	env_close(t, &v);
}

/* Filling the hole again makes the table uniform: it merges back. */
static void npt_merge_back(struct kt *t)
{
	struct env v;
	u64 base = 0x400000, hpa = 0x7fe00000;
	u64 pages;

	if (!env_open(t, &v))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, base, hpa, SZ_2M, NPT_PROT_RWX,
				NPT_ORDER_2M));
	pages = alloc_owned_pages(&v.pool, OWN_PGTABLE);
	KT_EXPECT_OK(t, npt_zap(&v.npt, base + 0x3000, PAGE_SIZE));
	KT_EXPECT_EQ(t, alloc_owned_pages(&v.pool, OWN_PGTABLE), pages + 1);
	/* Mapped back with max_order 4 KiB: no merge allowed. */
	KT_EXPECT_OK(t, npt_map(&v.npt, base + 0x3000, hpa + 0x3000, PAGE_SIZE,
				NPT_PROT_RWX, NPT_ORDER_4K));
	KT_EXPECT_EQ(t, v.npt.stats.merges, 0);
	EXPECT_XLATE(t, &v, base, hpa, PAGE_SIZE, NPT_PROT_RWX);
	/* The same again, allowing 2 MiB: one leaf, the table page freed. */
	KT_EXPECT_OK(t, npt_map(&v.npt, base + 0x3000, hpa + 0x3000, PAGE_SIZE,
				NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_EQ(t, v.npt.stats.merges, 1);
	EXPECT_XLATE(t, &v, base + 0x3000, hpa + 0x3000, SZ_2M, NPT_PROT_RWX);
	KT_EXPECT_EQ(t, raw_leaf(&v, base), hpa | v.x->leaf_2m_rwx);
	KT_EXPECT_EQ(t, alloc_owned_pages(&v.pool, OWN_PGTABLE), pages);
	KT_EXPECT_EQ(t, v.npt.stats.table_pages, pages);
	expect_sound(t, &v);

	/* Different rights in the hole: no merge until they match. */
	KT_EXPECT_OK(t, npt_protect(&v.npt, base + 0x1000, PAGE_SIZE,
				    NPT_PROT_R, NPT_ORDER_2M));
	KT_EXPECT_OK(t, npt_protect(&v.npt, base, PAGE_SIZE,
				    NPT_PROT_R | NPT_PROT_W, NPT_ORDER_2M));
	KT_EXPECT_EQ(t, v.npt.stats.merges, 1);
	KT_EXPECT_OK(t, npt_protect(&v.npt, base, 2 * PAGE_SIZE, NPT_PROT_RWX,
				    NPT_ORDER_2M));
	KT_EXPECT_EQ(t, v.npt.stats.merges, 2);
	EXPECT_XLATE(t, &v, base + 0x1000, hpa + 0x1000, SZ_2M, NPT_PROT_RWX);

	/* Contiguous but misaligned HPAs never merge. */
	KT_EXPECT_OK(t, npt_map(&v.npt, base, hpa + PAGE_SIZE, SZ_2M,
				NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_EQ(t, v.npt.stats.leaves[3], 512);
	KT_EXPECT_EQ(t, v.npt.stats.merges, 2);
	/* A different HPA in one page: no merge either. */
	KT_EXPECT_OK(t, npt_map(&v.npt, base, hpa, SZ_2M, NPT_PROT_RWX,
				NPT_ORDER_4K));
	KT_EXPECT_OK(t, npt_map(&v.npt, base + 0x9000, 0x9000, PAGE_SIZE,
				NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_EQ(t, v.npt.stats.merges, 2);
	KT_EXPECT_OK(t, npt_map(&v.npt, base + 0x9000, hpa + 0x9000,
				PAGE_SIZE, NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_EQ(t, v.npt.stats.merges, 3);
	KT_EXPECT_EQ(t, v.npt.stats.leaves[2], 1);
	env_close(t, &v);
}

static void npt_split_merge_1g(struct kt *t)
{
	struct env v;
	u64 base = SZ_1G, hpa = 3 * SZ_1G, hole = base + 0x12345000;
	u64 pages;

	if (!env_open(t, &v))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, base, hpa, SZ_1G, NPT_PROT_RWX,
				NPT_ORDER_1G));
	KT_EXPECT_EQ(t, v.npt.stats.leaves[1], 1);
	KT_EXPECT_EQ(t, raw_leaf(&v, base), hpa | v.x->leaf_2m_rwx);
	pages = v.npt.stats.table_pages;
	/* A 4 KiB hole: the 1 GiB leaf and then one 2 MiB piece split. */
	KT_EXPECT_OK(t, npt_zap(&v.npt, hole, PAGE_SIZE));
	KT_EXPECT_EQ(t, v.npt.stats.splits, 2);
	KT_EXPECT_EQ(t, v.npt.stats.table_pages, pages + 2);
	KT_EXPECT_EQ(t, v.npt.stats.leaves[1], 0);
	KT_EXPECT_EQ(t, v.npt.stats.leaves[2], 511);
	KT_EXPECT_EQ(t, v.npt.stats.leaves[3], 511);
	EXPECT_UNMAPPED(t, &v, hole);
	EXPECT_XLATE(t, &v, hole + PAGE_SIZE, hpa + 0x12346000, PAGE_SIZE,
		     NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, hole - PAGE_SIZE, hpa + 0x12344000, PAGE_SIZE,
		     NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, base, hpa, SZ_2M, NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, base + SZ_1G - 8, hpa + SZ_1G - 8, SZ_2M,
		     NPT_PROT_RWX);
	expect_sound(t, &v);
	/* Refilled with max_order 2 MiB: merges to 2 MiB, not 1 GiB. */
	KT_EXPECT_OK(t, npt_map(&v.npt, hole, hpa + 0x12345000, PAGE_SIZE,
				NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_EQ(t, v.npt.stats.merges, 1);
	KT_EXPECT_EQ(t, v.npt.stats.leaves[2], 512);
	KT_EXPECT_EQ(t, v.npt.stats.table_pages, pages + 1);
	/* Allowing 1 GiB merges the level above as well. */
	KT_EXPECT_OK(t, npt_map(&v.npt, hole, hpa + 0x12345000, PAGE_SIZE,
				NPT_PROT_RWX, NPT_ORDER_1G));
	KT_EXPECT_EQ(t, v.npt.stats.merges, 2);
	EXPECT_XLATE(t, &v, hole, hpa + 0x12345000, SZ_1G, NPT_PROT_RWX);
	KT_EXPECT_EQ(t, v.npt.stats.table_pages, pages);
	KT_EXPECT_EQ(t, alloc_owned_pages(&v.pool, OWN_PGTABLE), pages);
	/* A hole and refill in one step: split and merge both levels. */
	KT_EXPECT_OK(t, npt_zap(&v.npt, hole, PAGE_SIZE));
	KT_EXPECT_OK(t, npt_map(&v.npt, hole, hpa + 0x12345000, PAGE_SIZE,
				NPT_PROT_RWX, NPT_ORDER_1G));
	KT_EXPECT_EQ(t, v.npt.stats.merges, 4);
	KT_EXPECT_EQ(t, v.npt.stats.leaves[1], 1);
	env_close(t, &v);
}

static void npt_zap_ranges(struct kt *t)
{
	struct env v;

	if (!env_open(t, &v))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, 0, 0x10000000, 2 * SZ_2M,
				NPT_PROT_RWX, NPT_ORDER_4K));
	KT_EXPECT_OK(t, npt_map(&v.npt, SZ_1G, 0x20000000, SZ_2M,
				NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_EQ(t, v.npt.stats.table_pages, 6);
	/* Zap across the boundary of the two last-level tables. */
	KT_EXPECT_OK(t, npt_zap(&v.npt, SZ_2M - 0x3000, 0x5000));
	EXPECT_XLATE(t, &v, SZ_2M - 0x4000, 0x10000000 + SZ_2M - 0x4000,
		     PAGE_SIZE, NPT_PROT_RWX);
	EXPECT_UNMAPPED(t, &v, SZ_2M - 0x3000);
	EXPECT_UNMAPPED(t, &v, SZ_2M + 0x1000);
	EXPECT_XLATE(t, &v, SZ_2M + 0x2000, 0x10000000 + SZ_2M + 0x2000,
		     PAGE_SIZE, NPT_PROT_RWX);
	KT_EXPECT_EQ(t, count_leaves(&v), 1024 - 5 + 1);
	/* Zapping a whole table's range frees it. */
	KT_EXPECT_OK(t, npt_zap(&v.npt, 0, SZ_2M));
	KT_EXPECT_EQ(t, v.npt.stats.table_pages, 5);
	expect_sound(t, &v);
	/* Emptying a table piece by piece frees it too. */
	KT_EXPECT_OK(t, npt_zap(&v.npt, SZ_2M, 0x3000));
	KT_EXPECT_OK(t, npt_zap(&v.npt, SZ_2M + 0x3000, SZ_2M - 0x3000));
	KT_EXPECT_EQ(t, v.npt.stats.table_pages, 3);
	KT_EXPECT_EQ(t, count_leaves(&v), 1);
	/* Zapping nothing mapped changes nothing and owes nothing. */
	npt_flush_ack(&v.npt);
	KT_EXPECT_OK(t, npt_zap(&v.npt, 0x100000000ULL, SZ_1G));
	KT_EXPECT(t, !npt_flush_owed(&v.npt));
	/* Zapping everything leaves only the root. */
	KT_EXPECT_OK(t, npt_zap(&v.npt, 0, BIT(v.x->fmt->va_bits)));
	KT_EXPECT_EQ(t, v.npt.stats.table_pages, 1);
	KT_EXPECT_EQ(t, alloc_owned_pages(&v.pool, OWN_PGTABLE), 1);
	KT_EXPECT_EQ(t, count_leaves(&v), 0);
	KT_EXPECT(t, npt_flush_owed(&v.npt));
	env_close(t, &v);
}

/* zap_wide drops straddling huge leaves whole and needs no memory. */
static void npt_zap_wide_needs_no_memory(struct kt *t)
{
	struct env v;
	u64 calls;

	if (!env_open(t, &v))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, 0, 0x40000000, 2 * SZ_2M,
				NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_OK(t, npt_map(&v.npt, 2 * SZ_2M, 0x50000000, SZ_2M,
				NPT_PROT_RWX, NPT_ORDER_4K));
	calls = v.pool.alloc_calls;
	alloc_fail_nth(&v.pool, 1);
	KT_EXPECT_ERRNO(t, npt_zap(&v.npt, SZ_2M + 0x1000, PAGE_SIZE), ENOMEM);
	KT_EXPECT_OK(t, npt_zap_wide(&v.npt, SZ_2M + 0x1000, SZ_2M));
	alloc_fail_nth(&v.pool, 0);
	/* One failed allocation by npt_zap, none by npt_zap_wide. */
	KT_EXPECT_EQ(t, v.pool.alloc_calls, calls + 1);
	EXPECT_XLATE(t, &v, 0, 0x40000000, SZ_2M, NPT_PROT_RWX);
	EXPECT_UNMAPPED(t, &v, SZ_2M);
	/* Small leaves are zapped exactly. */
	EXPECT_UNMAPPED(t, &v, 2 * SZ_2M);
	EXPECT_XLATE(t, &v, 2 * SZ_2M + 0x1000, 0x50001000, PAGE_SIZE,
		     NPT_PROT_RWX);
	KT_EXPECT(t, npt_flush_owed(&v.npt));
	env_close(t, &v);
}

static void npt_flush_tracking(struct kt *t)
{
	struct env v;

	if (!env_open(t, &v))
		return;
	/* Pure additions and widenings owe nothing. */
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x200000, 0x600000, SZ_2M, NPT_PROT_R,
				NPT_ORDER_2M));
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x1000, 0x1000, PAGE_SIZE, NPT_PROT_R,
				0));
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x1000, 0x1000, PAGE_SIZE,
				NPT_PROT_R, 0));
	KT_EXPECT_OK(t, npt_protect(&v.npt, 0x1000, PAGE_SIZE, NPT_PROT_RWX,
				    0));
	/* Widening part of a huge leaf: a split that loses nothing. */
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x201000, 0x601000, PAGE_SIZE,
				NPT_PROT_RWX, 0));
	KT_EXPECT_EQ(t, v.npt.stats.splits, 1);
	/* Mapping what is already there does not split. */
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x205000, 0x605000, PAGE_SIZE,
				NPT_PROT_R, 0));
	KT_EXPECT_OK(t, npt_protect(&v.npt, 0x1000, PAGE_SIZE, NPT_PROT_RWX,
				    0));
	KT_EXPECT(t, !npt_flush_owed(&v.npt));
	npt_flush(&v.npt);
	KT_EXPECT_EQ(t, v.flush_calls, 0);

	/* Narrowing rights. */
	KT_EXPECT_OK(t, npt_protect(&v.npt, 0x1000, PAGE_SIZE, NPT_PROT_R, 0));
	KT_EXPECT(t, npt_flush_owed(&v.npt));
	npt_flush_ack(&v.npt);
	KT_EXPECT(t, !npt_flush_owed(&v.npt));
	/* Dropping only X is narrowing too. */
	KT_EXPECT_OK(t, npt_protect(&v.npt, 0x201000, PAGE_SIZE,
				    NPT_PROT_R | NPT_PROT_W, 0));
	KT_EXPECT(t, npt_flush_owed(&v.npt));
	npt_flush(&v.npt);
	KT_EXPECT_EQ(t, v.flush_calls, 1);
	KT_EXPECT(t, !npt_flush_owed(&v.npt));
	/* Remapping to another HPA. */
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x1000, 0x9000, PAGE_SIZE,
				NPT_PROT_R, 0));
	KT_EXPECT(t, npt_flush_owed(&v.npt));
	npt_flush(&v.npt);
	/* Zapping. */
	KT_EXPECT_OK(t, npt_zap(&v.npt, 0x1000, PAGE_SIZE));
	KT_EXPECT(t, npt_flush_owed(&v.npt));
	npt_flush(&v.npt);
	/* Widening the rest to match merges, which frees a table page the
	 * hardware may have cached: that alone owes a flush. */
	KT_EXPECT_OK(t, npt_protect(&v.npt, 0x200000, SZ_2M,
				    NPT_PROT_R | NPT_PROT_W, NPT_ORDER_2M));
	KT_EXPECT_EQ(t, v.npt.stats.merges, 1);
	EXPECT_XLATE(t, &v, 0x200000, 0x600000, SZ_2M,
		     NPT_PROT_R | NPT_PROT_W);
	KT_EXPECT(t, npt_flush_owed(&v.npt));
	npt_flush(&v.npt);
	KT_EXPECT_EQ(t, v.flush_calls, 4);
	KT_EXPECT_EQ(t, v.npt.stats.flushes, 4);
	npt_flush(&v.npt);
	KT_EXPECT_EQ(t, v.flush_calls, 4);
	env_close(t, &v);
}

static void npt_audit_catches_owed_flush(struct kt *t)
{
	struct env v;

	if (!env_open(t, &v))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, 0, 0, SZ_2M, NPT_PROT_RWX,
				NPT_ORDER_2M));
	KT_EXPECT_OK(t, npt_zap(&v.npt, 0, PAGE_SIZE));
	KT_EXPECT(t, npt_flush_owed(&v.npt));
	/* Audit off: the entry path is not told. */
	KT_EXPECT_OK(t, npt_vmentry_check(&v.npt));
	npt_set_audit(&v.npt, true);
	KT_EXPECT_ERRNO(t, npt_vmentry_check(&v.npt), EIO);
	npt_flush(&v.npt);
	KT_EXPECT_OK(t, npt_vmentry_check(&v.npt));
	/* An addition does not trip it. */
	KT_EXPECT_OK(t, npt_map(&v.npt, 0, 0, PAGE_SIZE, NPT_PROT_RWX, 0));
	KT_EXPECT_OK(t, npt_vmentry_check(&v.npt));
	KT_EXPECT_OK(t, npt_protect(&v.npt, 0, PAGE_SIZE, NPT_PROT_R, 0));
	KT_EXPECT_ERRNO(t, npt_vmentry_check(&v.npt), EIO);
	npt_flush_ack(&v.npt);
	KT_EXPECT_OK(t, npt_vmentry_check(&v.npt));
	env_close(t, &v);
}

/* With npt_ops.flush_widen, gaining a right owes a flush as well;
 * additions and rewrites of the same entry still do not. */
static void npt_flush_widen(struct kt *t)
{
	struct env v;

	if (!env_open(t, &v))
		return;
	v.npt.ops = &widen_ops;
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x1000, 0x1000, PAGE_SIZE, NPT_PROT_R,
				0));
	KT_EXPECT(t, !npt_flush_owed(&v.npt));
	KT_EXPECT_OK(t, npt_protect(&v.npt, 0x1000, PAGE_SIZE,
				    NPT_PROT_R | NPT_PROT_W, 0));
	KT_EXPECT(t, npt_flush_owed(&v.npt));
	npt_flush(&v.npt);
	KT_EXPECT_EQ(t, v.flush_calls, 1);
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x1000, 0x1000, PAGE_SIZE,
				NPT_PROT_R | NPT_PROT_W, 0));
	KT_EXPECT(t, !npt_flush_owed(&v.npt));
	/* Widening one piece of a huge leaf: the split alone owes nothing,
	 * the piece's new right does. */
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x200000, 0x600000, SZ_2M, NPT_PROT_R,
				NPT_ORDER_2M));
	KT_EXPECT(t, !npt_flush_owed(&v.npt));
	KT_EXPECT_OK(t, npt_protect(&v.npt, 0x201000, PAGE_SIZE, NPT_PROT_RWX,
				    NPT_ORDER_2M));
	KT_EXPECT_EQ(t, v.npt.stats.splits, 1);
	KT_EXPECT(t, npt_flush_owed(&v.npt));
	npt_flush(&v.npt);
	KT_EXPECT_EQ(t, v.flush_calls, 2);
	env_close(t, &v);
}

/* The memory type rides in prot: each leaf encodes it, splits keep it,
 * differing types block a merge, and changing it owes a flush. */
static void npt_memory_types(struct kt *t)
{
	const unsigned int rw = NPT_PROT_R | NPT_PROT_W;
	const unsigned int rwx_uc = NPT_PROT_RWX | NPT_PROT_UC;
	u64 base = 0x400000, hpa = 0x7fe00000;
	struct npt_format wb_only;
	struct npt other;
	struct env v;

	if (!env_open(t, &v))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x1000, 0xfed00000, PAGE_SIZE,
				rw | NPT_PROT_UC, 0));
	KT_EXPECT_EQ(t, raw_leaf(&v, 0x1000), 0xfed00000 | v.x->leaf_rw_uc);
	EXPECT_XLATE(t, &v, 0x1000, 0xfed00000, PAGE_SIZE, rw | NPT_PROT_UC);
	KT_EXPECT_OK(t, npt_map(&v.npt, base, hpa, SZ_2M, rwx_uc,
				NPT_ORDER_2M));
	KT_EXPECT_EQ(t, raw_leaf(&v, base), hpa | v.x->leaf_2m_rwx_uc);
	KT_EXPECT(t, !npt_flush_owed(&v.npt));
	/* A split keeps the type in every piece. */
	KT_EXPECT_OK(t, npt_protect(&v.npt, base + 0x5000, PAGE_SIZE,
				    NPT_PROT_R | NPT_PROT_UC, NPT_ORDER_2M));
	EXPECT_XLATE(t, &v, base + 0x5000, hpa + 0x5000, PAGE_SIZE,
		     NPT_PROT_R | NPT_PROT_UC);
	EXPECT_XLATE(t, &v, base + 0x6000, hpa + 0x6000, PAGE_SIZE, rwx_uc);
	npt_flush_ack(&v.npt);
	/* Rights widen but the type changes: a flush is owed, and the
	 * table does not merge while one piece is write-back. */
	KT_EXPECT_OK(t, npt_protect(&v.npt, base + 0x5000, PAGE_SIZE,
				    NPT_PROT_RWX, NPT_ORDER_2M));
	EXPECT_XLATE(t, &v, base + 0x5000, hpa + 0x5000, PAGE_SIZE,
		     NPT_PROT_RWX);
	KT_EXPECT(t, npt_flush_owed(&v.npt));
	KT_EXPECT_EQ(t, v.npt.stats.merges, 0);
	npt_flush_ack(&v.npt);
	/* Uncached again: the table is uniform and merges. */
	KT_EXPECT_OK(t, npt_protect(&v.npt, base + 0x5000, PAGE_SIZE, rwx_uc,
				    NPT_ORDER_2M));
	KT_EXPECT(t, npt_flush_owed(&v.npt));
	KT_EXPECT_EQ(t, v.npt.stats.merges, 1);
	KT_EXPECT_EQ(t, raw_leaf(&v, base), hpa | v.x->leaf_2m_rwx_uc);
	npt_flush_ack(&v.npt);
	/* Mapping the same HPA with another type is a change, not a
	 * mapping that is already there. */
	KT_EXPECT_OK(t, npt_map(&v.npt, base + 0x3000, hpa + 0x3000,
				PAGE_SIZE, NPT_PROT_RWX, NPT_ORDER_2M));
	EXPECT_XLATE(t, &v, base + 0x3000, hpa + 0x3000, PAGE_SIZE,
		     NPT_PROT_RWX);
	EXPECT_XLATE(t, &v, base + 0x4000, hpa + 0x4000, PAGE_SIZE, rwx_uc);
	KT_EXPECT(t, npt_flush_owed(&v.npt));
	/* A format that lists only write-back refuses UC. */
	wb_only = *v.x->fmt;
	wb_only.mt_ok = BIT(NPT_MT_WB);
	if (KT_EXPECT_OK(t, npt_init(&other, &wb_only, &v.pool, NULL, NULL))) {
		KT_EXPECT_ERRNO(t, npt_map(&other, 0, 0, PAGE_SIZE,
					   rw | NPT_PROT_UC, 0), EINVAL);
		KT_EXPECT_OK(t, npt_map(&other, 0, 0, PAGE_SIZE, rw, 0));
		npt_destroy(&other);
	}
	env_close(t, &v);
}

enum fail_op { FAIL_MAP, FAIL_MAP_OVER_HUGE, FAIL_PROTECT, FAIL_ZAP };

static int run_fail_op(struct env *v, enum fail_op op)
{
	switch (op) {
	case FAIL_MAP: /* three new tables under an empty root entry */
		return npt_map(&v->npt, 0x8000000000ULL + 0x3000, 0x3000,
			       PAGE_SIZE, NPT_PROT_RWX, 0);
	case FAIL_MAP_OVER_HUGE: /* splits a 1 GiB and a 2 MiB leaf */
		return npt_map(&v->npt, SZ_1G + 0x5000, 0x105000, 0x2000,
			       NPT_PROT_RWX, NPT_ORDER_2M);
	case FAIL_PROTECT: /* splits at both edges */
		return npt_protect(&v->npt, SZ_1G + 0x1ff000, 0x202000,
				   NPT_PROT_R, NPT_ORDER_1G);
	case FAIL_ZAP:
		return npt_zap(&v->npt, SZ_1G + SZ_2M + 0x1000, PAGE_SIZE);
	}
	return -EINVAL;
}

/* Each allocation an update makes may fail: the tables stay as they were
 * and no page leaks, until the update succeeds. */
static void npt_alloc_failure_rolls_back(struct kt *t)
{
	static const enum fail_op ops[] = { FAIL_MAP, FAIL_MAP_OVER_HUGE,
					    FAIL_PROTECT, FAIL_ZAP };
	struct env v;

	if (!env_open(t, &v))
		return;
	for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++) {
		struct snapshot before;
		unsigned int failures = 0;
		int ret;

		KT_EXPECT_OK(t, npt_zap(&v.npt, 0, BIT(v.x->fmt->va_bits)));
		KT_EXPECT_OK(t, npt_map(&v.npt, SZ_1G, 0, SZ_1G, NPT_PROT_RWX,
					NPT_ORDER_1G));
		npt_flush_ack(&v.npt);
		take_snapshot(&v, &before);
		for (u64 n = 1;; n++) {
			alloc_fail_nth(&v.pool, n);
			ret = run_fail_op(&v, ops[i]);
			alloc_fail_nth(&v.pool, 0);
			if (ret != -ENOMEM)
				break;
			failures++;
			KT_EXPECT(t, unchanged(&v, &before));
			KT_EXPECT_OK(t, npt_check(&v.npt));
		}
		KT_EXPECT_OK(t, ret);
		KT_EXPECT_GE(t, failures, 1);
		KT_EXPECT(t, !unchanged(&v, &before));
		expect_sound(t, &v);
	}
	env_close(t, &v);
}

static void npt_init_failure(struct kt *t)
{
	struct env v;
	struct npt other;

	if (!env_open(t, &v))
		return;
	alloc_fail_nth(&v.pool, 1);
	KT_EXPECT_ERRNO(t, npt_init(&other, v.x->fmt, &v.pool, NULL, NULL),
			ENOMEM);
	alloc_fail_nth(&v.pool, 0);
	KT_EXPECT_EQ(t, alloc_owned_pages(&v.pool, OWN_PGTABLE), 1);
	env_close(t, &v);
}

static void npt_bad_input(struct kt *t)
{
	struct env v;
	struct snapshot before;
	struct npt_xlate x;
	u64 lim, calls;

	if (!env_open(t, &v))
		return;
	lim = BIT(v.x->fmt->va_bits);
	KT_EXPECT_OK(t, npt_map(&v.npt, 0, 0, SZ_2M, NPT_PROT_RWX,
				NPT_ORDER_2M));
	npt_flush_ack(&v.npt);
	take_snapshot(&v, &before);
	calls = v.pool.alloc_calls;

	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0x1, 0, PAGE_SIZE, NPT_PROT_RWX, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0x800, PAGE_SIZE, NPT_PROT_RWX,
				   0), EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0, 0x1800, NPT_PROT_RWX, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0, 0, NPT_PROT_RWX, 0), EINVAL);
	/* Past the limit, where the index bits would wrap onto low GPAs. */
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, lim + SZ_2M, 0, PAGE_SIZE,
				   NPT_PROT_RWX, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_zap(&v.npt, 2 * lim, PAGE_SIZE), EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, lim, 0, PAGE_SIZE, NPT_PROT_RWX, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, lim - PAGE_SIZE, 0, 2 * PAGE_SIZE,
				   NPT_PROT_RWX, 0), EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, BIT(52), PAGE_SIZE,
				   NPT_PROT_RWX, 0), EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, BIT(52) - PAGE_SIZE,
				   2 * PAGE_SIZE, NPT_PROT_RWX, 0), EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, ~0xfffULL, PAGE_SIZE,
				   NPT_PROT_RWX, 0), EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0, ~0xfffULL,
				   NPT_PROT_RWX, 0), EINVAL);
	/* Rights: none, write or execute without read, unknown bits. */
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0, PAGE_SIZE, 0, 0), EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0, PAGE_SIZE, NPT_PROT_W, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0, PAGE_SIZE, NPT_PROT_X, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0, PAGE_SIZE, 0x8 | NPT_PROT_R,
				   0), EINVAL);
	/* Memory types past the known ones. */
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0, PAGE_SIZE,
				   NPT_PROT_R | NPT_PROT_MT(NPT_NR_MT), 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_protect(&v.npt, 0, PAGE_SIZE,
				       NPT_PROT_R | NPT_PROT_MT(0xfff), 0),
			EINVAL);
	/* Orders above the largest page. */
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0, PAGE_SIZE, NPT_PROT_RWX,
				   NPT_ORDER_1G + 1), EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0, PAGE_SIZE, NPT_PROT_RWX, 64),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_protect(&v.npt, 0, 0, NPT_PROT_R, 0), EINVAL);
	KT_EXPECT_ERRNO(t, npt_protect(&v.npt, 0x10, PAGE_SIZE, NPT_PROT_R, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_protect(&v.npt, lim, PAGE_SIZE, NPT_PROT_R, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_protect(&v.npt, 0, PAGE_SIZE, NPT_PROT_W, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_protect(&v.npt, 0, PAGE_SIZE, NPT_PROT_R, 19),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_zap(&v.npt, 0, 0), EINVAL);
	KT_EXPECT_ERRNO(t, npt_zap(&v.npt, 0x800, PAGE_SIZE), EINVAL);
	KT_EXPECT_ERRNO(t, npt_zap(&v.npt, 0, 0x800), EINVAL);
	KT_EXPECT_ERRNO(t, npt_zap(&v.npt, lim - PAGE_SIZE, 2 * PAGE_SIZE),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_zap(&v.npt, PAGE_SIZE, ~0xfffULL),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_zap_wide(&v.npt, lim, PAGE_SIZE), EINVAL);
	KT_EXPECT_ERRNO(t, npt_lookup(&v.npt, lim, &x), EINVAL);

	KT_EXPECT(t, unchanged(&v, &before));
	KT_EXPECT_EQ(t, v.pool.alloc_calls, calls);
	env_close(t, &v);
}

static int stop_at_second(void *arg, const struct npt_leaf *leaf)
{
	u64 *seen = arg;

	return ++*seen == 2 ? -EEXIST : 0;
}

static void npt_leaves_in_order(struct kt *t)
{
	struct env v;
	u64 seen = 0;

	if (!env_open(t, &v))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, SZ_1G, 0x1000, PAGE_SIZE,
				NPT_PROT_RWX, 0));
	KT_EXPECT_OK(t, npt_map(&v.npt, 0, 0x200000, SZ_2M, NPT_PROT_R,
				NPT_ORDER_2M));
	KT_EXPECT_OK(t, npt_map(&v.npt, 2 * SZ_1G, 0, SZ_1G, NPT_PROT_RWX,
				NPT_ORDER_1G));
	KT_EXPECT_EQ(t, npt_for_each_leaf(&v.npt, stop_at_second, &seen),
		     -EEXIST);
	KT_EXPECT_EQ(t, seen, 2);
	KT_EXPECT_EQ(t, count_leaves(&v), 3);
	env_close(t, &v);
}

static void npt_check_catches_corruption(struct kt *t)
{
	struct env v;
	u64 *pd, *pt, saved;

	if (!env_open(t, &v))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, 0, 0x10000000, SZ_2M, NPT_PROT_RWX,
				NPT_ORDER_4K));
	KT_EXPECT_OK(t, npt_map(&v.npt, SZ_2M, 0x20000000, SZ_2M,
				NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_OK(t, npt_check(&v.npt));
	pd = table_at(&v, 0, 2);
	pt = table_at(&v, 0, 3);

	/* An unknown bit in a leaf. */
	saved = pt[7];
	pt[7] |= BIT(52);
	KT_EXPECT_ERRNO(t, npt_check(&v.npt), EIO);
	pt[7] = saved;
	/* Memory-type bits that name no type (x86: PWT alone; EPT: 1, WC). */
	saved = pt[7];
	pt[7] = (pt[7] & ~v.x->fmt->mt_mask) | BIT(3);
	KT_EXPECT_ERRNO(t, npt_check(&v.npt), EIO);
	pt[7] = saved;
	/* A leaf that is not aligned to its size. */
	saved = pd[1];
	pd[1] += PAGE_SIZE;
	KT_EXPECT_ERRNO(t, npt_check(&v.npt), EIO);
	pd[1] = saved;
	/* Junk in an empty entry. */
	pd[9] = 0x100000;
	KT_EXPECT_ERRNO(t, npt_check(&v.npt), EIO);
	pd[9] = 0;
	/* One table reachable twice. */
	saved = pd[1];
	pd[1] = pd[0];
	KT_EXPECT_ERRNO(t, npt_check(&v.npt), EIO);
	pd[1] = saved;
	/* A leaf without the read right (EPT: present through W alone). */
	saved = pt[7];
	pt[7] &= ~v.x->fmt->prot_set[0];
	KT_EXPECT_ERRNO(t, npt_check(&v.npt), EIO);
	pt[7] = saved;
	/* A table entry with a bit no table entry has. */
	saved = pd[0];
	pd[0] |= BIT(52);
	KT_EXPECT_ERRNO(t, npt_check(&v.npt), EIO);
	pd[0] = saved;
	/* A table entry with no address. */
	pd[5] = v.x->table;
	KT_EXPECT_ERRNO(t, npt_check(&v.npt), EIO);
	pd[5] = 0;
	/* A table reachable twice, through an entry that was empty (so no
	 * count is off: only the second visit is wrong). */
	pd[9] = pd[0];
	KT_EXPECT_ERRNO(t, npt_check(&v.npt), EIO);
	pd[9] = 0;
	/* A leaf in the root, which cannot hold one (counted, so that only
	 * its level is wrong). */
	v.npt.root[5] = v.x->leaf_2m_rwx;
	v.npt.stats.leaves[0]++;
	KT_EXPECT_ERRNO(t, npt_check(&v.npt), EIO);
	v.npt.stats.leaves[0]--;
	v.npt.root[5] = 0;
	/* A table below the root with nothing in it. */
	KT_EXPECT_OK(t, npt_map(&v.npt, SZ_1G, 0x30000000, PAGE_SIZE,
				NPT_PROT_RWX, NPT_ORDER_4K));
	pt = table_at(&v, SZ_1G, 3);
	saved = pt[0];
	pt[0] = 0;
	v.npt.stats.leaves[3]--; /* so that only the emptiness is wrong */
	KT_EXPECT_ERRNO(t, npt_check(&v.npt), EIO);
	v.npt.stats.leaves[3]++;
	pt[0] = saved;
	/* A count that disagrees with the tables. */
	v.npt.stats.leaves[3]--;
	KT_EXPECT_ERRNO(t, npt_check(&v.npt), EIO);
	v.npt.stats.leaves[3]++;
	/* Every failed check left no visit marks behind. */
	KT_EXPECT_OK(t, npt_check(&v.npt));
	KT_EXPECT_EQ(t, raw_leaf(&v, 0), 0x10000000 | v.x->leaf_rwx);
	env_close(t, &v);
}

/*
 * Random updates over an 8 MiB window that straddles a 1 GiB boundary,
 * checked page by page against a flat model after every step, with
 * injected allocation failures along the way.
 */
#define MODEL_BASE (SZ_1G - 4 * SZ_2M)
#define MODEL_PAGES (8 * SZ_2M / PAGE_SIZE)
#define MODEL_STEPS 1500

struct model_page {
	u64 hpa; /* 0: unmapped (the model never maps HPA 0) */
	unsigned int prot;
};

static struct model_page model[MODEL_PAGES];

static u64 rnd(u64 *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* Model pages [from, to) against the tables. */
static bool model_matches(struct kt *t, struct env *v, u64 from, u64 to)
{
	for (u64 i = from; i < to; i++) {
		u64 gpa = MODEL_BASE + i * PAGE_SIZE;
		struct npt_xlate x;
		int ret = npt_lookup(&v->npt, gpa, &x);

		if (!model[i].hpa) {
			if (!KT_EXPECT_ERRNO(t, ret, ENOENT))
				return false;
			continue;
		}
		if (!KT_EXPECT_OK(t, ret) ||
		    !KT_EXPECT_EQ(t, x.hpa, model[i].hpa) ||
		    !KT_EXPECT_EQ(t, x.prot, model[i].prot))
			return false;
	}
	return true;
}

static void npt_random_updates_match_model(struct kt *t)
{
	static const unsigned int prots[] = {
		NPT_PROT_R, NPT_PROT_R | NPT_PROT_W, NPT_PROT_R | NPT_PROT_X,
		NPT_PROT_RWX, NPT_PROT_R | NPT_PROT_W | NPT_PROT_UC
	};
	static const unsigned int orders[] = { 0, 5, 9, 18 };
	struct env v;
	u64 seed = 0x9e3779b97f4a7c15ULL;
	unsigned int failures = 0;

	if (!env_open(t, &v))
		return;
	memset(model, 0, sizeof(model));
	for (int step = 0; step < MODEL_STEPS; step++) {
		u64 first = rnd(&seed) % MODEL_PAGES;
		u64 n = 1 + rnd(&seed) % (rnd(&seed) % 4 ? 16 : MODEL_PAGES);
		u64 gpa = MODEL_BASE + first * PAGE_SIZE, size;
		/* Half the maps follow one fixed linear layout (so tables
		 * fill up uniformly and merge); the rest go anywhere, often
		 * 2 MiB aligned with the GPA. */
		u64 hpa = (1 + rnd(&seed) % 64) * SZ_2M +
			  (rnd(&seed) % 2 ? 0 : (rnd(&seed) % 512) * PAGE_SIZE);
		bool linear = rnd(&seed) % 2;
		unsigned int prot = rnd(&seed) % 2 ?
			NPT_PROT_RWX : prots[rnd(&seed) % ARRAY_SIZE(prots)];
		unsigned int order = orders[rnd(&seed) % ARRAY_SIZE(orders)];
		unsigned int kind = rnd(&seed) % 4;
		bool narrowed = false;
		int ret;

		n = MIN(n, MODEL_PAGES - first);
		size = n * PAGE_SIZE;
		hpa = linear ? gpa + 4 * SZ_1G : hpa + (gpa & (SZ_2M - 1));
		npt_flush_ack(&v.npt);
		if (rnd(&seed) % 4 == 0)
			alloc_fail_nth(&v.pool, 1 + rnd(&seed) % 2);
		if (kind == 0)
			ret = npt_zap(&v.npt, gpa, size);
		else if (kind == 1)
			ret = npt_protect(&v.npt, gpa, size, prot, order);
		else
			ret = npt_map(&v.npt, gpa, hpa, size, prot, order);
		alloc_fail_nth(&v.pool, 0);
		if (ret == -ENOMEM) {
			failures++;
			KT_EXPECT(t, !npt_flush_owed(&v.npt));
		} else {
			if (!KT_EXPECT_OK(t, ret))
				break;
			for (u64 i = first; i < first + n; i++) {
				struct model_page *m = &model[i], old = *m;

				if (kind == 0)
					m->hpa = 0;
				else if (kind == 1 && m->hpa)
					m->prot = prot;
				else if (kind != 1)
					*m = (struct model_page){
						hpa + (i - first) * PAGE_SIZE,
						prot
					};
				if (old.hpa && (!m->hpa || m->hpa != old.hpa ||
						(old.prot & ~m->prot &
						 NPT_PROT_RWX) ||
						npt_prot_mt(old.prot) !=
							npt_prot_mt(m->prot)))
					narrowed = true;
			}
			/* A narrowing change (or a new memory type) always
			 * owes a flush. */
			if (narrowed)
				KT_EXPECT(t, npt_flush_owed(&v.npt));
		}
		/* The 2 MiB blocks around the range each time, everything
		 * now and then. */
		if (step % 32 == 0) {
			first = 0;
			n = MODEL_PAGES;
		}
		if (!model_matches(t, &v, ALIGN_DOWN(first, 512),
				   MIN(ALIGN_UP(first + n, 512), MODEL_PAGES)) ||
		    !KT_EXPECT_OK(t, npt_check(&v.npt)))
			break;
	}
	model_matches(t, &v, 0, MODEL_PAGES);
	kt_diag(t, "%u failed allocations, %llu splits, %llu merges", failures,
		(unsigned long long)v.npt.stats.splits,
		(unsigned long long)v.npt.stats.merges);
	KT_EXPECT_GE(t, failures, 1);
	KT_EXPECT_GE(t, v.npt.stats.splits, 1);
	KT_EXPECT_GE(t, v.npt.stats.merges, 1);
	env_close(t, &v);
}

static void npt_teardown_frees_all(struct kt *t)
{
	struct env v;

	if (!env_open(t, &v))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, 0, 0, 3 * SZ_2M, NPT_PROT_RWX,
				NPT_ORDER_4K));
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x8000000000ULL, 0, SZ_1G,
				NPT_PROT_RWX, NPT_ORDER_2M));
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x10000000000ULL, 0, SZ_1G,
				NPT_PROT_RWX, NPT_ORDER_1G));
	KT_EXPECT_OK(t, npt_zap(&v.npt, 0x8000000000ULL + 0x1000, PAGE_SIZE));
	KT_EXPECT_GE(t, alloc_owned_pages(&v.pool, OWN_PGTABLE), 10);
	/* env_close destroys the table and expects no page-table pages. */
	env_close(t, &v);
}

/*
 * Updates that change nothing touch nothing: a zap of an unmapped range
 * and a protect that asks for the rights a huge leaf already has neither
 * build nor split a table, and owe no flush.
 */
static void npt_no_op_updates(struct kt *t)
{
	const unsigned int rw = NPT_PROT_R | NPT_PROT_W;
	struct env v;
	u64 calls;

	if (!env_open(t, &v))
		return;
	calls = v.pool.alloc_calls;
	KT_EXPECT_OK(t, npt_zap(&v.npt, 0x5000, PAGE_SIZE));
	KT_EXPECT_OK(t, npt_zap(&v.npt, SZ_1G + SZ_2M, SZ_2M + PAGE_SIZE));
	KT_EXPECT_EQ(t, v.pool.alloc_calls, calls);
	KT_EXPECT_EQ(t, v.npt.stats.table_pages, 1);
	KT_EXPECT(t, !npt_flush_owed(&v.npt));
	KT_EXPECT_OK(t, npt_map(&v.npt, SZ_2M, 0x400000, SZ_2M, rw,
				NPT_ORDER_2M));
	npt_flush_ack(&v.npt);
	KT_EXPECT_OK(t, npt_protect(&v.npt, SZ_2M + PAGE_SIZE, PAGE_SIZE, rw,
				    NPT_ORDER_2M));
	KT_EXPECT_EQ(t, v.npt.stats.splits, 0);
	KT_EXPECT_EQ(t, v.npt.stats.merges, 0);
	KT_EXPECT(t, !npt_flush_owed(&v.npt));
	EXPECT_XLATE(t, &v, SZ_2M + PAGE_SIZE, 0x401000, SZ_2M, rw);
	/* The last page below the output width can be mapped. */
	KT_EXPECT_OK(t, npt_map(&v.npt, 0x3000,
				BIT(v.x->fmt->pa_bits) - PAGE_SIZE, PAGE_SIZE,
				rw, 0));
	EXPECT_XLATE(t, &v, 0x3000, BIT(v.x->fmt->pa_bits) - PAGE_SIZE,
		     PAGE_SIZE, rw);
	KT_EXPECT_OK(t, npt_zap(&v.npt, 0x3000, PAGE_SIZE));
	/* A memory type far above the known ones is refused, not wrapped. */
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0, PAGE_SIZE,
				   NPT_PROT_R | NPT_PROT_MT(64), 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0, PAGE_SIZE,
				   NPT_PROT_R | NPT_PROT_MT(NPT_NR_MT), 0),
			EINVAL);
	env_close(t, &v);
}

static const struct kt_case npt_format_cases[] = {
	KT_CASE(npt_no_op_updates),
	KT_CASE(npt_map_each_size),
	KT_CASE(npt_entry_bits),
	KT_CASE(npt_largest_fit),
	KT_CASE(npt_one_2m_entry),
	KT_CASE(npt_split_keeps_rest),
	KT_CASE(npt_merge_back),
	KT_CASE(npt_split_merge_1g),
	KT_CASE(npt_zap_ranges),
	KT_CASE(npt_zap_wide_needs_no_memory),
	KT_CASE(npt_flush_tracking),
	KT_CASE(npt_audit_catches_owed_flush),
	KT_CASE(npt_flush_widen),
	KT_CASE(npt_memory_types),
	KT_CASE(npt_alloc_failure_rolls_back),
	KT_CASE(npt_init_failure),
	KT_CASE(npt_bad_input),
	KT_CASE(npt_leaves_in_order),
	KT_CASE(npt_check_catches_corruption),
	KT_CASE(npt_random_updates_match_model),
	KT_CASE(npt_teardown_frees_all),
};

/* Formats that break the engine's rules are refused. */
static void npt_bad_formats(struct kt *t)
{
	struct page_pool pool;
	struct npt_format f;
	struct npt npt;
	u8 *after;

	alloc_pool_init(&pool);
	f = npt_format_amd;
	f.level[0].leaf = true; /* a leaf in the root */
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	f = npt_format_amd;
	f.level[2].leaf = false; /* 1 GiB but no 2 MiB leaves */
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	f = npt_format_amd;
	f.level[3].shift = 13;
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	f = npt_format_amd;
	f.va_bits = 49;
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	f = npt_format_amd;
	f.prot_ok = NPT_PROT_W;
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	f = npt_format_amd;
	f.mt_ok = BIT(NPT_MT_UC); /* every format can map write-back */
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	f = npt_format_amd;
	f.mt_ok |= BIT(NPT_NR_MT); /* a type the engine does not know */
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	f = npt_format_ept;
	f.mt[NPT_MT_UC] = BIT(9); /* outside mt_mask */
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	f = npt_format_amd;
	f.nr_levels = 0;
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	/* One level too many, the bytes after the level array made to look
	 * like a fifth 4 KiB level below the other four. */
	f = npt_format_amd;
	f.nr_levels = NPT_MAX_LEVELS + 1;
	for (unsigned int l = 0; l < NPT_MAX_LEVELS; l++)
		f.level[l].shift += 9;
	after = (u8 *)&f + offsetof(struct npt_format, level) +
		sizeof(f.level);
	after[0] = PAGE_SHIFT;
	after[1] = true;
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	/* Consistent levels whose smallest page is 2 MiB, not 4 KiB. */
	f = npt_format_amd;
	for (unsigned int l = 0; l < f.nr_levels; l++)
		f.level[l].shift += 9;
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	f = npt_format_amd;
	for (unsigned int l = 1; l < f.nr_levels; l++)
		f.level[l].leaf = false; /* no level holds a leaf */
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	f = npt_format_amd;
	f.level[1].shift = 31; /* 2 GiB under 512 GiB: not 9 bits a level */
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	f = npt_format_amd;
	f.pa_bits = 12; /* no room for a page address */
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	f = npt_format_amd;
	f.pa_bits = 64;
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	f = npt_format_amd;
	f.prot_ok |= 8; /* a right the engine does not know */
	KT_EXPECT_ERRNO(t, npt_init(&npt, &f, &pool, NULL, NULL), EINVAL);
	KT_EXPECT_ERRNO(t, npt_init(&npt, NULL, &pool, NULL, NULL), EINVAL);
	/* Nothing was taken from the (empty) pool. */
	KT_EXPECT_EQ(t, pool.alloc_calls, 0);
}

/* A format of our own over a fresh 4 MiB pool. */
static bool own_open(struct kt *t, struct env *v, const struct npt_format *f,
		     const struct npt_ops *ops)
{
	v->x = NULL;
	v->flush_calls = 0;
	alloc_pool_init(&v->pool);
	v->mem = test_mem_alloc(ARENA);
	if (!KT_EXPECT(t, v->mem != NULL))
		return false;
	if (!KT_EXPECT_OK(t, alloc_add_region(&v->pool, (phys_addr_t)v->mem,
					      ARENA)) ||
	    !KT_EXPECT_OK(t, npt_init(&v->npt, f, &v->pool, ops, v))) {
		test_mem_free(v->mem, ARENA);
		return false;
	}
	return true;
}

static void own_close(struct kt *t, struct env *v)
{
	KT_EXPECT_OK(t, npt_check(&v->npt));
	npt_destroy(&v->npt);
	npt_destroy(&v->npt); /* a second destroy finds nothing to free */
	KT_EXPECT_EQ(t, alloc_owned_pages(&v->pool, OWN_PGTABLE), 0);
	test_mem_free(v->mem, ARENA);
}

/* Every update of a table whose owner gave no ops (or ops without a flush
 * call) works, and npt_flush() just settles what is owed. */
static void npt_without_ops(struct kt *t)
{
	static const struct npt_ops widen_only = { .flush_widen = true };
	const struct npt_ops *ops[] = { NULL, &widen_only };

	for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++) {
		struct env v;

		if (!own_open(t, &v, &npt_format_amd, ops[i]))
			return;
		KT_EXPECT_OK(t, npt_map(&v.npt, 0, 0x200000, SZ_2M,
					NPT_PROT_RWX, NPT_ORDER_2M));
		KT_EXPECT_OK(t, npt_protect(&v.npt, 0, PAGE_SIZE, NPT_PROT_R,
					    NPT_ORDER_4K));
		KT_EXPECT_OK(t, npt_zap(&v.npt, PAGE_SIZE, PAGE_SIZE));
		KT_EXPECT(t, npt_flush_owed(&v.npt));
		npt_flush(&v.npt);
		KT_EXPECT(t, !npt_flush_owed(&v.npt));
		KT_EXPECT_EQ(t, v.npt.stats.flushes, 1);
		own_close(t, &v);
	}
}

/* A format that cannot express uncached: an x86 leaf with PCD|PWT names
 * no type it knows, and the checker says so. */
static void npt_check_unexpressible_type(struct kt *t)
{
	struct npt_format f = npt_format_amd;
	struct env v;
	struct npt_xlate x;
	u64 *pt, saved;

	f.mt_ok = BIT(NPT_MT_WB);
	if (!own_open(t, &v, &f, NULL))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, 0, 0x200000, PAGE_SIZE, NPT_PROT_RWX,
				NPT_ORDER_4K));
	KT_EXPECT_ERRNO(t, npt_map(&v.npt, 0, 0x200000, PAGE_SIZE,
				   NPT_PROT_RWX | NPT_PROT_UC, NPT_ORDER_4K),
			EINVAL);
	KT_ASSERT(t, KT_EXPECT_OK(t, npt_lookup(&v.npt, 0, &x)) &&
			     KT_EXPECT_EQ(t, x.depth, 4));
	KT_EXPECT_EQ(t, x.prot, NPT_PROT_RWX);
	pt = (u64 *)(phys_addr_t)(x.entries[2] & ADDR_BITS);
	saved = pt[0];
	pt[0] |= f.mt[NPT_MT_UC];
	KT_EXPECT_ERRNO(t, npt_check(&v.npt), EIO);
	pt[0] = saved;
	own_close(t, &v);
}

/* arch_npt_map() maps the block of 4 KiB << order around gpa, from the
 * same offset in an aligned host block, up to 1 GiB; a host block that
 * is not aligned to that size is refused. */
static void arch_npt_map_blocks(struct kt *t)
{
	struct env v;
	struct npt_xlate x;

	if (!own_open(t, &v, &npt_format_amd, NULL))
		return;
	KT_EXPECT_OK(t, arch_npt_map(&v.npt, SZ_1G + 0x5000,
				     2 * SZ_1G + 0x5000, NPT_ORDER_1G, false));
	if (KT_EXPECT_OK(t, npt_lookup(&v.npt, SZ_1G + 0x7000, &x))) {
		KT_EXPECT_EQ(t, x.hpa, 2 * SZ_1G + 0x7000);
		KT_EXPECT_EQ(t, x.size, SZ_1G);
		KT_EXPECT_EQ(t, x.prot, NPT_PROT_R | NPT_PROT_X);
	}
	KT_EXPECT_ERRNO(t, arch_npt_map(&v.npt, SZ_2M, 0x1000, NPT_ORDER_2M,
					true),
			EINVAL);
	KT_EXPECT_ERRNO(t, arch_npt_map(&v.npt, 0, 0, NPT_ORDER_1G + 1, true),
			EINVAL);
	EXPECT_UNMAPPED(t, &v, SZ_2M);
	EXPECT_UNMAPPED(t, &v, 0);
	own_close(t, &v);
}

#define BIG_ARENA (16UL << 20)

/*
 * A map that puts a 2 MiB leaf where a table was owes a flush even when
 * the leaf maps the very page the table lived in (and so has its address
 * and, on x86, the rights a table entry shows). Every table page is made
 * 2 MiB aligned: the pool hands out only such pages.
 */
static void npt_leaf_over_table_at_its_own_page(struct kt *t)
{
	static void *held[BIG_ARENA / PAGE_SIZE];
	struct page_pool pool;
	struct npt npt;
	struct npt_xlate x;
	void *mem = test_mem_alloc(BIG_ARENA);
	phys_addr_t pt;
	u64 n = 0;

	KT_ASSERT(t, mem != NULL);
	alloc_pool_init(&pool);
	if (!KT_EXPECT_OK(t, alloc_add_region(&pool, (phys_addr_t)mem,
					      BIG_ARENA)))
		goto out;
	while (n < ARRAY_SIZE(held) &&
	       (held[n] = alloc_pages(&pool, 0, OWN_TEST)))
		n++;
	for (u64 i = 0; i < n; i++)
		if (IS_ALIGNED((phys_addr_t)held[i], SZ_2M))
			free_pages(&pool, held[i], 0, OWN_TEST);
	if (!KT_EXPECT_OK(t, npt_init(&npt, &npt_format_amd, &pool, NULL,
				      NULL)))
		goto out;
	KT_EXPECT_OK(t, npt_map(&npt, 0, 0x40000000, SZ_2M, NPT_PROT_RWX,
				NPT_ORDER_4K));
	if (KT_EXPECT_OK(t, npt_lookup(&npt, 0, &x)) &&
	    KT_EXPECT_EQ(t, x.depth, 4)) {
		pt = (phys_addr_t)(x.entries[2] & ADDR_BITS);
		KT_EXPECT(t, IS_ALIGNED(pt, SZ_2M));
		npt_flush_ack(&npt);
		KT_EXPECT_OK(t, npt_map(&npt, 0, pt, SZ_2M, NPT_PROT_RWX,
					NPT_ORDER_2M));
		KT_EXPECT(t, npt_flush_owed(&npt));
	}
	KT_EXPECT_OK(t, npt_check(&npt));
	npt_destroy(&npt);
out:
	for (u64 i = 0; i < n; i++)
		if (!IS_ALIGNED((phys_addr_t)held[i], SZ_2M))
			free_pages(&pool, held[i], 0, OWN_TEST);
	test_mem_free(mem, BIG_ARENA);
}

/* Mapping a page under a table whose address and rights happen to be
 * what the page is asked to map (x86: a table entry shows RWX) still maps
 * it: only a huge leaf that already maps it so can be kept. */
static void npt_map_under_a_table_like_the_page(struct kt *t)
{
	struct env v;
	struct npt_xlate x;
	phys_addr_t pt;

	if (!own_open(t, &v, &npt_format_amd, NULL))
		return;
	KT_EXPECT_OK(t, npt_map(&v.npt, 0, 0x40000000, PAGE_SIZE, NPT_PROT_RWX,
				NPT_ORDER_4K));
	KT_ASSERT(t, KT_EXPECT_OK(t, npt_lookup(&v.npt, 0, &x)) &&
			     KT_EXPECT_EQ(t, x.depth, 4));
	pt = (phys_addr_t)(x.entries[2] & ADDR_BITS);
	KT_EXPECT_OK(t, npt_map(&v.npt, PAGE_SIZE, pt + PAGE_SIZE, PAGE_SIZE,
				NPT_PROT_RWX, NPT_ORDER_2M));
	if (KT_EXPECT_OK(t, npt_lookup(&v.npt, PAGE_SIZE, &x)))
		KT_EXPECT_EQ(t, x.hpa, pt + PAGE_SIZE);
	own_close(t, &v);
}

static const struct kt_case npt_cases[] = {
	KT_CASE(npt_map_under_a_table_like_the_page),
	KT_CASE(npt_leaf_over_table_at_its_own_page),
	KT_CASE(arch_npt_map_blocks),
	KT_CASE(npt_bad_formats),
	KT_CASE(npt_without_ops),
	KT_CASE(npt_check_unexpressible_type),
};

static const struct kt_suite npt_amd_suite = {
	.name = "amd",
	.cases = npt_format_cases,
	.n_cases = ARRAY_SIZE(npt_format_cases),
	.ctx = &expect_amd,
};

static const struct kt_suite npt_ept_suite = {
	.name = "ept",
	.cases = npt_format_cases,
	.n_cases = ARRAY_SIZE(npt_format_cases),
	.ctx = &expect_ept,
};

static const struct kt_suite npt_host_suite = {
	.name = "host",
	.cases = npt_format_cases,
	.n_cases = ARRAY_SIZE(npt_format_cases),
	.ctx = &expect_host,
};

static const struct kt_suite *const npt_children[] = {
	&npt_amd_suite,
	&npt_ept_suite,
	&npt_host_suite,
};

const struct kt_suite npt_suite = {
	.name = "npt",
	.cases = npt_cases,
	.n_cases = ARRAY_SIZE(npt_cases),
	.children = npt_children,
	.n_children = ARRAY_SIZE(npt_children),
};
