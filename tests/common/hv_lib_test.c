// SPDX-License-Identifier: MIT
/*
 * tests/common/hv_lib_test.c - the hypervisor's own containers: kmalloc
 * (size classes, page blocks, accounting, fault injection), xmap (the
 * sparse radix map), ranges (range maps and range sets) and SHA-384.
 */
#include "hv/alloc.h"
#include "hv/base/kmalloc.h"
#include "hv/base/ranges.h"
#include "hv/base/sha384.h"
#include "hv/base/xmap.h"
#include "lib/ktap.h"
#include "lib/mem.h"
#include "tests/suites.h"

static const char *no_pool(void *ctx)
{
	return hv_pool ? NULL : "no hv_pool on this platform";
}

static void kmalloc_objects_round_trip(struct kt *t)
{
	static const size_t sizes[] = {1,    16,   17,	 96,   100,  512,
				       2048, 2049, 4096, 5000, 40000};
	struct kmalloc_stats before, during, after;
	u8 *p[ARRAY_SIZE(sizes)][20];
	int bad = 0;

	kmalloc_get_stats(&before);
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (int i = 0; i < 20; i++) {
			p[s][i] = kmalloc(sizes[s]);
			if (!p[s][i] || !mem_is_zero(p[s][i], sizes[s]))
				bad++;
			else
				memset(p[s][i], s + i, sizes[s]);
		}
	}
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_OK(t, kmalloc_check());
	kmalloc_get_stats(&during);
	KT_EXPECT_EQ(t, during.objects,
		     before.objects + 20 * ARRAY_SIZE(sizes));
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
		for (int i = 0; i < 20; i++) {
			bad += p[s][i][sizes[s] - 1] != (u8)(s + i);
			kfree(p[s][i], sizes[s]);
		}
	KT_EXPECT_EQ(t, bad, 0);
	kmalloc_get_stats(&after);
	KT_EXPECT_EQ(t, after.objects, before.objects);
	KT_EXPECT_EQ(t, after.bytes, before.bytes);
	KT_EXPECT_EQ(t, after.pages, before.pages);
	KT_EXPECT_OK(t, kmalloc_check());
}

static void kmalloc_sizes_and_injection(struct kt *t)
{
	void *a, *b;

	KT_EXPECT_EQ(t, kmalloc_size(1), 16);
	KT_EXPECT_EQ(t, kmalloc_size(90), 96);
	KT_EXPECT_EQ(t, kmalloc_size(2048), 2048);
	KT_EXPECT_EQ(t, kmalloc_size(2049), PAGE_SIZE);
	KT_EXPECT_EQ(t, kmalloc_size(3 * PAGE_SIZE), 4 * PAGE_SIZE);
	kmalloc_fail_nth(2);
	a = kmalloc(32);
	b = kmalloc(32);
	KT_EXPECT(t, a != NULL);
	KT_EXPECT(t, b == NULL);
	kfree(a, 32);
	b = kmalloc(32);
	KT_EXPECT(t, b != NULL);
	kfree(b, 32);
	kfree(NULL, 32);
	KT_EXPECT_OK(t, kmalloc_check());
}

static void xmap_sparse_indices(struct kt *t)
{
	static const u64 idx[] = {0,	1,    63,	  64,
				  4095, 4096, 1ULL << 40, XMAP_MAX_INDEX};
	struct xmap m = {0};
	u64 i, n = 0;
	void *p;

	for (size_t k = 0; k < ARRAY_SIZE(idx); k++)
		KT_EXPECT_OK(t, xmap_store(&m, idx[k], (void *)(idx[k] + 1)));
	KT_EXPECT_ERRNO(t, xmap_store(&m, XMAP_MAX_INDEX + 1, &m), EINVAL);
	KT_EXPECT_ERRNO(t, xmap_store(&m, 5, NULL), EINVAL);
	for (size_t k = 0; k < ARRAY_SIZE(idx); k++)
		KT_EXPECT_EQ(t, (u64)xmap_load(&m, idx[k]), idx[k] + 1);
	KT_EXPECT(t, xmap_load(&m, 2) == NULL);
	KT_EXPECT(t, xmap_load(&m, 1ULL << 41) == NULL);
	/* In index order, whatever the tree shape. */
	xmap_for_each(&m, i, p, 0, XMAP_MAX_INDEX)
		KT_EXPECT_EQ(t, i, idx[n++]);
	KT_EXPECT_EQ(t, n, ARRAY_SIZE(idx));
	i = 65;
	KT_EXPECT_EQ(t, (u64)xmap_find(&m, &i, 1ULL << 40), 4096);
	KT_EXPECT_EQ(t, i, 4095);
	i = 4097;
	KT_EXPECT(t, xmap_find(&m, &i, (1ULL << 40) - 1) == NULL);
	KT_EXPECT_EQ(t, i, 4097);
	/* Erasing everything frees every node. */
	for (size_t k = 0; k < ARRAY_SIZE(idx); k++)
		KT_EXPECT_EQ(t, (u64)xmap_erase(&m, idx[k]), idx[k] + 1);
	KT_EXPECT(t, xmap_erase(&m, 7) == NULL);
	KT_EXPECT_EQ(t, m.nodes, 0);
	KT_EXPECT(t, m.root == NULL && m.height == 0);
}

