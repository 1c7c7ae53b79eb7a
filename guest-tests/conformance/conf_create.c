// SPDX-License-Identifier: MIT
/* guest-tests/conformance/conf_create.c - KVM_CREATE_GUEST_MEMFD (G10-G20:
 * virt/kvm/guest_memfd.c kvm_gmem_create() checks the flags, then the
 * size). */
#include "guest-tests/conformance/conf.h"

#define TIB (1ULL << 40)
#define MAX_SIZE 0x7ffffffffffff000ULL

CONF_CASE(g10_create_returns_lowest_free_handle)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int a = CASE_OPEN(t, v->ops->create_gmem(v, vm, PG, 0));
	int b = CASE_OPEN(t, v->ops->create_gmem(v, vm, PG, 0));
	int c;

	if (a < 0 || b < 0)
		return;
	KT_EXPECT_NE(t, a, b);
	KT_EXPECT_NE(t, a, vm);
	KT_EXPECT_OK(t, v->ops->close(v, a));
	c = CASE_OPEN(t, v->ops->create_gmem(v, vm, PG, 0));
	KT_EXPECT_EQ(t, c, a);
}

CONF_CASE(g11_create_unknown_flags_einval)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	/* gmemvisor's rebinding policies are flags of its own (the
	 * policy_* cases); Linux refuses them like any other bit. */
	u64 own = v->ops->lacks(v, VMM_FEAT_REBIND_POLICY)
			  ? 0
			  : VMM_GMEM_FLAG_ZERO_ON_UNBIND |
				    VMM_GMEM_FLAG_ZERO_ON_REBIND;

	if (vm < 0)
		return;
	for (int bit = 2; bit < 64; bit++)
		if (!(BIT(bit) & own))
			KT_EXPECT_ERRNO(t,
					v->ops->create_gmem(v, vm, PG, BIT(bit)),
					EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->create_gmem(v, vm, PG, ~0ULL), EINVAL);
	/* Flags are judged before the size (both EINVAL here). */
	KT_EXPECT_ERRNO(t, v->ops->create_gmem(v, vm, 0, BIT(5)), EINVAL);
}

CONF_CASE(g12_create_bad_sizes_einval)
{
	static const u64 sizes[] = {0,	    1ULL << 63, ~0ULL & ~(PG - 1),
				    PG + 1, 2 * PG - 1, MAX_SIZE + 1};
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int bad = 0;

	if (vm < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		KT_EXPECT_ERRNO(t, v->ops->create_gmem(v, vm, sizes[i], 0),
				EINVAL);
	/* test_create_guest_memfd_invalid_sizes: every size below a page. */
	for (u64 size = 1; size < PG; size++)
		bad += v->ops->create_gmem(v, vm, size, 0) == -EINVAL;
	KT_EXPECT_EQ(t, bad, PG - 1);
}

CONF_CASE(g13_create_huge_sizes_allocate_nothing)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int big = CASE_OPEN(t, v->ops->create_gmem(v, vm, TIB, 0));
	int max = CASE_OPEN(t, v->ops->create_gmem(v, vm, MAX_SIZE, 0));

	if (big < 0 || max < 0)
		return;
	/* The whole range can be punched (nothing is there). */
	KT_EXPECT_OK(t, v->ops->fallocate(v, max, PUNCH, 0, MAX_SIZE));
	KT_EXPECT_OK(t, v->ops->fallocate(v, big, PUNCH, 0, TIB));
}

CONF_CASE(g13_huge_file_last_page_is_usable)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int big = CASE_OPEN(t, v->ops->create_gmem(v, vm, TIB, GMEM_SHARED));
	u8 *a = conf_buf[0], *b = conf_buf[1];

	if (big < 0)
		return;
	conf_fill(a, PG, 0x13);
	KT_EXPECT_OK(t, v->ops->host_write(v, big, TIB - PG, a, PG));
	KT_EXPECT_OK(t, v->ops->host_read(v, big, TIB - PG, b, PG));
	KT_EXPECT_MEM_EQ(t, a, b, PG);
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, big, TIB, b, 1), VMM_SIGBUS);
}

CONF_CASE(g14_create_flag_combinations_ok)
{
	static const u64 flags[] = {0, GMV_GMEM_FLAG_MMAP,
				    GMV_GMEM_FLAG_INIT_SHARED, GMEM_SHARED};
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, PG, flags[i]));

		if (g >= 0)
			KT_EXPECT_OK(t, v->ops->close(v, g));
	}
}

CONF_CASE(g4_create_init_shared_on_private_vm_einval)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_SW_PROTECTED));

	if (vm < 0)
		return;
	KT_EXPECT_ERRNO(
		t, v->ops->create_gmem(v, vm, PG, GMV_GMEM_FLAG_INIT_SHARED),
		EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->create_gmem(v, vm, PG, GMEM_SHARED), EINVAL);
	CASE_OPEN(t, v->ops->create_gmem(v, vm, PG, GMV_GMEM_FLAG_MMAP));
	CASE_OPEN(t, v->ops->create_gmem(v, vm, PG, 0));
}

CONF_CASE(g20_create_200_files_on_one_vm)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int prev = -1, ok = 0, distinct = 0;

	if (vm < 0)
		return;
	for (int i = 0; i < 200; i++) {
		int g = v->ops->create_gmem(v, vm, PG * (1 + i % 7), 0);

		ok += g >= 0;
		distinct += g != prev && g != vm;
		prev = g;
	}
	KT_EXPECT_EQ(t, ok, 200);
	KT_EXPECT_EQ(t, distinct, 200);
}
