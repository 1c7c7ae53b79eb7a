// SPDX-License-Identifier: MIT
/*
 * hv/gmem_check.c - the gmem invariant checker and the accounting of gmem
 * pages and metadata (see hv/gmem.h).
 */
#define CHECK_PREFIX "gmem_check"

#include "hv/gmem_int.h"
#include "hv/alloc.h"
#include "hv/base/check.h"
#include "hv/base/kmalloc.h"
#include "lib/errno.h"

static bool block_is(phys_addr_t pa, unsigned int order)
{
	unsigned int o;
	enum alloc_owner owner;

	return !alloc_block_info(hv_pool, (void *)pa, &o, &owner) &&
	       o == order && owner == OWN_GMEM;
}

static int check_chunk(const struct gmem_mem *m, u64 ci,
		       const struct gmem_chunk *c)
{
	unsigned int n = 0;

	for (unsigned int w = 0; w < CHUNK_WORDS; w++)
		n += __builtin_popcountll(c->present[w]);
	CHECK(n && n == c->nr_present,
	      "mem %p chunk %llu: %u pages marked, "
	      "count %u",
	      m, (unsigned long long)ci, n, c->nr_present);
	for (unsigned int i = 0; i < CHUNK_PAGES; i++)
		CHECK(!chunk_prepared(c, i) ||
			      (chunk_has(c, i) &&
			       !ranges_test(&m->shared, ci * CHUNK_PAGES + i)),
		      "mem %p page %llu: prepared but absent or shared", m,
		      (unsigned long long)(ci * CHUNK_PAGES + i));
	if (chunk_is_huge(c)) {
		CHECK((ci + 1) * CHUNK_PAGES <= gmem_npages(m),
		      "mem %p: huge chunk %llu crosses EOF", m,
		      (unsigned long long)ci);
		CHECK(n == CHUNK_PAGES && !c->map && block_is(c->block, 9),
		      "mem %p chunk %llu: huge block %p is not a full "
		      "order-9 gmem block",
		      m, (unsigned long long)ci, (void *)c->block);
		return 0;
	}
	for (unsigned int i = 0; i < CHUNK_PAGES; i++) {
		if (!chunk_has(c, i)) {
			CHECK(!c->map || !c->map[i],
			      "mem %p page %llu: absent but mapped", m,
			      (unsigned long long)(ci * CHUNK_PAGES + i));
			continue;
		}
		CHECK(ci * CHUNK_PAGES + i < gmem_npages(m),
		      "mem %p page %llu is past EOF", m,
		      (unsigned long long)(ci * CHUNK_PAGES + i));
		CHECK(c->block || (c->map && c->map[i]),
		      "mem %p page %llu has no address", m,
		      (unsigned long long)(ci * CHUNK_PAGES + i));
		CHECK(block_is(chunk_page(c, i), 0),
		      "mem %p page %llu: %p is not an order-0 gmem block", m,
		      (unsigned long long)(ci * CHUNK_PAGES + i),
		      (void *)chunk_page(c, i));
	}
	return 0;
}

/*
 * Golden images and overlays: a golden memory is all shared, with no
 * prepared page, pin or binding, and each view of it that an overlay
 * holds is that overlay's lower view (so the golden memory's view count
 * is its overlays plus the open handles); an overlay is a gmem-only
 * memory of the golden's size, never sealed, with single pages only (a
 * copy-up takes 4 KiB).
 */
