// SPDX-License-Identifier: MIT
/*
 * guest-tests/conformance/conf_caps.c - discovery (G1-G9:
 * KVM_CHECK_EXTENSION, virt/kvm/kvm_main.c
 * kvm_vm_ioctl_check_extension_generic() and x86's answers) and how
 * handles are judged: -EBADF where Linux looks at a descriptor, -ENOTTY
 * for a KVM ioctl on a gmem file, whose kvm_gmem_fops have no ioctl (G18).
 */
#include "guest-tests/conformance/conf.h"

static long cap(struct vmm *v, int vm, long nr)
{
	return v->ops->check_extension(v, vm, nr);
}

CONF_CASE(g1_cap_guest_memfd_is_one)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	KT_EXPECT_EQ(t, cap(v, VMM_BAD_HANDLE, GMV_CAP_GUEST_MEMFD), 1);
	if (vm >= 0)
		KT_EXPECT_EQ(t, cap(v, vm, GMV_CAP_GUEST_MEMFD), 1);
}

CONF_CASE(g2_cap_gmem_flags_system_offers_both)
{
	KT_EXPECT_EQ(t, cap(v, VMM_BAD_HANDLE, GMV_CAP_GUEST_MEMFD_FLAGS),
		     GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED);
}

CONF_CASE(g3_cap_gmem_flags_default_vm_offers_both)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return;
	KT_EXPECT_EQ(t, cap(v, vm, GMV_CAP_GUEST_MEMFD_FLAGS),
		     GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED);
}

CONF_CASE(g4_cap_gmem_flags_private_vm_mmap_only)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));

	if (vm < 0)
		return;
	KT_EXPECT_EQ(t, cap(v, vm, GMV_CAP_GUEST_MEMFD_FLAGS),
		     GMV_GMEM_FLAG_MMAP);
}

CONF_CASE(g5_cap_memory_attributes_zero_without_them)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	KT_EXPECT_EQ(t, cap(v, VMM_BAD_HANDLE, GMV_CAP_MEMORY_ATTRIBUTES), 0);
	if (vm >= 0)
		KT_EXPECT_EQ(t, cap(v, vm, GMV_CAP_MEMORY_ATTRIBUTES), 0);
}

CONF_CASE(g6_cap_memory_attributes_system_and_default_vm)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	KT_EXPECT_EQ(t, cap(v, VMM_BAD_HANDLE, GMV_CAP_MEMORY_ATTRIBUTES),
		     GMV_MEMORY_ATTRIBUTE_PRIVATE);
	if (vm >= 0)
		KT_EXPECT_EQ(t, cap(v, vm, GMV_CAP_MEMORY_ATTRIBUTES), 0);
}

CONF_CASE(g6_cap_memory_attributes_private_vm)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));

	if (vm < 0)
		return;
	KT_EXPECT_EQ(t, cap(v, vm, GMV_CAP_MEMORY_ATTRIBUTES),
		     GMV_MEMORY_ATTRIBUTE_PRIVATE);
}

CONF_CASE(g7_cap_vm_types_match_create_vm)
{
	long types = cap(v, VMM_BAD_HANDLE, GMV_CAP_VM_TYPES);

	KT_EXPECT(t, types & BIT(GMV_VM_DEFAULT));
	/* A type is offered iff KVM_CREATE_VM accepts it. */
	for (unsigned long type = 0; type < 8; type++) {
		int vm = v->ops->create_vm(v, type);

		if (types & BIT(type)) {
			if (KT_EXPECT(t, vm >= 0))
				KT_EXPECT_OK(t, v->ops->close(v, vm));
		} else {
			KT_EXPECT_ERRNO(t, vm, EINVAL);
		}
	}
	KT_EXPECT_ERRNO(t, v->ops->create_vm(v, 63), EINVAL);
}

CONF_CASE(g8_cap_user_memory2_and_fault_info)
{
	KT_EXPECT_EQ(t, cap(v, VMM_BAD_HANDLE, GMV_CAP_USER_MEMORY2), 1);
	KT_EXPECT_EQ(t, cap(v, VMM_BAD_HANDLE, GMV_CAP_MEMORY_FAULT_INFO), 1);
	KT_EXPECT_EQ(t, cap(v, VMM_BAD_HANDLE, GMV_CAP_NR_MEMSLOTS),
		     GMV_USER_MEM_SLOTS);
}

/* KVM offers KVM_PRE_FAULT_MEMORY exactly where it uses TDP (arch/x86/
 * kvm/x86.c reports the cap as tdp_enabled); native has none. */
CONF_CASE(g9_cap_pre_fault_memory)
{
	long tdp = v->ops->fact(v, VMM_FACT_TDP);

	if (tdp)
		kt_diag(t, "row: intentional KVM with TDP offers "
			   "KVM_PRE_FAULT_MEMORY; native has no pre-fault "
			   "call (cap 0)");
	KT_EXPECT_EQ(t, cap(v, VMM_BAD_HANDLE, GMV_CAP_PRE_FAULT_MEMORY),
		     tdp ? 1L : 0L);
}

CONF_CASE(g18_vm_ioctls_on_gmem_enotty)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int gmem = CASE_OPEN(t, v->ops->create_gmem(v, vm, 4 * PG, 0));

	if (gmem < 0)
		return;
	KT_EXPECT_ERRNO(t, v->ops->create_gmem(v, gmem, PG, 0), ENOTTY);
	KT_EXPECT_ERRNO(t, cap(v, gmem, GMV_CAP_GUEST_MEMFD), ENOTTY);
	KT_EXPECT_ERRNO(t, case_region(v, gmem, 0, 0, 0, PG, -1, 0), ENOTTY);
	KT_EXPECT_ERRNO(t, case_bind(v, gmem, 0, 0, PG, gmem, 0), ENOTTY);
	KT_EXPECT_ERRNO(t, v->ops->set_attributes(v, gmem, 0, PG, 0, 0),
			ENOTTY);
}

CONF_CASE(g61_bad_handles_ebadf)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int gone = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	u8 b[8];

	if (vm < 0 || gone < 0)
		return;
	KT_EXPECT_OK(t, v->ops->close(v, gone));
	KT_EXPECT_ERRNO(t, v->ops->close(v, gone), EBADF);
	KT_EXPECT_ERRNO(t, v->ops->close(v, VMM_BAD_HANDLE), EBADF);
	KT_EXPECT_ERRNO(t, v->ops->create_gmem(v, BOGUS_HANDLE, PG, 0), EBADF);
	KT_EXPECT_ERRNO(t, v->ops->create_gmem(v, VMM_BAD_HANDLE, PG, 0),
			EBADF);
	KT_EXPECT_ERRNO(t, cap(v, BOGUS_HANDLE, GMV_CAP_GUEST_MEMFD), EBADF);
	KT_EXPECT_ERRNO(t, case_region(v, BOGUS_HANDLE, 0, 0, 0, PG, -1, 0),
			EBADF);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, BOGUS_HANDLE, KEEP, 0, PG),
			EBADF);
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, BOGUS_HANDLE, 0, b, 8), EBADF);
	KT_EXPECT_ERRNO(t, v->ops->host_write(v, VMM_BAD_HANDLE, 0, b, 8),
			EBADF);
	/* fdget comes before every argument check. */
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, BOGUS_HANDLE, 0x100, -1, 0),
			EBADF);
	KT_EXPECT_ERRNO(t, v->ops->create_gmem(v, gone, 0, ~0ULL), EBADF);
}
