// SPDX-License-Identifier: MIT
/*
 * tests/common/native_convert_test.c - the blocks an in-place conversion
 * hands to the security model (hv/gmem_convert.c, step 5): a 2 MiB block
 * goes as one only when the range covers its whole chunk and the chunk
 * changes as a whole; otherwise each backed page that changes goes alone.
 */
#include "hv/cc.h"
#include "lib/mem.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define CHUNK 512ULL

static u8 buf[PG];

/* What convert() was called with; call fail_at fails. */
static struct {
	u64 calls, order0, order9, forward, undone, fail_at;
} conv;

static int count_convert(struct vm *vm, u64 gfn, phys_addr_t pa,
			 unsigned int order, bool to_private)
{
	if (++conv.calls == conv.fail_at)
		return -EIO;
	conv.order0 += order == 0;
	conv.order9 += order == 9;
	return 0;
}

static const struct cc_ops counting = {
	.name = "counting",
	.vm_type = GMV_VM_DEFAULT,
	.private_source = CC_PRIVATE_NEVER,
	.convert = count_convert,
};

/* A default VM on the counting model with an MMAP, INIT_SHARED gmem of
 * two chunks, the first backed by its 2 MiB block; -1 on failure. */
static int counted_gmem(struct kt *t, struct vmm *v)
{
	const struct cc_ops *old = cc_use(&counting);
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g;

	cc_use(old);
	if (vm < 0)
		return -1;
	g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 2 * SZ2M, SHARED_FLAGS));
	if (g < 0 || !KT_EXPECT_OK(t, v->ops->host_write(v, g, 0, buf, 8)))
		return -1;
	return g;
}

static int convert_failing(struct vmm *v, int g, u64 first, u64 n, bool private,
			   u64 fail_at)
{
	u64 err_off;

	memset(&conv, 0, sizeof(conv));
	conv.fail_at = fail_at;
	return v->ops->convert(v, g, first * PG, n * PG, private, &err_off);
}

static int convert(struct vmm *v, int g, u64 first, u64 n, bool private)
{
	return convert_failing(v, g, first, n, private, 0);
}

/* Catches a 2 MiB block handed over whole when the range starts inside
 * its chunk: the model would convert a page the caller did not name. */
NATIVE_CASE(block_goes_whole_only_when_the_range_covers_it)
{
	int g = counted_gmem(t, v);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, convert(v, g, 1, 2 * CHUNK - 1, true));
	KT_EXPECT_EQ(t, conv.order9, 0);
	KT_EXPECT_EQ(t, conv.order0, CHUNK - 1);
	/* Page 0 is still shared: the host reaches it. */
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 0, buf, 8));
	/* Back to shared from page 0 on: the chunk is mixed, page by page;
	 * the second chunk has no backing, nothing to hand over. */
	KT_EXPECT_OK(t, convert(v, g, 0, 2 * CHUNK, false));
	KT_EXPECT_EQ(t, conv.order9, 0);
	KT_EXPECT_EQ(t, conv.order0, CHUNK - 1);
	/* The whole chunk, all shared: one block. */
	KT_EXPECT_OK(t, convert(v, g, 0, CHUNK, true));
	KT_EXPECT_EQ(t, conv.calls, 1);
	KT_EXPECT_EQ(t, conv.order9, 1);
}

/* Catches a chunk of mixed state handed over as one block: the page that
 * already has the target state must not be converted again. */
NATIVE_CASE(mixed_chunk_goes_page_by_page)
{
	int g = counted_gmem(t, v);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, convert(v, g, 3, 1, true));
	KT_EXPECT_EQ(t, conv.order0, 1);
	KT_EXPECT_OK(t, convert(v, g, 0, CHUNK, true));
	KT_EXPECT_EQ(t, conv.order9, 0);
	KT_EXPECT_EQ(t, conv.order0, CHUNK - 1);
	/* Now one state again: back to shared as one block. */
	KT_EXPECT_OK(t, convert(v, g, 0, CHUNK, false));
	KT_EXPECT_EQ(t, conv.calls, 1);
	KT_EXPECT_EQ(t, conv.order9, 1);
}

