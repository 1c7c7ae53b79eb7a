// SPDX-License-Identifier: MIT
/*
 * tests/common/native_fault_test.c - the native guest fault path (hv/vm.h):
 * which memory a guest access reaches (G88-G95), the memory-fault exits of
 * private memory (s42_: arch/x86/kvm/mmu/mmu.c kvm_mmu_faultin_pfn()) and
 * when a 2 MiB mapping is allowed (s43_: the block aligned within its slot
 * and of one attribute, as mmu.c tracks in the slot's lpage_info).
 * Native only: the interface has no guest accesses without vCPUs.
 */
#include "hv/gmem.h"
#include "lib/mem.h"
#include "tests/common/native.h"
#include "tests/suites.h"

#define PRIV VM_ACCESS_PRIVATE
#define WR VM_ACCESS_WRITE
#define SHARED_FLAGS (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)

static u8 buf[PG];

static bool is_memory_fault(struct kt *t, const struct vm_fault *f, u64 gpa,
			    bool private)
{
	return KT_EXPECT_EQ(t, f->exit_reason, GMV_EXIT_MEMORY_FAULT) &&
	       KT_EXPECT_EQ(t, f->exit_gpa, gpa & ~(PG - 1)) &&
	       KT_EXPECT_EQ(t, f->exit_size, PG) &&
	       KT_EXPECT_EQ(t, f->exit_flags,
			    private ? GMV_MEMORY_EXIT_FLAG_PRIVATE : 0);
}

NATIVE_CASE(g95_no_slot_is_mmio)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	struct vm_fault f;

	if (vm < 0)
		return;
	KT_EXPECT_ERRNO(t, n_guest(v, vm, GB + 12, buf, 4, 0, &f), ENOENT);
	KT_EXPECT_EQ(t, f.exit_reason, GMV_EXIT_MMIO);
	KT_EXPECT_EQ(t, f.exit_gpa, GB + 12);
	/* A private access on a VM without private memory never matches
	 * its (shared) attribute. */
	KT_EXPECT_ERRNO(t, n_guest(v, vm, GB + 12, buf, 4, PRIV, &f), EFAULT);
	is_memory_fault(t, &f, GB + 12, true);
	/* Writes to a read-only slot are MMIO too; reads work. */
	KT_EXPECT_OK(t, case_region(v, vm, 0, GMV_MEM_READONLY, GB, PG, -1, 0));
	KT_EXPECT_OK(t, n_guest(v, vm, GB, buf, 8, 0, &f));
	KT_EXPECT_ERRNO(t, n_guest(v, vm, GB, buf, 8, WR, &f), ENOENT);
	KT_EXPECT_EQ(t, f.exit_reason, GMV_EXIT_MMIO);
}

NATIVE_CASE(g88_slot_without_mmap_gmem_uses_its_own_memory)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 16 * PG, 0));
	struct vm_fault f;
	u8 in[8] = "88888888", out[8];

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 16 * PG, g, 0));
	KT_EXPECT_OK(t, n_guest(v, vm, GB + 5 * PG, in, 8, WR, &f));
	KT_EXPECT(t, !f.from_gmem);
	KT_EXPECT_EQ(t, gmem_backed_pages(vmm_native_gmem(v, g)), 0);
	/* Punching or closing the gmem does not touch that memory. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, g,
					  GMV_FALLOC_PUNCH_HOLE |
						  GMV_FALLOC_KEEP_SIZE,
					  0, 16 * PG));
	KT_EXPECT_OK(t, v->ops->close(v, g));
	KT_EXPECT_OK(t, n_guest(v, vm, GB + 5 * PG, out, 8, 0, &f));
	KT_EXPECT_MEM_EQ(t, in, out, 8);
}

NATIVE_CASE(g89_gmem_only_slot_is_coherent_with_the_host)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 16 * PG, SHARED_FLAGS));
	struct vm_fault f;

	if (g < 0)
		return;
	/* test_guest_memfd_guest: a slot at 4 GiB, host 0xaa, guest 0xff. */
	KT_EXPECT_OK(t, case_bind(v, vm, 0, 4 * GB, 16 * PG, g, 0));
	memset(buf, 0xaa, PG);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 3 * PG, buf, PG));
	memset(buf, 0, PG);
	KT_EXPECT_OK(t, n_guest(v, vm, 4 * GB + 3 * PG, buf, PG, 0, &f));
	KT_EXPECT(t, f.from_gmem);
	KT_EXPECT_EQ(t, buf[0] & buf[PG - 1], 0xaa);
	memset(buf, 0xff, PG);
	KT_EXPECT_OK(t, n_guest(v, vm, 4 * GB + 3 * PG, buf, PG, WR, &f));
	memset(buf, 0, PG);
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 3 * PG, buf, PG));
	KT_EXPECT_EQ(t, buf[0] & buf[PG - 1], 0xff);
}

