// SPDX-License-Identifier: MIT
/*
 * hv/base/kmalloc.c - size-class slabs and page blocks over hv_pool (see
 * hv/base/kmalloc.h).
 *
 * A slab is one page: a header, then objects of one size class. Free
 * objects are chained through their first two bytes (the page offset of the
 * next free object, 0 ends the chain). Slabs with both free and used
 * objects sit on their class's partial list; full slabs are on no list and
 * are found again from the object address when something is freed.
 */
#define CHECK_PREFIX "kmalloc_check"

#include "hv/base/kmalloc.h"
#include "hv/alloc.h"
#include "hv/base/check.h"
#include "hv/base/list.h"
#include "lib/console.h"
#include "lib/mem.h"

#define SLAB_MAGIC 0x6b736c62 /* "kslb" */
#define SLAB_HDR 32

static const u16 class_size[] = {16,  32,  64,	96,   128,
				 192, 256, 512, 1024, 2048};
#define NR_CLASSES ARRAY_SIZE(class_size)

struct slab {
	struct list_head node; /* on its class's partial list */
	u32 magic;
	u16 cls;
	u16 inuse;
	u16 nobj;
	u16 free; /* page offset of the first free object, 0 = none */
};

_Static_assert(sizeof(struct slab) <= SLAB_HDR, "slab header too big");

static struct list_head partial[] = {
	LIST_HEAD_INIT(partial[0]), LIST_HEAD_INIT(partial[1]),
	LIST_HEAD_INIT(partial[2]), LIST_HEAD_INIT(partial[3]),
	LIST_HEAD_INIT(partial[4]), LIST_HEAD_INIT(partial[5]),
	LIST_HEAD_INIT(partial[6]), LIST_HEAD_INIT(partial[7]),
	LIST_HEAD_INIT(partial[8]), LIST_HEAD_INIT(partial[9]),
};
_Static_assert(ARRAY_SIZE(partial) == NR_CLASSES, "a partial list per class");
static struct kmalloc_stats stats;
static u64 calls, fail_at;

static int class_of(size_t size)
{
	for (unsigned int c = 0; c < NR_CLASSES; c++)
		if (size <= class_size[c])
			return c;
	return -1;
}

static unsigned int block_order(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

size_t kmalloc_size(size_t size)
{
	int c = class_of(size ? size : 1);

	return c >= 0 ? class_size[c] : PAGE_SIZE << block_order(size);
}

void kmalloc_fail_nth(u64 n)
{
	fail_at = n ? calls + n : 0;
}

static struct slab *new_slab(int c)
{
	struct slab *s = alloc_page(hv_pool, OWN_KMALLOC);
	u16 size = class_size[c];

	if (!s)
		return NULL;
	s->magic = SLAB_MAGIC;
	s->cls = c;
	s->nobj = (PAGE_SIZE - SLAB_HDR) / size;
	/* Chain the objects in address order. */
	for (u16 i = 0; i < s->nobj; i++) {
		u16 off = SLAB_HDR + i * size;
		u16 next = i + 1 < s->nobj ? off + size : 0;

		*(u16 *)((u8 *)s + off) = next;
	}
	s->free = SLAB_HDR;
	stats.pages++;
	list_add(&s->node, &partial[c]);
	return s;
}

void *kmalloc(size_t size)
{
	int c = class_of(size ? size : 1);
	struct slab *s;
	u8 *obj;

	calls++;
	if (unlikely(fail_at && fail_at == calls)) {
		fail_at = 0;
		return NULL;
	}
	if (!hv_pool)
		return NULL;
	if (c < 0) {
		unsigned int order = block_order(size);

		obj = alloc_pages(hv_pool, order, OWN_KMALLOC);
		if (!obj)
			return NULL;
		stats.objects++;
		stats.bytes += PAGE_SIZE << order;
		stats.pages += 1ULL << order;
		return obj;
	}
	if (!list_empty(&partial[c]))
		s = list_first_entry(&partial[c], struct slab, node);
	else if (!(s = new_slab(c)))
		return NULL;
	obj = (u8 *)s + s->free;
	s->free = *(u16 *)obj;
	if (++s->inuse == s->nobj)
		list_del(&s->node);
	memset(obj, 0, class_size[c]);
	stats.objects++;
	stats.bytes += class_size[c];
	return obj;
}

void kfree(void *p, size_t size)
{
	int c = class_of(size ? size : 1);
	struct slab *s;
	uintptr_t off;

	if (!p)
		return;
	if (c < 0) {
		unsigned int order = block_order(size);

		free_pages(hv_pool, p, order, OWN_KMALLOC);
		stats.objects--;
		stats.bytes -= PAGE_SIZE << order;
		stats.pages -= 1ULL << order;
		return;
	}
	s = (struct slab *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE);
	off = (uintptr_t)p - (uintptr_t)s;
	if (s->magic != SLAB_MAGIC || s->cls != c || off < SLAB_HDR ||
	    (off - SLAB_HDR) % class_size[c] ||
	    (off - SLAB_HDR) / class_size[c] >= s->nobj || !s->inuse)
		panic("kfree(%p, %zu): not a live object of that size", p,
		      size);
	for (u16 f = s->free; f; f = *(u16 *)((u8 *)s + f))
		if (f == off)
			panic("kfree(%p, %zu): double free", p, size);
	if (s->inuse == s->nobj)
		list_add(&s->node, &partial[c]);
	*(u16 *)p = s->free;
	s->free = off;
	stats.objects--;
	stats.bytes -= class_size[c];
	if (--s->inuse)
		return;
	list_del(&s->node);
	s->magic = 0;
	free_page(hv_pool, s, OWN_KMALLOC);
	stats.pages--;
}

void kmalloc_get_stats(struct kmalloc_stats *st)
{
	*st = stats;
}

int kmalloc_check(void)
{
	for (unsigned int c = 0; c < NR_CLASSES; c++) {
		const struct slab *s;

		list_for_each_entry(s, &partial[c], node) {
			unsigned int nfree = 0;

			CHECK(s->magic == SLAB_MAGIC && s->cls == c,
			      "slab %p on list %u has magic %x class %u", s, c,
			      s->magic, s->cls);
			CHECK(s->inuse && s->inuse < s->nobj,
			      "slab %p on the partial list holds %u of %u", s,
			      s->inuse, s->nobj);
			CHECK(list_node_valid(&s->node), "slab %p: broken link",
			      s);
			for (u16 f = s->free; f; f = *(u16 *)((u8 *)s + f)) {
				CHECK(f >= SLAB_HDR &&
					      !((f - SLAB_HDR) % class_size[c]),
				      "slab %p: free offset %u", s, f);
				CHECK(++nfree <= s->nobj,
				      "slab %p: free chain loops", s);
			}
			CHECK(nfree == s->nobj - s->inuse,
			      "slab %p: %u free objects, %u expected", s, nfree,
			      s->nobj - s->inuse);
		}
	}
	CHECK(!hv_pool ||
		      stats.pages == alloc_owned_pages(hv_pool, OWN_KMALLOC),
	      "kmalloc holds %llu pages, the pool says %llu",
	      (unsigned long long)stats.pages,
	      (unsigned long long)alloc_owned_pages(hv_pool, OWN_KMALLOC));
	return 0;
}
