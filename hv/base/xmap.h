/* SPDX-License-Identifier: MIT */
/*
 * hv/base/xmap.h - a sparse map from an index (below 2^60) to a non-NULL
 * pointer: a radix tree of 64-way nodes taken from kmalloc. Owns its nodes,
 * not the pointers stored in it. The tree is only as tall as the largest
 * index needs, and nodes that become empty are freed at once, so a map
 * costs memory in proportion to the entries it holds.
 */
#ifndef GMV_HV_BASE_XMAP_H
#define GMV_HV_BASE_XMAP_H

#include "lib/types.h"

#define XMAP_MAX_INDEX ((1ULL << 60) - 1)

/* A zeroed struct xmap is an empty map. */
struct xmap {
	void *root;
	unsigned int height; /* levels below root, 0 = empty */
	u64 nodes; /* nodes held */
};

void *xmap_load(const struct xmap *m, u64 index);
/* Store p (not NULL) at index: 0, -EINVAL (index too large) or -ENOMEM;
 * on failure the map is unchanged. */
int xmap_store(struct xmap *m, u64 index, void *p);
/* Remove the entry at index; returns it (NULL if there was none). */
void *xmap_erase(struct xmap *m, u64 index);
/* The first entry with index in [*index, last], its index in *index; NULL
 * if there is none. */
void *xmap_find(const struct xmap *m, u64 *index, u64 last);
/* The last entry with index in [first, *index], its index in *index; NULL
 * if there is none. */
void *xmap_find_last(const struct xmap *m, u64 *index, u64 first);
/* Free every node (entries are the caller's). */
void xmap_destroy(struct xmap *m);
/* Bytes of kmalloc memory the nodes take. */
u64 xmap_meta_bytes(const struct xmap *m);

#define xmap_for_each(m, idx, p, first, last)                             \
	for ((idx) = (first); ((p) = xmap_find(m, &(idx), last)) != NULL; \
	     (idx)++)

#endif
