// SPDX-License-Identifier: MIT
/*
 * guest-tests/conformance/conf_bind.c - KVM_SET_USER_MEMORY_REGION2 with
 * and without KVM_MEM_GUEST_MEMFD (G58-G84): the check order of
 * virt/kvm/kvm_main.c kvm_set_memory_region() and then
 * virt/kvm/guest_memfd.c kvm_gmem_bind(), the one-VM rule, immutable gmem
 * slots and the delete path.
 */
#include "guest-tests/conformance/conf.h"

#define GB (1ULL << 30)
#define TIB (1ULL << 40)

CONF_CASE(g58_bind_part_of_the_file)
{
	int vm, g = conf_new_gmem(t, v, &vm, 16, 0);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 4 * PG));
	KT_EXPECT_OK(t, case_bind(v, vm, 1, 2 * GB, PG, g, 0));
	KT_EXPECT_OK(t, case_bind(v, vm, 2, 3 * GB, 8 * PG, g, 8 * PG));
}

CONF_CASE(g59_bind_offset_unaligned_or_wrapping_einval)
{
	int vm, g = conf_new_gmem(t, v, &vm, 16, 0), bad = 0;

	if (g < 0)
		return;
	/* set_memory_region_test: every unaligned offset in a page. */
	for (u64 off = 1; off < PG; off++)
		bad += case_bind(v, vm, 0, GB, PG, g, off) == -EINVAL;
	KT_EXPECT_EQ(t, bad, PG - 1);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, 2 * PG, g, ~0ULL - PG + 1),
			EINVAL);
	/* The offset is checked before the slot's own gpa/size wrap. */
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, 0, PG, g, 7), EINVAL);
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, PG, g, PG));
}

CONF_CASE(g60_bind_past_eof_einval)
{
	int vm, g = conf_new_gmem(t, v, &vm, 16, 0);

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, PG, g, 1ULL << 63), EINVAL);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, 2 * PG, g, 15 * PG), EINVAL);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, PG, g, 16 * PG), EINVAL);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, 17 * PG, g, 0), EINVAL);
	/* Ending exactly at EOF is fine. */
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, PG, g, 15 * PG));
	KT_EXPECT_OK(t, case_bind(v, vm, 1, 2 * GB, 15 * PG, g, 0));
}

CONF_CASE(g61_bind_bad_handle_ebadf)
{
	int vm, g = conf_new_gmem(t, v, &vm, 4, 0);

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, PG, VMM_BAD_HANDLE, 0),
			EBADF);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, PG, BOGUS_HANDLE, 0), EBADF);
	KT_EXPECT_OK(t, v->ops->close(v, g));
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, PG, g, 0), EBADF);
}

CONF_CASE(g62_bind_non_gmem_handle_einval)
{
	int vm, g = conf_new_gmem(t, v, &vm, 4, 0);
	int other = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (g < 0 || other < 0)
		return;
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, PG, vm, 0), EINVAL);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, PG, other, 0), EINVAL);
}

CONF_CASE(g63_bind_other_vms_gmem_einval)
{
	int vm, g = conf_new_gmem(t, v, &vm, 4, 0);
	int other = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (g < 0 || other < 0)
		return;
	KT_EXPECT_ERRNO(t, case_bind(v, other, 0, GB, PG, g, 0), EINVAL);
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, PG, g, 0));
	KT_EXPECT_ERRNO(t, case_bind(v, other, 0, 2 * GB, PG, g, PG), EINVAL);
}

/*
 * A file range already bound: EEXIST since Linux 7.2 (merge 06ba195f136a,
 * "KVM guest_memfd changes for 7.2", virt/kvm/guest_memfd.c
 * kvm_gmem_bind()), EINVAL before. Native follows 7.2.
 */
CONF_CASE(g64_bind_file_range_overlap)
{
	int vm, g = conf_new_gmem(t, v, &vm, 16, 0);
	int err = EEXIST;

	if (g < 0)
		return;
	if (v->ops->fact(v, VMM_FACT_LINUX_VERSION) < VMM_LINUX_VERSION(7, 2)) {
		err = EINVAL;
		kt_diag(t, "row: version an overlapping file range is EINVAL "
			   "before Linux 7.2 and EEXIST since (merge "
			   "06ba195f136a); native follows 7.2");
	}
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 4 * PG));
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 1, 2 * GB, 4 * PG, g, 4 * PG), err);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 1, 2 * GB, 2 * PG, g, 3 * PG), err);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 1, 2 * GB, 16 * PG, g, 0), err);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 1, 2 * GB, PG, g, 7 * PG), err);
	/* Touching ranges do not overlap. */
	KT_EXPECT_OK(t, case_bind(v, vm, 1, 2 * GB, 4 * PG, g, 0));
	KT_EXPECT_OK(t, case_bind(v, vm, 2, 3 * GB, 8 * PG, g, 8 * PG));
}

