// SPDX-License-Identifier: MIT
/*
 * tests/common/native_gmem_test.c - what only the native backend can show
 * about gmem: invalidations recorded in every bound VM, pages going back
 * to the allocator, host pins blocking conversion (-EAGAIN), conversions
 * that fail part-way leaving nothing changed, the invariant checker
 * catching corruption, and the metadata cost per GiB.
 */
#include "hv/alloc.h"
#include "hv/cc.h"
#include "hv/gmem_int.h"
#include "hv/base/kmalloc.h"
#include "hv/vm_int.h"
#include "lib/mem.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)
#define GFN(gpa) ((gpa) >> 12)

static u8 buf[PG];

/* VM a owns gmem g bound at 1 GiB (file pages 0-7); VM b has a view bound
 * at 2 GiB (file pages 2-5); VM c has no view. */
struct trio {
	int a, b, c, g, view;
	struct vm *va, *vb, *vc;
	u64 za, zb, zc; /* zap counts before the operation */
};

static bool trio_open(struct kt *t, struct vmm *v, struct trio *s, u64 flags)
{
	s->a = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	s->b = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	s->c = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	s->g = CASE_OPEN(t, v->ops->create_gmem(v, s->a, 16 * PG, flags));
	s->view = CASE_OPEN(t, v->ops->create_gmem_view(v, s->g, s->b));
	if (s->g < 0 || s->view < 0 || s->c < 0)
		return false;
	s->va = vmm_native_vm(v, s->a);
	s->vb = vmm_native_vm(v, s->b);
	s->vc = vmm_native_vm(v, s->c);
	return KT_EXPECT_OK(t, case_bind(v, s->a, 0, GB, 8 * PG, s->g, 0)) &&
	       KT_EXPECT_OK(t, case_bind(v, s->b, 0, 2 * GB, 4 * PG, s->view,
					 2 * PG)) &&
	       KT_EXPECT_OK(t, case_region(v, s->c, 0, 0, GB, 8 * PG, -1, 0));
}

static void trio_mark(struct trio *s)
{
	s->za = vm_zaps(s->va)->nr_zaps;
	s->zb = vm_zaps(s->vb)->nr_zaps;
	s->zc = vm_zaps(s->vc)->nr_zaps;
}

NATIVE_CASE(punch_zaps_every_vm_bound_to_the_range)
{
	struct trio s;
	u64 flushes;

	if (!trio_open(t, v, &s, 0))
		return;
	trio_mark(&s);
	flushes = vm_zaps(s.va)->nr_flushes;
	KT_EXPECT_OK(t, v->ops->fallocate(v, s.g, PUNCH, 3 * PG, 2 * PG));
	KT_EXPECT(t, vm_zapped_since(s.va, s.za, GFN(GB) + 3, GFN(GB) + 5));
	KT_EXPECT(t, vm_zapped_since(s.vb, s.zb, GFN(2 * GB) + 1,
				     GFN(2 * GB) + 3));
	KT_EXPECT_EQ(t, vm_zaps(s.vc)->nr_zaps, s.zc);
	KT_EXPECT_EQ(t, vm_zaps(s.va)->nr_flushes, flushes + 1);
	/* Outside every binding: nobody is zapped. */
	trio_mark(&s);
	KT_EXPECT_OK(t, v->ops->fallocate(v, s.g, PUNCH, 8 * PG, 8 * PG));
	KT_EXPECT_EQ(t, vm_zaps(s.va)->nr_zaps, s.za);
	KT_EXPECT_EQ(t, vm_zaps(s.vb)->nr_zaps, s.zb);
}

NATIVE_CASE(convert_zaps_every_vm_bound_to_the_range)
{
	struct trio s;
	u64 err_off;

	if (!trio_open(t, v, &s, SHARED_FLAGS))
		return;
	trio_mark(&s);
	KT_EXPECT_OK(t, v->ops->convert(v, s.view, 0, 16 * PG, true, &err_off));
	KT_EXPECT(t, vm_zapped_since(s.va, s.za, GFN(GB), GFN(GB) + 8));
	KT_EXPECT(t, vm_zapped_since(s.vb, s.zb, GFN(2 * GB), GFN(2 * GB) + 4));
	KT_EXPECT_EQ(t, vm_zaps(s.vc)->nr_zaps, s.zc);
	/* A no-op conversion invalidates nothing. */
	trio_mark(&s);
	KT_EXPECT_OK(t, v->ops->convert(v, s.g, 0, 16 * PG, true, &err_off));
	KT_EXPECT_EQ(t, vm_zaps(s.va)->nr_zaps, s.za);
}

