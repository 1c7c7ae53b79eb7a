// SPDX-License-Identifier: MIT
/*
 * bench/linux/ops.c - the gmem operation rows, each on both sides: create,
 * fallocate and punch, the alloc+punch cycle, host touches, memslot bind
 * and delete, attribute changes and in-place conversion.
 *
 * Where each side zeroes (this is most of the cost difference):
 *  - native scrubs pages when they are freed (punch, close) and clears
 *    memory never handed out since boot on first allocation (hv/alloc.c);
 *    fallocate of recycled memory clears nothing;
 *  - Linux clears a page when the page allocator hands it out, as Debian
 *    builds with CONFIG_INIT_ON_ALLOC_DEFAULT_ON (mm/page_alloc.c
 *    want_init_on_alloc()), so at fallocate or at the first fault; a
 *    folio not yet up to date is cleared again at its first host fault or
 *    guest mapping (virt/kvm/guest_memfd.c); punch frees without clearing.
 */
#include <errno.h>
#include <string.h>

#include "bench/linux/bench.h"

#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)
#define ALLOC GMV_FALLOC_KEEP_SIZE

/* Repetitions of a row over range bytes: enough to time, within ~64 MiB
 * of work per round. */
static unsigned int reps_for(u64 range)
{
	u64 n = (64 * MIB) / range;

	return bench_reps(n < 1 ? 1 : n > 256 ? 256 : (unsigned int)n);
}

/* The first pass warms up (caches, the allocator's free lists) and is
 * not counted; a range of 256 MiB or more is its own warm-up. */
static unsigned int first_pass(u64 range)
{
	return range >= 256 * MIB;
}

static int fill(struct side *s, int g, u64 range, int mode)
{
	return s->v->ops->fallocate(s->v, g, mode, 0, range);
}

/* fallocate (arg2 0) or punch (arg2 1) in calls of r->arg bytes over the
 * row's range, one timed call at a time. */
static int falloc_row(struct side *s, const struct row *r, double *units,
		      const char **why)
{
	u64 range = row_range(s, r), call = MIN(r->arg, range);
	unsigned int reps = reps_for(range);
	bool punch = r->arg2;
	int g = bench_gmem(s, range, false), ret = 0;

	if (g < 0)
		return g;
	for (unsigned int i = first_pass(range); i <= reps && !ret; i++) {
		if (punch)
			ret = fill(s, g, range, ALLOC);
		for (u64 off = 0; off < range && !ret; off += call) {
			t_start(i); /* the first pass warms up */
			ret = s->v->ops->fallocate(s->v, g,
						   punch ? PUNCH : ALLOC, off,
						   call);
			t_stop(true);
		}
		if (!punch && !ret)
			ret = fill(s, g, range, PUNCH);
	}
	s->v->ops->close(s->v, g);
	*units = (double)reps * (range / r->unit_bytes);
	return ret;
}

/* One host store of a byte at off (Linux: through the mapping). */
static int touch(struct side *s, int g, u8 *map, u64 off)
{
	u8 b = 1;

	if (map) {
		*(volatile u8 *)(map + off) = b;
		return 0;
	}
	return s->v->ops->host_write(s->v, g, off, &b, 1);
}

/* fallocate + a host store in every page + punch, in units of r->arg. */
static int cycle_row(struct side *s, const struct row *r, double *units,
		     const char **why)
{
	u64 range = row_range(s, r), unit = r->arg;
	unsigned int reps = reps_for(range);
	int g = bench_gmem(s, range, false), ret = 0;
	u8 *map = NULL;

	if (g < 0)
		return g;
	if (s->is_linux && !(map = bench_linux_map(g, range)))
		ret = -errno;
	for (unsigned int i = first_pass(range); i <= reps && !ret; i++) {
		t_start(i);
		for (u64 off = 0; off < range && !ret; off += unit) {
			ret = s->v->ops->fallocate(s->v, g, ALLOC, off, unit);
			for (u64 p = 0; p < unit && !ret; p += 4 * KIB)
				ret = touch(s, g, map, off + p);
			ret = ret ? ret :
				    s->v->ops->fallocate(s->v, g, PUNCH, off,
							 unit);
		}
		t_stop(false);
	}
	s->v->ops->close(s->v, g); /* the backend unmaps */
	*units = (double)reps * (range / r->unit_bytes);
	return ret;
}

/* arg2 0: the first host store to each page of a punched range (Linux: a
 * fault through the mapping that allocates, clears and maps; native:
 * gmem_host_access(), which allocates). arg2 1/2: repeated 4 KiB reads /
 * writes of pages already there (Linux: memcpy on the mapping; native:
 * the host-access call). */
