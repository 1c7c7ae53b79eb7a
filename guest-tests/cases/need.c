// SPDX-License-Identifier: MIT
/*
 * guest-tests/cases/need.c - what each group of guest cases needs from
 * the backend, as KT_CASE_IF predicates, and the shared case setup.
 */
#include "guest-tests/cases/cases.h"
#include "guest-tests/vmm_case.h"

const char *need_vcpu(struct kt *t)
{
	return CASE_LACKS_ANY(t, VMM_FEAT_VCPU);
}

const char *need_intr_if_clear(struct kt *t)
{
	return CASE_LACKS_ANY(t, VMM_FEAT_VCPU, VMM_FEAT_INTR_IF_CLEAR);
}

const char *need_shared_gmem(struct kt *t)
{
	return CASE_LACKS_ANY(t, VMM_FEAT_VCPU, VMM_FEAT_GUEST_MEMFD,
			      VMM_FEAT_GMEM_MMAP, VMM_FEAT_GMEM_INIT_SHARED);
}

const char *need_private(struct kt *t)
{
	return CASE_LACKS_ANY(t, VMM_FEAT_VCPU, VMM_FEAT_GUEST_MEMFD,
			      VMM_FEAT_SW_PROTECTED_VM,
			      VMM_FEAT_MEMORY_ATTRIBUTES);
}

const char *need_hypercall(struct kt *t)
{
	return CASE_LACKS_ANY(t, VMM_FEAT_VCPU, VMM_FEAT_GUEST_MEMFD,
			      VMM_FEAT_SW_PROTECTED_VM,
			      VMM_FEAT_MEMORY_ATTRIBUTES,
			      VMM_FEAT_HYPERCALL_EXIT);
}

const char *need_inplace(struct kt *t)
{
	return CASE_LACKS_ANY(t, VMM_FEAT_VCPU, VMM_FEAT_GUEST_MEMFD,
			      VMM_FEAT_SW_PROTECTED_VM, VMM_FEAT_GMEM_MMAP,
			      VMM_FEAT_INPLACE_CONVERT);
}

const char *need_inplace_mappings(struct kt *t)
{
	return CASE_LACKS_ANY(t, VMM_FEAT_VCPU, VMM_FEAT_GUEST_MEMFD,
			      VMM_FEAT_SW_PROTECTED_VM, VMM_FEAT_GMEM_MMAP,
			      VMM_FEAT_INPLACE_CONVERT, VMM_FEAT_MAPPING_INFO);
}

const char *need_views(struct kt *t)
{
	return CASE_LACKS_ANY(t, VMM_FEAT_VCPU, VMM_FEAT_GUEST_MEMFD,
			      VMM_FEAT_GMEM_MMAP, VMM_FEAT_GMEM_INIT_SHARED,
			      VMM_FEAT_GMEM_VIEWS);
}

int case_gmem_slot(struct kt *t, struct guest *g, u32 slot, u64 gpa, u64 size,
		   u64 flags)
{
	struct vmm *v = g->v;
	int gmem = v->ops->create_gmem(v, g->vm, size, flags);
	int ret;

	if (!KT_EXPECT_HANDLE(t, gmem))
		return gmem;
	ret = case_bind(v, g->vm, slot, gpa, size, gmem, 0);
	return KT_EXPECT_OK(t, ret) ? gmem : ret;
}
