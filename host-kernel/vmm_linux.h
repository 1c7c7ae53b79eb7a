/* SPDX-License-Identifier: MIT */
/*
 * host-kernel/vmm_linux.h - the "linux" backend of hv/vmm.h: every call is
 * the matching real call on /dev/kvm (ioctl, fallocate, mmap, close), so
 * the conformance suite and gmem-replay can compare gmemvisor with Linux.
 *
 * The backend owns the descriptors it opened (VMs, guest_memfds), the
 * anonymous memory behind each memslot and each guest_memfd's host
 * mapping. Handles are the real descriptors; a handle the backend did not
 * issue (or already closed) reaches the kernel as VMM_BAD_HANDLE, so Linux
 * itself decides where EBADF appears.
 */
#ifndef GMV_HOST_KERNEL_VMM_LINUX_H
#define GMV_HOST_KERNEL_VMM_LINUX_H

#include "hv/vmm.h"

/*
 * Open /dev/kvm and probe what it offers. A host without /dev/kvm still
 * gets a working backend whose lacks() names "no /dev/kvm" for every
 * feature. Returns 0, or -ENOMEM.
 */
int vmm_linux_open(struct vmm *v);

/* Close everything the backend opened, then the backend itself. */
void vmm_linux_close(struct vmm *v);

#endif
