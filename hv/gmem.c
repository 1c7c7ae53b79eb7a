// SPDX-License-Identifier: MIT
/*
 * hv/gmem.c - gmem memories and views: creation and release, backing pages,
 * fallocate, host access and pins, bindings and the guest's page lookup
 * (see hv/gmem.h). Conversion is in gmem_convert.c, the checker and the
 * metadata count in gmem_check.c.
 */
#include "hv/gmem_int.h"
#include "hv/alloc.h"
#include "hv/arch.h"
#include "hv/base/kmalloc.h"
#include "hv/kvm_abi.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/mem.h"

#define FALLOC_MODE_MASK                                     \
	(GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_COLLAPSE_RANGE | \
	 GMV_FALLOC_ZERO_RANGE | GMV_FALLOC_INSERT_RANGE |   \
	 GMV_FALLOC_UNSHARE_RANGE | GMV_FALLOC_WRITE_ZEROES)
#define S64_MAX ((u64)INT64_MAX)

struct list_head gmem_all_mems = LIST_HEAD_INIT(gmem_all_mems);

/* ------------------------------------------------------------ pages */

static void chunk_free(struct gmem_mem *m, u64 ci, struct gmem_chunk *c)
{
	xmap_erase(&m->chunks, ci);
	if (c->map) {
		kfree(c->map, CHUNK_PAGES * sizeof(*c->map));
		m->nr_maps--;
	}
	kfree(c, sizeof(*c));
	m->nr_chunks--;
}

bool gmem_page_at(const struct gmem_mem *m, u64 index, phys_addr_t *pa)
{
	const struct gmem_chunk *c = xmap_load(&m->chunks, index / CHUNK_PAGES);

	if (!c || !chunk_has(c, index % CHUNK_PAGES))
		return false;
	*pa = chunk_page(c, index % CHUNK_PAGES);
	return true;
}

/*
 * An overlay's new page p at index becomes the VM's own copy of the golden
 * page there (if the golden image has one): the copy, then every VM that
 * maps the overlay drops its translation of the golden page, as a
 * conversion would, so that the next access reaches the copy.
 */
static void copy_up(struct gmem_mem *m, u64 index, phys_addr_t p)
{
	phys_addr_t g;

	if (!gmem_page_at(m->lower->mem, index, &g))
		return;
	memcpy((void *)p, (const void *)g, PAGE_SIZE);
	gmem_invalidate(m, index, index + 1);
}

/*
 * The backing page of page index 'index' (< npages), allocated on first
 * use. A chunk with no backing yet that lies wholly inside the file gets
 * one order-9 block, so the guest can map it with a 2 MiB page; otherwise,
 * or when no such block is free, single pages are used. An overlay takes
 * single pages only (a write copies 4 KiB, not 2 MiB), each a copy of the
 * golden page; a golden image takes none (-EPERM).
 */
static int get_page(struct gmem_mem *m, u64 index, phys_addr_t *pa)
{
	u64 ci = index / CHUNK_PAGES;
	unsigned int i = index % CHUNK_PAGES;
	struct gmem_chunk *c = xmap_load(&m->chunks, ci);
	phys_addr_t p;

	if (c && chunk_has(c, i)) {
		*pa = chunk_page(c, i);
		return 0;
	}
	if (m->sealed)
		return -EPERM;
	if (!c) {
		c = kmalloc(sizeof(*c));
		if (!c)
			return -ENOMEM;
		if (xmap_store(&m->chunks, ci, c)) {
			kfree(c, sizeof(*c));
			return -ENOMEM;
		}
		m->nr_chunks++;
		if (!m->lower && (ci + 1) * CHUNK_PAGES <= gmem_npages(m)) {
			p = (phys_addr_t)alloc_pages(hv_pool, CHUNK_ORDER,
						     OWN_GMEM);
			if (p) {
				c->block = p;
				memset(c->present, 0xff, sizeof(c->present));
				c->nr_present = CHUNK_PAGES;
				m->pages += CHUNK_PAGES;
				*pa = chunk_page(c, i);
				return 0;
			}
		}
	}
	if (!c->map) {
		c->map = kmalloc(CHUNK_PAGES * sizeof(*c->map));
		if (!c->map)
			goto fail;
		m->nr_maps++;
	}
	p = (phys_addr_t)alloc_page(hv_pool, OWN_GMEM);
	if (!p)
		goto fail;
	if (m->lower)
		copy_up(m, index, p);
	c->map[i] = p;
	c->present[i / 64] |= BIT(i % 64);
	c->nr_present++;
	m->pages++;
	*pa = p;
	return 0;
fail:
	if (!c->nr_present)
		chunk_free(m, ci, c);
	return -ENOMEM;
}