/* Erasing what is not there changes nothing: an index the tree is too
 * low to hold (whose low bits name a stored entry) and an index under a
 * node that does not exist. */
static void xmap_erase_absent(struct kt *t)
{
	struct xmap m = {0};
	u64 idx;

	KT_ASSERT(t, KT_EXPECT_OK(t, xmap_store(&m, 0, (void *)1)) &&
			     KT_EXPECT_OK(t, xmap_store(&m, 63, (void *)2)));
	KT_EXPECT_EQ(t, m.height, 1);
	KT_EXPECT(t, xmap_erase(&m, 64) == NULL);
	KT_EXPECT_EQ(t, (u64)xmap_load(&m, 0), 1);
	KT_ASSERT(t, KT_EXPECT_OK(t, xmap_store(&m, 4096, (void *)3)));
	KT_EXPECT(t, xmap_erase(&m, 64) == NULL);
	KT_EXPECT(t, xmap_erase(&m, 4096 + 64) == NULL);
	KT_EXPECT_EQ(t, (u64)xmap_load(&m, 0), 1);
	KT_EXPECT_EQ(t, (u64)xmap_load(&m, 63), 2);
	KT_EXPECT_EQ(t, (u64)xmap_load(&m, 4096), 3);
	/* Backwards from the first index past what the tree can hold. */
	idx = 4096 * 64;
	KT_EXPECT_EQ(t, (u64)xmap_find_last(&m, &idx, 0), 3);
	KT_EXPECT_EQ(t, idx, 4096);
	xmap_destroy(&m);
	KT_EXPECT_EQ(t, m.nodes, 0);
}

/* Backwards through the same sparse indices: every entry, each once, in
 * reverse order, bounded below by first. */
static void xmap_find_last_walks_backwards(struct kt *t)
{
	static const u64 idx[] = { 0, 1, 63, 64, 4095, 4096, 1ULL << 40,
				   XMAP_MAX_INDEX };
	struct xmap m = { 0 };
	size_t n = ARRAY_SIZE(idx);
	u64 i = XMAP_MAX_INDEX;
	void *p;

	KT_EXPECT(t, xmap_find_last(&m, &i, 0) == NULL);
	for (size_t k = 0; k < n; k++)
		KT_EXPECT_OK(t, xmap_store(&m, idx[k], (void *)(idx[k] + 1)));
	for (;;) {
		p = xmap_find_last(&m, &i, 0);
		if (!p)
			break;
		KT_ASSERT(t, n > 0);
		KT_EXPECT_EQ(t, i, idx[--n]);
		KT_EXPECT_EQ(t, (u64)p, idx[n] + 1);
		if (!i)
			break;
		i--;
	}
	KT_EXPECT_EQ(t, n, 0);
	/* Between entries; below first; past the tree's reach. */
	i = 4000;
	KT_EXPECT_EQ(t, (u64)xmap_find_last(&m, &i, 0), 65);
	KT_EXPECT_EQ(t, i, 64);
	i = 4000;
	KT_EXPECT(t, xmap_find_last(&m, &i, 65) == NULL);
	KT_EXPECT_EQ(t, i, 4000);
	xmap_erase(&m, XMAP_MAX_INDEX);
	i = XMAP_MAX_INDEX;
	KT_EXPECT_EQ(t, (u64)xmap_find_last(&m, &i, 0), (1ULL << 40) + 1);
	xmap_destroy(&m);
}