NATIVE_CASE(closing_a_view_zaps_and_detaches_its_slots)
{
	struct trio s;
	struct vm_fault f;

	if (!trio_open(t, v, &s, SHARED_FLAGS))
		return;
	trio_mark(&s);
	KT_EXPECT_OK(t, v->ops->close(v, s.view));
	KT_EXPECT(t, vm_zapped_since(s.vb, s.zb, GFN(2 * GB), GFN(2 * GB) + 4));
	KT_EXPECT_EQ(t, vm_zaps(s.va)->nr_zaps, s.za);
	KT_EXPECT_ERRNO(t, n_guest(v, s.b, 2 * GB, buf, 1, 0, &f), EFAULT);
	KT_EXPECT_OK(t, n_guest(v, s.a, GB + 2 * PG, buf, 1, 0, &f));
	/* Deleting a slot zaps all of it. */
	trio_mark(&s);
	KT_EXPECT_OK(t, case_region(v, s.a, 0, 0, 0, 0, -1, 0));
	KT_EXPECT(t, vm_zapped_since(s.va, s.za, GFN(GB), GFN(GB) + 8));
}

NATIVE_CASE(attribute_changes_zap_only_what_slots_cover)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	struct vm *obj = vmm_native_vm(v, vm);
	u64 since;

	if (vm < 0)
		return;
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, 4 * PG, -1, 0));
	KT_EXPECT_OK(t, case_region(v, vm, 1, 0, GB + 8 * PG, 4 * PG, -1, 0));
	since = vm_zaps(obj)->nr_zaps;
	KT_EXPECT_OK(t,
		     v->ops->set_attributes(v, vm, GB + 2 * PG, 8 * PG,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT_EQ(t, vm_zaps(obj)->nr_zaps, since + 2);
	KT_EXPECT(t, vm_zapped_since(obj, since, GFN(GB) + 2, GFN(GB) + 4));
	KT_EXPECT(t, vm_zapped_since(obj, since, GFN(GB) + 8, GFN(GB) + 10));
	/* Setting what is already set changes nothing. */
	since = vm_zaps(obj)->nr_zaps;
	KT_EXPECT_OK(t,
		     v->ops->set_attributes(v, vm, GB + 3 * PG, PG,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT_EQ(t, vm_zaps(obj)->nr_zaps, since);
}

NATIVE_CASE(g102_pages_go_back_with_the_last_view)
{
	u64 base = alloc_owned_pages(hv_pool, OWN_GMEM);
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 2 * SZ2M, 0));

	if (g < 0)
		return;
	KT_EXPECT_OK(
		t, v->ops->fallocate(v, g, GMV_FALLOC_KEEP_SIZE, 0, 2 * SZ2M));
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), base + 1024);
	KT_EXPECT_OK(t, v->ops->close(v, vm));
	KT_EXPECT_EQ(t, vm_nr_live(), 1);
	KT_EXPECT_OK(t, v->ops->close(v, g));
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), base);
	KT_EXPECT_EQ(t, vm_nr_live(), 0);
}

NATIVE_CASE(punching_part_of_a_block_frees_just_those_pages)
{
	u64 base = alloc_owned_pages(hv_pool, OWN_GMEM);
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, SZ2M, SHARED_FLAGS));
	struct gmem_view *view = vmm_native_gmem(v, g);

	if (g < 0)
		return;
	memset(buf, 0x5c, PG);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 9 * PG, buf, PG));
	KT_EXPECT_EQ(t, gmem_backed_pages(view), 512);
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 100 * PG, 3 * PG));
	KT_EXPECT_EQ(t, gmem_backed_pages(view), 509);
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), base + 509);
	KT_EXPECT_OK(t, v->ops->check(v));
	/* The rest of the block keeps its data; the hole refills. */
	memset(buf, 0, PG);
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 9 * PG, buf, PG));
	KT_EXPECT_EQ(t, buf[0] & buf[PG - 1], 0x5c);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 101 * PG, buf, PG));
	KT_EXPECT_EQ(t, gmem_backed_pages(view), 510);
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 0, SZ2M));
	KT_EXPECT_EQ(t, alloc_owned_pages(hv_pool, OWN_GMEM), base);
}