void chunk_unprepare(struct gmem_chunk *c, unsigned int first,
		     unsigned int last)
{
	for (unsigned int i = first; i <= last; i++)
		c->prepared[i / 64] &= ~BIT(i % 64);
}

/* The one way backing pages leave gmem: the security model lets go of them
 * (cc invalidate()), then the allocator scrubs and takes them. */
static void give_back(struct gmem_mem *m, phys_addr_t pa, unsigned int order)
{
	/* Pages the model could not take back are still the guest's: no
	 * scrub may write them and no one may get them again. */
	if (m->cc->invalidate && m->cc->invalidate(pa, order)) {
		kprintf("# gmem: %llu pages at %p leaked: the security model "
			"could not take them back\n",
			1ULL << order, (void *)pa);
		alloc_set_owner(hv_pool, (void *)pa, order, OWN_GMEM,
				OWN_LEAKED);
		return;
	}
	free_pages(hv_pool, (void *)pa, order, OWN_GMEM);
}

/* Give back the backed pages of chunk ci within [first, last] (chunk page
 * numbers); the chunk goes when it has none left. Fails, with nothing
 * changed, only when the security model cannot split the 2 MiB block. */
static int chunk_punch(struct gmem_mem *m, u64 ci, struct gmem_chunk *c,
		       unsigned int first, unsigned int last)
{
	int r;

	if (chunk_is_huge(c) && first == 0 && last == CHUNK_PAGES - 1) {
		give_back(m, c->block, CHUNK_ORDER);
		m->pages -= CHUNK_PAGES;
		chunk_free(m, ci, c);
		return 0;
	}
	if (chunk_is_huge(c)) {
		r = m->cc->split ? m->cc->split(c->block) : 0;
		if (r)
			return r;
		alloc_split(hv_pool, (void *)c->block, CHUNK_ORDER, 0,
			    OWN_GMEM);
		c->split = true;
	}
	chunk_unprepare(c, first, last);
	for (unsigned int i = first; i <= last; i++) {
		if (!chunk_has(c, i))
			continue;
		give_back(m, chunk_page(c, i), 0);
		if (c->map)
			c->map[i] = 0;
		c->present[i / 64] &= ~BIT(i % 64);
		c->nr_present--;
		m->pages--;
	}
	if (!c->nr_present)
		chunk_free(m, ci, c);
	return 0;
}

/* Free the pages [start, end) (any range, also past EOF), in index order,
 * and their pins; stops at a chunk_punch() failure with its error, the
 * pages and pins from that chunk on untouched. */
static int punch_pages(struct gmem_mem *m, u64 start, u64 end)
{
	struct gmem_chunk *c;
	u64 ci, idx;
	void *pin;
	int r = 0;

	xmap_for_each(&m->chunks, ci, c, start / CHUNK_PAGES,
		      (end - 1) / CHUNK_PAGES) {
		u64 base = ci * CHUNK_PAGES;
		unsigned int first = start > base ? start - base : 0;
		unsigned int last = end - base > CHUNK_PAGES ? CHUNK_PAGES - 1
							     : end - base - 1;

		r = chunk_punch(m, ci, c, first, last);
		if (r) {
			end = MAX(start, base);
			break;
		}
	}
	if (end > start)
		xmap_for_each(&m->pins, idx, pin, start, end - 1)
			xmap_erase(&m->pins, idx);
	return r;
}

/* ----------------------------------------------------- invalidation */

/*
 * Which of a VM's translations can point into m (kvm_gmem_get_invalidate
 * _filter, virt/kvm/guest_memfd.c): an INIT_SHARED memory only ever backs
 * shared accesses; one the host can map (MMAP) backs both kinds through
 * gmem-only slots (in-place conversion); any other only private ones.
 */
static unsigned int zap_filter(const struct gmem_mem *m)
{
	if (m->flags & GMV_GMEM_FLAG_INIT_SHARED)
		return ARCH_ZAP_SHARED;
	if (m->flags & GMV_GMEM_FLAG_MMAP)
		return ARCH_ZAP_ALL;
	return ARCH_ZAP_PRIVATE;
}

