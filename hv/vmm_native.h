/* SPDX-License-Identifier: MIT */
/*
 * hv/vmm_native.h - the native backend of the VMM interface (hv/vmm.h):
 * gmemvisor's own VMs (hv/vm.h) and guest_memfd (hv/gmem.h) behind an int
 * handle table. Owns the handle table; every object it names lives in hv/.
 *
 * A backend is a struct vmm whose priv is a struct vmm_native; a zeroed
 * struct vmm_native is an empty table, so a backend can be a static object
 * (VMM_NATIVE_INIT). Objects come from hv_pool.
 *
 * Besides the interface, native-only calls give tests what Linux cannot
 * express portably: host pins (the "page in use" of conversion) and the
 * objects behind handles (fault path, invalidation records).
 */
#ifndef GMV_HV_VMM_NATIVE_H
#define GMV_HV_VMM_NATIVE_H

#include "hv/vmm.h"

struct vm;
struct gmem_view;
struct vmm_native_handle;

struct vmm_native {
	struct vmm_native_handle *tab;
	int cap;
};

extern const struct vmm_ops vmm_native_ops;

#define VMM_NATIVE_INIT(state)                           \
	{                                                \
		.ops = &vmm_native_ops, .priv = &(state) \
	}

/* A host pin (GUP through the mapping) on the page at offset of a gmem
 * (see gmem_pin): 0, -EBADF, -ENODEV (VM handle, or no MMAP), -EFAULT
 * (past EOF, private page). */
int vmm_native_pin(struct vmm *v, int gmem, u64 offset);
int vmm_native_unpin(struct vmm *v, int gmem, u64 offset);

/* The object behind a handle, or NULL if it is not one of that kind. */
struct vm *vmm_native_vm(struct vmm *v, int handle);
struct gmem_view *vmm_native_gmem(struct vmm *v, int handle);

#endif