NATIVE_CASE(pinned_pages_make_conversion_eagain)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 16 * PG, SHARED_FLAGS));
	int plain = CASE_OPEN(t, v->ops->create_gmem(v, vm, PG, 0));
	u64 err_off = 0;

	if (g < 0 || plain < 0)
		return;
	KT_EXPECT_OK(t, vmm_native_pin(v, g, 5 * PG + 12));
	KT_EXPECT_OK(t, vmm_native_pin(v, g, 9 * PG));
	KT_EXPECT_ERRNO(t, v->ops->convert(v, g, 0, 16 * PG, true, &err_off),
			EAGAIN);
	KT_EXPECT_EQ(t, err_off, 5 * PG);
	/* Nothing changed: the host still reaches every page. */
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 0, buf, PG));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 15 * PG, buf, PG));
	KT_EXPECT_ERRNO(t,
			v->ops->convert(v, g, 6 * PG, 8 * PG, true, &err_off),
			EAGAIN);
	KT_EXPECT_EQ(t, err_off, 9 * PG);
	KT_EXPECT_OK(t, v->ops->convert(v, g, 10 * PG, 6 * PG, true, &err_off));
	/* Converting pinned pages to the state they have is fine. */
	KT_EXPECT_OK(t, v->ops->convert(v, g, 0, 10 * PG, false, &err_off));
	KT_EXPECT_OK(t, vmm_native_unpin(v, g, 5 * PG));
	KT_EXPECT_ERRNO(t, vmm_native_unpin(v, g, 5 * PG), EINVAL);
	/* A punch drops the page and its pins. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 9 * PG, PG));
	KT_EXPECT_OK(t, v->ops->convert(v, g, 0, 16 * PG, true, &err_off));
	/* Pins need a shared page inside an MMAP file. */
	KT_EXPECT_ERRNO(t, vmm_native_pin(v, g, 0), EFAULT);
	KT_EXPECT_ERRNO(t, vmm_native_pin(v, plain, 0), ENODEV);
	KT_EXPECT_ERRNO(t, vmm_native_pin(v, vm, 0), ENODEV);
	KT_EXPECT_ERRNO(t, vmm_native_pin(v, 12345, 0), EBADF);
}

/* A security step that logs its calls and fails the fail_at-th one. */
static struct {
	u64 calls, fail_at, forward, undone, order9;
} sec;

static int sec_test_convert(struct vm *vm, u64 gfn, phys_addr_t pa,
			    unsigned int order, bool to_private)
{
	if (++sec.calls == sec.fail_at)
		return -EIO;
	if (to_private)
		sec.forward++;
	else
		sec.undone++;
	sec.order9 += order == 9;
	return 0;
}

/* A security model for default VMs whose only hook is convert(). */
static const struct cc_ops sec_test = {
	.name = "test",
	.vm_type = GMV_VM_DEFAULT,
	.private_source = CC_PRIVATE_NEVER,
	.convert = sec_test_convert,
};

static int create_vm_with(struct vmm *v, const struct cc_ops *model)
{
	const struct cc_ops *old = cc_use(model);
	int vm = v->ops->create_vm(v, model->vm_type);

	cc_use(old);
	return vm;
}

NATIVE_CASE(failed_security_step_undoes_the_conversion)
{
	int vm = CASE_OPEN(t, create_vm_with(v, &sec_test));
	/* 1000 pages: chunk 0 is one block, chunk 1 crosses EOF. */
	int g = CASE_OPEN(t,
			  v->ops->create_gmem(v, vm, 1000 * PG, SHARED_FLAGS));
	struct gmem_view *view = vmm_native_gmem(v, g);
	u64 err_off;

	if (g < 0)
		return;
	memset(buf, 0x3d, PG);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 0, buf, PG));
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 600 * PG, buf, PG));
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 700 * PG, buf, PG));

	/* Blocks in order: chunk 0 (order 9), page 600, page 700. */
	memset(&sec, 0, sizeof(sec));
	sec.fail_at = 3;
	KT_EXPECT_ERRNO(t, v->ops->convert(v, g, 0, 1000 * PG, true, &err_off),
			EIO);
	KT_EXPECT_EQ(t, sec.forward, 2);
	KT_EXPECT_EQ(t, sec.undone, 2);
	KT_EXPECT_EQ(t, sec.order9, 2);
	KT_EXPECT(t, gmem_is_shared(view, 0) && gmem_is_shared(view, 700 * PG));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 600 * PG, buf, PG));
	KT_EXPECT_OK(t, v->ops->check(v));

	/* Failing on the first block leaves nothing to undo. */
	memset(&sec, 0, sizeof(sec));
	sec.fail_at = 1;
	KT_EXPECT_ERRNO(t, v->ops->convert(v, g, 0, 1000 * PG, true, &err_off),
			EIO);
	KT_EXPECT_EQ(t, sec.forward + sec.undone, 0);

	/* Without a failure every backed block is converted once. */
	memset(&sec, 0, sizeof(sec));
	KT_EXPECT_OK(t, v->ops->convert(v, g, 0, 1000 * PG, true, &err_off));
	KT_EXPECT_EQ(t, sec.forward, 3);
	KT_EXPECT(t,
		  !gmem_is_shared(view, 0) && !gmem_is_shared(view, 999 * PG));
	/* Back to shared: the same blocks, the other way. */
	memset(&sec, 0, sizeof(sec));
	KT_EXPECT_OK(t, v->ops->convert(v, g, 0, 1000 * PG, false, &err_off));
	KT_EXPECT_EQ(t, sec.undone, 3);
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 700 * PG, buf, PG));
	KT_EXPECT_EQ(t, buf[0] & buf[PG - 1], 0x3d);
}

/* Convert page p to private with the next kmalloc() (objects) or
 * alloc_pages() (pages) failing. */