void gmem_invalidate(struct gmem_mem *m, u64 start, u64 end)
{
	struct gmem_view *v;

	list_for_each_entry(v, &m->views, node) {
		struct ranges *b = &v->bindings;
		bool zapped = false;

		for (u32 i = ranges_first_after(b, start);
		     i < b->n && b->v[i].start < end; i++) {
			const struct gmem_binding *gb = b->v[i].data;
			u64 s = MAX(start, gb->pgoff);
			u64 e = MIN(end, gb->pgoff + gb->npages);

			v->ops->zap(v->owner, gb->base_gfn + s - gb->pgoff,
				    gb->base_gfn + e - gb->pgoff,
				    zap_filter(m));
			zapped = true;
		}
		if (zapped)
			v->ops->flush(v->owner);
	}
}

/* A rebinding policy's zeroing: [start, end) invalidated and punched, so
 * the next use gets scrubbed pages and the model's per-VM state is gone.
 * Only a 2 MiB block the model cannot split stops it (said, not hidden). */
static void zero_pages(struct gmem_mem *m, u64 start, u64 end)
{
	int r;

	gmem_invalidate(m, start, end);
	r = punch_pages(m, start, end);
	if (r)
		kprintf("# gmem: rebinding policy could not zero all of pages "
			"[%llu, %llu) of mem %p: error %d\n",
			(unsigned long long)start, (unsigned long long)end,
			(void *)m, r);
}

static u64 view_id(const struct gmem_view *v)
{
	return v->ops->id(v->owner);
}

/* Does a VM other than 'id' hold a binding on m? */
static bool bound_by_other(const struct gmem_mem *m, u64 id)
{
	const struct gmem_view *w;

	list_for_each_entry(w, &m->views, node)
		if (w->bindings.n && view_id(w) != id)
			return true;
	return false;
}

const struct gmem_view *gmem_model_view(const struct gmem_mem *m)
{
	const struct gmem_view *w;

	if (m->tenant)
		list_for_each_entry(w, &m->views, node)
			if (view_id(w) == m->tenant)
				return w;
	return list_first_entry(&m->views, struct gmem_view, node);
}

/* ------------------------------------------------- memories, views */

static int view_new(struct gmem_mem *m, void *owner,
		    const struct gmem_owner_ops *ops, struct gmem_view **out)
{
	struct gmem_view *v = kmalloc(sizeof(*v));

	if (!v)
		return -ENOMEM;
	v->mem = m;
	v->owner = owner;
	v->ops = ops;
	v->upper = NULL;
	list_add(&v->node, &m->views);
	m->nr_views++;
	*out = v;
	return 0;
}

static void mem_free(struct gmem_mem *m)
{
	/* Whole chunks only (a chunk crossing EOF is never one block), so
	 * nothing is split and this cannot fail. */
	punch_pages(m, 0, gmem_npages(m));
	xmap_destroy(&m->chunks);
	xmap_destroy(&m->pins);
	ranges_destroy(&m->shared);
	list_del(&m->node);
	/* An overlay lets go of its golden image: the golden memory goes
	 * with the last overlay or view on it. */
	if (m->lower)
		gmem_view_release(m->lower);
	kfree(m, sizeof(*m));
}

int gmem_create(u64 size, u64 flags, u64 supported, const struct cc_ops *cc,
		void *owner, const struct gmem_owner_ops *ops,
		struct gmem_view **out)
{
	struct gmem_mem *m;
	int r;

	/* kvm_gmem_create (virt/kvm/guest_memfd.c), G11/G12: flags first,
	 * then the size as a loff_t. */
	if (flags & ~supported)
		return -EINVAL;
	/* One rebinding policy at most. */
	if ((flags & GMEM_POLICY_FLAGS) == GMEM_POLICY_FLAGS)
		return -EINVAL;
	if (!size || (s64)size < 0 || !IS_ALIGNED(size, PAGE_SIZE))
		return -EINVAL;
	m = kmalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->size = size;
	m->flags = flags;
	m->cc = cc;
	list_init(&m->views);
	if (flags & GMV_GMEM_FLAG_INIT_SHARED) {
		r = ranges_reserve(&m->shared, 1);
		if (r) {
			kfree(m, sizeof(*m));
			return r;
		}
		ranges_set(&m->shared, 0, gmem_npages(m));
	}
	r = view_new(m, owner, ops, out);
	if (r) {
		ranges_destroy(&m->shared);
		kfree(m, sizeof(*m));
		return r;
	}
	list_add(&m->node, &gmem_all_mems);
	return 0;
}

