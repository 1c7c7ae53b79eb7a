// SPDX-License-Identifier: MIT
/*
 * tests/common/native_gmem_edges_test.c - corners of the native gmem that
 * the other suites pass by: pin counts, which pins a punch drops (and
 * keeps when it stops), allocation failures on the way to a page, a
 * prepare() that fails page by page, and the mapping size a default VM
 * gets over a 2 MiB range of mixed state. Each case names the bug it is
 * there to catch.
 */
#include "hv/alloc.h"
#include "hv/base/kmalloc.h"
#include "hv/cc.h"
#include "hv/gmem.h"
#include "lib/mem.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)

static u8 buf[PG];

/* A default VM and an MMAP, INIT_SHARED gmem of 'size' bytes; -1 after a
 * failed check. */
static int shared_gmem(struct kt *t, struct vmm *v, u64 size)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return -1;
	return CASE_OPEN(t, v->ops->create_gmem(v, vm, size, SHARED_FLAGS));
}

/* Catches a pin drop that does not count down: two pins need two unpins
 * before the page may change state; and a pin looked for one page past
 * the range converted. */
NATIVE_CASE(pins_are_counted)
{
	int g = shared_gmem(t, v, 16 * PG);
	u64 err_off;

	if (g < 0)
		return;
	KT_EXPECT_OK(t, vmm_native_pin(v, g, 3 * PG));
	KT_EXPECT_OK(t, vmm_native_pin(v, g, 3 * PG));
	KT_EXPECT_OK(t, vmm_native_unpin(v, g, 3 * PG));
	KT_EXPECT_ERRNO(t, v->ops->convert(v, g, 0, 16 * PG, true, &err_off),
			EAGAIN);
	KT_EXPECT_EQ(t, err_off, 3 * PG);
	KT_EXPECT_OK(t, vmm_native_unpin(v, g, 3 * PG));
	KT_EXPECT_ERRNO(t, vmm_native_unpin(v, g, 3 * PG), EINVAL);
	KT_EXPECT_OK(t, v->ops->convert(v, g, 0, 16 * PG, true, &err_off));
	/* A pin right after the range does not stop it. */
	KT_EXPECT_OK(t, v->ops->convert(v, g, 0, 16 * PG, false, &err_off));
	KT_EXPECT_OK(t, vmm_native_pin(v, g, 4 * PG));
	KT_EXPECT_OK(t, v->ops->convert(v, g, 0, 4 * PG, true, &err_off));
	KT_EXPECT_OK(t, vmm_native_unpin(v, g, 4 * PG));
}

/* Catches a punch that drops the pin of the page after its range (or
 * before it). */
NATIVE_CASE(punch_drops_exactly_its_pins)
{
	int g = shared_gmem(t, v, 16 * PG);

	if (g < 0)
		return;
	for (u64 p = 0; p < 4; p++)
		KT_EXPECT_OK(t, vmm_native_pin(v, g, p * PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, PG, PG));
	KT_EXPECT_ERRNO(t, vmm_native_unpin(v, g, PG), EINVAL);
	KT_EXPECT_OK(t, vmm_native_unpin(v, g, 0));
	KT_EXPECT_OK(t, vmm_native_unpin(v, g, 2 * PG));
	KT_EXPECT_OK(t, vmm_native_unpin(v, g, 3 * PG));
}

static int refuse_split(phys_addr_t pa)
{
	return -EIO;
}

/* A model for default VMs that never lets a 2 MiB block be split. */
static const struct cc_ops no_split = {
	.name = "no-split",
	.vm_type = GMV_VM_DEFAULT,
	.private_source = CC_PRIVATE_NEVER,
	.split = refuse_split,
};

/*
 * Catches a punch stopped by a refused split that still drops pins: the
 * punch fails with the model's error and every page keeps its data and
 * its pins (a wrong bound on the pin range once took them all).
 */