static int convert_failing(struct vmm *v, int g, u64 p, bool pages)
{
	u64 err_off;
	int r;

	if (pages)
		alloc_fail_nth(hv_pool, 1);
	else
		kmalloc_fail_nth(1);
	r = v->ops->convert(v, g, p * PG, PG, true, &err_off);
	alloc_fail_nth(hv_pool, 0);
	kmalloc_fail_nth(0);
	return r;
}

NATIVE_CASE(conversion_out_of_memory_changes_nothing)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t,
			  v->ops->create_gmem(v, vm, 600 * PG, SHARED_FLAGS));
	struct gmem_view *view = vmm_native_gmem(v, g);
	int failures[2] = {0, 0}, wrong = 0;
	u64 err_off;

	if (g < 0)
		return;
	/* Every other page private: the extent array grows on the way,
	 * first as a kmalloc object, past 2 KiB as pages of its own, and
	 * each growth fails once under injection. */
	for (u64 p = 0; p < 600; p += 2) {
		bool pages = p >= 64;
		int r = convert_failing(v, g, p, pages);

		if (r == -ENOMEM) {
			failures[pages]++;
			wrong += !gmem_is_shared(view, p * PG);
			wrong += !!v->ops->check(v);
			r = v->ops->convert(v, g, p * PG, PG, true, &err_off);
		}
		wrong += r != 0 || gmem_is_shared(view, p * PG);
	}
	KT_EXPECT_GE(t, failures[0], 2);
	KT_EXPECT_GE(t, failures[1], 2);
	KT_EXPECT_EQ(t, wrong, 0);
	for (u64 p = 0; p < 600; p++)
		wrong += gmem_is_shared(view, p * PG) != (p & 1);
	KT_EXPECT_EQ(t, wrong, 0);
}

/* Pin the first page of a fresh 2 MiB chunk with the n-th kmalloc()
 * (objects) or alloc_pages() (pages) from now failing. */
static int pin_failing(struct vmm *v, int g, u64 n, bool pages)
{
	int r;

	if (pages)
		alloc_fail_nth(hv_pool, n);
	else
		kmalloc_fail_nth(n);
	r = vmm_native_pin(v, g, SZ2M);
	alloc_fail_nth(hv_pool, 0);
	kmalloc_fail_nth(0);
	return r;
}

NATIVE_CASE(pin_out_of_memory_changes_nothing)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t,
			  v->ops->create_gmem(v, vm, 2 * SZ2M, SHARED_FLAGS));
	struct gmem_view *view = vmm_native_gmem(v, g);
	int failures = 0, wrong = 0;

	if (g < 0)
		return;
	/* Page 0 holds a pin, so the pin map exists; the chunk of page 512
	 * is not backed. Each step of pinning it fails once: the chunk, its
	 * block, the index and pin map nodes. */
	KT_EXPECT_OK(t, vmm_native_pin(v, g, 0));
	for (u64 n = 1; n < 16; n++) {
		for (int pages = 0; pages < 2; pages++) {
			int r = pin_failing(v, g, n, pages);

			if (!r) {
				wrong += !!vmm_native_unpin(v, g, SZ2M);
				KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH,
								  SZ2M, SZ2M));
				continue;
			}
			failures++;
			wrong += r != -ENOMEM;
			wrong += gmem_backed_pages(view) != CHUNK_PAGES;
			wrong += vmm_native_unpin(v, g, SZ2M) != -EINVAL;
			wrong += !!v->ops->check(v);
		}
	}
	KT_EXPECT_GE(t, failures, 3);
	KT_EXPECT_EQ(t, wrong, 0);
}

/*
 * Every call below needs memory somewhere; each is run with the n-th
 * kmalloc() or alloc_pages() failing for every n until it succeeds. A
 * call that fails must leave the backend as it was (the standard of every
 * API here; fallocate's allocation is the one documented exception, it
 * keeps what it got like Linux, so it is not in the list).
 */
struct world {
	int vm, pvm, g, pg;
};

static void world_open(struct vmm *v, struct world *w)
{
	u64 err_off;

	w->vm = v->ops->create_vm(v, GMV_VM_DEFAULT);
	w->pvm = v->ops->create_vm(v, GMV_VM_SW_PROTECTED);
	w->g = v->ops->create_gmem(v, w->vm, 4 * SZ2M, SHARED_FLAGS);
	w->pg = v->ops->create_gmem(v, w->pvm, 4 * SZ2M, GMV_GMEM_FLAG_MMAP);
	case_bind(v, w->vm, 0, GB, SZ2M, w->g, 0);
	case_region(v, w->vm, 1, 0, 2 * GB, 16 * PG, -1, 0);
	case_bind(v, w->pvm, 0, GB, 4 * SZ2M, w->pg, 0);
	v->ops->host_write(v, w->g, 5 * PG, buf, 8);
	v->ops->convert(v, w->pg, 0, 8 * PG, false, &err_off);
	v->ops->set_attributes(v, w->pvm, GB + 3 * SZ2M, SZ2M,
			       GMV_MEMORY_ATTRIBUTE_PRIVATE, 0);
}

