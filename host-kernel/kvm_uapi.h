/* SPDX-License-Identifier: MIT */
/*
 * host-kernel/kvm_uapi.h - the KVM uAPI newer than the system's 6.1
 * headers: guest_memfd creation, REGION2 memslots, memory attributes and
 * the proposed per-guest_memfd attribute call. Layouts and numbers are
 * Linux's (include/uapi/linux/kvm.h; Documentation/virt/kvm/api.rst
 * KVM_SET_USER_MEMORY_REGION2, KVM_SET_MEMORY_ATTRIBUTES,
 * KVM_CREATE_GUEST_MEMFD), the last one the upstream series'
 * ("guest_memfd: In-place conversion support", not merged); the static
 * asserts pin them to the values observed on x86-64.
 */
#ifndef GMV_HOST_KERNEL_KVM_UAPI_H
#define GMV_HOST_KERNEL_KVM_UAPI_H

#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "lib/types.h"

/* KVM_CAP_EXIT_HYPERCALL: the hypercalls KVM can hand to the VMM. */
#define LX_CAP_EXIT_HYPERCALL 201

struct lkvm_create_guest_memfd {
	u64 size;
	u64 flags;
	u64 reserved[6];
};

struct lkvm_userspace_memory_region2 {
	u32 slot;
	u32 flags;
	u64 guest_phys_addr;
	u64 memory_size;
	u64 userspace_addr;
	u64 guest_memfd_offset;
	u32 guest_memfd;
	u32 pad1;
	u64 pad2[14];
};

struct lkvm_memory_attributes {
	u64 address;
	u64 size;
	u64 attributes;
	u64 flags;
};

/*
 * The in-place conversion series' KVM_SET_MEMORY_ATTRIBUTES2: issued on the
 * guest_memfd, it reuses nr 0xd2 with _IOWR and this 128-byte argument;
 * error_offset names the first page in use on EAGAIN.
 */
struct lkvm_memory_attributes2 {
	u64 offset;
	u64 size;
	u64 attributes;
	u64 flags;
	u64 error_offset;
	u64 reserved[11];
};

#define LKVM_SET_USER_MEMORY_REGION2 \
	_IOW(KVMIO, 0x49, struct lkvm_userspace_memory_region2)
#define LKVM_SET_MEMORY_ATTRIBUTES \
	_IOW(KVMIO, 0xd2, struct lkvm_memory_attributes)
#define LKVM_CREATE_GUEST_MEMFD \
	_IOWR(KVMIO, 0xd4, struct lkvm_create_guest_memfd)
#define LKVM_SET_MEMORY_ATTRIBUTES2 \
	_IOWR(KVMIO, 0xd2, struct lkvm_memory_attributes2)

_Static_assert(sizeof(struct lkvm_userspace_memory_region2) == 160,
	       "REGION2 is 160 bytes");
_Static_assert(LKVM_SET_USER_MEMORY_REGION2 == 0x40a0ae49, "REGION2 nr");
_Static_assert(LKVM_SET_MEMORY_ATTRIBUTES == 0x4020aed2, "ATTRIBUTES nr");
_Static_assert(LKVM_CREATE_GUEST_MEMFD == 0xc040aed4, "CREATE_GUEST_MEMFD");
_Static_assert(LKVM_SET_MEMORY_ATTRIBUTES2 == 0xc080aed2, "ATTRIBUTES2 nr");

#endif
