// SPDX-License-Identifier: MIT
/*
 * tests/common/native_fault_edges_test.c - edges of the native fault path
 * the s43_ cases of native_fault_test.c do not reach: a 2 MiB gmem block
 * under a slot that covers only part of its 2 MiB of guest addresses, the
 * VM's attributes over a gmem-only slot, and the VMM's own accesses to
 * private gfns and read-only slots.
 */
#include "hv/gmem.h"
#include "lib/mem.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define MIB (1ULL << 20)

static u8 buf[PG];

/* The mapping order a guest access at gpa may use, or -1. */
static int order_at(struct vmm *v, int vm, u64 gpa, unsigned int access)
{
	struct vm_fault f;

	if (n_guest(v, vm, gpa, buf, 8, access, &f))
		return -1;
	return f.max_order;
}

/*
 * Catches a 2 MiB mapping allowed past the slot: the gmem chunk is one
 * 2 MiB block, but each slot covers only half of the 2 MiB of guest
 * addresses around it, so a 2 MiB translation would map gfns outside the
 * slot.
 */
NATIVE_CASE(huge_block_under_part_of_a_slot_maps_4k)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, SZ2M, SHARED_FLAGS));

	if (g < 0)
		return;
	/* The first half of the 2 MiB at GB, then the second half at 2 GB
	 * + 1 MiB (gpa and offset congruent, so only the bounds decide). */
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, MIB, g, 0));
	KT_EXPECT_OK(t, case_bind(v, vm, 1, 2 * GB + MIB, MIB, g, MIB));
	KT_EXPECT_EQ(t, order_at(v, vm, GB + 5 * PG, 0), 0);
	KT_EXPECT_EQ(t, order_at(v, vm, 2 * GB + MIB + 5 * PG, 0), 0);
	/* The same block under a slot of its full 2 MiB maps as one. */
	KT_EXPECT_OK(t, case_delete(v, vm, 0));
	KT_EXPECT_OK(t, case_delete(v, vm, 1));
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, SZ2M, g, 0));
	KT_EXPECT_EQ(t, order_at(v, vm, GB + 5 * PG, 0), 9);
}

/*
 * Catches the VM's PRIVATE attribute consulted for a gmem-only slot's
 * mapping size: there the gmem's own state decides (in-place
 * conversion), so a private attribute on one of its gfns changes nothing.
 */
NATIVE_CASE(gmem_only_slot_ignores_vm_attributes_for_2m)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	int g = CASE_OPEN(t,
			  v->ops->create_gmem(v, vm, SZ2M, GMV_GMEM_FLAG_MMAP));
	u64 err_off;

	if (g < 0)
		return;
	KT_EXPECT_OK(t, v->ops->convert(v, g, 0, SZ2M, false, &err_off));
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, SZ2M, g, 0));
	KT_EXPECT_OK(t,
		     v->ops->set_attributes(v, vm, GB + 3 * PG, PG,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT_EQ(t, order_at(v, vm, GB + 3 * PG, 0), 9);
	KT_EXPECT_EQ(t, order_at(v, vm, GB, 0), 9);
}

/*
 * Catches the VMM's own accesses held to the PRIVATE attribute or to
 * READONLY: they go through the slot's shared backing (its userspace
 * mapping), which neither takes away.
 */
NATIVE_CASE(vmm_accesses_ignore_private_and_readonly)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	u8 in[8] = "host....", out[8] = {0};
	struct vm_fault f;

	if (vm < 0)
		return;
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, 4 * PG, -1, 0));
	KT_EXPECT_OK(t,
		     v->ops->set_attributes(v, vm, GB + PG, PG,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT_OK(t, v->ops->guest_write(v, vm, GB + PG, in, 8));
	KT_EXPECT_OK(t, v->ops->guest_read(v, vm, GB + PG, out, 8));
	KT_EXPECT_MEM_EQ(t, in, out, 8);
	/* So do they a read-only slot's: the guest's writes are MMIO. */
	KT_EXPECT_OK(
		t, case_region(v, vm, 1, GMV_MEM_READONLY, 2 * GB, PG, -1, 0));
	KT_EXPECT_OK(t, v->ops->guest_write(v, vm, 2 * GB, in, 8));
	KT_EXPECT_OK(t, v->ops->guest_read(v, vm, 2 * GB, out, 8));
	KT_EXPECT_MEM_EQ(t, in, out, 8);
	KT_EXPECT_ERRNO(t, n_guest(v, vm, 2 * GB, out, 8, VM_ACCESS_WRITE, &f),
			ENOENT);
	/* A guest's shared access there is a memory-fault exit. */
	KT_EXPECT_ERRNO(t, n_guest(v, vm, GB + PG, out, 8, 0, &f), EFAULT);
	KT_EXPECT_EQ(t, f.exit_reason, GMV_EXIT_MEMORY_FAULT);
}

/*
 * Catches the checks of the fault path in another order: the access kind
 * is held to the gfn's attribute before anything else (no slot, a
 * read-only slot), and a private access outside gmem is a private memory
 * fault even where a write would be MMIO.
 */
NATIVE_CASE(attribute_mismatch_comes_first)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	struct vm_fault f;

	if (vm < 0)
		return;
	/* A private gfn without a slot: a shared access is a (shared)
	 * memory fault, not MMIO. */
	KT_EXPECT_OK(t,
		     v->ops->set_attributes(v, vm, 3 * GB, PG,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT_ERRNO(t, n_guest(v, vm, 3 * GB, buf, 8, 0, &f), EFAULT);
	KT_EXPECT_EQ(t, f.exit_reason, GMV_EXIT_MEMORY_FAULT);
	KT_EXPECT_EQ(t, f.exit_flags, 0);
	/* A private write to a private gfn of a read-only normal slot: a
	 * private memory fault (no gmem), not MMIO. */
	KT_EXPECT_OK(t, case_region(v, vm, 0, GMV_MEM_READONLY, GB, PG, -1, 0));
	KT_EXPECT_OK(t,
		     v->ops->set_attributes(v, vm, GB, PG,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT_ERRNO(t,
			n_guest(v, vm, GB, buf, 8,
				VM_ACCESS_WRITE | VM_ACCESS_PRIVATE, &f),
			EFAULT);
	KT_EXPECT_EQ(t, f.exit_reason, GMV_EXIT_MEMORY_FAULT);
	KT_EXPECT_EQ(t, f.exit_flags, GMV_MEMORY_EXIT_FLAG_PRIVATE);
}

static const struct kt_case native_fault_edges_cases[] = {
	KT_CASE(huge_block_under_part_of_a_slot_maps_4k),
	KT_CASE(gmem_only_slot_ignores_vm_attributes_for_2m),
	KT_CASE(vmm_accesses_ignore_private_and_readonly),
	KT_CASE(attribute_mismatch_comes_first),
};

const struct kt_suite native_fault_edges_suite = {
	.name = "native_fault_edges",
	.cases = native_fault_edges_cases,
	.n_cases = ARRAY_SIZE(native_fault_edges_cases),
	.unsupported = native_unsupported,
};