int gmem_view_create(struct gmem_view *of, void *owner,
		     const struct gmem_owner_ops *ops, struct gmem_view **out)
{
	return view_new(of->mem, owner, ops, out);
}

/* Is v the last view of its memory owned by its VM? */
static bool last_view_of_vm(const struct gmem_view *v)
{
	const struct gmem_view *w;

	list_for_each_entry(w, &v->mem->views, node)
		if (w != v && view_id(w) == view_id(v))
			return false;
	return true;
}

/* The rebinding policy's part of a view's release, its bindings detached
 * (the memory survives it: another view is left). */
static void release_policy(struct gmem_view *v)
{
	struct gmem_mem *m = v->mem;
	struct ranges *b = &v->bindings;

	if (m->flags & VMM_GMEM_FLAG_ZERO_ON_UNBIND)
		for (u32 i = 0; i < b->n; i++)
			zero_pages(m, b->v[i].start, b->v[i].end);
	if ((m->flags & VMM_GMEM_FLAG_ZERO_ON_REBIND) &&
	    m->tenant == view_id(v) && last_view_of_vm(v)) {
		zero_pages(m, 0, gmem_npages(m));
		m->tenant = 0;
	}
}

void gmem_view_release(struct gmem_view *v)
{
	struct gmem_mem *m = v->mem;
	struct ranges *b = &v->bindings;

	/* kvm_gmem_release (virt/kvm/guest_memfd.c): detach and zap every
	 * binding; the memory stays with the other views. */
	for (u32 i = 0; i < b->n; i++) {
		struct gmem_binding *gb = b->v[i].data;

		v->ops->zap(v->owner, gb->base_gfn, gb->base_gfn + gb->npages,
			    zap_filter(m));
		gb->view = NULL;
	}
	if (b->n)
		v->ops->flush(v->owner);
	if (m->nr_views > 1)
		release_policy(v);
	ranges_destroy(b);
	list_del(&v->node);
	/* The memory goes before the view's reference on its VM: the
	 * security model's invalidate may need what lives as long as the VM
	 * does (SNP's RMP, kept while an SNP VM exists). */
	if (!--m->nr_views)
		mem_free(m);
	v->ops->release(v->owner);
	kfree(v, sizeof(*v));
}

const struct cc_ops *gmem_view_cc(const struct gmem_view *view)
{
	return view->mem->cc;
}

void *gmem_view_owner(const struct gmem_view *v)
{
	return v->owner;
}

u64 gmem_view_size(const struct gmem_view *v)
{
	return v->mem->size;
}

u64 gmem_view_flags(const struct gmem_view *v)
{
	return v->mem->flags;
}

bool gmem_same_memory(const struct gmem_view *a, const struct gmem_view *b)
{
	return a->mem == b->mem;
}

/* ------------------------------------------------------ golden images */

int gmem_seal(struct gmem_view *v)
{
	struct gmem_mem *m = v->mem;
	const struct gmem_view *w;

	/* Shared pages only: a private one would carry the model's state
	 * of one VM, and the model's one_vm memory can be no one else's.
	 * (Sealing twice passes every check again.) */
	if (m->lower || m->cc->one_vm ||
	    ranges_state(&m->shared, 0, gmem_npages(m)) != RANGES_ALL)
		return -EINVAL;
	list_for_each_entry(w, &m->views, node)
		if (w->bindings.n)
			return -EBUSY;
	if (xmap_find(&m->pins, &(u64){0}, XMAP_MAX_INDEX))
		return -EBUSY;
	m->sealed = true;
	return 0;
}

bool gmem_view_sealed(const struct gmem_view *v)
{
	return v->mem->sealed;
}

bool gmem_view_is_overlay(const struct gmem_view *v)
{
	return v->mem->lower;
}

