// SPDX-License-Identifier: MIT
/* tests/common/native.c - the native-only suites' shared backend and
 * helpers (see native.h). */
#include "tests/common/native.h"
#include "hv/alloc.h"

static struct vmm_native native_state;
struct vmm native_vmm_for_tests = VMM_NATIVE_INIT(native_state);

const char *native_unsupported(void *ctx)
{
	return hv_pool ? NULL : "no hv_pool on this platform";
}

int n_guest(struct vmm *v, int vm, u64 gpa, void *buf, size_t len,
	    unsigned int access, struct vm_fault *f)
{
	return vm_guest_access(vmm_native_vm(v, vm), gpa, buf, len, access, f);
}
