// SPDX-License-Identifier: MIT
/*
 * guest-tests/conformance/conf_attr.c - KVM_SET_MEMORY_ATTRIBUTES
 * (virt/kvm/kvm_main.c kvm_vm_ioctl_set_mem_attributes(); G85 where the
 * kernel lacks it): validation order flags -> attributes -> size/wrap ->
 * alignment, PRIVATE only for VMs with private memory
 * (kvm_supported_mem_attributes()).
 */
#include "guest-tests/conformance/conf.h"

#define PRIVATE GMV_MEMORY_ATTRIBUTE_PRIVATE
#define GB (1ULL << 30)
#define SPAN (64ULL << 20)

static int attrs(struct vmm *v, int vm, u64 gpa, u64 size, u64 a, u64 f)
{
	return v->ops->set_attributes(v, vm, gpa, size, a, f);
}

CONF_CASE(g85_set_attributes_enotty_without_them)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return;
	KT_EXPECT_ERRNO(t, attrs(v, vm, 0, PG, 0, 0), ENOTTY);
	KT_EXPECT_ERRNO(t, attrs(v, vm, 0, PG, PRIVATE, 0), ENOTTY);
	KT_EXPECT_ERRNO(t, attrs(v, vm, 1, 0, ~0ULL, 1), ENOTTY);
}

CONF_CASE(s41_attributes_flags_einval)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return;
	KT_EXPECT_ERRNO(t, attrs(v, vm, 0, PG, 0, 1), EINVAL);
	KT_EXPECT_ERRNO(t, attrs(v, vm, 0, PG, 0, BIT(63)), EINVAL);
}

CONF_CASE(s41_attributes_bad_range_einval)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return;
	KT_EXPECT_ERRNO(t, attrs(v, vm, 0, 0, 0, 0), EINVAL);
	KT_EXPECT_ERRNO(t, attrs(v, vm, ~0ULL & ~(PG - 1), 2 * PG, 0, 0),
			EINVAL);
	KT_EXPECT_ERRNO(t, attrs(v, vm, 1, PG, 0, 0), EINVAL);
	KT_EXPECT_ERRNO(t, attrs(v, vm, 0, PG + 1, 0, 0), EINVAL);
	KT_EXPECT_ERRNO(t, attrs(v, vm, PG, 7, 0, 0), EINVAL);
}

CONF_CASE(s41_attributes_default_vm_has_no_private)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return;
	KT_EXPECT_ERRNO(t, attrs(v, vm, 0, PG, PRIVATE, 0), EINVAL);
	KT_EXPECT_ERRNO(t, attrs(v, vm, 0, PG, BIT(0), 0), EINVAL);
	/* Clearing everything is a valid no-op; no memslot is needed. */
	KT_EXPECT_OK(t, attrs(v, vm, 0, PG, 0, 0));
	KT_EXPECT_OK(t, attrs(v, vm, GB, 1ULL << 40, 0, 0));
}

CONF_CASE(s41_attributes_private_on_private_vm)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));

	if (vm < 0)
		return;
	KT_EXPECT_ERRNO(t, attrs(v, vm, 0, PG, BIT(4), 0), EINVAL);
	KT_EXPECT_ERRNO(t, attrs(v, vm, 0, PG, PRIVATE | BIT(0), 0), EINVAL);
	/* Attributes come before the range: both bad -> the same EINVAL. */
	KT_EXPECT_ERRNO(t, attrs(v, vm, 1, 0, BIT(4), 0), EINVAL);
	KT_EXPECT_OK(t, attrs(v, vm, GB, 16 * PG, PRIVATE, 0));
	KT_EXPECT_OK(t, attrs(v, vm, GB, 16 * PG, PRIVATE, 0));
	KT_EXPECT_OK(t, attrs(v, vm, GB + 4 * PG, 4 * PG, 0, 0));
	/* A range over set, cleared and never-set gfns, both ways. Kept
	 * small: Linux reserves an entry per gfn of it (the linux backend
	 * refuses more than 1 GiB, host-kernel/vmm_linux.c). */
	KT_EXPECT_OK(t, attrs(v, vm, GB - SPAN / 2, SPAN, PRIVATE, 0));
	KT_EXPECT_OK(t, attrs(v, vm, GB - SPAN / 2, SPAN, 0, 0));
}
