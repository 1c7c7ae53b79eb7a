// SPDX-License-Identifier: MIT
/*
 * guest-tests/conformance/conf_punch2m.c - punching holes at the edges of
 * 2 MiB file ranges (G53: a punch zeroes exactly its range, every other
 * page keeps its data). Linux backs a gmem with 4 KiB folios, so nothing
 * is special there; the native backend backs each 2 MiB chunk with one
 * block from its first use and must split it to free part of it, so the
 * first and last page of a chunk, a range across two chunks and whole
 * chunks are where a wrong split or a wrong range frees too much.
 */
#include "guest-tests/conformance/conf.h"

#define CHUNK 512ULL /* pages in 2 MiB */
#define FILE_PAGES (3 * CHUNK)

/* The contents of page 'page' as written here: a pattern of its own,
 * beginning with its number so that no two pages look alike. */
static void page_data(u8 *buf, u64 page)
{
	conf_fill(buf, PG, (u8)(page * 31 + 7));
	memcpy(buf, &page, sizeof(page));
}

/* A default VM with an MMAP, INIT_SHARED gmem of FILE_PAGES pages, each
 * page written with page_data(); -1 after a failed check. */
static int filled_gmem(struct kt *t, struct vmm *v)
{
	int g = conf_new_gmem(t, v, NULL, FILE_PAGES, GMEM_SHARED);

	if (g < 0)
		return -1;
	for (u64 p = 0; p < FILE_PAGES; p++) {
		page_data(conf_buf[0], p);
		if (!KT_EXPECT_OK(t, v->ops->host_write(v, g, p * PG,
							conf_buf[0], PG)))
			return -1;
	}
	return g;
}

/* One check: pages [first, last] hold zeros, every other page its own
 * data; the first page that does not is named. */
static void expect_hole(struct kt *t, struct vmm *v, int g, u64 first, u64 last)
{
	u64 bad = 0, first_bad = 0;

	for (u64 p = 0; p < FILE_PAGES; p++) {
		bool hole = p >= first && p <= last;
		bool ok;

		if (v->ops->host_read(v, g, p * PG, conf_buf[1], PG)) {
			ok = false;
		} else if (hole) {
			ok = mem_is_zero(conf_buf[1], PG);
		} else {
			page_data(conf_buf[0], p);
			ok = !memcmp(conf_buf[0], conf_buf[1], PG);
		}
		if (!ok && !bad++)
			first_bad = p;
	}
	if (!KT_EXPECT_EQ(t, bad, 0))
		kt_diag(t, "hole %llu-%llu: page %llu is wrong",
			(unsigned long long)first, (unsigned long long)last,
			(unsigned long long)first_bad);
}

static int punch(struct vmm *v, int g, u64 first, u64 n)
{
	return v->ops->fallocate(v, g, PUNCH, first * PG, n * PG);
}

/* Catches a punch of a 2 MiB chunk's first page that frees the whole
 * block: the other 511 pages would read zeros. */
CONF_CASE(g53_punch_first_page_of_a_2m_range)
{
	int g = filled_gmem(t, v);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, punch(v, g, CHUNK, 1));
	expect_hole(t, v, g, CHUNK, CHUNK);
	/* And again at the start of the file. */
	page_data(conf_buf[0], CHUNK);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, CHUNK * PG, conf_buf[0], PG));
	KT_EXPECT_OK(t, punch(v, g, 0, 1));
	expect_hole(t, v, g, 0, 0);
}

/* Catches a punch of a 2 MiB chunk's last page that frees the whole
 * block, or one page too many or too few. */
CONF_CASE(g53_punch_last_page_of_a_2m_range)
{
	int g = filled_gmem(t, v);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, punch(v, g, 2 * CHUNK - 1, 1));
	expect_hole(t, v, g, 2 * CHUNK - 1, 2 * CHUNK - 1);
	/* The last page of the file. */
	page_data(conf_buf[0], 2 * CHUNK - 1);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, (2 * CHUNK - 1) * PG,
					   conf_buf[0], PG));
	KT_EXPECT_OK(t, punch(v, g, FILE_PAGES - 1, 1));
	expect_hole(t, v, g, FILE_PAGES - 1, FILE_PAGES - 1);
}

/* Catches a punch across a 2 MiB boundary that frees either whole block,
 * or gets the part on either side wrong. */
CONF_CASE(g53_punch_across_a_2m_boundary)
{
	int g = filled_gmem(t, v);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, punch(v, g, CHUNK - 1, 2));
	expect_hole(t, v, g, CHUNK - 1, CHUNK);
	/* Three chunks touched: the end of one, a whole one, the start of
	 * the next. */
	KT_EXPECT_OK(t, punch(v, g, CHUNK - 3, CHUNK + 6));
	expect_hole(t, v, g, CHUNK - 3, 2 * CHUNK + 2);
}

/* Catches a whole-chunk punch that frees a neighbour, or leaves data in
 * the hole; the hole then takes new data. */
CONF_CASE(g53_punch_whole_2m_ranges)
{
	int g = filled_gmem(t, v);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, punch(v, g, CHUNK, CHUNK));
	expect_hole(t, v, g, CHUNK, 2 * CHUNK - 1);
	for (u64 p = CHUNK; p < 2 * CHUNK; p++) {
		page_data(conf_buf[0], p);
		KT_EXPECT_OK(t,
			     v->ops->host_write(v, g, p * PG, conf_buf[0], PG));
	}
	expect_hole(t, v, g, 1, 0); /* no hole */
	/* Two whole chunks at once, the first of the file among them. */
	KT_EXPECT_OK(t, punch(v, g, 0, 2 * CHUNK));
	expect_hole(t, v, g, 0, 2 * CHUNK - 1);
}
