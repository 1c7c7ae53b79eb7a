// SPDX-License-Identifier: MIT
/* tools/replay/backends.c - backend lookup by name (see backends.h). */
#include <errno.h>
#include <string.h>

#include "host-kernel/vmm_linux.h"
#include "tools/replay/backends.h"

static const struct backend {
	const char *name;
	int (*open)(struct vmm *v);
	void (*close)(struct vmm *v);
} backends[] = {
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