static int world_call(struct vmm *v, struct world *w, int k)
{
	struct vm_fault f;
	u64 err_off;

	switch (k) {
	case 0:
		return v->ops->create_vm(v, GMV_VM_DEFAULT);
	case 1:
		return v->ops->create_gmem(v, w->vm, 8 * PG, SHARED_FLAGS);
	case 2:
		return v->ops->create_gmem_view(v, w->g, w->pvm);
	case 3:
		return case_region(v, w->vm, 5, 0, 5 * GB, 4 * PG, -1, 0);
	case 4:
		return case_bind(v, w->vm, 5, 5 * GB, 4 * PG, w->g, 3 * SZ2M);
	case 5:
		return case_region(v, w->vm, 1, 0, 6 * GB, 16 * PG, -1, 0);
	case 6:
		return v->ops->set_attributes(v, w->pvm, 5 * GB, 4 * PG,
					      GMV_MEMORY_ATTRIBUTE_PRIVATE, 0);
	case 7:
		return v->ops->convert(v, w->pg, 2 * PG, PG, true, &err_off);
	case 8:
		return v->ops->convert(v, w->g, SZ2M + PG, PG, true, &err_off);
	case 9:
		return v->ops->host_write(v, w->g, 3 * SZ2M + PG, buf, 8);
	case 10:
		return vmm_native_pin(v, w->g, 3 * SZ2M + 2 * PG);
	case 11:
		return n_guest(v, w->vm, 2 * GB + 4 * PG, buf, 8,
			       VM_ACCESS_WRITE, &f);
	case 12:
		return n_guest(v, w->pvm, GB + 3 * SZ2M, buf, 8,
			       VM_ACCESS_PRIVATE, &f);
	default:
		return -EINVAL;
	}
}
#define WORLD_CALLS 13

struct world_state {
	u64 objects, owned[ALLOC_NR_OWNERS], vms, mems;
	u64 slots, shared_g, shared_pg, private_gfns;
};

static void world_state(struct vmm *v, struct world *w, struct world_state *s)
{
	struct kmalloc_stats ks;

	memset(s, 0, sizeof(*s));
	kmalloc_get_stats(&ks);
	s->objects = ks.objects;
	for (int i = 0; i < ALLOC_NR_OWNERS; i++)
		s->owned[i] = alloc_owned_pages(hv_pool, i);
	s->vms = vm_nr_live();
	s->mems = gmem_nr_mems();
	s->slots = vmm_native_vm(v, w->vm)->slots.n;
	s->shared_g = vmm_native_gmem(v, w->g)->mem->shared.n;
	s->shared_pg = vmm_native_gmem(v, w->pg)->mem->shared.n;
	s->private_gfns = vmm_native_vm(v, w->pvm)->private_gfns.n;
}

/* Run call k of a fresh world with the n-th kmalloc() (objects) or
 * alloc_pages() (pages) failing; 1 if it failed, having changed
 * something (*changed) or broken an invariant (*broken). */
static int world_fail(struct vmm *v, int k, u64 n, bool pages, int *changed,
		      int *broken)
{
	struct world_state before, after;
	struct world w;
	int r;

	v->ops->reset(v);
	world_open(v, &w);
	world_state(v, &w, &before);
	if (pages)
		alloc_fail_nth(hv_pool, n);
	else
		kmalloc_fail_nth(n);
	r = world_call(v, &w, k);
	alloc_fail_nth(hv_pool, 0);
	kmalloc_fail_nth(0);
	if (r >= 0)
		return 0;
	world_state(v, &w, &after);
	*changed += !!memcmp(&before, &after, sizeof(before));
	*broken += !!v->ops->check(v);
	return 1;
}

NATIVE_CASE(every_failed_call_changes_nothing)
{
	int failures = 0, changed = 0, broken = 0;

	for (int k = 0; k < WORLD_CALLS; k++)
		for (int pages = 0; pages < 2; pages++)
			for (u64 n = 1; n < 64; n++) {
				int c = changed;

				if (!world_fail(v, k, n, pages, &changed,
						&broken))
					break;
				failures++;
				if (changed != c)
					kt_diag(t,
						"call %d, failure %llu of %s: "
						"state changed",
						k, (unsigned long long)n,
						pages ? "pages" : "objects");
			}
	/* Every call needs at least one object. */
	KT_EXPECT_GE(t, failures, WORLD_CALLS);
	KT_EXPECT_EQ(t, changed, 0);
	KT_EXPECT_EQ(t, broken, 0);
}

