/* SPDX-License-Identifier: MIT */
/*
 * hv/base/ranges.h - sorted arrays of disjoint half-open ranges [start, end) of
 * u64, in kmalloc memory. Owns the array, not what entries point to.
 *
 * Two uses share the type:
 *  - a range map: every range carries a pointer (memslots by gfn, gmem
 *    bindings by page offset); ranges never merge;
 *  - a range set: merged ranges meaning "these indices have the property"
 *    (the PRIVATE attribute of gfns, the shared pages of a gmem).
 * Updates take their memory from a reservation made before
 * (ranges_reserve), so a caller can reserve, then change several things
 * without a failure path.
 */
#ifndef GMV_HV_BASE_RANGES_H
#define GMV_HV_BASE_RANGES_H

#include "lib/types.h"

struct range {
	u64 start, end;
	void *data;
};

/* A zeroed struct ranges is empty. */
struct ranges {
	struct range *v;
	u32 n, cap;
};

/* Room for 'extra' more entries: 0 or -ENOMEM (nothing changed). */
int ranges_reserve(struct ranges *r, u32 extra);
void ranges_destroy(struct ranges *r);
/* Index of the first range ending after x (r->n if none). */
u32 ranges_first_after(const struct ranges *r, u64 x);

/* Range map. */
struct range *ranges_lookup(const struct ranges *r, u64 x);
bool ranges_overlap(const struct ranges *r, u64 start, u64 end);
/* Insert a range that overlaps none (needs one reserved entry). */
void ranges_insert(struct ranges *r, u64 start, u64 end, void *data);
/* Remove the range that starts at start (it must exist). */
void ranges_remove(struct ranges *r, u64 start);

/* Range set. Both need one reserved entry. */
void ranges_set(struct ranges *r, u64 start, u64 end);
void ranges_clear(struct ranges *r, u64 start, u64 end);
bool ranges_test(const struct ranges *r, u64 x);
/* How [start, end) (non-empty) lies in the set. */
enum ranges_state { RANGES_NONE, RANGES_ALL, RANGES_MIXED };
enum ranges_state ranges_state(const struct ranges *r, u64 start, u64 end);

u64 ranges_meta_bytes(const struct ranges *r);
/* Sorted, non-empty, disjoint; for a set also merged (no two touching).
 * 0 or -EIO after printing the problem under the given name. */
int ranges_check(const struct ranges *r, bool set, const char *name);

#endif