static void xmap_out_of_memory_changes_nothing(struct kt *t)
{
	struct xmap m = {0};
	int failed = 0;

	KT_EXPECT_OK(t, xmap_store(&m, 3, &m));
	for (u64 n = 1; n < 12; n++) {
		u64 nodes = m.nodes;

		kmalloc_fail_nth(n);
		if (xmap_store(&m, 1ULL << 50, &m) == -ENOMEM) {
			failed++;
			KT_EXPECT_EQ(t, m.nodes, nodes);
			KT_EXPECT(t, xmap_load(&m, 3) == &m);
		} else {
			xmap_erase(&m, 1ULL << 50);
		}
		kmalloc_fail_nth(0);
	}
	KT_EXPECT_GE(t, failed, 8);
	xmap_destroy(&m);
	KT_EXPECT_EQ(t, m.nodes, 0);
}

static void ranges_set_merges_and_splits(struct kt *t)
{
	struct ranges r = {0};

	KT_ASSERT_OK(t, ranges_reserve(&r, 1));
	ranges_set(&r, 10, 20);
	KT_ASSERT_OK(t, ranges_reserve(&r, 1));
	ranges_set(&r, 30, 40);
	KT_ASSERT_OK(t, ranges_reserve(&r, 1));
	ranges_set(&r, 20, 30); /* touches both: one range */
	KT_EXPECT_EQ(t, r.n, 1);
	KT_EXPECT(t, r.v[0].start == 10 && r.v[0].end == 40);
	KT_ASSERT_OK(t, ranges_reserve(&r, 1));
	ranges_clear(&r, 15, 16); /* splits */
	KT_EXPECT_EQ(t, r.n, 2);
	KT_EXPECT(t, ranges_test(&r, 14) && !ranges_test(&r, 15) &&
			     ranges_test(&r, 16) && !ranges_test(&r, 40));
	KT_EXPECT_EQ(t, ranges_state(&r, 16, 40), RANGES_ALL);
	KT_EXPECT_EQ(t, ranges_state(&r, 14, 17), RANGES_MIXED);
	KT_EXPECT_EQ(t, ranges_state(&r, 40, 100), RANGES_NONE);
	KT_EXPECT_EQ(t, ranges_state(&r, 0, 10), RANGES_NONE);
	KT_ASSERT_OK(t, ranges_reserve(&r, 1));
	ranges_clear(&r, 0, 100);
	KT_EXPECT_EQ(t, r.n, 0);
	KT_ASSERT_OK(t, ranges_reserve(&r, 1));
	ranges_set(&r, 0, ~0ULL);
	KT_EXPECT_EQ(t, ranges_state(&r, 5, 1ULL << 60), RANGES_ALL);
	KT_EXPECT_OK(t, ranges_check(&r, true, "test set"));
	ranges_destroy(&r);
	KT_EXPECT(t, r.v == NULL && r.cap == 0);
}

static void ranges_map_lookup(struct kt *t)
{
	struct ranges r = {0};
	int data[3];

	KT_ASSERT_OK(t, ranges_reserve(&r, 3));
	ranges_insert(&r, 100, 200, &data[1]);
	ranges_insert(&r, 0, 50, &data[0]);
	ranges_insert(&r, 200, 210, &data[2]); /* touching, not merged */
	KT_EXPECT_EQ(t, r.n, 3);
	KT_EXPECT(t, ranges_lookup(&r, 0)->data == &data[0]);
	KT_EXPECT(t, ranges_lookup(&r, 199)->data == &data[1]);
	KT_EXPECT(t, ranges_lookup(&r, 200)->data == &data[2]);
	KT_EXPECT(t, ranges_lookup(&r, 50) == NULL);
	KT_EXPECT(t, ranges_overlap(&r, 40, 60));
	KT_EXPECT(t, !ranges_overlap(&r, 50, 100));
	KT_EXPECT_EQ(t, ranges_first_after(&r, 50), 1);
	ranges_remove(&r, 100);
	KT_EXPECT(t, ranges_lookup(&r, 150) == NULL);
	KT_EXPECT_OK(t, ranges_check(&r, false, "test map"));
	/* A grown array keeps its entries. */
	KT_ASSERT_OK(t, ranges_reserve(&r, 100));
	KT_EXPECT_GE(t, r.cap, 102);
	KT_EXPECT(t, ranges_lookup(&r, 205)->data == &data[2]);
	ranges_destroy(&r);
}

