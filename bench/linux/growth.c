// SPDX-License-Identifier: MIT
/*
 * bench/linux/growth.c - how costs grow: the same operation in a 1 GiB and
 * a 1 TiB sparse gmem, with 1 and 1,000 memslots, with 1 and 8 views of
 * one gmem, a conversion against its range from 4 KiB to 1 GiB; and the
 * native metadata of those layouts, in bytes per GiB.
 */
#include <errno.h>
#include <stdio.h>

#include "bench/linux/bench.h"
#include "hv/gmem.h"
#include "hv/vmm_native.h"

#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)
#define ALLOC GMV_FALLOC_KEEP_SIZE
#define AT (512 * MIB) /* where the size rows work, inside both sizes */

/* fallocate + punch of 2 MiB at AT in a gmem of r->arg bytes. */
static int size_cycle_row(struct side *s, const struct row *r, double *units,
			  const char **why)
{
	unsigned int reps = bench_reps(64);
	int g = bench_gmem(s, r->arg, false), ret = 0;

	if (g < 0)
		return g;
	for (unsigned int i = 0; i <= reps && !ret; i++) {
		t_start(i);
		ret = s->v->ops->fallocate(s->v, g, ALLOC, AT, 2 * MIB);
		ret = ret ? ret :
			    s->v->ops->fallocate(s->v, g, PUNCH, AT, 2 * MIB);
		t_stop(false);
	}
	s->v->ops->close(s->v, g);
	*units = reps;
	return ret;
}

/* The first host store to each of 512 pages at AT in a gmem of r->arg
 * bytes (Linux: through an mmap of the whole file). */
static int size_touch_row(struct side *s, const struct row *r, double *units,
			  const char **why)
{
	unsigned int reps = bench_reps(8);
	int g = bench_gmem(s, r->arg, false), ret = 0;
	u8 *map = NULL, b = 1;

	if (g < 0)
		return g;
	if (s->is_linux && !(map = bench_linux_map(g, r->arg)))
		ret = -errno;
	for (unsigned int i = 0; i <= reps && !ret; i++) {
		ret = s->v->ops->fallocate(s->v, g, PUNCH, AT, 2 * MIB);
		t_start(i);
		for (u64 off = AT; off < AT + 2 * MIB && !ret; off += 4 * KIB) {
			if (map)
				*(volatile u8 *)(map + off) = b;
			else
				ret = s->v->ops->host_write(s->v, g, off, &b,
							    1);
		}
		t_stop(false);
	}
	s->v->ops->close(s->v, g);
	*units = reps * 512.0;
	return ret;
}

/* In-place conversion of 4 KiB at AT, to shared and back, in a gmem of
 * r->arg bytes (native only: Linux has no in-place conversion). */
static int size_convert_row(struct side *s, const struct row *r, double *units,
			    const char **why)
{
	unsigned int reps = bench_reps(256);
	u64 bad;
	int g, ret;

	if ((*why = s->v->ops->lacks(s->v, VMM_FEAT_INPLACE_CONVERT)))
		return 1;
	g = s->v->ops->create_gmem(s->v, s->vm_prot, r->arg,
				   GMV_GMEM_FLAG_MMAP);
	if (g < 0)
		return g;
	ret = s->v->ops->fallocate(s->v, g, ALLOC, AT, 2 * MIB);
	for (unsigned int i = 0; i <= reps && !ret; i++) {
		t_start(i);
		ret = s->v->ops->convert(s->v, g, AT, 4 * KIB, false, &bad);
		ret = ret ? ret :
			    s->v->ops->convert(s->v, g, AT, 4 * KIB, true,
					       &bad);
		t_stop(false);
	}
	s->v->ops->close(s->v, g);
	*units = reps;
	return ret;
}

/*
 * A fresh VM of type with r->arg memslots of 2 MiB each over one gmem
 * (slot i at GMEM_GPA + i * 2 MiB), then arg2 0: attributes of slot 0's
 * first page to private and back; arg2 1: bind and delete one more slot.
 * The VM is closed at the end, which drops its slots at once.
 */