static int host_row(struct side *s, const struct row *r, double *units,
		    const char **why)
{
	u64 range = row_range(s, r);
	unsigned int reps = bench_reps(r->arg2 ? 16 : 8);
	int g = bench_gmem(s, range, false), ret = 0;
	u8 *map = NULL;

	if (g < 0)
		return g;
	if (s->is_linux && !(map = bench_linux_map(g, range)))
		ret = -errno;
	if (!ret && r->arg2)
		for (u64 off = 0; off < range && !ret; off += 4 * KIB)
			ret = touch(s, g, map, off);
	for (unsigned int i = 0; i <= reps && !ret; i++) {
		if (!r->arg2)
			ret = fill(s, g, range, PUNCH);
		t_start(i);
		for (u64 off = 0; off < range && !ret; off += 4 * KIB) {
			if (r->arg2 == 0)
				ret = touch(s, g, map, off);
			else if (map && r->arg2 == 1)
				memcpy(bench_buf, map + off, 4 * KIB);
			else if (map)
				memcpy(map + off, bench_buf, 4 * KIB);
			else if (r->arg2 == 1)
				ret = s->v->ops->host_read(s->v, g, off,
							   bench_buf, 4 * KIB);
			else
				ret = s->v->ops->host_write(s->v, g, off,
							    bench_buf, 4 * KIB);
		}
		t_stop(false);
	}
	s->v->ops->close(s->v, g);
	*units = (double)reps * (range / r->unit_bytes);
	return ret;
}

/* Create a 2 MiB gmem (closed outside the clock). */
static int create_row(struct side *s, const struct row *r, double *units,
		      const char **why)
{

	unsigned int reps = bench_reps(256);

	for (unsigned int i = 0; i < reps; i++) {
		int g;

		t_start(true);
		g = bench_gmem(s, r->range, false);
		t_stop(true);
		if (g < 0)
			return g;
		s->v->ops->close(s->v, g);
	}
	*units = reps;
	return 0;
}

/* Bind (arg2 0) or delete (arg2 1) a memslot over a 2 MiB gmem. */
static int slot_row(struct side *s, const struct row *r, double *units,
		    const char **why)
{
	int g = bench_gmem(s, r->range, false), ret = 0;

	if (g < 0)
		return g;
	unsigned int reps = bench_reps(256);

	for (unsigned int i = 0; i < reps && !ret; i++) {
		t_start(!r->arg2);
		ret = bench_bind(s, s->vm, 1, GMEM_GPA, r->range, g, 0);
		t_stop(true);
		t_start(r->arg2);
		ret = ret ? ret : bench_bind(s, s->vm, 1, GMEM_GPA, 0, g, 0);
		t_stop(true);
	}
	s->v->ops->close(s->v, g);
	*units = reps;
	return ret;
}

/* KVM_SET_MEMORY_ATTRIBUTES over the row's range of a SW_PROTECTED VM
 * whose gmem slot covers it: to private (arg2 1) or back to shared. */
int attr_row(struct side *s, const struct row *r, double *units,
		    const char **why)
{
	u64 range = r->range;
	unsigned int reps = MAX(reps_for(range), bench_reps(4));
	int g, ret;

	if (s->vm_prot < 0 || (*why = s->v->ops->lacks(
				       s->v, VMM_FEAT_MEMORY_ATTRIBUTES)))
		return *why ? 1 : s->vm_prot;
	g = bench_gmem(s, range, true);
	if (g < 0)
		return g;
	ret = bench_bind(s, s->vm_prot, 1, GMEM_GPA, range, g, 0);
	for (unsigned int i = first_pass(range); i <= reps && !ret; i++) {
		u64 to = r->arg2 ? GMV_MEMORY_ATTRIBUTE_PRIVATE : 0;
		ret = s->v->ops->set_attributes(
			s->v, s->vm_prot, GMEM_GPA, range,
			to ^ GMV_MEMORY_ATTRIBUTE_PRIVATE, 0);
		t_start(i);
		ret = ret ? ret :
			    s->v->ops->set_attributes(s->v, s->vm_prot,
						      GMEM_GPA, range, to, 0);
		t_stop(true);
	}
	if (!ret)
		ret = s->v->ops->set_attributes(s->v, s->vm_prot, GMEM_GPA,
						range, 0, 0);
	bench_bind(s, s->vm_prot, 1, GMEM_GPA, 0, g, 0);
	s->v->ops->close(s->v, g);
	*units = (double)reps * (range / r->unit_bytes);
	return ret;
}

/* In-place conversion of the row's range of a backed, bound gmem: to
 * shared (arg2 0) or back to private (arg2 1). */
int convert_row(struct side *s, const struct row *r, double *units,
		       const char **why)
{
	u64 range = r->range, bad;
	unsigned int reps = MAX(reps_for(range), bench_reps(4));
	int g, ret;

	if ((*why = s->v->ops->lacks(s->v, VMM_FEAT_INPLACE_CONVERT)))
		return 1;
	g = s->v->ops->create_gmem(s->v, s->vm_prot, range,
				   GMV_GMEM_FLAG_MMAP);
	if (g < 0)
		return g;
	ret = bench_bind(s, s->vm_prot, 1, GMEM_GPA, range, g, 0);
	ret = ret ? ret : fill(s, g, range, ALLOC);
	for (unsigned int i = first_pass(range); i <= reps && !ret; i++) {
		ret = s->v->ops->convert(s->v, g, 0, range, !r->arg2, &bad);
		t_start(i);
		ret = ret ? ret :
			    s->v->ops->convert(s->v, g, 0, range, r->arg2,
					       &bad);
		t_stop(true);
	}
	bench_bind(s, s->vm_prot, 1, GMEM_GPA, 0, g, 0);
	s->v->ops->close(s->v, g);
	*units = (double)reps * (range / r->unit_bytes);
	return ret;
}

