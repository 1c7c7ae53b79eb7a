// SPDX-License-Identifier: MIT
/*
 * tools/replay/backends.c - backend lookup by name (see backends.h). The
 * native backend needs hv_pool: the first native open gives it one
 * region of NATIVE_POOL bytes for the life of the process (pages are
 * touched only as the hypervisor uses them).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host-kernel/vmm_linux.h"
#include "hv/alloc.h"
#include "hv/vmm_native.h"
#include "plat/test_mem.h"
#include "tools/replay/backends.h"

#define NATIVE_POOL (256ULL << 20)

static int native_open(struct vmm *v)
{
	static struct page_pool pool;
	struct vmm_native *state;
	void *mem;

	if (!hv_pool) {
		mem = test_mem_alloc(NATIVE_POOL);
		if (!mem)
			return -ENOMEM;
		alloc_pool_init(&pool);
		if (alloc_add_region(&pool, (phys_addr_t)mem, NATIVE_POOL)) {
			test_mem_free(mem, NATIVE_POOL);
			return -ENOMEM;
		}
		hv_pool = &pool;
	}
	state = calloc(1, sizeof(*state));
	if (!state)
		return -ENOMEM;
	v->ops = &vmm_native_ops;
	v->priv = state;
	return 0;
}

static void native_close(struct vmm *v)
{
	v->ops->reset(v);
	free(v->priv);
	v->priv = NULL;
}

static const struct backend {
	const char *name;
	int (*open)(struct vmm *v);
	void (*close)(struct vmm *v);
} backends[] = {
	{ "native", native_open, native_close },
	{ "linux", vmm_linux_open, vmm_linux_close },
};

static const struct backend *find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(backends); i++)
		if (!strcmp(backends[i].name, name))
			return &backends[i];
	return NULL;
}

int backend_open(const char *name, struct vmm *v)
{
	const struct backend *b = find(name);

	return b ? b->open(v) : -ENOENT;
}

void backend_close(struct vmm *v)
{
	const struct backend *b = v->ops ? find(v->ops->name) : NULL;

	if (b)
		b->close(v);
	v->ops = NULL;
}