/*
 * Catches a page walk that looks one page past the chunk it walks: when
 * the last pages of a chunk do not change, the walk must go on to the
 * next chunk, not hand over the first page of this one as if it were the
 * next chunk's.
 */
NATIVE_CASE(walk_stops_at_the_end_of_its_chunk)
{
	int g = counted_gmem(t, v);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, convert(v, g, CHUNK - 2, 2, true));
	KT_EXPECT_EQ(t, conv.calls, 2);
	/* Over both chunks: pages 0-509 of the first; the second has no
	 * backing. */
	KT_EXPECT_OK(t, convert(v, g, 0, 2 * CHUNK, true));
	KT_EXPECT_EQ(t, conv.calls, CHUNK - 2);
	/* A range inside a chunk hands over just its pages. */
	KT_EXPECT_OK(t, convert(v, g, 100, 28, false));
	KT_EXPECT_EQ(t, conv.calls, 28);
}

/* Catches a whole-chunk block handed over for a range that ends inside
 * the chunk. */
NATIVE_CASE(range_ending_inside_a_chunk_goes_page_by_page)
{
	int g = counted_gmem(t, v);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, convert(v, g, 0, 4, true));
	KT_EXPECT_EQ(t, conv.order0, 4);
	KT_EXPECT_EQ(t, conv.order9, 0);
}

/*
 * Catches an undo walk that goes one page past the range or the chunk,
 * or trips over a chunk without backing: when the model fails, every
 * block done is undone once, and no other.
 */
NATIVE_CASE(undo_walks_back_exactly_what_was_done)
{
	int g = counted_gmem(t, v);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, v->ops->host_write(v, g, SZ2M, buf, 8));
	/* Page 1 private already; from page 1 on: pages 2-511 one by one,
	 * then the second chunk as one block, which fails. The undo walks
	 * back down to page 2 and must stop there: page 1 does not change
	 * and page 0 is outside the range. */
	KT_EXPECT_OK(t, convert(v, g, 1, 1, true));
	KT_EXPECT_ERRNO(
		t, convert_failing(v, g, 1, 2 * CHUNK - 1, true, CHUNK - 1),
		EIO);
	KT_EXPECT_EQ(t, conv.calls, 2 * (CHUNK - 2) + 1);
	KT_EXPECT_EQ(t, conv.order0, 2 * (CHUNK - 2));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 0, buf, 8));
	/* A range from a chunk without backing: the first block there
	 * fails, nothing to undo. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, g,
					  GMV_FALLOC_PUNCH_HOLE |
						  GMV_FALLOC_KEEP_SIZE,
					  0, SZ2M));
	KT_EXPECT_ERRNO(t, convert_failing(v, g, 0, 2 * CHUNK, true, 1), EIO);
	KT_EXPECT_EQ(t, conv.calls, 1);
	KT_EXPECT_OK(t, v->ops->host_read(v, g, SZ2M, buf, 8));
}

/*
 * Catches the "prepared" marks cleared one chunk too far when a range
 * ends at a chunk boundary (the chunk after it is not part of the
 * conversion): the conversion must finish and leave the next chunk be.
 */
NATIVE_CASE(shared_again_up_to_a_chunk_boundary)
{
	int g = counted_gmem(t, v);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, v->ops->host_write(v, g, SZ2M, buf, 8));
	KT_EXPECT_OK(t, convert(v, g, 0, CHUNK, true));
	KT_EXPECT_OK(t, convert(v, g, 0, CHUNK, false));
	KT_EXPECT_EQ(t, conv.order9, 1);
	KT_EXPECT_OK(t, v->ops->check(v));
}

static const struct kt_case native_convert_cases[] = {
	KT_CASE(block_goes_whole_only_when_the_range_covers_it),
	KT_CASE(mixed_chunk_goes_page_by_page),
	KT_CASE(walk_stops_at_the_end_of_its_chunk),
	KT_CASE(range_ending_inside_a_chunk_goes_page_by_page),
	KT_CASE(undo_walks_back_exactly_what_was_done),
	KT_CASE(shared_again_up_to_a_chunk_boundary),
};

const struct kt_suite native_convert_suite = {
	.name = "native_convert",
	.cases = native_convert_cases,
	.n_cases = ARRAY_SIZE(native_convert_cases),
	.unsupported = native_unsupported,
};
