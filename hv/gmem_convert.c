// SPDX-License-Identifier: MIT
/*
 * hv/gmem_convert.c - in-place conversion of gmem pages between private
 * and shared (spec §5, the upstream "in-place conversion" series), and the
 * table of security steps it runs.
 *
 * Shareability is a property of the memory, not of a view or a VM: every
 * VM with a view sees the same state, and host access through any view
 * obeys it. Contents are preserved across a conversion (the security step
 * of a vendor may scramble them; the no-op step does not).
 */
#include "hv/gmem_int.h"
#include "lib/console.h"
#include "lib/errno.h"

static int sec_none_convert(const struct gmem_mem *m, u64 index, phys_addr_t pa,
			    unsigned int order, bool to_private)
{
	return 0;
}

const struct gmem_sec_ops gmem_sec_none = {
	.name = "none",
	.convert = sec_none_convert,
};

static const struct gmem_sec_ops *sec_ops = &gmem_sec_none;

const struct gmem_sec_ops *gmem_set_sec_ops(const struct gmem_sec_ops *ops)
{
	const struct gmem_sec_ops *old = sec_ops;

	sec_ops = ops;
	return old;
}

/*
 * Run the security step over the backed pages of [start, end) whose state
 * differs from the target (shared == !to_private), in index order: one
 * call per huge chunk that changes as a whole, else one per page. With
 * undo, call the opposite direction for the first 'limit' blocks only.
 * Returns 0 or the step's error; *done counts the blocks completed.
 */
static int sec_walk(struct gmem_mem *m, u64 start, u64 end, bool to_private,
		    bool undo, u64 limit, u64 *done)
{
	bool dir = undo ? !to_private : to_private;
	struct gmem_chunk *c;
	u64 ci;

	*done = 0;
	xmap_for_each(&m->chunks, ci, c, start / CHUNK_PAGES,
		      (end - 1) / CHUNK_PAGES)
	{
		u64 base = ci * CHUNK_PAGES;
		u64 first = MAX(start, base);
		u64 last = MIN(end, base + CHUNK_PAGES);
		enum ranges_state st =
			ranges_state(&m->shared, base, base + CHUNK_PAGES);
		int r;

		if (chunk_is_huge(c) && first == base &&
		    last == base + CHUNK_PAGES &&
		    st == (to_private ? RANGES_ALL : RANGES_NONE)) {
			if (*done == limit)
				return 0;
			r = sec_ops->convert(m, base, c->block, CHUNK_ORDER,
					     dir);
			if (r)
				return r;
			(*done)++;
			continue;
		}
		for (u64 idx = first; idx < last; idx++) {
			unsigned int i = idx - base;

			if (!chunk_has(c, i) ||
			    ranges_test(&m->shared, idx) != to_private)
				continue;
			if (*done == limit)
				return 0;
			r = sec_ops->convert(m, idx, chunk_page(c, i), 0, dir);
			if (r)
				return r;
			(*done)++;
		}
	}
	return 0;
}

/* The first pinned page in [start, end) whose state would change. */
static bool find_in_use(struct gmem_mem *m, u64 start, u64 end, bool to_private,
			u64 *index)
{
	void *pins;

	*index = start;
	xmap_for_each(&m->pins, *index, pins, start, end - 1)
		if (ranges_test(&m->shared, *index) == to_private)
			return true;
	return false;
}

/*
 * gmem_convert - the one conversion path. Its steps, in order (the same
 * shape as COCONUT-SVSM's page_visibility.rs: nothing is changed until
 * every check has passed, and a failure after that undoes what was done):
 *
 *  1. Validate the range: aligned, non-empty, no wrap, inside the file
 *     (-EINVAL). Return 0 if it already has the target state (no-op).
 *  2. Find pages in use (host pins) that would change: -EAGAIN and the
 *     first one's offset. Nothing has been touched.
 *  3. Reserve the extent the update needs (-ENOMEM, nothing touched), so
 *     that step 6 cannot fail.
 *  4. Begin the invalidation: zap the range in every VM that has a view
 *     bound to it, and flush each once. The flush happens here, before
 *     step 5, because no stale translation may reach a page while its
 *     security state changes (Linux flushes inside invalidate_begin for
 *     the same reason).
 *  5. Security step (gmem_sec_ops) per backed block that changes. If one
 *     fails, the blocks already done are converted back and the error is
 *     returned: the state equals the state before the call.
 *  6. Update the shareability extents (from the reservation).
 *  7. End the invalidation: the next guest access refaults and sees the
 *     new state; host access obeys it at once.
 */
int gmem_convert(struct gmem_view *v, u64 offset, u64 size, bool to_private,
		 u64 *error_offset)
{
	struct gmem_mem *m = v->mem;
	u64 start = offset >> PAGE_SHIFT, end, idx, done, undone;
	int r;

	/* 1 */
	if (!IS_ALIGNED(offset, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) ||
	    !size || offset + size < offset || offset + size > m->size)
		return -EINVAL;
	end = (offset + size) >> PAGE_SHIFT;
	if (ranges_state(&m->shared, start, end) ==
	    (to_private ? RANGES_NONE : RANGES_ALL))
		return 0;
	/* 2 */
	if (find_in_use(m, start, end, to_private, &idx)) {
		*error_offset = idx << PAGE_SHIFT;
		return -EAGAIN;
	}
	/* 3 */
	r = ranges_reserve(&m->shared, 1);
	if (r)
		return r;
	/* 4 */
	gmem_invalidate(m, start, end);
	/* 5 */
	r = sec_walk(m, start, end, to_private, false, UINT64_MAX, &done);
	if (r) {
		if (sec_walk(m, start, end, to_private, true, done, &undone) ||
		    undone != done)
			panic("gmem: security step '%s' failed to undo a "
			      "conversion",
			      sec_ops->name);
		return r;
	}
	/* 6 */
	if (to_private)
		ranges_clear(&m->shared, start, end);
	else
		ranges_set(&m->shared, start, end);
	/* 7: nothing is cached, so ending the invalidation needs no work. */
	return 0;
}