#define K4 (4 * KIB)
#define M2 (2 * MIB)
/* name, unit, unit bytes, range, arg, arg2, body, note */
const struct row ops_rows[] = {
	{ "ops", "create gmem (2 MiB)", "op", 0, M2, 0, 0, create_row,
	  "KVM_CREATE_GUEST_MEMFD; close outside the clock" },
	{ "ops", "fallocate 4 KiB, one call", "4KiB", K4, K4, K4, 0,
	  falloc_row, "Linux clears at allocation (init_on_alloc)" },
	{ "ops", "fallocate 4 KiB calls over 2 MiB", "4KiB", K4, M2, K4, 0,
	  falloc_row, NULL },
	{ "ops", "fallocate 2 MiB, one call", "2MiB", M2, M2, M2, 0,
	  falloc_row, NULL },
	{ "ops", "fallocate 2 MiB calls over 1 GiB", "2MiB", M2, GIB, M2, 0,
	  falloc_row, NULL },
	{ "ops", "fallocate 1 GiB, one call", "2MiB", M2, GIB, GIB, 0,
	  falloc_row, NULL },
	{ "ops", "punch 4 KiB, one call", "4KiB", K4, K4, K4, 1, falloc_row,
	  "native scrubs at punch; Linux frees without clearing" },
	{ "ops", "punch 4 KiB calls over 2 MiB", "4KiB", K4, M2, K4, 1,
	  falloc_row, NULL },
	{ "ops", "punch 2 MiB, one call", "2MiB", M2, M2, M2, 1, falloc_row,
	  NULL },
	{ "ops", "punch 2 MiB calls over 1 GiB", "2MiB", M2, GIB, M2, 1,
	  falloc_row, NULL },
	{ "ops", "punch 1 GiB, one call", "2MiB", M2, GIB, GIB, 1, falloc_row,
	  NULL },
	{ "ops", "alloc+touch+punch cycle, 4 KiB", "4KiB", K4, M2, K4, 0,
	  cycle_row,
	  "one clearing each: native at punch, Linux at allocation" },
	{ "ops", "alloc+touch+punch cycle, 2 MiB", "2MiB", M2, 64 * MIB, M2,
	  0, cycle_row, NULL },
	{ "ops", "first host store per page", "4KiB", K4, M2, 0, 0, host_row,
	  "Linux: mmap fault (allocate, clear, map); native: host-access "
	  "call (allocates)" },
	{ "ops", "host read 4 KiB, repeated", "4KiB", K4, M2, 0, 1, host_row,
	  "Linux: memcpy on the mapping; native: host-access call" },
	{ "ops", "host write 4 KiB, repeated", "4KiB", K4, M2, 0, 2, host_row,
	  NULL },
	{ "ops", "memslot bind (2 MiB)", "op", 0, M2, 0, 0, slot_row,
	  "KVM_SET_USER_MEMORY_REGION2; Linux includes the backend's mmap "
	  "of the slot's userspace memory" },
	{ "ops", "memslot delete (2 MiB)", "op", 0, M2, 0, 1, slot_row,
	  NULL },
	{ "ops", "attributes to private, 4 KiB", "4KiB", K4, K4, 0, 1,
	  attr_row, "KVM_SET_MEMORY_ATTRIBUTES on a SW_PROTECTED VM" },
	{ "ops", "attributes to shared, 4 KiB", "4KiB", K4, K4, 0, 0,
	  attr_row, NULL },
	{ "ops", "attributes to private, 2 MiB", "2MiB", M2, M2, 0, 1,
	  attr_row, NULL },
	{ "ops", "attributes to shared, 2 MiB", "2MiB", M2, M2, 0, 0,
	  attr_row, NULL },
	{ "ops", "attributes to private, 1 GiB", "2MiB", M2, GIB, 0, 1,
	  attr_row, NULL },
	{ "ops", "attributes to shared, 1 GiB", "2MiB", M2, GIB, 0, 0,
	  attr_row, NULL },
	{ "ops", "convert to shared, 4 KiB", "4KiB", K4, K4, 0, 0,
	  convert_row, "in-place conversion of backed memory" },
	{ "ops", "convert to private, 4 KiB", "4KiB", K4, K4, 0, 1,
	  convert_row, NULL },
	{ "ops", "convert to shared, 2 MiB", "2MiB", M2, M2, 0, 0,
	  convert_row, NULL },
	{ "ops", "convert to private, 2 MiB", "2MiB", M2, M2, 0, 1,
	  convert_row, NULL },
	{ "ops", "convert to shared, 1 GiB", "2MiB", M2, GIB, 0, 0,
	  convert_row, NULL },
	{ "ops", "convert to private, 1 GiB", "2MiB", M2, GIB, 0, 1,
	  convert_row, NULL },
};
const unsigned int nr_ops_rows = ARRAY_SIZE(ops_rows);