CONF_CASE(g65_bind_gpa_overlap_eexist_first)
{
	int vm, g = conf_new_gmem(t, v, &vm, 16, 0);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0));
	KT_EXPECT_OK(t, case_region(v, vm, 1, 0, 2 * GB, 4 * PG, -1, 0));
	/* gmem over gmem, gmem over a normal slot, normal over gmem. */
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 2, GB + 3 * PG, 2 * PG, g, 8 * PG),
			EEXIST);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 2, 2 * GB - PG, 2 * PG, g, 8 * PG),
			EEXIST);
	KT_EXPECT_ERRNO(t, case_region(v, vm, 2, 0, GB - PG, 2 * PG, -1, 0),
			EEXIST);
	/* Both the GPA and the file range overlap: the GPA is checked
	 * first, and so is it before the handle. */
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 2, GB, PG, g, 0), EEXIST);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 2, GB, PG, BOGUS_HANDLE, 0),
			EEXIST);
	KT_EXPECT_OK(t, case_bind(v, vm, 2, GB + 4 * PG, PG, g, 8 * PG));
}

CONF_CASE(g66_many_slots_on_one_file)
{
	int vm, g = conf_new_gmem(t, v, &vm, 1024, 0), ok = 0;

	if (g < 0)
		return;
	for (u32 i = 0; i < 1024; i++)
		ok += !case_bind(v, vm, i, GB + i * 2 * PG, PG, g, i * PG);
	KT_EXPECT_EQ(t, ok, 1024);
	for (u32 i = 0; i < 1024; i += 2)
		ok -= !case_delete(v, vm, i);
	KT_EXPECT_EQ(t, ok, 512);
}

CONF_CASE(g67_bind_flag_combinations_einval)
{
	static const u32 bad[] = {
		GMV_MEM_GUEST_MEMFD | GMV_MEM_READONLY,
		GMV_MEM_GUEST_MEMFD | GMV_MEM_LOG_DIRTY_PAGES,
		GMV_MEM_GUEST_MEMFD | BIT(3),
		GMV_MEM_GUEST_MEMFD | BIT(16),
		GMV_MEM_GUEST_MEMFD | BIT(31),
		BIT(3),
		BIT(17),
	};
	int vm, g = conf_new_gmem(t, v, &vm, 4, 0);

	if (g < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		KT_EXPECT_ERRNO(t, case_region(v, vm, 0, bad[i], GB, PG, g, 0),
				EINVAL);
	KT_EXPECT_OK(t, case_region(v, vm, 0, GMV_MEM_READONLY, GB, PG, -1, 0));
	KT_EXPECT_OK(t, case_region(v, vm, 1, GMV_MEM_LOG_DIRTY_PAGES, 2 * GB,
				    PG, -1, 0));
}

CONF_CASE(g68_gmem_slots_are_immutable)
{
	int vm, g = conf_new_gmem(t, v, &vm, 8, 0);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0));
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0), EINVAL);
	KT_EXPECT_ERRNO(t, case_region(v, vm, 0, 0, GB, 4 * PG, g, 0), EINVAL);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, 2 * GB, 4 * PG, g, 0), EINVAL);
	KT_EXPECT_ERRNO(t,
			case_region(v, vm, 0, GMV_MEM_LOG_DIRTY_PAGES, GB,
				    4 * PG, -1, 0),
			EINVAL);
	/* The slot is still there, unchanged: its GPA is taken. */
	KT_EXPECT_ERRNO(t, case_region(v, vm, 1, 0, GB, PG, -1, 0), EEXIST);
	KT_EXPECT_OK(t, case_delete(v, vm, 0));
	KT_EXPECT_OK(t, case_region(v, vm, 1, 0, GB, PG, -1, 0));
}

