/* SPDX-License-Identifier: MIT */
/*
 * tests/common/native.h - what the native-only suites share: one native
 * backend over hv_pool, a case wrapper that resets it and runs its
 * invariant check after every case, and small helpers.
 */
#ifndef GMV_TESTS_NATIVE_H
#define GMV_TESTS_NATIVE_H

#include "hv/kvm_abi.h"
#include "hv/vm.h"
#include "hv/vmm_native.h"
#include "lib/ktap.h"

#define PG 4096ULL
#define GB (1ULL << 30)
#define SZ2M (2ULL << 20)

extern struct vmm native_vmm_for_tests;

/* Suite predicate: skip without hv_pool. */
const char *native_unsupported(void *ctx);
/* v->ops->check, reset, check again (nothing may outlive the handles). */
void native_finish(struct kt *t, struct vmm *v);

#define NATIVE_CASE(name)                                     \
	static void name##_body(struct kt *t, struct vmm *v); \
	static void name(struct kt *t)                        \
	{                                                     \
		struct vmm *v = &native_vmm_for_tests;        \
		v->ops->reset(v);                             \
		name##_body(t, v);                            \
		native_finish(t, v);                          \
	}                                                     \
	static void name##_body(struct kt *t, struct vmm *v)

/* Expect a handle; evaluates to it (see CONF_OPEN). */
#define N_OPEN(t, expr)                                          \
	({                                                       \
		int h_ = (expr);                                 \
		kt_check(t, h_ >= 0, __FILE__, __LINE__,         \
			 "%s: expected a handle, got %s", #expr, \
			 errno_name(h_));                        \
		h_;                                              \
	})

int n_region(struct vmm *v, int vm, u32 slot, u32 flags, u64 gpa, u64 size,
	     int gmem, u64 offset);

static inline int n_bind(struct vmm *v, int vm, u32 slot, u64 gpa, u64 size,
			 int gmem, u64 offset)
{
	return n_region(v, vm, slot, GMV_MEM_GUEST_MEMFD, gpa, size, gmem,
			offset);
}

/* One guest access of len bytes (<= a page) at gpa; f gets the result. */
int n_guest(struct vmm *v, int vm, u64 gpa, void *buf, size_t len,
	    unsigned int access, struct vm_fault *f);

#endif