NATIVE_CASE(check_catches_corrupted_state)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, SZ2M, SHARED_FLAGS));
	struct gmem_view *view = vmm_native_gmem(v, g);
	struct vm *obj = vmm_native_vm(v, vm);
	struct memslot *slot;
	struct gmem_chunk *c;

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, SZ2M, g, 0));
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 0, buf, 8));
	c = xmap_load(&view->mem->chunks, 0);
	KT_ASSERT(t, c != NULL);
	c->nr_present--;
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	c->nr_present++;
	view->mem->pages++;
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	view->mem->pages--;
	obj->flush_owed = true;
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	obj->flush_owed = false;
	slot = obj->slots.v[0].data;
	slot->gb.npages++;
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	slot->gb.npages--;
	slot->gmem_only = false;
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	slot->gmem_only = true;
	/* A slot its view forgot (the view's side alone looks fine). */
	ranges_remove(&view->bindings, 0);
	KT_EXPECT_ERRNO(t, v->ops->check(v), EIO);
	ranges_insert(&view->bindings, 0, CHUNK_PAGES, &slot->gb);
	KT_EXPECT_OK(t, v->ops->check(v));
}

/* Corrupt one thing the gmem checker looks at; it must say -EIO. */
#define EXPECT_CAUGHT(t, v, what)                                       \
	do {                                                            \
		if (!KT_EXPECT_ERRNO(t, (v)->ops->check(v), EIO))       \
			kt_diag(t, "not caught: %s", what);             \
	} while (0)

/*
 * One corruption per rule of hv/gmem_check.c, each undone before the
 * next, each one the other rules (and vm_check) would not see: memories
 * g1 (a huge chunk, views of VMs a and b) and g2 (3 pages: a small chunk).
 */
