// SPDX-License-Identifier: MIT
/*
 * hv/base/xmap.c - the radix tree behind struct xmap (see hv/base/xmap.h).
 *
 * A tree of height h maps indices below 2^(6h). The root covers bits
 * [6(h-1), 6h) of the index, the nodes of level 1 hold the entries. The
 * tree stays in canonical form: no empty node, and no root with only slot
 * 0 used above level 1, so every update prunes the path it touched.
 */
#include "hv/base/xmap.h"
#include "hv/base/kmalloc.h"
#include "lib/errno.h"

#define XBITS 6
#define XSLOTS (1U << XBITS)
#define XMAX_LEVELS 10 /* 60 bits */

struct xnode {
	void *slot[XSLOTS];
};

static u64 capacity(unsigned int height)
{
	return height ? 1ULL << (XBITS * height) : 0;
}

static unsigned int slot_at(u64 index, unsigned int level)
{
	return (index >> (XBITS * (level - 1))) & (XSLOTS - 1);
}

static struct xnode *node_new(struct xmap *m)
{
	struct xnode *n = kmalloc(sizeof(*n));

	if (n)
		m->nodes++;
	return n;
}

static void node_free(struct xmap *m, struct xnode *n)
{
	kfree(n, sizeof(*n));
	m->nodes--;
}

static bool node_empty(const struct xnode *n, bool beyond_slot0)
{
	for (unsigned int i = beyond_slot0; i < XSLOTS; i++)
		if (n->slot[i])
			return false;
	return true;
}

void *xmap_load(const struct xmap *m, u64 index)
{
	void *p = m->root;

	if (index >= capacity(m->height))
		return NULL;
	for (unsigned int level = m->height; level && p; level--)
		p = ((struct xnode *)p)->slot[slot_at(index, level)];
	return p;
}

/* Restore canonical form after the path to index may have lost entries. */
static void prune(struct xmap *m, u64 index)
{
	void **path[XMAX_LEVELS];
	void **slotp = &m->root;
	unsigned int n = 0;

	for (unsigned int level = m->height; level && *slotp; level--) {
		path[n++] = slotp;
		slotp = &((struct xnode *)*slotp)->slot[slot_at(index, level)];
	}
	while (n--) {
		struct xnode *node = *path[n];

		if (!node_empty(node, false))
			break;
		node_free(m, node);
		*path[n] = NULL;
	}
	while (m->root && m->height > 1 && node_empty(m->root, true)) {
		struct xnode *old = m->root;

		m->root = old->slot[0];
		node_free(m, old);
		m->height--;
	}
	if (!m->root)
		m->height = 0;
}

int xmap_store(struct xmap *m, u64 index, void *p)
{
	unsigned int height = m->height;
	void **slotp;

	if (index > XMAP_MAX_INDEX || !p)
		return -EINVAL;
	while (index >= capacity(height))
		height++;
	if (!m->root)
		m->height = height;
	while (m->height < height) {
		struct xnode *n = node_new(m);

		if (!n)
			goto fail;
		n->slot[0] = m->root;
		m->root = n;
		m->height++;
	}
	slotp = &m->root;
	for (unsigned int level = m->height; level; level--) {
		if (!*slotp && !(*slotp = node_new(m)))
			goto fail;
		slotp = &((struct xnode *)*slotp)->slot[slot_at(index, level)];
	}
	*slotp = p;
	return 0;
fail:
	prune(m, index);
	return -ENOMEM;
}

void *xmap_erase(struct xmap *m, u64 index)
{
	void **slotp = &m->root;
	void *old;

	if (index >= capacity(m->height))
		return NULL;
	for (unsigned int level = m->height; level && *slotp; level--)
		slotp = &((struct xnode *)*slotp)->slot[slot_at(index, level)];
	old = *slotp;
	if (old) {
		*slotp = NULL;
		prune(m, index);
	}
	return old;
}

/* *index is inside the node's span [base, base + 64^level) on entry. */
static void *find_in(struct xnode *node, unsigned int level, u64 base,
		     u64 *index, u64 last)
{
	unsigned int shift = XBITS * (level - 1);

	for (unsigned int i = (*index - base) >> shift; i < XSLOTS; i++) {
		u64 start = base + ((u64)i << shift);
		void *p = node->slot[i];

		if (start > last)
			return NULL;
		if (!p)
			continue;
		if (level == 1) {
			*index = start;
			return p;
		}
		if (*index < start)
			*index = start;
		p = find_in(p, level - 1, start, index, last);
		if (p)
			return p;
	}
	return NULL;
}

void *xmap_find(const struct xmap *m, u64 *index, u64 last)
{
	u64 from = *index;
	void *p;

	if (!m->root || from > last || from >= capacity(m->height))
		return NULL;
	p = find_in(m->root, m->height, 0, index, last);
	if (!p)
		*index = from;
	return p;
}

/* *index is inside the node's span [base, base + 64^level) on entry. */
static void *find_last_in(struct xnode *node, unsigned int level, u64 base,
			  u64 *index, u64 first)
{
	unsigned int shift = XBITS * (level - 1);

	for (int i = (*index - base) >> shift; i >= 0; i--) {
		u64 start = base + ((u64)i << shift);
		u64 top = start + ((1ULL << shift) - 1);
		void *p = node->slot[i];

		if (top < first)
			return NULL;
		if (!p)
			continue;
		if (level == 1) {
			*index = start;
			return p;
		}
		if (*index > top)
			*index = top;
		p = find_last_in(p, level - 1, start, index, first);
		if (p)
			return p;
	}
	return NULL;
}

void *xmap_find_last(const struct xmap *m, u64 *index, u64 first)
{
	u64 from = *index;
	void *p;

	if (!m->root || from < first)
		return NULL;
	if (from >= capacity(m->height))
		*index = capacity(m->height) - 1;
	p = find_last_in(m->root, m->height, 0, index, first);
	if (!p)
		*index = from;
	return p;
}

static void destroy_in(struct xmap *m, struct xnode *node, unsigned int level)
{
	if (level > 1)
		for (unsigned int i = 0; i < XSLOTS; i++)
			if (node->slot[i])
				destroy_in(m, node->slot[i], level - 1);
	node_free(m, node);
}

void xmap_destroy(struct xmap *m)
{
	if (m->root)
		destroy_in(m, m->root, m->height);
	m->root = NULL;
	m->height = 0;
}

u64 xmap_meta_bytes(const struct xmap *m)
{
	return m->nodes * kmalloc_size(sizeof(struct xnode));
}
