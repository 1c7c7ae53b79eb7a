// SPDX-License-Identifier: MIT
/*
 * host-kernel/tests/needs.c - what the linux backend's tests need of the
 * kernel, as skip reasons (host-kernel/tests/suites.h).
 */
#include <unistd.h>

#include "host-kernel/tests/suites.h"
#include "host-kernel/vmm_linux.h"

const char *needs_kvm(struct kt *t)
{
	return access("/dev/kvm", R_OK | W_OK) ? "no usable /dev/kvm" : NULL;
}

/* The reason is the backend's own: a kernel may give guest_memfd only to
 * VMs with private memory. It is a string constant of the backend. */
const char *needs_gmem(struct kt *t)
{
	struct vmm v = { 0 };
	const char *why = needs_kvm(t);

	if (why)
		return why;
	if (vmm_linux_open(&v))
		return "the linux backend does not open";
	why = v.ops->lacks(&v, VMM_FEAT_GUEST_MEMFD);
	vmm_linux_close(&v);
	return why;
}