NATIVE_CASE(check_catches_each_gmem_corruption)
{
	static phys_addr_t zero_map[CHUNK_PAGES];
	struct gmem_chunk empty = {0};
	struct gmem_binding fake;
	int a = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int b = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g1 = CASE_OPEN(t, v->ops->create_gmem(v, a, 2 * SZ2M, SHARED_FLAGS));
	int g2 = CASE_OPEN(t, v->ops->create_gmem(v, a, 3 * PG, SHARED_FLAGS));
	int w = CASE_OPEN(t, v->ops->create_gmem_view(v, g1, b));
	struct gmem_view *v1, *v2;
	struct gmem_mem *m1, *m2;
	struct gmem_chunk *c1, *c2;
	struct range *r;
	phys_addr_t page0, saved_block, *saved_map;
	struct list_head *saved_prev;
	void *test_page;

	if (g1 < 0 || g2 < 0 || w < 0)
		return;
	v1 = vmm_native_gmem(v, g1);
	v2 = vmm_native_gmem(v, w);
	m1 = v1->mem;
	m2 = vmm_native_gmem(v, g2)->mem;
	KT_ASSERT(t, KT_EXPECT_OK(t, case_bind(v, a, 0, GB, SZ2M, g1, 0)) &&
			     KT_EXPECT_OK(t, case_bind(v, b, 0, GB, 4 * PG, w,
						       2 * PG)) &&
			     KT_EXPECT_OK(t, v->ops->host_write(v, g1, 0, buf,
								8)) &&
			     KT_EXPECT_OK(t, v->ops->host_write(v, g2, 0, buf,
								8)));
	c1 = xmap_load(&m1->chunks, 0);
	c2 = xmap_load(&m2->chunks, 0);
	KT_ASSERT(t, c1 && chunk_is_huge(c1) && c2 && c2->map && c2->map[0] &&
			     m2->shared.n == 1);
	KT_ASSERT(t, KT_EXPECT_OK(t, v->ops->check(v)));
	page0 = c2->map[0];
	saved_block = c1->block;

	/* A chunk with no page (such a chunk is freed at once). */
	KT_ASSERT(t, KT_EXPECT_OK(t, xmap_store(&m1->chunks, 1, &empty)));
	m1->nr_chunks++;
	EXPECT_CAUGHT(t, v, "empty chunk");
	xmap_erase(&m1->chunks, 1);
	m1->nr_chunks--;
	/* A huge chunk with a map. */
	c1->map = zero_map;
	m1->nr_maps++;
	EXPECT_CAUGHT(t, v, "huge chunk with a map");
	c1->map = NULL;
	m1->nr_maps--;
	/* A huge chunk whose block is an order-0 gmem block. */
	c1->block = page0;
	EXPECT_CAUGHT(t, v, "huge chunk on an order-0 block");
	c1->block = saved_block;
	/* Page counts that agree with the memories' totals but not with the
	 * chunks' bitmaps: one page moved from g1's count to g2's. */
	c1->nr_present--;
	m1->pages--;
	c2->nr_present++;
	m2->pages++;
	EXPECT_CAUGHT(t, v, "chunk counts off their bitmaps");
	c1->nr_present++;
	m1->pages++;
	c2->nr_present--;
	m2->pages--;
	/* A huge chunk missing a page, the counts agreeing (the page counted
	 * again in g2, at page 1 of its chunk, so every total holds). */
	c1->present[0] &= ~BIT(5);
	c1->nr_present--;
	m1->pages--;
	c2->present[0] |= BIT(1);
	c2->map[1] = page0;
	c2->nr_present++;
	m2->pages++;
	EXPECT_CAUGHT(t, v, "huge chunk missing a page");
	c1->present[0] |= BIT(5);
	c1->nr_present++;
	m1->pages++;
	c2->present[0] &= ~BIT(1);
	c2->map[1] = 0;
	c2->nr_present--;
	m2->pages--;
	/* A small chunk without its map. */
	saved_map = c2->map;
	c2->map = NULL;
	m2->nr_maps--;
	EXPECT_CAUGHT(t, v, "small chunk without a map");
	c2->map = saved_map;
	m2->nr_maps++;
	/* A shared extent past EOF. */
	m2->shared.v[0].end = 4;
	EXPECT_CAUGHT(t, v, "shared extent past EOF");
	m2->shared.v[0].end = 3;
	/* A small chunk's page that is an order-9 gmem block. */
	c2->map[0] = c1->block;
	EXPECT_CAUGHT(t, v, "page of order 9");
	/* ... or an order-0 block someone else owns. */
	test_page = alloc_pages(hv_pool, 0, OWN_TEST);
	KT_ASSERT(t, test_page != NULL);
	c2->map[0] = (phys_addr_t)test_page;
	EXPECT_CAUGHT(t, v, "page not owned by gmem");
	free_pages(hv_pool, test_page, 0, OWN_TEST);
	/* The page moved to index 3, the first past EOF. */
	c2->map[0] = 0;
	c2->map[3] = page0;
	c2->present[0] ^= BIT(0) | BIT(3);
	EXPECT_CAUGHT(t, v, "page at EOF");
	c2->present[0] ^= BIT(0) | BIT(3);
	c2->map[3] = 0;
	c2->map[0] = page0;
	/* Page counts off in two memories (their total right). */
	m1->pages++;
	m2->pages--;
	EXPECT_CAUGHT(t, v, "page counts");
	m1->pages--;
	m2->pages++;
	m1->nr_chunks++;
	EXPECT_CAUGHT(t, v, "chunk count");
	m1->nr_chunks--;
	m1->nr_maps++;
	EXPECT_CAUGHT(t, v, "map count");
	m1->nr_maps--;
	m1->nr_views++;
	EXPECT_CAUGHT(t, v, "view count");
	m1->nr_views--;
	/* A prepared page that is absent (and private, so only its absence
	 * is wrong). */
	m2->shared.v[0].end = 2;
	c2->prepared[0] |= BIT(2);
	EXPECT_CAUGHT(t, v, "prepared absent page");
	c2->prepared[0] &= ~BIT(2);
	m2->shared.v[0].end = 3;
	/* A view on g1's list that names g2's memory. */
	v2->mem = m2;
	EXPECT_CAUGHT(t, v, "view of another memory");
	v2->mem = m1;
	/* A memory with no view at all, counted so. */
	list_del(&v1->node);
	list_del(&v2->node);
	m1->nr_views = 0;
	EXPECT_CAUGHT(t, v, "memory without views");
	list_add(&v2->node, &m1->views);
	list_add(&v1->node, &m1->views);
	m1->nr_views = 2;
	/* A view whose list links do not point back at it. */
	saved_prev = v2->node.prev;
	v2->node.prev = &v2->node;
	EXPECT_CAUGHT(t, v, "mislinked view");
	v2->node.prev = saved_prev;
	/* An empty shared extent. */
	m2->shared.v[0].end = m2->shared.v[0].start;
	EXPECT_CAUGHT(t, v, "empty shared extent");
	m2->shared.v[0].end = 3;
	/* A pinned page that is not shared, then one that is not backed. */
	KT_ASSERT(t, KT_EXPECT_OK(t, vmm_native_pin(v, g2, 0)));
	m2->shared.v[0].start = 1;
	EXPECT_CAUGHT(t, v, "pinned private page");
	m2->shared.v[0].start = 0;
	KT_EXPECT_OK(t, vmm_native_unpin(v, g2, 0));
	KT_ASSERT(t, KT_EXPECT_OK(t, xmap_store(&m2->pins, 2, (void *)1)));
	EXPECT_CAUGHT(t, v, "pinned absent page");
	xmap_erase(&m2->pins, 2);
	/* ... or one in a chunk that does not exist. */
	KT_ASSERT(t, KT_EXPECT_OK(t, xmap_store(&m1->pins, 600, (void *)1)));
	EXPECT_CAUGHT(t, v, "pinned page of no chunk");
	xmap_erase(&m1->pins, 600);
	/* A prepared page that is shared. */
	c2->prepared[0] |= BIT(0);
	EXPECT_CAUGHT(t, v, "prepared shared page");
	c2->prepared[0] &= ~BIT(0);
	/* Bindings no slot holds, not matching their range [600, 610). */
	KT_ASSERT(t, KT_EXPECT_OK(t, ranges_reserve(&v1->bindings, 1)));
	ranges_insert(&v1->bindings, 600, 610, &fake);
	fake = (struct gmem_binding){ .view = v1, .pgoff = 601, .npages = 9 };
	EXPECT_CAUGHT(t, v, "binding starting elsewhere");
	fake = (struct gmem_binding){ .view = v1, .pgoff = 600, .npages = 11 };
	EXPECT_CAUGHT(t, v, "binding ending elsewhere");
	fake = (struct gmem_binding){ .view = v2, .pgoff = 600, .npages = 10 };
	EXPECT_CAUGHT(t, v, "binding of another view");
	ranges_remove(&v1->bindings, 600);
	/* An empty binding range (its binding agreeing with it). */
	ranges_insert(&v1->bindings, 600, 610, &fake);
	fake = (struct gmem_binding){ .view = v1, .pgoff = 600, .npages = 0 };
	r = ranges_lookup(&v1->bindings, 600);
	KT_ASSERT(t, r != NULL);
	r->end = 600;
	EXPECT_CAUGHT(t, v, "empty binding range");
	r->end = 610;
	ranges_remove(&v1->bindings, 600);
	/* A view off its memory's list holding a range that starts before its
	 * binding: only vm_check's gmem_binding_linked() can see it. */
	list_del(&v2->node);
	m1->nr_views--;
	r = ranges_lookup(&v2->bindings, 2);
	KT_ASSERT(t, r != NULL);
	r->start = 1;
	EXPECT_CAUGHT(t, v, "binding not at its range's start");
	r->start = 2;
	list_add(&v2->node, &m1->views);
	m1->nr_views++;
	/* A huge chunk crossing EOF: g1 cut to 1.5 chunks under its second,
	 * huge chunk (the shared extent cut with it). */
	KT_ASSERT(t, KT_EXPECT_OK(t, v->ops->host_write(v, g1, SZ2M, buf, 8)) &&
			     m1->shared.n == 1);
	m1->size -= SZ2M / 2;
	m1->shared.v[0].end -= CHUNK_PAGES / 2;
	EXPECT_CAUGHT(t, v, "huge chunk across EOF");
	m1->size += SZ2M / 2;
	m1->shared.v[0].end += CHUNK_PAGES / 2;
	KT_EXPECT_OK(t, v->ops->check(v));
}

