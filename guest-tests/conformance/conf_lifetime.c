// SPDX-License-Identifier: MIT
/*
 * guest-tests/conformance/conf_lifetime.c - who keeps whom alive
 * (G98-G101): a gmem keeps its VM (virt/kvm/guest_memfd.c
 * __kvm_gmem_create() takes a VM reference, kvm_gmem_release() drops it),
 * bindings keep nothing (kvm_gmem_bind() drops the file reference it took).
 */
#include "guest-tests/conformance/conf.h"

#define GB (1ULL << 30)

CONF_CASE(g98_gmem_keeps_its_vm)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 8 * PG, GMEM_SHARED));
	u8 *a = conf_buf[0], *b = conf_buf[1];

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 8 * PG, g, 0));
	KT_EXPECT_OK(t, v->ops->close(v, vm));
	/* The VM handle is gone; the gmem and its memory work on. */
	KT_EXPECT_ERRNO(t, case_delete(v, vm, 0), EBADF);
	conf_fill(a, PG, 0x98);
	KT_EXPECT_OK(t, v->ops->host_write(v, g, PG, a, PG));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, KEEP, 0, 8 * PG));
	KT_EXPECT_OK(t, v->ops->host_read(v, g, PG, b, PG));
	KT_EXPECT_MEM_EQ(t, a, b, PG);
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, PUNCH, 0, 8 * PG));
	KT_EXPECT_OK(t, v->ops->close(v, g));
}

CONF_CASE(g100_vm_lives_until_its_last_gmem)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g1 = CASE_OPEN(t, v->ops->create_gmem(v, vm, 4 * PG, 0));
	int g2 = CASE_OPEN(t, v->ops->create_gmem(v, vm, 4 * PG, 0));
	int g3 = CASE_OPEN(t, v->ops->create_gmem(v, vm, 4 * PG, 0));

	if (g1 < 0 || g2 < 0 || g3 < 0)
		return;
	KT_EXPECT_OK(t, v->ops->close(v, vm));
	KT_EXPECT_OK(t, v->ops->close(v, g2));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g1, KEEP, 0, 4 * PG));
	KT_EXPECT_OK(t, v->ops->close(v, g1));
	KT_EXPECT_OK(t, v->ops->fallocate(v, g3, KEEP, 0, 4 * PG));
	KT_EXPECT_OK(t, v->ops->close(v, g3));
}

CONF_CASE(g101_bound_gmem_closed_before_vm)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 4 * PG, 0));

	if (g < 0)
		return;
	KT_EXPECT_OK(t, case_bind(v, vm, 0, GB, 4 * PG, g, 0));
	KT_EXPECT_OK(t, case_region(v, vm, 1, 0, 2 * GB, PG, -1, 0));
	KT_EXPECT_OK(t, v->ops->close(v, g));
	/* Closing the VM with the slot still in place releases it all. */
	KT_EXPECT_OK(t, v->ops->close(v, vm));
	KT_EXPECT_ERRNO(t, v->ops->close(v, g), EBADF);
}

CONF_CASE(g10_closed_handle_number_names_a_new_file)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, 4 * PG, 0));
	int again;

	if (g < 0)
		return;
	KT_EXPECT_OK(t, v->ops->fallocate(v, g, KEEP, 0, 4 * PG));
	KT_EXPECT_OK(t, v->ops->close(v, g));
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, g, KEEP, 0, PG), EBADF);
	/* The same number now names a new, empty file of another size. */
	again = CASE_OPEN(t, v->ops->create_gmem(v, vm, 2 * PG, 0));
	KT_EXPECT_EQ(t, again, g);
	KT_EXPECT_ERRNO(t, v->ops->fallocate(v, again, KEEP, 0, 4 * PG),
			EINVAL);
}
