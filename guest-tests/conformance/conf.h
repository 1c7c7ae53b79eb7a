/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/conformance/conf.h - what the conformance case files share:
 * the case wrapper, handle and memslot helpers, feature predicates, and the
 * prototypes of every case (from cases.def).
 */
#ifndef GMV_CONF_CONF_H
#define GMV_CONF_CONF_H

#include "guest-tests/conformance/conformance.h"
#include "hv/vmm.h"
#include "lib/errno.h"
#include "lib/ktap.h"
#include "lib/mem.h"

#define PG 4096ULL
#define GMEM_MMAP GMV_GMEM_FLAG_MMAP
#define GMEM_SHARED (GMV_GMEM_FLAG_MMAP | GMV_GMEM_FLAG_INIT_SHARED)
#define KEEP GMV_FALLOC_KEEP_SIZE
#define PUNCH (GMV_FALLOC_PUNCH_HOLE | GMV_FALLOC_KEEP_SIZE)
#define BOGUS_HANDLE 12345

#define CONF(fn, pred) void fn(struct kt *t);
#include "guest-tests/conformance/cases.def"
#undef CONF

/* Check the backend, release everything, check again (nothing leaks). */
void conf_finish(struct kt *t, struct vmm *v);

/*
 * A case body gets the backend and may return early: the wrapper resets
 * the backend before it and checks and resets after it.
 */
#define CONF_CASE(name)                                       \
	static void name##_body(struct kt *t, struct vmm *v); \
	void name(struct kt *t)                               \
	{                                                     \
		struct vmm *v = kt_ctx(t);                    \
		v->ops->reset(v);                             \
		name##_body(t, v);                            \
		conf_finish(t, v);                            \
	}                                                     \
	static void name##_body(struct kt *t, struct vmm *v)

/* Expect expr to return a handle (>= 0); evaluates to what it returned. */
#define CONF_OPEN(t, expr)                                       \
	({                                                       \
		int h_ = (expr);                                 \
		kt_check(t, h_ >= 0, __FILE__, __LINE__,         \
			 "%s: expected a handle, got %s", #expr, \
			 errno_name(h_));                        \
		h_;                                              \
	})

/* KVM_SET_USER_MEMORY_REGION2 with the fields the interface has. */
int conf_region(struct vmm *v, int vm, u32 slot, u32 flags, u64 gpa, u64 size,
		int gmem, u64 offset);

static inline int conf_bind(struct vmm *v, int vm, u32 slot, u64 gpa, u64 size,
			    int gmem, u64 offset)
{
	return conf_region(v, vm, slot, GMV_MEM_GUEST_MEMFD, gpa, size, gmem,
			   offset);
}

static inline int conf_delete(struct vmm *v, int vm, u32 slot)
{
	return conf_region(v, vm, slot, 0, 0, 0, VMM_BAD_HANDLE, 0);
}

/* Two page buffers for host accesses (static: the payload's stack is
 * small). conf_fill writes a pattern that depends on seed. */
extern u8 conf_buf[2][PG];
void conf_fill(u8 *buf, size_t len, u8 seed);

/* Feature predicates for KT_CASE_IF: NULL when the backend has them all,
 * else the backend's reason. */
const char *conf_need_mmap(struct kt *t);
const char *conf_need_shared(struct kt *t);
const char *conf_need_sw_protected(struct kt *t);
const char *conf_need_attributes(struct kt *t);
const char *conf_need_attributes_sw(struct kt *t);
const char *conf_need_convert(struct kt *t);
const char *conf_need_convert_mmap(struct kt *t);
const char *conf_need_views(struct kt *t);
const char *conf_need_views_shared(struct kt *t);
const char *conf_need_views_convert(struct kt *t);
/* The reverse: runs only on backends without memory attributes. */
const char *conf_without_attributes(struct kt *t);

#endif
