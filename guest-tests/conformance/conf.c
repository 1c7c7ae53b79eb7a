// SPDX-License-Identifier: MIT
/*
 * guest-tests/conformance/conf.c - the case table and the helpers the
 * cases share (see conf.h).
 */
#include "guest-tests/conformance/conf.h"

const struct kt_case conf_cases[] = {
#define CONF(fn, pred) {.name = #fn, .run = fn, .unsupported = pred},
#include "guest-tests/conformance/cases.def"
#undef CONF
};

const size_t conf_nr_cases = ARRAY_SIZE(conf_cases);

u8 conf_buf[2][PG];

const char *conf_unsupported(void *ctx)
{
	struct vmm *v = ctx;

	return v->ops->lacks(v, VMM_FEAT_GUEST_MEMFD);
}

int conf_new_gmem(struct kt *t, struct vmm *v, int *vm, u64 pages, u64 flags)
{
	int h = CASE_OPEN(t, v->ops->create_vm(v, GMV_VM_DEFAULT));

	if (vm)
		*vm = h;
	if (h < 0)
		return -1;
	return CASE_OPEN(t, v->ops->create_gmem(v, h, pages * PG, flags));
}

void conf_fill(u8 *buf, size_t len, u8 seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (u8)(seed + i * 7 + (i >> 8));
}

#define NEED(name, ...)                                \
	const char *name(struct kt *t)                 \
	{                                              \
		return CASE_LACKS_ANY(t, __VA_ARGS__); \
	}

NEED(conf_need_mmap, VMM_FEAT_GMEM_MMAP)
NEED(conf_need_shared, VMM_FEAT_GMEM_MMAP, VMM_FEAT_GMEM_INIT_SHARED)
NEED(conf_need_sw_protected, VMM_FEAT_SW_PROTECTED_VM)
NEED(conf_need_attributes, VMM_FEAT_MEMORY_ATTRIBUTES)
NEED(conf_need_attributes_sw, VMM_FEAT_MEMORY_ATTRIBUTES,
     VMM_FEAT_SW_PROTECTED_VM)
NEED(conf_need_convert, VMM_FEAT_INPLACE_CONVERT, VMM_FEAT_GMEM_MMAP,
     VMM_FEAT_GMEM_INIT_SHARED)
NEED(conf_need_convert_mmap, VMM_FEAT_INPLACE_CONVERT, VMM_FEAT_GMEM_MMAP)
NEED(conf_need_views, VMM_FEAT_GMEM_VIEWS)
NEED(conf_need_views_shared, VMM_FEAT_GMEM_VIEWS, VMM_FEAT_GMEM_MMAP,
     VMM_FEAT_GMEM_INIT_SHARED)
NEED(conf_need_golden, VMM_FEAT_GOLDEN, VMM_FEAT_GMEM_MMAP,
     VMM_FEAT_GMEM_INIT_SHARED)
NEED(conf_need_policy, VMM_FEAT_REBIND_POLICY, VMM_FEAT_GMEM_VIEWS,
     VMM_FEAT_GMEM_MMAP, VMM_FEAT_GMEM_INIT_SHARED)
NEED(conf_need_views_convert, VMM_FEAT_GMEM_VIEWS, VMM_FEAT_INPLACE_CONVERT,
     VMM_FEAT_GMEM_MMAP, VMM_FEAT_GMEM_INIT_SHARED)

const char *conf_without_attributes(struct kt *t)
{
	struct vmm *v = kt_ctx(t);

	if (!v->ops->lacks(v, VMM_FEAT_MEMORY_ATTRIBUTES))
		return "backend has KVM_SET_MEMORY_ATTRIBUTES (the s41_ cases "
		       "cover it)";
	return NULL;
}
