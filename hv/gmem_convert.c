// SPDX-License-Identifier: MIT
/*
 * hv/gmem_convert.c - in-place conversion of gmem pages between private
 * and shared (the upstream guest_memfd "in-place conversion" series:
 * shareability kept by guest_memfd itself, changed by an ioctl on the
 * gmem file), and the security model's step in it (cc convert()).
 *
 * Shareability is a property of the memory, not of a view or a VM: every
 * VM with a view sees the same state, and host access through any view
 * obeys it. Contents are preserved across a conversion (a hardware model
 * may scramble them; none and sw_protected do not).
 */
#include "hv/gmem_int.h"
#include "hv/base/ranges.h"
#include "lib/console.h"
#include "lib/errno.h"

/*
 * The blocks a conversion of [start, end) hands to the security model: the
 * backed pages whose state differs from the target, one block per whole
 * huge chunk that changes as a whole, else one per page. The walk goes
 * either way over the same blocks, so that a failure is undone in reverse
 * order (shareability is not updated before step 6, so both directions
 * see the same blocks).
 */
struct conv_walk {
	struct gmem_view *view; /* the view that asked */
	struct gmem_mem *m;
	u64 start, end; /* page indices */
	bool to_private;
	u64 pos; /* forward: next index to look at; backward: one past */
};

struct conv_block {
	u64 index;
	phys_addr_t pa;
	unsigned int order;
};

static bool whole_chunk_changes(const struct conv_walk *w,
				const struct gmem_chunk *c, u64 base)
{
	return chunk_is_huge(c) && base >= w->start &&
	       base + CHUNK_PAGES <= w->end &&
	       ranges_state(&w->m->shared, base, base + CHUNK_PAGES) ==
		       (w->to_private ? RANGES_ALL : RANGES_NONE);
}

static bool page_changes(const struct conv_walk *w, const struct gmem_chunk *c,
			 u64 idx)
{
	return chunk_has(c, idx % CHUNK_PAGES) &&
	       ranges_test(&w->m->shared, idx) == w->to_private;
}

static bool next_block(struct conv_walk *w, struct conv_block *b)
{
	while (w->pos < w->end) {
		u64 ci = w->pos / CHUNK_PAGES, base, top;
		struct gmem_chunk *c =
			xmap_find(&w->m->chunks, &ci, (w->end - 1) / CHUNK_PAGES);

		if (!c)
			return false;
		base = ci * CHUNK_PAGES;
		top = MIN(w->end, base + CHUNK_PAGES);
		w->pos = MAX(w->pos, base);
		if (whole_chunk_changes(w, c, base)) {
			*b = (struct conv_block){ base, c->block, CHUNK_ORDER };
			w->pos = top;
			return true;
		}
		for (; w->pos < top; w->pos++) {
			if (!page_changes(w, c, w->pos))
				continue;
			*b = (struct conv_block){
				w->pos, chunk_page(c, w->pos % CHUNK_PAGES), 0
			};
			w->pos++;
			return true;
		}
	}
	return false;
}

static bool prev_block(struct conv_walk *w, struct conv_block *b)
{
	while (w->pos > w->start) {
		u64 ci = (w->pos - 1) / CHUNK_PAGES, base, bottom;
		struct gmem_chunk *c = xmap_find_last(&w->m->chunks, &ci,
						      w->start / CHUNK_PAGES);

		if (!c)
			return false;
		base = ci * CHUNK_PAGES;
		bottom = MAX(w->start, base);
		w->pos = MIN(w->pos, base + CHUNK_PAGES);
		if (whole_chunk_changes(w, c, base)) {
			*b = (struct conv_block){ base, c->block, CHUNK_ORDER };
			w->pos = bottom;
			return true;
		}
		for (; w->pos > bottom; w->pos--) {
			u64 idx = w->pos - 1;

			if (!page_changes(w, c, idx))
				continue;
			*b = (struct conv_block){
				idx, chunk_page(c, idx % CHUNK_PAGES), 0
			};
			w->pos = idx;
			return true;
		}
	}
	return false;
}

/* Where the asking view's VM maps page 'index': its binding's gfn, or
 * CC_NO_GFN (bindings of one view never overlap, G64). */
static u64 gfn_of(const struct gmem_view *v, u64 index)
{
	const struct range *r = ranges_lookup(&v->bindings, index);
	const struct gmem_binding *gb;

	if (!r)
		return CC_NO_GFN;
	gb = r->data;
	return gb->base_gfn + index - gb->pgoff;
}