CONF_CASE(g68_normal_slots_can_be_reissued_moved_and_flagged)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return;
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, 4 * PG, -1, 0));
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, 4 * PG, -1, 0));
	KT_EXPECT_OK(t, case_region(v, vm, 0, GMV_MEM_LOG_DIRTY_PAGES, GB,
				    4 * PG, -1, 0));
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, 2 * GB, 4 * PG, -1, 0));
	/* The old GPA is free now, the new one taken. */
	KT_EXPECT_OK(t, case_region(v, vm, 1, 0, GB, 4 * PG, -1, 0));
	KT_EXPECT_ERRNO(t, case_region(v, vm, 2, 0, 2 * GB, PG, -1, 0), EEXIST);
	/* Size and READONLY cannot change; a move may not overlap. */
	KT_EXPECT_ERRNO(t, case_region(v, vm, 0, 0, 2 * GB, 8 * PG, -1, 0),
			EINVAL);
	KT_EXPECT_ERRNO(
		t,
		case_region(v, vm, 0, GMV_MEM_READONLY, 2 * GB, 4 * PG, -1, 0),
		EINVAL);
	KT_EXPECT_ERRNO(t, case_region(v, vm, 0, 0, GB + PG, 4 * PG, -1, 0),
			EEXIST);
	/* Moving over its own old range is fine. */
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, 2 * GB + PG, 4 * PG, -1, 0));
}

CONF_CASE(g69_normal_slot_cannot_become_gmem)
{
	int vm, g = conf_new_gmem(t, v, &vm, 4, 0);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, 4 * PG, -1, 0));
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0), EINVAL);
}

CONF_CASE(g70_delete_ignores_the_gmem_handle)
{
	int vm, g = conf_new_gmem(t, v, &vm, 4, 0);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0));
	KT_EXPECT_OK(t, case_bind(v, vm, 0, 0, 0, BOGUS_HANDLE, 0));
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0));
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, 0, VMM_BAD_HANDLE, 0));
}

CONF_CASE(g71_delete_checks_flags_and_offset_first)
{
	int vm, g = conf_new_gmem(t, v, &vm, 4, 0);

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0));
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, 0, 0, g, 5), EINVAL);
	KT_EXPECT_ERRNO(t,
			case_region(v, vm, 0,
				    GMV_MEM_GUEST_MEMFD | GMV_MEM_READONLY, 0,
				    0, g, 0),
			EINVAL);
	/* Still there. */
	KT_EXPECT_ERRNO(t, case_region(v, vm, 1, 0, GB, PG, -1, 0), EEXIST);
	KT_EXPECT_OK(t, case_delete(v, vm, 0));
}

CONF_CASE(g72_delete_missing_slot_einval)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return;
	KT_EXPECT_ERRNO(t, case_delete(v, vm, 0), EINVAL);
	KT_EXPECT_ERRNO(t, case_delete(v, vm, 100), EINVAL);
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, PG, -1, 0));
	KT_EXPECT_OK(t, case_delete(v, vm, 0));
	KT_EXPECT_ERRNO(t, case_delete(v, vm, 0), EINVAL);
}

CONF_CASE(g73_rebind_keeps_the_data)
{
	int vm, g = conf_new_gmem(t, v, &vm, 8, GMEM_SHARED);
	u8 *a = conf_buf[0], *b = conf_buf[1];

	if (g < 0)
		return;
	conf_fill(a, PG, 0x73);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, 2 * PG, a, PG));
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0));
	KT_EXPECT_OK(t, case_delete(v, vm, 0));
	KT_EXPECT_OK(t, case_bind(v, vm, 0, 2 * GB, 4 * PG, g, 0));
	KT_EXPECT_OK(t, case_delete(v, vm, 0));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, 2 * PG, b, PG));
	KT_EXPECT_MEM_EQ(t, a, b, PG);
}

CONF_CASE(g76_normal_slot_ignores_gmem_fields)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return;
	KT_EXPECT_OK(t, case_region(v, vm, 0, 0, GB, PG, BOGUS_HANDLE, 3));
	KT_EXPECT_OK(t, case_region(v, vm, 1, 0, 2 * GB, PG, vm, ~0ULL));
}

CONF_CASE(g77_bind_mmap_gmem)
{
	int vm, g = conf_new_gmem(t, v, &vm, 4, GMEM_MMAP);
	int s = CASE_OPEN(t, v->ops->create_gmem(v, vm, 4 * PG, GMEM_SHARED));

	if (g < 0 || s < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0));
	KT_EXPECT_OK(t, case_bind(v, vm, 1, 2 * GB, 4 * PG, s, 0));
}