/* The digest of data (fed in pieces of at most step bytes), in hex. */
static void sha384_hex(const void *data, size_t len, size_t step, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	u8 d[SHA384_DIGEST_SIZE];
	struct sha384 c;

	sha384_init(&c);
	for (size_t at = 0; at < len; at += MIN(step, len - at))
		sha384_update(&c, (const u8 *)data + at, MIN(step, len - at));
	sha384_final(&c, d);
	for (int i = 0; i < SHA384_DIGEST_SIZE; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * SHA384_DIGEST_SIZE] = 0;
}

/*
 * FIPS 180-4 SHA-384 known answers: the one-block ("abc") and two-block
 * (896-bit) examples of NIST's "Cryptographic Standards and Guidelines:
 * Examples with Intermediate Values" (SHA384.pdf), the empty message and
 * a million 'a' (NIST's SHAVS long message), and the padding edges: 111
 * message bytes leave exactly room for 0x80 and the 16-byte length in the
 * last block, 112 need one more block (values from python3 hashlib).
 */
static void sha384_known_answers(struct kt *t)
{
	static const char two_block[] =
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	char hex[2 * SHA384_DIGEST_SIZE + 1];
	u8 seq[112], *million;

	sha384_hex("abc", 3, 3, hex);
	KT_EXPECT_STR_EQ(t, hex,
			 "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
			 "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
	sha384_hex(two_block, sizeof(two_block) - 1, 1000, hex);
	KT_EXPECT_STR_EQ(t, hex,
			 "09330c33f71147e83d192fc782cd1b4753111b173b3b05d2"
			 "2fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039");
	/* The same fed a byte at a time: the partial-block path. */
	sha384_hex(two_block, sizeof(two_block) - 1, 1, hex);
	KT_EXPECT_STR_EQ(t, hex,
			 "09330c33f71147e83d192fc782cd1b4753111b173b3b05d2"
			 "2fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039");
	sha384_hex("", 0, 1, hex);
	KT_EXPECT_STR_EQ(t, hex,
			 "38b060a751ac96384cd9327eb1b1e36a21fdb71114be0743"
			 "4c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b");
	for (unsigned int i = 0; i < sizeof(seq); i++)
		seq[i] = (u8)i;
	sha384_hex(seq, 111, 111, hex);
	KT_EXPECT_STR_EQ(t, hex,
			 "f5f9fe110d809d34029de262a01b208356caec6e054c7f92"
			 "6b2591f6c9780579d4b59f5578c6f531a84f158a33660cef");
	sha384_hex(seq, 112, 112, hex);
	KT_EXPECT_STR_EQ(t, hex,
			 "33ba080ec0ccb378e4e95fed3b26c23aa1a280476e007519"
			 "ee47f60cd9c5c8a65d627259a9aa2fd33ca06d3c14ee5548");
	million = alloc_pages(hv_pool, 8, OWN_TEST);
	KT_ASSERT(t, million != NULL);
	memset(million, 'a', 1000000);
	sha384_hex(million, 1000000, 4096 + 5, hex);
	KT_EXPECT_STR_EQ(t, hex,
			 "9d0e1809716474cb086e834e310a4a1ced149e9c00f24852"
			 "7972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985");
	free_pages(hv_pool, million, 8, OWN_TEST);
}

static const struct kt_case hv_lib_cases[] = {
	KT_CASE(kmalloc_objects_round_trip),
	KT_CASE(kmalloc_sizes_and_injection),
	KT_CASE(xmap_sparse_indices),
	KT_CASE(xmap_erase_absent),
	KT_CASE(xmap_find_last_walks_backwards),
	KT_CASE(xmap_out_of_memory_changes_nothing),
	KT_CASE(ranges_set_merges_and_splits),
	KT_CASE(ranges_map_lookup),
	KT_CASE(sha384_known_answers),
};

const struct kt_suite hv_lib_suite = {
	.name = "hv_lib",
	.cases = hv_lib_cases,
	.n_cases = ARRAY_SIZE(hv_lib_cases),
	.unsupported = no_pool,
};