NATIVE_CASE(g91_guest_uses_mmap_gmem_the_host_cannot)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(
		t, v->ops->create_gmem(v, vm, 16 * PG, GMV_GMEM_FLAG_MMAP));
	struct vm_fault f;
	u8 in[4] = "9191", out[4] = "";

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 16 * PG, g, 0));
	KT_EXPECT_OK(t, n_guest(v, vm, GB, out, 4, 0, &f));
	KT_EXPECT(t, f.from_gmem && mem_is_zero(out, 4));
	KT_EXPECT_OK(t, n_guest(v, vm, GB, in, 4, WR, &f));
	KT_EXPECT_OK(t, n_guest(v, vm, GB, out, 4, 0, &f));
	KT_EXPECT_MEM_EQ(t, in, out, 4);
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, g, 0, out, 4), VMM_SIGBUS);
}

NATIVE_CASE(g92_punch_gives_the_guest_a_zero_page)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 16 * PG, SHARED_FLAGS));
	struct vm *obj = vmm_native_vm(v, vm);
	struct vm_fault f;
	u8 in[4] = "9292", out[4];
	u64 since;

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 16 * PG, g, 0));
	KT_EXPECT_OK(t, n_guest(v, vm, GB + 2 * PG, in, 4, WR, &f));
	since = vm_zaps(obj)->nr_zaps;
	KT_EXPECT_OK(t, v->ops->fallocate(v, g,
					  GMV_FALLOC_PUNCH_HOLE |
						  GMV_FALLOC_KEEP_SIZE,
					  2 * PG, PG));
	KT_EXPECT(t,
		  vm_zapped_since(obj, since, (GB >> 12) + 2, (GB >> 12) + 3));
	KT_EXPECT_OK(t, n_guest(v, vm, GB + 2 * PG, out, 4, 0, &f));
	KT_EXPECT(t, mem_is_zero(out, 4));
	/* A host write into the hole is what the guest sees next. */
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 2 * PG, in, 4));
	KT_EXPECT_OK(t, n_guest(v, vm, GB + 2 * PG, out, 4, 0, &f));
	KT_EXPECT_MEM_EQ(t, in, out, 4);
}

NATIVE_CASE(g93_released_gmem_gives_memory_fault_exits)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 16 * PG, SHARED_FLAGS));
	int g2 =
		CASE_OPEN(t, v->ops->create_gmem(v, vm, 16 * PG, SHARED_FLAGS));
	struct vm_fault f;
	u8 out[4] = "ffff";

	if (g < 0 || g2 < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 16 * PG, g, 0));
	KT_EXPECT_OK(t, v->ops->close(v, g));
	for (int i = 0; i < 2; i++) {
		KT_EXPECT_ERRNO(t, n_guest(v, vm, GB + PG + 9, out, 1, 0, &f),
				EFAULT);
		is_memory_fault(t, &f, GB + PG + 9, false);
	}
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, 0, 0, -1, 0));
	KT_EXPECT_ERRNO(t, n_guest(v, vm, GB + PG, out, 1, 0, &f), ENOENT);
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 16 * PG, g2, 0));
	KT_EXPECT_OK(t, n_guest(v, vm, GB + PG, out, 4, 0, &f));
	KT_EXPECT(t, mem_is_zero(out, 4));
}