NATIVE_CASE(refused_split_keeps_data_and_pins)
{
	const struct cc_ops *old = cc_use(&no_split);
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g;

	cc_use(old);
	if (vm < 0)
		return;
	g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 2 * SZ2M, SHARED_FLAGS));
	if (g < 0)
		return;
	memset(buf, 0x6e, PG);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 0, buf, PG));
	KT_EXPECT_OK(t, vmm_native_pin(v, g, 0));
	KT_EXPECT_OK(t, vmm_native_pin(v, g, 5 * PG));
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, PUNCH, 0, PG), EIO);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, PUNCH, 4 * PG, 2 * PG), EIO);
	KT_EXPECT_OK(t, vmm_native_unpin(v, g, 0));
	KT_EXPECT_OK(t, vmm_native_unpin(v, g, 5 * PG));
	memset(buf, 0, PG);
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 0, buf, PG));
	KT_EXPECT_EQ(t, buf[0] & buf[PG - 1], 0x6e);
	/* A whole block needs no split: it goes. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 0, SZ2M));
}

/* Write page p of g with the n-th kmalloc() (objects) or alloc_pages()
 * (pages) from now failing. */
static int write_failing(struct vmm *v, int g, u64 p, u64 n, bool pages)
{
	int r;

	if (pages)
		alloc_fail_nth(hv_pool, n);
	else
		kmalloc_fail_nth(n);
	r = v->ops->host_write(v, g, p * PG, buf, 8);
	alloc_fail_nth(hv_pool, 0);
	kmalloc_fail_nth(0);
	return r;
}

/*
 * Catches a failed chunk, page map or page allocation that is not taken
 * back (an empty chunk left behind) or not noticed at all: in a chunk
 * that crosses EOF every page is single, so the chunk, its map and the
 * page are allocated one by one, and each can fail.
 */
NATIVE_CASE(page_allocation_failures_change_nothing)
{
	int g = shared_gmem(t, v, 16 * PG);
	struct gmem_view *view = vmm_native_gmem(v, g);
	int failures = 0, wrong = 0;

	if (g < 0)
		return;
	for (u64 p = 0; p < 2; p++) {
		for (int pages = 0; pages < 2; pages++) {
			for (u64 n = 1; n < 8; n++) {
				struct kmalloc_stats before, after;
				u64 backed = gmem_backed_pages(view);
				int r;

				kmalloc_get_stats(&before);
				r = write_failing(v, g, p, n, pages);
				if (!r)
					break;
				failures++;
				kmalloc_get_stats(&after);
				wrong += r != -ENOMEM;
				wrong += after.objects != before.objects;
				wrong += gmem_backed_pages(view) != backed;
				wrong += !!v->ops->check(v);
			}
			KT_EXPECT_OK(
				t, v->ops->fallocate(v, g, PUNCH, p * PG, PG));
		}
		/* Page 1 goes into a chunk that exists already. */
		KT_EXPECT_OK(t, v->ops->host_write(v, g, 0, buf, 8));
	}
	/* The chunk, the map and the page of page 0; the page of page 1. */
	KT_EXPECT_GE(t, failures, 4);
	KT_EXPECT_EQ(t, wrong, 0);
}

/*
 * Catches fallocate ignoring an allocation that failed: it keeps the
 * pages it got (as Linux does) but reports ENOMEM.
 */
NATIVE_CASE(fallocate_out_of_memory_is_enomem)
{
	int g = shared_gmem(t, v, 16 * PG);
	int failures = 0, wrong = 0;

	if (g < 0)
		return;
	for (u64 n = 1; n < 24; n++) {
		int r;

		KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 0, 16 * PG));
		alloc_fail_nth(hv_pool, n);
		r = v->ops->fallocate(v, g, GMV_FALLOC_KEEP_SIZE, 0, 16 * PG);
		alloc_fail_nth(hv_pool, 0);
		if (!r)
			break;
		failures++;
		wrong += r != -ENOMEM;
		wrong += !!v->ops->check(v);
	}
	/* The map and each of the 16 pages. */
	KT_EXPECT_GE(t, failures, 17);
	KT_EXPECT_EQ(t, wrong, 0);
}

/*
 * Catches a first binding of a view that does not check the room for
 * its binding index: it must fail with ENOMEM and bind nothing.
 */