/* Linux: a 64-byte struct page and ~8 bytes of xarray per 4 KiB page. */
#define LINUX_BYTES_PER_GIB ((64 + 8) * (GB / PG))

NATIVE_CASE(metadata_is_below_an_eighth_of_linux)
{
	u64 size = 64ULL << 20, per_gib;
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, size, SHARED_FLAGS));
	struct gmem_view *view = vmm_native_gmem(v, g);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, GMV_FALLOC_KEEP_SIZE, 0, size));
	per_gib = gmem_meta_bytes(view) * (GB / size);
	kt_diag(t, "2 MiB blocks: %llu bytes/GiB, Linux %llu",
		(unsigned long long)per_gib,
		(unsigned long long)LINUX_BYTES_PER_GIB);
	KT_EXPECT_LT(t, per_gib * 8, LINUX_BYTES_PER_GIB);
	/* Worst case: every chunk split and refilled page by page. */
	for (u64 off = 0; off < size; off += SZ2M) {
		v->ops->fallocate(v, g, PUNCH, off, PG);
		v->ops->host_write(v, g, off, buf, 8);
	}
	per_gib = gmem_meta_bytes(view) * (GB / size);
	kt_diag(t, "split chunks: %llu bytes/GiB", (unsigned long long)per_gib);
	KT_EXPECT_LT(t, per_gib * 8, LINUX_BYTES_PER_GIB);
	KT_EXPECT_EQ(t, gmem_backed_pages(view), size / PG);
}

static const struct kt_case native_gmem_cases[] = {
	KT_CASE(punch_zaps_every_vm_bound_to_the_range),
	KT_CASE(convert_zaps_every_vm_bound_to_the_range),
	KT_CASE(closing_a_view_zaps_and_detaches_its_slots),
	KT_CASE(attribute_changes_zap_only_what_slots_cover),
	KT_CASE(g102_pages_go_back_with_the_last_view),
	KT_CASE(punching_part_of_a_block_frees_just_those_pages),
	KT_CASE(pinned_pages_make_conversion_eagain),
	KT_CASE(failed_security_step_undoes_the_conversion),
	KT_CASE(conversion_out_of_memory_changes_nothing),
	KT_CASE(pin_out_of_memory_changes_nothing),
	KT_CASE(every_failed_call_changes_nothing),
	KT_CASE(check_catches_corrupted_state),
	KT_CASE(check_catches_each_gmem_corruption),
	KT_CASE(metadata_is_below_an_eighth_of_linux),
};

const struct kt_suite native_gmem_suite = {
	.name = "native_gmem",
	.cases = native_gmem_cases,
	.n_cases = ARRAY_SIZE(native_gmem_cases),
	.unsupported = native_unsupported,
};
