/* SPDX-License-Identifier: MIT */
/*
 * tests/common/native.h - what the native-only suites share: one native
 * backend over hv_pool, a case wrapper that resets it and runs its
 * invariant check after every case (the helpers of guest-tests/vmm_case.h
 * come with it), and a guest access helper.
 */
#ifndef GMV_TESTS_NATIVE_H
#define GMV_TESTS_NATIVE_H

#include "guest-tests/vmm_case.h"
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

/* A case on native_vmm_for_tests; see VMM_CASE. */
#define NATIVE_CASE(name) VMM_CASE(static, name, &native_vmm_for_tests)

/* One guest access of len bytes (<= a page) at gpa; f gets the result. */
int n_guest(struct vmm *v, int vm, u64 gpa, void *buf, size_t len,
	    unsigned int access, struct vm_fault *f);

#endif
