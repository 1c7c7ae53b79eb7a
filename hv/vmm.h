/* SPDX-License-Identifier: MIT */
/*
 * hv/vmm.h - the backend-neutral VMM interface. The conformance suite, the
 * guest cases and gmem-replay are written against it once and run on every
 * backend: "native" (hv/, our own guest_memfd) and "linux" (host-kernel/,
 * real ioctls on /dev/kvm).
 *
 * Conventions
 *  - Objects are named by int handles, like file descriptors: a VM, a gmem
 *    (one VM's view of guest_memfd memory) or a vCPU. A handle the backend
 *    never issued, or closed, is invalid; VMM_BAD_HANDLE (-1) is always
 *    invalid. Calls report -EBADF for an invalid handle exactly where Linux
 *    looks at the descriptor, and nowhere else.
 *  - Calls return 0 (or a new handle) on success and a negative Linux errno
 *    on failure, with Linux's value for the same input. Numbers and flags
 *    are Linux's (hv/kvm_abi.h).
 *  - Host accesses to gmem memory go through one shared read/write mapping
 *    of the whole file, made on first access and kept until the gmem is
 *    closed. An access that faults returns -VMM_SIGBUS.
 */
#ifndef GMV_HV_VMM_H
#define GMV_HV_VMM_H

#include "lib/types.h"
#include "hv/kvm_abi.h"

#define VMM_BAD_HANDLE (-1)
/* Not an errno: the host access faulted (SIGBUS on Linux). */
#define VMM_SIGBUS 1000

/* Features a case may need; vmm_ops.has() answers from what the backend
 * really offers (Linux: capabilities and VM types probed at open). */
enum vmm_feature {
	VMM_FEAT_GUEST_MEMFD,	   /* KVM_CAP_GUEST_MEMFD */
	VMM_FEAT_GMEM_MMAP,	   /* GUEST_MEMFD_FLAG_MMAP */
	VMM_FEAT_GMEM_INIT_SHARED, /* GUEST_MEMFD_FLAG_INIT_SHARED */
	VMM_FEAT_SW_PROTECTED_VM,  /* VM type 1 */
	VMM_FEAT_MEMORY_ATTRIBUTES, /* KVM_SET_MEMORY_ATTRIBUTES */
	VMM_FEAT_INPLACE_CONVERT,  /* per-gmem shareability + convert call */
	VMM_FEAT_GMEM_VIEWS,	   /* second VM view of one gmem's memory */
	VMM_FEAT_VCPU,		   /* vCPUs that run guest-tests images */
	VMM_NR_FEATURES
};

/* struct kvm_userspace_memory_region2, minus what the backend supplies:
 * the userspace address is a private anonymous mapping of memory_size
 * bytes that the backend makes (native: memory the VM owns). */
struct vmm_region {
	u32 slot; /* bits 15:0 slot id, bits 31:16 address space */
	u32 flags;
	u64 guest_phys_addr;
	u64 memory_size; /* 0 deletes the slot */
	u64 guest_memfd_offset;
	int guest_memfd; /* a gmem handle; looked at only with GUEST_MEMFD */
};

struct vmm;

struct vmm_ops {
	const char *name;
	/* NULL if the feature is there, else why not (for a SKIP line). */
	const char *(*lacks)(struct vmm *v, enum vmm_feature f);
	/* KVM_CHECK_EXTENSION on the system (vm < 0) or on a VM. */
	long (*check_extension)(struct vmm *v, int vm, long cap);

	/* KVM_CREATE_VM: a VM handle or -errno. */
	int (*create_vm)(struct vmm *v, unsigned long type);
	/* KVM_CREATE_GUEST_MEMFD: a gmem handle or -errno. */
	int (*create_gmem)(struct vmm *v, int vm, u64 size, u64 flags);
	/* A new view, owned by 'vm', of the memory behind 'gmem' (the
	 * gmem_file/gmem_inode split): a gmem handle or -errno. */
	int (*create_gmem_view)(struct vmm *v, int gmem, int vm);
	/* KVM_SET_USER_MEMORY_REGION2. */
	int (*set_region)(struct vmm *v, int vm, const struct vmm_region *r);
	/* fallocate(2) on the gmem. */
	int (*fallocate)(struct vmm *v, int gmem, int mode, s64 offset,
			 s64 len);
	/* KVM_SET_MEMORY_ATTRIBUTES on the VM. */
	int (*set_attributes)(struct vmm *v, int vm, u64 gpa, u64 size,
			      u64 attrs, u64 flags);
	/* In-place conversion of [offset, offset + size) of the gmem to
	 * private or shared. On -EAGAIN *error_offset names the first page
	 * in use. */
	int (*convert)(struct vmm *v, int gmem, u64 offset, u64 size,
		       bool to_private, u64 *error_offset);
	/* Host access through the gmem's shared mapping (see above):
	 * 0, -errno of making the mapping, or -VMM_SIGBUS. */
	int (*host_read)(struct vmm *v, int gmem, u64 offset, void *buf,
			 size_t len);
	int (*host_write)(struct vmm *v, int gmem, u64 offset,
			  const void *buf, size_t len);
	/* close(2) on any handle. */
	int (*close)(struct vmm *v, int handle);
	/* Release everything still open (end of a case). */
	void (*reset)(struct vmm *v);
	/* Backend-wide consistency check (native: allocator, bindings,
	 * per-page state); 0 or -EIO after printing what is wrong. */
	int (*check)(struct vmm *v);
};

struct vmm {
	const struct vmm_ops *ops;
	void *priv;
};

#endif
