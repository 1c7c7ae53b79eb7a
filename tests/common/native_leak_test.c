// SPDX-License-Identifier: MIT
/*
 * tests/common/native_leak_test.c - everything the native backend takes
 * comes back: after a scenario and a reset, the hypervisor holds exactly
 * the kmalloc objects and the gmem, VM and page-table pages it held
 * before. The invariant checker cannot see a missing kfree() (a leaked
 * object is consistent, just unreachable), so each case counts.
 */
#include "hv/alloc.h"
#include "hv/base/kmalloc.h"
#include "hv/cc.h"
#include "lib/mem.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)

static u8 buf[PG];

struct held {
	u64 objects, kmalloc_pages, gmem, vm, pgtable;
};

static void held_now(struct held *h)
{
	struct kmalloc_stats ks;

	kmalloc_get_stats(&ks);
	h->objects = ks.objects;
	h->kmalloc_pages = ks.pages;
	h->gmem = alloc_owned_pages(hv_pool, OWN_GMEM);
	h->vm = alloc_owned_pages(hv_pool, OWN_VM);
	h->pgtable = alloc_owned_pages(hv_pool, OWN_PGTABLE);
}

/* One check per kind: what is held now is what 'before' held. */
static void expect_held(struct kt *t, const struct held *before)
{
	struct held now;

	held_now(&now);
	KT_EXPECT_EQ(t, now.objects, before->objects);
	KT_EXPECT_EQ(t, now.kmalloc_pages, before->kmalloc_pages);
	KT_EXPECT_EQ(t, now.gmem, before->gmem);
	KT_EXPECT_EQ(t, now.vm, before->vm);
	KT_EXPECT_EQ(t, now.pgtable, before->pgtable);
}

/* The backend empty (its handle table freed too) and what it holds so. */
static void start(struct vmm *v, struct held *h)
{
	v->ops->reset(v);
	held_now(h);
}

static void finish(struct kt *t, struct vmm *v, const struct held *h)
{
	KT_EXPECT_OK(t, v->ops->check(v));
	v->ops->reset(v);
	expect_held(t, h);
}

/*
 * Catches a chunk, its page map, the chunk index or the memory itself not
 * freed: a 2 MiB chunk split by a punch and refilled (it gets a map), a
 * chunk crossing EOF (single pages, a map), a chunk emptied by a punch,
 * then the last view closed.
 */
NATIVE_CASE(gmem_chunks_and_maps_go_back)
{
	struct held h, open;
	int vm, g;

	start(v, &h);
	vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	g = CASE_OPEN(t,
		      v->ops->create_gmem(v, vm, SZ2M + 16 * PG, SHARED_FLAGS));
	if (g < 0)
		return;
	held_now(&open);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 0, buf, PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 3 * PG, PG));
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 3 * PG, buf, PG));
	KT_EXPECT_OK(t, v->ops->host_write(v, g, SZ2M + 5 * PG, buf, PG));
	/* Punching everything leaves no chunk behind. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 0, SZ2M + 16 * PG));
	expect_held(t, &open);
	/* And closing a memory with chunks in it frees them all. */
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 7 * PG, buf, PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 7 * PG, PG));
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 7 * PG, buf, PG));
	KT_EXPECT_OK(t, v->ops->host_write(v, g, SZ2M, buf, PG));
	finish(t, v, &h);
}

/* Catches the pin index of a memory not freed with it. */
NATIVE_CASE(pins_go_back_with_the_memory)
{
	struct held h;
	int vm, g;

	start(v, &h);
	vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 4 * SZ2M, SHARED_FLAGS));
	if (g < 0)
		return;
	/* Far apart, so the index needs several nodes. */
	for (u64 p = 0; p < 4 * SZ2M / PG; p += 300)
		KT_EXPECT_OK(t, vmm_native_pin(v, g, p * PG));
	finish(t, v, &h);
}

/* Catches the shared extents of a memory not freed with it. */
NATIVE_CASE(shared_extents_go_back_with_the_memory)
{
	struct held h;
	u64 err_off;
	int vm, g;

	start(v, &h);
	vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 256 * PG, SHARED_FLAGS));
	if (g < 0)
		return;
	/* Every other page private: 128 extents, past one kmalloc page. */
	for (u64 p = 0; p < 256; p += 2)
		KT_EXPECT_OK(t,
			     v->ops->convert(v, g, p * PG, PG, true, &err_off));
	finish(t, v, &h);
}

/* Catches a view, or its binding index, not freed when it is closed
 * while other views keep the memory. */
