/* SPDX-License-Identifier: MIT */
/*
 * guest-tests/host_mem.h - host-side pattern writes and checks for guest
 * cases (patterns: guest-tests/lib/pattern.h), through a gmem's host
 * mapping (vmm_ops.host_read/host_write) or by GPA (guest_read/
 * guest_write). Memory is moved a page at a time, so cases need no big
 * buffers.
 */
#ifndef GMV_GUEST_TESTS_HOST_MEM_H
#define GMV_GUEST_TESTS_HOST_MEM_H

#include "hv/vmm.h"
#include "lib/ktap.h"
#include "guest-tests/lib/pattern.h"

/* Where some guest memory is seen from the host: [offset, offset + len)
 * of gmem 'handle' (by_gpa false) or [gpa, gpa + len) of VM 'handle'. The
 * pattern is always computed from gpa, the guest address of the bytes. */
struct mem_range {
	bool by_gpa;
	int handle;
	u64 offset;
	u64 gpa;
	u64 len;
};

static inline struct mem_range gmem_range(int gmem, u64 offset, u64 gpa,
					  u64 len)
{
	return (struct mem_range){ .handle = gmem, .offset = offset,
				   .gpa = gpa, .len = len };
}

static inline struct mem_range gpa_range(int vm, u64 gpa, u64 len)
{
	return (struct mem_range){ .by_gpa = true, .handle = vm, .gpa = gpa,
				   .len = len };
}

/* What a pattern check found. */
struct mem_check {
	int err;    /* the access's -errno (-VMM_SIGBUS...), or 0 */
	bool match; /* every word matched */
	u64 gpa;    /* first differing word */
	u64 got, want;
};

/* Write pattern 'seed' over the range: 0 or the access's -errno. */
int mem_fill(struct vmm *v, struct mem_range r, u64 seed);
/* Compare the range with pattern 'seed'. */
struct mem_check mem_check(struct vmm *v, struct mem_range r, u64 seed);

/* One check: the range reads back as pattern seed. */
#define KT_EXPECT_PATTERN(t, v, range, seed)                                \
	({                                                                  \
		struct mem_check c_ = mem_check(v, range, seed);            \
		kt_check(t, !c_.err && c_.match, __FILE__, __LINE__,        \
			 "%s holds pattern %s (%#llx): %s, word at gpa "    \
			 "%#llx is %#llx, want %#llx",                      \
			 #range, #seed, (unsigned long long)(seed),         \
			 c_.err ? errno_name(c_.err) : "read",              \
			 (unsigned long long)c_.gpa,                        \
			 (unsigned long long)c_.got,                        \
			 (unsigned long long)c_.want);                      \
	})

#endif