int gmem_overlay(struct gmem_view *overlay, struct gmem_view *golden,
		 void *owner, const struct gmem_owner_ops *ops)
{
	struct gmem_mem *m = overlay->mem, *g = golden->mem;
	const struct gmem_view *w;
	struct gmem_view *lower;
	int r;

	if (!g->sealed || m->sealed || m->lower || m->size != g->size ||
	    !(m->flags & GMV_GMEM_FLAG_MMAP))
		return -EINVAL;
	if (m->pages)
		return -EBUSY;
	list_for_each_entry(w, &m->views, node)
		if (w->bindings.n)
			return -EBUSY;
	r = view_new(g, owner, ops, &lower);
	if (r)
		return r;
	lower->upper = m;
	m->lower = lower;
	return 0;
}

/* ---------------------------------------------------------- fallocate */

int gmem_vfs_fallocate_mode(int mode, s64 offset, s64 len)
{
	if (offset < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~(FALLOC_MODE_MASK | GMV_FALLOC_KEEP_SIZE))
		return -EOPNOTSUPP;
	/* The modes exclude each other; plain allocation is no bit. */
	switch (mode & FALLOC_MODE_MASK) {
	case 0:
	case GMV_FALLOC_UNSHARE_RANGE:
	case GMV_FALLOC_ZERO_RANGE:
		break;
	case GMV_FALLOC_PUNCH_HOLE:
		if (!(mode & GMV_FALLOC_KEEP_SIZE))
			return -EOPNOTSUPP;
		break;
	case GMV_FALLOC_COLLAPSE_RANGE:
	case GMV_FALLOC_INSERT_RANGE:
	case GMV_FALLOC_WRITE_ZEROES:
		if (mode & GMV_FALLOC_KEEP_SIZE)
			return -EOPNOTSUPP;
		break;
	default:
		return -EOPNOTSUPP;
	}
	return 0;
}

static int allocate(struct gmem_mem *m, u64 start, u64 end)
{
	for (u64 idx = start; idx < end;) {
		struct gmem_chunk *c = xmap_load(&m->chunks, idx / CHUNK_PAGES);
		phys_addr_t pa;
		int r;

		if (c && chunk_is_huge(c)) {
			idx = ALIGN_DOWN(idx, CHUNK_PAGES) + CHUNK_PAGES;
			continue;
		}
		r = get_page(m, idx, &pa);
		if (r)
			return r;
		idx++;
	}
	return 0;
}

