/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/vmm_case.h - helpers for cases written against the VMM
 * interface (hv/vmm.h), shared by the conformance cases (guest-tests/
 * conformance/conf.h), the guest-level cases (guest-tests/cases/cases.h)
 * and the native-only suites (tests/common/native.h): the case wrapper
 * that resets the backend around a case and checks it leaks nothing, the
 * handle check, the memslot calls, the feature test behind KT_CASE_IF
 * predicates, and the line naming the backend a suite runs on.
 */
#ifndef GMV_GUEST_TESTS_VMM_CASE_H
#define GMV_GUEST_TESTS_VMM_CASE_H

#include "hv/vmm.h"
#include "lib/errno.h"
#include "lib/ktap.h"

/*
 * A suite's intro (struct kt_suite.intro): "# backend: NAME" for the
 * backend in the kt context. The conformance and guest suites print it,
 * so their case paths are the same whichever backend runs them.
 */
void case_backend_intro(struct kt *t);

/* Check the backend, release everything, check again (nothing leaks). */
void case_finish(struct kt *t, struct vmm *v);

/*
 * Define case 'name' (with 'linkage': static or nothing) whose body gets
 * the backend, 'backend' being an expression of t. The body may return
 * early: the wrapper resets the backend before it and calls case_finish()
 * after it.
 */
#define VMM_CASE(linkage, name, backend)                      \
	static void name##_body(struct kt *t, struct vmm *v); \
	linkage void name(struct kt *t)                       \
	{                                                     \
		struct vmm *v = (backend);                    \
		v->ops->reset(v);                             \
		name##_body(t, v);                            \
		case_finish(t, v);                            \
	}                                                     \
	static void name##_body(struct kt *t, struct vmm *v)

/* Expect expr to return a handle (>= 0); evaluates to what it returned. */
#define CASE_OPEN(t, expr)                                       \
	({                                                       \
		int h_ = (expr);                                 \
		kt_check(t, h_ >= 0, __FILE__, __LINE__,         \
			 "%s: expected a handle, got %s", #expr, \
			 errno_name(h_));                        \
		h_;                                              \
	})

/* KVM_SET_USER_MEMORY_REGION2 with the fields the interface has. */
int case_region(struct vmm *v, int vm, u32 slot, u32 flags, u64 gpa, u64 size,
		int gmem, u64 offset);

static inline int case_bind(struct vmm *v, int vm, u32 slot, u64 gpa, u64 size,
			    int gmem, u64 offset)
{
	return case_region(v, vm, slot, GMV_MEM_GUEST_MEMFD, gpa, size, gmem,
			   offset);
}

static inline int case_delete(struct vmm *v, int vm, u32 slot)
{
	return case_region(v, vm, slot, 0, 0, 0, VMM_BAD_HANDLE, 0);
}

/* The reason of the first of the n features the backend (the kt context)
 * lacks, or NULL when it has them all. */
const char *case_lacks_any(struct kt *t, const enum vmm_feature *f, size_t n);

/* case_lacks_any() over the features listed, e.g.
 * CASE_LACKS_ANY(t, VMM_FEAT_VCPU, VMM_FEAT_GMEM_MMAP). */
#define CASE_LACKS_ANY(t, ...)                                      \
	({                                                          \
		static const enum vmm_feature f_[] = {__VA_ARGS__}; \
		case_lacks_any(t, f_, ARRAY_SIZE(f_));              \
	})

#endif