static int slots_row(struct side *s, const struct row *r, double *units,
		     const char **why)
{
	unsigned int reps = bench_reps(64);
	u64 n = r->arg, size = n * 2 * MIB;
	bool attrs = !r->arg2;
	int vm, g, ret = 0;

	if (attrs &&
	    (*why = s->v->ops->lacks(s->v, VMM_FEAT_MEMORY_ATTRIBUTES)))
		return 1;
	vm = s->v->ops->create_vm(s->v, attrs ? GMV_VM_SW_PROTECTED :
						GMV_VM_DEFAULT);
	if (vm < 0)
		return vm;
	g = s->v->ops->create_gmem(s->v, vm, size + 2 * MIB,
				   attrs ? 0 :
					   GMV_GMEM_FLAG_MMAP |
						   GMV_GMEM_FLAG_INIT_SHARED);
	ret = g < 0 ? g : 0;
	for (u64 i = 0; i < n && !ret; i++)
		ret = bench_bind(s, vm, i, GMEM_GPA + i * 2 * MIB, 2 * MIB, g,
				 i * 2 * MIB);
	for (unsigned int i = 0; i <= reps && !ret; i++) {
		t_start(i);
		if (attrs) {
			ret = s->v->ops->set_attributes(
				s->v, vm, GMEM_GPA, 4 * KIB,
				GMV_MEMORY_ATTRIBUTE_PRIVATE, 0);
			ret = ret ? ret :
				    s->v->ops->set_attributes(
					    s->v, vm, GMEM_GPA, 4 * KIB, 0, 0);
		} else {
			ret = bench_bind(s, vm, n, GMEM_GPA + size, 2 * MIB, g,
					 size);
			ret = ret ? ret :
				    bench_bind(s, vm, n, GMEM_GPA + size, 0,
					       g, size);
		}
		t_stop(false);
	}
	if (g >= 0)
		s->v->ops->close(s->v, g);
	s->v->ops->close(s->v, vm);
	*units = reps;
	return ret;
}

/* A 64 MiB backed gmem seen by r->arg VMs (its own and views), each with a
 * memslot over all of it; in-place conversion of 4 KiB to shared and
 * back (native only: Linux has no views). */
static int views_row(struct side *s, const struct row *r, double *units,
		     const char **why)
{
	unsigned int reps = bench_reps(256);
	int vms[8], views[8], ret = 0;
	u64 n = r->arg, size = 64 * MIB, bad;

	if ((*why = s->v->ops->lacks(s->v, VMM_FEAT_GMEM_VIEWS)) ||
	    (*why = s->v->ops->lacks(s->v, VMM_FEAT_INPLACE_CONVERT)))
		return 1;
	for (u64 i = 0; i < n && !ret; i++) {
		vms[i] = s->v->ops->create_vm(s->v, GMV_VM_SW_PROTECTED);
		ret = vms[i] < 0 ? vms[i] : 0;
		if (!ret)
			views[i] = i ? s->v->ops->create_gmem_view(
					       s->v, views[0], vms[i]) :
				       s->v->ops->create_gmem(
					       s->v, vms[0], size,
					       GMV_GMEM_FLAG_MMAP);
		ret = ret ? ret : views[i] < 0 ? views[i] : 0;
		ret = ret ? ret :
			    bench_bind(s, vms[i], 1, GMEM_GPA, size, views[i],
				       0);
	}
	ret = ret ? ret :
		    s->v->ops->fallocate(s->v, views[0], ALLOC, 0, size);
	for (unsigned int i = 0; i <= reps && !ret; i++) {
		t_start(i);
		ret = s->v->ops->convert(s->v, views[0], 0, 4 * KIB, false,
					 &bad);
		ret = ret ? ret :
			    s->v->ops->convert(s->v, views[0], 0, 4 * KIB,
					       true, &bad);
		t_stop(false);
	}
	s->v->ops->reset(s->v); /* the side's VMs are made again below */
	*units = reps;
	return ret;
}

#define K4 (4 * KIB)
#define M2 (2 * MIB)
#define CURVE(nm, range, fn, arg2) \
	{ "curve", nm, "op", range, range, 0, arg2, fn, NULL }