int gmem_fallocate(struct gmem_view *v, int mode, s64 offset, s64 len)
{
	struct gmem_mem *m = v->mem;
	u64 start = (u64)offset >> PAGE_SHIFT;
	u64 end = ((u64)offset + (u64)len) >> PAGE_SHIFT;

	/* The VFS: s_maxbytes of the anon-inode fs is 2^63 - 1. */
	if ((u64)offset + (u64)len > S64_MAX)
		return -EFBIG;
	/* kvm_gmem_fallocate (virt/kvm/guest_memfd.c). */
	if (!(mode & GMV_FALLOC_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (mode & ~(GMV_FALLOC_KEEP_SIZE | GMV_FALLOC_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if (!IS_ALIGNED(offset, PAGE_SIZE) || !IS_ALIGNED(len, PAGE_SIZE))
		return -EINVAL;
	if (m->sealed)
		return -EPERM;
	if (mode & GMV_FALLOC_PUNCH_HOLE) {
		/* Invalidate, free, and the next use gets a zero page. */
		gmem_invalidate(m, start, end);
		return punch_pages(m, start, end);
	}
	if ((u64)offset + (u64)len > m->size)
		return -EINVAL;
	return allocate(m, start, end);
}

/* ------------------------------------------------------- host access */

/* May a host mapping reach page 'index'? Past EOF or private: SIGBUS. */
static bool host_may_touch(const struct gmem_mem *m, u64 index)
{
	return index < gmem_npages(m) && ranges_test(&m->shared, index);
}

/*
 * The host-side view of page 'index' as a mapping fault sees it. A read
 * takes what is there without allocating in a golden image (a hole reads
 * as zeros: *pa 0) or through an overlay (its golden page where it has no
 * page of its own); a write to an overlay copies the golden page up.
 */
static int host_page(struct gmem_mem *m, u64 index, bool write, phys_addr_t *pa)
{
	if (!host_may_touch(m, index))
		return -EFAULT;
	if (!write && !gmem_page_at(m, index, pa)) {
		if (m->lower && gmem_page_at(m->lower->mem, index, pa))
			return 0;
		if (m->sealed) {
			*pa = 0;
			return 0;
		}
	}
	return get_page(m, index, pa);
}

int gmem_host_access(struct gmem_view *v, u64 offset, void *buf, size_t len,
		     bool write)
{
	struct gmem_mem *m = v->mem;
	u8 *p = buf;

	if (!(m->flags & GMV_GMEM_FLAG_MMAP))
		return -ENODEV;
	/* A golden image's mapping is read-only: a write is refused before
	 * any byte moves (EPERM, as writing a memfd sealed with F_SEAL_WRITE
	 * is). */
	if (write && m->sealed)
		return -EPERM;
	while (len) {
		u64 in_page = offset & (PAGE_SIZE - 1);
		size_t n = MIN(len, PAGE_SIZE - in_page);
		phys_addr_t pa;
		int r = host_page(m, offset >> PAGE_SHIFT, write, &pa);

		if (r)
			return r;
		if (write)
			memcpy((void *)(pa + in_page), p, n);
		else if (pa)
			memcpy(p, (void *)(pa + in_page), n);
		else
			memset(p, 0, n);
		p += n;
		len -= n;
		offset += n;
	}
	return 0;
}

/* Drop one of the pins of page 'index', which holds 'pins' (> 0). Storing
 * over an existing entry allocates nothing, so this cannot fail. */
static void pin_drop(struct gmem_mem *m, u64 index, uintptr_t pins)
{
	if (pins == 1)
		xmap_erase(&m->pins, index);
	else
		xmap_store(&m->pins, index, (void *)(pins - 1));
}

int gmem_pin(struct gmem_view *v, u64 offset)
{
	struct gmem_mem *m = v->mem;
	u64 index = offset >> PAGE_SHIFT;
	uintptr_t pins;
	phys_addr_t pa;
	int r;

	if (!(m->flags & GMV_GMEM_FLAG_MMAP))
		return -ENODEV;
	if (!host_may_touch(m, index))
		return -EFAULT;
	/* A pin may be for a device's writes: none on a golden image. */
	if (m->sealed)
		return -EPERM;
	/* Count the pin before the page is backed: a failed count then has
	 * allocated nothing, and a page that cannot be had takes the count
	 * back, so a failed pin leaves the memory as it was. */
	pins = (uintptr_t)xmap_load(&m->pins, index) + 1;
	r = xmap_store(&m->pins, index, (void *)pins);
	if (r)
		return r;
	r = get_page(m, index, &pa);
	if (r)
		pin_drop(m, index, pins);
	return r;
}

int gmem_unpin(struct gmem_view *v, u64 offset)
{
	struct gmem_mem *m = v->mem;
	u64 index = offset >> PAGE_SHIFT;
	uintptr_t pins = (uintptr_t)xmap_load(&m->pins, index);

	if (!pins)
		return -EINVAL;
	pin_drop(m, index, pins);
	return 0;
}

bool gmem_is_shared(const struct gmem_view *v, u64 offset)
{
	return ranges_test(&v->mem->shared, offset >> PAGE_SHIFT);
}

/* ----------------------------------------------------------- bindings */

int gmem_bind(struct gmem_view *v, struct gmem_binding *b, u64 offset,
	      u64 npages, u64 base_gfn)
{
	u64 pgoff = offset >> PAGE_SHIFT;
	int r;

	/* kvm_gmem_bind: the caller checked that offset + size does not
	 * wrap; here offset is a loff_t and must stay inside the file. The
	 * end is summed as u64: Linux's loff_t sum wraps past 2^63 and lets
	 * such a range through (README, deliberate differences). */
	if ((s64)offset < 0 || !IS_ALIGNED(offset, PAGE_SIZE) ||
	    offset + (npages << PAGE_SHIFT) > v->mem->size)
		return -EINVAL;
	/* EEXIST since Linux 7.2 (merge 06ba195f136a, "KVM guest_memfd
	 * changes for 7.2"), EINVAL before: native follows the newest. */
	if (ranges_overlap(&v->bindings, pgoff, pgoff + npages))
		return -EEXIST;
	/* A golden image is reached through overlays only. */
	if (v->mem->sealed)
		return -EPERM;
	/* A rebinding policy hands the memory from VM to VM, one at a
	 * time. */
	if ((v->mem->flags & GMEM_POLICY_FLAGS) &&
	    bound_by_other(v->mem, view_id(v)))
		return -EBUSY;
	r = ranges_reserve(&v->bindings, 1);
	if (r)
		return r;
	if (v->mem->flags & GMEM_POLICY_FLAGS) {
		if ((v->mem->flags & VMM_GMEM_FLAG_ZERO_ON_REBIND) &&
		    v->mem->tenant && v->mem->tenant != view_id(v))
			zero_pages(v->mem, 0, gmem_npages(v->mem));
		v->mem->tenant = view_id(v);
	}
	b->view = v;
	b->pgoff = pgoff;
	b->npages = npages;
	b->base_gfn = base_gfn;
	ranges_insert(&v->bindings, pgoff, pgoff + npages, b);
	return 0;
}

/* The prepared pages of chunk c (number ci) within [start, end) that
 * binding b maps leave its VM's model (cc unmap), whole 2 MiB blocks in
 * one call, and are unprepared. */
static void unmap_chunk(struct gmem_binding *b, u64 ci, struct gmem_chunk *c,
			u64 start, u64 end)
{
	const struct cc_ops *cc = b->view->mem->cc;
	u64 base = ci * CHUNK_PAGES;
	unsigned int first = start > base ? start - base : 0;
	unsigned int last = MIN(end - base, CHUNK_PAGES) - 1;
	void *vm = b->view->owner;
	unsigned int i, n = 0;

	for (i = first; i <= last; i++)
		n += chunk_has(c, i) && chunk_prepared(c, i);
	if (!n)
		return;
	if (chunk_is_huge(c) && n == CHUNK_PAGES) {
		if (cc->unmap(vm, b->base_gfn + base - b->pgoff, c->block,
			      CHUNK_ORDER))
			kprintf("# gmem: %s kept pages at %p\n", cc->name,
				(void *)c->block);
	} else {
		for (i = first; i <= last; i++)
			if (chunk_has(c, i) && chunk_prepared(c, i) &&
			    cc->unmap(vm, b->base_gfn + base + i - b->pgoff,
				      chunk_page(c, i), 0))
				kprintf("# gmem: %s kept the page at %p\n",
					cc->name, (void *)chunk_page(c, i));
	}
	chunk_unprepare(c, first, last);
}

void gmem_unbind(struct gmem_binding *b)
{
	struct gmem_mem *m;
	struct gmem_chunk *c;
	u64 ci, end;

	if (!b->view)
		return;
	m = b->view->mem;
	end = b->pgoff + b->npages;
	if (m->cc->unmap && b->npages)
		xmap_for_each(&m->chunks, ci, c, b->pgoff / CHUNK_PAGES,
			      (end - 1) / CHUNK_PAGES)
			unmap_chunk(b, ci, c, b->pgoff, end);
	ranges_remove(&b->view->bindings, b->pgoff);
	b->view = NULL;
	if (m->flags & VMM_GMEM_FLAG_ZERO_ON_UNBIND)
		zero_pages(m, b->pgoff, end);
}

/*
 * Prepare the 2^order block around page 'index' (at pa) for private use:
 * one prepare() over the block when none of it is prepared yet, else one
 * per page still unprepared, in index order (a block is prepared as a
 * whole only once, like a folio in Linux's kvm_gmem_prepare_folio).
 */
static int prepare_private(struct gmem_view *v, u64 index, u64 gfn,
			   phys_addr_t pa, unsigned int order)
{
	struct gmem_mem *m = v->mem;
	u64 n = 1ULL << order, first = ALIGN_DOWN(index, n);
	struct gmem_chunk *c = xmap_load(&m->chunks, index / CHUNK_PAGES);
	unsigned int i0 = first % CHUNK_PAGES, ready = 0;
	int r;

	for (unsigned int i = i0; i < i0 + n; i++)
		ready += chunk_prepared(c, i);
	if (ready == n)
		return 0;
	if (!ready) {
		r = m->cc->prepare(v->owner, gfn - (index - first),
				   pa - (index - first) * PAGE_SIZE, order);
		if (r)
			return r;
	} else {
		for (unsigned int i = i0; i < i0 + n; i++) {
			if (chunk_prepared(c, i))
				continue;
			r = m->cc->prepare(v->owner,
					   gfn - index + first + i - i0,
					   chunk_page(c, i), 0);
			if (r)
				return r;
			c->prepared[i / 64] |= BIT(i % 64);
		}
	}
	for (unsigned int i = i0; i < i0 + n; i++)
		c->prepared[i / 64] |= BIT(i % 64);
	return 0;
}

/*
 * A shared read through an overlay of a page it lacks and the golden
 * image has (gmem_get_pfn): the golden page, read-only; 2 MiB where the
 * golden chunk is one block and the overlay has no page in it (whether
 * the slot maps the whole chunk at a 2 MiB aligned gfn is vm_fault()'s
 * huge_ok(): no model prepares a golden page, so nothing else here
 * depends on it).
 */
static void golden_pfn(const struct gmem_binding *b, u64 index, u64 gfn,
		       unsigned int flags, struct gmem_pfn *out)
{
	struct gmem_mem *m = b->view->mem;
	const struct gmem_chunk *g =
		xmap_load(&m->lower->mem->chunks, index / CHUNK_PAGES);
	u64 first = ALIGN_DOWN(index, CHUNK_PAGES);

	out->readonly = true;
	out->max_order = 0;
	if (chunk_is_huge(g) && !xmap_load(&m->chunks, index / CHUNK_PAGES) &&
	    (!(flags & GMEM_FAULT_CHECK_SHARE) ||
	     ranges_state(&m->shared, first, first + CHUNK_PAGES) ==
		     RANGES_ALL))
		out->max_order = CHUNK_ORDER;
	if (m->cc->max_order)
		out->max_order =
			MIN(out->max_order,
			    m->cc->max_order(b->view->owner, gfn, out->pa));
}

int gmem_get_pfn(const struct gmem_binding *b, u64 gfn, unsigned int flags,
		 struct gmem_pfn *out)
{
	struct gmem_mem *m;
	struct gmem_chunk *c;
	u64 index, first;
	unsigned int order = 0;
	phys_addr_t pa;
	int r;

	if (!b->view)
		return -EFAULT;
	m = b->view->mem;
	index = gfn - b->base_gfn + b->pgoff;
	if ((flags & GMEM_FAULT_CHECK_SHARE) &&
	    ranges_test(&m->shared, index) == !!(flags & GMEM_FAULT_PRIVATE))
		return -EFAULT;
	out->readonly = false;
	/* Only a shared read may see the golden page itself. */
	if (m->lower &&
	    !(flags &
	      (GMEM_FAULT_PRIVATE | GMEM_FAULT_WRITE | GMEM_FAULT_POPULATE)) &&
	    !gmem_page_at(m, index, &pa) &&
	    gmem_page_at(m->lower->mem, index, &out->pa)) {
		golden_pfn(b, index, gfn, flags, out);
		return 0;
	}
	r = get_page(m, index, &pa);
	if (r)
		return r;
	out->pa = pa;
	c = xmap_load(&m->chunks, index / CHUNK_PAGES);
	first = ALIGN_DOWN(index, CHUNK_PAGES);
	/* 2 MiB only where this binding maps the whole block at a 2 MiB
	 * aligned gfn: what the model prepares is what the VM can map there
	 * (Linux's kvm_gmem_prepare_folio wants the same alignment). */
	if (chunk_is_huge(c) && first >= b->pgoff &&
	    first + CHUNK_PAGES <= b->pgoff + b->npages &&
	    (b->pgoff - b->base_gfn) % CHUNK_PAGES == 0 &&
	    (!(flags & GMEM_FAULT_CHECK_SHARE) ||
	     ranges_state(&m->shared, first, first + CHUNK_PAGES) !=
		     RANGES_MIXED))
		order = CHUNK_ORDER;
	if (m->cc->max_order)
		order = MIN(order, m->cc->max_order(b->view->owner, gfn, pa));
	if (flags & GMEM_FAULT_POPULATE) {
		if (chunk_prepared(c, index % CHUNK_PAGES))
			return -EEXIST;
	} else if ((flags & GMEM_FAULT_PRIVATE) && m->cc->prepare) {
		r = prepare_private(b->view, index, gfn, pa, order);
		if (r)
			return r;
	}
	out->max_order = order;
	return 0;
}

bool gmem_binding_page(const struct gmem_binding *b, u64 gfn, phys_addr_t *pa,
		       bool *golden)
{
	const struct gmem_mem *m = b->view->mem;
	u64 index = gfn - b->base_gfn + b->pgoff;

	*golden = false;
	if (gmem_page_at(m, index, pa))
		return true;
	*golden = gmem_page_at(m->lower->mem, index, pa);
	return *golden;
}