CONF_CASE(g80_slot_outlives_its_gmem)
{
	int vm, g = conf_new_gmem(t, v, &vm, 4, 0);
	int g2 = CASE_OPEN(t, v->ops->create_gmem(v, vm, 4 * PG, 0));

	if (g < 0 || g2 < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0));
	KT_EXPECT_OK(t, v->ops->close(v, g));
	/* Re-creating the slot is a modification of a gmem slot. */
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, GB, 4 * PG, g2, 0), EINVAL);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 1, GB, 4 * PG, g2, 0), EEXIST);
	KT_EXPECT_OK(t, case_delete(v, vm, 0));
	KT_EXPECT_OK(t, case_bind(v, vm, 1, GB, 4 * PG, g2, 0));
}

CONF_CASE(g82_slot_size_and_gpa_limits)
{
	int vm, g = conf_new_gmem(t, v, &vm, 16, 0);
	int big = CASE_OPEN(t, v->ops->create_gmem(v, vm, TIB, 0));
	int max =
		CASE_OPEN(t, v->ops->create_gmem(v, vm, 0x7ffffffffffff000, 0));
	long bits = v->ops->fact(v, VMM_FACT_MAX_GPA_BITS);

	if (g < 0 || big < 0 || max < 0)
		return;
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, 0, (1ULL << 31) * PG, big, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t,
			case_region(v, vm, 0, 0, 0, (1ULL << 31) * PG, -1, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, 1ULL << 60, PG, g, 0), EINVAL);
	KT_EXPECT_ERRNO(t, case_region(v, vm, 0, 0, 1ULL << 60, PG, -1, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, ~0ULL & ~(PG - 1), 2 * PG, g, 0),
			EINVAL);
	/* A slot ending at 5 TiB: valid where GPAs reach 43 bits. 1 GiB,
	 * not more: a memslot gets per-page metadata in the kernel (the
	 * linux backend's bound, host-kernel/vmm_linux.c). */
	if (bits < 43) {
		kt_diag(t, "row: intentional KVM with TDP ends guest physical "
			   "addresses at the host's MAXPHYADDR (%ld bits); "
			   "native at 52 bits", bits);
		KT_EXPECT_ERRNO(t, case_bind(v, vm, 0, 5 * TIB - GB, GB, big, 0),
				EINVAL);
	} else {
		KT_EXPECT_OK(t, case_bind(v, vm, 0, 5 * TIB - GB, GB, big, 0));
	}
	KT_EXPECT_OK(t, case_bind(v, vm, 1, GB, PG, max, 1ULL << 62));
}

CONF_CASE(g84_slot_id_and_address_space_limits)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	long spaces;

	if (vm < 0)
		return;
	spaces = v->ops->check_extension(v, vm, GMV_CAP_MULTI_ADDRESS_SPACE);
	KT_EXPECT_ERRNO(
		t, case_region(v, vm, GMV_USER_MEM_SLOTS, 0, GB, PG, -1, 0),
		EINVAL);
	KT_EXPECT_ERRNO(t, case_region(v, vm, 0xffff, 0, GB, PG, -1, 0),
			EINVAL);
	/* Address space 1 exists where KVM has SMM (KVM_CAP_MULTI_ADDRESS_
	 * SPACE 2, virt/kvm/kvm_main.c kvm_set_memory_region()). */
	if (spaces > 1) {
		kt_diag(t, "row: intentional KVM with SMM has %ld memslot "
			   "address spaces; native has no SMM and one", spaces);
		KT_EXPECT_OK(t, case_region(v, vm, BIT(16), 0, GB, PG, -1, 0));
	} else {
		KT_EXPECT_ERRNO(t, case_region(v, vm, BIT(16), 0, GB, PG, -1,
					       0),
				EINVAL);
	}
	KT_EXPECT_ERRNO(t, case_region(v, vm, (u32)MAX(spaces, 1L) << 16, 0,
				       2 * GB, PG, -1, 0),
			EINVAL);
	/* The slot id is checked before anything else. */
	KT_EXPECT_ERRNO(t,
			case_region(v, vm, GMV_USER_MEM_SLOTS, 0, 0, 0, -1, 0),
			EINVAL);
	KT_EXPECT_OK(t, case_region(v, vm, GMV_USER_MEM_SLOTS - 1, 0, GB, PG,
				    -1, 0));
}
