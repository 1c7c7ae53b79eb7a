/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/backends.h - the VMM backends a host tool can run, by
 * name ("native", "linux"), so gmem-replay and the cross-check open them
 * the same way.
 */
#ifndef GMV_TOOLS_REPLAY_BACKENDS_H
#define GMV_TOOLS_REPLAY_BACKENDS_H

#include "hv/vmm.h"

/* Open the backend called name into *v: 0, -ENOENT for an unknown name,
 * or the backend's own error. */
int backend_open(const char *name, struct vmm *v);
/* Release everything the backend holds; pairs with backend_open(). */
void backend_close(struct vmm *v);

#endif