/* group, name, unit, unit bytes, range, arg, arg2, body, note */
const struct row growth_rows[] = {
	{ "growth", "falloc+punch 2 MiB, 1 GiB gmem", "op", M2, M2, GIB, 0,
	  size_cycle_row, "at 512 MiB into the file" },
	{ "growth", "falloc+punch 2 MiB, 1 TiB gmem", "op", M2, M2, TIB, 0,
	  size_cycle_row, NULL },
	{ "growth", "first host store, 1 GiB gmem", "4KiB", K4, M2, GIB, 0,
	  size_touch_row, NULL },
	{ "growth", "first host store, 1 TiB gmem", "4KiB", K4, M2, TIB, 0,
	  size_touch_row, NULL },
	{ "growth", "convert 4 KiB there+back, 1 GiB gmem", "op", 0, K4, GIB,
	  0, size_convert_row, NULL },
	{ "growth", "convert 4 KiB there+back, 1 TiB gmem", "op", 0, K4, TIB,
	  0, size_convert_row, NULL },
	{ "growth", "attributes 4 KiB there+back, 1 memslot", "op", 0, K4, 1,
	  0, slots_row, NULL },
	{ "growth", "attributes 4 KiB there+back, 1000 memslots", "op", 0, K4,
	  1000, 0, slots_row, NULL },
	{ "growth", "bind+delete a memslot, 1 memslot", "op", 0, M2, 1, 1,
	  slots_row, NULL },
	{ "growth", "bind+delete a memslot, 1000 memslots", "op", 0, M2, 1000,
	  1, slots_row, NULL },
	{ "growth", "convert 4 KiB there+back, 1 view", "op", 0, K4, 1, 0,
	  views_row, NULL },
	{ "growth", "convert 4 KiB there+back, 8 views", "op", 0, K4, 8, 0,
	  views_row, NULL },
	CURVE("convert to shared, 4 KiB", K4, convert_row, 0),
	CURVE("convert to shared, 64 KiB", 64 * KIB, convert_row, 0),
	CURVE("convert to shared, 2 MiB", M2, convert_row, 0),
	CURVE("convert to shared, 64 MiB", 64 * MIB, convert_row, 0),
	CURVE("convert to shared, 1 GiB", GIB, convert_row, 0),
	CURVE("attributes to private, 4 KiB", K4, attr_row, 1),
	CURVE("attributes to private, 64 KiB", 64 * KIB, attr_row, 1),
	CURVE("attributes to private, 2 MiB", M2, attr_row, 1),
	CURVE("attributes to private, 64 MiB", 64 * MIB, attr_row, 1),
	CURVE("attributes to private, 1 GiB", GIB, attr_row, 1),
};
const unsigned int nr_growth_rows = ARRAY_SIZE(growth_rows);

/* One "meta" line: the layout, native bytes, bytes per GiB backed. */
static void meta_line(const char *layout, struct side *s, int g)
{
	struct gmem_view *view = vmm_native_gmem(s->v, g);
	u64 bytes = gmem_meta_bytes(view), pages = gmem_backed_pages(view);

	printf("meta\t%s\t%llu\t%llu\t%.0f\n", layout, (unsigned long long)bytes,
	       (unsigned long long)pages,
	       pages ? bytes / ((double)pages * 4096 / GIB) : 0.0);
}

int growth_meta(struct side *s)
{
	struct vmm *v = s->v;
	int g, ret = 0, vm;
	u8 b = 1;

	g = bench_gmem(s, GIB, false);
	if (g < 0 || v->ops->fallocate(v, g, ALLOC, 0, GIB))
		return -1;
	meta_line("1 GiB gmem all backed", s, g);
	v->ops->close(v, g);
	g = bench_gmem(s, TIB, false);
	if (g < 0 || v->ops->fallocate(v, g, ALLOC, 0, GIB))
		return -1;
	meta_line("1 TiB gmem first GiB backed", s, g);
	v->ops->close(v, g);
	g = bench_gmem(s, TIB, false);
	for (u64 off = 0; g >= 0 && off < TIB && !ret; off += GIB)
		ret = v->ops->host_write(v, g, off, &b, 1);
	if (g < 0 || ret)
		return -1;
	meta_line("1 TiB gmem one page per GiB", s, g);
	v->ops->close(v, g);
	/* 1000 memslots of 1 MiB over a backed 1 GiB (bindings count). */
	vm = v->ops->create_vm(v, GMV_VM_DEFAULT);
	g = vm < 0 ? vm :
		     v->ops->create_gmem(v, vm, GIB,
					 GMV_GMEM_FLAG_MMAP |
						 GMV_GMEM_FLAG_INIT_SHARED);
	if (g < 0 || v->ops->fallocate(v, g, ALLOC, 0, GIB))
		return -1;
	for (u64 i = 0; i < 1000 && !ret; i++)
		ret = bench_bind(s, vm, i, GMEM_GPA + i * MIB, MIB, g, i * MIB);
	if (ret)
		return ret;
	meta_line("1 GiB gmem backed, 1000 memslots", s, g);
	v->ops->reset(v);
	/* 8 views of a backed 1 GiB, each bound whole. */
	{
		int views[8];

		for (int i = 0; i < 8 && !ret; i++) {
			vm = v->ops->create_vm(v, GMV_VM_DEFAULT);
			views[i] = vm < 0 ? vm :
				   i ? v->ops->create_gmem_view(v, views[0], vm) :
				       v->ops->create_gmem(
					       v, vm, GIB,
					       GMV_GMEM_FLAG_MMAP |
						       GMV_GMEM_FLAG_INIT_SHARED);
			ret = views[i] < 0 ? views[i] :
					     bench_bind(s, vm, 1, GMEM_GPA, GIB,
							views[i], 0);
		}
		ret = ret ? ret : v->ops->fallocate(v, views[0], ALLOC, 0, GIB);
		if (ret)
			return ret;
		meta_line("1 GiB gmem backed, 8 views", s, views[0]);
	}
	v->ops->reset(v);
	return 0;
}