NATIVE_CASE(s42_gmem_only_slot_takes_its_attribute_from_the_gmem)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	int g = CASE_OPEN(
		t, v->ops->create_gmem(v, vm, 16 * PG, GMV_GMEM_FLAG_MMAP));
	struct vm *obj = vmm_native_vm(v, vm);
	struct vm_fault f;
	u64 at = GB + 4 * PG, err_off;
	u8 b[4];

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 16 * PG, g, 0));
	/* The gmem starts private, and so do the gfns it backs. */
	KT_EXPECT(t, vm_gfn_private(obj, at >> 12));
	KT_EXPECT_OK(t, n_guest(v, vm, at, b, 4, PRIV | WR, &f));
	KT_EXPECT(t, f.from_gmem);
	KT_EXPECT_ERRNO(t, n_guest(v, vm, at, b, 4, 0, &f), EFAULT);
	is_memory_fault(t, &f, at, false);
	/* Converting the page converts the gfn; nothing else moves. */
	KT_EXPECT_OK(t, v->ops->convert(v, g, 4 * PG, PG, false, &err_off));
	KT_EXPECT(t, !vm_gfn_private(obj, at >> 12));
	KT_EXPECT(t, vm_gfn_private(obj, (at >> 12) + 1));
	KT_EXPECT_OK(t, n_guest(v, vm, at, b, 4, 0, &f));
	KT_EXPECT_ERRNO(t, n_guest(v, vm, at, b, 4, PRIV, &f), EFAULT);
	is_memory_fault(t, &f, at, true);
	/* The VM attribute is stored but not consulted here. */
	KT_EXPECT_OK(t,
		     v->ops->set_attributes(v, vm, GB, 16 * PG,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT(t, !vm_gfn_private(obj, at >> 12));
	/* Once the gmem is closed, the VM attribute decides again: a
	 * private access exits, with nothing left behind the slot. */
	KT_EXPECT_OK(t, v->ops->close(v, g));
	KT_EXPECT(t, vm_gfn_private(obj, at >> 12));
	KT_EXPECT_ERRNO(t, n_guest(v, vm, at, b, 4, PRIV, &f), EFAULT);
	is_memory_fault(t, &f, at, true);
}

NATIVE_CASE(s42_private_accesses_need_a_gmem_slot)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 16 * PG, 0));
	struct vm_fault f;
	u64 err_off;
	u8 b[4];

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 16 * PG, g, 0));
	KT_EXPECT_OK(t, case_region(v, vm, 1, 0, 2 * GB, PG, -1, 0));
	/* Attribute shared: a private access exits with the PRIVATE flag,
	 * a shared one works. */
	KT_EXPECT_ERRNO(t, n_guest(v, vm, GB, b, 4, PRIV, &f), EFAULT);
	is_memory_fault(t, &f, GB, true);
	KT_EXPECT_OK(t, n_guest(v, vm, GB, b, 4, 0, &f));
	/* private_mem_kvm_exits_test: private on a normal slot, and after
	 * the gmem slot is deleted. */
	KT_EXPECT_OK(t,
		     v->ops->set_attributes(v, vm, 0, 4 * GB,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT_ERRNO(t, n_guest(v, vm, 2 * GB, b, 4, PRIV, &f), EFAULT);
	is_memory_fault(t, &f, 2 * GB, true);
	KT_EXPECT_ERRNO(t, n_guest(v, vm, GB, b, 4, 0, &f), EFAULT);
	is_memory_fault(t, &f, GB, false);
	KT_EXPECT_OK(t, n_guest(v, vm, GB, b, 4, PRIV, &f));
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, 0, 0, -1, 0));
	KT_EXPECT_ERRNO(t, n_guest(v, vm, GB, b, 4, PRIV, &f), EFAULT);
	is_memory_fault(t, &f, GB, true);
	/* A private access never maps a page the host may touch. */
	g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 16 * PG, 0));
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 16 * PG, g, 0));
	KT_EXPECT_OK(t, v->ops->convert(v, g, 0, PG, false, &err_off));
	KT_EXPECT_ERRNO(t, n_guest(v, vm, GB, b, 4, PRIV, &f), EFAULT);
	is_memory_fault(t, &f, GB, true);
}