NATIVE_CASE(views_and_their_bindings_go_back)
{
	struct held h;
	int a, b, g, view;

	start(v, &h);
	a = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	b = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	g = CASE_OPEN(t, v->ops->create_gmem(v, a, 64 * PG, SHARED_FLAGS));
	view = CASE_OPEN(t, v->ops->create_gmem_view(v, g, b));
	if (view < 0)
		return;
	for (u32 s = 0; s < 8; s++) {
		KT_EXPECT_OK(t, case_bind(v, a, s, GB + s * SZ2M, 8 * PG, g,
					  s * 8 * PG));
		KT_EXPECT_OK(t, case_bind(v, b, s, GB + s * SZ2M, 8 * PG, view,
					  s * 8 * PG));
	}
	KT_EXPECT_OK(t, v->ops->close(v, view));
	KT_EXPECT_OK(t, v->ops->close(v, b));
	finish(t, v, &h);
}

/* Catches a memslot, its own memory or the attribute extents of a VM
 * not freed. */
NATIVE_CASE(slots_and_attributes_go_back)
{
	struct held h;
	struct vm_fault f;
	int vm;

	start(v, &h);
	vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	if (vm < 0)
		return;
	for (u32 s = 0; s < 4; s++) {
		KT_EXPECT_OK(t, case_region(v, vm, s, 0, GB + s * SZ2M, 16 * PG,
					    -1, 0));
		KT_EXPECT_OK(t, n_guest(v, vm, GB + s * SZ2M + s * PG, buf, 8,
					VM_ACCESS_WRITE, &f));
	}
	KT_EXPECT_OK(t, case_delete(v, vm, 2));
	for (u64 p = 0; p < 256; p += 2)
		KT_EXPECT_OK(t, v->ops->set_attributes(
					v, vm, 2 * GB + p * PG, PG,
					GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	finish(t, v, &h);
}

/* Catches a slot not freed when creating it fails late (its binding or
 * its address refused). */
NATIVE_CASE(failed_slot_creation_holds_nothing)
{
	struct held h;
	int vm, g, other;

	start(v, &h);
	vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	other = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 16 * PG, 0));
	if (g < 0 || other < 0)
		return;
	/* Past EOF, another VM's gmem, a bad handle, past the last gfn. */
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, 32 * PG, g, 0), EINVAL);
	KT_EXPECT_ERRNO(t, case_bind(v, other, 0, GB, PG, g, 0), EINVAL);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, PG, 12345, 0), EBADF);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, 1ULL << 52, PG, g, 0), EINVAL);
	KT_EXPECT_ERRNO(t, case_region(v, vm, 0, 0, 1ULL << 52, PG, -1, 0),
			EINVAL);
	/* The slot indexes may keep the room they grew (until the VMs
	 * go); the slots themselves must be gone. */
	finish(t, v, &h);
}

static int fail_vm_init(struct vm *vm)
{
	return -EIO;
}

static const struct cc_ops init_fails = {
	.name = "init-fails",
	.vm_type = GMV_VM_SW_PROTECTED,
	.private_source = CC_PRIVATE_ATTRIBUTE,
	.vm_init = fail_vm_init,
};

/* Catches a VM not freed when its security model's vm_init() fails. */
NATIVE_CASE(failed_vm_creation_holds_nothing)
{
	const struct cc_ops *old;
	struct held h;
	int vm;

	start(v, &h);
	old = cc_use(&init_fails);
	vm = v->ops->create_vm(v, GMV_VM_SW_PROTECTED);
	cc_use(old);
	KT_EXPECT_ERRNO(t, vm, EIO);
	finish(t, v, &h);
}

static const char *lacks_vcpu(struct kt *t)
{
	struct vmm *v = &native_vmm_for_tests;

	return v->ops->lacks(v, VMM_FEAT_VCPU);
}

/*
 * Catches the nested paging state of a VM (its vCPUs, their control
 * blocks, the nested page table) not released with the VM. Only where
 * vCPUs run (the payload); the host build has none.
 */
NATIVE_CASE(vcpus_and_nested_tables_go_back)
{
	struct held h;
	int vm, g;

	start(v, &h);
	vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	g = CASE_OPEN(t, v->ops->create_gmem(v, vm, SZ2M, SHARED_FLAGS));
	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, SZ2M, g, 0));
	KT_EXPECT(t, v->ops->create_vcpu(v, vm) >= 0);
	KT_EXPECT(t, v->ops->create_vcpu(v, vm) >= 0);
	finish(t, v, &h);
}

static const struct kt_case native_leak_cases[] = {
	KT_CASE(gmem_chunks_and_maps_go_back),
	KT_CASE(pins_go_back_with_the_memory),
	KT_CASE(shared_extents_go_back_with_the_memory),
	KT_CASE(views_and_their_bindings_go_back),
	KT_CASE(slots_and_attributes_go_back),
	KT_CASE(failed_slot_creation_holds_nothing),
	KT_CASE(failed_vm_creation_holds_nothing),
	KT_CASE_IF(vcpus_and_nested_tables_go_back, lacks_vcpu),
};

const struct kt_suite native_leak_suite = {
	.name = "native_leak",
	.cases = native_leak_cases,
	.n_cases = ARRAY_SIZE(native_leak_cases),
	.unsupported = native_unsupported,
};
