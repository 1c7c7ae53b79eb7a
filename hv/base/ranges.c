// SPDX-License-Identifier: MIT
/* hv/base/ranges.c - sorted range arrays (see hv/base/ranges.h). */
#include "hv/base/ranges.h"
#include "hv/base/kmalloc.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/mem.h"

int ranges_reserve(struct ranges *r, u32 extra)
{
	u32 cap = r->cap ? r->cap : 4;
	struct range *v;

	if (r->n + extra <= r->cap)
		return 0;
	while (cap < r->n + extra)
		cap *= 2;
	v = kmalloc(cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (r->n)
		memcpy(v, r->v, r->n * sizeof(*v));
	kfree(r->v, r->cap * sizeof(*v));
	r->v = v;
	r->cap = cap;
	return 0;
}

void ranges_destroy(struct ranges *r)
{
	kfree(r->v, r->cap * sizeof(*r->v));
	r->v = NULL;
	r->n = r->cap = 0;
}

/* First index whose range ends at or after x (ends_after: strictly after). */
static u32 search(const struct ranges *r, u64 x, bool strictly)
{
	u32 lo = 0, hi = r->n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		u64 end = r->v[mid].end;

		if (strictly ? end > x : end >= x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

u32 ranges_first_after(const struct ranges *r, u64 x)
{
	return search(r, x, true);
}

struct range *ranges_lookup(const struct ranges *r, u64 x)
{
	u32 i = search(r, x, true);

	return i < r->n && r->v[i].start <= x ? &r->v[i] : NULL;
}

bool ranges_overlap(const struct ranges *r, u64 start, u64 end)
{
	u32 i = search(r, start, true);

	return i < r->n && r->v[i].start < end;
}

/* Replace entries [i, j) by the cnt entries in e[]. */
static void splice(struct ranges *r, u32 i, u32 j, const struct range *e,
		   u32 cnt)
{
	if (i == j && !cnt)
		return;
	BUG_ON(r->n - (j - i) + cnt > r->cap);
	memmove(&r->v[i + cnt], &r->v[j], (r->n - j) * sizeof(*r->v));
	if (cnt)
		memcpy(&r->v[i], e, cnt * sizeof(*e));
	r->n = r->n - (j - i) + cnt;
}

void ranges_insert(struct ranges *r, u64 start, u64 end, void *data)
{
	struct range e = {start, end, data};
	u32 i = search(r, start, true);

	BUG_ON(start >= end || (i < r->n && r->v[i].start < end));
	splice(r, i, i, &e, 1);
}

void ranges_remove(struct ranges *r, u64 start)
{
	u32 i = search(r, start, true);

	BUG_ON(i >= r->n || r->v[i].start != start);
	splice(r, i, i + 1, NULL, 0);
}

void ranges_set(struct ranges *r, u64 start, u64 end)
{
	/* Ranges that overlap or touch [start, end) merge into one. */
	u32 i = search(r, start, false), j = i;
	struct range e = {start, end, NULL};

	while (j < r->n && r->v[j].start <= end)
		j++;
	if (j > i) {
		e.start = MIN(start, r->v[i].start);
		e.end = MAX(end, r->v[j - 1].end);
	}
	splice(r, i, j, &e, 1);
}

void ranges_clear(struct ranges *r, u64 start, u64 end)
{
	u32 i = search(r, start, true), j = i, cnt = 0;
	struct range keep[2];

	while (j < r->n && r->v[j].start < end)
		j++;
	if (j == i)
		return;
	if (r->v[i].start < start)
		keep[cnt++] = (struct range){r->v[i].start, start, NULL};
	if (r->v[j - 1].end > end)
		keep[cnt++] = (struct range){end, r->v[j - 1].end, NULL};
	splice(r, i, j, keep, cnt);
}

bool ranges_test(const struct ranges *r, u64 x)
{
	return ranges_lookup(r, x) != NULL;
}

enum ranges_state ranges_state(const struct ranges *r, u64 start, u64 end)
{
	u32 i = search(r, start, true);

	if (i == r->n || r->v[i].start >= end)
		return RANGES_NONE;
	if (r->v[i].start <= start && r->v[i].end >= end)
		return RANGES_ALL;
	return RANGES_MIXED;
}

u64 ranges_meta_bytes(const struct ranges *r)
{
	return r->cap ? kmalloc_size(r->cap * sizeof(*r->v)) : 0;
}

int ranges_check(const struct ranges *r, bool set, const char *name)
{
	for (u32 i = 0; i < r->n; i++) {
		const struct range *e = &r->v[i];

		if (e->start >= e->end || (i && (set ? e->start <= e[-1].end
						     : e->start < e[-1].end))) {
			kprintf("# %s: range %u [%#llx, %#llx) is empty, "
				"unsorted, overlapping or unmerged\n",
				name, i, (unsigned long long)e->start,
				(unsigned long long)e->end);
			return -EIO;
		}
	}
	if (r->n > r->cap) {
		kprintf("# %s: %u ranges in room for %u\n", name, r->n, r->cap);
		return -EIO;
	}
	return 0;
}