NATIVE_CASE(s42_private_vm_without_mmap_splits_shared_and_private)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 16 * PG, 0));
	struct vm_fault f;
	u8 s[4] = "shrd", p[4] = "priv", b[4];

	if (g < 0)
		return;
	/* The 6.8-era layout: shared accesses use the slot's memory,
	 * private ones the gmem (private_mem_conversions_test). */
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 16 * PG, g, 0));
	KT_EXPECT_OK(t, n_guest(v, vm, GB, s, 4, WR, &f));
	KT_EXPECT(t, !f.from_gmem);
	KT_EXPECT_OK(t,
		     v->ops->set_attributes(v, vm, GB, PG,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT_OK(t, n_guest(v, vm, GB, b, 4, PRIV, &f));
	KT_EXPECT(t, f.from_gmem && mem_is_zero(b, 4));
	KT_EXPECT_OK(t, n_guest(v, vm, GB, p, 4, PRIV | WR, &f));
	KT_EXPECT_OK(t, v->ops->set_attributes(v, vm, GB, PG, 0, 0));
	KT_EXPECT_OK(t, n_guest(v, vm, GB, b, 4, 0, &f));
	KT_EXPECT_MEM_EQ(t, b, s, 4);
}

/* max_order of a read at gpa (or -1 on failure). */
static int order_at(struct vmm *v, int vm, u64 gpa, unsigned int access)
{
	struct vm_fault f;
	u8 b;

	if (n_guest(v, vm, gpa, &b, 1, access, &f))
		return -1;
	return f.max_order;
}

NATIVE_CASE(s43_huge_mappings_need_block_alignment_and_one_state)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t,
			  v->ops->create_gmem(v, vm, 4 * SZ2M, SHARED_FLAGS));
	int small = CASE_OPEN(
		t, v->ops->create_gmem(v, vm, SZ2M - PG, SHARED_FLAGS));

	if (g < 0 || small < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 2 * SZ2M, g, 0));
	KT_EXPECT_EQ(t, order_at(v, vm, GB + 5 * PG, 0), 9);
	KT_EXPECT_EQ(t, order_at(v, vm, GB + SZ2M + PG, 0), 9);
	/* Slot gpa and gmem offset not congruent modulo 2 MiB. */
	KT_EXPECT_OK(t, case_bind(v, vm, 1, 2 * GB, SZ2M, g, 2 * SZ2M + PG));
	KT_EXPECT_EQ(t, order_at(v, vm, 2 * GB + 8 * PG, 0), 0);
	/* The 2 MiB range must lie in the slot. */
	KT_EXPECT_OK(t, case_bind(v, vm, 2, 3 * GB, SZ2M - PG, small, 0));
	KT_EXPECT_EQ(t, order_at(v, vm, 3 * GB, 0), 0);
	/* A punched page splits the block. */
	KT_EXPECT_OK(t, v->ops->fallocate(v, g,
					  GMV_FALLOC_PUNCH_HOLE |
						  GMV_FALLOC_KEEP_SIZE,
					  SZ2M + 7 * PG, PG));
	KT_EXPECT_EQ(t, order_at(v, vm, GB + SZ2M + PG, 0), 0);
	KT_EXPECT_EQ(t, order_at(v, vm, GB, 0), 9);
}