NATIVE_CASE(first_binding_out_of_memory_binds_nothing)
{
	int failures = 0, wrong = 0;

	for (u64 n = 1; n < 16; n++) {
		int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
		int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 16 * PG, 0));
		int r;

		if (g < 0)
			return;
		kmalloc_fail_nth(n);
		r = case_bind(v, vm, 0, GB, 16 * PG, g, 0);
		kmalloc_fail_nth(0);
		if (!r)
			break;
		failures++;
		wrong += r != -ENOMEM;
		wrong += !!v->ops->check(v);
		/* Nothing was bound: the whole file binds now. */
		wrong += !!case_bind(v, vm, 0, GB, 16 * PG, g, 0);
		v->ops->reset(v);
	}
	/* The slot index, the slot, the binding index. */
	KT_EXPECT_GE(t, failures, 3);
	KT_EXPECT_EQ(t, wrong, 0);
}

/* A model for sw_protected VMs whose prepare() fails at its fail_at-th
 * call, with a settable max_order(). */
static struct {
	unsigned int calls, fail_at, max_order, last_order;
} prep;

static int prep_prepare(struct vm *vm, u64 gfn, phys_addr_t pa,
			unsigned int order)
{
	prep.last_order = order;
	return ++prep.calls == prep.fail_at ? -EIO : 0;
}

static unsigned int prep_max_order(struct vm *vm, u64 gfn, phys_addr_t pa)
{
	return prep.max_order;
}

static const struct cc_ops prep_model = {
	.name = "prepare-fails",
	.vm_type = GMV_VM_SW_PROTECTED,
	.private_source = CC_PRIVATE_ATTRIBUTE,
	.prepare = prep_prepare,
	.max_order = prep_max_order,
};

/*
 * Catches a page-by-page prepare() whose failure is ignored: with one
 * page of a 2 MiB block prepared, a 2 MiB private fault prepares the
 * others one by one; when one fails the fault fails, and the pages from
 * the failed one on are prepared at the next fault.
 */
NATIVE_CASE(page_by_page_prepare_failure_fails_the_fault)
{
	const struct cc_ops *old = cc_use(&prep_model);
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	struct vm_fault f;
	int g;

	cc_use(old);
	if (vm < 0)
		return;
	g = CASE_OPEN(t, v->ops->create_gmem(v, vm, SZ2M, 0));
	if (g < 0)
		return;
	KT_ASSERT_OK(t, case_bind(v, vm, 0, GB, SZ2M, g, 0));
	KT_ASSERT_OK(t,
		     v->ops->set_attributes(v, vm, GB, SZ2M,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	memset(&prep, 0, sizeof(prep));
	/* Page 5 alone. */
	KT_EXPECT_OK(
		t, n_guest(v, vm, GB + 5 * PG, buf, 8, VM_ACCESS_PRIVATE, &f));
	KT_EXPECT_EQ(t, prep.calls, 1);
	/* The rest page by page; the third of them fails. */
	prep.max_order = 9;
	prep.calls = 0;
	prep.fail_at = 3;
	KT_EXPECT_ERRNO(t, n_guest(v, vm, GB, buf, 8, VM_ACCESS_PRIVATE, &f),
			EIO);
	KT_EXPECT_EQ(t, prep.calls, 3);
	/* Two pages were prepared before the failure: 509 are left. */
	prep.calls = 0;
	prep.fail_at = 0;
	KT_EXPECT_OK(t, n_guest(v, vm, GB, buf, 8, VM_ACCESS_PRIVATE, &f));
	KT_EXPECT_EQ(t, prep.calls, 509);
	KT_EXPECT_EQ(t, f.max_order, 9);
}

/*
 * Catches a 2 MiB block prepared whole for a binding that does not map
 * all of it at a 2 MiB aligned gfn: the model would prepare pages the
 * faulting VM cannot map there. The binding covers half the block, starts
 * inside it, or maps it at a gfn off by a page: each private fault
 * prepares one page.
 */
NATIVE_CASE(block_prepared_whole_only_where_the_binding_maps_it)
{
	static const struct {
		u64 gpa, size, offset;
	} bindings[] = {
		{GB, SZ2M / 2, 0},
		{GB + SZ2M / 2, SZ2M / 2, SZ2M / 2},
		{GB + PG, SZ2M, 0},
	};
	const struct cc_ops *old = cc_use(&prep_model);
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	struct vm_fault f;

	cc_use(old);
	if (vm < 0)
		return;
	KT_ASSERT_OK(t,
		     v->ops->set_attributes(v, vm, GB, 2 * SZ2M,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	for (size_t i = 0; i < ARRAY_SIZE(bindings); i++) {
		int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, SZ2M, 0));

		if (g < 0)
			return;
		KT_ASSERT_OK(t, case_bind(v, vm, 0, bindings[i].gpa,
					  bindings[i].size, g,
					  bindings[i].offset));
		memset(&prep, 0, sizeof(prep));
		prep.max_order = 9;
		KT_EXPECT_OK(t, n_guest(v, vm, bindings[i].gpa, buf, 8,
					VM_ACCESS_PRIVATE, &f));
		KT_EXPECT_EQ(t, prep.calls, 1);
		if (!KT_EXPECT_EQ(t, prep.last_order, 0))
			kt_diag(t, "binding %zu prepared order %u", i,
				prep.last_order);
		KT_EXPECT_EQ(t, f.max_order, 0);
		KT_EXPECT_OK(t, case_delete(v, vm, 0));
		KT_EXPECT_OK(t, v->ops->close(v, g));
	}
}

/*
 * Catches a default VM's fault that looks at the memory's private/shared
 * state: default VMs never check it (README), so a 2 MiB range with one
 * page converted is still one 2 MiB mapping for them.
 */
NATIVE_CASE(default_vm_maps_2m_over_mixed_state)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, SZ2M, SHARED_FLAGS));
	struct vm_fault f;
	u64 err_off;

	if (g < 0)
		return;
	KT_ASSERT_OK(t, case_bind(v, vm, 0, GB, SZ2M, g, 0));
	KT_EXPECT_OK(t, v->ops->convert(v, g, 7 * PG, PG, true, &err_off));
	KT_EXPECT_OK(t, n_guest(v, vm, GB + 7 * PG, buf, 8, 0, &f));
	KT_EXPECT(t, f.from_gmem);
	KT_EXPECT_EQ(t, f.max_order, 9);
}

