// SPDX-License-Identifier: MIT
/* guest-tests/vmm_case.c - helpers for VMM-interface cases (vmm_case.h). */
#include "guest-tests/vmm_case.h"

void case_backend_intro(struct kt *t)
{
	struct vmm *v = kt_ctx(t);

	kt_diag(t, "backend: %s", v->ops->name);
}

void case_finish(struct kt *t, struct vmm *v)
{
	KT_EXPECT_OK(t, v->ops->check(v));
	v->ops->reset(v);
	KT_EXPECT_OK(t, v->ops->check(v));
}

int case_region(struct vmm *v, int vm, u32 slot, u32 flags, u64 gpa, u64 size,
		int gmem, u64 offset)
{
	struct vmm_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.guest_memfd_offset = offset,
		.guest_memfd = gmem,
	};

	return v->ops->set_region(v, vm, &r);
}

const char *case_lacks_any(struct kt *t, const enum vmm_feature *f, size_t n)
{
	struct vmm *v = kt_ctx(t);

	for (size_t i = 0; i < n; i++) {
		const char *why = v->ops->lacks(v, f[i]);

		if (why)
			return why;
	}
	return NULL;
}