static int convert_block(struct conv_walk *w, const struct conv_block *b,
			 bool to_private)
{
	return w->m->cc->convert(w->view->owner, gfn_of(w->view, b->index),
				 b->pa, b->order, to_private);
}

/*
 * Step 5: the security model's convert() over every changing block, in
 * index order. When one fails, the blocks before it are converted back in
 * reverse order (the last done first), as COCONUT-SVSM undoes a
 * visibility change, and the failure is returned.
 */
static int security_step(struct conv_walk *w)
{
	struct conv_block b;
	int r;

	if (!w->m->cc->convert)
		return 0;
	w->pos = w->start;
	while (next_block(w, &b)) {
		r = convert_block(w, &b, w->to_private);
		if (!r)
			continue;
		w->pos = b.index;
		while (prev_block(w, &b))
			if (convert_block(w, &b, !w->to_private))
				panic("gmem: security model '%s' failed to "
				      "undo a conversion",
				      w->m->cc->name);
		return r;
	}
	return 0;
}

/* Step 6's other half: pages made shared are no longer prepared for
 * private use (a later private fault prepares them again). */
static void unprepare(struct gmem_mem *m, u64 start, u64 end)
{
	struct gmem_chunk *c;
	u64 ci;

	xmap_for_each(&m->chunks, ci, c, start / CHUNK_PAGES,
		      (end - 1) / CHUNK_PAGES) {
		u64 base = ci * CHUNK_PAGES;

		chunk_unprepare(c, start > base ? start - base : 0,
				MIN(end - base, CHUNK_PAGES) - 1);
	}
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
 *  5. The security model's convert() per backed block that changes, in
 *     index order. If one fails, the blocks already done are converted
 *     back in reverse order and the error is returned: the state equals
 *     the state before the call.
 *  6. Update the shareability extents (from the reservation); pages made
 *     shared lose their "prepared" mark (cc prepare() runs again at their
 *     next private use).
 *  7. End the invalidation: the next guest access refaults and sees the
 *     new state; host access obeys it at once.
 *
 * One order serves both directions, because during steps 4-6 nobody can
 * reach the pages: the guest's translations of both kinds are gone and
 * flushed (step 4), no host pin holds a page that changes (step 2), and
 * no host access runs between the steps (the hypervisor does one thing at
 * a time; Linux holds the file's invalidate lock across a conversion for
 * the same effect). Shared -> private: the model claims the pages (step 5)
 * before the host loses access to them (step 6), and the first private
 * fault after step 7 maps them. Private -> shared: the model releases the
 * pages (step 5) before step 6 lets the host touch them. That is the order
 * SNP needs (RMPUPDATE of a page no one maps, PVALIDATE by the guest
 * after) and TDX needs (S-EPT removal only after block, track and kick).
 */
int gmem_convert(struct gmem_view *v, u64 offset, u64 size, bool to_private,
		 u64 *error_offset)
{
	struct gmem_mem *m = v->mem;
	u64 start = offset >> PAGE_SHIFT, end, idx;
	struct conv_walk w;
	int r;

	/* 1 */
	if (!IS_ALIGNED(offset, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) ||
	    !size || offset + size < offset || offset + size > m->size)
		return -EINVAL;
	end = (offset + size) >> PAGE_SHIFT;
	if (ranges_state(&m->shared, start, end) ==
	    (to_private ? RANGES_NONE : RANGES_ALL))
		return 0;
	/* A golden image stays shared (gmem_seal). */
	if (m->sealed)
		return -EPERM;
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
	w = (struct conv_walk){ .view = v, .m = m, .start = start,
				.end = end, .to_private = to_private };
	r = security_step(&w);
	if (r) {
		/* The model may have let go of pages made private again by
		 * the undo (SNP: RMPUPDATE to hypervisor-owned, which also
		 * cleared Validated): they are prepared afresh on next use. */
		if (!to_private)
			unprepare(m, start, end);
		return r;
	}
	/* 6 */
	if (to_private) {
		ranges_clear(&m->shared, start, end);
	} else {
		ranges_set(&m->shared, start, end);
		unprepare(m, start, end);
	}
	/* 7: nothing is cached, so ending the invalidation needs no work. */
	return 0;
}