static int check_golden(const struct gmem_mem *m)
{
	const struct gmem_chunk *c;
	const struct gmem_view *v;
	u64 ci;

	if (m->sealed) {
		CHECK(!m->lower && !m->cc->one_vm &&
			      ranges_state(&m->shared, 0, gmem_npages(m)) ==
				      RANGES_ALL,
		      "golden mem %p: an overlay, a one_vm model's, or not "
		      "all shared",
		      m);
		CHECK(!xmap_find(&m->pins, &(u64){0}, XMAP_MAX_INDEX),
		      "golden mem %p has a pinned page", m);
		list_for_each_entry(v, &m->views, node)
			CHECK(!v->bindings.n &&
				      (!v->upper || v->upper->lower == v),
			      "golden mem %p: view %p is bound, or an "
			      "overlay's that is not its lower view",
			      m, v);
	} else {
		list_for_each_entry(v, &m->views, node)
			CHECK(!v->upper,
			      "mem %p is not golden but overlay %p "
			      "reads through its view %p",
			      m, v->upper, v);
	}
	if (!m->lower)
		return 0;
	/* (That the image is sealed and the overlay is not is checked
	 * with the golden memory's views and with the overlay's lower.) */
	CHECK(m->lower->upper == m && m->lower->mem->size == m->size &&
		      (m->flags & GMV_GMEM_FLAG_MMAP),
	      "overlay %p: lower view %p is not its own view of a golden "
	      "image of its size, or the overlay is not MMAP",
	      m, m->lower);
	xmap_for_each(&m->chunks, ci, c, 0, XMAP_MAX_INDEX)
		CHECK(!chunk_is_huge(c),
		      "overlay %p: chunk %llu is one 2 MiB block", m,
		      (unsigned long long)ci);
	return 0;
}

static int check_views(const struct gmem_mem *m)
{
	const struct gmem_view *v;
	u32 nviews = 0;

	list_for_each_entry(v, &m->views, node) {
		const struct ranges *b = &v->bindings;

		nviews++;
		CHECK(v->mem == m && list_node_valid(&v->node),
		      "view %p of mem %p is mislinked", v, m);
		/* A rebinding policy's memory has one VM's bindings. */
		CHECK(!(m->flags & GMEM_POLICY_FLAGS) || !b->n ||
			      v->ops->id(v->owner) == m->tenant,
		      "mem %p: view %p is bound but its VM is not the "
		      "tenant",
		      m, v);
		if (ranges_check(b, false, "gmem bindings"))
			return -EIO;
		for (u32 i = 0; i < b->n; i++) {
			const struct gmem_binding *gb = b->v[i].data;

			CHECK(gb->view == v && gb->pgoff == b->v[i].start &&
				      gb->pgoff + gb->npages == b->v[i].end,
			      "view %p: binding %p does not match its range", v,
			      gb);
			CHECK(b->v[i].end <= gmem_npages(m),
			      "view %p: binding %p runs past EOF", v, gb);
		}
	}
	CHECK(nviews == m->nr_views && nviews, "mem %p has %u views, counts %u",
	      m, nviews, m->nr_views);
	return 0;
}

static int check_mem(const struct gmem_mem *m)
{
	const struct gmem_chunk *c;
	u64 ci, idx, pages = 0, chunks = 0, maps = 0;
	void *pins;

	xmap_for_each(&m->chunks, ci, c, 0, XMAP_MAX_INDEX)
	{
		if (check_chunk(m, ci, c))
			return -EIO;
		pages += c->nr_present;
		chunks++;
		maps += c->map != NULL;
	}
	CHECK(pages == m->pages && chunks == m->nr_chunks && maps == m->nr_maps,
	      "mem %p: chunks hold %llu pages in %llu chunks with %llu maps, "
	      "its counters say %llu, %llu, %llu",
	      m, (unsigned long long)pages, (unsigned long long)chunks,
	      (unsigned long long)maps, (unsigned long long)m->pages,
	      (unsigned long long)m->nr_chunks, (unsigned long long)m->nr_maps);
	if (ranges_check(&m->shared, true, "gmem shareability"))
		return -EIO;
	CHECK(!m->shared.n ||
		      m->shared.v[m->shared.n - 1].end <= gmem_npages(m),
	      "mem %p: shared extent past EOF", m);
	xmap_for_each(&m->pins, idx, pins, 0, XMAP_MAX_INDEX)
	{
		c = xmap_load(&m->chunks, idx / CHUNK_PAGES);
		CHECK(c && chunk_has(c, idx % CHUNK_PAGES) &&
			      ranges_test(&m->shared, idx),
		      "mem %p: pinned page %llu is not a backed shared page", m,
		      (unsigned long long)idx);
	}
	return check_views(m) || check_golden(m) ? -EIO : 0;
}

/* Where the model's view (gmem_model_view) binds page idx, or
 * CC_NO_GFN. */