/*
 * Catches an attribute change that does not check the room for its
 * extents: out of memory it fails with ENOMEM and changes nothing.
 */
NATIVE_CASE(attributes_out_of_memory_change_nothing)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	int failures = 0, wrong = 0;

	if (vm < 0)
		return;
	/* Every other page: each call adds an extent, and the array
	 * grows now and then. */
	for (u64 p = 0; p < 64; p += 2) {
		int r;

		kmalloc_fail_nth(1);
		r = v->ops->set_attributes(v, vm, GB + p * PG, PG,
					   GMV_MEMORY_ATTRIBUTE_PRIVATE, 0);
		kmalloc_fail_nth(0);
		if (r) {
			failures++;
			wrong += r != -ENOMEM;
			wrong += !!v->ops->check(v);
			r = v->ops->set_attributes(v, vm, GB + p * PG, PG,
						   GMV_MEMORY_ATTRIBUTE_PRIVATE,
						   0);
		}
		wrong += !!r;
	}
	KT_EXPECT_GE(t, failures, 2);
	KT_EXPECT_EQ(t, wrong, 0);
}

static const struct kt_case native_gmem_edges_cases[] = {
	KT_CASE(pins_are_counted),
	KT_CASE(punch_drops_exactly_its_pins),
	KT_CASE(refused_split_keeps_data_and_pins),
	KT_CASE(page_allocation_failures_change_nothing),
	KT_CASE(fallocate_out_of_memory_is_enomem),
	KT_CASE(first_binding_out_of_memory_binds_nothing),
	KT_CASE(page_by_page_prepare_failure_fails_the_fault),
	KT_CASE(block_prepared_whole_only_where_the_binding_maps_it),
	KT_CASE(default_vm_maps_2m_over_mixed_state),
	KT_CASE(attributes_out_of_memory_change_nothing),
};

const struct kt_suite native_gmem_edges_suite = {
	.name = "native_gmem_edges",
	.cases = native_gmem_edges_cases,
	.n_cases = ARRAY_SIZE(native_gmem_edges_cases),
	.unsupported = native_unsupported,
};
