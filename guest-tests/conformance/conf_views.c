// SPDX-License-Identifier: MIT
/*
 * guest-tests/conformance/conf_views.c - gmem views: a second VM reaches a
 * gmem's memory only through a view of its own (newest
 * virt/kvm/guest_memfd.c splits struct gmem_inode, the memory, from
 * struct gmem_file, one VM's view; Linux has no uAPI for a second view);
 * each view has its own bindings, all views share the memory and its state.
 */
#include "guest-tests/conformance/conf.h"

#define GB (1ULL << 30)

/* Two default VMs, a gmem of the first and a view of it for the second. */
struct two {
	int vm_a, vm_b, g, view;
};

static bool two_vms(struct kt *t, struct vmm *v, struct two *s, u64 flags)
{
	s->vm_a = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	s->vm_b = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	s->g = CASE_OPEN(t, v->ops->create_gmem(v, s->vm_a, 8 * PG, flags));
	s->view = CASE_OPEN(t, v->ops->create_gmem_view(v, s->g, s->vm_b));
	return s->view >= 0 && s->g >= 0;
}

CONF_CASE(view_binds_where_the_original_cannot)
{
	struct two s;

	if (!two_vms(t, v, &s, 0))
		return;
	KT_EXPECT_ERRNO(t, case_bind(v, s.vm_b, 0, GB, 8 * PG, s.g, 0), EINVAL);
	KT_EXPECT_ERRNO(t, case_bind(v, s.vm_a, 0, GB, 8 * PG, s.view, 0),
			EINVAL);
	KT_EXPECT_OK(t, case_bind(v, s.vm_a, 0, GB, 8 * PG, s.g, 0));
	/* Bindings are per view: the same range again, through the view. */
	KT_EXPECT_OK(t, case_bind(v, s.vm_b, 0, GB, 8 * PG, s.view, 0));
	/* ...and overlapping within one view is refused (G64). */
	KT_EXPECT_ERRNO(t, case_bind(v, s.vm_b, 1, 2 * GB, PG, s.view, PG),
			EEXIST);
}

CONF_CASE(view_shares_data_and_holes)
{
	struct two s;
	u8 *a = conf_buf[0], *b = conf_buf[1];

	if (!two_vms(t, v, &s, GMEM_SHARED))
		return;
	conf_fill(a, PG, 0x71);
	KT_EXPECT_OK(t, v->ops->host_write(v, s.g, 3 * PG, a, PG));
	KT_EXPECT_OK(t, v->ops->host_read(v, s.view, 3 * PG, b, PG));
	KT_EXPECT_MEM_EQ(t, a, b, PG);
	KT_EXPECT_OK(t, v->ops->fallocate(v, s.view, PUNCH, 3 * PG, PG));
	KT_EXPECT_OK(t, v->ops->host_read(v, s.g, 3 * PG, b, PG));
	KT_EXPECT(t, mem_is_zero(b, PG));
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, s.view, 8 * PG, b, 1),
			VMM_SIGBUS);
}

CONF_CASE(view_outlives_the_original)
{
	struct two s;
	u8 *a = conf_buf[0], *b = conf_buf[1];

	if (!two_vms(t, v, &s, GMEM_SHARED))
		return;
	conf_fill(a, PG, 0x72);
	KT_EXPECT_OK(t, v->ops->host_write(v, s.g, 0, a, PG));
	KT_EXPECT_OK(t, v->ops->close(v, s.g));
	KT_EXPECT_OK(t, v->ops->close(v, s.vm_a));
	KT_EXPECT_OK(t, v->ops->host_read(v, s.view, 0, b, PG));
	KT_EXPECT_MEM_EQ(t, a, b, PG);
	KT_EXPECT_OK(t, case_bind(v, s.vm_b, 0, GB, 8 * PG, s.view, 0));
	/* A view of a view reaches the same memory. */
	s.g = CASE_OPEN(t, v->ops->create_gmem_view(v, s.view, s.vm_b));
	if (s.g >= 0) {
		KT_EXPECT_OK(t, v->ops->host_read(v, s.g, 0, b, PG));
		KT_EXPECT_MEM_EQ(t, a, b, PG);
	}
}

CONF_CASE(view_state_is_the_memorys)
{
	struct two s;
	u8 *b = conf_buf[0];
	u64 err_off;

	if (!two_vms(t, v, &s, GMEM_SHARED))
		return;
	KT_EXPECT_OK(t, v->ops->convert(v, s.view, PG, PG, true, &err_off));
	KT_EXPECT_ERRNO(t, v->ops->host_read(v, s.g, PG, b, 1), VMM_SIGBUS);
	KT_EXPECT_OK(t, v->ops->convert(v, s.g, PG, PG, false, &err_off));
	KT_EXPECT_OK(t, v->ops->host_read(v, s.view, PG, b, 1));
}

CONF_CASE(view_bad_arguments)
{
	int vm = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));
	int g = CASE_OPEN(t, v->ops->create_gmem(v, vm, PG, 0));

	if (g < 0)
		return;
	KT_EXPECT_ERRNO(t, v->ops->create_gmem_view(v, BOGUS_HANDLE, vm),
			EBADF);
	KT_EXPECT_ERRNO(t, v->ops->create_gmem_view(v, g, BOGUS_HANDLE), EBADF);
	KT_EXPECT_ERRNO(t, v->ops->create_gmem_view(v, vm, vm), EINVAL);
	KT_EXPECT_ERRNO(t, v->ops->create_gmem_view(v, g, g), ENOTTY);
}