static u64 first_view_gfn(const struct gmem_mem *m, u64 idx)
{
	const struct gmem_view *v = gmem_model_view(m);
	const struct range *r = ranges_lookup(&v->bindings, idx);
	const struct gmem_binding *gb;

	if (!r)
		return CC_NO_GFN;
	gb = r->data;
	return gb->base_gfn + idx - gb->pgoff;
}

/* The model's view of every backed page (cc check_page()); *held counts
 * the pages it holds. */
static int check_model_pages(const struct gmem_mem *m, u64 *held)
{
	const struct gmem_chunk *c;
	void *owner;
	u64 ci;
	int r;

	*held = 0;
	if (!m->cc->check_page)
		return 0;
	owner = gmem_model_view(m)->owner;
	xmap_for_each(&m->chunks, ci, c, 0, XMAP_MAX_INDEX)
	{
		for (unsigned int i = 0; i < CHUNK_PAGES; i++) {
			u64 idx = ci * CHUNK_PAGES + i;

			if (!chunk_has(c, i))
				continue;
			r = m->cc->check_page(owner, first_view_gfn(m, idx),
					      chunk_page(c, i),
					      !ranges_test(&m->shared, idx),
					      chunk_prepared(c, i));
			CHECK(r >= 0,
			      "mem %p page %llu: its security model '%s' "
			      "disagrees",
			      m, (unsigned long long)idx, m->cc->name);
			*held += r;
		}
	}
	return 0;
}

#define CHECK_MODELS 4

int gmem_check_all(void)
{
	const struct cc_ops *models[CHECK_MODELS];
	u64 held[CHECK_MODELS], h;
	unsigned int n = 0, i;
	const struct gmem_mem *m;
	u64 pages = 0;

	list_for_each_entry(m, &gmem_all_mems, node) {
		CHECK(list_node_valid(&m->node), "mem list broken at %p", m);
		if (check_mem(m) || check_model_pages(m, &h))
			return -EIO;
		pages += m->pages;
		for (i = 0; i < n && models[i] != m->cc; i++)
			;
		CHECK(i < CHECK_MODELS, "more than %d security models in use",
		      CHECK_MODELS);
		if (i == n) {
			models[n++] = m->cc;
			held[i] = 0;
		}
		held[i] += h;
	}
	if (cc_check_held(models, held, n))
		return -EIO;
	CHECK(!hv_pool || pages == alloc_owned_pages(hv_pool, OWN_GMEM),
	      "memories hold %llu pages, OWN_GMEM has %llu",
	      (unsigned long long)pages,
	      (unsigned long long)alloc_owned_pages(hv_pool, OWN_GMEM));
	return 0;
}

bool gmem_binding_linked(const struct gmem_binding *b)
{
	const struct range *r = ranges_lookup(&b->view->bindings, b->pgoff);

	return r && r->start == b->pgoff && r->data == b;
}

u64 gmem_backed_pages(const struct gmem_view *v)
{
	return v->mem->pages;
}

u64 gmem_meta_bytes(const struct gmem_view *v)
{
	const struct gmem_mem *m = v->mem;
	const struct gmem_view *w;
	u64 bytes = kmalloc_size(sizeof(*m));

	bytes += xmap_meta_bytes(&m->chunks) + xmap_meta_bytes(&m->pins);
	bytes += m->nr_chunks * kmalloc_size(sizeof(struct gmem_chunk));
	bytes += m->nr_maps * kmalloc_size(CHUNK_PAGES * sizeof(phys_addr_t));
	bytes += ranges_meta_bytes(&m->shared);
	list_for_each_entry(w, &m->views, node)
		bytes += kmalloc_size(sizeof(*w)) +
			 ranges_meta_bytes(&w->bindings);
	return bytes;
}

u64 gmem_nr_mems(void)
{
	const struct list_head *pos;
	u64 n = 0;

	list_for_each(pos, &gmem_all_mems)
		n++;
	return n;
}

u64 gmem_total_pages(void)
{
	const struct gmem_mem *m;
	u64 n = 0;

	list_for_each_entry(m, &gmem_all_mems, node)
		n += m->pages;
	return n;
}