NATIVE_CASE(s43_huge_mappings_on_private_vm_need_one_attribute)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));
	int g = CASE_OPEN(
		t, v->ops->create_gmem(v, vm, 2 * SZ2M, GMV_GMEM_FLAG_MMAP));
	int legacy = CASE_OPEN(t, v->ops->create_gmem(v, vm, SZ2M, 0));
	u64 err_off;

	if (g < 0 || legacy < 0)
		return;
	/* gmem-only slot: one shareability over the 2 MiB. */
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 2 * SZ2M, g, 0));
	KT_EXPECT_EQ(t, order_at(v, vm, GB + PG, PRIV), 9);
	KT_EXPECT_OK(t, v->ops->convert(v, g, 3 * PG, PG, false, &err_off));
	KT_EXPECT_EQ(t, order_at(v, vm, GB, PRIV), 0);
	KT_EXPECT_OK(t, v->ops->convert(v, g, 3 * PG, PG, true, &err_off));
	KT_EXPECT_EQ(t, order_at(v, vm, GB, PRIV), 9);
	/* Other gmem slots: one VM attribute over the 2 MiB. */
	KT_EXPECT_OK(t, case_bind(v, vm, 1, 2 * GB, SZ2M, legacy, 0));
	KT_EXPECT_OK(t,
		     v->ops->set_attributes(v, vm, 2 * GB, SZ2M,
					    GMV_MEMORY_ATTRIBUTE_PRIVATE, 0));
	KT_EXPECT_EQ(t, order_at(v, vm, 2 * GB + PG, PRIV), 9);
	KT_EXPECT_OK(t,
		     v->ops->set_attributes(v, vm, 2 * GB + 9 * PG, PG, 0, 0));
	KT_EXPECT_EQ(t, order_at(v, vm, 2 * GB, PRIV), 0);
}

/* guest_mapping() reads the VM's second-level table (none in the host
 * build): nothing mapped before a guest fault; handles are checked like a
 * VM ioctl's. */
NATIVE_CASE(guest_mapping_needs_a_vm_and_a_translation)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, PG, 0));
	u64 size = 0;

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, v->ops->guest_mapping(v, vm, GB, &size), ENOENT);
	KT_EXPECT_ERRNO(t, v->ops->guest_mapping(v, g, GB, &size), ENOTTY);
	KT_EXPECT_ERRNO(t, v->ops->guest_mapping(v, VMM_BAD_HANDLE, GB, &size),
			EBADF);
	KT_EXPECT_EQ(t, size, 0);
}

static const struct kt_case native_fault_cases[] = {
	KT_CASE(g95_no_slot_is_mmio),
	KT_CASE(g88_slot_without_mmap_gmem_uses_its_own_memory),
	KT_CASE(g89_gmem_only_slot_is_coherent_with_the_host),
	KT_CASE(g91_guest_uses_mmap_gmem_the_host_cannot),
	KT_CASE(g92_punch_gives_the_guest_a_zero_page),
	KT_CASE(g93_released_gmem_gives_memory_fault_exits),
	KT_CASE(s42_gmem_only_slot_takes_its_attribute_from_the_gmem),
	KT_CASE(s42_private_accesses_need_a_gmem_slot),
	KT_CASE(s42_private_vm_without_mmap_splits_shared_and_private),
	KT_CASE(s43_huge_mappings_need_block_alignment_and_one_state),
	KT_CASE(s43_huge_mappings_on_private_vm_need_one_attribute),
	KT_CASE(guest_mapping_needs_a_vm_and_a_translation),
};

const struct kt_suite native_fault_suite = {
	.name = "native_fault",
	.cases = native_fault_cases,
	.n_cases = ARRAY_SIZE(native_fault_cases),
	.unsupported = native_unsupported,
};
